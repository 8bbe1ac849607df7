"""The console's tables: accounts, their sessions and login attempts, drafts under review, and
the addresses a coordinator edited (schema in migrations/versions/0007_console.py), and the
scans read in the background (0009_draft_jobs.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from models.tables import _json, _when


class UserAccount(SQLModel, table=True):
    """A person with an account in the console; the password only as its Argon2 hash."""

    __tablename__ = "user_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True)  # lower case
    name: str = Field(max_length=200)
    role: str = Field(max_length=20)  # coordinator | supervisor | viewer
    password_hash: str = Field(max_length=200)
    active: bool = True
    created_at: dt.datetime = _when()
    password_changed_at: dt.datetime = _when()


class UserSession(SQLModel, table=True):
    """A console session: the cookie holds a random id, the table only its SHA-256."""

    __tablename__ = "user_session"

    id_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True)
    csrf_secret: str = Field(max_length=64)  # unmasked per form (web/console/csrf.py)
    created_at: dt.datetime = _when()
    last_seen_at: dt.datetime = _when()
    address: str | None = Field(default=None, max_length=64)


class LoginAttempt(SQLModel, table=True):
    """A login try, kept so failures are throttled across restarts and workers."""

    __tablename__ = "login_attempt"
    __table_args__ = (sa.Index("ix_login_attempt_email", "email", "at"),
                      sa.Index("ix_login_attempt_address", "address", "at"))

    id: int | None = Field(default=None, primary_key=True)
    at: dt.datetime = _when()
    email: str = Field(max_length=254)
    address: str = Field(max_length=64)
    succeeded: bool = False


class DraftReview(SQLModel, table=True):
    """A draft being reviewed in the console ("Giao việc mới"), kept per user until launched."""

    __tablename__ = "draft_review"
    __table_args__ = (sa.Index("ix_draft_review_user", "user_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    source_name: str = Field(max_length=255)
    draft: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    annual_days: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # items past due the coordinator launches without reminders or escalations
    unchased_refs: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    status: str = Field(default="open", max_length=20)  # open | launched | discarded
    directive_number: str | None = Field(default=None, max_length=80)
    created_at: dt.datetime = _when()
    updated_at: dt.datetime = _when()


class ContactEdit(SQLModel, table=True):
    """A body's addresses as a coordinator set them in the console: they win over the contacts
    file, which stays the seed `cascade init` loads."""

    __tablename__ = "contact_edit"

    body_id: str = Field(foreign_key="body.id", primary_key=True, max_length=80)
    addresses: list[str] = _json()
    user_id: int = Field(foreign_key="user_account.id")
    at: dt.datetime = _when()


class DraftJob(SQLModel, table=True):
    """A scan read in the background for "Giao việc mới" (services/draft_jobs.py): the file
    until it is read, the pages read so far, then the draft it gave or why it could not be
    drafted. In the database, so any web worker answers the progress page, and a job whose
    worker died is taken over."""

    __tablename__ = "draft_job"
    __table_args__ = (sa.Index("ix_draft_job_user", "user_id", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user_account.id")
    source_name: str = Field(max_length=255)
    suffix: str = Field(max_length=10)  # .pdf, .png, .jpg: what the content is
    data: bytes | None = Field(default=None, sa_column=Column(sa.LargeBinary, nullable=True))
    status: str = Field(default="reading", max_length=20)  # reading | done | failed
    claim: str = Field(max_length=64)  # who reads it now: a worker's random token
    pages_done: int = 0
    pages_total: int | None = None
    draft_id: int | None = Field(default=None, foreign_key="draft_review.id")
    error: str | None = None
    created_at: dt.datetime = _when()
    updated_at: dt.datetime = _when()  # the last sign of life of the worker reading it


class DirectiveDocument(SQLModel, table=True):
    """The document a directive was drafted from, uploaded on "Giao việc mới": its content in the
    file store under `sha256` (stored once per content, as report files are); kept with the
    draft, then with the directive the draft launched (0012_directive_documents.py)."""

    __tablename__ = "directive_document"

    id: int | None = Field(default=None, primary_key=True)
    sha256: str = Field(max_length=64, index=True)
    name: str = Field(max_length=255)
    size: int
    content_type: str = Field(max_length=120)
    draft_id: int | None = Field(default=None, foreign_key="draft_review.id", index=True)
    directive_id: int | None = Field(default=None, foreign_key="directive.id", index=True)
    uploaded_by: int = Field(foreign_key="user_account.id")
    uploaded_at: dt.datetime = _when()
