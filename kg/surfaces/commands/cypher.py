"""``kg cypher QUERY [--param k=v] [--json]``: the console's read-only Cypher from the command line.

The same code path as the app's console (:func:`kg.query.cypher.run_readonly`): one read-only statement,
the allowlist gate, a timeout and a row limit, on whichever store ``KG_STORE`` names.
"""
from __future__ import annotations

import json

import typer


def parse_params(pairs: list[str]) -> dict:
    """``["module=Decompression", "min=0.5"]`` → ``{"module": "Decompression", "min": 0.5}`` (JSON values allowed).

    >>> parse_params(["module=Matrix degradation", "n=3", 'ids=["a","b"]'])
    {'module': 'Matrix degradation', 'n': 3, 'ids': ['a', 'b']}
    """
    out: dict = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--param {pair!r} is not NAME=VALUE")
        try:
            out[name.strip()] = json.loads(raw)
        except ValueError:
            out[name.strip()] = raw
    return out


def register(app: typer.Typer) -> None:
    @app.command("cypher")
    def cypher(query: str = typer.Argument(..., help="One read-only Cypher statement."),
               param: list[str] = typer.Option([], "--param", "-p", help="NAME=VALUE (repeatable; JSON values)."),
               timeout: float = typer.Option(10.0, "--timeout", help="Seconds before the query is stopped."),
               limit: int = typer.Option(1000, "--limit", help="Row limit."),
               as_json: bool = typer.Option(False, "--json")) -> None:
        """Run read-only Cypher on the store (writes, files, admin and procedures are refused)."""
        from rich.console import Console
        from rich.table import Table

        from kg.query.cypher import CypherError, run_readonly
        from kg.surfaces.cli import emit_json, fail, open_store_or_fail, settings

        try:
            params = parse_params(param)
        except ValueError as exc:
            fail(str(exc))
        store = open_store_or_fail(settings(), read_only=True)
        try:
            res = run_readonly(store, query, params, timeout_s=timeout, row_limit=limit)
        except CypherError as exc:
            fail(str(exc), code=2)
        finally:
            store.close()
        if as_json:
            emit_json(res)
            return
        t = Table(caption=f"{len(res['rows'])} row(s){' (truncated)' if res['truncated'] else ''} · {res['engine']}")
        for c in res["columns"]:
            t.add_column(c, overflow="fold")
        for row in res["rows"]:
            t.add_row(*(json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else str(v) for v in row))
        Console(markup=False).print(t)
