"""`cascade init` as a use case: create or upgrade the schema, then load the registry and the
contacts. Two inits at once are serialised by the database (models/db.upgrade), so both
succeed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from models.contacts import Contacts
from models.db import current_revision, unit_of_work, upgrade
from models.registry import Registry
from services.registry import RegistrySync, sync_contacts, sync_registry


@dataclass(frozen=True)
class InitResult:
    before: str | None  # the schema revision found (None: a new database)
    after: str | None
    sync: RegistrySync
    notices: list[str] = field(default_factory=list)  # about the registry, shown once


def open_groups(registry: Registry) -> list[str]:
    """The groups whose member list the registry marks as possibly incomplete."""
    return [g.id for g in registry.groups.values() if registry.is_open(g.id) and not g.placeholder]


def initialise(*, engine: Engine, registry: Registry, contacts: Contacts,
               at: dt.datetime) -> InitResult:
    from services.launch import open_group_notices

    before = current_revision(engine)
    upgrade(engine)
    with unit_of_work(engine) as session:
        sync = sync_registry(session=session, registry=registry)
        sync_contacts(session=session, contacts=contacts)
        notices = open_group_notices(session, registry, open_groups(registry), at)
    return InitResult(before, current_revision(engine), sync, notices)
