"""Shared stamp reads (casegraph.api.stamp_reads): a request only ever gets a stamp read
sent after it arrived, so sharing reads never hides a write from a cache hit.

The reader here is a plain function that counts its calls and can be held inside, in the
worker thread, so that the order "read sent, then a request arrives" is certain. The path
through the answer cache on the real Neo4j is in tests/test_lean_requests.py.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import pytest

from casegraph.api.stamp_reads import SharedStampReads
from casegraph.graph.stamp import Stamp

pytestmark = pytest.mark.unit

T = TypeVar("T")


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    """``scenario`` on an event loop of its own, in a thread of its own (a test session
    may already run a loop in this thread, e.g. the browser tests' Playwright)."""

    async def main() -> T:
        return await scenario()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, main()).result(timeout=30)


class Reader:
    """Returns (number of this read, "t"); each read waits for ``gate`` once ``hold``."""

    def __init__(self) -> None:
        self.calls = 0
        self.hold = False
        self.inside = threading.Event()
        self.gate = threading.Event()
        self.fail: Exception | None = None

    def __call__(self) -> Stamp:
        self.calls += 1
        n = self.calls
        if self.hold:
            self.inside.set()
            self.gate.wait(10)
        if self.fail is not None:
            raise self.fail
        return (n, "t")


async def wait_inside(reader: Reader) -> None:
    while not reader.inside.is_set():
        await asyncio.sleep(0.001)


def test_a_request_arriving_after_the_read_was_sent_gets_a_read_of_its_own() -> None:
    reader = Reader()
    reads = SharedStampReads(reader)

    async def scenario() -> tuple[Stamp, Stamp, Stamp]:
        reader.hold = True
        first = asyncio.ensure_future(reads.read())
        await wait_inside(reader)  # the first read is at Neo4j now
        later = asyncio.ensure_future(reads.read())  # arrives after it was sent
        also_later = asyncio.ensure_future(reads.read())  # arrives with `later`
        reader.hold = False
        reader.gate.set()
        return await first, await later, await also_later

    first, later, also_later = run(scenario)
    assert first == (1, "t")
    # the two requests that came after the first read went out share the second one
    assert later == also_later == (2, "t")
    assert reader.calls == 2 and reads.reads == 2 and reads.shared == 1


def test_an_error_reaches_every_request_that_shared_the_read_and_the_next_read_is_new() -> None:
    reader = Reader()
    reader.fail = RuntimeError("Neo4j is down")
    reads = SharedStampReads(reader)

    async def together() -> list[Stamp | BaseException]:
        return await asyncio.gather(*(reads.read() for _ in range(3)), return_exceptions=True)

    got = run(together)
    assert all(isinstance(g, RuntimeError) for g in got) and reader.calls == 1
    reader.fail = None
    assert run(reads.read) == (2, "t")


def test_a_request_that_gives_up_does_not_cancel_the_read_others_wait_for() -> None:
    reader = Reader()
    reads = SharedStampReads(reader)

    async def scenario() -> Stamp:
        reader.hold = True
        gone = asyncio.ensure_future(reads.read())
        staying = asyncio.ensure_future(reads.read())  # joins: nothing was sent yet
        await wait_inside(reader)
        gone.cancel()  # the client of the first request went away
        reader.gate.set()
        return await staying

    assert run(scenario) == (1, "t")
    assert reader.calls == 1 and reads.shared == 1


def test_a_stamp_read_does_not_wait_for_the_threads_of_the_routes() -> None:
    """Every thread the routes may use is busy (a slow cache miss in each): a hit's stamp
    read still goes at once, on a thread of its own."""
    reads = SharedStampReads(Reader())
    release = threading.Event()

    async def scenario() -> Stamp:
        from anyio import to_thread

        to_thread.current_default_thread_limiter().total_tokens = 2
        busy = [asyncio.ensure_future(to_thread.run_sync(release.wait, 10)) for _ in range(2)]
        await asyncio.sleep(0.05)  # both hold their tokens now
        try:
            return await asyncio.wait_for(reads.read(), timeout=5)
        finally:
            release.set()
            await asyncio.gather(*busy)

    assert run(scenario) == (1, "t")
