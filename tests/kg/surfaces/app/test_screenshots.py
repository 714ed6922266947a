"""Readable drawings, measured in Debian chromium: the path explorer (a two-node and an eight-node
path), the entity page and the Cypher console, on the embedded default build.

For every drawing the test reads the Cytoscape.js instance inside the component's iframe and
asserts that each node caption is shown at 9 px or more, lies inside the canvas and clear of the
component's info panel and tool bars, and overlaps no other caption, node or edge; on the entity page every module drawn is joined to the entity by an edge. It saves
one screenshot per view to ``$KG_SCREENSHOT_DIR`` (``docs/screenshots`` for the copies in the
docs) or ``test-output/screenshots``.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.kg.surfaces.app.browser import (
    ROOT,
    browser_page,
    choose,
    chromium_missing,
    run_path_query,
    streamlit_server,
    wait_idle,
)

pytestmark = pytest.mark.browser

MIN_PX = 9  # smallest caption on screen, in CSS pixels

# Everything the assertions need, read from the live Cytoscape.js instance of one iframe.
GRAPH_JS = """() => {
  const cy = document.getElementById('cy')?._cyreg?.cy;
  if (!cy || !cy.nodes().length) return null;
  const nodes = cy.nodes().filter(n => !n.data('_frame'));
  const at = document.getElementById('cy').getBoundingClientRect();
  const bars = ['infopanel', 'toolbar', 'viewbar'].map(id => document.getElementById(id)).filter(e => e)
    .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && r.height > 0)
    .map(r => ({x1: r.left - at.left, y1: r.top - at.top, x2: r.right - at.left, y2: r.bottom - at.top}));
  return {zoom: cy.zoom(), width: cy.width(), height: cy.height(), bars: bars,
          nodes: nodes.map(n => ({id: n.id(), name: n.data('name'), label: n.data('label'),
              degree: n.degree(false), px: parseFloat(n.style('font-size')) * cy.zoom(),
              hidden_below: parseFloat(n.style('min-zoomed-font-size')),
              box: n.renderedBoundingBox({includeNodes: false, includeEdges: false, includeLabels: true})})),
          edges: cy.edges().length,
          captions: cy.edges().filter(e => e.style('label') && e.style('label') !== 'none'
                                        && e.renderedBoundingBox({includeNodes: false, includeEdges: false,
                                                                  includeLabels: true}).w > 0)
                    .map(e => ({name: e.data('label'),
                                box: e.renderedBoundingBox({includeNodes: false, includeEdges: false,
                                                            includeLabels: true})}))};
}"""


def screenshot_dir() -> Path:
    out = Path(os.environ.get("KG_SCREENSHOT_DIR") or ROOT / "test-output" / "screenshots")
    out.mkdir(parents=True, exist_ok=True)
    return out


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    why = chromium_missing()
    if why:
        if os.environ.get("CI"):
            pytest.fail(f"browser test cannot run in CI: {why}")
        pytest.skip(why)
    from tests.kg.surfaces.app.conftest import build_home

    home = build_home(tmp_path_factory.mktemp("kg-shots"))
    with streamlit_server({"KG_STORE": "embedded", "KG_HOME": str(home)}, home / "streamlit.log") as base:
        yield base


@pytest.fixture
def page(app_url):
    with browser_page(1500, 1100) as p:
        yield p


def graphs(page) -> list[dict]:
    """The drawings on the page (one per Cytoscape iframe), once their layout has settled."""
    page.wait_for_timeout(1500)
    out = []
    for frame in page.frames:
        try:
            g = frame.evaluate(GRAPH_JS)
        except Exception:  # noqa: BLE001 - frames that are not a graph component
            continue
        if g:
            out.append(g)
    return out


def overlaps(a: dict, b: dict) -> bool:
    return min(a["x2"], b["x2"]) > max(a["x1"], b["x1"]) and min(a["y2"], b["y2"]) > max(a["y1"], b["y1"])


def assert_readable(g: dict) -> None:
    nodes = g["nodes"]
    assert nodes
    for n in nodes:
        assert n["px"] >= MIN_PX and n["px"] >= n["hidden_below"], f"{n['name']!r} drawn at {n['px']:.1f} px"
        b = n["box"]
        assert b["x1"] >= 0 and b["y1"] >= 0 and b["x2"] <= g["width"] and b["y2"] <= g["height"], \
            f"{n['name']!r} is clipped: {b} outside {g['width']}x{g['height']}"
    hidden = [(n["name"], bar) for n in nodes for bar in g["bars"] if overlaps(n["box"], bar)]
    assert not hidden, f"captions under the drawing's own bars: {hidden}"
    shown = nodes + g["captions"]  # node captions and edge captions
    clashes = [(a["name"], b["name"]) for i, a in enumerate(shown) for b in shown[i + 1:] if overlaps(a["box"], b["box"])]
    assert not clashes, f"captions overlap: {clashes}"


def shoot(page, name: str) -> None:
    page.locator("iframe").first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(screenshot_dir() / f"{name}.png"))


def explain_rank(page, rank: int) -> None:
    choose(page, "Explain path", f"#{rank}:")
    wait_idle(page)


def test_no_deploy_button_and_no_usage_statistics(page, app_url):
    """.streamlit/config.toml: toolbarMode minimal (no Deploy), gatherUsageStats false."""
    import tomllib

    cfg = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert cfg["browser"]["gatherUsageStats"] is False and cfg["client"]["toolbarMode"] == "minimal"
    page.goto(app_url)
    page.get_by_role("heading", name="Module map").wait_for()
    wait_idle(page)
    assert page.get_by_text("Deploy", exact=True).count() == 0


def test_a_short_path_is_not_blown_up(page, app_url):
    run_path_query(page, app_url, "TNF", "MMP3")
    explain_rank(page, 1)
    (g,) = graphs(page)
    assert len(g["nodes"]) == 2 and g["edges"] == 1
    assert g["zoom"] <= 1.5, f"a two-node path is zoomed {g['zoom']:.2f}x"
    assert_readable(g)
    shoot(page, "paths-short")


def test_a_long_path_keeps_its_captions_readable(page, app_url):
    run_path_query(page, app_url, "RI-LDH", "Matrix degradation", most_hops=True)
    explain_rank(page, 10)
    (g,) = graphs(page)
    assert len(g["nodes"]) >= 6, [n["name"] for n in g["nodes"]]  # 5 hops or more
    assert len(g["captions"]) == g["edges"]  # every hop says what it is
    assert_readable(g)
    shoot(page, "paths-long")

    page.get_by_text("all ranked paths").click()
    wait_idle(page)
    (g,) = graphs(page)
    assert len(g["nodes"]) > 10
    assert_readable(g)
    shoot(page, "paths-all")


def test_entity_page_draws_modules_with_their_edges(page, app_url):
    page.goto(f"{app_url}/entity?id=HGNC:7173")  # MMP3
    page.get_by_role("heading", name="Neighbours").wait_for()
    wait_idle(page)
    (g,) = graphs(page)
    modules = [n for n in g["nodes"] if n["label"] == "MechanismModule"]
    assert modules and all(n["degree"] >= 1 for n in modules), [(n["name"], n["degree"]) for n in modules]
    assert all(n["degree"] >= 1 for n in g["nodes"])
    assert_readable(g)
    shoot(page, "entity")


def test_console_graph_is_readable(page, app_url):
    page.goto(f"{app_url}/cypher")
    page.get_by_role("heading", name="Cypher console").wait_for()
    wait_idle(page)
    choose(page, "Ready queries", "edges of an entity")
    wait_idle(page)
    page.get_by_role("button", name="Run query").click()
    page.get_by_text("row(s)").first.wait_for()
    wait_idle(page)
    (g,) = graphs(page)
    assert len(g["nodes"]) > 5
    assert_readable(g)
    shoot(page, "console")
