"""Neo4j store: the same answers as the embedded store on the default build, its schema, its
connection errors and the read-only Cypher console. Runs against the real local Neo4j."""
from __future__ import annotations

import json
import socket

import pytest

from kg.pipeline.build import collect
from kg.pipeline.load import load
from kg.query.explain import explain
from kg.query.paths import find_paths
from kg.records.model import Edge, Evidence, Node
from kg.store import StoreError
from kg.store.neo4j import Neo4jStore
from kg.store.version import graph_version
from ontology import load_ontology
from tests.store_fixtures import make_store, neo4j_settings

pytestmark = pytest.mark.neo4j


@pytest.fixture
def neo(request, tmp_path):
    """An empty Neo4jStore on the session's server."""
    store = make_store("neo4j", tmp_path, request)
    yield store
    store.close()


def mmp3_graph() -> tuple[list[Node], list[Edge], list[Evidence]]:
    nodes = [Node("HGNC:11892", "gene", "TNF"), Node("HGNC:7173", "gene", "MMP3"), Node("HGNC:319", "gene", "ACAN")]
    edges = [Edge("HGNC:11892", "upregulates_expression", "HGNC:7173", 1), Edge("HGNC:7173", "degrades", "HGNC:319", -1)]
    ev = [Evidence(edges[1].key, "curated", "PMID:22222", "MMP3 cleaves aggrecan.", (3, 10), "curated",
                   (("design", "in_vivo"),))]
    return nodes, edges, ev


# -- the same answers on both stores ---------------------------------------------------

def test_default_build_gives_identical_answers_on_both_stores(request, tmp_path):
    (tmp_path / "embedded").mkdir()
    embedded = make_store("embedded", tmp_path / "embedded", request)
    neo = make_store("neo4j", tmp_path, request)
    try:
        loads = collect()
        for store in (embedded, neo):
            load(store, loads)
        assert neo.stats() == embedded.stats()
        assert neo.stats()["edges"] > 400
        assert list(neo.iter_edges()) == list(embedded.iter_edges())
        assert list(neo.iter_nodes()) == list(embedded.iter_nodes())
        assert list(neo.iter_evidence()) == list(embedded.iter_evidence())
        assert neo.provenance() == embedded.provenance()
        assert graph_version(neo) == graph_version(embedded)
        answers = []
        for store in (embedded, neo):
            answer = explain(store, find_paths(store, "Decompression", "NP resorption", expect="increases"))
            assert answer.pop("store") == store.name
            answers.append(json.dumps(answer, ensure_ascii=False))
        assert answers[0] == answers[1]
        assert json.loads(answers[0])["paths"], "the query must find paths for the comparison to mean anything"
        ids = [n["id"] for n in embedded.iter_nodes()]
        assert neo.degrees(ids) == embedded.degrees(ids)
        for text in ("mmp", "decompression", "np", "TNF", "hif"):
            assert neo.search(text, limit=20) == embedded.search(text, limit=20)
        # loading again changes nothing on Neo4j either
        load(neo, loads)
        assert neo.stats() == embedded.stats()
    finally:
        neo.close()
        embedded.close()


# -- schema ------------------------------------------------------------------------------

def test_constraints_and_indexes_exist(neo):
    rows = neo.driver.execute_query("SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties",
                                    database_=neo.database).records
    got = {r["name"]: (r["type"], r["labelsOrTypes"], r["properties"]) for r in rows}
    assert got["kg_entity_id"] == ("UNIQUENESS", ["Entity"], ["id"])
    assert got["kg_evidence_key"] == ("UNIQUENESS", ["Evidence"], ["key"])
    assert got["kg_provenance"] == ("UNIQUENESS", ["Provenance"], ["source", "version"])
    for p in load_ontology().predicates.values():
        assert got[f"kg_rel_{p.label.lower()}_key"] == ("RELATIONSHIP_UNIQUENESS", [p.label], ["key"])
    idx = neo.driver.execute_query("SHOW INDEXES YIELD name, labelsOrTypes, properties, state",
                                   database_=neo.database).records
    by_name = {r["name"]: r for r in idx}
    assert by_name["kg_evidence_edge_key"]["labelsOrTypes"] == ["Evidence"]
    assert by_name["kg_evidence_edge_key"]["properties"] == ["edge_key"]
    assert all(r["state"] == "ONLINE" for r in idx)


