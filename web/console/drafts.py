"""Giao việc mới: upload or paste -> the review page (one row per assignment, every flag shown,
every unresolved name settled once) -> the preview (tasks per body and per item, yearly days
still to choose) -> launch with a confirmation. The draft lives in the database
(services.drafts), so it survives a reload and a logout. A scan is read in the background
(services.draft_jobs): the upload answers with a progress page that refreshes itself (a meta
refresh, no script) and goes on to the review when the scan is read."""

from __future__ import annotations

import copy
from functools import partial
from typing import Any

from starlette.responses import Response

from models.accounts import user_actor
from models.db import unit_of_work
from models.template import TemplateError
from models.vocabulary import parse_date, sentence
from services import draft_jobs, drafts, review
from services.launch import LaunchError
from web.console.guard import Ctx, quoted, redirect
from web.console.pages import Pages

ROLES = review.ROLES
REFRESH_SECONDS = 2  # how often the progress page of a scan refreshes itself


class Drafts:
    def __init__(self, pages: Pages) -> None:
        self.pages = pages
        self.app = pages.app

    def _render(self, ctx: Ctx, name: str, code: int = 200, **context: Any) -> Response:
        return self.pages.render(ctx, name, code, **context)

    # GET /directives/new
    def new(self, ctx: Ctx, *, error: str | None = None, code: int = 200) -> Response:
        with unit_of_work(self.app.engine, write=False) as session:
            open_ = drafts.open_drafts(session, ctx.user.user_id)
            reading = draft_jobs.open_jobs(session, ctx.user.user_id)
        return self._render(ctx, "console/new.html", code, page="new", drafts=open_, error=error,
                            reading=reading,
                            max_mb=self.app.settings.upload_max_bytes // (1024 * 1024))

    # POST /directives/new
    def create(self, ctx: Ctx) -> Response:
        upload = ctx.files.get("document")
        text = ctx.form.get("text") or None
        name = upload[0] if upload else "văn bản dán vào"
        registry = self.app.registry
        suffix = draft_jobs.scan_suffix(upload[1], self.app.settings.upload_max_bytes) \
            if upload else None
        if upload and suffix:
            return self._read_scan(ctx, name, upload[1], suffix)
        try:
            aliases = review.learned_aliases(self.app.settings.aliases_path, registry)
            drafted = drafts.draft_from(upload[1] if upload else None, None if upload else text,
                                        name, registry, aliases, self.app.settings.upload_max_bytes)
        except (drafts.UploadRefused, review.AliasError) as exc:
            return self.new(ctx, error=sentence(str(exc)) + " Chưa lưu gì.", code=400)
        with unit_of_work(self.app.engine) as session:
            row = drafts.start_draft(session=session, user_id=ctx.user.user_id, draft=drafted,
                                     name=name, at=ctx.at)
        return redirect(f"/drafts/{row.id}")

    def _read_scan(self, ctx: Ctx, name: str, data: bytes, suffix: str) -> Response:
        """Keep the scan in the database, read it in the background, show its progress."""
        with unit_of_work(self.app.engine) as session:
            job = draft_jobs.submit(session, user_id=ctx.user.user_id, name=name, data=data,
                                    suffix=suffix, at=ctx.at)
            job_id, claim = int(job.id or 0), job.claim
        self._start(job_id, claim)
        return redirect(f"/drafts/jobs/{job_id}")

    def _start(self, job_id: int, claim: str) -> None:
        s = self.app.settings
        registry = self.app.registry
        draft_jobs.start(job_id, partial(
            draft_jobs.run_job, engine=self.app.engine, job_id=job_id, claim=claim,
            registry=registry, aliases=partial(review.learned_aliases, s.aliases_path, registry),
            max_bytes=s.upload_max_bytes, cache_dir=draft_jobs.ocr_cache_dir(s.data_dir),
            clock=self.app.clock))

    # GET /drafts/jobs/{id}
    def job(self, ctx: Ctx) -> Response:
        """A scan being read: its progress (the page refreshes itself), then the review."""
        try:
            with unit_of_work(self.app.engine, write=False) as session:
                job = draft_jobs.get_job(session, ctx.user.user_id, int(ctx.param("job_id")))
        except draft_jobs.JobNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        if job.status == draft_jobs.DONE:
            return redirect(f"/drafts/{job.draft_id}")
        if job.status == draft_jobs.READING:
            claim = draft_jobs.take_over(self.app.engine, job, ctx.at)
            if claim:  # its reader is gone (a restart): read it here
                self._start(int(job.id or 0), claim)
        failed = job.status == draft_jobs.FAILED
        return self._render(ctx, "console/reading.html", 400 if failed else 200, page="new",
                            job=job, failed=failed, refresh=REFRESH_SECONDS)

    def _load(self, ctx: Ctx) -> Any:
        with unit_of_work(self.app.engine, write=False) as session:
            return drafts.get_draft(session, ctx.user.user_id, int(ctx.param("draft_id")))

    # GET /drafts/{id}
    def show(self, ctx: Ctx, *, errors: list[str] | None = None, code: int = 200) -> Response:
        try:
            row = self._load(ctx)
        except drafts.DraftNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        registry = self.app.registry
        draft = row.draft
        flags = review.flags_of(draft, registry)
        flagged = {(f.where, f.ref) for f in flags}
        items = []
        for item in draft.get("assignments") or []:
            kind, value = drafts.rule_form((item.get("deadline") or {}).get("rule"))
            refs = {role: [(ref, review.ref_label(ref, registry), review.fan_out(ref, registry),
                            (f"{item['ref']} {role}", ref) in flagged)
                           for ref in item.get(role) or []] for role in ROLES}
            items.append({"item": item, "refs": refs, "kind": kind, "value": value,
                          "count": sum(n for role in ROLES for _, _, n, _ in refs[role]),
                          "flags": [f for f in flags if f.where.split(" ")[0] == item["ref"]]})
        header = draft.get("directive") or {}
        return self._render(
            ctx, "console/review.html", code, page="new", row=row, draft=draft, items=items,
            header=header, issuer_label=review.ref_label(header.get("issuer") or "", registry),
            flags=flags, names=review.unresolved_names(draft, registry), errors=errors or [],
            choices=_choices(registry), forms=drafts.DEADLINE_FORMS,
            kinds=[k for k in _kinds() if k != "group"])

    # POST /drafts/{id}
    def save(self, ctx: Ctx) -> Response:
        try:
            with unit_of_work(self.app.engine) as session:
                row = drafts.get_draft(session, ctx.user.user_id, int(ctx.param("draft_id")))
                draft = copy.deepcopy(row.draft)
                errors = _apply_form(draft, ctx, self.app.registry)
                drafts.save_draft(session, row, draft, ctx.at)
        except drafts.DraftNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        if errors:
            return self.show(ctx, errors=errors, code=400)
        if ctx.form.get("go") == "preview":
            return redirect(f"/drafts/{row.id}/preview")
        return redirect(f"/drafts/{row.id}", ok="saved:draft")

    # POST /drafts/{id}/names
    def name(self, ctx: Ctx) -> Response:
        s = self.app.settings
        f = ctx.form
        choice = f.get("choice", "")
        try:
            registry = self.app.registry
            typed = f.get("target", "").strip()
            target = drafts.resolve_ref(typed, registry) if choice == review.MAP and typed \
                else f.get("candidate")
            with unit_of_work(self.app.engine) as session:
                row = drafts.get_draft(session, ctx.user.user_id, int(ctx.param("draft_id")))
                draft = copy.deepcopy(row.draft)
                review.decide_name(draft, f.get("phrase", ""), choice=choice, registry=registry,
                                   aliases_path=s.aliases_path,
                                   local_registry_path=s.local_registry_path, target=target,
                                   new_name=f.get("new_name") or None,
                                   new_kind=f.get("new_kind") or None,
                                   new_parent=f.get("new_parent") or None)
                drafts.save_draft(session, row, draft, ctx.at)
        except drafts.DraftNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        except (review.ReviewError, review.AliasError, ValueError) as exc:
            return self.show(ctx, errors=[f"«{f.get('phrase', '')}»: {sentence(str(exc))}"], code=400)
        return redirect(f"/drafts/{row.id}", ok="saved:name")

    # GET /drafts/{id}/preview
    def preview(self, ctx: Ctx, *, error: str | None = None, code: int = 200) -> Response:
        try:
            row = self._load(ctx)
        except drafts.DraftNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        days = dict(row.annual_days or {})
        result = drafts.preview(row.draft, registry=self.app.registry, calendar=self.app.calendar,
                                launched_on=self.app.today(ctx.at), annual_days=days)
        names = review.external_names(row.draft)
        return self._render(ctx, "console/preview.html", code, page="new", row=row,
                            result=result, days=days, error=error,
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

    # POST /drafts/{id}/launch
    def launch(self, ctx: Ctx) -> Response:
        if ctx.form.get("confirm") != "yes":
            return self.preview(ctx, error="Đánh dấu ô xác nhận trước khi khởi chạy.", code=400)
        try:
            row = self._load(ctx)
            result = drafts.launch_draft(
                engine=self.app.engine, draft_id=row.id, user_id=ctx.user.user_id,
                actor=user_actor(ctx.user.user_id), registry=self.app.registry,
                contacts=self.app.contacts, calendar=self.app.calendar, tz=self.app.tz, at=ctx.at,
                coordinator=self.app.settings.follow_up_office, annual_days=dict(row.annual_days or {}))
        except drafts.DraftNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        except TemplateError as exc:
            return self.preview(ctx, error="; ".join(str(p.message) for p in exc.problems), code=400)
        except LaunchError as exc:
            return self.preview(ctx, error=sentence(str(exc)), code=400)
        return redirect(f"/directives/{quoted(result.directive)}", ok=f"launched:{result.directive}")

    # POST /drafts/{id}/discard
    def discard(self, ctx: Ctx) -> Response:
        try:
            with unit_of_work(self.app.engine) as session:
                row = drafts.get_draft(session, ctx.user.user_id, int(ctx.param("draft_id")))
                drafts.discard_draft(session, row, ctx.at)
        except drafts.DraftNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        return redirect("/directives/new")


def _kinds() -> list[str]:
    from models.vocabulary import BODY_KIND

    return list(BODY_KIND)


def _choices(registry: Any) -> list[tuple[str, str]]:
    """The type-ahead list: every body and group as "Name (id)"."""
    out = [(b.id, f"{b.name} ({b.id})") for b in registry.bodies.values()]
    out += [(g.id, f"{registry.label(g.id)} ({g.id})") for g in registry.groups.values()
            if not g.placeholder]
    return out


def _apply_form(draft: dict[str, Any], ctx: Ctx, registry: Any) -> list[str]:
    """Apply the review form to `draft`; what could not be applied, one message per field."""
    errors: list[str] = []
    header = draft.setdefault("directive", {})
    for key in ("number", "kind", "title"):
        if f"h-{key}" in ctx.form:
            header[key] = " ".join(ctx.form[f"h-{key}"].split()) or None
    if ctx.form.get("h-issuer", "").strip():
        try:
            header["issuer"] = drafts.resolve_ref(ctx.form["h-issuer"], registry)
        except ValueError as exc:
            errors.append(f"Cơ quan ban hành: {sentence(str(exc))}")
    if ctx.form.get("h-issued_on", "").strip():
        try:
            header["issued_on"] = parse_date(ctx.form["h-issued_on"]).isoformat()
        except ValueError as exc:
            errors.append(f"Ngày ban hành: {sentence(str(exc))}")
    kept = []
    for n, item in enumerate(draft.get("assignments") or []):
        p = f"i-{n}-"
        if f"{p}task" not in ctx.form:  # not on the form that was sent: unchanged
            kept.append(item)
            continue
        if ctx.form.get(f"{p}drop"):
            continue
        for role in ROLES:
            refs = [r for r in item.get(role) or [] if r in ctx.lists.get(f"{p}{role}", [])]
            added = ctx.form.get(f"{p}{role}-add", "").strip()
            if added:
                try:
                    refs.append(drafts.resolve_ref(added, registry))
                except ValueError as exc:
                    errors.append(f"Mục {item['ref']}: {sentence(str(exc))}")
            item[role] = list(dict.fromkeys(refs))
        item["task"] = ctx.form[f"{p}task"].strip() or item.get("task")
        deadline = item.setdefault("deadline", {"rule": None, "text": None})
        try:
            rule = drafts.form_rule(ctx.form.get(f"{p}dk", "keep"), ctx.form.get(f"{p}dv", ""),
                                    deadline.get("rule"))
            if rule != deadline.get("rule") or ctx.form.get(f"{p}dk") == "none":
                deadline["rule"] = rule
                if rule is None:
                    deadline["text"] = None
        except ValueError as exc:
            errors.append(f"Mục {item['ref']}, thời hạn: {sentence(str(exc))}")
        kept.append(item)
    draft["assignments"] = kept
    return errors
