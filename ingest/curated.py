"""Curated mechanism knowledge: the module definitions and the cited mechanism facts.

Reads ``modules`` from the ontology and ``mechanism_facts.tsv`` (shipped in the data pack,
copied from shared/data/curated) into records with evidence and provenance.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Iterator

from ingest.context import parse_context
from ingest.errors import IngestError, csv_reason, reader_boundary
from ingest.gmt import source_bytes
from ingest.grounding import Grounder, Grounding, default_grounder
from ingest.hgnc import HGNCResolver
from kg.records.model import Edge, Evidence, Node, Provenance
from kg.records.sources import SourceLoad, SourceReport, citation_curie, gene_node, now_iso, slug
from ontology import Ontology, load_ontology

FACT_COLUMNS = ["subject", "subject_type", "subject_id", "predicate", "object", "object_type",
                "object_id", "sign", "context", "statement", "citation", "source_url"]
TYPE_TO_CATEGORY = {"Process": "biological_process", "CellType": "cell_type", "Tissue": "tissue",
                    "Phenotype": "phenotype", "Chemical": "chemical", "Intervention": "intervention"}
# A gene named with one of these words is a perturbation of the gene, not the gene itself.
PERTURBATION = re.compile(r"deficien|knock|loss of|-/-|blocker|inhibitor|antagonist|silenc", re.I)
LICENCE = "CC BY 4.0 (project curation; facts cite their sources)"


def _is_mechanical(onto: Ontology, text: str) -> bool:
    words = onto.lexicons.get("mechanical_stimulus", [])
    return any(re.search(r"(?<![a-z])" + re.escape(w) + r"(?![a-z])", text, re.I) for w in words)


def _grounded(g: Grounding, resolver: HGNCResolver, source: str) -> tuple[list[Node], list[tuple[str, str]]]:
    if g.id.startswith("HGNC:"):
        return [gene_node(resolver, g.id, source)], []
    if g.id.startswith("KGGROUP:"):
        genes = [gene_node(resolver, resolver.resolve(sym).hgnc_id, source) for sym in g.id[8:].split("+")]
        group = Node(g.id, "gene_group", "+".join(x.name for x in genes), (), tuple(x.id for x in genes), source)
        return [group, *genes], [(x.id, g.id) for x in genes]
    return [Node(g.id, g.category, g.label, (), (), source)], []


def entity(onto: Ontology, resolver: HGNCResolver, name: str, etype: str, ids: str,
           source: str, grounder: Grounder | None = None
           ) -> tuple[list[Node], list[tuple[str, str]], str | None, Grounding | None]:
    """Nodes for one fact column, group memberships (gene, group), a reason if unmappable, the grounding.

    Returns (nodes, memberships, reason, grounding); the first node is the entity itself. The
    curator's grounding map wins over the row's own ids (it may say a phrase names a gene).
    """
    name = name.strip()
    g = (grounder or default_grounder()).ground(name)
    if g is not None and (g.basis != "exact" or etype not in ("Gene", "Protein")):
        nodes, mem = _grounded(g, resolver, source)
        return nodes, mem, None, g
    nodes, mem, err = _entity(onto, resolver, name, etype, ids, source)
    return nodes, mem, err, None


def _entity(onto: Ontology, resolver: HGNCResolver, name: str, etype: str, ids: str,
            source: str) -> tuple[list[Node], list[tuple[str, str]], str | None]:
    id_list = [i.strip() for i in ids.split(";") if i.strip()]
    if etype in ("Gene", "Protein") and not PERTURBATION.search(name):
        genes = []
        for sym in id_list:
            res = resolver.resolve(sym)
            if not res.ok:
                return [], [], f"{etype} id {res.reason()}"
            genes.append(gene_node(resolver, res.hgnc_id, source))
        if len(genes) == 1:
            return genes, [], None
        gid = "KGGROUP:" + ("+".join(sorted(g.name for g in genes)) if genes else slug(name))
        group = Node(gid, "gene_group", name, (), tuple(g.id for g in genes), source)
        return [group, *genes], [(g.id, gid) for g in genes], None
    if etype in ("Gene", "Protein"):
        category = "phenotype"
    elif etype == "Process" and id_list and id_list[0].startswith("GO:"):
        return [Node(id_list[0], "biological_process", name, (), (), source)], [], None
    elif etype == "Intervention" and _is_mechanical(onto, name):
        category = "mechanical_stimulus"
    elif etype in TYPE_TO_CATEGORY:
        category = TYPE_TO_CATEGORY[etype]
    else:
        return [], [], f"unknown entity type {etype!r} (allowed: Gene, Protein, {', '.join(TYPE_TO_CATEGORY)})"
    xrefs = tuple(i for i in id_list if ":" in i)
    return [Node(f"KG:{slug(name)}", category, name, (), xrefs, source)], [], None


_FLIP = {"increases": "decreases", "decreases": "increases", "activates": "inhibits", "inhibits": "activates",
         "promotes": "decreases", "required_for": "decreases", "upregulates_expression": "downregulates_expression",
         "downregulates_expression": "upregulates_expression"}


def flip(predicate: str) -> str:
    """The predicate of the opposite sign (for a phrase naming the loss of its concept).

    >>> flip("required_for"), flip("inhibits")
    ('decreases', 'activates')
    """
    return _FLIP.get(predicate, predicate)


def _tsv_rows(text: str, name: str) -> Iterator[tuple[str, list[str] | None, str]]:
    """(``file:line``, cells or None, reason) per record; quoted cells may span lines as before.

    ``text`` was decoded with ``surrogateescape``: a record holding a non-UTF-8 byte is rejected
    alone, and so is one that the csv module refuses (a cell over its limit, a stray ``\r``).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t")
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield f"{name}:{start}", None, csv_reason(exc)
            continue
        if any("\udc80" <= ch <= "\udcff" for c in row for ch in c):
            yield f"{name}:{start}", None, "row is not UTF-8; save the file as UTF-8"
            continue
        yield f"{name}:{start}", row, ""


