"""Bulk rebuilds of the project-launched local Neo4j through ``neo4j-admin database import full``.

Community edition has one user database and cannot stop it alone, so a whole-graph rebuild is only
possible for the server :mod:`kg.store.neo4j_server` runs: the final rows are written as CSV (the
properties exactly as :class:`~kg.store.neo4j.Neo4jStore` stores them), imported into a fresh
database directory beside the live one, the server is stopped, the directories are swapped (a
journal makes the swap roll forward after a kill), the server is started again as it ran, and the
constraints and indexes are created after (``ensure_schema``). A kill before the swap leaves the
old graph; after it, the new one.

CSV layout: one file per label (nodes), relationship type (edges) and property signature, with
typed headers (``name:string``, ``synonyms:string[]``, ``sign:long`` …), every field quoted,
``--multiline-fields=true`` and an array delimiter that occurs in no array element. The few values
CSV cannot carry (empty lists, a list holding one empty string, non-finite floats, NUL characters)
are left out of the files and set with ``UNWIND`` after the import.

:class:`LocalNeo4jStore` is the store :meth:`Neo4jStore.from_settings` returns for that server; its
``replace_all`` makes it a :class:`~kg.store.base.BulkStore`, so ``kg build`` rebuilds through the
import. Any other server is a plain ``Neo4jStore`` and rebuilds online.
"""
from __future__ import annotations

import csv
import ctypes
import functools
import math
import os
import secrets
import shutil
import signal
import subprocess
import time
from collections import defaultdict
from pathlib import Path
from typing import Any, Iterable, Sequence
from urllib.parse import urlparse

import neo4j
from neo4j import GraphDatabase

from kg.store import neo4j_server
from kg.store.base import StoreError
from kg.store.neo4j import Neo4jStore, _driver_errors, encode_row
from kg.store.settings import Settings
from ontology import Ontology

__all__ = ["LocalNeo4jStore", "local_home", "online_note", "open_neo4j", "write_csv"]

#: Array delimiters tried in turn: the first that occurs in no array element is used.
ARRAY_DELIMITERS = "\x1f\x1e\x1d\x1c\x07\x06\x05\x04\x03\x02\x01"
#: Rows per transaction when setting the values CSV cannot carry.
FIXUP_BATCH = 20000
_STAGING_PREFIX = "bulk-import-"
_CSV_TYPES = {str: "string", bool: "boolean", int: "long", float: "double"}


# --------------------------------------------------------------------------- CSV


def _csv_type(v: Any) -> str | None:
    """The CSV header type of an encoded value, or None when CSV cannot carry it exactly."""
    t = type(v)
    if t is str:
        return None if "\x00" in v else "string"
    if t is float:
        return "double" if math.isfinite(v) else None
    if t in (bool, int):
        return _CSV_TYPES[t]
    if t is list:
        if not v or v == [""]:  # an empty field is no property to the importer
            return None
        et = _CSV_TYPES.get(type(v[0]))
        if et is None or (et == "double" and not all(math.isfinite(x) for x in v)):
            return None
        if et == "string" and any("\x00" in x for x in v):
            return None
        return et + "[]"
    return None


def _cell(v: Any, delim: str) -> str:
    if type(v) is bool:
        return "true" if v else "false"
    if type(v) is float:
        return repr(v)  # shortest round-trip form: Java parses it back to the same double
    if type(v) is list:
        return delim.join(_cell(x, delim) for x in v)
    return str(v)


def _pick_delimiter(groups: Iterable[list[dict[str, Any]]]) -> str:
    """The first of :data:`ARRAY_DELIMITERS` that no string array element contains."""
    seen: set[str] = set()
    for rows in groups:
        for row in rows:
            for v in row.values():
                if type(v) is list and v and type(v[0]) is str:
                    for x in v:
                        seen.update(c for c in ARRAY_DELIMITERS if c in x)
    for c in ARRAY_DELIMITERS:
        if c not in seen:
            return c
    raise StoreError("every candidate array delimiter occurs in the data: cannot write the import CSV")


