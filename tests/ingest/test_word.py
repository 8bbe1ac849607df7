"""Word documents as coordinators receive them: bold headings run into their text, names
written with "&" and "/" in task tables, tabs, line breaks and non-breaking hyphens.

Each test builds a real .docx with python-docx and checks what the drafter returns.
"""

from __future__ import annotations

import docx
from docx.oxml import OxmlElement

from ingest.draft import draft_document
from ingest.reading import read_document

PROVINCE = ("ỦY BAN NHÂN DÂN TỈNH QUẢNG TRỊ", "Số: 12/KH-UBND",
            "Quảng Trị, ngày 4 tháng 3 năm 2025", "KẾ HOẠCH", "Triển khai chuyển đổi số năm 2025")
CONFEDERATION = ("TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM", "Số: 16/KH-TLĐ",
                 "Hà Nội, ngày 4 tháng 3 năm 2024", "KẾ HOẠCH", "Về tập huấn")


def _document(header: tuple[str, ...], section: str = "III. TỔ CHỨC THỰC HIỆN"):
    document = docx.Document()
    for text in (*header, section):
        document.add_paragraph(text)
    return document


def _paragraph(document, bold: str, normal: str, style: str | None = None):
    """A paragraph whose first run is bold and the rest normal weight, as Word writes it."""
    paragraph = document.add_paragraph(style=style)
    if bold:
        paragraph.add_run(bold).bold = True
    if normal:
        paragraph.add_run(normal)
    return paragraph


def _draft(document, tmp_path, registry, name="kh.docx"):
    path = tmp_path / name
    document.save(path)
    return draft_document(path, registry)


def _summary(draft):
    return [(a["ref"], a["lead"], a["cooperating"], a["deadline"]["rule"])
            for a in draft["assignments"]]


def test_bold_body_heading_run_into_its_duties(tmp_path, registry):
    """'**1. Sở Tài chính:** Chủ trì …' in one Word paragraph is a body heading and its duty:
    one assignment per body, the lead as written, the task without the heading."""
    document = _document(PROVINCE)
    _paragraph(document, "1. Sở Tài chính:",
               " Chủ trì tham mưu bố trí kinh phí thực hiện Kế hoạch, hoàn thành trong Quý II/2025.")
    _paragraph(document, "2. Sở Nội vụ", ": Chủ trì, phối hợp với Sở Tư pháp hướng dẫn sắp xếp "
               "tổ chức bộ máy, báo cáo trước ngày 30/6/2025.")
    _paragraph(document, "3. Sở Khoa học và Công nghệ",
               " – Xây dựng nền tảng dữ liệu dùng chung trong năm 2025.")
    draft = _draft(document, tmp_path, registry)
    assert _summary(draft) == [
        ("III.1", ["unresolved:Sở Tài chính"], [], "2025-Q2"),
        ("III.2", ["unresolved:Sở Nội vụ"], ["unresolved:Sở Tư pháp"], "2025-06-30"),
        ("III.3", ["unresolved:Sở Khoa học và Công nghệ"], [], "2025"),
    ]
    tasks = [a["task"] for a in draft["assignments"]]
    assert tasks[0] == "Chủ trì tham mưu bố trí kinh phí thực hiện Kế hoạch, hoàn thành trong Quý II/2025."
    assert tasks[1].startswith("Chủ trì, phối hợp với Sở Tư pháp")
    assert not any(task.startswith(("Sở ", ":", "1.", "2.", "3.")) for task in tasks)


def test_bold_lettered_heading_and_word_numbering(tmp_path, registry):
    """Lettered bold headings ('a) Liên đoàn Lao động tỉnh:') under a numbered item, and a bold
    name after Word's own list numbering, are headings too; the lower-case duty after the
    colon is the task."""
    document = _document(CONFEDERATION)
    _paragraph(document, "Ban Tổ chức:", " chủ trì mở lớp tập huấn trong Quý III/2024.",
               style="List Number")
    _paragraph(document, "Ban Nữ công:", " Chủ trì sơ kết, báo cáo định kỳ 6 tháng.",
               style="List Number")
    draft = _draft(document, tmp_path, registry)
    assert _summary(draft) == [("III.1", ["tld_ban_to_chuc"], [], "2024-Q3"),
                               ("III.2", ["tld_ban_nu_cong"], [], "semiannual")]
    assert [a["task"] for a in draft["assignments"]] == [
        "chủ trì mở lớp tập huấn trong Quý III/2024.", "Chủ trì sơ kết, báo cáo định kỳ 6 tháng."]

    lettered = _document(PROVINCE)
    lettered.add_paragraph("1. Nhiệm vụ của các cơ quan")
    _paragraph(lettered, "a) Liên đoàn Lao động tỉnh:",
               " tuyên truyền, vận động đoàn viên tham gia, hoàn thành trong Quý III/2025.")
    _paragraph(lettered, "b) Sở Nội vụ:", " Chủ trì tổng hợp, báo cáo trước ngày 15/12/2025.")
    draft = _draft(lettered, tmp_path, registry, "lettered.docx")
    assert _summary(draft) == [("III.1.a", ["ldld_quang_tri"], [], "2025-Q3"),
                               ("III.1.b", ["unresolved:Sở Nội vụ"], [], "2025-12-15")]
    assert draft["assignments"][0]["task"].startswith("tuyên truyền, vận động")