def test_labels_types_and_evidence_nodes_follow_the_ontology(neo):
    nodes, edges, ev = mmp3_graph()
    neo.upsert(nodes, edges, ev)
    q = ("MATCH (a:Entity:Gene {id: 'HGNC:7173'})-[x:DEGRADES]->(b:Gene {id: 'HGNC:319'}) "
         "MATCH (v:Evidence {edge_key: x.key}) RETURN x.key AS key, x.sign AS sign, v.context AS context, "
         "v.offsets AS offsets")
    rows = neo.driver.execute_query(q, database_=neo.database).records
    assert len(rows) == 1
    assert rows[0]["key"] == edges[1].key and rows[0]["sign"] == -1
    assert json.loads(rows[0]["context"]) == {"design": "in_vivo"} and rows[0]["offsets"] == [3, 10]


def test_a_new_category_moves_the_node_to_its_label(neo):
    neo.upsert([Node("KG:ecm_remodelling", "pathway", "ECM remodelling")], [], [])
    neo.upsert([Node("KG:ecm_remodelling", "biological_process", "ECM remodelling", ("matrix turnover",))], [], [])
    labels = neo.driver.execute_query("MATCH (n:Entity {id: 'KG:ecm_remodelling'}) RETURN labels(n) AS l",
                                      database_=neo.database).records[0]["l"]
    assert sorted(labels) == ["BiologicalProcess", "Entity"]
    assert neo.node("KG:ecm_remodelling")["category"] == "biological_process"
    assert neo.stats()["by_category"] == {"biological_process": 1}


def test_category_outside_the_ontology_never_reaches_cypher(neo):
    nodes, edges, ev = mmp3_graph()
    neo.upsert(nodes, edges, ev)
    before = neo.stats()
    with pytest.raises(ValueError, match="unknown category"):
        neo.upsert([Node("HGNC:1", "gene`) DETACH DELETE n //", "X")], [], [])
    with pytest.raises(ValueError, match="unknown predicate"):
        neo.upsert([], [Edge("HGNC:7173", "eats", "HGNC:319", 1)], [])
    assert neo.stats() == before


def test_a_failure_inside_the_transaction_rolls_back_everything(neo):
    nodes, edges, ev = mmp3_graph()
    neo.upsert(nodes[:2], [], [])
    # another DEGRADES relationship already holds the key the new edge will get: the constraint
    # fails the MERGE after the new node was written in the same transaction
    neo.driver.execute_query("MATCH (a:Entity {id: 'HGNC:11892'}), (b:Entity {id: 'HGNC:7173'}) "
                             "CREATE (a)-[:DEGRADES {key: $k, predicate: 'degrades'}]->(b)",
                             k=edges[1].key, database_=neo.database)
    before = (neo.stats(), list(neo.iter_nodes()), list(neo.iter_edges()))
    with pytest.raises(StoreError, match="kg_rel_degrades_key|already exists"):
        neo.upsert(nodes[2:], edges[1:], ev)
    assert (neo.stats(), list(neo.iter_nodes()), list(neo.iter_edges())) == before
    assert neo.node("HGNC:319") is None


# -- connection errors -------------------------------------------------------------------

def test_wrong_password_says_to_set_neo4j_password(neo4j_server, tmp_path):
    with pytest.raises(StoreError, match="set NEO4J_PASSWORD") as err:
        Neo4jStore.from_settings(neo4j_settings(neo4j_server, tmp_path, neo4j_password="not-the-password"))
    assert neo4j_server["uri"] in str(err.value) and "\n" not in str(err.value)


def test_missing_password_says_to_set_neo4j_password(neo4j_server, tmp_path):
    with pytest.raises(StoreError, match="NEO4J_PASSWORD is not set"):
        Neo4jStore.from_settings(neo4j_settings(neo4j_server, tmp_path, neo4j_password=None))


