"""Stores: one protocol, three implementations (embedded networkx file, embedded LadybugDB, Neo4j)."""
from __future__ import annotations

from kg.store.base import Store, StoreError
from kg.store.settings import Settings


def open_store(settings: Settings) -> Store:
    """Open the store named by ``settings.store``."""
    if settings.store == "neo4j":
        from kg.store.neo4j import Neo4jStore

        return Neo4jStore.from_settings(settings)
    if settings.store == "ladybug":
        from kg.store.ladybugdb import LadybugStore

        return LadybugStore(settings.ladybug_path)
    from kg.store.embedded import EmbeddedStore

    return EmbeddedStore(settings.embedded_path)


__all__ = ["Store", "StoreError", "open_store"]
