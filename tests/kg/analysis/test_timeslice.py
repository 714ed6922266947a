"""The time-sliced self-test on a small graph with dated evidence whose answer is known.

Before 2005: a chain A-B-C, a hub X linked to n1..n6, and D-E. After 2005: A-C (closes the
triangle A-B-C) and D-n1. Common-neighbour scores must put A-C first; preferential attachment
prefers pairs with the hub and ranks it lower.
"""
from __future__ import annotations

import pytest

from kg.analysis.timeslice import TimesliceError, auroc, first_years, timeslice, to_text
from kg.records.model import Edge, Evidence, Node
from kg.store.embedded import EmbeddedStore

BEFORE = [("A", "B", 2000), ("B", "C", 2001), ("D", "E", 2002)] + [("X", f"n{i}", 2003) for i in range(1, 7)]
AFTER = [("A", "C", 2008), ("D", "n1", 2009)]


def dated_store(path, extra_edges=(), undated=()):
    ids = sorted({x for s, o, _ in BEFORE + AFTER + list(extra_edges) for x in (s, o)} | {x for p in undated for x in p})
    s = EmbeddedStore(path)
    nodes = [Node(f"HGNC:{i}", "gene", name) for i, name in enumerate(ids, start=1)]
    hid = {n.name: n.id for n in nodes}
    edges, ev = [], []
    for subj, obj, year in BEFORE + AFTER + list(extra_edges):
        e = Edge(hid[subj], "activates", hid[obj], 1)
        edges.append(e)
        ev.append(Evidence(e.key, "literature", f"PMID:{year}{len(ev)}", f"{subj} activates {obj}.", None,
                           "test", (("design", "in_vitro"),), (), 1, year))
    for subj, obj in undated:
        e = Edge(hid[subj], "activates", hid[obj], 1)
        edges.append(e)
        ev.append(Evidence(e.key, "curated", "PMID:1", "undated fact", None, "curated", (), (), 1, None))
    s.upsert(nodes, edges, ev)
    s.set_edge_props({e.key: {"belief": 0.7} for e in edges})
    return s, hid


def test_triangle_closing_is_found_and_beats_the_hub_baseline(tmp_path):
    s, hid = dated_store(tmp_path / "g.json.gz")
    r = timeslice(s, 2005, ks=(1, 5))
    assert r["edges"]["before"] == len(BEFORE) and r["edges"]["after"] == len(AFTER)
    assert r["edges"]["positives"] == 2 and r["nodes_before"] == 12
    assert r["candidates"] == 12 * 11 // 2 - len(BEFORE)
    aa, pa = r["methods"]["adamic_adar"], r["methods"]["preferential_attachment"]
    ac = sorted([hid["A"], hid["C"]])
    assert aa["top"][0]["pair"] == ac and aa["top"][0]["new"] and aa["hits@1"] == 1
    assert r["methods"]["resource_allocation"]["hits@1"] == 1 and r["methods"]["dwpc"]["hits@1"] == 1
    assert pa["hits@1"] == 0 and hid["X"] in pa["top"][0]["pair"]  # the hub pairs come first
    assert aa["auroc"] > pa["auroc"] and aa["mean_rank"] < pa["mean_rank"]
    assert r["baseline"] == "preferential_attachment" and r["evidence_years"] == [2000, 2009]
    assert timeslice(s, 2005, ks=(1, 5)) == r  # deterministic
    assert "adamic_adar" in to_text(r) and "(baseline)" in to_text(r)


def test_undated_edges_are_excluded_or_known(tmp_path):
    s, hid = dated_store(tmp_path / "g.json.gz", undated=[("Y", "Z"), ("A", "Y")])
    excl = timeslice(s, 2005)
    known = timeslice(s, 2005, undated="known")
    assert excl["edges"]["undated"] == known["edges"]["undated"] == 2
    assert excl["nodes_before"] == 12 and known["nodes_before"] == 14
    assert known["links_before"] == excl["links_before"] + 2
    assert excl["edges"]["positives"] == known["edges"]["positives"] == 2  # undated edges are never positives
    with pytest.raises(TimesliceError, match="undated must be"):
        timeslice(s, 2005, undated="sometimes")


def test_negated_evidence_is_not_a_first_report(tmp_path):
    s, hid = dated_store(tmp_path / "g.json.gz")
    e = Edge(hid["A"], "activates", hid["C"], 1)
    s.upsert([], [], [Evidence(e.key, "literature", "PMID:1999", "A did not activate C.", None, "test", (),
                               ("negated",), 1, 1999)])
    first, span = first_years(s)
    assert first[e.key] == 2008 and span == (2000, 2009)


