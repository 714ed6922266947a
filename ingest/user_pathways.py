"""A user's own gene-set and network files: the GMT flavour or network format is told from the content.

GMT: Reactome's own (second column ``R-HSA-…``), WikiPathways' own (``Name%WikiPathways_DATE%WPnnn%…``,
Entrez ids), MSigDB (``GOBP_…``, ``REACTOME_…``, ``WP_…`` or other upper-case set names with a URL)
go to their readers; any other GMT is the user's: each set becomes a ``KG:geneset_<slug>`` pathway,
genes by symbol, Entrez, human/mouse/rat Ensembl id or mouse/rat symbol.

Networks: a SIGNOR export (``;``-separated, SIGNOR's columns) and an OmniPath ``source, interaction,
target`` TSV go to their readers; any other CSV/TSV with a header is read by :func:`read_signed_network`.

>>> gmt_flavour(b"Signaling by WNT\\tR-HSA-195721\\tWNT3A\\n"), gmt_flavour(b"my set\\tmine\\tMmp3\\tAcan\\n")
('reactome', 'user')
>>> from ingest.hgnc import default_resolver
>>> sl = read_signed_network(b"from,to,effect\\nTNF,MMP3,activation\\nTIMP3,Mmp3,inhibits\\n", default_resolver(), name="n.csv")
>>> sorted((e.predicate, e.sign) for e in sl.edges.values()), sl.report.loaded
([('activates', 1), ('inhibits', -1)], 2)
"""
from __future__ import annotations

import re
from functools import partial

from ingest.degs import DEGTableError, data_rows, split_header, table_rows
from ingest.errors import bounded_reader
from ingest.gene_ids import OrthologueMapper
from ingest.gmt import GeneSet, Source, load_gene_sets, msigdb_sets, new_load, parse_gmt, source_bytes, source_url
from ingest.hgnc import HGNCResolver
from kg.records.model import Edge, Evidence, Node
from kg.records.sources import SourceLoad, slug
from ontology import Ontology

LICENCE = "user data (stays with the user)"
_RHSA = re.compile(r"^R-HSA-\d+$")
_MSIGDB = re.compile(r"^[A-Z0-9]+_[A-Z0-9_]+$")

SOURCE_NAMES = ("source", "source_genesymbol", "from", "regulator", "tf", "gene1", "node1", "subject", "a",
                "source_gene", "upstream")
TARGET_NAMES = ("target", "target_genesymbol", "to", "target_gene", "gene2", "node2", "object", "b", "downstream")
SIGN_NAMES = ("sign", "interaction", "effect", "mode", "type", "regulation", "direction", "edge_sign",
              "consensus_direction")
PMID_NAMES = ("pmid", "pmids", "references", "pubmed")
#: sign cell (lower case) -> (predicate, sign)
SIGNS: dict[str, tuple[str, int]] = {
    **{w: ("activates", 1) for w in ("1", "+1", "+", "activation", "activates", "activate", "activating", "stimulation",
                                      "stimulates", "positive", "up", "up-regulates", "upregulates", "induces", "->")},
    **{w: ("inhibits", -1) for w in ("-1", "-", "inhibition", "inhibits", "inhibit", "inhibiting", "repression",
                                      "represses", "negative", "down", "down-regulates", "downregulates", "suppresses",
                                      "-|")},
    **{w: ("associated_with", 0) for w in ("0", "unknown", "unsigned", "association", "associated")},
    "binding": ("binds", 0), "binds": ("binds", 0),
}


def _first_sets(data: bytes, label: str, n: int = 5) -> list[GeneSet]:
    out = []
    for gs in parse_gmt(data, label):
        if not gs.reason:
            out.append(gs)
        if len(out) >= n:
            break
    return out


