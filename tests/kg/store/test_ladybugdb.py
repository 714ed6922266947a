"""LadybugDB store: the default build gives the same graph and the same answers as the embedded
store; the ready queries and each answer's Cypher, in LadybugDB's dialect, give the same rows and the
same paths; its console is sealed (the engine reads and writes files on its own); a second writer is
told the store is busy."""
from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from kg.pipeline.build import collect
from kg.pipeline.load import load
from kg.query.cypher import READY_QUERIES, ready_queries, run_readonly
from kg.query.explain import explain
from kg.query.paths import find_paths
from kg.store.base import StoreError
from kg.store.embedded import EmbeddedStore
from kg.store.ladybugdb import LadybugStore
from kg.store.version import content_hash

PAIRS = [("Decompression", "NP resorption"), ("Bone bioactive factors", "Matrix degradation"),
         ("TNF", "MMP3"), ("Integrin signalling", "NP resorption")]


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    d = tmp_path_factory.mktemp("lb")
    loads = collect()
    emb, lb = EmbeddedStore(d / "graph.json.gz"), LadybugStore(d / "graph.lbug", buffer_mb=128)
    load(emb, loads)
    load(lb, loads)
    yield emb, lb
    lb.close()


def test_same_content_on_both_embedded_stores(pair):
    emb, lb = pair
    assert lb.stats() == emb.stats() and lb.stats()["edges"] > 5000
    assert content_hash(lb) == content_hash(emb)
    assert lb.provenance() == emb.provenance()


def test_a_bulk_rebuild_holds_exactly_the_rows_of_an_upsert_load(pair, tmp_path):
    from kg.pipeline.load import rebuild

    emb, _ = pair
    bulk = LadybugStore(tmp_path / "graph.lbug", buffer_mb=128)
    rebuild(bulk, collect(), fresh=True)  # a BulkStore: final rows, COPY, swap
    assert list(bulk.iter_edges()) == list(emb.iter_edges())  # every field: summaries, contested, lists
    assert list(bulk.iter_evidence()) == list(emb.iter_evidence())
    assert list(bulk.iter_nodes()) == list(emb.iter_nodes())
    bulk.close()


@pytest.mark.parametrize("source,target", PAIRS)
def test_same_ranked_paths_and_explanations(pair, source, target):
    emb, lb = pair
    a, b = find_paths(emb, source, target, k=10), find_paths(lb, source, target, k=10)
    def ranked(res):
        return [(p.nodes, [e["key"] for e in p.edges], p.sign, round(p.score, 12)) for p in res.paths]

    assert ranked(a) == ranked(b) and a.paths, f"{source} -> {target}"
    ea, eb = explain(emb, a, evidence_per_hop=2), explain(lb, b, evidence_per_hop=2)
    def without_cypher(answer):  # written in each store's dialect: reproduced below
        return [{k: v for k, v in p.items() if k != "cypher"} for p in answer["paths"]]

    assert without_cypher(ea) == without_cypher(eb) and ea["graph_version"] == eb["graph_version"]


@pytest.mark.parametrize("source,target", PAIRS)
def test_each_answers_cypher_returns_that_path_on_ladybugdb(pair, source, target):
    _, lb = pair
    answer = explain(lb, find_paths(lb, source, target, k=5), evidence_per_hop=1)
    assert answer["paths"]
    for p in answer["paths"]:
        got = lb.read_cypher(p["cypher"])
        assert got["columns"] == ["p"] and len(got["rows"]) == 1, p["cypher"]
        path = got["rows"][0][0]  # LadybugDB's path value: its nodes and relationships in pattern order
        first, last, ids = p["edges"][0], p["edges"][-1], [n["id"] for n in p["nodes"]]
        if first.get("membership") == "source":  # the module or set at either end is matched too
            ids = [first["object"], *ids]
        if last.get("membership") == "target":
            ids = [*ids, last["object"]]
        assert [n["id"] for n in path["_NODES"]] == ids
        assert [r["key"] for r in path["_RELS"]] == [h["key"] for h in p["edges"]]


