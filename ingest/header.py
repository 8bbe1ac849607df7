"""The directive's header: number, kind, issuer, place and date, title, signer, parents.

Read from the lines before the first section heading, skipping stamps and a certified copy's
block (see layout.py). A number or date missing there is looked for in "Ban hành kèm theo Kế
hoạch số ... ngày ...", else left empty with a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ingest.bodies import Resolver
from ingest.layout import Layout, is_upper_text
from ingest.text import ascii_key

_CODE = r"[A-Za-zĐđ][A-Za-zĐđ0-9]{0,9}"
NUMBER = (rf"(?P<digits>\d{{1,5}}[a-z]?)\s*(?P<sep>[-–—/])\s*(?P<a>{_CODE})"
          rf"(?:\s*[-–—/]\s*(?P<b>{_CODE}))?(?:\s*[-–—/]\s*(?P<c>{_CODE}))?(?![\w/])")
_NUMBER_LINE = re.compile(rf"(?:^|\b)(?:Số|SỐ|So)\s*[:.]?\s*{NUMBER}")
_CITED_NUMBER = re.compile(rf"\b(?:số|Số)\s*:?\s*{NUMBER}")
_PLACE_DATE = re.compile(
    r"^(?:(?P<place>[^,\d]{2,40}?)\s*,\s*)?ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+"
    r"năm\s+(?P<y>\d{4})", re.IGNORECASE)
_ANNEXED = re.compile(
    rf"(?:ban hành )?kèm theo\s+(?P<kind>[^\d]{{2,40}}?)\s+số\s*:?\s*{NUMBER}"
    r"(?:[^.;]{0,40}?ngày\s+(?:(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4})|"
    r"(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>\d{4})))?", re.IGNORECASE)
_SIGNED_FOR = re.compile(r"^(?:T/M|TM\.?|T\.M\.?|KT\.?|Q\.)\s*(?P<body>.+)$")
_MOTTO = ("dang cong san viet nam", "cong hoa xa hoi chu nghia viet nam", "doc lap")
_METADATA = re.compile(r"^(?:người ký|email|cơ quan|thời gian ký|ngày ký)\s*:", re.IGNORECASE)
_TITLE_START = ("thực hiện", "về ", "triển khai", "tiếp tục", "tổ chức", "đẩy mạnh",
                "tăng cường", "nâng cao", "ban hành", "sơ kết", "tổng kết", "hướng dẫn")

KINDS = (  # longest first
    "Chương trình hành động", "Chương trình", "Nghị quyết", "Kế hoạch", "Kết luận", "Chỉ thị",
    "Công văn", "Quyết định", "Thông báo", "Hướng dẫn", "Báo cáo", "Quy chế", "Quy định",
    "Đề án", "Thông tri", "Tờ trình", "Chỉ đạo",
)
KIND_CODES = {
    "NQ": "Nghị quyết", "KH": "Kế hoạch", "CTR": "Chương trình", "CTRHĐ": "Chương trình hành động",
    "KL": "Kết luận", "CT": "Chỉ thị", "CV": "Công văn", "QĐ": "Quyết định", "TB": "Thông báo",
    "HD": "Hướng dẫn", "BC": "Báo cáo", "QC": "Quy chế", "QĐI": "Quy định", "ĐA": "Đề án",
    "TT": "Thông tri", "TTR": "Tờ trình",
}


@dataclass
class Header:
    number: str | None = None
    kind: str | None = None
    issuer: str | None = None
    issued_on: str | None = None
    place: str | None = None
    title: str | None = None
    signer: str | None = None
    implements: list[str] = field(default_factory=list)
    lines: dict[str, tuple[int, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    confederation: bool = True  # the issuer is the Confederation or one of its organs

    def as_dict(self) -> dict[str, object]:
        return {"number": self.number, "kind": self.kind, "issuer": self.issuer,
                "issued_on": self.issued_on, "place": self.place, "title": self.title,
                "implements": list(self.implements), "signer": self.signer}


def normalise_number(m: re.Match[str]) -> str:
    """'45 - KH/ĐĐTLĐ' -> '45-KH/ĐĐTLĐ' (the separators as written, spaces out, dashes one)."""
    end = max(m.end(g) for g in ("a", "b", "c") if m.group(g))
    text = m.string[m.start("digits"):end]
    text = re.sub(r"[–—]", "-", text)
    return re.sub(r"\s+", "", text)


def number_codes(number: str) -> tuple[str | None, str | None]:
    """('KH', 'ĐĐTLĐ') for '48-KH/ĐĐTLĐ', ('KH', 'TLĐ') for '300/KH-TLĐ'."""
    parts = re.split(r"[-/]", number)[1:]
    if not parts:
        return None, None
    if parts[0].upper() in KIND_CODES:
        return parts[0], parts[-1] if len(parts) > 1 else None
    return None, parts[-1]


def read_header(layout: Layout, resolver: Resolver) -> Header:
    header = Header()
    zone = _header_zone(layout)
    _number(layout, zone, header)
    _place_date(layout, zone, header)
    _annexed(layout, header)
    kind_line = _kind(layout, zone, header)
    _issuer(layout, zone, kind_line, header, resolver)
    _title(layout, zone, kind_line, header)
    _signer(layout, header)
    _implements(layout, zone, header)
    _warn_missing(header)
    return header


def _header_zone(layout: Layout) -> list[int]:
    end = min(layout.first_heading_line, layout.main_end + 1, 80)
    return [n for n in range(1, end) if not layout.is_noise(n)]


def _number(layout: Layout, zone: list[int], header: Header) -> None:
    for n in zone:
        m = _NUMBER_LINE.search(layout.text(n))
        if m and (m.start() == 0 or len(layout.text(n)) < 80):
            header.number = normalise_number(m)
            header.lines["number"] = (n, n)
            return


def _place_date(layout: Layout, zone: list[int], header: Header) -> None:
    for n in zone:
        m = _PLACE_DATE.search(layout.text(n))
        if not m:
            continue
        try:
            day = dt.date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
        except ValueError:
            header.warnings.append(f"dòng {n}: ngày ban hành «{m.group(0)}» không tồn tại")
            continue
        header.issued_on = day.isoformat()
        header.lines["issued_on"] = (n, n)
        if m.group("place"):
            header.place = m.group("place").strip()
            header.lines["place"] = (n, n)
        return


def _annexed(layout: Layout, header: Header) -> None:
    """'Ban hành kèm theo Kế hoạch số 12/KH-LĐLĐ ngày 5/3/2024': fills a missing number/date."""
    if header.number and header.issued_on:
        return
    for n in layout.main_lines():
        if layout.is_noise(n):
            continue
        m = _ANNEXED.search(layout.text(n))
        if not m:
            continue
        if not header.number:
            header.number = normalise_number(m)
            header.lines["number"] = (n, n)
            header.warnings.append(f"dòng {n}: số văn bản lấy từ câu «kèm theo»; kiểm tra lại")
            kind = _kind_name(m.group("kind"))
            if kind and not header.kind:
                header.kind = kind
                header.lines["kind"] = (n, n)
        y, mo, d = (m.group("y") or m.group("y2"), m.group("m") or m.group("m2"),
                    m.group("d") or m.group("d2"))
        if not header.issued_on and y:
            try:
                header.issued_on = dt.date(int(y), int(mo), int(d)).isoformat()
                header.lines["issued_on"] = (n, n)
                header.warnings.append(f"dòng {n}: ngày ban hành lấy từ câu «kèm theo»; "
                                       "kiểm tra lại")
            except ValueError:
                pass
        return


def _kind_name(text: str) -> str | None:
    key = ascii_key(text).strip()
    for kind in KINDS:
        if key == ascii_key(kind).lower() or key.startswith(ascii_key(kind).lower() + " "):
            return kind
    return None


def _kind(layout: Layout, zone: list[int], header: Header) -> int | None:
    """The title line ('KẾ HOẠCH', 'NGHỊ QUYẾT CỦA BỘ CHÍNH TRỊ'), else the number's code."""
    for n in zone:
        text = layout.text(n)
        if not is_upper_text(text) or len(text) > 160:
            continue
        kind = _kind_name(text)
        if kind:
            if not header.kind:
                header.kind = kind
                header.lines["kind"] = (n, n)
            return n
    if not header.kind and header.number:
        code, _ = number_codes(header.number)
        if code:
            header.kind = KIND_CODES.get(code.upper())
            header.lines["kind"] = header.lines.get("number", (0, 0))
    return None


