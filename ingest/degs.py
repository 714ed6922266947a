"""User gene lists and differential-expression (DEG) tables -> an experiment and its measured genes.

A DEG table (CSV, TSV or XLSX) becomes one ``experiment`` node (``EXP:<hash of content + name>``)
and a ``measured_in`` edge per gene carrying the direction (+1 up, -1 down, from the sign of the
log2 fold change) and the statistics (``log2fc``, ``padj``). A plain list (one symbol per line)
does the same without direction (sign 0). Columns are found by name, case-insensitively:

>>> find_column(["Gene", "baseMean", "log2FoldChange", "padj"], LFC_NAMES)
'log2FoldChange'
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass
from typing import Any, Iterator

from ingest.errors import IngestError, bounded_reader, csv_reason
from ingest.gmt import GeneMapper, Source, decoded_rows, new_load, source_bytes, source_url, text_lines
from ingest.hgnc import HGNCResolver
from kg.records.model import STUDY_DESIGNS, Edge, Evidence, Node, stable_hash
from kg.records.sources import SourceLoad
from ontology import Ontology

LICENCE = "user data (stays with the user)"
SYMBOL_NAMES = ("symbol", "gene", "gene_symbol", "hgnc_symbol", "gene_name", "genes")
ENSEMBL_NAMES = ("ensembl", "ensembl_gene_id", "ensembl_id", "ensg")
ENTREZ_NAMES = ("entrez", "entrezgene", "entrezgene_id", "entrez_id", "gene_id", "ncbi_gene")
LFC_NAMES = ("log2foldchange", "logfc", "log2fc", "log2_fold_change", "lfc")
PADJ_NAMES = ("padj", "adj.p.val", "fdr", "qvalue", "q_value", "p_adj", "adj_pval", "padjust")
NA = {"", "na", "nan", "n/a", "null", "none", "-"}


class DEGTableError(IngestError):
    """The table cannot be read at all (no gene column, no fold-change column, unreadable file)."""


def find_column(header: list[str], names: tuple[str, ...], given: str | None = None) -> str | None:
    """The header cell matching ``given`` (if set) or one of ``names``, case-insensitively."""
    low = {h.strip().lower(): h for h in header if h is not None}
    if given:
        return low.get(given.strip().lower())
    return next((low[n] for n in names if n in low), None)


@dataclass(frozen=True)
class Experiment:
    """What the user tells about the experiment a table comes from."""

    name: str
    species: str = ""
    tissue: str = ""
    condition: str = ""
    design: str = ""  # free text, e.g. "RNA-seq, herniated vs. contained NP, n=6 per group"

    def context(self) -> tuple[tuple[str, str], ...]:
        d = self.design.strip().lower().replace("-", "_").replace(" ", "_")
        ctx = {"design": d if d in STUDY_DESIGNS else "unknown"}
        ctx.update({k: v for k, v in (("species", self.species), ("tissue", self.tissue)) if v})
        return tuple(sorted(ctx.items()))


def experiment_node(exp: Experiment, content: bytes, label: str) -> Node:
    """The experiment node; its id is a stable hash of the file content and the experiment name."""
    eid = "EXP:" + stable_hash(hashlib.sha1(content).hexdigest(), exp.name, length=16)
    props = tuple((k, v) for k, v in (("species", exp.species), ("tissue", exp.tissue),
                                       ("condition", exp.condition), ("design", exp.design),
                                       ("file", label)) if v)
    return Node(eid, "experiment", exp.name, (), (), "user", props)


def _rows(data: bytes, label: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line/row number, cells or None, reason) for CSV, TSV or XLSX content."""
    if data[:4] == b"PK\x03\x04":  # an XLSX (zip) workbook: first sheet
        from openpyxl import load_workbook

        try:  # read the sheet here: a damaged zip can fail at any row, not only on opening
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = [["" if c is None else str(c) for c in row] for row in wb.worksheets[0].iter_rows(values_only=True)]
            wb.close()
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one clear error
            raise DEGTableError(f"{label}: not a readable XLSX workbook ({exc})") from exc
        yield from ((n, row, "") for n, row in enumerate(sheet, start=1))
        return
    lines = list(text_lines(data, label))
    sample = "\n".join(t for _, t, _ in lines[:5] if t)
    delim = "\t" if sample.count("\t") >= sample.count(",") and "\t" in sample else \
        (";" if sample.count(";") > sample.count(",") else ",")
    for n, text, err in lines:
        if text is None:
            yield n, None, err
            continue
        try:
            yield n, next(csv.reader([text], delimiter=delim)) if text.strip() else [], ""
        except csv.Error as exc:  # a cell over the field limit or a stray \r: that row only
            yield n, None, csv_reason(exc)


