"""The embedded stores side by side on one build: rebuild, query-process memory and open time, path queries.

    python bench/store_bench.py --profile full --shared ../shared/data [--baseline]

Builds the profile once (``collect``), then
- **rebuild**: LadybugDB's bulk path (:func:`kg.pipeline.load.bulk_load`: final rows, Parquet, ``COPY``,
  swap) and, with ``--baseline``, the networkx file store's rebuild (the old default) on the same loads;
- **query process**: a fresh Python process opens each store (LadybugDB read-only) and answers one path
  query; its wall time to the first answer and its peak RSS;
- **paths**: k = 10, ≤ 4 hops, over the 20 module pairs the mechanism suite checks, p50/p95 per store:
  the engine as a long-lived process runs it (the walkable projection read once, then every query),
  with the projection read and the first query reported apart; side by side in the same run, the
  engine before the projection (``--old-ref``, per-level ``edges_of`` reads, on ``--old-pairs`` pairs)
  and the naive single variable-length Cypher query on LadybugDB (acyclic paths over non-membership
  relationships, returning ids only). The answers of the new and old engines are compared.

With ``--synthetic N`` the graph is instead a deterministic preferential-attachment graph of N
edges (``bench/path_bench.py``'s generator, hubs like TNF's), bulk-loaded into LadybugDB, with its
fixed endpoint pairs (mid-degree and hub pairs). With ``--neo4j`` the same path queries also run on
the Neo4j server of ``NEO4J_URI``/``NEO4J_USER``/``NEO4J_PASSWORD``, which must hold the same build
(``KG_STORE=neo4j kg build …``; node and edge counts are checked), and the answers are compared.

Writes bench/results/store-<profile>.json (``store-synthetic-<N>.json``).
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.kg.query.test_mechanism import PAIRS  # noqa: E402 - the same 20 pairs the suite checks

FIRST_ANSWER = textwrap.dedent("""
    import json, sys, time
    t0 = time.monotonic()
    kind, path, (a, b), (c, d) = sys.argv[1], sys.argv[2], sys.argv[3:5], sys.argv[5:7]
    if kind == "ladybug":
        from kg.store.ladybugdb import LadybugStore
        store = LadybugStore(path, read_only=True)  # as the app opens it
    else:
        from kg.store.embedded import EmbeddedStore
        store = EmbeddedStore(path)
    from kg.query.paths import find_paths
    from kg.query.projection import cached
    res = find_paths(store, a, b, k=10, graph=cached(store))  # as the app asks: one projection per version
    t1 = time.monotonic()
    res = find_paths(store, c, d, k=10, graph=cached(store))
    # VmHWM, not ru_maxrss: Linux keeps ru_maxrss across execve, so a child would report its parent's peak
    hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
    print(json.dumps({"first_answer_s": round(t1 - t0, 2), "second_answer_s": round(time.monotonic() - t1, 3),
                      "paths": len(res.paths), "peak_rss_mb": hwm // 1024}))
""")


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return round(xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))] * 1000, 1)


OLD_REF = "911a00c"  # the engine before the projection: per-level edges_of reads, eager best-first


def old_engine(ref: str):
    """``kg.query.paths`` as it was at ``ref`` (its imports still resolve), as a module."""
    import types

    src = subprocess.run(["git", "show", f"{ref}:kg/query/paths.py"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    mod = types.ModuleType(f"old_paths_{ref}")
    sys.modules[mod.__name__] = mod  # dataclasses look their module up while the class is made
    exec(compile(src, f"{ref}:kg/query/paths.py", "exec"), mod.__dict__)  # noqa: S102 - our own history
    return mod


def answers(res) -> list:
    return [(p.nodes, [e["key"] for e in p.edges], p.sign, round(p.score, 9)) for p in res.paths]


def path_times(store, pairs) -> tuple[dict, dict]:
    """Warm p50/p95 with one projection read per process (reported apart, with the first query)."""
    from kg.query.paths import find_paths
    from kg.query.projection import project

    t0 = time.perf_counter()
    graph = project(store)
    read_s = time.perf_counter() - t0
    times, found, got = [], 0, {}
    for s, t in pairs:
        t0 = time.perf_counter()
        res = find_paths(store, s, t, k=10, max_hops=4, graph=graph)
        times.append(time.perf_counter() - t0)
        found += bool(res.paths)
        got[f"{s} -> {t}"] = answers(res)
    first, warm = times[0], times[1:]  # the first query also builds the adjacency of its filter set
    return ({"projection_read_s": round(read_s, 2), "projection_edges": graph.n_edges,
             "first_query_ms": round(first * 1000, 1), "p50_ms": pct(warm, 0.5), "p95_ms": pct(warm, 0.95),
             "max_ms": pct(warm, 1.0), "timed_queries": len(warm), "pairs_with_paths": found,
             "pairs": len(pairs)}, got)


def old_path_times(store, pairs, ref: str, new_answers: dict) -> dict:
    old = old_engine(ref)
    times, same = [], 0
    for s, t in pairs:
        t0 = time.perf_counter()
        res = old.find_paths(store, s, t, k=10, max_hops=4)
        times.append(time.perf_counter() - t0)
        same += answers(res) == new_answers[f"{s} -> {t}"]
    return {"ref": ref, "p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "pairs": len(pairs),
            "identical_answers": f"{same}/{len(pairs)}"}


def naive_cypher_times(store, pairs) -> dict:
    from kg.query.resolve import resolve_entity

    q = ("MATCH p = (a:Entity)-[r:REL*1..4 (x, n | WHERE x.predicate <> 'member_of')]->(b:Entity) "
         "WHERE a.id IN $src AND b.id IN $dst AND is_acyclic(p) "
         "RETURN properties(nodes(p), 'id'), properties(rels(p), 'key') LIMIT 10")
    times = []
    for s, t in pairs:
        src, dst = sorted(resolve_entity(store, s).ids()), sorted(resolve_entity(store, t).ids())
        t0 = time.perf_counter()
        store.conn.execute(q, {"src": src, "dst": dst}).get_all()
        times.append(time.perf_counter() - t0)
    return {"p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "note": "ids only, no ranking, first 10 rows"}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", default="default")
    ap.add_argument("--shared", default=None)
    ap.add_argument("--baseline", action="store_true", help="also rebuild the networkx file store (slow, GBs)")
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--reuse", action="store_true", help="query the LadybugDB file already in --dir (no rebuild)")
    ap.add_argument("--pairs", type=int, default=len(PAIRS), help="how many of the 20 pairs to time")
    ap.add_argument("--old-ref", default=OLD_REF, help="git commit of the engine before ('' to skip it)")
    ap.add_argument("--old-pairs", type=int, default=len(PAIRS), help="pairs timed on the old engine")
    ap.add_argument("--synthetic", type=int, default=0, help="a synthetic graph of this many edges instead")
    ap.add_argument("--neo4j", action="store_true", help="also time the paths on the Neo4j server of NEO4J_URI")
    a = ap.parse_args(argv)
    from kg.pipeline.build import collect
    from kg.pipeline.load import rebuild
    from kg.store.embedded import EmbeddedStore
    from kg.store.ladybugdb import LadybugStore

    work = a.dir or Path(tempfile.mkdtemp(prefix="store-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    out: dict = {"bench": "store", "profile": a.profile}
    pairs = PAIRS[:a.pairs]
    lb_path = work / "graph.lbug"
    if a.synthetic:
        sys.path.insert(0, str(ROOT / "bench"))
        from path_bench import synthetic, synthetic_queries

        out["profile"] = f"synthetic-{a.synthetic}"
        t0 = time.monotonic()
        nodes, edges = synthetic(a.synthetic)
        for f in (lb_path, lb_path.with_name(lb_path.name + ".wal")):
            f.unlink(missing_ok=True)
        lb = LadybugStore(lb_path, buffer_mb=1024)
        lb.replace_all([n.to_dict() for n in nodes], [e.to_dict() for e in edges], [], [])
        out["rebuild_s"] = {"ladybug_bulk": round(time.monotonic() - t0, 1)}
        pairs = synthetic_queries(lb, len(nodes))
        del nodes, edges
        loads = []
    elif a.reuse:
        lb = LadybugStore(lb_path, read_only=True, buffer_mb=1024)
        loads = []
    else:
        t0 = time.monotonic()
        loads = collect(a.profile, a.shared) if a.shared else collect(a.profile)
        out["collect_s"] = round(time.monotonic() - t0, 1)
        for f in (lb_path, lb_path.with_name(lb_path.name + ".wal")):
            f.unlink(missing_ok=True)
        lb = LadybugStore(lb_path, buffer_mb=1024)
        t0 = time.monotonic()
        rebuild(lb, loads, fresh=True)
        out["rebuild_s"] = {"ladybug_bulk": round(time.monotonic() - t0, 1)}
    out["graph"] = {k: lb.stats()[k] for k in ("nodes", "edges", "evidence")}
    stores = {"ladybug": lb}
    if a.baseline and loads:
        emb_path = work / "graph.json.gz"
        emb_path.unlink(missing_ok=True)
        emb = EmbeddedStore(emb_path)
        t0 = time.monotonic()
        rebuild(emb, loads, fresh=True)
        emb.flush()
        out["rebuild_s"]["networkx_file_upserts"] = round(time.monotonic() - t0, 1)
        stores["networkx"] = emb
    if a.neo4j:
        from kg.store.neo4j import Neo4jStore
        from kg.store.settings import Settings

        neo = Neo4jStore.from_settings(Settings.from_env().with_(store="neo4j"))
        held = {k: neo.stats()[k] for k in ("nodes", "edges")}
        if held != {k: out["graph"][k] for k in ("nodes", "edges")}:
            raise SystemExit(f"the Neo4j server holds {held}, not this build's {out['graph']}: load it first")
        stores["neo4j"] = neo
    out["bench_process_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    del loads
    out["paths"], got = {}, {}
    for name, st in stores.items():
        out["paths"][name], got[name] = path_times(st, pairs)
        if a.old_ref and a.old_pairs > 0:
            out["paths"][f"{name}_engine_before_{a.old_ref}"] = old_path_times(st, pairs[:a.old_pairs], a.old_ref,
                                                                               got[name])
    if len(got) > 1:
        first = next(iter(got.values()))
        out["paths"]["identical_answers_across_stores"] = all(g == first for g in got.values())
    out["paths"]["ladybug_naive_variable_length_cypher"] = naive_cypher_times(lb, pairs)
    lb.close()
    out["query_process"] = {}
    for name, path in (("ladybug", lb_path), ("networkx", work / "graph.json.gz")):
        if name in stores:
            proc = subprocess.run([sys.executable, "-c", FIRST_ANSWER, name, str(path), *pairs[0], *pairs[1]], cwd=ROOT,
                                  capture_output=True, text=True, timeout=1200)
            out["query_process"][name] = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 \
                else {"error": proc.stderr[-800:]}
    res = ROOT / "bench" / "results" / f"store-{out['profile']}{'-query' if a.reuse else ''}.json"
    res.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
