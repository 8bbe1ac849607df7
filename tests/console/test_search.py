"""Search on every console list ignores tone marks, case and Unicode form (NFC/NFD): the board,
the directives list (searched and paged) and the bodies page (searched, its filters kept after
a save, names rather than ids in what it says). Runs on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qs, urlsplit

from models.search import search_key
from services import lists
from tests.console.conftest import csrf_of

BOARD = "/directives/48-KH/ĐĐTLĐ"


def _nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


def test_the_fold_ignores_tones_case_and_form():
    assert search_key("LĐLĐ thành phố Hà Nội") == "ldld thanh pho ha noi"
    assert search_key(_nfd("Ban Tuyên giáo")) == search_key("BAN TUYEN GIAO") == "ban tuyen giao"


def _matched(page) -> int:
    assert page.status_code == 200
    return int(re.search(r"<strong>(\d+) nhiệm vụ</strong> khớp bộ lọc", page.text).group(1))


def test_the_board_finds_bodies_and_tasks_typed_without_accents(launched_app, web):
    client = web("viewer")
    exact = client.get(BOARD, params={"q": "Hà Nội"})
    assert _matched(exact) >= 1 and "Liên đoàn Lao động Thành phố Hà Nội" in exact.text
    for typed in ("ha noi", "HÀ NỘI", _nfd("Hà Nội"), "  ha   noi "):
        assert _matched(client.get(BOARD, params={"q": typed})) == _matched(exact)
    tuyen_giao = client.get(BOARD, params={"q": "tuyen giao"})
    assert _matched(tuyen_giao) >= 1 and "Ban Tuyên giáo Tổng Liên đoàn" in tuyen_giao.text
    assert _matched(client.get(BOARD, params={"q": _nfd("Tuyên giáo")})) == _matched(tuyen_giao)
    # words of a task's text, typed without accents
    assert _matched(client.get(BOARD, params={"q": "phat trien doan vien",
                                              "assignment": "III.4"})) == 1
    assert _matched(client.get(BOARD, params={"q": "khong co dau nay"})) == 0


def test_the_directives_list_is_searched_and_paged(launched_app, web):
    client = web("viewer")
    for typed in ("48-kh/ddtld", "kinh te tap the", _nfd("Đảng đoàn")):
        assert "48-KH/ĐĐTLĐ" in client.get("/directives", params={"q": typed}).text
    none = client.get("/directives", params={"q": "nghi quyet 99"})
    assert "Không có văn bản nào khớp" in none.text and 'href="/directives/48-KH' not in none.text
    far = client.get("/directives", params={"page": "7"})  # past the end: the last page
    assert far.status_code == 200 and "48-KH/ĐĐTLĐ" in far.text
    assert "Trang sau" not in far.text


def test_paging_keeps_every_row_once():
    rows = list(range(45))
    pages = [lists.paged(rows, n, 20) for n in (1, 2, 3)]
    assert [p.pages for p in pages] == [3, 3, 3]
    assert sum((p.rows for p in pages), []) == rows
    assert lists.paged(rows, 9, 20).page == 3 and lists.paged([], 1, 20).rows == []


def test_the_bodies_page_searches_names_and_keeps_its_filter_after_a_save(console_app, web):
    client = web("coordinator")
    found = client.get("/bodies", params={"q": "ha noi", "kind": "provincial_federation"})
    assert "Liên đoàn Lao động Thành phố Hà Nội" in found.text
    assert "Liên đoàn Lao động tỉnh Nghệ An" not in found.text
    assert "Liên đoàn Lao động Thành phố Hà Nội" in client.get("/bodies", params={"q": _nfd("hà nội")}).text
    token = csrf_of(found.text)
    back = '/bodies?kind=provincial_federation&amp;q=ha+noi'
    assert back in found.text
    saved = client.post("/bodies/ldld_ha_noi/contacts", follow_redirects=False, data={
        "csrf_token": token, "addresses": "vanphong@ldldhanoi.vn",
        "next": "/bodies?kind=provincial_federation&q=ha+noi"})
    assert saved.status_code == 303
    where = urlsplit(saved.headers["location"])
    assert parse_qs(where.query)["q"] == ["ha noi"]
    after = client.get(saved.headers["location"])
    assert "Đã lưu địa chỉ e-mail của Liên đoàn Lao động Thành phố Hà Nội" in after.text
    assert "Liên đoàn Lao động tỉnh Nghệ An" not in after.text  # still filtered
    refused = client.post("/bodies/ldld_ha_noi/contacts", data={
        "csrf_token": token, "addresses": "khong-hop-le",
        "next": "/bodies?kind=provincial_federation&q=ha+noi"})
    assert refused.status_code == 400
    assert "Liên đoàn Lao động Thành phố Hà Nội: Địa chỉ e-mail không hợp lệ" in refused.text
    assert "Liên đoàn Lao động tỉnh Nghệ An" not in refused.text and 'value="ha noi"' in refused.text
