"""Link prediction over the mechanism graph: plain functions on a networkx view of a store.

The view follows the path engine's walking rules (``ontology/config/paths.yaml``): set-defining
``member_of`` edges (gene -> module, gene -> pathway) are left out, ``member_of`` into a
complex or family is walkable both ways, and ``measured_in`` (gene -> experiment) is never
a mechanism. Scores:

- ``belief_paths``: sum over directed paths of prod(belief) * prod(inner degree ** -w), the
  score of :func:`kg.query.paths.find_paths` summed over every path (w = 0.5, Hetionet's damping);
- ``adamic_adar`` / ``resource_allocation``: common neighbours weighted by 1/log(deg) and 1/deg;
- ``dwpc``: Hetionet's degree-weighted path count per metapath (tuple of categories);
- ``preferential_attachment``: deg(u) * deg(v), the hub-only baseline.

>>> G = view_from_rows([{"id": i, "category": "gene"} for i in "abcd"],
...     [{"key": k, "subject": s, "object": o, "predicate": "activates", "sign": 1, "belief": 0.9}
...      for k, s, o in [("1", "a", "b"), ("2", "b", "c"), ("3", "a", "d"), ("4", "d", "c")]])
>>> U = undirected(G)
>>> round(resource_allocation(U, "a", "c"), 3)
1.0
>>> sorted(belief_paths(G, "a", max_hops=2))
['b', 'c', 'd']
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import networkx as nx

from kg.query.paths import Path_, PathQuery, metapath_of
from kg.query.walk import NON_MECHANISM, SET_CATEGORIES, kept, load_path_config, walk_rule  # noqa: F401 - re-exported
from kg.store.base import Store


def keep_edge(e: dict[str, Any], *, predicates: Iterable[str] = (), min_belief: float = 0.0,
              species: Iterable[str] = (), designs: Iterable[str] = (), sources: Iterable[str] = ()) -> bool:
    """The path engine's edge filters (predicate, belief, evidence context); set edges always pass."""
    return kept(PathQuery("", "", predicates=tuple(predicates), min_belief=min_belief, species=tuple(species),
                          designs=tuple(designs), sources=tuple(sources)), e)


def view_from_rows(nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]], *,
                   undirected_associations: bool = False, **filters: Any) -> nx.MultiDiGraph:
    """A directed multigraph of walkable mechanism edges (node attrs: category, name).

    Association edges (``binds``, ``associated_with``) are kept with ``walk="assoc"``; they
    are walked both ways when ``undirected_associations`` is true and only by
    :func:`undirected` otherwise.
    """
    G = nx.MultiDiGraph()
    categories: dict[str, str] = {}
    for n in nodes:
        G.add_node(n["id"], category=n.get("category", ""), name=n.get("name", n["id"]))
        categories[n["id"]] = n.get("category", "")
    for e in edges:
        rule = walk_rule(e, categories)
        if rule is None or e["subject"] not in G or e["object"] not in G or not keep_edge(e, **filters):
            continue
        data = {"edge_key": e["key"], "subject": e["subject"], "predicate": e["predicate"], "object": e["object"],
                "sign": int(e.get("sign") or 0),
                "belief": float(e.get("belief") or 0.0)}
        walk = "both" if rule == "assoc" and undirected_associations else rule
        G.add_edge(e["subject"], e["object"], key=e["key"], walk=walk, **data)
        if walk == "both":
            G.add_edge(e["object"], e["subject"], key=e["key"] + "~", walk="both", **data)
    return G


def mechanism_view(store: Store, **options: Any) -> nx.MultiDiGraph:
    """:func:`view_from_rows` over a whole store (``iter_nodes`` + ``iter_edges``)."""
    return view_from_rows(store.iter_nodes(), store.iter_edges(), **options)


def undirected(G: nx.MultiDiGraph) -> nx.Graph:
    """Simple undirected topology of a view (every walkable or association edge, once)."""
    U = nx.Graph()
    U.add_nodes_from(G.nodes(data=True))
    for u, v in G.edges():
        if u != v:
            U.add_edge(u, v)
    return U


def linked(G: nx.MultiDiGraph, u: str, v: str) -> bool:
    """True when a direct edge joins ``u`` and ``v`` in either direction."""
    return G.has_edge(u, v) or G.has_edge(v, u)


def adamic_adar(U: nx.Graph, u: str, v: str) -> float:
    """Sum over common neighbours z of 1 / log(deg z) (a common neighbour has degree >= 2)."""
    return sum(1.0 / math.log(U.degree(z)) for z in sorted(nx.common_neighbors(U, u, v)))


def resource_allocation(U: nx.Graph, u: str, v: str) -> float:
    """Sum over common neighbours z of 1 / deg z."""
    return sum(1.0 / U.degree(z) for z in sorted(nx.common_neighbors(U, u, v)))


def preferential_attachment(U: nx.Graph, u: str, v: str) -> float:
    """deg(u) * deg(v): the hub-only baseline every other score must beat."""
    return float(U.degree(u) * U.degree(v)) if u in U and v in U else 0.0


