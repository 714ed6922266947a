"""The nucleus pulposus mechanotransduction regulatory network model (np-mt-rnm) as signed edges.

The model (Workineh, Chemorion & Noailly, UPF Barcelona; github.com/SpineView1/np-mt-rnm, MIT)
is a literature-curated network of human NP cells under mechanical load: 147 nodes named with the
curators' own labels (``HIF-1α``, ``ADAMTS4/5``, ``AKT1-E``, ``AP-1``, the loading inputs
``Hypo``/``NL``/``HL``: hypo-, normal and hyper-loading) and 357 signed edges. No file names a
paper id per edge (``model.xml`` carries none; the repository's CITATION.cff gives the paper's DOI
only as a placeholder), so every edge cites the repository as a database source and keeps the
model's labels in the evidence text, marked as the model's edge, not a quotation.

Labels map to graph ids only through the project's table ``kg/datapack/networks/np_mt_rnm_labels.tsv``:
one HGNC gene, a gene group (family or complex: ``KGGROUP:`` node plus ``member_of`` edges), a
chemical, a GO process, a mechanical stimulus (``KGV:`` terms of ``ontology/vocabulary.yaml``, whose
names the reader takes), or ``unmapped``. The model's suffixes (``-E``/``-M``
and others) are recorded as context; the gene is the same. A label missing from the table is taken
only when it is an approved HGNC symbol, never through an alias (``ROS`` is not ``ROS1``).
Each model edge is one report row: ``read == loaded + rejected + unmapped``.

>>> from ingest.hgnc import default_resolver
>>> net = b'{"nodes": [{"id": "TNF"}, {"id": "MMP3"}], "edges": [{"source": "TNF", "target": "MMP3", "sign": 1}]}'
>>> sl = read_np_mt_rnm(net, default_resolver(), name="n.json")
>>> [(e.subject, e.predicate, e.object, e.sign) for e in sl.edges.values()]
[('HGNC:11892', 'activates', 'HGNC:7173', 1)]
"""
from __future__ import annotations

import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import IngestError, describe, reader_boundary
from ingest.gmt import GeneMapper, Source, new_load, source_bytes, source_url
from ingest.hgnc import HGNCResolver, default_resolver
from kg.records.model import Edge, Evidence, Node
from kg.records.sources import SourceLoad
from ontology import Ontology

SOURCE = "np_mt_rnm"
REPO_URL = "https://github.com/SpineView1/np-mt-rnm"
CITATION = f"URL:{REPO_URL}"
LICENCE = "MIT (np-mt-rnm LICENSE: Zerihun G. Workineh and Jérôme Noailly, UPF Barcelona)"
#: git blob of results/web_bundle/network.json at the snapshot commit shipped in the data pack.
KNOWN_BLOBS = {"adf61a859fd704859556f38e9942782b2eefa8af":
               "SpineView1/np-mt-rnm@7a828049f9c1b99aa4ed4c3fd242d1ab13b6ccd4 results/web_bundle/network.json"}
LABEL_COLUMNS = ("label", "kind", "target_ids", "target_symbols", "state", "name", "note")
#: label-table kind -> node category.
KIND_CATEGORY = {"gene": "gene", "group": "gene_group", "chemical": "chemical", "process": "biological_process",
                 "stimulus": "mechanical_stimulus", "phenotype": "phenotype"}
KINDS = (*KIND_CATEGORY, "unmapped")
#: What every model edge is about (README: human NP cells under three loading regimes).
MODEL_CONTEXT = {"design": "database", "species": "human", "cell_type": "nucleus pulposus cell",
                 "cell_type_id": "CL:0002564", "tissue": "nucleus pulposus", "tissue_id": "UBERON:0002242",
                 "condition": "mechanical loading"}
SIGN_PREDICATE = {1: "activates", -1: "inhibits"}


def git_blob_sha1(data: bytes) -> str:
    """The id git gives ``data`` as a blob: ties a file to the commit it was copied from.

    >>> git_blob_sha1(b"")
    'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'
    """
    return hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class LabelMap:
    """One row of the label table: what a model label stands for in the graph."""

    label: str
    kind: str
    target_ids: tuple[str, ...]
    target_symbols: tuple[str, ...]
    state: str = ""
    name: str = ""
    note: str = ""


