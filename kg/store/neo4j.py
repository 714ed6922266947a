"""The Neo4j store: the same rows as the embedded store, kept in a Neo4j 5 server over Bolt.

Schema (labels and relationship types come from the ontology, never from user text):

- ``(:Entity:<Category.label> {id, category, name, synonyms, xrefs, source, …})``, ``Entity.id`` unique;
- ``(s)-[:<Predicate.label> {key, subject, predicate, object, sign, belief, n_evidence, n_papers,
  contested, sources, species, designs}]->(o)``, ``key`` unique per relationship type;
- ``(:Evidence {key, edge_key, source, citation, text, offsets, extractor, context, flags, sign, year})``,
  ``key`` unique, indexed on ``edge_key``; ``context`` is a JSON string;
- ``(:Provenance {source, version, licence, retrieved_at, url, counts, params})``, unique on
  ``(source, version)``; ``counts`` and ``params`` are JSON strings.

Values Neo4j cannot hold as a property (maps, nulls, mixed lists) are stored as ``"json:…"``
strings and decoded on read, so every row equals the embedded store's row.

Each ``upsert`` is one managed write transaction (``UNWIND $rows …``, one statement per label or
relationship type): all or nothing. Edges already stored are found by their key (relationship
index seeks) and updated; the others are ``CREATE``d (no ``MERGE`` walking the relationships of
hub nodes), and a new edge's ``n_evidence`` is its evidence in the call (an evidence key hashes
its edge key, so a new edge has no stored evidence); evidence of a new edge is ``CREATE``d too.

Example (needs a running server, see ``kg neo4j start``; tests/kg/store runs the same against one)::

    store = Neo4jStore.from_settings(Settings.from_env())
    store.upsert([Node("HGNC:1", "gene", "A"), Node("HGNC:2", "gene", "B")],
                 [Edge("HGNC:1", "activates", "HGNC:2", 1)], [])
    store.stats()["edges"]   # 1
"""
from __future__ import annotations

import functools
import json
import re
from collections import defaultdict
from contextlib import contextmanager
from typing import Any, Callable, Collection, Iterable, Iterator, Sequence

import neo4j
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ClientError, ConfigurationError, DriverError, Neo4jError, ServiceUnavailable
from neo4j.graph import Node as GraphNode
from neo4j.graph import Path as GraphPath
from neo4j.graph import Relationship as GraphRelationship

from kg.records.model import (
    EDGE_COLUMNS,
    EVIDENCE_COLUMNS,
    NODE_COLUMNS,
    PROVENANCE_COLUMNS,
    Edge,
    Evidence,
    Node,
    Provenance,
)
from kg.store.base import WALK_FIELDS, StoreError, guarded, merge_node_row, search_rank, sort_rows, walk_row
from kg.store.settings import Settings
from ontology import Ontology, load_ontology

JSON_PREFIX = "json:"
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

NODE_ORDER, EDGE_ORDER, EVIDENCE_ORDER, PROVENANCE_ORDER = NODE_COLUMNS, EDGE_COLUMNS, EVIDENCE_COLUMNS, PROVENANCE_COLUMNS

_INT64 = (-(2 ** 63), 2 ** 63 - 1)
#: Keys per transaction when deleting stale records.
DELETE_BATCH = 5000


# --------------------------------------------------------------------------- value codec

def _storable_list(v: list | tuple) -> bool:
    """A list Neo4j stores as is: empty, or all str / all bool / all int64 / all float."""
    if not v:
        return True
    t = type(v[0])
    if t not in (str, bool, int, float) or any(type(x) is not t for x in v):
        return False
    return t is not int or all(_INT64[0] <= x <= _INT64[1] for x in v)


def encode_value(v: Any) -> Any:
    """A property value Neo4j can store, decoded back by :func:`decode_value`.

    >>> encode_value({"design": "in_vivo"}), encode_value(["a", "b"]), encode_value(None)
    ('json:{"design": "in_vivo"}', ['a', 'b'], 'json:null')
    """
    if type(v) in (bool, float) or (type(v) is int and _INT64[0] <= v <= _INT64[1]):
        return v
    if type(v) is str:
        return JSON_PREFIX + json.dumps(v, ensure_ascii=False) if v.startswith(JSON_PREFIX) else v
    if isinstance(v, (list, tuple)) and _storable_list(v):
        return list(v)
    return JSON_PREFIX + json.dumps(v, ensure_ascii=False)


def decode_value(v: Any) -> Any:
    """Inverse of :func:`encode_value`.

    >>> decode_value(encode_value({"a": [1, None]}))
    {'a': [1, None]}
    """
    if isinstance(v, str) and v.startswith(JSON_PREFIX):
        return json.loads(v[len(JSON_PREFIX):])
    return list(v) if isinstance(v, tuple) else v


