"""What the NLP components produce: entity mentions and relations, plus the Doc extensions."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc

EXTRACTOR = "ldh-nlp"
EXTRACTOR_VERSION = "0.3.0"


@dataclass(frozen=True)
class Mention:
    """One entity mention: character offsets in the document text, id and category."""

    text: str
    start: int
    end: int
    id: str
    category: str
    name: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "start": self.start, "end": self.end, "id": self.id,
                "category": self.category, "name": self.name}


@dataclass
class Relation:
    """A signed relation between two mentions of one sentence.

    ``sentence`` holds the sentence's character offsets in the document text.
    """

    subject: Mention
    predicate: str
    object: Mention
    sign: int
    trigger: str
    sentence: tuple[int, int]
    flags: list[str] = field(default_factory=list)

    def to_dict(self, text: str | None = None) -> dict[str, Any]:
        d = {"subject": self.subject.id, "subject_text": self.subject.text, "predicate": self.predicate,
             "object": self.object.id, "object_text": self.object.text, "sign": self.sign,
             "trigger": self.trigger, "flags": list(self.flags), "sentence_offsets": list(self.sentence)}
        if text is not None:
            d["sentence"] = text[self.sentence[0]:self.sentence[1]]
        return d


def doc_text(doc: Doc) -> str:
    """``doc.text``, computed once: spaCy rebuilds it from every token on each access."""
    text = doc.user_data.get("text")
    if text is None:
        text = doc.user_data["text"] = doc.text
    return text


def sentence_spans(doc: Doc) -> list:
    """Sentence spans from ``doc._.sentence_starts`` (set by ``bio_sentences``), else ``doc.sents``.

    Faster than ``doc.sents``, which re-checks every token's annotation on each call.
    """
    starts = doc._.sentence_starts
    if starts is None:
        return list(doc.sents)
    bounds = list(starts) + [len(doc)]
    return [doc[a:b] for a, b in zip(bounds, bounds[1:]) if b > a]


def register_extensions() -> None:
    """Doc attributes shared by the components (idempotent)."""
    for name, default in (("abbreviations", None), ("given_entities", None), ("relations", None),
                          ("sentence_starts", None)):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=default)


register_extensions()
