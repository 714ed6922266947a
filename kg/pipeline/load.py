"""The batched, idempotent loader: source loads -> a store, with reconciled counts.

Records are merged by key, so loading twice changes nothing. Each batch is one
``upsert`` call (one transaction on Neo4j); provenance is written last, so an
interrupted load is visible and re-runnable. ``strict`` turns any rejection into a
failed build that writes nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from kg.records.belief import edge_summary, load_belief_config
from kg.records.bulk import gc_paused
from kg.records.model import Edge, Provenance
from kg.records.sources import SourceLoad
from kg.store.base import BulkStore, Store, merge_node_row
from kg.store.version import BUILD_SOURCE, build_marker, content_hash, rows_hash


class BuildError(RuntimeError):
    """A build refused to write (strict mode) or a store failed; nothing was committed by it."""


@dataclass
class BuildReport:
    sources: list[dict[str, Any]] = field(default_factory=list)
    nodes: int = 0
    edges: int = 0
    evidence: int = 0
    recovered: bool = False                      # the last build had been killed: started from empty
    pruned: dict[str, int] = field(default_factory=dict)  # stale records of the rebuilt sources removed
    content: str = ""                            # content hash of what a bulk load wrote

    @property
    def rejected(self) -> int:
        return sum(s["rejected"] for s in self.sources)

    def to_dict(self) -> dict[str, Any]:
        return {"nodes_written": self.nodes, "edges_written": self.edges, "evidence_written": self.evidence,
                "rejected": self.rejected, "recovered_interrupted_build": self.recovered, "pruned": self.pruned,
                "sources": self.sources}


def _batches(items: Sequence, size: int) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


#: Predicates that define sets or structure: their sign never contradicts a mechanism edge.
STRUCTURAL = frozenset({"member_of", "part_of", "subclass_of", "measured_in"})


def contested_pairs(edges: Iterable[Edge | dict[str, Any]]) -> dict[str, list[str]]:
    """Edge key -> keys of the edges between the same two ends that carry the opposite sign.

    Edge keys include the predicate, so "A increases B" and "A inhibits B" are two edges; grouping
    them by (subject, object) is what makes their disagreement visible.

    >>> up, down = Edge("HGNC:1", "increases", "HGNC:2", 1), Edge("HGNC:1", "inhibits", "HGNC:2", -1)
    >>> contested_pairs([up, down, Edge("HGNC:1", "binds", "HGNC:3", 0)]) == {up.key: [down.key], down.key: [up.key]}
    True
    """
    by_pair: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for e in edges:
        key, s, p, o, sign = ((e["key"], e["subject"], e["predicate"], e["object"], int(e.get("sign") or 0))
                              if isinstance(e, dict) else (e.key, e.subject, e.predicate, e.object, e.sign))
        if p not in STRUCTURAL and sign:
            by_pair.setdefault((s, o), []).append((key, sign))
    out: dict[str, list[str]] = {}
    for group in by_pair.values():
        if len({sign for _, sign in group}) > 1:
            for key, sign in group:
                out[key] = sorted(k for k, other in group if other != sign)
    return out


def summarise(evidence: list[dict[str, Any]], contested_with: list[str] | None,
              cfg: dict[str, Any], memo: dict[tuple[Any, ...], dict[str, Any]] | None = None) -> dict[str, Any]:
    """An edge's computed properties: :func:`edge_summary` of its evidence, contested also when another
    predicate between the same two ends has the other sign. The one way belief reaches an edge.
    ``memo``: one dict per build and ``cfg`` (see :func:`edge_summary`)."""
    summary = edge_summary(evidence, cfg, memo)
    if contested_with:
        summary["contested"] = True
        summary["contested_with"] = contested_with
    return summary


def check(loads: Sequence[SourceLoad], strict: bool = False) -> None:
    """Raise :class:`BuildError` before anything is written: counts that do not reconcile, or
    (``strict``) any rejected row."""
    for sl in loads:
        if not sl.report.reconciles():
            raise BuildError(f"{sl.report.source}: counts do not reconcile ({sl.report.to_dict()})")
    if strict:
        bad = [str(r) for sl in loads for r in sl.report.rejected]
        if bad:
            shown = "\n  ".join(bad[:20])
            raise BuildError(f"--strict: {len(bad)} rejected row(s), nothing written:\n  {shown}")


def _build_evidence(loads: Sequence[SourceLoad]) -> dict[str, dict[str, dict[str, Any]]]:
    """Evidence rows of the whole build per edge key, so each edge is written once with its final belief."""
    build_ev: dict[str, dict[str, dict[str, Any]]] = {}
    for sl in loads:
        for v in sl.evidence.values():
            build_ev.setdefault(v.edge_key, {})[v.key] = v.to_dict()
    return build_ev


def _with_summary(e: Edge, evidence: dict[str, dict[str, Any]], opposed: dict[str, list[str]],
                  cfg: dict[str, Any], memo: dict[tuple[Any, ...], dict[str, Any]]) -> Edge:
    """``e`` carrying the summary (belief, counts, contested) of ``evidence`` (key -> row)."""
    summary = summarise([evidence[k] for k in sorted(evidence)], opposed.get(e.key), cfg, memo)
    return Edge(e.subject, e.predicate, e.object, e.sign, tuple(sorted({**dict(e.props), **summary}.items())))


def _counts(sl: SourceLoad) -> dict[str, int]:
    """The counts a source's provenance row records."""
    return {"read": sl.report.read, "loaded": sl.report.loaded, "rejected": len(sl.report.rejected),
            "unmapped": sl.report.unmapped_rows, "nodes": len(sl.nodes), "edges": len(sl.edges),
            "evidence": len(sl.evidence)}


