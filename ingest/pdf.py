"""A .pdf -> one text per page: the text layer through pypdfium2, OCR for pages without one.

A page whose text layer holds almost nothing (a scan) is read by Tesseract (ingest/ocr.py:
rendered at 300 dpi when its turn comes, the pages in parallel, through the OCR cache when one
is given); the draft then says which pages were OCR'd.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import DraftError
from ingest.limits import MAX_IMAGE_PIXELS, MAX_OCR_PAGES, MAX_PDF_PAGES
from ingest.reading import Pages
from models.vocabulary import vi_number

if TYPE_CHECKING:
    from ingest.ocr import OcrRun

MIN_TEXT_CHARS = 40  # fewer letters than this on a page: it is a scan


def pdf_pages(path: Path, ocr: OcrRun | None = None) -> Pages:
    texts, scans = _text_layers(path)
    if scans:
        from ingest.ocr import DPI, OcrRun, PageJob, default_command, read_scans

        for index, (width, height) in scans.items():
            pixels = round(width * DPI / 72) * round(height * DPI / 72)
            if pixels > MAX_IMAGE_PIXELS:
                raise DraftError(f"{path} (trang {index + 1}): trang khổ quá lớn, {vi_number(pixels)}"
                                 f" điểm ảnh ở {DPI} dpi, vượt giới hạn {vi_number(MAX_IMAGE_PIXELS)}"
                                 " điểm ảnh")
        run = ocr or OcrRun()
        command = run.command or default_command()
        jobs = [PageJob("pdf", str(path), index, f"{path} (trang {index + 1})", command)
                for index in scans]
        for index, text in zip(scans, read_scans(path, jobs, run), strict=True):
            texts[index] = text
    return Pages(texts=texts, ocr_pages=[index + 1 for index in scans])


def scanned_pages(path: Path) -> int:
    """How many pages of the PDF at `path` need OCR (DraftError if it cannot be read)."""
    return len(_text_layers(path)[1])


def _text_layers(path: Path) -> tuple[list[str], dict[int, tuple[float, float]]]:
    """Each page's text layer, and the pages that are scans (index -> size in points)."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - declared dependency
        raise DraftError("cần gói Python pypdfium2 để đọc tệp .pdf (pip install pypdfium2)") from None
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise DraftError(f"{path}: tệp .pdf hỏng hoặc có mật khẩu ({exc})") from None
    try:
        count = len(pdf)
        if count == 0:
            raise DraftError(f"{path}: tệp .pdf không có trang nào")
        if count > MAX_PDF_PAGES:
            raise DraftError(f"{path}: tệp .pdf có {count} trang, vượt giới hạn {MAX_PDF_PAGES} "
                             "trang của một văn bản; tách văn bản hoặc bỏ phụ lục")
        texts: list[str] = []
        scans: dict[int, tuple[float, float]] = {}
        for index in range(count):
            page = pdf[index]
            try:
                text = _text_layer(page)
                if sum(c.isalpha() for c in text) < MIN_TEXT_CHARS:
                    if len(scans) >= MAX_OCR_PAGES:
                        raise DraftError(f"{path}: hơn {MAX_OCR_PAGES} trang quét cần đọc bằng "
                                         "OCR, vượt giới hạn; tách văn bản")
                    scans[index] = page.get_size()
                    text = ""
                texts.append(text)
            finally:
                page.close()
    finally:
        pdf.close()
    return texts, scans


def _text_layer(page) -> str:  # type: ignore[no-untyped-def]
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
    finally:
        textpage.close()
    return str(text).replace("\r\n", "\n").replace("\r", "\n")
