"""`cascade backup` and `cascade restore`: the database and the files directory in one archive
(services/backup.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cascade.cli.common import app_of, fail, guard, out


def _summary(tables: dict[str, int], files: int) -> str:
    def count(name: str) -> int:
        return tables.get(name, 0)

    return (f"{count('directive')} văn bản, {count('task')} nhiệm vụ, {count('task_event')} sự "
            f"kiện, {count('outbox')} thư, {count('user_account')} tài khoản, {files} tệp")


@guard
def backup(
    ctx: typer.Context,
    dest: Annotated[Path, typer.Argument(help="Tệp sao lưu sẽ ghi (.tar.gz), chưa có sẵn")],
) -> None:
    """Sao lưu cơ sở dữ liệu và thư mục tệp (báo cáo, văn bản gốc) vào một tệp."""
    from services.backup import BackupError
    from services.backup import backup as run

    app = app_of(ctx)
    s = app.settings
    try:
        done = run(engine=app.ready_engine(), files_dir=s.files_dir, home=s.data_dir,
                   dest=dest.absolute(), at=app.now())
    except BackupError as exc:
        fail(str(exc))
    how = ("bản sao trực tuyến của SQLite (sqlite3 backup API)" if done.dialect == "sqlite"
           else "bản xuất logic PostgreSQL qua SQLAlchemy, một ảnh chụp nhất quán")
    out().print(f"Đã sao lưu vào {done.archive}: {_summary(done.tables, done.files)} "
                f"(phiên bản {done.revision}; {how}).", markup=False)


@guard
def restore(
    ctx: typer.Context,
    archive: Annotated[Path, typer.Argument(help="Tệp do `cascade backup` ghi")],
    force: Annotated[bool, typer.Option(
        "--force", help="Ghi đè cả khi cơ sở dữ liệu đích đã có dữ liệu")] = False,
) -> None:
    """Khôi phục một bản sao lưu vào cơ sở dữ liệu (trống) và thư mục tệp đang cấu hình."""
    from services.backup import BackupError
    from services.backup import restore as run

    app = app_of(ctx)
    s = app.settings
    if not archive.is_file():
        fail(f"không có tệp {archive}")
    try:
        done = run(archive=archive, engine=app.engine, files_dir=s.files_dir, home=s.data_dir,
                   force=force)
    except BackupError as exc:
        fail(str(exc))
    out().print(f"Đã khôi phục {archive} vào {app.engine.url.render_as_string(hide_password=True)}"
                f": {_summary(done.tables, done.files)}.", markup=False)
