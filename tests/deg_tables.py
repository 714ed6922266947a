"""DEG tables written the way DESeq2, edgeR and limma write them, for tests.

The gene ids are real: human genes from the shipped HGNC table, rat genes and their human orthologues
from ``shared/data/orthologs`` (HGNC, RGD). The statistics are generated here (seeded): they are
test input, not knowledge. ``padj`` is Benjamini–Hochberg of the p-values, computed here by hand.
"""
from __future__ import annotations

import csv
import math
import random
from dataclasses import dataclass
from pathlib import Path

from ingest.hgnc import Gene, default_resolver


@dataclass
class Row:
    gene_id: str         # as written in the table (symbol, versioned Ensembl id, rat symbol …)
    base_mean: float
    lfc: float | None
    p: float | None
    padj: float | None = None
    truth: frozenset[str] = frozenset()  # HGNC ids the row must map to (empty: must stay unmapped)


def human_genes(n: int, seed: int, *, need_ensembl: bool = False) -> list[Gene]:
    """``n`` protein-coding genes of the shipped HGNC table (seeded sample, table order)."""
    genes = sorted((g for g in default_resolver().genes.values()
                    if g.locus_group == "protein-coding gene" and (g.ensembl_id or not need_ensembl)),
                   key=lambda g: g.hgnc_id)
    return random.Random(seed).sample(genes, n)


def _tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))


def rat_genes(shared: Path, n: int, seed: int) -> tuple[list[tuple[str, str, frozenset[str]]], list[str]]:
    """(``n`` rat genes with human orthologues in the shipped HGNC table as (symbol, first Ensembl id,
    HGNC ids of the orthologues)), and rat LOC genes without orthologue (RGD's own symbols)."""
    known = default_resolver().genes
    human_of: dict[str, set[str]] = {}
    for row in _tsv(shared / "orthologs" / "hgnc_entries.tsv"):
        for rid in (row["Rat genome database ID(supplied by RGD)"] or "").split(","):
            if rid.strip() and row["HGNC ID"] in known:
                human_of.setdefault(rid.strip().removeprefix("RGD:"), set()).add(row["HGNC ID"])
    with_orth, loc = [], []
    for row in _tsv(shared / "orthologs" / "rgd_entries.tsv"):
        ens = (row["ensembl"] or "").split(";")[0]
        if row["ID"] in human_of and ens:
            with_orth.append((row["symbol"], ens, frozenset(human_of[row["ID"]])))
        elif row["symbol"].startswith("LOC") and row["ID"] not in human_of:
            loc.append(row["symbol"])
    rnd = random.Random(seed)
    return rnd.sample(sorted(with_orth), n), sorted(loc)


def bh(pvalues: list[float]) -> list[float]:
    """Benjamini–Hochberg adjusted p-values, by the textbook step-up rule."""
    m = len(pvalues)
    order = sorted(range(m), key=lambda i: pvalues[i])
    out = [1.0] * m
    running = 1.0
    for rank in range(m, 0, -1):
        i = order[rank - 1]
        running = min(running, pvalues[i] * m / rank)
        out[i] = running
    return out


def statistics(ids: list[tuple[str, frozenset[str]]], seed: int, *, significant: set[str] = frozenset(),
               share_signif: float = 0.08) -> list[Row]:
    """Rows with generated statistics; ids in ``significant`` get a small p and a positive fold change."""
    rnd = random.Random(seed)
    rows = []
    for gid, truth in ids:
        sig = gid in significant or rnd.random() < share_signif
        lfc = rnd.uniform(1.0, 4.0) * (1 if gid in significant else rnd.choice((1, -1))) if sig else rnd.gauss(0, 0.4)
        p = 10 ** -rnd.uniform(5, 12) if sig else rnd.uniform(0.001, 1.0)
        rows.append(Row(gid, round(rnd.lognormvariate(6, 1.5), 3), lfc, p, truth=truth))
    for r, q in zip(rows, bh([r.p for r in rows if r.p is not None])):
        r.padj = q
    return rows


def _num(v: float | None) -> str:
    return "NA" if v is None else repr(float(f"{v:.10g}"))


def deseq2_csv(rows: list[Row]) -> bytes:
    """``write.csv(as.data.frame(res))``: quoted header with an empty first cell, quoted row names, NA."""
    out = ['"","baseMean","log2FoldChange","lfcSE","stat","pvalue","padj"']
    for r in rows:
        se = None if r.lfc is None else abs(r.lfc) / 4 + 0.1
        stat = None if r.lfc is None or se is None else r.lfc / se
        out.append(",".join([f'"{r.gene_id}"', _num(r.base_mean), _num(r.lfc), _num(se), _num(stat), _num(r.p),
                             _num(r.padj)]))
    return ("\n".join(out) + "\n").encode()


def edger_tsv(rows: list[Row]) -> bytes:
    """``write.table(topTags(lrt, n = Inf), sep = "\\t", quote = FALSE)``: header one cell shorter (row names)."""
    out = ["logFC\tlogCPM\tLR\tPValue\tFDR"]
    for r in sorted(rows, key=lambda r: r.p if r.p is not None else 2):
        lr = None if r.p is None else -2 * math.log(max(r.p, 1e-300))
        out.append("\t".join([r.gene_id, _num(r.lfc), _num(math.log2(r.base_mean + 0.5)), _num(lr), _num(r.p),
                              _num(r.padj)]))
    return ("\n".join(out) + "\n").encode()


def limma_tsv(rows: list[Row]) -> bytes:
    """``write.table(topTable(fit, number = Inf), sep = "\\t", quote = FALSE, row.names = FALSE)`` with ``ID``."""
    out = ["ID\tlogFC\tAveExpr\tt\tP.Value\tadj.P.Val\tB"]
    for r in sorted(rows, key=lambda r: r.p if r.p is not None else 2):
        t = None if r.lfc is None else r.lfc * 3
        b = None if r.p is None else -math.log10(max(r.p, 1e-300)) - 3
        out.append("\t".join([r.gene_id, _num(r.lfc), _num(math.log2(r.base_mean + 1)), _num(t), _num(r.p),
                              _num(r.padj), _num(b)]))
    return ("\n".join(out) + "\n").encode()
