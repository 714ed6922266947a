"""A seeded mutator over the real files in ../shared/data and the readers it feeds, shared by
``tests/ingest/test_fuzz.py`` (a few hundred cases per reader) and ``bench/fuzz_bench.py`` (thousands).

A case is ``(target, seed, case number)``: the same triple always builds the same bytes, so a
failure is replayed with ``python -c "from tests.fuzzing import replay; replay('gmt', 0, 17)"``.
Each case ends in one of: ``ok`` (read, nothing rejected), ``rejected`` (read, with clean row or
file rejections naming the file), ``error`` (:class:`ingest.errors.IngestError`) or
``unexpected`` (any other exception, a report that does not reconcile, or a message that does not
name the file): only the last is a bug.
"""
from __future__ import annotations

import gzip
import json
import os
import random
import re
import tempfile
import traceback
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from tests.helpers import SHARED

# -- mutations --------------------------------------------------------------------------------------

CHECKOUT = Path(__file__).resolve().parents[1]  # this checkout (the bench's baseline: the old tree)
Mutation = Callable[[random.Random, bytes], bytes]
HUGE = (131_073, 300_000)  # just over csv's default field limit (128 KiB), and well over it


def _span(rng: random.Random, data: bytes, most: int = 4096) -> tuple[int, int]:
    i = rng.randrange(len(data) + 1)
    return i, min(len(data), i + rng.randint(1, most))


def byte_flip(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        if b:
            b[rng.randrange(len(b))] = rng.randrange(256)
    return bytes(b)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randrange(len(data))] if data else data


def duplicate(rng: random.Random, data: bytes) -> bytes:
    i, j = _span(rng, data)
    return data[:j] + data[i:j] + data[j:]


def delete(rng: random.Random, data: bytes) -> bytes:
    i, j = _span(rng, data)
    return data[:i] + data[j:]


def _insert(rng: random.Random, data: bytes, piece: bytes, near: bytes = b"") -> bytes:
    """``piece`` at a random position, or right after a random occurrence of ``near``."""
    spots = [m.end() for m in re.finditer(re.escape(near), data)] if near else []
    i = rng.choice(spots) if spots else rng.randrange(len(data) + 1)
    return data[:i] + piece + data[i:]


def huge_cell(rng: random.Random, data: bytes) -> bytes:
    near = rng.choice([b"\t", b",", b";", b"\n", b">", b'"'])
    return _insert(rng, data, bytes([rng.choice(b"AX9")]) * rng.choice(HUGE), near)


def stray_cr(rng: random.Random, data: bytes) -> bytes:
    for _ in range(rng.randint(1, 5)):
        data = _insert(rng, data, b"\r", rng.choice([b"", b"\t", b",", b";"]))
    return data


def bad_bytes(rng: random.Random, data: bytes) -> bytes:
    """Invalid UTF-8, NUL and control bytes."""
    return _insert(rng, data, rng.choice([b"\xff", b"\xc3", b"\xe9", b"\xed\xa0\x80", b"\x00", b"\x00\x00\x1b"]))


def gz_truncate(rng: random.Random, data: bytes) -> bytes:
    g = gzip.compress(data, mtime=0)
    return g[:rng.randrange(2, len(g))]


def gz_corrupt(rng: random.Random, data: bytes) -> bytes:
    g = bytearray(gzip.compress(data, mtime=0))
    for _ in range(rng.randint(1, 4)):
        g[rng.randrange(10, len(g))] ^= 1 << rng.randrange(8)
    return bytes(g)


def _json_paths(value: Any, limit: int = 5000) -> list[tuple]:
    """Paths (key/index tuples) of up to ``limit`` values, the document itself first."""
    out, todo = [], [((), value)]
    while todo and len(out) < limit:
        path, v = todo.pop()
        out.append(path)
        items = v.items() if isinstance(v, dict) else enumerate(v) if isinstance(v, list) else ()
        todo.extend((path + (k,), c) for k, c in items)
    return out


