"""Exports: the current path result as CSV / JSON / GraphML, and subgraphs or the whole graph in
GraphML, Cytoscape JSON, KGX and neo4j-admin CSV (``kg.query.export``)."""
import streamlit as st

from kg.surfaces.app.common import cache_key, connect, entity_picker, guard, node_options, path_answer, timed
from kg.surfaces.graphview import answer_csv, answer_json, elements_graphml, path_elements

st.title("Exports")
store, version, _ = connect()
key = cache_key()
answer = None
if st.session_state.get("path_query"):
    try:
        answer = path_answer(store, key, st.session_state["path_query"])
    except ValueError:  # the query failed on the explorer page, which already said why
        answer = None

st.subheader("Current path result")
if answer and answer["paths"]:
    st.caption(f"{answer['source']['name']} → {answer['target']['name']} · {len(answer['paths'])} path(s) · "
               f"graph version `{answer['graph_version']}`")
    c1, c2, c3 = st.columns(3)
    c1.download_button("CSV (one row per hop)", answer_csv(answer), "paths.csv", "text/csv", key="ex_csv")
    c2.download_button("JSON (full answer)", answer_json(answer), "paths.json", "application/json", key="ex_json")
    c3.download_button("GraphML", elements_graphml(path_elements(answer), answer["graph_version"]),
                       "paths.graphml", "application/xml", key="ex_graphml")
else:
    st.caption("Run a query in the Path explorer first; its result can be downloaded here.")

st.subheader("Subgraph or whole graph")
try:
    from kg.query.export import FORMATS, ExportError, export_subgraph, module_ids, neighbourhood_ids, path_ids
except ImportError as exc:
    st.info(f"GraphML / Cytoscape / KGX / neo4j-csv exports are **not available in this build** "
            f"(`kg.query.export`: {exc}).", icon=":material/construction:")
    st.stop()

scopes = ["module", "neighbourhood of an entity", "whole graph"] + (["current path result"] if answer else [])
scope = st.radio("What", scopes, horizontal=True, key="ex_scope")
fmt = st.selectbox("Format", FORMATS, key="ex_fmt",
                   help="graphml and cytoscape are single files; kgx and neo4j-csv come as a zip.")
opts = node_options(store, key)
ids, label = None, "graph"
if scope == "module":
    mods = {i: v for i, v in opts.items() if i.startswith("MODULE:")}
    mod = st.selectbox("Module", list(mods), format_func=lambda i: mods[i], key="ex_module")
    label = mod.split(":", 1)[1]
elif scope == "neighbourhood of an entity":
    ent = entity_picker("Entity", opts, "HGNC:7173", "ex_entity")
    hops = st.slider("Hops", 1, 2, 1, key="ex_hops")
    label = (ent or "entity").replace(":", "_")
if st.button("Prepare export", type="primary", key="ex_go"):
    try:
        with guard(), timed(f"exporting {scope} as {fmt}…") as t:
            if scope == "module":
                ids = module_ids(store, mod)
            elif scope == "neighbourhood of an entity":
                ids = neighbourhood_ids(store, ent, hops)
            elif scope == "current path result":
                ids = path_ids(answer)
            data = export_subgraph(store, fmt, ids=ids, params={"scope": scope})
    except (ExportError, LookupError, ValueError) as exc:
        st.error(str(exc))
        st.stop()
    ext = {"graphml": "graphml", "cytoscape": "cyjs"}.get(fmt, "zip")
    st.session_state["ex_file"] = (f"{label}-{fmt}.{ext}", data, t.elapsed)
if st.session_state.get("ex_file"):
    name, data, elapsed = st.session_state["ex_file"]
    st.caption(f"{name}: {len(data):,} bytes · graph version `{version}` · {elapsed:.2f} s")
    st.download_button(f"Download {name}", data, name, key="ex_download")
