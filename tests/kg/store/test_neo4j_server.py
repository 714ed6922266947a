"""Tests of kg.store.neo4j_server against a real local Neo4j server (fixture neo4j_server)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
from neo4j import GraphDatabase
from neo4j.exceptions import AuthError

from kg.store import neo4j_server as server

pytestmark = pytest.mark.neo4j


def _port(server: dict[str, Any]) -> int:
    return int(server["uri"].rsplit(":", 1)[1])


def test_return_1(neo4j_server: dict[str, Any]) -> None:
    auth = (neo4j_server["user"], neo4j_server["password"])
    with GraphDatabase.driver(neo4j_server["uri"], auth=auth) as driver:
        records, _, _ = driver.execute_query("RETURN 1 AS one", database_=neo4j_server["database"])
    assert records[0]["one"] == 1


def test_wrong_password_rejected(neo4j_server: dict[str, Any]) -> None:
    auth = (neo4j_server["user"], neo4j_server["password"] + "-wrong")
    with GraphDatabase.driver(neo4j_server["uri"], auth=auth) as driver:
        with pytest.raises(AuthError):
            driver.verify_connectivity()


def test_write_and_read_node(neo4j_server: dict[str, Any]) -> None:
    auth = (neo4j_server["user"], neo4j_server["password"])
    key = uuid.uuid4().hex
    db = neo4j_server["database"]
    with GraphDatabase.driver(neo4j_server["uri"], auth=auth) as driver:
        driver.execute_query(
            "CREATE (:KgLocalTest {key: $key, name: $name})",
            key=key,
            name="hello",
            database_=db,
        )
        records, _, _ = driver.execute_query(
            "MATCH (n:KgLocalTest {key: $key}) RETURN n.name AS name", key=key, database_=db
        )
        assert [r["name"] for r in records] == ["hello"]
        driver.execute_query("MATCH (n:KgLocalTest {key: $key}) DELETE n", key=key, database_=db)


def test_status_reports_running(neo4j_server: dict[str, Any]) -> None:
    home = Path(neo4j_server["home"])
    info = server.status(
        home, bolt_port=_port(neo4j_server), password=neo4j_server["password"]
    )
    assert info["running"] is True
    assert info["answering"] is True, info["error"]
    assert isinstance(info["pid"], int)
    assert info["uri"] == neo4j_server["uri"]
    assert (home / "neo4j.pid").read_text().strip() == str(info["pid"])


def test_start_again_reuses_running_server(neo4j_server: dict[str, Any]) -> None:
    home = Path(neo4j_server["home"])
    before = server.status(home, bolt_port=_port(neo4j_server))
    again = server.start(
        home, bolt_port=_port(neo4j_server), password=neo4j_server["password"]
    )
    assert again["pid"] == before["pid"]
    assert again["uri"] == neo4j_server["uri"]
