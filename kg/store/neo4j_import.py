"""Bulk rebuilds of the project-launched local Neo4j through ``neo4j-admin database import full``.

Community edition has one user database and cannot stop it alone, so a whole-graph rebuild is only
possible for the server :mod:`kg.store.neo4j_server` runs: the final rows are written as Parquet
(the properties exactly as :class:`~kg.store.neo4j.Neo4jStore` stores them), imported into a fresh
database directory beside the live one, the server is stopped, the directories are swapped (a
journal makes the swap roll forward after a kill), the server is started again as it ran, and the
constraints and indexes are created after (``ensure_schema``). A kill before the swap leaves the
old graph; after it, the new one.

Files: one Parquet file per label (nodes), relationship type (edges) and property signature, with
typed column names (``name:string``, ``synonyms:string[]``, ``offsets:long[]`` …), read by
``--input-type=parquet`` (Neo4j 5.25+; the Hadoop classes its reader needs are in the launcher's
POM). Parquet carries what CSV could not (empty lists, ``[""]``, NaN, NUL characters), where CSV had
needed 2.4M writes after the import on the full profile; only empty strings, which the importer
reads as no value, are set after it (a few provenance fields).

:class:`LocalNeo4jStore` is the store :meth:`Neo4jStore.from_settings` returns for that server; its
``replace_all`` makes it a :class:`~kg.store.base.BulkStore`, so ``kg build`` rebuilds through the
import. Any other server is a plain ``Neo4jStore`` and rebuilds online.
"""
from __future__ import annotations

import ctypes
import functools
import os
import secrets
import shutil
import signal
import subprocess
import time
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlparse

import neo4j
import pyarrow as pa
import pyarrow.parquet as pq
from neo4j import GraphDatabase

from kg.store import neo4j_server
from kg.store.base import StoreError
from kg.store.neo4j import Neo4jStore, _driver_errors, encode_row
from kg.store.settings import Settings
from ontology import Ontology

__all__ = ["LocalNeo4jStore", "local_home", "online_note", "open_neo4j", "write_parquet"]

_STAGING_PREFIX = "bulk-import-"
#: Rows per transaction when setting the empty strings after the import.
BLANK_BATCH = 20000


# --------------------------------------------------------------------------- Parquet

#: (header type, Arrow type) per Python type of an encoded value (``type(v)``: a bool is no int here);
#: a list's entry is keyed ``(list, element type)``.
_COLUMN_TYPES: dict[Any, tuple[str, pa.DataType]] = {
    str: ("string", pa.string()), bool: ("boolean", pa.bool_()), int: ("long", pa.int64()),
    float: ("double", pa.float64())}
_COLUMN_TYPES.update({(list, t): (h + "[]", pa.list_(a)) for t, (h, a) in list(_COLUMN_TYPES.items())})
_LIST_OF = {t: (list, t) for t in (str, bool, int, float)}


def _type_code(v: Any) -> Any:
    """The key of an encoded value's column type in ``_COLUMN_TYPES``, None for any other value
    (``encode_row`` leaves none: mixed lists and big integers become strings). An empty list is a
    ``string[]``, which the importer stores as the ``[]`` an online write stores (``LIST<NOTHING>``);
    the importer needs typed list columns (it refuses an untyped one)."""
    t = type(v)
    if t is not list:
        return t if t in _COLUMN_TYPES else None
    if not v:
        return _LIST_OF[str]
    et = type(v[0])
    if et not in _LIST_OF or any(type(x) is not et for x in v):
        return None
    return _LIST_OF[et]


