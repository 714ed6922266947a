"""Issue #13, a literature reader that works on disc papers: normalisation, gene groups,
coordination, non-genes, and relations whose categories and meaning hold."""
from __future__ import annotations

import pytest

from ingest.nlp.pipeline import default_pipeline
from ontology import load_ontology


def _ents(text: str) -> list[tuple[str, str, str]]:
    return [(e.text, e.label_, e.kb_id_) for e in default_pipeline()(text).ents]


def _genes(text: str) -> dict[str, str]:
    return {t: i for t, label, i in _ents(text) if label in ("gene", "gene_group")}


def _rels(text: str):
    return [(r.subject.text, r.predicate, r.object.text, r.sign, r.object.id, r.flags)
            for r in default_pipeline()(text)._.relations]


# -- normalisation ---------------------------------------------------------------------------

def test_hyphenated_approved_symbol_and_prose_forms():
    genes = _genes("ADAMTS-4 and ADAMTS-5 cleave aggrecan; IL-1Ra and COX-2 were measured.")
    assert genes["ADAMTS-4"] == "HGNC:220"  # ADAMTS4, not ADAMTS3 (whose HGNC alias is "ADAMTS-4")
    assert genes["ADAMTS-5"] == "HGNC:221"
    assert genes["IL-1Ra"] == "HGNC:6000"  # IL1RN, not IL1R1
    assert genes["COX-2"] == "HGNC:9605"  # PTGS2


def test_rodent_symbol_through_the_orthologue_table():
    assert _genes("Trp53 and Mmp13 rose in rat NP cells.") == {"Trp53": "HGNC:11998", "Mmp13": "HGNC:7159"}


@pytest.mark.parametrize("text, expected", [
    ("MMP-1, -3 and -9 were elevated.", ["HGNC:7155", "HGNC:7173", "HGNC:7176"]),
    ("Levels of metalloproteinase-3 and -13 increased.", ["HGNC:7173", "HGNC:7159"]),
    ("TIMP-1, -2, and -3 were unchanged.", ["HGNC:11820", "HGNC:11821", "HGNC:11822"]),
])
def test_coordinated_forms_name_every_gene(text, expected):
    assert [i for _t, label, i in _ents(text) if label == "gene"] == expected


def test_families_are_groups_not_one_member():
    genes = _genes("MMPs, matrix metalloproteinases, ADAMTS aggrecanases and integrins degrade or bind the ECM.")
    assert genes["MMPs"] == genes["matrix metalloproteinases"] == "KGGROUP:matrix_metalloproteinases"
    assert genes["ADAMTS aggrecanases"] == "KGGROUP:ADAMTS4+ADAMTS5"  # the curated facts' node
    assert genes["integrins"] == "KGGROUP:integrins"
    assert "HGNC:7155" not in genes.values()  # not MMP1


def test_integrin_dimer_is_its_two_subunits():
    from ingest.hgnc import default_resolver
    from ingest.literature import group_node
    from ingest.nlp.model import Mention

    genes = _genes("Integrin alpha5beta1 and α2β1 integrin bound fibronectin; integrin β1 alone did not.")
    assert genes["Integrin alpha5beta1"] == "KGGROUP:ITGA5+ITGB1"
    assert genes["α2β1 integrin"] == "KGGROUP:ITGA2+ITGB1"
    assert genes["integrin β1"] == "HGNC:6153"  # one subunit: the gene ITGB1
    node = group_node(Mention("Integrin alpha5beta1", 0, 20, "KGGROUP:ITGA5+ITGB1", "gene_group"),
                      default_resolver(), "pubmed")
    assert node.category == "gene_group" and set(node.xrefs) == {"HGNC:6141", "HGNC:6153"}


# -- not genes -------------------------------------------------------------------------------

def test_cell_lines_are_not_genes():
    genes = _genes("THP-1 cells, THP-1-derived macrophages and HEK 293T cells were treated with TNF.")
    assert genes == {"TNF": "HGNC:11892"}  # THP-1 is an HGNC alias of GLI2
    # the Cell Counting Kit-8: neither cholecystokinin (gene) nor sincalide (BioRED Train's chemical CCK-8)
    assert _ents("Viability was assessed with the CCK-8 assay after TNF treatment.") == [("TNF", "gene", "HGNC:11892")]


