"""The ASGI app: `GET /l/{token}` shows a confirmation page, `POST /l/{token}` acts, `/healthz`.

GET never writes: mail security scanners fetch every link, so only the button's POST spends the
token (services.links.use_link, the same service as `cascade task`). Database work is
synchronous (SQLModel) and runs in Starlette's thread pool.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from models.db import (
    DatabaseBusy,
    DatabaseUnreachable,
    head_revision,
    is_busy,
    is_unreachable,
    unit_of_work,
    writing,
)
from models.files import ACCEPTED
from models.links import LINK_ROUTE
from models.vocabulary import (
    action_heading,
    file_size,
    local_time,
    long_date,
    parse_date,
    sentence,
    vi_number,
)
from services import documents, report_attempts
from services.actions import (
    DATE_ACTIONS,
    MISSING_DATE,
    NOTE_LIMIT,
    ActionRefused,
    ActionResult,
    TaskNotFound,
)
from services.clicks import Click, NotQuick, click
from services.health import HealthLimits, health
from services.links import LinkInvalid, LinkOutcome, find_link, reading_link, report_by_link, use_link
from services.results import InputProblem, ReportInput, ReportRefused, ReportResult
from web.downloads import document_response, download_response
from web.forms import LinkForm, read_form
from web.headers import SecurityHeaders
from web.inputs import BadInput, InputCheck
from web.limits import BodyCaps, BodyLimit, too_large
from web.pages import (
    TaskPage,
    link_page,
    load_task,
    spent_link,
    status_explanation,
    task_for_token,
    task_page,
)

if TYPE_CHECKING:
    from cascade.bootstrap import App

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates" / "web"

Hook = Callable[[], Any]  # a sync function, or one returning an awaitable
BUSY_RETRY_SECONDS = 5


class BadForm(ValueError):
    """The form's input cannot be used (missing or impossible date, note too long)."""


def _environment() -> jinja2.Environment:

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    env.filters["long_date"] = long_date
    env.globals["local_time"] = local_time
    env.globals["max_note"] = NOTE_LIMIT
    env.globals.update(sentence=sentence, file_size=file_size, vi_number=vi_number,
                       accepted=ACCEPTED.replace(" ", ""))
    env.globals["css"] = (TEMPLATES_DIR / "style.css").read_text(encoding="utf-8")
    return env


async def _call(hook: Hook) -> None:
    result = hook()
    if inspect.isawaitable(result):
        await result


def _lifespan(on_startup: Sequence[Hook], on_shutdown: Sequence[Hook]):  # type: ignore[no-untyped-def]
    """Run the startup hooks (e.g. an embedded scheduler's start) and, at exit, the shutdown ones."""

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        for hook in on_startup:
            await _call(hook)
        try:
            yield
        finally:
            for hook in on_shutdown:
                await _call(hook)

    return lifespan


