"""Cypher console: ready queries for common questions, read-only, as a table and a graph."""
import json

import streamlit as st

from kg.query.cypher import EMBEDDED_SUBSET, CypherError, WriteRefused, ready_queries, run_readonly
from kg.surfaces.app.common import connect, current_settings, draw_layered, guard, timed, to_json_bytes
from kg.surfaces.graphview import flow_layers, subgraph_elements

st.title("Cypher console")
store, version, _ = connect()
embedded = current_settings().store == "embedded"
if embedded:
    st.info("**Embedded store: a subset of Cypher.** " + EMBEDDED_SUBSET, icon=":material/info:")
elif current_settings().store == "ladybug":
    st.caption("LadybugDB: the engine's own Cypher over a generic schema — `(:Entity {id, category, name})"
               "-[:REL {key, predicate, sign, belief}]->(:Entity)`, `:EdgeIndex`, `:Evidence`; other fields with "
               "`row_field(x.row, \"field\")` (10 s timeout, 1000 rows).")
else:
    st.caption("Neo4j: full Cypher in a READ transaction (10 s timeout, 1000 rows).")

ready = ready_queries(store)  # in the store's dialect
by_name = {q.name: q for q in ready}


def _load_ready() -> None:
    q = by_name[st.session_state["cypher_ready"]]
    st.session_state["cypher_text"] = q.cypher
    st.session_state["cypher_params"] = json.dumps(q.params)


if "cypher_text" not in st.session_state:
    st.session_state["cypher_text"] = ready[0].cypher
    st.session_state["cypher_params"] = json.dumps(ready[0].params)
st.selectbox("Ready queries", list(by_name), key="cypher_ready", on_change=_load_ready,
             format_func=lambda n: f"{n} — {by_name[n].question}")
st.text_area("Query", key="cypher_text", height=140)
st.text_input("Parameters (JSON object)", key="cypher_params")
run = st.button("Run query", type="primary", key="cypher_run")

if run:
    try:
        params = json.loads(st.session_state["cypher_params"] or "{}")
        if not isinstance(params, dict):
            raise ValueError("parameters must be a JSON object such as {\"module\": \"Decompression\"}")
    except ValueError as exc:
        st.error(f"Parameters are not valid JSON: {exc}")
        st.stop()
    try:
        with guard(), timed("running the query…") as t:
            res = run_readonly(store, st.session_state["cypher_text"], params)
    except WriteRefused as exc:
        st.error(str(exc), icon=":material/block:")
        st.stop()
    except CypherError as exc:
        st.error(str(exc))
        st.stop()
    st.session_state["cypher_result"] = (res, t.elapsed)

res_t = st.session_state.get("cypher_result")
if res_t:
    res, elapsed = res_t
    st.caption(f"{len(res['rows'])} row(s){' (truncated at the row limit)' if res['truncated'] else ''} · "
               f"{res['engine']} · {elapsed:.2f} s · graph version `{version}`")
    if res["truncated"]:
        st.warning("Only the first rows are shown: add LIMIT or narrow the MATCH.")

    def cell(v):
        if isinstance(v, dict):
            return v.get("name") or v.get("predicate") or json.dumps(v, ensure_ascii=False)[:200]
        return json.dumps(v, ensure_ascii=False)[:200] if isinstance(v, list) else v

    st.dataframe([{c: cell(v) for c, v in zip(res["columns"], row)} for row in res["rows"]], hide_index=True,
                 key="cypher_table")
    st.download_button("Download result (JSON)", to_json_bytes(res), "cypher-result.json", "application/json")
    if res["nodes"] or res["relationships"]:
        with guard():
            ends = {e.get("subject") for e in res["relationships"]} | {e.get("object") for e in res["relationships"]}
            known = {n["id"]: n for n in res["nodes"] if n.get("id")}
            known.update(store.nodes(sorted(i for i in ends - set(known) if i)))
        drawn = subgraph_elements(known.values(), res["relationships"])
        draw_layered(drawn, flow_layers(drawn), key="cypher_graph", per_row=7, min_width=700, min_height=360,
                     edge_captions=len(drawn["edges"]) <= 6)  # more captions pile up on a hub; the table has them
