"""The office enters a report received on paper: `cascade task N report --file --figure`;
then accepts it with `cascade task N accept`."""

from __future__ import annotations

import json

from models.db import unit_of_work
from models.report_views import latest_report
from models.tables import Task
from tests.conftest import cli_runner
from tests.results.conftest import task_of
from tests.results.samples import PNG, docx_bytes


def test_report_with_a_file_and_figures_then_accept(plan, make_app, tmp_path):
    """The report is recorded with its file and figures; accept closes the task."""
    (tmp_path / "bao-cao.docx").write_bytes(docx_bytes())
    app = make_app()
    run = cli_runner(app, tmp_path)
    tid = task_of(plan, "ldld_hue")
    out = run("task", tid, "report", "--by", "ldld_hue", "--note", "Báo cáo giấy số 12",
              "--file", "bao-cao.docx", "--figure", "T1=1.234", "--figure", "T2=80,5",
              "--format", "json").stdout
    assert json.loads(out)["to"] == "reported"
    with unit_of_work(plan, write=False) as session:
        view = latest_report(session, tid)
    assert [f.name for f in view.files] == ["bao-cao.docx"] and app.files.exists(view.files[0].sha256)
    assert view.figures_by_key == {"T1": 1234.0, "T2": 80.5} and view.channel == "cli"
    assert "hoàn thành" in run("task", tid, "accept").stdout
    with unit_of_work(plan, write=False) as session:
        assert session.get(Task, tid).status == "done"


def test_refusals_on_the_command_line(plan, make_app, tmp_path):
    """A wrong file and a wrong figure are refused with their reasons; nothing changes."""
    (tmp_path / "bao-cao.docx").write_bytes(PNG)
    run = cli_runner(make_app(), tmp_path)
    tid = task_of(plan, "ldld_hue")
    error = run("task", tid, "report", "--by", "ldld_hue", "--file", "bao-cao.docx",
                "--figure", "T1=nhiều", code=1).stderr
    assert "nội dung là ảnh PNG" in error and "«nhiều» không phải số" in error
    assert "MÃ=SỐ" in run("task", tid, "report", "--figure", "12", code=2).stderr
    assert "chỉ dùng với thao tác report" in run("task", tid, "acknowledge", "--figure", "T1=1",
                                                code=2).stderr
    with unit_of_work(plan, write=False) as session:
        assert session.get(Task, tid).status == "assigned"
