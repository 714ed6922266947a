"""The ontology as data: categories, predicates, mechanism modules and lexicons (YAML).

>>> onto = load_ontology()
>>> onto.predicates["degrades"].polarity
-1
>>> onto.check_edge("HGNC:7173", "gene", "degrades", "HGNC:9", "gene", -1) is None
True
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
#: Rules of the query and analysis layers (paths, belief, cards, export), kept as data beside the schema.
CONFIG_DIR = HERE / "config"


class OntologyError(ValueError):
    """The ontology files themselves are inconsistent."""


@dataclass(frozen=True)
class Category:
    key: str
    biolink: str
    label: str
    id_prefixes: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Predicate:
    key: str
    biolink: str
    label: str
    polarity: int
    directed: bool
    domain: tuple[str, ...] | None  # None = any
    range: tuple[str, ...] | None
    template: str
    qualifier: tuple[tuple[str, str], ...] = ()
    literature_domain: tuple[str, ...] | None = None  # None = domain
    literature_range: tuple[str, ...] | None = None  # None = range

    def allowed_signs(self) -> tuple[int, ...]:
        # member_of may be inverse (-1): a loading stimulus is an inverse member of Decompression.
        if self.key == "member_of":
            return (1, 0, -1)
        return (self.polarity,) if self.polarity else (-1, 0, 1)


@dataclass(frozen=True)
class Module:
    key: str
    id: str
    name: str
    order: int
    synonyms: tuple[str, ...]
    description: str
    member_genes: tuple[str, ...]
    go_terms: tuple[dict, ...]
    reactome_pathways: tuple[dict, ...]
    mesh_terms: tuple[dict, ...]
    key_sources: tuple[str, ...]
    include: tuple[str, ...]
    inverse: tuple[str, ...]
    inverse_categories: tuple[str, ...] = ()
    member_sign_default: int = 1
    member_signs: tuple[tuple[str, int], ...] = ()

    def member_sign(self, symbol: str) -> int:
        """Sign a member gene carries for the module (see ontology/sources/modules_extra.yaml)."""
        return dict(self.member_signs).get(symbol, self.member_sign_default)

    def lexicon_sign(self, text: str, category: str | None = None) -> int:
        """+1 when ``text`` names something in this module, -1 for its opposite state, 0 otherwise.

        Inclusion wins over inversion ("traction after compression" is unloading).
        """
        if any(_word_match(w, text) for w in self.include):
            return 1
        if category is not None and category not in self.inverse_categories:
            return 0
        if any(_word_match(w, text) for w in self.inverse):
            return -1
        return 0


@lru_cache(maxsize=512)
def _word_re(word: str) -> re.Pattern:
    # Uppercase words are symbols: match case-sensitively; others are case-insensitive.
    flags = 0 if word.isupper() or any(c.isupper() for c in word[1:]) else re.IGNORECASE
    return re.compile(r"(?<![A-Za-z0-9])" + re.escape(word) + r"(?![a-z])", flags)


def _word_match(word: str, text: str) -> bool:
    return bool(_word_re(word).search(text))


@dataclass
class Ontology:
    categories: dict[str, Category]
    predicates: dict[str, Predicate]
    modules: dict[str, Module]
    lexicons: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    # -- validation: return a reason string, never raise on bad data --------------
    def check_node(self, node_id: str, category: str, name: str) -> str | None:
        cat = self.categories.get(category)
        if cat is None:
            return f"unknown category {category!r} (allowed: {', '.join(sorted(self.categories))})"
        if not node_id or ":" not in node_id or " " in node_id:
            return f"bad identifier {node_id!r}: expected a CURIE such as HGNC:7173"
        pfx = node_id.split(":", 1)[0]
        if pfx not in cat.id_prefixes:
            return f"identifier {node_id!r} has prefix {pfx!r}, not allowed for {category} ({', '.join(cat.id_prefixes)})"
        if not name:
            return f"node {node_id} has no name"
        return None

    def check_edge(self, subject: str, subject_category: str, predicate: str,
                   obj: str, object_category: str, sign: int) -> str | None:
        pred = self.predicates.get(predicate)
        if pred is None:
            return f"unknown predicate {predicate!r} (allowed: {', '.join(sorted(self.predicates))})"
        if sign not in pred.allowed_signs():
            return f"sign {sign:+d} not allowed for {predicate} (allowed: {pred.allowed_signs()})"
        if pred.domain is not None and subject_category not in pred.domain:
            return f"{predicate} does not take a {subject_category} subject (domain: {', '.join(pred.domain)})"
        if pred.range is not None and object_category not in pred.range:
            return f"{predicate} does not take a {object_category} object (range: {', '.join(pred.range)})"
        if subject == obj:
            return f"self-loop {subject} {predicate} {obj}"
        return None

    def check_literature_edge(self, subject_category: str, predicate: str, object_category: str) -> str | None:
        """Reason a relation read from text may not join these categories, or None.

        >>> load_ontology().check_literature_edge("tissue", "degrades", "gene")
        'degrades does not take a tissue subject (domain: gene, gene_group, chemical, cell_type)'
        """
        pred = self.predicates.get(predicate)
        if pred is None:
            return f"unknown predicate {predicate!r}"
        for label, side, cat in (("subject", pred.domain, subject_category), ("object", pred.range, object_category),
                                 ("subject", pred.literature_domain, subject_category),
                                 ("object", pred.literature_range, object_category)):
            if side is not None and cat not in side:
                kind = "domain" if label == "subject" else "range"
                return f"{predicate} does not take a {cat} {label} ({kind}: {', '.join(side)})"
        return None

    def module_by_name(self, text: str) -> Module | None:
        t = text.strip().lower()
        for m in self.modules.values():
            if t in {m.key, m.id.lower(), m.name.lower(), *(s.lower() for s in m.synonyms)}:
                return m
        return None

    def modules_for_text(self, text: str, category: str | None = None) -> list[tuple[Module, int]]:
        """Modules whose lexicon names ``text`` (of ``category``), with the membership sign."""
        out = []
        for m in self.modules.values():
            s = m.lexicon_sign(text, category)
            if s:
                out.append((m, s))
        return out

    def predicate_sign(self, predicate: str) -> int:
        return self.predicates[predicate].polarity


def _tuple_or_none(v: Any) -> tuple[str, ...] | None:
    return None if v in (None, "any") else tuple(v)


@lru_cache(maxsize=4)
def load_ontology(directory: str | None = None) -> Ontology:
    """Load and check the ontology YAML files (cached per directory)."""
    d = Path(directory) if directory else HERE
    cats_raw = yaml.safe_load((d / "categories.yaml").read_text(encoding="utf-8"))["categories"]
    preds_raw = yaml.safe_load((d / "predicates.yaml").read_text(encoding="utf-8"))["predicates"]
    mods_raw = yaml.safe_load((d / "modules.yaml").read_text(encoding="utf-8"))["modules"]
    lex_path = d / "lexicons.yaml"
    lexicons = yaml.safe_load(lex_path.read_text(encoding="utf-8"))["lexicons"] if lex_path.exists() else {}

    categories = {k: Category(k, v["biolink"], v["label"], tuple(v["id_prefixes"]), v.get("description", ""))
                  for k, v in cats_raw.items()}
    predicates = {}
    for k, v in preds_raw.items():
        p = Predicate(k, v["biolink"], v["label"], int(v["polarity"]), bool(v["directed"]),
                      _tuple_or_none(v.get("domain")), _tuple_or_none(v.get("range")), v["template"],
                      tuple(sorted((v.get("qualifier") or {}).items())),
                      _tuple_or_none(v.get("literature_domain")), _tuple_or_none(v.get("literature_range")))
        for side in (p.domain or ()) + (p.range or ()) + (p.literature_domain or ()) + (p.literature_range or ()):
            if side not in categories:
                raise OntologyError(f"predicates.yaml: {k} names unknown category {side!r}")
        if p.polarity not in (-1, 0, 1):
            raise OntologyError(f"predicates.yaml: {k} polarity must be -1, 0 or 1")
        predicates[k] = p
    modules = {}
    for k, v in mods_raw.items():
        lex = v.get("lexicon") or {}
        modules[k] = Module(k, f"MODULE:{k}", v["name"], int(v.get("order", 99)), tuple(v.get("synonyms") or ()),
                            v.get("description", ""), tuple(v.get("member_genes") or ()),
                            tuple(v.get("go_terms") or ()), tuple(v.get("reactome_pathways") or ()),
                            tuple(v.get("mesh_terms") or ()), tuple(v.get("key_sources") or ()),
                            tuple(lex.get("include") or ()), tuple(lex.get("inverse") or ()),
                            tuple(lex.get("inverse_categories") or ()),
                            int(v.get("member_sign_default", 1)),
                            tuple(sorted((v.get("member_signs") or {}).items())))
    return Ontology(categories, predicates, modules, lexicons)


def category_label(category: str) -> str:
    """The Neo4j label of a node category ("gene" -> "Gene"); unknown categories pass through."""
    cat = load_ontology().categories.get(category)
    return cat.label if cat else (category or "Entity")


def predicate_label(predicate: str) -> str:
    """The relationship type of a predicate ("member_of" -> "MEMBER_OF")."""
    pred = load_ontology().predicates.get(predicate)
    return pred.label if pred else str(predicate).upper()
