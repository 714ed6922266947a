"""Hypothesis cards in words and files: claims, observables and assays from templates
(``ontology/config/cards.yaml``), and JSON, Markdown and CSV renderings.

>>> claim("TGFB1", "MMP3", 1, "NP cells", ["ITGB1", "PTK2"])
'TGFB1 increases MMP3 in NP cells, via ITGB1 and PTK2'
>>> claim("VEGFA", "catabolic gene expression in disc cells", 1, "disc cells", [])
'VEGFA increases catabolic gene expression in disc cells'
>>> observable_and_assay("TGFB1", "gene", "MMP3", "gene", 1, "NP cells", ())["observable"]
'MMP3 mRNA/protein rises in NP cells within 24–72 h'
"""
from __future__ import annotations

import csv
import io
import json
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import yaml

from kg.query.explain import belief_text, evidence_text
from ontology import CONFIG_DIR

CONFIG = CONFIG_DIR / "cards.yaml"
CSV_COLUMNS = ["rank", "id", "claim", "subject_id", "subject", "object_id", "object", "expected_sign", "score",
               "n_paths", "adamic_adar", "resource_allocation", "dwpc", "via", "direct_edge",
               "co_mention_papers", "n_supporting_paths", "n_contradicting", "top_citations",
               "predicted_observable", "suggested_assay", "graph_version"]


@lru_cache(maxsize=2)
def load_card_config(path: str | None = None) -> dict[str, Any]:
    return yaml.safe_load(Path(path or CONFIG).read_text(encoding="utf-8"))


def where_phrase(tissue: str | None) -> str:
    """"NP cells" for nucleus pulposus, etc. (``where`` in cards.yaml)."""
    table = load_card_config()["where"]
    return table.get(tissue or "", table["default"])


def join_names(names: list[str]) -> str:
    """"A", "A and B", "A, B and C"."""
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def claim(subject: str, obj: str, sign: int, where: str, via: list[str], species: str | None = None) -> str:
    """One-sentence claim of a hypothesis, from the ``claim`` template."""
    cfg = load_card_config()
    return cfg["claim"].format(
        s=subject, o=obj, verb=cfg["verbs"][str(sign)],
        where_part="" if where.lower() in obj.lower() else cfg["where_part"].format(where=where),
        species_part=cfg["species_part"].format(species=species) if species else "",
        via_part=cfg["via_part"].format(via=join_names(via)) if via else "")


def _matches(rule: dict[str, Any], subject_cat: str, object_cat: str, sign: int, object_modules: Iterable[str],
             opposed_modules: Iterable[str] = ()) -> bool:
    if rule.get("subject", "*") not in ("*", subject_cat):
        return False
    if rule.get("object", "*") not in ("*", object_cat):
        return False
    if str(rule.get("sign", "*")) not in ("*", str(sign)):
        return False
    opposed = set(opposed_modules)
    if "object_opposes_module" in rule and rule["object_opposes_module"] not in opposed:
        return False
    return "object_module" not in rule or rule["object_module"] in set(object_modules) - opposed


def observable_and_assay(subject: str, subject_cat: str, obj: str, object_cat: str, sign: int, where: str,
                         object_modules: Iterable[str], opposed_modules: Iterable[str] = ()) -> dict[str, str]:
    """Predicted observable and suggested assay: the first matching rule of cards.yaml.

    ``opposed_modules`` are the modules the object is an inverse member of (membership sign -1:
    collagen II or a TIMP for matrix degradation); ``object_module`` rules skip them and
    ``object_opposes_module`` rules match them.

    >>> observable_and_assay("TNF", "gene", "COL2A1", "gene", -1, "NP cells", ["matrix_degradation"],
    ...                      ["matrix_degradation"])["observable"]
    'COL2A1 mRNA/protein falls in NP cells within 24–72 h and the matrix is lost faster (less aggrecan/collagen II in the tissue, more GAG in the medium)'
    """
    cfg = load_card_config()
    mods, opposed = tuple(object_modules), tuple(opposed_modules)
    for i, rule in enumerate(cfg["rules"]):
        if _matches(rule, subject_cat, object_cat, sign, mods, opposed):
            fill = {"s": subject, "o": obj, "where": where, "verb_word": cfg["verb_words"][str(sign)]}
            return {"observable": rule["observable"].format(**fill), "assay": rule["assay"].format(**fill),
                    "template": f"rules[{i}]"}
    raise ValueError("cards.yaml has no catch-all rule (object: '*', sign: '*')")


