"""An embedded graph database store: LadybugDB (the maintained continuation of Kùzu), on disk, Cypher.

Opt in with ``KG_STORE=ladybug`` (the file is ``KG_HOME/graph.lbug``). The schema is generic, so
predicates and categories stay open-ended as in the ontology:

- ``(:Entity {id, category, name, synonyms, row})`` with ``id`` the primary key;
- ``(:Entity)-[:REL {key, predicate, sign, belief}]->(:Entity)``: what a walk or a console query needs;
- ``(:EdgeIndex {key, subject, object, predicate, evidence, row})``: rel properties cannot be indexed
  here, so edges are found by key through this node table (primary-key lookups, milliseconds);
- ``(:Evidence {key, edge_key, row})`` and ``(:Provenance {pk, source, row})``.

``row`` holds the full record as JSON, so every store returns the same dicts (the contract suite runs
on all three). Writes are one transaction per call (all or nothing) and use primary-key lookups
followed by ``SET`` or ``CREATE``: ``UNWIND … MERGE`` plans as a cross product here (170-250 rows/s,
measured). A second writing process gets a clear "store busy" error (the engine's file lock).

The console (``read_cypher``) runs the engine's own Cypher behind the project's gate
(:func:`kg.store.base.guarded`): the engine has no switch for file access (``LOAD FROM`` reads any file
even on a read-only database, ``COPY … TO`` writes one, one table function crashes the process), so the
gate is what keeps it sealed; queries are interrupted after ``timeout_s``. Fields only the ``row`` JSON
holds are read with ``row_field(x.row, "citation")`` (:func:`row_field`): the engine's JSON functions are
an extension, which the gate cannot let a console load.

>>> import tempfile
>>> from kg.records.model import Edge, Node
>>> s = LadybugStore(tempfile.mkdtemp() + "/graph.lbug")
>>> s.upsert([Node("HGNC:1", "gene", "A"), Node("HGNC:2", "gene", "B")], [Edge("HGNC:1", "activates", "HGNC:2", 1)], [])
>>> s.stats()["edges"], s.edges_of(["HGNC:2"], "in")[0]["predicate"]
(1, 'activates')
>>> s.close()
"""
from __future__ import annotations

import json
import math
import os
from collections import Counter
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Sequence

import ladybug
import orjson

from kg.records.model import Edge, Evidence, Node, Provenance
from kg.store.base import WALK_FIELDS, StoreError, guarded, merge_node_row, search_rank, sort_rows, walk_row

#: EdgeIndex's columns a walk reads besides its ends (:data:`kg.store.base.WALK_FIELDS`), so a
#: projection decodes no JSON; a file written before they existed gets them when opened for writing
#: (:meth:`LadybugStore._upgrade`).
ADDED_COLUMNS = (("sign", "INT64"), ("belief", "DOUBLE"), ("species", "STRING[]"), ("designs", "STRING[]"),
                 ("sources", "STRING[]"))
WALK_COLUMNS = ", ".join(f"x.{f}" for f in WALK_FIELDS)
SCHEMA = (
    "CREATE NODE TABLE IF NOT EXISTS Entity(id STRING PRIMARY KEY, category STRING, name STRING, "
    "synonyms STRING[], row STRING)",
    "CREATE REL TABLE IF NOT EXISTS REL(FROM Entity TO Entity, key STRING, predicate STRING, sign INT64, "
    "belief DOUBLE)",
    "CREATE NODE TABLE IF NOT EXISTS EdgeIndex(key STRING PRIMARY KEY, subject STRING, object STRING, "
    "predicate STRING, evidence STRING[], row STRING, " + ", ".join(f"{c} {t}" for c, t in ADDED_COLUMNS) + ")",
    "CREATE NODE TABLE IF NOT EXISTS Evidence(key STRING PRIMARY KEY, edge_key STRING, row STRING)",
    "CREATE NODE TABLE IF NOT EXISTS Provenance(pk STRING PRIMARY KEY, source STRING, row STRING)",
)
#: Buffer pool (MiB): the engine's default is most of the machine's RAM. A reader (the app, a query)
#: needs little: paths walk an in-memory projection, so 64 MiB keeps a full-build query process small.
DEFAULT_BUFFER_MB = 512
READ_ONLY_BUFFER_MB = 64
#: Keys per primary-key read (a result lives in the buffer pool: 50k JSON rows overflowed a 64 MiB
#: pool on a 1M-edge graph, 20k did not).
PK_CHUNK = 10_000
#: Keys per page when a whole table's keys are read (100k pages read 1.18M keys in 2.5 s in 64 MiB).
KEY_PAGE = 100_000


