"""The connected mechanism on the default (shipped) build: module pairs, cited chains, contradictions.

Each chain below is written from the shipped facts; every hop names the fact (file line) and the
citation it rests on. A chain passes when a path through exactly those nodes is in the top 10.
"""
from __future__ import annotations

import pytest

from kg.query.paths import find_paths

# (source, target, the path's nodes, expected sign, the hops' citations)
CHAINS = [
    ("KGV:dynamic_overload", "KGV:hernia_resorption",
     ["KGV:dynamic_overload", "KGGROUP:ITGA5+ITGB1", "HGNC:7173", "KGV:hernia_resorption"], 1,
     "overload raises integrin a5b1 (PMID:25546513, line 15); a5b1 needed for load-induced MMP3 "
     "(PMID:25546513, line 19); MMP3 needed for resorption (DOI:10.1172/jci7090, line 89)"),
    ("HGNC:7174", "KGV:hernia_resorption", ["HGNC:7174", "HGNC:11892", "HGNC:7173", "KGV:hernia_resorption"], 1,
     "MMP7 sheds TNF (PMID:10642592, line 92); TNF induces MMP3 (PMID:10642592, line 94); MMP3 needed for "
     "resorption (DOI:10.1172/jci7090, line 89)"),
    ("HGNC:11892", "KGV:hernia_resorption",
     ["HGNC:11892", "HGNC:12680", "GO:0001525", "GO:1905517", "KGV:hernia_resorption"], 1,
     "TNF induces VEGF (DOI:10.5505/abantmedj.2015.19483, line 138); VEGF drives angiogenesis "
     "(DOI:10.1186/s13075-018-1743-4, line 136); vessels bring macrophages (same, line 137); macrophage "
     "infiltration needed for resorption (PMID:10642592, line 95)"),
    ("HGNC:7173", "KGV:hernia_resorption", ["HGNC:7173", "GO:0048246", "GO:1905517", "KGV:hernia_resorption"], 1,
     "MMP3 needed for macrophage chemotaxis (DOI:10.1172/jci7090, line 90); chemotaxis is a kind of "
     "macrophage migration (GO is_a); macrophage infiltration needed for resorption (PMID:10642592, line 95)"),
    ("KGV:ri_ldh", "HGNC:1069", ["KGV:ri_ldh", "KGV:bony_reconstruction", "KGV:fracture_healing", "HGNC:1069"], 1,
     "RI-LDH rebuilds the bony canal (Zhang group, line 8); bony reconstruction heals as bone (vocabulary); "
     "fracture healing raises BMP2 (line 64)"),
    ("HGNC:12680", "HGNC:7173", ["HGNC:12680", "KGV:matrix_enzymes", "HGNC:7173"], 1,
     "VEGF raises cartilage-degrading enzymes (PMCID:PMC9782756, line 81); MMP3 is one of them (vocabulary)"),
    ("HGNC:1069", "HGNC:391", ["HGNC:1069", "HGNC:391"], 1,
     "BMP2 acts through PI3K/Akt (DOI:10.3892/ijmm.2018.3972, line 80)"),
    ("HGNC:5992", "HGNC:319", ["HGNC:5992", "HGNC:220", "KGGROUP:ADAMTS4+ADAMTS5", "HGNC:319"], -1,
     "IL-1b raises ADAMTS4 (PMID:28791354, line 99); ADAMTS4 is an ADAMTS aggrecanase, and they degrade "
     "aggrecan (line 106)"),
]

PAIRS = [("Decompression", "Integrin signalling"), ("Decompression", "Matrix degradation"),
         ("Decompression", "NP resorption"), ("Bone bioactive factors", "Integrin signalling"),
         ("Bone bioactive factors", "Matrix degradation"), ("Bone bioactive factors", "Inflammation"),
         ("Bone bioactive factors", "Neovascularisation"), ("Bone bioactive factors", "NP resorption"),
         ("Integrin signalling", "Matrix degradation"), ("Integrin signalling", "Inflammation"),
         ("Integrin signalling", "NP resorption"), ("Inflammation", "Matrix degradation"),
         ("Inflammation", "Neovascularisation"), ("Inflammation", "NP resorption"),
         ("Neovascularisation", "Inflammation"), ("Neovascularisation", "NP resorption"),
         ("Matrix degradation", "NP resorption"), ("RI-LDH", "Decompression"),
         ("RI-LDH", "Bone bioactive factors"), ("RI-LDH", "NP resorption")]
# Pairs whose top 10 holds no path with a gene between the ends (measured; see the closing note):
# RI-LDH reaches the bone factors through the procedure and bone healing, not through a gene.
NO_GENE_INTERMEDIATE = {("RI-LDH", "Bone bioactive factors")}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    from kg.pipeline.build import collect
    from kg.pipeline.load import load
    from kg.store.embedded import EmbeddedStore

    s = EmbeddedStore(tmp_path_factory.mktemp("mech") / "g.json.gz")
    load(s, collect())
    return s


