"""Each spaCy component on small texts, then the composed pipeline."""
from __future__ import annotations

import spacy

from ingest.nlp.abbreviations import find_abbreviations
from ingest.nlp.dictionaries import canonical, gene_dictionary, lexicon_terms
from ingest.nlp.pipeline import DEFAULT_CONFIG, build_pipeline, default_pipeline


def _sents(text: str) -> list[str]:
    nlp = spacy.blank("en")
    nlp.add_pipe("bio_sentences")
    return [s.text.strip() for s in nlp(text).sents]


def test_sentences_survive_abbreviations_decimals_and_dotted_names():
    text = ("Smith et al. found that TNF (Fig. 2) rose, i.e. by 1.3-fold at 1.3 MPa vs. controls. "
            "Nkx2.5 was expressed, e.g. in NP cells. A new sentence starts here.")
    assert _sents(text) == [
        "Smith et al. found that TNF (Fig. 2) rose, i.e. by 1.3-fold at 1.3 MPa vs. controls.",
        "Nkx2.5 was expressed, e.g. in NP cells.",
        "A new sentence starts here.",
    ]


def test_newline_ends_a_sentence():
    assert _sents("A title without period\nBACKGROUND: Text here.") == ["A title without period",
                                                                         "BACKGROUND: Text here."]


def test_schwartz_hearst_abbreviations():
    found = find_abbreviations("Levels of matrix metalloproteinase-3 (MMP-3) in the nucleus pulposus (NP) "
                               "were measured (p < 0.05).")
    assert found["MMP-3"][0] == "matrix metalloproteinase-3"
    assert found["NP"][0] == "nucleus pulposus"
    assert "p < 0.05" not in found


def test_gene_dictionary_symbols_are_case_sensitive_and_filtered():
    d = gene_dictionary()
    assert d.lookup("MMP-3") == "HGNC:7173"
    assert d.lookup("TGF-β1") == d.lookup("TGFB1") == "HGNC:11766"
    assert d.lookup("Mmp13") == "HGNC:7159"  # rodent spelling
    for word in ("cat", "CAT", "SET", "IMPACT", "II", "MAX", "REST", "AIM", "p"):
        assert d.lookup(word) is None, word
    assert canonical("IL-1beta") == "IL1B"


def test_lexicon_ids_are_go_or_slug():
    terms = lexicon_terms()
    assert terms["apoptosis"].id == "GO:0006915"
    assert terms["static compression"].id == "KG:static_compression"
    assert terms["unloading"].category == "mechanical_stimulus"
    assert all(t.id.startswith(("GO:", "KG:")) for t in terms.values())


def _ents(text: str) -> list[tuple[str, str, str]]:
    return [(e.text, e.label_, e.kb_id_) for e in default_pipeline()(text).ents]


def test_ner_filters_abbreviation_of_tissue_and_p_values():
    ents = _ents("Cells of the nucleus pulposus (NP) expressed TNF (p < 0.05) and CAT activity.")
    texts = [e[0] for e in ents]
    genes = [e[0] for e in ents if e[1] == "gene"]
    assert "NP" not in genes and "p" not in texts and "CAT" not in texts
    assert ("NP", "tissue", "KG:nucleus_pulposus") in ents  # the short form names the tissue it defines
    assert ("TNF", "gene", "HGNC:11892") in ents
    assert ("nucleus pulposus", "tissue", "KG:nucleus_pulposus") in ents


def test_ner_full_gene_names_and_longest_span_wins():
    ents = _ents("Matrix metalloproteinase-3 and tumor necrosis factor rose under static compression.")
    assert ("Matrix metalloproteinase-3", "gene", "HGNC:7173") in ents
    assert ("tumor necrosis factor", "gene", "HGNC:11892") in ents
    assert ("static compression", "mechanical_stimulus", "KG:static_compression") in ents


def _rels(text: str):
    return [(r.subject.text, r.predicate, r.object.text, r.sign, r.flags) for r in default_pipeline()(text)._.relations]