def _replace_at(doc: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    parent = doc
    for k in path[:-1]:
        parent = parent[k]
    parent[path[-1]] = new
    return doc


_SENTINEL = "\u2063FUZZ\u2063"


def _json_or_none(data: bytes) -> Any:
    """The parsed document, or None when an earlier mutation left no JSON (or JSON too deep to handle)."""
    try:
        doc = json.loads(data)
        json.dumps(doc)
        return doc
    except (ValueError, RecursionError):
        return None


def deep_json(rng: random.Random, data: bytes) -> bytes:
    """A value replaced by lists or objects nested 50 to 100,000 levels deep."""
    doc = _json_or_none(data)
    depth = rng.choice([50, 900, 5000, 100_000])
    opener, closer = rng.choice([("[", "]"), ('{"a":', "}")])
    nest = opener * depth + "1" + closer * depth
    if doc is None:
        return _insert(rng, data, nest.encode())
    doc = _replace_at(doc, rng.choice(_json_paths(doc)), _SENTINEL)
    return json.dumps(doc).replace(json.dumps(_SENTINEL), nest).encode()


WRONG = [None, True, 0, -1, 7, 10 ** 18, -(10 ** 18), 1.5, float("inf"), float("nan"), "", "x", "12",
         [], [1, "a"], [[]], {}, {"a": 1}, {"offset": "x"}]


def wrong_type(rng: random.Random, data: bytes) -> bytes:
    """One to three values (or the whole document) replaced by values of other JSON types."""
    doc = _json_or_none(data)
    if doc is None:
        return byte_flip(rng, data)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_json_paths(doc))
        doc = _replace_at(doc, path, json.loads(json.dumps(rng.choice(WRONG))))
    return json.dumps(doc).encode()


_ROOT = re.compile(rb"<(?![?!])[A-Za-z_][^>]*>")
_DOCTYPE = re.compile(rb"<!DOCTYPE[^\[>]*(\[.*?\])?\s*>", re.S)
ENTITY_ATTACKS = [
    b'<!ENTITY e "expanded">',                                                    # harmless: still refused
    b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
    b'<!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;"><!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">',  # billion laughs
    b'<!ENTITY e SYSTEM "file:///etc/passwd">',                                      # external entity (XXE)
    b'<!ENTITY % p SYSTEM "http://127.0.0.1:9/x.dtd"> %p; <!ENTITY e "x">',          # external parameter entity
]


def xml_entity(rng: random.Random, data: bytes) -> bytes:
    """A DOCTYPE whose internal subset declares entities, and ``&e;`` used inside the root element."""
    data = _DOCTYPE.sub(b"", data, count=1)
    m = _ROOT.search(data)
    if m is None:
        return data
    name = re.match(rb"<([^\s>/]+)", m.group(0)).group(1)
    doctype = b"<!DOCTYPE " + name + b" [" + rng.choice(ENTITY_ATTACKS) + b"]>\n"
    return data[:m.start()] + doctype + m.group(0) + b"&e;" + data[m.end():]


def deep_xml(rng: random.Random, data: bytes) -> bytes:
    m = _ROOT.search(data)
    depth = rng.choice([500, 5000, 100_000])
    nest = b"<n>" * depth + b"</n>" * depth
    return data[:m.end()] + nest + data[m.end():] if m else _insert(rng, data, nest)


TEXT_MUTATIONS: dict[str, Mutation] = {
    "byte_flip": byte_flip, "truncate": truncate, "duplicate": duplicate, "delete": delete,
    "huge_cell": huge_cell, "stray_cr": stray_cr, "bad_bytes": bad_bytes, "gz_truncate": gz_truncate,
    "gz_corrupt": gz_corrupt,
}
JSON_MUTATIONS = {**TEXT_MUTATIONS, "deep_json": deep_json, "wrong_type": wrong_type}
XML_MUTATIONS = {**TEXT_MUTATIONS, "xml_entity": xml_entity, "deep_xml": deep_xml}
#: Format-specific mutations are drawn this much more often than each generic one.
SPECIFIC_WEIGHT = 3


# -- targets: real files and the reader each feeds ---------------------------------------------------

