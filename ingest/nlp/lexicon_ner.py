"""Lexicon NER: processes, cell types, tissues, interventions, mechanical stimuli and phenotypes
from ``ontology/lexicons.yaml`` (and the modules' GO terms), by PhraseMatcher on lower case.

Writes spans labelled with the category, ``kb_id`` = GO id or ``KG:<slug>``, to ``doc.spans["terms"]``.

>>> import spacy
>>> nlp = spacy.blank("en"); _ = nlp.add_pipe("lexicon_ner")
>>> doc = nlp("Static compression induced apoptosis.")
>>> [(s.text, s.label_, s.kb_id_) for s in doc.spans["terms"]]
[('Static compression', 'mechanical_stimulus', 'KG:static_compression'), ('apoptosis', 'biological_process', 'GO:0006915')]
"""
from __future__ import annotations

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ingest.nlp.dictionaries import Term, lexicon_terms
from ingest.nlp.learned import learned_chemicals


@Language.factory("lexicon_ner", default_config={"chemicals": True})
def make_lexicon_ner(nlp: Language, name: str, chemicals: bool):
    """``chemicals``: also tag the chemical forms learned from BioRED Train (``MESH:`` ids)."""
    terms = dict(lexicon_terms())
    if chemicals:
        for form, (mid, text) in learned_chemicals().items():
            terms.setdefault(form, Term(mid, "chemical", text))
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    forms = sorted(terms)
    for form, pattern in zip(forms, nlp.tokenizer.pipe(forms)):
        matcher.add(form, [pattern])
    strings = nlp.vocab.strings

    def lexicon_ner(doc: Doc) -> Doc:
        spans = []
        for match_id, s, e in matcher(doc):
            t = terms[strings[match_id]]
            spans.append(Span(doc, s, e, label=t.category, kb_id=t.id))
        doc.spans["terms"] = filter_spans(spans)
        return doc

    return lexicon_ner
