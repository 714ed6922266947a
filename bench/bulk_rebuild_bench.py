"""Bulk rebuild benchmark: a whole build into the local Neo4j through neo4j-admin import vs online.

Both sides rebuild the same sources (``kg.pipeline.build.collect``, read once) with
``kg.pipeline.load.rebuild(..., fresh=True)`` into the same local Neo4j 5.26, as ``kg build --fresh``
does:

- **bulk**: the store of the project-launched server (``LocalNeo4jStore``): final rows written as
  CSV, ``neo4j-admin database import full`` beside the live database, stop, swap, start,
  constraints and indexes after (``ensure_schema``), then the few values CSV cannot carry; the
  build marker and content hash as the online build writes them. Timed per step.
- **baseline**: the online rebuild on the same server (a plain ``Neo4jStore``): clear, batched
  ``UNWIND`` upserts (``kg.pipeline.load.load``), prune, content hash.

The two graphs must be equal (content hash and counts), or the script fails. Prints one JSON line
and writes it to ``bench/results/bulk_rebuild_bench-<profile>.json``.

Usage::

    NEO4J_PASSWORD=… python bench/bulk_rebuild_bench.py                      # default profile
    NEO4J_PASSWORD=… python bench/bulk_rebuild_bench.py --profile full --shared /work/shared/data

Environment: ``NEO4J_PASSWORD`` (8+ characters), ``KG_BENCH_NEO4J_PORT`` (default 7712),
``KG_BENCH_HOME`` (default ``$KG_HOME/bench-bulk``; the server lives in its ``neo4j`` folder).
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from load_bench import peak_rss_mb, server_peak_rss_mb  # noqa: E402

from kg.pipeline.build import collect  # noqa: E402
from kg.pipeline.load import rebuild  # noqa: E402
from kg.store import neo4j_server  # noqa: E402
from kg.store.neo4j import Neo4jStore  # noqa: E402
from kg.store.neo4j_import import LocalNeo4jStore, open_neo4j  # noqa: E402
from kg.store.settings import Settings  # noqa: E402
from kg.store.version import content_hash  # noqa: E402


def _timed_rebuild(store: Neo4jStore, loads: list) -> tuple[float, str, dict[str, Any]]:
    t0 = time.perf_counter()
    rebuild(store, loads, fresh=True)
    seconds = time.perf_counter() - t0
    st = store.stats()
    return round(seconds, 1), content_hash(store), {k: st[k] for k in ("nodes", "edges", "evidence")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="default")
    ap.add_argument("--shared", type=Path, default=None, help="data directory of the full profile")
    ap.add_argument("--port", type=int, default=int(os.environ.get("KG_BENCH_NEO4J_PORT", "7712")))
    args = ap.parse_args()
    password = os.environ.get("NEO4J_PASSWORD")
    if not password:
        raise SystemExit("set NEO4J_PASSWORD (8+ characters) for the benchmark's local Neo4j")
    kg_home = Path(os.environ.get("KG_BENCH_HOME") or Settings.from_env().home / "bench-bulk")
    settings = Settings(home=kg_home, store="neo4j", neo4j_uri=f"bolt://127.0.0.1:{args.port}",
                        neo4j_password=password)
    home = settings.neo4j_home
    was_running = neo4j_server.status(home, bolt_port=args.port)["running"]
    neo4j_server.start(home, bolt_port=args.port, password=password)
    try:
        t0 = time.perf_counter()
        loads = collect(args.profile, args.shared)
        collect_s = round(time.perf_counter() - t0, 1)

        local = open_neo4j(settings)
        if not isinstance(local, LocalNeo4jStore):
            raise SystemExit(f"{home} is not the launched server of {settings.neo4j_uri}")
        try:
            bulk_s, bulk_hash, bulk_counts = _timed_rebuild(local, loads)
            steps = dict(local.timings)
        finally:
            local.close()
        online = Neo4jStore.from_settings(settings.with_(home=kg_home / "elsewhere"))  # not local: online
        try:
            online_s, online_hash, online_counts = _timed_rebuild(online, loads)
        finally:
            online.close()
        server_peak = server_peak_rss_mb(neo4j_server.status(home, bolt_port=args.port)["pid"])
    finally:
        if not was_running:
            neo4j_server.stop(home)
    if (bulk_hash, bulk_counts) != (online_hash, online_counts):
        raise SystemExit(f"bulk and online graphs differ: {bulk_counts} {bulk_hash} vs {online_counts} {online_hash}")
    out = {
        "bench": "bulk_rebuild_bench", "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
        "neo4j": "5.26 community (kg.store.neo4j_server)", "profile": args.profile,
        "shared": str(args.shared) if args.shared else None, "graph": bulk_counts, "content_hash": bulk_hash,
        "collect_s": collect_s,
        "bulk": {"seconds": bulk_s, "steps_s": steps,
                 "what": "rebuild(fresh=True) on LocalNeo4jStore: final rows -> Parquet -> neo4j-admin database "
                         "import full --input-type=parquet beside the live db -> stop, journalled swap, start -> "
                         "ensure_schema (constraints and indexes after; empty strings the importer drops); build "
                         "marker and hash included"},
        "baseline": {"seconds": online_s,
                     "what": "rebuild(fresh=True) on a plain Neo4jStore over Bolt: clear, batched UNWIND upserts "
                             "(kg.pipeline.load.load, belief included), prune, content hash"},
        "speedup": round(online_s / bulk_s, 2),
        "same_graph": True,
        "peak_rss_mb": peak_rss_mb(), "neo4j_server_peak_rss_mb": server_peak,
    }
    line = json.dumps(out)
    results = ROOT / "bench" / "results" / f"bulk_rebuild_bench-{args.profile}.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    results.write_text(line + "\n")
    sys.stdout.write(line + "\n")


if __name__ == "__main__":
    main()
