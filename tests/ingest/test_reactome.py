"""Reactome GMT, MSigDB Reactome GMT and the pathway hierarchy."""
from __future__ import annotations

from ingest.hgnc import default_resolver
from ingest.reactome import read_msigdb_reactome, read_reactome_gmt, read_reactome_hierarchy
from tests.helpers import shared_data


def test_reactome_gmt_gives_react_ids_and_member_genes():
    p = shared_data() / "reactome" / "ReactomePathways_2024-09-18.gmt"
    sl = read_reactome_gmt(p, default_resolver())
    assert sl.provenance.version == "2024-09-18" and sl.provenance.licence.startswith("CC BY 4.0")
    ecm = sl.nodes["REACT:R-HSA-1474228"]
    assert ecm.name == "Degradation of the extracellular matrix" and ecm.category == "pathway"
    members = {e.subject for e in sl.edges.values() if e.object == ecm.id}
    assert {"HGNC:7173", "HGNC:7159", "HGNC:221"} <= members  # MMP3, MMP13, ADAMTS5
    r = sl.report
    assert r.reconciles() and r.rejected == []
    assert r.unmapped["gag"] >= 1  # viral entity names are counted, not guessed


def test_bad_second_column_rejects_the_line():
    sl = read_reactome_gmt(b"Some pathway\tR-MMU-123\tMMP3\nOther\tR-HSA-1\tMMP3\n", default_resolver(), name="r.gmt")
    assert [str(x) for x in sl.report.rejected] == ["r.gmt:1: second column 'R-MMU-123' is not a human Reactome id (R-HSA-…)"]
    assert "REACT:R-HSA-1" in sl.nodes


def test_hierarchy_keeps_human_rows_only_and_uses_known_names():
    data = b"R-BTA-1\tR-BTA-2\nR-HSA-1474244\tR-HSA-1474228\nR-HSA-1\tbad id\n"
    sl = read_reactome_hierarchy(data, names={"REACT:R-HSA-1474244": "Extracellular matrix organization"}, name="rel.txt")
    (e,) = sl.edges.values()
    assert (e.subject, e.predicate, e.object) == ("REACT:R-HSA-1474228", "part_of", "REACT:R-HSA-1474244")
    assert sl.nodes["REACT:R-HSA-1474244"].name == "Extracellular matrix organization"
    assert [str(r) for r in sl.report.rejected] == ["rel.txt:3: not a pair of human Reactome ids: 'R-HSA-1', 'bad id'"]
    assert sl.report.read == 2 and sl.report.reconciles()


def test_real_hierarchy_is_all_human():
    sl = read_reactome_hierarchy(shared_data() / "reactome" / "ReactomePathwaysRelation.txt")
    assert len(sl.edges) > 2000 and all(n.startswith("REACT:R-HSA-") for n in sl.nodes)


def test_msigdb_reactome_sets_are_msigdb_pathways():
    p = shared_data() / "reactome" / "c2.cp.reactome.v2025.1.Hs.symbols.gmt"
    sl = read_msigdb_reactome(p, default_resolver())
    n = sl.nodes["MSIGDB:REACTOME_DEGRADATION_OF_THE_EXTRACELLULAR_MATRIX"]
    assert n.category == "pathway" and n.name == "degradation of the extracellular matrix"
    assert sl.report.reconciles()
