"""Entity dictionaries built once per process: HGNC symbols and names, ontology lexicons.

>>> d = gene_dictionary()
>>> d.lookup("MMP-3"), d.lookup("Akt"), d.lookup("cat")
('HGNC:7173', 'HGNC:391', None)
"""
from __future__ import annotations

import gzip
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterator

from ingest.hgnc import HGNCResolver, default_resolver
from ingest.symbols import GREEK_WORD, canonical
from kg.datapack import datapack_path
from kg.records.sources import slug
from ontology import Ontology, load_ontology

#: HGNC locus groups the dictionary covers (pseudogene aliases are mostly noise in prose).
LOCUS_GROUPS = ("protein-coding gene", "non-coding RNA")
_SEPARATORS = re.compile(r"[\s\-_]")
@dataclass(eq=False)  # hashed by identity: cached per process
class GeneDictionary:
    """Symbol -> HGNC id, in the resolver's order (:mod:`ingest.hgnc`).

    A settled prose form, then the approved symbol as written, the approved symbol folded for
    hyphens, spaces and Greek letters ("ADAMTS-4" is ADAMTS4, never the ADAMTS3 alias "ADAMTS-4"),
    a previous symbol or alias as written, a BioRED-Train form, a folded previous symbol or alias
    (refused when it names two genes), then case variants ("Mmp3") and rodent symbols ("Trp53").
    """

    exact: dict[str, str] = field(default_factory=dict)  # approved symbol as written
    folded: dict[str, str] = field(default_factory=dict)  # canonical(approved symbol)
    other: dict[str, str] = field(default_factory=dict)  # previous symbol, then alias, as written
    other_folded: dict[str, str | None] = field(default_factory=dict)  # canonical(previous/alias); None: ambiguous
    prose: dict[str, str] = field(default_factory=dict)  # ingest.hgnc.PROSE_FORMS
    rodent: dict[str, str] = field(default_factory=dict)  # mouse/rat symbol -> human HGNC id
    names: dict[str, str] = field(default_factory=dict)  # lower-cased full name -> HGNC id
    learned: dict[str, str] = field(default_factory=dict)  # BioRED Train form (one chunk) -> HGNC id
    stopwords: frozenset = frozenset()

    def _key(self, key: str) -> tuple[str | None, str]:
        """Approved before previous/alias for one canonical key."""
        hit = self.folded.get(key)
        if hit:
            return hit, "approved"
        return self.other_folded.get(key), "alias"

    def lookup(self, text: str) -> str | None:
        """HGNC id for a symbol as written, or None. Stop-words never match."""
        return self.find(text)[0]

    def find(self, text: str) -> tuple[str | None, str]:
        """(HGNC id or None, tier): tier ``prose``, ``approved``, ``alias`` (previous symbols
        included), ``learned`` or ``rodent`` — how much the match is worth."""
        if not text or text in self.stopwords or text.upper() in self.stopwords:
            return None, ""
        hit = self.prose.get(text)
        if hit:
            return hit, "prose"
        hit = self.exact.get(text)
        if hit:
            return hit, "approved"
        # plain ASCII symbols ("Mmp3") are their own key: skip the Unicode folding
        key = text if text.isascii() and text.isalnum() and not GREEK_WORD.search(text) else canonical(text)
        for hit, tier in ((self.folded.get(key), "approved"), (self.other.get(text), "alias"),
                          (self.learned.get(text), "learned"), (self.other_folded.get(key), "alias"),
                          (self.rodent.get(text), "rodent")):
            if hit:
                return hit, tier
        if len(key) >= 3 and key.endswith("s") and key[:-1].isupper():
            return None, ""  # "CTs", "DEGs", "RECs": the plural of an abbreviation
        # "Mmp3", "Il6", "p38": rodent/lower-case spellings of symbols with a digit
        if len(key) >= 3 and key[0].isalpha() and not key.isalpha():
            return self._key(key.upper())
        if key.startswith("miR") or key.startswith("mir"):
            return self._key("MIR" + key[3:].upper())
        up = key.upper()
        if up in self.stopwords:
            return None, ""
        # "Shh", "Ptn": title-case rodent symbols of four letters or fewer, when they spell an
        # approved symbol ("Cage", "Men", "Ray" spell only aliases and stay words)
        if 3 <= len(key) <= 4 and key[0].isupper() and key[1:].islower():
            return self.folded.get(up), "approved"
        # "mTOR", "apoE", "TNFa", "IFNg": mixed case with a capital after the first letter
        if 3 <= len(key) <= 8 and any(c.isupper() for c in key[1:]) and any(c.islower() for c in key):
            return self._key(up)
        return None, ""


