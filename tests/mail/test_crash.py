"""`kill -9` of a dispatcher mid-batch, restarted at once, against a real SMTP server on
loopback: every mail arrives, none is lost, resends are at most one claim (issue 9)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select

from models.db import unit_of_work
from models.tables import Outbox
from models.template import parse_template
from services.launch import launch_cascade
from tests.conftest import TEMPLATE_48, VN, at

pytestmark = pytest.mark.slow
CASCADE = Path(sys.executable).with_name("cascade")
COPIES = 25  # 25 plans of 83 tasks: 2,075 mails
LEASE = 10  # seconds (CASCADE_OUTBOX_LEASE_SECONDS); the default is 60


def launch_copies(engine, registry, calendar) -> int:
    text = TEMPLATE_48.read_text(encoding="utf-8")
    for n in range(COPIES):
        copy = text.replace("number: 48-KH/ĐĐTLĐ", f"number: {100 + n}-KH/ĐĐTLĐ")
        with unit_of_work(engine) as session:
            launch_cascade(session=session, spec=parse_template(copy, registry), template_text=copy,
                           registry=registry, calendar=calendar, at=at("2023-07-20 09:00"),
                           coordinator="tld_van_phong_dang_doan", launched_on=at("2023-07-20 09:00").date(),
                           tz=VN, annual_days={"III.1": "12-15", "III.2": "12-15"})
    with unit_of_work(engine, write=False) as session:
        return len(session.exec(select(Outbox.id)).all())


def dispatcher(env, cwd, log: Path) -> subprocess.Popen:
    """`cascade dispatch` running continuously; what it prints goes to `log` (a pipe nobody
    reads could fill up and stall it)."""
    with log.open("a", encoding="utf-8") as out:
        return subprocess.Popen([str(CASCADE), "dispatch", "--interval", "0.2"], env=env, cwd=cwd,
                                stdout=out, stderr=subprocess.STDOUT, text=True)


def test_kill_9_mid_batch_then_restart_loses_nothing(engine, registry, calendar, database_url,
                                                     smtp_server, tmp_path):
    total = launch_copies(engine, registry, calendar)
    assert total >= 2000
    received = threading.Event()
    smtp_server.inbox.on_accept = lambda n: received.set() if n >= total // 3 else None
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CASCADE_")},
           "CASCADE_DATABASE_URL": database_url, "CASCADE_HOME": str(tmp_path),
           "CASCADE_SMTP_HOST": "127.0.0.1", "CASCADE_SMTP_PORT": str(smtp_server.port),
           "CASCADE_MAIL_FROM": "Văn phòng <giaoviec@congdoan.vn>",
           "CASCADE_OUTBOX_LEASE_SECONDS": str(LEASE), "CASCADE_SMTP_TIMEOUT_SECONDS": "2"}
    log = tmp_path / "dispatch.log"
    first = dispatcher(env, tmp_path, log)
    try:
        assert received.wait(timeout=120), log.read_text(encoding="utf-8")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    at_kill = len(smtp_server.inbox.messages)
    restarted = time.monotonic()
    second = dispatcher(env, tmp_path, log)
    try:
        deadline = restarted + 120
        while len({m["Message-ID"] for m in smtp_server.inbox.messages}) < total:
            assert time.monotonic() < deadline and second.poll() is None, log.read_text(encoding="utf-8")
            time.sleep(0.2)  # waiting on the real dispatcher process
        delivered_in = time.monotonic() - restarted
    finally:
        second.terminate()
        second.wait(timeout=30)
    ids = Counter(m["Message-ID"] for m in smtp_server.inbox.messages)
    with unit_of_work(engine, write=False) as session:
        expected = set(session.exec(select(Outbox.message_id)).all())
        statuses = set(session.exec(select(Outbox.status)).all())
    resent = sum(n - 1 for n in ids.values())
    print(f"\n{total} mails; killed after {at_kill} had arrived; all delivered {delivered_in:.1f} s "
          f"after the restart (lease {LEASE} s); {resent} resent (one claim is 50)")
    assert set(ids) == expected and statuses == {"sent"}  # none lost
    assert resent <= 50  # at most the one claim the killed dispatcher held
    assert delivered_in < 120
    for mid, n in ids.items():  # a resent copy is the same mail, links included
        if n > 1:
            copies = [m for m in smtp_server.inbox.messages if m["Message-ID"] == mid]
            bodies = {c.get_body(("plain",)).get_content() for c in copies}
            assert len(bodies) == 1
