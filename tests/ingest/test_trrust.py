"""TRRUST v2 human TF -> target rows: modes to predicates, one evidence per PMID, reconciling counts."""
from __future__ import annotations

import doctest
from collections import Counter

import pytest

import ingest.trrust
from ingest.hgnc import default_resolver
from ingest.np_mt_rnm import git_blob_sha1
from ingest.trrust import KNOWN_BLOBS, MODES, read_trrust
from kg.datapack import datapack_path
from tests.helpers import shared_data

PACK = datapack_path("networks", "trrust_rawdata.human.tsv")


@pytest.fixture(scope="module")
def load():
    return read_trrust(PACK, default_resolver())


@pytest.fixture(scope="module")
def rows():
    """(line number, TF, target, mode, PMIDs) of the shipped file, read here without the reader."""
    lines = PACK.read_bytes().decode("utf-8").split("\n")
    out = []
    for n, line in enumerate(lines, start=1):
        cols = line.rstrip("\r").split("\t")
        if n == 1 or len(cols) != 4:
            continue
        out.append((n, cols[0], cols[1], cols[2], cols[3].split(";")))
    return out


def _hid(symbol: str) -> str:
    res = default_resolver().resolve(symbol)
    assert res.ok, symbol
    return res.hgnc_id


def _row(rows, tf, target, mode):
    hits = [r for r in rows if r[1:4] == (tf, target, mode)]
    assert len(hits) == 1, (tf, target, mode)
    return hits[0]


def test_shipped_copy_is_the_shared_file():
    assert git_blob_sha1(PACK.read_bytes()) in KNOWN_BLOBS
    assert PACK.read_bytes() == (shared_data() / "networks" / "trrust_rawdata.human.tsv").read_bytes()


def test_real_file_reconciles_and_reports_unmapped(load, rows):
    r = load.report
    assert r.read == len(rows) and r.reconciles()
    assert load.provenance.version.startswith("TRRUST v2 human") and "CC BY-SA 4.0" in load.provenance.licence
    res = default_resolver()
    unresolved = {s for _, tf, tg, _, _ in rows for s in (tf, tg) if not res.resolve(s).ok}
    assert set(r.unmapped) == unresolved
    # the Excel-mangled symbols ("Dec-01" for DEC1, "Sep-07" for SEPT7) stay unmapped, not guessed
    assert {"Dec-01", "Sep-07"} <= unresolved
    assert r.unmapped_rows == sum(1 for _, tf, tg, _, _ in rows if tf in unresolved or tg in unresolved)
    symbols = {s for _, tf, tg, _, _ in rows for s in (tf, tg)}
    assert 1 - len(unresolved) / len(symbols) > 0.99  # symbol mapping rate
    # rejections: the non-numeric PMID and the autoregulation rows (self-loops are not stored)
    reasons = Counter("PMID" if "PMID" in x.reason else x.reason.split(" ")[0] for x in r.rejected)
    assert set(reasons) == {"PMID", "self-loop"} and reasons["PMID"] == 1
    selfloops = [x for x in rows if x[1] == x[2]]
    assert reasons["self-loop"] >= len(selfloops)
    assert all(x.where.startswith("trrust_rawdata.human.tsv:") for x in r.rejected)
    bad_pmid = next(x for x in rows if not all(p.isdigit() for p in x[4]))
    assert f"trrust_rawdata.human.tsv:{bad_pmid[0]}" in {x.where for x in r.rejected}


def test_modes_map_to_signed_predicates(load, rows):
    nfkb1, mmp13, rela, col2a1 = _hid("NFKB1"), _hid("MMP13"), _hid("RELA"), _hid("COL2A1")
    act = _row(rows, "NFKB1", "MMP13", "Activation")
    e = next(e for e in load.edges.values() if (e.subject, e.object) == (nfkb1, mmp13))
    assert (e.predicate, e.sign) == ("upregulates_expression", 1)
    cites = {v.citation for v in load.evidence.values() if v.edge_key == e.key}
    assert cites == {f"PMID:{p}" for p in act[4]}  # one evidence per PMID
    _row(rows, "RELA", "COL2A1", "Repression")
    e = next(e for e in load.edges.values() if (e.subject, e.object) == (rela, col2a1))
    assert (e.predicate, e.sign) == ("downregulates_expression", -1)
    # HIF1A -> VEGFA is in TRRUST with all three modes: three edges, TF always the subject
    hif1a, vegfa = _hid("HIF1A"), _hid("VEGFA")
    got = {(e.predicate, e.sign) for e in load.edges.values() if (e.subject, e.object) == (hif1a, vegfa)}
    assert got == set(MODES.values())
    unknown = _row(rows, "HIF1A", "VEGFA", "Unknown")
    e = next(e for e in load.edges.values() if (e.subject, e.object, e.predicate) == (hif1a, vegfa, "associated_with"))
    ev = [v for v in load.evidence.values() if v.edge_key == e.key]
    assert {v.citation for v in ev} == {f"PMID:{p}" for p in unknown[4]}
    assert all(dict(v.context)["trrust_mode"] == "Unknown" and v.sign == 0 for v in ev)


