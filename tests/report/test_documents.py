"""The .docx (read back with python-docx, converted to PDF by LibreOffice when present) and the
HTML (autoescaped, self-contained, rendered in headless Chromium when present)."""

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from docx import Document

from reports.docx import render_docx
from reports.html import render_html, segments

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SUBJECT = "Kết quả thực hiện Kế hoạch số 48-KH/ĐĐTLĐ ngày 11/7/2023 của Đảng đoàn Tổng Liên đoàn"


def read_docx(summary):
    return Document(io.BytesIO(render_docx(summary)))


def texts(doc):
    return [p.text for p in doc.paragraphs]


def table_rows(table):
    return [[c.text for c in row.cells] for row in table.rows]


def body_table(doc, number):
    """The per-body table that follows the heading naming `number`."""
    tables = [t for t in doc.tables if t.rows[0].cells[0].text == "TT"
              and t.rows[0].cells[1].text == "Đơn vị" and len(t.columns) == 12]
    for t in tables:
        if any(number in row[1] for row in table_rows(t)) or number == "48-KH/ĐĐTLĐ":
            return t
    raise AssertionError(number)


def test_docx_heading_title_and_sections(summary):
    """Party heading block, 'BÁO CÁO' and its subject, sections I-VI and the 'Nơi nhận:' block."""
    doc = read_docx(summary)
    head = table_rows(doc.tables[0])
    assert head[0][0] == "ĐẢNG ĐOÀN TỔNG LIÊN ĐOÀN LAO ĐỘNG VIỆT NAM\n*"
    assert head[0][1] == "ĐẢNG CỘNG SẢN VIỆT NAM"
    assert head[1] == ["Số        -BC/ĐĐTLĐ", "Hà Nội, ngày 12 tháng 12 năm 2023"]
    paras = texts(doc)
    i = paras.index("BÁO CÁO")
    assert paras[i + 1].startswith(SUBJECT) and "về thực hiện Nghị quyết số 20-NQ/TW" in paras[i + 1]
    sections = [p for p in paras if p[:3] in ("I. ", "II.", "III", "IV.", "V. ", "VI.")]
    assert sections == ["I. TÌNH HÌNH TRIỂN KHAI", "II. KẾT QUẢ THEO ĐƠN VỊ",
                        "III. BÁO CÁO KẾT QUẢ VÀ CHỈ TIÊU", "IV. NHIỆM VỤ QUÁ HẠN", "V. GIA HẠN",
                        "VI. ĐỀ XUẤT, KIẾN NGHỊ"]
    assert any("85 nhiệm vụ (62 chủ trì, 23 phối hợp)" in p for p in paras)
    closing = table_rows(doc.tables[-1])[0]
    assert closing[0].startswith("Nơi nhận:") and closing[1].startswith("T/M ĐẢNG ĐOÀN")
    run = next(p for p in doc.paragraphs if p.text == "BÁO CÁO").runs[0]
    assert doc.styles["Normal"].font.name == "Times New Roman" and run.bold
    assert round(doc.sections[0].page_width.cm, 1) == 21.0 and round(doc.sections[0].left_margin.cm) == 3


def test_docx_body_table_cells(summary):
    """The per-body table: one row per body with its counts, the child plan under Hà Nội, totals."""
    rows = table_rows(body_table(read_docx(summary), "48-KH/ĐĐTLĐ"))
    header = rows[0]
    assert header[2:] == ["Tổng số", "Xong đúng hạn", "Xong trễ hạn", "Trong hạn", "Sắp đến hạn",
                          "Quá hạn", "Thường xuyên", "Đã hủy", "Chưa bắt đầu", "Lượt gia hạn"]
    by_name = {r[1]: r[2:] for r in rows[1:]}
    assert by_name["Liên đoàn Lao động tỉnh Cà Mau"] == ["1", "0", "0", "1", "0", "0", "0", "0", "0", "1"]
    assert by_name["Liên đoàn Lao động thành phố Hải Phòng"][:3] == ["2", "0", "1"]
    hanoi = next(i for i, r in enumerate(rows) if r[1] == "Liên đoàn Lao động Thành phố Hà Nội")
    assert rows[hanoi + 1][1] == "↳ Kế hoạch con 07/KH-LĐLĐ (mục III.7)"
    assert rows[hanoi + 1][2:4] == ["3", "1"]  # its 2 tasks and its own child's 1; 1 on time
    assert rows[-2][1:] == ["Tổng cộng", "85", "1", "1", "6", "3", "48", "28", "1", "79", "1"]
    assert rows[-1][1:4] == ["Kế hoạch con (2)", "3", "1"]


