"""`cascade backup` / `cascade restore`: a launched cascade with reports, files and events is
backed up, restored into a fresh home (SQLite) or a fresh database (PostgreSQL), and every task,
event, row and file comes back; a restore never overwrites work without --force."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from models.db import make_engine, unit_of_work
from services.backup import BackupError, backup, restore
from services.file_store import DiskFileStore
from services.results import ReportInput, accept_report, submit_report
from tests.conftest import PG_URL, TEMPLATE_48, VN, at, cli_runner
from tests.results.conftest import COORDINATOR, plan, task_of, upload  # noqa: F401
from tests.results.samples import PDF, docx_bytes
from tests.results.test_reports import LIMITS

COMPARED = ("directive", "cascade", "assignment", "task", "task_event", "outbox", "task_report",
            "report_file", "report_figure", "body")


def _work(engine, store) -> None:
    """Two reports with files and figures, one accepted: tasks, events, mails, files."""
    for body, files in (("ldld_ha_noi", [upload("Báo cáo.docx", docx_bytes()),
                                         upload("phu-luc.pdf", PDF)]),
                        ("ldld_hue", [upload("bao-cao-hue.pdf", PDF + b"hue")])):
        with unit_of_work(engine) as session:
            submit_report(session=session, store=store, limits=LIMITS,
                          task_id=task_of(engine, body), at=at("2023-11-20 10:00"), tz=VN,
                          report=ReportInput(summary=f"Đã làm ({body})", files=files,
                                             figures={"T1": "120", "T2": "85"}),
                          actor=body, channel="cli")
    with unit_of_work(engine) as session:
        accept_report(session=session, task_id=task_of(engine, "ldld_ha_noi"),
                      at=at("2023-11-21 09:00"), tz=VN, actor=COORDINATOR, channel="cli")


def _rows(engine) -> dict[str, list[tuple]]:
    meta = sa.MetaData()
    meta.reflect(engine, only=COMPARED)
    with engine.connect() as conn:
        return {name: [tuple(r) for r in conn.execute(
            sa.select(meta.tables[name]).order_by(*meta.tables[name].primary_key.columns))]
            for name in COMPARED}


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in folder.rglob("*") if p.is_file()}


@pytest.fixture
def fresh_target(plan, tmp_path):  # noqa: F811
    """A new empty database of the same kind as `plan`'s: a file in a new home, or a new
    PostgreSQL database (test_restore_<random>, dropped at the end)."""
    if plan.dialect.name == "sqlite":
        target = make_engine(f"sqlite:///{tmp_path / 'new-home' / 'cascade.db'}")
        yield target
        target.dispose()
        return
    name = f"test_restore_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    target = make_engine(sa.engine.make_url(PG_URL).set(database=name)
                         .render_as_string(hide_password=False))
    try:
        yield target
    finally:
        target.dispose()
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_a_restore_brings_back_every_task_event_row_and_file(plan, fresh_target, tmp_path):  # noqa: F811
    files, home = tmp_path / "files", tmp_path / "home"
    home.mkdir()
    (home / "aliases.yaml").write_text("tld_dang_doan: {}\n", encoding="utf-8")
    _work(plan, DiskFileStore(files))
    before, stored = _rows(plan), _hashes(files)
    assert len(before["task_event"]) > len(before["task"]) > 1
    assert len(before["report_file"]) == 3 and len(stored) >= 3
    made = backup(engine=plan, files_dir=files, home=home, dest=tmp_path / "sao-luu.tar.gz",
                  at=at("2023-11-22 08:00"))
    assert made.tables["task"] == len(before["task"]) and made.files == len(stored)

    new_files, new_home = tmp_path / "new-files", tmp_path / "new-home"
    back = restore(archive=made.archive, engine=fresh_target, files_dir=new_files, home=new_home)
    assert back.tables == made.tables
    assert _rows(fresh_target) == before
    assert _hashes(new_files) == stored
    assert (new_home / "aliases.yaml").read_text(encoding="utf-8") == "tld_dang_doan: {}\n"
    if fresh_target.dialect.name == "postgresql":  # the ids go on after the restored ones
        with fresh_target.connect() as conn:
            assert conn.scalar(sa.text("SELECT nextval(pg_get_serial_sequence('task_event', "
                                       "'id'))")) > max(r[0] for r in before["task_event"])

    with pytest.raises(BackupError, match="đã có dữ liệu"):
        restore(archive=made.archive, engine=fresh_target, files_dir=new_files, home=new_home)
    again = restore(archive=made.archive, engine=fresh_target, files_dir=new_files, home=new_home,
                    force=True)
    assert again.tables == made.tables and _rows(fresh_target) == before


def test_an_archive_of_another_schema_revision_or_not_an_archive_is_refused(plan, fresh_target,  # noqa: F811
                                                                           tmp_path):
    made = backup(engine=plan, files_dir=tmp_path / "none", home=tmp_path,
                  dest=tmp_path / "a.tar.gz", at=at("2023-11-22 08:00"))
    old = tmp_path / "cu.tar.gz"
    with tarfile.open(made.archive) as src, tarfile.open(old, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "manifest.json":
                data = json.dumps({**json.loads(data), "revision": "0001_khoi_tao"}).encode()
                member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    with pytest.raises(BackupError, match="phiên bản cơ sở dữ liệu 0001_khoi_tao"):
        restore(archive=old, engine=fresh_target, files_dir=tmp_path / "f", home=tmp_path / "h")
    (tmp_path / "rac.tar.gz").write_bytes(b"not an archive")
    with pytest.raises(BackupError, match="không phải bản sao lưu"):
        restore(archive=tmp_path / "rac.tar.gz", engine=fresh_target, files_dir=tmp_path / "f",
                home=tmp_path / "h")
    with pytest.raises(BackupError, match="đã có"):
        backup(engine=plan, files_dir=tmp_path / "none", home=tmp_path, dest=made.archive,
               at=at("2023-11-22 08:00"))
    assert not (tmp_path / "f").exists()


def test_the_backup_and_restore_commands_on_the_embedded_default(tmp_path):
    from cascade.bootstrap import build_app

    def cli(home: str):
        env = {"CASCADE_HOME": str(tmp_path / home),
               "CASCADE_CONTACTS": str(tmp_path / "none.yaml")}
        return cli_runner(build_app(env, cwd=tmp_path), tmp_path)

    source = cli("a")
    source("init")
    source("launch", TEMPLATE_48, "--deadline", "III.1=12-15", "--deadline", "III.2=12-15")
    done = source("backup", "sao-luu.tar.gz").stdout
    assert "83 nhiệm vụ" in done and "sqlite3 backup API" in done
    source.app.close()
    target = cli("b")
    assert "83 nhiệm vụ" in target("restore", "sao-luu.tar.gz").stdout
    assert len(json.loads(target("status", "--format", "json").stdout)) == 83
    refused = target("restore", "sao-luu.tar.gz", code=1).stderr
    assert "đã có dữ liệu" in refused and "--force" in refused
    assert "không có tệp" in target("restore", "khong-co.tar.gz", code=1).stderr
    target.app.close()
