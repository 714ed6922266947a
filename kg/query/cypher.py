"""The read-only Cypher console: ready queries, a write guard, and one entry point for every store.

Every store runs the query through the Store protocol's ``read_cypher``, with a timeout and a row
limit: Neo4j as written in a READ transaction, the embedded store as a labelled SUBSET of Cypher
(:mod:`kg.store.embedded_cypher`) whose labels match Neo4j's, LadybugDB in the engine's own Cypher
over its generic schema (:mod:`kg.store.ladybugdb`). So there are two dialects (:func:`dialect`), and
each ready query is written in both (:func:`ready_queries`): the same rows on every store.

Write clauses are refused before anything runs, on every store. User text reaches the engine only
as the query itself plus parameters: on the embedded store every string literal and every
``$parameter`` is bound as a value after parsing, never pasted into the query text.

>>> check_readonly("MATCH (n) RETURN n.name LIMIT 3")
>>> check_readonly("MATCH (n) DETACH DELETE n")
Traceback (most recent call last):
...
kg.query.cypher.WriteRefused: Refused: this console is read-only and the query contains DETACH (line 1, column 11). Nothing was run and the graph is unchanged.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from kg.store import cypher_guard
from kg.store.base import Store, StoreError
from kg.store.embedded_cypher import EMBEDDED_SUBSET  # noqa: F401 - shown by the app's console


class CypherError(ValueError):
    """The query cannot run here; the message says why and what to do instead."""


class WriteRefused(CypherError):
    """The query would write; it was refused before running."""


#: Query dialects: Neo4j's typed labels (one label per category, one relationship type per predicate;
#: the embedded subset reads them too) and LadybugDB's generic schema (``:Entity``, ``:REL``).
Dialect = Literal["neo4j", "ladybug"]


def dialect(store: Store | str) -> Dialect:
    """The Cypher dialect a store (or a store name) reads.

    >>> dialect("ladybug"), dialect("embedded"), dialect("neo4j")
    ('ladybug', 'neo4j', 'neo4j')
    """
    name = store if isinstance(store, str) else getattr(store, "name", "")
    return "ladybug" if name == "ladybug" else "neo4j"


@dataclass(frozen=True)
class ReadyQuery:
    """A parameterised query for a common question, in each dialect: same params, same columns."""

    name: str
    question: str
    cypher: str
    params: dict[str, Any] = field(default_factory=dict)
    ladybug: str = ""

    def text(self, in_dialect: Dialect) -> str:
        """The query in ``in_dialect``."""
        return self.ladybug if in_dialect == "ladybug" else self.cypher


# Ties are broken by key so that LIMIT keeps the same rows on every store. On LadybugDB, fields that
# only the ``row`` JSON holds are read with the console's ``row_field`` (see kg.store.ladybugdb).
READY_QUERIES: tuple[ReadyQuery, ...] = (
    ReadyQuery(
        "module members", "Which entities are members of a module, and with which sign?",
        "MATCH (n:Entity)-[r:MEMBER_OF]->(m:MechanismModule {name: $module})\n"
        "RETURN n.id AS id, n.name AS name, n.category AS category, r.sign AS sign\n"
        "ORDER BY name, id", {"module": "Decompression"},
        "MATCH (n:Entity)-[r:REL {predicate: \"member_of\"}]->(m:Entity {category: \"mechanism_module\", name: $module})\n"
        "RETURN n.id AS id, n.name AS name, n.category AS category, r.sign AS sign\n"
        "ORDER BY name, id"),
    ReadyQuery(
        "genes linked to a module", "Which genes act on members of a module (e.g. Matrix degradation)?",
        "MATCH (g:Gene)-[r]->(x:Entity)-[:MEMBER_OF]->(m:MechanismModule {name: $module})\n"
        "WHERE type(r) <> \"MEMBER_OF\"\n"
        "RETURN g, r, x ORDER BY r.belief DESC, r.key LIMIT 50", {"module": "Matrix degradation"},
        "MATCH (g:Entity {category: \"gene\"})-[r:REL]->(x:Entity)-[:REL {predicate: \"member_of\"}]->"
        "(m:Entity {category: \"mechanism_module\", name: $module})\n"
        "WHERE r.predicate <> \"member_of\"\n"
        "RETURN g, r, x ORDER BY r.belief DESC, r.key LIMIT 50"),
    ReadyQuery(
        "contested edges", "Which edges have evidence for both signs (contested)?",
        "MATCH (a:Entity)-[r]->(b:Entity)\nWHERE r.contested = true\n"
        "RETURN a, r, b ORDER BY r.belief DESC, r.key LIMIT 100", {},
        "MATCH (x:EdgeIndex) WHERE row_field(x.row, \"contested\") = \"true\"\n"
        "MATCH (a:Entity {id: x.subject})-[r:REL {key: x.key}]->(b:Entity {id: x.object})\n"
        "RETURN a, r, b ORDER BY r.belief DESC, r.key LIMIT 100"),
    ReadyQuery(
        "top-belief edges from a module", "What are the strongest edges leaving the members of a module?",
        "MATCH (m:MechanismModule {name: $module})<-[:MEMBER_OF]-(a:Entity)-[r]->(b:Entity)\n"
        "WHERE type(r) <> \"MEMBER_OF\" AND r.belief >= $min_belief\n"
        "RETURN a, r, b ORDER BY r.belief DESC, r.key LIMIT 25", {"module": "Decompression", "min_belief": 0.5},
        "MATCH (m:Entity {category: \"mechanism_module\", name: $module})<-[:REL {predicate: \"member_of\"}]-"
        "(a:Entity)-[r:REL]->(b:Entity)\n"
        "WHERE r.predicate <> \"member_of\" AND r.belief >= $min_belief\n"
        "RETURN a, r, b ORDER BY r.belief DESC, r.key LIMIT 25"),
    ReadyQuery(
        "edges of an entity", "What does an entity (by symbol or name) act on?",
        "MATCH (a:Entity {name: $name})-[r]->(b:Entity)\n"
        "RETURN a, r, b ORDER BY r.belief DESC, r.key LIMIT 50", {"name": "MMP3"},
        "MATCH (a:Entity {name: $name})-[r:REL]->(b:Entity)\n"
        "RETURN a, r, b ORDER BY r.belief DESC, r.key LIMIT 50"),
    ReadyQuery(
        "evidence for an edge", "Which sentences and papers support one edge (by its key)?",
        "MATCH (v:Evidence {edge_key: $key})\n"
        "RETURN v.citation AS citation, v.source AS source, v.text AS text ORDER BY v.key",
        {"key": "83f4796c531acf3f"},  # TNF up-regulates MMP3
        "MATCH (v:Evidence {edge_key: $key})\n"
        "RETURN row_field(v.row, \"citation\") AS citation, row_field(v.row, \"source\") AS source,\n"
        "       row_field(v.row, \"text\") AS text ORDER BY v.key"),
)


def ready_queries(store: Store | str) -> tuple[ReadyQuery, ...]:
    """The ready queries with ``cypher`` in the dialect of ``store`` (a store or its name).

    >>> ready_queries("ladybug")[0].cypher.startswith("MATCH (n:Entity)-[r:REL")
    True
    """
    d = dialect(store)
    return tuple(replace(q, cypher=q.text(d)) for q in READY_QUERIES)


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
    """Run a read-only Cypher query on any store.

    Returns ``{"columns", "rows", "truncated", "nodes", "relationships", "engine"}``: rows are
    lists in column order; ``nodes`` and ``relationships`` are the graph entities that came back
    (for drawing). Raises :class:`WriteRefused` for writes and :class:`CypherError` for anything
    the store cannot run (with the reason and what to do).

    Example::

        q = ready_queries(store)[0]
        res = run_readonly(store, q.cypher, q.params)
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
    """Graph values (Neo4j's ``{id, labels, properties}``) as flat property dicts, the same on every store."""
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


