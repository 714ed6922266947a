"""The ``kg`` command: build, stats, paths, neo4j, and the commands other modules register."""
from __future__ import annotations

import json
import sys

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kg.store.settings import Settings

app = typer.Typer(help="Knowledge graph of lumbar disc herniation resorption mechanisms.",
                  no_args_is_help=True, add_completion=False)
neo4j_app = typer.Typer(help="Run a local Neo4j 5.26 (Java 17 + Maven) on 127.0.0.1.", no_args_is_help=True)
app.add_typer(neo4j_app, name="neo4j")
console = Console(stderr=True, soft_wrap=True)  # one line per error, whatever the terminal width


def fail(message: str, code: int = 1) -> None:
    """Print one clear error line and exit: never a stack trace for expected failures."""
    console.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def settings() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:
        fail(str(exc))


def open_store_or_fail(s: Settings):
    from kg.store import StoreError, open_store

    try:
        return open_store(s)
    except StoreError as exc:
        fail(str(exc))


def emit_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


@app.command()
def build(profile: str = typer.Option("default", help="Which sources: default (shipped, offline) or full."),
          strict: bool = typer.Option(False, "--strict", help="Any rejected row fails the build; nothing is written."),
          fresh: bool = typer.Option(False, "--fresh", help="Empty the store first."),
          shared: str | None = typer.Option(None, help="Path of shared/data for the full profile."),
          as_json: bool = typer.Option(False, "--json", help="Print the build report as JSON.")) -> None:
    """Build the mechanism graph into the configured store (KG_STORE)."""
    from pathlib import Path

    from kg.pipeline.build import collect
    from kg.pipeline.load import BuildError, rebuild
    from kg.store import StoreError

    s = settings()
    with console.status(f"reading sources for profile '{profile}'…"):
        try:
            loads = collect(profile, Path(shared) if shared else None)
        except (ValueError, FileNotFoundError) as exc:
            fail(str(exc))
    total = sum(len(sl.nodes) + len(sl.edges) + len(sl.evidence) for sl in loads)
    store = open_store_or_fail(s)
    try:
        with Progress(TextColumn("[bold]loading[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=console, disable=as_json) as bar:
            task = bar.add_task("load", total=total)
            report = rebuild(store, loads, strict=strict, fresh=fresh, progress=lambda n: bar.advance(task, n))
    except (BuildError, StoreError) as exc:  # e.g. Neo4j went away mid-build: one line, no traceback
        fail(f"{exc} (the graph is marked incomplete; the next `kg build` starts from empty)"
             if isinstance(exc, StoreError) else str(exc))
    finally:
        try:
            store.close()
        except Exception:  # noqa: BLE001 - closing a dead connection must not hide the real error
            pass
    if report.recovered and not as_json:
        console.print("[yellow]the previous build was interrupted: the store was emptied and rebuilt[/]")
    stats = open_store_or_fail(s)
    st = stats.stats()
    stats.close()
    if as_json:
        emit_json({"report": report.to_dict(), "stats": st})
        return
    _print_summary(report, st, s)


def _print_summary(report, st, s: Settings) -> None:
    out = Console()
    t = Table(title="Sources", show_lines=False)
    for col in ("source", "read", "loaded", "rejected", "unmapped"):
        t.add_column(col, justify="right" if col != "source" else "left")
    for src in report.sources:
        t.add_row(src["source"], str(src["read"]), str(src["loaded"]), str(src["rejected"]), str(src["unmapped_rows"]))
    out.print(t)
    for src in report.sources:
        for r in src["rejections"][:20]:
            out.print(f"[yellow]rejected[/] {r}")
        if len(src["rejections"]) > 20:
            out.print(f"[yellow]… and {len(src['rejections']) - 20} more rejected rows in {src['source']}[/]")
    for src in report.sources:
        syms = src.get("unmapped_symbols") or {}
        if syms:
            shown = ", ".join(f"{k} ({v})" if v > 1 else k for k, v in list(syms.items())[:30])
            more = f" … and {len(syms) - 30} more" if len(syms) > 30 else ""
            out.print(f"[cyan]unmapped[/] {src['source']}: {shown}{more}")
    c = Table(title=f"Graph ({s.store}): {st['nodes']} nodes, {st['edges']} edges, {st.get('evidence', 0)} evidence")
    c.add_column("category")
    c.add_column("nodes", justify="right")
    for k, v in st["by_category"].items():
        c.add_row(k, str(v))
    p = Table()
    p.add_column("predicate")
    p.add_column("edges", justify="right")
    for k, v in st["by_predicate"].items():
        p.add_row(k, str(v))
    out.print(c)
    out.print(p)


@app.command()
def stats(as_json: bool = typer.Option(False, "--json")) -> None:
    """Counts of nodes and edges by category and predicate."""
    from kg.store.version import graph_version

    s = settings()
    store = open_store_or_fail(s)
    st = stats_ = store.stats()
    st["graph_version"] = graph_version(store)
    st["store"] = s.store
    store.close()
    if as_json:
        emit_json(st)
    else:
        Console().print_json(json.dumps(stats_))


@app.command()
def paths(source: str, target: str,
          max_hops: int = typer.Option(4, "--max-hops"), k: int = typer.Option(10, "--k"),
          expect: str | None = typer.Option(None, "--expect", help="increases or decreases"),
          predicate: list[str] = typer.Option([], "--predicate", help="Allowed predicate (repeatable)."),
          min_belief: float = typer.Option(0.0, "--min-belief"),
          species: list[str] = typer.Option([], "--species"),
          design: list[str] = typer.Option([], "--design", help="clinical, in_vivo, ex_vivo, in_vitro…"),
          source_filter: list[str] = typer.Option([], "--source", help="Evidence source (repeatable)."),
          exclude: list[str] = typer.Option([], "--exclude", help="Node never walked through (repeatable)."),
          hub_limit: int | None = typer.Option(None, "--hub-limit"),
          undirected: bool = typer.Option(False, "--undirected"),
          timeout: float | None = typer.Option(None, "--timeout", help="Seconds before the search is cut."),
          pvalue: int = typer.Option(0, "--pvalue", metavar="N",
                                     help="p-value per path type against N degree-preserving permutations."),
          seed: int = typer.Option(0, "--seed", help="Seed of the permutations."),
          as_json: bool = typer.Option(False, "--json"), markdown: bool = typer.Option(False, "--markdown")) -> None:
    """Ranked, signed, cited mechanism paths from SOURCE to TARGET (ids, symbols, names or modules)."""
    from kg.query.explain import explain, to_markdown
    from kg.query.paths import PathQuery, PathQueryError, find_paths
    from kg.query.resolve import EntityNotFound

    s = settings()
    store = open_store_or_fail(s)
    try:
        q = PathQuery(source, target, max_hops, k, expect, tuple(predicate), min_belief, tuple(species),
                      tuple(design), tuple(source_filter), tuple(exclude), hub_limit, undirected, timeout,
                      permutations=pvalue, seed=seed)
        answer = explain(store, find_paths(store, q))
    except (EntityNotFound, PathQueryError) as exc:
        fail(str(exc))
    finally:
        store.close()
    if as_json:
        emit_json(answer)
    elif markdown:
        sys.stdout.write(to_markdown(answer) + "\n")
    else:
        Console().print(to_markdown(answer))


@neo4j_app.command("start")
def neo4j_start() -> None:
    """Build (first time) and start Neo4j on 127.0.0.1; waits until Bolt answers."""
    from kg.store import neo4j_server

    s = settings()
    if not s.neo4j_password:
        fail("set NEO4J_PASSWORD (8+ characters) in the environment first, e.g. export NEO4J_PASSWORD=…")
    try:
        with console.status("starting Neo4j (the first start downloads it from Maven Central)…"):
            st = neo4j_server.start(s.neo4j_home, bolt_port=s.bolt_port, password=s.neo4j_password)
    except neo4j_server.Neo4jLocalError as exc:
        fail(str(exc))
    emit_json(st)


@neo4j_app.command("stop")
def neo4j_stop() -> None:
    """Stop the local Neo4j started by `kg neo4j start`."""
    from kg.store import neo4j_server

    s = settings()
    stopped = neo4j_server.stop(s.neo4j_home)
    emit_json({"stopped": stopped})


@neo4j_app.command("status")
def neo4j_status() -> None:
    """Is the local Neo4j running and answering?"""
    from kg.store import neo4j_server

    s = settings()
    emit_json(neo4j_server.status(s.neo4j_home, bolt_port=s.bolt_port, password=s.neo4j_password))


def _register_commands() -> None:
    import importlib
    import pkgutil

    import kg.surfaces.commands

    for info in sorted(pkgutil.iter_modules(kg.surfaces.commands.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"kg.surfaces.commands.{info.name}")
        module.register(app)


_register_commands()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
