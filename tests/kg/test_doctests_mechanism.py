"""The docstring examples of the modules this mechanism work added or changed run and hold."""
from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = ["kg.cypher_guard", "kg.cypher", "kg.commands.cypher", "ingest.grounding", "ingest.curated", "kg.load",
           "kg.paths", "kg.explain"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    result = doctest.testmod(importlib.import_module(name))
    assert result.attempted > 0 and result.failed == 0, name