def dwpc(U: nx.Graph, u: str, v: str | None = None, *, max_len: int = 3, w: float = 0.5) -> dict[str, dict[str, float]]:
    """Degree-weighted path counts from ``u`` per target and metapath (Hetionet, Himmelstein 2017).

    Each simple path contributes prod over its edges (a, b) of (deg a * deg b) ** -w; paths are
    grouped by the node categories they pass, written ``gene - gene - biological_process``.
    Returns ``{target: {metapath: value}}`` (only ``v`` when given); 1-hop paths are left out.
    """
    out: dict[str, dict[str, float]] = {}
    if u not in U:
        return out
    cat = nx.get_node_attributes(U, "category")
    deg = dict(U.degree())
    stack: list[tuple[list[str], float]] = [([u], 1.0)]
    while stack:
        path, pdp = stack.pop()
        last = path[-1]
        if len(path) >= 3 and (v is None or last == v):
            mp = " - ".join(cat.get(n, "") for n in path)
            row = out.setdefault(last, {})
            row[mp] = row.get(mp, 0.0) + pdp
        if len(path) - 1 >= max_len or (v is not None and last == v and len(path) > 1):
            continue
        for nxt in sorted(U.neighbors(last)):
            if nxt not in path:
                stack.append((path + [nxt], pdp * (deg[last] * deg[nxt]) ** -w))
    return out


@dataclass
class PathTally:
    """Belief-weighted, hub-damped path count from one source to one target."""

    score: float = 0.0
    n_paths: int = 0
    best: float = 0.0
    signed: float = 0.0          # sum of score * sign: its sign is the expected effect
    via: dict[str, float] = field(default_factory=dict)  # inner node -> share of the score
    metapaths: dict[str, float] = field(default_factory=dict)

    @property
    def sign(self) -> int:
        if abs(self.signed) < 1e-12:
            return 0
        return 1 if self.signed > 0 else -1


def belief_paths(G: nx.MultiDiGraph, source: str, targets: Iterable[str] | None = None, *, max_hops: int = 3,
                 min_hops: int = 1, w: float = 0.5, degree: Mapping[str, int] | None = None,
                 exclude: Iterable[str] = (), set_ends: bool = True) -> dict[str, PathTally]:
    """Tally every directed simple path of ``min_hops``..``max_hops`` from ``source``.

    A path scores prod(belief) * prod(inner degree ** -w), as in :mod:`kg.query.paths`; parallel
    paths over the same nodes with the same sign count once (the best), as in ``find_paths``.
    ``degree`` gives node degrees (default: the view's own); ``exclude`` nodes are never entered.
    ``set_ends=False`` drops paths that begin or end with a membership hop (group -> member ->
    x only restates what the member does).
    """
    if source not in G:
        return {}
    wanted = set(targets) if targets is not None else None
    blocked = set(exclude)
    deg = degree if degree is not None else dict(G.degree())
    cat = nx.get_node_attributes(G, "category")
    best: dict[tuple[tuple[str, ...], int], tuple[float, str]] = {}
    set_preds = set(load_path_config()["set_predicates"])
    stack: list[tuple[list[str], list[dict], float, int, bool]] = [([source], [], 1.0, 1, False)]
    while stack:
        nodes, edges, prod, sign, after_set = stack.pop()
        hops = len(nodes) - 1
        last = nodes[-1]
        ends_ok = set_ends or not edges or (edges[0]["predicate"] not in set_preds
                                            and edges[-1]["predicate"] not in set_preds)
        if hops >= min_hops and (wanted is None or last in wanted) and ends_ok:
            inner = nodes[1:-1]
            score = prod * math.prod(max(deg.get(n, 1), 1) ** -w for n in inner)
            k = (tuple(nodes), sign)
            if score > best.get(k, (0.0, ""))[0]:
                best[k] = (score, metapath_of(Path_(nodes, edges, [], 1, 1), cat))
        if hops >= max_hops:
            continue
        for _, nxt, data in sorted(G.out_edges(last, data=True), key=lambda t: (t[1], t[2]["edge_key"])):
            is_set = data["predicate"] in set_preds
            if data["walk"] == "assoc" or nxt in nodes or nxt in blocked or (after_set and is_set):
                continue  # member -> group -> sibling member is not a mechanism (as in find_paths)
            stack.append((nodes + [nxt], edges + [data], prod * max(data["belief"], 1e-6), sign * data["sign"],
                          is_set))
    out: dict[str, PathTally] = {}
    for (walked, sign), (score, mp) in sorted(best.items()):
        t = out.setdefault(walked[-1], PathTally())
        t.score += score
        t.n_paths += 1
        t.best = max(t.best, score)
        t.signed += score * sign
        for n in walked[1:-1]:
            t.via[n] = t.via.get(n, 0.0) + score
        t.metapaths[mp] = t.metapaths.get(mp, 0.0) + score
    return out
