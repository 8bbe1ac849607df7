"""Reading .txt, .md and .docx into numbered lines; refusing what is not a text."""

import docx
import pytest

from ingest.errors import DraftError
from ingest.reading import read_document


def test_text_is_nfc_and_numbered(tmp_path):
    """Decomposed Vietnamese is NFC-normalised; line numbers follow the file."""
    path = tmp_path / "a.txt"
    path.write_text("dòng một\nKe\u0302\u0301 hoạch\n", encoding="utf-8")
    document = read_document(path)
    assert document.line(2) == "Kế hoạch"


@pytest.mark.parametrize(("name", "content", "words"), [
    ("empty.txt", b"", "rỗng"),
    ("blank.md", b"  \n\n ", "rỗng"),
    ("binary.txt", b"\x00\x01\x02\xff\xfe\x00abc", "nhị phân"),
    ("latin1.txt", "Quyết định của Đảng".encode("latin-1", "replace") + b"\xe9\xe8", "UTF-8"),
    ("fake.docx", b"this is not a zip file", ".docx"),
    ("zip.txt", b"PK\x03\x04rest of a zip", "nén"),
    ("old.doc", b"\xd0\xcf\x11\xe0", ".doc"),
    ("sheet.xlsx", b"PK\x03\x04", "không được hỗ trợ"),
])
def test_bad_files_are_refused_with_a_reason(tmp_path, name, content, words):
    """Empty, binary, non-UTF-8, fake .docx and unsupported files raise DraftError saying why."""
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(DraftError, match=words):
        read_document(path)


def test_missing_file(tmp_path):
    """A path that does not exist is reported as such."""
    with pytest.raises(DraftError, match="không tìm thấy"):
        read_document(tmp_path / "none.txt")


def test_zip_that_is_not_word(tmp_path):
    """A .docx that is a zip but not a Word package is refused."""
    import zipfile

    path = tmp_path / "x.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "xin chào")
    with pytest.raises(DraftError, match="docx"):
        read_document(path)


def test_docx_keeps_paragraph_numbering_and_tables(tmp_path):
    """Word list numbering is written out ('1.', '2.') and table rows become '| a | b |' lines."""
    document = docx.Document()
    document.add_paragraph("TỔ CHỨC THỰC HIỆN")
    document.add_paragraph("Ban Tổ chức chủ trì.", style="List Number")
    document.add_paragraph("Ban Tài chính phối hợp.", style="List Number")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "TT", "Nội dung"
    table.cell(1, 0).text, table.cell(1, 1).text = "1", "Sơ kết"
    path = tmp_path / "k.docx"
    document.save(path)
    lines = read_document(path).lines
    assert lines[:3] == ("TỔ CHỨC THỰC HIỆN", "1. Ban Tổ chức chủ trì.", "2. Ban Tài chính phối hợp.")
    assert "| 1 | Sơ kết |" in lines
