"""Each page's logic through streamlit.testing.v1.AppTest: inputs, tables, banners."""
from __future__ import annotations

import hashlib
import json

import pytest

from tests.kg.surfaces.app.conftest import new_app


def page(at, name: str):
    return at.switch_page(f"kg/surfaces/app/pages/{name}.py").run()


def errors(at) -> list[str]:
    return [e.value for e in at.error]


def texts(at) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption])


def no_crash(at) -> None:
    assert not at.exception, [e.value for e in at.exception]


def test_overview_shows_modules_sources_and_version(app_env):
    from kg.store.embedded import EmbeddedStore
    from kg.store.version import graph_version
    from kg.surfaces.graphview import module_members

    store = EmbeddedStore(app_env / "graph.json.gz")
    at = new_app().run()
    no_crash(at)
    assert graph_version(store) in texts(at) and str(app_env) in texts(at)
    modules = at.dataframe[0].value
    members = module_members(store)
    assert len(modules) == 8 and modules["module"].iloc[0] == "Decompression"
    assert modules["members"].iloc[0] == len(members["MODULE:decompression"])
    sources = at.dataframe[2].value
    assert {"curated", "curated_modules"} <= set(sources["source"]) and sources["licence"].str.len().min() > 0


def test_path_explorer_finds_ranks_and_explains(app_env):
    at = page(new_app().run(), "paths")
    assert at.selectbox(key="path_source").value == "MODULE:decompression"
    at.selectbox(key="path_target").set_value("HGNC:7173")  # MMP3
    at.selectbox(key="path_expect").set_value("decreases")
    at.button[0].click().run()
    no_crash(at)
    assert not errors(at)
    table = at.dataframe[0].value
    assert len(table) >= 2 and list(table["rank"]) == list(range(1, len(table) + 1))
    assert set(table["check"]) <= {"consistent", "inconsistent", "no expectation"}
    assert "MMP3" in table["path"].iloc[0]
    md = texts(at)
    assert "Module story:" in md and "sign check" in md
    assert "](https://pubmed.ncbi.nlm.nih.gov/" in md
    assert at.code[0].value.startswith("MATCH p =") and "HGNC:7173" in at.code[0].value
    at.selectbox(key="path_rank").set_value(2).run()
    assert any(m.value.startswith("### #2 ·") for m in at.markdown)
    labels = [d.label for d in at.get("download_button")]
    assert any("CSV" in lbl for lbl in labels) and any("JSON" in lbl for lbl in labels)


def linked_paths(source: str, target: str):
    """The path explorer opened from a shared link (/paths?from=…&to=…), which runs the query."""
    at = new_app()
    at.query_params["from"] = source
    at.query_params["to"] = target
    at = page(at.run(), "paths")
    no_crash(at)
    return at


def test_path_explorer_unknown_entity_says_did_you_mean(app_env):
    at = linked_paths("Decompresion", "MMP3")
    assert any("Did you mean" in e and "Decompression" in e for e in errors(at))


def test_path_explorer_same_endpoints_is_a_clear_error(app_env):
    at = linked_paths("MMP3", "HGNC:7173")
    assert any("same entity" in e for e in errors(at))


def test_path_explorer_link_runs_the_query(app_env):
    at = linked_paths("Decompression", "MMP3")
    assert not errors(at) and "MMP3" in at.dataframe[0].value["path"].iloc[0]


def test_entity_page_links_modules_neighbours_evidence(app_env):
    at = new_app()
    at.query_params["id"] = "HGNC:7173"
    at = page(at.run(), "entity")
    no_crash(at)
    assert at.header[0].value == "MMP3"
    md = texts(at)
    assert "https://www.genenames.org/data/gene-symbol-report/#!/hgnc_id/HGNC:7173" in md
    assert "https://www.ncbi.nlm.nih.gov/gene/4314" in md
    assert "Matrix degradation" in md and "](https://pubmed.ncbi.nlm.nih.gov/" in md
    assert any("degrades" in x.label for x in at.expander)


def test_entity_page_unknown_entity_suggests(app_env):
    at = new_app()
    at.query_params["id"] = "MMP33x"
    at = page(at.run(), "entity")
    no_crash(at)
    assert any("No entity matches 'MMP33x'" in e for e in errors(at))


