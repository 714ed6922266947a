"""The Docker set-up users run (no Docker engine here, so its files are checked as data): Neo4j 5
refuses unknown NEO4J_* settings, so the password may only appear in NEO4J_AUTH; ports stay on
127.0.0.1; the console's server reads no files; the image gets no history or local environment."""
from __future__ import annotations

import yaml

from tests.helpers import ROOT


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))


def test_neo4j_service_takes_the_password_only_through_neo4j_auth():
    neo4j = compose()["services"]["neo4j"]
    env = neo4j["environment"]
    assert neo4j["image"].startswith("neo4j:5.26")
    assert env["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD")
    # NEO4J_PASSWORD here would become the unknown setting "PASSWORD" and stop Neo4j 5 at start-up
    assert not [k for k in env if k.startswith("NEO4J_") and "PASSWORD" in k]
    assert "NEO4J_PASSWORD" not in " ".join(neo4j["healthcheck"]["test"])
    assert env["NEO4J_dbms_security_allow__csv__import__from__file__urls"] == "false"


def test_ports_are_bound_to_localhost_only():
    for name, svc in compose()["services"].items():
        for port in svc.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_the_image_gets_no_history_or_local_state():
    ignored = {line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#")}
    assert {".git", ".venv", "kg/store/neo4j_launcher/target", ".kg"} <= ignored
    assert "app.py" in (ROOT / "Dockerfile").read_text() and (ROOT / "app.py").is_file()
