"""One drafted assignment (`Task`) and how it is put together from pieces of text.

A task is made of text pieces (a paragraph, or part of one), each with its lines; its lead,
co-operating bodies, report-to body, deadline and warnings are attached to those pieces, so
the YAML comment of every field can name the lines it came from.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ingest.blocks import Para
from ingest.bodies import Mention, Resolver
from ingest.clauses import dedupe, report_to
from ingest.deadlines import Deadline, find_deadline

_LEADING = re.compile(r"^(?:[-+•–]\s*|[a-zđ]\)\s*|\((?:\d+|[ivx]{1,5})\)\s*|(?:giao|đề nghị|yêu cầu)\s+)+",
                      re.IGNORECASE)


@dataclass
class Piece:
    para: Para
    start: int
    end: int

    @property
    def text(self) -> str:
        return self.para.text[self.start:self.end].strip()

    @property
    def first(self) -> int:
        return self.para.line_at(self.start)

    @property
    def last(self) -> int:
        return self.para.line_at(max(self.start, self.end - 1))


def whole(para: Para) -> Piece:
    return Piece(para, 0, len(para.text))


@dataclass
class Task:
    ref: str
    lead: list[Mention]
    pieces: list[Piece]
    cooperating: list[Mention] = field(default_factory=list)
    report_to: str | None = None
    deadline: Deadline | None = None
    description: str | None = None  # a "Nội dung:" field or a table's task cell
    lines: dict[str, tuple[int, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)
    lead_line: int | None = None

    @property
    def line_start(self) -> int:
        return min(p.first for p in self.pieces)

    @property
    def line_end(self) -> int:
        return max(p.last for p in self.pieces)

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.pieces if p.text)

    @property
    def task(self) -> str:
        text = self.description or self.text
        return re.sub(r"\s+", " ", _LEADING.sub("", text.strip())).strip()


def finish(task: Task, resolver: Resolver, issued_on: dt.date | None,
           timing: tuple[str, int] | None = None) -> Task:
    """Attach what is still missing: deadline, report-to, co-operating, lines, warnings."""
    task.lead = dedupe(task.lead)
    task.cooperating = [c for c in dedupe(task.cooperating)
                        if c.value not in {x.value for x in task.lead}]
    if task.deadline is None:
        task.deadline = _deadline(task, issued_on, timing)
    if task.report_to is None:
        for piece in task.pieces:
            task.report_to = report_to(piece.text, resolver)
            if task.report_to:
                break
    if task.lead_line is not None:
        task.lines.setdefault("lead", (task.lead_line, task.lead_line))
    task.lines.setdefault("lead", (task.line_start, task.line_start))
    _warn(task, resolver)
    return task


def _deadline(task: Task, issued_on: dt.date | None, timing: tuple[str, int] | None
              ) -> Deadline | None:
    if timing is not None:
        value, line = timing
        task.lines["deadline"] = (line, line)
        found = find_deadline(value, issued_on=issued_on, timing=True)
        if found is not None:
            return found
        return Deadline(None, value.strip(" ."), 0, len(value),
                        f"không hiểu thời hạn «{value.strip(' .')}»")
    best: tuple[int, Deadline, int] | None = None
    for piece in task.pieces:
        found = find_deadline(piece.text, issued_on=issued_on)
        if found is None:
            continue
        rank = _precision(found)
        if best is None or rank < best[0]:
            offset = piece.para.text.find(piece.text)
            best = (rank, found, piece.para.line_at(max(0, offset) + found.start))
    if best is None:
        return None
    task.lines["deadline"] = (best[2], best[2])
    return best[1]


def _precision(deadline: Deadline) -> int:
    """Lower is more precise: a date beats a month, a yearly day, a period, 'thường xuyên'."""
    rule = deadline.rule or ""
    if rule.startswith("relative") or re.fullmatch(r"\d{4}-\d{2}-\d{2}", rule):
        return 0
    if rule.startswith("annual:"):
        return 1
    if re.fullmatch(r"\d{4}-(?:\d{2}|Q\d|H\d)", rule):
        return 2
    if re.fullmatch(r"\d{4}", rule):
        return 3
    if rule in ("semiannual", "quarterly", "monthly") or rule.startswith("weekly"):
        return 4
    if rule == "annual":
        return 5
    if rule == "continuous":
        return 6
    return 7


def _warn(task: Task, resolver: Resolver) -> None:
    ref, first = task.ref, task.line_start
    for mention in task.lead + task.cooperating:
        if mention.ref is None and not mention.external:
            task.warnings.append(f"mục {ref} (dòng {first}): «{mention.text}» "
                                 f"{mention.note or 'chưa rõ'}")
        elif mention.ref and mention.ref in resolver.registry.groups \
                and resolver.registry.groups[mention.ref].placeholder:
            task.warnings.append(f"mục {ref} (dòng {first}): «{mention.text}» chưa xác định là "
                                 "những đơn vị nào: thay bằng các đơn vị cụ thể hoặc bỏ đi")
    if task.deadline is not None and task.deadline.warning:
        task.warnings.append(f"mục {ref} (dòng {first}): {task.deadline.warning}")
        if task.deadline.rule is None:
            task.flags.append("deadline_text_only")
