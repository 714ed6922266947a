"""KEGG KGML files that a user supplies (no KEGG data ships with the project).

Gene entries (``hsa:3688 hsa:5747``) map by Entrez id to HGNC; group entries expand to their
components. Each ``<relation>`` is one report row and becomes signed edges by its subtypes
(:data:`SUBTYPES`): a signed subtype (activation, inhibition, expression, repression) wins over
unsigned ones (phosphorylation, binding…); activation together with inhibition is rejected.

>>> SUBTYPES["repression"], SUBTYPES["phosphorylation"]
(('downregulates_expression', -1), ('associated_with', 0))
"""
from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import product

import defusedxml.ElementTree as DET
from defusedxml import DefusedXmlException

from ingest.errors import bounded_reader, describe
from ingest.gmt import GeneMapper, Source, membership_evidence, new_load, source_bytes, source_url
from ingest.hgnc import HGNCResolver
from kg.records.model import Edge, Evidence, Node
from kg.records.sources import SourceLoad
from ontology import Ontology

LICENCE = "KEGG (user-supplied file; KEGG licence terms apply, not redistributed)"
SUBTYPES: dict[str, tuple[str, int]] = {
    "activation": ("activates", 1),
    "inhibition": ("inhibits", -1),
    "expression": ("upregulates_expression", 1),
    "repression": ("downregulates_expression", -1),
    "indirect effect": ("associated_with", 0),
    "phosphorylation": ("associated_with", 0),
    "dephosphorylation": ("associated_with", 0),
    "ubiquitination": ("associated_with", 0),
    "glycosylation": ("associated_with", 0),
    "methylation": ("associated_with", 0),
    "state change": ("associated_with", 0),
    "binding/association": ("binds", 0),
    "dissociation": ("associated_with", 0),
    "missing interaction": ("associated_with", 0),
}
#: Subtypes that carry no assertion between two genes.
NOT_READ = {"compound", "hidden compound"}


def _genes(entries: dict[str, ET.Element], eid: str, mapper: GeneMapper,
           seen: frozenset = frozenset()) -> tuple[list[Node], list[str], str]:
    """(gene nodes, unmapped KEGG ids, error) of one entry id; groups expand to components."""
    el = entries.get(eid)
    if el is None:
        return [], [], f"unknown entry id {eid!r}"
    if eid in seen:
        return [], [], f"entry {eid!r} contains itself"
    if el.get("type") == "group":
        nodes, miss = [], []
        for comp in el.findall("component"):
            n, m, err = _genes(entries, comp.get("id", ""), mapper, seen | {eid})
            if err:
                return [], [], err
            nodes, miss = nodes + n, miss + m
        return nodes, miss, ""
    if el.get("type") not in ("gene", "ortholog"):
        return [], [], ""
    nodes, miss = [], []
    for kid in (el.get("name") or "").split():
        org, _, num = kid.partition(":")
        g = mapper.entrez(num) if org == "hsa" and num.isdigit() else None
        (nodes.append(g) if g else miss.append(kid))
    return nodes, miss, ""


@bounded_reader
def read_kgml(src: Source, resolver: HGNCResolver, *, name: str | None = None, version: str | None = None,
              onto: Ontology | None = None) -> SourceLoad:
    """A human KGML pathway -> ``KEGG:hsaNNNNN`` pathway node, gene memberships, signed relations."""
    data, label = source_bytes(src, name)
    sl = new_load("kegg", version or label, LICENCE, source_url(src, label), label, onto)
    try:
        root = DET.fromstring(data)  # entity declarations refused by design, not by expat's limits
    except ET.ParseError as exc:
        sl.reject(f"{label}:{exc.position[0]}", f"not well-formed KGML/XML (column {exc.position[1]}): {exc}")
        return sl
    except DefusedXmlException as exc:
        sl.reject(f"{label}:DOCTYPE", describe(exc)[1])
        return sl
    if root.tag != "pathway" or not (root.get("name") or "").startswith("path:"):
        sl.reject(f"{label}:{root.tag}", "root element is not a KGML <pathway name='path:…'>")
        return sl
    if root.get("org") != "hsa":
        sl.reject(f"{label}:pathway", f"organism {root.get('org')!r} is not hsa (human)")
        return sl
    pid = root.get("name").split(":", 1)[1]
    title = root.get("title") or pid
    pathway = Node(f"KEGG:{pid}", "pathway", title, (), (), "kegg", (("url", root.get("link", "")),))
    sl.nodes[pathway.id] = pathway
    mapper = GeneMapper(resolver, "kegg")
    entries = {e.get("id", ""): e for e in root.findall("entry")}
    ctx = (("design", "database"),)
    citation = f"KEGG:{pid}"
    members: set[str] = set()
    for eid, el in entries.items():
        if el.get("type") != "gene":
            continue
        nodes, miss, _ = _genes(entries, eid, mapper)
        if miss and not nodes:
            sl.unmapped(miss)
        for n in nodes:
            if n.id in members:
                continue
            members.add(n.id)
            e = Edge(n.id, "member_of", pathway.id, 1)
            sl.add_row(f"{label}:entry[{eid}]:{n.name}", [n], [e],
                       [membership_evidence(e, "kegg", citation, f"{n.name} is drawn in {pid} ({title}).")])
    not_read = 0
    for i, rel in enumerate(root.findall("relation"), start=1):
        e1, e2 = rel.get("entry1", ""), rel.get("entry2", "")
        where = f"{label}:relation[{i}]({e1}->{e2})"
        subs = [s.get("name", "") for s in rel.findall("subtype")]
        signed = [s for s in subs if s in SUBTYPES]
        unknown = [s for s in subs if s not in SUBTYPES and s not in NOT_READ]
        if unknown:
            sl.reject(where, f"unknown relation subtype {unknown[0]!r} (known: {', '.join(SUBTYPES)})")
            continue
        if not signed:
            not_read += 1  # only compounds: no gene-gene assertion
            continue
        signs = {SUBTYPES[s][1] for s in signed} - {0}
        if len(signs) > 1:
            sl.reject(where, f"subtypes {', '.join(signed)} give opposite signs")
            continue
        pred, sign = next((SUBTYPES[s] for s in signed if SUBTYPES[s][1] != 0), SUBTYPES[signed[0]])
        (s_nodes, s_miss, s_err), (o_nodes, o_miss, o_err) = _genes(entries, e1, mapper), _genes(entries, e2, mapper)
        if s_err or o_err:
            sl.reject(where, s_err or o_err)
            continue
        if not s_nodes or not o_nodes:
            if s_miss or o_miss:
                sl.unmapped(s_miss + o_miss)
            else:
                not_read += 1  # a compound or map entry: not a gene
            continue
        nodes = {n.id: n for n in s_nodes + o_nodes}
        edges, evidence = [], []
        for s, o in product(dict.fromkeys(n.id for n in s_nodes), dict.fromkeys(n.id for n in o_nodes)):
            if s == o:
                continue
            e = Edge(s, pred, o, sign)
            edges.append(e)
            evidence.append(Evidence(e.key, "kegg", citation,
                                     f"{pid} ({title}): {nodes[s].name} → {nodes[o].name} ({', '.join(subs)})",
                                     None, "kgml", ctx, (), sign))
        if edges:
            sl.add_row(where, list(nodes.values()), edges, evidence)
        else:
            not_read += 1
    sl.params["relations_not_read"] = not_read
    return sl
