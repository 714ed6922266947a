"""User experiments in the graph: ingest a gene list or DEG table, and view its genes per module.

Example (on a built graph)::

    report, exp_id = ingest_gene_file(store, "np_rnaseq.csv", Experiment("herniated vs contained NP"))
    deg_genes_by_module(store, exp_id)["Matrix degradation"][0]   # ('MMP3', 1, 2.4, 0.0001)
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.degs import Experiment, read_genes
from ingest.hgnc import default_resolver
from kg.pipeline.load import BuildReport, load
from kg.store.base import Store


def ingest_gene_file(store: Store, path: str | Path, experiment: Experiment | str, *, strict: bool = False,
                     symbol_col: str | None = None, lfc_col: str | None = None,
                     padj_col: str | None = None) -> tuple[BuildReport, str]:
    """Read a DEG table or gene list and load it into ``store``: (build report, experiment id).

    Raises :class:`ingest.degs.DEGTableError` for an unreadable table and
    :class:`kg.pipeline.load.BuildError` when ``strict`` and a row was rejected (nothing is written then).
    """
    sl = read_genes(Path(path), default_resolver(), experiment, symbol_col=symbol_col, lfc_col=lfc_col,
                    padj_col=padj_col)
    report = load(store, [sl], strict=strict)
    return report, sl.params["experiment_id"]


def _measured(store: Store, experiment_id: str) -> dict[str, dict[str, Any]]:
    return {e["subject"]: e for e in store.edges_of([experiment_id], "in") if e["predicate"] == "measured_in"}


def deg_genes_by_module(store: Store, experiment_id: str, via_sets: bool = True
                        ) -> dict[str, list[tuple[str, int, float | None, float | None]]]:
    """Measured genes of an experiment that belong to each mechanism module.

    A gene belongs to a module when it is a member of it, or (``via_sets``) a member of a pathway
    or GO set that is itself a member of the module. Returns module name -> list of
    (symbol, direction, log2fc, padj), most significant first; modules without hits are omitted.
    """
    if store.node(experiment_id) is None:
        raise LookupError(f"no experiment {experiment_id!r} in the graph")
    measured = _measured(store, experiment_id)
    genes = store.nodes(measured)
    modules = [n for n in store.search("MODULE:", limit=1000) if n["category"] == "mechanism_module"]
    out: dict[str, list[tuple[str, int, float | None, float | None]]] = {}
    for m in sorted(modules, key=lambda m: (m.get("order", 99), m["name"])):
        members = {e["subject"] for e in store.edges_of([m["id"]], "in") if e["predicate"] == "member_of"}
        hits = members & set(measured)
        if via_sets:
            sets = [s for s in members if s not in genes]
            hits |= {e["subject"] for e in store.edges_of(sets, "in")
                     if e["predicate"] == "member_of" and e["subject"] in measured}
        rows = [(genes[g]["name"], int(measured[g]["sign"]), measured[g].get("log2fc"), measured[g].get("padj"))
                for g in hits]
        if rows:
            rows.sort(key=lambda r: (r[3] if r[3] is not None else 2.0, -abs(r[2] or 0.0), r[0]))
            out[m["name"]] = rows
    return out
