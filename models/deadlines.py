"""Deadline rules: what a directive's deadline phrase means, as a due date or a series of them.

Rule strings (the same in templates, drafts and the database):

    2024-03-30          an exact date                      ("trước 30/3/2024")
    2024-07             end of a month                     ("trong tháng 7/2024")
    2024-Q2             end of a quarter                   ("Quý II năm 2024")
    2024-H1             end of a half-year                 ("6 tháng đầu năm 2024")
    2024                end of a year                      ("xong trong năm 2024")
    annual:11-30        every year on a day                ("trước ngày 30/11 hằng năm")
    annual              every year, day set at launch      ("Hằng năm")
    semiannual          every half-year end                ("định kỳ 6 tháng")
    quarterly           every quarter end
    monthly             every month end
    weekly:fri          every week on a day (mon..sun)
    continuous          no deadline, still tracked         ("thường xuyên")
    relative:issued+30d     N days after the issue date (anchor: issued or launched)
    relative:issued+10wd    N working days after it

A recurring rule yields one occurrence at a time: the first is the first due date on or after
the issue date, or the launch date when the cascade is launched later (nobody can be chased
for years before the cascade existed); then `next_due` after each one.
"""

from __future__ import annotations

import calendar as _cal
import datetime as dt
import re
from dataclasses import dataclass

from models.calendar import WorkingCalendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
WEEKDAYS_VI = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


class DeadlineRuleError(ValueError):
    """A rule string that does not parse or names a day that does not exist."""


WINDOW_YEARS = 20  # a deadline or an extension lies within 20 years of the directive's date


def window(issued_on: dt.date) -> tuple[dt.date, dt.date]:
    """The dates a deadline or an extension of a directive issued on `issued_on` may take:
    not before the directive's date, not more than WINDOW_YEARS years after it."""
    return issued_on, _day_in_year(issued_on.year + WINDOW_YEARS, issued_on.month, issued_on.day)


def window_problem(day: dt.date, issued_on: dt.date, what: str = "hạn") -> str | None:
    """Why `day` is outside the window of a directive issued on `issued_on`, or None."""
    lo, hi = window(issued_on)
    if lo <= day <= hi:
        return None
    side = "trước ngày ban hành" if day < lo else f"quá {WINDOW_YEARS} năm sau ngày ban hành"
    return (f"{what} {day:%d/%m/%Y} {side}: chỉ nhận ngày từ {lo:%d/%m/%Y} đến {hi:%d/%m/%Y} "
            f"(ngày ban hành đến {WINDOW_YEARS} năm sau)")


def deadline_window_problem(rule: DeadlineRule | None, issued_on: dt.date) -> str | None:
    """Why a rule's date (or its offset) lies outside the directive's window, or None."""
    if rule is None:
        return None
    if rule.kind in ("date", "period") and rule.due is not None:
        return window_problem(rule.due, issued_on)
    if rule.kind == "relative" and abs(rule.offset) > WINDOW_YEARS * 365:
        return (f"{rule.text!r}: {abs(rule.offset)} ngày là quá {WINDOW_YEARS} năm; chỉ nhận tối "
                f"đa {WINDOW_YEARS * 365} ngày")
    return None


def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, _cal.monthrange(year, month)[1])


def _day_in_year(year: int, month: int, day: int) -> dt.date:
    """`month`/`day` in `year`; 29/02 falls on 28/02 in a common year."""
    if month == 2 and day == 29 and not _cal.isleap(year):
        return dt.date(year, 2, 28)
    return dt.date(year, month, day)


def _check_month_day(month: int, day: int, text: str) -> None:
    if not 1 <= month <= 12:
        raise DeadlineRuleError(f"{text!r}: tháng {month} không tồn tại")
    if not 1 <= day <= _cal.monthrange(2024, month)[1]:
        raise DeadlineRuleError(f"{text!r}: ngày {day:02d}/{month:02d} không tồn tại")


