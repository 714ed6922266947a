"""Path-query benchmark: the path engine on both stores against naive path enumeration.

For each graph — (a) the default (shipped) build, (b) the ``full`` profile when ``kg.pipeline.build``
has one, (c) a deterministic scale-free-ish synthetic graph (``--synthetic-edges``, default
1,000,000) — it loads the graph into the embedded store and into Neo4j (load times reported
separately), then times a fixed set of queries (k = 10, at most 4 hops) on both stores and
reports p50/p95 latency. In the same run, on the same graph and endpoints, it times the naive
alternatives, each with a timeout so the bench always finishes:

- Cypher variable-length enumeration, ``MATCH p = (a)-[*1..4]->(b) … RETURN p LIMIT <cap>``
  (transaction timeout ``--naive-timeout``; MEMBER_OF excluded so module hubs do not dominate);
- networkx ``all_simple_paths(G, source, targets, cutoff=4)`` over the same edges (stopped at
  the same timeout and the same cap).

The engine's answers on the two stores are compared (node sequences and scores) and the result
is reported as ``identical_answers``.

Usage::

    NEO4J_PASSWORD=choose-a-password python bench/path_bench.py              # full run (1M edges)
    NEO4J_PASSWORD=… python bench/path_bench.py --synthetic-edges 100000 --runs 3

Environment: ``NEO4J_PASSWORD`` (required, 8+ characters), ``KG_BENCH_NEO4J_PORT`` (default
7716), ``KG_BENCH_NEO4J_HOME`` (default ``$KG_HOME/bench-paths-neo4j``). Prints one JSON line
and writes it to ``bench/results/path_bench.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import networkx as nx  # noqa: E402

from kg.query.paths import find_paths, load_path_config  # noqa: E402
from kg.query.resolve import resolve_entity  # noqa: E402
from kg.records.model import Edge, Node  # noqa: E402
from kg.store import neo4j_server  # noqa: E402
from kg.store.settings import Settings  # noqa: E402
from ontology import load_ontology  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "path_bench.json"
SEED = 20261125
K, MAX_HOPS = 10, 4
DEFAULT_QUERIES = [
    ("Decompression", "NP resorption"), ("Bone bioactive factors", "Matrix degradation"),
    ("Inflammation", "Matrix degradation"), ("Integrin signalling", "NP resorption"),
    ("Neovascularisation", "NP resorption"), ("RI-LDH", "NP resorption"),
    ("TNF", "MMP3"), ("TNF", "Matrix degradation"),
]
SYN_PREDICATES = [("activates", 1), ("inhibits", -1), ("upregulates_expression", 1),
                  ("downregulates_expression", -1), ("promotes", 1), ("increases", 1), ("decreases", -1)]


# -- graphs ------------------------------------------------------------------------------------
def synthetic(n_edges: int, m: int = 5, seed: int = SEED) -> tuple[list[Node], list[Edge]]:
    """Preferential attachment (Barabási–Albert-like, directed at random): hubs like TNF/TP53.

    Every new node links to ``m`` distinct earlier nodes picked in proportion to their degree.
    Deterministic for a seed; ids ``SYN:<i>``; belief, sign and predicate drawn from the seed.
    """
    rng = random.Random(seed)
    n_nodes = n_edges // m + m
    nodes = [Node(f"SYN:{i}", "gene", f"S{i}") for i in range(n_nodes)]
    repeated = list(range(m))
    edges: list[Edge] = []
    for new in range(m, n_nodes):
        targets: set[int] = set()
        while len(targets) < m:
            targets.add(repeated[rng.randrange(len(repeated))] if rng.random() < 0.9 else rng.randrange(new))
        for old in sorted(targets):
            pred, sign = SYN_PREDICATES[rng.randrange(len(SYN_PREDICATES))]
            s, o = (new, old) if rng.random() < 0.5 else (old, new)
            belief = round(0.3 + 0.69 * rng.random(), 4)
            edges.append(Edge(f"SYN:{s}", pred, f"SYN:{o}", sign, (
                ("belief", belief), ("contested", False), ("designs", ["in_vitro"]), ("n_papers", 1),
                ("sources", ["synthetic"]), ("species", ["human"]))))
            repeated += [new, old]
        if len(edges) >= n_edges:
            break
    return nodes[: new + 1], edges[:n_edges]


def synthetic_queries(store, n_nodes: int, n: int = 4, seed: int = SEED) -> list[tuple[str, str]]:
    """Fixed endpoint pairs drawn with the seed: ``n`` between mid-degree nodes (8-40 edges), which
    the hubs connect sparsely, and ``n`` between high-degree nodes (100-3000 edges), which explode."""
    rng = random.Random(seed + 1)
    mid_ids = [f"SYN:{i}" for i in sorted(rng.sample(range(n_nodes // 100, n_nodes), 400))]
    high_ids = [f"SYN:{i}" for i in sorted(rng.sample(range(5, min(n_nodes, 3000)), 400))]
    deg = store.degrees(mid_ids + high_ids)
    mid = [i for i in mid_ids if 8 <= deg[i] <= 40]
    high = [i for i in high_ids if 100 <= deg[i] <= 3000]
    return [(mid[2 * j], mid[2 * j + 1]) for j in range(n)] + [(high[2 * j], high[2 * j + 1]) for j in range(n)]


def load_in_batches(store, nodes: list[Node], edges: list[Edge], batch: int) -> float:
    t0 = time.perf_counter()
    for i in range(0, len(nodes), batch):
        store.upsert(nodes[i:i + batch], [], [])
    for i in range(0, len(edges), batch):
        store.upsert([], edges[i:i + batch], [])
    return round(time.perf_counter() - t0, 2)


def bulk_load_neo4j(neo, nodes: list[Node], edges: list[Edge], batch: int) -> float:
    """Fastest correct load into an EMPTY Neo4j: ``UNWIND … CREATE`` with the store's own property
    encoding, labels and relationship types (the synthetic keys are unique, so MERGE is not needed)."""
    from kg.store.neo4j import encode_row

    onto = load_ontology()
    t0 = time.perf_counter()
    with neo.driver.session(database=neo.database) as session:
        for i in range(0, len(nodes), batch):
            by_label: dict[str, list] = {}
            for n in nodes[i:i + batch]:
                by_label.setdefault(onto.categories[n.category].label, []).append(encode_row(n.to_dict()))
            for label, rows in sorted(by_label.items()):
                session.run(f"UNWIND $rows AS r CREATE (n:Entity:`{label}`) SET n = r", rows=rows).consume()
        for i in range(0, len(edges), batch):
            by_type: dict[str, list] = {}
            for e in edges[i:i + batch]:
                r = e.to_dict()
                by_type.setdefault(onto.predicates[e.predicate].label, []).append(
                    {"s": r["subject"], "o": r["object"], "props": encode_row(r, nullable=("belief",))})
            for t, rows in sorted(by_type.items()):
                session.run(f"UNWIND $rows AS r MATCH (s:Entity {{id: r.s}}) MATCH (o:Entity {{id: r.o}}) "
                            f"CREATE (s)-[x:`{t}`]->(o) SET x = r.props", rows=rows).consume()
    return round(time.perf_counter() - t0, 2)


# -- measurements -------------------------------------------------------------------------------
def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return round(v[min(len(v) - 1, int(round(q * (len(v) - 1))))], 2)


def time_engine(store, queries: list[tuple[str, str]], runs: int) -> tuple[dict[str, Any], dict]:
    """Latency of find_paths (k = 10, <= 4 hops) per query; first run of each query is a warm-up."""
    samples, per_query, answers = [], {}, {}
    for src, tgt in queries:
        times, res = [], None
        for r in range(runs + 1):
            t0 = time.perf_counter()
            res = find_paths(store, src, tgt, k=K, max_hops=MAX_HOPS)
            dt = (time.perf_counter() - t0) * 1000
            if r:
                times.append(dt)
        samples += times
        per_query[f"{src} -> {tgt}"] = {"median_ms": round(statistics.median(times), 2), "paths": len(res.paths),
                                        "candidates": res.n_candidates, "truncated": res.truncated,
                                        "reason": res.reason}
        answers[(src, tgt)] = [(p.nodes, round(p.score, 9)) for p in res.paths]
    return {"p50_ms": pct(samples, 0.5), "p95_ms": pct(samples, 0.95), "samples": len(samples),
            "per_query": per_query}, answers


def endpoint_ids(store, text: str) -> list[str]:
    return sorted(resolve_entity(store, text).ids())


def cypher_naive(neo, queries, ends: dict, timeout: float, cap: int) -> dict[str, Any]:
    import neo4j as driver_mod

    onto = load_ontology()
    types = "|".join(p.label for k, p in sorted(onto.predicates.items()) if k != "member_of")
    cy = (f"MATCH p = (a:Entity)-[:{types}*1..{MAX_HOPS}]->(b:Entity) "
          f"WHERE a.id IN $src AND b.id IN $tgt RETURN p LIMIT $cap")
    out, times = {}, []
    for src, tgt in queries:
        @driver_mod.unit_of_work(timeout=timeout)
        def work(tx):
            return sum(1 for _ in tx.run(cy, src=ends[src], tgt=ends[tgt], cap=cap))

        t0 = time.perf_counter()
        try:
            with neo.driver.session(database=neo.database) as session:
                n, status = session.execute_read(work), "ok"
        except Exception as exc:  # noqa: BLE001 - a timeout is a result here
            n, status = None, "timeout" if "imeout" in str(exc) or "erminated" in str(exc) else f"error: {exc}"
        dt = (time.perf_counter() - t0) * 1000
        times.append(dt)
        out[f"{src} -> {tgt}"] = {"ms": round(dt, 1), "paths": n, "status": status}
    return {"query": cy.replace("$cap", str(cap)), "timeout_s": timeout, "p50_ms": pct(times, 0.5),
            "p95_ms": pct(times, 0.95), "per_query": out}


def networkx_naive(g: nx.DiGraph, queries, ends: dict, timeout: float, cap: int) -> dict[str, Any]:
    out, times = {}, []
    for src, tgt in queries:
        targets = set(ends[tgt])
        t0, n, status = time.perf_counter(), 0, "ok"
        for s in ends[src]:
            if s not in g:
                continue
            for _ in nx.all_simple_paths(g, s, targets - {s}, cutoff=MAX_HOPS):
                n += 1
                if n >= cap:
                    status = "cap"
                    break
                if n % 64 == 0 and time.perf_counter() - t0 > timeout:
                    status = "timeout"
                    break
            if status != "ok" or time.perf_counter() - t0 > timeout:
                status = status if status != "ok" else "timeout"
                break
        dt = (time.perf_counter() - t0) * 1000
        times.append(dt)
        out[f"{src} -> {tgt}"] = {"ms": round(dt, 1), "paths": n, "status": status}
    return {"call": f"networkx.all_simple_paths(G, s, targets, cutoff={MAX_HOPS}) per source member, MEMBER_OF "
                    f"excluded, stopped at {cap} paths or the timeout", "timeout_s": timeout,
            "p50_ms": pct(times, 0.5), "p95_ms": pct(times, 0.95), "per_query": out}


def mechanism_digraph(edges) -> nx.DiGraph:
    g = nx.DiGraph()
    g.add_edges_from((e["subject"], e["object"]) for e in edges if e["predicate"] != "member_of")
    return g


def bench_graph(name: str, emb, neo, queries, runs: int, naive_timeout: float, load_s: dict) -> dict[str, Any]:
    print(f"[{name}] timing the engine", file=sys.stderr, flush=True)
    stats = emb.stats()
    row: dict[str, Any] = {"nodes": stats["nodes"], "edges": stats["edges"], "load_s": load_s,
                           "queries": [f"{s} -> {t}" for s, t in queries], "k": K, "max_hops": MAX_HOPS}
    row["engine_embedded"], ans_e = time_engine(emb, queries, runs)
    if neo is not None:
        row["engine_neo4j"], ans_n = time_engine(neo, queries, runs)
        row["identical_answers"] = ans_e == ans_n
    cap = load_path_config()["candidate_limit"]
    ends = {t: endpoint_ids(emb, t) for q in queries for t in q}
    print(f"[{name}] naive baselines", file=sys.stderr, flush=True)
    row["naive_networkx"] = networkx_naive(mechanism_digraph(emb.iter_edges()), queries, ends, naive_timeout, cap)
    if neo is not None:
        row["naive_cypher"] = cypher_naive(neo, queries, ends, naive_timeout, cap)
    return row


# -- main ---------------------------------------------------------------------------------------
def open_neo4j(port: int, password: str, home: Path):
    from kg.store.neo4j import Neo4jStore

    info = neo4j_server.start(home, bolt_port=port, password=password,
                             jvm_opts=("-Xms1g", "-Xmx4g", "-XX:+UseG1GC"))
    s = Settings.from_env().with_(store="neo4j", neo4j_uri=info["uri"], neo4j_user=neo4j_server.USER,
                                  neo4j_password=password, neo4j_database="neo4j")
    return Neo4jStore.from_settings(s)


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--synthetic-edges", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per query (after one warm-up)")
    ap.add_argument("--naive-timeout", type=float, default=10.0)
    ap.add_argument("--batch", type=int, default=20000, help="records per upsert for the synthetic load")
    ap.add_argument("--upsert-sample", type=int, default=20000,
                    help="edges re-merged through Neo4jStore.upsert to report its rate")
    ap.add_argument("--no-neo4j", action="store_true", help="embedded store only")
    ap.add_argument("--keep-neo4j", action="store_true", help="leave the bench Neo4j running")
    ap.add_argument("--graphs", default="default,full,synthetic",
                    help="comma-separated subset of default, full, synthetic")
    args = ap.parse_args(argv)

    from kg.pipeline.build import PROFILES, collect
    from kg.pipeline.load import load
    from kg.store.embedded import EmbeddedStore

    neo, started = None, False
    home = Path(os.environ.get("KG_BENCH_NEO4J_HOME", Path(os.environ.get("KG_HOME", "~/.ldh-kg")).expanduser()
                               / "bench-paths-neo4j"))
    port = int(os.environ.get("KG_BENCH_NEO4J_PORT", "7716"))
    if not args.no_neo4j:
        password = os.environ.get("NEO4J_PASSWORD", "")
        if len(password) < 8:
            sys.exit("set NEO4J_PASSWORD (8+ characters) for the bench Neo4j, or pass --no-neo4j")
        started = not neo4j_server.status(home, bolt_port=port)["running"]
        neo = open_neo4j(port, password, home)
    out: dict[str, Any] = {"bench": "path_bench", "date": datetime.now(UTC).isoformat(timespec="seconds"),
                           "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                           "runs_per_query": args.runs, "graphs": {}}
    tmp = Path(tempfile.mkdtemp(prefix="path-bench-"))
    try:
        wanted = set(args.graphs.split(","))
        for profile in ("default", "full"):
            if profile not in wanted:
                continue
            if profile not in PROFILES:
                out["graphs"][profile] = {"available": False, "reason": f"kg.pipeline.build has no '{profile}' profile yet"}
                continue
            print(f"[{profile}] building", file=sys.stderr, flush=True)
            loads = collect(profile, ROOT.parent / "shared" / "data")
            emb = EmbeddedStore(tmp / f"{profile}.json.gz")
            t0 = time.perf_counter()
            load(emb, loads)
            load_s = {"embedded": round(time.perf_counter() - t0, 2)}
            print(f"[{profile}] embedded loaded in {load_s['embedded']} s", file=sys.stderr, flush=True)
            neo_ok = neo
            if neo is not None:
                from kg.store import StoreError

                neo.clear()
                t0 = time.perf_counter()
                try:
                    load(neo, loads)
                    load_s["neo4j"] = round(time.perf_counter() - t0, 2)
                except StoreError as exc:  # report it and measure the embedded store alone
                    load_s["neo4j_error"] = str(exc)
                    neo_ok = None
            out["graphs"][profile] = bench_graph(profile, emb, neo_ok, DEFAULT_QUERIES, args.runs,
                                                 args.naive_timeout, load_s)
            del emb, loads
            write(out)
        if args.synthetic_edges and "synthetic" in wanted:
            print(f"[synthetic] generating {args.synthetic_edges} edges", file=sys.stderr, flush=True)
            nodes, edges = synthetic(args.synthetic_edges)
            emb = EmbeddedStore(tmp / "synthetic.json.gz")
            load_s = {"embedded": load_in_batches(emb, nodes, edges, args.batch)}
            print(f"[synthetic] embedded loaded in {load_s['embedded']} s", file=sys.stderr, flush=True)
            if neo is not None:
                neo.clear()
                sample = min(len(edges), args.upsert_sample)
                neo.clear()
                load_s["neo4j"] = bulk_load_neo4j(neo, nodes, edges, args.batch)
                load_s["neo4j_method"] = (f"UNWIND … CREATE, {args.batch} records per statement, the store's own "
                                          "property encoding (empty database, unique keys)")
                # the store's own upsert (UNWIND … MERGE, all-or-nothing per call): re-merging a sample of
                # the same edges (a no-op by key) gives its rate on a graph of this size
                t0 = time.perf_counter()
                for i in range(0, sample, args.batch):
                    neo.upsert([], edges[i:min(sample, i + args.batch)], [])
                load_s["neo4j_upsert_merge_edges_per_s"] = round(sample / (time.perf_counter() - t0), 1)
                print(f"[synthetic] neo4j loaded in {load_s['neo4j']} s", file=sys.stderr, flush=True)
            n_nodes = len(nodes)
            del nodes, edges
            queries = synthetic_queries(emb, n_nodes)
            out["graphs"]["synthetic"] = bench_graph("synthetic", emb, neo, queries, args.runs, args.naive_timeout,
                                                     load_s)
            out["graphs"]["synthetic"]["generator"] = ("preferential attachment, m = 5, 90% degree-proportional, "
                                                       f"random direction, seed {SEED}")
    finally:
        if neo is not None:
            neo.close()
            if started and not args.keep_neo4j:
                neo4j_server.stop(home)
    print(write(out))
    return out


def write(out: dict[str, Any]) -> str:
    """Write the figures so far (after every graph, so a long run leaves its partial results).

    Graphs measured by an earlier run with ``--graphs`` and not by this one are kept, each with
    the date of its own run.
    """
    for g in out["graphs"].values():
        g.setdefault("measured", out["date"])
    merged = dict(out["graphs"])
    if RESULTS.exists():
        try:
            old = json.loads(RESULTS.read_text(encoding="utf-8"))
        except ValueError:
            old = {}
        for name, g in (old.get("graphs") or {}).items() if old.get("bench") == "path_bench" else ():
            if name not in merged and g.get("available", True):
                merged[name] = g
    line = json.dumps({**out, "graphs": merged}, sort_keys=False)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(line + "\n", encoding="utf-8")
    return line


if __name__ == "__main__":
    main()
