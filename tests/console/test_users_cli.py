"""`cascade users list` prints a table a person reads (one line per account, with headings),
and --format json gives the same accounts for a program."""

from __future__ import annotations

import json

import pytest

from tests.conftest import cli_runner
from tests.console.conftest import PASSWORD


@pytest.fixture
def cli(make_app, tmp_path):
    run = cli_runner(make_app(), tmp_path)
    run("init")
    run("users", "add", "dieuphoi@congdoan.vn", "--name", "Nguyễn Văn An", "--role",
        "coordinator", "--password-stdin", input=PASSWORD + "\n")
    run("users", "add", "xem@congdoan.vn", "--name", "Lê Văn Cường", "--password-stdin",
        input=PASSWORD + "\n")
    return run


def test_users_list_is_a_table(cli):
    text = cli("users", "list").output
    assert "Table(" not in text and "Column(" not in text
    lines = text.splitlines()
    assert lines[0].strip() == "Tài khoản (2)"
    assert lines[1].split() == ["E-mail", "Họ", "tên", "Vai", "trò", "Trạng", "thái", "Tạo", "ngày"]
    row = next(line for line in lines if line.startswith("dieuphoi@congdoan.vn"))
    assert "Nguyễn Văn An" in row and "điều phối viên" in row and "dùng được" in row
    assert any(line.startswith("xem@congdoan.vn") and "chỉ xem" in line for line in lines)


def test_users_list_as_json(cli):
    listed = json.loads(cli("users", "list", "--format", "json").output)
    assert [(u["email"], u["name"], u["role_label"], u["active"]) for u in listed] == [
        ("dieuphoi@congdoan.vn", "Nguyễn Văn An", "điều phối viên", True),
        ("xem@congdoan.vn", "Lê Văn Cường", "chỉ xem", True)]
