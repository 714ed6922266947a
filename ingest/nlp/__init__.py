"""spaCy pipeline for biomedical abstracts: sentences, abbreviations, NER, relations, cues.

Every component is registered with ``@Language.component``/``factory`` in its own module and
composed by :func:`ingest.nlp.pipeline.build_pipeline` from a configuration; no downloaded
model is needed (``spacy.blank("en")``).

>>> from ingest.nlp.pipeline import default_pipeline
>>> doc = default_pipeline()("TNF increased MMP3 expression in NP cells.")
>>> [(r.subject.text, r.predicate, r.object.text) for r in doc._.relations]
[('TNF', 'increases', 'MMP3')]
"""
from ingest.nlp.model import EXTRACTOR, EXTRACTOR_VERSION, Mention, Relation

__all__ = ["EXTRACTOR", "EXTRACTOR_VERSION", "Mention", "Relation"]
