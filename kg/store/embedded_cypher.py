"""The embedded store's Cypher: a labelled SUBSET run by grand-cypher over a read-only view.

The view's labels match Neo4j's (``:Entity`` plus the category label on nodes, the predicate in
upper snake case as the relationship type, ``:Evidence`` nodes carrying ``edge_key``), so the
ready queries give the same rows on both stores. Every string literal and every ``$parameter`` is
bound as a value after parsing, never pasted into the query text. Errors are :class:`StoreError`
with a message that says what is supported; the console (:mod:`kg.query.cypher`) checks the query
is read-only before it gets here.
"""
from __future__ import annotations

import ctypes
import re
import threading
import weakref
from typing import Any, Callable, Iterator, Protocol

import networkx as nx

from kg.store import cypher_guard
from kg.store.base import StoreError
from ontology import category_label, predicate_label


class NetworkxStore(Protocol):
    """What this engine reads of the embedded store (which imports this module, not the reverse)."""

    g: nx.MultiDiGraph

    def provenance(self) -> list[dict[str, Any]]: ...

    def stats(self) -> dict[str, Any]: ...

    def iter_evidence(self, ordered: bool = True) -> Iterator[dict[str, Any]]: ...

_PARAM_RE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'', re.DOTALL)
_AGGREGATE_RE = re.compile(r"(?<![\w.$`])(count|sum|avg|min|max|collect)\s*\(", re.I)
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
        raise StoreError(str(exc)) from None


_VIEWS: "weakref.WeakKeyDictionary[Any, tuple[int, nx.MultiDiGraph]]" = weakref.WeakKeyDictionary()
_VIEW_LOCK = threading.Lock()


def embedded_view(store: NetworkxStore) -> nx.MultiDiGraph:
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
            # integer edge keys: grand-cypher loses matches over string-keyed multi-edges; the
            # edge's own key stays in its ``key`` property
            view.edges[s, o, view.add_edge(s, o)].update({"key": k, **d},
                                                         __labels__={predicate_label(d.get("predicate", ""))})
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
        raise StoreError(f"parameter value {value!r} has an unsupported type {type(value).__name__} "
                          "(use strings, numbers, booleans or lists of them)")

    out, pos = [], 0
    masked = cypher_guard.masked(query, strings=False)
    for m in re.finditer(_STRING_RE.pattern + r"|" + _PARAM_RE.pattern, masked, re.DOTALL):
        out.append(query[pos:m.start()])
        text = query[m.start():m.end()]
        if text.startswith("$"):
            name = text[1:]
            if name not in params:
                raise StoreError(f"parameter ${name} has no value; give it in the parameters box "
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
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(t.ident or 0), ctypes.py_object(_Cancelled))
        t.join(2.0)
        raise StoreError(f"The query was stopped after {timeout_s:g} s. Narrow it (labels, properties, "
                          "LIMIT) or use Neo4j for heavy queries.")
    if "error" in box:
        raise box["error"]
    return box["value"]


def run(store: NetworkxStore, query: str, params: dict[str, Any], timeout_s: float, row_limit: int) -> dict[str, Any]:
    masked = _mask(query)
    for rx, what in _UNSUPPORTED:
        if rx.search(masked):
            raise StoreError(f"{what} is not supported on the embedded store. {EMBEDDED_SUBSET}")
    bound, values = bind(query, params)
    bound = _AGGREGATE_RE.sub(lambda m: m.group(1).upper() + "(", bound)  # Cypher's count(…) is COUNT(…) here
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
    except StoreError:
        raise
    except Exception as exc:  # noqa: BLE001 - parser and engine errors become one clear message
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(f"The embedded store could not run this query ({type(exc).__name__}: {first}). "
                          f"{EMBEDDED_SUBSET}") from None
    return _table(_in_return_order(raw, return_items(query)), row_limit)


def return_items(query: str) -> list[str]:
    """The column names the RETURN clause asks for, in its order: the alias, else the expression as written.

    >>> return_items("MATCH (a)-[r]->(b) RETURN b.name, r.belief AS belief, type(r),  id( a ) ORDER BY belief")
    ['b.name', 'belief', 'type(r)', 'id( a )']
    >>> return_items('MATCH (n) RETURN DISTINCT n.name AS `the name`, COUNT(n) LIMIT 3')
    ['the name', 'COUNT(n)']
    """
    try:
        tokens = cypher_guard.tokenize(query)
    except cypher_guard.GuardError:
        return []
    starts = [i for i, t in enumerate(tokens) if t.kind == "word" and t.upper == "RETURN"
              and (i == 0 or tokens[i - 1].text != ".")]
    if not starts:
        return []
    items: list[list[cypher_guard.Token]] = [[]]
    depth = 0
    body = tokens[starts[-1] + 1:]
    if body and body[0].kind == "word" and body[0].upper == "DISTINCT":
        body = body[1:]
    for j, t in enumerate(body):
        if t.text in "([{" and t.kind == "punct":
            depth += 1
        elif t.text in ")]}" and t.kind == "punct":
            depth -= 1
        elif depth == 0 and t.kind == "word" and (t.upper in ("SKIP", "LIMIT") or (
                t.upper == "ORDER" and j + 1 < len(body) and body[j + 1].upper == "BY")):
            break
        elif depth == 0 and t.text in (",", ";") and t.kind == "punct":
            items.append([])
            continue
        items[-1].append(t)
    out = []
    for item in items:
        if not item:
            continue
        if len(item) >= 3 and item[-2].kind == "word" and item[-2].upper == "AS":
            last = item[-1]
            out.append(last.text[1:-1].replace("``", "`") if last.kind == "backtick" else last.text)
        else:
            out.append(query[item[0].start:item[-1].start + len(item[-1].text)])
    return out


def _in_return_order(raw: dict, wanted: list[str]) -> dict:
    """grand-cypher's columns (functions first, ``ID(n)`` upper-cased) in the RETURN clause's order and
    spelling, as Neo4j gives them; unchanged when they cannot all be matched."""
    def norm(name: str) -> str:
        return re.sub(r"\s+", "", str(name)).lower()

    by_norm = {norm(k): k for k in raw}
    if len(by_norm) != len(raw) or len(wanted) != len(raw) or {norm(w) for w in wanted} != set(by_norm):
        return raw
    return {w: raw[by_norm[norm(w)]] for w in wanted}


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
