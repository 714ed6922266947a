"""Ranked, evidence-backed hypotheses: Swanson ABC (closed and open discovery) and link prediction.

A hypothesis is a pair (a, c) with no direct edge, a taken from the source (an entity or the
members of a module), c from the target (closed discovery) or from anything reachable in 2..max_hops
hops (open discovery). Pairs are ranked by the belief-weighted, hub-damped path count of
:func:`kg.analysis.linkpred.belief_paths` (the path engine's score, summed over every path); the
intermediates B are ranked by their share of it. Each card carries the supporting paths with their
evidence (from :func:`kg.query.explain.explain`), the contradicting paths and evidence, novelty, the score
components, a predicted observable and assay, the graph version and the query.

Example::

    cards = generate(store, "Bone bioactive factors", "Matrix degradation", k=5)
    print(cards[0]["claim"])   # "TGFB1 increases MMP3 in NP cells, via ..."
"""
from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable

from kg.analysis import cards as cardtext
from kg.analysis.linkpred import (
    SET_CATEGORIES,
    adamic_adar,
    belief_paths,
    dwpc,
    linked,
    mechanism_view,
    preferential_attachment,
    resource_allocation,
    undirected,
    walk_rule,
)
from kg.query.explain import against, explain
from kg.query.paths import PathQuery, find_paths, load_path_config
from kg.query.projection import cached
from kg.query.resolve import EntityNotFound, resolve_entity
from kg.records.model import stable_hash
from kg.store.base import Store
from kg.store.version import graph_version
from ontology import load_ontology


class HypothesisError(ValueError):
    """The query cannot be answered as asked (bad option, a gene list with no gene in the graph...)."""


@dataclass
class HypothesisRun:
    cards: list[dict[str, Any]]
    reason: str = ""                      # why there are no cards, when there are none
    query: dict[str, Any] = field(default_factory=dict)
    unmatched_genes: list[str] = field(default_factory=list)


def _r(x: float) -> float:
    return round(float(x), 6)


