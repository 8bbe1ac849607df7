"""Layouts and phrasings met in documents the drafter was not built beside (issue 16).

Each test is one layout or one phrasing, written as a short document in the wording real
directives use; it asserts what the coordinator gets: who leads which duty, with which deadline.
"""


def leads(draft):
    return [(a["lead"], a["deadline"]["rule"]) for a in draft["assignments"]]


TEXT_TABLE = """\
**KẾ HOẠCH**
Triển khai công tác phòng thủ dân sự
**PHỤ LỤC**
DANH MỤC NHIỆM VỤ
|
**TT**
|
**Nội dung thực hiện**
|
**Cơ quan chủ trì**
|
**Cơ quan phối hợp**
|
**Thời gian hoàn thành**
|
|
**I**
|
**KIỆN TOÀN CƠ CHẾ CHỈ ĐẠO**
|
|
1
|
Tổ chức lại Ban Chỉ huy cấp tỉnh
|
Bộ CHQS tỉnh
|
Các sở, ban, ngành
|
Trước ngày 30/11/2025
|
|
**II**
|
**TRIỂN KHAI VĂN BẢN**
|
|
1
|
Hướng dẫn nội dung chi đặc thù
|
Sở Tài chính
|
Cơ quan liên quan
|
Thường xuyên
|
…..........
|
2
|
Tiếp nhận số trực canh khẩn cấp
|
Sở Khoa học và Công nghệ
|
Cơ quan liên quan
|
2025
|
|
"""


def test_text_table_keeps_rows_after_group_titles_and_elisions(draft_text):
    """A table copied from a web page, cells one per line between '|' lines: a group's title
    row ('II | TRIỂN KHAI …') and an elided row ('……') do not end it; rows take the group."""
    draft = draft_text(TEXT_TABLE)
    assert [(a["ref"], a["lead"], a["deadline"]["rule"]) for a in draft["assignments"]] == [
        ("PL.I.1", ["unresolved:Bộ CHQS tỉnh"], "2025-11-30"),
        ("PL.II.1", ["unresolved:Sở Tài chính"], "continuous"),
        ("PL.II.2", ["unresolved:Sở Khoa học và Công nghệ"], "2025"),
    ]


def test_body_heading_bullets_that_lead_or_report_are_their_own(draft_text):
    """Under '3. Sở Tài chính', a bullet that starts 'Chủ trì' and one asking for a report are
    duties of their own; a sentence giving another body the lead is that body's task."""
    draft = draft_text(
        "III. TỔ CHỨC THỰC HIỆN\n"
        "3. Sở Tài chính\n"
        "- Tổng hợp, tham mưu bố trí kinh phí thực hiện kế hoạch.\n"
        "- Chủ trì, phối hợp với Sở Khoa học và Công nghệ tham mưu giải pháp thu hút vốn.\n"
        "- Báo cáo kết quả thực hiện về Ủy ban nhân dân tỉnh trước ngày 15/12/2025.\n"
        "Ủy ban nhân dân tỉnh yêu cầu các Sở, ban, ngành nghiêm túc triển khai thực hiện; "
        "định kỳ trước ngày 30 tháng 11 hằng năm báo cáo kết quả về Sở Tài chính./.")
    assert leads(draft) == [
        (["unresolved:Sở Tài chính"], None),
        (["unresolved:Sở Tài chính"], None),
        (["unresolved:Sở Tài chính"], "2025-12-15"),
        (["unresolved:các Sở, ban, ngành"], "annual:11-30"),
    ]


