"""Mechanism path search: ranked, signed, evidence-weighted paths between entities or modules.

Candidates are enumerated over the Store protocol (``edges_of``) and ranked in Python,
so Neo4j and the embedded store give identical answers by construction.

Cost of a path = sum over hops of -log(belief) + hub_weight * sum over inner nodes of
w * log(degree) (Hetionet's degree-weighted path count, w = 0.5). Score = exp(-cost).

>>> # find_paths(store, "Decompression", "NP resorption", expect="increases").paths[0].sign
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from kg.resolve import Endpoint, resolve_entity
from ontology import load_ontology

CONFIG = Path(__file__).parent / "config" / "paths.yaml"
EXPECT = {"increases": 1, "activates": 1, "promotes": 1, "+": 1, "+1": 1, "positive": 1,
          "decreases": -1, "inhibits": -1, "-": -1, "-1": -1, "negative": -1}


class PathQueryError(ValueError):
    """The query itself is impossible (same endpoints, hops out of range, empty filter...)."""


@lru_cache(maxsize=2)
def load_path_config(path: str | None = None) -> dict[str, Any]:
    return yaml.safe_load(Path(path or CONFIG).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class PathQuery:
    source: str
    target: str
    max_hops: int = 4
    k: int = 10
    expect: str | None = None
    predicates: tuple[str, ...] = ()      # allowed predicates (empty = all)
    min_belief: float = 0.0
    species: tuple[str, ...] = ()         # keep edges with evidence in these species
    designs: tuple[str, ...] = ()         # keep edges with evidence of these designs
    sources: tuple[str, ...] = ()         # keep edges with evidence from these sources
    exclude: tuple[str, ...] = ()         # node ids or names never walked through
    hub_limit: int | None = None          # never walk through nodes with a higher degree
    undirected: bool = False              # walk association edges both ways
    time_limit_s: float | None = None
    max_results: int | None = None


@dataclass
class Path_:
    nodes: list[str]
    edges: list[dict[str, Any]]
    edge_signs: list[int]
    start_sign: int
    end_sign: int
    cost_belief: float = 0.0
    cost_hub: float = 0.0
    sign: int = 0
    consistent: bool | None = None
    score: float = 0.0

    def sort_key(self) -> tuple:
        rank = {True: 0, None: 1, False: 2}[self.consistent]
        return (rank, -round(self.score, 12), len(self.edges), tuple(self.nodes), tuple(e["key"] for e in self.edges))


@dataclass
class PathResult:
    query: PathQuery
    source: Endpoint
    target: Endpoint
    paths: list[Path_]
    truncated: bool
    reason: str = ""
    n_candidates: int = 0
    elapsed_s: float = 0.0
    degrees: dict[str, int] = field(default_factory=dict)


class _Adjacency:
    """Edges fetched lazily from a store, per node, with the query's filters applied."""

    def __init__(self, store, q: PathQuery, cfg: dict[str, Any], excluded: set[str]):
        self.store, self.q, self.cfg, self.excluded = store, q, cfg, excluded
        self.onto = load_ontology()
        self.out: dict[str, list[tuple[str, dict[str, Any], int]]] = {}
        self.inn: dict[str, list[tuple[str, dict[str, Any], int]]] = {}
        self.categories: dict[str, str] = {}

    def _keep(self, e: dict[str, Any]) -> bool:
        q = self.q
        if e["predicate"] in self.cfg["set_predicates"]:
            return self.categories.get(e["object"]) in self.cfg["walkable_groups"]
        if q.predicates and e["predicate"] not in q.predicates:
            return False
        if (e.get("belief") or 0.0) < q.min_belief:
            return False
        if q.species and not set(q.species) & set(e.get("species") or ()):
            return False
        if q.designs and not set(q.designs) & set(e.get("designs") or ()):
            return False
        if q.sources and not set(q.sources) & set(e.get("sources") or ()):
            return False
        return True

    def _both_ways(self, e: dict[str, Any]) -> bool:
        if e["predicate"] in self.cfg["set_predicates"]:
            return True  # complex <-> member
        pred = self.onto.predicates.get(e["predicate"])
        return self.q.undirected and pred is not None and not pred.directed

    def _fetch(self, ids: Iterable[str], direction: str) -> None:
        cache = self.out if direction == "out" else self.inn
        todo = sorted({i for i in ids if i not in cache})
        if not todo:
            return
        rows = self.store.edges_of(todo, "both")
        ends = {r["subject"] for r in rows} | {r["object"] for r in rows}
        missing = [n for n in ends if n not in self.categories]
        if missing:
            for nid, n in self.store.nodes(missing).items():
                self.categories[nid] = n.get("category", "")
        for i in todo:
            cache[i] = []
        for e in rows:
            if not self._keep(e):
                continue
            s, o, sign = e["subject"], e["object"], int(e.get("sign") or 0)
            if direction == "out":
                if s in cache:
                    cache[s].append((o, e, sign))
                if self._both_ways(e) and o in cache:
                    cache[o].append((s, e, sign))
            else:
                if o in cache:
                    cache[o].append((s, e, sign))
                if self._both_ways(e) and s in cache:
                    cache[s].append((o, e, sign))
        for i in todo:
            cache[i].sort(key=lambda t: (t[0], t[1]["key"]))

    def neighbours(self, ids: Iterable[str], direction: str) -> dict[str, list]:
        ids = list(ids)
        self._fetch(ids, direction)
        cache = self.out if direction == "out" else self.inn
        return {i: cache[i] for i in ids}


