"""Who does what in one sentence: the lead, the co-operating bodies, whom to report to.

The lead is found, in this order: as the object of "giao / đề nghị / yêu cầu / phân công"
("Giao Sở Tư pháp theo dõi", "đề nghị Ủy ban nhân dân các tỉnh báo cáo"); as the subject,
after an opening adverbial ("Căn cứ kế hoạch này, Giám đốc các Sở ... xây dựng"); or as the
body right before "chủ trì", "có trách nhiệm", "là đầu mối" anywhere in the sentence. A
subject that only "phối hợp" (without "với") co-operates. A sentence about the past ("X đã
chủ trì ...") or a condition ("nếu có khó khăn ... phản ánh") assigns nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ingest.bodies import Mention, Resolver

_OBJECT_VERB = re.compile(
    r"(?<![\wÀ-ỹ])(?P<verb>giao nhiệm vụ cho|giao cho|giao|đề nghị|yêu cầu|phân công cho|"
    r"phân công)\s+", re.IGNORECASE)
_NOT_OBJECT = re.compile(r"(?:được|đã|theo|đáp ứng|các|những|có|bàn|chuyển|thực hiện|"
                         r"nội dung|là)\s+$", re.IGNORECASE)
_LEADING = re.compile(r"^(?:[-+•–]\s*|[a-zđ]\)\s*|\((?:\d+|[ivx]{1,5})\)\s*)+", re.IGNORECASE)
_ADVERBIAL = re.compile(
    r"^(?:căn cứ|trên cơ sở|để|hằng năm|hàng năm|định kỳ|trong|sau|theo|đồng thời|ngoài ra|"
    r"bên cạnh|thời gian tới|với|từ|đến|khi|những|qua|thông qua|tiếp theo|cùng với|"
    r"trước|đối với|quán triệt)\b[^;:]{0,220}?,\s*", re.IGNORECASE)
_STRONG = re.compile(r"^\s*(?::\s*)?(?:chủ trì|có trách nhiệm|chịu trách nhiệm|là (?:cơ quan )?"
                     r"(?:đầu mối|thường trực)|làm đầu mối)", re.IGNORECASE)
_MARKER = re.compile(r"\b(?:chủ trì|có trách nhiệm|chịu trách nhiệm|là (?:cơ quan )?đầu mối|"
                     r"làm đầu mối)\b", re.IGNORECASE)
_PASSIVE_AGENT = re.compile(r"(?:\bdo|\bđược|\bcủa|\bvới|\bcho)\s+(?:các\s+)?$", re.IGNORECASE)
_PAST = re.compile(r"^\s*,?\s*(?:đã|vừa|từng)\b", re.IGNORECASE)
_REQUEST_ONLY = re.compile(r"^\s*,?\s*(?:yêu cầu|đề nghị|chỉ thị|giao)\s*:", re.IGNORECASE)
_TITLE_START = re.compile(r"^(?:thường trực|thủ trưởng|người đứng đầu|lãnh đạo|giám đốc|chủ tịch|"
                          r"ban thường vụ|cấp ủy)\b", re.IGNORECASE)
_IF = re.compile(r"\bnếu\b", re.IGNORECASE)
_COOPERATE_WITH = re.compile(r"phối hợp(?:\s+chặt chẽ)?(?:\s+(?:với|cùng))?\s+", re.IGNORECASE)
_COOPERATE_ONLY = re.compile(r"(?<!sự )\bphối hợp\b(?!(?:\s+chặt chẽ)?\s+(?:với|cùng)\b)", re.IGNORECASE)
# "X chủ động quán triệt, phối hợp tuyên truyền": X's own duty comes before the co-operation
_OWN_VERB_FIRST = re.compile(r"(?:chủ động|tích cực|khẩn trương)\s+(?!phối hợp)\w+", re.IGNORECASE)
_ASIDE = re.compile(r"^\s*\([^)]{0,120}\)")
# "Các cơ quan, tổ chức sử dụng vốn ngân sách … có trách nhiệm theo dõi": the subject's duty
_RESPONSIBLE = re.compile(r"\b(?:có|chịu) trách nhiệm\b", re.IGNORECASE)
_LEADS = re.compile(r"\bchủ trì\b", re.IGNORECASE)
_REPORT = re.compile(r"\bbáo cáo\b", re.IGNORECASE)


@dataclass
class Roles:
    lead: list[Mention] = field(default_factory=list)
    cooperating: list[Mention] = field(default_factory=list)
    report_to: str | None = None
    strong: bool = False  # named by "giao", "chủ trì", "có trách nhiệm", a label or a column
    how: str = "none"  # object, subject, marker, none
    requester: bool = False  # "Ủy ban nhân dân tỉnh yêu cầu:" (introduces a list)
    conditional: bool = False
    past: bool = False
    helpers: list[Mention] = field(default_factory=list)  # "phối hợp với X" with no lead named

    @property
    def found(self) -> bool:
        return bool(self.lead or self.cooperating)

    @property
    def cooperating_only(self) -> bool:
        return not self.lead and bool(self.cooperating)


def sentence_roles(text: str, resolver: Resolver, *, intro: bool = False) -> Roles:
    """The roles one sentence (or clause) gives; `intro`: it introduces a list (ends ':')."""
    body = _LEADING.sub("", text.lstrip())
    shift = len(text) - len(body)
    roles = (_object(body, resolver) or _subject(body, resolver, anywhere=intro)
             or _marker(body, resolver))
    if roles is None:
        cooperating = [_shift(m, shift) for m in _cooperating(body, resolver)]
        return Roles(cooperating=[], conditional=bool(_IF.search(body)), helpers=cooperating)
    first = min((m.start for m in roles.lead + roles.cooperating), default=0)
    roles.conditional = bool(_IF.search(body[:first]))
    roles.lead = [_shift(m, shift) for m in roles.lead]
    roles.cooperating = _dedupe([_shift(m, shift) for m in roles.cooperating]
                                + [_shift(m, shift) for m in _cooperating(body, resolver)])
    roles.cooperating = [c for c in roles.cooperating if c.value not in {x.value for x in roles.lead}]
    roles.report_to = report_to(body, resolver)
    return roles


def _object(text: str, resolver: Resolver) -> Roles | None:
    for m in _OBJECT_VERB.finditer(text):
        if _NOT_OBJECT.search(text[max(0, m.start() - 20):m.start()]):
            continue
        rest = text[m.end():]
        if rest[:1].islower() and not rest.lower().startswith(("các ", "những ")) \
                and not _TITLE_START.match(rest):
            continue  # "giao ban", "yêu cầu nhiệm vụ": no body follows
        names, end = resolver.scan(rest, object_mode=True)
        if not names or not rest[end:].strip(" ,.") and m.group("verb").lower() != "giao":
            if names and text.rstrip().endswith(":"):
                pass
            else:
                continue
        lead = [_shift(x, m.end()) for x in names]
        after = rest[end:]
        past = bool(_PAST.search(text[:m.start()][-12:]))
        return Roles(lead=lead, strong=True, how="object", past=past) if not _PAST.match(
            after) else Roles(lead=lead, how="object", past=True)
    return None


def _subject(text: str, resolver: Resolver, *, anywhere: bool = False) -> Roles | None:
    offsets = [0]
    adverbial = _ADVERBIAL.match(text)
    if adverbial:
        offsets.append(adverbial.end())
    if anywhere:  # an intro: "Quán triệt …; căn cứ …, Văn phòng Trung ương Đảng … sau:"
        offsets += [m.end() for m in re.finditer(r"[,;]\s+(?=[A-ZĐÀ-Ỹ])", text[:400])][:8]
    for offset in offsets:
        names, end = resolver.scan(text[offset:], sentence_start=offset == 0)
        if not names:
            continue
        after = text[offset + end:]
        if _REQUEST_ONLY.match(after):
            return Roles(requester=True)
        if not after.strip(" .;") or not _predicate(after):
            continue
        lead = [_shift(x, offset) for x in names]
        core = _ASIDE.sub("", after, count=1)  # "Cục X (Bộ Y) chủ trì …"
        clause = re.split(r"[;.]", core, maxsplit=1)[0][:140]
        strong = bool(_STRONG.match(core)) or bool(_RESPONSIBLE.search(clause))
        roles = Roles(lead=lead, how="subject", strong=strong, past=bool(_PAST.match(after)))
        clause = re.split(r"[;.]", after, maxsplit=1)[0]
        if not _LEADS.search(text) and _COOPERATE_ONLY.search(clause[:60]) \
                and not _OWN_VERB_FIRST.match(clause.lstrip(" ,:")):
            roles.cooperating, roles.lead = roles.lead, []
        return roles
    return None


def _predicate(after: str) -> bool:
    """What follows a list of names starts a predicate (not a capitalised new sentence)."""
    rest = after.lstrip(" ,")
    if rest.startswith(":"):
        return bool(rest[1:].strip())
    return bool(rest) and (rest[0].islower() or rest.startswith(("(", "Chủ trì")))


def _marker(text: str, resolver: Resolver) -> Roles | None:
    """'..., Sở Nội vụ chủ trì ...': the body right before a lead marker, anywhere."""
    for m in _MARKER.finditer(text):
        window_start = max(0, m.start() - 160)
        for start in _name_starts(text, window_start, m.start()):
            names, end = resolver.scan(text[start:m.start()], sentence_start=False)
            if names and start + end >= m.start() - 2 and not _PASSIVE_AGENT.search(
                    text[max(0, start - 12):start]):
                lead = [_shift(x, start) for x in names]
                return Roles(lead=lead, how="marker", strong=True)
    return None


def _name_starts(text: str, first: int, last: int) -> list[int]:
    """Offsets of words that could start a name between first and last, nearest last first."""
    starts = [m.start() for m in re.finditer(r"(?<![\wÀ-ỹ])[\wÀ-ỹ]", text[first:last])]
    return [first + s for s in starts][::-1][:20]


def _cooperating(text: str, resolver: Resolver) -> list[Mention]:
    out: list[Mention] = []
    for m in _COOPERATE_WITH.finditer(text):
        found, _ = resolver.scan(text[m.end():], sentence_start=False)
        out += [_shift(x, m.end()) for x in found]
    return out


def report_to(text: str, resolver: Resolver) -> str | None:
    for m in _REPORT.finditer(text):
        clause = re.split(r"[;.]\s", text[m.end():], maxsplit=1)[0]
        via = re.search(r"\(\s*(?:qua|thông qua)\s+([^)]+)\)", clause, re.IGNORECASE)
        candidates = [via.group(1)] if via else []
        candidates += [clause[v.end():] for v in re.finditer(r"\bvề\s+", clause)]
        candidates.append(clause)
        for candidate in candidates:
            found, _ = resolver.scan(candidate.lstrip(" ,"), names_only=True)
            bodies = [x.ref for x in found if x.ref and x.ref in resolver.registry.bodies]
            if bodies:
                return bodies[0]
    return None


def _shift(mention: Mention, offset: int) -> Mention:
    from dataclasses import replace

    return replace(mention, start=mention.start + offset, end=mention.end + offset)


def _dedupe(mentions: list[Mention]) -> list[Mention]:
    seen: set[str] = set()
    out = []
    for mention in mentions:
        if mention.value not in seen:
            seen.add(mention.value)
            out.append(mention)
    return out


def dedupe(mentions: list[Mention]) -> list[Mention]:
    return _dedupe(mentions)