# -- renderings ---------------------------------------------------------------------------
def to_json(cards: list[dict[str, Any]]) -> str:
    """Canonical JSON: same cards -> same bytes."""
    return json.dumps(cards, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def _citations(card: dict[str, Any], limit: int = 5) -> list[str]:
    seen: list[str] = []
    for p in card["supporting_paths"]:
        for h in p["edges"]:
            for ev in h["evidence"]:
                if ev["citation"] not in seen:
                    seen.append(ev["citation"])
    return seen[:limit]


def csv_row(card: dict[str, Any]) -> dict[str, Any]:
    comp = card["score_components"]
    return {"rank": card["rank"], "id": card["id"], "claim": card["claim"], "subject_id": card["subject"]["id"],
            "subject": card["subject"]["name"], "object_id": card["object"]["id"], "object": card["object"]["name"],
            "expected_sign": card["expected_sign"], "score": card["score"], "n_paths": comp["n_paths"],
            "adamic_adar": comp["adamic_adar"], "resource_allocation": comp["resource_allocation"],
            "dwpc": comp["dwpc"], "via": "|".join(v["name"] for v in card["via"]),
            "direct_edge": card["novelty"]["direct_edge"],
            "co_mention_papers": card["novelty"]["co_mention_papers"],
            "n_supporting_paths": len(card["supporting_paths"]),
            "n_contradicting": len(card["contradicting"]["paths"]) + len(card["contradicting"]["evidence"]),
            "top_citations": "|".join(_citations(card)), "predicted_observable": card["predicted_observable"],
            "suggested_assay": card["suggested_assay"], "graph_version": card["graph_version"]}


def to_csv(cards: list[dict[str, Any]]) -> str:
    """One row per card (the columns of CSV_COLUMNS)."""
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=CSV_COLUMNS, lineterminator="\n")
    w.writeheader()
    for c in cards:
        w.writerow(csv_row(c))
    return buf.getvalue()


def to_markdown(cards: list[dict[str, Any]], title: str = "Hypotheses") -> str:
    """A readable report: one section per card with paths, evidence and counter-evidence."""
    if not cards:
        return f"# {title}\n\nNo hypotheses.\n"
    lines = [f"# {title}", f"graph version `{cards[0]['graph_version']}` · query "
             f"`{json.dumps(cards[0]['query'], sort_keys=True, ensure_ascii=False)}`", ""]
    for c in cards:
        comp = c["score_components"]
        nov = c["novelty"]
        lines += [f"## {c['rank']}. {c['claim']}",
                  f"score {c['score']:.4g} ({comp['n_paths']} paths, best {comp['best_path']:.3g}; "
                  f"Adamic-Adar {comp['adamic_adar']:.3g}, resource allocation {comp['resource_allocation']:.3g}, "
                  f"DWPC {comp['dwpc']:.3g}) · expected sign {c['expected_sign']:+d} · "
                  f"direct edge: {'yes' if nov['direct_edge'] else 'no'} · co-mentioning papers: "
                  f"{nov['co_mention_papers']}", "",
                  f"- **Predicted observable:** {c['predicted_observable']}",
                  f"- **Suggested assay:** {c['suggested_assay']}"]
        if c["via"]:
            lines.append("- **Intermediates:** " + ", ".join(f"{v['name']} ({v['share']:.0%})" for v in c["via"]))
        lines += ["", "### Supporting paths"]
        if not c["supporting_paths"]:
            lines.append("None within the limits.")
        for p in c["supporting_paths"]:
            lines.append(f"- {p['summary']} (score {p['score']:.4g}, sign {p['sign']:+d})")
            for h in p["edges"]:
                cites = "; ".join(ev["citation"] for ev in h["evidence"])
                lines.append(f"  - {h['sentence']} belief {belief_text(h['belief'])}" + (f" [{cites}]" if cites else ""))
        con = c["contradicting"]
        if con["paths"] or con["evidence"]:
            lines += ["", "### Contradicting"]
            for p in con["paths"]:
                lines.append(f"- path {p['summary']} has sign {p['sign']:+d} (score {p['score']:.4g})")
            for ev in con["evidence"]:
                lines.append(f"- {ev['citation']} ({ev['why']}): {evidence_text(ev)}")
        lines.append("")
    return "\n".join(lines)
