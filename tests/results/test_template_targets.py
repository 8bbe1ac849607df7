"""Targets in a template: validated with file, line and field; launched with the cascade;
combined by their rule."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.db import unit_of_work
from models.tables import AssignmentTarget, Target
from models.targets import combine
from models.template import TemplateError, parse_template
from tests.results.conftest import PLAN


def problems(text, registry):
    with pytest.raises(TemplateError) as info:
        parse_template(text, registry, file="ke-hoach.yaml")
    return [str(p) for p in info.value.problems]


def test_the_plan_with_targets_validates(registry):
    """Two targets, one assignment naming both."""
    spec = parse_template(PLAN, registry)
    assert [(t.id, t.unit, t.value, t.combine) for t in spec.targets] == [
        ("T1", "đoàn viên", 10000.0, "sum"), ("T2", "%", 80.0, "share")]
    assert spec.assignments[0].targets == ["T1", "T2"] and spec.assignments[1].targets == []


@pytest.mark.parametrize("old, new, expected", [
    ("targets: [T1, T2]", "targets: [T1, T3]",
     "ke-hoach.yaml:27: assignments[0].targets[1]: không có chỉ tiêu 'T3' trong targets "
     "(các chỉ tiêu: T1, T2)"),
    ("    combine: share", "    combine: average",
     "ke-hoach.yaml:20: targets[1].combine: chọn một trong sum, mean, min, share"),
    ("    value: 10000", "    value: mười nghìn",
     "ke-hoach.yaml:12: targets[0].value: cần một số (dấu chấm thập phân: 13.5)"),
    ("  - id: T2", "  - id: T1",
     "ke-hoach.yaml:15: targets[1].id: chỉ tiêu 'T1' trùng với targets[0]"),
    ("  - id: T2", "  - id: T 2",
     "ke-hoach.yaml:15: targets[1].id: chỉ gồm chữ không dấu, số, '.', '_', '-' (ví dụ T1)"),
    ("    unit: đoàn viên\n", "",
     "ke-hoach.yaml:9: targets[0].unit: thiếu trường bắt buộc"),
    ("    year: 2023\n    combine: sum", "    year: 23000\n    combine: sum",
     "ke-hoach.yaml:13: targets[0].year: lớn quá"),
])
def test_mistakes_are_told_with_file_line_and_field(registry, old, new, expected):
    """An unknown target in an assignment, an unknown rule, a value that is not a number, a
    duplicate or malformed id, a missing unit, an impossible year."""
    assert old in PLAN
    assert expected in problems(PLAN.replace(old, new, 1), registry)


def test_launch_stores_the_targets_and_who_reports_on_them(plan):
    """The cascade's targets, in order, and the assignment that names them."""
    with unit_of_work(plan, write=False) as session:
        targets = session.exec(select(Target.key, Target.value, Target.year, Target.combine)
                               .order_by(Target.position)).all()
        links = session.exec(select(AssignmentTarget)).all()
    assert targets == [("T1", 10000.0, 2023, "sum"), ("T2", 80.0, 2023, "share")]
    assert len(links) == 2


@pytest.mark.parametrize("rule, values, aimed, expected", [
    ("sum", [1.25, 0.85, 2.4], 4, (4.5, 3, 0, True)),
    ("sum", [0.1, 0.2], 1, (0.3, 2, 0, False)),
    ("mean", [70, 80, 90], 80, (80.0, 3, 2, True)),
    ("min", [70, 80, 90], 75, (70, 3, 2, False)),
    ("share", [70, 80, 90, 60], 80, (50.0, 4, 2, None)),
    ("sum", [], 10, (None, 0, 0, None)),
])
def test_combine_rules(rule, values, aimed, expected):
    """sum, mean, min, share of bodies reaching the value; nothing reported: no figure."""
    result = combine(values, rule=rule, aimed=aimed)
    assert (result.value, result.reporting, result.reaching, result.reached) == expected
