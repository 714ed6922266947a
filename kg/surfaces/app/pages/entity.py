"""Entity: identifiers with links out, modules, neighbours by predicate and sign, evidence, experiments."""
from urllib.parse import quote

import streamlit as st

from kg.query.explain import belief_text, evidence_text
from kg.query.resolve import EntityNotFound, resolve_entity
from kg.surfaces.app.common import cache_key, connect, draw_layered, entity_picker, guard, node_options
from kg.surfaces.app.links import citation_markdown, curie_markdown, md_escape
from kg.surfaces.graphview import SIGN_WORD, group_neighbours, neighbourhood_elements, neighbourhood_layers

st.title("Entity")
store, version, _ = connect()
opts = node_options(store, cache_key())
wanted = st.query_params.get("id", "HGNC:7173")
picked = entity_picker("Entity", opts, wanted, "entity_pick")
if not picked:
    st.info("Type a name, symbol, synonym or id.")
    st.stop()
with guard():
    node = store.node(picked)
    if node is None:
        try:
            node = store.node(resolve_entity(store, picked).id)
        except EntityNotFound as exc:
            st.error(str(exc))
            st.stop()
    st.query_params["id"] = node["id"]
    groups = group_neighbours(store, node["id"])
    edges = store.edges_of([node["id"]], "both")

st.header(f"{node['name']}")
st.markdown(f"{curie_markdown(node['id'])} · *{node.get('category', '')}*")
if node.get("description"):
    st.caption(node["description"])
ids = [x for x in (node.get("xrefs") or [])]
if ids:
    st.markdown("**Identifiers:** " + " · ".join(curie_markdown(x) for x in ids))
if node.get("synonyms"):
    st.markdown("**Synonyms:** " + ", ".join(md_escape(s) for s in node["synonyms"]))

mods = [(n, g["sign"]) for g in groups if g["predicate"] == "member_of" and g["direction"] == "out"
        for n in g["neighbours"] if n["category"] == "mechanism_module"]
st.markdown("**Modules:** " + (", ".join(f"{md_escape(n['name'])} (sign {SIGN_WORD.get(s, '0')})" for n, s in mods)
                               or "none"))

experiments = [e for e in edges if e["predicate"] == "measured_in"]
if experiments:
    st.subheader("Experiment data")
    exp_nodes = store.nodes(sorted({e["object"] for e in experiments}))
    std = {"key", "subject", "predicate", "object", "sign", "belief", "contested", "n_evidence", "n_papers",
           "sources", "species", "designs"}
    st.dataframe([{"experiment": exp_nodes.get(e["object"], {}).get("name", e["object"]),
                   "direction": {1: "up", -1: "down", 0: "unchanged"}.get(int(e.get("sign") or 0)),
                   **{k: v for k, v in e.items() if k not in std}} for e in experiments], hide_index=True)
if node.get("category") == "experiment":  # a DEG table: which mechanism modules its significant genes hit
    from kg.analysis.enrichment import module_enrichment

    st.subheader("Module enrichment")
    with guard():
        enr = module_enrichment(store, node["id"])
    if enr.get("note"):
        st.caption(enr["note"])
    else:
        st.caption(f"{enr['significant']} significant genes (padj < {enr['alpha']:g}) of {enr['universe']} tested: "
                   "hypergeometric p, Benjamini–Hochberg q; score = mean sign(log2FC)·−log10(padj) of the module's "
                   "significant genes (docs/ingest.md).")
        st.dataframe([{**{k: r[k] for k in ("module", "measured", "significant", "expected", "p", "q", "score")},
                       "genes": " ".join(g["symbol"] + {1: "↑", -1: "↓"}.get(g["direction"], "") for g in r["genes"])}
                      for r in enr["modules"]], hide_index=True)

st.subheader("Neighbours")
shown = [g for g in groups if g["predicate"] != "measured_in"]
for g in shown:
    arrow = "→" if g["direction"] == "out" else "←"
    title = f"{arrow} {g['predicate']} (sign {SIGN_WORD.get(g['sign'], '0')}) · {len(g['neighbours'])}"
    with st.expander(title, expanded=g["predicate"] != "member_of"):
        st.markdown("  \n".join(
            f"[{md_escape(n['name'])}](entity?id={quote(n['id'])}) · {n['category']} · belief {belief_text(n['belief'])}"
            + (" ⚠ contested" if n["contested"] else "") for n in g["neighbours"]))
with guard():
    nbr = store.nodes(sorted({e["subject"] for e in edges} | {e["object"] for e in edges}))
    hood, left_out = neighbourhood_elements(store, node["id"], limit=40)
draw_layered(hood, neighbourhood_layers(node["id"], hood), key=f"entity_graph_{node['id']}", per_row=7,
             min_width=700, min_height=320, edge_captions=False)
st.caption("Above: what acts on it; below: what it acts on and the groups and modules it belongs to "
           "(green raises, red lowers, dashed contested)."
           + (f" The {left_out} weakest neighbours are left out of the drawing; the lists above have them all."
              if left_out else ""))

st.subheader("Evidence")
with guard():
    evidence = store.evidence([e["key"] for e in edges if e["predicate"] != "member_of"])
names = {i: n.get("name", i) for i, n in nbr.items()}
rows = sorted(((e, ev) for e in edges for ev in evidence.get(e["key"], [])),
              key=lambda t: (-(t[0].get("belief") or 0), t[1]["citation"]))
if not rows:
    st.caption("No evidence beyond module membership.")
for e, ev in rows[:60]:
    st.markdown(f"- **{md_escape(names.get(e['subject'], e['subject']))} {e['predicate']} "
                f"{md_escape(names.get(e['object'], e['object']))}** — {citation_markdown(ev['citation'])}: "
                f"{md_escape(evidence_text(ev))}")
if len(rows) > 60:
    st.caption(f"{len(rows) - 60} more pieces of evidence: use the Cypher console or an export.")
