"""The graph from Python, for notebooks: ``import kg; g = kg.open()``.

Every method calls the same code as the ``kg`` command and the app (:func:`kg.query.paths.find_paths`
and :func:`kg.query.explain.explain`, :func:`kg.query.resolve.resolve_entity`,
:func:`kg.analysis.hypotheses.run`, :func:`kg.query.cypher.run_readonly`) and returns plain data:
lists of dicts, JSON-ready. ``as_frame=True`` gives a pandas DataFrame instead, when pandas is
installed (it is not a dependency of this project).

>>> import tempfile, kg
>>> g = kg.open(home=tempfile.mkdtemp(), build=True)      # the shipped graph, built in a few seconds
>>> best = g.paths("TNF", "MMP3", k=3)[0]
>>> best["summary"], best["sign"], [h["predicate"] for h in best["edges"]]
('TNF → MMP3', 1, ['upregulates_expression'])
>>> mmp3 = g.entity("matrix metallopeptidase 3")     # ids, symbols, names and synonyms all work
>>> mmp3["id"], mmp3["name"], "Matrix degradation" in mmp3["modules"]
('HGNC:7173', 'MMP3', True)
>>> g.cypher("MATCH (n:Entity {category: 'gene', name: $name}) RETURN n.name AS symbol, n.id AS id",
...          name="MMP3")                          # the default store's (LadybugDB's) schema
[{'symbol': 'MMP3', 'id': 'HGNC:7173'}]
>>> cards = g.hypotheses("Bone bioactive factors", "Matrix degradation", k=2)
>>> [c["rank"] for c in cards], {"claim", "predicted_observable", "supporting_paths"} <= set(cards[0])
([1, 2], True)
>>> g.cypher("MATCH (n) DETACH DELETE n")
Traceback (most recent call last):
...
kg.query.cypher.WriteRefused: Refused: this console is read-only and the query contains DETACH (line 1, column 11). Nothing was run and the graph is unchanged.
>>> g.close()

Writes never go through here: :meth:`Graph.cypher` runs behind the console's read-only gate.

With pandas installed, the same calls give tables::

    g.paths("Decompression", "MMP3", k=3, as_frame=True)[["rank", "path", "score"]]
    g.entity("MMP3", as_frame=True).query("predicate == 'upregulates_expression'")
    g.hypotheses("Bone bioactive factors", "Matrix degradation", as_frame=True)
    g.cypher("MATCH (g:Entity)-[r:REL]->(m:Entity {name: $n}) RETURN g.name AS gene, r.predicate AS type",
             n="MMP3", as_frame=True)
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from kg.store.base import Store
from kg.store.settings import Settings


class GraphNotBuilt(RuntimeError):
    """The store holds no graph yet."""


def _frame(rows: list[dict[str, Any]], columns: list[str] | None = None):
    """``rows`` as a pandas DataFrame (pandas is optional: a clear ImportError without it)."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError("as_frame=True needs pandas (pip install pandas); without it the same rows come back "
                          "as a list of dicts") from None
    return pd.DataFrame(rows, columns=columns)


