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


#: what follows a "without" that denies a change ("without affecting TIMP1", "without any change in")
_WITHOUT_DENIES = frozenset({"any", "significant", "significantly", "obvious", "apparent", "detectable",
                             "measurable", "effect", "effects", "change", "changes", "alteration", "alterations"})


def _negated(words: list[str], neg: frozenset) -> bool:
    """A negation cue among ``words``; "not only ... but also" does not negate, nor a "without" that
    names what was left out ("laminectomy without discectomy was associated with resolution").

    >>> neg = frozenset({"not", "without"})
    >>> [_negated(w.split(), neg) for w in ("not only a", "without discectomy was", "without affecting")]
    [False, False, True]
    """
    def cue(i: int, w: str) -> bool:
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if w == "not":
            return nxt != "only"
        if w == "without":
            return nxt.endswith("ing") or nxt in _WITHOUT_DENIES
        return True

    return any(w in neg and cue(i, w) for i, w in enumerate(words))


_CONCESSION = re.compile(r"\s*(?:although|though|even though|while|whereas|despite)\b[^,;]*[,;]", re.I)


def _concession_end(text: str, sentence: tuple[int, int], hi: int) -> int:
    """Where an opening concessive clause ends ("Although IVDD cannot cause death, it can cause pain"),
    if the claim's later mention (ending at ``hi``) lies after it; else the sentence start. A negation
    inside that clause is not said of the main clause.

    >>> t = "Although IVDD cannot cause death, it can cause pain."
    >>> t[_concession_end(t, (0, len(t)), len(t) - 1):]
    ' it can cause pain.'
    """
    m = _CONCESSION.match(text, sentence[0], sentence[1])
    return m.end() if m and m.end() < hi else sentence[0]


def claim_flags(text: str, sentence: tuple[int, int], a, b) -> list[str]:
    """``negated`` / ``hedged`` for a claim joining mentions ``a`` and ``b`` of one sentence.

    >>> from ingest.nlp.model import Mention
    >>> t = "TNF did not increase MMP3."
    >>> claim_flags(t, (0, len(t)), Mention("TNF", 0, 3, "x", "gene"), Mention("MMP3", 21, 25, "y", "gene"))
    ['negated']
    """
    neg, hedge = cue_words()
    flags = []
    lo, hi = min(a.start, b.start), max(a.end, b.end)
    lo = max(lo, _concession_end(text, sentence, hi))
    if _negated(_words(text, lo, hi), neg):
        flags.append("negated")
    if any(w in hedge for w in _words(text, *sentence)):
        flags.append("hedged")
    return flags


@Language.component("negation_hedging")
def negation_hedging(doc: Doc) -> Doc:
    text = doc_text(doc)
    for r in doc._.relations or []:
        r.flags = claim_flags(text, r.sentence, r.subject, r.object)
    return doc
