"""DEG tables (CSV/TSV/XLSX) and plain gene lists -> experiment + measured_in edges."""
from __future__ import annotations

import pytest

from ingest.degs import DEGTableError, Experiment, read_deg_table, read_gene_list, read_genes
from ingest.hgnc import default_resolver

CSV = (b"gene,baseMean,log2FoldChange,lfcSE,pvalue,padj\n"
       b"MMP3,100,2.5,0.2,1e-6,1e-5\nSTMY1,100,2.5,0.2,1e-6,1e-5\nTIMP3,80,-1.5,0.3,1e-3,NA\n"
       b"NOTAGENE,1,1,1,0.5,0.9\nACAN,30,abc,0.1,0.2,0.3\nCOL2A1,30,1.0,0.1,0.2,high\n\n")


def ids(*symbols):
    r = default_resolver()
    return [r.resolve(s).hgnc_id for s in symbols]


def test_csv_table_gives_directions_statistics_and_reconciling_counts():
    sl = read_deg_table(CSV, default_resolver(), Experiment("NP herniated vs contained", "human", "nucleus pulposus",
                                                                 "herniation", "in_vivo RNA-seq"), name="deg.csv")
    exp_id = sl.params["experiment_id"]
    exp = sl.nodes[exp_id]
    assert exp_id.startswith("EXP:") and exp.category == "experiment"
    assert exp.prop("tissue") == "nucleus pulposus" and exp.prop("design") == "in_vivo RNA-seq"
    mmp3, timp3 = ids("MMP3", "TIMP3")
    edges = {e.subject: e for e in sl.edges.values()}
    assert edges[mmp3].sign == 1 and dict(edges[mmp3].props) == {"log2fc": 2.5, "padj": 1e-5, "pvalue": 1e-6}
    assert edges[timp3].sign == -1 and dict(edges[timp3].props) == {"log2fc": -1.5, "pvalue": 1e-3}  # padj NA
    assert all(e.predicate == "measured_in" and e.object == exp_id for e in edges.values())
    ev = next(v for v in sl.evidence.values() if v.edge_key == edges[mmp3].key)
    assert ev.source == "user" and ev.citation == "file:deg.csv" and "line 2" in ev.text
    reasons = [str(r) for r in sl.report.rejected]
    assert reasons == ["deg.csv:3: STMY1 (MMP3) already measured at line 2",
                       "deg.csv:6: log2FoldChange 'abc' is not a number",
                       "deg.csv:7: padj 'high' is not a number"]
    r = sl.report
    assert (r.read, r.loaded, r.unmapped_rows) == (6, 2, 1) and r.reconciles()
    assert dict(r.unmapped) == {"NOTAGENE": 1}


def test_same_content_and_name_give_the_same_experiment_id():
    a = read_deg_table(CSV, default_resolver(), "x", name="a.csv").params["experiment_id"]
    b = read_deg_table(CSV, default_resolver(), "x", name="b.csv").params["experiment_id"]
    c = read_deg_table(CSV, default_resolver(), "y", name="a.csv").params["experiment_id"]
    assert a == b != c


def test_tsv_with_limma_names_and_ensembl_fallback():
    data = (b"ID\tEnsembl_gene_id\tlogFC\tAveExpr\tadj.P.Val\n"
            b"x1\tENSG00000149968\t-0.7\t5\t0.01\n")  # MMP3 by Ensembl
    sl = read_deg_table(data, default_resolver(), "limma", name="t.tsv")
    (e,) = sl.edges.values()
    assert e.subject == ids("MMP3")[0] and e.sign == -1 and dict(e.props)["padj"] == 0.01


def test_user_named_columns():
    data = b"Name,FC_log2,q\nMMP13,1.1,0.02\n"
    with pytest.raises(DEGTableError, match="no log2 fold-change column"):
        read_deg_table(data, default_resolver(), "x", name="n.csv")
    with pytest.raises(DEGTableError, match=r"no gene column: no column's values map to HGNC genes \(sampled: Probe 0%"):
        read_deg_table(b"Probe,logFC\nA_23_P100001,1.1\n", default_resolver(), "x", name="p.csv")
    sl = read_deg_table(data, default_resolver(), "x", name="n.csv", symbol_col="name", lfc_col="FC_log2", padj_col="Q")
    (e,) = sl.edges.values()
    assert e.subject == ids("MMP13")[0] and dict(e.props) == {"log2fc": 1.1, "padj": 0.02}