def test_abbreviation_defined_as_a_non_gene():
    ents = _ents("The herniated nucleus pulposus (HNP) was removed. HNP volume fell after surgery.")
    assert not any(label == "gene" for _t, label, _i in ents)  # HNP is an HGNC alias of KLK8
    assert [i for t, _l, i in ents if t == "HNP"] == ["KG:lumbar_disc_herniation"] * 2


def test_clinical_abbreviations_and_spinal_levels_are_not_genes():
    genes = _genes("Pressure-pain threshold (PPT) was low. PPT and NID at 3 months improved at L4/5 and L5-S1.")
    assert genes == {}
    assert "NID" in _genes("NID expression and protein levels rose.")  # with something molecular it stays


# -- relations -------------------------------------------------------------------------------

def test_decompression_promotes_resorption_not_the_herniation():
    rels = _rels("Decompression induced resorption of the herniated nucleus pulposus.")
    assert [(r[0], r[1], r[3], r[4]) for r in rels] == [
        ("Decompression", "increases", 1, "KG:herniated_disc_resorption")]


def test_impossible_category_pairs_are_never_emitted():
    onto = load_ontology()
    texts = ["The IVD degraded MMP3.", "Cartilage degrades the endplate.", "The ECM increased the nucleus pulposus.",
             "MMP3 degrades the cartilage matrix.", "TNF in NP tissue increased MMP3."]
    doc_rels = [r for t in texts for r in default_pipeline()(t)._.relations]
    assert all(onto.check_literature_edge(r.subject.category, r.predicate, r.object.category) is None
               for r in doc_rels)
    assert ("TNF", "increases", "MMP3") in [(r.subject.text, r.predicate, r.object.text) for r in doc_rels]
    assert not any(r.subject.category == "tissue" for r in doc_rels)


def test_hyphenated_trigger_modifies_the_object():
    rels = {(r[0], r[1], r[2]) for r in _rels("Andrographolide inhibits TNF-induced apoptosis of NPCs.")}
    assert rels == {("Andrographolide", "inhibits", "apoptosis"), ("TNF", "increases", "apoptosis")}


def test_gerund_after_by_takes_the_clause_subject():
    rels = [(r[0], r[1], r[2]) for r in _rels("BMP7 ameliorates IDD in diabetic rats by inhibiting pyroptosis.")]
    assert rels == [("BMP7", "decreases", "IDD"), ("BMP7", "inhibits", "pyroptosis")]


def test_head_noun_of_the_object_sets_the_sign():
    assert [(r[1], r[2], r[3]) for r in _rels("TNF induced degradation of aggrecan.")] == [("decreases", "aggrecan", -1)]
    assert [(r[1], r[2]) for r in _rels("TNF increased the expression of MMP3.")] == [("increases", "MMP3")]
    assert _rels("TNF reduced the viability of NPCs.") == []  # an unknown head: no claim about NPCs
    # the course of a disease: delaying its progression decreases it, promoting its development raises it
    assert [(r[0], r[1], r[2], r[3]) for r in _rels("Limonin delays the progression of intervertebral disc "
                                                    "degeneration.")] == [
        ("Limonin", "decreases", "intervertebral disc degeneration", -1)]
    assert [(r[1], r[2], r[3]) for r in _rels("TNF promoted the development of IDD in rats.")] == [
        ("promotes", "IDD", 1)]


def test_passive_without_agent_is_no_causal_claim():
    rels = _rels("BACH1 activity was enhanced in IDD tissues.")
    assert [(r[0], r[1], r[2], r[3]) for r in rels] == [("BACH1", "associated_with", "IDD", 0)]


def test_negation_and_hedging_flags_are_kept():
    assert _rels("TNF did not increase MMP3.")[0][5] == ["negated"]
    assert _rels("IL1B may induce MMP13.")[0][5] == ["hedged"]
    rels = _rels("Melatonin suppressed not only the expression of TNF-α but also IL-6.")
    assert rels and all("negated" not in r[5] for r in rels)  # "not only ... but also" does not negate


