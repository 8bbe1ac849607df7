"""Fifty simultaneous POSTs of one link against a real uvicorn: one transition, no 500."""

from __future__ import annotations

import threading
from collections import Counter

import httpx

from tests.web.conftest import issue, link_events, snapshot, task_id

CLIENTS = 50


def post_together(url: str, clients: int) -> list[httpx.Response]:
    """`clients` threads, each with its own connection, released at once by a barrier."""
    barrier = threading.Barrier(clients)
    responses: list[httpx.Response | BaseException] = [None] * clients  # type: ignore[list-item]

    def one(i: int) -> None:
        with httpx.Client(timeout=60) as http:
            http.get(url.rsplit("/l/", 1)[0] + "/healthz")  # open the connection first
            barrier.wait(timeout=60)
            try:
                responses[i] = http.post(url, data={"note": f"client {i}"})
            except BaseException as exc:  # reported below, never swallowed
                responses[i] = exc

    threads = [threading.Thread(target=one, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    errors = [r for r in responses if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    return responses  # type: ignore[return-value]


def test_fifty_simultaneous_posts_make_one_transition(launched, server):
    """Of 50 simultaneous POSTs of one token: one 200, 49 'already done' 410 pages, one audit event."""
    tid = task_id(launched, "III.1", "tld_bch")
    token = issue(launched, tid, "acknowledge")
    responses = post_together(f"{server}/l/{token}", CLIENTS)
    codes = Counter(r.status_code for r in responses)
    assert codes == {200: 1, 410: CLIENTS - 1}, codes
    for response in responses:
        if response.status_code == 410:
            assert "đã được dùng" in response.text and "Việc này đã được thực hiện" in response.text
    status, version, *_, used = snapshot(launched, tid, token)
    assert (status, version) == ("acknowledged", 2) and used is not None
    [event] = link_events(launched, tid)
    winner = next(r for r in responses if r.status_code == 200)
    assert event.note in winner.text
