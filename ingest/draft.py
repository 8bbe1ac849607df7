"""Directive document -> draft (the JSON contract), with where each field came from.

    {"directive": {...header...}, "assignments": [...], "targets": [...], "warnings": [...]}

`Draft` is a dict (so it serialises as exactly the contract) that also carries `provenance`:
the source lines of each header field and of each assignment's fields, for the YAML comments.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from ingest.assignments import Assignment, AssignmentReader, find_sections
from ingest.bodies import Resolver, is_confederation, name_key
from ingest.errors import DraftError
from ingest.header import Header, number_codes, read_header
from ingest.language import check_vietnamese
from ingest.layout import Layout, analyse
from ingest.reading import read_document
from ingest.targets import read_targets
from models.registry import Registry


class Draft(dict):  # type: ignore[type-arg]
    """The JSON-contract dict, plus `provenance` (field -> (first line, last line))."""

    provenance: dict[str, Any]
    source: str

    def __init__(self, data: dict[str, Any], *, provenance: dict[str, Any], source: str) -> None:
        super().__init__(data)
        self.provenance = provenance
        self.source = source


_RESOLVERS: dict[int, Resolver] = {}


def resolver_for(registry: Registry) -> Resolver:
    """One name index per registry object (building it is the costly part)."""
    key = id(registry)
    if key not in _RESOLVERS:
        _RESOLVERS[key] = Resolver(registry)
    return _RESOLVERS[key]


def draft_document(path: Path, registry: Registry) -> Draft:
    """Draft the cascade template of the directive at `path`; DraftError on unusable input."""
    document = read_document(Path(path))
    check_vietnamese(document)
    layout = analyse(document)
    return draft_layout(layout, registry)


def draft_layout(layout: Layout, registry: Registry) -> Draft:
    resolver = resolver_for(registry)
    if not find_sections(layout) and not _has_assignment_hints(layout):
        raise DraftError(f"{layout.document.name}: không tìm thấy phần giao việc (TỔ CHỨC THỰC "
                         "HIỆN, TIẾN ĐỘ THỰC HIỆN, bảng phân công hoặc hoạt động có «Thời gian:»)"
                         "; văn bản này không soạn được mẫu giao việc")
    header = read_header(layout, resolver.with_context(confederation=False))
    context = _confederation_context(header, registry)
    reader = AssignmentReader(layout, resolver.with_context(confederation=context),
                              _date(header.issued_on))
    assignments = reader.read()
    if not assignments:
        raise DraftError(f"{layout.document.name}: có phần giao việc nhưng không nhận ra việc "
                         "giao nào (đơn vị chủ trì, phối hợp); kiểm tra lại văn bản")
    warnings = list(header.warnings) + list(reader.warnings)
    for assignment in assignments:
        warnings.extend(assignment.warnings)
    data = {
        "directive": header.as_dict(),
        "assignments": [_assignment_dict(a) for a in assignments],
        "targets": read_targets(layout),
        "warnings": warnings,
    }
    provenance = {"directive": dict(header.lines),
                  "assignments": [dict(a.lines) for a in assignments],
                  "placeholders": [g.id for g in registry.groups.values() if g.placeholder]}
    return Draft(data, provenance=provenance, source=layout.document.name)


def _has_assignment_hints(layout: Layout) -> bool:
    """A table or a 'Thời gian:' line may carry assignments without a titled section."""
    for n in layout.main_lines():
        text = layout.text(n)
        if text.startswith("|") and "chủ trì" in text.lower():
            return True
        if re.match(r"^[-+•]?\s*thời (?:gian|hạn)[^:]{0,20}:", text, re.IGNORECASE):
            return True
    return False


def _confederation_context(header: Header, registry: Registry) -> bool:
    """Do short names ('Ban Tuyên giáo') mean the Confederation's own departments here?"""
    issuer = header.issuer
    if issuer and not issuer.startswith("unresolved:"):
        return is_confederation(registry, issuer)
    _, code = number_codes(header.number) if header.number else (None, None)
    return bool(code) and "TLD" in name_key(code or "")


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def _assignment_dict(a: Assignment) -> dict[str, Any]:
    return {
        "ref": a.ref,
        "lead": [m.value for m in a.lead],
        "cooperating": [m.value for m in a.cooperating],
        "report_to": a.report_to,
        "task": a.task,
        "deadline": {"rule": a.deadline.rule if a.deadline else None,
                     "text": a.deadline.text if a.deadline else None},
        "source": {"line_start": a.line_start, "line_end": a.line_end},
    }
