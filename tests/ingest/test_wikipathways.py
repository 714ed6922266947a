"""WikiPathways GMTs and GPML diagrams (2010a and 2013a): signed edges checked against the source."""
from __future__ import annotations

import csv
import xml.etree.ElementTree as ET

import pytest

from ingest.hgnc import default_resolver
from ingest.wikipathways import ARROWS, read_gpml, read_msigdb_wikipathways, read_wikipathways_gmt
from tests.helpers import shared_data

NS = {"2013a": "http://pathvisio.org/GPML/2013a", "2010a": "http://genmapp.org/GPML/2010a"}


def gpml(ns: str, body: str, version: str = 'Version="WP9999_r42"') -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<Pathway xmlns="{NS[ns]}" Name="Toy" {version} '
            f'Organism="Homo sapiens">\n{body}\n</Pathway>\n').encode()


def node(gid: str, label: str, db: str = "Entrez Gene", xid: str = "", group: str = "", typ: str = "GeneProduct") -> str:
    g = f' GroupRef="{group}"' if group else ""
    return (f'<DataNode TextLabel="{label}" GraphId="{gid}" Type="{typ}"{g}><Graphics CenterX="1" CenterY="1" '
            f'Width="1" Height="1"/><Xref Database="{db}" ID="{xid}"/></DataNode>')


def line(gid: str, a: str, b: str, head: str, anchor: str = "") -> str:
    anc = f'<Anchor Position="0.5" Shape="None" GraphId="{anchor}"/>' if anchor else ""
    return (f'<Interaction GraphId="{gid}"><Graphics><Point X="0" Y="0" GraphRef="{a}"/>'
            f'<Point X="1" Y="1" GraphRef="{b}" ArrowHead="{head}"/>{anc}</Graphics><Xref Database="" ID=""/></Interaction>')


TOY = "\n".join([
    node("n1", "ITGB1", xid="3688"), node("n2", "PTK2", "Ensembl", "ENSG00000169398"),
    node("n3", "STMY1", "", ""), node("g1a", "TIMP1", xid="7076", group="grp1"), node("g1b", "TIMP2", xid="7077", group="grp1"),
    '<Group GroupId="grp1" GraphId="G1" Style="Group"/>',
    node("n4", "NOTAGENE9", "", ""), '<Label TextLabel="cell motility" GraphId="lab1"><Graphics/></Label>',
    line("i1", "n1", "n2", "Arrow", anchor="anc1"),
    line("i2", "G1", "n3", "TBar"),
    line("i3", "n3", "anc1", "mim-inhibition"),
    line("i4", "n1", "n4", "Arrow"),
    line("i5", "n2", "lab1", "Arrow"),
    line("i6", "n1", "n2", "mim-binding"),
    '<Interaction GraphId="i7"><Graphics><Point X="0" Y="0" GraphRef="n1"/><Point X="1" Y="1" GraphRef="n2"/></Graphics></Interaction>',
])


@pytest.mark.parametrize("ns", ["2013a", "2010a"])
def test_toy_gpml_signed_edges_groups_anchors(ns):
    r = default_resolver()
    sl = read_gpml(gpml(ns, TOY), r, name="WP9999.gpml")
    ids = {s: r.resolve(s).hgnc_id for s in ("ITGB1", "PTK2", "MMP3", "TIMP1", "TIMP2")}
    edges = {(e.subject, e.predicate, e.object): e.sign for e in sl.edges.values()}
    assert edges[(ids["ITGB1"], "activates", ids["PTK2"])] == 1
    assert edges[(ids["ITGB1"], "binds", ids["PTK2"])] == 0
    # a group expands to its members
    assert edges[(ids["TIMP1"], "inhibits", ids["MMP3"])] == -1 and edges[(ids["TIMP2"], "inhibits", ids["MMP3"])] == -1
    # an interaction ending on an anchor acts on what the anchored interaction points at
    assert edges[(ids["MMP3"], "inhibits", ids["PTK2"])] == -1
    assert sl.nodes["WP:WP9999"].name == "Toy" and sl.provenance.version == "WP9999_r42"
    ev = next(v for v in sl.evidence.values() if v.text.startswith("WP9999 (Toy): ITGB1 → PTK2"))
    assert ev.citation == "WP:WP9999" and dict(ev.context)["revision"] == "r42" and ev.text.endswith("(Arrow)")
    rep = sl.report
    assert dict(rep.unmapped) == {"NOTAGENE9": 2}  # its membership row and interaction i4
    assert sl.params["interactions_not_read"] == 2  # i5 (to a label) and i7 (no arrowhead)
    assert rep.reconciles() and rep.rejected == []


def test_unknown_graphref_is_rejected_naming_file_and_element():
    body = node("n1", "ITGB1", xid="3688") + line("bad7", "n1", "nowhere", "Arrow")
    sl = read_gpml(gpml("2013a", body), default_resolver(), name="WP1.gpml")
    assert [str(x) for x in sl.report.rejected] == ["WP1.gpml:Interaction[bad7]: unknown GraphRef 'nowhere'"]


def test_unknown_arrowhead_is_rejected():
    body = node("n1", "ITGB1", xid="3688") + node("n2", "PTK2", xid="5747") + line("x", "n1", "n2", "mim-telepathy")
    sl = read_gpml(gpml("2013a", body), default_resolver(), name="WP1.gpml")
    assert str(sl.report.rejected[0]).startswith("WP1.gpml:Interaction[x]: unknown arrowhead 'mim-telepathy'")


