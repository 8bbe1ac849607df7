"""The bodies' e-mail addresses from a spreadsheet (.xlsx or .csv): `cascade contacts import`.

Columns, found by their heading (any order, case and tone marks aside): the body's id or its
name (one of them), its e-mail address(es) (several in one cell, or one row per address), and
optionally a phone number and a contact person. Every row is checked first; one bad row (a body
the registry lacks, a name that means several bodies, a malformed address, no address) and
nothing is written. A good sheet replaces the addresses of the bodies it names in the contacts
file (CASCADE_CONTACTS), keeps the other bodies' as they were, and writes the person and phone
as a comment on the body's line; the database's addresses follow when it is initialised (an
address a coordinator set in the console still wins there, and the table says so).
"""

from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from models.contacts import Contacts, valid_address
from models.registry import Registry

SUFFIXES = (".xlsx", ".csv")
HEADINGS = ("Mã đơn vị", "Tên đơn vị", "E-mail", "Điện thoại", "Người liên hệ")
_ALIASES = {
    "id": ("ma don vi", "ma", "id", "body_id", "body id", "ma dv"),
    "name": ("ten don vi", "don vi", "ten", "name", "body", "co quan"),
    "email": ("e-mail", "email", "thu dien tu", "dia chi e-mail", "dia chi email", "mail"),
    "phone": ("dien thoai", "so dien thoai", "phone", "sdt", "dt"),
    "person": ("nguoi lien he", "ho ten", "ho va ten", "person", "can bo"),
}
ADDED, CHANGED, SAME = "thêm", "đổi", "giữ nguyên"
MAX_ROWS = 5000


class ImportRefused(ValueError):
    """The sheet cannot be imported; `problems` says where (nothing was written)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("không nhập được danh bạ, chưa ghi gì:\n"
                         + "\n".join(f"  - {p}" for p in problems))


@dataclass
class Entry:
    body_id: str
    addresses: list[str] = field(default_factory=list)
    people: list[str] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    body_id: str
    name: str
    before: tuple[str, ...]
    after: tuple[str, ...]
    action: str
    console_kept: bool  # a coordinator's addresses in the console win over the file's


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFD", str(text).strip().lower()).replace("đ", "d")
    return " ".join("".join(c for c in text if not unicodedata.combining(c)).split())


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():  # a phone typed as a number
        value = int(value)
    return " ".join(str(value).split())


def read_rows(path: Path) -> list[list[str]]:
    """The sheet's rows as text (the first sheet of a workbook)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ImportRefused([f"{path.name}: cần tệp .xlsx hoặc .csv"])
    try:
        if suffix == ".csv":
            text = path.read_bytes().decode("utf-8-sig")
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t") if text.strip() else csv.excel
            return [[_cell(c) for c in row] for row in csv.reader(io.StringIO(text), dialect)]
        from openpyxl import load_workbook
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, InvalidFileException):
            raise ImportRefused([f"{path.name}: không đọc được, không phải bảng tính Excel "
                                 ".xlsx"]) from None
        try:
            sheet = book.worksheets[0]
            return [[_cell(c) for c in row] for row in sheet.iter_rows(values_only=True)]
        finally:
            book.close()
    except OSError as exc:
        raise ImportRefused([f"{path}: không đọc được ({exc.strerror})"]) from None
    except UnicodeDecodeError:
        raise ImportRefused([f"{path.name}: tệp .csv phải lưu bằng mã UTF-8"]) from None
    except (csv.Error, ValueError, KeyError, IndexError) as exc:
        raise ImportRefused([f"{path.name}: không đọc được bảng tính ({exc})"]) from None


