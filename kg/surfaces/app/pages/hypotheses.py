"""Hypotheses: ranked, testable cards from open (A → ?) or closed (A → C) discovery."""
import re

import streamlit as st

from ingest.hgnc import symbol_to_hgnc_id
from kg.analysis.hypotheses import generate
from kg.query.resolve import EntityNotFound
from kg.store.base import Store
from kg.surfaces.app.common import cache_key, connect, entity_picker, guard, node_options, timed, to_json_bytes
from kg.surfaces.app.links import citation_markdown, md_escape
from kg.surfaces.graphview import SIGN_WORD

st.title("Hypotheses")
store, version, _ = connect()


@st.cache_data(show_spinner=False, max_entries=32)
def cards_for(_store: Store, key: str, source: str, target: str | None, genes: tuple[str, ...] | None, k: int,
              max_hops: int) -> list[dict]:
    return generate(_store, source, target, genes=list(genes) if genes else None, k=k, max_hops=max_hops,
                    symbol_to_id=symbol_to_hgnc_id)


def novelty(n) -> str:
    if not isinstance(n, dict):
        return f"novelty: {md_escape(str(n or ''))}"
    known = "already a direct edge" if n.get("direct_edge") else "no direct edge yet"
    return f"{known} · co-mentioned in {n.get('co_mention_papers', 0)} paper(s)"


opts = node_options(store, cache_key())
with st.form("hyp_form"):
    c1, c2 = st.columns(2)
    with c1:
        source = entity_picker("From (A)", opts, "MODULE:decompression", "hyp_source")
    with c2:
        target = entity_picker("To (C, optional: leave empty for open discovery)", opts, None, "hyp_target")
    genes_text = st.text_area("Restrict candidates to genes (symbols, comma or newline separated; optional)",
                              key="hyp_genes")
    c3, c4 = st.columns(2)
    k = c3.number_input("Cards (k)", 1, 50, 10, key="hyp_k")
    hops = c4.slider("Max hops", 2, 4, 3, key="hyp_hops")
    go = st.form_submit_button("Generate hypotheses", type="primary")

if go:
    genes = tuple(g for g in re.split(r"[\s,;]+", genes_text or "") if g) or None
    st.session_state["hyp_query"] = (source, target or None, genes, int(k), int(hops))
q = st.session_state.get("hyp_query")
if not q:
    st.info("Choose a source (and optionally a target or a gene list), then **Generate hypotheses**.")
    st.stop()
try:
    with guard(), timed("generating hypothesis cards…") as t:
        cards = cards_for(store, cache_key(), *q)
except (EntityNotFound, ValueError) as exc:
    st.error(str(exc))
    st.stop()

st.caption(f"{len(cards)} card(s) · graph version `{version}` · {t.elapsed:.2f} s")
if not cards:
    st.info("No hypothesis within these limits: allow more hops or drop the gene restriction.")
st.download_button("Download cards (JSON)", to_json_bytes(cards), "hypotheses.json", "application/json")
for c in cards:
    with st.expander(f"#{c.get('rank')} · {c.get('claim', '')}  ·  score {c.get('score')}", expanded=c.get("rank") == 1):
        st.markdown(f"**{md_escape(c['subject']['name'])} → {md_escape(c['object']['name'])}** · expected sign "
                    f"{SIGN_WORD.get(c.get('expected_sign'), '0')} · {novelty(c.get('novelty'))}")
        if c.get("via"):
            st.markdown("**Via:** " + ", ".join(f"{md_escape(v['name'])} ({v['share']:.0%})" for v in c["via"]))
        if c.get("predicted_observable"):
            st.markdown(f"**Predicted observable:** {md_escape(c['predicted_observable'])}")
        if c.get("suggested_assay"):
            st.markdown(f"**Suggested assay:** {md_escape(c['suggested_assay'])}")
        for p in c.get("supporting_paths", [])[:3]:
            st.markdown(f"- *{md_escape(p.get('summary', ''))}*")
            for h in p.get("edges", []):
                cites = ", ".join(citation_markdown(ev["citation"]) for ev in h.get("evidence", []))
                st.markdown(f"    - {md_escape(h.get('sentence', ''))} {cites}")
        against = (c.get("contradicting") or {}).get("paths") or []
        if against:
            st.warning("Contradicting paths: " + "; ".join(md_escape(p["summary"]) for p in against))
