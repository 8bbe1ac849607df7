"""Deadline phrases -> rule strings that models.deadlines accepts."""

import datetime as dt

import pytest

from ingest.deadlines import find_deadline
from models.deadlines import parse_rule

ISSUED = dt.date(2023, 7, 11)

PHRASES = [
    ("báo cáo về Tổng Liên đoàn trước ngày 30/11 hằng năm", "annual:11-30"),
    ("Hàng năm báo cáo kết quả thực hiện ... trước ngày 30/11.", "annual:11-30"),
    ("hoàn thành trước 30/12/2023", "2023-12-30"),
    ("trước 30/3/2024", "2024-03-30"),
    ("chậm nhất ngày 15/6/2024", "2024-06-15"),
    ("trước ngày 31 tháng 12 năm 2024", "2024-12-31"),
    ("tổ chức hội nghị trong Quý II năm 2024", "2024-Q2"),
    ("Quý III/2024", "2024-Q3"),
    ("trong quý 4/2025", "2025-Q4"),
    ("hoàn thành trước Quý III/2024", "2024-Q2"),
    ("trong tháng 7/2024", "2024-07"),
    ("trước tháng 7/2024", "2024-06"),
    ("xong trong năm 2024", "2024"),
    ("hoàn thành trong năm 2025", "2025"),
    ("Thời gian thực hiện năm 2023 – 2024", "2024"),
    ("Thời gian thực hiện: từ năm 2023 đến năm 2025", "2025"),
    ("sơ kết 6 tháng đầu năm 2024", "2024-H1"),
    ("tổng kết 6 tháng cuối năm 2024", "2024-H2"),
    ("báo cáo sơ kết 6 tháng đầu năm", "semiannual"),
    ("định kỳ 6 tháng báo cáo", "semiannual"),
    ("báo cáo hằng quý", "quarterly"),
    ("báo cáo hàng tháng", "monthly"),
    ("giao ban vào thứ Sáu hằng tuần", "weekly:fri"),
    ("Hằng năm tổ chức kiểm tra", "annual"),
    ("Hàng năm, kết hợp với kiểm tra", "annual"),
    ("định kỳ hằng năm", "annual"),
    ("thường xuyên theo dõi, đôn đốc", "continuous"),
    ("trong vòng 30 ngày kể từ ngày ban hành", "relative:issued+30d"),
    ("trong 10 ngày làm việc kể từ ngày nhận được Kế hoạch", "relative:launched+10wd"),
    ("thuong xuyen theo doi", "continuous"),
    ("truoc ngay 30/11 hang nam", "annual:11-30"),
]


@pytest.mark.parametrize(("text", "rule"), PHRASES)
def test_phrase_gives_rule(text, rule):
    """Each deadline phrase of real directives maps to its rule, which models.deadlines parses."""
    found = find_deadline(text, issued_on=ISSUED)
    assert found is not None and found.rule == rule
    parse_rule(found.rule)


@pytest.mark.parametrize(("text", "rule"), [
    ("Quý III/2024", "2024-Q3"), ("15/8/2024", "2024-08-15"), ("năm 2024", "2024"),
    ("2023 - 2024", "2024"), ("tháng 9/2024", "2024-09"), ("7/2024", "2024-07"),
])
def test_timing_field_value(text, rule):
    """A 'Thời gian:' value or a table cell may be a bare period or date."""
    assert find_deadline(text, issued_on=ISSUED, timing=True).rule == rule


@pytest.mark.parametrize("text", [
    "Nghị quyết số 10b/NQ-BCH ngày 12/01/2017 về nâng cao hiệu quả",
    "sửa đổi, bổ sung Luật Công đoàn năm 2012",
    "Hội nghị tháng 5/2023 đã thống nhất",
    "định kỳ tổ chức sơ kết, tổng kết",
    "Ban Tuyên giáo chủ trì tham mưu",
])
def test_no_deadline_in_cited_dates(text):
    """Dates of cited documents and bare years are not deadlines."""
    assert find_deadline(text, issued_on=ISSUED) is None


