"""What an item or a sentence says about who does what: a duty of its own, a request for a
report, a request to other bodies, a clause that names other bodies (the words the assignment
reader decides by)."""

from __future__ import annotations

import re

from ingest.blocks import Para
from ingest.bodies import Mention
from ingest.clauses import Roles
from ingest.text import ascii_key, sentence_spans

REPORT_REQUEST = re.compile(
    r"^[-+•–]?\s*(?:định kỳ[^.;:]{0,60}?|hằng năm[^.;:]{0,40}?|hàng năm[^.;:]{0,40}?|tổng hợp,?\s+)?"
    r"báo cáo\s+(?:kết quả|tình hình|định kỳ|sơ kết|tổng kết|kịp thời|về)",
    re.IGNORECASE)


LEADS_AGAIN = re.compile(r"^[-+•–]?\s*chủ trì\b", re.IGNORECASE)  # a bullet: "- Chủ trì, phối hợp …"


def duty_item(para: Para, paras: list[Para]) -> bool:
    """A bullet under a body's heading that states a duty of its own: it starts with a verb and
    is not the content of the bullet before ("tuyên truyền các nội dung sau: + …")."""
    index = next(i for i, p in enumerate(paras) if p is para)
    before = paras[index - 1].text.rstrip() if index else ""
    return starts_with_verb(para.text) and not before.endswith(":") or bool(
        LEADS_AGAIN.match(para.text))


def report_request(text: str) -> bool:
    """A bullet or sentence that asks for a report ("- Báo cáo kết quả … về …")."""
    return bool(REPORT_REQUEST.match(text.strip()))


def named(mention: Mention) -> bool:
    """A body's name as written starts with a capital or 'các'/'những' ("vụ" is a word's end)."""
    text = mention.text.strip()
    return text[:1].isupper() or text.lower().startswith(("các ", "những "))


def in_parentheses(text: str, offset: int) -> bool:
    before = text[:offset]
    return before.count("(") > before.count(")")


def anaphoric(lead: list[Mention], inherited: tuple[Mention, ...]) -> bool:
    """'Các văn phòng' after 'Văn phòng Trung ương Đảng và các văn phòng tỉnh ủy': the same."""
    if len(lead) != 1 or lead[0].ref:
        return False
    words = ascii_key(lead[0].text).split()
    if words and words[0] in ("cac", "nhung"):
        words = words[1:]
    if not 1 <= len(words) <= 3:
        return False
    return any(" ".join(words) in ascii_key(m.text) for m in inherited)


REQUEST_HEAD = re.compile(r"^(?:\d{1,3}(?:\.\d{1,2})*\s*[.)]\s*)?(?:yêu cầu|đề nghị|giao)\s+(?:các|những)\s",
                           re.IGNORECASE)


AND_ASSIGNS = re.compile(r"(,?\s+và\s+)giao\s+(?:cho\s+)?", re.IGNORECASE)
THEN_OTHERS = re.compile(r";\s+(?=(?:các|những)\s)")
ON_THEIR_OWN = re.compile(r"\s*(?:chủ động|có trách nhiệm|khẩn trương|tập trung)\b", re.IGNORECASE)


def names_end(roles: Roles) -> int:
    return max(m.end for m in roles.lead + roles.cooperating)


REPORTS_BACK = re.compile(r"\b(?:báo cáo|phản ánh)\b", re.IGNORECASE)
REQUEST_VERB = re.compile(r"\b(?:đề nghị|yêu cầu)\b", re.IGNORECASE)
MARKER = re.compile(r"^(?:[-+•–]\s*|\(?\d{1,3}(?:\.\d{1,2})*\s*[.)]\s*|[a-zđ]\)\s*)")


def starts_with_verb(text: str) -> bool:
    """Does a list item start with a verb ("Tổ chức …", "Tuyên truyền …"): a duty, not a fact?"""
    from ingest.lexicon import VERBS

    words = tuple(re.findall(r"\w+", MARKER.sub("", text.strip()).lower())[:3])
    return any(words[:len(verb)] == verb for verb in VERBS)


def first_sentence(text: str) -> str:
    spans = sentence_spans(text)
    return text[spans[0][0]:spans[0][1]] if spans else text


def last_sentence(text: str) -> str:
    spans = sentence_spans(text)
    return text[spans[-1][0]:spans[-1][1]] if spans else text