def test_relation_direction_sign_and_passive():
    assert _rels("TNF increased MMP3 expression.") == [("TNF", "increases", "MMP3", 1, [])]
    assert _rels("MMP3 was induced by TNF.") == [("TNF", "increases", "MMP3", 1, [])]
    assert _rels("IL10 suppressed TNF.") == [("IL10", "inhibits", "TNF", -1, [])]
    assert _rels("MMP13 degrades COL2A1.") == [("MMP13", "degrades", "COL2A1", -1, [])]
    rels = _rels("Static compression up-regulated MMP3 and MMP13 and induced apoptosis.")
    assert [(r[0], r[1], r[2]) for r in rels] == [
        ("Static compression", "upregulates_expression", "MMP3"),
        ("Static compression", "upregulates_expression", "MMP13"),
        ("Static compression", "increases", "apoptosis")]


def test_relation_needs_both_entities_in_one_sentence():
    assert _rels("TNF was high. It increased MMP3.") == []


def test_negation_and_hedging_flags():
    assert _rels("TNF did not increase MMP3.")[0][4] == ["negated"]
    assert _rels("IL1B may induce MMP13.")[0][4] == ["hedged"]
    assert _rels("These data suggest that IL1B does not induce MMP13.")[0][4] == ["negated", "hedged"]


def test_a_negation_inside_an_opening_concession_stays_there():
    # "cannot" is said of death, in the "although" clause; the main clause states the claim
    rels = _rels("Although IVDD cannot directly cause death, it can cause pain.")
    assert [(r[0], r[2], r[4]) for r in rels] == [("IVDD", "pain", [])]
    # a negation in the main clause still negates, and so does one when both ends are inside the clause
    assert _rels("Although studied, TNF did not increase MMP3.")[0][4] == ["negated"]
    assert _rels("Although TNF did not increase MMP3, IL6 rose.")[0][4] == ["negated"]


def test_binding_as_modifier_is_not_a_relation():
    assert _rels("PDCD1LG2 acts as an RNA binding protein for BRCA1.") == []
    assert [r[1] for r in _rels("ITGA5 binds to FN1.")] == ["binds"]


def test_pipeline_is_composed_from_config():
    nlp = build_pipeline([c for c in DEFAULT_CONFIG if c[0] != "negation_hedging"])
    assert "negation_hedging" not in nlp.pipe_names
    doc = nlp("TNF did not increase MMP3.")
    assert doc._.relations[0].flags == []  # the cue component is what sets the flag


def test_tokenizer_round_trips_text_and_keeps_decimals():
    from ingest.nlp.tokenizer import BioTokenizer

    tok = BioTokenizer(spacy.blank("en").vocab)
    for text in ("IL-1β-induced MMP-3 at 1.3 MPa\nNext", "  two  spaces\n\n end ", "", "x"):
        assert tok(text).text == text
    assert [t.text for t in tok("1.3 MPa, p<0.05")] == ["1.3", "MPa", ",", "p", "<", "0.05"]


def test_gene_spans_greek_suffix_sets_ions_and_receptors():
    ents = _ents("Tumor necrosis factor-alpha, ERK1/2, Ca2+ influx, VEGF receptor 2 and NRG-1 beta.")
    texts = {e[0]: e[2] for e in ents}
    assert texts["Tumor necrosis factor-alpha"] == "HGNC:11892"
    assert texts["ERK1/2"] == "HGNC:6877"  # the set, named by its first member (MAPK3)
    assert "NRG-1 beta" in texts
    assert not any(t.startswith("Ca2") and label == "gene" for t, label, _ in ents)  # an ion, not a gene
    assert "VEGF" not in texts  # "VEGF receptor 2" is the receptor, not the ligand


def test_abbreviation_of_a_disease_is_not_a_gene():
    ents = _ents("Patients with hepatocellular carcinoma (HCC) and coronary artery disease (CAD) had high TNF.")
    assert [e[0] for e in ents if e[1] == "gene"] == ["TNF"]


def test_perturbation_flips_the_sign():
    assert _rels("Knockdown of NOX4 reduced VEGFR2 activation.")[0][:4] == ("NOX4", "increases", "VEGFR2", 1)
    assert _rels("NOX4 siRNA inhibited STAT3.")[0][:4] == ("NOX4", "activates", "STAT3", 1)


def test_nominal_trigger_needs_of():
    assert _rels("STAT3 activation in response to VEGF was high.") == []
    assert _rels("Activation of STAT3 by VEGF was high.")[0][:3] == ("VEGF", "activates", "STAT3")


def test_odd_punctuation_never_crashes():
    for text in ("*5 and SLCO1B1*5, ** * -- -/- / - *- and MMP3.", "((((", "-", "α-β-γ", "\n\n\n", "A. B. C.",
                 "x" * 5000, "TNF/" * 50):
        doc = default_pipeline()(text)
        assert doc.text == text