CITATIONS = "citations.tsv"
CITATION_STATUS = ("identified", "grey_literature", "unresolved")


def read_citations(path: Path) -> dict[int, dict[str, str]]:
    """Identifiers looked up for facts that cite a web page, by the fact's line number.

    ``identified`` rows replace the web page with the PMID/DOI a search showed; ``grey_literature``
    (conference abstracts, database records) and ``unresolved`` rows keep the page and are flagged.
    """
    out: dict[int, dict[str, str]] = {}
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for lineno, r in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            if r.get("status") not in CITATION_STATUS or not (r.get("line") or "").isdigit():
                raise IngestError(f"{Path(path).name}:{lineno}: needs a fact line and a status in {CITATION_STATUS}")
            if r["status"] == "identified" and not re.match(r"(PMID|DOI|PMCID):", r.get("new_citation") or ""):
                raise IngestError(f"{Path(path).name}:{lineno}: an identified citation needs a PMID, DOI or PMCID")
            out[int(r["line"])] = r
    return out


DECOMPOSITIONS = "decompositions.tsv"
DECOMPOSITION_COLUMNS = ["line", "subject", "predicate", "object", "sign", "flags", "modelled_as"]


def read_decompositions(path: Path) -> dict[int, list[dict[str, str]]]:
    """Gene-level statements the curator read out of compound facts, by the fact's line number.

    Each keeps its fact's citation and statement; ``modelled_as`` says how it was read. A bad row
    is kept with its ``error`` so the fact reader rejects it with ``file:line``.
    """
    out: dict[int, list[dict[str, str]]] = {}
    with Path(path).open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        if next(reader, None) != DECOMPOSITION_COLUMNS:
            raise IngestError(f"{Path(path).name}:1: header must be {DECOMPOSITION_COLUMNS}")
        for lineno, row in enumerate(reader, start=2):
            if not any(c.strip() for c in row):
                continue
            d = dict(zip(DECOMPOSITION_COLUMNS, row))
            d["where"] = f"{Path(path).name}:{lineno}"
            if len(row) != len(DECOMPOSITION_COLUMNS) or not d["line"].isdigit():
                d["error"] = f"expected {len(DECOMPOSITION_COLUMNS)} columns and a fact line number"
                d["line"] = d["line"] if d.get("line", "").isdigit() else "0"
            out.setdefault(int(d["line"]), []).append(d)
    return out


def _concept(ref: str, resolver: HGNCResolver, grounder: Grounder) -> tuple[list[Node], list[Edge]] | str:
    """Nodes (and group memberships) for a decomposition's subject or object: a symbol or an id."""
    if ref.startswith("KGGROUP:"):
        if not all(resolver.resolve(x).ok for x in ref[8:].split("+")):
            return f"group {ref} names a symbol HGNC does not know"
        nodes, mem = _grounded(Grounding(ref, ref, "gene_group", "exact"), resolver, "curated")
        return nodes, [Edge(g, "member_of", grp, 1) for g, grp in mem]
    if ref in grounder.concepts:
        c = grounder.concepts[ref]
        return [Node(c.id, c.category, c.label, (), (), "curated")], []
    res = resolver.resolve(ref)
    if not res.ok:
        return f"{ref!r} is neither a concept id nor a gene symbol ({res.reason()})"
    return [gene_node(resolver, res.hgnc_id, "curated")], []


