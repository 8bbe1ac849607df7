"""`cascade evaluate`: grade every body over a period by config/evaluation.yaml."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cascade.cli.common import app_of, check_format, date_option, fail, guard, out, print_json
from cascade.cli.tables import show, table

LEGEND = ("Giao: nhiệm vụ được giao; Đúng, Trễ: hoàn thành đúng hạn, quá hạn; Còn, Quá: chưa "
          "hoàn thành, trong hạn, quá hạn; Trả: lượt báo cáo bị trả lại; Gia: lượt gia hạn. Tỷ "
          "lệ đúng hạn: --format json, xlsx hoặc docx.")


@guard
def evaluate(
    ctx: typer.Context,
    start: Annotated[str | None, typer.Option(
        "--from", help="Từ ngày, ví dụ 01/01/2026 (mặc định: từ đầu)")] = None,
    end: Annotated[str | None, typer.Option(
        "--to", help="Đến ngày, ví dụ 31/12/2026 (mặc định: hôm nay)")] = None,
    directive: Annotated[str | None, typer.Option(
        "--directive", help="Chỉ các nhiệm vụ của văn bản này (và kế hoạch con)")] = None,
    kind: Annotated[str | None, typer.Option(
        "--kind", help="Chỉ một loại đơn vị, ví dụ provincial_federation")] = None,
    issuer: Annotated[str | None, typer.Option(
        "--issuer", help="Mã cơ quan ban hành, khi nhiều văn bản trùng số")] = None,
    format: Annotated[str, typer.Option("--format", help="table, json, xlsx hoặc docx")] = "table",
    output: Annotated[Path | None, typer.Option("-o", "--output", help="Ghi ra tệp")] = None,
) -> None:
    """Đánh giá, xếp loại các đơn vị trong một kỳ: đúng hạn, quá hạn, trả lại, gia hạn, điểm."""
    from models.db import unit_of_work
    from models.vocabulary import BODY_KIND
    from services.evaluation import FORMATS, EvaluationError, build_evaluation, evaluate_bodies

    check_format(format, FORMATS)
    if kind is not None and kind not in BODY_KIND:
        fail(f"--kind {kind!r}: chọn một trong {', '.join(BODY_KIND)}", 2)
    app = app_of(ctx)
    first = date_option(start, "--from")
    last = date_option(end, "--to") or app.today()
    try:
        if format == "table":
            with unit_of_work(app.ready_engine(), write=False) as session:
                evaluation = evaluate_bodies(session=session, scheme=app.scheme, start=first,
                                             end=last, tz=app.tz, directive=directive,
                                             issuer=issuer, kind=kind)
            _print_table(evaluation)
            return
        written = build_evaluation(engine=app.ready_engine(), scheme=app.scheme, end=last,
                                   tz=app.tz, fmt=format, office=app.settings.follow_up_office,
                                   start=first, directive=directive, issuer=issuer, kind=kind,
                                   output=output, default_dir=Path.cwd())
    except EvaluationError as exc:
        fail(str(exc))
    if written.path is None:
        if format == "json":
            print_json(written.evaluation.as_json())
        else:
            sys.stdout.buffer.write(written.data)
        return
    out().print(f"Đã ghi kết quả đánh giá {len(written.evaluation.rows)} đơn vị ({format}) vào "
                f"{written.path}.")


def _print_table(evaluation) -> None:  # type: ignore[no-untyped-def]
    from models.vocabulary import EVALUATION_SHORT as H
    from models.vocabulary import NOT_GRADED, body_kind_label, upper_first, vi_number
    from reports.evaluation_xlsx import period_text

    console = out()
    if not evaluation.rows:
        console.print(f"Không có nhiệm vụ nào trong kỳ ({period_text(evaluation)}).")
        return
    for kind, rows in evaluation.by_kind():
        listing = table(f"{upper_first(body_kind_label(kind))}: {period_text(evaluation)}",
                        (H["rank"], {"justify": "right"}),
                        (H["body_name"], {"ratio": 1, "no_wrap": False}),
                        *((H[k], {"justify": "right"}) for k in (
                            "assigned", "done_on_time", "done_late", "open_in_term",
                            "open_overdue", "returned", "extensions", "score")),
                        (H["grade"], {"no_wrap": False, "max_width": 11}))
        listing.gap = 1  # eleven columns in 80
        for r in rows:
            listing.add_row("—" if r.rank is None else str(r.rank), r.body_name, str(r.assigned),
                            str(r.done_on_time), str(r.done_late), str(r.open_in_term),
                            str(r.open_overdue), str(r.returned), str(r.extensions),
                            "—" if r.score is None else vi_number(r.score, 1),
                            r.grade or NOT_GRADED)
        show(listing)
    console.print(LEGEND)
