"""summarise_directive: counts per body and in total, roll-up through child plans, overdue list
with history, extension history, on SQLite and PostgreSQL."""

import pytest

from models.directives import NotFound
from models.vocabulary import vi_sort_key
from reports.model import PARTITION, Counts
from tests.report.conftest import summarise

ROOT_TOTAL = {"tasks": 85, "done_on_time": 1, "done_late": 1, "in_term": 6, "near_due": 3,
              "overdue": 48, "no_deadline": 28, "cancelled": 1, "not_started": 79,
              "extension_pending": 0, "extensions_granted": 1, "done": 2, "open": 82}


def row(node, body):
    return next(r for r in node.bodies if r.body.id == body)


def test_totals_of_the_directive(summary):
    """85 tasks (83 launched + 2 next yearly occurrences) split exactly as the scenario made them."""
    assert summary.total.as_json() == ROOT_TOTAL
    assert sum(getattr(summary.total, name) for name in PARTITION) == summary.total.tasks
    assert summary.root.roles == {"lead": 62, "cooperating": 23}


def test_counts_per_body(summary):
    """Each body's row counts its own tasks: on time, late, extended, cancelled, overdue."""
    def counts(body):
        c = row(summary.root, body).counts
        return (c.tasks, c.done_on_time, c.done_late, c.in_term, c.overdue, c.cancelled,
                c.not_started, c.extensions_granted)

    assert counts("ldld_hue") == (2, 1, 0, 1, 0, 0, 1, 0)  # closed on time + next year's
    assert counts("ldld_hai_phong") == (2, 0, 1, 1, 0, 0, 1, 0)  # closed late + next year's
    assert counts("ldld_ca_mau") == (1, 0, 0, 1, 0, 0, 0, 1)  # extended to 20/12
    assert counts("ldld_an_giang") == (1, 0, 0, 0, 1, 0, 0, 0)  # extension refused
    assert counts("ldld_da_nang") == (1, 0, 0, 0, 1, 0, 1, 0)  # acknowledged only
    assert counts("ldld_son_la") == (1, 0, 0, 0, 0, 1, 0, 0)
    assert counts("ldld_ha_noi") == (1, 0, 0, 0, 1, 0, 0, 0)  # started by its own plan
    near = row(summary.root, "tld_ban_chinh_sach_phap_luat").counts  # III.2 due 15/12
    assert (near.near_due, near.in_term, near.no_deadline) == (1, 1, 2)


def test_body_rows_are_in_vietnamese_alphabetical_order(summary):
    """Rows sort by name as Vietnamese does: 'Ban Chấp hành' < 'Ban Chính sách' < 'Ban Đối ngoại'."""
    names = [r.body.name for r in summary.root.bodies]
    assert names == sorted(names, key=vi_sort_key)
    assert names.index("Ban Chính sách - Pháp luật Tổng Liên đoàn") < names.index(
        "Ban Đối ngoại Tổng Liên đoàn") < names.index("Ban Nữ công Tổng Liên đoàn")
    assert vi_sort_key("Đà Nẵng") > vi_sort_key("Dương") and vi_sort_key("ă") > vi_sort_key("az")


def test_child_plans_roll_up_recursively(summary):
    """07/KH-LĐLĐ nests under Hà Nội's task, 15/KH-LĐLĐ under its item 2; totals count 3 child tasks."""
    hanoi = row(summary.root, "ldld_ha_noi")
    assert [c.directive.number for c in hanoi.children] == ["07/KH-LĐLĐ"]
    child = hanoi.children[0]
    assert child.parent.ref == "III.7" and child.parent.body.id == "ldld_ha_noi"
    assert (child.total.tasks, child.total.done_on_time, child.total.overdue) == (2, 1, 1)
    grandchild = child.children[0]
    assert grandchild.directive.number == "15/KH-LĐLĐ" and grandchild.parent.ref == "2"
    assert (grandchild.total.tasks, grandchild.total.in_term, grandchild.total.not_started) == (1, 1, 1)
    assert child.descendants.tasks == 1 and child.overall.tasks == 3
    data = summary.as_json()
    assert data["child_cascades"] == 2
    assert {k: data["child_total"][k] for k in ("tasks", "done_on_time", "overdue", "in_term")} == {
        "tasks": 3, "done_on_time": 1, "overdue": 1, "in_term": 1}
    assert data["overall"]["tasks"] == 88 and data["overall"]["overdue"] == 49
    assert [n.directive.number for n in summary.all_cascades()] == [
        "48-KH/ĐĐTLĐ", "07/KH-LĐLĐ", "15/KH-LĐLĐ"]


