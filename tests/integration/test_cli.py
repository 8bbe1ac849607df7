"""The `cascade` command end to end, in-process with Typer's runner and as a subprocess."""

import datetime as dt
import json
import re
import subprocess
import sys

from typer.testing import CliRunner

from cascade.cli import app
from tests.conftest import ROOT, TEMPLATE_48

DAYS = ["--deadline", "III.1=12-15", "--deadline", "III.2=12-15"]


def as_json(result):
    return json.loads(result.stdout)


def launch48(cli, *extra, code=0):
    return cli("launch", TEMPLATE_48, *DAYS, "--at", "2023-07-20T09:00", *extra, code=code)


def test_init_is_idempotent_and_reports_the_registry(cli):
    """`cascade init` on an up-to-date database changes nothing and says so."""
    out = cli("init").stdout
    assert "đã ở phiên bản mới nhất" in out and "84 đơn vị, 9 nhóm" in out


def test_dry_run_prints_the_plan_and_writes_nothing(cli):
    """--dry-run shows the 83 tasks it would create; status then finds no directive."""
    data = as_json(launch48(cli, "--dry-run", "--format", "json"))
    assert data["dry_run"] and data["created"] and data["tasks"] == 83
    assert len(data["planned"]) == 83 and data["cascade_id"] is None
    assert "chưa khởi chạy" in cli("status", "48-KH/ĐĐTLĐ", code=1).stderr


def test_launch_json_contract_and_second_launch(cli):
    """The JSON output has directive, cascade_id, tasks, created; a relaunch creates nothing."""
    first = as_json(launch48(cli, "--format", "json"))
    assert {k: first[k] for k in ("directive", "tasks", "created")} == {
        "directive": "48-KH/ĐĐTLĐ", "tasks": 83, "created": True}
    again = as_json(launch48(cli, "--format", "json"))
    assert again["created"] is False and again["cascade_id"] == first["cascade_id"]
    assert "đã được khởi chạy trước đó" in launch48(cli).stdout


def test_missing_yearly_day_is_refused_with_the_flag_to_use(cli):
    """A template with 'Hằng năm' and no day asks for --deadline and writes nothing."""
    result = cli("launch", TEMPLATE_48, code=1)
    assert "--deadline III.1=MM-DD" in result.stderr


def test_invalid_template_exits_non_zero_with_file_line_field(cli, tmp_path):
    """A broken template is refused with file:line: field: message, and nothing is written."""
    bad = tmp_path / "bad.yaml"
    bad.write_text(TEMPLATE_48.read_text(encoding="utf-8").replace(
        "lead: [tld_ban_to_chuc]", "lead: [tld_ban_to_chucc]"), encoding="utf-8")
    result = cli("launch", bad, *DAYS, code=1)
    assert f"{bad}:" in result.stderr and "assignments[4].lead[0]" in result.stderr
    assert "tld_ban_to_chucc" in result.stderr
    assert "chưa khởi chạy" in cli("status", "48-KH/ĐĐTLĐ", code=1).stderr


def test_status_json_fields_and_colours_as_of_a_moment(cli):
    """Status as JSON carries id, directive, body, role, status, due_on and colour per task."""
    launch48(cli)
    rows = as_json(cli("status", "48-KH/ĐĐTLĐ", "--at", "2023-11-27T09:00+07:00",
                       "--format", "json"))
    assert len(rows) == 83
    assert {"id", "directive", "body", "role", "status", "due_on", "colour"} <= set(rows[0])
    hanoi = [r for r in rows if r["body"] == "ldld_ha_noi"]
    assert hanoi[0]["due_on"] == "2023-11-30" and hanoi[0]["colour"] == "near_due"
    later = as_json(cli("status", "--body", "ldld_ha_noi", "--at", "2023-12-01T08:00+07:00",
                        "--format", "json"))
    assert [r["colour"] for r in later] == ["overdue"]