def test_numbered_request_gives_its_sub_items(draft_text):
    """'2. Yêu cầu các cấp ủy, tổ chức đảng … .' (a sentence, not 'Yêu cầu' as aims) makes
    its sub-items 2.1, 2.2 those bodies' tasks; 'Giao X chủ trì:' is no lead field."""
    draft = draft_text(
        "**KẾT LUẬN**\n"
        "**2. Yêu cầu các cấp ủy, tổ chức đảng trong quá trình triển khai cần hết sức "
        "khẩn trương, bảo đảm tiến độ.**\n"
        "** 2.1. **Tập trung lãnh đạo việc chuẩn bị đại hội cấp xã.\n"
        "** 2.2. **Thực hiện nghiêm các quy định về bảo vệ bí mật nhà nước.\n"
        "**3. Giao Văn phòng Trung ương Đảng chủ trì:**\n"
        "- Hướng dẫn việc hoàn thiện các thủ tục chi trả chế độ.\n")
    assert [(a["ref"], a["lead"]) for a in draft["assignments"]] == [
        ("2.1", ["unresolved:các cấp ủy, tổ chức đảng"]),
        ("2.2", ["unresolved:các cấp ủy, tổ chức đảng"]),
        ("3", ["ext_van_phong_tw"]),
    ]


def test_letter_request_over_a_list_of_facts_is_one_task(draft_text):
    """'… đề nghị các LĐLĐ … thông báo, tuyên truyền … như sau:' followed by programmes (not
    duties): one task of the addressees, none per programme."""
    draft = draft_text(
        "Kính gửi:\n- Các Liên đoàn Lao động tỉnh, thành phố.\n"
        "Thực hiện Kế hoạch số 368/KH-TLĐ, Tổng Liên đoàn Lao động Việt Nam đề nghị các Liên "
        "đoàn Lao động tỉnh, thành phố thông báo và tuyên truyền rộng rãi đến đoàn viên các "
        "chương trình về Đại hội như sau:\n"
        "1. Phim tài liệu phát trên kênh VTV1 lúc 20h30, ngày 28/11/2023.\n"
        "2. Chương trình giao lưu nghệ thuật phát lúc 21h00, ngày 30/11/2023.\n")
    assert [a["lead"] for a in draft["assignments"]] == [["group:ldld_tinh_thanh_pho"]]


def test_one_sentence_two_duties(draft_text):
    """'X hỗ trợ … và giao Y tổ chức thực hiện': X's task and Y's; '…; các cơ quan, đơn vị chủ
    động quán triệt, phối hợp …': the clause after ';' is their own task, not a co-operation."""
    draft = draft_text(
        "IV. TỔ CHỨC THỰC HIỆN\n"
        "1. Ủy ban nhân dân tỉnh hỗ trợ kinh phí tổ chức chuyến xe đưa người lao động về quê "
        "và giao Sở Nội vụ tổ chức thực hiện.\n"
        "2. Giao Sở Văn hóa, Thể thao và Du lịch xây dựng kế hoạch tuyên truyền; các cơ quan, "
        "đơn vị chủ động quán triệt, phối hợp tuyên truyền sâu rộng chủ trương.\n")
    assert [a["lead"] for a in draft["assignments"]] == [
        ["unresolved:Ủy ban nhân dân tỉnh"], ["unresolved:Sở Nội vụ"],
        ["unresolved:Sở Văn hóa, Thể thao và Du lịch"], ["unresolved:các cơ quan, đơn vị"],
    ]


def test_units_and_their_heads_are_one_lead(draft_text):
    draft = draft_text(
        "Tổ chức thực hiện\n"
        "1. Các cấp ủy, tổ chức đảng, cơ quan, đơn vị và người đứng đầu\n"
        "- Định kỳ báo cáo tiến độ về Ban Chỉ đạo trước ngày 15/12/2025.\n")
    assert [a["lead"] for a in draft["assignments"]] == [
        ["unresolved:Các cấp ủy, tổ chức đảng, cơ quan, đơn vị và người đứng đầu"]]


def test_number_in_the_cell_after_so_and_in_a_title(draft_text):
    """'Số:' in one cell, the number in the next; a page whose only header is its title."""
    cells = draft_text("|\n**ỦY BAN NHÂN DÂN**\nTỈNH LAI CHÂU\n|\n|\nSố:\n|\n7360/KH-UBND\n|\n"
                       "*Lai Châu, ngày 19 tháng 11 năm 2025*\n|\n\n**KẾ HOẠCH**\n"
                       "Triển khai thi hành Luật\n")
    assert cells["directive"]["number"] == "7360/KH-UBND"
    titled = draft_text("# TOÀN VĂN: KẾT LUẬN 155-KL/TW CỦA BỘ CHÍNH TRỊ, BAN BÍ THƯ VỀ SẮP "
                        "XẾP TỔ CHỨC BỘ MÁY\n\n1. Giao Ban Tổ chức Trung ương chủ trì theo dõi.\n")
    header = titled["directive"]
    assert (header["number"], header["kind"]) == ("155-KL/TW", "Kết luận")


