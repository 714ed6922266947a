"""Merge gene and lexicon spans into ``doc.ents``: the longest span wins an overlap.

"NF-κB signalling" (a process) beats the gene inside it; "MMP-3" beats nothing shorter.
"""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import filter_spans


@Language.component("merge_entities_by_length")
def merge_entities_by_length(doc: Doc) -> Doc:
    spans = list(doc.spans.get("genes", [])) + list(doc.spans.get("terms", []))
    if doc._.given_entities is not None:
        spans += [s for s in _given_other(doc)]
    doc.ents = filter_spans(spans)
    return doc


def _given_other(doc: Doc):
    for start, end, eid, category in doc._.given_entities:
        if category != "gene":
            span = doc.char_span(start, end, label=category, kb_id=eid, alignment_mode="expand")
            if span is not None:
                yield span
