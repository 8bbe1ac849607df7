"""Figures as Vietnamese users write them, and what is not a number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.figures import FigureError, parse_figure
from models.vocabulary import vi_number


@pytest.mark.parametrize("text, unit, value", [
    ("12,5", "", 12.5),
    ("12.5", "", 12.5),
    ("1.234,5", "", 1234.5),
    ("1,234.5", "", 1234.5),
    ("1.234.567", "", 1234567),
    ("12.500", "", 12500),
    ("0.125", "", 0.125),
    ("1,25", "", 1.25),
    ("850", "đoàn viên", 850),
    ("850 đoàn viên", "đoàn viên", 850),
    ("13,5 triệu", "triệu đoàn viên", 13.5),
    ("13,5 triệu đoàn viên", "triệu đoàn viên", 13.5),
    ("0,85", "triệu đoàn viên", 0.85),
    ("850 nghìn", "triệu đoàn viên", 0.85),
    ("13,5 triệu", "đoàn viên", 13_500_000),
    ("80%", "%", 80),
    ("80 %", "%", 80),
    ("  72,25 ", "%", 72.25),
    ("-2,5", "%", -2.5),
    ("\u22122,5", "%", -2.5),
    ("2 tỷ", "đồng", 2e9),
])
def test_vietnamese_spellings(text, unit, value):
    """Decimal comma or point, thousands dots, scale words and the unit typed after the number."""
    assert parse_figure(text, unit) == pytest.approx(value)


@pytest.mark.parametrize("text", ["abc", "", "12,5,6", "1..2", "12 con", "1.2.3", ",5", "5,",
                                  "nan", "inf", "1e6", "12,5 triệu triệu", "1.23,4", "x" * 70])
def test_what_is_not_a_number_is_refused(text):
    """Words, repeated or misplaced marks, exponent notation: refused, saying how to write it."""
    with pytest.raises(FigureError, match="số"):
        parse_figure(text, "đoàn viên")


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False).map(lambda x: round(x, 2)))
def test_a_number_written_the_vietnamese_way_reads_back(value):
    """Whatever the app writes ('1.234.567,89') reads back as the same number."""
    assert parse_figure(vi_number(value), "") == pytest.approx(value)
