"""Path engine: signs, ranking, hub damping, filters, limits, bad input — on both stores.

Tiny graphs are written in the tests (``tiny``), so every expected answer is known by hand;
a brute-force enumerator checks the pruned search on random graphs.
"""
from __future__ import annotations

import random

import pytest

from kg.query.paths import PathQueryError, find_paths, load_path_config
from kg.query.resolve import EntityNotFound
from kg.records.model import Edge, Node
from ontology import load_ontology

GENE = "gene"


def nid(name: str) -> str:
    return name if ":" in name else f"HGNC:{name}"


def tiny(store, edges: list[tuple], modules: dict[str, dict[str, int]] | None = None,
         categories: dict[str, str] | None = None) -> dict[str, str]:
    """Write a hand-made graph: ``edges`` are ``(s, predicate, o, sign, belief[, props])``.

    ``modules`` maps a module name to its members and membership signs. Edge props default to
    ``sources=[curated], designs=[in_vivo], species=[human]``. Returns name -> edge key.
    """
    categories = categories or {}
    names = {n for e in edges for n in (e[0], e[2])} | {m for ms in (modules or {}).values() for m in ms}
    nodes = [Node(nid(n), categories.get(n, GENE), n) for n in sorted(names)]
    recs, props = [], {}
    for e in edges:
        s, pred, o, sign, bel = e[:5]
        rec = Edge(nid(s), pred, nid(o), sign)
        recs.append(rec)
        props[rec.key] = {"belief": bel, "sources": ["curated"], "designs": ["in_vivo"], "species": ["human"],
                          "contested": False, "n_papers": 1, **(e[5] if len(e) > 5 else {})}
    for mod, members in (modules or {}).items():
        mid = f"MODULE:{mod.lower()}"
        nodes.append(Node(mid, "mechanism_module", mod))
        for m, sign in members.items():
            rec = Edge(nid(m), "member_of", mid, sign)
            recs.append(rec)
            props[rec.key] = {"belief": 0.9, "sources": ["curated"], "designs": ["database"], "species": [],
                              "contested": False, "n_papers": 1}
    store.upsert(nodes, recs, [])
    store.set_edge_props(props)
    store.flush()
    return {f"{r.subject}>{r.object}": r.key for r in recs}


@pytest.fixture
def store(any_store):
    return any_store


def names(res) -> list[list[str]]:
    return [[n.split(":", 1)[1] for n in p.nodes] for p in res.paths]


# -- signs ---------------------------------------------------------------------------------
def test_sign_is_product_of_edge_signs(store):
    tiny(store, [("A", "activates", "B", 1, 0.9), ("B", "inhibits", "C", -1, 0.9), ("C", "inhibits", "D", -1, 0.9)])
    res = find_paths(store, "A", "C", expect="decreases")
    assert names(res) == [["A", "B", "C"]]
    assert (res.paths[0].sign, res.paths[0].consistent) == (-1, True)
    res = find_paths(store, "A", "D", expect="decreases")
    assert (res.paths[0].sign, res.paths[0].consistent) == (1, False)
    assert find_paths(store, "A", "D").paths[0].consistent is None  # no expectation given


def test_membership_signs_count_at_set_endpoints(store):
    tiny(store, [("A", "activates", "C", 1, 0.9), ("B", "activates", "C", 1, 0.9), ("A", "activates", "D", 1, 0.9)],
         modules={"Src": {"A": 1, "B": -1}, "Tgt": {"C": 1, "D": -1}})
    res = find_paths(store, "Src", "Tgt", expect="increases")
    got = {tuple(n): (p.sign, p.consistent) for n, p in zip(names(res), res.paths)}
    assert got == {("A", "C"): (1, True), ("B", "C"): (-1, False), ("A", "D"): (-1, False)}
    assert names(res)[0] == ["A", "C"]  # the only consistent path ranks first
    assert (res.paths[0].start_sign, res.paths[0].end_sign) == (1, 1)


def test_zero_sign_edge_makes_an_unsigned_path(store):
    tiny(store, [("A", "associated_with", "B", 0, 0.9), ("B", "activates", "C", 1, 0.9)])
    p = find_paths(store, "A", "C", expect="increases").paths[0]
    assert (p.sign, p.consistent) == (0, None)


