"""Serving a reported file to the holder of a link for its task (used or not, until it
expires) or to a console user: always as an attachment, with the type checked at upload, never
sniffed again."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import quote

from sqlmodel import Session
from starlette.responses import Response, StreamingResponse

from models.files import FileStore
from models.links import LinkSigner
from models.report_views import file_of_task
from services.documents import DocumentView
from services.links import reading_link

CHUNK = 256 * 1024


def content_disposition(name: str) -> str:
    """RFC 6266: an ASCII fallback and the UTF-8 name (Vietnamese names survive)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("_") or "tep"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    try:
        while chunk := handle.read(CHUNK):
            yield chunk
    finally:
        handle.close()


def download_response(session: Session, signer: LinkSigner, store: FileStore, token: str,
                      file_id: int, at: dt.datetime, tz: dt.tzinfo) -> Response | None:
    """The file's response, or None when the file is not one of the link's task's reports (or
    its content is missing). Raises services.links.LinkInvalid for a bad or expired link."""
    link = reading_link(session=session, signer=signer, token=token, at=at, tz=tz)
    return task_file_response(session, store, link.task_id, file_id)


def task_file_response(session: Session, store: FileStore, task_id: int,
                       file_id: int) -> Response | None:
    """File `file_id` of a report of task `task_id` as an attachment, or None (not one of the
    task's files, or its content is missing). The caller has checked who asks: a link for the
    task, or a console session."""
    view = file_of_task(session, task_id, file_id)
    if view is None or not store.exists(view.sha256):
        return None
    return StreamingResponse(_chunks(store.open(view.sha256)), media_type=view.content_type,
                             headers={"content-disposition": content_disposition(view.name),
                                      "content-length": str(view.size)})


def document_response(store: FileStore, view: DocumentView | None) -> Response | None:
    """A directive's document as an attachment, or None (no such document, content missing).
    The caller has checked who asks: a console session, or a link to one of its tasks."""
    if view is None or not store.exists(view.sha256):
        return None
    return StreamingResponse(_chunks(store.open(view.sha256)), media_type=view.content_type,
                             headers={"content-disposition": content_disposition(view.name),
                                      "content-length": str(view.size)})
