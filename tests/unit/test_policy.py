"""The escalation policy: what is owed on a given day, keyed so it is recorded once."""

import datetime as dt
from pathlib import Path

import pytest

from models.calendar import WorkingCalendar
from models.policy import Level, Policy, PolicyError, follow_up_due, load_policy

ROOT = Path(__file__).resolve().parents[2]
CAL = WorkingCalendar()
D = dt.date
POLICY = load_policy(ROOT / "config" / "escalation.yaml")


DUE = D(2025, 11, 28)  # a Friday


def owed(today, due=DUE, status="in_progress", policy=POLICY):
    return follow_up_due(status=status, due_on=due, today=today, calendar=CAL, policy=policy)


def test_default_policy_matches_the_office_practice():
    """Reminders 7, 3, 1 working days before; levels at 1, 5, 15 working days late."""
    assert POLICY.reminders_before == (7, 3, 1)
    assert [(lv.number, lv.after, lv.to) for lv in POLICY.levels] == [
        (1, 1, "body"), (2, 5, "follow_up_office"), (3, 15, "tld_dct")]


@pytest.mark.parametrize("today, expected", [
    (D(2025, 11, 14), None),  # 10 working days before Friday 28/11
    (D(2025, 11, 19), ("reminder", 7)),  # 7 working days before
    (D(2025, 11, 21), ("reminder", 7)),  # 5 left: the 7-day reminder is still the one owed
    (D(2025, 11, 25), ("reminder", 3)),
    (D(2025, 11, 27), ("reminder", 1)),
    (D(2025, 11, 28), ("reminder", 1)),  # the day itself
    (D(2025, 11, 29), None),  # Saturday: 0 working days late
    (D(2025, 12, 1), ("escalation", 1)),  # Monday: 1 working day late
    (D(2025, 12, 5), ("escalation", 2)),  # 5 working days late
    (D(2025, 12, 19), ("escalation", 3)),  # 15 working days late
])
def test_what_is_owed_day_by_day(today, expected):
    """Before the deadline the nearest reminder, after it the highest level reached."""
    result = owed(today)
    assert (result.kind, result.level) == expected if expected else result is None


def test_repeats_until_the_next_level():
    """Level 1 repeats every 5 working days but stops where level 2 starts."""
    policy = Policy((), (Level(1, 1, "body", 2), Level(2, 6, "follow_up_office")))
    due = D(2025, 11, 28)
    occurrences = [owed(D(2025, 12, d), due, policy=policy) for d in (1, 2, 3, 4, 5)]
    assert [(o.level, o.occurrence) for o in occurrences] == [(1, 1), (1, 1), (1, 2), (1, 2), (1, 3)]
    assert (owed(D(2025, 12, 8), due, policy=policy).level) == 2


def test_tet_does_not_count_as_late():
    """Due Friday 24/1/2025, on Tuesday 4/2 (after Tết) the task is only 2 working days late."""
    result = owed(D(2025, 2, 4), due=D(2025, 1, 24))
    assert result.working_days == 2 and result.level == 1


def test_year_boundary():
    """Due 31/12/2024, on 2/1/2025 the task is 1 working day late (1/1 is a holiday)."""
    result = owed(D(2025, 1, 2), due=D(2024, 12, 31))
    assert (result.kind, result.level, result.working_days) == ("escalation", 1, 1)


def test_finished_or_undated_tasks_owe_nothing():
    """Done, cancelled or continuous tasks are never chased."""
    assert owed(D(2025, 12, 19), status="done") is None
    assert owed(D(2025, 12, 19), status="cancelled") is None
    assert owed(D(2025, 12, 19), due=None) is None


def test_key_changes_with_the_due_date():
    """After an extension, reminders restart: the key includes the due date."""
    a, b = owed(D(2025, 11, 19)), owed(D(2025, 12, 19), due=D(2025, 12, 30))
    assert a.key(7) != b.key(7) and a.key(7).startswith("7:reminder:7:1:2025-11-28")


def test_overrides_replace_reminders_or_levels():
    """A template's policy override replaces what it names and keeps the rest."""
    merged = POLICY.merged({"reminders_before": [2]})
    assert merged.reminders_before == (2,) and merged.levels == POLICY.levels
    merged = POLICY.merged({"levels": [{"after": 3, "to": "tld_van_phong"}]})
    assert merged.levels == (Level(1, 3, "tld_van_phong"),)


def test_malformed_policy_is_refused(tmp_path):
    """A level without `to` is a clear error naming the file."""
    path = tmp_path / "escalation.yaml"
    path.write_text("levels:\n  - {after: 1}\n", encoding="utf-8")
    with pytest.raises(PolicyError, match="escalation.yaml"):
        load_policy(path)