# -- ranking -------------------------------------------------------------------------------
def test_consistent_paths_rank_before_stronger_inconsistent_ones(store):
    tiny(store, [("S", "activates", "X", 1, 0.5), ("X", "activates", "T", 1, 0.5),
                 ("S", "inhibits", "Y", -1, 0.99), ("Y", "activates", "T", 1, 0.99)])
    inc = find_paths(store, "S", "T", expect="increases")
    assert names(inc) == [["S", "X", "T"], ["S", "Y", "T"]]
    assert [p.consistent for p in inc.paths] == [True, False]
    assert inc.paths[0].score < inc.paths[1].score
    dec = find_paths(store, "S", "T", expect="decreases")
    assert names(dec) == [["S", "Y", "T"], ["S", "X", "T"]]
    none = find_paths(store, "S", "T")
    assert names(none) == [["S", "Y", "T"], ["S", "X", "T"]]  # score alone


def hub_graph(store, hub_belief: float, plain_belief: float, hub_degree: int = 50) -> None:
    edges = [("S", "activates", "H", 1, hub_belief), ("H", "activates", "T", 1, hub_belief),
             ("S", "activates", "L", 1, plain_belief), ("L", "activates", "T", 1, plain_belief)]
    edges += [("H", "activates", f"D{i}", 1, 0.5) for i in range(hub_degree - 2)]
    tiny(store, edges)


def test_hub_paths_rank_below_equally_believed_paths(store):
    hub_graph(store, 0.9, 0.9)
    res = find_paths(store, "S", "T")
    assert names(res) == [["S", "L", "T"], ["S", "H", "T"]]
    hub, plain = res.paths[1], res.paths[0]
    assert hub.cost_belief == pytest.approx(plain.cost_belief)
    cfg = load_path_config()
    assert res.degrees == {"HGNC:H": 50, "HGNC:L": 2}
    assert hub.score == pytest.approx(0.81 * 50 ** -cfg["dwpc_w"], rel=1e-9)
    assert plain.score == pytest.approx(0.81 * 2 ** -cfg["dwpc_w"], rel=1e-9)


def test_strong_evidence_lifts_a_hub_path_over_weak_plain_ones(store):
    hub_graph(store, 0.95, 0.3)
    assert names(find_paths(store, "S", "T")) == [["S", "H", "T"], ["S", "L", "T"]]


def test_hub_limit_never_walks_through_hubs(store):
    hub_graph(store, 0.95, 0.3)
    res = find_paths(store, "S", "T", hub_limit=10)
    assert names(res) == [["S", "L", "T"]]
    # the hub may still be an endpoint
    assert names(find_paths(store, "H", "T", hub_limit=10)) == [["H", "T"]]


def test_ties_are_broken_by_stable_ids(store):
    tiny(store, [("S", "activates", "B", 1, 0.8), ("B", "activates", "T", 1, 0.8),
                 ("S", "activates", "A", 1, 0.8), ("A", "activates", "T", 1, 0.8)])
    res = find_paths(store, "S", "T")
    assert res.paths[0].score == res.paths[1].score
    assert names(res) == [["S", "A", "T"], ["S", "B", "T"]]


def test_answer_does_not_depend_on_insertion_order(tmp_path):
    from kg.store.embedded import EmbeddedStore

    edges = [("S", "activates", f"M{i}", 1, 0.7) for i in range(6)] + \
            [(f"M{i}", "inhibits", "T", -1, 0.7) for i in range(6)] + [("S", "activates", "T", 1, 0.49)]
    a, b = EmbeddedStore(tmp_path / "a.json.gz"), EmbeddedStore(tmp_path / "b.json.gz")
    tiny(a, edges)
    tiny(b, list(reversed(edges)))
    ra, rb = find_paths(a, "S", "T", k=20), find_paths(b, "S", "T", k=20)
    assert names(ra) == names(rb) and len(names(ra)) == 7
    assert [p.score for p in ra.paths] == [p.score for p in rb.paths]


