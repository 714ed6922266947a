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
from ingest.locations import shared_data_dir
from kg.datapack import datapack_path
from kg.records.sources import SourceLoad


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


def _ontology(ctx: BuildContext) -> list[SourceLoad]:
    from ingest.grounding import hierarchy

    return [hierarchy(resolver=ctx.resolver)]


def _np_mt_rnm(ctx: BuildContext) -> list[SourceLoad]:
    from ingest.np_mt_rnm import read_np_mt_rnm

    return [read_np_mt_rnm(datapack_path("networks", "np_mt_rnm", "network.json"), ctx.resolver)]


def _trrust(ctx: BuildContext) -> list[SourceLoad]:
    from ingest.trrust import read_trrust

    return [read_trrust(datapack_path("networks", "trrust_rawdata.human.tsv"), ctx.resolver)]


def _lexicon(ctx: BuildContext) -> list[SourceLoad]:
    return [attach_by_lexicon(ctx.all_nodes())]




def shared_dir(ctx: BuildContext) -> Path:
    """The shared data directory of a full build (``--shared``, else :func:`ingest.locations.shared_data_dir`)."""
    d = Path(ctx.shared_data) if ctx.shared_data else shared_data_dir()
    if not d.is_dir():
        raise FileNotFoundError(f"shared data directory not found: {d} (pass --shared PATH to the full profile)")
    return d


def _files(ctx: BuildContext, *patterns: str) -> list[Path]:
    d = shared_dir(ctx)
    return sorted({p for pat in patterns for p in d.glob(pat) if p.is_file()})


def _reactome(ctx: BuildContext) -> list[SourceLoad]:
    from ingest.reactome import read_msigdb_reactome, read_reactome_gmt, read_reactome_hierarchy

    loads = [read_reactome_gmt(p, ctx.resolver) for p in _files(ctx, "reactome/ReactomePathways*.gmt")]
    loads += [read_msigdb_reactome(p, ctx.resolver) for p in _files(ctx, "reactome/c2.cp.reactome*.gmt")]
    names = {i: n.name for sl in ctx.loads + loads for i, n in sl.nodes.items() if i.startswith("REACT:")}
    loads += [read_reactome_hierarchy(p, names=names) for p in _files(ctx, "reactome/ReactomePathwaysRelation*.txt")]
    return loads


def _wikipathways(ctx: BuildContext) -> list[SourceLoad]:
    from ingest.wikipathways import read_gpml, read_msigdb_wikipathways, read_wikipathways_gmt

    loads = [read_wikipathways_gmt(p, ctx.resolver) for p in _files(ctx, "wikipathways/wikipathways-*.gmt")]
    loads += [read_msigdb_wikipathways(p, ctx.resolver) for p in _files(ctx, "wikipathways/c2.cp.wikipathways*.gmt")]
    return loads + [read_gpml(p, ctx.resolver) for p in _files(ctx, "wikipathways/gpml/*.gpml")]


def _go(ctx: BuildContext) -> list[SourceLoad]:
    from ingest.gmt import msigdb_sets

    return [msigdb_sets(p, ctx.resolver, source="go", category="biological_process",
                        licence="CC BY 4.0 (MSigDB C5:GO; Gene Ontology)")
            for p in _files(ctx, "go/*.gmt", "go/*.gmt.gz")]


def _networks(ctx: BuildContext) -> list[SourceLoad]:
    from ingest.signed_tables import read_omnipath, read_signor

    return [read_omnipath(p, ctx.resolver) for p in _files(ctx, "networks/omnipath*.tsv")] + \
        [read_signor(p, ctx.resolver) for p in _files(ctx, "networks/signor*.csv")]


#: source name -> reader. The lexicon step runs last in every profile.
SOURCES: dict[str, Callable[[BuildContext], list[SourceLoad]]] = {
    "curated_modules": _modules,
    "curated_facts": _facts,
    "ontology_terms": _ontology,
    "np_mt_rnm": _np_mt_rnm,
    "trrust": _trrust,
    "reactome": _reactome,
    "wikipathways": _wikipathways,
    "go": _go,
    "networks": _networks,
}
PROFILES: dict[str, list[str]] = {
    "default": ["curated_modules", "curated_facts", "ontology_terms", "np_mt_rnm", "trrust"],
    "full": ["curated_modules", "curated_facts", "ontology_terms", "np_mt_rnm", "trrust", "reactome", "wikipathways", "go", "networks"],
}


def _literature(ctx: BuildContext) -> list[SourceLoad]:
    """The disc-biology PubMed records under ``<shared>/literature/disc`` (one per PMID: the two
    files overlap) and the PubTator JSON under ``<shared>/pubmed/pubtator``, mined into
    sentence-level evidence (PubTator: our reader on its entities and its own relations)."""
    from ingest.literature import records_from_articles, records_from_pubtator
    from ingest.pubmed import parse_pubmed_files
    from ingest.pubtator import parse_pubtator_files

    if ctx.shared_data is None:
        raise FileNotFoundError("the literature source needs --shared (the shared/data directory)")
    disc = Path(ctx.shared_data) / "literature" / "disc"
    arts, _ = parse_pubmed_files(sorted(disc.glob("*.xml*")))
    by_pmid: dict = {}
    for a in arts:  # a PMID in both files: keep the fuller record, the first on a tie
        if a.pmid not in by_pmid or len(a.text) > len(by_pmid[a.pmid].text):
            by_pmid[a.pmid] = a
    pubtator = Path(ctx.shared_data) / "pubmed" / "pubtator"
    docs = parse_pubtator_files(sorted(pubtator.glob("*.json"))).documents
    return [records_from_articles(list(by_pmid.values()), source="pubmed", resolver=ctx.resolver,
                                  path=str(disc)).load,
            records_from_pubtator(docs, resolver=ctx.resolver, path=str(pubtator), reader="both").load]


SOURCES["literature"] = _literature
PROFILES["literature"] = ["curated_modules", "curated_facts", "ontology_terms", "np_mt_rnm", "trrust", "literature"]


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
