"""Module enrichment of a DEG table, checked against an independent hypergeometric tail (math.comb) and BH."""
from __future__ import annotations

import math

import pytest
import yaml

from ingest.degs import Experiment
from ingest.hgnc import default_resolver
from kg.analysis.enrichment import module_enrichment, over_representation
from kg.pipeline.experiments import ingest_gene_file
from tests.deg_tables import bh, deseq2_csv, human_genes, statistics
from tests.helpers import ROOT
from tests.store_fixtures import STORES, default_build


@pytest.fixture(scope="module", params=STORES)
def store(request, tmp_path_factory):
    """The default build on each store kind (this module writes an experiment into it)."""
    yield from default_build(request, tmp_path_factory, "enrich")


def tail(N: int, K: int, n: int, k: int) -> float:
    """P(X >= k), X hypergeometric: k of n draws from N hold K successes (exact, by binomial coefficients)."""
    return sum(math.comb(K, i) * math.comb(N - K, n - i) for i in range(k, min(K, n) + 1)) / math.comb(N, n)


def matrix_genes() -> list[str]:
    mods = yaml.safe_load((ROOT / "ontology" / "modules.yaml").read_text())["modules"]
    return mods["matrix_degradation"]["member_genes"]


@pytest.fixture(scope="module")
def experiment(store, tmp_path_factory):
    r = default_resolver()
    forced = {r.resolve(s).symbol for s in matrix_genes()}
    genes = [g.symbol for g in human_genes(1500, seed=21) if g.symbol not in forced] + sorted(forced)
    rows = statistics([(g, frozenset()) for g in genes], seed=22, significant=forced)
    p = tmp_path_factory.mktemp("deg") / "res.csv"
    p.write_bytes(deseq2_csv(rows))
    _, exp_id = ingest_gene_file(store, p, Experiment("NP herniated vs contained", "human"))
    return exp_id


def members_by_hand(store, universe: set[str]) -> dict[str, set[str]]:
    """Module name -> universe genes that are members, or members of a member set: from the raw edges."""
    out = {}
    for m in store.search("MODULE:", limit=100):
        if m["category"] != "mechanism_module":
            continue
        direct = {e["subject"] for e in store.edges_of([m["id"]], "in") if e["predicate"] == "member_of"}
        via = {e["subject"] for s in direct for e in store.edges_of([s], "in") if e["predicate"] == "member_of"}
        out[m["name"]] = (direct | via) & universe
    return out


@pytest.mark.parametrize("alpha,min_lfc", [(0.05, 0.0), (0.01, 1.5)])
def test_enrichment_matches_an_independent_computation(store, experiment, alpha, min_lfc):
    res = module_enrichment(store, experiment, alpha=alpha, min_lfc=min_lfc)
    measured = {e["subject"]: e for e in store.edges_of([experiment], "in") if e["predicate"] == "measured_in"}
    universe = {g for g, e in measured.items() if e.get("padj") is not None}
    sig = {g for g in universe if measured[g]["padj"] < alpha and abs(measured[g]["log2fc"]) >= min_lfc}
    assert (res["universe"], res["significant"]) == (len(universe), len(sig))
    assert 1300 < len(universe) <= 1517 and len(sig) > 50
    members = members_by_hand(store, universe)
    rows = {r["module"]: r for r in res["modules"]}
    assert set(rows) == set(members)
    tested = [name for name in members if members[name]]
    qs = dict(zip(tested, bh([tail(len(universe), len(members[n]), len(sig), len(members[n] & sig)) for n in tested])))
    for name, mem in members.items():
        r, k = rows[name], len(mem & sig)
        assert (r["measured"], r["significant"]) == (len(mem), k)
        assert r["expected"] == pytest.approx(len(sig) * len(mem) / len(universe))
        if not mem:
            assert r["p"] == r["q"] == 1.0 and r["score"] == 0.0
            continue
        assert r["p"] == pytest.approx(tail(len(universe), len(mem), len(sig), k), rel=1e-9, abs=1e-300)
        assert r["q"] == pytest.approx(qs[name], rel=1e-9, abs=1e-300)
        hits = mem & sig
        score = sum(math.copysign(1, measured[g]["log2fc"]) * -math.log10(measured[g]["padj"]) for g in hits) / len(hits) \
            if hits else 0.0
        assert r["score"] == pytest.approx(score)
        assert (r["up"], r["down"]) == (sum(measured[g]["log2fc"] > 0 for g in hits), sum(measured[g]["log2fc"] < 0 for g in hits))
        assert [g["padj"] for g in r["genes"]] == sorted(g["padj"] for g in r["genes"])
    # the module whose genes were made significant and up leads, with a positive score
    top = min(res["modules"], key=lambda r: r["p"])
    assert top["module"] == "Matrix degradation" and top["q"] < 1e-6 and top["score"] > 5
    assert rows["RI-LDH"]["measured"] == 0


def test_gene_list_has_no_background_and_says_so(store, tmp_path):
    p = tmp_path / "list.txt"
    p.write_text("MMP3\nADAMTS5\nTIMP3\n")
    _, exp_id = ingest_gene_file(store, p, "a list")
    res = module_enrichment(store, exp_id)
    assert res["modules"] == [] and "no measured gene has an adjusted p-value" in res["note"]


def test_over_representation_is_cut_to_the_universe():
    rows = over_representation({"a", "b", "c", "d"}, {"a", "x"}, {"M": {"a", "b", "y"}})
    assert rows == [{"module": "M", "measured": 2, "significant": 1, "expected": 0.5, "p": pytest.approx(tail(4, 2, 1, 1)),
                     "q": pytest.approx(0.5)}]
