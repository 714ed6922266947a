"""Gene/protein mention boundaries from a CRF stacked on the dictionaries, learned from BioRED Train.

The dictionaries (:mod:`ingest.nlp.gene_ner`, :mod:`ingest.nlp.lexicon_ner`) find the forms they
hold; they miss the long tail ("AT1a", "gankyrin", "Hsp90beta") and cannot tell "CAT" the
enzyme from "CAT" the test. A linear-chain CRF (CRFsuite, via ``python-crfsuite``) reads each
token's word form, shape, affixes and neighbours **and the dictionaries' own tag for it**, and
decides the gene spans. A span it keeps that a dictionary named keeps that id; a new span takes
the id the gene dictionary gives its text (symbol, folded symbol, alias, name); a span no
dictionary can ground is not an entity of the graph: it goes to ``doc.spans["ungrounded_genes"]``
(scored as a mention by the evaluation, never an edge).

The model (``kg/datapack/models/gene_tagger.crfsuite``, ~0.4 MB) is written by ``kg train genes``
(:mod:`ingest.train_gene_tagger`); training is deterministic and the suite checks the shipped
file is reproduced. Without the file the component changes nothing.

>>> shape("IL-1beta"), shape("MMP13")
('XX-dxx', 'XXdd')
"""
from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ingest.nlp.dictionaries import gene_dictionary
from ingest.nlp.gene_filter import in_cell_line, plausible_text
from ingest.nlp.model import doc_text

MODEL_FILE = Path(__file__).resolve().parents[2] / "kg" / "datapack" / "models" / "gene_tagger.crfsuite"
GENE_LABELS = ("gene", "gene_group")
_GREEK = frozenset("alpha beta gamma delta epsilon kappa lambda mu sigma tau omega theta zeta eta iota rho".split())
_UPPER, _LOWER, _DIGIT, _RUN = re.compile(r"[A-Z]"), re.compile(r"[a-z]"), re.compile(r"\d"), re.compile(r"(.)\1+")


@lru_cache(maxsize=1 << 16)
def shape(word: str) -> str:
    """Word shape with runs collapsed to two: upper X, lower x, digit d, the rest as written."""
    s = _DIGIT.sub("d", _LOWER.sub("x", _UPPER.sub("X", word)))
    return _RUN.sub(r"\1\1", s)


def dictionary_tags(doc: Doc) -> list[str]:
    """BIO tag per token of what the dictionaries put in ``doc.ents`` (gene, gene_group, chemical, other)."""
    tags = ["O"] * len(doc)
    for e in doc.ents:
        lab = e.label_ if e.label_ in ("gene", "gene_group", "chemical") else "other"
        for i in range(e.start, e.end):
            tags[i] = ("B-" if i == e.start else "I-") + lab
    return tags


def token_features(doc: Doc) -> list[dict[str, Any]]:
    """CRFsuite features per token (strings become ``name=value`` features, booleans 0/1)."""
    tags = dictionary_tags(doc)
    text = doc_text(doc)
    # token texts and trailing spaces from one array: building a Token object per token costs more
    cols = doc.to_array(["IDX", "LENGTH", "SPACY"]).tolist() if len(doc) else []
    toks = [text[a:a + n] for a, n, _sp in cols]
    lows = [w.lower() for w in toks]
    shapes = [shape(w) for w in toks]
    n = len(toks)
    out: list[dict[str, Any]] = []
    for i, w in enumerate(toks):
        low = lows[i]
        f: dict[str, Any] = {"b": 1.0, "w": low, "sh": shapes[i], "p2": w[:2], "p3": w[:3], "s2": w[-2:],
                             "s3": w[-3:], "s4": w[-4:], "up": w.isupper(), "ti": w.istitle(),
                             "dig": any(c.isdigit() for c in w), "len": min(len(w), 10), "dict": tags[i],
                             "greek": low in _GREEK, "space_after": bool(cols[i][2])}
        for o, name in _OFFSETS:
            j = i + o
            if 0 <= j < n:
                f[name[0]], f[name[1]], f[name[2]] = lows[j], shapes[j], tags[j]
            else:
                f[name[0]] = "<pad>"
        f["-1w|w"] = f"{f['-1w']}|{low}"
        out.append(f)
    return out


_OFFSETS = tuple((o, (f"{o}w", f"{o}sh", f"{o}dict")) for o in (-2, -1, 1, 2))


def bio_spans(tags: list[str]) -> list[tuple[int, int]]:
    """Token spans ``[start, end)`` of B/I runs (an I after O starts a span).

    >>> bio_spans(["O", "B", "I", "O", "I", "B"])
    [(1, 3), (4, 5), (5, 6)]
    """
    out, i = [], 0
    while i < len(tags):
        if tags[i] == "B" or (tags[i] == "I" and (i == 0 or tags[i - 1] == "O")):
            j = i + 1
            while j < len(tags) and tags[j] == "I":
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


@lru_cache(maxsize=4)
def _tagger(path: str):
    if not Path(path).is_file():
        return None
    import pycrfsuite

    t = pycrfsuite.Tagger()
    t.open(path)
    return t


def _ground(text: str) -> str | None:
    gd = gene_dictionary()
    return gd.lookup(text) or gd.names.get(text.lower())


@Language.factory("gene_tagger", default_config={"model_path": ""})
def make_gene_tagger(nlp: Language, name: str, model_path: str) -> "GeneTagger":
    return GeneTagger(model_path or str(MODEL_FILE))


class GeneTagger:
    """The spaCy component: the CRF decides gene spans; ids from the dictionaries."""

    def __init__(self, model_path: str):
        self.model_path = model_path

    def __call__(self, doc: Doc) -> Doc:
        tagger = _tagger(self.model_path)
        if tagger is None or not len(doc):
            return doc
        tags = tagger.tag(token_features(doc))
        stop = gene_dictionary().stopwords
        text = doc_text(doc)
        ents = list(doc.ents)
        by_bounds = {(e.start, e.end): e for e in ents}
        genes, ungrounded = [], []
        for s, e in bio_spans(tags):
            known = by_bounds.get((s, e))
            if known is not None and known.label_ in GENE_LABELS:
                genes.append(known)
                continue
            span = doc[s:e]
            if known is None and (not plausible_text(span.text)
                                  or in_cell_line(text, span.start_char, span.end_char)):
                continue  # the gene filter's rules hold for the CRF's spans too ("L2-3" is a spinal level)
            # a stop-word ("T-G" of "Fib-T-G gel", "ERK") stays a mention but takes no id
            hid = _ground(span.text) if plausible_text(span.text, stop) else None
            if hid is not None:
                genes.append(Span(doc, s, e, label="gene_group" if hid.startswith("KGGROUP:") else "gene",
                                  kb_id=hid))
            elif known is None:
                ungrounded.append(Span(doc, s, e, label="gene"))
        # dictionary genes the CRF does not tag are dropped, gene families kept (BioRED, which
        # the CRF learned from, rarely tags a family the way the graph names one); other entities
        # keep their place unless a gene span overlaps them (the longer span wins, as in
        # merge_entities_by_length)
        others = [e for e in ents if e.label_ != "gene"]
        doc.ents = filter_spans(genes + others)
        taken = [(e.start, e.end) for e in doc.ents]
        doc.spans["ungrounded_genes"] = [u for u in ungrounded
                                         if not any(a < u.end and u.start < b for a, b in taken)]
        return doc
