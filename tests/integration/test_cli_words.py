"""What the command line says: Vietnamese labels only, dates as users write them, numbers typed
without accents, Typer's own errors in Vietnamese, notices once, tables within 80 columns."""

from __future__ import annotations

import json
import re

import pytest

from tests.conftest import TEMPLATE_48, cli_runner

DAYS = ["--deadline", "III.1=12-15", "--deadline", "III.2=12-15"]
ENGLISH = re.compile(r"\b(acknowledge|request-extension|grant-extension|assigned|acknowledged|"
                     r"in_progress|cli|system|launch|provincial_federation|department|lead|"
                     r"cooperating)\b")


@pytest.fixture
def launched(cli):
    cli("launch", TEMPLATE_48, *DAYS, "--at", "2023-07-20T09:00")
    return cli


def hanoi_task(cli) -> int:
    [row] = [r for r in json.loads(cli("status", "--body", "ldld_ha_noi", "--format", "json").stdout)]
    return row["id"]


def fits_80_columns(text: str) -> bool:
    return max(len(line) for line in text.splitlines()) <= 80


def test_history_shows_vietnamese_labels_only(launched):
    """Actions, channels, statuses and who acted are labels and names, never codes."""
    tid = hanoi_task(launched)
    launched("task", tid, "acknowledge", "--by", "ldld_ha_noi", "--note", "Đã nhận")
    launched("task", tid, "request-extension", "--by", "ldld_ha_noi", "--until", "15/12/2023")
    launched("task", tid, "grant-extension")
    out = launched("history", tid, columns=200).stdout
    flat = " ".join(out.split())
    for words in ("giao nhiệm vụ", "xác nhận đã nhận", "xin gia hạn đến ngày 15/12/2023",
                  "đồng ý gia hạn", "dòng lệnh", "khởi chạy", "Liên đoàn Lao động Thành phố Hà Nội",
                  "đã giao → đã nhận"):
        assert words in flat, words
    assert not ENGLISH.search(out) and "ldld_ha_noi" not in out
    assert fits_80_columns(launched("history", tid).stdout)
    events = json.loads(launched("history", tid, "--format", "json").stdout)
    assert [e["action"] for e in events] == ["assign", "acknowledge", "request-extension",
                                            "grant-extension"]  # codes stay for scripts


def test_bodies_show_kind_labels(cli):
    """`cascade bodies` says "LĐLĐ tỉnh, thành phố", not provincial_federation; ids in a column."""
    out = cli("bodies", "--kind", "provincial_federation").stdout
    assert "LĐLĐ tỉnh, thành phố" in out and "provincial_federation" not in out
    assert "ldld_ha_noi" in out and fits_80_columns(out)
    everything = cli("bodies").stdout
    assert "ban Tổng Liên đoàn" in everything and not re.search(r"\bdepartment\b", everything)


def test_dates_are_accepted_as_users_write_them(launched):
    """--until 15/12/2023 and 2023-12-15 are the same day; +15 counts from the deadline."""
    tid = hanoi_task(launched)
    launched("task", tid, "request-extension", "--by", "ldld_ha_noi", "--until", "15/12/2023")
    launched("task", tid, "refuse-extension")
    launched("task", tid, "request-extension", "--by", "ldld_ha_noi", "--until", "+15")
    data = json.loads(launched("task", tid, "grant-extension", "--format", "json").stdout)
    assert data["to"] == "in_progress"
    [row] = json.loads(launched("status", "--body", "ldld_ha_noi", "--format", "json").stdout)
    assert row["due_on"] == "2023-12-15"  # 30/11/2023 + 15 days
    bad = launched("task", tid, "extend", "--until", "31/02/2024", code=2)
    assert "không có thật" in bad.stderr and "--until" in bad.stderr


