"""Long fuzz run of every reader (issue #14): thousands of seeded mutations of the real files in
``shared/data`` per reader, each case in a worker process with a per-case timeout.

Cases and their checks are those of ``tests/ingest/test_fuzz.py`` (``tests/fuzzing.py``): a case
is ``ok`` (read, nothing rejected), a clean ``rejected`` (rows or the file rejected, naming it),
a project ``error`` (``IngestError`` naming the file on one line), ``unexpected`` (any other
exception, counts that do not reconcile, a message not naming the file, or the worker dying) or a
``hang`` (no answer within ``--timeout`` seconds: the worker is killed and replaced).

Baseline, in the same run: the readers as they were at ``--old-ref`` (default: the commit before
issue #14's error boundaries), exported with ``git archive`` and fed the very same cases. There
the project error is the one reader error that existed (``DEGTableError``). Readers whose module
did not exist yet at the ref (``ingest/<reader>.py``) have no baseline and are listed as ``not_in_ref``.

Run: ``python bench/fuzz_bench.py [--cases 2000] [--seed 1] [--timeout 10] [--old-ref REF|none]``;
prints a table and one JSON line, writes ``bench/results/fuzz.json``.
"""
from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OLD_REF = "81cb885"  # the last commit before the readers' error boundaries
KINDS = ("ok", "rejected", "error", "unexpected", "hang")
EXAMPLES = 8


def _worker(conn) -> None:
    from tests.fuzzing import check

    while True:
        job = conn.recv()
        if job is None:
            return
        o = check(*job)
        conn.send((o.kind, o.mutation, o.detail[:300]))


class Pool:
    """One worker process (the machine has 2 shared cores), replaced when it hangs or dies."""

    def __init__(self) -> None:
        self.ctx = mp.get_context("fork")  # forked after the resolver and seeds are loaded: cheap restarts
        self._start()

    def _start(self) -> None:
        self.conn, child = self.ctx.Pipe()
        self.proc = self.ctx.Process(target=_worker, args=(child,), daemon=True)
        self.proc.start()
        child.close()

    def run(self, job: tuple, timeout: float) -> tuple[str, str, str]:
        self.conn.send(job)
        try:
            if self.conn.poll(timeout):
                return self.conn.recv()
            outcome = ("hang", "", f"no answer within {timeout:g} s")
        except EOFError:
            outcome = ("unexpected", "", f"worker died (exit code {self.proc.exitcode})")
        self.proc.kill()
        self.proc.join()
        self._start()
        return outcome

    def close(self) -> None:
        self.conn.send(None)
        self.proc.join(5)


def run_tree(readers: list[str], cases: int, seed: int, timeout: float) -> dict:
    """Every case of every reader against the ``ingest`` package importable here."""
    from ingest.hgnc import default_resolver
    from ontology import load_ontology
    from tests.fuzzing import build_case, targets

    default_resolver(), load_ontology(), targets()  # loaded once, before forking
    pool = Pool()
    out = {}
    try:
        for reader in readers:
            counts: Counter = Counter()
            by_mutation: Counter = Counter()
            examples: list[str] = []
            t0 = time.perf_counter()
            for case in range(cases):
                kind, mutation, detail = pool.run((reader, seed, case), timeout)
                mutation = mutation or build_case(reader, seed, case)[2]
                counts[kind] += 1
                if kind in ("unexpected", "hang"):
                    by_mutation[mutation.split("+")[0]] += 1
                    if len(examples) < EXAMPLES:
                        examples.append(f"case {case} ({mutation}): {kind} {detail}")
            out[reader] = {"cases": cases, **{k: counts[k] for k in KINDS},
                           "seconds": round(time.perf_counter() - t0, 1),
                           "failing_mutations": dict(by_mutation.most_common()), "examples": examples}
            print(f"  {reader}: {out[reader]['seconds']} s", file=sys.stderr, flush=True)
    finally:
        pool.close()
    return out


def in_ref(ref: str, reader: str) -> bool:
    """Whether the reader's module (``ingest/<target>.py``) exists at ``ref``: newer readers have no baseline."""
    return subprocess.run(["git", "-C", str(ROOT), "cat-file", "-e", f"{ref}:ingest/{reader}.py"],
                          capture_output=True).returncode == 0


