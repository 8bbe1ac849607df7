"""`cascade launch DOC --review`: draft, show, settle flagged items, confirm, launch."""

import json

import pytest
from typer.testing import CliRunner

from cascade.cli import app
from tests.conftest import ROOT

DOC = ROOT / "tests" / "fixtures" / "documents" / "chi-thi-sao-luc.txt"


@pytest.fixture
def run(make_app):
    app_ = make_app()

    def invoke(*args, input=None):
        return CliRunner().invoke(app, [str(a) for a in args], input=input,
                                  catch_exceptions=False, obj=app_)

    return invoke


def tasks(run):
    result = run("status", "--format", "json")
    return json.loads(result.stdout) if result.exit_code == 0 else []


def test_a_document_without_review_or_yes_is_refused(run):
    """A document is not a template: launching it needs --review (or --yes)."""
    result = run("launch", DOC)
    assert result.exit_code == 1 and "--review" in result.stderr
    assert tasks(run) == []


def test_yes_refuses_flagged_items_and_writes_nothing(run):
    """--yes never guesses: the unspecified 'các ban liên quan' blocks the launch."""
    result = run("launch", DOC, "--yes")
    assert result.exit_code == 1
    assert "II.1 cooperating" in result.stderr and "cascade draft" in result.stderr
    assert tasks(run) == []


def test_review_settles_flags_then_launches_on_confirmation(run):
    """The coordinator names the co-operating body, confirms, and the cascade is launched."""
    result = run("launch", DOC, "--review", input="tld_ban_tai_chinh\ny\n")
    assert result.exit_code == 0, result.output
    assert "Đã khởi chạy 05-CT/TLĐ" in result.stdout
    rows = [r for r in tasks(run) if r["ref"] == "II.1"]
    assert sorted((r["body"], r["role"]) for r in rows) == [
        ("tld_ban_quan_he_lao_dong", "lead"), ("tld_ban_tai_chinh", "cooperating")]
    assert rows[0]["due_on"] == "2024-05-03"  # relative:issued+30d from 3/4/2024


def test_review_reasks_an_unknown_id_and_can_drop(run):
    """An unknown id is asked again; an empty answer drops the unspecified set."""
    result = run("launch", DOC, "--review", input="ban_khong_co\n\ny\n")
    assert result.exit_code == 0, result.output
    assert "Không dùng được: ban_khong_co" in result.stderr
    assert {r["role"] for r in tasks(run) if r["ref"] == "II.1"} == {"lead"}


def test_declining_the_confirmation_writes_nothing(run):
    """Answering no at the prompt leaves the database untouched."""
    result = run("launch", DOC, "--review", input="\nn\n")
    assert result.exit_code == 0 and "Đã hủy, không ghi gì" in result.stdout
    assert "Lỗi" not in result.output
    assert tasks(run) == []
