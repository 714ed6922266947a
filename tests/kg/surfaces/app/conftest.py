"""Fixtures for the app tests: a KG_HOME holding the default build, and AppTest runners."""
from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import ROOT  # the checkout, wherever this file sits

APP = str(ROOT / "app.py")


def build_home(home: Path) -> Path:
    """Build the shipped (default) graph into ``home`` with the embedded store, as `kg build` does."""
    from kg.pipeline.build import collect
    from kg.pipeline.load import load
    from kg.store.embedded import EmbeddedStore
    from kg.store.settings import Settings

    store = EmbeddedStore(Settings(home=home).embedded_path)
    load(store, collect())
    store.close()
    return home


@pytest.fixture(scope="session")
def built_home(tmp_path_factory) -> Path:
    return build_home(tmp_path_factory.mktemp("kg-home"))


@pytest.fixture
def app_env(monkeypatch, built_home):
    """Environment of an embedded app on the built graph; NEO4J_* cleared so nothing leaks in."""
    monkeypatch.setenv("KG_HOME", str(built_home))
    monkeypatch.setenv("KG_STORE", "embedded")
    return built_home


def new_app(timeout: float = 60):
    from streamlit.testing.v1 import AppTest

    return AppTest.from_file(APP, default_timeout=timeout)
