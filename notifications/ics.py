"""The deadline as an iCalendar attachment: one all-day event on the due date.

The UID is stable per task occurrence and SEQUENCE follows the task's version, so the mail
that grants an extension moves the same calendar entry instead of adding a second one.
"""

from __future__ import annotations

import datetime as dt

from icalendar import Calendar, Event


def calendar_uid(*, task_id: int, occurrence: int, domain: str) -> str:
    return f"cascade-task-{task_id}-{occurrence}@{domain}"


def deadline_calendar(*, uid: str, due_on: dt.date, summary: str, description: str,
                      stamp: dt.datetime, sequence: int = 0, url: str | None = None) -> bytes:
    """A VCALENDAR (METHOD:PUBLISH) holding one all-day VEVENT on `due_on`."""
    cal = Calendar()
    cal.add("prodid", "-//directive-cascade//Tong Lien doan Lao dong Viet Nam//VI")
    cal.add("version", "2.0")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", stamp.astimezone(dt.UTC))
    event.add("dtstart", due_on)
    event.add("dtend", due_on + dt.timedelta(days=1))
    event.add("sequence", sequence)
    event.add("summary", summary)
    event.add("description", description)
    event.add("transp", "TRANSPARENT")
    if url:
        event.add("url", url)
    cal.add_component(event)
    return cal.to_ical()
