"""Shared pytest fixtures."""

from tests.neo4j_fixture import neo4j_server  # noqa: F401
