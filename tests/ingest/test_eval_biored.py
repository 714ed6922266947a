"""BioRED evaluation: reading the corpus, scoring, and the CLI writing its figures."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from ingest.biored import read_pubtator
from ingest.eval_biored import evaluate_ner, evaluate_relations, prf
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
    assert rel["rules"]["gene_gene"]["type_ignored"]["gold"] > 0
    assert rel["pair_model"]["gene_gene"]["type_ignored"]["gold"] == rel["rules"]["gene_gene"]["type_ignored"]["gold"]
    assert prf(0, 0, 5)["precision"] is None


def test_relations_score_every_gold_relation_of_the_split():
    docs = read_pubtator(shared_data() / "corpora" / "BioRED" / "Dev.PubTator")
    out = evaluate_relations(docs)
    assert out["gold_relations"] == sum(len(d.relations) for d in docs) == 1162
    unique_pairs = {(d.pmid, *sorted((a, b))) for d in docs for _t, a, b in d.relations}
    for reader in ("rules", "pair_model"):
        rel = out[reader]
        assert rel["all_relations"]["type_ignored"]["gold"] == len(unique_pairs)
        kinds = ("gene_gene", "gene_chemical", "chemical_chemical", "gene_disease", "chemical_disease")
        assert sum(rel[k]["type_ignored"]["gold"] for k in kinds) > 700  # not just gene-gene and gene-chemical
        both = rel["gene_gene_plus_gene_chemical"]["type_ignored"]
        assert both["gold"] == rel["gene_gene"]["type_ignored"]["gold"] + rel["gene_chemical"]["type_ignored"]["gold"]
    assert out["pair_model"]["gene_chemical"]["type_ignored"]["predicted"] > 0  # chemicals learned from Train
    dis = out["pair_model"]["gene_disease_plus_chemical_disease"]["type_ignored"]
    assert dis["gold"] == (out["pair_model"]["gene_disease"]["type_ignored"]["gold"]
                           + out["pair_model"]["chemical_disease"]["type_ignored"]["gold"])
    assert dis["tp"] > 0  # diseases are named in BioRED's MeSH space, so disease pairs can be right
    # the learned pair model finds more gold pairs than the sentence rules, on Dev (its tuning split)
    assert (out["pair_model"]["gene_gene_plus_gene_chemical"]["type_ignored"]["tp"]
            > 3 * out["rules"]["gene_gene_plus_gene_chemical"]["type_ignored"]["tp"])


def _scrambled(docs):
    """The same texts with every gold id replaced: what we predict must not change."""
    import copy

    out = copy.deepcopy(docs)
    for d in out:
        d.mentions = [(s, e, t, typ, ",".join("X" + i.strip() for i in ids.split(","))) for s, e, t, typ, ids in d.mentions]
        d.relations = [(rt, "X" + a, "X" + b) for rt, a, b in d.relations]
    return out


def test_predictions_never_borrow_gold_ids():
    docs = read_pubtator(shared_data() / "corpora" / "BioRED" / "Dev.PubTator")[:30]
    ner, ner_x = evaluate_ner(docs), evaluate_ner(_scrambled(docs))
    assert ner["normalised_ncbi_gene"]["predicted"] == ner_x["normalised_ncbi_gene"]["predicted"] > 0
    assert ner["normalised_ncbi_gene"]["tp"] > 0 and ner_x["normalised_ncbi_gene"]["tp"] == 0
    out, out_x = evaluate_relations(docs), evaluate_relations(_scrambled(docs))
    for reader in ("rules", "pair_model"):
        rel, rel_x = out[reader], out_x[reader]
        for kind in ("gene_gene", "gene_chemical", "all_relations"):
            assert rel[kind]["type_ignored"]["predicted"] == rel_x[kind]["type_ignored"]["predicted"]
            assert rel_x[kind]["type_ignored"]["tp"] == 0
    assert out["pair_model"]["all_relations"]["type_ignored"]["tp"] > 0


def test_learned_dictionaries_come_from_train_only():
    from ingest.nlp.learned import learn_forms, learned_chemicals, learned_gene_forms, train_path

    assert train_path().name == "Train.PubTator"
    assert learned_chemicals()["glucose"][0] == "MESH:D005947"
    from ingest.eval_biored import our_id, phenotype_mesh
    from ingest.hgnc import default_resolver
    from ingest.nlp.learned import learned_diseases

    assert learned_diseases()["tumor"][0] == "MESH:D009369"
    assert phenotype_mesh()["KG:low_back_pain"] == "D017116"
    assert our_id(default_resolver(), "phenotype", "KG:low_back_pain") == "D017116"
    assert our_id(default_resolver(), "phenotype", "KG:herniated_disc_resorption") == "KG:herniated_disc_resorption"
    # an HPO concept Train names speaks its MeSH id; one Train never names keeps its own (never matches)
    assert phenotype_mesh()["HP:0000822"] == "D006973"  # Hypertension
    assert our_id(default_resolver(), "phenotype", "MONDO:0005083") == "MONDO:0005083"
    genes = learned_gene_forms()
    assert genes and all(ann / occ >= 0.5 for _id, ann, occ in genes.values())
    train = read_pubtator(shared_data() / "corpora" / "BioRED" / "Train.PubTator")
    form, (eid, ann, occ) = next(iter(learn_forms(train[:5], "ChemicalEntity", fold=True).items()))
    assert form == form.lower() and eid and occ >= ann >= 1


def test_cli_writes_figures(tmp_path, monkeypatch):
    import kg.surfaces.commands.eval as ev
    from kg.surfaces.cli import app

    out = tmp_path / "eval_biored.json"
    monkeypatch.setattr(ev, "RESULTS", out)
    monkeypatch.setattr(ev.write_figures, "__defaults__", (out,))
    res = CliRunner().invoke(app, ["eval", "ner", "--split", "Dev", "--json",
                                   "--corpus", str(shared_data() / "corpora" / "BioRED")])
    assert res.exit_code == 0, res.output
    figures = json.loads(out.read_text())["ner_Dev"]
    assert figures["exact_span"]["gold"] == 1087
    assert figures["disease"]["exact_span"]["gold"] == 982 and figures["disease"]["exact_span"]["tp"] > 0
    bad = CliRunner().invoke(app, ["eval", "ner", "--split", "Nope"])
    assert bad.exit_code == 1