def load(store: Store, loads: Sequence[SourceLoad], *, strict: bool = False, batch_size: int = 10000,
         progress: Callable[[int], None] | None = None) -> BuildReport:
    """Write every source load into ``store``; compute beliefs; record provenance last.

    ``progress(n)`` is called with the number of records just written.
    """
    report = BuildReport()
    check(loads, strict)
    cfg = load_belief_config()
    build_ev = _build_evidence(loads)  # no read-back pass over the store afterwards
    opposed = contested_pairs(e for sl in loads for e in sl.edges.values())
    # evidence stored before this build: none when the store starts empty (a fresh rebuild), and the
    # build's own evidence is all in build_ev, so the per-batch read-back is skipped then
    empty_before = store.stats()["edges"] == 0
    memo: dict[tuple[Any, ...], dict[str, Any]] = {}
    for sl in loads:
        nodes = sorted(sl.nodes.values(), key=lambda n: n.id)
        edges = sorted(sl.edges.values(), key=lambda e: e.key)
        evidence = sorted(sl.evidence.values(), key=lambda v: v.key)
        for batch in _batches(nodes, batch_size):
            store.upsert(batch, [], [])
            if progress:
                progress(len(batch))
        by_edge: dict[str, list] = {}
        for v in evidence:
            by_edge.setdefault(v.edge_key, []).append(v)
        for batch in _batches(edges, batch_size):
            ev = [v for e in batch for v in by_edge.get(e.key, ())]
            stored = {} if empty_before else store.evidence([e.key for e in batch])
            summarised = []
            for e in batch:
                rows = {r["key"]: r for r in stored.get(e.key, ())}
                rows.update(build_ev.get(e.key, {}))
                summarised.append(_with_summary(e, rows, opposed, cfg, memo))
            store.upsert([], summarised, ev)
            if progress:
                progress(len(batch) + len(ev))
        report.nodes += len(nodes)
        report.edges += len(edges)
        report.evidence += len(evidence)
        store.record_provenance(sl.provenance, _counts(sl), sl.params)
        report.sources.append(sl.report.to_dict())
    store.flush()
    return report


