"""The drafter over a corpus of real administrative documents (tests/ingest/corpus/).

300 markdown copies of Vietnamese decisions, letters, plans, telegrams, notices, conclusions,
instructions and guidance, with normative texts and news or Q&A pages quoting a directive, unchanged
from a legal-document site: navigation lines, `|` table remnants and `**` markup included. Where
they came from: corpus/SOURCES.md; how they were drawn: corpus/select.py (run by hand, never at
test time).

Each document, drafted in-process, must:
- draft without any exception but DraftError, and a DraftError only for a document that really
  cannot be drafted, with a message saying why: a text that is Vietnamese (by the measure below)
  is not refused as not Vietnamese, nor refused at all when it prints its own number ("Số: …")
  or has an assignment section;
- finish well within a minute (a hang guard, not a speed target);
- yield at least one assignment when its text has an assignment section by the rule below.
"""

from __future__ import annotations

import re
import signal
import unicodedata
from pathlib import Path

import pytest

from ingest.draft import draft_document
from ingest.errors import DraftError

CORPUS = Path(__file__).resolve().parent / "corpus"
DOCUMENT_NAME = re.compile(r"[0-9a-f]{16}\.md")
HANG_SECONDS = 60


def corpus_documents() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*.md") if DOCUMENT_NAME.fullmatch(p.name))


# --- "Has an assignment section": a rule on the text itself -----------------------------------
#
# The text is read line by line with markdown marks (`*`, `#`, `|`, `_`, `>`) dropped and spaces
# collapsed. A document has an assignment section when any of these holds (the first that holds
# names the reason):
#   heading     a heading TỔ CHỨC THỰC HIỆN / PHÂN CÔNG NHIỆM VỤ (or … THỰC HIỆN, … TRÁCH NHIỆM) /
#               TRÁCH NHIỆM THỰC HIỆN: in capitals (possibly wrapped over up to three lines, numbered
#               or not), or alone on its line in any case after a number ("IV. Tổ chức thực hiện");
#               not followed by a blank form's "………", and followed within 60 lines by a role word
#               (chủ trì, phối hợp, chịu/có trách nhiệm, giao, đề nghị, yêu cầu);
#   table       a task table: a cell reading "Cơ quan chủ trì" / "Đơn vị chủ trì" / "Chủ trì"
#               (between `|`, or on its own line as the site prints cells);
#   field       a field line "Cơ quan chủ trì: …" / "Đơn vị chủ trì: …" / "Chủ trì: …";
#   giao        "giao <Name> … chủ trì" / "… làm đầu mối" in one sentence;
#   body items  two or more numbered items ("2.", "b)") that open with a body (Sở, Bộ, Ủy ban,
#               Công an, Văn phòng, Liên đoàn, Thủ trưởng, Các sở …) and give it a duty (a duty
#               word — chủ trì, phối hợp, trách nhiệm, triển khai, hướng dẫn, báo cáo, đôn đốc … —
#               in the item's first 300 characters, or the item is a heading ending with ":"); a
#               competence ("1. Sở Tài chính quyết định …") is no duty;
#   request     "đề nghị / yêu cầu / chỉ thị / giao <addressee> …:" followed by a numbered or
#               bulleted list (a letter's or an instruction's requests to its addressees).

_MARKS = re.compile(r"[*#|_>`]+")
_KEY = (r"(?:TỔ CHỨC THỰC HIỆN|PHÂN CÔNG NHIỆM VỤ|PHÂN CÔNG THỰC HIỆN|PHÂN CÔNG TRÁCH NHIỆM"
        r"|TRÁCH NHIỆM THỰC HIỆN)")
_NUMBER = r"(?:(?:PHẦN|CHƯƠNG|MỤC|Phần|Chương|Mục)\s+)?(?:[IVXLC]+|\d{1,2}|[A-Za-z])\s*[.\-–):]\s*"
_CAPS_HEADING = re.compile(rf"^(?:{_NUMBER})?(?:.{{0,60}}\s)?{_KEY}")
_BARE_HEADING = re.compile(rf"^{_NUMBER}{_KEY}\s*[:.]?$", re.IGNORECASE)
_ROLE = re.compile(r"chủ trì|phối hợp|chịu trách nhiệm|có trách nhiệm|\bgiao\b|đề nghị|yêu cầu",
                   re.IGNORECASE)
