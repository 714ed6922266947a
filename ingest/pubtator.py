"""PubTator3 BioC-JSON documents and relation lists -> documents with entity annotations.

The document text is rebuilt from its passages at their offsets (title, a space, abstract as
PubTator lays them out); every annotation must match that text at its offsets, or the whole
document is skipped with a message. Gene annotations map NCBI Gene -> HGNC
(``resolver.by_entrez``), falling back to the approved symbol for a rodent gene written with
the same symbol (``Nfkb1`` -> NFKB1); chemicals and diseases keep their MeSH ids.

>>> doc, why = parse_bioc_document({"id": "1", "passages": [{"offset": 0, "text": "TNF rose.",
...     "infons": {"type": "title", "year": "2020"}, "annotations": [{"text": "TNF",
...     "infons": {"type": "Gene", "identifier": "7124"}, "locations": [{"offset": 0, "length": 3}]}]}]})
>>> doc.entities, why
([(0, 3, 'HGNC:11892', 'gene')], None)
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

from ingest.errors import MALFORMED, IngestError, describe, reader_boundary
from ingest.hgnc import HGNCResolver, default_resolver

#: PubTator concept type -> (category, id prefix); None = not an entity we load.
TYPE_MAP = {"Chemical": ("chemical", "MESH"), "Disease": ("phenotype", "MESH")}
#: Longest document text kept: what the NLP pipeline takes in one piece (spaCy's max_length).
#: Checked on passage offsets before the gap is filled with spaces, so a huge offset costs nothing.
MAX_DOCUMENT_CHARS = 1_000_000


@dataclass
class PubTatorDocument:
    pmid: str
    text: str
    title: str
    year: int | None
    journal: str
    entities: list[tuple[int, int, str, str]]  # (start, end, id, category)
    relations: list[tuple[str, str, str]] = field(default_factory=list)  # (id1, id2, type)
    where: str = ""
    unmapped: list[str] = field(default_factory=list)


def _gene_id(infons: dict[str, Any], text: str, resolver: HGNCResolver) -> str | None:
    ident = str(infons.get("identifier") or infons.get("normalized_id") or "")
    for part in ident.replace(",", ";").split(";"):
        hid = resolver.by_entrez(part) if part.strip().isdigit() else None
        if hid:
            return hid
    for cand in (infons.get("name"), text):
        if cand:
            res = resolver.resolve(str(cand).upper())
            if res.ok and res.status == "approved":
                return res.hgnc_id
    return None


def entity_id(infons: dict[str, Any], text: str, resolver: HGNCResolver) -> tuple[str, str] | None:
    """(id, category) of one annotation, or None when unmapped or not a loaded type."""
    etype = infons.get("type")
    if etype == "Gene":
        hid = _gene_id(infons, text, resolver)
        return (hid, "gene") if hid else None
    if etype in TYPE_MAP:
        cat, pfx = TYPE_MAP[etype]
        ident = str(infons.get("identifier") or "")
        ident = ident.split(";")[0].strip()
        if not ident or ident == "-":
            return None
        local = ident.split(":", 1)[1] if ":" in ident else ident
        return f"{pfx}:{local}", cat
    return None


def _obj(value: Any, what: str) -> dict[str, Any]:
    """``value`` if it is a JSON object (missing or empty: ``{}``), else TypeError naming ``what``."""
    if not value:
        return {}
    if not isinstance(value, dict):
        raise TypeError(f"{what} is a {type(value).__name__}, not an object")
    return value


def _arr(value: Any, what: str) -> list[Any]:
    if not value:
        return []
    if not isinstance(value, list):
        raise TypeError(f"{what} is a {type(value).__name__}, not a list")
    return value


def parse_bioc_document(d: dict[str, Any], where: str = "<json>",
                        resolver: HGNCResolver | None = None) -> tuple[PubTatorDocument | None, str | None]:
    """One BioC document -> (PubTatorDocument, None) or (None, reason); a malformed one gives a reason, never raises."""
    try:
        return _parse_bioc_document(d, where, resolver or default_resolver())
    except MALFORMED as exc:  # wrong JSON types or values anywhere in the document
        return None, f"malformed BioC document: {describe(exc)[1]}"


def _parse_bioc_document(d: dict[str, Any], where: str,
                         resolver: HGNCResolver) -> tuple[PubTatorDocument | None, str | None]:
    passages = sorted((_obj(p, "passage") for p in _arr(_obj(d, "document").get("passages"), "passages")),
                      key=lambda p: int(p.get("offset", 0)))
    if not passages:
        return None, "document has no passages"
    pmid = str(d.get("pmid") or d.get("id") or "").strip()
    if not pmid.isdigit():
        pmid = str(d.get("_id", "")).split("|")[0]
    if not pmid.isdigit():
        return None, f"document id {d.get('id')!r} is not a PMID"
    text = ""
    title, year, journal = "", None, ""
    for p in passages:
        off = int(p.get("offset", 0))
        if off < len(text):
            return None, f"passage at offset {off} overlaps the previous one"
        if off > MAX_DOCUMENT_CHARS:
            return None, f"passage offset {off} is beyond {MAX_DOCUMENT_CHARS:,} characters"
        text += " " * (off - len(text)) + (p.get("text") or "")
        if len(text) > MAX_DOCUMENT_CHARS:
            return None, f"document text is longer than {MAX_DOCUMENT_CHARS:,} characters"
        inf = _obj(p.get("infons"), "passage infons")
        if inf.get("type") in ("title", "front") and not title:
            title = p.get("text") or ""
        if str(inf.get("year", "")).isdigit():
            year = int(inf["year"])
        journal = journal or str(inf.get("journal", ""))
    entities, unmapped = [], []
    for p in passages:
        for a in _arr(p.get("annotations"), "annotations"):
            a = _obj(a, "annotation")
            infons = _obj(a.get("infons"), "annotation infons")
            for loc in _arr(a.get("locations"), "locations"):
                loc = _obj(loc, "location")
                s, n = int(loc.get("offset", -1)), int(loc.get("length", -1))
                if s < 0 or text[s:s + n] != a.get("text"):
                    return None, (f"annotation {a.get('id')} {a.get('text')!r} does not match the text at "
                                  f"offset {s} (found {text[s:s + n]!r})")
                mapped = entity_id(infons, a.get("text", ""), resolver)
                if mapped:
                    entities.append((s, s + n, mapped[0], mapped[1]))
                elif infons.get("type") == "Gene":
                    unmapped.append(a.get("text", ""))
    rels = []
    for r in _arr(d.get("relations"), "relations"):
        inf = _obj(_obj(r, "relation").get("infons"), "relation infons")
        r1, r2 = inf.get("role1") or {}, inf.get("role2") or {}
        if isinstance(r1, dict) and isinstance(r2, dict):
            m1, m2 = entity_id(r1, "", resolver), entity_id(r2, "", resolver)
            if m1 and m2:
                rels.append((m1[0], m2[0], str(inf.get("type", ""))))
    entities.sort()
    return PubTatorDocument(pmid, text, title, year, journal, entities, rels, f"{where}:PMID:{pmid}",
                            unmapped), None


def align_to_text(doc: PubTatorDocument, text: str) -> PubTatorDocument | None:
    """``doc`` with its annotations moved onto ``text`` (the PubMed record of the same paper), or None.

    PubTator3 joins title and abstract with a space where the PubMed reader puts a line break, and
    may lay out a structured abstract differently. Every entity must spell the same text at the
    same offsets in ``text``, after the title/abstract break is allowed to differ; otherwise the
    document cannot be aligned and None is returned (offsets are never guessed).

    >>> d = PubTatorDocument("1", "T. TNF rose.", "T.", None, "", [(3, 6, "HGNC:11892", "gene")])
    >>> align_to_text(d, "T.\\nTNF rose.").text, align_to_text(d, "Other text entirely") is None
    ('T.\\nTNF rose.', True)
    """
    if not text or len(text) != len(doc.text):
        return None
    for s, e, _id, _cat in doc.entities:
        if text[s:e] != doc.text[s:e]:
            return None
    differ = [i for i, (a, b) in enumerate(zip(doc.text, text)) if a != b]
    if any(not (doc.text[i].isspace() and text[i].isspace()) for i in differ):
        return None  # only whitespace (the title/abstract break) may differ
    return replace(doc, text=text)


def parse_relations_api(payload: Any) -> list[tuple[str, str, str]]:
    """PubTator3 ``/relations`` answer (``[{source, target, type, publications}]``) ->
    ``(source, target, type)`` with PubTator ids such as ``@GENE_TNF``."""
    rows = payload if isinstance(payload, list) else (payload or {}).get("relations", [])
    return [(str(r["source"]), str(r["target"]), str(r.get("type", ""))) for r in rows
            if isinstance(r, dict) and "source" in r and "target" in r]


@dataclass
class PubTatorParse:
    documents: list[PubTatorDocument] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    skipped: int = 0


def parse_pubtator_files(paths: Iterable[str | Path], resolver: HGNCResolver | None = None) -> PubTatorParse:
    """Every BioC document in the files (a file holds one document, a list, or a collection)."""
    out = PubTatorParse()
    seen: set[str] = set()
    for path in paths:
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            out.skipped += 1
            out.messages.append(f"{path.name}: not readable BioC JSON ({exc})")
            continue
        _parse_into(out, seen, raw, path.name, resolver)
    return out


def parse_pubtator_bytes(chunks: Iterable[tuple[str, bytes]], resolver: HGNCResolver | None = None) -> PubTatorParse:
    """Like :func:`parse_pubtator_files` for ``(name, content)`` pairs (e.g. PubTator3 API answers)."""
    out = PubTatorParse()
    seen: set[str] = set()
    for name, raw in chunks:
        _parse_into(out, seen, raw, name, resolver)
    return out


def _parse_into(out: PubTatorParse, seen: set[str], raw: bytes, name: str, resolver: HGNCResolver | None) -> None:
    """Parse one BioC JSON payload into ``out``; a malformed payload or document is a message, not an error."""
    try:
        with reader_boundary(name):  # RecursionError too: JSON nested thousands deep
            data = json.loads(raw.decode("utf-8", errors="replace"))
    except IngestError as exc:
        out.skipped += 1
        out.messages.append(f"{exc.where}: not readable BioC JSON ({exc.reason})")
        return
    if isinstance(data, dict) and "documents" in data:
        docs = data["documents"]
    elif isinstance(data, dict) and "PubTator3" in data:
        docs = data["PubTator3"]
    else:
        docs = data
    if not isinstance(docs, list):
        docs = [docs]
    for i, d in enumerate(docs):
        where = f"{name}:document {i + 1}"
        if not isinstance(d, dict):
            out.skipped += 1
            out.messages.append(f"{where}: not a BioC document")
            continue
        doc, why = parse_bioc_document(d, where, resolver)
        if doc is None:
            out.skipped += 1
            out.messages.append(f"{where}: {why}; document skipped")
        elif doc.pmid not in seen:
            seen.add(doc.pmid)
            out.documents.append(doc)
