"""The batched, idempotent loader: source loads -> a store, with reconciled counts.

Records are merged by key, so loading twice changes nothing. Each batch is one
``upsert`` call (one transaction on Neo4j); provenance is written last, so an
interrupted load is visible and re-runnable. ``strict`` turns any rejection into a
failed build that writes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

from ingest.records import SourceLoad
from kg.belief import edge_summary, load_belief_config
from kg.model import Edge, stable_hash


class BuildError(RuntimeError):
    """A build refused to write (strict mode) or a store failed; nothing was committed by it."""


@dataclass
class BuildReport:
    sources: list[dict[str, Any]] = field(default_factory=list)
    nodes: int = 0
    edges: int = 0
    evidence: int = 0

    @property
    def rejected(self) -> int:
        return sum(s["rejected"] for s in self.sources)

    def to_dict(self) -> dict[str, Any]:
        return {"nodes_written": self.nodes, "edges_written": self.edges, "evidence_written": self.evidence,
                "rejected": self.rejected, "sources": self.sources}


def _batches(items: Sequence, size: int) -> Iterable[Sequence]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


def load(store, loads: Sequence[SourceLoad], *, strict: bool = False, batch_size: int = 10000,
         progress: Callable[[int], None] | None = None) -> BuildReport:
    """Write every source load into ``store``; compute beliefs; record provenance last.

    ``progress(n)`` is called with the number of records just written.
    """
    report = BuildReport()
    for sl in loads:
        if not sl.report.reconciles():
            raise BuildError(f"{sl.report.source}: counts do not reconcile ({sl.report.to_dict()})")
    if strict:
        bad = [str(r) for sl in loads for r in sl.report.rejected]
        if bad:
            shown = "\n  ".join(bad[:20])
            raise BuildError(f"--strict: {len(bad)} rejected row(s), nothing written:\n  {shown}")
    cfg = load_belief_config()
    # Evidence of this whole build per edge, so each edge is written once with its final belief
    # (no read-back pass over the store afterwards).
    build_ev: dict[str, dict[str, dict[str, Any]]] = {}
    for sl in loads:
        for v in sl.evidence.values():
            build_ev.setdefault(v.edge_key, {})[v.key] = v.to_dict()
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
            stored = store.evidence([e.key for e in batch])
            summarised = []
            for e in batch:
                rows = {r["key"]: r for r in stored.get(e.key, ())}
                rows.update(build_ev.get(e.key, {}))
                summary = edge_summary([rows[k] for k in sorted(rows)], cfg)
                summarised.append(Edge(e.subject, e.predicate, e.object, e.sign,
                                       tuple(sorted({**dict(e.props), **summary}.items()))))
            store.upsert([], summarised, ev)
            if progress:
                progress(len(batch) + len(ev))
        report.nodes += len(nodes)
        report.edges += len(edges)
        report.evidence += len(evidence)
        counts = {"read": sl.report.read, "loaded": sl.report.loaded, "rejected": len(sl.report.rejected),
                  "unmapped": sl.report.unmapped_rows, "nodes": len(nodes), "edges": len(edges),
                  "evidence": len(evidence)}
        store.record_provenance(sl.provenance, counts, sl.params)
        report.sources.append(sl.report.to_dict())
    store.flush()
    return report


def graph_version(store) -> str:
    """Hash of (source, version, params) of every load: stamped on every answer and export."""
    rows = [(p["source"], p["version"], p.get("params") or {}) for p in store.provenance()]
    return "g-" + stable_hash(sorted(rows, key=lambda r: (r[0], r[1])), length=12)
