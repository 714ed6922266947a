"""Shared pytest fixtures."""

from tests.neo4j_fixture import neo4j_server  # noqa: F401
from tests.store_fixtures import any_store, built_store  # noqa: F401
