"""Views of the graph for drawing and download: Cytoscape elements, module bridges, tables.

Pure functions over the Store protocol and the JSON path answer of :func:`kg.query.explain.explain`;
the app draws what they return, so it holds no graph logic of its own.

>>> answer = {"paths": [{"rank": 1, "nodes": [{"id": "A", "name": "a", "category": "gene"},
...           {"id": "B", "name": "b", "category": "gene"}], "edges": [{"key": "k", "subject": "A",
...           "object": "B", "predicate": "activates", "sign": 1, "belief": 0.8, "contested": False,
...           "subject_name": "a", "object_name": "b", "sentence": "a activates b.", "evidence": []}]}]}
>>> els = path_elements(answer)
>>> [n["data"]["id"] for n in els["nodes"]], els["edges"][0]["data"]["label"]
(['A', 'B'], 'ACTIVATES')
"""
from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from typing import Any, Iterable

import networkx as nx

from kg.store.base import Store
from ontology import category_label, predicate_label

SIGN_WORD = {1: "+", -1: "−", 0: "0"}
CONSISTENT_WORD = {True: "consistent", False: "inconsistent", None: "no expectation"}


def node_element(node: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """One Cytoscape node: ``label`` is the category label (used for styling), ``name`` the caption."""
    data = {"id": node["id"], "label": category_label(node.get("category", "")),
            "name": node.get("name") or node["id"], "category": node.get("category", "")}
    data.update({k: v for k, v in extra.items() if v is not None})
    return {"data": data}


def edge_element(edge: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """One Cytoscape edge from a store edge row or an explained hop."""
    data = {"id": edge.get("key") or f"{edge['subject']}|{edge['predicate']}|{edge['object']}",
            "source": edge["subject"], "target": edge["object"], "label": predicate_label(edge["predicate"]),
            "predicate": edge["predicate"], "sign": SIGN_WORD.get(int(edge.get("sign") or 0), "0"),
            "belief": edge.get("belief"), "contested": bool(edge.get("contested"))}
    data.update({k: v for k, v in extra.items() if v is not None})
    return {"data": data}


def path_elements(answer: dict[str, Any], ranks: Iterable[int] | None = None) -> dict[str, list]:
    """Cytoscape elements of the paths in a path answer (all, or only the given ranks).

    Module endpoints appear as nodes joined by their membership hops, so the drawing shows
    "Decompression ← member → … → member → Matrix degradation" just as the explanation reads.
    """
    keep = set(ranks) if ranks is not None else None
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[str, dict[str, Any]] = {}
    ends = {answer[s]["id"]: answer[s] for s in ("source", "target") if s in answer}
    for p in answer.get("paths", []):
        if keep is not None and p["rank"] not in keep:
            continue
        for n in p["nodes"]:
            nodes.setdefault(n["id"], node_element(n, modules=", ".join(n.get("modules") or []) or None))
        for h in p["edges"]:
            for end, name in ((h["subject"], h.get("subject_name")), (h["object"], h.get("object_name"))):
                if end not in nodes:  # a module or set endpoint, reached by a membership hop
                    side = ends.get(end, {})
                    nodes[end] = node_element({"id": end, "name": side.get("name") or name or end,
                                               "category": side.get("category", "")})
            if h["key"] not in edges:
                edges[h["key"]] = edge_element(h, paths=str(p["rank"]))
            else:
                edges[h["key"]]["data"]["paths"] += f",{p['rank']}"
    return {"nodes": list(nodes.values()), "edges": list(edges.values())}


def subgraph_elements(nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]]) -> dict[str, list]:
    """Elements for a set of store node rows and edge rows; edges whose ends are missing are dropped."""
    ns = {n["id"]: node_element(n) for n in nodes if n.get("id")}
    es = [edge_element(e) for e in edges if e.get("subject") in ns and e.get("object") in ns]
    return {"nodes": list(ns.values()), "edges": es}


