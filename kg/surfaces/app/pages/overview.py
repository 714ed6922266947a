"""Overview: the module map, counts per module, sources with versions and licences, the graph version."""
import streamlit as st

from kg.surfaces.app.common import cache_key, connect, current_settings, draw, module_map, store_label
from kg.surfaces.graphview import module_map_elements

st.title("Lumbar disc herniation resorption — mechanism graph")
store, version, stats = connect()
st.caption(f"store **{store_label(current_settings())}** · graph version `{version}` · "
           f"{stats['nodes']} nodes · {stats['edges']} edges · {stats.get('evidence', '?')} evidence")

mm = module_map(store, cache_key())
left, right = st.columns([3, 2])
with left:
    st.subheader("Module map")
    st.caption("Two modules are bridged when an edge joins a member of one to a member of the other; "
               "line width and label = number of such edges; node label = members.")
    draw(module_map_elements(mm), key="module_map", height=480, layout="circle")
with right:
    st.subheader("Modules")
    bridges = {m["id"]: 0 for m in mm["modules"]}
    for b in mm["bridges"]:
        bridges[b["a"]] += b["count"]
        bridges[b["b"]] += b["count"]
    st.dataframe([{"module": m["name"], "members": m["members"], "edges inside": m["internal"],
                   "bridge edges": bridges[m["id"]]} for m in mm["modules"]], hide_index=True)
    st.subheader("Strongest bridges")
    st.dataframe([{"from": b["a_name"], "to": b["b_name"], "edges": b["count"]} for b in mm["bridges"][:12]],
                 hide_index=True)

st.subheader("Sources")
st.dataframe([{"source": p["source"], "version": p["version"], "licence": p.get("licence", ""),
               "retrieved": p.get("retrieved_at", ""), **{k: v for k, v in (p.get("counts") or {}).items()
                                                          if k in ("nodes", "edges", "evidence", "rejected")}}
              for p in store.provenance()], hide_index=True)
c1, c2 = st.columns(2)
c1.markdown("**Nodes by category**")
c1.dataframe([{"category": k, "nodes": v} for k, v in stats.get("by_category", {}).items()], hide_index=True)
c2.markdown("**Edges by predicate**")
c2.dataframe([{"predicate": k, "edges": v} for k, v in stats.get("by_predicate", {}).items()], hide_index=True)
