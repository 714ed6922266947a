"""The Store contract: every case runs on the embedded store, on LadybugDB and on a real Neo4j.

Rows must be equal dicts on both stores, so the expectations here are exact.
"""
from __future__ import annotations

import pytest

from kg.records.model import Edge, Evidence, Node, Provenance
from kg.store.base import WALK_FIELDS, walk_row
from tests.store_fixtures import make_store

STATS_KEYS = {"nodes", "edges", "evidence", "by_category", "by_predicate"}


@pytest.fixture(params=["embedded", "ladybug", "neo4j"])
def any_store(request, tmp_path):
    """An empty store of each kind (the suite-wide fixture covers embedded and Neo4j only)."""
    store = make_store(request.param, tmp_path, request)
    yield store
    store.close()


def genes(*pairs: tuple[str, str]) -> list[Node]:
    return [Node(i, "gene", name, source="test") for i, name in pairs]


def small_graph() -> tuple[list[Node], list[Edge], list[Evidence]]:
    """TNF -> MMP3 -> ACAN, IL1B -> MMP3, MMP3 member of Matrix degradation; evidence on two edges."""
    nodes = genes(("HGNC:11892", "TNF"), ("HGNC:7173", "MMP3"), ("HGNC:319", "ACAN"), ("HGNC:5992", "IL1B"))
    nodes.append(Node("MODULE:matrix_degradation", "mechanism_module", "Matrix degradation",
                      ("ECM breakdown",), source="test"))
    edges = [Edge("HGNC:11892", "upregulates_expression", "HGNC:7173", 1),
             Edge("HGNC:7173", "degrades", "HGNC:319", -1),
             Edge("HGNC:5992", "upregulates_expression", "HGNC:7173", 1),
             Edge("HGNC:7173", "member_of", "MODULE:matrix_degradation", 1)]
    ev = [Evidence(edges[0].key, "curated", "PMID:11111", "TNF raised MMP3.", (0, 16), "curated",
                   (("design", "in_vitro"), ("species", "human")), (), 1, 2001),
          Evidence(edges[1].key, "curated", "PMID:22222", "MMP3 cleaves aggrecan.", None, "curated",
                   (("design", "in_vivo"),), ("hedged",), -1)]
    return nodes, edges, ev


def snapshot(store) -> tuple:
    return (store.stats(), list(store.iter_nodes()), list(store.iter_edges()), list(store.iter_evidence()))


def test_upsert_twice_changes_nothing(any_store):
    nodes, edges, ev = small_graph()
    any_store.upsert(nodes, edges, ev)
    first = snapshot(any_store)
    any_store.upsert(nodes, edges, ev)
    assert snapshot(any_store) == first
    assert first[0]["nodes"] == 5 and first[0]["edges"] == 4 and first[0]["evidence"] == 2


def test_rows_have_the_shapes_of_the_records(any_store):
    nodes, edges, ev = small_graph()
    any_store.upsert(nodes, edges, ev)
    assert any_store.node("HGNC:7173") == {"id": "HGNC:7173", "category": "gene", "name": "MMP3",
                                           "synonyms": [], "xrefs": [], "source": "test"}
    assert any_store.node("HGNC:0") is None
    rows = {e["key"]: e for e in any_store.iter_edges()}
    # a new edge carries belief None until assembled; n_evidence only once evidence arrived
    assert rows[edges[2].key] == {**edges[2].to_dict(), "belief": None}
    assert rows[edges[0].key] == {**edges[0].to_dict(), "belief": None, "n_evidence": 1}
    got = any_store.evidence([edges[0].key, edges[1].key, edges[2].key])
    assert got == {edges[0].key: [ev[0].to_dict()], edges[1].key: [ev[1].to_dict()], edges[2].key: []}
    assert got[edges[0].key][0]["context"] == {"design": "in_vitro", "species": "human"}
    assert got[edges[0].key][0]["offsets"] == [0, 16] and got[edges[1].key][0]["offsets"] is None


def test_node_merge_unions_names_and_keeps_non_empty_values(any_store):
    any_store.upsert([Node("HGNC:7173", "gene", "MMP3", ("stromelysin-1", "SL-1"), ("NCBIGene:4314",), "hgnc",
                           (("locus", "11q22.2"), ("order", 3)))], [], [])
    any_store.upsert([Node("HGNC:7173", "gene", "", ("MMP-3",), ("UniProtKB:P08254",), "",
                           (("order", 4), ("tissue", "disc")))], [], [])
    assert any_store.node("HGNC:7173") == {
        "id": "HGNC:7173", "category": "gene", "name": "MMP3",
        "synonyms": ["MMP-3", "SL-1", "stromelysin-1"], "xrefs": ["NCBIGene:4314", "UniProtKB:P08254"],
        "source": "hgnc", "locus": "11q22.2", "order": 4, "tissue": "disc"}