@dataclass(frozen=True)
class Seed:
    label: str      # file name the reader sees (messages must name it)
    data: bytes
    run: Callable[[bytes, str, Path], Any]  # (bytes, label, scratch dir) -> reader result
    fmt: str = "text"  # text | json | xml | bin (xlsx: generic byte mutations only)


def _lines(path: Path, n: int, start: int = 0) -> bytes:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return b"".join(raw.splitlines(keepends=True)[start:start + n])


def _file(scratch: Path, label: str, data: bytes) -> Path:
    p = scratch / label
    p.write_bytes(data)
    return p


def _resolver():
    from ingest.hgnc import default_resolver

    return default_resolver()


def _gmt(data: bytes, label: str, scratch: Path):
    from ingest.gmt import msigdb_sets

    return msigdb_sets(data, _resolver(), source="go", category="biological_process", licence="test", name=label)


def _genes(**kw) -> Callable[[bytes, str, Path], Any]:
    def run(data: bytes, label: str, scratch: Path):
        from ingest.degs import read_genes

        return read_genes(data, _resolver(), "fuzz", name=label, **kw)
    return run


def _omnipath(data: bytes, label: str, scratch: Path):
    from ingest.signed_tables import read_omnipath

    return read_omnipath(data, _resolver(), name=label)


def _signor(data: bytes, label: str, scratch: Path):
    from ingest.signed_tables import read_signor

    return read_signor(data, _resolver(), name=label)


def _pubtator(data: bytes, label: str, scratch: Path):
    from ingest.pubtator import parse_pubtator_files

    return parse_pubtator_files([_file(scratch, label, data)], _resolver())


def _pubmed(data: bytes, label: str, scratch: Path):
    from ingest.pubmed import parse_pubmed_files

    return parse_pubmed_files([_file(scratch, label, data)])


def _reactome_gmt(data: bytes, label: str, scratch: Path):
    from ingest.reactome import read_reactome_gmt

    return read_reactome_gmt(data, _resolver(), name=label)


def _reactome_msigdb(data: bytes, label: str, scratch: Path):
    from ingest.reactome import read_msigdb_reactome

    return read_msigdb_reactome(data, _resolver(), name=label)


def _reactome_hierarchy(data: bytes, label: str, scratch: Path):
    from ingest.reactome import read_reactome_hierarchy

    return read_reactome_hierarchy(data, name=label)


def _wp_gmt(data: bytes, label: str, scratch: Path):
    from ingest.wikipathways import read_wikipathways_gmt

    return read_wikipathways_gmt(data, _resolver(), name=label)


def _gpml(data: bytes, label: str, scratch: Path):
    from ingest.wikipathways import read_gpml

    return read_gpml(data, _resolver(), name=label)


def _kgml(data: bytes, label: str, scratch: Path):
    from ingest.kgml import read_kgml

    return read_kgml(data, _resolver(), name=label)


def _curated(data: bytes, label: str, scratch: Path):
    from ingest.curated import read_facts

    return read_facts(_file(scratch, label, data), _resolver())


def _trrust(data: bytes, label: str, scratch: Path):
    from ingest.trrust import read_trrust

    return read_trrust(data, _resolver(), name=label)


def _np_mt_rnm(data: bytes, label: str, scratch: Path):
    from ingest.np_mt_rnm import read_np_mt_rnm

    return read_np_mt_rnm(data, _resolver(), name=label)


def _np_mt_rnm_labels(data: bytes, label: str, scratch: Path):
    """The real network read through a damaged label table (the reader's second input)."""
    from ingest.np_mt_rnm import read_np_mt_rnm

    network = SHARED / "networks" / "np_mt_rnm" / "network.json"
    return read_np_mt_rnm(network, _resolver(), labels=_file(scratch, label, data))


@lru_cache(maxsize=1)
def _known_ids() -> frozenset[str]:
    return frozenset(_concepts())