def test_paths_come_sorted_by_rank_key(store):
    tiny(store, [("S", "activates", "T", 1, 0.25), ("S", "activates", "A", 1, 1.0), ("A", "activates", "T", 1, 0.5)])
    res = find_paths(store, "S", "T")
    assert names(res) == [["S", "A", "T"], ["S", "T"]]  # 0.5 * 2**-0.5 = 0.354 > 0.25
    assert res.paths[0].sort_key() < res.paths[1].sort_key()


# -- hop limits ----------------------------------------------------------------------------
def test_paths_of_exactly_max_hops_are_found(store):
    tiny(store, [("A", "activates", "B", 1, 0.9), ("B", "activates", "C", 1, 0.9), ("C", "activates", "D", 1, 0.9)])
    assert names(find_paths(store, "A", "B", max_hops=1)) == [["A", "B"]]
    assert names(find_paths(store, "A", "D", max_hops=3)) == [["A", "B", "C", "D"]]
    assert names(find_paths(store, "A", "D", max_hops=2)) == []


# -- filters -------------------------------------------------------------------------------
def filter_graph(store) -> None:
    tiny(store, [
        ("S", "activates", "A", 1, 0.9), ("A", "activates", "T", 1, 0.9),
        ("S", "upregulates_expression", "B", 1, 0.9), ("B", "activates", "T", 1, 0.9),
        ("S", "activates", "C", 1, 0.3), ("C", "activates", "T", 1, 0.9),
        ("S", "activates", "D", 1, 0.9, {"species": ["rat"]}), ("D", "activates", "T", 1, 0.9, {"species": ["rat"]}),
        ("S", "activates", "E", 1, 0.9, {"designs": ["clinical"]}), ("E", "activates", "T", 1, 0.9, {"designs": ["clinical"]}),
        ("S", "activates", "F", 1, 0.9, {"sources": ["pubtator"]}), ("F", "activates", "T", 1, 0.9),
    ])


@pytest.mark.parametrize("options, middles", [
    ({}, {"A", "B", "C", "D", "E", "F"}),
    ({"predicates": ("activates",)}, {"A", "C", "D", "E", "F"}),
    ({"min_belief": 0.5}, {"A", "B", "D", "E", "F"}),
    ({"species": ("rat",)}, {"D"}),
    ({"designs": ("clinical",)}, {"E"}),
    ({"designs": ("clinical", "in_vivo")}, {"A", "B", "C", "D", "E", "F"}),
    ({"sources": ("curated",)}, {"A", "B", "C", "D", "E"}),
    ({"exclude": ("A", "HGNC:B")}, {"C", "D", "E", "F"}),
    ({"predicates": ("activates",), "min_belief": 0.5, "species": ("human",)}, {"A", "E", "F"}),
])
def test_filters_keep_only_matching_edges(store, options, middles):
    filter_graph(store)
    res = find_paths(store, "S", "T", **options)
    assert {n[1] for n in names(res)} == middles


def test_undirected_walks_association_edges_both_ways_only_on_request(store):
    tiny(store, [("A", "associated_with", "B", 0, 0.9), ("C", "associated_with", "B", 0, 0.9),
                 ("C", "activates", "D", 1, 0.9), ("E", "activates", "D", 1, 0.9)])
    assert names(find_paths(store, "A", "C")) == []
    res = find_paths(store, "A", "C", undirected=True)
    assert names(res) == [["A", "B", "C"]]
    assert res.paths[0].edges[1]["subject"] == "HGNC:C"  # walked against its stored direction
    # directed predicates are never reversed
    assert names(find_paths(store, "A", "E", undirected=True)) == []


def test_group_membership_is_walked_but_never_member_to_sibling(store):
    cats = {"G": "gene_group"}
    tiny(store, [("A", "member_of", "G", 1, 0.9), ("B", "member_of", "G", 1, 0.9), ("G", "activates", "X", 1, 0.9),
                 ("Y", "activates", "G", 1, 0.9)], categories=cats)
    assert names(find_paths(store, "A", "X")) == [["A", "G", "X"]]   # member -> complex -> target
    assert names(find_paths(store, "Y", "B")) == [["Y", "G", "B"]]   # source -> complex -> member
    assert names(find_paths(store, "A", "B")) == []                  # member -> group -> sibling: no


