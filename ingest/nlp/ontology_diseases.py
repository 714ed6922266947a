"""Disease and phenotype names from the whole MONDO and HPO, for the literature reader.

The project lexicon names the disc phenotypes and BioRED Train teaches the forms its annotators
tag (:mod:`ingest.nlp.learned`); neither knows "psoriasis", "akathisia" or "hyperuricemia". MONDO
(every disease) and HPO (phenotypic abnormalities only: not modes of inheritance, frequencies or
clinical modifiers such as "Chronic") do. Their labels and exact synonyms become a third disease
dictionary, tagged after the other two (a form those know keeps their id), filtered so that it
tags what annotators would:

- at least ``MIN_CHARS`` characters, at most ``MAX_TOKENS`` tokens, and a letter in it;
- no short all-capital abbreviation ("CKD", "PD"): an abbreviation names a disease only where the
  abstract defines it, and the reader's abbreviation step carries the long form's id to it;
- no form BioRED **Train** shows untagged in most of its occurrences ("disease", "condition",
  "arm"): the precision rule of the learned dictionaries, applied to occurrences in Train text.

Ids are ``MONDO:`` / ``HP:`` CURIEs (MONDO first when both name a form). The files are
``ontologies/cxg_MONDO-ontology-*.json.zst`` and ``ontologies/hp_*.obo`` of the shared data
directory (``KG_SHARED_DATA``); without them the dictionary is empty and the reader runs on the
other two.

>>> terms = hpo_terms(["[Term]", "id: HP:0000118", "name: Phenotypic abnormality", "",
...                    "[Term]", "id: HP:0001337", "name: Tremor", 'synonym: "Trembling" EXACT []',
...                    "is_a: HP:0000118 ! Phenotypic abnormality", "",
...                    "[Term]", "id: HP:0012828", "name: Severe", "is_a: HP:0012824"])
>>> terms
{'HP:0001337': ('Tremor', ['Tremor', 'Trembling'])}
>>> usable("CKD"), usable("akathisia"), usable("arm")
(False, True, False)
"""
from __future__ import annotations

import json
import re
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ingest.locations import shared_data_dir
from ingest.nlp.learned import MIN_PRECISION, _tokens, train_docs
from ingest.nlp.tokenizer import TOKEN

MIN_CHARS = 4
MAX_TOKENS = 8
ABBREVIATION_CHARS = 6  # an all-capital form this short is an abbreviation
HPO_ROOT = "HP:0000118"  # Phenotypic abnormality
MONDO_ROOTS = ("MONDO:0000001", "MONDO:0021178")  # disease, injury
_LETTER = re.compile(r"[A-Za-z]")


def usable(form: str) -> bool:
    """A form worth matching at all (before the Train filter)."""
    return (len(form) >= MIN_CHARS and bool(_LETTER.search(form)) and len(_tokens(form)) <= MAX_TOKENS
            and not (form.upper() == form and len(form) <= ABBREVIATION_CHARS))


def hpo_terms(lines: Iterable[str]) -> dict[str, tuple[str, list[str]]]:
    """HPO id -> (name, [name, exact synonyms]) for the descendants of Phenotypic abnormality."""
    terms: dict[str, tuple[str, list[str]]] = {}
    parents: dict[str, list[str]] = {}
    cur: str | None = None
    obsolete: set[str] = set()
    for line in lines:
        line = line.rstrip("\n")
        if line.startswith("["):
            cur = None
        elif line.startswith("id: HP:"):
            cur = line[4:].strip()
            terms[cur] = ("", [])
            parents[cur] = []
        elif cur is None:
            continue
        elif line.startswith("name: "):
            name = line[6:].strip()
            terms[cur] = (name, [name, *terms[cur][1]])
        elif line.startswith('synonym: "') and " EXACT" in line:
            terms[cur][1].append(line.split('"')[1])
        elif line.startswith("is_a: "):
            parents[cur].append(line[6:].split("!")[0].strip())
        elif line.startswith("is_obsolete: true"):
            obsolete.add(cur)
    under: dict[str, bool] = {HPO_ROOT: False}  # the root itself is no phenotype to tag

    def below(t: str, seen: frozenset = frozenset()) -> bool:
        if t not in under:
            under[t] = any(p == HPO_ROOT or (p not in seen and below(p, seen | {t})) for p in parents.get(t, ()))
        return under[t]

    return {t: v for t, v in terms.items() if t not in obsolete and v[0] and below(t)}


