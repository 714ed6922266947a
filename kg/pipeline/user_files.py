"""A user's own pathway and network files into the graph: KGML, GPML, GMT and signed networks.

Each kind goes through its reader (``ingest.kgml``, ``ingest.wikipathways``, ``ingest.user_pathways``)
and the one idempotent loader, so loading a file twice writes nothing new.

Example (on a built graph)::

    report = ingest_user_file(store, "gmt", "my_sets.gmt")
    report.sources[0]["loaded"], report.sources[0]["detected"]["format"]   # (42, 'user GMT')
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from ingest.hgnc import HGNCResolver, default_resolver
from ingest.kgml import read_kgml
from ingest.user_pathways import read_gmt_file, read_network_file
from ingest.wikipathways import read_gpml
from kg.pipeline.load import BuildReport, load
from kg.records.sources import SourceLoad
from kg.store.base import Store

#: kind -> reader of one file (each takes the source and the HGNC resolver).
READERS: dict[str, Callable[..., SourceLoad]] = {
    "kgml": read_kgml,
    "gpml": read_gpml,
    "gmt": read_gmt_file,
    "network": read_network_file,
}


def read_user_file(kind: str, path: str | Path, resolver: HGNCResolver | None = None) -> SourceLoad:
    """Read one file of ``kind`` (kgml, gpml, gmt, network) into a SourceLoad; nothing is written."""
    if kind not in READERS:
        raise ValueError(f"unknown file kind {kind!r} (choose from {', '.join(READERS)})")
    sl = READERS[kind](Path(path), resolver or default_resolver())
    sl.params.setdefault("format", kind.upper())  # the GMT and network readers name the flavour they saw
    return sl


def ingest_user_file(store: Store, kind: str, path: str | Path, *, strict: bool = False) -> BuildReport:
    """Read one file and load it into ``store``. The report's source carries ``detected`` (format and
    the reader's params).

    Raises :class:`ingest.errors.IngestError` for an unreadable file and
    :class:`kg.pipeline.load.BuildError` when ``strict`` and a row was rejected (nothing is written then).
    """
    sl = read_user_file(kind, path)
    report = load(store, [sl], strict=strict)
    report.sources[-1]["detected"] = {"kind": kind, "source": sl.provenance.source,
                                      "version": sl.provenance.version, **sl.params}
    return report
