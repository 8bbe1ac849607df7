""".txt, .md, .docx, .pdf or a scanned page -> the document's numbered lines, within limits.

Every reader returns text; this module decodes, checks the limits (file size, text length),
normalises each line (NFC, tone marks, OCR slips, no control characters) and refuses what is
not a directive text. Word, PDF and OCR readers are imported only for their own formats, so
`cascade draft` on a text file stays light.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import DraftError
from ingest.limits import MAX_FILE_BYTES, MAX_TEXT_CHARS, megabytes
from ingest.normalise import normalise_text
from models.vocabulary import vi_number

if TYPE_CHECKING:
    from ingest.ocr import OcrRun

TEXT_SUFFIXES = (".txt", ".md", ".markdown", ".text")
WORD_SUFFIXES = (".docx",)
PDF_SUFFIXES = (".pdf",)
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")
SUFFIXES = TEXT_SUFFIXES + WORD_SUFFIXES + PDF_SUFFIXES + IMAGE_SUFFIXES


@dataclass(frozen=True)
class Document:
    name: str
    lines: tuple[str, ...]  # lines[0] is line 1
    ocr_pages: tuple[int, ...] = ()  # pages read by OCR (1-based)
    page_of_line: tuple[int, ...] = field(default=(), repr=False)  # page of each line, if paged

    def line(self, number: int) -> str:
        return self.lines[number - 1]

    def ocr_line(self, number: int) -> bool:
        """True when line `number` comes from a page read by OCR."""
        if not self.ocr_pages or not self.page_of_line or number > len(self.page_of_line):
            return bool(self.ocr_pages) and not self.page_of_line
        return self.page_of_line[number - 1] in self.ocr_pages


@dataclass(frozen=True)
class Pages:
    """What a paged reader (PDF, image) gives: one text per page and which pages were OCR'd."""

    texts: list[str]
    ocr_pages: list[int]


def read_document(path: Path, *, ocr: OcrRun | None = None) -> Document:
    """Read `path` into numbered lines; DraftError says why a file cannot be used. `ocr`: how
    scanned pages are read (progress, cache, workers; ingest/ocr.py)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".doc":
        raise DraftError(f"{path}: tệp Word cũ (.doc) chưa được hỗ trợ; hãy lưu lại thành .docx")
    if suffix not in SUFFIXES:
        raise DraftError(f"{path}: định dạng {suffix or '(không có đuôi)'} không được hỗ trợ; "
                         "dùng .txt, .md, .docx, .pdf hoặc ảnh quét .png/.jpg")
    size = _size(path)
    if size == 0:
        raise DraftError(f"{path}: tệp rỗng, không có nội dung để soạn")
    if size > MAX_FILE_BYTES:
        raise DraftError(f"{path}: tệp {megabytes(size)} vượt giới hạn {megabytes(MAX_FILE_BYTES)}"
                         " của một văn bản; tách văn bản hoặc bỏ phần phụ lục số liệu")
    if suffix in PDF_SUFFIXES + IMAGE_SUFFIXES:
        return _paged(path, suffix, ocr)
    raw = _read_bytes(path)
    if not raw.strip():
        raise DraftError(f"{path}: tệp rỗng, không có nội dung để soạn")
    if suffix in WORD_SUFFIXES:
        from ingest.word import word_text

        text = word_text(path, raw)
    else:
        text = _plain_text(path, raw)
    return document_from_text(path.name, text, where=str(path))


def document_from_text(name: str, text: str, *, where: str | None = None,
                       pages: Pages | None = None) -> Document:
    """Numbered, normalised lines of `text`; DraftError when too long or empty."""
    where = where or name
    if len(text) > MAX_TEXT_CHARS:
        raise DraftError(f"{where}: văn bản dài {vi_number(len(text))} ký tự, vượt giới hạn "
                         f"{vi_number(MAX_TEXT_CHARS)} ký tự của một văn bản chỉ đạo; tách văn bản hoặc "
                         "bỏ phần phụ lục số liệu")
    lines = tuple(normalise_line(line) for line in text.split("\n"))
    if not any(line.strip() for line in lines):
        raise DraftError(f"{where}: tệp không có nội dung chữ để soạn")
    if pages is None:
        return Document(name=name, lines=lines)
    page_of_line: list[int] = []
    for number, page_text in enumerate(pages.texts, start=1):
        page_of_line.extend([number] * (page_text.count("\n") + 1))
    return Document(name=name, lines=lines, ocr_pages=tuple(pages.ocr_pages),
                    page_of_line=tuple(page_of_line[:len(lines)]))


_UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")


def normalise_line(line: str) -> str:
    """NFC, new tone marks, OCR slips, no control characters or odd spaces."""
    line = unicodedata.normalize("NFC", line).replace("\u00a0", " ").replace("\t", " ")
    line = line.replace("\u200b", "").replace("\ufeff", "")
    return normalise_text(_UNPRINTABLE.sub(" ", line)).rstrip()


def _size(path: Path) -> int:
    try:
        if path.is_dir():
            raise DraftError(f"{path}: là một thư mục, không phải tệp")
        return path.stat().st_size
    except FileNotFoundError:
        raise DraftError(f"{path}: không tìm thấy tệp") from None
    except OSError as exc:
        raise DraftError(f"{path}: không đọc được tệp ({exc.strerror})") from None


def _read_bytes(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise DraftError(f"{path}: không đọc được tệp ({exc.strerror})") from None
    if len(raw) > MAX_FILE_BYTES:  # grew since stat
        raise DraftError(f"{path}: tệp vượt giới hạn {megabytes(MAX_FILE_BYTES)}")
    return raw


def _paged(path: Path, suffix: str, ocr: OcrRun | None) -> Document:
    if suffix in PDF_SUFFIXES:
        from ingest.pdf import pdf_pages

        pages = pdf_pages(path, ocr)
    else:
        from ingest.ocr import image_pages

        pages = image_pages(path, ocr)
    return document_from_text(path.name, "\n".join(pages.texts), where=str(path), pages=pages)


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
    sample = text[:200_000]
    controls = sum(1 for c in sample if unicodedata.category(c) == "Cc" and c not in "\n\r\t\f")
    return controls / max(len(sample), 1)