def _issuer(layout: Layout, zone: list[int], kind_line: int | None, header: Header,
            resolver: Resolver) -> None:
    for finder in (_issuer_in_title, _issuer_signed_for, _issuer_organ_block,
                   _issuer_annexed, _issuer_number_code, _issuer_metadata):
        found = finder(layout, zone, kind_line, header, resolver)
        if found:
            header.issuer, lines = found
            header.lines["issuer"] = lines
            return
    organ = _organ_lines(layout, zone)
    if organ:
        name = " ".join(layout.text(n) for n in organ)
        header.issuer = f"unresolved:{name}"
        header.lines["issuer"] = (organ[0], organ[-1])
        header.warnings.append(f"dòng {organ[0]}: cơ quan ban hành «{name}» không có trong sổ "
                               "đăng ký đơn vị")
    else:
        header.warnings.append("không xác định được cơ quan ban hành")


Found = tuple[str, tuple[int, int]] | None


def _issuer_in_title(layout: Layout, zone: list[int], kind_line: int | None, header: Header,
                     resolver: Resolver) -> Found:
    """'NGHỊ QUYẾT CỦA BỘ CHÍNH TRỊ' (the 'của' part may be on the next line)."""
    if kind_line is None:
        return None
    candidates = [kind_line] + [n for n in zone if kind_line < n <= kind_line + 2]
    for n in candidates:
        m = re.search(r"\bCỦA\s+(.+)$", layout.text(n))
        if m:
            ref = resolver.whole(m.group(1))
            if ref:
                return ref, (n, n)
    return None


