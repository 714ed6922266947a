"""Time-sliced self-test of link prediction: hide what was published after a year, predict it back.

The graph "as of" year Y holds the edges whose first dated, non-negated evidence is from Y or
earlier. Every pair of its nodes without an edge is a candidate; the positives are the pairs that
get their first edge after Y. Each method ranks the candidates and is scored by AUROC, hits@k and
the mean rank of the positives; preferential attachment (deg u * deg v) runs in the same pass as the
baseline, so hub bias shows.

Undated edges (curated facts carry no year) are, by default, left out of both slices
(``undated="exclude"``): they cannot be placed in time. ``undated="known"`` puts them in the
"before" graph instead, as background knowledge that is never a positive.

Pairs are all non-adjacent node pairs when there are at most ``max_candidates``; otherwise the
positives plus a seeded random sample of negatives (the report says so).

>>> # report = timeslice(store, 2010); report["methods"]["adamic_adar"]["auroc"]
"""
from __future__ import annotations

import random
from typing import Any, Callable

import networkx as nx

from kg.analysis.linkpred import (
    SET_CATEGORIES,
    adamic_adar,
    dwpc,
    preferential_attachment,
    resource_allocation,
    undirected,
    view_from_rows,
)
from kg.store.base import Store
from kg.store.version import graph_version

METHODS = ("adamic_adar", "resource_allocation", "dwpc", "preferential_attachment")
BASELINE = "preferential_attachment"
#: fewer positives than this and an AUROC's 95% interval is wider than ~0.2: the report says so
MIN_POSITIVES = 30


class TimesliceError(ValueError):
    """The slice cannot be evaluated (no evidence before the year, nothing new after it...)."""


def first_years(store: Store) -> tuple[dict[str, int], tuple[int, int] | None]:
    """Edge key -> year of its first dated, non-negated evidence; and the (min, max) year seen."""
    first: dict[str, int] = {}
    for ev in store.iter_evidence():
        y = ev.get("year")
        if y is None or "negated" in (ev.get("flags") or ()):
            continue
        y = int(y)
        if ev["edge_key"] not in first or y < first[ev["edge_key"]]:
            first[ev["edge_key"]] = y
    span = (min(first.values()), max(first.values())) if first else None
    return first, span


def auroc(pos: list[float], neg: list[float]) -> float | None:
    """Area under the ROC curve (Mann-Whitney U; ties count one half).

    >>> auroc([3, 2], [1, 0]), auroc([1], [1])
    (1.0, 0.5)
    """
    if not pos or not neg:
        return None
    values = sorted([(v, 1) for v in pos] + [(v, 0) for v in neg])
    rank_sum, i = 0.0, 0
    while i < len(values):
        j = i
        while j < len(values) and values[j][0] == values[i][0]:
            j += 1
        avg = (i + j + 1) / 2.0  # ranks are 1-based
        rank_sum += avg * sum(1 for v in values[i:j] if v[1] == 1)
        i = j
    n_pos, n_neg = len(pos), len(neg)
    return (rank_sum - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg)


def auroc_interval(auc: float | None, n_pos: int, n_neg: int, z: float = 1.96) -> list[float] | None:
    """95% confidence interval of an AUROC from its standard error after Hanley & McNeil (1982),
    "The meaning and use of the area under a ROC curve", Radiology 143:29-36
    (doi:10.1148/radiology.143.1.7063747).

    >>> auroc_interval(0.8, 30, 300)
    [0.703, 0.897]
    >>> auroc_interval(None, 0, 10) is None
    True
    """
    if auc is None or n_pos < 1 or n_neg < 1:
        return None
    q1, q2 = auc / (2 - auc), 2 * auc * auc / (1 + auc)
    var = (auc * (1 - auc) + (n_pos - 1) * (q1 - auc * auc) + (n_neg - 1) * (q2 - auc * auc)) / (n_pos * n_neg)
    se = max(var, 0.0) ** 0.5
    return [round(max(0.0, auc - z * se), 3), round(min(1.0, auc + z * se), 3)]


def _metrics(scores: dict[tuple[str, str], float], positives: set[tuple[str, str]], ks: tuple[int, ...]) -> dict:
    order = sorted(scores, key=lambda p: (-scores[p], p))
    # mean rank with ties averaged: a positive tied with 100 zeros gets the middle rank
    by_value: dict[float, list[int]] = {}
    for i, p in enumerate(order, start=1):
        by_value.setdefault(scores[p], []).append(i)
    tie_rank = {v: sum(r) / len(r) for v, r in by_value.items()}
    pos_ranks = [tie_rank[scores[p]] for p in order if p in positives]
    auc = auroc([scores[p] for p in scores if p in positives], [scores[p] for p in scores if p not in positives])
    out = {"auroc": _round(auc), "auroc_95ci": auroc_interval(auc, len(positives), len(scores) - len(positives)),
           "mean_rank": _round(sum(pos_ranks) / len(pos_ranks)) if pos_ranks else None,
           "top": [{"pair": list(p), "score": _round(scores[p]), "new": p in positives} for p in order[:5]]}
    for k in ks:
        out[f"hits@{k}"] = sum(1 for p in order[:k] if p in positives)
    return out


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 6)


