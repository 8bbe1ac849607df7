"""Finding a launched directive by the number a user typed (a repository query).

'45-KH/DDTLD', '45 - KH/ĐĐTLĐ' and '45–kh/đđtlđ' all find 45-KH/ĐĐTLĐ: numbers are matched
without accents, dashes, spaces or case. A number that matches nothing is refused with the
nearest launched numbers as a suggestion.
"""

from __future__ import annotations

import difflib
from typing import Any

import sqlalchemy as sa

from models import reading as t
from models.numbering import normalise_number
from models.vocabulary import plain_key


class NotFound(LookupError):
    """Nothing matches what the user asked for; the message says what exists instead."""


def directive_ids(session: Any, typed: str, issuer: str | None = None) -> list[tuple[int, str, str]]:
    """(id, number, issuer id) of the directives whose number is `typed` (accent-, dash- and
    case-insensitively), of `issuer` when given. Raises NotFound with a suggestion. `session`:
    a Session or a Connection."""
    exact = normalise_number(typed)
    d = t.directive
    rows = session.execute(sa.select(d.c.id, d.c.number, d.c.issuer_id)).all()
    found = [r for r in rows if r.number == exact] or \
        [r for r in rows if plain_key(r.number) == plain_key(typed)]
    if issuer:
        found = [r for r in found if r.issuer_id == issuer]
    if found:
        return [(r.id, r.number, r.issuer_id) for r in found]
    who = f" của {issuer}" if issuer else ""
    raise NotFound(f"chưa khởi chạy văn bản {typed}{who}"
                   + suggestion(typed, [r.number for r in rows]))


def suggestion(typed: str, numbers: list[str]) -> str:
    """'; có phải 45-KH/ĐĐTLĐ?' for the nearest launched numbers, or a pointer to the list."""
    keys = {plain_key(n): n for n in numbers}
    near = difflib.get_close_matches(plain_key(typed), list(keys), n=3, cutoff=0.6)
    if near:
        return f" (có phải {' hoặc '.join(keys[k] for k in near)}?)"
    if numbers:
        return " (xem `cascade status` để biết các văn bản đã khởi chạy)"
    return " (chưa có văn bản nào được khởi chạy)"
