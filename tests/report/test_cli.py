"""`cascade report`: formats, files written atomically, the default .docx name, errors."""

import json

import pytest
from docx import Document

from reports.render import default_name

AT = "2023-12-12T10:00"


@pytest.fixture
def cli(cli, scenario):
    """The shared `cascade` runner, on the report scenario's database."""
    return cli


def test_json_to_stdout(cli):
    """--format json prints the summary with the totals and the roll-up."""
    data = json.loads(cli("report", "48-KH/ĐĐTLĐ", "--at", AT, "--format", "json").stdout)
    assert data["total"]["tasks"] == 85 and data["child_cascades"] == 2
    assert data["overall"]["overdue"] == 49


def test_html_to_file(cli, tmp_path):
    """-o writes the HTML file and says where; nothing is left behind but the file."""
    out = cli("report", "48-KH/ĐĐTLĐ", "--at", AT, "-o", tmp_path / "r.html").stdout
    assert "r.html" in out and "85 nhiệm vụ" not in out  # overall: 88 with the child plans
    assert "88 nhiệm vụ" in out
    assert "<h1>BÁO CÁO</h1>" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix in (".html", ".tmp")) == ["r.html"]


def test_docx_without_output_writes_in_the_working_directory(cli, tmp_path):
    """--format docx with no -o writes bao-cao-48-KH-ĐĐTLĐ.docx here and names it."""
    out = cli("report", "48-KH/ĐĐTLĐ", "--at", AT, "--format", "docx").stdout
    path = tmp_path / "bao-cao-48-KH-ĐĐTLĐ.docx"
    assert path.exists() and str(path) in out.replace("\n", "")
    assert "BÁO CÁO" in [p.text for p in Document(str(path)).paragraphs]


def test_unknown_directive_writes_nothing(cli, tmp_path):
    """An unknown directive: Vietnamese error, exit 1, no file."""
    result = cli("report", "99-KH/XX", "--format", "docx", "-o", tmp_path / "x.docx", code=1)
    assert "chưa khởi chạy văn bản 99-KH/XX" in result.stderr
    assert not (tmp_path / "x.docx").exists()


def test_bad_format_is_refused(cli):
    """--format pdf is refused with the formats to choose from."""
    assert "html, docx, json" in cli("report", "48-KH/ĐĐTLĐ", "--format", "pdf", code=2).stderr


def test_default_docx_name_is_safe():
    """Slashes and spaces become hyphens; Vietnamese letters stay."""
    assert default_name("48-KH/ĐĐTLĐ", "docx") == "bao-cao-48-KH-ĐĐTLĐ.docx"
    assert default_name("300/KH-TLĐ", "docx") == "bao-cao-300-KH-TLĐ.docx"
