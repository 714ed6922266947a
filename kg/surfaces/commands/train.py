"""``kg train genes|pairs``: fit the literature reader's models on BioRED Train, tuned on Dev.

Write ``kg/datapack/models/gene_tagger.crfsuite`` and ``pairs.json`` (or ``--out``), in that
order; the test suite checks the shipped files are what these commands produce.
"""
from __future__ import annotations

from pathlib import Path

import typer

from kg.surfaces.commands.eval import default_corpus

train_app = typer.Typer(help="Train the literature reader's models on public corpora.", no_args_is_help=True)


@train_app.command("pairs")
def train_pairs(corpus: Path | None = typer.Option(None, "--corpus", help="BioRED directory."),
                out: Path | None = typer.Option(None, "--out", help="Where to write the model JSON."),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """Fit the document-level pair model on BioRED Train; C and threshold chosen on Dev."""
    from ingest.nlp.pairs import MODEL_FILE
    from ingest.train_pairs import train, write
    from kg.surfaces.cli import emit_json, fail

    c = corpus or default_corpus()
    if not (c / "Train.PubTator").is_file() or not (c / "Dev.PubTator").is_file():
        fail(f"{c}: needs Train.PubTator and Dev.PubTator (BioRED); pass --corpus")
    spec = train(c)
    path = write(spec, out or MODEL_FILE)
    summary = {k: v for k, v in spec.items() if k not in ("weights", "types")}
    summary.update(features=len(spec["weights"]), written=str(path))
    if as_json:
        emit_json(summary)
    else:
        dev = spec["dev_gene_gene_plus_gene_chemical"]
        print(f"pair model → {path}: {len(spec['weights'])} features, C={spec['C']}, threshold "
              f"{spec['threshold']:.3f}; Dev gene–gene + gene–chemical P {dev['precision']} R {dev['recall']} "
              f"F1 {dev['f1']}")


@train_app.command("genes")
def train_genes(corpus: Path | None = typer.Option(None, "--corpus", help="BioRED directory."),
                out: Path | None = typer.Option(None, "--out", help="Where to write the CRF model."),
                as_json: bool = typer.Option(False, "--json")) -> None:
    """Fit the gene-mention CRF on BioRED Train (run before ``kg train pairs``: its features use it)."""
    from ingest.nlp.gene_tagger import MODEL_FILE
    from ingest.train_gene_tagger import train
    from kg.surfaces.cli import emit_json, fail

    c = corpus or default_corpus()
    if not (c / "Train.PubTator").is_file():
        fail(f"{c}: needs Train.PubTator (BioRED); pass --corpus")
    summary = train(c, out or MODEL_FILE)
    if as_json:
        emit_json(summary)
    else:
        print(f"gene tagger → {summary['model']}: {summary['documents']} documents, {summary['tokens']} tokens, "
              f"{summary['unaligned_mentions']} mentions not on token boundaries, {summary['bytes']:,} bytes")


def register(app: typer.Typer) -> None:
    app.add_typer(train_app, name="train")