def _concepts(terms: Path | None = None, vocabulary: Path | None = None) -> dict:
    from ingest.grounding import read_terms, read_vocabulary

    concepts = read_terms(terms or _datapack("ontologies", "terms.tsv"))
    concepts.update(read_vocabulary(vocabulary) if vocabulary else read_vocabulary())
    return concepts


def _grounding_terms(data: bytes, label: str, scratch: Path):
    """A damaged ontology extract, read and walked into the concept hierarchy (a SourceLoad)."""
    from ingest.grounding import Grounder, hierarchy

    return hierarchy(Grounder(_concepts(terms=_file(scratch, label, data)), {}), _resolver())


def _grounding_vocabulary(data: bytes, label: str, scratch: Path):
    from ingest.grounding import Grounder, hierarchy

    return hierarchy(Grounder(_concepts(vocabulary=_file(scratch, label, data)), {}), _resolver())


def _grounding_map(data: bytes, label: str, scratch: Path):
    """A damaged curator's map: read whole (a dict) or refused with GroundingError, an IngestError."""
    from ingest.grounding import read_mapping

    return read_mapping(_file(scratch, label, data), set(_known_ids()))


def _datapack(*parts: str) -> Path:
    """A file of this checkout's data pack (the grounding tables are project data, not in ../shared/data)."""
    return CHECKOUT.joinpath("kg", "datapack", *parts)


@lru_cache(maxsize=1)
def targets() -> dict[str, list[Seed]]:
    """Reader name -> seeds: small real files, or slices of big ones (a case must stay fast)."""
    d = SHARED
    pubtator = sorted((d / "pubmed" / "pubtator").glob("*.json"))
    biored = json.loads((d / "corpora" / "BioRED" / "Dev.BioC.JSON").read_bytes())
    biored_slice = json.dumps({**biored, "documents": biored["documents"][:2]}, indent=1).encode()
    from tests.ingest.test_kgml import KGML  # no KEGG file can be shipped: the test suite's own KGML

    return {
        "gmt": [Seed("h.all.v7.0.symbols.gmt", _lines(d / "genesets" / "h.all.v7.0.symbols.gmt", 8), _gmt),
                Seed("c5.go.v2023.2.Hs.symbols.gmt", _lines(d / "go" / "c5.go.v2023.2.Hs.symbols.gmt.gz", 25), _gmt),
                # the real .gz, cut short: the truncated-download case of issue #14
                Seed("c5.go.v2023.2.Hs.symbols.gmt.gz",
                     (d / "go" / "c5.go.v2023.2.Hs.symbols.gmt.gz").read_bytes()[:60_000], _gmt, "bin")],
        "degs": [Seed("hgnc_symbols.txt", _lines(d / "hgnc" / "hgnc_symbols_2023-01-01.txt", 60, 7000), _genes()),
                 Seed("trrust_rawdata.human.tsv", _lines(d / "networks" / "trrust_rawdata.human.tsv", 40),
                      _genes(symbol_col="Target", lfc_col="Reference")),
                 Seed("MT_PRIMARY4_1.xlsx", (d / "networks" / "np_mt_rnm" / "MT_PRIMARY4_1.xlsx").read_bytes(),
                      _genes(symbol_col="Nodes", lfc_col="Inhibitors"), "bin")],
        "signed_tables": [Seed("omnipath_carnival.tsv", _lines(d / "networks" / "omnipath_carnival.tsv", 60),
                               _omnipath),
                          Seed("signor_test_data.csv", (d / "networks" / "signor_test_data.csv").read_bytes(),
                               _signor)],
        "pubtator": [Seed(p.name, p.read_bytes(), _pubtator, "json") for p in pubtator[:4]]
        + [Seed("Dev.BioC.JSON", biored_slice, _pubtator, "json")],
        "pubmed": [Seed(n, (d / "pubmed" / n).read_bytes(), _pubmed, "xml")
                   for n in ("pmid_151222.xml", "pmid_9417067.xml", "pmid_31511694.xml")]
        + [Seed("test_current_medline.xml", _lines(d / "pubmed" / "test_current_medline.xml.gz", 10_000),
                _pubmed, "xml"),
           Seed("test_current_medline.xml.gz", (d / "pubmed" / "test_current_medline.xml.gz").read_bytes(),
                _pubmed, "bin")],  # the real .gz, damaged as it is
        "reactome": [Seed("ReactomePathways_2024-09-18.gmt",
                          _lines(d / "reactome" / "ReactomePathways_2024-09-18.gmt", 12), _reactome_gmt),
                     Seed("c2.cp.reactome.v2025.1.Hs.symbols.gmt",
                          _lines(d / "reactome" / "c2.cp.reactome.v2025.1.Hs.symbols.gmt", 12), _reactome_msigdb),
                     Seed("ReactomePathwaysRelation.txt",
                          _lines(d / "reactome" / "ReactomePathwaysRelation.txt", 150, 15000), _reactome_hierarchy)],
        "wikipathways": [Seed("wikipathways-20201010-gmt-Homo_sapiens.gmt",
                              _lines(d / "wikipathways" / "wikipathways-20201010-gmt-Homo_sapiens.gmt", 12), _wp_gmt)]
        + [Seed(f"{wp}.gpml", (d / "wikipathways" / "gpml" / f"{wp}.gpml").read_bytes(), _gpml, "xml")
           for wp in ("WP1425", "WP129", "WP3874")],
        "kgml": [Seed("toy_kgml.xml", KGML, _kgml, "xml")],
        "curated": [Seed("mechanism_facts.tsv", _lines(d / "curated" / "mechanism_facts.tsv", 40), _curated)],
        "trrust": [Seed("trrust_rawdata.human.tsv", _lines(d / "networks" / "trrust_rawdata.human.tsv", 60), _trrust),
                   Seed("trrust_rawdata.human.tsv", _lines(d / "networks" / "trrust_rawdata.human.tsv", 60, 5000),
                        _trrust)],
        "np_mt_rnm": [Seed("network.json", (d / "networks" / "np_mt_rnm" / "network.json").read_bytes(), _np_mt_rnm,
                           "json")]
        + [Seed("np_mt_rnm_labels.tsv", p.read_bytes(), _np_mt_rnm_labels)
           for p in [_datapack("networks", "np_mt_rnm_labels.tsv")] if p.is_file()],
        # project tables only: absent from the bench's baseline tree, which predates them
        **({"grounding": [Seed("grounding.tsv", _datapack("curated", "grounding.tsv").read_bytes(), _grounding_map),
                          Seed("terms.tsv", _datapack("ontologies", "terms.tsv").read_bytes(), _grounding_terms),
                          Seed("vocabulary.yaml", (CHECKOUT / "ontology" / "vocabulary.yaml").read_bytes(),
                               _grounding_vocabulary)]}
           if _datapack("ontologies", "terms.tsv").is_file() else {}),
    }


