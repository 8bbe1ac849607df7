"""`cascade users` and `cascade init --admin`: accounts from the command line."""

from __future__ import annotations

import json

import pytest

from models.db import unit_of_work
from services.accounts import AccountError, create_user, find_user, verify_password
from tests.conftest import cli_runner

PASSWORD = "mật-khẩu-đủ-dài-2026"


@pytest.fixture
def cli(make_app, tmp_path):
    run = cli_runner(make_app(), tmp_path)
    run("init")
    return run


def test_users_add_list_disable_reset(cli):
    """Add with --password-stdin, list as a table and as JSON, disable, reset the password."""
    out = cli("users", "add", "Dieuphoi@CongDoan.vn", "--name", "Nguyễn Văn An", "--role",
              "coordinator", "--password-stdin", input=PASSWORD + "\n").output
    assert "Đã tạo tài khoản dieuphoi@congdoan.vn (Nguyễn Văn An, điều phối viên)" in out
    cli("users", "add", "xem@congdoan.vn", "--name", "Lê Văn Cường", "--password-stdin",
        input=PASSWORD + "\n")
    table = cli("users", "list").output
    assert "dieuphoi@congdoan.vn" in table and "chỉ xem" in table
    assert max(len(line) for line in table.splitlines()) <= 80
    listed = json.loads(cli("users", "list", "--format", "json").output)
    assert [(u["email"], u["role"], u["active"]) for u in listed] == [
        ("dieuphoi@congdoan.vn", "coordinator", True), ("xem@congdoan.vn", "viewer", True)]
    assert "Đã khóa" in cli("users", "disable", "xem@congdoan.vn").output
    assert json.loads(cli("users", "list", "--format", "json").output)[1]["active"] is False
    new = "mật-khẩu-mới-dài-hơn-2027"
    cli("users", "reset-password", "xem@congdoan.vn", "--password-stdin", input=new + "\n")
    with unit_of_work(cli.app.engine, write=False) as session:
        user = find_user(session, "xem@congdoan.vn")
        assert user.active and verify_password(user.password_hash, new)
        assert not verify_password(user.password_hash, PASSWORD)


def test_users_add_refuses_what_it_cannot_use(cli):
    """A short password, an unknown role, a bad or taken e-mail: exit 1, in Vietnamese."""
    cli("users", "add", "a@congdoan.vn", "--name", "A", "--password-stdin", input="ngan\n", code=1)
    out = cli("users", "add", "a@congdoan.vn", "--name", "A", "--role", "admin",
              "--password-stdin", input=PASSWORD + "\n", code=1).output
    assert "vai trò 'admin' không có" in out
    cli("users", "add", "không-phải-email", "--name", "A", "--password-stdin",
        input=PASSWORD + "\n", code=1)
    cli("users", "add", "a@congdoan.vn", "--name", "A", "--password-stdin", input=PASSWORD + "\n")
    assert "đã có tài khoản" in cli("users", "add", "A@congdoan.vn", "--name", "A",
                                    "--password-stdin", input=PASSWORD + "\n", code=1).output
    assert "cần ít nhất 12 ký tự" in cli("users", "reset-password", "a@congdoan.vn",
                                         "--password-stdin", input="ngan\n", code=1).output


def test_init_admin_creates_the_first_coordinator_once(make_app, tmp_path):
    run = cli_runner(make_app(), tmp_path)
    out = run("init", "--admin", "vanphong@congdoan.vn", "--name", "Văn phòng Đảng đoàn",
              "--password-stdin", input=PASSWORD + "\n").output
    assert "Đã tạo tài khoản vanphong@congdoan.vn" in out and "/login" in out
    again = run("init", "--admin", "vanphong@congdoan.vn", "--password-stdin",
                input="mật-khẩu-khác-hẳn-2026\n").output
    assert "đã có: giữ nguyên" in again
    with unit_of_work(run.app.engine, write=False) as session:
        user = find_user(session, "vanphong@congdoan.vn")
    assert user.role == "coordinator" and verify_password(user.password_hash, PASSWORD)


def test_create_user_checks_its_inputs(engine):
    from tests.conftest import at

    with unit_of_work(engine) as session:
        with pytest.raises(AccountError, match="12 ký tự"):
            create_user(session=session, email="a@b.vn", name="A", role="viewer",
                        password="x" * 11, at=at("2023-01-01 00:00"))
        with pytest.raises(AccountError, match="họ tên"):
            create_user(session=session, email="a@b.vn", name=" ", role="viewer",
                        password="x" * 12, at=at("2023-01-01 00:00"))