def test_the_precise_phrase_wins():
    """A dated deadline beats 'thường xuyên' in the same passage."""
    found = find_deadline("thường xuyên đôn đốc, báo cáo trước 30/3/2024", issued_on=ISSUED)
    assert found.rule == "2024-03-30"


def test_day_without_year_takes_issue_year_with_warning():
    """'trước ngày 30/11' with no year and no 'hằng năm' is read in the issue year, flagged."""
    found = find_deadline("báo cáo trước ngày 30/11", issued_on=ISSUED)
    assert found.rule == "2023-11-30" and "năm 2023" in found.warning


def test_day_already_past_goes_to_next_year():
    """A day/month before the issue date is taken in the following year."""
    assert find_deadline("báo cáo trước ngày 30/3", issued_on=ISSUED).rule == "2024-03-30"


def test_impossible_date_is_flagged_not_guessed():
    """'trước ngày 31/2/2024' gives no rule and a warning naming the phrase."""
    found = find_deadline("trước ngày 31/2/2024", issued_on=ISSUED)
    assert found.rule is None and "31/2/2024" in found.warning


def test_weekly_without_day_is_flagged():
    """'hằng tuần' without a weekday yields no rule (weekly needs a day) and a warning."""
    found = find_deadline("báo cáo hằng tuần", issued_on=ISSUED)
    assert found.rule is None and found.warning


def test_phrase_text_is_quoted_as_written():
    """The deadline text is the document's own words, with its diacritics."""
    assert find_deadline("xong trong năm 2024.", issued_on=ISSUED).text == "xong trong năm 2024"


@pytest.mark.parametrize(("text", "timing", "rule"), [
    ("gửi báo cáo chậm nhất ngày 22/11/2025", False, "2025-11-22"),
    ("tổng hợp báo cáo trước ngày 25/12 hàng năm", False, "annual:12-25"),
    ("Quý IV/2025 và các năm tiếp theo", False, "annual:12-31"),
    ("Năm 2025 và các năm tiếp theo.", True, "annual"),
    ("Giai đoạn 2026-2030 và những năm tiếp theo.", True, "continuous"),
    ("họp giao ban vào thứ 6 hằng tuần", False, "weekly:fri"),
    ("báo cáo thứ 2 hàng tuần", False, "weekly:mon"),
    ("từ ngày 01/12 đến ngày 15/12/2025", False, "2025-12-15"),
    ("từ tháng 10 đến tháng 12/2025", False, "2025-12"),
    ("nhiệm vụ trọng tâm từ nay đến tháng 6/2027", False, "2027-06"),
    ("Thường xuyên, theo yêu cầu nhiệm vụ.", True, "continuous"),
    ("Tháng 12/2025", True, "2025-12"),
    ("Từ 01/7/2025.", True, "continuous"),
    ("hằng năm (trước ngày 15 tháng 11)", False, "annual:11-15"),
])
def test_phrases_of_the_shared_documents(text, timing, rule):
    """Deadline phrases of the twelve shared documents and of domain.md."""
    assert find_deadline(text, issued_on=ISSUED, timing=timing).rule == rule


def test_budget_term_is_not_a_deadline():
    """'chi thường xuyên' is a budget line, not 'continuous'."""
    assert find_deadline("bố trí kinh phí chi thường xuyên cho các cơ quan", issued_on=ISSUED) is None


@pytest.mark.parametrize("text", [
    "Theo lộ trình được giao tại Kế hoạch số 02-KH/BCĐTW",
    "ngay sau khi Nghị định có hiệu lực",
])
def test_event_relative_phrase_is_kept_as_text_and_flagged(text):
    """A deadline tied to an event has no rule, keeps its words and carries a warning."""
    found = find_deadline(text, issued_on=ISSUED, timing=True)
    assert found.rule is None and found.text and "sự kiện" in found.warning


def test_ordinal_is_not_a_weekday():
    """'lần thứ 6' is not a Friday."""
    assert find_deadline("Hội nghị lần thứ 6 Ban Chấp hành", issued_on=ISSUED) is None
