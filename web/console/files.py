"""Downloads from the board: its rows as .csv/.xlsx (the filters applied) and the review summary
as HTML, .docx or JSON (services.reporting, the same as `cascade report`); the document the
directive was drafted from."""

from __future__ import annotations

from starlette.responses import Response

from models.db import unit_of_work
from models.directives import NotFound
from services import board, documents, exports
from services.reporting import build_report, default_name
from web.console.guard import Ctx
from web.console.pages import Pages, board_filters
from web.downloads import content_disposition, document_response

SUMMARY_TYPES = {"html": "text/html; charset=utf-8",
                 "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 "json": "application/json; charset=utf-8"}
# The summary page is a static document with style attributes: styles inline, never a script.
SUMMARY_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
               "form-action 'none'; frame-ancestors 'none'")


class Files:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.app = pages.app

    # GET /exports/tasks.{fmt}?directive=...
    def tasks(self, ctx: Ctx) -> Response:
        fmt = ctx.param("fmt")
        number = ctx.arg("directive") or ""
        if fmt not in exports.FORMATS:
            return self.pages.not_found(ctx, f"không có định dạng {fmt}")
        try:
            with unit_of_work(self.app.engine, write=False) as session:
                head, rows = board.export_rows(session=session, number=number,
                                               filters=board_filters(ctx), at=ctx.at,
                                               issuer=ctx.arg("issuer"), **self.pages._colour_args)
        except NotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        name = default_name(head.number, fmt).replace("bao-cao-", "nhiem-vu-")
        return Response(exports.render(fmt, head, rows), media_type=exports.FORMATS[fmt],
                        headers={"content-disposition": content_disposition(name)})

    # GET /reports/summary.{fmt}?directive=...
    def summary(self, ctx: Ctx) -> Response:
        fmt = ctx.param("fmt")
        if fmt not in SUMMARY_TYPES:
            return self.pages.not_found(ctx, f"không có định dạng {fmt}")
        s = self.app.settings
        try:
            report = build_report(engine=self.app.engine, number=ctx.arg("directive") or "",
                                  at=ctx.at, tz=self.app.tz, calendar=self.app.calendar,
                                  near_due_working_days=s.near_due_working_days, fmt=fmt,
                                  issuer=ctx.arg("issuer"))
        except NotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        headers = {}
        if fmt == "html":
            headers["content-security-policy"] = SUMMARY_CSP
        else:
            headers["content-disposition"] = content_disposition(
                default_name(report.summary.directive.number, fmt))
        return Response(report.data, media_type=SUMMARY_TYPES[fmt], headers=headers)

    # GET /documents/{document_id}: the document a directive was drafted from
    def document(self, ctx: Ctx) -> Response:
        with unit_of_work(self.app.engine, write=False) as session:
            view = documents.find(session, int(ctx.param("document_id")))
        found = document_response(self.app.files, view)
        if found is None:
            return self.pages.not_found(ctx, "không có văn bản gốc này")
        return found
