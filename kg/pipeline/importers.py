"""Read our own exports back (:mod:`kg.query.export`) and load them into a store: the round trip.

Example::

    sub = read_export("kgx", Path("out/"))
    load_subgraph(EmbeddedStore("copy.json.gz"), sub)
"""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import networkx as nx

from kg.records.exchange import ARRAY_DELIMITER, EDGE_BASE, FORMATS, NODE_BASE, SINGLE_FILE, ExportError, Subgraph
from kg.records.model import Provenance, edge_from_dict, evidence_from_dict, node_from_dict
from kg.store.base import Store


def _files(fmt: str, source: Path | bytes | dict[str, bytes]) -> dict[str, bytes]:
    """File name -> bytes from a dict, a zip (bytes or path), a directory or a single file."""
    if isinstance(source, dict):
        return source
    if isinstance(source, bytes):
        if source[:2] == b"PK":
            with zipfile.ZipFile(io.BytesIO(source)) as z:
                return {n: z.read(n) for n in z.namelist()}
        return {SINGLE_FILE.get(fmt, "data"): source}
    p = Path(source)
    if p.is_dir():
        return {f.name: f.read_bytes() for f in sorted(p.iterdir()) if f.is_file() and not f.name.startswith(".")}
    return _files(fmt, p.read_bytes())


def _list(s: str) -> list[str]:
    return s.split(ARRAY_DELIMITER) if s else []


