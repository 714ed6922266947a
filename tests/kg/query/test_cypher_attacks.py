"""The console under attack, on both stores: writes, escapes to files or admin, and resource abuse.

Every attempt goes through the console's one code path (:func:`kg.query.cypher.run_readonly`). An
attempt passes when it is refused before running, or runs bounded (rows at the row limit, stopped
at the timeout) without leaving the graph: no file contents, no settings, no password, and the
graph is unchanged afterwards.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.query.cypher import CypherError, WriteRefused, run_readonly

_FILES = ["file:///proc/self/environ", "file:///etc/passwd", "file:///proc/self/cmdline", "/etc/passwd",
          "http://127.0.0.1:7474/", "https://example.org/x.csv"]
_WRITES = ["CREATE (n:Gene {id: 'HGNC:0'})", "MATCH (n) DETACH DELETE n", "MATCH (n) SET n.name = 'x'",
           "MERGE (n:Entity {id: 'x'})", "MATCH (n) REMOVE n.name", "MATCH ()-[r]->() DELETE r",
           "DROP CONSTRAINT kg_entity_id", "DROP INDEX kg_x", "CREATE INDEX x FOR (n:Gene) ON (n.q)",
           "MATCH (n) FOREACH (x IN [1] | SET n.y = x)", "MATCH (n:Gene) SET n:Hacked",
           "CREATE DATABASE evil", "ALTER USER neo4j SET PASSWORD 'owned123'", "CREATE USER evil SET PASSWORD 'x'",
           "GRANT ROLE admin TO evil", "RENAME USER neo4j TO x", "STOP DATABASE neo4j", "START DATABASE neo4j",
           "MATCH (n) CALL { WITH n DELETE n } IN TRANSACTIONS RETURN 1",
           "UNWIND [1] AS x CALL { CREATE (:Gene) } RETURN x", "MATCH (n) WITH n LIMIT 1 DELETE n",
           "RETURN 1 UNION MATCH (n) DELETE n RETURN 1"]
_ADMIN = ["SHOW USERS", "SHOW SETTINGS", "SHOW TRANSACTIONS", "TERMINATE TRANSACTIONS 'neo4j-transaction-1'",
          "SHOW DATABASES", "SHOW PROCEDURES", "SHOW FUNCTIONS", "SHOW CONSTRAINTS", "SHOW CURRENT USER",
          "SHOW PRIVILEGES", "SHOW SERVERS", "USE system SHOW USERS", "USE system MATCH (n) RETURN n",
          "CALL dbms.listConfig()", "CALL `dbms`.listConfig()", "CALL `dbms.listConfig`()",
          "CALL dbms.components()", "CALL dbms.security.createUser('a', 'bbbbbbbb', false)",
          "CALL dbms.killQuery('x')", "CALL db.clearQueryCaches()", "CALL db.createLabel('X')",
          "CALL db.index.fulltext.createNodeIndex('x', ['Gene'], ['name'])", "CALL apoc.load.csv('/etc/passwd')",
          "CALL dbms.showCurrentUser()", "CALL tx.setMetaData({a: 1})", "CALL db.checkpoint()",
          "MATCH (n) RETURN dbms.components()", "RETURN apoc.version()",
          "RETURN `dbms`.`components`()", "CALL `db`.`createLabel`('X')",
          "CYPHER runtime=slotted MATCH (n) RETURN n", "EXPLAIN SHOW USERS", "PROFILE CREATE (n)"]
_ENGINE = ["LOAD FROM '/etc/passwd' (file_format='csv', header=false, delim=':') RETURN *",
           "COPY Gene FROM '/etc/passwd'", "COPY (MATCH (n) RETURN n) TO '/tmp/out.csv'",
           "INSTALL httpfs", "LOAD EXTENSION httpfs", "LOAD httpfs", "ATTACH '/tmp/x.db' AS x (dbtype lbug)",
           "EXPORT DATABASE '/tmp/dump'", "IMPORT DATABASE '/tmp/dump'", "DETACH x",
           "CALL show_tables() RETURN *", "CALL current_setting('threads') RETURN *",
           "CALL table_info('Entity') RETURN *"]
_TRICKS = [
    "// '\nLOAD CSV FROM 'file:///proc/self/environ' AS l RETURN l",
    "// \"\nLOAD CSV FROM 'file:///etc/passwd' AS l RETURN l",
    "MATCH (n) // ' \rLOAD CSV FROM 'file:///etc/passwd' AS l RETURN l",
    "MATCH (n) // x\u2028LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l",
    "MATCH (n) /* ' */ LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l",
    "MATCH (n) RETURN n /* unclosed",
    "MATCH (n {name: \"a\\\"\"}) DETACH DELETE n",
    "MATCH (n) RETURN n; MATCH (n) DETACH DELETE n",
    "MATCH (n) RETURN n;;",
    "MATCH (n) RETURN n ; SHOW USERS",
    "lOaD cSv FROM 'file:///etc/passwd' AS l RETURN l",
    "MATCH (n) Detach Delete n",
    "MATCH (n)\tDETACH\nDELETE\tn",
    "MATCH (n) DE\u200bTACH DELETE n",
    "MATCH (n) \u0441REATE (m)",  # Cyrillic es
    "MATCH (n)\u00a0DELETE n",  # no-break space
    "MATCH (n) RETURN n\u0000 DELETE n",
    "\ufeffSHOW USERS",
    "MATCH (n) RETURN `unclosed",
    "MATCH (n {name: 'unclosed}) RETURN n",
    "MATCH (n) RETURN $`x` DELETE n",
    "WITH 'file:///etc/passwd' AS f LOAD CSV FROM f AS l RETURN l",
    "UNWIND ['file:///proc/self/environ'] AS u LOAD CSV FROM u AS l RETURN l",
    "CALL { LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l } RETURN l",
    "MATCH (n) CALL (n) { SET n.x = 1 } RETURN n",
    "USING PERIODIC COMMIT LOAD CSV FROM 'file:///etc/passwd' AS l CREATE (:X)",
    "RETURN 1 AS `x` /* */ ; CREATE (n)",
    "MATCH (n) RETURN n.name AS set",
    "  \n  ",
    "",
]
_INERT = [  # the dangerous words sit inside a string, a comment or a `name`: harmless if run
    "MATCH (n {name: 'a\\'}) LOAD CSV FROM 'file:///etc/passwd' AS l RETURN l //'}) RETURN n",
    "MATCH (n) RETURN n /* */ /*/ DELETE n */",
    "MATCH (n) RETURN `a` + `b`` DELETE n`",
    "MATCH (n) WHERE n.name = '\\u0027 DELETE n' RETURN n",
    "MATCH (n:Gene) WHERE n.name = 'x\\' DETACH DELETE n //' RETURN n.id",
    "MATCH (n:Gene) WHERE n.name = \"LOAD CSV FROM 'file:///etc/passwd'\" RETURN n.id",
]
_RESOURCE = [  # run, but bounded by the row limit or the timeout
    "UNWIND range(1, 100000000) AS x RETURN x",
    "UNWIND range(1, 2000000000) AS x WITH x WHERE x < 0 RETURN count(*)",
    "MATCH (a), (b), (c), (d) RETURN a.id, b.id, c.id, d.id",
    "MATCH p = (a)-[*1..12]->(b) RETURN count(p)",
    "MATCH (a:Entity) RETURN a.id",
]
ATTACKS = ([f"LOAD CSV FROM '{f}' AS l RETURN l" for f in _FILES]
           + [f"LOAD CSV WITH HEADERS FROM '{f}' AS l RETURN l" for f in _FILES[:3]]
           + _WRITES + _ADMIN + _ENGINE + _TRICKS)
LEAKS = ("root:x:0:", "NEO4J_PASSWORD", "PATH=", "dbms.", "server.")

ROW_LIMIT = 50


def fingerprint(store):
    st = store.stats()
    return st["nodes"], st["edges"], st["evidence"], sorted(n["id"] for n in store.iter_nodes())


def test_there_are_at_least_a_hundred_attacks():
    assert len(ATTACKS) + len(_INERT) + len(_RESOURCE) >= 100
    assert len(set(ATTACKS)) == len(ATTACKS)


def _no_leak(res: dict, password: str | None, leaks: tuple[str, ...] = LEAKS) -> None:
    text = repr(res)
    for leak in leaks + ((password,) if password else ()):
        assert leak not in text, leak


@pytest.fixture(scope="module")
def before(built_store):
    return fingerprint(built_store)


@pytest.mark.parametrize("query", ATTACKS)
def test_attack_is_refused_before_running(built_store, before, query):
    with pytest.raises(CypherError) as err:
        run_readonly(built_store, query, {}, timeout_s=3, row_limit=ROW_LIMIT)
    msg = str(err.value)
    assert "cannot reach" not in msg.lower()
    assert isinstance(err.value, WriteRefused) or "syntax error" in msg or "empty" in msg, msg
    _no_leak({"msg": msg}, os.environ.get("NEO4J_PASSWORD"), leaks=LEAKS[:3])


@pytest.mark.parametrize("query", _INERT + _RESOURCE)
def test_resource_abuse_is_bounded(built_store, before, query):
    try:
        res = run_readonly(built_store, query, {}, timeout_s=3, row_limit=ROW_LIMIT)
    except CypherError as exc:  # stopped at the timeout, or outside the embedded subset
        assert "cannot reach" not in str(exc).lower()
        assert any(w in str(exc) for w in ("stopped", "longer than", "not supported", "could not run", "Cypher error")), str(exc)
    else:
        assert len(res["rows"]) <= ROW_LIMIT
        _no_leak(res, os.environ.get("NEO4J_PASSWORD"))


def test_the_graph_is_unchanged_after_every_attack(built_store, before):
    assert fingerprint(built_store) == before


def test_reads_still_run_and_a_typo_is_not_a_connection_error(built_store):
    assert run_readonly(built_store, "MATCH (n:Gene {name: 'MMP3'}) RETURN n.id;", {})["rows"] == [["HGNC:7173"]]
    with pytest.raises(CypherError) as err:
        run_readonly(built_store, "MATCH (n:Gene RETURN n", {})
    assert "cannot reach" not in str(err.value).lower()


# -- the server itself, below the console's gate ---------------------------------------------
@pytest.mark.neo4j
def test_neo4j_server_refuses_file_urls_even_without_the_gate(neo4j_server, tmp_path):
    """Defence in depth: the launcher disallows file:// URLs, so LOAD CSV fails at the server."""
    from kg.store import StoreError
    from kg.store.neo4j import Neo4jStore
    from tests.store_fixtures import neo4j_settings

    s = neo4j_settings(neo4j_server, tmp_path)
    store = Neo4jStore.from_settings(s)
    try:
        for f in ("file:///etc/passwd", "file:///proc/self/environ"):
            with pytest.raises(StoreError, match="read-only"):
                store.read_cypher(f"LOAD CSV FROM '{f}' AS l RETURN l")  # the gate at the store boundary
            with pytest.raises(StoreError) as err:
                store._run_read(f"LOAD CSV FROM '{f}' AS l RETURN l")  # below it: the server's own setting
            assert "root:x" not in str(err.value) and neo4j_server["password"] not in str(err.value)
    finally:
        store.close()


@pytest.mark.neo4j
def test_neo4j_password_is_not_in_the_server_environment_or_command_line(neo4j_server):
    from kg.store import neo4j_server as server

    st = server.status(Path(neo4j_server["home"]))
    assert st["running"] and st.get("pid")
    proc = Path("/proc") / str(st["pid"])
    environ = (proc / "environ").read_bytes()
    cmdline = (proc / "cmdline").read_bytes()
    password = neo4j_server["password"].encode()
    assert password not in environ and password not in cmdline
    assert b"NEO4J_PASSWORD" not in environ
