"""Gene NER: HGNC symbols by a fast dictionary lookup over word chunks, full names by PhraseMatcher,
gene groups (families, integrin dimers) by :mod:`ingest.nlp.gene_groups`, and coordinated forms
("MMP-1, -3 and -9" is MMP1, MMP3 and MMP9; "metalloproteinase-3 and -13" is MMP3 and MMP13).

Writes candidate spans (label ``gene`` with ``kb_id`` = HGNC id, or ``gene_group`` with a
``KGGROUP:`` id) to ``doc.spans["genes"]``, and how each symbol matched (its tier: approved,
alias, learned, ...) to ``doc.user_data["gene_tiers"]``; the ``gene_filter`` component removes
doubtful ones. When ``doc._.given_entities`` is set (e.g. PubTator annotations) those are used
instead of the dictionary.

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
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from ingest.nlp.dictionaries import GeneDictionary, gene_dictionary
from ingest.nlp.model import doc_text

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


def match_symbols(text: str, gd: GeneDictionary, tiers: dict | None = None) -> list[tuple[int, int, str]]:
    """(start, end, HGNC id) of every symbol found in ``text`` (``tiers``: filled with (start, end) -> tier)."""
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
            hid, tier = gd.find(cand)
            if not hid and _NUMBERED_SET.match(cand):
                # "ERK1/2", "Smad1/5/8": the family named by its first member, spanning the whole set
                hid, tier = gd.find(cand.split("/", 1)[0])
            if hid:
                out.append((cstart, cstart + len(cand), hid))
                if tiers is not None:
                    tiers[(cstart, cstart + len(cand))] = tier
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
            yield s, e2, gd.lookup(text[s:e2]) or _numbered_name(text[s:e], m.group(), gd) or hid
            continue
        if _RECEPTOR.match(text, e):
            continue
        yield s, e, hid


_GREEK_NUMBER = {"alpha": "1", "α": "1", "beta": "2", "β": "2", "gamma": "3", "γ": "3"}


def _numbered_name(name: str, greek: str, gd: GeneDictionary) -> str | None:
    """"estrogen receptor β" is HGNC's "estrogen receptor 2" (ESR2), not ESR1."""
    g = greek.strip(" -").lower()
    n = _GREEK_NUMBER.get(g[:-1] if g[-1:].isdigit() else g)
    if n is None or " " not in name:
        return None
    return gd.names.get(f"{name.lower()} {n}")


_NUM_TAIL = re.compile(r"^(?P<stem>.*?[A-Za-z][-\s]?)(?P<n>\d{1,3}[A-Za-z]?)$")
_COORD_ITEM = re.compile(r"(?:\s*,\s*(?:(?:and|or)\s+)?|\s*,?\s+(?:and|or|&)\s+)(?P<item>-\s?(?P<n>\d{1,3}[A-Za-z]?))(?![\w-])")


def coordinated(text: str, s: int, e: int, gd: GeneDictionary, key_of: dict | None) -> list[tuple[int, int, str]]:
    """Genes coordinated after the one at ``text[s:e]``: "MMP-1, -3 and -9", "metalloproteinase-3 and -13".

    Each "-N" becomes its own mention (the hyphen and number) with the id of the stem + N.

    >>> gd = gene_dictionary()
    >>> t = "MMP-1, -3 and -9 rose."
    >>> [(t[a:b], h) for a, b, h in coordinated(t, 0, 5, gd, None)]
    [('-3', 'HGNC:7173'), ('-9', 'HGNC:7176')]
    """
    m = _NUM_TAIL.match(text[s:e])
    if not m:
        return []
    stem = m.group("stem")
    out = []
    pos = e
    while True:
        c = _COORD_ITEM.match(text, pos)
        if not c:
            break
        form = stem + c.group("n")
        hid = gd.lookup(form) or (key_of or {}).get(form.lower()) or gd.names.get(form.lower())
        if not hid:
            break
        out.append((c.start("item"), c.end("item"), hid))
        pos = c.end()
    return out


def _drop_nested(found: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Drop a match inside a longer match of the same id (one pass over the matches by start)."""
    ordered = sorted(set(found), key=lambda x: (x[0], -x[1]))
    out: list[tuple[int, int, str]] = []
    reach: dict[str, int] = {}  # id -> furthest end of a kept match of that id
    for s, e, h in ordered:
        if reach.get(h, -1) >= e:
            continue  # a kept match of this id starts no later and ends no earlier
        out.append((s, e, h))
        reach[h] = max(reach.get(h, -1), e)
    return out


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
    from ingest.nlp.gene_groups import GroupMatch, family_matcher, find_groups

    gd = gene_dictionary()
    fam_exact, fam_lower, fam_table = family_matcher(nlp)
    strings = nlp.vocab.strings
    matcher = key_of = None
    if names:
        matcher, key_of = name_matcher(nlp, gd)

    def gene_ner(doc: Doc) -> Doc:
        if doc._.given_entities is not None:
            doc.spans["genes"] = [s for s in _given(doc) if s.label_ in ("gene", "gene_group")]
            return doc
        text = doc_text(doc)
        tiers: dict[tuple[int, int], str] = {}
        found = list(extend_matches(text, match_symbols(text, gd, tiers), gd))
        if matcher is not None:
            for _, ts, te in matcher(doc):
                span = doc[ts:te]
                hid = key_of.get(text[span.start_char:span.end_char].lower())
                if hid:
                    for s2, e2, h2 in extend_matches(text, [(span.start_char, span.end_char, hid)], gd):
                        found.append((s2, e2, h2))
                        tiers[(s2, e2)] = "name"
        for s, e, _hid in list(found):
            for s2, e2, h2 in coordinated(text, s, e, gd, key_of):
                found.append((s2, e2, h2))
                tiers[(s2, e2)] = "coordinated"
        # "metalloproteinase-3" inside "matrix metalloproteinase-3": the longer name only
        found = _drop_nested(found)
        spans = []
        for s, e, hid in found:
            span = doc.char_span(s, e, label="gene", kb_id=hid, alignment_mode="contract")
            if span is not None and span.text == text[s:e]:
                spans.append(span)
        groups = []  # first, so a group wins a tie with a gene of the same span ("matrix metalloproteinases")
        found_groups = find_groups(text, families=False)
        for matcher_, fold in ((fam_exact, False), (fam_lower, True)):
            for match_id, ts, te in matcher_(doc):
                sp = doc[ts:te]
                g = fam_table[strings[match_id]]
                found_groups.append((GroupMatch(sp.text, sp.start_char, sp.end_char, g), g))
        for m, group in found_groups:
            label, kb = ("gene_group", group.id) if group is not None else ("gene", m.gene)
            span = doc.char_span(m.start, m.end, label=label, kb_id=kb, alignment_mode="contract")
            if span is not None:
                groups.append(span)
                tiers[(span.start_char, span.end_char)] = "group"
        doc.spans["genes"] = groups + spans
        doc.user_data["gene_tiers"] = tiers
        return doc

    return gene_ner
