"""HTTP fetching for sources (HGNC, Reactome, WikiPathways, KEGG REST), kept apart from parsing.

A :class:`Fetcher` caches every response on disk under the cache directory it is given
(normally ``KG_HOME/cache``; never read from the environment here), retries 429/5xx answers and
connection errors with exponential backoff, keeps a minimum interval between requests to the
same host, and raises :class:`OfflineError` with a clear message when the network is unreachable.
Parsers then read the returned bytes (``read_reactome_gmt(fetched.content, …)``).

>>> f = Fetcher("/tmp/kg-cache-doctest", min_interval=0.0)
>>> f.cache_path("https://example.org/a?b=1").name.endswith(".bin")
True
"""
from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import requests

#: Known endpoints, named so commands can say ``fetch("reactome_gmt")``.
ENDPOINTS: dict[str, str] = {
    "hgnc_complete_set": "https://storage.googleapis.com/public-download-files/hgnc/tsv/tsv/hgnc_complete_set.txt",
    "reactome_gmt": "https://reactome.org/download/current/ReactomePathways.gmt.zip",
    "reactome_relations": "https://reactome.org/download/current/ReactomePathwaysRelation.txt",
    "wikipathways_gpml": "https://www.wikipathways.org/wikipathways-assets/pathways/{wp}/{wp}.gpml",
    "kegg_kgml": "https://rest.kegg.jp/get/{pathway}/kgml",
}
RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(RuntimeError):
    """The server answered, but not with the content (e.g. 404, or still 503 after every retry)."""


class OfflineError(FetchError):
    """The network (or the host) cannot be reached at all."""


@dataclass(frozen=True)
class Fetched:
    url: str
    content: bytes
    retrieved_at: str
    from_cache: bool
    status: int = 200


class Fetcher:
    """Cached, polite HTTP GET.

    ``cache_dir``: where responses are kept (pass ``settings.cache_dir``); ``retries``: attempts
    after the first; ``backoff``: first wait in seconds, doubled each retry (a ``Retry-After``
    header wins when larger); ``min_interval``: seconds between two requests to one host; ``base_url``: serve the named
    endpoints from a mirror instead.
    """

    def __init__(self, cache_dir: str | Path, *, retries: int = 4, backoff: float = 0.5, min_interval: float = 1.0,
                 timeout: float = 30.0, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, user_agent: str = "ldh-kg (research tool)",
                 base_url: str | None = None):
        self.cache_dir = Path(cache_dir)
        self.retries, self.backoff, self.min_interval, self.timeout = retries, backoff, min_interval, timeout
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", user_agent)
        self.sleep = sleep
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        self.requests_made = 0
        # A mirror (or a local test server) serves the same paths under another base URL.
        self.endpoints = {k: (base_url.rstrip("/") + urlparse(u).path if base_url else u) for k, u in ENDPOINTS.items()}

    def cache_path(self, url: str) -> Path:
        h = hashlib.sha1(url.encode("utf-8")).hexdigest()
        return self.cache_dir / "http" / urlparse(url).netloc.replace(":", "_") / f"{h}.bin"

    def _wait_for_host(self, host: str) -> None:
        with self._lock:
            last = self._last.get(host)
            now = time.monotonic()
            if last is not None and now - last < self.min_interval:
                self.sleep(self.min_interval - (now - last))
            self._last[host] = time.monotonic()

    def get(self, url: str, *, refresh: bool = False) -> Fetched:
        """GET ``url`` from the cache, or the network when absent (or ``refresh``)."""
        path = self.cache_path(url)
        meta = path.with_suffix(".json")
        if not refresh and path.exists() and meta.exists():
            info = json.loads(meta.read_text(encoding="utf-8"))
            return Fetched(url, path.read_bytes(), info["retrieved_at"], True, info.get("status", 200))
        host = urlparse(url).netloc
        last_problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self._delay(attempt, last_problem))
            self._wait_for_host(host)
            self.requests_made += 1
            try:
                resp = self.session.get(url, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                last_problem = f"connection failed: {exc.__class__.__name__}"
                continue
            if resp.status_code in RETRY_STATUS:
                last_problem = f"HTTP {resp.status_code}|{resp.headers.get('Retry-After', '')}"
                continue
            if resp.status_code != 200:
                raise FetchError(f"{url}: HTTP {resp.status_code} {resp.reason}")
            retrieved = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(".tmp")
            tmp.write_bytes(resp.content)
            tmp.replace(path)
            meta.write_text(json.dumps({"url": url, "retrieved_at": retrieved, "status": resp.status_code}),
                            encoding="utf-8")
            return Fetched(url, resp.content, retrieved, False, resp.status_code)
        if last_problem.startswith("connection failed"):
            raise OfflineError(f"cannot reach {host} ({last_problem} after {self.retries + 1} attempts): "
                               "check the network, or use files already on disk / in the cache")
        raise FetchError(f"{url}: {last_problem.split('|')[0]} after {self.retries + 1} attempts")

    def _delay(self, attempt: int, problem: str) -> float:
        wait = self.backoff * 2 ** (attempt - 1)
        retry_after = problem.split("|", 1)[1] if "|" in problem else ""
        if retry_after.strip().isdigit():
            wait = max(wait, float(retry_after))
        return wait

    # -- named sources -----------------------------------------------------------------------
    def hgnc_complete_set(self, **kw) -> Fetched:
        return self.get(self.endpoints["hgnc_complete_set"], **kw)

    def reactome_relations(self, **kw) -> Fetched:
        return self.get(self.endpoints["reactome_relations"], **kw)

    def reactome_gmt(self, **kw) -> Fetched:
        """Reactome's GMT (the download is zipped; the content returned is the GMT itself)."""
        import io
        import zipfile

        f = self.get(self.endpoints["reactome_gmt"], **kw)
        if f.content[:4] == b"PK\x03\x04":
            with zipfile.ZipFile(io.BytesIO(f.content)) as z:
                name = next(n for n in z.namelist() if n.endswith(".gmt"))
                return Fetched(f.url, z.read(name), f.retrieved_at, f.from_cache, f.status)
        return f

    def wikipathways_gpml(self, wp: str, **kw) -> Fetched:
        return self.get(self.endpoints["wikipathways_gpml"].format(wp=wp), **kw)

    def kegg_kgml(self, pathway: str, **kw) -> Fetched:
        """A KGML file from KEGG REST for the user's own use (KEGG data is never shipped)."""
        return self.get(self.endpoints["kegg_kgml"].format(pathway=pathway), **kw)