def test_overdue_list_with_history(summary):
    """49 overdue (48 + the child's item 2), longest first, each with its audit trail in order."""
    assert len(summary.overdue) == 49
    first = summary.overdue[0]
    assert (first.task.directive, first.task.ref, first.days_late) == ("07/KH-LĐLĐ", "2", 27)
    assert [e.action for e in first.history] == ["assign", "start"]
    assert first.history[1].note == "Đã ban hành kế hoạch con 15/KH-LĐLĐ"
    an_giang = next(o for o in summary.overdue if o.task.body.id == "ldld_an_giang")
    assert [e.action for e in an_giang.history] == [
        "assign", "request-extension", "refuse-extension"]
    assert an_giang.history[2].action_label == "không đồng ý gia hạn"
    assert an_giang.days_late == 12 and an_giang.working_days_late == 8
    assert an_giang.task.status_label == "đang thực hiện"
    bodies = {o.task.body.id for o in summary.overdue}
    assert not bodies & {"ldld_hue", "ldld_hai_phong", "ldld_ca_mau", "ldld_son_la"}


def test_extension_history(summary):
    """Cà Mau's request was granted with the new due date; An Giang's was refused."""
    by_body = {x.task.body.id: x.requests for x in summary.extensions}
    assert set(by_body) == {"ldld_ca_mau", "ldld_an_giang"}
    (granted,) = by_body["ldld_ca_mau"]
    assert (granted.outcome, str(granted.requested_until), str(granted.new_due_on)) == (
        "granted", "2023-12-20", "2023-12-20")
    assert granted.reason == "Chờ số liệu quý IV" and granted.decision_note == "Đồng ý"
    (refused,) = by_body["ldld_an_giang"]
    assert (refused.outcome, refused.new_due_on) == ("refused", None)


def test_json_names_the_partition_and_sub_counts(summary):
    """The JSON says which categories split the tasks and which are counts inside them."""
    data = summary.as_json()
    assert data["categories"]["partition"] == list(PARTITION)
    assert set(data["categories"]["sub_counts"]) == {
        "near_due", "not_started", "extension_pending", "extensions_granted"}
    assert data["business_date"] == "2023-12-12" and data["directive"]["number"] == "48-KH/ĐĐTLĐ"


def test_an_earlier_moment_sees_no_overdue(scenario, calendar):
    """Before 30/11 nothing of III.7 is late: the clock is only `at`."""
    from tests.conftest import at

    early = summarise(scenario, calendar, when=at("2023-11-29 10:00"))
    assert early.total.overdue == 0 and len(early.overdue) == 1  # only the child's item 2 (15/11)


def test_a_child_plan_reports_on_its_own(summary, scenario, calendar):
    """Reporting on 07/KH-LĐLĐ gives its own two tasks and its grandchild under them."""
    child = summarise(scenario, calendar, number="07/KH-LĐLĐ")
    assert child.total.tasks == 2 and child.root.descendants.tasks == 1
    assert child.root.parent.directive == "48-KH/ĐĐTLĐ"


def test_unknown_directive(engine, calendar):
    """A directive that was never launched is refused with a Vietnamese message."""
    with pytest.raises(NotFound, match="chưa khởi chạy văn bản 99-KH/XX"):
        summarise(engine, calendar, number="99-KH/XX")


def test_counts_add_up():
    """Counts.add sums every field; a near-due task is counted in in_term too."""
    from models.status import Colour, TaskStatus

    a, b = Counts(), Counts()
    a.add_task(Colour.NEAR_DUE, TaskStatus.ASSIGNED)
    b.add_task(Colour.OVERDUE, TaskStatus.EXTENSION_REQUESTED)
    a.add(b)
    assert (a.tasks, a.in_term, a.near_due, a.overdue, a.not_started, a.extension_pending) == (
        2, 1, 1, 1, 1, 1)
