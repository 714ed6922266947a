"""``kg eval ner|relations``: the literature extractor on BioRED; figures go to bench/results/eval_biored.json.

``eval_app`` is importable so other evaluations (e.g. ``kg eval timeslice``) attach to the same group.
"""
from __future__ import annotations

import json
from pathlib import Path

import typer

from ingest.locations import results_dir, shared_data_dir

eval_app = typer.Typer(help="Evaluate extractors and predictions against reference data.", no_args_is_help=True)
RESULTS = results_dir() / "eval_biored.json"


def default_corpus() -> Path:
    """``corpora/BioRED`` of the shared data directory (override with ``--corpus``)."""
    return shared_data_dir() / "corpora" / "BioRED"


def write_figures(figures: dict, path: Path = RESULTS) -> None:
    """Merge ``figures`` into the results file under ``<eval>_<split>`` (one JSON object)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text()) if path.exists() else {}
    data[f"{figures['eval']}_{figures['split']}"] = figures
    path.write_text(json.dumps(data, sort_keys=True) + "\n")


def _run(kind: str, split: str, corpus: Path | None, as_json: bool) -> None:
    from ingest.eval_biored import run
    from kg.surfaces.cli import emit_json, fail

    c = corpus or default_corpus()
    try:
        figures = run(kind, c, split)
    except (ValueError, FileNotFoundError) as exc:
        fail(str(exc))
    write_figures(figures)
    if as_json:
        emit_json(figures)
    else:
        print(json.dumps(figures))


@eval_app.command("ner")
def eval_ner(split: str = typer.Option("Test", "--split", help="Train, Dev or Test."),
             corpus: Path | None = typer.Option(None, "--corpus", help="BioRED directory."),
             as_json: bool = typer.Option(False, "--json")) -> None:
    """Gene/protein mention precision, recall and F1 on BioRED (exact span; normalised ids)."""
    _run("ner", split, corpus, as_json)


@eval_app.command("relations")
def eval_relations(split: str = typer.Option("Test", "--split", help="Train, Dev or Test."),
                   corpus: Path | None = typer.Option(None, "--corpus", help="BioRED directory."),
                   as_json: bool = typer.Option(False, "--json")) -> None:
    """Document-level gene–gene and gene–chemical pair precision/recall on BioRED."""
    _run("relations", split, corpus, as_json)


def register(app: typer.Typer) -> None:
    app.add_typer(eval_app, name="eval")
