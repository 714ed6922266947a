"""The MONDO/HPO disease dictionary of the reader (ingest.nlp.ontology_diseases), on the whole ontologies."""
from __future__ import annotations

import pytest

from ingest.nlp.ontology_diseases import ontology_disease_concepts, ontology_diseases
from ingest.nlp.pipeline import build_pipeline, default_pipeline
from tests.helpers import shared_data


@pytest.fixture(scope="module")
def forms() -> dict:
    shared_data()
    return ontology_diseases()


def _ents(text: str) -> dict[str, tuple[str, str]]:
    return {e.text: (e.label_, e.kb_id_) for e in default_pipeline()(text).ents}


def test_whole_mondo_and_hpo_filtered_by_what_train_annotators_tag(forms):
    concepts = ontology_disease_concepts()
    assert sum(c.startswith("MONDO:") for c in concepts) > 20_000
    assert sum(c.startswith("HP:") for c in concepts) > 10_000
    assert forms["psoriasis"][0] == "MONDO:0005083" and forms["akathisia"][0].startswith("HP:")
    # disease characteristics, HPO modifiers and words Train leaves untagged are not disease names
    for word in ("grade 4", "chronic", "severe", "disease", "condition"):
        assert word not in forms
    assert not any(f.upper() == f and len(f) <= 6 for f in forms)  # abbreviations come from the text


def test_the_reader_tags_ontology_diseases_after_its_lexicon_and_train(forms):
    ents = _ents("Psoriasis and akathisia were seen with hypertension, low back pain and degenerative "
                 "intervertebral disc.")
    assert ents["Psoriasis"] == ("phenotype", "MONDO:0005083")
    assert ents["akathisia"][0] == "phenotype" and ents["akathisia"][1].startswith("HP:")
    assert ents["hypertension"] == ("phenotype", "MESH:D006973")  # Train's form keeps its MeSH id
    assert ents["low back pain"] == ("phenotype", "KG:low_back_pain")  # the lexicon's term wins
    # a concept the lexicon names keeps the lexicon's id for its other forms: one node, not two
    assert ents["degenerative intervertebral disc"] == ("phenotype", "KG:intervertebral_disc_degeneration")
    only = build_pipeline([("bio_sentences", {}), ("lexicon_ner", {"ontology_diseases": False})])
    doc = only("Psoriasis was seen.")
    assert "Psoriasis" not in {s.text for s in doc.spans["terms"]}


def test_a_laboratory_method_names_no_disease(forms):
    ents = _ents("TNIK was overexpressed by lentiviral infection in patients with infection.")
    assert [t for t, (label, _i) in ents.items() if label == "phenotype"] == ["infection"]
    assert sum(e.label_ == "phenotype" for e in default_pipeline()(
        "TNIK was overexpressed by lentiviral infection in patients with infection.").ents) == 1


def test_an_abbreviation_written_small_is_not_a_disease_name(forms):
    # MONDO lists "COLD" and "cold" for chronic obstructive pulmonary disease: "cold withdrawal latency"
    assert "cold" not in forms
    assert forms["chronic obstructive lung disease"][0] == "MONDO:0005002"
