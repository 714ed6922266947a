"""``kg fetch`` downloads (ingest.downloads) against a local server replaying ../shared/data under the
publishers' URL paths: files as the build reads them, the manifest, checksums, resume, offline."""
from __future__ import annotations

import hashlib
import json
import re
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

from ingest.downloads import MANIFEST, fetch_sources, missing, needs_shared, read_manifest, registry, select
from ingest.fetch import Fetcher, FetchError, OfflineError
from tests.helpers import ROOT, shared_data
from tests.replay import Answer, Replay, publisher_routes

SMALL = ["reactome", "wikipathways", "omnipath", "signor"]
GMT = "reactome/ReactomePathways.gmt"
REL = "reactome/ReactomePathwaysRelation.txt"
REL_PATH = "/download/current/ReactomePathwaysRelation.txt"
CUT = 3 * 65536  # a whole number of the downloader's chunks: what arrived before the cut is all kept


def fetcher(tmp_path: Path, base: str, **kw) -> Fetcher:
    return Fetcher(tmp_path / "cache", base_url=base, backoff=0.0, min_interval=0.0, timeout=5,
                   sleep=lambda s: None, **kw)


def run(tmp_path: Path, srv: Replay, names=SMALL, **kw):
    out = tmp_path / "data"
    results = fetch_sources(out, fetcher(tmp_path, srv.base, **kw.pop("fetcher_kw", {})), select(names), **kw)
    return out, {r.path: r for r in results}


def sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def test_fetch_stores_the_shared_files_as_the_build_reads_them_with_a_manifest(tmp_path):
    shared = shared_data()
    with Replay(publisher_routes(shared, SMALL), validators=True) as srv:
        out, res = run(tmp_path, srv)
        hits = sum(srv.hits.values())
        assert {r.status for r in res.values()} == {"fetched"}
        # the zip the publisher serves was unpacked into the GMT the shared folder holds
        assert (out / GMT).read_bytes() == (shared / "reactome" / "ReactomePathways_2024-09-18.gmt").read_bytes()
        wp = "wikipathways/wikipathways-20201010-gmt-Homo_sapiens.gmt"  # name read from the release listing
        assert (out / wp).read_bytes() == (shared / wp).read_bytes()
        for rel in (REL, "networks/omnipath_carnival.tsv", "networks/signor_test_data.csv"):
            assert (out / rel).read_bytes() == (shared / rel).read_bytes(), rel
        assert not list(out.rglob("*.part")) and not list(out.rglob("*.zip"))

        man = read_manifest(out)
        assert set(man) == {GMT, REL, wp, "networks/omnipath_carnival.tsv", "networks/signor_test_data.csv"}
        for rel, e in man.items():
            assert e["sha256"] == sha(out / rel) and e["bytes"] == (out / rel).stat().st_size
            assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", e["retrieved_at"])
            assert e["last_modified"] == "Wed, 18 Sep 2024 00:00:00 GMT" and e["etag"].startswith('"')
            assert e["fetched_from"] == srv.base + urlparse(e["url"]).path
            assert e["licence"] == registry()[e["source"]].licence
        g = man[GMT]
        assert g["url"] == "https://reactome.org/download/current/ReactomePathways.gmt.zip"
        assert g["member"] == "ReactomePathways.gmt" and g["download_bytes"] != g["bytes"]
        assert man[wp]["url"] == "https://data.wikipathways.org/current/gmt/" + Path(wp).name
        assert man[wp]["index"] == "https://data.wikipathways.org/current/gmt/"
        assert json.loads((out / MANIFEST).read_text())["format"] == 1
        assert {s.name for s in missing(out)} == set(registry()) - set(SMALL)  # what `kg build` says is not fetched

        # a second run checks every checksum and asks the server for nothing
        _, again = run(tmp_path, srv)
        assert {r.status for r in again.values()} == {"present"} and sum(srv.hits.values()) == hits
        # --refresh asks again with the validators: 304, the files stay
        _, fresh = run(tmp_path, srv, refresh=True)
        assert {r.status for r in fresh.values()} == {"unchanged"}
        assert any(h.get("If-None-Match") for _, h in srv.requests[hits:])
    assert read_manifest(out)[REL]["checked_at"] and sha(out / REL) == man[REL]["sha256"]


def test_a_damaged_file_is_fetched_again(tmp_path):
    shared = shared_data()
    with Replay(publisher_routes(shared, ["reactome"])) as srv:
        out, _ = run(tmp_path, srv, ["reactome"])
        good = (out / REL).read_bytes()
        (out / REL).write_bytes(good[:-10] + b"0123456789")  # same size, other bytes
        (out / GMT).unlink()
        _, res = run(tmp_path, srv, ["reactome"])
        assert res[REL].status == "refetched" and res[GMT].status == "fetched"
        assert srv.hits[REL_PATH] == 2
    assert (out / REL).read_bytes() == good == (shared / REL).read_bytes()


