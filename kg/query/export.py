"""Graph exports: GraphML (Cytoscape desktop, Gephi), Cytoscape.js JSON, KGX TSV and
``neo4j-admin database import`` CSV, of the whole graph or a subgraph.

Every export carries the graph version, the export parameters and the provenance of the
loaded sources, plus our own fields (predicate key, sign, belief, evidence count), so
:mod:`kg.pipeline.importers` can load it back unchanged. What each format carries:

========== ====================== =========================================================
format     files                  evidence
========== ====================== =========================================================
graphml    graph.graphml          counts and citations per edge (no evidence records)
cytoscape  graph.cyjs             every evidence record, inside its edge's data
kgx        nodes.tsv, edges.tsv   counts and ``publications`` per edge (no evidence records)
neo4j-csv  nodes.csv, …           every evidence record, as ``:Evidence`` nodes
========== ====================== =========================================================

Files are written to a temporary file beside the target and renamed, so a failed export
never leaves half a file. The same graph and parameters give the same bytes.

Example::

    export_subgraph(store, "cytoscape", ids=["HGNC:7173", "HGNC:11766"])   # -> bytes
"""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import zipfile
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import networkx as nx
import yaml

from kg.query.resolve import resolve_entity
from kg.records.exchange import ARRAY_DELIMITER, EDGE_BASE, FORMATS, NODE_BASE, SINGLE_FILE, ExportError, Subgraph
from kg.store.base import Store, umask_mode
from kg.store.version import graph_version
from ontology import CONFIG_DIR, load_ontology

CONFIG = CONFIG_DIR / "export.yaml"
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@lru_cache(maxsize=1)
def load_export_config() -> dict[str, Any]:
    return yaml.safe_load(CONFIG.read_text(encoding="utf-8"))


# -- choosing what to export -----------------------------------------------------------
def module_ids(store: Store, module: str) -> list[str]:
    """A module (or pathway) node and its members."""
    ep = resolve_entity(store, module)
    if not ep.is_set:
        raise ExportError(f"{module!r} is a {ep.category}, not a module or pathway with members")
    return sorted({ep.id, *ep.ids()})


def neighbourhood_ids(store: Store, entity: str, hops: int = 1) -> list[str]:
    """An entity (or a module's members) and everything within ``hops`` edges of it."""
    if not 1 <= hops <= 3:
        raise ExportError(f"--hops must be 1, 2 or 3, not {hops}")
    ep = resolve_entity(store, entity)
    seen = {ep.id, *ep.ids()}
    frontier = sorted(seen)
    for _ in range(hops):
        nxt = set()
        for e in store.edges_of(frontier, "both"):
            nxt |= {e["subject"], e["object"]} - seen
        seen |= nxt
        frontier = sorted(nxt)
    return sorted(seen)


def path_ids(answer: dict[str, Any]) -> list[str]:
    """The nodes of every path in a :func:`kg.query.explain.explain` answer."""
    return sorted({n["id"] for p in answer["paths"] for n in p["nodes"]})


def subgraph(store: Store, ids: Iterable[str] | None = None, params: dict[str, Any] | None = None) -> Subgraph:
    """The whole graph, or the given nodes with the edges among them and those edges' evidence."""
    if ids is None:
        nodes, edges, evidence = list(store.iter_nodes()), list(store.iter_edges()), list(store.iter_evidence())
    else:
        wanted = sorted(set(ids))
        found = store.nodes(wanted)
        missing = [i for i in wanted if i not in found]
        if missing:
            raise ExportError(f"{len(missing)} node(s) to export are not in the graph, e.g. {', '.join(missing[:5])}")
        nodes = [found[i] for i in wanted]
        keep = set(wanted)
        edges = [e for e in store.edges_of(wanted, "out") if e["object"] in keep]
        ev = store.evidence([e["key"] for e in edges])
        evidence = [v for k in sorted(ev) for v in ev[k]]
    nodes = sorted(nodes, key=lambda n: n["id"])
    edges = sorted(edges, key=lambda e: e["key"])
    evidence = sorted(evidence, key=lambda v: (v["edge_key"], v["key"]))
    meta = {"generator": "ldh-resorption-kg", "graph_version": graph_version(store), "params": params or {},
            "scope": "whole graph" if ids is None else "subgraph",
            "counts": {"nodes": len(nodes), "edges": len(edges), "evidence": len(evidence)},
            "provenance": store.provenance()}
    return Subgraph(nodes, edges, evidence, meta)


