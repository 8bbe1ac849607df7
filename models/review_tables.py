"""What reviews decided about names the registry lacks, remembered per issuer: a province's
"Sở Tư pháp" is that province's. The console shows a remembered decision as a suggestion to
confirm on the next draft from the same issuer (services.name_memory), never applies it by
itself, and lists them on «Quyết định đã nhớ» to edit or withdraw."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlmodel import JSON, Column, Field, SQLModel

from models.tables import _when


class NameDecision(SQLModel, table=True):
    __tablename__ = "name_decision"
    __table_args__ = (sa.UniqueConstraint("issuer_key", "phrase_key", name="uq_name_decision"),)

    id: int | None = Field(default=None, primary_key=True)
    # the draft's issuer as drafted: a registry id, or its name folded (alias_key)
    issuer_key: str = Field(max_length=255)
    issuer_label: str = Field(max_length=255)  # how the issuer reads, for the list
    phrase_key: str = Field(max_length=255)  # the name folded (ingest.names.alias_key)
    phrase: str = Field(max_length=255)  # the name as written the last time
    decision: str = Field(max_length=120)  # a body or group id, "external" or "drop"
    decided_by: int | None = Field(default=None, foreign_key="user_account.id")
    updated_at: dt.datetime = _when()


class KeptForm(SQLModel, table=True):
    """A review form posted after its session expired, kept until its author logs in again in
    the same browser (a cookie holds a random id, the table only its SHA-256): the review then
    shows what was typed, to check and save (web/console/review.py)."""

    __tablename__ = "kept_form"

    id_hash: str = Field(primary_key=True, max_length=64)
    path: str = Field(max_length=255)
    fields: list[Any] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    created_at: dt.datetime = _when()
