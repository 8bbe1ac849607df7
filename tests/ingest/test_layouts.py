"""Every layout and phrasing the drafter supports, on fixture documents written for it.

What a coordinator relies on: one assignment per body that is given a task, the lead as
written (or its registry id), the deadline rule of its own clause, nothing from aims,
evaluations, conditions, courtesy lines or the recipients list.
"""

import docx

from tests.ingest.conftest import by_ref


def leads(draft):
    return [(a["ref"], a["lead"], a["deadline"]["rule"]) for a in draft["assignments"]]


def test_field_blocks_and_appendix_table(draft_fixture):
    """Field blocks (wrapped markdown labels) give a task each; the appendix table one per row;
    a budget clause's 'chi thường xuyên' is no deadline; aims assign nothing."""
    draft = draft_fixture("ke-hoach-khoi-truong.md")
    assert draft["directive"]["number"] == "88/KH-UBND"
    assert draft["directive"]["issuer"] == "unresolved:ỦY BAN NHÂN DÂN TỈNH HÒA BÌNH"
    assert draft["directive"]["implements"] == ["12-KH/TU"]
    assert leads(draft) == [
        ("II.1", ["unresolved:Sở Văn hóa, Thể thao và Du lịch"], "annual:12-31"),
        ("II.1b", ["unresolved:Ban Quản lý các khu công nghiệp tỉnh"], "2025-06-30"),
        ("III.1", ["unresolved:Sở Tài chính"], None),
        ("III.2", ["unresolved:Các sở, ban, ngành", "unresolved:UBND các xã, phường"],
         "annual:12-15"),
        ("PL.1", ["unresolved:Sở Nội vụ"], "2025-09"),
        ("PL.2", ["unresolved:Sở Tư pháp"], "2025-11-30"),
    ]
    first = by_ref(draft, "II.1")
    assert first["cooperating"] == ["unresolved:Liên đoàn Lao động tỉnh",
                                    "unresolved:các cơ quan, đơn vị liên quan"]
    assert first["source"] == {"line_start": 33, "line_end": 41}


def test_heading_per_body_with_bullets(draft_fixture):
    """'1. Sở …' headings after '… yêu cầu:' give the body one task per bullet that states a
    duty (domain.md, one assignment); a weekday written as a digit; a co-operating-only item;
    the closing call to carry it out is none."""
    draft = draft_fixture("chi-thi-dau-muc-don-vi.txt")
    assert draft["directive"]["kind"] == "Chỉ thị"
    assert draft["directive"]["implements"] == ["02/CT-TTg", "30-KH/TU"]
    assert leads(draft) == [
        ("1", ["unresolved:Sở Nông nghiệp và Môi trường"], "weekly:fri"),
        ("1b", ["unresolved:Sở Nông nghiệp và Môi trường"], "continuous"),
        ("2", ["unresolved:Công an tỉnh"], None),
        ("3", ["unresolved:Ủy ban nhân dân các xã, phường, thị trấn"], "2025-06-30"),
        ("4", [], None),
    ]
    assert by_ref(draft, "4")["cooperating"] == ["unresolved:Các sở, ban, ngành liên quan"]
    assert by_ref(draft, "2")["cooperating"] == ["unresolved:Bộ Chỉ huy Quân sự tỉnh"]


def test_letter_asking_provinces_to_report(draft_fixture):
    """A Công văn (Kính gửi, V/v): 'đề nghị UBND các tỉnh … báo cáo … chậm nhất ngày …' is
    one task; the condition and the thanks are not tasks."""
    draft = draft_fixture("cong-van-de-nghi.txt")
    header = draft["directive"]
    assert (header["number"], header["kind"], header["issuer"]) == (
        "512/BNV-LĐ", "Công văn", "unresolved:BỘ NỘI VỤ")
    assert header["title"].startswith("V/v báo cáo")
    assert leads(draft) == [
        ("1", ["unresolved:Ủy ban nhân dân các tỉnh, thành phố trực thuộc trung ương"],
         "2025-11-22")]


