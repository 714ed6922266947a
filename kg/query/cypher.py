"""The read-only Cypher console: ready queries, a write guard, and one entry point for both stores.

Both stores run the query through the Store protocol's ``read_cypher``, with a timeout and a row
limit: Neo4j as written in a READ transaction, the embedded store as a labelled SUBSET of Cypher
(:mod:`kg.store.embedded_cypher`) whose labels match Neo4j's, so the ready queries give the same
rows on both stores.

Write clauses are refused before anything runs, on both stores. User text reaches the engine only
as the query itself plus parameters: on the embedded store every string literal and every
``$parameter`` is bound as a value after parsing, never pasted into the query text.

>>> check_readonly("MATCH (n) RETURN n.name LIMIT 3")
>>> check_readonly("MATCH (n) DETACH DELETE n")
Traceback (most recent call last):
...
kg.query.cypher.WriteRefused: Refused: this console is read-only and the query contains DETACH (line 1, column 11). Nothing was run and the graph is unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.store import cypher_guard
from kg.store.base import Store, StoreError
from kg.store.embedded_cypher import EMBEDDED_SUBSET  # noqa: F401 - shown by the app's console


class CypherError(ValueError):
    """The query cannot run here; the message says why and what to do instead."""


class WriteRefused(CypherError):
    """The query would write; it was refused before running."""


@dataclass(frozen=True)
class ReadyQuery:
    """A parameterised query for a common question."""

    name: str
    question: str
    cypher: str
    params: dict[str, Any] = field(default_factory=dict)


READY_QUERIES: tuple[ReadyQuery, ...] = (
    ReadyQuery(
        "module members", "Which entities are members of a module, and with which sign?",
        "MATCH (n:Entity)-[r:MEMBER_OF]->(m:MechanismModule {name: $module})\n"
        "RETURN n.id AS id, n.name AS name, n.category AS category, r.sign AS sign\n"
        "ORDER BY name", {"module": "Decompression"}),
    ReadyQuery(
        "genes linked to a module", "Which genes act on members of a module (e.g. Matrix degradation)?",
        "MATCH (g:Gene)-[r]->(x:Entity)-[:MEMBER_OF]->(m:MechanismModule {name: $module})\n"
        "WHERE type(r) <> \"MEMBER_OF\"\n"
        "RETURN g, r, x ORDER BY r.belief DESC LIMIT 50", {"module": "Matrix degradation"}),
    ReadyQuery(
        "contested edges", "Which edges have evidence for both signs (contested)?",
        "MATCH (a:Entity)-[r]->(b:Entity)\nWHERE r.contested = true\n"
        "RETURN a, r, b ORDER BY r.belief DESC LIMIT 100"),
    ReadyQuery(
        "top-belief edges from a module", "What are the strongest edges leaving the members of a module?",
        "MATCH (m:MechanismModule {name: $module})<-[:MEMBER_OF]-(a:Entity)-[r]->(b:Entity)\n"
        "WHERE type(r) <> \"MEMBER_OF\" AND r.belief >= $min_belief\n"
        "RETURN a, r, b ORDER BY r.belief DESC LIMIT 25", {"module": "Decompression", "min_belief": 0.5}),
    ReadyQuery(
        "edges of an entity", "What does an entity (by symbol or name) act on?",
        "MATCH (a:Entity {name: $name})-[r]->(b:Entity)\n"
        "RETURN a, r, b ORDER BY r.belief DESC LIMIT 50", {"name": "MMP3"}),
    ReadyQuery(
        "evidence for an edge", "Which sentences and papers support one edge (by its key)?",
        "MATCH (v:Evidence {edge_key: $key})\n"
        "RETURN v.citation AS citation, v.source AS source, v.text AS text", {"key": "83f4796c531acf3f"}),  # TNF up-regulates MMP3
)


def check_readonly(query: str) -> None:
    """Raise :class:`WriteRefused` unless ``query`` is one read-only statement (see :mod:`kg.store.cypher_guard`)."""
    try:
        cypher_guard.check(query)
    except cypher_guard.Refused as exc:
        raise WriteRefused(str(exc)) from None
    except cypher_guard.GuardError as exc:
        raise CypherError(str(exc)) from None


def _without_final_semicolon(query: str) -> str:
    last = cypher_guard.tokenize(query)[-1]
    return query[:last.start] if last.text == ";" else query


def run_readonly(store: Store, query: str, params: dict[str, Any] | None = None, timeout_s: float = 10,
                 row_limit: int = 1000) -> dict[str, Any]:
    """Run a read-only Cypher query on either store.

    Returns ``{"columns", "rows", "truncated", "nodes", "relationships", "engine"}``: rows are
    lists in column order; ``nodes`` and ``relationships`` are the graph entities that came back
    (for drawing). Raises :class:`WriteRefused` for writes and :class:`CypherError` for anything
    the store cannot run (with the reason and what to do).

    Example::

        res = run_readonly(store, READY_QUERIES[0].cypher, READY_QUERIES[0].params)
        res["columns"], len(res["rows"])
    """
    if not (query or "").strip():
        raise CypherError("The query is empty: type a MATCH … RETURN … query or pick a ready one.")
    check_readonly(query)
    query = _without_final_semicolon(query)
    params = dict(params or {})
    try:
        res = store.read_cypher(query, params, timeout_s=timeout_s, row_limit=row_limit)
    except StoreError as exc:  # a typo or a timeout is the query's problem, not the connection's
        if exc.unreachable:
            raise
        raise CypherError(str(exc)) from None
    return _normalise(res, store.name)


def _normalise(res: dict[str, Any], store_name: str) -> dict[str, Any]:
    """Graph values (Neo4j's ``{id, labels, properties}``) as flat property dicts, the same on both stores."""
    return {"columns": list(res.get("columns") or []),
            "rows": [[_flatten(v) for v in r] for r in res.get("rows") or []],
            "truncated": bool(res.get("truncated")),
            "nodes": [_flatten(n) for n in res.get("nodes") or []],
            "relationships": [_flatten(r) for r in res.get("relationships") or []],
            "engine": res.get("engine") or store_name}


def _flatten(v: Any) -> Any:
    if isinstance(v, dict) and "properties" in v and ("labels" in v or "type" in v):
        return dict(v["properties"])
    if isinstance(v, dict):
        return {k: _flatten(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_flatten(x) for x in v]
    return v


