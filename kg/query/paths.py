"""Mechanism path search: ranked, signed, evidence-weighted paths between entities or modules.

Candidates come from the store's walkable graph, read in one projected query
(:mod:`kg.query.projection`: no memberships into modules or pathways, no evidence), and are
ranked by one Python function, so every store gives identical answers by construction. Only the
endpoints (module members) and, afterwards, the evidence of the paths shown are read per query.

Search: a bidirectional breadth-first sweep over the projection, one *level* at a time (always
expanding the smaller frontier), until forward + backward levels cover ``max_hops``; then a
best-first walk emits complete paths cheapest first and stops as soon as the answer is settled
(no path it has not reached could enter or reorder the ``k`` shown).

Cost of a path = sum over hops of -log(belief) + hub_weight * sum over inner nodes of
w * log(degree) (Hetionet's degree-weighted path count, w = 0.5). Score = exp(-cost).
Sign = product of edge signs and of the membership signs of both endpoints.

>>> from kg.store.embedded import EmbeddedStore
>>> from kg.records.model import Node, Edge
>>> s = EmbeddedStore("/nonexistent/g.json.gz")
>>> s.upsert([Node("HGNC:1", "gene", "A"), Node("HGNC:2", "gene", "B"), Node("HGNC:3", "gene", "C")],
...          [Edge("HGNC:1", "activates", "HGNC:2", 1), Edge("HGNC:2", "inhibits", "HGNC:3", -1)], [])
>>> s.set_edge_props({e["key"]: {"belief": 0.9} for e in s.iter_edges()})
>>> res = find_paths(s, "A", "C", expect="decreases")
>>> [p.nodes for p in res.paths], res.paths[0].sign, res.paths[0].consistent
([['HGNC:1', 'HGNC:2', 'HGNC:3']], -1, True)
"""
from __future__ import annotations

import math
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from kg.query.projection import Projection, project
from kg.query.resolve import Endpoint, EntityNotFound, resolve_entity
from kg.query.walk import FILTERS, filters_removing, load_path_config, walk_rule  # noqa: F401 - FILTERS is part of the answer
from kg.records.bulk import gc_paused
from kg.records.model import STUDY_DESIGNS
from kg.store.base import Store
from ontology import load_ontology

EXPECT = {"increases": 1, "activates": 1, "promotes": 1, "+": 1, "+1": 1, "positive": 1,
          "decreases": -1, "inhibits": -1, "-": -1, "-1": -1, "negative": -1}
MAX_HOPS_RANGE = (1, 6)


class PathQueryError(ValueError):
    """The query itself is impossible (same endpoints, hops out of range, empty filter...)."""


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
    permutations: int = 0                 # > 0: p-value per metapath against XSwap permutations
    seed: int = 0                         # seed of the permutations


@dataclass
class Path_:
    nodes: list[str]
    edges: list[dict[str, Any]]
    edge_signs: list[int]
    start_sign: int
    end_sign: int
    cost_belief: float = 0.0
    cost_hub: float = 0.0
    cost_mechanism: float = 0.0   # associations, keyword memberships, no gene in between
    sign: int = 0
    consistent: bool | None = None
    score: float = 0.0
    metapath: str = ""
    p_value: float | None = None

    def sort_key(self) -> tuple:
        """Consistent first, then best score, fewer hops, then stable ids (deterministic ties)."""
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
    notes: list[str] = field(default_factory=list)
    n_permutations: int = 0


