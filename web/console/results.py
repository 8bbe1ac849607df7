"""The console's results: a report's files behind the session, and the ranking of the bodies
(services.evaluation, the same as `cascade evaluate`) as a page with a chart and as .xlsx,
.docx or JSON."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from starlette.responses import Response

from models.db import unit_of_work
from models.directives import NotFound
from models.scheme import SchemeError
from models.vocabulary import BODY_KIND, parse_date, sentence, short_date
from services.evaluation import (
    Evaluation,
    EvaluationError,
    default_name,
    evaluate_bodies,
    letterhead,
    render_evaluation,
)
from web.console.guard import Ctx
from web.console.pages import Pages
from web.downloads import content_disposition, task_file_response

EXPORTS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
           "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
           "json": "application/json; charset=utf-8"}


@dataclass(frozen=True)
class Period:
    """What the ranking page was asked for, as typed (to show again) and as read."""

    start_text: str
    end_text: str
    kind: str
    directive: str
    start: dt.date | None
    end: dt.date

    @property
    def query(self) -> str:
        from urllib.parse import urlencode

        return urlencode({k: v for k, v in (("from", self.start_text), ("to", self.end_text),
                                             ("kind", self.kind), ("directive", self.directive))
                          if v})


class Results:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.app = pages.app

    # GET /tasks/{task_id}/files/{file_id}
    def report_file(self, ctx: Ctx) -> Response:
        task_id, file_id = int(ctx.param("task_id")), int(ctx.param("file_id"))
        with unit_of_work(self.app.engine, write=False) as session:
            found = task_file_response(session, self.app.files, task_id, file_id)
        if found is None:
            return self.pages.not_found(ctx, "không có tệp này trong báo cáo của nhiệm vụ")
        return found

    def _period(self, ctx: Ctx) -> Period:
        """The period asked for (ValueError with what is wrong, in Vietnamese)."""
        start_text, end_text = ctx.arg("from") or "", ctx.arg("to") or ""
        kind, directive = ctx.arg("kind") or "", ctx.arg("directive") or ""
        if kind and kind not in BODY_KIND:
            raise ValueError(f"không có loại đơn vị «{kind}»")
        try:
            start = parse_date(start_text) if start_text else None
        except ValueError as exc:
            raise ValueError(f"từ ngày: {exc}") from None
        try:
            end = parse_date(end_text) if end_text else self.app.today(ctx.at)
        except ValueError as exc:
            raise ValueError(f"đến ngày: {exc}") from None
        return Period(start_text, end_text, kind, directive, start, end)

    def _evaluate(self, period: Period) -> Evaluation:
        with unit_of_work(self.app.engine, write=False) as session:
            return evaluate_bodies(session=session, scheme=self.app.scheme, start=period.start,
                                   end=period.end, tz=self.app.tz,
                                   directive=period.directive or None, kind=period.kind or None)

    # GET /evaluation
    def ranking(self, ctx: Ctx) -> Response:
        error, evaluation, period = None, None, None
        try:
            period = self._period(ctx)
            evaluation = self._evaluate(period)
        except (ValueError, NotFound, EvaluationError, SchemeError) as exc:
            error = sentence(str(exc)) + " Sửa rồi xem lại."
        return self.pages.render(ctx, "console/evaluation.html", 400 if error else 200,
                                 page="evaluation", evaluation=evaluation, period=period,
                                 error=error, kinds=BODY_KIND, form=ctx.request.query_params,
                                 end_text=short_date(period.end) if period else "")

    # GET /evaluation.{fmt}
    def export(self, ctx: Ctx) -> Response:
        fmt = ctx.param("fmt")
        if fmt not in EXPORTS:
            return self.pages.not_found(ctx, f"không có định dạng {fmt}")
        try:
            evaluation = self._evaluate(self._period(ctx))
        except (ValueError, NotFound, EvaluationError, SchemeError) as exc:
            return self.pages.not_found(ctx, str(exc))
        with unit_of_work(self.app.engine, write=False) as session:
            head = letterhead(session, self.app.settings.follow_up_office)
        data = render_evaluation(evaluation, fmt, letterhead=head)
        headers = {} if fmt == "json" else {
            "content-disposition": content_disposition(default_name(evaluation, fmt))}
        return Response(data, media_type=EXPORTS[fmt], headers=headers)
