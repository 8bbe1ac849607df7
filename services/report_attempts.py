"""Refused reports with files, counted per link, so one report link cannot be used to make the
server read and check large uploads over and over.

A refused report changes nothing and leaves its link usable (the body fixes its files and sends
again). What is bounded is the refusals: after MAX_REFUSED in WINDOW, the link page answers 429
before reading the next upload, until the oldest of them is an hour old. The count lives in the
database, so it holds across web workers and restarts; it uses the login throttle's table
(models.console_tables.LoginAttempt) under a key no e-mail address can have, so no migration.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.console_tables import LoginAttempt
from models.db import unit_of_work
from models.links import token_hash
from models.tables import table_of
from services.accounts import recent_failures, seconds_until

MAX_REFUSED = 10
WINDOW = dt.timedelta(hours=1)
ADDRESS = "report-link"  # the address column: which throttle a row belongs to


def _key(token: str) -> str:
    return "report-link:" + token_hash(token)


def wait_seconds(session: Session, token: str, at: dt.datetime) -> int:
    """0, or how long until the link takes another upload."""
    count, first = recent_failures(session, table_of(LoginAttempt).c.email, _key(token),
                                   at - WINDOW)
    return seconds_until(first, WINDOW, at) if count >= MAX_REFUSED and first else 0


def record_refused(engine: Engine, token: str, at: dt.datetime) -> None:
    """Count one refused upload on the link (a short write of its own); older ones go."""
    t = table_of(LoginAttempt)
    with unit_of_work(engine) as session:
        session.add(LoginAttempt(at=at, email=_key(token), address=ADDRESS, succeeded=False))
        session.connection().execute(sa.delete(t).where(t.c.email == _key(token),
                                                        t.c.at < at - WINDOW))


def message(seconds: int) -> str:
    minutes = max(1, -(-seconds // 60))
    return (f"Đường dẫn này đã gửi {MAX_REFUSED} báo cáo có tệp không hợp lệ trong một giờ qua, "
            f"nên tạm không nhận tệp nữa. Vui lòng kiểm tra lại tệp và gửi lại sau {minutes} "
            "phút.")