def _decomposed(d: dict[str, str], fact: dict[str, str], citation: str, ctx: tuple, fact_sign: int,
                resolver: HGNCResolver, grounder: Grounder):
    """(nodes, edges, evidence) of one decomposition row, or the reason it is rejected."""
    if d.get("error"):
        return d["error"]
    onto = load_ontology()
    pred = d["predicate"].strip()
    if pred not in onto.predicates:
        return f"unknown predicate {pred!r}"
    try:
        sign = int(d["sign"].replace("+", ""))
    except ValueError:
        return f"sign {d['sign']!r} is not -1, 0 or +1"
    polarity = onto.predicates[pred].polarity
    if fact_sign and not sign:
        return f"the decomposition loses the sign of its fact (fact sign {fact_sign:+d}, row sign 0)"
    if polarity and sign and polarity != sign:
        return f"sign {sign:+d} contradicts the predicate {pred} (polarity {polarity:+d})"
    subj, obj = _concept(d["subject"].strip(), resolver, grounder), _concept(d["object"].strip(), resolver, grounder)
    for side, got in (("subject", subj), ("object", obj)):
        if isinstance(got, str):
            return f"{side}: {got}"
    edge = Edge(subj[0][0].id, pred, obj[0][0].id, sign)
    flags = tuple(["curator_summary", "decomposed"] + [f.strip() for f in d["flags"].split(",") if f.strip()])
    text = f"Curator's summary: {fact['statement']} Modelled as: {d['modelled_as']}."
    ev = [Evidence(edge.key, "curated", citation, text, None, "curated", ctx, flags, sign)]
    mem = subj[1] + obj[1]
    ev += [Evidence(m.key, "curated", citation, f"{m.subject} is a member of the group named in the source.",
                    None, "curated", ctx, (), 1) for m in mem]
    return [*subj[0], *obj[0]], [edge, *mem], ev


def read_facts(path: Path, resolver: HGNCResolver, onto: Ontology | None = None,
               version: str | None = None) -> SourceLoad:
    """Mechanism facts TSV (``.gz`` too) -> records; bad rows are rejected with ``file:line`` and the rule."""
    onto = onto or load_ontology()
    path = Path(path)
    prov = Provenance("curated", version or path.name, LICENCE, now_iso(), str(path))
    load = SourceLoad(prov, SourceReport("curated", str(path)), onto)
    grounder = default_grounder()
    dec_path = path.with_name(DECOMPOSITIONS)
    decomposed = read_decompositions(dec_path) if dec_path.exists() else {}
    cite_path = path.with_name(CITATIONS)
    looked_up = read_citations(cite_path) if cite_path.exists() else {}
    data, _ = source_bytes(path)
    rows = _tsv_rows(data.decode("utf-8", errors="surrogateescape"), path.name)
    first = next(rows, None)
    header = first[1] if first else None
    if header != FACT_COLUMNS:
        got = header if first is None or first[1] is not None else first[2]
        load.reject(f"{path.name}:1", f"header must be {FACT_COLUMNS}, got {got}")
        return load
    with reader_boundary(path.name):  # anything unforeseen in a value: one error naming the file
        for where, row, reason in rows:
            if row is None:
                load.reject(where, reason)
                continue
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(FACT_COLUMNS):
                load.reject(where, f"expected {len(FACT_COLUMNS)} columns, got {len(row)}")
                continue
            r = dict(zip(FACT_COLUMNS, row))
            if not r["citation"].strip():
                load.reject(where, "missing citation")
                continue
            try:
                sign = int(r["sign"].replace("+", ""))
            except ValueError:
                load.reject(where, f"sign {r['sign']!r} is not -1, 0 or +1")
                continue
            s_nodes, s_mem, s_err, s_g = entity(onto, resolver, r["subject"], r["subject_type"], r["subject_id"],
                                                "curated")
            o_nodes, o_mem, o_err, o_g = entity(onto, resolver, r["object"], r["object_type"], r["object_id"],
                                                "curated")
            if s_err or o_err:
                load.reject(where, f"subject: {s_err}" if s_err else f"object: {o_err}")
                continue
            if s_nodes[0].id == o_nodes[0].id:
                load.reject(where, f"subject and object both ground to {s_nodes[0].id}; the fact would be a loop")
                continue
            lineno = int(where.rsplit(":", 1)[1])
            found = looked_up.get(lineno)
            citation = citation_curie(found["new_citation"] if found and found["status"] == "identified"
                                      else r["citation"])
            status = found["status"] if found else ("identified" if not citation.startswith("URL:") else "unresolved")
            context = parse_context(r["context"])
            if found and found["status"] == "identified":
                context["citation_lookup"] = f"identifier found by search for the cited page ({CITATIONS})"
            if r["source_url"]:
                context["source_url"] = r["source_url"]
            predicate = r["predicate"].strip()
            for side, g in (("subject", s_g), ("object", o_g)):
                if g is not None:  # the curator's words stay beside the modelled concept
                    context[f"{side}_text"] = g.text
                    context[f"{side}_grounding"] = g.basis
                    if g.sign < 0:
                        predicate, sign = flip(predicate), -sign
            ctx = tuple(sorted(context.items()))
            edge = Edge(s_nodes[0].id, predicate, o_nodes[0].id, sign)
            edges = [edge]
            text = f"Curator's summary: {r['statement']}"
            flags = ("curator_summary",) + (() if status == "identified" else (status,))
            evidence = [Evidence(edge.key, "curated", citation, text, None, "curated", ctx, flags, sign)]
            for gene_id, group_id in s_mem + o_mem:
                m = Edge(gene_id, "member_of", group_id, 1)
                edges.append(m)
                evidence.append(Evidence(m.key, "curated", citation,
                                         f"{gene_id} is a member of the group named in the source.", None,
                                         "curated", ctx, (), 1))
            load.add_row(where, [*s_nodes, *o_nodes], edges, evidence)
            for d in decomposed.get(lineno, ()):
                extra = _decomposed(d, r, citation, ctx, sign, resolver, grounder)
                if isinstance(extra, str):
                    load.reject(d["where"], extra)
                else:
                    load.add_row(d["where"], *extra)
    return load


