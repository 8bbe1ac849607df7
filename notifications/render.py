"""Rendering: mail data (models/mail.py) -> `email.message.EmailMessage`. Pure: no database,
no clock, no I/O.

Templates live in templates/email/: one `.txt` and one `.html` per mail kind, both extending
a shared layout; the subject is the `subject` block of the `.txt` template. HTML is
autoescaped, undefined variables are errors; words come from models/vocabulary.py.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import unicodedata
from dataclasses import replace
from email.message import EmailMessage
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from models import vocabulary as vocab
from models.mail import CALENDAR_KINDS, DigestMailData, MailData
from notifications import mime

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates" / "email"


def body_text(value: str | None) -> str:
    """Document-supplied text for a mail body: NFC, line breaks kept, other controls dropped."""
    if not value:
        return ""
    text = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    return re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", "", text)


@lru_cache(maxsize=4)
def mail_environment(directory: Path = TEMPLATE_DIR) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(directory)),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["wordwrap"] = _wordwrap
    env.filters["long_date"] = vocab.long_date
    env.filters["short_date"] = vocab.short_date
    env.filters["upper_first"] = vocab.upper_first
    env.filters["body"] = body_text
    env.filters["iso_long"] = lambda text: vocab.long_date(dt.date.fromisoformat(text))
    env.filters["iso_short"] = lambda text: vocab.short_date(dt.date.fromisoformat(text))
    return env


@lru_cache(maxsize=4096)
def _wordwrap(text: str, width: int = 79, break_long_words: bool = True,
              wrapstring: str = "\n", break_on_hyphens: bool = True) -> str:
    """Jinja's `wordwrap` (each line a paragraph), remembered: the mails of one cascade wrap
    the same task texts and titles again and again."""
    return wrapstring.join(
        wrapstring.join(textwrap.wrap(line, width=width, expand_tabs=False,
                                      replace_whitespace=False, break_long_words=break_long_words,
                                      break_on_hyphens=break_on_hyphens))
        for line in text.splitlines())


@lru_cache(maxsize=128)
def _template(env: jinja2.Environment, name: str) -> jinja2.Template:
    return env.get_template(name)


def _parts(env: jinja2.Environment, name: str, values: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text, html) of template pair `name`."""
    text_template = _template(env, f"{name}.txt")
    subject = "".join(text_template.blocks["subject"](text_template.new_context(values)))
    text = text_template.render(values)
    html = _template(env, f"{name}.html").render(values)
    return subject, unicodedata.normalize("NFC", text), unicodedata.normalize("NFC", html)


def _alternatives(text: str, html: str) -> EmailMessage:
    return mime.multipart("alternative", [mime.part("text/plain", text, "quoted-printable"),
                                          mime.part("text/html", html, "base64")])


def render_digest(data: DigestMailData, *, env: jinja2.Environment | None = None) -> EmailMessage:
    """A supervisor's digest: text and HTML (CSS bars), no attachment."""
    values = {"g": data.digest, "recipient": data.recipient,
              "when": (lambda at: vocab.local_time(at, data.timezone))}
    subject, text, html = _parts(env or mail_environment(), "digest", values)
    msg = mime.message_headers(subject=subject, mail_from=data.sender, to=data.to,
                               recipient=data.recipient, reply_to=(), at=data.at,
                               msg_id=data.message_id)
    mime.set_header(msg, "X-Cascade-Kind", "digest")
    mime.attach_body(msg, _alternatives(text, html))
    return msg


def _values(data: MailData) -> dict[str, Any]:
    """The template's names; document- and body-supplied text cleaned for a mail body."""
    role = data.task.role
    task = replace(data.task, text=body_text(data.task.text))
    directive = replace(data.directive, title=body_text(data.directive.title))
    event = replace(data.event, note=body_text(data.event.note) or None) if data.event else None
    return {
        "kind": data.kind, "d": directive, "t": task, "e": event,
        "links": data.links, "recipient": data.recipient, "role": vocab.role_label(role),
        "due": vocab.short_date(data.task.due_on) if data.task.due_on else data.task.deadline,
        "when": (lambda at: vocab.local_time(at, data.timezone)),
        "action_label": (lambda action: vocab.action_label(action, role)),
        "f": data.follow_up, "history": data.history, "r": data.report,
        "status_label": vocab.status_label(data.task.status),
        "links_until": (vocab.local_time(data.links_until, data.timezone)
                        if data.links_until else None),
    }


def render_mail(data: MailData, *, env: jinja2.Environment | None = None) -> EmailMessage:
    """The message for `data`: text and HTML alternatives, plus the deadline as .ics when due.

    Raises BadAddress when a recipient or the sender is not a plain, valid address.
    """
    subject, text, html = _parts(env or mail_environment(), data.kind, _values(data))
    msg = mime.message_headers(subject=subject, mail_from=data.sender, to=data.to,
                               recipient=data.recipient, reply_to=data.reply_to, at=data.at,
                               msg_id=data.message_id)
    mime.set_header(msg, "X-Cascade-Task", str(data.task.id))
    mime.set_header(msg, "X-Cascade-Kind", mime.header_text(data.kind))
    body = _alternatives(text, html)
    if data.kind in CALENDAR_KINDS and data.task.due_on is not None and data.calendar_uid:
        from notifications.ics import deadline_calendar

        ics = deadline_calendar(
            uid=data.calendar_uid, due_on=data.task.due_on, stamp=data.at, sequence=data.task.version,
            summary=f"Hạn nhiệm vụ {data.task.ref} — {data.directive.number}",
            description=body_text(f"{data.task.text}\n\n{data.directive.kind} "
                                  f"{data.directive.number}: {data.directive.title}"),
            url=data.links[0].url if data.links else None)
        attachment = mime.part("text/calendar", ics.decode("utf-8"), "base64",
                               params='; method="PUBLISH"')
        attachment.set_raw("Content-Disposition", 'attachment; filename="han-nhiem-vu.ics"')
        body = mime.multipart("mixed", [body, attachment])
    mime.attach_body(msg, body)
    return msg


class MailTemplates:
    """The MailRenderer the App wires into the dispatcher: templates/email/ through Jinja2."""

    def __init__(self, directory: Path = TEMPLATE_DIR) -> None:
        self.env = mail_environment(directory)

    def render_mail(self, data: MailData) -> EmailMessage:
        return render_mail(data, env=self.env)

    def render_digest(self, data: DigestMailData) -> EmailMessage:
        return render_digest(data, env=self.env)

    def to_wire(self, message: EmailMessage) -> bytes:
        return mime.wire_bytes(message)
