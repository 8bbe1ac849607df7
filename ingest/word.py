"""A .docx -> text: paragraphs and tables in document order, list numbers written out.

A paragraph that opens with a bold heading run into its text ("**3. Sở Tài chính:** Chủ trì
…", "**Sở Nội vụ** Chủ trì …") gives two lines, the heading marked bold as in markdown
("**3. Sở Tài chính:**") and its text, so the heading is read as one (see run_in_heading).
Tabs and line breaks inside a paragraph are spaces, a non-breaking hyphen a hyphen.

The zip is checked before anything is decompressed: each part's declared size, and all parts
together, must stay within the limits (a "zip bomb" of a few MB that inflates to a GB is
refused in milliseconds), and the main part is then read in chunks with a cap, so a part that
lies about its size is stopped too. Only then does python-docx (imported here, not at start-up)
parse the package.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
from pathlib import Path

from ingest.errors import DraftError
from ingest.limits import MAX_DOCX_PART_BYTES, MAX_DOCX_TOTAL_BYTES, megabytes
from ingest.text import is_upper_text

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
        self.bold_styles: dict[str | None, bool] = {}

    def lines(self) -> list[str]:
        out: list[str] = []
        for child in self.document.element.body.iterchildren():
            if child.tag == f"{_W}p":
                out.extend(self._body_paragraph(child))
            elif child.tag == f"{_W}tbl":
                out.extend(self._table(child))
                out.append("")
        return out

    def _body_paragraph(self, p) -> list[str]:  # type: ignore[no-untyped-def]
        """One line, or two when a bold heading is run into the paragraph's text."""
        runs = self._runs(p)
        label = self._number_label(p)
        split = run_in_heading(runs, numbered=label not in (None, "-"))  # "-": a bullet
        if split is None:
            return [_labelled(label, "".join(text for text, _ in runs))]
        head, rest = split
        return [f"**{_labelled(label, head)}**", rest]

    def _paragraph(self, p) -> str:  # type: ignore[no-untyped-def]
        return _labelled(self._number_label(p), "".join(_run_text(r) for r in p.iter(f"{_W}r")))

    def _runs(self, p) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
        """(text, bold) of each run, bold as written on the run, its style or the paragraph's."""
        style = p.find(f"{_W}pPr/{_W}pStyle")
        para_bold = self._style_bold(style.get(f"{_W}val")) if style is not None else False
        out = []
        for r in p.iter(f"{_W}r"):
            text = _run_text(r)
            if not text:
                continue
            bold = _toggle(r.find(f"{_W}rPr/{_W}b"))
            if bold is None:
                run_style = r.find(f"{_W}rPr/{_W}rStyle")
                bold = (run_style is not None and self._style_bold(run_style.get(f"{_W}val"))) \
                    or para_bold
            out.append((text, bold))
        return out

    def _style_bold(self, style_id: str | None) -> bool:
        """Does the style (or one it is based on) make its text bold?"""
        if style_id not in self.bold_styles:
            bold = False
            seen: set[str] = set()
            current = style_id
            while current and current not in seen:
                seen.add(current)
                element = self.document.styles.element.get_by_id(current)
                if element is None:
                    break
                found = _toggle(element.find(f"{_W}rPr/{_W}b"))
                if found is not None:
                    bold = found
                    break
                based = element.find(f"{_W}basedOn")
                current = based.get(f"{_W}val") if based is not None else None
            self.bold_styles[style_id] = bold
        return self.bold_styles[style_id]

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


def _labelled(label: str | None, text: str) -> str:
    return f"{label} {text}".strip() if label else text


def _toggle(element) -> bool | None:  # type: ignore[no-untyped-def]
    """A w:b element: on unless its val says off; None when absent."""
    if element is None:
        return None
    return element.get(f"{_W}val", "true").lower() not in ("0", "false", "off")