def test_coordinated_subjects_and_objects():
    rels = {(r[0], r[2]) for r in _rels("TNF-α and IL-1β induced MMP3 and MMP13 expression.")}
    assert rels == {("TNF-α", "MMP3"), ("TNF-α", "MMP13"), ("IL-1β", "MMP3"), ("IL-1β", "MMP13")}


def test_slash_pairs_act_together_and_an_abbreviation_does_not_end_a_list():
    rels = {(r[0], r[2]) for r in _rels("BACH1 regulates HMOX1/GPX4 to mediate oxidative stress and ferroptosis.")}
    assert {("HMOX1", "ferroptosis"), ("GPX4", "ferroptosis"), ("HMOX1", "oxidative stress")} <= rels
    # a hyphenated trigger takes the whole list its first object opens; "(ROS)" is that item's abbreviation
    rels = {(r[0], r[1], r[2]) for r in _rels(
        "Andrographolide alleviated TNF-α-induced matrix degradation, reactive oxygen species (ROS) production, "
        "and pyroptosis.")}
    assert {("TNF-α", "increases", "matrix degradation"), ("TNF-α", "increases", "reactive oxygen species"),
            ("TNF-α", "increases", "pyroptosis"), ("Andrographolide", "decreases", "pyroptosis")} <= rels
    assert not any(o == "ROS" for _, _, o in rels)  # the abbreviation is the same concept, once


def test_lists_through_measured_heads_and_environments():
    rels = {(r[0], r[1], r[2]) for r in _rels(
        "Myricetin reduced the expression of p21 and p16 and the secretion of IL-6 and IL-8.")}
    assert {o for s, p, o in rels if s == "Myricetin" and p == "decreases"} == {"p21", "p16", "IL-6", "IL-8"}
    # a list item in another place ("in NPCs") still ends the list
    assert {r[2] for r in _rels("TNF increased the expression of MMP3 in NPCs and the levels of IL-6.")} == {"MMP3"}
    rels = {(r[0], r[1], r[2]) for r in _rels("COL1 and aggrecan were up-regulated in the environment of strain force.")}
    assert rels == {("strain force", "upregulates_expression", "COL1"),
                    ("strain force", "upregulates_expression", "aggrecan")}


def test_improves_reads_its_sign_from_the_object():
    """"improved IDD" lowers the disease, "improved cell viability" raises it; a process says neither."""
    assert [(r[0], r[1], r[2], r[3]) for r in _rels("ADR inhibits TNF-induced apoptosis in NPCs and improves "
                                                    "cell viability.") if r[2] == "cell viability"] == [
        ("ADR", "increases", "cell viability", 1)]  # ADR's, not TNF's: a hyphenated trigger is no clause verb
    assert [(r[1], r[3]) for r in _rels("BACH1 inhibition improved IDD.")] == [("increases", 1)]  # knock-down flips
    assert _rels("TNF improved autophagy.") == []


def test_an_opposite_form_turns_the_sign():
    """"disc height" names the reverse of disc height loss: restoring it lowers the loss."""
    rels = _rels("Rapamycin restored disc height.")
    assert [(r[1], r[3], r[4]) for r in rels] == [("decreases", -1, "KG:disc_height_loss")]
    assert [(r[1], r[3]) for r in _rels("Disc puncture caused loss of disc height.")] == [("increases", 1)]


def test_passive_agent_that_ends_in_ing_and_adverbs_before_it():
    assert [(r[0], r[2]) for r in _rels("IDD is triggered primarily by ageing.")] == [("ageing", "IDD")]
    assert [(r[0], r[2]) for r in _rels("Low back pain is often caused by disc degeneration.")] == [
        ("disc degeneration", "Low back pain")]
    assert _rels("Apoptosis was blocked by inhibiting TNF.") == []  # the agent is an action
    # the agent of "caused by" is the phrase after "by", not a mention behind another clause's verb
    assert _rels("Recurrent Osteomyelitis Caused by Mycobacterium abscessus Necessitating Surgical Decompression.") == []


