"""Build profiles: which sources go into the graph, read left to right.

``default`` is small and offline (the shipped data pack). Other profiles add sources
registered in ``SOURCES``; each entry reads a source and returns a SourceLoad.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ingest.curated import attach_by_lexicon, read_facts, read_modules
from ingest.hgnc import HGNCResolver, default_resolver
from ingest.records import SourceLoad
from kg.datapack import datapack_path


@dataclass
class BuildContext:
    resolver: HGNCResolver
    shared_data: Path | None = None
    loads: list[SourceLoad] = field(default_factory=list)

    def all_nodes(self) -> dict:
        out: dict = {}
        for sl in self.loads:
            out.update(sl.nodes)
        return out


def _modules(ctx: BuildContext) -> list[SourceLoad]:
    return [read_modules(ctx.resolver)]


def _facts(ctx: BuildContext) -> list[SourceLoad]:
    return [read_facts(datapack_path("curated", "mechanism_facts.tsv"), ctx.resolver)]


def _lexicon(ctx: BuildContext) -> list[SourceLoad]:
    return [attach_by_lexicon(ctx.all_nodes())]


#: source name -> reader. The lexicon step runs last in every profile.
SOURCES: dict[str, Callable[[BuildContext], list[SourceLoad]]] = {
    "curated_modules": _modules,
    "curated_facts": _facts,
}
PROFILES: dict[str, list[str]] = {
    "default": ["curated_modules", "curated_facts"],
}


def collect(profile: str = "default", shared_data: Path | None = None,
            resolver: HGNCResolver | None = None,
            on_source: Callable[[str], None] | None = None) -> list[SourceLoad]:
    """Read every source of ``profile`` into SourceLoads (nothing is written yet)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (choose from {', '.join(PROFILES)})")
    ctx = BuildContext(resolver or default_resolver(), shared_data)
    for name in PROFILES[profile]:
        if on_source:
            on_source(name)
        ctx.loads.extend(SOURCES[name](ctx))
    ctx.loads.extend(_lexicon(ctx))
    return ctx.loads
