"""45-KH/ĐĐTLĐ followed from launch across 30/11/2023, the New Year and Tết 2024: each step
sweeps, sends, and is read back from the database."""

from __future__ import annotations

import datetime as dt
import re

import sqlalchemy as sa
from sqlmodel import select

from models.db import unit_of_work
from models.links import LinkSigner
from models.tables import FollowUp, Outbox, Task, TaskEvent
from reports.summarise import summarise_directive
from services.actions import record_action
from services.links import use_link
from tests.conftest import VN, at
from tests.follow.conftest import drain, run_digest, run_sweep, task_id

III7 = 52  # provincial federations and sector unions: one III.7 task each


def signer_of(settings):
    return LinkSigner(settings.secret_key)


def text(msg):
    return msg.get_body(("plain",)).get_content()


def kinds(sent):
    out = {}
    for msg in sent:
        out[msg["X-Cascade-Kind"]] = out.get(msg["X-Cascade-Kind"], 0) + 1
    return out


def ledger(engine):
    with unit_of_work(engine, write=False) as session:
        return list(session.exec(select(FollowUp).order_by(FollowUp.id)).all())


def token(msg, label):
    match = re.search(rf"- {label}: \S+/l/(\S+)", text(msg))
    assert match, f"no {label!r} link in\n{text(msg)}"
    return match.group(1)


def to_body(msg, body_id):
    return msg["To"].addresses[0].addr_spec == f"{body_id.replace('_', '-')}@example.org"


