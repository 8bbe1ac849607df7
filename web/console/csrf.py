"""CSRF tokens as Django makes them: one secret per session, a freshly masked token in every
form (so the token on a page never repeats and a compression side channel learns nothing), and
a constant-time comparison when the form comes back."""

from __future__ import annotations

import base64
import hmac
import secrets

FIELD = "csrf_token"


def mask(secret: str) -> str:
    raw = secret.encode()
    pad = secrets.token_bytes(len(raw))
    mixed = bytes(a ^ b for a, b in zip(raw, pad, strict=True))
    return base64.urlsafe_b64encode(pad + mixed).decode().rstrip("=")


def unmask(token: str) -> bytes | None:
    try:
        data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    except (ValueError, TypeError):
        return None
    if not data or len(data) % 2:
        return None
    half = len(data) // 2
    return bytes(a ^ b for a, b in zip(data[:half], data[half:], strict=True))


def valid(token: str | None, secret: str | None) -> bool:
    """True when `token` is a masked form of `secret` (constant-time comparison)."""
    if not token or not secret or len(token) > 200:
        return False
    raw = unmask(token)
    return raw is not None and hmac.compare_digest(raw, secret.encode())