def _pairs(text: str) -> list[tuple[str, str, str, int]]:
    return [(r.subject.text, r.predicate, r.object.text, r.sign) for r in default_pipeline()(text)._.relations]


def test_association_cues_and_interaction_between():
    assert _pairs("We found an interaction between TNF and IL6 in NP cells.") == [("TNF", "binds", "IL6", 0)]
    assert _pairs("Serum IL6 was associated with MMP3 levels.") == [("IL6", "associated_with", "MMP3", 0)]


def test_no_relation_across_clauses_brackets_or_comparisons():
    assert _pairs("TNF increased MMP3, whereas IL6 was unchanged.") == [("TNF", "increases", "MMP3", 1)]
    assert _pairs("Signalling proteins (AKT1, STAT5 and LYN), activated MMP3.") == []
    assert _pairs("Tumor necrosis factor (TNF) induced MMP3.") == [("TNF", "increases", "MMP3", 1)]
    assert _pairs("Patients had lower MMP3 and TNF levels.") == []


def test_passive_with_coordinated_objects():
    assert _pairs("Mmp3 and Mmp13 were induced by Il1b.") == [("Il1b", "increases", "Mmp3", 1),
                                                             ("Il1b", "increases", "Mmp13", 1)]


def test_chemicals_rodent_symbols_protein_names_and_sets():
    ents = {e[0]: (e[1], e[2]) for e in _ents("Glucose and aspirin changed Mmp3, adiponectin and caspase-3/7 in TAG codons.")}
    assert ents["Glucose"] == ("chemical", "MESH:D005947")
    assert ents["aspirin"][0] == "chemical"
    assert ents["Mmp3"] == ("gene", "HGNC:7173")
    assert ents["adiponectin"] == ("gene", "HGNC:13633")
    assert ents["caspase-3/7"][0] == "gene"
    assert "TAG" not in ents


def test_diseases_learned_from_train_after_the_project_lexicon():
    ents = {e[0]: (e[1], e[2]) for e in _ents(
        "Patients with hypertension and low back pain showed chronic inflammation and inflammatory cytokines.")}
    assert ents["hypertension"] == ("phenotype", "MESH:D006973")  # learned from BioRED Train
    assert ents["low back pain"] == ("phenotype", "KG:low_back_pain")  # the lexicon's term wins its form
    # Train's disease "inflammation" (D007249) is a GO process in the lexicon: none of its forms is a disease
    assert ents.get("chronic inflammation", ("", ""))[0] != "phenotype"
    assert "inflammatory" not in ents or ents["inflammatory"][0] != "phenotype"
    only = build_pipeline([("bio_sentences", {}), ("lexicon_ner", {"diseases": False, "ontology_diseases": False})])
    doc = only("Patients with hypertension.")
    assert "hypertension" not in {s.text for s in doc.spans["terms"]}


# -- GO processes beyond the curated lexicon (issue #13) -------------------------------

def test_the_shipped_go_lexicon_is_what_its_tool_writes_from_the_whole_go(tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    from kg.datapack import datapack_path
    from tests.helpers import shared_data

    root = Path(__file__).resolve().parents[3]
    out = tmp_path / "go_lexicon.tsv.gz"
    subprocess.run([sys.executable, str(root / "tools" / "make_go_lexicon.py"), "--shared", str(shared_data()),
                    "--out", str(out)], check=True, capture_output=True)
    assert out.read_bytes() == datapack_path("ontologies", "go_lexicon.tsv.gz").read_bytes()


def test_a_go_process_outside_the_curated_lexicon_takes_its_go_id_and_its_relation():
    from ingest.nlp.pipeline import default_pipeline

    doc = default_pipeline()("Microtubule stabilization promotes the expression of COL2 in nucleus pulposus cells.")
    terms = {s.text: s.kb_id_ for s in doc.spans["terms"]}
    assert terms["Microtubule stabilization"] == "GO:0007026"
    assert [(r.subject.id, r.predicate, r.object.id) for r in doc._.relations] == [
        ("GO:0007026", "promotes", "HGNC:2200")]
    # a generic form the tool leaves out is no term ("gene expression" would swallow the gene's relation)
    doc = default_pipeline()("TNF increased gene expression of MMP3.")
    assert "gene expression" not in {s.text for s in doc.spans["terms"]}
