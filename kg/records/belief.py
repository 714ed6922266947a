"""Belief per edge, after INDRA's model, with one paper counted once and a study-design weight.

belief = 1 - prod_over_sources(syst_s + prod_over_papers(rand_eff))
where rand_eff = 1 - (1 - rand_s) * w_design * w_hedge for one paper (its best evidence).
Negated evidence lowers belief: belief *= (1 - penalty) ** n_negated_papers.

One paper counts once **across** sources too: a PMID that our reader and PubTator3 both read (or
that a curated fact also cites) is filed under the one source whose reading of it is most
reliable, (1 - rand_s) * w, so two readers of one abstract are not two confirmations.

>>> cfg = load_belief_config()
>>> one = belief([{"source": "curated", "citation": "PMID:1", "context": {"design": "clinical"}}], cfg)["belief"]
>>> two = belief([{"source": "curated", "citation": "PMID:1", "context": {"design": "clinical"}},
...               {"source": "curated", "citation": "PMID:1", "context": {"design": "clinical"}, "text": "again"}], cfg)["belief"]
>>> one == two   # the same paper counts once
True
>>> ours, theirs = {"source": "pubmed", "citation": "PMID:2"}, {"source": "pubtator", "citation": "PMID:2"}
>>> both = belief([ours, theirs], cfg)["belief"]
>>> both == max(belief([ours], cfg)["belief"], belief([theirs], cfg)["belief"])   # ... and once across readers
True
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from ontology import CONFIG_DIR

CONFIG = CONFIG_DIR / "belief.yaml"


@lru_cache(maxsize=4)
def load_belief_config(path: str | None = None) -> dict[str, Any]:
    """Priors and weights from YAML (``ontology/config/belief.yaml`` unless ``path`` is given)."""
    return yaml.safe_load(Path(path or CONFIG).read_text(encoding="utf-8"))


def _paper_weight(ev: dict[str, Any], cfg: dict[str, Any]) -> float:
    design = (ev.get("context") or {}).get("design", "unknown")
    w = cfg["design_weight"].get(design, cfg["design_weight"]["unknown"])
    if "hedged" in (ev.get("flags") or ()):
        w *= cfg["hedge_weight"]
    if str(ev.get("citation") or "").startswith("URL:"):
        w *= cfg.get("grey_weight", 1.0)
    return w


def belief(evidence: Iterable[dict[str, Any]], cfg: dict[str, Any] | None = None) -> dict[str, Any]:
    """Belief of one edge from its evidence rows, with the parts that make it up."""
    cfg = cfg or load_belief_config()
    rows = evidence if isinstance(evidence, list) else list(evidence)
    if len(rows) == 1:  # most edges of a full build (memberships): the same figures, no sets or dicts
        return _one_reading(rows[0], cfg)
    return _readings(rows, cfg)


def _one_reading(ev: dict[str, Any], cfg: dict[str, Any]) -> dict[str, Any]:
    """:func:`_readings` of a single evidence row, computed directly (tested equal on varied rows)."""
    if "negated" in (ev.get("flags") or ()):
        return {"belief": 0.0, "n_papers": 0, "n_negated": 1, "contested": False, "signs": []}
    prior = cfg["sources"].get(ev.get("source", "default"), cfg["sources"]["default"])
    p_rand = 1.0 - (1.0 - prior["rand"]) * _paper_weight(ev, cfg)
    sign = ev.get("sign")
    return {"belief": round(1.0 - min(1.0, prior["syst"] + p_rand), 6),
            "n_papers": int(ev.get("source") not in (cfg.get("no_paper_sources") or ())),
            "n_negated": 0, "contested": False, "signs": [int(sign)] if sign else []}


def _readings(evidence: list[dict[str, Any]], cfg: dict[str, Any]) -> dict[str, Any]:
    by_source: dict[str, dict[str, float]] = {}
    negated: set[str] = set()
    signs: set[int] = set()
    papers: set[str] = set()
    reading: dict[str, tuple[str, float, float]] = {}  # citation -> (source, weight, reliability)
    no_paper = set(cfg.get("no_paper_sources") or ())
    for ev in evidence:
        cite = str(ev.get("citation") or ev.get("key"))
        if "negated" in (ev.get("flags") or ()):
            negated.add(cite)
            continue
        if ev.get("source") not in no_paper:
            papers.add(cite)
        if ev.get("sign"):
            signs.add(int(ev["sign"]))
        src = ev.get("source", "default")
        prior = cfg["sources"].get(src, cfg["sources"]["default"])
        w = _paper_weight(ev, cfg)
        if (1.0 - prior["rand"]) * w > reading.get(cite, ("", 0.0, -1.0))[2]:
            reading[cite] = (src, w, (1.0 - prior["rand"]) * w)  # one paper: its most reliable reading
    for cite, (src, w, _r) in reading.items():
        by_source.setdefault(src, {})[cite] = w
    p_wrong = 1.0
    for src, per_paper in by_source.items():
        prior = cfg["sources"].get(src, cfg["sources"]["default"])
        p_rand = 1.0
        for w in per_paper.values():
            p_rand *= 1.0 - (1.0 - prior["rand"]) * w
        p_wrong *= min(1.0, prior["syst"] + p_rand)
    b = (1.0 - p_wrong) if by_source else 0.0
    b *= (1.0 - cfg["negation_penalty"]) ** len(negated - papers)
    return {"belief": round(b, 6), "n_papers": len(papers), "n_negated": len(negated),
            "contested": len(signs) > 1, "signs": sorted(signs)}


def edge_summary(evidence: list[dict[str, Any]], cfg: dict[str, Any] | None = None,
                 memo: dict[tuple[Any, ...], dict[str, Any]] | None = None) -> dict[str, Any]:
    """The computed properties an edge carries: belief, paper count, contested flag, sources, contexts.

    ``memo``: a dict the caller keeps for one ``cfg``, where the summary of a single evidence row is
    kept by what it depends on (source, flags, context, whether the citation is a URL), so the million
    memberships of a full build, which share a few such rows, are summarised a few times (43 -> 20 s).
    Each call still returns its own lists.

    >>> memo, cfg = {}, load_belief_config()
    >>> rows = [[{"source": "go", "citation": "GO:1", "context": {"design": "database"}}],
    ...         [{"source": "go", "citation": "GO:2", "context": {"design": "database"}}],
    ...         [{"source": "pubmed", "citation": "URL:x", "flags": ["hedged"], "context": {"species": "rat"}}]]
    >>> [edge_summary(r, cfg, memo) == edge_summary(r, cfg) for r in rows], len(memo)
    ([True, True, True], 2)
    >>> edge_summary(rows[0], cfg, memo)["sources"] is edge_summary(rows[1], cfg, memo)["sources"]
    False
    """
    if memo is not None and len(evidence) == 1:
        key = _summary_key(evidence[0])
        if key is not None:
            summary = memo.get(key)
            if summary is None:
                summary = memo[key] = edge_summary(evidence, cfg)
            return {k: list(v) if type(v) is list else v for k, v in summary.items()}
    b = belief(evidence, cfg)
    ctx = [ev.get("context") or {} for ev in evidence]
    return {"belief": b["belief"], "n_papers": b["n_papers"], "contested": b["contested"],
            "n_evidence": len(evidence),
            "sources": sorted({ev["source"] for ev in evidence}),
            "species": sorted({c["species"] for c in ctx if c.get("species")}),
            "designs": sorted({c.get("design", "unknown") for c in ctx})}


def _summary_key(ev: dict[str, Any]) -> tuple[Any, ...] | None:
    """What the summary of an edge with this one evidence row depends on, or None (not hashable)."""
    try:
        key = (ev["source"], tuple(ev.get("flags") or ()), tuple(sorted((ev.get("context") or {}).items())),
               str(ev.get("citation") or "").startswith("URL:"))
        hash(key)
    except (KeyError, TypeError):
        return None
    return key