def final_rows(loads: Sequence[SourceLoad], progress: Callable[[int], None] | None = None) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]],
                                                   dict[str, dict[str, Any]]]:
    """The node, edge and evidence rows :func:`load` leaves in an EMPTY store, computed without one
    (for stores that write a whole graph at once, see :class:`kg.store.base.BulkStore`): nodes merged
    across sources in load order, each edge with the summary of all its evidence in the build."""
    cfg = load_belief_config()
    build_ev = _build_evidence(loads)
    opposed = contested_pairs(e for sl in loads for e in sl.edges.values())
    nodes: dict[str, dict[str, Any]] = {}
    edges: dict[str, dict[str, Any]] = {}
    evidence: dict[str, dict[str, Any]] = {}
    memo: dict[tuple[Any, ...], dict[str, Any]] = {}
    for sl in loads:
        for n in sorted(sl.nodes.values(), key=lambda n: n.id):
            nodes[n.id] = merge_node_row(nodes.get(n.id), n.to_dict())
        for e in sorted(sl.edges.values(), key=lambda e: e.key):
            # the row of _with_summary(e, …), without a new Edge (whose key would be hashed again)
            row = e.to_dict()
            ev = build_ev.get(e.key, {})
            row.update(summarise([ev[k] for k in sorted(ev)], opposed.get(e.key), cfg, memo))  # belief included
            old = edges.get(row["key"])
            edges[row["key"]] = {**old, **row} if old else row
        if progress:
            progress(len(sl.nodes) + len(sl.edges) + len(sl.evidence))
    for rows in build_ev.values():  # the evidence rows already made (a later load's row wins, as in load)
        evidence.update(rows)
    return nodes, edges, evidence


def bulk_load(store: BulkStore, loads: Sequence[SourceLoad], keep: Sequence[dict[str, Any]] = (),
              progress: Callable[[int], None] | None = None, phase: Callable[[str], None] | None = None) -> BuildReport:
    """Replace the whole content of ``store`` by this build in one step (the store writes it beside
    and swaps), provenance included: ``keep`` are provenance rows to carry over (the build marker).
    ``progress(n)``: records of the loads assembled into final rows; ``phase(name)``: the step
    that starts (``writing``: the store's bulk write, ``hashing``: the content hash)."""
    with gc_paused():  # millions of rows (kg.records.bulk)
        return _bulk_load(store, loads, keep, progress, phase or (lambda _: None))


def _bulk_load(store: BulkStore, loads: Sequence[SourceLoad], keep: Sequence[dict[str, Any]],
               progress: Callable[[int], None] | None, phase: Callable[[str], None]) -> BuildReport:
    nodes, edges, evidence = final_rows(loads, progress)
    report = BuildReport(nodes=sum(len(sl.nodes) for sl in loads), edges=sum(len(sl.edges) for sl in loads),
                         evidence=sum(len(sl.evidence) for sl in loads))
    provenance = list(keep)
    for sl in loads:
        provenance = [p for p in provenance if (p["source"], p["version"]) != (sl.provenance.source,
                                                                                 sl.provenance.version)]
        provenance.append({**sl.provenance.to_dict(), "counts": _counts(sl), "params": sl.params})
        report.sources.append(sl.report.to_dict())
    phase("writing")
    store.replace_all(list(nodes.values()), list(edges.values()), list(evidence.values()), provenance)
    phase("hashing")
    report.content = rows_hash(nodes.values(), edges.values(), evidence.values())
    return report


def _mark(store: Store, state: str, **params: Any) -> None:
    from kg.records.sources import now_iso

    store.record_provenance(Provenance(BUILD_SOURCE, "current", "", now_iso(), ""), {}, {"state": state, **params})
    store.flush()


