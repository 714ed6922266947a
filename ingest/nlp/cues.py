"""Negation and hedging: flag relations ``negated`` and/or ``hedged`` (kg/records/belief.py reads them).

Negation cues count when they stand between the two entities or just before the trigger
("did not increase", "had no effect on"); hedge cues ("may", "suggest") anywhere in the sentence.

>>> from ingest.nlp.pipeline import default_pipeline
>>> doc = default_pipeline()("TNF did not increase MMP3. IL1B may induce MMP13.")
>>> [r.flags for r in doc._.relations]
[['negated'], ['hedged']]
"""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc

from ingest.nlp.model import doc_text
from ontology import load_ontology

_WORD = re.compile(r"[^\W_]+|n't", re.UNICODE)


@lru_cache(maxsize=1)
def cue_words() -> tuple[frozenset, frozenset]:
    lex = load_ontology().lexicons
    return (frozenset(w.lower() for w in lex.get("negation_cues", ())),
            frozenset(w.lower() for w in lex.get("hedge_cues", ())))


def _words(text: str, start: int, end: int) -> list[str]:
    return [w.lower() for w in _WORD.findall(text, start, end)]


def _negated(words: list[str], neg: frozenset) -> bool:
    """A negation cue among ``words``; "not only ... but also" does not negate."""
    return any(w in neg and not (w == "not" and i + 1 < len(words) and words[i + 1] == "only")
               for i, w in enumerate(words))


@Language.component("negation_hedging")
def negation_hedging(doc: Doc) -> Doc:
    neg, hedge = cue_words()
    text = doc_text(doc)
    hedged_sentence: dict[tuple[int, int], bool] = {}
    for r in doc._.relations or []:
        lo = min(r.subject.start, r.object.start)
        hi = max(r.subject.end, r.object.end)
        if r.sentence not in hedged_sentence:
            hedged_sentence[r.sentence] = any(w in hedge for w in _words(text, *r.sentence))
        flags = []
        if _negated(_words(text, lo, hi), neg):
            flags.append("negated")
        if hedged_sentence[r.sentence]:
            flags.append("hedged")
        r.flags = flags
    return doc