# -- shared helpers ----------------------------------------------------------------------
def _json(v: Any) -> str:
    return json.dumps(v, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _extra(row: dict[str, Any], base: Iterable[str]) -> str:
    extra = {k: v for k, v in sorted(row.items()) if k not in base and v is not None}
    return _json(extra) if extra else ""


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple)):
        return ARRAY_DELIMITER.join(str(x) for x in v)
    return repr(v) if isinstance(v, float) else str(v)


def _table(header: list[str], rows: Iterable[list[Any]], delimiter: str) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    w.writerow(header)
    for r in rows:
        w.writerow([_cell(v) for v in r])
    return buf.getvalue().encode("utf-8")


def _publications(evidence: list[dict[str, Any]]) -> dict[str, list[str]]:
    out: dict[str, set[str]] = {}
    for v in evidence:
        if v.get("citation"):
            out.setdefault(v["edge_key"], set()).add(v["citation"])
    return {k: sorted(v) for k, v in out.items()}


# -- GraphML -----------------------------------------------------------------------------
def _flatten(row: dict[str, Any], skip: Iterable[str] = ()) -> tuple[dict[str, Any], set[str], set[str]]:
    """GraphML values: lists joined with ``|``, dicts as JSON; returns (values, list keys, json keys)."""
    out: dict[str, Any] = {}
    lists: set[str] = set()
    dicts: set[str] = set()
    for k, v in row.items():
        if k in skip or v is None:
            continue
        if isinstance(v, (list, tuple)):
            out[k], lists = ARRAY_DELIMITER.join(str(x) for x in v), lists | {k}
        elif isinstance(v, dict):
            out[k], dicts = _json(v), dicts | {k}
        else:
            out[k] = v
    return out, lists, dicts


def to_graphml(sub: Subgraph) -> bytes:
    G = nx.MultiDiGraph()
    n_lists, n_dicts, e_lists, e_dicts = set(), set(), set(), set()
    for n in sub.nodes:
        vals, ls, ds = _flatten(n, skip=("id",))
        n_lists |= ls
        n_dicts |= ds
        G.add_node(n["id"], **vals)
    cites = _publications(sub.evidence)
    for e in sub.edges:
        vals, ls, ds = _flatten(e, skip=("key", "subject", "object"))
        e_lists |= ls
        e_dicts |= ds
        vals["publications"] = ARRAY_DELIMITER.join(cites.get(e["key"], []))
        G.add_edge(e["subject"], e["object"], key=e["key"], **vals)
    G.graph.update({"graph_version": sub.meta["graph_version"], "kg_meta": _json(sub.meta),
                    "kg_node_lists": "|".join(sorted(n_lists)), "kg_node_json": "|".join(sorted(n_dicts)),
                    "kg_edge_lists": "|".join(sorted(e_lists | {"publications"})),
                    "kg_edge_json": "|".join(sorted(e_dicts))})
    buf = io.BytesIO()
    nx.write_graphml(G, buf, encoding="utf-8", prettyprint=True, named_key_ids=True)
    return buf.getvalue()


