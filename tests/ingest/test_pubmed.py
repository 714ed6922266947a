"""PubMed XML parsing (real files, both layouts, bad input) and the E-utilities client against a
local http.server replaying esearch/efetch answers built from the real article XML."""
from __future__ import annotations

import json
import threading
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from ingest.fetch import FetchError
from ingest.pubmed import EutilsClient, parse_pubmed_bytes, parse_pubmed_files
from tests.helpers import shared_data


def pubmed_files() -> list[Path]:
    return sorted((shared_data() / "pubmed").glob("*.xml*"))


def test_real_files_both_layouts():
    arts, problems = parse_pubmed_files(pubmed_files())
    pmids = {a.pmid for a in arts}
    assert "17942999" in pmids  # medline16n0902.xml.gz, 2016 MedlineCitationSet layout
    assert "9417067" in pmids and "29768149" in pmids  # current PubmedArticleSet layout
    assert len(pmids) == len(arts)  # no duplicates
    a = next(x for x in arts if x.pmid == "9500320")
    assert a.abstract.startswith("BACKGROUND: ") and "\nMETHODS: " in a.abstract
    assert a.year == 1998 and a.journal.startswith("Lancet") and a.mesh and a.mesh[0].startswith("MESH:D")
    assert a.text == a.title + "\n" + a.abstract
    assert problems.skipped > 0 and all("no abstract" in m for m in problems.messages)


def _article(pmid: str, abstract: str) -> str:
    return (f"<PubmedArticle><MedlineCitation><PMID>{pmid}</PMID><Article><ArticleTitle>T {pmid}."
            f"</ArticleTitle>{abstract}</Article></MedlineCitation></PubmedArticle>")


def test_bad_input_is_counted_with_a_message():
    huge = "<Abstract><AbstractText>" + "word " * 30000 + "</AbstractText></Abstract>"
    data = ("<PubmedArticleSet>" + _article("1", "") + _article("2", huge)
            + _article("3", "<Abstract><AbstractText>TNF&nbsp;rose &alpha; &amp; fell.</AbstractText></Abstract>")
            + "</PubmedArticleSet>").encode()
    arts, problems = parse_pubmed_bytes(data, "t.xml")
    assert [a.pmid for a in arts] == ["3"]
    assert arts[0].abstract == "TNF rose α & fell."
    assert problems.skipped == 2
    assert any("PMID:1" in m and "no abstract" in m for m in problems.messages)
    assert any("PMID:2" in m and "exceeds" in m for m in problems.messages)


def test_malformed_xml_keeps_earlier_records_and_names_the_line():
    data = ("<PubmedArticleSet>\n" + _article("5", "<Abstract><AbstractText>Fine.</AbstractText></Abstract>")
            + "\n<PubmedArticle><MedlineCitation><PMID>6</PMID>\n<Article></Broken>").encode()
    arts, problems = parse_pubmed_bytes(data, "bad.xml")
    assert [a.pmid for a in arts] == ["5"]
    assert problems.skipped == 1 and problems.messages[0].startswith("bad.xml:4: malformed XML")


def test_mixed_encodings_are_repaired():
    good = _article("7", "<Abstract><AbstractText>Caf\u00e9 one.</AbstractText></Abstract>").encode("utf-8")
    legacy = _article("8", "<Abstract><AbstractText>na\u00efve two.</AbstractText></Abstract>").encode("cp1252")
    arts, problems = parse_pubmed_bytes(b"<PubmedArticleSet>\n" + good + b"\n" + legacy + b"\n</PubmedArticleSet>")
    assert [a.abstract for a in arts] == ["Café one.", "naïve two."]
    assert problems.repaired_lines == 1


# ---- E-utilities against a local server ---------------------------------------------------


