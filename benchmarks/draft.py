"""Time `cascade draft`: per document, a 40 KB text, OCR per page, memory, and refusals.

    python benchmarks/draft.py [DOC ...]          (default: ../shared/directives/*.txt)

Every figure is printed beside a reference measured in the same run, so a slow machine shows
as slow references rather than a slow drafter:
- per document: the median time to draft it in-process after start-up, next to reading the
  file alone (target: < 200 ms for a 40 KB text);
- start-up: imports + registry + name index, and the whole command next to `python -c pass`;
- OCR: seconds per page of an image-only PDF of a shared directive, next to rendering it;
- peak memory (max RSS of a child process) of drafting the largest document and of the
  1 GB-inflating .docx (target: refused in < 5 s and < 300 MB), next to `python -c pass`;
- the refusal of a 20 MB text.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "directives"
RUNS = 15
OCR_DOCUMENT = "45-KH-DDTLD-2023-nghi-quyet-29.txt"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f} ms"


def startup() -> tuple[float, float, object]:
    """(import time, registry + index time, registry), measured in this fresh process."""
    began = time.perf_counter()
    from cascade.bootstrap import build_app
    from ingest.command import run_draft  # noqa: F401  (the CLI's import)
    from ingest.draft import draft_document, resolver_for  # noqa: F401

    imported = time.perf_counter()
    registry = build_app().registry
    resolver_for(registry)
    return imported - began, time.perf_counter() - imported, registry


def median_time(action, runs: int = RUNS) -> float:  # type: ignore[no-untyped-def]
    action()  # warm-up (regex compilation, caches)
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        action()
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


_WRAPPER = ("import resource, subprocess, sys, time; t = time.perf_counter(); "
            "r = subprocess.run(sys.argv[1:], capture_output=True); "
            "print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,"
            " r.returncode)")


def child(args: list[str]) -> tuple[float, float, int]:
    """(wall seconds, max RSS in MB, exit code) of one child process (a fresh wrapper
    process measures it, so earlier children do not count)."""
    run = subprocess.run([sys.executable, "-c", _WRAPPER, *args], capture_output=True,
                         text=True, cwd=ROOT, check=True)
    wall, rss, code = run.stdout.split()
    return float(wall), int(rss) / 1024, int(code)


def draft_command(path: Path) -> list[str]:
    return [sys.executable, "-m", "cascade.cli", "draft", str(path), "--format", "json"]


def bomb(path: Path, size: int = 1 << 30) -> Path:
    """A .docx of a few MB whose word/document.xml inflates to `size` bytes."""
    import docx

    document = docx.Document()
    document.add_paragraph("Kế hoạch")
    document.save(path)
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for name, data in parts.items():
            if name != "word/document.xml":
                target.writestr(name, data)
        with target.open("word/document.xml", "w", force_zip64=True) as handle:
            chunk = b"<w:t>a</w:t>" * (1 << 16)
            for _ in range(size // len(chunk)):
                handle.write(chunk)
    return path


def ocr_per_page(registry: object) -> str:
    sys.path.insert(0, str(ROOT))
    from ingest.draft import draft_document
    from tests.ingest.printing import image_pdf, page_images

    text = (SHARED / OCR_DOCUMENT).read_text(encoding="utf-8")
    began = time.perf_counter()
    pages = page_images(text)
    rendering = (time.perf_counter() - began) / len(pages)
    path = image_pdf(text, Path(tempfile.mkdtemp()) / "scan.pdf")
    began = time.perf_counter()
    draft_document(path, registry)
    per_page = (time.perf_counter() - began) / len(pages)
    return (f"OCR: {per_page:.2f} s per page ({len(pages)} pages of {OCR_DOCUMENT}, 300 dpi); "
            f"reference: rendering a page {rendering:.2f} s")


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    docs = [Path(a) for a in argv] or sorted(SHARED.glob("*.txt"))
    import_time, registry_time, registry = startup()
    from ingest.draft import draft_document

    largest = max(docs, key=lambda p: p.stat().st_size)
    docs = docs + [synthetic(largest)]
    print(f"{'document':52} {'size':>8} {'draft (median)':>15} {'read file':>11}")
    for path in docs:
        size = path.stat().st_size
        drafted = median_time(lambda p=path: draft_document(p, registry))
        read = median_time(lambda p=path: p.read_bytes())
        print(f"{path.name:52} {size / 1024:6.1f} KB {_ms(drafted):>15} {_ms(read):>11}")
    print()
    print(f"start-up: imports {_ms(import_time)}, registry + name index {_ms(registry_time)}, "
          f"total {_ms(import_time + registry_time)}")
    wall, rss, _ = child(draft_command(largest))
    base_wall, base_rss, _ = child([sys.executable, "-c", "pass"])
    print(f"whole command `cascade draft {largest.name} --format json`: {_ms(wall)}, "
          f"peak memory {rss:.0f} MB; reference `python -c pass`: {_ms(base_wall)}, {base_rss:.0f} MB")
    try:
        print(ocr_per_page(registry))
    except Exception as exc:  # no Tesseract here: say so, the other figures stand
        print(f"OCR: not measured ({type(exc).__name__}: {exc})")
    work = Path(tempfile.mkdtemp())
    big = bomb(work / "bomb.docx")
    wall, rss, code = child(draft_command(big))
    print(f"1 GB-inflating .docx ({big.stat().st_size / 2**20:.1f} MB on disk): exit {code} in "
          f"{wall:.2f} s, peak memory {rss:.0f} MB (limits: 5 s, 300 MB)")
    long_text = work / "20mb.txt"
    one = largest.read_text(encoding="utf-8")
    long_text.write_text(one * (20_000_000 // len(one.encode("utf-8")) + 1), encoding="utf-8")
    wall, rss, code = child(draft_command(long_text))
    print(f"20 MB text: exit {code} in {wall:.2f} s, peak memory {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
