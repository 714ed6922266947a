"""What version of the graph a store holds: a hash of its content, stamped on every answer.

Read-side layers import this (not the loader) to say which graph an answer came from.
"""
from __future__ import annotations

import hashlib
from typing import Any, Iterable

from kg.records.model import stable_hash
from kg.store.base import Store

BUILD_SOURCE = "_build"  # provenance row marking a build: state building -> complete


def build_marker(store: Store) -> dict[str, Any] | None:
    """The provenance row of the last build (state building or complete), if any."""
    return next((p for p in store.provenance() if p["source"] == BUILD_SOURCE), None)


def content_hash(store: Store) -> str:
    """SHA-256 over what the store holds (node ids and names, edge keys, signs and beliefs, evidence
    keys): equal content, equal hash, on any store."""
    return rows_hash(store.iter_nodes(ordered=False), store.iter_edges(ordered=False),
                     store.iter_evidence(ordered=False))


def rows_hash(nodes: Iterable[dict[str, Any]], edges: Iterable[dict[str, Any]],
              evidence: Iterable[dict[str, Any]]) -> str:
    """:func:`content_hash` of rows in hand (a bulk rebuild hashes what it writes, not a read-back)."""
    h = hashlib.sha256()
    # small rows, sorted here: a server never has to sort a million full records
    parts = (sorted(f"n\t{n['id']}\t{n.get('category')}\t{n.get('name')}\n" for n in nodes),
             sorted(f"e\t{e['key']}\t{e.get('sign')}\t{e.get('belief')}\n" for e in edges),
             sorted(f"v\t{v['key']}\n" for v in evidence))
    for rows in parts:
        for row in rows:
            h.update(row.encode())
    return h.hexdigest()


def graph_version(store: Store) -> str:
    """The content hash of the last complete build (stamped on every answer and export); stores
    loaded without :func:`rebuild` fall back to a hash of their loads' (source, version, params)."""
    marker = build_marker(store)
    params = (marker or {}).get("params") or {}
    if params.get("state") == "complete" and params.get("content"):
        return "g-" + params["content"][:12]
    rows = [(p["source"], p["version"], p.get("params") or {}) for p in store.provenance()
            if p["source"] != BUILD_SOURCE]
    return "g-" + stable_hash(sorted(rows, key=lambda r: (r[0], r[1])), length=12)
