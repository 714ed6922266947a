"""Lexicon NER: processes, cell types, tissues, interventions, mechanical stimuli and phenotypes
from ``ontology/lexicons.yaml`` (and the modules' GO terms), by PhraseMatcher on lower case.

Writes spans labelled with the category, ``kb_id`` = GO id or ``KG:<slug>``, to ``doc.spans["terms"]``.
A short form an abbreviation defines as a term names that term wherever it recurs: after
"herniated nucleus pulposus (HNP)", every "HNP" is the lumbar disc herniation phenotype.

Chemicals outside the dictionaries are recognised by their names' endings (:func:`morphology_terms`):
drug and natural-product stems that English words do not end in ("omeprazole", "rapamycin",
"myricetin", "andrographolide"), and, for the long form of a defined abbreviation, also the
broader chemical endings ("ultra-purified guluronate (UPG)"); surgical procedures likewise
("percutaneous transforaminal endoscopic discectomy (PTED)"). Their ids are ``KG:<slug>``.

>>> import spacy
>>> nlp = spacy.blank("en"); _ = nlp.add_pipe("lexicon_ner")
>>> doc = nlp("Static compression induced apoptosis.")
>>> [(s.text, s.label_, s.kb_id_) for s in doc.spans["terms"]]
[('Static compression', 'mechanical_stimulus', 'KG:static_compression'), ('apoptosis', 'biological_process', 'GO:0006915')]
"""
from __future__ import annotations

import re

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from ingest.nlp.abbreviations import short_form_matches
from ingest.nlp.dictionaries import Term, lexicon_terms
from ingest.nlp.gene_filter import in_cell_line
from ingest.nlp.learned import learned_chemicals, learned_diseases
from ingest.nlp.mesh_chemicals import mesh_chemical_concepts
from ingest.nlp.mesh_chemicals import mesh_chemicals as mesh_chemical_forms
from ingest.nlp.model import doc_text
from ingest.nlp.ontology_diseases import ontology_disease_concepts
from ingest.nlp.ontology_diseases import ontology_diseases as ontology_disease_forms


@Language.factory("lexicon_ner", default_config={"chemicals": True, "diseases": True, "ontology_diseases": True,
                                                 "mesh_chemicals": True})
def make_lexicon_ner(nlp: Language, name: str, chemicals: bool, diseases: bool, ontology_diseases: bool,
                     mesh_chemicals: bool):
    """``chemicals`` / ``diseases``: also tag the chemical / disease forms learned from BioRED Train
    (``MESH:`` ids; a disease is a ``phenotype``). The project lexicon wins a form both know.
    ``ontology_diseases``: then the MONDO and HPO names (:mod:`ingest.nlp.ontology_diseases`);
    ``mesh_chemicals``: then MeSH's chemical names (:mod:`ingest.nlp.mesh_chemicals`)."""
    terms = dict(lexicon_terms())
    if chemicals:
        for form, (mid, text) in learned_chemicals().items():
            terms.setdefault(form, Term(mid, "chemical", text))
    if diseases:
        # a MeSH concept the lexicon names as something else is no disease here: Train tags
        # "inflammation" (a GO process in the lexicon) D007249, so "inflammatory" is left out too
        learned = learned_diseases()
        claimed = {learned[f][0] for f, t in terms.items() if t.category != "phenotype" and f in learned}
        for form, (mid, text) in learned.items():
            if mid not in claimed:
                terms.setdefault(form, Term(mid, "phenotype", text))
    added: list[str] = []
    if ontology_diseases:
        added += _add_concepts(terms, ontology_disease_concepts(), ontology_disease_forms(), "phenotype")
    if mesh_chemicals:
        added += _add_concepts(terms, mesh_chemical_concepts(), mesh_chemical_forms(), "chemical")
    # the ontologies' 100k forms are looked up by their lower-cased tokens, not held as PhraseMatcher
    # patterns (a Doc each: ~300 MB more per pipeline, which a test process building several could not afford)
    by_tokens = {tuple(t.lower_ for t in toks): form for form, toks in zip(added, nlp.tokenizer.pipe(added))}
    longest = max(map(len, by_tokens), default=0)
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    in_matcher = sorted(set(terms) - set(added))
    for form, pattern in zip(in_matcher, nlp.tokenizer.pipe(in_matcher)):
        matcher.add(form, [pattern])
    strings = nlp.vocab.strings

    def lexicon_ner(doc: Doc) -> Doc:
        spans = []
        for match_id, s, e in matcher(doc):
            t = terms[strings[match_id]]
            spans.append(Span(doc, s, e, label=t.category, kb_id=t.id))
        if by_tokens:
            lows = [t.lower_ for t in doc]
            for i in range(len(lows)):
                for n in range(1, min(longest, len(lows) - i) + 1):
                    form = by_tokens.get(tuple(lows[i:i + n]))
                    if form is not None:
                        t = terms[form]
                        spans.append(Span(doc, i, i + n, label=t.category, kb_id=t.id))
        plain = filter_spans(spans)  # the long forms abbreviations define, before any merge across them
        spans = filter_spans(spans + tissue_led(doc, spans) + bracket_interrupted(doc, spans, terms))
        if chemicals:
            spans = filter_spans(spans + morphology_terms(doc, spans, doc._.abbreviations or {}))
            spans = filter_spans(material_terms(doc, spans) + spans)
        text = doc_text(doc)
        # "CCK-8" is a kit, "lentiviral infection" a method: no chemical, no ontology disease in them
        spans = [s for s in spans if not ((s.label_ == "chemical" or s.kb_id_.startswith(("MONDO:", "HP:")))
                                          and in_cell_line(text, s.start_char, s.end_char))]
        spans = [s for s in spans if not (s.label_ == "chemical" and names_protein(doc, s))]
        if doc._.abbreviations:
            spans = drop_redefined(spans, doc._.abbreviations, text)
            spans = filter_spans(propagate_terms(doc, spans + plain, doc._.abbreviations) + spans)
        spans = filter_spans(spans + initialisms(doc, spans, doc._.abbreviations or {}))
        doc.spans["terms"] = spans
        return doc

    return lexicon_ner


