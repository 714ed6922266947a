"""The read-only Cypher console on both stores: ready queries, the write guard, the embedded subset.

The ready queries on LadybugDB (its own dialect, the same rows): tests/kg/store/test_ladybugdb.py."""
from __future__ import annotations

import pytest

from kg.query.cypher import READY_QUERIES, CypherError, WriteRefused, check_readonly, ready_queries, run_readonly
from kg.store.base import StoreError
from kg.store.embedded_cypher import bind

READY = {q.name: q for q in READY_QUERIES}
WRITES = ['CREATE (n:Gene {id: "HGNC:0", name: "X"})', "MATCH (n) DETACH DELETE n",
          'MATCH (n:Gene {name: "MMP3"}) SET n.name = "x"', 'MERGE (n:Entity {id: "x"})',
          "MATCH (n) REMOVE n.name", "DROP INDEX kg_x", "LOAD CSV FROM 'file:///x' AS r RETURN r",
          "CALL dbms.security.createUser('a', 'b', false)",
          'MATCH (n) CALL { WITH n DELETE n } IN TRANSACTIONS RETURN 1']


def fingerprint(store):
    st = store.stats()
    return st["nodes"], st["edges"], st["evidence"], sorted(n["name"] for n in store.iter_nodes())


@pytest.mark.parametrize("query", WRITES)
def test_write_clauses_are_refused_before_running(query):
    with pytest.raises(WriteRefused, match="read-only"):
        check_readonly(query)


@pytest.mark.parametrize("query", ['MATCH (n {name: "CREATE"}) RETURN n.id', "MATCH (n) RETURN n.settings",
                                   "MATCH (n:Gene) // DELETE everything\nRETURN n.name LIMIT 1"])
def test_write_words_inside_strings_names_and_comments_are_not_writes(query):
    check_readonly(query)


def test_bind_never_pastes_user_strings_into_the_query():
    evil = 'MMP3"}) DETACH DELETE n //'
    q, values = bind("MATCH (n {name: $name}) WHERE n.id IN $ids AND n.x > $x RETURN n", {
        "name": evil, "ids": ["a", "b"], "x": 0.5})
    assert evil not in q and "DELETE" not in q and "0.5" in q
    assert sorted(values.values()) == sorted([evil, "a", "b"])
    with pytest.raises(StoreError, match=r"\$missing"):
        bind("MATCH (n {name: $missing}) RETURN n", {})


def test_each_ready_query_is_written_in_both_dialects():
    for q in READY_QUERIES:
        assert q.ladybug and q.ladybug != q.cypher and ":REL" not in q.cypher, q.name
    assert ready_queries("embedded") == ready_queries("neo4j") == READY_QUERIES
    assert [q.cypher for q in ready_queries("ladybug")] == [q.ladybug for q in READY_QUERIES]
    assert [(q.name, q.params) for q in ready_queries("ladybug")] == [(q.name, q.params) for q in READY_QUERIES]


def test_ready_queries_match_the_store_api(built_store):
    assert ready_queries(built_store) == READY_QUERIES  # the labelled dialect, READY as written
    members = run_readonly(built_store, READY["module members"].cypher, {"module": "Matrix degradation"})
    assert members["columns"] == ["id", "name", "category", "sign"]
    expected = {e["subject"] for e in built_store.edges_of(["MODULE:matrix_degradation"], "in")
                if e["predicate"] == "member_of"}
    assert {r[0] for r in members["rows"]} == expected
    assert [r[1] for r in members["rows"]] == sorted(r[1] for r in members["rows"])

    ev_key = next(e["key"] for e in built_store.edges_of(["HGNC:7173"], "both") if e["predicate"] != "member_of")
    ev = run_readonly(built_store, READY["evidence for an edge"].cypher, {"key": ev_key})
    assert sorted(r[0] for r in ev["rows"]) == sorted(v["citation"] for v in built_store.evidence([ev_key])[ev_key])

    top = run_readonly(built_store, READY["top-belief edges from a module"].cypher,
                       {"module": "Decompression", "min_belief": 0.5})
    beliefs = [r[1]["belief"] for r in top["rows"]]
    assert beliefs and beliefs == sorted(beliefs, reverse=True) and min(beliefs) >= 0.5
    assert all(r[1]["predicate"] != "member_of" for r in top["rows"])
    assert {r["key"] for r in top["relationships"]} == {r[1]["key"] for r in top["rows"]}
    assert {n["id"] for n in top["nodes"]} >= {r[0]["id"] for r in top["rows"]}


