"""HGNC gene resolver: text symbol -> HGNC id, in the order approved, previous, alias.

One resolver serves every source (curated facts, gene lists, pathways, literature).
Ambiguous symbols are reported, never guessed.

>>> r = HGNCResolver.from_rows([
...     {"hgnc_id": "HGNC:7173", "symbol": "MMP3", "name": "matrix metallopeptidase 3",
...      "status": "Approved", "alias_symbol": "STMY1|STMY", "prev_symbol": ""}])
>>> r.resolve("MMP-3").hgnc_id, r.resolve("stmy1").status
('HGNC:7173', 'alias')
"""
from __future__ import annotations

import csv
import gzip
import io
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

GREEK = {"α": "A", "β": "B", "γ": "G", "δ": "D", "ε": "E", "κ": "K", "λ": "L", "μ": "M", "ω": "O",
         "Α": "A", "Β": "B", "Γ": "G", "Δ": "D", "Κ": "K"}
GREEK_WORDS = [("ALPHA", "A"), ("BETA", "B"), ("GAMMA", "G"), ("DELTA", "D"), ("KAPPA", "K"), ("EPSILON", "E")]
_STRIP = re.compile(r"[\s\-_./]")


def normalise_symbol(text: str) -> str:
    """Fold case, Greek letters and separators: ``TGF-β1`` and ``TGF-beta1`` -> ``TGFB1``.

    >>> normalise_symbol("TGF-β1"), normalise_symbol("TGF-beta 1"), normalise_symbol("MMP-3")
    ('TGFB1', 'TGFB1', 'MMP3')
    """
    t = unicodedata.normalize("NFKC", text)
    t = "".join(GREEK.get(c, c) for c in t)
    t = _STRIP.sub("", t).upper()
    for word, letter in GREEK_WORDS:
        t = t.replace(word, letter)
    return t


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


@dataclass(frozen=True)
class Resolution:
    """Outcome of one lookup. ``status``: approved, previous, alias, ambiguous, withdrawn or unknown."""

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
    version: str = ""

    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, str]], version: str = "") -> "HGNCResolver":
        approved: dict[str, set[str]] = {}
        previous: dict[str, set[str]] = {}
        alias: dict[str, set[str]] = {}
        self = cls(version=version)
        for row in rows:
            status = row.get("status", "Approved")
            sym = row["symbol"]
            if status != "Approved":
                self._withdrawn.add(sym.upper())
                continue
            hid = row["hgnc_id"]
            g = Gene(hid, sym, row.get("name", ""), row.get("entrez_id", "") or "",
                     row.get("ensembl_gene_id", "") or "", tuple(_split(row.get("uniprot_ids"))),
                     tuple(_split(row.get("alias_symbol"))), tuple(_split(row.get("prev_symbol"))),
                     row.get("locus_group", ""))
            self.genes[hid] = g
            approved.setdefault(sym, set()).add(hid)
            for p in g.previous:
                previous.setdefault(p, set()).add(hid)
            for a in g.aliases:
                alias.setdefault(a, set()).add(hid)
            if g.entrez_id:
                self._by_entrez[g.entrez_id] = hid
            if g.ensembl_id:
                self._by_ensembl[g.ensembl_id] = hid
        self._tiers = (approved, previous, alias)
        self._norm_tiers = tuple(_fold(t) for t in self._tiers)
        return self

    @classmethod
    def from_file(cls, path: str | Path) -> "HGNCResolver":
        """Read ``hgnc_complete_set.txt`` (optionally gzipped)."""
        path = Path(path)
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        reader = csv.DictReader(io.StringIO(raw.decode("utf-8")), delimiter="\t", quoting=csv.QUOTE_NONE)
        return cls.from_rows(reader, version=path.name)

    def resolve(self, text: str) -> Resolution:
        """Resolve a symbol: exact match per tier first, then case/Greek/separator-folded."""
        q = text.strip()
        if q.upper().startswith("HGNC:") and q.upper().replace("HGNC:", "HGNC:") in self.genes:
            g = self.genes[q.upper()]
            return Resolution(text, "approved", g.hgnc_id, g.symbol)
        for tiers, key in ((self._tiers, q), (self._norm_tiers, normalise_symbol(q))):
            for status, tier in zip(("approved", "previous", "alias"), tiers):
                hits = tier.get(key)
                if not hits:
                    continue
                if len(hits) == 1:
                    hid = next(iter(hits))
                    return Resolution(text, status, hid, self.genes[hid].symbol)
                cands = tuple(sorted(self.genes[h].symbol for h in hits))
                return Resolution(text, "ambiguous", None, None, cands)
        if q.upper() in self._withdrawn:
            return Resolution(text, "withdrawn")
        return Resolution(text, "unknown")

    def by_entrez(self, entrez: str) -> str | None:
        return self._by_entrez.get(str(entrez).strip())

    def by_ensembl(self, ensembl: str) -> str | None:
        return self._by_ensembl.get(str(ensembl).strip().split(".")[0])

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
