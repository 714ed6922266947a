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
from ingest.nlp.dictionaries import lexicon_terms
from ingest.nlp.model import EXTRACTOR, EXTRACTOR_VERSION, Mention, Relation, sentence_spans
from ingest.nlp.pipeline import default_pipeline
from ingest.pubmed import Article
from ingest.pubtator import PubTatorDocument
from kg.records.model import Edge, Evidence, Node, Provenance
from kg.records.sources import SourceLoad, SourceReport, gene_node, now_iso
from ontology import load_ontology

LICENCE = "NLM PubMed terms (abstracts: publisher copyright; sentences quoted as evidence)"


@dataclass(frozen=True)
class Document:
    """Text to mine with its citation; ``entities`` (start, end, id, category) when given."""

    citation: str
    title: str
    text: str
    year: int | None = None
    journal: str = ""
    mesh: tuple[str, ...] = ()
    where: str = ""
    entities: tuple[tuple[int, int, str, str], ...] | None = None


@dataclass
class LiteratureStats:
    documents: int = 0
    sentences: int = 0
    relations: int = 0
    verified: int = 0
    unverified: int = 0
    impossible: int = 0  # category pairs the ontology forbids for text-mined relations (never expected)
    skipped_documents: int = 0
    messages: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"documents": self.documents, "sentences": self.sentences, "relations": self.relations,
                "verified": self.verified, "unverified": self.unverified, "impossible": self.impossible,
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
    return Document(f"PMID:{d.pmid}", d.title, d.text, d.year, d.journal, (), d.where, tuple(d.entities))


def entity_node(m: Mention, resolver: HGNCResolver, source: str) -> Node:
    if m.category == "gene":
        return gene_node(resolver, m.id, source)
    if m.category == "gene_group":
        return group_node(m, resolver, source)
    term = _terms_by_id().get(m.id)
    return Node(m.id, m.category, term.name if term else m.text, (), (), source)


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
                           version: str = "", path: str = "") -> LiteratureResult:
    """Run the NLP pipeline over ``docs`` and build a SourceLoad of verified evidence."""
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
        for r in sd._.relations or []:
            stats.relations += 1
            _add_relation(load, stats, d, r, resolver, source)
    return LiteratureResult(load, stats)


def _add_relation(load: SourceLoad, stats: LiteratureStats, d: Document, r: Relation,
                  resolver: HGNCResolver, source: str) -> None:
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
    edge = Edge(r.subject.id, r.predicate, r.object.id, r.sign)
    ctx = parse_context(f"{sentence} {d.title}")
    ctx.pop("text", None)
    ev = Evidence(edge.key, source, d.citation, sentence, (s, e), f"{EXTRACTOR}/{EXTRACTOR_VERSION}",
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
