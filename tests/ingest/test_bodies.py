"""Body names in sentences -> registry ids, or flagged as unresolved."""

import pytest


def values(resolver, text, **kwargs):
    return [m.value for m in resolver.scan(text, **kwargs)[0]]


@pytest.mark.parametrize(("text", "expected"), [
    ("Ban Tuyên giáo Tổng Liên đoàn chủ trì", ["tld_ban_tuyen_giao"]),
    ("Ban Tuyên giáo TLĐ chủ trì", ["tld_ban_tuyen_giao"]),
    ("Ban Tuyên giáo Tổng LĐLĐ Việt Nam chủ trì", ["tld_ban_tuyen_giao"]),
    ("Ban Tuyen giao Tong Lien doan chu tri", ["tld_ban_tuyen_giao"]),
    ("**Ban Tổ chức** chủ trì", ["tld_ban_to_chuc"]),
    ("Ban Chính sách – Pháp luật: Chủ trì", ["tld_ban_chinh_sach_phap_luat"]),
    ("Ban Chính sách — pháp luật chủ trì", ["tld_ban_chinh_sach_phap_luat"]),
    ("Ban Chính sách - Pháp luật Tổng Liên đoàn chủ trì", ["tld_ban_chinh_sach_phap_luat"]),
    ("Uỷ ban Kiểm tra Tổng Liên đoàn kiểm tra", ["tld_ubkt"]),
    ("LĐLD các tỉnh, thành phố báo cáo", ["group:ldld_tinh_thanh_pho"]),
    ("LĐLĐ tỉnh Nghệ An báo cáo", ["ldld_nghe_an"]),
    ("Ban Chấp hành và Đoàn Chủ tịch Tổng Liên đoàn chỉ đạo", ["tld_bch", "tld_dct"]),
])
def test_names_resolve(resolver, text, expected):
    """Names with or without diacritics, abbreviations, OCR slips, dashes and markdown resolve."""
    from ingest.text import clean_line

    assert values(resolver, clean_line(text)) == expected


def test_party_propaganda_board_is_not_the_confederation_department(resolver):
    """'Ban Tuyên giáo Trung ương' is the Party's board, never tld_ban_tuyen_giao."""
    assert values(resolver, "Ban Tuyên giáo Trung ương chủ trì") == ["ext_ban_tuyen_giao_tw"]
    assert values(resolver, "Ban Tuyên giáo TW chủ trì") == ["ext_ban_tuyen_giao_tw"]


def test_a_longer_unknown_name_is_not_cut_to_a_known_one(resolver):
    """'Ban Tuyên giáo Tỉnh ủy Nghệ An' stays whole and unresolved."""
    mentions, _ = resolver.scan("Ban Tuyên giáo Tỉnh ủy Nghệ An chủ trì")
    assert [m.value for m in mentions] == ["unresolved:Ban Tuyên giáo Tỉnh ủy Nghệ An"]
    assert mentions[0].note


def test_short_name_outside_the_confederation_is_flagged(foreign_resolver):
    """In a document not issued by the Confederation, 'Ban Tổ chức' is flagged, not guessed."""
    mentions, _ = foreign_resolver.scan("Ban Tổ chức chủ trì")
    assert mentions[0].ref is None and "tld_ban_to_chuc" in mentions[0].note


def test_full_name_resolves_in_any_document(foreign_resolver):
    """A full name ('... Tổng Liên đoàn') resolves whoever issued the document."""
    assert values(foreign_resolver, "Ban Tổ chức Tổng Liên đoàn chủ trì") == ["tld_ban_to_chuc"]


def test_group_kept_as_group(resolver):
    """The provinces-sectors-corporations phrase stays one group id (launch fans it out)."""
    text = ("Các liên đoàn lao động tỉnh, thành phố, công đoàn ngành trung ương và tương đương, "
            "công đoàn tổng công ty trực thuộc Tổng Liên đoàn, căn cứ Kế hoạch")
    assert values(resolver, text) == ["group:cong_doan_cap_tinh_nganh_tw"]


def test_unspecified_set_is_the_placeholder_group(resolver):
    """'các ban liên quan' is the placeholder group, written with its article."""
    mentions, _ = resolver.scan("Ban Tài chính và các ban liên quan tham mưu")
    assert [m.value for m in mentions] == ["tld_ban_tai_chinh", "group:cac_ban_lien_quan"]
    assert mentions[1].text == "các ban liên quan"


def test_unknown_names_in_a_list_are_each_flagged(resolver):
    """Every name of a subject list the registry lacks is kept as written, none dropped."""
    got = values(resolver, "Các tỉnh uỷ, thành uỷ, ban cán sự đảng tổ chức nghiên cứu")
    assert got == ["unresolved:Các tỉnh uỷ", "unresolved:thành uỷ", "unresolved:ban cán sự đảng"]


def test_unknown_name_with_conjunction_stays_one_name(resolver):
    """'Sở Lao động – Thương binh và Xã hội' is one unresolved name."""
    assert values(resolver, "Sở Lao động – Thương binh và Xã hội chủ trì") == [
        "unresolved:Sở Lao động – Thương binh và Xã hội"]


def test_list_ends_at_the_verb(resolver):
    """The scan stops where the predicate starts."""
    _, end = resolver.scan("Ban Tổ chức tham mưu chỉ đạo")
    assert end == len("Ban Tổ chức")


def test_adverb_is_not_a_name(resolver):
    """A sentence starting with 'Hằng năm,' names no body."""
    assert values(resolver, "Hằng năm, kết hợp với kiểm tra") == []


def test_whole_and_abbreviation(resolver):
    """A header line names its organ as a whole; a number's suffix names its issuer."""
    assert resolver.whole("ĐẢNG ĐOÀN TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM") == "tld_dang_doan"
    assert resolver.whole("ĐẢNG ĐOÀN TỔNG LIÊN ĐOÀN LAO ĐỘNG") == "tld_dang_doan"
    assert resolver.abbreviation("ĐĐTLĐ") == "tld_dang_doan"
    assert resolver.whole("BỘ CHÍNH TRỊ") == "ext_bo_chinh_tri"
    assert resolver.whole("LAO ĐỘNG VIỆT NAM") is None
