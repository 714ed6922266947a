"""``kg ingest pubmed|pubmed-xml|pubtator|pubtator3``: literature into sentence-level, verified evidence."""
from __future__ import annotations

import os
from pathlib import Path

import typer

from kg.surfaces.commands.ingest import ingest_app


def _store_result(result, problems: list[str], skipped: int, as_json: bool, extra=None) -> None:
    """Load ``result`` (and ``extra``: PubTator3's relations for the same papers) into the store, report."""
    from rich.markup import escape

    from kg.pipeline.load import BuildError, load
    from kg.surfaces.cli import console, emit_json, fail, open_store_or_fail, settings

    s = settings()
    store = open_store_or_fail(s)
    try:
        report = load(store, [result.load] + ([extra.load] if extra is not None else []))
    except BuildError as exc:
        fail(str(exc))
    finally:
        store.close()
    stats = result.stats.to_dict()
    stats["skipped_documents"] += skipped
    stats["messages"] = (problems + stats["messages"])[:50]
    out = {"literature": stats, "load": report.to_dict()}
    if extra is not None:
        out["pubtator3"] = extra.stats.to_dict()
    if as_json:
        emit_json(out)
        return
    for m in problems[:20]:
        console.print(f"[yellow]skipped[/] {escape(m)}")
    console.print(f"{stats['documents']} documents, {stats['sentences']} sentences, {stats['relations']} relations "
                  f"+ {stats['pair_relations']} from the pair model + {stats['pubtator3_relations']} from PubTator3 "
                  f"({stats['verified']} verified, {stats['unverified']} unverified), "
                  f"{stats['skipped_documents']} documents skipped; wrote {report.edges} edges and "
                  f"{report.evidence} evidence into {s.store}")
    if extra is not None:
        x = out["pubtator3"]
        console.print(f"PubTator3: {x['documents']} of the papers annotated, {x['pubtator3_relations']} of its "
                      f"relations placed in a sentence")


@ingest_app.command("pubmed-xml")
def ingest_pubmed_xml(files: list[Path] = typer.Argument(..., help="PubMed/MEDLINE XML files (.gz ok)."),
                      as_json: bool = typer.Option(False, "--json")) -> None:
    """Mine local PubMed/MEDLINE XML abstracts into signed, cited, verified evidence."""
    from ingest.literature import records_from_articles
    from ingest.pubmed import parse_pubmed_files

    articles, problems = parse_pubmed_files(files)
    result = records_from_articles(articles, source="pubmed", path=";".join(map(str, files)))
    _store_result(result, problems.messages, problems.skipped, as_json)


READER_HELP = ("ours: our reader on PubTator3's entities; pubtator3: PubTator3's own relations, each in the "
               "sentence naming both; both: the two (a paper still counts once in belief).")


def _reader(value: str) -> str:
    from ingest.literature import READERS

    if value not in READERS:
        raise typer.BadParameter(f"choose one of {', '.join(READERS)}")
    return value


@ingest_app.command("pubtator")
def ingest_pubtator(files: list[Path] = typer.Argument(..., help="PubTator3 BioC-JSON files."),
                    reader: str = typer.Option("both", "--reader", callback=_reader, help=READER_HELP),
                    as_json: bool = typer.Option(False, "--json")) -> None:
    """Mine PubTator3 BioC-JSON documents, taking their entity annotations as given."""
    from ingest.literature import records_from_pubtator
    from ingest.pubtator import parse_pubtator_files

    parsed = parse_pubtator_files(files)
    result = records_from_pubtator(parsed.documents, path=";".join(map(str, files)), reader=reader)
    _store_result(result, parsed.messages, parsed.skipped, as_json)