# -- the user's gene list ----------------------------------------------------------------
def read_gene_file(path: str | Path) -> list[str]:
    """Gene symbols or ids from a plain list or the first column of a TSV/CSV (``#`` lines and a
    ``gene``/``symbol`` header are skipped)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:  # bad input is one error line, not a traceback
        raise HypothesisError(f"gene list {p} is not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset "
                              f"{exc.start}); save it as UTF-8") from None
    except OSError as exc:
        raise HypothesisError(f"cannot read gene list {p}: {exc.strerror or exc}") from None
    out = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        cell = line.replace(",", "\t").split("\t")[0].strip().strip('"')
        if not cell or cell.startswith("#"):
            continue
        if lineno == 1 and cell.lower() in ("gene", "genes", "symbol", "gene_symbol", "id", "hgnc_symbol"):
            continue
        out.append(cell)
    if not out:
        raise HypothesisError(f"gene list {p} holds no gene (one symbol or id per line)")
    return out


def resolve_genes(store: Store, genes: Iterable[str] | str,
                  symbol_to_id: Callable[[str], str | None] | None = None) -> tuple[dict[str, str], list[str]]:
    """Map a gene list (or an experiment/module/pathway name) to graph node ids.

    Returns ``({node_id: text}, unmatched)``. An ``experiment`` stands for the genes measured in
    it (``measured_in`` edges); a module or pathway for its members. Symbols not found in the graph
    go to ``symbol_to_id`` (the surfaces pass the HGNC resolver: aliases and previous symbols), so
    the analysis layer never reads a source itself.
    """
    if isinstance(genes, str):
        ep = resolve_entity(store, genes)
        if ep.category == "experiment":
            ids = sorted({e["subject"] for e in store.edges_of([ep.id], "in") if e["predicate"] == "measured_in"})
            if not ids:
                raise HypothesisError(f"experiment {ep.name} ({ep.id}) has no measured_in genes")
            return {i: i for i in ids}, []
        return {i: i for i in sorted(ep.ids())}, []
    found: dict[str, str] = {}
    unmatched: list[str] = []
    for g in dict.fromkeys(x.strip() for x in genes if x and x.strip()):
        try:
            ep = resolve_entity(store, g)
            if not ep.is_set:
                found.setdefault(ep.id, g)
                continue
        except EntityNotFound:
            pass
        hgnc_id = symbol_to_id(g) if symbol_to_id else None
        if hgnc_id and store.node(hgnc_id) is not None:
            found.setdefault(hgnc_id, g)
        else:
            unmatched.append(g)
    return found, unmatched


def _module_members(store: Store, names: Iterable[str]) -> set[str]:
    out: set[str] = set()
    for m in names:
        ep = resolve_entity(store, m)
        if ep.category != "mechanism_module":
            raise HypothesisError(f"{m!r} is not a mechanism module (it is a {ep.category})")
        out |= set(ep.ids())
    return out


# -- ranking -------------------------------------------------------------------------------
def _evidence_context(paths: list[dict[str, Any]]) -> tuple[str | None, str | None]:
    """Most frequent tissue and species in the evidence of the supporting paths.

    A tie is never broken by name: tied species are all named ("human and rat"), and tied
    tissues give None (the card then says "disc cells", which covers them).

    >>> ev = lambda **ctx: {"context": ctx}
    >>> _evidence_context([{"edges": [{"evidence": [ev(species="rat", tissue="nucleus pulposus"),
    ...                                             ev(species="human", tissue="annulus fibrosus")]}]}])
    (None, 'human and rat')
    >>> _evidence_context([{"edges": [{"evidence": [ev(species="rat"), ev(species="rat"), ev(species="human")]}]}])
    (None, 'rat')
    """
    tissues: Counter[str] = Counter()
    species: Counter[str] = Counter()
    for p in paths:
        for h in p["edges"]:
            for ev in h["evidence"]:
                ctx = ev.get("context") or {}
                if ctx.get("tissue"):
                    tissues[ctx["tissue"]] += 1
                if ctx.get("species"):
                    species[ctx["species"]] += 1

    def tied(c: Counter) -> list[str]:
        most = max(c.values(), default=0)
        return sorted(k for k, v in c.items() if v == most)

    top_tissues, top_species = tied(tissues), tied(species)
    return (top_tissues[0] if len(top_tissues) == 1 else None,
            cardtext.join_names(top_species) or None)


def _mechanism_edges(store: Store, node_id: str) -> list[dict[str, Any]]:
    """Edges touching a node that the view would walk (no gene -> module/pathway memberships)."""
    rows = store.edges_of([node_id], "both")
    cats = {i: n.get("category", "") for i, n in store.nodes(sorted({r["object"] for r in rows})).items()}
    return [r for r in rows if walk_rule(r, cats) is not None]


def novelty(store: Store, a: str, c: str) -> dict[str, Any]:
    """Is there a direct edge, and how many papers cite evidence touching both a and c."""
    ea, ec = _mechanism_edges(store, a), _mechanism_edges(store, c)
    direct = sorted({e["key"] for e in ea if c in (e["subject"], e["object"])})
    ev = store.evidence(sorted({e["key"] for e in ea + ec}))
    cites_a = {v["citation"] for e in ea for v in ev.get(e["key"], []) if v.get("citation")}
    cites_c = {v["citation"] for e in ec for v in ev.get(e["key"], []) if v.get("citation")}
    shared = sorted(cites_a & cites_c)
    return {"direct_edge": bool(direct), "direct_edge_keys": direct, "co_mention_papers": len(shared),
            "co_mention_citations": shared[:20]}


def _contradicting_evidence(store: Store, paths: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Negated evidence, or evidence of the opposite sign, on the hops of the supporting paths."""
    hops = {h["key"]: h for p in paths for h in p["edges"]}
    out = []
    for k, evs in sorted(store.evidence(sorted(hops)).items()):
        sign = hops[k]["sign"]
        for v in evs:
            if against(v, sign):
                why = "negated" if "negated" in (v.get("flags") or ()) else "opposite sign"
                out.append({"edge": k, "sentence": hops[k]["sentence"], "citation": v["citation"],
                            "text": v.get("text", ""), "why": why, "year": v.get("year")})
    return out


