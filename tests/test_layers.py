"""The one-way flow is a checked fact: import-linter's contracts (pyproject.toml) and no import cycles."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import networkx as nx
from importlinter import cli

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("kg", "ingest", "ontology")


def test_layer_contracts_hold_with_no_exceptions_listed():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    assert {c["type"] for c in config["contracts"]} == {"layers", "forbidden", "independence"}
    assert not any("ignore_imports" in c for c in config["contracts"]), "a contract lists exceptions"
    cwd = os.getcwd()
    try:
        os.chdir(ROOT)
        assert cli.lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True) == 0
    finally:
        os.chdir(cwd)


def test_no_import_cycles():
    graph = grimp.build_graph(*PACKAGES)
    g = nx.DiGraph((m, i) for m in graph.modules for i in graph.find_modules_directly_imported_by(m))
    cycles = [sorted(c) for c in nx.strongly_connected_components(g) if len(c) > 1]
    assert not cycles, f"import cycles: {cycles}"


def test_a_back_edge_fails_the_contract(tmp_path):
    """The contract is not vacuous: in a copy of the sources where a record module imports the store
    layer, ``lint-imports`` fails and names the import."""
    for pkg in PACKAGES:
        for f in (ROOT / pkg).rglob("*.py"):
            dest = tmp_path / f.relative_to(ROOT)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(f.read_bytes())
    (tmp_path / "pyproject.toml").write_bytes((ROOT / "pyproject.toml").read_bytes())
    model = tmp_path / "kg" / "records" / "model.py"
    model.write_text(model.read_text(encoding="utf-8") + "\nimport kg.store.base  # a back-edge\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; "
                           "sys.exit(lint_imports(no_cache=True, no_logo=True))"],
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(tmp_path)}, capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode != 0
    assert "kg.records.model -> kg.store.base" in proc.stdout


LAYERS = {"surfaces": "kg.surfaces", "analysis": "kg.analysis", "query": "kg.query", "pipeline": "kg.pipeline",
          "store": "kg.store", "records": "kg.records", "datapack": "kg.datapack", "ingest": "ingest",
          "ontology": "ontology"}


def test_the_readme_picture_is_the_real_import_graph():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```mermaid", 1)[1].split("```", 1)[0]
    drawn = set(re.findall(r"^\s*(\w+) --> (\w+)\s*$", block, re.M))
    graph = grimp.build_graph(*PACKAGES)

    def layer(module: str) -> str | None:
        return next((k for k, v in LAYERS.items() if module == v or module.startswith(v + ".")), None)

    real = {(layer(m), layer(i)) for m in graph.modules for i in graph.find_modules_directly_imported_by(m)}
    real = {(a, b) for a, b in real if a and b and a != b}
    assert drawn == real, f"drawn but not imported: {sorted(drawn - real)}; imported but not drawn: {sorted(real - drawn)}"
