"""MeSH chemical names in the reader (ingest.nlp.mesh_chemicals, tools/make_mesh_chemicals.py)."""
from __future__ import annotations

import pytest

from ingest.nlp.mesh_chemicals import mesh_chemical_concepts, mesh_chemicals
from ingest.nlp.pipeline import default_pipeline
from tests.helpers import shared_data


@pytest.fixture(scope="module")
def forms() -> dict:
    shared_data()  # the Train filter reads BioRED Train
    return mesh_chemicals()


def _ents(text: str) -> dict[str, tuple[str, str]]:
    return {e.text: (e.label_, e.kb_id_) for e in default_pipeline()(text).ents}


def test_the_shipped_table_holds_drugs_not_proteins():
    concepts = mesh_chemical_concepts()
    assert concepts["MESH:D004298"][0] == "Dopamine"
    assert "quetiapine" in [f.lower() for f in concepts["MESH:D000069348"][1]]  # the base of a salt's name
    names = {name.lower() for name, _f in concepts.values()}
    assert "inflammasomes" not in names and "proteins" not in names


def test_train_judges_the_forms(forms):
    assert forms["chlorpromazine"][0] == "MESH:D002746"
    assert "iron" not in forms  # BioRED Train leaves "iron" untagged in most of its occurrences
    assert "insulin" not in forms and "collagen" not in forms  # Train names them genes
    assert all(len(f) >= 4 for f in forms)


def test_drugs_train_never_names_are_tagged():
    ents = _ents("Quetiapine and chlorpromazine raised dopamine in rats.")
    assert ents["Quetiapine"] == ("chemical", "MESH:D000069348")
    assert ents["chlorpromazine"] == ("chemical", "MESH:D002746")
    assert ents["dopamine"] == ("chemical", "MESH:D004298")
    # a protein complex stays with its gene: "NLRP3 inflammasome" is no chemical
    assert _ents("NLRP3 inflammasome activation promoted pyroptosis.").get("inflammasome") is None


def test_the_table_writer_keeps_chemicals_and_drops_gene_products():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[3] / "tools" / "make_mesh_chemicals.py"
    spec = importlib.util.spec_from_file_location("make_mesh_chemicals", path)
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    rows = tool.chemical_rows([
        "D002746\tChlorpromazine\tLargactil|Chlorpromazine, Hydrochloride\tD02.886.369.198|D03.633.300.783.198\n",
        "D011506\tProteins\t\tD12.776\n",  # only a protein: BioRED's gene
        "D000005\tAbdomen\tAbdomens\tA01.923\n",  # no D tree: no chemical
        "D000001\tCalcimycin\n",  # a line without tree numbers
    ])
    assert rows == [("D002746", "Chlorpromazine", ["Largactil"])]  # the inverted entry term dropped
