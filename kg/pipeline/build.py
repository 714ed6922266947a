"""Build profiles: which sources go into the graph, read left to right.

``default`` is small and offline (the shipped data pack). Other profiles add sources
registered in ``SOURCES``; each entry reads a source and returns a SourceLoad.

The ``full`` profile reads a data directory laid out like ``../shared/data``: ``--shared``, else the
shared folder when it exists, else what ``kg fetch`` downloaded (``KG_HOME/data``,
:func:`full_data_dir`). Its gene table is that directory's HGNC table (:func:`hgnc_table`: a fetched
complete set, else the 2024 table), and every file a fetch recorded in ``MANIFEST.json`` carries its
url, sha256 and retrieval time into its source's provenance.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable

from ingest.curated import attach_by_lexicon, read_facts, read_modules
from ingest.downloads import has_fetched_data, read_manifest, release_date, stamp
from ingest.fetch import sha256_file
from ingest.gmt import new_load
from ingest.hgnc import HGNCResolver, default_resolver
from ingest.locations import shared_data_dir
from kg.datapack import datapack_path
from kg.records.bulk import gc_paused
from kg.records.sources import SourceLoad

#: Build sources that read the data directory (the others read the shipped data pack).
DATA_SOURCES = frozenset({"reactome", "wikipathways", "go", "networks"})
#: The data directory's HGNC tables, first found wins: a fetched complete set, the 2024 table.
HGNC_TABLES = ("hgnc/hgnc_complete_set.txt", "orthologs/hgnc_entries.tsv")
HGNC_LICENCE = "CC0 1.0 (HGNC); cite Seal RL et al., Nucleic Acids Res. 2023 (PMID:36243972)"


class MissingData(FileNotFoundError):
    """The full profile found no data directory: the message says which command to run."""


@dataclass
class BuildContext:
    resolver: HGNCResolver
    shared_data: Path | None = None
    loads: list[SourceLoad] = field(default_factory=list)
    manifest: dict[str, dict[str, Any]] | None = None

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


def _stamped(ctx: BuildContext, path: Path, sl: SourceLoad) -> SourceLoad:
    """``sl`` read from ``path`` of the data directory, its provenance carrying the file's sha256 and,
    for a file ``kg fetch`` downloaded, the publisher's url, the retrieval time and the server's
    validators (``params["fetched"]``); a file without a release in its name gets its release date."""
    d = shared_dir(ctx)
    if ctx.manifest is None:
        ctx.manifest = read_manifest(d)
    rel = path.relative_to(d).as_posix()
    entry = ctx.manifest.get(rel)
    sl.params["sha256"] = entry["sha256"] if entry and entry.get("sha256") else sha256_file(path)
    if entry:
        version = sl.provenance.version
        if version == path.name:  # nothing in the name or content says which release this is
            version = f"{path.name} ({release_date(entry)})"
        sl.provenance = replace(sl.provenance, version=version, url=str(entry.get("url", "")),
                                retrieved_at=str(entry.get("retrieved_at", "")))
        sl.params["fetched"] = stamp(entry)
    return sl


def _each(ctx: BuildContext, read: Callable[[Path], SourceLoad], *patterns: str) -> list[SourceLoad]:
    """``read`` applied to every file of the data directory matching ``patterns``, each load stamped."""
    return [_stamped(ctx, p, read(p)) for p in _files(ctx, *patterns)]


def _reactome(ctx: BuildContext) -> list[SourceLoad]:
    from ingest.reactome import read_msigdb_reactome, read_reactome_gmt, read_reactome_hierarchy

    loads = _each(ctx, lambda p: read_reactome_gmt(p, ctx.resolver), "reactome/ReactomePathways*.gmt")
    loads += _each(ctx, lambda p: read_msigdb_reactome(p, ctx.resolver), "reactome/c2.cp.reactome*.gmt")
    names = {i: n.name for sl in ctx.loads + loads for i, n in sl.nodes.items() if i.startswith("REACT:")}
    loads += _each(ctx, lambda p: read_reactome_hierarchy(p, names=names), "reactome/ReactomePathwaysRelation*.txt")
    return loads


def _wikipathways(ctx: BuildContext) -> list[SourceLoad]:
    from ingest.wikipathways import read_gpml, read_msigdb_wikipathways, read_wikipathways_gmt

    loads = _each(ctx, lambda p: read_wikipathways_gmt(p, ctx.resolver), "wikipathways/wikipathways-*.gmt")
    loads += _each(ctx, lambda p: read_msigdb_wikipathways(p, ctx.resolver), "wikipathways/c2.cp.wikipathways*.gmt")
    return loads + _each(ctx, lambda p: read_gpml(p, ctx.resolver), "wikipathways/gpml/*.gpml")


def _go(ctx: BuildContext) -> list[SourceLoad]:
    from ingest.gmt import msigdb_sets

    return _each(ctx, lambda p: msigdb_sets(p, ctx.resolver, source="go", category="biological_process",
                                            licence="CC BY 4.0 (MSigDB C5:GO; Gene Ontology)"),
                 "go/*.gmt", "go/*.gmt.gz")


def _networks(ctx: BuildContext) -> list[SourceLoad]:
    from ingest.signed_tables import read_omnipath, read_signor

    return _each(ctx, lambda p: read_omnipath(p, ctx.resolver), "networks/omnipath*.tsv") + \
        _each(ctx, lambda p: read_signor(p, ctx.resolver), "networks/signor*.csv")


def uses_data_dir(profile: str) -> bool:
    """True when ``profile`` reads files of a data directory (``--shared`` or a ``kg fetch`` download)."""
    return bool(DATA_SOURCES & set(PROFILES.get(profile, ())))


def full_data_dir(shared: Path | None, fetched: Path | None) -> Path:
    """The data directory of a build that reads one: ``shared`` (``--shared``) when given, else the
    shared folder (:func:`ingest.locations.shared_data_dir`) when it exists, else ``fetched`` when it
    holds a ``kg fetch`` download; :class:`MissingData` saying what to run when none is there."""
    if shared is not None:
        return Path(shared)
    auto = shared_data_dir()
    if auto.is_dir():
        return auto
    if fetched is not None and has_fetched_data(fetched):
        return Path(fetched)
    where = f" and {fetched} holds no `kg fetch` download" if fetched is not None else ""
    raise MissingData(f"no data for the full profile: {auto} not found{where}; run `kg fetch` (then "
                      "`kg build --profile full`), or `kg build --profile full --fetch`, or pass --shared PATH")


def hgnc_table(data_dir: Path | None) -> Path | None:
    """The HGNC table of a data directory (see :data:`HGNC_TABLES`), None when it has none."""
    if data_dir is None:
        return None
    return next((Path(data_dir) / rel for rel in HGNC_TABLES if (Path(data_dir) / rel).is_file()), None)


def resolver_for(profile: str, data_dir: Path | None = None) -> HGNCResolver:
    """The gene resolver of a build: the data directory's HGNC table for a profile that reads one
    (``data_dir``, else the shared folder), the shipped table otherwise or when the directory has none."""
    if uses_data_dir(profile):
        table = hgnc_table(Path(data_dir) if data_dir else shared_data_dir())
        if table is not None:
            return default_resolver(str(table))
    return default_resolver()


def _hgnc(ctx: BuildContext) -> list[SourceLoad]:
    """No records: the provenance of the gene table this build resolved symbols with."""
    table = hgnc_table(shared_dir(ctx))
    if table is None:
        path, version = datapack_path("hgnc", "hgnc_complete_set.txt.gz"), ctx.resolver.version
        sl = new_load("hgnc", version, HGNC_LICENCE, str(path), path.name)
        sl.params["sha256"] = sha256_file(path)
        return [sl]
    return [_stamped(ctx, table, new_load("hgnc", table.name, HGNC_LICENCE, str(table), table.name))]


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
    "default": ["curated_modules", "curated_facts", "ontology_terms", "np_mt_rnm", "trrust", "disc_literature"],
    "full": ["curated_modules", "curated_facts", "ontology_terms", "np_mt_rnm", "trrust", "disc_literature",
             "reactome", "wikipathways", "go", "networks"],
}


def disc_pubmed(shared_data: Path, resolver: HGNCResolver) -> SourceLoad:
    """Our reader's evidence from the disc-biology PubMed records under
    ``<shared_data>/literature/disc`` (one per PMID: the two files overlap; the fuller record wins,
    the first on a tie). What the data pack ships as ``literature/disc_pubmed.jsonl.gz``."""
    from ingest.literature import records_from_articles
    from ingest.pubmed import parse_pubmed_files

    disc = Path(shared_data) / "literature" / "disc"
    arts, _ = parse_pubmed_files(sorted(disc.glob("*.xml*")))
    by_pmid: dict = {}
    for a in arts:
        if a.pmid not in by_pmid or len(a.text) > len(by_pmid[a.pmid].text):
            by_pmid[a.pmid] = a
    return records_from_articles(list(by_pmid.values()), source="pubmed", resolver=resolver,
                                 path=str(disc)).load


def _literature(ctx: BuildContext) -> list[SourceLoad]:
    """The disc-biology PubMed records (:func:`disc_pubmed`, read live) and the PubTator JSON under
    ``<shared>/pubmed/pubtator``, mined into sentence-level evidence (PubTator: our reader on its
    entities and its own relations)."""
    from ingest.literature import records_from_pubtator
    from ingest.pubtator import parse_pubtator_files

    if ctx.shared_data is None:
        raise FileNotFoundError("the literature source needs --shared (the shared/data directory)")
    pubtator = Path(ctx.shared_data) / "pubmed" / "pubtator"
    docs = parse_pubtator_files(sorted(pubtator.glob("*.json"))).documents
    return [disc_pubmed(Path(ctx.shared_data), ctx.resolver),
            records_from_pubtator(docs, resolver=ctx.resolver, path=str(pubtator), reader="both").load]


def _disc_literature(ctx: BuildContext) -> list[SourceLoad]:
    """The disc literature as the data pack ships it (no spaCy, no abstracts needed)."""
    from ingest.literature_pack import read_disc_pack

    return [read_disc_pack()]


SOURCES["literature"] = _literature
SOURCES["disc_literature"] = _disc_literature
PROFILES["literature"] = ["curated_modules", "curated_facts", "ontology_terms", "np_mt_rnm", "trrust", "literature"]


def collect(profile: str = "default", shared_data: Path | None = None,
            resolver: HGNCResolver | None = None,
            on_source: Callable[[str], None] | None = None) -> list[SourceLoad]:
    """Read every source of ``profile`` into SourceLoads (nothing is written yet)."""
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r} (choose from {', '.join(PROFILES)})")
    with gc_paused():  # a full build makes millions of records (kg.records.bulk: 26.9 -> 21.6 s, timed ad hoc)
        ctx = BuildContext(resolver or resolver_for(profile, shared_data), shared_data)
        for name in PROFILES[profile]:
            if on_source:
                on_source(name)
            ctx.loads.extend(SOURCES[name](ctx))
        if uses_data_dir(profile):
            ctx.loads.extend(_hgnc(ctx))
        ctx.loads.extend(_lexicon(ctx))
    return ctx.loads
