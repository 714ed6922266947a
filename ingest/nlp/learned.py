"""Dictionaries learned from BioRED *Train* annotations (tuning data only, never Dev/Test).

Each annotated surface form (gene/protein, chemical or disease) is kept when the annotators tagged it in
at least ``min_precision`` of its occurrences in the Train texts (token-aligned), so words that
are usually not entities ("CAT", "lead") are dropped. Gene forms map to HGNC ids (BioRED's NCBI
Gene id when human, else the HGNC symbol/name the form spells — rodent orthologues); chemical
and disease forms map to ``MESH:<id>`` as BioRED gives it. The Train file is
``../shared/data/corpora/BioRED/Train.PubTator`` beside the project (``KG_BIORED_TRAIN``
overrides; a missing file gives empty dictionaries, so the extractor still runs without it).

>>> from ingest.biored import BioredDoc
>>> doc = BioredDoc("1", "Mmp3 rose. Mmp3 and aspirin. Mmp3 fell.",
...                 [(0, 4, "Mmp3", "GeneOrGeneProduct", "17392"), (11, 15, "Mmp3", "GeneOrGeneProduct", "17392"),
...                  (20, 27, "aspirin", "ChemicalEntity", "D001241")])
>>> learn_forms([doc], "GeneOrGeneProduct")
{'Mmp3': ('17392', 2, 3)}
"""
from __future__ import annotations

import os
import re
from collections import Counter, defaultdict
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from ingest.locations import shared_data_dir
from ingest.nlp.tokenizer import TOKEN

MIN_PRECISION = 0.5
MAX_TOKENS = 10


def train_path() -> Path:
    """Where the BioRED Train file is expected (``KG_BIORED_TRAIN`` overrides)."""
    env = os.environ.get("KG_BIORED_TRAIN")
    if env:
        return Path(env)
    return shared_data_dir() / "corpora" / "BioRED" / "Train.PubTator"


def _tokens(text: str) -> tuple[str, ...]:
    return tuple(TOKEN.findall(text))


def learn_forms(docs: Iterable, entity_type: str, fold: bool = False) -> dict[str, tuple[str, int, int]]:
    """Surface form -> (most frequent id, times annotated, times it occurs) for one BioRED type.

    ``fold``: count occurrences case-insensitively (chemicals: "Aspirin" and "aspirin").
    """
    docs = list(docs)
    ids: dict[str, Counter] = defaultdict(Counter)
    key_of: dict[tuple[str, ...], str] = {}
    for d in docs:
        for _s, _e, text, typ, eid in d.mentions:
            if typ != entity_type or not eid or eid == "-":
                continue
            form = text.lower() if fold else text
            ids[form][eid.split(",")[0].strip()] += 1
            key_of.setdefault(_tokens(form), form)
    seen: Counter = Counter()
    longest = min(MAX_TOKENS, max((len(k) for k in key_of), default=0))
    for d in docs:
        toks = _tokens(d.text.lower() if fold else d.text)
        for i in range(len(toks)):
            for n in range(1, longest + 1):
                form = key_of.get(toks[i:i + n])
                if form is not None:
                    seen[form] += 1
    out = {}
    for form, c in ids.items():
        annotated = sum(c.values())
        out[form] = (c.most_common(1)[0][0], annotated, max(seen[form], annotated))
    return out


def keep(annotated: int, occurs: int, min_precision: float = MIN_PRECISION) -> bool:
    """Keep a learned form tagged in at least ``min_precision`` of its occurrences."""
    return occurs > 0 and annotated / occurs >= min_precision


@lru_cache(maxsize=1)
def train_docs() -> tuple:
    from ingest.biored import read_pubtator

    p = train_path()
    return tuple(read_pubtator(p)) if p.exists() else ()


_ALNUM = re.compile(r"[A-Za-z]")


@lru_cache(maxsize=1)
def learned_chemicals() -> dict[str, tuple[str, str]]:
    """Lower-cased chemical form -> (``MESH:<id>``, form) learned from BioRED Train."""
    out = {}
    for form, (eid, ann, occ) in learn_forms(train_docs(), "ChemicalEntity", fold=True).items():
        if len(form) >= 3 and _ALNUM.search(form) and keep(ann, occ) and eid[:1] in "DC":
            out[form] = (f"MESH:{eid}", form)
    return out


@lru_cache(maxsize=1)
def learned_diseases() -> dict[str, tuple[str, str]]:
    """Lower-cased disease/phenotype form -> (``MESH:<id>``, form) learned from BioRED Train
    (``DiseaseOrPhenotypicFeature``; OMIM-only forms are left out: the graph names diseases by MeSH
    or its own ontologies)."""
    out = {}
    for form, (eid, ann, occ) in learn_forms(train_docs(), "DiseaseOrPhenotypicFeature", fold=True).items():
        if len(form) >= 3 and _ALNUM.search(form) and keep(ann, occ) and eid[:1] in "DC" and eid[1:2].isdigit():
            out[form] = (f"MESH:{eid}", form)
    return out


def learned_gene_forms() -> dict[str, tuple[str, int, int]]:
    """Gene/protein form -> (NCBI Gene id, annotated, occurrences), filtered by precision."""
    return {f: v for f, v in learn_forms(train_docs(), "GeneOrGeneProduct").items()
            if len(f) >= 2 and _ALNUM.search(f) and keep(v[1], v[2])}


@lru_cache(maxsize=1)
def learned_rodent_ids() -> dict[tuple[str, str], str]:
    """(HGNC id of the human orthologue, ``rat``/``mouse``) -> the NCBI Gene id BioRED Train gives.

    Each Train gene mention with a non-human id is resolved as written by our resolver (rodent
    symbols included) and filed under the species :func:`ingest.nlp.species.document_species`
    reads from its document; the most frequent id wins.
    """
    from ingest.hgnc import default_resolver
    from ingest.nlp.species import document_species

    resolver = default_resolver()
    human = {g.entrez_id for g in resolver.genes.values() if g.entrez_id}
    votes: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for d in train_docs():
        species = document_species(d.text)
        if species == "human":
            continue
        for _s, _e, text, typ, eid in d.mentions:
            if typ != "GeneOrGeneProduct":
                continue
            res = resolver.resolve(text)
            if not res.ok:
                continue
            for x in eid.split(","):
                x = x.strip()
                if x and x != "-" and x not in human:
                    votes[(res.hgnc_id, species)][x] += 1
    return {k: c.most_common(1)[0][0] for k, c in votes.items()}