def test_clear_messages_for_impossible_years(tmp_path):
    s, _ = dated_store(tmp_path / "g.json.gz")
    with pytest.raises(TimesliceError, match=r"no evidence is dated 1990 or earlier \(dated evidence spans 2000–2009\)"):
        timeslice(s, 1990)
    with pytest.raises(TimesliceError, match="no edge is first reported after 2009"):
        timeslice(s, 2009)
    empty = EmbeddedStore(tmp_path / "e.json.gz")
    empty.upsert([Node("HGNC:1", "gene", "A"), Node("HGNC:2", "gene", "B")], [Edge("HGNC:1", "activates", "HGNC:2", 1)], [])
    with pytest.raises(TimesliceError, match="no evidence in the graph has a publication year"):
        timeslice(empty, 2000)
    only_new, _ = dated_store(tmp_path / "n.json.gz", extra_edges=[("P", "Q", 2010)])
    with pytest.raises(TimesliceError, match="joins two entities already linked"):
        # after 2009 only P-Q appears, between nodes unknown in 2009
        timeslice(only_new, 2009)


def test_sampled_negatives_keep_every_positive(tmp_path):
    s, _ = dated_store(tmp_path / "g.json.gz")
    r = timeslice(s, 2005, max_candidates=20, seed=3)
    assert r["negatives_sampled"] and r["candidates"] == 20 and r["negatives"] == 18
    assert r == timeslice(s, 2005, max_candidates=20, seed=3)


def test_auroc_by_hand():
    assert auroc([0.9, 0.8], [0.1, 0.8]) == pytest.approx(0.875)
    assert auroc([], [1.0]) is None


def test_cli_timeslice(tmp_path):
    import json

    from tests.kg.surfaces.test_cli import run_kg_embedded as run_kg  # the store written here

    s, hid = dated_store(tmp_path / "graph.json.gz")
    s.flush()
    proc = run_kg(tmp_path, "eval", "timeslice", "--year", "2005", "--json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert report["methods"]["adamic_adar"]["top"][0]["pair"] == sorted([hid["A"], hid["C"]])
    text = run_kg(tmp_path, "eval", "timeslice", "--year", "2005")
    assert "preferential_attachment (baseline)" in text.stdout
    bad = run_kg(tmp_path, "eval", "timeslice", "--year", "1900")
    assert bad.returncode != 0 and "no evidence is dated 1900 or earlier" in bad.stderr
    assert "Traceback" not in bad.stderr


@pytest.mark.shared
def test_timeslice_on_real_pubmed_abstracts(tmp_path):
    """The shared PubMed XML, mined by the literature ingest, sliced at the first year that leaves a link to predict."""
    from ingest.literature import records_from_articles
    from ingest.pubmed import parse_pubmed_files
    from kg.pipeline.load import load
    from tests.helpers import shared_data

    pubmed = shared_data() / "pubmed"
    files = sorted(pubmed.glob("*.xml")) + [pubmed / "medline16n0902.xml.gz"]
    articles, _ = parse_pubmed_files(files)
    s = EmbeddedStore(tmp_path / "g.json.gz")
    load(s, [records_from_articles(articles, source="pubmed", path="shared").load])
    first, span = first_years(s)
    assert span is not None and first
    # the first year whose later links include one between entities already linked (a positive)
    results = []
    for year in range(span[0], span[1]):
        try:
            results.append(timeslice(s, year))
        except TimesliceError:
            continue
    assert results, "no year of the real abstracts gives a link to predict"
    r = results[0]
    assert r["edges"]["before"] + r["edges"]["after"] + r["edges"]["undated"] == s.stats()["edges"]
    assert r["edges"]["positives"] >= 1 and not r["negatives_sampled"]
    n = r["nodes_before"]
    assert r["candidates"] == n * (n - 1) // 2 - r["links_before"]
    for m in r["methods"].values():
        assert 0.0 <= m["auroc"] <= 1.0 and 1.0 <= m["mean_rank"] <= r["candidates"]


def test_auroc_interval_follows_hanley_mcneil_and_few_positives_are_flagged(tmp_path):
    import math

    from kg.analysis.timeslice import MIN_POSITIVES, auroc_interval

    a, n1, n2 = 0.75, 40, 400
    q1, q2 = a / (2 - a), 2 * a * a / (1 + a)
    se = math.sqrt((a * (1 - a) + (n1 - 1) * (q1 - a * a) + (n2 - 1) * (q2 - a * a)) / (n1 * n2))
    lo, hi = auroc_interval(a, n1, n2)
    assert lo == pytest.approx(a - 1.96 * se, abs=1e-3) and hi == pytest.approx(a + 1.96 * se, abs=1e-3)
    assert auroc_interval(1.0, 5, 5) == [1.0, 1.0] and auroc_interval(0.5, 0, 3) is None
    s, _hid = dated_store(tmp_path / "g.json.gz")
    r = timeslice(s, 2005, ks=(1,))
    assert r["edges"]["positives"] < MIN_POSITIVES and r["enough_positives"] is False
    assert "only 2 positives" in r["warning"] and "warning: only 2 positives" in to_text(r)
    ci = r["methods"]["adamic_adar"]["auroc_95ci"]
    assert ci[0] <= r["methods"]["adamic_adar"]["auroc"] <= ci[1] and ci[1] - ci[0] > 0.2