class LinkPages:
    """The request handlers, bound to one App (settings, engine, clock)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.tz = app.tz
        self.signer = app.signer
        self.engine = app.engine
        self.env = _environment()
        self.env.globals["tz"] = self.tz
        self.head = head_revision()
        self.started = app.clock()  # /healthz: a scheduler just started may not hold its lease yet

    def render(self, name: str, code: int = 200, **context: Any) -> HTMLResponse:
        html = self.env.get_template(name).render(**context)
        return HTMLResponse(html, status_code=code)

    # GET /l/{token}: read-only.
    async def show(self, request: Request) -> Response:
        token = request.path_params["token"]
        at = self.app.clock()
        return await run_in_threadpool(self._show, token, at)

    def _show(self, token: str, at: dt.datetime) -> Response:
        return self._confirmation(token, at)

    def _invalid(self, session: Session, token: str, exc: LinkInvalid) -> Response:
        spent = spent_link(session, token, self.tz) if exc.status_code == 410 else None
        return self.render("problem.html", exc.status_code, status_code=exc.status_code,
                           message=str(exc), spent=spent, task=spent.task if spent else None,
                           headline=None)

    # POST /l/{token}: spends the token and acts, in one write transaction.
    async def act(self, request: Request) -> Response:
        token = request.path_params["token"]
        at = self.app.clock()
        if request.headers.get("content-type", "").startswith("multipart/") and (
                refused := await run_in_threadpool(self._before_body, token, at)) is not None:
            return refused  # a link that cannot act, or too many refused uploads: nothing read
        form = await read_form(request, self.app.upload_limits)
        try:
            return await run_in_threadpool(self._act, token, at, form)
        finally:
            await form.close()

    def _before_body(self, token: str, at: dt.datetime) -> Response | None:
        with unit_of_work(self.engine, write=False) as session:
            try:
                find_link(session=session, signer=self.signer, token=token, at=at, tz=self.tz)
            except LinkInvalid as exc:
                return self._invalid(session, token, exc)
            wait = report_attempts.wait_seconds(session, token, at)
        return self.render("problem.html", 429, status_code=429, spent=None, task=None,
                           headline=None, message=report_attempts.message(wait),
                           ) if wait else None

    def _act(self, token: str, at: dt.datetime, form: LinkForm) -> Response:
        note = form.note
        quick = self._quick(token, at, form)
        if quick is not None:
            return self._done(task_page(quick.task, self.tz), quick.action, quick.result, at,
                              note)
        try:
            form.prepare(self.app.files, self.app.upload_limits)  # files checked, copied: no write
            with unit_of_work(self.engine) as session:
                outcome = self._use(session, token, at, form)
                task = load_task(session, outcome.link.task_id, self.tz)
        except LinkInvalid as exc:
            with unit_of_work(self.engine, write=False) as session:
                return self._invalid(session, token, exc)
        except BadForm as exc:
            return self._form_again(token, at, str(exc), form)
        except ReportRefused as exc:
            if form.uploads or form.problem is not None:  # bounded (services.report_attempts)
                report_attempts.record_refused(self.engine, token, at)
            return self._form_again(token, at, "Báo cáo chưa được gửi.", form, exc.problems)
        except ActionRefused as exc:
            if exc.status is None:  # the input was refused (e.g. a date), not the transition
                return self._form_again(token, at, sentence(str(exc)), form)
            return self._refused(token, exc)
        except TaskNotFound as exc:
            return self.render("problem.html", 404, status_code=404, message=sentence(str(exc)),
                               spent=None, task=None, headline=None)
        return self._done(task, outcome.link.action, outcome.result, at, note, outcome.report)

    def _quick(self, token: str, at: dt.datetime, form: LinkForm) -> Click | None:
        """A plain transition in four statements (services.clicks), or None: anything else,
        or anything to refuse, takes the general path below, which answers as it always has."""
        if form.uploads or form.figures or form.problem is not None:
            return None
        try:
            until = parse_date(form.until) if form.until else None
        except ValueError:
            return None
        try:
            with writing(self.engine) as conn:
                return click(conn, signer=self.signer, token=token, at=at, tz=self.tz,
                             note=form.note or None, until=until)
        except NotQuick:
            return None

    def _use(self, session: Session, token: str, at: dt.datetime, form: LinkForm) -> LinkOutcome:
        link = find_link(session=session, signer=self.signer, token=token, at=at, tz=self.tz)
        if form.problem is not None:
            raise ReportRefused([InputProblem("files", form.problem)])
        if link.action == "report":
            return report_by_link(session=session, signer=self.signer, store=self.app.files,
                                  limits=self.app.upload_limits, token=token, at=at, tz=self.tz,
                                  report=ReportInput(form.note, form.uploads, form.figures),
                                  prepared=form.prepared)
        until = _parse_until(link.action, form.until)
        if form.uploads or form.figures:
            raise BadForm("Đường dẫn này không nhận tệp hay số liệu.")
        return use_link(session=session, signer=self.signer, token=token, at=at, tz=self.tz,
                        note=form.note or None, until=until)

    def _form_again(self, token: str, at: dt.datetime, error: str, form: LinkForm,
                    problems: Sequence[InputProblem] = ()) -> Response:
        """The confirmation page again, with what was wrong and what was typed; nothing was
        changed."""
        return self._confirmation(token, at, error=error, note=form.note, until=form.until,
                                  problems=problems, figures=form.figures,
                                  files_lost=bool(form.uploads) or form.problem is not None)

    def _confirmation(self, token: str, at: dt.datetime, *, error: str | None = None,
                      note: str = "", until: str | None = None,
                      problems: Sequence[InputProblem] = (), figures: dict[str, str] | None = None,
                      files_lost: bool = False) -> Response:
        """The link's confirmation page (400 when it shows a refused form); reads only."""
        with unit_of_work(self.engine, write=False) as session:
            try:
                link = find_link(session=session, signer=self.signer, token=token, at=at,
                                 tz=self.tz)
            except LinkInvalid as exc:
                return self._invalid(session, token, exc)
            page = link_page(session, link, self.tz)
        return self.render("link.html", 400 if error else 200, page=page, error=error, note=note,
                           until=until, problems=problems, figures=figures or {}, token=token,
                           files_lost=files_lost, limits=self.app.upload_limits)

    def _refused(self, token: str, exc: ActionRefused) -> Response:
        with unit_of_work(self.engine, write=False) as session:
            task, action = task_for_token(session, token, self.tz)
            headline = status_explanation(task, action)
        return self.render("problem.html", 409, status_code=409, message=sentence(str(exc)),
                           spent=None, task=task, headline=headline)

    def _done(self, task: TaskPage, action: str, result: ActionResult, at: dt.datetime,
              note: str, report: ReportResult | None = None) -> Response:
        return self.render("done.html", task=task, heading=action_heading(action),
                           from_label=result.from_status.label, to_label=result.to_status.label,
                           when=local_time(at, self.tz), note=note, follow_ups=result.follow_ups,
                           report=report)

    # GET /l/{token}/files/{file_id}: a file of the task's reports, for the link's holder.
    async def download(self, request: Request) -> Response:
        token, file_id = request.path_params["token"], request.path_params["file_id"]
        at = self.app.clock()
        return await run_in_threadpool(self._download, token, file_id, at)

    def _download(self, token: str, file_id: int, at: dt.datetime) -> Response:
        with unit_of_work(self.engine, write=False) as session:
            try:
                found = download_response(session, self.signer, self.app.files, token, file_id,
                                          at, self.tz)
            except LinkInvalid as exc:
                return self.render("problem.html", exc.status_code, status_code=exc.status_code,
                                   message=str(exc), spent=None, task=None, headline=None)
        if found is None:
            return self.render("problem.html", 404, status_code=404, spent=None, task=None,
                               headline=None, message="Không có tệp này trong báo cáo của "
                                                      "nhiệm vụ.")
        return found

    # GET /l/{token}/document/{document_id}: the document of the link's task's directive.
    async def document(self, request: Request) -> Response:
        token, document_id = request.path_params["token"], request.path_params["document_id"]
        at = self.app.clock()
        return await run_in_threadpool(self._document, token, document_id, at)

    def _document(self, token: str, document_id: int, at: dt.datetime) -> Response:
        with unit_of_work(self.engine, write=False) as session:
            try:
                link = reading_link(session=session, signer=self.signer, token=token, at=at,
                                    tz=self.tz)
            except LinkInvalid as exc:
                return self.render("problem.html", exc.status_code, status_code=exc.status_code,
                                   message=str(exc), spent=None, task=None, headline=None)
            view = documents.find(session, document_id, task_id=link.task_id)
        found = document_response(self.app.files, view)
        if found is None:
            return self.render("problem.html", 404, status_code=404, spent=None, task=None,
                               headline=None, message="Không có văn bản này cho nhiệm vụ.")
        return found

    # GET /healthz
    async def healthz(self, request: Request) -> Response:
        return await run_in_threadpool(self._healthz)

    def _healthz(self) -> Response:
        code, body = health(self.engine, head=self.head, at=self.app.clock(),
                            started_at=self.started, limits=HealthLimits.of(self.app.settings))
        return JSONResponse(body, status_code=code)

    async def http_error(self, request: Request, exc: Exception) -> Response:
        code = exc.status_code if isinstance(exc, HTTPException) else 500
        messages = {404: "Không có trang này.", 405: "Trang này không nhận thao tác đó."}
        if isinstance(exc, BadInput):
            return self.refused_input(exc.detail)
        return self.render("problem.html", code, status_code=code, spent=None, task=None,
                           headline=None, message=messages.get(code, "Đã có lỗi xảy ra."))

    def refused_input(self, message: str) -> Response:
        """Input no route can use (web.inputs): 400 with what and where."""
        return self.render("problem.html", 400, status_code=400, spent=None, task=None,
                           headline="Dữ liệu gửi lên không hợp lệ", message=message)

    async def busy(self, request: Request, exc: Exception) -> Response:
        """Another writer holds the database, or it does not answer: 503 with Retry-After;
        nothing was written."""
        response = self.render("problem.html", 503, status_code=503, spent=None, task=None,
                               headline=None, message="Hệ thống đang bận nên chưa ghi nhận gì. "
                                                      "Vui lòng thử lại sau ít phút.")
        response.headers["Retry-After"] = str(BUSY_RETRY_SECONDS)
        return response

    async def server_error(self, request: Request, exc: Exception) -> Response:
        if is_busy(exc) or is_unreachable(exc):
            return await self.busy(request, exc)
        return self.render("problem.html", 500, status_code=500, spent=None, task=None,
                           headline=None,
                           message="Hệ thống gặp lỗi nên chưa ghi nhận gì. Vui lòng thử lại sau.")


