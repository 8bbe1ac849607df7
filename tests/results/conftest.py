"""A plan with targets (figures to report), launched: four provincial federations lead item 1
and report two targets; the Ban Tổ chức co-operates."""

from __future__ import annotations

import io

import pytest
from sqlmodel import select

from models.db import unit_of_work
from models.files import Upload
from models.tables import Assignment, Task
from models.template import parse_template
from services.launch import launch_cascade
from tests.conftest import VN, at

COORDINATOR = "tld_van_phong_dang_doan"
LEADS = ("ldld_ha_noi", "ldld_hai_phong", "ldld_da_nang", "ldld_hue")
LAUNCHED = at("2023-07-20 09:00")

PLAN = """\
directive:
  number: 12/KH-TLĐ
  kind: Kế hoạch
  issuer: tld_dct
  issued_on: 2023-07-10
  title: Kế hoạch phát triển đoàn viên và ký kết thỏa ước lao động tập thể năm 2023
coordinator: tld_van_phong_dang_doan
targets:
  - id: T1
    text: Kết nạp mới đoàn viên công đoàn
    unit: đoàn viên
    value: 10000
    year: 2023
    combine: sum
  - id: T2
    text: Doanh nghiệp có tổ chức công đoàn ký kết thỏa ước lao động tập thể
    unit: "%"
    value: 80
    year: 2023
    combine: share
assignments:
  - ref: "1"
    lead: [ldld_ha_noi, ldld_hai_phong, ldld_da_nang, ldld_hue]
    cooperating: [tld_ban_to_chuc]
    task: Báo cáo kết quả phát triển đoàn viên và ký kết thỏa ước lao động tập thể năm 2023.
    deadline: 2023-11-30
    targets: [T1, T2]
  - ref: "2"
    lead: [tld_ban_tuyen_giao]
    task: Tuyên truyền kết quả thực hiện Kế hoạch.
    deadline: 2023-12-15
"""


@pytest.fixture
def plan(engine, registry, calendar):
    spec = parse_template(PLAN, registry, file="12-KH-TLD.yaml")
    with unit_of_work(engine) as session:
        launch_cascade(session=session, spec=spec, template_text=PLAN, registry=registry,
                       calendar=calendar, at=LAUNCHED, coordinator=COORDINATOR,
                       launched_on=LAUNCHED.date(), tz=VN)
    return engine


def task_of(engine, body, ref="1"):
    with unit_of_work(engine, write=False) as session:
        return session.exec(select(Task.id).join(Assignment, Assignment.id == Task.assignment_id)
                            .where(Assignment.ref == ref, Task.body_id == body)).one()


def upload(name: str, data: bytes) -> Upload:
    return Upload(name, io.BytesIO(data), len(data))


def mailed(app):
    """Dispatch the outbox with `app` (its recording mailer, contacts, clock); the new mails."""
    from services.dispatch import dispatch_outbox
    from services.registry import sync_contacts

    with unit_of_work(app.engine) as session:
        sync_contacts(session=session, contacts=app.contacts)
    before = len(app.mailer.sent)
    dispatch_outbox(engine=app.engine, mailer=app.mailer, renderer=app.renderer, signer=app.signer,
                    settings=app.settings, clock=app.clock)
    return app.mailer.sent[before:]


def text_of(message) -> str:
    return message.get_body(("plain",)).get_content()


def links_of(message) -> dict[str, str]:
    """{button label: url} of a mail's text part."""
    import re

    return dict(re.findall(r"^  - ([^:\n]+): (\S+/l/\S+)$", text_of(message), flags=re.M))
