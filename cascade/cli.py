"""The `cascade` command line. Start-up stays light: every command imports what it needs."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer

if TYPE_CHECKING:
    from cascade.bootstrap import App

app = typer.Typer(
    help="directive-cascade: giao việc theo văn bản chỉ đạo, theo dõi, đôn đốc.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
bodies_app = typer.Typer(help="Đơn vị và nhóm đơn vị trong sổ đăng ký.", invoke_without_command=True)
app.add_typer(bodies_app, name="bodies")

FormatOpt = Annotated[str, typer.Option("--format", help="table hoặc json")]
AtOpt = Annotated[str | None, typer.Option("--at", help="Thời điểm ISO 8601 (mặc định: bây giờ)")]


def _app() -> App:
    from cascade.bootstrap import build_app

    return build_app()


def _out():  # type: ignore[no-untyped-def]
    import os

    from rich.console import Console

    console = Console(highlight=False, soft_wrap=False)
    if not console.is_terminal and not os.environ.get("COLUMNS"):
        console.width = 160  # piped to a file or a pager: don't squeeze tables to 80 columns
    return console


def fail(message: str, code: int = 1) -> NoReturn:
    """Print an error in Vietnamese on stderr and exit non-zero."""
    from rich.console import Console

    Console(stderr=True, highlight=False).print(f"[bold red]Lỗi:[/] {message}", markup=True,
                                                soft_wrap=True)
    raise typer.Exit(code)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _check_format(fmt: str, allowed: tuple[str, ...] = ("table", "json")) -> None:
    if fmt not in allowed:
        fail(f"--format {fmt!r}: chọn một trong {', '.join(allowed)}", 2)


def _at(app: App, value: str | None) -> dt.datetime:
    """--at as an aware datetime; a naive one is read in the deployment's time zone."""
    if value is None:
        return app.clock()
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        fail(f"--at {value!r}: cần thời điểm ISO 8601, ví dụ 2025-11-30T17:00+07:00", 2)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=app.settings.timezone)
    return parsed


