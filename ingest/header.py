"""The directive's header: number, kind, issuer, place and date, title, signer, parents.

Read from the paragraphs before the first numbered item (organ block, "Số …", date, kind,
title, "Kính gửi", the preamble), from a site's metadata cells ("Số hiệu:", "Loại văn bản:",
"Nơi ban hành:", "Ngày ban hành:") and from the end (signature). Stamps and a certified
copy's block are noise (ingest/layout.py) and never read. A number or date missing there is
looked for in "(Kèm theo Công văn số … ngày …)", else left empty with a warning.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ingest.blocks import Para
from ingest.bodies import Resolver
from ingest.citations import NUMBER, implemented, number_of
from ingest.layout import Layout
from ingest.outline import Node
from ingest.text import ascii_key, is_upper_text, proper_names, recase, sentence_spans

_NUMBER_LINE = re.compile(rf"^(?:Số|SỐ|So|số)\s*(?:hiệu)?\s*[:.]?\s*{NUMBER}")
_PLACE_DATE = re.compile(
    r"(?:(?P<place>[^,\d]{2,40}?)\s*,\s*)?ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s+"
    r"năm\s+(?P<y>\d{4})", re.IGNORECASE)
_NUM_DATE = re.compile(r"^(?P<d>\d{1,2})\s*[/.-]\s*(?P<m>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})$")
_ANNEXED = re.compile(
    rf"(?:ban hành )?kèm theo\s+(?P<kind>[^\d]{{2,40}}?)\s+số\s*:?\s*{NUMBER}"
    r"(?:[^.;]{0,40}?ngày\s+(?:(?P<d>\d{1,2})\s*/\s*(?P<m>\d{1,2})\s*/\s*(?P<y>\d{4})|"
    r"(?P<d2>\d{1,2})\s+tháng\s+(?P<m2>\d{1,2})\s+năm\s+(?P<y2>\d{4})))?", re.IGNORECASE)
_TITLE_NUMBER = re.compile(
    rf"^(?:[^:]{{0,20}}:\s*)?(?:NGHỊ QUYẾT|KẾ HOẠCH|KẾT LUẬN|CHỈ THỊ|QUYẾT ĐỊNH|CHƯƠNG TRÌNH|"
    rf"HƯỚNG DẪN|THÔNG BÁO|CÔNG VĂN|QUY ĐỊNH)\s+(?:SỐ\s*:?\s*)?{NUMBER}")
_SIGNED_FOR = re.compile(r"^(?:T/M|TM\.?|T\.M\.?|KT\.?|K/T|Q\.)\s*(?P<body>.+)$")
_MOTTO = ("dang cong san", "cong hoa xa hoi", "doc lap", "viet nam dan chu", "hoa xa hoi chu nghia")
_ISSUES = re.compile(r"^(?P<who>[^,;:]{3,90}?)\s+(?:ban hành|hướng dẫn|triển khai|kết luận|"
                     r"thông báo|đề nghị|yêu cầu)\b")

KINDS = (  # longest first
    "Chương trình hành động", "Chương trình", "Nghị quyết", "Kế hoạch", "Kết luận", "Chỉ thị",
    "Công văn", "Quyết định", "Thông báo", "Hướng dẫn", "Báo cáo", "Quy chế", "Quy định",
    "Đề án", "Thông tri", "Tờ trình", "Phương án", "Công điện",
)
KIND_CODES = {
    "NQ": "Nghị quyết", "KH": "Kế hoạch", "CTR": "Chương trình", "CTRHĐ": "Chương trình hành động",
    "KL": "Kết luận", "CT": "Chỉ thị", "CV": "Công văn", "QĐ": "Quyết định", "TB": "Thông báo",
    "HD": "Hướng dẫn", "BC": "Báo cáo", "QC": "Quy chế", "QĐI": "Quy định", "ĐA": "Đề án",
    "TT": "Thông tri", "TTR": "Tờ trình", "PA": "Phương án", "CĐ": "Công điện",
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
    addressee: str | None = None  # "Kính gửi: ..."
    lines: dict[str, tuple[int, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"number": self.number, "kind": self.kind, "issuer": self.issuer,
                "issued_on": self.issued_on, "place": self.place, "title": self.title,
                "implements": list(self.implements), "signer": self.signer}


def number_codes(number: str) -> tuple[str | None, str | None]:
    """('KH', 'ĐĐTLĐ') for '48-KH/ĐĐTLĐ', ('KH', 'TLĐ') for '300/KH-TLĐ', (None, 'CTK') for
    '17809/BTC-CTK'."""
    parts = [p for p in re.split(r"[-/]", number)[1:] if not p.isdigit()]
    if not parts:
        return None, None
    if parts[0].upper() in KIND_CODES:
        return parts[0], parts[-1] if len(parts) > 1 else None
    return None, parts[-1]


def read_header(layout: Layout, resolver: Resolver) -> Header:
    header = Header()
    zone = _zone(layout)
    meta = _metadata(zone)
    _number(zone, meta, header)
    _place_date(zone, meta, header)
    _annexed(layout, header)
    kind_para = _kind(zone, meta, header)
    from ingest.issuer import read_issuer

    read_issuer(layout, zone, meta, kind_para, header, resolver)
    _title(layout, zone, kind_para, header)
    _signer(layout, meta, header)
    _addressee(zone, header)
    _implements(zone, header)
    _warn_missing(header)
    return header


def _zone(layout: Layout) -> list[Para]:
    """Paragraphs before the first numbered item, and at most the first 80 lines."""
    nodes = _nodes(layout.outline)
    first_item = next((n.first_line for n in nodes if n.style not in (
        "heading", "root", "dash", "plus", "star")), None) or next(
        (n.first_line for n in nodes if n.style not in ("heading", "root")), layout.main_end + 1)
    top = min((p.first for p in layout.paragraphs), default=1) - 1  # after a web page's chrome
    end = min(first_item, top + 80) if first_item > top + 12 else top + 80
    return [p for p in layout.paragraphs if p.first < end and not layout.is_closing(p)]


def _nodes(node: Node) -> list[Node]:
    out: list[Node] = []
    for child in node.children:
        out += [child, *_nodes(child)]
    return out


def _metadata(zone: list[Para]) -> dict[str, Para]:
    """A site's 'Label:' cells and the cell after each ('Số hiệu:' | '17809/BTC-CTK')."""
    out: dict[str, Para] = {}
    for index, para in enumerate(zone[:-1]):
        if para.cell and para.text.endswith(":") and len(para.text) < 30:
            out[ascii_key(para.text).strip(" :")] = zone[index + 1]
    return out