def _columns(header: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, heading in enumerate(header):
        key = _fold(heading)
        for column, names in _ALIASES.items():
            if key in names and column not in found:
                found[column] = index
    return found


def parse_sheet(rows: list[list[str]], registry: Registry, source: str) -> dict[str, Entry]:
    """body id -> its entry; ImportRefused with every problem, one per row."""
    header_at = next((i for i, row in enumerate(rows) if any(row)), None)
    if header_at is None:
        raise ImportRefused([f"{source}: bảng tính trống"])
    columns = _columns(rows[header_at])
    missing = [] if ("id" in columns or "name" in columns) else ["mã đơn vị hoặc tên đơn vị"]
    missing += [] if "email" in columns else ["e-mail"]
    if missing:
        raise ImportRefused([f"{source}, dòng {header_at + 1}: thiếu cột {' và '.join(missing)} "
                             f"(tiêu đề cần có: {', '.join(HEADINGS)})"])
    if len(rows) - header_at - 1 > MAX_ROWS:
        raise ImportRefused([f"{source}: quá {MAX_ROWS:,} dòng"])
    entries: dict[str, Entry] = {}
    problems: list[str] = []

    def get(row: list[str], column: str) -> str:
        index = columns.get(column)
        return row[index] if index is not None and index < len(row) else ""

    for number, row in enumerate(rows[header_at + 1:], start=header_at + 2):
        if not any(row):
            continue
        where = f"dòng {number}"
        body_id = _body(get(row, "id"), get(row, "name"), registry, where, problems)
        raw = get(row, "email").replace(";", " ").replace(",", " ").split()
        bad = [a for a in raw if not valid_address(a)]
        if bad:
            problems.append(f"{where}: địa chỉ e-mail không hợp lệ: {', '.join(bad)}")
        elif not raw:
            problems.append(f"{where}: chưa có địa chỉ e-mail")
        if body_id is None or bad or not raw:
            continue
        entry = entries.setdefault(body_id, Entry(body_id))
        entry.addresses += [a.lower() for a in raw if a.lower() not in entry.addresses]
        for value, into in ((get(row, "person"), entry.people), (get(row, "phone"), entry.phones)):
            if value and value not in into:
                into.append(value)
    if problems:
        raise ImportRefused([f"{source}, {p}" for p in problems])
    if not entries:
        raise ImportRefused([f"{source}: không có dòng nào có đơn vị và e-mail"])
    return entries


def _body(given_id: str, name: str, registry: Registry, where: str,
          problems: list[str]) -> str | None:
    if given_id:
        if given_id in registry.bodies:
            return given_id
        close = registry.suggest(given_id)
        hint = f" (có phải: {', '.join(close)}?)" if close else ""
        problems.append(f"{where}: mã đơn vị «{given_id}» không có trong sổ đăng ký{hint}")
        return None
    if not name:
        problems.append(f"{where}: thiếu mã đơn vị hoặc tên đơn vị")
        return None
    found = [ref for ref in registry.lookup(name) if ref in registry.bodies]
    if len(found) == 1:
        return found[0]
    if found:
        problems.append(f"{where}: tên «{name}» ứng với nhiều đơn vị ({', '.join(found)}): "
                        "ghi mã đơn vị")
    else:
        problems.append(f"{where}: đơn vị «{name}» không có trong sổ đăng ký (xem `cascade "
                        "bodies`), hoặc là một nhóm: mỗi dòng một đơn vị")
    return None


def plan_changes(entries: dict[str, Entry], current: Contacts, registry: Registry,
                 console_edited: set[str]) -> list[Change]:
    """What the import changes, body by body, in the registry's order."""
    kept = {} if current.is_example else current.addresses
    changes = []
    for body_id in registry.bodies:
        if body_id not in entries:
            continue
        before, after = tuple(kept.get(body_id, ())), tuple(entries[body_id].addresses)
        action = ADDED if not before else SAME if before == after else CHANGED
        changes.append(Change(body_id, registry.label(body_id), before, after, action,
                              body_id in console_edited))
    return changes


def contacts_yaml(entries: dict[str, Entry], current: Contacts, registry: Registry) -> str:
    """The contacts file after the import: the sheet's bodies as given, the others kept."""
    kept = {} if current.is_example else dict(current.addresses)
    lines = ["# Địa chỉ e-mail của các đơn vị (mã đơn vị: [địa chỉ, ...]), ghi bởi",
             "# `cascade contacts import`; người liên hệ và điện thoại ở chú thích cuối dòng.", ""]
    for body_id in [*registry.bodies, *sorted(set(kept) - set(registry.bodies))]:
        entry = entries.get(body_id)
        addresses = entry.addresses if entry else list(kept.get(body_id, ()))
        if not addresses:
            continue
        note = [registry.label(body_id) if body_id in registry.bodies else body_id]
        if entry and entry.people:
            note.append("người liên hệ: " + ", ".join(entry.people))
        if entry and entry.phones:
            note.append("điện thoại: " + ", ".join(entry.phones))
        comment = "; ".join(note).replace("\n", " ")
        lines.append(f"{body_id}: [{', '.join(addresses)}]  # {comment}")
    return "\n".join(lines) + "\n"


def write_template(path: Path, registry: Registry, current: Contacts) -> int:
    """A spreadsheet to fill: one row per body with its id, name and current addresses."""
    if path.suffix.lower() not in SUFFIXES:
        raise ImportRefused([f"{path.name}: mẫu là tệp .xlsx hoặc .csv"])
    if path.exists():
        raise ImportRefused([f"{path} đã có: chọn tên khác, không ghi đè"])
    known = {} if current.is_example else current.addresses
    rows = [[b.id, b.name, ", ".join(known.get(b.id, ())), "", ""] for b in registry.bodies.values()]
    if path.suffix.lower() == ".csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows([list(HEADINGS), *rows])
        path.write_text(buffer.getvalue(), encoding="utf-8-sig")
        return len(rows)
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Danh bạ"
    sheet.append(list(HEADINGS))
    for row in rows:
        sheet.append(row)
    for column, width in zip("ABCDE", (30, 60, 40, 16, 28), strict=True):
        sheet.column_dimensions[column].width = width
    book.save(path)
    return len(rows)
