"""Where a body's name ends in a sentence: heads, verbs, commas and capitals.

A name starts at a head (ingest/lexicon.py) and runs to the verb; a lower-case syllable near
a capital is part of it ("Vụ Tổ chức cán bộ"), a comma is inside it when what follows
continues it ("Sở Văn hóa, Thể thao và Du lịch", "các sở, ban, ngành", "xã, phường, đặc khu
Cồn Cỏ") and ends it before another body ("Sở Nội vụ, Sở Tư pháp", "…, các cơ quan").
"""

from __future__ import annotations

import re

from ingest.lexicon import CAPITAL_ONLY, COLLECTIVE, HEADS, NAME_WORDS, NOT_AFTER, TITLES, VERBS
from ingest.names import Token

CONNECTORS = frozenset({",", "va", "cung", "&", "/", "+"})
FILLERS = (("tuong", "duong"), ("truc", "thuoc", "TLD"), ("lien", "quan"), ("co", "lien", "quan"))


def phrase_at(tokens: list[Token], i: int, phrases: tuple[tuple[str, ...], ...]) -> int:
    for phrase in phrases:
        if tuple(t.word for t in tokens[i:i + len(phrase)]) == phrase:
            return len(phrase)
    return 0


def head_at(tokens: list[Token], i: int) -> int:
    """Length of the body-name head at token i, 0 when none."""
    size = phrase_at(tokens, i, HEADS)
    if not size:
        return 0
    head = tuple(t.word for t in tokens[i:i + size])
    after = tokens[i + size].word if i + size < len(tokens) else ""
    if after in NOT_AFTER.get(head, ()) and not (
            after == "công" and tokens[i + size].capital):  # "Bộ Công Thương", "Bộ Công an"
        return 0
    if head in CAPITAL_ONLY and not tokens[i].capital:
        return 0
    return size


def verb_at(tokens: list[Token], i: int) -> bool:
    if tokens[i].text in (":", ";", "(", ")", "-"):
        return True
    return bool(phrase_at(tokens, i, VERBS))


def filler_at(tokens: list[Token], i: int) -> int:
    for filler in FILLERS:
        if tuple(t.text for t in tokens[i:i + len(filler)]) == filler:
            return len(filler)
    return 0


def continues(tokens: list[Token], i: int) -> bool:
    """After a name: does the list of names go on (a connector or a filler follows)?"""
    return tokens[i].text in CONNECTORS or bool(filler_at(tokens, i))


_ARTICLE = re.compile(r"(?:các|những|Các|Những|CÁC|NHỮNG)\s+$")


def with_article(text: str, start: int) -> int:
    """Move `start` back over a plural article ('các ban liên quan' is written with 'các')."""
    m = _ARTICLE.search(text, max(0, start - 8), start)
    return m.start() if m else start


def _article_before(text: str, tokens: list[Token], i: int) -> bool:
    return bool(_ARTICLE.search(text, max(0, tokens[i].start - 8), tokens[i].start))


def glued(tokens: list[Token], j: int) -> bool:
    """An "&" or "/" (or a comma between capitals) written without spaces inside an abbreviated
    name, before a capital that starts no other body: "Sở KH&CN", "Sở LĐ-TB&XH",
    "Sở VH,TT&DL", "Ban Tuyên giáo/Dân vận" are one name ("Ban Tổ chức/Ban Tuyên giáo" stays two)."""
    if not 0 < j < len(tokens) - 1 or tokens[j].text not in ("&", "/", ","):
        return False
    before, token, after = tokens[j - 1], tokens[j], tokens[j + 1]
    if token.text == "," and not before.capital:
        return False
    return before.end == token.start and token.end == after.start and after.capital \
        and not head_at(tokens, j + 1)