# -- layouts: positions computed here, so what the browser shows is readable at any graph size ----
#: Width a node caption may take (``text-max-width`` in :func:`kg.surfaces.app.common.draw`).
LABEL_WIDTH = 110
#: Horizontal and vertical distance between node centres, and the height a node with a two-line
#: caption takes below its centre.
DX, DY, BELOW = 135, 92, 46
#: Room kept free at the sides (the drawing's info panel and zoom bar), above (its tool bar) and below.
MARGIN_X, MARGIN_TOP, MARGIN_BOTTOM = 50, 40, 16


def layered_layout(elements: dict[str, list], layers: dict[str, int], *, per_row: int = 3,
                   min_width: int = 400, min_height: int = 380, row_gap: float = DY) -> tuple[dict[str, list], int]:
    """Top-down positions for ``elements``: one band per layer, at most ``per_row`` nodes a row,
    rows ``row_gap`` apart (more when edge captions sit between them).

    Returns the elements with a ``position`` on every node plus two invisible corner nodes
    (``data._frame``) that span at least ``min_width`` x (canvas height - 10) and keep margins
    free, and the canvas height to draw them in. The drawing fits its bounding box to the canvas, so a two-node path
    is shown at about 1:1 instead of being blown up until its captions overlap and clip; a long
    one gets a taller canvas rather than smaller captions. Nodes missing from ``layers`` go last.

    >>> els = {"nodes": [{"data": {"id": i}} for i in "abc"], "edges": []}
    >>> out, height = layered_layout(els, {"a": 0, "b": 1, "c": 1})
    >>> [(n["data"]["id"], n["position"]) for n in out["nodes"][:3]]
    [('a', {'x': 0.0, 'y': 0.0}), ('b', {'x': -67.5, 'y': 234.0}), ('c', {'x': 67.5, 'y': 234.0})]
    >>> height, [n["data"]["id"] for n in out["nodes"][3:]]
    (380, ['_frame_tl', '_frame_br'])
    """
    ids = [n["data"]["id"] for n in elements.get("nodes", [])]
    last = max(layers.values(), default=-1) + 1
    bands: dict[int, list[str]] = defaultdict(list)
    for i in ids:
        bands[layers.get(i, last)].append(i)
    rows: list[tuple[list[str], float]] = []
    for band in sorted(bands):
        members = bands[band]
        chunks = [members[k:k + per_row] for k in range(0, len(members), per_row)]
        rows += [(chunk, DX / 2 if len(chunks) > 1 and j % 2 else 0.0)  # staggered: edges pass between nodes
                 for j, chunk in enumerate(chunks)]
    # a few rows are spread over the canvas: longer edges leave room for their captions
    dy = max(row_gap, (min_height - 100 - BELOW) / (len(rows) - 1)) if len(rows) > 1 else row_gap
    pos: dict[str, dict[str, float]] = {}
    for r, (chunk, shift) in enumerate(rows):
        for k, i in enumerate(chunk):
            pos[i] = {"x": round((k - (len(chunk) - 1) / 2) * DX + shift, 1), "y": round(r * dy, 1)}
    xs = [p["x"] for p in pos.values()] or [0.0]
    ys = [p["y"] for p in pos.values()] or [0.0]
    # the content, plus margins under the component's own bars (info panel left, tools right)
    left, right = min(xs) - LABEL_WIDTH / 2 - MARGIN_X, max(xs) + LABEL_WIDTH / 2 + MARGIN_X
    top, bottom = min(ys) - 20 - MARGIN_TOP, max(ys) + BELOW + MARGIN_BOTTOM
    height = int(max(min_height, bottom - top + 10))
    width = max(float(min_width), right - left)
    cx, cy = (left + right) / 2, (top + bottom) / 2
    half_w, half_h = width / 2, max(bottom - top, height - 10) / 2
    nodes = [{**n, "position": pos[n["data"]["id"]]} for n in elements.get("nodes", [])]
    nodes += [{"data": {"id": f"_frame_{corner}", "_frame": True}, "selectable": False, "grabbable": False,
               "position": {"x": round(cx + sx * half_w, 1), "y": round(cy + sy * half_h, 1)}}
              for corner, sx, sy in (("tl", -1, -1), ("br", 1, 1))]
    return {"nodes": nodes, "edges": list(elements.get("edges", []))}, height