def default_labels_path() -> Path:
    from kg.datapack import datapack_path

    return datapack_path("networks", "np_mt_rnm_labels.tsv")


def read_label_table(path: str | Path | None = None) -> dict[str, LabelMap]:
    """The label table (``#`` lines are comments). A malformed table raises IngestError (a ValueError)
    naming file:line."""
    from ontology import load_ontology

    path = Path(path) if path else default_labels_path()
    onto = load_ontology()
    with reader_boundary(path.name):  # not UTF-8, or any value the checks below did not foresee
        out: dict[str, LabelMap] = {}
        lines = [(n, t) for n, t in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if t.strip() and not t.startswith("#")]
        if not lines or tuple(lines[0][1].split("\t")) != LABEL_COLUMNS:
            raise IngestError(f"{path.name}:{lines[0][0] if lines else 1}: header must be {', '.join(LABEL_COLUMNS)}")
        for n, text in lines[1:]:
            cols = text.split("\t")
            where = f"{path.name}:{n}"
            if len(cols) != len(LABEL_COLUMNS):
                raise IngestError(f"{where}: expected {len(LABEL_COLUMNS)} tab-separated columns, got {len(cols)}")
            label, kind, ids, syms, state, name, note = (c.strip() for c in cols)
            if kind not in KINDS:
                raise IngestError(f"{where}: kind {kind!r} is not one of {', '.join(KINDS)}")
            ids_t = tuple(i for i in ids.split(";") if i)
            syms_t = tuple(s for s in syms.split(";") if s)
            if kind == "unmapped" and ids_t:
                raise IngestError(f"{where}: an unmapped label has no target ids")
            if kind != "unmapped" and not ids_t:
                raise IngestError(f"{where}: kind {kind} needs target ids")
            if kind == "gene" and len(ids_t) != 1 or kind == "group" and len(ids_t) < 2:
                raise IngestError(f"{where}: a gene has one HGNC id, a group two or more (got {len(ids_t)})")
            if kind in ("gene", "group") and (len(syms_t) != len(ids_t)
                                              or not all(i.startswith("HGNC:") for i in ids_t)):
                raise IngestError(f"{where}: gene targets must be HGNC ids, each with its symbol")
            if kind not in ("gene", "group", "unmapped") and (len(ids_t) != 1 or not name):
                raise IngestError(f"{where}: a {kind} label has one id and a name")
            reason = onto.check_node(ids_t[0], KIND_CATEGORY[kind], name) if kind not in (
                "gene", "group", "unmapped") else None  # a malformed id is the table's fault, not the network's
            if reason:
                raise IngestError(f"{where}: {reason}")
            if label in out:
                raise IngestError(f"{where}: label {label!r} is listed twice")
            out[label] = LabelMap(label, kind, ids_t, syms_t, state, name, note)
    return out


@dataclass
class _Mapped:
    nodes: list[Node]           # the entity first, then group members
    members: list[Edge]         # gene member_of group
    state: str = ""
    reason: str = ""            # non-empty: the label stays unmapped


