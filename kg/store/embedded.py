"""The embedded default store: a networkx MultiDiGraph saved to one gzipped JSON file.

No server. Writes go to memory and are saved atomically (temp file + rename) on ``flush``.

>>> import tempfile, pathlib
>>> from kg.records.model import Node, Edge
>>> s = EmbeddedStore(pathlib.Path(tempfile.mkdtemp()) / "g.json.gz")
>>> s.upsert([Node("HGNC:1", "gene", "A"), Node("HGNC:2", "gene", "B")], [Edge("HGNC:1", "activates", "HGNC:2", 1)], [])
>>> s.stats()["edges"]
1
"""
from __future__ import annotations

import gzip
import io
import json
import os
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

import networkx as nx

from kg.records.model import Edge, Evidence, Node, Provenance
from kg.store.base import guarded, merge_node_row, search_rank, sort_rows, umask_mode, walk_row

FORMAT_VERSION = 1


class EmbeddedStore:
    name = "embedded"

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.g = nx.MultiDiGraph()
        self._evidence: dict[str, dict[str, dict[str, Any]]] = {}
        self._edge_index: dict[str, tuple[str, str]] = {}
        self._prov: list[dict[str, Any]] = []
        self._dirty = False
        self._remove_stale_temp_files()
        if self.path.exists():
            self._read()

    # -- persistence ---------------------------------------------------------------
    def _remove_stale_temp_files(self, older_than_s: float = 6 * 3600) -> None:
        """Temp files of writers killed before their rename (old enough that no writer still owns them)."""
        import time

        if not self.path.parent.is_dir():
            return
        for tmp in self.path.parent.glob(".graph-*.tmp"):
            try:
                if time.time() - tmp.stat().st_mtime > older_than_s:
                    tmp.unlink()
            except OSError:
                pass

    def _read(self) -> None:
        with gzip.open(self.path, "rt", encoding="utf-8") as fh:
            data = json.load(fh)
        for n in data["nodes"]:
            self.g.add_node(n["id"], **n)
        for e in data["edges"]:
            self.g.add_edge(e["subject"], e["object"], e["key"])
            self.g.get_edge_data(e["subject"], e["object"], e["key"]).update(e)
            self._edge_index[e["key"]] = (e["subject"], e["object"])
        for ev in data["evidence"]:
            self._evidence.setdefault(ev["edge_key"], {})[ev["key"]] = ev
        self._prov = data.get("provenance", [])

    def flush(self) -> None:
        if not self._dirty and self.path.exists():
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".graph-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=5, mtime=0) as gz, \
                    io.TextIOWrapper(gz, encoding="utf-8") as fh:
                self._write_json(fh)
                fh.flush()
                gz.flush()
                raw.flush()
                os.fsync(raw.fileno())  # the bytes are on disk before the new file replaces the old
            os.chmod(tmp, umask_mode())  # as a plain open() would have made it, not mkstemp's 0600
            os.replace(tmp, self.path)
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)  # and so is the rename
            finally:
                os.close(dir_fd)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._dirty = False

    def _write_json(self, fh) -> None:
        """Stream the graph as one JSON object, row by row (a large graph is never one string in memory).

        The layout equals ``json.dumps(data, sort_keys=True)`` of
        ``{"evidence": [...], "edges": [...], "format": 1, "nodes": [...], "provenance": [...]}``.
        """
        def rows(name: str, items) -> None:
            fh.write(f'"{name}": [')
            for i, row in enumerate(items):
                fh.write((", " if i else "") + json.dumps(row, ensure_ascii=False, sort_keys=True))
            fh.write("]")

        fh.write("{")
        rows("edges", self.iter_edges())
        fh.write(", ")
        rows("evidence", self.iter_evidence())
        fh.write(f', "format": {FORMAT_VERSION}, ')
        rows("nodes", self.iter_nodes())
        fh.write(", ")
        rows("provenance", self._prov)
        fh.write("}")

    def close(self) -> None:
        self.flush()

    def clear(self, keep_build_marker: bool = False) -> None:
        """Empty the graph (with ``keep_build_marker``, the ``_build`` provenance row stays)."""
        self.g.clear()
        self._evidence.clear()
        self._edge_index.clear()
        self._prov = [p for p in self._prov if keep_build_marker and p["source"] == "_build"]
        self._dirty = True

    def delete(self, edge_keys: Iterable[str] = (), evidence_keys: Iterable[str] = (),
               node_ids: Iterable[str] = ()) -> None:
        """Remove edges (with their evidence), single evidence rows, and nodes (with their edges)."""
        for k in edge_keys:
            if k in self._edge_index:
                s, o = self._edge_index.pop(k)
                self.g.remove_edge(s, o, k)
            self._evidence.pop(k, None)
        ev_keys = set(evidence_keys)
        for ek in list(self._evidence):
            rows = self._evidence[ek]
            for vk in ev_keys & set(rows):
                del rows[vk]
            if ek in self._edge_index:
                s, o = self._edge_index[ek]
                self.g.get_edge_data(s, o, ek)["n_evidence"] = len(rows)
        for n in node_ids:
            if n in self.g:
                for s, o, k in list(self.g.in_edges(n, keys=True)) + list(self.g.out_edges(n, keys=True)):
                    self._edge_index.pop(k, None)
                    self._evidence.pop(k, None)
                self.g.remove_node(n)
        self._dirty = True

    # -- write side ----------------------------------------------------------------
    def upsert(self, nodes: Sequence[Node], edges: Sequence[Edge], evidence: Sequence[Evidence]) -> None:
        node_rows = [n.to_dict() for n in nodes]
        edge_rows = [e.to_dict() for e in edges]
        ev_rows = [v.to_dict() for v in evidence]
        new_ids = {r["id"] for r in node_rows}  # no copy of the whole graph per batch: loads stay linear
        for r in edge_rows:  # check everything before touching the graph: all or nothing
            for end in (r["subject"], r["object"]):
                if end not in self.g and end not in new_ids:
                    raise ValueError(f"edge {r['subject']} {r['predicate']} {r['object']}: unknown node {end}")
        new_keys = {r["key"] for r in edge_rows}
        for v in ev_rows:
            if v["edge_key"] not in self._edge_index and v["edge_key"] not in new_keys:
                raise ValueError(f"evidence {v['key']} points at unknown edge {v['edge_key']}")
        for r in node_rows:
            if r["id"] in self.g:
                self.g.nodes[r["id"]].update(merge_node_row(self.g.nodes[r["id"]], r))
            else:
                self.g.add_node(r["id"], **r)
        for r in edge_rows:
            if r["key"] in self._edge_index:
                self.g.get_edge_data(r["subject"], r["object"], r["key"]).update(r)
            else:
                r.setdefault("belief", None)
                self.g.add_edge(r["subject"], r["object"], r["key"])
                self.g.get_edge_data(r["subject"], r["object"], r["key"]).update(r)
                self._edge_index[r["key"]] = (r["subject"], r["object"])
        for v in ev_rows:
            self._evidence.setdefault(v["edge_key"], {})[v["key"]] = v
        for k in {v["edge_key"] for v in ev_rows}:
            s, o = self._edge_index[k]
            self.g.get_edge_data(s, o, k)["n_evidence"] = len(self._evidence[k])
        self._dirty = True

    def set_edge_props(self, props: dict[str, dict[str, Any]]) -> None:
        for k, p in props.items():
            if k in self._edge_index:
                s, o = self._edge_index[k]
                self.g.get_edge_data(s, o, k).update(p)
        self._dirty = True

    def record_provenance(self, prov: Provenance, counts: dict[str, int], params: dict[str, Any]) -> None:
        row = {**prov.to_dict(), "counts": counts, "params": params}
        self._prov = [p for p in self._prov if (p["source"], p["version"]) != (prov.source, prov.version)] + [row]
        self._dirty = True

    # -- read side -----------------------------------------------------------------
    def node(self, node_id: str) -> dict[str, Any] | None:
        return dict(self.g.nodes[node_id]) if node_id in self.g else None

    def nodes(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {i: dict(self.g.nodes[i]) for i in ids if i in self.g}

    def search(self, text: str, limit: int = 10) -> list[dict[str, Any]]:
        hits = []
        for _, row in self.g.nodes(data=True):
            r = search_rank(text, row)
            if r is not None:
                hits.append((r, row))
        hits.sort(key=lambda h: (h[0][0], -self.g.degree(h[1]["id"]), h[0][1]))
        return [dict(row) for _, row in hits[:limit]]

    def edges_of(self, ids: Iterable[str], direction: str = "out") -> list[dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for i in ids:
            if i not in self.g:
                continue
            if direction in ("out", "both"):
                for _, _, d in self.g.out_edges(i, data=True):
                    out[d["key"]] = dict(d)
            if direction in ("in", "both"):
                for _, _, d in self.g.in_edges(i, data=True):
                    out[d["key"]] = dict(d)
        return sort_rows(list(out.values()))

    def edges(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        found = ((k, self._edge_index.get(k)) for k in keys)
        return {k: dict(self.g.get_edge_data(*ends, k)) for k, ends in found if ends is not None}

    def evidence(self, edge_keys: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        return {k: sort_rows([dict(v) for v in self._evidence.get(k, {}).values()]) for k in edge_keys}

    def walk_edges(self, set_predicates: Sequence[str], group_categories: Sequence[str]) -> list[dict[str, Any]]:
        sets, groups, cat = set(set_predicates), set(group_categories), self.g.nodes
        return sort_rows([walk_row(d) for _, o, d in self.g.edges(data=True)
                          if d["predicate"] not in sets or cat[o].get("category") in groups])

    def degrees(self, ids: Iterable[str]) -> dict[str, int]:
        return {i: (self.g.degree(i) if i in self.g else 0) for i in ids}

    def iter_nodes(self, ordered: bool = True) -> Iterator[dict[str, Any]]:
        for i in sorted(self.g.nodes):
            yield dict(self.g.nodes[i])

    def iter_edges(self, ordered: bool = True) -> Iterator[dict[str, Any]]:
        for k in sorted(self._edge_index):
            s, o = self._edge_index[k]
            yield dict(self.g.get_edge_data(s, o, k))

    def iter_evidence(self, ordered: bool = True) -> Iterator[dict[str, Any]]:
        for k in sorted(self._evidence):
            for vk in sorted(self._evidence[k]):
                yield dict(self._evidence[k][vk])

    def read_cypher(self, query: str, params: dict[str, Any] | None = None, *, timeout_s: float = 10.0,
                    row_limit: int = 1000) -> dict[str, Any]:
        """A labelled subset of Cypher over a read-only view (see :mod:`kg.store.embedded_cypher`)."""
        from kg.store import embedded_cypher  # noqa: PLC0415 - grand-cypher loads only for the console

        guarded(query)
        return embedded_cypher.run(self, query, dict(params or {}), timeout_s, row_limit)

    def provenance(self) -> list[dict[str, Any]]:
        return sorted((dict(p) for p in self._prov), key=lambda p: (p["source"], p["version"]))

    def stats(self) -> dict[str, Any]:
        by_cat = Counter(d.get("category") for _, d in self.g.nodes(data=True))
        by_pred = Counter(d.get("predicate") for _, _, d in self.g.edges(data=True))
        return {"nodes": self.g.number_of_nodes(), "edges": self.g.number_of_edges(),
                "evidence": sum(len(v) for v in self._evidence.values()),
                "by_category": dict(sorted(by_cat.items())), "by_predicate": dict(sorted(by_pred.items()))}
