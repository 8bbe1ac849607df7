"""Bidirectional control characters: invisible marks that make a text read differently on screen
than it is stored (U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates, U+200E/U+200F
marks). Typed text carrying one is refused (web.inputs); a drafted document's text has them
removed (services.drafts)."""

from __future__ import annotations

BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_TABLE = dict.fromkeys(map(ord, BIDI))


def first_bidi(text: str) -> str | None:
    """The first bidirectional control character of `text`, or None."""
    return next((ch for ch in text if ch in BIDI), None)


def strip_bidi(text: str) -> str:
    return text.translate(_TABLE)
