"""XSwap permutations and metapath p-values: degree-preserving, seeded, deterministic, correct."""
from __future__ import annotations

import random
from collections import Counter

import pytest

from kg.query.paths import PathQuery, find_paths, load_path_config
from kg.query.permutation import damped_path_count, metaedges, metapath_pvalues, parse_metapath, xswap
from kg.store.embedded import EmbeddedStore
from tests.kg.query.test_paths import nid, tiny


def random_pairs(seed: int, n_nodes: int = 40, n_edges: int = 120) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    pairs = set()
    while len(pairs) < n_edges:
        a, b = rng.sample(range(n_nodes), 2)
        pairs.add((f"n{a}", f"n{b}"))
    return sorted(pairs)


def test_xswap_keeps_every_degree_and_makes_no_duplicate_or_self_loop():
    pairs = random_pairs(1)
    out = xswap(pairs, random.Random(3), 10 * len(pairs))
    assert Counter(s for s, _ in out) == Counter(s for s, _ in pairs)
    assert Counter(o for _, o in out) == Counter(o for _, o in pairs)
    assert len(set(out)) == len(out) == len(pairs)
    assert all(s != o for s, o in out)
    assert len(set(out) - set(pairs)) > len(pairs) // 2  # it really permutes


def test_xswap_is_deterministic_for_a_seed():
    pairs = random_pairs(2)
    assert xswap(pairs, random.Random(5), 500) == xswap(pairs, random.Random(5), 500)
    assert xswap(pairs, random.Random(5), 500) != xswap(pairs, random.Random(6), 500)
    assert xswap([("a", "b")], random.Random(0), 10) == [("a", "b")]


def test_metapath_parsing_round_trip():
    m = "gene -activates> gene <associated_with- biological_process"
    assert parse_metapath(m) == ("gene", [("activates", True, "gene"), ("associated_with", False, "biological_process")])
    assert metaedges(m) == [("activates", "gene", "gene"), ("associated_with", "biological_process", "gene")]
    with pytest.raises(ValueError):
        parse_metapath("gene activates gene")


def test_dwpc_sums_damped_paths_and_follows_the_search_rules():
    g = {("activates", "gene", "gene"): [("S", "A"), ("S", "B"), ("A", "T"), ("B", "T"), ("S", "T2"), ("T2", "T")]}
    deg = {"A": 4, "B": 9, "T2": 2}
    m = "gene -activates> gene -activates> gene"
    assert damped_path_count(g, m, ["S"], {"T"}, deg, 0.5) == pytest.approx(4 ** -0.5 + 9 ** -0.5 + 2 ** -0.5)
    assert damped_path_count(g, m, ["S"], {"T", "T2"}, deg, 0.5) == pytest.approx(4 ** -0.5 + 9 ** -0.5)  # a goal is never inner
    assert damped_path_count(g, m, ["S"], {"T"}, deg, 0.5, excluded={"A"}) == pytest.approx(9 ** -0.5 + 2 ** -0.5)
    assert damped_path_count(g, m, ["S"], {"T"}, deg, 0.5, hub_limit=5) == pytest.approx(4 ** -0.5 + 2 ** -0.5)
    assert damped_path_count(g, "gene <activates- gene", ["A"], {"S"}, deg, 0.5) == 1.0  # walked backwards


def planted(store) -> None:
    """Source members s0..s5 each activate a private middle node that activates a target member,
    inside a background of random gene->gene activations: a real signal XSwap should destroy."""
    rng = random.Random(11)
    edges = []
    for i in range(6):
        edges += [(f"s{i}", "activates", f"m{i}", 1, 0.9), (f"m{i}", "activates", f"t{i % 3}", 1, 0.9)]
    bg = [f"b{i}" for i in range(40)]
    seen = set()
    while len(seen) < 160:
        a, b = rng.sample(bg, 2)
        seen.add((a, b))
    edges += [(a, "activates", b, 1, 0.5) for a, b in sorted(seen)]
    # a few background edges touch the ends, so random rewiring can still make some paths
    edges += [(f"s{i}", "activates", bg[i], 1, 0.5) for i in range(6)]
    edges += [(bg[10 + i], "activates", f"t{i % 3}", 1, 0.5) for i in range(6)]
    tiny(store, edges, modules={"Src": {f"s{i}": 1 for i in range(6)}, "Tgt": {f"t{i}": 1 for i in range(3)}})


