"""The review page of a draft (Giao việc mới): one row per assignment, every flag shown,
every unresolved name settled once (services.review). Split from web/console/drafts.py, which
keeps the upload, the scan's progress, the preview and the launch."""

from __future__ import annotations

import copy
from typing import Any

from starlette.responses import Response

from models.db import unit_of_work
from models.vocabulary import parse_date, sentence
from services import drafts, review
from web.console.drafts import Drafts
from web.console.guard import Ctx, redirect

ROLES = review.ROLES


class Review(Drafts):
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
