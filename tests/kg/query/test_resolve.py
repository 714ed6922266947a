"""Entity resolution: ids, symbols, names, synonyms, modules as member sets, did-you-mean."""
from __future__ import annotations

import pytest

from kg.query.resolve import EntityNotFound, resolve_entity
from kg.records.model import Edge, Node
from kg.store.embedded import EmbeddedStore
from ontology import load_ontology


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    from kg.pipeline.build import collect
    from kg.pipeline.load import load

    store = EmbeddedStore(tmp_path_factory.mktemp("resolve") / "g.json.gz")
    load(store, collect())
    return store


@pytest.mark.parametrize("text", ["MMP3", "mmp3", "HGNC:7173", "hgnc:7173", "  MMP3  "])
def test_gene_by_symbol_or_id(shipped, text):
    e = resolve_entity(shipped, text)
    assert (e.id, e.name, e.category, e.is_set) == ("HGNC:7173", "MMP3", "gene", False)
    assert e.ids() == {"HGNC:7173": 1}


@pytest.mark.parametrize("text", ["Matrix degradation", "matrix degradation", "ECM degradation",
                                  "MODULE:matrix_degradation"])
def test_module_by_name_synonym_or_id_resolves_to_members(shipped, text):
    e = resolve_entity(shipped, text)
    assert e.id == "MODULE:matrix_degradation" and e.is_set
    members = e.ids()
    mmp3, col2a1 = resolve_entity(shipped, "MMP3").id, resolve_entity(shipped, "COL2A1").id
    assert members[mmp3] == 1
    # COL2A1 opposes matrix degradation: it is an inverse member (sign -1 from modules.yaml)
    assert load_ontology().modules["matrix_degradation"].member_sign("COL2A1") == -1
    assert members[col2a1] == -1
    assert set(e.membership_edges) == set(members)
    assert all(edge["predicate"] == "member_of" and edge["object"] == e.id for edge in e.membership_edges.values())


@pytest.mark.parametrize("typo, expected", [("Decompresion", "Decompression"), ("Inflamation", "Inflammation"),
                                             ("MMP33", "MMP3")])
def test_unknown_entity_suggests_close_names(shipped, typo, expected):
    with pytest.raises(EntityNotFound) as err:
        resolve_entity(shipped, typo)
    assert any(s.split(" (")[0] == expected for s in err.value.suggestions)
    assert "Did you mean" in str(err.value) and expected in str(err.value)


@pytest.mark.parametrize("text", ["", "   ", "zzzzqqq"])
def test_nothing_like_it_says_so_without_suggestions(shipped, text):
    with pytest.raises(EntityNotFound) as err:
        resolve_entity(shipped, text)
    assert err.value.suggestions == []
    assert "No entity matches" in str(err.value)


def test_exact_symbol_beats_another_genes_synonym(tmp_path):
    store = EmbeddedStore(tmp_path / "g.json.gz")
    # HGNC:1 lists "ABC" as an alias; HGNC:2 *is* ABC: the symbol must win although its id sorts later
    store.upsert([Node("HGNC:1", "gene", "XYZ", synonyms=("ABC",)), Node("HGNC:2", "gene", "ABC")], [], [])
    assert resolve_entity(store, "ABC").id == "HGNC:2"
    assert resolve_entity(store, "XYZ").id == "HGNC:1"


def test_module_without_members_is_a_single_node(tmp_path):
    store = EmbeddedStore(tmp_path / "g.json.gz")
    store.upsert([Node("MODULE:empty", "mechanism_module", "Empty module")], [], [])
    e = resolve_entity(store, "Empty module")
    assert not e.is_set and e.ids() == {"MODULE:empty": 1}


def test_module_preferred_over_gene_with_the_same_name(tmp_path):
    store = EmbeddedStore(tmp_path / "g.json.gz")
    store.upsert([Node("HGNC:9", "gene", "Inflammation"), Node("MODULE:inflammation", "mechanism_module", "Inflammation"),
                  Node("HGNC:1", "gene", "A")],
                 [Edge("HGNC:1", "member_of", "MODULE:inflammation", 1)], [])
    e = resolve_entity(store, "inflammation")
    assert e.id == "MODULE:inflammation" and e.ids() == {"HGNC:1": 1}
