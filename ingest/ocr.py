"""Tesseract OCR (Vietnamese model) for scanned PDFs and images: the header's two columns read
apart, the pages read in parallel, each page's text kept in a cache.

Tesseract is a Debian program, not a Python package: when it or its Vietnamese model is
missing the message names the Debian packages to install.

- The header of an administrative document stands in two columns at the top of the first
  page (left: the organ and the number; right: the motto, the place and the date). Read as one
  block, Tesseract joins the two columns line by line ("ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI …"), so
  the first page's header band (the lines above the first one that crosses the middle of the
  page) is cut at its white gutter and each half is read alone, then the rest of the page.
  Measured on printed scans of 141/KH-UBND and 45-KH/ĐĐTLĐ: --psm 4 and --psm 3 both join
  the columns; the cut reads them apart.
- Pages are read in parallel, one Tesseract process per CPU at a time: a pool of as many
  threads, each rendering its page (pdfium under one lock: it is not thread-safe, and takes
  0.1 s a page) and waiting on its Tesseract, so no more pages are in memory than there are
  threads, and nothing depends on how the program was started (no worker process imports the
  caller's __main__). Each Tesseract runs with OMP_THREAD_LIMIT=1: its OpenMP threads only
  compete with the other pages' (alone, 1.2 s a page with one thread, 6.5 s with its default
  threads, on this 2-core machine). When reading stops early (an error, the caller's progress
  callback raising) the Tesseract processes still running are terminated.
- A page's text is kept in the cache (ingest/ocr_cache.py) under the file's hash, the page and
  these settings, so drafting the same file again runs no Tesseract at all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Generator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.errors import DraftError
from ingest.limits import MAX_IMAGE_PIXELS, MAX_OCR_PAGES, OCR_CALL_SECONDS
from ingest.ocr_columns import blank, header_parts
from ingest.pdf import DPI, render_page
from ingest.reading import Pages
from models.vocabulary import vi_number

LANGUAGE = "vie"
PSM = 4  # a single column of text of variable sizes: a directive's page, or one header column
MODE = "psm4+header-columns-1"  # how a page is read; part of the cache key (change it with it)
_checked = False
_versions: dict[str, str] = {}

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class OcrRun:
    """How the scanned pages of one draft are read.

    progress(done, total) is called in the calling thread: (0, total) first, then once per page
    read (from the cache or by Tesseract), up to (total, total). cache_dir None: no cache.
    workers: how many pages are read at a time (None: one per CPU). command: the Tesseract program
    (None: pytesseract's, normally `tesseract`). now: the clock of the cache's clean-up.
    max_pages: how many pages may need OCR (more: DraftError before any is read)."""

    progress: Progress | None = None
    cache_dir: Path | None = None
    workers: int | None = None
    command: str | None = None
    now: Callable[[], float] = field(default=time.time)
    max_pages: int = MAX_OCR_PAGES


@dataclass(frozen=True)
class PageJob:
    """One page to read: page `index` (0-based) of a PDF, or frame `index` of an image."""

    source: str  # "pdf" | "image"
    path: str
    index: int
    where: str
    command: str


def tesseract() -> Any:
    """The pytesseract module, once Tesseract and its Vietnamese model are known present."""
    global _checked
    try:
        import pytesseract
    except ImportError:
        raise DraftError("văn bản là bản quét (ảnh) nên cần đọc bằng OCR, nhưng thiếu gói Python "
                         "pytesseract; cài: pip install pytesseract") from None
    if _checked:
        return pytesseract
    try:
        languages = pytesseract.get_languages(config="")
    except pytesseract.TesseractNotFoundError:
        raise DraftError("văn bản là bản quét (ảnh) nên cần đọc bằng OCR, nhưng máy chưa cài "
                         "Tesseract; cài gói Debian: apt-get install tesseract-ocr "
                         "tesseract-ocr-vie") from None
    except Exception as exc:  # a broken installation
        raise DraftError(f"không chạy được Tesseract OCR ({type(exc).__name__}); kiểm tra gói "
                         "Debian tesseract-ocr") from None
    if LANGUAGE not in languages:
        raise DraftError("Tesseract chưa có mô hình tiếng Việt; cài gói Debian: apt-get install "
                         "tesseract-ocr-vie")
    _checked = True
    return pytesseract


def default_command() -> str:
    return str(tesseract().pytesseract.tesseract_cmd)


def tesseract_version(command: str) -> str:
    """`tesseract --version`'s first line (part of the cache key), once per process."""
    if command not in _versions:
        try:
            run = subprocess.run([command, "--version"], capture_output=True, timeout=30,
                                 env=_environment())
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise DraftError(f"không chạy được Tesseract OCR ({type(exc).__name__}); kiểm tra gói "
                             "Debian tesseract-ocr") from None
        text = (run.stdout or run.stderr).decode("utf-8", "replace").strip()
        _versions[command] = text.splitlines()[0] if text else "unknown"
    return _versions[command]


def settings_key(command: str) -> dict[str, Any]:
    """What a page's text depends on besides the page itself."""
    return {"language": LANGUAGE, "dpi": DPI, "mode": MODE, "tesseract": tesseract_version(command)}


class Children:
    """The Tesseract processes a reading has running, to terminate them if it stops early."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: set[subprocess.Popen[bytes]] = set()
        self.stopped = False

    def run(self, args: list[str], timeout: float) -> tuple[int, bytes, bytes]:
        with self._lock:
            if self.stopped:
                raise _Stopped()
            child = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=_environment())
            self._running.add(child)
        try:
            out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            child.communicate(timeout=30)
            raise
        finally:
            with self._lock:
                self._running.discard(child)
        if self.stopped:
            raise _Stopped()
        return child.returncode, out, err

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            running = list(self._running)
        for child in running:
            if child.poll() is None:
                child.terminate()
        for child in running:
            try:
                child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait(timeout=30)


class _Stopped(Exception):
    """The reading was stopped: this page is not wanted any more."""


def ocr_image(image: Any, *, where: str, first_page: bool = False,
              command: str | None = None, children: Children | None = None) -> str:
    """The Vietnamese text of one page image (a PIL image); on the first page of a document the
    header's two columns are read apart."""
    _check_image(where, *image.size)
    command = command or default_command()
    children = children or Children()
    grey = image if image.mode == "L" else image.convert("L")
    parts = header_parts(grey) if first_page else [grey]
    texts = []
    with tempfile.TemporaryDirectory(prefix="cascade-ocr-") as tmp:
        for number, part in enumerate(parts):
            if blank(part):
                continue
            file = Path(tmp) / f"{number}.pgm"
            part.save(file)
            texts.append(_run_tesseract(command, file, where=where, children=children)
                         .strip("\n\f "))
    return "\n\n".join(t for t in texts if t) + "\n"


def _environment() -> dict[str, str]:
    return {**os.environ, "OMP_THREAD_LIMIT": "1"}


def _run_tesseract(command: str, image: Path, *, where: str, children: Children) -> str:
    args = [command, str(image), "stdout", "-l", LANGUAGE, "--psm", str(PSM), "--dpi", str(DPI)]
    try:
        code, out, err = children.run(args, OCR_CALL_SECONDS)
    except subprocess.TimeoutExpired:
        raise DraftError(f"{where}: Tesseract đọc trang quá {OCR_CALL_SECONDS} giây, đã dừng; "
                         "quét lại trang ở 300 dpi") from None
    except OSError as exc:
        raise DraftError(f"{where}: không chạy được Tesseract OCR ({exc.strerror or exc}); cài gói "
                         "Debian: apt-get install tesseract-ocr tesseract-ocr-vie") from None
    if code == -signal.SIGXCPU:
        raise DraftError(f"{where}: Tesseract vượt giới hạn thời gian CPU của một lần soạn, đã "
                         "dừng; tách văn bản hoặc quét lại ít trang hơn")
    if code != 0:
        said = err.decode("utf-8", "replace").strip().splitlines()
        raise DraftError(f"{where}: Tesseract không đọc được ảnh (mã lỗi {code}"
                         f"{': ' + said[-1] if said else ''})")
    return out.decode("utf-8", "replace").replace("\f", "\n")


# -- the header's two columns -------------------------------------------------------------------

_PDFIUM = threading.Lock()  # pdfium is not thread-safe: one call at a time in this process


def read_page(job: PageJob, children: Children | None = None) -> str:
    """The text of one page."""
    try:
        image = _load(job)
        return ocr_image(image, where=job.where, first_page=job.index == 0, command=job.command,
                         children=children)
    except (DraftError, _Stopped):
        raise
    except MemoryError:
        raise DraftError(f"{job.where}: trang quá lớn, không đủ bộ nhớ để đọc bằng OCR") from None
    except Exception as exc:  # a page the renderer or the image library cannot read
        raise DraftError(f"{job.where}: không đọc được ảnh của trang ({type(exc).__name__}: "
                         f"{exc})") from None


def _load(job: PageJob) -> Any:
    if job.source == "pdf":
        import pypdfium2 as pdfium

        with _PDFIUM:
            pdf = pdfium.PdfDocument(job.path)
            try:
                return render_page(pdf, job.index, job.where)
            finally:
                pdf.close()
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    with Image.open(job.path) as image:  # lazy: the header's size, nothing decoded yet
        image.seek(job.index)
        _check_image(job.where, *image.size)
        return image.convert("L")


def _check_image(where: str, width: int, height: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise DraftError(f"{where}: ảnh {width}x{height} điểm vượt giới hạn "
                         f"{vi_number(MAX_IMAGE_PIXELS)} điểm ảnh; quét lại ở 300 dpi")


def cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def read_scans(path: Path, jobs: list[PageJob], run: OcrRun) -> list[str]:
    """The text of each job's page, in order: from the cache, else by Tesseract, in parallel."""
    from ingest.ocr_cache import OcrCache, file_digest

    total = len(jobs)
    texts: list[str | None] = [None] * total
    report = run.progress or (lambda done, total: None)
    cache = keys = None
    if run.cache_dir is not None and jobs:
        cache = OcrCache(run.cache_dir, now=run.now)
        digest, settings = file_digest(path), settings_key(jobs[0].command)
        keys = [cache.key(digest, job.source, job.index, settings) for job in jobs]
        texts = [cache.get(key) for key in keys]
    done = sum(t is not None for t in texts)
    report(0, total)
    for count in range(1, done + 1):
        report(count, total)
    todo = [n for n, text in enumerate(texts) if text is None]
    with closing(_read_all([jobs[n] for n in todo], run.workers)) as read:
        for n, text in read:
            texts[todo[n]] = text
            if cache is not None and keys is not None:
                cache.put(keys[todo[n]], text)
            done += 1
            report(done, total)
    if cache is not None and todo:
        cache.clean()
    return [t or "" for t in texts]


def _read_all(jobs: list[PageJob], workers: int | None) -> Generator[tuple[int, str], None, None]:
    """(position, text) of each job as it is read, `workers` pages at a time (default: one per
    CPU). Stopped early (an error here, or the caller closing it), the pages not started are
    dropped and the Tesseract processes running are terminated."""
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    width = max(1, min(workers or cpus(), len(jobs)))
    children = Children()
    pool = ThreadPoolExecutor(max_workers=width, thread_name_prefix="ocr")
    pending: dict[Any, int] = {}
    try:
        pending = {pool.submit(read_page, job, children): n for n, job in enumerate(jobs)}
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:  # each Tesseract call is bounded by OCR_CALL_SECONDS
                n = pending.pop(future)
                yield n, future.result()
    finally:
        if pending:
            children.stop()
        pool.shutdown(wait=True, cancel_futures=True)


def image_pages(path: Path, ocr: OcrRun | None = None) -> Pages:
    """A scanned image (.png, .jpg, .tif; every frame of a multi-page TIFF) read by OCR."""
    try:
        from PIL import Image
    except ImportError:  # pragma: no cover - pillow comes with pytesseract
        raise DraftError("cần gói Python pillow để đọc ảnh quét (pip install pillow)") from None
    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        with Image.open(path) as image:
            width, height = image.size
            frames = int(getattr(image, "n_frames", 1))
    except Image.DecompressionBombError:
        raise DraftError(f"{path}: ảnh vượt giới hạn {vi_number(MAX_IMAGE_PIXELS)} điểm ảnh; quét lại "
                         "ở 300 dpi") from None
    except (OSError, ValueError) as exc:
        raise DraftError(f"{path}: không mở được ảnh ({exc})") from None
    _check_image(f"{path} (trang 1)", width, height)
    run = ocr or OcrRun()
    if frames > run.max_pages:
        raise DraftError(f"{path}: ảnh có {frames} trang, vượt giới hạn {run.max_pages} trang "
                         "đọc bằng OCR; tách tệp")
    command = run.command or default_command()
    jobs = [PageJob("image", str(path), n, f"{path} (trang {n + 1})", command)
            for n in range(frames)]
    texts = read_scans(path, jobs, run)
    return Pages(texts=texts, ocr_pages=list(range(1, frames + 1)))
