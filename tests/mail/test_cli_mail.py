"""`cascade dispatch` and `cascade outbox` end to end, in-process."""

from __future__ import annotations

import json

import pytest

from tests.conftest import TEMPLATE_48, cli_runner

DAYS = ["--deadline", "III.1=12-15", "--deadline", "III.2=12-15"]


@pytest.fixture
def cli_with(make_app, tmp_path):
    """`cli_with(**settings)`: the CLI on an App with the real mailer those settings name
    (.eml files under CASCADE_HOME without SMTP), 48-KH launched once."""
    def make(**env):
        run = cli_runner(make_app(mailer=None, CASCADE_HOME=str(tmp_path / ".cascade"), **env),
                         tmp_path)
        run("launch", TEMPLATE_48, *DAYS, "--at", "2023-07-20T09:00")
        return run

    return make


@pytest.fixture
def cli(cli_with):
    return cli_with()


def test_dispatch_once_writes_eml_files_and_outbox_lists_them(cli, tmp_path):
    """Embedded default: 83 .eml files under .cascade/outbox; the outbox shows them sent."""
    out = cli("dispatch", "--once").stdout
    assert "Đã gửi 83 thư" in out and ".eml" in out
    assert len(list((tmp_path / ".cascade" / "outbox").glob("*.eml"))) == 83
    assert "Không có thư nào cần gửi." in cli("dispatch", "--once").stdout
    rows = json.loads(cli("outbox", "--limit", "0", "--format", "json").stdout)
    assert len(rows) == 83 and {r["status"] for r in rows} == {"sent"}
    assert all(r["message_id"].startswith("<cascade.") for r in rows)
    assert "Không có thư nào không gửi được." in cli("outbox", "--failed").stdout


def test_outbox_failed_shows_the_smtp_refusal(cli_with, smtp_server):
    """Over SMTP, a 550 appears in `cascade outbox --failed` with the server's reason."""
    cli = cli_with(CASCADE_SMTP_HOST="127.0.0.1", CASCADE_SMTP_PORT=str(smtp_server.port))
    smtp_server.inbox.refuse.add("tld-bch@example.org")
    data = json.loads(cli("dispatch", "--once", "--format", "json").stdout)
    assert (data["sent"], data["failed"]) == (82, 1)
    [row] = json.loads(cli("outbox", "--failed", "--format", "json").stdout)
    assert row["body"] == "tld_bch" and "550" in row["last_error"] and row["status"] == "failed"
    assert "thất bại" in cli("outbox", "--failed").stdout


def test_dispatch_with_the_server_down_exits_non_zero_and_keeps_the_mail(cli_with):
    """No server listening: exit 1 with a Vietnamese reason; every row is still pending."""
    from tests.mail.conftest import free_port

    cli = cli_with(CASCADE_SMTP_HOST="127.0.0.1", CASCADE_SMTP_PORT=str(free_port()))
    result = cli("dispatch", "--once", code=1)
    assert "không kết nối được" in result.stdout
    rows = json.loads(cli("outbox", "--limit", "0", "--format", "json").stdout)
    assert {r["status"] for r in rows} == {"pending"} and len(rows) == 83


def test_bad_mail_from_is_refused_with_the_variable_named(cli_with):
    """CASCADE_MAIL_FROM that is not an address stops dispatch before anything is claimed."""
    cli = cli_with(CASCADE_MAIL_FROM="no address here")
    assert "CASCADE_MAIL_FROM" in cli("dispatch", "--once", code=1).stderr
