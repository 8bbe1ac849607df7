"""`cascade draft DOC [--format yaml|json] [-o FILE]`: print or write the draft template.

Errors go to stderr in Vietnamese (what and where) with a non-zero exit, and nothing is
written. Kept light: python-docx is imported only when a Word file is read.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from models.atomic import write_atomically

if TYPE_CHECKING:
    from models.registry import Registry

FORMATS = ("yaml", "json")
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2


def run_draft(doc: Path, *, fmt: str, output: Path | None, registry: Registry,
              aliases: Mapping[str, str] | None = None) -> int:
    """Draft `doc` (with the review's earlier decisions, `aliases`); return the exit code."""
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        _error(f"--format {fmt!r} không hợp lệ; dùng yaml hoặc json")
        return EXIT_USAGE
    from ingest.errors import DraftError

    try:
        from ingest.draft import draft_document

        draft = draft_document(Path(doc), registry, aliases)
    except DraftError as exc:
        _error(str(exc))
        return EXIT_BAD_INPUT
    except (OSError, ValueError) as exc:  # the registry or settings
        _error(str(exc))
        return EXIT_BAD_INPUT
    text = _render(draft, fmt)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            write_atomically(Path(output), text)
        except OSError as exc:
            _error(f"{output}: không ghi được tệp ({exc.strerror})")
            return EXIT_BAD_INPUT
    _summary(draft)
    return 0


def _render(draft: dict, fmt: str) -> str:  # type: ignore[type-arg]
    if fmt == "json":
        return json.dumps(dict(draft), ensure_ascii=False, indent=1) + "\n"
    from ingest.yaml_out import draft_to_yaml

    return draft_to_yaml(draft)


def _summary(draft: dict) -> None:  # type: ignore[type-arg]
    count = len(draft.get("warnings", []))
    items = len(draft.get("assignments", []))
    note = f"Đã soạn {items} việc giao"
    note += f"; {count} điểm cần rà soát (mục warnings, dòng # REVIEW)." if count else "."
    print(note, file=sys.stderr)


def _error(message: str) -> None:
    print(f"Lỗi: {message}", file=sys.stderr)
