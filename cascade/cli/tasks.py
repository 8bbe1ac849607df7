"""`cascade status`, `cascade task`, `cascade history`: following and acting on tasks (the
reads themselves are in cascade/cli/reads.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cascade.cli import reads
from cascade.cli.common import (
    app_of,
    check_format,
    date_option,
    fail,
    guard,
    known_body,
    moment,
    out,
    print_json,
)
from cascade.cli.options import AtOpt, FormatOpt
from cascade.cli.reads import task_number

if TYPE_CHECKING:
    from services.actions import NewDate

TaskIdArg = Annotated[str, typer.Argument(metavar="ID", help="Số nhiệm vụ, ví dụ 12")]


def new_date_option(value: str | None) -> NewDate | None:
    """--until: a date, or +N for N days after the task's current deadline."""
    from services.actions import DaysAfterDue

    text = (value or "").strip()
    if text.startswith("+"):
        days = text[1:].removesuffix("d").removesuffix(" ngày").strip()
        if not days.isdigit() or not 0 < int(days) <= 3650:
            fail(f"--until {value!r}: sau dấu + cần số ngày, ví dụ +15", 2)
        return DaysAfterDue(int(days))
    return date_option(value, "--until")


@guard
def status(
    ctx: typer.Context,
    directive: Annotated[str | None, typer.Argument(help="Số văn bản, ví dụ 48-KH/ĐĐTLĐ")] = None,
    body: Annotated[str | None, typer.Option("--body", help="Mã đơn vị")] = None,
    at: AtOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Danh sách nhiệm vụ: đơn vị, vai trò, trạng thái, hạn và màu (trong hạn/sắp đến hạn/quá hạn)."""
    reads.status(app_of(ctx), directive=directive, body=body, at=at, format=format)


@guard
def task(
    ctx: typer.Context,
    task_id: TaskIdArg,
    action: Annotated[str, typer.Argument(help="acknowledge, start, report, accept, return, close, "
                                          "request-extension, grant-extension, "
                                          "refuse-extension, extend, cancel")],
    note: Annotated[str | None, typer.Option("--note", help="Ghi chú")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Mã đơn vị thực hiện (mặc định: "
                                                        "điều phối viên)")] = None,
    until: Annotated[str | None, typer.Option(
        "--until", help="Ngày hạn đề nghị hoặc hạn mới, ví dụ 30/11/2026; +15: 15 ngày sau hạn "
                        "hiện tại")] = None,
    files: Annotated[list[Path] | None, typer.Option(
        "--file", help="Với report: tệp báo cáo kèm theo (.docx, .pdf, .xlsx, .jpg, .png; lặp lại "
                       "được)")] = None,
    figures: Annotated[list[str] | None, typer.Option(
        "--figure", help="Với report: số liệu một chỉ tiêu, MÃ=SỐ, ví dụ T1=12,5 (lặp lại được)")] = None,
    at: AtOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Chuyển trạng thái một nhiệm vụ; thao tác không hợp lệ bị từ chối, không thay đổi gì."""
    from models.db import unit_of_work
    from services.actions import ActionRefused, TaskNotFound, record_action

    check_format(format)
    number = task_number(task_id)
    app = app_of(ctx)
    when = moment(app, at)
    new_due = new_date_option(until)
    known_body(app, by, "--by")
    if (files or figures) and action != "report":
        fail("--file và --figure chỉ dùng với thao tác report", 2)
    try:
        with unit_of_work(app.ready_engine()) as session:
            if action == "report" and (files or figures):
                result = _report(app, session, number, when, by, note, files or [], figures or [])
            else:
                result = record_action(session=session, task_id=number, action=action, at=when,
                                       actor=by, channel="cli", note=note, until=new_due, tz=app.tz)
    except (ActionRefused, TaskNotFound) as exc:
        fail(str(exc))
    if format == "json":
        print_json({"task": result.task_id, "action": result.action,
                    "from": result.from_status.value, "to": result.to_status.value,
                    "event": result.event_id, "follow_ups": result.follow_ups})
        return
    console = out()
    console.print(f"Nhiệm vụ #{result.task_id}: {result.from_status.label} → {result.to_status.label}.")
    for line in result.follow_ups:
        console.print(f"  Kéo theo: {line}")


def _report(app, session, number: int, when, by: str | None, note: str | None,  # type: ignore[no-untyped-def]
            files: list[Path], figures: list[str]):
    """`cascade task N report --file ... --figure T1=12,5`: a report entered by the office
    (received on paper or by mail) with its files and figures, as the link page takes them."""
    from models.files import Upload
    from services.results import ReportInput, submit_report

    given: dict[str, str] = {}
    for item in figures:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"--figure {item!r}: cần dạng MÃ=SỐ, ví dụ T1=12,5", 2)
        given[key.strip()] = value
    uploads = []
    for path in files:
        try:
            uploads.append(Upload(path.name, path.open("rb"), path.stat().st_size))
        except OSError as exc:
            fail(f"--file {path}: không đọc được ({exc.strerror})")
    try:
        return submit_report(session=session, store=app.files, limits=app.upload_limits,
                             task_id=number, report=ReportInput(note, uploads, given), at=when,
                             tz=app.tz, actor=by, channel="cli").action
    finally:
        for upload in uploads:
            upload.content.close()


@guard
def history(
    ctx: typer.Context,
    task_id: TaskIdArg,
    format: FormatOpt = "table",
) -> None:
    """Nhật ký của một nhiệm vụ: ai, kênh nào, lúc nào, từ trạng thái nào sang trạng thái nào."""
    reads.history(app_of(ctx), task_id=task_id, format=format)
