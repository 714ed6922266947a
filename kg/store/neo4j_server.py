"""Run a real local Neo4j 5.26 LTS Community server for tests, CI and users.

The server is a tiny Java program (``kg/store/neo4j_launcher``) that embeds Neo4j through
``DatabaseManagementServiceBuilder`` with only the Bolt connector, bound to 127.0.0.1,
authentication on. With ``http_port`` it also opens the HTTP connector on 127.0.0.1: the
transactional Cypher endpoint (``/db/{name}/tx``, same user and password) and Neo4j Browser
(``/browser/``, static files from the ``org.neo4j.client:neo4j-browser`` jar on the launcher's
classpath). It is built once with Maven from Maven Central jars; afterwards it runs without
network access.

Typical use::

    from kg.store import neo4j_server
    info = neo4j_server.start(Path("var/neo4j"), bolt_port=7687, password=pw)
    ...  # connect to info["uri"] as user "neo4j" with ``pw``
    # or, with Neo4j Browser at info["browser"] == "http://127.0.0.1:7474/browser/":
    info = neo4j_server.start(Path("var/neo4j"), bolt_port=7687, password=pw, http_port=7474)
    neo4j_server.stop(Path("var/neo4j"))

Files in the server's home directory: ``neo4j.pid`` (pid of the running server),
``neo4j.log`` (its stdout/stderr, appended to), ``logs/debug.log`` (Neo4j's own log),
``data/`` (databases) and ``kg-neo4j-local.password-initialized`` (written once the
initial password is set; later starts keep the stored password).

``java`` (17+) and ``mvn`` are looked up on ``PATH``; no other environment variable is
read by this module. The password is handed to the Java process on its standard input, never in
its environment or on its command line, and the JVM gets only a short allowlist of environment
variables (:data:`JVM_ENV`), so a query reading ``/proc/self/environ`` finds no secret.
"""

from __future__ import annotations

import contextlib
import fcntl
import functools
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "ADMIN_MAIN_CLASS",
    "DEFAULT_JVM_OPTS",
    "DEFAULT_TOOL_DIR",
    "Neo4jLocalError",
    "admin_command",
    "build",
    "install_database",
    "launch_args",
    "start",
    "status",
    "stop",
]

#: Where the Maven project of the launcher lives: package data beside this module, so an installed
#: wheel can build and start the server too (``kg/store/neo4j_launcher``).
DEFAULT_TOOL_DIR: Path = Path(__file__).resolve().parent / "neo4j_launcher"

#: JVM options for the server: a 1-2 GiB heap (a 20k-row write transaction holds its whole
#: state on the heap; with a small initial heap G1 ran hundreds of young collections during a
#: bulk load), the page cache (256 MiB) is set in Main.java, plus the ``--add-opens`` flags
#: Neo4j 5 asks for on Java 17.
DEFAULT_JVM_OPTS: tuple[str, ...] = (
    "-Xms1g",
    "-Xmx2g",
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
)

USER = "neo4j"
MIN_PASSWORD_LENGTH = 8
#: The only environment variables the JVM sees (no secrets: the password goes through stdin).
JVM_ENV = frozenset({"PATH", "HOME", "LANG", "LC_ALL", "TZ", "TMPDIR", "JAVA_HOME", "USER"})
MIN_JAVA_VERSION = 17

_JAR_NAME = "neo4j-local.jar"
_STAMP_NAME = "neo4j-local.stamp"
_MAIN_CLASS_HINT = "neo4j-local.jar"
_READY_MARKER = "neo4j-local: READY"
_NO_BROWSER_MARKER = "neo4j-local: NO-BROWSER "
#: A page of Neo4j Browser's ``index.html`` says so in its title.
_BROWSER_TITLE = "<title>Neo4j Browser</title>"
_PID_FILE = "neo4j.pid"
_LOG_FILE = "neo4j.log"
_LOCK_FILE = "neo4j.lock"
_MVN_CMD = ("-q", "-B", "-Dstyle.color=never", "package")
#: neo4j-admin's entry point (``org.neo4j:neo4j-command-line``, among the launcher's jars).
ADMIN_MAIN_CLASS = "org.neo4j.cli.AdminTool"
#: Journal of a database swap (:func:`install_database`): while it exists the swap is rolled forward.
_SWAP_FILE = "neo4j.swap"
_SWAP_OLD = "swap-old"

