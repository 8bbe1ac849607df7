"""The console's security: every route needs a session, every POST a CSRF token, every action
the right role; throttled logins; Argon2 hashes; the session cookie's flags and lifetime."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from starlette.routing import Mount, Route

from models.console_tables import LoginAttempt, UserAccount, UserSession
from models.db import unit_of_work
from models.tables import Task, TaskEvent
from tests.console.conftest import PASSWORD, USERS, csrf_of, login
from tests.web.conftest import task_id

# a mail link and its report files answer to the link token, not to a session
PUBLIC = {"/login", "/healthz", "/l/{token}", "/l/{token}/files/{file_id:int}",
          "/l/{token}/document/{document_id:int}", "/static"}
SAMPLE = {"number": "48-KH/ĐĐTLĐ", "task_id": "1", "draft_id": "1", "body_id": "tld_ban_to_chuc",
          "outbox_id": "1", "fmt": "csv", "file_id": "1", "job_id": "1", "document_id": "1",
          "decision_id": "1"}


def _routes(app):
    from web.app import create_app

    for route in create_app(app).routes:
        if isinstance(route, Mount):
            yield route.path, ["GET"]
        elif isinstance(route, Route):
            yield route.path, sorted(route.methods - {"HEAD"})


def _url(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLE.get(m[1], "x"), path)


def test_every_route_but_the_public_ones_redirects_to_login(console_app, web):
    """Walking the app's route table: without a session, every method of every route that is not
    /login, /healthz, the static files or a mail link answers a redirect to /login."""
    anonymous = web()
    checked = 0
    for path, methods in _routes(console_app):
        if path in PUBLIC:
            continue
        for method in methods:
            response = anonymous.request(method, _url(path), follow_redirects=False)
            assert response.status_code == 303, (method, path, response.status_code)
            assert response.headers["location"].startswith("/login"), (method, path)
            checked += 1
    assert checked >= 20


def test_the_public_routes_answer_without_a_session(web):
    """/login, /healthz and the stylesheet answer 200 to anyone."""
    anonymous = web()
    for path in ("/login", "/healthz", "/static/console.css"):
        assert anonymous.get(path).status_code == 200, path


def _snapshot(engine, tid):
    with unit_of_work(engine, write=False) as session:
        task = session.get(Task, tid)
        events = session.scalar(sa.select(sa.func.count()).select_from(TaskEvent)
                                .where(TaskEvent.task_id == tid))
        return task.status, task.version, task.due_on, events


@pytest.mark.parametrize("token", [None, "", "wrong-token", "QUJD"])
def test_a_post_without_or_with_a_wrong_csrf_token_is_refused(launched_app, web, token):
    """403, in Vietnamese, and the task and its audit trail are unchanged."""
    client = web("coordinator")
    tid = task_id(launched_app.engine, "III.1", "tld_bch")
    before = _snapshot(launched_app.engine, tid)
    data = {"action": "cancel"} | ({"csrf_token": token} if token is not None else {})
    response = client.post(f"/tasks/{tid}/act", data=data, follow_redirects=False)
    assert response.status_code == 403
    assert "mã chống giả mạo không khớp" in response.text
    assert _snapshot(launched_app.engine, tid) == before


def test_another_sessions_csrf_token_is_refused(launched_app, web):
    """A token from another user's page does not work in this session."""
    mine, theirs = web("coordinator"), web("coordinator")
    tid = task_id(launched_app.engine, "III.1", "tld_bch")
    token = csrf_of(theirs.get(f"/tasks/{tid}/confirm?action=cancel").text)
    before = _snapshot(launched_app.engine, tid)
    response = mine.post(f"/tasks/{tid}/act", data={"action": "cancel", "csrf_token": token})
    assert response.status_code == 403 and _snapshot(launched_app.engine, tid) == before