# files the engine keeps beside a database (write-ahead log, its checkpoint copy, shadow pages, temp):
# one left by a killed process belongs to a database that is gone and stops the next one from opening
SIDECARS = (".wal", ".wal.checkpoint", ".shadow", ".tmp")


def remove_sidecars(db_path: Path) -> None:
    """Delete the engine's side files of ``db_path`` (not the database itself)."""
    for suffix in SIDECARS:
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)


def _dump(row: dict[str, Any]) -> str:
    """A row as stored (JSON, sorted keys); orjson writes a full build's 2.4M rows 5x faster than json.

    orjson writes NaN and infinities as null and refuses ints over 64 bits; such rows go through json,
    so every value reads back as it was written.

    >>> _dump({"b": None, "a": float("nan")}), _dump({"a": 1, "b": [None]})
    ('{"a": NaN, "b": null}', '{"a":1,"b":[null]}')
    """
    try:
        out = orjson.dumps(row, option=orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS)
    except (TypeError, orjson.JSONEncodeError):
        return json.dumps(row, ensure_ascii=False, sort_keys=True)
    if b"null" in out and _non_finite(row):
        return json.dumps(row, ensure_ascii=False, sort_keys=True)
    return out.decode()


def _non_finite(v: Any) -> bool:
    """Whether ``v`` holds a NaN or an infinity anywhere (a loop, not a call per value: it runs on
    every row that holds a null, most of a full build's 2.4M).

    >>> _non_finite({"a": [1, {"b": float("inf")}]}), _non_finite({"a": ["x", None, 1.5]})
    (True, False)
    """
    stack = [v]
    while stack:
        x = stack.pop()
        t = type(x)
        if t is str or t is int or x is None:
            continue
        if isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
        elif isinstance(x, float) and not math.isfinite(x):
            return True
    return False


def _edge_param(row: dict[str, Any], evidence_keys: list[str]) -> dict[str, Any]:
    """One edge as the write queries take it: the walk fields, its evidence keys and the full row."""
    return {"k": row["key"], "s": row["subject"], "o": row["object"], "p": row["predicate"],
            "sign": int(row.get("sign") or 0), "b": row.get("belief"), "evs": evidence_keys, "row": _dump(row),
            "sp": list(row.get("species") or ()), "de": list(row.get("designs") or ()),
            "so": list(row.get("sources") or ())}


def _walk(r: list[Any]) -> dict[str, Any]:
    """A walk row from the :data:`WALK_COLUMNS` of one EdgeIndex row."""
    return walk_row(dict(zip(WALK_FIELDS, r)))


def _bulk_tables(nodes: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]],
                 evidence: Sequence[dict[str, Any]], provenance: Sequence[dict[str, Any]]) -> Iterator[tuple[str, Any]]:
    """The Arrow table of each table of :data:`SCHEMA`, in ``COPY`` order, each made when asked for."""
    import pyarrow as pa

    yield "Entity", pa.table({
        "id": [r["id"] for r in nodes], "category": [r.get("category") or "" for r in nodes],
        "name": [r.get("name") or "" for r in nodes],
        "synonyms": pa.array([list(r.get("synonyms") or []) for r in nodes], pa.list_(pa.string())),
        "row": [_dump(r) for r in nodes]})
    keys, subjects, objects = [r["key"] for r in edges], [r["subject"] for r in edges], [r["object"] for r in edges]
    predicates = [r["predicate"] for r in edges]
    signs = pa.array([int(r.get("sign") or 0) for r in edges], pa.int64())
    beliefs = pa.array([r.get("belief") for r in edges], pa.float64())
    yield "REL", pa.table({"from": subjects, "to": objects, "key": keys, "predicate": predicates, "sign": signs,
                           "belief": beliefs})
    evs_of: dict[str, list[str]] = {}
    for v in evidence:
        evs_of.setdefault(v["edge_key"], []).append(v["key"])
    yield "EdgeIndex", pa.table({
        "key": keys, "subject": subjects, "object": objects, "predicate": predicates,
        "evidence": pa.array([sorted(evs_of.get(k, [])) for k in keys], pa.list_(pa.string())),
        "row": [_dump(r) for r in edges], "sign": signs, "belief": beliefs,
        **{f: pa.array([list(r.get(f) or ()) for r in edges], pa.list_(pa.string()))
           for f in ("species", "designs", "sources")}})
    del evs_of
    yield "Evidence", pa.table({"key": [v["key"] for v in evidence], "edge_key": [v["edge_key"] for v in evidence],
                                "row": [_dump(v) for v in evidence]})
    yield "Provenance", pa.table({"pk": [json.dumps([p["source"], p["version"]]) for p in provenance],
                                  "source": [p["source"] for p in provenance],
                                  "row": [_dump(p) for p in provenance]})


