"""Canonical tokens of body names: the same key for every way a name is written.

"Ban Tuyên giáo Tổng LĐLĐ Việt Nam", "Ban Tuyen giao Tong Lien doan" and "Ban Tuyên giáo TLĐ"
all become ("ban", "tuyen", "giao", "TLD"): accents dropped, abbreviations and long forms
rewritten to one token, plural articles left out. Each token keeps its offsets in the text
and the word as written (lower case, accents kept) for the word lists of ingest/lexicon.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.normalise import tone_marks
from ingest.text import ascii_key

_TOKEN = re.compile(r"[^\W_]+|[,;:()&+/-]")

_REWRITE_PAIRS = (
    ("tong lien doan lao dong viet nam", "TLD"), ("tong lien doan lao dong vn", "TLD"),
    ("tong lien doan lao dong", "TLD"), ("tong lien doan", "TLD"), ("tong ldld viet nam", "TLD"),
    ("tong ldld vn", "TLD"), ("tong ldldvn", "TLD"), ("tong ldld", "TLD"), ("tldld", "TLD"),
    ("tld", "TLD"), ("lien doan lao dong", "ldld"), ("ldld tinh", "ldld"),
    ("ldld thanh pho", "ldld"), ("ldld tp", "ldld"), ("trung uong", "tw"), ("viet nam", "vn"),
    ("uy ban kiem tra", "ubkt"), ("uy ban nhan dan", "ubnd"), ("cong doan", "cd"),
    ("tong cong ty", "tcty"), ("tong cty", "tcty"), ("cong ty", "cty"), ("thanh pho", "tp"),
    ("hoi dong nhan dan", "hdnd"), ("cac", ""), ("nhung", ""), ("-", ""),
)
_REWRITES = tuple(sorted(((tuple(a.split()), b) for a, b in _REWRITE_PAIRS),
                         key=lambda pair: -len(pair[0])))
_MAX_REWRITE = max(len(src) for src, _ in _REWRITES)
_REWRITE_MAP = dict(_REWRITES)


@dataclass(frozen=True)
class Token:
    text: str  # canonical, accent-free
    start: int
    end: int
    word: str = ""  # as written, lower case (for word lists, where accents matter)
    capital: bool = False  # written with a capital letter


def canonical_tokens(text: str) -> list[Token]:
    """Tokens of `text` (accent-free, canonical) with their offsets in `text`."""
    key = ascii_key(text)
    toned = tone_marks(text)
    if len(toned) != len(text):
        toned = text
    tokens = [Token(m.group(), m.start(), m.end(), toned[m.start():m.end()].lower(),
                    text[m.start()].isupper()) for m in _TOKEN.finditer(key)]
    for _ in range(3):
        rewritten = _rewrite_pass(tokens)
        if len(rewritten) == len(tokens):
            return rewritten
        tokens = rewritten
    return tokens


def _rewrite_pass(raw: list[Token]) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(raw):
        for size in range(min(_MAX_REWRITE, len(raw) - i), 0, -1):
            run = tuple(t.text for t in raw[i:i + size])
            if run in _REWRITE_MAP:
                dst = _REWRITE_MAP[run]
                if dst:
                    out.append(Token(dst, raw[i].start, raw[i + size - 1].end, dst.lower(),
                                     raw[i].capital))
                i += size
                break
        else:
            out.append(raw[i])
            i += 1
    return out


def name_key(text: str) -> tuple[str, ...]:
    return tuple(t.text for t in canonical_tokens(text))


def alias_key(text: str) -> str:
    """The key of a phrase in the alias file: accent-free, lower case, one space, no article."""
    return " ".join(t for t in name_key(text) if t not in (",", ";", ":", "(", ")")).lower()
