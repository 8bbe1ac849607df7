"""The escalation policy and what it owes for one task on one day.

`follow_up_due(...)` is a pure decision (procrastinate's retry-decision style): given the due
date, the status, the day and the calendar, it says which reminder or escalation is owed now,
with a key unique per task, kind, level, occurrence and due date. The sweep records each key
once; missed sweeps coalesce into the newest item owed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from models.calendar import WorkingCalendar
from models.status import TERMINAL, TaskStatus
from models.template import PolicyOverride


class PolicyError(ValueError):
    """config/escalation.yaml (or an override) is malformed."""


@dataclass(frozen=True)
class Level:
    number: int  # 1-based position in the policy
    after: int  # working days late
    to: str  # "body", "follow_up_office" or a body id
    repeat_every: int | None = None


@dataclass(frozen=True)
class Policy:
    reminders_before: tuple[int, ...]
    levels: tuple[Level, ...]

    def merged(self, override: dict[str, Any] | PolicyOverride | None) -> Policy:
        """This policy with a template's or an assignment's overrides applied."""
        if override is None:
            return self
        spec = override if isinstance(override, PolicyOverride) else PolicyOverride(**override)
        reminders = self.reminders_before if spec.reminders_before is None else tuple(
            sorted(set(spec.reminders_before), reverse=True))
        levels = self.levels if spec.levels is None else _levels(
            [lv.model_dump() for lv in spec.levels])
        return Policy(reminders, levels)


def _levels(raw: list[dict[str, Any]]) -> tuple[Level, ...]:
    ordered = sorted(raw, key=lambda lv: lv["after"])
    return tuple(Level(i + 1, lv["after"], lv["to"], lv.get("repeat_every"))
                 for i, lv in enumerate(ordered))


def load_policy(path: Path) -> Policy:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        spec = PolicyOverride(**data)
    except OSError as exc:
        raise PolicyError(f"{path}: không đọc được ({exc.strerror})") from None
    except (yaml.YAMLError, ValidationError, TypeError) as exc:
        raise PolicyError(f"{path}: chính sách đôn đốc không hợp lệ: {exc}") from None
    return Policy(tuple(sorted(set(spec.reminders_before or ()), reverse=True)),
                  _levels([lv.model_dump() for lv in spec.levels or []]))


@dataclass(frozen=True)
class FollowUpDue:
    """A reminder (before the deadline) or an escalation level (after it), owed now."""

    kind: str  # "reminder" or "escalation"
    level: int  # reminders: working days before; escalations: the level number
    occurrence: int  # 1 for the first time, 2 for the first repeat, ...
    to: str  # "body", "follow_up_office" or a body id
    working_days: int  # left before the deadline (reminder) or late (escalation)
    due_on: dt.date

    def key(self, task_id: int) -> str:
        return f"{task_id}:{self.kind}:{self.level}:{self.occurrence}:{self.due_on.isoformat()}"


def follow_up_due(*, status: TaskStatus | str, due_on: dt.date | None, today: dt.date,
                  calendar: WorkingCalendar, policy: Policy) -> FollowUpDue | None:
    """The newest reminder or escalation the policy owes for a task on `today`, if any. None
    for a reported task: the body has answered, the coordinator's review is what waits (the
    inbox shows it), so nothing chases the body."""
    if due_on is None or TaskStatus(status) in TERMINAL or status == TaskStatus.REPORTED:
        return None
    if today <= due_on:
        left = calendar.working_days_between(today, due_on)
        owed = [d for d in policy.reminders_before if d >= left]
        if not owed:
            return None
        return FollowUpDue("reminder", min(owed), 1, "body", left, due_on)
    late = calendar.working_days_between(due_on, today)
    reached = [lv for lv in policy.levels if lv.after <= late]
    if not reached:
        return None
    level = reached[-1]
    following = next((lv for lv in policy.levels if lv.after > level.after), None)
    occurrence = 1
    if level.repeat_every:
        limit = (following.after if following else None)
        occurrence = (late - level.after) // level.repeat_every + 1
        if limit is not None:
            last = (limit - 1 - level.after) // level.repeat_every + 1
            occurrence = min(occurrence, last)
    return FollowUpDue("escalation", level.number, occurrence, level.to, late, due_on)
