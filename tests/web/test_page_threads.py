"""Console pages run at most PAGE_THREADS at a time in a web process, so the mail links'
clicks served beside them are not slowed by a crowd of page renders (benchmarks/load.py)."""

from __future__ import annotations

import threading

import anyio

from web.console.guard import PAGE_THREADS, PageThreads


def test_no_more_than_the_page_threads_render_at_once():
    running, most, lock = 0, 0, threading.Lock()
    release = threading.Event()

    def handler(ctx):
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        release.wait(timeout=5)
        with lock:
            running -= 1
        return ctx

    async def main() -> list[int]:
        pages, results = PageThreads(PAGE_THREADS), []

        async def one(i: int) -> None:
            results.append(await pages.run(handler, i))

        with anyio.fail_after(20):
            async with anyio.create_task_group() as group:
                for i in range(3 * PAGE_THREADS):
                    group.start_soon(one, i)
                while True:  # the first ones are in; the rest wait for a thread
                    await anyio.sleep(0.01)
                    with lock:
                        if running == PAGE_THREADS:
                            break
                release.set()
        return results

    results = anyio.run(main)
    assert sorted(results) == list(range(3 * PAGE_THREADS))
    assert most == PAGE_THREADS