def test_bullets_listing_one_duty_stay_in_it(draft_text):
    """'- Tuyên truyền các nội dung sau:' with '+ …' below is one duty; the next '- …' another."""
    draft = draft_text(
        "V. TỔ CHỨC THỰC HIỆN\n"
        "1. Sở Văn hóa, Thể thao và Du lịch\n"
        "- Tuyên truyền các nội dung sau:\n"
        "+ Tổ chức các hoạt động văn hóa, văn nghệ;\n"
        "+ Xây dựng phóng sự về gương người tốt.\n"
        "- Báo cáo kết quả về Ủy ban nhân dân tỉnh trước ngày 15/12/2025.\n")
    assert leads(draft) == [(["unresolved:Sở Văn hóa, Thể thao và Du lịch"], None),
                            (["unresolved:Sở Văn hóa, Thể thao và Du lịch"], "2025-12-15")]


def test_website_page_around_the_text_is_not_the_issuer(draft_text):
    """A copy from a legal-document website: its notice and legend above 'Đang tải văn bản...'
    are no organ; the document's own header below them is."""
    draft = draft_text(
        "Bản dịch này thuộc quyền sở hữu của **\nTHƯ VIỆN PHÁP LUẬT**.\n**\n"
        "CÁC NỘI DUNG ĐƯỢC SỬA ĐỔI, HƯỚNG DẪN\n**\nClick vào phần bôi vàng để xem chi tiết.\n"
        "|\n|\nĐang tải văn bản...\n"
        "**ỦY BAN NHÂN DÂN**\nTHÀNH PHỐ HỒ CHÍ MINH\n|\nSố: 4085/UBND-ĐT\n|\n"
        "*Thành phố Hồ Chí Minh, ngày 25 tháng 11 năm 2025*\n\nKính gửi: Sở Xây dựng.\n\n"
        "1. Giao Sở Xây dựng chủ trì rà soát các dự án, báo cáo trước ngày 15/12/2025.\n")
    header = draft["directive"]
    assert header["number"] == "4085/UBND-ĐT"
    assert header["issuer"] == "unresolved:ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH"


def test_activity_with_lettered_fields(draft_text):
    """'a) Nhiệm vụ: … b) Cơ quan thực hiện: - Đơn vị chủ trì: … - Đơn vị phối hợp: …
    c) Thời gian thực hiện: …' is one activity: its lead, co-operating bodies and deadline."""
    draft = draft_text(
        "**II. NHIỆM VỤ**\n"
        "**1.1. Xây dựng chiến lược dữ liệu:**\n"
        "a) Nhiệm vụ: Tham mưu hoàn thiện Chiến lược dữ liệu thành phố.\n"
        "b) Cơ quan thực hiện:\n"
        "- Đơn vị chủ trì: Sở Khoa học và Công nghệ.\n"
        "- Đơn vị phối hợp: Các Sở, ban, ngành.\n"
        "c) Thời gian thực hiện: Hoàn thành trong năm 2025.\n")
    [task] = draft["assignments"]
    assert task["lead"] == ["unresolved:Sở Khoa học và Công nghệ"]
    assert task["cooperating"] == ["unresolved:Các Sở, ban, ngành"]
    assert task["deadline"]["rule"] == "2025"