_LEAD_CELL = re.compile(r"^(?:(?:cơ quan|đơn vị|bộ phận|cơ quan, đơn vị)\s+)?chủ trì(?:\s+thực hiện)?$",
                        re.IGNORECASE)
_FIELD = re.compile(r"^[-+•–]?\s*(?:(?:cơ quan|đơn vị|bộ phận)\s+)?chủ trì(?:\s+thực hiện)?\s*:",
                    re.IGNORECASE)
_GIAO = re.compile(r"\b[Gg]iao\s+(?:cho\s+)?(\w)[^.;:!?]{0,150}?\s(?:chủ trì|làm đầu mối)\b")
_BODY = (r"(?:Sở|Bộ|Ban|Ủy ban|Uỷ ban|UBND|Văn phòng|Công an|Cục|Vụ|Chi cục|Liên đoàn|Công đoàn|"
         r"Thanh tra|Kho bạc|Bảo hiểm xã hội|Đài Phát thanh|Báo (?!cáo)|Tỉnh đoàn|Thành đoàn|Đảng ủy|"
         r"Đảng uỷ|Đảng đoàn|Ban cán sự|Tỉnh ủy|Tỉnh uỷ|Thành ủy|Thành uỷ|Viện|Trung tâm|Tổng cục|"
         r"Ngân hàng|Thủ trưởng|Giám đốc|Chủ tịch|Bộ trưởng|Người đứng đầu|Các (?:sở|bộ|Bộ|ban|cơ quan|"
         r"đơn vị|địa phương|tỉnh|xã|cấp ủy|cấp uỷ|Sở))\b")
_BODY_ITEM = re.compile(rf"^(?:\d{{1,2}}|[a-zđ])\s*[.)]\s*{_BODY}")
_ITEM_START = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*|[a-zđ]|[IVX]+)\s*[.)]\s*\S|^[-+•–]\s")
_DUTY = re.compile(r"chủ trì|phối hợp|trách nhiệm|chỉ đạo|tổ chức thực hiện|triển khai|hướng dẫn|"
                   r"theo dõi|báo cáo|tham mưu|rà soát|đôn đốc|tổng hợp|khẩn trương|tăng cường",
                   re.IGNORECASE)  # not "quyết định", "ban hành": who decides what is a competence
_PLACEHOLDER = re.compile(r"^[.…_\-–\s]*$")  # a blank form's "…………" under its headings
_REQUEST = re.compile(rf"\b(?:đề nghị|yêu cầu|chỉ thị|giao)\s+(?:{_BODY}|đồng chí|Quý|các)"
                      r"[^.:;!?]{0,300}:\s*(?:\d{1,2}\s*[.)]|[-+•–]|[a-zđ]\))")


def plain_lines(text: str) -> list[str]:
    """The non-empty lines, NFC, markdown marks dropped, spaces collapsed."""
    lines = (" ".join(_MARKS.sub(" ", raw).split())
             for raw in unicodedata.normalize("NFC", text).split("\n"))
    return [line for line in lines if line]


def _is_heading(lines: list[str], i: int) -> bool:
    line = lines[i]
    if len(line) <= 100 and _BARE_HEADING.match(line):
        return True
    if len(line) > 100 or line.upper() != line:
        return False
    joined = line
    for following in lines[i + 1:i + 3]:  # a heading wrapped over lines: "IV. TỔ CHỨC" / "THỰC HIỆN"
        if len(following) > 60 or following.upper() != following:
            break
        joined += " " + following
    return bool(_CAPS_HEADING.match(joined))


def _table_cells(text: str) -> list[str]:
    cells: list[str] = []
    for raw in unicodedata.normalize("NFC", text).split("\n"):
        cells.extend(" ".join(_MARKS.sub(" ", cell).split()) for cell in raw.split("|"))
    return cells


def _duty_items(lines: list[str]) -> int:
    count = 0
    for i, line in enumerate(lines):
        if not _BODY_ITEM.match(line):
            continue
        item = line
        for following in lines[i + 1:i + 8]:
            if _ITEM_START.match(following) or len(item) > 300:
                break
            item += " " + following
        if _DUTY.search(item[:300]) or (len(line) <= 120 and line.endswith(":")):
            count += 1
    return count


