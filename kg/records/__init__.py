"""Records: the typed nodes, edges, evidence and source loads every layer passes on, and belief."""