def timeslice(store: Store, year: int, *, undated: str = "exclude", ks: tuple[int, ...] = (10, 50, 100),
              max_candidates: int = 200_000, seed: int = 0, dwpc_max_len: int = 3) -> dict[str, Any]:
    """Evaluate link prediction on the graph as of ``year`` against the edges first reported after it."""
    if undated not in ("exclude", "known"):
        raise TimesliceError(f"undated must be 'exclude' or 'known', not {undated!r}")
    first, span = first_years(store)
    if span is None:
        raise TimesliceError("no evidence in the graph has a publication year (curated facts are undated); "
                             "ingest dated literature first, e.g. kg ingest pubmed-xml")
    nodes = list(store.iter_nodes())
    before, after, n_undated = [], [], 0
    for e in store.iter_edges():
        y = first.get(e["key"])
        if y is None:
            n_undated += 1
            if undated == "known":
                before.append(e)
        elif y <= year:
            before.append(e)
        else:
            after.append(e)
    n_dated_before = sum(1 for e in before if e["key"] in first)
    if n_dated_before == 0:
        raise TimesliceError(f"no evidence is dated {year} or earlier (dated evidence spans {span[0]}–{span[1]}); "
                             f"choose a year from {span[0]} on")
    if not after:
        raise TimesliceError(f"no edge is first reported after {year} (dated evidence spans {span[0]}–{span[1]}); "
                             f"choose a year before {span[1]}")
    view = view_from_rows(nodes, before)
    U = undirected(view)
    U.remove_nodes_from([n for n in list(U) if U.degree(n) == 0 or U.nodes[n].get("category") in SET_CATEGORIES])
    later = undirected(view_from_rows(nodes, after))
    positives = {tuple(sorted((u, v))) for u, v in later.edges()
                 if u in U and v in U and u != v and not U.has_edge(u, v)}
    new_links = later.number_of_edges()
    if not positives:
        raise TimesliceError(f"none of the {new_links} links first reported after {year} joins two entities "
                             f"already linked by {year}; nothing to predict")
    candidates, sampled = _candidates(U, positives, max_candidates, seed)
    neg = len(candidates) - len(positives)

    dw: dict[str, dict[str, float]] = {}
    for u in sorted({p[0] for p in candidates}):
        dw[u] = {t: sum(v.values()) for t, v in dwpc(U, u, max_len=dwpc_max_len).items()}
    scorers: dict[str, Callable[[str, str], float]] = {
        "adamic_adar": lambda u, v: adamic_adar(U, u, v),
        "resource_allocation": lambda u, v: resource_allocation(U, u, v),
        "dwpc": lambda u, v: dw.get(u, {}).get(v, 0.0),
        "preferential_attachment": lambda u, v: preferential_attachment(U, u, v)}
    methods = {}
    for name in METHODS:
        scores = {p: scorers[name](*p) for p in candidates}
        methods[name] = _metrics(scores, positives, ks)
    return {"graph_version": graph_version(store), "year": year, "undated": undated,
            "params": {"ks": list(ks), "max_candidates": max_candidates, "seed": seed, "dwpc_max_len": dwpc_max_len,
                       "dwpc_w": 0.5},
            "evidence_years": list(span),
            "edges": {"before": len(before), "after": len(after), "undated": n_undated,
                      "links_after": new_links, "positives": len(positives),
                      "new_links_with_new_nodes": new_links - len(positives)},
            "nodes_before": U.number_of_nodes(), "links_before": U.number_of_edges(),
            "candidates": len(candidates), "negatives": neg, "negatives_sampled": sampled,
            "baseline": BASELINE, "methods": methods,
            "enough_positives": len(positives) >= MIN_POSITIVES,
            "warning": (f"only {len(positives)} positives (< {MIN_POSITIVES}): the figures are anecdotes, "
                        "not estimates; see the 95% intervals" if len(positives) < MIN_POSITIVES else None)}


def _candidates(U: nx.Graph, positives: set[tuple[str, str]], limit: int, seed: int):
    nodes = sorted(U)
    n = len(nodes)
    total = n * (n - 1) // 2 - U.number_of_edges()
    if total <= limit:
        return [(a, b) for i, a in enumerate(nodes) for b in nodes[i + 1:] if not U.has_edge(a, b)], False
    rng = random.Random(seed)
    chosen = set(positives)
    want = min(limit, total)
    while len(chosen) < want:
        a, b = rng.sample(nodes, 2)
        p = (a, b) if a < b else (b, a)
        if not U.has_edge(*p):
            chosen.add(p)
    return sorted(chosen), True


def to_text(report: dict[str, Any]) -> str:
    """A short table of the figures."""
    e = report["edges"]
    lines = [f"time slice at {report['year']} · graph {report['graph_version']} · undated edges: {report['undated']}",
             f"before: {report['links_before']} links among {report['nodes_before']} nodes · after: "
             f"{e['links_after']} new links, {e['positives']} between known nodes (the positives)",
             f"candidates: {report['candidates']} pairs" + (" (negatives sampled)" if report["negatives_sampled"] else ""),
             ""]
    ks = [k for k in report["methods"][METHODS[0]] if k.startswith("hits@")]
    lines.append(f"{'method':<36}{'AUROC':>8}{'95% CI':>16}{'mean rank':>12}" + "".join(f"{k:>10}" for k in ks))
    for name, m in report["methods"].items():
        tag = " (baseline)" if name == report["baseline"] else ""
        auc = "—" if m["auroc"] is None else f"{m['auroc']:.3f}"
        ci = "—" if not m.get("auroc_95ci") else f"{m['auroc_95ci'][0]:.3f}–{m['auroc_95ci'][1]:.3f}"
        mr = "—" if m["mean_rank"] is None else f"{m['mean_rank']:.1f}"
        lines.append(f"{name + tag:<36}{auc:>8}{ci:>16}{mr:>12}" + "".join(f"{m[k]:>10}" for k in ks))
    if report.get("warning"):
        lines += ["", "warning: " + report["warning"]]
    return "\n".join(lines)
