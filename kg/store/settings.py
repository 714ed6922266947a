"""Settings from the environment, read once at the surface and passed down.

``KG_HOME`` (data directory, default ``~/.ldh-kg``), ``KG_STORE`` (``ladybug``, the default; ``embedded``, the
networkx file; or ``neo4j``),
``NEO4J_URI``, ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping

#: The store kinds: the embedded LadybugDB database (default), the embedded networkx file, a Neo4j server.
STORES = ("ladybug", "embedded", "neo4j")
DEFAULT_STORE = "ladybug"


@dataclass(frozen=True)
class Settings:
    home: Path
    store: str = DEFAULT_STORE
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: str | None = None
    neo4j_database: str = "neo4j"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> "Settings":
        env = os.environ if env is None else env
        store = env.get("KG_STORE", DEFAULT_STORE).strip().lower() or DEFAULT_STORE
        if store not in STORES:
            raise ValueError(f"KG_STORE must be one of {', '.join(STORES)}, not {store!r}")
        return cls(
            home=Path(env.get("KG_HOME") or Path.home() / ".ldh-kg").expanduser(),
            store=store,
            neo4j_uri=env.get("NEO4J_URI", cls.neo4j_uri),
            neo4j_user=env.get("NEO4J_USER", cls.neo4j_user),
            neo4j_password=env.get("NEO4J_PASSWORD") or None,
            neo4j_database=env.get("NEO4J_DATABASE", cls.neo4j_database),
        )

    def with_(self, **changes) -> "Settings":
        return replace(self, **changes)

    @property
    def embedded_path(self) -> Path:
        return self.home / "graph.json.gz"

    @property
    def local_path(self) -> Path:
        """The file of an embedded store (LadybugDB database or networkx file)."""
        return self.embedded_path if self.store == "embedded" else self.ladybug_path

    @property
    def ladybug_path(self) -> Path:
        return self.home / "graph.lbug"

    @property
    def neo4j_home(self) -> Path:
        return self.home / "neo4j"

    @property
    def cache_dir(self) -> Path:
        return self.home / "cache"

    @property
    def bolt_port(self) -> int:
        tail = self.neo4j_uri.rsplit(":", 1)[-1].strip("/")
        return int(tail) if tail.isdigit() else 7687
