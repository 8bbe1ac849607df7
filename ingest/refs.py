"""An assignment's ref: the numbers of the items it sits in ("III.2", "PL.II.1", "2.1b"),
made unique across the draft."""

from __future__ import annotations

from ingest.outline import Node
from ingest.tasks import Task
from ingest.text import ascii_key

SUFFIXES = "bcdefghijklmnopqrstuvwxyz"


def nodes(node: Node) -> list[Node]:
    out = []
    for child in node.children:
        out.append(child)
        out.extend(nodes(child))
    return out


def ref(prefix: str, node: Node) -> str:
    number = node.number
    if not number:
        return prefix
    parent = number.rsplit(".", 1)[0] if "." in number else ""
    if parent and (prefix == parent or prefix.endswith("." + parent)):
        return prefix[:len(prefix) - len(parent)] + number  # "2" + "2.1" is "2.1", not "2.2.1"
    return f"{prefix}.{number}" if prefix else number


def table_prefix(prefix: str, node: Node) -> str:
    if ascii_key(node.title).startswith(("phu luc", "danh muc")) or not prefix:
        return prefix or "PL"
    return prefix


def suffix(task: Task, index: int) -> Task:
    if index:
        task.ref = f"{task.ref}{SUFFIXES[min(index - 1, len(SUFFIXES) - 1)]}"
    return task


def unique_refs(tasks: list[Task]) -> list[Task]:
    seen: dict[str, int] = {}
    count = 0
    for task in tasks:
        if not task.ref or task.ref[0] in SUFFIXES and len(task.ref) == 1:
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
