"""A review-summary scenario on 48-KH/ĐĐTLĐ: closed on time and late, an extension granted and
one refused, overdue tasks, a child plan under LĐLĐ Hà Nội's task and a grandchild under it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from models.db import unit_of_work
from models.tables import Assignment, Task
from models.template import parse_template
from reports.summarise import summarise_directive
from services.actions import record_action
from services.launch import launch_cascade
from tests.conftest import CHILD_TEMPLATE, VN, at, launch_template

AS_OF = at("2023-12-12 10:00")  # after 30/11 (III.7 due), three working days before 15/12

CHILD = CHILD_TEMPLATE.read_text(encoding="utf-8")

GRANDCHILD = """\
directive:
  number: 15/KH-LĐLĐ
  kind: Kế hoạch
  issuer: ldld_ha_noi
  issued_on: 2023-10-02
  title: Kế hoạch sơ kết thực hiện Kế hoạch 07/KH-LĐLĐ
  implements: [07/KH-LĐLĐ]
coordinator: ldld_ha_noi
assignments:
  - ref: '1'
    lead: [ldld_ha_noi]
    task: Tổng hợp số liệu sơ kết
    deadline: 2023-12-31
"""


def task_id(engine, ref, body, *, number="48-KH/ĐĐTLĐ"):
    from models.tables import Cascade, Directive

    with unit_of_work(engine, write=False) as session:
        return session.execute(
            select(Task.id).join(Assignment, Assignment.id == Task.assignment_id)
            .join(Cascade, Cascade.id == Task.cascade_id)
            .join(Directive, Directive.id == Cascade.directive_id)
            .where(Directive.number == number, Assignment.ref == ref, Task.body_id == body,
                   Task.occurrence == 1)).scalar_one()


def act(engine, tid, action, when, *, by=None, **kw):
    with unit_of_work(engine) as session:
        record_action(session=session, tz=VN, task_id=tid, action=action, actor=by, at=at(when), **kw)


def launch_child(engine, registry, calendar, text, parent, when):
    with unit_of_work(engine) as session:
        return launch_cascade(session=session, spec=parse_template(text, registry), template_text=text,
                              registry=registry, calendar=calendar, at=at(when),
                              coordinator="tld_van_phong_dang_doan", parent_task_id=parent,
                              launched_on=at(when).date(), tz=VN)


def build_scenario(engine, registry, calendar):
    launch_template(engine, registry, calendar, when=at("2023-07-20 09:00"))
    t = lambda body: task_id(engine, "III.7", body)  # noqa: E731
    act(engine, t("ldld_hue"), "close", "2023-11-20 09:00", by="ldld_hue", note="Đã báo cáo")
    act(engine, t("ldld_hai_phong"), "close", "2023-12-04 15:00", by="ldld_hai_phong")
    act(engine, t("ldld_ca_mau"), "request-extension", "2023-11-25 08:00", by="ldld_ca_mau",
        until=dt.date(2023, 12, 20), note="Chờ số liệu quý IV")
    act(engine, t("ldld_ca_mau"), "grant-extension", "2023-11-27 08:00", note="Đồng ý")
    act(engine, t("ldld_an_giang"), "request-extension", "2023-11-26 08:00", by="ldld_an_giang",
        until=dt.date(2023, 12, 31))
    act(engine, t("ldld_an_giang"), "refuse-extension", "2023-11-28 08:00", note="Không đủ lý do")
    act(engine, t("ldld_da_nang"), "acknowledge", "2023-07-21 08:00", by="ldld_da_nang")
    act(engine, t("ldld_son_la"), "cancel", "2023-08-01 08:00", note="Sai đối tượng")
    launch_child(engine, registry, calendar, CHILD, t("ldld_ha_noi"), "2023-08-16 09:00")
    child = lambda ref: task_id(engine, ref, "ldld_ha_noi", number="07/KH-LĐLĐ")  # noqa: E731
    act(engine, child("1"), "close", "2023-09-20 09:00", by="ldld_ha_noi")
    launch_child(engine, registry, calendar, GRANDCHILD, child("2"), "2023-10-02 09:00")
    return engine


@pytest.fixture
def scenario(engine, registry, calendar):
    return build_scenario(engine, registry, calendar)


def summarise(engine, calendar, number="48-KH/ĐĐTLĐ", when=AS_OF):
    with unit_of_work(engine, write=False) as session:
        return summarise_directive(session=session, number=number, at=when, tz=VN, calendar=calendar,
                                   near_due_working_days=3)


@pytest.fixture
def summary(scenario, calendar):
    return summarise(scenario, calendar)