class _Adjacency:
    """Every walkable step of a projection under one query's filters, built once and shared by the
    queries with the same filters (:func:`_adjacency`).

    ``steps[u]`` lists ``(v, edge, sign, step_cost, is_set_edge)`` for each kept edge that lets a
    walk go from ``u`` to ``v``, sorted by ``(v, edge key)``; ``back[v]`` lists the ``u``. The step
    cost is the hop's part of a path's cost: -log(belief) plus the predicate's mechanism cost.
    """

    def __init__(self, graph: Projection, q: PathQuery, cfg: dict[str, Any]):
        self.steps: dict[str, list[tuple[str, dict[str, Any], int, float, bool]]] = {}
        self.back: dict[str, list[str]] = {}
        set_preds = set(cfg["set_predicates"])
        pred_cost = (cfg.get("mechanism") or {}).get("predicate_cost") or {}
        cats = graph.categories
        rules: dict[tuple[str, str | None], str | None] = {}  # walk_rule reads only these two
        for e in graph.rows:
            at = (e["predicate"], cats.get(e["object"]))
            rule = rules[at] if at in rules else rules.setdefault(at, walk_rule(e, cats, cfg, skip=()))
            if rule is None or (rule != "both" and filters_removing(q, e)):  # set edges carry no evidence
                continue
            s, o, sign = e["subject"], e["object"], int(e.get("sign") or 0)
            step = -math.log(max(e.get("belief") or 1e-6, 1e-6)) + pred_cost.get(e["predicate"], 0.0)
            is_set = e["predicate"] in set_preds
            self._add(s, o, e, sign, step, is_set)
            if rule == "both" or (rule == "assoc" and q.undirected):
                self._add(o, s, e, sign, step, is_set)
        for steps in self.steps.values():
            if len(steps) > 1:
                steps.sort(key=lambda t: (t[0], t[1]["key"]))

    def _add(self, u: str, v: str, e: dict[str, Any], sign: int, step: float, is_set: bool) -> None:
        self.steps.setdefault(u, []).append((v, e, sign, step, is_set))
        self.back.setdefault(v, []).append(u)

    def out(self, u: str) -> list[tuple[str, dict[str, Any], int, float, bool]]:
        return self.steps.get(u, [])


def _adjacency(graph: Projection, q: PathQuery, cfg: dict[str, Any]) -> _Adjacency:
    """The projection's adjacency for ``q``'s filters, kept on the projection (a few filter sets)."""
    key = ("adjacency", q.predicates, q.min_belief, q.species, q.designs, q.sources, q.undirected)
    adj = graph.memo.get(key)
    if adj is None:
        if len(graph.memo) >= 8:  # a long-lived app sees few filter sets; keep memory bounded
            graph.memo.pop(next(iter(graph.memo)))
        with gc_paused(freeze=True):  # millions of step tuples on a large graph (kg.records.bulk)
            adj = graph.memo[key] = _Adjacency(graph, q, cfg)
    return adj


def _filter_counts(q: PathQuery, graph: Projection, ids: Iterable[str], cfg: dict[str, Any]) -> tuple[int, Counter]:
    """Mechanism edges touching ``ids`` (set edges excluded), and how many each filter removed."""
    n, removed = 0, Counter[str]()
    for e in graph.edges_of(ids):
        rule = walk_rule(e, graph.categories, cfg, skip=())
        if rule is None or rule == "both":
            continue
        n += 1
        removed.update(filters_removing(q, e))
    return n, removed


def _excluded_ids(store: Store, names: Iterable[str]) -> set[str]:
    out = set()
    for n in names:
        try:
            out.add(resolve_entity(store, n).id)
        except EntityNotFound as exc:
            raise EntityNotFound(f"{n} (in exclude)", exc.suggestions) from None
    return out


