"""The outbox as `cascade outbox` (and the console) show it, on the light read path (Core)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from models import reading as t


@dataclass(frozen=True)
class OutboxView:
    id: int
    kind: str
    task_id: int | None
    body_id: str | None
    body_name: str | None
    addresses: list[str]
    status: str
    attempts: int
    next_attempt_at: dt.datetime | None
    last_error: str | None
    message_id: str | None
    sent_at: dt.datetime | None

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "task_id": self.task_id, "body": self.body_id,
                "body_name": self.body_name, "addresses": self.addresses, "status": self.status,
                "attempts": self.attempts,
                "next_attempt_at": self.next_attempt_at.isoformat() if self.next_attempt_at else None,
                "last_error": self.last_error, "message_id": self.message_id,
                "sent_at": self.sent_at.isoformat() if self.sent_at else None}


def list_outbox(*, session: Any, failed_only: bool = False,
                limit: int | None = None) -> list[OutboxView]:
    """The outbox, newest first (only failed rows with `failed_only`), recipients resolved.
    `session`: a Connection or a Session."""
    o, b = t.outbox, t.body
    query = (sa.select(o, b.c.name.label("body_name"))
             .select_from(o.outerjoin(b, b.c.id == o.c.body_id)))
    if failed_only:
        query = query.where(o.c.status == "failed")
    query = query.order_by(o.c.id.desc())
    if limit:
        query = query.limit(limit)
    rows = session.execute(query).all()
    bodies = {r.body_id for r in rows if r.body_id}
    contacts: dict[str, list[str]] = {}
    if bodies:
        c = t.body_contact
        for body_id, address in session.execute(
                sa.select(c.c.body_id, c.c.address).where(c.c.body_id.in_(bodies))
                .order_by(c.c.body_id, c.c.position)).all():
            contacts.setdefault(body_id, []).append(address)
    return [OutboxView(r.id, r.kind, r.task_id, r.body_id, r.body_name,
                       list(r.to_addresses or contacts.get(r.body_id or "", [])), r.status,
                       r.attempts, r.next_attempt_at if r.status == "pending" else None,
                       r.last_error, r.message_id, r.sent_at)
            for r in rows]


def outbox_counts(*, session: Any) -> dict[str, int]:
    o = t.outbox
    return {status: int(n) for status, n in
            session.execute(sa.select(o.c.status, sa.func.count()).group_by(o.c.status)).all()}
