"""An experiment's measured genes and the mechanism modules they belong to, read from the store.

Store reads only (no source readers): :mod:`kg.analysis.enrichment` builds on them, and so does
:func:`kg.pipeline.experiments.deg_genes_by_module`.
"""
from __future__ import annotations

from typing import Any

from kg.store.base import Store


def measured_genes(store: Store, experiment_id: str) -> dict[str, dict[str, Any]]:
    """Gene id -> its ``measured_in`` edge (sign, log2fc, padj, pvalue) for one experiment."""
    if store.node(experiment_id) is None:
        raise LookupError(f"no experiment {experiment_id!r} in the graph")
    return {e["subject"]: e for e in store.edges_of([experiment_id], "in") if e["predicate"] == "measured_in"}


def module_members(store: Store, gene_ids: set[str], via_sets: bool = True) -> dict[str, set[str]]:
    """Module name -> the genes of ``gene_ids`` that belong to it, every mechanism module in module order.

    A gene belongs to a module when it is a member of it, or (``via_sets``) a member of a pathway
    or GO set that is itself a member of the module.
    """
    modules = [n for n in store.search("MODULE:", limit=1000) if n["category"] == "mechanism_module"]
    out: dict[str, set[str]] = {}
    for m in sorted(modules, key=lambda m: (m.get("order", 99), m["name"])):
        members = {e["subject"] for e in store.edges_of([m["id"]], "in") if e["predicate"] == "member_of"}
        hits = members & gene_ids
        if via_sets:
            sets = sorted(members - gene_ids)  # pathways and GO sets (other genes have no members)
            hits |= {e["subject"] for e in store.edges_of(sets, "in")
                     if e["predicate"] == "member_of" and e["subject"] in gene_ids}
        out[m["name"]] = hits
    return out
