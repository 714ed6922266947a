"""Load benchmark: N synthetic gene–gene edges into Neo4j, the project's loader against plain UNWIND…CREATE.

Both sides write the same records (real HGNC genes as nodes, predicates from the ontology, one
evidence row per edge, citations ``bench:synthetic/<i>`` — never a PMID) into the same local
Neo4j 5.26, with the same constraints in place:

- **loader**: ``kg.pipeline.load.load`` with one ``SourceLoad`` into ``Neo4jStore`` — what ``kg build``
  does: each edge's belief summary computed in Python, then batched ``UNWIND`` writes (existing
  keys looked up, new edges and evidence ``CREATE``d) in one transaction per batch. Run once per
  batch size; every figure includes nodes, evidence and belief.
- **baseline** (the fair one): the fastest plain Cypher write into an EMPTY store, with the same
  constraints in place — the final rows (``kg.pipeline.load.final_rows``, summaries computed before the
  clock starts) encoded as the store encodes them and written with ``UNWIND $rows … CREATE``: nodes per
  label, then per batch one statement per relationship type (``MATCH`` both ends by id, ``CREATE``) and
  one ``CREATE`` of the evidence, one transaction per batch; no key lookups, no idempotence (a second run
  would duplicate everything). Same batch sizes as the loader.
- **floor** (what the server alone can do here): the same ``MATCH``-both-ends ``CREATE`` per type, but
  each relationship carries only its ``key`` and no evidence is written; the server's CPU seconds
  (from ``/proc``) are reported beside the wall time, so a target above this line is above what
  Neo4j Community's Cypher runtime does on this machine, whatever the client sends.
- **py2neo** (a second line, ``--py2neo-edges 0`` skips it): the pattern users reach for first,
  py2neo's ``Graph.merge``/``Graph.create`` per row (one auto-commit transaction per call), on the first
  ``--py2neo-edges`` edges; reported as edges/s only (never extrapolated to a total time).

Each measurement runs in its own child process so its peak RSS is its own. The Neo4j server is
started with ``kg.store.neo4j_server.start`` (and stopped again if this script started it).

Usage::

    NEO4J_PASSWORD=choose-a-password python bench/load_bench.py            # 100,000 edges, 2 runs
    NEO4J_PASSWORD=… python bench/load_bench.py --edges 20000 --runs 1     # quicker

Environment: ``NEO4J_PASSWORD`` (required, 8+ characters), ``KG_BENCH_NEO4J_PORT`` (default
7711), ``KG_BENCH_NEO4J_HOME`` (default ``$KG_HOME/bench-neo4j``). Prints one JSON line and
writes it to ``bench/results/load_bench.json``.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ingest.hgnc import default_resolver  # noqa: E402
from kg.records.model import Edge, Evidence, Provenance  # noqa: E402
from kg.records.sources import SourceLoad, SourceReport, gene_node  # noqa: E402
from kg.store import neo4j_server  # noqa: E402
from kg.store.settings import Settings  # noqa: E402
from ontology import load_ontology  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "load_bench.json"
SEED = 20261125
BASELINE = ("UNWIND $rows ... CREATE into an empty store, same constraints in place: final rows (belief "
            "summaries computed before the clock) encoded like Neo4jStore, nodes per label, then per batch one "
            "MATCH-both-ends CREATE statement per relationship type and one CREATE of the evidence, one "
            "transaction per batch; no lookups, not idempotent")
FLOOR = ("the baseline's MATCH-both-ends CREATE per relationship type with only the key set and no evidence "
         "written: what the server's Cypher runtime does on this machine with the least possible work per edge")
PY2NEO = ("py2neo 2021.2.4 over Bolt: Graph.merge(subject), Graph.merge(object), Graph.merge(relationship), "
          "Graph.create(evidence) per row, each its own auto-commit transaction; same constraints in place; "
          "no belief assembly")


def peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def synthetic_load(n_edges: int, seed: int = SEED) -> SourceLoad:
    """``n_edges`` distinct gene–gene edges over n_edges/5 real HGNC genes, one evidence each.

    Subjects are drawn with a skew (a few hub genes, as in real signalling graphs).
    """
    rng = random.Random(seed)
    resolver = default_resolver()
    onto = load_ontology()
    preds = [p for p in onto.predicates.values()
             if p.key != "member_of" and (p.domain is None or "gene" in p.domain)
             and (p.range is None or "gene" in p.range)]
    ids = rng.sample(sorted(resolver.genes), max(50, n_edges // 5))
    cum = list(itertools.accumulate(1.0 / (rank + 1) ** 0.6 for rank in range(len(ids))))
    sl = SourceLoad(Provenance("bench", f"synthetic-{n_edges}-{seed}", "synthetic, no licence needed"),
                    SourceReport("bench", "synthetic"), onto, params={"edges": n_edges, "seed": seed})
    for i, gid in enumerate(ids):
        sl.add_row(f"synthetic:node{i}", [gene_node(resolver, gid, "bench")], [], [])
    designs = ("in_vitro", "in_vivo", "clinical", "ex_vivo")
    seen: set[str] = set()
    i = 0
    while len(seen) < n_edges:
        s = rng.choices(ids, cum_weights=cum)[0]
        o = rng.choice(ids)
        p = rng.choice(preds)
        e = Edge(s, p.key, o, p.polarity or rng.choice(p.allowed_signs()))
        if s == o or e.key in seen:
            continue
        seen.add(e.key)
        ev = Evidence(e.key, "bench", f"bench:synthetic/{i}", f"Synthetic sentence {i}.", None, "bench",
                      (("design", designs[i % 4]), ("species", "human")), (), e.sign, 2000 + i % 25)
        sl.add_row(f"synthetic:edge{i}", [], [e], [ev])
        i += 1
    assert sl.report.reconciles() and not sl.report.rejected, sl.report.rejected[:3]
    return sl


def settings_for(port: int, password: str) -> Settings:
    return Settings.from_env().with_(store="neo4j", neo4j_uri=f"bolt://127.0.0.1:{port}",
                                     neo4j_user=neo4j_server.USER, neo4j_password=password, neo4j_database="neo4j")


# -- child processes: one measurement each -------------------------------------------------

def run_loader(n_edges: int, batch: int, settings: Settings) -> dict[str, Any]:
    from kg.pipeline.load import load
    from kg.store.neo4j import Neo4jStore

    sl = synthetic_load(n_edges)
    store = Neo4jStore.from_settings(settings)
    store.clear()
    rss_before = peak_rss_mb()
    marks: list[float] = []
    t0 = time.perf_counter()
    load(store, [sl], batch_size=batch, progress=lambda n: marks.append(time.perf_counter()))
    t1 = time.perf_counter()
    st = store.stats()
    store.close()
    assert st["edges"] == n_edges and st["evidence"] == n_edges and st["nodes"] == len(sl.nodes), st
    return {"batch_size": batch, "edges_per_s": round(n_edges / (t1 - t0)),
            "write_edges_per_s": round(n_edges / (marks[-1] - t0)), "seconds": round(t1 - t0, 2),
            "write_seconds": round(marks[-1] - t0, 2), "belief_seconds": round(t1 - marks[-1], 2),
            "rss_before_load_mb": rss_before, "peak_rss_mb": peak_rss_mb()}


def server_cpu_s(pid: int | None) -> float | None:
    """User + system CPU seconds of process ``pid`` so far (``/proc/<pid>/stat``), None when unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def run_create(n_edges: int, batch: int, settings: Settings, floor: bool = False,
               server_pid: int | None = None) -> dict[str, Any]:
    """The fair baseline: plain ``UNWIND … CREATE`` of the final rows into an empty store.

    ``floor``: relationships with their key only, no evidence (the server's own limit).
    """
    from collections import defaultdict

    from kg.pipeline.load import final_rows
    from kg.store.neo4j import Neo4jStore, encode_row

    sl = synthetic_load(n_edges)
    nodes, edges, evidence = final_rows([sl])
    store = Neo4jStore.from_settings(settings)  # same constraints as the loader run
    store.clear()
    by_label: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for n in nodes.values():
        by_label[store._label(n["category"])].append(encode_row(n))
    edge_rows = sorted(edges.values(), key=lambda e: e["key"])
    ev_of: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for v in evidence.values():
        ev_of[v["edge_key"]].append(v)
    rss_before = peak_rss_mb()
    cpu0 = server_cpu_s(server_pid)
    t0 = time.perf_counter()
    set_props = "SET x.key = r.p.key" if floor else "SET x = r.p"
    with store.driver.session(database=store.database) as session:
        for label, rows in sorted(by_label.items()):
            session.execute_write(lambda tx, label=label, rows=rows: tx.run(
                f"UNWIND $rows AS r CREATE (n:Entity:`{label}`) SET n = r", rows=rows).consume())
        for i in range(0, len(edge_rows), batch):
            part = edge_rows[i:i + batch]

            def work(tx: Any, part: list[dict[str, Any]] = part) -> None:
                by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
                for e in part:
                    props = {k: x for k, x in encode_row(e, nullable=("belief",)).items() if x is not None}
                    by_type[store._type(e["predicate"])].append({"s": e["subject"], "o": e["object"], "p": props})
                for t, rows in sorted(by_type.items()):
                    tx.run(f"UNWIND $rows AS r MATCH (s:Entity {{id: r.s}}) MATCH (o:Entity {{id: r.o}}) "
                           f"CREATE (s)-[x:`{t}`]->(o) {set_props}", rows=rows).consume()
                if floor:
                    return
                ev = [encode_row(v, nullable=("offsets", "year"), json_fields=("context",))
                      for e in part for v in ev_of[e["key"]]]
                tx.run("UNWIND $rows AS r CREATE (v:Evidence) SET v = r", rows=ev).consume()

            session.execute_write(work)
    t1 = time.perf_counter()
    cpu1 = server_cpu_s(server_pid)
    st = store.stats()
    store.close()
    assert st["edges"] == n_edges and st["evidence"] == (0 if floor else n_edges) and st["nodes"] == len(nodes), st
    return {"batch_size": batch, "edges_per_s": round(n_edges / (t1 - t0)), "seconds": round(t1 - t0, 2),
            "server_cpu_s": round(cpu1 - cpu0, 2) if cpu0 is not None and cpu1 is not None else None,
            "rss_before_load_mb": rss_before, "peak_rss_mb": peak_rss_mb()}


