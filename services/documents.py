"""The document a directive was drafted from ("Giao việc mới" upload): its content kept in the
file store once per content (as report files are), a row naming it with the draft, then with
the directive the draft launched; served to console users and to the holders of the
directive's task links."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re

from sqlmodel import Session, col, select

from models.console_tables import DirectiveDocument
from models.files import FILE_TYPES, FileRefused, FileStore, Staged, safe_name
from models.files import sniff as sniff_file
from models.report_views import FileView
from models.tables import Cascade, Task

TEXT_TYPES = {".yaml": "application/yaml", ".txt": "text/plain; charset=utf-8"}
NOT_STORED = ("Không ghi được tệp vào kho lưu trữ (ổ đĩa đầy hoặc không ghi được); chưa lưu gì. "
              "Báo người quản trị hệ thống rồi thử lại.")


DocumentView = FileView  # a document is shown and downloaded as a report file is


def content_type(data: bytes) -> str:
    kind = sniff_file(io.BytesIO(data))
    if kind in FILE_TYPES:
        return FILE_TYPES[kind].mime
    text = data[:4096].decode("utf-8-sig", errors="replace")
    if re.search(r"^directive:", text, re.M):
        return TEXT_TYPES[".yaml"]
    return TEXT_TYPES[".txt"]


def keep_upload(*, session: Session, store: FileStore, draft_id: int | None, name: str,
                data: bytes, user_id: int, at: dt.datetime,
                staged: Staged | None = None) -> DirectiveDocument:
    """Store the uploaded document (its content once, whoever uploads it again) and name it
    with the draft (None: a scan being read; its draft claims it, `claim_for_draft`). The
    content is stored first: a failed transaction leaves only content that no row names, which
    services.file_store.clean_store removes. `staged`: the content already copied into the
    store before the transaction began (FileStore.stage), only named here."""
    try:
        shown = safe_name(name)
    except FileRefused:
        shown = "van-ban"
    stored = store.publish(staged) if staged is not None else store.put(io.BytesIO(data))
    row = DirectiveDocument(sha256=stored.sha256, name=shown, size=stored.size,
                            content_type=content_type(data), draft_id=draft_id,
                            uploaded_by=user_id, uploaded_at=at)
    session.add(row)
    session.flush()
    return row


def claim_for_draft(*, session: Session, data: bytes, user_id: int, draft_id: int) -> None:
    """A scan read into draft `draft_id`: the user's document of that content that no draft
    has yet becomes the draft's."""
    sha = hashlib.sha256(data).hexdigest()
    row = session.exec(select(DirectiveDocument).where(
        DirectiveDocument.sha256 == sha, DirectiveDocument.uploaded_by == user_id,
        col(DirectiveDocument.draft_id).is_(None), col(DirectiveDocument.directive_id).is_(None))
        .order_by(col(DirectiveDocument.id))).first()
    if row is not None:
        row.draft_id = draft_id
        session.add(row)


def attach_to_launch(*, session: Session, draft_id: int, cascade_id: int | None) -> None:
    """The draft launched cascade `cascade_id`: its document goes with the directive."""
    if cascade_id is None:
        return
    cascade = session.get(Cascade, cascade_id)
    if cascade is None:
        return
    for row in session.exec(select(DirectiveDocument)
                            .where(DirectiveDocument.draft_id == draft_id)).all():
        row.directive_id = cascade.directive_id
        session.add(row)


def _view(row: DirectiveDocument) -> DocumentView:
    return DocumentView(int(row.id or 0), row.name, row.size, row.content_type, row.sha256)


def of_directive(session: Session, directive_id: int) -> list[DocumentView]:
    return [_view(r) for r in session.exec(
        select(DirectiveDocument).where(DirectiveDocument.directive_id == directive_id)
        .order_by(col(DirectiveDocument.id))).all()]


def of_task(session: Session, task_id: int) -> list[DocumentView]:
    """The documents of the directive task `task_id` belongs to (for its link pages)."""
    directive_id = session.execute(
        select(Cascade.directive_id).join(Task, col(Task.cascade_id) == Cascade.id)
        .where(Task.id == task_id)).scalar()
    return of_directive(session, int(directive_id)) if directive_id is not None else []


def find(session: Session, document_id: int, *, task_id: int | None = None) -> DocumentView | None:
    """Document `document_id` of a launched directive (of task `task_id`'s directive, when
    given); None otherwise."""
    row = session.get(DirectiveDocument, document_id)
    if row is None or row.directive_id is None:
        return None
    if task_id is not None and document_id not in {d.id for d in of_task(session, task_id)}:
        return None
    return _view(row)


def named_contents(session: Session) -> set[str]:
    """The contents documents name (the file store's cleaner keeps them)."""
    return set(session.exec(select(DirectiveDocument.sha256).distinct()).all())
