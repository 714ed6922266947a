"""The full profile on both stores: identical stats, signed WikiPathways edges checked against the
GPML source, modules reaching their genes through real pathway data, DEG round trip, versions.

The fixture builds the full profile once per store from a copy of ../shared/data in which the
large gene-set files keep their first lines (and every Reactome pathway a module names), so the
test stays fast; the whole data set is built by ``bench/full_profile_bench.py``.
"""
from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ingest.hgnc import default_resolver
from ingest.reactome import read_reactome_gmt
from ingest.wikipathways import ARROWS
from kg.pipeline.build import collect
from kg.pipeline.experiments import deg_genes_by_module, ingest_gene_file
from kg.pipeline.load import BuildError, load
from kg.query.resolve import resolve_entity
from ontology import load_ontology
from tests.helpers import shared_data
from tests.store_fixtures import STORES, make_store

KEEP_LINES = 60
GPML_WPS = ("WP306", "WP185", "WP560", "WP1425", "WP129")


def _trimmed_shared(src: Path, dst: Path) -> Path:
    """Every file of the full profile; big GMT/TSV files cut to their first lines (+ module pathways),
    the HGNC table kept whole."""
    module_react = {t["id"].split(":", 1)[1] for m in load_ontology().modules.values() for t in m.reactome_pathways}
    for p in sorted(src.rglob("*")):
        if not p.is_file() or p.suffix in (".md", ".obo", ".xml", ".json") or "pubmed" in p.parts or "corpora" in p.parts:
            continue
        out = dst / p.relative_to(src)
        out.parent.mkdir(parents=True, exist_ok=True)
        if (p.suffix == ".gpml" or p.name.startswith("signor") or p.name.startswith("ReactomePathwaysRelation")
                or "orthologs" in p.parts):  # the HGNC table the full profile resolves genes with, whole
            out.symlink_to(p)
            continue
        raw = gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()
        lines = raw.split(b"\n")
        keep = lines[:KEEP_LINES * 40 if p.suffix == ".tsv" else KEEP_LINES]
        if p.name.startswith("ReactomePathways_"):
            keep += [ln for ln in lines[KEEP_LINES:] if ln.split(b"\t")[1:2] and ln.split(b"\t")[1].decode() in module_react]
        data = b"\n".join(k for k in keep if k) + b"\n"
        out.write_bytes(gzip.compress(data, mtime=0) if p.suffix == ".gz" else data)
    return dst


@pytest.fixture(scope="module")
def full(request, tmp_path_factory):
    """{store kind: store} each holding the full profile (built once per store)."""
    shared = _trimmed_shared(shared_data(), tmp_path_factory.mktemp("shared"))
    loads = collect("full", shared)
    stores, reports = {}, {}
    for kind in STORES:
        store = make_store(kind, tmp_path_factory.mktemp(f"full-{kind}"), request)
        reports[kind] = load(store, loads)
        stores[kind] = store
    yield {"stores": stores, "reports": reports, "loads": loads, "shared": shared}
    for s in stores.values():
        s.close()


def test_full_profile_has_every_source_family_and_identical_stats(full):
    sources = {sl.report.source.split(":")[0] for sl in full["loads"]}
    assert {"reactome", "wikipathways", "go", "omnipath", "signor", "curated", "curated_modules"} <= sources
    names = {sl.report.source for sl in full["loads"]}
    assert {f"wikipathways:{wp}.gpml" for wp in GPML_WPS} <= names
    assert all(sl.report.reconciles() for sl in full["loads"])
    emb, neo = (full["stores"][k].stats() for k in STORES)
    assert emb == neo
    assert emb["by_category"]["pathway"] > 100 and emb["by_category"]["biological_process"] > 100
    assert emb["by_predicate"]["inhibits"] > 100
    # unmapped symbols are listed per source in the report
    rep = full["reports"]["embedded"].to_dict()
    go = next(s for s in rep["sources"] if s["source"].startswith("reactome:ReactomePathways"))
    assert go["unmapped_symbols"] and go["unmapped_rows"] == sum(go["unmapped_symbols"].values())


