"""PubMed: parse MEDLINE/PubMed XML (2016 ``MedlineCitationSet`` and current ``PubmedArticleSet``
layouts, ``.gz`` included) and fetch from NCBI E-utilities (esearch with history, batched efetch).

Parsing streams with ``iterparse``, so a full baseline file never sits in memory. Bad input is
reported, never raised: malformed XML, a truncated ``.gz`` or a DTD declaring entities (refused by
design: defusedxml, no entity expansion) stops that file with ``file:line`` and the reason; an
article without abstract, or with one above ``MAX_ABSTRACT_CHARS``, is skipped and counted;
HTML entities (``&nbsp;``) and lines in a legacy 8-bit encoding are repaired.

>>> arts, problems = parse_pubmed_bytes(b'''<PubmedArticleSet><PubmedArticle><MedlineCitation>
... <PMID>1</PMID><Article><Journal><JournalIssue><PubDate><Year>2020</Year></PubDate></JournalIssue>
... <Title>J</Title></Journal><ArticleTitle>T.</ArticleTitle><Abstract><AbstractText Label="AIM">A
... b.</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle></PubmedArticleSet>''')
>>> arts[0].pmid, arts[0].abstract, arts[0].year
('1', 'AIM: A b.', 2020)
"""
from __future__ import annotations

import html.entities
import io
import json
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Iterable, Iterator

import defusedxml.ElementTree as DET
import requests

from ingest.errors import IngestError, open_gzip, reader_boundary
from ingest.fetch import FetchError, http_session

EUTILS = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils"
MAX_ABSTRACT_CHARS = 100_000
_WS = re.compile(r"\s+")
_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")
_XML_ENTITIES = {b"amp", b"lt", b"gt", b"quot", b"apos"}


@dataclass(frozen=True)
class Article:
    """One PubMed record as stored: ``text`` (title + newline + abstract) is what offsets refer to."""

    pmid: str
    title: str
    abstract: str
    year: int | None = None
    journal: str = ""
    mesh: tuple[str, ...] = ()
    where: str = ""

    @property
    def text(self) -> str:
        return f"{self.title}\n{self.abstract}" if self.title else self.abstract


@dataclass
class ParseProblems:
    """What parsing skipped or repaired, with one message per problem."""

    messages: list[str] = field(default_factory=list)
    skipped: int = 0
    repaired_lines: int = 0

    def skip(self, where: str, reason: str) -> None:
        self.skipped += 1
        self.messages.append(f"{where}: {reason}")


def clean_text(text: str) -> str:
    return _WS.sub(" ", text).strip()


def _element_text(elem: ET.Element | None) -> str:
    return clean_text("".join(elem.itertext())) if elem is not None else ""


def _year(art: ET.Element) -> int | None:
    for path in ("Journal/JournalIssue/PubDate/Year", "ArticleDate/Year"):
        y = art.findtext(path)
        if y and y.strip()[:4].isdigit():
            return int(y.strip()[:4])
    md = art.findtext("Journal/JournalIssue/PubDate/MedlineDate") or ""
    m = re.search(r"\b(1[89]\d\d|20\d\d)\b", md)
    return int(m.group(1)) if m else None


def article_from_citation(cit: ET.Element, where: str, problems: ParseProblems) -> Article | None:
    """An Article from a ``MedlineCitation`` element, or None (counted in ``problems``)."""
    pmid = (cit.findtext("PMID") or "").strip()
    if not pmid.isdigit():
        problems.skip(where, f"missing or bad PMID {pmid!r}")
        return None
    here = f"{where}:PMID:{pmid}"
    art = cit.find("Article")
    if art is None:
        problems.skip(here, "no Article element")
        return None
    title = _element_text(art.find("ArticleTitle")) or _element_text(art.find("VernacularTitle"))
    parts = []
    for ab in art.findall("Abstract/AbstractText"):
        body = _element_text(ab)
        if not body:
            continue
        label = (ab.get("Label") or "").strip()
        parts.append(f"{label}: {body}" if label else body)
    abstract = "\n".join(parts)  # structured abstracts: one labelled section per line
    if not abstract:
        problems.skip(here, "article has no abstract")
        return None
    if len(abstract) > MAX_ABSTRACT_CHARS:
        problems.skip(here, f"abstract of {len(abstract)} characters exceeds {MAX_ABSTRACT_CHARS}")
        return None
    if len(title) > MAX_ABSTRACT_CHARS:  # title + abstract must stay under the NLP pipeline's max_length
        problems.skip(here, f"title of {len(title)} characters exceeds {MAX_ABSTRACT_CHARS}")
        return None
    mesh = tuple(d.get("UI") or clean_text(d.text or "")
                 for d in cit.findall("MeshHeadingList/MeshHeading/DescriptorName"))
    return Article(pmid, title, abstract, _year(art), clean_text(art.findtext("Journal/Title") or ""),
                   tuple(m if m.startswith("MESH:") or not m.startswith("D") else f"MESH:{m}" for m in mesh),
                   here)