def _guard(func):  # type: ignore[no-untyped-def]
    """Turn the domain's errors into a clear message and a non-zero exit."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):  # type: ignore[no-untyped-def]
        from config.settings import SettingsError
        from models.calendar import CalendarError
        from models.db import DatabaseError
        from models.policy import PolicyError
        from models.registry import RegistryError
        from models.template import TemplateError
        from notifications.contacts import ContactsError

        try:
            return func(*args, **kwargs)
        except TemplateError as exc:
            fail("mẫu không hợp lệ:\n" + "\n".join(f"  {p}" for p in exc.problems))
        except (SettingsError, RegistryError, CalendarError, DatabaseError, ContactsError,
                PolicyError) as exc:
            fail(str(exc))

    return wrapper


@app.callback()
def _root() -> None:
    """directive-cascade: giao việc theo văn bản chỉ đạo, theo dõi, đôn đốc."""


@app.command()
@_guard
def init() -> None:
    """Tạo hoặc nâng cấp cơ sở dữ liệu và nạp sổ đăng ký đơn vị (config/bodies.yaml)."""
    from models.db import current_revision, unit_of_work, upgrade
    from services.registry import sync_contacts, sync_registry

    app_ = _app()
    before = current_revision(app_.engine)
    upgrade(app_.engine)
    with unit_of_work(app_.engine) as session:
        sync = sync_registry(session=session, registry=app_.registry)
        sync_contacts(session=session, contacts=app_.contacts)
    after = current_revision(app_.engine)
    out = _out()
    url = app_.engine.url.render_as_string(hide_password=True)
    if before is None:
        out.print(f"Đã tạo cơ sở dữ liệu {url} (phiên bản {after}).")
    elif before != after:
        out.print(f"Đã nâng cấp cơ sở dữ liệu {url}: {before} → {after}, dữ liệu giữ nguyên.")
    else:
        out.print(f"Cơ sở dữ liệu {url} đã ở phiên bản mới nhất ({after}).")
    reg = app_.registry
    out.print(f"Sổ đăng ký: {len(reg.bodies)} đơn vị, {len(reg.groups)} nhóm "
              f"(thêm {sync.added}, cập nhật {sync.updated}, giữ nguyên {sync.unchanged}).")
    if sync.not_in_file:
        out.print(f"Có trong cơ sở dữ liệu nhưng không còn trong {app_.settings.registry_path}: "
                  f"{', '.join(sync.not_in_file)} (giữ lại vì nhiệm vụ có thể tham chiếu).")
    _print_contacts_source(out, app_)


def _print_contacts_source(out, app_: App) -> None:  # type: ignore[no-untyped-def]
    contacts = app_.contacts
    if contacts.is_example:
        out.print(f"Địa chỉ e-mail: dùng tệp mẫu {contacts.path} (example.org) vì chưa có "
                  f"{app_.settings.contacts_path}.")
    else:
        out.print(f"Địa chỉ e-mail: {contacts.path} ({len(contacts.addresses)} đơn vị).")


@bodies_app.callback()
@_guard
def bodies(
    ctx: typer.Context,
    kind: Annotated[str | None, typer.Option("--kind", help="Lọc theo loại đơn vị")] = None,
    missing_email: Annotated[bool, typer.Option(
        "--missing-email", help="Chỉ các đơn vị chưa có địa chỉ e-mail")] = False,
    format: FormatOpt = "table",
) -> None:
    """Liệt kê đơn vị và nhóm; `cascade bodies resolve TÊN` cho biết một nhóm gồm những ai."""
    if ctx.invoked_subcommand is not None:
        return
    _check_format(format)
    app_ = _app()
    reg = app_.registry
    if missing_email:
        _missing_email(app_, kind, format)
        return
    kinds = sorted({b.kind for b in reg.bodies.values()})
    if kind is not None and kind not in kinds and kind != "group":
        fail(f"--kind {kind!r}: không có loại này; các loại: {', '.join(kinds)}, group")
    bodies_ = [b for b in reg.bodies.values() if kind in (None, b.kind)]
    groups = [g for g in reg.groups.values()] if kind in (None, "group") else []
    if format == "json":
        _print_json({
            "bodies": [{"id": b.id, "name": b.name, "kind": b.kind, "parent": b.parent,
                        "aliases": list(b.aliases), "abbreviations": list(b.abbreviations)}
                       for b in bodies_],
            "groups": [{"id": g.id, "name": reg.label(g.id), "members": reg.expand(g.id),
                        "closed": g.closed, "placeholder": g.placeholder} for g in groups],
        })
        return
    from rich.table import Table

    table = Table(title=f"Đơn vị ({len(bodies_)})")
    for col in ("Mã", "Tên", "Loại"):
        table.add_column(col)
    for b in bodies_:
        table.add_row(b.id, b.name, b.kind)
    out = _out()
    out.print(table)
    if groups:
        gtable = Table(title=f"Nhóm ({len(groups)})")
        for col in ("Mã", "Tên", "Số đơn vị", "Ghi chú"):
            gtable.add_column(col)
        for g in groups:
            note = "chưa xác định, điều phối chọn" if g.placeholder else (
                "" if not reg.is_open(g.id) else "danh sách có thể chưa đủ")
            gtable.add_row(g.id, reg.label(g.id), str(len(reg.expand(g.id))), note)
        out.print(gtable)


def _missing_email(app_: App, kind: str | None, fmt: str) -> None:
    contacts = app_.contacts
    missing = [b for b in app_.registry.bodies.values()
               if kind in (None, b.kind) and not contacts.of(b.id)]
    if fmt == "json":
        _print_json({"contacts": str(contacts.path), "example": contacts.is_example,
                     "missing": [{"id": b.id, "name": b.name, "kind": b.kind} for b in missing]})
        return
    out = _out()
    if not missing:
        out.print(f"Mọi đơn vị đều có địa chỉ e-mail trong {contacts.path}.")
        return
    from rich.table import Table

    table = Table(title=f"Đơn vị chưa có địa chỉ e-mail trong {contacts.path} ({len(missing)})")
    for col in ("Mã", "Tên", "Loại"):
        table.add_column(col)
    for b in missing:
        table.add_row(b.id, b.name, b.kind)
    out.print(table)


@bodies_app.command("resolve")
@_guard
def bodies_resolve(
    name: Annotated[str, typer.Argument(help="Tên, tên viết tắt hoặc mã đơn vị/nhóm")],
    format: FormatOpt = "table",
) -> None:
    """Cho biết một tên ứng với đơn vị nào; với nhóm, liệt kê các đơn vị nhận việc."""
    _check_format(format)
    reg = _app().registry
    refs = reg.lookup(name)
    if not refs:
        fail(f"không tìm thấy {name!r} trong sổ đăng ký; xem `cascade bodies`")
    result: list[dict[str, Any]] = [{"id": ref, "name": reg.label(ref), "group": ref in reg.groups,
               "members": [{"id": m, "name": reg.label(m)} for m in reg.expand(ref)]}
              for ref in refs]
    if format == "json":
        _print_json(result)
        return
    out = _out()
    for item in result:
        kind = "nhóm" if item["group"] else "đơn vị"
        out.print(f"{name!r} → {kind} {item['id']} ({item['name']}): "
                  f"{len(item['members'])} đơn vị nhận việc")
        if item["group"]:
            group = reg.groups[item["id"]]
            if group.placeholder:
                out.print("  Nhóm chưa xác định: điều phối viên chọn đơn vị cụ thể khi giao việc.")
            elif reg.is_open(item["id"]):
                out.print("  Lưu ý: danh sách thành viên có thể chưa đủ.")
            for i, m in enumerate(item["members"], 1):
                out.print(f"  {i:>3}. {m['id']:<40} {m['name']}")


@app.command()
def draft(
    doc: Annotated[Path, typer.Argument(help="Văn bản chỉ đạo (.txt, .md, .docx)")],
    format: Annotated[str, typer.Option("--format", help="yaml hoặc json")] = "yaml",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Ghi ra tệp")] = None,
) -> None:
    """Soạn mẫu giao việc từ chính văn bản chỉ đạo."""
    from ingest.command import run_draft

    raise typer.Exit(run_draft(doc, fmt=format, output=output))


@app.command()
@_guard
def launch(
    template: Annotated[Path, typer.Argument(help="Mẫu giao việc (.yaml), hoặc văn bản (.txt, .md, "
                                             ".docx) với --review")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ in ra, không ghi gì")] = False,
    review: Annotated[bool, typer.Option(
        "--review", help="Soạn từ văn bản, hiện các nhiệm vụ sẽ tạo và hỏi xác nhận")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Không hỏi (cho script)")] = False,
    format: FormatOpt = "table",
    parent_task: Annotated[int | None, typer.Option(
        "--parent-task", help="Nhiệm vụ mà kế hoạch con này thực hiện")] = None,
    deadline: Annotated[list[str] | None, typer.Option(
        "--deadline", help="Ngày cho hạn hằng năm chưa có ngày: MỤC=MM-DD (lặp lại được)")] = None,
    at: AtOpt = None,
) -> None:
    """Khởi chạy: tạo văn bản, chuỗi giao việc và một nhiệm vụ cho mỗi đơn vị (một giao dịch)."""
    from cascade.review import is_document
    from models.db import unit_of_work
    from models.template import load_template, parse_template
    from services.launch import LaunchError, launch_cascade, parse_annual_days, plan_launch
    from services.registry import sync_contacts, sync_registry

    _check_format(format)
    app_ = _app()
    when = _at(app_, at)
    launched_on = when.astimezone(app_.settings.timezone).date()
    try:
        days = parse_annual_days(deadline or [])
        if is_document(template):
            if not (review or yes):
                fail(f"{template} là văn bản, chưa phải mẫu: thêm --review để soạn, xem lại và xác "
                     "nhận trước khi khởi chạy (hoặc --yes cho script)")
            text = _reviewed_template(app_, template, ask=not yes)
            spec = parse_template(text, app_.registry, file=f"{template} (bản nháp)")
            if not dry_run:
                plan = plan_launch(spec, registry=app_.registry, calendar=app_.calendar,
                                   launched_on=launched_on, annual_days=days)
                _out().print(f"Sẽ tạo {len(plan.tasks)} nhiệm vụ cho {spec.directive.number}.")
                if not yes and not typer.confirm("Khởi chạy?", default=False):
                    fail("đã hủy, không ghi gì", 1)
        else:
            spec = load_template(template, app_.registry)
            text = template.read_text(encoding="utf-8")
        engine = app_.ready_engine()
        with unit_of_work(engine) as session:
            sync_registry(session=session, registry=app_.registry)
            sync_contacts(session=session, contacts=app_.contacts)
            result = launch_cascade(
                session=session, spec=spec, template_text=text, registry=app_.registry,
                calendar=app_.calendar, at=when, coordinator=app_.settings.follow_up_office,
                parent_task_id=parent_task, annual_days=days, launched_on=launched_on)
            if dry_run:
                session.rollback()
    except LaunchError as exc:
        fail(str(exc))
    _report_launch(result, dry_run=dry_run, fmt=format, app_=app_)


def _reviewed_template(app_: App, doc: Path, *, ask: bool) -> str:
    """Draft `doc`, show it with its flags, let the coordinator settle them; the template text."""
    from cascade.review import flags_of, review_table, settle
    from ingest import DraftError, draft_document, draft_to_yaml

    try:
        draft = draft_document(doc, app_.registry)
    except DraftError as exc:
        fail(str(exc))
    flags = flags_of(draft, app_.registry)
    err = _err()
    err.print(review_table(draft, app_.registry, flags))
    for warning in draft.get("warnings", []):
        err.print(f"Lưu ý: {warning}")
    if flags and ask:
        settle(draft, app_.registry, ask=lambda q: typer.prompt(q, default="", show_default=False),
               say=err.print)
        flags = flags_of(draft, app_.registry)
    if flags:
        listing = "\n".join(f"  {f.where}: {f.message}" for f in flags)
        fail(f"bản nháp còn mục cần xem lại:\n{listing}\nSoạn ra tệp để sửa: cascade draft {doc} -o "
             "mau.yaml, sửa các dòng REVIEW, rồi cascade launch mau.yaml")
    return draft_to_yaml(draft)


def _report_launch(result, *, dry_run: bool, fmt: str, app_: App) -> None:  # type: ignore[no-untyped-def]
    from rich.table import Table

    bodies_ = sorted({t.body_id for t in result.plan.tasks}) if result.plan else []
    no_email = app_.contacts.missing(bodies_)
    if fmt == "json":
        data = result.as_json()
        data["missing_email"] = no_email
        if dry_run:
            data["dry_run"] = True
            data["cascade_id"] = None if result.created else result.cascade_id
            if result.plan:
                data["planned"] = [
                    {"ref": t.ref, "body": t.body_id, "role": t.role.value,
                     "due_on": t.due_on.isoformat() if t.due_on else None}
                    for t in result.plan.tasks]
        data["warnings"] = result.warnings
        _print_json(data)
        return
    out = _out()
    err = _err()
    for warning in result.warnings:
        err.print(f"Lưu ý: {warning}")
    if no_email:
        err.print(f"Lưu ý: {len(no_email)} đơn vị chưa có địa chỉ e-mail (nhiệm vụ vẫn được tạo, "
                  f"thư chờ đến khi có địa chỉ): {', '.join(no_email)}. "
                  "Xem `cascade bodies --missing-email`.")
    if not result.created:
        out.print(f"Văn bản {result.directive} đã được khởi chạy trước đó (chuỗi #{result.cascade_id}, "
                  f"{result.tasks} nhiệm vụ): không tạo gì mới.")
        return
    if dry_run and result.plan:
        reg = app_.registry
        table = Table(title=f"Chạy thử {result.directive}: sẽ tạo {result.tasks} nhiệm vụ")
        for col in ("Mục", "Đơn vị", "Vai trò", "Hạn"):
            table.add_column(col)
        for t in result.plan.tasks:
            table.add_row(t.ref, reg.label(t.body_id), t.role.label,
                          f"{t.due_on:%d/%m/%Y}" if t.due_on else "không thời hạn")
        out.print(table)
        out.print("Chạy thử: không ghi gì vào cơ sở dữ liệu.")
        return
    out.print(f"Đã khởi chạy {result.directive}: chuỗi #{result.cascade_id}, {result.tasks} nhiệm vụ, "
              f"{result.tasks} thư chờ gửi (cascade dispatch). Xem: cascade status {result.directive}")


def _err():  # type: ignore[no-untyped-def]
    from rich.console import Console

    return Console(stderr=True, highlight=False)


COLOUR_STYLES = {"in_term": "green", "near_due": "dark_orange", "overdue": "bold red",
                 "no_deadline": "cyan", "done_on_time": "dim green", "done_late": "dim red",
                 "cancelled": "dim"}


@app.command()
@_guard
def status(
    directive: Annotated[str | None, typer.Argument(help="Số văn bản, ví dụ 48-KH/ĐĐTLĐ")] = None,
    body: Annotated[str | None, typer.Option("--body", help="Mã đơn vị")] = None,
    at: AtOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Danh sách nhiệm vụ: đơn vị, vai trò, trạng thái, hạn và màu (trong hạn/sắp đến hạn/quá hạn)."""
    from models.db import unit_of_work
    from models.status import COLOUR_LABELS, Colour, Role, TaskStatus
    from services.status import NotFound, list_tasks

    _check_format(format)
    app_ = _app()
    when = _at(app_, at)
    try:
        with unit_of_work(app_.ready_engine(), write=False) as session:
            views = list_tasks(session=session, at=when, tz=app_.settings.timezone,
                               calendar=app_.calendar,
                               near_due_working_days=app_.settings.near_due_working_days,
                               directive=directive, body=body)
    except NotFound as exc:
        fail(str(exc))
    if format == "json":
        _print_json([v.as_json() for v in views])
        return
    from rich.table import Table

    local = when.astimezone(app_.settings.timezone)
    one_directive = len({v.directive for v in views}) == 1
    scope = f"{views[0].directive}: " if one_directive and views else ""
    table = Table(title=f"{scope}nhiệm vụ ({len(views)}) tính đến {local:%H:%M ngày %d/%m/%Y}")
    table.add_column("#", justify="right", no_wrap=True)
    if not one_directive:
        table.add_column("Văn bản", no_wrap=True)
    table.add_column("Mục", no_wrap=True)
    table.add_column("Đơn vị", ratio=3)
    table.add_column("Vai trò", no_wrap=True)
    table.add_column("Trạng thái", ratio=1)
    table.add_column("Hạn", no_wrap=True)
    table.add_column("Tình trạng", no_wrap=True)
    counts: dict[str, int] = {}
    for v in views:
        counts[v.colour] = counts.get(v.colour, 0) + 1
        state = TaskStatus(v.status).label
        if v.child_progress:
            state += f" (kế hoạch con {v.child_progress})"
        ref = v.ref if v.occurrence == 1 else f"{v.ref} (kỳ {v.occurrence})"
        cells = [str(v.id), *([] if one_directive else [v.directive]), ref, v.body_name,
                 Role(v.role).label, state, f"{v.due_on:%d/%m/%Y}" if v.due_on else "—",
                 COLOUR_LABELS[Colour(v.colour)]]
        table.add_row(*cells, style=COLOUR_STYLES[v.colour])
    out = _out()
    out.print(table)
    if views:
        out.print("  ".join(f"{COLOUR_LABELS[Colour(c)]}: {n}" for c, n in sorted(counts.items())))


