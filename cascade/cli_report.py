"""`cascade report`: the review summary (sơ kết, tổng kết) of a directive."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from cascade.cli import _app, _at, _guard, _out, _print_json, app, fail

FORMATS = ("html", "docx", "json")


def default_docx_name(number: str) -> str:
    """'48-KH/ĐĐTLĐ' -> 'bao-cao-48-KH-ĐĐTLĐ.docx': safe in any file system, diacritics kept."""
    stem = re.sub(r"[^\w.-]+", "-", number, flags=re.UNICODE).strip("-.") or "bao-cao"
    return f"bao-cao-{stem}.docx"


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file in the same folder, then rename."""
    import os
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@app.command()
@_guard
def report(
    directive: Annotated[str, typer.Argument(help="Số văn bản, ví dụ 48-KH/ĐĐTLĐ")],
    at: Annotated[str | None, typer.Option("--at", help="Thời điểm ISO 8601 (mặc định: bây giờ)")] = None,
    format: Annotated[str, typer.Option("--format", help="html, docx hoặc json")] = "html",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Ghi ra tệp")] = None,
    issuer: Annotated[str | None, typer.Option(
        "--issuer", help="Mã cơ quan ban hành, khi nhiều văn bản trùng số")] = None,
) -> None:
    """Báo cáo sơ kết, tổng kết: đúng hạn, trễ hạn, trong hạn, quá hạn, gia hạn, theo đơn vị."""
    if format not in FORMATS:
        fail(f"--format {format!r}: chọn một trong {', '.join(FORMATS)}", 2)
    from models.db import unit_of_work
    from services.report import summarise_directive
    from services.status import NotFound

    app_ = _app()
    when = _at(app_, at)
    try:
        with unit_of_work(app_.ready_engine(), write=False) as session:
            summary = summarise_directive(
                session=session, number=directive, at=when, tz=app_.settings.timezone,
                calendar=app_.calendar, near_due_working_days=app_.settings.near_due_working_days,
                issuer=issuer)
    except NotFound as exc:
        fail(str(exc))
    if format == "json":
        if output is None:
            _print_json(summary.as_json())
            return
        import json

        data = json.dumps(summary.as_json(), ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
    elif format == "html":
        from services.report_html import render_html

        text = render_html(summary)
        if output is None:
            import sys

            sys.stdout.write(text)
            return
        data = text.encode("utf-8")
    else:
        from services.report_docx import render_docx

        data = render_docx(summary)
        output = output or Path.cwd() / default_docx_name(summary.directive.number)
    try:
        write_atomically(output, data)
    except OSError as exc:
        fail(f"không ghi được {output}: {exc.strerror or exc}")
    t = summary.overall
    _out().print(f"Đã ghi báo cáo {summary.directive.number} ({format}) vào {output}: {t.tasks} nhiệm "
                 f"vụ, {t.done} đã hoàn thành, {t.overdue} quá hạn.")