def run(store: Store, source: str, target: str | None = None, genes: Iterable[str] | str | None = None, k: int = 10, *,
        max_hops: int = 3, modules: Iterable[str] = (), predicates: Iterable[str] = (),
        species: Iterable[str] = (), designs: Iterable[str] = (), sources: Iterable[str] = (),
        min_belief: float = 0.0, paths_per_card: int = 3, evidence_per_hop: int = 2,
        include_known: bool | None = None,
        symbol_to_id: Callable[[str], str | None] | None = None) -> HypothesisRun:
    """Generate hypothesis cards and say why when there are none (see :func:`generate`).

    ``symbol_to_id`` maps a gene symbol the graph does not hold to an HGNC id (see
    :func:`resolve_genes`)."""
    if not 1 <= k <= 200:
        raise HypothesisError(f"k must be between 1 and 200, not {k}")
    if not 2 <= max_hops <= 4:
        raise HypothesisError(f"max_hops must be 2, 3 or 4, not {max_hops}")
    onto = load_ontology()
    bad = [p for p in predicates if p not in onto.predicates]
    if bad:
        raise HypothesisError(f"unknown predicate(s) {bad}; allowed: {', '.join(sorted(onto.predicates))}")
    filters = {"predicates": tuple(sorted(predicates)), "species": tuple(sorted(species)),
               "designs": tuple(sorted(designs)), "sources": tuple(sorted(sources)), "min_belief": float(min_belief)}
    src = resolve_entity(store, source)
    tgt = resolve_entity(store, target) if target else None
    if tgt is not None and tgt.id == src.id:
        raise HypothesisError(f"source and target are the same entity ({src.name}); choose two different ones")
    gene_ids, unmatched = ({}, []) if genes is None else resolve_genes(store, genes, symbol_to_id)
    if genes is not None and not gene_ids:
        raise HypothesisError(f"none of the {len(unmatched)} genes in the list is in the graph "
                              f"(e.g. {', '.join(unmatched[:5])})")
    module_ids = _module_members(store, modules) if modules else None
    query = {"mode": "closed" if tgt else "open", "source": src.id, "target": tgt.id if tgt else None,
             "genes": sorted(gene_ids), "modules": sorted(modules), "k": k, "max_hops": max_hops,
             **{kk: list(v) if isinstance(v, tuple) else v for kk, v in filters.items()}}

    full = mechanism_view(store)
    view = mechanism_view(store, **filters) if any(filters[f] for f in filters) else full
    degree = store.degrees(sorted(full.nodes))
    cats = {n: d.get("category", "") for n, d in full.nodes(data=True)}
    starts = sorted(n for n in src.ids() if n in view and cats.get(n) not in SET_CATEGORIES)
    allowed: set[str] | None = set(tgt.ids()) if tgt else None
    for restriction in (set(gene_ids) if genes is not None else None, module_ids):
        if restriction is not None:
            allowed = restriction if allowed is None else allowed & restriction
    if include_known is None:
        include_known = tgt is not None and not src.is_set and not tgt.is_set
    base = HypothesisRun([], "", query, unmatched)
    if not starts:
        base.reason = f"{src.name} has no mechanism edges to start from under these filters"
        return base
    if allowed is not None and not allowed:
        base.reason = "the target, gene list and module restrictions leave no candidate"
        return base

    U = undirected(view)
    ranked = []
    for a in starts:
        tallies = belief_paths(view, a, sorted(allowed) if allowed is not None else None, max_hops=max_hops,
                               min_hops=2, degree=degree, set_ends=False)
        for c, t in tallies.items():
            if c in src.ids() or cats.get(c) in SET_CATEGORIES or c == a:
                continue
            if linked(full, a, c) and not include_known:
                continue
            ranked.append((-_r(t.score), a, c, t))
    ranked.sort(key=lambda r: r[:3])
    if not ranked:
        base.reason = (f"no pair from {src.name} to " + (tgt.name if tgt else "any entity")
                       + f" is joined by a path of 2–{max_hops} hops"
                       + ("" if include_known else " without a direct edge")
                       + (" under these restrictions" if allowed is not None or any(filters.values()) else ""))
        return base

    version = graph_version(store)
    cards = []
    for rank, (_, a, c, tally) in enumerate(ranked[:k], start=1):
        cards.append(_card(store, rank, a, c, tally, U, view, max_hops, filters, paths_per_card, evidence_per_hop,
                           version, query))
    base.cards = cards
    return base


def generate(store: Store, source: str, target: str | None = None, genes: Iterable[str] | str | None = None,
             k: int = 10, **options: Any) -> list[dict[str, Any]]:
    """Ranked hypothesis cards from ``source`` (to ``target`` for closed discovery).

    ``genes`` restricts the candidates c to a gene list, or to the genes measured in an
    ``experiment`` node when it is a string. Options: ``max_hops`` (2–4, default 3), ``modules``
    (candidates must be members), ``predicates``, ``species``, ``designs``, ``sources``,
    ``min_belief``. Deterministic: the same graph and query give the same cards.

    Example (on a built graph)::

        generate(store, "TGFB1", genes=["MMP3", "ADAMTS5"], k=3)[0]["claim"]
    """
    return run(store, source, target, genes, k, **options).cards