def path_layers(answer: dict[str, Any], ranks: Iterable[int] | None = None) -> dict[str, int]:
    """Node id -> its place along the drawn paths (the source module 0, each hop one more; a node on
    several paths takes the furthest), for :func:`layered_layout`.

    >>> answer = {"source": {"id": "M"}, "target": {"id": "T"}, "paths": [
    ...     {"rank": 1, "nodes": [{"id": "A"}, {"id": "T"}], "edges": [{"subject": "A", "object": "M"}]}]}
    >>> path_layers(answer)
    {'M': 0, 'A': 1, 'T': 2}
    """
    keep = set(ranks) if ranks is not None else None
    out: dict[str, int] = {}
    for p in answer.get("paths", []):
        if keep is not None and p["rank"] not in keep:
            continue
        seq = [n["id"] for n in p["nodes"]]
        touched = {x for h in p["edges"] for x in (h["subject"], h["object"])}
        src, dst = (answer.get(k, {}).get("id") for k in ("source", "target"))
        if src in touched and src not in seq:
            seq.insert(0, src)
        if dst in touched and dst not in seq:
            seq.append(dst)
        for i, nid in enumerate(seq):
            out[nid] = max(out.get(nid, 0), i)
    return dict(sorted(out.items(), key=lambda kv: kv[1]))


def flow_layers(elements: dict[str, list]) -> dict[str, int]:
    """Layers that make edges point down: each node one below the furthest node pointing at it
    (a cycle's nodes share a layer), for drawing any query result with :func:`layered_layout`.

    >>> flow_layers({"nodes": [{"data": {"id": i}} for i in "abcd"], "edges": [
    ...     {"data": {"source": "a", "target": "b"}}, {"data": {"source": "b", "target": "c"}},
    ...     {"data": {"source": "a", "target": "c"}}, {"data": {"source": "c", "target": "b"}}]})
    {'a': 0, 'd': 0, 'b': 1, 'c': 1}
    """
    g = nx.DiGraph()
    g.add_nodes_from(n["data"]["id"] for n in elements.get("nodes", []))
    g.add_edges_from((e["data"]["source"], e["data"]["target"]) for e in elements.get("edges", [])
                     if e["data"]["source"] in g and e["data"]["target"] in g)
    dag = nx.condensation(g)
    depth: dict[int, int] = {}
    for c in nx.topological_sort(dag):
        depth[c] = max((depth[p] + 1 for p in dag.predecessors(c)), default=0)
    of = dag.graph["mapping"]
    return dict(sorted(((n, depth[of[n]]) for n in g), key=lambda kv: kv[1]))


def neighbourhood_layers(centre: str, elements: dict[str, list]) -> dict[str, int]:
    """What acts on ``centre`` above it (0), the centre (1), what it acts on or belongs to below (2).

    >>> neighbourhood_layers("B", {"nodes": [], "edges": [{"data": {"source": "A", "target": "B"}},
    ...                                                  {"data": {"source": "B", "target": "C"}}]})
    {'A': 0, 'B': 1, 'C': 2}
    """
    ins, outs = [], []
    for e in elements.get("edges", []):
        s, o = e["data"]["source"], e["data"]["target"]
        if s == centre and o != centre:
            outs.append(o)
        elif o == centre and s != centre:
            ins.append(s)
    layers = {i: 0 for i in dict.fromkeys(ins) if i not in outs}
    layers[centre] = 1
    layers.update({o: 2 for o in dict.fromkeys(outs)})
    return dict(sorted(layers.items(), key=lambda kv: kv[1]))