def _gpml_arrows(path: Path) -> list[tuple[str, str, str]]:
    """(source Entrez, target Entrez, arrowhead) of gene-to-gene arrows, read with ElementTree."""
    root = ET.parse(path).getroot()
    ns = {"g": root.tag[1:].split("}")[0]}
    entrez = {}
    for dn in root.findall("g:DataNode", ns):
        x = dn.find("g:Xref", ns)
        if x is not None and x.get("Database") == "Entrez Gene" and x.get("ID"):
            entrez[dn.get("GraphId")] = x.get("ID")
    out = []
    for it in root.findall("g:Interaction", ns):
        pts = it.findall("g:Graphics/g:Point", ns)
        if len(pts) < 2:
            continue
        a, b, head = pts[0].get("GraphRef"), pts[-1].get("GraphRef"), pts[-1].get("ArrowHead")
        if a in entrez and b in entrez and entrez[a] != entrez[b] and head in ARROWS:
            out.append((entrez[a], entrez[b], head))
    return out


@pytest.mark.parametrize("kind", STORES)
def test_signed_gpml_edges_are_in_the_graph_with_their_sign(full, kind):
    store, r = full["stores"][kind], default_resolver()
    gdir = full["shared"] / "wikipathways" / "gpml"
    checked = 0
    for wp in GPML_WPS:
        arrows = _gpml_arrows(gdir / f"{wp}.gpml")
        for a, b, head in arrows[:5]:
            s, o = r.by_entrez(a), r.by_entrez(b)
            if not (s and o):
                continue
            pred, sign = ARROWS[head]
            hits = [e for e in store.edges_of([s], "out") if e["object"] == o and e["predicate"] == pred]
            assert hits and hits[0]["sign"] == sign, (wp, a, b, head)
            ev = store.evidence([hits[0]["key"]])[hits[0]["key"]]
            assert any(v["source"] == "wikipathways" and v["citation"] == f"WP:{wp}" for v in ev)
            checked += 1
        members = {e["subject"] for e in store.edges_of([f"WP:{wp}"], "in") if e["predicate"] == "member_of"}
        assert members, wp
    assert checked >= 10
    # WP129 (matrix metalloproteinases) draws no interactions: its genes are members only
    assert _gpml_arrows(gdir / "WP129.gpml") == []
    mmp3 = r.resolve("MMP3").hgnc_id
    assert any(e["object"] == "WP:WP129" for e in store.edges_of([mmp3], "out"))


def _via_pathways(store, module: str) -> dict[str, set[str]]:
    """gene id -> non-curated pathway/GO ids through which it is a member of ``module``."""
    out: dict[str, set[str]] = {}
    sets = [i for i in resolve_entity(store, module).ids() if not i.startswith("HGNC:")]
    for e in store.edges_of(sets, "in"):
        if e["predicate"] == "member_of" and e["subject"].startswith("HGNC:"):
            ev = store.evidence([e["key"]])[e["key"]]
            if any(v["source"] not in ("curated_modules", "ontology") for v in ev):
                out.setdefault(e["subject"], set()).add(e["object"])
    return out


@pytest.mark.parametrize("kind", STORES)
def test_modules_reach_their_genes_through_real_pathway_data(full, kind):
    store, r = full["stores"][kind], default_resolver()
    g = {s: r.resolve(s).hgnc_id for s in ("ITGB1", "PTK2", "RHOA", "MMP3", "MMP13", "ADAMTS5")}
    matrix = _via_pathways(store, "Matrix degradation")
    for s in ("MMP3", "MMP13", "ADAMTS5"):
        assert "REACT:R-HSA-1474228" in matrix[g[s]], s
    integrin = _via_pathways(store, "Integrin signalling")
    assert "REACT:R-HSA-216083" in integrin[g["ITGB1"]]
    # PTK2 and RHOA are reached from the integrin pathway genes by signed pathway/network edges
    frontier, seen = set(integrin), set(integrin)
    for _ in range(2):
        nxt = {e["object"] for e in store.edges_of(frontier, "out") if e["predicate"] in ("activates", "inhibits")
               and e["object"].startswith("HGNC:")}
        frontier = nxt - seen
        seen |= nxt
    assert g["PTK2"] in seen and g["RHOA"] in seen


