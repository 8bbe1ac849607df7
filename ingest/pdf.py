"""A .pdf -> one text per page: the text layer through pypdfium2, OCR for pages without one.

A page whose text layer holds almost nothing (a scan) is rendered at 300 dpi and read by
Tesseract (ingest/ocr.py); the draft then says which pages were OCR'd.
"""

from __future__ import annotations

from pathlib import Path

from ingest.errors import DraftError
from ingest.limits import MAX_OCR_PAGES, MAX_PDF_PAGES
from ingest.reading import Pages

MIN_TEXT_CHARS = 40  # fewer letters than this on a page: it is a scan


def pdf_pages(path: Path) -> Pages:
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
        ocr: list[int] = []
        for index in range(count):
            page = pdf[index]
            try:
                text = _text_layer(page)
                if sum(c.isalpha() for c in text) < MIN_TEXT_CHARS:
                    if len(ocr) >= MAX_OCR_PAGES:
                        raise DraftError(f"{path}: hơn {MAX_OCR_PAGES} trang quét cần đọc bằng "
                                         "OCR, vượt giới hạn; tách văn bản")
                    text = _ocr_page(page, where=f"{path} (trang {index + 1})")
                    ocr.append(index + 1)
                texts.append(text)
            finally:
                page.close()
    finally:
        pdf.close()
    return Pages(texts=texts, ocr_pages=ocr)


def _text_layer(page) -> str:  # type: ignore[no-untyped-def]
    textpage = page.get_textpage()
    try:
        text = textpage.get_text_range()
    finally:
        textpage.close()
    return str(text).replace("\r\n", "\n").replace("\r", "\n")


def _ocr_page(page, *, where: str) -> str:  # type: ignore[no-untyped-def]
    from ingest.ocr import DPI, ocr_image, tesseract

    tesseract()  # fail with the install message before rendering anything
    bitmap = page.render(scale=DPI / 72, grayscale=True)
    try:
        image = bitmap.to_pil()
        return ocr_image(image, where=where)
    finally:
        bitmap.close()
