"""What the ``kg`` command prints: clean help, tables, progress, and path reports exactly as written."""
from __future__ import annotations

import io
import json
import re

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner

from kg.surfaces import cli
from kg.surfaces.cli import app

runner = CliRunner()


def invoke(home, *args):
    res = runner.invoke(app, list(args), env={"KG_HOME": str(home), "KG_STORE": "embedded", "COLUMNS": "200",
                                                "NO_COLOR": "1"})
    assert res.exit_code == 0, res.output
    return res


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    h = tmp_path_factory.mktemp("kg-views")
    invoke(h, "build", "--json")
    return h


def command_paths(command, path=()):
    yield list(path)
    for name, sub in getattr(command, "commands", {}).items():
        yield from command_paths(sub, (*path, name))


def test_help_reads_cleanly_for_every_command(tmp_path):
    paths = list(command_paths(typer.main.get_command(app)))
    assert ["paths"] in paths and ["neo4j", "start"] in paths and len(paths) > 10
    for p in paths:
        out = invoke(tmp_path, *p, "--help").output
        assert "<bool>" not in out and not re.search(r"--[\w-]+\s+<list\[", out), f"kg {' '.join(p)} --help:\n{out}"
    build = invoke(tmp_path, "build", "--help").output
    assert re.search(r"--strict\s+Any rejected row", build)


def test_stats_is_a_table_unless_json(home):
    out = invoke(home, "stats").output
    assert not out.lstrip().startswith("{")
    assert re.search(r"Graph \(embedded, version g-\w+\): \d+ nodes, \d+ edges", out)
    assert re.search(r"│ gene\s+│\s+\d+ │", out) and "upregulates_expression" in out
    st = json.loads(invoke(home, "stats", "--json").output)
    assert f"{st['nodes']} nodes" in out


def test_paths_print_the_cypher_and_the_designs_as_written(home):
    plain = invoke(home, "paths", "Decompression", "MMP3", "--k", "2").output
    md = invoke(home, "paths", "Decompression", "MMP3", "--k", "2", "--markdown").output
    assert plain == md
    assert "-[r0:MEMBER_OF {key: " in plain and "[database]" in plain  # nothing eaten as Rich markup
    beliefs = re.findall(r"belief (\S+?)\)", plain)
    assert beliefs and all(re.fullmatch(r"\d\.\d\d", b) for b in beliefs), beliefs


def test_build_shows_a_progress_bar_for_reading(tmp_path, monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=buf, force_terminal=True, width=120, color_system=None))
    invoke(tmp_path, "build")
    text = buf.getvalue()
    assert "reading" in text and "loading" in text
    from kg.pipeline.build import PROFILES

    steps = len(PROFILES["default"]) + 1  # the HGNC table, then each source
    assert f"{steps}/{steps}" in text and "trrust" in text