def _excluded_ids(store, names: Iterable[str]) -> set[str]:
    out = set()
    for n in names:
        try:
            out.add(resolve_entity(store, n).id)
        except LookupError:
            out.add(n)
    return out


def validate(q: PathQuery) -> None:
    if not 1 <= q.max_hops <= 6:
        raise PathQueryError(f"max_hops must be between 1 and 6, not {q.max_hops}")
    if not 1 <= q.k <= 50:
        raise PathQueryError(f"k must be between 1 and 50, not {q.k}")
    if not 0.0 <= q.min_belief < 1.0:
        raise PathQueryError(f"min_belief must be in [0, 1), not {q.min_belief}")
    if q.expect is not None and q.expect.lower() not in EXPECT:
        raise PathQueryError(f"expected effect {q.expect!r} not understood (use increases or decreases)")
    onto = load_ontology()
    bad = [p for p in q.predicates if p not in onto.predicates]
    if bad:
        raise PathQueryError(f"unknown predicate(s) {bad}; allowed: {', '.join(sorted(onto.predicates))}")


def find_paths(store, source: str | PathQuery, target: str | None = None, **options: Any) -> PathResult:
    """Ranked signed paths from ``source`` to ``target`` (ids, names, symbols or modules).

    Example::

        res = find_paths(store, "Decompression", "NP resorption", expect="increases", k=5)
        for p in res.paths: print(p.score, p.sign, p.nodes)
    """
    q = source if isinstance(source, PathQuery) else PathQuery(source, target, **options)
    validate(q)
    cfg = load_path_config()
    t0 = time.monotonic()
    src, tgt = resolve_entity(store, q.source), resolve_entity(store, q.target)
    if src.id == tgt.id:
        raise PathQueryError(f"source and target are the same entity ({src.name}); choose two different ones")
    time_limit = q.time_limit_s if q.time_limit_s is not None else cfg["time_limit_s"]
    max_results = min(q.max_results or cfg["max_results"], cfg["max_results"])
    excluded = _excluded_ids(store, q.exclude)
    adj = _Adjacency(store, q, cfg, excluded)
    starts, goals = src.ids(), tgt.ids()
    starts.pop(tgt.id, None)

    # 1. backward distances from the target set, so the forward walk only takes useful steps
    dist: dict[str, int] = {g: 0 for g in goals}
    frontier = sorted(goals)
    for d in range(1, q.max_hops):
        nxt = set()
        for node, nbrs in adj.neighbours(frontier, "in").items():
            for prev, _, _ in nbrs:
                if prev not in dist and prev not in excluded:
                    dist[prev] = d
                    nxt.add(prev)
        frontier = sorted(nxt)
        if not frontier:
            break
    degree_cache: dict[str, int] = {}

    def degree(ids: list[str]) -> None:
        need = [i for i in ids if i not in degree_cache]
        if need:
            degree_cache.update(store.degrees(need))

    # 2. forward depth-first walk along nodes that can still reach the target in time
    found: list[Path_] = []
    truncated, reason, n_cand = False, "", 0
    start_ids = sorted(s for s in starts if s not in excluded and dist.get(s, q.max_hops + 1) <= q.max_hops)
    stack: list[tuple[list[str], list[tuple[dict, int]]]] = [([s], []) for s in reversed(start_ids)]
    while stack:
        if time.monotonic() - t0 > time_limit:
            truncated, reason = True, f"time limit of {time_limit:g} s reached"
            break
        if n_cand >= cfg["candidate_limit"]:
            truncated, reason = True, f"candidate limit of {cfg['candidate_limit']} paths reached"
            break
        nodes, hops = stack.pop()
        last = nodes[-1]
        if hops and last in goals:
            n_cand += 1
            found.append(Path_(nodes, [h[0] for h in hops], [h[1] for h in hops], starts.get(nodes[0], 1),
                               goals[last]))
            continue
        remaining = q.max_hops - len(hops)
        if remaining <= 0:
            continue
        nbrs = adj.neighbours([last], "out")[last]
        if q.hub_limit is not None and len(hops) > 0:
            degree([last])
            if degree_cache[last] > q.hub_limit:
                continue
        last_is_set = bool(hops) and hops[-1][0]["predicate"] in cfg["set_predicates"]
        for nxt, e, sign in reversed(nbrs):
            if last_is_set and e["predicate"] in cfg["set_predicates"]:
                continue  # member -> group -> sibling member is not a mechanism
            if nxt in nodes or nxt in excluded or dist.get(nxt, q.max_hops + 1) > remaining - 1:
                continue
            stack.append((nodes + [nxt], hops + [(e, sign)]))

    expect = EXPECT.get(q.expect.lower()) if q.expect else None
    inner = sorted({n for p in found for n in p.nodes[1:-1]})
    degree(inner)
    for p in found:
        _score(p, degree_cache, cfg, expect)
    # collapse parallel duplicates: same node sequence and sign -> keep the best
    best: dict[tuple, Path_] = {}
    for p in sorted(found, key=Path_.sort_key):
        best.setdefault((tuple(p.nodes), p.sign), p)
    ranked = sorted(best.values(), key=Path_.sort_key)
    if len(ranked) > max_results:
        truncated, reason = True, reason or f"more than {max_results} paths; showing the best"
    return PathResult(q, src, tgt, ranked[: min(q.k, max_results)], truncated, reason, n_cand,
                      round(time.monotonic() - t0, 4), {n: degree_cache.get(n, 0) for n in inner})


def _score(p: Path_, degrees: dict[str, int], cfg: dict[str, Any], expect: int | None) -> None:
    p.cost_belief = sum(-math.log(max(e.get("belief") or 1e-6, 1e-6)) for e in p.edges)
    p.cost_hub = cfg["hub_weight"] * sum(cfg["dwpc_w"] * math.log(max(degrees.get(n, 1), 1)) for n in p.nodes[1:-1])
    p.score = math.exp(-(p.cost_belief + p.cost_hub))
    sign = p.start_sign * p.end_sign
    for s in p.edge_signs:
        sign *= s
    p.sign = sign
    p.consistent = None if expect is None or sign == 0 else sign == expect


def score_parts(p: Path_) -> dict[str, float]:
    """The parts of a path's score, for display next to the total."""
    return {"belief_cost": round(p.cost_belief, 6), "hub_cost": round(p.cost_hub, 6),
            "belief_product": round(math.exp(-p.cost_belief), 6),
            "dwpc_damping": round(math.exp(-p.cost_hub), 6)}
