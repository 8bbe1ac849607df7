"""Deadline rules and the working-day calendar."""

import datetime as dt

import pytest

from models.calendar import WorkingCalendar, load_calendar
from models.deadlines import DeadlineRuleError, parse_rule

D = dt.date
CAL = WorkingCalendar()


def first(rule: str, issued: str, launched: str | None = None) -> dt.date | None:
    return parse_rule(rule).first_due(issued_on=D.fromisoformat(issued),
                                      launched_on=D.fromisoformat(launched or issued), calendar=CAL)


@pytest.mark.parametrize("rule, due", [
    ("2024-03-30", D(2024, 3, 30)),
    ("2024-07", D(2024, 7, 31)),
    ("2024-02", D(2024, 2, 29)),
    ("2023-02", D(2023, 2, 28)),
    ("2024-Q2", D(2024, 6, 30)),
    ("2024-Q3", D(2024, 9, 30)),
    ("2024-Q4", D(2024, 12, 31)),
    ("2024-H1", D(2024, 6, 30)),
    ("2024-H2", D(2024, 12, 31)),
    ("2024", D(2024, 12, 31)),
])
def test_fixed_rules_fall_on_the_period_end(rule, due):
    """A date, a month, a quarter, a half-year and a year are due on their last day."""
    assert first(rule, "2023-07-11") == due


def test_annual_first_occurrence_is_this_year_when_the_day_is_still_ahead():
    """annual:11-30 issued 11/7/2023 is first due 30/11/2023."""
    assert first("annual:11-30", "2023-07-11") == D(2023, 11, 30)


def test_annual_first_occurrence_crosses_the_year_boundary():
    """annual:11-30 issued 5/12/2023 is first due 30/11/2024."""
    assert first("annual:11-30", "2023-12-05") == D(2024, 11, 30)


def test_annual_launched_late_starts_from_the_launch_date():
    """A 2023 plan launched in 2026 is first due this year, not in 2023."""
    assert first("annual:11-30", "2023-07-11", "2026-11-21") == D(2026, 11, 30)
    assert first("annual:11-30", "2023-07-11", "2026-12-01") == D(2027, 11, 30)


def test_annual_occurrences_follow_each_other_yearly():
    """Each occurrence of a yearly rule is due one year after the previous one."""
    rule = parse_rule("annual:11-30")
    assert rule.next_due(D(2023, 11, 30)) == D(2024, 11, 30)
    assert rule.next_due(D(2024, 11, 30)) == D(2025, 11, 30)


def test_annual_29_february_falls_on_28_in_common_years():
    """annual:02-29 is due 28/2 in a common year and 29/2 in a leap year."""
    rule = parse_rule("annual:02-29")
    assert first("annual:02-29", "2023-01-10") == D(2023, 2, 28)
    assert rule.next_due(D(2023, 2, 28)) == D(2024, 2, 29)


@pytest.mark.parametrize("rule, previous, following", [
    ("quarterly", D(2024, 12, 31), D(2025, 3, 31)),
    ("semiannual", D(2024, 6, 30), D(2024, 12, 31)),
    ("semiannual", D(2024, 12, 31), D(2025, 6, 30)),
    ("monthly", D(2024, 1, 31), D(2024, 2, 29)),
    ("monthly", D(2024, 12, 31), D(2025, 1, 31)),
    ("weekly:fri", D(2024, 12, 27), D(2025, 1, 3)),
])
def test_periodic_rules_roll_over_year_boundaries(rule, previous, following):
    """Quarterly, half-yearly, monthly and weekly occurrences continue into the next year."""
    assert parse_rule(rule).next_due(previous) == following


def test_periodic_first_occurrence_is_the_current_period_end():
    """quarterly issued 15/8/2024 is first due 30/9/2024; weekly:fri issued Monday is due Friday."""
    assert first("quarterly", "2024-08-15") == D(2024, 9, 30)
    assert first("semiannual", "2024-08-15") == D(2024, 12, 31)
    assert first("weekly:fri", "2024-12-23") == D(2024, 12, 27)