ANNOTATIONS = "module_annotations.tsv"


def read_annotations(path: Path) -> dict[str, list[tuple[str, str, str, str]]]:
    """module key -> (symbol, GO id, GO name, MSigDB set) rows (written by tools/make_module_annotations.py)."""
    out: dict[str, list[tuple[str, str, str, str]]] = {}
    with Path(path).open(encoding="utf-8", newline="") as fh:
        for lineno, r in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            if not all(r.get(k) for k in ("module", "symbol", "go_id", "go_name", "msigdb_set")):
                raise IngestError(f"{Path(path).name}:{lineno}: module, symbol, go_id, go_name and msigdb_set are required")
            out.setdefault(r["module"], []).append((r["symbol"], r["go_id"], r["go_name"], r["msigdb_set"]))
    return out


def read_modules(resolver: HGNCResolver, onto: Ontology | None = None) -> SourceLoad:
    """Module nodes and their member genes, GO terms and Reactome pathways (from ontology/modules.yaml),
    plus member genes by their own GO annotation (``module_annotations.tsv`` in the data pack)."""
    from kg.datapack import datapack_path  # noqa: PLC0415

    onto = onto or load_ontology()
    ann_path = datapack_path("curated", ANNOTATIONS)
    annotations = read_annotations(ann_path) if ann_path.exists() else {}
    prov = Provenance("curated_modules", "modules.yaml", LICENCE, now_iso(), "ontology/modules.yaml")
    load = SourceLoad(prov, SourceReport("curated_modules", "ontology/modules.yaml"), onto)
    for m in sorted(onto.modules.values(), key=lambda m: m.order):
        xrefs = tuple(t["id"] for t in m.mesh_terms)
        mod = Node(m.id, "mechanism_module", m.name, m.synonyms, xrefs, "curated_modules",
                   (("description", m.description), ("order", m.order)))
        load.add_row(f"modules.yaml:{m.key}", [mod], [], [])
        # The module's key sources describe the module, not each member: a membership cites the
        # curator's definition (no paper), so MMP3's membership never borrows six papers' weight.
        cites = ["ontology/modules.yaml"]
        members: list[tuple[Node, str]] = []
        for sym in m.member_genes:
            res = resolver.resolve(sym)
            if not res.ok:
                load.reject(f"modules.yaml:{m.key}:{sym}", res.reason())
                continue
            members.append((gene_node(resolver, res.hgnc_id, "curated_modules"), "member gene"))
        members += [(Node(t["id"], "biological_process", t["name"], (), (), "curated_modules"), "GO term")
                    for t in m.go_terms]
        members += [(Node(t["id"], "pathway", t["name"], (), (), "curated_modules",
                          (("verification", t.get("verification", "")),)), "Reactome pathway")
                    for t in m.reactome_pathways]
        curated_ids = {n.id for n, _ in members}
        for sym, go_id, go_name, set_name in annotations.get(m.key, ()):
            res = resolver.resolve(sym)
            if not res.ok:
                load.reject(f"{ANNOTATIONS}:{m.key}:{sym}", res.reason())
                continue
            gene = gene_node(resolver, res.hgnc_id, "curated_modules")
            e = Edge(gene.id, "member_of", m.id, m.member_sign(gene.name))
            ev = Evidence(e.key, "go", go_id, f"GO annotation: {gene.name} is annotated to {go_name} ({go_id}), "
                          f"a process of the {m.name} module (MSigDB C5 GO v2023.2 set {set_name}).", None,
                          "go_annotation", (("design", "database"),), (), e.sign)
            if gene.id in curated_ids:  # the curator's membership gains the annotation as its evidence
                load.add_row(f"{ANNOTATIONS}:{m.key}:{sym}:{go_id}", [], [e], [ev],
                             known_categories={m.id: "mechanism_module", gene.id: "gene"})
            else:
                load.add_row(f"{ANNOTATIONS}:{m.key}:{sym}:{go_id}", [gene], [e], [ev],
                             known_categories={m.id: "mechanism_module"})
        for node, kind in members:
            sign = m.member_sign(node.name) if kind == "member gene" else 1
            e = Edge(node.id, "member_of", m.id, sign)
            ev = [Evidence(e.key, "curated_modules", c, membership_sentence(node.name, kind, m.name, sign),
                           None, "curated", (("design", "database"),), ("curator_summary",), sign) for c in cites]
            load.add_row(f"modules.yaml:{m.key}:{node.id}", [node], [e], ev,
                         known_categories={m.id: "mechanism_module"})
    return load