def _run_text(r) -> str:  # type: ignore[no-untyped-def]
    out = []
    for child in r.iterchildren():
        if child.tag == f"{_W}t":
            out.append(child.text or "")
        elif child.tag in (f"{_W}tab", f"{_W}br", f"{_W}cr"):
            out.append(" ")
        elif child.tag == f"{_W}noBreakHyphen":
            out.append("-")
    return "".join(out).replace("\n", " ")


# A number or letter opening a heading: "3.", "1.2.", "II.", "a)", "(1)", "Điều 1.".
_LABEL = re.compile(r"(?:(?:Điều|Khoản|Mục|Phần|Chương)\s+[\dIVXLC]+\s*[.:]?|[IVXLC]{1,6}\s*\."
                    r"|\d{1,2}(?:\.\d{1,2}){0,3}(?:\s*[.)]|(?=\s))|[a-zđ]\)|\(\d{1,2}\)|\([a-zđ]\))\s*")
# Bold labels of a letter's formulas, which keep their value on their line ("Kính gửi: …").
_FORMULAS = ("kính gửi", "nơi nhận", "số:", "số ", "v/v", "về việc", "căn cứ", "trích yếu",
             "đồng gửi")
_MAX_HEADING_WORDS = 25
_MAX_NAME_WORDS = 12  # a body's name alone, as a heading


def run_in_heading(runs: list[tuple[str, bool]], *, numbered: bool = False
                   ) -> tuple[str, str] | None:
    """(heading, text) when the paragraph opens with a bold heading run into normal text.

    The bold part must lead the paragraph and look like a heading: a numbered or lettered
    label and a title ending with ":" ("a) Liên đoàn Lao động tỉnh:", "2. Nhiệm vụ:"), or
    before a capital or a dash ("3. Sở Tài chính Chủ trì …"); a body's name alone, short,
    likewise ("Sở Nội vụ: …", "Sở Nội vụ – chủ trì …"); or a whole sentence before a new
    one ("Đẩy mạnh tuyên truyền. Các cấp …"). A bold word inside a sentence ("Sở Tài chính
    chủ trì", "Nghiêm cấm việc …"), an all-bold paragraph, a bare number ("1.", "Điều 2."),
    an organ's name in capitals, a field's or a letter's label ("Đơn vị chủ trì: …",
    "Kính gửi: …") and other unnumbered phrases ("Lưu ý: …") are left as they are.
    """
    i = 0
    while i < len(runs) and (runs[i][1] or not runs[i][0].strip()):
        i += 1
    head = "".join(text for text, _ in runs[:i]).strip()
    rest = "".join(text for text, _ in runs[i:]).strip()
    if rest.startswith(":"):  # "**Sở Tài chính**: chủ trì …"
        head, rest = f"{head}:", rest[1:].lstrip()
    words = len(head.split())
    if not head or not any(c.isalnum() for c in rest) or words > _MAX_HEADING_WORDS:
        return None
    label = _LABEL.match(head)
    name = head[label.end():] if label else head
    if sum(c.isalpha() for c in name) < 2 or _not_a_heading(name, rest):
        return None
    titled = numbered or label is not None or (words <= _MAX_NAME_WORDS and _names_body(name))
    opens = rest[0]
    if head.endswith(":"):
        return (head, rest) if titled else None
    if head.endswith((".", "!", "?")):
        return (head, rest) if opens.isupper() or opens.isdigit() else None
    if (opens.isupper() or opens in "-–—") and titled and not is_upper_text(rest):
        return head, rest
    return None


def _not_a_heading(name: str, rest: str) -> bool:
    from ingest.fields import label_role

    key = unicodedata.normalize("NFC", name).strip().lower()
    if key.startswith(_FORMULAS) or key.rstrip(":") in ("số", "v/v"):
        return True
    return label_role(f"{name.rstrip(': ')}: {rest}") is not None


def _names_body(name: str) -> bool:
    """Does the text open with a body's name ("Sở …", "Liên đoàn Lao động …", "Ban …")?"""
    from ingest.names import canonical_tokens
    from ingest.phrases import head_at

    tokens = canonical_tokens(name)
    return bool(tokens) and tokens[0].capital and head_at(tokens, 0) > 0


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
