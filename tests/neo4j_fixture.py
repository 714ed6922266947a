"""Session-scoped pytest fixture running a real local Neo4j 5.26 server.

Environment (all optional):
    KG_TEST_NEO4J_HOME  server home directory (default: <pytest basetemp>/neo4j);
                        a reused home keeps the password it was first started with.
    KG_TEST_NEO4J_PORT  Bolt port on 127.0.0.1 (default 7699).
    NEO4J_PASSWORD      password of user neo4j (default: random, set in os.environ
                        for the session).

If the server cannot be started the fixture fails (never skips).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.store import neo4j_server as server


@pytest.fixture(scope="session")
def neo4j_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Start (or reuse) a local Neo4j and yield its connection settings.

    Yields ``{"uri", "user": "neo4j", "password", "database": "neo4j", "home"}``.
    Stops the server at the end of the session unless it was already running before.
    """
    home_env = os.environ.get("KG_TEST_NEO4J_HOME")
    home = Path(home_env) if home_env else tmp_path_factory.getbasetemp() / "neo4j"
    port_env = os.environ.get("KG_TEST_NEO4J_PORT", "7699")
    try:
        port = int(port_env)
    except ValueError:
        pytest.fail(f"KG_TEST_NEO4J_PORT is not a port number: {port_env!r}", pytrace=False)

    old_password = os.environ.get("NEO4J_PASSWORD")
    password = old_password or secrets.token_urlsafe(18)
    os.environ["NEO4J_PASSWORD"] = password

    was_running = server.status(home, bolt_port=port)["running"]
    try:
        info = server.start(home, bolt_port=port, password=password)
    except Exception as exc:  # noqa: BLE001 - any failure must fail the tests, not skip
        if old_password is None:
            os.environ.pop("NEO4J_PASSWORD", None)
        pytest.fail(f"could not start the local Neo4j server for tests: {exc}", pytrace=False)

    try:
        yield {
            "uri": info["uri"],
            "user": server.USER,
            "password": password,
            "database": "neo4j",
            "home": info["home"],
        }
    finally:
        if not was_running:
            server.stop(home)
        if old_password is None:
            os.environ.pop("NEO4J_PASSWORD", None)
        else:
            os.environ["NEO4J_PASSWORD"] = old_password
