"""One Settings object, built from a mapping (the environment by default).

Tests pass their own mapping (`load_settings(environ={...})`) and never touch os.environ.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

CONFIG_DIR = Path(__file__).resolve().parent
PROJECT_DIR = CONFIG_DIR.parent
DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


DEV_SECRET = "dev-secret-not-for-production"


@dataclass(frozen=True)
class SmtpSettings:
    host: str | None
    port: int
    username: str | None
    password: str | None
    starttls: bool
    ssl: bool

    @property
    def configured(self) -> bool:
        return bool(self.host)


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    registry_path: Path
    calendar_path: Path
    timezone: ZoneInfo
    near_due_working_days: int
    follow_up_office: str
    escalation_path: Path
    contacts_path: Path
    example_contacts_path: Path
    base_url: str
    secret_key: str
    production: bool
    link_grace_days: int  # a task's links work until its deadline plus this many days
    link_max_days: int  # ... and a task with no deadline's (or a yearly one's) this long
    outbox_lease_seconds: int  # a claimed mail not renewed for this long is taken back
    outbox_batch: int  # mails claimed at a time
    smtp_timeout_seconds: int
    smtp_connections: int  # persistent connections the dispatcher sends over at once
    db_busy_seconds: int  # how long a writer waits for the database before "busy"
    mail_from: str
    smtp: SmtpSettings
    scheduler: str  # embedded | prefect | off
    web_workers: int  # web processes of `cascade serve`
    scheduler_nice: int  # how much the scheduler's process yields the CPU to the web's (0-19)
    dispatch_every_seconds: int
    sweep_every_seconds: int
    digest_cron: str
    scheduler_lease_seconds: int
    misfire_grace_seconds: int
    files_dir: Path  # where reported files are stored, once per content (sha256)
    upload_max_bytes: int  # per file
    upload_max_files: int  # per report
    evaluation_path: Path  # the grading scheme of `cascade evaluate`
    # the console
    session_idle_minutes: int = 60
    login_max_failures: int = 5  # per account in a minute; the next try is throttled
    login_max_failures_per_address: int = 20  # per client address in a minute
    # reverse proxies whose X-Forwarded-For/-Proto is believed (IPs or CIDRs); none by default
    trusted_proxies: tuple[str, ...] = ()
    # /healthz fails when a mail that is due has waited longer than this (dispatch stopped)
    health_outbox_seconds: int = 900
    # the largest body a route without files takes (forms); routes with files add their limits
    form_max_bytes: int = 2 * 1024 * 1024
    # what the review learns, kept beside the database
    aliases_path: Path = Path(".cascade/aliases.yaml")
    local_registry_path: Path = Path(".cascade/local-bodies.yaml")

    @property
    def outbox_dir(self) -> Path:
        """Where mail goes as .eml files when no SMTP server is configured."""
        return self.data_dir / "outbox"

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _int(environ: Mapping[str, str], name: str, default: int, *, minimum: int = 0,
         maximum: int | None = None) -> int:
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"{name}={raw!r}: cần một số nguyên") from None
    if value < minimum:
        raise SettingsError(f"{name}={raw!r}: phải từ {minimum} trở lên")
    if maximum is not None and value > maximum:
        raise SettingsError(f"{name}={raw!r}: tối đa {maximum}")
    return value


def _positive(environ: Mapping[str, str], name: str, default: int) -> int:
    value = _int(environ, name, default)
    if value == 0:
        raise SettingsError(f"{name}=0: cần một số nguyên dương")
    return value


def _bool(environ: Mapping[str, str], name: str, default: bool = False) -> bool:
    raw = (environ.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise SettingsError(f"{name}={raw!r}: dùng true hoặc false")


def _choice(environ: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    raw = (environ.get(name) or choices[0]).strip().lower()
    if raw not in choices:
        raise SettingsError(f"{name}={raw!r}: chọn một trong {', '.join(choices)}")
    return raw


def _networks(environ: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma-separated list of IP addresses or networks (CIDR)."""
    import ipaddress

    items = tuple(x.strip() for x in (environ.get(name) or "").split(",") if x.strip())
    for item in items:
        try:
            ipaddress.ip_network(item, strict=False)
        except ValueError:
            raise SettingsError(f"{name}: {item!r} không phải địa chỉ IP hay dải mạng (CIDR), "
                                "ví dụ 10.0.0.5 hoặc 10.0.0.0/24") from None
    return items


def _check(settings: Settings) -> Settings:
    """Settings that contradict each other."""
    if settings.outbox_lease_seconds < 2 * settings.smtp_timeout_seconds + 5:
        raise SettingsError(
            f"CASCADE_OUTBOX_LEASE_SECONDS={settings.outbox_lease_seconds}: phải lớn hơn hai lần "
            f"CASCADE_SMTP_TIMEOUT_SECONDS ({settings.smtp_timeout_seconds}) cộng 5 giây, để thư đang "
            "gửi không bị một tiến trình khác nhận lại")
    return settings


APP_NAME = "directive-cascade"


def default_home(env: Mapping[str, str], base: Path) -> Path:
    """Where the embedded default keeps its database and files, as an absolute path, whatever
    the current directory: CASCADE_HOME (relative: to `base`, the directory it was given in);
    else a checkout's own `.cascade/` (pyproject.toml beside the code: `pip install -e`); else
    an installed package's $XDG_DATA_HOME/directive-cascade (~/.local/share/directive-cascade)."""
    raw = env.get("CASCADE_HOME")
    if raw:
        return (base / Path(raw).expanduser()).absolute()
    if (PROJECT_DIR / "pyproject.toml").is_file():
        return PROJECT_DIR / ".cascade"
    xdg = env.get("XDG_DATA_HOME") or str(Path(env.get("HOME") or Path.home()) / ".local/share")
    return (Path(xdg).expanduser() / APP_NAME).absolute()


