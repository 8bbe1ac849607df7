"""Print a directive as a scanner gives it: an A4 page at 300 dpi whose header stands in two
columns (the organ and its number on the left; the motto, the place and date on the right),
then the title and the body across the page, in a serif face like the printed document.

Used by the OCR tests (tests/ingest/test_ocr_scans.py) and by benchmarks/ocr.py. Each shared
document gets its header as it is printed on paper (`HEADERS`): the .txt of ../shared gives the
two columns one after the other, which is not how Tesseract sees a scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
BOLD = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf")
PAGE = (2480, 3508)  # A4 at 300 dpi
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 240, 180, 200
BODY_PX, HEAD_PX = 44, 42
LINE_PX = 70
LEFT_CENTRE, RIGHT_CENTRE = 0.28, 0.66  # where each header column is centred, of the width


@dataclass(frozen=True)
class Header:
    """A header as printed: each line (text, bold); `start` is the body's first line in the .txt
    (the header lines before it, and a receipt stamp, are not printed again)."""

    left: tuple[tuple[str, bool], ...]
    right: tuple[tuple[str, bool], ...]
    start: str
    title: tuple[str, ...] = ()  # lines printed before the .txt's body (a title it puts later)


HEADERS = {
    "45-KH-DDTLD-2023-nghi-quyet-29.txt": Header(
        left=(("BAN CHẤP HÀNH TRUNG ƯƠNG", False), ("ĐẢNG ĐOÀN TỔNG LIÊN ĐOÀN", True),
              ("LAO ĐỘNG VIỆT NAM", True), ("*", False), ("Số 45 - KH/ĐĐTLĐ", False)),
        right=(("ĐẢNG CỘNG SẢN VIỆT NAM", True), ("", False), ("", False), ("", False),
               ("Hà Nội, ngày 23 tháng 5 năm 2023", False)),
        start="## KẾ HOẠCH",
        title=("KẾ HOẠCH", "Thực hiện Nghị quyết số 29 – NQ/TW ngày 17/11/2022 của Ban Chấp hành "
               "Trung ương Đảng (khóa XIII) về tiếp tục đẩy mạnh công nghiệp hóa, hiện đại hóa đất "
               "nước đến năm 2030, tầm nhìn đến năm 2045")),
    "141-KH-UBND-2025-bac-ninh.txt": Header(
        left=(("ỦY BAN NHÂN DÂN", True), ("TỈNH BẮC NINH", True), ("", False),
              ("Số: 141/KH-UBND", False)),
        right=(("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", True),
               ("Độc lập - Tự do - Hạnh phúc", True), ("", False),
               ("Bắc Ninh, ngày 20 tháng 11 năm 2025", False)),
        start="**KẾ HOẠCH**"),
}


def _clean(line: str) -> str:
    line = re.sub(r"^#+\s*", "", line).replace("<br>", " ")
    line = re.sub(r"\*+", "", line) if line.strip() != "*" else line
    return re.sub(r"\s+", " ", line).replace("|", "").strip()


def body_lines(text: str, header: Header) -> list[tuple[str, bool]]:
    """The title and body as printed (bold where the .txt marks a whole line bold)."""
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip() == header.start)
    if header.title:
        first += 1
    out: list[tuple[str, bool]] = [(t, i == 0) for i, t in enumerate(header.title)]
    for raw in lines[first:]:
        bold = raw.strip().startswith("**") and raw.strip().endswith("**") or raw.startswith("#")
        out.append((_clean(raw), bold))
    return out


def _wrap(text: str, font, width: int) -> list[str]:  # type: ignore[no-untyped-def]
    words, lines, line = text.split(), [], ""
    for word in words:
        candidate = f"{line} {word}".strip()
        if font.getlength(candidate) <= width or not line:
            line = candidate
        else:
            lines.append(line)
            line = word
    return lines + [line] if line else lines or [""]


def scan_pages(text: str, header: Header, *, max_pages: int | None = None) -> list:  # type: ignore[type-arg]
    """The pages (PIL images, 8-bit grey) of `text` printed under `header`."""
    from PIL import Image, ImageDraw, ImageFont

    fonts = {(size, bold): ImageFont.truetype(str(BOLD if bold else FONT), size)
             for size in (BODY_PX, HEAD_PX) for bold in (False, True)}
    pages = []
    image = Image.new("L", PAGE, 255)
    draw = ImageDraw.Draw(image)
    width = PAGE[0]
    for column, centre in ((header.left, LEFT_CENTRE), (header.right, RIGHT_CENTRE)):
        for row, (line, bold) in enumerate(column):
            font = fonts[(HEAD_PX, bold)]
            x = centre * width - font.getlength(line) / 2
            draw.text((x, MARGIN_TOP + row * LINE_PX), line, font=font, fill=0)
    y = MARGIN_TOP + (max(len(header.left), len(header.right)) + 1) * LINE_PX
    for index, (paragraph, bold) in enumerate(body_lines(text, header)):
        font = fonts[(BODY_PX, bold)]
        wrapped = _wrap(paragraph, font, width - 2 * MARGIN_X)
        for line in wrapped:
            if y + LINE_PX > PAGE[1] - MARGIN_BOTTOM:
                pages.append(image)
                if max_pages and len(pages) >= max_pages:
                    return pages
                image = Image.new("L", PAGE, 255)
                draw = ImageDraw.Draw(image)
                y = MARGIN_TOP
            centred = index < len(header.title) or bold and len(wrapped) == 1 and \
                paragraph.isupper()
            x = (width - font.getlength(line)) / 2 if centred else MARGIN_X
            draw.text((x, y), line, font=font, fill=0)
            y += LINE_PX
    pages.append(image)
    return pages[:max_pages] if max_pages else pages


def scan_pdf(pages: list, target: Path) -> Path:  # type: ignore[type-arg]
    """An image-only PDF of `pages` (no text layer), as a scanner writes it."""
    pages[0].save(str(target), "PDF", resolution=300.0, save_all=True, append_images=pages[1:])
    return target
