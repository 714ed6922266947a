"""Explanations: evidence on every hop, module story, both sides of contested edges, Cypher that
reproduces each path on the real Neo4j, and identical answers on the embedded store and Neo4j.

This module holds the shipped build in BOTH stores at once (one module fixture); it never uses
``any_store`` (Neo4j Community has one database).
"""
from __future__ import annotations

import json

import pytest

from kg.query.explain import cypher_for, explain, module_story, to_markdown
from kg.query.paths import PathQuery, find_paths
from kg.records.model import Edge, Evidence, Node
from kg.store.embedded import EmbeddedStore
from tests.store_fixtures import make_store

KEY_QUERIES = [("Decompression", "NP resorption"), ("Bone bioactive factors", "Matrix degradation")]


@pytest.fixture(scope="module")
def stores(request, tmp_path_factory):
    """The default build in the embedded store and in the real Neo4j."""
    from kg.pipeline.build import collect
    from kg.pipeline.load import load

    loads = collect()
    out = {}
    for kind in ("embedded", "neo4j"):
        s = make_store(kind, tmp_path_factory.mktemp(f"explain-{kind}"), request)
        load(s, loads)
        out[kind] = s
    yield out
    for s in out.values():
        s.close()


def key_answer(store, source: str, target: str, k: int):
    """The result and explained answer of a key query (expect increases)."""
    res = find_paths(store, source, target, expect="increases", k=k)
    return res, explain(store, res)


@pytest.mark.parametrize("source, target", KEY_QUERIES)
def test_every_hop_has_cited_evidence_and_the_story_runs_module_to_module(stores, source, target):
    res, answer = key_answer(stores["embedded"], source, target, 50)
    assert answer["paths"] and len(answer["paths"]) == len(res.paths)
    for p, path in zip(answer["paths"], res.paths):
        story = p["story"].split(" → ")
        assert story[0] == source and story[-1] == target
        assert all(a != b for a, b in zip(story, story[1:]))  # no module repeated back to back
        hops = p["edges"]
        # a membership hop at each module end, one hop per path edge in between
        assert len(hops) == len(path.edges) + 2
        assert hops[0]["membership"] == "source" and hops[-1]["membership"] == "target"
        assert hops[0]["subject"] == path.nodes[0] and hops[-1]["subject"] == path.nodes[-1]
        assert [h["key"] for h in hops[1:-1]] == [e["key"] for e in path.edges]
        for h in hops:
            assert h["evidence"], f"hop {h['sentence']} has no evidence"
            assert all(ev["citation"] for ev in h["evidence"])
            assert h["sentence"].endswith(".") and h["subject_name"] in h["sentence"]
            assert 0 < h["belief"] < 1
        assert source in p["nodes"][0]["modules"] and target in p["nodes"][-1]["modules"]
        assert p["summary"] == " → ".join(n["name"] for n in p["nodes"])
        for n in p["nodes"]:
            assert json.dumps(n["id"]) in p["cypher"]


@pytest.mark.parametrize("source, target", KEY_QUERIES)
def test_returned_cypher_reproduces_each_path_on_neo4j(stores, source, target):
    store = stores["neo4j"]
    _, answer = key_answer(store, source, target, 10)
    assert answer["paths"]
    for p in answer["paths"]:
        got = store.read_cypher(p["cypher"])
        assert len(got["rows"]) == 1, p["cypher"]
        keys = {r.get("key") or (r.get("properties") or {}).get("key") for r in got["relationships"]}
        assert keys == {h["key"] for h in p["edges"]}


def test_cypher_quotes_ids_and_follows_edge_direction():
    from kg.query.paths import Path_

    fwd = {"key": "k1", "subject": "A:1", "predicate": "activates", "object": "B:\"2"}
    back = {"key": "k2", "subject": "C:3", "predicate": "associated_with", "object": "B:\"2"}
    cy = cypher_for(Path_(["A:1", "B:\"2", "C:3"], [fwd, back], [1, 0], 1, 1))
    assert cy == ('MATCH p = (n0:Entity {id: "A:1"})-[r0:ACTIVATES {key: "k1"}]->(n1:Entity {id: "B:\\"2"})'
                  '<-[r1:ASSOCIATED_WITH {key: "k2"}]-(n2:Entity {id: "C:3"})\nRETURN p')
    # LadybugDB's generic schema (reproduced on the real engine in tests/kg/store/test_ladybugdb.py)
    assert cypher_for(Path_(["A:1", "B:\"2", "C:3"], [fwd, back], [1, 0], 1, 1), in_dialect="ladybug") == cy.replace(
        ":ACTIVATES", ":REL").replace(":ASSOCIATED_WITH", ":REL")


def test_module_story_stays_in_a_module_while_nodes_belong_to_it():
    mods = {"a": ["Decompression"], "b": ["Decompression", "Inflammation"], "c": ["Inflammation"],
            "d": ["Matrix degradation", "NP resorption"]}
    # the last node belongs to the target module, so the story ends there
    assert module_story(["a", "b", "c", "d"], mods, "Decompression", "NP resorption") == \
        "Decompression → Inflammation → NP resorption"
    mods["d"] = ["Matrix degradation"]
    assert module_story(["a", "b", "c", "d"], mods, "Decompression", "NP resorption") == \
        "Decompression → Inflammation → Matrix degradation → NP resorption"
    assert module_story(["x", "y"], {}, None, None) == ""


