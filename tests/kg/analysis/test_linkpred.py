"""Link-prediction scores on small graphs whose answers are worked out by hand."""
from __future__ import annotations

import math

import pytest

from kg.analysis.linkpred import (
    adamic_adar,
    belief_paths,
    dwpc,
    linked,
    mechanism_view,
    preferential_attachment,
    resource_allocation,
    undirected,
    view_from_rows,
)
from kg.query.paths import find_paths
from kg.records.model import Edge, Node
from kg.store.embedded import EmbeddedStore


def rows(edges):
    return [{"key": f"k{i}", "subject": s, "predicate": p, "object": o, "sign": sign, "belief": b}
            for i, (s, p, o, sign, b) in enumerate(edges)]


def nodes(ids, cat="gene"):
    return [{"id": i, "category": cat, "name": i} for i in ids]


def test_common_neighbour_scores_by_hand():
    # a and c share b (degree 3) and d (degree 2); e hangs off b
    G = view_from_rows(nodes("abcde"), rows([("a", "activates", "b", 1, 0.9), ("b", "activates", "c", 1, 0.9),
                                             ("a", "activates", "d", 1, 0.9), ("d", "activates", "c", 1, 0.9),
                                             ("b", "activates", "e", 1, 0.9)]))
    U = undirected(G)
    assert adamic_adar(U, "a", "c") == pytest.approx(1 / math.log(3) + 1 / math.log(2))
    assert resource_allocation(U, "a", "c") == pytest.approx(1 / 3 + 1 / 2)
    assert preferential_attachment(U, "a", "c") == 4.0  # 2 * 2
    assert preferential_attachment(U, "a", "zzz") == 0.0
    assert not linked(G, "a", "c") and linked(G, "b", "a")


def test_dwpc_by_hand():
    # path a-b-c only: degrees a=1, b=2, c=1 -> (1*2)^-0.5 * (2*1)^-0.5 = 0.5
    U = undirected(view_from_rows(nodes("abc"), rows([("a", "activates", "b", 1, 1.0),
                                                      ("b", "activates", "c", 1, 1.0)])))
    assert dwpc(U, "a", "c") == {"c": {"gene - gene - gene": pytest.approx(0.5)}}
    assert "b" not in dwpc(U, "a")  # direct neighbours are not path counts


def test_belief_paths_sign_via_and_direction():
    G = view_from_rows(nodes("abcd"), rows([("a", "activates", "b", 1, 0.8), ("b", "inhibits", "c", -1, 0.5),
                                            ("a", "activates", "d", 1, 0.9), ("d", "activates", "c", 1, 0.5),
                                            ("c", "activates", "a", 1, 0.9)]))
    deg = {"b": 4, "d": 1}
    t = belief_paths(G, "a", ["c"], max_hops=2, min_hops=2, degree=deg)["c"]
    # via b: 0.8*0.5*4^-0.5 = 0.2, sign -1; via d: 0.9*0.5*1 = 0.45, sign +1
    assert t.n_paths == 2
    assert t.score == pytest.approx(0.65)
    assert t.via == {"b": pytest.approx(0.2), "d": pytest.approx(0.45)}
    assert t.sign == 1 and t.signed == pytest.approx(0.25)
    assert "a" not in belief_paths(G, "c", ["a"], max_hops=1, min_hops=2)  # too short
    assert belief_paths(G, "b", ["a"], max_hops=3)  # b -> c -> a follows directions


def test_association_edges_are_not_walked_but_count_as_topology():
    G = view_from_rows(nodes("abc"), rows([("a", "associated_with", "b", 0, 0.9),
                                           ("b", "activates", "c", 1, 0.9)]))
    assert belief_paths(G, "a", max_hops=3) == {}
    assert resource_allocation(undirected(G), "a", "c") == pytest.approx(0.5)
    both = view_from_rows(nodes("abc"), rows([("a", "associated_with", "b", 0, 0.9),
                                              ("b", "activates", "c", 1, 0.9)]), undirected_associations=True)
    assert "c" in belief_paths(both, "a", max_hops=3)


def test_membership_edges_follow_the_path_rules():
    ns = nodes("ab") + [{"id": "G", "category": "gene_group", "name": "G"},
                        {"id": "M", "category": "mechanism_module", "name": "M"}, {"id": "x", "category": "gene"}]
    G = view_from_rows(ns, rows([("a", "member_of", "G", 1, 0.9), ("b", "member_of", "G", 1, 0.9),
                                 ("a", "member_of", "M", 1, 0.9), ("x", "member_of", "M", 1, 0.9),
                                 ("G", "activates", "x", 1, 0.9)]))
    assert not G.has_edge("a", "M")  # set-defining memberships are not mechanisms
    reach = belief_paths(G, "a", max_hops=3)
    assert "x" in reach and "b" not in reach  # member -> group -> sibling is never walked
    assert "x" not in belief_paths(G, "a", max_hops=3, set_ends=False)  # a -> G -> x starts with a membership


def test_belief_paths_agree_with_the_path_engine(tmp_path):
    s = EmbeddedStore(tmp_path / "g.json.gz")
    s.upsert([Node(f"HGNC:{i}", "gene", n) for i, n in enumerate("ABCDE", start=1)],
             [Edge("HGNC:1", "activates", "HGNC:2", 1), Edge("HGNC:2", "upregulates_expression", "HGNC:3", 1),
              Edge("HGNC:1", "inhibits", "HGNC:4", -1), Edge("HGNC:4", "inhibits", "HGNC:3", -1),
              Edge("HGNC:4", "activates", "HGNC:5", 1), Edge("HGNC:2", "activates", "HGNC:4", 1)], [])
    s.set_edge_props({e["key"]: {"belief": 0.5 + 0.05 * i} for i, e in enumerate(s.iter_edges())})
    view = mechanism_view(s)
    deg = s.degrees(list(view.nodes))
    tally = belief_paths(view, "HGNC:1", ["HGNC:3"], max_hops=3, min_hops=1, degree=deg)["HGNC:3"]
    res = find_paths(s, "HGNC:1", "HGNC:3", max_hops=3, k=50)
    assert tally.n_paths == len(res.paths) == 3
    assert tally.score == pytest.approx(sum(p.score for p in res.paths))