def test_a_download_cut_off_is_resumed_with_a_range_request(tmp_path):
    body = (shared_data() / REL).read_bytes()
    with Replay({REL_PATH: [(200, body)]}, ranges=True, validators=True) as srv:
        srv.cut[REL_PATH] = CUT  # the connection dies after 192 KiB; the same run asks for the rest
        f = fetcher(tmp_path, srv.base)
        got = f.download(f.mirror("https://reactome.org" + REL_PATH), tmp_path / "rel.txt")
        assert got.resumed_from == CUT and got.sha256 == hashlib.sha256(body).hexdigest()
        ranges = [h.get("Range") for _, h in srv.requests]
        assert ranges == [None, f"bytes={CUT}-"] and srv.requests[1][1]["If-Range"].startswith('"')
    assert (tmp_path / "rel.txt").read_bytes() == body


@pytest.mark.parametrize("ranges", [True, False])
def test_a_killed_download_resumes_next_run_or_restarts_without_range_support(tmp_path, ranges):
    shared = shared_data()
    routes = publisher_routes(shared, ["reactome"])
    body = routes[REL_PATH][0].body
    with Replay(routes, ranges=ranges) as srv:
        srv.cut[REL_PATH] = CUT
        with pytest.raises(FetchError, match=rf"broke off \({CUT} bytes kept in ReactomePathwaysRelation.txt.part"
                                             r".*run again to resume"):
            run(tmp_path, srv, ["reactome"], fetcher_kw={"retries": 0})  # as if the process had been killed
        out = tmp_path / "data"
        assert (out / (REL + ".part")).stat().st_size == CUT and REL not in read_manifest(out)
        assert GMT in read_manifest(out)  # the file finished before it is kept, with its manifest entry
        _, res = run(tmp_path, srv, ["reactome"])
        assert res[GMT].status == "present"
        assert res[REL].status == ("resumed" if ranges else "fetched")
        assert srv.requests[-1][1].get("Range") == f"bytes={CUT}-"  # asked for the rest either way
    assert (out / REL).read_bytes() == body and not (out / (REL + ".part")).exists()
    assert read_manifest(out)[REL]["sha256"] == hashlib.sha256(body).hexdigest()


def test_unreachable_host_is_a_one_line_offline_error_naming_it(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    with pytest.raises(OfflineError, match=rf"^cannot reach 127\.0\.0\.1:{port} .*check the network") as exc:
        fetch_sources(tmp_path / "d", fetcher(tmp_path, f"http://127.0.0.1:{port}", retries=1), select(["signor"]))
    assert "\n" not in str(exc.value)


def test_a_newer_listed_release_replaces_the_old_file(tmp_path):
    shared = shared_data()
    routes = publisher_routes(shared, ["wikipathways"])
    with Replay(routes) as srv:
        out, _ = run(tmp_path, srv, ["wikipathways"])
        old = "wikipathways/wikipathways-20201010-gmt-Homo_sapiens.gmt"
        new = "wikipathways-20250110-gmt-Homo_sapiens.gmt"
        srv.routes["/current/gmt/"] = [Answer(200, f'<a href="{new}">{new}</a>'.encode())]
        srv.routes[f"/current/gmt/{new}"] = [Answer(200, b"Toy%WikiPathways_20250110%WP1%Homo sapiens\turl\t7040\n")]
        _, res = run(tmp_path, srv, ["wikipathways"])  # without --refresh the release on disk is kept
        assert res[old].status == "present"
        _, res = run(tmp_path, srv, ["wikipathways"], refresh=True)
        assert res[f"wikipathways/{new}"].status == "fetched"
    assert not (out / old).exists() and set(read_manifest(out)) == {f"wikipathways/{new}"}


def test_registry_sources_default_selection_and_docs():
    reg = registry()
    assert {s.name for s in select()} == {n for n, s in reg.items() if s.access == "open"}
    assert {s.name for s in select(registration=True)} == set(reg)
    assert {n for n, s in reg.items() if s.access == "registration"} == {"msigdb_reactome", "msigdb_wikipathways",
                                                                         "msigdb_go"}
    with pytest.raises(ValueError, match="unknown source.*nosuch.*choose from hgnc"):
        select(["nosuch"])
    doc = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    for s in reg.values():
        assert s.licence in doc, s.name
        for f in s.files:
            assert re.sub(r"/WP\d+", "/WPnnn", f.url or f.index) in doc, f  # one row per pathway id
    for name in needs_shared():
        assert f"`{name}`" in doc
    shared = shared_data()
    for s in reg.values():
        for f in s.files:
            assert (shared / f.shared).is_file(), f.shared
            assert f.url.startswith("https://") or f.index.startswith("https://")


def test_a_zip_without_the_member_or_not_a_zip_is_a_fetch_error():
    import io
    import zipfile

    from ingest.fetch import zip_member

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("README.txt", "no gene sets here")
    with pytest.raises(FetchError, match=r"^u\.zip: the zip archive holds no ReactomePathways\.gmt \(it holds README"):
        zip_member(buf.getvalue(), "ReactomePathways.gmt", "u.zip")
    with pytest.raises(FetchError, match=r"^u\.zip: not a readable zip archive"):
        zip_member(b"PK\x03\x04 truncated", "x.gmt", "u.zip")
