"""Document numbers, and the directives a document implements ("Thực hiện …").

`implements` holds the documents named right after "Thực hiện" / "Triển khai" / "Để (tiếp
tục) thực hiện" in the preamble, and those listed with them (after ";", "," or "và"); a
document cited inside another's description ("Kế hoạch số 24/KH-UBND … thực hiện Nghị quyết
số 66-NQ/TW") is that one's parent, not this one's. "Căn cứ" names the legal basis, not a
parent (the project's convention). "để triển khai chỉ đạo của cấp trên" points back to the
documents of the sentence before.
"""

from __future__ import annotations

import re

from models.numbering import normalise_number

_CODE = r"[A-Za-zĐđ][A-Za-zĐđ0-9&]{0,11}(?:\.[A-Z0-9]{1,4}(?![\w]))?"  # "VPCP-V.I": a unit's number
NUMBER = (rf"(?P<digits>\d{{1,5}}[a-z]?)(?:\s*/\s*(?P<year>\d{{4}}))?\s*(?P<sep>[-–—/])\s*"
          rf"(?P<a>{_CODE})(?:\s*[-–—/]\s*(?P<b>{_CODE}))?(?:\s*[-–—/]\s*(?P<c>{_CODE}))?"
          r"(?![\w/])")
NUMBER_RE = re.compile(NUMBER)
_KIND_WORDS = (r"(?:Nghị quyết|Kế hoạch|Chỉ thị|Quyết định|Hướng dẫn|Quy định|Kết luận|Thông báo|"
               r"Công văn|văn bản|Văn bản|Chương trình(?: hành động)?|Phương án|Nghị định|"
               r"Thông tư|Đề án|Công điện|Thông tri|Quy chế)")
_CITED = re.compile(rf"(?P<kind>{_KIND_WORDS})\s+(?:số\s*:?\s*)?{NUMBER}", re.IGNORECASE)
_OPENER = re.compile(
    r"(?:^|(?<=[.;,:]\s))(?:để\s+(?:tiếp tục\s+)?|tiếp tục\s+)?(?:thực hiện|triển khai(?:\s+thực hiện)?)"
    r"(?:\s+(?:nghiêm túc|nghiêm|có hiệu quả|tốt|đồng bộ|kịp thời))?\s+", re.IGNORECASE)
_BACK = re.compile(r"^(?:chỉ đạo (?:của )?(?:cấp trên|trên)|(?:các )?văn bản (?:nêu )?trên|"
                   r"(?:các )?nội dung (?:nêu )?trên)", re.IGNORECASE)
_SEPARATOR = re.compile(r"(?:[;,]|\bvà)\s*$", re.IGNORECASE)


def number_of(m: re.Match[str]) -> str:
    """The directive number a match of NUMBER found, in the one spelling of
    models.numbering ('45 - KH/ĐĐTLĐ' -> '45-KH/ĐĐTLĐ')."""
    end = max(m.end(g) for g in ("a", "b", "c") if m.group(g))
    return normalise_number(re.sub(r"\s+", " ", m.string[m.start("digits"):end]))


def implemented(sentences: list[str]) -> list[str]:
    """The parents named in the preamble's sentences, in order, each once."""
    out: list[str] = []
    seen: set[str] = set()
    previous = ""
    for sentence in sentences:
        for number in _parents(sentence, previous):
            key = number.upper()
            if key not in seen:
                seen.add(key)
                out.append(number)
        previous = sentence
    return out


def _parents(sentence: str, previous: str) -> list[str]:
    out: list[str] = []
    for opener in _OPENER.finditer(sentence):
        rest = sentence[opener.end():]
        if _BACK.match(rest):
            out += _top_level(previous, first_free=True)
            continue
        if not _CITED.match(rest):
            continue
        clause_end = _clause_end(rest)
        out += _top_level(rest[:clause_end], first_free=True)
    return out


def _clause_end(text: str) -> int:
    """Where the list of cited documents ends: at the main clause ('…, UBND tỉnh ban hành')."""
    m = re.search(r",\s+(?:[A-ZĐÀ-Ỹ][^\s,]*\s+){0,6}?(?:ban hành|hướng dẫn|triển khai|đề nghị|"
                  r"yêu cầu|xây dựng|thông báo|kết luận)\b", text)
    return m.start() if m else len(text)


def _top_level(text: str, *, first_free: bool) -> list[str]:
    out: list[str] = []
    for index, m in enumerate(_CITED.finditer(text)):
        before = text[:m.start()]
        if (index == 0 and first_free) or _SEPARATOR.search(before.rstrip()):
            out.append(number_of(m))
    return out
