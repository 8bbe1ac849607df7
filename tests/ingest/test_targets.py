"""Targets (chỉ tiêu) with year, value and unit."""

from ingest.layout import analyse
from ingest.reading import Document
from ingest.targets import read_targets


def targets(text):
    return [(t["year"], t["value"], t["unit"])
            for t in read_targets(analyse(Document("t.txt", tuple(text.split("\n")))))]


def test_heading_year_and_clause_year():
    """'Đến năm 2025:' sets the year; 'đến năm 2023' inside a clause overrides it."""
    text = ("* Đến năm 2025:\n- Phân đầu có 13,5 triệu đoàn viên công đoàn; đến năm 2023 phân "
            "đầu có 12 triệu đoàn viên.\n- Phấn đấu 80% trở lên doanh nghiệp có thỏa ước.")
    assert targets(text) == [(2025, 13.5, "triệu đoàn viên"), (2023, 12.0, "triệu đoàn viên"),
                             (2025, 80.0, "%")]


def test_thousands_separator():
    """'500.000 đoàn viên' is five hundred thousand."""
    assert targets("Phấn đấu đến năm 2025 có 500.000 đoàn viên mới.") == [
        (2025, 500000.0, "đoàn viên")]


def test_no_year_no_target():
    """A figure with no year and no target heading is not a target."""
    assert targets("Tham gia Đề án 1 triệu nhà ở xã hội cho công nhân.") == []
