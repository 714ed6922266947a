"""Streamlit app: browse the mechanism modules and look up explained paths.

Run with ``streamlit run app.py``. Settings come from the environment (KG_STORE, KG_HOME,
NEO4J_*); the app never writes to the graph.
"""
from __future__ import annotations

import streamlit as st

from kg.settings import Settings

st.set_page_config(page_title="LDH resorption KG", layout="wide")


@st.cache_resource(show_spinner="opening the graph…")
def get_store(settings: Settings):
    from kg.store import open_store

    return open_store(settings)


def main() -> None:
    from kg.explain import explain
    from kg.load import graph_version
    from kg.paths import PathQueryError, find_paths
    from kg.resolve import EntityNotFound
    from kg.store import StoreError

    settings = Settings.from_env()
    st.title("Lumbar disc herniation resorption — mechanism graph")
    try:
        store = get_store(settings)
        stats = store.stats()
    except (StoreError, OSError) as exc:
        st.error(f"Cannot open the {settings.store} store: {exc}. "
                 "Start Neo4j with `kg neo4j start` or `docker compose up`, or use KG_STORE=embedded.")
        return
    if stats["nodes"] == 0:
        st.warning("The graph is empty. Build it first: `kg build`.")
        return
    st.caption(f"store `{settings.store}` · graph version `{graph_version(store)}` · "
               f"{stats['nodes']} nodes · {stats['edges']} edges")
    modules = [n for n in store.iter_nodes() if n["category"] == "mechanism_module"]
    counts = {m["name"]: sum(1 for e in store.edges_of([m["id"]], "in") if e["predicate"] == "member_of")
              for m in sorted(modules, key=lambda m: m.get("order", 99))}
    st.subheader("Modules")
    st.dataframe({"module": list(counts), "members": list(counts.values())}, hide_index=True)

    st.subheader("Path lookup")
    c1, c2, c3 = st.columns(3)
    source = c1.text_input("From", "Decompression")
    target = c2.text_input("To", "NP resorption")
    expect = c3.selectbox("Expected effect", ["(none)", "increases", "decreases"])
    if st.button("Find paths", type="primary"):
        try:
            answer = explain(store, find_paths(store, source, target,
                                               expect=None if expect == "(none)" else expect))
        except (EntityNotFound, PathQueryError) as exc:
            st.error(str(exc))
            return
        if not answer["paths"]:
            st.info("No path found within 4 hops.")
        for p in answer["paths"]:
            with st.expander(f"{p['rank']}. {p['summary']}  ·  score {p['score']:.3f}  ·  sign {p['sign']:+d}"):
                st.markdown(f"*{p['story']}*")
                for h in p["edges"]:
                    st.markdown(f"**{h['sentence']}** (belief {h['belief']})")
                    for ev in h["evidence"]:
                        cite = ev["citation"]
                        link = (f"[{cite}](https://pubmed.ncbi.nlm.nih.gov/{cite[5:]}/)"
                                if cite.startswith("PMID:") else cite)
                        st.markdown(f"- {link}: {ev['text']}")


main()
