"""``kg extract`` on text longer than spaCy's max_length: read in pieces, offsets into the whole text."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from kg.surfaces.cli import app

PARA = ("Tumor necrosis factor (TNF) increased MMP3 expression in nucleus pulposus cells. "
        "IL1B did not inhibit TIMP1.\n\n")


def test_extract_file_over_a_million_characters(tmp_path):
    text = PARA * (1_000_000 // len(PARA) + 100)
    p = tmp_path / "long.txt"
    p.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(app, ["extract", "--file", str(p), "--json"])
    assert res.exit_code == 0, res.output[-500:]
    out = json.loads(res.stdout)
    n = text.count(PARA)
    assert len(out["relations"]) == 2 * n and len(out["sentences"]) == 2 * n
    last = out["relations"][-1]
    a, b = last["sentence_offsets"]
    assert text[a:b] == last["sentence"] == "IL1B did not inhibit TIMP1." and "negated" in last["flags"]
    assert all(text[e["start"]:e["end"]] == e["text"] for e in out["entities"][-6:])
    assert out["sentences"][-1][1] <= len(text) and out["sentences"][-1][0] > 1_000_000