def test_a_viewers_post_is_refused(launched_app, web):
    """A viewer reads; every action of theirs is refused with 403 and changes nothing."""
    client = web("viewer")
    tid = task_id(launched_app.engine, "III.1", "tld_bch")
    token = csrf_of(client.get("/").text)
    before = _snapshot(launched_app.engine, tid)
    for path, data in ((f"/tasks/{tid}/act", {"action": "extend", "until": "30/12/2023"}),
                       ("/bodies/tld_bch/contacts", {"addresses": "x@congdoan.vn"}),
                       ("/outbox/1/retry", {}), ("/directives/new", {"text": "Kế hoạch"}),
                       ("/drafts/jobs/1/discard", {})):
        response = client.post(path, data={"csrf_token": token, **data}, follow_redirects=False)
        assert response.status_code == 403, path
    assert _snapshot(launched_app.engine, tid) == before
    assert client.get(f"/tasks/{tid}").status_code == 200
    assert "Thao tác" not in client.get(f"/tasks/{tid}").text  # no buttons for a viewer


def test_the_sixth_wrong_password_in_a_minute_is_throttled(console_app, web, clock):
    """Five failures are told 'wrong'; the sixth try, even with the right password, is
    throttled; a minute later the right password works. The message never says which was wrong."""
    client = web()
    for _ in range(5):
        response = login(client, "coordinator", password="sai-mat-khau-roi")
        assert response.status_code == 401
        assert "E-mail hoặc mật khẩu không đúng" in response.text
    throttled = login(client, "coordinator")
    assert throttled.status_code == 429 and "thử lại sau" in throttled.text
    assert "cascade_session" not in throttled.headers.get("set-cookie", "")
    clock.advance(seconds=61)
    assert login(client, "coordinator").status_code == 303


def test_the_throttle_is_kept_in_the_database(console_app, web, clock):
    """Failures recorded by one app instance throttle another (a restart, a second worker)."""
    for _ in range(5):
        login(web(), "supervisor", password="sai-mat-khau-roi")
    with unit_of_work(console_app.engine, write=False) as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 5
    assert login(web(), "supervisor").status_code == 429


def test_an_unknown_email_and_a_wrong_password_read_the_same(web):
    """Same status and same message for an unknown account and a wrong password."""
    client = web()
    page = client.get("/login")
    unknown = client.post("/login", data={"email": "khong-co@congdoan.vn", "password": PASSWORD,
                                          "csrf_token": csrf_of(page.text)})
    wrong = login(web(), "viewer", password="sai-mat-khau-roi")
    assert unknown.status_code == wrong.status_code == 401
    message = re.compile(r'role="alert">([^<]+)<')
    assert message.search(unknown.text)[1] == message.search(wrong.text)[1]


def test_passwords_are_stored_as_argon2_hashes(console_app):
    """The table holds an Argon2id hash, never the password."""
    from argon2 import PasswordHasher

    with unit_of_work(console_app.engine, write=False) as session:
        stored = session.exec(sa.select(UserAccount.password_hash)).scalars().all()
    assert stored and all(h.startswith("$argon2id$") and PASSWORD not in h for h in stored)
    assert PasswordHasher().verify(stored[0], PASSWORD)


def test_the_session_cookie_flags(web):
    """HttpOnly, SameSite=Lax, Path=/, no Secure in development; the database keeps only the
    id's SHA-256."""
    client = web()
    cookie = login(client, "coordinator").headers["set-cookie"]
    assert re.search(r"cascade_session=[\w-]{40,};", cookie)
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie.split("cascade_login_csrf")[0]


def test_the_session_cookie_is_secure_in_production(make_app, clock):
    """In production the cookie is `__Host-` prefixed and Secure."""
    from starlette.testclient import TestClient

    from models.db import unit_of_work as uow
    from services.accounts import create_user
    from services.setup import initialise
    from web.app import create_app

    app = make_app(clock=clock, CASCADE_ENV="production")
    initialise(engine=app.engine, registry=app.registry, contacts=app.contacts, at=clock())
    with uow(app.engine) as session:
        create_user(session=session, email=USERS["viewer"], name="X", role="viewer",
                    password=PASSWORD, at=clock())
    with TestClient(create_app(app), base_url="https://testserver") as client:
        cookie = login(client, "viewer").headers["set-cookie"]
    assert cookie.startswith("__Host-cascade_session=") and "Secure" in cookie.split(",")[0]


