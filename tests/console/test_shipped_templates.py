"""Every template shipped under templates/ goes through "Giao việc mới" as a coordinator would
use it: uploaded, reviewed, previewed and launched, with what only a reviewed template says
(its coordinator, its policies, the targets each item reports) kept to the launch."""

from __future__ import annotations

import re

import pytest
from sqlmodel import select

from models.db import unit_of_work
from models.tables import Assignment, Cascade, Directive, Task
from tests.conftest import ROOT
from tests.console.conftest import csrf_of

SHIPPED = sorted((ROOT / "templates").rglob("*.yaml"))

WITH_TARGETS_AND_POLICY = """\
directive:
  number: 12-KH/ĐĐTLĐ
  kind: Kế hoạch
  issuer: tld_dang_doan
  issued_on: 2023-07-20
  title: Kế hoạch phát triển đoàn viên
coordinator: tld_van_phong
policy: {reminders_before: [5, 1]}
targets:
  - id: doan_vien
    text: Phát triển đoàn viên mới
    unit: đoàn viên
    value: 1000
assignments:
  - ref: '1'
    lead: [tld_ban_to_chuc]
    task: Phát triển đoàn viên mới và báo cáo số liệu
    deadline: 2023-12-15
    targets: [doan_vien]
    policy: {reminders_before: [2]}
  - ref: '2'
    lead: [tld_ban_tuyen_giao]
    task: Tuyên truyền về phát triển đoàn viên
    deadline: 2023-12-20
"""


def _upload(client, name: str, data: bytes) -> str:
    page = client.get("/directives/new")
    answer = client.post("/directives/new", data={"csrf_token": csrf_of(page.text)},
                         files={"document": (name, data, "application/octet-stream")},
                         follow_redirects=False)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


def _launch(client, url: str) -> None:
    """Review, preview (choosing a day for the yearly items), launch."""
    review = client.get(url)
    assert review.status_code == 200
    assert 'role="alert"' not in review.text
    preview = client.get(f"{url}/preview")
    assert preview.status_code == 200
    yearly = re.findall(r'name="(day-[^"]+)"', preview.text)
    if yearly:
        chosen = client.post(f"{url}/days", data={"csrf_token": csrf_of(preview.text),
                                                  **{name: "15/12" for name in yearly}})
        assert chosen.status_code == 200
        preview = client.get(f"{url}/preview")
    assert "Sẽ tạo" in preview.text, preview.text
    done = client.post(f"{url}/launch", data={"csrf_token": csrf_of(preview.text),
                                              "confirm": "yes"}, follow_redirects=False)
    assert done.status_code == 303, done.text


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_template_is_reviewed_previewed_and_launched(web, console_app, path):
    client = web("coordinator")
    _launch(client, _upload(client, path.name, path.read_bytes()))
    expected = len(re.findall(r"^  - ref:", path.read_text(encoding="utf-8"), re.M))
    with unit_of_work(console_app.engine, write=False) as session:
        cascade = session.exec(select(Cascade)).one()
        assert len(session.exec(select(Assignment)).all()) == expected
        assert session.exec(select(Task)).first() is not None
    coordinator = re.search(r"^coordinator: (\S+)", path.read_text(encoding="utf-8"), re.M)
    if coordinator:
        assert cascade.coordinator_id == coordinator.group(1)


def test_a_template_s_coordinator_policies_and_targets_are_kept_to_the_launch(web, console_app):
    client = web("coordinator")
    _launch(client, _upload(client, "12-kh.yaml", WITH_TARGETS_AND_POLICY.encode("utf-8")))
    with unit_of_work(console_app.engine, write=False) as session:
        directive = session.exec(select(Directive)).one()
        cascade = session.exec(select(Cascade)).one()
        items = {a.ref: a for a in session.exec(select(Assignment)).all()}
    assert directive.number == "12-KH/ĐĐTLĐ"
    assert cascade.coordinator_id == "tld_van_phong"
    assert cascade.policy == {"reminders_before": [5, 1]}
    assert items["1"].policy == {"reminders_before": [2]}
    assert items["2"].policy is None