@pytest.mark.parametrize("name", [q.name for q in READY_QUERIES])
def test_every_ready_query_gives_the_embedded_stores_rows(pair, name):
    emb, lb = pair
    qe, ql = ({q.name: q for q in ready_queries(store)}[name] for store in pair)
    assert ql.cypher != qe.cypher and ql.params == qe.params
    a, b = run_readonly(emb, qe.cypher, qe.params), run_readonly(lb, ql.cypher, ql.params)
    assert b["columns"] == a["columns"] and b["rows"], name
    assert not a["truncated"] and not b["truncated"]
    assert b["rows"] == a["rows"]  # relationships as full rows (subject, object, summaries) on both
    assert b["relationships"] == a["relationships"] and b["nodes"] == a["nodes"]


@pytest.mark.parametrize("query", [
    "LOAD FROM '/etc/passwd' (file_format='csv', header=false, delim=':') RETURN *",
    "COPY (MATCH (n:Entity) RETURN n.id) TO '/tmp/kg-leak.csv'",
    "EXPORT DATABASE '/tmp/kg-leak'",
    "IMPORT DATABASE '/tmp/kg-leak'",
    "INSTALL json",
    "LOAD EXTENSION '/tmp/x.so'",
    "ATTACH '/tmp/other.lbug' AS other (dbtype lbug)",
    "CALL read_csv_serial('/etc/passwd') RETURN *",  # crashes the engine if it ever runs
    "CALL show_tables() RETURN *",
    "MATCH (n:Entity) SET n.name = 'x' RETURN n",
    "CHECKPOINT",
])
def test_console_refuses_the_engines_file_and_write_clauses(pair, query):
    _, lb = pair
    before = lb.stats()
    with pytest.raises(StoreError, match="read-only|syntax|not allowed|refused|Refused"):
        lb.read_cypher(query)
    assert lb.stats() == before


def test_console_reads_with_a_row_limit_and_a_timeout(pair):
    _, lb = pair
    out = lb.read_cypher("MATCH (a:Entity)-[r:REL]->(b:Entity) WHERE a.name = $n RETURN a, r, b.name", {"n": "TNF"},
                         row_limit=3)
    assert out["columns"] == ["a", "r", "b.name"] and len(out["rows"]) == 3 and out["truncated"]
    assert out["rows"][0][0]["name"] == "TNF" and out["nodes"] and out["relationships"]
    with pytest.raises(StoreError, match="longer than 0.2 s"):
        lb.read_cypher("UNWIND range(1, 1000000000) AS x WITH x WHERE x < 0 RETURN count(*)", timeout_s=0.2)


def test_neo4j_labels_and_row_fields_get_the_ladybugdb_form_in_the_error(pair):
    _, lb = pair
    with pytest.raises(StoreError, match=r"Table Gene does not exist\. LadybugDB has one node table") as err:
        lb.read_cypher("MATCH (n:Gene {name: 'MMP3'}) RETURN n.id")
    hinted = str(err.value).split("write ", 1)[1].split(" for ", 1)[0]  # the form the hint proposes runs
    assert lb.read_cypher(f"MATCH {hinted} WHERE n.name = 'MMP3' RETURN n.id")["rows"] == [["HGNC:7173"]]
    with pytest.raises(StoreError, match=r"row_field\(x\.row, 'field'\)"):
        lb.read_cypher("MATCH (n:Entity) RETURN n.xrefs LIMIT 1")
    assert lb.read_cypher("MATCH (n:Entity {name: 'MMP3'}) RETURN row_field(n.row, 'category')")["rows"] == [["gene"]]


def test_a_second_writer_is_told_the_store_is_busy(tmp_path):
    path = tmp_path / "graph.lbug"
    holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent(f"""
        import sys, time
        from kg.store.ladybugdb import LadybugStore
        s = LadybugStore({str(path)!r}, buffer_mb=32)
        print("open", flush=True)
        sys.stdin.read()
    """)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="store busy"):
            LadybugStore(path, buffer_mb=32)
    finally:
        holder.communicate("", timeout=60)


