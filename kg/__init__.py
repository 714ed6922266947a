"""The knowledge graph: records, loader, stores, queries and the `kg` command.

From Python (a notebook): ``import kg; g = kg.open()``, then ``g.paths(...)``, ``g.entity(...)``,
``g.hypotheses(...)`` and ``g.cypher(...)`` (see :mod:`kg.surfaces.notebook`).
"""
from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    """``kg.open``, ``kg.Graph`` and ``kg.GraphNotBuilt``, imported on first use so that ``import kg.store``
    and the ``kg`` command never load the query and analysis layers they do not need."""
    if name in ("open", "Graph", "GraphNotBuilt"):
        from kg.surfaces import notebook

        value = getattr(notebook, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
