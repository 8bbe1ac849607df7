"""Template validation: precise errors with file, line and field; shipped templates valid."""

import pytest

from models.template import TemplateError, load_template, parse_template
from tests.conftest import TEMPLATE_45, TEMPLATE_48

GOOD = """\
directive:
  number: 12-KH/TLĐ
  kind: Kế hoạch
  issuer: tld
  issued_on: 2024-03-01
  title: Thử nghiệm
assignments:
  - ref: '1'
    lead: [tld_ban_tuyen_giao]
    task: Tuyên truyền
    deadline: 2024-Q2
"""


def problems(text, registry):
    with pytest.raises(TemplateError) as info:
        parse_template(text, registry, file="t.yaml")
    return info.value.problems


def test_shipped_templates_are_valid(registry):
    """The reviewed 48-KH and 45-KH templates validate against the registry."""
    for path in (TEMPLATE_48, TEMPLATE_45):
        spec = load_template(path, registry)
        assert spec.directive.issuer == "tld_dang_doan"
        assert [a.ref for a in spec.assignments][-1] == "III.8"


def test_a_good_template_parses_with_rule_shorthand(registry):
    """`deadline: 2024-Q2` is shorthand for {rule: 2024-Q2}."""
    spec = parse_template(GOOD, registry)
    assert spec.assignments[0].deadline.rule == "2024-Q2"
    assert spec.assignments[0].deadline.parsed.due.isoformat() == "2024-06-30"


def test_broken_yaml_names_the_line(registry):
    """A YAML syntax error says the file and line."""
    [p] = problems(GOOD.replace("    task: Tuyên truyền", "    task: [Tuyên truyền"), registry)
    assert p.file == "t.yaml" and p.line in (11, 12) and "YAML sai cú pháp" in p.message


def test_unknown_body_id_names_line_field_and_suggests(registry):
    """An unknown body id says where it is and what was probably meant."""
    [p] = problems(GOOD.replace("[tld_ban_tuyen_giao]", "[tld_ban_tuyen_giaoo]"), registry)
    assert (p.line, p.field) == (9, "assignments[0].lead[0]")
    assert "tld_ban_tuyen_giaoo" in p.message and "có phải tld_ban_tuyen_giao," in p.message
    assert str(p).startswith("t.yaml:9: assignments[0].lead[0]: ")


def test_impossible_issue_date(registry):
    """31/02 is refused at its line."""
    [p] = problems(GOOD.replace("2024-03-01", "2023-02-31"), registry)
    assert (p.line, p.field) == (5, "directive.issued_on") and "2023-02-31" in p.message


def test_impossible_deadline_date(registry):
    """A deadline of 31/02/2024 is refused at its line, naming the day."""
    [p] = problems(GOOD.replace("2024-Q2", "2024-02-31"), registry)
    assert p.line == 11 and "31/02" in p.message


def test_every_problem_is_reported_at_once(registry):
    """A missing field, a misspelt key and a bad rule are listed together."""
    text = GOOD.replace("  title: Thử nghiệm\n", "").replace("    task:", "    taks:")
    found = {(p.field, p.line) for p in problems(text.replace("2024-Q2", "someday"), registry)}
    assert ("directive.title", 1) in found or ("directive.title", 2) in found
    assert ("assignments[0].taks", 9) in found
    assert ("assignments[0].task", 7) in found
    assert ("assignments[0].deadline.rule", 10) in found


def test_placeholder_group_must_be_settled(registry):
    """'các ban liên quan' cannot be launched as is: the coordinator names the bodies."""
    text = GOOD.replace("    task:", "    cooperating: [group:cac_ban_lien_quan]\n    task:")
    [p] = problems(text, registry)
    assert p.field == "assignments[0].cooperating[0]" and "chưa xác định" in p.message


def test_report_to_must_be_a_body_not_a_group(registry):
    """report_to names one body."""
    text = GOOD.replace("    task:", "    report_to: group:ldld_tinh_thanh_pho\n    task:")
    [p] = problems(text, registry)
    assert p.field == "assignments[0].report_to" and "là một nhóm" in p.message


def test_duplicate_refs_and_deadline_before_issue(registry):
    """Two items with one ref, and a deadline before the issue date, are refused."""
    text = GOOD + GOOD[GOOD.index("  - ref"):].replace("2024-Q2", "2024-01-15")
    messages = [p.message for p in problems(text, registry)]
    assert any("trùng" in m for m in messages)
    assert any("trước ngày ban hành" in m for m in messages)


def test_not_utf8_is_refused(tmp_path, registry):
    """A file that is not UTF-8 text is refused with its line."""
    path = tmp_path / "x.yaml"
    path.write_bytes(GOOD.encode("utf-8") + b"\n# \xff\xfe\n")
    with pytest.raises(TemplateError, match="UTF-8"):
        load_template(path, registry)