def stale_records(store: Store, loads: Sequence[SourceLoad]) -> tuple[list[str], list[str], list[str]]:
    """What a rebuild of these sources no longer holds: (edge keys, evidence keys, node ids).

    Only records of the rebuilt sources go: evidence whose source this build wrote but whose key
    it did not; edges of this build's predicates left with no evidence and not rebuilt; nodes of
    these sources left with no edge. A user's own ingests (other sources) are kept.
    """
    ev_sources = {v.source for sl in loads for v in sl.evidence.values()}
    node_sources = {n.source for sl in loads for n in sl.nodes.values()}
    ev_keys = {v.key for sl in loads for v in sl.evidence.values()}
    edge_keys = {e.key for sl in loads for e in sl.edges.values()}
    node_ids = {n for sl in loads for n in sl.nodes}
    stale_ev, kept_ev = [], set()
    for v in store.iter_evidence(ordered=False):
        if v["source"] in ev_sources and v["key"] not in ev_keys:
            stale_ev.append(v["key"])
        else:
            kept_ev.add(v["edge_key"])
    stale_edges: list[str] = []
    touched: set[str] = set()
    for e in store.iter_edges(ordered=False):  # one pass: stale edges, and the ends of the kept ones
        if e["key"] not in edge_keys and e["key"] not in kept_ev:
            stale_edges.append(e["key"])
        else:
            touched.update((e["subject"], e["object"]))
    stale_nodes = [n["id"] for n in store.iter_nodes(ordered=False)
                   if n["id"] not in node_ids and n["id"] not in touched and n.get("source") in node_sources]
    return stale_edges, stale_ev, stale_nodes


def rebuild(store: Store, loads: Sequence[SourceLoad], *, strict: bool = False, fresh: bool = False,
            progress: Callable[[int], None] | None = None, phase: Callable[[str], None] | None = None) -> BuildReport:
    """Load ``loads`` so that the store ends up holding exactly this build (plus a user's own ingests).

    Crash-safe: a ``_build`` marker is set to ``building`` before anything is written and to
    ``complete`` (with the content hash, which becomes the graph version) after; a build that finds
    the marker still ``building`` — the last one was killed — starts from an empty store. Records
    of the rebuilt sources that the new build no longer holds are deleted, so a rebuild never
    keeps stale rows behind an old version.
    """
    check(loads, strict)
    marker = build_marker(store)
    interrupted = bool(marker and (marker.get("params") or {}).get("state") == "building")
    _mark(store, "building")
    if isinstance(store, BulkStore) and (fresh or interrupted or store.stats()["edges"] == 0):
        # the whole graph written beside the old one and swapped in: a kill leaves the old one
        report = bulk_load(store, loads, keep=[m for m in [build_marker(store)] if m], progress=progress, phase=phase)
        report.recovered = interrupted
        report.pruned = {"edges": 0, "evidence": 0, "nodes": 0}
        _mark(store, "complete", content=report.content)
        return report
    note = getattr(store, "bulk_note", None)  # e.g. a Neo4j server this project did not launch
    if note and (fresh or interrupted or store.stats()["edges"] == 0):
        logging.getLogger(__name__).warning(note)
    if fresh or interrupted:
        store.clear(keep_build_marker=True)  # killed while clearing, the marker still says "building"
    report = load(store, loads, strict=strict, progress=progress)
    edges, evidence, nodes = stale_records(store, loads)
    if edges or evidence or nodes:
        store.delete(edges, evidence, nodes)
    report.recovered = interrupted
    report.pruned = {"edges": len(edges), "evidence": len(evidence), "nodes": len(nodes)}
    _mark(store, "complete", content=content_hash(store))
    return report


def assemble(store: Store, cfg: dict[str, Any] | None = None, progress: Callable[[], None] | None = None) -> int:
    """Recompute the summary of every edge from all its evidence and write it back."""
    cfg = cfg or load_belief_config()
    grouped: dict[str, list[dict[str, Any]]] = {}
    for ev in store.iter_evidence():
        grouped.setdefault(ev["edge_key"], []).append(ev)
    edges = list(store.iter_edges())
    opposed = contested_pairs(edges)
    props = {}
    memo: dict[tuple[Any, ...], dict[str, Any]] = {}
    for e in edges:
        props[e["key"]] = summarise(grouped.get(e["key"], []), opposed.get(e["key"]), cfg, memo)
        if progress:
            progress()
    store.set_edge_props(props)
    return len(props)