def validate(q: PathQuery) -> None:
    """Raise :class:`PathQueryError` naming the bad option; filters that can never match fail here."""
    lo, hi = MAX_HOPS_RANGE
    cfg = load_path_config()
    if not isinstance(q.max_hops, int) or not lo <= q.max_hops <= hi:
        raise PathQueryError(f"max_hops must be between {lo} and {hi}, not {q.max_hops}")
    if not isinstance(q.k, int) or not 1 <= q.k <= cfg["max_results"]:
        raise PathQueryError(f"k must be between 1 and {cfg['max_results']}, not {q.k}")
    if not 0.0 <= q.min_belief < 1.0:
        raise PathQueryError(f"min_belief must be in [0, 1) — belief never reaches 1 — not {q.min_belief}")
    if q.expect is not None and q.expect.lower() not in EXPECT:
        raise PathQueryError(f"expected effect {q.expect!r} not understood (use increases or decreases)")
    onto = load_ontology()
    bad = [p for p in q.predicates if p not in onto.predicates]
    if bad:
        raise PathQueryError(f"unknown predicate(s) {bad}; allowed: {', '.join(sorted(onto.predicates))}")
    walk_only = [p for p in q.predicates if p in cfg["set_predicates"]]
    if walk_only and len(walk_only) == len(q.predicates):
        raise PathQueryError(f"predicate filter {walk_only} keeps only set edges, which are never a mechanism hop")
    bad = [d for d in q.designs if d not in STUDY_DESIGNS]
    if bad:
        raise PathQueryError(f"unknown design(s) {bad}; allowed: {', '.join(STUDY_DESIGNS)}")
    if q.time_limit_s is not None and not q.time_limit_s > 0:
        raise PathQueryError(f"time limit must be positive, not {q.time_limit_s}")
    if q.hub_limit is not None and q.hub_limit < 1:
        raise PathQueryError(f"hub_limit must be at least 1, not {q.hub_limit}")
    if not 0 <= q.permutations <= cfg["max_permutations"]:
        raise PathQueryError(f"permutations must be between 0 and {cfg['max_permutations']}, not {q.permutations}")


def find_paths(store: Store, source: str | PathQuery, target: str | None = None, *,
               graph: Projection | None = None, **options: Any) -> PathResult:
    """Ranked signed paths from ``source`` to ``target`` (ids, names, symbols or modules).

    ``graph`` is the store's walkable projection (:func:`kg.query.projection.cached` for a process
    that asks many queries); without it, it is read for this query.

    Example::

        res = find_paths(store, "Decompression", "NP resorption", expect="increases", k=5)
        for p in res.paths: print(p.score, p.sign, p.nodes)
    """
    q = source if isinstance(source, PathQuery) else PathQuery(source, target or "", **options)
    validate(q)
    cfg = load_path_config()
    t0 = time.monotonic()
    src, tgt = resolve_entity(store, q.source), resolve_entity(store, q.target)
    if src.id == tgt.id:
        raise PathQueryError(f"source and target are the same entity ({src.name}); choose two different ones")
    time_limit = q.time_limit_s if q.time_limit_s is not None else cfg["time_limit_s"]
    max_results = min(q.max_results or cfg["max_results"], cfg["max_results"])
    excluded = _excluded_ids(store, q.exclude)
    starts, goals = src.ids(), tgt.ids()
    starts.pop(tgt.id, None)
    expect = EXPECT.get(q.expect.lower()) if q.expect else None
    search = _Search(store, q, cfg, starts, goals, excluded, t0, time_limit,
                     src.membership_edges, tgt.membership_edges, graph or project(store),
                     _Answer(min(q.k, max_results), cfg.get("max_per_endpoint") or 0, expect))
    found = search.run()
    notes: list[str] = []

    inner = sorted({n for p in found for n in p.nodes[1:-1]})
    search.degree(inner)
    search.categorise(n for p in found for n in p.nodes)
    for p in found:
        ends = (src.membership_edges.get(p.nodes[0]), tgt.membership_edges.get(p.nodes[-1]))
        _score(p, search.degrees, cfg, expect, search.categories, ends)
        p.metapath = metapath_of(p, search.categories)
    # collapse parallel duplicates: same node sequence and sign -> keep the best
    best: dict[tuple, Path_] = {}
    for p in sorted(found, key=Path_.sort_key):
        best.setdefault((tuple(p.nodes), p.sign), p)
    ranked = sorted(best.values(), key=Path_.sort_key)
    truncated, reason = search.truncated, search.reason
    shown = diverse(ranked, min(q.k, max_results), cfg.get("max_per_endpoint") or 0)
    if truncated and not _cut_matters(shown, min(q.k, max_results), expect):
        # best-first search: the paths it ranked are the cheapest there are, so stopping early
        # cannot change this answer; say so as a note, not as a cut
        notes.append(f"{search.reason}; the search is best-first, so the paths shown are the best there are")
        truncated, reason = False, ""
    elif len(ranked) > max_results:
        notes.append(f"more than {max_results} paths; showing the best {len(shown)}")
    if not ranked and not truncated:
        notes.append(_empty_note(q, search, starts, goals))
    # the walk read walk rows only (kg.store.base.WALK_FIELDS): the paths shown get their full rows
    full = store.edges({e["key"] for p in shown for e in p.edges})
    for p in shown:
        p.edges = [full.get(e["key"], e) for e in p.edges]
    n_perm = 0
    if q.permutations and shown:
        from kg.query.permutation import metapath_pvalues

        pv = metapath_pvalues(store, q, cfg, starts, goals, excluded, [p.metapath for p in shown])
        for p in shown:
            p.p_value = pv.get(p.metapath)
        n_perm = q.permutations
    return PathResult(q, src, tgt, shown, truncated, reason, search.n_candidates,
                      round(time.monotonic() - t0, 4), {n: search.degrees.get(n, 0) for n in inner},
                      [n for n in notes if n], n_perm)


