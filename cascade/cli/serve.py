"""`cascade serve`: the web app (link pages) and the embedded scheduler."""

from __future__ import annotations

import logging
import os
import re
import signal
import subprocess
import sys
import threading
from typing import Annotated, Any

import typer

from cascade.cli.common import app_of, guard, out
from cascade.lifeline import PARENT_ENV, tie_to_parent


class RedactTokens(logging.Filter):
    """Log lines keep a link's path but not its token (a bearer secret): in the message, its
    arguments and a traceback. On the handlers of every process's log config (log_config)."""

    def __init__(self) -> None:
        from models.links import LINK_PREFIX

        super().__init__()
        self._TOKEN = re.compile(rf"({re.escape(LINK_PREFIX)})[^/?\s\"'#]+")

    def redact(self, text: str) -> str:
        return self._TOKEN.sub(r"\1…", text)

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = self.redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self.redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: self.redact(v) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the token redaction on every handler; each worker process
    configures its logging from this (a filter added in the parent would not reach them)."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact_tokens": {"()": f"{__name__}.RedactTokens"}}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact_tokens"]
    # the app's own warnings and errors go through the same (redacting) handler
    config["root"] = {"handlers": ["default"], "level": "WARNING"}
    return config


def proxy_options(settings: Any) -> dict[str, Any]:
    """uvicorn believes X-Forwarded-For/-Proto only from CASCADE_TRUSTED_PROXIES (none by
    default): anyone else could name any address and slip past the per-address login throttle."""
    trusted = list(settings.trusted_proxies)
    return {"proxy_headers": bool(trusted), "forwarded_allow_ips": trusted}


def _has_accounts(app: Any) -> bool:
    import sqlalchemy as sa

    from models.console_tables import UserAccount
    from models.db import unit_of_work

    with unit_of_work(app.engine, write=False) as session:
        return bool(session.execute(sa.select(sa.func.count()).select_from(UserAccount)).scalar())


@guard
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Địa chỉ lắng nghe")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Cổng")] = 8000,
    workers: Annotated[int | None, typer.Option(
        "--workers", min=1, help="Số tiến trình web (mặc định: CASCADE_WEB_WORKERS, 2)")] = None,
) -> None:
    """Chạy trang quản trị, trang nhận thao tác từ đường dẫn trong thư (/healthz để kiểm tra) và,
    trong một tiến trình riêng, lịch gửi thư, rà soát hạn và thư tổng hợp."""
    app = app_of(ctx)
    app.require_safe()
    app.ready_engine()

    import uvicorn

    from models.links import LINK_PREFIX

    s = app.settings
    count = workers or s.web_workers
    console = out()
    console.print(f"Mở http://{host}:{port} để vào trang quản trị (đăng nhập bằng e-mail và mật "
                  f"khẩu; kiểm tra: /healthz), {count} tiến trình web. Đường dẫn trong thư trỏ tới "
                  f"{s.base_url}{LINK_PREFIX}…")
    if not _has_accounts(app):
        console.print("Chưa có tài khoản nào: tạo điều phối viên đầu tiên bằng `cascade init --admin "
                      "EMAIL` hoặc `cascade users add EMAIL --name \"...\" --role coordinator`.")
    scheduler = None
    if s.scheduler == "embedded":
        scheduler = start_scheduler_process()
        console.print(f"Lịch chạy nội bộ (tiến trình {scheduler.pid}): gửi thư mỗi "
                      f"{s.dispatch_every_seconds} giây, rà soát hạn mỗi {s.sweep_every_seconds // 60} "
                      f"phút, thư tổng hợp theo lịch '{s.digest_cron}' ({s.timezone.key}); một "
                      "tiến trình giữ lịch nhờ khóa trong cơ sở dữ liệu.")
    else:
        console.print(f"Lịch chạy nội bộ tắt (CASCADE_SCHEDULER={s.scheduler}).")
    if not s.production:
        console.print("Chế độ phát triển (CASCADE_ENV khác production). Ctrl+C để dừng.")
    options: dict[str, Any] = {"host": host, "port": port, "log_level": "info",
                               "server_header": False, "log_config": log_config(),
                               **proxy_options(s)}
    try:
        if count == 1:  # in this process, on this App
            from web.app import create_app
            from web.asgi import SWITCH_SECONDS, warm

            sys.setswitchinterval(SWITCH_SECONDS)
            uvicorn.Server(uvicorn.Config(warm(create_app(app)), **options)).run()
        else:  # each worker builds its App from the same environment, and dies with us
            os.environ[PARENT_ENV] = str(os.getpid())
            uvicorn.run("web.asgi:app", factory=True, workers=count, **options)
    finally:
        os.environ.pop(PARENT_ENV, None)
        if scheduler is not None:
            stop_process(scheduler)


def start_scheduler_process() -> subprocess.Popen:
    """`cascade scheduler` beside the web workers, on the same environment: a dispatch or a
    sweep then never holds up a click."""
    return subprocess.Popen([sys.executable, "-m", "cascade.cli", "scheduler", "--parent",
                             str(os.getpid())])


def stop_process(proc: subprocess.Popen, timeout: float = 20) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()


@guard
def scheduler(
    ctx: typer.Context,
    parent: Annotated[int | None, typer.Option(
        "--parent", hidden=True, help="Dừng khi tiến trình này không còn (cascade serve)")] = None,
) -> None:
    """Chạy riêng lịch gửi thư, rà soát hạn và thư tổng hợp (cascade serve tự chạy nó); một
    tiến trình giữ lịch cho mỗi cơ sở dữ liệu."""
    from cascade.scheduler import EmbeddedScheduler

    app = app_of(ctx)
    app.require_safe()
    app.ready_engine()
    # background work: on a machine it shares with the web, a click goes first
    os.nice(app.settings.scheduler_nice)
    runner = EmbeddedScheduler(app)
    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())
    if parent is not None:  # the serve that started us may die without telling (SIGKILL)
        tie_to_parent(parent)  # its lease, if not released in time, expires anyway
    runner.start()
    try:
        while not stopping.wait(1.0):
            pass
    finally:
        runner.stop()