def test_mode_counts_follow_the_file(load, rows):
    """Loaded rows equal the file's rows less those rejected or unmapped; each edge carries one mode."""
    res = default_resolver()
    dropped = {int(x.where.rsplit(":", 1)[1]) for x in load.report.rejected}
    kept = Counter(m for n, tf, tg, m, _ in rows if n not in dropped and res.resolve(tf).ok and res.resolve(tg).ok)
    assert sum(kept.values()) == load.report.loaded
    edges_by_pred = Counter(e.predicate for e in load.edges.values())
    for mode, (pred, _) in MODES.items():
        assert 0 < edges_by_pred[pred] <= kept[mode]  # repeated (TF, target, mode) rows share one edge
    modes: dict[str, set] = {}
    for v in load.evidence.values():
        modes.setdefault(v.edge_key, set()).add(dict(v.context)["trrust_mode"])
    mode_of = {pred: mode for mode, (pred, _) in MODES.items()}
    assert set(modes) == set(load.edges)
    assert all(modes[k] == {mode_of[e.predicate]} for k, e in load.edges.items())


def test_bad_rows_are_rejected_with_file_and_line(tmp_path):
    p = tmp_path / "bad.tsv"
    p.write_bytes(b"TF\tTarget\tRegulation\tReference\r\n"
                  b"SOX9\tACAN\tActivation\t123;456\r\n"
                  b"SOX9\tACAN\tMaybe\t123\r\n"
                  b"SOX9\tACAN\tActivation\r\n"
                  b"SOX9\tCOL2A1\tActivation\t12x\r\n"
                  b"SOX9\tNOTAGENE1\tRepression\t789\r\n"
                  b"SOX9\tSOX9\tActivation\t111\r\n"
                  b"RELA\tCOL2A1\tRepression\t\r\n"
                  b"\xff\xfe\tACAN\tActivation\t1\r\n")
    sl = read_trrust(p, default_resolver())
    r = sl.report
    assert [str(x) for x in r.rejected] == [
        "bad.tsv:3: mode 'Maybe' is not one of Activation, Repression, Unknown",
        "bad.tsv:4: expected 4 tab-separated columns (TF, target, mode, PMIDs), got 3",
        "bad.tsv:5: PMID '12x' is not a number",
        f"bad.tsv:7: self-loop {_hid('SOX9')} upregulates_expression {_hid('SOX9')}",
        "bad.tsv:8: no PMID",
        "bad.tsv:9: line is not UTF-8 (byte 0xff at column 1); save the file as UTF-8"]
    assert dict(r.unmapped) == {"NOTAGENE1": 1} and r.loaded == 1 and r.read == 8 and r.reconciles()
    assert sorted(v.citation for v in sl.evidence.values()) == ["PMID:123", "PMID:456"]


def test_upstream_form_without_header():
    sl = read_trrust(b"SOX9\tACAN\tActivation\t10\nSOX9\tACAN\tActivation\t10;11\n", default_resolver(), name="u.tsv")
    assert sl.report.read == 2 and sl.report.loaded == 2 and len(sl.edges) == 1
    assert sorted(v.citation for v in sl.evidence.values()) == ["PMID:10", "PMID:11"]


def test_module_doctest():
    assert doctest.testmod(ingest.trrust).failed == 0


def test_shipped_file_is_attributed_with_share_alike():
    text = datapack_path("ATTRIBUTION.md").read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| `networks/trrust_rawdata.human.tsv`"))
    assert next(iter(KNOWN_BLOBS)) in row and "CC BY-SA 4.0" in row and "share-alike" in row