def _add_concepts(terms: dict[str, Term], concepts: dict[str, tuple[str, list[str]]],
                  forms: dict[str, tuple[str, str]], category: str) -> list[str]:
    """Add an ontology's ``forms`` (lower-cased form -> (id, label)) to ``terms`` where no earlier
    dictionary has them; the forms added. A concept one of whose forms the lexicon or Train names
    (as ``category``) keeps that term for all its forms ("degenerative intervertebral disc" is the
    lexicon's disc degeneration, not a node beside it)."""
    known = {}
    for cid, (_label, all_forms) in concepts.items():
        hit = next((terms[f.lower()] for f in all_forms if f.lower() in terms), None)
        if hit is not None and hit.category == category:
            known[cid] = hit
    added = []
    for form, (cid, label) in forms.items():
        if form not in terms:
            terms[form] = known.get(cid) or Term(cid, category, label)
            added.append(form)
    return added


#: endings of drug and natural-product names that English words do not have
_STRONG = ("olide", "etin", "onin", "mycin", "micin", "cillin", "azole", "statin", "profen", "coxib", "sartan",
           "olol", "afil", "parin", "platin", "rubicin", "oside", "osterone", "flavone", "quinone", "tinib",
           "ximab", "zumab", "umab", "prazole", "ocaine", "azepam", "oxetine", "olone", "asone", "saponin", "genin",
           "physalin", "gliflozin", "dronate", "lukast")
_WORD_START = re.compile(r"[A-Za-z][a-z]*$")
#: the letter or short code naming one member of a compound family: " A", " B1", " Rg1", " IV"
_DESIGNATOR = re.compile(r" (?:[A-Z][a-z]?[0-9]{0,2}|I{1,3}|IV|V)(?![\w-])")
#: broader endings, trusted only for the long form of an abbreviation ("alginate (UPAL)")
_BROAD = re.compile(r"(?:ate|ine|ol|ide|one|in|ose|acid|ene|ane|nitrile)$", re.I)
#: what a biomaterial's name ends with: "nanohybrid peptide hydrogel (NHPH)" is an intervention
_MATERIAL = frozenset("""gel gels hydrogel hydrogels scaffold scaffolds bioadhesive bioadhesives microspheres
nanoparticles nanofibers""".split())
_NOT_CHEMICAL = frozenset("""protein proteins peptide peptides hormone hormones chemokine cytokine nucleotide
oligonucleotide routine spine line baseline midline guideline discipline decline machine medicine vaccine
domain origin region margin chain plain strain brain pain skin vein gain bone tone zone phone one done none
cell side wide guide outside inside tide ride slide angle role scale sample example volume outcome
syndrome score""".split())
#: endings of surgical procedure names ("discectomy", "nucleotomy", "laminoplasty", "arthrodesis")
_SURGERY = ("ectomy", "otomy", "ostomy", "plasty", "desis")
_PROCEDURE = re.compile(r"(?:ectomy|otomy|ostomy|plasty|desis|fusion|fixation|discectomy|laminectomy|surgery|"
                        r"arthroplasty|injection|stabilization|decompression)$", re.I)