def _number(zone: list[Para], meta: dict[str, Para], header: Header) -> None:
    """'Số: 48-KH/ĐĐTLĐ'; a site's 'Số hiệu:' cell; 'Số:' in one cell and the number in the
    next; else a title that names the document with its number ('KẾT LUẬN 155-KL/TW CỦA …')."""
    labelled = [meta[k] for k in ("so hieu", "so") if k in meta]
    for para in labelled + zone:
        m = _NUMBER_LINE.search(para.text) or (re.match(NUMBER, para.text) if any(
            para is v for v in labelled) else None)
        if m and (m.start() == 0 or len(para.text) < 80):
            header.number = number_of(m)
            header.lines["number"] = (para.first, para.last)
            return
    for para in zone[:6]:
        if not (is_upper_text(para.text) or para.bold):
            continue
        m = _TITLE_NUMBER.search(para.text)
        if m:
            header.number = number_of(m)
            header.lines["number"] = (para.first, para.last)
            return


def _place_date(zone: list[Para], meta: dict[str, Para], header: Header) -> None:
    for para in zone:
        m = _PLACE_DATE.search(para.text)
        if not m or len(para.text) > 90:
            continue
        if _set_date(header, m.group("y"), m.group("m"), m.group("d"), para):
            if m.group("place"):
                header.place = m.group("place").strip(" *")
                header.lines["place"] = (para.first, para.last)
            return
    value = meta.get("ngay ban hanh")
    if value is not None and (m := _NUM_DATE.match(value.text.strip())):
        _set_date(header, m.group("y"), m.group("m"), m.group("d"), value)


def _set_date(header: Header, y: str, mo: str, d: str, para: Para) -> bool:
    try:
        day = dt.date(int(y), int(mo), int(d))
    except ValueError:
        header.warnings.append(f"dòng {para.first}: ngày ban hành {d}/{mo}/{y} không tồn tại")
        return False
    header.issued_on = day.isoformat()
    header.lines["issued_on"] = (para.first, para.last)
    return True


def _annexed(layout: Layout, header: Header) -> None:
    """'(Kèm theo Công văn số 6225/BVHTTDL-VP ngày 18/11/2025 …)': a missing number/date."""
    if header.number and header.issued_on:
        return
    for para in layout.paragraphs:
        m = _ANNEXED.search(para.text)
        if not m:
            continue
        if not header.number:
            header.number = number_of(m)
            header.lines["number"] = (para.first, para.last)
            header.warnings.append(f"dòng {para.first}: số văn bản lấy từ câu «kèm theo»; "
                                   "kiểm tra lại")
            kind = kind_name(m.group("kind"))
            if kind and not header.kind:
                header.kind = kind
                header.lines["kind"] = (para.first, para.last)
        y, mo, d = (m.group("y") or m.group("y2"), m.group("m") or m.group("m2"),
                    m.group("d") or m.group("d2"))
        if not header.issued_on and y and _set_date(header, y, mo, d, para):
            header.warnings.append(f"dòng {para.first}: ngày ban hành lấy từ câu «kèm theo»; "
                                   "kiểm tra lại")
        return


