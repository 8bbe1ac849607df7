"""How much a request may send, enforced before anything reads it to the end.

`BodyLimit` (pure ASGI middleware) gives every route a cap: a declared Content-Length over it is
answered 413 at once, without reading; a body sent in chunks is counted as it arrives and cut at
the cap (413 too), so nothing past the cap is ever read, parsed or spooled to a temporary file.
Routes that take files have a cap from the upload limits; every other route the small form cap.

`peek_fields` reads only the first text fields of a multipart body (for the console's CSRF
token, web.console.guard) and gives back a `receive` that replays what it read.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.files import UploadLimits
from models.vocabulary import file_size

FORM_OVERHEAD = 1024 * 1024  # the text fields and the multipart framing around the files
LINK_POST = re.compile(r"^/l/[^/]+/?$")  # a link page's button (a report carries files)
DOCUMENT_POST = re.compile(r"^/directives/new/?$")  # Giao việc mới: one document or a pasted text

TooLarge = Callable[[int], Response]  # the 413 page, given the cap


class BodyTooLarge(Exception):
    """The body went past its cap while being read (raised from `receive`)."""


@dataclass(frozen=True)
class BodyCaps:
    """The most bytes each route's request may carry."""

    form: int  # any route without files
    link: int  # POST /l/{token}: a report with its files
    document: int  # POST /directives/new

    @classmethod
    def of(cls, *, form_max_bytes: int, limits: UploadLimits) -> BodyCaps:
        # The link page reads its form against its own cap first (web.forms.request_cap, a
        # friendlier page that keeps what was typed): this one is a few chunks above it.
        link = limits.max_files * limits.max_bytes + 3 * FORM_OVERHEAD
        return cls(form=form_max_bytes, link=max(link, form_max_bytes),
                   document=max(limits.max_bytes + FORM_OVERHEAD, form_max_bytes))

    def cap(self, method: str, path: str, content_type: bytes = b"") -> int:
        """Files come only in a multipart form: any other body has the form cap."""
        if not content_type.lower().startswith(b"multipart/form-data"):
            return self.form
        if method == "POST" and LINK_POST.match(path):
            return self.link
        if method == "POST" and DOCUMENT_POST.match(path):
            return self.document
        return self.form


def too_large(render: Callable[..., Response]) -> TooLarge:
    """The 413 page (problem.html, rendered by `render` as the link pages render theirs)."""

    def page(cap: int) -> Response:
        return render("problem.html", 413, status_code=413, spent=None, task=None,
                      headline="Nội dung gửi lên quá lớn", message=(
                          f"Trang này nhận tối đa {file_size(cap)} mỗi lần gửi, nên nội dung gửi "
                          "lên không được đọc. Nếu đang gửi tệp, hãy bớt hoặc nén tệp rồi gửi lại."))

    return page


def takes_files(method: str, path: str) -> bool:
    """Whether the route reads files from its form."""
    return method == "POST" and bool(LINK_POST.match(path) or DOCUMENT_POST.match(path))


class BodyLimit:
    def __init__(self, app: ASGIApp, *, caps: BodyCaps, too_large: TooLarge) -> None:
        self.app = app
        self.caps = caps
        self.too_large = too_large

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self.caps.cap(scope.get("method", "GET"), scope.get("path", ""),
                            _header(scope, b"content-type"))
        declared = _content_length(scope)
        if declared is not None and declared > cap:
            await self.too_large(cap)(scope, receive, send)
            return
        started = False

        async def sending(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted(receive, cap), sending)
        except BodyTooLarge:
            if started:
                raise
            await self.too_large(cap)(scope, receive, send)


def counted(receive: Receive, cap: int) -> Receive:
    """`receive`, raising BodyTooLarge once the body's bytes pass `cap` (and at every call
    after that)."""
    seen = 0

    async def receive_counted() -> Message:
        nonlocal seen
        if seen > cap:
            raise BodyTooLarge
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > cap:
                raise BodyTooLarge
        return message

    return receive_counted


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isascii() and text.isdigit() else None
    return None


# --- The first fields of a multipart body --------------------------------------------------------


@dataclass
class Peeked:
    """The text fields read before the first file part (or the end), and whether a file part
    came before `wanted` was found."""

    fields: dict[str, str]
    file_first: bool
    receive: Receive  # replays what was read, then reads on


async def peek_fields(scope: Scope, receive: Receive, *, wanted: str, limit: int) -> Peeked:
    """Read a multipart body until the text field `wanted` has been read, a file part begins,
    the body ends or `limit` bytes were read; nothing is spooled. A body that is not
    multipart is not read (no fields)."""
    kind, params = parse_options_header(_header(scope, b"content-type"))
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        return Peeked({}, False, receive)
    state = _Prefix(wanted)
    parser = MultipartParser(boundary, state.callbacks())  # type: ignore[arg-type]
    chunks: list[bytes] = []
    read, more, broken = 0, True, False
    while more and not state.stop and not broken and read <= limit:
        message = await receive()  # BodyTooLarge (web.limits.counted) goes on up
        if message["type"] != "http.request":
            more = False
            break
        chunk = message.get("body", b"")
        more = bool(message.get("more_body", False))
        chunks.append(chunk)
        read += len(chunk)
        try:
            parser.write(chunk)
        except Exception:  # noqa: BLE001 (malformed framing: no fields; the form reader says why)
            broken = True
            state.fields.clear()
    return Peeked(state.fields, state.file_first, replay(b"".join(chunks), more, receive))


def _header(scope: Scope, name: bytes) -> bytes:
    for key, value in scope.get("headers", ()):
        if key == name:
            return bytes(value)
    return b""


class _Prefix:
    """Callbacks of python_multipart's parser that keep the text fields up to `wanted`."""

    def __init__(self, wanted: str) -> None:
        self.wanted = wanted
        self.fields: dict[str, str] = {}
        self.file_first = False
        self.stop = False
        self._name: str | None = None
        self._is_file = False
        self._field = b""
        self._value = b""
        self._headers: list[tuple[bytes, bytes]] = []
        self._data: list[bytes] = []

    def callbacks(self) -> dict[str, Callable[..., None]]:
        return {"on_part_begin": self._begin, "on_header_field": self._header_field,
                "on_header_value": self._header_value, "on_header_end": self._header_end,
                "on_headers_finished": self._headers_done, "on_part_data": self._part_data,
                "on_part_end": self._part_end}

    def _begin(self) -> None:
        self._headers, self._data, self._field, self._value = [], [], b"", b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _header_end(self) -> None:
        self._headers.append((self._field.lower(), self._value))
        self._field, self._value = b"", b""

    def _headers_done(self) -> None:
        disposition = dict(self._headers).get(b"content-disposition", b"")
        _, options = parse_options_header(disposition)
        self._name = options.get(b"name", b"").decode("utf-8", "replace")
        self._is_file = b"filename" in options
        if self._is_file and not self.stop:
            self.file_first = self.wanted not in self.fields
            self.stop = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._is_file and not self.stop:
            self._data.append(data[start:end])

    def _part_end(self) -> None:
        if self._is_file or self.stop or self._name is None:
            return
        self.fields.setdefault(self._name, b"".join(self._data).decode("utf-8", "replace"))
        if self._name == self.wanted:
            self.stop = True


def replay(body: bytes, more: bool, receive: Receive) -> Receive:
    """A `receive` that gives back the body already read, then the rest of the request."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": more}
        return await receive()

    return replayed
