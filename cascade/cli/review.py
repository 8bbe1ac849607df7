"""`cascade launch DOC --review`: draft from the document, show what would be created with
its flagged items, let the coordinator settle them, and return a template to launch.

Nothing is guessed: each distinct unresolved name is shown once with the nearest registry
bodies and mapped, added as a new body, marked external or dropped (services.review, which
remembers the decision for the next drafts); an unspecified set ("các ban liên quan") is
replaced by the ids the coordinator types or left out; otherwise the launch is refused with
the list of what is left to settle.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from models.registry import Registry, is_external, is_group
from services.review import (
    DROP,
    EXTERNAL,
    MAP,
    NEW,
    Flag,
    describe_rule,
    flags_of,
    unresolved_names,
    unsettled_ref,
)

DOCUMENT_SUFFIXES = (".txt", ".md", ".docx", ".pdf", ".png", ".jpg", ".jpeg")
NEW_WORDS = ("moi", "mới", "new")
EXTERNAL_WORDS = ("ngoai", "ngoài", "external")

__all__ = ["DOCUMENT_SUFFIXES", "Flag", "flags_of", "is_document", "learn_names", "review_table",
           "settle"]


def is_document(path: Path) -> bool:
    return path.suffix.lower() in DOCUMENT_SUFFIXES


def learn_names(draft: dict[str, Any], registry: Registry, ask: Callable[[str], str],
                say: Callable[[str], None], *, aliases_path: Path, local_registry_path: Path) -> None:
    """Ask once per distinct unresolved name what it is; the answers are kept for next time."""
    from services.review import ReviewError, decide_name

    for name in unresolved_names(draft, registry):
        say(f"«{name.phrase}» ({', '.join(name.places)}) không có trong sổ đăng ký. Gần nhất:")
        for i, c in enumerate(name.candidates, 1):
            say(f"  {i}. {c.label} ({c.ref})" + ("" if c.same_head else " — khác loại đơn vị"))
        while True:
            answer = ask("Chọn số hoặc nhập mã đơn vị/nhóm; «mới»: thêm đơn vị mới; «ngoài»: đơn vị "
                         "ngoài hệ thống (ghi nhận, không gửi thư); Enter: bỏ").strip()
            kwargs: dict[str, Any] = {}
            if not answer:
                choice = DROP
            elif answer.isdigit() and 1 <= int(answer) <= len(name.candidates):
                choice, kwargs["target"] = MAP, name.candidates[int(answer) - 1].ref
            elif answer.lower() in NEW_WORDS:
                choice = NEW
                kwargs["new_name"] = ask(f"Tên đơn vị mới (Enter: «{name.phrase}»)").strip() or name.phrase
                kwargs["new_kind"] = ask("Loại đơn vị (mã loại, Enter: department)").strip() or "department"
            elif answer.lower() in EXTERNAL_WORDS:
                choice = EXTERNAL
            else:
                choice, kwargs["target"] = MAP, answer
            try:
                learned = decide_name(draft, name.phrase, choice=choice, registry=registry,
                                      aliases_path=aliases_path,
                                      local_registry_path=local_registry_path, **kwargs)
            except ReviewError as exc:
                say(f"Không dùng được: {exc}. Xem `cascade bodies`.")
                continue
            if learned.new_body:
                say(f"Đã thêm đơn vị {learned.new_body} vào {local_registry_path}.")
            break


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
    draft["assignments"] = [a for a in draft["assignments"] if a.get("lead") or a.get("cooperating")]


def _ask_ids(question: str, registry: Registry, ask: Callable[[str], str],
             say: Callable[[str], None]) -> list[str]:
    while True:
        answer = ask(question).strip()
        ids = [part.strip() for part in answer.split(",") if part.strip()]
        unknown = [i for i in ids if i not in registry or unsettled_ref(i, registry)]
        if not unknown:
            return ids
        say(f"Không dùng được: {', '.join(unknown)}. Xem `cascade bodies`.")


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
                elif is_external(ref):
                    count += 1
                    text.append(f"{registry.label(ref)} (ngoài hệ thống)")
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
