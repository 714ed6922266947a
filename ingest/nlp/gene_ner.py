"""Gene NER: HGNC symbols by a fast dictionary lookup over word chunks, full names by PhraseMatcher.

Writes candidate spans (label ``gene``, ``kb_id`` = HGNC id) to ``doc.spans["genes"]``; the
``gene_filter`` component removes ambiguous ones. When ``doc._.given_entities`` is set (e.g.
PubTator annotations) those are used instead of the dictionary.

>>> import spacy
>>> nlp = spacy.blank("en"); _ = nlp.add_pipe("gene_ner")
>>> doc = nlp("IL-1β-induced MMP-3 and Mmp13 rose.")
>>> [(s.text, s.kb_id_) for s in doc.spans["genes"]]
[('IL-1β', 'HGNC:5992'), ('MMP-3', 'HGNC:7173'), ('Mmp13', 'HGNC:7159')]
"""
from __future__ import annotations

import re
from functools import lru_cache

from spacy.language import Language

from ingest.nlp.model import doc_text
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ingest.nlp.dictionaries import GeneDictionary, gene_dictionary

_NOT_CHUNK = r"\s()\[\],;:{}\"“”"
# a chunk worth looking up has a capital or a digit (symbols do; plain words don't) and a letter
_CHUNK = re.compile(rf"[^{_NOT_CHUNK}]*[A-Z0-9Α-Ω][^{_NOT_CHUNK}]*")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_ION = re.compile(r"[A-Z][a-z]?\d?\+")
_NUMBERED_SET = re.compile(r"^[^/]*[A-Za-z]\d+[a-z]?(/\d+[a-z]?)+$")
_TRIM = ".'’*+"


def chunk_candidates(chunk: str, start: int):
    """(text, start) candidates of one whitespace chunk, longest first: the chunk, hyphen and slash parts."""
    s, e = 0, len(chunk)
    if "+" in chunk and _ION.search(chunk):
        return  # "Ca2+", "[Ca2+]i": an ion, not a gene
    while e > s and chunk[e - 1] in _TRIM:
        e -= 1
    while s < e and chunk[s] in "'‘":
        s += 1
    core = chunk[s:e]
    if not core:
        return
    yield core, start + s
    if "*" in core:  # star alleles: "SLCO1B1*5" names SLCO1B1
        yield core.split("*", 1)[0], start + s
    if "/" in core:
        off = 0
        for part in core.split("/"):
            if part:
                yield part, start + s + off
            off += len(part) + 1
    if "-" in core:
        # "IL-1β-induced": prefixes ending at a hyphen, longest first; "anti-TNF": the tail
        idx = [i for i, c in enumerate(core) if c == "-"]
        for i in reversed(idx):
            if i > 0:
                yield core[:i], start + s
        tail = core[idx[0] + 1:]
        if tail:
            yield tail, start + s + idx[0] + 1


def match_symbols(text: str, gd: GeneDictionary) -> list[tuple[int, int, str]]:
    """(start, end, HGNC id) of every symbol found in ``text``."""
    out = []
    for m in _CHUNK.finditer(text):
        chunk = m.group()
        if not _HAS_LETTER.search(chunk):
            continue  # numbers, p-values
        taken_end = -1
        for cand, cstart in chunk_candidates(chunk, m.start()):
            if not cand:
                continue
            if cand[0] == "-" or cand[-1] == "-":
                stripped = cand.strip("-")
                cstart += len(cand) - len(cand.lstrip("-"))
                cand = stripped
                if not cand:
                    continue
            if cstart < taken_end:
                continue
            hid = gd.lookup(cand)
            if not hid and _NUMBERED_SET.match(cand):
                # "ERK1/2", "Smad1/5/8": the family named by its first member, spanning the whole set
                hid = gd.lookup(cand.split("/", 1)[0])
            if hid:
                out.append((cstart, cstart + len(cand), hid))
                taken_end = cstart + len(cand)
                if cstart == m.start() and len(cand) >= len(chunk.rstrip(_TRIM)):
                    break
    return out


_GREEK_SUFFIX = re.compile(r"[- ]?(?:alpha|beta|gamma|delta|kappa|α|β|γ|δ|κ)\d?(?![\w])", re.I)
_SET_SUFFIX = re.compile(r"(?:/-?\d+[a-z]?)+(?![\w/])")
_RECEPTOR = re.compile(r"[- ]?receptors?\b", re.I)


def extend_matches(text: str, matches: list[tuple[int, int, str]], gd: GeneDictionary):
    """Widen "TNF-alpha", "NRG-1 beta" to the Greek suffix; drop "VEGF receptor" (not the ligand)."""
    for s, e, hid in matches:
        m = _SET_SUFFIX.match(text, e)
        if m:  # "caspase-3/7", "MMP-2/-9": the set, named by its first member
            yield s, m.end(), hid
            continue
        m = _GREEK_SUFFIX.match(text, e)
        if m:
            e2 = m.end()
            yield s, e2, gd.lookup(text[s:e2]) or hid
            continue
        if _RECEPTOR.match(text, e):
            continue
        yield s, e, hid


@lru_cache(maxsize=2)
def name_matcher(nlp: Language, gd: GeneDictionary) -> tuple[PhraseMatcher, dict[str, str]]:
    """PhraseMatcher over lower-cased HGNC full names (built once per pipeline, with its tokenizer)."""
    vocab, tok = nlp.vocab, nlp.tokenizer
    matcher = PhraseMatcher(vocab, attr="LOWER")
    key_of: dict[str, str] = {}
    for name, hid in gd.names.items():
        head, _, last = name.rpartition(" ")
        key_of[name] = hid
        if head and len(last) <= 3:  # "interleukin 6" is written "interleukin-6"
            key_of.setdefault(f"{head}-{last}", hid)
    names = sorted(key_of)
    for i in range(0, len(names), 5000):
        batch = names[i:i + 5000]
        docs = list(tok.pipe(batch))
        matcher.add("GENE_NAME", docs)
    return matcher, key_of


def _given(doc: Doc) -> list[Span]:
    spans = []
    for start, end, eid, category in doc._.given_entities:
        span = doc.char_span(start, end, label=category, kb_id=eid, alignment_mode="expand")
        if span is not None:
            spans.append(span)
    return spans


@Language.factory("gene_ner", default_config={"names": True})
def make_gene_ner(nlp: Language, name: str, names: bool):
    gd = gene_dictionary()
    matcher = key_of = None
    if names:
        matcher, key_of = name_matcher(nlp, gd)

    def gene_ner(doc: Doc) -> Doc:
        if doc._.given_entities is not None:
            doc.spans["genes"] = [s for s in _given(doc) if s.label_ == "gene"]
            return doc
        spans = []
        text = doc_text(doc)
        for s, e, hid in extend_matches(text, match_symbols(text, gd), gd):
            span = doc.char_span(s, e, label="gene", kb_id=hid, alignment_mode="contract")
            if span is not None and span.text == doc_text(doc)[s:e]:
                spans.append(span)
        if matcher is not None:
            for _, ts, te in matcher(doc):
                span = doc[ts:te]
                hid = key_of.get(text[span.start_char:span.end_char].lower())
                if hid:
                    for s2, e2, h2 in extend_matches(text, [(span.start_char, span.end_char, hid)], gd):
                        wide = doc.char_span(s2, e2, label="gene", kb_id=h2, alignment_mode="contract")
                        if wide is not None:
                            spans.append(wide)
        doc.spans["genes"] = spans
        return doc

    return gene_ner
