"""Entity dictionaries built once per process: HGNC symbols and names, ontology lexicons.

>>> d = gene_dictionary()
>>> d.lookup("MMP-3"), d.lookup("Akt"), d.lookup("cat")
('HGNC:7173', 'HGNC:391', None)
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from ingest.hgnc import GREEK, HGNCResolver, default_resolver
from ingest.records import slug
from ontology import Ontology, load_ontology

#: HGNC locus groups the dictionary covers (pseudogene aliases are mostly noise in prose).
LOCUS_GROUPS = ("protein-coding gene", "non-coding RNA")
_SEPARATORS = re.compile(r"[\s\-_]")
_GREEK_WORD = re.compile(r"(?<=[A-Za-z0-9])-?(alpha|beta|gamma|delta|kappa)(?![a-z])", re.I)
_GREEK_LETTER = {"alpha": "A", "beta": "B", "gamma": "G", "delta": "D", "kappa": "K"}


def canonical(text: str) -> str:
    """Case-preserving key: Greek letters to Latin capitals, separators dropped.

    >>> canonical("TGF-β1"), canonical("IL-1beta"), canonical("Nkx2.5")
    ('TGFB1', 'IL1B', 'Nkx2.5')
    """
    t = unicodedata.normalize("NFKC", text)
    t = "".join(GREEK.get(c, c) for c in t)
    t = _GREEK_WORD.sub(lambda m: _GREEK_LETTER[m.group(1).lower()], t)
    return _SEPARATORS.sub("", t)


@dataclass(eq=False)  # hashed by identity: cached per process
class GeneDictionary:
    """Symbol -> HGNC id (case-sensitive, approved before previous before alias)."""

    exact: dict[str, str] = field(default_factory=dict)
    folded: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)  # lower-cased full name -> HGNC id
    learned: dict[str, str] = field(default_factory=dict)  # BioRED Train form (one chunk) -> HGNC id
    stopwords: frozenset = frozenset()

    def lookup(self, text: str) -> str | None:
        """HGNC id for a symbol as written, or None. Stop-words never match."""
        if not text or text in self.stopwords or text.upper() in self.stopwords:
            return None
        hit = self.exact.get(text) or self.learned.get(text)
        if hit:
            return hit
        # plain ASCII symbols ("Mmp3") are their own key: skip the Unicode folding
        key = text if text.isascii() and text.isalnum() and not _GREEK_WORD.search(text) else canonical(text)
        hit = self.folded.get(key)
        if hit:
            return hit
        # "Mmp3", "Il6", "p38": rodent/lower-case spellings of symbols with a digit
        if len(key) >= 3 and key[0].isalpha() and not key.isalpha():
            return self.folded.get(key.upper())
        if key.startswith("miR") or key.startswith("mir"):
            return self.folded.get("MIR" + key[3:].upper())
        up = key.upper()
        if up in self.stopwords:
            return None
        # "Akt", "Shh": title-case rodent symbols of four letters or fewer
        if 3 <= len(key) <= 4 and key[0].isupper() and key[1:].islower():
            return self.folded.get(up)
        # "mTOR", "apoE", "TNFa", "IFNg": mixed case with a capital after the first letter
        if 3 <= len(key) <= 8 and any(c.isupper() for c in key[1:]) and any(c.islower() for c in key):
            return self.folded.get(up)
        return None


@lru_cache(maxsize=4)
def gene_dictionary(resolver: HGNCResolver | None = None, learned: bool = True) -> GeneDictionary:
    """The HGNC dictionary (cached: built once per process).

    ``learned``: add the forms learned from BioRED Train (:mod:`ingest.nlp.learned`).
    """
    resolver = resolver or default_resolver()
    lex = load_ontology().lexicons
    stop = frozenset(s for s in lex.get("gene_stopwords", ()))
    d = GeneDictionary(stopwords=stop)
    for sym, hid, _tier in resolver.symbol_index():
        if resolver.genes[hid].locus_group not in LOCUS_GROUPS or len(sym) < 2:
            continue
        d.exact.setdefault(sym, hid)
        d.folded.setdefault(canonical(sym), hid)
    for hid, g in resolver.genes.items():
        if g.locus_group == "protein-coding gene" and len(g.name) >= 5:
            d.names.setdefault(g.name.lower(), hid)
            if g.name.endswith(" A") and g.name[:-2].lower() not in d.names:
                # "vascular endothelial growth factor" names VEGFA in prose
                d.names.setdefault(g.name[:-2].lower(), hid)
            if g.name.endswith("metallopeptidase " + g.name.rsplit(" ", 1)[-1]):
                # prose says "matrix metalloproteinase-3" for HGNC's "matrix metallopeptidase 3"
                d.names.setdefault(g.name.lower().replace("metallopeptidase", "metalloproteinase"), hid)
    add_name_heads(d, resolver)
    if learned:
        add_learned_forms(d, resolver)
    return d


def add_name_heads(d: GeneDictionary, resolver: HGNCResolver) -> None:
    """"adiponectin, C1Q and collagen domain containing" is "adiponectin" in prose.

    Only one-word protein-like heads ("-in", "-ase") that begin at most three names
    ("phosphatase", "proline" begin many and are words, not genes).
    """
    first_words: Counter = Counter()
    heads: dict[str, str] = {}
    for hid, g in resolver.genes.items():
        if g.locus_group != "protein-coding gene":
            continue
        name = g.name.lower()
        first_words[re.split(r"[ ,]", name, maxsplit=1)[0]] += 1
        head = name.split(",", 1)[0]
        if head != name and len(head) >= 5 and " " not in head:
            heads[head] = hid
    for head, hid in heads.items():
        if first_words[head] <= 3 and head.endswith(("in", "ase")):
            d.names.setdefault(head, hid)


def add_learned_forms(d: GeneDictionary, resolver: HGNCResolver) -> None:
    """Add BioRED-Train gene forms: one-chunk forms to ``learned``, multi-word ones to ``names``.

    The id is the human gene BioRED names, else the HGNC gene the form spells (a rodent
    orthologue "Mmp3" -> MMP3); forms naming no HGNC gene are left out.
    """
    from ingest.nlp.learned import learned_gene_forms

    for form, (ncbi, _ann, _occ) in learned_gene_forms().items():
        hid = resolver.by_entrez(ncbi)
        if hid is None:
            hid = d.lookup(form) or d.folded.get(canonical(form).upper()) or d.names.get(form.lower())
        if not hid or hid not in resolver.genes:
            continue
        if " " in form:
            d.names.setdefault(form.lower(), hid)
        elif form not in d.exact:
            d.learned.setdefault(form, hid)


@dataclass(frozen=True)
class Term:
    """A lexicon entry: the node it names."""

    id: str
    category: str
    name: str


LEXICON_CATEGORIES = (("ner_processes", "biological_process"), ("ner_cell_types", "cell_type"),
                      ("ner_tissues", "tissue"), ("ner_interventions", "intervention"),
                      ("mechanical_stimuli", "mechanical_stimulus"), ("ner_phenotypes", "phenotype"))


@lru_cache(maxsize=2)
def lexicon_terms(onto: Ontology | None = None) -> dict[str, Term]:
    """Lower-cased surface form -> Term, from ontology/lexicons.yaml and the modules' GO terms.

    Ids are GO ids where the lexicon or a module gives one, else ``KG:<slug(name)>`` so they
    merge with curated nodes of the same name.
    """
    onto = onto or load_ontology()
    out: dict[str, Term] = {}
    for key, category in LEXICON_CATEGORIES:
        for entry in onto.lexicons.get(key, ()):
            name = entry["name"]
            term = Term(entry.get("id") or f"KG:{slug(name)}", category, name)
            for form in (name, *(entry.get("synonyms") or ())):
                out.setdefault(form.lower(), term)
    for m in onto.modules.values():
        for go in m.go_terms:
            if "(" not in go["name"]:
                out.setdefault(go["name"].lower(), Term(go["id"], "biological_process", go["name"]))
    return out
