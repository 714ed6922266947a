"""The gene-mention CRF: it finds what the dictionaries miss, keeps their ids, grounds or sets aside
new spans, and its shipped model is what ``kg train genes`` writes."""
from __future__ import annotations

import hashlib

from typer.testing import CliRunner

from ingest.nlp.gene_tagger import MODEL_FILE, GeneTagger, bio_spans, token_features
from ingest.nlp.pipeline import default_pipeline
from tests.helpers import shared_data


def _ents(text):
    doc = default_pipeline()(text)
    return doc, [(e.text, e.label_, e.kb_id_) for e in doc.ents]


def test_dictionary_ids_survive_and_new_mentions_are_set_aside_when_ungrounded():
    doc, ents = _ents("TNF-alpha induced MMP-3 and ADAMTS-4; gankyrin promotes p53 degradation.")
    assert ("TNF-alpha", "gene", "HGNC:11892") in ents and ("ADAMTS-4", "gene", "HGNC:220") in ents
    assert ("p53", "gene", "HGNC:11998") in ents
    assert [s.text for s in doc.spans["ungrounded_genes"]] == ["gankyrin"]  # a gene, but no dictionary id
    assert all(e.kb_id_ for e in doc.ents)  # nothing ungrounded reaches doc.ents


def test_features_carry_the_dictionary_tags():
    nlp = default_pipeline()
    with nlp.select_pipes(disable=["gene_tagger", "relations", "negation_hedging", "pairs"]):
        doc = nlp("MMP3 rose in NP cells.")
    feats = token_features(doc)
    assert feats[0]["dict"] == "B-gene" and feats[0]["w"] == "mmp3" and feats[0]["-1w"] == "<pad>"
    assert feats[1]["-1dict"] == "B-gene"
    assert len(feats) == len(doc)


def test_without_a_model_the_entities_stay_as_the_dictionaries_left_them(tmp_path):
    nlp = default_pipeline()
    with nlp.select_pipes(disable=["gene_tagger", "relations", "negation_hedging", "pairs"]):
        doc = nlp("CAT and MMP3 were measured.")
    before = [(e.start, e.end, e.kb_id_) for e in doc.ents]
    doc = GeneTagger(str(tmp_path / "none.crfsuite"))(doc)
    assert [(e.start, e.end, e.kb_id_) for e in doc.ents] == before


def test_bio_spans_start_on_a_stray_inside_tag():
    assert bio_spans(["I", "I", "O", "B", "B"]) == [(0, 2), (3, 4), (4, 5)]


def test_kg_train_genes_reproduces_the_shipped_model(tmp_path):
    from kg.surfaces.cli import app

    out = tmp_path / "gene_tagger.crfsuite"
    res = CliRunner().invoke(app, ["train", "genes", "--json", "--out", str(out),
                                   "--corpus", str(shared_data() / "corpora" / "BioRED")])
    assert res.exit_code == 0, res.output
    digest = [hashlib.sha256(p.read_bytes()).hexdigest() for p in (out, MODEL_FILE)]
    assert digest[0] == digest[1], "the shipped gene tagger is not what kg train genes writes"


def test_the_learned_tagger_obeys_the_gene_filter():
    # a spinal level is no gene, whichever component proposes it (the CRF made "L2-3" HGNC:10316)
    _, ents = _ents("MRI demonstrated an enhancing collection at L2-3 ventral and to the left of the spinal canal "
                    "causing severe compression of the thecal sac.")
    assert not [e for e in ents if e[1] == "gene"]
    _, ents = _ents("Tissue inhibitor for metalloproteinase 2 was elevated in NP cells.")
    assert ("Tissue inhibitor for metalloproteinase 2", "gene", "HGNC:11821") in ents  # TIMP2, not MMP2
