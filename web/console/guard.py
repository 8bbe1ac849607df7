"""Every console route goes through `Guard.page`: the session from its cookie (server-side,
services.accounts), the role allowed on the route, and for a POST its CSRF token, then the form.
Without a session a route redirects to /login; with the wrong role or token it answers 403 and
does nothing. The session and the role are checked before any of the body is read; the CSRF
token comes from the X-CSRF-Token header or, in a multipart form, from the fields before its
first file (web.limits.peek_fields), so a refused upload is never spooled. Handlers are plain
functions of a `Ctx`, run in the thread pool."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode

import anyio
import anyio.to_thread
import jinja2
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from models.accounts import UserRole
from models.db import unit_of_work
from services.accounts import SignedIn, expired_session_secret, load_session, record_visit
from web.console import csrf
from web.inputs import BadInput, check_field
from web.limits import peek_fields, takes_files

if TYPE_CHECKING:
    from cascade.bootstrap import App

COOKIE = "cascade_session"
PRODUCTION_COOKIE = "__Host-cascade_session"  # Secure, Path=/, no Domain: the browser enforces it
EVERYONE = frozenset(UserRole)
COORDINATOR = frozenset({UserRole.COORDINATOR})
ACTING = frozenset({UserRole.COORDINATOR, UserRole.SUPERVISOR})
MAX_FIELD_BYTES = 1024 * 1024
# Forms kept when their session has expired (the review page), and the cookie naming them.
KEEP_ON_EXPIRY = re.compile(r"^/drafts/\d+$")
KEPT_COOKIE = "cascade_kept_form"
CSRF_HEADER = "x-csrf-token"
CSRF_REFUSED = ("Biểu mẫu đã cũ hoặc không gửi từ trang này (mã chống giả mạo không khớp), nên "
                "chưa có gì thay đổi. Hãy mở lại trang rồi thử lại.")


@dataclass
class Ctx:
    """One request as a handler sees it."""

    request: Request
    user: SignedIn
    at: dt.datetime
    form: dict[str, str] = field(default_factory=dict)
    lists: dict[str, list[str]] = field(default_factory=dict)  # repeated form fields
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)  # name -> (filename, data)
    early_token: str | None = None  # the CSRF token read before the form (a header, a first field)

    @property
    def query(self) -> Any:
        return self.request.query_params

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def arg(self, name: str) -> str | None:
        value = self.request.query_params.get(name)
        return value.strip() or None if value is not None else None


Handler = Callable[[Ctx], Response]


def safe_next(target: str | None, default: str = "/") -> str:
    """A local path to go back to; anything else (another site, //host) is the default."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def redirect(path: str, **params: str) -> RedirectResponse:
    query = ("&" if "?" in path else "?") + urlencode(params) if params else ""
    return RedirectResponse(path + query, status_code=303)


# Console pages rendered at once in one web process. A page is CPU work under the GIL, so
# more of them at once only slow each other and the mail links' clicks served beside them
# (which keep the rest of the thread pool): clicks first, pages queue.
PAGE_THREADS = 2


class PageThreads:
    """A console handler runs in a worker thread, at most `size` at a time in this process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._limiter: anyio.CapacityLimiter | None = None  # made in the event loop

    async def run(self, handler: Handler, ctx: Ctx) -> Response:
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.size)
        return await anyio.to_thread.run_sync(handler, ctx, limiter=self._limiter)


class Guard:
    def __init__(self, app: App, env: jinja2.Environment) -> None:
        self.app = app
        self.env = env
        self.cookie = PRODUCTION_COOKIE if app.settings.production else COOKIE
        self.idle = dt.timedelta(minutes=app.settings.session_idle_minutes)
        self.max_upload = app.settings.upload_max_bytes
        self.form_cap = app.settings.form_max_bytes
        self._pages = PageThreads(PAGE_THREADS)

    def render(self, name: str, code: int = 200, *, user: SignedIn | None = None,
               **context: Any) -> HTMLResponse:
        secret = user.csrf_secret if user else None
        html = self.env.get_template(name).render(
            user=user, csrf=(lambda: csrf.mask(secret)) if secret else (lambda: ""),
            csrf_field=csrf.FIELD, **context)
        return HTMLResponse(html, status_code=code)

    def forbidden(self, user: SignedIn | None, message: str) -> HTMLResponse:
        return self.render("console/forbidden.html", 403, user=user, message=message, page="")

    def _signed_in(self, raw: str | None, at: dt.datetime) -> SignedIn | None:
        if not raw:
            return None
        with unit_of_work(self.app.engine, write=False) as session:
            user, state = load_session(session=session, raw=raw, at=at, idle=self.idle)
        if state:  # a write at most once a minute per session, or once when it expires
            with unit_of_work(self.app.engine) as session:
                record_visit(session=session, raw=raw, state=state, at=at)
        return user

    async def _read_form(self, request: Request, ctx: Ctx) -> bool:
        """Fill the ctx's form (BadInput when it cannot be read). Only Giao việc mới takes a
        file: elsewhere a file part is refused at its headers, before anything is spooled."""
        files = takes_files(request.method, request.url.path)
        try:
            form = await request.form(max_files=2 if files else 0, max_fields=2000,
                                      max_part_size=MAX_FIELD_BYTES)
        except (HTTPException, MultiPartException) as exc:
            raise BadInput("Trang này không nhận tệp; hãy mở lại trang rồi gửi lại biểu mẫu."
                           if not files and "files" in str(exc) else
                           "Không đọc được biểu mẫu gửi lên (quá nhiều trường, một trường quá "
                           "dài hoặc bị ngắt giữa chừng); hãy mở lại trang rồi thử lại.") from None
        try:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read(self.max_upload + 1)
                    if data:
                        ctx.files[key] = (value.filename or "", data)
                else:
                    check_field(key, value)
                    ctx.lists.setdefault(key, []).append(value)
                    ctx.form.setdefault(key, value)
        finally:
            await form.close()
        return True

    async def _early_csrf(self, ctx: Ctx) -> bool:
        """The CSRF token before the body is read: from the X-CSRF-Token header, or from a
        multipart form's text fields read up to its first file part (the form puts the token
        before its file input). False when that token is wrong or a file comes before it:
        nothing more is read, nothing spooled. A url-encoded form is small (web.limits) and
        checked once read."""
        token = ctx.request.headers.get(CSRF_HEADER)
        if token is None:
            peeked = await peek_fields(ctx.request.scope, ctx.request.receive, wanted=csrf.FIELD,
                                       limit=self.form_cap)
            ctx.request = Request(ctx.request.scope, receive=peeked.receive)
            if peeked.file_first:
                return False
            token = peeked.fields.get(csrf.FIELD)
            if token is None:
                return True  # not multipart, or no token at all: checked with the form
        ctx.early_token = token
        return csrf.valid(token, ctx.user.csrf_secret)

    async def _keep(self, request: Request, at: dt.datetime) -> Response:
        """A review posted after its session expired: keep what was typed (services.kept_forms)
        and come back to it after logging in, in this browser."""
        from services.kept_forms import keep

        fields: list[tuple[str, str]] = []
        try:
            async with request.form(max_files=0, max_fields=2000,
                                    max_part_size=MAX_FIELD_BYTES) as form:
                fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
        except Exception:  # noqa: BLE001 (a form over the limits: nothing to keep)
            fields = []
        path = request.url.path
        token = next((v for k, v in fields if k == csrf.FIELD), None)

        def store() -> str | None:
            """Only a form posted on a real session of an active account, with its token."""
            with unit_of_work(self.app.engine, write=False) as session:
                secret = expired_session_secret(session=session, raw=request.cookies.get(self.cookie))
            if secret is None or not csrf.valid(token, secret):
                return None
            with unit_of_work(self.app.engine) as session:
                return keep(session, path=path, fields=fields, at=at)

        raw = await run_in_threadpool(store) if fields else None
        response = redirect("/login", next=f"{path}?kept=1") if raw \
            else RedirectResponse("/login", status_code=303)
        if raw:
            response.set_cookie(KEPT_COOKIE, raw, httponly=True, samesite="lax", path="/",
                                secure=self.app.settings.production, max_age=86400)
        response.delete_cookie(self.cookie, path="/")
        return response

    def page(self, handler: Handler, roles: Collection[UserRole] = EVERYONE) -> Callable[..., Any]:
        """The endpoint for `handler`, open only to a session whose role is in `roles`."""

        async def endpoint(request: Request) -> Response:
            at = self.app.clock()
            user = await run_in_threadpool(self._signed_in, request.cookies.get(self.cookie), at)
            if user is None:
                if request.method == "POST" and request.cookies.get(self.cookie) \
                        and KEEP_ON_EXPIRY.match(request.url.path):  # a session that expired
                    return await self._keep(request, at)
                back = request.url.path + (f"?{request.url.query}" if request.url.query else "")
                response = redirect("/login", next=back) if request.method == "GET" \
                    else RedirectResponse("/login", status_code=303)
                response.delete_cookie(self.cookie, path="/")
                return response
            if user.role not in roles:  # from the session alone: the body is not read
                return self.forbidden(user, "Vai trò của bạn không được dùng chức năng này; chưa "
                                            "có gì thay đổi. Cần quyền: "
                                            + ", ".join(sorted(r.label for r in roles)) + ".")
            ctx = Ctx(request, user, at)
            if request.method == "POST":
                if not await self._early_csrf(ctx):
                    return self.forbidden(user, CSRF_REFUSED)
                await self._read_form(ctx.request, ctx)
                if not csrf.valid(ctx.form.get(csrf.FIELD) or ctx.early_token,
                                  user.csrf_secret):
                    return self.forbidden(user, CSRF_REFUSED)
            return await self._pages.run(handler, ctx)

        endpoint.__name__ = handler.__name__
        return endpoint


def quoted(number: str) -> str:
    """A directive number as a path segment ('48-KH/ĐĐTLĐ' keeps its slash)."""
    return quote(number, safe="/")
