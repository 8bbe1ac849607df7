"""The calendar cache gives the same working days as `holidays` itself, and is rebuilt when
config/calendar.yaml changes."""

import datetime as dt

from models.calendar import cached_calendar, load_calendar
from tests.conftest import ROOT

CALENDAR = ROOT / "config" / "calendar.yaml"


def test_the_cached_calendar_answers_like_the_real_one(tmp_path):
    """Every day of 2023-2027, Tết and the make-up Saturdays included, is the same."""
    cache = tmp_path / "calendar-cache.json"
    built = cached_calendar(CALENDAR, cache, dt.date(2025, 6, 1))
    assert cache.exists()
    again = cached_calendar(CALENDAR, cache, dt.date(2025, 6, 1))  # from the cache now
    real = load_calendar(CALENDAR)
    day = dt.date(2023, 1, 1)
    while day <= dt.date(2027, 12, 31):
        assert again.is_working_day(day) == real.is_working_day(day) == built.is_working_day(day), day
        day += dt.timedelta(days=1)
    assert not again.is_working_day(dt.date(2025, 1, 29))  # Tết
    assert again.add_working_days(dt.date(2025, 1, 24), 1) == real.add_working_days(
        dt.date(2025, 1, 24), 1)


def test_a_changed_calendar_file_is_not_answered_from_an_old_cache(tmp_path):
    """Declaring a swapped working day in calendar.yaml takes effect at once."""
    cache = tmp_path / "calendar-cache.json"
    local = tmp_path / "calendar.yaml"
    local.write_text(CALENDAR.read_text(encoding="utf-8"), encoding="utf-8")
    saturday = dt.date(2026, 3, 14)
    assert not cached_calendar(local, cache, saturday).is_working_day(saturday)
    local.write_text(local.read_text(encoding="utf-8") + f"\nworking_days: [{saturday}]\n",
                     encoding="utf-8")
    assert cached_calendar(local, cache, saturday).is_working_day(saturday)


def test_a_day_outside_the_cached_years_is_still_answered(tmp_path):
    """Far from today, the calendar falls back to `holidays`."""
    cal = cached_calendar(CALENDAR, tmp_path / "c.json", dt.date(2025, 6, 1))
    cal = cached_calendar(CALENDAR, tmp_path / "c.json", dt.date(2025, 6, 1))
    assert not cal.is_working_day(dt.date(2035, 9, 2))  # Quốc khánh
    assert cal.holiday_name(dt.date(2035, 9, 2))
