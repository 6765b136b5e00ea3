"""Measures computed in the background, with their progress.

On a big graph a measure not yet computed takes seconds (the projection, then the
measure). The API does not hold the request open for that: it starts a :class:`Job` in a
thread and answers 202 with the job's progress; the job fills the analytics cache, and the
same request, asked again, is answered from it (200).

Code that runs inside a job reports how far it got with :func:`report` (a fraction from 0
to 1); outside a job, :func:`report` does nothing.

>>> jobs = Jobs()
>>> job = jobs.submit(("pagerank",), lambda: report(0.5))
>>> job.wait(5)
True
>>> job.progress, job.error
(1.0, None)
>>> jobs.submit(("pagerank",), lambda: None) is job  # finished, not yet collected
True
>>> jobs.collect(job); jobs.get(("pagerank",)) is None
True
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

_current: ContextVar[Job | None] = ContextVar("casegraph_analytics_job", default=None)
_ids = itertools.count(1)


@dataclass
class Job:
    """One background computation: its id, progress (0..1), and error once done."""

    key: Hashable
    id: str = field(default_factory=lambda: f"job-{next(_ids)}")
    progress: float = 0.0
    started: float = field(default_factory=time.monotonic)
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)

    def wait(self, timeout: float | None = None) -> bool:
        return self.done.wait(timeout)

    def status(self) -> dict[str, Any]:
        """What a 202 answer says about the job."""
        return {
            "status": "done" if self.done.is_set() else "running",
            "job": self.id,
            "progress": round(self.progress, 3),
            "elapsed": round(time.monotonic() - self.started, 3),
        }


def report(fraction: float) -> None:
    """Tell the job this code runs in (if any) that it is ``fraction`` done."""
    job = _current.get()
    if job is not None:
        job.progress = max(job.progress, min(max(fraction, 0.0), 1.0))


class Jobs:
    """The jobs of one process, by key; at most one per key at a time."""

    def __init__(self) -> None:
        self._jobs: dict[Hashable, Job] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Job | None:
        with self._lock:
            return self._jobs.get(key)

    def submit(self, key: Hashable, work: Callable[[], object]) -> Job:
        """The job of ``key``: the one running or finished and not yet collected, or a new
        one that runs ``work`` in a daemon thread."""
        with self._lock:
            job = self._jobs.get(key)
            if job is not None:
                return job
            job = self._jobs[key] = Job(key)

        def run() -> None:
            _current.set(job)
            try:
                work()
            except BaseException as exc:  # handed to the request that collects the job
                job.error = exc
            finally:
                job.progress = 1.0
                job.done.set()

        threading.Thread(target=run, name=job.id, daemon=True).start()
        return job

    def collect(self, job: Job) -> None:
        """Forget a finished job (its result is in the cache, its error re-raised)."""
        with self._lock:
            if self._jobs.get(job.key) is job:
                del self._jobs[job.key]

    def __len__(self) -> int:
        return len(self._jobs)


__all__ = ["Job", "Jobs", "report"]
