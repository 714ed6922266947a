"""Exports: every format goes out and comes back into an empty store (embedded and Neo4j) unchanged.

GraphML and KGX carry no evidence records: for them the round trip compares nodes, edges
(subject, predicate, object, sign, belief and the evidence and paper counts) and the publications
list; Cytoscape JSON and neo4j-admin CSV carry every evidence record and are compared in full.
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import networkx as nx
import pytest

from kg.pipeline.build import collect
from kg.pipeline.importers import load_subgraph, read_export
from kg.pipeline.load import load
from kg.query.export import FORMATS, ExportError, export_subgraph, module_ids, neighbourhood_ids, subgraph, write_export
from kg.store.embedded import EmbeddedStore
from kg.store.version import graph_version
from tests.kg.surfaces.test_cli import run_kg_embedded as run_kg  # this module writes the networkx file

CARRIES_EVIDENCE = {"cytoscape", "neo4j-csv"}



@pytest.fixture(scope="module")
def source(tmp_path_factory):
    s = EmbeddedStore(tmp_path_factory.mktemp("src") / "graph.json.gz")
    load(s, collect())
    return s


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_whole_graph(fmt, source, any_store):
    data = export_subgraph(source, fmt)
    assert data == export_subgraph(source, fmt)  # same graph -> same bytes
    counts = load_subgraph(any_store, read_export(fmt, data))
    assert counts["nodes"] == source.stats()["nodes"] and counts["edges"] == source.stats()["edges"]
    assert list(any_store.iter_nodes()) == list(source.iter_nodes())
    assert list(any_store.iter_edges()) == list(source.iter_edges())  # incl. sign, belief, n_evidence
    assert graph_version(any_store) == graph_version(source)
    if fmt in CARRIES_EVIDENCE:
        assert list(any_store.iter_evidence()) == list(source.iter_evidence())
        assert export_subgraph(any_store, fmt) == data  # the re-imported graph exports the same bytes
    else:
        assert any_store.stats()["evidence"] == 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_round_trip_module_subgraph(fmt, source, tmp_path):
    ids = module_ids(source, "Matrix degradation")
    out = tmp_path / f"matrix.{fmt}.zip"
    write_export(source, fmt, out, ids, {"module": "Matrix degradation"})
    sub = read_export(fmt, out)
    assert sorted(n["id"] for n in sub.nodes) == ids
    assert sub.meta["params"] == {"format": fmt, "module": "Matrix degradation"}
    assert sub.meta["graph_version"] == graph_version(source)
    want = subgraph(source, ids)
    assert [(e["subject"], e["predicate"], e["object"], e["sign"], e["n_evidence"]) for e in sub.edges] == \
        [(e["subject"], e["predicate"], e["object"], e["sign"], e["n_evidence"]) for e in want.edges]
    assert all(e["object"] in ids and e["subject"] in ids for e in sub.edges)
    target = EmbeddedStore(tmp_path / "t.json.gz")
    load_subgraph(target, sub)
    assert target.stats()["edges"] == len(want.edges)


def test_formats_follow_their_standards(source, tmp_path):
    ids = neighbourhood_ids(source, "MMP3", 1)
    assert "HGNC:7173" in ids and len(ids) > 5
    g = nx.read_graphml(io.BytesIO(export_subgraph(source, "graphml", ids)))
    assert g.graph["graph_version"] == graph_version(source)
    assert isinstance(g.nodes["HGNC:7173"]["synonyms"], str)  # lists flattened for Cytoscape/Gephi
    cy = json.loads(export_subgraph(source, "cytoscape", ids))
    assert {"nodes", "edges"} == set(cy["elements"]) and cy["data"]["graph_version"] == graph_version(source)
    e0 = cy["elements"]["edges"][0]["data"]
    assert {"id", "source", "target"} <= set(e0)
    with zipfile.ZipFile(io.BytesIO(export_subgraph(source, "kgx", ids))) as z:
        edges = list(csv.DictReader(io.StringIO(z.read("edges.tsv").decode()), delimiter="\t"))
        nodes = list(csv.DictReader(io.StringIO(z.read("nodes.tsv").decode()), delimiter="\t"))
    assert all(r["category"].startswith("biolink:") for r in nodes)
    assert all(r["predicate"].startswith("biolink:") and r["primary_knowledge_source"].startswith("infores:")
               for r in edges)
    curated = [r for r in edges if r["ldh_sources"] == "curated"]
    assert curated and all(r["primary_knowledge_source"] == "infores:ldh-kg-curated"
                           and r["knowledge_level"] == "knowledge_assertion" and r["agent_type"] == "manual_agent"
                           for r in curated)
    up = [r for r in edges if r["ldh_predicate"] == "upregulates_expression"]
    assert up and all(r["predicate"] == "biolink:affects" and r["object_direction_qualifier"] == "increased"
                      for r in up)
    assert all(r["publications"] for r in edges)
    with zipfile.ZipFile(io.BytesIO(export_subgraph(source, "neo4j-csv", ids))) as z:
        assert set(z.namelist()) == {"nodes.csv", "relationships.csv", "evidence.csv", "meta.json", "import.sh"}
        assert z.read("nodes.csv").decode().startswith("id:ID,:LABEL,")
        assert z.read("relationships.csv").decode().startswith(":START_ID,:END_ID,:TYPE,")
        assert "Entity|Gene" in z.read("nodes.csv").decode()


def test_failed_write_leaves_nothing(source, tmp_path):
    # /proc refuses new files even to root: the error names the path, nothing is left behind
    with pytest.raises(ExportError, match="cannot write /proc/kg-export-test.graphml"):
        write_export(source, "graphml", Path("/proc/kg-export-test.graphml"))
    with pytest.raises(ExportError, match="does not exist"):
        write_export(source, "cytoscape", tmp_path / "no" / "such" / "g.cyjs")
    (tmp_path / "afile").write_text("x")
    with pytest.raises(ExportError, match="is a file"):
        write_export(source, "kgx", tmp_path / "afile")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["afile"]  # no temp files left behind


def test_rename_failure_cleans_the_temp_file(source, tmp_path):
    # a directory where the zip should go: os.replace fails after the bytes were written
    (tmp_path / "x.zip").mkdir()
    with pytest.raises(ExportError, match="cannot write"):
        write_export(source, "kgx", tmp_path / "x.zip")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.zip"]


def test_unknown_things(source):
    with pytest.raises(ExportError, match="unknown export format"):
        export_subgraph(source, "gexf")
    with pytest.raises(ExportError, match="not a module"):
        module_ids(source, "MMP3")
    with pytest.raises(ExportError, match="not in the graph"):
        subgraph(source, ["HGNC:7173", "HGNC:999999"])
    with pytest.raises(ExportError, match="missing"):
        read_export("kgx", {"nodes.tsv": b"id\n"})


def test_cli_export(tmp_path):
    home = tmp_path / "home"
    load(EmbeddedStore(home / "graph.json.gz"), collect())
    out = tmp_path / "out"
    proc = run_kg(home, "export", "--format", "kgx", "--out", str(out), "--around", "MMP3", "--hops", "1")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in out.iterdir()) == ["edges.tsv", "meta.json", "nodes.tsv"]
    assert json.loads(proc.stdout)["around"] == "MMP3"
    for args, msg in [(("--format", "gexf", "--out", str(tmp_path / "x")), "unknown format"),
                      (("--format", "graphml", "--out", str(tmp_path / "no" / "x.graphml")), "does not exist"),
                      (("--format", "graphml", "--out", str(tmp_path / "x.graphml"), "--module", "Matrx degradaton"),
                       "No entity matches")]:
        bad = run_kg(home, "export", *args)
        assert bad.returncode != 0 and msg in bad.stderr and "Traceback" not in bad.stderr
