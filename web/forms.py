"""Reading a link page's form: plain fields, and for a report its files and figures, within
the upload limits. The body is counted as it arrives, so an oversized request is refused
without being read to the end; files are spooled by Starlette (1 MB in memory, the rest in
an unlinked temporary file) and closed when the request ends."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from python_multipart.exceptions import MultipartParseError
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.types import Message, Receive

from models.files import FileStore, Upload, UploadLimits
from models.vocabulary import file_size
from services.links import PreparedFiles, prepare_files
from web.inputs import BadInput, check_field

FIGURE_PREFIX = "figure-"
FORM_OVERHEAD = 1024 * 1024  # the text fields and the multipart framing around the files


@dataclass
class LinkForm:
    """What a link page's POST carried. `problem`: why it could not be read (nothing was kept
    of it but the fields read before)."""

    note: str = ""
    until: str = ""
    uploads: list[Upload] = field(default_factory=list)
    figures: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    prepared: PreparedFiles | None = None  # the files checked and staged in the store
    _files: list[UploadFile] = field(default_factory=list)

    def prepare(self, store: FileStore, limits: UploadLimits) -> None:
        """Check the files in full and copy them into the store (services.links.prepare_files),
        before any transaction begins; ReportRefused. What no transaction used goes at `close`."""
        if self.uploads and self.problem is None and self.prepared is None:
            self.prepared = prepare_files(store=store, limits=limits, uploads=self.uploads)

    async def close(self) -> None:
        if self.prepared is not None:
            self.prepared.discard()
        for f in self._files:
            await f.close()


class _TooLarge(MultiPartException):
    pass


def request_cap(limits: UploadLimits) -> int:
    return limits.max_files * limits.max_bytes + FORM_OVERHEAD


def _counted(receive: Receive, cap: int) -> Receive:
    seen = 0

    async def counted() -> Message:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise _TooLarge("too large")
        return message

    return counted


def _too_large(limits: UploadLimits) -> str:
    return (f"nội dung gửi lên vượt quá {file_size(request_cap(limits))} (tối đa "
            f"{limits.max_files} tệp, mỗi tệp {file_size(limits.max_bytes)}): bớt tệp hoặc nén "
            "tệp rồi gửi lại")


async def read_form(request: Request, limits: UploadLimits) -> LinkForm:
    cap = request_cap(limits)
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > cap:
        return LinkForm(problem=_too_large(limits))
    counted = Request(request.scope, receive=_counted(request.receive, cap))
    try:
        form = await counted.form(max_files=limits.max_files * 4 + 4, max_fields=200)
    except HTTPException as exc:
        too_large = exc.detail == "too large"
        return LinkForm(problem=_too_large(limits) if too_large else
                        "không đọc được nội dung gửi lên (quá nhiều tệp hoặc trường, hoặc bị "
                        "ngắt giữa chừng): chọn lại tệp rồi gửi lại")
    except (MultiPartException, MultipartParseError):
        return LinkForm(problem="không đọc được nội dung gửi lên: chọn lại tệp rồi gửi lại")
    try:
        for key, value in form.multi_items():
            if isinstance(value, str):
                check_field(key, value)
    except BadInput:
        await form.close()
        raise
    out = LinkForm(note=_text(form.get("note")), until=_text(form.get("until")))
    for key, value in form.multi_items():
        if isinstance(value, UploadFile):
            out._files.append(value)
            if value.filename is None or (not value.filename and not value.size):
                continue  # the file input left empty
            out.uploads.append(Upload(value.filename, value.file, value.size or 0))
        elif key.startswith(FIGURE_PREFIX):
            out.figures[key[len(FIGURE_PREFIX):]] = value.strip()
    return out


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""