def _parse_until(action: str, text: str) -> dt.date | None:
    """The date field, for the actions that carry one (services.actions.DATE_ACTIONS)."""
    need = DATE_ACTIONS.get(action)
    if need is None:
        return None
    if not text:
        if need == "required":
            raise BadForm(sentence(MISSING_DATE[action]))
        return None
    try:
        return parse_date(text)
    except ValueError as exc:
        raise BadForm(sentence(str(exc))) from None


def create_app(app: App, *, on_startup: Sequence[Hook] = (),
               on_shutdown: Sequence[Hook] = ()) -> Starlette:
    """The web app for `app` (settings, engine, clock).

    `on_startup` / `on_shutdown` run in the server's lifespan (each may be sync or async): the
    place for an embedded scheduler that lives as long as `cascade serve`.
    """
    from web.console import console_routes

    pages = LinkPages(app)
    css = str(pages.env.globals["css"])
    return Starlette(
        routes=[
            Route(LINK_ROUTE, pages.show, methods=["GET"]),
            Route(LINK_ROUTE, pages.act, methods=["POST"]),
            Route(LINK_ROUTE + "/files/{file_id:int}", pages.download, methods=["GET"]),
            Route(LINK_ROUTE + "/document/{document_id:int}", pages.document, methods=["GET"]),
            Route("/healthz", pages.healthz, methods=["GET"]),
            *console_routes(app, pages.env),  # the console shares the Jinja environment
        ],
        middleware=[Middleware(SecurityHeaders, css=css),
                    Middleware(BodyLimit, too_large=too_large(pages.render), caps=BodyCaps.of(
                        form_max_bytes=app.settings.form_max_bytes, limits=app.upload_limits)),
                    Middleware(InputCheck, refuse=pages.refused_input)],
        exception_handlers={HTTPException: pages.http_error, DatabaseBusy: pages.busy,
                            DatabaseUnreachable: pages.busy, Exception: pages.server_error},
        lifespan=_lifespan(on_startup, on_shutdown),
    )
