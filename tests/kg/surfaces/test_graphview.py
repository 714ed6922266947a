"""kg.surfaces.graphview on the shipped build: module bridges, path elements, neighbour groups, downloads."""
from __future__ import annotations

import csv
import io
import json

import networkx as nx
import pytest

from kg.query.explain import explain
from kg.query.paths import find_paths
from kg.surfaces.graphview import (
    answer_csv,
    answer_json,
    elements_graphml,
    group_neighbours,
    module_bridges,
    module_map_elements,
    module_members,
    path_elements,
    path_rows,
    subgraph_elements,
)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from kg.pipeline.build import collect
    from kg.pipeline.load import load
    from kg.store.embedded import EmbeddedStore

    s = EmbeddedStore(tmp_path_factory.mktemp("gv") / "graph.json.gz")
    load(s, collect())
    return s


@pytest.fixture(scope="module")
def answer(store):
    return explain(store, find_paths(store, "Decompression", "MMP3", k=5))


def test_module_bridges_count_edges_between_members(store):
    m = module_bridges(store)
    members = module_members(store)
    names = [x["name"] for x in m["modules"]]
    assert names[0] == "Decompression" and "Matrix degradation" in names and len(names) == 8
    for x in m["modules"]:
        assert x["members"] == len(members[x["id"]])
    # recount one bridge straight from the edges
    dec, mat = "MODULE:decompression", "MODULE:matrix_degradation"
    expected = sum(1 for e in store.iter_edges() if e["predicate"] != "member_of" and (
        (e["subject"] in members[dec] and e["object"] in members[mat])
        or (e["subject"] in members[mat] and e["object"] in members[dec])))
    got = next(b["count"] for b in m["bridges"] if {b["a"], b["b"]} == {dec, mat})
    assert got >= expected > 0  # an edge between nodes in both modules also counts for the other pairs
    els = module_map_elements(m)
    assert len(els["nodes"]) == 8 and all(e["data"]["_width"] >= 1 for e in els["edges"])


def test_path_elements_match_the_answer(answer):
    els = path_elements(answer)
    ids = {n["data"]["id"] for n in els["nodes"]}
    for p in answer["paths"]:
        assert {n["id"] for n in p["nodes"]} <= ids
        for h in p["edges"]:
            assert h["subject"] in ids and h["object"] in ids
    assert "MODULE:decompression" in ids  # the module endpoint is drawn with its membership hops
    one = path_elements(answer, [1])
    assert {e["data"]["id"] for e in one["edges"]} == {h["key"] for h in answer["paths"][0]["edges"]}
    assert all(e["data"]["source"] in ids and e["data"]["target"] in ids for e in els["edges"])


def test_path_rows_and_downloads(answer):
    rows = path_rows(answer)
    assert [r["rank"] for r in rows] == list(range(1, len(answer["paths"]) + 1))
    assert rows[0]["score"] == answer["paths"][0]["score"]
    table = list(csv.DictReader(io.StringIO(answer_csv(answer).decode())))
    assert len(table) == sum(len(p["edges"]) for p in answer["paths"])
    assert any("PMID:" in r["citations"] for r in table)
    assert {r["graph_version"] for r in table} == {answer["graph_version"]}
    assert json.loads(answer_json(answer)) == answer
    g = nx.read_graphml(io.BytesIO(elements_graphml(path_elements(answer), answer["graph_version"])))
    assert g.graph["graph_version"] == answer["graph_version"]
    assert g.number_of_edges() == len(path_elements(answer)["edges"])


def test_group_neighbours_covers_every_edge(store):
    groups = group_neighbours(store, "HGNC:7173")
    edges = store.edges_of(["HGNC:7173"], "both")
    assert sum(len(g["neighbours"]) for g in groups) == len(edges)
    assert groups[-1]["predicate"] == "member_of"
    for g in groups:
        beliefs = [n["belief"] or 0 for n in g["neighbours"]]
        assert beliefs == sorted(beliefs, reverse=True)


def test_subgraph_elements_drop_dangling_edges():
    els = subgraph_elements([{"id": "A", "name": "a", "category": "gene"}],
                            [{"key": "k", "subject": "A", "object": "B", "predicate": "activates", "sign": 1}])
    assert els["edges"] == [] and els["nodes"][0]["data"]["label"] == "Gene"


def test_docstring_examples():
    import doctest

    import kg.surfaces.graphview

    assert doctest.testmod(kg.surfaces.graphview).failed == 0
