"""Labelled fields of an activity ("Đơn vị chủ trì: …", "Thời gian thực hiện: …"): a task per
field block, with the text since the previous block (ingest/fields.py reads one field)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from ingest import refs
from ingest.blocks import Para
from ingest.bodies import Mention, Resolver
from ingest.clauses import sentence_roles
from ingest.fields import Field, read_field
from ingest.outline import Node
from ingest.table_rows import name_list
from ingest.tasks import Task, finish, whole

if TYPE_CHECKING:
    from ingest.assignments import Scope


class FieldBlocks:
    """The field-block reading of the assignment reader (a mixin: it uses its `_sentences`)."""

    resolver: Resolver
    issued_on: dt.date | None

    def _sentences(self, paras: list[Para], scope: Scope, item: Node | None = None) -> list[Task]:
        raise NotImplementedError

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
        return [refs.suffix(t, i) for i, t in enumerate(out)]

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


def has_fields(node: Node) -> bool:
    """Does the node itself (its text and bullets, not its numbered items) hold lead fields?"""
    if node.head is None:
        return False
    return any((f := read_field(p.text)) is not None and f.role in ("lead", "cooperating")
               for p in own_paras(node))


def own_paras(node: Node) -> list[Para]:
    out: list[Para] = [node.head] if node.head is not None else []
    for item in node.content:
        if isinstance(item, Para):
            out.append(item)
        elif isinstance(item, Node) and (not item.number or item.style == "letter"):
            out += own_paras(item)  # bullets, and "a) Nhiệm vụ / b) Cơ quan / c) Thời gian"
    return out
