"""What a source adapter hands to the loader: records, provenance and a reconciling report.

Every adapter builds a :class:`SourceLoad` row by row with :meth:`SourceLoad.add_row`, which
checks the row's records against the ontology and rejects the whole row (naming file, line
and rule) if any record breaks it, so counts always reconcile:
``read == loaded + rejected + unmapped``.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Iterable

from kg.records.model import Edge, Evidence, Node, Provenance
from ontology import Ontology, load_ontology


@dataclass(frozen=True)
class Rejection:
    where: str  # "file:line" or "file:element"
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class SourceReport:
    source: str
    path: str
    read: int = 0
    loaded: int = 0
    rejected: list[Rejection] = field(default_factory=list)
    unmapped_rows: int = 0
    unmapped: Counter = field(default_factory=Counter)

    def reconciles(self) -> bool:
        return self.read == self.loaded + len(self.rejected) + self.unmapped_rows

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "path": self.path, "read": self.read, "loaded": self.loaded,
                "rejected": len(self.rejected), "unmapped_rows": self.unmapped_rows,
                "rejections": [str(r) for r in self.rejected],
                "unmapped_symbols": dict(self.unmapped.most_common())}


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass
class SourceLoad:
    provenance: Provenance
    report: SourceReport
    ontology: Ontology = field(default_factory=load_ontology)
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: dict[str, Edge] = field(default_factory=dict)
    evidence: dict[str, Evidence] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)

    def category_of(self, node_id: str) -> str | None:
        n = self.nodes.get(node_id)
        return n.category if n else None

    def add_row(self, where: str, nodes: Iterable[Node], edges: Iterable[Edge],
                evidence: Iterable[Evidence], known_categories: dict[str, str] | None = None) -> bool:
        """Validate one source row's records; keep them all or reject the row. Counts one read.

        Written for the million rows of a full build (a gene set's memberships are one row each):
        lists are taken as they come, and the categories of a row with no nodes of its own are
        looked up directly.
        """
        self.report.read += 1
        nodes = nodes if type(nodes) is list else list(nodes)
        edges = edges if type(edges) is list else list(edges)
        evidence = evidence if type(evidence) is list else list(evidence)
        onto, known = self.ontology, self.nodes
        cats = {n.id: n.category for n in nodes} if nodes else {}
        for n in nodes:
            reason = onto.check_node(n.id, n.category, n.name)
            if reason:
                return self.reject(where, reason, counted=True)
        for e in edges:
            sc, oc = cats.get(e.subject), cats.get(e.object)
            if sc is None:
                sn = known.get(e.subject)
                sc = sn.category if sn else (known_categories or {}).get(e.subject)
            if oc is None:
                on = known.get(e.object)
                oc = on.category if on else (known_categories or {}).get(e.object)
            if sc is None or oc is None:
                return self.reject(where, f"edge {e.subject} {e.predicate} {e.object} names an unknown node", counted=True)
            reason = onto.check_edge(e.subject, sc, e.predicate, e.object, oc, e.sign)
            if reason:
                return self.reject(where, reason, counted=True)
        if evidence:
            keys = {e.key for e in edges}  # not | set(self.edges): copying every row made loads quadratic
            for v in evidence:
                if v.edge_key not in keys and v.edge_key not in self.edges:
                    return self.reject(where, "evidence for an edge not in this row", counted=True)
                if not v.citation:
                    return self.reject(where, "missing citation", counted=True)
        for n in nodes:
            known[n.id] = merge_nodes(known.get(n.id), n)
        for e in edges:
            self.edges.setdefault(e.key, e)
        for v in evidence:
            self.evidence.setdefault(v.key, v)
        self.report.loaded += 1
        return True

    def reject(self, where: str, reason: str, counted: bool = False) -> bool:
        if not counted:
            self.report.read += 1
        self.report.rejected.append(Rejection(where, reason))
        return False

    def unmapped(self, symbols: Iterable[str], counted: bool = False) -> None:
        """Count one row whose entities could not be mapped (e.g. unknown gene symbols)."""
        if not counted:
            self.report.read += 1
        self.report.unmapped_rows += 1
        self.report.unmapped.update(symbols)


def merge_nodes(old: Node | None, new: Node) -> Node:
    if old is None:
        return new
    syn = tuple(sorted(set(old.synonyms) | set(new.synonyms)))
    xrefs = tuple(sorted(set(old.xrefs) | set(new.xrefs)))
    props = tuple(sorted({**dict(new.props), **dict(old.props)}.items()))
    return Node(old.id, old.category, old.name, syn, xrefs, old.source or new.source, props)


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """Stable local id for a free-text entity: ``"M1 macrophages (iNOS+)"`` -> ``m1_macrophages_inos``."""
    return _SLUG.sub("_", text.lower()).strip("_")[:80] or "unnamed"


def gene_node(resolver, hgnc_id: str, source: str) -> Node:
    """Node for an HGNC gene with its names and cross-references."""
    g = resolver.genes[hgnc_id]
    xrefs = []
    if g.entrez_id:
        xrefs.append(f"NCBIGene:{g.entrez_id}")
    if g.ensembl_id:
        xrefs.append(f"ENSEMBL:{g.ensembl_id}")
    xrefs += [f"UniProtKB:{u}" for u in g.uniprot_ids]
    return Node(g.hgnc_id, "gene", g.symbol, tuple(dict.fromkeys((g.name, *g.aliases, *g.previous))),
                tuple(xrefs), source)


def citation_curie(citation: str) -> str:
    """Normalise a citation to a CURIE: PMID:, DOI:, PMCID: or URL:."""
    c = citation.strip()
    for p in ("PMID", "DOI", "PMCID"):
        if c.upper().startswith(p + ":"):
            return f"{p}:{c.split(':', 1)[1].strip()}"
    if c.startswith("http"):
        return f"URL:{c}"
    if c.isdigit():
        return f"PMID:{c}"
    return c
