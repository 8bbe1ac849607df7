"""The console for coordinators, supervisors and viewers, in the same Starlette app as the link
pages: `console_routes(app, env)` gives its routes, every one behind `Guard.page` except
/login and the static files.

    GET  /login, POST /login, POST /logout
    GET  /                              Tổng quan
    GET  /directives                    Văn bản
    GET  /directives/new, POST          Giao việc mới (coordinator)
    GET  /drafts/{id}, POST             the review page; POST .../names, .../discard (coordinator)
    GET  /drafts/{id}/preview           the preview; POST .../days, .../overdue, .../launch
    GET  /drafts/jobs/{id}              a scan being read: its progress, then the review
    POST /drafts/jobs/{id}/discard      stop reading it (coordinator)
    GET  /directives/{number}           Bảng theo dõi
    GET  /exports/tasks.{csv|xlsx}      the board's rows; /reports/summary.{html|docx|json}
    GET  /documents/{id}                the document a directive was drafted from (any role)
    GET  /tasks/{id}, .../confirm       Nhiệm vụ; POST /tasks/{id}/act (coordinator, supervisor)
    GET  /tasks/{id}/files/{file_id}    a report's file (any role)
    GET  /inbox                         Việc chờ xử lý
    GET  /evaluation, /evaluation.{xlsx|docx|json}  Đánh giá, xếp loại (the same as `cascade evaluate`)
    GET  /bodies, POST /bodies/{id}/contacts (coordinator)
    GET  /outbox, POST /outbox/{id}/retry (coordinator)
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import jinja2
from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from web.console.auth import Login
from web.console.drafts import Drafts
from web.console.files import Files
from web.console.guard import ACTING, COORDINATOR, Guard
from web.console.pages import Pages
from web.console.preview import Preview
from web.console.results import Results
from web.console.review import Review
from web.console.templating import install

if TYPE_CHECKING:
    from cascade.bootstrap import App

STATIC_DIR = Path(__file__).resolve().parent.parent.parent / "templates" / "web" / "console" / "static"
STATIC_PREFIX = "/static"
# Routes that answer without a session (everything else redirects to /login).
PUBLIC = ("/login", "/healthz", "/l/{token}", STATIC_PREFIX)


def console_routes(app: App, env: jinja2.Environment) -> list[BaseRoute]:
    install(env, app)
    guard = Guard(app, env)
    login, pages = Login(guard), Pages(guard)
    drafts, files, results = Drafts(pages), Files(pages), Results(pages)
    preview = Preview(pages)
    review = Review(pages)
    page = guard.page
    return [
        Route("/login", login.show, methods=["GET"]),
        Route("/login", login.submit, methods=["POST"]),
        Route("/logout", page(login.logout), methods=["POST"]),
        Route("/", page(pages.dashboard), methods=["GET"]),
        Route("/directives", page(pages.directives), methods=["GET"]),
        Route("/directives/new", page(drafts.new, COORDINATOR), methods=["GET"]),
        Route("/directives/new", page(drafts.create, COORDINATOR), methods=["POST"]),
        Route("/directives/{number:path}", page(pages.board), methods=["GET"]),
        Route("/drafts/jobs/{job_id:int}", page(drafts.job, COORDINATOR), methods=["GET"]),
        Route("/drafts/jobs/{job_id:int}/discard", page(drafts.discard_job, COORDINATOR),
              methods=["POST"]),
        Route("/drafts/{draft_id:int}", page(review.show, COORDINATOR), methods=["GET"]),
        Route("/drafts/{draft_id:int}", page(review.save, COORDINATOR), methods=["POST"]),
        Route("/drafts/{draft_id:int}/preview", page(preview.preview, COORDINATOR), methods=["GET"]),
        Route("/drafts/{draft_id:int}/days", page(preview.days, COORDINATOR), methods=["POST"]),
        Route("/drafts/{draft_id:int}/overdue", page(preview.overdue, COORDINATOR),
              methods=["POST"]),
        Route("/drafts/{draft_id:int}/launch", page(preview.launch, COORDINATOR), methods=["POST"]),
        Route("/drafts/{draft_id:int}/discard", page(review.discard, COORDINATOR),
              methods=["POST"]),
        Route("/decisions", page(review.decisions, COORDINATOR), methods=["GET"]),
        Route("/decisions/{decision_id:int}", page(review.change_decision, COORDINATOR),
              methods=["POST"]),
        Route("/decisions/{decision_id:int}/withdraw", page(review.withdraw_decision, COORDINATOR),
              methods=["POST"]),
        Route("/exports/tasks.{fmt}", page(files.tasks), methods=["GET"]),
        Route("/reports/summary.{fmt}", page(files.summary), methods=["GET"]),
        Route("/documents/{document_id:int}", page(files.document), methods=["GET"]),
        Route("/tasks/{task_id:int}", page(pages.task), methods=["GET"]),
        Route("/tasks/{task_id:int}/confirm", page(pages.confirm, ACTING), methods=["GET"]),
        Route("/tasks/{task_id:int}/act", page(pages.act, ACTING), methods=["POST"]),
        Route("/tasks/{task_id:int}/files/{file_id:int}", page(results.report_file),
              methods=["GET"]),
        Route("/inbox", page(pages.inbox), methods=["GET"]),
        Route("/evaluation", page(results.ranking), methods=["GET"]),
        Route("/evaluation.{fmt}", page(results.export), methods=["GET"]),
        Route("/bodies", page(pages.bodies), methods=["GET"]),
        Route("/bodies/{body_id}/contacts", page(pages.contacts, COORDINATOR), methods=["POST"]),
        Route("/outbox", page(pages.outbox), methods=["GET"]),
        Route("/outbox/{outbox_id:int}/retry", page(pages.retry, COORDINATOR), methods=["POST"]),
        Mount(STATIC_PREFIX, StaticFiles(directory=STATIC_DIR), name="static"),
    ]
