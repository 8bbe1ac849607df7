"""The evaluation as a use case: grade every body over a period, render it (JSON, .xlsx,
.docx), write it whole. The CLI and the console call these."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.atomic import write_output
from models.db import unit_of_work
from models.scheme import Scheme
from models.tables import Body
from reports.evaluation import Evaluation, evaluate_tasks
from reports.summarise import directive_cascades
from reports.wording import Letterhead

FORMATS = ("table", "json", "xlsx", "docx")


class EvaluationError(ValueError):
    """The evaluation cannot be made or written as asked; nothing was written."""


def evaluate_bodies(*, session: Session, scheme: Scheme, end: dt.date, tz: dt.tzinfo,
                    start: dt.date | None = None, directive: str | None = None,
                    issuer: str | None = None, kind: str | None = None) -> Evaluation:
    """Each body graded over [start, end] (all its tasks, or those of `directive` and its child
    plans), ranked within its kind. Raises models.directives.NotFound or EvaluationError."""
    if start is not None and start > end:
        raise EvaluationError(f"--from {start:%d/%m/%Y} sau --to {end:%d/%m/%Y}")
    cascades = directive_cascades(session, directive, issuer) if directive else None
    evaluation = evaluate_tasks(session, scheme=scheme, start=start, end=end, tz=tz,
                                cascade_ids=cascades, kind=kind)
    evaluation.directive = directive
    return evaluation


def letterhead(session: Session, office: str) -> Letterhead:
    """The heading the evaluation carries: the office (the follow-up office), its parent, in
    the Party's form when either is a Party body."""
    body = session.get(Body, office)
    parent = session.get(Body, body.parent_id) if body and body.parent_id else None
    party = any(b is not None and b.kind == "party_body" for b in (body, parent))
    return Letterhead(body.name if body else office, parent.name if parent else None, party)


def render_evaluation(evaluation: Evaluation, fmt: str, *,
                      letterhead: Letterhead | None = None) -> bytes:
    if fmt == "json":
        return json.dumps(evaluation.as_json(), ensure_ascii=False, indent=2).encode() + b"\n"
    if fmt == "xlsx":
        from reports.evaluation_xlsx import render_xlsx

        return render_xlsx(evaluation)
    if fmt == "docx":
        from reports.evaluation_docx import render_evaluation_docx

        return render_evaluation_docx(evaluation, letterhead=letterhead or Letterhead(""))
    raise EvaluationError(f"định dạng {fmt!r}: chọn một trong {', '.join(FORMATS)}")


@dataclass(frozen=True)
class EvaluationFile:
    evaluation: Evaluation
    fmt: str
    data: bytes
    path: Path | None


def default_name(evaluation: Evaluation, fmt: str) -> str:
    start = f"{evaluation.start:%Y%m%d}-" if evaluation.start else ""
    return f"danh-gia-{start}{evaluation.end:%Y%m%d}.{fmt}"


def build_evaluation(*, engine: Engine, scheme: Scheme, end: dt.date, tz: dt.tzinfo, fmt: str,
                     office: str, start: dt.date | None = None, directive: str | None = None,
                     issuer: str | None = None, kind: str | None = None,
                     output: Path | None = None, default_dir: Path | None = None) -> EvaluationFile:
    """The evaluation in `fmt` (json, xlsx, docx), written atomically to `output` (.xlsx and
    .docx go to `default_dir/danh-gia-...` without one). `office`: the body whose heading the
    .docx carries (the follow-up office)."""
    if fmt not in FORMATS[1:]:
        raise EvaluationError(f"định dạng {fmt!r}: chọn một trong {', '.join(FORMATS)}")
    with unit_of_work(engine, write=False) as session:
        evaluation = evaluate_bodies(session=session, scheme=scheme, start=start, end=end, tz=tz,
                                     directive=directive, issuer=issuer, kind=kind)
        head = letterhead(session, office)
    data = render_evaluation(evaluation, fmt, letterhead=head)
    if output is None and fmt != "json" and default_dir is not None:
        output = default_dir / default_name(evaluation, fmt)
    if output is not None:
        write_output(output, data, EvaluationError)
    return EvaluationFile(evaluation, fmt, data, output)
