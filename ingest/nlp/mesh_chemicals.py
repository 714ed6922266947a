"""Chemical names from MeSH's Chemicals and Drugs tree, for the reader's chemical tagging.

The shipped table ``kg/datapack/ontologies/mesh_chemicals.tsv.gz`` (``tools/make_mesh_chemicals.py``)
holds the names and entry terms of the MeSH chemical descriptors (not proteins, peptides, enzymes,
nucleic acids or biological factors, which BioRED calls genes). A form is kept when it is usable as
the disease names are (:func:`ingest.nlp.ontology_diseases.usable`: at least 4 characters, at most
8 tokens, no short all-capital abbreviation) and BioRED *Train* does not contradict it: forms Train
shows as chemicals in fewer than half of their occurrences ("lead", "iron" as a verb or adjective
are judged by Train, not guessed) are left out. A salt's name also names its base when no other
descriptor claims the base ("Quetiapine Fumarate" -> "quetiapine"). Ids are ``MESH:<descriptor>``.

>>> strip_salt("Quetiapine Fumarate"), strip_salt("Sodium Chloride"), strip_salt("Dopamine")
('Quetiapine', None, None)
"""
from __future__ import annotations

import csv
import gzip
import io
from functools import lru_cache

from ingest.nlp.ontology_diseases import kept_by_train, usable

#: salt and ester words a drug's MeSH name may end with; the base alone names the drug in prose
SALTS = frozenset("""fumarate hydrochloride maleate mesylate tartrate succinate besylate citrate sulfate
phosphate acetate bromide chloride sodium potassium calcium dihydrochloride hyclate monohydrate
hydrobromide lactate tosylate gluconate nitrate""".split())


def strip_salt(name: str) -> str | None:
    """The base of a two-or-more-word salt name, or None (a bare element or one-word name stays)."""
    words = name.split()
    if len(words) >= 2 and words[-1].lower() in SALTS and words[-2].lower() not in SALTS:
        return " ".join(words[:-1])
    return None


@lru_cache(maxsize=1)
def mesh_chemical_concepts() -> dict[str, tuple[str, list[str]]]:
    """``MESH:<id>`` -> (name, forms) of the shipped MeSH chemical table (salt bases added)."""
    from kg.datapack import datapack_path

    try:
        path = datapack_path("ontologies", "mesh_chemicals.tsv.gz")
    except FileNotFoundError:
        return {}
    with gzip.open(path, "rb") as raw:
        rows = list(csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8"), delimiter="\t"))
    out = {f"MESH:{r['mesh_id']}": (r["name"], [r["name"], *(t for t in r["entry_terms"].split("|") if t)])
           for r in rows}
    names = {f.lower() for _n, forms in out.values() for f in forms}
    for _cid, (name, forms) in out.items():
        base = strip_salt(name)
        if base and base.lower() not in names:
            forms.append(base)
    return out


@lru_cache(maxsize=1)
def mesh_chemicals() -> dict[str, tuple[str, str]]:
    """Lower-cased form -> (``MESH:<id>``, name): the usable forms BioRED Train does not contradict."""
    candidates: dict[str, tuple[str, str]] = {}
    for cid, (name, forms) in mesh_chemical_concepts().items():
        for f in forms:
            if usable(f):
                candidates.setdefault(f.lower(), (cid, name))
    return kept_by_train(candidates, "ChemicalEntity")