def test_a_file_written_before_the_walk_columns_is_upgraded_on_its_first_writable_open(tmp_path):
    """The walk reads typed EdgeIndex columns; a file of the earlier format (EdgeIndex with the JSON
    row only) gets them, filled from its rows, and a read-only open of it says what to do."""
    import json

    import ladybug

    from kg.store.base import walk_row

    path = tmp_path / "graph.lbug"
    row = {"key": "k1", "subject": "HGNC:1", "object": "HGNC:2", "predicate": "activates", "sign": 1,
           "belief": 0.7, "n_papers": 2, "species": ["human"], "designs": ["in_vitro"], "sources": ["pubmed"]}
    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    for ddl in ("CREATE NODE TABLE Entity(id STRING PRIMARY KEY, category STRING, name STRING, "
                "synonyms STRING[], row STRING)",
                "CREATE REL TABLE REL(FROM Entity TO Entity, key STRING, predicate STRING, sign INT64, belief DOUBLE)",
                "CREATE NODE TABLE EdgeIndex(key STRING PRIMARY KEY, subject STRING, object STRING, "
                "predicate STRING, evidence STRING[], row STRING)",
                "CREATE NODE TABLE Evidence(key STRING PRIMARY KEY, edge_key STRING, row STRING)",
                "CREATE NODE TABLE Provenance(pk STRING PRIMARY KEY, source STRING, row STRING)"):
        conn.execute(ddl)
    for i in ("HGNC:1", "HGNC:2"):
        conn.execute("CREATE (:Entity {id: $i, category: 'gene', name: $i, row: $r})",
                     {"i": i, "r": json.dumps({"id": i, "category": "gene", "name": i})})
    conn.execute("MATCH (a:Entity {id: 'HGNC:1'}), (b:Entity {id: 'HGNC:2'}) "
                 "CREATE (a)-[:REL {key: 'k1', predicate: 'activates', sign: 1, belief: 0.7}]->(b)")
    conn.execute("CREATE (:EdgeIndex {key: 'k1', subject: 'HGNC:1', object: 'HGNC:2', predicate: 'activates', "
                 "row: $r})", {"r": json.dumps(row)})
    conn.close()
    db.close()
    with pytest.raises(StoreError, match="earlier version .*species.*kg build"):
        LadybugStore(path, read_only=True)
    store = LadybugStore(path, buffer_mb=32)
    assert store.walk_edges(["member_of"], []) == [walk_row(row)]
    assert store.edges(["k1"]) == {"k1": row}
    store.close()
    reader = LadybugStore(path, read_only=True)
    assert reader.walk_edges(["member_of"], [])[0]["species"] == ["human"]
    reader.close()


def test_a_rebuild_is_not_stopped_by_side_files_a_killed_one_left(tmp_path):
    """A kill during the new graph's checkpoint leaves its WAL copy behind (seen in CI): the next
    rebuild clears it instead of failing with the engine's 'Database ID ... does not match'."""
    import shutil

    import ladybug

    from kg.pipeline.load import rebuild
    from kg.store.ladybugdb import SIDECARS

    other = ladybug.Database(str(tmp_path / "other.lbug"))
    conn = ladybug.Connection(other)
    conn.execute("CREATE NODE TABLE A(id STRING, PRIMARY KEY(id))")
    conn.execute("UNWIND range(1, 500) AS i CREATE (:A {id: string(i)})")
    path = tmp_path / "graph.lbug"
    new = path.with_name(path.name + ".new")
    shutil.copy(tmp_path / "other.lbug.wal", new.with_name(new.name + ".wal.checkpoint"))
    conn.close()
    other.close()
    with pytest.raises(RuntimeError, match="does not match"):  # what the engine does with it
        ladybug.Database(str(new))
    new.unlink(missing_ok=True)
    shutil.copy(tmp_path / "other.lbug", new)  # a half-written new graph too
    loads = collect()[:3]
    store = LadybugStore(path, buffer_mb=64)
    rebuild(store, loads, fresh=True)
    ref = LadybugStore(tmp_path / "ref.lbug", buffer_mb=64)
    rebuild(ref, loads, fresh=True)
    assert content_hash(store) == content_hash(ref)
    store.close()
    ref.close()
    assert sorted(p.name for p in tmp_path.glob("graph.lbug*")) == ["graph.lbug"]
    assert not [s for s in SIDECARS if new.with_name(new.name + s).exists()]


