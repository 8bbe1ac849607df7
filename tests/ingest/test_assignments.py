"""Assignments: lead, co-operating, report-to, task, deadline and source lines."""

import pytest

from tests.ingest.conftest import by_ref

HEAD = "TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM\nSố: 9/KH-TLĐ\nHà Nội, ngày 2 tháng 1 năm 2024\n" \
       "KẾ HOẠCH\nVề thử nghiệm\n\nIII. TỔ CHỨC THỰC HIỆN\n\n"


@pytest.fixture(scope="module")
def plan(registry):
    from ingest.draft import draft_document
    from tests.ingest.conftest import DOCUMENTS

    return draft_document(DOCUMENTS / "ke-hoach-300-tld-tien-do.md", registry)


def test_colon_form_and_cooperating(plan):
    """'Ban Tài chính: Chủ trì, phối hợp với Văn phòng ...' leads with Văn phòng co-operating."""
    item = by_ref(plan, "III.1")
    assert item["lead"] == ["tld_ban_tai_chinh"]
    assert item["cooperating"] == ["tld_van_phong"]
    assert item["deadline"] == {"rule": "2023-12-30", "text": "hoàn thành trước 30/12/2023"}
    assert item["source"] == {"line_start": 40, "line_end": 40}


def test_unresolvable_cooperating_body_is_flagged(plan):
    """A body missing from the registry is kept as 'unresolved:<name>' and warned about."""
    item = by_ref(plan, "III.2")
    assert item["cooperating"] == ["unresolved:Sở Lao động – Thương binh và Xã hội"]
    assert any("Sở Lao động" in w for w in plan["warnings"])


def test_adverb_before_subject(plan):
    """'Hằng năm, Ủy ban Kiểm tra ... kiểm tra' leads with the UBKT, yearly."""
    item = by_ref(plan, "III.6")
    assert item["lead"] == ["tld_ubkt"] and item["deadline"]["rule"] == "annual"


def test_group_lead_with_report_channel(plan):
    """The provinces-sectors group leads, reports via 'qua Ban Tổ chức', by 30/11 each year."""
    item = by_ref(plan, "III.7")
    assert item["lead"] == ["group:cong_doan_cap_tinh_nganh_tw"]
    assert item["report_to"] == "tld_ban_to_chuc"
    assert item["deadline"]["rule"] == "annual:11-30"


def test_cooperation_only_item_has_empty_lead(plan):
    """'Ban Tuyên giáo Trung ương phối hợp hướng dẫn ...' is co-operating only."""
    item = by_ref(plan, "III.8")
    assert item["lead"] == [] and item["cooperating"] == ["ext_ban_tuyen_giao_tw"]
    assert item["deadline"]["rule"] == "2024"


def test_activity_with_labelled_fields(plan):
    """An activity with 'Đơn vị chủ trì:', 'Đơn vị phối hợp:', 'Thời gian:' lines is drafted."""
    item = by_ref(plan, "II.1")
    assert item["lead"] == ["tld_ban_tuyen_giao"]
    assert item["cooperating"] == ["tld_van_phong"]
    assert item["deadline"]["rule"] == "2024-Q3"
    assert item["source"] == {"line_start": 27, "line_end": 30}


def test_activity_with_sentence_and_time_line(plan):
    """An activity whose lead is in a sentence takes its deadline from 'Thời gian:'."""
    item = by_ref(plan, "II.2")
    assert item["lead"] == ["tld_ban_to_chuc"]
    assert item["cooperating"] == ["tld_vien_cong_nhan_cong_doan"]
    assert item["deadline"]["rule"] == "2024-07"


def test_activity_without_time_or_body_is_not_an_assignment(plan):
    """A plain activity title (no 'Thời gian:', no body) is not drafted."""
    assert not any(a["ref"] == "II.3" for a in plan["assignments"])


