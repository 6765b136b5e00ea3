"""Per-client token buckets for the audit records of anonymous requests.

Each client address may have ``burst`` records written at once and ``rate`` more per
second after that. Requests past that are *counted*, not written: once per ``interval``
seconds, each client with suppressed requests gets one summary record
(``{"event": "anonymous-requests-suppressed", "client", "suppressed", "since", "until"}``).
At most ``max_clients`` buckets are kept; past that, the new clients share one bucket
(``client: "*"``), so a flood from many addresses cannot grow memory without bound.

Examples
--------
>>> clock = [0.0]
>>> limiter = AnonymousLimiter(rate=1.0, burst=2, interval=60.0, clock=lambda: clock[0])
>>> [limiter.allow("1.2.3.4") for _ in range(4)]
[True, True, False, False]
>>> clock[0] = 61.0
>>> [s["suppressed"] for s in limiter.due_summaries()]
[2]
>>> limiter.allow("1.2.3.4")
True
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

OVERFLOW_CLIENT = "*"
SUMMARY_EVENT = "anonymous-requests-suppressed"


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat(timespec="milliseconds")


@dataclass
class _Bucket:
    tokens: float
    updated: float
    suppressed: int = 0
    suppressed_since: float = 0.0  # wall-clock time of the first suppressed request
    window_start: float = field(default=0.0)


class AnonymousLimiter:
    """Token buckets keyed by client address (see the module docstring)."""

    def __init__(
        self,
        *,
        rate: float,
        burst: int,
        interval: float = 60.0,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.rate = max(rate, 0.0)
        self.burst = max(burst, 1)
        self.interval = interval
        self.max_clients = max_clients
        self._clock = clock
        self._wall = wall_clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, client: str | None) -> bool:
        """Whether this request's record may be written; if not, it is counted."""
        key = client or "unknown"
        now = self._clock()
        with self._lock:
            bucket = self._bucket(key, now)
            bucket.tokens = min(self.burst, bucket.tokens + (now - bucket.updated) * self.rate)
            bucket.updated = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return True
            if bucket.suppressed == 0:
                bucket.suppressed_since = self._wall()
                bucket.window_start = now
            bucket.suppressed += 1
            return False

    def _bucket(self, key: str, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None:
            if len(self._buckets) >= self.max_clients:
                self._evict_idle(now)
            if len(self._buckets) >= self.max_clients:
                key = OVERFLOW_CLIENT
                bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(tokens=float(self.burst), updated=now)
        return bucket

    def _evict_idle(self, now: float) -> None:
        """Forget full buckets with nothing pending (they hold no state worth keeping)."""
        for key in [
            k
            for k, b in self._buckets.items()
            if b.suppressed == 0 and b.tokens + (now - b.updated) * self.rate >= self.burst
        ]:
            del self._buckets[key]

    def due_summaries(self, *, flush: bool = False) -> list[dict[str, Any]]:
        """Summary records for clients whose interval has passed (every one with
        ``flush``); their counters restart."""
        now = self._clock()
        out: list[dict[str, Any]] = []
        with self._lock:
            for key, bucket in self._buckets.items():
                if bucket.suppressed and (flush or now - bucket.window_start >= self.interval):
                    out.append(
                        {
                            "event": SUMMARY_EVENT,
                            "client": key,
                            "suppressed": bucket.suppressed,
                            "since": _iso(bucket.suppressed_since),
                            "until": _iso(self._wall()),
                        }
                    )
                    bucket.suppressed = 0
        return out