def test_unusual_property_values_round_trip(any_store):
    props = (("meta", {"panel": "A", "n": 2}), ("mixed", ["x", 1]), ("nothing", None), ("ratio", 0.5),
             ("flag", True), ("tricky", "json:not really"), ("empty", []))
    any_store.upsert([Node("HGNC:1", "gene", "A", props=props)], [], [])
    row = any_store.node("HGNC:1")
    assert row == {"id": "HGNC:1", "category": "gene", "name": "A", "synonyms": [], "xrefs": [], "source": "",
                   "meta": {"panel": "A", "n": 2}, "mixed": ["x", 1], "nothing": None, "ratio": 0.5,
                   "flag": True, "tricky": "json:not really", "empty": []}
    assert type(row["flag"]) is bool


def test_edges_of_each_direction(any_store):
    nodes, edges, ev = small_graph()
    any_store.upsert(nodes, edges, ev)
    key = lambda rows: [r["key"] for r in rows]  # noqa: E731
    by = {e.key: e for e in edges}
    out = any_store.edges_of(["HGNC:7173"], "out")
    assert key(out) == sorted([edges[1].key, edges[3].key])
    assert all(r["subject"] == "HGNC:7173" for r in out)
    assert key(any_store.edges_of(["HGNC:7173"], "in")) == sorted([edges[0].key, edges[2].key])
    both = any_store.edges_of(["HGNC:7173", "HGNC:11892"], "both")
    assert key(both) == sorted(by)  # every edge touches MMP3, each listed once
    assert any_store.edges_of(["HGNC:0"], "both") == []
    assert any_store.edges_of(["HGNC:319"], "out") == []


def test_walk_edges_leave_out_memberships_of_modules_only(any_store):
    nodes, edges, ev = small_graph()
    nodes.append(Node("HGNC:G1", "gene_group", "Matrix metallopeptidases", source="test"))
    edges.append(Edge("HGNC:7173", "member_of", "HGNC:G1", 1))
    any_store.upsert(nodes, edges, ev)
    walk = any_store.walk_edges(["member_of"], ["gene_group"])
    into_module = {e.key for e in edges if e.object == "MODULE:matrix_degradation"}
    assert [r["key"] for r in walk] == sorted(e.key for e in edges if e.key not in into_module)
    assert walk == [walk_row(r) for r in any_store.iter_edges() if r["key"] not in into_module]
    assert set(walk[0]) == set(WALK_FIELDS)  # never every property
    full = any_store.edges([walk[0]["key"], "nope"])
    assert full == {r["key"]: r for r in any_store.iter_edges() if r["key"] == walk[0]["key"]}
    assert {r["predicate"] for r in any_store.walk_edges(["member_of"], [])} == {"upregulates_expression", "degrades"}


def test_evidence_accumulates_on_its_edge(any_store):
    nodes, edges, ev = small_graph()
    any_store.upsert(nodes, edges, ev[:1])
    more = Evidence(edges[0].key, "pubtator", "PMID:33333", "TNF increased MMP3 in NP cells.",
                    context=(("design", "in_vitro"),), sign=1)
    any_store.upsert([], [], [more])  # evidence for an edge written by an earlier call
    any_store.upsert([], [], [more, ev[0]])  # the same evidence again counts once
    rows = any_store.evidence([edges[0].key])[edges[0].key]
    assert [r["key"] for r in rows] == sorted([ev[0].key, more.key])
    edge = next(e for e in any_store.iter_edges() if e["key"] == edges[0].key)
    assert edge["n_evidence"] == 2
    assert any_store.stats()["evidence"] == 2


def test_search_ranks_exact_then_synonym_then_prefix_then_substring(any_store):
    nodes = [Node("HGNC:7173", "gene", "MMP3", ("stromelysin",)), Node("HGNC:7174", "gene", "MMP3X"),
             Node("HGNC:7175", "gene", "PROMMP3"), Node("HGNC:7176", "gene", "MMP3B"),
             Node("HGNC:9", "gene", "OTHER", ("mmp3",)), Node("HGNC:10", "gene", "Z")]
    edges = [Edge("HGNC:7176", "activates", "HGNC:10", 1), Edge("HGNC:10", "activates", "HGNC:7176", 1)]
    any_store.upsert(nodes, edges, [])
    ids = [r["id"] for r in any_store.search("mmp3")]
    # exact name, exact synonym, prefixes (MMP3B has degree 2, so before MMP3X), substring
    assert ids == ["HGNC:7173", "HGNC:9", "HGNC:7176", "HGNC:7174", "HGNC:7175"]
    assert [r["id"] for r in any_store.search("  STROMELY ")] == ["HGNC:7173"]
    assert [r["id"] for r in any_store.search("mmp3", limit=2)] == ids[:2]
    assert any_store.search("") == [] and any_store.search("nothing-like-this") == []


def test_degrees_count_in_and_out_edges(any_store):
    nodes, edges, ev = small_graph()
    any_store.upsert(nodes, edges, ev)
    assert any_store.degrees(["HGNC:7173", "HGNC:319", "MODULE:matrix_degradation", "HGNC:0"]) == {
        "HGNC:7173": 4, "HGNC:319": 1, "MODULE:matrix_degradation": 1, "HGNC:0": 0}


