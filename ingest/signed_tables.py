"""Signed interaction tables: OmniPath-style ``source, interaction (1/-1), target`` and SIGNOR exports.

OmniPath complexes written as ``A_B_C`` become gene groups (``KGGROUP:A+B+C``) with their members.
SIGNOR rows keep their PMID and sentence as evidence; effects map to predicates by :data:`SIGNOR_EFFECTS`.

>>> from ingest.hgnc import default_resolver
>>> sl = read_omnipath(b"source\\tinteraction\\ttarget\\nCAV1\\t1\\tTRPC1\\nCALM1\\t-1\\tTRPC1\\n", default_resolver(), name="n.tsv")
>>> sorted((e.predicate, e.sign) for e in sl.edges.values())
[('activates', 1), ('inhibits', -1)]
"""
from __future__ import annotations

import csv
import io

from ingest.errors import bounded_reader, csv_reason
from ingest.gmt import GeneMapper, Source, decoded_rows, new_load, source_bytes, source_url, text_lines
from ingest.hgnc import HGNCResolver
from kg.records.model import Edge, Evidence, Node
from kg.records.sources import SourceLoad, slug
from ontology import Ontology

OMNIPATH_LICENCE = "OmniPath: per-resource licences (academic use)"
OMNIPATH_URL = "https://omnipathdb.org/interactions"
SIGNOR_LICENCE = "SIGNOR (signor.uniroma2.it terms)"
#: SIGNOR EFFECT -> (predicate, sign); "unknown" uses the mechanism (binding -> binds).
SIGNOR_EFFECTS: dict[str, tuple[str, int]] = {
    "up-regulates": ("increases", 1),
    "up-regulates activity": ("activates", 1),
    "up-regulates quantity": ("increases", 1),
    "up-regulates quantity by expression": ("upregulates_expression", 1),
    "up-regulates quantity by stabilization": ("increases", 1),
    "down-regulates": ("decreases", -1),
    "down-regulates activity": ("inhibits", -1),
    "down-regulates quantity": ("decreases", -1),
    "down-regulates quantity by repression": ("downregulates_expression", -1),
    "down-regulates quantity by destabilization": ("decreases", -1),
    "form complex": ("binds", 0),
    "unknown": ("associated_with", 0),
}
SIGNOR_COLUMNS = ("ENTITYA", "TYPEA", "IDA", "DATABASEA", "ENTITYB", "TYPEB", "IDB", "DATABASEB",
                  "EFFECT", "MECHANISM", "TAX_ID", "PMID", "SENTENCE", "SIGNOR_ID")
TAXA = {"9606": "human", "10090": "mouse", "10116": "rat"}


def _gene_or_group(mapper: GeneMapper, text: str, source: str) -> tuple[list[Node], list[Edge], list[str]]:
    """Nodes for ``A`` or a complex ``A_B_C`` (group first), membership edges, unmapped symbols."""
    parts = [p for p in text.split("_") if p]
    genes, missing = [], []
    for p in parts:
        g = mapper.symbol(p)
        (genes.append(g) if g else missing.append(p))
    if missing or not genes:
        return [], [], missing or [text]
    if len(genes) == 1:
        return genes, [], []
    gid = "KGGROUP:" + "+".join(sorted(g.name for g in genes))
    group = Node(gid, "gene_group", text, (), tuple(g.id for g in genes), source)
    return [group, *genes], [Edge(g.id, "member_of", gid, 1) for g in genes], []


@bounded_reader
def read_omnipath(src: Source, resolver: HGNCResolver, *, name: str | None = None, version: str | None = None,
                  onto: Ontology | None = None) -> SourceLoad:
    """``source<TAB>interaction<TAB>target`` with interaction 1 (activation) or -1 (inhibition)."""
    data, label = source_bytes(src, name)
    sl = new_load("omnipath", version or label, OMNIPATH_LICENCE, source_url(src, label), label, onto)
    mapper = GeneMapper(resolver, "omnipath")
    header_seen = False
    for _, where, text in decoded_rows(data, label, sl):
        cols = [c.strip() for c in text.split("\t")]
        if not header_seen:
            header_seen = True
            if [c.lower() for c in cols[:3]] == ["source", "interaction", "target"]:
                continue
        if len(cols) != 3:
            sl.reject(where, f"expected 3 tab-separated columns (source, interaction, target), got {len(cols)}")
            continue
        s_txt, sign_txt, o_txt = cols
        if sign_txt not in ("1", "-1", "+1"):
            sl.reject(where, f"interaction {sign_txt!r} is not 1 or -1")
            continue
        sign = int(sign_txt)
        s_nodes, s_mem, s_miss = _gene_or_group(mapper, s_txt, "omnipath")
        o_nodes, o_mem, o_miss = _gene_or_group(mapper, o_txt, "omnipath")
        if s_miss or o_miss:
            sl.unmapped(s_miss + o_miss)
            continue
        pred = "activates" if sign > 0 else "inhibits"
        e = Edge(s_nodes[0].id, pred, o_nodes[0].id, sign)
        ctx = (("design", "database"),)
        ev = [Evidence(e.key, "omnipath", f"URL:{OMNIPATH_URL}", f"OmniPath: {s_txt} {pred} {o_txt}.", None,
                       "omnipath", ctx, (), sign)]
        ev += [Evidence(m.key, "omnipath", f"URL:{OMNIPATH_URL}", f"{m.subject} is part of the complex {m.object}.",
                        None, "omnipath", ctx, (), 1) for m in s_mem + o_mem]
        sl.add_row(where, s_nodes + o_nodes, [e, *s_mem, *o_mem], ev)
    return sl


