"""The review form read into a draft: the header (with the place and the signer), every row,
the targets the document sets, and the decisions on names the registry lacks, one by one or
several at once (a bulk decision on the names ticked, or on every name still undecided)."""

from __future__ import annotations

from typing import Any

from models.registry import Registry
from models.vocabulary import parse_date, sentence
from services import drafts, name_memory, review
from web.console.guard import Ctx

ROLES = review.ROLES
# The bulk decision's scope: the names ticked, or every name left undecided.
MARKED, UNDECIDED = "marked", "undecided"
SUGGESTED = "suggested"  # confirm the issuer's remembered decisions


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
    for key in ("number", "kind", "title", "place", "signer"):
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
    errors += apply_targets(draft, ctx)
    return errors


def apply_targets(draft: dict[str, Any], ctx: Ctx) -> list[str]:
    """The targets as edited: text, unit and value per row; a ticked row is left out."""
    errors: list[str] = []
    kept = []
    for n, target in enumerate(draft.get("targets") or []):
        p = f"t-{n}-"
        if f"{p}text" not in ctx.form:
            kept.append(target)
            continue
        if ctx.form.get(f"{p}drop"):
            continue
        target["text"] = " ".join(ctx.form[f"{p}text"].split()) or target.get("text")
        target["unit"] = " ".join(ctx.form.get(f"{p}unit", "").split()) or None
        raw = ctx.form.get(f"{p}value", "").strip().replace(" ", "")
        if raw:
            try:
                target["value"] = float(raw.replace(".", "").replace(",", ".")
                                        if "," in raw else raw)
            except ValueError:
                errors.append(f"Chỉ tiêu {target.get('id')}: giá trị «{raw}» không phải là số")
        else:
            target["value"] = None
        kept.append(target)
    if "targets" in draft:
        draft["targets"] = kept
    return errors


def name_decisions(ctx: Ctx, registry: Registry,
                   offered: dict[str, name_memory.Suggestion]) -> tuple[dict[str, str], list[str]]:
    """phrase -> decision (a body or group id, "external", "drop") as the form says: a body
    typed for the name, else its own choice, else the bulk decision when it applies to the name;
    a name with none stays undecided. `offered`: the suggestions shown (phrase folded ->)."""
    f = ctx.form
    bulk, scope = f.get("bulk", ""), f.get("bulk-scope", UNDECIDED)
    out: dict[str, str] = {}
    errors: list[str] = []
    for k in range(min(int(f.get("n-count", "0") or 0), 500)):
        phrase = f.get(f"n-{k}-phrase", "")
        if not phrase:
            continue
        typed, choice = f.get(f"n-{k}-target", "").strip(), f.get(f"n-{k}", "")
        suggestion = offered.get(name_memory.fold(phrase))
        in_bulk = bool(bulk) and (scope == UNDECIDED or bool(f.get(f"n-{k}-sel")))
        try:
            if typed:
                decision = drafts.resolve_ref(typed, registry)
            elif choice.startswith("c:"):
                decision = choice[2:]
            elif choice in (review.EXTERNAL, review.DROP):
                decision = choice
            elif choice == "s" and suggestion is not None:
                decision = suggestion.decision
            elif in_bulk and bulk == review.MAP:
                if not f.get("bulk-target", "").strip():
                    raise ValueError("gán cho nhiều tên: chưa gõ đơn vị, nhóm nào")
                decision = drafts.resolve_ref(f["bulk-target"], registry)
            elif in_bulk and bulk in (review.EXTERNAL, review.DROP):
                decision = bulk
            elif in_bulk and bulk == SUGGESTED and suggestion is not None \
                    and suggestion.same_issuer:
                decision = suggestion.decision
            else:
                continue
            name_memory.check(decision, registry)
        except ValueError as exc:
            errors.append(f"«{phrase}»: {sentence(str(exc))}")
            continue
        out[phrase] = decision
    return out, errors
