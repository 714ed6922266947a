"""Degree-preserving permutations (XSwap) and metapath p-values for path answers.

A path's *type* (metapath) is the sequence of node categories and predicates it walks, e.g.
``gene -downregulates_expression> gene``. Its damped path count between the query's source and
target sums, over every path of that type, the product of ``degree ** -w`` over the inner nodes:
the path score's own hub damping, so a p-value speaks of what the ranking counted. (Hetionet's DWPC,
which damps both ends of every edge, is :func:`kg.analysis.linkpred.dwpc`.) The p-value is the fraction of
degree-preserving permutations of the graph (XSwap, as in Hetionet: swap the ends of two edges
of the same predicate and end categories, never creating a duplicate or a self-loop) in which
the damped count is at least the observed one. Permutations are seeded and chained, so answers are
deterministic and identical on every store.

>>> pairs = [("a", "x"), ("b", "y"), ("c", "z")]
>>> out = xswap(pairs, random.Random(0), 30)
>>> sorted(s for s, _ in out) == ["a", "b", "c"] and sorted(o for _, o in out) == ["x", "y", "z"]
True
"""
from __future__ import annotations

import random
from typing import Any, Iterable

from kg.query.walk import kept, walk_rule
from kg.store.base import Store

Step = tuple[str, bool, str]  # (predicate, walked forward?, category reached)
Group = tuple[str, str, str]  # (predicate, subject category, object category): a metaedge


def parse_metapath(metapath: str) -> tuple[str, list[Step]]:
    """``"gene -activates> process"`` -> ``("gene", [("activates", True, "process")])``."""
    tokens = metapath.split(" ")
    if len(tokens) < 3 or len(tokens) % 2 == 0:
        raise ValueError(f"not a metapath: {metapath!r}")
    steps = []
    for i in range(1, len(tokens), 2):
        t = tokens[i]
        if t.startswith("-") and t.endswith(">"):
            steps.append((t[1:-1], True, tokens[i + 1]))
        elif t.startswith("<") and t.endswith("-"):
            steps.append((t[1:-1], False, tokens[i + 1]))
        else:
            raise ValueError(f"bad step {t!r} in metapath {metapath!r}")
    return tokens[0], steps


def metaedges(metapath: str) -> list[Group]:
    """The metaedges (edge groups that XSwap permutes) a metapath walks."""
    cat, steps = parse_metapath(metapath)
    out = []
    for pred, forward, nxt in steps:
        out.append((pred, cat, nxt) if forward else (pred, nxt, cat))
        cat = nxt
    return out


def xswap(pairs: list[tuple[str, str]], rng: random.Random, attempts: int) -> list[tuple[str, str]]:
    """Swap the objects of random edge pairs ``attempts`` times; degrees of every node are kept.

    A swap (a→b, c→d) → (a→d, c→b) is skipped when it would make a self-loop or an edge that
    already exists (Hetionet's ``permute_pair_list``).
    """
    pairs = list(pairs)
    present = set(pairs)
    n = len(pairs)
    if n < 2:
        return pairs
    for _ in range(attempts):
        i, j = rng.randrange(n), rng.randrange(n)
        if i == j:
            continue
        (a, b), (c, d) = pairs[i], pairs[j]
        if a == d or c == b or a == c or b == d:
            continue
        new1, new2 = (a, d), (c, b)
        if new1 in present or new2 in present:
            continue
        present.difference_update(((a, b), (c, d)))
        present.update((new1, new2))
        pairs[i], pairs[j] = new1, new2
    return pairs


