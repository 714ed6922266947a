"""Drop gene candidates that are probably not genes: stop-words, single letters, Roman numerals,
p-values, units, cell lines ("THP-1" is not GLI2), assay kits ("CCK-8"), spinal levels ("L4/5"), short forms an
abbreviation defines as something else ("nucleus pulposus (NP)", "herniated nucleus pulposus
(HNP)" is not KLK8), and short all-capital aliases with nothing molecular in their sentence
("NID at 3 months": the neck disability index, not NID1), unless the same alias is credible in
another sentence of the document (one sense per document). Gene groups are kept.

>>> import spacy
>>> nlp = spacy.blank("en")
>>> for name in ("abbreviations", "gene_ner", "gene_filter"): _ = nlp.add_pipe(name)
>>> doc = nlp("Cells of the nucleus pulposus (NP) expressed TNF (p < 0.05).")
>>> [s.text for s in doc.spans["genes"]]
['TNF']
>>> _ = nlp.add_pipe("bio_sentences", first=True)  # credibility is judged per sentence
>>> doc = nlp("VEGF promoted angiogenesis. VEGF expression rose. ESI was done.")
>>> [s.text for s in doc.spans["genes"]]
['VEGF', 'VEGF']
"""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language
from spacy.tokens import Doc, Span

from ingest.nlp.abbreviations import short_form_matches
from ingest.nlp.dictionaries import gene_dictionary
from ingest.nlp.model import doc_text
from ontology import load_ontology

_ROMAN = re.compile(r"^[IVXLC]+$")
_NUMERIC = re.compile(r"^[\d.,%]+$")
_CODON = re.compile(r"^[ACGTU]{3}$")  # "TAG", "GAT": codons, not genes
_GENE_WORDS = re.compile(r"protein|receptor|factor|kinase|enzyme|ligand|hormone|channel|transporter|"
                         r"peptide|antigen|cytokine|interleukin|chemokine|molecule|subunit|domain|"
                         r"\b(?!disease\b|pain\b|brain\b|chain\b|main\b|again\b|within\b|begin\b|origin\b|"
                         r"margin\b|skin\b|spin\b|twin\b|thin\b|vein\b|gain\b|train\b|plain\b|strain\b|"
                         r"certain\b|remain\b|obtain\b|maintain\b|explain\b|retain\b|sustain\b|join\b|"
                         r"basin\b|resin\b|region\b|oxygen\b|nitrogen\b|hydrogen\b|antigen\b)"
                         r"\w+(ase|in|ins|gen)\b|\d", re.I)
_FOLLOWING_STAT = ("=", "<", ">", "≤", "≥", "value", "values")
#: spinal levels: "L4/5", "L4-L5", "L5-S1", "C5-6", "T12-L1"
_SPINAL_LEVEL = re.compile(r"^[CTLS]\d{1,2}(?:\s?[-/–]\s?[CTLS]?\d{1,2})?$")
_SHORT_ALIAS = re.compile(r"^[A-Z][A-Z0-9-]{1,4}$")
#: words that make a short alias credible in its sentence
_MOLECULAR = frozenset("""expression expressed expressing express gene genes protein proteins mrna mrnas level levels
signaling signalling pathway pathways phosphorylation phosphorylated knockdown sirna shrna inhibitor inhibitors
receptor receptors ligand activation activated activity overexpression overexpressed secretion secreted
production polymorphism polymorphisms mutation mutations mutant variant variants transcription transcriptional
kinase antibody antibodies knockout deficient deficiency cytokine cytokines upregulated downregulated
upregulation downregulation binding binds bound promoter allele alleles encoding encodes enzyme isoform
western immunohistochemistry immunostaining elisa qpcr rt-pcr silencing serum plasma concentration
concentrations""".split())
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


