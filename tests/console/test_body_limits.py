"""Every route caps the body it reads, and the console checks the session, the role and the CSRF
token before reading a body: a huge POST is answered at once and nothing is spooled to disk."""

from __future__ import annotations

import asyncio
import select
import socket
import tempfile
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from tests.console.conftest import csrf_of
from tests.web.conftest import uvicorn_server

HUGE = 1536 * 1024 * 1024  # 1.5 GB, never allocated: sent chunk by chunk
CHUNK = 64 * 1024
BOUNDARY = "----cascade-test-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
STOP_AFTER = 64 * 1024 * 1024  # a server that reads on past this has failed: stop feeding it


def _multipart(total: int, *, first: bytes = b"") -> Iterator[bytes]:
    """A multipart body of `total` bytes: `first` (e.g. a CSRF field), then one file part."""
    head = first + (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"document\"; "
                    'filename="big.pdf"\r\nContent-Type: application/pdf\r\n\r\n').encode()
    yield head
    sent = len(head)
    block = b"%PDF-" + b"x" * (CHUNK - 5)
    while sent < min(total, STOP_AFTER):
        yield block
        sent += len(block)


def _field(name: str, value: str) -> bytes:
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            ).encode()


class Asgi:
    """One request sent straight to the ASGI app, its body pulled from a generator: how much
    the app pulled, what it answered."""

    def __init__(self, asgi, path: str, headers: dict[str, str], body: Iterator[bytes]):
        self.pulled = 0
        self.status = None
        self.text = b""
        self.headers: dict[bytes, bytes] = {}

        async def receive():
            chunk = next(body, None)
            if chunk is None:
                return {"type": "http.request", "body": b"", "more_body": False}
            self.pulled += len(chunk)
            return {"type": "http.request", "body": chunk, "more_body": True}

        async def send(message):
            if message["type"] == "http.response.start":
                self.status = message["status"]
                self.headers = dict(message.get("headers", []))
            elif message["type"] == "http.response.body":
                self.text += message.get("body", b"")

        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
                 "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
                 "query_string": b"", "root_path": "", "client": ("127.0.0.1", 40000),
                 "server": ("testserver", 80),
                 "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()]}
        asyncio.run(asyncio.wait_for(asgi(scope, receive, send), 60))


class Spool:
    """The temporary files made while a test runs (Starlette spools an upload past 1 MB to an
    unnamed tempfile.TemporaryFile) and the temporary folder's entries."""

    def __init__(self, folder):
        self.folder = folder
        self.made = 0

    def empty(self) -> bool:
        return self.made == 0 and list(self.folder.iterdir()) == []


@pytest.fixture
def spool(tmp_path, monkeypatch):
    folder = tmp_path / "spool"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    seen = Spool(folder)
    make = tempfile.TemporaryFile

    def counting(*args, **kwargs):
        seen.made += 1
        return make(*args, **kwargs)

    monkeypatch.setattr(tempfile, "TemporaryFile", counting)
    return seen


@pytest.fixture
def asgi(console_app):
    from web.app import create_app

    return create_app(console_app)


def _cookie(client) -> str:
    return "; ".join(f"{name}={value}" for name, value in client.cookies.items())


def _still_signed_in(client) -> bool:
    return client.get("/", follow_redirects=False).status_code == 200


def _signed(client) -> tuple[str, bytes]:
    """The client's cookie header and a multipart CSRF field valid for its session: what a
    signed-in viewer can always send."""
    return _cookie(client), _field("csrf_token", csrf_of(client.get("/").text))


def test_a_declared_1_5_gb_post_to_logout_is_refused_unread(web, asgi, spool):
    """A viewer's 1.5 GB multipart POST to /logout (Content-Length given, a valid CSRF token):
    413 in Vietnamese before a byte of the body is read, nothing spooled, the session kept."""
    viewer = web("viewer")
    cookie, token = _signed(viewer)
    started = time.monotonic()
    call = Asgi(asgi, "/logout", {"content-type": MULTIPART, "content-length": str(HUGE),
                                  "cookie": cookie}, _multipart(HUGE, first=token))
    assert time.monotonic() - started < 1.0
    assert call.status == 413
    assert "quá lớn" in call.text.decode()
    assert call.pulled == 0
    assert spool.empty()
    assert _still_signed_in(viewer)


def test_a_chunked_1_5_gb_upload_to_logout_is_refused_at_its_first_file(web, asgi, spool):
    """Sent in chunks (no Content-Length) with a valid token: /logout takes no file, so the form
    is refused (400) at the file part's headers; nothing spooled, the session kept."""
    viewer = web("viewer")
    cookie, token = _signed(viewer)
    call = Asgi(asgi, "/logout", {"content-type": MULTIPART, "cookie": cookie},
                _multipart(HUGE, first=token))
    assert call.status == 400
    assert "không nhận tệp" in call.text.decode()
    assert call.pulled <= 2 * CHUNK
    assert spool.empty()
    assert _still_signed_in(viewer)


