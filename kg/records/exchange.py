"""The exchange formats' schema, shared by the exporter (:mod:`kg.query.export`) and the importer
(:mod:`kg.pipeline.importers`): format names, the base columns every export carries, the array
delimiter, single-file names, and the rows of one export.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kg.records.model import EDGE_COLUMNS, NODE_COLUMNS

FORMATS = ("graphml", "cytoscape", "kgx", "neo4j-csv")
NODE_BASE = NODE_COLUMNS
EDGE_BASE = EDGE_COLUMNS
ARRAY_DELIMITER = "|"
SINGLE_FILE = {"graphml": "graph.graphml", "cytoscape": "graph.cyjs"}


class ExportError(RuntimeError):
    """An export could not be produced or written; the message says which path and why."""


@dataclass
class Subgraph:
    """Rows of one export: nodes, edges, evidence and the metadata stamped on the files."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    evidence: list[dict[str, Any]]
    meta: dict[str, Any] = field(default_factory=dict)