@dataclass(frozen=True)
class _Answer:
    """What the answer keeps (``find_paths``' post-processing), so the walk can tell when it is settled."""

    k: int
    per_endpoint: int
    expect: int | None

    def settled(self, found: list[Path_], starts: Iterable[str], goals: Iterable[str]) -> bool:
        """True when no path beyond ``found`` (all of them costlier, and so ranked after the
        agreeing ones found) could change the ``k`` paths :func:`diverse` shows.

        They cannot when the first pass of :func:`diverse` fills ``k`` from ``found`` alone, or
        when every possible start or every possible end is already at its cap (so a later path
        could only top the answer up) and ``found`` holds enough to top it up.
        """
        if self.expect is not None:
            found = [p for p in found if p.consistent]  # agreeing paths rank before all others
        if len(found) < self.k:
            return False
        best: dict[tuple, Path_] = {}
        for p in sorted(found, key=Path_.sort_key):
            best.setdefault((tuple(p.nodes), p.sign), p)
        shown, rest, start_n, end_n = _first_pass(sorted(best.values(), key=Path_.sort_key), self.k,
                                                  self.per_endpoint)
        if len(shown) >= self.k:
            return True
        capped = self.per_endpoint > 0 and (all(start_n[s] >= self.per_endpoint for s in starts)
                                            or all(end_n[g] >= self.per_endpoint for g in goals))
        return capped and len(shown) + len(rest) >= self.k


