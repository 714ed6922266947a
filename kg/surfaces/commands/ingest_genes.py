"""``kg ingest genes FILE``: a DEG table (CSV/TSV/XLSX) or a gene list as an experiment in the graph."""
from __future__ import annotations

from pathlib import Path

import typer

from kg.surfaces.commands.ingest import ingest_app


@ingest_app.command("genes")
def ingest_genes(file: Path = typer.Argument(..., help="DEG table (.csv/.tsv/.xlsx) or gene list (one per line)."),
                 experiment: str = typer.Option(..., "--experiment", help="Name of the experiment."),
                 species: str = typer.Option("", "--species"), tissue: str = typer.Option("", "--tissue"),
                 condition: str = typer.Option("", "--condition"),
                 design: str = typer.Option("", "--design", help="Free text, e.g. 'RNA-seq, in_vivo'."),
                 symbol_col: str | None = typer.Option(None, "--symbol-col"),
                 lfc_col: str | None = typer.Option(None, "--lfc-col"),
                 padj_col: str | None = typer.Option(None, "--padj-col"),
                 strict: bool = typer.Option(False, "--strict", help="Any rejected row fails; nothing is written."),
                 by_module: bool = typer.Option(False, "--by-module", help="Also list the measured genes per module."),
                 as_json: bool = typer.Option(False, "--json")) -> None:
    """Load a differential-expression table or gene list; genes link to an experiment node."""
    from rich.console import Console

    from ingest.degs import Experiment
    from ingest.errors import IngestError
    from kg.pipeline.experiments import deg_genes_by_module, ingest_gene_file
    from kg.pipeline.load import BuildError
    from kg.surfaces.cli import emit_json, fail, open_store_or_fail, settings

    if not file.is_file():
        fail(f"{file}: no such file")
    s = settings()
    store = open_store_or_fail(s)
    try:
        report, exp_id = ingest_gene_file(store, file, Experiment(experiment, species, tissue, condition, design),
                                          strict=strict, symbol_col=symbol_col, lfc_col=lfc_col, padj_col=padj_col)
        modules = deg_genes_by_module(store, exp_id) if by_module else None
    except (IngestError, BuildError) as exc:  # IngestError: any unreadable file (DEGTableError is one)
        fail(str(exc))
    finally:
        store.close()
    src = report.sources[0]
    out = {"experiment_id": exp_id, "read": src["read"], "loaded": src["loaded"], "rejected": src["rejected"],
           "unmapped_rows": src["unmapped_rows"], "unmapped_symbols": src["unmapped_symbols"],
           "rejections": src["rejections"]}
    if modules is not None:
        out["by_module"] = {k: [dict(zip(("symbol", "direction", "log2fc", "padj"), r)) for r in v]
                            for k, v in modules.items()}
    if as_json:
        emit_json(out)
        return
    c = Console()
    c.print(f"[bold]{experiment}[/] → {exp_id}: read {out['read']}, loaded {out['loaded']}, "
            f"rejected {out['rejected']}, unmapped {out['unmapped_rows']}")
    for r in out["rejections"][:20]:
        c.print(f"[yellow]rejected[/] {r}")
    if out["unmapped_symbols"]:
        c.print("unmapped: " + ", ".join(list(out["unmapped_symbols"])[:50]))
    for mod, rows in (out.get("by_module") or {}).items():
        c.print(f"[bold]{mod}[/]: " + ", ".join(f"{r['symbol']}{'↑' if r['direction'] > 0 else '↓' if r['direction'] < 0 else ''}"
                                                  for r in rows))


def register(app: typer.Typer) -> None:
    """Commands attach to ``ingest_app``, which ``kg.surfaces.commands.ingest`` registers."""