def test_a_killed_bulk_rebuild_leaves_the_old_graph_or_the_new_one_never_a_mix(tmp_path):
    """kill -9 of a rebuild writing a different graph, at seeded random moments: the store then
    holds exactly the old content or exactly the new one, and a plain rebuild gives the new one."""
    import os
    import random
    import signal
    import time

    from kg.pipeline.load import rebuild

    loads = collect()
    path = tmp_path / "graph.lbug"
    store = LadybugStore(path, buffer_mb=64)
    rebuild(store, loads[:3])
    old = content_hash(store)
    store.close()
    ref = LadybugStore(tmp_path / "ref.lbug", buffer_mb=64)
    rebuild(ref, loads)
    new = content_hash(ref)
    ref.close()
    assert old != new
    script = textwrap.dedent(f"""
        from kg.pipeline.build import collect
        from kg.pipeline.load import rebuild
        from kg.store.ladybugdb import LadybugStore
        loads = collect()
        print("go", flush=True)
        rebuild(LadybugStore({str(path)!r}, buffer_mb=64), loads, fresh=True)
        print("done", flush=True)
    """)
    rng = random.Random(10)
    seen = []
    for _ in range(4):
        proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                                start_new_session=True)
        assert proc.stdout.readline().strip() == "go"
        time.sleep(rng.uniform(0.0, 1.5))
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        store = LadybugStore(path, buffer_mb=64)
        got = content_hash(store)
        assert got in (old, new)
        seen.append("new" if got == new else "old")
        store.close()
        if got == new:  # back to the old graph for the next kill
            store = LadybugStore(path, buffer_mb=64)
            rebuild(store, loads[:3], fresh=True)
            store.close()
    store = LadybugStore(path, buffer_mb=64)
    rebuild(store, loads)
    assert content_hash(store) == new
    store.close()


@pytest.mark.parametrize("table", ["Entity", "Evidence"])
def test_a_copy_that_fails_leaves_the_old_graph_and_no_files(tmp_path, table):
    """The tables are copied in a worker thread while the next is made: a COPY the engine refuses
    (two rows with one primary key), first or last, raises here and leaves the old graph whole,
    with neither the half-made file nor its Parquet behind."""
    from kg.records.model import Edge, Evidence, Node

    path = tmp_path / "graph.lbug"
    store = LadybugStore(path, buffer_mb=64)
    store.upsert([Node("HGNC:1", "gene", "A"), Node("HGNC:2", "gene", "B")], [Edge("HGNC:1", "activates", "HGNC:2", 1)],
                 [])
    old = content_hash(store)
    nodes = [Node(f"HGNC:{i}", "gene", f"G{i}").to_dict() for i in range(1, 2001)]
    edges = [Edge(f"HGNC:{i}", "activates", f"HGNC:{i + 1}", 1).to_dict() for i in range(1, 2000)]
    evidence = [Evidence(e["key"], "curated", "PMID:1").to_dict() for e in edges]
    if table == "Entity":
        nodes.append(dict(nodes[0]))
    else:
        evidence.append(dict(evidence[0]))
    with pytest.raises(RuntimeError, match="(?i)duplicate|primary key"):
        store.replace_all(nodes, edges, evidence, [])
    assert content_hash(store) == old and store.stats()["nodes"] == 2
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith((".kg-copy-", "graph.lbug.new"))]
    store.replace_all(nodes[:2000], edges, evidence[:1999], [])  # and the store still writes
    assert store.stats()["nodes"] == 2000 and store.stats()["evidence"] == 1999
    store.close()
