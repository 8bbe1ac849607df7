"""The file stores: one contract run against the folder on disk and the in-memory fake."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os

import pytest

from services.file_store import DiskFileStore, MemoryFileStore
from tests.results.samples import PDF, docx_bytes


@pytest.fixture(params=["disk", "memory"])
def store(request, tmp_path):
    return DiskFileStore(tmp_path / "files") if request.param == "disk" else MemoryFileStore()


def test_put_names_the_content_by_its_hash_and_reads_it_back(store):
    """put returns the SHA-256 and size; open gives the same bytes back."""
    data = docx_bytes()
    stored = store.put(io.BytesIO(data))
    assert stored.sha256 == hashlib.sha256(data).hexdigest() and stored.size == len(data)
    assert store.exists(stored.sha256)
    with store.open(stored.sha256) as handle:
        assert handle.read() == data


def test_the_same_content_is_stored_once(store):
    """Putting the same bytes twice keeps one copy."""
    first = store.put(io.BytesIO(PDF))
    second = store.put(io.BytesIO(PDF))
    assert first == second
    assert [sha for sha, _ in store.contents()] == [first.sha256]


def test_remove_and_unknown_hashes(store):
    """A removed content is gone; a malformed hash is refused, never a path."""
    stored = store.put(io.BytesIO(PDF))
    store.remove(stored.sha256)
    assert not store.exists(stored.sha256) and list(store.contents()) == []
    with pytest.raises((ValueError, KeyError)):
        store.open("../../etc/passwd")


def test_disk_layout_and_a_crash_mid_write_leaves_no_file_under_the_name(tmp_path):
    """Files live under ab/abcd...; a write that fails part-way leaves nothing under the real
    name and no temporary file behind."""
    store = DiskFileStore(tmp_path / "files")
    stored = store.put(io.BytesIO(PDF))
    assert (tmp_path / "files" / stored.sha256[:2] / stored.sha256).read_bytes() == PDF

    class Breaks(io.BytesIO):
        def read(self, size=-1):
            if self.tell() > 0:
                raise OSError(5, "Input/output error")
            return super().read(4)

    with pytest.raises(OSError):
        store.put(Breaks(docx_bytes()))
    assert [sha for sha, _ in store.contents()] == [stored.sha256]
    assert list((tmp_path / "files" / ".incoming").iterdir()) == []


def test_partial_files_of_a_killed_process_are_cleaned_when_old(tmp_path):
    """A temporary file a killed process left is removed once older than the grace period."""
    store = DiskFileStore(tmp_path / "files")
    store.put(io.BytesIO(PDF))
    partial = tmp_path / "files" / ".incoming" / "x.part"
    partial.write_bytes(b"%PDF-half")
    old = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    os.utime(partial, (old.timestamp(), old.timestamp()))
    assert store.remove_partial(dt.datetime(2019, 1, 1, tzinfo=dt.UTC)) == 0
    assert store.remove_partial(dt.datetime(2021, 1, 1, tzinfo=dt.UTC)) == 1
    assert not partial.exists()


def test_memory_fake_fails_on_request():
    """MemoryFileStore(fail_on_put=2) fails the second put like a full disk."""
    store = MemoryFileStore(fail_on_put=2)
    store.put(io.BytesIO(PDF))
    with pytest.raises(OSError, match="No space"):
        store.put(io.BytesIO(docx_bytes()))
    assert len(store.data) == 1