def test_the_object_of_a_gerund_is_not_the_next_verbs_agent():
    assert _rels("Relieving a patient's pain cannot effectively inhibit IDD.") == []
    assert [(r[0], r[2]) for r in _rels("TNF inhibits autophagy.")] == [("TNF", "autophagy")]


def test_a_list_whose_first_item_is_not_recognised_keeps_the_rest():
    rels = [(r[0], r[2]) for r in _rels("Endplate injury induces Modic-like changes, disc degeneration and "
                                        "spinal cord sensitization.")]
    assert rels == [("Endplate injury", "disc degeneration"), ("Endplate injury", "spinal cord sensitization")]
    assert [r[2] for r in _rels("TNF promotes tissue repair, and reduces pain.")] == ["tissue repair", "pain"]
    assert _rels("TNF causes disability in the elderly and IDD.") == []


def test_a_term_an_abbreviation_interrupts_or_a_tissue_leads_into():
    ents = _ents("Intervertebral disc (IVD) degeneration causes pain; intervertebral disc herniation too. "
                 "TNF reached the IVD.")
    assert [(t, label) for t, label, _ in ents] == [
        ("Intervertebral disc (IVD) degeneration", "phenotype"), ("pain", "phenotype"),
        ("intervertebral disc herniation", "phenotype"), ("TNF", "gene"), ("IVD", "tissue")]
    assert ents[2][2] == "KG:lumbar_disc_herniation"


def test_the_head_of_an_apposition_is_the_agent():
    text = "Physalin A (PA) was studied. PA, a natural bioactive withanolide, effectively relieved IVDD progression."
    assert [(r[0], r[1], r[2]) for r in _rels(text)] == [("PA", "decreases", "IVDD")]
    assert [(r[0], r[2]) for r in _rels("BMP7, an osteogenic factor, induced aggrecan.")] == [("BMP7", "aggrecan")]
    assert _rels("With inflammation, decreased autophagy was seen in NP cells.") == []  # still an adjective


def test_thus_or_thereby_before_a_gerund_passes_the_subject_on():
    text = "Physalin A (PA) was studied. PA improved autophagy in IVDD models, thus effectively relieving IVDD."
    assert [(r[0], r[1], r[2]) for r in _rels(text)] == [("PA", "decreases", "IVDD")]


def test_the_cause_of_x_is_y():
    assert [(r[0], r[1], r[2]) for r in _rels("The most common cause of lumbar radicular pain is intervertebral "
                                               "disc herniation.")] == [
        ("intervertebral disc herniation", "increases", "radicular pain")]
    assert _rels("The cause of IDD is unknown.") == []
    # a mention before "cause": not this form (TNF is the cause named, MMP3 is not)
    assert [(r[0], r[2]) for r in _rels("TNF, the cause of IDD, is MMP3.")] == [("TNF", "IDD")]


def test_lower_back_pain_and_endplate_degeneration_are_phenotypes():
    ents = _ents("Lower back pain and chronic lower back pain follow endplate degeneration.")
    assert [(t, i) for t, _, i in ents] == [("Lower back pain", "KG:low_back_pain"),
                                            ("chronic lower back pain", "KG:low_back_pain"),
                                            ("endplate degeneration", "KG:endplate_degeneration")]


def test_an_association_holds_whatever_governs_its_first_end():
    assert [(r[0], r[1], r[2]) for r in _rels("We review the management of lower back pain associated with "
                                               "spinal stenosis.")] == [
        ("lower back pain", "associated_with", "spinal stenosis")]
    assert _rels("This model of IVD degeneration was validated to induce pain.") == []  # directed: not an agent


def test_both_a_and_b_before_the_object_and_an_association_after_through():
    text = "Discogenic low back pain (DLBP) is common. ERβ activation could improve both axial and radiating pain."
    assert [(r[0], r[1], r[2]) for r in _rels(text)] == [("ERβ", "decreases", "pain")]
    rels = [(r[1], {r[0], r[2]}) for r in _rels("Myricetin alleviated senescence through regulating SERPINE1.")]
    assert ("associated_with", {"Myricetin", "SERPINE1"}) in rels
    assert _rels("RNA binding protein levels rose with TNF.") == []  # still a modifier