_TITLE_WORD = re.compile(r"[A-Z][a-z]+")


def _word_like(symbol: str) -> bool:
    """A title-case alias that reads as an English word ("Men", "Ray", "Genesis"), not a protein
    name ("Langerin", "Kalirin")."""
    return bool(_TITLE_WORD.fullmatch(symbol)) and not (symbol.endswith("in") and len(symbol) >= 6)


@lru_cache(maxsize=4)
def gene_dictionary(resolver: HGNCResolver | None = None, learned: bool = True) -> GeneDictionary:
    """The HGNC dictionary (cached: built once per process).

    ``learned``: add the forms learned from BioRED Train (:mod:`ingest.nlp.learned`).
    """
    from ingest.hgnc import PROSE_FORMS

    resolver = resolver or default_resolver()
    lex = load_ontology().lexicons
    stop = frozenset(s for s in lex.get("gene_stopwords", ()))
    d = GeneDictionary(stopwords=stop)
    conflicts: set[str] = set()
    for sym, hid, tier in resolver.symbol_index():
        if resolver.genes[hid].locus_group not in LOCUS_GROUPS or len(sym) < 2:
            continue
        key = canonical(sym)
        if tier == "approved":
            d.exact.setdefault(sym, hid)
            d.folded.setdefault(key, hid)
            continue
        if _word_like(sym):
            continue
        d.other.setdefault(sym, hid)
        prev = d.other_folded.get(key, hid)
        if prev != hid:
            conflicts.add(key)
        d.other_folded.setdefault(key, hid)
    for key in conflicts:
        d.other_folded[key] = None  # "IL-1Ra": a previous symbol of IL1R1 and an alias of IL1RN
    d.other_folded = {k: v for k, v in d.other_folded.items() if v is not None}
    for form, symbol in PROSE_FORMS.items():
        hid = resolver.by_symbol(symbol)
        if hid:
            d.prose[form] = hid
    d.rodent = rodent_symbols(resolver)
    for hid, g in resolver.genes.items():
        if g.locus_group == "protein-coding gene" and len(g.name) >= 5:
            d.names.setdefault(g.name.lower(), hid)
            if g.name.endswith(" A") and g.name[:-2].lower() not in d.names:
                # "vascular endothelial growth factor" names VEGFA in prose
                d.names.setdefault(g.name[:-2].lower(), hid)
    add_prose_names(d, resolver)
    add_name_heads(d, resolver)
    if learned:
        add_learned_forms(d, resolver)
    return d


_NUMBERED = re.compile(r"^(?P<stem>.*?) (?P<n>\d+)$")


