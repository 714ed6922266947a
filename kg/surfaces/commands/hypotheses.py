"""``kg hypotheses``: ranked, evidence-backed hypothesis cards (JSON, Markdown or CSV)."""
from __future__ import annotations

import sys

import typer


def hypotheses(source: str = typer.Option(..., "--from", help="Entity or module the hypotheses start from."),
               target: str | None = typer.Option(None, "--to", help="Target entity or module (closed discovery)."),
               genes: str | None = typer.Option(None, "--genes",
                                                   help="Gene list file (one symbol per line, or a DEG table's first "
                                                        "column) or an experiment node id: candidates must be in it."),
               k: int = typer.Option(10, "--k", help="Number of cards."),
               max_hops: int = typer.Option(3, "--max-hops", help="Longest path counted (2–4)."),
               module: list[str] = typer.Option([], "--module", help="Candidates must belong to this module (repeatable)."),
               predicate: list[str] = typer.Option([], "--predicate", help="Allowed predicate (repeatable)."),
               species: list[str] = typer.Option([], "--species"),
               design: list[str] = typer.Option([], "--design"),
               source_filter: list[str] = typer.Option([], "--source", help="Evidence source (repeatable)."),
               min_belief: float = typer.Option(0.0, "--min-belief"),
               as_json: bool = typer.Option(False, "--json"), markdown: bool = typer.Option(False, "--markdown"),
               as_csv: bool = typer.Option(False, "--csv")) -> None:
    """Hypotheses from --from (to --to): pairs with no direct edge, ranked by their indirect support."""
    from pathlib import Path

    from ingest.hgnc import symbol_to_hgnc_id
    from kg.analysis import cards
    from kg.analysis.hypotheses import HypothesisError, read_gene_file, run
    from kg.query.resolve import EntityNotFound
    from kg.surfaces.cli import fail, open_store_or_fail, settings

    if sum((as_json, markdown, as_csv)) > 1:
        fail("choose one of --json, --markdown, --csv")
    store = open_store_or_fail(settings(), read_only=True)
    try:
        gene_arg = None
        if genes is not None:
            gene_arg = read_gene_file(genes) if Path(genes).exists() or "/" in genes or "." in genes else genes
        result = run(store, source, target, gene_arg, k, max_hops=max_hops, modules=module, predicates=predicate,
                     species=species, designs=design, sources=source_filter, min_belief=min_belief,
                     symbol_to_id=symbol_to_hgnc_id)
    except (EntityNotFound, HypothesisError) as exc:
        fail(str(exc))
    finally:
        store.close()
    if not result.cards:
        fail(f"no hypotheses: {result.reason}")
    if result.unmatched_genes:
        from kg.surfaces.cli import console

        console.print(f"[yellow]note:[/] {len(result.unmatched_genes)} gene(s) not in the graph: "
                      + ", ".join(result.unmatched_genes[:10]))
    if as_json:
        sys.stdout.write(cards.to_json(result.cards))
    elif as_csv:
        sys.stdout.write(cards.to_csv(result.cards))
    else:
        sys.stdout.write(cards.to_markdown(result.cards))


def register(app: typer.Typer) -> None:
    app.command("hypotheses")(hypotheses)
