"""Rebuilds are crash-safe and exact on both stores: a killed build, then a plain build, gives the
clean graph; a rebuild drops the stale rows of its own sources and keeps a user's own ingests."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import time

import pytest

from kg.pipeline.build import collect
from kg.pipeline.load import rebuild
from kg.records.model import Edge, Evidence, Node
from kg.store.version import BUILD_SOURCE, content_hash, graph_version
from tests.kg.surfaces.test_cli import kg_command
from tests.store_fixtures import make_store


@pytest.fixture(scope="module")
def loads():
    return collect()


@pytest.fixture(scope="module")
def clean(loads, tmp_path_factory):
    """Counts and content hash of a clean build (the embedded store; both stores hash alike)."""
    from kg.store.embedded import EmbeddedStore

    s = EmbeddedStore(tmp_path_factory.mktemp("clean") / "g.json.gz")
    rebuild(s, loads)
    st = s.stats()
    return (st["nodes"], st["edges"], st["evidence"]), content_hash(s)


@pytest.mark.parametrize("kind", ["embedded", "neo4j"])
def test_rebuild_drops_stale_rows_of_its_sources_and_keeps_user_ingests(kind, loads, clean, tmp_path, request):
    store = make_store(kind, tmp_path, request)
    try:
        rebuild(store, loads)
        assert content_hash(store) == clean[1]
        # rows an older version of the curated facts left behind, and a user's own DEG ingest
        stale = Edge("HGNC:7173", "inhibits", "HGNC:11892", -1)
        mine = Edge("HGNC:7173", "measured_in", "EXP:mine", 0)
        store.upsert([Node("EXP:mine", "experiment", "my RNA-seq", (), (), "user")], [stale, mine],
                     [Evidence(stale.key, "curated", "PMID:1", "old fact"),
                      Evidence(mine.key, "user", "EXP:mine", "log2FC 2.1")])
        report = rebuild(store, loads)
        assert report.pruned["edges"] == 1 and not report.recovered
        keys = {e["key"] for e in store.iter_edges()}
        assert stale.key not in keys and mine.key in keys
        store.delete([mine.key], (), ["EXP:mine"])
        assert content_hash(store) == clean[1]
    finally:
        store.close()


def test_a_bulk_rebuild_reports_its_progress_and_its_steps(loads, clean, tmp_path):
    """The CLI's bar: every record of the loads counted as it is assembled, then the bulk write and
    the hash announced (before, the bar sat at 0 for the whole of a full build's minute)."""
    from kg.store.ladybugdb import LadybugStore

    store = LadybugStore(tmp_path / "graph.lbug", buffer_mb=64)
    counted: list[int] = []
    steps: list[str] = []
    try:
        rebuild(store, loads, fresh=True, progress=counted.append, phase=steps.append)
        assert sum(counted) == sum(len(sl.nodes) + len(sl.edges) + len(sl.evidence) for sl in loads)
        assert len(counted) == len(loads) and steps == ["writing", "hashing"]
        assert content_hash(store) == clean[1]
    finally:
        store.close()


@pytest.mark.parametrize("kind", ["embedded", "neo4j"])
def test_a_build_that_finds_an_interrupted_one_starts_from_empty(kind, loads, clean, tmp_path, request):
    store = make_store(kind, tmp_path, request)
    try:
        rebuild(store, loads)
        # what a kill leaves: the marker still "building", half a graph, orphan evidence
        from kg.pipeline.load import _mark

        _mark(store, "building")
        half = [e["key"] for i, e in enumerate(store.iter_edges()) if i % 2]
        store.delete(half, (), ())
        junk = Edge("HGNC:1", "activates", "HGNC:2", 1)
        store.upsert([Node("HGNC:1", "gene", "A1BG"), Node("HGNC:2", "gene", "A1BG-AS1")], [junk],
                     [Evidence(junk.key, "other", "PMID:2", "junk")])
        report = rebuild(store, loads)
        assert report.recovered
        st = store.stats()
        assert (st["nodes"], st["edges"], st["evidence"]) == clean[0]
        assert content_hash(store) == clean[1] and graph_version(store) == "g-" + clean[1][:12]
        marker = next(p for p in store.provenance() if p["source"] == BUILD_SOURCE)
        assert marker["params"]["state"] == "complete"
    finally:
        store.close()


def _env(home, server=None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KG_", "NEO4J_"))}
    env.update({"KG_HOME": str(home), "NO_COLOR": "1"})
    if server:
        env.update({"KG_STORE": "neo4j", "NEO4J_URI": server["uri"], "NEO4J_USER": server["user"],
                    "NEO4J_PASSWORD": server["password"], "NEO4J_DATABASE": server["database"]})
    return env


@pytest.mark.neo4j
def test_kill_9_of_kg_build_at_random_points_then_a_plain_build_is_clean(neo4j_server, clean, tmp_path):
    """kill -9 of `kg build` on the real Neo4j at five seeded random moments, each followed by a
    plain `kg build`: the counts and the content hash equal a clean build's every time."""
    from kg.store.neo4j import Neo4jStore
    from tests.store_fixtures import neo4j_settings

    env = _env(tmp_path, neo4j_server)
    s = neo4j_settings(neo4j_server, tmp_path)
    rng = random.Random(14)
    t0 = time.monotonic()
    subprocess.run([*kg_command(), "build", "--fresh"], env=env, check=True, capture_output=True, timeout=600)
    full = time.monotonic() - t0
    for point in sorted(rng.uniform(0.2, 0.95) * full for _ in range(5)):
        proc = subprocess.Popen([*kg_command(), "build", "--fresh"], env=env, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(point)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
        again = subprocess.run([*kg_command(), "build"], env=env, capture_output=True, text=True, timeout=600)
        assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
        store = Neo4jStore.from_settings(s)
        try:
            st = store.stats()
            assert (st["nodes"], st["edges"], st["evidence"]) == clean[0], point
            assert content_hash(store) == clean[1], point
        finally:
            store.close()


def test_files_follow_the_umask_and_old_temp_files_are_swept(tmp_path):
    import stat

    from kg.query.export import write_atomic
    from kg.store.embedded import EmbeddedStore

    old = os.umask(0o022)
    try:
        s = EmbeddedStore(tmp_path / "g.json.gz")
        s.upsert([Node("HGNC:1", "gene", "A1BG")], [], [])
        s.flush()
        write_atomic(tmp_path / "out.graphml", b"<graphml/>")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "g.json.gz").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "out.graphml").stat().st_mode) == 0o644
    left, fresh = tmp_path / ".graph-killed.tmp", tmp_path / ".graph-writing.tmp"
    left.write_bytes(b"x")
    fresh.write_bytes(b"y")
    os.utime(left, (time.time() - 7 * 3600,) * 2)
    EmbeddedStore(tmp_path / "g.json.gz")
    assert not left.exists() and fresh.exists()  # a writer may still own the recent one
