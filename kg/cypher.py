"""The read-only Cypher console: ready queries, a write guard, and one entry point for both stores.

On Neo4j the query runs as written in a READ transaction (``store.read_cypher``), with a timeout
and a row limit. On the embedded store it runs a labelled SUBSET of Cypher with grand-cypher over
a read-only view of the networkx graph whose labels match Neo4j's (``:Entity`` plus the category
label on nodes, the predicate in upper snake case as the relationship type, ``:Evidence`` nodes
carrying ``edge_key``), so the ready queries give the same rows on both stores.

Write clauses are refused before anything runs, on both stores. User text reaches the engine only
as the query itself plus parameters: on the embedded store every string literal and every
``$parameter`` is bound as a value after parsing, never pasted into the query text.

>>> check_readonly("MATCH (n) RETURN n.name LIMIT 3")
>>> check_readonly("MATCH (n) DETACH DELETE n")
Traceback (most recent call last):
...
kg.cypher.WriteRefused: Refused: this console is read-only and the query contains DETACH (line 1, column 11). Nothing was run and the graph is unchanged.
"""
from __future__ import annotations

import ctypes
import re
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any, Callable

import networkx as nx

from kg import cypher_guard
from kg.graphview import category_label, predicate_label


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

_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', re.DOTALL)
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f"}

#: What the embedded store understands (shown with every "unsupported" error).
EMBEDDED_SUBSET = (
    "The embedded store runs a SUBSET of Cypher (grand-cypher): MATCH (one or more patterns) … "
    "WHERE … RETURN [DISTINCT] … [AS …] ORDER BY … SKIP … LIMIT; node labels (:Entity, :Gene, "
    ":MechanismModule, :Evidence, …), relationship types (:MEMBER_OF|ACTIVATES), directed patterns "
    "and variable-length hops (-[*1..3]->); =, <>, <, >, CONTAINS, STARTS WITH, IN [...], AND/OR/NOT; "
    "COUNT/SUM/AVG/MIN/MAX/COLLECT; type(), id(), toLower(), size(); \"strings\", 'strings' and $parameters. "
    "Not supported: OPTIONAL MATCH, WITH, UNWIND, UNION, CALL, undirected patterns (a)-[r]-(b), "
    "list/map expressions in RETURN. For full Cypher use Neo4j: `kg neo4j start` (or `docker compose up`), "
    "`KG_STORE=neo4j kg build`, then run the app with KG_STORE=neo4j.")
_UNSUPPORTED = [
    (re.compile(r"\bOPTIONAL\s+MATCH\b", re.I), "OPTIONAL MATCH"),
    (re.compile(r"\bWITH\b", re.I), "WITH"),
    (re.compile(r"\bUNWIND\b", re.I), "UNWIND"),
    (re.compile(r"\bUNION\b", re.I), "UNION"),
    (re.compile(r"\bCALL\b", re.I), "CALL"),
    # an edge pattern with an arrow on neither side: grand-cypher would silently match nothing
    (re.compile(r"\)\s*-\s*(?:\[[^\]]*\]\s*)?-\s*\("), "an undirected pattern (a)-[r]-(b)"),
]


def _mask(query: str) -> str:
    """The query with string literals and comments blanked, so keywords inside them never count."""
    try:
        return cypher_guard.masked(query)
    except cypher_guard.GuardError as exc:
        raise CypherError(str(exc)) from None


def check_readonly(query: str) -> None:
    """Raise :class:`WriteRefused` unless ``query`` is one read-only statement (see :mod:`kg.cypher_guard`)."""
    try:
        cypher_guard.check(query)
    except cypher_guard.Refused as exc:
        raise WriteRefused(str(exc)) from None
    except cypher_guard.GuardError as exc:
        raise CypherError(str(exc)) from None


def _without_final_semicolon(query: str) -> str:
    last = cypher_guard.tokenize(query)[-1]
    return query[:last.start] if last.text == ";" else query


