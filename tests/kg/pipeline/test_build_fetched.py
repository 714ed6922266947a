"""Issue #15: ``kg fetch`` against a local server replaying ../shared/data under the publishers' URL
paths, then the full profile read from the fetched directory: exactly the nodes (by category) and
edges (by predicate) of the full profile read with ``--shared``, and provenance naming the publishers.

One fetch and two full reads (about 2 x 1 minute and 1.5 GB each, one after the other) per session;
the records are compared as the store counts them (distinct node ids, distinct edge keys), which is
what ``kg build --profile full --json`` reports as ``stats``.
"""
from __future__ import annotations

from collections import Counter

import pytest

from ingest.downloads import MANIFEST, read_manifest, registry
from ingest.locations import fetched_data_dir
from kg.pipeline.build import DATA_SOURCES, collect, full_data_dir
from tests.helpers import shared_data
from tests.kg.surfaces.test_cli import ok, run_kg
from tests.replay import Replay, publisher_routes


def summary(loads) -> dict:
    """Counts as the store keeps them, the per-file reader reports in build order, and provenance."""
    nodes: dict[str, str] = {}
    edges: dict[str, str] = {}
    for sl in loads:
        nodes.update((k, n.category) for k, n in sl.nodes.items())
        edges.update((k, e.predicate) for k, e in sl.edges.items())
    return {"nodes": len(nodes), "edges": len(edges),
            "by_category": dict(sorted(Counter(nodes.values()).items())),
            "by_predicate": dict(sorted(Counter(edges.values()).items())),
            "reports": [(sl.provenance.source, sl.report.read, sl.report.loaded, len(sl.report.rejected),
                         sl.report.unmapped_rows) for sl in loads],
            "provenance": [(sl.provenance, dict(sl.params)) for sl in loads]}


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    shared = shared_data()
    home = tmp_path_factory.mktemp("kg-fetch-home")
    nowhere = str(home / "no-shared-folder")
    with Replay(publisher_routes(shared), validators=True) as srv:
        proc = ok(run_kg(home, "fetch", "--msigdb", "--base-url", srv.base, KG_SHARED_DATA=nowhere))
    again = ok(run_kg(home, "fetch", "--msigdb", KG_SHARED_DATA=nowhere))  # server gone: nothing to fetch
    mp = pytest.MonkeyPatch()
    mp.setenv("KG_SHARED_DATA", nowhere)
    try:
        data = full_data_dir(None, fetched_data_dir(home))  # what `kg build --profile full` reads now
    finally:
        mp.undo()
    fetched = summary(collect("full", data))
    from_shared = summary(collect("full", shared))
    return {"home": home, "data": data, "out": proc.stdout, "again": again.stdout, "fetched": fetched,
            "shared": from_shared}


def test_kg_fetch_then_the_full_profile_has_the_counts_of_shared(builds):
    got, want = builds["fetched"], builds["shared"]
    assert builds["data"] == builds["home"] / "data" and (builds["data"] / MANIFEST).is_file()
    for key in ("nodes", "edges", "by_category", "by_predicate", "reports"):
        assert got[key] == want[key], key
    assert want["nodes"] > 30_000 and want["edges"] > 1_000_000 and want["by_predicate"]["inhibits"] > 5_000
    files = sum(len(s.files) for s in registry().values())
    assert "fetched" in builds["out"] and "skipped" not in builds["out"]
    assert builds["again"].count(" present ") == files


def test_fetched_sources_carry_the_publishers_url_checksum_and_time_in_provenance(builds):
    manifest = read_manifest(builds["data"])
    by_url = {e["url"]: e for e in manifest.values()}
    stamped = [(p, params) for p, params in builds["fetched"]["provenance"] if "fetched" in params]
    families = {p.source for p, _ in stamped}
    assert {"reactome", "wikipathways", "go", "omnipath", "signor", "hgnc"} <= families
    assert len(stamped) == len(manifest)  # every fetched file is read, once
    for prov, params in stamped:
        e = by_url[prov.url]
        assert prov.url.startswith("https://") and prov.retrieved_at == e["retrieved_at"]
        assert params["sha256"] == e["sha256"] == params["fetched"]["sha256"]
        assert params["fetched"]["fetched_from"].startswith("http://127.0.0.1:")
        assert params["fetched"]["last_modified"] and params["fetched"]["etag"]
    versions = {p.version for p, _ in stamped if p.source == "reactome"}
    assert "ReactomePathways.gmt (2024-09-18)" in versions  # a current file: dated by Last-Modified
    hgnc = next(p for p, _ in stamped if p.source == "hgnc")
    assert hgnc.url == "https://storage.googleapis.com/public-download-files/hgnc/tsv/tsv/hgnc_complete_set.txt"
    # the shared build records its files' checksums too, and the 2024 HGNC table it resolved genes with
    shared_prov = builds["shared"]["provenance"]
    assert all("sha256" in params for p, params in shared_prov if p.source in DATA_SOURCES | {"omnipath", "signor"})
    assert any(p.source == "hgnc" and p.version == "hgnc_entries.tsv" for p, _ in shared_prov)
