"""Follow-up fixtures: 45-KH/ĐĐTLĐ launched on 1/6/2023 with contacts, settings, a recording
mailer drained at a given moment, and sweeps/digests run in their own units of work."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.contacts import load_contacts
from models.db import unit_of_work
from models.policy import load_policy
from models.tables import Assignment, Task
from notifications.mailer import RecordingMailer
from services.digest import queue_digests
from services.registry import sync_contacts
from services.sweep import sweep
from tests.conftest import ROOT, TEMPLATE_45, VN, at, launch_template
from tests.mail.conftest import Clock, dispatch, make_settings

POLICY = load_policy(ROOT / "config" / "escalation.yaml")
LAUNCHED_AT = at("2023-06-01 09:00")


@pytest.fixture
def settings(tmp_path, database_url):
    return make_settings(tmp_path, database_url)


@pytest.fixture
def launched45(engine, registry, calendar, settings):
    """45-KH/ĐĐTLĐ launched 1/6/2023 (III.1 due 15/12 yearly, III.7 due 30/11 yearly), every
    body with an example.org address, the assignment mails already sent."""
    contacts = load_contacts(settings.contacts_path, ROOT / "config" / "contacts.example.yaml", registry)
    with unit_of_work(engine) as session:
        sync_contacts(session=session, contacts=contacts)
    result = launch_template(engine, registry, calendar, TEMPLATE_45, when=LAUNCHED_AT,
                             annual_days={"III.1": "12-15"})
    assert result.tasks == 83
    drain(engine, settings, LAUNCHED_AT)
    return engine


def drain(engine, settings, when):
    """Send everything due at `when` through a RecordingMailer; the messages sent."""
    mailer = RecordingMailer()
    dispatch(engine=engine, mailer=mailer, settings=settings, clock=Clock(when))
    return mailer.sent


def run_sweep(engine, calendar, when, *, policy=POLICY, dry_run=False):
    with unit_of_work(engine) as session:
        return sweep(session=session, at=when, tz=VN, calendar=calendar, policy=policy,
                     dry_run=dry_run)


def run_digest(engine, calendar, when, *, to=None, **kw):
    with unit_of_work(engine) as session:
        return queue_digests(session=session, at=when, tz=VN, calendar=calendar,
                             near_due_working_days=3, policy=POLICY, to=to, **kw)


def task_id(engine, ref, body, occurrence=1):
    with unit_of_work(engine, write=False) as session:
        return session.execute(select(Task.id).join(Assignment, Assignment.id == Task.assignment_id)
                               .where(Assignment.ref == ref, Task.body_id == body,
                                      Task.occurrence == occurrence)).scalar_one()
