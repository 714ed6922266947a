"""OmniPath-style signed tables and SIGNOR exports."""
from __future__ import annotations

import csv

from ingest.hgnc import default_resolver
from ingest.signed_tables import read_omnipath, read_signor
from tests.helpers import shared_data


def test_omnipath_signs_complexes_and_unmapped():
    data = (b"source\tinteraction\ttarget\nCAV1\t1\tTRPC1\nCALM1\t-1\tTRPC1\nIL17A\t1\tIL17RA_IL17RC\n"
            b"NOTAGENE\t1\tTRPC1\nCAV1\t2\tTRPC1\nCAV1\t1\n")
    sl = read_omnipath(data, default_resolver(), name="n.tsv")
    by = {(e.subject, e.object): (e.predicate, e.sign) for e in sl.edges.values()}
    assert by[("HGNC:1527", "HGNC:12333")] == ("activates", 1)      # CAV1 -> TRPC1
    assert by[("HGNC:1442", "HGNC:12333")] == ("inhibits", -1)      # CALM1 -| TRPC1
    group = "KGGROUP:IL17RA+IL17RC"
    assert by[("HGNC:5981", group)] == ("activates", 1) and sl.nodes[group].category == "gene_group"
    members = {s for (s, o), (p, _) in by.items() if o == group and p == "member_of"}
    res = default_resolver()
    assert members == {res.resolve("IL17RA").hgnc_id, res.resolve("IL17RC").hgnc_id}
    assert [str(r) for r in sl.report.rejected] == [
        "n.tsv:6: interaction '2' is not 1 or -1",
        "n.tsv:7: expected 3 tab-separated columns (source, interaction, target), got 2"]
    assert dict(sl.report.unmapped) == {"NOTAGENE": 1} and sl.report.reconciles()


def test_real_omnipath_file_reconciles_and_keeps_signs():
    p = shared_data() / "networks" / "omnipath_carnival.tsv"
    sl = read_omnipath(p, default_resolver())
    r = sl.report
    assert r.read == 19807 and r.reconciles()
    with p.open() as fh:
        row = next(x for x in csv.DictReader(fh, delimiter="\t") if x["interaction"] == "-1" and "_" not in x["source"] + x["target"])
    res = default_resolver()
    s, o = res.resolve(row["source"]).hgnc_id, res.resolve(row["target"]).hgnc_id
    assert any(e.subject == s and e.object == o and e.sign == -1 for e in sl.edges.values())


def test_signor_rows_keep_pmid_sentence_and_effect():
    sl = read_signor(shared_data() / "networks" / "signor_test_data.csv", default_resolver())
    r = sl.report
    assert r.read == 20 and r.reconciles()
    # RELA up-regulates quantity of MET (PMID 19530226), in mouse.
    e = next(e for e in sl.edges.values() if (e.subject, e.object) == ("HGNC:9955", "HGNC:7029"))
    assert (e.predicate, e.sign) == ("increases", 1)
    ev = next(v for v in sl.evidence.values() if v.edge_key == e.key)
    assert ev.citation == "PMID:19530226" and "NFkappaB" in ev.text and dict(ev.context)["species"] == "mouse"
    # self-loops (CHEK2 autophosphorylation) are rejected with the file and line
    assert any(str(x).startswith("signor_test_data.csv:14: self-loop") for x in r.rejected)


def test_signor_without_its_columns_is_rejected():
    sl = read_signor(b"A;B;C\n1;2;3\n", default_resolver(), name="s.csv")
    assert str(sl.report.rejected[0]).startswith("s.csv:1: not a SIGNOR export: missing column(s) ENTITYA")
