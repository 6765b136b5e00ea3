"""Documents as text: plain text, HTML, PDF and DOCX read into one :class:`Document`.

The text is what every character span refers to, so it is built once here and never
changed afterwards. Plain text is decoded as UTF-8 (with or without a byte-order mark), else
by ``charset-normalizer``; HTML keeps its main text (``trafilatura``), PDF its pages'
text (``pypdf``), DOCX its paragraphs (``python-docx``).

>>> doc = document_from_text("Duman Taev leads the department.", name="note.txt")
>>> doc.title, doc.sha256[:12], doc.media_type
('Duman Taev leads the department.', '2d3cc205ea73', 'text/plain')
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from casegraph.errors import InvalidRequestError

#: File suffixes and the reader each gets.
MEDIA_TYPES = {
    ".txt": "text/plain",
    ".text": "text/plain",
    ".md": "text/plain",
    ".html": "text/html",
    ".htm": "text/html",
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass(frozen=True)
class Document:
    """A document's text and what is known of it: the sha256 of its bytes, a title (the
    HTML title, PDF/DOCX metadata title, else the first line), the URL when known."""

    text: str
    sha256: str
    title: str
    media_type: str
    url: str | None = None
    name: str | None = None


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()[:200]
    return ""


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
        if best is None:
            raise InvalidRequestError("the file is not text in any encoding found") from None
        return str(best)


def document_from_text(text: str, *, name: str | None = None, url: str | None = None) -> Document:
    """A plain-text :class:`Document` (its sha256 is that of the UTF-8 bytes)."""
    return Document(
        text=text,
        sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        title=_first_line(text),
        media_type="text/plain",
        url=url,
        name=name,
    )


def _sniff(path: Path, data: bytes) -> str:
    media = MEDIA_TYPES.get(path.suffix.lower())
    if media:
        return media
    head = data[:512].lstrip().lower()
    if data.startswith(b"%PDF"):
        return MEDIA_TYPES[".pdf"]
    if data.startswith(b"PK\x03\x04") and b"word/" in data[:4096]:
        return MEDIA_TYPES[".docx"]
    if head.startswith((b"<!doctype html", b"<html")):
        return "text/html"
    return "text/plain"


def _html(data: bytes) -> tuple[str, str | None, str | None]:
    import trafilatura

    html = _decode(data)
    text = trafilatura.extract(html, include_comments=False, include_tables=True) or ""
    meta = trafilatura.extract_metadata(html)
    title = getattr(meta, "title", None) if meta else None
    url = getattr(meta, "url", None) if meta else None
    return text, title, url


def _pdf(data: bytes) -> tuple[str, str | None]:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    pages = [(page.extract_text() or "").strip() for page in reader.pages]
    title = reader.metadata.title if reader.metadata else None
    return "\n\n".join(p for p in pages if p), title


def _docx(data: bytes) -> tuple[str, str | None]:
    import docx

    d = docx.Document(io.BytesIO(data))
    text = "\n".join(p.text for p in d.paragraphs)
    return text, d.core_properties.title or None


def read_document(path: Path, *, url: str | None = None) -> Document:
    """Read ``path`` (text, HTML, PDF or DOCX, told by suffix, else by its first bytes)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InvalidRequestError(f"cannot read {path}: {exc.strerror}") from exc
    media = _sniff(path, data)
    title: str | None = None
    try:
        if media == "text/html":
            text, title, found_url = _html(data)
            url = url or found_url
        elif media == MEDIA_TYPES[".pdf"]:
            text, title = _pdf(data)
        elif media == MEDIA_TYPES[".docx"]:
            text, title = _docx(data)
        else:
            text = _decode(data)
    except InvalidRequestError:
        raise
    except Exception as exc:  # a broken file of a known format: one clear error
        raise InvalidRequestError(f"cannot read {path.name} as {media}: {exc}") from exc
    return Document(
        text=text,
        sha256=hashlib.sha256(data).hexdigest(),
        title=(title or _first_line(text)).strip(),
        media_type=media,
        url=url,
        name=path.name,
    )
