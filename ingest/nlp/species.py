"""The species a document's genes belong to, from the organism words it uses.

BioRED (like NCBI Gene) gives a rat or mouse gene its own id; the graph maps every rodent gene to
its human orthologue. To speak BioRED's id space the evaluation needs the species: the most often
named of rat, mouse and human wins, human when none is named.

>>> document_species("Rats were loaded; rat NP cells and mice."), document_species("MMP3 rose.")
('rat', 'human')
"""
from __future__ import annotations

import re

_WORDS = {
    "rat": re.compile(r"\b(?:rats?|rattus|sprague|wistar)\b", re.I),
    "mouse": re.compile(r"\b(?:mice|mouse|murine|mus musculus)\b", re.I),
    "human": re.compile(r"\b(?:patients?|humans?|women|men|children|individuals|subjects|volunteers|people"
                        r"|famil(?:y|ies)|probands?)\b", re.I),
}


def document_species(text: str) -> str:
    """``rat``, ``mouse`` or ``human`` (ties go to human, then mouse)."""
    counts = {k: len(rx.findall(text)) for k, rx in _WORDS.items()}
    best = max(("human", "mouse", "rat"), key=lambda k: counts[k])
    return best if counts[best] else "human"
