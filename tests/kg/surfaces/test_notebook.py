"""The notebook API (``kg.open``): plain data from the same code as the CLI, DataFrames on request."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import kg
from kg.query.cypher import WriteRefused
from kg.surfaces.notebook import GraphNotBuilt


@pytest.fixture(scope="module")
def g(tmp_path_factory):
    graph = kg.open(home=tmp_path_factory.mktemp("nb"), store="embedded", build=True)
    yield graph
    graph.close()


def test_open_is_lazy_and_an_empty_store_says_how_to_build(tmp_path):
    out = subprocess.run([sys.executable, "-c", "import sys, kg.store; print('kg.surfaces.notebook' in sys.modules)"],
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    with pytest.raises(GraphNotBuilt, match="kg build"):
        kg.open(home=tmp_path, store="embedded")


def test_paths_are_the_cli_answer(g):
    from kg.query.explain import explain
    from kg.query.paths import find_paths

    got = g.paths("Decompression", "MMP3", k=3, species=["human"], max_hops=3)
    cli = explain(g.store, find_paths(g.store, "Decompression", "MMP3", k=3, species=("human",), max_hops=3))
    assert got == cli["paths"] and got
    assert json.loads(json.dumps(got)) == got  # plain, JSON-ready data


def test_entity_hypotheses_and_cypher_are_plain_data(g):
    e = g.entity("MMP3")
    assert e["id"] == "HGNC:7173" and e["modules"]["Matrix degradation"] == 1
    assert any(grp["predicate"] == "member_of" for grp in e["neighbours"])
    cards = g.hypotheses("Bone bioactive factors", "Matrix degradation", k=2)
    assert [c["rank"] for c in cards] == [1, 2]
    rows = g.cypher("MATCH (a:Gene {name: $a})-[r]->(b:Gene {name: $b}) RETURN b.name, type(r) AS type, a.name",
                    a="TNF", b="MMP3")
    assert rows == [{"b.name": "MMP3", "type": "UPREGULATES_EXPRESSION", "a.name": "TNF"}]
    assert list(rows[0]) == ["b.name", "type", "a.name"]  # RETURN order
    with pytest.raises(WriteRefused):
        g.cypher("MATCH (n) DETACH DELETE n")
    assert g.stats()["nodes"] > 1000


def test_frames_on_request(g):
    pd = pytest.importorskip("pandas")
    paths = g.paths("Decompression", "MMP3", k=3, as_frame=True)
    assert isinstance(paths, pd.DataFrame) and list(paths["rank"]) == [1, 2, 3] and "score" in paths
    assert {"direction", "predicate", "name", "belief"} <= set(g.entity("MMP3", as_frame=True).columns)
    cards = g.hypotheses("Bone bioactive factors", "Matrix degradation", k=2, as_frame=True)
    assert list(cards["rank"]) == [1, 2] and "predicted_observable" in cards
    rows = g.cypher("MATCH (n:Gene {name: 'MMP3'}) RETURN n.id AS id, n.name AS name", as_frame=True)
    assert list(rows.columns) == ["id", "name"] and rows.iloc[0]["id"] == "HGNC:7173"


def test_frames_without_pandas_say_so(g, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails, as where it is not installed
    with pytest.raises(ImportError, match="needs pandas"):
        g.cypher("MATCH (n:Gene {name: 'MMP3'}) RETURN n.id", as_frame=True)
    assert g.cypher("MATCH (n:Gene {name: 'MMP3'}) RETURN n.id") == [{"n.id": "HGNC:7173"}]
