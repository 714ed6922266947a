"""One error boundary per reader (issue #14): malformed input is a row rejection naming file and
line, or an IngestError naming the file on one line; XML entity declarations are refused by design."""
from __future__ import annotations

import csv
import gzip
import json
import xml.etree.ElementTree as ET
import zlib

import pytest

from ingest.degs import DEGTableError, read_deg_table, read_genes
from ingest.errors import IngestError, reader_boundary
from ingest.gmt import msigdb_sets
from ingest.hgnc import default_resolver
from tests.helpers import shared_data

HUGE = "A" * (csv.field_size_limit() + 1)


def _raise(kind: str) -> None:
    """Trigger the real exception each decoder raises for one kind of damage."""
    if kind == "truncated gz":
        gzip.decompress(gzip.compress(b"x" * 1000)[:-12])
    elif kind == "corrupt gz":
        g = bytearray(gzip.compress(bytes(range(256)) * 40))
        g[20] ^= 0xFF
        gzip.decompress(bytes(g))
    elif kind == "not gz":
        gzip.decompress(b"\x1f\x8bnot gzip at all")
    elif kind == "csv cell":
        next(csv.reader([HUGE]))
    elif kind == "utf-8":
        b"ok\xff".decode("utf-8")
    elif kind == "json":
        json.loads('{\n"a": }')
    elif kind == "deep json":
        json.loads("[" * 100_000 + "]" * 100_000)
    elif kind == "xml":
        ET.fromstring("<a>\n<b></a>")
    elif kind == "int":
        int("twelve")
    elif kind == "type":
        len(5)  # type: ignore[arg-type]
    elif kind == "key":
        {}["passages"]


@pytest.mark.parametrize("kind, line, words", [
    ("truncated gz", None, "truncated .gz"), ("corrupt gz", None, "gzip"), ("not gz", None, "gzip"),
    ("csv cell", None, "longer than"), ("utf-8", None, "not UTF-8 (byte 0xff at offset 2)"),
    ("json", 2, "not valid JSON"), ("deep json", None, "nested too deeply"), ("xml", 2, "malformed XML"),
    ("int", None, "ValueError"), ("type", None, "TypeError"), ("key", None, "KeyError"),
])
def test_boundary_turns_malformed_input_into_one_line_naming_the_file(kind, line, words):
    with pytest.raises(IngestError) as info:
        with reader_boundary("data.txt"):
            _raise(kind)
    msg = str(info.value)
    assert msg.startswith(f"data.txt:{line}: " if line else "data.txt: ") and words in msg and "\n" not in msg
    assert info.value.__cause__ is not None  # the original stays attached for debugging


def test_boundary_lets_bugs_and_missing_files_through():
    with pytest.raises(AttributeError):
        with reader_boundary("x"):
            None.get  # type: ignore[attr-defined]  # noqa: B018
    with pytest.raises(FileNotFoundError):
        with reader_boundary("x"):
            open("/nonexistent/file")


def test_truncated_real_gz_is_an_ingest_error_naming_the_file():
    raw = (shared_data() / "go" / "c5.go.v2023.2.Hs.symbols.gmt.gz").read_bytes()
    with pytest.raises(IngestError, match=r"^c5\.go\.gmt\.gz: not a readable file: .*truncated \.gz"):
        msigdb_sets(raw[:50_000], default_resolver(), source="go", category="biological_process", licence="t",
                    name="c5.go.gmt.gz")
    with pytest.raises(IngestError, match=r"^genes\.txt\.gz: "):
        read_genes(raw[:50_000], default_resolver(), "x", name="genes.txt.gz")


def test_deg_table_errors_are_ingest_errors():
    with pytest.raises(IngestError) as info:
        read_deg_table(b"gene,padj\nMMP3,0.1\n", default_resolver(), "x", name="m.csv")
    assert isinstance(info.value, DEGTableError) and info.value.where == "m.csv"


def test_huge_cell_and_stray_cr_reject_only_their_row():
    data = f"gene,log2fc\nMMP3,1\nTIMP1,{HUGE}\nIL6,-1\r2\nITGB1,2\n".encode()
    sl = read_deg_table(data, default_resolver(), "x", name="d.csv")
    assert [str(r) for r in sl.report.rejected] == [
        "d.csv:3: line has a cell longer than 131,072 characters",
        "d.csv:4: line has a stray carriage return (\\r); save the file with plain line endings"]
    assert sl.report.loaded == 2 and sl.report.reconciles()


