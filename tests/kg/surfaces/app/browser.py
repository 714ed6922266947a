"""Driving the real app in Debian's chromium: start `streamlit run app.py`, open pages, act like a user.

Shared by ``tests/kg/surfaces/app/test_browser.py`` and ``python -m tests.kg.surfaces.app.screenshot``.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Iterator

from tests.helpers import ROOT  # the checkout, wherever this file sits

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PORTS = range(8601, 8610)


def chromium_missing() -> str | None:
    """Why the browser cannot run here, or None."""
    if not (Path(CHROMIUM).exists() or shutil.which("chromium")):
        return "Debian chromium is not installed (apt-get install -y chromium)"
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the python package playwright is not installed"
    return None


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS.start}-{PORTS.stop - 1} for streamlit")


@contextlib.contextmanager
def streamlit_server(env: dict[str, str], log: Path, script: Path = ROOT / "app.py") -> Iterator[str]:
    """Run ``streamlit run app.py`` (or ``script``) headless on a free local port; yield its base URL."""
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
           "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"]
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log}")
                try:
                    with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"streamlit did not answer on {base} within 60 s; see {log}")
                time.sleep(0.3)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def browser_page(width: int = 1500, height: int = 1100):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(30_000)
            yield page
        finally:
            browser.close()


def wait_idle(page) -> None:
    """Wait until Streamlit has finished the current run (no running indicator, no spinner)."""
    page.wait_for_timeout(300)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stSpinner\"]')", timeout=30_000)


def choose(page, label: str, text: str) -> None:
    """Type into a select box (search-as-you-type) and pick the first suggestion."""
    box = page.locator("[data-testid='stSelectbox']").filter(has=page.get_by_text(label, exact=True)).first
    box.locator("input").click()
    box.locator("input").fill(text)
    option = page.locator("[role='option']").filter(has_text=text).first
    option.wait_for()
    option.click()


def run_path_query(page, base: str, source: str, target: str, expect: str | None = None,
                   most_hops: bool = False) -> None:
    """Open the path explorer, choose source and target by typing, press Find paths
    (``most_hops``: with the Max hops slider at its end)."""
    page.goto(f"{base}/paths")
    page.get_by_role("heading", name="Path explorer").wait_for()
    wait_idle(page)
    choose(page, "From", source)
    choose(page, "To", target)
    if expect:
        choose(page, "Expected effect", expect)
    if most_hops:
        hops = page.locator("[data-testid='stSlider']").filter(has=page.get_by_text("Max hops", exact=True))
        hops.get_by_role("slider").focus()
        page.keyboard.press("End")
    page.get_by_role("button", name="Find paths").click()
    page.locator("[data-testid='stDataFrame']").first.wait_for()
    wait_idle(page)