def plausible_text(text: str, stopwords: frozenset = frozenset()) -> bool:
    """The form alone could be a gene: not a number, Roman numeral, codon, spinal level or stop-word
    (with or without its hyphens: "T-G" of "Fib-T-G gel" is the stop-word TG, not thyroglobulin).

    >>> [plausible_text(t, frozenset({"ROS", "TG"})) for t in ("MMP3", "L2-3", "C5/6", "IV", "ROS", "0.05", "T-G")]
    [True, False, False, False, False, False, False]
    """
    return not (len(text) < 2 or _NUMERIC.match(text) or _ROMAN.match(text) or _CODON.match(text)
                or _SPINAL_LEVEL.match(text) or text in stopwords or text.upper() in stopwords
                or text.replace("-", "").upper() in stopwords)


def keep_gene(span: Span, abbreviations: dict, stopwords: frozenset,
              gene_ends: set[int], term_ends: set[int]) -> bool:
    """True when ``span`` (a gene candidate) should stay.

    ``gene_ends``/``term_ends``: end offsets of gene and lexicon spans, to judge what an
    abbreviation's long form names.
    """
    text = span.text
    if span.label_ == "gene_group":
        return True
    if not plausible_text(text, stopwords):
        return False
    nxt = span.doc[span.end] if span.end < len(span.doc) else None
    if nxt is not None and nxt.text in _FOLLOWING_STAT and len(text) <= 2:
        return False
    key = text if text in abbreviations else text + "s" if text + "s" in abbreviations else None
    if abbreviations and key is not None:
        _long, _s, e = abbreviations[key]  # "RECs" defines "REC" too
        if e in gene_ends:
            return True
        if e in term_ends:
            return False  # "nucleus pulposus (NP)": the long form is a tissue, not a gene
        if not _GENE_WORDS.search(_long):
            return False  # "hepatocellular carcinoma (HCC)": the long form names no gene product
    if len(text) == 2 and text.isupper():
        return False  # two capitals ("AF", "HR") are nearly always abbreviations in prose
    return True


@Language.component("gene_filter")
def gene_filter(doc: Doc) -> Doc:
    if doc._.given_entities is not None:
        return doc  # curated annotations are taken as given
    stop = gene_dictionary().stopwords
    abbrev = doc._.abbreviations or {}
    spans = list(doc.spans.get("genes", []))
    gene_ends = {s.end_char for s in spans}
    term_ends = {s.end_char for s in doc.spans.get("terms", [])}
    text = doc_text(doc)
    tiers = doc.user_data.get("gene_tiers", {})
    kept = [s for s in spans if keep_gene(s, abbrev, stop, gene_ends, term_ends)
            and not in_cell_line(text, s.start_char, s.end_char)]
    # one sense per document: a short alias credible in one sentence ("VEGF expression was increased")
    # is the same gene where its sentence alone says nothing molecular ("VEGF promoted angiogenesis")
    ok = {id(s) for s in kept if credible(s, kept, tiers, text)}
    trusted = {(s.text, s.kb_id_) for s in kept if id(s) in ok}
    kept = [s for s in kept if id(s) in ok or (s.text, s.kb_id_) in trusted]
    doc.spans["genes"] = kept + propagate_abbreviations(doc, kept, abbrev) if abbrev else kept
    return doc


@lru_cache(maxsize=1)
def _cell_line_pattern() -> re.Pattern | None:
    lex = load_ontology().lexicons
    names = [*lex.get("cell_lines", ()), *lex.get("assay_kits", ()), *lex.get("lab_methods", ())]
    if not names:
        return None
    alts = []
    for n in sorted(names, key=len, reverse=True):
        parts = re.findall(r"[A-Za-z]+|\d+", n)
        alts.append(r"[-\s./]?".join(re.escape(p) for p in parts))
    return re.compile(rf"(?<![\w-])(?:{'|'.join(alts)})(?![a-zA-Z0-9])", re.I)