def damped_path_count(groups: dict[Group, list[tuple[str, str]]], metapath: str, starts: Iterable[str],
         goals: set[str], degrees: dict[str, int], w: float, excluded: set[str] | frozenset[str] = frozenset(),
         hub_limit: int | None = None) -> float:
    """Hub-damped count of simple paths of type ``metapath`` from ``starts`` to ``goals``:
    sum over paths of prod over inner nodes of ``degree ** -w``.

    Inner nodes are never goals, excluded or above ``hub_limit`` (the path search's rules).

    >>> g = {("activates", "gene", "gene"): [("A", "B"), ("B", "C")]}
    >>> round(damped_path_count(g, "gene -activates> gene -activates> gene", ["A"], {"C"}, {"B": 4}, 0.5), 6)
    0.5
    """
    first, steps = parse_metapath(metapath)
    adj: list[dict[str, list[str]]] = []
    cat = first
    for pred, forward, nxt in steps:
        group = (pred, cat, nxt) if forward else (pred, nxt, cat)
        table: dict[str, list[str]] = {}
        for s, o in groups.get(group, ()):
            u, v = (s, o) if forward else (o, s)
            table.setdefault(u, []).append(v)
        adj.append(table)
        cat = nxt
    damp: dict[str, float] = {}

    def weight(n: str) -> float:
        if n not in damp:
            damp[n] = max(degrees.get(n, 1), 1) ** -w
        return damp[n]

    last = len(steps) - 1
    total = 0.0
    for s in sorted(set(starts)):
        stack: list[tuple[str, int, float, tuple[str, ...]]] = [(s, 0, 1.0, (s,))]
        while stack:
            node, i, acc, seen = stack.pop()
            for v in adj[i].get(node, ()):
                if v in seen:
                    continue
                if i == last:
                    if v in goals:
                        total += acc
                    continue
                if v in goals or v in excluded:
                    continue
                if hub_limit is not None and degrees.get(v, 0) > hub_limit:
                    continue
                stack.append((v, i + 1, acc * weight(v), seen + (v,)))
    return total


def metapath_pvalues(store: Store, q, cfg: dict[str, Any], starts: dict[str, int], goals: dict[str, int],
                     excluded: set[str], metapaths: list[str]) -> dict[str, float]:
    """p-value per metapath: share of ``q.permutations`` XSwap permutations whose damped path count
    is at least the observed one.

    Only the metaedges the metapaths walk are read and permuted (swaps never cross metaedges,
    and every node keeps its degree, so the other edges cannot change these counts).
    """
    wanted = sorted({g for m in set(metapaths) for g in metaedges(m)})
    categories = {n["id"]: n.get("category", "") for n in store.iter_nodes()}
    set_preds = set(cfg["set_predicates"])
    degrees: dict[str, int] = {}
    groups: dict[Group, list[tuple[str, str]]] = {g: [] for g in wanted}
    for e in store.iter_edges():
        s, o = e["subject"], e["object"]
        degrees[s] = degrees.get(s, 0) + 1
        degrees[o] = degrees.get(o, 0) + 1
        g = (e["predicate"], categories.get(s, ""), categories.get(o, ""))
        if g not in groups:
            continue
        if walk_rule(e, categories, cfg, skip=()) is None or not kept(q, e, cfg):
            continue  # the path search's own rules: same graph, same walks
        groups[g].append((s, o))
    for g in groups:
        groups[g] = sorted(set(groups[g]))
    goal_set = set(goals)
    w = cfg["dwpc_w"]
    kwargs = {"excluded": excluded, "hub_limit": q.hub_limit}
    observed = {m: damped_path_count(groups, m, starts, goal_set, degrees, w, **kwargs) for m in sorted(set(metapaths))}
    hits = {m: 0 for m in observed}
    rng = random.Random(q.seed)
    permuted = dict(groups)
    for _ in range(q.permutations):
        for g in wanted:
            if g[0] in set_preds:
                continue  # group membership is structure, not a mechanism claim: kept fixed
            permuted[g] = xswap(permuted[g], rng, cfg["xswap_multiplier"] * len(permuted[g]))
        for m, obs in observed.items():
            if damped_path_count(permuted, m, starts, goal_set, degrees, w, **kwargs) >= obs - 1e-12 * max(1.0, obs):
                hits[m] += 1
    return {m: round(hits[m] / q.permutations, 6) for m in observed}


__all__ = ["damped_path_count", "metaedges", "metapath_pvalues", "parse_metapath", "xswap"]
