"""Where an ingest run comes from: the user at the command line and the file's SHA-256 (the
run itself is stored by :mod:`casegraph.graph.runs`)."""

from __future__ import annotations

import getpass
import hashlib
from pathlib import Path


def os_user() -> str:
    """The operating-system user running the command line."""
    try:
        return getpass.getuser()
    except Exception:  # no user name in this environment
        return "unknown"


def sha256_of(path: Path) -> str:
    """SHA-256 of a file, or of a folder's files in name order (name and bytes of each)."""
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for f in files:
        if path.is_dir():
            digest.update(f.name.encode() + b"\0")
        with f.open("rb") as fh:
            while chunk := fh.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()