@app.command()
@_guard
def task(
    task_id: Annotated[int, typer.Argument(metavar="ID", help="Số nhiệm vụ")],
    action: Annotated[str, typer.Argument(help="acknowledge, start, report, return, close, "
                                          "request-extension, grant-extension, "
                                          "refuse-extension, cancel")],
    note: Annotated[str | None, typer.Option("--note", help="Ghi chú")] = None,
    by: Annotated[str | None, typer.Option("--by", help="Mã đơn vị thực hiện (mặc định: "
                                                        "điều phối viên)")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Ngày hạn đề nghị/mới, "
                                                              "YYYY-MM-DD")] = None,
    at: AtOpt = None,
    format: FormatOpt = "table",
) -> None:
    """Chuyển trạng thái một nhiệm vụ; thao tác không hợp lệ bị từ chối, không thay đổi gì."""
    from models.db import unit_of_work
    from models.status import TaskStatus
    from services.actions import ActionRefused, TaskNotFound, record_action

    _check_format(format)
    app_ = _app()
    when = _at(app_, at)
    new_due = None
    if until is not None:
        try:
            new_due = dt.date.fromisoformat(until)
        except ValueError:
            fail(f"--until {until!r}: cần ngày dạng YYYY-MM-DD có thật", 2)
    if by is not None and by not in app_.registry.bodies:
        near = app_.registry.suggest(by)
        fail(f"--by {by!r}: không có đơn vị này" + (f" (có phải {', '.join(near)}?)" if near else ""))
    try:
        with unit_of_work(app_.ready_engine()) as session:
            result = record_action(session=session, task_id=task_id, action=action, at=when,
                                   actor=by, channel="cli", note=note, until=new_due,
                                   today=when.astimezone(app_.settings.timezone).date())
    except (ActionRefused, TaskNotFound) as exc:
        fail(str(exc))
    if format == "json":
        _print_json({"task": result.task_id, "action": result.action,
                     "from": result.from_status.value, "to": result.to_status.value,
                     "event": result.event_id, "follow_ups": result.follow_ups})
        return
    out = _out()
    out.print(f"Nhiệm vụ #{result.task_id}: {TaskStatus(result.from_status).label} → "
              f"{TaskStatus(result.to_status).label}.")
    for line in result.follow_ups:
        out.print(f"  Kéo theo: {line}")


