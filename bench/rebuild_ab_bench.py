"""Full rebuild into LadybugDB, this tree against a git ref, one after the other in the same run.

Each side runs in a fresh Python process from its own tree (the ref as a ``git worktree``): read
every source (``collect``), then ``rebuild(fresh=True)`` into an empty LadybugDB file, timed per
phase (final rows: merging and belief; write: Parquet and ``COPY``; hash: the content hash that becomes
the graph version). The sides alternate ``--rounds`` times (A B A B …) so a busy moment of the
machine falls on both, and each side's best round is reported with all rounds. The graphs must be
the same (content hash and counts) or the script fails.

Usage::

    python bench/rebuild_ab_bench.py --profile full --shared ../shared/data --ref main --rounds 2

Writes ``bench/results/rebuild-ab-<profile>.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: One side's rebuild, run in its own tree (only APIs both sides have: collect, rebuild's phase hook).
SIDE = r"""
import json, resource, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, ".")
from kg.pipeline.build import collect
from kg.pipeline.load import rebuild
from kg.store.ladybugdb import LadybugStore

profile, shared = sys.argv[1], sys.argv[2] or None
t0 = time.perf_counter()
loads = collect(profile, Path(shared)) if shared else collect(profile)
marks = {"collect": time.perf_counter() - t0}
store = LadybugStore(Path(tempfile.mkdtemp(prefix="rebuild-ab-")) / "graph.lbug", buffer_mb=1024)
t1 = time.perf_counter()
last = [t1, "final_rows"]
def phase(name):
    now = time.perf_counter()
    marks[last[1]] = now - last[0]
    last[0], last[1] = now, {"writing": "write", "hashing": "hash"}.get(name, name)
report = rebuild(store, loads, fresh=True, phase=phase)
marks[last[1]] = time.perf_counter() - last[0]
marks["rebuild"] = time.perf_counter() - t1
marks["end_to_end"] = time.perf_counter() - t0
st = store.stats()
print(json.dumps({"seconds": {k: round(v, 1) for k, v in marks.items()}, "content": report.content,
                  "graph": {k: st[k] for k in ("nodes", "edges", "evidence")},
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024}))
"""


def run_side(tree: Path, profile: str, shared: str) -> dict:
    proc = subprocess.run([sys.executable, "-c", SIDE, profile, shared], cwd=tree, capture_output=True, text=True,
                          timeout=3600)
    if proc.returncode:
        raise SystemExit(f"rebuild in {tree} failed:\n{proc.stderr[-2000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profile", default="default")
    ap.add_argument("--shared", default="")
    ap.add_argument("--ref", default="main", help="the git ref to compare with (the baseline)")
    ap.add_argument("--rounds", type=int, default=1)
    a = ap.parse_args(argv)
    shared = str(Path(a.shared).resolve()) if a.shared else ""
    base_commit = git("rev-parse", a.ref)
    wt = Path(tempfile.mkdtemp(prefix="rebuild-ab-wt-"))
    git("worktree", "add", "--detach", str(wt), base_commit)
    sides: dict[str, list[dict]] = {"baseline": [], "this_tree": []}
    try:
        for _ in range(a.rounds):
            sides["baseline"].append(run_side(wt, a.profile, shared))
            sides["this_tree"].append(run_side(ROOT, a.profile, shared))
    finally:
        git("worktree", "remove", "--force", str(wt))
    contents = {r["content"] for rs in sides.values() for r in rs}
    graphs = {json.dumps(r["graph"], sort_keys=True) for rs in sides.values() for r in rs}
    best = {k: min(rs, key=lambda r: r["seconds"]["end_to_end"]) for k, rs in sides.items()}
    out = {"bench": "rebuild_ab", "date": datetime.now(UTC).replace(microsecond=0).isoformat(),
           "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
           "profile": a.profile, "shared": a.shared or None,
           "baseline": {"ref": a.ref, "commit": base_commit[:12]}, "this_tree": {"commit": git("rev-parse", "HEAD")[:12],
                                                                                "dirty": bool(git("status", "--porcelain"))},
           "same_graph": len(contents) == 1 and len(graphs) == 1, "graph": best["this_tree"]["graph"],
           "best": {k: {"seconds": r["seconds"], "peak_rss_mb": r["peak_rss_mb"]} for k, r in best.items()},
           "rounds": {k: [r["seconds"] for r in rs] for k, rs in sides.items()},
           "speedup_end_to_end": round(best["baseline"]["seconds"]["end_to_end"]
                                       / best["this_tree"]["seconds"]["end_to_end"], 2)}
    res = ROOT / "bench" / "results" / f"rebuild-ab-{a.profile}.json"
    res.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))
    if not out["same_graph"]:
        print(f"the two trees built different graphs: {sorted(contents)} {sorted(graphs)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
