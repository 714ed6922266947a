"""Drop gene candidates that are probably not genes: stop-words, single letters, Roman numerals,
p-values, units, and short forms an abbreviation defines as something else ("nucleus pulposus (NP)").

>>> import spacy
>>> nlp = spacy.blank("en")
>>> for name in ("abbreviations", "gene_ner", "gene_filter"): _ = nlp.add_pipe(name)
>>> doc = nlp("Cells of the nucleus pulposus (NP) expressed TNF (p < 0.05).")
>>> [s.text for s in doc.spans["genes"]]
['TNF']
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from ingest.nlp.dictionaries import gene_dictionary

_ROMAN = re.compile(r"^[IVXLC]+$")
_NUMERIC = re.compile(r"^[\d.,%]+$")
_CODON = re.compile(r"^[ACGTU]{3}$")  # "TAG", "GAT": codons, not genes
_GENE_WORDS = re.compile(r"protein|receptor|factor|kinase|enzyme|ligand|hormone|channel|transporter|"
                         r"peptide|antigen|cytokine|interleukin|chemokine|molecule|subunit|domain|"
                         r"\b(?!disease)\w+(ase|in|ins|gen)\b|\d", re.I)
_FOLLOWING_STAT = ("=", "<", ">", "≤", "≥", "value", "values")


def keep_gene(span: Span, abbreviations: dict, stopwords: frozenset,
              gene_ends: set[int], term_ends: set[int]) -> bool:
    """True when ``span`` (a gene candidate) should stay.

    ``gene_ends``/``term_ends``: end offsets of gene and lexicon spans, to judge what an
    abbreviation's long form names.
    """
    text = span.text
    if len(text) < 2 or _NUMERIC.match(text) or _ROMAN.match(text) or _CODON.match(text):
        return False
    if text in stopwords or text.upper() in stopwords:
        return False
    nxt = span.doc[span.end] if span.end < len(span.doc) else None
    if nxt is not None and nxt.text in _FOLLOWING_STAT and len(text) <= 2:
        return False
    if abbreviations and text in abbreviations:
        _long, _s, e = abbreviations[text]
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
    kept = [s for s in spans if keep_gene(s, abbrev, stop, gene_ends, term_ends)]
    doc.spans["genes"] = kept + propagate_abbreviations(doc, kept, abbrev) if abbrev else kept
    return doc


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
        for m in re.finditer(rf"(?<![\w-]){re.escape(form)}(?![\w-])", text):
            span = doc.char_span(m.start(), m.end(), label="gene", kb_id=hid)
            if span is not None and not any(i in taken for i in range(span.start, span.end)):
                out.append(span)
                taken.update(range(span.start, span.end))
    return out
