"""Keep the database's registry in step with config/bodies.yaml, and read it back."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlmodel import Session, select

from models import registry as reg
from models.console_tables import ContactEdit
from models.contacts import Contacts
from models.db import lock_registry
from models.tables import Body, BodyContact, BodyGroup


@dataclass(frozen=True)
class RegistrySync:
    added: int
    updated: int
    unchanged: int
    not_in_file: list[str]


def _body_row(body: reg.Body) -> dict:
    return {"name": body.name, "kind": body.kind, "parent_id": body.parent, "status": body.status,
            "aliases": list(body.aliases), "abbreviations": list(body.abbreviations)}


def _group_row(group: reg.Group) -> dict:
    return {"surface_forms": list(group.surface_forms), "members": list(group.members),
            "closed": group.closed, "placeholder": group.placeholder, "notes": group.notes}


def registry_digest(registry: reg.Registry) -> str:
    """A fingerprint of the registry's content: it changes when a body or a group does."""
    content = {"bodies": {k: _body_row(b) for k, b in sorted(registry.bodies.items())},
               "groups": {k: _group_row(g) for k, g in sorted(registry.groups.items())}}
    return hashlib.sha256(json.dumps(content, sort_keys=True, ensure_ascii=False)
                          .encode("utf-8")).hexdigest()


def sync_registry(*, session: Session, registry: reg.Registry) -> RegistrySync:
    """Insert new bodies and groups, update changed ones; never delete (tasks refer to them)."""
    lock_registry(session)
    added = updated = unchanged = 0
    kinds: tuple[tuple[type[Body] | type[BodyGroup], Mapping[str, Any], Callable[[Any], dict]], ...] = (
        (Body, registry.bodies, _body_row), (BodyGroup, registry.groups, _group_row))
    for model, items, to_row in kinds:
        rows = cast("Sequence[Body | BodyGroup]", session.exec(select(model)).all())
        existing = {row.id: row for row in rows}
        for key, item in items.items():
            values = to_row(item)
            row = existing.get(key)
            if row is None:
                session.add(model(id=key, **values))
                added += 1
            elif any(getattr(row, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(row, k, v)
                updated += 1
            else:
                unchanged += 1
    session.flush()
    known = set(registry.bodies) | set(registry.groups)
    in_db = set(session.exec(select(Body.id)).all()) | set(session.exec(select(BodyGroup.id)).all())
    return RegistrySync(added, updated, unchanged, sorted(in_db - known))


def sync_contacts(*, session: Session, contacts: Contacts) -> None:
    """Replace the stored addresses with the contacts file's (recipients resolve at dispatch),
    except those a coordinator set in the console: the file is the seed, the console wins."""
    edited = dict(session.execute(select(ContactEdit.body_id, ContactEdit.addresses)).all())
    session.execute(sa.delete(BodyContact))
    merged = {**{b: list(a) for b, a in contacts.addresses.items()}, **edited}
    rows = [{"body_id": body, "position": i, "address": address}
            for body, addresses in merged.items()
            for i, address in enumerate(addresses)]
    if rows:
        session.execute(sa.insert(BodyContact), rows)
