"""Write the data pack's per-gene module memberships from GO annotations (MSigDB C5 GO sets).

A gene joins a module when it is annotated to one of the module's GO terms (the MSigDB GOBP/GOCC/
GOMF set of that exact term name) AND it already takes part in the disc mechanism the data pack
ships (a curated fact, a module definition or the NP mechanotransduction network), and the term is
specific (its set has at most ``--max-set`` genes). So each
membership carries its own evidence (the gene's GO annotation), and no module swallows a giant
gene set. Re-run after changing the modules or the networks:

    python tools/make_module_annotations.py --shared ../shared/data
"""
from __future__ import annotations

import argparse
import csv
import gzip
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "kg" / "datapack" / "curated" / "module_annotations.tsv"
GMT = "go/c5.go.v2023.2.Hs.symbols.gmt.gz"


def set_name(term: str, prefix: str = "GOBP_") -> str:
    return prefix + re.sub(r"[^A-Z0-9]+", "_", term.upper()).strip("_")


def disc_genes() -> set[str]:
    genes: set[str] = set()
    with (ROOT / "kg/datapack/curated/mechanism_facts.tsv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            for side in ("subject_id", "object_id"):
                genes |= {x.strip() for x in r[side].split(";") if x.strip() and ":" not in x}
    mods = yaml.safe_load((ROOT / "ontology/modules.yaml").read_text(encoding="utf-8"))["modules"]
    for m in mods.values():
        genes |= set(m.get("member_genes") or [])
    with (ROOT / "kg/datapack/networks/np_mt_rnm_labels.tsv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"):
            genes |= {x for x in (r.get("target_symbols") or "").split(";") if x}
    return genes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--max-set", type=int, default=400, help="GO sets larger than this are too general")
    a = ap.parse_args(argv)
    sets: dict[str, list[str]] = {}
    with gzip.open(a.shared / GMT, "rt", encoding="utf-8") as fh:
        for line in fh:
            cells = line.rstrip("\n").split("\t")
            sets[cells[0]] = cells[2:]
    mods = yaml.safe_load((ROOT / "ontology/modules.yaml").read_text(encoding="utf-8"))["modules"]
    genes = disc_genes()
    rows = []
    for key, m in sorted(mods.items()):
        for t in m.get("go_terms") or []:
            for prefix in ("GOBP_", "GOCC_", "GOMF_"):
                name = set_name(t["name"], prefix)
                if len(sets.get(name, ())) > a.max_set:
                    print(f"skipped {name}: {len(sets[name])} genes, too general to define membership")
                    continue
                for sym in sorted(set(sets.get(name, ())) & genes):
                    rows.append([key, sym, t["id"], t["name"], name])
    with OUT.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(["module", "symbol", "go_id", "go_name", "msigdb_set"])
        w.writerows(rows)
    print(f"wrote {len(rows)} annotations to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
