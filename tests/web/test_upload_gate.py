"""A report's files are checked in full and copied into the store before its write transaction
begins: the database's writer (on SQLite, the write gate) is never kept waiting on them, and a
refused report changes nothing and leaves its link as usable as before."""

from __future__ import annotations

import io
import threading
import time
import zipfile

import pytest
from starlette.testclient import TestClient

import services.results
from models.files import MAX_ZIP_ENTRIES
from services.report_attempts import MAX_REFUSED
from tests.conftest import FixedClock, at
from tests.console.test_body_limits import BOUNDARY, Asgi, _multipart
from tests.results.conftest import plan, task_of  # noqa: F401 (the plan fixture)
from tests.results.samples import PDF, docx_bytes
from tests.results.test_link_pages import SECRET, issue, state, stored_files

WAIT = 20  # seconds any wait in these tests may last at most


@pytest.fixture
def app(make_app, plan):  # noqa: F811
    """Writers wait at most 2 s for the database (a click behind a held gate would be a 503)."""
    return make_app(clock=FixedClock(at("2023-11-20 10:00")), CASCADE_SECRET_KEY=SECRET,
                    CASCADE_UPLOAD_MAX_MB="2", CASCADE_UPLOAD_MAX_FILES="4",
                    CASCADE_DB_BUSY_SECONDS="2")


def _client(app) -> TestClient:
    from web.app import create_app

    return TestClient(create_app(app))


def _report(client, token, files, **figures):
    return client.post(f"/l/{token}", data={"note": "Báo cáo kết quả",
                                            **{f"figure-{k}": v for k, v in figures.items()}},
                       files=[("files", (name, data, "application/octet-stream"))
                              for name, data in files])


def _package(entries: int, *, part: bytes = b"<w/>") -> bytes:
    """A .docx-shaped zip with `entries` parts."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr("word/document.xml", part)
        for n in range(entries - 2):
            package.writestr(f"word/media/p{n}.xml", "")
    return buffer.getvalue()


class Held:
    """Blocks the wrapped function until `release` (at most WAIT seconds); `entered` says a call
    is inside it."""

    def __init__(self, function):
        self.function = function
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, *args, **kwargs):
        self.entered.set()
        self.release.wait(WAIT)
        return self.function(*args, **kwargs)


@pytest.mark.parametrize("step", ["check", "copy"])
def test_a_click_goes_through_while_a_report_s_files_are_checked_or_copied(app, plan, monkeypatch,  # noqa: F811
                                                                             step):
    """While one body's report is held in its file check (or its copy into the store), another
    body's click on another link is recorded at once (200): no writer waits on files."""
    held = Held(services.results.check_content if step == "check" else app.files.stage)
    if step == "check":
        monkeypatch.setattr(services.results, "check_content", held)
    else:
        monkeypatch.setattr(app.files, "stage", held)
    report_token = issue(plan, task_of(plan, "ldld_ha_noi"), "report")
    click_token = issue(plan, task_of(plan, "ldld_hue"), "acknowledge")
    answers: dict[str, int] = {}

    def send_report() -> None:
        with _client(app) as client:
            answers["report"] = _report(client, report_token,
                                        [("a.docx", docx_bytes()), ("b.pdf", PDF)]).status_code

    worker = threading.Thread(target=send_report, daemon=True)
    worker.start()
    try:
        assert held.entered.wait(WAIT), "the report never reached its files"
        with _client(app) as client:
            started = time.monotonic()
            click = client.post(f"/l/{click_token}", data={"note": ""})
            elapsed = time.monotonic() - started
        assert click.status_code == 200, click.text
        assert elapsed < 2.0  # the busy timeout: a click behind a held gate waits this long
    finally:
        held.release.set()
        worker.join(WAIT)
    assert not worker.is_alive()
    assert answers["report"] == 200
    assert len(stored_files(app)) == 2


