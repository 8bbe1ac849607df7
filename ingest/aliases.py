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


def candidates(name: str, registry: Registry, limit: int = 5) -> list[Candidate]:
    """The registry bodies and groups nearest to `name` (best first), accents ignored."""
    from rapidfuzz import fuzz, process

    phrase = name.removeprefix("unresolved:").removeprefix("external:")
    choices: dict[str, str] = {}
    labels: dict[str, str] = {}
    for body in registry.bodies.values():
        for form in (body.name, *body.aliases):
            choices[f"{body.id}\x00{form}"] = alias_key(form)
        labels[body.id] = body.name
    for group in registry.groups.values():
        for form in group.surface_forms:
            choices[f"{group.id}\x00{form}"] = alias_key(form)
        labels[group.id] = registry.label(group.id)
    found = process.extract(alias_key(phrase), choices, scorer=fuzz.WRatio, limit=limit * 4)
    best: dict[str, float] = {}
    alike: set[str] = set()
    wanted = head(phrase)
    for key_form, score, key in found:
        ref = key.split("\x00", 1)[0]
        best[ref] = max(best.get(ref, 0.0), float(score))
        if wanted and head(key_form) == wanted:
            alike.add(ref)
    ranked = sorted(best.items(), key=lambda item: -item[1])[:limit]
    return [Candidate(ref, labels[ref], round(score, 1), ref in alike) for ref, score in ranked]


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