def _card(store: Store, rank: int, a: str, c: str, tally, U, view, max_hops: int, filters: dict[str, Any],
          paths_per_card: int, evidence_per_hop: int, version: str, query: dict[str, Any]) -> dict[str, Any]:
    expect = {1: "increases", -1: "decreases"}.get(tally.sign)
    q = PathQuery(a, c, max_hops=max_hops, k=min(50, paths_per_card * 4), expect=expect,
                  predicates=filters["predicates"], min_belief=filters["min_belief"], species=filters["species"],
                  designs=filters["designs"], sources=filters["sources"])
    res = find_paths(store, q, graph=cached(store))  # one projection for every card
    set_preds = load_path_config()["set_predicates"]
    res = dataclasses.replace(res, paths=[p for p in res.paths if len(p.edges) >= 2 and p.edges[0]["predicate"]
                                          not in set_preds and p.edges[-1]["predicate"] not in set_preds])
    answer = explain(store, res, evidence_per_hop=evidence_per_hop)
    supporting = [p for p in answer["paths"] if p["consistent"]][:paths_per_card]  # signed and agreeing
    against = [p for p in answer["paths"] if p["consistent"] is False][:paths_per_card]
    for p in supporting + against:
        p.pop("rank", None)
    nodes = store.nodes([a, c, *tally.via])
    name = {n: nodes.get(n, {}).get("name", n) for n in [a, c, *tally.via]}
    total = tally.score or 1.0
    via = [{"id": b, "name": name[b], "share": _r(s / total)}
           for b, s in sorted(tally.via.items(), key=lambda kv: (-round(kv[1], 12), kv[0]))[:5]]
    tissue, species = _evidence_context(supporting)
    where = cardtext.where_phrase(tissue)
    s_cat, o_cat = nodes.get(a, {}).get("category", ""), nodes.get(c, {}).get("category", "")
    memberships = [e for e in store.edges_of([c], "out")
                   if e["predicate"] == "member_of" and e["object"].startswith("MODULE:")]
    o_modules = [e["object"].split(":", 1)[1] for e in memberships]
    opposed = sorted({e["object"].split(":", 1)[1] for e in memberships if int(e.get("sign") or 0) < 0})
    words = cardtext.observable_and_assay(name[a], s_cat, name[c], o_cat, tally.sign, where, sorted(o_modules),
                                          opposed_modules=opposed)
    dw = dwpc(U, a, c, max_len=max_hops).get(c, {})
    top_mp = sorted(tally.metapaths.items(), key=lambda kv: (-round(kv[1], 12), kv[0]))[:3]
    return {
        "id": "H-" + stable_hash(version, a, c, tally.sign, length=10),
        "rank": rank,
        "claim": cardtext.claim(name[a], name[c], tally.sign, where, [v["name"] for v in via[:2]], species),
        "subject": {"id": a, "name": name[a], "category": s_cat},
        "object": {"id": c, "name": name[c], "category": o_cat, "modules": sorted(o_modules)},
        "expected_sign": tally.sign,
        "context": {"tissue": tissue, "species": species, "where": where},
        "score": _r(tally.score),
        "score_components": {
            "method": "sum over paths of prod(belief) * prod(inner degree^-0.5)",
            "n_paths": tally.n_paths, "best_path": _r(tally.best), "signed": _r(tally.signed),
            "adamic_adar": _r(adamic_adar(U, a, c)), "resource_allocation": _r(resource_allocation(U, a, c)),
            "dwpc": _r(sum(dw.values())), "preferential_attachment": _r(preferential_attachment(U, a, c)),
            "metapaths": [{"metapath": m, "score": _r(v)} for m, v in top_mp]},
        "via": via,
        "supporting_paths": supporting,
        "contradicting": {"paths": [{"summary": p["summary"], "sign": p["sign"], "score": p["score"],
                                     "nodes": [n["id"] for n in p["nodes"]]} for p in against],
                          "evidence": _contradicting_evidence(store, supporting),
                          "contested_hops": sorted({h["key"] for p in supporting for h in p["edges"]
                                                    if h["contested"]})},
        "novelty": novelty(store, a, c),
        "predicted_observable": words["observable"],
        "suggested_assay": words["assay"],
        "template": words["template"],
        "graph_version": version,
        "store": getattr(store, "name", "?"),
        "query": query,
        "paths_truncated": answer["truncated"],
    }
