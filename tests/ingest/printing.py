"""Print a text to PDF the way a coordinator receives it: a text PDF, or a scan (images only).

Rendered with DejaVu Sans (Debian's fonts-dejavu-core), which has every Vietnamese letter.
Used by the PDF/OCR tests and by benchmarks/draft.py.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from ingest.text import clean_line

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
PAGE = (2480, 3508)  # A4 at 300 dpi
MARGIN = 160
FONT_PX = 40
LINE_PX = 60
WIDTH_CHARS = 92


def printed_lines(text: str) -> list[str]:
    """The lines as printed: markdown marks gone, long paragraphs wrapped."""
    out: list[str] = []
    for raw in text.split("\n"):
        line = clean_line(raw)
        out.extend(textwrap.wrap(line, WIDTH_CHARS) or [""])
    return out


def text_pdf(text: str, target: Path) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVu", "", str(FONT))
    pdf.set_font("DejaVu", size=10)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    for line in printed_lines(text):
        pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
    pdf.output(str(target))
    return target


def page_images(text: str) -> list:  # type: ignore[type-arg]
    from PIL import Image, ImageDraw, ImageFont

    font = ImageFont.truetype(str(FONT), FONT_PX)
    per_page = (PAGE[1] - 2 * MARGIN) // LINE_PX
    lines = printed_lines(text)
    pages = []
    for first in range(0, len(lines), per_page):
        image = Image.new("L", PAGE, 255)
        draw = ImageDraw.Draw(image)
        for index, line in enumerate(lines[first:first + per_page]):
            draw.text((MARGIN, MARGIN + index * LINE_PX), line, font=font, fill=0)
        pages.append(image)
    return pages


def image_pdf(text: str, target: Path) -> Path:
    """An image-only PDF (no text layer), like a scanner's."""
    pages = page_images(text)
    pages[0].save(str(target), "PDF", resolution=300.0, save_all=True, append_images=pages[1:])
    return target
