"""Sentence-level, signed, verified literature evidence: documents -> NLP -> records.

Each document becomes a ``publication`` node (``PMID:…``) holding the exact ``text`` the offsets
refer to; each extracted relation becomes an Edge plus an Evidence carrying the sentence, its
character offsets, the citation, year, extractor name+version, flags (``negated``, ``hedged``)
and context (species/design from the sentence and title). A sentence that is not a verbatim
substring of the stored text at its offsets is never stored (``stats.unverified`` counts it).

>>> from ingest.pubmed import Article
>>> res = records_from_articles([Article("1", "A title", "TNF increased MMP3 in NP cells.")])
>>> [(e.subject, e.predicate, e.object) for e in res.load.edges.values()]
[('HGNC:11892', 'increases', 'HGNC:7173')]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterable, Sequence

from ingest.context import parse_context
from ingest.hgnc import HGNCResolver, default_resolver
from ingest.nlp.cues import claim_flags
from ingest.nlp.dictionaries import lexicon_terms
from ingest.nlp.model import EXTRACTOR, EXTRACTOR_VERSION, Mention, Relation, sentence_spans
from ingest.nlp.ontology_diseases import ontology_disease_label
from ingest.nlp.pipeline import default_pipeline
from ingest.pubmed import Article
from ingest.pubtator import PubTatorDocument
from kg.records.model import Edge, Evidence, Node, Provenance
from kg.records.sources import SourceLoad, SourceReport, gene_node, now_iso
from ontology import load_ontology

LICENCE = "NLM PubMed terms (abstracts: publisher copyright; sentences quoted as evidence)"


#: who reads a PubTator3 document: our reader on its entities, PubTator3's own relations, or both
READERS = ("ours", "pubtator3", "both")
#: PubTator3 relation type -> (predicate, sign) when no rule of ours reads the sentence
PUBTATOR3_TYPES: dict[str, tuple[str, int]] = {
    "Positive_Correlation": ("associated_with", 1), "Negative_Correlation": ("associated_with", -1),
    "Bind": ("binds", 0), "Association": ("associated_with", 0), "Cotreatment": ("associated_with", 0),
    "Drug_Interaction": ("associated_with", 0), "Comparison": ("associated_with", 0),
    "Conversion": ("associated_with", 0), "Stimulate": ("increases", 1), "Inhibit": ("decreases", -1),
}
PUBTATOR3_EXTRACTOR = "PubTator3 (BioREx relations)"


@dataclass(frozen=True)
class Document:
    """Text to mine with its citation; ``entities`` (start, end, id, category) when given, and
    ``relations`` (id1, id2, type) another reader (PubTator3) found."""

    citation: str
    title: str
    text: str
    year: int | None = None
    journal: str = ""
    mesh: tuple[str, ...] = ()
    where: str = ""
    entities: tuple[tuple[int, int, str, str], ...] | None = None
    relations: tuple[tuple[str, str, str], ...] = ()


@dataclass
class LiteratureStats:
    documents: int = 0
    sentences: int = 0
    relations: int = 0
    verified: int = 0
    unverified: int = 0
    pair_relations: int = 0  # more, from the pair model (pairs no rule relation joins)
    pubtator3_relations: int = 0  # PubTator3's own relations placed in a sentence
    impossible: int = 0  # category pairs the ontology forbids for text-mined relations (never expected)
    skipped_documents: int = 0
    messages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"documents": self.documents, "sentences": self.sentences, "relations": self.relations,
                "pair_relations": self.pair_relations, "pubtator3_relations": self.pubtator3_relations, "verified": self.verified, "unverified": self.unverified, "impossible": self.impossible,
                "skipped_documents": self.skipped_documents, "messages": self.messages[:50]}


@dataclass
class LiteratureResult:
    load: SourceLoad
    stats: LiteratureStats


def verify_sentence(document_text: str, sentence: str, offsets: Sequence[int] | None) -> bool:
    """True when ``sentence`` is exactly ``document_text[start:end]``.

    >>> verify_sentence("Title\\nTNF rose.", "TNF rose.", (6, 15)), verify_sentence("x", "y", (0, 1))
    (True, False)
    """
    if not sentence or not offsets or len(offsets) != 2:
        return False
    s, e = int(offsets[0]), int(offsets[1])
    return 0 <= s < e <= len(document_text) and document_text[s:e] == sentence


def document_from_article(a: Article) -> Document:
    return Document(f"PMID:{a.pmid}", a.title, a.text, a.year, a.journal, a.mesh, a.where)


def document_from_pubtator(d: PubTatorDocument) -> Document:
    return Document(f"PMID:{d.pmid}", d.title, d.text, d.year, d.journal, (), d.where, tuple(d.entities),
                    tuple(d.relations))


def entity_node(m: Mention, resolver: HGNCResolver, source: str) -> Node:
    if m.category == "gene":
        return gene_node(resolver, m.id, source)
    if m.category == "gene_group":
        return group_node(m, resolver, source)
    concept = _grounder().concepts.get(m.id)
    if concept is not None:  # a GO/CL/UBERON/MONDO or vocabulary concept: named as the graph names it
        return Node(concept.id, concept.category, concept.label, concept.synonyms, (), source)
    term = _terms_by_id().get(m.id)
    name = term.name if term else (ontology_disease_label(m.id) if m.category == "phenotype" else None)
    return Node(m.id, m.category, name or m.text, (), (), source)


@lru_cache(maxsize=1)
def _grounder():
    from ingest.grounding import default_grounder

    return default_grounder()


def grounded(m: Mention) -> Mention:
    """``m`` with the id the rest of the graph uses for it, when the grounding tables know its text
    (or its lexicon term's name) as a concept of the same category; else ``m`` unchanged.

    The lexicon's term decides before the text, so its forms never split over two nodes.

    The lexicon gives project slugs (``KG:macrophages``); the curated facts are grounded to GO, CL,
    UBERON, MONDO and the project vocabulary (``ingest.grounding``), so without this step a mined
    "macrophages" would be a node of its own beside the graph's CL:0000235. A phrase the curator
    mapped with sign -1 (naming the loss of its concept) is left alone.

    >>> grounded(Mention("macrophages", 0, 11, "KG:macrophages", "cell_type")).id
    'CL:0000235'
    >>> grounded(Mention("TNF", 0, 3, "HGNC:11892", "gene")).id
    'HGNC:11892'
    """
    if m.category in ("gene", "gene_group", "chemical") or not m.id.startswith("KG:"):
        return m
    g = _grounder()
    term = _terms_by_id().get(m.id)
    # the term's name first: every form of one lexicon term takes one id ("IDD" would otherwise be
    # MONDO's synonym, "intervertebral disc degeneration" the project vocabulary's child of it)
    for text in (term.name if term else "", m.text):
        hit = g.ground(text) if text else None
        if hit is not None and hit.sign == 1 and hit.category == m.category:
            return Mention(m.text, m.start, m.end, hit.id, m.category, hit.label)
    return m


def group_node(m: Mention, resolver: HGNCResolver, source: str) -> Node:
    """A gene group ("MMPs", integrin α5β1): its members (HGNC ids) as xrefs, as curated groups have."""
    from ingest.nlp.gene_groups import groups_by_id

    g = groups_by_id().get(m.id)
    if g is not None:
        return Node(g.id, "gene_group", g.name, (), g.members, source)
    members = tuple(h for h in (resolver.by_symbol(s) for s in m.id.removeprefix("KGGROUP:").split("+")) if h)
    return Node(m.id, "gene_group", m.text, (), members, source)


@lru_cache(maxsize=1)
def _terms_by_id() -> dict:
    out: dict = {}
    for t in lexicon_terms().values():
        out.setdefault(t.id, t)
    return out


@lru_cache(maxsize=1)
def _ontology():
    return load_ontology()


def publication_node(doc: Document, source: str) -> Node:
    props = {"text": doc.text, "year": doc.year, "journal": doc.journal, "mesh": list(doc.mesh)}
    return Node(doc.citation, "publication", doc.title or doc.citation, (), (), source,
                tuple(sorted((k, v) for k, v in props.items() if v not in (None, "", []))))


def records_from_documents(docs: Iterable[Document], source: str = "literature",
                           resolver: HGNCResolver | None = None, nlp=None,
                           version: str = "", path: str = "", reader: str = "ours") -> LiteratureResult:
    """Run the NLP pipeline over ``docs`` and build a SourceLoad of verified evidence.

    ``reader``: ``ours`` (the rules and the pair model), ``pubtator3`` (the relations the documents
    carry, each placed in the first sentence naming both; evidence source ``pubtator3``) or ``both``.
    """
    if reader not in READERS:
        raise ValueError(f"reader must be one of {', '.join(READERS)}, not {reader!r}")
    resolver = resolver or default_resolver()
    nlp = nlp or default_pipeline()
    prov = Provenance(source, version or f"{EXTRACTOR}/{EXTRACTOR_VERSION}", LICENCE, now_iso(), path)
    load = SourceLoad(prov, SourceReport(source, path))
    load.params = {"extractor": f"{EXTRACTOR}/{EXTRACTOR_VERSION}"}
    stats = LiteratureStats()

    def prepared():  # streamed, so a whole MEDLINE file never sits in memory as Docs
        for d in docs:
            sd = nlp.make_doc(d.text)
            sd._.given_entities = list(d.entities) if d.entities is not None else None
            yield sd, d

    for sd, d in nlp.pipe(prepared(), batch_size=64, as_tuples=True):
        stats.documents += 1
        stats.sentences += len(sentence_spans(sd))
        load.add_row(f"{d.where or d.citation}:publication", [publication_node(d, source)], [], [])
        if reader in ("ours", "both"):
            for r in sd._.relations or []:
                stats.relations += 1
                _add_relation(load, stats, d, r, resolver, source)
            for r in pair_relations(sd, d.text):
                stats.pair_relations += 1
                _add_relation(load, stats, d, r, resolver, source)
        if reader in ("pubtator3", "both"):
            for r in pubtator3_relations(sd, d, stats, load):
                stats.pubtator3_relations += 1
                _add_relation(load, stats, d, r, resolver, "pubtator3", PUBTATOR3_EXTRACTOR)
    return LiteratureResult(load, stats)


def pubtator3_relations(doc, d: Document, stats: "LiteratureStats", load: SourceLoad) -> list[Relation]:
    """PubTator3's relations of ``d``, each read in the first sentence that names both entities.

    The sign comes from the relation type (``Positive_Correlation`` +1, ``Negative_Correlation``
    -1, ``Bind`` binds) unless one of our rules reads that sentence for the same two entities: then
    the rule's predicate, direction and sign (the cue words) are kept. A relation whose entities
    never share a sentence is rejected with its document and ids (it is a document-level claim).
    """
    if not d.relations:
        return []
    sents = [(s.start_char, s.end_char) for s in sentence_spans(doc)]
    by_id: dict[str, list[Mention]] = {}
    for s, e, eid, cat in d.entities or ():
        by_id.setdefault(eid, []).append(Mention(d.text[s:e], s, e, eid, cat))
    rules = {(frozenset((r.subject.id, r.object.id)), r.sentence): r for r in doc._.relations or []}
    out = []
    for a, b, rtype in d.relations:
        found = None
        for s, e in sents:
            ma = [m for m in by_id.get(a, ()) if s <= m.start and m.end <= e]
            mb = [m for m in by_id.get(b, ()) if s <= m.start and m.end <= e]
            if ma and mb and a != b:
                found = (s, e, ma[0], mb[0])
                break
        if found is None:
            load.reject(f"{d.where or d.citation}:PubTator3 {a}-{b}",
                        f"PubTator3 {rtype or 'relation'} {a}-{b}: no sentence names both (document-level claim)")
            continue
        s, e, ma0, mb0 = found
        while e > s and d.text[e - 1].isspace():
            e -= 1
        rule = rules.get((frozenset((a, b)), (s, e))) or rules.get((frozenset((a, b)), found[:2]))
        if rule is not None:
            out.append(Relation(rule.subject, rule.predicate, rule.object, rule.sign, rule.trigger, (s, e),
                                ["pubtator3_relation", f"pubtator3_type:{rtype}", *rule.flags]))
            continue
        predicate, sign = PUBTATOR3_TYPES.get(rtype, ("associated_with", 0))
        out.append(Relation(ma0, predicate, mb0, sign, "", (s, e),
                            ["pubtator3_relation", f"pubtator3_type:{rtype}", *claim_flags(d.text, (s, e), ma0, mb0)]))
    return out


def pair_relations(doc, text: str) -> list[Relation]:
    """The pair model's pairs (:mod:`ingest.nlp.pairs`) that no rule relation already joins, as
    unsigned ``associated_with`` claims of the sentence where both are named (flag ``pair_model``).

    A pair the two concepts never share a sentence for is a document-level guess: no evidence.
    """
    ruled = {frozenset((r.subject.id, r.object.id)) for r in doc._.relations or []}
    out = []
    for p in doc._.pairs or []:
        if p.sentence is None or frozenset((p.a.id, p.b.id)) in ruled:
            continue
        s, e = p.sentence
        while e > s and text[e - 1].isspace():
            e -= 1
        flags = ["pair_model", *claim_flags(text, (s, e), p.a, p.b)]
        out.append(Relation(p.a, "associated_with", p.b, 0, "", (s, e), flags))
    return out


def _add_relation(load: SourceLoad, stats: LiteratureStats, d: Document, r: Relation,
                  resolver: HGNCResolver, source: str, extractor: str = f"{EXTRACTOR}/{EXTRACTOR_VERSION}") -> None:
    s, e = r.sentence
    sentence = d.text[s:e]
    where = f"{d.where or d.citation}:{s}-{e}"
    if not verify_sentence(d.text, sentence, (s, e)) or sentence.strip() != sentence:
        stats.unverified += 1
        load.reject(where, "sentence does not verify against the stored document text")
        return
    reason = _ontology().check_literature_edge(r.subject.category, r.predicate, r.object.category)
    if reason is not None:
        stats.impossible += 1
        load.reject(where, f"relation between categories that cannot hold it: {reason}")
        return
    stats.verified += 1
    subject, obj = grounded(r.subject), grounded(r.object)
    if subject.id == obj.id:  # two phrases of one concept ("IDD ... disc degeneration"): no edge
        load.reject(where, f"both ends ground to {subject.id}")
        return
    r = Relation(subject, r.predicate, obj, r.sign, r.trigger, r.sentence, r.flags)
    edge = Edge(r.subject.id, r.predicate, r.object.id, r.sign)
    ctx = parse_context(f"{sentence} {d.title}")
    ctx.pop("text", None)
    ev = Evidence(edge.key, source, d.citation, sentence, (s, e), extractor,
                  tuple(sorted(ctx.items())), tuple(sorted(r.flags)), r.sign, d.year)
    try:
        nodes = [entity_node(r.subject, resolver, source), entity_node(r.object, resolver, source)]
    except KeyError as exc:
        load.reject(where, f"unknown entity id {exc}")
        return
    load.add_row(where, nodes, [edge], [ev])


def records_from_articles(articles: Iterable[Article], **kw) -> LiteratureResult:
    return records_from_documents((document_from_article(a) for a in articles), **kw)


def records_from_pubtator(docs: Iterable[PubTatorDocument], **kw) -> LiteratureResult:
    kw.setdefault("source", "pubtator")
    return records_from_documents((document_from_pubtator(d) for d in docs), **kw)
