"""Production mode refuses to sign links or send mail with unsafe settings, in every command
that does (serve is in tests/web/test_serve.py), and sends nothing."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import ROOT, TEMPLATE_48, cli_runner

DAYS = ["--deadline", "III.1=12-15", "--deadline", "III.2=12-15"]
GOOD_SECRET = "k" * 48
REAL_CONTACTS = "tld_bch: [vanphong@congdoan.vn]\nldld_ha_noi: [vanphong@ldldhanoi.vn]\n"


@pytest.fixture
def production(make_app, tmp_path, engine, registry, calendar):
    """`production(**settings)`: the CLI in production mode with 48-KH launched, and its App."""
    from tests.conftest import launch_template

    launch_template(engine, registry, calendar, TEMPLATE_48)
    contacts = tmp_path / "contacts.yaml"
    contacts.write_text(REAL_CONTACTS, encoding="utf-8")

    def make(**env):
        settings = {"CASCADE_ENV": "production", "CASCADE_SECRET_KEY": GOOD_SECRET,
                    "CASCADE_CONTACTS": str(contacts),
                    "CASCADE_BASE_URL": "https://giaoviec.congdoan.vn", **env}
        return cli_runner(make_app(**settings), tmp_path)

    return make


def pending(cli) -> set[str]:
    return {r["status"] for r in json.loads(cli("outbox", "--limit", "0", "--format", "json").stdout)}


@pytest.mark.parametrize("settings, named", [
    ({"CASCADE_SECRET_KEY": ""}, "CASCADE_SECRET_KEY"),  # the development default
    ({"CASCADE_SECRET_KEY": "0123456789"}, "ít nhất 32 byte"),
    ({"CASCADE_BASE_URL": "http://giaoviec.congdoan.vn"}, "https://"),
])
def test_dispatch_refuses_unsafe_production_settings(production, settings, named):
    """Default or 10-byte secret, or an http base URL: exit 1, a Vietnamese reason, no mail."""
    cli = production(**settings)
    result = cli("dispatch", "--once", code=1)
    assert "không chạy ở chế độ production" in result.stderr and named in result.stderr
    assert "Traceback" not in result.output
    assert cli.app.mailer.sent == [] and pending(cli) == {"pending"}


def test_contacts_copied_from_the_example_are_refused_by_content(production, tmp_path):
    """A copy of contacts.example.yaml under another name is still the example."""
    copy = tmp_path / "danh-ba.yaml"
    shutil.copy(ROOT / "config" / "contacts.example.yaml", copy)
    cli = production(CASCADE_CONTACTS=str(copy))
    result = cli("dispatch", "--once", code=1)
    assert "địa chỉ mẫu" in result.stderr and str(copy) in result.stderr
    assert cli.app.mailer.sent == []


@pytest.mark.parametrize("command", [("sweep",), ("digest",)])
def test_sweep_and_digest_refuse_too(production, command):
    """The sweep and the digest queue mails with links: the same refusal."""
    result = production(CASCADE_SECRET_KEY="short")(*command, code=1)
    assert "CASCADE_SECRET_KEY" in result.stderr


def test_safe_production_settings_send(production):
    """A long random secret, real contacts and https: the mails go out."""
    cli = production()
    assert "Đã gửi" in cli("dispatch", "--once").stdout
    assert cli.app.mailer.sent and all("https://giaoviec.congdoan.vn/l/" in
                                       m.get_body(("plain",)).get_content()
                                       for m in cli.app.mailer.sent
                                       if m["X-Cascade-Kind"] == "task_assigned")


def test_the_job_the_flows_run_refuses_too(production):
    """The Prefect flows run the same guard (the job they wrap)."""
    from cascade import jobs
    from cascade.bootstrap import UnsafeSettings

    app = production(CASCADE_SECRET_KEY="short").app
    with pytest.raises(UnsafeSettings):
        jobs.run_dispatch(app)
    assert app.mailer.sent == []