def neighbourhood_elements(store: Store, node_id: str, limit: int = 40) -> tuple[dict[str, list], int]:
    """Elements of an entity and its neighbours, every edge drawn (memberships too, so a module
    never floats unconnected); at most ``limit`` neighbours, strongest edges first. Returns the
    elements and the number of neighbours left out."""
    edges = sorted(store.edges_of([node_id], "both"),  # mechanism modules first, then the strongest edges
                   key=lambda e: (not (e["predicate"] == "member_of" and e["object"].startswith("MODULE:")),
                                  e["predicate"] == "member_of", -(e.get("belief") or 0), e["key"]))
    keep: list[str] = []
    for e in edges:
        other = e["object"] if e["subject"] == node_id else e["subject"]
        if other not in keep and other != node_id:
            keep.append(other)
    shown = set(keep[:limit]) | {node_id}
    nodes = store.nodes(sorted(shown))
    drawn = [e for e in edges if e["subject"] in shown and e["object"] in shown]
    return subgraph_elements([nodes[i] for i in [node_id, *keep[:limit]] if i in nodes], drawn), \
        max(0, len(keep) - limit)


def module_members(store: Store) -> dict[str, dict[str, int]]:
    """Module id -> {member id: membership sign}, from ``member_of`` edges into mechanism modules."""
    modules = {n["id"] for n in store.iter_nodes() if n.get("category") == "mechanism_module"}
    out: dict[str, dict[str, int]] = {m: {} for m in modules}
    for e in store.edges_of(sorted(modules), "in"):
        if e["predicate"] == "member_of" and e["object"] in out:
            out[e["object"]][e["subject"]] = int(e.get("sign") or 0)
    return out


def module_bridges(store: Store) -> dict[str, Any]:
    """The module map: each module with its member count, and the bridges between modules.

    Two modules are bridged when a (non-membership) edge joins a member of one to a member of
    the other; ``count`` is the number of such edges (an edge between members of both modules
    counts for each pair it joins). ``internal`` counts edges inside one module.

    Example::

        m = module_bridges(store)
        m["modules"][0]["name"], m["bridges"][0]["count"]
    """
    members = module_members(store)
    mods = store.nodes(sorted(members))
    of: dict[str, set[str]] = defaultdict(set)
    for m, ids in members.items():
        for i in ids:
            of[i].add(m)
    pairs: Counter = Counter()
    internal: Counter = Counter()
    member_ids = sorted(of)
    for e in store.edges_of(member_ids, "out"):
        if e["predicate"] == "member_of" or e["object"] not in of:
            continue
        for a in of[e["subject"]]:
            for b in of[e["object"]]:
                if a == b:
                    internal[a] += 1
                else:
                    pairs[tuple(sorted((a, b)))] += 1
    order = {m: (mods[m].get("order", 99), m) for m in mods}
    modules = [{"id": m, "name": mods[m]["name"], "order": mods[m].get("order"),
                "members": len(members[m]), "internal": internal[m]}
               for m in sorted(mods, key=lambda m: order[m])]
    bridges = [{"a": a, "b": b, "a_name": mods[a]["name"], "b_name": mods[b]["name"], "count": c}
               for (a, b), c in sorted(pairs.items(), key=lambda kv: (-kv[1], kv[0]))]
    return {"modules": modules, "bridges": bridges}


def module_map_elements(bridges: dict[str, Any]) -> dict[str, list]:
    """Cytoscape elements of :func:`module_bridges`: node size by members, edge width by count."""
    top = max([b["count"] for b in bridges["bridges"]] or [1])
    nodes = [{"data": {"id": m["id"], "label": "MechanismModule", "name": f"{m['name']} ({m['members']})",
                       "members": m["members"], "internal": m["internal"],
                       "_size": 30 + 4 * min(m["members"], 30)}} for m in bridges["modules"]]
    edges = [{"data": {"id": f"{b['a']}~{b['b']}", "source": b["a"], "target": b["b"], "label": "BRIDGE",
                       "count": b["count"], "_width": round(1 + 11 * b["count"] / top, 2)}}
             for b in bridges["bridges"]]
    return {"nodes": nodes, "edges": edges}


