"""`cascade draft DOC [--format yaml|json] [-o FILE]`: print or write the draft template.

Errors go to stderr in Vietnamese (what and where) with a non-zero exit, and nothing is
written. Kept light: python-docx is imported only when a Word file is read, rich only when a
scan is read with stderr on a terminal (a progress bar of the pages read, on stderr: the
draft on stdout stays exactly the YAML or JSON).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from models.atomic import write_atomically

if TYPE_CHECKING:
    from models.registry import Registry

FORMATS = ("yaml", "json")
EXIT_BAD_INPUT = 1
EXIT_USAGE = 2


def run_draft(doc: Path, *, fmt: str, output: Path | None, registry: Registry,
              aliases: Mapping[str, str] | None = None, cache_dir: Path | None = None) -> int:
    """Draft `doc` (with the review's earlier decisions, `aliases`; scans through the OCR
    cache in `cache_dir`); return the exit code."""
    fmt = (fmt or "").lower()
    if fmt not in FORMATS:
        _error(f"--format {fmt!r} không hợp lệ; dùng yaml hoặc json")
        return EXIT_USAGE
    from ingest.errors import DraftError

    bar = ProgressBar() if sys.stderr.isatty() else None
    try:
        from ingest.draft import draft_document
        from ingest.ocr import OcrRun

        try:
            draft = draft_document(Path(doc), registry, aliases,
                                   ocr=OcrRun(progress=bar, cache_dir=cache_dir))
        finally:
            if bar:
                bar.close()
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


class ProgressBar:
    """The pages of a scan read so far, as a rich bar on stderr (shown from the first page)."""

    def __init__(self) -> None:
        self.progress: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.progress is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self.progress = Progress(TextColumn("Đọc bản quét bằng OCR"), BarColumn(),
                                     MofNCompleteColumn(), TextColumn("trang"),
                                     TimeElapsedColumn(), console=Console(stderr=True))
            self.progress.start()
            self.task = self.progress.add_task("ocr", total=total)
        self.progress.update(self.task, completed=done, total=total)

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
            self.progress = None


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