def piece_end(text: str, tokens: list[Token], i: int, upper: bool) -> int:
    """Where an unknown name that starts at token i ends."""
    j = i + max(1, head_at(tokens, i))
    while j < len(tokens):
        token = tokens[j]
        if glued(tokens, j):
            j += 2
            continue
        if token.text in (";", ":", "(", ")", "/", "&", "+"):
            break
        if token.text == ",":
            size = _goes_on(text, tokens, j + 1, upper) if j + 1 < len(tokens) else 0
            if size:
                j += 1 + size
                continue
            break
        if token.text in ("va", "cung"):
            nxt = j + 1
            title = phrase_at(tokens, nxt, TITLES) if nxt < len(tokens) else 0
            if title and tokens[j - 1].word in COLLECTIVE and (
                    nxt + title >= len(tokens) or verb_at(tokens, nxt + title)):
                j = nxt + title  # "các cơ quan, đơn vị và người đứng đầu": the units and their heads
                break
            if nxt < len(tokens) and not upper and tokens[nxt].capital and not head_at(
                    tokens, nxt) and not verb_at(tokens, nxt) and not _article_before(
                    text, tokens, nxt):
                j += 2
                continue
            break
        filler = filler_at(tokens, j)
        if filler:
            j += filler
            continue
        if verb_at(tokens, j) and not (token.capital and not upper):
            break
        if not upper and not token.capital and not token.text.isdigit() \
                and token.word not in NAME_WORDS and not _word_goes_on(tokens, j):
            break
        j += 1
    return j


def _word_goes_on(tokens: list[Token], j: int) -> bool:
    """A lower-case syllable inside a name: within three of a capital ("Vụ Tổ chức cán bộ",
    "Cục Phát thanh truyền hình"), after a head or a collective word ("đơn vị"), or bridging
    to a capital ("Dịch vụ việc làm Thành phố"). Verbs have ended the name before."""
    before = tokens[j - 1]
    if any(t.capital for t in tokens[max(0, j - 3):j]) or before.word in COLLECTIVE \
            or before.word in NAME_WORDS:
        return True
    if phrase_at(tokens, j - 1, HEADS) or (j >= 2 and phrase_at(tokens, j - 2, HEADS) == 2):
        return True
    ahead = [k for k in (j + 1, j + 2) if k < len(tokens)]
    return any(tokens[k].capital and not verb_at(tokens, k) for k in ahead)


_GEO = frozenset({"xa", "phuong", "dac", "tinh", "tp", "huyen", "quan", "thi"})
_ENDS = frozenset({",", "va", ";", ":", "(", ")", "cap", "thuoc", "truc", "lien", "co"})


def _goes_on(text: str, tokens: list[Token], k: int, upper: bool) -> int:
    """After a comma inside a name: how many tokens from k still belong to it (0: none).

    A bare collective word continues the list ("các sở, ban, ngành"; "xã, phường, đặc khu
    Cồn Cỏ"); a capitalised word that is no head continues a name ("Sở Văn hóa, Thể thao").
    """
    if _article_before(text, tokens, k) or phrase_at(tokens, k, TITLES):
        return 0
    token = tokens[k]
    if token.word in COLLECTIVE and (not token.capital or upper):
        size = 2 if k + 1 < len(tokens) and (token.word, tokens[k + 1].word) in _TWO_WORD else 1
        after = k + size
        if token.text in _GEO or after >= len(tokens) or tokens[after].text in _ENDS \
                or filler_at(tokens, after) or tokens[after].word in NAME_WORDS \
                or verb_at(tokens, after):
            return size
        return 0
    if not upper and token.capital and not head_at(tokens, k) and not verb_at(tokens, k):
        return 1
    return 0


_TWO_WORD = frozenset({("đơn", "vị"), ("địa", "phương"), ("cơ", "quan"), ("tổ", "chức"),
                       ("đoàn", "thể"), ("doanh", "nghiệp"), ("đặc", "khu"), ("thị", "trấn"),
                       ("công", "an"), ("thị", "xã")})
