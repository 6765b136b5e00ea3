"""A workspace as a printable HTML report (``GET /workspaces/{id}/report``): the entities
and facts it shows, the sources of each, and the notes on them.

It renders what it is given: the caller's disclosure has been applied to the data before
(protected people pseudonymous for roles that may not see them). Every value is escaped;
the page has no script, and its style sheet is the explorer's ``/web/report.css`` (print
CSS included), so the browser's "Print to PDF" gives the report as a document.

>>> html = to_report_html({"id": "ws-1", "name": "A <b>", "owner": "k", "created": "c",
...     "updated": "u", "view": {}}, {"nodes": [], "edges": []}, [], [])
>>> "A &lt;b&gt;" in html and "<script" not in html
True
"""

from __future__ import annotations

from html import escape
from typing import Any

__all__ = ["STYLESHEET", "to_report_html"]

STYLESHEET = "/web/report.css"
#: Relationship properties shown beside a fact (the rest is in the explorer).
FACT_PROPS = ("date", "start_date", "end_date", "amount", "currency", "role", "notes")


def _e(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return escape(", ".join(str(v) for v in value))
    return escape(str(value))


def _source_refs(ids: list[Any], numbers: dict[str, int]) -> str:
    if not ids:
        return '<span class="none">no source</span>'
    refs = []
    for sid in ids:
        n = numbers.get(str(sid))
        label = f"[{n}]" if n else _e(sid)
        refs.append(f'<a href="#src-{escape(str(sid), quote=True)}">{label}</a>')
    return " ".join(refs)


def _props(props: dict[str, Any]) -> str:
    shown = [(k, props[k]) for k in FACT_PROPS if props.get(k) not in (None, "")]
    return "; ".join(f"{escape(k)}: {_e(v)}" for k, v in shown) or "—"


def to_report_html(
    workspace: dict[str, Any],
    graph: dict[str, Any],
    sources: list[dict[str, Any]],
    notes: list[dict[str, Any]],
    *,
    stylesheet: str = STYLESHEET,
) -> str:
    """The report page of ``workspace`` (its ``graph``: nodes and edges as the API shows
    them; ``sources``: the documents they cite; ``notes``: on the workspace and on what it
    shows). ``stylesheet``: the URL of its style sheet (absolute when the page is opened
    from a ``blob:`` URL, as the explorer does)."""
    nodes = list(graph.get("nodes") or [])
    edges = list(graph.get("edges") or [])
    names = {str(n.get("id")): n.get("name") or n.get("id") for n in nodes}
    numbers = {str(s["id"]): i for i, s in enumerate(sources, 1)}
    view = workspace.get("view") or {}
    period = view.get("period") or {}
    filters = view.get("filters") or {}

    out: list[str] = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{_e(workspace.get('name'))} — casegraph workspace report</title>",
        f'<link rel="stylesheet" href="{escape(stylesheet, quote=True)}">',
        "</head><body>",
        '<header class="report-head">',
        f"<h1>{_e(workspace.get('name'))}</h1>",
        '<dl class="meta">',
        f"<dt>Workspace</dt><dd><code>{_e(workspace.get('id'))}</code></dd>",
        f"<dt>Owner</dt><dd>{_e(workspace.get('owner_name') or workspace.get('owner'))}</dd>",
        f"<dt>Created</dt><dd>{_e(workspace.get('created'))}</dd>",
        f"<dt>Saved</dt><dd>{_e(workspace.get('updated'))}</dd>",
        "<dt>Period</dt><dd>"
        + (f"{_e(period.get('from'))} – {_e(period.get('to'))}" if period else "all dates")
        + "</dd>",
        "<dt>Filters</dt><dd>"
        + (", ".join(f"{escape(str(k))}: {_e(v)}" for k, v in sorted(filters.items())) or "none")
        + "</dd>",
        f"<dt>Shown</dt><dd>{len(nodes)} entities, {len(edges)} facts, {len(sources)} sources</dd>",
        "</dl>",
        '<p class="hint">Protected people appear as the reader\'s role may see them. '
        "Print this page (Print to PDF) to keep it as a document.</p>",
        "</header>",
        '<section id="entities"><h2>Entities</h2>',
        "<table><thead><tr><th>Name</th><th>Kind</th><th>Id</th><th>Sources</th></tr></thead>",
        "<tbody>",
    ]
    for n in sorted(nodes, key=lambda n: (str(n.get("label")), str(n.get("name")))):
        pseudo = ' class="pseudonym"' if n.get("redacted") else ""
        out.append(
            f"<tr{pseudo}><td>{_e(n.get('name'))}</td><td>{_e(n.get('label'))}</td>"
            f"<td><code>{_e(n.get('id'))}</code></td>"
            f"<td>{_source_refs(list(n.get('sources') or []), numbers)}</td></tr>"
        )
    out += [
        "</tbody></table></section>",
        '<section id="facts"><h2>Facts</h2>',
        "<table><thead><tr><th>From</th><th>Relationship</th><th>To</th><th>Details</th>"
        "<th>Sources</th></tr></thead><tbody>",
    ]
    for e in edges:
        out.append(
            f"<tr><td>{_e(names.get(str(e.get('from')), e.get('from')))}</td>"
            f"<td>{_e(e.get('type'))}</td>"
            f"<td>{_e(names.get(str(e.get('to')), e.get('to')))}</td>"
            f"<td>{_props(dict(e.get('properties') or {}))}</td>"
            f"<td>{_source_refs(list(e.get('sources') or []), numbers)}</td></tr>"
        )
    out += ["</tbody></table></section>", '<section id="sources"><h2>Sources</h2><ol>']
    for s in sources:
        sid = escape(str(s["id"]), quote=True)
        url = s.get("url")
        link = (
            f' — <a href="{escape(str(url), quote=True)}">{_e(url)}</a>'
            if isinstance(url, str) and url.startswith(("http://", "https://"))
            else ""
        )
        published = f" ({_e(s.get('published'))})" if s.get("published") else ""
        out.append(
            f'<li id="src-{sid}"><strong>{_e(s.get("title"))}</strong>{published}{link} '
            f"<code>{_e(s['id'])}</code></li>"
        )
    out.append("</ol></section>")
    out += ['<section id="notes"><h2>Notes</h2>']
    if notes:
        out.append("<ul>")
        for note in notes:
            out.append(
                f'<li><span class="note-meta">{_e(note.get("author_name") or note.get("author"))}'
                f", {_e(note.get('created'))}, on {_e(note.get('target_kind'))} "
                f"<code>{_e(names.get(str(note.get('target')), note.get('target')))}</code>"
                f"</span><br>{_e(note.get('text'))}</li>"
            )
        out.append("</ul>")
    else:
        out.append('<p class="none">No notes.</p>')
    out += ["</section>", "</body></html>"]
    return "\n".join(out) + "\n"
