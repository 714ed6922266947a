"""Grounding: curated free text -> typed concepts with stable CURIEs, and the hierarchy between them.

Three tables, all data: the project vocabulary (``ontology/vocabulary.yaml``: interventions,
mechanical stimuli, tissues and outcomes, each with a parent), the data pack's ontology extract
(``ontologies/terms.tsv``: the GO, CL, UBERON and MONDO terms the graph uses, with typed relations;
written by ``tools/make_ontology_extract.py``), and the curator's grounding map
(``curated/grounding.tsv``: text -> id, the sign of the mapping, and its basis: ``exact``,
``vocabulary`` or ``broader`` — a specific phrase mapped to its general concept, the phrase kept as
the edge's context). ``sign = -1`` marks a phrase that names the loss of its concept
("load-induced aggrecan downregulation" -> ACAN, lowered).

>>> g = default_grounder()
>>> hit = g.ground("spontaneous resorption of LDH")
>>> hit.id, hit.category, hit.basis
('KGV:hernia_resorption', 'phenotype', 'vocabulary')
>>> g.ground("macrophage chemotaxis").id   # an exact GO label
'GO:0048246'
>>> g.ground("a phrase nobody mapped") is None
True
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

from ingest.errors import IngestError, reader_boundary
from kg.datapack import datapack_path
from kg.records.model import Edge, Evidence, Node, Provenance
from kg.records.sources import SourceLoad, SourceReport, now_iso
from ontology import load_ontology

VOCABULARY = Path(__file__).resolve().parents[1] / "ontology" / "vocabulary.yaml"
#: ontology relation -> (predicate, sign) in the graph; ``regulates`` without a sign is not walked.
RELATIONS = {"is_a": ("subclass_of", 1), "part_of": ("part_of", 1),
             "positively_regulates": ("promotes", 1), "negatively_regulates": ("inhibits", -1)}
LICENCE = ("GO, CL, UBERON, MONDO: CC BY 4.0 (extract of the named releases); "
           "project vocabulary: CC BY 4.0")


class GroundingError(IngestError):
    """A grounding table is malformed (the message names file and row): an IngestError, so a ValueError."""


@dataclass(frozen=True)
class Concept:
    id: str
    label: str
    category: str
    synonyms: tuple[str, ...] = ()
    parents: tuple[tuple[str, str], ...] = ()   # (relation, id)
    source: str = "ontology"                    # ontology | vocabulary
    note: str = ""
    members: tuple[str, ...] = ()               # gene symbols of a vocabulary gene group
    modules: tuple[str, ...] = ()               # mechanism modules the term is part of by definition
    where: str = field(default="", compare=False)  # file:line (or file:id) it was read from, for rejections


@dataclass(frozen=True)
class Grounding:
    id: str
    label: str
    category: str
    basis: str      # exact | synonym | vocabulary | broader
    sign: int = 1
    text: str = ""


def norm(text: str) -> str:
    """Case, punctuation and plural-insensitive key: ``"M1 Macrophages"`` -> ``"m1 macrophage"``."""
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    return " ".join(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


class Grounder:
    def __init__(self, concepts: dict[str, Concept], mapping: dict[str, tuple[str, int, str]]):
        self.concepts = concepts
        self.mapping = mapping            # norm(text) -> (id, sign, basis)
        self.lexicon: dict[str, str] = {}
        for c in sorted(concepts.values(), key=lambda c: (c.source != "vocabulary", c.id)):
            for name in (c.label, *c.synonyms):
                self.lexicon.setdefault(norm(name), c.id)

    def ground(self, text: str) -> Grounding | None:
        """The concept ``text`` stands for (curator map first, then exact label or synonym), or None."""
        key = norm(text)
        if key in self.mapping:
            cid, sign, basis = self.mapping[key]
            c = self.concepts.get(cid)
            return Grounding(cid, c.label if c else text, c.category if c else "", basis, sign, text)
        cid = self.lexicon.get(key)
        if cid is None:
            return None
        c = self.concepts[cid]
        basis = "vocabulary" if c.source == "vocabulary" else ("exact" if norm(c.label) == key else "synonym")
        return Grounding(cid, c.label, c.category, basis, 1, text)


def read_vocabulary(path: Path = VOCABULARY) -> dict[str, Concept]:
    """Vocabulary terms by id; a duplicate id, a missing field or a parent cycle names the row.

    Anything malformed (not YAML, not UTF-8, a value of the wrong type) raises :class:`GroundingError`
    naming the file (and the line YAML reports, or the term)."""
    name = Path(path).name
    with reader_boundary(name):
        try:
            doc = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            problem = getattr(exc, "problem", None) or type(exc).__name__
            raise GroundingError(f"{name}:{mark.line + 1}" if mark else name, f"not valid YAML: {problem}") from None
        terms = doc.get("terms") if isinstance(doc, dict) else None
        if not isinstance(terms, list):
            raise GroundingError(name, "expected a mapping with a 'terms' list")
        out: dict[str, Concept] = {}
        for i, t in enumerate(terms, start=1):
            where = f"{name}: term {i}"
            if not isinstance(t, dict) or not all(t.get(k) and isinstance(t[k], str)
                                                  for k in ("id", "label", "category")):
                raise GroundingError(f"{where}: needs id, label and category, got {t!r}")
            bad = [k for k in ("parent", "note") if not isinstance(t.get(k) or "", str)]
            bad += [k for k in ("synonyms", "members", "modules") if not isinstance(t.get(k) or [], list)
                    or not all(isinstance(x, str) for x in t.get(k) or [])]
            if bad:
                raise GroundingError(f"{where}: {', '.join(bad)} must be text "
                                     "(synonyms, members and modules: lists of text)")
            if t["id"] in out:
                raise GroundingError(f"{where}: duplicate id {t['id']}")
            parents = (("is_a", t["parent"]),) if t.get("parent") else ()
            out[t["id"]] = Concept(t["id"], t["label"], t["category"], tuple(t.get("synonyms") or ()), parents,
                                   "vocabulary", t.get("note") or "", tuple(t.get("members") or ()),
                                   tuple(t.get("modules") or ()), f"{name}:{t['id']}")
    for cid in out:  # a cycle would let "is a kind of" walk in circles
        seen, cur = [cid], out[cid]
        while cur.parents and cur.parents[0][1] in out:
            nxt = cur.parents[0][1]
            if nxt in seen:
                raise GroundingError(f"{Path(path).name}: parent cycle {' -> '.join(seen + [nxt])}")
            seen.append(nxt)
            cur = out[nxt]
    return out


def read_terms(path: Path) -> dict[str, Concept]:
    """The ontology extract (``id, label, category, synonyms, relations``); a malformed row raises
    :class:`GroundingError` naming file and line."""
    name = Path(path).name
    out: dict[str, Concept] = {}
    with reader_boundary(name), Path(path).open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter="\t")
        missing = [c for c in ("id", "label", "category") if c not in (reader.fieldnames or ())]
        if missing:
            raise GroundingError(f"{name}:1: header lacks {', '.join(missing)}")
        for lineno, r in enumerate(reader, start=2):
            if not r.get("id") or not r.get("label") or not r.get("category"):
                raise GroundingError(f"{name}:{lineno}: id, label and category are required")
            rels = tuple(tuple(x.split(":", 1)) for x in (r.get("relations") or "").split("|") if x)
            bad = next((":".join(x) for x in rels if len(x) != 2 or not all(x)), None)
            if bad is not None:
                raise GroundingError(f"{name}:{lineno}: relation {bad!r} is not relation:CURIE")
            out[r["id"]] = Concept(r["id"], r["label"], r["category"],
                                   tuple(s for s in (r.get("synonyms") or "").split("|") if s), rels,
                                   where=f"{name}:{lineno}")
    return out


def read_mapping(path: Path, known: set[str]) -> dict[str, tuple[str, int, str]]:
    """The curator's grounding map; ids must be known concepts, HGNC ids or KGGROUP ids."""
    out: dict[str, tuple[str, int, str]] = {}
    with reader_boundary(Path(path).name), Path(path).open(encoding="utf-8", newline="") as fh:
        for lineno, r in enumerate(csv.DictReader(fh, delimiter="\t"), start=2):
            where = f"{Path(path).name}:{lineno}"
            cid, basis = (r.get("id") or "").strip(), (r.get("basis") or "").strip()
            if not r.get("text") or not cid:
                raise GroundingError(f"{where}: text and id are required")
            if cid not in known and not cid.startswith(("HGNC:", "KGGROUP:")):
                raise GroundingError(f"{where}: {cid} is not in the vocabulary or the ontology extract")
            if basis not in ("exact", "synonym", "vocabulary", "broader"):
                raise GroundingError(f"{where}: basis {basis!r} must be exact, synonym, vocabulary or broader")
            sign = (r.get("sign") or "1").strip()
            if sign not in ("1", "-1", "+1"):
                raise GroundingError(f"{where}: sign {r.get('sign')!r} is not 1 or -1")
            out[norm(r["text"])] = (cid, int(sign), basis)
    return out


