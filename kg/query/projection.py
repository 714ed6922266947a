"""The walkable graph, read once per graph version: what every path search walks.

A store holds far more than a path can use: on a full build 98% of the edges are gene-set
memberships (``member_of`` into a module or pathway), which are only ever a path's endpoints, and
every edge carries its evidence. A :class:`Projection` holds just the walkable edges (one projected
read per store, :meth:`kg.store.base.Store.walk_edges`), the categories of their nodes and the
nodes' degrees, indexed by node. The search then walks it in memory with no store round trip;
endpoints (module members) and evidence are still read from the store, for the query at hand only.

:func:`cached` keeps one projection per store and graph version (the app, the notebook and the
hypothesis export ask many queries of one graph); a graph changed by a build or an ingest has a
new version, so its next query reads a new projection.

>>> from kg.store.embedded import EmbeddedStore
>>> from kg.records.model import Node, Edge
>>> s = EmbeddedStore("/nonexistent/g.json.gz")
>>> s.upsert([Node("HGNC:1", "gene", "A"), Node("HGNC:2", "gene", "B"), Node("M:1", "mechanism_module", "M")],
...          [Edge("HGNC:1", "activates", "HGNC:2", 1), Edge("HGNC:1", "member_of", "M:1", 1)], [])
>>> p = project(s)
>>> [e["predicate"] for e in p.edges_of(["HGNC:1"])], p.degrees["HGNC:1"], p.categories["HGNC:2"]
(['activates'], 2, 'gene')
"""
from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass, field
from typing import Any, Iterable

from kg.query.walk import load_path_config
from kg.records.bulk import gc_paused
from kg.store.base import Store
from kg.store.version import graph_version


@dataclass
class Projection:
    """Walkable edge rows (:data:`kg.store.base.WALK_FIELDS`, sorted by key), with node categories
    and (whole-graph) degrees; ``memo`` keeps what the path engine derives from them per filter set."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    categories: dict[str, str] = field(default_factory=dict)
    degrees: dict[str, int] = field(default_factory=dict)
    version: str = ""
    memo: dict[Any, Any] = field(default_factory=dict)

    @property
    def n_edges(self) -> int:
        return len(self.rows)

    def edges_of(self, ids: Iterable[str]) -> list[dict[str, Any]]:
        """The walkable edges touching any of ``ids``, sorted by key (an empty answer's note asks;
        the node index is built on the first call: a scan of 1M rows took 0.7 s per call)."""
        index = self.memo.get("by_node")
        if index is None:
            with gc_paused(freeze=True):
                index = {}
                for i, e in enumerate(self.rows):
                    index.setdefault(e["subject"], []).append(i)
                    if e["object"] != e["subject"]:
                        index.setdefault(e["object"], []).append(i)
            self.memo["by_node"] = index
        return [self.rows[i] for i in sorted({i for n in set(ids) for i in index.get(n, ())})]


def project(store: Store, version: str = "") -> Projection:
    """Read the walkable graph of ``store``: one projected edge read, then the categories and
    degrees of the nodes it touches (one call each)."""
    cfg = load_path_config()
    with gc_paused(freeze=True):  # a million rows: most of the read was the collector's (kg.records.bulk)
        rows = store.walk_edges(cfg["set_predicates"], cfg["walkable_groups"])
        ids = sorted({n for e in rows for n in (e["subject"], e["object"])})
        categories = {i: n.get("category", "") for i, n in store.nodes(ids).items()}
        return Projection(rows, categories, store.degrees(ids), version)


_cache: "weakref.WeakKeyDictionary[Any, Projection]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def cached(store: Store) -> Projection:
    """The projection of ``store`` at its current graph version, read once per version.

    The version is :func:`kg.store.version.graph_version` (one provenance read): every build and
    ingest records provenance, so a changed graph is never answered from an old projection. A caller
    that writes to the store without recording provenance should call :func:`project` itself.
    """
    version = graph_version(store)
    with _lock:
        hit = _cache.get(store)
        if hit is not None and hit.version == version:
            return hit
    fresh = project(store, version)
    with _lock:
        _cache[store] = fresh
    return fresh
