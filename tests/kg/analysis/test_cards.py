"""Card wording from the templates, and the JSON, Markdown and CSV renderings."""
from __future__ import annotations

import csv
import io
import json

from kg.analysis.cards import (
    CSV_COLUMNS,
    claim,
    load_card_config,
    observable_and_assay,
    to_csv,
    to_json,
    to_markdown,
    where_phrase,
)


def card(rank=1, claim_text="TGFB1 increases MMP3 in NP cells, via ITGB1 and PTK2"):
    hop = {"sentence": "TGFB1 up-regulates expression of ITGB1.", "belief": 0.7,
           "evidence": [{"citation": "PMID:1", "text": "t"}]}
    return {"rank": rank, "id": f"H-{rank}", "claim": claim_text, "subject": {"id": "HGNC:11766", "name": "TGFB1"},
            "object": {"id": "HGNC:7173", "name": "MMP3"}, "expected_sign": 1, "score": 0.25,
            "score_components": {"n_paths": 2, "best_path": 0.2, "adamic_adar": 1.0, "resource_allocation": 0.5,
                                 "dwpc": 0.1},
            "via": [{"id": "HGNC:6153", "name": "ITGB1", "share": 0.8}, {"id": "HGNC:9611", "name": "PTK2", "share": 0.2}],
            "supporting_paths": [{"summary": "TGFB1 → ITGB1 → MMP3", "score": 0.2, "sign": 1, "edges": [hop]}],
            "contradicting": {"paths": [{"summary": "TGFB1 → X → MMP3", "sign": -1, "score": 0.01}],
                              "evidence": [{"citation": "PMID:2", "why": "negated", "text": "did not"}]},
            "novelty": {"direct_edge": False, "co_mention_papers": 0},
            "predicted_observable": "MMP3 rises", "suggested_assay": "qPCR", "graph_version": "g-1",
            "query": {"source": "TGFB1"}}


def test_claim_reads_like_the_brief():
    assert claim("TGFB1", "MMP3", 1, "NP cells", ["ITGB1", "PTK2"]) == "TGFB1 increases MMP3 in NP cells, via ITGB1 and PTK2"
    assert claim("A", "B", -1, "AF cells", ["X"], "rat") == "A decreases B in AF cells (rat), via X"
    assert claim("A", "B", 0, "disc cells", []) == "A is linked to B in disc cells"
    assert where_phrase("nucleus pulposus") == "NP cells" and where_phrase(None) == "disc cells"


def test_rules_pick_the_most_specific_template():
    mmp3 = observable_and_assay("TGFB1", "gene", "MMP3", "gene", 1, "NP cells", ["matrix_degradation"])
    assert "DMMB" in mmp3["assay"] and mmp3["observable"].startswith("MMP3 mRNA/protein rises in NP cells")
    plain = observable_and_assay("TGFB1", "gene", "ITGB1", "gene", -1, "NP cells", [])
    assert plain["observable"] == "ITGB1 mRNA/protein falls in NP cells within 24–72 h"
    assert "TGFB1" in plain["assay"]
    pheno = observable_and_assay("MMP3", "gene", "resorption", "phenotype", 1, "NP cells", [])
    assert "in vivo" in pheno["observable"] and "MRI" in pheno["assay"]
    odd = observable_and_assay("A", "chemical", "B", "tissue", 0, "disc cells", [])
    assert odd["template"] == f"rules[{len(load_card_config()['rules']) - 1}]"  # the catch-all


def test_renderings():
    cards = [card(1), card(2, 'A "quoted", claim')]
    assert to_json(cards) == to_json(json.loads(to_json(cards)))  # canonical
    rows = list(csv.DictReader(io.StringIO(to_csv(cards))))
    assert list(rows[0]) == CSV_COLUMNS and len(rows) == 2
    assert rows[1]["claim"] == 'A "quoted", claim' and rows[0]["via"] == "ITGB1|PTK2"
    assert rows[0]["n_contradicting"] == "2" and rows[0]["top_citations"] == "PMID:1"
    md = to_markdown(cards)
    assert "## 1. TGFB1 increases MMP3 in NP cells, via ITGB1 and PTK2" in md
    assert "### Contradicting" in md and "PMID:2 (negated)" in md and "graph version `g-1`" in md
    assert "No hypotheses" in to_markdown([])


def test_an_inverse_member_of_matrix_degradation_is_read_the_right_way_round():
    """COL2A1 (a matrix component) falling means matrix is lost, never "retained"; MMP3 keeps its rules."""
    falls = observable_and_assay("TNF", "gene", "COL2A1", "gene", -1, "NP cells", ["matrix_degradation"],
                                 ["matrix_degradation"])["observable"]
    rises = observable_and_assay("TGFB1", "gene", "TIMP1", "gene", 1, "NP cells", ["matrix_degradation"],
                                 ["matrix_degradation"])["observable"]
    assert "falls" in falls and "lost" in falls and "retained" not in falls
    assert "rises" in rises and "kept" in rises and "fragments" not in rises
    mmp3 = observable_and_assay("TNF", "gene", "MMP3", "gene", -1, "NP cells", ["matrix_degradation"], [])
    assert "retained" in mmp3["observable"]