def test_signor_and_curated_reject_a_huge_cell_by_line(tmp_path):
    from ingest.curated import read_facts
    from ingest.signed_tables import read_signor

    signor = (shared_data() / "networks" / "signor_test_data.csv").read_bytes().split(b"\n")
    signor[3] = signor[3].replace(b";", b";" + HUGE.encode() + b";", 1)
    sl = read_signor(b"\n".join(signor), default_resolver(), name="s.csv")
    assert [str(r) for r in sl.report.rejected][:1] == ["s.csv:4: line has a cell longer than 131,072 characters"]
    assert sl.report.loaded > 0 and sl.report.reconciles()
    facts = (shared_data() / "curated" / "mechanism_facts.tsv").read_bytes().split(b"\n")[:6]
    facts[2] = facts[2].replace(b"\t", b"\t" + HUGE.encode(), 1)
    facts[4] = facts[4][:10] + b"\xff" + facts[4][10:]
    p = tmp_path / "f.tsv.gz"
    p.write_bytes(gzip.compress(b"\n".join(facts)))  # .gz is read transparently, as by the other readers
    load = read_facts(p, default_resolver())
    assert [str(r) for r in load.report.rejected] == ["f.tsv.gz:3: line has a cell longer than 131,072 characters",
                                                       "f.tsv.gz:5: row is not UTF-8; save the file as UTF-8"]
    assert load.report.loaded == 3 and load.report.reconciles()


def test_deep_and_mistyped_bioc_json_skip_with_a_message(tmp_path):
    from ingest.pubtator import parse_pubtator_files

    src = sorted((shared_data() / "pubmed" / "pubtator").glob("*.json"))
    good = json.loads(src[0].read_text())
    (tmp_path / "deep.json").write_text('{"documents": ' + "[" * 50_000 + "]" * 50_000 + "}")
    typed = {"documents": [dict(good, passages=[{"offset": {}, "text": 3}]), dict(good, passages=7),
                           dict(good, passages=[dict(good["passages"][0], offset=10 ** 18)]),
                           json.loads(src[1].read_text())]}
    (tmp_path / "typed.json").write_text(json.dumps(typed))
    parsed = parse_pubtator_files([tmp_path / "deep.json", tmp_path / "typed.json"], default_resolver())
    assert parsed.skipped == 4 == len(parsed.messages) and len(parsed.documents) == 1  # the good one is kept
    assert parsed.messages[0] == "deep.json: not readable BioC JSON (nested too deeply to read (e.g. JSON lists " \
                                 "or objects thousands of levels deep))"
    assert parsed.messages[1].startswith("typed.json:document 1: malformed BioC document: TypeError")
    assert parsed.messages[2] == ("typed.json:document 2: malformed BioC document: TypeError: passages is a int, "
                                  "not a list; document skipped")
    assert "beyond 1,000,000 characters" in parsed.messages[3]


# -- XML: entities refused by design --------------------------------------------------------------

HARMLESS_ENTITY = b'<!DOCTYPE %s [<!ENTITY e "expanded">]>\n'


def test_stdlib_expat_would_expand_a_harmless_entity():
    """The premise: without the deliberate refusal, a small entity is expanded silently."""
    assert ET.fromstring(HARMLESS_ENTITY % b"a" + b"<a>&e;</a>").text == "expanded"


def test_pubmed_gpml_and_kgml_refuse_entity_declarations_by_design():
    from ingest.kgml import read_kgml
    from ingest.pubmed import parse_pubmed_bytes
    from ingest.wikipathways import read_gpml
    from tests.ingest.test_kgml import KGML

    pubmed = (shared_data() / "pubmed" / "pmid_151222.xml").read_bytes()  # keeps its real PUBLIC DOCTYPE
    pubmed = pubmed.replace(b'.dtd">', b'.dtd" [<!ENTITY e "expanded">]>', 1).replace(b"<PMID", b"&e;<PMID", 1)
    arts, problems = parse_pubmed_bytes(pubmed, "p.xml")
    assert arts == [] and problems.skipped == 1
    msg = problems.messages[0]
    assert msg.startswith("p.xml: XML declares entities") and "entity expansion is disabled by design" in msg
    gpml = (shared_data() / "wikipathways" / "gpml" / "WP1425.gpml").read_bytes()
    i = gpml.index(b"<Pathway")
    sl = read_gpml(gpml[:i] + HARMLESS_ENTITY % b"Pathway" + gpml[i:], default_resolver(), name="WP1425.gpml")
    assert [r.where for r in sl.report.rejected] == ["WP1425.gpml:DOCTYPE"] and not sl.edges
    assert "entity expansion is disabled by design" in sl.report.rejected[0].reason and sl.report.reconciles()
    kgml = KGML.replace(b'<!DOCTYPE pathway SYSTEM "https://www.kegg.jp/kegg/xml/KGML_v0.7.2_.dtd">',
                        b'<!DOCTYPE pathway [<!ENTITY e SYSTEM "file:///etc/passwd">]>')
    sl = read_kgml(kgml.replace(b'title="Toy adhesion"', b'title="&e;"'), default_resolver(), name="k.xml")
    assert [r.where for r in sl.report.rejected] == ["k.xml:DOCTYPE"] and not sl.nodes
    # the real KGML's external DTD reference alone is still read: only entity declarations are refused
    assert read_kgml(KGML, default_resolver(), name="k.xml").edges


# -- the CLI: one error line, never a traceback -----------------------------------------------------

def _runner():
    from typer.testing import CliRunner

    return CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()