@lru_cache(maxsize=1)
def default_grounder() -> Grounder:
    concepts = read_terms(datapack_path("ontologies", "terms.tsv"))
    concepts.update(read_vocabulary())
    return Grounder(concepts, read_mapping(datapack_path("curated", "grounding.tsv"), set(concepts)))


def concept_node(c: Concept, source: str = "ontology") -> Node:
    return Node(c.id, c.category, c.label, c.synonyms, (), source, (("note", c.note),) if c.note else ())


def hierarchy(grounder: Grounder | None = None, resolver=None) -> SourceLoad:
    """Every concept of the vocabulary and the ontology extract, with is_a / part_of / regulates edges."""
    from kg.records.sources import gene_node

    g = grounder or default_grounder()
    onto = load_ontology()
    prov = Provenance("ontology_terms", "terms.tsv + vocabulary.yaml", LICENCE, now_iso(),
                      "kg/datapack/ontologies/terms.tsv; ontology/vocabulary.yaml")
    load = SourceLoad(prov, SourceReport("ontology_terms", "ontologies/terms.tsv"), onto)
    cats = {c.id: c.category for c in g.concepts.values()}
    for cid in sorted(g.concepts):
        c = g.concepts[cid]
        nodes, edges, evidence = [concept_node(c, c.source)], [], []
        for rel, parent in c.parents:
            if rel not in RELATIONS or parent not in g.concepts:
                continue
            pred, sign = RELATIONS[rel]
            e = Edge(cid, pred, parent, sign)
            origin = "project vocabulary" if c.source == "vocabulary" else f"{cid.split(':')[0]} ({rel})"
            edges.append(e)
            evidence.append(Evidence(e.key, "ontology", f"ontology:{cid.split(':')[0]}",
                                     f"{c.label} {onto.predicates[pred].template.format(s='', o='').strip()} "
                                     f"{g.concepts[parent].label} — {origin}.", None, "ontology",
                                     (("design", "database"),), (), sign))
        row = c.where or f"{c.source}:{cid}"  # file:line of the term, so a rejection names its file
        if c.members and resolver is not None:
            for sym in c.members:
                res = resolver.resolve(sym)
                if not res.ok:
                    load.reject(f"{row}:{sym}", res.reason())
                    continue
                gene = gene_node(resolver, res.hgnc_id, "ontology")
                m = Edge(gene.id, "member_of", cid, 1)
                nodes.append(gene)
                edges.append(m)
                evidence.append(Evidence(m.key, "ontology", "ontology:vocabulary",
                                         f"{gene.name} is one of the {c.label} (project vocabulary).", None,
                                         "ontology", (("design", "database"),), (), 1))
        for key in c.modules:
            module = onto.modules.get(key)
            if module is None:
                load.reject(row, f"module {key!r} is not one of {', '.join(sorted(onto.modules))}")
                continue
            m = Edge(cid, "member_of", module.id, 1)
            edges.append(m)
            evidence.append(Evidence(m.key, "ontology", "ontology:vocabulary",
                                     f"Curator's module definition: {c.label} is part of {module.name} "
                                     f"(project vocabulary).", None, "ontology", (("design", "database"),),
                                     ("curator_summary",), 1))
            cats[module.id] = "mechanism_module"
        load.add_row(row, nodes, edges, evidence, known_categories=cats)
    return load
