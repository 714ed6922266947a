"""What every page shares: the connection (sidebar + environment), the cached store, banners,
cached look-ups keyed on the graph version, and drawing with streamlit-cytoscape.

The app holds no graph logic: everything here calls the same Python API as the CLI.
"""
from __future__ import annotations

import json
import time
from typing import Any

import streamlit as st

from kg.store.base import Store
from kg.store.settings import Settings

START_HINT = ("Start it with `kg neo4j start` (or `docker compose up`), then reload; "
              "or choose the embedded store in the sidebar.")
CATEGORY_COLOURS = {
    "MechanismModule": "#7b2cbf", "Gene": "#2a6fdb", "GeneGroup": "#5b8def", "Pathway": "#00a6a6",
    "BiologicalProcess": "#43aa8b", "CellType": "#f3722c", "Tissue": "#f8961e", "Intervention": "#d62828",
    "MechanicalStimulus": "#9d0208", "Phenotype": "#f9c74f", "Chemical": "#577590", "Experiment": "#6c757d",
    "Publication": "#adb5bd",
}


# -- connection ------------------------------------------------------------------------------
def sidebar_settings() -> Settings:
    """Settings from the environment, overridable in the sidebar (password field never echoed)."""
    try:
        env = Settings.from_env()
    except ValueError as exc:
        st.error(f"{exc}. Fix KG_STORE in the environment.")
        st.stop()
    with st.sidebar.expander("Connection", expanded=False):
        kinds = ["ladybug", "embedded", "neo4j"]
        store = st.radio("Store", kinds, index=kinds.index(env.store), key="conn_store", horizontal=True)
        if store == "neo4j":
            uri = st.text_input("Neo4j URI", env.neo4j_uri, key="conn_uri")
            user = st.text_input("User", env.neo4j_user, key="conn_user")
            password = st.text_input("Password", "", type="password", key="conn_password",
                                     help="Leave empty to use NEO4J_PASSWORD from the environment.")
            database = st.text_input("Database", env.neo4j_database, key="conn_db")
            s = env.with_(store="neo4j", neo4j_uri=uri.strip(), neo4j_user=user.strip(),
                          neo4j_password=password or env.neo4j_password, neo4j_database=database.strip())
        else:
            s = env.with_(store=store)
        st.caption(f"data directory `{s.home}`")
    st.session_state["kg_settings"] = s
    return s


def current_settings() -> Settings:
    s = st.session_state.get("kg_settings")
    return s if isinstance(s, Settings) else Settings.from_env()


def store_label(s: Settings) -> str:
    """Where the data comes from, for captions and cache keys (never the password)."""
    if s.store == "neo4j":
        return f"neo4j {s.neo4j_uri} (db {s.neo4j_database}, user {s.neo4j_user})"
    return f"{s.store} {s.local_path}"


@st.cache_resource(show_spinner="opening the graph…", max_entries=4)
def get_store(settings: Settings):
    from kg.store import open_store

    return open_store(settings, read_only=True)  # the app never writes


def _banner(s: Settings, exc: BaseException) -> None:
    msg = str(exc).strip() or type(exc).__name__
    if s.store == "neo4j":
        st.error(f"**Cannot reach Neo4j at {s.neo4j_uri}** as user `{s.neo4j_user}`: {msg}\n\n{START_HINT}",
                 icon=":material/error:")
    else:
        st.error(f"**Cannot open the embedded graph** `{s.local_path}`: {msg}\n\n"
                 "Build it with `kg build` (or `bash scripts/run.sh`).", icon=":material/error:")


def connect() -> tuple[Any, str, dict[str, Any]]:
    """The open store, its graph version and stats; or a banner and a stopped page.

    Never a stack trace: a down or misconfigured store shows how to fix it; an empty graph
    says "build first".
    """
    from kg.store.version import graph_version

    s = current_settings()
    try:
        store = get_store(s)
        stats = store.stats()
        version = graph_version(store)
    except Exception as exc:  # noqa: BLE001 - any failure to reach a store becomes a banner
        get_store.clear()
        _banner(s, exc)
        st.stop()
    if not stats.get("nodes"):
        st.warning("**The graph is empty: build it first** with `kg build` "
                   f"({'KG_STORE=neo4j kg build' if s.store == 'neo4j' else 'embedded store'}), then reload.",
                   icon=":material/inventory_2:")
        st.stop()
    st.session_state["kg_version"] = version
    return store, version, stats