@ingest_app.command("pubtator3")
def ingest_pubtator3(pmids: str = typer.Option(..., "--pmids", help="Comma-separated PMIDs, or @FILE (one per line)."),
                     reader: str = typer.Option("both", "--reader", callback=_reader, help=READER_HELP),
                     base_url: str | None = typer.Option(None, "--base-url", help="PubTator3 API mirror (tests)."),
                     as_json: bool = typer.Option(False, "--json")) -> None:
    """Fetch PubTator3's entities and relations for PMIDs (cached) and mine them into evidence."""
    from ingest.fetch import Fetcher, FetchError
    from ingest.literature import records_from_pubtator
    from ingest.pubtator import parse_pubtator_bytes
    from kg.surfaces.cli import fail, settings

    if pmids.startswith("@"):
        src = Path(pmids[1:])
        if not src.is_file():
            fail(f"{src}: no such file")
        ids = [x.strip() for x in src.read_text(encoding="utf-8").split() if x.strip()]
    else:
        ids = [x.strip() for x in pmids.split(",") if x.strip()]
    bad = [x for x in ids if not x.isdigit()]
    if not ids or bad:
        fail(f"--pmids: not PMIDs: {', '.join(bad[:5]) or '(none given)'}")
    s = settings()
    fetcher = Fetcher(s.cache_dir, min_interval=0.34, base_url=base_url)  # PubTator3 asks for <= 3 requests/s
    try:
        answers = fetcher.pubtator3_documents(list(dict.fromkeys(ids)))
    except FetchError as exc:  # OfflineError included
        fail(str(exc))
    parsed = parse_pubtator_bytes((f"PubTator3 batch {i + 1}", a.content) for i, a in enumerate(answers))
    result = records_from_pubtator(parsed.documents, path=answers[0].url if answers else "", reader=reader)
    _store_result(result, parsed.messages, parsed.skipped, as_json)


@ingest_app.command("pubmed")
def ingest_pubmed(query: str = typer.Option(..., "--query", help="PubMed query, e.g. 'disc herniation resorption'."),
                  max_results: int | None = typer.Option(200, "--max", help="At most this many records."),
                  batch_size: int = typer.Option(200, "--batch-size"),
                  base_url: str | None = typer.Option(None, "--base-url", help="E-utilities base URL (tests)."),
                  pubtator3: bool = typer.Option(False, "--pubtator3",
                                                 help="Also fetch PubTator3's relations for the same PMIDs."),
                  pubtator3_url: str | None = typer.Option(None, "--pubtator3-url",
                                                           help="PubTator3 API mirror (tests)."),
                  as_json: bool = typer.Option(False, "--json")) -> None:
    """Search PubMed (E-utilities), fetch abstracts in resumable batches and mine them.

    Reads NCBI_API_KEY from the environment when set (10 requests/s instead of 3). With
    ``--pubtator3`` the same papers' PubTator3 relations become evidence too (source ``pubtator3``;
    a paper still counts once in belief).
    """
    from ingest.fetch import FetchError
    from ingest.literature import records_from_articles
    from ingest.pubmed import EUTILS, EutilsClient, parse_pubmed_files
    from kg.surfaces.cli import console, fail, settings

    s = settings()
    client = EutilsClient(s.cache_dir, api_key=os.environ.get("NCBI_API_KEY") or None,
                          base_url=base_url or EUTILS)
    try:
        with console.status(f"fetching PubMed records for {query!r}…"):
            files = client.fetch(query, max_results, batch_size)
    except FetchError as exc:
        fail(f"{exc} — rerun the same command to resume from the checkpoint")
    articles, problems = parse_pubmed_files(files)
    result = records_from_articles(articles, source="pubmed", path=f"esearch:{query}")
    extra = None
    if pubtator3 and articles:
        from ingest.fetch import Fetcher
        from ingest.literature import records_from_pubtator
        from ingest.pubtator import align_to_text, parse_pubtator_bytes

        fetcher = Fetcher(s.cache_dir, min_interval=0.34, base_url=pubtator3_url)
        try:
            answers = fetcher.pubtator3_documents(list(dict.fromkeys(a.pmid for a in articles)))
        except FetchError as exc:
            fail(f"PubTator3: {exc} (the PubMed records are cached: rerun without --pubtator3 to load them alone)")
        parsed = parse_pubtator_bytes((f"PubTator3 batch {i + 1}", a.content) for i, a in enumerate(answers))
        # PubTator3's annotations onto PubMed's text, so both readers' offsets index one stored text
        texts = {a.pmid: a.text for a in articles}
        aligned = []
        for d in parsed.documents:
            moved = align_to_text(d, texts.get(d.pmid, ""))
            if moved is None:
                problems.skip(f"PubTator3 PMID:{d.pmid}", "its text differs from the PubMed record's; not aligned")
            else:
                aligned.append(moved)
        extra = records_from_pubtator(aligned, reader="pubtator3", path=answers[0].url if answers else "")
    _store_result(result, problems.messages, problems.skipped, as_json, extra)


def register(app: typer.Typer) -> None:
    """Commands attach to ``ingest_app`` on import; the group itself is registered by kg.surfaces.commands.ingest."""