def encode_row(row: dict[str, Any], nullable: Collection[str] = (), json_fields: Collection[str] = ()) -> dict[str, Any]:
    """Properties for one row: ``json_fields`` as plain JSON strings, ``None`` in ``nullable`` left out."""
    out: dict[str, Any] = {}
    for k, v in row.items():
        t = type(v)
        # the common cases inline (a bulk load encodes millions of values); the rest as encode_value
        if k in json_fields:
            out[k] = json.dumps(v, ensure_ascii=False)
        elif t is str and not v.startswith(JSON_PREFIX):
            out[k] = v
        elif t is float or t is bool or (t is int and _INT64[0] <= v <= _INT64[1]):
            out[k] = v
        elif t is list and all(type(x) is str for x in v):
            out[k] = v  # the list itself: nothing downstream mutates it before it is sent
        elif v is None and k in nullable:
            out[k] = None  # SET x += {k: null} removes k; reads give None back
        else:
            out[k] = encode_value(v)
    return out


def decode_row(props: dict[str, Any], order: Sequence[str], nullable: Iterable[str] = (),
               json_fields: Iterable[str] = ()) -> dict[str, Any]:
    """The row for stored properties: ``order`` first, then the rest sorted; absent ``nullable`` = None."""
    nullable, json_fields = set(nullable), set(json_fields)
    out: dict[str, Any] = {}
    for k in order:
        if k in props:
            out[k] = json.loads(props[k]) if k in json_fields else decode_value(props[k])
        elif k in nullable:
            out[k] = None
    for k in sorted(props):
        if k not in out and not k.startswith("_"):
            out[k] = decode_value(props[k])
    return out


def node_row(props: dict[str, Any]) -> dict[str, Any]:
    return decode_row(props, NODE_ORDER)


def edge_row(props: dict[str, Any]) -> dict[str, Any]:
    return decode_row(props, EDGE_ORDER, nullable=("belief",))


def evidence_row(props: dict[str, Any]) -> dict[str, Any]:
    return decode_row(props, EVIDENCE_ORDER, nullable=("offsets", "year"), json_fields=("context",))


def provenance_row(props: dict[str, Any]) -> dict[str, Any]:
    return decode_row(props, PROVENANCE_ORDER, json_fields=("counts", "params"))


# --------------------------------------------------------------------------- errors

_START_HINT = "start it with `kg neo4j start` (or `docker compose up`), or set NEO4J_URI to where it runs"


def _connect_error(settings: Settings, exc: Exception) -> StoreError:
    """One clear line for a failed connection: what is wrong and what to do."""
    uri, user = settings.neo4j_uri, settings.neo4j_user
    code = getattr(exc, "code", "") or ""
    if isinstance(exc, AuthError) or code.startswith("Neo.ClientError.Security"):
        return StoreError(f"Neo4j at {uri} rejected user {user!r} and its password: set NEO4J_PASSWORD "
                          f"(and NEO4J_USER) to the server's credentials")
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return StoreError(f"Neo4j at {uri} has no database {settings.neo4j_database!r}: set NEO4J_DATABASE "
                          f"(Community edition has one database, 'neo4j')")
    if isinstance(exc, (ConfigurationError, ValueError)):
        return StoreError(f"NEO4J_URI {uri!r} is not a Neo4j address (expected e.g. bolt://127.0.0.1:7687): {exc}")
    return StoreError(f"cannot reach Neo4j at {uri}: {_START_HINT}")


@contextmanager
def _driver_errors(what: str) -> Iterator[None]:
    """Turn driver and server failures into StoreError (ValueError from our own checks passes)."""
    try:
        yield
    except ServiceUnavailable as exc:
        raise StoreError(f"Neo4j went away during {what}: {_START_HINT} ({exc})") from exc
    except (Neo4jError, DriverError) as exc:
        msg = getattr(exc, "message", None) or str(exc)
        raise StoreError(f"Neo4j refused {what}: {msg}") from exc


# --------------------------------------------------------------------------- the store

