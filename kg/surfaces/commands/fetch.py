"""``kg fetch [SOURCE…]``: download the full profile's sources from their publishers (docs/sources.md).

Files go to ``--to`` (default ``KG_HOME/data``), laid out like ``../shared/data``, with a progress bar
per file and ``MANIFEST.json`` (url, sha256, bytes, retrieval time, Last-Modified/ETag). A second run
checks every file against its checksum and downloads only what is missing, damaged or (``--refresh``)
newer; a download cut off is resumed. ``kg build --profile full`` then reads the directory.
"""
from __future__ import annotations

from pathlib import Path

import typer


def _list(as_json: bool) -> None:
    from rich.console import Console
    from rich.table import Table

    from ingest.downloads import needs_shared, registry
    from kg.surfaces.cli import emit_json

    reg = registry()
    if as_json:
        emit_json({"sources": {n: {"title": s.title, "access": s.access, "licence": s.licence, "note": s.note,
                                   "files": [{"url": f.url or f.index, "path": f.path} for f in s.files]}
                               for n, s in reg.items()},
                   "needs_shared": needs_shared()})
        return
    t = Table(title="kg fetch sources")
    for col in ("source", "access", "files", "from", "licence"):
        t.add_column(col)
    for n, s in reg.items():
        first = s.files[0].url or s.files[0].index
        t.add_row(n, s.access, str(len(s.files)), first + (f" (+{len(s.files) - 1})" if len(s.files) > 1 else ""),
                  s.licence)
    out = Console()
    out.print(t)
    for n, why in needs_shared().items():
        out.print(f"[cyan]not fetched[/] {n}: {why}", highlight=False)


def fetch(source: list[str] | None = typer.Argument(None, help="Sources to fetch (default: every open one; "
                                                                 "see --list).", show_default=False),
          to: Path | None = typer.Option(None, "--to", help="Data directory (default: KG_HOME/data)."),
          base_url: str | None = typer.Option(None, "--base-url", help="A mirror serving the publishers' paths "
                                                                       "(e.g. http://127.0.0.1:8000)."),
          refresh: bool = typer.Option(False, "--refresh", help="Ask the publishers for newer files (conditional "
                                                                 "GET); unchanged files stay."),
          msigdb: bool = typer.Option(False, "--msigdb", help="Also the MSigDB gene sets: the Broad asks you to "
                                                               "register (free) at gsea-msigdb.org first."),
          list_sources: bool = typer.Option(False, "--list", help="List sources, URLs and licences; fetch nothing."),
          as_json: bool = typer.Option(False, "--json", help="Print what was done as JSON.")) -> None:
    """Download the full profile's sources from their publishers (checksums, resume, manifest)."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from ingest.downloads import MANIFEST, skipped
    from ingest.fetch import FetchError
    from ingest.locations import fetched_data_dir, shared_data_dir
    from kg.surfaces.cli import console, emit_json, fail, settings
    from kg.surfaces.downloading import download_sources, fetch_error

    if list_sources:
        _list(as_json)
        return
    s = settings()
    default = fetched_data_dir(s.home)
    dest = to or default
    names = list(source or ())
    try:
        results = download_sources(dest, s.cache_dir, console, names, base_url=base_url, refresh=refresh,
                                   msigdb=msigdb, quiet=as_json)
    except (ValueError, FetchError, OSError) as exc:
        fail(fetch_error(exc, dest))
    left_out = [] if names or msigdb else skipped(())
    if as_json:
        emit_json({"dir": str(dest), "manifest": str(dest / MANIFEST),
                   "files": [{"source": r.source, "path": r.path, "status": r.status, **r.entry} for r in results],
                   "skipped": {s.name: f"registration: {s.register}" for s in left_out}})
        return
    out = Console()
    t = Table(title=f"kg fetch → {dest}")
    for col in ("file", "status", "bytes", "sha256"):
        t.add_column(col, justify="right" if col == "bytes" else "left")
    for r in results:
        t.add_row(r.path, r.status, str(r.entry.get("bytes", "")), str(r.entry.get("sha256", ""))[:16])
    out.print(t)
    for s in left_out:
        out.print(f"[yellow]skipped[/] {s.name}: the publisher asks every user to register first "
                  f"({escape(s.register)}); then `kg fetch --msigdb`", highlight=False)
    # `kg build --profile full` reads KG_HOME/data only when no shared folder is found
    shared = "" if dest == default and not shared_data_dir().is_dir() else f" --shared {dest}"
    out.print(f"manifest: {dest / MANIFEST}; build with: kg build --profile full{shared}", highlight=False)


def register(app: typer.Typer) -> None:
    app.command("fetch")(fetch)