def test_progress_table_rows(plan):
    """Each 'TIẾN ĐỘ THỰC HIỆN' table row is an assignment with its columns."""
    first, second = by_ref(plan, "IV.1"), by_ref(plan, "IV.2")
    assert first["lead"] == ["tld_ban_to_chuc"]
    assert first["cooperating"] == ["group:cac_ban_lien_quan"]
    assert first["deadline"]["rule"] == "2024-03-30"
    assert second["lead"] == ["tld_van_phong"] and second["deadline"]["rule"] == "2028-Q4"


def test_recipients_list_is_not_assignments(plan):
    """Names in 'Nơi nhận' (b/c, p/h, t/h) give no assignment."""
    assert all(a["source"]["line_start"] < 66 for a in plan["assignments"])
    assert not any("ext_ban_to_chuc_tw" in a["lead"] for a in plan["assignments"])


def test_assigner_is_not_the_lead(draft_text):
    """'Đảng đoàn ... giao Ban Chấp hành và Đoàn Chủ tịch ... chỉ đạo' leads with BCH and ĐCT."""
    draft = draft_text(HEAD + "1. Đảng đoàn Tổng Liên đoàn giao Ban Chấp hành và Đoàn Chủ tịch "
                       "Tổng Liên đoàn chỉ đạo triển khai.\n")
    assert draft["assignments"][0]["lead"] == ["tld_bch", "tld_dct"]


def test_second_subject_splits_the_item(draft_text):
    """A later sentence with its own lead body becomes its own assignment."""
    draft = draft_text(HEAD + "5. Ban Tuyên giáo chủ trì tuyên truyền. Viện Công nhân và Công "
                       "đoàn chủ trì, phối hợp với Ban Tổ chức nghiên cứu đề tài.\n")
    refs = [(a["ref"], a["lead"], a["cooperating"]) for a in draft["assignments"]]
    assert refs == [("III.5", ["tld_ban_tuyen_giao"], []),
                    ("III.5b", ["tld_vien_cong_nhan_cong_doan"], ["tld_ban_to_chuc"])]


def test_item_without_known_body_is_warned_not_invented(draft_text):
    """An item naming no body is not drafted; a warning points at its line."""
    draft = draft_text(HEAD + "1. Ban Tổ chức chủ trì.\n2. Kinh phí thực hiện từ nguồn tài chính "
                       "công đoàn.\n")
    assert [a["ref"] for a in draft["assignments"]] == ["III.1"]
    assert any("III.2" in w for w in draft["warnings"])


def test_bullet_items_without_numbers(draft_fixture):
    """A section of '- Ban X: ...' bullets gives one assignment per bullet."""
    draft = draft_fixture("phu-luc-khong-so.txt")
    assert [(a["lead"], a["deadline"]["rule"]) for a in draft["assignments"]] == [
        (["tld_ban_to_chuc"], "2024-06-30"), (["tld_van_phong"], "quarterly")]


def test_foreign_document_flags_short_names(draft_text):
    """In a provincial document, 'Ban Tuyên giáo' is flagged rather than taken as the TLĐ's."""
    draft = draft_text("LIÊN ĐOÀN LAO ĐỘNG TỈNH NGHỆ AN\nSố: 5/KH-LĐLĐ\nNghệ An, ngày 2 tháng 1 "
                       "năm 2024\nKẾ HOẠCH\nVề thử\n\nIII. TỔ CHỨC THỰC HIỆN\n\n"
                       "1. Ban Tuyên giáo chủ trì tuyên truyền.\n")
    assert draft["directive"]["issuer"] == "ldld_nghe_an"
    assert draft["assignments"][0]["lead"] == ["unresolved:Ban Tuyên giáo"]


@pytest.mark.parametrize(("phrase", "rule"), [
    ("thường xuyên theo dõi", "continuous"),
    ("báo cáo định kỳ 6 tháng", "semiannual"),
    ("báo cáo 6 tháng đầu năm", "semiannual"),
    ("hoàn thành trong Quý III/2024", "2024-Q3"),
])
def test_deadline_in_item(draft_text, phrase, rule):
    """The item's deadline phrase becomes its rule."""
    draft = draft_text(HEAD + f"1. Ban Nữ công chủ trì, {phrase}.\n")
    assert draft["assignments"][0]["deadline"]["rule"] == rule
