"""`cascade contacts import FILE.xlsx|.csv`: a template for the 84 bodies, a dry run that shows
the changes and writes nothing, one error per bad row and nothing written, then the contacts
file and the database's addresses."""

from __future__ import annotations

import pytest
from openpyxl import Workbook, load_workbook
from sqlmodel import select

from models.db import unit_of_work
from models.tables import BodyContact
from tests.conftest import cli_runner

HEADER = ["Mã đơn vị", "Tên đơn vị", "E-mail", "Điện thoại", "Người liên hệ"]


@pytest.fixture
def cli(make_app, tmp_path):
    """`cascade ...` on the test database (SQLite, PostgreSQL), its contacts file in the home."""
    app = make_app(CASCADE_CONTACTS=str(tmp_path / "home" / "contacts.yaml"))
    return cli_runner(app, tmp_path)


def _xlsx(path, rows):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def _addresses(app) -> dict[str, list[str]]:
    with unit_of_work(app.engine, write=False) as session:
        rows = session.exec(select(BodyContact).order_by(BodyContact.body_id,
                                                         BodyContact.position)).all()
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(row.body_id, []).append(row.address)
    return out


def test_the_template_has_one_row_per_body_and_a_filled_one_imports(cli, tmp_path):
    cli("init")
    made = cli("contacts", "import", "mau.xlsx", "--template").stdout
    assert "84 đơn vị" in made
    sheet = load_workbook(tmp_path / "mau.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == HEADER and len(rows) == 85
    for n, row in enumerate(sheet.iter_rows(min_row=2), start=1):
        row[2].value = f"vanphong{n}@congdoan.vn"
    sheet.cell(row=2, column=4, value="024 3942 1234")
    sheet.cell(row=2, column=5, value="Nguyễn Thị Hoa")
    sheet.parent.save(tmp_path / "mau.xlsx")

    dry = cli("contacts", "import", "mau.xlsx", "--dry-run").stdout
    assert "Chạy thử" in dry and "thêm 84" in dry and "chưa ghi gì" in dry
    assert not (tmp_path / "home" / "contacts.yaml").exists()
    assert "vanphong1@congdoan.vn" not in str(_addresses(cli.app))

    done = cli("contacts", "import", "mau.xlsx").stdout
    assert "cơ sở dữ liệu đã cập nhật" in done
    written = (tmp_path / "home" / "contacts.yaml").read_text(encoding="utf-8")
    assert "tld: [vanphong1@congdoan.vn]  # Tổng Liên đoàn Lao động Việt Nam; người liên hệ: " \
           "Nguyễn Thị Hoa; điện thoại: 024 3942 1234" in written
    stored = _addresses(cli.app)
    assert len(stored) == 84 and stored["tld"] == ["vanphong1@congdoan.vn"]
    again = cli("contacts", "import", "mau.xlsx", "--dry-run").stdout
    assert "giữ nguyên 84" in again


def test_a_csv_by_name_with_several_addresses_changes_only_its_bodies(cli, tmp_path):
    cli("init")
    (tmp_path / "a.csv").write_text(
        "Tên đơn vị;E-mail\nLiên đoàn Lao động thành phố Hà Nội;vp@ldldhanoi.vn, ld@ldldhanoi.vn\n"
        "Ban Tuyên giáo Tổng Liên đoàn;tuyengiao@congdoan.vn\n", encoding="utf-8")
    cli("contacts", "import", "a.csv")
    (tmp_path / "b.csv").write_text("Mã đơn vị,E-mail\nldld_ha_noi,moi@ldldhanoi.vn\n",
                                    encoding="utf-8")
    shown = cli("contacts", "import", "b.csv").stdout
    assert "đổi 1" in shown
    stored = _addresses(cli.app)
    assert stored["ldld_ha_noi"] == ["moi@ldldhanoi.vn"]
    assert stored["tld_ban_tuyen_giao"] == ["tuyengiao@congdoan.vn"]


def test_every_bad_row_is_named_and_nothing_is_written(cli, tmp_path):
    cli("init")
    before = _addresses(cli.app)
    _xlsx(tmp_path / "sai.xlsx", [HEADER,
                                  ["ldld_ha_noi", "", "vp@ldldhanoi.vn", "", ""],
                                  ["ldld_ha_nol", "", "a@b.vn", "", ""],
                                  ["", "Sở Tài chính tỉnh Bắc Ninh", "a@b.vn", "", ""],
                                  ["ldld_hue", "", "khong-phai-email", "", ""],
                                  ["ldld_da_nang", "", "", "", ""]])
    refused = cli("contacts", "import", "sai.xlsx", code=1).stderr
    assert "chưa ghi gì" in refused
    assert "dòng 3: mã đơn vị «ldld_ha_nol» không có trong sổ đăng ký (có phải: ldld_ha_noi" \
        in " ".join(refused.split())
    assert "dòng 4: đơn vị «Sở Tài chính tỉnh Bắc Ninh» không có" in " ".join(refused.split())
    assert "dòng 5: địa chỉ e-mail không hợp lệ: khong-phai-email" in refused
    assert "dòng 6: chưa có địa chỉ e-mail" in refused
    assert "dòng 2" not in refused
    assert not (tmp_path / "home" / "contacts.yaml").exists()
    assert _addresses(cli.app) == before


def test_a_sheet_without_the_columns_or_of_another_kind_is_refused(cli, tmp_path):
    _xlsx(tmp_path / "x.xlsx", [["Cơ quan", "Số fax"], ["ldld_hue", "123"]])
    assert "thiếu cột e-mail" in cli("contacts", "import", "x.xlsx", code=1).stderr
    (tmp_path / "x.ods").write_bytes(b"PK")
    assert "cần tệp .xlsx hoặc .csv" in cli("contacts", "import", "x.ods", code=1).stderr
    (tmp_path / "hong.xlsx").write_bytes(b"not a workbook")
    assert "không đọc được" in cli("contacts", "import", "hong.xlsx", code=1).stderr
    assert "không đọc được" in cli("contacts", "import", "khong-co.csv", code=1).stderr
