"""Source adapters: files and HTTP payloads -> records with provenance and a reconciling report."""