def mondo_terms(cxg: dict) -> dict[str, tuple[str, list[str]]]:
    """MONDO id -> (label, [label, synonyms]) of the diseases and injuries in the cellxgene ontology
    JSON: not the disease characteristics ("tumor grade 4", synonym "grade 4"), nor deprecated terms.

    >>> mondo_terms({"MONDO:0005083": {"label": "psoriasis", "synonyms": ["psoriasis vulgaris"],
    ...                                "ancestors": {"MONDO:0000001": 3}},
    ...              "MONDO:0024494": {"label": "tumor grade 4", "synonyms": ["grade 4"],
    ...                                "ancestors": {"MONDO:0021125": 4}}})
    {'MONDO:0005083': ('psoriasis', ['psoriasis', 'psoriasis vulgaris'])}
    """
    return {k: (v["label"], [v["label"], *(v.get("synonyms") or [])]) for k, v in cxg.items()
            if k.startswith("MONDO:") and v.get("label") and not v.get("deprecated")
            and any(r in (v.get("ancestors") or {}) for r in MONDO_ROOTS)}


def read_cxg(path: Path) -> dict:
    """A cellxgene ontology file (zstd-compressed JSON: id -> label, synonyms, ancestors, deprecated)."""
    import zstandard

    with path.open("rb") as fh:
        return json.loads(zstandard.ZstdDecompressor().stream_reader(fh).read())


@lru_cache(maxsize=1)
def ontology_disease_concepts(data_dir: str = "") -> dict[str, tuple[str, list[str]]]:
    """Id -> (label, forms) of every MONDO disease and HPO phenotypic abnormality found (MONDO first)."""
    onto = Path(data_dir) if data_dir else shared_data_dir() / "ontologies"
    out: dict[str, tuple[str, list[str]]] = {}
    for p in sorted(onto.glob("cxg_MONDO-ontology-*.json.zst"))[-1:]:
        out.update(mondo_terms(read_cxg(p)))
    for p in sorted(onto.glob("hp_*.obo"))[-1:]:
        with p.open(encoding="utf-8") as fh:
            out.update(hpo_terms(fh))
    return out


def train_rates(forms: Iterable[str], docs: Iterable,
                entity_type: str = "DiseaseOrPhenotypicFeature") -> dict[tuple[str, ...], tuple[int, int]]:
    """Tokens of each lower-cased form -> (times BioRED Train tags them ``entity_type``, times they occur
    token-aligned); forms that differ only in punctuation share their tokens. An occurrence inside a
    longer tagged name ("cancer" of "breast cancer") counts neither way.

    >>> from ingest.biored import BioredDoc
    >>> d = BioredDoc("1", "Breast cancer cells. Cancer rose.", [(0, 13, "Breast cancer", "DiseaseOrPhenotypicFeature", "D1"),
    ...                                                            (21, 27, "Cancer", "DiseaseOrPhenotypicFeature", "D2")])
    >>> train_rates(["cancer", "cells"], [d])
    {('cancer',): (1, 1), ('cells',): (0, 1)}
    """
    keys = {_tokens(f) for f in forms}
    longest = max((len(k) for k in keys), default=0)
    tagged: Counter = Counter()
    seen: Counter = Counter()
    for d in docs:
        spans = {(s, e) for s, e, _t, typ, _id in d.mentions if typ == entity_type}
        toks = [(m.group().lower(), m.start(), m.end()) for m in TOKEN.finditer(d.text)]
        words = tuple(t for t, _s, _e in toks)
        for i in range(len(toks)):
            for n in range(1, min(longest, len(toks) - i) + 1):
                k = words[i:i + n]
                if k not in keys:
                    continue
                s, e = toks[i][1], toks[i + n - 1][2]
                if (s, e) in spans:
                    tagged[k] += 1
                    seen[k] += 1
                elif not any(a <= s and e <= b for a, b in spans):
                    seen[k] += 1
    return {k: (tagged[k], seen[k]) for k in sorted(keys)}


@lru_cache(maxsize=1)
def ontology_diseases() -> dict[str, tuple[str, str]]:
    """Lower-cased form -> (MONDO/HP id, label): the usable forms Train does not contradict."""
    candidates: dict[str, tuple[str, str]] = {}
    for cid, (label, forms) in ontology_disease_concepts().items():
        abbreviations = {f for f in forms if not usable(f) and f.upper() == f}
        for f in forms:
            # "cold" beside "COLD" (MONDO's COPD): an abbreviation written small, not a word to match
            if usable(f) and f.upper() not in abbreviations:
                candidates.setdefault(f.lower(), (cid, label))
    return kept_by_train(candidates, "DiseaseOrPhenotypicFeature")


def kept_by_train(candidates: dict[str, tuple[str, str]], entity_type: str) -> dict[str, tuple[str, str]]:
    """The candidate forms BioRED Train tags ``entity_type`` in at least half of their occurrences
    (:func:`train_rates`), and those Train never shows."""
    rates = train_rates(candidates, train_docs(), entity_type)
    out = {}
    for f, v in candidates.items():
        tagged, occurs = rates[_tokens(f)]
        if occurs == 0 or tagged / occurs >= MIN_PRECISION:
            out[f] = v
    return out


def ontology_disease_label(cid: str) -> str | None:
    """The ontology's label of a MONDO/HP id the dictionary knows."""
    hit = ontology_disease_concepts().get(cid)
    return hit[0] if hit else None