def test_not_xml_and_not_gpml_are_rejected_with_position():
    sl = read_gpml(b"<Pathway><DataNode>\n", default_resolver(), name="broken.gpml")
    assert str(sl.report.rejected[0]).startswith("broken.gpml:2: not well-formed GPML/XML")
    sl = read_gpml(b"<html/>", default_resolver(), name="page.gpml")
    assert "not a GPML <Pathway>" in str(sl.report.rejected[0])
    assert not sl.edges


def _datanode_genes(tsv) -> set[str]:
    with tsv.open(encoding="utf-8") as fh:
        return {row["Label"] for row in csv.DictReader(fh, delimiter="\t") if row["Type"] == "GeneProduct" and row["NCBI gene"]}


def test_real_gpml_members_match_the_datanode_table():
    gdir = shared_data() / "wikipathways" / "gpml"
    r = default_resolver()
    for wp in ("WP129", "WP1425", "WP560"):
        sl = read_gpml(gdir / f"{wp}.gpml", r)
        members = {sl.nodes[e.subject].xrefs and e.subject for e in sl.edges.values() if e.predicate == "member_of"}
        with (gdir / f"{wp}-datanodes.tsv").open(encoding="utf-8") as fh:
            entrez = {row["NCBI gene"].split(":")[-1] for row in csv.DictReader(fh, delimiter="\t")
                      if row["Type"] == "GeneProduct" and row["NCBI gene"]}
        expected = {r.by_entrez(x) for x in entrez} - {None}
        assert expected and expected <= members, wp
        assert sl.report.reconciles()


def _first_gene_arrow(path, heads):
    """(source Entrez ids, target Entrez ids, arrowhead) of the first interaction with one of ``heads``
    between gene DataNodes (Entrez or Ensembl xrefs) or groups of them, read independently with ElementTree."""
    root = ET.parse(path).getroot()
    ns = {"g": root.tag[1:].split("}")[0]}
    entrez: dict[str, set[str]] = {}
    by_group: dict[str, set[str]] = {}
    for dn in root.findall("g:DataNode", ns):
        x = dn.find("g:Xref", ns)
        if x is not None and x.get("Database") in ("Entrez Gene", "Ensembl") and x.get("ID"):
            entrez[dn.get("GraphId")] = {x.get("ID")}
            if dn.get("GroupRef"):
                by_group.setdefault(dn.get("GroupRef"), set()).add(x.get("ID"))
    for grp in root.findall("g:Group", ns):
        if grp.get("GroupId") in by_group:
            entrez[grp.get("GraphId")] = by_group[grp.get("GroupId")]
    for it in root.findall("g:Interaction", ns):
        pts = it.findall("g:Graphics/g:Point", ns)
        if len(pts) >= 2 and pts[-1].get("ArrowHead") in heads:
            a, b = pts[0].get("GraphRef"), pts[-1].get("GraphRef")
            if a in entrez and b in entrez and not entrez[a] & entrez[b]:
                return sorted(entrez[a]), sorted(entrez[b]), pts[-1].get("ArrowHead")
    return None


@pytest.mark.parametrize("wp", ["WP306", "WP185", "WP560", "WP1425"])
def test_real_gpml_arrows_become_signed_edges(wp):
    path = shared_data() / "wikipathways" / "gpml" / f"{wp}.gpml"
    r = default_resolver()
    sl = read_gpml(path, r)
    found = 0
    for heads in ({"Arrow"}, {"TBar", "mim-inhibition"}):
        picked = _first_gene_arrow(path, heads)
        if picked is None:
            continue
        a, b, head = picked
        pred, sign = ARROWS[head]
        have = {(e.subject, e.predicate, e.object, e.sign) for e in sl.edges.values()}
        def hgnc(x):
            return r.by_ensembl(x) if x.startswith("ENSG") else r.by_entrez(x)

        for s in filter(None, map(hgnc, a)):
            for o in filter(None, map(hgnc, b)):
                assert (s, pred, o, sign) in have, (picked, s, o)
        found += 1
    assert found >= 1
    assert sl.report.reconciles()


def test_native_gmt_uses_entrez_and_wp_ids():
    sl = read_wikipathways_gmt(shared_data() / "wikipathways" / "wikipathways-20201010-gmt-Homo_sapiens.gmt", default_resolver())
    assert sl.provenance.version == "20201010"
    assert sl.nodes["WP:WP306"].name.lower().startswith("focal adhesion")
    assert sl.report.reconciles() and sl.report.rejected == []
    bad = read_wikipathways_gmt(b"Focal adhesion%WikiPathways_1%WP306%Mus musculus\turl\t3688\n", default_resolver(), name="m.gmt")
    assert str(bad.report.rejected[0]) == "m.gmt:1: species 'Mus musculus' is not Homo sapiens"


def test_msigdb_wikipathways_gmt():
    sl = read_msigdb_wikipathways(shared_data() / "wikipathways" / "c2.cp.wikipathways.v2025.1.Hs.symbols.gmt", default_resolver())
    assert any(i.startswith("MSIGDB:WP_") for i in sl.nodes) and sl.report.reconciles()
