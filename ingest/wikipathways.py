"""WikiPathways: gene sets (the native GMT with Entrez ids, or MSigDB's C2:CP:WIKIPATHWAYS) and
pathway diagrams in GPML (2010a and 2013a), whose arrows become signed, directed gene–gene edges.

In a GPML diagram each interaction with an arrowhead is one report row. Its ends are resolved
through their GraphRefs: a DataNode (gene products via Entrez/Ensembl/HGNC xrefs or their label,
metabolites via ChEBI, pathways via their WP id), a Group (expanded to its members), a State
(its DataNode) or an Anchor on another interaction (the ends that interaction points at).
A GraphRef naming no element is a rejection naming the file and the interaction's GraphId.

>>> ARROWS["TBar"], ARROWS["mim-transcription-translation"]
(('inhibits', -1), ('upregulates_expression', 1))
"""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field, replace
from itertools import product

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from ingest.errors import bounded_reader, describe
from ingest.gmt import (
    GeneMapper,
    GeneSet,
    Source,
    load_gene_sets,
    membership_evidence,
    msigdb_sets,
    new_load,
    source_bytes,
    source_url,
)
from ingest.hgnc import HGNCResolver
from kg.records.model import Edge, Evidence, Node
from kg.records.sources import SourceLoad
from ontology import Ontology

LICENCE = "CC0 1.0 (WikiPathways)"
MSIGDB_LICENCE = "CC BY 4.0 (MSigDB C2:CP:WIKIPATHWAYS, derived from WikiPathways CC0)"
#: GPML arrowhead -> (predicate, sign). Arrowheads not listed here are rejected by name.
ARROWS: dict[str, tuple[str, int]] = {
    "Arrow": ("activates", 1),
    "mim-stimulation": ("activates", 1),
    "mim-necessary-stimulation": ("activates", 1),
    "mim-transcription-translation": ("upregulates_expression", 1),
    "mim-conversion": ("increases", 1),
    "mim-catalysis": ("increases", 1),
    "TBar": ("inhibits", -1),
    "mim-inhibition": ("inhibits", -1),
    "mim-binding": ("binds", 0),
    "mim-modification": ("associated_with", 0),
    "mim-cleavage": ("associated_with", 0),
    "mim-translocation": ("associated_with", 0),
    "mim-covalent-bond": ("binds", 0),
}
#: Arrowheads that draw a plain line: not an assertion, so not read.
NO_ARROW = {"", "Line", "mim-gap", "mim-branching-left", "mim-branching-right"}
GENE_TYPES = {"GeneProduct", "Protein", "Rna", "Gene", "Complex"}
_WP = re.compile(r"WP\d+")


@bounded_reader
def read_wikipathways_gmt(src: Source, resolver: HGNCResolver, *, name: str | None = None,
                          version: str | None = None, onto: Ontology | None = None) -> SourceLoad:
    """Native WikiPathways GMT: ``Name%WikiPathways_DATE%WPnnn%Homo sapiens<TAB>URL<TAB>entrez…``."""
    data, label = source_bytes(src, name)
    m = re.search(r"(\d{8})", label)
    sl = new_load("wikipathways", version or (m.group(1) if m else label), LICENCE, source_url(src, label), label, onto)
    mapper = GeneMapper(resolver, "wikipathways")

    def node(gs: GeneSet) -> Node | str:
        parts = gs.name.split("%")
        if len(parts) < 3 or not _WP.fullmatch(parts[2]):
            return f"set name {gs.name!r} is not 'Name%WikiPathways_DATE%WPnnn%species'"
        if len(parts) > 3 and parts[3] != "Homo sapiens":
            return f"species {parts[3]!r} is not Homo sapiens"
        return Node(f"WP:{parts[2]}", "pathway", parts[0], (), (), "wikipathways",
                    (("url", gs.description),) if gs.description.startswith("http") else ())

    return load_gene_sets(data, label, sl, mapper, node, lambda gs, n: n.id, gene_kind="entrez")


def read_msigdb_wikipathways(src: Source, resolver: HGNCResolver, *, name: str | None = None,
                             version: str | None = None, onto: Ontology | None = None) -> SourceLoad:
    """MSigDB's WikiPathways GMT (sets named ``WP_…``, no WP ids): ``MSIGDB:`` pathways."""
    return msigdb_sets(src, resolver, source="wikipathways", category="pathway", licence=MSIGDB_LICENCE,
                       name=name, version=version, onto=onto)


# -- GPML ------------------------------------------------------------------------------------------