def test_status_defaults_to_now(cli):
    """Without --at, colours are computed for the current moment in Asia/Ho_Chi_Minh."""
    launch48(cli)
    # 30/11/2023 23:30 in Hanoi is 16:30 UTC: still in term on the due day.
    cli.app.clock.set(dt.datetime(2023, 11, 30, 16, 30, tzinfo=dt.UTC))
    rows = as_json(cli("status", "--body", "ldld_hue", "--format", "json"))
    assert rows[0]["colour"] == "near_due"
    # 01/12/2023 00:30 in Hanoi is 30/11 17:30 UTC: overdue, although UTC says 30/11.
    cli.app.clock.set(dt.datetime(2023, 11, 30, 17, 30, tzinfo=dt.UTC))
    rows = as_json(cli("status", "--body", "ldld_hue", "--format", "json"))
    assert rows[0]["colour"] == "overdue"


def test_status_table_is_readable(cli):
    """The table names bodies, roles and colours in Vietnamese, within 80 columns."""
    launch48(cli)
    out = cli("status", "48-KH/ĐĐTLĐ", "--at", "2023-08-01T09:00").stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    flat = " ".join(out.split())
    # a name may wrap inside its cell ("… tỉnh Cà" / "Mau · chủ trì"): both lines are there
    assert re.search(r"tỉnh Cà\b.{0,60}?\bMau · chủ trì", flat) or "Cà Mau" in flat
    assert "chủ trì" in flat and "phối hợp" in flat
    assert "trong hạn: 55" in flat and "nhiệm vụ (83)" in flat


def test_task_transition_refusal_and_history(cli):
    """`cascade task` applies a transition, refuses an illegal one (exit 1), `history` shows both."""
    launch48(cli)
    rows = as_json(cli("status", "--body", "ldld_nghe_an", "--format", "json"))
    tid = rows[0]["id"]
    out = cli("task", tid, "acknowledge", "--by", "ldld_nghe_an", "--note", "Đã nhận").stdout
    assert "đã giao → đã nhận" in out
    refused = cli("task", tid, "grant-extension", code=1)
    assert "'đã nhận'" in refused.stderr and "Thao tác được phép" in refused.stderr
    events = as_json(cli("history", tid, "--format", "json"))
    assert [(e["action"], e["channel"]) for e in events] == [("assign", "launch"),
                                                             ("acknowledge", "cli")]
    assert events[1]["actor"] == "ldld_nghe_an" and events[1]["note"] == "Đã nhận"


def test_task_with_unknown_body_or_bad_date(cli):
    """--by with an unknown body and --until with an impossible date are refused."""
    launch48(cli)
    assert "ldld_ha_noii" in cli("task", 1, "acknowledge", "--by", "ldld_ha_noii", code=1).stderr
    assert "2024-02-30" in cli("task", 20, "request-extension", "--until", "2024-02-30",
                               code=2).stderr


def test_bodies_list_and_resolve(cli):
    """`bodies --kind` filters; `bodies resolve` shows the 34 provincial federations."""
    data = as_json(cli("bodies", "--kind", "provincial_federation", "--format", "json"))
    assert len(data["bodies"]) == 34 and data["groups"] == []
    out = cli("bodies", "resolve", "các LĐLĐ tỉnh, thành phố").stdout
    assert "group:ldld_tinh_thanh_pho" in out and "34 đơn vị nhận việc" in out
    assert "ldld_ca_mau" in out
    assert "không tìm thấy" in cli("bodies", "resolve", "Ban Vũ trụ", code=1).stderr


def test_uninitialised_database_says_to_run_init(tmp_path, monkeypatch):
    """Commands on a database that was never initialised tell the user to run `cascade init`."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CASCADE_DATABASE_URL", raising=False)
    # the default home is the checkout's own .cascade/, which the README's first command fills
    monkeypatch.setenv("CASCADE_HOME", str(tmp_path / "home"))
    result = CliRunner().invoke(app, ["status"])
    assert result.exit_code == 1 and "cascade init" in result.stderr


def test_help_does_not_import_heavy_modules():
    """`cascade --help` imports neither the ORM, Prefect, FastAPI nor the drafter."""
    code = ("import sys; from cascade.cli import app\n"
            "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
            "heavy = [m for m in ('sqlalchemy', 'sqlmodel', 'prefect', 'fastapi', 'alembic', "
            "'docx', 'holidays') if m in sys.modules]\n"
            "print('HEAVY', heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert "HEAVY []" in out
