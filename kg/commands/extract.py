"""``kg extract TEXT|--file F [--json]``: show what the literature extractor finds in a paragraph."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer


def extract_text(text: str) -> dict:
    """Entities and relations the pipeline finds in ``text`` (the JSON the command prints).

    >>> out = extract_text("TNF increased MMP3.")
    >>> out["relations"][0]["predicate"], out["entities"][0]["id"]
    ('increases', 'HGNC:11892')
    """
    from ingest.nlp.pipeline import default_pipeline
    from ingest.nlp.relations import mention

    doc = default_pipeline()(text)
    return {"entities": [mention(e).to_dict() for e in doc.ents],
            "relations": [r.to_dict(text) for r in doc._.relations or []],
            "sentences": [[s.start_char, s.end_char] for s in doc.sents]}


def register(app: typer.Typer) -> None:
    @app.command("extract")
    def extract(text: Optional[str] = typer.Argument(None, help="Text to analyse."),
                file: Optional[Path] = typer.Option(None, "--file", "-f", help="Read the text from a file."),
                as_json: bool = typer.Option(False, "--json")) -> None:
        """Entities (text, offsets, id, category) and signed relations with flags, per sentence."""
        from rich.console import Console
        from rich.table import Table

        from kg.cli import emit_json, fail

        if file is not None:
            try:
                text = file.read_text(encoding="utf-8", errors="replace")
            except OSError as exc:
                fail(f"cannot read {file}: {exc}")
        if not text:
            fail("give TEXT or --file F")
        out = extract_text(text)
        if as_json:
            emit_json(out)
            return
        con = Console()
        t = Table(title="Entities")
        for c in ("text", "start", "end", "id", "category"):
            t.add_column(c)
        for e in out["entities"]:
            t.add_row(e["text"], str(e["start"]), str(e["end"]), e["id"], e["category"])
        con.print(t)
        r = Table(title="Relations")
        for c in ("subject", "predicate", "object", "sign", "flags", "sentence"):
            r.add_column(c)
        for x in out["relations"]:
            r.add_row(f"{x['subject_text']} ({x['subject']})", x["predicate"], f"{x['object_text']} ({x['object']})",
                      f"{x['sign']:+d}", ",".join(x["flags"]), x["sentence"])
        con.print(r)