def baseline(ref: str, readers: list[str], cases: int, seed: int, timeout: float) -> dict:
    """:func:`run_tree` in a subprocess on ``git archive ref`` plus today's fuzzing module."""
    with tempfile.TemporaryDirectory(prefix="fuzz-old-") as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        shutil.copy(ROOT / "tests" / "fuzzing.py", Path(tmp) / "tests" / "fuzzing.py")
        env = {**os.environ, "KG_SHARED_DATA": str(ROOT.parent / "shared" / "data"), "PYTHONPATH": tmp}
        cmd = [sys.executable, str(Path(__file__).resolve()), "--tree-run", tmp, "--cases", str(cases),
               "--seed", str(seed), "--timeout", str(timeout), "--readers", ",".join(readers)]
        res = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=tmp)
        if res.returncode != 0:
            raise SystemExit(f"baseline run failed:\n{res.stderr[-3000:]}")
        return json.loads(res.stdout.splitlines()[-1])


def table(results: dict, title: str) -> str:
    cols = ("cases", "ok", "rejected", "error", "unexpected", "hang", "seconds")
    head = ("reader",) + ("cases", "ok", "clean rejections", "project errors", "unexpected", "hangs", "s")
    rows = [[r] + [str(v[c]) for c in cols] for r, v in results.items()]
    tot = ["total"] + [str(round(sum(v[c] for v in results.values()), 1)) for c in cols]
    w = [max(len(x[i]) for x in [list(head), *rows, tot]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return "  ".join(c.ljust(w[0]) if i == 0 else c.rjust(w[i]) for i, c in enumerate(cells))

    return "\n".join([title, line(head), line(["-" * n for n in w]), *map(line, rows), line(tot)])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=2000, help="cases per reader")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--timeout", type=float, default=10.0, help="seconds per case before it counts as a hang")
    ap.add_argument("--readers", default="", help="comma-separated subset (default: all)")
    ap.add_argument("--old-ref", default=OLD_REF, help="git ref of the baseline readers, or 'none'")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "fuzz.json")
    ap.add_argument("--tree-run", default=None, help=argparse.SUPPRESS)  # internal: the baseline subprocess
    a = ap.parse_args()
    if a.tree_run:
        sys.path.insert(0, a.tree_run)
        import ingest

        if not Path(ingest.__file__).resolve().is_relative_to(Path(a.tree_run).resolve()):
            raise SystemExit(f"baseline imported {ingest.__file__}, not the readers in {a.tree_run}")
        print(json.dumps(run_tree(a.readers.split(","), a.cases, a.seed, a.timeout)))
        return
    sys.path.insert(0, str(ROOT))
    from tests.fuzzing import targets

    readers = [r for r in a.readers.split(",") if r] or list(targets())
    t0 = time.perf_counter()
    print(f"fuzzing {len(readers)} readers x {a.cases} cases (seed {a.seed})…", file=sys.stderr, flush=True)
    now = run_tree(readers, a.cases, a.seed, a.timeout)
    old, not_in_ref = None, []
    if a.old_ref != "none":
        not_in_ref = [r for r in readers if not in_ref(a.old_ref, r)]
        print(f"baseline: readers at {a.old_ref} (not there yet: {', '.join(not_in_ref) or 'none'})…",
              file=sys.stderr, flush=True)
        old = baseline(a.old_ref, [r for r in readers if r not in not_in_ref], a.cases, a.seed, a.timeout)
    total = {k: sum(v[k] for v in now.values()) for k in ("cases",) + KINDS}
    figures = {"bench": "fuzz", "seed": a.seed, "cases_per_reader": a.cases, "timeout_s": a.timeout,
               "readers": now, "total": total,
               "baseline": None if old is None else {"ref": a.old_ref, "readers": old, "not_in_ref": not_in_ref,
                                                    "total": {k: sum(v[k] for v in old.values())
                                                              for k in ("cases",) + KINDS}},
               "seconds": round(time.perf_counter() - t0, 1), "cores": os.cpu_count(),
               "python": platform.python_version(), "when": datetime.now(UTC).isoformat(timespec="seconds")}
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(figures, indent=1) + "\n")
    print(table(now, "readers now"))
    if old is not None:
        print()
        print(table(old, f"baseline: readers at {a.old_ref}"
                        + (f" ({', '.join(not_in_ref)}: not in that tree)" if not_in_ref else "")))
    print(json.dumps({k: v for k, v in figures.items() if k not in ("readers", "baseline")}
                     | {"baseline_total": figures["baseline"]["total"] if old else None}))


if __name__ == "__main__":
    main()
