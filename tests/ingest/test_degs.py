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
    assert edges[mmp3].sign == 1 and dict(edges[mmp3].props) == {"log2fc": 2.5, "padj": 1e-5}
    assert edges[timp3].sign == -1 and dict(edges[timp3].props) == {"log2fc": -1.5}  # padj NA
    assert all(e.predicate == "measured_in" and e.object == exp_id for e in edges.values())
    ev = next(v for v in sl.evidence.values() if v.edge_key == edges[mmp3].key)
    assert ev.source == "user" and ev.citation == "file:deg.csv" and "line 2" in ev.text
    reasons = [str(r) for r in sl.report.rejected]
    assert reasons == ["deg.csv:3: MMP3 already measured at line 2",
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
    with pytest.raises(DEGTableError, match="no gene column"):
        read_deg_table(data, default_resolver(), "x", name="n.csv")
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
