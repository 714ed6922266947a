"""PubTator3 as a source: the real API path, batches of 100 PMIDs, served by a local http.server
that replays the recorded PubTator3 BioC JSON files; the reader choice; nothing counted twice."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest

from ingest.fetch import ENDPOINTS, Fetcher
from ingest.literature import records_from_pubtator
from ingest.pubtator import parse_pubtator_bytes, parse_pubtator_files
from kg.records.belief import belief
from tests.helpers import shared_data

PATH = urlparse(ENDPOINTS["pubtator3_biocjson"]).path


def recorded() -> dict[str, dict]:
    """PMID -> its recorded BioC document (the PubTator3 files of the shared data)."""
    out = {}
    for f in sorted((shared_data() / "pubmed" / "pubtator").glob("*.json")):
        data = json.loads(f.read_text(encoding="utf-8"))
        docs = data.get("PubTator3", [data]) if isinstance(data, dict) else data
        for d in docs:
            out[str(d.get("pmid") or d.get("id"))] = d
    return out


@pytest.fixture()
def replay():
    docs = recorded()
    log: list[list[str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            u = urlparse(self.path)
            if u.path != PATH:
                self.send_error(404)
                return
            pmids = parse_qs(u.query)["pmids"][0].split(",")
            log.append(pmids)
            body = json.dumps({"PubTator3": [docs[p] for p in pmids if p in docs]}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", docs, log
    server.shutdown()


def test_fetch_batches_and_caches(replay, tmp_path):
    base, docs, log = replay
    f = Fetcher(tmp_path, min_interval=0.0, base_url=base)
    pmids = sorted(docs) + [str(10**8 + i) for i in range(150)]  # 158 PMIDs: two requests
    answers = f.pubtator3_documents(pmids)
    assert [len(b) for b in log] == [100, len(pmids) - 100]
    parsed = parse_pubtator_bytes((a.url, a.content) for a in answers)
    assert {d.pmid for d in parsed.documents} == set(docs)
    f.pubtator3_documents(pmids)
    assert len(log) == 2  # second time from the cache
    with pytest.raises(ValueError, match="not PMIDs"):
        f.pubtator3_documents(["123", "PMC1"])


def test_reader_choice_and_sentence_evidence():
    parsed = parse_pubtator_files(sorted((shared_data() / "pubmed" / "pubtator").glob("*.json")))
    n_rel = sum(len(d.relations) for d in parsed.documents)
    assert n_rel >= 30
    ours, theirs, both = (records_from_pubtator(parsed.documents, reader=r) for r in ("ours", "pubtator3", "both"))
    assert {e.source for e in ours.load.evidence.values()} == {"pubtator"}
    assert {e.source for e in theirs.load.evidence.values()} == {"pubtator3"}
    assert len(both.load.evidence) == len(ours.load.evidence) + len(theirs.load.evidence)
    # every PubTator3 relation is evidence in a sentence naming both, or rejected with its ids
    assert theirs.stats.pubtator3_relations + len(theirs.load.report.rejected) == n_rel
    assert all("no sentence names both" in r.reason for r in theirs.load.report.rejected)
    texts = {d.pmid: d.text for d in parsed.documents}
    for ev in theirs.load.evidence.values():
        s, e = ev.offsets
        assert texts[ev.citation.removeprefix("PMID:")][s:e] == ev.text
        assert "pubtator3_relation" in ev.flags and any(f.startswith("pubtator3_type:") for f in ev.flags)
    assert theirs.load.report.reconciles() and both.load.report.reconciles()
    with pytest.raises(ValueError, match="reader"):
        records_from_pubtator(parsed.documents, reader="nobody")


def test_one_paper_read_twice_counts_once():
    parsed = parse_pubtator_files(sorted((shared_data() / "pubmed" / "pubtator").glob("*.json")))
    both = records_from_pubtator(parsed.documents, reader="both")
    by_paper: dict = {}  # one edge in one paper (an edge that several papers support counts each)
    for ev in both.load.evidence.values():
        by_paper.setdefault((ev.edge_key, ev.citation), []).append({"source": ev.source, "citation": ev.citation})
    shared = [evs for evs in by_paper.values() if {e["source"] for e in evs} == {"pubtator", "pubtator3"}]
    assert shared, "some edge is read by both readers from the same paper"
    for evs in shared:
        singles = [belief([e])["belief"] for e in evs]
        assert belief(evs)["belief"] == pytest.approx(max(singles))
        assert belief(evs)["n_papers"] == 1


def test_cli_fetches_and_loads(replay, tmp_path):
    from tests.kg.surfaces.test_cli import ok, run_kg

    base, docs, _log = replay
    home = tmp_path / "home"
    args = ("ingest", "pubtator3", "--pmids", ",".join(sorted(docs)), "--base-url", base, "--json")
    out = json.loads(ok(run_kg(home, *args)).stdout)
    assert out["literature"]["pubtator3_relations"] > 0 and out["load"]["edges_written"] > 0
    first = json.loads(ok(run_kg(home, "stats", "--json")).stdout)
    ok(run_kg(home, *args))
    second = json.loads(ok(run_kg(home, "stats", "--json")).stdout)
    assert first["edges"] == second["edges"] > 0  # re-running the ingest creates no duplicates
    assert first["by_predicate"] == second["by_predicate"]
    bad = run_kg(home, "ingest", "pubtator3", "--pmids", "12,abc")
    assert bad.returncode == 1 and "not PMIDs: abc" in bad.stdout + bad.stderr


def _pubmed_xml(doc: dict) -> bytes:
    """A PubmedArticle holding a recorded PubTator3 document's own title and abstract (its real text,
    in the layout E-utilities serves), so the PubMed reader and PubTator3 read the same paper."""
    from xml.sax.saxutils import escape

    passages = sorted(doc["passages"], key=lambda p: p["offset"])
    title = passages[0]["text"]
    abstract = " ".join(p["text"] for p in passages[1:])
    return (f"<PubmedArticle><MedlineCitation><PMID>{doc['pmid'] or doc['id']}</PMID><Article><ArticleTitle>"
            f"{escape(title)}</ArticleTitle><Abstract><AbstractText>{escape(abstract)}</AbstractText></Abstract>"
            f"</Article></MedlineCitation></PubmedArticle>").encode()


def test_pubmed_query_with_pubtator3_puts_both_readers_on_one_text(replay, tmp_path):
    from tests.ingest.test_pubmed import Replay as EutilsReplay
    from tests.kg.surfaces.test_cli import ok, run_kg

    base, docs, log = replay
    eutils = EutilsReplay([_pubmed_xml(d) for _p, d in sorted(docs.items())], set(), 200)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), eutils.handler())
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        home = tmp_path / "home"
        out = json.loads(ok(run_kg(home, "ingest", "pubmed", "--query", "anything", "--json", "--pubtator3",
                                   "--base-url", f"http://127.0.0.1:{srv.server_port}",
                                   "--pubtator3-url", base)).stdout)
    finally:
        srv.shutdown()
        srv.server_close()
    assert sorted(log[0]) == sorted(docs)  # PubTator3 was asked for exactly the papers PubMed returned
    assert out["pubtator3"]["pubtator3_relations"] > 0
    aligned = out["pubtator3"]["documents"]
    assert 0 < aligned <= out["literature"]["documents"]
    # the default store (LadybugDB) keeps a node's other fields in its JSON row
    rows = json.loads(ok(run_kg(home, "cypher", "--json", "MATCH (p:Entity {category: 'publication'}) "
                                "RETURN p.id AS id, row_field(p.row, 'text') AS text")).stdout)
    texts = dict(rows["rows"])
    assert len(texts) == out["literature"]["documents"]  # one stored text per paper, shared by both readers
    for pmid, d in docs.items():
        title = sorted(d["passages"], key=lambda p: p["offset"])[0]["text"]
        assert texts[f"PMID:{pmid}"].startswith(title + "\n")  # PubMed's layout, not PubTator3's space