# -- limits --------------------------------------------------------------------------------
def dense(store, width: int = 30) -> None:
    """S -> layer1 -> layer2 -> layer3 -> T, complete between layers: width**3 paths of 4 hops."""
    edges = [("S", "activates", f"a{i}", 1, 0.9) for i in range(width)]
    edges += [(f"a{i}", "activates", f"b{j}", 1, 0.9) for i in range(width) for j in range(width)]
    edges += [(f"b{i}", "activates", f"c{j}", 1, 0.9) for i in range(width) for j in range(width)]
    edges += [(f"c{i}", "activates", "T", 1, 0.9) for i in range(width)]
    tiny(store, edges)


def test_exploding_query_stops_at_the_time_limit_and_says_so(store):
    dense(store)
    res = find_paths(store, "S", "T", time_limit_s=0.02, k=50)
    assert res.truncated
    assert "time limit" in res.reason
    assert res.n_candidates < 30 ** 3
    assert len(res.paths) <= 50


def test_exploding_query_stops_at_the_candidate_limit_with_the_best_paths(store):
    dense(store)
    res = find_paths(store, "S", "T", k=50, time_limit_s=600)
    limit = load_path_config()["candidate_limit"]
    assert 30 ** 3 > limit
    assert res.n_candidates == limit and len(res.paths) == 50
    # best-first: the limit keeps the cheapest paths, so it cannot change this answer and is a note
    assert not res.truncated and any("candidate limit" in n and "best-first" in n for n in res.notes)
    expect_up = find_paths(store, "S", "T", k=50, time_limit_s=600, expect="increases")
    assert not expect_up.truncated and all(p.consistent for p in expect_up.paths)


def test_at_most_max_results_paths_and_more_is_a_note_not_a_cut(store):
    dense(store, width=4)  # 64 paths
    res = find_paths(store, "S", "T", k=50)
    assert len(res.paths) == 50 and res.n_candidates == 64
    assert not res.truncated and any("more than 50" in n for n in res.notes)
    few = find_paths(store, "S", "T", k=5, max_results=8)
    assert len(few.paths) == 5 and not few.truncated


# -- bad input -----------------------------------------------------------------------------
@pytest.mark.parametrize("options, message", [
    ({"max_hops": 0}, "max_hops must be between 1 and 6"),
    ({"max_hops": 7}, "max_hops must be between 1 and 6"),
    ({"k": 0}, "k must be between 1 and 50"),
    ({"k": 51}, "k must be between 1 and 50"),
    ({"min_belief": 1.0}, "min_belief must be in [0, 1)"),
    ({"min_belief": -0.1}, "min_belief must be in [0, 1)"),
    ({"predicates": ("activatez",)}, "unknown predicate(s) ['activatez']"),
    ({"predicates": ("member_of",)}, "keeps only set edges"),
    ({"designs": ("anecdote",)}, "unknown design(s) ['anecdote']"),
    ({"expect": "sideways"}, "expected effect 'sideways' not understood"),
    ({"time_limit_s": 0}, "time limit must be positive"),
    ({"hub_limit": 0}, "hub_limit must be at least 1"),
    ({"permutations": -1}, "permutations must be between 0 and"),
])
def test_impossible_options_fail_with_a_clear_message(store, options, message):
    tiny(store, [("A", "activates", "B", 1, 0.9)])
    with pytest.raises(PathQueryError) as err:
        find_paths(store, "A", "B", **options)
    assert message in str(err.value)


def test_unknown_entity_says_did_you_mean(store):
    tiny(store, [("MMP3", "activates", "B", 1, 0.9)])
    with pytest.raises(EntityNotFound) as err:
        find_paths(store, "MMP33", "B")
    assert "Did you mean" in str(err.value) and "MMP3" in str(err.value)
    with pytest.raises(EntityNotFound) as err:
        find_paths(store, "MMP3", "B", exclude=("MMP33",))
    assert "exclude" in str(err.value)


