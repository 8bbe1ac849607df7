"""The transition table: every (action, role, status) pair, allowed or refused, and colours."""

import datetime as dt
import itertools

import pytest

from models.calendar import WorkingCalendar
from models.status import (
    ACTIONS,
    Colour,
    Role,
    TaskStatus,
    allowed_actions,
    colour,
    find_transition,
)

S = TaskStatus
L, C = Role.LEAD, Role.COOPERATING
WORKING = {S.ASSIGNED, S.ACKNOWLEDGED, S.IN_PROGRESS, S.RETURNED}
OPEN = set(S) - {S.DONE, S.CANCELLED}

# The specification, written out independently of models/status.py:
# (action, role) -> {from status: to status}
SPEC = {
    ("acknowledge", L): {S.ASSIGNED: S.ACKNOWLEDGED},
    ("acknowledge", C): {S.ASSIGNED: S.ACKNOWLEDGED},
    ("start", L): {s: S.IN_PROGRESS for s in (S.ASSIGNED, S.ACKNOWLEDGED, S.RETURNED)},
    ("start", C): {s: S.IN_PROGRESS for s in (S.ASSIGNED, S.ACKNOWLEDGED, S.RETURNED)},
    ("report", L): {s: S.REPORTED for s in WORKING},
    ("report", C): {s: S.DONE for s in WORKING},
    ("return", L): {S.REPORTED: S.RETURNED},
    ("return", C): {},
    ("accept", L): {S.REPORTED: S.DONE},
    ("accept", C): {},
    ("close", L): {s: S.DONE for s in WORKING | {S.REPORTED}},
    ("close", C): {},
    ("request-extension", L): {s: S.EXTENSION_REQUESTED for s in WORKING},
    ("request-extension", C): {s: S.EXTENSION_REQUESTED for s in WORKING},
    ("grant-extension", L): {S.EXTENSION_REQUESTED: S.IN_PROGRESS},
    ("grant-extension", C): {S.EXTENSION_REQUESTED: S.IN_PROGRESS},
    ("refuse-extension", L): {S.EXTENSION_REQUESTED: S.IN_PROGRESS},
    ("refuse-extension", C): {S.EXTENSION_REQUESTED: S.IN_PROGRESS},
    ("extend", L): {s: s for s in WORKING},
    ("extend", C): {s: s for s in WORKING},
    ("cancel", L): {s: S.CANCELLED for s in OPEN},
    ("cancel", C): {s: S.CANCELLED for s in OPEN},
}

ALL = list(itertools.product(ACTIONS, Role, TaskStatus))


def test_the_spec_covers_every_action():
    """The test's specification names every action the product offers."""
    assert {a for a, _ in SPEC} == set(ACTIONS)
    assert len(ACTIONS) == 11


@pytest.mark.parametrize("action, role, status", ALL)
def test_every_pair_is_allowed_or_refused_as_specified(action, role, status):
    """Each (action, role, status) is allowed with the specified target, or refused."""
    row = find_transition(action, role, status)
    expected = SPEC[(action, role)].get(status)
    if expected is None:
        assert row is None
    else:
        assert row is not None and row.target == expected


def test_terminal_statuses_allow_nothing():
    """A done or cancelled task accepts no action."""
    for role in Role:
        assert allowed_actions(role, S.DONE) == []
        assert allowed_actions(role, S.CANCELLED) == []


def test_only_the_coordinator_returns_grants_refuses_and_cancels():
    """Return, accept, grant, refuse and cancel are the coordinator's; the body cannot take them."""
    from models.status import Actor

    body_actions = set(allowed_actions(L, S.EXTENSION_REQUESTED, Actor.BODY))
    body_actions |= set(allowed_actions(L, S.REPORTED, Actor.BODY))
    body_actions |= set(allowed_actions(L, S.IN_PROGRESS, Actor.BODY))
    assert not body_actions & {"return", "accept", "grant-extension", "refuse-extension", "cancel",
                               "extend"}
    assert "grant-extension" in allowed_actions(L, S.EXTENSION_REQUESTED, Actor.COORDINATOR)


CAL = WorkingCalendar()
D = dt.date


@pytest.mark.parametrize("status, due, today, closed, expected", [
    (S.ASSIGNED, D(2025, 11, 30), D(2025, 11, 1), None, Colour.IN_TERM),
    (S.ASSIGNED, D(2025, 11, 28), D(2025, 11, 25), None, Colour.NEAR_DUE),  # 3 working days
    (S.ASSIGNED, D(2025, 11, 28), D(2025, 11, 24), None, Colour.IN_TERM),  # 4 working days
    (S.IN_PROGRESS, D(2025, 11, 30), D(2025, 11, 30), None, Colour.NEAR_DUE),  # the day itself
    (S.IN_PROGRESS, D(2025, 11, 30), D(2025, 12, 1), None, Colour.OVERDUE),
    (S.REPORTED, None, D(2030, 1, 1), None, Colour.NO_DEADLINE),
    (S.DONE, D(2025, 11, 30), D(2026, 1, 1), D(2025, 11, 30), Colour.DONE_ON_TIME),
    (S.DONE, D(2025, 11, 30), D(2026, 1, 1), D(2025, 12, 1), Colour.DONE_LATE),
    (S.CANCELLED, D(2025, 11, 30), D(2026, 1, 1), D(2025, 12, 1), Colour.CANCELLED),
])
def test_colours(status, due, today, closed, expected):
    """In term, near due (≤ 3 working days), overdue from the day after, done on time or late."""
    assert colour(status=status, due_on=due, today=today, calendar=CAL, near_due_working_days=3,
                  closed_on=closed) == expected


def test_near_due_counts_working_days_across_tet():
    """Before Tết 2025, a deadline 7 calendar days ahead is only 3 working days away."""
    # From Friday 24/1/2025 the next working days are 3/2 and 4/2 (Tết in between).
    assert colour(status=S.ASSIGNED, due_on=D(2025, 2, 4), today=D(2025, 1, 24), calendar=CAL,
                  near_due_working_days=3) == Colour.NEAR_DUE
    assert colour(status=S.ASSIGNED, due_on=D(2024, 11, 4), today=D(2024, 10, 25), calendar=CAL,
                  near_due_working_days=3) == Colour.IN_TERM
