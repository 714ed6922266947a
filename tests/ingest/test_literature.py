"""Documents -> verified, signed, cited evidence records."""
from __future__ import annotations

from ingest.hgnc import default_resolver
from ingest.literature import (
    Document,
    LiteratureStats,
    _add_relation,
    records_from_articles,
    records_from_documents,
    verify_sentence,
)
from ingest.nlp.model import Mention, Relation
from ingest.pubmed import Article, parse_pubmed_files
from kg.records.model import Provenance
from kg.records.sources import SourceLoad, SourceReport
from tests.helpers import shared_data

TEXT = ("Compression and TNF in the disc\n"
        "Static compression up-regulated MMP3 in rat nucleus pulposus cells in vitro. "
        "TNF did not increase ACAN. IL1B may induce MMP13.")


def test_evidence_carries_verified_sentence_offsets_flags_and_context():
    res = records_from_articles([Article("123", "Compression and TNF in the disc", TEXT.split("\n", 1)[1], 2020)])
    assert res.stats.unverified == 0 and res.stats.verified == 3
    assert res.load.report.reconciles()
    pub = res.load.nodes["PMID:123"]
    assert pub.category == "publication" and pub.prop("text") == TEXT
    by_text = {v.text: v for v in res.load.evidence.values()}
    ev = by_text["Static compression up-regulated MMP3 in rat nucleus pulposus cells in vitro."]
    assert verify_sentence(TEXT, ev.text, ev.offsets)
    assert ev.citation == "PMID:123" and ev.year == 2020 and ev.extractor.startswith("ldh-nlp/")
    ctx = dict(ev.context)
    assert ctx["species"] == "rat" and ctx["design"] == "in_vitro"
    assert by_text["TNF did not increase ACAN."].flags == ("negated",)
    assert by_text["IL1B may induce MMP13."].flags == ("hedged",)
    edge = res.load.edges[ev.edge_key]
    assert (edge.subject, edge.predicate, edge.object, edge.sign) == (
        "KGV:static_compression", "upregulates_expression", "HGNC:7173", 1)  # the vocabulary's id, as curated
    assert res.load.nodes["KGV:static_compression"].category == "mechanical_stimulus"


def test_sentence_that_does_not_verify_is_never_stored():
    load = SourceLoad(Provenance("t", "1", "x"), SourceReport("t", "t"))
    stats = LiteratureStats()
    doc = Document("PMID:1", "T", "TNF increased MMP3.")
    tnf, mmp3 = Mention("TNF", 0, 3, "HGNC:11892", "gene"), Mention("MMP3", 14, 18, "HGNC:7173", "gene")
    _add_relation(load, stats, doc, Relation(tnf, "increases", mmp3, 1, "increased", (0, 19)),
                  default_resolver(), "t")
    _add_relation(load, stats, doc, Relation(tnf, "increases", mmp3, 1, "increased", (1, 25)),
                  default_resolver(), "t")
    assert stats.verified == 1 and stats.unverified == 1
    assert len(load.evidence) == 1 and load.report.reconciles()
    assert "does not verify" in load.report.rejected[0].reason


def test_same_paper_twice_gives_one_evidence():
    a = Article("9", "T", "TNF increased MMP3.")
    res = records_from_articles([a, a])
    assert len(res.load.evidence) == 1 and len(res.load.edges) == 1


def test_real_pubmed_files_all_verify():
    arts, _ = parse_pubmed_files(sorted((shared_data() / "pubmed").glob("*.xml*")))
    res = records_from_articles(arts)
    assert res.stats.relations > 50 and res.stats.unverified == 0
    texts = {n.id: n.prop("text") for n in res.load.nodes.values() if n.category == "publication"}
    assert all(verify_sentence(texts[v.citation], v.text, v.offsets) for v in res.load.evidence.values())


def test_given_entities_replace_the_dictionary():
    text = "XYZ increased MMP3."
    res = records_from_documents([Document("PMID:5", "", text, entities=((0, 3, "HGNC:11892", "gene"),
                                                                        (14, 18, "HGNC:7173", "gene")))])
    edges = list(res.load.edges.values())
    assert [(e.subject, e.object) for e in edges] == [("HGNC:11892", "HGNC:7173")]


def test_chemical_relations_load_with_mesh_ids():
    res = records_from_articles([Article("1", "A title", "Glucose increased TNF expression in NP cells.")])
    assert [(e.subject, e.predicate, e.object) for e in res.load.edges.values()] == [
        ("MESH:D005947", "increases", "HGNC:11892")]
    chem = res.load.nodes["MESH:D005947"]
    assert (chem.category, chem.name) == ("chemical", "Glucose")
    assert res.stats.verified == 1 and res.stats.unverified == 0


def test_relation_between_impossible_categories_is_rejected():
    load = SourceLoad(Provenance("t", "1", "x"), SourceReport("t", "t"))
    stats = LiteratureStats()
    doc = Document("PMID:1", "T", "The IVD degraded MMP3.")
    ivd, mmp3 = Mention("IVD", 4, 7, "KG:intervertebral_disc", "tissue"), Mention("MMP3", 17, 21, "HGNC:7173", "gene")
    _add_relation(load, stats, doc, Relation(ivd, "degrades", mmp3, -1, "degraded", (0, 22)), default_resolver(), "t")
    assert stats.impossible == 1 and stats.verified == 0 and not load.edges
    assert "cannot hold it" in load.report.rejected[0].reason and load.report.reconciles()


def test_gene_group_nodes_carry_their_members():
    res = records_from_articles([Article("2", "T", "Integrin alpha5beta1 increased MMPs in NP cells.")])
    edges = [(e.subject, e.object) for e in res.load.edges.values()]
    assert edges == [("KGGROUP:ITGA5+ITGB1", "KGGROUP:matrix_metalloproteinases")]
    dimer, mmps = res.load.nodes["KGGROUP:ITGA5+ITGB1"], res.load.nodes["KGGROUP:matrix_metalloproteinases"]
    assert dimer.category == mmps.category == "gene_group"
    assert set(dimer.xrefs) == {"HGNC:6141", "HGNC:6153"} and "HGNC:7173" in mmps.xrefs


def test_mined_concepts_take_the_ids_the_curated_graph_uses():
    from ingest.literature import records_from_articles
    from ingest.pubmed import Article
    from kg.pipeline.build import collect

    res = records_from_articles([Article("1", "T", "TNF increased the recruitment of macrophages. "
                                                   "Compression induced intervertebral disc degeneration.")])
    ids = {n.id for n in res.load.nodes.values()}
    assert "CL:0000235" in ids and "KG:macrophages" not in ids  # the graph's macrophage, not a new node
    default = {i for sl in collect() for i in sl.nodes}
    assert {"CL:0000235", "KGV:compression", "KGV:disc_degeneration"} <= default & ids
