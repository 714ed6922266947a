"""How connected is the mechanism? Figures for the closing note, on the default (and full) profile.

    python bench/mechanism_bench.py                       # default profile, embedded store
    python bench/mechanism_bench.py --profile full --shared ../shared/data

Writes bench/results/mechanism-<profile>.json: grounding rate of curated mentions, nodes merged by
grounding, module pairs with a path and with a gene between the ends, the share of top-10 paths
with a gene intermediate (against the same figure with the mechanism preference switched off, the
baseline), and contested relations.
"""
from __future__ import annotations

import argparse
import csv
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.kg.query.test_mechanism import PAIRS  # noqa: E402 - the same 20 pairs the suite checks


def grounding_figures() -> dict:
    from ingest.grounding import default_grounder
    from kg.datapack import datapack_path

    g = default_grounder()
    texts, grounded, total, ids = set(), 0, 0, set()
    with datapack_path("curated", "mechanism_facts.tsv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            for side in ("subject", "object"):
                total += 1
                hit = g.ground(r[side])
                has_id = bool(r[f"{side}_id"].strip()) and r[f"{side}_type"] in ("Gene", "Protein", "Process")
                grounded += bool(hit or has_id)
                if hit:
                    texts.add(r[side])
                    ids.add(hit.id)
    return {"mentions": total, "grounded": grounded, "rate": round(grounded / total, 4),
            "phrases_grounded": len(texts), "concepts_they_became": len(ids), "nodes_merged": len(texts) - len(ids)}


def pair_figures(store, mechanism: bool) -> dict:
    from kg.query import paths

    cfg = dict(paths.load_path_config())
    if not mechanism:
        cfg = {**cfg, "mechanism": {}}
    orig = paths.load_path_config
    paths.load_path_config = lambda path=None: cfg  # the baseline: same search, plain belief x hub ranking
    try:
        rows, t0 = [], time.perf_counter()
        for a, b in PAIRS:
            res = paths.find_paths(store, a, b, k=10)
            cats = {n: d.get("category") for n, d in store.nodes(sorted({n for p in res.paths for n in p.nodes})).items()}
            inner = [any(cats.get(n) == "gene" for n in p.nodes[1:-1]) for p in res.paths]
            group = [any(cats.get(n) in ("gene", "gene_group") for n in p.nodes[1:-1]) for p in res.paths]
            rows.append({"pair": f"{a} -> {b}", "paths": len(res.paths), "with_gene_intermediate": sum(inner),
                         "with_gene_or_family_intermediate": sum(group), "truncated": res.truncated,
                         "top": [" → ".join(store.node(n)["name"] for n in p.nodes) for p in res.paths[:3]]})
        elapsed = time.perf_counter() - t0
    finally:
        paths.load_path_config = orig
    n_paths = sum(r["paths"] for r in rows)
    return {"pairs": len(rows), "connected": sum(r["paths"] > 0 for r in rows),
            "with_gene_intermediate": sum(r["with_gene_intermediate"] > 0 for r in rows),
            "with_gene_or_family_intermediate": sum(r["with_gene_or_family_intermediate"] > 0 for r in rows),
            "top10_share_gene_or_family_intermediate": round(
                sum(r["with_gene_or_family_intermediate"] for r in rows) / max(n_paths, 1), 4),
            "top10_share_gene_intermediate": round(sum(r["with_gene_intermediate"] for r in rows) / max(n_paths, 1), 4),
            "seconds_for_all_pairs": round(elapsed, 2), "rows": rows}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profile", default="default")
    ap.add_argument("--shared", type=Path, default=None)
    a = ap.parse_args(argv)
    from kg.pipeline.build import collect
    from kg.pipeline.load import load
    from kg.store.embedded import EmbeddedStore

    with tempfile.TemporaryDirectory() as tmp:
        store = EmbeddedStore(Path(tmp) / "g.json.gz")
        t0 = time.perf_counter()
        load(store, collect(a.profile, a.shared))
        build_s = time.perf_counter() - t0
        st = store.stats()
        contested = [e for e in store.iter_edges() if e.get("contested_with")]
        pairs = {tuple(sorted((e["subject"], e["object"]))) for e in contested}
        cross = {tuple(sorted((e["subject"], e["object"]))) for e in contested
                 if set(e.get("sources") or ()) != {"trrust"}}
        out = {"profile": a.profile, "nodes": st["nodes"], "edges": st["edges"], "build_seconds": round(build_s, 1),
               "grounding": grounding_figures(),
               "contested": {"edges": len(contested), "pairs": len(pairs), "pairs_not_only_trrust": len(cross)},
               "ranking": {"mechanism_preferred": pair_figures(store, True),
                           "baseline_belief_x_hub": pair_figures(store, False)}}
    res = ROOT / "bench" / "results" / f"mechanism-{a.profile}.json"
    res.parent.mkdir(parents=True, exist_ok=True)
    res.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    r = out["ranking"]
    print(f"{a.profile}: {out['nodes']} nodes, {out['edges']} edges; grounding {out['grounding']['rate']:.1%} "
          f"({out['grounding']['nodes_merged']} phrases merged); contested pairs {out['contested']['pairs']}")
    for name, f in r.items():
        print(f"  {name:24s} connected {f['connected']}/{f['pairs']}, gene intermediate "
              f"{f['with_gene_intermediate']}/{f['pairs']} (gene or family {f['with_gene_or_family_intermediate']}), "
              f"top-10 share {f['top10_share_gene_intermediate']:.1%} "
              f"(gene or family {f['top10_share_gene_or_family_intermediate']:.1%})")
    print(f"wrote {res}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
