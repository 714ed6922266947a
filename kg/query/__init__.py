"""Queries over a store: entity resolution, the path engine, explanations, the sealed Cypher console, exports."""
