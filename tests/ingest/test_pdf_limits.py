"""Nothing is rendered before it is measured (issue 18, item 5): a PDF page's size in points is
checked for every page when the file is opened, the pixels of a page to OCR before any page is
rendered, an image's declared size before it is decoded; the refusal names the file and the
page, through the drafter and the `cascade draft` command."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib

import pypdfium2 as pdfium
import pytest

from ingest.errors import DraftError
from ingest.ocr import OcrRun
from ingest.pdf import render_page
from ingest.reading import read_document

TEXT = b"Ke hoach trien khai thuc hien Nghi quyet cua Ban Chap hanh Tong Lien doan"


def minimal_pdf(*pages: tuple[int, bytes | None]) -> bytes:
    """A PDF written by hand: one page per (side in points, content stream or None); a
    content stream draws its text in Helvetica (a text layer pdfium reads)."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for side, content in pages:
        number = len(objects) + 1
        kids.append(b"%d 0 R" % number)
        resources = b" /Resources << /Font << /F1 << /Type /Font /Subtype /Type1 " \
                    b"/BaseFont /Helvetica >> >> >>" if content else b""
        contents = b" /Contents %d 0 R" % (number + 1) if content else b""
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d]%s%s >>"
                       % (side, side, resources, contents))
        if content:
            objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(kids), len(kids))
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1,
                                                                               xref)
    return bytes(out)


def text_stream(text: bytes = TEXT) -> bytes:
    return b"BT /F1 12 Tf 72 720 Td (%s) Tj ET" % text


HUGE = minimal_pdf((14400, None))  # a blank (scanned) page of 14,400 pt: 60,000² px at 300 dpi


@pytest.fixture
def no_render(monkeypatch):
    """Rendering a page fails the test: the checks must come first."""
    def render(*args, **kwargs):
        raise AssertionError("a page was rendered")

    monkeypatch.setattr(pdfium.PdfPage, "render", render)


def test_the_hand_written_pdf_is_tiny():
    """The attack costs the attacker under half a kilobyte."""
    assert len(HUGE) <= 418


def test_a_14400_pt_page_is_refused_before_anything_renders(tmp_path, no_render):
    """The scanned page of 14,400 pt: refused with its size, naming the file and the page."""
    path = tmp_path / "to-qua-lon.pdf"
    path.write_bytes(HUGE)
    with pytest.raises(DraftError) as refused:
        read_document(path)
    said = str(refused.value)
    assert "to-qua-lon.pdf (trang 1)" in said and "khổ quá lớn" in said
    assert "14.400 x 14.400 điểm" in said


def test_a_text_page_with_an_absurd_mediabox_is_refused_too(tmp_path, no_render):
    """A page with a text layer is never rendered, but its size is checked all the same (the
    second page here, after a sound A4 one)."""
    path = tmp_path / "trang-chu.pdf"
    path.write_bytes(minimal_pdf((595, text_stream()), (14400, text_stream())))
    with pytest.raises(DraftError, match=r"trang-chu\.pdf \(trang 2\): trang khổ quá lớn"):
        read_document(path)


def test_a_sound_text_pdf_is_still_read(tmp_path, no_render):
    """An A4 page with a text layer: read, nothing rendered."""
    path = tmp_path / "a4.pdf"
    path.write_bytes(minimal_pdf((595, text_stream())))
    assert "Ke hoach trien khai" in "\n".join(read_document(path).lines)


def test_render_page_checks_the_page_itself(tmp_path, no_render):
    """The one place a page is rendered refuses an oversized page on its own."""
    path = tmp_path / "x.pdf"
    path.write_bytes(minimal_pdf((3000, None)))  # under MAX_PAGE_POINTS, 12,500² px at 300 dpi
    pdf = pdfium.PdfDocument(str(path))
    try:
        with pytest.raises(DraftError, match=r"x \(trang 1\): trang khổ quá lớn, .* điểm ảnh"):
            render_page(pdf, 0, "x (trang 1)")
    finally:
        pdf.close()


def test_more_scanned_pages_than_the_bound_are_refused_before_any_ocr(tmp_path, no_render):
    """A job's page bound (OcrRun.max_pages): refused when the file is opened, no page read."""
    path = tmp_path / "hai-trang.pdf"
    path.write_bytes(minimal_pdf((595, None), (595, None)))
    with pytest.raises(DraftError, match=r"hơn 1 trang quét cần đọc bằng OCR, vượt giới hạn"):
        read_document(path, ocr=OcrRun(max_pages=1, command="/nonexistent/tesseract"))


def _png_header(width: int, height: int) -> bytes:
    """A PNG that declares `width` x `height` pixels and holds almost nothing."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    data = zlib.compress(b"\0" * 16)
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)) + struct.pack(">I", len(data)) + b"IDAT" + data
            + struct.pack(">I", zlib.crc32(b"IDAT" + data)) + b"\0\0\0\0IEND\xaeB`\x82")


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
@pytest.mark.parametrize("side", [9000, 30000])  # 81 Mpx (a warning in PIL), 900 Mpx (a bomb)
def test_an_image_declaring_too_many_pixels_is_refused_undecoded(tmp_path, side):
    """The image's header is read, its pixels are not: refused naming the file."""
    path = tmp_path / "anh.png"
    path.write_bytes(_png_header(side, side))
    with pytest.raises(DraftError, match=r"anh\.png.*vượt giới hạn 80\.000\.000 điểm ảnh"):
        read_document(path, ocr=OcrRun(command="/nonexistent/tesseract"))


def test_cascade_draft_refuses_the_huge_page_with_a_message(tmp_path):
    """`cascade draft` on the 14,400 pt page: exit 1, the reason in Vietnamese, no traceback."""
    path = tmp_path / "to-qua-lon.pdf"
    path.write_bytes(HUGE)
    run = subprocess.run([sys.executable, "-m", "cascade.cli", "draft", str(path)],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1, run.stderr
    assert "to-qua-lon.pdf (trang 1): trang khổ quá lớn" in run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""
