"""kill -9 of `kg build` or of the Neo4j JVM at random points of a rebuild, then a plain `kg build`:
is the graph clean?

    NEO4J_PASSWORD=... python bench/rebuild_kill_bench.py --profile full --shared ../shared/data --points 5

Starts a local Neo4j (kg/store/neo4j_launcher) in a temporary home, makes one clean build and records its
counts and content hash, then for each of ``--points`` seeded random moments starts `kg build
--fresh`, kills it (or, every other time with ``--kill both``, the server's JVM, which is then
restarted) with SIGKILL at that moment, runs a plain `kg build` and compares: a point passes when
that build exits 0 and the node, edge and evidence counts and the content hash equal the clean
build's. Writes
bench/results/rebuild-kill-<profile>.json.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def _wait_for_port_to_close(port: int, timeout_s: float = 60.0) -> None:
    import socket

    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        except OSError:
            return
        time.sleep(0.2)
    raise SystemExit(f"port {port} still open {timeout_s:.0f} s after the server was killed")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", default="default")
    ap.add_argument("--shared", type=Path, default=None)
    ap.add_argument("--points", type=int, default=5)
    ap.add_argument("--seed", type=int, default=14)
    ap.add_argument("--port", type=int, default=7698)
    ap.add_argument("--kill", choices=("build", "jvm", "both"), default="both",
                    help="what SIGKILL hits: the `kg build` process, the Neo4j JVM, or each in turn")
    a = ap.parse_args(argv)
    from kg.store import neo4j_server
    from kg.store.neo4j import Neo4jStore
    from kg.store.settings import Settings
    from kg.store.version import content_hash

    home = Path(tempfile.mkdtemp(prefix="kill-bench-"))
    password = os.environ.get("NEO4J_PASSWORD") or secrets.token_urlsafe(18)
    info = neo4j_server.start(home / "neo4j", bolt_port=a.port, password=password)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KG_", "NEO4J_"))}
    env.update({"KG_HOME": str(home), "KG_STORE": "neo4j", "NEO4J_URI": info["uri"], "NEO4J_USER": "neo4j",
                "NEO4J_PASSWORD": password, "NEO4J_DATABASE": "neo4j"})
    # This checkout's code, whichever `kg` is on PATH (the bench may run from a clone).
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    build = [sys.executable, "-m", "kg", "build", "--profile", a.profile] + (["--shared", str(a.shared)] if a.shared else [])
    s = Settings(home=home, store="neo4j", neo4j_uri=info["uri"], neo4j_user="neo4j", neo4j_password=password,
                 neo4j_database="neo4j")

    def snapshot():
        store = Neo4jStore.from_settings(s)
        try:
            st = store.stats()
            return [st["nodes"], st["edges"], st["evidence"]], content_hash(store)
        finally:
            store.close()

    try:
        t0 = time.monotonic()
        first = subprocess.run(build + ["--fresh"], env=env, capture_output=True, text=True, cwd=ROOT)
        if first.returncode != 0:
            raise SystemExit(f"the clean build failed (exit {first.returncode}):\n{first.stderr[-3000:]}")
        full_s = time.monotonic() - t0
        clean = snapshot()
        rng = random.Random(a.seed)
        rows = []
        for n, point in enumerate(sorted(rng.uniform(0.1, 0.95) * full_s for _ in range(a.points))):
            victim = a.kill if a.kill != "both" else ("build", "jvm")[n % 2]
            proc = subprocess.Popen(build + ["--fresh"], env=env, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL, start_new_session=True, cwd=ROOT)
            time.sleep(point)
            if victim == "jvm":
                os.kill(neo4j_server.status(home / "neo4j", bolt_port=a.port)["pid"], signal.SIGKILL)
                proc.wait()  # the build fails on its own once the server is gone
                _wait_for_port_to_close(a.port)  # a restart while the dead JVM still holds it would fail
                neo4j_server.start(home / "neo4j", bolt_port=a.port, password=password)
            else:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            t1 = time.monotonic()
            again = subprocess.run(build, env=env, capture_output=True, text=True, cwd=ROOT)
            got = snapshot()
            rows.append({"killed": victim, "killed_at_s": round(point, 1), "rebuild_exit": again.returncode,
                         "rebuild_stderr_tail": again.stderr[-1500:] if again.returncode else "",
                         "rebuild_s": round(time.monotonic() - t1, 1), "counts": got[0],
                         "equal_to_clean": again.returncode == 0 and got == clean})
            print(rows[-1], flush=True)
        out = {"profile": a.profile, "kill": a.kill, "clean_build_s": round(full_s, 1), "clean_counts": clean[0],
               "points": rows, "all_equal": all(r["equal_to_clean"] for r in rows)}
    finally:
        neo4j_server.stop(home / "neo4j")
    res = ROOT / "bench" / "results" / f"rebuild-kill-{a.profile}-seed{a.seed}.json"
    res.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(f"{sum(r['equal_to_clean'] for r in rows)}/{len(rows)} killed builds recovered to the clean graph; wrote {res}")
    return 0 if out["all_equal"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
