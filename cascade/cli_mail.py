"""`cascade dispatch` and `cascade outbox`: draining and inspecting the mail outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from cascade.cli import FormatOpt, _app, _check_format, _guard, _out, _print_json, app, fail

if TYPE_CHECKING:
    from cascade.bootstrap import App


def _prepare(app_: App) -> Any:
    """The ready engine (contacts re-read, waiting mails woken), or a clear error."""
    from cascade.jobs import JobError, prepare_dispatch

    try:
        return prepare_dispatch(app_)
    except JobError as exc:
        fail(str(exc))


def _round(app_: App, engine: Any, *, batch_size: int, show_progress: bool) -> Any:
    """One drain of everything due now, with a progress bar on a terminal."""
    from notifications.dispatch import DispatchReport, count_due, dispatch_outbox
    from notifications.mailer import make_mailer

    total = count_due(engine=engine, at=app_.clock())
    mailer = make_mailer(app_.settings)
    if total == 0:
        return DispatchReport(destination=mailer.description)
    if not show_progress:
        return dispatch_outbox(engine=engine, mailer=mailer, settings=app_.settings,
                               clock=app_.clock, batch_size=batch_size)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    console = _out()
    with Progress(TextColumn("Gửi thư"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, disable=not console.is_terminal) as progress:
        bar = progress.add_task("gửi", total=total)
        return dispatch_outbox(engine=engine, mailer=mailer, settings=app_.settings,
                               clock=app_.clock, batch_size=batch_size,
                               on_progress=lambda _outcome: progress.advance(bar))


def _summary(report: Any, app_: App) -> list[str]:
    lines = []
    if report.sent:
        where = (f"ghi thành tệp .eml trong {app_.settings.outbox_dir}"
                 if not app_.settings.smtp.configured else f"gửi qua {report.destination}")
        lines.append(f"Đã gửi {report.sent} thư ({where}).")
    if report.retried:
        lines.append(f"{report.retried} thư gặp lỗi tạm thời, sẽ thử lại sau.")
    if report.failed:
        lines.append(f"{report.failed} thư không gửi được; xem `cascade outbox --failed`.")
    if report.waiting:
        lines.append(f"{report.waiting} thư chờ địa chỉ e-mail của đơn vị nhận; xem "
                     "`cascade bodies --missing-email`.")
    if report.stopped:
        lines.append(f"Tạm dừng: {report.stopped}. Thư chưa gửi vẫn nằm trong hàng đợi.")
    return lines


@app.command()
@_guard
def dispatch(
    once: Annotated[bool, typer.Option("--once", help="Gửi một lượt rồi dừng")] = False,
    interval: Annotated[float, typer.Option(
        "--interval", help="Số giây giữa hai lượt khi chạy liên tục")] = 5.0,
    batch_size: Annotated[int, typer.Option("--batch-size", help="Số thư mỗi lô", min=1)] = 200,
    format: FormatOpt = "table",
) -> None:
    """Gửi thư trong hàng đợi: qua máy chủ SMTP đã cấu hình, hoặc ghi tệp .eml vào .cascade/outbox/."""
    import time

    _check_format(format)
    app_ = _app()
    engine = _prepare(app_)
    out = _out()
    if once:
        report = _round(app_, engine, batch_size=batch_size, show_progress=format == "table")
        if format == "json":
            _print_json(report.as_json())
        else:
            for line in _summary(report, app_) or ["Không có thư nào cần gửi."]:
                out.print(line)
        if report.stopped:
            raise typer.Exit(1)
        return
    out.print(f"Đang chờ thư để gửi ({'SMTP' if app_.settings.smtp.configured else 'tệp .eml'}), "
              f"kiểm tra mỗi {interval:g} giây. Nhấn Ctrl-C để dừng.")
    totals = {"sent": 0, "retried": 0, "failed": 0}
    try:
        while True:
            report = _round(app_, engine, batch_size=batch_size, show_progress=format == "table")
            for key in totals:
                totals[key] += getattr(report, key)
            for line in _summary(report, app_):
                out.print(line)
            time.sleep(interval)
    except KeyboardInterrupt:
        out.print(f"Đã dừng. Tổng cộng: gửi {totals['sent']}, thử lại {totals['retried']}, "
                  f"thất bại {totals['failed']}.")


@app.command()
@_guard
def outbox(
    failed: Annotated[bool, typer.Option("--failed", help="Chỉ các thư không gửi được")] = False,
    limit: Annotated[int, typer.Option("--limit", help="Số dòng tối đa (0: tất cả)", min=0)] = 100,
    format: FormatOpt = "table",
) -> None:
    """Hàng đợi thư: người nhận, trạng thái, số lần thử, lỗi gần nhất, Message-ID."""
    from models.db import unit_of_work
    from notifications.dispatch import STATUS_LABELS, list_outbox, outbox_counts
    from notifications.render import KIND_LABELS

    _check_format(format)
    app_ = _app()
    with unit_of_work(app_.ready_engine(), write=False) as session:
        rows = list_outbox(session=session, failed_only=failed, limit=limit or None)
        counts = outbox_counts(session=session)
    if format == "json":
        _print_json([r.as_json() for r in rows])
        return
    out = _out()
    if not rows:
        out.print("Không có thư nào không gửi được." if failed else "Hàng đợi thư trống.")
        return
    from rich.table import Table

    tz = app_.settings.timezone
    title = "Thư không gửi được" if failed else "Hàng đợi thư"
    table = Table(title=f"{title} ({len(rows)} thư mới nhất)")
    table.add_column("#", justify="right", no_wrap=True)
    for col in ("Loại", "Đơn vị nhận", "Địa chỉ", "Trạng thái"):
        table.add_column(col)
    table.add_column("Lần thử", justify="right")
    table.add_column("Lỗi gần nhất", ratio=2)
    table.add_column("Message-ID", no_wrap=True)
    for r in rows:
        state = STATUS_LABELS.get(r.status, r.status)
        if r.next_attempt_at is not None and r.attempts:
            state += f" (thử lại {r.next_attempt_at.astimezone(tz):%H:%M %d/%m})"
        table.add_row(str(r.id), KIND_LABELS.get(r.kind, r.kind), r.body_name or r.body_id or "—",
                      ", ".join(r.addresses) or "—", state, str(r.attempts), r.last_error or "",
                      r.message_id or "—", style="red" if r.status == "failed" else None)
    out.print(table)
    out.print("  ".join(f"{STATUS_LABELS.get(s, s)}: {n}" for s, n in sorted(counts.items())))
