"""File stores (models/files.FileStore): a folder on disk, and an in-memory fake for tests.

Contents are named by their SHA-256 (`ab/abcdef...`), so two bodies sending the same file
store it once. A content is written to a temporary file in the store, flushed to disk, then
renamed to its name: a crash leaves either the whole file or only a temporary one, which
`clean_store` removes with the orphans (contents no report row names). An upload copies its
files in (`stage`) before its write transaction begins and only renames them (`publish`) inside
it, so the database's writer is never kept waiting on a copy; what was staged for a transaction
that failed is discarded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from sqlmodel import Session, select

from models.files import FileStore, Staged, StoredContent
from models.tables import ReportFile

CHUNK = 1024 * 1024
_SHA = re.compile(r"[0-9a-f]{64}")
INCOMING = ".incoming"


def _check(sha256: str) -> str:
    if not _SHA.fullmatch(sha256):
        raise ValueError(f"không phải mã SHA-256: {sha256!r}")
    return sha256


class DiskFileStore:
    """A folder (CASCADE_FILES_DIR, by default .cascade/files)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.description = str(self.root)

    def path(self, sha256: str) -> Path:
        sha = _check(sha256)
        return self.root / sha[:2] / sha

    def put(self, content: BinaryIO) -> StoredContent:
        return self.publish(self.stage(content))

    def stage(self, content: BinaryIO) -> Staged:
        """Copy `content` whole to a temporary file in the store (flushed to disk)."""
        incoming = self.root / INCOMING
        incoming.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, tmp = tempfile.mkstemp(dir=incoming, suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                while chunk := content.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    handle.write(chunk)
                handle.flush()
                os.fsync(handle.fileno())
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return Staged(digest.hexdigest(), size, tmp)

    def publish(self, staged: Staged) -> StoredContent:
        """Give a staged content its name (a rename: no copying)."""
        tmp = Path(staged.ticket)
        try:
            final = self.path(staged.sha256)
            if final.exists() and final.stat().st_size == staged.size:
                tmp.unlink()  # the same content is already there
            else:
                final.parent.mkdir(parents=True, exist_ok=True)
                os.replace(tmp, final)
                _sync_dir(final.parent)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return StoredContent(staged.sha256, staged.size)

    def discard(self, staged: Staged) -> None:
        Path(staged.ticket).unlink(missing_ok=True)

    def exists(self, sha256: str) -> bool:
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        return self.path(sha256).open("rb")

    def contents(self) -> Iterator[tuple[str, dt.datetime]]:
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.name == INCOMING or not folder.is_dir():
                continue
            for item in sorted(folder.iterdir()):
                if _SHA.fullmatch(item.name):
                    yield item.name, dt.datetime.fromtimestamp(item.stat().st_mtime, dt.UTC)

    def remove(self, sha256: str) -> None:
        self.path(sha256).unlink(missing_ok=True)

    def remove_partial(self, older_than: dt.datetime) -> int:
        """Temporary files left by a crash mid-write, older than `older_than`."""
        removed = 0
        for item in (self.root / INCOMING).glob("*.part") if self.root.is_dir() else ():
            if dt.datetime.fromtimestamp(item.stat().st_mtime, dt.UTC) < older_than:
                item.unlink(missing_ok=True)
                removed += 1
        return removed


def _sync_dir(path: Path) -> None:
    """Make the rename itself durable (POSIX): fsync the folder that holds the new name."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class MemoryFileStore:
    """A supported fake: contents in a dict. `fail_on_put=N` makes the N-th put fail (as a
    full disk would) after reading the content, to test that nothing is recorded then."""

    description = "bộ nhớ (MemoryFileStore)"

    # contents in memory have no age: all are old enough to clean
    STORED_AT = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)

    def __init__(self, *, fail_on_put: int | None = None) -> None:
        self.data: dict[str, bytes] = {}
        self.staged: dict[str, bytes] = {}  # staged, not yet published
        self.stored_at: dict[str, dt.datetime] = {}
        self.puts = 0
        self.fail_on_put = fail_on_put

    def put(self, content: BinaryIO) -> StoredContent:
        return self.publish(self.stage(content))

    def stage(self, content: BinaryIO) -> Staged:
        data = content.read()
        self.puts += 1
        if self.fail_on_put is not None and self.puts == self.fail_on_put:
            raise OSError(28, "No space left on device")
        sha = hashlib.sha256(data).hexdigest()
        ticket = f"{self.puts}-{sha}"
        self.staged[ticket] = data
        return Staged(sha, len(data), ticket)

    def publish(self, staged: Staged) -> StoredContent:
        data = self.staged.pop(staged.ticket)
        self.data.setdefault(staged.sha256, data)
        self.stored_at.setdefault(staged.sha256, self.STORED_AT)
        return StoredContent(staged.sha256, staged.size)

    def discard(self, staged: Staged) -> None:
        self.staged.pop(staged.ticket, None)

    def exists(self, sha256: str) -> bool:
        return sha256 in self.data

    def open(self, sha256: str) -> BinaryIO:
        return io.BytesIO(self.data[_check(sha256)])

    def contents(self) -> Iterator[tuple[str, dt.datetime]]:
        yield from sorted(self.stored_at.items())

    def remove(self, sha256: str) -> None:
        self.data.pop(sha256, None)
        self.stored_at.pop(sha256, None)


def clean_store(*, session: Session, store: FileStore, older_than: dt.datetime) -> list[str]:
    """Remove contents no report and no directive document names (left by an upload that failed
    after storing its files) and stored before `older_than` (a grace period: an upload in flight
    has no row yet). Returns the removed hashes."""
    from services.documents import named_contents

    named = set(session.exec(select(ReportFile.sha256).distinct()).all()) | named_contents(session)
    removed = [sha for sha, stored_at in list(store.contents())
               if sha not in named and stored_at < older_than]
    for sha in removed:
        store.remove(sha)
    if isinstance(store, DiskFileStore):
        store.remove_partial(older_than)
    return removed
