"""The composition root: the one place that reads the environment and wires the real
dependencies (settings, engine, registry, calendar, contacts, escalation policy, mailer, mail
renderer, link signer, file store, clock). Every entry point receives an App: the CLI through Typer's
context, the web through `create_app(app)`, the scheduler's jobs from the App that `serve`
built, the flows through `app_scope()`. Tests build one with fakes.

Everything is built lazily, on first use, so a command only pays for what it touches
(`cascade --help` opens no database and reads no YAML), and `close()` disposes what was built.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from config.settings import DEV_SECRET, Settings, load_settings

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from models.calendar import WorkingCalendar
    from models.contacts import Contacts
    from models.files import FileStore, UploadLimits
    from models.links import LinkSigner
    from models.mail import Mailer, MailRenderer
    from models.policy import Policy
    from models.registry import Registry
    from models.scheme import Scheme

Clock = Callable[[], dt.datetime]
MIN_SECRET_BYTES = 32


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def utc_now() -> dt.datetime:
    """The real clock; everything else receives the App's clock."""
    return dt.datetime.now(dt.UTC)


class UnsafeSettings(RuntimeError):
    """Production mode with settings that would sign links or send mail unsafely."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("không chạy ở chế độ production (CASCADE_ENV=production):\n"
                         + "\n".join(f"  - {p}" for p in problems))


@dataclass
class App:
    settings: Settings
    clock: Clock = field(default=utc_now)
    injected_mailer: Mailer | None = None
    injected_renderer: MailRenderer | None = None
    injected_files: FileStore | None = None

    @cached_property
    def engine(self) -> Engine:
        from models.db import make_engine

        return make_engine(self.settings.database_url, busy_seconds=self.settings.db_busy_seconds)

    @property
    def registry(self) -> Registry:
        """The registry file with the bodies a coordinator added in a review (the local file);
        read again when either file changes, so every process sees a body added by another."""
        from models.registry import load_registry

        paths = (self.settings.registry_path, self.settings.local_registry_path)
        stamp = tuple(_mtime(p) for p in paths)
        cached = self.__dict__.get("_registry")
        if cached is None or cached[0] != stamp:
            cached = (stamp, load_registry(*paths))
            self.__dict__["_registry"] = cached
            self.__dict__.pop("contacts", None)  # validated against the registry
        return cached[1]

    @cached_property
    def calendar(self) -> WorkingCalendar:
        """Vietnam's working days (holidays + config/calendar.yaml), from a cache of the years
        around today kept under CASCADE_HOME (it is rebuilt when either source changes)."""
        from models.calendar import cached_calendar

        return cached_calendar(self.settings.calendar_path,
                               self.settings.data_dir / "calendar-cache.json", self.today())

    @cached_property
    def contacts(self) -> Contacts:
        from models.contacts import load_contacts

        return load_contacts(self.settings.contacts_path, self.settings.example_contacts_path,
                             self.registry)

    @cached_property
    def policy(self) -> Policy:
        from models.policy import load_policy

        return load_policy(self.settings.escalation_path)

    @cached_property
    def mailer(self) -> Mailer:
        if self.injected_mailer is not None:
            return self.injected_mailer
        from notifications.mailer import make_mailer

        return make_mailer(self.settings)

    @cached_property
    def renderer(self) -> MailRenderer:
        if self.injected_renderer is not None:
            return self.injected_renderer
        from notifications.render import MailTemplates

        return MailTemplates()

    @cached_property
    def signer(self) -> LinkSigner:
        from models.links import LinkSigner

        return LinkSigner(self.settings.secret_key)

    @cached_property
    def files(self) -> FileStore:
        """Where reported files are stored (a folder; tests may inject a MemoryFileStore)."""
        if self.injected_files is not None:
            return self.injected_files
        from services.file_store import DiskFileStore

        return DiskFileStore(self.settings.files_dir)

    @property
    def upload_limits(self) -> UploadLimits:
        from models.files import UploadLimits

        return UploadLimits(self.settings.upload_max_bytes, self.settings.upload_max_files)

    @cached_property
    def scheme(self) -> Scheme:
        """The grading scheme of `cascade evaluate` (config/evaluation.yaml)."""
        from models.scheme import load_scheme

        return load_scheme(self.settings.evaluation_path)

    @property
    def tz(self) -> dt.tzinfo:
        return self.settings.timezone

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self, at: dt.datetime | None = None) -> dt.date:
        """The business date at `at` (default: now) in the configured time zone."""
        from models.vocabulary import business_date

        return business_date(at or self.clock(), self.tz)

    def ready_engine(self) -> Engine:
        """The engine, after checking that `cascade init` has brought the schema up to date."""
        from models.db import DatabaseError, require_current_schema

        missing = self.missing_database()
        if missing is not None:  # a read creates nothing: no folder, no empty database file
            raise DatabaseError(f"cơ sở dữ liệu chưa được khởi tạo: không có tệp {missing} "
                                f"(CASCADE_HOME={self.settings.data_dir}); chạy `cascade init` "
                                "trước, hoặc đặt CASCADE_HOME, CASCADE_DATABASE_URL cho đúng")
        try:
            require_current_schema(self.engine)
        except DatabaseError as exc:
            if type(exc) is not DatabaseError:  # busy, unreachable: their own words
                raise
            where = self.engine.url.render_as_string(hide_password=True)
            raise DatabaseError(f"{exc} (cơ sở dữ liệu: {where})") from None
        return self.engine

    def missing_database(self) -> Path | None:
        """The SQLite file the settings name when it does not exist (None: it does, or the
        database is a server's)."""
        from sqlalchemy.engine import make_url

        url = make_url(self.settings.database_url)
        if not url.drivername.startswith("sqlite") or url.database in (None, "", ":memory:"):
            return None
        path = Path(str(url.database)).absolute()
        return None if path.exists() else path

    def production_problems(self) -> list[str]:
        """Why this deployment must not sign links or send mail in production; [] when fine."""
        s = self.settings
        if not s.production:
            return []
        problems = []
        if s.secret_key == DEV_SECRET or len(s.secret_key.encode()) < MIN_SECRET_BYTES:
            problems.append(
                f"CASCADE_SECRET_KEY phải là một khóa ngẫu nhiên dài ít nhất {MIN_SECRET_BYTES} byte, "
                "không phải khóa mặc định cho môi trường phát triển; tạo một khóa bằng "
                "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`")
        if self.contacts.is_example:
            problems.append(f"địa chỉ e-mail trong {self.contacts.path} là địa chỉ mẫu (example.org, "
                            f".test): tạo {s.contacts_path} với địa chỉ thật hoặc đặt CASCADE_CONTACTS")
        if not s.base_url.startswith("https://"):
            problems.append(f"CASCADE_BASE_URL={s.base_url!r}: đường dẫn trong thư phải dùng https://")
        return problems

    def require_safe(self) -> None:
        """Refuse (UnsafeSettings) to sign links or send mail with unsafe production settings."""
        problems = self.production_problems()
        if problems:
            raise UnsafeSettings(problems)

    def close(self) -> None:
        """Dispose what was built (the engine's connections)."""
        engine = self.__dict__.pop("engine", None)
        if engine is not None:
            engine.dispose()

    def __enter__(self) -> App:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def build_app(environ: Mapping[str, str] | None = None, *, clock: Clock = utc_now,
              mailer: Mailer | None = None, renderer: MailRenderer | None = None,
              files: FileStore | None = None, cwd: Path | None = None) -> App:
    """The App for `environ` (default: the process environment)."""
    return App(settings=load_settings(environ, cwd=cwd), clock=clock, injected_mailer=mailer,
               injected_renderer=renderer, injected_files=files)


@contextmanager
def app_scope(environ: Mapping[str, str] | None = None, **kwargs: Any) -> Iterator[App]:
    """An App for one run (a flow, a job process), disposed at the end."""
    app = build_app(environ, **kwargs)
    try:
        yield app
    finally:
        app.close()
