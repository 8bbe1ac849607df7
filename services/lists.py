"""The console's lists searched and paged: directives (number, kind, title, issuer) and bodies
(name, id), matched with models.search (tone marks, case and Unicode form aside)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from models.search import matches, phrase

T = TypeVar("T")
DIRECTIVES_PER_PAGE = 20


@dataclass(frozen=True)
class Paged(Generic[T]):
    rows: list[T]
    total: int  # rows matching the search
    page: int
    pages: int


def search(rows: Sequence[T], q: str | None, texts: Callable[[T], Sequence[str | None]]) -> list[T]:
    """The rows one of whose texts holds `q` (all of them when `q` is empty)."""
    wanted = phrase(q)
    return [r for r in rows if matches(wanted, *texts(r))] if wanted else list(rows)


def paged(rows: Sequence[T], page: int, size: int) -> Paged[T]:
    pages = max(1, -(-len(rows) // size))
    page = min(max(1, page), pages)
    return Paged(list(rows[(page - 1) * size:page * size]), len(rows), page, pages)


def page_number(text: str | None) -> int:
    return int(text) if text and text.isdigit() and len(text) < 7 else 1
