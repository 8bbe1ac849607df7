"""The drafter scored on the hand-annotated fixtures (tests/ingest/annotated/), per document and
per layout, with the shared scorer's own pairing (../shared/tools/score_draft.py).

    python -m benchmarks.annotated [--format json] [--dir tests/ingest/annotated]

A layout is the first words of a document's "- layout:" line in the SOURCES-*.md beside the
fixtures ("letter", "body headings", "appendix table", "mixed", ...).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import re
import sys
from collections import defaultdict
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ANNOTATED = ROOT / "tests" / "ingest" / "annotated"
SCORER = ROOT.parent / "shared" / "tools" / "score_draft.py"
LAYOUTS = ("decision issuing a plan", "appendix table", "numbered running text", "body headings",
           "field blocks", "letter", "mixed")


def scorer() -> ModuleType:
    spec = importlib.util.spec_from_file_location("score_draft", SCORER)
    assert spec is not None and spec.loader is not None, f"no scorer at {SCORER}"
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def layouts(folder: Path) -> dict[str, str]:
    """Document file name -> its layout, from the SOURCES-*.md entries."""
    out: dict[str, str] = {}
    for sources in sorted(folder.glob("SOURCES*.md")):
        name = None
        for line in sources.read_text(encoding="utf-8").splitlines():
            heading = re.match(r"^###\s+(\S+)", line)
            if heading:
                name = heading.group(1)
                continue
            found = re.match(r"^-\s*layout:\s*(.+)$", line)
            if found and name:
                text = found.group(1).lower()
                out[name] = next((k for k in LAYOUTS if text.startswith(k)), text.split(" (")[0])
    return out


def score_all(folder: Path = ANNOTATED) -> list[dict[str, Any]]:
    """One row per annotated document: its layout and the scorer's counts."""
    from ingest.draft import draft_document
    from models.registry import load_registry

    tool = scorer()
    reg = tool.Registry(tool.REGISTRY)
    registry = load_registry(ROOT / "config" / "bodies.yaml")
    kinds = layouts(folder)
    rows = []
    for path in sorted((folder / "expected").glob("*.json")):
        expect = json.loads(path.read_text(encoding="utf-8"))
        draft = draft_document(folder / "documents" / expect["file"], registry)
        result = tool.score(expect, json.loads(json.dumps(draft)), reg)
        rows.append({"file": expect["file"], "layout": kinds.get(expect["file"], "?"), **result})
    return rows


def totals(rows: list[dict[str, Any]]) -> dict[str, float]:
    required = sum(r["required"] for r in rows)
    found = sum(r["found"] for r in rows)
    drafted = sum(r["drafted"] for r in rows)
    spurious = sum(r["spurious"] for r in rows)
    headed = [r for r in rows if r["header_ok"] is not None]
    return {"documents": len(rows), "required": required, "found": found,
            "recall": found / max(required, 1),
            "precision": (drafted - spurious) / drafted if drafted else 0.0,
            "deadline": sum(r["deadline_right"] for r in rows) / max(found, 1),
            "header": sum(bool(r["header_ok"]) for r in headed) / max(len(headed), 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=ANNOTATED)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    args = parser.parse_args(argv)
    rows = score_all(args.dir)
    by_layout: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        by_layout[row["layout"]].append(row)
    overall = totals(rows)
    per_layout = {k: totals(v) for k, v in sorted(by_layout.items())}
    if args.format == "json":
        json.dump({"all": overall, "layouts": per_layout, "documents": rows}, sys.stdout,
                  ensure_ascii=False, indent=1)
        print()
        return 0
    for row in rows:
        print(f"{row['file']:<22} {row['layout']:<24} found {row['found']:>2}/{row['required']:<2}"
              f" spurious {row['spurious']:>2}/{row['drafted']:<2} header "
              f"{'-' if row['header_ok'] is None else 'ok' if row['header_ok'] else 'sai'}")
    print()
    for name, t in [*per_layout.items(), ("all", overall)]:
        print(f"{name:<24} {int(t['documents']):>2} docs  recall {t['recall']:.2f}  precision "
              f"{t['precision']:.2f}  deadline {t['deadline']:.2f}  header {t['header']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