class _RepairingReader(io.RawIOBase):
    """Byte stream that decodes HTML entities and re-encodes non-UTF-8 lines as UTF-8."""

    def __init__(self, raw: IO[bytes], problems: ParseProblems):
        self._lines = iter(raw)
        self._buf = b""
        self._problems = problems

    def readable(self) -> bool:
        return True

    def _fix(self, line: bytes) -> bytes:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            self._problems.repaired_lines += 1
            line = line.decode("cp1252", errors="replace").encode("utf-8")
        if b"&" in line:
            line = _ENTITY.sub(self._entity, line)
        return line

    @staticmethod
    def _entity(m: re.Match) -> bytes:
        name = m.group(1)
        if name in _XML_ENTITIES:
            return m.group(0)
        ch = html.entities.html5.get(name.decode("ascii") + ";")
        return ch.encode("utf-8") if ch else m.group(0)

    def readinto(self, b) -> int:
        while len(self._buf) < len(b):
            line = next(self._lines, None)
            if line is None:
                break
            self._buf += self._fix(line)
        n = min(len(b), len(self._buf))
        b[:n] = self._buf[:n]
        self._buf = self._buf[n:]
        return n


def _open(path: Path) -> IO[bytes]:
    fh = path.open("rb")
    if fh.read(2) == b"\x1f\x8b":
        fh.seek(0)
        return open_gzip(fh, path.name)  # capped: a gzip bomb is skipped like a truncated .gz
    fh.seek(0)
    return fh


def iter_articles(stream: IO[bytes], name: str, problems: ParseProblems) -> Iterator[Article]:
    """Stream Articles out of one XML byte stream; malformed XML ends the stream with a message."""
    reader = io.BufferedReader(_RepairingReader(stream, problems), 1 << 16)
    n = 0
    try:
        with reader_boundary(name):  # malformed XML, entities, truncated or corrupt .gz
            for _event, elem in DET.iterparse(reader, events=("end",)):
                tag = elem.tag
                if tag == "MedlineCitation":
                    n += 1
                    art = article_from_citation(elem, f"{name}:record {n}", problems)
                    if art is not None:
                        yield art
                    elem.clear()
                elif tag in ("PubmedArticle", "DeleteCitation", "PubmedBookArticle"):
                    elem.clear()
    except IngestError as exc:
        problems.skip(exc.where, f"{exc.reason}; rest of file skipped")
    except OSError as exc:  # the file itself could not be read
        problems.skip(name, f"cannot read file ({exc})")


def parse_pubmed_bytes(data: bytes, name: str = "<bytes>") -> tuple[list[Article], ParseProblems]:
    problems = ParseProblems()
    return list(iter_articles(io.BytesIO(data), name, problems)), problems


def parse_pubmed_files(paths: Iterable[str | Path]) -> tuple[list[Article], ParseProblems]:
    """Articles of every file (first occurrence of a PMID wins), plus what was skipped."""
    problems = ParseProblems()
    seen: set[str] = set()
    out: list[Article] = []
    for p in paths:
        p = Path(p)
        if not p.is_file():
            problems.skip(str(p), "file not found")
            continue
        with _open(p) as fh:
            for art in iter_articles(fh, p.name, problems):
                if art.pmid in seen:
                    continue
                seen.add(art.pmid)
                out.append(art)
    return out, problems


# ---- E-utilities ------------------------------------------------------------------------


