import pytest

from ingest.curated import FACT_COLUMNS, read_facts
from ingest.hgnc import default_resolver
from kg.pipeline.build import collect
from kg.pipeline.load import BuildError, load
from kg.store.embedded import EmbeddedStore
from kg.store.version import graph_version


def test_build_twice_gives_identical_counts(tmp_path):
    s = EmbeddedStore(tmp_path / "g.json.gz")
    load(s, collect())
    first = s.stats()
    s2 = EmbeddedStore(tmp_path / "g.json.gz")
    load(s2, collect())
    assert s2.stats() == first and first["edges"] > 400
    assert graph_version(s) == graph_version(s2)


def test_strict_build_writes_nothing(tmp_path):
    p = tmp_path / "facts.tsv"
    p.write_text("\t".join(FACT_COLUMNS) + "\nTNF\tProtein\tTNF\teats\tMMP3\tGene\tMMP3\t+1\tx\ty\tPMID:1\t\n")
    bad = read_facts(p, default_resolver())
    s = EmbeddedStore(tmp_path / "g.json.gz")
    with pytest.raises(BuildError, match="facts.tsv:2"):
        load(s, [bad], strict=True)
    assert s.stats()["nodes"] == 0 and not (tmp_path / "g.json.gz").exists()


def test_every_edge_has_evidence_and_belief(tmp_path):
    s = EmbeddedStore(tmp_path / "g.json.gz")
    load(s, collect())
    evidence = s.evidence([e["key"] for e in s.iter_edges()])
    negated_only = 0
    for e in s.iter_edges():
        assert evidence[e["key"]], e
        if all("negated" in v["flags"] for v in evidence[e["key"]]):
            assert e["belief"] == 0, e  # every sentence denies it ("cannot inhibit"): kept as counter-evidence
            negated_only += 1
        else:
            assert 0 < e["belief"] < 1, e
    assert negated_only < 10
