"""Never a 500: arbitrary text, numbers, ids and Unicode posted to every route of the web app
(console and mail links), on each database.

The routes come from the app's own route table, so a new route is covered without touching this
file. Each request is made as a coordinator, a supervisor, a viewer (signed in, with a valid
CSRF token, so it gets past the guard into the handler) or anonymously; a link route gets a
freshly issued valid token, a used one or garbage. Form fields are the names the console's
pages really send (read from the templates and the handlers) with values that make sense
(actions, dates, ids) or not (NUL, control characters, Unicode digits such as '²' and '٣',
numbers beyond 64 bits, very long and random text), plus random extra fields.

The property: the answer is below 500, and a 4xx page is the Vietnamese HTML page, never a
traceback. CASCADE_PROPERTY_EXAMPLES sets the examples per route (default 25, each route with
a seed of its own so that a CI run is reproducible; CASCADE_PROPERTY_RANDOM=1 explores with
fresh random data).
"""

from __future__ import annotations

import inspect
import os
import re
import sys
import zlib
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, assume, given, seed, settings
from hypothesis import strategies as st
from starlette.routing import Mount, Route

from models.db import unit_of_work
from models.status import ACTIONS
from models.tables import Body, Task
from services.links import issue_link
from tests.conftest import ROOT, at
from tests.console.conftest import csrf_of

EXAMPLES = int(os.environ.get("CASCADE_PROPERTY_EXAMPLES", "25"))
RANDOM = os.environ.get("CASCADE_PROPERTY_RANDOM") == "1"
ROLES = (None, "coordinator", "supervisor", "viewer")
DOC = ROOT / "tests" / "fixtures" / "documents" / "ke-hoach-co-quan-dia-phuong.txt"
DIRECTIVE = "48-KH/ĐĐTLĐ"
LAST = ("/logout",)  # ends the sessions the other routes use


def _read_in(text: str) -> set[str]:
    """The field names a handler's source reads."""
    return set(re.findall(r'(?:ctx\.arg|form\.get|query_params\.get)\("([\w-]+)"', text)) \
        | set(re.findall(r'ctx\.form\["([\w-]+)"\]', text))


def _field_names() -> list[str]:
    """The form and query fields the web app reads: from its templates and handlers."""
    names: set[str] = set()
    for path in (ROOT / "templates" / "web").rglob("*.html"):
        names.update(re.findall(r'name="([^"{]*(?:\{\{[^}]*\}\}[^"{]*)*)"', path.read_text()))
    for path in (ROOT / "web").rglob("*.py"):
        names |= _read_in(path.read_text())
    names -= {"viewport", "robots", "{{ csrf_field }}"}
    return sorted(names)


def _route_fields(route: Route | Mount) -> list[str]:
    """The names the module of the route's handler reads (behind Guard.page: the handler in its
    closure), else all of them."""
    endpoint = getattr(route, "endpoint", None)
    handlers = [c.cell_contents for c in getattr(endpoint, "__closure__", None) or ()
                if inspect.ismethod(c.cell_contents) or inspect.isfunction(c.cell_contents)]
    handler = handlers[0] if handlers else endpoint
    module = sys.modules.get(getattr(handler, "__module__", ""))
    return sorted(_read_in(inspect.getsource(module))) or FIELDS if module else FIELDS


FIELDS = _field_names()
ODD = ["", " ", "\x00", "a\x00b", "\x07", "\x1b[31m", "\x7f", "\x85", "²", "٣", "１２", "۱۲۳",
       "Ⅻ", "½", str(2**63), str(2**64), "#" + str(2**63), "-1", "-9223372036854775809",
       "0", "00", "1e309", "nan", "inf", "∞", "31/02/2023", "15/12/2023", "29/02/2100",
       "31/12/9999", "01/01/0001", "1/1/1", "12-31", "02-30", "12/0000", "1/0000", "Q4/9999",
       "2023-12-15", "00/00/0000", "99/99/99999", "15/12/٢٠٢٣", "\u202eabc", "\u200f",
       "\ufeff", "\ufffd", "x" * 5000, "đ" * 3000, "<script>alert(1)</script>", "%", "'",
       '"', "../../etc/passwd", "\\", "//evil.example", "http://evil.example", "\t", "\r\n",
       "a\u0301\u0302\u0303", "𝟙𝟚", "\U0001f600"]
