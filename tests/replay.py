"""A local HTTP server replaying real payloads, so no test touches the internet.

:class:`Replay` answers each path with a list of answers in turn (the last one repeats), with
``Range`` requests (206), ``Last-Modified``/``ETag`` and conditional GETs (304) when asked, and can
cut a body short to play a connection that dies mid-download. :func:`publisher_routes` lays the
files of ``../shared/data`` out under the publishers' URL paths of the ``kg fetch`` registry,
packed as the publishers serve them (Reactome's GMT inside a zip built here from the real file,
MSigDB's GO sets plain where the shared copy is gzipped, WikiPathways' release directory listing).
"""
from __future__ import annotations

import gzip
import io
import threading
import zipfile
from dataclasses import dataclass
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlparse

from ingest.downloads import registry


@dataclass
class Answer:
    status: int
    body: bytes
    headers: tuple[tuple[str, str], ...] = ()


class Replay:
    """A local server: path -> list of answers ((status, body) or :class:`Answer`) given in turn.

    ``ranges``: honour ``Range: bytes=N-`` on 200 answers (206, ``Content-Range``); ``validators``:
    send ``Last-Modified`` and an ``ETag`` per path and answer 304 to a matching ``If-None-Match``;
    ``cut``: path -> bytes after which the next answer's connection is closed (Content-Length stays
    the full length), once.
    """

    def __init__(self, routes, *, ranges: bool = False, validators: bool = False):
        self.routes = {k: [a if isinstance(a, Answer) else Answer(*a) for a in v] for k, v in routes.items()}
        self.hits: dict[str, int] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.retry_after = ""
        self.ranges, self.validators = ranges, validators
        self.cut: dict[str, int] = {}
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802
                outer.hits[self.path] = outer.hits.get(self.path, 0) + 1
                outer.requests.append((self.path, dict(self.headers.items())))
                answers = outer.routes.get(self.path) or [Answer(404, b"not found")]
                a = answers.pop(0) if len(answers) > 1 else answers[0]
                status, body, headers = a.status, a.body, list(a.headers)
                etag = f'"{abs(hash(body)) % 10 ** 12}"'
                if status == 200 and outer.validators:
                    headers += [("ETag", etag), ("Last-Modified", formatdate(1726617600, usegmt=True))]
                    if self.headers.get("If-None-Match") == etag:
                        status, body = 304, b""
                rng = self.headers.get("Range", "")
                if status == 200 and outer.ranges and rng.startswith("bytes=") and rng.endswith("-"):
                    start = int(rng[6:-1])
                    headers.append(("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}"))
                    status, body = 206, body[start:]
                self.send_response(status)
                if status in (429, 503) and outer.retry_after:
                    self.send_header("Retry-After", outer.retry_after)
                for k, v in headers:
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                cut = outer.cut.pop(self.path, None)
                if cut is not None:
                    self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(body if cut is None else body[:cut])
                if cut is not None:
                    self.wfile.flush()
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _as_served(url: str, shared: Path, member: str) -> bytes:
    raw = shared.read_bytes()
    if shared.suffix == ".gz" and not url.endswith(".gz"):
        raw = gzip.decompress(raw)
    if url.endswith(".zip"):
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(member or shared.name, raw)
        raw = buf.getvalue()
    return raw


def publisher_routes(shared: Path, sources=None) -> dict[str, list[Answer]]:
    """URL path -> the shared file as its publisher serves it, for every file of ``sources`` (default all)."""
    routes: dict[str, list[Answer]] = {}
    for src in registry().values():
        if sources is not None and src.name not in sources:
            continue
        for f in src.files:
            local = shared / f.shared
            if f.index:
                name = local.name
                listing = f'<html><body><a href="{name}">{name}</a> <a href="../">up</a></body></html>'
                routes[urlparse(f.index).path] = [Answer(200, listing.encode())]
                url = urljoin(f.index, name)
            else:
                url = f.url
            routes[urlparse(url).path] = [Answer(200, _as_served(url, local, f.unzip))]
    return routes
