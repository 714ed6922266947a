"""Gene sets in GMT form, plus the small helpers every gene-list adapter shares.

A GMT line is ``name<TAB>description<TAB>gene<TAB>gene…``. Each (set, gene) membership is
one row of the report: mapped genes become ``gene member_of set`` edges, unmapped symbols
are counted per source, and a truncated line (fewer than three fields) is rejected naming
``file:line``.

>>> sets = list(parse_gmt(b"S1\\tdesc\\tMMP3\\tTIMP1\\nbroken\\n", "x.gmt"))
>>> sets[0].genes, sets[1].reason
(('MMP3', 'TIMP1'), 'truncated GMT line: expected name, description and at least one gene, got 1 field(s)')
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from ingest.errors import bounded_reader, gunzip
from ingest.hgnc import HGNCResolver
from kg.records.model import Edge, Evidence, Node, Provenance
from kg.records.sources import SourceLoad, SourceReport, gene_node, merge_nodes, now_iso
from ontology import Ontology

Source = str | Path | bytes


def source_bytes(src: Source, name: str | None = None) -> tuple[bytes, str]:
    """(content, display name) of a path or raw bytes; ``.gz`` content is decompressed.

    A truncated or corrupt ``.gz`` raises :class:`ingest.errors.IngestError` naming the file.

    >>> source_bytes(b"abc", "mem.txt")
    (b'abc', 'mem.txt')
    """
    if isinstance(src, (bytes, bytearray)):
        data, label = bytes(src), name or "<bytes>"
    else:
        p = Path(src)
        data, label = p.read_bytes(), name or p.name
    if data[:2] == b"\x1f\x8b":
        data = gunzip(data, label)  # IngestError naming the file: truncated, corrupt, or a gzip bomb
    return data, label


def source_url(src: Source, label: str) -> str:
    """Where a source came from, for provenance: its path, or the label given to raw bytes."""
    return label if isinstance(src, (bytes, bytearray)) else str(Path(src))


def text_lines(data: bytes, label: str) -> Iterator[tuple[int, str | None, str]]:
    """(line number, text or None, reason) per line; a line that is not UTF-8 comes back as None.

    Decoding per line keeps one stray latin-1 byte from hiding the rest of the file.

    >>> [(n, t) for n, t, _ in text_lines(b"a\\nb\\xe9\\n", "f")]
    [(1, 'a'), (2, None)]
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for n, raw in enumerate(lines, start=1):
        raw = raw.rstrip(b"\r")
        try:
            yield n, raw.decode("utf-8"), ""
        except UnicodeDecodeError as exc:
            yield n, None, (f"line is not UTF-8 (byte 0x{raw[exc.start]:02x} at column {exc.start + 1}); "
                            "save the file as UTF-8")


def decoded_rows(data: bytes, label: str, load: SourceLoad) -> Iterator[tuple[int, str, str]]:
    """(line number, ``file:line``, text) of each non-blank line; undecodable lines are rejected on ``load``."""
    for n, text, err in text_lines(data, label):
        if text is None:
            load.reject(f"{label}:{n}", err)
        elif text.strip():
            yield n, f"{label}:{n}", text


class GeneMapper:
    """HGNC lookups for one source with node caching: symbol, Entrez or Ensembl -> gene Node.

    >>> from ingest.hgnc import default_resolver
    >>> m = GeneMapper(default_resolver(), "test")
    >>> m.symbol("MMP-3").id, m.entrez("4314").id, m.symbol("NOTAGENE") is None
    ('HGNC:7173', 'HGNC:7173', True)
    """

    def __init__(self, resolver: HGNCResolver, source: str):
        self.resolver, self.source = resolver, source
        self._nodes: dict[str, Node] = {}
        self._symbols: dict[str, tuple[Node | None, str]] = {}  # a GMT names each gene in many sets
        self.last_reason = ""

    def node(self, hgnc_id: str) -> Node:
        n = self._nodes.get(hgnc_id)
        if n is None:
            n = self._nodes[hgnc_id] = gene_node(self.resolver, hgnc_id, self.source)
        return n

    def symbol(self, text: str) -> Node | None:
        hit = self._symbols.get(text)
        if hit is None:
            res = self.resolver.resolve(text)
            hit = self._symbols[text] = (self.node(res.hgnc_id), "") if res.ok else (None, res.reason())
        if hit[0] is None:
            self.last_reason = hit[1]
        return hit[0]

    def entrez(self, text: str) -> Node | None:
        hid = self.resolver.by_entrez(text)
        self.last_reason = "" if hid else f"Entrez gene {text!r} has no HGNC gene"
        return self.node(hid) if hid else None

    def ensembl(self, text: str) -> Node | None:
        hid = self.resolver.by_ensembl(text)
        self.last_reason = "" if hid else f"Ensembl gene {text!r} has no HGNC gene"
        return self.node(hid) if hid else None

    def any_id(self, text: str) -> Node | None:
        """Ensembl id, Entrez number, HGNC id or symbol, told apart by their shape."""
        t = text.strip()
        if t.upper().startswith("ENSG"):
            return self.ensembl(t)
        if t.isdigit():
            return self.entrez(t)
        return self.symbol(t)


@dataclass(frozen=True)
class GeneSet:
    line: int
    name: str
    description: str
    genes: tuple[str, ...]
    reason: str = ""  # non-empty: the line is unusable


