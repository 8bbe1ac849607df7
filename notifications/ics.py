"""The deadline as an iCalendar attachment (RFC 5545): one all-day event on the due date.

The UID is stable per task occurrence and SEQUENCE follows the task's version, so the mail
that grants an extension moves the same calendar entry instead of adding a second one.

Written by hand rather than through the icalendar package: the event has a handful of fixed
properties, and building it directly costs a twentieth of the time per mail (the tests parse
the result with icalendar).
"""

from __future__ import annotations

import datetime as dt


def _text(value: str) -> str:
    """A TEXT value escaped as RFC 5545 §3.3.11 asks (backslash, semicolon, comma, newline)."""
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\\n"))


def _fold(line: str) -> bytes:
    """One content line, folded at 75 octets without splitting a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return data + b"\r\n"
    out, start, limit = [], 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # inside a multi-byte character
            end -= 1
        out.append(data[start:end])
        start, limit = end, 74  # continuation lines start with a space
    return b"\r\n ".join(out) + b"\r\n"


def deadline_calendar(*, uid: str, due_on: dt.date, summary: str, description: str,
                      stamp: dt.datetime, sequence: int = 0, url: str | None = None) -> bytes:
    """A VCALENDAR (METHOD:PUBLISH) holding one all-day VEVENT on `due_on`."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//directive-cascade//Tong Lien doan Lao dong Viet Nam//VI",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{_text(uid)}",
        f"DTSTAMP:{stamp.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}",
        f"DTSTART;VALUE=DATE:{due_on:%Y%m%d}",
        f"DTEND;VALUE=DATE:{_day_after(due_on):%Y%m%d}",
        f"SEQUENCE:{int(sequence)}",
        f"SUMMARY:{_text(summary)}",
        f"DESCRIPTION:{_text(description)}",
        "TRANSP:TRANSPARENT",
        *([f"URL:{_text(url)}"] if url else []),
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return b"".join(_fold(line) for line in lines)


def _day_after(day: dt.date) -> dt.date:
    """The exclusive end of an all-day event (the last representable day ends on itself)."""
    return day + dt.timedelta(days=1) if day < dt.date.max else day
