"""``kg fetch`` as users run it: a progress bar with bytes, one-line errors, and what
``kg build --profile full`` says when there is no data to read."""
from __future__ import annotations

import io
import re
import socket

from rich.console import Console
from typer.testing import CliRunner

from kg.surfaces import cli
from kg.surfaces.cli import app
from tests.helpers import shared_data
from tests.kg.surfaces.test_cli import run_kg
from tests.replay import Replay, publisher_routes


def test_fetch_shows_a_progress_bar_with_bytes_and_a_summary(tmp_path, monkeypatch):
    buf = io.StringIO()
    monkeypatch.setattr(cli, "console", Console(file=buf, force_terminal=True, width=160, color_system=None))
    with Replay(publisher_routes(shared_data(), ["omnipath", "signor"])) as srv:
        res = CliRunner().invoke(app, ["fetch", "omnipath", "signor", "--base-url", srv.base, "--to",
                                       str(tmp_path / "d")], env={"KG_HOME": str(tmp_path), "COLUMNS": "200"})
    assert res.exit_code == 0, res.output
    bar = buf.getvalue()
    assert "networks/omnipath_carnival.tsv" in bar and re.search(r"323\.7/323\.7 kB", bar), bar[-2000:]
    assert re.search(r"networks/signor_test_data\.csv\s+│ fetched\s+│\s+8360 │", res.output)
    assert f"build with: kg build --profile full --shared {tmp_path / 'd'}" in res.output


def test_unreachable_publisher_is_one_error_line_naming_the_host(tmp_path):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    proc = run_kg(tmp_path, "fetch", "signor", "--base-url", f"http://127.0.0.1:{port}")
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert proc.returncode == 1 and len(lines) == 1, proc.stderr
    assert re.match(rf"error: cannot reach 127\.0\.0\.1:{port} \(connection failed: .*--shared PATH\)$", lines[0])


def test_full_build_without_any_data_says_which_command_to_run(tmp_path):
    proc = run_kg(tmp_path, "build", "--profile", "full", KG_SHARED_DATA=str(tmp_path / "none"))
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "run `kg fetch` (then `kg build --profile full`), or `kg build --profile full --fetch`" in proc.stderr
    assert str(tmp_path / "data") in proc.stderr


def test_unknown_source_is_refused_with_the_choices(tmp_path):
    proc = run_kg(tmp_path, "fetch", "reactom")
    assert proc.returncode == 1 and "unknown source(s) reactom (choose from hgnc, reactome" in proc.stderr


def test_full_build_with_fetch_downloads_into_kg_home_data_first(tmp_path, monkeypatch):
    """``kg build --profile full --fetch`` with no data: the open sources are fetched into KG_HOME/data,
    which the build then reads (the fetch itself is stood in for; the tests above and
    tests/ingest/test_downloads.py run it for real)."""
    import json

    from kg.store.settings import Settings
    from kg.surfaces import downloading

    calls = []

    def fake(dest, cache_dir, console, names=(), **kw):
        calls.append((dest, names, kw))
        dest.mkdir(parents=True)
        (dest / "MANIFEST.json").write_text(json.dumps({"files": {"x": {"source": "signor"}}}))
        return []

    monkeypatch.setenv("KG_SHARED_DATA", str(tmp_path / "none"))
    monkeypatch.setattr(downloading, "download_sources", fake)
    s = Settings(home=tmp_path)
    assert cli._data_dir("full", None, s, fetch=True, quiet=True) == tmp_path / "data"
    assert calls == [(tmp_path / "data", (), {"quiet": True})]
    assert cli._data_dir("full", None, s, fetch=False, quiet=True) == tmp_path / "data"  # now found
    assert cli._data_dir("default", None, s, fetch=False, quiet=True) is None
