"""The np-mt-rnm nucleus pulposus mechanotransduction network: labels, signs, groups, reconciling counts."""
from __future__ import annotations

import csv
import dataclasses
import json
import re

import pytest

from ingest.hgnc import default_resolver
from ingest.np_mt_rnm import CITATION, KNOWN_BLOBS, git_blob_sha1, primary_table_edges, read_label_table, read_np_mt_rnm
from kg.datapack import datapack_path
from tests.helpers import shared_data

PACK = datapack_path("networks", "np_mt_rnm", "network.json")


@pytest.fixture(scope="module")
def load():
    return read_np_mt_rnm(PACK, default_resolver())


@pytest.fixture(scope="module")
def model():
    return json.loads(PACK.read_text(encoding="utf-8"))


def _hid(symbol: str) -> str:
    res = default_resolver().resolve(symbol)
    assert res.ok, symbol
    return res.hgnc_id


def _model_edge(model, source: str, target: str) -> int:
    """The sign the model file itself gives source -> target (the test reads it, it is not assumed)."""
    signs = [e["sign"] for e in model["edges"] if (e["source"], e["target"]) == (source, target)]
    assert len(signs) == 1, (source, target, signs)
    return signs[0]


def _edge(load, subject: str, obj: str, predicate: str):
    hits = [e for e in load.edges.values() if (e.subject, e.object, e.predicate) == (subject, obj, predicate)]
    assert len(hits) == 1, (subject, obj, predicate, hits)
    return hits[0]


def test_shipped_copies_are_the_upstream_bytes():
    assert git_blob_sha1(PACK.read_bytes()) in KNOWN_BLOBS
    shared = shared_data() / "networks" / "np_mt_rnm"
    for name in ("network.json", "LICENSE"):
        assert datapack_path("networks", "np_mt_rnm", name).read_bytes() == (shared / name).read_bytes(), name


def test_network_json_is_the_models_primary_table():
    """network.json carries exactly the edges of the model's own table MT_PRIMARY4_1.xlsx."""
    xlsx = shared_data() / "networks" / "np_mt_rnm" / "MT_PRIMARY4_1.xlsx"
    model = json.loads(PACK.read_text(encoding="utf-8"))
    assert primary_table_edges(xlsx) == {(e["source"], e["target"], e["sign"]) for e in model["edges"]}


def test_model_files_name_no_paper_so_the_repository_is_cited(load):
    """The evidence cites the repository because model.xml names no PMID or DOI; if it ever does, use them."""
    xml = (shared_data() / "networks" / "np_mt_rnm" / "model.xml").read_text(encoding="utf-8")
    assert not re.search(r"pubmed|PMID|doi\.org|\bdoi:|identifiers\.org/(pubmed|doi)", xml, re.I)
    edge_ev = [v for v in load.evidence.values() if "model edge" in v.text]
    assert edge_ev and {v.citation for v in edge_ev} == {CITATION}
    assert all(v.citation == CITATION for v in load.evidence.values())


def test_counts_reconcile_and_unmapped_labels_are_reported(load, model):
    r = load.report
    table = read_label_table()
    assert r.read == len(model["edges"]) and r.reconciles() and r.rejected == []
    # every model label is in the table; what the table marks unmapped is exactly what the report lists
    labels = {n["id"] for n in model["nodes"]}
    assert labels <= set(table)
    unmapped = {lab for lab in labels if table[lab].kind == "unmapped"}
    touching = [e for e in model["edges"] if e["source"] in unmapped or e["target"] in unmapped]
    assert r.unmapped_rows == len(touching) and r.loaded == len(model["edges"]) - len(touching)
    assert set(r.unmapped) == unmapped
    m = load.params["mapping"]
    assert set(m["unmapped"]) == unmapped and m["labels"] == len(labels)
    assert m["rate"] == round((len(labels) - len(unmapped)) / len(labels), 4) and m["rate"] > 0.95
    assert m["approved_symbol_fallback"] == []  # every label went through the table


