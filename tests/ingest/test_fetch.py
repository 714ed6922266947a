"""Fetcher against a local http.server replaying real payloads (no test touches the internet)."""
from __future__ import annotations

import socket

import pytest

from ingest.fetch import Fetcher, FetchError, OfflineError
from ingest.hgnc import default_resolver
from ingest.reactome import read_reactome_hierarchy
from ingest.wikipathways import read_gpml
from tests.helpers import shared_data
from tests.replay import Replay


def fetcher(tmp_path, base, **kw):
    sleeps: list[float] = []
    f = Fetcher(tmp_path / "cache", base_url=base, backoff=0.01, min_interval=0.0, timeout=5,
                sleep=sleeps.append, **kw)
    return f, sleeps


def test_retry_after_503_then_200_returns_real_payload(tmp_path):
    body = (shared_data() / "wikipathways" / "gpml" / "WP306.gpml").read_bytes()
    path = "/wikipathways-assets/pathways/WP306/WP306.gpml"
    with Replay({path: [(503, b"busy"), (503, b"busy"), (200, body)]}) as srv:
        f, sleeps = fetcher(tmp_path, srv.base)
        got = f.wikipathways_gpml("WP306")
        assert srv.hits[path] == 3
    assert got.content == body and not got.from_cache
    assert sleeps == [0.02]  # urllib3's exponential backoff: the first retry is immediate, then 0.01 * 2
    sl = read_gpml(got.content, default_resolver(), name="WP306.gpml")
    assert sl.provenance.version.startswith("WP306_r") and len(sl.edges) > 100


def test_cache_hit_does_not_call_the_server_again(tmp_path):
    body = (shared_data() / "reactome" / "ReactomePathwaysRelation.txt").read_bytes()
    path = "/download/current/ReactomePathwaysRelation.txt"
    with Replay({path: [(200, body)]}) as srv:
        f, _ = fetcher(tmp_path, srv.base)
        first = f.reactome_relations()
        second = Fetcher(tmp_path / "cache", base_url=srv.base).reactome_relations()
        assert srv.hits[path] == 1
    assert second.from_cache and second.content == first.content == body
    assert second.retrieved_at == first.retrieved_at
    assert len(read_reactome_hierarchy(second.content, name="rel.txt").edges) > 2000


def test_404_is_a_fetch_error_without_retries(tmp_path):
    with Replay({}) as srv:
        f, sleeps = fetcher(tmp_path, srv.base)
        with pytest.raises(FetchError, match="HTTP 404"):
            f.kegg_kgml("hsa04510")
        assert sum(srv.hits.values()) == 1 and sleeps == []


def test_still_503_after_every_retry_says_so(tmp_path):
    with Replay({"/download/current/ReactomePathwaysRelation.txt": [(503, b"")]}) as srv:
        f, sleeps = fetcher(tmp_path, srv.base, retries=2)
        with pytest.raises(FetchError, match="HTTP 503 after 3 attempts"):
            f.reactome_relations()
        assert srv.hits["/download/current/ReactomePathwaysRelation.txt"] == 3
    assert len(sleeps) == 1 and not isinstance(FetchError("x"), OfflineError)


def test_offline_gives_a_clear_error(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens on this port now
    f, sleeps = fetcher(tmp_path, f"http://127.0.0.1:{port}", retries=1)
    with pytest.raises(OfflineError, match="cannot reach 127.0.0.1:.*after 2 attempts.*check the network"):
        f.hgnc_complete_set()
    assert sleeps == []  # one immediate retry, then the clear error


def test_retry_after_header_is_honoured(tmp_path):
    path = "/download/current/ReactomePathwaysRelation.txt"
    with Replay({path: [(429, b"slow down"), (200, b"R-HSA-1\tR-HSA-2\n")]}) as srv:
        srv.retry_after = "3"
        f, sleeps = fetcher(tmp_path, srv.base)
        assert f.reactome_relations().content.startswith(b"R-HSA-1")
    assert sleeps == [3.0]


def test_rate_limit_spaces_requests_to_one_host(tmp_path):
    body = b"R-HSA-1\tR-HSA-2\n"
    with Replay({"/a": [(200, body)], "/b": [(200, body)]}) as srv:
        sleeps: list[float] = []
        f = Fetcher(tmp_path / "c", min_interval=5.0, sleep=sleeps.append)
        f.get(srv.base + "/a")
        f.get(srv.base + "/b")
    assert len(sleeps) == 1 and 4.0 < sleeps[0] <= 5.0