class Neo4jStore:
    """The Store protocol on a Neo4j 5 database (one driver, the database named on every call)."""

    name = "neo4j"
    #: Why a whole rebuild goes online here (no neo4j-admin import): set by ``kg.store.open_store`` for a
    #: server this project did not launch (the launched one is a ``kg.store.neo4j_import.LocalNeo4jStore``).
    bulk_note: str | None = None

    def __init__(self, driver: neo4j.Driver, database: str = "neo4j", ontology: Ontology | None = None):
        self.driver = driver
        self.database = database
        self.ontology = ontology or load_ontology()
        self._labels = {k: _checked_name(c.label) for k, c in self.ontology.categories.items()}
        self._types = {k: _checked_name(p.label) for k, p in self.ontology.predicates.items()}

    @classmethod
    def from_settings(cls, settings: Settings) -> "Neo4jStore":
        """Connect, check credentials and database, and make sure the schema exists.

        Raises StoreError with one line saying what to do when Neo4j is down, the password is
        missing or wrong, or the database does not exist.
        """
        if not settings.neo4j_password:
            raise StoreError(f"NEO4J_PASSWORD is not set: export NEO4J_PASSWORD=… (the password of user "
                             f"{settings.neo4j_user!r} at {settings.neo4j_uri})")
        try:
            driver = GraphDatabase.driver(settings.neo4j_uri, auth=(settings.neo4j_user, settings.neo4j_password),
                                          connection_timeout=10.0, notifications_min_severity="OFF",
                                          user_agent="ldh-resorption-kg")
        except (ConfigurationError, ValueError) as exc:
            raise _connect_error(settings, exc) from None
        try:
            driver.verify_connectivity()
            driver.execute_query("RETURN 1", database_=settings.neo4j_database)
        except (Neo4jError, DriverError, OSError) as exc:
            driver.close()
            raise _connect_error(settings, exc) from None
        store = cls(driver, settings.neo4j_database)
        store.ensure_schema()
        return store

    # -- plumbing ------------------------------------------------------------------
    def _label(self, category: str) -> str:
        try:
            return self._labels[category]
        except KeyError:
            raise ValueError(f"unknown category {category!r} (allowed: {', '.join(sorted(self._labels))})") from None

    def _type(self, predicate: str) -> str:
        try:
            return self._types[predicate]
        except KeyError:
            raise ValueError(f"unknown predicate {predicate!r} (allowed: {', '.join(sorted(self._types))})") from None

    def _read(self, query: str, **params: Any) -> list[neo4j.Record]:
        with _driver_errors("a read"):
            return self.driver.execute_query(query, params, database_=self.database,
                                             routing_=neo4j.RoutingControl.READ).records

    def _write(self, work: Callable[[neo4j.ManagedTransaction], Any], what: str) -> Any:
        with _driver_errors(what), self.driver.session(database=self.database) as session:
            return session.execute_write(work)

    def _stream(self, query: str, **params: Any) -> Iterator[neo4j.Record]:
        with _driver_errors("a read"), self.driver.session(database=self.database,
                                                           default_access_mode=neo4j.READ_ACCESS) as session:
            yield from session.run(query, params)

    def ensure_schema(self) -> None:
        """Create the constraints and indexes that are missing (idempotent, safe to repeat)."""
        wanted = {
            "kg_entity_id": "CREATE CONSTRAINT kg_entity_id IF NOT EXISTS FOR (n:Entity) REQUIRE n.id IS UNIQUE",
            "kg_evidence_key": "CREATE CONSTRAINT kg_evidence_key IF NOT EXISTS FOR (v:Evidence) REQUIRE v.key IS UNIQUE",
            "kg_evidence_edge_key": "CREATE INDEX kg_evidence_edge_key IF NOT EXISTS FOR (v:Evidence) ON (v.edge_key)",
            "kg_provenance": "CREATE CONSTRAINT kg_provenance IF NOT EXISTS FOR (p:Provenance) "
                             "REQUIRE (p.source, p.version) IS UNIQUE",
        }
        for t in sorted(set(self._types.values())):
            wanted[f"kg_rel_{t.lower()}_key"] = (f"CREATE CONSTRAINT kg_rel_{t.lower()}_key IF NOT EXISTS "
                                                 f"FOR ()-[x:`{t}`]-() REQUIRE x.key IS UNIQUE")
        have = {r["name"] for r in self._read("SHOW INDEXES YIELD name RETURN name")}
        missing = [q for name, q in wanted.items() if name not in have]
        if not missing:
            return
        with _driver_errors("creating the schema"), self.driver.session(database=self.database) as session:
            for q in missing:
                try:
                    session.run(q).consume()
                except ClientError as exc:  # another process created it at the same moment
                    if "EquivalentSchemaRuleAlreadyExists" not in (exc.code or ""):
                        raise
            session.run("CALL db.awaitIndexes(300)").consume()

    def _edge_types(self, tx: neo4j.ManagedTransaction, keys: set[str]) -> dict[str, str]:
        """Relationship type of each existing edge key (keys not found are left out)."""
        if not keys:
            return {}
        present = {r["t"] for r in tx.run("CALL db.relationshipTypes() YIELD relationshipType AS t RETURN t")}
        types = sorted(present & set(self._types.values()))
        found: dict[str, str] = {}
        if len(keys) > 2000:  # one scan beats an index seek per key and type
            for r in tx.run("MATCH ()-[x]->() RETURN x.key AS k, type(x) AS t"):
                if r["k"] in keys:
                    found[r["k"]] = r["t"]
            return found
        for t in types:
            for r in tx.run(f"UNWIND $keys AS k MATCH ()-[x:`{t}` {{key: k}}]->() RETURN k", keys=sorted(keys)):
                found[r["k"]] = t
        return found

    # -- write side ----------------------------------------------------------------
    def upsert(self, nodes: Sequence[Node], edges: Sequence[Edge], evidence: Sequence[Evidence]) -> None:
        """Merge records in one write transaction; a bad record raises ValueError and nothing is written."""
        node_rows = [n.to_dict() for n in nodes]
        edge_list = [e.to_dict() for e in edges]
        edge_rows: dict[str, dict[str, Any]] = {}
        for r in edge_list:
            edge_rows.setdefault(r["key"], {}).update(r)  # duplicates: later values win
        ev_rows = {v.key: v.to_dict() for v in evidence}
        if not (node_rows or edge_rows or ev_rows):
            return
        for r in node_rows:
            self._label(r["category"])
        for r in edge_rows.values():
            self._type(r["predicate"])
        self._write(lambda tx: self._upsert_tx(tx, node_rows, edge_list, edge_rows, ev_rows), "an upsert")

    def _upsert_tx(self, tx: neo4j.ManagedTransaction, node_rows: list[dict[str, Any]],
                   edge_list: list[dict[str, Any]], edge_rows: dict[str, dict[str, Any]],
                   ev_rows: dict[str, dict[str, Any]]) -> None:
        # 1. check everything before writing (the transaction would roll back anyway)
        call_ids = list(dict.fromkeys(r["id"] for r in node_rows))
        existing: dict[str, dict[str, Any]] = {}
        if call_ids:
            existing = {r["n"]["id"]: node_row(r["n"]) for r in tx.run(
                "UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN properties(n) AS n", ids=call_ids)}
        ends = {end for r in edge_list for end in (r["subject"], r["object"])} - set(call_ids)
        missing: set[str] = set()
        if ends:  # one record back (the missing ids), not one per id: records are slow to build in Python
            missing = set(tx.run("UNWIND $ids AS id OPTIONAL MATCH (n:Entity {id: id}) WITH id WHERE n IS NULL "
                                 "RETURN collect(id) AS ids", ids=sorted(ends)).single(strict=True)["ids"])
        for r in edge_list:
            for end in (r["subject"], r["object"]):
                if end in missing:
                    raise ValueError(f"edge {r['subject']} {r['predicate']} {r['object']}: unknown node {end}")
        other_keys = {v["edge_key"] for v in ev_rows.values()} - set(edge_rows)
        other_types = self._edge_types(tx, other_keys)
        for v in ev_rows.values():
            if v["edge_key"] not in edge_rows and v["edge_key"] not in other_types:
                raise ValueError(f"evidence {v['key']} points at unknown edge {v['edge_key']}")

        # 2. nodes: merged here with the shared rule, written whole, grouped by label
        current = dict(existing)
        for r in node_rows:
            current[r["id"]] = merge_node_row(current.get(r["id"]), r)
        groups: dict[tuple[str, bool], list[dict[str, Any]]] = defaultdict(list)
        for nid in call_ids:
            row = current[nid]
            old = existing.get(nid)
            relabel = old is not None and old.get("category") != row["category"]
            groups[(self._label(row["category"]), relabel)].append({"id": nid, "props": encode_row(row)})
        for (label, relabel), rows in sorted(groups.items()):
            others = ":".join(f"`{x}`" for x in sorted(set(self._labels.values()) - {label}))
            remove = f"REMOVE n:{others} " if relabel and others else ""
            tx.run(f"UNWIND $rows AS r MERGE (n:Entity {{id: r.id}}) {remove}SET n = r.props, n:`{label}`",
                   rows=rows).consume()

        # 3. which edges exist already (relationship-key index seeks): new ones are CREATEd, no
        #    MERGE scanning the relationships of dense hub nodes
        by_type_keys: dict[str, list[str]] = defaultdict(list)
        for k, r in edge_rows.items():
            by_type_keys[self._type(r["predicate"])].append(k)
        old_edges: set[str] = set()
        for t, keys in sorted(by_type_keys.items()):
            # the key between other ends is not this edge: CREATE it and let the constraint refuse
            for rec in tx.run(f"UNWIND $keys AS k MATCH (s)-[x:`{t}` {{key: k}}]->(o) RETURN k, s.id AS s, o.id AS o",
                              keys=sorted(keys)):
                if (rec["s"], rec["o"]) == (edge_rows[rec["k"]]["subject"], edge_rows[rec["k"]]["object"]):
                    old_edges.add(rec["k"])

        # 4. evidence before edges, so an existing edge can count its evidence. An evidence key
        #    hashes its edge key and edges are never deleted alone, so evidence of a new edge is new
        #    too, and that edge's count is its evidence in this call.
        if ev_rows:
            fresh: list[dict[str, Any]] = []
            merged: list[dict[str, Any]] = []
            for k, v in sorted(ev_rows.items()):
                row = {"key": k, "props": encode_row(v, nullable=("offsets", "year"), json_fields=("context",))}
                (fresh if v["edge_key"] in edge_rows and v["edge_key"] not in old_edges else merged).append(row)
            if fresh:
                tx.run("UNWIND $rows AS r CREATE (v:Evidence) SET v = r.props", rows=fresh).consume()
            if merged:
                tx.run("UNWIND $rows AS r MERGE (v:Evidence {key: r.key}) SET v = r.props", rows=merged).consume()
        n_new_ev: dict[str, int] = defaultdict(int)
        for v in ev_rows.values():
            n_new_ev[v["edge_key"]] += 1

        # 5. edges, statements per relationship type: CREATE the new, SET the existing
        created: dict[str, list[dict[str, Any]]] = defaultdict(list)
        updated: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for k, r in sorted(edge_rows.items()):
            props = encode_row(r, nullable=("belief",))
            t = self._type(r["predicate"])
            if k in old_edges:
                updated[t].append({"key": k, "count": k in n_new_ev, "props": props})
            else:
                if k in n_new_ev:
                    props["n_evidence"] = n_new_ev[k]
                created[t].append({"s": r["subject"], "o": r["object"],
                                   "props": {p: x for p, x in props.items() if x is not None}})
        for t, rows in sorted(created.items()):
            tx.run(f"UNWIND $rows AS r MATCH (s:Entity {{id: r.s}}) MATCH (o:Entity {{id: r.o}}) "
                   f"CREATE (s)-[x:`{t}`]->(o) SET x = r.props", rows=rows).consume()
        for t, rows in sorted(updated.items()):
            tx.run(f"UNWIND $rows AS r MATCH ()-[x:`{t}` {{key: r.key}}]->() SET x += r.props "
                   f"WITH x, r WHERE r.count "
                   f"SET x.n_evidence = COUNT {{ MATCH (v:Evidence) WHERE v.edge_key = r.key }}",
                   rows=rows).consume()

        # 6. evidence added to edges written by earlier calls
        later: dict[str, list[str]] = defaultdict(list)
        for k in sorted(other_keys):
            later[other_types[k]].append(k)
        for t, keys in sorted(later.items()):
            tx.run(f"UNWIND $keys AS k MATCH ()-[x:`{t}` {{key: k}}]->() "
                   f"SET x.n_evidence = COUNT {{ MATCH (v:Evidence) WHERE v.edge_key = k }}", keys=keys).consume()

    def set_edge_props(self, props: dict[str, dict[str, Any]]) -> None:
        """Set computed properties on edges by key (unknown keys are ignored), one transaction."""
        if not props:
            return

        def work(tx: neo4j.ManagedTransaction) -> None:
            types = self._edge_types(tx, set(props))
            by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
            for k in sorted(types):
                by_type[types[k]].append({"key": k, "props": encode_row(props[k], nullable=("belief",))})
            for t, rows in sorted(by_type.items()):
                for i in range(0, len(rows), 20000):
                    tx.run(f"UNWIND $rows AS r MATCH ()-[x:`{t}` {{key: r.key}}]->() SET x += r.props",
                           rows=rows[i:i + 20000]).consume()

        self._write(work, "setting edge properties")

    def record_provenance(self, prov: Provenance, counts: dict[str, int], params: dict[str, Any]) -> None:
        row = {**prov.to_dict(), "counts": counts, "params": params}
        props = encode_row(row, json_fields=("counts", "params"))
        self._write(lambda tx: tx.run("MERGE (p:Provenance {source: $p.source, version: $p.version}) SET p = $p",
                                      p=props).consume(), "recording provenance")

    def clear(self, keep_build_marker: bool = False) -> None:
        """Delete every node and relationship (constraints and indexes stay).

        Provenance goes last, and with ``keep_build_marker`` the build marker (source ``_build``)
        stays, so a rebuild's clear killed half-way still says the graph is incomplete.
        """
        with _driver_errors("clearing the store"), self.driver.session(database=self.database) as session:
            # relationships first, in batches: a hub's DETACH DELETE would hold all its relationships
            # in one transaction (a GO term with 100k memberships exceeded the transaction memory pool)
            session.run("MATCH ()-[r]->() CALL { WITH r DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
            session.run("MATCH (n) WHERE NOT n:Provenance CALL { WITH n DETACH DELETE n } "
                        "IN TRANSACTIONS OF 10000 ROWS").consume()
            session.run("MATCH (p:Provenance) WHERE NOT ($keep AND p.source = '_build') DELETE p",
                        keep=keep_build_marker).consume()

    def delete(self, edge_keys: Iterable[str] = (), evidence_keys: Iterable[str] = (),
               node_ids: Iterable[str] = ()) -> None:
        """Remove edges (with their evidence), single evidence rows, and nodes (with their edges)."""
        edge_keys, evidence_keys, node_ids = list(edge_keys), list(evidence_keys), list(node_ids)
        # In batches, each its own transaction (a rebuild's prune can be large; the build marker
        # says "building" meanwhile, so a half-done prune is never taken for a complete graph).
        for i in range(0, len(edge_keys), DELETE_BATCH):
            self._write(functools.partial(_delete_edges, keys=edge_keys[i:i + DELETE_BATCH]), "deleting stale edges")
        for i in range(0, len(evidence_keys), DELETE_BATCH):
            self._write(functools.partial(_delete_evidence, keys=evidence_keys[i:i + DELETE_BATCH]),
                        "deleting stale evidence")
        for i in range(0, len(node_ids), DELETE_BATCH):
            self._write(functools.partial(_delete_nodes, ids=node_ids[i:i + DELETE_BATCH]), "deleting stale nodes")

    def flush(self) -> None:
        """Nothing to do: every upsert is committed when it returns."""

    def close(self) -> None:
        self.driver.close()

    # -- read side -----------------------------------------------------------------
    def node(self, node_id: str) -> dict[str, Any] | None:
        return self.nodes([node_id]).get(node_id)

    def nodes(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        ids = list(dict.fromkeys(ids))
        found = {r["n"]["id"]: node_row(r["n"])
                 for r in self._read("UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN properties(n) AS n", ids=ids)}
        return {i: found[i] for i in ids if i in found}

    def search(self, text: str, limit: int = 10) -> list[dict[str, Any]]:
        """Same ranking as the embedded store: candidates by CONTAINS here, ranked by ``search_rank``."""
        t = text.strip().lower()
        if not t:
            return []
        records = self._read(
            "MATCH (n:Entity) WHERE toLower(toString(n.id)) CONTAINS $t OR toLower(toString(n.name)) CONTAINS $t "
            "OR any(s IN CASE WHEN n.synonyms IS :: LIST<STRING NOT NULL> THEN n.synonyms ELSE [] END "
            "       WHERE toLower(s) CONTAINS $t) "
            "RETURN properties(n) AS n, COUNT { (n)-->() } + COUNT { (n)<--() } AS degree", t=t)
        hits = []
        for r in records:
            row = node_row(r["n"])
            rank = search_rank(text, row)
            if rank is not None:
                hits.append((rank, r["degree"], row))
        hits.sort(key=lambda h: (h[0][0], -h[1], h[0][1]))
        return [row for _, _, row in hits[:limit]]

    def edges_of(self, ids: Iterable[str], direction: str = "out") -> list[dict[str, Any]]:
        ids = list(dict.fromkeys(ids))
        patterns = {"out": ["(n)-[x]->()"], "in": ["(n)<-[x]-()"], "both": ["(n)-[x]->()", "(n)<-[x]-()"]}
        out: dict[str, dict[str, Any]] = {}
        for pattern in patterns.get(direction, []):
            for r in self._read(f"UNWIND $ids AS id MATCH (n:Entity {{id: id}}) MATCH {pattern} "
                                f"RETURN properties(x) AS x", ids=ids):
                row = edge_row(r["x"])
                out[row["key"]] = row
        return sort_rows(list(out.values()))

    def evidence(self, edge_keys: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        keys = list(dict.fromkeys(edge_keys))
        got: dict[str, list[dict[str, Any]]] = {k: [] for k in keys}
        for r in self._read("UNWIND $keys AS k MATCH (v:Evidence) WHERE v.edge_key = k RETURN properties(v) AS v",
                            keys=keys):
            row = evidence_row(r["v"])
            got[row["edge_key"]].append(row)
        return {k: sort_rows(v) for k, v in got.items()}

    def walk_edges(self, set_predicates: Sequence[str], group_categories: Sequence[str]) -> list[dict[str, Any]]:
        """By relationship type (a type scan each), set edges only into the group labels: the
        memberships into modules and pathways are never read."""
        sets = set(set_predicates)
        walk_types = sorted({t for p, t in self._types.items() if p not in sets})
        fields = ", ".join(f".{f}" for f in WALK_FIELDS)  # a map projection: never every property
        parts = [f"MATCH ()-[x:{'|'.join(f'`{t}`' for t in walk_types)}]->() RETURN x {{{fields}}} AS x"]
        parts += [f"MATCH ()-[x:`{self._type(p)}`]->(:`{self._label(c)}`) RETURN x {{{fields}}} AS x"
                  for p in sorted(sets) for c in sorted(group_categories)]
        return sort_rows([walk_row(r["x"]) for r in self._read(" UNION ALL ".join(parts))])

    def edges(self, keys: Iterable[str]) -> dict[str, dict[str, Any]]:
        keys = sorted(set(keys))
        if not keys or not self._types:
            return {}
        # one key seek per relationship type (the key constraints are per type)
        query = " UNION ALL ".join(f"UNWIND $keys AS k MATCH ()-[x:`{t}` {{key: k}}]->() RETURN properties(x) AS x"
                                   for t in sorted(set(self._types.values())))
        return {row["key"]: row for row in (edge_row(r["x"]) for r in self._read(query, keys=keys))}

    def degrees(self, ids: Iterable[str]) -> dict[str, int]:
        """In + out relationships of each node (a MultiDiGraph's degree); 0 for unknown ids."""
        ids = list(dict.fromkeys(ids))
        found = {r["id"]: r["d"] for r in self._read(
            "UNWIND $ids AS id MATCH (n:Entity {id: id}) RETURN id, COUNT { (n)-->() } + COUNT { (n)<--() } AS d",
            ids=ids)}
        return {i: found.get(i, 0) for i in ids}

    # ``ordered=False`` streams without ORDER BY: a server-side sort of a million rows would hit
    # the transaction memory limit, and a caller that only needs the set can sort small keys itself.
    def iter_nodes(self, ordered: bool = True) -> Iterator[dict[str, Any]]:
        for r in self._stream("MATCH (n:Entity) RETURN properties(n) AS n" + (" ORDER BY n.id" if ordered else "")):
            yield node_row(r["n"])

    def iter_edges(self, ordered: bool = True) -> Iterator[dict[str, Any]]:
        for r in self._stream("MATCH ()-[x]->() RETURN properties(x) AS x" + (" ORDER BY x.key" if ordered else "")):
            yield edge_row(r["x"])

    def iter_evidence(self, ordered: bool = True) -> Iterator[dict[str, Any]]:
        for r in self._stream("MATCH (v:Evidence) RETURN properties(v) AS v"
                              + (" ORDER BY v.edge_key, v.key" if ordered else "")):
            yield evidence_row(r["v"])

    def provenance(self) -> list[dict[str, Any]]:
        rows = [provenance_row(r["p"]) for r in self._read("MATCH (p:Provenance) RETURN properties(p) AS p")]
        return sorted(rows, key=lambda p: (p["source"], p["version"]))

    def stats(self) -> dict[str, Any]:
        by_cat = {r["c"]: r["n"] for r in self._read("MATCH (n:Entity) RETURN n.category AS c, count(*) AS n")}
        by_pred = {r["p"]: r["n"] for r in self._read("MATCH ()-[x]->() RETURN x.predicate AS p, count(*) AS n")}
        n_ev = self._read("MATCH (v:Evidence) RETURN count(v) AS n")[0]["n"]
        return {"nodes": sum(by_cat.values()), "edges": sum(by_pred.values()), "evidence": n_ev,
                "by_category": dict(sorted(by_cat.items())), "by_predicate": dict(sorted(by_pred.items()))}

    # -- read-only Cypher (the console's engine; the console itself is kg.query.cypher) -------
    def read_cypher(self, query: str, params: dict[str, Any] | None = None, *, timeout_s: float = 10.0,
                    row_limit: int = 1000) -> dict[str, Any]:
        """Run user Cypher in a READ transaction with a timeout; writes are refused by Neo4j itself.

        Returns ``{"columns", "rows", "truncated", "nodes", "relationships"}``: rows are lists in
        column order (at most ``row_limit``), graph values become dicts, and every node and
        relationship met in the rows is listed once for drawing.

        Example (on a running server)::

            store.read_cypher("MATCH (g:Gene {name: $n}) RETURN g.id", {"n": "MMP3"})
            # {'columns': ['g.id'], 'rows': [['HGNC:7173']], 'truncated': False, 'engine': 'neo4j', ...}
        """
        guarded(query)
        return self._run_read(query, params, timeout_s=timeout_s, row_limit=row_limit)

    def _run_read(self, query: str, params: dict[str, Any] | None = None, *, timeout_s: float = 10.0,
                  row_limit: int = 1000) -> dict[str, Any]:
        """:meth:`read_cypher` below the gate: the server's READ access mode is the second fence
        (tests show it refuses writes on its own)."""
        graph: dict[str, dict[str, dict[str, Any]]] = {"nodes": {}, "relationships": {}}

        @neo4j.unit_of_work(timeout=timeout_s)
        def work(tx: neo4j.ManagedTransaction) -> tuple[list[str], list[list[Any]], bool]:
            graph["nodes"].clear()
            graph["relationships"].clear()
            result = tx.run(query, params or {})
            rows: list[list[Any]] = []
            truncated = False
            for record in result:
                if len(rows) >= row_limit:
                    truncated = True
                    break
                rows.append([_plain(v, graph) for v in record.values()])
            return list(result.keys()), rows, truncated

        try:
            with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
                columns, rows, truncated = session.execute_read(work)
        except ClientError as exc:
            code = exc.code or ""
            if code == "Neo.ClientError.Statement.AccessMode":
                raise StoreError("the console is read-only: CREATE, MERGE, SET, DELETE, REMOVE and other "
                                 "writes are refused (use `kg build` to change the graph)") from None
            if "TransactionTimedOut" in code or "Terminated" in code:
                raise StoreError(f"the query ran longer than {timeout_s:g} s and was stopped; add LIMIT or "
                                 f"narrow the MATCH") from None
            raise StoreError(f"Cypher error: {exc.message or exc}") from None
        except ServiceUnavailable as exc:
            # the console shows this one as a connection error, not as a problem of the query
            raise StoreError(f"Neo4j went away while running the query: {_START_HINT} ({exc})",
                             unreachable=True) from None
        except (Neo4jError, DriverError) as exc:
            raise StoreError(f"Neo4j could not run the query: {getattr(exc, 'message', None) or exc}") from None
        return {"columns": columns, "rows": rows, "truncated": truncated, "engine": "neo4j",
                "nodes": list(graph["nodes"].values()), "relationships": list(graph["relationships"].values())}


def _delete_edges(tx: neo4j.ManagedTransaction, keys: list[str]) -> None:
    tx.run("UNWIND $keys AS k MATCH ()-[x {key: k}]->() DELETE x", keys=keys).consume()
    tx.run("UNWIND $keys AS k MATCH (v:Evidence {edge_key: k}) DELETE v", keys=keys).consume()


def _delete_evidence(tx: neo4j.ManagedTransaction, keys: list[str]) -> None:
    tx.run("UNWIND $keys AS k MATCH (v:Evidence {key: k}) DELETE v", keys=keys).consume()


def _delete_nodes(tx: neo4j.ManagedTransaction, ids: list[str]) -> None:
    tx.run("UNWIND $ids AS i MATCH (n:Entity {id: i}) OPTIONAL MATCH (n)-[x]-() "
           "WITH n, collect(x.key) AS ks DETACH DELETE n "
           "WITH ks UNWIND ks AS k MATCH (v:Evidence {edge_key: k}) DELETE v", ids=ids).consume()


def _checked_name(name: str) -> str:
    """A label or relationship type from the ontology, safe to write into Cypher text."""
    if not _NAME_RE.match(name):
        raise ValueError(f"ontology label {name!r} is not a plain Cypher name")
    return name


def _plain(v: Any, graph: dict[str, dict[str, dict[str, Any]]]) -> Any:
    """A JSON-ready value; nodes and relationships are also collected into ``graph``."""
    if isinstance(v, GraphNode):
        node: dict[str, Any] = {"id": v.element_id, "labels": sorted(v.labels),
                                "properties": decode_row(dict(v), NODE_ORDER)}
        graph["nodes"].setdefault(v.element_id, node)
        return node
    if isinstance(v, GraphRelationship):
        row: dict[str, Any] = {"id": v.element_id, "type": v.type,
               "start": v.start_node.element_id if v.start_node is not None else None,
               "end": v.end_node.element_id if v.end_node is not None else None,
               "properties": decode_row(dict(v), EDGE_ORDER)}
        graph["relationships"].setdefault(v.element_id, row)
        return row
    if isinstance(v, GraphPath):
        return {"nodes": [_plain(n, graph) for n in v.nodes],
                "relationships": [_plain(r, graph) for r in v.relationships]}
    if isinstance(v, (list, tuple)):
        return [_plain(x, graph) for x in v]
    if isinstance(v, dict):
        return {k: _plain(x, graph) for k, x in v.items()}
    if v is None or isinstance(v, (bool, int, float, str)):
        return decode_value(v)
    return str(v)  # temporal and spatial values