def test_nothing_listening_says_how_to_start_neo4j(neo4j_server, tmp_path):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    uri = f"bolt://127.0.0.1:{port}"
    with pytest.raises(StoreError) as err:
        Neo4jStore.from_settings(neo4j_settings(neo4j_server, tmp_path, neo4j_uri=uri))
    msg = str(err.value)
    assert f"cannot reach Neo4j at {uri}" in msg and "kg neo4j start" in msg and "docker compose up" in msg
    assert "NEO4J_URI" in msg and "\n" not in msg


def test_unknown_database_is_named(neo4j_server, tmp_path):
    with pytest.raises(StoreError, match="no database 'nosuchdb'.*NEO4J_DATABASE"):
        Neo4jStore.from_settings(neo4j_settings(neo4j_server, tmp_path, neo4j_database="nosuchdb"))


# -- the read-only Cypher console --------------------------------------------------------

@pytest.mark.parametrize("query", [
    "CREATE (n:Entity {id: 'X:1'})",
    "MERGE (n:Entity {id: 'HGNC:7173'}) SET n.name = 'hacked'",
    "MATCH (n:Entity) SET n.name = 'hacked'",
    "MATCH (n) DETACH DELETE n",
    "MATCH ()-[x]->() DELETE x",
    "MATCH (n:Gene) REMOVE n:Gene",
    "DROP CONSTRAINT kg_entity_id",
])
def test_console_refuses_writes_and_changes_nothing(neo, query):
    nodes, edges, ev = mmp3_graph()
    neo.upsert(nodes, edges, ev)
    before = (neo.stats(), list(neo.iter_nodes()), list(neo.iter_edges()))
    with pytest.raises(StoreError, match="this console is read-only"):
        neo.read_cypher(query)  # the gate, at the store boundary too
    with pytest.raises(StoreError, match="the console is read-only"):
        neo._run_read(query)  # below the gate, Neo4j's READ access mode refuses on its own
    assert (neo.stats(), list(neo.iter_nodes()), list(neo.iter_edges())) == before
    assert "kg_entity_id" in {row[0] for row in neo._run_read("SHOW CONSTRAINTS YIELD name RETURN name")["rows"]}


def test_console_enforces_the_row_limit(neo):
    out = neo.read_cypher("UNWIND range(1, 50) AS i RETURN i, i * 2 AS twice", row_limit=10)
    assert out["columns"] == ["i", "twice"]
    assert out["rows"] == [[i, 2 * i] for i in range(1, 11)] and out["truncated"] is True
    full = neo.read_cypher("UNWIND range(1, 10) AS i RETURN i", row_limit=10)
    assert len(full["rows"]) == 10 and full["truncated"] is False


def test_console_takes_parameters_and_returns_graph_values(neo):
    nodes, edges, ev = mmp3_graph()
    neo.upsert(nodes, edges, ev)
    out = neo.read_cypher("MATCH p = (a:Gene {name: $name})-[x]->(b) RETURN p, b.name AS target",
                          {"name": "MMP3"})
    assert out["columns"] == ["p", "target"] and out["rows"][0][1] == "ACAN"
    assert sorted(n["properties"]["id"] for n in out["nodes"]) == ["HGNC:319", "HGNC:7173"]
    (rel,) = out["relationships"]
    assert rel["type"] == "DEGRADES" and rel["properties"]["key"] == edges[1].key
    ends = {n["id"]: n["properties"]["id"] for n in out["nodes"]}
    assert (ends[rel["start"]], ends[rel["end"]]) == ("HGNC:7173", "HGNC:319")
    assert "Gene" in out["nodes"][0]["labels"]
    # a parameter is data, never Cypher
    assert neo.read_cypher("MATCH (a:Gene) WHERE a.name = $name RETURN a.id",
                           {"name": "x' OR 1=1 //"})["rows"] == []


def test_console_stops_long_queries_and_reports_syntax_errors(neo):
    with pytest.raises(StoreError, match="longer than 0.5 s"):
        neo.read_cypher("UNWIND range(1, 2000000000) AS x WITH x WHERE x < 0 RETURN count(*)", timeout_s=0.5)
    with pytest.raises(StoreError, match="Cypher error"):
        neo.read_cypher("RETURN 1 +")