def test_reverse_lowers_and_a_contributor_raises():
    assert [(r[0], r[1], r[2]) for r in _rels("Curcumin reversed IDD.")] == [("Curcumin", "decreases", "IDD")]
    assert [(r[0], r[1], r[2]) for r in _rels("Curcumin reversed the inhibition of aggrecan.")] == [
        ("Curcumin", "increases", "aggrecan")]  # the loss head turns it
    assert _rels("The reverse transcription of TNF was done.") == []
    text = "Low back pain (LBP) is common. Intervertebral disc degeneration is the major contributor to LBP."
    assert [(r[0], r[1], r[2]) for r in _rels(text)] == [
        ("Intervertebral disc degeneration", "increases", "LBP")]


def test_x_is_a_problem_caused_by_y_and_worsening_of_x():
    assert [(r[0], r[1], r[2]) for r in _rels("Lower back pain is a major problem caused by intervertebral "
                                               "disc degeneration.")] == [
        ("intervertebral disc degeneration", "increases", "Lower back pain")]
    assert [(r[0], r[2]) for r in _rels("Sciatica is one of the most common symptoms caused by disc "
                                        "herniation.")] == [("disc herniation", "Sciatica")]
    assert _rels("Pain, a problem caused by IDD.") == []  # no copula: not a claim about pain
    assert _rels("Rg1 restores the impairment of autophagy induced by TNF.") == []
    assert [(r[0], r[1], r[2]) for r in _rels("Curcumin prevented the worsening of IDD.")] == [
        ("Curcumin", "inhibits", "IDD")]
    rels = _rels("The local inflammatory process triggered by intervertebral disc herniation causes pain.")
    assert ("intervertebral disc herniation", "increases", "inflammatory process", "GO:0006954") in [
        (r[0], r[1], r[2], r[4]) for r in rels]


