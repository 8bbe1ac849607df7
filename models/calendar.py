"""Vietnam's working-day calendar: weekends, public holidays (Tết included), official swaps.

`holidays.VN` knows the public holidays, observed days and the make-up working Saturdays it was
told of; config/calendar.yaml adds what a later government decision sets.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any


class CalendarError(ValueError):
    """config/calendar.yaml is malformed."""


@dataclass
class WorkingCalendar:
    days_off: frozenset[dt.date] = frozenset()
    working_days: frozenset[dt.date] = frozenset()
    _cache: dict[dt.date, bool] = field(default_factory=dict, repr=False)

    @cached_property
    def _vn(self) -> Any:
        """holidays.VN, imported on first need (it costs a tenth of a second)."""
        import holidays

        return holidays.VN()

    def is_working_day(self, day: dt.date) -> bool:
        known = self._cache.get(day)
        if known is None:
            if day in self.working_days:
                known = True
            elif day in self.days_off:
                known = False
            else:
                known = bool(self._vn.is_working_day(day))
            self._cache[day] = known
        return known

    def holiday_name(self, day: dt.date) -> str | None:
        return self._vn.get(day)

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (before it when n < 0); n = 0 gives `start`."""
        step = 1 if n >= 0 else -1
        day, left = start, abs(n)
        while left:
            day += dt.timedelta(days=step)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end == start:
            return 0
        lo, hi, sign = (start, end, 1) if end > start else (end, start, -1)
        count = 0
        day = lo
        while day < hi:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return sign * count


def _dates(entries: object, path: Path, key: str) -> frozenset[dt.date]:
    if entries is None:
        return frozenset()
    if not isinstance(entries, list):
        raise CalendarError(f"{path}: {key}: cần một danh sách ngày")
    out = set()
    for i, entry in enumerate(entries):
        raw = entry.get("date") if isinstance(entry, dict) else entry
        try:
            out.add(raw if isinstance(raw, dt.date) else dt.date.fromisoformat(str(raw)))
        except ValueError:
            raise CalendarError(f"{path}: {key}[{i}]: ngày không hợp lệ {raw!r}") from None
    return frozenset(out)


@lru_cache(maxsize=8)
def load_calendar(path: Path | str | None = None) -> WorkingCalendar:
    """The calendar of `path` (config/calendar.yaml), read once per process."""
    return read_calendar(path)


def read_calendar(path: Path | str | None = None) -> WorkingCalendar:
    if path is None or not Path(path).exists():
        return WorkingCalendar()
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise CalendarError(f"{path}: YAML lỗi: {exc}") from None
    return WorkingCalendar(
        days_off=_dates(data.get("days_off"), path, "days_off"),
        working_days=_dates(data.get("working_days"), path, "working_days"),
    )


CACHE_YEARS = 2  # the cache covers the years around today: two before, two after


def cached_calendar(path: Path, cache: Path, around: dt.date) -> WorkingCalendar:
    """The calendar of `path`, from a cache of its working days around `around` when the cache
    is current (same calendar.yaml, same `holidays` release); built and cached otherwise. A
    date outside the cached years falls back to `holidays` itself. Saves the command line the
    tenth of a second `holidays` takes to import."""
    import hashlib
    import json
    from importlib import metadata

    source = path.read_bytes() if path.exists() else b""
    key = f"{hashlib.sha256(source).hexdigest()}:{metadata.version('holidays')}"
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        first, last = dt.date.fromisoformat(data["first"]), dt.date.fromisoformat(data["last"])
        if data.get("key") == key and first <= around <= last:
            off = frozenset(dt.date.fromisoformat(d) for d in data["days_off"])
            on = frozenset(dt.date.fromisoformat(d) for d in data["working_days"])
            days = (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
            known = {day: (day in on or day.weekday() < 5) and day not in off for day in days}
            return WorkingCalendar(days_off=off, working_days=on, _cache=known)
    except (OSError, ValueError, KeyError, TypeError):  # no cache yet, or a stale one
        pass
    calendar = read_calendar(path)
    try:
        _write_cache(calendar, cache, key, around)
    except OSError:  # a read-only home: no cache, the same answers
        pass
    return calendar


def _write_cache(calendar: WorkingCalendar, cache: Path, key: str, around: dt.date) -> None:
    import json

    first = dt.date(around.year - CACHE_YEARS, 1, 1)
    last = dt.date(around.year + CACHE_YEARS, 12, 31)
    days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
    flags = {day: calendar.is_working_day(day) for day in days}
    data = {"key": key, "first": first.isoformat(), "last": last.isoformat(),
            "days_off": [d.isoformat() for d, working in flags.items() if not working and d.weekday() < 5],
            "working_days": [d.isoformat() for d, working in flags.items() if working and d.weekday() >= 5]}
    from models.atomic import write_atomically

    write_atomically(cache, json.dumps(data))
