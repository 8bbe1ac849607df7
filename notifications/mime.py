"""MIME writing: headers encoded once, leaf parts built directly, bytes on the wire.

Every value that reaches a header is stripped of control characters first, and the encoded
header is checked again for a line break that is not folding white space, so nothing a
document or a body supplies can add a header. The email package's own folding and content
manager cost more than the whole SMTP exchange of a message, hence the direct writing.
"""

from __future__ import annotations

import base64
import datetime as dt
import quopri
import re
import secrets
import unicodedata
from email.header import Header
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from functools import lru_cache
from typing import cast

from models.contacts import valid_address
from models.mail import BadAddress

# C0/C1 controls, and the Unicode line and paragraph separators some mail readers honour.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def header_text(value: str) -> str:
    """`value` made safe for a header: NFC, no control characters, single spaces."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", value))
    return " ".join(text.split())


@lru_cache(maxsize=4096)
def address(addr: str, name: str | None = None) -> str:
    """`Name <addr>` with the name RFC 2047-encoded; the address must be a plain addr-spec."""
    addr = addr.strip()
    if not valid_address(addr):
        raise BadAddress(f"địa chỉ e-mail không hợp lệ: {addr!r}")
    name = header_text(name or "")
    if not name:
        return addr
    if name.isascii():
        return str(Address(display_name=name, addr_spec=addr))
    return f"{encoded_phrase(name)} <{addr}>"


def encoded_phrase(text: str, limit: int = 75) -> str:
    """`text` as RFC 2047 encoded-words split between words, never inside one.

    Readers drop the white space between adjacent encoded-words (RFC 2047 §6.2), so each word
    keeps its following space inside the encoding; `email.header.Header` splits wherever the
    line is full, which shows "Tổng Liên đo àn" in readers that keep that white space.
    """
    def word(chunk: str) -> str:
        return "=?utf-8?b?" + base64.b64encode(chunk.encode("utf-8")).decode("ascii") + "?="

    chunks: list[str] = []
    current = ""
    for piece in text.split(" "):
        candidate = f"{current} {piece}" if current else piece
        if current and len(word(candidate)) > limit:
            chunks.append(current + " ")
            current = piece
        else:
            current = candidate
    chunks.append(current)
    return " ".join(word(chunk) for chunk in chunks)


@lru_cache(maxsize=16)
def sender(mail_from: str) -> str:
    name, addr = parseaddr(mail_from)
    if not valid_address(addr):
        raise BadAddress(f"CASCADE_MAIL_FROM={mail_from!r}: không phải địa chỉ e-mail hợp lệ")
    return address(addr, name)


def set_header(msg: EmailMessage, name: str, value: str) -> None:
    """Add a header already encoded and folded to ASCII by `email.header.Header`."""
    msg.set_raw(name, _encoded_header(name, value))


@lru_cache(maxsize=4096)
def _encoded_header(name: str, value: str) -> str:
    """`value` encoded and folded once (many mails of a cascade share subjects and senders).

    This bypasses the policy's CR/LF check, so the same check is made explicitly: only
    folding whitespace may follow a line break.
    """
    folded = Header(value, "utf-8" if not value.isascii() else "us-ascii", header_name=name,
                    maxlinelen=76).encode(linesep="\r\n")
    lines = folded.split("\r\n")
    if any(c in line for line in lines for c in "\r\n\x00") or \
            any(not line[:1].isspace() for line in lines[1:]):
        raise ValueError(f"header {name} would carry a line break: {value!r}")
    return folded


def message_headers(*, subject: str, mail_from: str, to: tuple[str, ...], recipient: str,
                    reply_to: tuple[str, ...], at: dt.datetime, msg_id: str) -> EmailMessage:
    """A message with its envelope headers set (Subject, From, To, Reply-To, Date, ...)."""
    if not to:
        raise BadAddress("thư không có người nhận")
    msg = EmailMessage(policy=SMTP)
    set_header(msg, "Subject", header_text(subject))
    set_header(msg, "From", sender(mail_from))
    set_header(msg, "To", ", ".join(address(a, recipient) for a in to))
    if reply_to:
        set_header(msg, "Reply-To", ", ".join(address(a) for a in reply_to))
    set_header(msg, "Date", format_datetime(at.astimezone(dt.UTC)))
    set_header(msg, "Message-ID", header_text(msg_id))
    set_header(msg, "Auto-Submitted", "auto-generated")
    return msg


def part(content_type: str, text: str, cte: str, params: str = "") -> EmailMessage:
    """A leaf MIME part built directly: the email package's content manager parses every
    header it writes."""
    leaf = EmailMessage(policy=SMTP)
    raw = text.encode("utf-8")
    if cte == "base64":
        payload = base64.encodebytes(raw).decode("ascii")
    else:
        payload = quopri.encodestring(raw).decode("ascii")
    leaf.set_raw("Content-Type", f'{content_type}; charset="utf-8"{params}')
    leaf.set_raw("Content-Transfer-Encoding", cte)
    leaf.set_payload(payload)
    return leaf


def multipart(subtype: str, parts: list[EmailMessage]) -> EmailMessage:
    container = EmailMessage(policy=SMTP)
    container.set_raw("MIME-Version", "1.0")
    container.set_raw("Content-Type", f'multipart/{subtype}; boundary="{_boundary()}"')
    container.set_payload(list(parts))
    return container


def _boundary() -> str:
    return "=_cascade_" + secrets.token_hex(12)


def attach_body(msg: EmailMessage, body: EmailMessage) -> None:
    """Make `body` (a multipart) the content of `msg` (its raw headers: `items()` would parse
    each one again)."""
    for name, value in body.raw_items():
        msg.set_raw(name, value)
    msg.set_payload(body.get_payload())


_BOUNDARY = re.compile(r'boundary="([^"]+)"')


def wire_bytes(msg: EmailMessage) -> bytes:
    """The message as sent, serialised directly from the raw headers and payloads set here
    (CRLF line ends). The email package's generator would fold every header again; a message
    built any other way goes through the generator."""
    out: list[str] = []
    if not _write_raw(msg, out):
        return msg.as_bytes(policy=SMTP)
    return "".join(out).encode("ascii")


def _write_raw(msg: EmailMessage, out: list[str]) -> bool:
    for name, value in msg.raw_items():
        if not isinstance(value, str) or not value.isascii():
            return False
        out.append(f"{name}: {value}\r\n")
    out.append("\r\n")
    payload = msg.get_payload()
    if isinstance(payload, list):
        found = _BOUNDARY.search(dict(msg.raw_items()).get("Content-Type", ""))
        if found is None:
            return False
        boundary = found.group(1)
        for child in payload:
            out.append(f"--{boundary}\r\n")
            if not _write_raw(cast(EmailMessage, child), out):  # the parts of an EmailMessage
                return False
            out.append("\r\n")
        out.append(f"--{boundary}--\r\n")
        return True
    if not isinstance(payload, str) or not payload.isascii():
        return False
    out.append(payload.replace("\r\n", "\n").replace("\n", "\r\n"))
    return True
