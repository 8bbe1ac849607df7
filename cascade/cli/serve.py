"""`cascade serve`: the web app (link pages) and the embedded scheduler."""

from __future__ import annotations

import logging
import re
from typing import Annotated, Any

import typer

from cascade.cli.common import app_of, guard, out


class RedactTokens(logging.Filter):
    """Access log lines keep the path but not the link's token (it is a bearer secret)."""

    def __init__(self) -> None:
        from models.links import LINK_PREFIX

        super().__init__()
        self._TOKEN = re.compile(rf"({re.escape(LINK_PREFIX)})[^/?\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(self._TOKEN.sub(r"\1…", a) if isinstance(a, str) else a
                                for a in record.args)
        return True


def _has_accounts(app: Any) -> bool:
    import sqlalchemy as sa

    from models.db import unit_of_work
    from models.tables import UserAccount

    with unit_of_work(app.engine, write=False) as session:
        return bool(session.execute(sa.select(sa.func.count()).select_from(UserAccount)).scalar())


@guard
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Địa chỉ lắng nghe")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Cổng")] = 8000,
) -> None:
    """Chạy trang quản trị và trang nhận thao tác từ đường dẫn trong thư, cùng lịch chạy nội bộ."""
    app = app_of(ctx)
    app.require_safe()
    app.ready_engine()

    import uvicorn

    from models.links import LINK_PREFIX
    from web.app import create_app

    hooks: dict[str, Any] = {}
    s = app.settings
    if s.scheduler == "embedded":
        from cascade.scheduler import EmbeddedScheduler

        scheduler = EmbeddedScheduler(app)
        hooks = {"on_startup": [scheduler.start], "on_shutdown": [scheduler.stop]}
    config = uvicorn.Config(create_app(app, **hooks), host=host, port=port, log_level="info",
                            proxy_headers=True, server_header=False)
    logging.getLogger("uvicorn.access").addFilter(RedactTokens())
    console = out()
    console.print(f"Mở http://{host}:{port} để vào trang quản trị (đăng nhập bằng e-mail và mật khẩu; "
                  f"kiểm tra: /healthz). Đường dẫn trong thư trỏ tới {s.base_url}{LINK_PREFIX}…")
    if not _has_accounts(app):
        console.print("Chưa có tài khoản nào: tạo điều phối viên đầu tiên bằng `cascade init --admin "
                      "EMAIL` hoặc `cascade users add EMAIL --name \"...\" --role coordinator`.")
    if s.scheduler == "embedded":
        console.print(f"Lịch chạy nội bộ: gửi thư mỗi {s.dispatch_every_seconds} giây, rà soát hạn mỗi "
                      f"{s.sweep_every_seconds // 60} phút, thư tổng hợp theo lịch '{s.digest_cron}' "
                      f"({s.timezone.key}); một tiến trình giữ lịch nhờ khóa trong cơ sở dữ liệu.")
    else:
        console.print(f"Lịch chạy nội bộ tắt (CASCADE_SCHEDULER={s.scheduler}).")
    if not s.production:
        console.print("Chế độ phát triển (CASCADE_ENV khác production). Ctrl+C để dừng.")
    uvicorn.Server(config).run()