class LabelMapper:
    """Model label -> graph node(s), through the label table; cached per label."""

    def __init__(self, resolver: HGNCResolver, table: dict[str, LabelMap], concepts: dict | None = None):
        from ingest.grounding import default_grounder

        self.resolver, self.table = resolver, table
        self.concepts = default_grounder().concepts if concepts is None else concepts
        self.genes = GeneMapper(resolver, SOURCE)
        self._cache: dict[str, _Mapped] = {}
        self.fallback: set[str] = set()  # labels taken as approved HGNC symbols (not in the table)

    def map(self, label: str) -> _Mapped:
        m = self._cache.get(label)
        if m is None:
            m = self._cache[label] = self._map(label)
        return m

    def _gene(self, hgnc_id: str) -> Node | None:
        return self.genes.node(hgnc_id) if hgnc_id in self.resolver.genes else None

    def _map(self, label: str) -> _Mapped:
        lm = self.table.get(label)
        if lm is None:
            res = self.resolver.resolve(label)
            if res.ok and res.status == "approved":
                self.fallback.add(label)
                return _Mapped([self.genes.node(res.hgnc_id)], [])
            return _Mapped([], [], reason=f"label {label!r} is not in the label table "
                                          "and is not an approved HGNC symbol")
        if lm.kind == "unmapped":
            return _Mapped([], [], lm.state, reason=lm.note or "marked unmapped in the label table")
        if lm.kind in ("gene", "group"):
            genes = [self._gene(i) for i in lm.target_ids]
            missing = [i for i, g in zip(lm.target_ids, genes) if g is None]
            if missing:
                return _Mapped([], [], lm.state,
                               reason=f"HGNC id(s) {', '.join(missing)} not in the HGNC table in use")
            if lm.kind == "gene":
                return _Mapped([genes[0]], [], lm.state)
            gid = "KGGROUP:" + "+".join(sorted(g.name for g in genes))
            group = Node(gid, "gene_group", lm.label, (), tuple(g.id for g in genes), SOURCE,
                         (("mapping_note", lm.note),) if lm.note else ())
            return _Mapped([group, *genes], [Edge(g.id, "member_of", gid, 1) for g in genes], lm.state)
        cid, category = lm.target_ids[0], KIND_CATEGORY[lm.kind]
        concept = self.concepts.get(cid)
        if concept is not None:
            # a vocabulary or ontology-extract term: named as there, left as its owner describes it
            if concept.category != category:
                return _Mapped([], [], lm.state, reason=f"{cid} is a {concept.category} in the project "
                                                        f"vocabulary, not a {category}")
            return _Mapped([Node(cid, category, concept.label, (), (), SOURCE)], [], lm.state)
        if cid.startswith("KGV:"):
            return _Mapped([], [], lm.state, reason=f"{cid} is not a term of ontology/vocabulary.yaml")
        node = Node(cid, category, lm.name, (lm.label,) if lm.label != lm.name else (), (), SOURCE,
                    (("mapping_note", lm.note),) if lm.note else ())
        return _Mapped([node], [], lm.state)


def _model_version(data: bytes, label: str) -> str:
    return KNOWN_BLOBS.get(git_blob_sha1(data), label)


