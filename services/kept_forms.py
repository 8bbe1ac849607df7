"""A form posted after its session expired is kept in the database (models.review_tables.
KeptForm) under a random id that only the browser holds (a cookie), so that after logging in
again its author finds what was typed. Kept for a day; taken once."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

import sqlalchemy as sa
from sqlmodel import Session

from models.review_tables import KeptForm
from models.tables import table_of

KEEP_FOR = dt.timedelta(days=1)
MAX_FIELDS = 2000
MAX_CHARS = 20_000  # a field kept is cut there (a task's text is far shorter)
MAX_KEPT = 500  # forms kept at most, the oldest dropped first (anyone may post one)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def keep(session: Session, *, path: str, fields: list[tuple[str, str]], at: dt.datetime) -> str:
    """Keep the form's fields (the CSRF token left out); the random id for the cookie."""
    raw = secrets.token_urlsafe(32)
    t = table_of(KeptForm)
    session.connection().execute(sa.delete(t).where(t.c.created_at < at - KEEP_FOR))
    newest = sa.select(t.c.id_hash).order_by(t.c.created_at.desc()).limit(MAX_KEPT - 1)
    session.connection().execute(sa.delete(t).where(t.c.id_hash.not_in(newest)))
    fields = [(k, v[:MAX_CHARS]) for k, v in fields[:MAX_FIELDS]]
    session.add(KeptForm(id_hash=_hash(raw), path=path[:255], created_at=at,
                         fields=[[k, v] for k, v in fields[:MAX_FIELDS] if k != "csrf_token"]))
    return raw


def take(session: Session, *, raw: str | None, path: str,
         at: dt.datetime) -> list[tuple[str, str]] | None:
    """The fields kept for `path` under `raw` (removed as they are taken), or None."""
    if not raw or len(raw) > 100:
        return None
    row = session.get(KeptForm, _hash(raw))
    if row is None:
        return None
    session.delete(row)
    if row.path != path or at - row.created_at > KEEP_FOR:
        return None
    return [(str(k), str(v)) for k, v in row.fields]
