"""PDF input: the text layer, and a scanned (image-only) PDF read by Tesseract OCR.

A shared directive is printed to both kinds of PDF and each draft is scored against the same
expectation with the shared scorer's own functions (../shared/tools/score_draft.py).
"""

import importlib.util
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from ingest.draft import draft_document
from ingest.errors import DraftError
from tests.ingest.conftest import ROOT, SHARED
from tests.ingest.printing import FONT, image_pdf, page_images, text_pdf

TOOLS = ROOT.parent / "shared" / "tools" / "score_draft.py"
EXPECTED = ROOT.parent / "shared" / "expected"
DOCUMENT = "45-KH-DDTLD-2023-nghi-quyet-29.txt"


def _tesseract_vie() -> bool:
    if not shutil.which("tesseract"):
        return False
    run = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True)
    return "vie" in run.stdout.split()


needs_shared = pytest.mark.skipif(not (SHARED.exists() and TOOLS.exists()),
                                  reason="shared directives or scorer not present")
needs_font = pytest.mark.skipif(not FONT.exists(), reason="fonts-dejavu-core not installed")
needs_ocr = pytest.mark.skipif(not _tesseract_vie(), reason="tesseract-ocr-vie not installed")


@pytest.fixture(scope="module")
def scorer():
    spec = importlib.util.spec_from_file_location("score_draft", TOOLS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _score(scorer, draft):
    expect = json.loads((EXPECTED / (Path(DOCUMENT).stem + ".json")).read_text(encoding="utf-8"))
    reg = scorer.Registry(scorer.REGISTRY)
    return scorer.score(expect, json.loads(json.dumps(draft)), reg)


@needs_shared
@needs_font
def test_text_pdf_drafts_like_the_text(tmp_path, registry, scorer):
    """A PDF with a text layer is read without OCR and scores like the .txt."""
    text = (SHARED / DOCUMENT).read_text(encoding="utf-8")
    draft = draft_document(text_pdf(text, tmp_path / "kh.pdf"), registry)
    assert draft["ocr_pages"] == []
    result = _score(scorer, draft)
    assert result["found"] / result["required"] >= 0.9, result["misses"]
    assert result["header_ok"], result["misses"]


@needs_shared
@needs_font
@needs_ocr
@pytest.mark.slow
def test_scanned_pdf_is_read_by_ocr(tmp_path, registry, scorer):
    """An image-only PDF goes through Tesseract; the draft names its OCR'd pages, flags the
    assignments read from them, finds the whole issuer, the number and the date, and still
    finds at least 80 % of the assignments. (Printed with its header in two columns, as on
    paper: tests/ingest/test_ocr_scans.py.)"""
    text = (SHARED / DOCUMENT).read_text(encoding="utf-8")
    draft = draft_document(image_pdf(text, tmp_path / "scan.pdf"), registry)
    assert draft["ocr_pages"] == list(range(1, len(page_images(text)) + 1))
    header = draft["directive"]
    assert (header["issuer"], header["number"], header["issued_on"]) == (
        "tld_dang_doan", "45-KH/ĐĐTLĐ", "2023-05-23")
    assert any("OCR" in w for w in draft["warnings"])
    assert all("ocr" in a["flags"] for a in draft["assignments"])
    result = _score(scorer, draft)
    assert result["found"] / result["required"] >= 0.8, result["misses"]


@needs_font
@needs_ocr
def test_scanned_image_is_read_by_ocr(tmp_path, registry):
    """A .png scan of a short plan is drafted through OCR."""
    text = ("TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM\nSố: 15/KH-TLĐ\nHà Nội, ngày 4 tháng 3 năm 2024\n"
            "KẾ HOẠCH\nVề tập huấn cán bộ\nIII. TỔ CHỨC THỰC HIỆN\n"
            "1. Ban Tổ chức chủ trì mở lớp tập huấn trong Quý III/2024.\n")
    path = tmp_path / "scan.png"
    page_images(text)[0].save(path)
    draft = draft_document(path, registry)
    assert draft["ocr_pages"] == [1]
    assert draft["directive"]["number"] == "15/KH-TLĐ"
    assert [(a["lead"], a["deadline"]["rule"]) for a in draft["assignments"]] == [
        (["tld_ban_to_chuc"], "2024-Q3")]


def test_missing_tesseract_names_the_debian_package(monkeypatch, tmp_path, registry):
    """Without Tesseract the message says which Debian packages to install."""
    import pytesseract

    import ingest.ocr as ocr

    def missing(*args, **kwargs):
        raise pytesseract.TesseractNotFoundError()

    monkeypatch.setattr(ocr, "_checked", False)
    monkeypatch.setattr(pytesseract, "get_languages", missing)
    with pytest.raises(DraftError, match="tesseract-ocr-vie"):
        ocr.tesseract()


def test_corrupt_pdf_is_refused(tmp_path, registry):
    """A file named .pdf that is not a PDF gives a clear message."""
    path = tmp_path / "x.pdf"
    path.write_bytes(b"%PDF-1.4 not really")
    with pytest.raises(DraftError, match=".pdf"):
        draft_document(path, registry)
