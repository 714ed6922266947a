"""Downloads with a progress bar per file (bytes, speed, time left), shared by ``kg fetch`` and
``kg build --profile full --fetch``; errors are left to the caller to print as one line."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn, TransferSpeedColumn


def download_sources(dest: Path, cache_dir: Path, console: Console, names: Sequence[str] = (), *,
                     base_url: str | None = None, refresh: bool = False, msigdb: bool = False,
                     quiet: bool = False) -> list[Any]:
    """Fetch the sources ``names`` (default: every open one, and MSigDB's with ``msigdb``) into ``dest``.

    Raises ``ValueError`` (unknown source), :class:`ingest.fetch.FetchError` (``OfflineError`` naming
    the host when it cannot be reached) or ``OSError`` (the directory cannot be written).
    """
    from ingest.downloads import fetch_sources, select
    from ingest.fetch import Fetcher

    chosen = select(names, registration=msigdb)
    fetcher = Fetcher(cache_dir, base_url=base_url)
    columns = (TextColumn("{task.fields[path]}"), BarColumn(), DownloadColumn(), TransferSpeedColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=console, disable=quiet) as bar:
        tasks: dict[str, Any] = {}

        def progress(rel: str, done: int, total: int | None) -> None:
            if rel not in tasks:
                tasks[rel] = bar.add_task("fetch", total=total, path=rel)
            bar.update(tasks[rel], completed=done, total=total)

        return fetch_sources(dest, fetcher, chosen, refresh=refresh, progress=progress)


def fetch_error(exc: Exception, dest: Path) -> str:
    """The one line to print for a failed fetch."""
    from ingest.fetch import OfflineError

    if isinstance(exc, OfflineError):
        return f"{exc} (to build without the network: kg build --profile full --shared PATH)"
    if isinstance(exc, OSError):
        return f"cannot write into {dest}: {exc.strerror or exc}"
    return str(exc)
