"""Assignments: who leads, who co-operates, whom to report to, what, and by when.

Found in the sections "TỔ CHỨC THỰC HIỆN" / "TIẾN ĐỘ THỰC HIỆN" (numbered items, bullets or a
table), and in activities elsewhere that carry their own "Thời gian: ..." line. An item is cut
in two where a later sentence names a new body as its subject ("... Học viện Chính trị quốc
gia Hồ Chí Minh chủ trì, ...").
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from ingest.bodies import Mention, Resolver
from ingest.deadlines import Deadline, find_deadline
from ingest.layout import Layout, is_upper_text, item_number
from ingest.text import Passage, ascii_key, join_lines, sentence_spans

_SECTION_TITLES = ("to chuc thuc hien", "tien do thuc hien", "phan cong thuc hien",
                   "phan cong nhiem vu", "trach nhiem thuc hien", "to chuc trien khai")
_SECTION_END = re.compile(r"^(?:[-+•]\s*)?(?:noi nhan|phu luc\b|t/m\b|tm\.|kt\.|q\.\s)")
_LABEL = re.compile(
    r"^[-+•]?\s*(?P<label>(?:đơn vị|cơ quan|bộ phận)?\s*(?:chủ trì|phối hợp|thực hiện)|"
    r"trách nhiệm(?: thực hiện)?|thời gian(?: thực hiện| hoàn thành)?|thời hạn(?: hoàn thành)?|"
    r"tiến độ(?: thực hiện)?)\s*:\s*(?P<value>.*)$", re.IGNORECASE)
_LEADING = re.compile(r"^(?:[-+•]\s*|[a-zđ]\)\s*|(?:giao|đề nghị|yêu cầu)\s+)+", re.IGNORECASE)
_COOPERATE_WITH = re.compile(r"phối hợp(?:\s+chặt chẽ)?\s+(?:với|cùng)\s+", re.IGNORECASE)
_COOPERATE_ONLY = re.compile(r"\bphối hợp\b(?!(?:\s+chặt chẽ)?\s+(?:với|cùng)\b)", re.IGNORECASE)
_LEADS = re.compile(r"\bchủ trì\b", re.IGNORECASE)
_REPORT = re.compile(r"\bbáo cáo\b", re.IGNORECASE)


@dataclass
class Assignment:
    ref: str
    lead: list[Mention]
    cooperating: list[Mention]
    report_to: str | None
    task: str
    deadline: Deadline | None
    line_start: int
    line_end: int
    lines: dict[str, tuple[int, int]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Section:
    ref: str  # roman numeral, or "" when the section has none
    title: str
    first: int  # first line of the body
    last: int


def find_sections(layout: Layout) -> list[Section]:
    """The assignment sections, each up to the next heading or the recipients list."""
    starts: list[tuple[int, str, str]] = [
        (h.line, h.number, h.title) for h in layout.headings if _is_assignment_title(h.title)]
    heading_lines = {h.line for h in layout.headings}
    for n in layout.main_lines():
        text = layout.text(n)
        if n not in heading_lines and is_upper_text(text) and len(text) < 60 \
                and _is_assignment_title(text.strip(" :")):
            starts.append((n, "", text))
    sections = []
    lines_of_starts = sorted(start[0] for start in starts)
    for line, number, title in sorted(starts):
        nexts = [h.line for h in layout.headings if h.line > line] + [layout.main_end + 1]
        nexts += [other for other in lines_of_starts if other > line]
        last = min(nexts) - 1
        for n in range(line + 1, last + 1):
            if _SECTION_END.match(ascii_key(layout.text(n)).strip()):
                last = n - 1
                break
        sections.append(Section(number, title, line + 1, last))
    return sections


def _is_assignment_title(title: str) -> bool:
    key = ascii_key(title).strip(" .:")
    return key.startswith(_SECTION_TITLES)


class AssignmentReader:
    def __init__(self, layout: Layout, resolver: Resolver, issued_on: dt.date | None) -> None:
        self.layout = layout
        self.resolver = resolver
        self.issued_on = issued_on
        self.warnings: list[str] = []

    def read(self) -> list[Assignment]:
        sections = find_sections(self.layout)
        covered: set[int] = set()
        out: list[Assignment] = []
        for section in sections:
            lines = [n for n in range(section.first, section.last + 1)
                     if not self.layout.is_noise(n)]
            covered.update(lines)
            out.extend(self._tables(section.ref, lines))
            out.extend(self._items(section.ref, lines, activities_only=False))
        out.extend(self._activities(covered))
        out.sort(key=lambda a: a.line_start)
        return _unique_refs(out)

    # -- sections ------------------------------------------------------------------------

    def _items(self, prefix: str, lines: list[int], *, activities_only: bool) -> list[Assignment]:
        blocks = _item_blocks(self.layout, [n for n in lines
                                            if not self.layout.text(n).startswith("|")])
        out = []
        for number, block in blocks:
            ref = f"{prefix}.{number}" if prefix else number
            out.extend(self._item(ref, block, activities_only=activities_only))
        return out

    def _activities(self, covered: set[int]) -> list[Assignment]:
        """Numbered activities outside the assignment sections that have a 'Thời gian:' line."""
        out: list[Assignment] = []
        bounds = [h.line for h in self.layout.headings] + [self.layout.main_end + 1]
        spans: list[tuple[str, list[int]]] = []
        first_heading = bounds[0]
        spans.append(("", list(range(1, first_heading))))
        for heading, end in zip(self.layout.headings, bounds[1:], strict=False):
            spans.append((heading.number, list(range(heading.line + 1, end))))
        for prefix, lines in spans:
            lines = [n for n in lines if n not in covered and not self.layout.is_noise(n)]
            if any(_timing_label(self.layout.text(n)) for n in lines):
                out.extend(self._items(prefix, lines, activities_only=True))
            out.extend(self._tables(prefix, lines))
        return out

    # -- one item --------------------------------------------------------------------------

    def _item(self, ref: str, block: list[tuple[int, str]], *, activities_only: bool
              ) -> list[Assignment]:
        labels = [(n, m) for n, text in block if (m := _LABEL.match(text))]
        body = [(n, text) for n, text in block if not _LABEL.match(text)]
        timing = next(((n, m.group("value")) for n, m in labels
                       if _timing_label_name(m.group("label"))), None)
        if activities_only and timing is None:
            return []
        if labels and any(not _timing_label_name(m.group("label")) for _, m in labels):
            return [self._labelled(ref, block, body, labels, timing)]
        passage = join_lines(body, sep="\n")
        if not passage.text.strip():
            return []
        out = self._sentences(ref, passage, timing, activities_only=activities_only)
        if not out and not activities_only:
            first = block[0][0]
            self.warnings.append(f"dòng {first}: mục {ref} không nêu đơn vị thực hiện nào nhận "
                                 "ra được; thêm tay nếu đây là việc giao")
        return out

    def _labelled(self, ref: str, block: list[tuple[int, str]], body: list[tuple[int, str]],
                  labels: list[tuple[int, re.Match[str]]], timing: tuple[int, str] | None
                  ) -> Assignment:
        lead: list[Mention] = []
        cooperating: list[Mention] = []
        lines: dict[str, tuple[int, int]] = {}
        report_to = None
        for n, m in labels:
            label, value = ascii_key(m.group("label")), m.group("value")
            if "phoi hop" in label:
                cooperating += self.resolver.scan(value, sentence_start=False)[0]
                lines["cooperating"] = (n, n)
            elif not _timing_label_name(m.group("label")):
                found_lead, found_coop, found_report = self._roles(value, sentence_start=False)
                lead += found_lead
                cooperating += found_coop
                report_to = report_to or found_report
                lines["lead"] = (n, n)
        deadline = self._deadline(timing, join_lines(body).text, lines, block)
        task = " ".join(text for _, text in body).strip() or " ".join(t for _, t in block)
        return self._assignment(ref, lead, cooperating, report_to, task, deadline,
                                block[0][0], block[-1][0], lines)

    def _sentences(self, ref: str, passage: Passage, timing: tuple[int, str] | None, *,
                   activities_only: bool) -> list[Assignment]:
        segments = self._segments(passage.text)
        out: list[Assignment] = []
        for index, (start, end) in enumerate(segments):
            text = passage.text[start:end]
            lead, cooperating, report_to = self._roles(text, sentence_start=True)
            if not lead and not cooperating:
                continue
            lines = {"lead": (passage.line_at(start), passage.line_at(start))}
            line_start, line_end = passage.line_at(start), passage.line_at(end - 1)
            block_lines = [(passage.line_at(start), text)]
            deadline = self._deadline(timing, text, lines, block_lines,
                                      base=passage.line_at(start), passage=passage,
                                      offset=start)
            suffix = "" if index == 0 or not out else "bcdefghijk"[min(len(out) - 1, 9)]
            task = re.sub(r"\s+", " ", _LEADING.sub("", text.strip())).strip()
            out.append(self._assignment(f"{ref}{suffix}", lead, cooperating, report_to, task,
                                        deadline, line_start, max(line_end, line_start), lines))
        return out

    def _segments(self, text: str) -> list[tuple[int, int]]:
        """Sentence groups: a new one starts where a sentence's subject is a known body."""
        units: list[tuple[int, int]] = []
        offset = 0
        for paragraph in text.split("\n"):
            for start, end in sentence_spans(paragraph):
                units.append((offset + start, offset + end))
            offset += len(paragraph) + 1
        segments: list[tuple[int, int]] = []
        for start, end in units:
            if segments and not self._names_subject(text[start:end]):
                segments[-1] = (segments[-1][0], end)
            else:
                segments.append((start, end))
        return segments

    def _names_subject(self, sentence: str) -> bool:
        stripped = _LEADING.sub("", sentence.lstrip())
        mentions, end = self.resolver.scan(stripped, names_only=True)
        if not mentions or not any(m.ref for m in mentions):
            return False
        if stripped[:mentions[0].start].strip().lower() not in ("", "các", "những", "toàn thể"):
            return False
        rest = stripped[end:].lstrip(" ,:")
        return bool(rest) and not rest[0].isupper()

    def _roles(self, text: str, *, sentence_start: bool
               ) -> tuple[list[Mention], list[Mention], str | None]:
        """(lead, co-operating, report-to) of one sentence group."""
        stripped = _LEADING.sub("", text.lstrip())
        shift = len(text) - len(text.lstrip()) + (len(text.lstrip()) - len(stripped))
        subject, end = self.resolver.scan(stripped, sentence_start=sentence_start)
        adverbial = re.match(r"^[^,;:]{1,40},\s*", stripped)
        if not subject and adverbial:  # "Hằng năm, Ủy ban Kiểm tra ... kiểm tra ..."
            subject, end = self.resolver.scan(stripped[adverbial.end():], sentence_start=False,
                                              names_only=True)
            subject = [_shift(x, adverbial.end()) for x in subject]
            end += adverbial.end()
        after = stripped[end:]
        m = re.match(r"^\s*,?\s*giao\s+(?:cho\s+)?", after, re.IGNORECASE)
        if subject and m:
            assigned, end2 = self.resolver.scan(after[m.end():], sentence_start=False)
            if assigned:
                offset = end + m.end()
                subject = [_shift(x, offset) for x in assigned]
                end = offset + end2
                after = stripped[end:]
        subject = [_shift(x, shift) for x in subject]
        if not subject:
            return [], [], None
        cooperating = self._cooperating(text, shift + end)
        lead = subject
        first_clause = re.split(r"[;.]", after, maxsplit=1)[0]
        if not _LEADS.search(text) and _COOPERATE_ONLY.search(first_clause):
            cooperating = subject + [c for c in cooperating if c.value not in
                                     {s.value for s in subject}]
            lead = []
        cooperating = [c for c in cooperating if c.value not in {x.value for x in lead}]
        return lead, _dedupe(cooperating), self._report_to(text)

    def _cooperating(self, text: str, start: int) -> list[Mention]:
        out: list[Mention] = []
        for m in _COOPERATE_WITH.finditer(text, start):
            found, _ = self.resolver.scan(text[m.end():], sentence_start=False)
            out += [_shift(x, m.end()) for x in found]
        return out

    def _report_to(self, text: str) -> str | None:
        for m in _REPORT.finditer(text):
            clause = re.split(r"[;.]\s", text[m.end():], maxsplit=1)[0]
            via = re.search(r"\(\s*qua\s+([^)]+)\)", clause, re.IGNORECASE)
            candidates = [via.group(1)] if via else []
            candidates += [clause[v.end():] for v in re.finditer(r"\bvề\s+", clause)]
            candidates.append(clause)
            for candidate in candidates:
                found, _ = self.resolver.scan(candidate.lstrip(" ,"), names_only=True)
                bodies = [x.ref for x in found if x.ref and x.ref in self.resolver.registry.bodies]
                if bodies:
                    return bodies[0]
        return None

    def _deadline(self, timing: tuple[int, str] | None, text: str,
                  lines: dict[str, tuple[int, int]], block: list[tuple[int, str]], *,
                  base: int | None = None, passage: Passage | None = None, offset: int = 0
                  ) -> Deadline | None:
        if timing is not None:
            found = find_deadline(timing[1], issued_on=self.issued_on, timing=True)
            if found is not None:
                lines["deadline"] = (timing[0], timing[0])
                return found
            lines["deadline"] = (timing[0], timing[0])
            return Deadline(None, timing[1].strip(), 0, len(timing[1]),
                            f"không hiểu thời hạn «{timing[1].strip()}»")
        found = find_deadline(text, issued_on=self.issued_on)
        if found is not None:
            line = passage.line_at(offset + found.start) if passage else block[0][0]
            lines["deadline"] = (line, line)
        return found

    def _assignment(self, ref: str, lead: list[Mention], cooperating: list[Mention],
                    report_to: str | None, task: str, deadline: Deadline | None, first: int,
                    last: int, lines: dict[str, tuple[int, int]]) -> Assignment:
        assignment = Assignment(ref, _dedupe(lead), _dedupe(cooperating), report_to, task,
                                deadline, first, last, lines)
        for mention in assignment.lead + assignment.cooperating:
            if mention.ref is None:
                assignment.warnings.append(
                    f"mục {ref} (dòng {first}): «{mention.text}» {mention.note or 'chưa rõ'}")
            elif self.resolver.registry.groups.get(mention.ref) and \
                    self.resolver.registry.groups[mention.ref].placeholder:
                assignment.warnings.append(
                    f"mục {ref} (dòng {first}): «{mention.text}» chưa xác định là những đơn vị "
                    "nào: thay bằng các đơn vị cụ thể hoặc bỏ đi")
        if deadline is not None and deadline.warning:
            assignment.warnings.append(f"mục {ref} (dòng {first}): {deadline.warning}")
        return assignment

    # -- tables ----------------------------------------------------------------------------

    def _tables(self, prefix: str, lines: list[int]) -> list[Assignment]:
        out: list[Assignment] = []
        table: list[int] = []
        for n in lines + [0]:
            if n and self.layout.text(n).startswith("|"):
                table.append(n)
                continue
            if table:
                out.extend(self._table(prefix, table))
                table = []
        return out

    def _table(self, prefix: str, rows: list[int]) -> list[Assignment]:
        cells = {n: [c.strip() for c in self.layout.text(n).strip().strip("|").split("|")]
                 for n in rows}
        columns = None
        out: list[Assignment] = []
        for count, n in enumerate(rows, start=1):
            row = cells[n]
            if all(re.fullmatch(r":?-{2,}:?", c) or not c for c in row):
                continue
            if columns is None:
                columns = _table_columns(row)
                continue
            assignment = self._row(prefix, n, row, columns, count)
            if assignment is not None:
                out.append(assignment)
        return out

    def _row(self, prefix: str, n: int, row: list[str], columns: dict[str, int], count: int
             ) -> Assignment | None:
        def cell(role: str) -> str:
            index = columns.get(role)
            return row[index] if index is not None and index < len(row) else ""

        number = cell("ref").strip(" .") or str(count)
        lead_text, task = cell("lead"), cell("task")
        if not lead_text and not cell("cooperating"):
            if task and cell("deadline"):
                self.warnings.append(f"dòng {n}: dòng bảng «{task[:60]}» không ghi đơn vị chủ trì")
            return None
        lead, coop, report_to = self._roles(lead_text, sentence_start=False)
        if not lead and lead_text:
            lead = self.resolver.scan(lead_text, sentence_start=False)[0]
        coop += self.resolver.scan(cell("cooperating"), sentence_start=False)[0]
        lines = {k: (n, n) for k in ("lead", "cooperating", "deadline")}
        deadline_text = cell("deadline")
        deadline = find_deadline(deadline_text, issued_on=self.issued_on, timing=True) \
            if deadline_text else None
        if deadline_text and deadline is None:
            deadline = Deadline(None, deadline_text, 0, len(deadline_text),
                                f"không hiểu thời hạn «{deadline_text}»")
        ref = f"{prefix}.{number}" if prefix else number
        return self._assignment(ref, lead, coop, report_to, task or lead_text, deadline, n, n,
                                lines)


