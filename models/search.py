"""Search that ignores tone marks, case and Unicode form: "ha noi", "HÀ NỘI" and a decomposed
(NFD) "Hà Nội" all find "Hà Nội". The folded key is computed in Python, so PostgreSQL and
SQLite answer alike without a database extension."""

from __future__ import annotations

import re
import unicodedata


def search_key(text: str | None) -> str:
    """'Ban Tuyên giáo' -> 'ban tuyen giao'; 'LĐLĐ' -> 'ldld'; any Unicode form, any spacing."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text.casefold().replace("đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    plain = re.sub(r"[\u2010-\u2015\u2212]", "-", plain)
    return re.sub(r"\s+", " ", plain).strip()


def phrase(query: str | None) -> str:
    """What a person typed, folded ("" matches everything)."""
    return search_key(query)


def matches(folded: str, *texts: str | None) -> bool:
    """The folded phrase occurs in one of `texts` (folded), as a SQL LIKE '%…%' would."""
    return any(folded in search_key(t) for t in texts if t)
