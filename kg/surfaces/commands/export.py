"""``kg export``: the graph or a subgraph as GraphML, Cytoscape.js JSON, KGX TSV or neo4j-admin CSV."""
from __future__ import annotations

import typer


def export(fmt: str = typer.Option(..., "--format", help="graphml, cytoscape, kgx or neo4j-csv"),
           out: str = typer.Option(..., "--out", help="Output file; a directory for kgx/neo4j-csv, or any *.zip"),
           module: str | None = typer.Option(None, "--module", help="Only this module's members and their edges."),
           around: str | None = typer.Option(None, "--around", help="Only this entity's neighbourhood."),
           hops: int = typer.Option(1, "--hops", help="Neighbourhood radius for --around (1–3).")) -> None:
    """Write the graph (or a module / neighbourhood) for Cytoscape, Gephi, KGX tools or neo4j-admin import."""
    from kg.query.export import FORMATS, ExportError, module_ids, neighbourhood_ids, write_export
    from kg.query.resolve import EntityNotFound
    from kg.store.version import graph_version
    from kg.surfaces.cli import console, emit_json, fail, open_store_or_fail, settings

    if fmt not in FORMATS:
        fail(f"unknown format {fmt!r}; choose from {', '.join(FORMATS)}")
    if module and around:
        fail("give --module or --around, not both")
    store = open_store_or_fail(settings(), read_only=True)
    try:
        ids, params = None, {}
        if module:
            ids, params = module_ids(store, module), {"module": module}
        elif around:
            ids, params = neighbourhood_ids(store, around, hops), {"around": around, "hops": hops}
        written = write_export(store, fmt, out, ids, params)
        version = graph_version(store)
    except (EntityNotFound, ExportError) as exc:
        fail(str(exc))
    finally:
        store.close()
    console.print(f"wrote {len(written)} file(s) ({fmt}, graph {version})")
    emit_json({"format": fmt, "graph_version": version, "files": [str(p) for p in written], **params})


def register(app: typer.Typer) -> None:
    app.command("export")(export)