class Graph:
    """An open graph: paths, entities, hypotheses and read-only Cypher, as plain data."""

    def __init__(self, store: Store, settings: Settings):
        self.store, self.settings = store, settings

    def __repr__(self) -> str:
        st = self.store.stats()
        return f"<kg.Graph {self.settings.store} {self.version}: {st['nodes']} nodes, {st['edges']} edges>"

    def __enter__(self) -> "Graph":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        self.store.close()

    @property
    def version(self) -> str:
        """The graph version (a hash of the loaded sources) that every answer carries."""
        from kg.store.version import graph_version

        return graph_version(self.store)

    def stats(self) -> dict[str, Any]:
        """Counts of nodes and edges by category and predicate (as ``kg stats --json``)."""
        return {**self.store.stats(), "graph_version": self.version, "store": self.settings.store}

    # -- paths ---------------------------------------------------------------------------------
    def path_answer(self, source: str, target: str, **filters: Any) -> dict[str, Any]:
        """The whole answer of ``kg paths SOURCE TARGET --json`` (paths plus endpoints, graph version,
        notes); ``filters`` are the fields of :class:`kg.query.paths.PathQuery` (``max_hops``, ``k``,
        ``expect``, ``min_belief``, ``species``, ``designs``, ``sources``, ``exclude``, ``predicates``…)."""
        from kg.query.explain import explain
        from kg.query.paths import PathQuery, find_paths
        from kg.query.projection import cached

        for name in ("predicates", "species", "designs", "sources", "exclude"):
            if isinstance(filters.get(name), str):
                filters[name] = (filters[name],)
            elif filters.get(name) is not None:
                filters[name] = tuple(filters[name])
        return explain(self.store, find_paths(self.store, PathQuery(source, target, **filters),
                                              graph=cached(self.store)))

    def paths(self, source: str, target: str, *, as_frame: bool = False, **filters: Any):
        """Ranked, signed, cited paths from ``source`` to ``target`` (ids, symbols, names or modules).

        Each path is a dict: ``rank``, ``summary``, ``story``, ``score``, ``sign``, ``consistent``,
        ``nodes``, ``edges`` (each hop with its sentence, belief and evidence) and ``cypher``.
        ``as_frame=True``: one row per path (the explorer's table).
        """
        answer = self.path_answer(source, target, **filters)
        if as_frame:
            from kg.surfaces.graphview import path_rows

            return _frame(path_rows(answer))
        return answer["paths"]

    # -- entities ------------------------------------------------------------------------------
    def entity(self, name: str, *, as_frame: bool = False):
        """One entity by id, symbol, name or synonym: its properties, ``modules`` (name -> membership
        sign) and ``neighbours`` grouped by direction, predicate and sign.

        ``as_frame=True``: its neighbours, one row each (direction, predicate, sign, id, name, …).
        """
        from kg.query.resolve import resolve_entity
        from kg.surfaces.graphview import group_neighbours

        node = self.store.node(name) or self.store.node(resolve_entity(self.store, name).id)
        if node is None:  # resolve_entity found it, the store lost it
            raise LookupError(f"{name!r} is not in the store")
        groups = group_neighbours(self.store, node["id"])
        if as_frame:
            return _frame([{"direction": g["direction"], "predicate": g["predicate"], "sign": g["sign"], **n}
                           for g in groups for n in g["neighbours"]])
        modules = {n["name"]: g["sign"] for g in groups if g["predicate"] == "member_of" and g["direction"] == "out"
                   for n in g["neighbours"] if n["category"] == "mechanism_module"}
        return {**node, "modules": modules, "neighbours": groups}

    # -- hypotheses ----------------------------------------------------------------------------
    def hypotheses(self, source: str, target: str | None = None, *, genes: Iterable[str] | str | None = None,
                   k: int = 10, as_frame: bool = False, **options: Any):
        """Ranked hypothesis cards from ``source`` (to ``target``), as ``kg hypotheses --json``.

        ``genes``: candidates must be in this gene list (symbols or ids) or experiment (its node id).
        Options: ``max_hops`` (2–4), ``modules``, ``predicates``, ``species``, ``designs``, ``sources``,
        ``min_belief``. ``as_frame=True``: one row per card (the columns of ``kg hypotheses --csv``).
        """
        from ingest.hgnc import symbol_to_hgnc_id
        from kg.analysis import cards
        from kg.analysis.hypotheses import run

        if isinstance(genes, (list, tuple, set)):
            genes = list(genes)
        result = run(self.store, source, target, genes, k, symbol_to_id=symbol_to_hgnc_id, **options)
        if as_frame:
            return _frame([cards.csv_row(c) for c in result.cards], columns=cards.CSV_COLUMNS)
        return result.cards

    # -- Cypher --------------------------------------------------------------------------------
    def cypher(self, query: str, /, *, as_frame: bool = False, timeout_s: float = 10, row_limit: int = 1000,
               **params: Any):
        """Rows of a read-only Cypher query as dicts in RETURN order; ``params`` are its ``$parameters``.

        The console's gate refuses writes, file access and admin commands before anything runs
        (:class:`kg.query.cypher.WriteRefused`). The dialect is the store's: LadybugDB's generic
        ``(:Entity)-[:REL]->(:Entity)`` by default, Neo4j's labels with ``store="neo4j"``.
        """
        from kg.query.cypher import run_readonly

        res = run_readonly(self.store, query, params, timeout_s=timeout_s, row_limit=row_limit)
        rows = [dict(zip(res["columns"], r)) for r in res["rows"]]
        return _frame(rows, columns=res["columns"]) if as_frame else rows


def open(home: str | Path | None = None, store: str | None = None, *, build: bool = False) -> Graph:
    """Open the graph of ``KG_HOME`` (or ``home``) in ``KG_STORE`` (or ``store``: embedded, ladybug, neo4j).

    ``build=True`` first builds the shipped (default) graph when the store is empty, as ``kg build``
    does; otherwise an empty store raises :class:`GraphNotBuilt` saying how to build it.
    """
    from kg.store import open_store

    s = Settings.from_env()
    if home is not None:
        s = s.with_(home=Path(home).expanduser())
    if store is not None:
        s = s.with_(store=store)
    st = open_store(s)
    if not st.stats().get("nodes"):
        if not build:
            st.close()
            raise GraphNotBuilt(f"the {s.store} store under {s.home} holds no graph yet: run `kg build` "
                                "(or open it with kg.open(build=True))")
        from kg.pipeline.build import collect
        from kg.pipeline.load import rebuild

        rebuild(st, collect())
    return Graph(st, s)


__all__ = ["Graph", "GraphNotBuilt", "open"]
