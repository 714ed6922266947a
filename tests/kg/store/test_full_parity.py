"""The full profile (2024 HGNC, Reactome, WikiPathways, GO sets, networks: about 1.2M edges) on
both stores (issue #10): each rebuilt in bulk (LadybugDB by COPY, the launched Neo4j by
neo4j-admin import), the same graph, and the same ranked, explained paths for the module pairs
the mechanism questions ask."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.query.explain import explain
from kg.query.paths import find_paths
from kg.store.ladybugdb import LadybugStore
from kg.store.version import BUILD_SOURCE
from tests.helpers import shared_data
from tests.store_fixtures import launched_neo4j_store

ROOT = Path(__file__).resolve().parents[3]
PAIRS = [("Decompression", "NP resorption"), ("Integrin signalling", "NP resorption"),
         ("Bone bioactive factors", "Matrix degradation"), ("Decompression", "Matrix degradation"),
         ("TNF", "MMP3")]


#: Both bulk rebuilds, in a fresh process: together they need several GB, which a test process that
#: has run the rest of the suite (its caches, its fragmented heap) may not have to spare.
_BUILD = r"""
import json, sys
from pathlib import Path
from kg.pipeline.build import collect
from kg.pipeline.load import rebuild
from kg.store.ladybugdb import LadybugStore
from tests.store_fixtures import launched_neo4j_store
job = json.load(sys.stdin)  # the password comes on stdin, never on a command line
loads = collect("full", Path(job["shared"]))
lb, neo = LadybugStore(Path(job["graph"])), launched_neo4j_store(job["server"])
try:
    rebuild(lb, loads, fresh=True)
    rebuild(neo, loads, fresh=True)
finally:
    lb.close()
    neo.close()
"""


@pytest.fixture(scope="module")
def stores(neo4j_server, tmp_path_factory):
    graph = tmp_path_factory.mktemp("full") / "graph.lbug"
    job = json.dumps({"shared": str(shared_data()), "graph": str(graph), "server": neo4j_server}, default=str)
    subprocess.run([sys.executable, "-c", _BUILD], input=job, text=True, check=True, cwd=ROOT)
    lb = LadybugStore(graph)
    neo = launched_neo4j_store(neo4j_server)
    try:
        yield lb, neo
    finally:
        lb.close()
        neo.close()


def test_the_full_profile_is_the_same_graph_on_both_stores(stores):
    lb, neo = stores
    assert lb.stats() == neo.stats()
    assert lb.stats()["edges"] > 1_000_000
    built = [[p for p in s.provenance() if p["source"] != BUILD_SOURCE] for s in stores]  # its time differs
    assert built[0] == built[1] and len(built[0]) > 10
    some = [n["id"] for n in lb.search("mmp", limit=50)]
    assert some and lb.degrees(some) == neo.degrees(some)


@pytest.mark.parametrize("source,target", PAIRS)
def test_the_full_profile_gives_identical_answers_on_both_stores(stores, source, target):
    answers = []
    for store in stores:
        answer = explain(store, find_paths(store, source, target, k=10, max_hops=4), evidence_per_hop=2)
        assert answer.pop("store") == store.name
        for p in answer["paths"]:  # each path's Cypher is written in its store's dialect
            assert p.pop("cypher").count("MATCH") == 1
        answers.append(json.dumps(answer, ensure_ascii=False, sort_keys=True))
    assert answers[0] == answers[1]
    assert len(json.loads(answers[0])["paths"]) >= 3, "the query must find paths for the comparison to mean anything"
