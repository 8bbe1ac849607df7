"""The drafter over the test corpus of real documents (tests/ingest/corpus/), in-process: how many
drafted, how many refused (DraftError, grouped by reason; and which refusals the test rejects)
or crashed, which documents have an assignment section (the rule of tests/ingest/test_corpus.py)
and yielded no assignment, the total and median drafting time, and the five slowest documents.

    python -m benchmarks.corpus [--format json] [--dir tests/ingest/corpus]

Times are wall times of `draft_document` alone, one run per document, after the registry and its
name index are built (their cost is printed apart). A document still drafting after the test's
hang guard (60 s) is stopped and counted as a hang.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import statistics
import sys
import time
import traceback
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.ingest.test_corpus import (  # noqa: E402
    CORPUS,
    DOCUMENT_NAME,
    HANG_SECONDS,
    assignment_section,
    refusal_problem,
)


class _Hang(BaseException):
    pass


def _alarm(signum, frame):  # type: ignore[no-untyped-def]
    raise _Hang


def _where(exc: BaseException) -> str:
    """The innermost frame of the project's own code (not the standard library's)."""
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if f.filename.startswith(str(ROOT))]
    frame = (own or frames)[-1]
    name = frame.filename.removeprefix(str(ROOT) + "/")
    return f"{name}:{frame.lineno} ({frame.name})"


def _reason(message: str) -> str:
    """A refusal's message without the file name and figures, to group refusals by reason."""
    message = re.sub(r"^\S+\.(?:md|txt|docx|pdf)\s*:\s*", "", message.strip())
    return re.sub(r"\d+(?:[.,]\d+)?", "N", message)


def draft_one(path: Path, registry: Any) -> dict[str, Any]:
    from ingest.draft import draft_document
    from ingest.errors import DraftError

    text = path.read_text(encoding="utf-8")
    row: dict[str, Any] = {"file": path.name, "bytes": path.stat().st_size,
                           "section": assignment_section(text)}
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(HANG_SECONDS)
    began = time.perf_counter()
    try:
        draft = draft_document(path, registry)
        row.update(outcome="drafted", assignments=len(draft["assignments"]))
    except DraftError as refusal:
        row.update(outcome="refused", message=str(refusal),
                   problem=refusal_problem(text, str(refusal), row["section"]))
    except _Hang:
        row.update(outcome="hang")
    except Exception as exc:  # what the test calls a crash: reported, not raised
        row.update(outcome="crashed", error=f"{type(exc).__name__}: {exc}"[:300], where=_where(exc))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    row["seconds"] = time.perf_counter() - began
    return row


def run(folder: Path) -> dict[str, Any]:
    from ingest.draft import resolver_for
    from models.registry import load_registry

    began = time.perf_counter()
    registry = load_registry(ROOT / "config" / "bodies.yaml")
    resolver_for(registry)
    setup = time.perf_counter() - began
    paths = sorted(p for p in folder.glob("*.md") if DOCUMENT_NAME.fullmatch(p.name))
    rows = [draft_one(path, registry) for path in paths]
    refusals: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        if row["outcome"] == "refused":
            refusals[_reason(row["message"])].append(row["file"])
    times = [row["seconds"] for row in rows]
    return {
        "documents": len(rows),
        "bytes": sum(row["bytes"] for row in rows),
        "setup_seconds": setup,
        "drafted": sum(row["outcome"] == "drafted" for row in rows),
        "refused": sum(row["outcome"] == "refused" for row in rows),
        "refusals": dict(sorted(refusals.items(), key=lambda kv: -len(kv[1]))),
        "unjustified_refusals": [{"file": row["file"], "problem": row["problem"]} for row in rows
                                 if row["outcome"] == "refused" and row["problem"]],
        "crashed": [{k: row[k] for k in ("file", "error", "where")}
                    for row in rows if row["outcome"] == "crashed"],
        "hangs": [row["file"] for row in rows if row["outcome"] == "hang"],
        "with_section": sum(bool(row["section"]) for row in rows),
        "section_without_assignment": [
            {"file": row["file"], "section": row["section"]} for row in rows
            if row["section"] and row["outcome"] == "drafted" and not row["assignments"]],
        "assignments": sum(row.get("assignments", 0) for row in rows),
        "total_seconds": sum(times),
        "median_seconds": statistics.median(times) if times else 0.0,
        "slowest": [{"file": row["file"], "bytes": row["bytes"], "seconds": row["seconds"]}
                    for row in sorted(rows, key=lambda r: -r["seconds"])[:5]],
        "rows": rows,
    }


def print_table(figures: dict[str, Any]) -> None:
    print(f"documents: {figures['documents']} ({figures['bytes'] / 2**20:.1f} MiB); registry and "
          f"name index built in {figures['setup_seconds'] * 1000:.0f} ms")
    print(f"drafted: {figures['drafted']} ({figures['assignments']} assignments in all); "
          f"refused (DraftError): {figures['refused']}; crashed: {len(figures['crashed'])}; "
          f"hung (> {HANG_SECONDS} s): {len(figures['hangs'])}")
    for reason, files in figures["refusals"].items():
        print(f"  refused x{len(files)}: {reason}")
        print(f"    {', '.join(files)}")
    wrong = figures["unjustified_refusals"]
    print(f"refusals the test rejects: {len(wrong)}")
    for row in wrong:
        print(f"  {row['file']}: {row['problem']}")
    for crash in figures["crashed"]:
        print(f"  crashed: {crash['file']}: {crash['error']} at {crash['where']}")
    for name in figures["hangs"]:
        print(f"  hung: {name}")
    missing = figures["section_without_assignment"]
    print(f"with an assignment section: {figures['with_section']}; of those drafted with no "
          f"assignment: {len(missing)}")
    for row in missing:
        print(f"  {row['file']} ({row['section']})")
    print(f"time: total {figures['total_seconds']:.2f} s, median "
          f"{figures['median_seconds'] * 1000:.1f} ms per document")
    print("slowest:")
    for row in figures["slowest"]:
        print(f"  {row['file']}  {row['bytes'] / 1024:6.1f} KiB  {row['seconds'] * 1000:8.1f} ms")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=CORPUS)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    figures = run(args.dir)
    if args.format == "json":
        json.dump(figures, sys.stdout, ensure_ascii=False, indent=1)
        print()
        return 0
    print_table(figures)
    return 0


if __name__ == "__main__":
    sys.exit(main())