def load_settings(environ: Mapping[str, str] | None = None, *, cwd: Path | None = None) -> Settings:
    """Build the settings from `environ` (default: os.environ), relative to `cwd`."""
    env = os.environ if environ is None else environ
    base = Path(cwd) if cwd is not None else Path.cwd()
    data_dir = default_home(env, base)
    url = env.get("CASCADE_DATABASE_URL") or f"sqlite:///{data_dir / 'cascade.db'}"
    tz_name = env.get("CASCADE_TIMEZONE") or DEFAULT_TIMEZONE
    try:
        tz = ZoneInfo(tz_name)
    except Exception:
        raise SettingsError(f"CASCADE_TIMEZONE={tz_name!r}: múi giờ không tồn tại") from None
    return _check(Settings(
        database_url=url,
        data_dir=data_dir,
        registry_path=Path(env.get("CASCADE_REGISTRY") or CONFIG_DIR / "bodies.yaml"),
        calendar_path=Path(env.get("CASCADE_CALENDAR") or CONFIG_DIR / "calendar.yaml"),
        timezone=tz,
        near_due_working_days=_int(env, "CASCADE_NEAR_DUE_WORKING_DAYS", 3),
        follow_up_office=env.get("CASCADE_FOLLOW_UP_OFFICE") or "tld_van_phong_dang_doan",
        escalation_path=Path(env.get("CASCADE_ESCALATION") or CONFIG_DIR / "escalation.yaml"),
        contacts_path=Path(env.get("CASCADE_CONTACTS") or CONFIG_DIR / "contacts.yaml"),
        example_contacts_path=CONFIG_DIR / "contacts.example.yaml",
        base_url=(env.get("CASCADE_BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
        secret_key=env.get("CASCADE_SECRET_KEY") or DEV_SECRET,
        production=(env.get("CASCADE_ENV") or "development").strip().lower() == "production",
        link_grace_days=_int(env, "CASCADE_LINK_GRACE_DAYS", 30),
        link_max_days=_int(env, "CASCADE_LINK_MAX_DAYS", 400),
        outbox_lease_seconds=_int(env, "CASCADE_OUTBOX_LEASE_SECONDS", 60, minimum=5),
        outbox_batch=_int(env, "CASCADE_OUTBOX_BATCH", 50, minimum=1),
        smtp_timeout_seconds=_int(env, "CASCADE_SMTP_TIMEOUT_SECONDS", 20, minimum=1),
        smtp_connections=_int(env, "CASCADE_SMTP_CONNECTIONS", 3, minimum=1),
        db_busy_seconds=_int(env, "CASCADE_DB_BUSY_SECONDS", 10, minimum=1),
        mail_from=env.get("CASCADE_MAIL_FROM") or "directive-cascade <no-reply@example.org>",
        smtp=SmtpSettings(
            host=env.get("CASCADE_SMTP_HOST") or None,
            port=_int(env, "CASCADE_SMTP_PORT", 0),
            username=env.get("CASCADE_SMTP_USERNAME") or None,
            password=env.get("CASCADE_SMTP_PASSWORD") or None,
            starttls=_bool(env, "CASCADE_SMTP_STARTTLS"),
            ssl=_bool(env, "CASCADE_SMTP_SSL"),
        ),
        scheduler=_choice(env, "CASCADE_SCHEDULER", ("embedded", "prefect", "off")),
        web_workers=_int(env, "CASCADE_WEB_WORKERS", 2, minimum=1),
        scheduler_nice=_int(env, "CASCADE_SCHEDULER_NICE", 10, maximum=19),
        dispatch_every_seconds=_int(env, "CASCADE_DISPATCH_EVERY_SECONDS", 60),
        sweep_every_seconds=_int(env, "CASCADE_SWEEP_EVERY_SECONDS", 900),
        # daily on weekdays by default; weekly: "30 7 * * mon"
        digest_cron=env.get("CASCADE_DIGEST_CRON") or "30 7 * * mon-fri",
        scheduler_lease_seconds=_int(env, "CASCADE_SCHEDULER_LEASE_SECONDS", 30),
        misfire_grace_seconds=_int(env, "CASCADE_MISFIRE_GRACE_SECONDS", 3600),
        files_dir=Path(env.get("CASCADE_FILES_DIR") or data_dir / "files"),
        upload_max_bytes=_positive(env, "CASCADE_UPLOAD_MAX_MB", 20) * 1024 * 1024,
        upload_max_files=_positive(env, "CASCADE_UPLOAD_MAX_FILES", 5),
        evaluation_path=Path(env.get("CASCADE_EVALUATION") or CONFIG_DIR / "evaluation.yaml"),
        session_idle_minutes=_positive(env, "CASCADE_SESSION_IDLE_MINUTES", 60),
        login_max_failures=_positive(env, "CASCADE_LOGIN_MAX_FAILURES", 5),
        login_max_failures_per_address=_positive(env, "CASCADE_LOGIN_MAX_FAILURES_PER_ADDRESS",
                                                 20),
        trusted_proxies=_networks(env, "CASCADE_TRUSTED_PROXIES"),
        health_outbox_seconds=_positive(env, "CASCADE_HEALTH_OUTBOX_SECONDS", 900),
        form_max_bytes=_positive(env, "CASCADE_FORM_MAX_KB", 2048) * 1024,
        aliases_path=Path(env.get("CASCADE_ALIASES") or data_dir / "aliases.yaml"),
        local_registry_path=Path(env.get("CASCADE_LOCAL_REGISTRY")
                                 or data_dir / "local-bodies.yaml"),
    ))
