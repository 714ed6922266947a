"""Explanations of ranked paths: module story, one sentence per hop, evidence, reproducing Cypher.

``explain(store, result)`` turns a :class:`~kg.query.paths.PathResult` into the JSON-ready answer
that the CLI, the app and the exports share.
"""
from __future__ import annotations

import json
from typing import Any

from kg.query.cypher import Dialect, dialect
from kg.query.paths import Path_, PathResult, score_parts
from kg.records.belief import load_belief_config
from kg.store.base import Store
from kg.store.version import graph_version
from ontology import load_ontology

SIGN_WORD = {1: "+", -1: "-", 0: "0"}


def _modules_of(store: Store, ids: list[str]) -> dict[str, list[str]]:
    """Module names per node, in module order (from member_of edges)."""
    onto = load_ontology()
    order = {m.id: m.order for m in onto.modules.values()}
    names = {m.id: m.name for m in onto.modules.values()}
    out: dict[str, list[tuple[int, str]]] = {i: [] for i in ids}
    for e in store.edges_of(ids, "out"):
        if e["predicate"] == "member_of" and e["object"] in names and e["subject"] in out:
            out[e["subject"]].append((order[e["object"]], names[e["object"]]))
    return {i: [n for _, n in sorted(v)] for i, v in out.items()}


def module_story(path_nodes: list[str], modules: dict[str, list[str]], source_name: str | None,
                 target_name: str | None) -> str:
    """"Decompression -> Integrin signalling -> Matrix degradation -> NP resorption"."""
    steps: list[str] = []
    if source_name:
        steps.append(source_name)
    for i, n in enumerate(path_nodes):
        mods = modules.get(n) or []
        pick: str | None
        if target_name and target_name in mods and i == len(path_nodes) - 1:
            pick = target_name
        elif steps and steps[-1] in mods:
            pick = steps[-1]  # stay in the current module while the node belongs to it
        else:
            pick = mods[0] if mods else None
        if pick and (not steps or steps[-1] != pick):
            steps.append(pick)
    if target_name and (not steps or steps[-1] != target_name):
        steps.append(target_name)
    return " → ".join(steps)


def _rank_evidence(evs: list[dict[str, Any]], limit: int = 3) -> list[dict[str, Any]]:
    """The best ``limit`` evidence rows, one per citation: strongest design, newest, then key."""
    w = load_belief_config()["design_weight"]
    seen, out = set(), []
    for ev in sorted(evs, key=lambda v: (-w.get((v.get("context") or {}).get("design", "unknown"), 0),
                                          -(v.get("year") or 0), v["key"])):
        if ev["citation"] in seen:
            continue
        seen.add(ev["citation"])
        out.append({"citation": ev["citation"], "text": ev.get("text", ""), "source": ev["source"],
                    "context": ev.get("context") or {}, "offsets": ev.get("offsets"),
                    "flags": ev.get("flags") or [], "year": ev.get("year"), "sign": ev.get("sign")})
        if len(out) >= limit:
            break
    return out


def against(ev: dict[str, Any], edge_sign: int) -> bool:
    """True when an evidence row speaks against its edge: negated, or of the opposite sign.

    >>> against({"sign": -1, "flags": []}, 1), against({"sign": 1, "flags": ["negated"]}, 1)
    (True, True)
    """
    if "negated" in (ev.get("flags") or ()):
        return True
    s = int(ev.get("sign") or 0)
    return bool(s and edge_sign and s != edge_sign)


def cypher_for(path: Path_, source_edge: dict[str, Any] | None = None,
               target_edge: dict[str, Any] | None = None, in_dialect: Dialect = "neo4j") -> str:
    """Cypher that reproduces ``path`` in the console or Neo4j Browser (ids and keys are quoted literals).

    ``source_edge``/``target_edge`` are the member_of edges that tie the end nodes to a module or
    set endpoint; they are matched too, so the pattern returns exactly one row. In the ``ladybug``
    dialect every relationship is a ``:REL``; its key alone picks the edge.
    """
    onto = load_ontology()

    def node(var: str, nid: str) -> str:
        return f"({var}:Entity {{id: {json.dumps(nid)}}})"

    def rel(var: str, e: dict[str, Any]) -> str:
        label = "REL" if in_dialect == "ladybug" else onto.predicates[e['predicate']].label
        return f"[{var}:{label} {{key: {json.dumps(e['key'])}}}]"

    pattern = node("n0", path.nodes[0])
    if source_edge is not None:
        pattern = node("src", source_edge["object"]) + "<-" + rel("rs", source_edge) + "-" + pattern
    for i, e in enumerate(path.edges):
        forward = e["subject"] == path.nodes[i]
        pattern += ("-" + rel(f"r{i}", e) + "->" if forward else "<-" + rel(f"r{i}", e) + "-")
        pattern += node(f"n{i + 1}", path.nodes[i + 1])
    if target_edge is not None:
        pattern += "-" + rel("rt", target_edge) + "->" + node("tgt", target_edge["object"])
    return f"MATCH p = {pattern}\nRETURN p"


