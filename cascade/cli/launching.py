"""`cascade draft` and `cascade launch`: from the document to a launched cascade."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cascade.cli.common import (
    app_of,
    check_format,
    err,
    fail,
    guard,
    moment,
    out,
    print_json,
    safe_text,
)
from cascade.cli.options import AtOpt, FormatOpt
from cascade.cli.tables import show, table

if TYPE_CHECKING:
    from cascade.bootstrap import App
    from services.launch import LaunchResult


def draft(
    ctx: typer.Context,
    doc: Annotated[Path, typer.Argument(help="Văn bản chỉ đạo (.txt, .md, .docx, .pdf, .png, .jpg)")],
    format: Annotated[str, typer.Option("--format", help="yaml hoặc json")] = "yaml",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Ghi ra tệp")] = None,
) -> None:
    """Soạn mẫu giao việc từ chính văn bản chỉ đạo (bản quét: đọc bằng OCR, song song theo
    số CPU; trang đã đọc được giữ lại, soạn lại cùng tệp không phải đọc lại)."""
    from ingest.aliases import load_aliases
    from ingest.command import run_draft
    from ingest.ocr_cache import OCR_CACHE

    try:
        app = app_of(ctx)
        registry = app.registry
        aliases = load_aliases(app.settings.aliases_path, registry)
    except (OSError, ValueError) as exc:  # the registry, the alias file or the settings
        fail(str(exc))
    raise typer.Exit(run_draft(doc, fmt=format, output=output, registry=registry, aliases=aliases,
                               cache_dir=app.settings.data_dir / OCR_CACHE))


@guard
def launch(
    ctx: typer.Context,
    template: Annotated[Path, typer.Argument(help="Mẫu giao việc (.yaml), hoặc văn bản (.txt, .md, "
                                             ".docx, .pdf, .png, .jpg) với --review")],
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
    from cascade.cli.review import is_document
    from models.template import load_template, parse_template
    from services.launch import LaunchError, launch_from_template, parse_annual_days, plan_launch

    check_format(format)
    app = app_of(ctx)
    when = moment(app, at)
    try:
        days = parse_annual_days(deadline or [])
        if is_document(template):
            if not (review or yes):
                fail(f"{template} là văn bản, chưa phải mẫu: thêm --review để soạn, xem lại và xác "
                     "nhận trước khi khởi chạy (hoặc --yes cho script)")
            text = _reviewed_template(app, template, ask=not yes)
            spec = parse_template(text, app.registry, file=f"{template} (bản nháp)")
            if not dry_run:
                plan = plan_launch(spec, registry=app.registry, calendar=app.calendar,
                                   launched_on=app.today(when), annual_days=days)
                out().print(f"Sẽ tạo {len(plan.tasks)} nhiệm vụ cho {spec.directive.number}.")
                if not yes and not typer.confirm("Khởi chạy?", default=False):
                    out().print("Đã hủy, không ghi gì.")
                    raise typer.Exit(0)
        else:
            spec = load_template(template, app.registry)
            text = template.read_text(encoding="utf-8")
        result = launch_from_template(
            engine=app.ready_engine(), spec=spec, template_text=text, registry=app.registry,
            contacts=app.contacts, calendar=app.calendar, tz=app.tz, at=when,
            coordinator=app.settings.follow_up_office, parent_task_id=parent_task,
            annual_days=days, dry_run=dry_run)
    except LaunchError as exc:
        fail(str(exc))
    _report_launch(result, fmt=format, app=app, today=app.today(when))


def _reviewed_template(app: App, doc: Path, *, ask: bool) -> str:
    """Draft `doc`, show it with its flags, let the coordinator settle them; the template text."""
    from cascade.cli.review import (
        flags_of,
        learn_names,
        review_table,
        settle,
        targets_table,
    )
    from ingest import DraftError, draft_document
    from ingest.aliases import AliasError, load_aliases
    from services.review import template_text

    s = app.settings
    try:
        drafted = draft_document(doc, app.registry, aliases=load_aliases(s.aliases_path, app.registry))
    except (DraftError, AliasError) as exc:
        fail(str(exc))
    flags = flags_of(drafted, app.registry)
    console = err()
    console.print(review_table(drafted, app.registry, flags))
    if drafted.get("targets"):
        console.print(targets_table(drafted))
    for warning in drafted.get("warnings", []):
        console.print(f"Lưu ý: {safe_text(warning)}", markup=False)
    if flags and ask:
        def prompt(question: str) -> str:
            return str(typer.prompt(question, default="", show_default=False))

        def say(line: str) -> None:
            console.print(safe_text(line), markup=False)

        learn_names(drafted, app.registry, prompt, say, aliases_path=s.aliases_path,
                    local_registry_path=s.local_registry_path)
        settle(drafted, app.registry, ask=prompt, say=say)
        flags = flags_of(drafted, app.registry)
    if flags:
        listing = "\n".join(f"  {f.where}: {f.message}" for f in flags)
        fail(f"bản nháp còn mục cần xem lại:\n{listing}\nSoạn ra tệp để sửa: cascade draft {doc} -o "
             "mau.yaml, sửa các dòng REVIEW, rồi cascade launch mau.yaml")
    return template_text(drafted)


def _report_launch(result: LaunchResult, *, fmt: str, app: App, today: dt.date) -> None:
    if fmt == "json":
        print_json(result.as_json())
        return
    from models.vocabulary import short_date

    console, warn = out(), err()
    for line in (*result.notices, *result.warnings):
        warn.print(f"Lưu ý: {line}", markup=False)
    if not result.created:
        console.print(f"Văn bản {result.directive} đã được khởi chạy trước đó (chuỗi "
                      f"#{result.cascade_id}, {result.tasks} nhiệm vụ): không tạo gì mới.")
        return
    if result.dry_run and result.plan:
        reg = app.registry
        listing = table(f"Chạy thử {result.directive}: sẽ tạo {result.tasks} nhiệm vụ", "Mục",
                        ("Đơn vị", {"ratio": 1, "no_wrap": False}), "Vai trò", "Hạn")
        for t in result.plan.tasks:  # flagged as the warnings above say
            late = " (quá hạn)" if t.due_on and t.due_on < today else ""
            mute = " (chưa có e-mail)" if t.body_id in result.missing_email else ""
            listing.add_row(t.ref, reg.label(t.body_id) + mute, t.role.label,
                            short_date(t.due_on) + late)
        show(listing)
        console.print("Chạy thử: không ghi gì vào cơ sở dữ liệu.")
        return
    mails = result.tasks if result.mails is None else result.mails
    console.print(f"Đã khởi chạy {result.directive}: chuỗi #{result.cascade_id}, {result.tasks} nhiệm "
                  f"vụ, {mails} thư chờ gửi (cascade dispatch). Xem: cascade status "
                  f"{result.directive}")
