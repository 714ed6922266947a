"""Bulk rebuilds of the project-launched Neo4j through neo4j-admin import, against the real server.

The bulk result must equal the online build's: the same rows (``iter_nodes`` / ``iter_edges`` /
``iter_evidence``, provenance), the same stored properties and labels, the same content hash. A
kill -9 of the build during the import leaves the old graph and no importer behind.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from kg.pipeline.build import collect
from kg.pipeline.load import rebuild
from kg.store import neo4j_server, open_store
from kg.store.base import BulkStore, StoreError
from kg.store.neo4j import Neo4jStore, encode_row
from kg.store.neo4j_import import write_parquet
from kg.store.version import BUILD_SOURCE, content_hash
from ontology import load_ontology
from tests.store_fixtures import launched_neo4j_store, neo4j_settings

ROOT = Path(__file__).resolve().parents[3]


def _snapshot(store: Neo4jStore) -> dict[str, Any]:
    """Everything a build leaves, raw properties and labels included (the build marker aside)."""
    raw_nodes = sorted(repr((sorted(r["l"]), sorted(r["p"].items()))) for r in store._read(
        "MATCH (n) WHERE NOT (n:Provenance AND n.source = $b) RETURN labels(n) AS l, properties(n) AS p",
        b=BUILD_SOURCE))
    raw_rels = sorted(repr((r["t"], r["s"], r["o"], sorted(r["p"].items()))) for r in store._read(
        "MATCH (s)-[x]->(o) RETURN type(x) AS t, s.id AS s, o.id AS o, properties(x) AS p"))
    return {"nodes": list(store.iter_nodes()), "edges": list(store.iter_edges()),
            "evidence": list(store.iter_evidence()),
            "provenance": [p for p in store.provenance() if p["source"] != BUILD_SOURCE],
            "raw_nodes": raw_nodes, "raw_rels": raw_rels, "hash": content_hash(store)}


@pytest.fixture(scope="module")
def loads():
    return collect()


def test_parquet_files_carry_every_value_with_its_type(tmp_path):
    import pyarrow.parquet as pq

    nodes = [{"id": "HGNC:1", "category": "gene", "name": "A\x00b", "synonyms": [], "xrefs": ["x\ny"],
              "source": "t"},
             {"id": "HGNC:2", "category": "gene", "name": "", "synonyms": [""], "xrefs": [], "source": "t",
              "score": float("nan")},
             {"id": "HGNC:3", "category": "gene", "name": "C", "synonyms": [1, "a"], "source": "t"}]  # JSON
    files = write_parquet(tmp_path, load_ontology(), nodes, [], [], [])
    rows = [r for _, _, path in files.paths for r in pq.read_table(path).to_pylist()]
    by_id = {r["id:ID(Entity)"]: r for r in rows}
    assert by_id["HGNC:1"]["name:string"] == "A\x00b" and by_id["HGNC:1"]["xrefs:string[]"] == ["x\ny"]
    assert by_id["HGNC:1"]["synonyms:string[]"] == []  # typed: the importer stores the [] Cypher does
    assert by_id["HGNC:2"]["synonyms:string[]"] == [""]
    assert by_id["HGNC:2"]["score:double"] != by_id["HGNC:2"]["score:double"]  # NaN
    assert by_id["HGNC:3"]["synonyms:string"] == encode_row(nodes[2])["synonyms"]  # a string, as online
    assert files.blanks == {("node", "Entity:Gene", "name"): ["HGNC:2"]}  # set after: read as no value
    assert "name:string" not in by_id["HGNC:2"]
    assert len(files.paths) == 3  # three property signatures: three files
    assert all(a.startswith("--nodes=Entity:Gene=") for a in files.args())


def test_a_failed_import_says_why_and_names_its_log(tmp_path):
    from kg.store.neo4j_import import run_import

    nodes = [{"id": "HGNC:1", "category": "gene", "name": "A", "source": "t"}]
    edges = [{"key": "e1", "subject": "HGNC:1", "object": "HGNC:404", "predicate": "increases", "sign": 1,
              "source": "t"}]
    (tmp_path / "files").mkdir()
    files = write_parquet(tmp_path / "files", load_ontology(), nodes, edges, [], [])
    with pytest.raises(StoreError) as err:
        run_import(tmp_path, files)
    msg = str(err.value)
    assert "HGNC:404" in msg and str(tmp_path / "import.log") in msg and "the live graph is unchanged" in msg
    assert "\tat org.neo4j" not in msg  # the cause, not the stack


def test_a_swap_killed_half_way_is_rolled_forward(tmp_path):
    home, staged = tmp_path / "home", tmp_path / "staged"
    for root, what in ((home / "data", "old"), (staged, "new")):
        for sub in ("databases", "transactions"):
            (root / sub / "neo4j").mkdir(parents=True)
            (root / sub / "neo4j" / "which").write_text(what)
    neo4j_server.install_database(home, staged)
    for sub in ("databases", "transactions"):
        assert (home / "data" / sub / "neo4j" / "which").read_text() == "new"
    assert not (home / "neo4j.swap").exists() and not (home / "swap-old").exists()
    # killed after the first half moved: the journal rolls the rest forward
    for sub in ("databases", "transactions"):
        (staged / sub / "neo4j").mkdir(parents=True)
        (staged / sub / "neo4j" / "which").write_text("newer")
    (home / "data" / "databases" / "neo4j").rename(tmp_path / "gone")
    (staged / "databases" / "neo4j").rename(home / "data" / "databases" / "neo4j")
    (home / "neo4j.swap").write_text(f'{{"staged": "{staged}", "database": "neo4j"}}')
    neo4j_server._finish_swap(home)
    for sub in ("databases", "transactions"):
        assert (home / "data" / sub / "neo4j" / "which").read_text() == "newer"
    assert not (home / "neo4j.swap").exists()


def test_bulk_rebuild_equals_the_online_build(neo4j_server, loads, tmp_path):
    online = open_store(neo4j_settings(neo4j_server, tmp_path))  # not the launched home: online, and says so
    assert not isinstance(online, BulkStore) and "loads online" in (online.bulk_note or "")
    try:
        rebuild(online, loads, fresh=True)
        want = _snapshot(online)
    finally:
        online.close()
    store = launched_neo4j_store(neo4j_server)
    try:
        report = rebuild(store, loads, fresh=True)
        got = _snapshot(store)
        assert report.content == got["hash"]
        assert neo4j_server_running(neo4j_server)
        indexes = {r["name"] for r in store._read("SHOW INDEXES YIELD name RETURN name")}
    finally:
        store.close()
    for part in ("nodes", "edges", "evidence", "provenance", "raw_nodes", "raw_rels"):
        assert got[part] == want[part], part
    assert got["hash"] == want["hash"]
    assert {"kg_entity_id", "kg_evidence_key", "kg_evidence_edge_key", "kg_provenance"} <= indexes
    assert not list(Path(neo4j_server["home"]).glob("bulk-import-*"))


def neo4j_server_running(server: dict[str, Any]) -> bool:
    return neo4j_server.status(Path(server["home"]), password=server["password"])["answering"] is True


_KILLED_BUILD = """
import sys
from pathlib import Path
from kg.pipeline.build import collect
from kg.pipeline.load import rebuild
from kg.store.neo4j import Neo4jStore, encode_row
from kg.store.neo4j_import import LocalNeo4jStore
from kg.store.settings import Settings
uri, password, home = sys.argv[1:4]
s = Settings(home=Path(home).parent, store="neo4j", neo4j_uri=uri, neo4j_password=password)
plain = Neo4jStore.from_settings(s.with_(home=Path(home)))
rebuild(LocalNeo4jStore(plain.driver, home=Path(home), settings=s), collect(), fresh=True)
"""


def _importers(home: Path) -> list[int]:
    """Pids of neo4j-admin processes importing under ``home`` (started by this test's build)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                args = (proc / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if neo4j_server.ADMIN_MAIN_CLASS.encode() in args and any(str(home).encode() in a for a in args):
                pids.append(int(proc.name))
    return pids


def test_kill_during_the_import_leaves_the_old_graph(neo4j_server, loads, tmp_path):
    home = Path(neo4j_server["home"])
    old = Neo4jStore.from_settings(neo4j_settings(neo4j_server, tmp_path))
    try:
        old.clear()
        rebuild(old, loads[:2], fresh=True)  # an old graph that differs from the full default build
        before = _snapshot(old)
    finally:
        old.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    build = subprocess.Popen([sys.executable, "-c", _KILLED_BUILD, neo4j_server["uri"], neo4j_server["password"],
                              str(home)], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 300
        while not _importers(home) and build.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _importers(home), f"the importer never ran: {build.communicate()[0].decode()[-2000:]}"
        build.send_signal(signal.SIGKILL)
    finally:
        build.kill()
        build.wait(timeout=30)
    deadline = time.monotonic() + 30
    while _importers(home) and time.monotonic() < deadline:  # it dies with its parent (PDEATHSIG)
        time.sleep(0.1)
    assert not _importers(home)
    assert neo4j_server_running(neo4j_server)
    after_store = Neo4jStore.from_settings(neo4j_settings(neo4j_server, tmp_path))
    try:
        after = _snapshot(after_store)
    finally:
        after_store.close()
    assert after == before
