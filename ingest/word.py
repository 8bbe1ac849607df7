"""A .docx -> text: paragraphs and tables in document order, list numbers written out.

The zip is checked before anything is decompressed: each part's declared size, and all parts
together, must stay within the limits (a "zip bomb" of a few MB that inflates to a GB is
refused in milliseconds), and the main part is then read in chunks with a cap, so a part that
lies about its size is stopped too. Only then does python-docx (imported here, not at start-up)
parse the package.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from ingest.errors import DraftError
from ingest.limits import MAX_DOCX_PART_BYTES, MAX_DOCX_TOTAL_BYTES, megabytes

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_CHUNK = 1024 * 1024


def word_text(path: Path, raw: bytes) -> str:
    if not raw.startswith(b"PK"):
        raise DraftError(f"{path}: tệp .docx không hợp lệ (không phải tệp Word/zip); "
                         "hãy mở bằng Word và lưu lại thành .docx")
    check_zip(path, raw)
    try:
        import docx  # python-docx: only needed for Word files
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError:  # pragma: no cover - declared dependency
        raise DraftError("cần gói python-docx để đọc tệp .docx (pip install python-docx)") from None
    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise DraftError(f"{path}: tệp .docx hỏng hoặc không phải tệp Word ({exc})") from None
    except Exception as exc:  # lxml and zip errors vary; any of them means an unusable file
        raise DraftError(f"{path}: không đọc được tệp .docx ({type(exc).__name__})") from None
    return "\n".join(DocxLines(document).lines())


def check_zip(path: Path, raw: bytes) -> None:
    """DraftError unless every part and all parts together stay within the limits."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise DraftError(f"{path}: tệp .docx hỏng ({exc}); hãy mở bằng Word và lưu lại") from None
    with archive:
        infos = archive.infolist()
        total = 0
        for info in infos:
            total += info.file_size
            if info.file_size > MAX_DOCX_PART_BYTES:
                raise DraftError(
                    f"{path}: phần «{info.filename}» của tệp .docx giải nén ra "
                    f"{megabytes(info.file_size)}, vượt giới hạn {megabytes(MAX_DOCX_PART_BYTES)}"
                    "; tệp có thể bị hỏng hoặc cố ý làm phình (zip bomb), không đọc")
        if total > MAX_DOCX_TOTAL_BYTES:
            raise DraftError(f"{path}: tệp .docx giải nén ra {megabytes(total)}, vượt giới hạn "
                             f"{megabytes(MAX_DOCX_TOTAL_BYTES)}; không đọc")
        names = {info.filename for info in infos}
        if "word/document.xml" not in names:
            raise DraftError(f"{path}: tệp .docx không có phần nội dung word/document.xml; "
                             "không phải tệp Word")
        _read_capped(path, archive, "word/document.xml")


def _read_capped(path: Path, archive: zipfile.ZipFile, name: str) -> None:
    """Stream a part and stop at the cap, whatever its header says."""
    read = 0
    try:
        with archive.open(name) as handle:
            while chunk := handle.read(_CHUNK):
                read += len(chunk)
                if read > MAX_DOCX_PART_BYTES:
                    raise DraftError(f"{path}: phần «{name}» vượt giới hạn "
                                     f"{megabytes(MAX_DOCX_PART_BYTES)} khi giải nén; không đọc")
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        raise DraftError(f"{path}: tệp .docx hỏng ({exc})") from None
    except RuntimeError as exc:  # encrypted entries
        raise DraftError(f"{path}: tệp .docx được mã hóa hoặc hỏng ({exc})") from None


class DocxLines:
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
                out.append("")
        return out

    def _paragraph(self, p) -> str:  # type: ignore[no-untyped-def]
        text = "".join(t.text or "" for t in p.iter(f"{_W}t")).replace("\n", " ")
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

        return re.sub(r"%(\d)", render, pattern) or None

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
