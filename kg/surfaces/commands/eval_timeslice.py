"""``kg eval timeslice``: hide what was published after a year, predict it back, report the figures."""
from __future__ import annotations

import typer

from kg.surfaces.commands.eval import eval_app


@eval_app.command("timeslice")
def eval_timeslice(year: int = typer.Option(..., "--year", help="Last year of the 'known' graph."),
                   undated: str = typer.Option("exclude", "--undated",
                                               help="Edges without a dated evidence: exclude, or known (before)."),
                   max_candidates: int = typer.Option(200_000, "--max-candidates",
                                                      help="Sample negatives beyond this many candidate pairs."),
                   seed: int = typer.Option(0, "--seed", help="Seed of the negative sample."),
                   as_json: bool = typer.Option(False, "--json")) -> None:
    """Link prediction (Adamic-Adar, resource allocation, DWPC) against new links after --year, with the
    preferential-attachment baseline: AUROC, hits@k, mean rank."""
    from kg.analysis.timeslice import TimesliceError, timeslice, to_text
    from kg.surfaces.cli import emit_json, fail, open_store_or_fail, settings

    store = open_store_or_fail(settings(), read_only=True)
    try:
        report = timeslice(store, year, undated=undated, max_candidates=max_candidates, seed=seed)
    except TimesliceError as exc:
        fail(str(exc))
    finally:
        store.close()
    if as_json:
        emit_json(report)
    else:
        print(to_text(report))


def register(app: typer.Typer) -> None:
    """Nothing to add: the command joins ``kg eval``, which ``kg.surfaces.commands.eval`` registers."""
