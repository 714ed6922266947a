"""Turn what a user typed (an id, a symbol, a name, a module) into graph entities.

>>> import tempfile
>>> from kg.records.model import Node
>>> from kg.store.embedded import EmbeddedStore
>>> store = EmbeddedStore(tempfile.mkdtemp() + "/graph.json.gz")
>>> store.upsert([Node("HGNC:7173", "gene", "MMP3", synonyms=("stromelysin-1",))], [], [])
>>> ep = resolve_entity(store, "stromelysin-1")
>>> ep.id, ep.name, ep.ids()
('HGNC:7173', 'MMP3', {'HGNC:7173': 1})
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any

from kg.store.base import Store, search_rank
from ontology import load_ontology


class EntityNotFound(LookupError):
    def __init__(self, text: str, suggestions: list[str]):
        self.text, self.suggestions = text, suggestions
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"No entity matches {text!r}.{hint}")


@dataclass(frozen=True)
class Endpoint:
    """A path endpoint: one node, or a module/set of member nodes with membership signs."""

    text: str
    id: str
    name: str
    category: str
    members: dict[str, int] = field(default_factory=dict)  # node id -> membership sign
    membership_edges: dict[str, dict[str, Any]] = field(default_factory=dict)  # node id -> member_of edge

    @property
    def is_set(self) -> bool:
        return bool(self.members)

    def ids(self) -> dict[str, int]:
        """Node ids that stand for this endpoint, with the sign each carries."""
        return dict(self.members) if self.members else {self.id: 1}


def _set_members(store: Store, node: dict[str, Any]) -> tuple[dict[str, int], dict[str, dict[str, Any]]]:
    members, edges = {}, {}
    for e in store.edges_of([node["id"]], "in"):
        if e["predicate"] == "member_of" and e["object"] == node["id"]:
            members[e["subject"]] = int(e["sign"])
            edges[e["subject"]] = e
    return members, edges


def resolve_entity(store: Store, text: str) -> Endpoint:
    """Find the entity named by ``text``: id, then exact name/symbol/synonym, then module name.

    Modules, pathways and gene groups resolve to the set of their members.
    Raises :class:`EntityNotFound` with "did you mean" suggestions.
    """
    t = (text or "").strip()
    if not t:
        raise EntityNotFound(text, [])
    node = store.node(t) or store.node(t.upper())
    if node is None:
        module = load_ontology().module_by_name(t)  # module names need no search (a scan on Neo4j)
        node = store.node(module.id) if module else None
    if node is None:
        hits = store.search(t, limit=10)
        exact = [h for h in hits if t.lower() in (str(h["name"]).lower(), str(h["id"]).lower(),
                                                    *(str(s).lower() for s in h.get("synonyms") or ()))]
        # An exact name beats a synonym (a symbol beats another gene's alias); then modules,
        # then genes; ties by id for determinism.
        order = {"mechanism_module": 0, "gene": 1}
        exact.sort(key=lambda h: ((search_rank(t, h) or (9, ""))[0], order.get(h["category"], 2), h["id"]))
        node = exact[0] if exact else None
        if node is None:
            names = [f"{h['name']} ({h['id']})" for h in hits[:5]]
            if not names:
                pool = [r["name"] for r in store.search(t[:3], limit=200)] if len(t) >= 3 else []
                names = difflib.get_close_matches(t, pool, n=5, cutoff=0.5)
            raise EntityNotFound(text, names)
    if node["category"] in ("mechanism_module", "pathway"):
        members, edges = _set_members(store, node)
        if members:
            return Endpoint(t, node["id"], node["name"], node["category"], members, edges)
    return Endpoint(t, node["id"], node["name"], node["category"])