def test_table_of_proposals_and_the_ministry_in_charge(draft_text):
    """An appendix 'TT | Tỉnh kiến nghị | Thông tin đề xuất | Bộ phụ trách tiếp nhận, xử lý':
    the ministry in charge leads each row, the proposal is the task."""
    draft = draft_text(
        "**PHỤ LỤC**\n|\n**TT**\n|\n**Tỉnh kiến nghị**\n|\n**Thông tin đề xuất**\n|\n"
        "**Bộ phụ trách tiếp nhận, xử lý**\n|\n|\n1\n|\nLào Cai\n|\nHỗ trợ kinh phí cải tạo "
        "trụ sở cấp xã\n|\nBộ Tài chính\n|\n|\n2\n|\nNghệ An\n|\nHướng dẫn sắp xếp viên chức\n|\n"
        "Bộ Nội vụ\n|\n|\n")
    assert [(a["lead"], a["task"]) for a in draft["assignments"]] == [
        (["unresolved:Bộ Tài chính"], "Hỗ trợ kinh phí cải tạo trụ sở cấp xã"),
        (["unresolved:Bộ Nội vụ"], "Hướng dẫn sắp xếp viên chức"),
    ]


def test_website_summary_above_the_header_is_not_drafted(draft_text):
    """A page that sums the document up above its own header ('Ngày 27/11/2025, Thủ tướng …
    (1) … (2) …') drafts the document only, once; a motto split over two lines is no organ."""
    summary = ("Ngày 27/11/2025, Thủ tướng Chính phủ đã ban hành Công điện 232/CĐ-TTg về việc "
               "khẩn trương thống kê thiệt hại về nhà ở của Nhân dân do mưa lũ.\n"
               "(1) Chủ tịch Ủy ban nhân dân các tỉnh chỉ đạo khẩn trương rà soát, thống kê "
               "thiệt hại về nhà ở và báo cáo trước ngày 27/11/2025.\n")
    document = ("**THỦ\nTƯỚNG CHÍNH PHỦ**\n**CỘNG\nHÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM**\n"
                "Độc lập - Tự do - Hạnh phúc\nSố: 232/CĐ-TTg\n*Hà Nội, ngày 27 tháng 11 năm 2025*\n"
                "**CÔNG ĐIỆN**\nThủ tướng Chính phủ yêu cầu:\n"
                "1. Chủ tịch Ủy ban nhân dân các tỉnh chỉ đạo khẩn trương rà soát, thống kê "
                "thiệt hại về nhà ở, báo cáo trước ngày 27/11/2025.\n")
    draft = draft_text(summary + document)
    assert draft["directive"]["issuer"] == "unresolved:THỦ TƯỚNG CHÍNH PHỦ"
    assert [a["ref"] for a in draft["assignments"]] == ["1"]


def test_items_numbered_with_lower_case_roman_numerals(draft_text):
    """'(i) Tập đoàn … báo cáo …', '(ii) Ủy ban nhân dân tỉnh … chỉ đạo …' after '… đề nghị:'."""
    draft = draft_text(
        "b) Để bảo đảm tiến độ dự án, đề nghị:\n"
        "(i) Tập đoàn Điện lực Việt Nam báo cáo Thủ tướng Chính phủ về thời gian khánh thành.\n"
        "(ii) Ủy ban nhân dân tỉnh Đồng Nai chỉ đạo hoàn thành bàn giao mặt bằng trong tháng "
        "11 năm 2025.\n")
    assert leads(draft) == [(["unresolved:Tập đoàn Điện lực Việt Nam"], None),
                            (["unresolved:Ủy ban nhân dân tỉnh Đồng Nai"], "2025-11")]


def test_a_wrapped_abbreviation_ends_its_sentence(draft_text):
    """'… thành phần hồ sơ của' / 'TTHC.' on the next line ends the item, it heads nothing:
    the items after it stay under their body's heading."""
    draft = draft_text(
        "1. Sở Nội vụ\n"
        "a) Tiếp tục rà soát, đơn giản hóa các mẫu\nđơn, tờ khai đang là thành phần hồ sơ của\n"
        "TTHC.\n\n"
        "b) Rà soát, chuẩn hóa các biểu mẫu điện\ntử tương tác cho người\ndân.\n\n"
        "c) Tăng cường kênh tiếp nhận phản ánh\ncủa người dân và doanh\nnghiệp.\n")
    assert leads(draft) == [(["unresolved:Sở Nội vụ"], None)] * 3


