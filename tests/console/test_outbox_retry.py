"""Thư: "Gửi lại" re-queues a failed mail only, and says so; any other mail is left as it is."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from models.db import unit_of_work
from models.tables import Outbox
from tests.console.conftest import csrf_of


def _set(engine, **values) -> int:
    """The first mail of the launch, given `values`; its id."""
    with unit_of_work(engine) as session:
        row = session.exec(sa.select(Outbox).order_by(Outbox.id)).scalars().first()
        for name, value in values.items():
            setattr(row, name, value)
        session.add(row)
        return row.id


def _rows(engine):
    with unit_of_work(engine, write=False) as session:
        return [(r.id, r.status, r.attempts, r.next_attempt_at, r.last_error, r.sent_at)
                for r in session.exec(sa.select(Outbox).order_by(Outbox.id)).scalars()]


def _retry(client, mail_id):
    page = client.get("/outbox")
    return client.post(f"/outbox/{mail_id}/retry", data={"csrf_token": csrf_of(page.text)})


def test_a_failed_mail_is_requeued_and_the_page_says_so(launched_app, web):
    mail_id = _set(launched_app.engine, status="failed", last_error="550 hộp thư không tồn tại")
    response = _retry(web("coordinator"), mail_id)
    assert response.status_code == 200
    assert f"Thư #{mail_id} đã được đưa lại vào hàng đợi gửi." in response.text
    assert [r[1] for r in _rows(launched_app.engine) if r[0] == mail_id] == ["pending"]


def test_a_sent_mail_is_not_requeued_and_the_page_says_nothing_was(launched_app, web):
    """An already sent mail (another tab, the CLI): the notice says it was sent and not queued
    again; no mail changes."""
    mail_id = _set(launched_app.engine, status="sent", attempts=1,
                   sent_at=dt.datetime(2023, 7, 20, 2, 0, tzinfo=dt.UTC))
    before = _rows(launched_app.engine)
    response = _retry(web("coordinator"), mail_id)
    assert response.status_code == 200
    assert f"Thư #{mail_id} đã gửi rồi: không đưa lại vào hàng đợi." in response.text
    assert "đã được đưa lại" not in response.text
    assert _rows(launched_app.engine) == before


def test_a_waiting_mail_is_not_requeued(launched_app, web):
    mail_id = _set(launched_app.engine, status="pending")
    before = _rows(launched_app.engine)
    response = _retry(web("coordinator"), mail_id)
    assert "«chờ gửi», không phải thư gửi thất bại: không đưa lại vào hàng đợi." in response.text
    assert "đã được đưa lại" not in response.text
    assert _rows(launched_app.engine) == before


def test_a_mail_that_does_not_exist_is_a_404(launched_app, web):
    before = _rows(launched_app.engine)
    missing = max(r[0] for r in before) + 1000
    response = _retry(web("coordinator"), missing)
    assert response.status_code == 404
    assert f"Không có thư #{missing}" in response.text
    assert "hàng đợi" not in response.text
    assert _rows(launched_app.engine) == before
