"""Stores: one protocol, three implementations (embedded LadybugDB, the default; embedded networkx file; Neo4j)."""
from __future__ import annotations

from kg.store.base import Store, StoreError
from kg.store.settings import Settings


def open_store(settings: Settings, read_only: bool = False) -> Store:
    """Open the store named by ``settings.store``; ``read_only`` opens LadybugDB read-only (a reader
    never takes the writer's lock: the app and a running ``kg ingest`` do not block each other)."""
    if settings.store == "neo4j":
        from kg.store.neo4j_import import open_neo4j  # the launched local server can also bulk import

        return open_neo4j(settings)
    if settings.store == "ladybug":
        from kg.store.ladybugdb import LadybugStore

        # a graph not built yet opens writable, so a reader sees an empty store, not an error
        return LadybugStore(settings.ladybug_path, read_only=read_only and settings.ladybug_path.exists())
    from kg.store.embedded import EmbeddedStore

    return EmbeddedStore(settings.embedded_path)


__all__ = ["Store", "StoreError", "open_store"]
