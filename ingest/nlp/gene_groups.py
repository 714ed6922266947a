"""Gene groups named as one actor: families ("MMPs", "matrix metalloproteinases", "ADAMTS
aggrecanases", "integrins") and integrin heterodimers ("integrin α5β1" = ITGA5 + ITGB1).

A family mention becomes a ``gene_group`` node, never one of its members. Families are listed in
``ner_gene_families`` of ``ontology/lexicons.yaml``; their members are HGNC gene groups (the
``gene_family_id`` column of the shipped HGNC table) or listed symbols. Ids follow the curated
facts: ``KGGROUP:<sorted member symbols>`` when members are listed (ADAMTS aggrecanases ->
``KGGROUP:ADAMTS4+ADAMTS5``), else ``KGGROUP:<slug of the name>`` (``KGGROUP:matrix_metalloproteinases``),
so literature and curated facts meet on one node.

>>> [(m.text, g.id) for m, g in find_groups("Integrin α5β1 and MMPs rose; αvβ3 too.")]
[('Integrin α5β1', 'KGGROUP:ITGA5+ITGB1'), ('MMPs', 'KGGROUP:matrix_metalloproteinases'), ('αvβ3', 'KGGROUP:ITGAV+ITGB3')]
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.hgnc import HGNCResolver, default_resolver
from kg.records.sources import slug
from ontology import load_ontology


@dataclass(frozen=True)
class GeneGroup:
    id: str
    name: str
    members: tuple[str, ...]  # HGNC ids


@dataclass(frozen=True)
class GroupMatch:
    text: str
    start: int
    end: int
    group: GeneGroup | None  # None: a single integrin subunit ("integrin β1"), see ``gene``
    gene: str | None = None


def group_id(name: str, member_symbols: list[str] | None) -> str:
    """``KGGROUP:A+B`` for listed members, else ``KGGROUP:<slug(name)>``."""
    if member_symbols:
        return "KGGROUP:" + "+".join(sorted(member_symbols))
    return "KGGROUP:" + slug(name)


@lru_cache(maxsize=1)
def family_table() -> tuple[dict[str, GeneGroup], dict[str, GeneGroup]]:
    """(case-sensitive forms, lower-cased forms) -> GeneGroup, from ``ner_gene_families``.

    A form with a capital ("MMPs") matches as written; an all-lower-case one in any case.
    """
    resolver = default_resolver()
    exact: dict[str, GeneGroup] = {}
    folded: dict[str, GeneGroup] = {}
    for entry in load_ontology().lexicons.get("ner_gene_families", ()):
        name = entry["name"]
        listed = list(entry.get("members") or ())
        members = [resolver.by_symbol(s) for s in listed]
        for fid in entry.get("hgnc_groups") or ():
            members += list(resolver.family_members(str(fid)))
        members = tuple(dict.fromkeys(m for m in members if m))
        g = GeneGroup(entry.get("id") or group_id(name, listed), name, members)
        for form in (name, *(entry.get("synonyms") or ())):
            if any(c.isupper() for c in form):
                exact.setdefault(form, g)
            else:
                folded.setdefault(form.lower(), g)
    return exact, folded


@lru_cache(maxsize=1)
def groups_by_id() -> dict[str, GeneGroup]:
    """Every family GeneGroup by id (integrin dimers are made on demand by :func:`integrin`)."""
    exact, folded = family_table()
    return {g.id: g for g in (*exact.values(), *folded.values())}


_ALPHA_SUBUNIT = {"v": "ITGAV", "V": "ITGAV", "IIb": "ITGA2B", "L": "ITGAL", "M": "ITGAM", "X": "ITGAX",
                  "E": "ITGAE", "D": "ITGAD"}
_SUB_A = r"\d{1,2}|IIb|v|V|L|M|X|E|D"


def _dimer(a: str, b: str) -> str:
    return rf"(?:α|alpha|Alpha)[\s-]?(?P<{a}>{_SUB_A})\s?(?:β|beta)[\s-]?(?P<{b}>\d)(?!\w)"


_INTEGRIN = re.compile(
    rf"(?P<pre>(?<![\w-])[Ii]ntegrins?[\s-]+)(?:{_dimer('a', 'b')}|(?:α|alpha)[\s-]?(?P<a1>\d{{1,2}}|IIb|v|V)(?!\w)"
    rf"|(?:β|beta)[\s-]?(?P<b1>\d)(?!\w))"
    rf"|(?<![\w-]){_dimer('a2', 'b2')}(?P<post>[\s-]+[Ii]ntegrins?(?![\w-]))?")
_BARE_NEEDS_CONTEXT = re.compile(r"integrin", re.I)


def integrin(alpha: str | None, beta: str | None,
             resolver: HGNCResolver | None = None) -> tuple[GeneGroup | None, str | None]:
    """(group, gene): a dimer is a GeneGroup ``KGGROUP:ITGA5+ITGB1``; one subunit is its gene id."""
    resolver = resolver or default_resolver()
    a = resolver.by_symbol(_ALPHA_SUBUNIT.get(alpha, f"ITGA{alpha}")) if alpha else None
    b = resolver.by_symbol(f"ITGB{beta}") if beta else None
    if a and b:
        syms = [resolver.genes[a].symbol, resolver.genes[b].symbol]
        name = f"integrin alpha{alpha}beta{beta}"
        return GeneGroup(group_id(name, syms), name, (a, b)), None
    if alpha and beta:
        return None, None
    return None, a or b


def find_groups(text: str, resolver: HGNCResolver | None = None,
                families: bool = True) -> list[tuple[GroupMatch, GeneGroup | None]]:
    """Family and integrin mentions in ``text``, in order (a bare "α5β1" only when the text says
    "integrin" somewhere). ``families=False``: integrins only (the NER matches families with
    :func:`family_matcher`, on tokens)."""
    resolver = resolver or default_resolver()
    out: list[tuple[GroupMatch, GeneGroup | None]] = []
    bare_ok = bool(_BARE_NEEDS_CONTEXT.search(text))
    for m in (_INTEGRIN.finditer(text) if ("α" in text or "lpha" in text) else ()):
        alpha = m.group("a") or m.group("a1") or m.group("a2")
        beta = m.group("b") or m.group("b1") or m.group("b2")
        if m.group("pre") is None and m.group("post") is None and not bare_ok:
            continue
        group, gene = integrin(alpha, beta, resolver)
        if group is None and gene is None:
            continue
        out.append((GroupMatch(m.group(), m.start(), m.end(), group, gene), group))
    exact, folded = _family_patterns() if families else ((None, {}), (None, {}))
    for pat, table, fold in ((exact[0], exact[1], False), (folded[0], folded[1], True)):
        if pat is None:
            continue
        for m in pat.finditer(text):
            g = table[m.group().lower() if fold else m.group()]
            out.append((GroupMatch(m.group(), m.start(), m.end(), g), g))
    out.sort(key=lambda x: (x[0].start, -x[0].end))
    return out


@lru_cache(maxsize=1)
def _family_patterns():
    exact, folded = family_table()

    def pattern(forms, flags):
        if not forms:
            return None
        alts = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
        return re.compile(rf"(?<![\w-])(?:{alts})(?![\w-])", flags)

    return (pattern(exact, 0), exact), (pattern(folded, re.I), folded)


def family_matcher(nlp):
    """(PhraseMatcher, form -> GeneGroup) over the family forms for ``nlp``'s tokenizer: a form with
    a capital matches as written (ORTH), the others in any case (LOWER)."""
    from spacy.matcher import PhraseMatcher

    exact, folded = family_table()
    matcher_exact = PhraseMatcher(nlp.vocab, attr="ORTH")
    matcher_lower = PhraseMatcher(nlp.vocab, attr="LOWER")
    for forms, matcher in ((exact, matcher_exact), (folded, matcher_lower)):
        for form in sorted(forms):
            matcher.add(form, [nlp.make_doc(form)])
    table = {**{k: v for k, v in exact.items()}, **{k: v for k, v in folded.items()}}
    return matcher_exact, matcher_lower, table