_COLUMN_WORDS = (
    ("ref", ("tt", "stt", "so tt")),
    ("cooperating", ("phoi hop",)),
    ("lead", ("chu tri", "thuc hien", "trach nhiem", "don vi", "co quan")),
    ("deadline", ("thoi gian", "thoi han", "tien do", "hoan thanh")),
    ("task", ("noi dung", "nhiem vu", "cong viec", "hoat dong", "ten")),
)


def _table_columns(header: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, text in enumerate(header):
        key = ascii_key(text).strip(" .")
        for role, words in _COLUMN_WORDS:
            if role in columns:
                continue
            if (role == "ref" and key in words) or (role != "ref" and any(w in key for w in words)):
                columns[role] = index
                break
    return columns


def _item_blocks(layout: Layout, lines: list[int]) -> list[tuple[str, list[tuple[int, str]]]]:
    """Numbered items ('1.', '2)', '1.1.') with their continuation lines; bullets if none."""
    blocks: list[tuple[str, list[tuple[int, str]]]] = []
    for n in lines:
        text = layout.text(n)
        if not text:
            continue
        numbered = item_number(text)
        if numbered:
            blocks.append((numbered[0], [(n, numbered[1])]))
        elif blocks:
            blocks[-1][1].append((n, text))
    if blocks:
        return blocks
    count = 0
    for n in lines:
        text = layout.text(n)
        if not text:
            continue
        if text.startswith(("-", "+", "•")) or not blocks or _LABEL.match(text) is None:
            if _LABEL.match(text) and blocks:
                blocks[-1][1].append((n, text))
                continue
            count += 1
            blocks.append((str(count), [(n, text.lstrip("-+• "))]))
        else:
            blocks[-1][1].append((n, text))
    return blocks


def _timing_label(text: str) -> bool:
    m = _LABEL.match(text)
    return bool(m and _timing_label_name(m.group("label")))


def _timing_label_name(label: str) -> bool:
    key = ascii_key(label)
    return key.startswith(("thoi gian", "thoi han", "tien do"))


def _shift(mention: Mention, offset: int) -> Mention:
    return Mention(mention.ref, mention.text, mention.start + offset, mention.end + offset,
                   mention.note)


def _dedupe(mentions: list[Mention]) -> list[Mention]:
    seen: set[str] = set()
    out = []
    for mention in mentions:
        if mention.value not in seen:
            seen.add(mention.value)
            out.append(mention)
    return out


def _unique_refs(assignments: list[Assignment]) -> list[Assignment]:
    seen: dict[str, int] = {}
    for assignment in assignments:
        ref = assignment.ref
        if ref in seen:
            seen[ref] += 1
            assignment.ref = f"{ref}-{seen[ref]}"
        else:
            seen[ref] = 1
    return assignments


__all__ = ["Assignment", "AssignmentReader", "Section", "find_sections"]