@pytest.mark.parametrize("name", sorted(READY))
def test_every_ready_query_runs(built_store, name):
    q = {q.name: q for q in ready_queries(built_store)}[name]
    res = run_readonly(built_store, q.cypher, q.params)
    assert res["columns"] and not res["truncated"]
    if name != "contested edges":  # the shipped curation has no contested edge yet
        assert res["rows"], name


@pytest.mark.parametrize("query", WRITES[:4])
def test_writes_leave_the_graph_unchanged(built_store, query):
    before = fingerprint(built_store)
    with pytest.raises(WriteRefused):
        run_readonly(built_store, query, {})
    assert fingerprint(built_store) == before


@pytest.mark.parametrize("query, columns", [
    ("MATCH (a:Gene {name: 'TNF'})-[r]->(b:Gene {name: 'MMP3'}) RETURN b.name, a.name, type(r)",
     ["b.name", "a.name", "type(r)"]),
    ("MATCH (a:Gene {name: 'TNF'})-[r]->(b:Gene {name: 'MMP3'}) RETURN r.belief AS belief, a.name, id(b)",
     ["belief", "a.name", "id(b)"]),
    ("MATCH (n:Entity)-[:MEMBER_OF]->(m:MechanismModule {name: 'Decompression'}) RETURN m.name, count(n) AS n",
     ["m.name", "n"]),
])
def test_columns_follow_the_return_clause(built_store, query, columns):
    """Columns come back in RETURN order, named as written (grand-cypher alone puts functions first)."""
    res = run_readonly(built_store, query, {})
    assert res["columns"] == columns and res["rows"]
    row = dict(zip(res["columns"], res["rows"][0]))
    assert row.get("a.name", "TNF") == "TNF" and row.get("b.name", "MMP3") == "MMP3"
    assert row.get("m.name", "Decompression") == "Decompression"

def test_injection_through_a_parameter_is_just_a_value(built_store):
    before = fingerprint(built_store)
    res = run_readonly(built_store, READY["edges of an entity"].cypher, {"name": 'MMP3"}) DETACH DELETE a //'})
    assert res["rows"] == []
    assert fingerprint(built_store) == before


def test_row_limit_truncates(built_store):
    res = run_readonly(built_store, "MATCH (n:Entity) RETURN n.id", {}, row_limit=5)
    assert len(res["rows"]) == 5 and res["truncated"]


@pytest.mark.parametrize("query, what", [("MATCH (n) WITH n RETURN n.name", "WITH"),
                                         ("MATCH (a)-[r]-(b) RETURN a.name", "undirected"),
                                         ("OPTIONAL MATCH (n) RETURN n", "OPTIONAL MATCH"),
                                         ("MATCH (n) RETURN [x IN n.synonyms | x]", "could not run")])
def test_embedded_subset_explains_itself(tmp_path, query, what):
    from kg.pipeline.build import collect
    from kg.pipeline.load import load
    from kg.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "g.json.gz")
    load(store, collect())
    with pytest.raises(CypherError) as err:
        run_readonly(store, query, {})
    msg = str(err.value)
    assert what in msg and "SUBSET" in msg and "kg neo4j start" in msg


def test_embedded_timeout_stops_the_query(tmp_path):
    from kg.pipeline.build import collect
    from kg.pipeline.load import load
    from kg.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path / "g.json.gz")
    load(store, collect())
    with pytest.raises(CypherError, match="stopped after"):
        run_readonly(store, "MATCH (a)-[*1..6]->(b)-[*1..6]->(c) RETURN a.name ORDER BY a.name", {}, timeout_s=0.5)
    # the store is still usable and unchanged afterwards
    assert run_readonly(store, "MATCH (n:Gene {name: 'MMP3'}) RETURN n.id", {})["rows"] == [["HGNC:7173"]]


def test_docstring_examples():
    import doctest

    import kg.query.cypher

    assert doctest.testmod(kg.query.cypher).failed == 0
