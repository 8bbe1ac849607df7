"""One-click link tokens and where they point: the signer and the one route they use.

A token is `<random 256 bits>.<signature>`; the signature (HMAC-SHA256 with the deployment's
secret) tells a tampered link from an unknown one without a database lookup. Only the token's
SHA-256 is stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

# The link route, defined once: the web app mounts it, mails point to it, logs redact it.
LINK_PREFIX = "/l/"
LINK_ROUTE = LINK_PREFIX + "{token}"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{43}\.[A-Za-z0-9_-]{22}")


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{LINK_PREFIX}{token}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class LinkSigner:
    """Makes and checks link tokens with one secret."""

    def __init__(self, secret: str) -> None:
        self._key = secret.encode()

    def _signature(self, random_part: str) -> str:
        mac = hmac.new(self._key, random_part.encode(), hashlib.sha256).digest()[:16]
        return base64.urlsafe_b64encode(mac).decode().rstrip("=")

    def new_token(self) -> str:
        random_part = secrets.token_urlsafe(32)
        return f"{random_part}.{self._signature(random_part)}"

    def derived_token(self, seed: str, purpose: str) -> str:
        """The token for `purpose` (an action) of the mail whose secret seed is `seed`: the same
        every time, so a resent mail carries the same links. Knowing it needs both the seed
        (in the database) and the key (in the settings)."""
        mac = hmac.new(self._key, f"link:{seed}:{purpose}".encode(), hashlib.sha256).digest()
        random_part = base64.urlsafe_b64encode(mac).decode()[:43]
        return f"{random_part}.{self._signature(random_part)}"


    def problem(self, token: str) -> str | None:
        """Why `token` cannot be one of ours ('malformed' or 'tampered'), or None."""
        if not _TOKEN.fullmatch(token or ""):
            return "malformed"
        random_part, signature = token.split(".")
        if not hmac.compare_digest(signature, self._signature(random_part)):
            return "tampered"
        return None


def new_seed() -> str:
    """A mail's secret seed (128 random bits, hex)."""
    return secrets.token_hex(16)