# -- running a case ---------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def project_errors() -> tuple[type[BaseException], ...]:
    """The project's reader error; on a tree from before ``ingest.errors`` (the bench's baseline run),
    the one reader error type that existed then."""
    import ingest

    # Look for the file, not the import: an editable install would import today's module instead.
    if not (Path(ingest.__file__).parent / "errors.py").is_file():
        from ingest.degs import DEGTableError

        return (DEGTableError,)
    from ingest.errors import IngestError

    return (IngestError,)


@dataclass(frozen=True)
class Outcome:
    target: str
    seed: int
    case: int
    mutation: str
    kind: str      # ok | rejected | error | unexpected
    detail: str = ""

    def __str__(self) -> str:
        call = f"replay({self.target!r}, {self.seed}, {self.case})"
        return (f"{self.target} seed={self.seed} case={self.case} ({self.mutation}): {self.kind} {self.detail}"
                f"\n  replay: python -c \"from tests.fuzzing import replay; {call}\"")


def mutations_for(fmt: str) -> dict[str, Mutation]:
    return {"json": JSON_MUTATIONS, "xml": XML_MUTATIONS}.get(fmt, TEXT_MUTATIONS)


def build_case(target: str, seed: int, case: int) -> tuple[Seed, str, str, bytes]:
    """(seed file, label, mutation names, mutated bytes) of one case; the same arguments give the same bytes."""
    rng = random.Random(f"{target}:{seed}:{case}")
    seeds = targets()[target]
    s = seeds[case % len(seeds)]
    muts = mutations_for(s.fmt)
    names = list(muts)
    weights = [SPECIFIC_WEIGHT if n not in TEXT_MUTATIONS else 1 for n in names]
    if s.fmt == "bin":  # a zip or a cut .gz: only byte-level damage makes sense
        names, weights = ["byte_flip", "truncate", "duplicate", "delete"], [1, 1, 1, 1]
    chosen = [rng.choices(names, weights)[0] for _ in range(1 if rng.random() < 0.8 else 2)]
    data = s.data
    for n in chosen:
        data = muts[n](rng, data)
    label = s.label
    if any(n.startswith("gz_") for n in chosen) and not label.endswith(".gz"):
        label += ".gz"
    return s, label, "+".join(chosen), data