class _Files:
    """CSV files of one import: one per (what, label/type, header), opened on first use."""

    def __init__(self, folder: Path, delim: str):
        self.folder, self.delim = folder, delim
        self.files: dict[tuple[str, str, tuple[str, ...]], tuple[Path, Any, Any]] = {}
        # (kind, label/type, property) -> [(id or key, value)] the CSV cannot carry
        self.fixups: dict[tuple[str, str, str], list[tuple[str, Any]]] = defaultdict(list)

    def write(self, what: str, group: str, row: dict[str, Any], lead: Sequence[tuple[str, str]],
              fix_key: str, skip: str = "") -> None:
        """One row: ``lead`` are the importer's columns first (``id:ID``, ``:START_ID`` …) as
        (header, value), ``skip`` a property already written by them, ``fix_key`` the row's id or key
        for the values set after the import."""
        cols = [h for h, _ in lead]
        cells = [v for _, v in lead]
        for k in sorted(row):
            if k == skip:
                continue
            v = row[k]
            t = _csv_type(v)
            if t is None:
                self.fixups[(what, group, k)].append((fix_key, v))
                continue
            cols.append(f"{k}:{t}")
            cells.append(_cell(v, self.delim))
        header = tuple(cols)
        entry = self.files.get((what, group, header))
        if entry is None:
            path = self.folder / f"{what}-{group}-{len(self.files)}.csv"
            fh = open(path, "w", encoding="utf-8", newline="")
            w = csv.writer(fh, quoting=csv.QUOTE_ALL, lineterminator="\n")
            w.writerow(header)
            entry = self.files[(what, group, header)] = (path, fh, w)
        entry[2].writerow(cells)

    def close(self) -> None:
        for _, fh, _ in self.files.values():
            fh.close()

    def args(self) -> list[str]:
        """The importer's ``--nodes`` / ``--relationships`` arguments."""
        out = []
        for (what, group, _), (path, _, _) in sorted(self.files.items(), key=lambda kv: str(kv[1][0])):
            flag = "--relationships" if what == "rel" else "--nodes"
            out.append(f"{flag}={group}={path}")
        return out


def write_csv(folder: Path, ontology: Ontology, nodes: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]],
              evidence: Sequence[dict[str, Any]], provenance: Sequence[dict[str, Any]]) -> _Files:
    """Write the import CSV of these rows (as ``to_dict()`` gives them) into ``folder``.

    Properties are encoded exactly as :meth:`Neo4jStore.upsert` stores them (``encode_row`` with the
    same nullable and JSON fields; ``None`` left out), labels per category and relationship types per
    predicate from the ontology. Returns the files and the values left for after the import.
    """
    labels = {k: c.label for k, c in ontology.categories.items()}
    types = {k: p.label for k, p in ontology.predicates.items()}
    enc_nodes = [(n["id"], labels[n["category"]], encode_row(n)) for n in nodes]
    enc_edges = [(e, types[e["predicate"]],
                  {k: x for k, x in encode_row(e, nullable=("belief",)).items() if x is not None}) for e in edges]
    enc_ev = [{k: x for k, x in encode_row(v, nullable=("offsets", "year"), json_fields=("context",)).items()
               if x is not None} for v in evidence]
    enc_prov = [encode_row(p, json_fields=("counts", "params")) for p in provenance]
    delim = _pick_delimiter([[r for _, _, r in enc_nodes], [r for _, _, r in enc_edges], enc_ev, enc_prov])
    files = _Files(folder, delim)
    try:
        for nid, label, row in enc_nodes:
            files.write("node", f"Entity:{label}", row, [("id:ID(Entity)", nid)], nid, skip="id")
        for e, t, row in enc_edges:
            files.write("rel", t, row, [(":START_ID(Entity)", e["subject"]), (":END_ID(Entity)", e["object"])],
                        e["key"])
        for row in enc_ev:
            files.write("node", "Evidence", row, [], row["key"])
        for row in enc_prov:
            files.write("node", "Provenance", row, [], f"{row['source']}\t{row['version']}")
    finally:
        files.close()
    return files


# --------------------------------------------------------------------------- the import


