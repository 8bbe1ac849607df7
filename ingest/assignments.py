"""Assignments: walk the outline and draft one task per body that is given one.

Layouts read, each anywhere in the text (section titles are evidence, ingest/sections.py):

- a heading per body with bullets below ("1. Công an tỉnh" / "- Chủ trì ..."): one task;
- labelled fields ("Đơn vị chủ trì: …", "Thời gian thực hiện: …"): a task per field block,
  with the text since the previous block;
- running text: a task per sentence that names its own lead (ingest/clauses.py); the
  sentences without one belong to the task before them;
- a list introduced by "X …:" or "đề nghị X:" : each item is X's task unless it names its own;
- tables with a lead column (ingest/table_rows.py).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from ingest.blocks import Para, Table
from ingest.bodies import Mention, Resolver
from ingest.clauses import Roles, sentence_roles
from ingest.fields import Field, read_field
from ingest.layout import Layout
from ingest.outline import Node
from ingest.sections import ends_document, is_issuance, is_summary, section_kind
from ingest.table_rows import name_list, table_tasks
from ingest.tasks import Piece, Task, finish, whole
from ingest.text import ascii_key, sentence_spans

_SUFFIXES = "bcdefghijklmnopqrstuvwxyz"
_SECTIONS = ("heading", "roman", "part", "chapter", "article")
_NUMBERED = ("roman", "part", "chapter", "article", "decimal", "decimal2", "decimal3", "letter",
             "paren")
_COURTESY = re.compile(r"\b(?:cảm ơn|trân trọng kính chào|xin chân thành)\b", re.IGNORECASE)
_REQUEST = re.compile(r"^(?:đề nghị|kính đề nghị)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Scope:
    zone: str | None  # "assignment", "excluded" or None
    weak: bool  # a sentence's subject may lead (not only a strong sign)
    inherited: tuple[Mention, ...] = ()
    prefix: str = ""
    preamble: bool = False


class AssignmentReader:
    def __init__(self, layout: Layout, resolver: Resolver, issued_on: dt.date | None) -> None:
        self.layout = layout
        self.resolver = resolver
        self.issued_on = issued_on
        self.warnings: list[str] = []
        self.has_section = any(section_kind(n.title) == "assignment" for n in _nodes(layout.outline))
        nodes = _nodes(layout.outline)
        self.first_item = next((n.first_line for n in nodes if n.style in _NUMBERED),
                               next((n.first_line for n in nodes if n.style not in _SECTIONS),
                                    10**9))

    def read(self) -> list[Task]:
        scope = Scope(None, weak=not self.has_section)
        tasks = self._node(self.layout.outline, scope)
        tasks.sort(key=lambda t: t.line_start)
        return _unique_refs(tasks)

    # -- nodes -----------------------------------------------------------------------------

    def _node(self, node: Node, scope: Scope) -> list[Task]:
        if node.head is not None:
            kind = section_kind(node.title) if _titled(node) else None
            if kind:
                scope = replace(scope, zone=kind, weak=kind == "assignment" or scope.weak)
            if scope.zone == "excluded":
                return []
            scope = replace(scope, prefix=_ref(scope.prefix, node))
        heading = self._body_heading(node, scope)
        if heading is not None:
            return self._heading_tasks(node, heading, scope)
        if _has_fields(node):
            return self._field_blocks(node, scope)
        return self._running(node, scope)

    def _running(self, node: Node, scope: Scope) -> list[Task]:
        """The node's own text as running text, then its children, tables in place."""
        out: list[Task] = []
        own: list[Para] = [node.head] if node.head is not None else []
        child_scope = scope
        list_style: str | None = None
        for item in node.content:
            if isinstance(item, Para):
                own.append(item)
                continue
            if own:
                intro = own[-1]
                directs = intro is node.head and isinstance(item, Node) and bool(item.number) \
                    and self._directs(intro)
                request = None if directs else self._request_over_facts(intro, item, scope)
                out += self._sentences(own[:-1] if directs or self._intro(intro, scope) else own,
                                       scope)
                if request is not None:
                    out.append(request)
                    child_scope = scope
                else:
                    child_scope = self._child_scope(intro, scope, directs=bool(directs))
                list_style = None
                own = []
            if isinstance(item, Table):
                if scope.zone != "excluded":
                    out += table_tasks(item, _table_prefix(scope.prefix, node), self.resolver,
                                       self.issued_on, self.warnings)
                continue
            if list_style is None:
                list_style = item.style
            if item.style != list_style or item.style in _SECTIONS:
                child_scope = scope  # the introduced list has ended
            out += self._node(item, child_scope)
        if own:
            out += self._sentences(own, scope, item=node)
        return out

    def _intro(self, para: Para, scope: Scope) -> bool:
        return para.text.rstrip().endswith(":") and not read_field(para.text)

    def _request_over_facts(self, para: Para, item: Node | Table, scope: Scope) -> Task | None:
        """"… đề nghị X thông báo, tuyên truyền … như sau:" over a list of facts (programmes,
        dates, documents), not of duties: the request itself is X's one task."""
        if isinstance(item, Table) or item.head is None or not self._intro(para, scope) \
                or _starts_with_verb(item.head.text):
            return None
        start, end = sentence_spans(para.text)[-1] if sentence_spans(para.text) else (0, 0)
        roles = sentence_roles(para.text[start:end], self.resolver, intro=True)
        if roles.how != "object" or not roles.lead or roles.past or roles.conditional \
                or not _REQUEST_VERB.search(para.text[start:end]):
            return None
        task = Task(scope.prefix, roles.lead, [Piece(para, start, end)],
                    cooperating=roles.cooperating, lead_line=para.line_at(start))
        return finish(task, self.resolver, self.issued_on)

    def _directs(self, para: Para) -> bool:
        """A numbered heading that asks bodies to act ("2. Yêu cầu các cấp ủy … bảo đảm tiến độ.")
        and whose sub-items name nobody: the sub-items are those bodies' tasks."""
        if not _REQUEST_HEAD.match(para.text):
            return False
        roles = sentence_roles(_first_sentence(para.text), self.resolver, intro=True)
        return roles.how == "object" and bool(roles.lead) and not roles.past

    def _child_scope(self, para: Para, scope: Scope, *, directs: bool = False) -> Scope:
        """After "X …:" / "đề nghị X:" the items are X's; after "… yêu cầu:" they are tasks."""
        if directs:
            roles = sentence_roles(_first_sentence(para.text), self.resolver, intro=True)
            return replace(scope, weak=True, inherited=tuple(roles.lead))
        if not self._intro(para, scope):
            return scope
        roles = sentence_roles(_last_sentence(para.text), self.resolver, intro=True)
        if roles.requester:
            return replace(scope, weak=True)
        if roles.lead and not roles.past and not roles.conditional:
            return replace(scope, weak=True, inherited=tuple(roles.lead))
        return scope

    # -- running text ------------------------------------------------------------------------

    def _sentences(self, paras: list[Para], scope: Scope, item: Node | None = None) -> list[Task]:
        tasks: list[Task] = []
        pending: list[Piece] = []
        for para in paras:
            if is_summary(para.text) or self._closing_formula(para, item):
                continue
            preamble = para.first < self.first_item
            for start, end in self._spans(para.text):
                piece = Piece(para, start, end)
                roles = sentence_roles(piece.text, self.resolver)
                issuance = is_issuance(piece.text) and not (
                    roles.how == "object" and roles.lead and _REQUEST_VERB.search(piece.text))
                conditional_report = roles.conditional and bool(roles.lead) and bool(
                    _REPORTS_BACK.search(piece.text))
                if (roles.conditional and not conditional_report) or roles.past \
                        or roles.requester or issuance or _COURTESY.search(piece.text):
                    continue
                lead = self._own_lead(roles, scope, preamble)
                if lead is None:
                    (tasks[-1].pieces if tasks else pending).append(piece)
                    continue
                if not lead and tasks:  # co-operating only, after a task: it helps that one
                    tasks[-1].cooperating += roles.cooperating
                    tasks[-1].pieces.append(piece)
                    continue
                again = roles.how == "object" and start == 0 and para is not tasks[-1].pieces[-1].para \
                    if tasks else False  # "Đồng thời, giao X chủ trì …": a new duty of the same X
                if tasks and not again and [m.value for m in tasks[-1].lead] == [m.value for m in lead]:
                    tasks[-1].pieces.append(piece)
                    tasks[-1].cooperating += roles.cooperating
                    continue
                task = Task(scope.prefix, lead, pending + [piece], cooperating=roles.cooperating,
                            lead_line=para.line_at(start))
                if conditional_report:  # "nếu có khó khăn, vướng mắc, X báo cáo về …"
                    task.flags.append("conditional")
                    task.warnings.append(f"mục {scope.prefix or '?'} (dòng {para.line_at(start)}): "
                                         "việc chỉ phát sinh khi có khó khăn, vướng mắc; bỏ đi nếu "
                                         "không cần theo dõi")
                pending = []
                tasks.append(task)
        if not tasks and pending and scope.inherited:
            task = Task(scope.prefix, list(scope.inherited), pending)
            task.flags.append("lead_inherited")
            tasks.append(task)
        elif not tasks and pending and item is not None and item.number and scope.zone == "assignment":
            self.warnings.append(f"dòng {pending[0].first}: mục {scope.prefix} không nêu đơn vị "
                                 "thực hiện nào nhận ra được; thêm tay nếu đây là việc giao")
        return [finish(_suffix(t, i), self.resolver, self.issued_on) for i, t in enumerate(tasks)]

    def _spans(self, text: str) -> list[tuple[int, int]]:
        """Sentences; one that reads "X hỗ trợ … và giao Y tổ chức thực hiện" is two: X's, Y's."""
        out: list[tuple[int, int]] = []
        for start, end in sentence_spans(text):
            m = _AND_ASSIGNS.search(text, start, end)
            if m and sentence_roles(text[start:m.start()], self.resolver).how == "subject":
                out += [(start, m.start()), (m.start() + len(m.group(1)), end)]
                continue
            cut = start  # "Giao X xây dựng …; các cấp ủy, cơ quan chủ động quán triệt …"
            for clause in _THEN_OTHERS.finditer(text, start, end):
                roles = sentence_roles(text[clause.end():end], self.resolver)
                if roles.how == "subject" and (roles.lead or roles.cooperating) \
                        and _ON_THEIR_OWN.match(text, clause.end() + _names_end(roles)):
                    out.append((cut, clause.start()))
                    cut = clause.end()
            out.append((cut, end))
        return out

    def _own_lead(self, roles: Roles, scope: Scope, preamble: bool) -> list[Mention] | None:
        """The lead a sentence names for itself ([] when it only co-operates), else None."""
        if not roles.found:
            return None
        if not roles.strong and not scope.weak:
            return None
        if preamble and roles.how != "object":
            return None
        lead = roles.lead
        if scope.inherited and lead and _anaphoric(lead, scope.inherited):
            return list(scope.inherited)
        return lead if lead else []

    def _closing_formula(self, para: Para, item: Node | None) -> bool:
        """The last paragraph asking everyone to carry the document out: not a new task."""
        if not ends_document(para.text) or item is None or not item.number and not self.has_section \
                and item.style == "root":
            return False
        key = ascii_key(para.text)
        if not re.search(r"\b(?:yeu cau|de nghi)\b", key) or re.search(r"\bbao cao\b", key):
            return False
        from ingest.deadlines import find_deadline

        if find_deadline(para.text, issued_on=self.issued_on) is not None:
            return False
        return para is not (item.head if item else None)

    # -- headings per body -------------------------------------------------------------------

    def _body_heading(self, node: Node, scope: Scope) -> list[Mention] | None:
        """The bodies a heading names when its items are theirs ("1. Công an tỉnh")."""
        head = node.head
        if head is None or node.style in ("roman", "part", "chapter", "root") or not node.content:
            return None
        if node.style == "heading" and head.first < self.first_item:
            return None  # the organ's name above the title
        text = head.text.strip()
        if len(text) > 220 or text.endswith((".", ";")) and not head.bold:
            return None
        body = _REQUEST.sub("", text)
        names, end = self.resolver.scan(body)
        if names:
            rest = body[end:].strip(" ,:")
            if not rest or rest.startswith("(") or head.bold and len(rest) < 160:
                return names
            return None
        if scope.weak and body.lower().startswith(("các ", "những ")) and self._subjectless(node):
            phrase = re.split(r"\s*[(:]", body, maxsplit=1)[0].strip()
            return [Mention(None, phrase, 0, len(phrase), note="không có trong sổ đăng ký đơn vị")]
        return None

    def _subjectless(self, node: Node) -> bool:
        first = next((p for p in node.walk()[1:] if isinstance(p, Para)), None)
        return first is not None and not sentence_roles(first.text, self.resolver).found

    def _heading_tasks(self, node: Node, lead: list[Mention], scope: Scope) -> list[Task]:
        """The heading body's task; a sentence under it that gives another body the lead, or a
        bullet asking for a report, is a task of its own (domain.md, one assignment)."""
        assert node.head is not None
        paras = [p for p in node.walk() if isinstance(p, Para)]
        main = Task(scope.prefix, lead, [whole(node.head)], lead_line=node.head.first)
        own: list[Para] = []
        tasks = [main]
        current = main
        values = {m.value for m in lead}
        items = {id(n.head) for n in node.children if n.head is not None}  # its own bullets
        for para in paras[1:]:
            item = id(para) in items
            if current is not main and item:
                current = main
            if _report_request(para.text) or own and item and _duty_item(para, paras):
                current = Task(scope.prefix, list(lead), [], lead_line=para.first)
                tasks.append(current)
            elif current is main:
                own.append(para)
            closing = self._closing_formula(para, node)
            for start, end in sentence_spans(para.text):
                roles = sentence_roles(para.text[start:end], self.resolver)
                other = [m for m in roles.lead if m.value not in values and _named(m)
                         and not _in_parentheses(para.text[start:end], m.start)]
                if roles.lead and roles.strong and other and not (
                        roles.conditional or roles.past or closing) \
                        and not _anaphoric(roles.lead, tuple(lead)):
                    current = Task(scope.prefix, roles.lead, [], lead_line=para.line_at(start))
                    tasks.append(current)
                current.pieces.append(Piece(para, start, end))
                current.cooperating += roles.cooperating + roles.helpers
        main.description = " ".join(p.text for p in own) or None
        return [finish(_suffix(t, i), self.resolver, self.issued_on)
                for i, t in enumerate(tasks) if t.pieces]

    # -- labelled fields ---------------------------------------------------------------------

    def _field_blocks(self, node: Node, scope: Scope) -> list[Task]:
        items = [p for p in node.walk() if isinstance(p, Para)]
        head = items[0] if node.head is not None else None
        chunk: list[Para] = []
        block: list[tuple[Para, Field]] = []
        out: list[Task] = []
        for para in items:
            found = read_field(para.text)
            if found is not None:
                block.append((para, found))
                continue
            if block:
                out += self._block(chunk, block, scope, head)
                chunk, block = [], []
            chunk.append(para)
        if block:
            out += self._block(chunk, block, scope, head)
        elif chunk:
            out += self._sentences([p for p in chunk if p is not head], scope)
        return [_suffix(t, i) for i, t in enumerate(out)]

    def _block(self, chunk: list[Para], block: list[tuple[Para, Field]], scope: Scope,
               head: Para | None) -> list[Task]:
        fields = {f.role: (p, f) for p, f in reversed(block)}
        text = [p for p in chunk if p is not head] or ([head] if head else [])
        timing = fields.get("deadline")
        timing_value = (timing[1].value, timing[0].first) if timing else None
        cooperating = [m for p, f in block if f.role == "cooperating"
                       for m in name_list(f.value, self.resolver)]
        if "lead" not in fields:
            tasks = self._sentences(text, replace(scope, weak=True))
            for task in tasks:
                task.cooperating += cooperating
                if timing_value and (task.deadline is None or task.deadline.rule is None):
                    task.deadline = None
                    finish(task, self.resolver, self.issued_on, timing_value)
            return tasks
        lead_para, lead_field = fields["lead"]
        lead, extra = self._field_leads(lead_field.value)
        pieces = [whole(p) for p in text] + [whole(p) for p, _ in block]
        task = Task(scope.prefix, lead, pieces, cooperating=cooperating + extra,
                    lead_line=lead_para.first)
        description = fields.get("task")
        task.description = description[1].value if description else " ".join(
            p.text for p in text) or None
        for role in ("cooperating",):
            if role in fields:
                task.lines[role] = (fields[role][0].first, fields[role][0].last)
        return [finish(task, self.resolver, self.issued_on, timing_value)]

    def _field_leads(self, value: str) -> tuple[list[Mention], list[Mention]]:
        """(lead, co-operating) of a lead field: the clause that says "chủ trì" leads."""
        clauses = [c for c in re.split(r";", value) if c.strip()]
        marked: list[Mention] = []
        others: list[Mention] = []
        for clause in clauses:
            roles = sentence_roles(clause, self.resolver)
            if roles.lead and re.search(r"\bchủ trì\b", clause, re.IGNORECASE):
                marked += roles.lead
            else:
                others += roles.lead + roles.cooperating if roles.found else name_list(
                    clause, self.resolver)
        if marked:
            return marked, others
        return name_list(value, self.resolver), []


