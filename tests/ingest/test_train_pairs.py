"""Training the pair model: Train for the fit, Dev for the choices, the shipped file reproducible."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from ingest.nlp.pairs import MODEL_FILE
from ingest.train_pairs import best_threshold
from tests.helpers import shared_data


def test_best_threshold_counts_every_gold_pair():
    thr, fig = best_threshold([(0.9, True), (0.8, True), (0.1, False)], gold=10)
    assert thr == 0.8 and fig["recall"] == 0.2 and fig["precision"] == 1.0
    thr, fig = best_threshold([(0.5, True), (0.5, False)], gold=2)  # tied scores are taken together
    assert fig["predicted"] == 2
    assert best_threshold([], gold=3)[1]["f1"] == 0.0


def test_kg_train_pairs_reproduces_the_shipped_model(tmp_path):
    from kg.surfaces.cli import app

    out = tmp_path / "pairs.json"
    res = CliRunner().invoke(app, ["train", "pairs", "--json", "--out", str(out),
                                   "--corpus", str(shared_data() / "corpora" / "BioRED")])
    assert res.exit_code == 0, res.output
    new, shipped = json.loads(out.read_text()), json.loads(MODEL_FILE.read_text())
    assert new["trained_on"].startswith("BioRED Train") and new["tuned_on"].startswith("BioRED Dev")
    assert new["C"] == shipped["C"]
    assert abs(new["threshold"] - shipped["threshold"]) < 1e-3
    assert set(new["weights"]) == set(shipped["weights"])
    assert max(abs(new["weights"][k] - shipped["weights"][k]) for k in new["weights"]) < 1e-3
    assert new["dev_gene_gene_plus_gene_chemical"] == shipped["dev_gene_gene_plus_gene_chemical"]
    nd, sd = new["disease"], shipped["disease"]  # the model of pairs with a disease side, tuned alike
    assert nd["C"] == sd["C"] and abs(nd["threshold"] - sd["threshold"]) < 1e-3 and set(nd["weights"]) == set(sd["weights"])
    assert nd["dev_gene_disease_plus_chemical_disease"] == sd["dev_gene_disease_plus_chemical_disease"]
    assert sd["dev_gene_disease_plus_chemical_disease"]["gold"] > 500  # every Dev gene/chemical-disease pair


def test_kg_train_pairs_needs_the_corpus(tmp_path):
    from kg.surfaces.cli import app

    res = CliRunner().invoke(app, ["train", "pairs", "--corpus", str(tmp_path)])
    assert res.exit_code == 1 and "Train.PubTator" in res.output