def test_bench_verification_checks_the_original_text_and_can_fail():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "bench" / "nlp_bench.py"
    spec = importlib.util.spec_from_file_location("nlp_bench", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    text = "A title\nTNF increased MMP3 in NP cells. IL1B did not."
    doc = default_pipeline()(text)
    (rel,) = doc._.relations
    assert bench.verify_relation(text, doc, rel.sentence)
    assert not bench.verify_relation(text.replace("MMP3", "MMP9"), doc, rel.sentence)  # another original text
    s, e = rel.sentence
    assert not bench.verify_relation(text, doc, (s + 1, e))  # offsets off by one


def test_a_second_verb_phrase_takes_the_sentence_subject():
    text = ("Recent studies have discovered that interleukin-6 (IL-6) is highly expressed in the tissues of "
            "degenerative intervertebral disc and is closely related to the occurrence and development of IDD.")
    assert [(r[0], r[1], r[2]) for r in _rels(text)] == [("interleukin-6", "associated_with", "IDD")]
    assert [(r[0], r[1], r[2]) for r in _rels("Curcumin was given to rats and reduced pain.")] == [
        ("Curcumin", "decreases", "pain")]
    # the subject must open the clause: here the second verb's subject went unrecognised
    assert _rels("After the gel was injected, the scores showed that the gel could repair the AF fissure, "
                 "and increase the expression of COL2.") == []


def test_a_gerund_after_through_takes_the_subject_of_the_first_gerund():
    text = ("Experimental study of miR-503 regulating the function of degenerated human nucleus pulposus cells "
            "through inhibiting Wnt pathway.")
    assert [(r[0], r[1], r[2]) for r in _rels(text)] == [("miR-503", "inhibits", "Wnt pathway")]


def test_sentences_glued_by_the_record_or_opening_with_a_lower_case_name():
    text = ("IDD affects the quality of life of patients.Recent studies show that TNF induces MMP3. "
            "Cells were cultured in vitro. miR-503 inhibits Wnt pathway.")
    rels = _rels(text)
    assert ("TNF", "increases", "MMP3") in [(r[0], r[1], r[2]) for r in rels]
    assert ("miR-503", "inhibits", "Wnt pathway") in [(r[0], r[1], r[2]) for r in rels]
    doc = default_pipeline()(text)
    assert [s.text for s in doc.sents][:2] == ["IDD affects the quality of life of patients.",
                                               "Recent studies show that TNF induces MMP3."]


def test_a_list_whose_first_item_went_unrecognised_keeps_its_later_items():
    text = ("Mechanical stress of the intervertebral disc may result in a change in nucleus pulposus cells "
            "state, matrix degradation, and degeneration of the disc.")
    assert [(r[0], r[1], r[2], r[4]) for r in _rels(text)] == [
        ("Mechanical stress", "increases", "matrix degradation", "GO:0022617")]
    assert _rels("TNF restored the LTP in slices from rats treated with morphine.") == []  # no list


def test_a_section_heading_does_not_hide_the_subject():
    text = ("CONCLUSIONS: Curcumin exhibited significant anti-inflammatory effects and improved autophagy in "
            "IVDD models, thus effectively relieving IVDD progression.")
    assert [(r[0], r[1], r[2]) for r in _rels(text)] == [("Curcumin", "decreases", "IVDD")]


def test_a_gerund_list_after_its_subject():
    rels = _rels("Stabilized microtubules stimulating Hippo signaling pathway, inhibiting YAP protein expression.")
    assert [(r[1], r[2], r[4]) for r in rels] == [("activates", "Hippo signaling pathway", "GO:0035329"),
                                                  ("inhibits", "YAP", "HGNC:16262")]
    assert {e[2] for e in _ents("Stabilized microtubules")} == {"GO:0007026"}  # microtubule stabilization


def test_a_change_under_a_stimulus_is_the_stimulus_effect():
    rels = _rels("Aggrecan and collagen type II expression was significantly more upregulated under hydrostatic "
                 "pressure in Grade 2-3 than in Grade 4 tissues.")
    assert [(r[0], r[1], r[2], r[3]) for r in rels] == [
        ("hydrostatic pressure", "upregulates_expression", "Aggrecan", 1),
        ("hydrostatic pressure", "upregulates_expression", "collagen type II", 1)]
    assert [(r[0], r[1], r[2]) for r in _rels("MMP9 expression was downregulated following curcumin treatment.")] == [
        ("curcumin", "downregulates_expression", "MMP9")]
    # a disease after "in" is no stimulus: the change is an association with it, as before
    assert [(r[1], r[3]) for r in _rels("BRD9 expression was upregulated in IDD.")] == [("associated_with", 0)]


def test_results_in_names_its_object_and_which_its_antecedent():
    assert [(r[0], r[1], r[2]) for r in _rels("TNF results in extracellular matrix degradation.")] == [
        ("TNF", "increases", "extracellular matrix degradation")]  # the trigger's own "in" is no place
    text = ("The progression of IDD is closely related to the inflammatory response, which results in "
            "extracellular matrix degradation.")
    assert ("inflammatory response", "increases", "extracellular matrix degradation") in [
        (r[0], r[1], r[2]) for r in _rels(text)]
    text = ("A common surgical procedure is lumbar partial discectomy (excision of the herniated disc causing "
            "nerve root compression), which results in further disc degeneration.")
    assert sorted((r[0], r[1], r[2]) for r in _rels(text)) == [
        ("discectomy", "increases", "disc degeneration"),
        ("herniated disc", "increases", "compression")]  # the bracket's own claim: a stimulus may be an effect
    # the antecedent went unrecognised: no earlier mention takes its place
    assert _rels("The progression of IDD is closely related to the inflammatory microenvironment, which "
                 "results in extracellular matrix degradation.") == []


def test_a_change_noun_before_in_names_what_changes():
    assert [(r[0], r[1], r[2]) for r in _rels("TNF caused a decrease in aggrecan.")] == [
        ("TNF", "decreases", "aggrecan")]
    assert [(r[0], r[1], r[2]) for r in _rels("TNF led to a significant reduction in aggrecan and COL2A1.")] == [
        ("TNF", "decreases", "aggrecan"), ("TNF", "decreases", "COL2A1")]
    assert [(r[0], r[1], r[2]) for r in _rels("TNF induced an increase in MMP3 expression.")] == [
        ("TNF", "increases", "MMP3")]
    assert [(r[0], r[2]) for r in _rels("TNF increased apoptosis in NP cells.")] == [("TNF", "apoptosis")]  # a place


def test_participates_implicated_pathogenesis_and_a_modifier_subject():
    assert [(r[0], r[1], r[2]) for r in _rels("TNF is strongly implicated in the pathogenesis of IDD.")] == [
        ("TNF", "associated_with", "IDD")]
    assert [(r[1], r[3]) for r in _rels("TNF participates in matrix degradation.")] == [("associated_with", 0)]
    # "senescence genes ... leading to IDD": senescence only modifies the noun that acts
    assert _rels("The senescence genes and regulatory mechanisms leading to the etiology of IDD are unclear.") == []


def test_microtubules_stabilization_and_anti_tb_therapy_are_named():
    rels = _rels("In addition, microtubules stabilization promotes the expression of COL2 and alleviates disc "
                 "degeneration in rats.")
    assert [(r[1], r[2]) for r in rels] == [("promotes", "COL2"), ("decreases", "disc degeneration")]
    assert {r[0] for r in rels} == {"microtubules stabilization"}
    assert [(r[0], r[1], r[2]) for r in _rels("MMP9 and STAT1 expression were downregulated following the anti-TB "
                                              "therapy.")] == [
        ("anti-TB therapy", "downregulates_expression", "MMP9"), ("anti-TB therapy", "downregulates_expression", "STAT1")]


@pytest.mark.parametrize("form, symbol_id", [("integrin beta1", "HGNC:6153"), ("β1 integrin", "HGNC:6153"),
                                             ("Integrin-β1", "HGNC:6153"), ("integrin α5", "HGNC:6141"),
                                             ("integrin αv", "HGNC:6150"), ("beta3 integrin", "HGNC:6156")])
def test_integrin_subunits_as_prose_writes_them(form, symbol_id):
    assert _genes(f"Mechanical loading activated {form}.") == {form: symbol_id}


def test_loading_activates_integrin_beta1():
    assert [(r[0], r[1], r[4]) for r in _rels("Mechanical loading activated integrin beta1 and FAK.")] == [
        ("Mechanical loading", "activates", "HGNC:6153"), ("Mechanical loading", "activates", "HGNC:9611")]


def test_a_change_in_response_to_a_stimulus():
    assert [(r[0], r[1], r[2]) for r in _rels("YAP was activated in response to cyclic tensile strain.")] == [
        ("cyclic tensile strain", "activates", "YAP")]
    assert [(r[0], r[2]) for r in _rels("MMP3 and MMP13 were upregulated in response to mechanical loading.")] == [
        ("mechanical loading", "MMP3"), ("mechanical loading", "MMP13")]


def test_a_copular_subject_before_a_participle_and_underlies():
    assert [(r[0], r[1], r[2], r[3]) for r in _rels(
        "Intervertebral disc degeneration is one of the main diseases causing low back pain.")] == [
        ("Intervertebral disc degeneration", "increases", "low back pain", 1)]  # not "diseases" as agent
    assert [(r[0], r[1], r[2]) for r in _rels("Inflammation underlies disc degeneration.")] == [
        ("Inflammation", "increases", "disc degeneration")]
    assert _rels("The underlying mechanism of disc degeneration is unclear.") == []  # the adjective


def test_the_leading_cause_after_a_clause_and_a_surgery_that_decompresses():
    # "…, and the leading cause of LBP is IDD": the noun phrase opens its clause, not the sentence
    assert [(r[0], r[1], r[2], r[3]) for r in _rels(
        "Low back pain (LBP) is one of the most common health problems, and the leading cause of LBP is "
        "intervertebral disc degeneration (IDD).")] == [("intervertebral disc degeneration", "increases", "LBP", 1)]
    # a cause with no mention after the copula is no claim
    assert _rels("The leading cause of LBP, and of sciatica, is unclear.") == []
    # a mechanical stimulus can be what a procedure produces (literature_range of increases)
    assert [(r[0], r[1], r[2]) for r in _rels(
        "Percutaneous cement discoplasty induced a significant foraminal decompression.")] == [
        ("discoplasty", "increases", "decompression")]


def test_mediated_by_is_an_unsigned_association():
    rels = _rels("TMEM100 expression was mediated by IL-6.")
    assert [(r[1], r[3]) for r in rels] == [("associated_with", 0)]
    assert {rels[0][0], rels[0][2]} == {"TMEM100", "IL-6"}
    assert _rels("Inflammatory mediators were measured.") == []  # "mediators" is no trigger


def test_a_change_noun_without_direction_keeps_an_unsigned_association():
    rels = _rels("The change of TMEM100 expression mediated by IL-6 is related to the metabolic axis.")
    assert [({r[0], r[2]}, r[1]) for r in rels] == [({"TMEM100", "IL-6"}, "associated_with")]
    rels = _rels("Overexpression of inflammatory factors is an important factor in the pathological changes of IDD.")
    assert [({r[0], r[2]}, r[1]) for r in rels] == [({"inflammatory factors", "IDD"}, "associated_with")]
    # a signed trigger still needs a head with a direction: "the change of X was induced by Y" says neither way
    assert _rels("The change of TMEM100 expression was induced by IL-6.") == []


def test_a_treatment_named_before_for_is_the_agent():
    assert [(r[0], r[1], r[2]) for r in _rels("Current conservative treatments for IVDD can relieve pain.")] == [
        ("conservative treatments", "decreases", "pain")]
    # what the preposition names is still no agent, and a gene before "for" is no treatment
    assert _rels("Scores for IVDD can relieve pain.") == []
    assert _rels("MMP3 for IVDD can relieve pain.") == []


def test_a_change_in_a_disease_group_named_before_the_trigger():
    rels = _rels("In discogenic low back pain (DLBP) mice, Substance P levels in dorsal horn and dorsal root "
                 "ganglia of DLBP group were distinctly increased compared with that of control.")
    assert [({r[0], r[2]}, r[1], r[3]) for r in rels] == [({"Substance P", "DLBP"}, "associated_with", 0)]
    # a treatment right before the group is not what was measured, nor is the gene before it
    assert _rels("In mice with low back pain (LBP), MMP3 levels in NP cells treated with aspirin of the LBP "
                 "group were increased.") == []
    # something other than group words between the disease and the trigger: no claim
    assert _rels("In mice with low back pain (LBP), MMP3 levels in the LBP group after surgery were increased.") == []


def test_tnf_tgf_and_hif_families_in_the_plural():
    genes = _genes("Tumor necrosis factors, transforming growth factors and hypoxia-inducible factors (HIFs) rose.")
    assert genes == {"Tumor necrosis factors": "KGGROUP:tumor_necrosis_factors",
                     "transforming growth factors": "KGGROUP:transforming_growth_factor_betas",
                     "hypoxia-inducible factors": "KGGROUP:EPAS1+HIF1A+HIF3A", "HIFs": "KGGROUP:EPAS1+HIF1A+HIF3A"}
    assert _genes("Tumor necrosis factor rose.") == {"Tumor necrosis factor": "HGNC:11892"}  # the singular is TNF


@pytest.mark.parametrize("form, symbol_id", [("inducible nitric oxide synthase", "HGNC:7873"),
                                             ("C-C chemokine receptor 5", "HGNC:1606"),
                                             ("mitochondrial uncoupling protein 3", "HGNC:12519"),
                                             ("transient receptor potential vanilloid 4", "HGNC:18083")])
def test_prose_names_hgnc_writes_otherwise(form, symbol_id):
    from ingest.nlp.dictionaries import gene_dictionary

    assert gene_dictionary().names[form.lower()] == symbol_id


def test_nitriles_and_biomaterials_named_by_an_abbreviation():
    ents = {t: (label, i) for t, label, i in _ents(
        "Mice got diarylpropionitrile (DPN); a nanohybrid peptide hydrogel (NHPH) was injected. DPN and NHPH helped.")}
    assert ents["DPN"] == ("chemical", "KG:diarylpropionitrile")
    assert ents["NHPH"] == ("intervention", "KG:nanohybrid_peptide_hydrogel")
    # without the abbreviation a word ending in "-nitrile" is not taken on its ending alone
    assert "diarylpropionitrile" not in {t for t, _l, _i in _ents("Mice got diarylpropionitrile.")}