def parse_gmt(data: bytes, label: str) -> Iterator[GeneSet]:
    """Gene sets of a GMT file (bytes); bad lines come back with ``reason`` set."""
    for n, text, err in text_lines(data, label):
        if text is None:
            yield GeneSet(n, "", "", (), err)
            continue
        if not text.strip() or text.startswith("#"):
            continue
        fields = text.split("\t")
        genes = tuple(dict.fromkeys(g.strip() for g in fields[2:] if g.strip()))
        if len(fields) < 3 or not fields[0].strip() or not genes:
            yield GeneSet(n, fields[0].strip(), "", (),
                          "truncated GMT line: expected name, description and at least one gene, "
                          f"got {len([f for f in fields if f.strip()])} field(s)")
            continue
        yield GeneSet(n, fields[0].strip(), fields[1].strip(), genes)


def membership_evidence(edge: Edge, source: str, citation: str, text: str) -> Evidence:
    return Evidence(edge.key, source, citation, text, None, source, (("design", "database"),), (), 1)


def load_gene_sets(data: bytes, label: str, load: SourceLoad, mapper: GeneMapper,
                   set_node: Callable[[GeneSet], Node | str], citation: Callable[[GeneSet, Node], str],
                   gene_kind: str = "symbol") -> SourceLoad:
    """Add every (set, gene) membership of a GMT to ``load``: one report row per membership.

    ``set_node`` returns the set's Node, or a reason string to reject the whole line.
    ``gene_kind`` is ``symbol``, ``entrez`` (WikiPathways' own GMT lists Entrez ids) or ``any``
    (each id told apart by its shape, :meth:`GeneMapper.any_id`).
    """
    lookup = {"entrez": mapper.entrez, "any": mapper.any_id}.get(gene_kind, mapper.symbol)
    source = load.provenance.source
    for gs in parse_gmt(data, label):
        where = f"{label}:{gs.line}"
        if gs.reason:
            load.reject(where, gs.reason)
            continue
        node = set_node(gs)
        if isinstance(node, str):
            load.reject(where, node)
            continue
        reason = load.ontology.check_node(node.id, node.category, node.name)
        if reason:
            load.reject(where, reason)
            continue
        # The set node is checked once and kept; each membership row then names it by id.
        load.nodes[node.id] = merge_nodes(load.nodes.get(node.id), node)
        cite = citation(gs, node)
        for g in gs.genes:
            gene = lookup(g)
            if gene is None:
                load.unmapped([g])
                continue
            e = Edge(gene.id, "member_of", node.id, 1)
            ev = membership_evidence(e, source, cite, f"{gene.name} is a member of {node.name} ({node.id}).")
            load.add_row(f"{where}:{g}", [gene] if gene.id not in load.nodes else [], [e], [ev])
    return load


def new_load(source: str, version: str, licence: str, url: str, label: str,
             onto: Ontology | None = None, retrieved_at: str | None = None, **params) -> SourceLoad:
    """An empty SourceLoad with its provenance (``retrieved_at`` defaults to now)."""
    prov = Provenance(source, version, licence, retrieved_at or now_iso(), url)
    kw = {"ontology": onto} if onto is not None else {}
    sl = SourceLoad(prov, SourceReport(f"{source}:{label}", url or label), **kw)
    sl.params.update(params)
    return sl


_MSIGDB_PREFIX = re.compile(r"^(GOBP|GOCC|GOMF|HP|REACTOME|WP|KEGG_MEDICUS|KEGG|BIOCARTA|PID)_")


def msigdb_label(set_name: str) -> str:
    """Readable name of an MSigDB set: ``GOBP_EXTRACELLULAR_MATRIX_DISASSEMBLY`` -> ``extracellular matrix disassembly``.

    >>> msigdb_label("REACTOME_2_LTR_CIRCLE_FORMATION")
    '2 ltr circle formation'
    """
    return _MSIGDB_PREFIX.sub("", set_name).replace("_", " ").lower().strip() or set_name


@bounded_reader
def msigdb_sets(src: Source, resolver: HGNCResolver, *, source: str, category: str, licence: str,
                name: str | None = None, version: str | None = None, onto: Ontology | None = None) -> SourceLoad:
    """An MSigDB-style GMT (``SET_NAME<TAB>URL<TAB>symbols``) as ``MSIGDB:<SET_NAME>`` nodes.

    MSigDB files give no GO or Reactome ids, so none are invented: the set name is the id.
    """
    data, label = source_bytes(src, name)
    sl = new_load(source, version or label, licence, source_url(src, label), label, onto)
    mapper = GeneMapper(resolver, source)

    def node(gs: GeneSet) -> Node | str:
        if not re.fullmatch(r"[A-Za-z0-9_]+", gs.name):
            return f"MSigDB set name {gs.name!r} is not an MSigDB identifier (letters, digits and _ only)"
        url = gs.description if gs.description.startswith("http") else ""
        return Node(f"MSIGDB:{gs.name}", category, msigdb_label(gs.name), (gs.name,), (), source,
                    (("url", url),) if url else ())

    def cite(gs: GeneSet, n: Node) -> str:
        return f"URL:{gs.description}" if gs.description.startswith("http") else f"MSIGDB:{gs.name}"

    return load_gene_sets(data, label, sl, mapper, node, cite)
