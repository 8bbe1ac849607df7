"""The console's reading pages and the actions taken from them: dashboard, directives, board,
task, inbox, bodies, outbox. Each handler reads through a service in one unit of work and
renders a template; each action goes through services.acting and redirects back (303)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from starlette.responses import Response

from models.db import unit_of_work
from models.directives import NotFound
from models.status import Colour, Role, TaskStatus, find_transition
from models.vocabulary import OUTBOX_STATUS, action_heading, action_label, sentence
from services import acting, board, console, documents, lists
from services.actions import DATE_ACTIONS, MISSING_DATE, ActionRefused, TaskNotFound
from services.launch_checks import waiting_bodies
from services.outbox import list_outbox, outbox_counts
from web.console.guard import Ctx, Guard, redirect, safe_next

MAX_NOTE = 2000


class Pages:
    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self.app = guard.app
        self.counts = console.CountsCache()  # the dashboard's full scans, until a task changes

    @property
    def _colour_args(self) -> dict[str, Any]:
        s = self.app.settings
        return {"tz": self.app.tz, "calendar": self.app.calendar,
                "near_due_working_days": s.near_due_working_days}

    def render(self, ctx: Ctx, name: str, code: int = 200, **context: Any) -> Response:
        done = ctx.arg("ok")
        return self.guard.render(name, code, user=ctx.user, done=_done_message(done),
                                 path=ctx.request.url.path, **context)

    def not_found(self, ctx: Ctx, message: str) -> Response:
        return self.render(ctx, "console/not_found.html", 404, page="", message=sentence(message))

    # GET /
    def dashboard(self, ctx: Ctx) -> Response:
        with unit_of_work(self.app.engine, write=False) as session:
            data = console.dashboard(session=session, at=ctx.at, cache=self.counts,
                                     **self._colour_args)
        return self.render(ctx, "console/dashboard.html", page="dashboard", data=data,
                           today=self.app.today(ctx.at))

    # GET /directives
    def directives(self, ctx: Ctx) -> Response:
        clock = board.ColourClock.at_moment(ctx.at, **self._colour_args)
        with unit_of_work(self.app.engine, write=False) as session:
            lines = console.directive_lines(session, clock, self.counts)
        q = (ctx.arg("q") or "")[:200] or None
        found = lists.search(lines, q, lambda d: (d.number, d.kind, d.title, d.issuer_name))
        shown = lists.paged(found, lists.page_number(ctx.arg("page")), lists.DIRECTIVES_PER_PAGE)
        return self.render(ctx, "console/directives.html", page="directives", lines=shown.rows,
                           listing=shown, q=q, launched=len(lines))

    # GET /directives/{number:path}
    def board(self, ctx: Ctx) -> Response:
        filters = board_filters(ctx)
        try:
            with unit_of_work(self.app.engine, write=False) as session:
                data = board.board(session=session, number=ctx.param("number"), filters=filters,
                                   at=ctx.at, issuer=ctx.arg("issuer"), **self._colour_args)
                kept = documents.of_directive(session, data.directive.id)
        except NotFound as exc:
            return self.not_found(ctx, str(exc))
        return self.render(ctx, "console/board.html", page="directives", board=data, documents=kept,
                           colours=[c.value for c in Colour], statuses=[s.value for s in TaskStatus],
                           roles=[r.value for r in Role], sorts=board.SORTS)

    # GET /tasks/{id}
    def task(self, ctx: Ctx) -> Response:
        task_id = int(ctx.param("task_id"))
        try:
            with unit_of_work(self.app.engine, write=False) as session:
                detail = console.task_detail(session=session, task_id=task_id, at=ctx.at,
                                             **self._colour_args)
        except TaskNotFound as exc:
            return self.not_found(ctx, str(exc))
        actions = acting.available_actions(ctx.user.role, detail.role, detail.status)
        return self.render(ctx, "console/task.html", page="task", task=detail, actions=actions,
                           can_resend=acting.permitted(ctx.user.role, "resend"))

    # GET /tasks/{id}/confirm?action=...
    def confirm(self, ctx: Ctx, *, error: str | None = None, code: int = 200) -> Response:
        task_id = int(ctx.param("task_id"))
        action = ctx.form.get("action") or ctx.arg("action") or ""
        try:
            with unit_of_work(self.app.engine, write=False) as session:
                detail = console.task_detail(session=session, task_id=task_id, at=ctx.at,
                                             **self._colour_args)
        except TaskNotFound as exc:
            return self.not_found(ctx, str(exc))
        allowed = action in acting.available_actions(ctx.user.role, detail.role, detail.status)
        if not allowed:
            if not acting.permitted(ctx.user.role, action):
                return self.guard.forbidden(ctx.user, "Vai trò của bạn không được thực hiện thao "
                                                      "tác này; chưa có gì thay đổi.")
            error = error or (f"Nhiệm vụ đang ở trạng thái này nên không thể "
                              f"{action_label(action, detail.role)}.")
            code = 409
        target = None
        if action in ("remind",):
            explanation = "Gửi thêm một thư nhắc đơn vị thực hiện; trạng thái nhiệm vụ không đổi."
        elif (row := find_transition(action, Role(detail.role), TaskStatus(detail.status))):
            target = row.target.value
            explanation = (f"Bấm nút để {row.label}: trạng thái nhiệm vụ chuyển sang "
                           f"«{row.target.label}».")
        else:
            explanation = ""
        return self.render(ctx, "console/confirm.html", code, page="task", task=detail,
                           action=action, heading=action_heading(action), error=error,
                           allowed=allowed,
                           explanation=explanation, target=target,
                           date_need=DATE_ACTIONS.get(action), note=ctx.form.get("note", ""),
                           until=ctx.form.get("until", ""),
                           next=safe_next(ctx.form.get("next") or ctx.arg("next"),
                                          f"/tasks/{task_id}"), max_note=MAX_NOTE)

    # POST /tasks/{id}/act
    def act(self, ctx: Ctx) -> Response:
        task_id = int(ctx.param("task_id"))
        action = ctx.form.get("action", "")
        note = ctx.form.get("note", "").strip() or None
        back = safe_next(ctx.form.get("next"), f"/tasks/{task_id}")
        try:
            until = _until(action, ctx.form.get("until", ""))
            if note and len(note) > MAX_NOTE:
                raise ValueError(f"ghi chú dài {len(note)} ký tự; tối đa {MAX_NOTE}")
            with unit_of_work(self.app.engine) as session:
                if action == "accept":
                    acting.accept_report(session=session, user_id=ctx.user.user_id,
                                         role=ctx.user.role, task_id=task_id, at=ctx.at,
                                         tz=self.app.tz, note=note)
                else:
                    acting.act(session=session, user_id=ctx.user.user_id, role=ctx.user.role,
                               task_id=task_id, action=action, at=ctx.at, tz=self.app.tz,
                               note=note, until=until)
        except acting.NotPermitted:
            return self.guard.forbidden(ctx.user, "Vai trò của bạn không được thực hiện thao tác "
                                                  "này; chưa có gì thay đổi.")
        except TaskNotFound as exc:
            return self.not_found(ctx, str(exc))
        except (ActionRefused, ValueError) as exc:
            code = 409 if isinstance(exc, ActionRefused) and exc.status is not None else 400
            return self.confirm(ctx, error=sentence(str(exc)) + " Chưa có gì thay đổi.", code=code)
        return redirect(back, ok=f"{task_id}:{action}")

    # GET /inbox
    def inbox(self, ctx: Ctx) -> Response:
        with unit_of_work(self.app.engine, write=False) as session:
            data = console.inbox(session=session)
            waiting = waiting_bodies(session)
        return self.render(ctx, "console/inbox.html", page="inbox", inbox=data, waiting=waiting,
                           can_edit=acting.permitted(ctx.user.role, "edit-contacts"),
                           can_act=acting.permitted(ctx.user.role, "grant-extension"),
                           today=self.app.today(ctx.at))

    # GET /bodies
    def bodies(self, ctx: Ctx, *, error: tuple[str, str] | None = None, code: int = 200) -> Response:
        with unit_of_work(self.app.engine, write=False) as session:
            lines, groups = acting.bodies(session=session)
        reg = self.app.registry
        args = _list_args(ctx)  # after a refused save: the filters of the page it came from
        kind, q = args.get("kind") or None, (args.get("q") or "")[:200] or None
        missing = args.get("missing") == "1"
        shown = [b for b in lines if kind in (None, b.kind) and (not missing or not b.addresses)]
        shown = lists.search(shown, q, lambda b: (b.name, b.id))
        order = {b: i for i, b in enumerate(reg.bodies)}
        shown.sort(key=lambda b: (order.get(b.id, len(order)), b.name))
        names = {b.id: b.name for b in lines}
        query = urlencode([(k, args[k]) for k in ("kind", "q", "missing") if args.get(k)])
        saved = (ctx.arg("ok") or "").partition("contacts:")[2]
        return self.render(ctx, "console/bodies.html", code, page="bodies", bodies=shown,
                           groups=[(g, len(reg.expand(g.id)) if g.id in reg else len(g.members))
                                   for g in groups],
                           kinds=sorted({b.kind for b in lines}), kind=kind, missing=missing, q=q,
                           missing_total=sum(1 for b in lines if not b.addresses),
                           error=error and (names.get(error[0], error[0]), error[1]),
                           saved=names.get(saved, saved) if saved else None,
                           back="/bodies" + (f"?{query}" if query else ""),
                           can_edit=acting.permitted(ctx.user.role, "edit-contacts"))

    # POST /bodies/{body_id}/contacts
    def contacts(self, ctx: Ctx) -> Response:
        body_id = ctx.param("body_id")
        try:
            addresses = acting.parse_addresses(ctx.form.get("addresses", ""))
            with unit_of_work(self.app.engine) as session:
                acting.set_contacts(session=session, role=ctx.user.role, user_id=ctx.user.user_id,
                                    body_id=body_id, addresses=addresses, at=ctx.at)
        except ValueError as exc:
            return self.bodies(ctx, error=(body_id, sentence(str(exc))), code=400)
        except TaskNotFound as exc:
            return self.not_found(ctx, str(exc))
        return redirect(safe_next(ctx.form.get("next"), "/bodies"), ok=f"contacts:{body_id}")

    # GET /outbox
    def outbox(self, ctx: Ctx) -> Response:
        failed = ctx.arg("failed") == "1"
        with unit_of_work(self.app.engine, write=False) as session:
            rows = list_outbox(session=session, failed_only=failed, limit=200)
            counts = outbox_counts(session=session)
        return self.render(ctx, "console/outbox.html", page="outbox", rows=rows, counts=counts,
                           failed=failed, can_retry=acting.permitted(ctx.user.role, "resend"))

    # POST /outbox/{id}/retry
    def retry(self, ctx: Ctx) -> Response:
        outbox_id = int(ctx.param("outbox_id"))
        try:
            with unit_of_work(self.app.engine) as session:
                retried = acting.retry_mail(session=session, role=ctx.user.role,
                                            outbox_id=outbox_id, at=ctx.at)
        except acting.MailNotFound as exc:
            return self.not_found(ctx, str(exc))
        done = "mail" if retried.requeued else f"mail-{retried.status}"
        return redirect(safe_next(ctx.form.get("next"), "/outbox"), ok=f"{done}:{outbox_id}")


def _list_args(ctx: Ctx) -> dict[str, str]:
    """A list page's query: the request's own, or (a form posted from the page) its `next`."""
    if ctx.request.method == "GET":
        return {k: v.strip() for k, v in ctx.request.query_params.items()}
    query = urlsplit(safe_next(ctx.form.get("next"), "/bodies")).query
    return {k: v.strip() for k, v in parse_qsl(query)}


def board_filters(ctx: Ctx) -> board.BoardFilters:
    page = ctx.arg("page") or "1"
    sort = ctx.arg("sort") or "ref"
    return board.BoardFilters(
        status=ctx.arg("status"), colour=ctx.arg("colour"), body=ctx.arg("body"),
        kind=ctx.arg("kind"), role=ctx.arg("role"), assignment=ctx.arg("assignment"),
        q=(ctx.arg("q") or "")[:200] or None, sort=sort if sort in board.SORTS else "ref",
        descending=ctx.arg("desc") == "1", page=int(page) if page.isdigit() else 1)


def _until(action: str, text: str) -> dt.date | None:
    from models.vocabulary import parse_date

    need = DATE_ACTIONS.get(action)
    if need is None:
        return None
    if not text.strip():
        if need == "required":
            raise ValueError(MISSING_DATE[action])
        return None
    return parse_date(text)


def _done_message(value: str | None) -> str | None:
    """The notice after an action (`?ok=12:grant-extension`), from the vocabulary."""
    if not value or ":" not in value:
        return None
    what, _, action = value.partition(":")
    if what == "contacts":
        return None  # the bodies page says it with the body's name
    if what == "mail":
        return f"Thư #{action} đã được đưa lại vào hàng đợi gửi."
    if what == "mail-sent":
        return f"Thư #{action} đã gửi rồi: không đưa lại vào hàng đợi."
    if what.startswith("mail-") and what[5:] in OUTBOX_STATUS:
        return (f"Thư #{action} đang ở trạng thái «{OUTBOX_STATUS[what[5:]]}», không phải thư gửi "
                "thất bại: không đưa lại vào hàng đợi.")
    if what == "launched":
        return f"Đã khởi chạy {action}."
    if what.isdigit():
        label = "chấp nhận báo cáo, đóng nhiệm vụ" if action == "accept" else action_label(action)
        return f"Đã ghi nhận: {label} (nhiệm vụ #{what})."
    return None