def test_a_new_session_id_at_every_login_and_only_its_hash_stored(console_app, web):
    """Two logins give two ids; a forged cookie set before login is not kept."""
    client = web()
    client.cookies.set("cascade_session", "fixation-attempt-0123456789")
    first = login(client, "viewer").cookies["cascade_session"]
    second = login(web(), "viewer").cookies["cascade_session"]
    assert first != second and "fixation" not in first
    with unit_of_work(console_app.engine, write=False) as session:
        hashes = set(session.exec(sa.select(UserSession.id_hash)).scalars())
    assert first not in hashes and len(hashes) == 2


def test_a_session_expires_after_inactivity_and_at_logout(web, clock):
    """Idle longer than the setting (60 minutes): back to /login; logout ends it at once."""
    client = web("viewer")
    assert client.get("/", follow_redirects=False).status_code == 200
    clock.advance(minutes=59)
    assert client.get("/", follow_redirects=False).status_code == 200  # activity renews
    clock.advance(minutes=61)
    assert client.get("/", follow_redirects=False).status_code == 303
    client = web("viewer")
    token = csrf_of(client.get("/").text)
    assert client.post("/logout", data={"csrf_token": token}, follow_redirects=False).status_code == 303
    assert client.get("/", follow_redirects=False).headers["location"].startswith("/login")


def test_a_disabled_account_loses_its_session(console_app, web):
    from services.accounts import disable_user

    client = web("viewer")
    with unit_of_work(console_app.engine) as session:
        disable_user(session=session, email=USERS["viewer"])
    assert client.get("/", follow_redirects=False).status_code == 303
    assert login(web(), "viewer").status_code == 401


def test_a_login_from_another_site_is_refused(web):
    """Without the login page's cookie the form's token means nothing: 403."""
    client = web()
    response = client.post("/login", data={"email": USERS["viewer"], "password": PASSWORD,
                                           "csrf_token": "abc"}, follow_redirects=False)
    assert response.status_code == 403


def test_next_never_leaves_the_site(web):
    """?next=//evil.example is ignored after login."""
    client = web()
    page = client.get("/login?next=//evil.example/x")
    response = client.post("/login", data={"email": USERS["viewer"], "password": PASSWORD,
                                           "csrf_token": csrf_of(page.text),
                                           "next": "//evil.example/x"}, follow_redirects=False)
    assert response.headers["location"] == "/"


def test_the_console_is_inline_script_free_under_its_csp(web):
    """Every console page is served with the CSP (no script source at all) and has no script."""
    client = web("coordinator")
    for path in ("/", "/directives", "/inbox", "/bodies", "/outbox", "/directives/new"):
        page = client.get(path)
        csp = page.headers["content-security-policy"]
        assert "style-src 'self'" in csp and "script" not in csp and "<script" not in page.text
        assert 'href="/static/console.css"' in page.text


def test_a_password_being_checked_holds_no_database_lock(launched_app, web, monkeypatch):
    """A login's password check (argon2, most of a second) runs between two short writes: while
    it runs, another user's action is written at once (on SQLite it used to wait for the whole
    check, so a stream of wrong passwords from anyone held every click up)."""
    import threading

    import services.accounts as accounts

    entered, release = threading.Event(), threading.Event()
    real = accounts.verify_password

    def slow_verify(stored: str, password: str) -> bool:
        entered.set()
        release.wait(timeout=20)
        return real(stored, password)

    coordinator = web("coordinator")
    tid = task_id(launched_app.engine, "III.1", "tld_bch")
    confirm = coordinator.get(f"/tasks/{tid}/confirm?action=extend")
    monkeypatch.setattr(accounts, "verify_password", slow_verify)
    anonymous = web()
    page = anonymous.get("/login")
    outcome: list[int] = []
    login_thread = threading.Thread(target=lambda: outcome.append(anonymous.post("/login", data={
        "email": USERS["supervisor"], "password": PASSWORD, "csrf_token": csrf_of(page.text)},
        follow_redirects=False).status_code))
    login_thread.start()
    try:
        assert entered.wait(timeout=20)
        done = coordinator.post(f"/tasks/{tid}/act", data={
            "csrf_token": csrf_of(confirm.text), "action": "extend", "until": "31/01/2024"},
            follow_redirects=False)
        assert done.status_code == 303
        assert login_thread.is_alive()  # the action did not wait for the password check
    finally:
        release.set()
        login_thread.join(timeout=30)
    assert outcome == [303]