def test_same_source_and_target_is_refused(store):
    tiny(store, [("A", "activates", "B", 1, 0.9)], modules={"Mod": {"A": 1}})
    with pytest.raises(PathQueryError, match="same entity"):
        find_paths(store, "A", "HGNC:A")
    with pytest.raises(PathQueryError, match="same entity"):
        find_paths(store, "Mod", "mod")


def test_filter_nobody_matches_gives_no_path_and_names_the_filter(store):
    filter_graph(store)
    res = find_paths(store, "S", "T", species=("zebrafish",))
    assert res.paths == [] and not res.truncated
    assert len(res.notes) == 1 and "species" in res.notes[0] and "removed every edge" in res.notes[0]
    res = find_paths(store, "S", "T", sources=("kegg",), min_belief=0.95)
    assert res.paths == [] and "sources" in res.notes[0] and "min_belief" in res.notes[0]


def test_unconnected_endpoints_get_a_note(store):
    tiny(store, [("A", "activates", "B", 1, 0.9), ("C", "activates", "D", 1, 0.9)])
    res = find_paths(store, "A", "D")
    assert res.paths == [] and "no path of at most 4 hops" in res.notes[0]


# -- the pruned search finds exactly what brute force finds ----------------------------------
def brute_force(edges: list[tuple], starts: set[str], goals: set[str], max_hops: int, undirected: bool,
                hub_limit: int | None, degree: dict[str, int]) -> set[tuple[str, ...]]:
    onto = load_ontology()
    steps: dict[str, list[str]] = {}
    for s, pred, o, *_ in edges:
        steps.setdefault(s, []).append(o)
        if undirected and not onto.predicates[pred].directed:
            steps.setdefault(o, []).append(s)
    out = set()

    def walk(path):
        if len(path) > 1 and path[-1] in goals:
            out.add(tuple(path))
            return
        if len(path) > max_hops:
            return
        if len(path) > 1 and hub_limit is not None and degree[path[-1]] > hub_limit:
            return
        for v in steps.get(path[-1], ()):
            if v not in path:
                walk(path + [v])

    for s in starts:
        walk([s])
    return out


@pytest.mark.parametrize("seed", range(6))
def test_pruned_search_matches_brute_force_on_random_graphs(tmp_path, seed):
    from kg.store.embedded import EmbeddedStore

    rng = random.Random(seed)
    names_ = [f"N{i}" for i in range(24)]
    preds = [("activates", 1), ("inhibits", -1), ("associated_with", 0), ("binds", 0)]
    pairs = set()
    while len(pairs) < 45:
        a, b = rng.sample(names_, 2)
        if (a, b) not in pairs and (b, a) not in pairs:
            pairs.add((a, b))
    edges = []
    for a, b in sorted(pairs):
        p, s = rng.choice(preds)
        edges.append((a, p, b, s, round(rng.uniform(0.2, 0.99), 3)))
    src, tgt = {n: 1 for n in rng.sample(names_, 3)}, {n: 1 for n in rng.sample(names_, 3)}
    for n in set(src) & set(tgt):
        del tgt[n]
    store = EmbeddedStore(tmp_path / "g.json.gz")
    tiny(store, edges, modules={"Src": src, "Tgt": tgt})
    degree = store.degrees([nid(n) for n in names_])
    sizes = []
    for max_hops in (2, 3, 4):
        for undirected in (False, True):
            for hub_limit in (None, 5):
                expected = brute_force(edges, set(src), set(tgt), max_hops, undirected, hub_limit,
                                       {n: degree[nid(n)] for n in names_})
                res = find_paths(store, "Src", "Tgt", max_hops=max_hops, undirected=undirected,
                                 hub_limit=hub_limit, k=50)
                got = {tuple(n) for n in names(res)}
                sizes.append(len(expected))
                if len(expected) <= 50:
                    assert got == expected, (max_hops, undirected, hub_limit)
                    assert res.n_candidates == len(expected)
                else:
                    assert got < expected and any("more than" in n for n in res.notes)
                assert [p.sort_key() for p in res.paths] == sorted(p.sort_key() for p in res.paths)
    assert max(sizes) > 0, "the random graph should connect the sets somewhere"


