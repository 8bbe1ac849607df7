"""Shared fixtures: the registry, the calendar, and databases (SQLite always, PostgreSQL when
CASCADE_TEST_DATABASE_URL is set), each test on a fresh, migrated schema."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path

import pytest

from models.calendar import WorkingCalendar
from models.db import make_engine, unit_of_work, upgrade
from models.registry import load_registry
from services.registry import sync_registry

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates" / "directives"
TEMPLATE_48 = TEMPLATES / "48-KH-DDTLD-2023.yaml"
TEMPLATE_45 = TEMPLATES / "45-KH-DDTLD-2023.yaml"
CHILD_TEMPLATE = ROOT / "templates" / "examples" / "07-KH-LDLD-ha-noi.yaml"
PG_URL = os.environ.get("CASCADE_TEST_DATABASE_URL")
VN = dt.timezone(dt.timedelta(hours=7))

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_ENABLED", "false")


def at(text: str) -> dt.datetime:
    """An aware instant from 'YYYY-MM-DD HH:MM' in Vietnam time."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=VN)


@pytest.fixture(scope="session")
def registry():
    return load_registry(ROOT / "config" / "bodies.yaml")


@pytest.fixture(scope="session")
def calendar():
    return WorkingCalendar()


def _pg_engine(schema: str):
    assert PG_URL is not None
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    admin.dispose()
    sep = "&" if "?" in PG_URL else "?"
    return make_engine(f"{PG_URL}{sep}options=-csearch_path%3D{schema}")


def _drop_pg_schema(schema: str) -> None:
    admin = make_engine(PG_URL)  # type: ignore[arg-type]
    with admin.begin() as conn:
        conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=[
        pytest.mark.postgres,
        pytest.mark.skipif(not PG_URL, reason="PostgreSQL: set CASCADE_TEST_DATABASE_URL to run"),
    ]),
]


@pytest.fixture(params=BACKENDS)
def empty_engine(request, tmp_path):
    """A database with no schema at all, on each backend."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'cascade.db'}")
        yield engine
        engine.dispose()
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = _pg_engine(schema)
    yield engine
    engine.dispose()
    _drop_pg_schema(schema)


@pytest.fixture
def engine(empty_engine, registry):
    """A migrated database with the registry loaded."""
    upgrade(empty_engine)
    with unit_of_work(empty_engine) as session:
        sync_registry(session=session, registry=registry)
    return empty_engine


class FixedClock:
    """An injected clock the test moves by hand (never a static freeze around asyncio)."""

    def __init__(self, start: dt.datetime) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, when: dt.datetime) -> dt.datetime:
        self.now = when
        return when

    def advance(self, **delta: float) -> dt.datetime:
        self.now += dt.timedelta(**delta)
        return self.now


RECORDING = object()  # make_app's default mailer: a fresh RecordingMailer


@pytest.fixture
def make_app(database_url, tmp_path):
    """`make_app(clock=..., mailer=..., files=..., **environment)`: an App on the test database
    with the given settings, a recording mailer (`mailer=None`: the real one the settings name),
    files under the test's folder (or the store given) and a fixed clock at 20/07/2023 09:00
    unless given; closed at the end."""
    from cascade.bootstrap import build_app
    from notifications.mailer import RecordingMailer

    made = []

    def make(*, clock=None, mailer=RECORDING, files=None, **environ):
        env = {"CASCADE_DATABASE_URL": database_url, "CASCADE_HOME": str(tmp_path / "home"),
               "CASCADE_CONTACTS": str(tmp_path / "no-contacts.yaml"), **environ}
        app = build_app(env, clock=clock or FixedClock(at("2023-07-20 09:00")),
                        mailer=RecordingMailer() if mailer is RECORDING else mailer, files=files,
                        cwd=tmp_path)
        made.append(app)
        return app

    yield make
    for app in made:
        app.close()


def cli_runner(app, cwd):
    """Run `cascade ...` in-process with `app` from directory `cwd`; `code` is the exit status
    the call must end with."""
    from typer.testing import CliRunner

    from cascade.cli import app as typer_app

    runner = CliRunner()

    def run(*args, code=0, input=None, columns=80):
        previous = os.getcwd()
        os.chdir(cwd)
        try:
            result = runner.invoke(typer_app, [str(a) for a in args], input=input,
                                   catch_exceptions=False, obj=app, prog_name="cascade",
                                   env={"COLUMNS": str(columns)})
        finally:
            os.chdir(previous)
        assert result.exit_code == code, result.output
        return result

    run.app = app
    return run


@pytest.fixture
def cli(make_app, tmp_path):
    """`cascade ...` against the test database, from an empty directory, with a recording
    mailer and the clock at 20/07/2023 09:00 (Vietnam)."""
    return cli_runner(make_app(), tmp_path)


@pytest.fixture
def database_url(engine):
    """The URL of `engine` (its schema included), for the CLI and other processes."""
    return engine.url.render_as_string(hide_password=False)


def launch_template(engine, registry, calendar, path=TEMPLATE_48, *, when=None, **kwargs):
    """Launch the template at `path` in its own unit of work (yearly items due 15/12)."""
    from models.template import load_template
    from services.launch import launch_cascade

    spec = load_template(path, registry)
    days = kwargs.pop("annual_days", None)
    if days is None:
        days = {a.ref: "12-15" for a in spec.assignments
                if a.deadline.parsed and a.deadline.parsed.needs_day}
    when = when or at("2023-07-20 09:00")
    with unit_of_work(engine) as session:
        return launch_cascade(session=session, spec=spec, template_text=Path(path).read_text(),
                              registry=registry, calendar=calendar, at=when,
                              coordinator="tld_van_phong_dang_doan", annual_days=days,
                              launched_on=when.astimezone(VN).date(), tz=VN, **kwargs)


def pytest_collection_modifyitems(config, items):
    """CASCADE_TEST_POSTGRES_ONLY=1 (CI's second stage, after a full run on SQLite): only the
    tests' PostgreSQL variants, so what does not touch PostgreSQL does not run twice."""
    if os.environ.get("CASCADE_TEST_POSTGRES_ONLY") != "1":
        return
    if not PG_URL:
        raise pytest.UsageError("CASCADE_TEST_POSTGRES_ONLY=1 needs CASCADE_TEST_DATABASE_URL")
    kept = [item for item in items if item.get_closest_marker("postgres")]
    config.hook.pytest_deselected(items=[item for item in items if item not in kept])
    items[:] = kept