def membership_sentence(member: str, kind: str, module: str, sign: int) -> str:
    """The curator's module definition in words, for a member whose sign is +1, 0 or -1.

    >>> membership_sentence("COL2A1", "member gene", "Matrix degradation", -1)
    "Curator's module definition: COL2A1 is a member gene of the Matrix degradation module and opposes it."
    >>> membership_sentence("MMP3", "member gene", "Matrix degradation", 1)
    "Curator's module definition: MMP3 is a member gene of the Matrix degradation module."
    >>> membership_sentence("ITGA5", "member gene", "Decompression", 0)
    "Curator's module definition: ITGA5 is a member gene of the Decompression module (direction not stated)."
    """
    role = {1: "", 0: " (direction not stated)", -1: " and opposes it"}[sign]
    return f"Curator's module definition: {member} is a {kind} of the {module} module{role}."


def attach_by_lexicon(nodes: dict[str, Node], onto: Ontology | None = None) -> SourceLoad:
    """Put free-text entities (KG: ids, GO terms) into modules by the modules' lexicon rules."""
    onto = onto or load_ontology()
    prov = Provenance("lexicon", "modules.yaml lexicon", LICENCE, now_iso(), "ontology/modules.yaml")
    load = SourceLoad(prov, SourceReport("lexicon", "ontology/modules.yaml#lexicon"), onto)
    cats = {n.id: n.category for n in nodes.values()}
    cats.update({m.id: "mechanism_module" for m in onto.modules.values()})
    for nid in sorted(nodes):
        n = nodes[nid]
        if n.category in ("gene", "mechanism_module", "publication", "experiment"):
            continue
        for m, sign in onto.modules_for_text(n.name, n.category):
            e = Edge(n.id, "member_of", m.id, sign)
            word = next(w for w in (m.include if sign > 0 else m.inverse)
                        if re.search(re.escape(w), n.name, re.I))
            text = (f"'{n.name}' names {'part of' if sign > 0 else 'the opposite of'} {m.name} "
                    f"(lexicon word '{word}').")
            ev = Evidence(e.key, "lexicon", "ontology/modules.yaml", f"Keyword membership: {text}", None, "lexicon",
                          (("design", "database"),), ("lexicon",), sign)
            load.add_row(f"lexicon:{n.id}->{m.key}", [], [e], [ev], known_categories=cats)
    return load