def _number(cell: str) -> float | None:
    """Float of a cell, None for NA; raises ValueError for text."""
    c = (cell or "").strip()
    if c.lower() in NA:
        return None
    v = float(c.replace(",", ".") if c.count(",") == 1 and "." not in c else c)
    if math.isnan(v):
        return None
    return v


@bounded_reader
def read_deg_table(src: Source, resolver: HGNCResolver, experiment: Experiment | str, *,
                   name: str | None = None, symbol_col: str | None = None, lfc_col: str | None = None,
                   padj_col: str | None = None, onto: Ontology | None = None) -> SourceLoad:
    """A differential-expression table -> experiment node + ``measured_in`` edges with statistics.

    Raises :class:`DEGTableError` when the table has no usable gene or fold-change column;
    bad rows (non-numeric statistics, unknown genes) are rejected or counted as unmapped.
    """
    exp = Experiment(experiment) if isinstance(experiment, str) else experiment
    data, label = source_bytes(src, name)
    if not data.strip():
        raise DEGTableError(f"{label}: file is empty")
    rows = _rows(data, label)
    exp_node = experiment_node(exp, data, label)
    sl = new_load("user", f"{label} {exp_node.id}", LICENCE, source_url(src, label), label, onto, experiment=exp.name)
    header = None
    for n, cells, err in rows:
        if cells is None:
            raise DEGTableError(f"{label}:{n}: header {err}")
        if any(c.strip() for c in cells):
            header = cells
            break
    if header is None:
        raise DEGTableError(f"{label}: file is empty")
    gene_cols = [(kind, find_column(header, names, given)) for kind, names, given in
                 (("symbol", SYMBOL_NAMES, symbol_col), ("ensembl", ENSEMBL_NAMES, None),
                  ("entrez", ENTREZ_NAMES, None))]
    gene_cols = [(k, c) for k, c in gene_cols if c]
    if symbol_col and not any(k == "symbol" for k, _ in gene_cols):
        raise DEGTableError(f"{label}: no column named {symbol_col!r} (columns: {', '.join(header)})")
    if not gene_cols:
        raise DEGTableError(f"{label}: no gene column (looked for {', '.join(SYMBOL_NAMES + ENSEMBL_NAMES + ENTREZ_NAMES)}; "
                            f"columns: {', '.join(header)}); name it with --symbol-col")
    lfc = find_column(header, LFC_NAMES, lfc_col)
    if lfc is None:
        raise DEGTableError(f"{label}: no log2 fold-change column ({'named ' + repr(lfc_col) if lfc_col else 'looked for ' + ', '.join(LFC_NAMES)}; "
                            f"columns: {', '.join(header)}); name it with --lfc-col")
    padj = find_column(header, PADJ_NAMES, padj_col)
    if padj_col and padj is None:
        raise DEGTableError(f"{label}: no column named {padj_col!r} (columns: {', '.join(header)})")
    sl.nodes[exp_node.id] = exp_node
    sl.params.update({"experiment_id": exp_node.id, "columns": {"genes": [c for _, c in gene_cols], "lfc": lfc,
                                                                  "padj": padj}})
    idx = {h: i for i, h in enumerate(header)}
    mapper = GeneMapper(resolver, "user")
    lookups = {"symbol": mapper.symbol, "ensembl": mapper.ensembl, "entrez": mapper.entrez}
    first_line: dict[str, int] = {}
    ctx = exp.context()
    for n, cells, err in rows:
        where = f"{label}:{n}"
        if cells is None:
            sl.reject(where, err)
            continue
        if not any(c.strip() for c in cells):
            continue

        def cell(col: str) -> str:
            i = idx[col]
            return cells[i].strip() if i < len(cells) else ""

        try:
            lfc_v = _number(cell(lfc))
        except ValueError:
            sl.reject(where, f"{lfc} {cell(lfc)!r} is not a number")
            continue
        try:
            padj_v = _number(cell(padj)) if padj else None
        except ValueError:
            sl.reject(where, f"{padj} {cell(padj)!r} is not a number")
            continue
        if lfc_v is None:
            sl.reject(where, f"{lfc} is missing (NA): no direction")
            continue
        gene, tried = None, []
        for kind, col in gene_cols:
            if cell(col):
                tried.append(cell(col))
                gene = lookups[kind](cell(col))
                if gene:
                    break
        if gene is None:
            sl.unmapped(tried or [f"(empty gene cell, line {n})"])
            continue
        if gene.id in first_line:
            sl.reject(where, f"{gene.name} already measured at line {first_line[gene.id]}")
            continue
        first_line[gene.id] = n
        direction = (lfc_v > 0) - (lfc_v < 0)
        props = (("log2fc", lfc_v),) + ((("padj", padj_v),) if padj_v is not None else ())
        e = Edge(gene.id, "measured_in", exp_node.id, direction, props)
        word = {1: "up", -1: "down", 0: "unchanged"}[direction]
        stat = f"log2FC {lfc_v:.3g}" + (f", padj {padj_v:.3g}" if padj_v is not None else "")
        ev = Evidence(e.key, "user", f"file:{label}", f"{gene.name} is {word} in {exp.name} ({stat}; {label} line {n}).",
                      None, "deg_table", ctx, (), direction)
        sl.add_row(where, [gene], [e], [ev])
    return sl


