"""Reactome: pathway gene sets (``ReactomePathways.gmt`` with R-HSA ids, or MSigDB's C2:CP:REACTOME)
and the pathway hierarchy (``ReactomePathwaysRelation.txt``).

Pathways keep Reactome's own stable ids as ``REACT:R-HSA-…``, the same ids the curated modules
name, so a module's Reactome pathways bring their member genes with them.

>>> gmt = b"Integrin cell surface interactions\\tR-HSA-216083\\tITGB1\\tFN1\\n"
>>> from ingest.hgnc import default_resolver
>>> sl = read_reactome_gmt(gmt, default_resolver(), name="mini.gmt")
>>> sorted(e.subject for e in sl.edges.values()), sl.report.reconciles()
(['HGNC:3778', 'HGNC:6153'], True)
"""
from __future__ import annotations

import re

from ingest.errors import bounded_reader
from ingest.gmt import (
    GeneMapper,
    GeneSet,
    Source,
    decoded_rows,
    load_gene_sets,
    msigdb_sets,
    new_load,
    source_bytes,
    source_url,
)
from ingest.hgnc import HGNCResolver
from kg.records.model import Edge, Evidence, Node
from kg.records.sources import SourceLoad
from ontology import Ontology

LICENCE = "CC BY 4.0 (Reactome)"
MSIGDB_LICENCE = "CC BY 4.0 (MSigDB C2:CP:REACTOME, derived from Reactome)"
URL = "https://reactome.org/download/current/"
_RHSA = re.compile(r"^R-HSA-\d+$")
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")


def _version(label: str) -> str:
    m = _DATE.search(label)
    return m.group(1) if m else label


@bounded_reader
def read_reactome_gmt(src: Source, resolver: HGNCResolver, *, name: str | None = None,
                      version: str | None = None, onto: Ontology | None = None) -> SourceLoad:
    """``ReactomePathways.gmt`` (name, R-HSA id, symbols) -> pathway nodes and gene ``member_of`` edges."""
    data, label = source_bytes(src, name)
    sl = new_load("reactome", version or _version(label), LICENCE, source_url(src, label), label, onto)
    mapper = GeneMapper(resolver, "reactome")

    def node(gs: GeneSet) -> Node | str:
        if not _RHSA.match(gs.description):
            return f"second column {gs.description!r} is not a human Reactome id (R-HSA-…)"
        return Node(f"REACT:{gs.description}", "pathway", gs.name, (), (), "reactome")

    return load_gene_sets(data, label, sl, mapper, node, lambda gs, n: n.id)


def read_msigdb_reactome(src: Source, resolver: HGNCResolver, *, name: str | None = None,
                         version: str | None = None, onto: Ontology | None = None) -> SourceLoad:
    """MSigDB's Reactome GMT: sets named ``REACTOME_…`` without R-HSA ids, kept as ``MSIGDB:`` pathways."""
    return msigdb_sets(src, resolver, source="reactome", category="pathway", licence=MSIGDB_LICENCE,
                       name=name, version=version, onto=onto)


@bounded_reader
def read_reactome_hierarchy(src: Source, *, names: dict[str, str] | None = None, name: str | None = None,
                            version: str | None = None, onto: Ontology | None = None) -> SourceLoad:
    """``parent<TAB>child`` rows -> ``child part_of parent`` for human (R-HSA) pathways only.

    ``names`` maps ``REACT:`` ids to pathway names already read (e.g. from the GMT); a pathway
    without a known name is named by its id. Rows for other species are not read.
    """
    data, label = source_bytes(src, name)
    sl = new_load("reactome", version or f"{label}", LICENCE, source_url(src, label), label, onto)
    names = names or {}
    for _, where, text in decoded_rows(data, label, sl):
        cols = text.split("\t")
        if len(cols) != 2:
            sl.reject(where, f"expected 2 tab-separated columns (parent, child), got {len(cols)}")
            continue
        parent, child = (c.strip() for c in cols)
        if not (parent.startswith("R-HSA-") or child.startswith("R-HSA-")):
            continue  # another species: not part of a human graph
        if not (_RHSA.match(parent) and _RHSA.match(child)):
            sl.reject(where, f"not a pair of human Reactome ids: {parent!r}, {child!r}")
            continue
        nodes = [Node(f"REACT:{x}", "pathway", names.get(f"REACT:{x}", x), (), (), "reactome") for x in (parent, child)]
        e = Edge(nodes[1].id, "part_of", nodes[0].id, 0)
        ev = Evidence(e.key, "reactome", nodes[0].id, f"{nodes[1].name} is a sub-pathway of {nodes[0].name}.",
                      None, "reactome", (("design", "database"),), (), 0)
        sl.add_row(where, nodes, [e], [ev])
    return sl

