"""``kg extract TEXT|--file F [--json]``: show what the literature extractor finds in a paragraph."""
from __future__ import annotations

from pathlib import Path

import typer


def extract_text(text: str) -> dict:
    """Entities and relations the pipeline finds in ``text`` (the JSON the command prints).

    >>> out = extract_text("TNF increased MMP3.")
    >>> out["relations"][0]["predicate"], out["entities"][0]["id"]
    ('increases', 'HGNC:11892')
    """
    from ingest.nlp.model import doc_text
    from ingest.nlp.pipeline import default_pipeline, pipe_long
    from ingest.nlp.relations import mention

    out: dict = {"entities": [], "relations": [], "pairs": [], "ungrounded_genes": [], "sentences": []}
    # Text over spaCy's max_length (1M characters) goes through in pieces cut at paragraph or
    # sentence ends; offsets are shifted back so they always index ``text``.
    for off, doc in pipe_long(default_pipeline(), text):
        for e in doc.ents:
            m = mention(e).to_dict()
            out["entities"].append({**m, "start": m["start"] + off, "end": m["end"] + off})
        for r in doc._.relations or []:
            d = r.to_dict(doc_text(doc))  # doc.text rebuilds the string on every access
            out["relations"].append({**d, "sentence_offsets": [x + off for x in d["sentence_offsets"]]})
        for p in doc._.pairs or []:  # document-level pairs the learned model scores above its threshold
            d = p.to_dict(doc_text(doc))
            d["sentence_offsets"] = [x + off for x in d["sentence_offsets"]] if d["sentence_offsets"] else None
            out["pairs"].append(d)
        for u in doc.spans.get("ungrounded_genes", []):  # gene mentions no dictionary grounds: never edges
            out["ungrounded_genes"].append({"text": u.text, "start": u.start_char + off, "end": u.end_char + off})
        out["sentences"] += [[s.start_char + off, s.end_char + off] for s in doc.sents]
    return out


def register(app: typer.Typer) -> None:
    @app.command("extract")
    def extract(text: str | None = typer.Argument(None, help="Text to analyse."),
                file: Path | None = typer.Option(None, "--file", "-f", help="Read the text from a file."),
                as_json: bool = typer.Option(False, "--json")) -> None:
        """Entities (text, offsets, id, category) and signed relations with flags, per sentence."""
        from rich.console import Console
        from rich.table import Table

        from kg.surfaces.cli import emit_json, fail

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
        if out["pairs"]:
            pt = Table(title="Pairs (learned document-level model)")
            for c in ("a", "b", "probability", "type", "sentence"):
                pt.add_column(c)
            for x in out["pairs"]:
                pt.add_row(f"{x['a_text']} ({x['a']})", f"{x['b_text']} ({x['b']})", f"{x['probability']:.2f}",
                           x["type"], x.get("sentence") or "(no shared sentence)")
            con.print(pt)
        if out["ungrounded_genes"]:
            con.print("gene mentions no dictionary grounds: " + ", ".join(u["text"] for u in out["ungrounded_genes"]))
