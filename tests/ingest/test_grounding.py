"""Grounding: the vocabulary, the ontology extract and the curator's map, and the rate they reach."""
from __future__ import annotations

import csv

import pytest

from ingest.grounding import GroundingError, default_grounder, hierarchy, norm, read_mapping, read_vocabulary
from kg.datapack import datapack_path


def test_norm_folds_case_punctuation_and_plurals():
    assert norm("M1 Macrophages (iNOS+)") == norm("m1 macrophage inos")
    assert norm("stress") == "stress"  # -ss is not a plural


def test_vocabulary_cycle_and_duplicate_name_the_file(tmp_path):
    p = tmp_path / "vocabulary.yaml"
    p.write_text("terms:\n  - {id: 'KGV:a', label: a, category: phenotype, parent: 'KGV:b'}\n"
                 "  - {id: 'KGV:b', label: b, category: phenotype, parent: 'KGV:a'}\n")
    with pytest.raises(GroundingError, match=r"vocabulary.yaml: parent cycle KGV:a -> KGV:b -> KGV:a"):
        read_vocabulary(p)
    p.write_text("terms:\n  - {id: 'KGV:a', label: a, category: phenotype}\n"
                 "  - {id: 'KGV:a', label: b, category: phenotype}\n")
    with pytest.raises(GroundingError, match="term 2: duplicate id KGV:a"):
        read_vocabulary(p)


def test_mapping_to_an_unknown_concept_names_file_and_row(tmp_path):
    p = tmp_path / "grounding.tsv"
    p.write_text("text\tid\tsign\tbasis\nok\tGO:0001525\t1\texact\nbad\tGO:9999999\t1\texact\n")
    with pytest.raises(GroundingError, match=r"grounding.tsv:3: GO:9999999 is not in"):
        read_mapping(p, {"GO:0001525"})


def test_every_mapped_id_exists_and_the_hierarchy_loads_cleanly():
    g = default_grounder()
    load = hierarchy(g)
    assert load.report.reconciles() and not load.report.rejected
    # GO's own is_a joins sibling processes the curation names separately
    chemo = [e for e in load.edges.values() if e.subject == "GO:0048246" and e.predicate == "subclass_of"]
    assert "GO:1905517" in {e.object for e in chemo}
    assert g.concepts["KGV:ri_ldh"].parents == (("is_a", "KGV:canal_decompression"),)


def _mentions():
    with datapack_path("curated", "mechanism_facts.tsv").open(encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            for side in ("subject", "object"):
                yield r[side], r[f"{side}_type"], r[f"{side}_id"]


def test_at_least_90_percent_of_curated_mentions_are_grounded():
    g = default_grounder()
    grounded = total = 0
    for text, etype, ids in _mentions():
        total += 1
        has_id = bool(ids.strip()) and etype in ("Gene", "Protein", "Process")
        grounded += bool(g.ground(text) or has_id)
    assert total == 308
    assert grounded / total >= 0.90, f"{grounded}/{total}"


def test_sibling_phrases_merge_into_one_concept():
    g = default_grounder()
    names = ["LDH resorption", "spontaneous resorption of LDH", "herniated disc resorption", "LDH regression"]
    assert {g.ground(n).id for n in names} == {"KGV:hernia_resorption"}
    lost = g.ground("load-induced aggrecan downregulation")
    assert (lost.id, lost.sign, lost.basis) == ("HGNC:319", -1, "broader")
