"""Shared graph-stamp reads: requests that want the stamp at the same moment share one read.

The answer cache serves an entry only if the stamp read *now* equals the one the entry was
kept under (:mod:`casegraph.api.answers`). Under load, many cache hits ask for the stamp at
once, and each read costs a Bolt round trip. :class:`SharedStampReads` lets a request join a
read that has not been **sent** yet: that read reaches Neo4j after the request arrived, so
what it returns is at least as new as a read of the request's own, and a write committed
before the request arrived is seen just the same. Once a read has been sent, a newcomer
starts the next one (and later newcomers join that).

The reads run in a worker thread (the driver is synchronous) under a capacity limiter of
their own (one read at a time), not the one the routes share: a hit must not wait for a
thread behind cache misses that compute neighborhoods, which under load made a hit take as
long as a miss. One instance serves one event loop (one API worker process).

>>> import asyncio
>>> from concurrent.futures import ThreadPoolExecutor
>>> calls = []
>>> def read():
...     calls.append(1)
...     return (len(calls), "t")
>>> reads = SharedStampReads(read)
>>> async def many():
...     return await asyncio.gather(*(reads.read() for _ in range(5)))
>>> # an event loop of its own, in a thread (the caller's thread may run one already)
>>> ThreadPoolExecutor(1).submit(asyncio.run, many()).result(), len(calls)
([(1, 't'), (1, 't'), (1, 't'), (1, 't'), (1, 't')], 1)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import anyio

from casegraph.graph.stamp import Stamp


@dataclass
class _Read:
    loop: asyncio.AbstractEventLoop
    sent: bool = False  # set in the worker thread just before the read goes to Neo4j
    task: asyncio.Future[Stamp] | None = field(default=None, repr=False)


class SharedStampReads:
    """Coalesces concurrent stamp reads (see the module docstring); ``read`` reads the
    stamp (blocking: it runs in a worker thread)."""

    def __init__(self, read: Callable[[], Stamp]) -> None:
        self._read = read
        self._next: _Read | None = None
        # made in the loop that uses it (anyio makes a limiter for the running loop)
        self._limiter: tuple[asyncio.AbstractEventLoop, anyio.CapacityLimiter] | None = None
        self.reads = 0  # reads sent
        self.shared = 0  # requests answered by a read another request started

    async def read(self) -> Stamp:
        """The graph stamp, from a read sent after this call began."""
        loop = asyncio.get_running_loop()
        pending = self._next
        if pending is None or pending.sent or pending.loop is not loop:
            pending = _Read(loop)
            pending.task = loop.create_task(self._run(pending))
            self._next = pending
        else:
            self.shared += 1
        assert pending.task is not None
        # one request giving up (a client gone) must not cancel the read the others wait on
        return await asyncio.shield(pending.task)

    async def _run(self, pending: _Read) -> Stamp:
        def send() -> Stamp:
            pending.sent = True  # from here on, a newcomer starts the next read
            self.reads += 1
            return self._read()

        if self._limiter is None or self._limiter[0] is not pending.loop:
            self._limiter = (pending.loop, anyio.CapacityLimiter(1))
        try:
            return await anyio.to_thread.run_sync(send, limiter=self._limiter[1])
        finally:
            if self._next is pending:
                self._next = None