def kind_name(text: str) -> str | None:
    key = ascii_key(text).strip(" *:")
    for kind in KINDS:
        kind_key = ascii_key(kind).lower()
        if key == kind_key or key.startswith(kind_key + " "):
            return kind
    return None


def _kind(zone: list[Para], meta: dict[str, Para], header: Header) -> Para | None:
    """The title line in any case ('KẾ HOẠCH', 'Nghị quyết của Bộ Chính trị'), else the
    metadata, the number's code, or 'Kính gửi' for a letter."""
    values = {id(p) for p in meta.values()}
    for para in zone:
        text = para.text
        if len(text) > 160 or not (is_upper_text(text) or para.bold or len(text) < 40) \
                or id(para) in values:
            continue
        kind = kind_name(text)
        if kind and not re.match(r"(?i)^.{0,30}\bsố\b", text):
            if not header.kind:
                header.kind = kind
                header.lines["kind"] = (para.first, para.last)
            return para
    value = meta.get("loai van ban")
    if not header.kind and value is not None and kind_name(value.text):
        header.kind = kind_name(value.text)
        header.lines["kind"] = (value.first, value.last)
    if not header.kind and header.number:
        code, _ = number_codes(header.number)
        if code:
            header.kind = KIND_CODES.get(code.upper())
            header.lines["kind"] = header.lines.get("number", (0, 0))
    if not header.kind and any(ascii_key(p.text).startswith(("kinh gui", "v/v")) for p in zone):
        header.kind = "Công văn"
        header.warnings.append("loại văn bản suy ra từ «Kính gửi»/«V/v»: Công văn; kiểm tra lại")
    return None


def _title(layout: Layout, zone: list[Para], kind_para: Para | None, header: Header) -> None:
    """The title: what follows the kind line ('Về …', 'Thực hiện …'), or the line before it."""
    if kind_para is None or kind_para not in zone:
        options = [p for p in zone if ascii_key(p.text).startswith(("v/v", "ve viec"))]
    else:
        index = zone.index(kind_para)
        options = zone[index + 1:index + 3] + zone[max(0, index - 1):index]
    for para in options:
        text = para.text.strip()
        key = ascii_key(text)
        if key.startswith(("can cu", "so ", "cua ", "noi nhan")) or _PLACE_DATE.search(text) \
                or not 8 <= len(text) <= 400 or kind_name(text):
            continue
        if is_upper_text(text):  # sentence case, the document's own names capitalised again
            names = proper_names([p.text for p in layout.paragraphs])
            if header.place:
                names.add(header.place)
            header.title = text[0] + recase(text[1:].lower(), names)
        else:
            header.title = text[0].upper() + text[1:]
        header.lines["title"] = (para.first, para.last)
        return


def _signer(layout: Layout, meta: dict[str, Para], header: Header) -> None:
    closing = [p for p in layout.paragraphs if layout.is_closing(p)]
    for para in reversed(closing):
        if _person_name(para.text):
            header.signer = para.text
            header.lines["signer"] = (para.first, para.last)
            return
    value = meta.get("nguoi ky")
    if value is not None and _person_name(value.text):
        header.signer = value.text
        header.lines["signer"] = (value.first, value.last)


def _person_name(text: str) -> bool:
    words = text.split()
    if not 2 <= len(words) <= 5:
        return False
    return all(w.isalpha() and w[0].isupper() and (len(w) == 1 or w[1:].islower())
               for w in words)


def _addressee(zone: list[Para], header: Header) -> None:
    for para in zone:
        m = re.match(r"(?i)^kính gửi\s*:\s*(.+)$", para.text)
        if m:
            header.addressee = m.group(1).strip(" .;")
            return


def _implements(zone: list[Para], header: Header) -> None:
    sentences: list[str] = []
    lines: list[int] = []
    for para in zone:
        if para.cell and len(para.text) < 40 or is_upper_text(para.text):
            continue
        for start, end in sentence_spans(para.text):
            sentences.append(para.text[start:end])
            lines.append(para.line_at(start))
    found = [n for n in implemented(sentences) if n.upper() != (header.number or "").upper()]
    header.implements = found
    if found:
        header.lines["implements"] = (min(lines), max(lines))


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


__all__ = ["Header", "KINDS", "KIND_CODES", "kind_name", "number_codes", "read_header"]
