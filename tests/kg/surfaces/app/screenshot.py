"""Re-make docs/screenshot-path-explorer.png: the path explorer on the shipped build.

Run with ``python -m tests.kg.surfaces.app.screenshot`` (needs Debian chromium and playwright).
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.kg.surfaces.app.browser import (
    ROOT,
    browser_page,
    chromium_missing,
    run_path_query,
    streamlit_server,
    wait_idle,
)

TARGET = ROOT / "docs" / "screenshot-path-explorer.png"


def main() -> int:
    why = chromium_missing()
    if why:
        print(f"cannot take the screenshot: {why}", file=sys.stderr)
        return 1
    from tests.kg.surfaces.app.conftest import build_home

    with tempfile.TemporaryDirectory(prefix="kg-shot-") as tmp:
        home = build_home(Path(tmp))
        with streamlit_server({"KG_STORE": "embedded", "KG_HOME": str(home)}, Path(tmp) / "streamlit.log") as base, \
                browser_page(1500, 1500) as page:
            run_path_query(page, base, "Decompression", "NP resorption", expect="increases")
            page.get_by_text("all ranked paths").click()
            wait_idle(page)
            page.get_by_text("Module story:").first.wait_for()  # the explanation is drawn
            page.wait_for_timeout(2500)  # let the Cytoscape layout settle
            TARGET.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(TARGET), full_page=False)
    print(TARGET)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
