"""The review page of a draft (Giao việc mới): every row, the header (with the place and the
signer), the targets and every name the registry lacks on one form, saved at once. A name
starts undecided; its candidates are ranked by what it says, and what a review decided for the
same issuer is offered as a suggestion to confirm (services.name_memory), never applied by
itself. «Quyết định đã nhớ» (/decisions) lists the remembered decisions to edit or withdraw.
Split from web/console/drafts.py, which keeps the upload, the scan's progress, the preview and
the launch."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from starlette.responses import Response

from models.db import unit_of_work
from models.vocabulary import sentence
from services import drafts, kept_forms, name_memory, review
from web.console.drafts import Drafts
from web.console.guard import KEPT_COOKIE, Ctx, redirect
from web.console.review_form import MARKED, ROLES, UNDECIDED, _apply_form, _choices, name_decisions


class Review(Drafts):
    def _names(self, session: Any, draft: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
        registry = self.app.registry
        names = review.unresolved_names(draft, registry)
        key, _ = name_memory.issuer_of(draft, registry)
        return names, name_memory.suggestions(session, key, [n.phrase for n in names])

    # GET /drafts/{id}
    def show(self, ctx: Ctx, *, errors: list[str] | None = None, code: int = 200,
             draft: dict[str, Any] | None = None) -> Response:
        """The review; `draft`: a copy with the form applied, shown when it could not be saved."""
        registry = self.app.registry
        typed = self._take_kept(ctx) if ctx.arg("kept") and draft is None else None
        try:
            with unit_of_work(self.app.engine, write=False) as session:
                row = drafts.get_draft(session, ctx.user.user_id, int(ctx.param("draft_id")))
                if typed is not None:  # what was typed before the session expired: not saved
                    draft = copy.deepcopy(row.draft)
                    _apply_form(draft, typed, registry)
                draft = draft if draft is not None else row.draft
                names, offered = self._names(session, draft)
        except drafts.DraftNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
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
        ok = ctx.arg("ok") or ""
        saved = ok.partition("saved:")[2] if ok.startswith("saved:") else None
        return self._render(
            ctx, "console/review.html", code, page="new", row=row, draft=draft, items=items,
            header=header, issuer_label=review.ref_label(header.get("issuer") or "", registry),
            flags=flags, names=names, errors=errors or [], choices=_choices(registry),
            forms=drafts.DEADLINE_FORMS, saved=saved, scopes=(MARKED, UNDECIDED),
            yearly=_yearly(draft, dict(row.annual_days or {})),
            offered={n.phrase: offered.get(name_memory.fold(n.phrase)) for n in names},
            decision_label=lambda d: _decision_label(d, registry),
            kept=(typed or ctx).form, kept_names=_kept_names(typed or ctx),
            restored=typed is not None)

    def _take_kept(self, ctx: Ctx) -> Ctx | None:
        """The form kept when the session expired (services.kept_forms), as a Ctx's form."""
        raw = ctx.request.cookies.get(KEPT_COOKIE)
        with unit_of_work(self.app.engine) as session:
            fields = kept_forms.take(session, raw=raw, path=ctx.request.url.path, at=ctx.at)
        if fields is None:
            return None
        form: dict[str, str] = {}
        lists: dict[str, list[str]] = {}
        for key, value in fields:
            form.setdefault(key, value)
            lists.setdefault(key, []).append(value)
        return dataclasses.replace(ctx, form=form, lists=lists)

    # POST /drafts/{id}
    def save(self, ctx: Ctx) -> Response:
        registry = self.app.registry
        try:
            with unit_of_work(self.app.engine) as session:
                row = drafts.get_draft(session, ctx.user.user_id, int(ctx.param("draft_id")))
                draft = copy.deepcopy(row.draft)
                name_memory.mark_issuer(draft, registry)  # the issuer as drafted, before edits
                issuer = name_memory.issuer_of(draft, registry)
                _, offered = self._names(session, draft)
                decided, errors = name_decisions(ctx, registry, offered)
                errors += _apply_form(draft, ctx, registry)
                for phrase, decision in decided.items():
                    review.apply_name(draft, phrase, decision)
                days, day_error = _yearly_days(draft, dict(row.annual_days or {}),
                                               ctx.form.get("annual-day", ""))
                errors += day_error
                if not errors:
                    drafts.save_draft(session, row, draft, ctx.at, annual_days=days)
                    for phrase, decision in decided.items():
                        name_memory.remember(session, issuer=issuer, phrase=phrase,
                                             decision=decision, user_id=ctx.user.user_id,
                                             at=ctx.at)
        except drafts.DraftNotFound as exc:
            return self.pages.not_found(ctx, str(exc))
        if errors:  # nothing saved: the page shows what was typed, to correct and save again
            return self.show(ctx, errors=errors, code=400, draft=draft)
        if ctx.form.get("go") == "preview":
            return redirect(f"/drafts/{row.id}/preview")
        return redirect(f"/drafts/{row.id}", ok=f"saved:{len(decided)}")

    # POST /drafts/{id}/discard
    def discard(self, ctx: Ctx) -> Response:
        """Only with the confirmation ticked: a draft discarded is gone from the list."""
        if ctx.form.get("confirm") != "yes":
            return self.show(ctx, code=400, errors=[
                "Chưa bỏ bản nháp: đánh dấu ô «Tôi muốn bỏ bản nháp này» rồi bấm lại."])
        return super().discard(ctx)

    # GET /decisions
    def decisions(self, ctx: Ctx, *, error: str | None = None, code: int = 200) -> Response:
        with unit_of_work(self.app.engine, write=False) as session:
            rows = name_memory.listing(session)
        registry = self.app.registry
        return self._render(ctx, "console/decisions.html", code, page="decisions", rows=rows,
                            error=error, choices=_choices(registry),
                            decision_label=lambda d: _decision_label(d, registry),
                            changed=ctx.arg("ok"))

    # POST /decisions/{id}
    def change_decision(self, ctx: Ctx) -> Response:
        f = ctx.form
        choice = f.get("decision", "")
        try:
            decision = drafts.resolve_ref(f.get("target", ""), self.app.registry) \
                if choice == review.MAP else choice
            with unit_of_work(self.app.engine) as session:
                row = name_memory.change(session, int(ctx.param("decision_id")), decision,
                                         registry=self.app.registry, user_id=ctx.user.user_id,
                                         at=ctx.at)
                phrase = row.phrase
        except ValueError as exc:
            return self.decisions(ctx, error=sentence(str(exc)) + " Chưa thay đổi gì.", code=400)
        return redirect("/decisions", ok=f"changed:{phrase}")

    # POST /decisions/{id}/withdraw
    def withdraw_decision(self, ctx: Ctx) -> Response:
        try:
            with unit_of_work(self.app.engine) as session:
                row = name_memory.withdraw(session, int(ctx.param("decision_id")))
                phrase = row.phrase
        except ValueError as exc:
            return self.decisions(ctx, error=sentence(str(exc)) + " Chưa thay đổi gì.", code=400)
        return redirect("/decisions", ok=f"withdrawn:{phrase}")