#: words after a chemical's name that make the phrase a protein's ("NMDA receptor", "retinoic acid
#: receptor", "sodium/iodide symporter"): the chemical is not mentioned there, the gene tagger decides
_PROTEIN_HEADS = frozenset("""receptor receptors symporter symporters transporter transporters channel channels
synthase synthases exchanger exchangers""".split())


def names_protein(doc: Doc, span: Span) -> bool:
    """``span`` is followed by a word that makes it part of a protein's name.

    >>> import spacy
    >>> doc = spacy.blank("en")("NMDA receptor antagonists block NMDA")
    >>> names_protein(doc, doc[0:1]), names_protein(doc, doc[5:6])
    (True, False)
    """
    return span.end < len(doc) and doc[span.end].lower_ in _PROTEIN_HEADS


#: categories a tissue can lead into ("intervertebral disc" + "disc herniation")
_LED_BY_TISSUE = frozenset({"phenotype", "biological_process"})


def tissue_led(doc: Doc, spans: list[Span]) -> list[Span]:
    """A tissue running into a condition or process that starts inside it ("intervertebral disc"
    + "disc herniation"): their union, as the condition. The herniation is what the text names.

    >>> import spacy
    >>> nlp = spacy.blank("en"); _ = nlp.add_pipe("lexicon_ner")
    >>> doc = nlp("Pain from intervertebral disc herniation.")
    >>> [(s.text, s.label_) for s in doc.spans["terms"]]
    [('Pain', 'phenotype'), ('intervertebral disc herniation', 'phenotype')]
    """
    tissues = [s for s in spans if s.label_ == "tissue"]
    out = []
    for p in spans if tissues else ():
        if p.label_ in _LED_BY_TISSUE:
            out += [Span(doc, t.start, p.end, label=p.label_, kb_id=p.kb_id_)
                    for t in tissues if t.start < p.start < t.end < p.end]
    return out


def bracket_interrupted(doc: Doc, spans: list[Span], terms: dict[str, Term]) -> list[Span]:
    """A term whose words an abbreviation interrupts: "Intervertebral disc (IVD) degeneration" is
    intervertebral disc degeneration (the span covers the brackets; "IVD" still defines the disc).

    >>> import spacy
    >>> nlp = spacy.blank("en"); _ = nlp.add_pipe("lexicon_ner")
    >>> doc = nlp("Intervertebral disc (IVD) degeneration causes pain.")
    >>> [(s.text, s.label_) for s in doc.spans["terms"]]
    [('Intervertebral disc (IVD) degeneration', 'phenotype'), ('pain', 'phenotype')]
    """
    out = []
    for t in spans:
        j = t.end
        if j + 3 < len(doc) and doc[j].text == "(" and doc[j + 2].text == ")":
            words = t.text.lower()
            for k in range(j + 3, min(j + 6, len(doc))):
                words += " " + doc[k].lower_
                term = terms.get(words)
                if term is not None:
                    out.append(Span(doc, t.start, k + 1, label=term.category, kb_id=term.id))
    return out


def _ending_words(text: str) -> list[tuple[int, int]]:
    """(start, end) of the words ending in one of the endings above (substring search, no regex)."""
    low = text.lower()
    out = set()
    for suf in (*_STRONG, *_SURGERY):
        i = low.find(suf)
        while i != -1:
            end = i + len(suf)
            if end == len(low) or not (low[end].isalnum() or low[end] in "-_"):
                w0 = _WORD_START.search(text, max(0, i - 40), i)
                start = w0.start() if w0 else i
                if (start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "-_")) and \
                        end - start >= 5 and text[start:end].isalpha():
                    out.add((start, end))
            i = low.find(suf, end)
    return sorted(out)