def test_missing_columns_and_empty_and_wrong_encoding():
    with pytest.raises(DEGTableError, match=r"m.csv: no log2 fold-change column .*columns: gene, padj"):
        read_deg_table(b"gene,padj\nMMP3,0.1\n", default_resolver(), "x", name="m.csv")
    with pytest.raises(DEGTableError, match="e.csv: file is empty"):
        read_deg_table(b"  \n", default_resolver(), "x", name="e.csv")
    sl = read_deg_table("gene,log2fc\nMMP3,1\nCAF\u00c9,2\n".encode("latin-1"), default_resolver(), "x", name="l.csv")
    assert [str(r) for r in sl.report.rejected] == [
        "l.csv:3: line is not UTF-8 (byte 0xc9 at column 4); save the file as UTF-8"]
    assert sl.report.reconciles()


def test_xlsx_table(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Symbol", "log2FoldChange", "FDR"])
    ws.append(["ADAMTS5", 1.8, 0.001])
    ws.append(["TIMP1", -0.4, 0.2])
    ws.append(["ACAN", "n.s.", 0.5])
    p = tmp_path / "deg.xlsx"
    wb.save(p)
    sl = read_genes(p, default_resolver(), "xlsx exp")
    signs = {e.subject: e.sign for e in sl.edges.values()}
    adamts5, timp1 = ids("ADAMTS5", "TIMP1")
    assert signs == {adamts5: 1, timp1: -1}
    assert [str(r) for r in sl.report.rejected] == ["deg.xlsx:4: log2FoldChange 'n.s.' is not a number"]


def test_plain_gene_list():
    sl = read_genes(b"# my list\nMMP3\nITGB1\n\nMMP3\n4322\nNOTAGENE\n", default_resolver(), "list", name="l.txt")
    assert {e.subject for e in sl.edges.values()} == set(ids("MMP3", "ITGB1", "MMP13"))
    assert all(e.sign == 0 for e in sl.edges.values())
    assert [str(r) for r in sl.report.rejected] == ["l.txt:5: MMP3 is listed twice"]
    assert sl.report.reconciles() and dict(sl.report.unmapped) == {"NOTAGENE": 1}
    assert read_gene_list(b"MMP3\n", default_resolver(), "list", name="l.txt").params["experiment_id"].startswith("EXP:")


def test_kg_ingest_genes_command(tmp_path):
    import json

    from typer.testing import CliRunner

    from kg.surfaces.cli import app

    p = tmp_path / "deg.csv"
    p.write_bytes(CSV)
    env = {"KG_HOME": str(tmp_path / "home"), "KG_STORE": "embedded"}
    runner = CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()
    strict = runner.invoke(app, ["ingest", "genes", str(p), "--experiment", "NP", "--strict"], env=env)
    assert strict.exit_code == 1 and "--strict: 3 rejected row(s), nothing written" in strict.stderr
    from kg.store.embedded import EmbeddedStore

    assert EmbeddedStore(tmp_path / "home" / "graph.json.gz").stats()["nodes"] == 0
    assert runner.invoke(app, ["build", "--json"], env=env).exit_code == 0  # modules to highlight genes in
    res = runner.invoke(app, ["ingest", "genes", str(p), "--experiment", "NP", "--species", "human",
                              "--by-module", "--json"], env=env)
    assert res.exit_code == 0, res.stderr
    out = json.loads(res.stdout)
    assert out["experiment_id"].startswith("EXP:") and (out["read"], out["loaded"], out["rejected"]) == (6, 2, 3)
    assert out["unmapped_symbols"] == {"NOTAGENE": 1}
    assert {"symbol": "MMP3", "direction": 1, "log2fc": 2.5, "padj": 1e-5} in out["by_module"]["Matrix degradation"]


# -- tables as DESeq2, edgeR and limma write them (real gene ids, generated statistics) ------------------------
from tests.deg_tables import deseq2_csv, edger_tsv, human_genes, limma_tsv, rat_genes, statistics  # noqa: E402
from tests.helpers import shared_data  # noqa: E402

#: Ensembl gene names a human DESeq2 table carries that have no HGNC gene.
NO_HGNC = ["Y_RNA", "Metazoa_SRP", "5S_rRNA", "snoU13", "Vault"]


def mapped_share(sl) -> float:
    m = sl.params["id_mapping"]
    assert m["rows"] == sl.report.read  # every row of these tables has an id
    return m["mapped"] / m["rows"]


def rejected(sl) -> list[str]:
    return [str(r) for r in sl.report.rejected]


def test_deseq2_write_csv_row_names_and_na():
    genes = human_genes(1200, seed=1)
    rows = statistics([(g.symbol, frozenset({g.hgnc_id})) for g in genes] + [(s, frozenset()) for s in NO_HGNC], seed=2)
    for r in rows[100:120]:  # all-zero counts: DESeq2 writes baseMean 0 and NA for everything else
        r.base_mean, r.lfc, r.p, r.padj = 0.0, None, None, None
    for r in rows[200:300]:  # independent filtering: a fold change but padj NA
        r.padj = None
    data = deseq2_csv(rows)
    assert data.startswith(b'"","baseMean","log2FoldChange"')
    sl = read_deg_table(data, default_resolver(), Experiment("NP", "human"), name="res.csv")
    p = sl.params
    assert (p["format"], p["row_names"], p["id_column"], p["id_type"], p["species_seen"]) == \
        ("DESeq2", True, "(row names)", "symbol", "human")
    assert p["columns"] == {"genes": ["(row names)"], "lfc": "log2FoldChange", "padj": "padj", "pvalue": "pvalue"}
    assert mapped_share(sl) >= 0.95
    assert rejected(sl) == [f"res.csv:{i + 2}: log2FoldChange is missing (NA): no direction (baseMean 0: no counts)"
                            for i in range(100, 120)]
    r = sl.report
    assert (r.read, r.loaded, r.unmapped_rows) == (1205, 1180, 5) and r.reconciles()
    assert sorted(r.unmapped) == sorted(NO_HGNC)
    by_gene = {e.subject: dict(e.props) for e in sl.edges.values()}
    for row in rows[:1200]:
        if row.lfc is None:
            continue
        (hid,) = row.truth
        assert by_gene[hid]["log2fc"] == pytest.approx(row.lfc, rel=1e-9)
        assert by_gene[hid].get("padj") == (None if row.padj is None else pytest.approx(row.padj, rel=1e-9))


def test_edger_toptags_ensembl_ids_with_versions():
    shared = shared_data()
    from tests.deg_tables import _tsv

    genes = human_genes(1500, seed=3, need_ensembl=True)
    rnd = __import__("random").Random(4)
    ids = [(f"{g.ensembl_id}.{rnd.randint(1, 20)}", frozenset({g.hgnc_id})) for g in genes]
    # Ensembl genes named by HGNC since the shipped (2019) table: real ids that stay unmapped
    known = default_resolver()
    newer = sorted(r["Ensembl gene ID"] for r in _tsv(shared / "orthologs" / "hgnc_entries.tsv")
                   if r["Ensembl gene ID"] and known.by_ensembl(r["Ensembl gene ID"]) is None)[:12]
    assert len(newer) == 12
    rows = statistics(ids + [(f"{e}.1", frozenset()) for e in newer], seed=5)
    data = edger_tsv(rows)
    assert data.split(b"\n")[0] == b"logFC\tlogCPM\tLR\tPValue\tFDR"  # row names have no header cell
    sl = read_deg_table(data, default_resolver(), "edgeR LRT", name="toptags.tsv")
    p = sl.params
    assert (p["format"], p["row_names"], p["id_type"], p["columns"]["padj"]) == ("edgeR", True, "ensembl", "FDR")
    assert mapped_share(sl) >= 0.95 and sl.report.loaded == 1500 and sl.report.rejected == []
    assert sorted(sl.report.unmapped) == sorted(f"{e}.1" for e in newer)
    assert {e.subject for e in sl.edges.values()} == {h for r in rows for h in r.truth}


def test_edger_genes_column_beside_row_numbers_never_reads_numbers_as_entrez():
    # write.table(topTags(...)) of a DGEList with $genes: R's row numbers, then a genes column
    genes = human_genes(300, seed=6, need_ensembl=True)
    rows = statistics([(g.ensembl_id, frozenset({g.hgnc_id})) for g in genes] + [("ENSG00000999999", frozenset())], seed=7)
    body = edger_tsv(rows).decode().split("\n")
    lines = ["genes\t" + body[0]] + [f"{i}\t{line}" for i, line in enumerate(body[1:-1], start=1)]
    sl = read_deg_table(("\n".join(lines) + "\n").encode(), default_resolver(), "edgeR", name="tt.tsv")
    assert sl.params["columns"]["genes"] == ["genes"] and sl.params["row_names"]
    assert dict(sl.report.unmapped) == {"ENSG00000999999": 1}  # not row number 301 read as Entrez 301 (ANXA1)
    # pandas' to_csv: an unnamed index 0, 1, 2 … beside an Entrez gene_id column
    sl = read_deg_table(b",gene_id,logFC,FDR\n0,4314,1.0,0.01\n1,99999999,2,0.01\n2,7076,-1,0.2\n",
                        default_resolver(), "pandas", name="p.csv")
    assert sl.params["columns"]["genes"] == ["gene_id"] and dict(sl.report.unmapped) == {"99999999": 1}
    # Entrez ids as the only ids, in row names (limma on an Entrez-annotated array)
    sl = read_deg_table(b"logFC\tAveExpr\tadj.P.Val\n4314\t1.0\t7\t0.01\n7076\t-1\t6\t0.2\n", default_resolver(),
                        "limma", name="l.tsv")
    assert (sl.params["id_type"], sl.report.loaded) == ("entrez", 2)


def test_rat_limma_table_with_id_column_maps_through_orthologues():
    shared = shared_data()
    rat, loc = rat_genes(shared, 2000, seed=8)
    rows = statistics([(sym, truth) for sym, _, truth in rat] + [(s, frozenset()) for s in loc[:40]], seed=9)
    sl = read_deg_table(limma_tsv(rows), default_resolver(), Experiment("rat NP loaded vs unloaded", "rat"),
                        name="rat_limma.tsv")
    p = sl.params
    assert (p["format"], p["row_names"], p["id_column"], p["id_type"], p["species_seen"]) == \
        ("limma", False, "ID", "rodent_symbol", "mouse or rat")
    assert p["columns"]["padj"] == "adj.P.Val" and p["columns"]["pvalue"] == "P.Value"
    assert mapped_share(sl) >= 0.95
    assert set(loc[:40]) <= set(sl.report.unmapped)
    r = sl.report
    assert r.reconciles() and r.loaded >= 0.95 * 2000
    # two rat genes with one human orthologue: the second is rejected, naming the first
    assert all(" already measured at line " in x for x in rejected(sl))
    # each loaded row maps to one of its gene's human orthologues
    truth = {sym: t for sym, _, t in rat}
    line_of = {i + 2: row.gene_id for i, row in enumerate(sorted(rows, key=lambda r: r.p))}
    ev = {v.edge_key: v for v in sl.evidence.values()}
    right = 0
    for e in sl.edges.values():
        line = int(ev[e.key].text.rsplit(" line ", 1)[1].rstrip(")."))
        right += e.subject in truth.get(line_of[line], ())
    assert right >= 0.99 * len(sl.edges)


def test_rat_ensembl_row_names_and_entrez_refused_for_rat():
    shared = shared_data()
    rat, _ = rat_genes(shared, 400, seed=10)
    rows = statistics([(ens, truth) for _, ens, truth in rat], seed=11)
    sl = read_deg_table(edger_tsv(rows), default_resolver(), Experiment("rat", "rat"), name="rat_edger.tsv")
    assert (sl.params["id_type"], sl.params["species_seen"]) == ("ensembl_rat", "rat")
    assert mapped_share(sl) >= 0.95
    # a rat Entrez number is not a human one: with species rat it is not looked up
    with pytest.raises(DEGTableError, match="rat Entrez ids are not mapped"):
        read_genes(b"gene_id,logFC\n24577,1.2\n", default_resolver(), Experiment("rat", "rat"), name="e.csv")


def test_xlsx_with_row_names_like_openxlsx(tmp_path):
    from openpyxl import Workbook

    genes = human_genes(200, seed=12)
    rows = statistics([(g.symbol, frozenset({g.hgnc_id})) for g in genes], seed=13)
    wb = Workbook()
    ws = wb.active
    ws.append([None, "baseMean", "log2FoldChange", "lfcSE", "stat", "pvalue", "padj"])
    for r in rows:
        ws.append([r.gene_id, r.base_mean, r.lfc, 0.2, r.lfc / 0.2, r.p, r.padj])
    ws.append(["MMP3", 10.0, "NA", "NA", "NA", "NA", "NA"] if "MMP3" not in {g.symbol for g in genes} else [])
    p = tmp_path / "res.xlsx"
    wb.save(p)
    sl = read_genes(p, default_resolver(), "xlsx")
    assert (sl.params["format"], sl.params["row_names"], sl.params["id_type"]) == ("DESeq2", True, "symbol")
    assert mapped_share(sl) == 1.0 and sl.report.loaded == 200
    assert rejected(sl) == ["res.xlsx:202: log2FoldChange is missing (NA): no direction"]


def test_plain_table_with_p_values_only_gets_bh_adjusted_padj():
    from tests.deg_tables import bh

    data = b"symbol,log2fc,pval\nMMP3,2,0.001\nTIMP1,-1,0.04\nACAN,0.5,0.03\nCOL2A1,1,0.5\n"
    sl = read_deg_table(data, default_resolver(), "x", name="p.csv")
    assert sl.params["format"] == "plain" and sl.params["padj_source"] == "Benjamini-Hochberg of pval over the loaded rows"
    got = {e.subject: dict(e.props)["padj"] for e in sl.edges.values()}
    want = dict(zip(ids("MMP3", "TIMP1", "ACAN", "COL2A1"), bh([0.001, 0.04, 0.03, 0.5])))
    assert got == pytest.approx(want)
