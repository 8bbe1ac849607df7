"""The review that learns: what a draft leaves to settle, and the coordinator's decisions.

One service for `cascade launch DOC --review` and the console's review page. Each distinct
unresolved name is listed once with the nearest registry bodies and groups
(ingest.aliases.candidates); the coordinator maps it to a body or group, adds it as a new
body, marks it external (recorded on its task, never mailed) or drops it. For the CLI the
decision goes to the local alias file (settings.aliases_path), a new body to the local
registry file (settings.local_registry_path, merged into the registry at load), so the next
draft resolves the name by itself. The console decides with `apply_name` and remembers per
issuer in the database (services.name_memory): a suggestion next time, never applied by itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.aliases import AliasError
from models.deadlines import DeadlineRuleError, parse_rule
from models.registry import (
    EXTERNAL_KIND,
    EXTERNAL_PREFIX,
    Registry,
    external_phrase,
    is_external,
    is_group,
    slug,
)
from models.vocabulary import BODY_KIND

UNRESOLVED = "unresolved:"
HEADER_FIELDS = {"number": "số văn bản", "kind": "loại văn bản", "issuer": "cơ quan ban hành",
                 "issued_on": "ngày ban hành", "title": "trích yếu"}
ROLES = ("lead", "cooperating")
# What a coordinator may decide about an unresolved name (labels: vocabulary.NAME_DECISION).
MAP, NEW, EXTERNAL, DROP = "map", "new", "external", "drop"


__all__ = ["AliasError", "Flag", "Name", "ReviewError", "decide_name", "flags_of",
           "learned_aliases", "unresolved_names"]


def learned_aliases(path: Path, registry: Registry) -> dict[str, str]:
    """The decisions of earlier reviews, for the drafter (AliasError when the file is bad)."""
    from ingest.aliases import load_aliases

    return load_aliases(path, registry)


class ReviewError(ValueError):
    """A decision cannot be applied as given (unknown id, empty name); nothing changed."""


@dataclass(frozen=True)
class Flag:
    where: str  # "III.2 cooperating" or "directive.number"
    ref: str | None
    message: str


def unsettled_ref(ref: str, registry: Registry) -> str | None:
    """Why a drafted reference cannot be launched as is, or None when it can."""
    if ref.startswith(UNRESOLVED):
        return f"«{ref.removeprefix(UNRESOLVED)}» không có trong sổ đăng ký"
    if is_external(ref):
        return None  # recorded as written, never mailed
    group = registry.groups.get(ref)
    if group is not None and group.placeholder:
        return f"«{registry.label(ref)}» là tập hợp chưa xác định"
    if ref not in registry:
        return f"{ref!r} không có trong sổ đăng ký"
    return None


def flags_of(draft: dict[str, Any], registry: Registry) -> list[Flag]:
    """Everything that stops the draft from launching: missing header fields, unknown or
    unspecified bodies, deadlines the drafter did not understand, targets without a value or
    a unit."""
    flags = []
    header = draft.get("directive") or {}
    for key, label in HEADER_FIELDS.items():
        value = header.get(key)
        if not value:
            flags.append(Flag(f"directive.{key}", None, f"thiếu {label}"))
        elif key == "issuer" and (reason := unsettled_ref(value, registry)):
            flags.append(Flag("directive.issuer", value, reason))
    for item in draft.get("assignments") or []:
        for role in ROLES:
            for ref in item.get(role) or []:
                if reason := unsettled_ref(ref, registry):
                    flags.append(Flag(f"{item['ref']} {role}", ref, reason))
        deadline = item.get("deadline") or {}
        if deadline.get("rule") is None and deadline.get("text"):
            flags.append(Flag(f"{item['ref']} deadline", None,
                              f"không hiểu thời hạn «{deadline['text']}»"))
        elif deadline.get("rule"):
            try:
                parse_rule(deadline["rule"])
            except DeadlineRuleError as exc:
                flags.append(Flag(f"{item['ref']} deadline", None, str(exc)))
        if not (item.get("lead") or item.get("cooperating")):
            flags.append(Flag(f"{item['ref']} lead", None, "không còn đơn vị nào: thêm đơn vị "
                                                           "hoặc bỏ mục này"))
    for target in draft.get("targets") or []:
        where = f"targets {target.get('id')}"
        if target.get("value") is None:
            flags.append(Flag(where, None, "không rõ giá trị chỉ tiêu"))
        if not target.get("unit"):
            flags.append(Flag(where, None, "không rõ đơn vị tính của chỉ tiêu"))
    return flags


def describe_rule(rule: str | None) -> str:
    if rule is None:
        return "không thời hạn"
    try:
        return parse_rule(rule).describe()
    except DeadlineRuleError:
        return rule


# --- Unresolved names ---------------------------------------------------------------------------

@dataclass
class Name:
    """One distinct unresolved name, wherever the draft uses it."""

    phrase: str
    places: list[str] = field(default_factory=list)  # "III.2 chủ trì", "cơ quan ban hành"
    candidates: list[Any] = field(default_factory=list)  # ingest.aliases.Candidate

    @property
    def likely(self) -> Any | None:
        """The nearest candidate naming the same kind of body, if any: what the review
        proposes. Without one the name most likely belongs to a body outside the system."""
        return next((c for c in self.candidates if c.same_head), None)

    @property
    def proposed(self) -> str:
        return MAP if self.likely is not None else EXTERNAL


def _key(phrase: str) -> str:
    from ingest.names import alias_key

    return alias_key(phrase)


def unresolved_names(draft: dict[str, Any], registry: Registry, limit: int = 5) -> list[Name]:
    """Each distinct unresolved name once (accents and case aside), in reading order, with its
    nearest registry candidates."""
    from ingest.aliases import candidates
    from models.vocabulary import role_label

    found: dict[str, Name] = {}

    def note(ref: str, place: str) -> None:
        if ref.startswith(UNRESOLVED):
            phrase = ref.removeprefix(UNRESOLVED)
            found.setdefault(_key(phrase), Name(phrase)).places.append(place)

    note((draft.get("directive") or {}).get("issuer") or "", HEADER_FIELDS["issuer"])
    for item in draft.get("assignments") or []:
        for role in ROLES:
            for ref in item.get(role) or []:
                note(ref, f"{item['ref']} {role_label(role)}")
    for name in found.values():
        name.candidates = candidates(name.phrase, registry, limit=limit)
    return list(found.values())


def apply_name(draft: dict[str, Any], phrase: str, decision: str) -> None:
    """Replace every use of `unresolved:<phrase>` in the draft by `decision`: a registry id,
    "external" (the phrase recorded as a body outside the system) or "drop" (removed)."""
    key = _key(phrase)

    def settled(ref: str) -> str | None:
        if not ref.startswith(UNRESOLVED) or _key(ref.removeprefix(UNRESOLVED)) != key:
            return ref
        if decision == DROP:
            return None
        if decision == EXTERNAL:
            return f"{EXTERNAL_PREFIX}{ref.removeprefix(UNRESOLVED)}"
        return decision

    header = draft.get("directive") or {}
    if header.get("issuer"):
        header["issuer"] = settled(header["issuer"])
    for item in draft.get("assignments") or []:
        for role in ROLES:
            refs = [settled(r) for r in item.get(role) or []]
            item[role] = list(dict.fromkeys(r for r in refs if r))
        lead = set(item.get("lead") or [])
        item["cooperating"] = [r for r in item.get("cooperating") or [] if r not in lead]


@dataclass(frozen=True)
class Learned:
    decision: str  # the id, "external" or "drop" written to the alias file
    new_body: str | None = None  # the id of a body added to the local registry


def decide_name(draft: dict[str, Any], phrase: str, *, choice: str, registry: Registry,
                aliases_path: Path, local_registry_path: Path, target: str | None = None,
                new_name: str | None = None, new_kind: str | None = None,
                new_parent: str | None = None) -> Learned:
    """Settle `phrase` in `draft` and remember the decision for the next drafts.

    choice: MAP (to `target`, a body or group id), NEW (a body named `new_name` of kind
    `new_kind`, added to the local registry), EXTERNAL or DROP. Raises ReviewError."""
    from ingest.aliases import record

    new_body = None
    if choice == MAP:
        if not target:
            raise ReviewError("chưa chọn đơn vị, nhóm nào: chọn trong danh sách hoặc gõ tên")
        from services.name_memory import unusable

        if reason := unusable(target, registry):
            raise ReviewError(reason)
        decision = target
    elif choice == NEW:
        new_body = add_local_body(local_registry_path, name=new_name or phrase,
                                  kind=new_kind or "external", registry=registry,
                                  parent=new_parent, alias=phrase)
        decision = new_body
    elif choice in (EXTERNAL, DROP):
        decision = choice
    else:
        raise ReviewError(f"quyết định {choice!r} không có; chọn {MAP}, {NEW}, {EXTERNAL} hoặc {DROP}")
    # a new body is not in `registry` (loaded before it was added): no id check for it
    record(aliases_path, phrase, decision, None if choice == NEW else registry)
    apply_name(draft, phrase, decision)
    return Learned(decision, new_body)


def add_local_body(path: Path, *, name: str, kind: str, registry: Registry,
                   parent: str | None = None, alias: str | None = None) -> str:
    """Add a body to the local registry file (atomically); its new id."""
    import yaml

    from models.atomic import write_atomically

    name = " ".join((name or "").split())
    if not name:
        raise ReviewError("cần tên đơn vị mới")
    if kind not in BODY_KIND or kind in ("group", EXTERNAL_KIND):
        raise ReviewError(f"loại đơn vị {kind!r} không có; chọn một trong "
                          f"{', '.join(k for k in BODY_KIND if k != 'group')}")
    if parent and parent not in registry.bodies:
        raise ReviewError(f"đơn vị cấp trên {parent!r} không có trong sổ đăng ký")
    data: dict[str, Any] = {"bodies": []}
    if path.exists():
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {"bodies": []}
    bodies = data.setdefault("bodies", [])
    taken = set(registry.bodies) | set(registry.groups) | {b.get("id") for b in bodies}
    base = f"local_{slug(name, 50)}"
    body_id, n = base, 2
    while body_id in taken:
        body_id, n = f"{base}_{n}", n + 1
    entry: dict[str, Any] = {"id": body_id, "name": name, "kind": kind}
    if parent:
        entry["parent"] = parent
    if alias and _key(alias) != _key(name):
        entry["aliases"] = [alias]
    bodies.append(entry)
    text = ("# Đơn vị do điều phối viên thêm khi rà soát bản nháp (gộp vào sổ đăng ký khi nạp)\n"
            + yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, text.encode("utf-8"))
    return body_id


# --- From a settled draft to a template ---------------------------------------------------------

def template_text(draft: dict[str, Any]) -> str:
    """The commented YAML template of a settled draft (items left with no body are dropped)."""
    from ingest.yaml_out import draft_to_yaml

    kept = dict(draft)
    kept["assignments"] = [a for a in draft.get("assignments") or []
                           if a.get("lead") or a.get("cooperating")]
    return draft_to_yaml(kept)


def ref_label(ref: str, registry: Registry) -> str:
    """How a reference reads on a review: a body's or group's name, a phrase as written."""
    if ref.startswith(UNRESOLVED):
        return ref.removeprefix(UNRESOLVED)
    if is_external(ref):
        return external_phrase(ref)
    return registry.label(ref)


def external_names(draft: dict[str, Any]) -> dict[str, str]:
    """body id -> phrase of the bodies outside the system that the draft names."""
    from models.registry import external_body

    refs = [r for item in draft.get("assignments") or [] for role in ROLES
            for r in item.get(role) or [] if is_external(r)]
    return {external_body(r).id: external_phrase(r) for r in refs}


def fan_out(ref: str, registry: Registry) -> int:
    """How many tasks a reference makes (0 for what is not settled)."""
    if ref.startswith(UNRESOLVED) or (ref not in registry and not is_external(ref)):
        return 0
    group = registry.groups.get(ref)
    if group is not None and group.placeholder:
        return 0
    return len(registry.expand(ref)) if is_group(ref) or is_external(ref) else 1