def hop_sentence(subj: str, predicate: str, obj: str) -> str:
    tpl = load_ontology().predicates[predicate].template
    return tpl.format(s=subj, o=obj) + "."


def explain(store: Store, result: PathResult, evidence_per_hop: int = 3) -> dict[str, Any]:
    """The full JSON answer for a path query."""
    ids = sorted({n for p in result.paths for n in p.nodes} | {result.source.id, result.target.id})
    nodes = store.nodes(ids)
    modules = _modules_of(store, ids)
    keys = sorted({e["key"] for p in result.paths for e in p.edges})
    # a node can be a member of both end modules: keep both membership edges' evidence
    ends = {p.nodes[0] for p in result.paths}, {p.nodes[-1] for p in result.paths}
    keys += sorted({e["key"] for end, side in zip(ends, (result.source, result.target))
                    for n, e in side.membership_edges.items() if n in end})
    # the other side of a contested pair: evidence of the opposite-sign edges between the same ends
    keys += sorted({k for p in result.paths for e in p.edges for k in e.get("contested_with") or ()})
    evidence = store.evidence(keys)
    out_paths = []
    for rank, p in enumerate(result.paths, start=1):
        hops = []
        # membership hops at either end when the endpoint is a module or set
        if result.source.is_set:
            hops.append(_membership_hop(store, nodes, result.source, p.nodes[0], "source", evidence,
                                        evidence_per_hop))
        for i, e in enumerate(p.edges):
            hops.append(_hop(nodes, e, p.nodes[i], p.nodes[i + 1], evidence, evidence_per_hop))
        if result.target.is_set:
            hops.append(_membership_hop(store, nodes, result.target, p.nodes[-1], "target", evidence,
                                        evidence_per_hop))
        names = [nodes.get(n, {}).get("name", n) for n in p.nodes]
        out_paths.append({
            "rank": rank,
            "score": round(p.score, 6),
            "score_parts": score_parts(p),
            "sign": p.sign,
            "consistent": p.consistent,
            "story": module_story(p.nodes, modules,
                                  result.source.name if result.source.category == "mechanism_module" else None,
                                  result.target.name if result.target.category == "mechanism_module" else None),
            "summary": " → ".join(names),
            "nodes": [_node_row(nodes, n, modules) for n in p.nodes],
            "edges": [h for h in hops if h is not None],
            "cypher": cypher_for(p, result.source.membership_edges.get(p.nodes[0]),
                                 result.target.membership_edges.get(p.nodes[-1]), dialect(store)),
            "metapath": p.metapath,
            "p_value": p.p_value,
        })
    return {
        "graph_version": graph_version(store),
        "store": getattr(store, "name", "?"),
        "query": {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(result.query).items()},
        "source": {"id": result.source.id, "name": result.source.name, "category": result.source.category},
        "target": {"id": result.target.id, "name": result.target.name, "category": result.target.category},
        "truncated": result.truncated,
        "truncated_reason": result.reason,
        "n_candidates": result.n_candidates,
        "paths": out_paths,
        "notes": list(result.notes),
        "n_permutations": result.n_permutations,
    }


def _node_row(nodes, nid, modules) -> dict[str, Any]:
    n = nodes.get(nid, {})
    return {"id": nid, "name": n.get("name", nid), "category": n.get("category", ""),
            "modules": modules.get(nid, [])}