def _messages(result: Any) -> tuple[list[str], bool]:
    """(rejection messages, counts reconcile) of any reader's result."""
    from ingest.pubmed import ParseProblems
    from ingest.pubtator import PubTatorParse

    # A SourceLoad, recognised by its report rather than its class: the class has moved between
    # modules over time, and the bench's baseline tree has its own.
    report = getattr(result, "report", None)
    if callable(getattr(report, "reconciles", None)) and isinstance(getattr(report, "rejected", None), list):
        return [str(r) for r in report.rejected], report.reconciles()
    if isinstance(result, PubTatorParse):
        return result.messages, result.skipped == len(result.messages)
    if isinstance(result, dict):  # a strict table reader (the grounding map): read whole, or it raised
        return [], True
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[1], ParseProblems):
        p = result[1]
        return p.messages, p.skipped == len(p.messages)
    raise TypeError(f"reader returned {type(result).__name__}")


def check(target: str, seed: int, case: int) -> Outcome:
    """Run one case and classify it (never raises for a reader's exception)."""
    s, label, mutation, data = build_case(target, seed, case)
    out = lambda kind, detail="": Outcome(target, seed, case, mutation, kind, detail)  # noqa: E731
    with tempfile.TemporaryDirectory(prefix="kgfuzz-") as scratch:
        try:
            result = s.run(data, label, Path(scratch))
        except project_errors() as exc:
            msg = str(exc)
            if not msg.startswith(label) or "\n" in msg:
                return out("unexpected", f"IngestError does not name the file on one line: {msg[:300]!r}")
            return out("error", msg[:300])
        except Exception as exc:  # noqa: BLE001 - the point: any other exception is the bug we look for
            tb = traceback.extract_tb(exc.__traceback__)
            here = next((f"{Path(f.filename).name}:{f.lineno}" for f in reversed(tb)
                         if "/ingest/" in f.filename.replace(os.sep, "/")), "?")
            return out("unexpected", f"{type(exc).__name__} at {here}: {str(exc)[:200]}")
    try:
        messages, reconciles = _messages(result)
    except TypeError as exc:
        return out("unexpected", str(exc))
    if not reconciles:
        return out("unexpected", "counts do not reconcile (read != loaded + rejected + unmapped)")
    bad = [m for m in messages if not m.startswith(label)]
    if bad:
        return out("unexpected", f"rejection does not name the file: {bad[0][:200]!r}")
    # entities must be refused, not expanded (a .gz the mutation broke is never parsed at all)
    if "xml_entity" in mutation and "gz_" not in mutation and not any("entit" in m or "XML" in m for m in messages):
        return out("unexpected", "an XML entity declaration was read, not refused")
    return out("rejected" if messages else "ok", messages[0][:200] if messages else "")


def replay(target: str, seed: int, case: int, save: str | None = None) -> Outcome:
    """Re-run one case, print its outcome; ``save`` writes the mutated bytes there."""
    if save:
        Path(save).write_bytes(build_case(target, seed, case)[3])
    o = check(target, seed, case)
    print(o)
    return o