def test_45_kh_followed_across_30_11_the_new_year_and_tet(launched45, calendar, settings):
    """Reminders, escalations up three levels, links, digests, roll-over and report counts."""
    engine = launched45
    hanoi = task_id(engine, "III.7", "ldld_ha_noi")
    hue = task_id(engine, "III.7", "ldld_hue")
    khanh_hoa = task_id(engine, "III.7", "ldld_khanh_hoa")
    lam_dong = task_id(engine, "III.7", "ldld_lam_dong")

    # 20/11: 8 working days before 30/11: nothing owed yet
    assert run_sweep(engine, calendar, at("2023-11-20 08:00")).created == []

    # 21/11: the 7-day reminder to each III.7 body, once
    report = run_sweep(engine, calendar, at("2023-11-21 08:00"))
    assert report.counts == {"reminder:7": III7}
    assert run_sweep(engine, calendar, at("2023-11-21 15:00")).created == []
    sent = drain(engine, settings, at("2023-11-21 08:05"))
    assert kinds(sent) == {"reminder": III7}
    msg = next(m for m in sent if to_body(m, "ldld_ha_noi"))
    assert msg["Subject"] == "[45-KH/ĐĐTLĐ] Nhiệm vụ III.7 — nhắc hạn 30/11/2023, còn 7 ngày làm việc"
    assert "ngày 30 tháng 11 năm 2023" in text(msg)
    assert "Xác nhận đã nhận:" in text(msg) and "Xin gia hạn:" in text(msg)

    # Hà Nội reports and the coordinator closes before the deadline: no more mail for it
    with unit_of_work(engine) as session:
        record_action(session=session, tz=VN, task_id=hanoi, action="report", actor="ldld_ha_noi",
                      at=at("2023-11-24 10:00"))
        record_action(session=session, tz=VN, task_id=hanoi, action="close", at=at("2023-11-24 11:00"))
    drain(engine, settings, at("2023-11-24 11:05"))

    # 28/11 and 30/11: the 3-day then the 1-day reminder
    assert run_sweep(engine, calendar, at("2023-11-28 08:00")).counts == {"reminder:3": III7 - 1}
    assert run_sweep(engine, calendar, at("2023-11-30 08:00")).counts == {"reminder:1": III7 - 1}
    drain(engine, settings, at("2023-11-30 08:05"))

    # Friday 1/12: one working day late: level 1 to the body itself
    assert run_sweep(engine, calendar, at("2023-12-01 08:00")).counts == {"escalation:1": III7 - 1}
    sent = drain(engine, settings, at("2023-12-01 08:05"))
    msg = next(m for m in sent if to_body(m, "ldld_hue"))
    assert msg["X-Cascade-Kind"] == "reminder"
    assert msg["Subject"] == "[45-KH/ĐĐTLĐ] Nhiệm vụ III.7 — đã quá hạn 30/11/2023 (1 ngày làm việc)"

    # Thursday 7/12: five working days late: level 2 to the follow-up office; III.1 reminded
    report = run_sweep(engine, calendar, at("2023-12-07 08:00"))
    assert report.counts == {"escalation:2": III7 - 1, "reminder:7": 2}
    assert {f.recipient_id for f in report.created if f.kind == "escalation"} == {
        "tld_van_phong_dang_doan"}
    sent = drain(engine, settings, at("2023-12-07 08:05"))
    escalations = [m for m in sent if m["X-Cascade-Kind"] == "escalation"]
    assert len(escalations) == III7 - 1
    assert all(to_body(m, "tld_van_phong_dang_doan") for m in escalations)
    by_task = {int(m["X-Cascade-Task"]): m for m in escalations}
    msg = by_task[hue]
    assert msg["Subject"] == ("[45-KH/ĐĐTLĐ] Nhiệm vụ III.7 — quá hạn 5 ngày làm việc: "
                              "Liên đoàn Lao động thành phố Huế")
    body = text(msg)
    assert "đôn đốc mức 2" in body and "ngày 30 tháng 11 năm 2023" in body
    history = body.split("LỊCH SỬ NHẮC VÀ ĐÔN ĐỐC")[1].split("THAO TÁC")[0]
    assert [line.split(": ", 1)[1] for line in history.strip().splitlines()] == [
        "nhắc trước hạn 7 ngày làm việc, gửi Liên đoàn Lao động thành phố Huế",
        "nhắc trước hạn 2 ngày làm việc, gửi Liên đoàn Lao động thành phố Huế",
        "nhắc vào ngày đến hạn, gửi Liên đoàn Lao động thành phố Huế",
        "đôn đốc mức 1, quá hạn 1 ngày làm việc, gửi Liên đoàn Lao động thành phố Huế",
        "đôn đốc mức 2, quá hạn 5 ngày làm việc, gửi Văn phòng Đảng đoàn Tổng Liên đoàn",
    ]
    html = msg.get_body(("html",)).get_content()
    assert "Lịch sử nhắc và đôn đốc" in html

    # the supervisor's links: remind Huế again, extend Khánh Hòa, close Lâm Đồng
    when = at("2023-12-07 14:00")
    with unit_of_work(engine) as session:
        outcome = use_link(session=session, signer=signer_of(settings), tz=VN,
                 at=when,
                           token=token(by_task[hue], "Nhắc lại đơn vị thực hiện"))
        assert (outcome.result.action, outcome.result.to_status) == ("remind", "assigned")
        use_link(session=session, signer=signer_of(settings), tz=VN,
                 at=when, until=dt.date(2024, 1, 31),
                 token=token(by_task[khanh_hoa], "Gia hạn"))
        use_link(session=session, signer=signer_of(settings), tz=VN,
                 at=when,
                 token=token(by_task[lam_dong], "Hoàn thành, đóng nhiệm vụ"))
    sent = drain(engine, settings, at("2023-12-07 14:05"))
    # closing Lâm Đồng's yearly task created its 2024 occurrence (and its assignment mail)
    assert sorted(kinds(sent).items()) == [("extension_decided", 1), ("manual_reminder", 1),
                                           ("task_assigned", 1)]
    reminder = next(m for m in sent if m["X-Cascade-Kind"] == "manual_reminder")
    assert to_body(reminder, "ldld_hue")
    assert reminder["Subject"] == "[45-KH/ĐĐTLĐ] Nhiệm vụ III.7 — nhắc lại: hạn 30/11/2023"
    with unit_of_work(engine, write=False) as session:
        assert session.get(Task, khanh_hoa).due_on == dt.date(2024, 1, 31)
        assert session.get(Task, lam_dong).status == "done"
        event = session.exec(select(TaskEvent).where(TaskEvent.task_id == hue)
                             .order_by(TaskEvent.id.desc())).first()
        assert (event.action, event.from_status, event.to_status) == ("remind", "assigned", "assigned")

    # the digest for the follow-up office lists what is late, oldest first, by directive/body
    run = run_digest(engine, calendar, at("2023-12-07 16:00"))
    office = next(d for d in run.digests if d.supervisor_id == "tld_van_phong_dang_doan")
    assert office.overdue == III7 - 3 and office.escalated == III7 - 3
    [group] = office.directives
    assert group.number == "45-KH/ĐĐTLĐ"
    assert "ldld_ha_noi" not in {b.body_id for b in group.bodies}
    # in term: both III.1 tasks, Khánh Hòa (extended), the 2024 occurrences of Hà Nội, Lâm Đồng
    assert office.chart[0].overdue == III7 - 3 and office.chart[0].in_term == 5
    assert run_digest(engine, calendar, at("2023-12-07 17:00")).queued == []
    sent = drain(engine, settings, at("2023-12-07 16:05"))
    digest_mail = next(m for m in sent if m["X-Cascade-Kind"] == "digest" and
                       to_body(m, "tld_van_phong_dang_doan"))
    assert digest_mail["Subject"] == ("[Theo dõi] Tổng hợp nhiệm vụ quá hạn 07/12/2023: "
                                      f"{III7 - 3} nhiệm vụ, {III7 - 3} đơn vị")
    assert "Liên đoàn Lao động thành phố Huế (1)" in text(digest_mail)
    assert "width: " in digest_mail.get_body(("html",)).get_content()

    # 21/12: fifteen working days late: level 3 to the leadership body (tld_dct)
    report = run_sweep(engine, calendar, at("2023-12-21 08:00"))
    assert report.counts["escalation:3"] == III7 - 3
    assert {f.recipient_id for f in report.created if f.level == 3} == {"tld_dct"}
    drain(engine, settings, at("2023-12-21 08:05"))

    # 2/1/2024: the year of 30/11/2023 is over: next occurrences, due 30/11/2024 and 15/12/2024
    report = run_sweep(engine, calendar, at("2024-01-02 08:00"))
    assert "escalation:3" not in report.counts  # level 3 repeats only after 10 more working days
    rolled = {r.task_id: r.due_on for r in report.rollovers}
    assert rolled[hue] == dt.date(2024, 11, 30)
    assert hanoi not in rolled and lam_dong not in rolled  # closing already created theirs
    assert khanh_hoa not in rolled  # extended into 2024: its period has not ended
    assert len(rolled) == III7 - 3 + 2  # III.7 still open in 2023, and both III.1 tasks
    assert run_sweep(engine, calendar, at("2024-01-02 09:00")).rollovers == []
    run = run_digest(engine, calendar, at("2024-01-02 09:00"))
    office = next(d for d in run.digests if d.supervisor_id == "tld_van_phong_dang_doan")
    assert hue in {i.task_id for g in office.directives for b in g.bodies for i in b.items}

    # Tết 2024 (8–14/2 off): Khánh Hòa's extended deadline 31/1 is 5 working days behind on 14/2
    assert calendar.working_days_between(dt.date(2024, 1, 31), dt.date(2024, 2, 14)) == 5
    report = run_sweep(engine, calendar, at("2024-02-14 08:00"))
    mine = [f for f in report.created if f.task_id == khanh_hoa]
    assert [(f.kind, f.level, f.working_days) for f in mine] == [("escalation", 2, 5)]

    # every key once in the ledger, one outbox row per ledger row
    rows = ledger(engine)
    assert len({f.key for f in rows}) == len(rows)
    with unit_of_work(engine, write=False) as session:
        followup_mail = session.scalar(select(sa.func.count()).select_from(Outbox).where(
            Outbox.key.like("followup:%")))
    assert followup_mail == len(rows) and all(f.outbox_id for f in rows)

    # the review summary agrees
    with unit_of_work(engine, write=False) as session:
        summary = summarise_directive(session=session, number="45-KH/ĐĐTLĐ",
                                      at=at("2024-02-14 08:00"), tz=VN, calendar=calendar,
                                      near_due_working_days=3)
    total = summary.total if hasattr(summary, "total") else summary.overall
    counts = total() if callable(total) else total
    assert counts.done_on_time == 1 and counts.done_late == 1
    assert counts.overdue == III7 - 2 + 2  # III.7 of 2023 (Khánh Hòa's included) and III.1
    assert counts.tasks == 83 + 2 + len(rolled)
