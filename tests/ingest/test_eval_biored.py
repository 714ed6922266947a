"""BioRED evaluation: reading the corpus, scoring, and the CLI writing its figures."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from ingest.eval_biored import evaluate_ner, evaluate_relations, prf, read_pubtator
from tests.helpers import shared_data


def test_read_pubtator_offsets_line_up():
    docs = read_pubtator(shared_data() / "corpora" / "BioRED" / "Dev.PubTator")
    assert len(docs) == 100
    assert all(d.text[s:e] == t for d in docs for s, e, t, *_ in d.mentions)
    assert sum(len(d.relations) for d in docs) == 1162


def test_scores_on_a_few_documents():
    docs = read_pubtator(shared_data() / "corpora" / "BioRED" / "Dev.PubTator")[:10]
    ner = evaluate_ner(docs)
    assert ner["exact_span"]["gold"] > 0 and 0 < ner["exact_span"]["precision"] <= 1
    rel = evaluate_relations(docs)
    assert rel["gene_gene"]["type_ignored"]["gold"] > 0
    assert prf(0, 0, 5)["precision"] is None


def test_gene_chemical_pairs_are_predicted_on_dev():
    docs = read_pubtator(shared_data() / "corpora" / "BioRED" / "Dev.PubTator")
    pairs = evaluate_relations(docs)["gene_chemical"]["type_ignored"]
    assert pairs["predicted"] > 5 and pairs["precision"] >= 0.5  # learned from Train, scored on Dev


def test_learned_dictionaries_come_from_train_only():
    from ingest.nlp.learned import learn_forms, learned_chemicals, learned_gene_forms, train_path

    assert train_path().name == "Train.PubTator"
    assert learned_chemicals()["glucose"][0] == "MESH:D005947"
    genes = learned_gene_forms()
    assert genes and all(ann / occ >= 0.5 for _id, ann, occ in genes.values())
    train = read_pubtator(shared_data() / "corpora" / "BioRED" / "Train.PubTator")
    form, (eid, ann, occ) = next(iter(learn_forms(train[:5], "ChemicalEntity", fold=True).items()))
    assert form == form.lower() and eid and occ >= ann >= 1


def test_cli_writes_figures(tmp_path, monkeypatch):
    import kg.commands.eval as ev
    from kg.cli import app

    out = tmp_path / "eval_biored.json"
    monkeypatch.setattr(ev, "RESULTS", out)
    monkeypatch.setattr(ev.write_figures, "__defaults__", (out,))
    res = CliRunner().invoke(app, ["eval", "ner", "--split", "Dev", "--json",
                                   "--corpus", str(shared_data() / "corpora" / "BioRED")])
    assert res.exit_code == 0, res.output
    assert json.loads(out.read_text())["ner_Dev"]["exact_span"]["gold"] == 1087
    bad = CliRunner().invoke(app, ["eval", "ner", "--split", "Nope"])
    assert bad.exit_code == 1
