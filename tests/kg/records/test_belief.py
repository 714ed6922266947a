"""Belief: INDRA-style priors, one paper counted once, study-design weight, negation, hedging."""
from __future__ import annotations

import pytest

from kg.pipeline.load import assemble
from kg.records.belief import belief, load_belief_config
from kg.records.model import Edge, Evidence, Node
from kg.store.embedded import EmbeddedStore


def ev(citation: str, design: str = "in_vivo", source: str = "curated", sign: int = 1, text: str = "",
       flags: tuple[str, ...] = ()) -> dict:
    return {"source": source, "citation": citation, "text": text or f"{citation} says so",
            "context": {"design": design}, "sign": sign, "flags": list(flags)}


def b(*rows) -> float:
    return belief(list(rows))["belief"]


def test_one_paper_counts_once_however_many_sentences():
    one = belief([ev("PMID:1")])
    three = belief([ev("PMID:1", text="a"), ev("PMID:1", text="b"), ev("PMID:1", text="c")])
    assert one["belief"] == three["belief"]
    assert three["n_papers"] == 1


def test_a_second_paper_raises_belief():
    assert b(ev("PMID:1"), ev("PMID:2")) > b(ev("PMID:1"))


def test_a_paper_counts_with_its_best_evidence():
    # the same paper with an in-vitro and a clinical sentence is worth one clinical paper
    assert b(ev("PMID:1", "in_vitro", text="x"), ev("PMID:1", "clinical", text="y")) == b(ev("PMID:1", "clinical"))


def test_design_weight_orders_belief():
    cfg = load_belief_config()
    designs = sorted(cfg["design_weight"], key=lambda d: -cfg["design_weight"][d])
    values = [b(ev("PMID:1", d)) for d in designs]
    assert values == sorted(values, reverse=True)
    assert b(ev("PMID:1", "clinical")) > b(ev("PMID:1", "in_vitro")) > b(ev("PMID:1", "computational"))


def test_unknown_design_uses_unknown_weight():
    assert b(ev("PMID:1", "astrology")) == b(ev("PMID:1", "unknown"))


def test_source_prior_matters():
    assert b(ev("PMID:1", source="curated")) > b(ev("PMID:1", source="literature"))
    assert b(ev("PMID:1", source="not-configured")) == b(ev("PMID:1", source="default"))


def test_negation_lowers_belief_and_is_counted():
    plain = belief([ev("PMID:1")])
    neg = belief([ev("PMID:1"), ev("PMID:2", flags=("negated",))])
    assert neg["belief"] < plain["belief"]
    assert neg["n_negated"] == 1 and neg["n_papers"] == 1
    penalty = load_belief_config()["negation_penalty"]
    assert neg["belief"] == pytest.approx(plain["belief"] * (1 - penalty), abs=1e-6)


def test_only_negated_evidence_gives_zero_belief():
    assert b(ev("PMID:1", flags=("negated",))) == 0.0


def test_hedged_evidence_counts_less():
    assert b(ev("PMID:1", flags=("hedged",))) < b(ev("PMID:1"))


def test_contested_when_evidence_has_both_signs():
    assert belief([ev("PMID:1", sign=1), ev("PMID:2", sign=-1)])["contested"] is True
    assert belief([ev("PMID:1", sign=1), ev("PMID:2", sign=1)])["contested"] is False
    assert belief([ev("PMID:1", sign=1), ev("PMID:2", sign=0)])["contested"] is False


def test_no_evidence_no_belief():
    assert belief([]) == {"belief": 0.0, "n_papers": 0, "n_negated": 0, "contested": False, "signs": []}


def test_belief_stays_below_one():
    many = [ev(f"PMID:{i}", "clinical") for i in range(200)]
    assert 0.98 < b(*many) < 1.0  # the systematic-error prior caps it


def test_assemble_writes_belief_and_context_on_edges(tmp_path):
    store = EmbeddedStore(tmp_path / "g.json.gz")
    e = Edge("HGNC:1", "activates", "HGNC:2", 1)
    store.upsert([Node("HGNC:1", "gene", "A"), Node("HGNC:2", "gene", "B")], [e],
                 [Evidence(e.key, "curated", "PMID:1", "A activates B.", context=(("design", "in_vivo"), ("species", "rat")), sign=1),
                  Evidence(e.key, "curated", "PMID:1", "Again, A activates B.", context=(("design", "in_vitro"),), sign=1),
                  Evidence(e.key, "literature", "PMID:2", "A inhibits B.", context=(("design", "in_vitro"),), sign=-1)])
    assert assemble(store) == 1
    row = next(store.iter_edges())
    expected = belief(list(store.iter_evidence()))
    assert row["belief"] == expected["belief"] > 0
    assert row["n_papers"] == 2 and row["n_evidence"] == 3
    assert row["contested"] is True
    assert row["sources"] == ["curated", "literature"]
    assert row["species"] == ["rat"]
    assert row["designs"] == ["in_vitro", "in_vivo"]


def test_config_path_can_be_given(tmp_path):
    cfg = dict(load_belief_config())
    p = tmp_path / "belief.yaml"
    import yaml

    cfg = {**cfg, "design_weight": {**cfg["design_weight"], "in_vivo": 0.1}}
    p.write_text(yaml.safe_dump(cfg))
    custom = load_belief_config(str(p))
    assert belief([ev("PMID:1")], custom)["belief"] < b(ev("PMID:1"))


def test_the_one_evidence_shortcut_gives_the_general_figures():
    import itertools

    from kg.records.belief import _one_reading, _readings, load_belief_config

    cfg = load_belief_config()
    rows = []
    for src, design, flags, cite, sign in itertools.product(
            ("curated", "pubmed", "lexicon", "go", "nosuch", None), ("in_vivo", "clinical", None),
            ((), ("hedged",), ("negated",), ("hedged", "negated")), ("PMID:1", "URL:x", None), (1, -1, 0, None)):
        ev = {"citation": cite, "sign": sign, "flags": list(flags), "key": "k"}
        if src is not None:
            ev["source"] = src
        if design is not None:
            ev["context"] = {"design": design}
        rows.append(ev)
    assert len(rows) == 6 * 3 * 4 * 3 * 4
    for ev in rows:
        assert _one_reading(ev, cfg) == _readings([ev], cfg), ev
