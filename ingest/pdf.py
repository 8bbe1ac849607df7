"""A .pdf -> one text per page: the text layer through pypdfium2, OCR for pages without one.

A page whose text layer holds almost nothing (a scan) is read by Tesseract (ingest/ocr.py:
rendered at 300 dpi when its turn comes, the pages in parallel, through the OCR cache when one
is given); the draft then says which pages were OCR'd.

Nothing is rendered before it is measured: every page's size in points is checked when the
file is opened (a 418-byte PDF may declare a 14,400 pt page, 60,000² pixels at 300 dpi), the
pixels of each page to OCR before any is read, and `render_page` (the only place a page is
rendered) checks both again.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.errors import DraftError
from ingest.limits import MAX_IMAGE_PIXELS, MAX_OCR_PAGES, MAX_PAGE_POINTS, MAX_PDF_PAGES
from ingest.reading import Pages
from models.vocabulary import vi_number

if TYPE_CHECKING:
    from ingest.ocr import OcrRun

MIN_TEXT_CHARS = 40  # fewer letters than this on a page: it is a scan


DPI = 300  # what a scanned page is rendered at for Tesseract (ingest/ocr.py)


def pdf_pages(path: Path, ocr: OcrRun | None = None) -> Pages:
    texts, scans = _text_layers(path, ocr.max_pages if ocr else MAX_OCR_PAGES)
    if scans:
        from ingest.ocr import OcrRun, PageJob, default_command, read_scans

        run = ocr or OcrRun()
        command = run.command or default_command()
        jobs = [PageJob("pdf", str(path), index, f"{path} (trang {index + 1})", command)
                for index in scans]
        for index, text in zip(scans, read_scans(path, jobs, run), strict=True):
            texts[index] = text
    return Pages(texts=texts, ocr_pages=[index + 1 for index in scans])


def check_page(where: str, width: float, height: float, *, rendered: bool) -> None:
    """DraftError unless a page of `width` x `height` points is a sane size, and, when it is to
    be `rendered`, holds no more than MAX_IMAGE_PIXELS pixels at DPI."""
    if not all(math.isfinite(v) and v > 0 for v in (width, height)):
        raise DraftError(f"{where}: trang có khổ không hợp lệ ({width} x {height} điểm); tệp .pdf "
                         "hỏng, hãy xuất lại tệp")
    if max(width, height) > MAX_PAGE_POINTS:
        raise DraftError(f"{where}: trang khổ quá lớn, {vi_number(round(width))} x "
                         f"{vi_number(round(height))} điểm (pt), vượt giới hạn "
                         f"{vi_number(MAX_PAGE_POINTS)} điểm mỗi cạnh; hãy xuất lại tệp ở khổ A4")
    pixels = math.ceil(width * DPI / 72) * math.ceil(height * DPI / 72)
    if rendered and pixels > MAX_IMAGE_PIXELS:
        raise DraftError(f"{where}: trang khổ quá lớn, {vi_number(pixels)} điểm ảnh ở {DPI} dpi, "
                         f"vượt giới hạn {vi_number(MAX_IMAGE_PIXELS)} điểm ảnh; quét lại ở khổ A4")


def render_page(pdf: Any, index: int, where: str) -> Any:
    """Page `index` of an open pdfium document as a greyscale PIL image at DPI, once its size
    is checked (the only place a page is rendered)."""
    page = pdf[index]
    try:
        width, height = page.get_size()
        check_page(where, width, height, rendered=True)
        bitmap = page.render(scale=DPI / 72, grayscale=True)
        try:
            return bitmap.to_pil().convert("L")  # a copy: the bitmap is freed below
        finally:
            bitmap.close()
    finally:
        page.close()


def _text_layers(path: Path, max_scans: int) -> tuple[list[str], dict[int, tuple[float, float]]]:
    """Each page's text layer, and the pages that are scans (index -> size in points); every
    page's size checked before its text is read, every scan's pixels before any is rendered."""
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
            where = f"{path} (trang {index + 1})"
            try:
                width, height = page.get_size()
                check_page(where, width, height, rendered=False)
                text = _text_layer(page)
                if sum(c.isalpha() for c in text) < MIN_TEXT_CHARS:
                    if len(scans) >= max_scans:
                        raise DraftError(f"{path}: hơn {max_scans} trang quét cần đọc bằng "
                                         "OCR, vượt giới hạn; tách văn bản")
                    check_page(where, width, height, rendered=True)
                    scans[index] = (width, height)
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
