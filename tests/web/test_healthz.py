"""/healthz says when the scheduler is gone or mail stopped going out, not only that the
database answers (issue 18, item 2): the scheduler's lease and the outbox's oldest due mail,
judged at the app's clock."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from starlette.testclient import TestClient

from models.db import unit_of_work
from models.tables import Outbox, table_of
from services import lease
from tests.conftest import FixedClock, at

START = at("2026-03-02 09:00")
LEASE = dt.timedelta(seconds=30)  # CASCADE_SCHEDULER_LEASE_SECONDS's default
HOLDER = "may-chu:4321:ab12cd34"


@pytest.fixture
def clock():
    return FixedClock(START)


@pytest.fixture
def health(make_app, clock):
    """GET /healthz on an app started at START with the given settings; (status, JSON)."""
    clients = []

    def make(**environ):
        from web.app import create_app

        app = make_app(clock=clock, **environ)
        client = TestClient(create_app(app))
        clients.append(client)

        def get():
            response = client.get("/healthz")
            return response.status_code, response.json()

        get.app = app
        return get

    yield make
    for client in clients:
        client.close()


def renew(app, when):
    """What the scheduler's lease loop does at `when` (cascade.scheduler.EmbeddedScheduler)."""
    assert lease.acquire(app.engine, name=lease.SCHEDULER, holder=HOLDER, at=when, ttl=LEASE)


def queue_mail(app, key, *, due, status="pending"):
    with unit_of_work(app.engine) as session:
        session.connection().execute(sa.insert(table_of(Outbox)).values(
            key=key, kind="task_assigned", status=status, attempts=0, next_attempt_at=due,
            created_at=due))


def test_a_renewed_lease_is_reported_and_a_lapsed_one_fails(health, clock):
    """The holder's process and the last renewal are shown; once nobody has renewed the lease
    for half a lease past its expiry, /healthz answers 503 naming the scheduler; a renewal
    makes it healthy again."""
    get = health(CASCADE_SCHEDULER="embedded")
    renew(get.app, START)
    code, body = get()
    assert code == 200 and body["status"] == "ok" and body["database"] == "ok"
    assert body["scheduler"] == {"mode": "embedded", "status": "ok", "holder": "4321:ab12cd34",
                                 "renewed_at": START.astimezone(dt.UTC).isoformat(),
                                 "renewed_seconds_ago": 0, "limit_seconds": 45}
    clock.advance(minutes=10)
    renew(get.app, clock())  # the lease loop renews every ten seconds
    assert get()[0] == 200
    clock.advance(seconds=45)  # the scheduler process died: no renewal since
    assert get()[0] == 200
    clock.advance(seconds=1)
    code, body = get()
    assert code == 503 and body["status"] == "error" and body["stale"] == ["scheduler"]
    assert body["scheduler"]["status"] == "stale"
    assert body["scheduler"]["renewed_seconds_ago"] == 46
    assert body["database"] == "ok" and body["outbox"]["status"] == "ok"
    renew(get.app, clock())  # another serve's scheduler takes over
    assert get()[0] == 200


def test_nobody_holding_the_lease_fails_once_the_start_is_past(health, clock):
    """Just after the web process started, a lease nobody holds yet is "starting" (200); past
    the lease plus two dispatch intervals it is stale (503)."""
    get = health(CASCADE_SCHEDULER="embedded")
    code, body = get()
    assert code == 200 and body["scheduler"]["status"] == "starting"
    assert body["scheduler"]["holder"] is None
    clock.advance(seconds=30 + 2 * 60 - 1)
    assert get()[0] == 200
    clock.advance(seconds=1)
    code, body = get()
    assert code == 503 and body["stale"] == ["scheduler"]
    assert body["scheduler"]["status"] == "stale"


def test_a_scheduler_run_elsewhere_is_not_checked(health, clock):
    """CASCADE_SCHEDULER=prefect: no lease in this database is expected; /healthz says so."""
    get = health(CASCADE_SCHEDULER="prefect")
    clock.advance(days=1)
    code, body = get()
    assert code == 200 and body["status"] == "ok"
    assert body["scheduler"] == {"mode": "prefect", "status": "not checked"}


def test_a_due_mail_waiting_too_long_fails(health, clock):
    """The oldest due mail's wait is shown; past CASCADE_HEALTH_OUTBOX_SECONDS it fails the
    check. Mails waiting for a retry, sent or failed ones do not count."""
    get = health(CASCADE_SCHEDULER="prefect", CASCADE_HEALTH_OUTBOX_SECONDS="600")
    code, body = get()
    assert code == 200 and body["outbox"] == {"due": 0, "oldest_pending_seconds": None,
                                              "limit_seconds": 600, "status": "ok"}
    clock.advance(hours=1)
    queue_mail(get.app, "old-sent", due=START, status="sent")
    queue_mail(get.app, "old-failed", due=START, status="failed")
    queue_mail(get.app, "retry-later", due=clock() + dt.timedelta(hours=6))
    queue_mail(get.app, "due", due=clock() - dt.timedelta(minutes=9))
    queue_mail(get.app, "due-later", due=clock() - dt.timedelta(minutes=1))
    code, body = get()
    assert code == 200
    assert body["outbox"] == {"due": 2, "oldest_pending_seconds": 540, "limit_seconds": 600,
                              "status": "ok"}
    clock.advance(seconds=61)
    code, body = get()
    assert code == 503 and body["status"] == "error" and body["stale"] == ["outbox"]
    assert body["outbox"]["oldest_pending_seconds"] == 601
    assert body["outbox"]["status"] == "stale"
    with unit_of_work(get.app.engine) as session:  # the dispatcher sends them
        session.connection().execute(sa.update(table_of(Outbox)).values(status="sent"))
    assert get()[0] == 200


def test_a_backlog_at_start_is_starting_then_stale(health, clock):
    """A serve started over mails due long ago (it was down) has its start to send them."""
    get = health(CASCADE_SCHEDULER="off")
    queue_mail(get.app, "from-yesterday", due=START - dt.timedelta(days=1))
    code, body = get()
    assert code == 200 and body["outbox"]["status"] == "starting"
    assert body["scheduler"] == {"mode": "off", "status": "not checked"}
    clock.advance(seconds=150)
    code, body = get()
    assert code == 503 and body["stale"] == ["outbox"]


def test_the_outbox_limit_must_be_a_positive_number(make_app):
    """CASCADE_HEALTH_OUTBOX_SECONDS=0 or text: a Vietnamese message naming the variable."""
    from config.settings import SettingsError

    for raw, message in (("0", "cần một số nguyên dương"), ("mười", "cần một số nguyên")):
        with pytest.raises(SettingsError, match="CASCADE_HEALTH_OUTBOX_SECONDS") as caught:
            make_app(CASCADE_HEALTH_OUTBOX_SECONDS=raw)
        assert message in str(caught.value)
