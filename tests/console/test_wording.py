"""What people read, in words they use: mails name the console user who acted, not 'user:1';
the console's forms agree with themselves; exports and pages as people open them."""

from __future__ import annotations

from notifications.mailer import RecordingMailer
from tests.conftest import FixedClock, at
from tests.console.conftest import NAMES, csrf_of
from tests.mail.conftest import dispatch
from tests.web.conftest import task_id


def _body_text(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content()


def test_a_department_mail_names_the_user_who_acted(launched_app, web):
    app = launched_app
    client = web("coordinator")
    tid = task_id(app.engine, "III.3", "tld_ban_tuyen_giao")
    page = client.get(f"/tasks/{tid}/confirm", params={"action": "cancel"})
    done = client.post(f"/tasks/{tid}/act", data={"csrf_token": csrf_of(page.text),
                                                  "action": "cancel", "note": "Đã gộp vào mục khác"},
                       follow_redirects=False)
    assert done.status_code == 303
    mailer = RecordingMailer()
    dispatch(engine=app.engine, mailer=mailer, settings=app.settings,
             clock=FixedClock(at("2023-08-01 10:05")))
    cancelled = [m for m in mailer.sent if "Nguyễn Văn An" in _body_text(m)]
    assert cancelled, [m["Subject"] for m in mailer.sent]
    assert all("user:" not in _body_text(m) for m in mailer.sent)
    assert NAMES["coordinator"] in _body_text(cancelled[0])
