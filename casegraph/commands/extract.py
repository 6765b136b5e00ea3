"""``casegraph extract FILE...``: proposals (entities, links to the graph, relationships).

Nothing is written to the graph: the answer is for review. Linking runs with the command
line's role (``CLI_ROLE``, the one :func:`~casegraph.commands.common.disclose` uses), so it
sees what every other command shows.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import Any

import typer
from rich.table import Table

from casegraph.commands.common import CLI_ROLE, console, handle_errors, open_db, out, print_json
from casegraph.errors import DatabaseUnavailableError, InvalidRequestError
from casegraph.extract.documents import read_document
from casegraph.extract.linking import Linker
from casegraph.extract.pipeline import extract as extract_document
from casegraph.ingest import review as rv
from casegraph.ingest.runs import os_user

LANGS = ("auto", "en", "ru", "kk")


def _print(result: dict[str, Any]) -> None:
    src = result["source"]
    table = Table(title=f"{src['file']} ({src['language']}, sha256 {src['sha256'][:12]}…)")
    for col in ("label", "name", "mentions", "match", "confidence"):
        table.add_column(col)
    for e in result["entities"]:
        m = e["match"]
        match = f"{m['id']} ({m['score']})" if m else "new"
        table.add_row(e["label"], e["name"], str(len(e["mentions"])), match, str(e["confidence"]))
    out.print(table)
    rels = Table(title="relationships (patterns)")
    for col in ("type", "from", "to", "evidence"):
        rels.add_column(col)
    for r in result["relationships"]:
        if r["basis"] == "pattern":
            who = r["from"] or f"[{r['from_text']['text']}]"
            rels.add_row(r["type"], who, r["to"], r["evidence"]["text"][:80])
    out.print(rels)
    cooc = sum(1 for r in result["relationships"] if r["basis"] != "pattern")
    out.print(f"{cooc} co-occurrence proposal(s) (see --json)")


@handle_errors
def extract(
    files: list[Path] = typer.Argument(..., help="text, HTML, PDF or DOCX files"),
    lang: str = typer.Option("auto", "--lang", help="auto, en, ru or kk"),
    as_json: bool = typer.Option(False, "--json", help="print the proposals as JSON"),
    link: bool = typer.Option(True, "--link/--no-link", help="match entities to the graph"),
    url: str | None = typer.Option(None, "--url", help="the document's URL, when known"),
    stage: bool = typer.Option(
        False, "--stage", help="store the proposals as a review set (casegraph review)"
    ),
) -> None:
    """Propose the people, organizations, places and relationships that FILE names."""
    if lang not in LANGS:
        raise InvalidRequestError(f"--lang must be one of {', '.join(LANGS)}")
    results: list[dict[str, Any]] = []
    with ExitStack() as stack:
        linker: Linker | None = None
        if link:
            db = stack.enter_context(open_db())
            try:
                db.ping()
            except DatabaseUnavailableError as exc:
                console.print(f"[yellow]not linked:[/] {exc.message} (use --no-link)")
            else:
                linker = Linker(db, CLI_ROLE)
        for path in files:
            document = read_document(path, url=url)
            result = extract_document(document, language=lang, linker=linker)
            if stage:
                if linker is None:
                    raise DatabaseUnavailableError("--stage needs the database")
                staged = rv.stage(linker.db, result, document.text, user=os_user())
                result["review_set"] = staged
                console.print(
                    f"staged {staged['items']} item(s) as review set {staged['id']}"
                    + (f" ({staged['skipped']} decided before)" if staged["skipped"] else "")
                )
            results.append(result)
    if as_json:
        print_json(results[0] if len(results) == 1 else results)
        return
    for r in results:
        _print(r)