def test_docx_overdue_and_extensions(summary):
    """Section III lists 49 overdue tasks with their history; section IV both extension requests."""
    doc = read_docx(summary)
    overdue = next(t for t in doc.tables if t.rows[0].cells[-1].text == "Diễn biến")
    rows = table_rows(overdue)
    assert len(rows) == 50
    assert rows[1][2] == "2\n(07/KH-LĐLĐ)" and rows[1][4].startswith("27 ngày")
    an_giang = next(r for r in rows if r[1] == "Liên đoàn Lao động tỉnh An Giang")
    assert "xin gia hạn (Liên đoàn Lao động tỉnh An Giang), đến ngày 31/12/2023" in an_giang[5]
    assert "không đồng ý gia hạn" in an_giang[5] and "Không đủ lý do" in an_giang[5]
    ext = next(t for t in doc.tables if t.rows[0].cells[-1].text == "Ghi chú")
    assert [r[5] for r in table_rows(ext)[1:]] == ["không đồng ý", "đồng ý"]
    assert "Có 2 đề nghị gia hạn: đồng ý 1, không đồng ý 1, chờ quyết định 0." in texts(doc)


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")),
                    reason="LibreOffice (soffice) not on PATH: PDF conversion not checked")
def test_docx_converts_to_pdf(summary, tmp_path):
    """LibreOffice opens the .docx and writes a multi-page PDF with the Vietnamese title in it."""
    source = tmp_path / "bao-cao.docx"
    source.write_bytes(render_docx(summary))
    office = shutil.which("soffice") or shutil.which("libreoffice")
    subprocess.run([office, "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=120)
    pdf = (tmp_path / "bao-cao.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and len(pdf) > 20_000
    if shutil.which("pdftotext"):  # poppler-utils: look inside
        info = subprocess.run(["pdfinfo", str(tmp_path / "bao-cao.pdf")], check=True,
                              capture_output=True, text=True).stdout
        assert int(info.split("Pages:")[1].split()[0]) >= 3
        text = subprocess.run(["pdftotext", str(tmp_path / "bao-cao.pdf"), "-"], check=True,
                              capture_output=True, text=True).stdout
        assert "BÁO CÁO" in text and "NHIỆM VỤ QUÁ HẠN" in text


def test_html_is_escaped_and_self_contained(summary):
    """Document text is escaped; no script, no external resource; the same sections as the .docx."""
    summary.root.assignments[0].task_text = "<script>alert(1)</script>"
    html = render_html(summary)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "http://" not in html and "https://" not in html and "src=" not in html
    for heading in ("I. TÌNH HÌNH TRIỂN KHAI", "IV. NHIỆM VỤ QUÁ HẠN", "VI. ĐỀ XUẤT, KIẾN NGHỊ"):
        assert heading in html


def test_chart_segments_add_up(summary):
    """The stacked bar splits in-term into in-term-only and near-due; widths sum to 100 %."""
    segs = segments(summary.total)
    assert {s.key: s.count for s in segs} == {"done_on_time": 1, "done_late": 1, "in_term_only": 3,
                                             "near_due": 3, "overdue": 48, "no_deadline": 28,
                                             "cancelled": 1}
    assert abs(sum(s.width for s in segs) - 100) < 0.01


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium missing: browser check skipped")
def test_html_in_headless_chromium(summary, tmp_path):
    """Chromium shows the title, the tables and the SVG bars; a screenshot is written."""
    from playwright.sync_api import sync_playwright

    page_file = tmp_path / "bao-cao.html"
    page_file.write_text(render_html(summary), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1000, "height": 1400})
            requests = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(page_file.as_uri())
            assert page.locator("h1").inner_text() == "BÁO CÁO"
            assert page.get_by_text("II. KẾT QUẢ THEO ĐƠN VỊ").is_visible()
            assert page.locator("table.overdue tbody tr").count() == 49
            total = page.locator("table.bodies").first.locator("tr.total td").all_inner_texts()
            assert total[1:4] == ["Tổng cộng", "85", "1"]
            overdue_bar = page.locator("#chart-total svg.bar rect.seg-overdue").first
            box = overdue_bar.bounding_box()
            bar_box = page.locator("#chart-total svg.bar").first.bounding_box()
            assert box and bar_box and box["width"] == pytest.approx(bar_box["width"] * 48 / 85, rel=0.02)
            assert page.locator("#chart-bodies svg.bar-body").count() == len(summary.root.bodies)
            page.screenshot(path=str(tmp_path / "bao-cao.png"), full_page=False)
            assert (tmp_path / "bao-cao.png").stat().st_size > 10_000
            assert all(u.startswith("file://") for u in requests)
        finally:
            browser.close()