class _Files:
    """Parquet files of one import: one per (what, label/type, property signature), written at close."""

    def __init__(self, folder: Path):
        self.folder = folder
        # (what, group, lead columns, ((property, type code), ...)) -> rows of cells; type codes are
        # Python types (cheap to hash: a signature is looked up once per row)
        self.groups: dict[tuple[str, str, tuple[str, ...], tuple[tuple[str, Any], ...]], list[list[Any]]] = {}
        self.paths: list[tuple[str, str, Path]] = []
        #: (what, group, property) -> ids or keys of the rows whose value is "": the importer reads an
        #: empty string as no value, so they are set after the import (a handful: provenance fields)
        self.blanks: dict[tuple[str, str, str], list[str]] = {}

    def write(self, what: str, group: str, row: dict[str, Any], lead: Sequence[tuple[str, str]],
              fix_key: str, skip: str = "") -> None:
        """One row: ``lead`` are the importer's columns first (``id:ID``, ``:START_ID`` …) as
        (column, value), ``skip`` a property already written by them, ``fix_key`` the row's id or
        key (the blanks set after the import, errors)."""
        sig: list[tuple[str, Any]] = []
        cells: list[Any] = [v for _, v in lead]
        for k in sorted(row):
            if k == skip:
                continue
            v = row[k]
            code = type(v)
            if code is str:  # the common cases inline (millions of values)
                if not v:
                    self.blanks.setdefault((what, group, k), []).append(fix_key)
                    continue
            elif code is list or code not in _COLUMN_TYPES:
                code = _type_code(v)
            if code is None:  # encode_row turns every other value into a string: a bug, not bad data
                raise StoreError(f"{what} {fix_key!r} ({group}): property {k!r} = {v!r:.80} has no Parquet type")
            sig.append((k, code))
            cells.append(v)
        key = (what, group, tuple(h for h, _ in lead), tuple(sig))
        rows = self.groups.get(key)
        if rows is None:
            rows = self.groups[key] = []
        rows.append(cells)

    def close(self) -> None:
        """Write one Parquet file per signature (column by column, as Arrow builds them fastest)."""
        for i, ((what, group, lead, sig), rows) in enumerate(self.groups.items()):
            cols = [(h, pa.string()) for h in lead]
            cols += [(f"{k}:{_COLUMN_TYPES[code][0]}", _COLUMN_TYPES[code][1]) for k, code in sig]
            table = pa.table({name: pa.array([r[j] for r in rows], type=t) for j, (name, t) in enumerate(cols)})
            path = self.folder / f"{what}-{i}.parquet"
            pq.write_table(table, path, compression="none")
            self.paths.append((what, group, path))
        self.groups.clear()

    def args(self) -> list[str]:
        """The importer's ``--nodes`` / ``--relationships`` arguments."""
        return [f"{'--relationships' if what == 'rel' else '--nodes'}={group}={path}"
                for what, group, path in self.paths]