class LadybugStore:
    name = "ladybug"
    _console_conn: ladybug.Connection | None = None  # the connection the console's row_field is on

    def __init__(self, path: Path | str, *, read_only: bool = False, buffer_mb: int | None = None):
        self.path = Path(path)
        self.read_only = read_only
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        mb = buffer_mb or int(os.environ.get("KG_LADYBUG_BUFFER_MB",
                                             READ_ONLY_BUFFER_MB if read_only else DEFAULT_BUFFER_MB))
        self.db_buffer = mb << 20
        try:
            self.db = ladybug.Database(str(self.path), read_only=read_only, buffer_pool_size=self.db_buffer,
                                       max_num_threads=1)
        except RuntimeError as exc:
            if "lock" in str(exc).lower():
                raise StoreError(f"store busy: {self.path} is open for writing by another process; wait for it "
                                 f"to finish (or open read-only) ({exc})") from None
            raise StoreError(f"cannot open the LadybugDB store {self.path}: {exc}") from None
        self.conn = ladybug.Connection(self.db)
        if not read_only:
            for ddl in SCHEMA:
                self.conn.execute(ddl)
        missing = self._missing_columns()
        if missing and read_only:
            raise StoreError(f"{self.path} was written by an earlier version (EdgeIndex lacks {', '.join(missing)}): "
                             "open it once for writing (e.g. `kg stats`) or rebuild it (`kg build`)")
        if missing:
            self._upgrade(missing)

    def _missing_columns(self) -> list[str]:
        have = {r[1] for r in self._q("CALL table_info('EdgeIndex') RETURN *")}
        return [c for c, _ in ADDED_COLUMNS if c not in have]

    def _upgrade(self, missing: list[str]) -> None:
        """Add the walk columns to a file written before them, filled from each edge's JSON row."""
        types = dict(ADDED_COLUMNS)

        def work() -> None:
            for c in missing:
                self.conn.execute(f"ALTER TABLE EdgeIndex ADD {c} {types[c]}")
            keys = [k for (k,) in self._q("MATCH (x:EdgeIndex) RETURN x.key")]
            for i in range(0, len(keys), PK_CHUNK):
                rows = [_edge_param(json.loads(row), list(evs or [])) for _, row, evs in
                        self._rows_by_pk("EdgeIndex", "key", keys[i:i + PK_CHUNK], "x.row, x.evidence")]
                self._set_index(rows)

        self._write(work)

    # -- plumbing --------------------------------------------------------------------
    def _result(self, query: str, params: dict[str, Any]) -> ladybug.QueryResult:
        result = self.conn.execute(query, params)
        if isinstance(result, list):  # several statements: the gate refuses them before they get here
            raise StoreError("one statement at a time")
        return result

    def _q(self, query: str, **params: Any) -> list[list[Any]]:
        return [list(r) for r in self._result(query, params).get_all()]

    def _rows_by_pk(self, table: str, pk: str, keys: Iterable[str], cols: str = "x.row") -> list[list[Any]]:
        keys = list(dict.fromkeys(keys))
        out: list[list[Any]] = []
        # a query's result lives in the buffer pool: read in chunks that a reader's small pool holds
        for i in range(0, len(keys), PK_CHUNK):
            out += self._q(f"UNWIND $keys AS k MATCH (x:{table} {{{pk}: k}}) RETURN x.{pk}, {cols}",
                           keys=keys[i:i + PK_CHUNK])
        return out

    def _write(self, work: Any) -> None:
        if self.read_only:
            raise StoreError(f"{self.path} is open read-only")
        self.conn.execute("BEGIN TRANSACTION")
        try:
            work()
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- write side ----------------------------------------------------------------
    def upsert(self, nodes: Sequence[Node], edges: Sequence[Edge], evidence: Sequence[Evidence]) -> None:
        node_rows = {n.id: n.to_dict() for n in nodes}
        edge_rows = {e.key: e.to_dict() for e in edges}
        ev_rows = {v.key: v.to_dict() for v in evidence}
        old_nodes = {k: json.loads(r) for k, r in self._rows_by_pk("Entity", "id", node_rows)}
        ends = {end for r in edge_rows.values() for end in (r["subject"], r["object"])} - set(node_rows)
        known = {k for k, _ in self._rows_by_pk("Entity", "id", ends, "x.id")}
        for r in edge_rows.values():  # check everything before writing: all or nothing
            for end in (r["subject"], r["object"]):
                if end not in known and end not in node_rows:
                    raise ValueError(f"edge {r['subject']} {r['predicate']} {r['object']}: unknown node {end}")
        touched_keys = set(edge_rows) | {v["edge_key"] for v in ev_rows.values()}
        old_edges = {k: (json.loads(row), list(evs or [])) for k, row, evs in
                     self._rows_by_pk("EdgeIndex", "key", touched_keys, "x.row, x.evidence")}
        for v in ev_rows.values():
            if v["edge_key"] not in old_edges and v["edge_key"] not in edge_rows:
                raise ValueError(f"evidence {v['key']} points at unknown edge {v['edge_key']}")
        old_ev = {k for k, _ in self._rows_by_pk("Evidence", "key", ev_rows, "x.key")}

        new_nodes = [r for k, r in node_rows.items() if k not in old_nodes]
        set_nodes = [merge_node_row(old_nodes[k], r) for k, r in node_rows.items() if k in old_nodes]
        # the edge rows after this call, with their evidence lists and counts
        final: dict[str, tuple[dict[str, Any], list[str]]] = {}
        for k, (row, evs) in old_edges.items():
            final[k] = ({**row, **edge_rows.get(k, {})}, evs)
        for k, r in edge_rows.items():
            if k not in old_edges:
                final[k] = ({"belief": None, **r}, [])
        by_edge: dict[str, set[str]] = {}
        for v in ev_rows.values():
            by_edge.setdefault(v["edge_key"], set()).add(v["key"])
        for k, added in by_edge.items():
            row, evs = final[k]
            evs = sorted(set(evs) | added)
            final[k] = ({**row, "n_evidence": len(evs)}, evs)

        def work() -> None:
            if new_nodes:
                self.conn.execute("UNWIND $rows AS r CREATE (:Entity {id: r.id, category: r.category, name: r.name, "
                                  "synonyms: CAST(r.synonyms AS STRING[]), row: r.row})",
                                  {"rows": [{**self._node_param(r)} for r in new_nodes]})
            if set_nodes:
                self.conn.execute("UNWIND $rows AS r MATCH (n:Entity {id: r.id}) SET n.category = r.category, "
                                  "n.name = r.name, n.synonyms = CAST(r.synonyms AS STRING[]), n.row = r.row",
                                  {"rows": [self._node_param(r) for r in set_nodes]})
            created = [_edge_param(*final[k]) for k in sorted(final) if k not in old_edges]
            updated = [_edge_param(*final[k]) for k in sorted(final) if k in old_edges]
            if created:
                self.conn.execute("UNWIND $rows AS r MATCH (a:Entity {id: r.s}) MATCH (b:Entity {id: r.o}) "
                                  "CREATE (a)-[:REL {key: r.k, predicate: r.p, sign: CAST(r.sign AS INT64), "
                                  "belief: CAST(r.b AS DOUBLE)}]->(b)", {"rows": created})
                self.conn.execute("UNWIND $rows AS r CREATE (:EdgeIndex {key: r.k, subject: r.s, object: r.o, "
                                  "predicate: r.p, evidence: CAST(r.evs AS STRING[]), row: r.row, "
                                  "sign: CAST(r.sign AS INT64), belief: CAST(r.b AS DOUBLE), "
                                  "species: CAST(r.sp AS STRING[]), designs: CAST(r.de AS STRING[]), "
                                  "sources: CAST(r.so AS STRING[])})", {"rows": created})
            if updated:
                self._set_edges(updated)
            new_ev = [{"k": k, "e": v["edge_key"], "row": _dump(v)} for k, v in sorted(ev_rows.items())
                      if k not in old_ev]
            set_ev = [{"k": k, "row": _dump(v)} for k, v in sorted(ev_rows.items()) if k in old_ev]
            if new_ev:
                self.conn.execute("UNWIND $rows AS r CREATE (:Evidence {key: r.k, edge_key: r.e, row: r.row})",
                                  {"rows": new_ev})
            if set_ev:
                self.conn.execute("UNWIND $rows AS r MATCH (v:Evidence {key: r.k}) SET v.row = r.row", {"rows": set_ev})

        self._write(work)

    @staticmethod
    def _node_param(r: dict[str, Any]) -> dict[str, Any]:
        return {"id": r["id"], "category": r.get("category") or "", "name": r.get("name") or "",
                "synonyms": list(r.get("synonyms") or []), "row": _dump(r)}

    def _set_edges(self, rows: list[dict[str, Any]]) -> None:
        """Write edge rows that exist already: the index row, and the walkable fields on the rel."""
        self._set_index(rows)
        self.conn.execute("UNWIND $rows AS r MATCH (a:Entity {id: r.s})-[e:REL]->(b:Entity {id: r.o}) WHERE e.key = r.k "
                          "SET e.sign = CAST(r.sign AS INT64), e.belief = CAST(r.b AS DOUBLE)", {"rows": rows})

    def _set_index(self, rows: list[dict[str, Any]]) -> None:
        self.conn.execute("UNWIND $rows AS r MATCH (x:EdgeIndex {key: r.k}) SET x.evidence = CAST(r.evs AS STRING[]), "
                          "x.row = r.row, x.sign = CAST(r.sign AS INT64), x.belief = CAST(r.b AS DOUBLE), "
                          "x.species = CAST(r.sp AS STRING[]), x.designs = CAST(r.de AS STRING[]), "
                          "x.sources = CAST(r.so AS STRING[])", {"rows": rows})

    def set_edge_props(self, props: dict[str, dict[str, Any]]) -> None:
        found = self._rows_by_pk("EdgeIndex", "key", props, "x.row, x.evidence")
        rows = [_edge_param({**json.loads(row), **props[k]}, list(evs or [])) for k, row, evs in found]
        if rows:
            self._write(lambda: self._set_edges(rows))

    def record_provenance(self, prov: Provenance, counts: dict[str, int], params: dict[str, Any]) -> None:
        row = {**prov.to_dict(), "counts": counts, "params": params}
        pk = json.dumps([prov.source, prov.version])

        def work() -> None:
            self.conn.execute("MATCH (p:Provenance {pk: $pk}) DELETE p", {"pk": pk})
            self.conn.execute("CREATE (:Provenance {pk: $pk, source: $source, row: $row})",
                              {"pk": pk, "source": prov.source, "row": _dump(row)})

        self._write(work)

    def clear(self, keep_build_marker: bool = False) -> None:
        """Empty the store (with ``keep_build_marker``, the ``_build`` provenance row stays)."""
        def work() -> None:
            self.conn.execute("MATCH ()-[e:REL]->() DELETE e")
            for table in ("Entity", "EdgeIndex", "Evidence"):
                self.conn.execute(f"MATCH (x:{table}) DELETE x")
            self.conn.execute("MATCH (p:Provenance) WHERE NOT ($keep AND p.source = '_build') DELETE p",
                              {"keep": keep_build_marker})

        self._write(work)

    def delete(self, edge_keys: Iterable[str] = (), evidence_keys: Iterable[str] = (),
               node_ids: Iterable[str] = ()) -> None:
        """Remove edges (with their evidence), single evidence rows, and nodes (with their edges)."""
        edge_keys, evidence_keys, node_ids = list(edge_keys), list(evidence_keys), list(node_ids)
        node_edges = [k for (k,) in self._q("MATCH (a:Entity)-[e:REL]-(:Entity) WHERE a.id IN $ids RETURN DISTINCT e.key",
                                            ids=node_ids)] if node_ids else []
        gone = sorted(set(edge_keys) | set(node_edges))
        edges = self._rows_by_pk("EdgeIndex", "key", gone, "x.subject, x.object, x.evidence")
        ev_gone = sorted({v for *_, evs in edges for v in (evs or [])})
        # evidence removed one by one: its edge keeps the others and a new count
        single = self._rows_by_pk("Evidence", "key", [v for v in evidence_keys if v not in set(ev_gone)], "x.edge_key")
        recount: dict[str, set[str]] = {}
        for vk, ek in single:
            recount.setdefault(ek, set()).add(vk)
        kept = [(k, json.loads(row), list(evs or [])) for k, row, evs in
                self._rows_by_pk("EdgeIndex", "key", [k for k in recount if k not in set(gone)], "x.row, x.evidence")]

        def work() -> None:
            rows = [{"k": k, "s": s, "o": o} for k, s, o, _ in edges]
            if rows:
                self.conn.execute("UNWIND $rows AS r MATCH (a:Entity {id: r.s})-[e:REL]->(b:Entity {id: r.o}) "
                                  "WHERE e.key = r.k DELETE e", {"rows": rows})
                self.conn.execute("UNWIND $keys AS k MATCH (x:EdgeIndex {key: k}) DELETE x", {"keys": [r["k"] for r in rows]})
            drop = ev_gone + [vk for vk, _ in single]
            if drop:
                self.conn.execute("UNWIND $keys AS k MATCH (v:Evidence {key: k}) DELETE v", {"keys": drop})
            if kept:
                upd = []
                for k, row, evs in kept:
                    evs = [v for v in evs if v not in recount[k]]
                    upd.append(_edge_param({**row, "n_evidence": len(evs)}, evs))
                self._set_edges(upd)
            if node_ids:
                self.conn.execute("UNWIND $ids AS i MATCH (n:Entity {id: i}) DELETE n", {"ids": node_ids})

        self._write(work)

    def replace_all(self, nodes: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]],
                    evidence: Sequence[dict[str, Any]], provenance: Sequence[dict[str, Any]]) -> None:
        """Write these rows into a new database file beside this one with ``COPY`` (Parquet), then swap
        it in (rename) and reopen: a kill before the rename leaves the old graph whole.

        The engine releases the GIL while it copies, so each table is copied in a worker thread while
        this one builds the next (in ``COPY`` order: the relationships need their entities first).
        """
        import shutil
        import tempfile
        from concurrent.futures import ThreadPoolExecutor

        import pyarrow.parquet as pq

        if self.read_only:
            raise StoreError(f"{self.path} is open read-only")
        new = self.path.with_name(self.path.name + ".new")
        new.unlink(missing_ok=True)
        remove_sidecars(new)
        work = Path(tempfile.mkdtemp(prefix=".kg-copy-", dir=self.path.parent))
        db: ladybug.Database | None = None
        conn: ladybug.Connection | None = None
        try:
            # the bulk COPY may use every core (a reader or an upsert keeps to one)
            db = ladybug.Database(str(new), buffer_pool_size=self.db_buffer, max_num_threads=os.cpu_count() or 1)
            conn = ladybug.Connection(db)
            for ddl in SCHEMA:
                conn.execute(ddl)

            def copy(name: str, table: Any) -> None:
                f = work / f"{name}.parquet"
                pq.write_table(table, f)
                assert conn is not None
                conn.execute(f"COPY {name} FROM '{f}'")  # our own temp path, never user text

            copier = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kg-copy")  # one worker: in order
            try:
                for c in [copier.submit(copy, name, table)
                          for name, table in _bulk_tables(nodes, edges, evidence, provenance) if table.num_rows]:
                    c.result()
            finally:
                copier.shutdown(cancel_futures=True)  # after a failure, the copies not begun never run
            conn.execute("CHECKPOINT")
            conn.close()
            db.close()
        except BaseException:
            # closed before its files go: an exception's traceback can keep the half-made database
            # alive, and the next rebuild's file of the same name then fails its checkpoint
            for handle in (conn, db):
                if handle is not None:
                    handle.close()
            new.unlink(missing_ok=True)
            remove_sidecars(new)
            raise
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self.conn.close()
        self.db.close()
        os.replace(new, self.path)
        remove_sidecars(self.path)  # the old graph's; the new one is checkpointed and complete
        remove_sidecars(new)
        self.db = ladybug.Database(str(self.path), buffer_pool_size=self.db_buffer, max_num_threads=1)
        self.conn = ladybug.Connection(self.db)

    def flush(self) -> None:
        """Nothing to do: every write is committed (and in the write-ahead log) when it returns."""

    def close(self) -> None:
        self.conn.close()
        self.db.close()

    # -- read side -----------------------------------------------------------------
    def node(self, node_id: str) -> dict[str, Any] | None:
        return self.nodes([node_id]).get(node_id)

    def nodes(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {k: json.loads(r) for k, r in self._rows_by_pk("Entity", "id", ids)}

    def search(self, text: str, limit: int = 10) -> list[dict[str, Any]]:
        hits = []
        for r in self.iter_nodes(ordered=False):
            rank = search_rank(text, r)
            if rank is not None:
                hits.append((rank, r))
        degree = self.degrees([r["id"] for _, r in hits])
        hits.sort(key=lambda h: (h[0][0], -degree[h[1]["id"]], h[0][1]))
        return [r for _, r in hits[:limit]]

    def edges_of(self, ids: Iterable[str], direction: str = "out") -> list[dict[str, Any]]:
        ids = list(dict.fromkeys(ids))
        if not ids:
            return []
        keys: set[str] = set()
        # `a.id IN $ids` on one end per query: an OR of both ends scans every relationship (measured)
        if direction in ("out", "both"):
            keys |= {k for (k,) in self._q("MATCH (a:Entity)-[e:REL]->(:Entity) WHERE a.id IN $ids RETURN e.key", ids=ids)}
        if direction in ("in", "both"):
            keys |= {k for (k,) in self._q("MATCH (:Entity)-[e:REL]->(b:Entity) WHERE b.id IN $ids RETURN e.key", ids=ids)}
        return sort_rows([json.loads(r) for _, r in self._rows_by_pk("EdgeIndex", "key", sorted(keys))])

    def edges(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        return {k: json.loads(r) for k, r in self._rows_by_pk("EdgeIndex", "key", keys)}

    def evidence(self, edge_keys: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        edge_keys = list(edge_keys)
        lists = {k: list(evs or []) for k, evs in self._rows_by_pk("EdgeIndex", "key", edge_keys, "x.evidence")}
        rows = {k: json.loads(r) for k, r in self._rows_by_pk("Evidence", "key", [v for evs in lists.values() for v in evs])}
        return {k: sort_rows([rows[v] for v in lists.get(k, []) if v in rows]) for k in edge_keys}

    def walk_edges(self, set_predicates: Sequence[str], group_categories: Sequence[str]) -> list[dict[str, Any]]:
        sets, groups = list(set_predicates), list(group_categories)
        # typed columns, no JSON: a 1M-edge projection read 21 s of rows and json.loads before (measured)
        rows = [_walk(r) for page in self._pages("EdgeIndex", WALK_COLUMNS, "WHERE NOT x.predicate IN $sets", sets=sets)
                for r in page]
        keys = [k for (k,) in self._q("MATCH (:Entity)-[e:REL]->(b:Entity) WHERE e.predicate IN $sets "
                                      "AND b.category IN $groups RETURN e.key", sets=sets, groups=groups)]
        rows += [_walk(r[1:]) for r in self._rows_by_pk("EdgeIndex", "key", keys, WALK_COLUMNS)]
        return sort_rows(rows)

    def degrees(self, ids: Iterable[str]) -> dict[str, int]:
        ids = list(dict.fromkeys(ids))
        out = {i: 0 for i in ids}
        if ids:
            # primary-key lookups, then the node's own adjacency: `a.id IN $ids` over every
            # relationship took 2.6 s for 10k ids on the full build, this 0.07 s (measured)
            for j in range(0, len(ids), PK_CHUNK):
                out.update({i: n for i, n in self._q(
                    "UNWIND $ids AS i MATCH (a:Entity {id: i}) "
                    "RETURN i, COUNT { MATCH (a)-[:REL]->() } + COUNT { MATCH (a)<-[:REL]-() }",
                    ids=ids[j:j + PK_CHUNK])})
        return out

    # A result lives in the buffer pool, and a reader's small pool holds neither a million JSON rows
    # nor a million keys (nor their ORDER BY): keys are read in pages inside one read transaction
    # (one snapshot), sorted here, and the rows then read a chunk at a time.
    def _keys(self, table: str, cols: str, where: str = "", **params: Any) -> list[list[Any]]:
        return [r for page in self._pages(table, cols, where, **params) for r in page]

    def _pages(self, table: str, cols: str, where: str = "", **params: Any) -> Iterator[list[list[Any]]]:
        self.conn.execute("BEGIN TRANSACTION READ ONLY")
        try:
            done = 0
            while True:
                page = self._q(f"MATCH (x:{table}) {where} RETURN {cols} SKIP $s LIMIT $n", s=done, n=KEY_PAGE,
                               **params)
                done += len(page)
                yield page
                if len(page) < KEY_PAGE:
                    return
        finally:
            self.conn.execute("COMMIT")

    def _iter_rows(self, table: str, pk: str, order: str, ordered: bool) -> Iterator[dict[str, Any]]:
        found = self._keys(table, f"x.{pk}, {order}")
        if ordered:
            found.sort(key=lambda r: r[1:])
        keys = [r[0] for r in found]
        del found
        for i in range(0, len(keys), PK_CHUNK):
            rows = dict(self._rows_by_pk(table, pk, keys[i:i + PK_CHUNK]))
            for k in keys[i:i + PK_CHUNK]:
                if k in rows:  # gone since the keys were read
                    yield json.loads(rows[k])

    def iter_nodes(self, ordered: bool = True) -> Iterator[dict[str, Any]]:
        return self._iter_rows("Entity", "id", "x.id", ordered)

    def iter_edges(self, ordered: bool = True) -> Iterator[dict[str, Any]]:
        return self._iter_rows("EdgeIndex", "key", "x.key", ordered)

    def iter_evidence(self, ordered: bool = True) -> Iterator[dict[str, Any]]:
        return self._iter_rows("Evidence", "key", "x.edge_key, x.key", ordered)

    def provenance(self) -> list[dict[str, Any]]:
        rows = [json.loads(r) for (r,) in self._q("MATCH (p:Provenance) RETURN p.row")]
        return sorted(rows, key=lambda p: (p["source"], p["version"]))

    def stats(self) -> dict[str, Any]:
        by_cat = Counter({c: n for c, n in self._q("MATCH (n:Entity) RETURN n.category, count(*)")})
        by_pred = Counter({p: n for p, n in self._q("MATCH (x:EdgeIndex) RETURN x.predicate, count(*)")})
        n_ev = self._q("MATCH (v:Evidence) RETURN count(*)")[0][0]
        return {"nodes": sum(by_cat.values()), "edges": sum(by_pred.values()), "evidence": n_ev,
                "by_category": dict(sorted(by_cat.items())), "by_predicate": dict(sorted(by_pred.items()))}

    def read_cypher(self, query: str, params: dict[str, Any] | None = None, *, timeout_s: float = 10.0,
                    row_limit: int = 1000) -> dict[str, Any]:
        """The engine's own Cypher over the schema above, behind the gate, with a timeout and a row limit."""
        guarded(query)
        if self._console_conn is not self.conn:  # functions live on a connection; a rebuild opens a new one
            udf: Callable[..., Any] = _row_field_udf  # ladybug's own hint reads as one argument to mypy
            self.conn.create_function("row_field", udf, ["STRING", "STRING"], "STRING", catch_exceptions=True)
            self._console_conn = self.conn
        graph: dict[str, dict[str, dict[str, Any]]] = {"nodes": {}, "relationships": {}}
        self.conn.set_query_timeout(max(1, int(timeout_s * 1000)))
        try:
            result = self._result(query, dict(params or {}))
            columns = list(result.get_column_names())
            rows: list[list[Any]] = []
            truncated = False
            while result.has_next():
                if len(rows) >= row_limit:
                    truncated = True
                    break
                rows.append([_plain(v, graph) for v in result.get_next()])
        except RuntimeError as exc:
            if "Interrupted" in str(exc):
                raise StoreError(f"the query ran longer than {timeout_s:g} s and was stopped; add LIMIT or "
                                 "narrow the MATCH") from None
            first = str(exc).splitlines()[0]
            hint = _dialect_hint(first)
            raise StoreError(f"Cypher error: {first.rstrip('.') if hint else first}{hint}") from None
        finally:
            self.conn.set_query_timeout(0)
        rels = graph["relationships"]
        if rels:  # the full rows (subject, object, summaries), as the other stores return them
            for k, row in self._rows_by_pk("EdgeIndex", "key", list(rels)):
                rels[k].update(json.loads(row))
        return {"columns": columns, "rows": rows, "truncated": truncated, "engine": "ladybug",
                "nodes": list(graph["nodes"].values()), "relationships": list(graph["relationships"].values())}


def _dialect_hint(error: str) -> str:
    """What to write instead when a query uses Neo4j's typed labels or a field kept in ``row``.

    >>> _dialect_hint("Binder exception: Table Gene does not exist.")[:60]
    '. LadybugDB has one node table, Entity (id, category, name, '
    """
    if "does not exist" in error and "Table" in error:
        return (". LadybugDB has one node table, Entity (id, category, name, synonyms, row) and one "
                "relationship table, REL (key, predicate, sign, belief): write (n:Entity {category: 'gene'}) "
                "for (n:Gene), [r:REL {predicate: 'member_of'}] for [r:MEMBER_OF], and row_field(n.row, "
                "'text') for any other field (or KG_STORE=neo4j for Neo4j's labels)")
    if "Cannot find property" in error:
        return ". Fields other than the table's columns are in the JSON row: row_field(x.row, 'field')"
    return ""


def row_field(row: str, name: str) -> str | None:
    """The console's ``row_field(x.row, name)``: a string field as it is, any other value as JSON, NULL
    when missing (or when ``row`` is not a JSON object: the engine turns the error into NULL).

    >>> row_field('{"citation": "PMID:1", "contested": true, "offsets": null}', "citation")
    'PMID:1'
    >>> row_field('{"contested": true, "signs": [-1, 1]}', "contested"), row_field('{"signs": [-1, 1]}', "signs")
    ('true', '[-1, 1]')
    """
    value = json.loads(row).get(name)
    return value if value is None or isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _row_field_udf(row, name):  # unannotated: the engine reads a UDF's annotations and cannot read `str | None`
    return row_field(row, name)


def _plain(v: Any, graph: dict[str, dict[str, dict[str, Any]]]) -> Any:
    """A JSON-ready value; nodes and relationships become their record rows and are collected for drawing."""
    if isinstance(v, dict) and "_LABEL" in v:
        props = json.loads(v["row"]) if isinstance(v.get("row"), str) else {
            k: x for k, x in v.items() if not k.startswith("_")}
        if "_SRC" in v:  # a relationship: its full row lives in EdgeIndex (read_cypher fills it in)
            props = {k: x for k, x in v.items() if not k.startswith("_")}
            props = graph["relationships"].setdefault(str(props.get("key")), props)  # one dict per key
        elif "id" in props:
            graph["nodes"].setdefault(props["id"], props)
        return props
    if isinstance(v, dict):
        return {str(k): _plain(x, graph) for k, x in v.items()}
    if isinstance(v, list):
        return [_plain(x, graph) for x in v]
    return v