def _kept_names(ctx: Ctx) -> dict[str, dict[str, str]]:
    """phrase -> what the form (kept or refused) said for it: choice, target, sel."""
    f = ctx.form
    out = {}
    for k in range(min(int(f.get("n-count", "0") or 0), 500)):
        if phrase := f.get(f"n-{k}-phrase"):
            out[phrase] = {"choice": f.get(f"n-{k}", ""), "target": f.get(f"n-{k}-target", ""),
                           "sel": f.get(f"n-{k}-sel", "")}
    return out


def _yearly(draft: dict[str, Any], days: dict[str, str]) -> list[str]:
    """The refs of yearly items whose day is still to choose."""
    from models.deadlines import DeadlineRuleError, parse_rule

    out = []
    for item in draft.get("assignments") or []:
        rule = (item.get("deadline") or {}).get("rule")
        try:
            if rule and parse_rule(rule).needs_day and item["ref"] not in days:
                out.append(item["ref"])
        except DeadlineRuleError:
            continue
    return out


def _yearly_days(draft: dict[str, Any], days: dict[str, str],
                 typed: str) -> tuple[dict[str, str], list[str]]:
    """The yearly days after the review: the day typed, for every yearly item without one."""
    if not typed.strip():
        return days, []
    try:
        day = drafts.parse_day(typed)
    except ValueError as exc:
        return days, [f"Ngày hạn hằng năm: {sentence(str(exc))}"]
    return {**days, **{ref: day for ref in _yearly(draft, days)}}, []


def _decision_label(decision: str, registry: Any) -> str:
    from models.vocabulary import NAME_DECISION

    if decision in (review.EXTERNAL, review.DROP):
        return NAME_DECISION[decision]
    return registry.label(decision) if decision in registry else decision
