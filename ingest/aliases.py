"""What the review learns: a local alias file of decisions on names the registry lacks.

The file (YAML) maps a phrase as written, normalised (`alias_key`: no accents, lower case, no
article), to a decision: a body or group id of the registry, "external" (a body outside the
system: recorded on the task, no mail) or "drop" (not a body). `draft_document(path,
registry, aliases=load_aliases(path))` then resolves those phrases.

    "so tu phap": ldld_bac_ninh          # mapped
    "bo chi huy quan su tinh": external
    "cac chu rung": drop

`candidates` lists the nearest registry bodies and groups for an unresolved name, for the
reviewer to choose from (rapidfuzz, accent-insensitive).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ingest.bodies import DROP, EXTERNAL
from ingest.names import alias_key
from models.atomic import write_atomically
from models.registry import Registry

DECISIONS = (EXTERNAL, DROP)


class AliasError(ValueError):
    """The alias file is unreadable or holds a decision the registry does not know."""


@dataclass(frozen=True)
class Candidate:
    ref: str
    label: str
    score: float  # 0..100
    # the candidate's name starts with the same kind of body ("Sở", "UBND", "LĐLĐ", "Ban"):
    # "UBND tỉnh Bắc Ninh" is near "LĐLĐ tỉnh Bắc Ninh" in letters, not the same body
    same_head: bool = False


def head(name: str) -> str:
    """The first word of a name's key, the kind of body it names: "ubnd", "so", "ldld"."""
    return next((t for t in alias_key(name).split() if t.isalnum()), "")


# A name that starts so belongs to a province's or the State's administration (a "Sở", a
# People's Committee and its office, the police, a newspaper, a centre): never a body of the
# Confederation, whatever its letters share with one.
_GOVERNMENT = ("so", "ubnd", "hdnd", "cong an", "bo chi huy", "bao", "dai", "trung tam",
               "bao hiem", "chi nhanh", "van phong ubnd", "van phong hdnd", "uy ban",
               "cac so", "thu truong")
# Words that say nothing of which body is meant.
_GENERIC = frozenset("cac co quan don vi dia phuong lien quan va tinh thanh pho nganh ban to "
                     "chuc cap xa phuong khac co theo".split())
_CONFEDERATION = ("tld", "ldld", "cdn", "cdtct", "group:")


def _kind_of_phrase(name: str, key: str) -> str:
    if key.startswith(_GOVERNMENT) or " ubnd" in key[:14]:
        return "government"
    plural = name.strip().lower().startswith(("các ", "cac ", "những "))
    if plural or key.startswith(("co quan", "don vi", "dia phuong", "nganh")):
        return "group"  # "các cơ quan, đơn vị": a set of bodies, never one of them
    return head(key)


def _places(registry: Registry) -> dict[str, str]:
    """place words ("bac ninh") -> the provincial federation there."""
    out = {}
    for body in registry.bodies.values():
        if body.kind == "provincial_federation":
            place = alias_key(body.name).removeprefix("ldld").strip()
            if place:
                out[place] = body.id
    return out


def _score(phrase: str, kind: str, places: set[str], ref: str, form: str, body_kind: str,
           body_places: set[str]) -> float:
    """How near the registry's `form` (folded) is to `phrase` (folded), 0..100, by the kind of
    body each names, the place each is in and the words they share (letters last)."""
    from rapidfuzz import fuzz

    words = {w for w in phrase.split() if w not in _GENERIC}
    theirs = {w for w in form.split() if w not in _GENERIC}
    shared = len(words & theirs) / len(words) if words else 0.0
    score = 45 * shared + 0.25 * fuzz.token_sort_ratio(phrase, form)
    if kind == "government":
        score *= 0.5 if body_kind == "external" else 0.3  # a Sở is no Confederation body
    elif kind == "group":
        score += 15 if ref.startswith("group:") else 0
    elif kind and kind == head(form):
        score += 20
    if places:
        score += 15 if places & body_places else -15
    elif body_places:
        score -= 5  # a province's body for a name that names no province
    return max(0.0, min(100.0, score))


def candidates(name: str, registry: Registry, limit: int = 5) -> list[Candidate]:
    """The registry bodies and groups nearest to `name` (best first), accents ignored, ranked
    by what the name says: the kind of body, its place, its words."""
    written = name.removeprefix("unresolved:").removeprefix("external:")
    phrase = alias_key(written)
    kind = _kind_of_phrase(written, phrase)
    by_place = _places(registry)
    here = {p for p in by_place if f" {p} " in f" {phrase} "}
    place_of = {ref: {p} for p, ref in by_place.items()}
    best: dict[str, float] = {}
    labels: dict[str, str] = {}
    forms: list[tuple[str, str, str]] = []
    for body in registry.bodies.values():
        forms += [(body.id, alias_key(f), body.kind) for f in (body.name, *body.aliases)]
        labels[body.id] = body.name
    for group in registry.groups.values():
        if group.placeholder:
            continue
        forms += [(group.id, alias_key(f), "group") for f in group.surface_forms]
        labels[group.id] = registry.label(group.id)
    for ref, form, body_kind in forms:
        score = _score(phrase, kind, here, ref, form, body_kind, place_of.get(ref, set()))
        best[ref] = max(best.get(ref, 0.0), score)
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))[:limit]
    wanted = head(phrase)
    return [Candidate(ref, labels[ref], round(score, 1),
                      bool(wanted) and head(labels[ref]) == wanted and kind != "government")
            for ref, score in ranked]


def load_aliases(path: Path, registry: Registry | None = None) -> dict[str, str]:
    """The decisions of the alias file at `path` ({} when it does not exist yet)."""
    import yaml

    path = Path(path)
    if not path.exists():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise AliasError(f"{path}: không đọc được tệp bí danh ({exc})") from None
    if not isinstance(data, dict):
        raise AliasError(f"{path}: tệp bí danh phải là bảng «cụm từ: quyết định»")
    out: dict[str, str] = {}
    for phrase, decision in data.items():
        key = alias_key(str(phrase))
        value = str(decision).strip()
        check_decision(value, registry, where=f"{path}: «{phrase}»")
        out[key] = value
    return out


def check_decision(decision: str, registry: Registry | None, *, where: str = "") -> None:
    if decision in DECISIONS:
        return
    if registry is not None and decision not in registry:
        raise AliasError(f"{where}: «{decision}» không phải mã đơn vị/nhóm trong sổ đăng ký, "
                         "cũng không phải external hoặc drop")


def save_aliases(path: Path, aliases: Mapping[str, str]) -> None:
    """Write the decisions atomically (a temporary file renamed over the old one)."""
    import yaml

    path = Path(path)
    body = {alias_key(k): v for k, v in sorted(aliases.items())}
    text = ("# Quyết định rà soát: cụm từ (không dấu, chữ thường) -> mã đơn vị/nhóm, external "
            "hoặc drop\n") + yaml.safe_dump(body, allow_unicode=True, sort_keys=True)
    write_atomically(path, text)


def record(path: Path, phrase: str, decision: str, registry: Registry | None = None) -> None:
    """Add one decision to the alias file (load, update, save atomically)."""
    check_decision(decision, registry, where=f"«{phrase}»")
    aliases = load_aliases(path, registry)
    aliases[alias_key(phrase.removeprefix("unresolved:"))] = decision
    save_aliases(path, aliases)
