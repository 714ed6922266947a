"""Abbreviation definitions, Schwartz & Hearst (2003): "matrix metalloproteinase-3 (MMP-3)".

Finds ``long form (SHORT)`` pairs and stores them on ``doc._.abbreviations`` as a dict
``short -> (long, start_char, end_char)`` of the long form. Gene NER uses it to drop a short
form whose long form is not a gene ("nucleus pulposus (NP)") and to map one whose long form is.

>>> find_abbreviations("Levels of matrix metalloproteinase-3 (MMP-3) rose.")
{'MMP-3': ('matrix metalloproteinase-3', 10, 36)}
"""
from __future__ import annotations

import re
from typing import Iterator

from spacy.language import Language
from spacy.tokens import Doc

from ingest.nlp.model import doc_text

_PAREN = re.compile(r"\(([^()\s][^()]{0,18})\)")
#: "(rapidly expanding clones; RECs)": the long form inside the bracket, before the semicolon
_INNER = re.compile(r"\(([A-Za-z][^();]{4,80});\s*([A-Za-z][\w-]{1,11})\)")
_WORD = re.compile(r"\S+")


def _valid_short(short: str) -> bool:
    return (2 <= len(short) <= 12 and any(c.isalpha() for c in short) and short[0].isalnum()
            and len(short.split()) <= 2)


def best_long_form(short: str, candidate: str) -> str | None:
    """Shortest suffix of ``candidate`` whose letters cover ``short`` right to left (S&H)."""
    s = len(short) - 1
    l = len(candidate) - 1
    while s >= 0:
        c = short[s].lower()
        if not c.isalnum():
            s -= 1
            continue
        while l >= 0 and (candidate[l].lower() != c or (s == 0 and l > 0 and candidate[l - 1].isalnum())):
            l -= 1
        if l < 0:
            return None
        l -= 1
        s -= 1
    start = candidate.rfind(" ", 0, l + 1) + 1
    return candidate[start:]


def find_abbreviations(text: str) -> dict[str, tuple[str, int, int]]:
    """``short -> (long form, start, end)`` for every definition in ``text`` (first wins)."""
    out: dict[str, tuple[str, int, int]] = {}
    for m in _PAREN.finditer(text):
        short = m.group(1).strip()
        if not _valid_short(short) or short in out:
            continue
        before_end = m.start()
        while before_end > 0 and text[before_end - 1] == " ":
            before_end -= 1
        # window: min(|A| + 5, 2|A|) words before the parenthesis, within the clause
        n_words = min(len(short) + 5, 2 * len(short))
        seg_start = max(text.rfind(c, 0, before_end) for c in ".;:()[]\n") + 1
        words = [w for w in _WORD.finditer(text, seg_start, before_end)][-n_words:]
        if not words:
            continue
        cand_start = words[0].start()
        long = best_long_form(short, text[cand_start:before_end])
        if not long or len(long) <= len(short) or short in long.split():
            continue
        start = before_end - len(long)
        out[short] = (long, start, before_end)
    for m in _INNER.finditer(text):
        short, cand = m.group(2), m.group(1).strip()
        if short in out or not _valid_short(short):
            continue
        long = best_long_form(short, cand)
        if long and len(long) > len(short):
            end = m.start(1) + len(m.group(1).rstrip())
            out[short] = (long, end - len(long), end)
    return out


@Language.component("abbreviations")
def abbreviations(doc: Doc) -> Doc:
    doc._.abbreviations = find_abbreviations(doc_text(doc))
    return doc


def short_form_matches(short: str, text: str) -> Iterator[re.Match]:
    """Occurrences of a short form in ``text`` as a word of its own (not the "MMP" of "MMP-3";
    "NHPH-enhanced" neither: on BioRED Dev, short forms before a hyphen added more wrong chemicals
    than right ones). Where a defined short form recurs, for the lexicon and the gene filter.

    >>> [m.start() for m in short_form_matches("NHPH", "NHPH-enhanced NHPH NHPH-3 xNHPH")]
    [14]
    """
    return re.finditer(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text)
