"""The OCR cache: the text of each scanned page already read, so drafting the same file again
runs no Tesseract.

An entry is one small JSON file, `<dir>/<key[:2]>/<key>.json`, whose key is the SHA-256 of
the file's content, the page and the OCR settings (language, dpi, how a page is read,
Tesseract's version): another file, another page or another Tesseract gives another key.
Entries are written whole or not at all (models/atomic.py); one that cannot be read, or that
names another key, is ignored and written again. Reading an entry touches it; `clean()` (at
most once a day, after a draft that added entries) drops the entries unused for
OCR_CACHE_DAYS and then the least recently used ones beyond OCR_CACHE_BYTES. A cache that
cannot be written costs time, never a draft.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ingest.limits import OCR_CACHE_BYTES, OCR_CACHE_DAYS
from models.atomic import write_atomically

OCR_CACHE = "ocr-cache"  # the cache's folder under the data directory (CASCADE_HOME, .cascade/)
DAY = 24 * 3600
STAMP = ".cleaned"


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class OcrCache:
    def __init__(self, directory: Path, *, now: Callable[[], float] = time.time,
                 max_days: int = OCR_CACHE_DAYS, max_bytes: int = OCR_CACHE_BYTES) -> None:
        self.directory = Path(directory)
        self.now = now
        self.max_days = max_days
        self.max_bytes = max_bytes

    @staticmethod
    def key(file_digest: str, source: str, index: int, settings: dict[str, Any]) -> str:
        what = json.dumps({"file": file_digest, "source": source, "page": index, **settings},
                          sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(what.encode("utf-8")).hexdigest()

    def path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, key: str) -> str | None:
        """The page's text, or None when absent or unreadable (then it is read again)."""
        path = self.path(key)
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        if not isinstance(entry, dict) or entry.get("key") != key \
                or not isinstance(entry.get("text"), str):
            return None
        try:
            stamp = self.now()
            os.utime(path, (stamp, stamp))  # used now: kept by the clean-up
        except OSError:
            pass
        return str(entry["text"])

    def put(self, key: str, text: str) -> None:
        try:
            write_atomically(self.path(key), json.dumps({"key": key, "text": text},
                                                        ensure_ascii=False))
            stamp = self.now()
            os.utime(self.path(key), (stamp, stamp))
        except OSError:
            pass

    def clean(self, *, force: bool = False) -> int:
        """Drop old and excess entries, at most once a day unless `force`; how many went."""
        now = self.now()
        stamp = self.directory / STAMP
        try:
            if not force and now - stamp.stat().st_mtime < DAY:
                return 0
        except OSError:
            pass
        entries = []
        for path in self.directory.glob("??/*.json"):
            try:
                info = path.stat()
            except OSError:
                continue
            entries.append((info.st_mtime, info.st_size, path))
        removed = 0
        total = sum(size for _, size, _ in entries)
        for used, size, path in sorted(entries):  # oldest first
            if used >= now - self.max_days * DAY and total <= self.max_bytes:
                break
            try:
                path.unlink()
            except OSError:
                continue
            total -= size
            removed += 1
        for path in self.directory.glob("??/.*.tmp"):  # left by a crash between write and rename
            try:
                if path.stat().st_mtime < now - DAY:
                    path.unlink()
            except OSError:
                pass
        try:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.touch()
            os.utime(stamp, (now, now))
        except OSError:
            pass
        return removed