def test_cypher_console_runs_ready_queries_and_refuses_writes(app_env):
    graph_file = app_env / "graph.json.gz"
    digest = hashlib.sha256(graph_file.read_bytes()).hexdigest()
    at = page(new_app().run(), "cypher")
    assert any("SUBSET" in i.value for i in at.info)
    at.button(key="cypher_run").click().run()
    no_crash(at)
    rows = at.dataframe[0].value
    assert list(rows.columns) == ["id", "name", "category", "sign"] and len(rows) > 10

    at.selectbox(key="cypher_ready").set_value("evidence for an edge").run()
    assert "Evidence" in at.text_area(key="cypher_text").value
    at.button(key="cypher_run").click().run()
    assert "PMID:10642592" in set(at.dataframe[0].value["citation"])  # TNF up-regulates MMP3

    at.text_area(key="cypher_text").set_value('CREATE (n:Gene {id: "HGNC:0", name: "X"}) RETURN n')
    at.button(key="cypher_run").click().run()
    assert any("Refused" in e and "read-only" in e for e in errors(at))
    assert hashlib.sha256(graph_file.read_bytes()).hexdigest() == digest

    at.text_area(key="cypher_text").set_value("MATCH (n) WITH n RETURN n.name")
    at.button(key="cypher_run").click().run()
    assert any("not supported" in e and "kg neo4j start" in e for e in errors(at))

    at.text_area(key="cypher_text").set_value("MATCH (n:Gene {name: $name}) RETURN n.id")
    at.text_input(key="cypher_params").set_value("{not json")
    at.button(key="cypher_run").click().run()
    assert any("not valid JSON" in e for e in errors(at))
    at.text_input(key="cypher_params").set_value(json.dumps({"name": "MMP3"}))
    at.button(key="cypher_run").click().run()
    assert list(at.dataframe[0].value["n.id"]) == ["HGNC:7173"]


def test_hypotheses_page_generates_cards(app_env):
    pytest.importorskip("kg.analysis.hypotheses", reason="kg.analysis.hypotheses is not in this build")
    at = page(new_app().run(), "hypotheses")
    at.button[0].click().run()
    no_crash(at)
    assert not errors(at)
    cards = [x.label for x in at.expander if x.label.startswith("#")]
    assert cards and cards[0].startswith("#1 ·"), [i.value for i in at.info]
    assert any(c.value.startswith(f"{len(cards)} card(s)") for c in at.caption)
    assert "direct edge" in texts(at) and "Suggested assay:" in texts(at)


def test_exports_page_downloads_path_result_and_module(app_env):
    pytest.importorskip("kg.query.export", reason="kg.query.export is not in this build")
    at = page(new_app().run(), "paths")
    at.button[0].click().run()
    at = page(at, "exports")
    no_crash(at)
    assert {d.key for d in at.get("download_button")} >= {"ex_csv", "ex_json", "ex_graphml"}
    at.selectbox(key="ex_module").set_value("MODULE:decompression")
    at.selectbox(key="ex_fmt").set_value("graphml")
    at.button(key="ex_go").click().run()
    no_crash(at)
    assert any(c.value.startswith("decompression-graphml.graphml:") for c in at.caption)
    assert any(d.key == "ex_download" for d in at.get("download_button"))


def test_empty_graph_says_build_first(monkeypatch, tmp_path):
    monkeypatch.setenv("KG_HOME", str(tmp_path))
    monkeypatch.setenv("KG_STORE", "embedded")
    for name in ("overview", "paths", "cypher"):
        at = new_app().run()
        at = page(at, name) if name != "overview" else at
        no_crash(at)
        assert any("build it first" in w.value for w in at.warning), name


def test_neo4j_down_shows_the_start_banner(monkeypatch, tmp_path):
    monkeypatch.setenv("KG_HOME", str(tmp_path))
    monkeypatch.setenv("KG_STORE", "neo4j")
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:9")  # nothing listens on the discard port
    monkeypatch.setenv("NEO4J_PASSWORD", "whatever")
    at = new_app().run()
    no_crash(at)
    assert any("Cannot reach Neo4j" in e and "kg neo4j start" in e and "docker compose up" in e
               for e in errors(at))


@pytest.mark.neo4j
def test_neo4j_wrong_password_shows_the_banner(monkeypatch, tmp_path, neo4j_server):
    monkeypatch.setenv("KG_HOME", str(tmp_path))
    monkeypatch.setenv("KG_STORE", "neo4j")
    monkeypatch.setenv("NEO4J_URI", neo4j_server["uri"])
    monkeypatch.setenv("NEO4J_PASSWORD", neo4j_server["password"] + "-wrong")
    at = new_app().run()
    no_crash(at)
    assert any("Cannot reach Neo4j" in e and "kg neo4j start" in e for e in errors(at))
    assert neo4j_server["password"] not in "\n".join(errors(at))
