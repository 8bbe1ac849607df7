"""`cascade draft`: output on stdout or -o, clear errors and nothing written on bad input."""

import json
import subprocess
import sys

import docx
import pytest

from ingest.command import run_draft
from models.registry import load_registry
from tests.ingest.conftest import DOCUMENTS, ROOT, SHARED

REGISTRY = load_registry(ROOT / "config" / "bodies.yaml")


def test_json_on_stdout_is_exactly_the_contract(capsys):
    """--format json prints only the JSON contract (UTF-8, not ASCII-escaped)."""
    assert run_draft(DOCUMENTS / "chi-thi-sao-luc.txt", fmt="json", output=None, registry=REGISTRY) == 0
    out = capsys.readouterr().out
    draft = json.loads(out)
    assert set(draft) == {"directive", "assignments", "targets", "warnings", "ocr_pages"}
    assert set(draft["directive"]) == {"number", "kind", "issuer", "issued_on", "place", "title",
                                       "implements", "signer"}
    assert set(draft["assignments"][0]) == {"ref", "lead", "cooperating", "report_to", "task",
                                            "deadline", "source", "flags"}
    assert "Chỉ thị" in out


def test_output_file_written(tmp_path, capsys):
    """-o FILE writes the YAML draft there and nothing on stdout."""
    target = tmp_path / "draft.yaml"
    assert run_draft(DOCUMENTS / "chi-thi-sao-luc.txt", fmt="yaml", output=target, registry=REGISTRY) == 0
    assert capsys.readouterr().out == ""
    assert target.read_text(encoding="utf-8").startswith("# Bản nháp")


def _bad_inputs(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "fake.docx").write_bytes(b"not a zip")
    (tmp_path / "noise.txt").write_text("xin chào và cảm ơn các bạn rất nhiều\n" * 3)
    return [tmp_path / "empty.txt", tmp_path / "binary.txt", tmp_path / "fake.docx",
            tmp_path / "noise.txt", DOCUMENTS / "tieng-anh.txt", tmp_path / "missing.md"]


@pytest.mark.parametrize("index", range(6))
def test_bad_input_fails_cleanly(tmp_path, capsys, index):
    """Empty, binary, fake .docx, nothing recognisable, English, missing: message, exit 1,
    nothing written."""
    path = _bad_inputs(tmp_path)[index]
    target = tmp_path / "out.yaml"
    assert run_draft(path, fmt="yaml", output=target, registry=REGISTRY) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("Lỗi: ") and path.name in captured.err
    assert not target.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_header_without_assignments_drafts_with_a_warning(capsys):
    """A notice with a header and no assignment gives its header and a warning, exit 0."""
    assert run_draft(DOCUMENTS / "khong-co-phan-giao-viec.txt", fmt="json", output=None,
                     registry=REGISTRY) == 0
    draft = json.loads(capsys.readouterr().out)
    assert draft["directive"]["number"] == "10/TB-TLĐ"
    assert draft["directive"]["kind"] == "Thông báo"
    assert draft["assignments"] == []
    assert any("không tìm thấy việc giao" in w for w in draft["warnings"])


def test_unknown_format_is_a_usage_error(capsys):
    """--format xml is refused with exit 2."""
    assert run_draft(DOCUMENTS / "chi-thi-sao-luc.txt", fmt="xml", output=None, registry=REGISTRY) == 2
    assert "yaml hoặc json" in capsys.readouterr().err


def test_docx_with_numbering_drafts(tmp_path, capsys):
    """A Word directive with automatic numbering drafts its numbered assignments."""
    document = docx.Document()
    for text in ("TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM", "Số: 15/KH-TLĐ",
                 "Hà Nội, ngày 4 tháng 3 năm 2024", "KẾ HOẠCH", "Về tập huấn cán bộ",
                 "III. TỔ CHỨC THỰC HIỆN"):
        document.add_paragraph(text)
    document.add_paragraph("Ban Tổ chức chủ trì mở lớp tập huấn trong Quý III/2024.",
                           style="List Number")
    document.add_paragraph("Ban Tài chính phối hợp bố trí kinh phí.", style="List Number")
    path = tmp_path / "ke-hoach.docx"
    document.save(path)
    assert run_draft(path, fmt="json", output=None, registry=REGISTRY) == 0
    draft = json.loads(capsys.readouterr().out)
    assert draft["directive"]["number"] == "15/KH-TLĐ"
    assert [(a["ref"], a["lead"], a["cooperating"], a["deadline"]["rule"])
            for a in draft["assignments"]] == [
        ("III.1", ["tld_ban_to_chuc"], [], "2024-Q3"),
        ("III.2", [], ["tld_ban_tai_chinh"], None)]


@pytest.mark.skipif(not SHARED.exists(), reason="shared directives not present")
def test_cli_entry_point_runs():
    """The installed `cascade draft` command prints JSON for a shared directive."""
    run = subprocess.run(
        [sys.executable, "-m", "cascade.cli", "draft",
         str(SHARED / "48-KH-DDTLD-2023-nghi-quyet-20.txt"), "--format", "json"],
        capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["directive"]["number"] == "48-KH/ĐĐTLĐ"
