from pathlib import Path

from ingest.curated import FACT_COLUMNS, attach_by_lexicon, read_facts, read_modules
from ingest.hgnc import default_resolver
from kg.datapack import datapack_path


def write_facts(tmp_path: Path, rows: list[list[str]]) -> Path:
    p = tmp_path / "facts.tsv"
    p.write_text("\n".join(["\t".join(FACT_COLUMNS)] + ["\t".join(r) for r in rows]) + "\n", encoding="utf-8")
    return p


GOOD = ["TNF", "Protein", "TNF", "upregulates_expression", "MMP3", "Gene", "MMP3", "+1",
        "human NP cells, in vitro", "TNF raises MMP3.", "PMID:12345", "https://example.org"]


def test_shipped_facts_all_load_with_citations():
    from ingest.curated import read_decompositions

    load = read_facts(datapack_path("curated", "mechanism_facts.tsv"), default_resolver())
    n_dec = sum(len(v) for v in read_decompositions(datapack_path("curated", "decompositions.tsv")).values())
    assert n_dec >= 20  # gene-level statements read out of compound facts, each a row of its own
    assert load.report.read == 154 + n_dec and load.report.loaded == 154 + n_dec and not load.report.rejected
    assert all(ev.citation for ev in load.evidence.values())
    assert load.report.reconciles()


def test_bad_rows_are_rejected_with_file_line_and_rule(tmp_path):
    rows = [GOOD,
            GOOD[:3] + ["eats"] + GOOD[4:],                     # unknown predicate
            GOOD[:10] + [""] + GOOD[11:],                        # missing citation
            GOOD[:2] + ["NOTAGENE9"] + GOOD[3:],                 # bad identifier
            GOOD[:5]]                                            # wrong column count
    load = read_facts(write_facts(tmp_path, rows), default_resolver())
    reasons = [str(r) for r in load.report.rejected]
    assert load.report.read == 5 and load.report.loaded == 1 and len(reasons) == 4
    assert reasons[0].startswith("facts.tsv:3:") and "unknown predicate" in reasons[0]
    assert reasons[1].startswith("facts.tsv:4:") and "missing citation" in reasons[1]
    assert reasons[2].startswith("facts.tsv:5:") and "NOTAGENE9" in reasons[2]
    assert reasons[3].startswith("facts.tsv:6:") and "columns" in reasons[3]
    assert load.report.reconciles()


def test_group_subjects_become_groups_with_members(tmp_path):
    row = ["integrin a5b1", "Protein", "ITGA5;ITGB1", "required_for", "MMP3", "Gene", "MMP3", "+1",
           "rat", "x", "PMID:1", ""]
    load = read_facts(write_facts(tmp_path, [row]), default_resolver())
    assert "KGGROUP:ITGA5+ITGB1" in load.nodes
    members = [e for e in load.edges.values() if e.predicate == "member_of"]
    assert {e.object for e in members} == {"KGGROUP:ITGA5+ITGB1"} and len(members) == 2


def test_modules_and_lexicon_attachment():
    r = default_resolver()
    mods = read_modules(r)
    facts = read_facts(datapack_path("curated", "mechanism_facts.tsv"), r)
    lex = attach_by_lexicon({**mods.nodes, **facts.nodes})
    assert len([n for n in mods.nodes.values() if n.category == "mechanism_module"]) == 8
    overload = "KGV:dynamic_overload"  # grounded: "dynamic compressive overload" is a vocabulary synonym
    signs = {e.object: e.sign for e in lex.edges.values() if e.subject == overload}
    assert signs == {"MODULE:decompression": -1}
    assert not mods.report.rejected and lex.report.reconciles()
