"""Time `cascade draft`: start-up cost and drafting time per document.

    python benchmarks/draft.py [DOC ...]          (default: ../shared/directives/*.txt)

Prints, per document, its size and the median time to draft it in-process after start-up
(target: < 200 ms for a 40 KB document), plus a synthetic 40 KB document built by repeating
the body of the largest one; then the start-up cost (imports, registry, name index) and the
wall time of the whole `cascade draft --format json` command.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "directives"
RUNS = 15


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def startup() -> tuple[float, float, object]:
    """(import time, registry + index time, registry), measured in this fresh process."""
    began = time.perf_counter()
    from config.settings import load_settings
    from ingest.command import run_draft  # noqa: F401  (the CLI's import)
    from ingest.draft import draft_document, resolver_for  # noqa: F401
    from models.registry import load_registry

    imported = time.perf_counter()
    registry = load_registry(load_settings().registry_path)
    resolver_for(registry)
    return imported - began, time.perf_counter() - imported, registry


def draft_time(path: Path, registry: object) -> float:
    from ingest.draft import draft_document

    draft_document(path, registry)  # warm-up (regex compilation, caches)
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        draft_document(path, registry)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def synthetic(path: Path, size: int = 40_000) -> Path:
    """The document with its body paragraphs repeated until it is at least `size` bytes."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cut = next((i for i, line in enumerate(lines) if "TỔ CHỨC THỰC HIỆN" in line), len(lines))
    body, tail = lines[:cut], lines[cut:]
    middle = [line for line in body[len(body) // 3:] if len(line) > 80]
    out = list(body)
    while len("\n".join(out + tail).encode("utf-8")) < size:
        out += ["", *middle[:10]]
    target = Path(tempfile.mkdtemp()) / f"synthetic-40kb-{path.name}"
    target.write_text("\n".join(out + tail), encoding="utf-8")
    return target


def cli_wall(path: Path) -> float:
    times = []
    for _ in range(3):
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cascade.cli", "draft", str(path), "--format",
                        "json"], capture_output=True, check=True, cwd=ROOT)
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    docs = [Path(a) for a in argv] or sorted(SHARED.glob("*.txt"))
    import_time, registry_time, registry = startup()
    largest = max(docs, key=lambda p: p.stat().st_size)
    docs = docs + [synthetic(largest)]
    print(f"{'document':52} {'size':>8} {'draft (median)':>15}")
    for path in docs:
        size = path.stat().st_size
        print(f"{path.name:52} {size / 1024:6.1f} KB {_ms(draft_time(path, registry)):>15}")
    print()
    print(f"start-up: imports {_ms(import_time)}, registry + name index {_ms(registry_time)}, "
          f"total {_ms(import_time + registry_time)}")
    print(f"whole command `cascade draft {largest.name} --format json`: {_ms(cli_wall(largest))} "
          "(Python start, CLI, draft, output)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