def test_a_table_read_only_in_part_says_where_it_stopped(draft_text):
    """A numbered row the table cannot be read past is named, with its line, for the review."""
    broken = TEXT_TABLE.replace("2\n|\nTiếp nhận số trực canh khẩn cấp\n|\nSở Khoa học và Công "
                                "nghệ\n|\nCơ quan liên quan\n|\n2025\n|\n|\n", "")
    broken += "3\n|\nDiễn tập phòng thủ dân sự\n|\n|\n"
    draft = draft_text(broken)
    assert [a["ref"] for a in draft["assignments"]] == ["PL.I.1", "PL.II.1"]
    assert "table_partial" in draft["assignments"][-1]["flags"]
    assert any("không đọc được trọn" in w and "dòng" in w for w in draft["warnings"])


def test_decision_article_on_implementation(draft_text):
    """'**Điều' / '3. Tổ chức thực hiện**' wrapped at the label; a subject with an aside
    ('Cục X (Bộ Y) chủ trì') or a long qualifier ('… có trách nhiệm …') leads its item."""
    draft = draft_text(
        "**QUYẾT ĐỊNH**\n**Điều\n3. Tổ chức thực hiện**\n"
        "1. Các cơ quan, tổ chức sử dụng vốn ngân sách nhà nước để mua sắm sản phẩm có trách "
        "nhiệm theo dõi việc cập nhật thông tin.\n"
        "2. Cục Công nghiệp công nghệ thông tin (Bộ Khoa học và Công nghệ) chủ trì, phối hợp với "
        "các cơ quan liên quan hướng dẫn thực hiện Quyết định này.\n")
    assert [(a["ref"], a["lead"]) for a in draft["assignments"]] == [
        ("3.1", ["unresolved:Các cơ quan, tổ chức"]),
        ("3.2", ["unresolved:Cục Công nghiệp công nghệ thông tin"]),
    ]


def test_vietnamese_far_from_directive_wording_is_drafted(draft_text):
    """A customs or tax text has few of a directive's common syllables but is Vietnamese."""
    draft = draft_text(
        "Số: 12/TB-CHQ\nThông báo về kết quả phân tích kết hợp phân loại hàng hóa xuất khẩu, nhập "
        "khẩu. Tên hàng theo khai báo: chế phẩm dùng trong chăn nuôi tôm, dạng bột mịn, đóng gói "
        "bao giấy. Mã số hàng hóa: 2309.90.20. Đề nghị Chi cục Hải quan khu vực I căn cứ kết quả "
        "phân loại để xử lý theo quy định.\n")
    assert draft["directive"]["number"] == "12/TB-CHQ"


def test_rows_under_merged_cells_are_rows_of_their_own(draft_text):
    """A row of two or three cells under a numbered row whose number and dates are merged down
    ('Xây dựng hạ tầng dự phòng | Trung tâm Chuyển đổi số') is its own assignment, '1b'."""
    table = ("**PHỤ LỤC**\n|\n**TT**\n|\n**Nhiệm vụ**\n|\n**Cơ quan chủ trì**\n|\n"
             "**Cơ quan phối hợp**\n|\n**Thời gian hoàn thành**\n|\n**Kết quả dự kiến**\n|\n|\n"
             "1\n|\nXây dựng hạ tầng công nghệ thông tin\n|\nSở Tài chính\n|\nCác sở, ngành\n|\n"
             "Quý IV/2026\n|\n|\n"
             "Xây dựng hạ tầng kỹ thuật dự phòng\n|\nTrung tâm Chuyển đổi số Thành phố\n|\n|\n"
             "2\n|\nĐầu tư trang thiết bị hiện đại\n|\nSở Khoa học và Công nghệ\n|\nSở Tài chính\n|\n"
             "Năm 2026\n|\nThiết bị\n|\n|\n")
    draft = draft_text(table)
    assert [(a["ref"], a["lead"], a["deadline"]["rule"]) for a in draft["assignments"]] == [
        ("PL.1", ["unresolved:Sở Tài chính"], "2026-Q4"),
        ("PL.1b", ["unresolved:Trung tâm Chuyển đổi số Thành phố"], "2026-Q4"),
        ("PL.2", ["unresolved:Sở Khoa học và Công nghệ"], "2026"),
    ]


