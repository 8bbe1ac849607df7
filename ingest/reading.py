""".txt, .md or .docx -> the document's numbered lines (NFC), refusing what is not a directive text.

A Word file becomes one line per paragraph, with its automatic numbering written out ("III.",
"1.", "a)") so numbered assignments keep their numbers, and one line per table row
("| 1 | Nội dung | Ban Tuyên giáo | Quý III/2024 |").
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import DraftError

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
WORD_SUFFIXES = (".docx",)


@dataclass(frozen=True)
class Document:
    name: str
    lines: tuple[str, ...]  # lines[0] is line 1

    def line(self, number: int) -> str:
        return self.lines[number - 1]


def read_document(path: Path) -> Document:
    """Read `path` into numbered lines; DraftError says why a file cannot be used."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".doc":
        raise DraftError(f"{path}: tệp Word cũ (.doc) chưa được hỗ trợ; hãy lưu lại thành .docx")
    if suffix not in TEXT_SUFFIXES + WORD_SUFFIXES:
        raise DraftError(f"{path}: định dạng {suffix or '(không có đuôi)'} không được hỗ trợ; "
                         "dùng .txt, .md hoặc .docx")
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DraftError(f"{path}: không tìm thấy tệp") from None
    except IsADirectoryError:
        raise DraftError(f"{path}: là một thư mục, không phải tệp") from None
    except OSError as exc:
        raise DraftError(f"{path}: không đọc được tệp ({exc.strerror})") from None
    if not raw.strip():
        raise DraftError(f"{path}: tệp rỗng, không có nội dung để soạn")
    text = _word_text(path, raw) if suffix in WORD_SUFFIXES else _plain_text(path, raw)
    lines = tuple(_normalise(line) for line in text.split("\n"))
    if not any(line.strip() for line in lines):
        raise DraftError(f"{path}: tệp không có nội dung chữ để soạn")
    return Document(name=path.name, lines=lines)


_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")


def _normalise(line: str) -> str:
    """NFC, no control characters (YAML refuses them), no zero-width or non-breaking spaces."""
    line = unicodedata.normalize("NFC", line).replace("\u00a0", " ").replace("\t", " ")
    line = line.replace("\u200b", "").replace("\ufeff", "")
    return _UNPRINTABLE.sub(" ", line).rstrip()


