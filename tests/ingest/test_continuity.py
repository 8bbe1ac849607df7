"""A draft that stops short says so (issue 18, item 7): the review is told where the reading may
have passed over numbered items, with the line."""

from __future__ import annotations


def _plan(*items: str) -> str:
    return "\n".join(["KẾ HOẠCH", "Thực hiện chương trình công tác năm 2025", "",
                      "IV. TỔ CHỨC THỰC HIỆN", *items])


def test_an_item_numbered_in_a_style_the_outline_does_not_split_is_flagged(draft_text):
    draft = draft_text(_plan(
        "1. Giao Sở Nội vụ chủ trì rà soát văn bản.",
        "2. Giao Sở Tư pháp chủ trì thẩm định văn bản.",
        "3/ Giao Sở Y tế chủ trì kiểm tra cơ sở khám bệnh.",
        "4/ Giao Sở Tài chính chủ trì bố trí kinh phí.",
    ))
    warnings = [w for w in draft["warnings"] if "dừng sớm" in w]
    assert len(warnings) == 1, draft["warnings"]
    assert warnings[0].startswith("dòng 7: bản nháp có thể dừng sớm ở mục IV.2")
    assert "số 3" in warnings[0]


def test_a_skipped_number_is_flagged_with_its_line(draft_text):
    draft = draft_text(_plan(
        "1. Giao Sở Nội vụ chủ trì rà soát văn bản.",
        "2. Giao Sở Tư pháp chủ trì thẩm định văn bản.",
        "4. Giao Sở Tài chính chủ trì bố trí kinh phí.",
    ))
    assert ("dòng 7: sau mục IV.2 là mục IV.4, không có mục 3: văn bản thiếu mục này hay bản "
            "nháp chưa tách được nó, kiểm tra với văn bản") in draft["warnings"]


def test_a_complete_numbering_gives_no_such_warning(draft_text):
    items = [f"{i}. Giao Sở Nội vụ chủ trì rà soát văn bản số {i}/2025, báo cáo trước "
             f"ngày 30/11/2025." for i in range(1, 121)]
    draft = draft_text(_plan(*items))
    assert len(draft["assignments"]) == 120
    assert not [w for w in draft["warnings"] if "dừng sớm" in w or "không có mục" in w]
