"""The registry of responsible bodies and the groups that fan out to them.

Loaded from config/bodies.yaml (pure data; no database). A group id starts with "group:";
a group's members may be bodies or other groups, and expanding it yields each body once,
in registry order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

GROUP_PREFIX = "group:"
# A body outside the system, named as written ("external:Sở Tư pháp"): recorded on its task,
# never mailed. It becomes a body of kind "outside_system" when a cascade that names it launches.
EXTERNAL_PREFIX = "external:"
EXTERNAL_KIND = "outside_system"  # not "external" (a registry kind that does get mail)


class RegistryError(ValueError):
    """The registry file is unreadable or inconsistent."""


@dataclass(frozen=True)
class Body:
    id: str
    name: str
    kind: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    abbreviations: tuple[str, ...] = ()
    status: str | None = None


@dataclass(frozen=True)
class Group:
    id: str
    surface_forms: tuple[str, ...]
    members: tuple[str, ...]
    closed: bool = False
    placeholder: bool = False
    notes: str | None = None


def fold(text: str) -> str:
    """Normalise a name for comparison: NFC, one dash, one space, lower case."""
    text = unicodedata.normalize("NFC", text)
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    text = re.sub(r"\s*-\s*", " - ", text)
    text = re.sub(r"[*_`#]+", "", text)
    text = re.sub(r"\s+", " ", text).strip(" .,;:")
    return text.lower()


def strip_diacritics(text: str) -> str:
    """'Liên đoàn Lao động' -> 'lien doan lao dong' (for text typed without accents)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def is_group(ref: str) -> bool:
    return ref.startswith(GROUP_PREFIX)


def is_external(ref: str) -> bool:
    return ref.startswith(EXTERNAL_PREFIX)


def slug(text: str, limit: int = 60) -> str:
    """'Sở Tư pháp' -> 'so_tu_phap' (ids made from names); long names end with a hash."""
    import hashlib

    plain = re.sub(r"[^a-z0-9]+", "_", strip_diacritics(fold(text))).strip("_") or "x"
    if len(plain) <= limit:
        return plain
    return f"{plain[:limit].rstrip('_')}_{hashlib.sha1(plain.encode()).hexdigest()[:8]}"


def external_phrase(ref: str) -> str:
    return unicodedata.normalize("NFC", ref.removeprefix(EXTERNAL_PREFIX)).strip()


def external_body(ref: str) -> Body:
    """The body an `external:` reference stands for: same phrase, same id, every time."""
    phrase = external_phrase(ref)
    return Body(id=f"outside_{slug(phrase)}", name=phrase, kind=EXTERNAL_KIND)  # registry ids use ext_


@dataclass
class Registry:
    bodies: dict[str, Body]
    groups: dict[str, Group]
    _names: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._check()
        for body in self.bodies.values():
            for name in (body.name, *body.aliases):
                self._index(name, body.id)
        for group in self.groups.values():
            for name in group.surface_forms:
                self._index(name, group.id)

    def _index(self, name: str, ref: str) -> None:
        for key in {fold(name), strip_diacritics(fold(name))}:
            refs = self._names.setdefault(key, [])
            if ref not in refs:
                refs.append(ref)

    def _check(self) -> None:
        for body in self.bodies.values():
            if body.parent and body.parent not in self.bodies:
                raise RegistryError(f"body {body.id}: parent {body.parent!r} is not a body")
        for group in self.groups.values():
            for member in group.members:
                if member not in self.bodies and member not in self.groups:
                    raise RegistryError(f"{group.id}: member {member!r} is not in the registry")

    def __contains__(self, ref: object) -> bool:
        return ref in self.bodies or ref in self.groups

    def label(self, ref: str) -> str:
        if is_external(ref):
            return external_phrase(ref)
        if ref in self.bodies:
            return self.bodies[ref].name
        if ref in self.groups:
            forms = self.groups[ref].surface_forms
            return forms[0] if forms else ref
        return ref

    def expand(self, ref: str) -> list[str]:
        """The body ids a reference fans out to (a body is its own fan-out)."""
        out: list[str] = []
        self._expand(ref, out, set())
        return out

    def _expand(self, ref: str, out: list[str], seen: set[str]) -> None:
        if ref in seen:
            return
        seen.add(ref)
        if is_external(ref):
            body_id = external_body(ref).id
            if body_id not in out:
                out.append(body_id)
            return
        if ref in self.bodies:
            if ref not in out:
                out.append(ref)
            return
        group = self.groups.get(ref)
        if group is None:
            raise KeyError(ref)
        for member in group.members:
            self._expand(member, out, seen)

    def expand_all(self, refs: Iterable[str]) -> list[str]:
        out: list[str] = []
        for ref in refs:
            for body_id in self.expand(ref):
                if body_id not in out:
                    out.append(body_id)
        return out

    def is_open(self, ref: str) -> bool:
        """True when a group (or a group inside it) is known to list only some members."""
        group = self.groups.get(ref)
        if group is None:
            return False
        return not group.closed or any(self.is_open(m) for m in group.members)

    def lookup(self, name: str) -> list[str]:
        """Ids whose name, alias, id or surface form equals `name` (case, accents, dashes aside)."""
        if name in self:
            return [name]
        key = fold(name)
        found = self._names.get(key) or self._names.get(strip_diacritics(key)) or []
        return list(found)

    def suggest(self, ref: str, limit: int = 3) -> list[str]:
        """Ids close to a mistyped one, for error messages."""
        import difflib

        return difflib.get_close_matches(ref, [*self.bodies, *self.groups], n=limit, cutoff=0.6)


def load_registry(path: Path | str, local: Path | str | None = None) -> Registry:
    """The registry at `path`, with the bodies of `local` (the ones a coordinator added in a
    review, kept beside the database) when that file exists."""
    data = _read(Path(path))
    if local is not None and Path(local).exists():
        extra = _read(Path(local))
        base = data.get("bodies") or []
        known = {b.get("id") for b in base if isinstance(b, dict)}
        data["bodies"] = [*base, *(b for b in extra.get("bodies") or []
                                   if isinstance(b, dict) and b.get("id") not in known)]
    return _build(data, Path(path))


def _read(path: Path) -> dict:
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C parser when available
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506
    except OSError as exc:
        raise RegistryError(f"{path}: không đọc được sổ đăng ký đơn vị ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise RegistryError(f"{path}: YAML lỗi: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("bodies", []), list):
        raise RegistryError(f"{path}: cần một ánh xạ có danh sách «bodies»")
    return data


def _build(data: dict, path: Path) -> Registry:
    try:
        bodies = {
            b["id"]: Body(
                id=b["id"],
                name=unicodedata.normalize("NFC", b["name"]),
                kind=b["kind"],
                parent=b.get("parent"),
                aliases=tuple(b.get("aliases") or ()),
                abbreviations=tuple(b.get("abbreviations") or ()),
                status=b.get("status"),
            )
            for b in data["bodies"]
        }
        groups = {
            g["id"]: Group(
                id=g["id"],
                surface_forms=tuple(g.get("surface_forms") or ()),
                members=tuple(g.get("members") or ()),
                closed=bool(g.get("closed", False)),
                placeholder=bool(g.get("placeholder", False)),
                notes=g.get("notes"),
            )
            for g in data.get("groups") or []
        }
    except (KeyError, TypeError) as exc:
        raise RegistryError(f"{path}: mục thiếu trường {exc}") from None
    return Registry(bodies=bodies, groups=groups)