def gmt_flavour(data: bytes, label: str = "<gmt>") -> str:
    """``reactome``, ``wikipathways``, ``msigdb_go``, ``msigdb_reactome``, ``msigdb_wikipathways``, ``msigdb`` or ``user``."""
    sets = _first_sets(data, label)
    if not sets:
        return "user"
    if all(_RHSA.match(gs.description) for gs in sets):
        return "reactome"
    if all("%WikiPathways_" in gs.name for gs in sets):
        return "wikipathways"
    if all(_MSIGDB.match(gs.name) for gs in sets):
        heads = {gs.name.split("_", 1)[0] for gs in sets}
        if heads <= {"GOBP", "GOCC", "GOMF"}:
            return "msigdb_go"
        if heads == {"REACTOME"}:
            return "msigdb_reactome"
        if heads == {"WP"}:
            return "msigdb_wikipathways"
        if all(gs.description.startswith("http") for gs in sets):
            return "msigdb"
    return "user"


@bounded_reader
def read_user_gmt(src: Source, resolver: HGNCResolver, *, name: str | None = None, version: str | None = None,
                  onto: Ontology | None = None) -> SourceLoad:
    """A GMT of the user's own sets: ``KG:geneset_<slug of the set name>`` pathways, genes by any id."""
    data, label = source_bytes(src, name)
    sl = new_load("user", version or label, LICENCE, source_url(src, label), label, onto)

    def node(gs: GeneSet) -> Node:
        desc = gs.description if gs.description and gs.description != gs.name else ""
        return Node(f"KG:geneset_{slug(gs.name)}", "pathway", gs.name, (), (), "user",
                    (("description", desc),) if desc else ())

    return load_gene_sets(data, label, sl, OrthologueMapper(resolver, "user"), node, lambda gs, n: f"file:{label}",
                          gene_kind="any")


@bounded_reader
def read_gmt_file(src: Source, resolver: HGNCResolver, *, name: str | None = None,
                  onto: Ontology | None = None) -> SourceLoad:
    """Any GMT, read by the reader of its flavour (:func:`gmt_flavour`); ``params["format"]`` names it."""
    from ingest.reactome import read_msigdb_reactome, read_reactome_gmt
    from ingest.wikipathways import read_msigdb_wikipathways, read_wikipathways_gmt

    data, label = source_bytes(src, name)
    flavour = gmt_flavour(data, label)
    readers = {
        "reactome": read_reactome_gmt, "wikipathways": read_wikipathways_gmt, "user": read_user_gmt,
        "msigdb_reactome": read_msigdb_reactome, "msigdb_wikipathways": read_msigdb_wikipathways,
        "msigdb_go": partial(msigdb_sets, source="go", category="biological_process",
                             licence="CC BY 4.0 (MSigDB C5:GO; Gene Ontology)"),
        "msigdb": partial(msigdb_sets, source="msigdb", category="pathway",
                          licence="MSigDB (user-supplied file; MSigDB licence terms apply)"),
    }
    sl = readers[flavour](data, resolver, name=label, onto=onto)
    sl.params["format"] = f"{flavour} GMT"
    return sl


def _is_signor(data: bytes) -> bool:
    head = data[:4000].split(b"\n", 1)[0]
    return b";" in head and all(c.encode() in head for c in ("ENTITYA", "ENTITYB", "EFFECT"))


def _is_omnipath(data: bytes) -> bool:
    head = data[:4000].split(b"\n", 1)[0].strip().lower()
    return head.split(b"\t") == [b"source", b"interaction", b"target"]


@bounded_reader
def read_network_file(src: Source, resolver: HGNCResolver, *, name: str | None = None,
                      onto: Ontology | None = None) -> SourceLoad:
    """A signed network: SIGNOR export, OmniPath TSV, or any table :func:`read_signed_network` reads."""
    from ingest.signed_tables import read_omnipath, read_signor

    data, label = source_bytes(src, name)
    if _is_signor(data):
        sl, fmt = read_signor(data, resolver, name=label, onto=onto), "SIGNOR"
    elif _is_omnipath(data):
        sl, fmt = read_omnipath(data, resolver, name=label, onto=onto), "OmniPath"
    else:
        sl, fmt = read_signed_network(data, resolver, name=label, onto=onto), "signed table"
    sl.params["format"] = fmt
    return sl


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    low = [h.strip().lower() for h in header]
    return next((low.index(n) for n in names if n in low), None)