def cell_line_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of cell-line, assay-kit and laboratory-method names (``cell_lines``,
    ``assay_kits``, ``lab_methods`` in ontology/lexicons.yaml).

    >>> cell_line_spans("THP-1-derived macrophages and HEK 293T cells")
    [(0, 5), (30, 38)]
    >>> cell_line_spans("viability by the CCK-8 assay")
    [(17, 22)]
    """
    pat = _cell_line_pattern()
    return [(m.start(), m.end()) for m in pat.finditer(text)] if pat else []


def in_cell_line(text: str, start: int, end: int) -> bool:
    """``text[start:end]`` is part of a cell-line name (only the neighbourhood is searched)."""
    pat = _cell_line_pattern()
    if pat is None:
        return False
    lo = max(0, start - 12)
    for m in pat.finditer(text, lo, min(len(text), end + 12)):
        if m.start() < end and start < m.end():
            return True
    return False


def _sentence_bounds(span: Span) -> tuple[int, int]:
    """Character bounds of the sentence holding ``span`` (from ``doc._.sentence_starts``, by bisection)."""
    from bisect import bisect_right

    doc = span.doc
    starts = doc._.sentence_starts or [0]
    k = bisect_right(starts, span.start) - 1
    a = starts[max(k, 0)]
    b = starts[k + 1] if k + 1 < len(starts) else len(doc)
    return doc[a].idx, (doc[b - 1].idx + len(doc[b - 1].text)) if b > a else doc[a].idx


def credible(span: Span, genes: list[Span], tiers: dict, text: str) -> bool:
    """A short all-capital alias ("NID", "ESI", "REC") needs something molecular in its sentence:
    a word such as "expression" or "protein", or another gene matched by its approved symbol or name."""
    if tiers.get((span.start_char, span.end_char)) != "alias" or not _SHORT_ALIAS.match(span.text):
        return True
    s, e = _sentence_bounds(span)
    if any(w.lower() in _MOLECULAR for w in _WORD.findall(text, s, e)):
        return True
    return any(g is not span and s <= g.start_char < e and g.kb_id_ != span.kb_id_
               and tiers.get((g.start_char, g.end_char)) in ("approved", "name", "prose", "group", "coordinated")
               for g in genes)


def propagate_abbreviations(doc: Doc, genes: list[Span], abbrev: dict) -> list[Span]:
    """New gene spans from definitions: "matrix metalloproteinase-3 (MP3)" makes every "MP3" MMP3;
    "psoriasin (S100A7)" would make every "psoriasin" S100A7.

    A definition counts when one side is a kept gene span and the other names no other gene.

    >>> import spacy
    >>> nlp = spacy.blank("en")
    >>> for name in ("abbreviations", "gene_ner", "gene_filter"): _ = nlp.add_pipe(name)
    >>> doc = nlp("Matrix metalloproteinase-3 (MP3) rose. MP3 was high.")
    >>> [(s.text, s.kb_id_) for s in doc.spans["genes"]]
    [('Matrix metalloproteinase-3', 'HGNC:7173'), ('MP3', 'HGNC:7173'), ('MP3', 'HGNC:7173')]
    """
    from ingest.nlp.model import doc_text

    text = doc_text(doc)
    by_end = {s.end_char: s for s in genes}
    by_start = {s.start_char: s for s in genes}
    taken = {i for s in genes for i in range(s.start, s.end)}
    out: list[Span] = []
    for short, (long, ls, le) in abbrev.items():
        paren = text.find("(", le)
        short_at = text.find(short, paren) if 0 <= paren - le <= 2 else -1
        long_gene, short_gene = by_end.get(le), by_start.get(short_at)
        if long_gene is not None and long_gene.start_char <= ls and short_gene is None:
            form, hid = short, long_gene.kb_id_
        elif short_gene is not None and short_gene.text == short and long_gene is None and 1 <= long.count(" ") + 1 <= 3 \
                and _GENE_WORDS.search(long):
            form, hid = long, short_gene.kb_id_
        else:
            continue
        for m in short_form_matches(form, text):
            span = doc.char_span(m.start(), m.end(), label="gene", kb_id=hid)
            if span is not None and not any(i in taken for i in range(span.start, span.end)):
                out.append(span)
                taken.update(range(span.start, span.end))
    return out
