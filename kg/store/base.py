"""The Store protocol: what every store can do, write side and read side.

Rows cross this boundary as plain dicts (``Node.to_dict()``, ``Edge.to_dict()``,
``Evidence.to_dict()``), so the query layer never sees a driver type.
"""
from __future__ import annotations

import os
from typing import Any, Iterable, Iterator, Protocol, Sequence, runtime_checkable

from kg.records.model import Edge, Evidence, Node, Provenance


class StoreError(RuntimeError):
    """A store cannot be reached or refused an operation; the message says what to do.

    ``unreachable`` is true when the store itself went away (not a problem of the request)."""

    def __init__(self, message: str, *, unreachable: bool = False):
        super().__init__(message)
        self.unreachable = unreachable


class Store(Protocol):
    name: str

    # -- write side ----------------------------------------------------------------
    def upsert(self, nodes: Sequence[Node], edges: Sequence[Edge], evidence: Sequence[Evidence]) -> None:
        """Merge records; all or nothing per call. Evidence accumulates on its edge."""

    def set_edge_props(self, props: dict[str, dict[str, Any]]) -> None:
        """Set computed properties (belief, contested, n_papers) on edges by key."""

    def record_provenance(self, prov: Provenance, counts: dict[str, int], params: dict[str, Any]) -> None:
        """Record a source load, last, so an interrupted load is visible."""

    def clear(self, keep_build_marker: bool = False) -> None:
        """Empty the store (with ``keep_build_marker``, the ``_build`` provenance row stays)."""

    def delete(self, edge_keys: Iterable[str] = (), evidence_keys: Iterable[str] = (),
               node_ids: Iterable[str] = ()) -> None:
        """Remove edges (with their evidence), single evidence rows, and nodes (with their edges)."""

    def flush(self) -> None:
        """Persist pending changes (no-op for servers)."""

    # -- read side -----------------------------------------------------------------
    def node(self, node_id: str) -> dict[str, Any] | None: ...

    def nodes(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]: ...

    def search(self, text: str, limit: int = 10) -> list[dict[str, Any]]:
        """Nodes whose id, name or synonym matches ``text``: exact first, then prefix, then substring."""

    def edges_of(self, ids: Iterable[str], direction: str = "out") -> list[dict[str, Any]]:
        """Edges leaving (``out``), entering (``in``) or touching (``both``) the given nodes."""

    def edges(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        """Full edge rows by key (unknown keys are left out)."""

    def evidence(self, edge_keys: Iterable[str]) -> dict[str, list[dict[str, Any]]]: ...

    def walk_edges(self, set_predicates: Sequence[str], group_categories: Sequence[str]) -> list[dict[str, Any]]:
        """Every edge a path may walk, as :func:`walk_row` rows (the :data:`WALK_FIELDS` only) sorted
        by key, in one projected read: all edges but the set edges (``set_predicates``) into nodes
        whose category is not in ``group_categories`` (module and pathway memberships, 98% of a full
        build, are only ever a path's endpoints and are read per endpoint)."""

    def degrees(self, ids: Iterable[str]) -> dict[str, int]: ...

    # ``ordered=False``: any order (cheaper on a server); the default is a stable order by key.
    def iter_nodes(self, ordered: bool = True) -> Iterator[dict[str, Any]]: ...

    def iter_edges(self, ordered: bool = True) -> Iterator[dict[str, Any]]: ...

    def iter_evidence(self, ordered: bool = True) -> Iterator[dict[str, Any]]: ...

    def provenance(self) -> list[dict[str, Any]]: ...

    def stats(self) -> dict[str, Any]: ...

    def read_cypher(self, query: str, params: dict[str, Any] | None = None, *, timeout_s: float = 10.0,
                    row_limit: int = 1000) -> dict[str, Any]:
        """Run one read-only statement (checked by :func:`kg.store.cypher_guard.check` first) with a
        timeout and a row limit: ``{"columns", "rows", "truncated", "nodes", "relationships", "engine"}``.
        Refusals and engine errors are :class:`StoreError`."""

    def close(self) -> None: ...


@runtime_checkable
class BulkStore(Store, Protocol):
    """A store that can replace its whole content in one step, written beside the old content and
    swapped in at the end (a kill leaves the old graph): rebuilds use it instead of upserts."""

    def replace_all(self, nodes: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]],
                    evidence: Sequence[dict[str, Any]], provenance: Sequence[dict[str, Any]]) -> None:
        """Hold exactly these rows (as ``to_dict()`` gives them, edge summaries included)."""