def write_parquet(folder: Path, ontology: Ontology, nodes: Sequence[dict[str, Any]],
                  edges: Sequence[dict[str, Any]], evidence: Sequence[dict[str, Any]],
                  provenance: Sequence[dict[str, Any]]) -> _Files:
    """Write the import files of these rows (as ``to_dict()`` gives them) into ``folder``.

    Properties are encoded exactly as :meth:`Neo4jStore.upsert` stores them (``encode_row`` with the
    same nullable and JSON fields; ``None`` left out), labels per category and relationship types per
    predicate from the ontology. Parquet carries what CSV could not (NUL characters, non-finite
    floats, ``[""]``) as they are.
    """
    labels = {k: c.label for k, c in ontology.categories.items()}
    types = {k: p.label for k, p in ontology.predicates.items()}
    files = _Files(folder)
    for n in nodes:
        files.write("node", f"Entity:{labels[n['category']]}", encode_row(n), [("id:ID(Entity)", n["id"])],
                    n["id"], skip="id")
    for e in edges:
        row = {k: x for k, x in encode_row(e, nullable=("belief",)).items() if x is not None}
        files.write("rel", types[e["predicate"]], row,
                    [(":START_ID(Entity)", e["subject"]), (":END_ID(Entity)", e["object"])], e["key"])
    for v in evidence:
        row = {k: x for k, x in encode_row(v, nullable=("offsets", "year"), json_fields=("context",)).items()
               if x is not None}
        files.write("node", "Evidence", row, [("key:ID(Evidence)", row["key"])], row["key"], skip="key")
    for p in provenance:  # every node file needs an id column (the Parquet reader's "Group 'null' not found")
        row = encode_row(p, json_fields=("counts", "params"))
        pid = f"{row['source']}\t{row['version']}"
        files.write("node", "Provenance", row, [(":ID(Provenance)", pid)], pid)
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
           "--input-type=parquet", "--verbose", "--id-type=string", "--skip-bad-relationships=false", "--skip-duplicate-nodes=false",
           f"--max-off-heap-memory={off_heap}", f"--report-file={staging / 'import.report'}",
           "--overwrite-destination=true", *files.args()]
    log = staging / "import.log"
    with open(log, "wb") as out:
        proc = subprocess.run(cmd, cwd=staging, env=env, stdin=subprocess.DEVNULL, stdout=out,
                              stderr=subprocess.STDOUT, preexec_fn=_die_with_parent, check=False)
    if proc.returncode != 0:
        # --verbose gives the cause ("Caused by: …"); progress dots and stack frames are left out
        tail = "\n".join(line for line in log.read_text(errors="replace").splitlines()
                         if not line.startswith(".....") and not line.lstrip().startswith(("at ", "... ")))[-3000:]
        raise StoreError(f"neo4j-admin database import failed (exit code {proc.returncode}); the live graph "
                         f"is unchanged. Output ({log}):\n{tail}")
    return data


def _set_blanks(store: Neo4jStore, blanks: dict[tuple[str, str, str], list[str]]) -> None:
    """Set the empty strings the importer dropped, by id or key (the constraints are in place)."""
    for (what, group, prop), keys in sorted(blanks.items()):
        if what == "rel":
            match = "MATCH ()-[x:`" + group.replace("`", "``") + "` {key: k}]->()"
        elif group == "Evidence":
            match = "MATCH (x:Evidence {key: k})"
        elif group == "Provenance":
            match = "MATCH (x:Provenance {source: split(k, '\\t')[0], version: split(k, '\\t')[1]})"
        else:
            match = "MATCH (x:Entity {id: k})"
        query = f"UNWIND $keys AS k {match} SET x[$prop] = ''"
        for i in range(0, len(keys), BLANK_BATCH):
            store._write(functools.partial(_run, query=query, keys=keys[i:i + BLANK_BATCH], prop=prop),
                         "setting imported empty strings")


def _run(tx: neo4j.ManagedTransaction, query: str, **params: Any) -> None:
    tx.run(query, params).consume()


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
        #: seconds per step of the last :meth:`replace_all` (files, import, swap_restart, schema)
        self.timings: dict[str, float] = {}

    def replace_all(self, nodes: Sequence[dict[str, Any]], edges: Sequence[dict[str, Any]],
                    evidence: Sequence[dict[str, Any]], provenance: Sequence[dict[str, Any]]) -> None:
        """Hold exactly these rows: Parquet, import beside the live database, stop, swap, start, schema.

        A kill before the swap leaves the old graph (the server keeps running until then); the
        swap is journalled and rolled forward by the next start. The schema is created after the
        restart; the caller's build marker (``building`` until it marks the build complete) covers
        a kill in that last step.
        """
        for old in self.home.glob(_STAGING_PREFIX + "*"):  # left by a killed rebuild
            shutil.rmtree(old, ignore_errors=True)
        staging = self.home / f"{_STAGING_PREFIX}{secrets.token_hex(4)}"
        (staging / "files").mkdir(parents=True)
        reconnect = False
        clock = _Clock(self.timings)
        try:
            files = write_parquet(staging / "files", self.ontology, nodes, edges, evidence, provenance)
            clock.mark("files")
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
        _set_blanks(self, files.blanks)
        clock.mark("schema")


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
