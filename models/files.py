"""Files a body attaches to its report: which kinds are taken (read from the content, never
from the name), what makes a name safe, the size and count limits, and the file store port.

Pure: the checks read a seekable file object and put it back where they found it; the stores
(services/file_store.py) do the writing.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import BinaryIO, Protocol

from models.vocabulary import FILE_KIND, file_size


@dataclass(frozen=True)
class FileType:
    kind: str  # FILE_KIND key
    mime: str
    suffixes: tuple[str, ...]

    @property
    def label(self) -> str:
        return FILE_KIND[self.kind]


FILE_TYPES = {t.kind: t for t in (
    FileType("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
             (".docx",)),
    FileType("pdf", "application/pdf", (".pdf",)),
    FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    FileType("jpeg", "image/jpeg", (".jpg", ".jpeg")),
    FileType("png", "image/png", (".png",)),
)}
SUFFIXES = {s: t for t in FILE_TYPES.values() for s in t.suffixes}
ACCEPTED = ", ".join(s for t in FILE_TYPES.values() for s in t.suffixes)  # for messages and forms
MAX_NAME = 180  # characters
# Contents that are none of the accepted kinds but common enough to name in a refusal.
_KNOWN_OTHERS = ((b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "tệp Office đời cũ (.doc, .xls)"),
                 (b"GIF8", "ảnh GIF"), (b"MZ", "chương trình chạy được (.exe)"),
                 (b"Rar!", "tệp nén RAR"), (b"\x1f\x8b", "tệp nén gzip"),
                 (b"{\\rtf", "tệp RTF"))
# Bidirectional controls: invisible, and they make "cod.exe" read as "exe.doc".
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_WINDOWS_RESERVED = str.maketrans({c: "_" for c in '<>:"|?*'})


class FileRefused(ValueError):
    """A file cannot be attached; the message names the file and says what to do."""


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: the name the sender's computer gave it, its content (seekable)."""

    name: str
    content: BinaryIO
    size: int


@dataclass(frozen=True)
class CheckedFile:
    """A file that may be stored: its safe name, its type read from the content, its size."""

    name: str
    type: FileType
    size: int
    content: BinaryIO


@dataclass(frozen=True)
class UploadLimits:
    max_bytes: int  # per file
    max_files: int  # per report


def safe_name(raw: str) -> str:
    """The name to keep: NFC, trimmed, Windows-reserved characters replaced. Raises
    FileRefused for what no real file name holds: control characters, a path (/, \\, ..)."""
    name = unicodedata.normalize("NFC", raw or "").strip()
    if not name:
        raise FileRefused("một tệp không có tên: đặt tên cho tệp rồi chọn lại")
    shown = "".join("\ufffd" if _is_control(c) else c for c in name)
    if any(_is_control(c) for c in name):
        raise FileRefused(f"tên tệp «{shown}» có ký tự điều khiển (ký tự ẩn): đổi tên tệp chỉ "
                          "gồm chữ, số, dấu cách, gạch ngang rồi chọn lại")
    if "/" in name or "\\" in name or name.startswith(".."):
        raise FileRefused(f"tên tệp «{shown}» chứa đường dẫn thư mục (/, \\ hoặc ..): chỉ gửi "
                          "tên tệp, đổi tên rồi chọn lại")
    if len(name) > MAX_NAME:
        raise FileRefused(f"tên tệp «{name[:40]}…» dài {len(name)} ký tự, tối đa {MAX_NAME}: "
                          "đặt tên ngắn hơn")
    return name.translate(_WINDOWS_RESERVED)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" or ch in _BIDI


def sniff(content: BinaryIO) -> str | None:
    """The FILE_TYPES kind of `content`, read from its bytes (None: none of them)."""
    start = content.tell()
    try:
        head = content.read(8)
        if head.startswith(b"%PDF-"):
            return "pdf"
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return "png"
        if head.startswith(b"\xff\xd8\xff"):
            return "jpeg"
        if head.startswith(b"PK\x03\x04"):
            content.seek(start)
            return _office_kind(content)
        return None
    finally:
        content.seek(start)


