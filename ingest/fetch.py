"""HTTP fetching for sources (HGNC, Reactome, WikiPathways, KEGG REST, PubTator3), kept apart from parsing.

One HTTP client for every source: :func:`http_session` is a ``requests`` session whose retries
(429/5xx answers and connection errors, exponential backoff, ``Retry-After`` honoured) are urllib3's
``Retry``; the PubMed client (:mod:`ingest.pubmed`) uses it too. A :class:`Fetcher` adds an on-disk
cache under the directory it is given (normally ``KG_HOME/cache``; never read from the environment
here) and a minimum interval between requests to one host, and raises :class:`OfflineError` with a
clear message when the network is unreachable. Parsers then read the returned bytes
(``read_reactome_gmt(fetched.content, …)``). :meth:`Fetcher.download` streams a large file to disk
instead (through ``<file>.part``, resumed with an HTTP ``Range`` request when the server allows it);
``kg fetch`` (:mod:`ingest.downloads`) uses it.

>>> f = Fetcher("/tmp/kg-cache-doctest", min_interval=0.0)
>>> f.cache_path("https://example.org/a?b=1").name.endswith(".bin")
True
"""
from __future__ import annotations

import hashlib
import io
import json
import re
import threading
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable
from urllib.parse import urlparse

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ingest.errors import max_decompressed_bytes

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
ZIP_MAGIC = b"PK\x03\x04"
CHUNK = 1 << 16


class FetchError(RuntimeError):
    """The server answered, but not with the content (e.g. 404, or still 503 after every retry)."""


class OfflineError(FetchError):
    """The network (or the host) cannot be reached at all."""


def offline(host: str, exc: BaseException, attempts: int) -> OfflineError:
    """The one-line error for a host that cannot be reached, naming it."""
    return OfflineError(f"cannot reach {host} (connection failed: {exc.__class__.__name__} after {attempts} "
                        "attempts): check the network, or use files already on disk / in the cache")


def zip_member(data: bytes, name: str, label: str) -> bytes:
    """The member of a zip archive called ``name`` (else the first whose name ends with it), refused
    when it would inflate past the decompression cap (:func:`ingest.errors.max_decompressed_bytes`)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = z.namelist()
            member = name if name in names else next((n for n in names if n.endswith(name)), None)
            if member is None:
                raise FetchError(f"{label}: the zip archive holds no {name} (it holds {', '.join(names[:5]) or 'nothing'})")
            if z.getinfo(member).file_size > max_decompressed_bytes():
                raise FetchError(f"{label}: {member} inflates past the decompression cap")
            return z.read(member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise FetchError(f"{label}: not a readable zip archive ({exc})") from None


@dataclass(frozen=True)
class Downloaded:
    """A file :meth:`Fetcher.download` wrote: where from, its checksum, and the server's validators."""

    url: str
    path: Path
    sha256: str
    bytes: int
    retrieved_at: str
    last_modified: str = ""
    etag: str = ""
    resumed_from: int = 0       # bytes of an earlier partial download the server let us keep (HTTP 206)
    not_modified: bool = False  # the server answered 304 to the validators given: nothing was written


def sha256_file(path: str | Path) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(CHUNK * 16), b""):
            h.update(block)
    return h.hexdigest()


