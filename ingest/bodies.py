"""Bodies named in a text: registry ids, or the phrase as written when the registry lacks it.

`Resolver.scan(text)` reads the list of names at the start of `text` (a subject, an object,
a field's value): the registry's names first (longest match), else a phrase that starts with
a head of ingest/lexicon.py ("Sở", "Ủy ban", "Cục", "Giám đốc các Sở") and runs to the verb.
A phrase keeps its commas when what follows is part of it ("Sở Văn hóa, Thể thao và Du
lịch", "các sở, ban, ngành") and across a verb written with a capital ("Ban Quản lý …").

Names relative to the issuer (`Context`) resolve within it: "Văn phòng" in a letter of the
Văn phòng Trung ương Đảng is the issuer; "Quý Ủy ban" is the addressee of "Kính gửi";
"Liên đoàn Lao động tỉnh" in a provincial document is that province's federation; a
Confederation department's short name ("Ban Tổ chức") outside the Confederation's documents
is left unresolved with a note. Decisions of the review (`aliases`: phrase -> id, "external"
or "drop") are applied last.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from ingest.lexicon import TITLES
from ingest.names import Token, alias_key, canonical_tokens, name_key
from ingest.phrases import (
    CONNECTORS,
    continues,
    filler_at,
    glued,
    head_at,
    phrase_at,
    piece_end,
    verb_at,
    with_article,
)
from ingest.text import ascii_key, is_upper_text
from models.registry import Registry

# A registry name followed by one of these is the start of a longer, different name.
QUALIFIERS = frozenset({"tw", "tinh", "thanh", "huyen", "quan", "xa", "phuong", "dang", "ldld",
                        "cd", "tp", "so", "bo", "uy", "thi", "nganh", "khu", "don", "truc"})
EXTERNAL = "external"
DROP = "drop"


@dataclass(frozen=True)
class Mention:
    """A body named in the text: a registry id, or None when the registry does not know it."""

    ref: str | None
    text: str
    start: int
    end: int
    note: str | None = None
    external: bool = False

    @property
    def value(self) -> str:
        if self.ref:
            return self.ref
        return f"{'external' if self.external else 'unresolved'}:{self.text}"


@dataclass(frozen=True)
class Context:
    """Who issued the document, for names relative to it."""

    confederation: bool = True
    issuer: str | None = None
    issuer_office: bool = False  # the issuer is an office: "Văn phòng" alone means it
    province: str | None = None  # the issuer's province ("Nghệ An")
    addressee: Mention | None = None  # "Kính gửi: ..." ("Quý Ủy ban" means it)


@dataclass
class _Entry:
    refs: list[str] = field(default_factory=list)
    short: bool = False  # means a Confederation department only in the Confederation's documents


class Resolver:
    def __init__(self, registry: Registry, aliases: Mapping[str, str] | None = None) -> None:
        self.registry = registry
        self.context = Context()
        self.aliases: Mapping[str, str] = aliases or {}
        self.index: dict[tuple[str, ...], _Entry] = {}
        self.prefixes: set[tuple[str, ...]] = set()
        self.abbreviations: dict[str, list[str]] = {}
        self._build()

    @property
    def confederation_context(self) -> bool:
        return self.context.confederation

    def with_context(self, context: Context | None = None, *, confederation: bool | None = None
                     ) -> Resolver:
        clone = object.__new__(Resolver)
        clone.__dict__.update(self.__dict__)
        context = context or self.context
        if confederation is not None:
            context = replace(context, confederation=confederation)
        clone.context = context
        return clone

    def with_aliases(self, aliases: Mapping[str, str] | None) -> Resolver:
        clone = self.with_context()
        clone.aliases = {alias_key(k): v for k, v in (aliases or {}).items()}
        return clone

    # -- index ---------------------------------------------------------------------------

    def _build(self) -> None:
        generated: list[tuple[tuple[str, ...], str]] = []
        for body in self.registry.bodies.values():
            in_tld = body.id.startswith("tld_") or "TLD" in name_key(body.name)
            for form in (body.name, *body.aliases):
                key = name_key(form)
                self._add(key, body.id, short=in_tld and "TLD" not in key)
                generated.extend((variant, body.id) for variant in _variants(key))
            for abbreviation in body.abbreviations:
                self.abbreviations.setdefault(ascii_key(abbreviation), []).append(body.id)
        for group in self.registry.groups.values():
            for form in group.surface_forms:
                self._add(name_key(form), group.id, short=False)
        for key, ref in generated:
            if key and key not in self.index:
                self._add(key, ref, short=ref.startswith("tld_") and "TLD" not in key)

    def _add(self, key: tuple[str, ...], ref: str, *, short: bool) -> None:
        if not key:
            return
        entry = self.index.setdefault(key, _Entry(short=short))
        if ref not in entry.refs:
            entry.refs.append(ref)
        entry.short = entry.short and short
        for size in range(1, len(key) + 1):
            self.prefixes.add(key[:size])

    def _longest(self, tokens: list[Token], i: int) -> tuple[int, _Entry] | None:
        best = None
        j = i
        while j < len(tokens):
            key = tuple(t.text for t in tokens[i:j + 1])
            if key not in self.prefixes:
                break
            if key in self.index:
                best = (j + 1, self.index[key])
            j += 1
        return best

    # -- whole names -----------------------------------------------------------------------

    def whole(self, text: str) -> str | None:
        """The id that `text` names as a whole (a line of a header, a table cell), else None."""
        tokens = [t for t in canonical_tokens(text) if t.text not in (":", "(", ")")]
        if not tokens:
            return None
        found = self._longest(tokens, 0)
        if found and found[0] == len(tokens) and len(found[1].refs) == 1:
            entry = found[1]
            if entry.short and not self.context.confederation:
                return None
            return entry.refs[0]
        return None

    def abbreviation(self, code: str) -> str | None:
        """The body a document-number suffix such as 'ĐĐTLĐ' or 'BCH' stands for, if unique."""
        refs = self.abbreviations.get(ascii_key(code), [])
        if len(refs) == 1:
            return refs[0]
        return self.whole(code)

    # -- lists of names ------------------------------------------------------------------

    def scan(self, text: str, *, sentence_start: bool = True, names_only: bool = False,
             object_mode: bool = False) -> tuple[list[Mention], int]:
        """The bodies named at the start of `text` and the offset where their list ends.

        `names_only`: only registry names (an unknown name ends the list). `object_mode`: the
        text follows "giao" / "đề nghị", so its first word is a name even if it looks like a
        verb ("Giao Thống kê tỉnh chủ trì").
        """
        tokens = canonical_tokens(text)
        upper = is_upper_text(text)
        mentions: list[Mention] = []
        end = 0
        i = 0
        while i < len(tokens):
            if tokens[i].text in CONNECTORS:
                if not mentions:
                    break
                i += 1
                continue
            filler = filler_at(tokens, i)
            if filler:
                i += filler
                continue
            title = phrase_at(tokens, i, TITLES)
            start_at = i + title if title and self._names_at(tokens, i + title) else i
            found = self._longest(tokens, start_at)
            if found and not self._qualified(text, tokens, found[0], upper):
                j, entry = found
                mentions.append(self._mention(text, tokens, i, j, entry))
            else:
                if names_only:
                    break
                first = object_mode and not mentions
                if verb_at(tokens, i) and not first:
                    break
                if not (start_at > i or self._name_start(text, tokens, i, sentence_start and
                                                          not mentions, first)):
                    break
                j = piece_end(text, tokens, start_at, upper)
                if j - i > 16:
                    break
                start, stop = with_article(text, tokens[i].start), tokens[j - 1].end
                mentions.append(Mention(None, text[start:stop].strip(" ,"), start, stop,
                                        note="không có trong sổ đăng ký đơn vị"))
            end = mentions[-1].end
            i = j
            if i < len(tokens) and not continues(tokens, i):
                break
        settled = [s for m in mentions if (s := self.settle(m)) is not None]
        return settled, end

    def _names_at(self, tokens: list[Token], i: int) -> bool:
        return i < len(tokens) and (self._longest(tokens, i) is not None or head_at(tokens, i) > 0)

    def _mention(self, text: str, tokens: list[Token], i: int, j: int, entry: _Entry) -> Mention:
        start, end = with_article(text, tokens[i].start), tokens[j - 1].end
        written = text[start:end]
        if len(entry.refs) > 1:
            return Mention(None, written, start, end,
                           note=f"tên ứng với nhiều đơn vị: {', '.join(entry.refs)}")
        if entry.short and not self.context.confederation:
            return Mention(None, written, start, end,
                           note=f"văn bản không do Tổng Liên đoàn ban hành; nếu là "
                                f"{self.registry.label(entry.refs[0])} thì ghi {entry.refs[0]}")
        return Mention(entry.refs[0], written, start, end)

    @staticmethod
    def _qualified(text: str, tokens: list[Token], j: int, upper: bool) -> bool:
        """True when the name ending before token j goes on (a longer, different name)."""
        if glued(tokens, j):  # "Ban Tuyên giáo/Dân vận", "Sở KH&CN"
            return True
        if j >= len(tokens) or filler_at(tokens, j) or tokens[j].text in CONNECTORS:
            return False
        if tokens[j].text == "cua":
            return j + 1 < len(tokens) and tokens[j + 1].text != "TLD"
        if verb_at(tokens, j) and not (tokens[j].capital and not upper):
            return False
        return tokens[j].text in QUALIFIERS or (tokens[j].capital and not upper)

    @staticmethod
    def _name_start(text: str, tokens: list[Token], i: int, sentence_initial: bool,
                    object_first: bool) -> bool:
        if head_at(tokens, i):
            return True
        return tokens[i].capital and (object_first or not sentence_initial) and \
            not is_upper_text(text[tokens[i].start:tokens[i].end + 20])

    # -- names relative to the issuer, and the review's decisions ---------------------------

    def settle(self, mention: Mention) -> Mention | None:
        """The mention after the alias file and the issuer context; None when dropped."""
        decision = self.aliases.get(alias_key(mention.text)) if self.aliases else None
        if decision == DROP:
            return None
        if decision == EXTERNAL:
            return replace(mention, ref=None, external=True, note="ngoài hệ thống (theo tệp bí danh)")
        if decision and decision in self.registry:
            return replace(mention, ref=decision, note=None)
        if mention.ref is not None:
            return mention
        return self._relative(mention) or mention

    def _relative(self, mention: Mention) -> Mention | None:
        ctx = self.context
        key = alias_key(mention.text)
        bare = re.sub(r"^(?:lanh dao|thu truong|chanh) ", "", key)
        if bare == "van phong" and ctx.issuer_office and ctx.issuer:
            return replace(mention, ref=ctx.issuer, note="«Văn phòng» của cơ quan ban hành")
        if key.startswith("quy ") and ctx.addressee is not None:
            return replace(mention, ref=ctx.addressee.ref, text=ctx.addressee.text,
                           note="nơi nhận ở «Kính gửi»")
        if ctx.province and re.search(r"\b(?:tinh|thanh pho|tp)$", ascii_key(mention.text).strip()):
            ref = self.whole(f"{mention.text} {ctx.province}")
            if ref:
                return replace(mention, ref=ref, note=f"hiểu là của {ctx.province}")
        return None


def _variants(key: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Other ways a registry name is written: without a trailing 'TLĐ' or 'Đảng'."""
    out = []
    if len(key) > 2 and key[-1] in ("TLD", "dang"):
        out.append(key[:-1])
        if key[-2] == "cua":
            out.append(key[:-2])
    if len(key) > 2 and key[-1] == "vn":
        out.append(key[:-1])
    return out


def is_confederation(registry: Registry, ref: str | None) -> bool:
    """True when `ref` is the Confederation or one of its own organs (not a federation)."""
    if not ref or ref not in registry.bodies:
        return False
    body = registry.bodies[ref]
    own_organ = body.parent == "tld" and body.kind in (
        "leadership_body", "party_body", "department", "office")
    return ref == "tld" or ref.startswith("tld_") or own_organ


__all__ = ["Context", "Mention", "Resolver", "is_confederation", "name_key"]