def test_directive_numbers_match_without_accents_and_suggest(launched):
    """"48-kh/ddtld" finds 48-KH/ĐĐTLĐ; a near miss suggests it."""
    rows = json.loads(launched("status", "48-kh/ddtld", "--format", "json").stdout)
    assert len(rows) == 83 and rows[0]["directive"] == "48-KH/ĐĐTLĐ"
    missed = launched("status", "48-KH/DDTL", code=1).stderr
    assert "chưa khởi chạy văn bản 48-KH/DDTL" in missed and "có phải 48-KH/ĐĐTLĐ?" in missed
    assert "có phải 48-KH/ĐĐTLĐ?" in launched("report", "48KH/DDTL", code=1).stderr


def test_typer_errors_and_help_are_vietnamese(cli):
    """Usage errors and the help page of Typer itself speak Vietnamese; exit 2."""
    bad_id = cli("task", "abc", "acknowledge", code=2).stderr
    assert "số nhiệm vụ 'abc' không đúng" in bad_id
    no_option = cli("status", "--bogus", code=2).stderr
    assert "Cách dùng: cascade status" in no_option and "không có tùy chọn --bogus" in no_option
    assert "Xem 'cascade status --help' để được hướng dẫn." in no_option
    typo = cli("statu", code=2).stderr
    assert "không có lệnh 'statu'; có phải 'status'?" in typo
    missing = cli("history", code=2).stderr
    assert "thiếu tham số 'ID'" in missing
    below = cli("dispatch", "--batch-size", "0", code=2).stderr
    assert "giá trị không hợp lệ cho '--batch-size': phải lớn hơn hoặc bằng 1" in below
    page = cli("task", "--help").stdout
    assert "Cách dùng:" in page and "Hiện trợ giúp này rồi thoát." in page and "Tùy chọn" in page
    for english in ("Usage:", "Show this message", "Error:", "Try '", "Options"):
        assert english not in page + bad_id + no_option + typo + missing + below, english


def test_a_declined_confirmation_exits_0_and_writes_nothing(cli):
    """Answering no to "Khởi chạy?" is the user's choice, not an error."""
    from tests.conftest import ROOT

    doc = ROOT / "tests" / "fixtures" / "documents" / "chi-thi-sao-luc.txt"
    result = cli("launch", doc, "--review", input="\nn\n")
    assert "Đã hủy, không ghi gì." in result.stdout and "Lỗi" not in result.output
    assert "Aborted" not in result.output
    assert json.loads(cli("status", "--format", "json").stdout) == []


def test_registry_notice_is_shown_once_per_registry_change(make_app, tmp_path):
    """The possibly incomplete groups are pointed out at the first init, not on every launch."""
    cli = cli_runner(make_app(), tmp_path)
    first = " ".join(cli("init").stdout.split())
    assert "nhóm có thể chưa đủ thành viên" in first
    assert "nhóm có thể chưa đủ thành viên" not in cli("init").stdout
    launched = cli("launch", TEMPLATE_48, *DAYS)
    assert "chưa đủ thành viên" not in launched.output
    # a changed registry (here: another registry file) is pointed out again
    from tests.conftest import ROOT

    changed = tmp_path / "bodies.yaml"
    changed.write_text((ROOT / "config" / "bodies.yaml").read_text(encoding="utf-8")
                       .replace("Ban Tuyên giáo Tổng Liên đoàn", "Ban Tuyên giáo Tổng Liên đoàn Lao động", 1),
                       encoding="utf-8")
    again = cli_runner(make_app(CASCADE_REGISTRY=str(changed)), tmp_path)("init").stdout
    assert "nhóm có thể chưa đủ thành viên" in " ".join(again.split())


def test_tables_fit_80_columns(launched):
    """status, outbox, history, bodies: no line wider than 80 columns (text wraps instead)."""
    tid = hanoi_task(launched)
    from tests.conftest import TEMPLATE_45

    for args in (("status", "48-KH/ĐĐTLĐ"), ("status",), ("outbox",), ("history", tid),
                 ("bodies",), ("launch", TEMPLATE_45, "--deadline", "III.1=12-15", "--dry-run")):
        assert fits_80_columns(launched(*args).stdout), args
