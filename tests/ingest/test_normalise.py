"""Normalisation: one tone-mark placement, OCR slips, and the name boundaries it enables."""

import pytest

from ingest.normalise import normalise_text


@pytest.mark.parametrize(("written", "normal"), [
    ("hoà", "hòa"), ("Uỷ ban", "Ủy ban"), ("UỶ BAN", "ỦY BAN"), ("khoẻ", "khỏe"),
    ("thuỷ", "thủy"), ("Văn hoá", "Văn hóa"), ("hoàn thành", "hoàn thành"), ("quý", "quý"),
    ("thuyết", "thuyết"), ("LĐLD tỉnh", "LĐLĐ tỉnh"), ("phân đầu đạt", "phấn đấu đạt"),
])
def test_one_placement_and_ocr_slips(written, normal):
    """Old-style tone marks move to the new place; closed syllables and 'qu' stay."""
    assert normalise_text(written) == normal


@pytest.mark.parametrize(("text", "expected"), [
    ("Sở Văn hóa, Thể thao và Du lịch chủ trì", ["unresolved:Sở Văn hóa, Thể thao và Du lịch"]),
    ("Ban Quản lý dự án Thiết chế Công đoàn phối hợp",
     ["unresolved:Ban Quản lý dự án Thiết chế Công đoàn"]),
    ("Các sở, ban, ngành, đoàn thể cấp tỉnh và UBND các xã, phường tăng cường",
     ["unresolved:Các sở, ban, ngành, đoàn thể cấp tỉnh", "unresolved:UBND các xã, phường"]),
    ("Sở Tư pháp, các cơ quan, đơn vị, địa phương.",
     ["unresolved:Sở Tư pháp", "unresolved:các cơ quan, đơn vị, địa phương"]),
    ("Vụ Tổ chức cán bộ hướng dẫn", ["unresolved:Vụ Tổ chức cán bộ"]),
    ("Giám đốc các Sở, Thủ trưởng các ngành xây dựng",
     ["unresolved:Giám đốc các Sở", "unresolved:Thủ trưởng các ngành"]),
])
def test_whole_phrase_boundaries(foreign_resolver, text, expected):
    """A comma or a capitalised verb inside a name does not cut it; a new body after a comma
    is a new name; a title stands for its body."""
    assert [m.value for m in foreign_resolver.scan(text)[0]] == expected