def guard(s: Settings | None = None):
    """Context for store calls inside a page: a store failure mid-page becomes the banner."""
    return _Guard(s or current_settings())


class _Guard:
    def __init__(self, s: Settings):
        self.s = s

    def __enter__(self) -> "_Guard":
        return self

    def __exit__(self, et, exc, tb) -> bool:
        from kg.store import StoreError

        if exc is not None and isinstance(exc, (StoreError, OSError, ConnectionError)):
            get_store.clear()
            _banner(self.s, exc)
            st.stop()
        return False


def cache_key() -> str:
    """Store identity + graph version: the key of every cached query."""
    return f"{store_label(current_settings())}|{st.session_state.get('kg_version', '')}"


# -- cached look-ups --------------------------------------------------------------------------
@st.cache_data(show_spinner=False, max_entries=8)
def node_options(_store: Store, key: str) -> dict[str, str]:
    """id -> "name · id · category (synonyms)" for every node: the search-as-you-type index."""
    out = {}
    for n in sorted(_store.iter_nodes(), key=lambda n: (n.get("category") != "mechanism_module",
                                                        str(n.get("name", "")).lower())):
        syn = ", ".join(str(x) for x in (n.get("synonyms") or [])[:4])
        label = f"{n.get('name', n['id'])} · {n['id']} · {n.get('category', '')}"
        out[n["id"]] = f"{label} ({syn})" if syn else label
    return out


@st.cache_data(show_spinner=False, max_entries=8)
def module_map(_store: Store, key: str) -> dict[str, Any]:
    from kg.surfaces.graphview import module_bridges

    return module_bridges(_store)


@st.cache_data(show_spinner=False, max_entries=64)
def path_answer(_store: Store, key: str, query: tuple) -> dict[str, Any]:
    """The explained answer of a path query (``query`` = sorted PathQuery fields)."""
    from kg.query.explain import explain
    from kg.query.paths import PathQuery, find_paths
    from kg.query.projection import cached

    return explain(_store, find_paths(_store, PathQuery(**dict(query)), graph=cached(_store)))


@st.cache_data(show_spinner=False, max_entries=8)
def edge_facets(_store: Store, key: str) -> dict[str, list[str]]:
    """Species and designs present on the edges a path walks: the filter choices (the filters apply
    to those edges only; reading them from the projection skips a full build's million memberships)."""
    from kg.query.projection import cached

    species, designs = set(), set()
    for e in cached(_store).rows:
        species.update(e.get("species") or ())
        designs.update(e.get("designs") or ())
    return {"species": sorted(species), "designs": sorted(designs)}


def entity_picker(label: str, options: dict[str, str], default: str | None, key: str,
                  help: str | None = None) -> str | None:
    """A search-as-you-type box over every node (names, ids, categories, synonyms); free text allowed."""
    ids = list(options)
    if default and default not in options:  # free text from a link (?from=…): kept, resolved on search
        ids.insert(0, default)
    index = ids.index(default) if default else None
    return st.selectbox(label, ids, index=index, format_func=lambda i: options.get(i, i), key=key,
                        accept_new_options=True, placeholder="type a name, symbol, synonym or id…", help=help)


# -- drawing ----------------------------------------------------------------------------------
class _Style:
    """A raw Cytoscape.js style rule with any selector (streamlit-cytoscape calls ``dump()``)."""

    def __init__(self, selector: str, style: dict[str, Any]):
        self.selector, self.style = selector, style

    def dump(self) -> dict[str, Any]:
        return {"selector": self.selector, "style": self.style}