def test_bold_inside_a_sentence_is_not_a_heading(tmp_path, registry):
    """A bold subject that reads on into its sentence, a bold number, an all-bold paragraph,
    a field label and 'Kính gửi:' keep their paragraph on one line."""
    document = _document(PROVINCE)
    _paragraph(document, "1. Sở Xây dựng", " chủ trì quy hoạch hạ tầng số trong năm 2025.")
    _paragraph(document, "2.", " Sở Y tế chủ trì phòng, chống dịch trong Quý IV/2025.")
    _paragraph(document, "3. Sở Công Thương chủ trì phát triển thương mại điện tử.", "")
    _paragraph(document, "Kính gửi:", " Các sở, ban, ngành tỉnh")
    _paragraph(document, "Đơn vị chủ trì:", " Sở Tài chính")
    path = tmp_path / "kh.docx"
    document.save(path)
    lines = read_document(path).lines
    assert lines[6:] == (
        "1. Sở Xây dựng chủ trì quy hoạch hạ tầng số trong năm 2025.",
        "2. Sở Y tế chủ trì phòng, chống dịch trong Quý IV/2025.",
        "3. Sở Công Thương chủ trì phát triển thương mại điện tử.",
        "Kính gửi: Các sở, ban, ngành tỉnh",
        "Đơn vị chủ trì: Sở Tài chính",
    )
    draft = draft_document(path, registry)
    first, second = draft["assignments"][:2]
    assert (first["lead"], first["task"]) == (
        ["unresolved:Sở Xây dựng"], "Sở Xây dựng chủ trì quy hoạch hạ tầng số trong năm 2025.")
    assert second["lead"] == ["unresolved:Sở Y tế"]


def test_task_table_keeps_names_with_ampersand(tmp_path, registry):
    """A Word task table (STT | Nội dung | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian):
    'Sở KH&CN', 'Sở NN&MT', 'Sở VH,TT&DL', 'Sở LĐ-TB&XH', 'Sở GD&ĐT' are read whole."""
    document = _document(PROVINCE, "IV. NHIỆM VỤ CỤ THỂ")
    rows = (("STT", "Nội dung", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian"),
            ("1", "Xây dựng nền tảng dữ liệu khoa học", "Sở KH&CN", "Sở Tài chính", "Quý II/2025"),
            ("2", "Số hóa dữ liệu đất đai", "Sở NN&MT", "Sở KH&CN", "Tháng 6/2025"),
            ("3", "Số hóa di sản văn hóa", "Sở VH,TT&DL", "Sở LĐ-TB&XH, Sở GD&ĐT", "Năm 2025"))
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    draft = _draft(document, tmp_path, registry)
    assert _summary(draft) == [
        ("IV.1", ["unresolved:Sở KH&CN"], ["unresolved:Sở Tài chính"], "2025-Q2"),
        ("IV.2", ["unresolved:Sở NN&MT"], ["unresolved:Sở KH&CN"], "2025-06"),
        ("IV.3", ["unresolved:Sở VH,TT&DL"],
         ["unresolved:Sở LĐ-TB&XH", "unresolved:Sở GD&ĐT"], "2025"),
    ]
    assert [a["task"] for a in draft["assignments"]] == [
        "Xây dựng nền tảng dữ liệu khoa học", "Số hóa dữ liệu đất đai", "Số hóa di sản văn hóa"]


def test_slash_and_ampersand_names_in_sentences(tmp_path, registry):
    """'Ban Tuyên giáo/Dân vận' is one body even where 'Ban Tuyên giáo' is in the registry;
    'Ban Tổ chức/Ban Tuyên giáo' and 'Văn phòng/Ban Tài chính' are two each."""
    document = _document(CONFEDERATION)
    document.add_paragraph("1. Ban Tuyên giáo/Dân vận chủ trì tuyên truyền trong Quý II/2024.")
    document.add_paragraph("2. Ban Tổ chức/Ban Tuyên giáo chủ trì, phối hợp với Văn phòng/Ban "
                           "Tài chính tổ chức hội nghị trong Quý III/2024.")
    document.add_paragraph("3. Ban Nữ công phối hợp với Sở KH&CN, Sở NN&MT thực hiện trong năm 2024.")
    draft = _draft(document, tmp_path, registry)
    assert _summary(draft) == [
        ("III.1", ["unresolved:Ban Tuyên giáo/Dân vận"], [], "2024-Q2"),
        ("III.2", ["tld_ban_to_chuc", "tld_ban_tuyen_giao"],
         ["tld_van_phong", "tld_ban_tai_chinh"], "2024-Q3"),
        ("III.3", ["tld_ban_nu_cong"], ["unresolved:Sở KH&CN", "unresolved:Sở NN&MT"], "2024"),
    ]


def test_tabs_breaks_and_non_breaking_hyphens_are_read(tmp_path, registry):
    """A tab or a line break between two words is a space, Word's non-breaking hyphen a
    hyphen: 'Sở Tài chính<tab>chủ trì' and 'Sở LĐ‑TB&XH' are not glued or cut."""
    document = _document(PROVINCE)
    paragraph = document.add_paragraph("1. Sở Tài chính")
    paragraph.add_run().add_tab()
    paragraph.add_run("chủ trì, phối hợp với Sở LĐ")
    paragraph.runs[-1]._r.append(OxmlElement("w:noBreakHyphen"))
    paragraph.add_run("TB&XH bố trí kinh phí")
    paragraph.add_run().add_break()
    paragraph.add_run("trong Quý II/2025.")
    draft = _draft(document, tmp_path, registry)
    assert _summary(draft) == [
        ("III.1", ["unresolved:Sở Tài chính"], ["unresolved:Sở LĐ-TB&XH"], "2025-Q2")]
    assert draft["assignments"][0]["task"] == (
        "Sở Tài chính chủ trì, phối hợp với Sở LĐ-TB&XH bố trí kinh phí trong Quý II/2025.")
