"""The ``kg`` command: build, stats, paths, neo4j, and the commands other modules register."""
from __future__ import annotations

import json
import sys
from typing import NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from kg.store.settings import Settings


def tidy_help(command, ctx) -> None:
    """Make ``--help`` read like a man page: no ``<bool>`` after a flag, ``<str>`` rather than
    ``<list[str]>`` for a repeatable option, an argument named in capitals (``{SOURCE}``)."""
    for p in command.get_params(ctx):
        if getattr(p, "param_type_name", "") == "option":
            if p.is_flag or p.count:
                p.metavar = ""
            elif p.multiple and p.metavar is None:
                p.metavar = p.display_type(ctx).replace("list[", "").replace("]", "")
        elif getattr(p, "param_type_name", "") == "argument" and p.metavar is None:
            p.metavar = (p.name or "").upper()


def _tidy_tree(command, ctx) -> None:
    tidy_help(command, ctx)
    for sub in getattr(command, "commands", {}).values():  # groups other modules registered
        _tidy_tree(sub, ctx)


class TidyGroup(TyperGroup):
    """The ``kg`` command group: every command's help goes through :func:`tidy_help`."""

    def get_command(self, ctx, cmd_name):
        cmd = super().get_command(ctx, cmd_name)
        if cmd is not None:
            _tidy_tree(cmd, ctx)
        return cmd

    def format_help(self, ctx, formatter) -> None:
        tidy_help(self, ctx)
        super().format_help(ctx, formatter)


app = typer.Typer(help="Knowledge graph of lumbar disc herniation resorption mechanisms.",
                  no_args_is_help=True, add_completion=False, cls=TidyGroup)
neo4j_app = typer.Typer(help="Run a local Neo4j 5.26 (Java 17 + Maven) on 127.0.0.1.", no_args_is_help=True,
                        cls=TidyGroup)
app.add_typer(neo4j_app, name="neo4j")
console = Console(stderr=True, soft_wrap=True)  # one line per error, whatever the terminal width


def fail(message: str, code: int = 1) -> NoReturn:
    """Print one clear error line and exit: never a stack trace for expected failures."""
    console.print(f"[bold red]error:[/] {escape(str(message))}")
    raise typer.Exit(code)


def settings() -> Settings:
    try:
        return Settings.from_env()
    except ValueError as exc:
        fail(str(exc))


def open_store_or_fail(s: Settings, read_only: bool = False):
    """The configured store, or one error line; ``read_only`` for commands that only read (an
    embedded LadybugDB reader then never waits for, nor blocks, a writer)."""
    from kg.store import StoreError, open_store

    try:
        return open_store(s, read_only=read_only)
    except StoreError as exc:
        fail(str(exc))


def emit_json(data) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


@app.command()
def build(profile: str = typer.Option("default", help="Which sources: default (shipped, offline) or full."),
          strict: bool = typer.Option(False, "--strict", help="Any rejected row fails the build; nothing is written."),
          fresh: bool = typer.Option(False, "--fresh", help="Empty the store first."),
          shared: str | None = typer.Option(None, help="Data directory of the full profile (shared/data, or a "
                                                          "`kg fetch` download); default: ../shared/data, else "
                                                          "KG_HOME/data."),
          fetch: bool = typer.Option(False, "--fetch", help="Full profile without data: run `kg fetch` first."),
          as_json: bool = typer.Option(False, "--json", help="Print the build report as JSON.")) -> None:
    """Build the mechanism graph into the configured store (KG_STORE)."""
    from pathlib import Path

    from kg.pipeline.load import BuildError, rebuild
    from kg.store import StoreError

    s = settings()
    store = open_store_or_fail(s)  # first: an unreachable store is one line, before any source is read
    try:
        loads = _read_sources(profile, _data_dir(profile, Path(shared) if shared else None, s, fetch, as_json),
                              quiet=as_json)
        total = sum(len(sl.nodes) + len(sl.edges) + len(sl.evidence) for sl in loads)
        with Progress(TextColumn("[bold]{task.description}[/]"), BarColumn(), MofNCompleteColumn(),
                      TimeElapsedColumn(), console=console, disable=as_json) as bar:
            task = bar.add_task("loading", total=total)
            # a bulk rebuild assembles every row, then writes the file in one step (no per-row count)
            report = rebuild(store, loads, strict=strict, fresh=fresh, progress=lambda n: bar.advance(task, n),
                             phase=lambda name: bar.update(task, description=f"loading: {name}"))
        st = store.stats()  # what was written, without reading the graph back from disk
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
    if as_json:
        emit_json({"report": report.to_dict(), "stats": st})
        return
    _print_summary(report, st, s)


