"""Directive document -> draft (the JSON contract), with where each field came from.

    {"directive": {...header...}, "assignments": [...], "targets": [...], "warnings": [...],
     "ocr_pages": [...]}

`Draft` is a dict (so it serialises as exactly the contract) that also carries `provenance`:
the source lines of each header field and of each assignment's fields, for the YAML comments.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ingest.assignments import AssignmentReader
from ingest.bodies import Context, Resolver, is_confederation
from ingest.continuity import numbering_warnings
from ingest.errors import DraftError
from ingest.header import Header, number_codes, read_header
from ingest.language import check_vietnamese
from ingest.layout import Layout, analyse
from ingest.limits import MAX_ASSIGNMENTS
from ingest.names import name_key
from ingest.reading import Document, document_from_text, read_document
from ingest.targets import read_targets
from ingest.tasks import Task
from models.registry import Registry

if TYPE_CHECKING:
    from ingest.ocr import OcrRun


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


def draft_document(path: Path, registry: Registry, aliases: Mapping[str, str] | None = None,
                   *, ocr: OcrRun | None = None) -> Draft:
    """Draft the cascade template of the directive at `path`; DraftError on unusable input.

    `aliases` maps a phrase as written to a decision of an earlier review (ingest/aliases.py):
    a body or group id, "external" or "drop". `ocr`: how scanned pages are read (progress
    callback, cache folder, workers; ingest/ocr.py).
    """
    return _draft(read_document(Path(path), ocr=ocr), registry, aliases)


def draft_text(text: str, name: str, registry: Registry,
               aliases: Mapping[str, str] | None = None) -> Draft:
    """Draft pasted text (a web form) exactly as a .txt file named `name` would be."""
    return _draft(document_from_text(name, text), registry, aliases)


def _draft(document: Document, registry: Registry, aliases: Mapping[str, str] | None) -> Draft:
    check_vietnamese(document)
    return draft_layout(analyse(document), registry, aliases=aliases)


def draft_layout(layout: Layout, registry: Registry, *,
                 aliases: Mapping[str, str] | None = None) -> Draft:
    base = resolver_for(registry).with_aliases(aliases)
    header = read_header(layout, base.with_context(confederation=False))
    resolver = base.with_context(issuer_context(header, registry, base))
    reader = AssignmentReader(layout, resolver, _date(header.issued_on))
    tasks = reader.read()
    name = layout.document.name
    if len(tasks) > MAX_ASSIGNMENTS:
        raise DraftError(f"{name}: văn bản cho ra {len(tasks)} việc giao, vượt giới hạn "
                         f"{MAX_ASSIGNMENTS} việc của một bản nháp; tách văn bản hoặc kiểm tra "
                         "xem có phải văn bản chỉ đạo không")
    if not tasks and not (header.number or header.issued_on or header.kind):
        raise DraftError(f"{name}: không nhận ra số, ngày, loại văn bản hay việc giao nào; văn "
                         "bản này không soạn được mẫu giao việc")
    warnings = list(header.warnings) + list(reader.warnings) + numbering_warnings(layout.outline)
    if not tasks:
        warnings.append("không tìm thấy việc giao nào (đơn vị chủ trì, phối hợp); bản nháp chỉ có "
                        "phần đầu văn bản: thêm việc giao bằng tay")
    for task in tasks:
        warnings.extend(task.warnings)
    ocr = list(layout.document.ocr_pages)
    if ocr:
        warnings.append(f"trang {', '.join(map(str, ocr))} đọc bằng OCR (ảnh quét): kiểm tra kỹ "
                        "số, ngày, tên đơn vị và thời hạn")
        for task in tasks:
            if any(layout.document.ocr_line(n) for n in (task.line_start, task.line_end)):
                task.flags.append("ocr")
    data = {
        "directive": header.as_dict(),
        "assignments": [assignment_dict(t) for t in tasks],
        "targets": read_targets(layout),
        "warnings": warnings,
        "ocr_pages": ocr,
    }
    provenance = {"directive": dict(header.lines),
                  "assignments": [dict(t.lines) for t in tasks],
                  "placeholders": [g.id for g in registry.groups.values() if g.placeholder],
                  "ocr": bool(ocr)}
    return Draft(data, provenance=provenance, source=name)


def issuer_context(header: Header, registry: Registry, resolver: Resolver) -> Context:
    """How names relative to the issuer are read in this document."""
    issuer = header.issuer
    if issuer and not issuer.startswith("unresolved:"):
        confederation = is_confederation(registry, issuer)
        name = registry.label(issuer)
    else:
        _, code = number_codes(header.number) if header.number else (None, None)
        confederation = bool(code) and "TLD" in name_key(code or "")
        name = (issuer or "").removeprefix("unresolved:")
    key = " ".join(name.lower().split())
    office = key.startswith("văn phòng")
    province = None
    m = re.search(r"\b(?:tỉnh|thành phố|tp\.?)\s+([^\W\d_][\w\s]{1,30})$", name, re.IGNORECASE)
    if m:
        province = m.group(1).strip().title()
    addressee = None
    if header.addressee:
        found, _ = resolver.with_context(confederation=confederation).scan(header.addressee)
        addressee = found[0] if len(found) == 1 else None
    return Context(confederation=confederation, issuer=issuer, issuer_office=office,
                   province=province, addressee=addressee)


def _date(iso: str | None) -> dt.date | None:
    return dt.date.fromisoformat(iso) if iso else None


def assignment_dict(task: Task) -> dict[str, Any]:
    deadline = task.deadline
    return {
        "ref": task.ref,
        "lead": [m.value for m in task.lead],
        "cooperating": [m.value for m in task.cooperating],
        "report_to": task.report_to,
        "task": task.task,
        "deadline": {"rule": deadline.rule if deadline else None,
                     "text": deadline.text if deadline else None},
        "source": {"line_start": task.line_start, "line_end": task.line_end},
        "flags": list(dict.fromkeys(task.flags)),
    }