def _office_kind(content: BinaryIO) -> str | None:
    """.docx and .xlsx are zip packages; the parts they must hold tell them apart."""
    try:
        with zipfile.ZipFile(content) as package:
            names = set(package.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def describe_content(content: BinaryIO) -> str:
    """What the bytes are, for a refusal: 'ảnh PNG', 'tệp nén ZIP', 'không rõ loại'."""
    kind = sniff(content)
    if kind is not None:
        return FILE_TYPES[kind].label
    start = content.tell()
    head = content.read(8)
    content.seek(start)
    if head.startswith(b"PK\x03\x04"):
        return "tệp nén ZIP"
    for magic, label in _KNOWN_OTHERS:
        if head.startswith(magic):
            return label
    return "không rõ loại (có thể là văn bản thường hoặc tệp hỏng)"


def check_label(upload: Upload, limits: UploadLimits) -> tuple[str, FileType]:
    """What can be checked without reading the content: a safe name, an accepted suffix, not
    empty, within the size limit. The safe name and the type the suffix says; FileRefused."""
    name = safe_name(upload.name)
    suffix = PurePosixPath(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise FileRefused(f"tệp «{name}»: chỉ nhận tệp {ACCEPTED}")
    if upload.size == 0:
        raise FileRefused(f"tệp «{name}» rỗng (0 byte): chọn đúng tệp báo cáo")
    if upload.size > limits.max_bytes:
        raise FileRefused(f"tệp «{name}» nặng {file_size(upload.size)}, vượt giới hạn "
                          f"{file_size(limits.max_bytes)} mỗi tệp: nén ảnh hoặc tách tệp")
    return name, SUFFIXES[suffix]


def check_content(upload: Upload, name: str, expected: FileType) -> CheckedFile:
    """The content is of the kind its name says (a Word or Excel package within the zip limits,
    which are read before the package's list of parts); FileRefused."""
    if expected.kind in ("docx", "xlsx"):
        problem = zip_problem(upload.content)
        if problem is not None:
            raise FileRefused(f"tệp «{name}» {problem}: lưu lại tệp bằng Word hoặc Excel rồi "
                              "chọn lại")
    if sniff(upload.content) != expected.kind:
        raise FileRefused(f"tệp «{name}»: tên là tệp {expected.label} nhưng nội dung là "
                          f"{describe_content(upload.content)}; chọn đúng tệp hoặc sửa phần "
                          "đuôi tên tệp")
    return CheckedFile(name, expected, upload.size, upload.content)


def check_upload(upload: Upload, limits: UploadLimits) -> CheckedFile:
    """The file, checked: `check_label`, then `check_content`. Raises FileRefused."""
    name, expected = check_label(upload, limits)
    return check_content(upload, name, expected)


# A Word or Excel package holds tens to a few thousand parts; a zip bomb holds many more, or
# parts that expand far beyond the file. Both are refused before the parts are listed.
MAX_ZIP_ENTRIES = 5000
MAX_UNZIPPED = 512 * 1024 * 1024
_EOCD = b"PK\x05\x06"


def zip_entries(content: BinaryIO) -> int | None:
    """The number of parts a zip's end record declares (read from its last 64 KB, without
    listing them); None when there is no end record; a ZIP64 package counts as too many."""
    start = content.tell()
    try:
        content.seek(0, 2)
        size = content.tell()
        content.seek(max(0, size - 65_557))
        tail = content.read()
    finally:
        content.seek(start)
    at = tail.rfind(_EOCD)
    if at < 0 or len(tail) < at + 22:
        return None
    count = int.from_bytes(tail[at + 10:at + 12], "little")
    return MAX_ZIP_ENTRIES + 1 if count == 0xFFFF else count


def zip_problem(content: BinaryIO) -> str | None:
    """Why a zip package is refused (too many parts, too large once unpacked), or None."""
    count = zip_entries(content)
    if count is not None and count > MAX_ZIP_ENTRIES:
        return f"gồm {count:,} phần nén bên trong (tối đa {MAX_ZIP_ENTRIES:,})".replace(",", ".")
    start = content.tell()
    try:
        with zipfile.ZipFile(content) as package:
            infos = package.infolist()
            if len(infos) > MAX_ZIP_ENTRIES:
                return f"gồm {len(infos)} phần nén bên trong (tối đa {MAX_ZIP_ENTRIES})"
            unpacked = sum(info.file_size for info in infos)
    except (zipfile.BadZipFile, OSError, ValueError):
        return None  # not a zip: the kind check says what it is
    finally:
        content.seek(start)
    if unpacked > MAX_UNZIPPED:
        return (f"khi giải nén nặng {file_size(unpacked)}, vượt {file_size(MAX_UNZIPPED)} "
                "(có thể là tệp nén độc hại)")
    return None


def check_count(count: int, limits: UploadLimits) -> None:
    if count > limits.max_files:
        raise FileRefused(f"chọn {count} tệp, mỗi báo cáo tối đa {limits.max_files} tệp: gộp "
                          "tệp hoặc bớt tệp")


# --- The file store port -----------------------------------------------------------------------


@dataclass(frozen=True)
class StoredContent:
    sha256: str
    size: int


@dataclass(frozen=True)
class Staged:
    """A content written whole under a temporary name, not yet under its own (`publish`)."""

    sha256: str
    size: int
    ticket: str  # the store's name for the temporary copy


class FileStore(Protocol):
    """Where reported files live, once per content (named by their SHA-256).

    `put` writes atomically: after a crash the content is either whole under its name or
    absent. Storing the same content twice keeps one copy. `stage` does the writing of `put`
    (before a transaction begins), `publish` only names it (inside the transaction, before the
    rows naming it commit), `discard` drops what was staged and not published.
    """

    description: str

    def put(self, content: BinaryIO) -> StoredContent: ...

    def stage(self, content: BinaryIO) -> Staged: ...

    def publish(self, staged: Staged) -> StoredContent: ...

    def discard(self, staged: Staged) -> None: ...

    def exists(self, sha256: str) -> bool: ...

    def open(self, sha256: str) -> BinaryIO: ...

    def contents(self) -> Iterator[tuple[str, dt.datetime]]:
        """Every stored content and when it was stored (to clean orphans)."""
        ...

    def remove(self, sha256: str) -> None: ...