_REPORT_REQUEST = re.compile(
    r"^[-+•–]?\s*(?:định kỳ[^.;:]{0,60}?|hằng năm[^.;:]{0,40}?|hàng năm[^.;:]{0,40}?|tổng hợp,?\s+)?"
    r"báo cáo\s+(?:kết quả|tình hình|định kỳ|sơ kết|tổng kết|kịp thời|về)",
    re.IGNORECASE)


_LEADS_AGAIN = re.compile(r"^[-+•–]?\s*chủ trì\b", re.IGNORECASE)  # a bullet: "- Chủ trì, phối hợp …"


def _duty_item(para: Para, paras: list[Para]) -> bool:
    """A bullet under a body's heading that states a duty of its own: it starts with a verb and
    is not the content of the bullet before ("tuyên truyền các nội dung sau: + …")."""
    index = next(i for i, p in enumerate(paras) if p is para)
    before = paras[index - 1].text.rstrip() if index else ""
    return _starts_with_verb(para.text) and not before.endswith(":") or bool(
        _LEADS_AGAIN.match(para.text))


def _report_request(text: str) -> bool:
    """A bullet or sentence that asks for a report ("- Báo cáo kết quả … về …")."""
    return bool(_REPORT_REQUEST.match(text.strip()))


def _named(mention: Mention) -> bool:
    """A body's name as written starts with a capital or 'các'/'những' ("vụ" is a word's end)."""
    text = mention.text.strip()
    return text[:1].isupper() or text.lower().startswith(("các ", "những "))


