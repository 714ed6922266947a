"""`kg neo4j start --browser`: a real local Neo4j serving Neo4j Browser and the HTTP API on 127.0.0.1.

Starts its own server (own KG_HOME, free Bolt and HTTP ports, random password in the environment
only) through the real command, then talks plain HTTP to it and stops it.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kg.store import neo4j_server as server
from tests.kg.surfaces.test_cli import ok, run_kg

pytestmark = pytest.mark.neo4j

CYPHER = json.dumps({"statements": [{"statement": "RETURN 40 + 2 AS answer"}]}).encode()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def listening_addresses(port: int) -> set[str]:
    """Local addresses (hex, as /proc/net/tcp* spells them) with a LISTEN socket on ``port``."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            local, _remote, state = line.split()[1:4]
            address, hex_port = local.split(":")
            if state == "0A" and int(hex_port, 16) == port:
                found.add(address)
    return found


# 127.0.0.1 in /proc/net/tcp, and as the IPv4-mapped ::ffff:127.0.0.1 of a dual-stack JVM socket
LOOPBACK = {"0100007F", "0000000000000000FFFF00000100007F"}


def post(url: str, body: bytes, auth: tuple[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if auth is not None:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310 - loopback URL
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


@pytest.fixture(scope="module")
def browser_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    home = tmp_path_factory.mktemp("kg-browser-home")
    bolt, http = free_port(), free_port()
    while http == bolt:
        http = free_port()
    password = secrets.token_urlsafe(18)
    env = {"NEO4J_URI": f"bolt://127.0.0.1:{bolt}", "NEO4J_PASSWORD": password}
    try:
        proc = run_kg(home, "neo4j", "start", "--browser", "--http-port", str(http), **env)
        yield {"proc": proc, "home": home, "bolt": bolt, "http": http, "password": password, "env": env}
    finally:
        run_kg(home, "neo4j", "stop", **env)
        server.stop(home / "neo4j")  # whatever happened above: no JVM left behind


def test_start_reports_the_browser(browser_server: dict[str, Any]) -> None:
    proc = ok(browser_server["proc"])
    info = json.loads(proc.stdout)
    http = f"http://127.0.0.1:{browser_server['http']}"
    assert info["uri"] == f"bolt://127.0.0.1:{browser_server['bolt']}"
    assert info["http"] == http and info["browser"] == f"{http}/browser/" and info["browser_error"] is None
    assert f"Neo4j Browser: {http}/browser/" in proc.stderr
    assert browser_server["password"] not in proc.stdout + proc.stderr
    log = Path(info["log"]).read_text()
    assert browser_server["password"] not in log
    assert browser_server["password"] not in " ".join(server._cmdline(info["pid"]) or [])


def test_browser_index_is_served(browser_server: dict[str, Any]) -> None:
    ok(browser_server["proc"])
    url = f"http://127.0.0.1:{browser_server['http']}/browser/"
    with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 - loopback URL
        assert resp.status == 200
        assert resp.headers.get_content_type() == "text/html"
        page = resp.read().decode()
    assert "<title>Neo4j Browser</title>" in page
    bundle = next(part.split('"')[0] for part in page.split('src="')[1:] if part.startswith("app-"))
    with urllib.request.urlopen(url + bundle, timeout=30) as resp:  # noqa: S310 - loopback URL
        assert resp.status == 200 and len(resp.read()) > 100_000  # the Browser's app bundle


def test_discovery_points_the_browser_at_local_bolt(browser_server: dict[str, Any]) -> None:
    ok(browser_server["proc"])
    with urllib.request.urlopen(f"http://127.0.0.1:{browser_server['http']}/", timeout=30) as resp:  # noqa: S310
        found = json.loads(resp.read())
    assert found["bolt_direct"] == f"bolt://127.0.0.1:{browser_server['bolt']}"
    assert found["neo4j_edition"] == "community" and found["neo4j_version"].startswith("5.26")


def test_http_cypher_needs_the_password(browser_server: dict[str, Any]) -> None:
    ok(browser_server["proc"])
    url = f"http://127.0.0.1:{browser_server['http']}/db/neo4j/tx/commit"
    status, body = post(url, CYPHER)
    assert status == 401, body
    assert body["errors"][0]["code"] == "Neo.ClientError.Security.Unauthorized"
    status, body = post(url, CYPHER, auth=("neo4j", browser_server["password"] + "-wrong"))
    assert status == 401, body
    status, body = post(url, CYPHER, auth=("neo4j", browser_server["password"]))
    assert status == 200 and body["errors"] == [], body
    assert body["results"][0]["columns"] == ["answer"] and body["results"][0]["data"][0]["row"] == [42]


def test_only_what_the_browser_needs(browser_server: dict[str, Any]) -> None:
    """The Query API and unmanaged extensions are off; CORS names only the server itself."""
    ok(browser_server["proc"])
    base = f"http://127.0.0.1:{browser_server['http']}"
    status, _ = post(f"{base}/db/neo4j/query/v2", b'{"statement": "RETURN 1"}',
                     auth=("neo4j", browser_server["password"]))
    assert status == 404
    request = urllib.request.Request(f"{base}/", headers={"Origin": "http://example.org"})
    with urllib.request.urlopen(request, timeout=30) as resp:  # noqa: S310 - loopback URL
        assert resp.headers.get("Access-Control-Allow-Origin") == base


def test_http_and_bolt_listen_on_loopback_only(browser_server: dict[str, Any]) -> None:
    ok(browser_server["proc"])
    for port in (browser_server["http"], browser_server["bolt"]):
        addresses = listening_addresses(port)
        assert addresses and addresses <= LOOPBACK, (port, addresses)


def test_status_and_restart_rules(browser_server: dict[str, Any]) -> None:
    ok(browser_server["proc"])
    home, env = browser_server["home"], browser_server["env"]
    status = json.loads(ok(run_kg(home, "neo4j", "status", **env)).stdout)
    assert status["answering"] is True
    assert status["browser"] == f"http://127.0.0.1:{browser_server['http']}/browser/"
    again = json.loads(ok(run_kg(home, "neo4j", "start", "--browser", "--http-port",
                                 str(browser_server["http"]), **env)).stdout)
    assert again["pid"] == status["pid"]  # the running server, not a second one
    plain = json.loads(ok(run_kg(home, "neo4j", "start", **env)).stdout)  # any running server will do
    assert plain["pid"] == status["pid"] and plain["browser"] == status["browser"]
    other = run_kg(home, "neo4j", "start", "--browser", "--http-port", str(free_port()), **env)
    assert other.returncode == 1 and "with HTTP on port" in other.stderr and "kg neo4j stop" in other.stderr
    lone = run_kg(home, "neo4j", "start", "--http-port", "7474", **env)
    assert lone.returncode == 1 and "--browser" in lone.stderr


def test_plain_start_has_no_http(neo4j_server: dict[str, Any]) -> None:
    """Without --browser nothing changes: the session's server listens on its Bolt port only."""
    info = server.status(Path(neo4j_server["home"]), password=neo4j_server["password"])
    assert info["answering"] is True and info["http"] is None and info["browser"] is None
    sockets = set()
    for fd in Path(f"/proc/{info['pid']}/fd").iterdir():
        with contextlib.suppress(OSError):  # a file closed meanwhile
            sockets.add(os.readlink(fd))
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and f"socket:[{fields[9]}]" in sockets:
                ports.add(int(fields[1].split(":")[1], 16))
    assert ports == {int(neo4j_server["uri"].rsplit(":", 1)[1])}
    with pytest.raises(server.Neo4jLocalError, match="already running .* without HTTP.*kg neo4j stop"):
        server.start(Path(neo4j_server["home"]), bolt_port=ports.pop(), password=neo4j_server["password"],
                     http_port=free_port())


def test_taken_http_port_is_refused_before_java_starts(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        http = taken.getsockname()[1]
        env = {"NEO4J_URI": f"bolt://127.0.0.1:{free_port()}", "NEO4J_PASSWORD": secrets.token_urlsafe(18)}
        proc = run_kg(tmp_path, "neo4j", "start", "--browser", "--http-port", str(http), **env)
    assert proc.returncode == 1 and f"port 127.0.0.1:{http} is already in use" in proc.stderr
    assert "--http-port" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "neo4j" / "neo4j.pid").exists()
