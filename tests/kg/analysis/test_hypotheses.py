"""Hypothesis cards on the shipped build, on both stores, plus bad input and the CLI.

``built_store`` runs every store test on the embedded store and on the real Neo4j; cards must be
identical on both (compared as JSON without the store name).
"""
from __future__ import annotations

import json

import pytest

from kg.analysis.cards import to_json
from kg.analysis.hypotheses import HypothesisError, generate, read_gene_file, resolve_genes, run
from kg.pipeline.build import collect
from kg.pipeline.load import load
from kg.query.resolve import EntityNotFound
from kg.records.model import Edge, Node
from kg.store.embedded import EmbeddedStore
from kg.store.version import graph_version
from tests.kg.surfaces.test_cli import run_kg_embedded as run_kg  # this module writes the networkx file

DEG_GENES = ["MMP3", "MMP13", "ITGB1", "PTK2", "ADAMTS5", "TGFB1"]



@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The default build in an embedded store: the answers every store must give."""
    s = EmbeddedStore(tmp_path_factory.mktemp("ref") / "graph.json.gz")
    load(s, collect())
    return s


@pytest.fixture
def deg_file(tmp_path):
    p = tmp_path / "degs.tsv"
    p.write_text("gene\tlog2fc\tpadj\n" + "".join(f"{g}\t1.5\t0.01\n" for g in DEG_GENES) + "NOTAGENE1\t2\t0.2\n")
    return p


def without_store(cards):
    return json.loads(json.dumps([{k: v for k, v in c.items() if k != "store"} for c in cards]))


def direct_pairs(store):
    out = set()
    for e in store.iter_edges():
        if e["predicate"] != "member_of":
            out |= {(e["subject"], e["object"]), (e["object"], e["subject"])}
    return out


def test_module_to_module_cards(built_store, reference):
    cards = generate(built_store, "Bone bioactive factors", "Matrix degradation", k=8)
    assert len(cards) == 8
    bone = {e["subject"] for e in built_store.edges_of(["MODULE:bone_bioactive_factors"], "in")}
    matrix = {e["subject"] for e in built_store.edges_of(["MODULE:matrix_degradation"], "in")}
    linked = direct_pairs(built_store)
    for rank, c in enumerate(cards, start=1):
        a, o = c["subject"]["id"], c["object"]["id"]
        assert c["rank"] == rank and a in bone and o in matrix
        assert (a, o) not in linked and c["novelty"]["direct_edge"] is False
        assert c["novelty"]["co_mention_papers"] == len(c["novelty"]["co_mention_citations"])
        assert c["expected_sign"] in (-1, 1) and c["claim"].startswith(c["subject"]["name"])
        assert c["graph_version"] == graph_version(built_store)
        assert c["query"]["mode"] == "closed" and c["query"]["target"] == "MODULE:matrix_degradation"
        assert c["supporting_paths"], c["claim"]
        for p in c["supporting_paths"]:
            assert p["nodes"][0]["id"] == a and p["nodes"][-1]["id"] == o and len(p["edges"]) >= 2
            assert p["sign"] == c["expected_sign"] and all(h["evidence"] for h in p["edges"])
        # the score is the sum of the path scores; intermediates share it
        assert c["score"] >= c["score_components"]["best_path"] > 0
        assert sum(v["share"] for v in c["via"]) >= 0.99 or len(c["via"]) == 5
        assert c["predicted_observable"] and c["suggested_assay"]
    scores = [c["score"] for c in cards]
    assert scores == sorted(scores, reverse=True)
    assert without_store(cards) == without_store(generate(reference, "Bone bioactive factors", "Matrix degradation", k=8))


def test_gene_list_cards_are_identical_on_both_stores(built_store, reference, deg_file):
    genes = read_gene_file(deg_file)
    assert genes == DEG_GENES + ["NOTAGENE1"]
    result = run(built_store, "Bone bioactive factors", genes=genes, k=10)
    assert result.unmatched_genes == ["NOTAGENE1"]
    assert result.cards, result.reason
    ids, _ = resolve_genes(built_store, DEG_GENES)
    for c in result.cards:
        assert c["object"]["id"] in ids and c["query"]["mode"] == "open"
        assert c["query"]["genes"] == sorted(ids)
    assert without_store(result.cards) == without_store(generate(reference, "Bone bioactive factors", genes=genes, k=10))


def test_same_query_same_bytes(built_store):
    a = to_json(without_store(generate(built_store, "Decompression", k=5)))
    b = to_json(without_store(generate(built_store, "Decompression", k=5)))
    assert a == b and json.loads(a)


def test_open_discovery_excludes_direct_neighbours(built_store):
    cards = generate(built_store, "TNF", k=10, max_hops=2)
    linked = direct_pairs(built_store)
    assert cards
    for c in cards:
        assert (c["subject"]["id"], c["object"]["id"]) not in linked
        assert all(len(p["edges"]) == 2 for p in c["supporting_paths"])


def test_single_pair_keeps_a_known_edge_and_says_so(built_store):
    known = generate(built_store, "TNF", "MMP3")
    assert len(known) == 1 and known[0]["novelty"]["direct_edge"] is True
    assert known[0]["novelty"]["direct_edge_keys"]
    assert all(len(p["edges"]) >= 2 for p in known[0]["supporting_paths"])  # the direct edge is not a support
    new = generate(built_store, "TNF", "ACAN")
    assert new[0]["novelty"]["direct_edge"] is False and new[0]["claim"].startswith("TNF decreases ACAN")
    assert {v["name"] for v in new[0]["via"]} >= {"MMP3"}


def test_bad_input_messages(built_store):
    with pytest.raises(EntityNotFound, match="Did you mean"):
        generate(built_store, "TGFB11")
    with pytest.raises(HypothesisError, match="none of the 2 genes"):
        generate(built_store, "TGFB1", genes=["NOTAGENE1", "NOTAGENE2"])
    with pytest.raises(HypothesisError, match="max_hops"):
        generate(built_store, "TGFB1", max_hops=7)
    with pytest.raises(HypothesisError, match="not a mechanism module"):
        generate(built_store, "TGFB1", modules=["MMP3"])
    empty = run(built_store, "Decompression", "PECAM1")  # nothing in the shipped knowledge reaches PECAM1
    assert empty.cards == [] and "no pair from Decompression to PECAM1" in empty.reason
    assert "no pair from TGFB1 to COL2A1 is joined by a path of 2–3 hops" in run(built_store, "TGFB1", "COL2A1").reason


def test_experiment_genes_via_measured_in(tmp_path):
    s = EmbeddedStore(tmp_path / "g.json.gz")
    genes = [Node("HGNC:1", "gene", "A"), Node("HGNC:2", "gene", "B"), Node("HGNC:3", "gene", "C"),
             Node("HGNC:4", "gene", "D"), Node("EXP:rnaseq1", "experiment", "NP RNA-seq")]
    s.upsert(genes, [Edge("HGNC:1", "activates", "HGNC:2", 1), Edge("HGNC:2", "activates", "HGNC:3", 1),
                     Edge("HGNC:2", "activates", "HGNC:4", 1),
                     Edge("HGNC:4", "measured_in", "EXP:rnaseq1", 0)], [])
    s.set_edge_props({e["key"]: {"belief": 0.8} for e in s.iter_edges()})
    assert resolve_genes(s, "EXP:rnaseq1") == ({"HGNC:4": "HGNC:4"}, [])
    cards = generate(s, "A", genes="EXP:rnaseq1")
    assert [c["object"]["name"] for c in cards] == ["D"]
    assert cards[0]["claim"] == "A increases D in disc cells, via B"
    assert [c["object"]["name"] for c in generate(s, "A")] == ["C", "D"]


def test_cli_cards_and_errors(tmp_path, deg_file):
    home = tmp_path / "home"
    load(EmbeddedStore(home / "graph.json.gz"), collect())
    ok = run_kg(home, "hypotheses", "--from", "Bone bioactive factors", "--to", "Matrix degradation", "--k", "3",
                "--json")
    assert ok.returncode == 0, ok.stderr
    assert len(json.loads(ok.stdout)) == 3
    csv_out = run_kg(home, "hypotheses", "--from", "Bone bioactive factors", "--genes", str(deg_file), "--csv")
    assert csv_out.returncode == 0 and csv_out.stdout.startswith("rank,id,claim")
    assert "NOTAGENE1" in csv_out.stderr  # the unmatched gene is named
    for args, msg in [(("--from", "TGFB11"), "Did you mean"),
                      (("--from", "Decompression", "--to", "PECAM1"), "no hypotheses"),
                      (("--from", "TGFB1", "--genes", str(tmp_path / "missing.txt")), "cannot read gene list")]:
        bad = run_kg(home, "hypotheses", *args)
        assert bad.returncode != 0 and msg in bad.stderr and "Traceback" not in bad.stderr


def test_gene_file_that_is_not_utf8_is_one_error(tmp_path):
    p = tmp_path / "genes.txt"
    p.write_bytes(b"MMP3\nCAF\xc9\n")
    with pytest.raises(HypothesisError, match=r"genes\.txt is not UTF-8 \(byte 0xc9 at offset 8\)"):
        read_gene_file(p)