def add_prose_names(d: GeneDictionary, resolver: HGNCResolver) -> None:
    """Full names as prose writes them where HGNC's differ: "matrix metalloproteinase-3" (HGNC:
    "matrix metallopeptidase 3"), "metalloproteinase-3", "tissue inhibitor of metalloproteinase-2"
    (TIMP2), "a disintegrin and metalloproteinase with thrombospondin motifs 4" (ADAMTS4),
    "aggrecanase-1" (ADAMTS4), "caspase 3", "integrin β1" / "beta1 integrin" (ITGB1).
    """
    def add(form: str, symbol: str) -> None:
        hid = resolver.by_symbol(symbol)
        if hid:
            d.names.setdefault(form.lower(), hid)

    for hid, g in resolver.genes.items():
        m = _NUMBERED.match(g.name)
        if not m:
            continue
        n = m.group("n")
        if g.symbol == f"MMP{n}":
            for stem in ("matrix metalloproteinase", "matrix metalloprotease", "metalloproteinase",
                         "matrix metallopeptidase"):
                add(f"{stem} {n}", g.symbol)
        elif g.symbol == f"TIMP{n}":
            for stem in ("tissue inhibitor of metalloproteinase", "tissue inhibitor of metalloproteinases",
                         "tissue inhibitor for metalloproteinase",
                         "tissue inhibitor of matrix metalloproteinase", "tissue inhibitor of metalloproteinase-"):
                add(f"{stem} {n}", g.symbol)
        elif g.symbol == f"ADAMTS{n}":
            for stem in ("a disintegrin and metalloproteinase with thrombospondin motifs",
                         "a disintegrin and metalloproteinase with thrombospondin motif",
                         "a disintegrin and metalloproteinase with thrombospondin type 1 motif",
                         "ADAM metallopeptidase with thrombospondin type 1 motif",
                         "a disintegrin-like and metalloproteinase with thrombospondin type 1 motif"):
                add(f"{stem} {n}", g.symbol)
    for sub, symbol in [*((f"{n}", f"ITGA{n}") for n in range(1, 12)), *((f"{n}", f"ITGB{n}") for n in range(1, 9)),
                        ("v", "ITGAV")]:
        # "integrin β1", "beta1 integrin", "integrin-α5" (HGNC: "integrin subunit beta 1")
        for letter in (("α", "alpha") if symbol.startswith("ITGA") else ("β", "beta")):
            for form in (f"integrin {letter}{sub}", f"integrin {letter} {sub}", f"integrin-{letter}{sub}",
                         f"{letter}{sub} integrin", f"{letter}{sub}-integrin", f"{letter}-{sub} integrin"):
                add(form, symbol)
    add("aggrecanase 1", "ADAMTS4")
    add("aggrecanase 2", "ADAMTS5")
    for roman, n, symbol in (("I", "1", "COL1A1"), ("II", "2", "COL2A1"), ("X", "10", "COL10A1")):
        for form in (f"collagen type {roman}", f"type {roman} collagen", f"collagen {roman}", f"collagen type {n}",
                     f"type {n} collagen", f"collagen-{roman}"):
            add(form, symbol)
    add("substance P", "TAC1")
    for kind, symbol in (("neuronal", "NOS1"), ("inducible", "NOS2"), ("endothelial", "NOS3")):
        # "inducible NO synthase" (HGNC: "nitric oxide synthase 2")
        for stem in ("nitric oxide synthase", "NO synthase", "nitric-oxide synthase"):
            add(f"{kind} {stem}", symbol)
    for n in range(1, 11):
        # "C-C chemokine receptor 5" (HGNC: "C-C motif chemokine receptor 5"), "CXC chemokine receptor 4"
        for cc in ("C-C", "CC"):
            add(f"{cc} chemokine receptor {n}", f"CCR{n}")
            add(f"{cc} chemokine receptor type {n}", f"CCR{n}")
        for cxc in ("C-X-C", "CXC"):
            add(f"{cxc} chemokine receptor {n}", f"CXCR{n}")
            add(f"{cxc} chemokine receptor type {n}", f"CXCR{n}")
    for n in range(1, 6):
        add(f"mitochondrial uncoupling protein {n}", f"UCP{n}")  # HGNC: "uncoupling protein 3"
    for sub, letter, top in (("vanilloid", "V", 6), ("melastatin", "M", 8), ("canonical", "C", 7), ("ankyrin", "A", 1)):
        # "transient receptor potential vanilloid 4" (HGNC: "... cation channel subfamily V member 4")
        for n in range(1, top + 1):
            add(f"transient receptor potential {sub} {n}", f"TRP{letter}{n}")


