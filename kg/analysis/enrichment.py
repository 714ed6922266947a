"""Which mechanism modules a DEG table hits: over-representation and a signed score per module.

For one experiment (a DEG table loaded with :func:`kg.pipeline.experiments.ingest_gene_file`):

- **universe** U: the measured genes mapped to HGNC that have an adjusted p-value (genes a table
  leaves without one, such as those DESeq2's independent filtering drops, were not tested);
- **significant** S: genes of U with ``padj < alpha`` (default 0.05) and ``|log2FC| >= min_lfc``
  (default 0);
- per module m (every mechanism module, members as in :func:`kg.pipeline.module_genes.module_members`):
  K = |m ∩ U| measured, k = |m ∩ S| significant, expected = |S|·K/|U|, and the one-sided
  hypergeometric p = P(X >= k) for X ~ Hypergeom(|U|, K, |S|) (``scipy.stats.hypergeom.sf(k-1, …)``;
  the same as a one-sided Fisher exact test of the 2x2 table);
- q: Benjamini–Hochberg adjusted p over the modules with K >= 1 (``scipy.stats.false_discovery_control``);
  modules with no measured gene are listed with p = q = 1 and not counted in the adjustment;
- **score**: the mean over the module's significant genes of sign(log2FC) · −log10(padj), 0 when
  none is significant. Positive: the module's significant genes are mostly up and strongly so.

>>> rows = over_representation(set(range(100)), set(range(10)), {"A": set(range(20)), "B": set(range(50, 60))})
>>> [(r["module"], r["measured"], r["significant"], r["expected"]) for r in rows]
[('A', 20, 10, 2.0), ('B', 10, 0, 1.0)]
>>> round(rows[0]["p"], 12), rows[1]["p"], round(rows[0]["q"], 12)
(1.0673e-08, 1.0, 2.1346e-08)
"""
from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any

from kg.pipeline.module_genes import measured_genes, module_members
from kg.store.base import Store

#: Floor of padj before the logarithm (a padj of 0 would be an infinite score).
MIN_PADJ = 1e-300


def over_representation(universe: Collection[Any], significant: Collection[Any],
                        sets: Mapping[str, Collection[Any]]) -> list[dict[str, Any]]:
    """One row per set, in the order given: measured (K), significant (k), expected, p, q.

    ``sets`` and ``significant`` are cut to ``universe`` first.
    """
    from scipy.stats import false_discovery_control, hypergeom

    u = set(universe)
    s = set(significant) & u
    rows = []
    for name, members in sets.items():
        m = set(members) & u
        k, big_k = len(m & s), len(m)
        p = float(hypergeom.sf(k - 1, len(u), big_k, len(s))) if big_k else 1.0
        rows.append({"module": name, "measured": big_k, "significant": k,
                     "expected": len(s) * big_k / len(u) if u else 0.0, "p": min(p, 1.0), "q": 1.0})
    tested = [r for r in rows if r["measured"]]
    if tested:
        for r, q in zip(tested, false_discovery_control([r["p"] for r in tested], method="bh")):
            r["q"] = float(q)
    return rows


def signed_score(stats: Collection[tuple[float, float]]) -> float:
    """Mean of sign(log2FC) · −log10(padj) over (log2FC, padj) pairs; 0 for none.

    >>> round(signed_score([(2.0, 1e-4), (-1.0, 0.01), (0.5, 1e-6)]), 6)
    2.666667
    """
    if not stats:
        return 0.0
    return sum(math.copysign(1, lfc) * -math.log10(max(padj, MIN_PADJ)) for lfc, padj in stats if lfc) / len(stats)


def module_enrichment(store: Store, experiment_id: str, *, alpha: float = 0.05, min_lfc: float = 0.0,
                      via_sets: bool = True) -> dict[str, Any]:
    """Over-representation of an experiment's significant genes in each mechanism module.

    Returns ``{"experiment_id", "alpha", "min_lfc", "universe", "significant", "modules": [rows]}``
    (rows as in :func:`over_representation` plus ``score``, ``up``, ``down`` and ``genes``: the
    module's significant genes, most significant first), or with ``note`` and no modules when the
    experiment has no adjusted p-values (a plain gene list).
    """
    measured = measured_genes(store, experiment_id)
    universe = {g for g, e in measured.items() if e.get("padj") is not None}
    out: dict[str, Any] = {"experiment_id": experiment_id, "alpha": alpha, "min_lfc": min_lfc,
                           "universe": len(universe), "significant": 0, "modules": []}
    if not universe:
        out["note"] = ("no measured gene has an adjusted p-value (a gene list, or a table without padj/FDR "
                       "or p-values): no significant genes to test")
        return out
    sig = {g for g in universe if measured[g]["padj"] < alpha and abs(measured[g].get("log2fc") or 0.0) >= min_lfc}
    out["significant"] = len(sig)
    members = module_members(store, universe, via_sets)
    names = {g: n.get("name", g) for g, n in store.nodes(sorted(sig)).items()}
    for row in over_representation(universe, sig, members):
        hits = sorted(members[row["module"]] & sig, key=lambda g: (measured[g]["padj"], names.get(g, g)))
        lfc = [(float(measured[g].get("log2fc") or 0.0), float(measured[g]["padj"])) for g in hits]
        row.update({"score": signed_score(lfc), "up": sum(1 for x, _ in lfc if x > 0),
                    "down": sum(1 for x, _ in lfc if x < 0),
                    "genes": [{"symbol": names.get(g, g), "direction": int(measured[g]["sign"]),
                               "log2fc": measured[g].get("log2fc"), "padj": measured[g]["padj"]} for g in hits]})
        out["modules"].append(row)
    return out
