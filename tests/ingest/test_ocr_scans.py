"""Scans as a scanner gives them (tests/ingest/scans.py: the header in two columns), read by the
real Tesseract: the header's columns read apart, the pages in parallel with their progress, the
OCR cache (a second draft runs no Tesseract), and `cascade draft` on a terminal.

Tesseract calls are counted through the seam OcrRun.command: a small script that notes each
call in a file and runs the real Tesseract.
"""

from __future__ import annotations

import json
import os
import pty
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ingest.draft import draft_document
from ingest.errors import DraftError
from ingest.ocr import OcrRun, ocr_image
from ingest.ocr_cache import OCR_CACHE, OcrCache
from ingest.ocr_columns import header_columns
from ingest.pdf import pdf_pages
from tests.ingest.conftest import ROOT, SHARED
from tests.ingest.scans import BOLD, FONT, HEADERS, scan_pages, scan_pdf
from tests.ingest.test_pdf_ocr import needs_ocr

BAC_NINH = "141-KH-UBND-2025-bac-ninh.txt"
DANG_DOAN = "45-KH-DDTLD-2023-nghi-quyet-29.txt"

needs_fonts = pytest.mark.skipif(not (FONT.exists() and BOLD.exists()),
                                 reason="fonts-dejavu-core not installed")
needs_shared = pytest.mark.skipif(not SHARED.exists(), reason="../shared/directives not present")


def _pages(name: str, count: int) -> list:
    text = (SHARED / name).read_text(encoding="utf-8")
    return scan_pages(text, HEADERS[name], max_pages=count)


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    """Image-only PDFs of the first two pages of each shared directive with a printed header."""
    folder = tmp_path_factory.mktemp("scans")
    return {name: scan_pdf(_pages(name, 2), folder / f"{name[:3]}.pdf") for name in HEADERS}