# Servers started by this Python process, so they can be reaped (no zombies, no warnings).
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


class Neo4jLocalError(RuntimeError):
    """Raised when the local Neo4j server cannot be built, started or reached."""


# --------------------------------------------------------------------------- tools


@functools.cache
def _java_version(java: str) -> int:
    """Return the major version of the ``java`` executable (0 if unknown)."""
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return 0
    m = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not m:
        return 0
    major = int(m.group(1))
    if major == 1 and m.group(2):  # "1.8.0" style
        major = int(m.group(2))
    return major


def _require_java() -> str:
    """Return the path of a Java 17+ ``java`` on PATH or raise Neo4jLocalError."""
    java = shutil.which("java")
    if java is None:
        raise Neo4jLocalError(
            "`java` not found on PATH: the local Neo4j server needs Java 17+ "
            "(e.g. `apt-get install openjdk-17-jre-headless`) and Maven to build it."
        )
    version = _java_version(java)
    if version < MIN_JAVA_VERSION:
        raise Neo4jLocalError(
            f"`{java}` is Java {version or 'of unknown version'}; the local Neo4j 5.26 "
            f"server needs Java {MIN_JAVA_VERSION}+."
        )
    return java


def _require_mvn() -> str:
    """Return the path of ``mvn`` on PATH or raise Neo4jLocalError."""
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jLocalError(
            "`mvn` not found on PATH: building the local Neo4j server needs Maven "
            "(e.g. `apt-get install maven`) and Java 17+ (JDK)."
        )
    return mvn


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``path`` (created if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _tail(path: Path, lines: int = 40, offset: int = 0) -> str:
    """Return the last ``lines`` lines of ``path`` from byte ``offset`` on ('' if absent)."""
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            data = fh.read()
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


# --------------------------------------------------------------------------- build


def _source_stamp(tool_dir: Path) -> str:
    """Hash of the launcher's pom.xml and sources, so edits trigger a rebuild."""
    h = hashlib.sha256()
    files = [tool_dir / "pom.xml", *sorted((tool_dir / "src").rglob("*"))]
    for f in files:
        if f.is_file():
            h.update(str(f.relative_to(tool_dir)).encode())
            h.update(b"\0")
            h.update(f.read_bytes())
            h.update(b"\0")
    return h.hexdigest()


def _is_built(tool_dir: Path) -> bool:
    target = tool_dir / "target"
    stamp = target / _STAMP_NAME
    return (
        (target / _JAR_NAME).is_file()
        and any((target / "lib").glob("neo4j-kernel-*.jar"))
        and stamp.is_file()
        and stamp.read_text().strip() == _source_stamp(tool_dir)
    )


def build(tool_dir: Path | None = None) -> Path:
    """Build the Neo4j launcher with Maven once and return the path of its runnable jar.

    Runs ``mvn -q -B package`` in ``tool_dir`` (default: ``kg/store/neo4j_launcher`` of this
    repository). The first build downloads Neo4j 5.26 and its dependencies from Maven
    Central into ``~/.m2`` and copies them to ``target/lib``; the result,
    ``target/neo4j-local.jar``, then runs without network. The build is skipped when
    ``target/`` already holds a build of the current ``pom.xml`` and sources. Safe to
    call from several processes at once (file lock).

    Raises:
        Neo4jLocalError: Maven or Java is missing, or the build failed (with its output).
    """
    tool_dir = Path(tool_dir) if tool_dir is not None else DEFAULT_TOOL_DIR
    tool_dir = tool_dir.resolve()
    if not (tool_dir / "pom.xml").is_file():
        raise Neo4jLocalError(f"no pom.xml in {tool_dir}: not the neo4j-local tool directory")
    tool_dir = _writable_copy(tool_dir)
    target = tool_dir / "target"
    jar = target / _JAR_NAME
    if _is_built(tool_dir):
        return jar
    with _locked(target / ".build.lock"):
        if _is_built(tool_dir):  # built by another process while we waited
            return jar
        _require_java()
        mvn = _require_mvn()
        (target / _STAMP_NAME).unlink(missing_ok=True)
        shutil.rmtree(target / "lib", ignore_errors=True)  # no stale jars of other versions
        try:
            proc = subprocess.run(
                [mvn, *_MVN_CMD],
                cwd=tool_dir,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                check=False,
            )
        except OSError as exc:
            raise Neo4jLocalError(f"could not run Maven ({mvn}): {exc}") from exc
        if proc.returncode != 0 or not jar.is_file():
            out = "\n".join((proc.stdout + proc.stderr).splitlines()[-60:])
            raise Neo4jLocalError(
                f"building the Neo4j launcher failed (`mvn {' '.join(_MVN_CMD)}` in "
                f"{tool_dir}, exit code {proc.returncode}); it needs Java 17+ and Maven, "
                f"and network access to Maven Central on the first build:\n{out}"
            )
        (target / _STAMP_NAME).write_text(_source_stamp(tool_dir) + "\n")
    return jar


def _writable_copy(tool_dir: Path) -> Path:
    """``tool_dir`` itself when Maven may write ``target/`` there, else a copy in the user's cache
    (an installed package is often read-only), refreshed when the sources change."""
    if os.access(tool_dir, os.W_OK):
        return tool_dir
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ldh-kg" / "neo4j_launcher"
    cache.mkdir(parents=True, exist_ok=True)
    shutil.copy2(tool_dir / "pom.xml", cache / "pom.xml")
    shutil.copytree(tool_dir / "src", cache / "src", dirs_exist_ok=True)
    return cache


# --------------------------------------------------------------------------- processes


def _cmdline(pid: int) -> list[str] | None:
    """Arguments of process ``pid`` from /proc, or None where /proc is unavailable."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return [a.decode(errors="replace") for a in raw.split(b"\0") if a]


def _alive(pid: int, home: Path) -> bool:
    """True if ``pid`` is a live (non-zombie) neo4j-local server for ``home``."""
    child = _CHILDREN.get(pid)
    if child is not None and child.poll() is not None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.rsplit(")", 1)[1].split()[0] in ("Z", "X"):
            return False
    except (OSError, IndexError):
        pass
    args = _cmdline(pid)
    if args is not None:  # guard against a recycled pid
        return any(_MAIN_CLASS_HINT in a for a in args) and str(home) in args
    return True


def _server_ports(pid: int) -> tuple[int | None, int | None]:
    """(Bolt port, HTTP port) a running server was started with (``-jar JAR HOME BOLT [HTTP]``);
    None where unknown or, for HTTP, not enabled."""
    args = _cmdline(pid) or []
    jar = next((i for i, a in enumerate(args) if a.endswith(_JAR_NAME)), None)
    if jar is None:
        return None, None
    ports = [int(a) if a.isdigit() else None for a in args[jar + 2 : jar + 4]]
    ports += [None] * (2 - len(ports))
    return ports[0], ports[1]


def _server_port(pid: int) -> int | None:
    """Bolt port a running server was started with, if known."""
    return _server_ports(pid)[0]


def _read_pid(home: Path) -> int | None:
    try:
        return int((home / _PID_FILE).read_text().strip())
    except (OSError, ValueError):
        return None


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def _uri(port: int) -> str:
    return f"bolt://127.0.0.1:{port}"


def _http_url(port: int) -> str:
    return f"http://127.0.0.1:{port}"


def _browser_check(http_port: int, timeout: float = 10.0) -> tuple[str | None, str | None]:
    """``(browser URL, None)`` when ``GET /browser/`` serves Neo4j Browser's index.html, else
    ``(None, why not)``. Needs no password (the Browser's static files are public; it logs in
    over Bolt)."""
    url = _http_url(http_port) + "/browser/"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as resp:  # noqa: S310 - fixed loopback URL
            page = resp.read(200_000).decode("utf-8", errors="replace")
    except urllib.error.HTTPError as exc:
        return None, f"GET {url} answered HTTP {exc.code}"
    except OSError as exc:
        return None, f"GET {url} failed: {exc}"
    if _BROWSER_TITLE not in page:
        return None, f"GET {url} did not return Neo4j Browser's index.html"
    return url, None


def _http_info(http_port: int | None, log_text: str = "") -> dict[str, Any]:
    """The ``http``, ``browser`` and ``browser_error`` entries of :func:`start`/:func:`status`."""
    if http_port is None:
        return {"http": None, "browser": None, "browser_error": None}
    browser, why = _browser_check(http_port)
    if browser is None:
        for line in log_text.splitlines():
            if line.startswith(_NO_BROWSER_MARKER):
                why = line[len(_NO_BROWSER_MARKER):].strip()
        why = (f"Neo4j Browser is not served ({why}); the HTTP API at {_http_url(http_port)}"
               f"/db/neo4j/tx works without it")
    return {"http": _http_url(http_port), "browser": browser, "browser_error": why}


def _ping(uri: str, password: str, timeout: float = 10.0) -> None:
    """Run an authenticated ``RETURN 1``; raises the driver's exceptions on failure."""
    from neo4j import GraphDatabase

    with GraphDatabase.driver(
        uri,
        auth=(USER, password),
        connection_timeout=timeout,
        connection_acquisition_timeout=timeout,
        max_transaction_retry_time=0,
    ) as driver:
        with driver.session() as session:
            value = session.run("RETURN 1 AS one").single(strict=True)["one"]
    if value != 1:
        raise Neo4jLocalError(f"unexpected answer to RETURN 1 from {uri}: {value!r}")


def _wait_ready(
    pid: int,
    home: Path,
    uri: str,
    password: str,
    deadline: float,
    log_offset: int | None,
) -> None:
    """Wait until the server answers an authenticated ``RETURN 1`` or raise.

    With ``log_offset`` (a server we just started), Bolt is only tried after the
    launcher printed its READY line past that offset, i.e. after the initial password
    was set.
    """
    from neo4j.exceptions import AuthError, DriverError, Neo4jError

    log = home / _LOG_FILE
    last_error = "no answer yet"
    while True:
        if not _alive(pid, home):
            child = _CHILDREN.pop(pid, None)
            code = child.returncode if child is not None else None
            raise Neo4jLocalError(
                f"Neo4j (pid {pid}) exited during startup"
                + (f" with exit code {code}" if code is not None else "")
                + f"; see {log} and {home / 'logs' / 'debug.log'}. Log tail:\n"
                + _tail(log, offset=log_offset or 0)
            )
        ready = log_offset is None or _READY_MARKER in _tail(log, 10_000, log_offset)
        if ready:
            try:
                _ping(uri, password)
                return
            except AuthError as exc:
                raise Neo4jLocalError(
                    f"Neo4j at {uri} (home {home}) rejected user {USER!r} with the given "
                    f"password: the database there was initialised with a different "
                    f"password (delete {home} to start afresh, or pass that password): {exc}"
                ) from exc
            except (DriverError, Neo4jError, OSError) as exc:
                last_error = f"{type(exc).__name__}: {exc}"
        if time.monotonic() > deadline:
            raise Neo4jLocalError(
                f"Neo4j (pid {pid}) did not answer on {uri} in time ({last_error}); "
                f"see {log}. Log tail:\n{_tail(log, offset=log_offset or 0)}"
            )
        time.sleep(0.25)


def _terminate(pid: int, home: Path, timeout: float) -> None:
    """SIGTERM ``pid``, wait up to ``timeout`` s, then SIGKILL as a last resort."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while _alive(pid, home) and time.monotonic() < deadline:
        time.sleep(0.1)
    if _alive(pid, home):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(pid, home) and time.monotonic() < deadline:
            time.sleep(0.1)
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=5)


# --------------------------------------------------------------------------- public API


def status(home: Path, *, bolt_port: int = 7687, password: str | None = None) -> dict[str, Any]:
    """Report on the local Neo4j server whose home directory is ``home``.

    Returns a dict with:
        ``running`` (bool): a server process for ``home`` is alive (per ``home/neo4j.pid``);
        ``pid`` (int | None); ``uri`` (``bolt://127.0.0.1:PORT``; the port is the one the
        running process was started with, else ``bolt_port``); ``log`` (path of
        ``home/neo4j.log``); ``home``;
        ``answering`` (bool | None): only when ``password`` is given, whether an
        authenticated ``RETURN 1`` succeeds (None otherwise);
        ``error`` (str | None): why it is not answering, if checked;
        ``http``, ``browser``, ``browser_error``: as returned by :func:`start` (all None
        unless the running server was started with an HTTP port).
    """
    home = Path(home).resolve()
    pid = _read_pid(home)
    running = pid is not None and _alive(pid, home)
    port, http_port = _server_ports(pid) if running and pid is not None else (None, None)
    info: dict[str, Any] = {
        "running": running,
        "pid": pid if running else None,
        "uri": _uri(port or bolt_port),
        "log": str(home / _LOG_FILE),
        "home": str(home),
        "answering": None,
        "error": None,
        **_http_info(http_port),
    }
    if password is not None:
        if not running:
            info["answering"] = False
            info["error"] = "not running"
        else:
            try:
                _ping(info["uri"], password, timeout=5.0)
                info["answering"] = True
            except Exception as exc:  # noqa: BLE001 - reported, not raised
                info["answering"] = False
                info["error"] = f"{type(exc).__name__}: {exc}"
    return info


def start(
    home: Path,
    *,
    bolt_port: int = 7687,
    password: str,
    timeout: float = 180.0,
    tool_dir: Path | None = None,
    jvm_opts: Sequence[str] | None = None,
    http_port: int | None = None,
) -> dict[str, Any]:
    """Start a local Neo4j server in ``home`` (building it first if needed) and wait for it.

    The server listens for Bolt on 127.0.0.1:``bolt_port`` only (no HTTP unless
    ``http_port`` is given), with authentication on. On the first start in ``home`` the
    password of user ``neo4j`` is set to ``password`` (at least 8 characters); later starts
    keep the stored password, and ``password`` must match it. The Java process runs
    detached from the caller (own session; it outlives the caller until :func:`stop`), with
    stdout/stderr appended to ``home/neo4j.log`` and its pid in ``home/neo4j.pid``.

    Waits until Bolt answers an authenticated ``RETURN 1`` (official ``neo4j`` driver).
    If a server for ``home`` is already running and answering, returns its status
    without starting another one (with its ``http``/``browser`` when it has them: without
    ``http_port`` any running server of ``home`` will do; with it, it must have that port).

    Args:
        home: server home directory (created if missing): data, logs, pid file.
        bolt_port: TCP port on 127.0.0.1 for Bolt.
        password: password of user ``neo4j``.
        timeout: seconds to wait for the server to answer (the Maven build is not
            counted).
        tool_dir: the launcher's Maven project (default: ``kg/store/neo4j_launcher``).
        jvm_opts: JVM options replacing :data:`DEFAULT_JVM_OPTS`.
        http_port: also open the HTTP connector on 127.0.0.1:``http_port``: Neo4j Browser
            at ``/browser/`` and the transactional Cypher endpoint ``/db/{name}/tx``, both
            behind the same authentication (the Browser logs in over Bolt). Unmanaged
            extensions and the Query API stay off; CORS allows only the server's own origin.

    Returns:
        ``{"running": True, "pid": int, "uri": "bolt://127.0.0.1:PORT", "log": str,
        "home": str, "http": str | None, "browser": str | None, "browser_error": str | None}``:
        ``http`` is ``http://127.0.0.1:HTTP_PORT`` when HTTP is on, ``browser`` the Browser's
        URL once ``GET /browser/`` served its page, else ``browser_error`` says why not (the
        server still runs, with the HTTP API).

    Raises:
        Neo4jLocalError: Java/Maven missing, build failure, port taken by another
        process, a server for ``home`` already running on another Bolt port (or without
        HTTP, or on another HTTP port, when ``http_port`` is given), wrong password for an existing ``home``, or the server did not come
        up in time (the message includes the tail of its log).
    """
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise Neo4jLocalError(
            f"Neo4j 5 needs a password of at least {MIN_PASSWORD_LENGTH} characters"
        )
    if http_port is not None and (not 0 < http_port < 65536 or http_port == bolt_port):
        raise Neo4jLocalError(
            f"invalid HTTP port {http_port}: it must be 1-65535 and differ from the Bolt port"
        )
    home = Path(home).resolve()
    home.mkdir(parents=True, exist_ok=True)
    log = home / _LOG_FILE
    deadline_budget = float(timeout)

    with _locked(home / _LOCK_FILE):
        pid = _read_pid(home)
        if pid is None or not _alive(pid, home):
            _finish_swap(home)  # a bulk rebuild killed during its swap: the new database goes in
        if pid is not None and _alive(pid, home):
            running_port, running_http = _server_ports(pid)
            if running_port is not None and running_port != bolt_port:
                raise Neo4jLocalError(
                    f"a Neo4j server for {home} is already running (pid {pid}) on port "
                    f"{running_port}, not {bolt_port}; stop it first"
                )
            if running_port is not None and http_port is not None and running_http != http_port:
                now = f"with HTTP on port {running_http}" if running_http else "without HTTP"
                raise Neo4jLocalError(
                    f"a Neo4j server for {home} is already running (pid {pid}) {now}, not "
                    f"with HTTP on port {http_port}; stop it first (`kg neo4j stop`)"
                )
            uri = _uri(running_port or bolt_port)
            _wait_ready(pid, home, uri, password, time.monotonic() + deadline_budget, None)
            return {"running": True, "pid": pid, "uri": uri, "log": str(log), "home": str(home),
                    **_http_info(running_http)}
        (home / _PID_FILE).unlink(missing_ok=True)

        for port, what in ((bolt_port, "bolt_port (the port of NEO4J_URI)"),
                           (http_port, "http_port (`kg neo4j start --browser --http-port N`)")):
            if port is not None and _port_open(port):
                raise Neo4jLocalError(
                    f"port 127.0.0.1:{port} is already in use by another process "
                    f"(not a neo4j-local server for {home}); choose another {what}"
                )

        jar = build(tool_dir)
        java = _require_java()
        uri = _uri(bolt_port)
        log_offset = log.stat().st_size if log.exists() else 0
        env = {k: v for k, v in os.environ.items() if k in JVM_ENV}
        cmd = [
            java,
            *(DEFAULT_JVM_OPTS if jvm_opts is None else jvm_opts),
            "-jar",
            str(jar),
            str(home),
            str(bolt_port),
            *([str(http_port)] if http_port is not None else []),
        ]
        with open(log, "ab") as log_fh:
            log_fh.write(f"--- neo4j-local start {time.strftime('%Y-%m-%d %H:%M:%S')}\n".encode())
            log_fh.flush()
            log_offset = log_fh.tell()
            try:
                proc = subprocess.Popen(
                    cmd,
                    cwd=home,
                    env=env,
                    stdin=subprocess.PIPE,
                    stdout=log_fh,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    close_fds=True,
                )
            except OSError as exc:
                raise Neo4jLocalError(f"could not run {java}: {exc}") from exc
            try:
                assert proc.stdin is not None  # opened with stdin=PIPE
                proc.stdin.write(password.encode() + b"\n")
                proc.stdin.close()
            except OSError:
                pass  # it exited at once; _wait_ready reports why from the log
        _CHILDREN[proc.pid] = proc
        tmp = home / (_PID_FILE + ".tmp")
        tmp.write_text(f"{proc.pid}\n")
        tmp.replace(home / _PID_FILE)

        try:
            _wait_ready(
                proc.pid, home, uri, password, time.monotonic() + deadline_budget, log_offset
            )
        except BaseException:
            _terminate(proc.pid, home, timeout=30)
            (home / _PID_FILE).unlink(missing_ok=True)
            raise
        return {"running": True, "pid": proc.pid, "uri": uri, "log": str(log), "home": str(home),
                **_http_info(http_port, _tail(log, 10_000, log_offset))}


def stop(home: Path, timeout: float = 60) -> bool:
    """Stop the local Neo4j server of ``home``.

    Sends SIGTERM (the launcher's shutdown hook checkpoints and closes the databases),
    waits up to ``timeout`` seconds, then SIGKILLs as a last resort. Removes
    ``home/neo4j.pid``.

    Returns:
        True if a running server was stopped, False if none was running.
    """
    home = Path(home).resolve()
    if not home.is_dir():
        return False
    with _locked(home / _LOCK_FILE):
        pid = _read_pid(home)
        was_running = pid is not None and _alive(pid, home)
        if was_running and pid is not None:
            _terminate(pid, home, timeout)
        (home / _PID_FILE).unlink(missing_ok=True)
        return was_running


# --------------------------------------------------------------------------- bulk import support


def admin_command(tool_dir: Path | None = None) -> list[str]:
    """The command line of ``neo4j-admin`` from the launcher's jars (built first if needed):
    ``[java, -cp, LIB/*, org.neo4j.cli.AdminTool]``; the caller adds JVM options before ``-cp``."""
    jar = build(tool_dir)
    return [_require_java(), "-cp", str(jar.parent / "lib" / "*"), ADMIN_MAIN_CLASS]


def launch_args(home: Path) -> dict[str, Any] | None:
    """How the running server of ``home`` was started (to start it again the same way):
    ``{"pid", "bolt_port", "http_port", "jvm_opts"}``, or None when none runs."""
    home = Path(home).resolve()
    pid = _read_pid(home)
    if pid is None or not _alive(pid, home):
        return None
    args = _cmdline(pid) or []
    jar = next((i for i, a in enumerate(args) if a.endswith(_JAR_NAME)), None)
    bolt, http = _server_ports(pid)
    opts = tuple(args[1:jar - 1]) if jar is not None and jar >= 2 and args[jar - 1] == "-jar" else None
    return {"pid": pid, "bolt_port": bolt, "http_port": http, "jvm_opts": opts}


def install_database(home: Path, staged_data: Path, database: str = "neo4j") -> None:
    """Swap in the database imported under ``staged_data`` (its ``databases/<db>`` and
    ``transactions/<db>``) for the one of ``home``, whose server must be stopped.

    A journal (``home/neo4j.swap``) is written first and the swap rolls forward from it, here or
    in the next :func:`start` after a kill: the server only ever opens the old database or the new
    one. The old one is deleted at the end.
    """
    home = Path(home).resolve()
    staged_data = Path(staged_data).resolve()
    for sub in ("databases", "transactions"):
        if not (staged_data / sub / database).is_dir():
            raise Neo4jLocalError(f"no imported database at {staged_data / sub / database}")
    with _locked(home / _LOCK_FILE):
        pid = _read_pid(home)
        if pid is not None and _alive(pid, home):
            raise Neo4jLocalError(f"the Neo4j server of {home} is running (pid {pid}): stop it before the swap")
        _finish_swap(home)  # an earlier swap left half-done, if any
        shutil.rmtree(home / _SWAP_OLD, ignore_errors=True)
        journal = {"staged": str(staged_data), "database": database}
        tmp = home / (_SWAP_FILE + ".tmp")
        tmp.write_text(json.dumps(journal))
        _fsync(tmp)
        tmp.replace(home / _SWAP_FILE)
        _fsync(home)
        _finish_swap(home)


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _finish_swap(home: Path) -> None:
    """Roll a journalled swap forward (idempotent: each step checks what is already done)."""
    journal_path = home / _SWAP_FILE
    try:
        journal = json.loads(journal_path.read_text())
    except FileNotFoundError:
        return
    except (OSError, ValueError) as exc:
        raise Neo4jLocalError(f"unreadable swap journal {journal_path}: {exc}; the imported database is "
                              f"under {home}; remove the journal to keep the old one") from exc
    staged, database = Path(journal["staged"]), journal["database"]
    for sub in ("databases", "transactions"):
        live, new, old = (home / "data" / sub / database, staged / sub / database,
                          home / _SWAP_OLD / sub / database)
        if not new.exists():
            continue  # this half is swapped already
        if live.exists():
            old.parent.mkdir(parents=True, exist_ok=True)
            live.rename(old)
        live.parent.mkdir(parents=True, exist_ok=True)
        new.rename(live)
    _fsync(home / "data" / "databases")
    journal_path.unlink()
    _fsync(home)
    shutil.rmtree(home / _SWAP_OLD, ignore_errors=True)
