"""KEGG KGML supplied by the user: tests write their own small KGML (no KEGG data is shipped)."""
from __future__ import annotations

from ingest.hgnc import default_resolver
from ingest.kgml import read_kgml

KGML = b"""<?xml version="1.0"?>
<!DOCTYPE pathway SYSTEM "https://www.kegg.jp/kegg/xml/KGML_v0.7.2_.dtd">
<pathway name="path:hsa99999" org="hsa" number="99999" title="Toy adhesion" link="https://www.kegg.jp/x">
  <entry id="1" name="hsa:3688" type="gene"/>
  <entry id="2" name="hsa:5747" type="gene"/>
  <entry id="3" name="hsa:4314 hsa:4322" type="gene"/>
  <entry id="4" name="hsa:7076" type="gene"/>
  <entry id="5" name="cpd:C00076" type="compound"/>
  <entry id="6" name="hsa:999999999" type="gene"/>
  <entry id="7" name="undefined" type="group"><component id="2"/><component id="4"/></entry>
  <relation entry1="1" entry2="2" type="PPrel"><subtype name="activation" value="--&gt;"/><subtype name="phosphorylation" value="+p"/></relation>
  <relation entry1="4" entry2="3" type="PPrel"><subtype name="inhibition" value="--|"/></relation>
  <relation entry1="2" entry2="3" type="GErel"><subtype name="expression" value="--&gt;"/></relation>
  <relation entry1="4" entry2="2" type="PPrel"><subtype name="repression" value="--|"/></relation>
  <relation entry1="1" entry2="4" type="PPrel"><subtype name="binding/association" value="---"/></relation>
  <relation entry1="7" entry2="1" type="PPrel"><subtype name="dephosphorylation" value="-p"/></relation>
  <relation entry1="1" entry2="5" type="PCrel"><subtype name="compound" value="5"/></relation>
  <relation entry1="1" entry2="2" type="PPrel"><subtype name="activation"/><subtype name="inhibition"/></relation>
  <relation entry1="1" entry2="6" type="PPrel"><subtype name="activation"/></relation>
  <relation entry1="1" entry2="42" type="PPrel"><subtype name="activation"/></relation>
  <relation entry1="1" entry2="2" type="PPrel"><subtype name="teleportation"/></relation>
</pathway>
"""


def test_kgml_relations_become_signed_edges():
    r = default_resolver()
    sl = read_kgml(KGML, r, name="toy.xml")
    g = {s: r.resolve(s).hgnc_id for s in ("ITGB1", "PTK2", "MMP3", "MMP13", "TIMP1")}
    edges = {(e.subject, e.predicate, e.object): e.sign for e in sl.edges.values()}
    assert edges[(g["ITGB1"], "activates", g["PTK2"])] == 1            # activation wins over phosphorylation
    assert edges[(g["TIMP1"], "inhibits", g["MMP3"])] == -1            # entry 3 holds two genes
    assert edges[(g["TIMP1"], "inhibits", g["MMP13"])] == -1
    assert edges[(g["PTK2"], "upregulates_expression", g["MMP3"])] == 1
    assert edges[(g["TIMP1"], "downregulates_expression", g["PTK2"])] == -1
    assert edges[(g["ITGB1"], "binds", g["TIMP1"])] == 0
    assert edges[(g["PTK2"], "associated_with", g["ITGB1"])] == 0      # group 7 expands
    assert edges[(g["ITGB1"], "member_of", "KEGG:hsa99999")] == 1
    assert sl.nodes["KEGG:hsa99999"].name == "Toy adhesion"
    reasons = [str(x) for x in sl.report.rejected]
    assert reasons == ["toy.xml:relation[8](1->2): subtypes activation, inhibition give opposite signs",
                       "toy.xml:relation[10](1->42): unknown entry id '42'",
                       "toy.xml:relation[11](1->2): unknown relation subtype 'teleportation' (known: activation, "
                       "inhibition, expression, repression, indirect effect, phosphorylation, dephosphorylation, "
                       "ubiquitination, glycosylation, methylation, state change, binding/association, dissociation, "
                       "missing interaction)"]
    assert dict(sl.report.unmapped) == {"hsa:999999999": 2}  # its entry and relation 9
    assert sl.params["relations_not_read"] == 1 and sl.report.reconciles()
    ev = next(v for v in sl.evidence.values() if v.text.startswith("hsa99999 (Toy adhesion): ITGB1 → PTK2"))
    assert ev.source == "kegg" and ev.citation == "KEGG:hsa99999"


def test_non_human_and_broken_kgml_are_rejected():
    r = default_resolver()
    mouse = read_kgml(b'<pathway name="path:mmu04510" org="mmu" title="x"/>', r, name="m.xml")
    assert str(mouse.report.rejected[0]) == "m.xml:pathway: organism 'mmu' is not hsa (human)"
    broken = read_kgml(b"<pathway name='path:hsa1' org='hsa'>\n<entry", r, name="b.xml")
    assert str(broken.report.rejected[0]).startswith("b.xml:2: not well-formed KGML/XML")