def run_py2neo(n_edges: int, subset: int, settings: Settings) -> dict[str, Any]:
    from py2neo import Graph, Relationship
    from py2neo import Node as PNode

    from kg.store.neo4j import Neo4jStore

    sl = synthetic_load(n_edges)
    store = Neo4jStore.from_settings(settings)  # same constraints as the loader run
    store.clear()
    store.close()
    onto = load_ontology()
    graph = Graph(settings.neo4j_uri, auth=(settings.neo4j_user, settings.neo4j_password), name="neo4j")
    edges = sorted(sl.edges.values(), key=lambda e: e.key)[:subset]
    ev_of = {v.edge_key: v for v in sl.evidence.values()}
    rss_before = peak_rss_mb()
    t0 = time.perf_counter()
    for e in edges:
        ends = []
        for nid in (e.subject, e.object):
            n = sl.nodes[nid]
            node = PNode("Entity", onto.categories[n.category].label, id=n.id, category=n.category, name=n.name,
                         synonyms=list(n.synonyms), xrefs=list(n.xrefs), source=n.source)
            graph.merge(node, "Entity", "id")
            ends.append(node)
        graph.merge(Relationship(ends[0], onto.predicates[e.predicate].label, ends[1], key=e.key,
                                 subject=e.subject, predicate=e.predicate, object=e.object, sign=e.sign))
        v = ev_of[e.key].to_dict()
        v["context"] = json.dumps(v["context"])
        graph.create(PNode("Evidence", **{k: x for k, x in v.items() if x is not None}))
    t1 = time.perf_counter()
    n_rel = graph.run("MATCH ()-[x]->() RETURN count(x) AS n").evaluate()
    assert n_rel == len(edges), n_rel
    return {"edges": len(edges), "edges_per_s": round(len(edges) / (t1 - t0)), "seconds": round(t1 - t0, 2),
            "rss_before_load_mb": rss_before, "peak_rss_mb": peak_rss_mb()}