def group_neighbours(store: Store, node_id: str) -> list[dict[str, Any]]:
    """An entity's neighbours grouped by direction, predicate and sign, strongest belief first.

    Returns ``[{"direction": "out"|"in", "predicate", "sign", "neighbours": [{id, name, category,
    belief, contested, key}]}]`` with membership (``member_of``) groups last.
    """
    edges = store.edges_of([node_id], "both")
    other = {e["object"] if e["subject"] == node_id else e["subject"] for e in edges}
    names = store.nodes(sorted(other))
    groups: dict[tuple, list] = defaultdict(list)
    for e in edges:
        out = e["subject"] == node_id
        nid = e["object"] if out else e["subject"]
        n = names.get(nid, {})
        groups[("out" if out else "in", e["predicate"], int(e.get("sign") or 0))].append(
            {"id": nid, "name": n.get("name", nid), "category": n.get("category", ""),
             "belief": e.get("belief"), "contested": bool(e.get("contested")), "key": e["key"]})
    rows = []
    for (direction, pred, sign), ns in groups.items():
        ns.sort(key=lambda r: (-(r["belief"] or 0), r["name"]))
        rows.append({"direction": direction, "predicate": pred, "sign": sign, "neighbours": ns})
    rows.sort(key=lambda g: (g["predicate"] == "member_of", g["direction"], g["predicate"], -g["sign"]))
    return rows


def path_rows(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per ranked path: the table the explorer shows."""
    rows = []
    for p in answer.get("paths", []):
        hops = p["edges"]
        beliefs = [h["belief"] for h in hops if h.get("belief") is not None]
        rows.append({"rank": p["rank"], "path": p["summary"], "story": p["story"], "score": p["score"],
                     "sign": SIGN_WORD.get(p["sign"], "0"), "check": CONSISTENT_WORD[p["consistent"]],
                     "hops": len(hops), "weakest belief": min(beliefs) if beliefs else None,
                     "contested": sum(1 for h in hops if h.get("contested")),
                     "papers": len({ev["citation"] for h in hops for ev in h.get("evidence", [])})})
    return rows


HOP_COLUMNS = ["graph_version", "rank", "score", "path_sign", "check", "hop", "subject", "subject_name",
               "predicate", "object", "object_name", "sign", "belief", "contested", "sentence", "citations"]


def answer_csv(answer: dict[str, Any]) -> bytes:
    """The path answer as CSV, one row per hop, with its citations (``;``-separated)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=HOP_COLUMNS, lineterminator="\n")
    w.writeheader()
    for p in answer.get("paths", []):
        for i, h in enumerate(p["edges"], start=1):
            w.writerow({"graph_version": answer.get("graph_version", ""), "rank": p["rank"], "score": p["score"],
                        "path_sign": p["sign"], "check": CONSISTENT_WORD[p["consistent"]], "hop": i,
                        "subject": h["subject"], "subject_name": h.get("subject_name", ""),
                        "predicate": h["predicate"], "object": h["object"],
                        "object_name": h.get("object_name", ""), "sign": h["sign"], "belief": h.get("belief"),
                        "contested": bool(h.get("contested")), "sentence": h.get("sentence", ""),
                        "citations": ";".join(ev["citation"] for ev in h.get("evidence", []))})
    return buf.getvalue().encode("utf-8")


def answer_json(answer: dict[str, Any]) -> bytes:
    """The path answer exactly as :func:`kg.query.explain.explain` returned it, as UTF-8 JSON."""
    return json.dumps(answer, indent=2, ensure_ascii=False).encode("utf-8")


def elements_graphml(elements: dict[str, list], graph_version: str = "") -> bytes:
    """GraphML of drawn elements (scalar data attributes only), stamped with the graph version."""
    g = nx.MultiDiGraph(graph_version=graph_version)
    for n in elements.get("nodes", []):
        g.add_node(n["data"]["id"], **_scalars(n["data"], skip={"id"}))
    for e in elements.get("edges", []):
        d = e["data"]
        g.add_edge(d["source"], d["target"], key=d["id"], **_scalars(d, skip={"id", "source", "target"}))
    buf = io.BytesIO()
    nx.write_graphml(g, buf)
    return buf.getvalue()


def _scalars(data: dict[str, Any], skip: set[str]) -> dict[str, Any]:
    return {k: v for k, v in data.items()
            if k not in skip and not k.startswith("_") and isinstance(v, (str, int, float, bool))}
