"""The real ``kg`` command, run as a subprocess with its own ``KG_HOME``."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

STATS_KEYS = {"nodes", "edges", "evidence", "by_category", "by_predicate", "graph_version", "store"}


def kg_command() -> list[str]:
    exe = shutil.which("kg")
    return [exe] if exe else [sys.executable, "-m", "kg.surfaces.cli"]


def run_kg(home: Path, *args: str, **env_changes: str | None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KG_", "NEO4J_"))}
    env.update({"KG_HOME": str(home), "COLUMNS": "200", "NO_COLOR": "1"})
    for k, v in env_changes.items():
        if v is not None:
            env[k] = v
    return subprocess.run([*kg_command(), *args], env=env, capture_output=True, text=True, timeout=600)


def run_kg_embedded(home: Path, *args: str, **env_changes: str | None) -> subprocess.CompletedProcess:
    """``kg`` on the networkx file store (``KG_HOME/graph.json.gz``), for tests that write it directly."""
    return run_kg(home, *args, KG_STORE="embedded", **env_changes)


def ok(proc: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert proc.returncode == 0, f"exit {proc.returncode}\nstdout:\n{proc.stdout}\nstderr:\n{proc.stderr}"
    assert "Traceback" not in proc.stderr
    return proc


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    """A KG_HOME holding the default build in the default store (LadybugDB, no KG_STORE set)."""
    h = tmp_path_factory.mktemp("kg-home")
    ok(run_kg(h, "build"))
    return h


@pytest.fixture(scope="module")
def embedded_stats(home) -> dict:
    return json.loads(ok(run_kg(home, "stats", "--json")).stdout)


def test_stats_json_shape(embedded_stats):
    st = embedded_stats
    assert set(st) == STATS_KEYS and st["store"] == "ladybug"  # the default store
    assert st["nodes"] == sum(st["by_category"].values()) > 200
    assert st["edges"] == sum(st["by_predicate"].values()) > 400
    assert st["evidence"] >= st["edges"]
    assert st["graph_version"].startswith("g-")


def test_the_default_store_is_a_ladybugdb_database(home):
    assert (home / "graph.lbug").is_file() and not (home / "graph.json.gz").exists()


def test_build_again_changes_nothing(home, embedded_stats):
    ok(run_kg(home, "build"))
    assert json.loads(ok(run_kg(home, "stats", "--json")).stdout) == embedded_stats


def test_paths_json_shape(home, embedded_stats):
    answer = json.loads(ok(run_kg(home, "paths", "Decompression", "NP resorption", "--json")).stdout)
    assert answer["graph_version"] == embedded_stats["graph_version"]
    assert isinstance(answer["truncated"], bool)
    assert answer["paths"], "the shipped graph links Decompression to NP resorption"
    for p in answer["paths"]:
        assert p["edges"]
        cited = [ev for hop in p["edges"] for ev in hop["evidence"]]
        assert cited, p["summary"]
        assert all(isinstance(ev["citation"], str) and ev["citation"] for ev in cited)


def test_paths_with_an_unknown_entity_suggests_names(home):
    proc = run_kg(home, "paths", "Decompresion", "NP resorption", "--json")
    assert proc.returncode != 0
    assert "Did you mean" in proc.stderr and "Decompression" in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def one_line_error(proc: subprocess.CompletedProcess) -> str:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error:")
    return lines[0]


@pytest.mark.neo4j
def test_neo4j_with_a_wrong_password_is_one_line(neo4j_server, tmp_path):
    line = one_line_error(run_kg(tmp_path, "stats", "--json", KG_STORE="neo4j", NEO4J_URI=neo4j_server["uri"],
                                 NEO4J_PASSWORD="not-the-password"))
    assert "NEO4J_PASSWORD" in line


@pytest.mark.neo4j
def test_neo4j_not_running_is_one_line(tmp_path):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    line = one_line_error(run_kg(tmp_path, "build", KG_STORE="neo4j", NEO4J_URI=f"bolt://127.0.0.1:{port}",
                                 NEO4J_PASSWORD="whatever-password"))
    assert "kg neo4j start" in line and "NEO4J_URI" in line


@pytest.mark.neo4j
def test_neo4j_build_gives_the_embedded_stats(neo4j_server, tmp_path, embedded_stats):
    env = {"KG_STORE": "neo4j", "NEO4J_URI": neo4j_server["uri"], "NEO4J_USER": neo4j_server["user"],
           "NEO4J_PASSWORD": neo4j_server["password"], "NEO4J_DATABASE": neo4j_server["database"]}
    ok(run_kg(tmp_path, "build", "--fresh", **env))
    st = json.loads(ok(run_kg(tmp_path, "stats", "--json", **env)).stdout)
    assert st.pop("store") == "neo4j"
    assert st == {k: v for k, v in embedded_stats.items() if k != "store"}


def test_cypher_command_runs_reads_and_refuses_the_file_probe(home):
    # :Entity and its properties are in every store's schema (typed labels are not in LadybugDB's)
    out = json.loads(ok(run_kg(home, "cypher", "MATCH (n:Entity {name: $n}) RETURN n.id AS id", "-p", "n=MMP3",
                               "--json")).stdout)
    assert out["columns"] == ["id"] and out["rows"] == [["HGNC:7173"]]
    typed = run_kg(home, "cypher", "MATCH (n:Gene {name: $n}) RETURN n.id AS id", "-p", "n=MMP3")
    assert typed.returncode == 2 and "Gene" in typed.stderr and "Traceback" not in typed.stderr
    probe = run_kg(home, "cypher", "// '\nLOAD CSV FROM 'file:///proc/self/environ' AS l RETURN l")
    assert probe.returncode == 2 and "Traceback" not in probe.stderr
    assert "read-only" in probe.stderr and "LOAD" in probe.stderr and "PATH=" not in probe.stdout + probe.stderr
