"""What may be attached: the type read from the content, safe names, limits (pure checks)."""

from __future__ import annotations

import io
import re

import pytest

from models.files import FileRefused, Upload, UploadLimits, check_count, check_upload, safe_name, sniff
from tests.results.samples import JPEG, PDF, PNG, docx_bytes, plain_zip, xlsx_bytes

LIMITS = UploadLimits(max_bytes=1024 * 1024, max_files=3)


def upload(name: str, data: bytes) -> Upload:
    return Upload(name, io.BytesIO(data), len(data))


@pytest.mark.parametrize("data, kind", [
    (PDF, "pdf"), (PNG, "png"), (JPEG, "jpeg"), (docx_bytes(), "docx"), (xlsx_bytes(), "xlsx"),
    (plain_zip(), None), (b"hello", None), (b"", None), (b"PK\x03\x04broken", None),
])
def test_sniff_reads_the_kind_from_the_bytes(data, kind):
    """PDF, PNG, JPEG by their magic bytes; .docx and .xlsx by the parts of their zip package;
    a plain zip, text, nothing or a broken zip is none of them; the position is kept."""
    content = io.BytesIO(data)
    assert sniff(content) == kind
    assert content.tell() == 0


@pytest.mark.parametrize("name, data", [
    ("Báo cáo.docx", docx_bytes()), ("so-lieu.XLSX", xlsx_bytes()), ("bc.pdf", PDF),
    ("anh.jpeg", JPEG), ("anh.JPG", JPEG), ("anh.png", PNG),
])
def test_each_accepted_kind_passes(name, data):
    """Every accepted kind, whatever the case of its suffix, passes with its MIME type."""
    checked = check_upload(upload(name, data), LIMITS)
    assert checked.name == name and checked.size == len(data)
    assert checked.type.mime.startswith(("application/", "image/"))


@pytest.mark.parametrize("name, data, words", [
    ("bao-cao.docx", PNG, "tên là tệp Word (.docx) nhưng nội dung là ảnh PNG"),
    ("bao-cao.pdf", docx_bytes(), "tên là tệp PDF nhưng nội dung là Word (.docx)"),
    ("so-lieu.xlsx", plain_zip(), "nội dung là tệp nén ZIP"),
    ("bao-cao.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 20, "tệp Office đời cũ"),
    ("bao-cao.pdf", b"just text", "không rõ loại"),
])
def test_content_that_does_not_match_its_name_is_refused(name, data, words):
    """A file whose bytes are not the kind its name says is refused, saying what it is."""
    with pytest.raises(FileRefused, match=re.escape(words)):
        check_upload(upload(name, data), LIMITS)


@pytest.mark.parametrize("name", ["bao-cao.exe", "bao-cao.doc", "bao-cao", "ghi-chu.txt"])
def test_other_suffixes_are_refused_with_the_list(name):
    """Only .docx, .pdf, .xlsx, .jpg, .jpeg, .png are taken; the message lists them."""
    with pytest.raises(FileRefused, match=r"chỉ nhận tệp \.docx, \.pdf, \.xlsx, \.jpg, \.jpeg, \.png"):
        check_upload(upload(name, PDF), LIMITS)


@pytest.mark.parametrize("name, words", [
    ("../../etc/passwd.pdf", "đường dẫn thư mục"),
    ("..\\bao-cao.pdf", "đường dẫn thư mục"),
    ("thu-muc/bao-cao.pdf", "đường dẫn thư mục"),
    ("..bao-cao.pdf", "đường dẫn thư mục"),
    ("bao\x00cao.pdf", "ký tự điều khiển"),
    ("bao-cao\r\nContent-Type: text/html.pdf", "ký tự điều khiển"),
    ("bao\x1bcao.pdf", "ký tự điều khiển"),
    ("hoa-don\u202efdp.exe", "ký tự điều khiển"),
    ("   ", "không có tên"),
    ("a" * 200 + ".pdf", "dài 204 ký tự"),
])
def test_unsafe_names_are_refused(name, words):
    """Paths, control characters (bidirectional overrides included), no name, too long."""
    with pytest.raises(FileRefused, match=words):
        safe_name(name)


def test_names_are_normalised_and_reserved_characters_replaced():
    """NFC, trimmed, and the characters Windows cannot store replaced by '_'."""
    decomposed = "Ba\u0301o ca\u0301o: quy\u0301 3?.docx"
    assert safe_name(f"  {decomposed} ") == "Báo cáo_ quý 3_.docx"


def test_empty_and_too_large_files_are_refused():
    """An empty file and a file over the size limit are refused with their size."""
    with pytest.raises(FileRefused, match=r"rỗng \(0 byte\)"):
        check_upload(upload("bc.pdf", b""), LIMITS)
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(FileRefused, match=r"nặng 1 MB, vượt giới hạn 1 MB"):
        check_upload(upload("bc.pdf", big), LIMITS)
    check_upload(upload("bc.pdf", big[:1024 * 1024]), LIMITS)  # exactly the limit passes


def test_count_limit():
    """More files than the limit are refused; the limit itself passes."""
    check_count(3, LIMITS)
    with pytest.raises(FileRefused, match="chọn 4 tệp, mỗi báo cáo tối đa 3 tệp"):
        check_count(4, LIMITS)
