"""Xem trước khi khởi chạy: each body's tasks with their due dates, the bodies that will get no
mail (an address can be added right there), the items already past due (a new deadline, or
launch them without reminders or escalations), the reminders and escalations the first sweep
after launch would send; the yearly days still to choose; then launch with a confirmation."""

from __future__ import annotations

import copy
from typing import Any

from starlette.responses import Response

from models.accounts import user_actor
from models.db import unit_of_work
from models.template import TemplateError, parse_template
from models.vocabulary import parse_date, sentence
from services import drafts, launch_checks, review
from services.chasing import HORIZON_DAYS
from services.launch import LaunchError
from web.console.guard import Ctx, quoted, redirect
from web.console.pages import Pages

NEW_DATE, UNCHASED, KEEP = "date", "unchased", "keep"


class Preview:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.app = pages.app

    def _load(self, ctx: Ctx) -> Any:
        with unit_of_work(self.app.engine, write=False) as session:
            return drafts.get_draft(session, ctx.user.user_id, int(ctx.param("draft_id")))

    def _forecast(self, row: Any, ctx: Ctx, days: dict[str, str]) -> launch_checks.Forecast:
        app = self.app
        text = review.template_text(row.draft)
        spec = parse_template(text, app.registry, file="bản nháp")
        return launch_checks.forecast(
            engine=app.engine, spec=spec, template_text=text, registry=app.registry,
            contacts=app.contacts, calendar=app.calendar, tz=app.tz, at=ctx.at,
            coordinator=app.settings.follow_up_office, policy=app.policy,
            near_due_working_days=app.settings.near_due_working_days, annual_days=days,
            unchased=list(row.unchased_refs or []))

    # GET /drafts/{id}/preview
    def preview(self, ctx: Ctx, *, error: str | None = None, code: int = 200) -> Response:
        try:
            row = self._load(ctx)
        except drafts.DraftNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        days = dict(row.annual_days or {})
        result = drafts.preview(row.draft, registry=self.app.registry, calendar=self.app.calendar,
                                launched_on=self.app.today(ctx.at), annual_days=days)
        ahead = None
        if result.plan is not None:
            try:
                ahead = self._forecast(row, ctx, days)
            except (TemplateError, LaunchError) as exc:
                error = error or sentence(str(exc))
        names = review.external_names(row.draft)
        return self.pages.render(
            ctx, "console/preview.html", code, page="new", row=row, result=result, days=days,
            error=error, ahead=ahead, unchased=set(row.unchased_refs or []), horizon=HORIZON_DAYS,
            label=lambda ref: names.get(ref) or review.ref_label(ref, self.app.registry))

    # POST /drafts/{id}/days
    def days(self, ctx: Ctx) -> Response:
        try:
            chosen = {key[4:]: drafts.parse_day(value) for key, value in ctx.form.items()
                      if key.startswith("day-") and value.strip()}
        except ValueError as exc:
            return self.preview(ctx, error=sentence(str(exc)), code=400)
        try:
            with unit_of_work(self.app.engine) as session:
                row = drafts.get_draft(session, ctx.user.user_id, int(ctx.param("draft_id")))
                drafts.save_draft(session, row, row.draft, ctx.at,
                                  annual_days={**(row.annual_days or {}), **chosen})
        except drafts.DraftNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        return redirect(f"/drafts/{row.id}/preview")

    # POST /drafts/{id}/overdue
    def overdue(self, ctx: Ctx) -> Response:
        """The coordinator's choice for an item already past due: a new deadline, launch it
        without reminders or escalations, or launch it as it is (chased at once)."""
        ref, choice = ctx.form.get("ref", ""), ctx.form.get("choice", "")
        today = self.app.today(ctx.at)
        try:
            with unit_of_work(self.app.engine) as session:
                row = drafts.get_draft(session, ctx.user.user_id, int(ctx.param("draft_id")))
                draft = copy.deepcopy(row.draft)
                items = [a for a in draft.get("assignments") or [] if a.get("ref") == ref]
                if not items or choice not in (NEW_DATE, UNCHASED, KEEP):
                    raise ValueError(f"mục {ref or '(trống)'}: không có trong bản nháp hoặc "
                                     "chưa chọn cách xử lý")
                quiet = [r for r in row.unchased_refs or [] if r != ref]
                if choice == NEW_DATE:
                    due = parse_date(ctx.form.get("due_on", ""))
                    if due < today:
                        raise ValueError(f"mục {ref}: hạn mới {due:%d/%m/%Y} đã qua, cần từ hôm nay "
                                         "trở đi")
                    for item in items:
                        item.setdefault("deadline", {})["rule"] = due.isoformat()
                elif choice == UNCHASED:
                    quiet.append(ref)
                row.unchased_refs = quiet
                drafts.save_draft(session, row, draft, ctx.at)
        except drafts.DraftNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        except ValueError as exc:
            return self.preview(ctx, error=sentence(str(exc)) + " Chưa lưu gì.", code=400)
        return redirect(f"/drafts/{row.id}/preview")

    # POST /drafts/{id}/launch
    def launch(self, ctx: Ctx) -> Response:
        if ctx.form.get("confirm") != "yes":
            return self.preview(ctx, error="Đánh dấu ô xác nhận trước khi khởi chạy.", code=400)
        try:
            result = launch_checks.launch_draft(
                engine=self.app.engine, draft_id=int(ctx.param("draft_id")),
                user_id=ctx.user.user_id, actor=user_actor(ctx.user.user_id),
                registry=self.app.registry, contacts=self.app.contacts,
                calendar=self.app.calendar, tz=self.app.tz, at=ctx.at,
                coordinator=self.app.settings.follow_up_office)
        except drafts.DraftNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        except TemplateError as exc:
            return self.preview(ctx, error="; ".join(str(p.message) for p in exc.problems), code=400)
        except LaunchError as exc:
            return self.preview(ctx, error=sentence(str(exc)), code=400)
        return redirect(f"/directives/{quoted(result.directive)}", ok=f"launched:{result.directive}")