@pytest.mark.parametrize("source, target, nodes, sign, why", CHAINS, ids=[c[0] + "->" + c[1] for c in CHAINS])
def test_cited_chain_is_walked_in_the_top_10(store, source, target, nodes, sign, why):
    res = find_paths(store, source, target, k=10, max_hops=len(nodes) - 1)
    hit = [p for p in res.paths if p.nodes == nodes]
    assert hit, f"{why}\n top 10: {[p.nodes for p in res.paths]}"
    assert hit[0].sign == sign


@pytest.mark.parametrize("source, target", PAIRS)
def test_module_pair_is_connected_through_genes(store, source, target):
    res = find_paths(store, source, target, k=10)
    assert res.paths, f"{source} -> {target}: no path"
    cats = {n: d.get("category") for n, d in store.nodes(sorted({n for p in res.paths for n in p.nodes})).items()}
    # a gene, or a complex/family of genes (integrin a5b1, the MMPs), between the two ends
    gene_inner = [p for p in res.paths if any(cats.get(n) in ("gene", "gene_group") for n in p.nodes[1:-1])]
    assert bool(gene_inner) == ((source, target) not in NO_GENE_INTERMEDIATE), [p.nodes for p in res.paths]


def test_integrin_signalling_to_resorption_runs_through_integrins_and_matrix_enzymes(store):
    res = find_paths(store, "Integrin signalling", "NP resorption", k=10, expect="increases")
    names = {n: d["name"] for n, d in store.nodes(sorted({n for p in res.paths for n in p.nodes})).items()}
    consistent = [p for p in res.paths if p.consistent]
    assert consistent
    best = consistent[0]
    assert any(names[n].startswith(("ITG", "α5β1", "integrin")) or n.startswith("KGGROUP:ITG") for n in best.nodes)
    assert any(names[n].startswith(("MMP", "ADAMTS")) for n in best.nodes)


def test_contested_relations_are_counted_and_both_sides_shown(store):
    from kg.query.explain import explain

    contested = [e for e in store.iter_edges() if e.get("contested_with")]
    assert len(contested) > 0
    e = contested[0]
    other = store.evidence(e["contested_with"])
    assert all(v["sign"] == -e["sign"] for vs in other.values() for v in vs if v.get("sign"))
    res = find_paths(store, e["subject"], e["object"], k=10, max_hops=1)
    answer = explain(store, res)
    hop = next(h for p in answer["paths"] for h in p["edges"] if h["key"] == e["key"])
    assert hop["contested"] and hop["evidence_against"] and hop["contested_with"] == e["contested_with"]


def test_memberships_cite_the_module_definition_not_papers(store):
    mmp3 = [e for e in store.edges_of(["HGNC:7173"], "out") if e["predicate"] == "member_of"
            and e["object"] == "MODULE:matrix_degradation"]
    assert mmp3 and mmp3[0]["n_papers"] == 0 and mmp3[0]["belief"] < 0.96  # was 0.99 from 6 copied papers
    ev = store.evidence([mmp3[0]["key"]])[mmp3[0]["key"]]
    # the curator's definition and the gene's own GO annotation; never the module's key papers
    cites = {v["citation"] for v in ev}
    assert "ontology/modules.yaml" in cites and "GO:0022617" in cites
    assert all(c == "ontology/modules.yaml" or c.startswith("GO:") for c in cites)
    assert all(v["text"].startswith(("Curator's module definition", "GO annotation: MMP3")) for v in ev)


def test_ri_ldh_is_made_of_its_procedures_and_outcomes(store):
    members = {e["subject"] for e in store.edges_of(["MODULE:ri_ldh"], "in") if e["predicate"] == "member_of"}
    assert {"KGV:ri_ldh", "KGV:canal_decompression", "KGV:bony_reconstruction",
            "KGV:induced_hernia_resorption"} <= members
    # the same parts link it to Decompression and to Bone bioactive factors
    dec = {e["subject"] for e in store.edges_of(["MODULE:decompression"], "in") if e["predicate"] == "member_of"}
    bone = {e["subject"] for e in store.edges_of(["MODULE:bone_bioactive_factors"], "in")
            if e["predicate"] == "member_of"}
    assert "KGV:canal_decompression" in dec and "KGV:bony_reconstruction" in bone


def test_every_other_module_has_at_least_15_member_genes_each_with_its_own_evidence(store):
    for m in store.iter_nodes():
        if m["category"] != "mechanism_module" or m["id"] == "MODULE:ri_ldh":
            continue
        ins = [e for e in store.edges_of([m["id"]], "in") if e["predicate"] == "member_of"]
        genes = [e for e in ins if store.node(e["subject"])["category"] == "gene"]
        assert len(genes) >= 15, m["name"]
        ev = store.evidence([e["key"] for e in genes])
        for e in genes:  # the curator's definition or the gene's GO annotation, never copied papers
            assert all(v["citation"] == "ontology/modules.yaml" or v["citation"].startswith("GO:")
                       for v in ev[e["key"]]), (m["name"], e["subject"])