class Replay:
    """esearch/efetch answers over the real PubmedArticle elements of the shared files."""

    def __init__(self, articles: list[bytes], fail_batches: set[int], batch_size: int):
        self.articles = articles
        self.fail_batches = fail_batches
        self.batch_size = batch_size
        self.log: list[tuple[str, dict]] = []

    def handler(self):
        replay = self

        class H(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):
                u = urlparse(self.path)
                q = {k: v[0] for k, v in parse_qs(u.query).items()}
                replay.log.append((u.path, q))
                if u.path == "/esearch.fcgi":
                    assert q["usehistory"] == "y"
                    body = json.dumps({"esearchresult": {"count": str(len(replay.articles)), "webenv": "MCID_test",
                                                         "querykey": "1", "idlist": []}}).encode()
                elif u.path == "/efetch.fcgi":
                    assert q["WebEnv"] == "MCID_test" and q["query_key"] == "1" and q["retmode"] == "xml"
                    start, n = int(q["retstart"]), int(q["retmax"])
                    if start // replay.batch_size in replay.fail_batches:
                        self.send_response(503)
                        self.end_headers()
                        return
                    body = (b'<?xml version="1.0"?>\n<PubmedArticleSet>\n' + b"\n".join(replay.articles[start:start + n])
                            + b"\n</PubmedArticleSet>\n")
                else:
                    self.send_response(404)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return H


def _real_articles() -> list[bytes]:
    out = []
    for p in pubmed_files():
        if p.name.startswith("pmid_") or p.name.startswith("pubmed-"):
            root = ET.parse(p).getroot()
            out += [ET.tostring(a, encoding="utf-8") for a in root.iter("PubmedArticle")]
    return out


@pytest.fixture
def server():
    started = []

    def start(replay: Replay):
        srv = ThreadingHTTPServer(("127.0.0.1", 0), replay.handler())
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        started.append(srv)
        return f"http://127.0.0.1:{srv.server_port}"

    yield start
    for s in started:
        s.shutdown()
        s.server_close()


def test_fetch_fails_mid_download_then_resumes_without_duplicates(server, tmp_path):
    articles = _real_articles()
    assert len(articles) >= 8
    replay = Replay(articles, fail_batches={2}, batch_size=3)
    url = server(replay)
    client = EutilsClient(tmp_path, base_url=url, max_retries=1, backoff=0.01, rate_per_second=200)
    with pytest.raises(FetchError, match="HTTP 503"):
        client.fetch("disc herniation", batch_size=3)
    ckpt = json.loads(next(tmp_path.glob("pubmed-*/checkpoint.json")).read_text())
    assert ckpt["done"] == [0, 1]
    fetched_before = [q["retstart"] for p, q in replay.log if p.endswith("efetch.fcgi")]
    replay.fail_batches = set()  # the network is back
    files = EutilsClient(tmp_path, base_url=url, rate_per_second=200).fetch("disc herniation", batch_size=3)
    fetched_after = [q["retstart"] for p, q in replay.log if p.endswith("efetch.fcgi")][len(fetched_before):]
    assert "0" not in fetched_after and "3" not in fetched_after  # finished batches are not refetched
    assert sum(1 for p, _ in replay.log if p.endswith("esearch.fcgi")) == 1
    arts, _ = parse_pubmed_files(files)
    pmids = [a.pmid for a in arts]
    expected = {ET.fromstring(a).findtext("MedlineCitation/PMID") for a in articles}
    assert len(pmids) == len(set(pmids)) and set(pmids) == {p for p in expected if p in set(pmids)}
    assert len(set(pmids)) == len([a for a in articles if b"<AbstractText" in a])


def test_api_key_is_sent_and_http_errors_raise(server, tmp_path):
    replay = Replay(_real_articles()[:2], fail_batches=set(), batch_size=2)
    url = server(replay)
    client = EutilsClient(tmp_path, api_key="secret-key", base_url=url, rate_per_second=200)
    client.fetch("q", max_results=2, batch_size=2)
    assert all(q.get("api_key") == "secret-key" for _, q in replay.log)
    with pytest.raises(FetchError):
        EutilsClient(tmp_path, base_url=url + "/missing", max_retries=0).esearch("q")
