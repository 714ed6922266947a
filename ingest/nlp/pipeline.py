"""Compose the spaCy pipeline from a configuration (component names + settings), cached per process.

>>> nlp = default_pipeline()
>>> nlp.pipe_names
['bio_sentences', 'abbreviations', 'lexicon_ner', 'gene_ner', 'gene_filter', 'merge_entities_by_length', 'relations', 'negation_hedging']
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Sequence

import spacy
from spacy.language import Language

# importing the modules registers their components
from ingest.nlp import abbreviations, cues, entities, gene_filter, gene_ner, lexicon_ner, relations, sentences  # noqa: F401
from ingest.nlp.tokenizer import BioTokenizer

#: (component name, config) in order; each does one job.
DEFAULT_CONFIG: tuple[tuple[str, dict[str, Any]], ...] = (
    ("bio_sentences", {}),
    ("abbreviations", {}),
    ("lexicon_ner", {}),
    ("gene_ner", {"names": True}),
    ("gene_filter", {}),
    ("merge_entities_by_length", {}),
    ("relations", {}),
    ("negation_hedging", {}),
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