def morphology_terms(doc: Doc, terms: list[Span], abbrev: dict) -> list[Span]:
    """Chemical (and procedure) spans recognised by their endings; see the module docstring.

    >>> import spacy, ingest.nlp.abbreviations
    >>> nlp = spacy.blank("en")
    >>> for name in ("abbreviations", "lexicon_ner"): _ = nlp.add_pipe(name)
    >>> doc = nlp("Myricetin and ultra-purified guluronate (UPG) rose; UPG fell.")
    >>> [(s.text, s.label_, s.kb_id_) for s in doc.spans["terms"]]
    [('Myricetin', 'chemical', 'KG:myricetin'), ('ultra-purified guluronate', 'chemical', 'KG:ultra_purified_guluronate'), ('UPG', 'chemical', 'KG:ultra_purified_guluronate'), ('UPG', 'chemical', 'KG:ultra_purified_guluronate')]
    >>> doc = nlp("Physalin A (PA) and saikosaponin A act; PA works.")
    >>> [(s.text, s.kb_id_) for s in doc.spans["terms"]]
    [('Physalin A', 'KG:physalin_a'), ('PA', 'KG:physalin_a'), ('saikosaponin A', 'KG:saikosaponin_a'), ('PA', 'KG:physalin_a')]
    """
    from ingest.nlp.model import doc_text
    from kg.records.sources import slug

    text = doc_text(doc)
    taken = [(t.start_char, t.end_char) for t in terms]
    out: list[Span] = []

    def add(s: int, e: int, label: str, kid: str, over_inner: bool = False) -> None:
        # ``over_inner``: a term inside the span does not stop it ("hydrogel" of "nanohybrid peptide hydrogel")
        if any(a < e and s < b and not (over_inner and s <= a and b <= e) for a, b in taken):
            return
        span = doc.char_span(s, e, label=label, kb_id=kid)
        if span is not None:
            out.append(span)
            taken.append((s, e))

    for start, end in _ending_words(text):  # the rare endings first, then the word they end
        w = text[start:end].lower()
        named = _DESIGNATOR.match(text, end)  # "Physalin A", "ginsenoside Rg1": one compound of a family
        if named and w.endswith(_STRONG):
            add(start, named.end(), "chemical", f"KG:{slug(text[start:named.end()].lower())}")
        elif w.endswith(_STRONG) and w not in _STRONG:
            add(start, end, "chemical", f"KG:{slug(w)}")
        elif w.endswith(_SURGERY) and len(w) >= 9:
            add(start, end, "intervention", f"KG:{slug(w)}")  # "nucleotomy", "laminoplasty"
    for short, (long, ls, le) in abbrev.items():
        words = long.split()
        if len(words) >= 2 and _DESIGNATOR.fullmatch(" " + words[-1]):
            words = words[:-1]  # "Physalin A (PA)": the family name carries the ending
        last = words[-1].lower() if words else ""
        material = last in _MATERIAL  # a named material is more than the substance its name ends in
        if not words or len(words) > 4 or last in _NOT_CHEMICAL or any(
                a < le and ls < b and not (material and ls <= a and b <= le) for a, b in taken):
            continue
        if _PROCEDURE.search(last) or material:
            label = "intervention"
        elif _BROAD.search(last) and last.isalpha() and len(last) >= 5:
            label = "chemical"
        else:
            continue
        kid = f"KG:{slug(long.lower())}"
        add(ls, le, label, kid, over_inner=material)
        for m in short_form_matches(short, text):
            add(m.start(), m.end(), label, kid)
    return out


#: what may follow a material word without it being a material ("gel electrophoresis")
_NOT_MATERIAL_AFTER = frozenset({"electrophoresis", "filtration", "permeation", "chromatography", "imaging"})


def material_terms(doc: Doc, terms: list[Span]) -> list[Span]:
    """A tissue or substance named with a material word after it is an implanted material, an
    intervention: "the cartilage gel promoted disc repair" is the gel, not cartilage; "alginate
    hydrogel" is the hydrogel (the abbreviated forms are :func:`morphology_terms`' work).

    >>> import spacy
    >>> nlp = spacy.blank("en"); _ = nlp.add_pipe("lexicon_ner")
    >>> doc = nlp("Implantation of the cartilage gel promoted disc repair; gel electrophoresis of cartilage.")
    >>> [(s.text, s.label_, s.kb_id_) for s in doc.spans["terms"]]
    [('cartilage gel', 'intervention', 'KG:cartilage_gel'), ('disc repair', 'biological_process', 'GO:0042246'), ('cartilage', 'tissue', 'KG:articular_cartilage')]
    """
    from kg.records.sources import slug

    out = []
    for t in terms:
        if t.label_ not in ("tissue", "chemical") or t.end >= len(doc) or doc[t.end].lower_ not in _MATERIAL:
            continue
        if t.end + 1 < len(doc) and doc[t.end + 1].lower_ in _NOT_MATERIAL_AFTER:
            continue
        out.append(Span(doc, t.start, t.end + 1, label="intervention",
                        kb_id=f"KG:{slug(doc[t.start:t.end + 1].text.lower())}"))
    return out


