"""The document-level pair model: features from our own entities only, the shipped model, its absence."""
from __future__ import annotations

import json

from ingest.nlp.pairs import MODEL_FILE, PairModel, PairScorer, pair_features
from ingest.nlp.pipeline import default_pipeline
from ingest.nlp.species import document_species

TEXT = ("TNF-alpha induces MMP3 in nucleus pulposus cells. Celecoxib reduced MMP3 and TNF-alpha "
        "expression. IL1B was also measured.")


def test_features_are_symmetric_and_describe_co_occurrence():
    doc = default_pipeline()(TEXT)
    cands = {(a, b): f for a, b, f, _s, _m in pair_features(doc)}
    assert cands and all(a < b for a, b in cands)
    tnf_mmp3 = cands[tuple(sorted(("HGNC:11892", "HGNC:7173")))]
    assert tnf_mmp3["co_sent=2"] == 1.0 and tnf_mmp3["rule"] == 1.0
    assert tnf_mmp3["kind=gene_gene"] == 1.0
    il1b = [f for (a, b), f in cands.items() if "HGNC:5992" in (a, b)]
    assert il1b and all("co_sent=0" in f for f in il1b)  # IL1B shares no sentence


def test_shipped_model_scores_pairs_with_sentences_that_hold_both_mentions():
    doc = default_pipeline()(TEXT)
    assert doc._.pairs_model == str(MODEL_FILE)
    assert doc._.pairs, "the shipped model finds the TNF/MMP3 pair"
    probs = [p.probability for p in doc._.pairs]
    assert probs == sorted(probs, reverse=True)
    for p in doc._.pairs:
        if p.sentence is not None:
            s, e = p.sentence
            assert s <= p.a.start < p.a.end <= e and s <= p.b.start < p.b.end <= e
            assert TEXT[p.a.start:p.a.end] == p.a.text
    spec = json.loads(MODEL_FILE.read_text())
    assert spec["threshold"] == PairModel(spec).threshold and all(p.probability >= spec["threshold"] for p in doc._.pairs)


def test_model_probability_equals_the_linear_formula():
    spec = json.loads(MODEL_FILE.read_text())
    model = PairModel(spec)
    doc = default_pipeline()(TEXT)
    import math

    for _a, _b, f, _s, _m in pair_features(doc):
        z = spec["bias"] + sum(spec["weights"].get(k, 0.0) for k in f)
        assert abs(model.probability(f) - 1 / (1 + math.exp(-z))) < 1e-12
        assert model.type_of(f) in spec["types"]


DISEASE_TEXT = ("MMP3 and IL6 were elevated in patients with osteoarthritis and obesity. "
                "MMP3 levels correlated with osteoarthritis severity.")


def test_disease_pairs_have_a_model_and_threshold_of_their_own():
    import math

    spec = json.loads(MODEL_FILE.read_text())
    model = PairModel(spec)
    assert spec["disease"]["threshold"] != spec["threshold"] and spec["disease"]["weights"] != spec["weights"]
    doc = default_pipeline()(DISEASE_TEXT)
    cands = {(a, b): f for a, b, f, _s, _m in pair_features(doc)}
    oa, obesity, mmp3 = "KG:osteoarthritis", "KG:obesity", "HGNC:7173"
    assert tuple(sorted((oa, obesity))) not in cands  # two diseases: BioRED relates none, nor do we
    f = cands[tuple(sorted((mmp3, oa)))]
    assert f["kind=disease_gene"] == 1.0
    d = spec["disease"]
    z = d["bias"] + sum(d["weights"].get(k, 0.0) for k in f)
    assert abs(model.probability(f, "disease_gene") - 1 / (1 + math.exp(-z))) < 1e-12
    assert model.probability(f, "disease_gene") != model.probability(f, "gene_gene")
    kinds = {frozenset((p.a.id, p.b.id)): p for p in doc._.pairs}
    found = kinds.get(frozenset((mmp3, oa)))
    assert found is not None and found.probability >= d["threshold"]  # named together twice, once in a correlation
    assert all(p.probability >= model.threshold_for("disease" if "KG:" in p.a.id + p.b.id else "gene_gene")
               for p in doc._.pairs)


def test_without_a_model_nothing_is_predicted_and_the_doc_says_why(tmp_path):
    scorer = PairScorer(str(tmp_path / "missing.json"))
    nlp = default_pipeline()
    doc = nlp.make_doc(TEXT)
    for _name, proc in nlp.pipeline[:-1]:
        doc = proc(doc)
    doc = scorer(doc)
    assert doc._.pairs == [] and "no pair model" in doc._.pairs_model


def test_document_species():
    assert document_species("Sprague-Dawley rats; rat NP cells") == "rat"
    assert document_species("Knockout mice, mouse NP cells and one patient") == "mouse"
    assert document_species("Mice and one patient") == "human"  # ties go to human
    assert document_species("Patients with LDH; rats") == "human"