_CONTENT_RANGE = re.compile(r"bytes (\d+)-(\d+)/(\d+|\*)")


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
        self.base_url = base_url.rstrip("/") if base_url else None
        self.endpoints = {k: self.mirror(u) for k, u in ENDPOINTS.items()}

    def mirror(self, url: str) -> str:
        """``url`` as the mirror serves it: a mirror (or a local test server) holds the publishers'
        paths (and queries) under ``base_url``; without one, ``url`` itself.

        >>> Fetcher("/tmp/c", base_url="http://127.0.0.1:8000/").mirror("https://reactome.org/download/a.txt?x=1")
        'http://127.0.0.1:8000/download/a.txt?x=1'
        """
        if not self.base_url:
            return url
        u = urlparse(url)
        return self.base_url + u.path + (f"?{u.query}" if u.query else "")

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
            raise offline(host, exc, attempts) from None
        if resp.status_code in RETRY_STATUS:
            raise FetchError(f"{url}: HTTP {resp.status_code} after {attempts} attempts")
        if resp.status_code != 200:
            raise FetchError(f"{url}: HTTP {resp.status_code} {resp.reason}")
        retrieved = _now()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(resp.content)
        tmp.replace(path)
        meta.write_text(json.dumps({"url": url, "retrieved_at": retrieved, "status": resp.status_code}),
                        encoding="utf-8")
        return Fetched(url, resp.content, retrieved, False, resp.status_code)

    def download(self, url: str, dest: str | Path, *, progress: Callable[[int, int | None], None] | None = None,
                 validators: dict[str, str] | None = None) -> Downloaded:
        """Stream ``url`` to ``dest`` through ``dest.part``, check its length, return its SHA-256.

        A ``.part`` left by an interrupted run, or by a connection that broke mid-body (tried again here
        up to ``retries`` times), is resumed with ``Range: bytes=<size>-`` and ``If-Range`` naming the
        validator it started with: a ``206`` answer appends, a ``200`` (no range support, or the file
        changed since) starts again from zero. ``validators`` (``etag``/``last_modified`` of the copy
        on disk) make the request conditional: a ``304`` writes nothing and says ``not_modified``.
        ``progress(done, total)`` is called as bytes arrive (``total`` None when the server does not say).
        """
        dest = Path(dest)
        part = dest.with_name(dest.name + ".part")
        state_path = dest.with_name(dest.name + ".part.json")
        host = urlparse(url).netloc
        attempts = self.retries + 1
        dest.parent.mkdir(parents=True, exist_ok=True)
        size = 0
        for attempt in range(attempts):
            state = _read_state(state_path)
            have = part.stat().st_size if part.exists() and state.get("url") == url else 0
            if not have:
                part.unlink(missing_ok=True)
                state = {}
            headers = {"Accept-Encoding": "identity"}  # the bytes as stored, so lengths and ranges agree
            if have:
                headers["Range"] = f"bytes={have}-"
                if state.get("etag") or state.get("last_modified"):
                    headers["If-Range"] = state.get("etag") or state["last_modified"]
            elif validators:
                if validators.get("etag"):
                    headers["If-None-Match"] = validators["etag"]
                if validators.get("last_modified"):
                    headers["If-Modified-Since"] = validators["last_modified"]
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            self._wait_for_host(host)
            self.requests_made += 1
            try:
                resp = self.session.get(url, headers=headers, stream=True, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as exc:
                raise offline(host, exc, attempts) from None
            with resp:
                if resp.status_code == 304 and validators and not have:
                    return Downloaded(url, dest, "", 0, _now(), validators.get("last_modified", ""),
                                      validators.get("etag", ""), not_modified=True)
                if resp.status_code == 416:  # the range lies past the end: the partial file is not this one
                    part.unlink(missing_ok=True)
                    continue
                if resp.status_code in RETRY_STATUS:
                    raise FetchError(f"{url}: HTTP {resp.status_code} after {attempts} attempts")
                if resp.status_code not in (200, 206):
                    raise FetchError(f"{url}: HTTP {resp.status_code} {resp.reason}")
                start, total = 0, _length(resp)
                if resp.status_code == 206:
                    m = _CONTENT_RANGE.fullmatch(resp.headers.get("Content-Range", "").strip())
                    if not m or int(m.group(1)) != have:  # not the range asked for: start again
                        part.unlink(missing_ok=True)
                        continue
                    start, total = have, (int(m.group(3)) if m.group(3) != "*" else None)
                else:
                    state = {"url": url, "etag": resp.headers.get("ETag", ""),
                             "last_modified": resp.headers.get("Last-Modified", "")}
                    _write_state(state_path, state)
                done = start
                if progress:
                    progress(done, total)
                try:
                    with part.open("ab" if start else "wb") as fh:
                        for chunk in resp.iter_content(CHUNK):
                            fh.write(chunk)
                            done += len(chunk)
                            if progress:
                                progress(done, total)
                except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError):
                    size = part.stat().st_size
                    continue  # the next attempt resumes from what arrived
            size = part.stat().st_size
            if total is not None and size != total:
                continue
            digest = sha256_file(part)
            part.replace(dest)
            state_path.unlink(missing_ok=True)
            return Downloaded(url, dest, digest, size, _now(), state.get("last_modified", ""), state.get("etag", ""),
                              resumed_from=start)
        raise FetchError(f"{url}: the download broke off ({size} bytes kept in {part.name} after {attempts} "
                         "attempts): run again to resume")

    # -- named sources -----------------------------------------------------------------------
    def hgnc_complete_set(self, **kw) -> Fetched:
        return self.get(self.endpoints["hgnc_complete_set"], **kw)

    def reactome_relations(self, **kw) -> Fetched:
        return self.get(self.endpoints["reactome_relations"], **kw)

    def reactome_gmt(self, **kw) -> Fetched:
        """Reactome's GMT (the download is zipped; the content returned is the GMT itself)."""
        f = self.get(self.endpoints["reactome_gmt"], **kw)
        if f.content[:4] == ZIP_MAGIC:
            return Fetched(f.url, zip_member(f.content, ".gmt", f.url), f.retrieved_at, f.from_cache, f.status)
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


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _length(resp: requests.Response) -> int | None:
    """The body length the server announced, when it did."""
    value = resp.headers.get("Content-Length", "")
    return int(value) if value.isdigit() else None


def _read_state(path: Path) -> dict[str, str]:
    """What a partial download started from (url and validators), or {} when unknown or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_state(path: Path, state: dict[str, str]) -> None:
    path.write_text(json.dumps(state), encoding="utf-8")
