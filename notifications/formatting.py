"""Vietnamese formatting for mails, pages and reports."""

from __future__ import annotations

import datetime as dt


def long_date(day: dt.date) -> str:
    """'ngày 30 tháng 11 năm 2025'."""
    return f"ngày {day.day} tháng {day.month} năm {day.year}"


def short_date(day: dt.date | None) -> str:
    """'30/11/2025', or 'không thời hạn' for no date."""
    return f"{day:%d/%m/%Y}" if day else "không thời hạn"