@app.command()
@_guard
def history(
    task_id: Annotated[int, typer.Argument(metavar="TASK_ID", help="Số nhiệm vụ")],
    format: FormatOpt = "table",
) -> None:
    """Nhật ký của một nhiệm vụ: ai, kênh nào, lúc nào, từ trạng thái nào sang trạng thái nào."""
    from models.db import unit_of_work
    from models.status import TaskStatus
    from services.actions import TaskNotFound, task_history

    _check_format(format)
    app_ = _app()
    try:
        with unit_of_work(app_.ready_engine(), write=False) as session:
            events = task_history(session, task_id)
    except TaskNotFound as exc:
        fail(str(exc))
    if format == "json":
        _print_json([{"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "channel": e.channel,
                      "action": e.action, "from": e.from_status, "to": e.to_status,
                      "note": e.note, "data": e.data} for e in events])
        return
    from rich.table import Table

    tz = app_.settings.timezone
    table = Table(title=f"Nhật ký nhiệm vụ #{task_id}")
    for col in ("Lúc", "Ai", "Kênh", "Thao tác", "Từ", "Sang", "Ghi chú"):
        table.add_column(col)
    for e in events:
        table.add_row(f"{e.at.astimezone(tz):%d/%m/%Y %H:%M}", e.actor, e.channel, e.action,
                      TaskStatus(e.from_status).label if e.from_status else "—",
                      TaskStatus(e.to_status).label, e.note or "")
    _out().print(table)


# Commands defined in their own modules register themselves on `app` (imports stay light).
from cascade import cli_follow, cli_mail, cli_report, cli_web  # noqa: E402, F401


def main() -> None:
    app()


if __name__ == "__main__":
    main()