def _issuer_signed_for(layout: Layout, zone: list[int], kind_line: int | None, header: Header,
                       resolver: Resolver) -> Found:
    """'T/M BỘ CHÍNH TRỊ' above the signature."""
    for n in range(layout.main_end, max(layout.first_heading_line, 1) - 1, -1):
        m = _SIGNED_FOR.match(layout.text(n))
        if m and not layout.is_noise(n):
            ref = resolver.whole(m.group("body"))
            if ref:
                return ref, (n, n)
    return None


def _organ_lines(layout: Layout, zone: list[int]) -> list[int]:
    """The issuing organ's lines at the top ('BAN CHẤP HÀNH TRUNG ƯƠNG / ĐẢNG ĐOÀN TLĐ')."""
    out: list[int] = []
    for n in zone:
        text = layout.text(n)
        if not text:
            continue
        if _METADATA.match(text):
            continue
        key = ascii_key(text)
        if (text == "*" or key.startswith(_MOTTO) or re.match(r"so\b", key)
                or _PLACE_DATE.search(text) or not is_upper_text(text) or _kind_name(text)
                or key.startswith("phu luc")):
            if out:
                break
            continue
        out.append(n)
    return out


def _issuer_organ_block(layout: Layout, zone: list[int], kind_line: int | None, header: Header,
                        resolver: Resolver) -> Found:
    organ = _organ_lines(layout, zone)
    for first in range(len(organ) - 1, -1, -1):
        lines = organ[first:]
        ref = resolver.whole(" ".join(layout.text(n) for n in lines))
        if ref:
            return ref, (lines[0], lines[-1])
    return None


def _issuer_number_code(layout: Layout, zone: list[int], kind_line: int | None, header: Header,
                        resolver: Resolver) -> Found:
    if not header.number:
        return None
    _, code = number_codes(header.number)
    ref = resolver.abbreviation(code) if code else None
    return (ref, header.lines["number"]) if ref else None


def _issuer_annexed(layout: Layout, zone: list[int], kind_line: int | None, header: Header,
                    resolver: Resolver) -> Found:
    """'(Ban hành kèm theo Kế hoạch số ... của Đoàn Chủ tịch Tổng Liên đoàn)'."""
    for n in zone:
        text = layout.text(n)
        if _ANNEXED.search(text):
            m = re.search(r"\bcủa\s+([^)]+)", text)
            ref = resolver.whole(m.group(1).strip(" .")) if m else None
            if ref:
                return ref, (n, n)
    return None


