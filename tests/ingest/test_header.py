"""The header: number, kind, issuer, date, title, signer and parents; stamps and copies ignored."""

import pytest

from tests.ingest.conftest import SHARED

SECTION = """
III. TỔ CHỨC THỰC HIỆN

1. Ban Tổ chức chủ trì thực hiện.
"""


def test_spaced_number_is_normalised(draft_text):
    """'Số 45 - KH/ĐĐTLĐ' becomes '45-KH/ĐĐTLĐ'."""
    draft = draft_text("ĐẢNG ĐOÀN TỔNG LIÊN ĐOÀN\nLAO ĐỘNG VIỆT NAM\n\nSố 45 - KH/ĐĐTLĐ\n\n"
                       "Hà Nội, ngày 23 tháng 5 năm 2023\n\nKẾ HOẠCH\nThực hiện Nghị quyết 29\n"
                       + SECTION)
    header = draft["directive"]
    assert header["number"] == "45-KH/ĐĐTLĐ"
    assert header["issuer"] == "tld_dang_doan"
    assert header["kind"] == "Kế hoạch"
    assert (header["place"], header["issued_on"]) == ("Hà Nội", "2023-05-23")


def test_receiving_stamp_is_not_the_number_or_date(draft_fixture):
    """'SỐ ĐẾN ... Ngày 20/11/2023 ... Số: 1234' is the receiving office's, not the directive's."""
    header = draft_fixture("ke-hoach-300-tld-tien-do.md")["directive"]
    assert header["number"] == "300/KH-TLĐ"
    assert header["issued_on"] == "2023-11-15"
    assert header["kind"] == "Kế hoạch"
    assert header["title"].startswith("Triển khai thực hiện Chương trình hành động số 04/CTr-BCH")
    assert header["implements"] == ["04/CTr-BCH"]
    assert header["signer"] == "Nguyễn Đình Khang"


def test_certified_copy_block_is_not_the_directive(draft_fixture):
    """A SAO LỤC block's own number, date, place, recipients and signer are ignored."""
    draft = draft_fixture("chi-thi-sao-luc.txt")
    header = draft["directive"]
    assert header["number"] == "05-CT/TLĐ"
    assert header["issued_on"] == "2024-04-03"
    assert header["kind"] == "Chỉ thị"
    assert header["signer"] == "Nguyễn Đình Khang"
    assert all(a["source"]["line_end"] < 30 for a in draft["assignments"])


def test_annex_gives_missing_number_and_date(draft_fixture):
    """'Ban hành kèm theo Kế hoạch số 12/KH-TLĐ ngày 5/3/2024' fills the number and the date."""
    draft = draft_fixture("phu-luc-khong-so.txt")
    header = draft["directive"]
    assert header["number"] == "12/KH-TLĐ"
    assert header["issued_on"] == "2024-03-05"
    assert header["issuer"] == "tld_dct"
    assert any("kèm theo" in w for w in draft["warnings"])


def test_missing_number_and_date_are_left_empty_with_warnings(draft_text):
    """No number and no date anywhere: both null, each with a warning."""
    draft = draft_text("TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM\n\nKẾ HOẠCH\nVề phát triển đoàn viên\n"
                       + SECTION)
    assert draft["directive"]["number"] is None
    assert draft["directive"]["issued_on"] is None
    assert any("số văn bản" in w for w in draft["warnings"])
    assert any("ngày ban hành" in w for w in draft["warnings"])


def test_issuer_from_title_beats_the_organ_line(draft_text):
    """'NGHỊ QUYẾT CỦA BỘ CHÍNH TRỊ' under 'BAN CHẤP HÀNH TRUNG ƯƠNG' is the Politburo's."""
    draft = draft_text("BAN CHẤP HÀNH TRUNG ƯƠNG\nĐẢNG CỘNG SẢN VIỆT NAM\n*\nSố 02-NQ/TW\n"
                       "Hà Nội, ngày 12 tháng 6 năm 2021\n\nNGHỊ QUYẾT\nCỦA BỘ CHÍNH TRỊ\n\n"
                       "về đổi mới tổ chức\n" + SECTION)
    assert draft["directive"]["issuer"] == "ext_bo_chinh_tri"
    assert draft["directive"]["title"] == "Về đổi mới tổ chức"