@dataclass
class _Diagram:
    """Elements of one GPML file indexed by GraphId (and groups by GroupId)."""

    datanodes: dict[str, ET.Element] = field(default_factory=dict)
    groups: dict[str, ET.Element] = field(default_factory=dict)          # GraphId -> Group
    group_members: dict[str, list[str]] = field(default_factory=dict)     # GroupId -> member GraphIds
    group_graph_id: dict[str, str] = field(default_factory=dict)          # GroupId -> GraphId
    states: dict[str, str] = field(default_factory=dict)                  # State GraphId -> DataNode GraphId
    anchors: dict[str, ET.Element] = field(default_factory=dict)          # Anchor GraphId -> host Interaction
    graphics: dict[str, str] = field(default_factory=dict)                # Label/Shape GraphId -> tag
    interactions: list[ET.Element] = field(default_factory=list)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _index(root: ET.Element) -> _Diagram:
    d = _Diagram()
    for el in root:
        tag, gid = _local(el.tag), el.get("GraphId")
        if tag == "DataNode" and gid:
            d.datanodes[gid] = el
        elif tag == "Group":
            grp = el.get("GroupId")
            if gid:
                d.groups[gid] = el
            if grp and gid:
                d.group_graph_id[grp] = gid
        elif tag == "State" and gid:
            d.states[gid] = el.get("GraphRef", "")
        elif tag in ("Interaction", "GraphicalLine"):
            if tag == "Interaction":
                d.interactions.append(el)
            for a in el.iter():
                if _local(a.tag) == "Anchor" and a.get("GraphId"):
                    d.anchors[a.get("GraphId")] = el
            if gid:
                d.graphics[gid] = tag
        elif tag in ("Label", "Shape") and gid:
            d.graphics[gid] = tag
    for el in root:
        tag, grp = _local(el.tag), el.get("GroupRef")
        if grp and tag in ("DataNode", "Group"):
            gid = el.get("GraphId") or ""
            d.group_members.setdefault(grp, []).append(gid)
    return d


def _points(inter: ET.Element) -> list[ET.Element]:
    return [p for p in inter.iter() if _local(p.tag) == "Point"]


class _GpmlReader:
    def __init__(self, d: _Diagram, mapper: GeneMapper, label: str):
        self.d, self.mapper, self.label = d, mapper, label

    def node_for(self, dn: ET.Element) -> tuple[Node | None, str]:
        """Entity node of one DataNode, or (None, what could not be mapped)."""
        xref = next((x for x in dn if _local(x.tag) == "Xref"), None)
        db = (xref.get("Database") or "").strip() if xref is not None else ""
        xid = (xref.get("ID") or "").strip() if xref is not None else ""
        text = (dn.get("TextLabel") or "").strip()
        dtype = dn.get("Type") or ""
        gene = None
        if xid and db in ("Entrez Gene", "NCBI Gene", "GeneID"):
            gene = self.mapper.entrez(xid)
        elif xid and db.startswith("Ensembl"):
            gene = self.mapper.ensembl(xid)
        elif xid and db == "HGNC Accession":
            gene = self.mapper.symbol(xid if xid.upper().startswith("HGNC:") else f"HGNC:{xid}")
        elif xid and db == "HGNC":
            gene = self.mapper.symbol(xid)
        if gene is not None:
            return gene, ""
        if dtype == "Metabolite" and xid and db == "ChEBI":
            cid = xid if xid.upper().startswith("CHEBI:") else f"CHEBI:{xid}"
            return Node("CHEBI:" + cid.split(":", 1)[1], "chemical", text or cid, (), (), "wikipathways"), ""
        if dtype == "Pathway" and _WP.fullmatch(xid or ""):
            return Node(f"WP:{xid}", "pathway", text or xid, (), (), "wikipathways"), ""
        if dtype in GENE_TYPES or not dtype:
            gene = self.mapper.symbol(text) if text else None
            if gene is not None:
                return gene, ""
        return None, text or dn.get("GraphId", "?")

    def ends(self, ref: str, seen: frozenset = frozenset()) -> tuple[list[Node], list[str], str]:
        """(nodes, unmapped labels, error) for a GraphRef; error names an unknown ref."""
        if ref in seen:
            return [], [], f"GraphRef {ref!r} refers back to itself"
        seen = seen | {ref}
        d = self.d
        if ref in d.datanodes:
            n, miss = self.node_for(d.datanodes[ref])
            return ([n], [], "") if n else ([], [miss], "")
        if ref in d.states:
            return self.ends(d.states[ref], seen)
        if ref in d.groups:
            grp = d.groups[ref].get("GroupId", "")
            nodes, miss = [], []
            for member in d.group_members.get(grp, []):
                n, m, err = self.ends(member, seen)
                if err:
                    return [], [], err
                nodes += n
                miss += m
            return nodes, miss, ""
        if ref in d.anchors:
            host = d.anchors[ref]
            pts = _points(host)
            target = pts[-1].get("GraphRef") if pts else None
            if not target:
                return [], [], f"anchor {ref!r} sits on interaction {host.get('GraphId')!r}, which points at nothing"
            return self.ends(target, seen)
        if ref in d.graphics:
            return [], [], ""  # a drawing (Label, Shape): not an entity
        return [], [], f"unknown GraphRef {ref!r}"


def _pathway_meta(root: ET.Element, label: str) -> tuple[str | None, str, str]:
    """(WP id, revision, name) from the Pathway element, falling back on the file name for the id."""
    version = root.get("Version") or ""
    m = re.match(r"(WP\d+)(?:_(r\d+))?", version)
    wp = m.group(1) if m else None
    rev = (m.group(2) or "") if m else ""
    if wp is None:
        fm = _WP.search(label)
        wp = fm.group(0) if fm else None
    return wp, rev, root.get("Name") or (wp or label)