def contested_store(tmp_path):
    from kg.pipeline.load import assemble

    store = EmbeddedStore(tmp_path / "g.json.gz")
    e1 = Edge("HGNC:1", "activates", "HGNC:2", 1)
    e2 = Edge("HGNC:2", "upregulates_expression", "HGNC:3", 1)
    store.upsert([Node("HGNC:1", "gene", "A"), Node("HGNC:2", "gene", "B"), Node("HGNC:3", "gene", "C")], [e1, e2], [
        Evidence(e1.key, "curated", "PMID:11", "A activates B in rat discs.", context=(("design", "in_vivo"),), sign=1),
        Evidence(e1.key, "literature", "PMID:12", "A inhibited B in NP cells.", context=(("design", "in_vitro"),), sign=-1),
        Evidence(e1.key, "literature", "PMID:13", "A did not activate B.", context=(("design", "in_vitro"),), sign=1,
                 flags=("negated",)),
        Evidence(e2.key, "curated", "PMID:21", "B raised C mRNA.", context=(("design", "in_vitro"),), sign=1)])
    assemble(store)
    return store


def test_contested_hop_shows_both_sides(tmp_path):
    store = contested_store(tmp_path)
    answer = explain(store, find_paths(store, "A", "C", expect="increases"))
    hop, plain = answer["paths"][0]["edges"]
    assert hop["contested"] is True and plain["contested"] is False
    assert [ev["citation"] for ev in hop["evidence_for"]] == ["PMID:11"]
    assert sorted(ev["citation"] for ev in hop["evidence_against"]) == ["PMID:12", "PMID:13"]
    assert [ev["citation"] for ev in plain["evidence_for"]] == ["PMID:21"] and plain["evidence_against"] == []
    md = to_markdown(answer)
    assert "⚠ contested" in md and "for: PMID:11" in md and "against: PMID:12" in md


def test_answer_has_every_documented_key(stores):
    store = stores["embedded"]
    answer = explain(store, find_paths(store, "Decompression", "NP resorption", expect="increases", k=3))
    assert {"graph_version", "store", "query", "source", "target", "truncated", "truncated_reason",
            "n_candidates", "paths", "notes", "n_permutations"} <= set(answer)
    p = answer["paths"][0]
    assert {"rank", "score", "score_parts", "sign", "consistent", "story", "summary", "nodes", "edges", "cypher",
            "metapath", "p_value"} <= set(p)
    assert {"id", "name", "category", "modules"} <= set(p["nodes"][0])
    assert {"key", "subject", "predicate", "object", "subject_name", "object_name", "reversed", "sign", "belief",
            "contested", "n_papers", "sources", "sentence", "evidence", "evidence_for",
            "evidence_against"} <= set(p["edges"][1])
    assert {"citation", "text", "source", "context", "offsets", "flags", "year", "sign"} <= set(p["edges"][1]["evidence"][0])
    assert [q["rank"] for q in answer["paths"]] == [1, 2, 3]
    json.dumps(answer)  # JSON-ready


def test_empty_answer_carries_the_note_into_markdown(stores):
    store = stores["embedded"]
    answer = explain(store, find_paths(store, "Decompression", "NP resorption", species=("zebrafish",)))
    assert answer["paths"] == [] and "species" in answer["notes"][0]
    assert answer["notes"][0] in to_markdown(answer)


# -- the same answer on both stores ------------------------------------------------------------
SUITE = [
    PathQuery("Decompression", "NP resorption", expect="increases"),
    PathQuery("Bone bioactive factors", "Matrix degradation", expect="increases", k=50),
    PathQuery("Inflammation", "Matrix degradation", k=20),
    PathQuery("TNF", "MMP3"),
    PathQuery("TNF", "Matrix degradation", expect="increases", max_hops=3),
    PathQuery("Decompression", "NP resorption", min_belief=0.8, designs=("clinical",)),
    PathQuery("Inflammation", "NP resorption", predicates=("upregulates_expression", "promotes", "increases")),
    PathQuery("Bone bioactive factors", "Matrix degradation", exclude=("TGFB1",), hub_limit=10, k=30),
    PathQuery("Matrix degradation", "Inflammation", undirected=True, k=25),
    PathQuery("NP resorption", "Matrix degradation", undirected=True, expect="decreases", k=50),
    PathQuery("Decompression", "Inflammation", species=("human",)),
    PathQuery("Decompression", "NP resorption", species=("zebrafish",)),
    PathQuery("Neovascularisation", "NP resorption", max_hops=3, expect="increases"),
    PathQuery("Decompression", "NP resorption", expect="increases", permutations=20, seed=7),
]


@pytest.mark.parametrize("q", SUITE, ids=lambda q: f"{q.source}->{q.target}")
def test_both_stores_give_identical_answers(stores, q):
    answers = {}
    for kind, store in stores.items():
        a = explain(store, find_paths(store, q))
        assert a.pop("store") == kind
        answers[kind] = json.dumps(a, sort_keys=True)
    assert answers["embedded"] == answers["neo4j"]
    if q.species != ("zebrafish",):
        assert json.loads(answers["embedded"])["paths"], "the suite should exercise non-empty answers"

