"""People with an account in the console: roles, and how a user appears in the audit trail.

A console user acts on a task as `user:<id>` (the actor of the task event) on behalf of the
cascade's coordinator, whose rights the transition table checks.
"""

from __future__ import annotations

from enum import StrEnum

USER_PREFIX = "user:"
MIN_PASSWORD_LENGTH = 12


class UserRole(StrEnum):
    COORDINATOR = "coordinator"  # launches, acts on tasks, edits contacts
    SUPERVISOR = "supervisor"  # sees everything, takes the escalation actions
    VIEWER = "viewer"  # reads only

    @property
    def label(self) -> str:
        from models.vocabulary import USER_ROLE

        return USER_ROLE[self.value]


def user_actor(user_id: int) -> str:
    return f"{USER_PREFIX}{user_id}"


def user_id_of(actor: str) -> int | None:
    """The account id of an audit actor `user:<id>`, else None (a body, the system)."""
    if not actor.startswith(USER_PREFIX):
        return None
    rest = actor.removeprefix(USER_PREFIX)
    return int(rest) if rest.isdigit() else None