def test_a_chunked_form_is_cut_at_the_form_cap(web, asgi, spool, console_app):
    """A url-encoded body sent in chunks is counted as it arrives and cut at the form cap (413)."""
    viewer = web("viewer")

    def form() -> Iterator[bytes]:
        yield b"note="
        for _ in range(HUGE // CHUNK):
            yield b"a" * CHUNK

    call = Asgi(asgi, "/logout", {"content-type": "application/x-www-form-urlencoded",
                                  "cookie": _cookie(viewer)}, form())
    assert call.status == 413
    assert call.pulled <= console_app.settings.form_max_bytes + 2 * CHUNK
    assert _still_signed_in(viewer)


def test_the_form_cap_is_a_setting(make_app, spool):
    """CASCADE_FORM_MAX_KB sets the cap of the routes without files."""
    from web.app import create_app

    app = make_app(CASCADE_FORM_MAX_KB="64")
    assert app.settings.form_max_bytes == 64 * 1024
    call = Asgi(create_app(app), "/login", {"content-type": "application/x-www-form-urlencoded",
                                            "content-length": str(65 * 1024)}, iter([]))
    assert call.status == 413


def test_anonymous_and_viewer_uploads_are_refused_before_the_body_is_read(web, asgi, spool):
    """Giao việc mới takes a document: without a session it redirects to /login, with the
    viewer's role it is 403, in both cases with nothing read of a body within the cap."""
    anonymous = Asgi(asgi, "/directives/new", {"content-type": MULTIPART},
                     _multipart(10 * 1024 * 1024))
    assert anonymous.status == 303 and anonymous.pulled == 0
    viewer = web("viewer")
    refused = Asgi(asgi, "/directives/new", {"content-type": MULTIPART,
                                             "cookie": _cookie(viewer)},
                   _multipart(10 * 1024 * 1024))
    assert refused.status == 403 and refused.pulled == 0
    assert "Vai trò" in refused.text.decode()
    assert spool.empty()


@pytest.mark.parametrize("first", [b"", _field("csrf_token", "sai-ma")])
def test_an_upload_with_no_or_a_wrong_csrf_token_first_is_refused_unspooled(web, asgi, spool,
                                                                           first):
    """The coordinator's upload whose CSRF token is wrong, or comes after the file: 403 with
    only the start of the body read, nothing spooled."""
    coordinator = web("coordinator")
    call = Asgi(asgi, "/directives/new", {"content-type": MULTIPART,
                                          "cookie": _cookie(coordinator)},
                _multipart(10 * 1024 * 1024, first=first))
    assert call.status == 403
    assert "mã chống giả mạo" in call.text.decode()
    assert call.pulled <= 2 * CHUNK
    assert spool.empty()


def test_the_csrf_token_may_come_in_a_header(web, console_app):
    """X-CSRF-Token stands for the form field (a script's POST); a wrong one is refused."""
    viewer = web("viewer")
    token = csrf_of(viewer.get("/").text)
    refused = viewer.post("/logout", headers={"x-csrf-token": "sai"}, follow_redirects=False)
    assert refused.status_code == 403 and _still_signed_in(viewer)
    answer = viewer.post("/logout", headers={"x-csrf-token": token}, follow_redirects=False)
    assert answer.status_code == 303 and not _still_signed_in(viewer)


def test_the_upload_form_sends_its_csrf_token_before_its_file(web):
    """The page's upload form has the token before the file input, so a browser sends it first."""
    page = web("coordinator").get("/directives/new").text
    form = page[page.index('enctype="multipart/form-data"'):]
    assert form.index('name="csrf_token"') < form.index('type="file"')


# --- Against a real uvicorn -------------------------------------------------------------------


def _raw_post(url: str, path: str, headers: dict[str, str], body: Iterator[bytes],
              *, chunked: bool) -> tuple[int, float, int]:
    """POST over a socket, feeding `body` until the server answers: (status, seconds from the
    headers to the answer, bytes sent)."""
    host, port = urlsplit(url).hostname, urlsplit(url).port
    lines = [f"POST {path} HTTP/1.1", f"Host: {host}:{port}",
             *(f"{k}: {v}" for k, v in headers.items())]
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    sock = socket.create_connection((host, port), timeout=5)
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        started, sent = time.monotonic(), 0
        sock.settimeout(0.2)
        for chunk in body:
            readable, _, _ = select.select([sock], [], [], 0)
            if readable or time.monotonic() - started > 10:
                break
            data = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk
            try:
                sock.sendall(data)
            except (TimeoutError, OSError):
                break  # the server stopped reading
            sent += len(chunk)
        sock.settimeout(5)
        status_line = b""
        while b"\r\n" not in status_line:
            more = sock.recv(4096)
            if not more:
                break
            status_line += more
        elapsed = time.monotonic() - started
        return int(status_line.split(b" ")[1]), elapsed, sent
    finally:
        sock.close()


@pytest.mark.parametrize("chunked", [False, True])
def test_uvicorn_answers_a_1_5_gb_post_to_logout_within_a_second(web, asgi, spool, chunked,
                                                                  console_app):
    """The same through a real uvicorn: answered within a second (413, or 400 at the file part
    of a chunked body), nothing written to the temporary folder, the viewer still signed in."""
    viewer = web("viewer")
    cookie, token = _signed(viewer)
    headers = {"Content-Type": MULTIPART, "Cookie": cookie}
    if not chunked:
        headers["Content-Length"] = str(HUGE)
    with uvicorn_server(asgi) as url:
        status, elapsed, sent = _raw_post(url, "/logout", headers, _multipart(HUGE, first=token),
                                          chunked=chunked)
    assert status == (400 if chunked else 413)
    assert elapsed < 1.0
    assert sent <= console_app.settings.form_max_bytes + 16 * 1024 * 1024  # socket buffers
    assert spool.empty()
    assert _still_signed_in(viewer)

