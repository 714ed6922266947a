"""HTTP fetching for sources (HGNC, Reactome, WikiPathways, KEGG REST, PubTator3), kept apart from parsing.

One HTTP client for every source: :func:`http_session` is a ``requests`` session whose retries
(429/5xx answers and connection errors, exponential backoff, ``Retry-After`` honoured) are urllib3's
``Retry``; the PubMed client (:mod:`ingest.pubmed`) uses it too. A :class:`Fetcher` adds an on-disk
cache under the directory it is given (normally ``KG_HOME/cache``; never read from the environment
here) and a minimum interval between requests to one host, and raises :class:`OfflineError` with a
clear message when the network is unreachable. Parsers then read the returned bytes
(``read_reactome_gmt(fetched.content, …)``).

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
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

#: Known endpoints, named so commands can say ``fetch("reactome_gmt")``.
ENDPOINTS: dict[str, str] = {
    "hgnc_complete_set": "https://storage.googleapis.com/public-download-files/hgnc/tsv/tsv/hgnc_complete_set.txt",
    "reactome_gmt": "https://reactome.org/download/current/ReactomePathways.gmt.zip",
    "reactome_relations": "https://reactome.org/download/current/ReactomePathwaysRelation.txt",
    "wikipathways_gpml": "https://www.wikipathways.org/wikipathways-assets/pathways/{wp}/{wp}.gpml",
    "kegg_kgml": "https://rest.kegg.jp/get/{pathway}/kgml",
    # entities and relations of up to 100 PMIDs per request (PubTator3 API, BioC JSON)
    "pubtator3_biocjson": "https://www.ncbi.nlm.nih.gov/research/pubtator3-api/publications/export/biocjson",
}
PUBTATOR3_BATCH = 100
RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(RuntimeError):
    """The server answered, but not with the content (e.g. 404, or still 503 after every retry)."""


class OfflineError(FetchError):
    """The network (or the host) cannot be reached at all."""


def http_session(retries: int = 4, backoff: float = 0.5, *, user_agent: str = "ldh-kg (research tool)",
                 sleep: Callable[[float], None] = time.sleep) -> requests.Session:
    """A session that retries GETs ``retries`` times on connection errors and 429/5xx answers.

    Waits follow urllib3: ``backoff * 2 ** (n - 1)`` before the n-th consecutive retry from the
    second on (the first retry is immediate), or the server's ``Retry-After`` when it says so.
    After the last retry the final answer is returned (``raise_on_status=False``) so callers can
    name its status. ``sleep`` is how the waits are spent (tests pass a recorder).
    """
    retry_cls = type("_Retry", (Retry,), {"sleep_fn": staticmethod(sleep), "sleep": _recorded_sleep})
    retry = retry_cls(total=retries, connect=retries, read=retries, status=retries, other=0,
                      backoff_factor=backoff, status_forcelist=sorted(RETRY_STATUS), allowed_methods={"GET"},
                      respect_retry_after_header=True, raise_on_status=False)
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    return session


def _recorded_sleep(self: Retry, response=None) -> None:
    """urllib3's own choice of wait (Retry-After, else backoff), spent through ``sleep_fn``."""
    wait = (self.get_retry_after(response) if response is not None and self.respect_retry_after_header
            else None)
    wait = wait if wait is not None else self.get_backoff_time()
    if wait > 0:
        self.sleep_fn(wait)


@dataclass(frozen=True)
class Fetched:
    url: str
    content: bytes
    retrieved_at: str
    from_cache: bool
    status: int = 200


class Fetcher:
    """Cached, polite HTTP GET.

    ``cache_dir``: where responses are kept (pass ``settings.cache_dir``); ``retries`` and
    ``backoff``: see :func:`http_session`; ``min_interval``: seconds between two requests to one
    host; ``base_url``: serve the named endpoints from a mirror instead.
    """

    def __init__(self, cache_dir: str | Path, *, retries: int = 4, backoff: float = 0.5, min_interval: float = 1.0,
                 timeout: float = 30.0, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, user_agent: str = "ldh-kg (research tool)",
                 base_url: str | None = None):
        self.cache_dir = Path(cache_dir)
        self.retries, self.backoff, self.min_interval, self.timeout = retries, backoff, min_interval, timeout
        self.session = session or http_session(retries, backoff, user_agent=user_agent, sleep=sleep)
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
        self._wait_for_host(host)
        self.requests_made += 1
        attempts = self.retries + 1
        try:
            resp = self.session.get(url, timeout=self.timeout)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise OfflineError(f"cannot reach {host} (connection failed: {exc.__class__.__name__} after {attempts} "
                               "attempts): check the network, or use files already on disk / in the cache") from None
        if resp.status_code in RETRY_STATUS:
            raise FetchError(f"{url}: HTTP {resp.status_code} after {attempts} attempts")
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

    def pubtator3_documents(self, pmids: list[str], **kw) -> list[Fetched]:
        """PubTator3's BioC JSON (entities and relations) for ``pmids``, in batches of 100 PMIDs."""
        bad = [p for p in pmids if not str(p).isdigit()]
        if bad:
            raise ValueError(f"not PMIDs: {', '.join(map(str, bad[:5]))}")
        base = self.endpoints["pubtator3_biocjson"]
        return [self.get(f"{base}?pmids={','.join(map(str, pmids[i:i + PUBTATOR3_BATCH]))}&full=false", **kw)
                for i in range(0, len(pmids), PUBTATOR3_BATCH)]

    def kegg_kgml(self, pathway: str, **kw) -> Fetched:
        """A KGML file from KEGG REST for the user's own use (KEGG data is never shipped)."""
        return self.get(self.endpoints["kegg_kgml"].format(pathway=pathway), **kw)

