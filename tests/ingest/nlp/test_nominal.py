"""Associations stated with a noun or a predicate adjective (ingest/nlp/nominal.py), read from
sentences of the disc literature, and the study aims that must give nothing."""
from __future__ import annotations

import pytest

from ingest.nlp.pipeline import default_pipeline


def _pairs(text: str) -> set[tuple[str, str, str]]:
    out = set()
    for r in default_pipeline()(text)._.relations:
        a, b = sorted((r.subject.text, r.object.text))
        out.add((a, r.predicate, b))
    return out


@pytest.mark.parametrize("text, expected", [
    ("This article reviews the pathological role of TNF-α in IDD.", {("IDD", "associated_with", "TNF-α")}),
    # a title: both named actors take the role
    ("The Role of IL-6 and TMEM100 in Lumbar Discogenic Pain.",
     {("IL-6", "associated_with", "Pain"), ("Pain", "associated_with", "TMEM100")}),
    ("Our results clarified the important role of oxidative stress in IDD.",
     {("IDD", "associated_with", "oxidative stress")}),
    ("The relationship between diabetes and intervertebral disc degeneration was significant.",
     {("diabetes", "associated_with", "intervertebral disc degeneration")}),
    # the second end named twice (bracketed abbreviation) and a relative clause before the adjective
    ("Lumbar disc degeneration (LDD) and low back pain (LBP) are two conditions that are closely related.",
     {("Lumbar disc degeneration", "associated_with", "low back pain")}),
    ("TNF and IL-6 are closely associated.", {("IL-6", "associated_with", "TNF")}),
])
def test_noun_stated_associations(text, expected):
    assert _pairs(text) == expected


@pytest.mark.parametrize("text", [
    "To explore the relationship between diabetes and intervertebral disc degeneration in mice.",
    "We studied the role of YAP in matrix degradation.",
    "Understanding the relation between disc degeneration and osteoporosis is fundamental.",
    "Ferroptosis is a newly identified cell death type, and its role in IDD is still under investigation.",
])
def test_aims_and_open_questions_give_nothing(text):
    assert _pairs(text) == set()


def test_a_pair_the_trigger_reader_joined_is_not_read_twice():
    rels = default_pipeline()("TNF correlated with IL-6, and the relationship between TNF and IL-6 was strong.")._.relations
    assert len(rels) == 1 and rels[0].predicate == "associated_with"


@pytest.mark.parametrize("text, expected", [
    # a list of subjects before a nominal phrase, hedged by "might"
    ("The genes CYP1A1, MMP1 and NQO1 might be diagnostic biomarkers for the progression of IDD.",
     {("CYP1A1", "associated_with", "IDD"), ("IDD", "associated_with", "MMP1"), ("IDD", "associated_with", "NQO1")}),
    ("Diabetes is a risk factor for intervertebral disc degeneration.",
     {("Diabetes", "associated_with", "intervertebral disc degeneration")}),
    # no article before a plural "roles", and both coordinated subjects take it; "be related to
    # the presence of X" keeps X
    ("Apoptosis and pyroptosis play essential roles in IDD.",
     {("Apoptosis", "associated_with", "IDD"), ("IDD", "associated_with", "pyroptosis")}),
    ("Paraspinal muscle atrophy seems to be related to the presence of disc herniations.",
     {("disc herniations", "associated_with", "muscle atrophy")}),
])
def test_nominal_phrases_of_the_lexicon(text, expected):
    assert _pairs(text) == expected


def test_the_binding_of_x_to_y_and_of_z_to_w():
    assert _pairs("The binding of BACH1 to HMOX1 and of BACH1 to GPX4 was verified using ChIP.") == {
        ("BACH1", "binds", "HMOX1"), ("BACH1", "binds", "GPX4")}
    assert _pairs("We aimed to examine the binding of BACH1 to HMOX1.") == set()  # an aim, not a finding


def test_resolution_of_a_herniation_is_its_resorption():
    doc = default_pipeline()("Laminectomy was associated with spontaneous resolution of disc herniations.")
    assert [(e.text, e.kb_id_) for e in doc.ents][-1] == ("resolution of disc herniations", "KG:herniated_disc_resorption")
    assert {(r.subject.id, r.object.id) for r in doc._.relations} == {
        ("KG:herniated_disc_resorption", "KG:laminectomy")}


def _signed(text: str) -> list[tuple[str, str, str, int]]:
    return [(r.subject.text, r.predicate, r.object.text, r.sign) for r in default_pipeline()(text)._.relations]


@pytest.mark.parametrize("text, expected", [
    ("Mice got the ERβ-specific agonist diarylpropionitrile (DPN).", [("diarylpropionitrile", "activates", "ERβ", 1)]),
    ("Rats were given the androgen receptor antagonist flutamide.", [("flutamide", "inhibits", "androgen receptor", -1)]),
    ("Patients were treated with temsirolimus, a mTOR inhibitor.", [("temsirolimus", "inhibits", "mTOR", -1)]),
])
def test_an_agonist_or_inhibitor_named_by_its_target(text, expected):
    assert _signed(text) == expected


@pytest.mark.parametrize("text", [
    "ERβ agonists were studied.",  # no chemical named
    "The mTOR inhibitor was added to the cultures.",  # the noun names no chemical after it
    "MMP3, a mTOR inhibitor, rose.",  # the agent is a gene: the noun is said of no chemical
    "Rapamycin blocked mTOR in other inhibitor classes.",  # target and noun not adjacent
])
def test_no_agonist_claim_without_a_chemical_next_to_the_target_noun(text):
    assert [r for r in default_pipeline()(text)._.relations if r.trigger in ("agonist", "inhibitor")] == []
