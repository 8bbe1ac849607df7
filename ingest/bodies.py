"""Body names in a sentence -> registry ids, by longest match over accent-free tokens.

Names are compared on canonical tokens: no diacritics (so "LĐLD", "Uỷ ban" and text typed
without accents still match), one token for every way of writing the Confederation ("Tổng
Liên đoàn Lao động Việt Nam", "Tổng LĐLĐ", "TLĐ"), "Trung ương" = "TW", "công đoàn" = "CĐ".

A short name such as "Ban Tuyên giáo" means the Confederation's department only in a document
of the Confederation itself; elsewhere (a Politburo resolution, a provincial plan) it is flagged
for review. A registry name followed by a qualifier ("Ban Tuyên giáo Tỉnh ủy") is a different
body and stays unresolved, as does anything the registry does not know.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.text import ascii_key
from models.registry import Registry

_TOKEN = re.compile(r"[^\W_]+|[,;:()&+/-]")

# Canonical rewrites of token runs (longest first at each position).
_REWRITES: tuple[tuple[tuple[str, ...], str], ...] = tuple(
    sorted(
        (
            (tuple(src.split()), dst)
            for src, dst in (
                ("tong lien doan lao dong viet nam", "TLD"),
                ("tong lien doan lao dong vn", "TLD"),
                ("tong lien doan lao dong", "TLD"),
                ("tong lien doan", "TLD"),
                ("tong ldld viet nam", "TLD"),
                ("tong ldld vn", "TLD"),
                ("tong ldldvn", "TLD"),
                ("tong ldld", "TLD"),
                ("tldld", "TLD"),
                ("tld", "TLD"),
                ("lien doan lao dong", "ldld"),
                ("ldld tinh", "ldld"),
                ("ldld thanh pho", "ldld"),
                ("ldld tp", "ldld"),
                ("trung uong", "tw"),
                ("viet nam", "vn"),
                ("uy ban kiem tra", "ubkt"),
                ("cong doan", "cd"),
                ("tong cong ty", "tcty"),
                ("tong cty", "tcty"),
                ("cong ty", "cty"),
                ("thanh pho", "tp"),
                ("cac", ""),
                ("nhung", ""),
                ("-", ""),
            )
        ),
        key=lambda pair: -len(pair[0]),
    )
)
_MAX_REWRITE = max(len(src) for src, _ in _REWRITES)
_REWRITE_MAP = dict(_REWRITES)

CONNECTORS = frozenset({",", "va", "cung", "&", "/", "+"})
FILLERS = (("tuong", "duong"), ("truc", "thuoc", "TLD"), ("lien", "quan"))
# A registry name followed by one of these is the start of a longer, different name.
QUALIFIERS = frozenset({"tw", "tinh", "thanh", "huyen", "quan", "xa", "phuong", "dang", "ldld",
                        "cd", "tp", "so", "bo", "uy", "thi", "nganh", "khu", "don", "truc"})
# First words of a name the registry may not know.
HEADS = frozenset({
    "ban", "van", "so", "uy", "ub", "ubnd", "ubkt", "ldld", "cd", "dang", "hoi", "vien", "tinh",
    "thanh", "huyen", "quan", "bo", "cuc", "vu", "phong", "chi", "doan", "hoc", "truong", "bao",
    "tap", "tcty", "cty", "trung", "chinh", "quoc", "mat", "co", "don", "hdnd", "btv", "bch",
    "thuong", "nha", "to", "lien", "nghiep", "tld", "TLD", "tw", "ttdct", "dct", "ddtld",
})
# Words that end a list of names (matched on the accented words: "giáo" is not "giao").
VERB_MARKERS: tuple[tuple[str, ...], ...] = tuple(tuple(v.split()) for v in (
    "chủ trì", "phối hợp", "chỉ đạo", "lãnh đạo", "tổ chức", "tham mưu", "căn cứ",
    "có trách nhiệm", "cần", "thực hiện", "triển khai", "xây dựng", "nghiên cứu", "hướng dẫn",
    "theo dõi", "báo cáo", "giao", "đề nghị", "tăng cường", "khẩn trương", "chủ động",
    "quán triệt", "tuyên truyền", "kiểm tra", "giám sát", "tổng hợp", "bố trí", "đảm bảo",
    "bảo đảm", "thường xuyên", "tiếp tục", "đẩy mạnh", "nâng cao", "ban hành", "sửa đổi",
    "đăng ký", "phấn đấu", "cụ thể hóa", "cụ thể hoá", "đôn đốc", "đề xuất", "hàng năm",
    "hằng năm", "hàng quý", "hằng quý", "hàng tháng", "hằng tháng", "định kỳ", "thời gian",
    "trong", "trước", "sau", "khi", "nếu", "để", "nhằm", "tại", "theo", "về", "với", "là",
    "được", "sẽ", "đồng thời", "kết hợp", "gắn", "lựa chọn", "làm", "qua", "của", "có",
    "rà soát", "biên soạn", "gửi", "tham dự", "phổ biến", "vận động", "tập huấn", "bồi dưỡng",
    "thành lập", "sơ kết", "tổng kết", "phát động", "hỗ trợ", "giải quyết", "chăm lo", "đại diện",
    "bảo vệ", "thương lượng", "ký kết", "nắm bắt", "lập", "cung cấp", "xác định", "đánh giá",
    "chuẩn bị", "tham gia", "tiếp nhận", "xử lý", "đăng tải", "chịu trách nhiệm", "khảo sát",
    "thống kê", "hoàn thành", "xong", "phát triển", "vận hành", "quản lý", "tập trung", "ưu tiên",
))


@dataclass(frozen=True)
class Token:
    text: str  # canonical, accent-free
    start: int
    end: int
    word: str = ""  # the word as written, lower case (for verbs, where accents matter)


def canonical_tokens(text: str) -> list[Token]:
    """Tokens of `text` (accent-free, canonical) with their offsets in `text`."""
    tokens = [Token(m.group(), m.start(), m.end(), text[m.start():m.end()].lower())
              for m in _TOKEN.finditer(ascii_key(text))]
    for _ in range(3):
        rewritten = _rewrite_pass(tokens)
        if len(rewritten) == len(tokens):
            return rewritten
        tokens = rewritten
    return tokens


def _rewrite_pass(raw: list[Token]) -> list[Token]:
    out: list[Token] = []
    i = 0
    while i < len(raw):
        for size in range(min(_MAX_REWRITE, len(raw) - i), 0, -1):
            run = tuple(t.text for t in raw[i:i + size])
            if run in _REWRITE_MAP:
                dst = _REWRITE_MAP[run]
                if dst:
                    out.append(Token(dst, raw[i].start, raw[i + size - 1].end, dst))
                i += size
                break
        else:
            out.append(raw[i])
            i += 1
    return out


def name_key(text: str) -> tuple[str, ...]:
    return tuple(t.text for t in canonical_tokens(text))


@dataclass(frozen=True)
class Mention:
    """A body named in the text: a registry id, or None when the registry does not know it."""

    ref: str | None
    text: str
    start: int
    end: int
    note: str | None = None

    @property
    def value(self) -> str:
        return self.ref if self.ref else f"unresolved:{self.text}"


@dataclass
class _Entry:
    refs: list[str] = field(default_factory=list)
    short: bool = False  # means a Confederation department only in the Confederation's documents


class Resolver:
    """Finds registry bodies and groups in text; see the module docstring."""

    def __init__(self, registry: Registry, *, confederation_context: bool = True) -> None:
        self.registry = registry
        self.confederation_context = confederation_context
        self.index: dict[tuple[str, ...], _Entry] = {}
        self.prefixes: set[tuple[str, ...]] = set()
        self.abbreviations: dict[str, list[str]] = {}
        self._build()

    def with_context(self, *, confederation: bool) -> Resolver:
        clone = object.__new__(Resolver)
        clone.__dict__.update(self.__dict__)
        clone.confederation_context = confederation
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
                in_tld = ref.startswith("tld_")
                self._add(key, ref, short=in_tld and "TLD" not in key)

    def _add(self, key: tuple[str, ...], ref: str, *, short: bool) -> None:
        if not key:
            return
        entry = self.index.setdefault(key, _Entry(short=short))
        if ref not in entry.refs:
            entry.refs.append(ref)
        entry.short = entry.short and short
        for size in range(1, len(key) + 1):
            self.prefixes.add(key[:size])

    # -- matching ------------------------------------------------------------------------

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

    def _mention(self, text: str, tokens: list[Token], i: int, j: int, entry: _Entry) -> Mention:
        start, end = _with_article(text, tokens[i].start), tokens[j - 1].end
        written = text[start:end]
        if len(entry.refs) > 1:
            return Mention(None, written, start, end,
                           note=f"tên ứng với nhiều đơn vị: {', '.join(entry.refs)}")
        if entry.short and not self.confederation_context:
            return Mention(None, written, start, end,
                           note=f"văn bản không do Tổng Liên đoàn ban hành; nếu là "
                                f"{self.registry.label(entry.refs[0])} thì ghi {entry.refs[0]}")
        return Mention(entry.refs[0], written, start, end)

    def whole(self, text: str) -> str | None:
        """The id that `text` names as a whole (a line of a header, a table cell), else None."""
        tokens = canonical_tokens(text)
        tokens = [t for t in tokens if t.text not in (":", "(", ")")]
        if not tokens:
            return None
        found = self._longest(tokens, 0)
        if found and found[0] == len(tokens) and len(found[1].refs) == 1:
            entry = found[1]
            if entry.short and not self.confederation_context:
                return None
            return entry.refs[0]
        return None

    def abbreviation(self, code: str) -> str | None:
        """The body a document-number suffix such as 'ĐĐTLĐ' or 'BCH' stands for, if unique."""
        refs = self.abbreviations.get(ascii_key(code), [])
        if len(refs) == 1:
            return refs[0]
        return self.whole(code)

    def scan(self, text: str, *, sentence_start: bool = True, names_only: bool = False
             ) -> tuple[list[Mention], int]:
        """The bodies named at the start of `text` (a subject or an object list).

        Returns the mentions and the offset where the list of names ends. With `names_only`,
        a name the registry does not know ends the list instead of being reported.
        """
        tokens = canonical_tokens(text)
        mentions: list[Mention] = []
        end = 0
        i = 0
        while i < len(tokens):
            tok = tokens[i].text
            if tok in CONNECTORS:
                i += 1
                continue
            filler = _filler_at(tokens, i)
            if filler:
                i += filler
                continue
            found = self._longest(tokens, i)
            if found and not self._qualified(text, tokens, found[0]):
                j, entry = found
                mentions.append(self._mention(text, tokens, i, j, entry))
                end = tokens[j - 1].end
                i = j
                if i < len(tokens) and not _continues(tokens, i):
                    break
                continue
            if names_only or _starts_verb(tokens, i):
                break
            j = _piece_end(tokens, i, text)
            if j == i or j - i > 10 or not self._name_like(text, tokens, i, sentence_start
                                                           and not mentions):
                break
            start, stop = _with_article(text, tokens[i].start), tokens[j - 1].end
            mentions.append(Mention(None, text[start:stop], start, stop,
                                    note="không có trong sổ đăng ký đơn vị"))
            end = stop
            i = j
            if i < len(tokens) and not _continues(tokens, i):
                break
        return mentions, end

    @staticmethod
    def _qualified(text: str, tokens: list[Token], j: int) -> bool:
        """True when the name ending before token j goes on (a longer, different name)."""
        if j >= len(tokens) or _filler_at(tokens, j) or tokens[j].text in CONNECTORS:
            return False
        if tokens[j].text == "cua":
            return j + 1 < len(tokens) and tokens[j + 1].text != "TLD"
        if _starts_verb(tokens, j):
            return False
        return tokens[j].text in QUALIFIERS or text[tokens[j].start].isupper()

    @staticmethod
    def _name_like(text: str, tokens: list[Token], i: int, sentence_initial: bool) -> bool:
        if tokens[i].text in HEADS:
            return True
        first = text[tokens[i].start]
        return first.isupper() and not sentence_initial


_ARTICLE = re.compile(r"(?:các|những|Các|Những|CÁC|NHỮNG)\s+$")


def _with_article(text: str, start: int) -> int:
    """Move `start` back over a plural article ('các ban liên quan' is written with 'các')."""
    m = _ARTICLE.search(text, max(0, start - 8), start)
    return m.start() if m else start


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


def _filler_at(tokens: list[Token], i: int) -> int:
    for filler in FILLERS:
        if tuple(t.text for t in tokens[i:i + len(filler)]) == filler:
            return len(filler)
    return 0


def _starts_verb(tokens: list[Token], i: int) -> bool:
    if tokens[i].text in (":", ";", "(", ")", "-"):
        return True
    for verb in VERB_MARKERS:
        if tuple(t.word for t in tokens[i:i + len(verb)]) == verb:
            return True
    return False


def _continues(tokens: list[Token], i: int) -> bool:
    """After a name: does the list of names go on (a connector or a filler follows)?"""
    return tokens[i].text in CONNECTORS or bool(_filler_at(tokens, i))


def _piece_end(tokens: list[Token], i: int, text: str = "") -> int:
    j = i
    while j < len(tokens):
        if tokens[j].text == "va" and j > i and j + 1 < len(tokens) and text \
                and text[tokens[j + 1].start].isupper() and not _starts_verb(tokens, j + 1) \
                and tokens[j + 1].text not in HEADS:
            j += 2
            continue
        if tokens[j].text in CONNECTORS or tokens[j].text in (";", ":", "(", ")"):
            break
        if j > i and _starts_verb(tokens, j):
            break
        j += 1
    return j


def is_confederation(registry: Registry, ref: str | None) -> bool:
    """True when `ref` is the Confederation or one of its own organs (not a federation)."""
    if not ref or ref not in registry.bodies:
        return False
    body = registry.bodies[ref]
    own_organ = body.parent == "tld" and body.kind in (
        "leadership_body", "party_body", "department", "office")
    return ref == "tld" or ref.startswith("tld_") or own_organ
