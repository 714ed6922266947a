"""Gene-symbol normalisation, one home for the HGNC resolver and the literature dictionaries.

One table of Greek letters and their spelled-out names, and two folds built from it:
:func:`canonical` keeps case (the NER dictionary tells "Mmp3" from "MMP3"), :func:`normalise_symbol`
folds case and every separator (the resolver's loosest tier).

>>> canonical("TGF-β1"), canonical("IL-1beta"), canonical("Nkx2.5"), canonical("NF-kappaB") == canonical("NF-κB")
('TGFB1', 'IL1B', 'Nkx2.5', True)
>>> normalise_symbol("TGF-β1"), normalise_symbol("TGF-beta 1"), normalise_symbol("MMP-3")
('TGFB1', 'TGFB1', 'MMP3')
"""
from __future__ import annotations

import re
import unicodedata

#: Greek characters -> the Latin capital HGNC symbols use.
GREEK = {"α": "A", "β": "B", "γ": "G", "δ": "D", "ε": "E", "κ": "K", "λ": "L", "μ": "M", "ω": "O",
         "Α": "A", "Β": "B", "Γ": "G", "Δ": "D", "Κ": "K"}
#: Spelled-out Greek letters -> the same capitals.
GREEK_WORDS = {"alpha": "A", "beta": "B", "gamma": "G", "delta": "D", "kappa": "K", "epsilon": "E"}
#: A spelled-out letter attached to a symbol ("IL-1beta", "PKCdelta", "NF-kappaB"), not the start of a
#: word; the letter after it may be a capital ("kappaB"), never a lower-case one ("betaine").
GREEK_WORD = re.compile(r"(?<=[A-Za-z0-9])-?(" + "|".join(GREEK_WORDS) + r")(?-i:(?![a-z]))", re.I)
_SEPARATORS = re.compile(r"[\s\-_]")
_ALL_SEPARATORS = re.compile(r"[\s\-_./]")


def _letters(text: str) -> str:
    t = unicodedata.normalize("NFKC", text)
    return "".join(GREEK.get(c, c) for c in t)


def canonical(text: str) -> str:
    """Case-preserving key: Greek letters to Latin capitals, hyphens, underscores and spaces dropped."""
    t = GREEK_WORD.sub(lambda m: GREEK_WORDS[m.group(1).lower()], _letters(text))
    return _SEPARATORS.sub("", t)


def normalise_symbol(text: str) -> str:
    """Fold case, Greek letters (also spelled out anywhere) and every separator, dots and slashes too."""
    t = _ALL_SEPARATORS.sub("", _letters(text)).upper()
    for word, letter in GREEK_WORDS.items():
        t = t.replace(word.upper(), letter)
    return t