def assignment_section(text: str) -> str | None:
    """Why the text has an assignment section ("heading", "table", "field", "giao",
    "body items", "request"), or None when it has none by the rule above."""
    lines = plain_lines(text)
    for i in range(len(lines)):
        if (_is_heading(lines, i) and i + 1 < len(lines) and not _PLACEHOLDER.match(lines[i + 1])
                and _ROLE.search(" ".join(lines[i + 1:i + 60]))):
            return "heading"
    if any(_LEAD_CELL.match(cell) for cell in _table_cells(text)):
        return "table"
    if any(_FIELD.match(line) for line in lines):
        return "field"
    flat = " ".join(lines)
    if any(m.group(1).isupper() for m in _GIAO.finditer(flat)):  # "giao Sở …", not "giao đất"
        return "giao"
    if _duty_items(lines) >= 2:
        return "body items"
    if _REQUEST.search(flat):
        return "request"
    return None


# --- "Really cannot be drafted" ------------------------------------------------------------------

_VIETNAMESE_LETTERS = frozenset("ăâđêôơưàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ")
_WORD = re.compile(r"[^\W\d_]+")
_OWN_NUMBER = re.compile(r"\d{1,6}\s*(?:/\s*\d{4}\s*)?[/-]\s*[A-ZĐ]")
_NUMBER_LABEL = re.compile(r"^Số(?: hiệu)?\s*:?\s*")


def is_vietnamese(text: str) -> bool:
    """Half of the words or more carry a Vietnamese letter (ă â đ ê ô ơ ư or a tone mark): 64-92 %
    of the words of every corpus document do; English or French prose stays far below."""
    words = _WORD.findall(unicodedata.normalize("NFC", text).lower())
    return bool(words) and sum(1 for w in words if _VIETNAMESE_LETTERS.intersection(w)) >= len(words) / 2


def prints_own_number(lines: list[str]) -> bool:
    """A header or site-metadata line with the document's number ("Số: 141/KH-UBND", "Số hiệu:",
    "Số:" with the number on the next line) among the first 120 lines."""
    for i, line in enumerate(lines[:120]):
        label = _NUMBER_LABEL.match(line)
        if not label:
            continue
        rest = line[label.end():] or (lines[i + 1] if i + 1 < len(lines) else "")
        if _OWN_NUMBER.match(rest):
            return True
    return False


def refusal_problem(text: str, message: str, section: str | None) -> str | None:
    """Why a DraftError with this message is wrong for this text, or None when it is justified."""
    if not message.strip():
        return "DraftError without a message"
    if not is_vietnamese(text):
        return None
    if "không phải tiếng Việt" in message:
        return "a Vietnamese text refused as not Vietnamese"
    if section:
        return f"refused although it has an assignment section ({section})"
    if prints_own_number(plain_lines(text)):
        return "refused although it prints its own number"
    return None


# --- The test ------------------------------------------------------------------------------------


class Hang(BaseException):
    """Raised by the alarm; a BaseException so that no `except Exception` in the drafter hides it."""


def _alarm(signum, frame):  # type: ignore[no-untyped-def]
    raise Hang


@pytest.fixture
def hang_guard():
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_corpus_is_present():
    """The corpus holds the drawn documents (a missing directory would make the test below vacuous)."""
    assert len(corpus_documents()) >= 250


@pytest.mark.parametrize("path", corpus_documents(), ids=lambda p: p.name)
def test_draft_corpus_document(path, registry, hang_guard):
    """The document drafts (or is refused with a reason), within the hang guard, and a document
    with an assignment section yields at least one assignment."""
    text = path.read_text(encoding="utf-8")
    section = assignment_section(text)
    try:
        draft = draft_document(path, registry)
    except DraftError as refusal:
        problem = refusal_problem(text, str(refusal), section)
        assert problem is None, f"{problem}: {refusal}"
        return
    except Hang:
        pytest.fail(f"no draft after {HANG_SECONDS} s")
    assert isinstance(draft["directive"], dict)
    assert isinstance(draft["assignments"], list)
    if section:
        assert draft["assignments"], f"assignment section ({section}) but no assignment drafted"