@dataclass(frozen=True)
class DeadlineRule:
    """A parsed rule. `kind` is one of: date, period, annual, every, continuous, relative."""

    text: str
    kind: str
    due: dt.date | None = None  # date, period
    month: int | None = None  # annual
    day: int | None = None  # annual
    every: str | None = None  # semiannual, quarterly, monthly, weekly
    weekday: int | None = None  # weekly
    anchor: str | None = None  # relative
    offset: int = 0  # relative, signed
    working: bool = False  # relative: working days

    def __str__(self) -> str:
        return self.text

    @property
    def recurring(self) -> bool:
        return self.kind in ("annual", "every")

    @property
    def needs_day(self) -> bool:
        """A yearly rule with no day: the coordinator sets the day at launch."""
        return self.kind == "annual" and self.month is None

    def with_day(self, month_day: str) -> DeadlineRule:
        """The yearly rule completed with the day the coordinator chose ('12-15')."""
        if self.kind != "annual":
            raise DeadlineRuleError(f"{self.text!r}: chỉ hạn hằng năm mới đặt ngày khi khởi chạy")
        return parse_rule(f"annual:{month_day}")

    def first_due(
        self, *, issued_on: dt.date, launched_on: dt.date, calendar: WorkingCalendar
    ) -> dt.date | None:
        """The first due date; None for a continuous rule (and a yearly one with no day)."""
        if self.kind in ("date", "period"):
            return self.due
        if self.kind == "continuous" or self.needs_day:
            return None
        if self.kind == "relative":
            base = issued_on if self.anchor == "issued" else launched_on
            if self.working:
                return calendar.add_working_days(base, self.offset)
            return base + dt.timedelta(days=self.offset)
        return self._occurrence_on_or_after(max(issued_on, launched_on))

    def next_due(self, previous: dt.date) -> dt.date | None:
        """The occurrence after `previous` for a recurring rule, else None."""
        if not self.recurring or self.needs_day:
            return None
        return self._occurrence_on_or_after(previous + dt.timedelta(days=1))

    def _occurrence_on_or_after(self, day: dt.date) -> dt.date:
        if self.kind == "annual":
            assert self.month is not None and self.day is not None
            due = _day_in_year(day.year, self.month, self.day)
            return due if due >= day else _day_in_year(day.year + 1, self.month, self.day)
        if self.every == "weekly":
            assert self.weekday is not None
            return day + dt.timedelta(days=(self.weekday - day.weekday()) % 7)
        months = {"monthly": 1, "quarterly": 3, "semiannual": 6}[self.every or ""]
        last_month = ((day.month - 1) // months + 1) * months
        return month_end(day.year, last_month)

    def describe(self) -> str:
        """The rule in Vietnamese, for tables and mails."""
        if self.kind == "date" and self.due:
            return f"trước ngày {self.due:%d/%m/%Y}"
        if self.kind == "period":
            return f"trong {_period_vi(self.text)}"
        if self.kind == "annual":
            if self.needs_day:
                return "hằng năm (ngày do điều phối chọn)"
            return f"hằng năm, trước ngày {self.day:02d}/{self.month:02d}"
        if self.kind == "every":
            if self.every == "weekly":
                return f"hằng tuần, {WEEKDAYS_VI[self.weekday or 0]}"
            return {"monthly": "hằng tháng", "quarterly": "hằng quý",
                    "semiannual": "định kỳ 6 tháng"}[self.every or ""]
        if self.kind == "continuous":
            return "thường xuyên"
        unit = "ngày làm việc" if self.working else "ngày"
        anchor = "ngày ban hành" if self.anchor == "issued" else "ngày khởi chạy"
        side = "sau" if self.offset >= 0 else "trước"
        return f"{abs(self.offset)} {unit} {side} {anchor}"


def _period_vi(text: str) -> str:
    year, _, part = text.partition("-")
    if not part:
        return f"năm {year}"
    if part.startswith("Q"):
        return f"quý {('I', 'II', 'III', 'IV')[int(part[1]) - 1]} năm {year}"
    if part.startswith("H"):
        return f"{'6 tháng đầu' if part == 'H1' else '6 tháng cuối'} năm {year}"
    return f"tháng {int(part)}/{year}"


_RELATIVE = re.compile(r"relative:(issued|launched)([+-])(\d{1,4})(wd|d)")


def parse_rule(text: str) -> DeadlineRule:
    """Parse a rule string; DeadlineRuleError says what is wrong with it."""
    if not isinstance(text, str):
        raise DeadlineRuleError(f"{text!r}: quy tắc thời hạn phải là chuỗi")
    s = text.strip()
    if (m := re.match(r"(\d{4})(?:-|$)", s)) and int(m[1]) < 1:  # no year 0 in a calendar
        raise DeadlineRuleError(f"{s!r}: năm {m[1]} không tồn tại")
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", s):
        year, month, day = map(int, m.groups())
        _check_month_day(month, day, s)
        try:
            return DeadlineRule(s, "date", due=dt.date(year, month, day))
        except ValueError:
            raise DeadlineRuleError(f"{s!r}: ngày {day:02d}/{month:02d}/{year} không tồn tại") from None
    if m := re.fullmatch(r"(\d{4})-(\d{2})", s):
        year, month = map(int, m.groups())
        if not 1 <= month <= 12:
            raise DeadlineRuleError(f"{s!r}: tháng {month} không tồn tại")
        return DeadlineRule(s, "period", due=month_end(year, month))
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", s):
        year, q = map(int, m.groups())
        return DeadlineRule(s, "period", due=month_end(year, q * 3))
    if m := re.fullmatch(r"(\d{4})-H([12])", s):
        year, h = map(int, m.groups())
        return DeadlineRule(s, "period", due=month_end(year, h * 6))
    if re.fullmatch(r"\d{4}", s):
        return DeadlineRule(s, "period", due=dt.date(int(s), 12, 31))
    if s == "annual":
        return DeadlineRule(s, "annual")
    if m := re.fullmatch(r"annual:(\d{2})-(\d{2})", s):
        month, day = map(int, m.groups())
        _check_month_day(month, day, s)
        return DeadlineRule(s, "annual", month=month, day=day)
    if s in ("semiannual", "quarterly", "monthly"):
        return DeadlineRule(s, "every", every=s)
    if m := re.fullmatch(r"weekly:(\w+)", s):
        if m.group(1) not in WEEKDAYS:
            raise DeadlineRuleError(f"{s!r}: thứ trong tuần phải là một trong {', '.join(WEEKDAYS)}")
        return DeadlineRule(s, "every", every="weekly", weekday=WEEKDAYS.index(m.group(1)))
    if s == "continuous":
        return DeadlineRule(s, "continuous")
    if m := _RELATIVE.fullmatch(s):
        anchor, sign, n, unit = m.groups()
        offset = int(n) * (1 if sign == "+" else -1)
        return DeadlineRule(s, "relative", anchor=anchor, offset=offset, working=unit == "wd")
    raise DeadlineRuleError(
        f"{s!r}: không hiểu quy tắc thời hạn; dùng YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY-Hn, YYYY, "
        "annual:MM-DD, annual, semiannual, quarterly, monthly, weekly:mon..sun, continuous, "
        "relative:issued+Nd hoặc relative:issued+Nwd"
    )
