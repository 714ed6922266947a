"""``kg ingest kgml|gpml|gmt|network FILE``: a user's own pathway, gene-set and network files in the graph.

Each prints read/loaded/rejected/unmapped, the rejections (``file:line`` and reason) and the unmapped
ids, or the same as JSON; loading a file again writes nothing new.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from kg.surfaces.commands.ingest import ingest_app

STRICT_HELP = "Any rejected row fails; nothing is written."


def _ingest(kind: str, file: Path, strict: bool, as_json: bool) -> None:
    from rich.console import Console
    from rich.markup import escape

    from ingest.errors import IngestError
    from kg.pipeline.load import BuildError
    from kg.pipeline.user_files import ingest_user_file
    from kg.surfaces.cli import emit_json, fail, open_store_or_fail, settings
    from kg.surfaces.commands.ingest_genes import print_load

    if not file.is_file():
        fail(f"{file}: no such file")
    store = open_store_or_fail(settings())
    try:
        before = store.stats()
        report = ingest_user_file(store, kind, file, strict=strict)
        after = store.stats()
    except (IngestError, BuildError) as exc:
        fail(str(exc))
    finally:
        store.close()
    src = report.sources[0]
    out: dict[str, Any] = {"file": str(file), "kind": kind,
                           **{k: src[k] for k in ("read", "loaded", "rejected", "unmapped_rows", "unmapped_symbols",
                                                  "rejections")},
                           "detected": src.get("detected", {}),
                           "records": {"nodes": report.nodes, "edges": report.edges, "evidence": report.evidence},
                           "added": {k: after[k] - before[k] for k in ("nodes", "edges", "evidence")}}
    if as_json:
        emit_json(out)
        return
    c = Console()
    d = out["detected"]
    print_load(c, f"[bold]{escape(file.name)}[/] ({escape(str(d.get('format', kind)))}, source {escape(str(d.get('source')))})",
               out)
    r, a = out["records"], out["added"]
    c.print(f"records: {r['nodes']} nodes, {r['edges']} edges, {r['evidence']} evidence; new in the graph: "
            f"{a['nodes']} nodes, {a['edges']} edges, {a['evidence']} evidence")


#: (command, help of FILE, what the command does)
COMMANDS = (
    ("kgml", "A human KEGG KGML file (hsa…xml) you downloaded.", "Load a KEGG KGML pathway: its genes and signed relations."),
    ("gpml", "A WikiPathways GPML file (WPnnn.gpml).", "Load a WikiPathways GPML diagram: its genes and signed interactions."),
    ("gmt", "A GMT gene-set file (Reactome, WikiPathways, MSigDB or your own).",
     "Load gene sets from a GMT file; the flavour is told from the content."),
    ("network", "A signed network: CSV/TSV with source, target and sign columns, an OmniPath TSV or a SIGNOR export.",
     "Load a signed gene-gene network (activation +1 / inhibition -1)."),
)


def _command(kind: str, file_help: str, doc: str) -> None:
    def command(file: Path = typer.Argument(..., help=file_help),
                strict: bool = typer.Option(False, "--strict", help=STRICT_HELP),
                as_json: bool = typer.Option(False, "--json")) -> None:
        _ingest(kind, file, strict, as_json)

    command.__doc__ = doc
    command.__name__ = f"ingest_{kind}"
    ingest_app.command(kind)(command)


for _kind, _help, _doc in COMMANDS:
    _command(_kind, _help, _doc)


def register(app: typer.Typer) -> None:
    """Commands attach to ``ingest_app``, which ``kg.surfaces.commands.ingest`` registers."""
