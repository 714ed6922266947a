"""The knowledge graph: records, loader, stores, queries and the `kg` command."""