def _die_with_parent() -> None:
    """In the importer's child process: SIGKILL it when the Python process that started it dies,
    so a killed build leaves no importer running (Linux; elsewhere a no-op)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run_import(staging: Path, files: _Files, database: str = "neo4j", heap: str = "1g",
               off_heap: str = "2g") -> Path:
    """Run ``neo4j-admin database import full`` into ``staging/data``; returns that data directory.

    The importer gets its own ``NEO4J_HOME``/``NEO4J_CONF`` under ``staging`` (nothing of the live
    server is touched) and only the JVM's environment allowlist. Raises StoreError with the tail of
    its output when it fails.
    """
    conf = staging / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    data = staging / "data"
    (conf / "neo4j.conf").write_text(f"server.directories.data={data}\nserver.directories.logs={staging / 'logs'}\n")
    env = {k: v for k, v in os.environ.items() if k in neo4j_server.JVM_ENV}
    env.update(NEO4J_HOME=str(staging), NEO4J_CONF=str(conf))
    java, *rest = neo4j_server.admin_command()
    # the database name first: --nodes/--relationships take several files each and would swallow it
    cmd = [java, f"-Xmx{heap}", "-XX:+ExitOnOutOfMemoryError", *rest, "database", "import", "full", database,
           "--multiline-fields=true", f"--array-delimiter={files.delim}", "--id-type=string",
           "--delimiter=,", "--quote=\"", "--skip-bad-relationships=false", "--skip-duplicate-nodes=false",
           f"--max-off-heap-memory={off_heap}", f"--report-file={staging / 'import.report'}",
           "--overwrite-destination=true", *files.args()]
    log = staging / "import.log"
    with open(log, "wb") as out:
        proc = subprocess.run(cmd, cwd=staging, env=env, stdin=subprocess.DEVNULL, stdout=out,
                              stderr=subprocess.STDOUT, preexec_fn=_die_with_parent, check=False)
    if proc.returncode != 0:
        tail = "\n".join(line for line in log.read_text(errors="replace").splitlines()
                         if not line.startswith("....."))[-3000:]
        raise StoreError(f"neo4j-admin database import failed (exit code {proc.returncode}); the live graph "
                         f"is unchanged. Output ({log}):\n{tail}")
    return data


def _quoted(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


def _apply_fixups(store: Neo4jStore, fixups: dict[tuple[str, str, str], list[tuple[str, Any]]]) -> None:
    """Set the values the CSV could not carry, by id or key (constraints are in place by now)."""
    for (what, group, prop), rows in sorted(fixups.items()):
        p = _quoted(prop)
        if what == "rel":
            match = f"MATCH ()-[x:{_quoted(group)} {{key: r[0]}}]->()"
        elif group == "Evidence":
            match = "MATCH (x:Evidence {key: r[0]})"
        elif group == "Provenance":
            match = "MATCH (x:Provenance {source: split(r[0], '\\t')[0], version: split(r[0], '\\t')[1]})"
        else:
            match = "MATCH (x:Entity {id: r[0]})"
        query = f"UNWIND $rows AS r {match} SET x.{p} = r[1]"
        for i in range(0, len(rows), FIXUP_BATCH):
            store._write(functools.partial(_run, query=query, rows=[list(r) for r in rows[i:i + FIXUP_BATCH]]),
                         "setting imported values")


def _run(tx: neo4j.ManagedTransaction, query: str, rows: list[list[Any]]) -> None:
    tx.run(query, rows=rows).consume()


def local_home(settings: Settings) -> Path | None:
    """The home of the project-launched server ``settings`` point at (``KG_HOME/neo4j``, running,
    on the Bolt port of NEO4J_URI, on this machine, database ``neo4j``), else None."""
    uri = urlparse(settings.neo4j_uri)
    if uri.hostname not in ("127.0.0.1", "localhost") or settings.neo4j_database != "neo4j":
        return None
    launched = neo4j_server.launch_args(settings.neo4j_home)
    if launched is None or launched["bolt_port"] != settings.bolt_port:
        return None
    return settings.neo4j_home.resolve()


def online_note(settings: Settings) -> str:
    """The message of a whole rebuild on a server this project did not launch (it loads online)."""
    return (f"Neo4j at {settings.neo4j_uri} is not the server `kg neo4j start` runs in {settings.neo4j_home}: "
            f"this rebuild loads online over Bolt (the faster neo4j-admin import needs the project-launched "
            f"server, which it stops and restarts)")


class LocalNeo4jStore(Neo4jStore):
    """The Neo4j store on the server :mod:`kg.store.neo4j_server` runs in ``home``: online writes as
    :class:`Neo4jStore`, plus :meth:`replace_all` through ``neo4j-admin database import``."""

    def __init__(self, driver: neo4j.Driver, database: str = "neo4j", ontology: Ontology | None = None, *,
                 home: Path, settings: Settings):
        super().__init__(driver, database, ontology)
        self.home = Path(home)
        self.settings = settings
        #: seconds per step of the last :meth:`replace_all` (csv, import, swap_restart, schema, fixups)
        self.timings: dict[str, float] = {}

    def replace_all(self, nodes: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]],
                    evidence: Sequence[dict[str, Any]], provenance: Sequence[dict[str, Any]]) -> None:
        """Hold exactly these rows: CSV, import beside the live database, stop, swap, start, schema.

        A kill before the swap leaves the old graph (the server keeps running until then); the
        swap is journalled and rolled forward by the next start. The schema and the few values
        CSV cannot carry are written after the restart; the caller's build marker (``building``
        until it marks the build complete) covers a kill in that last step.
        """
        for old in self.home.glob(_STAGING_PREFIX + "*"):  # left by a killed rebuild
            shutil.rmtree(old, ignore_errors=True)
        staging = self.home / f"{_STAGING_PREFIX}{secrets.token_hex(4)}"
        (staging / "csv").mkdir(parents=True)
        reconnect = False
        clock = _Clock(self.timings)
        try:
            files = write_csv(staging / "csv", self.ontology, nodes, edges, evidence, provenance)
            clock.mark("csv")
            data = run_import(staging, files, self.database)
            clock.mark("import")
            launched = neo4j_server.launch_args(self.home)
            if launched is None:
                raise StoreError(f"the local Neo4j of {self.home} stopped during the import: start it with "
                                 f"`kg neo4j start` (the old graph is unchanged)")
            self.driver.close()
            reconnect = True
            neo4j_server.stop(self.home)
            try:
                neo4j_server.install_database(self.home, data, self.database)
            finally:  # swapped or not, the server runs again as it ran (old graph, or new)
                neo4j_server.start(self.home, bolt_port=launched["bolt_port"],
                                   password=self.settings.neo4j_password or "",
                                   http_port=launched["http_port"], jvm_opts=launched["jvm_opts"])
        except neo4j_server.Neo4jLocalError as exc:
            raise StoreError(f"bulk rebuild of the local Neo4j failed: {exc}") from exc
        finally:
            if reconnect:
                self.driver = _driver(self.settings)
            if not (self.home / "neo4j.swap").exists():  # a pending swap still needs the imported files
                shutil.rmtree(staging, ignore_errors=True)
        clock.mark("swap_restart")
        with _driver_errors("creating the schema"):
            self.ensure_schema()
        clock.mark("schema")
        _apply_fixups(self, files.fixups)
        clock.mark("fixups")


class _Clock:
    """Seconds per named step into ``into`` (cleared first)."""

    def __init__(self, into: dict[str, float]):
        into.clear()
        self.into, self.t = into, time.perf_counter()

    def mark(self, step: str) -> None:
        now = time.perf_counter()
        self.into[step] = round(now - self.t, 2)
        self.t = now


def _driver(settings: Settings) -> neo4j.Driver:
    return GraphDatabase.driver(settings.neo4j_uri, auth=(settings.neo4j_user, settings.neo4j_password or ""),
                                connection_timeout=10.0, notifications_min_severity="OFF",
                                user_agent="ldh-resorption-kg")


def open_neo4j(settings: Settings) -> Neo4jStore:
    """:meth:`Neo4jStore.from_settings`, as a :class:`LocalNeo4jStore` when ``settings`` point at the
    project-launched server (see :func:`local_home`); any other server's store says in ``bulk_note``
    that its whole rebuilds load online."""
    store = Neo4jStore.from_settings(settings)
    home = local_home(settings)
    if home is None:
        store.bulk_note = online_note(settings)
        return store
    return LocalNeo4jStore(store.driver, settings.neo4j_database, store.ontology, home=home, settings=settings)