def read_np_mt_rnm(src: Source | None = None, resolver: HGNCResolver | None = None, *,
                   labels: str | Path | dict[str, LabelMap] | None = None, name: str | None = None,
                   version: str | None = None, onto: Ontology | None = None) -> SourceLoad:
    """The model's ``network.json`` (``{"nodes": [{"id": label}], "edges": [{"source", "target", "sign"}]}``).

    ``src`` defaults to the data-pack copy, ``labels`` to the shipped label table. Bad edges are
    rejected as ``file:edges[i]``; a file that is not JSON is rejected at the line the parser names.
    ``params["mapping"]`` gives the label mapping: counts by kind, rate, the unmapped labels.
    """
    from kg.datapack import datapack_path

    resolver = resolver or default_resolver()
    src = datapack_path("networks", "np_mt_rnm", "network.json") if src is None else src
    data, label = source_bytes(src, name)
    sl = new_load(SOURCE, version or _model_version(data, label), LICENCE, source_url(src, label), label, onto,
                  citation=CITATION)
    table = labels if isinstance(labels, dict) else read_label_table(labels)
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        sl.reject(f"{label}:1", f"file is not UTF-8 (byte at offset {exc.start})")
        return sl
    except json.JSONDecodeError as exc:
        sl.reject(f"{label}:{exc.lineno}", f"not JSON: {exc.msg} (column {exc.colno})")
        return sl
    except (RecursionError, ValueError) as exc:  # nested thousands deep; a number past int()'s digit limit
        sl.reject(f"{label}:1", f"not readable JSON: {describe(exc)[1]}")
        return sl
    if not isinstance(doc, dict) or not isinstance(doc.get("edges"), list) or not isinstance(doc.get("nodes"), list):
        sl.reject(f"{label}:1", "not an np-mt-rnm network: expected an object with 'nodes' and 'edges' lists")
        return sl
    declared = [n.get("id") if isinstance(n, dict) else None for n in doc["nodes"]]
    for i, nid in enumerate(declared):
        if not isinstance(nid, str) or not nid.strip():
            sl.reject(f"{label}:nodes[{i}]", "node without a string 'id'")
    declared_set = {n for n in declared if isinstance(n, str)}
    mapper = LabelMapper(resolver, table)
    for i, raw in enumerate(doc["edges"]):
        where = f"{label}:edges[{i}]"
        if not isinstance(raw, dict):
            sl.reject(where, "edge is not an object")
            continue
        s_lab, t_lab, sign = raw.get("source"), raw.get("target"), raw.get("sign")
        if not isinstance(s_lab, str) or not isinstance(t_lab, str) or not s_lab or not t_lab:
            sl.reject(where, "edge needs string 'source' and 'target'")
            continue
        if isinstance(sign, bool) or sign not in (1, -1):
            sl.reject(where, f"sign {sign!r} is not 1 (activation) or -1 (inhibition)")
            continue
        undeclared = [x for x in (s_lab, t_lab) if x not in declared_set]
        if undeclared:
            sl.reject(where, f"edge names {', '.join(map(repr, undeclared))}, not in the file's node list")
            continue
        s, t = mapper.map(s_lab), mapper.map(t_lab)
        if s.reason or t.reason:
            sl.unmapped([lab for lab, m in ((s_lab, s), (t_lab, t)) if m.reason])
            continue
        pred = SIGN_PREDICATE[sign]
        e = Edge(s.nodes[0].id, pred, t.nodes[0].id, sign)
        ctx = dict(MODEL_CONTEXT, source_label=s_lab, target_label=t_lab)
        if s.state:
            ctx["source_state"] = s.state
        if t.state:
            ctx["target_state"] = t.state
        ctx_t = tuple(sorted(ctx.items()))
        ev = [Evidence(e.key, SOURCE, CITATION, f"np-mt-rnm model edge (not a quotation of a paper): "
                       f"{s_lab} {pred} {t_lab}.", None, SOURCE, ctx_t, (), sign)]
        for m, lab in ((s, s_lab), (t, t_lab)):
            for mem in m.members:
                sym = mapper.resolver.genes[mem.subject].symbol
                ev.append(Evidence(mem.key, SOURCE, CITATION,
                                   f"{sym} is a member of the model's node {lab} by the project's label table "
                                   f"(np_mt_rnm_labels.tsv), not by a statement of the model.", None, SOURCE,
                                   (("design", "database"), ("model_label", lab)), (), 1))
        sl.add_row(where, [*s.nodes, *t.nodes], [e, *s.members, *t.members], ev)
    sl.params["mapping"] = mapping_summary(declared_set, mapper)
    return sl


def mapping_summary(labels: set[str], mapper: LabelMapper) -> dict:
    """Per-label mapping of the model's nodes: counts by kind, the rate and what stays unmapped."""
    kinds: Counter = Counter()
    unmapped: dict[str, str] = {}
    for lab in sorted(labels):
        m = mapper.map(lab)
        if m.reason:
            unmapped[lab] = m.reason
            kinds["unmapped"] += 1
        else:
            lm = mapper.table.get(lab)
            kinds[lm.kind if lm else "gene"] += 1
    n = len(labels)
    return {"labels": n, "mapped": n - len(unmapped), "rate": round((n - len(unmapped)) / n, 4) if n else 0.0,
            "by_kind": dict(sorted(kinds.items())), "unmapped": unmapped,
            "approved_symbol_fallback": sorted(mapper.fallback)}


def primary_table_edges(path: str | Path) -> set[tuple[str, str, int]]:
    """(source, target, sign) of the model's primary table ``MT_PRIMARY4_1.xlsx``.

    One row per target node: ``Nodes, Activators, Inhibitors, Stimuli`` with comma-separated
    regulators and ``NOTHING`` for none (model README). Used to check network.json against it.
    """
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(Path(path).read_bytes()), read_only=True, data_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    header = [str(c).strip() for c in rows[0][:3]]
    if header != ["Nodes", "Activators", "Inhibitors"]:
        raise ValueError(f"{Path(path).name}: header must start Nodes, Activators, Inhibitors, got {header}")
    out: set[tuple[str, str, int]] = set()
    for row in rows[1:]:
        if not row or row[0] is None:
            continue
        target = str(row[0]).strip()
        for cell, sign in ((row[1], 1), (row[2], -1)):
            for reg in str(cell or "").split(","):
                reg = reg.strip()
                if reg and reg.upper() != "NOTHING":
                    out.add((reg, target, sign))
    return out
