"""The ``kg ingest`` command group. Source-specific commands attach to ``ingest_app``
from their own modules in this package (e.g. ``ingest_genes.py``, ``ingest_literature.py``)."""
from __future__ import annotations

import typer

ingest_app = typer.Typer(help="Ingest gene lists, pathways and literature into the graph.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(ingest_app, name="ingest")
