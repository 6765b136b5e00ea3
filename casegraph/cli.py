"""The ``casegraph`` command line: one entry point over the same functions the API uses."""

from __future__ import annotations

import typer

from casegraph.commands import (
    analyze,
    data,
    export,
    extract,
    neo4j,
    protect,
    review,
    security,
    serve,
    watch,
)
from casegraph.commands.query import query_app

app = typer.Typer(
    name="casegraph",
    help="A knowledge graph of human-trafficking networks and financial pyramids.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(neo4j.neo4j_app, name="neo4j")
app.add_typer(data.db_app, name="db")
app.add_typer(analyze.analyze_app, name="analyze")
app.command("seed")(data.seed)
app.command("ingest")(data.ingest)
app.command("dedupe")(data.dedupe)
app.command("serve")(serve.serve)
app.command("export")(export.export)
app.command("extract")(extract.extract)
app.add_typer(security.apikey_app, name="apikey")
app.add_typer(security.audit_app, name="audit")
app.add_typer(query_app, name="query")
app.add_typer(protect.protect_app, name="protect")
app.add_typer(watch.watch_app, name="watch")
app.add_typer(watch.alerts_app, name="alerts")
app.add_typer(review.review_app, name="review")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