def test_real_edges_keep_their_sign(load, model):
    integrin, ptk2 = "KGGROUP:ITGA5+ITGB1", _hid("PTK2")
    # integrin alpha5beta1 (fibronectin-bound) activates FAK (PTK2)
    assert _model_edge(model, "α5β1-FN", "FAK-M") == 1
    assert _edge(load, integrin, ptk2, "activates").sign == 1
    # SOX9 inhibits MMP13; NF-kB (the family group) activates MMP13
    assert _model_edge(model, "SOX9", "MMP13") == -1
    assert _edge(load, _hid("SOX9"), _hid("MMP13"), "inhibits").sign == -1
    assert _model_edge(model, "NF-κB", "MMP13") == 1
    assert _edge(load, "KGGROUP:NFKB1+NFKB2+REL+RELA+RELB", _hid("MMP13"), "activates").sign == 1
    # loading inputs: hyper-loading activates PIEZO1, hypo-loading inhibits it
    assert _model_edge(model, "HL", "PIEZO1") == 1 and _model_edge(model, "Hypo", "PIEZO1") == -1
    assert _edge(load, "KGV:mechanical_overload", _hid("PIEZO1"), "activates").sign == 1
    assert _edge(load, "KGV:hypo_loading", _hid("PIEZO1"), "inhibits").sign == -1
    # every loaded model edge kept the model's sign
    by_label = {(e["source"], e["target"]): e["sign"] for e in model["edges"]}
    for v in load.evidence.values():
        ctx = dict(v.context)
        if "source_label" in ctx:
            assert v.sign == by_label[(ctx["source_label"], ctx["target_label"])]


def test_loading_inputs_are_vocabulary_terms(load):
    """HL, NL and Hypo become the project vocabulary's terms, named as the vocabulary names them."""
    from ingest.grounding import read_vocabulary

    vocab = read_vocabulary()
    table = read_label_table()
    for label in ("HL", "NL", "Hypo"):
        cid = table[label].target_ids[0]
        assert cid in vocab and vocab[cid].category == "mechanical_stimulus", label
        node = load.nodes[cid]
        assert (node.category, node.name) == ("mechanical_stimulus", vocab[cid].label), label
    assert vocab[table["HL"].target_ids[0]].label == "mechanical overload"


def test_a_label_pointing_outside_the_vocabulary_stays_unmapped(tmp_path):
    table = read_label_table()
    table["HL"] = dataclasses.replace(table["HL"], target_ids=("KGV:no_such_term",))
    p = tmp_path / "n.json"
    p.write_text(json.dumps({"nodes": [{"id": "HL"}, {"id": "PIEZO1"}],
                             "edges": [{"source": "HL", "target": "PIEZO1", "sign": 1}]}), encoding="utf-8")
    sl = read_np_mt_rnm(p, default_resolver(), labels=table)
    assert dict(sl.report.unmapped) == {"HL": 1} and sl.report.loaded == 0 and sl.report.reconciles()
    assert sl.params["mapping"]["unmapped"]["HL"] == "KGV:no_such_term is not a term of ontology/vocabulary.yaml"


def test_group_labels_expand_to_member_genes(load):
    members = {}
    for e in load.edges.values():
        if e.predicate == "member_of":
            members.setdefault(e.object, set()).add(e.subject)
    assert members["KGGROUP:ADAMTS4+ADAMTS5"] == {_hid("ADAMTS4"), _hid("ADAMTS5")}
    assert load.nodes["KGGROUP:ADAMTS4+ADAMTS5"].name == "ADAMTS4/5"
    ap1 = next(n for n in load.nodes.values() if n.category == "gene_group" and n.name == "AP-1")
    assert {_hid("JUN"), _hid("FOS")} <= members[ap1.id]
    # MST1/2 are the Hippo kinases STK4/STK3, not the HGNC gene MST1
    mst = next(n for n in load.nodes.values() if n.name == "MST1/2")
    assert members[mst.id] == {_hid("STK4"), _hid("STK3")} and _hid("MST1") not in members[mst.id]
    # each membership has its own evidence, saying it is the project's mapping
    ev_keys = {v.edge_key for v in load.evidence.values() if "label table" in v.text}
    assert all(e.key in ev_keys for e in load.edges.values() if e.predicate == "member_of")


def test_state_suffixes_are_context_on_the_same_gene(load, model):
    akt1 = _hid("AKT1")
    assert not any(n.name in ("AKT1-E", "AKT1-M") for n in load.nodes.values())
    assert _model_edge(model, "FAK-E", "PI3K-E") == 1 and _model_edge(model, "FAK-M", "PI3K-M") == 1
    pi3k = next(n.id for n in load.nodes.values() if n.name in ("PI3K-E", "PI3K-M"))
    e = _edge(load, _hid("PTK2"), pi3k, "activates")
    states = {dict(v.context).get("source_state") for v in load.evidence.values() if v.edge_key == e.key}
    assert states == {"E", "M"}
    assert any(e.subject == akt1 or e.object == akt1 for e in load.edges.values())


