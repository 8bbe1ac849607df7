"""Response headers every page carries: the token is in the URL, so nothing may leak it."""

from __future__ import annotations

import base64
import hashlib

from starlette.types import ASGIApp, Message, Receive, Scope, Send


def style_hash(css: str) -> str:
    """The CSP source that allows exactly this inline <style> block and no other."""
    digest = hashlib.sha256(css.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def security_headers(css: str) -> list[tuple[bytes, bytes]]:
    # the link pages' one inline <style>, and the console's own stylesheet; never a script
    csp = ("default-src 'none'; "
           f"style-src 'self' {style_hash(css)}; "
           "img-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    headers = {
        "content-security-policy": csp,
        "referrer-policy": "no-referrer",  # the token is in the URL
        "x-robots-tag": "noindex, nofollow",
        "cache-control": "no-store",
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
    }
    return [(k.encode(), v.encode()) for k, v in headers.items()]


class SecurityHeaders:
    """Pure ASGI middleware (no per-request task, unlike BaseHTTPMiddleware)."""

    def __init__(self, app: ASGIApp, *, css: str) -> None:
        self.app = app
        self.headers = security_headers(css)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []),
                                      *(h for h in self.headers if h[0] not in names)]
            await send(message)

        await self.app(scope, receive, send_with_headers)