# -- Cytoscape.js JSON -------------------------------------------------------------------
def to_cytoscape(sub: Subgraph) -> bytes:
    by_edge: dict[str, list[dict[str, Any]]] = {}
    for v in sub.evidence:
        by_edge.setdefault(v["edge_key"], []).append(v)
    doc = {"format_version": "1.0", "generated_by": "ldh-resorption-kg", "target_cytoscapejs_version": "~3.2",
           "data": sub.meta,
           "elements": {
               "nodes": [{"data": dict(n)} for n in sub.nodes],
               "edges": [{"data": {"id": e["key"], "source": e["subject"], "target": e["object"], **e,
                                   "evidence": by_edge.get(e["key"], [])}} for e in sub.edges]}}
    return (json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


# -- KGX TSV -----------------------------------------------------------------------------
KGX_NODE_COLUMNS = ["id", "category", "name", "synonym", "xref", "provided_by", "ldh_category", "ldh_source",
                    "ldh_props"]
KGX_EDGE_COLUMNS = ["id", "subject", "predicate", "object", "object_aspect_qualifier", "object_direction_qualifier",
                    "primary_knowledge_source", "aggregator_knowledge_source", "knowledge_level", "agent_type",
                    "publications", "ldh_predicate", "sign", "belief", "n_evidence", "n_papers", "contested",
                    "ldh_sources", "species", "designs", "ldh_props"]


def knowledge_source(sources: Iterable[str]) -> dict[str, str]:
    """Primary infores, knowledge level and agent type for an edge with evidence from ``sources``."""
    cfg = load_export_config()
    srcs = sorted(set(sources), key=lambda s: (cfg["priority"].index(s) if s in cfg["priority"] else 99, s))
    return dict(cfg["sources"].get(srcs[0], cfg["sources"]["default"]) if srcs else cfg["sources"]["default"])


def to_kgx(sub: Subgraph) -> dict[str, bytes]:
    onto = load_ontology()
    cfg = load_export_config()
    node_rows = []
    for n in sub.nodes:
        cat = onto.categories.get(n["category"])
        provided = cfg["sources"].get(n.get("source"), cfg["sources"]["default"])["infores"] if n.get("source") else ""
        node_rows.append([n["id"], cat.biolink if cat else "biolink:NamedThing", n.get("name", ""),
                          n.get("synonyms") or [], n.get("xrefs") or [], provided, n["category"],
                          n.get("source", ""), _extra(n, NODE_BASE)])
    cites = _publications(sub.evidence)
    edge_rows = []
    for e in sub.edges:
        pred = onto.predicates.get(e["predicate"])
        qual = dict(pred.qualifier) if pred else {}
        ks = knowledge_source(e.get("sources") or [])
        edge_rows.append([e["key"], e["subject"], pred.biolink if pred else "biolink:related_to", e["object"],
                          qual.get("object_aspect_qualifier", ""), qual.get("object_direction_qualifier", ""),
                          ks["infores"], "infores:ldh-kg", ks["knowledge_level"], ks["agent_type"],
                          cites.get(e["key"], []), e["predicate"], e.get("sign"), e.get("belief"),
                          e.get("n_evidence"), e.get("n_papers"), e.get("contested"), e.get("sources") or [],
                          e.get("species") or [], e.get("designs") or [], _extra(e, EDGE_BASE)])
    return {"nodes.tsv": _table(KGX_NODE_COLUMNS, node_rows, "\t"),
            "edges.tsv": _table(KGX_EDGE_COLUMNS, edge_rows, "\t"),
            "meta.json": (json.dumps(sub.meta, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode()}


# -- neo4j-admin CSV ---------------------------------------------------------------------
NEO4J_NODE_HEADER = ["id:ID", ":LABEL", "name", "category", "source", "synonyms:string[]", "xrefs:string[]", "props"]
NEO4J_REL_HEADER = [":START_ID", ":END_ID", ":TYPE", "key", "predicate", "sign:int", "belief:double",
                    "n_evidence:int", "n_papers:int", "contested:boolean", "sources:string[]", "species:string[]",
                    "designs:string[]", "props"]
NEO4J_EV_HEADER = ["key:ID", ":LABEL", "edge_key", "source", "citation", "text", "offsets:int[]", "extractor",
                   "context", "flags:string[]", "sign:int", "year:int"]
NEO4J_IMPORT = """#!/bin/sh
# Load this export into an EMPTY Neo4j 5 database (stop the server first), then start it.
# Evidence nodes carry edge_key; create the same index the kg store uses afterwards:
#   CREATE INDEX evidence_edge_key IF NOT EXISTS FOR (v:Evidence) ON (v.edge_key)
neo4j-admin database import full --overwrite-destination --array-delimiter='|' \\
  --nodes=nodes.csv --nodes=evidence.csv --relationships=relationships.csv neo4j
"""


def to_neo4j_csv(sub: Subgraph) -> dict[str, bytes]:
    onto = load_ontology()
    nodes = []
    for n in sub.nodes:
        cat = onto.categories.get(n["category"])
        labels = ["Entity"] + ([cat.label] if cat else [])
        nodes.append([n["id"], labels, n.get("name", ""), n["category"], n.get("source", ""),
                      n.get("synonyms") or [], n.get("xrefs") or [], _extra(n, NODE_BASE)])
    rels = []
    for e in sub.edges:
        pred = onto.predicates.get(e["predicate"])
        rels.append([e["subject"], e["object"], pred.label if pred else e["predicate"].upper(), e["key"],
                     e["predicate"], e.get("sign"), e.get("belief"), e.get("n_evidence"), e.get("n_papers"),
                     e.get("contested"), e.get("sources") or [], e.get("species") or [], e.get("designs") or [],
                     _extra(e, EDGE_BASE)])
    evs = [[v["key"], ["Evidence"], v["edge_key"], v["source"], v.get("citation", ""), v.get("text", ""),
            list(v["offsets"]) if v.get("offsets") else None, v.get("extractor", ""),
            _json(v.get("context") or {}), v.get("flags") or [], v.get("sign"), v.get("year")] for v in sub.evidence]
    return {"nodes.csv": _table(NEO4J_NODE_HEADER, nodes, ","),
            "relationships.csv": _table(NEO4J_REL_HEADER, rels, ","),
            "evidence.csv": _table(NEO4J_EV_HEADER, evs, ","),
            "meta.json": (json.dumps(sub.meta, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode(),
            "import.sh": NEO4J_IMPORT.encode()}


# -- rendering and writing ---------------------------------------------------------------


def render(sub: Subgraph, fmt: str) -> dict[str, bytes]:
    """File name -> bytes for one format."""
    if fmt == "graphml":
        return {SINGLE_FILE[fmt]: to_graphml(sub)}
    if fmt == "cytoscape":
        return {SINGLE_FILE[fmt]: to_cytoscape(sub)}
    if fmt == "kgx":
        return to_kgx(sub)
    if fmt == "neo4j-csv":
        return to_neo4j_csv(sub)
    raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """A zip of ``files`` with fixed timestamps (same files -> same bytes)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, files[name])
    return buf.getvalue()


def export_subgraph(store: Store, fmt: str, ids: Iterable[str] | None = None,
                    params: dict[str, Any] | None = None) -> bytes:
    """One export as bytes: the file itself (graphml, cytoscape) or a zip of the files (kgx, neo4j-csv)."""
    files = render(subgraph(store, ids, {"format": fmt, **(params or {})}), fmt)
    return next(iter(files.values())) if fmt in SINGLE_FILE else zip_bytes(files)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to a temp file beside ``path`` and rename it over ``path``."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as exc:
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, umask_mode())  # mkstemp makes 0600; an export is meant to be shared
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror or exc}") from None


def write_export(store: Store, fmt: str, out: str | Path, ids: Iterable[str] | None = None,
                 params: dict[str, Any] | None = None) -> list[Path]:
    """Write an export to ``out``: a file (graphml, cytoscape, or any format to ``*.zip``), or a
    directory for the multi-file formats. Everything is rendered before the first byte is written."""
    out = Path(out)
    if fmt not in FORMATS:
        raise ExportError(f"unknown export format {fmt!r} (choose from {', '.join(FORMATS)})")
    files = render(subgraph(store, ids, {"format": fmt, **(params or {})}), fmt)
    if out.suffix.lower() == ".zip":
        targets = {out: zip_bytes(files)}
    elif fmt in SINGLE_FILE:
        if out.is_dir():
            out = out / SINGLE_FILE[fmt]
        targets = {out: next(iter(files.values()))}
    else:
        if out.exists() and not out.is_dir():
            raise ExportError(f"{out} is a file; {fmt} writes several files: give a directory or a .zip path")
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ExportError(f"cannot create directory {out}: {exc.strerror or exc}") from None
        targets = {out / name: data for name, data in files.items()}
    for path in targets:
        if not path.parent.is_dir():
            raise ExportError(f"cannot write {path}: directory {path.parent} does not exist")
    for path, data in targets.items():
        write_atomic(path, data)
    return sorted(targets)