def umask_mode(mode: int = 0o666) -> int:
    """``mode`` as the process umask would leave it for a new file (e.g. 0o644 under umask 022)."""
    mask = os.umask(0)
    os.umask(mask)
    return mode & ~mask


#: What a walk reads of an edge: its ends, its sign and belief, and what the path filters test.
WALK_FIELDS = ("key", "subject", "object", "predicate", "sign", "belief", "species", "designs", "sources")


def walk_row(row: dict[str, Any]) -> dict[str, Any]:
    """An edge row cut to :data:`WALK_FIELDS`, the same on every store (absent lists are empty).

    >>> walk_row({"key": "k", "subject": "A", "object": "B", "predicate": "activates", "sign": 1,
    ...           "n_papers": 3, "species": ["human"]})["species"], walk_row({"key": "k", "subject": "A",
    ...           "object": "B", "predicate": "activates"})["designs"]
    (['human'], [])
    """
    return {"key": row["key"], "subject": row["subject"], "object": row["object"], "predicate": row["predicate"],
            "sign": int(row.get("sign") or 0), "belief": row.get("belief"),
            "species": list(row.get("species") or ()), "designs": list(row.get("designs") or ()),
            "sources": list(row.get("sources") or ())}


def sort_rows(rows: list[dict[str, Any]], key: str = "key") -> list[dict[str, Any]]:
    """Deterministic order for rows coming out of any store."""
    return sorted(rows, key=lambda r: str(r.get(key)))


def search_rank(text: str, row: dict[str, Any]) -> tuple[int, str] | None:
    """Rank of ``row`` for a search: 0 exact id/name, 1 exact synonym, 2 prefix, 3 substring."""
    t = text.strip().lower()
    if not t:
        return None
    name = str(row.get("name", "")).lower()
    rid = str(row.get("id", "")).lower()
    syns = [str(s).lower() for s in row.get("synonyms") or ()]
    if t in (rid, name):
        return (0, rid)
    if t in syns:
        return (1, rid)
    if name.startswith(t) or any(s.startswith(t) for s in syns):
        return (2, rid)
    if t in name or t in rid or any(t in s for s in syns):
        return (3, rid)
    return None


def merge_node_row(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """The node row a store keeps after upserting ``new`` over ``old`` (the same rule on every store).

    Synonyms and xrefs are unioned (sorted); other fields are overwritten by non-empty new values.

    >>> merge_node_row({"id": "X:1", "name": "a", "synonyms": ["b"], "xrefs": []},
    ...                {"id": "X:1", "name": "", "synonyms": ["c"], "xrefs": []})["synonyms"]
    ['b', 'c']
    """
    if old is None:
        return dict(new)
    merged = dict(old)
    merged.update({k: v for k, v in new.items() if v not in (None, "", [])})
    merged["synonyms"] = sorted(set(old.get("synonyms", [])) | set(new.get("synonyms", [])))
    merged["xrefs"] = sorted(set(old.get("xrefs", [])) | set(new.get("xrefs", [])))
    return merged


def guarded(query: str) -> None:
    """Refuse anything but one read-only statement at the store boundary too (the console checks
    first and explains; this keeps a direct caller of ``read_cypher`` inside the same fence)."""
    from kg.store import cypher_guard  # noqa: PLC0415 - the tokenizer is only needed by consoles

    try:
        cypher_guard.check(query)
    except cypher_guard.GuardError as exc:
        raise StoreError(str(exc)) from None

