"""The CSR projections on disk, shared by every process (API workers, the command line).

A projection is computed once per graph stamp and projection options and written as
``.npy`` files (:meth:`.csr.CSRGraph.save`) into a folder of the cache directory
(``CASEGRAPH_ANALYTICS_CACHE_DIR``)::

    <cache dir>/<database>/<stamp>-<options>/ids.npy indptr.npy indices.npy [weights.npy]
                                            pagerank.npy degree.npy   (scores, once computed)

``<database>``, ``<stamp>`` and ``<options>`` are short hashes of the Bolt URI and database
name, the graph stamp (version and time of the last write) and
:meth:`ProjectionOptions.cache_key`. Every process maps the files read-only
(``np.load(mmap_mode="r")``), so the pages are in memory once, however many workers use them.

* Atomic: a folder is written under a temporary name and renamed into place; a reader sees
  a whole projection or none. Score files are written beside it and renamed too.
* Once: the process that builds a projection holds an exclusive ``flock`` on
  ``<stamp>-<options>.lock``; another process that needs it waits for the lock, then maps
  what the first wrote.
* Cleaned: after a build, the folders (and locks) of older stamps of the same database
  are removed; a process that still maps their files keeps reading them (Unix unlinks a
  mapped file only when it is unmapped). Temporary folders older than an hour (of a
  process that died while writing) go too.

The files hold entity ids and numbers, no names: the same as the API's in-memory cache
holds, less.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from casegraph.graph.analytics.csr import CSRGraph
from casegraph.graph.analytics.projection import ProjectionOptions
from casegraph.graph.db import GraphDB

DEFAULT_DIR = Path(".casegraph/analytics")
TMP_PREFIX = ".tmp-"
STALE_TMP_SECONDS = 3600.0


def _hash(value: object) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def cache_dir() -> Path:
    """``CASEGRAPH_ANALYTICS_CACHE_DIR`` (read each time, like the backend choice), or
    ``.casegraph/analytics``."""
    return Path(os.environ.get("CASEGRAPH_ANALYTICS_CACHE_DIR") or DEFAULT_DIR)


class ProjectionStore:
    """CSR projections under ``root`` (see the module docstring)."""

    def __init__(self, root: Path | None = None) -> None:
        self._root = root

    @property
    def root(self) -> Path:
        return self._root if self._root is not None else cache_dir()

    def folder(self, db: GraphDB, stamp: tuple[int, str], opts: ProjectionOptions) -> Path:
        return (
            self.root / _hash((db.uri, db.database)) / f"{_hash(stamp)}-{_hash(opts.cache_key())}"
        )

    def load(self, folder: Path) -> CSRGraph | None:
        return CSRGraph.load(folder) if folder.is_dir() else None

    def get_or_build(
        self,
        db: GraphDB,
        stamp: tuple[int, str],
        opts: ProjectionOptions,
        build: Callable[[], CSRGraph],
        unchanged: Callable[[], bool] = lambda: True,
    ) -> CSRGraph:
        """The projection of ``opts`` at ``stamp``: mapped from disk if some process wrote
        it, else built (by ``build``) and written, once across processes. The build reads
        in several transactions: if ``unchanged()`` says the graph changed meanwhile, what
        was built is returned but not written (it may mix two states)."""
        folder = self.folder(db, stamp, opts)
        found = self.load(folder)
        if found is not None:
            return found
        folder.parent.mkdir(parents=True, exist_ok=True)
        with _locked(folder.with_suffix(".lock")):
            found = self.load(folder)  # built by another process while this one waited
            if found is not None:
                return found
            graph = build()
            if not unchanged():
                return graph
            tmp = Path(tempfile.mkdtemp(prefix=TMP_PREFIX, dir=folder.parent))
            try:
                graph.save(tmp)
                os.rename(tmp, folder)
            except BaseException:
                shutil.rmtree(tmp, ignore_errors=True)
                raise
        self.clean(folder)
        loaded = self.load(folder)
        assert loaded is not None
        return loaded

    def scores(self, folder: Path, measure: str) -> np.ndarray | None:
        """A measure's scores saved beside the projection, mapped; ``None`` if not yet."""
        path = folder / f"{measure}.npy"
        return np.load(path, mmap_mode="r", allow_pickle=False) if path.exists() else None

    def save_scores(self, folder: Path, measure: str, values: np.ndarray) -> None:
        if not folder.is_dir():  # cleaned meanwhile: a newer stamp exists
            return
        fd, name = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=".npy", dir=folder)
        with os.fdopen(fd, "wb") as f:
            np.save(f, values, allow_pickle=False)
        os.replace(name, folder / f"{measure}.npy")

    def clean(self, keep: Path) -> list[Path]:
        """Remove the folders and locks of other stamps of ``keep``'s database, and stale
        temporary folders. Returns what was removed."""
        stamp = keep.name.split("-")[0]
        removed = []
        now = time.time()
        for path in keep.parent.iterdir():
            if path.name.startswith(TMP_PREFIX):
                try:
                    stale = now - path.stat().st_mtime > STALE_TMP_SECONDS
                except FileNotFoundError:
                    continue
                if not stale:
                    continue
            elif path.name.startswith(stamp + "-"):
                continue
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            else:
                path.unlink(missing_ok=True)
            removed.append(path)
        return removed


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


__all__ = ["ProjectionStore", "cache_dir"]
