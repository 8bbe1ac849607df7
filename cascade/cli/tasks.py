"""`cascade status`, `cascade task`, `cascade history`: following and acting on tasks."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cascade.cli.common import (
    AtOpt,
    FormatOpt,
    app_of,
    check_format,
    date_option,
    fail,
    guard,
    known_body,
    moment,
    out,
    print_json,
    safe_text,
    table,
)

if TYPE_CHECKING:
    from services.actions import NewDate

COLOUR_STYLES = {"in_term": "green", "near_due": "dark_orange", "overdue": "bold red",
                 "no_deadline": "cyan", "done_on_time": "dim green", "done_late": "dim red",
                 "cancelled": "dim"}
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


def task_number(value: str) -> int:
    text = value.strip().lstrip("#")
    if not text.isdigit():
        fail(f"số nhiệm vụ {value!r} không đúng: cần một số, ví dụ 12 (xem `cascade status`)", 2)
    return int(text)


@guard
def status(
    ctx: typer.Context,
    directive: Annotated[str | None, typer.Argument(help="Số văn bản, ví dụ 48-KH/ĐĐTLĐ")] = None,
    body: Annotated[str | None, typer.Option("--body", help="Mã đơn vị")] = None,
    at: AtOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Danh sách nhiệm vụ: đơn vị, vai trò, trạng thái, hạn và màu (trong hạn/sắp đến hạn/quá hạn)."""
    from models.db import unit_of_work
    from models.vocabulary import colour_label, role_label, short_date, status_label
    from services.status import list_tasks

    check_format(format)
    app = app_of(ctx)
    when = moment(app, at)
    with unit_of_work(app.ready_engine(), write=False) as session:
        views = list_tasks(session=session, at=when, tz=app.tz, calendar=app.calendar,
                           near_due_working_days=app.settings.near_due_working_days,
                           directive=directive, body=body)
    if format == "json":
        print_json([v.as_json() for v in views])
        return
    local = when.astimezone(app.tz)
    one_directive = len({v.directive for v in views}) == 1
    scope = f"{views[0].directive}: " if one_directive and views else ""
    columns: list[str | tuple[str, dict]] = [("#", {"justify": "right"})]
    if not one_directive:
        columns.append("Văn bản")
    columns += ["Mục", ("Đơn vị", {"ratio": 1, "no_wrap": False}),
                ("Trạng thái", {"no_wrap": False, "max_width": 16}), "Hạn", "Tình trạng"]
    listing = table(f"{scope}nhiệm vụ ({len(views)}) tính đến {local:%H:%M ngày %d/%m/%Y}", *columns)
    counts: Counter[str] = Counter()
    for v in views:
        counts[v.colour] += 1
        state = status_label(v.status)
        if v.child_progress:
            state += f" (kế hoạch con {v.child_progress})"
        ref = v.ref if v.occurrence == 1 else f"{v.ref} kỳ {v.occurrence}"
        body_cell = f"{v.body_name} [dim]· {role_label(v.role)}[/]"
        listing.add_row(str(v.id), *([] if one_directive else [v.directive]), ref, body_cell, state,
                        short_date(v.due_on) if v.due_on else "—", colour_label(v.colour),
                        style=COLOUR_STYLES[v.colour])
    console = out()
    console.print(listing)
    if views:
        console.print("  ".join(f"{colour_label(c)}: {n}" for c, n in sorted(counts.items())))


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
    from rich.markup import escape

    from models.db import unit_of_work
    from models.vocabulary import action_label, channel_label, event_date, short_time, status_label
    from services.actions import TaskNotFound, task_history

    check_format(format)
    number = task_number(task_id)
    app = app_of(ctx)
    try:
        with unit_of_work(app.ready_engine(), write=False) as session:
            events = task_history(session, number)
    except TaskNotFound as exc:
        fail(str(exc))
    if format == "json":
        print_json([{"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "actor_name": e.actor_name,
                     "channel": e.channel, "action": e.action, "from": e.from_status,
                     "to": e.to_status, "note": e.note, "data": e.data} for e in events])
        return
    listing = table(f"Nhật ký nhiệm vụ #{number}", ("Lúc", {"no_wrap": False, "max_width": 10}),
                    ("Ai (kênh)", {"ratio": 3, "no_wrap": False}),
                    ("Thao tác", {"ratio": 3, "no_wrap": False}),
                    ("Trạng thái", {"ratio": 3, "no_wrap": False, "min_width": 10}),
                    ("Ghi chú", {"ratio": 3, "no_wrap": False}))
    for e in events:
        moved = (f"{status_label(e.from_status)} → {status_label(e.to_status)}"
                 if e.from_status and e.from_status != e.to_status else status_label(e.to_status))
        what = action_label(e.action, e.role)
        if due := event_date(e.data):
            what += f" {due}"
        who = escape(e.actor_name)
        if e.channel != e.actor:  # the system acts through its own channel
            who += f" [dim]({channel_label(e.channel)})[/]"
        listing.add_row(short_time(e.at, app.tz), who,
                        what, moved, escape(safe_text(e.note or "")))
    out().print(listing)
