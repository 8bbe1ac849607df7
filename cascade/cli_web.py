"""`cascade serve`: the web app with the one-click link pages."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Annotated

import typer

from cascade.cli import _app, _guard, _out, app, fail

if TYPE_CHECKING:
    from cascade.bootstrap import App


def production_problems(app_: App) -> list[str]:
    """Why this deployment must not serve in production mode; empty when it may."""
    from config.settings import DEV_SECRET

    if not app_.settings.production:
        return []
    problems = []
    if app_.settings.secret_key == DEV_SECRET:
        problems.append("CASCADE_SECRET_KEY chưa được đặt (đang dùng khóa mặc định cho môi trường "
                        "phát triển): đặt một khóa ngẫu nhiên, ví dụ "
                        "`python -c 'import secrets; print(secrets.token_urlsafe(48))'`")
    if app_.contacts.is_example:
        problems.append(f"địa chỉ e-mail đang lấy từ tệp mẫu {app_.contacts.path} (example.org): "
                        f"tạo {app_.settings.contacts_path} hoặc đặt CASCADE_CONTACTS")
    return problems


class RedactTokens(logging.Filter):
    """Access log lines keep the path but not the link's token (it is a bearer secret)."""

    _TOKEN = re.compile(r"(/l/)[^/?\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._TOKEN.sub(r"\1…", a) if isinstance(a, str) else a
                                for a in record.args)
        return True


@app.command()
@_guard
def serve(
    host: Annotated[str, typer.Option("--host", help="Địa chỉ lắng nghe")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Cổng")] = 8000,
) -> None:
    """Chạy trang web nhận thao tác từ đường dẫn trong thư (xác nhận, báo cáo, xin gia hạn)."""
    app_ = _app()
    problems = production_problems(app_)
    if problems:
        fail("không khởi động ở chế độ production (CASCADE_ENV=production):\n"
             + "\n".join(f"  - {p}" for p in problems))
    app_.ready_engine()

    import uvicorn

    from web.app import create_app

    hooks: dict = {}
    if app_.settings.scheduler == "embedded":
        from cascade.scheduler import EmbeddedScheduler

        scheduler = EmbeddedScheduler(app_)
        hooks = {"on_startup": [scheduler.start], "on_shutdown": [scheduler.stop]}
    config = uvicorn.Config(create_app(app_, **hooks), host=host, port=port, log_level="info",
                            proxy_headers=True, server_header=False)
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())
    out = _out()
    out.print(f"Trang web: http://{host}:{port} (kiểm tra: /healthz). Đường dẫn trong thư trỏ tới "
              f"{app_.settings.base_url}/l/…")
    s = app_.settings
    if s.scheduler == "embedded":
        out.print(f"Lịch chạy nội bộ: gửi thư mỗi {s.dispatch_every_seconds} giây, rà soát hạn mỗi "
                  f"{s.sweep_every_seconds // 60} phút, thư tổng hợp theo lịch '{s.digest_cron}' "
                  f"({s.timezone.key}); một tiến trình giữ lịch nhờ khóa trong cơ sở dữ liệu.")
    else:
        out.print(f"Lịch chạy nội bộ tắt (CASCADE_SCHEDULER={s.scheduler}).")
    if not app_.settings.production:
        out.print("Chế độ phát triển (CASCADE_ENV khác production). Ctrl+C để dừng.")
    uvicorn.Server(config).run()
