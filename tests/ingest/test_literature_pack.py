"""The disc literature the data pack ships (issue #13): equal to what the reader mines from the
PubMed records now, every sentence equal to PubMed's text at its offsets, in the default build,
and bad pack lines rejected by file:line with nothing else lost."""
from __future__ import annotations

import gzip
import io
import json

import pytest

from ingest.literature_pack import DISC_PACK, PackError, read_disc_pack, read_pack
from kg.datapack import datapack_path
from tests.helpers import shared_data

STALE = "the shipped pack differs from what the reader mines now: run python tools/make_disc_literature.py"


@pytest.fixture(scope="module")
def mined():
    from ingest.hgnc import default_resolver
    from kg.pipeline.build import disc_pubmed

    return disc_pubmed(shared_data(), default_resolver())


@pytest.fixture(scope="module")
def shipped():
    return read_disc_pack()


def test_the_pack_equals_what_the_reader_mines_now(mined, shipped):
    assert {k: e.to_dict() for k, e in shipped.edges.items()} == \
        {k: e.to_dict() for k, e in mined.edges.items()}, STALE
    assert {k: v.to_dict() for k, v in shipped.evidence.items()} == \
        {k: v.to_dict() for k, v in mined.evidence.items()}, STALE
    cited = {ev.citation for ev in mined.evidence.values()}
    kept = {nid for nid, n in mined.nodes.items() if n.category != "publication" or nid in cited}
    assert set(shipped.nodes) == kept, STALE  # a paper no sentence cites is left out
    for nid in kept:
        want = mined.nodes[nid].to_dict()
        if mined.nodes[nid].category == "publication":
            assert want.pop("text")  # the abstract stays with PubMed
        assert shipped.nodes[nid].to_dict() == want, STALE
    assert shipped.report.reconciles() and not shipped.report.rejected
    assert shipped.params["mined"]["read"] == mined.report.read


def test_every_shipped_sentence_is_pubmeds_text_at_its_offsets(shipped):
    from ingest.pubmed import parse_pubmed_files

    arts, _ = parse_pubmed_files(sorted((shared_data() / "literature" / "disc").glob("*.xml")))
    texts: dict[str, set[str]] = {}
    for a in arts:
        texts.setdefault(f"PMID:{a.pmid}", set()).add(a.text)
    assert len(shipped.evidence) >= 100
    for ev in shipped.evidence.values():
        s, e = ev.offsets
        assert ev.text and any(t[s:e] == ev.text for t in texts[ev.citation]), ev
        assert ev.source == "pubmed" and ev.citation.startswith("PMID:") and ev.year


def test_the_default_build_holds_the_disc_literature(shipped):
    from kg.pipeline.build import collect

    loads = collect("default")
    (disc,) = [sl for sl in loads if sl.report.path.endswith("/".join(DISC_PACK))]
    assert set(disc.edges) == set(shipped.edges)
    pubs = [n for n in disc.nodes.values() if n.category == "publication"]
    assert pubs and all(n.prop("text") is None and n.prop("year") for n in pubs)


def _pack(lines: list[bytes]) -> io.BytesIO:
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz:
        gz.writelines(lines)
    buf.seek(0)
    return buf


def test_a_bad_line_is_rejected_by_file_and_line_and_the_rest_kept():
    with gzip.open(datapack_path(*DISC_PACK), "rb") as fh:
        lines = fh.readlines()
    broken = list(lines)
    broken[2] = b'{"edge": {"subject": "HGNC:1"\n'  # cut short
    row = json.loads(broken[3])
    del row["evidence"]
    broken[3] = json.dumps(row).encode() + b"\n"
    load = read_pack(_pack(broken), "pack.jsonl.gz")
    assert [r.where for r in load.report.rejected] == ["pack.jsonl.gz:3", "pack.jsonl.gz:4"]
    assert "JSONDecodeError" in load.report.rejected[0].reason
    assert "KeyError" in load.report.rejected[1].reason and "evidence" in load.report.rejected[1].reason
    assert load.report.read == len(lines) - 1 and load.report.reconciles()
    assert len(load.edges) == len(lines) - 3


@pytest.mark.parametrize("first", [b"", b"not json\n", b'{"format": "something else"}\n'])
def test_a_pack_without_its_header_is_refused_naming_the_file(first):
    with pytest.raises(PackError, match=r"pack\.jsonl\.gz:1: not a literature pack header"):
        read_pack(_pack([first]), "pack.jsonl.gz")