def test_planted_signal_gets_a_small_p_value_and_is_reproducible(tmp_path):
    store = EmbeddedStore(tmp_path / "g.json.gz")
    planted(store)
    res = find_paths(store, "Src", "Tgt", max_hops=2, permutations=50, seed=3)
    assert res.n_permutations == 50
    assert {p.metapath for p in res.paths} == {"gene -activates> gene -activates> gene"}
    p = res.paths[0].p_value
    assert p is not None and p <= 0.1
    again = find_paths(store, "Src", "Tgt", max_hops=2, permutations=50, seed=3)
    assert [x.p_value for x in again.paths] == [x.p_value for x in res.paths]


def test_p_value_is_the_share_of_permutations_at_least_as_extreme(tmp_path):
    store = EmbeddedStore(tmp_path / "g.json.gz")
    planted(store)
    q = PathQuery("Src", "Tgt", max_hops=2, permutations=30, seed=9)
    res = find_paths(store, q)
    m = res.paths[0].metapath
    # recompute by hand with the module's parts: same seeded chain, same counting
    cfg = load_path_config()
    group = metaedges(m)[0]
    pairs = sorted((e["subject"], e["object"]) for e in store.iter_edges() if e["predicate"] == "activates")
    deg = store.degrees({n for pr in pairs for n in pr})
    starts, goals = {nid(f"s{i}") for i in range(6)}, {nid(f"t{i}") for i in range(3)}
    observed = damped_path_count({group: pairs}, m, starts, goals, deg, cfg["dwpc_w"])
    rng, cur, hits = random.Random(9), pairs, 0
    for _ in range(30):
        cur = xswap(cur, rng, cfg["xswap_multiplier"] * len(cur))
        hits += damped_path_count({group: cur}, m, starts, goals, deg, cfg["dwpc_w"]) >= observed - 1e-12 * max(1.0, observed)
    assert res.paths[0].p_value == round(hits / 30, 6)
    assert metapath_pvalues(store, q, cfg, dict.fromkeys(starts, 1), dict.fromkeys(goals, 1), set(), [m]) == \
        {m: res.paths[0].p_value}


def test_structurally_forced_path_type_is_not_significant(tmp_path):
    # the only edges of their kind go straight from source to target: every permutation keeps them
    store = EmbeddedStore(tmp_path / "g.json.gz")
    tiny(store, [("A", "activates", "B", 1, 0.9), ("C", "inhibits", "D", -1, 0.9)])
    res = find_paths(store, "A", "B", permutations=20)
    assert res.paths[0].metapath == "gene -activates> gene" and res.paths[0].p_value == 1.0


def test_no_permutations_no_p_values(tmp_path):
    store = EmbeddedStore(tmp_path / "g.json.gz")
    planted(store)
    res = find_paths(store, "Src", "Tgt", max_hops=2)
    assert res.n_permutations == 0 and all(p.p_value is None for p in res.paths)
    assert all(p.metapath for p in res.paths)


def test_shipped_graph_p_values(tmp_path):
    from kg.pipeline.build import collect
    from kg.pipeline.load import load

    store = EmbeddedStore(tmp_path / "g.json.gz")
    load(store, collect())
    res = find_paths(store, "Bone bioactive factors", "Matrix degradation", expect="increases", permutations=25)
    assert res.paths and all(0.0 <= p.p_value <= 1.0 for p in res.paths)
    assert len({p.metapath for p in res.paths}) > 1