def test_the_issuers_closing_notice_is_no_task(draft_text):
    """'Văn phòng Chính phủ thông báo để các cơ quan liên quan biết, thực hiện./.' closes a
    Thông báo; a motto wrapped as '**ĐẢNG CỘNG' / 'SẢN VIỆT NAM**' is not part of the organ."""
    draft = draft_text(
        "**BAN CHẤP HÀNH TRUNG ƯƠNG**\n**VĂN PHÒNG**\n**ĐẢNG CỘNG\nSẢN VIỆT NAM**\n"
        "Số 432-TB/VPTW\n*Hà Nội, ngày 20 tháng 11 năm 2025*\n**THÔNG BÁO**\n"
        "1. Giao Ban Tổ chức Trung ương chủ trì rà soát các quy định.\n"
        "Văn phòng Trung ương Đảng thông báo để các cơ quan liên quan biết, thực hiện./.\n")
    assert draft["directive"]["issuer"] == "ext_van_phong_tw"
    assert [a["lead"] for a in draft["assignments"]] == [["ext_ban_to_chuc_tw"]]


def test_a_heading_that_only_assigns_a_body(draft_text):
    """'**2. Giao Sở Nội vụ**' over bullets is that body's heading: a task per duty."""
    draft = draft_text(
        "Chủ tịch Ủy ban nhân dân Thành phố có ý kiến chỉ đạo như sau:\n"
        "**1. Giao Sở Nội vụ**\n"
        "- Hướng dẫn, theo dõi tiến độ cập nhật dữ liệu cán bộ.\n"
        "- Tham mưu Ủy ban nhân dân Thành phố đánh giá trách nhiệm người đứng đầu.\n")
    assert leads(draft) == [(["unresolved:Sở Nội vụ"], None)] * 2


def test_ministries_and_the_investor_lead(draft_text):
    """'Bộ Công Thương' and 'Bộ Công an' are ministries (not 'bộ công cụ'); 'Chủ đầu tư' leads."""
    draft = draft_text(
        "Đề nghị:\n"
        "(i) Bộ Công Thương chỉ đạo Tập đoàn Điện lực Việt Nam đẩy nhanh đàm phán hợp đồng.\n"
        "(ii) Chủ đầu tư phối hợp chặt chẽ với các đơn vị liên quan hoàn thành nghiệm thu.\n")
    assert [a["lead"] for a in draft["assignments"]] == [
        ["unresolved:Bộ Công Thương"], ["unresolved:Chủ đầu tư"]]


def test_header_of_a_preamble_citing_other_organs(draft_text):
    """'… kết luận của Bộ Chính trị, Ban Bí thư …' in the preamble is no issuer; a unit's
    number ('11554/VPCP-V.I') is kept whole."""
    draft = draft_text(
        "**ỦY BAN NHÂN\nDÂN **\nTỈNH ĐẮK LẮK\n|\nSố: 11554/UBND-V.I\n|\n"
        "*Đắk Lắk, ngày 26 tháng 11 năm 2025*\n\n**CHỈ THỊ**\n\n"
        "Thời gian qua, tỉnh đã triển khai các chủ trương, kết luận của Bộ Chính trị, Ban Bí "
        "thư về sắp xếp đơn vị hành chính.\n\n1. Sở Nội vụ chủ trì rà soát thủ tục hành chính.\n")
    header = draft["directive"]
    assert header["number"] == "11554/UBND-V.I"
    assert header["issuer"] == "unresolved:ỦY BAN NHÂN DÂN TỈNH ĐẮK LẮK"


def test_items_numbered_one_hundred_and_more(draft_text):
    """A plan of 120 numbered items drafts all 120 (not 99)."""
    items = [f"{i}. Giao Sở Nội vụ chủ trì rà soát văn bản số {i}." for i in range(1, 121)]
    draft = draft_text("\n".join(["KẾ HOẠCH", "IV. TỔ CHỨC THỰC HIỆN", *items]))
    assert [a["ref"] for a in draft["assignments"]] == [f"IV.{i}" for i in range(1, 121)]
