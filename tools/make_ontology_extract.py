"""Write the data pack's ontology extract from the whole ontologies in shared/data/ontologies.

The default profile runs offline, so it ships only the terms it uses: every GO/CL/UBERON/MONDO id
named by the curated facts, the grounding map, the modules and the vocabulary, plus their
ancestors (GO: is_a and part_of, up to ``--depth`` steps; CL/UBERON/MONDO: distance 1) and the typed
relations among them. Re-run it after changing any of those files:

    python tools/make_ontology_extract.py --shared ../shared/data
"""
from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "kg" / "datapack" / "ontologies" / "terms.tsv"
CXG = {"CL": "cxg_CL-ontology-*.json.zst", "UBERON": "cxg_UBERON-ontology-*.json.zst",
       "MONDO": "cxg_MONDO-ontology-*.json.zst"}
GO_RELATIONS = ("is_a", "part_of", "positively_regulates", "negatively_regulates")
CATEGORY = {"GO": "biological_process", "CL": "cell_type", "UBERON": "tissue", "MONDO": "phenotype"}
CURIE = re.compile(r"\b(GO|CL|UBERON|MONDO):\d{7}\b")


def seeds() -> set[str]:
    text = "\n".join(p.read_text(encoding="utf-8") for p in [
        ROOT / "kg/datapack/curated/mechanism_facts.tsv", ROOT / "kg/datapack/curated/grounding.tsv",
        ROOT / "ontology/modules.yaml", ROOT / "ontology/vocabulary.yaml",
        ROOT / "kg/datapack/networks/np_mt_rnm_labels.tsv"])
    return {m.group() for m in CURIE.finditer(text)}


def main(argv: list[str] | None = None) -> int:
    from ingest.nlp.ontology_diseases import read_cxg

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)
    onto = a.shared / "ontologies"
    go = {d["id"]: d for d in json.loads((onto / "go.json").read_text(encoding="utf-8"))}
    cxg: dict[str, dict] = {}
    for prefix, pattern in CXG.items():
        cxg.update({k: v for k, v in read_cxg(sorted(onto.glob(pattern))[-1]).items() if k.startswith(prefix + ":")})
    want, frontier = set(), seeds()
    for _ in range(a.depth + 1):
        want |= frontier
        nxt = set()
        for t in frontier:
            if t in go:
                for rel in ("is_a", "part_of"):
                    nxt |= set(go[t].get("relations", {}).get(rel, []))
            elif t in cxg and not t.startswith("GO:"):
                nxt |= {p for p, dist in cxg[t].get("ancestors", {}).items() if dist == 1}
        frontier = nxt - want
    missing = sorted(t for t in want if t not in go and t not in cxg)
    if missing:
        print(f"error: ids not found in {onto}: {', '.join(missing)}", file=sys.stderr)
        return 1
    rows = []
    for t in sorted(want):
        if t in go:
            d = go[t]
            rels = [f"{r}:{o}" for r in GO_RELATIONS for o in d.get("relations", {}).get(r, []) if o in want]
            rows.append([t, d["name"], CATEGORY["GO"], "|".join(d.get("synonyms", [])[:5]), "|".join(rels)])
        else:
            d = cxg[t]
            rels = [f"is_a:{p}" for p, dist in d.get("ancestors", {}).items() if dist == 1 and p in want]
            rows.append([t, d["label"], CATEGORY[t.split(":")[0]], "|".join(d.get("synonyms", [])[:5]),
                         "|".join(sorted(rels))])
    a.out.parent.mkdir(parents=True, exist_ok=True)
    with a.out.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["id", "label", "category", "synonyms", "relations"])
        w.writerows(rows)
    print(f"wrote {len(rows)} terms to {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