@bounded_reader
def read_signed_network(src: Source, resolver: HGNCResolver, *, name: str | None = None,
                        version: str | None = None, onto: Ontology | None = None) -> SourceLoad:
    """A CSV/TSV of signed gene–gene edges with a header: source, target and a sign column.

    Columns by name (case-insensitive): source (:data:`SOURCE_NAMES`), target (:data:`TARGET_NAMES`),
    sign (:data:`SIGN_NAMES`, values in :data:`SIGNS`), or OmniPath's ``is_stimulation``/``is_inhibition``;
    an optional PMID column gives the citation. Genes by symbol, Entrez, human/mouse/rat Ensembl id or
    mouse/rat symbol. One row per line; a row with an unknown sign is rejected naming ``file:line``.
    """
    data, label = source_bytes(src, name)
    sl = new_load("user", version or label, LICENCE, source_url(src, label), label, onto)
    try:
        line, header, body = split_header(list(table_rows(data, label)), label)
    except DEGTableError as exc:  # an empty file or an unreadable header: one rejection, as the other readers
        sl.reject(exc.where if ":" in exc.where else f"{label}:1", exc.reason)
        return sl
    s_i, o_i, sign_i = _column(header, SOURCE_NAMES), _column(header, TARGET_NAMES), _column(header, SIGN_NAMES)
    stim_i, inh_i = _column(header, ("is_stimulation",)), _column(header, ("is_inhibition",))
    pmid_i = _column(header, PMID_NAMES)
    if s_i is None or o_i is None or (sign_i is None and (stim_i is None or inh_i is None)):
        sl.reject(f"{label}:{line}", "not a signed network: needs source, target and sign columns (looked for "
                  f"{'/'.join(SOURCE_NAMES[:4])}, {'/'.join(TARGET_NAMES[:4])}, {'/'.join(SIGN_NAMES[:4])} or "
                  f"is_stimulation/is_inhibition; columns: {', '.join(header)})")
        return sl
    mapper = OrthologueMapper(resolver, "user")
    ctx = (("design", "unknown"),)
    for n, where, cells in data_rows(body, label, sl):
        if len(cells) < len(header):
            sl.reject(where, f"expected {len(header)} fields, got {len(cells)}")
            continue
        s_txt, o_txt = cells[s_i].strip(), cells[o_i].strip()
        if sign_i is not None:
            word = cells[sign_i].strip().lower()
            if word not in SIGNS:
                sl.reject(where, f"sign {cells[sign_i].strip()!r} is not known (use 1/-1, activation/inhibition, …)")
                continue
            pred, sign = SIGNS[word]
        else:
            stim, inh = cells[stim_i].strip() in ("1", "True", "true"), cells[inh_i].strip() in ("1", "True", "true")
            if stim == inh:
                sl.reject(where, "is_stimulation and is_inhibition are " + ("both set" if stim else "both unset"))
                continue
            pred, sign = ("activates", 1) if stim else ("inhibits", -1)
        s, o = mapper.any_id(s_txt), mapper.any_id(o_txt)
        if s is None or o is None:
            sl.unmapped([t for t, g in ((s_txt, s), (o_txt, o)) if g is None] or [f"(empty cell, line {n})"])
            continue
        pmids = re.findall(r"\d{4,9}", cells[pmid_i]) if pmid_i is not None and pmid_i < len(cells) else []
        e = Edge(s.id, pred, o.id, sign)
        ev = Evidence(e.key, "user", f"PMID:{pmids[0]}" if pmids else f"file:{label}",
                      f"{s.name} {pred.replace('_', ' ')} {o.name} ({label} line {n}).", None, "user_network", ctx,
                      (), sign)
        sl.add_row(where, [s, o], [e], [ev])
    return sl


__all__ = ["gmt_flavour", "read_gmt_file", "read_network_file", "read_signed_network", "read_user_gmt"]
