"""Store fixtures: the same tests run on the embedded store and on the real Neo4j.

Neo4j Community has one user database, shared by every test: never use ``any_store``
(which empties it) and ``built_store`` in the same test module.
"""
from __future__ import annotations

import pytest

from kg.store.settings import Settings

STORES = ["embedded", "neo4j"]


def neo4j_settings(server, home, **changes) -> Settings:
    """Settings that reach the session's Neo4j ``server`` (the ``neo4j_server`` fixture), home ``home``."""
    s = Settings(home=home, store="neo4j", neo4j_uri=server["uri"], neo4j_user=server["user"],
                 neo4j_password=server["password"], neo4j_database=server["database"])
    return s.with_(**changes) if changes else s


def launched_neo4j_store(server):
    """The store on the session's server as the project-launched one (found by from_settings when
    the server home is ``<KG_HOME>/neo4j``, as ``kg neo4j start`` makes it): bulk rebuilds by import."""
    from pathlib import Path

    from kg.store import open_store
    from kg.store.base import BulkStore
    from kg.store.neo4j import Neo4jStore
    from kg.store.neo4j_import import LocalNeo4jStore

    home = Path(server["home"])
    if home.name == "neo4j":
        store = open_store(neo4j_settings(server, home.parent))
        assert isinstance(store, LocalNeo4jStore) and isinstance(store, BulkStore)
        return store
    plain = Neo4jStore.from_settings(neo4j_settings(server, home))
    return LocalNeo4jStore(plain.driver, home=home, settings=neo4j_settings(server, home.parent))


def make_store(kind: str, tmp_path, request):
    """An EMPTY store of ``kind``; Neo4j comes from the session's real server (never mocked)."""
    if kind == "embedded":
        from kg.store.embedded import EmbeddedStore

        return EmbeddedStore(tmp_path / "graph.json.gz")
    if kind == "ladybug":
        from kg.store.ladybugdb import LadybugStore

        return LadybugStore(tmp_path / "graph.lbug", buffer_mb=64)
    server = request.getfixturevalue("neo4j_server")
    from kg.store.neo4j import Neo4jStore

    store = Neo4jStore.from_settings(neo4j_settings(server, tmp_path))
    store.clear()
    return store


@pytest.fixture(params=STORES)
def any_store(request, tmp_path):
    """An empty store, once per kind: use it for every test that must hold on both stores."""
    store = make_store(request.param, tmp_path, request)
    yield store
    store.close()


def default_build(request, tmp_path_factory, prefix: str = "built"):
    """Generator body of a fixture: a ``request.param`` store holding the default build, closed after."""
    from kg.pipeline.build import collect
    from kg.pipeline.load import load

    store = make_store(request.param, tmp_path_factory.mktemp(f"{prefix}-{request.param}"), request)
    load(store, collect())
    yield store
    store.close()


@pytest.fixture(scope="module", params=STORES)
def built_store(request, tmp_path_factory):
    """A store of each kind holding the default (shipped) build; module-scoped, read-only use."""
    yield from default_build(request, tmp_path_factory)
