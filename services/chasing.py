"""How long the sweep chases a task, and why it no longer does: light (no ORM), so the status
listing, the task page and the launch warnings all say it the same way."""

from __future__ import annotations

import datetime as dt

from models.status import OPEN, TaskStatus
from models.vocabulary import short_date

HORIZON_DAYS = 400  # calendar days past the deadline after which the sweep stops chasing


def unchased_note(*, status: str, due_on: dt.date | None, unchased: bool,
                  today: dt.date) -> str | None:
    """Why the sweep no longer reminds or escalates an open task, if it does not."""
    if TaskStatus(status) not in OPEN:
        return None
    if unchased:
        return ("Khởi chạy khi đã quá hạn, điều phối viên chọn không nhắc và không báo cáo vượt "
                "cấp: hệ thống không đôn đốc nhiệm vụ này.")
    if due_on is not None and (today - due_on).days > HORIZON_DAYS:
        stopped = due_on + dt.timedelta(days=HORIZON_DAYS)
        return (f"Hệ thống đã ngừng đôn đốc từ {short_date(stopped)} ({HORIZON_DAYS} ngày sau "
                "hạn); nhiệm vụ vẫn có trong thư tổng hợp đến khi hoàn thành.")
    return None
