"""Mined literature shipped in the data pack: the evidence our reader found in the disc PubMed
records, so the default graph holds disc literature offline.

The pack keeps what evidence needs and no abstract: each edge with its sentences (exact text,
character offsets in PubMed's title + newline + abstract, PMID, year, flags, context), the two
entities it joins, and a publication node per cited paper (title, year, journal, MeSH; no ``text``).
Line 1 is a header with the mining load's provenance and report; every other line is one edge.
Written by ``tools/make_disc_literature.py`` from ``shared/data/literature/disc``; the suite mines
the records again and checks the pack still equals what the reader finds, sentence by sentence.

>>> import io
>>> from kg.records.model import Edge, Evidence, Node, Provenance
>>> from kg.records.sources import SourceLoad, SourceReport
>>> live = SourceLoad(Provenance("pubmed", "ldh-nlp/x", "NLM"), SourceReport("pubmed", "disc"))
>>> pub = Node("PMID:1", "publication", "A title", props=(("text", "A title\\nTNF raised MMP3."), ("year", 2020)))
>>> e = Edge("HGNC:11892", "increases", "HGNC:7173", 1)
>>> ev = Evidence(e.key, "pubmed", "PMID:1", "TNF raised MMP3.", (8, 24), year=2020)
>>> genes = [Node("HGNC:11892", "gene", "TNF"), Node("HGNC:7173", "gene", "MMP3")]
>>> live.add_row("d:pub", [pub], [], []) and live.add_row("d:1", genes, [e], [ev])
True
>>> buf = io.BytesIO(); write_pack(live, buf)
>>> shipped = read_pack(io.BytesIO(buf.getvalue()), "pack.jsonl.gz")
>>> [(x.subject, x.predicate, x.object) for x in shipped.edges.values()], shipped.report.reconciles()
([('HGNC:11892', 'increases', 'HGNC:7173')], True)
>>> shipped.nodes["PMID:1"].prop("text") is None, shipped.nodes["PMID:1"].prop("year")
(True, 2020)
"""
from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import IO, Any, Iterator

from kg.datapack import datapack_path
from kg.records.model import Node, Provenance, edge_from_dict, evidence_from_dict, node_from_dict
from kg.records.sources import SourceLoad, SourceReport

#: the shipped pack of the disc PubMed records, inside ``kg/datapack``
DISC_PACK = ("literature", "disc_pubmed.jsonl.gz")
FORMAT = "ldh-kg literature pack 1"
#: publication properties a pack keeps (the abstract, ``text``, stays with PubMed)
PUBLICATION_PROPS = ("year", "journal", "mesh")


class PackError(ValueError):
    """A pack that cannot be read at all (no header, another format); the message names the file."""


def _publication(n: Node) -> dict[str, Any]:
    return {k: v for k, v in n.to_dict().items() if k not in dict(n.props) or k in PUBLICATION_PROPS}


def pack_lines(load: SourceLoad) -> Iterator[dict[str, Any]]:
    """The pack of ``load``, line by line: the header, then one line per edge (sorted by key)
    with its evidence (sorted) and its two entities; each cited paper goes with the first edge citing it."""
    by_edge: dict[str, list] = {}
    for ev in load.evidence.values():
        by_edge.setdefault(ev.edge_key, []).append(ev)
    yield {"format": FORMAT, "provenance": load.provenance.to_dict(), "report": load.report.to_dict(),
           "params": load.params}
    shipped: set[str] = set()
    for key in sorted(load.edges):
        e = load.edges[key]
        evs = sorted(by_edge.get(key, ()), key=lambda ev: ev.key)
        pubs = sorted({ev.citation for ev in evs} - shipped)
        shipped.update(pubs)
        yield {"edge": e.to_dict(), "evidence": [ev.to_dict() for ev in evs],
               "nodes": [load.nodes[e.subject].to_dict(), load.nodes[e.object].to_dict()],
               "publications": [_publication(load.nodes[p]) for p in pubs if p in load.nodes]}


def write_pack(load: SourceLoad, out: IO[bytes]) -> None:
    """Write ``load`` as a pack: gzip without a timestamp, so the same load gives the same bytes."""
    with gzip.GzipFile(fileobj=out, mode="wb", mtime=0) as gz:
        for line in pack_lines(load):
            gz.write(json.dumps(line, ensure_ascii=False, sort_keys=True).encode("utf-8") + b"\n")


def read_pack(stream: IO[bytes], name: str) -> SourceLoad:
    """The SourceLoad a pack holds; each edge line is one row (a line that is not JSON, or whose
    records break the ontology, is rejected as ``name:line`` and the rest is kept)."""
    with gzip.GzipFile(fileobj=stream, mode="rb") as gz:
        lines = iter(enumerate(gz, start=1))
        try:
            _, first = next(lines)
            header = json.loads(first)
        except (StopIteration, ValueError, OSError) as exc:
            raise PackError(f"{name}:1: not a literature pack header ({exc})") from None
        if not isinstance(header, dict) or header.get("format") != FORMAT:
            raise PackError(f"{name}:1: not a literature pack header (expected format {FORMAT!r})")
        prov = Provenance(**header["provenance"])
        load = SourceLoad(prov, SourceReport(prov.source, name))
        load.params = dict(header.get("params") or {}, mined=header.get("report"))
        for lineno, raw in lines:
            where = f"{name}:{lineno}"
            try:
                row = json.loads(raw)
                nodes = [node_from_dict(d) for d in (*row["publications"], *row["nodes"])]
                edges = [edge_from_dict(row["edge"])]
                evidence = [evidence_from_dict(d) for d in row["evidence"]]
            except (ValueError, KeyError, TypeError) as exc:
                load.reject(where, f"not a pack line ({type(exc).__name__}: {exc})")
                continue
            load.add_row(where, nodes, edges, evidence)
    return load


def read_disc_pack(path: Path | None = None) -> SourceLoad:
    """The shipped disc literature (``kg/datapack/literature/disc_pubmed.jsonl.gz``), or ``path``."""
    path = Path(path) if path is not None else datapack_path(*DISC_PACK)
    with path.open("rb") as fh:
        return read_pack(fh, str(path))
