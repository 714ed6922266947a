"""User gene lists and differential-expression (DEG) tables -> an experiment and its measured genes.

A DEG table (CSV, TSV or XLSX) becomes one ``experiment`` node (``EXP:<hash of content + name>``)
and a ``measured_in`` edge per gene carrying the direction (+1 up, -1 down, from the sign of the
log2 fold change) and the statistics (``log2fc``, ``padj``, ``pvalue``). A plain list (one id per
line) does the same without direction (sign 0).

Tables are read as labs write them: DESeq2's ``write.csv(as.data.frame(res))`` (row names under an
empty first header cell), edgeR ``topTags``, limma ``topTable`` (``ID`` or row names) and plain
tables; ``write.table`` output whose header is one cell shorter than its rows (row names without a
header cell) too. Statistics columns are found by name, case-insensitively; the gene id column by
its content (symbols, Entrez, human/mouse/rat Ensembl with or without version, mouse/rat symbols),
see :func:`detect_layout`:

>>> find_column(["Gene", "baseMean", "log2FoldChange", "padj"], LFC_NAMES)
'log2FoldChange'
>>> table_format(["", "baseMean", "log2FoldChange", "lfcSE", "stat", "pvalue", "padj"])
'DESeq2'
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterator

from ingest.errors import IngestError, bounded_reader, csv_reason
from ingest.gene_ids import KIND_SPECIES, OrthologueMapper, id_kind
from ingest.gmt import Source, decoded_rows, new_load, source_bytes, source_url, text_lines
from ingest.hgnc import HGNCResolver
from kg.records.model import STUDY_DESIGNS, Edge, Evidence, Node, stable_hash
from kg.records.sources import SourceLoad
from ontology import Ontology

LICENCE = "user data (stays with the user)"
#: The name given to a first column of R row names (its header cell is empty or missing).
ROW_NAMES = "(row names)"
SYMBOL_NAMES = ("symbol", "gene", "gene_symbol", "hgnc_symbol", "gene_name", "genes", "genename", "gene.symbol",
                "external_gene_name", "mgi_symbol", "rgd_symbol")
ENSEMBL_NAMES = ("ensembl", "ensembl_gene_id", "ensembl_id", "ensg", "ensembl_gene")
ENTREZ_NAMES = ("entrez", "entrezgene", "entrezgene_id", "entrez_id", "entrezid", "gene_id", "geneid", "ncbi_gene")
#: Generic id columns (limma's ``ID``, a feature or probe column): read only when their content maps.
ID_NAMES = ("id", "feature", "feature_id", "probe", "name", ROW_NAMES)
GENE_NAMES = SYMBOL_NAMES + ENSEMBL_NAMES + ENTREZ_NAMES + ID_NAMES
LFC_NAMES = ("log2foldchange", "logfc", "log2fc", "log2_fold_change", "lfc", "avg_log2fc", "log2_fc", "log2(fc)")
PADJ_NAMES = ("padj", "adj.p.val", "fdr", "qvalue", "q_value", "q.value", "p_adj", "adj_pval", "padjust", "p_val_adj",
              "adj_p_val")
PVALUE_NAMES = ("pvalue", "p.value", "pval", "p_value", "p_val", "p-value")
#: Other statistics columns of DESeq2, edgeR, limma and Seurat: never gene ids.
STAT_NAMES = ("basemean", "lfcse", "stat", "logcpm", "f", "lr", "aveexpr", "t", "b", "pct.1", "pct.2")
#: (format, columns that identify it), first match wins.
FORMATS: tuple[tuple[str, frozenset[str]], ...] = (
    ("DESeq2", frozenset({"basemean", "log2foldchange"})),
    ("edgeR", frozenset({"logfc", "logcpm"})),
    ("limma", frozenset({"logfc", "aveexpr"})),
    ("Seurat", frozenset({"avg_log2fc", "p_val_adj"})),
)
NA = {"", "na", "nan", "n/a", "null", "none", "-"}
#: Rows sampled per column to tell which one holds the gene ids.
SAMPLE_ROWS = 500


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


def table_rows(data: bytes, label: str) -> Iterator[tuple[int, list[str] | None, str]]:
    """(line/row number, cells or None, reason) for CSV, TSV (``;`` too) or XLSX (first sheet) content."""
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


def split_header(rows: list[tuple[int, list[str] | None, str]], label: str
                 ) -> tuple[int, list[str], list[tuple[int, list[str] | None, str]]]:
    """(line, cells, the rows after it) of the first row with a non-empty cell: the header.

    Raises :class:`DEGTableError` when that row is unreadable or there is none.
    """
    for i, (n, cells, err) in enumerate(rows):
        if cells is None:
            raise DEGTableError(f"{label}:{n}: header {err}")
        if any(c.strip() for c in cells):
            return n, cells, rows[i + 1:]
    raise DEGTableError(f"{label}: file is empty")


def data_rows(rows: list[tuple[int, list[str] | None, str]], label: str, load: SourceLoad
              ) -> Iterator[tuple[int, str, list[str]]]:
    """(line, ``file:line``, cells) of each row with a non-empty cell; unreadable rows are rejected on ``load``."""
    for n, cells, err in rows:
        if cells is None:
            load.reject(f"{label}:{n}", err)
        elif any(c.strip() for c in cells):
            yield n, f"{label}:{n}", cells


def _number(cell: str) -> float | None:
    """Float of a cell, None for NA; raises ValueError for text and for infinite values."""
    c = (cell or "").strip()
    if c.lower() in NA:
        return None
    v = float(c.replace(",", ".") if c.count(",") == 1 and "." not in c else c)
    if math.isnan(v):
        return None
    if math.isinf(v):
        raise ValueError(c)
    return v


def table_format(header: list[str]) -> str:
    """``DESeq2``, ``edgeR``, ``limma``, ``Seurat`` or ``plain``, from the column names."""
    low = {h.strip().lower() for h in header}
    return next((name for name, cols in FORMATS if cols <= low), "plain")


@dataclass(frozen=True)
class GeneColumn:
    """A column read for gene ids: its id kind (see :func:`ingest.gene_ids.id_kind`) and mapped share."""

    name: str
    kind: str
    mapped: float  # share of its sampled non-empty cells that map to an HGNC gene
    entrez: bool = True  # whether plain numbers in it are read as Entrez ids (only in id-named columns)


@dataclass(frozen=True)
class Layout:
    """How a table is written: its format, row names, gene columns (best first) and statistics columns."""

    format: str
    header: list[str]
    row_names: bool
    genes: tuple[GeneColumn, ...]
    lfc: str
    padj: str | None
    pvalue: str | None
    tried: tuple[tuple[str, float], ...] = field(default=())  # every column sampled for ids and its share

    def describe(self) -> dict[str, Any]:
        return {"format": self.format, "row_names": self.row_names,
                "columns": {"genes": [g.name for g in self.genes], "lfc": self.lfc, "padj": self.padj,
                            "pvalue": self.pvalue},
                "id_column": self.genes[0].name, "id_type": self.genes[0].kind}


def _gene_of(mapper: OrthologueMapper, text: str, entrez: bool) -> Node | None:
    if not entrez and id_kind(text) == "entrez":
        mapper.last_reason = f"{text!r} is a number in a column not named as an id column"
        return None
    return mapper.any_id(text)


def _sample_column(values: list[str], name: str, mapper: OrthologueMapper, named: bool) -> GeneColumn | None:
    """The column as a gene column, or None when it holds no ids (numbers only, or too few map)."""
    values = [v for v in values if v]
    if not values:
        return None
    kinds = Counter(id_kind(v) for v in values)
    if not named:
        numeric = 0
        for v in values:
            try:
                _number(v)
                numeric += 1
            except ValueError:
                pass
        if numeric == len(values):
            return None  # counts, ranks, chromosomes: numbers in a column not named as ids
    hits = Counter(id_kind(v) for v in values if _gene_of(mapper, v, named) is not None)
    share = sum(hits.values()) / len(values)
    kind = (hits or kinds).most_common(1)[0][0]
    return GeneColumn(name, kind, share, named)


def detect_layout(header: list[str], data: list[list[str]], mapper: OrthologueMapper, label: str, *,
                  symbol_col: str | None = None, lfc_col: str | None = None,
                  padj_col: str | None = None) -> Layout:
    """Columns of a DEG table, found by name (statistics) and by content (gene ids).

    ``data`` are the first rows (cells) after the header. Row names are recognised by an empty first
    header cell (``write.csv``) or by rows one cell longer than the header (``write.table``).
    Gene columns are the columns named as id columns whose cells map, and any other text column of
    which at least half the sampled cells map, best share first; a row tries them in that order.
    Numbers are read as Entrez ids only in a column named as an id column, and beside another gene
    column only in one named as Entrez (``entrez``, ``gene_id``, ``GeneID`` …): R's and pandas' row
    numbers are not genes.
    Raises :class:`DEGTableError` naming the columns when no gene or fold-change column is found.

    >>> from ingest.hgnc import default_resolver
    >>> lay = detect_layout(["logFC", "AveExpr", "t"], [["ENSG00000149968.3", "2.1", "6", "9"]],
    ...                     OrthologueMapper(default_resolver(), "t"), "x.tsv")
    >>> lay.format, lay.row_names, lay.genes[0].name, lay.genes[0].kind
    ('limma', True, '(row names)', 'ensembl')
    """
    header = [h.strip() if h is not None else "" for h in header]
    row_names = False
    if header and header[0] == "":
        header, row_names = [ROW_NAMES, *header[1:]], True
    elif data and all(len(c) == len(header) + 1 for c in data[:20]):
        header, row_names = [ROW_NAMES, *header], True
    fmt = table_format(header)
    lfc = find_column(header, LFC_NAMES, lfc_col)
    if lfc is None:
        raise DEGTableError(f"{label}: no log2 fold-change column ({'named ' + repr(lfc_col) if lfc_col else 'looked for ' + ', '.join(LFC_NAMES)}; "
                            f"columns: {', '.join(header)}); name it with --lfc-col")
    padj = find_column(header, PADJ_NAMES, padj_col)
    if padj_col and padj is None:
        raise DEGTableError(f"{label}: no column named {padj_col!r} (columns: {', '.join(header)})")
    pvalue = find_column(header, PVALUE_NAMES)
    if symbol_col:
        given = find_column(header, (), symbol_col)
        if given is None:
            raise DEGTableError(f"{label}: no column named {symbol_col!r} (columns: {', '.join(header)})")
        candidates = [given]
    else:
        skip = {lfc, padj, pvalue} | {h for h in header if h.lower() in STAT_NAMES}
        candidates = [h for h in header if h not in skip]
    idx = {h: i for i, h in enumerate(header)}
    genes, tried = [], []
    for col in candidates:
        named = bool(symbol_col) or col.lower() in GENE_NAMES
        values = [cells[idx[col]].strip() for cells in data[:SAMPLE_ROWS] if idx[col] < len(cells)]
        gc = _sample_column(values, col, mapper, named)
        if gc is None:
            continue
        tried.append((col, gc.mapped))
        if gc.mapped > 0 and (named or gc.mapped >= 0.5):
            genes.append(gc)
    if not genes:
        shares = "; ".join(f"{c} {m:.0%}" for c, m in tried) or "none holds text"
        why = f"; e.g. {mapper.last_reason}" if mapper.last_reason else ""
        raise DEGTableError(f"{label}: no gene column: no column's values map to HGNC genes (sampled: {shares}{why}; "
                            f"columns: {', '.join(header)}); name it with --symbol-col")
    order = {h: i for i, h in enumerate(header)}
    genes.sort(key=lambda g: (-g.mapped, not g.entrez, order[g.name]))
    if len(genes) > 1:
        # numbers beside another id column are R's or pandas' row numbers unless the column says Entrez
        genes = [g for g in genes if g.kind != "entrez" or g.name.lower() in ENTREZ_NAMES] or genes[:1]
    return Layout(fmt, header, row_names, tuple(genes), lfc, padj, pvalue, tuple(tried))


def _id_report(kinds: Counter, n_ids: int, n_mapped: int) -> dict[str, Any]:
    """``species_seen`` (human, mouse, rat, ``mouse or rat``, or ``""`` for Entrez only), ``id_types``
    (rows mapped per id kind) and ``id_mapping`` (rows with an id, rows mapped, their share)."""
    by: Counter = Counter()
    for kind, n in kinds.items():
        if KIND_SPECIES.get(kind):
            by[KIND_SPECIES[kind]] += n
    return {"species_seen": by.most_common(1)[0][0] if by else "", "id_types": dict(kinds.most_common()),
            "id_mapping": {"rows": n_ids, "mapped": n_mapped, "share": round(n_mapped / n_ids, 4) if n_ids else 0.0}}


@dataclass
class _Measured:
    where: str
    line: int
    gene: Node
    lfc: float
    padj: float | None
    pvalue: float | None


@bounded_reader
def read_deg_table(src: Source, resolver: HGNCResolver, experiment: Experiment | str, *,
                   name: str | None = None, symbol_col: str | None = None, lfc_col: str | None = None,
                   padj_col: str | None = None, onto: Ontology | None = None) -> SourceLoad:
    """A differential-expression table -> experiment node + ``measured_in`` edges with statistics.

    The load's params say what was detected: ``format`` (DESeq2, edgeR, limma, Seurat, plain),
    ``row_names``, ``id_column``, ``id_type``, ``species_seen``, the ``columns`` read, ``padj_source``
    and ``id_mapping`` (rows with an id, rows whose id maps, their share). A table with p-values but
    no adjusted column gets Benjamini–Hochberg adjusted p-values over its loaded rows.

    Raises :class:`DEGTableError` when the table has no usable gene or fold-change column;
    bad rows (non-numeric statistics, unknown genes) are rejected or counted as unmapped.
    """
    exp = Experiment(experiment) if isinstance(experiment, str) else experiment
    data, label = source_bytes(src, name)
    if not data.strip():
        raise DEGTableError(f"{label}: file is empty")
    rows = list(table_rows(data, label))
    exp_node = experiment_node(exp, data, label)
    sl = new_load("user", f"{label} {exp_node.id}", LICENCE, source_url(src, label), label, onto, experiment=exp.name)
    _, header, body = split_header(rows, label)
    mapper = OrthologueMapper(resolver, "user", exp.species)
    sample = [c for _, c, _ in body if c and any(x.strip() for x in c)][:SAMPLE_ROWS]
    lay = detect_layout(header, sample, mapper, label, symbol_col=symbol_col, lfc_col=lfc_col, padj_col=padj_col)
    sl.nodes[exp_node.id] = exp_node
    idx = {h: i for i, h in enumerate(lay.header)}
    first_line: dict[str, int] = {}
    kinds: Counter = Counter()
    measured: list[_Measured] = []
    n_ids = n_mapped = 0
    for n, where, cells in data_rows(body, label, sl):

        def cell(col: str) -> str:
            i = idx[col]
            return cells[i].strip() if i < len(cells) else ""

        gene, tried = None, []
        for gc in lay.genes:
            if cell(gc.name):
                tried.append(cell(gc.name))
                gene = _gene_of(mapper, cell(gc.name), gc.entrez)
                if gene:
                    kinds[id_kind(tried[-1])] += 1
                    break
        n_ids += bool(tried)
        n_mapped += gene is not None
        try:
            lfc_v = _number(cell(lay.lfc))
        except ValueError:
            sl.reject(where, f"{lay.lfc} {cell(lay.lfc)!r} is not a number")
            continue
        stats: dict[str, float | None] = {}
        bad = ""
        for key, col in (("padj", lay.padj), ("pvalue", lay.pvalue)):
            try:
                stats[key] = _number(cell(col)) if col else None
            except ValueError:
                bad = f"{col} {cell(col)!r} is not a number"
                break
        if bad:
            sl.reject(where, bad)
            continue
        if lfc_v is None:
            base = find_column(lay.header, ("basemean",))
            zero = base is not None and _zero(cell(base))
            sl.reject(where, f"{lay.lfc} is missing (NA): no direction" + (" (baseMean 0: no counts)" if zero else ""))
            continue
        if gene is None:
            sl.unmapped(tried or [f"(empty gene cell, line {n})"])
            continue
        if gene.id in first_line:
            same = tried[-1] if tried[-1] == gene.name else f"{tried[-1]} ({gene.name})"
            sl.reject(where, f"{same} already measured at line {first_line[gene.id]}")
            continue
        first_line[gene.id] = n
        measured.append(_Measured(where, n, gene, lfc_v, stats["padj"], stats["pvalue"]))
    padj_source = lay.padj
    if lay.padj is None and lay.pvalue is not None:
        _bh_fill(measured)
        padj_source = f"Benjamini-Hochberg of {lay.pvalue} over the loaded rows"
    sl.params.update({"experiment_id": exp_node.id, **lay.describe(), "padj_source": padj_source,
                      **_id_report(kinds, n_ids, n_mapped)})
    ctx = exp.context()
    for m in measured:
        direction = (m.lfc > 0) - (m.lfc < 0)
        props = (("log2fc", m.lfc),) + ((("padj", m.padj),) if m.padj is not None else ()) + \
            ((("pvalue", m.pvalue),) if m.pvalue is not None else ())
        e = Edge(m.gene.id, "measured_in", exp_node.id, direction, props)
        word = {1: "up", -1: "down", 0: "unchanged"}[direction]
        stat = f"log2FC {m.lfc:.3g}" + (f", padj {m.padj:.3g}" if m.padj is not None else "")
        ev = Evidence(e.key, "user", f"file:{label}", f"{m.gene.name} is {word} in {exp.name} ({stat}; {label} line {m.line}).",
                      None, "deg_table", ctx, (), direction)
        sl.add_row(m.where, [m.gene], [e], [ev])
    return sl


def _zero(cell: str) -> bool:
    try:
        return _number(cell) == 0
    except ValueError:
        return False


def _bh_fill(measured: list[_Measured]) -> None:
    """Set ``padj`` of the rows with a p-value to their Benjamini–Hochberg adjusted value."""
    from scipy.stats import false_discovery_control

    with_p = [m for m in measured if m.pvalue is not None and 0 <= m.pvalue <= 1]
    if with_p:
        for m, q in zip(with_p, false_discovery_control([m.pvalue for m in with_p], method="bh")):
            m.padj = float(q)


@bounded_reader
def read_gene_list(src: Source, resolver: HGNCResolver, experiment: Experiment | str, *,
                   name: str | None = None, onto: Ontology | None = None) -> SourceLoad:
    """A plain list (one symbol or id per line; ``#`` comments) -> experiment + unsigned ``measured_in`` edges.

    Ids are told apart by shape as in a table (symbols, Entrez, human/mouse/rat Ensembl, mouse/rat symbols).
    """
    exp = Experiment(experiment) if isinstance(experiment, str) else experiment
    data, label = source_bytes(src, name)
    if not data.strip():
        raise DEGTableError(f"{label}: file is empty")
    exp_node = experiment_node(exp, data, label)
    sl = new_load("user", f"{label} {exp_node.id}", LICENCE, source_url(src, label), label, onto, experiment=exp.name)
    sl.nodes[exp_node.id] = exp_node
    sl.params["experiment_id"] = exp_node.id
    mapper = OrthologueMapper(resolver, "user", exp.species)
    seen: set[str] = set()
    kinds: Counter = Counter()
    n_ids = 0
    for n, where, text in decoded_rows(data, label, sl):
        t = text.split("#", 1)[0].strip()
        if not t:
            continue
        gene = mapper.any_id(t)
        n_ids += 1
        kinds.update([id_kind(t)] if gene else [])
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
    sl.params.update({"format": "gene list", "id_type": kinds.most_common(1)[0][0] if kinds else "",
                      **_id_report(kinds, n_ids, sum(kinds.values()))})
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
