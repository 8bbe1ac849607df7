"""Tesseract OCR (Vietnamese model) through pytesseract, for scanned PDFs and images.

Tesseract is a Debian program, not a Python package: when it or its Vietnamese model is
missing the message names the Debian packages to install. Pages are read one at a time so a
scan never holds more than one page image in memory.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.errors import DraftError
from ingest.limits import MAX_IMAGE_PIXELS, MAX_OCR_PAGES
from ingest.reading import Pages
from models.vocabulary import vi_number

LANGUAGE = "vie"
DPI = 300
_CONFIG = "--psm 4"  # a single column of text of variable sizes: a directive's page
_checked = False


def tesseract() -> Any:
    """The pytesseract module, once Tesseract and its Vietnamese model are known present."""
    global _checked
    try:
        import pytesseract
    except ImportError:
        raise DraftError("văn bản là bản quét (ảnh) nên cần đọc bằng OCR, nhưng thiếu gói Python "
                         "pytesseract; cài: pip install pytesseract") from None
    if _checked:
        return pytesseract
    try:
        languages = pytesseract.get_languages(config="")
    except pytesseract.TesseractNotFoundError:
        raise DraftError("văn bản là bản quét (ảnh) nên cần đọc bằng OCR, nhưng máy chưa cài "
                         "Tesseract; cài gói Debian: apt-get install tesseract-ocr "
                         "tesseract-ocr-vie") from None
    except Exception as exc:  # a broken installation
        raise DraftError(f"không chạy được Tesseract OCR ({type(exc).__name__}); kiểm tra gói "
                         "Debian tesseract-ocr") from None
    if LANGUAGE not in languages:
        raise DraftError("Tesseract chưa có mô hình tiếng Việt; cài gói Debian: apt-get install "
                         "tesseract-ocr-vie")
    _checked = True
    return pytesseract


def ocr_image(image: Any, *, where: str) -> str:
    """The Vietnamese text of one page image (a PIL image)."""
    engine = tesseract()
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise DraftError(f"{where}: ảnh {width}x{height} điểm vượt giới hạn "
                         f"{vi_number(MAX_IMAGE_PIXELS)} điểm ảnh; quét lại ở 300 dpi")
    try:
        text = engine.image_to_string(image.convert("L"), lang=LANGUAGE, config=_CONFIG)
    except Exception as exc:  # pytesseract wraps Tesseract's own failures
        raise DraftError(f"{where}: Tesseract không đọc được ảnh ({type(exc).__name__})") from None
    return str(text).replace("\f", "\n")


def image_pages(path: Path) -> Pages:
    """A scanned image (.png, .jpg, .tif; every frame of a multi-page TIFF) read by OCR."""
    try:
        from PIL import Image, ImageSequence
    except ImportError:  # pragma: no cover - pillow comes with pytesseract
        raise DraftError("cần gói Python pillow để đọc ảnh quét (pip install pillow)") from None
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    texts: list[str] = []
    try:
        with Image.open(path) as image:
            for index, frame in enumerate(ImageSequence.Iterator(image), start=1):
                if index > MAX_OCR_PAGES:
                    raise DraftError(f"{path}: ảnh có hơn {MAX_OCR_PAGES} trang, vượt giới hạn "
                                     "đọc bằng OCR; tách tệp")
                texts.append(ocr_image(frame, where=f"{path} (trang {index})"))
    except DraftError:
        raise
    except Image.DecompressionBombError:
        raise DraftError(f"{path}: ảnh vượt giới hạn {vi_number(MAX_IMAGE_PIXELS)} điểm ảnh; quét lại "
                         "ở 300 dpi") from None
    except (OSError, ValueError) as exc:
        raise DraftError(f"{path}: không mở được ảnh ({exc})") from None
    return Pages(texts=texts, ocr_pages=list(range(1, len(texts) + 1)))