def _data_dir(profile: str, shared, s: Settings, fetch: bool, quiet: bool):
    """The data directory a profile reads (None for the shipped-only ones): see
    :func:`kg.pipeline.build.full_data_dir`; with ``--fetch``, a missing one is downloaded first."""
    from ingest.downloads import missing
    from ingest.locations import fetched_data_dir
    from kg.pipeline.build import MissingData, full_data_dir, uses_data_dir

    if not uses_data_dir(profile):
        return shared
    fetched = fetched_data_dir(s.home)
    try:
        data = full_data_dir(shared, fetched)
    except MissingData as exc:
        if not fetch:
            fail(str(exc))
        from ingest.fetch import FetchError
        from kg.surfaces.downloading import download_sources, fetch_error

        try:
            download_sources(fetched, s.cache_dir, console, quiet=quiet)
        except (ValueError, FetchError, OSError) as err:
            fail(fetch_error(err, fetched))
        data = fetched
    if data == fetched and not quiet:
        gaps = ", ".join(src.name for src in missing(fetched))
        if gaps:
            console.print(f"[yellow]not fetched:[/] {escape(gaps)} (`kg fetch --list` says why; the build reads "
                          "what is there)")
    return data


def _read_sources(profile: str, shared, quiet: bool) -> list:
    """Read the profile's sources with a progress bar: one step for the HGNC table, one per source."""
    from kg.pipeline.build import PROFILES, collect, resolver_for

    if profile not in PROFILES:
        fail(f"unknown profile {profile!r} (choose from {', '.join(PROFILES)})")
    steps = len(PROFILES[profile]) + 1
    with Progress(TextColumn("[bold]reading[/]"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  TextColumn("{task.fields[step]}"), console=console, disable=quiet) as bar:
        task = bar.add_task("read", total=steps, step="HGNC symbols")
        started: list[str] = []

        def on_source(name: str) -> None:
            bar.update(task, completed=1 + len(started), step=name)
            started.append(name)

        try:
            resolver = resolver_for(profile, shared)
            bar.update(task, completed=1)
            loads = collect(profile, shared, resolver=resolver, on_source=on_source)
        except (ValueError, FileNotFoundError) as exc:
            fail(str(exc))
        bar.update(task, completed=steps, step="done")
    return loads


def _print_graph(out: Console, st: dict, headline: str) -> None:
    """A headline, then the node counts by category and the edge counts by predicate as two tables."""
    out.print(headline, markup=False, highlight=False)
    c = Table()
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
    _print_graph(out, st, f"Graph ({s.store}): {st['nodes']} nodes, {st['edges']} edges, "
                          f"{st.get('evidence', 0)} evidence")


@app.command()
def stats(as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON.")) -> None:
    """Counts of nodes and edges by category and predicate."""
    from kg.store.version import graph_version

    s = settings()
    store = open_store_or_fail(s, read_only=True)
    st = store.stats()
    st["graph_version"] = graph_version(store)
    st["store"] = s.store
    store.close()
    if as_json:
        emit_json(st)
        return
    _print_graph(Console(), st, f"Graph ({s.store}, version {st['graph_version']}): {st['nodes']} nodes, "
                                f"{st['edges']} edges, {st.get('evidence', 0)} evidence")


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
          as_json: bool = typer.Option(False, "--json", help="The full answer as JSON."),
          markdown: bool = typer.Option(False, "--markdown", help="Markdown (also the default output).")) -> None:
    """Ranked, signed, cited mechanism paths from SOURCE to TARGET (ids, symbols, names or modules)."""
    from kg.query.explain import explain, to_markdown
    from kg.query.paths import PathQuery, PathQueryError, find_paths
    from kg.query.resolve import EntityNotFound

    s = settings()
    store = open_store_or_fail(s, read_only=True)
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
    else:  # written as is: never through Rich markup, which would eat [in_vivo] and [r0:TYPE {key: …}]
        sys.stdout.write(to_markdown(answer) + "\n")


@neo4j_app.command("start")
def neo4j_start(
        browser: bool = typer.Option(False, "--browser",
                                     help="Also serve Neo4j Browser (and the HTTP API) on 127.0.0.1, auth on."),
        http_port: int | None = typer.Option(None, "--http-port", metavar="<int>",
                                             help="HTTP port of Neo4j Browser (with --browser; default 7474).")
) -> None:
    """Build (first time) and start Neo4j on 127.0.0.1; waits until Bolt answers."""
    from kg.store import neo4j_server

    s = settings()
    if not s.neo4j_password:
        fail("set NEO4J_PASSWORD (8+ characters) in the environment first, e.g. export NEO4J_PASSWORD=…")
    if http_port is not None and not browser:
        fail("--http-port is the port of Neo4j Browser: use it with --browser")
    port = (http_port or 7474) if browser else None
    try:
        with console.status("starting Neo4j (the first start downloads it from Maven Central)…"):
            st = neo4j_server.start(s.neo4j_home, bolt_port=s.bolt_port, password=s.neo4j_password,
                                    http_port=port)
    except neo4j_server.Neo4jLocalError as exc:
        fail(str(exc))
    emit_json(st)
    if st.get("browser"):
        console.print(f"Neo4j Browser: {st['browser']} (connect to {st['uri']} as user neo4j with your "
                      f"NEO4J_PASSWORD)", markup=False, highlight=False)
    elif browser:  # the server runs (Bolt and the HTTP API), but not what was asked for
        fail(f"{st.get('browser_error')}; Neo4j keeps running (stop it with `kg neo4j stop`)")


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