def _hop(nodes, e, frm, to, evidence, limit) -> dict[str, Any]:
    sname = nodes.get(e["subject"], {}).get("name", e["subject"])
    oname = nodes.get(e["object"], {}).get("name", e["object"])
    evs, sign = evidence.get(e["key"], []), int(e.get("sign") or 0)
    return {"key": e["key"], "subject": e["subject"], "predicate": e["predicate"], "object": e["object"],
            "subject_name": sname, "object_name": oname, "reversed": e["subject"] != frm,
            "sign": sign, "belief": e.get("belief"), "contested": bool(e.get("contested")),
            "n_papers": e.get("n_papers"), "sources": e.get("sources") or [],
            "sentence": hop_sentence(sname, e["predicate"], oname),
            "evidence": _rank_evidence(evidence.get(e["key"], []), limit),
            # both sides of a contested edge: what supports its sign, what speaks against it
            "evidence_for": _rank_evidence([v for v in evs if not against(v, sign)], limit),
            "evidence_against": _rank_evidence([v for v in evs if against(v, sign)]
                                               + [v for k in e.get("contested_with") or () for v in evidence.get(k, [])],
                                               limit),
            "contested_with": list(e.get("contested_with") or [])}


def _membership_hop(store: Store, nodes, endpoint, member_id, side, evidence, limit) -> dict[str, Any] | None:
    e = endpoint.membership_edges.get(member_id)
    if e is None:
        return None
    if member_id not in nodes:
        nodes.update(store.nodes([member_id]))
    hop = _hop({**nodes, endpoint.id: {"name": endpoint.name}}, e, member_id, endpoint.id, evidence, limit)
    hop["membership"] = side
    if e.get("sign") == -1:
        hop["sentence"] = f"{hop['subject_name']} is the opposite state of {endpoint.name} (sign -1)."
    return hop


def evidence_text(ev: dict[str, Any]) -> str:
    """A verbatim sentence (it has offsets in its document) in quotes; anything else as what it is.

    >>> evidence_text({"text": "TNF increased MMP3.", "offsets": [0, 19]})
    '“TNF increased MMP3.”'
    >>> evidence_text({"text": "Curator's summary: TNF raises MMP3.", "offsets": None})
    "Curator's summary: TNF raises MMP3."
    """
    text = ev.get("text", "")
    return f"“{text}”" if ev.get("offsets") else text


def belief_text(belief: Any) -> str:
    """A belief as people read it: two decimals (``0.98``), or ``–`` when there is none.

    >>> belief_text(0.983365), belief_text(1), belief_text(None)
    ('0.98', '1.00', '–')
    """
    return f"{float(belief):.2f}" if isinstance(belief, (int, float)) else "–"


def to_markdown(answer: dict[str, Any]) -> str:
    """A readable Markdown report of a path answer."""
    lines = [f"# Paths from {answer['source']['name']} to {answer['target']['name']}",
             f"graph version `{answer['graph_version']}` · store `{answer['store']}`"
             + (f" · **cut:** {answer['truncated_reason']}" if answer["truncated"] else ""), ""]
    if not answer["paths"]:
        lines.append("No path found within the limits.")
    lines += [f"> {n}" for n in answer.get("notes") or []]
    for p in answer["paths"]:
        cons = {True: "consistent", False: "inconsistent", None: "no expectation"}[p["consistent"]]
        lines += [f"## {p['rank']}. {p['summary']}",
                  f"score {p['score']:.4f} (belief product {p['score_parts']['belief_product']:.3f}, "
                  f"hub damping {p['score_parts']['dwpc_damping']:.3f}) · sign {SIGN_WORD[p['sign']]} · {cons}",
                  f"*{p['story']}*"]
        if p.get("p_value") is not None:
            lines.append(f"path type `{p['metapath']}` · p = {p['p_value']:.3g} "
                         f"({answer['n_permutations']} degree-preserving permutations)")
        lines.append("")
        for h in p["edges"]:
            flag = " ⚠ contested" if h["contested"] else ""
            lines.append(f"- {h['sentence']} (sign {SIGN_WORD[h['sign']]}, belief {belief_text(h['belief'])}){flag}")
            shown = [("", h["evidence"])]
            if h["contested"]:
                shown = [("for: ", h["evidence_for"]), ("against: ", h["evidence_against"])]
            for side, evs in shown:
                for ev in evs:
                    lines.append(f"  - {side}{ev['citation']}: {evidence_text(ev)} [{ev['context'].get('design', '')}]")
        lines += ["", "```cypher", p["cypher"], "```", ""]
    return "\n".join(lines)
