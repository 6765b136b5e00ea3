"""``POST /documents`` and ``/review``: extraction staged for review, and the decisions.

Review is a right of the roles that load data (``ingest``: ingesters and admins). What a
role may see of victims in a review set follows the protection levels
(:func:`casegraph.ingest.review.view_set`): an ingester gets victims' proposals under
pseudonyms and the document masked of their names; an admin sees everything. Every call is
audited like every other (:mod:`casegraph.api.audit`), with the set and the decisions'
counts added to its record.

The ``POSSIBLY_SAME_AS`` candidates are the review set ``duplicates``: accept merges a pair
(``dup:A:B``), reject keeps it from being flagged again, ``undo`` (item: a merge id)
restores a merge.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from fastapi import File, Form, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from casegraph.api.audit import annotate
from casegraph.api.deps import CallerDep, DbDep
from casegraph.api.routing import api_router
from casegraph.api.schemas.review import (
    DecisionsIn,
    DecisionsOut,
    ReviewListOut,
    ReviewSetOut,
    StagedOut,
)
from casegraph.errors import InvalidRequestError
from casegraph.extract.documents import Document, document_from_text, read_document
from casegraph.extract.linking import Linker
from casegraph.extract.pipeline import extract
from casegraph.ingest import review as rv

router = api_router("ingest", tags=["review"], errors=(404, 413, 503))
MAX_DOCUMENT = 20 * 1024 * 1024
LANGS = ("auto", "en", "ru", "kk")


def _read_upload(data: bytes, filename: str, url: str | None) -> Document:
    name = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(filename).name).strip("._")[:100] or "upload"
    with tempfile.TemporaryDirectory(prefix="casegraph-doc-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        return read_document(path, url=url)


def _stage(db: Any, document: Document, lang: str, role: str, user: str) -> dict[str, Any]:
    result = extract(document, language=lang, linker=Linker(db, role))
    staged = rv.stage(db, result, document.text, user=user)
    return {**staged, "language": result["source"]["language"], "sha256": document.sha256}


@router.post("/documents", summary="Extract a document and stage it for review",
             response_model=StagedOut)  # fmt: skip
async def post_document(
    request: Request,
    db: DbDep,
    caller: CallerDep,
    file: UploadFile | None = File(None, description="a text, HTML, PDF or DOCX file"),
    text: str | None = Form(None, description="the document as plain text"),
    lang: str = Form("auto", description="auto, en, ru or kk"),
    title: str | None = Form(None),
    url: str | None = Form(None),
) -> dict[str, Any]:
    if lang not in LANGS:
        raise InvalidRequestError(f"lang must be one of {', '.join(LANGS)}")
    if (file is None) == (text is None):
        raise InvalidRequestError("send either a file or text")
    if file is not None:
        data = await file.read(MAX_DOCUMENT + 1)
        if len(data) > MAX_DOCUMENT:
            raise InvalidRequestError("the document is larger than 20 MB")
        document = await run_in_threadpool(_read_upload, data, file.filename or "upload", url)
    else:
        assert text is not None
        if not text.strip():
            raise InvalidRequestError("the text is empty")
        document = document_from_text(text, url=url)
    if title:
        document = Document(document.text, document.sha256, title, document.media_type,
                            document.url, document.name)  # fmt: skip
    user = f"{caller.key_id} ({caller.role})"
    out = await run_in_threadpool(_stage, db, document, lang, caller.role, user)
    annotate(request.state, review_set=out["id"], items=out["items"])
    return out


@router.get("/review", summary="Review sets and duplicate candidates", response_model=ReviewListOut)
def get_review(db: DbDep, caller: CallerDep) -> dict[str, Any]:
    return {
        "sets": rv.list_sets(db, caller.role),
        "duplicates": rv.duplicates(db),
        "merges": rv.merges(db),
    }


@router.get("/review/{set_id}", summary="One review set: the document and its proposals",
            response_model=ReviewSetOut)  # fmt: skip
def get_review_set(set_id: str, db: DbDep, caller: CallerDep) -> dict[str, Any]:
    if set_id == rv.DUPLICATES:
        return {"id": rv.DUPLICATES, "items": rv.duplicates(db), "merges": rv.merges(db)}
    return rv.view_set(db, set_id, caller.role)


@router.post("/review/{set_id}/decisions", summary="Accept, reject, link or edit proposals",
             response_model=DecisionsOut)  # fmt: skip
def post_decisions(
    set_id: str, body: DecisionsIn, request: Request, db: DbDep, caller: CallerDep
) -> dict[str, Any]:
    user = f"{caller.key_id} ({caller.role})"
    annotate(request.state, review_set=set_id, decisions=len(body.decisions))
    if set_id == rv.DUPLICATES:
        report: dict[str, Any] = {"accepted": [], "rejected": [], "merged": [], "undone": []}
        for d in body.decisions:
            if d.action == "accept":
                report["merged"].append(rv.merge(db, d.item, user=user, keep=d.keep))
                report["accepted"].append(d.item)
            elif d.action == "reject":
                rv.reject_duplicate(db, d.item, user=user)
                report["rejected"].append(d.item)
            elif d.action == "undo":
                report["undone"].append(rv.undo(db, d.item, user=user))
            else:
                raise InvalidRequestError("duplicates are accepted (merged), rejected or undone")
        return report
    decisions = []
    for d in body.decisions:
        if d.action == "undo":
            raise InvalidRequestError("undo is for merges (review set 'duplicates')")
        decisions.append(rv.Decision(d.item, d.action, d.entity_id, d.kind, d.name))
    return rv.decide(db, set_id, decisions, user=user, role=caller.role)
