"""Input limits: refused quickly, with a Vietnamese message naming the limit, nothing drafted."""

import zipfile

import docx
import pytest

from ingest.command import run_draft
from ingest.draft import draft_document, draft_text
from ingest.errors import DraftError
from ingest.limits import MAX_DOCX_PART_BYTES, MAX_TEXT_CHARS
from models.registry import load_registry
from tests.conftest import ROOT
from tests.ingest.printing import FONT, text_pdf

REGISTRY = load_registry(ROOT / "config" / "bodies.yaml")

PLAN = ("TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM\nSố: 15/KH-TLĐ\nHà Nội, ngày 4 tháng 3 năm 2024\n"
        "KẾ HOẠCH\nVề tập huấn\nIII. TỔ CHỨC THỰC HIỆN\n")


def _bomb(path, size):
    """A valid .docx whose word/document.xml inflates to `size` bytes of spaces."""
    document = docx.Document()
    document.add_paragraph("Kế hoạch")
    document.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            if name != "word/document.xml":
                target.writestr(name, data)
        with target.open("word/document.xml", "w") as handle:
            chunk = b" " * (1 << 20)
            for _ in range(size >> 20):
                handle.write(chunk)


def test_docx_bomb_is_refused_before_it_is_inflated(tmp_path, capsys):
    """A small .docx declaring a part larger than the limit is refused at once, exit 1."""
    path = tmp_path / "bom.docx"
    _bomb(path, MAX_DOCX_PART_BYTES + (8 << 20))
    assert path.stat().st_size < 2 << 20
    assert run_draft(path, fmt="json", output=tmp_path / "out.json", registry=REGISTRY) == 1
    err = capsys.readouterr().err
    assert "zip bomb" in err and "word/document.xml" in err and "25 MB" in err
    assert not (tmp_path / "out.json").exists()


def test_long_text_is_refused_quickly(tmp_path, registry):
    """A text over the length limit (a plan pasted many times) is refused, not drafted."""
    text = PLAN + "1. Ban Tổ chức chủ trì tập huấn cán bộ trong Quý III/2024.\n" * (
        MAX_TEXT_CHARS // 50)
    path = tmp_path / "dai.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DraftError, match="vượt giới hạn 1.000.000 ký tự"):
        draft_document(path, registry)


def test_too_many_assignments_are_refused(monkeypatch, registry):
    """More assignments than the limit: a message naming the limit."""
    import ingest.draft

    monkeypatch.setattr(ingest.draft, "MAX_ASSIGNMENTS", 2)
    text = PLAN + "".join(f"{n}. Ban Tổ chức chủ trì việc số {n}.\n1{n}. Ban Tài chính chủ trì "
                          f"việc {n}.\n" for n in range(1, 4))
    with pytest.raises(DraftError, match="vượt giới hạn 2 việc"):
        draft_text(text, "nhieu.txt", registry)


@pytest.mark.skipif(not FONT.exists(), reason="fonts-dejavu-core not installed")
def test_too_many_pdf_pages_are_refused(monkeypatch, tmp_path, registry):
    """A PDF with more pages than the limit is refused before any page is read."""
    import ingest.pdf

    monkeypatch.setattr(ingest.pdf, "MAX_PDF_PAGES", 1)
    path = text_pdf(PLAN + "Nội dung.\n" * 120, tmp_path / "dai.pdf")
    with pytest.raises(DraftError, match="vượt giới hạn 1 trang"):
        draft_document(path, registry)


def test_big_file_is_refused_by_size(monkeypatch, tmp_path, registry):
    """A file larger than the file limit is refused from its size alone."""
    import ingest.reading

    monkeypatch.setattr(ingest.reading, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "to.txt"
    path.write_text(PLAN * 40, encoding="utf-8")
    with pytest.raises(DraftError, match="vượt giới hạn"):
        draft_document(path, registry)