def _in_parentheses(text: str, offset: int) -> bool:
    before = text[:offset]
    return before.count("(") > before.count(")")


def _titled(node: Node) -> bool:
    """A heading (not a sentence) whose title says what the section is for."""
    head = node.head
    if head is None or node.style in ("dash", "plus", "star"):
        return False
    return head.bold or head.upper or len(head.text) < 90 and not head.text.endswith(".")


def _has_fields(node: Node) -> bool:
    """Does the node itself (its text and bullets, not its numbered items) hold lead fields?"""
    if node.head is None:
        return False
    return any((f := read_field(p.text)) is not None and f.role in ("lead", "cooperating")
               for p in _own_paras(node))


def _own_paras(node: Node) -> list[Para]:
    out: list[Para] = [node.head] if node.head is not None else []
    for item in node.content:
        if isinstance(item, Para):
            out.append(item)
        elif isinstance(item, Node) and (not item.number or item.style == "letter"):
            out += _own_paras(item)  # bullets, and "a) Nhiệm vụ / b) Cơ quan / c) Thời gian"
    return out


def _anaphoric(lead: list[Mention], inherited: tuple[Mention, ...]) -> bool:
    """'Các văn phòng' after 'Văn phòng Trung ương Đảng và các văn phòng tỉnh ủy': the same."""
    if len(lead) != 1 or lead[0].ref:
        return False
    words = ascii_key(lead[0].text).split()
    if words and words[0] in ("cac", "nhung"):
        words = words[1:]
    if not 1 <= len(words) <= 3:
        return False
    return any(" ".join(words) in ascii_key(m.text) for m in inherited)


