"""The entity page of an experiment (a DEG table) shows its module enrichment table."""
from __future__ import annotations

from tests.deg_tables import deseq2_csv, human_genes, statistics
from tests.kg.surfaces.app.conftest import build_home, new_app


def test_experiment_entity_page_shows_module_enrichment(tmp_path, monkeypatch):
    from kg.analysis.enrichment import module_enrichment
    from kg.pipeline.experiments import ingest_gene_file
    from kg.store.embedded import EmbeddedStore
    from kg.store.settings import Settings

    home = build_home(tmp_path / "home")
    forced = {"MMP3", "MMP13", "ADAMTS5", "ADAMTS4"}
    genes = [g.symbol for g in human_genes(600, seed=41) if g.symbol not in forced] + sorted(forced)
    p = tmp_path / "res.csv"
    p.write_bytes(deseq2_csv(statistics([(g, frozenset()) for g in genes], seed=42, significant=forced)))
    store = EmbeddedStore(Settings(home=home).embedded_path)
    _, exp_id = ingest_gene_file(store, p, "NP DESeq2")
    want = module_enrichment(store, exp_id)
    store.close()
    monkeypatch.setenv("KG_HOME", str(home))
    monkeypatch.setenv("KG_STORE", "embedded")
    at = new_app()
    at.query_params["id"] = exp_id
    at = at.run().switch_page("kg/surfaces/app/pages/entity.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(s.value == "Module enrichment" for s in at.subheader)
    table = next(d.value for d in at.dataframe if "score" in d.value.columns)
    assert list(table["module"]) == [r["module"] for r in want["modules"]]
    md = table.set_index("module").loc["Matrix degradation"]
    assert md["q"] == next(r["q"] for r in want["modules"] if r["module"] == "Matrix degradation") and md["score"] > 0
    assert "MMP3↑" in md["genes"]