def _rows(data: bytes, delimiter: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8")), delimiter=delimiter))


def _num(s: str, kind=float):
    return kind(s) if s != "" else None


def _bool(s: str) -> bool | None:
    return {"true": True, "false": False}.get(s.lower()) if s else None


def _extra(s: str) -> dict[str, Any]:
    return json.loads(s) if s else {}


def from_graphml(files: dict[str, bytes]) -> Subgraph:
    # edge keys are hex hashes: an all-digit one must stay a string (networkx casts keys to int by default)
    G = nx.read_graphml(io.BytesIO(files[SINGLE_FILE["graphml"]]), force_multigraph=True, edge_key_type=str)
    meta = json.loads(G.graph["kg_meta"])
    n_lists, n_json = set(_list(G.graph.get("kg_node_lists", ""))), set(_list(G.graph.get("kg_node_json", "")))
    e_lists, e_json = set(_list(G.graph.get("kg_edge_lists", ""))), set(_list(G.graph.get("kg_edge_json", "")))

    def unflatten(d: dict[str, Any], lists: set[str], dicts: set[str]) -> dict[str, Any]:
        return {k: _list(v) if k in lists else json.loads(v) if k in dicts else v for k, v in d.items()}

    nodes = [{"id": n, **unflatten(d, n_lists, n_json)} for n, d in G.nodes(data=True)]
    edges = []
    for s, o, k, d in G.edges(keys=True, data=True):
        row = unflatten(d, e_lists, e_json)
        row.pop("publications", None)
        edges.append({"key": k, "subject": s, "object": o, **row})
    return Subgraph(nodes, edges, [], meta)


def from_cytoscape(files: dict[str, bytes]) -> Subgraph:
    doc = json.loads(files[SINGLE_FILE["cytoscape"]])
    nodes = [dict(n["data"]) for n in doc["elements"]["nodes"]]
    edges, evidence = [], []
    for el in doc["elements"]["edges"]:
        d = dict(el["data"])
        evidence += d.pop("evidence", [])
        for k in ("id", "source", "target"):
            d.pop(k, None)
        edges.append(d)
    return Subgraph(nodes, edges, evidence, doc["data"])


def from_kgx(files: dict[str, bytes]) -> Subgraph:
    nodes = [{"id": r["id"], "category": r["ldh_category"], "name": r["name"], "synonyms": _list(r["synonym"]),
              "xrefs": _list(r["xref"]), "source": r["ldh_source"], **_extra(r["ldh_props"])}
             for r in _rows(files["nodes.tsv"], "\t")]
    edges = [{"key": r["id"], "subject": r["subject"], "predicate": r["ldh_predicate"], "object": r["object"],
              "sign": int(r["sign"]), "belief": _num(r["belief"]), "n_evidence": _num(r["n_evidence"], int),
              "n_papers": _num(r["n_papers"], int), "contested": _bool(r["contested"]),
              "sources": _list(r["ldh_sources"]), "species": _list(r["species"]), "designs": _list(r["designs"]),
              **_extra(r["ldh_props"])} for r in _rows(files["edges.tsv"], "\t")]
    return Subgraph(nodes, edges, [], json.loads(files["meta.json"]))


def from_neo4j_csv(files: dict[str, bytes]) -> Subgraph:
    nodes = [{"id": r["id:ID"], "category": r["category"], "name": r["name"], "source": r["source"],
              "synonyms": _list(r["synonyms:string[]"]), "xrefs": _list(r["xrefs:string[]"]), **_extra(r["props"])}
             for r in _rows(files["nodes.csv"], ",")]
    edges = [{"key": r["key"], "subject": r[":START_ID"], "predicate": r["predicate"], "object": r[":END_ID"],
              "sign": int(r["sign:int"]), "belief": _num(r["belief:double"]),
              "n_evidence": _num(r["n_evidence:int"], int), "n_papers": _num(r["n_papers:int"], int),
              "contested": _bool(r["contested:boolean"]), "sources": _list(r["sources:string[]"]),
              "species": _list(r["species:string[]"]), "designs": _list(r["designs:string[]"]), **_extra(r["props"])}
             for r in _rows(files["relationships.csv"], ",")]
    evidence = [{"key": r["key:ID"], "edge_key": r["edge_key"], "source": r["source"], "citation": r["citation"],
                 "text": r["text"], "offsets": [int(x) for x in _list(r["offsets:int[]"])] or None,
                 "extractor": r["extractor"], "context": json.loads(r["context"] or "{}"),
                 "flags": _list(r["flags:string[]"]), "sign": _num(r["sign:int"], int) or 0,
                 "year": _num(r["year:int"], int)} for r in _rows(files["evidence.csv"], ",")]
    return Subgraph(nodes, edges, evidence, json.loads(files["meta.json"]))


READERS = {"graphml": from_graphml, "cytoscape": from_cytoscape, "kgx": from_kgx, "neo4j-csv": from_neo4j_csv}


def read_export(fmt: str, source: Path | bytes | dict[str, bytes]) -> Subgraph:
    """Parse an export made by :mod:`kg.query.export` (a path, a zip, the bytes or a name -> bytes dict)."""
    if fmt not in READERS:
        raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    files = _files(fmt, source)
    try:
        sub = READERS[fmt](files)
    except KeyError as exc:
        raise ExportError(f"not a {fmt} export made by kg export: missing {exc}") from None
    sub.nodes.sort(key=lambda n: n["id"])
    sub.edges.sort(key=lambda e: e["key"])
    sub.evidence.sort(key=lambda v: (v["edge_key"], v["key"]))
    return sub


def load_subgraph(store: Store, sub: Subgraph) -> dict[str, int]:
    """Upsert the nodes, edges and evidence of an export and record the sources' provenance.

    Edge properties (belief, counts) are taken as exported, not recomputed, so formats without
    evidence records keep their evidence counts.
    """
    nodes = [node_from_dict({k: v for k, v in n.items() if v is not None}) for n in sub.nodes]
    edges = [edge_from_dict(e) for e in sub.edges]
    for e, row in zip(edges, sub.edges):
        if e.key != row["key"]:
            raise ExportError(f"edge {row['key']} does not match its subject/predicate/object")
    evidence = [evidence_from_dict(v) for v in sub.evidence]
    store.upsert(nodes, edges, evidence)
    # upsert counts evidence records; put back the exported counts and beliefs exactly
    store.set_edge_props({e["key"]: {k: e[k] for k in EDGE_BASE[5:] if k in e} for e in sub.edges})
    for p in sub.meta.get("provenance", []):
        prov = Provenance(p["source"], p["version"], p.get("licence", ""), p.get("retrieved_at", ""), p.get("url", ""))
        store.record_provenance(prov, p.get("counts") or {}, p.get("params") or {})
    store.flush()
    return {"nodes": len(nodes), "edges": len(edges), "evidence": len(evidence)}


__all__ = ["read_export", "load_subgraph", "READERS", "NODE_BASE"]
