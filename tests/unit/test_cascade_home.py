"""Where the embedded default keeps its data: one absolute place, whatever the current directory;
a read on a database that does not exist creates nothing and says where it looked."""

from __future__ import annotations

import json
from pathlib import Path

from cascade.bootstrap import build_app
from config import settings as settings_module
from config.settings import load_settings
from tests.conftest import ROOT, TEMPLATE_48, cli_runner

DAYS = ["--deadline", "III.1=12-15", "--deadline", "III.2=12-15"]


def test_the_default_home_is_the_checkout_s_own_whatever_the_directory(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    first, second = load_settings({}, cwd=one), load_settings({}, cwd=two)
    assert first.data_dir == second.data_dir == ROOT / ".cascade"
    assert first.database_url == second.database_url == f"sqlite:///{ROOT / '.cascade'}/cascade.db"


def test_an_installed_package_keeps_its_data_under_xdg_data_home(tmp_path, monkeypatch):
    monkeypatch.setattr(settings_module, "PROJECT_DIR", tmp_path / "site-packages")
    env = {"XDG_DATA_HOME": str(tmp_path / "data")}
    assert load_settings(env, cwd=tmp_path).data_dir == tmp_path / "data" / "directive-cascade"
    home = {"HOME": str(tmp_path / "me")}
    assert load_settings(home, cwd=tmp_path).data_dir == (
        tmp_path / "me" / ".local" / "share" / "directive-cascade")


def test_a_relative_cascade_home_is_made_absolute_once(tmp_path):
    loaded = load_settings({"CASCADE_HOME": "du-lieu"}, cwd=tmp_path)
    assert loaded.data_dir == tmp_path / "du-lieu" and loaded.data_dir.is_absolute()
    assert loaded.files_dir == tmp_path / "du-lieu" / "files"


def test_status_from_another_folder_finds_the_same_database(tmp_path):
    env = {"CASCADE_HOME": str(tmp_path / "home"), "CASCADE_CONTACTS": str(tmp_path / "none.yaml")}
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    with build_app(env, cwd=tmp_path / "a") as app:
        cli = cli_runner(app, tmp_path / "a")
        cli("init")
        cli("launch", TEMPLATE_48, *DAYS, "--at", "2023-07-20T09:00")
    with build_app(env, cwd=tmp_path / "b") as app:
        out = cli_runner(app, tmp_path / "b")("status", "48-KH/ĐĐTLĐ", "--format", "json").stdout
    assert len(json.loads(out)) == 83
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == []


def test_a_read_on_a_database_that_does_not_exist_creates_nothing_and_says_where(tmp_path):
    home = tmp_path / "nowhere"
    with build_app({"CASCADE_HOME": str(home)}, cwd=tmp_path) as app:
        result = cli_runner(app, tmp_path)("status", code=1)
    assert "chưa được khởi tạo" in result.stderr
    assert str(home / "cascade.db") in result.stderr and "cascade init" in result.stderr
    assert not home.exists()
    assert list(Path(tmp_path).iterdir()) == []


def test_a_database_not_initialised_says_which_it_is(tmp_path):
    import sqlite3

    (tmp_path / "home").mkdir()
    sqlite3.connect(tmp_path / "home" / "cascade.db").close()  # a file, no schema
    with build_app({"CASCADE_HOME": str(tmp_path / "home")}, cwd=tmp_path) as app:
        result = cli_runner(app, tmp_path)("status", code=1)
    said = " ".join(result.stderr.split())
    assert "chưa được khởi tạo" in said and str(tmp_path / "home" / "cascade.db") in said
