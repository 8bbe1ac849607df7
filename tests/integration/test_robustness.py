"""Bad dates, a busy database, concurrent inits, control characters, unforeseen errors: each
gets a clear Vietnamese message and a non-zero exit (or a 4xx/503 page), and nothing changes
(issue 9)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlmodel import select

from models.db import make_engine, unit_of_work
from models.tables import Directive, Task
from tests.conftest import TEMPLATE_48, cli_runner

DAYS = ["--deadline", "III.1=12-15", "--deadline", "III.2=12-15"]
CASCADE = Path(sys.executable).with_name("cascade")


def directives(engine) -> int:
    with unit_of_work(engine, write=False) as session:
        return len(session.exec(select(Directive.id)).all())


@pytest.mark.parametrize("rule", ["9999-12-31", "9999-Q4", "9999-12", "relative:issued+9999d"])
def test_a_far_future_deadline_is_refused_at_launch(cli, engine, tmp_path, rule):
    """A deadline more than 20 years after the directive: the field, the allowed range, exit 1."""
    text = TEMPLATE_48.read_text(encoding="utf-8").replace(
        "deadline: {rule: continuous, text: văn bản không nêu thời hạn}", f"deadline: {rule!r}", 1)
    path = tmp_path / "mau.yaml"
    path.write_text(text, encoding="utf-8")
    result = cli("launch", path, *DAYS, code=1)
    assert "assignments[2].deadline.rule" in result.stderr and "20 năm" in result.stderr
    assert f"{path}:" in result.stderr and directives(engine) == 0


def test_a_far_future_extension_is_refused_by_link_and_cli(engine, registry, calendar, make_app,
                                                          tmp_path):
    """31/12/9999 asked through the link (400, the form again) or the CLI (exit 1): refused with
    the allowed range; the task does not change."""
    from starlette.testclient import TestClient

    from services.links import issue_link
    from tests.conftest import at, launch_template
    from web.app import create_app

    launch_template(engine, registry, calendar)
    app = make_app()
    cli = cli_runner(app, tmp_path)
    [row] = json.loads(cli("status", "--body", "ldld_ha_noi", "--format", "json").stdout)
    refused = cli("task", row["id"], "request-extension", "--by", "ldld_ha_noi", "--until",
                  "31/12/9999", code=1).stderr
    assert "11/07/2043" in refused and "20 năm" in refused
    with unit_of_work(engine) as session:
        token = issue_link(session=session, signer=app.signer, task_id=row["id"],
                           action="request-extension", actor="ldld_ha_noi", at=at("2023-07-20 09:00"),
                           ttl_days=60)
    with TestClient(create_app(app)) as client:
        page = client.get(f"/l/{token}")
        assert 'name="until"' in page.text  # a day/month/year text field, checked on POST
        answer = client.post(f"/l/{token}", data={"until": "31/12/9999"})
    assert answer.status_code == 400 and "11/07/2043" in answer.text
    [after] = json.loads(cli("status", "--body", "ldld_ha_noi", "--format", "json").stdout)
    assert after["status"] == "assigned" and after["due_on"] == row["due_on"]


def test_a_legacy_far_future_deadline_does_not_break_its_pages(engine, registry, calendar,
                                                             make_app):
    """A task stored with due 31/12/9999 before dates were checked: its extension page answers."""
    from starlette.testclient import TestClient

    from services.links import issue_link
    from tests.conftest import at, launch_template
    from web.app import create_app

    launch_template(engine, registry, calendar)
    app = make_app()
    with unit_of_work(engine) as session:
        tid = session.exec(select(Task.id).where(Task.body_id == "ldld_hue")).first()
        session.connection().execute(sa.update(Task).where(Task.id == tid).values(due_on=dt.date.max))
        token = issue_link(session=session, signer=app.signer, task_id=tid, action="request-extension",
                           actor="ldld_hue", at=at("2023-07-20 09:00"), ttl_days=60)
    with TestClient(create_app(app)) as client:
        assert client.get(f"/l/{token}").status_code == 200


@pytest.fixture
def locked(engine):
    """Another process holds the write lock (SQLite) or the task table (PostgreSQL) while the
    test runs; release() ends it."""
    other = make_engine(engine.url.render_as_string(hide_password=False))
    conn = other.execution_options(sqlite_begin="IMMEDIATE").connect()
    conn.begin()
    if engine.dialect.name == "postgresql":
        conn.exec_driver_sql("LOCK TABLE task IN ACCESS EXCLUSIVE MODE")
    else:
        conn.exec_driver_sql("SELECT 1")  # BEGIN IMMEDIATE: the write lock is ours
    yield conn
    conn.rollback()
    conn.close()
    other.dispose()


def test_a_busy_database_is_a_message_not_a_traceback(locked, engine, make_app, tmp_path):
    """A launch while another writer holds the database past the busy timeout: exit 75 and
    "cơ sở dữ liệu đang bận"; nothing was written."""
    cli = cli_runner(make_app(CASCADE_DB_BUSY_SECONDS="1"), tmp_path)
    result = cli("launch", TEMPLATE_48, *DAYS, code=75)
    assert "cơ sở dữ liệu đang bận" in result.stderr and "Traceback" not in result.output
    locked.rollback()
    assert directives(engine) == 0


def test_a_busy_database_answers_503_on_the_web(engine, registry, calendar, make_app):
    """A link POST while the database is held: 503 with Retry-After, the link still unused."""
    from starlette.testclient import TestClient

    from services.links import issue_link
    from tests.conftest import at, launch_template
    from web.app import create_app

    launch_template(engine, registry, calendar)
    app = make_app(CASCADE_DB_BUSY_SECONDS="1")
    with unit_of_work(engine) as session:
        tid = session.exec(select(Task.id).where(Task.body_id == "ldld_hue")).first()
        token = issue_link(session=session, signer=app.signer, task_id=tid, action="acknowledge",
                           actor="ldld_hue", at=at("2023-07-20 09:00"), ttl_days=60)
    holder = make_engine(engine.url.render_as_string(hide_password=False))
    with holder.execution_options(sqlite_begin="IMMEDIATE").connect() as conn, \
            TestClient(create_app(app)) as client:
        conn.begin()
        conn.exec_driver_sql("LOCK TABLE link_token IN ACCESS EXCLUSIVE MODE"
                             if engine.dialect.name == "postgresql" else "SELECT 1")
        answer = client.post(f"/l/{token}")
        conn.rollback()
        assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
        assert "đang bận" in answer.text
        assert client.post(f"/l/{token}").status_code == 200  # free again: it acts once
    holder.dispose()


def test_two_inits_at_once_both_succeed(empty_engine, tmp_path):
    """Two `cascade init` started together on a new database: both exit 0, one schema."""
    from models.db import current_revision, head_revision

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CASCADE_")},
           "CASCADE_DATABASE_URL": empty_engine.url.render_as_string(hide_password=False),
           "CASCADE_HOME": str(tmp_path)}
    procs = [subprocess.Popen([str(CASCADE), "init"], env=env, cwd=tmp_path, text=True,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    try:
        results = [(*p.communicate(timeout=120), p.returncode) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait(timeout=30)
    for _out, err, code in results:
        assert code == 0 and "Traceback" not in err, err
    assert current_revision(empty_engine) == head_revision()


def test_a_nul_or_an_escape_in_a_note_is_refused(engine, registry, calendar, make_app, tmp_path):
    """A link note with %00 (refused by PostgreSQL) or an escape sequence: 400 on both
    databases, nothing changes; the CLI refuses it too and never echoes the escape raw."""
    from starlette.testclient import TestClient

    from services.links import issue_link
    from tests.conftest import at, launch_template
    from web.app import create_app

    launch_template(engine, registry, calendar)
    app = make_app()
    with unit_of_work(engine) as session:
        tid = session.exec(select(Task.id).where(Task.body_id == "ldld_hue")).first()
        token = issue_link(session=session, signer=app.signer, task_id=tid, action="acknowledge",
                           actor="ldld_hue", at=at("2023-07-20 09:00"), ttl_days=60)
    with TestClient(create_app(app)) as client:
        for note in ("Đã nhận\x00", "\x1b[2J", "chuông\x07"):
            answer = client.post(f"/l/{token}", data={"note": note})
            assert answer.status_code == 400 and "ký tự điều khiển" in answer.text, note
        assert client.post(f"/l/{token}", data={"note": "Đã nhận\nBan Tổ chức"}).status_code == 200
    cli = cli_runner(app, tmp_path)
    refused = cli("task", tid, "start", "--by", "ldld_hue", "--note", "\x1b[2J", code=1).stderr
    assert "\x1b" not in refused and "\\x1b" in refused


@pytest.mark.parametrize("field, value", [("title", "a\x1b[2J b"), ("number", "48-KH\r/ĐĐTLĐ"),
                                          ("signer", "Nguyễn\x07 Văn A")])
def test_control_characters_in_a_template_are_refused(cli, tmp_path, field, value):
    """ESC, BEL, CR or LF in a one-line field: refused with file, line and field."""
    import yaml

    data = yaml.safe_load(TEMPLATE_48.read_text(encoding="utf-8"))
    data["directive"][field] = value
    path = tmp_path / "mau.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    result = cli("launch", path, *DAYS, code=1)
    assert f"directive.{field}" in result.stderr and "\x1b" not in result.stderr


def test_an_unforeseen_error_is_a_message_and_a_log(monkeypatch, capsys):
    """Anything a command did not foresee: exit 70, a Vietnamese message naming a log file that
    holds the traceback; no traceback on the terminal."""
    import cascade.cli as cli_module

    def broken() -> None:
        raise ZeroDivisionError("chia cho không")

    monkeypatch.setattr(cli_module, "app", broken)
    with pytest.raises(SystemExit) as exited:
        cli_module.main()
    err = capsys.readouterr().err
    assert exited.value.code == 70 and "Lỗi không lường trước (ZeroDivisionError)" in err
    assert "Traceback" not in err
    log = Path(err.split("Chi tiết kỹ thuật ở ")[1].split(";")[0])
    assert "ZeroDivisionError" in log.read_text(encoding="utf-8")
    log.unlink()