def drop_redefined(terms: list[Span], abbrev: dict, text: str) -> list[Span]:
    """Drop a term matched on a short form the text defines as something the lexicon does not
    know: after "andrographolide (ADR)", "ADR" is not the BioRED-Train chemical ADR (doxorubicin)."""
    by_end = {t.end_char for t in terms}
    redefined = {short for short, (_l, _s, le) in abbrev.items() if le not in by_end}
    if not redefined:
        return terms
    return [t for t in terms if text[t.start_char:t.end_char] not in redefined]


#: categories whose multi-word names authors shorten to initials without defining them
_INITIALLED = frozenset({"mechanical_stimulus", "intervention", "biological_process", "phenotype"})
_CAPITALS = re.compile(r"[A-Z]{2,5}")


def initialisms(doc: Doc, terms: list[Span], abbrev: dict) -> list[Span]:
    """Spans for an all-capital short form the text never defines but whose letters are the initials
    of exactly one multi-word term of the document: after "hydrostatic pressure", "upregulated under
    HP" is that pressure. Short forms the text defines, and forms already tagged, are left alone.

    >>> from ingest.nlp.pipeline import default_pipeline
    >>> doc = default_pipeline()("Cells were loaded by hydrostatic pressure. ACAN rose under HP.")
    >>> [(e.text, e.kb_id_) for e in doc.ents if e.text == "HP"]
    [('HP', 'KG:hydrostatic_pressure')]
    """
    by_initials: dict[str, set[tuple[str, str]]] = {}
    for t in terms:
        words = [w for w in re.split(r"[\s-]+", t.text) if w]
        if len(words) >= 2 and t.label_ in _INITIALLED:
            by_initials.setdefault("".join(w[0] for w in words).upper(), set()).add((t.label_, t.kb_id_))
    if not by_initials:
        return []
    taken = {(t.start, t.end) for t in terms}
    out: list[Span] = []
    for tok in doc:
        form = tok.text
        if (not _CAPITALS.fullmatch(form) or form in abbrev or (tok.i, tok.i + 1) in taken
                or len(by_initials.get(form, ())) != 1):
            continue
        label, kid = next(iter(by_initials[form]))
        out.append(Span(doc, tok.i, tok.i + 1, label=label, kb_id=kid))
    return out


def propagate_terms(doc: Doc, terms: list[Span], abbrev: dict) -> list[Span]:
    """Spans for every occurrence of a short form whose defining long form ends with a term.

    >>> import spacy, ingest.nlp.abbreviations
    >>> nlp = spacy.blank("en")
    >>> for name in ("abbreviations", "lexicon_ner"): _ = nlp.add_pipe(name)
    >>> doc = nlp("The herniated nucleus pulposus (HNP) shrank. HNP volume fell.")
    >>> [(s.text, s.label_) for s in doc.spans["terms"]]
    [('herniated nucleus pulposus', 'phenotype'), ('HNP', 'phenotype'), ('HNP', 'phenotype')]
    """

    from ingest.nlp.model import doc_text

    text = doc_text(doc)
    by_end: dict[int, list[Span]] = {}
    for t in terms:
        by_end.setdefault(t.end_char, []).append(t)
    out: list[Span] = []
    for short, (_long, ls, le) in abbrev.items():
        # the longest term the long form ends with ("nanohybrid peptide hydrogel", not "hydrogel")
        term = min((t for t in by_end.get(le, ()) if t.start_char >= ls), key=lambda t: t.start_char, default=None)
        if term is None or not any(c.isupper() for c in short):
            continue
        for m in short_form_matches(short, text):
            span = doc.char_span(m.start(), m.end(), label=term.label_, kb_id=term.kb_id_)
            if span is not None:
                out.append(span)
    return out