def test_kg_ingest_genes_with_a_truncated_gz_prints_one_error_line(tmp_path):
    from kg.surfaces.cli import app

    p = tmp_path / "deg.csv.gz"
    p.write_bytes(gzip.compress(b"gene,log2fc\nMMP3,1\n" * 50)[:-20])
    env = {"KG_HOME": str(tmp_path / "home"), "KG_STORE": "embedded"}
    res = _runner().invoke(app, ["ingest", "genes", str(p), "--experiment", "NP"], env=env)
    assert res.exit_code == 1 and not isinstance(res.exception, (EOFError, zlib.error))
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert lines == ["error: deg.csv.gz: not a readable file: compressed data ends early (truncated .gz?)"]


# -- .gz: a decompression cap against gzip bombs ----------------------------------------------------

BOMB_LIMIT = 1 << 20  # lowered from 2 GiB so the test's bomb stays small: 4 MiB inflating from ~10 KB


def _bomb(head: bytes, line: bytes, size: int = 4 << 20) -> bytes:
    g = gzip.compress(head + line * (size // len(line)), mtime=0)
    assert len(g) < 50_000  # highly compressible: the point of a bomb
    return g


@pytest.fixture
def low_cap(monkeypatch):
    monkeypatch.setenv("KG_MAX_DECOMPRESSED_BYTES", str(BOMB_LIMIT))
    return f"decompresses to more than {BOMB_LIMIT:,} bytes"


def test_gz_bombs_are_refused_naming_the_file_by_every_gz_reader(tmp_path, low_cap):
    from ingest.curated import FACT_COLUMNS, read_facts
    from ingest.hgnc import HGNCResolver
    from ingest.pubmed import parse_pubmed_files
    from ingest.trrust import read_trrust

    with pytest.raises(IngestError) as info:  # bytes, through gmt.source_bytes (degs, gmt, signed tables …)
        read_genes(_bomb(b"gene,log2fc\n", b"MMP3,1\n"), default_resolver(), "x", name="deg.csv.gz")
    assert str(info.value).startswith(f"deg.csv.gz: {low_cap}") and "\n" not in str(info.value)
    p = tmp_path / "trrust.tsv.gz"
    p.write_bytes(_bomb(b"", b"SOX9\tACAN\tActivation\t1\n"))
    with pytest.raises(IngestError, match=rf"^trrust\.tsv\.gz: {low_cap}, refused as a possible gzip bomb"):
        read_trrust(p, default_resolver())
    p = tmp_path / "facts.tsv.gz"
    p.write_bytes(_bomb("\t".join(FACT_COLUMNS).encode() + b"\n", b"x\t" * (len(FACT_COLUMNS) - 1) + b"x\n"))
    with pytest.raises(IngestError, match=rf"^facts\.tsv\.gz: {low_cap}"):
        read_facts(p, default_resolver())
    p = tmp_path / "hgnc_complete_set.txt.gz"
    p.write_bytes(_bomb(b"hgnc_id\tsymbol\n", b"HGNC:1\tA1BG\n"))
    with pytest.raises(IngestError, match=rf"^hgnc_complete_set\.txt\.gz: {low_cap}"):
        HGNCResolver.from_file(p)
    p = tmp_path / "medline.xml.gz"  # streamed: the file is skipped with the reason, as a truncated .gz is
    p.write_bytes(_bomb(b"<PubmedArticleSet>", b"<PubmedArticle></PubmedArticle>\n"))
    arts, problems = parse_pubmed_files([p])
    assert arts == [] and problems.skipped == 1
    msg = problems.messages[0]
    assert msg.startswith(f"medline.xml.gz: {low_cap}") and msg.endswith("rest of file skipped")


def test_gz_under_the_cap_reads_and_the_cap_is_one_named_setting(tmp_path, monkeypatch):
    from ingest import errors
    from ingest.trrust import read_trrust

    data = _bomb(b"", b"SOX9\tACAN\tActivation\t1\n", size=200_000)
    assert errors.max_decompressed_bytes() == errors.MAX_DECOMPRESSED_BYTES == 2 * 1024 ** 3
    assert errors.gunzip(data, "t.gz") == gzip.decompress(data)
    with pytest.raises(IngestError, match=r"^t\.gz: not a readable file: compressed data ends early"):
        errors.gunzip(data[:-9], "t.gz")  # a truncated stream keeps its message through the capped reader
    assert read_trrust(data, default_resolver(), name="t.tsv.gz").report.loaded > 0
    monkeypatch.setattr(errors, "MAX_DECOMPRESSED_BYTES", 100_000)  # the constant, when the env var is unset
    with pytest.raises(IngestError, match=r"^t\.tsv\.gz: decompresses to more than 100,000 bytes"):
        read_trrust(data, default_resolver(), name="t.tsv.gz")
    monkeypatch.setenv("KG_MAX_DECOMPRESSED_BYTES", str(len(gzip.decompress(data))))  # exactly the size: read
    assert read_trrust(data, default_resolver(), name="t.tsv.gz").report.loaded > 0
    monkeypatch.setenv("KG_MAX_DECOMPRESSED_BYTES", "lots")
    with pytest.raises(IngestError, match=r"^t\.gz: KG_MAX_DECOMPRESSED_BYTES: 'lots' is not a positive number"):
        errors.gunzip(data, "t.gz")