@dataclass
class EutilsClient:
    """esearch (usehistory=y) + batched efetch, rate-limited, retried, cached and resumable.

    ``api_key`` comes from the caller (the CLI reads ``NCBI_API_KEY``); without one NCBI allows
    3 requests/s, with one 10/s.
    """

    cache_dir: Path
    api_key: str | None = None
    base_url: str = EUTILS
    max_retries: int = 4
    backoff: float = 0.5
    rate_per_second: float | None = None
    timeout: float = 30.0
    session: requests.Session | None = None
    _last: float = 0.0

    def __post_init__(self) -> None:
        if self.session is None:  # the project's one HTTP client: urllib3 retries and backoff
            self.session = http_session(self.max_retries, self.backoff)

    def _params(self, **kw) -> dict:
        kw.update(tool="ldh-resorption-kg")
        if self.api_key:
            kw["api_key"] = self.api_key
        return kw

    def _wait(self) -> None:
        rate = self.rate_per_second or (10.0 if self.api_key else 3.0)
        delay = self._last + 1.0 / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._last = time.monotonic()

    def get(self, endpoint: str, params: dict) -> bytes:
        """GET with the rate limit; retries and backoff on network errors, 429 and 5xx are the
        session's (:func:`ingest.fetch.http_session`). E-utilities answers are never cached here:
        a search's history (WebEnv) is only valid for a while; finished batches are kept by
        :meth:`fetch`'s checkpoint instead."""
        url = f"{self.base_url.rstrip('/')}/{endpoint}"
        self._wait()
        try:
            r = self.session.get(url, params=self._params(**params), timeout=self.timeout)
        except requests.RequestException as exc:
            raise FetchError(f"{endpoint} failed after {self.max_retries + 1} attempt(s): "
                             f"{type(exc).__name__}: {exc}") from None
        if r.status_code != 200:
            raise FetchError(f"{endpoint} failed after {self.max_retries + 1} attempt(s): HTTP {r.status_code}")
        return r.content

    def esearch(self, query: str, max_results: int | None = None) -> dict:
        """{count, webenv, query_key} for ``query`` (history server)."""
        raw = self.get("esearch.fcgi", {"db": "pubmed", "term": query, "usehistory": "y",
                                        "retmode": "json", "retmax": 0})
        try:
            res = json.loads(raw)["esearchresult"]
            count = int(res["count"])
            out = {"count": count, "webenv": res["webenv"], "query_key": res["querykey"]}
        except (ValueError, KeyError) as exc:
            raise FetchError(f"esearch answer not understood ({exc}): {raw[:200]!r}") from exc
        if max_results is not None:
            out["count"] = min(count, max_results)
        return out

    def fetch(self, query: str, max_results: int | None = None, batch_size: int = 200,
              progress=None) -> list[Path]:
        """Batch files (efetch XML) for ``query``; resumes from the checkpoint after a failure.

        The checkpoint ``<cache>/<query hash>/checkpoint.json`` lists finished batches; a rerun
        fetches only the others, so nothing is downloaded or stored twice.
        """
        from kg.records.model import stable_hash

        qdir = Path(self.cache_dir) / f"pubmed-{stable_hash(query, max_results, batch_size, length=12)}"
        qdir.mkdir(parents=True, exist_ok=True)
        ckpt_path = qdir / "checkpoint.json"
        ckpt = json.loads(ckpt_path.read_text()) if ckpt_path.exists() else None
        if ckpt is None:
            ckpt = {"query": query, **self.esearch(query, max_results), "batch_size": batch_size, "done": []}
            ckpt_path.write_text(json.dumps(ckpt))
        files = []
        for i, start in enumerate(range(0, ckpt["count"], batch_size)):
            path = qdir / f"batch_{i:05d}.xml"
            if i in ckpt["done"] and path.exists():
                files.append(path)
                continue
            n = min(batch_size, ckpt["count"] - start)
            data = self.get("efetch.fcgi", {"db": "pubmed", "WebEnv": ckpt["webenv"],
                                            "query_key": ckpt["query_key"], "retstart": start,
                                            "retmax": n, "retmode": "xml"})
            tmp = path.with_suffix(".part")
            tmp.write_bytes(data)
            tmp.replace(path)  # a batch file exists only when complete
            ckpt["done"].append(i)
            ckpt_path.write_text(json.dumps(ckpt))
            files.append(path)
            if progress:
                progress(i, n)
        return files