@pytest.mark.parametrize("seed", range(8))
def test_the_walk_stops_early_with_exactly_the_exhaustive_answer(tmp_path, monkeypatch, seed):
    """Stopping once the answer is settled gives the same shown paths, in the same order, as
    enumerating every candidate (the settled test switched off)."""
    from kg.query import paths as paths_mod
    from kg.store.embedded import EmbeddedStore

    rng = random.Random(100 + seed)
    names_ = [f"N{i}" for i in range(30)]
    preds = [("activates", 1), ("inhibits", -1), ("associated_with", 0), ("binds", 0)]
    edges = []
    for _ in range(80):
        a, b = rng.sample(names_, 2)
        p, s = rng.choice(preds)
        edges.append((a, p, b, s, rng.choice([0.5, 0.7, 0.9, round(rng.uniform(0.2, 0.99), 3)])))  # ties too
    src = {n: rng.choice([1, -1]) for n in rng.sample(names_, 4)}
    tgt = {n: 1 for n in rng.sample([n for n in names_ if n not in src], 4)}
    store = EmbeddedStore(tmp_path / "g.json.gz")
    tiny(store, edges, modules={"Src": src, "Tgt": tgt})
    queries = [dict(k=k, expect=x, max_hops=h) for k in (1, 3, 5) for x in (None, "increases") for h in (3, 4)]
    queries += [dict(source=edges[0][0], target=edges[1][2], k=2),
                dict(source=edges[2][0], target="Tgt", k=4, expect="decreases")]
    early = []
    for q in queries:
        q = {"source": "Src", "target": "Tgt", **q}
        early.append(find_paths(store, q.pop("source"), q.pop("target"), **q))
    monkeypatch.setattr(paths_mod._Answer, "settled", lambda *a: False)
    stopped = 0
    for q, got in zip(queries, early):
        q = {"source": "Src", "target": "Tgt", **q}
        full = find_paths(store, q.pop("source"), q.pop("target"), **q)
        assert [p.sort_key() for p in got.paths] == [p.sort_key() for p in full.paths], q
        assert got.n_candidates <= full.n_candidates
        stopped += got.n_candidates < full.n_candidates
    assert stopped, "some query should have stopped before enumerating every candidate"


# -- the shipped build ---------------------------------------------------------------------
@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    from kg.pipeline.build import collect
    from kg.pipeline.load import load
    from kg.store.embedded import EmbeddedStore

    store = EmbeddedStore(tmp_path_factory.mktemp("shipped") / "g.json.gz")
    load(store, collect())
    return store


@pytest.mark.parametrize("source, target", [("Decompression", "NP resorption"),
                                            ("Bone bioactive factors", "Matrix degradation")])
def test_shipped_queries_rank_consistent_paths_first(shipped, source, target):
    res = find_paths(shipped, source, target, expect="increases", k=50)
    assert res.paths, "the shipped graph links these modules"
    ranks = [{True: 0, None: 1, False: 2}[p.consistent] for p in res.paths]
    assert ranks == sorted(ranks) and ranks[0] == 0
    for p in res.paths:
        assert p.nodes[0] in res.source.members and p.nodes[-1] in res.target.members
        sign = res.source.members[p.nodes[0]] * res.target.members[p.nodes[-1]]
        for e, s in zip(p.edges, p.edge_signs):
            assert s == int(e["sign"])
            sign *= s
        assert p.sign == sign
        assert len(p.edges) <= 4 and len(set(p.nodes)) == len(p.nodes)
    again = find_paths(shipped, source, target, expect="increases", k=50)
    assert [(p.nodes, p.score) for p in again.paths] == [(p.nodes, p.score) for p in res.paths]


def test_shipped_query_with_exclusion_avoids_the_node(shipped):
    full = find_paths(shipped, "Inflammation", "Matrix degradation", k=50)
    inner = sorted({n for p in full.paths for n in p.nodes[1:-1]})
    assert inner, "some path has an inner node"
    res = find_paths(shipped, "Inflammation", "Matrix degradation", k=50, exclude=(inner[0],))
    assert all(inner[0] not in p.nodes for p in res.paths)
