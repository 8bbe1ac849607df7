"""`cascade launch DOC --review`: draft from the document, show what would be created with
its flagged items, let the coordinator settle them, and return a template to launch.

Nothing is guessed: an unresolved name or an unspecified set ("các ban liên quan") is either
replaced by the ids the coordinator types, dropped because the coordinator said so, or the
launch is refused with the list of what is left to settle.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from models.deadlines import DeadlineRuleError, parse_rule
from models.registry import Registry, is_group

DOCUMENT_SUFFIXES = (".txt", ".md", ".docx")
HEADER_FIELDS = {"number": "số văn bản", "kind": "loại văn bản", "issuer": "cơ quan ban hành",
                 "issued_on": "ngày ban hành", "title": "trích yếu"}


@dataclass(frozen=True)
class Flag:
    where: str  # "III.2 cooperating" or "directive.number"
    ref: str | None
    message: str


def is_document(path: Path) -> bool:
    return path.suffix.lower() in DOCUMENT_SUFFIXES


def unsettled_ref(ref: str, registry: Registry) -> str | None:
    """Why a drafted reference cannot be launched as is, or None when it can."""
    if ref.startswith("unresolved:"):
        return f"«{ref.removeprefix('unresolved:')}» không có trong sổ đăng ký"
    group = registry.groups.get(ref)
    if group is not None and group.placeholder:
        return f"«{registry.label(ref)}» là tập hợp chưa xác định"
    if ref not in registry:
        return f"{ref!r} không có trong sổ đăng ký"
    return None


def flags_of(draft: dict[str, Any], registry: Registry) -> list[Flag]:
    flags = []
    header = draft["directive"]
    for key, label in HEADER_FIELDS.items():
        value = header.get(key)
        if not value:
            flags.append(Flag(f"directive.{key}", None, f"thiếu {label}"))
        elif key == "issuer" and (reason := unsettled_ref(value, registry)):
            flags.append(Flag("directive.issuer", value, reason))
    for item in draft["assignments"]:
        for role in ("lead", "cooperating"):
            for ref in item.get(role) or []:
                if reason := unsettled_ref(ref, registry):
                    flags.append(Flag(f"{item['ref']} {role}", ref, reason))
        deadline = item.get("deadline") or {}
        if deadline.get("rule") is None and deadline.get("text"):
            flags.append(Flag(f"{item['ref']} deadline", None,
                              f"không hiểu thời hạn «{deadline['text']}»"))
    for target in draft.get("targets") or []:
        where = f"targets {target.get('id')}"
        if target.get("value") is None:
            flags.append(Flag(where, None, "không rõ giá trị chỉ tiêu"))
        if not target.get("unit"):
            flags.append(Flag(where, None, "không rõ đơn vị tính của chỉ tiêu"))
    return flags


def targets_table(draft: dict[str, Any]):  # type: ignore[no-untyped-def]
    """The drafted targets, how their figures combine, and the items that report on them."""
    from rich.table import Table

    from ingest.targets import reporting_targets
    from models.vocabulary import combine_label, vi_number

    targets = draft.get("targets") or []
    ids = [str(t.get("id")) for t in targets]
    reporting: dict[str, list[str]] = {i: [] for i in ids}
    for item in draft["assignments"]:
        for key in reporting_targets(str(item.get("task") or ""), ids):
            reporting[key].append(str(item["ref"]))
    table = Table(title=f"Chỉ tiêu ({len(targets)}): đơn vị báo cáo số liệu theo các mục")
    for col in ("Mã", "Chỉ tiêu", "Mức", "Năm", "Cộng gộp", "Mục báo cáo"):
        table.add_column(col, overflow="fold")
    for t in targets:
        value = t.get("value")
        unit = t.get("unit") or "?"
        shown = "?" if value is None else vi_number(float(value), 4)
        table.add_row(str(t.get("id")), str(t.get("text")),
                      f"{shown}{unit}" if unit == "%" else f"{shown} {unit}", str(t.get("year") or ""),
                      combine_label(t.get("combine")), ", ".join(reporting[str(t.get("id"))]) or "—")
    return table


def settle(draft: dict[str, Any], registry: Registry, ask: Callable[[str], str],
           say: Callable[[str], None]) -> None:
    """Ask the coordinator, for each unsettled body reference, which ids replace it (or none)."""
    for item in draft["assignments"]:
        for role in ("lead", "cooperating"):
            settled: list[str] = []
            for ref in item.get(role) or []:
                reason = unsettled_ref(ref, registry)
                if reason is None:
                    settled.append(ref)
                    continue
                role_vi = "chủ trì" if role == "lead" else "phối hợp"
                settled += _ask_ids(f"Mục {item['ref']} ({role_vi}): {reason}. Nhập mã đơn vị "
                                    "hoặc nhóm thay thế, cách nhau bởi dấu phẩy (để trống: bỏ)",
                                    registry, ask, say)
            item[role] = list(dict.fromkeys(settled))


def _ask_ids(question: str, registry: Registry, ask: Callable[[str], str],
             say: Callable[[str], None]) -> list[str]:
    while True:
        answer = ask(question).strip()
        ids = [part.strip() for part in answer.split(",") if part.strip()]
        unknown = [i for i in ids if i not in registry or unsettled_ref(i, registry)]
        if not unknown:
            return ids
        say(f"Không dùng được: {', '.join(unknown)}. Xem `cascade bodies`.")


def describe_rule(rule: str | None) -> str:
    if rule is None:
        return "không thời hạn"
    try:
        return parse_rule(rule).describe()
    except DeadlineRuleError:
        return rule


def review_table(draft: dict[str, Any], registry: Registry, flags: list[Flag]):  # type: ignore[no-untyped-def]
    """A rich table of the drafted assignments; flagged references in red."""
    from rich.table import Table
    from rich.text import Text

    flagged = {(f.where, f.ref) for f in flags}
    header = draft["directive"]
    table = Table(title=f"Bản nháp {header.get('number') or '(chưa có số)'}: "
                        f"{header.get('kind') or ''} {header.get('issued_on') or ''}")
    for col in ("Mục", "Chủ trì", "Phối hợp", "Thời hạn", "Số nhiệm vụ"):
        table.add_column(col)
    total = 0
    for item in draft["assignments"]:
        cells = []
        count = 0
        for role in ("lead", "cooperating"):
            text = Text()
            for ref in item.get(role) or []:
                if text:
                    text.append("; ")
                if (f"{item['ref']} {role}", ref) in flagged:
                    text.append(f"⚠ {ref.removeprefix('unresolved:')}", style="bold red")
                else:
                    members = registry.expand(ref)
                    count += len(members)
                    label = registry.label(ref)
                    text.append(f"{label} ({len(members)})" if is_group(ref) else label)
            cells.append(text)
        deadline = item.get("deadline") or {}
        due = Text(describe_rule(deadline.get("rule")))
        if (f"{item['ref']} deadline", None) in flagged:
            due = Text(f"⚠ {deadline.get('text')}", style="bold red")
        total += count
        table.add_row(item["ref"], cells[0], cells[1], due, str(count))
    table.caption = f"Tổng cộng khoảng {total} nhiệm vụ (trước khi bỏ trùng)"
    return table