DEG = (b"gene_symbol\tbaseMean\tlog2FoldChange\tpvalue\tpadj\n"
       b"MMP3\t900\t3.1\t1e-9\t1e-7\nADAMTS5\t300\t1.4\t1e-4\t0.002\nTIMP3\t500\t-1.2\t1e-3\t0.01\n"
       b"ITGB1\t800\t0.6\t0.02\t0.08\nNOTAGENE7\t5\t1\t0.5\t0.9\n")


@pytest.mark.parametrize("kind", STORES)
def test_deg_table_round_trips_and_reingest_changes_nothing(full, kind, tmp_path):
    store, r = full["stores"][kind], default_resolver()
    p = tmp_path / "np_deg.tsv"
    p.write_bytes(DEG)
    report, exp_id = ingest_gene_file(store, p, "herniated vs contained NP")
    assert report.sources[0]["unmapped_symbols"] == {"NOTAGENE7": 1}
    measured = {e["subject"]: e for e in store.edges_of([exp_id], "in") if e["predicate"] == "measured_in"}
    mmp3, timp3 = r.resolve("MMP3").hgnc_id, r.resolve("TIMP3").hgnc_id
    assert measured[mmp3]["sign"] == 1 and measured[mmp3]["log2fc"] == 3.1 and measured[mmp3]["padj"] == 1e-7
    assert measured[timp3]["sign"] == -1 and len(measured) == 4
    assert store.node(exp_id)["category"] == "experiment"
    by_module = deg_genes_by_module(store, exp_id)
    assert by_module["Matrix degradation"][0] == ("MMP3", 1, 3.1, 1e-7)
    assert ("TIMP3", -1, -1.2, 0.01) in by_module["Matrix degradation"]
    assert any(row[0] == "ITGB1" for row in by_module["Integrin signalling"])
    before = store.stats()
    again, exp_again = ingest_gene_file(store, p, "herniated vs contained NP")
    assert exp_again == exp_id and store.stats() == before
    bad = tmp_path / "bad.tsv"
    bad.write_bytes(DEG + b"COL2A1\t1\tnot-a-number\t0.1\t0.2\n")
    with pytest.raises(BuildError, match=r"bad.tsv:7: log2FoldChange 'not-a-number' is not a number"):
        ingest_gene_file(store, bad, "strict one", strict=True)
    assert store.stats() == before


@pytest.mark.parametrize("kind", STORES)
def test_newer_source_version_keeps_history_and_reload_is_idempotent(full, kind):
    store = full["stores"][kind]
    gmt = b"Toy pathway\tR-HSA-990001\tMMP3\tTIMP1\n"
    v1 = read_reactome_gmt(gmt, default_resolver(), name="toy.gmt", version="toy-v1")
    load(store, [v1])
    before = store.stats()
    load(store, [read_reactome_gmt(gmt, default_resolver(), name="toy.gmt", version="toy-v1")])
    assert store.stats() == before
    load(store, [read_reactome_gmt(gmt + b"Toy 2\tR-HSA-990002\tMMP13\n", default_resolver(), name="toy.gmt",
                                   version="toy-v2")])
    versions = {p["version"] for p in store.provenance() if p["source"] == "reactome"}
    assert {"toy-v1", "toy-v2", "2024-09-18"} <= versions
    assert store.node("REACT:R-HSA-990002") is not None


FULL_QUERIES = [
    ("Decompression", "NP resorption", {"expect": "increases"}),
    ("Bone bioactive factors", "Matrix degradation", {"expect": "increases"}),
    ("Integrin signalling", "Matrix degradation", {}),
    ("TGFB1", "MMP3", {"max_hops": 3}),
    ("IL1B", "ACAN", {"max_hops": 3, "undirected": True}),
    ("Inflammation", "NP resorption", {"min_belief": 0.5, "k": 5}),
]


@pytest.mark.parametrize("source,target,options", FULL_QUERIES)
def test_full_profile_paths_are_identical_on_both_stores(full, source, target, options):
    from kg.query.explain import explain
    from kg.query.paths import find_paths

    answers = []
    for kind in STORES:
        store = full["stores"][kind]
        answer = explain(store, find_paths(store, source, target, **options))
        answer.pop("store")
        answers.append(answer)
    assert answers[0] == answers[1]
    assert answers[0]["paths"], f"no path {source} -> {target} on the full profile"
    for path in answers[0]["paths"]:
        assert all(hop["evidence"] for hop in path["edges"]), path["summary"]
