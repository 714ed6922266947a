"""``kg ingest genes --by-module`` and ``kg ingest kgml|gpml|gmt|network`` through typer's CliRunner on a
tmp KG_HOME with the embedded store: reports, JSON, and no duplicates when a file is loaded twice."""
from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from kg.surfaces.cli import app
from tests.deg_tables import deseq2_csv, human_genes, statistics
from tests.helpers import shared_data
from tests.ingest.test_kgml import KGML


def runner() -> CliRunner:
    return CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    e = {"KG_HOME": str(tmp_path_factory.mktemp("home")), "KG_STORE": "embedded", "COLUMNS": "200", "NO_COLOR": "1"}
    res = runner().invoke(app, ["build"], env=e)
    assert res.exit_code == 0, res.stderr
    return e


def kg(env, *args: str, code: int = 0):
    res = runner().invoke(app, list(args), env=env)
    assert res.exit_code == code, f"exit {res.exit_code}\n{res.stdout}\n{res.stderr}"
    return res


def graph(env):
    from pathlib import Path

    from kg.store.embedded import EmbeddedStore

    return EmbeddedStore(Path(env["KG_HOME"]) / "graph.json.gz")


def stats(env) -> dict:
    return json.loads(kg(env, "stats", "--json").stdout)


def twice(env, *args: str) -> dict:
    """Run an ingest command with --json twice; the second run must add nothing."""
    first = json.loads(kg(env, *args, "--json").stdout)
    before = stats(env)
    again = json.loads(kg(env, *args, "--json").stdout)
    assert again["added"] == {"nodes": 0, "edges": 0, "evidence": 0}
    assert {k: v for k, v in stats(env).items() if k != "graph_version"} == \
        {k: v for k, v in before.items() if k != "graph_version"}
    assert first["read"] == first["loaded"] + first["rejected"] + first["unmapped_rows"]
    return first


def test_ingest_genes_by_module_prints_an_enrichment_table(env, tmp_path):
    genes = human_genes(800, seed=31) + [g for g in human_genes(19000, seed=0) if g.symbol in ("MMP3", "MMP13", "ADAMTS5")]
    rows = statistics([(g.symbol, frozenset()) for g in genes], seed=32, significant={"MMP3", "MMP13", "ADAMTS5"})
    p = tmp_path / "res.csv"
    p.write_bytes(deseq2_csv(rows))
    args = ["ingest", "genes", str(p), "--experiment", "NP DESeq2", "--species", "human", "--by-module"]
    out = json.loads(kg(env, *args, "--json").stdout)
    assert out["detected"]["format"] == "DESeq2" and out["detected"]["row_names"] is True
    assert out["detected"]["id_mapping"]["share"] >= 0.95
    enr = out["enrichment"]
    assert enr["universe"] == out["loaded"] and enr["significant"] > 3
    md = next(r for r in enr["modules"] if r["module"] == "Matrix degradation")
    assert {"MMP3", "MMP13", "ADAMTS5"} <= {g["symbol"] for g in md["genes"]} and md["score"] > 0
    assert set(md) >= {"module", "measured", "significant", "expected", "p", "q", "score", "genes"}
    text = kg(env, *args).stdout
    assert "detected: format DESeq2 (row names), ids in '(row names)', id type symbol" in text
    assert "Module enrichment" in text and "Matrix degradation" in text and "MMP3↑" in text


def test_ingest_gmt_of_the_users_own_sets(env, tmp_path):
    p = tmp_path / "my_sets.gmt"
    p.write_text("NP catabolic\tmy lab's list\tMmp3\tAdamts5\tENSG00000105329\t7076\tNotAGene1\n"
                 "Rat integrins\t\tItgb1\tItga5\tPtk2\n"
                 "broken line\n")
    out = twice(env, "ingest", "gmt", str(p))
    assert out["detected"]["format"] == "user GMT" and out["detected"]["source"] == "user"
    assert (out["read"], out["loaded"], out["rejected"], out["unmapped_rows"]) == (9, 7, 1, 1)
    assert out["unmapped_symbols"] == {"NotAGene1": 1}
    assert out["rejections"] == ["my_sets.gmt:3: truncated GMT line: expected name, description and at least one "
                                 "gene, got 1 field(s)"]
    store = graph(env)
    members = [e["subject"] for e in store.edges_of(["KG:geneset_np_catabolic"], "in") if e["predicate"] == "member_of"]
    assert sorted(n["name"] for n in store.nodes(members).values()) == ["ADAMTS5", "MMP3", "TGFB1", "TIMP1"]
    assert store.node("KG:geneset_np_catabolic")["description"] == "my lab's list"


def test_ingest_network_csv_and_strict(env, tmp_path):
    p = tmp_path / "net.csv"
    p.write_text("source,target,effect,pmid\nTNF,MMP3,activation,12345678\nTimp3,MMP3,inhibition,\n"
                 "IL1B,MMP13,sideways,\nNOTAGENE,MMP3,1,\n")
    out = twice(env, "ingest", "network", str(p))
    assert out["detected"]["format"] == "signed table"
    assert (out["read"], out["loaded"], out["rejected"], out["unmapped_rows"]) == (4, 2, 1, 1)
    assert out["rejections"] == ["net.csv:4: sign 'sideways' is not known (use 1/-1, activation/inhibition, …)"]
    before = stats(env)
    bad = tmp_path / "bad.csv"
    bad.write_text("source,target,effect\nSOX9,ACAN,activation\nIL6,MMP3,maybe\n")
    res = kg(env, "ingest", "network", str(bad), "--strict", code=1)
    assert "rejected" in res.stderr + res.stdout
    assert stats(env)["edges"] == before["edges"]
    text = kg(env, "ingest", "network", str(p)).stdout
    assert "net.csv (signed table, source user): read 4, loaded 2, rejected 1, unmapped 1" in text
    assert "rejected net.csv:4: sign 'sideways'" in text and "unmapped: NOTAGENE" in text


def test_ingest_kgml(env, tmp_path):
    p = tmp_path / "hsa99999.xml"
    p.write_bytes(KGML)
    out = twice(env, "ingest", "kgml", str(p))
    assert out["detected"]["format"] == "KGML" and out["detected"]["source"] == "kegg"
    assert out["unmapped_symbols"] == {"hsa:999999999": 2}
    assert any("teleportation" in r for r in out["rejections"])
    assert any("opposite signs" in r for r in out["rejections"])


def test_ingest_gpml(env):
    gpml = shared_data() / "wikipathways" / "gpml" / "WP560.gpml"
    out = twice(env, "ingest", "gpml", str(gpml))
    assert out["detected"]["format"] == "GPML" and out["detected"]["version"].startswith("WP560")
    assert out["loaded"] > 20


def test_missing_and_unreadable_files_are_one_line_errors(env, tmp_path):
    res = kg(env, "ingest", "gmt", str(tmp_path / "nope.gmt"), code=1)
    assert "no such file" in res.stdout + res.stderr
    p = tmp_path / "x.gmt.gz"
    p.write_bytes(b"\x1f\x8b\x08\x00garbage")
    res = kg(env, "ingest", "gmt", str(p), code=1)
    assert "error:" in res.stdout + res.stderr and "Traceback" not in res.stdout + res.stderr