def test_resolver_aliases_are_not_taken_for_model_labels(load):
    """Alone, the resolver turns ROS into ROS1, DAG into DAG1, CaN into NUP214: the table prevents it."""
    res = default_resolver()
    for label in ("ROS", "DAG", "CaN"):
        hit = res.resolve(label)
        assert hit.ok and hit.status == "alias", label  # the trap exists...
        assert hit.hgnc_id not in load.nodes, label     # ...and the reader does not fall in
    assert load.nodes["KG:reactive_oxygen_species"].category == "chemical"
    assert load.nodes["GO:0097345"].category == "biological_process"  # MOMP


def test_evidence_keeps_the_model_labels_and_context(load):
    e = _edge(load, _hid("SOX9"), _hid("MMP13"), "inhibits")
    ev = [v for v in load.evidence.values() if v.edge_key == e.key]
    assert len(ev) == 1
    assert ev[0].text == "np-mt-rnm model edge (not a quotation of a paper): SOX9 inhibits MMP13."
    ctx = dict(ev[0].context)
    assert ctx["cell_type"] == "nucleus pulposus cell" and ctx["condition"] == "mechanical loading"
    assert ctx["design"] == "database" and ctx["cell_type_id"] == "CL:0002564"
    assert load.provenance.version.startswith("SpineView1/np-mt-rnm@7a828049")


def test_label_table_ids_match_hgnc():
    res = default_resolver()
    table = read_label_table()
    newer = {}
    try:
        path = shared_data() / "orthologs" / "hgnc_entries.tsv"
        with path.open(encoding="utf-8", newline="") as fh:
            newer = {r["HGNC ID"]: r["Approved symbol"] for r in csv.DictReader(fh, delimiter="\t")}
    except pytest.skip.Exception:
        pass
    for lm in table.values():
        if lm.kind not in ("gene", "group"):
            continue
        for hid, sym in zip(lm.target_ids, lm.target_symbols):
            assert hid in res.genes and res.genes[hid].symbol == sym, (lm.label, hid, sym)
            if newer:
                assert newer.get(hid) == sym, (lm.label, hid, sym, newer.get(hid))


def test_bad_edges_are_rejected_with_file_and_element(tmp_path):
    net = {"nodes": [{"id": x} for x in ("TNF", "MMP3", "NutD", "SOX9")],
           "edges": [{"source": "TNF", "target": "MMP3", "sign": 1},
                     {"source": "TNF", "target": "MMP3", "sign": 2},
                     {"source": "TNF", "sign": 1},
                     {"source": "TNF", "target": "IL99", "sign": -1},
                     {"source": "NutD", "target": "MMP3", "sign": 1},
                     {"source": "SOX9", "target": "MMP3", "sign": -1}]}
    p = tmp_path / "bad.json"
    p.write_text(json.dumps(net, indent=1, ensure_ascii=False), encoding="utf-8")
    sl = read_np_mt_rnm(p, default_resolver())
    r = sl.report
    assert [str(x) for x in r.rejected] == [
        "bad.json:edges[1]: sign 2 is not 1 (activation) or -1 (inhibition)",
        "bad.json:edges[2]: edge needs string 'source' and 'target'",
        "bad.json:edges[3]: edge names 'IL99', not in the file's node list"]
    assert dict(r.unmapped) == {"NutD": 1} and r.loaded == 2 and r.read == 6 and r.reconciles()
    assert sl.provenance.version == "bad.json"  # not the known upstream blob


def test_truncated_json_is_rejected_at_its_line(tmp_path):
    p = tmp_path / "cut.json"
    text = json.dumps({"nodes": [{"id": "TNF"}], "edges": [{"source": "TNF", "target": "TNF", "sign": 1}]}, indent=1)
    p.write_text(text[: text.rindex("sign")], encoding="utf-8")
    r = read_np_mt_rnm(p, default_resolver()).report
    assert len(r.rejected) == 1 and r.rejected[0].where == f"cut.json:{text[: text.rindex('sign')].count(chr(10)) + 1}"
    assert r.rejected[0].reason.startswith("not JSON") and r.reconciles()


def test_shipped_files_are_attributed():
    text = datapack_path("ATTRIBUTION.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `networks/np_mt_rnm/network.json`"))
    assert "SpineView1/np-mt-rnm" in row and KNOWN_BLOBS and next(iter(KNOWN_BLOBS)) in row and "MIT" in row
    assert "`networks/np_mt_rnm_labels.tsv`" in text
    assert datapack_path("networks", "np_mt_rnm", "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