def draw(elements: dict[str, list], key: str, height: int = 460, layout: str | dict = "cose",
         edge_captions: bool = True) -> None:
    """Draw elements with streamlit-cytoscape (Cytoscape.js bundled in the package: no CDN)."""
    try:
        from streamlit_cytoscape import EdgeStyle, NodeStyle, streamlit_cytoscape
    except ImportError:
        st.info("Install `streamlit-cytoscape` to see the graph; the table above has the same content.")
        return
    from kg.surfaces.graphview import LABEL_WIDTH

    labels = sorted({n["data"].get("label", "") for n in elements.get("nodes", []) if "label" in n["data"]})
    node_styles = [NodeStyle(lbl, CATEGORY_COLOURS.get(lbl, "#444"), "name",
                             custom_styles={"font-size": 11, "text-wrap": "wrap", "text-max-width": LABEL_WIDTH,
                                            "min-zoomed-font-size": 6, "text-background-color": "#ffffff",
                                            "text-background-opacity": 0.85, "text-background-padding": 1})
                   for lbl in labels]
    node_styles.append(_Style("node[_size]", {"width": "data(_size)", "height": "data(_size)", "font-size": 15,
                                              "font-weight": "bold", "text-valign": "center", "color": "#222",
                                              "text-outline-color": "#fff", "text-outline-width": 2,
                                              "text-background-opacity": 0}))
    # the invisible corners of kg.surfaces.graphview.layered_layout: they only hold the frame open
    node_styles.append(_Style("node[?_frame]", {"opacity": 0, "width": 1, "height": 1, "label": "",
                                                "events": "no", "border-width": 0}))
    edge_styles = [EdgeStyle(lbl, caption="label" if edge_captions else None, directed=lbl != "BRIDGE")
                   for lbl in sorted({e["data"].get("label", "") for e in elements.get("edges", [])})]
    edge_styles += [
        # captions level, a little below the middle: node captions hang below their node
        _Style("edge", {"font-size": 9, "text-rotation": "none", "text-margin-y": 8, "min-zoomed-font-size": 6}),
        _Style("edge[sign = '+']", {"line-color": "#2b9348", "target-arrow-color": "#2b9348"}),
        _Style("edge[sign = '−']", {"line-color": "#c1121f", "target-arrow-color": "#c1121f",
                                     "target-arrow-shape": "tee"}),
        _Style("edge[?contested]", {"line-style": "dashed"}),
        _Style("edge[_width]", {"width": "data(_width)", "label": "data(count)", "line-color": "#c77dff",
                                "font-size": 13, "text-background-color": "#fff", "text-background-opacity": 1,
                                "text-margin-y": 0}),
    ]
    if isinstance(layout, str):  # no layout animation: the graph is drawn at once
        from streamlit_cytoscape.layouts import LAYOUTS

        layout = {**LAYOUTS[layout], "animate": False}
    streamlit_cytoscape(elements, layout=layout, node_styles=node_styles, edge_styles=edge_styles,
                        height=height, key=key)


def draw_layered(elements: dict[str, list], layers: dict[str, int], key: str, *, per_row: int = 3,
                 min_width: int = 400, min_height: int = 380, edge_captions: bool = True) -> None:
    """Draw with positions from :func:`kg.surfaces.graphview.layered_layout`: captions stay about
    1:1 whether the graph has two nodes or forty (the canvas grows instead); rows are further
    apart when edges carry captions."""
    from kg.surfaces.graphview import DY, layered_layout

    placed, height = layered_layout(elements, layers, per_row=per_row, min_width=min_width, min_height=min_height,
                                    row_gap=DY + 40 if edge_captions else DY)
    draw(placed, key=f"{key}_{height}", height=height, edge_captions=edge_captions,
         layout={"name": "preset", "fit": True, "padding": 10, "animate": False})


def timed(label: str):
    """Spinner + elapsed time stored for the page footer."""
    return _Timed(label)


class _Timed:
    def __init__(self, label: str):
        self.label = label

    def __enter__(self) -> "_Timed":
        self._spin = st.spinner(self.label)
        self._spin.__enter__()
        self.t0 = time.perf_counter()
        return self

    def __exit__(self, *exc) -> bool:
        self.elapsed = time.perf_counter() - self.t0
        self._spin.__exit__(*exc)
        return False


def to_json_bytes(data: Any) -> bytes:
    return json.dumps(data, indent=2, ensure_ascii=False, default=str).encode("utf-8")
