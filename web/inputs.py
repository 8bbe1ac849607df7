"""Input no route can use, refused before any route sees it (400, a Vietnamese sentence saying
what and where; nothing read, nothing written).

`InputCheck` looks at every request: a number in the path beyond what the database holds
(ids are 64-bit), a query value with a control character (NUL among them: PostgreSQL refuses
it in text), a query value that is a number written with other digits than 0-9 (`²`, `٣`) or
too large, and the fields of a url-encoded form. Multipart forms are read by their handlers
(web.forms, web.console.guard), which ask `field_problem` for each text field.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import parse_qsl, unquote

from starlette.exceptions import HTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from models.bidi import first_bidi
from models.tables import MAX_ROW_ID
from web.limits import replay

MAX_ID = 2**63 - 1  # a number in a query: what a 64-bit integer holds
MAX_BUFFERED = 4 * 1024 * 1024  # a url-encoded form larger than this is left to the handler
ALLOWED_CONTROLS = "\t\n\r"  # a textarea's line breaks and tabs

Refuse = Callable[[str], Response]

NAMES = {"q": "Tìm", "page": "Trang", "note": "Ghi chú", "email": "E-mail", "password": "Mật khẩu",
         "until": "Ngày", "status": "Trạng thái", "body": "Đơn vị", "directive": "Văn bản",
         "h-title": "Tiêu đề", "h-number": "Số văn bản", "h-signer": "Người ký",
         "h-place": "Địa danh", "h-kind": "Loại văn bản", "h-issuer": "Cơ quan ban hành",
         "addresses": "Địa chỉ e-mail", "text": "Nội dung văn bản"}
ROWS = ((re.compile(r"i-(\d+)-task"), "Nội dung nhiệm vụ (dòng {})"),
        (re.compile(r"t-(\d+)-text"), "Chỉ tiêu (dòng {})"),
        (re.compile(r"t-(\d+)-unit"), "Đơn vị tính (dòng {})"),
        (re.compile(r"figure-(.+)"), "Số liệu «{}»"))
# Where invisible direction marks may be kept: a password, and a pasted document (its drafted
# text has them removed, services.drafts).
BIDI_KEPT = frozenset({"password", "text"})


class BadInput(HTTPException):
    """A multipart form's text field that `field_problem` refuses (detail: the sentence)."""

    def __init__(self, message: str) -> None:
        super().__init__(400, message)


def check_field(field: str, value: str) -> str:
    """`value`, or BadInput when it cannot be used."""
    problem = field_problem(field, value)
    if problem:
        raise BadInput(problem)
    return value


def _name(field: str) -> str:
    for pattern, label in ROWS:
        m = pattern.fullmatch(field)
        if m:
            return label.format(m[1])
    return NAMES.get(field, field)


def field_problem(field: str, value: str) -> str | None:
    """Why a typed value cannot be used, or None."""
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch not in ALLOWED_CONTROLS:
            return (f"Trường «{_name(field)}» có ký tự điều khiển không hợp lệ (mã "
                    f"U+{ord(ch):04X}); hãy xóa ký tự đó rồi gửi lại.")
    mark = None if field in BIDI_KEPT else first_bidi(value)
    if mark is not None:
        return (f"Trường «{_name(field)}» có ký tự ẩn đổi hướng chữ (mã U+{ord(mark):04X}), làm "
                "nội dung hiển thị khác với nội dung được lưu; hãy xóa ký tự đó rồi gửi lại.")
    return None


def number_problem(field: str, value: str) -> str | None:
    """A value that is a number (a page, an id, a task number `#12`) must be 0-9 and fit an id."""
    text = value.strip().lstrip("#")
    if not text.isdigit():
        return None
    if not text.isascii():
        return (f"Trường «{_name(field)}» có chữ số không hợp lệ («{value.strip()}»); chỉ dùng "
                "các chữ số 0-9.")
    if int(text) > MAX_ID:
        return f"Số «{text}» trong trường «{_name(field)}» quá lớn."
    return None


def path_problem(path: str) -> str | None:
    for segment in unquote(path).split("/"):
        stem = segment.partition(".")[0]
        if stem.isdigit() and (not stem.isascii() or int(stem) > MAX_ROW_ID):
            return (f"Mã số «{stem}» trong đường dẫn không hợp lệ hoặc quá lớn; không có trang "
                    "nào như vậy.")
        problem = field_problem("đường dẫn", segment)
        if problem:
            return problem
    return None


def pairs_problem(pairs: list[tuple[str, str]], *, numbers: bool) -> str | None:
    for key, value in pairs:
        problem = field_problem(key, key) or field_problem(key, value) \
            or (number_problem(key, value) if numbers else None)
        if problem:
            return problem
    return None


class InputCheck:
    """Pure ASGI middleware: refuse (400) what `path_problem`, `field_problem` and
    `number_problem` find in the path, the query and a url-encoded body."""

    def __init__(self, app: ASGIApp, *, refuse: Refuse) -> None:
        self.app = app
        self.refuse = refuse

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = scope.get("query_string", b"").decode("latin-1")
        problem = path_problem(scope.get("path", "")) or pairs_problem(
            parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="replace"),
            numbers=True)
        headers = dict(scope.get("headers", []))
        kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        if problem is None and scope.get("method") == "POST" \
                and kind == b"application/x-www-form-urlencoded":
            body, more = await _read(receive)
            if not more:
                problem = pairs_problem(parse_qsl(body.decode("latin-1"), keep_blank_values=True,
                                                  encoding="utf-8", errors="replace"),
                                        numbers=False)
            receive = replay(body, more, receive)
        if problem is not None:
            await self.refuse(problem)(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _read(receive: Receive) -> tuple[bytes, bool]:
    """The body up to MAX_BUFFERED; True when more is left (then it is not checked here)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), False
        if size > MAX_BUFFERED:
            return b"".join(chunks), True
