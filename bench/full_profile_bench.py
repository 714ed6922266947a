"""Full-profile benchmark: ``kg build --profile full`` into Neo4j, against naive per-row writes.

- **full profile**: ``kg.pipeline.build.collect("full")`` (every Reactome, WikiPathways, GO and
  OmniPath/SIGNOR file under ``../shared/data``) then ``kg.pipeline.load.load`` into ``Neo4jStore``
  (batched ``UNWIND … MERGE``, one transaction per batch, belief assembly included). Reported as
  nodes/s and edges/s of the whole load, plus the time to read the sources.
- **baseline**: the official ``neo4j`` driver, one ``MERGE`` per row, each row its own write
  transaction (nodes as ``:BenchNaive``, relationships as ``:NAIVE``), on a SAMPLE of the same
  records (``--sample`` nodes and edges): reported as rows/s only, never extrapolated.

Usage::

    NEO4J_PASSWORD=choose-a-password python bench/full_profile_bench.py [--shared PATH] [--sample 2000]

Environment: ``NEO4J_PASSWORD`` (required, 8+ characters), ``KG_BENCH_NEO4J_PORT`` (default 7712),
``KG_BENCH_NEO4J_HOME`` (default ``$KG_HOME/bench-neo4j-full``). Prints one JSON line and writes it
to ``bench/results/full_profile_bench.json``. The Neo4j it starts is stopped again at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.locations import shared_data_dir  # noqa: E402
from kg.pipeline.build import collect  # noqa: E402
from kg.pipeline.load import load  # noqa: E402
from kg.store import neo4j_server  # noqa: E402
from kg.store.settings import Settings  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "full_profile_bench.json"
BASELINE = ("official neo4j driver, one MERGE per row, each row its own execute_write transaction, "
            "on a sample of the same nodes and edges; no evidence, no belief")


def naive_rows_per_s(driver, loads, sample: int) -> dict:
    """Write ``sample`` nodes, then ``sample`` edges between them, one transaction per row."""
    nodes, edges = {}, []
    for sl in loads:
        for e in sl.edges.values():
            if len(edges) >= sample:
                break
            if e.subject in sl.nodes and e.object in sl.nodes:
                edges.append(e)
                nodes.setdefault(e.subject, sl.nodes[e.subject])
                nodes.setdefault(e.object, sl.nodes[e.object])
        if len(edges) >= sample:
            break
    node_list = list(nodes.values())[:sample]
    keep = {n.id for n in node_list}
    edges = [e for e in edges if e.subject in keep and e.object in keep]
    with driver.session() as s:
        s.run("CREATE INDEX bench_naive_id IF NOT EXISTS FOR (n:BenchNaive) ON (n.id)").consume()
        s.run("MATCH (n:BenchNaive) DETACH DELETE n").consume()
        t = time.perf_counter()
        for n in node_list:
            s.execute_write(lambda tx, n=n: tx.run("MERGE (x:BenchNaive {id: $id}) SET x.name = $name, "
                                                   "x.category = $cat", id=n.id, name=n.name, cat=n.category).consume())
        t_nodes = time.perf_counter() - t
        t = time.perf_counter()
        for e in edges:
            s.execute_write(lambda tx, e=e: tx.run(
                "MATCH (a:BenchNaive {id: $s}), (b:BenchNaive {id: $o}) MERGE (a)-[r:NAIVE {key: $k}]->(b) "
                "SET r.predicate = $p, r.sign = $sign", s=e.subject, o=e.object, k=e.key, p=e.predicate,
                sign=e.sign).consume())
        t_edges = time.perf_counter() - t
        s.run("MATCH (n:BenchNaive) DETACH DELETE n").consume()
        s.run("DROP INDEX bench_naive_id IF EXISTS").consume()
    return {"sample_nodes": len(node_list), "sample_edges": len(edges),
            "nodes_per_s": round(len(node_list) / t_nodes, 1) if t_nodes else None,
            "edges_per_s": round(len(edges) / t_edges, 1) if t_edges else None}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=None, help="shared/data directory (default <repo>/../shared/data)")
    ap.add_argument("--sample", type=int, default=2000, help="rows written one per transaction by the baseline")
    ap.add_argument("--batch-size", type=int, default=5000)
    args = ap.parse_args()
    password = os.environ.get("NEO4J_PASSWORD")
    if not password or len(password) < 8:
        sys.exit("error: export NEO4J_PASSWORD (8+ characters) first")
    port = int(os.environ.get("KG_BENCH_NEO4J_PORT", "7712"))
    base = Settings.from_env()
    home = Path(os.environ.get("KG_BENCH_NEO4J_HOME") or base.home / "bench-neo4j-full")
    was_running = neo4j_server.status(home, bolt_port=port)["running"]
    info = neo4j_server.start(home, bolt_port=port, password=password)
    try:
        from kg.store.base import StoreError
        from kg.store.neo4j import Neo4jStore

        t = time.perf_counter()
        loads = collect("full", args.shared)
        t_collect = time.perf_counter() - t
        settings = base.with_(store="neo4j", neo4j_uri=info["uri"], neo4j_password=password)
        store = Neo4jStore.from_settings(settings)
        store.clear()
        written = {"records": 0, "last": 0.0}

        def progress(n: int) -> None:  # the time of the last batch = end of the upserts, before belief
            written["records"] += n
            written["last"] = time.perf_counter()

        t = time.perf_counter()
        error = None
        try:
            load(store, loads, batch_size=args.batch_size, progress=progress)
        except StoreError as exc:  # record how far the load got instead of losing the run
            error = str(exc)
        t_load = time.perf_counter() - t
        t_upserts = (written["last"] - t) if written["last"] else None
        stats = store.stats()
        naive = naive_rows_per_s(store.driver, loads, args.sample)
        store.close()
    finally:
        if not was_running:
            neo4j_server.stop(home)
    n_nodes = sum(len(sl.nodes) for sl in loads)
    n_edges = sum(len(sl.edges) for sl in loads)
    n_evidence = sum(len(sl.evidence) for sl in loads)
    result = {
        "bench": "full_profile_bench",
        "when": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "shared": str(args.shared or shared_data_dir()),
        "sources": len(loads),
        "records": {"nodes": n_nodes, "edges": n_edges, "evidence": n_evidence},
        "graph": {"nodes": stats["nodes"], "edges": stats["edges"], "evidence": stats.get("evidence")},
        "collect_s": round(t_collect, 1),
        "load_s": round(t_load, 1),
        "upserts_s": round(t_upserts, 1) if t_upserts else None,
        "error": error,
        "loader": {"nodes_per_s": round(n_nodes / t_load, 1) if not error else None,
                   "edges_per_s": round(n_edges / t_load, 1) if not error else None,
                   "upsert_edges_per_s": round(n_edges / t_upserts, 1) if t_upserts else None,
                   "note": "whole load incl. evidence and belief assembly; batch size " + str(args.batch_size)},
        "baseline": {**naive, "what": BASELINE},
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }
    line = json.dumps(result)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(line + "\n", encoding="utf-8")
    print(line)


if __name__ == "__main__":
    main()