@pytest.fixture
def counted(tmp_path):
    """(the Tesseract program to give OcrRun.command, calls made so far): a script that notes
    each call reading an image, then runs the real Tesseract."""
    log = tmp_path / "calls.log"
    script = tmp_path / "tesseract"
    script.write_text(f'#!/bin/sh\ncase "$1" in *.pgm) echo "$1" >> "{log}" ;; esac\n'
                      'exec tesseract "$@"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)

    def calls() -> int:
        return len(log.read_text(encoding="utf-8").splitlines()) if log.exists() else 0

    return str(script), calls


@needs_fonts
@needs_shared
def test_a_single_column_page_is_not_cut():
    """No header band in two columns (a page of body text, a blank page): the page is read
    whole, as before."""
    from PIL import Image

    from tests.ingest.printing import page_images

    body = _pages(BAC_NINH, 2)[1]
    assert header_columns(body) is None
    assert header_columns(Image.new("L", (2480, 3508), 255)) is None
    text = (SHARED / DANG_DOAN).read_text(encoding="utf-8")
    assert header_columns(page_images(text)[0]) is None  # printed in one column


@needs_fonts
@needs_shared
@needs_ocr
def test_the_header_columns_are_read_apart():
    """Read whole, Tesseract joins the two columns line by line (the issue as seen); cut at the
    gutter, each column comes out on its own lines, then the title and the body."""
    page = _pages(BAC_NINH, 1)[0]
    gutter, cut = header_columns(page)
    assert 0.3 * page.width < gutter < 0.5 * page.width and cut < 0.3 * page.height
    joined = ocr_image(page, where="trang 1").splitlines()
    assert any("NHÂN DÂN" in line and "CỘNG HÒA" in line for line in joined)
    lines = [line.strip() for line in ocr_image(page, where="trang 1", first_page=True)
             .splitlines()]
    assert not any("NHÂN DÂN" in line and "CỘNG HÒA" in line for line in lines)
    at = {key: next(n for n, line in enumerate(lines) if key in line)
          for key in ("ỦY BAN NHÂN DÂN", "TỈNH BẮC NINH", "Số: 141/KH-UBND", "CỘNG HÒA",
                      "Bắc Ninh, ngày 20 tháng 11 năm 2025", "NÂNG CAO NĂNG LỰC")}
    assert list(at.values()) == sorted(at.values())


@needs_fonts
@needs_shared
@needs_ocr
@pytest.mark.slow
@pytest.mark.parametrize("name, issuer, number, issued_on", [
    (BAC_NINH, "unresolved:ỦY BAN NHÂN DÂN TỈNH BẮC NINH", "141/KH-UBND", "2025-11-20"),
    (DANG_DOAN, "tld_dang_doan", "45-KH/ĐĐTLĐ", "2023-05-23"),
])
def test_a_scanned_header_drafts_the_whole_issuer(scans, registry, name, issuer, number,
                                                  issued_on):
    """The scan of a shared directive, its header in two columns: the issuer is the whole organ
    (not 'ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI …'), with its number and date."""
    header = draft_document(scans[name], registry)["directive"]
    assert (header["issuer"], header["number"], header["issued_on"]) == (issuer, number, issued_on)


@needs_fonts
@needs_shared
@needs_ocr
@pytest.mark.slow
def test_a_second_draft_reads_the_cache_and_runs_no_tesseract(scans, registry, counted,
                                                               tmp_path):
    """Two pages read in parallel, progress from (0, 2) to (2, 2); the same file again: the
    same draft, the same progress, no Tesseract call. A corrupted entry is read again, once,
    and written anew."""
    command, calls = counted
    cache = tmp_path / "cache"
    seen: list[list[tuple[int, int]]] = []

    def draft():
        steps: list[tuple[int, int]] = []
        seen.append(steps)
        return draft_document(scans[BAC_NINH], registry, ocr=OcrRun(
            progress=lambda done, total: steps.append((done, total)), cache_dir=cache,
            workers=2, command=command))

    first = draft()
    assert calls() == 4  # page 1: left column, right column, the rest; page 2
    assert first["directive"]["number"] == "141/KH-UBND"
    second = draft()
    assert calls() == 4
    assert json.dumps(second) == json.dumps(first)
    assert seen == [[(0, 2), (1, 2), (2, 2)]] * 2

    entries = sorted(cache.glob("??/*.json"))
    assert len(entries) == 2
    entries[0].write_text('{"key": "hỏng', encoding="utf-8")
    third = draft()
    assert calls() in (5, 7)  # that page alone: page 2 (1 call) or page 1 (3 calls)
    assert json.dumps(third) == json.dumps(first)
    assert json.loads(entries[0].read_text(encoding="utf-8"))["key"] == entries[0].stem


def test_the_cache_forgets_old_entries_and_keeps_its_size():
    """Entries unused for OCR_CACHE_DAYS go, then the least recently used beyond the size; a
    clean-up runs at most once a day; an unreadable or foreign entry reads as absent."""
    import tempfile

    day = 24 * 3600
    now = [1_000 * day]
    with tempfile.TemporaryDirectory() as folder:
        cache = OcrCache(Path(folder), now=lambda: now[0], max_days=30, max_bytes=10_000)
        keys = [OcrCache.key("f" * 64, "pdf", n, {"tesseract": "5.3.0"}) for n in range(4)]
        for n, key in enumerate(keys):
            now[0] = (1_000 - 40 + n * 10) * day  # used 40, 30, 20 and 10 days ago
            cache.put(key, f"trang {n}" * (1 + 400 * (n == 3)))  # the newest is big
        now[0] = 1_000 * day
        assert cache.get(keys[1]) == "trang 1"  # used now: kept
        assert cache.clean() == 1 and cache.get(keys[0]) is None  # 40 days unused
        assert cache.clean() == 0  # not again the same day
        cache.max_bytes = 2_000
        now[0] += day + 1
        assert cache.clean() == 2  # over the size: the least recently used go (2, then 3)
        assert [cache.get(k) is not None for k in keys] == [False, True, False, False]
        cache.path(keys[1]).write_text(json.dumps({"key": keys[2], "text": "khác"}))
        assert cache.get(keys[1]) is None
        cache.path(keys[1]).write_bytes(b"\xff\xfe")
        assert cache.get(keys[1]) is None


@needs_fonts
@needs_shared
@needs_ocr
@pytest.mark.slow
def test_cascade_draft_shows_a_bar_on_a_terminal_and_keeps_the_json_clean(scans, tmp_path):
    """stderr on a terminal: a progress bar of the pages read; stdout (a pipe) holds exactly
    the JSON. stderr not a terminal: no bar, the summary only; the second run reads the cache
    under CASCADE_HOME."""
    env = {**os.environ, "CASCADE_HOME": str(tmp_path / "home"), "COLUMNS": "100",
           "CASCADE_DATABASE_URL": f"sqlite:///{tmp_path / 'home' / 'cascade.db'}"}
    args = [sys.executable, "-m", "cascade.cli", "draft", str(scans[BAC_NINH]), "--format", "json"]
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 4096)
            except OSError:  # the terminal's last writer has gone
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL,
                            env=env, cwd=ROOT)
    os.close(slave)
    reader.start()
    try:
        out, _ = proc.communicate(timeout=180)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        reader.join(timeout=30)
        os.close(master)
    assert proc.returncode == 0, b"".join(chunks).decode("utf-8", "replace")
    assert json.loads(out)["directive"]["number"] == "141/KH-UBND"
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert "Đọc bản quét bằng OCR" in terminal and "2/2" in terminal, terminal
    assert "Đã soạn" in terminal

    again = subprocess.run(args, capture_output=True, env=env, cwd=ROOT, timeout=180)
    assert again.returncode == 0
    assert json.loads(again.stdout) == json.loads(out)
    assert again.stderr.decode("utf-8").startswith("Đã soạn")  # no bar off a terminal
    assert list((tmp_path / "home" / OCR_CACHE).glob("??/*.json"))


@needs_fonts
@needs_shared
def test_a_page_tesseract_cannot_read_is_named_and_nothing_is_kept(scans, registry, tmp_path):
    """Tesseract failing on a page: the message names the file, the page and Tesseract's own
    words; no draft, nothing in the cache."""
    script = tmp_path / "tesseract"
    script.write_text('#!/bin/sh\necho "Error: không đọc được ảnh" >&2\nexit 1\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    with pytest.raises(DraftError, match=r"141\.pdf \(trang [12]\): Tesseract không đọc được ảnh "
                                         r"\(mã lỗi 1: Error: không đọc được ảnh\)"):
        draft_document(scans[BAC_NINH], registry,
                       ocr=OcrRun(cache_dir=tmp_path / "cache", command=str(script)))
    assert not list((tmp_path / "cache").glob("??/*.json"))


@needs_fonts
@needs_shared
@needs_ocr
def test_stopping_early_ends_the_running_tesseracts(tmp_path):
    """The caller's progress callback raising at the first page read: the error comes out and
    no Tesseract started for the other pages is left running."""
    path = scan_pdf(_pages(BAC_NINH, 3), tmp_path / "ba-trang.pdf")
    pids = tmp_path / "pids"
    script = tmp_path / "tesseract"
    script.write_text(f'#!/bin/sh\ncase "$1" in *.pgm) echo $$ >> "{pids}" ;; esac\n'
                      'exec tesseract "$@"\n', encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)

    def stop(done: int, total: int) -> None:
        if done:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        pdf_pages(path, OcrRun(progress=stop, workers=2, command=str(script)))
    started = [int(pid) for pid in pids.read_text().split()]
    assert started
    for pid in started:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