def rodent_symbols(resolver: HGNCResolver) -> dict[str, str]:
    """Official mouse/rat symbols -> human HGNC id, from the shipped orthologue table
    (``kg/datapack/orthologs/rodent_symbols.tsv.gz``, built by ``tools/make_rodent_orthologs.py``
    from HGNC, MGI and RGD). Only symbols case folding cannot find ("Trp53" -> TP53)."""
    import csv
    import io

    from ingest.errors import open_gzip
    from kg.datapack import datapack_path

    try:
        path = datapack_path("orthologs", "rodent_symbols.tsv.gz")
    except FileNotFoundError:
        return {}
    with io.TextIOWrapper(open_gzip(path.open("rb"), path.name), encoding="utf-8") as fh:
        return {r["rodent_symbol"]: r["hgnc_id"] for r in csv.DictReader(fh, delimiter="\t")
                if r["hgnc_id"] in resolver.genes}


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


def go_process_forms() -> dict[str, Term]:
    """Lower-cased form -> Term of the GO biological processes the data pack's lexicon lists
    (``ontologies/go_lexicon.tsv.gz``, written by ``tools/make_go_lexicon.py`` from the whole GO).

    >>> go_process_forms()["microtubule stabilization"]
    Term(id='GO:0007026', category='biological_process', name='negative regulation of microtubule depolymerization')
    """
    out: dict[str, Term] = {}
    with gzip.open(datapack_path("ontologies", "go_lexicon.tsv.gz"), "rt", encoding="utf-8") as fh:
        next(fh)
        for line in fh:
            form, gid, name = line.rstrip("\n").split("\t")
            out[form] = Term(gid, "biological_process", name)
    return out


@lru_cache(maxsize=1)
def polarity_forms() -> tuple[frozenset[str], frozenset[str]]:
    """(opposite forms, desirable forms) of the lexicon, lower-cased: a form naming the reverse of
    its entry ("disc height" of "disc height loss"), and a form of something "improving" raises
    (the entries marked ``desirable`` and the opposites of the others).

    >>> opposite, desirable = polarity_forms()
    >>> "disc height" in opposite and "disc height" in desirable and "cell viability" in desirable
    True
    """
    opposite: set[str] = set()
    desirable: set[str] = set()
    for entry, _category in lexicon_entries(load_ontology()):
        forms = {f.lower() for f in (entry["name"], *(entry.get("synonyms") or ()))}
        opp = {f.lower() for f in entry.get("opposites") or ()}
        opposite |= opp
        desirable |= opp if not entry.get("desirable") else forms
    return frozenset(opposite), frozenset(desirable)


def lexicon_entries(onto: Ontology) -> Iterator[tuple[dict[str, Any], str]]:
    """Each entry of ontology/lexicons.yaml with the category its section gives, in file order."""
    for key, category in LEXICON_CATEGORIES:
        for entry in onto.lexicons.get(key, ()):
            yield entry, category


@lru_cache(maxsize=2)
def lexicon_terms(onto: Ontology | None = None) -> dict[str, Term]:
    """Lower-cased surface form -> Term, from ontology/lexicons.yaml, the modules' GO terms and then
    the GO processes of :func:`go_process_forms` (the curated entries win a shared form).

    Ids are GO ids where the lexicon or a module gives one, else ``KG:<slug(name)>`` so they
    merge with curated nodes of the same name.
    """
    onto = onto or load_ontology()
    out: dict[str, Term] = {}
    for entry, category in lexicon_entries(onto):
        name = entry["name"]
        term = Term(entry.get("id") or f"KG:{slug(name)}", category, name)
        for form in (name, *(entry.get("synonyms") or ()), *(entry.get("opposites") or ())):
            out.setdefault(form.lower(), term)
    for m in onto.modules.values():
        for go in m.go_terms:
            if "(" not in go["name"]:
                out.setdefault(go["name"].lower(), Term(go["id"], "biological_process", go["name"]))
    for form, term in go_process_forms().items():
        out.setdefault(form, term)
    return out
