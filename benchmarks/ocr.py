"""Time reading a scan by OCR: page by page (the reference), in parallel, and from the cache.

    python -m benchmarks.ocr [--pdf SCAN.pdf] [--pages 6] [--repeat 2]

Without --pdf it prints the first pages of a shared directive (141/KH-UBND Bắc Ninh, its
header in two columns, as tests/ingest/scans.py prints it) to an image-only PDF at 300 dpi.
Every figure comes from this run, on this machine:

- before: the reading of this change's parent, for comparison: each page rendered and given
  to pytesseract (--psm 4, Tesseract's default OpenMP threads), one after the other;
- page by page (the reference): ingest.ocr with one worker (the header's columns read apart,
  one OpenMP thread per Tesseract), no cache;
- parallel: one worker process per CPU (os.cpu_count()), no cache;
- cached: the same file again with a warm OCR cache (no Tesseract run).

The target is parallel under half of page by page. Page by page and parallel run --repeat
times, interleaved, and the best of each is kept (the machine is shared: the best run is the
least disturbed one). Since parallel reading can only use the CPUs nobody else uses, the run
also measures them, before and after: a busy loop alone against one per CPU side by side.
The parallel text is checked against the page-by-page text, and the drafted header printed.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "directives"
DOCUMENT = "141-KH-UBND-2025-bac-ninh.txt"


def make_scan(target: Path, pages: int) -> Path:
    from tests.ingest.scans import HEADERS, scan_pages, scan_pdf

    text = (SHARED / DOCUMENT).read_text(encoding="utf-8")
    images = scan_pages(text, HEADERS[DOCUMENT], max_pages=pages)
    if len(images) < pages:
        raise SystemExit(f"{DOCUMENT} prints to {len(images)} pages only")
    return scan_pdf(images, target)


def before(path: Path) -> list[str]:
    """The parent commit's reading: render each page, pytesseract with its defaults."""
    import pypdfium2 as pdfium
    import pytesseract

    texts = []
    pdf = pdfium.PdfDocument(str(path))
    try:
        for index in range(len(pdf)):
            page = pdf[index]
            bitmap = page.render(scale=300 / 72, grayscale=True)
            image = bitmap.to_pil()
            texts.append(pytesseract.image_to_string(image.convert("L"), lang="vie",
                                                     config="--psm 4"))
            bitmap.close()
            page.close()
    finally:
        pdf.close()
    return texts


CPU_SECONDS: dict[str, list[float]] = {"page by page": [], "parallel": []}


def timed(action, label: str | None = None):  # type: ignore[no-untyped-def]
    """(wall seconds, result); with `label`, the CPU seconds of the Tesseract processes it ran
    are noted under it."""
    before_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    result = action()
    wall = time.perf_counter() - began
    after_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    if label:
        CPU_SECONDS[label].append(after_cpu.ru_utime + after_cpu.ru_stime
                                  - before_cpu.ru_utime - before_cpu.ru_stime)
    return wall, result


BUSY = "x = 0\nfor i in range(15_000_000): x += i"


def free_cpus() -> float:
    """How many CPUs this run really has: one busy process's time over the time of as many
    busy processes as there are CPUs, side by side (2.0 on an idle 2-core machine, 1.0 when
    others keep one core busy)."""
    def busy(count: int) -> float:
        began = time.perf_counter()
        procs = [subprocess.Popen([sys.executable, "-c", BUSY]) for _ in range(count)]
        try:
            for proc in procs:
                proc.wait(timeout=120)
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait(timeout=10)
        return time.perf_counter() - began

    cpus = os.cpu_count() or 1
    alone = busy(1)
    return cpus * alone / busy(cpus)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pdf", type=Path, help="a scanned PDF (default: a printed shared directive)")
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--skip-before", action="store_true",
                        help="leave out the parent's reading (the slowest figure)")
    args = parser.parse_args(argv)

    from ingest.ocr import OcrRun, tesseract, tesseract_version
    from ingest.pdf import pdf_pages

    tesseract()
    work = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    path = args.pdf or make_scan(work / "scan.pdf", args.pages)
    cpus = os.cpu_count() or 1
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    pages = len(pdf)
    pdf.close()
    print(f"{path.name}: {pages} pages at 300 dpi; {tesseract_version('tesseract')}; {cpus} CPUs;"
          f" load average before the run {os.getloadavg()[0]:.2f}")

    print(f"CPUs free for this run (a busy loop alone vs {cpus} side by side): "
          f"{free_cpus():.2f} of {cpus}")
    if not args.skip_before:
        old, _ = timed(lambda: before(path))
        print(f"before (parent commit, pytesseract, default threads): {old:6.2f} s  "
              f"{old / pages:5.2f} s a page")
    serials, parallels = [], []
    for _ in range(args.repeat):  # interleaved, so a busy moment falls on both
        seconds, one = timed(lambda: pdf_pages(path, OcrRun(workers=1)), "page by page")
        serials.append(seconds)
        seconds, many = timed(lambda: pdf_pages(path, OcrRun(workers=cpus)), "parallel")
        parallels.append(seconds)
    serial, parallel = min(serials), min(parallels)
    print(f"page by page (reference, 1 worker):                  {serial:6.2f} s  "
          f"{serial / pages:5.2f} s a page  (runs: {', '.join(f'{t:.2f}' for t in serials)})")
    print(f"parallel ({cpus} workers):                              {parallel:6.2f} s  "
          f"{parallel / pages:5.2f} s a page  (runs: {', '.join(f'{t:.2f}' for t in parallels)})")
    cache = work / "cache"
    pdf_pages(path, OcrRun(workers=cpus, cache_dir=cache))
    cached, warm = timed(lambda: pdf_pages(path, OcrRun(workers=cpus, cache_dir=cache)))
    print(f"cached (warm OCR cache):                             {cached:6.2f} s  "
          f"{cached / pages:5.2f} s a page")
    print(f"CPUs free after the runs: {free_cpus():.2f} of {cpus}")
    print("Tesseract CPU seconds a run: " + "; ".join(
        f"{label} {min(values):.2f}" for label, values in CPU_SECONDS.items())
        + " (parallel reading does the same work, on more CPUs when they are free)")
    print(f"ratio parallel / page by page: {parallel / serial:.2f} (target < 0.50); "
          f"cached / page by page: {cached / serial:.3f}"
          + ("" if args.skip_before else f"; parallel / before: {parallel / old:.2f}"))
    same = one.texts == many.texts == warm.texts
    print(f"same text page by page, in parallel and from the cache: {'yes' if same else 'NO'}")

    from ingest.draft import draft_document
    from models.registry import load_registry

    registry = load_registry(ROOT / "config" / "bodies.yaml")
    header = draft_document(path, registry, ocr=OcrRun(cache_dir=cache))["directive"]
    print(f"drafted header: issuer {header['issuer']!r}, number {header['number']!r}, "
          f"issued on {header['issued_on']!r}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