_REQUEST_HEAD = re.compile(r"^(?:\d{1,2}(?:\.\d{1,2})*\s*[.)]\s*)?(?:yêu cầu|đề nghị|giao)\s+(?:các|những)\s",
                           re.IGNORECASE)


_AND_ASSIGNS = re.compile(r"(,?\s+và\s+)giao\s+(?:cho\s+)?", re.IGNORECASE)
_THEN_OTHERS = re.compile(r";\s+(?=(?:các|những)\s)")
_ON_THEIR_OWN = re.compile(r"\s*(?:chủ động|có trách nhiệm|khẩn trương|tập trung)\b", re.IGNORECASE)


def _names_end(roles: Roles) -> int:
    return max(m.end for m in roles.lead + roles.cooperating)


_REPORTS_BACK = re.compile(r"\b(?:báo cáo|phản ánh)\b", re.IGNORECASE)
_REQUEST_VERB = re.compile(r"\b(?:đề nghị|yêu cầu)\b", re.IGNORECASE)
_MARKER = re.compile(r"^(?:[-+•–]\s*|\(?\d{1,2}(?:\.\d{1,2})*\s*[.)]\s*|[a-zđ]\)\s*)")


def _starts_with_verb(text: str) -> bool:
    """Does a list item start with a verb ("Tổ chức …", "Tuyên truyền …"): a duty, not a fact?"""
    from ingest.lexicon import VERBS

    words = tuple(re.findall(r"\w+", _MARKER.sub("", text.strip()).lower())[:3])
    return any(words[:len(verb)] == verb for verb in VERBS)


