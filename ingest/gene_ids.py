"""Gene identifiers as labs write them, told apart by shape and mapped to HGNC genes.

Human HGNC symbols (approved, previous, alias), HGNC ids, Entrez numbers, human Ensembl ids
(``ENSG…``, with or without a version suffix such as ``.12``), mouse and rat Ensembl ids
(``ENSMUSG…``, ``ENSRNOG…``) and mouse/rat symbols (``Mmp3``, ``Acan``, ``Trp53``). Rodent genes go
to their human orthologue: a symbol that is the human symbol in another case ("Mmp3") by the
resolver's case folding, any other by the shipped orthologue tables (``kg/datapack/orthologs``,
built by ``tools/make_rodent_orthologs.py`` from HGNC, MGI and RGD).

>>> from ingest.hgnc import default_resolver
>>> m = OrthologueMapper(default_resolver(), "user")
>>> [id_kind(x) for x in ("ENSG00000149968.12", "ENSRNOG00000017701", "4314", "Mmp3", "MMP3")]
['ensembl', 'ensembl_rat', 'entrez', 'rodent_symbol', 'symbol']
>>> [m.any_id(x).name for x in ("ENSG00000149968.12", "Mmp3", "Trp53", "ENSRNOG00000032626")]
['MMP3', 'MMP3', 'TP53', 'MMP3']
"""
from __future__ import annotations

import csv
import io
import re
from functools import lru_cache

from ingest.errors import open_gzip
from ingest.gmt import GeneMapper
from ingest.hgnc import HGNCResolver
from kg.records.model import Node

#: id kind -> species it implies ("" when the id says nothing about the species).
KIND_SPECIES = {"ensembl": "human", "symbol": "human", "ensembl_mouse": "mouse", "ensembl_rat": "rat",
                "rodent_symbol": "mouse or rat", "entrez": "", "hgnc": "human"}
RODENT = ("mouse", "rat")
_ENSEMBL = re.compile(r"^(ENS(?:MUS|RNO)?G\d{6,})(?:\.\d+)?(?:[|_:].*)?$", re.I)
_HGNC = re.compile(r"^HGNC:\d+$", re.I)
_ENTREZ = re.compile(r"^\d+(?:\.0)?$")


def id_kind(text: str) -> str:
    """``hgnc``, ``ensembl`` (human), ``ensembl_mouse``, ``ensembl_rat``, ``entrez``, ``rodent_symbol`` or ``symbol``.

    A symbol with lower-case letters is written the mouse/rat way, except the human ``C1orf112`` kind.
    """
    t = text.strip()
    m = _ENSEMBL.match(t)
    if m:
        head = m.group(1).upper()
        return "ensembl_mouse" if head.startswith("ENSMUSG") else "ensembl_rat" if head.startswith("ENSRNOG") else "ensembl"
    if _HGNC.match(t):
        return "hgnc"
    if _ENTREZ.match(t):
        return "entrez"
    if re.search(r"[a-z]", t) and "orf" not in t:
        return "rodent_symbol"
    return "symbol"


def _table(name: str, key: str) -> dict[str, str]:
    from kg.datapack import datapack_path

    try:
        path = datapack_path("orthologs", name)
    except FileNotFoundError:
        return {}
    with io.TextIOWrapper(open_gzip(path.open("rb"), path.name), encoding="utf-8") as fh:
        return {r[key]: r["hgnc_id"] for r in csv.DictReader(fh, delimiter="\t")}


@lru_cache(maxsize=1)
def rodent_tables() -> tuple[dict[str, str], dict[str, str]]:
    """(rodent symbol -> HGNC id, rodent Ensembl gene id -> HGNC id), read once per process."""
    return _table("rodent_symbols.tsv.gz", "rodent_symbol"), _table("rodent_ensembl.tsv.gz", "ensembl_gene_id")


class OrthologueMapper(GeneMapper):
    """:class:`ingest.gmt.GeneMapper` that also maps mouse/rat symbols and Ensembl ids to human genes.

    ``species`` (as the user gave it) set to mouse or rat turns off the human Entrez lookup: a rat
    Entrez number read as a human one would name an unrelated gene.
    """

    def __init__(self, resolver: HGNCResolver, source: str, species: str = ""):
        super().__init__(resolver, source)
        self.species = species.strip().lower()
        self._rodent_symbols, self._rodent_ensembl = rodent_tables()

    def _known(self, hgnc_id: str | None) -> Node | None:
        return self.node(hgnc_id) if hgnc_id and hgnc_id in self.resolver.genes else None

    def symbol(self, text: str) -> Node | None:
        gene = super().symbol(text)
        if gene is None:
            gene = self._known(self._rodent_symbols.get(text.strip()))
            if gene is not None:
                self.last_reason = ""
        return gene

    def ensembl(self, text: str) -> Node | None:
        m = _ENSEMBL.match(text.strip())
        if m is None:
            self.last_reason = f"{text!r} is not an Ensembl gene id"
            return None
        head = m.group(1).upper()
        if head.startswith("ENSG"):
            return super().ensembl(head)
        gene = self._known(self._rodent_ensembl.get(head))
        self.last_reason = "" if gene else f"Ensembl gene {head!r} has no human orthologue in the HGNC table"
        return gene

    def entrez(self, text: str) -> Node | None:
        if self.species in RODENT:
            self.last_reason = f"Entrez gene {text!r}: {self.species} Entrez ids are not mapped (use symbols or Ensembl ids)"
            return None
        return super().entrez(text.strip().removesuffix(".0"))

    def any_id(self, text: str) -> Node | None:
        kind = id_kind(text)
        if kind.startswith("ensembl"):
            return self.ensembl(text)
        if kind == "entrez":
            return self.entrez(text)
        return self.symbol(text)
