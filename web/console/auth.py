"""GET/POST /login and POST /logout.

The login form has no session yet, so its CSRF token is a double submit: a random value in a
cookie of its own and its masked form in the page; a login posted from another site has
neither. A successful login always opens a new session id (services.accounts.open_session).
"""

from __future__ import annotations

import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from models.db import unit_of_work
from services.accounts import (
    begin_login,
    close_session,
    finish_login,
    open_session,
    password_matches,
)
from web.console import csrf
from web.console.guard import Ctx, Guard, redirect, safe_next

LOGIN_COOKIE = "cascade_login_csrf"
FAILED = "E-mail hoặc mật khẩu không đúng, hoặc tài khoản đã bị khóa."


class Login:
    def __init__(self, guard: Guard) -> None:
        self.guard = guard
        self.app = guard.app

    def _cookie(self, response: Response, name: str, value: str) -> None:
        response.set_cookie(name, value, httponly=True, samesite="lax", path="/",
                            secure=self.app.settings.production)

    def _form(self, request: Request, code: int = 200, *, error: str | None = None,
              email: str = "") -> Response:
        secret = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(32)
        response = self.guard.render("console/login.html", code, page="login", error=error,
                                     email=email, token=csrf.mask(secret),
                                     next=safe_next(request.query_params.get("next")))
        self._cookie(response, LOGIN_COOKIE, secret)
        return response

    async def show(self, request: Request) -> Response:
        signed = await run_in_threadpool(self.guard._signed_in,
                                         request.cookies.get(self.guard.cookie), self.app.clock())
        if signed is not None:
            return redirect(safe_next(request.query_params.get("next")))
        return self._form(request)

    async def submit(self, request: Request) -> Response:
        at = self.app.clock()
        async with request.form(max_files=0, max_fields=10) as form:
            email = str(form.get("email") or "")[:254]
            password = str(form.get("password") or "")[:1024]
            token = str(form.get(csrf.FIELD) or "")
            target = safe_next(str(form.get("next") or ""))
        if not csrf.valid(token, request.cookies.get(LOGIN_COOKIE)):
            return self.guard.render("console/forbidden.html", 403, page="login", message=(
                "Trang đăng nhập đã cũ hoặc trình duyệt chặn cookie, nên chưa đăng nhập. Hãy mở "
                "lại trang đăng nhập rồi thử lại."))
        address = request.client.host if request.client else "?"
        raw, outcome = await run_in_threadpool(self._login, email, password, address, at)
        if outcome.throttled:
            return self._form(request, 429, email=email, error=(
                f"Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {outcome.retry_after} giây."))
        if raw is None:
            return self._form(request, 401, email=email, error=FAILED)
        response = RedirectResponse(target, status_code=303)
        self._cookie(response, self.guard.cookie, raw)
        response.delete_cookie(LOGIN_COOKIE, path="/")
        return response

    def _login(self, email: str, password: str, address: str, at):  # type: ignore[no-untyped-def]
        s = self.app.settings
        with unit_of_work(self.app.engine) as session:
            attempt = begin_login(session=session, email=email, address=address, at=at,
                                  max_failures=s.login_max_failures,
                                  max_per_address=s.login_max_failures_per_address)
        ok = password_matches(attempt, password)  # outside any transaction
        with unit_of_work(self.app.engine) as session:
            outcome = finish_login(session=session, attempt=attempt, ok=ok, at=at)
            raw = None
            if outcome.user is not None:
                raw = open_session(session=session, user=outcome.user, at=at, address=address)
        return raw, outcome

    def logout(self, ctx: Ctx) -> Response:
        with unit_of_work(self.app.engine) as session:
            close_session(session=session, raw=ctx.request.cookies.get(self.guard.cookie))
        response = redirect("/login")
        response.delete_cookie(self.guard.cookie, path="/")
        return response