def _issuer_metadata(layout: Layout, zone: list[int], kind_line: int | None, header: Header,
                     resolver: Resolver) -> Found:
    for n in zone:
        m = re.match(r"^cơ quan\s*:\s*(.+)$", layout.text(n), re.IGNORECASE)
        if m:
            ref = resolver.whole(m.group(1))
            if ref:
                return ref, (n, n)
    return None


def _paragraphs(layout: Layout, lines: list[int]) -> list[list[int]]:
    out: list[list[int]] = []
    previous = None
    for n in lines:
        if not layout.text(n):
            previous = None
            continue
        if previous is not None and n == previous + 1:
            out[-1].append(n)
        else:
            out.append([n])
        previous = n
    return out


def _title(layout: Layout, zone: list[int], kind_line: int | None, header: Header) -> None:
    paragraphs = _paragraphs(layout, zone)
    if kind_line is not None:
        index = next(i for i, p in enumerate(paragraphs) if kind_line in p)
        rest = [n for n in paragraphs[index] if n > kind_line
                and not re.match(r"^CỦA\b", layout.text(n))]
        options = ([rest] if rest else []) + paragraphs[index + 1:index + 2]
        options += paragraphs[max(0, index - 1):index][::-1]
        for paragraph in options:
            text = " ".join(layout.text(n) for n in paragraph)
            if _looks_like_title(text):
                header.title = text.strip()[0].upper() + text.strip()[1:]
                header.lines["title"] = (paragraph[0], paragraph[-1])
                return
        remainder = layout.text(kind_line)[len(header.kind or ""):].strip()
        if remainder and not remainder.upper().startswith("CỦA"):
            header.title = remainder[0].upper() + remainder[1:].lower()
            header.lines["title"] = (kind_line, kind_line)
            return
    for paragraph in paragraphs:
        text = " ".join(layout.text(n) for n in paragraph)
        if text.lower().startswith("v/v") or text.lower().startswith("về việc"):
            header.title = text.strip()
            header.lines["title"] = (paragraph[0], paragraph[-1])
            return


def _looks_like_title(text: str) -> bool:
    lower = text.lower()
    return 10 <= len(text) <= 400 and lower.startswith(_TITLE_START) and not lower.startswith(
        "căn cứ")


def _signer(layout: Layout, header: Header) -> None:
    start = max(layout.first_heading_line, layout.main_end - 40, 1)
    for n in range(layout.main_end, start - 1, -1):
        if _person_name(layout.text(n)) and not layout.is_noise(n):
            header.signer = layout.text(n)
            header.lines["signer"] = (n, n)
            return


def _person_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 5:
        return False
    return all(w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower())
               for w in words)


def _implements(layout: Layout, zone: list[int], header: Header) -> None:
    paragraphs = [p for p in _paragraphs(layout, zone)]
    first: int | None = None
    last: int | None = None
    for paragraph in paragraphs:
        text = " ".join(layout.text(n) for n in paragraph)
        lower = text.lower()
        if not lower.startswith(("thực hiện", "căn cứ", "triển khai")):
            continue
        for m in _CITED_NUMBER.finditer(text):
            number = normalise_number(m)
            code, _ = number_codes(number)
            if number == header.number or number in header.implements or not code:
                continue
            header.implements.append(number)
            first = paragraph[0] if first is None else first
            last = paragraph[-1]
    if first is not None and last is not None:
        header.lines["implements"] = (first, last)


def _warn_missing(header: Header) -> None:
    if not header.number:
        header.warnings.append("không tìm thấy số văn bản (Số ...): điền trước khi khởi chạy")
    if not header.issued_on:
        header.warnings.append("không tìm thấy ngày ban hành (..., ngày ... tháng ... năm ...): "
                               "điền trước khi khởi chạy")
    if not header.kind:
        header.warnings.append("không xác định được loại văn bản (Kế hoạch, Nghị quyết, ...)")
    if not header.title:
        header.warnings.append("không tìm thấy trích yếu (tên) văn bản: điền trước khi khởi chạy")
