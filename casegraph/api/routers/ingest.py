"""``POST /ingest``: upload a file (or the CSV files of one dataset) and load it.

The same code path as ``casegraph ingest``: the upload is saved to a temporary folder, then
:func:`casegraph.ingest.pipeline.ingest_file` validates it whole and loads it. A bad file is
refused with 422 and every error in ``error.details`` (``[{line, field, reason}]``);
nothing is written. A JSON or JSON Lines upload with a line nested deeper than
``settings.max_json_depth`` is refused the same way before it is read. The run is recorded
with the caller's key id and role as its user, and the audit record carries each uploaded
file's name, size and sha256.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from fastapi import File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from casegraph.api.audit import annotate
from casegraph.api.deps import CallerDep, DbDep, LibraryDep, SettingsDep
from casegraph.api.jsondepth import depth_error, first_too_deep_line
from casegraph.api.routing import api_router
from casegraph.api.schemas.ingest import IngestOut
from casegraph.errors import InvalidRequestError
from casegraph.ingest.dedupe import flag_duplicates
from casegraph.ingest.detect import FORMATS, csv_options
from casegraph.ingest.pipeline import ingest_file
from casegraph.queries.watches import run_watches

router = api_router("ingest", tags=["ingest"], errors=(408, 413, 422, 503))

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")
CHUNK = 1 << 20


def _safe_name(name: str | None, index: int) -> str:
    base = _SAFE_NAME.sub("_", Path(name or "").name).strip("._") or f"upload-{index}"
    return base[:100]


async def _save(upload: UploadFile, target: Path) -> dict[str, Any]:
    """Write ``upload`` to ``target``; its name as sent, size and sha256 (for the audit)."""
    digest = hashlib.sha256()
    size = 0
    with target.open("wb") as out:
        while chunk := await upload.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            out.write(chunk)
    return {
        "name": (upload.filename or "")[:300],
        "bytes": size,
        "sha256": digest.hexdigest(),
    }


def _refuse_deep_json(tmp: Path, names: list[str], limit: int) -> None:
    """Raise a 422 naming the file and line if an uploaded JSON file nests past ``limit``."""
    for name in names:
        line = first_too_deep_line(tmp / name, limit)
        if line is not None:
            message, details = depth_error(limit, where=name, line=line)
            raise InvalidRequestError(message, details=details)


@router.post(
    "/ingest", summary="Validate an uploaded file whole, then load it", response_model=IngestOut
)
async def post_ingest(
    request: Request,
    db: DbDep,
    caller: CallerDep,
    settings: SettingsDep,
    library: LibraryDep,
    file: list[UploadFile] = File(
        ..., description="one JSON Lines file, or the CSV files of one dataset"
    ),
    format: str = Form("auto", description="casegraph, csv, ftm or auto"),
    skip_invalid: bool = Form(False, description="load the valid records, reject the others"),
    encoding: str = Form("", description="CSV: the files' encoding (default: detected)"),
    delimiter: str = Form("", description="CSV: ',' ';' or tab (default: sniffed)"),
    dedupe: bool = Form(False, description="flag possible duplicates afterwards"),
) -> dict[str, Any]:
    if format not in ("auto", *FORMATS):
        raise InvalidRequestError(
            f"format: unknown format {format!r}; known: auto, {', '.join(FORMATS)}",
            details=[{"field": "format", "reason": "unknown format"}],
        )
    tmp = Path(tempfile.mkdtemp(prefix="casegraph-upload-"))
    try:
        names: list[str] = []
        received: list[dict[str, Any]] = []
        annotate(request.state, files=received, format=format)
        for i, upload in enumerate(file):
            name = _safe_name(upload.filename, i)
            while name in names:
                name = f"{i}-{name}"
            names.append(name)
            received.append(await _save(upload, tmp / name))
        await run_in_threadpool(_refuse_deep_json, tmp, names, settings.max_json_depth)
        options = csv_options(encoding, delimiter)
        if len(names) > 1 and format not in ("auto", "csv"):
            raise InvalidRequestError("several files are read only as CSV (format csv)")
        path = tmp if len(names) > 1 else tmp / names[0]
        display = ", ".join(names)
        report = await run_in_threadpool(
            ingest_file,
            db,
            path,
            fmt=None if format == "auto" else format,
            csv_options=options,
            skip_invalid=skip_invalid,
            batch_size=settings.batch_size,
            user=f"{caller.key_id} ({caller.role})",
            display_name=display,
        )
        result = report.as_dict()
        if dedupe:
            pairs, _ = await run_in_threadpool(flag_duplicates, db)
            result["possible_duplicates"] = [p.__dict__ for p in pairs]
        runs = await run_in_threadpool(run_watches, db, library, settings, run_id=report.run_id)
        result["watches"] = [run.as_dict() for run in runs]
        return result
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
