"""User experiments in the graph: ingest a gene list or DEG table, and view its genes per module.

Example (on a built graph)::

    report, exp_id = ingest_gene_file(store, "np_rnaseq.csv", Experiment("herniated vs contained NP"))
    deg_genes_by_module(store, exp_id)["Matrix degradation"][0]   # ('MMP3', 1, 2.4, 0.0001)
"""
from __future__ import annotations

from pathlib import Path

from ingest.degs import Experiment, read_genes
from ingest.hgnc import default_resolver
from kg.pipeline.load import BuildReport, load
from kg.pipeline.module_genes import measured_genes, module_members
from kg.store.base import Store


def ingest_gene_file(store: Store, path: str | Path, experiment: Experiment | str, *, strict: bool = False,
                     symbol_col: str | None = None, lfc_col: str | None = None,
                     padj_col: str | None = None) -> tuple[BuildReport, str]:
    """Read a DEG table or gene list and load it into ``store``: (build report, experiment id).

    The report's source carries ``detected``: what the reader found (format, row names, id column
    and type, species the ids point to, columns read, id mapping share; see :func:`ingest.degs.read_deg_table`).

    Raises :class:`ingest.degs.DEGTableError` for an unreadable table and
    :class:`kg.pipeline.load.BuildError` when ``strict`` and a row was rejected (nothing is written then).
    """
    sl = read_genes(Path(path), default_resolver(), experiment, symbol_col=symbol_col, lfc_col=lfc_col,
                    padj_col=padj_col)
    report = load(store, [sl], strict=strict)
    report.sources[-1]["detected"] = {k: v for k, v in sl.params.items() if k not in ("experiment_id", "experiment")}
    return report, sl.params["experiment_id"]


def deg_genes_by_module(store: Store, experiment_id: str, via_sets: bool = True
                        ) -> dict[str, list[tuple[str, int, float | None, float | None]]]:
    """Measured genes of an experiment that belong to each mechanism module (see :func:`module_members`).

    Returns module name -> list of (symbol, direction, log2fc, padj), most significant first;
    modules without hits are omitted. :func:`kg.analysis.enrichment.module_enrichment` tests them.
    """
    measured = measured_genes(store, experiment_id)
    genes = store.nodes(measured)
    out: dict[str, list[tuple[str, int, float | None, float | None]]] = {}
    for name, hits in module_members(store, set(measured), via_sets).items():
        rows = [(genes[g]["name"], int(measured[g]["sign"]), measured[g].get("log2fc"), measured[g].get("padj"))
                for g in hits]
        if rows:
            rows.sort(key=lambda r: (r[3] if r[3] is not None else 2.0, -abs(r[2] or 0.0), r[0]))
            out[name] = rows
    return out
