"""Ids are 32-bit on PostgreSQL (INTEGER columns): a larger id in any path is a Vietnamese 4xx
and a larger task number typed in the board's search finds nothing, on both databases, where
PostgreSQL used to answer 500 ("integer out of range"). Found by test_property_routes."""

from __future__ import annotations

import re

from starlette.routing import Route

from models.tables import MAX_ROW_ID
from tests.console.conftest import csrf_of
from tests.web.conftest import issue, task_id

BOARD = "/directives/48-KH/ĐĐTLĐ"
BEYOND = MAX_ROW_ID + 1
DIRECTIVE = {"directive": "48-KH/ĐĐTLĐ"}


def test_the_limit_is_postgresqls_integer():
    assert BEYOND == 2**31


def _id_routes(app):
    from web.app import create_app

    for route in create_app(app).routes:
        if isinstance(route, Route) and ":int}" in route.path:
            for method in sorted((route.methods or set()) - {"HEAD"}):
                yield route.path, method


def test_an_id_beyond_any_row_in_a_path_is_a_4xx_on_every_route(launched_app, web):
    client = web("coordinator")
    token = issue(launched_app.engine, task_id(launched_app.engine, "III.7", "ldld_hue"), "report")
    form = csrf_of(client.get("/inbox").text)
    checked = 0
    for path, method in _id_routes(launched_app):
        url = re.sub(r"\{(\w+)(?::int)?\}",
                     lambda m: token if m[1] == "token" else str(BEYOND), path)
        response = client.request(method, url, data={"csrf_token": form}
                                  if method == "POST" else None)
        assert response.status_code == 400, (method, path, response.status_code)
        assert "quá lớn" in response.text and '<html lang="vi">' in response.text
        checked += 1
    assert checked >= 15


def test_a_task_number_beyond_any_row_finds_nothing(launched_app, web):
    client = web("viewer")
    tid = task_id(launched_app.engine, "III.7", "ldld_hue")
    assert "Không có nhiệm vụ nào" not in client.get(BOARD, params={"q": f"#{tid}"}).text
    assert len(client.get("/exports/tasks.csv", params={"q": f"#{tid}", **DIRECTIVE}).text.splitlines()) == 2
    board = client.get(BOARD, params={"q": f"#{BEYOND}"})
    assert board.status_code == 200 and "Không có nhiệm vụ nào khớp bộ lọc" in board.text
    export = client.get("/exports/tasks.csv", params={"q": f"#{BEYOND}", **DIRECTIVE})
    assert export.status_code == 200 and len(export.text.splitlines()) == 1  # the header only