def test_numbered_running_text_inherits_from_its_intro(draft_fixture):
    """'(1) …' items after 'X … cần tập trung … sau:' are X's; 'Giao Y chủ trì' is Y's; the
    evaluation section and the condition assign nothing; the issuer's board resolves."""
    draft = draft_fixture("ket-luan-van-ban-chay.txt")
    assert draft["directive"]["issuer"] == "ext_ban_to_chuc_tw"
    assert leads(draft) == [
        ("2.(1)", ["unresolved:Ban Tổ chức các tỉnh ủy", "unresolved:thành ủy"], "2026-Q2"),
        ("2.(2)", ["unresolved:Ban Tổ chức các tỉnh ủy", "unresolved:thành ủy"], None),
        ("2.(3)", ["ext_hoc_vien_ctqg_hcm"], None),
        ("3", ["ext_ban_to_chuc_tw"], "2025-12-30"),
    ]
    assert "lead_inherited" in by_ref(draft, "2.(1)")["flags"]
    assert by_ref(draft, "2.(3)")["cooperating"] == ["ext_ban_to_chuc_tw"]


def test_table_copied_from_a_web_page(draft_fixture):
    """Cells between '|' lines, rows between '||': site metadata gives the header, the table
    one task per row; an event-tied deadline is kept as text, flagged."""
    draft = draft_fixture("phu-luc-bang-doc.md")
    header = draft["directive"]
    assert (header["number"], header["kind"], header["issued_on"]) == (
        "91/TLĐ-VP", "Công văn", "2025-10-02")
    assert leads(draft) == [("PL.1", ["tld_ban_to_chuc"], "2025-12"),
                            ("PL.2", ["tld_ban_tuyen_giao"], None)]
    second = by_ref(draft, "PL.2")
    assert second["deadline"]["text"].startswith("Theo lộ trình")
    assert "deadline_text_only" in second["flags"]
    assert by_ref(draft, "PL.1")["cooperating"] == ["tld_van_phong"]


def test_docx_auto_numbering_and_table(tmp_path, registry):
    """A Word plan: automatic numbering becomes the items' numbers, a table its rows."""
    from ingest.draft import draft_document

    document = docx.Document()
    for text in ("TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM", "Số: 16/KH-TLĐ",
                 "Hà Nội, ngày 4 tháng 3 năm 2024", "KẾ HOẠCH", "Về tập huấn", "III. TỔ CHỨC THỰC HIỆN"):
        document.add_paragraph(text)
    document.add_paragraph("Ban Tổ chức chủ trì mở lớp tập huấn trong Quý III/2024.",
                           style="List Number")
    document.add_paragraph("Ban Nữ công chủ trì sơ kết, báo cáo định kỳ 6 tháng.",
                           style="List Number")
    document.add_paragraph("IV. TIẾN ĐỘ THỰC HIỆN")
    table = document.add_table(rows=2, cols=4)
    for column, title in enumerate(("TT", "Nội dung", "Đơn vị chủ trì", "Thời gian hoàn thành")):
        table.cell(0, column).text = title
    for column, value in enumerate(("1", "Tổng kết", "Văn phòng Tổng Liên đoàn", "Quý IV/2025")):
        table.cell(1, column).text = value
    path = tmp_path / "kh.docx"
    document.save(path)
    draft = draft_document(path, registry)
    assert leads(draft) == [("III.1", ["tld_ban_to_chuc"], "2024-Q3"),
                            ("III.2", ["tld_ban_nu_cong"], "semiannual"),
                            ("IV.1", ["tld_van_phong"], "2025-Q4")]


def test_pasted_text_drafts_like_a_file(registry):
    """draft_text (a web form's pasted text) gives the same draft as the file."""
    from ingest.draft import draft_document, draft_text
    from tests.ingest.conftest import DOCUMENTS

    path = DOCUMENTS / "chi-thi-dau-muc-don-vi.txt"
    pasted = draft_text(path.read_text(encoding="utf-8"), path.name, registry)
    assert dict(pasted) == dict(draft_document(path, registry))
