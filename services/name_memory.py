"""Remembered decisions on names the registry lacks, per issuer, in the database
(models.review_tables.NameDecision): what one review decided is offered to the next review of
a draft from the same issuer as a suggestion to confirm, never applied by itself. A decision of
another issuer on the same name is offered too, labelled with that issuer (a province's "Sở Tư
pháp" is not another province's); the coordinator edits and withdraws them on «Quyết định đã
nhớ»."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from models.registry import Registry
from models.review_tables import NameDecision

EXTERNAL, DROP = "external", "drop"
UNRESOLVED, EXTERNAL_PREFIX = "unresolved:", "external:"


class MemoryError_(ValueError):
    """A remembered decision cannot be changed as asked; nothing changed."""


def fold(text: str) -> str:
    """A name's key: accent-free, lower case, no article (ingest.names.alias_key)."""
    from ingest.names import alias_key

    return alias_key(text)[:255]


def issuer_of(draft: dict[str, Any], registry: Registry) -> tuple[str, str]:
    """(key, label) of the draft's issuer as drafted: a registry id, or its name folded."""
    review = draft.get("review") or {}
    if review.get("issuer_key"):
        return str(review["issuer_key"]), str(review.get("issuer_label") or review["issuer_key"])
    ref = str((draft.get("directive") or {}).get("issuer") or "")
    return issuer_key(ref, registry)


def issuer_key(ref: str, registry: Registry) -> tuple[str, str]:
    if ref.startswith((UNRESOLVED, EXTERNAL_PREFIX)):
        phrase = ref.split(":", 1)[1]
        return fold(phrase) or "?", phrase[:255]
    if ref and ref in registry:
        return ref, registry.label(ref)[:255]
    return "?", "(chưa rõ cơ quan ban hành)"


def mark_issuer(draft: dict[str, Any], registry: Registry) -> None:
    """Keep the issuer as drafted on the draft, so decisions made on it stay keyed by it even
    when the review settles the issuer's own name."""
    key, label = issuer_of(draft, registry)
    draft["review"] = {**(draft.get("review") or {}), "issuer_key": key, "issuer_label": label}


@dataclass(frozen=True)
class Suggestion:
    decision: str  # a body or group id, "external" or "drop"
    issuer_label: str
    same_issuer: bool


def suggestions(session: Session, issuer: str, phrases: list[str]) -> dict[str, Suggestion]:
    """phrase folded -> the remembered decision to offer: this issuer's, else the most recent
    of another issuer."""
    keys = {fold(p) for p in phrases}
    if not keys:
        return {}
    rows = session.exec(select(NameDecision).where(col(NameDecision.phrase_key).in_(keys))
                        .order_by(col(NameDecision.updated_at).desc())).all()
    out: dict[str, Suggestion] = {}
    for row in rows:
        mine = row.issuer_key == issuer
        known = out.get(row.phrase_key)
        if known is None or (mine and not known.same_issuer):
            out[row.phrase_key] = Suggestion(row.decision, row.issuer_label, mine)
    return out


def remember(session: Session, *, issuer: tuple[str, str], phrase: str, decision: str,
             user_id: int | None, at: dt.datetime) -> None:
    """Keep (or replace) the issuer's decision on `phrase`."""
    key = fold(phrase)
    row = session.exec(select(NameDecision).where(NameDecision.issuer_key == issuer[0],
                                                  NameDecision.phrase_key == key)).first()
    if row is None:
        row = NameDecision(issuer_key=issuer[0], issuer_label=issuer[1], phrase_key=key,
                           phrase=phrase[:255], decision=decision, decided_by=user_id,
                           updated_at=at)
    else:
        row.phrase, row.decision, row.decided_by, row.updated_at = \
            phrase[:255], decision, user_id, at
    session.add(row)


def listing(session: Session) -> list[NameDecision]:
    return list(session.exec(select(NameDecision).order_by(
        col(NameDecision.issuer_label), col(NameDecision.phrase_key))).all())


def change(session: Session, decision_id: int, decision: str, *, registry: Registry,
           user_id: int | None, at: dt.datetime) -> NameDecision:
    row = session.get(NameDecision, decision_id)
    if row is None:
        raise MemoryError_(f"không có quyết định #{decision_id}")
    check(decision, registry)
    row.decision, row.decided_by, row.updated_at = decision, user_id, at
    session.add(row)
    return row


def withdraw(session: Session, decision_id: int) -> NameDecision:
    row = session.get(NameDecision, decision_id)
    if row is None:
        raise MemoryError_(f"không có quyết định #{decision_id}")
    session.delete(row)
    return row


def unusable(target: str, registry: Registry) -> str | None:
    """Why a registry id cannot be a name's answer (None: it can): not in the registry, or a
    set of bodies left unspecified."""
    if target not in registry:
        return f"«{target}» không phải đơn vị, nhóm trong sổ đăng ký"
    group = registry.groups.get(target)
    if group is not None and group.placeholder:
        return f"«{registry.label(target)}» là tập hợp chưa xác định: chọn đơn vị cụ thể"
    return None


def check(decision: str, registry: Registry) -> None:
    if decision in (EXTERNAL, DROP):
        return
    if reason := unusable(decision, registry):
        raise MemoryError_(reason)