def test_unknown_issuer_is_flagged(draft_text):
    """An organ the registry does not know is 'unresolved:<name>' with a warning."""
    draft = draft_text("HỘI NÔNG DÂN XÃ AN BÌNH\n\nSố 3-KH/HND\n\nKẾ HOẠCH\nVề tập huấn\n" + SECTION)
    assert draft["directive"]["issuer"] == "unresolved:HỘI NÔNG DÂN XÃ AN BÌNH"
    assert any("cơ quan ban hành" in w for w in draft["warnings"])


def test_parents_from_thuc_hien_not_can_cu(draft_text):
    """'Thực hiện ...' names the parent directive; 'Căn cứ ...' is the legal basis, not a parent."""
    draft = draft_text("TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM\nSố: 7/KH-TLĐ\n\nKẾ HOẠCH\n\n"
                       "Thực hiện Nghị quyết số 20 – NQ/TW ngày 16/6/2022 của BCH Trung ương;\n"
                       "Căn cứ Kế hoạch số 13-KH/TW ngày 28/11/2022, Tổng Liên đoàn ban hành:\n"
                       + SECTION)
    assert draft["directive"]["implements"] == ["20-NQ/TW"]


@pytest.mark.skipif(not SHARED.exists(), reason="shared directives not present")
def test_shared_document_headers(registry):
    """The three shared directives give their expected number, date and issuer."""
    from ingest.draft import draft_document

    expected = {
        "02-NQ-TW-2021-bo-chinh-tri.txt": ("02-NQ/TW", "2021-06-12", "ext_bo_chinh_tri"),
        "45-KH-DDTLD-2023-nghi-quyet-29.txt": ("45-KH/ĐĐTLĐ", "2023-05-23", "tld_dang_doan"),
        "48-KH-DDTLD-2023-nghi-quyet-20.txt": ("48-KH/ĐĐTLĐ", "2023-07-11", "tld_dang_doan"),
    }
    for name, (number, issued_on, issuer) in expected.items():
        header = draft_document(SHARED / name, registry)["directive"]
        assert (header["number"], header["issued_on"], header["issuer"]) == (
            number, issued_on, issuer), name


def test_an_upper_case_title_keeps_the_names_the_document_capitalises(draft_text):
    """'… THÀNH PHỐ CẦN THƠ NĂM 2025' reads '… thành phố Cần Thơ năm 2025': the place and the
    names the document writes with capitals inside its sentences keep them; the rest is in
    sentence case."""
    draft = draft_text("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ CẦN THƠ\n\nSố: 160/KH-UBND\n\n"
                       "Cần Thơ, ngày 19 tháng 11 năm 2025\n\nKẾ HOẠCH\n"
                       "GIÁM SÁT CHƯƠNG TRÌNH GIẢM NGHÈO THEO LUẬT VIỆC LÀM NĂM 2025\n\n"
                       "Căn cứ Luật Việc làm ngày 16 tháng 6 năm 2025;\n" + SECTION)
    assert draft["directive"]["title"] == ("Giám sát chương trình giảm nghèo theo Luật Việc làm "
                                           "năm 2025")
    town = draft_text("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ CẦN THƠ\n\nSố: 161/KH-UBND\n\n"
                      "Cần Thơ, ngày 19 tháng 11 năm 2025\n\nKẾ HOẠCH\n"
                      "GIẢM NGHÈO TRÊN ĐỊA BÀN THÀNH PHỐ CẦN THƠ\n" + SECTION)
    assert town["directive"]["title"] == "Giảm nghèo trên địa bàn thành phố Cần Thơ"