class _Search:
    """Bidirectional level-by-level sweep of the projection, then a best-first enumeration."""

    def __init__(self, store: Store, q: PathQuery, cfg, starts: dict[str, int], goals: dict[str, int],
                 excluded: set[str], t0: float, time_limit: float,
                 start_edges: dict[str, dict[str, Any]], goal_edges: dict[str, dict[str, Any]],
                 graph: Projection, answer: _Answer):
        self.store, self.q, self.cfg = store, q, cfg
        self.starts, self.goals, self.excluded = starts, goals, excluded
        self.t0, self.time_limit = t0, time_limit
        self.graph, self.answer = graph, answer
        self.adj = _adjacency(graph, q, cfg)
        self.fetched: set[str] = set()        # nodes whose steps the level sweep looked at
        # the projection's own maps, not copies (a per-query copy is a million-edge graph's hot
        # spot); a node outside it (a single-node endpoint) is read from the store and added there,
        # which is right for every query of this graph version
        self.degrees: dict[str, int] = graph.degrees
        self.categories: dict[str, str] = graph.categories
        self.dist: dict[str, int] = {}        # backward distance to the goal set (exact up to `back_levels`)
        self.back_levels = 0
        self.truncated, self.reason, self.n_candidates = False, "", 0
        self.start_edges, self.goal_edges = start_edges, goal_edges  # module endpoints: member -> member_of edge

    def degree(self, ids: Iterable[str]) -> None:
        need = sorted(set(ids).difference(self.degrees))
        if need:
            self.degrees.update(self.store.degrees(need))

    def categorise(self, ids: Iterable[str]) -> None:
        missing = sorted({n for n in ids if n not in self.categories})
        if missing:
            found = self.store.nodes(missing)
            self.categories.update((n, found.get(n, {}).get("category", "")) for n in missing)

    def _over_time(self) -> bool:
        if time.monotonic() - self.t0 > self.time_limit:
            self.truncated, self.reason = True, f"time limit of {self.time_limit:g} s reached"
            return True
        return False

    def _expandable(self, ids: list[str], keep: set[str]) -> list[str]:
        """Nodes of a frontier the walk may pass through (not excluded, not over the hub limit)."""
        ids = [i for i in ids if i not in self.excluded or i in keep]
        if self.q.hub_limit is None:
            return ids
        self.degree(ids)
        return [i for i in ids if i in keep or self.degrees.get(i, 0) <= self.q.hub_limit]

    def lower_bound(self, node: str) -> int:
        return self.dist.get(node, self.back_levels + 1)

    def run(self) -> list[Path_]:
        q, adj = self.q, self.adj
        self.dist = {g: 0 for g in self.goals}
        fwd_seen = set(self.starts)
        fwd = sorted(s for s in self.starts if s not in self.excluded)
        back = sorted(self.goals)
        fwd_levels = 0
        # 1. fetch levels: forward + backward levels must cover max_hops; expand the smaller side.
        #    An empty frontier means that side is exhausted: everything it can reach is known.
        while fwd_levels + self.back_levels < q.max_hops and fwd and back:
            if self._over_time():
                return []
            if len(fwd) <= len(back):
                frontier = self._expandable(fwd, set(self.starts))
                self.fetched.update(frontier)
                nxt = set()
                for u in frontier:
                    for v, *_ in adj.out(u):
                        if v not in fwd_seen and v not in self.goals and v not in self.excluded:
                            fwd_seen.add(v)
                            nxt.add(v)
                fwd, fwd_levels = sorted(nxt), fwd_levels + 1
            else:
                frontier = self._expandable(back, set(self.goals))
                self.fetched.update(frontier)
                d = self.back_levels + 1
                nxt = set()
                for v in frontier:
                    for u in adj.back.get(v, ()):
                        if u not in self.dist:
                            self.dist[u] = d
                            if u not in self.excluded:
                                nxt.add(u)
                back, self.back_levels = sorted(nxt), self.back_levels + 1
        if not back:
            self.back_levels = q.max_hops  # backward search exhausted: distances are exact
        return self._walk()

    def _walk(self) -> list[Path_]:
        """Best-first (A*) enumeration: complete paths come out cheapest first, at their exact cost.

        A partial path's cost ``g`` is -log(belief) of its hops + hub damping of its inner nodes +
        the mechanism costs known so far; it is queued at ``g + h`` where ``h`` is a cost any
        completion must still pay (the hub damping of its last node, which becomes an inner node,
        and the cheapest goal membership; for a goal, its own membership). ``h`` never overstates,
        and a completed path goes back on the heap at its final cost, so paths are emitted in exact
        order of final cost. A partial path's extensions are queued lazily, one at a time in order
        of cost (a cursor into its last node's sorted steps), so a hub costs one entry, not one per
        neighbour. A candidate limit therefore keeps the cheapest paths, never an arbitrary first
        batch, and the walk stops once :meth:`_Answer.settled` says no costlier path can change
        the answer (checked again after the paths that tie with the last one are out).
        """
        import heapq

        q, cfg, adj = self.q, self.cfg, self.adj
        mech = cfg.get("mechanism") or {}
        hub = cfg["hub_weight"] * cfg["dwpc_w"]
        goal_cost = {g: membership_cost(self.goal_edges.get(g), mech) for g in self.goals}
        min_goal = min(goal_cost.values(), default=0.0)
        leave_cost: dict[str, float] = {}

        def leave(v: str) -> float:  # the hub damping a node costs once it is an inner node
            c = leave_cost.get(v)
            if c is None:
                if v not in self.degrees:
                    self.degree([v])
                c = leave_cost[v] = hub * math.log(max(self.degrees.get(v, 1), 1))
            return c

        # per node: its steps as (cost to queue, hops still needed, next, edge, sign, step, is set edge)
        options: dict[str, list[tuple[float, int, str, dict[str, Any], int, float, bool]]] = {}

        def steps_of(u: str) -> list[tuple[float, int, str, dict[str, Any], int, float, bool]]:
            opts = options.get(u)
            if opts is None:
                opts = options[u] = sorted(
                    ((step + (goal_cost[v] if v in self.goals else leave(v) + min_goal), self.lower_bound(v),
                      v, e, sign, step, is_set)
                     for v, e, sign, step, is_set in adj.out(u) if v not in self.excluded),
                    key=lambda t: t[0])  # stable: (node, key) order among equal costs
            return opts

        def next_valid(opts: list, i: int, nodes: list[str], remaining: int, last_is_set: bool) -> int:
            while i < len(opts):
                _, need, nxt, _, _, _, is_set = opts[i]
                # member -> group -> sibling member is not a mechanism; paths are simple
                if need <= remaining - 1 and not (last_is_set and is_set) and nxt not in nodes:
                    return i
                i += 1
            return i

        found: list[Path_] = []
        start_ids = sorted(s for s in self.starts if s not in self.excluded and self.lower_bound(s) <= q.max_hops)
        heap: list = []   # (queue cost, tie, kind, nodes, hops or scored Path_, g, cursor)
        PATH, PARTIAL, CURSOR = 0, 1, 2
        tie = 0
        for s_id in start_ids:
            g = membership_cost(self.start_edges.get(s_id), mech)
            heapq.heappush(heap, (g + min_goal, tie, PARTIAL, [s_id], [], g, 0))
            tie += 1
        n_pops = 0
        settled_at: float | None = None   # cost of the last path when the answer looked settled
        next_check, expect = self.answer.k, self.answer.expect
        while heap:
            n_pops += 1
            if n_pops % 256 == 0 and self._over_time():
                break
            if settled_at is not None and _ranks_below(heap[0][0], settled_at):
                if self.answer.settled(found, start_ids, self.goals):
                    break
                settled_at = None
            if self.n_candidates >= cfg["candidate_limit"]:
                self.truncated = True
                self.reason = f"candidate limit of {cfg['candidate_limit']} paths reached"
                break
            f, _, kind, nodes, hops, g, i = heapq.heappop(heap)
            last = nodes[-1]
            if kind == PATH:
                self.n_candidates += 1
                found.append(hops)
                if settled_at is None and len(found) >= next_check:
                    next_check = len(found) + max(1, len(found) // 4)  # re-rank only now and then
                    if self.answer.settled(found, start_ids, self.goals):
                        settled_at = f
                continue
            if kind == PARTIAL:
                if hops and last in self.goals:
                    p = Path_(nodes, [h[0] for h in hops], [h[1] for h in hops], self.starts.get(nodes[0], 1),
                              self.goals[last])
                    self.categorise(nodes)
                    _score(p, self.degrees, cfg, expect, self.categories,
                           (self.start_edges.get(nodes[0]), self.goal_edges.get(last)))
                    final = p.cost_belief + p.cost_hub + p.cost_mechanism  # >= f: h never overstates
                    heapq.heappush(heap, (final, tie, PATH, nodes, p, final, 0))
                    tie += 1
                    continue
                if len(hops) >= q.max_hops:
                    continue
                if q.hub_limit is not None and hops and self.degrees.get(last, 0) > q.hub_limit:
                    continue
                i = -1  # no extension queued yet: find the first
            # queue the next extension (a cursor entry), and the one this cursor points at
            opts = steps_of(last)
            base = g + (leave(last) if hops else 0.0)  # the node we leave becomes an inner node
            remaining, last_is_set = q.max_hops - len(hops), bool(hops) and hops[-1][2]
            if kind == CURSOR:
                key, _, nxt, e, sign, step, is_set = opts[i]
                heapq.heappush(heap, (f, tie, PARTIAL, nodes + [nxt], hops + [(e, sign, is_set)], base + step, 0))
                tie += 1
            j = next_valid(opts, i + 1, nodes, remaining, last_is_set)
            if j < len(opts):
                heapq.heappush(heap, (base + opts[j][0], tie, CURSOR, nodes, hops, g, j))
                tie += 1
        return found


def _ranks_below(cost: float, settled_cost: float) -> bool:
    """Does every path costing at least ``cost`` rank strictly below one costing ``settled_cost``?
    Ranks compare scores rounded to 12 places (:meth:`Path_.sort_key`); the margin absorbs the
    rounding of costs summed in a different order."""
    return round(math.exp(-(cost - 1e-12)), 12) < round(math.exp(-settled_cost), 12)

def _empty_note(q: PathQuery, search: _Search, starts: dict[str, int], goals: dict[str, int]) -> str:
    """Say why nothing was found: which filter removed the edges, or that nothing connects."""
    # with no filter set nothing was removed: no need to read the edges reached
    filtered = any(getattr(q, name) for name in FILTERS)
    n_rows, removed = _filter_counts(q, search.graph, search.fetched, search.cfg) if filtered else (0, Counter())
    if n_rows and removed:
        parts = [f"{name} removed {removed[name]} of {n_rows}" for name in FILTERS if removed.get(name)]
        every = [name for name in FILTERS if removed.get(name) == n_rows]
        if every:
            return (f"no path: the {' and '.join(every)} filter removed every edge reached "
                    f"({'; '.join(parts)}); relax it")
        return f"no path within {q.max_hops} hops after filtering ({'; '.join(parts)} edges reached)"
    return f"no path of at most {q.max_hops} hops connects the {len(starts)} source and {len(goals)} target node(s)"


def metapath_of(p: Path_, categories: dict[str, str]) -> str:
    """The path's type: node categories and predicates, ``>`` forward, ``<`` walked backwards.

    >>> metapath_of(Path_(["A", "B"], [{"subject": "A", "object": "B", "predicate": "activates"}], [1], 1, 1),
    ...             {"A": "gene", "B": "biological_process"})
    'gene -activates> biological_process'
    """
    parts = [categories.get(p.nodes[0], "?")]
    for i, e in enumerate(p.edges):
        forward = e["subject"] == p.nodes[i]
        parts.append(f"-{e['predicate']}>" if forward else f"<{e['predicate']}-")
        parts.append(categories.get(p.nodes[i + 1], "?"))
    return " ".join(parts)


def _cut_matters(shown: list[Path_], k: int, expect: int | None) -> bool:
    """Could paths the search never reached change the answer? Only if it holds fewer than ``k``
    paths, or (with an expected effect, which ranks agreeing paths first) fewer than ``k`` agreeing ones."""
    if len(shown) < k:
        return True
    return expect is not None and sum(bool(p.consistent) for p in shown) < k


def diverse(ranked: list[Path_], k: int, per_endpoint: int) -> list[Path_]:
    """The best ``k`` paths with at most ``per_endpoint`` sharing a start or an end node, so one hub
    member of a module cannot fill the whole answer; the list is topped up in rank order if short.

    >>> P = lambda a, b: Path_([a, "x", b], [], [], 1, 1)
    >>> [p.nodes[0] + p.nodes[-1] for p in diverse([P("A", "B"), P("A", "C"), P("A", "D"), P("E", "B")], 3, 2)]
    ['AB', 'AC', 'EB']
    """
    if not per_endpoint:
        return ranked[:k]
    shown, rest, _, _ = _first_pass(ranked, k, per_endpoint)
    shown += rest[: k - len(shown)]
    return sorted(shown, key=Path_.sort_key)


def _first_pass(ranked: list[Path_], k: int, per_endpoint: int) -> tuple[list[Path_], list[Path_], Counter, Counter]:
    """:func:`diverse` before its top-up: the paths taken in rank order under the caps, the ones
    passed over, and how many taken paths each start and end node has."""
    starts: Counter = Counter()
    ends: Counter = Counter()
    shown: list[Path_] = []
    rest: list[Path_] = []
    for p in ranked:
        if len(shown) >= k:
            break
        if not per_endpoint or (starts[p.nodes[0]] < per_endpoint and ends[p.nodes[-1]] < per_endpoint):
            shown.append(p)
            starts[p.nodes[0]] += 1
            ends[p.nodes[-1]] += 1
        else:
            rest.append(p)
    return shown, rest, starts, ends


def membership_cost(membership: dict[str, Any] | None, mech: dict[str, Any]) -> float:
    """Cost of reaching a module endpoint through ``membership`` (a member_of edge), or 0."""
    if membership is None:
        return 0.0
    return -math.log(max(membership.get("belief") or 1e-6, 1e-6)) * mech.get("membership_weight", 0.0)


def mechanism_cost(p: Path_, categories: dict[str, str], cfg: dict[str, Any],
                   ends: tuple[dict[str, Any] | None, ...] = ()) -> float:
    """Extra cost of a path that explains little: association hops, weak (keyword) memberships at
    its ends, and no gene between its ends. Weights in ``paths.yaml`` (``mechanism``).

    >>> cfg = {"mechanism": {"predicate_cost": {"associated_with": 1.0}, "no_gene_cost": 0.5}}
    >>> p = Path_(["A", "B", "C"], [{"predicate": "associated_with"}, {"predicate": "activates"}], [0, 1], 1, 1)
    >>> mechanism_cost(p, {"B": "gene"}, cfg), mechanism_cost(p, {"B": "phenotype"}, cfg)
    (1.0, 1.5)
    """
    m = cfg.get("mechanism") or {}
    cost = sum((m.get("predicate_cost") or {}).get(e["predicate"], 0.0) for e in p.edges)
    cost += sum(membership_cost(e, m) for e in ends)  # a weak membership (e.g. a lexicon word) costs
    if not any(categories.get(n) in ("gene", "gene_group") for n in p.nodes[1:-1]):
        cost += m.get("no_gene_cost", 0.0)
    return cost


def _score(p: Path_, degrees: dict[str, int], cfg: dict[str, Any], expect: int | None,
           categories: dict[str, str] | None = None, ends: tuple[dict[str, Any] | None, ...] = ()) -> None:
    p.cost_belief = sum(-math.log(max(e.get("belief") or 1e-6, 1e-6)) for e in p.edges)
    p.cost_hub = cfg["hub_weight"] * sum(cfg["dwpc_w"] * math.log(max(degrees.get(n, 1), 1)) for n in p.nodes[1:-1])
    p.cost_mechanism = mechanism_cost(p, categories or {}, cfg, ends)
    p.score = math.exp(-(p.cost_belief + p.cost_hub + p.cost_mechanism))
    sign = p.start_sign * p.end_sign
    for s in p.edge_signs:
        sign *= s
    p.sign = sign
    p.consistent = None if expect is None or sign == 0 else sign == expect


def score_parts(p: Path_) -> dict[str, float]:
    """The parts of a path's score, for display next to the total."""
    return {"belief_cost": round(p.cost_belief, 6), "hub_cost": round(p.cost_hub, 6),
            "mechanism_cost": round(p.cost_mechanism, 6),
            "belief_product": round(math.exp(-p.cost_belief), 6),
            "dwpc_damping": round(math.exp(-p.cost_hub), 6)}