def _first_sentence(text: str) -> str:
    spans = sentence_spans(text)
    return text[spans[0][0]:spans[0][1]] if spans else text


def _last_sentence(text: str) -> str:
    spans = sentence_spans(text)
    return text[spans[-1][0]:spans[-1][1]] if spans else text


def _nodes(node: Node) -> list[Node]:
    out = []
    for child in node.children:
        out.append(child)
        out.extend(_nodes(child))
    return out


def _ref(prefix: str, node: Node) -> str:
    number = node.number
    if not number:
        return prefix
    parent = number.rsplit(".", 1)[0] if "." in number else ""
    if parent and (prefix == parent or prefix.endswith("." + parent)):
        return prefix[:len(prefix) - len(parent)] + number  # "2" + "2.1" is "2.1", not "2.2.1"
    return f"{prefix}.{number}" if prefix else number


def _table_prefix(prefix: str, node: Node) -> str:
    if ascii_key(node.title).startswith(("phu luc", "danh muc")) or not prefix:
        return prefix or "PL"
    return prefix


def _suffix(task: Task, index: int) -> Task:
    if index:
        task.ref = f"{task.ref}{_SUFFIXES[min(index - 1, len(_SUFFIXES) - 1)]}"
    return task


def _unique_refs(tasks: list[Task]) -> list[Task]:
    seen: dict[str, int] = {}
    count = 0
    for task in tasks:
        if not task.ref or task.ref[0] in _SUFFIXES and len(task.ref) == 1:
            count += 1
            task.ref = str(count)
        ref = task.ref
        task.ref = ref
        if ref in seen:
            seen[ref] += 1
            task.ref = f"{ref}-{seen[ref]}"
        else:
            seen[ref] = 1
    return tasks


__all__ = ["AssignmentReader", "Task"]