def child(args: argparse.Namespace, settings: Settings) -> None:
    if args.child == "loader":
        out = run_loader(args.edges, args.batch, settings)
    elif args.child in ("create", "floor"):
        out = run_create(args.edges, args.batch, settings, floor=args.child == "floor", server_pid=args.server_pid)
    else:
        out = run_py2neo(args.edges, args.py2neo_edges, settings)
    sys.stdout.write(json.dumps(out) + "\n")


def measure(kind: str, args: argparse.Namespace, batch: int = 0) -> dict[str, Any]:
    cmd = [sys.executable, __file__, "--child", kind, "--edges", str(args.edges), "--batch", str(batch),
           "--py2neo-edges", str(args.py2neo_edges), "--port", str(args.port),
           "--server-pid", str(args.server_pid or 0)]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=os.environ.copy())
    if proc.returncode != 0:
        raise SystemExit(f"{kind} run failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def server_peak_rss_mb(pid: int | None) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except (OSError, ValueError):
        pass
    return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--edges", type=int, default=100_000)
    ap.add_argument("--py2neo-edges", type=int, default=5_000, help="py2neo per-row line on this many edges (0: skip)")
    ap.add_argument("--batch-sizes", default="5000,10000,20000")
    ap.add_argument("--runs", type=int, default=2, help="repeat everything (the machine is shared)")
    ap.add_argument("--port", type=int, default=int(os.environ.get("KG_BENCH_NEO4J_PORT", "7711")))
    ap.add_argument("--child", choices=("loader", "create", "floor", "py2neo"), help=argparse.SUPPRESS)
    ap.add_argument("--server-pid", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--batch", type=int, default=10_000, help=argparse.SUPPRESS)
    args = ap.parse_args()
    password = os.environ.get("NEO4J_PASSWORD")
    if not password:
        raise SystemExit("set NEO4J_PASSWORD (8+ characters) for the benchmark's local Neo4j")
    settings = settings_for(args.port, password)
    if args.child:
        child(args, settings)
        return

    home = Path(os.environ.get("KG_BENCH_NEO4J_HOME") or Settings.from_env().home / "bench-neo4j")
    was_running = neo4j_server.status(home, bolt_port=args.port)["running"]
    server = neo4j_server.start(home, bolt_port=args.port, password=password)
    args.server_pid = server["pid"]
    try:
        runs = []
        for _ in range(args.runs):
            loader, baseline, floor = [], [], []
            for b in args.batch_sizes.split(","):  # side by side: loader, baseline, floor, per batch size
                loader.append(measure("loader", args, int(b)))
                baseline.append(measure("create", args, int(b)))
                floor.append(measure("floor", args, int(b)))
            py2neo = measure("py2neo", args) if args.py2neo_edges else None
            best = max(loader, key=lambda r: r["edges_per_s"])
            best_base = max(baseline, key=lambda r: r["edges_per_s"])
            runs.append({"loader": loader, "baseline": baseline, "floor": floor, "py2neo": py2neo,
                         "loader_over_baseline": round(best["edges_per_s"] / best_base["edges_per_s"], 2),
                         "speedup_over_py2neo": round(best["edges_per_s"] / py2neo["edges_per_s"], 1)
                         if py2neo else None})
        server_peak = server_peak_rss_mb(server["pid"])
    finally:
        if not was_running:
            neo4j_server.stop(home)
    best_all = [max(r["loader"], key=lambda x: x["edges_per_s"]) for r in runs]
    best_base = [max(r["baseline"], key=lambda x: x["edges_per_s"]) for r in runs]
    best_floor = [max(r["floor"], key=lambda x: x["edges_per_s"]) for r in runs]
    out = {
        "bench": "load_bench", "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "cpus": os.cpu_count(), "neo4j": "5.26 community (kg.store.neo4j_server)",
        "edges": args.edges, "nodes": max(50, args.edges // 5), "evidence": args.edges,
        "loader": "kg.pipeline.load.load (belief summaries computed in Python) -> Neo4jStore.upsert (UNWIND "
                  "per label/type: key lookups, CREATE new edges/evidence, SET existing; one transaction per batch)",
        "baseline": BASELINE,
        "py2neo": PY2NEO,
        "py2neo_note": f"py2neo run on the first {args.py2neo_edges} edges; only its edges/s is comparable",
        "runs": runs,
        "loader_edges_per_s": [b["edges_per_s"] for b in best_all],
        "loader_best_batch_size": [b["batch_size"] for b in best_all],
        "baseline_edges_per_s": [b["edges_per_s"] for b in best_base],
        "baseline_best_batch_size": [b["batch_size"] for b in best_base],
        "floor": FLOOR,
        "floor_edges_per_s": [b["edges_per_s"] for b in best_floor],
        "floor_server_cpu_us_per_edge": [round(1e6 * b["server_cpu_s"] / args.edges) if b["server_cpu_s"] else None
                                         for b in best_floor],
        "py2neo_edges_per_s": [r["py2neo"]["edges_per_s"] if r["py2neo"] else None for r in runs],
        "target_edges_per_s": 20_000,
        "neo4j_server_peak_rss_mb": server_peak,
    }
    line = json.dumps(out)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(line + "\n")
    sys.stdout.write(line + "\n")


if __name__ == "__main__":
    main()
