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

from ingest import duties, field_blocks, refs
from ingest.blocks import Para, Table
from ingest.bodies import Mention, Resolver
from ingest.clauses import Roles, sentence_roles
from ingest.field_blocks import FieldBlocks
from ingest.fields import read_field
from ingest.layout import Layout
from ingest.outline import Node
from ingest.sections import ends_document, is_issuance, is_summary, section_kind
from ingest.table_rows import table_tasks
from ingest.tasks import Piece, Task, finish, whole
from ingest.text import ascii_key, sentence_spans

_SECTIONS = ("heading", "roman", "part", "chapter", "article")
_NUMBERED = ("roman", "part", "chapter", "article", "decimal", "decimal2", "decimal3", "letter",
             "paren")
_COURTESY = re.compile(r"\b(?:cảm ơn|trân trọng kính chào|xin chân thành)\b|"
                       r"\bthông báo\b[^.]{0,120}\bđể\b[^.]{0,120}\bbiết\b",  # "… thông báo để … biết"
                       re.IGNORECASE)
_REQUEST = re.compile(r"^(?:đề nghị|kính đề nghị|giao|yêu cầu)\s+", re.IGNORECASE)
_ASSIGNED = re.compile(r"^(?:giao|yêu cầu)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Scope:
    zone: str | None  # "assignment", "excluded" or None
    weak: bool  # a sentence's subject may lead (not only a strong sign)
    inherited: tuple[Mention, ...] = ()
    prefix: str = ""
    preamble: bool = False


class AssignmentReader(FieldBlocks):
    def __init__(self, layout: Layout, resolver: Resolver, issued_on: dt.date | None) -> None:
        self.layout = layout
        self.resolver = resolver
        self.issued_on = issued_on
        self.warnings: list[str] = []
        self.has_section = any(section_kind(n.title) == "assignment" for n in refs.nodes(layout.outline))
        nodes = refs.nodes(layout.outline)
        self.first_item = next((n.first_line for n in nodes if n.style in _NUMBERED),
                               next((n.first_line for n in nodes if n.style not in _SECTIONS),
                                    10**9))

    def read(self) -> list[Task]:
        scope = Scope(None, weak=not self.has_section)
        tasks = self._node(self.layout.outline, scope)
        tasks.sort(key=lambda t: t.line_start)
        return refs.unique_refs(tasks)

    # -- nodes -----------------------------------------------------------------------------

    def _node(self, node: Node, scope: Scope) -> list[Task]:
        if node.head is not None:
            kind = section_kind(node.title) if _titled(node) else None
            if kind:
                scope = replace(scope, zone=kind, weak=kind == "assignment" or scope.weak)
            if scope.zone == "excluded":
                return []
            scope = replace(scope, prefix=refs.ref(scope.prefix, node))
        heading = self._body_heading(node, scope)
        if heading is not None:
            return self._heading_tasks(node, heading, scope)
        if field_blocks.has_fields(node):
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
                    out += table_tasks(item, refs.table_prefix(scope.prefix, node), self.resolver,
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
                or duties.starts_with_verb(item.head.text):
            return None
        start, end = sentence_spans(para.text)[-1] if sentence_spans(para.text) else (0, 0)
        roles = sentence_roles(para.text[start:end], self.resolver, intro=True)
        if roles.how != "object" or not roles.lead or roles.past or roles.conditional \
                or not duties.REQUEST_VERB.search(para.text[start:end]):
            return None
        task = Task(scope.prefix, roles.lead, [Piece(para, start, end)],
                    cooperating=roles.cooperating, lead_line=para.line_at(start))
        return finish(task, self.resolver, self.issued_on)

    def _directs(self, para: Para) -> bool:
        """A numbered heading that asks bodies to act ("2. Yêu cầu các cấp ủy … bảo đảm tiến độ.")
        and whose sub-items name nobody: the sub-items are those bodies' tasks."""
        if not duties.REQUEST_HEAD.match(para.text):
            return False
        roles = sentence_roles(duties.first_sentence(para.text), self.resolver, intro=True)
        return roles.how == "object" and bool(roles.lead) and not roles.past

    def _child_scope(self, para: Para, scope: Scope, *, directs: bool = False) -> Scope:
        """After "X …:" / "đề nghị X:" the items are X's; after "… yêu cầu:" they are tasks."""
        if directs:
            roles = sentence_roles(duties.first_sentence(para.text), self.resolver, intro=True)
            return replace(scope, weak=True, inherited=tuple(roles.lead))
        if not self._intro(para, scope):
            return scope
        roles = sentence_roles(duties.last_sentence(para.text), self.resolver, intro=True)
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
                    roles.how == "object" and roles.lead and duties.REQUEST_VERB.search(piece.text))
                conditional_report = roles.conditional and bool(roles.lead) and bool(
                    duties.REPORTS_BACK.search(piece.text))
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
        return [finish(refs.suffix(t, i), self.resolver, self.issued_on) for i, t in enumerate(tasks)]

    def _spans(self, text: str) -> list[tuple[int, int]]:
        """Sentences; one that reads "X hỗ trợ … và giao Y tổ chức thực hiện" is two: X's, Y's."""
        out: list[tuple[int, int]] = []
        for start, end in sentence_spans(text):
            m = duties.AND_ASSIGNS.search(text, start, end)
            if m and sentence_roles(text[start:m.start()], self.resolver).how == "subject":
                out += [(start, m.start()), (m.start() + len(m.group(1)), end)]
                continue
            cut = start  # "Giao X xây dựng …; các cấp ủy, cơ quan chủ động quán triệt …"
            for clause in duties.THEN_OTHERS.finditer(text, start, end):
                roles = sentence_roles(text[clause.end():end], self.resolver)
                if roles.how == "subject" and (roles.lead or roles.cooperating) \
                        and duties.ON_THEIR_OWN.match(text, clause.end() + duties.names_end(roles)):
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
        if scope.inherited and lead and duties.anaphoric(lead, scope.inherited):
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
        assigned = _ASSIGNED.match(text) is not None  # "2. Giao Sở Nội vụ": the heading only
        names, end = self.resolver.scan(body)
        if names:
            rest = body[end:].strip(" ,:")
            if not rest or rest.startswith("(") or head.bold and len(rest) < 160 and not assigned:
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
            if duties.report_request(para.text) or own and item and duties.duty_item(para, paras):
                current = Task(scope.prefix, list(lead), [], lead_line=para.first)
                tasks.append(current)
            elif current is main:
                own.append(para)
            closing = self._closing_formula(para, node)
            for start, end in sentence_spans(para.text):
                roles = sentence_roles(para.text[start:end], self.resolver)
                other = [m for m in roles.lead if m.value not in values and duties.named(m)
                         and not duties.in_parentheses(para.text[start:end], m.start)]
                if roles.lead and roles.strong and other and not (
                        roles.conditional or roles.past or closing) \
                        and not duties.anaphoric(roles.lead, tuple(lead)):
                    current = Task(scope.prefix, roles.lead, [], lead_line=para.line_at(start))
                    tasks.append(current)
                current.pieces.append(Piece(para, start, end))
                current.cooperating += roles.cooperating + roles.helpers
        main.description = " ".join(p.text for p in own) or None
        return [finish(refs.suffix(t, i), self.resolver, self.issued_on)
                for i, t in enumerate(tasks) if t.pieces]


def _titled(node: Node) -> bool:
    """A heading (not a sentence) whose title says what the section is for."""
    head = node.head
    if head is None or node.style in ("dash", "plus", "star"):
        return False
    return head.bold or head.upper or len(head.text) < 90 and not head.text.endswith(".")


__all__ = ["AssignmentReader", "Task"]