def run_readonly(store, query: str, params: dict[str, Any] | None = None, timeout_s: float = 10,
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
    if hasattr(store, "read_cypher"):
        from kg.store import StoreError  # noqa: PLC0415 - stores are optional at import time

        try:
            res = store.read_cypher(query, params, timeout_s=timeout_s, row_limit=row_limit)
        except StoreError as exc:  # a typo or a timeout is the query's problem, not the connection's
            if getattr(exc, "unreachable", False):
                raise
            raise CypherError(str(exc)) from None
        return _normalise_neo4j(res)
    if isinstance(getattr(store, "g", None), nx.Graph):
        return _run_embedded(store, query, params, timeout_s, row_limit)
    raise CypherError(f"The {getattr(store, 'name', '?')} store cannot run Cypher.")


def _normalise_neo4j(res: dict[str, Any]) -> dict[str, Any]:
    """Neo4j's graph values (``{id, labels, properties}``) as the same flat property dicts as embedded."""
    return {"columns": list(res.get("columns") or []),
            "rows": [[_flatten(v) for v in r] for r in res.get("rows") or []],
            "truncated": bool(res.get("truncated")),
            "nodes": [_flatten(n) for n in res.get("nodes") or []],
            "relationships": [_flatten(r) for r in res.get("relationships") or []], "engine": "neo4j"}


def _flatten(v: Any) -> Any:
    if isinstance(v, dict) and "properties" in v and ("labels" in v or "type" in v):
        return dict(v["properties"])
    if isinstance(v, dict):
        return {k: _flatten(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_flatten(x) for x in v]
    return v


# -- embedded: grand-cypher over a labelled view ----------------------------------------------
_VIEWS: "weakref.WeakKeyDictionary[Any, tuple[int, nx.MultiDiGraph]]" = weakref.WeakKeyDictionary()
_VIEW_LOCK = threading.Lock()


def embedded_view(store) -> nx.MultiDiGraph:
    """A labelled copy of the embedded graph (the store's own graph is never touched).

    Rebuilt when the store's content changes (its node/edge/evidence counts and provenance).
    """
    stamp = hash((store.g.number_of_nodes(), store.g.number_of_edges(),
                  repr(store.provenance()), store.stats().get("evidence")))
    with _VIEW_LOCK:
        hit = _VIEWS.get(store)
        if hit and hit[0] == stamp:
            return hit[1]
        view = nx.MultiDiGraph()
        for nid, d in store.g.nodes(data=True):
            view.add_node(nid, **dict(d), __labels__={"Entity", category_label(d.get("category", ""))})
        for s, o, k, d in store.g.edges(keys=True, data=True):
            view.add_edge(s, o, k)
            view.edges[s, o, k].update(d, __labels__={predicate_label(d.get("predicate", ""))})
        for ev in store.iter_evidence():  # as Neo4j holds them: (:Evidence {key, edge_key, citation, …})
            view.add_node(f"evidence:{ev['key']}", **ev, __labels__={"Evidence"})
        _VIEWS[store] = (stamp, view)
        return view


def _decode_string(literal: str) -> str:
    body, out, i = literal[1:-1], [], 0
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", body[i + 2:i + 6]):
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
            out.append(_ESCAPES.get(nxt, "\\" + nxt))
            i += 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


def bind(query: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """Replace string literals and ``$parameters`` by placeholders; return (query, placeholder -> value).

    Numbers and booleans are written as literals (their text is produced here, never taken from
    the user); strings and lists of strings are bound after parsing.

    >>> q, values = bind('MATCH (n {name: $name}) WHERE n.x = "a" RETURN n', {"name": 'x" OR 1=1'})
    >>> q
    'MATCH (n {name: "__kgv0__"}) WHERE n.x = "__kgv1__" RETURN n'
    >>> values["__kgv0__"]
    'x" OR 1=1'
    """
    values: dict[str, Any] = {}

    def slot(value: Any) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if value is None:
            return "null"
        if isinstance(value, int):
            return str(int(value))
        if isinstance(value, float):
            return repr(float(value))
        if isinstance(value, str):
            name = f"__kgv{len(values)}__"
            values[name] = value
            return f'"{name}"'
        if isinstance(value, (list, tuple)):
            return "[" + ", ".join(slot(v) for v in value) + "]"
        raise CypherError(f"parameter value {value!r} has an unsupported type {type(value).__name__} "
                          "(use strings, numbers, booleans or lists of them)")

    out, pos = [], 0
    masked = cypher_guard.masked(query, strings=False)
    for m in re.finditer(_STRING_RE.pattern + r"|" + _PARAM_RE.pattern, masked, re.DOTALL):
        out.append(query[pos:m.start()])
        text = query[m.start():m.end()]
        if text.startswith("$"):
            name = text[1:]
            if name not in params:
                raise CypherError(f"parameter ${name} has no value; give it in the parameters box "
                                  f"(known: {', '.join(sorted(params)) or 'none'})")
            out.append(slot(params[name]))
        else:
            out.append(slot(_decode_string(text)))
        pos = m.end()
    out.append(query[pos:])
    return "".join(out), values


class _Cancelled(BaseException):
    """Raised inside a worker thread to stop a query past its timeout."""


def _call_with_timeout(fn: Callable[[], Any], timeout_s: float) -> Any:
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - carried back to the caller
            box["error"] = exc

    t = threading.Thread(target=target, name="kg-cypher", daemon=True)
    t.start()
    t.join(timeout_s)
    if t.is_alive():
        # grand-cypher is pure Python: an asynchronous exception stops it at the next bytecode.
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(t.ident), ctypes.py_object(_Cancelled))
        t.join(2.0)
        raise CypherError(f"The query was stopped after {timeout_s:g} s. Narrow it (labels, properties, "
                          "LIMIT) or use Neo4j for heavy queries.")
    if "error" in box:
        raise box["error"]
    return box["value"]


def _run_embedded(store, query: str, params: dict[str, Any], timeout_s: float, row_limit: int) -> dict[str, Any]:
    masked = _mask(query)
    for rx, what in _UNSUPPORTED:
        if rx.search(masked):
            raise CypherError(f"{what} is not supported on the embedded store. {EMBEDDED_SUBSET}")
    bound, values = bind(query, params)
    view = embedded_view(store)

    def run() -> dict:
        from grandcypher import GrandCypherTransformer, _GrandCypherGrammar  # noqa: PLC0415

        class Bound(GrandCypherTransformer):
            def ESTRING(self, token):  # noqa: N802 - lark terminal callback
                text = str(token)
                return values[text[1:-1]] if text[1:-1] in values else _decode_string(text)

        t = Bound(view, row_limit + 1)
        t.transform(_GrandCypherGrammar.parse(bound))
        return t._executors[0].returns()

    try:
        raw = _call_with_timeout(run, timeout_s)
    except CypherError:
        raise
    except Exception as exc:  # noqa: BLE001 - parser and engine errors become one clear message
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise CypherError(f"The embedded store could not run this query ({type(exc).__name__}: {first}). "
                          f"{EMBEDDED_SUBSET}") from None
    return _table(raw, row_limit)


def _table(raw: dict, row_limit: int) -> dict[str, Any]:
    columns = [str(c) for c in raw]
    cols = list(raw.values())
    n = max((len(c) for c in cols), default=0)
    nodes: dict[str, dict] = {}
    rels: dict[str, dict] = {}
    rows = []
    for i in range(min(n, row_limit)):
        rows.append([_cell(c[i] if i < len(c) else None, nodes, rels) for c in cols])
    return {"columns": columns, "rows": rows, "truncated": n > row_limit, "nodes": list(nodes.values()),
            "relationships": list(rels.values()), "engine": "embedded (grand-cypher subset)"}


def _cell(value: Any, nodes: dict, rels: dict) -> Any:
    """A JSON-ready cell; graph entities are also collected for drawing."""
    if isinstance(value, dict) and "__labels__" in value:
        clean = {k: _plain(v) for k, v in value.items() if k != "__labels__"}
        if {"subject", "predicate", "object"} <= clean.keys():
            rels.setdefault(clean.get("key") or str(len(rels)), clean)
        elif "id" in clean:
            nodes.setdefault(clean["id"], clean)
        return clean
    if isinstance(value, list) and len(value) >= 3 and isinstance(value[1], dict):  # a path
        out = []
        for j, part in enumerate(value):
            if j % 2 == 0:
                out.append(part)
            else:
                out.append([_cell(d, nodes, rels) for d in part.values()])
        return out
    return _plain(value)


def _plain(v: Any) -> Any:
    if isinstance(v, (set, frozenset, tuple)):
        return sorted(v, key=str) if isinstance(v, (set, frozenset)) else list(v)
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x) for x in v]
    return v
