"""The literature profile on the disc-biology PubMed records (issue #13): one publication per PMID,
every evidence sentence equal to the stored text at its offsets, and no relation between
categories the ontology forbids for text-mined relations."""
from __future__ import annotations

import pytest

from ingest.literature import verify_sentence
from ontology import load_ontology
from tests.helpers import shared_data


@pytest.fixture(scope="module")
def disc_loads():
    from ingest.hgnc import default_resolver
    from kg.pipeline.build import BuildContext, _literature

    return _literature(BuildContext(default_resolver(), shared_data()))


def _pubmed(loads):
    (load,) = [sl for sl in loads if sl.report.source == "pubmed"]
    return load


def test_disc_records_are_read_once_per_pmid(disc_loads):
    import xml.etree.ElementTree as ET

    load = _pubmed(disc_loads)
    records = [art for f in sorted((shared_data() / "literature" / "disc").glob("*.xml"))
               for art in ET.parse(f).getroot().iter("PubmedArticle")]
    with_abstract = {r.findtext("MedlineCitation/PMID") for r in records
                     if r.find("MedlineCitation/Article/Abstract") is not None}
    assert len(records) > len({r.findtext("MedlineCitation/PMID") for r in records})  # the two files overlap
    pubs = {n.id for n in load.nodes.values() if n.category == "publication"}
    assert pubs == {f"PMID:{p}" for p in with_abstract}
    assert load.report.reconciles()


def test_disc_evidence_verifies_at_its_offsets(disc_loads):
    for load in disc_loads:
        texts = {n.id: n.prop("text") for n in load.nodes.values() if n.category == "publication"}
        evidence = list(load.evidence.values())
        assert evidence
        for ev in evidence:
            s, e = ev.offsets
            assert verify_sentence(texts[ev.citation], ev.text, ev.offsets), ev
            assert texts[ev.citation][s:e] == ev.text
    assert len(_pubmed(disc_loads).edges) >= 50  # a floor, far below what the disc corpus gives


def test_disc_relations_never_join_impossible_categories(disc_loads):
    onto = load_ontology()
    for load in disc_loads:
        for edge in load.edges.values():
            sc, oc = load.nodes[edge.subject].category, load.nodes[edge.object].category
            assert onto.check_literature_edge(sc, edge.predicate, oc) is None, (sc, edge.predicate, oc)
            assert onto.check_edge(edge.subject, sc, edge.predicate, edge.object, oc, edge.sign) is None
    rejected = [r.reason for sl in disc_loads for r in sl.report.rejected]
    assert not [r for r in rejected if "cannot hold it" in r]  # the extractor never even proposes one
