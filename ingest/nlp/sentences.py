"""Sentence boundaries for biomedical prose, found on the text and set in one array write.

A ``.``, ``!`` or ``?`` followed by whitespace ends a sentence only when the next character
starts like a sentence (capital, digit, bracket) and the word before is not an abbreviation
("et al.", "Fig.", "vs.", "i.e.", a single letter). Decimals ("1.3 MPa") and dotted gene names
("Nkx2.5") have no space after the dot and never split; a stop glued between two words
("patients.Recent") does. A newline always ends a sentence (titles, structured abstract
sections).

>>> import spacy
>>> nlp = spacy.blank("en"); _ = nlp.add_pipe("bio_sentences")
>>> [s.text for s in nlp("Smith et al. showed it (Fig. 2). TNF rose 1.3-fold vs. IL6.").sents]
['Smith et al. showed it (Fig. 2).', 'TNF rose 1.3-fold vs. IL6.']
"""
from __future__ import annotations

import re

import numpy
from spacy.attrs import IDX, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from ingest.nlp.model import doc_text

ABBREVIATIONS = frozenset({
    "al", "fig", "figs", "vs", "e.g", "i.e", "cf", "approx", "ca", "dr", "no", "nos", "eq", "ref",
    "refs", "st", "vol", "resp", "sp", "spp", "mr", "mrs", "ms", "prof", "inc", "ltd", "co", "viz",
    "etc", "ed", "eds", "suppl", "tab", "n.s", "var", "subsp", "wt",
})
OPENERS = frozenset("([\"'“‘")
_BREAK = re.compile(r"[.!?](?=\s)|\n")
#: a stop with no space after it, between a lower-case word and a capitalised one: a boundary the
#: record lost ("quality of life.Recent studies", seen in disc abstracts); "Nkx2.5", "E.coli" do not match
_GLUED = re.compile(r"(?<=[a-z]{3})[.!?](?=[A-Z][a-z])")
#: names written lower-case first that start sentences ("miR-503 and TNIK were knocked down")
_LOWER_START = re.compile(r"(?:miR-?\d|(?:lnc|circ|si|sh|m)RNA|p\d{2}\b|c-[A-Z])")


def _ends_with_abbreviation(word: str) -> bool:
    w = word.lower().rstrip(".")
    return w in ABBREVIATIONS or (len(w) == 1 and w.isalpha()) or "." in w


def _word_before(text: str, p: int) -> str:
    """The word (letters, digits, dots) that ends at offset ``p``."""
    k = p
    while k > 0 and (text[k - 1].isalnum() or text[k - 1] == "."):
        k -= 1
    return text[k:p]


def sentence_starts(text: str) -> list[int]:
    """Character offsets where a sentence starts (after the first).

    >>> sentence_starts("It rose (Fig. 2). It fell vs. A.\\nB")
    [18, 33]
    >>> sentence_starts("It rose in patients.Recent work (etc.Next) used Nkx2.5 and E.coli.")
    [20]
    >>> sentence_starts("Cells were cultured in vitro. miR-503 fell. p53 rose, as did c-Myc.")
    [30, 44]
    """
    out = []
    n = len(text)
    for m in _BREAK.finditer(text):
        p = m.start()
        j = p + 1
        newline = text[p] == "\n"
        while j < n and text[j].isspace():
            newline = newline or text[j] == "\n"
            j += 1
        if j >= n:
            continue
        if not newline:
            c = text[j]
            if not (c.isupper() or c.isdigit() or c in OPENERS or _LOWER_START.match(text, j)):
                continue
            if text[p] == ".":
                word = _word_before(text, p)
                if word and _ends_with_abbreviation(word):
                    continue
        if not out or out[-1] != j:  # ". \n" is one boundary
            out.append(j)
    glued = [m.end() for m in _GLUED.finditer(text) if not _ends_with_abbreviation(_word_before(text, m.start()))]
    return sorted(out + glued) if glued else out


@Language.component("bio_sentences")
def bio_sentences(doc: Doc) -> Doc:
    """Mark sentence starts (tokens beginning at the offsets of :func:`sentence_starts`)."""
    n = len(doc)
    if n == 0:
        return doc
    idx = doc.to_array(IDX).astype("int64")
    arr = numpy.full(n, -1, dtype="int64")
    arr[0] = 1
    starts = sentence_starts(doc_text(doc))
    if starts:
        pos = numpy.searchsorted(idx, starts)
        for i, c in zip(pos, starts):
            if i < n and idx[i] == c:
                arr[i] = 1
    doc.from_array([SENT_START], arr.astype("uint64").reshape(-1, 1))
    doc._.sentence_starts = numpy.flatnonzero(arr == 1).tolist()
    return doc
