"""config/evaluation.yaml: the shipped scheme loads; mistakes are told with file, line, field."""

from __future__ import annotations

import pytest

from models.scheme import SchemeError, load_scheme, parse_scheme
from reports.evaluation import BodyEvaluation, outcome, rank, score
from tests.conftest import ROOT

GOOD = """\
points: {done_on_time: 100, done_late: 60, open_overdue: 0, open_in_term: null}
deductions: {returned: 10, extension: 5}
grades:
  - {name: Hoàn thành xuất sắc, min: 90}
  - {name: Hoàn thành tốt, min: 75}
  - {name: Hoàn thành, min: 50}
  - {name: Không hoàn thành, min: 0}
"""


def test_the_shipped_scheme_loads():
    """The file the office edits is valid and grades as documented."""
    scheme = load_scheme(ROOT / "config" / "evaluation.yaml")
    assert [scheme.grade(s) for s in (100, 90, 89.99, 75, 50, 49, 0)] == [
        "Hoàn thành xuất sắc", "Hoàn thành xuất sắc", "Hoàn thành tốt", "Hoàn thành tốt",
        "Hoàn thành", "Không hoàn thành", "Không hoàn thành"]
    assert scheme == parse_scheme(GOOD, file=str(ROOT / "config" / "evaluation.yaml"))


@pytest.mark.parametrize("old, new, expected", [
    ("done_late: 60", "done_late: sáu mươi", "e.yaml:1: points.done_late: cần một số"),
    ("done_late: 60, ", "", "e.yaml:1: points.done_late: thiếu trường bắt buộc"),
    ("returned: 10", "returned: -10", "e.yaml:2: deductions.returned: phải không âm"),
    ("min: 75", "min: 95", "e.yaml:3: grades: xếp các loại từ cao xuống thấp"),
    ("min: 0}", "min: 10}", "e.yaml:3: grades: loại cuối cùng (Không hoàn thành) phải có min: 0"),
    ("grades:", "grade:", "e.yaml:3: grade: trường không được phép (gõ nhầm tên trường?)"),
    ("{name: Hoàn thành, min: 50}", "{name: Hoàn thành tốt, min: 50}", "grades: hai loại trùng tên"),
    ("deductions: {", "deductions: {", None),
])
def test_mistakes_are_told_with_file_line_and_field(old, new, expected):
    """A word for a number, a missing or unknown field, negative deductions, grades out of
    order, a last grade above 0, two grades with one name."""
    text = GOOD.replace(old, new, 1)
    if expected is None:
        parse_scheme(text)
        return
    with pytest.raises(SchemeError) as info:
        parse_scheme(text, file="e.yaml")
    assert any(expected in str(p) for p in info.value.problems), info.value.problems


def test_a_broken_file_is_refused_by_the_cli(tmp_path, make_app):
    """`cascade evaluate` with a YAML error in the scheme exits 1 naming the file and line."""
    from tests.conftest import cli_runner

    bad = tmp_path / "evaluation.yaml"
    bad.write_text("points: [\n", encoding="utf-8")
    run = cli_runner(make_app(CASCADE_EVALUATION=str(bad)), tmp_path)
    error = run("evaluate", code=1).stderr
    assert "cách xếp loại không hợp lệ" in error and f"{bad}:" in error


@pytest.mark.parametrize("status, due, closed, reported, expected", [
    ("done", "2023-11-30", "2023-11-30", None, "done_on_time"),
    ("done", "2023-11-30", "2023-12-01", None, "done_late"),
    ("done", "2023-11-30", "2024-01-02", None, "open_overdue"),  # closed after the period
    ("in_progress", "2023-12-31", None, None, "open_in_term"),  # due on the last day
    ("in_progress", "2023-12-30", None, None, "open_overdue"),
    ("in_progress", None, None, None, "open_in_term"),
    ("reported", "2023-11-30", None, "2023-11-30", "open_in_term"),  # the reviewer's delay
    ("reported", "2023-11-30", None, "2023-12-01", "open_overdue"),
])
def test_outcome_at_the_end_of_the_period(status, due, closed, reported, expected):
    """The four-way split read at 31/12/2023."""
    import datetime as dt

    day = lambda s: dt.date.fromisoformat(s) if s else None  # noqa: E731
    assert outcome(status=status, due_on=day(due), closed_on=day(closed), end=dt.date(2023, 12, 31),
                   reported_on=day(reported)) == expected


def test_ties_share_a_rank_and_ungraded_bodies_have_none():
    """Scores 90, 80, 80, 70 rank 1, 2, 2, 4; a body with nothing counted is not ranked."""
    scheme = parse_scheme(GOOD)
    rows = []
    for name, on_time, late in (("A", 9, 1), ("B", 8, 2), ("C", 8, 2), ("D", 7, 3), ("E", 0, 0)):
        row = BodyEvaluation(name.lower(), name, "department", done_on_time=on_time, done_late=late,
                             open_in_term=1 if name == "E" else 0)
        score(row, scheme)
        rows.append(row)
    ranked = rank(rows)
    assert [(r.body_name, r.score, r.rank) for r in ranked] == [
        ("A", 96.0, 1), ("B", 92.0, 2), ("C", 92.0, 2), ("D", 88.0, 4), ("E", None, None)]
