"""``kg ingest genes FILE``: a DEG table (CSV/TSV/XLSX) or a gene list as an experiment in the graph."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from kg.surfaces.commands.ingest import ingest_app


@ingest_app.command("genes")
def ingest_genes(file: Path = typer.Argument(..., help="DEG table (.csv/.tsv/.xlsx) or gene list (one per line)."),
                 experiment: str = typer.Option(..., "--experiment", help="Name of the experiment."),
                 species: str = typer.Option("", "--species", help="human, mouse or rat (rodent genes map to "
                                                                   "their human orthologues)."),
                 tissue: str = typer.Option("", "--tissue"),
                 condition: str = typer.Option("", "--condition"),
                 design: str = typer.Option("", "--design", help="Free text, e.g. 'RNA-seq, in_vivo'."),
                 symbol_col: str | None = typer.Option(None, "--symbol-col", help="Gene id column (default: found "
                                                                                  "by its content)."),
                 lfc_col: str | None = typer.Option(None, "--lfc-col"),
                 padj_col: str | None = typer.Option(None, "--padj-col"),
                 strict: bool = typer.Option(False, "--strict", help="Any rejected row fails; nothing is written."),
                 by_module: bool = typer.Option(False, "--by-module", help="Module enrichment table (hypergeometric "
                                                                          "p, BH q, signed score) and genes per module."),
                 alpha: float = typer.Option(0.05, "--alpha", help="Significant: padj below this."),
                 min_lfc: float = typer.Option(0.0, "--min-lfc", help="Significant: |log2FC| at least this."),
                 as_json: bool = typer.Option(False, "--json")) -> None:
    """Load a differential-expression table or gene list; genes link to an experiment node."""
    from rich.console import Console
    from rich.markup import escape

    from ingest.degs import Experiment
    from ingest.errors import IngestError
    from kg.analysis.enrichment import module_enrichment
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
        enrichment = module_enrichment(store, exp_id, alpha=alpha, min_lfc=min_lfc) if by_module else None
    except (IngestError, BuildError) as exc:  # IngestError: any unreadable file (DEGTableError is one)
        fail(str(exc))
    finally:
        store.close()
    src = report.sources[0]
    out: dict[str, Any] = {"experiment_id": exp_id, "read": src["read"], "loaded": src["loaded"],
                           "rejected": src["rejected"], "unmapped_rows": src["unmapped_rows"],
                           "unmapped_symbols": src["unmapped_symbols"], "rejections": src["rejections"],
                           "detected": src.get("detected", {})}
    if modules is not None:
        out["by_module"] = {k: [dict(zip(("symbol", "direction", "log2fc", "padj"), r)) for r in v]
                            for k, v in modules.items()}
        out["enrichment"] = enrichment
    if as_json:
        emit_json(out)
        return
    c = Console()
    print_load(c, f"[bold]{escape(experiment)}[/] → {exp_id}", out, detected_line(out["detected"]))
    if enrichment is not None:
        print_enrichment(c, enrichment)
        if enrichment.get("note"):
            for mod, rows in out["by_module"].items():
                c.print(f"[bold]{escape(mod)}[/]: " + ", ".join(r["symbol"] + ARROW.get(r["direction"], "") for r in rows))


ARROW = {1: "↑", -1: "↓"}


def print_load(c: Any, title: str, out: dict[str, Any], detail: str = "") -> None:
    """read/loaded/rejected/unmapped (then ``detail``), the first rejections (file:line and reason), unmapped ids."""
    from rich.markup import escape

    c.print(f"{title}: read {out['read']}, loaded {out['loaded']}, rejected {out['rejected']}, "
            f"unmapped {out['unmapped_rows']}")
    if detail:
        c.print(escape(detail))
    for r in out["rejections"][:20]:
        c.print(f"[yellow]rejected[/] {escape(r)}")
    if len(out["rejections"]) > 20:
        c.print(f"… {len(out['rejections']) - 20} more rejections (--json lists them all)")
    if out["unmapped_symbols"]:
        more = len(out["unmapped_symbols"]) - 50
        c.print("unmapped: " + escape(", ".join(list(out["unmapped_symbols"])[:50]))
                + (f" … and {more} more" if more > 0 else ""))


def detected_line(d: dict[str, Any]) -> str:
    """One line saying how the file was read: format, row names, id column and type, species, mapping share."""
    if not d:
        return ""
    m = d.get("id_mapping") or {}
    parts = [f"format {d.get('format', '?')}" + (" (row names)" if d.get("row_names") else "")]
    if d.get("id_column"):
        parts.append(f"ids in {d['id_column']!r}")
    if d.get("id_type"):
        parts.append(f"id type {d['id_type']}")
    if d.get("species_seen"):
        parts.append(f"ids look {d['species_seen']}")
    if m:
        parts.append(f"{m.get('mapped', 0)}/{m.get('rows', 0)} ids mapped ({m.get('share', 0):.1%})")
    if d.get("padj_source") and d.get("padj_source") != (d.get("columns") or {}).get("padj"):
        parts.append(f"padj: {d['padj_source']}")
    return "detected: " + ", ".join(parts)


def print_enrichment(c: Any, enr: dict[str, Any]) -> None:
    """The module enrichment table (module, measured, significant, expected, p, q, score, genes)."""
    from rich.table import Table

    if enr.get("note"):
        c.print(f"module enrichment: {enr['note']}")
        return
    t = Table(title=f"Module enrichment: {enr['significant']} significant of {enr['universe']} tested genes "
                    f"(padj < {enr['alpha']:g}" + (f", |log2FC| ≥ {enr['min_lfc']:g}" if enr["min_lfc"] else "") + ")")
    for col in ("module", "measured", "significant", "expected", "p", "q", "score", "genes"):
        t.add_column(col, justify="left" if col in ("module", "genes") else "right")
    for r in enr["modules"]:
        genes = " ".join(g["symbol"] + ARROW.get(g["direction"], "") for g in r["genes"][:12]) + (f" +{len(r['genes']) - 12}" if len(r["genes"]) > 12 else "")
        t.add_row(r["module"], str(r["measured"]), str(r["significant"]), f"{r['expected']:.2f}", f"{r['p']:.3g}",
                  f"{r['q']:.3g}", f"{r['score']:+.2f}", genes)
    c.print(t)


def register(app: typer.Typer) -> None:
    """Commands attach to ``ingest_app``, which ``kg.surfaces.commands.ingest`` registers."""