def test_stats_keys_and_counts(any_store):
    empty = any_store.stats()
    assert set(empty) == STATS_KEYS
    assert empty == {"nodes": 0, "edges": 0, "evidence": 0, "by_category": {}, "by_predicate": {}}
    nodes, edges, ev = small_graph()
    any_store.upsert(nodes, edges, ev)
    st = any_store.stats()
    assert st["by_category"] == {"gene": 4, "mechanism_module": 1}
    assert st["by_predicate"] == {"degrades": 1, "member_of": 1, "upregulates_expression": 2}
    assert list(st["by_predicate"]) == sorted(st["by_predicate"])


def test_iterators_are_sorted(any_store):
    nodes, edges, ev = small_graph()
    any_store.upsert(list(reversed(nodes)), list(reversed(edges)), list(reversed(ev)))
    assert [n["id"] for n in any_store.iter_nodes()] == sorted(n.id for n in nodes)
    assert [e["key"] for e in any_store.iter_edges()] == sorted(e.key for e in edges)
    assert [(v["edge_key"], v["key"]) for v in any_store.iter_evidence()] == sorted((v.edge_key, v.key) for v in ev)


def test_provenance_is_replaced_per_source_and_version(any_store):
    p1 = Provenance("curated", "v1", "CC BY 4.0", "2026-01-01T00:00:00+00:00", "file:///facts.tsv")
    any_store.record_provenance(p1, {"read": 3, "loaded": 2}, {"profile": "default"})
    any_store.record_provenance(p1, {"read": 4, "loaded": 4}, {"profile": "default", "k": [1, 2]})
    any_store.record_provenance(Provenance("curated", "v0", "CC BY 4.0"), {"read": 1}, {})
    any_store.record_provenance(Provenance("alpha", "2024", "CC0"), {}, {})
    assert any_store.provenance() == [
        {"source": "alpha", "version": "2024", "licence": "CC0", "retrieved_at": "", "url": "", "counts": {},
         "params": {}},
        {"source": "curated", "version": "v0", "licence": "CC BY 4.0", "retrieved_at": "", "url": "",
         "counts": {"read": 1}, "params": {}},
        {"source": "curated", "version": "v1", "licence": "CC BY 4.0", "retrieved_at": "2026-01-01T00:00:00+00:00",
         "url": "file:///facts.tsv", "counts": {"read": 4, "loaded": 4}, "params": {"profile": "default", "k": [1, 2]}},
    ]


def test_set_edge_props_sets_computed_values_by_key(any_store):
    nodes, edges, ev = small_graph()
    any_store.upsert(nodes, edges, ev)
    any_store.set_edge_props({
        edges[0].key: {"belief": 0.81, "n_papers": 1, "contested": False, "sources": ["curated"], "species": [],
                       "designs": ["in_vitro"]},
        "0000000000000000": {"belief": 0.5},  # unknown keys are ignored
    })
    row = next(e for e in any_store.iter_edges() if e["key"] == edges[0].key)
    assert row == {**edges[0].to_dict(), "belief": 0.81, "n_evidence": 1, "n_papers": 1, "contested": False,
                   "sources": ["curated"], "species": [], "designs": ["in_vitro"]}
    other = next(e for e in any_store.iter_edges() if e["key"] == edges[1].key)
    assert other["belief"] is None
    assert any_store.stats()["edges"] == 4


def test_a_bad_edge_fails_the_whole_upsert(any_store):
    nodes, edges, ev = small_graph()
    any_store.upsert(nodes[:2], edges[:1], ev[:1])
    before = snapshot(any_store)
    dangling = Edge("HGNC:7173", "degrades", "HGNC:404404", -1)
    with pytest.raises(ValueError, match="unknown node HGNC:404404"):
        any_store.upsert(nodes[2:], [edges[1], dangling], [ev[1]])
    assert snapshot(any_store) == before
    orphan = Evidence("ffffffffffffffff", "curated", "PMID:1", "no such edge")
    with pytest.raises(ValueError, match="unknown edge ffffffffffffffff"):
        any_store.upsert(nodes[2:], edges[1:2], [ev[1], orphan])
    assert snapshot(any_store) == before


def test_clear_empties_the_store(any_store):
    nodes, edges, ev = small_graph()
    any_store.upsert(nodes, edges, ev)
    any_store.record_provenance(Provenance("curated", "v1", "CC BY 4.0"), {"read": 1}, {})
    any_store.clear()
    assert any_store.stats() == {"nodes": 0, "edges": 0, "evidence": 0, "by_category": {}, "by_predicate": {}}
    assert any_store.provenance() == [] and list(any_store.iter_evidence()) == []
    any_store.upsert(nodes, edges, ev)  # usable again after clearing
    assert any_store.stats()["edges"] == 4