SENSIBLE = [*ACTIONS, "remind", "yes", "no", "preview", "launch", "keep", "none", "1", "2", "3",
            "12-15", "15/12", "III.1", "I.1", "tld_bch", "ldld_hue", "48-KH/ĐĐTLĐ", "/", "/inbox",
            "csv", "xlsx", "ref", "due", "lead", "support", "overdue", "red", "green",
            "month", "quarter", "date", "annual", "continuous", "7/2026", "2/2026", "30/11/2026"]
RAW_TYPES = ["application/x-www-form-urlencoded", "application/x-www-form-urlencoded; charset=latin-1",
             "multipart/form-data", "multipart/form-data; boundary=x", "text/plain",
             "application/json", "multipart/form-data; boundary=", "multipart/form-data; boundary=\"--\""]
text = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)  # any, NUL too
typed = st.text(st.characters(exclude_categories=("Cs", "Cc", "Cf")), max_size=60)
# Mostly what a handler accepts or must refuse itself; sometimes what web.inputs refuses first.
values = st.one_of(st.sampled_from(SENSIBLE), st.sampled_from(SENSIBLE), typed, typed,
                   st.integers(min_value=-(2**70), max_value=2**70).map(str),
                   st.integers(min_value=0, max_value=2**64).map("#{}".format),
                   st.sampled_from(ODD), text,
                   st.text(st.characters(categories=("Nd", "No", "Nl")), min_size=1, max_size=6))
placeholder = st.one_of(st.integers(0, 4).map(str), st.sampled_from(SENSIBLE), text)


@st.composite
def field_names(draw: st.DrawFn, own: list[str]) -> str:
    name = draw(st.one_of(st.sampled_from(own), st.sampled_from(own), st.sampled_from(FIELDS),
                          typed))
    return re.sub(r"\{\{[^}]*\}\}", lambda _: draw(placeholder), name)


