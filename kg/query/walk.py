"""The walking rules, one home for the path engine, link prediction and permutations.

Which edges a walk may take and in which direction (``ontology/config/paths.yaml``): set-defining
``member_of`` edges into a module or pathway are left out of walks (they are endpoint
memberships), ``member_of`` into a complex or family is walkable both ways, association
predicates (``binds``, ``associated_with``) are undirected, ``measured_in`` (gene -> experiment)
is never a mechanism; and which query filters remove an edge.

>>> cfg = load_path_config()
>>> walk_rule({"predicate": "activates", "object": "B"}, {}, cfg)
'out'
>>> walk_rule({"predicate": "member_of", "object": "M"}, {"M": "mechanism_module"}, cfg) is None
True
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Protocol, Sequence

import yaml

from ontology import CONFIG_DIR, load_ontology

CONFIG = CONFIG_DIR / "paths.yaml"
#: Predicates that link an entity to a user dataset, never a mechanism.
NON_MECHANISM = ("measured_in",)
#: Categories that stand for sets or records, never a hypothesis endpoint.
SET_CATEGORIES = ("mechanism_module", "pathway", "experiment", "publication")


@lru_cache(maxsize=2)
def load_path_config(path: str | None = None) -> dict[str, Any]:
    """The walking and ranking rules (``ontology/config/paths.yaml`` unless ``path`` is given)."""
    return yaml.safe_load(Path(path or CONFIG).read_text(encoding="utf-8"))


class EdgeFilters(Protocol):
    """What :func:`filters_removing` reads from a query (a :class:`kg.query.paths.PathQuery`)."""

    @property
    def predicates(self) -> Sequence[str]: ...
    @property
    def min_belief(self) -> float: ...
    @property
    def species(self) -> Sequence[str]: ...
    @property
    def designs(self) -> Sequence[str]: ...
    @property
    def sources(self) -> Sequence[str]: ...


def walk_rule(e: Mapping[str, Any], categories: Mapping[str, str], cfg: Mapping[str, Any] | None = None,
              skip: Sequence[str] = NON_MECHANISM) -> str | None:
    """``"both"`` (walk both ways), ``"out"`` (subject -> object), ``"assoc"`` (undirected
    association) or None (not walkable) for edge row ``e``; ``categories`` maps node id -> category."""
    cfg = cfg or load_path_config()
    if e["predicate"] in skip:
        return None
    if e["predicate"] in cfg["set_predicates"]:
        return "both" if categories.get(e["object"]) in cfg["walkable_groups"] else None
    pred = load_ontology().predicates.get(e["predicate"])
    return "assoc" if pred is not None and not pred.directed else "out"


FILTERS = ("predicates", "min_belief", "species", "designs", "sources")


def filters_removing(q: EdgeFilters, e: Mapping[str, Any]) -> list[str]:
    """Names of the query filters that remove edge row ``e`` (empty list = the edge is kept).

    >>> from kg.query.paths import PathQuery
    >>> filters_removing(PathQuery("A", "B", min_belief=0.5), {"predicate": "activates", "belief": 0.2})
    ['min_belief']
    """
    out = []
    if q.predicates and e["predicate"] not in q.predicates:
        out.append("predicates")
    if q.min_belief and (e.get("belief") or 0.0) < q.min_belief:
        out.append("min_belief")
    if q.species and not set(q.species) & set(e.get("species") or ()):
        out.append("species")
    if q.designs and not set(q.designs) & set(e.get("designs") or ()):
        out.append("designs")
    if q.sources and not set(q.sources) & set(e.get("sources") or ()):
        out.append("sources")
    return out


def kept(q: EdgeFilters, e: Mapping[str, Any], cfg: Mapping[str, Any] | None = None) -> bool:
    """True when no filter of ``q`` removes ``e``; set edges carry no evidence and always pass."""
    cfg = cfg or load_path_config()
    return e["predicate"] in cfg["set_predicates"] or not filters_removing(q, e)
