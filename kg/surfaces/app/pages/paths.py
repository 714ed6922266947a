"""Path explorer: ranked, signed, cited paths between two entities or modules, drawn and explained."""
from urllib.parse import quote

import streamlit as st

from kg.query.explain import belief_text, evidence_text
from kg.query.paths import PathQueryError
from kg.query.resolve import EntityNotFound
from kg.records.model import STUDY_DESIGNS
from kg.surfaces.app.common import (
    cache_key,
    connect,
    draw_layered,
    edge_facets,
    entity_picker,
    node_options,
    path_answer,
    timed,
)
from kg.surfaces.app.links import citation_markdown, md_escape
from kg.surfaces.graphview import (
    CONSISTENT_WORD,
    SIGN_WORD,
    answer_csv,
    answer_json,
    elements_graphml,
    path_elements,
    path_layers,
    path_rows,
)

st.title("Path explorer")
store, version, _ = connect()
key = cache_key()
opts = node_options(store, key)
facets = edge_facets(store, key)
linked = (st.query_params.get("from"), st.query_params.get("to"))  # a shared link: /paths?from=…&to=…

with st.form("path_form"):
    c1, c2 = st.columns(2)
    with c1:
        source = entity_picker("From", opts, linked[0] or "MODULE:decompression", "path_source",
                               help="An entity or a whole module (its members are the start set).")
    with c2:
        target = entity_picker("To", opts, linked[1] or "MODULE:matrix_degradation", "path_target")
    c3, c4, c5, c6 = st.columns(4)
    hops = c3.slider("Max hops", 1, 6, 4, key="path_hops")
    k = c4.number_input("Paths (k)", 1, 50, 10, key="path_k")
    expect = c5.selectbox("Expected effect", ["(none)", "increases", "decreases"], key="path_expect")
    min_belief = c6.slider("Minimum belief", 0.0, 0.95, 0.0, 0.05, key="path_min_belief")
    c7, c8, c9 = st.expander("Context filters and exclusions").columns(3)
    species = c7.multiselect("Species (evidence in)", facets["species"], key="path_species")
    designs = c8.multiselect("Study design", [d for d in STUDY_DESIGNS if d in facets["designs"]] or
                             list(STUDY_DESIGNS), key="path_designs")
    exclude = c9.multiselect("Exclude nodes", list(opts), format_func=lambda i: opts.get(i, i),
                             key="path_exclude")
    submitted = st.form_submit_button("Find paths", type="primary")

if submitted or (all(linked) and "path_query" not in st.session_state):
    if not source or not target:
        st.error("Choose both a source and a target.")
        st.stop()
    st.query_params.update({"from": source, "to": target})
    st.session_state["path_query"] = tuple(sorted({
        "source": source, "target": target, "max_hops": int(hops), "k": int(k),
        "expect": None if expect == "(none)" else expect, "min_belief": float(min_belief),
        "species": tuple(species), "designs": tuple(designs), "exclude": tuple(exclude)}.items()))

query = st.session_state.get("path_query")
if not query:
    st.info("Choose two entities or modules and press **Find paths**.")
    st.stop()

try:
    with timed("searching and explaining paths…") as t:
        answer = path_answer(store, key, query)
except EntityNotFound as exc:
    st.error(str(exc))
    st.stop()
except PathQueryError as exc:
    st.error(f"This query cannot run: {exc}")
    st.stop()

paths = answer["paths"]
st.caption(f"{answer['source']['name']} → {answer['target']['name']} · {len(paths)} path(s) from "
           f"{answer['n_candidates']} candidate(s) · graph version `{answer['graph_version']}` · "
           f"store `{answer['store']}` · {t.elapsed:.2f} s")
if answer["truncated"]:
    st.warning(f"The search was cut: {answer['truncated_reason']}. Narrow it (fewer hops, minimum belief, "
               "exclusions) to see everything.")
if not paths:
    st.info(f"No path found within {dict(query)['max_hops']} hops with these filters.")
    st.stop()

st.dataframe(path_rows(answer), hide_index=True, key="path_table", height=min(38 + 35 * len(paths), 248),
             column_config={"score": st.column_config.NumberColumn(format="%.4f"),
                            "weakest belief": st.column_config.NumberColumn(format="%.2f")})
d1, d2, d3 = st.columns(3)
d1.download_button("Download CSV (one row per hop)", answer_csv(answer), "paths.csv", "text/csv")
d2.download_button("Download JSON (full answer)", answer_json(answer), "paths.json", "application/json")
d3.download_button("Download GraphML", elements_graphml(path_elements(answer), answer["graph_version"]),
                   "paths.graphml", "application/xml")

ranks = [p["rank"] for p in paths]
c1, c2 = st.columns([1, 2])
rank = c1.selectbox("Explain path", ranks, format_func=lambda r: f"#{r}: {paths[r - 1]['summary']}",
                    key="path_rank")
show = c2.radio("Graph shows", ["selected path", "all ranked paths"], horizontal=True, key="path_show")
p = paths[rank - 1]

left, right = st.columns([1, 1])
with left:
    drawn = None if show == "all ranked paths" else [rank]
    draw_layered(path_elements(answer, drawn), path_layers(answer, drawn), key=f"path_graph_{show}_{rank}",
                 per_row=3, min_width=420, min_height=420, edge_captions=show != "all ranked paths")
with right:
    check = CONSISTENT_WORD[p["consistent"]]
    colour = {"consistent": "green", "inconsistent": "red"}.get(check, "gray")
    st.markdown(f"### #{p['rank']} · {md_escape(p['summary'])}")
    st.markdown(f"**Module story:** {md_escape(p['story'])}")
    parts = p["score_parts"]
    st.markdown(f"score **{p['score']:.4f}** (belief product {parts['belief_product']:.3f} × hub damping "
                f"{parts['dwpc_damping']:.3f}) · path sign **{SIGN_WORD.get(p['sign'], '0')}** · "
                f"sign check :{colour}[**{check}**]")
    contested = [h for h in p["edges"] if h.get("contested")]
    if contested:
        st.warning("Contested edges (evidence for both signs): "
                   + "; ".join(md_escape(h["sentence"]) for h in contested))
    for i, h in enumerate(p["edges"], start=1):
        flag = " ⚠ **contested**" if h.get("contested") else ""
        ends = " · ".join(f"[{md_escape(n)}](entity?id={quote(i_)})"
                          for n, i_ in ((h["subject_name"], h["subject"]), (h["object_name"], h["object"])))
        st.markdown(f"**{i}. {md_escape(h['sentence'])}**  \nsign {SIGN_WORD.get(h['sign'], '0')} · belief "
                    f"{belief_text(h['belief'])} · {h.get('n_papers') or 0} paper(s) · {ends}{flag}")
        for ev in h["evidence"]:
            ctx = ev.get("context") or {}
            where = ", ".join(md_escape(str(ctx[c])) for c in ("species", "design", "tissue") if ctx.get(c))
            st.markdown(f"- {citation_markdown(ev['citation'])}: {md_escape(evidence_text(ev))}"
                        + (f" *({where})*" if where else ""))
    st.markdown("**Reproduce in Neo4j Browser**")
    st.caption("On a graph loaded into Neo4j (`KG_STORE=neo4j kg build`): `kg neo4j start --browser` serves "
               "Neo4j Browser at http://127.0.0.1:7474/browser/ (log in as neo4j with your NEO4J_PASSWORD).")
    st.code(p["cypher"], language="cypher")
