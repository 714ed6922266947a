"""Study context from free text: species, tissue and design (clinical, in vivo, in vitro...).

>>> parse_context("rat IVD explants ex vivo, 1.3 MPa 1 Hz")["design"]
'ex_vivo'
>>> parse_context("human; 29 patients, 101 herniated discs")["species"]
'human'
"""
from __future__ import annotations

import re
from functools import lru_cache

from ontology import load_ontology


@lru_cache(maxsize=256)
def _has(word: str):
    return re.compile(r"(?<![A-Za-z])" + re.escape(word) + r"(?![A-Za-z])",
                      0 if word.isupper() else re.IGNORECASE).search


def parse_context(text: str) -> dict[str, str]:
    """Species, tissue and design found in ``text``; the raw text is kept under ``text``."""
    lex = load_ontology().lexicons
    out: dict[str, str] = {}
    if not text:
        return {"design": "unknown"}
    for species, words in lex.get("species", {}).items():
        if any(_has(w)(text) for w in words):
            out["species"] = species
            break
    for tissue, words in lex.get("tissue", {}).items():
        if any(_has(w)(text) for w in words):
            out["tissue"] = tissue
            break
    out["design"] = "unknown"
    for design, words in lex.get("design", []):
        if any(_has(w)(text) for w in words):
            out["design"] = design
            break
    out["text"] = text
    return out