@bounded_reader
def read_gpml(src: Source, resolver: HGNCResolver, *, name: str | None = None, version: str | None = None,
              onto: Ontology | None = None) -> SourceLoad:
    """One GPML pathway -> its pathway node, gene memberships and signed interactions.

    Rows: one per gene DataNode (membership) and one per interaction with an arrowhead.
    Interactions drawn to labels or shapes, or without an arrowhead, are drawings and not read
    (their count is kept in the load's params).
    """
    data, label = source_bytes(src, name)
    sl = new_load("wikipathways", version or label, LICENCE, source_url(src, label), label, onto)
    try:
        root = DET.fromstring(data)  # entity declarations refused by design, not by expat's limits
    except ET.ParseError as exc:
        line, col = exc.position
        sl.reject(f"{label}:{line}", f"not well-formed GPML/XML (column {col}): {exc}")
        return sl
    except DefusedXmlException as exc:
        sl.reject(f"{label}:DOCTYPE", describe(exc)[1])
        return sl
    if _local(root.tag) != "Pathway" or "GPML" not in root.tag:
        sl.reject(f"{label}:{root.tag}", "root element is not a GPML <Pathway> (namespace GPML 2010a or 2013a)")
        return sl
    wp, rev, pw_name = _pathway_meta(root, label)
    if wp is None:
        sl.reject(f"{label}:Pathway", "no WikiPathways id (WPnnn) in the Version attribute or the file name")
        return sl
    if version is None:
        sl.provenance = replace(sl.provenance, version=f"{wp}_{rev}" if rev else wp)
    organism = root.get("Organism") or ""
    pathway = Node(f"WP:{wp}", "pathway", pw_name, (), (), "wikipathways",
                   tuple(p for p in (("organism", organism), ("revision", rev)) if p[1]))
    sl.nodes[pathway.id] = pathway
    context = tuple(sorted({"design": "database", **({"revision": rev} if rev else {}),
                            **({"species": organism} if organism else {})}.items()))
    mapper = GeneMapper(resolver, "wikipathways")
    d = _index(root)
    reader = _GpmlReader(d, mapper, label)
    citation = f"WP:{wp}"

    seen_members: set[str] = set()
    for gid, dn in d.datanodes.items():
        if (dn.get("Type") or "") not in GENE_TYPES:
            continue
        n, miss = reader.node_for(dn)
        if n is None:
            sl.unmapped([miss])
            continue
        if n.id in seen_members:
            continue
        seen_members.add(n.id)
        e = Edge(n.id, "member_of", pathway.id, 1)
        ev = membership_evidence(e, "wikipathways", citation, f"{n.name} is drawn in {wp} ({pw_name}).")
        sl.add_row(f"{label}:DataNode[{gid}]", [n], [e], [ev])

    skipped = 0
    for inter in d.interactions:
        gid = inter.get("GraphId") or "?"
        where = f"{label}:Interaction[{gid}]"
        pts = _points(inter)
        heads = [p.get("ArrowHead", "") for p in pts]
        if len(pts) < 2 or all(h in NO_ARROW for h in heads):
            skipped += 1
            continue
        head = next(h for h in reversed(heads) if h not in NO_ARROW)
        if head not in ARROWS:
            sl.reject(where, f"unknown arrowhead {head!r} (known: {', '.join(sorted(ARROWS))})")
            continue
        src_pt, dst_pt = (pts[0], pts[-1]) if heads[-1] not in NO_ARROW else (pts[-1], pts[0])
        refs = [src_pt.get("GraphRef"), dst_pt.get("GraphRef")]
        if not all(refs):
            sl.reject(where, "an end of this interaction is not attached to any element (no GraphRef)")
            continue
        (s_nodes, s_miss, s_err), (o_nodes, o_miss, o_err) = reader.ends(refs[0]), reader.ends(refs[1])
        if s_err or o_err:
            sl.reject(where, s_err or o_err)
            continue
        if (not s_nodes and not s_miss) or (not o_nodes and not o_miss):
            skipped += 1  # drawn to a label or shape
            continue
        if not s_nodes or not o_nodes:
            sl.unmapped(s_miss + o_miss)
            continue
        predicate, sign = ARROWS[head]
        nodes = {n.id: n for n in s_nodes + o_nodes}
        edges, evidence = [], []
        for s, o in product(dict.fromkeys(n.id for n in s_nodes), dict.fromkeys(n.id for n in o_nodes)):
            if s == o:
                continue
            e = Edge(s, predicate, o, sign)
            arrow = "—" if predicate in ("binds", "associated_with") else "→"
            text = f"{wp} ({pw_name}): {nodes[s].name} {arrow} {nodes[o].name} ({head})"
            ctx = context + (("element", gid),)
            edges.append(e)
            evidence.append(Evidence(e.key, "wikipathways", citation, text, None, "gpml",
                                     tuple(sorted(ctx)), (), sign))
        if not edges:
            skipped += 1  # a group pointing at itself
            continue
        sl.add_row(where, list(nodes.values()), edges, evidence)
    sl.params["interactions_not_read"] = skipped
    return sl