def pairs(own: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    return st.lists(st.tuples(field_names(own), values), max_size=6)


def _routes(app) -> list[tuple[Route | Mount, str]]:
    from web.app import create_app

    found: list[tuple[Route | Mount, str]] = []
    for route in create_app(app).routes:
        if isinstance(route, Mount):
            found.append((route, "GET"))
        elif isinstance(route, Route):
            found += [(route, m) for m in sorted((route.methods or set()) - {"HEAD"})]
    return sorted(found, key=lambda r: r[0].path in LAST)


class World:
    """The app with a launched plan, a draft, one client per role and what they can post."""

    def __init__(self, app, make_client) -> None:
        self.app = app
        self.clients = {role: make_client(role) for role in ROLES}
        self.csrf = {role: csrf_of(c.get("/login" if role is None else "/inbox").text)
                     for role, c in self.clients.items()}
        coordinator = self.clients["coordinator"]
        response = coordinator.post("/directives/new", data={
            "csrf_token": self.csrf["coordinator"], "text": DOC.read_text(encoding="utf-8")},
            follow_redirects=False)
        assert response.status_code == 303, response.text
        with unit_of_work(app.engine, write=False) as session:
            self.tasks = list(session.scalars(sa.select(Task.id).order_by(Task.id).limit(6)))
            self.bodies = list(session.scalars(sa.select(Body.id).order_by(Body.id).limit(4)))
        self.ids = [*self.tasks, 1, 2, 3]

    def token(self, task_id: int, action: str) -> str:
        with unit_of_work(self.app.engine) as session:
            actor = session.get(Task, task_id).body_id
            return issue_link(session=session, signer=self.app.signer, task_id=task_id,
                              action=action, actor=actor, at=at("2023-07-25 09:00"),
                              ttl_days=60)


def _path_value(world: World, name: str, convertor: str, draw: st.DrawFn) -> str:
    if name == "token":
        kind = draw(st.sampled_from(["valid", "valid", "garbage", "bent"]))
        if kind == "garbage":
            return quote(draw(st.sampled_from(ODD) | text), safe="")
        token = world.token(draw(st.sampled_from(world.tasks)),
                            draw(st.sampled_from([*ACTIONS, "remind"])))
        return token if kind == "valid" else quote(token[:-2] + draw(values), safe="")
    # mostly a value that finds something, so that the handler gets to the query string
    if convertor == "int":
        real = st.sampled_from(world.ids)
        return str(draw(st.one_of(real, real, st.integers(0, 2**70))))
    if name == "body_id":
        real = st.sampled_from(world.bodies)
    elif name == "fmt":
        real = st.sampled_from(["csv", "xlsx", "html", "docx", "json", "pdf"])
    elif convertor == "path":
        real = st.just(DIRECTIVE)
    else:
        real = st.sampled_from(SENSIBLE)
    choice = draw(st.one_of(real, real, values))
    return quote(choice, safe="/" if convertor == "path" else "")


@st.composite
def requests(draw: st.DrawFn, world: World, route: Route | Mount, method: str):
    role = draw(st.sampled_from(ROLES))
    path = route.path
    if isinstance(route, Mount):
        path += "/" + quote(draw(st.sampled_from(["console.css", "x", "..%2f..", ""]) | text))
    else:
        def fill(m: re.Match[str]) -> str:
            return _path_value(world, m[1], m[2] or "str", draw)

        path = re.sub(r"\{(\w+)(?::(\w+))?\}", fill, path)
    own = _route_fields(route)
    query = draw(pairs(own))
    assume(len(urlencode(query)) < 30_000)  # the client's limit for a URL, not the server's
    form = draw(pairs(own)) if method == "POST" else []
    if method == "POST" and draw(st.booleans()):
        form.append(("csrf_token", world.csrf[role]))
    files: list | tuple | None = None
    kind = draw(st.integers(0, 5)) if method == "POST" else 0
    if kind == 1:  # a multipart form, sometimes a file
        name = draw(st.sampled_from(["document", "files", "x"]))
        files = [(name, (draw(text) or "a.txt", draw(st.binary(max_size=300)), "text/plain"))]
    elif kind == 2:  # a body that is not what its content type says (bad escapes, not UTF-8)
        start = urlencode([p for p in form if p[0] == "csrf_token"]).encode()
        files = (draw(st.sampled_from(RAW_TYPES)), start + b"&" + draw(st.binary(max_size=200)))
    return role, method, path, query, form, files


def _check(world: World, request) -> None:
    role, method, path, query, form, files = request
    client = world.clients[role]
    kwargs: dict = {}
    if isinstance(files, tuple):
        kwargs = {"content": files[1], "headers": {"content-type": files[0]}}
    elif files is not None:
        kwargs = {"data": dict(form), "files": files}
    elif method == "POST":  # a url-encoded form, repeated fields kept
        kwargs = {"content": urlencode(form), "headers": {
            "content-type": "application/x-www-form-urlencoded"}}
    response = client.request(method, path, params=query, follow_redirects=False, **kwargs)
    assert response.status_code < 500, (response.status_code, response.text[:2000])
    assert "Traceback" not in response.text
    if response.status_code >= 400 and "text/html" in response.headers.get("content-type", ""):
        assert '<html lang="vi">' in response.text, response.text[:500]


def _explore(world: World, route: Route | Mount, method: str) -> None:
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(requests(world, route, method))
    def prop(request) -> None:
        _check(world, request)

    if not RANDOM:  # reproducible, and different data for each route
        prop = seed(zlib.crc32(f"{method} {route.path}".encode()))(prop)
    prop()


@pytest.fixture
def world(launched_app, web):
    return World(launched_app, web)


def test_no_route_answers_500_to_odd_input(world):
    routes = _routes(world.app)
    assert len(routes) >= 35
    failed = []
    for route, method in routes:
        try:
            _explore(world, route, method)
        except Exception as exc:  # noqa: BLE001 (every route is tried; all failures are listed)
            failed.append(f"{method} {route.path}: {type(exc).__name__}: {str(exc)[:600]}")
    assert not failed, "\n".join(failed)


def test_the_field_names_are_the_ones_the_pages_send():
    assert {"note", "until", "action", "q", "page", "i-{{ n }}-task", "email"} <= set(FIELDS)
    assert len(FIELDS) > 40 and Path(DOC).exists()