@bounded_reader
def read_gene_list(src: Source, resolver: HGNCResolver, experiment: Experiment | str, *,
                   name: str | None = None, onto: Ontology | None = None) -> SourceLoad:
    """A plain list (one symbol or id per line; ``#`` comments) -> experiment + unsigned ``measured_in`` edges."""
    exp = Experiment(experiment) if isinstance(experiment, str) else experiment
    data, label = source_bytes(src, name)
    if not data.strip():
        raise DEGTableError(f"{label}: file is empty")
    exp_node = experiment_node(exp, data, label)
    sl = new_load("user", f"{label} {exp_node.id}", LICENCE, source_url(src, label), label, onto, experiment=exp.name)
    sl.nodes[exp_node.id] = exp_node
    sl.params["experiment_id"] = exp_node.id
    mapper = GeneMapper(resolver, "user")
    seen: set[str] = set()
    for n, where, text in decoded_rows(data, label, sl):
        t = text.split("#", 1)[0].strip()
        if not t:
            continue
        gene = mapper.any_id(t)
        if gene is None:
            sl.unmapped([t])
            continue
        if gene.id in seen:
            sl.reject(where, f"{gene.name} is listed twice")
            continue
        seen.add(gene.id)
        e = Edge(gene.id, "measured_in", exp_node.id, 0)
        ev = Evidence(e.key, "user", f"file:{label}", f"{gene.name} is listed in {exp.name} ({label} line {n}).",
                      None, "gene_list", exp.context(), (), 0)
        sl.add_row(where, [gene], [e], [ev])
    return sl


@bounded_reader
def read_genes(src: Source, resolver: HGNCResolver, experiment: Experiment | str, **kw: Any) -> SourceLoad:
    """A DEG table, or a plain list when the file has one column (no tab, comma or semicolon).

    Keyword arguments go to :func:`read_deg_table` (``symbol_col``, ``lfc_col``, ``padj_col``, ``name``, ``onto``).
    """
    data, _ = source_bytes(src, kw.get("name"))
    if data[:4] == b"PK\x03\x04" or any(sep in data[:4000] for sep in (b"\t", b",", b";")):
        return read_deg_table(src, resolver, experiment, **kw)
    return read_gene_list(src, resolver, experiment, name=kw.get("name"), onto=kw.get("onto"))