def _plain_text(path: Path, raw: bytes) -> str:
    if raw.startswith(b"PK\x03\x04"):
        raise DraftError(f"{path}: đây là tệp nén (zip/Word), không phải văn bản thuần; "
                         "đổi đuôi thành .docx nếu là tệp Word")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16").replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            pass
    if b"\x00" in raw:
        raise DraftError(f"{path}: tệp nhị phân, không phải văn bản")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DraftError(f"{path}:{line}: tệp không phải văn bản UTF-8 (tệp nhị phân hoặc "
                         "bảng mã cũ như TCVN3/VNI); hãy lưu lại dưới dạng UTF-8") from None
    if _control_ratio(text) > 0.05:
        raise DraftError(f"{path}: tệp nhị phân, không phải văn bản")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _control_ratio(text: str) -> float:
    controls = sum(1 for c in text if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    return controls / max(len(text), 1)


def _word_text(path: Path, raw: bytes) -> str:
    if not raw.startswith(b"PK"):
        raise DraftError(f"{path}: tệp .docx không hợp lệ (không phải tệp Word/zip); "
                         "hãy mở bằng Word và lưu lại thành .docx")
    import io
    import zipfile

    try:
        import docx  # python-docx: only needed for Word files
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:  # pragma: no cover - declared dependency
        raise DraftError("cần gói python-docx để đọc tệp .docx") from None
    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DraftError(f"{path}: tệp .docx hỏng hoặc không phải tệp Word ({exc})") from None
    except Exception as exc:  # lxml and zip errors vary; any of them means an unusable file
        raise DraftError(f"{path}: không đọc được tệp .docx ({type(exc).__name__})") from None
    return "\n".join(_DocxLines(document).lines())


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _DocxLines:
    """Paragraphs and table rows of a Word body, in order, with list numbers written out."""

    def __init__(self, document) -> None:  # type: ignore[no-untyped-def]
        self.document = document
        self.formats = _numbering_formats(document)
        self.counters: dict[str, list[int]] = {}

    def lines(self) -> list[str]:
        out: list[str] = []
        for child in self.document.element.body.iterchildren():
            if child.tag == f"{_W}p":
                out.append(self._paragraph(child))
            elif child.tag == f"{_W}tbl":
                out.extend(self._table(child))
        return out

    def _paragraph(self, p) -> str:  # type: ignore[no-untyped-def]
        text = "".join(t.text or "" for t in p.iter(f"{_W}t"))
        label = self._number_label(p)
        return f"{label} {text}".strip() if label else text

    def _table(self, tbl) -> list[str]:  # type: ignore[no-untyped-def]
        rows = []
        for tr in tbl.iter(f"{_W}tr"):
            cells = []
            for tc in tr.iterchildren(f"{_W}tc"):
                parts = [self._paragraph(p) for p in tc.iterchildren(f"{_W}p")]
                cells.append(" ".join(part for part in parts if part).replace("|", "/"))
            rows.append("| " + " | ".join(cells) + " |")
        return rows

    def _number_label(self, p) -> str | None:  # type: ignore[no-untyped-def]
        num_pr = p.find(f"{_W}pPr/{_W}numPr")
        if num_pr is None:
            num_pr = self._style_num_pr(p)
        if num_pr is None:
            return None
        num_id_el = num_pr.find(f"{_W}numId")
        ilvl_el = num_pr.find(f"{_W}ilvl")
        num_id = num_id_el.get(f"{_W}val") if num_id_el is not None else None
        level = int(ilvl_el.get(f"{_W}val", "0")) if ilvl_el is not None else 0
        if not num_id or num_id == "0":
            return None
        levels = self.formats.get(num_id, {})
        counts = self.counters.setdefault(num_id, [0] * 9)
        level = min(max(level, 0), 8)
        counts[level] += 1
        for deeper in range(level + 1, 9):
            counts[deeper] = 0
        fmt, pattern = levels.get(level, ("decimal", f"%{level + 1}."))
        if fmt == "bullet":
            return "-"

        def render(match: re.Match[str]) -> str:
            lvl = int(match.group(1)) - 1
            lvl_fmt = levels.get(lvl, ("decimal", ""))[0]
            return _format_number(max(counts[lvl], 1), lvl_fmt)

        return re.sub(r"%(\d)", render, pattern)

    def _style_num_pr(self, p):  # type: ignore[no-untyped-def]
        style = p.find(f"{_W}pPr/{_W}pStyle")
        if style is None:
            return None
        style_el = self.document.styles.element.get_by_id(style.get(f"{_W}val"))
        if style_el is None:
            return None
        return style_el.find(f"{_W}pPr/{_W}numPr")


def _numbering_formats(document) -> dict[str, dict[int, tuple[str, str]]]:  # type: ignore[no-untyped-def]
    """numId -> level -> (numFmt, lvlText) from the document's numbering part."""
    try:
        numbering = document.part.numbering_part.element
    except (NotImplementedError, KeyError, AttributeError):
        return {}
    abstract: dict[str, dict[int, tuple[str, str]]] = {}
    for an in numbering.iterchildren(f"{_W}abstractNum"):
        levels = {}
        for lvl in an.iterchildren(f"{_W}lvl"):
            fmt = lvl.find(f"{_W}numFmt")
            text = lvl.find(f"{_W}lvlText")
            levels[int(lvl.get(f"{_W}ilvl", "0"))] = (
                fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
                text.get(f"{_W}val", "") if text is not None else "",
            )
        abstract[an.get(f"{_W}abstractNumId", "")] = levels
    out = {}
    for num in numbering.iterchildren(f"{_W}num"):
        ref = num.find(f"{_W}abstractNumId")
        if ref is not None:
            out[num.get(f"{_W}numId", "")] = abstract.get(ref.get(f"{_W}val", ""), {})
    return out


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        roman = _roman(n)
        return roman if fmt == "upperRoman" else roman.lower()
    if fmt in ("upperLetter", "lowerLetter"):
        letter = "abcdefghijklmnopqrstuvwxyz"[(n - 1) % 26]
        return letter.upper() if fmt == "upperLetter" else letter
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"),
                           (90, "XC"), (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"),
                           (4, "IV"), (1, "I")):
        while n >= value:
            out += numeral
            n -= value
    return out