def test_continuous_and_dayless_annual_have_no_due_date():
    """'thường xuyên' and 'Hằng năm' with no day have no due date until one is set."""
    assert first("continuous", "2023-07-11") is None
    rule = parse_rule("annual")
    assert rule.needs_day and first("annual", "2023-07-11") is None
    completed = rule.with_day("12-15")
    assert completed.text == "annual:12-15"
    assert completed.first_due(issued_on=D(2023, 7, 11), launched_on=D(2023, 7, 11),
                               calendar=CAL) == D(2023, 12, 15)


def test_fixed_rules_do_not_recur():
    """A dated deadline has no next occurrence."""
    assert parse_rule("2024-03-30").next_due(D(2024, 3, 30)) is None
    assert parse_rule("continuous").next_due(D(2024, 3, 30)) is None


def test_relative_calendar_days():
    """relative:issued+30d is 30 calendar days after the issue date."""
    assert first("relative:issued+30d", "2024-01-15") == D(2024, 2, 14)


def test_relative_working_days_skip_tet():
    """10 working days from Friday 24/1/2025 skip the weekend and Tết (27/1 to 31/1/2025)."""
    # 24/1 Fri -> working days: 3/2 .. 14/2 (Mon-Fri, two weeks) => the 10th is 14/2
    assert first("relative:issued+10wd", "2025-01-24") == D(2025, 2, 14)


def test_relative_from_the_launch_date():
    """relative:launched+5d counts from the launch date."""
    assert first("relative:launched+5d", "2024-01-01", "2024-03-01") == D(2024, 3, 6)


def test_working_days_cross_the_year_and_new_year_holiday():
    """The working day after 31/12/2024 is 2/1/2025 (1/1 is a holiday)."""
    assert CAL.add_working_days(D(2024, 12, 31), 1) == D(2025, 1, 2)
    assert CAL.working_days_between(D(2024, 12, 30), D(2025, 1, 3)) == 3


def test_tet_is_not_working_and_make_up_saturday_is():
    """Tết days are off; the swapped Saturday 4/5/2024 is a working day."""
    assert not CAL.is_working_day(D(2025, 1, 29))  # Mùng 1 Tết Ất Tỵ
    assert not CAL.is_working_day(D(2024, 2, 14))  # Mùng 5 Tết Giáp Thìn
    assert CAL.is_working_day(D(2024, 5, 4))
    assert not CAL.is_working_day(D(2024, 5, 11))  # an ordinary Saturday


def test_calendar_file_adds_decided_swaps(tmp_path):
    """config/calendar.yaml adds days off and working weekend days that holidays lacks."""
    path = tmp_path / "calendar.yaml"
    path.write_text("days_off:\n  - {date: 2030-05-02, decision: QĐ x}\n"
                    "working_days:\n  - 2030-04-27\n", encoding="utf-8")
    cal = load_calendar(path)
    assert not cal.is_working_day(D(2030, 5, 2))
    assert cal.is_working_day(D(2030, 4, 27))  # a Saturday


@pytest.mark.parametrize("text, fragment", [
    ("2023-02-31", "không tồn tại"),
    ("annual:02-30", "30/02 không tồn tại"),
    ("annual:13-01", "tháng 13"),
    ("2024-13", "tháng 13"),
    ("2024-Q5", "không hiểu"),
    ("weekly:funday", "thứ trong tuần"),
    ("relative:issued+3x", "không hiểu"),
    ("hằng năm", "không hiểu"),
])
def test_impossible_or_unknown_rules_are_refused(text, fragment):
    """An impossible date or an unknown rule gets a message naming the problem."""
    with pytest.raises(DeadlineRuleError, match=fragment):
        parse_rule(text)


def test_rules_describe_themselves_in_vietnamese():
    """Rules read as Vietnamese deadline phrases."""
    assert parse_rule("annual:11-30").describe() == "hằng năm, trước ngày 30/11"
    assert parse_rule("2024-Q2").describe() == "trong quý II năm 2024"
    assert parse_rule("2024-07").describe() == "trong tháng 7/2024"
    assert parse_rule("relative:issued+10wd").describe() == "10 ngày làm việc sau ngày ban hành"