def _signor_entity(mapper: GeneMapper, uniprot: dict[str, str], name: str, etype: str, xid: str,
                   db: str) -> tuple[Node | None, str]:
    if etype in ("protein", "gene"):
        hid = uniprot.get(xid.split("-")[0]) if db.upper() == "UNIPROT" else None
        if hid:
            return mapper.node(hid), ""
        g = mapper.symbol(name)
        return (g, "") if g else (None, name)
    if etype == "chemical":
        xref = (f"CHEBI:{xid.split(':')[-1]}",) if db.upper() == "CHEBI" else ((f"PUBCHEM.COMPOUND:{xid.split(':')[-1]}",)
                                                                               if db.upper() == "PUBCHEM" else ())
        nid = xref[0] if xref and xref[0].startswith("CHEBI:") else f"KG:{slug(name)}"
        return Node(nid, "chemical", name, (), xref, "signor"), ""
    if etype == "phenotype":
        return Node(f"KG:{slug(name)}", "phenotype", name, (), (f"SIGNOR:{xid}",) if xid else (), "signor"), ""
    return None, f"{name} ({etype})"


@bounded_reader
def read_signor(src: Source, resolver: HGNCResolver, *, name: str | None = None, version: str | None = None,
                onto: Ontology | None = None) -> SourceLoad:
    """A SIGNOR causal-interaction export (semicolon-separated, header row, 28 columns)."""
    data, label = source_bytes(src, name)
    sl = new_load("signor", version or label, SIGNOR_LICENCE, source_url(src, label), label, onto)
    mapper = GeneMapper(resolver, "signor")
    uniprot = {u: g.hgnc_id for g in resolver.genes.values() for u in g.uniprot_ids}
    lines = list(text_lines(data, label))
    if not lines:
        sl.reject(f"{label}:1", "file is empty")
        return sl
    good = []
    for n, text, err in lines:
        if text is None:
            sl.reject(f"{label}:{n}", err)
        else:
            good.append((n, text))
    if not good:
        return sl
    try:
        header = next(csv.reader([good[0][1]], delimiter=";"))
    except csv.Error as exc:
        sl.reject(f"{label}:{good[0][0]}", f"header: {csv_reason(exc)}")
        return sl
    missing = [c for c in SIGNOR_COLUMNS if c not in header]
    if missing:
        sl.reject(f"{label}:{good[0][0]}", f"not a SIGNOR export: missing column(s) {', '.join(missing)}")
        return sl
    for n, text in good[1:]:
        where = f"{label}:{n}"
        if not text.strip():
            continue
        try:
            row = next(csv.reader(io.StringIO(text), delimiter=";"))
        except csv.Error as exc:  # a cell over the field limit or a stray \r: that row only
            sl.reject(where, csv_reason(exc))
            continue
        if len(row) != len(header):
            sl.reject(where, f"expected {len(header)} fields, got {len(row)}")
            continue
        r = dict(zip(header, row))
        effect = r["EFFECT"].strip()
        if effect not in SIGNOR_EFFECTS:
            sl.reject(where, f"unknown EFFECT {effect!r} (known: {', '.join(SIGNOR_EFFECTS)})")
            continue
        pred, sign = SIGNOR_EFFECTS[effect]
        if effect == "unknown" and r["MECHANISM"].strip() == "binding":
            pred = "binds"
        s, s_miss = _signor_entity(mapper, uniprot, r["ENTITYA"], r["TYPEA"], r["IDA"], r["DATABASEA"])
        o, o_miss = _signor_entity(mapper, uniprot, r["ENTITYB"], r["TYPEB"], r["IDB"], r["DATABASEB"])
        if s is None or o is None:
            sl.unmapped([m for m in (s_miss, o_miss) if m])
            continue
        pmid = r["PMID"].strip()
        citation = f"PMID:{pmid}" if pmid.isdigit() else f"SIGNOR:{r['SIGNOR_ID'].strip()}"
        ctx = {"design": "database", "signor_id": r["SIGNOR_ID"].strip()}
        if r["TAX_ID"].strip() in TAXA:
            ctx["species"] = TAXA[r["TAX_ID"].strip()]
        if r["MECHANISM"].strip():
            ctx["mechanism"] = r["MECHANISM"].strip()
        e = Edge(s.id, pred, o.id, sign)
        text_ = r["SENTENCE"].strip() or f"SIGNOR: {s.name} {effect} {o.name}."
        ev = Evidence(e.key, "signor", citation, text_, None, "signor", tuple(sorted(ctx.items())), (), sign)
        sl.add_row(where, [s, o], [e], [ev])
    return sl
