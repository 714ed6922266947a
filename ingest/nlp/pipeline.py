"""Compose the spaCy pipeline from a configuration (component names + settings), cached per process.

>>> nlp = default_pipeline()
>>> nlp.pipe_names
['bio_sentences', 'abbreviations', 'lexicon_ner', 'gene_ner', 'gene_filter', 'merge_entities_by_length', 'gene_tagger', 'relations', 'nominal_relations', 'negation_hedging', 'pairs']
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterator, Sequence

import spacy
from spacy.language import Language
from spacy.tokens import Doc

# importing the modules registers their components
from ingest.nlp import (  # noqa: F401
    abbreviations,
    cues,
    entities,
    gene_filter,
    gene_ner,
    gene_tagger,
    lexicon_ner,
    nominal,
    pairs,
    relations,
    sentences,
)
from ingest.nlp.tokenizer import BioTokenizer

#: (component name, config) in order; each does one job.
DEFAULT_CONFIG: tuple[tuple[str, dict[str, Any]], ...] = (
    ("bio_sentences", {}),
    ("abbreviations", {}),
    ("lexicon_ner", {}),
    ("gene_ner", {"names": True}),
    ("gene_filter", {}),
    ("merge_entities_by_length", {}),
    ("gene_tagger", {}),
    ("relations", {}),
    ("nominal_relations", {}),
    ("negation_hedging", {}),
    ("pairs", {}),
)


def build_pipeline(config: Sequence[tuple[str, dict[str, Any]]] = DEFAULT_CONFIG,
                   tokenizer: str = "bio") -> Language:
    """A blank English pipeline with the configured components (no downloaded model).

    ``tokenizer``: ``"bio"`` (:class:`BioTokenizer`, fast) or ``"spacy"`` (the stock English rules).
    If a parser model were installed it could be added with its own entry; none is required.
    """
    nlp = spacy.blank("en")
    if tokenizer == "bio":
        nlp.tokenizer = BioTokenizer(nlp.vocab)
    for name, cfg in config:
        nlp.add_pipe(name, config=dict(cfg))
    return nlp


@lru_cache(maxsize=1)
def default_pipeline() -> Language:
    """The default pipeline, built once per process."""
    return build_pipeline()


_SENTENCE_END = re.compile(r"[.!?]\s")


def _cut(window: str) -> int:
    """Where to end a piece of ``window``: after its last blank line, line break, sentence end or space."""
    for mark in ("\n\n", "\n"):
        i = window.rfind(mark)
        if i > 0:
            return i + len(mark)
    end = max((m.end() for m in _SENTENCE_END.finditer(window)), default=0)
    if end:
        return end
    i = window.rfind(" ")
    return i + 1 if i > 0 else len(window)  # one unbroken run: a hard cut is all there is


def text_chunks(text: str, max_chars: int) -> list[tuple[int, str]]:
    """``(offset, piece)`` pairs of at most ``max_chars`` characters that join back into ``text``.

    Pieces end at a paragraph break if the window has one, else a line break, a sentence end or a
    space, so a sentence is split only when it alone is longer than ``max_chars``.

    >>> text_chunks("One. Two.\\n\\nThree four.", 12)
    [(0, 'One. Two.\\n\\n'), (11, 'Three four.')]
    """
    if max_chars < 1:
        raise ValueError("max_chars must be at least 1")
    out, pos = [], 0
    while len(text) - pos > max_chars:
        window = text[pos:pos + max_chars]
        cut = _cut(window)
        out.append((pos, window[:cut]))
        pos += cut
    out.append((pos, text[pos:]))
    return out


def pipe_long(nlp: Language, text: str, max_chars: int | None = None) -> Iterator[tuple[int, Doc]]:
    """``(offset in text, Doc)`` over ``text`` in pieces of at most ``max_chars`` (default ``nlp.max_length``).

    spaCy refuses a text longer than ``max_length`` (1,000,000 characters by default) outright;
    a shorter text is one Doc exactly as ``nlp(text)`` gives. Abbreviations defined in one piece
    are not known in the next.
    """
    pieces = text_chunks(text, max_chars or nlp.max_length)
    yield from zip((off for off, _ in pieces), nlp.pipe(piece for _, piece in pieces))
