"""GMT gene sets: parsing, HGNC normalisation, bad lines, counts that reconcile."""
from __future__ import annotations

from ingest.gmt import msigdb_label, msigdb_sets, parse_gmt, source_bytes, text_lines
from ingest.hgnc import default_resolver
from tests.helpers import shared_data


def go(data: bytes, name: str = "sets.gmt"):
    return msigdb_sets(data, default_resolver(), source="go", category="biological_process", licence="test", name=name)


def test_memberships_map_through_hgnc_previous_and_alias_symbols():
    # STMY1 is a previous symbol of MMP3; CD29 is an alias of ITGB1.
    sl = go(b"GOBP_TEST_SET\thttps://www.gsea-msigdb.org/x/GOBP_TEST_SET\tSTMY1\tCD29\tNOTAGENE1\n")
    assert {e.subject for e in sl.edges.values()} == {"HGNC:7173", "HGNC:6153"}
    node = sl.nodes["MSIGDB:GOBP_TEST_SET"]
    assert node.category == "biological_process" and node.name == "test set"
    assert "GOBP_TEST_SET" in node.synonyms
    r = sl.report
    assert (r.read, r.loaded, r.unmapped_rows) == (3, 2, 1) and r.reconciles()
    assert dict(r.unmapped) == {"NOTAGENE1": 1}
    assert all(v.citation == "URL:https://www.gsea-msigdb.org/x/GOBP_TEST_SET" for v in sl.evidence.values())


def test_truncated_line_and_latin1_line_are_rejected_with_file_and_line():
    data = b"GOBP_OK\turl\tMMP3\nGOBP_TRUNCATED\n" + "GOBP_CAF\u00c9\turl\tMMP3\n".encode("latin-1")
    sl = go(data, "bad.gmt")
    reasons = [str(r) for r in sl.report.rejected]
    assert reasons[0].startswith("bad.gmt:2: truncated GMT line")
    assert reasons[1].startswith("bad.gmt:3: line is not UTF-8 (byte 0xc9")
    assert sl.report.reconciles() and sl.report.loaded == 1


def test_empty_file_gives_an_empty_reconciling_load():
    sl = go(b"", "empty.gmt")
    assert sl.report.read == 0 and not sl.edges and sl.report.reconciles()


def test_gzip_content_is_read_transparently():
    raw = (shared_data() / "go" / "c5.go.v2023.2.Hs.symbols.gmt.gz").read_bytes()
    data, _ = source_bytes(raw, "x.gmt.gz")
    first = next(parse_gmt(data, "x"))
    assert first.name.startswith("GOBP_") and first.genes


def test_msigdb_go_file_loads_named_sets_without_inventing_go_ids():
    sl = msigdb_sets(shared_data() / "go" / "c5.go.cc.v2025.1.Hs.symbols.gmt", default_resolver(),
                     source="go", category="biological_process", licence="CC BY 4.0")
    assert sl.report.reconciles() and sl.report.rejected == []
    assert all(i.startswith("MSIGDB:GOCC_") for i in sl.nodes if not i.startswith("HGNC:"))
    lines = sum(1 for _, t, _ in text_lines((shared_data() / "go" / "c5.go.cc.v2025.1.Hs.symbols.gmt").read_bytes(), "x") if t)
    assert sum(1 for i in sl.nodes if i.startswith("MSIGDB:")) == lines


def test_msigdb_label():
    assert msigdb_label("GOBP_EXTRACELLULAR_MATRIX_DISASSEMBLY") == "extracellular matrix disassembly"
