"""What every command shares: the console, the database, and error reporting."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from casegraph.errors import CasegraphError, ValidationFailed
from casegraph.graph.db import GraphDB
from casegraph.graph.disclosure import Disclosure
from casegraph.settings import get_settings

console = Console(stderr=True)
out = Console()

P = ParamSpec("P")
R = TypeVar("R")


@contextmanager
def open_db() -> Iterator[GraphDB]:
    db = GraphDB.from_settings(get_settings())
    try:
        yield db
    finally:
        db.close()


#: The command line runs with the database's own rights and the protection key: an admin.
CLI_ROLE = "admin"


def disclose(db: GraphDB, value: Any, *, real_ids: bool = False) -> Any:
    """``value`` as the command line may show it (see :data:`CLI_ROLE`)."""
    return Disclosure.for_role(db, CLI_ROLE).apply(value, real_ids=real_ids)


def print_errors_table(exc: ValidationFailed, limit: int = 200) -> None:
    table = Table(title=f"{len(exc.errors)} error(s) in {exc.source}; nothing was written")
    table.add_column("line", justify="right")
    table.add_column("field")
    table.add_column("reason")
    for e in exc.errors[:limit]:
        table.add_row(str(e.line), e.field, e.reason)
    console.print(table)
    if len(exc.errors) > limit:
        console.print(f"… and {len(exc.errors) - limit} more")


def handle_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Print a :class:`CasegraphError` as a clear message and exit non-zero."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except ValidationFailed as exc:
            print_errors_table(exc)
            raise typer.Exit(code=1) from exc
        except CasegraphError as exc:
            console.print(f"[bold red]error:[/] {exc.message}", highlight=False)
            raise typer.Exit(code=2 if exc.status_code >= 500 else 1) from exc

    return wrapper


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