def test_a_report_with_one_bad_name_changes_nothing_and_reads_no_content(app, plan,  # noqa: F811
                                                                         monkeypatch):
    """One bad name among good files: refused (400, the name said), no file stored, the task,
    its events and the link unchanged, no content opened; the link then takes a good report."""
    opened = []
    check = services.results.check_content
    monkeypatch.setattr(services.results, "check_content",
                        lambda *a, **k: opened.append(a) or check(*a, **k))
    token = issue(plan, task_of(plan, "ldld_ha_noi"), "report")
    before = state(plan, token)
    with _client(app) as client:
        refused = _report(client, token, [("a.docx", docx_bytes()), ("b.pdf", PDF),
                                          ("c.exe", b"MZ" + b"0" * 100)])
        assert refused.status_code == 400
        assert "c.exe" in refused.text and "Chưa có gì thay đổi" in refused.text
        assert opened == []
        assert state(plan, token) == before and stored_files(app) == []
        assert list((app.settings.files_dir / ".incoming").glob("*")) == [] \
            if (app.settings.files_dir / ".incoming").exists() else True
        accepted = _report(client, token, [("a.docx", docx_bytes())], T1="10")
    assert accepted.status_code == 200
    assert len(stored_files(app)) == 1


def test_a_zip_bomb_is_refused_before_its_parts_are_listed(app, plan, monkeypatch):  # noqa: F811
    """A .docx with more parts than any real one, or whose parts unpack far beyond its size:
    400 saying so, nothing stored, the link unused."""
    token = issue(plan, task_of(plan, "ldld_ha_noi"), "report")
    before = state(plan, token)
    many_parts, one_big_part = _package(MAX_ZIP_ENTRIES + 500), _package(3, part=b"0" * 50_000)
    listed = []
    real_zip = zipfile.ZipFile
    monkeypatch.setattr(zipfile, "ZipFile", lambda *a, **k: listed.append(1) or real_zip(*a, **k))
    with _client(app) as client:
        many = _report(client, token, [("nhieu.docx", many_parts)])
        assert many.status_code == 400
        assert "phần nén bên trong" in many.text and "nhieu.docx" in many.text
        assert listed == []  # refused from the zip's end record alone
        monkeypatch.setattr("models.files.MAX_UNZIPPED", 10_000)
        big = _report(client, token, [("lon.docx", one_big_part)])
        assert big.status_code == 400 and "khi giải nén" in big.text
    assert state(plan, token) == before and stored_files(app) == []


def test_a_link_that_cannot_act_reads_no_upload(app, plan):  # noqa: F811
    """A used (or unknown) report link answers its page before reading a byte of the files."""
    from web.app import create_app

    token = issue(plan, task_of(plan, "ldld_ha_noi"), "report")
    with _client(app) as client:
        assert _report(client, token, [("a.pdf", PDF)]).status_code == 200
    again = Asgi(create_app(app), f"/l/{token}",
                 {"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
                 _multipart(50 * 1024 * 1024))
    assert again.status == 410 and again.pulled == 0


def test_refused_uploads_on_one_link_are_bounded(app, plan):  # noqa: F811
    """Ten refused uploads in an hour on one link: the next is answered 429 before its files
    are read, nothing changed; another link is not affected; an hour later the link takes its
    report."""
    from web.app import create_app

    token = issue(plan, task_of(plan, "ldld_ha_noi"), "report")
    other = issue(plan, task_of(plan, "ldld_hue"), "report")
    before = state(plan, token)
    with _client(app) as client:
        for n in range(MAX_REFUSED):
            app.clock.advance(minutes=1)
            assert _report(client, token, [(f"sai-{n}.exe", b"MZ")]).status_code == 400
    held = Asgi(create_app(app), f"/l/{token}",
                {"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
                _multipart(5 * 1024 * 1024))
    assert held.status == 429 and held.pulled == 0
    assert "gửi lại sau" in held.text.decode()
    assert state(plan, token) == before
    with _client(app) as client:
        assert client.get(f"/l/{token}").status_code == 200
        assert _report(client, other, [("a.pdf", PDF)]).status_code == 200
        app.clock.advance(hours=1)
        assert _report(client, token, [("a.pdf", PDF)]).status_code == 200


def test_a_link_page_takes_a_large_body_only_as_a_multipart_upload(app, plan):  # noqa: F811
    """Files come only in a multipart form: a url-encoded body past the form cap is a 413
    before it is read, the link unused."""
    from web.app import create_app

    token = issue(plan, task_of(plan, "ldld_ha_noi"), "acknowledge")
    before = state(plan, token)
    size = app.settings.form_max_bytes + 1
    call = Asgi(create_app(app), f"/l/{token}",
                {"content-type": "application/x-www-form-urlencoded",
                 "content-length": str(size)}, iter([b"note=" + b"a" * (size - 5)]))
    assert call.status == 413 and call.pulled == 0
    assert state(plan, token) == before
