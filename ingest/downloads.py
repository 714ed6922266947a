"""``kg fetch``: download the sources of the ``full`` profile from their publishers into a data directory.

The registry (``ontology/sources/downloads.yaml``) says, per source, where each file comes from, where
it is stored (the layout of ``../shared/data``, so the build reads either directory the same way) and
its licence. :func:`fetch_sources` downloads through :meth:`ingest.fetch.Fetcher.download` (retries,
resume of a ``.part`` with HTTP ``Range``, :class:`ingest.fetch.OfflineError` naming the host) and
records every file in ``MANIFEST.json``: url, sha256, bytes, retrieval time and the server's
``Last-Modified``/``ETag``. A file already present whose checksum matches the manifest is not
downloaded again (no request at all); a file that does not match is fetched again.

>>> sorted(registry())[:3]
['hgnc', 'msigdb_go', 'msigdb_reactome']
>>> registry()["reactome"].files[0].path
'reactome/ReactomePathways.gmt'
"""
from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence
from urllib.parse import urljoin

import yaml

import ontology
from ingest.fetch import Downloaded, Fetcher, FetchError, sha256_file, zip_member

REGISTRY = Path(ontology.__file__).resolve().parent / "sources" / "downloads.yaml"
MANIFEST = "MANIFEST.json"
MANIFEST_FORMAT = 1
#: Access of a source: ``open``, fetched by default, or ``registration`` (its publisher asks every user
#: to register first), fetched only on request.
OPEN, REGISTRATION = "open", "registration"


@dataclass(frozen=True)
class FileSpec:
    """One file of a source: its publisher URL (or a listing to find it in), where it is stored, and
    the file of ``../shared/data`` it stands for."""

    source: str
    path: str
    shared: str
    url: str = ""
    index: str = ""
    match: str = ""
    unzip: str = ""

    @property
    def key(self) -> str:
        """Stable name of this file across releases (a listed file's path changes with its date)."""
        return self.index or self.url


@dataclass(frozen=True)
class SourceSpec:
    name: str
    title: str
    publisher: str
    licence: str
    access: str
    files: tuple[FileSpec, ...]
    note: str = ""
    register: str = ""


@lru_cache(maxsize=1)
def _registry_data() -> dict[str, Any]:
    return yaml.safe_load(REGISTRY.read_text(encoding="utf-8"))


def registry() -> dict[str, SourceSpec]:
    """Every downloadable source by name, as the registry lists them."""
    out = {}
    for name, raw in _registry_data()["sources"].items():
        files: list[FileSpec] = []
        for f in raw["files"]:
            for i in f.get("ids") or [None]:
                def fill(text: str, i=i) -> str:
                    return text.replace("{id}", i) if i else text
                files.append(FileSpec(name, fill(f["path"]), fill(f["shared"]), fill(f.get("url", "")),
                                      f.get("index", ""), f.get("match", ""), f.get("unzip", "")))
        out[name] = SourceSpec(name, raw["title"], raw["publisher"], raw["licence"], raw["access"], tuple(files),
                               " ".join(str(raw.get("note", "")).split()), raw.get("register", ""))
    return out


def needs_shared() -> dict[str, str]:
    """What the project reads from ``../shared/data`` that is not fetched, with the reason."""
    return {k: " ".join(v.split()) for k, v in (_registry_data().get("needs_shared") or {}).items()}


def select(names: Sequence[str] = (), *, registration: bool = False) -> list[SourceSpec]:
    """The sources named (all open ones when none is, plus the registration ones with ``registration``)."""
    reg = registry()
    unknown = [n for n in names if n not in reg]
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(unknown)} (choose from {', '.join(reg)})")
    if names:
        return [reg[n] for n in dict.fromkeys(names)]
    return [s for s in reg.values() if s.access == OPEN or registration]


def skipped(chosen: Iterable[SourceSpec]) -> list[SourceSpec]:
    """The registration sources left out of ``chosen``."""
    names = {s.name for s in chosen}
    return [s for s in registry().values() if s.access == REGISTRATION and s.name not in names]


# -- manifest ------------------------------------------------------------------------------------
def read_manifest(data_dir: str | Path) -> dict[str, dict[str, Any]]:
    """``relative path -> entry`` of ``DIR/MANIFEST.json`` ({} when there is none or it is unreadable)."""
    try:
        data = json.loads((Path(data_dir) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = data.get("files") if isinstance(data, dict) else None
    return files if isinstance(files, dict) else {}


def has_fetched_data(data_dir: str | Path) -> bool:
    """True when ``data_dir`` holds a ``kg fetch`` download (a manifest naming at least one file)."""
    return bool(read_manifest(data_dir))


def _write_manifest(data_dir: Path, files: dict[str, dict[str, Any]]) -> None:
    body = {"format": MANIFEST_FORMAT, "written_by": "kg fetch", "files": dict(sorted(files.items()))}
    tmp = data_dir / f".{MANIFEST}.tmp"
    tmp.write_text(json.dumps(body, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, data_dir / MANIFEST)  # a kill leaves the old manifest or the new one


def missing(data_dir: str | Path) -> list[SourceSpec]:
    """Registry sources with a file that the manifest of ``data_dir`` does not list."""
    listed = {(e.get("source"), e.get("key")) for e in read_manifest(data_dir).values()}
    return [s for s in registry().values() if any((s.name, f.key) not in listed for f in s.files)]


# -- fetching ------------------------------------------------------------------------------------
@dataclass
class FetchResult:
    """What happened to one file: ``present`` (checksum matched, nothing requested), ``fetched``,
    ``resumed`` (a partial download continued), ``refetched`` (the file on disk did not match its
    checksum), ``unchanged`` (``--refresh``, and the server said 304)."""

    source: str
    path: str
    status: str
    entry: dict[str, Any] = field(default_factory=dict)


#: ``progress(path, bytes done, total bytes or None)``, called as a file arrives.
Progress = Callable[[str, int, int | None], None]


def _verified(data_dir: Path, rel: str, entry: dict[str, Any] | None) -> bool:
    p = data_dir / rel
    return bool(entry) and p.is_file() and p.stat().st_size == entry.get("bytes") and sha256_file(p) == entry.get("sha256")


def _listed_name(fetcher: Fetcher, spec: FileSpec) -> str:
    """The newest file name matching ``spec.match`` in the directory listing ``spec.index``."""
    page = fetcher.get(fetcher.mirror(spec.index), refresh=True).content.decode("utf-8", "replace")
    names = sorted({m.group(0) for m in re.finditer(spec.match, page)})
    if not names:
        raise FetchError(f"{spec.index}: no file matching {spec.match} in the listing")
    return names[-1]


def _store_zip_member(archive: Path, target: Path, member: str, label: str) -> bytes:
    data = zip_member(archive.read_bytes(), member, label)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, target)
    archive.unlink()
    return data


def _download(fetcher: Fetcher, spec: FileSpec, url: str, target: Path, progress: Progress | None,
              validators: dict[str, str] | None) -> tuple[Downloaded, dict[str, Any]]:
    """Download ``url`` (``spec.unzip``: the archive beside ``target``, then its member) -> the result and
    the manifest fields of the stored file."""
    rel = spec.path
    cb = (lambda done, total: progress(rel, done, total)) if progress else None
    if not spec.unzip:
        got = fetcher.download(fetcher.mirror(url), target, progress=cb, validators=validators)
        return got, {"sha256": got.sha256, "bytes": got.bytes}
    archive = target.with_name(target.name + ".zip")
    got = fetcher.download(fetcher.mirror(url), archive, progress=cb, validators=validators)
    if got.not_modified:
        return got, {}
    data = _store_zip_member(archive, target, spec.unzip, url)
    return got, {"sha256": sha256_file(target), "bytes": len(data), "download_sha256": got.sha256,
                 "download_bytes": got.bytes, "member": spec.unzip}


def fetch_file(fetcher: Fetcher, data_dir: Path, spec: FileSpec, manifest: dict[str, dict[str, Any]], *,
               licence: str, refresh: bool = False, progress: Progress | None = None) -> FetchResult:
    """Bring one file of the registry into ``data_dir`` and its entry into ``manifest`` (changed in place)."""
    previous = next(((rel, e) for rel, e in manifest.items() if e.get("source") == spec.source
                     and e.get("key") == spec.key), (None, None))
    old_rel, old = previous
    if old_rel and not refresh and _verified(data_dir, old_rel, old):
        return FetchResult(spec.source, old_rel, "present", old or {})
    corrupt = bool(old_rel and (data_dir / old_rel).exists() and not refresh)
    if spec.index and (refresh or not old):
        name = _listed_name(fetcher, spec)
        url, rel = urljoin(spec.index, name), spec.path.replace("{name}", name)
    elif spec.index and old_rel:  # the listed release on disk is damaged: the same release again
        url, rel = str(old.get("url", "")), old_rel
    else:
        url, rel = spec.url, spec.path
    target = data_dir / rel
    validators = None
    if refresh and old and old_rel == rel and _verified(data_dir, rel, old):
        validators = {k: old[k] for k in ("etag", "last_modified") if old.get(k)} or None
    got, stored = _download(fetcher, spec, url, target, progress, validators)
    if got.not_modified and old:
        entry = {**old, "checked_at": got.retrieved_at}
        manifest[rel] = entry
        return FetchResult(spec.source, rel, "unchanged", entry)
    if old_rel and old_rel != rel:  # a newer release under a new name replaces the old file
        (data_dir / old_rel).unlink(missing_ok=True)
        manifest.pop(old_rel, None)
    entry: dict[str, Any] = {"source": spec.source, "key": spec.key, "url": url, **stored,
                             "retrieved_at": got.retrieved_at, "licence": licence}
    if got.url != url:
        entry["fetched_from"] = got.url
    for k in ("last_modified", "etag"):
        if getattr(got, k):
            entry[k] = getattr(got, k)
    if spec.index:
        entry["index"] = spec.index
    manifest[rel] = entry
    status = "refetched" if corrupt else "resumed" if got.resumed_from else "fetched"
    return FetchResult(spec.source, rel, status, entry)


def fetch_sources(data_dir: str | Path, fetcher: Fetcher, sources: Sequence[SourceSpec], *, refresh: bool = False,
                  progress: Progress | None = None) -> list[FetchResult]:
    """Fetch every file of ``sources`` into ``data_dir``; the manifest is rewritten after each file, so
    an interrupted run keeps what it finished (and the ``.part`` of what it had begun)."""
    d = Path(data_dir)
    d.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(d)
    results = []
    for src in sources:
        for spec in src.files:
            res = fetch_file(fetcher, d, spec, manifest, licence=src.licence, refresh=refresh, progress=progress)
            results.append(res)
            if res.status != "present":
                _write_manifest(d, manifest)
    if not (d / MANIFEST).exists():
        _write_manifest(d, manifest)
    return results


def stamp(entry: dict[str, Any]) -> dict[str, Any]:
    """The fields of a manifest entry a source's provenance keeps (``params["fetched"]``)."""
    keys = ("url", "fetched_from", "sha256", "bytes", "retrieved_at", "last_modified", "etag", "download_sha256")
    return {k: entry[k] for k in keys if entry.get(k)}


def release_date(entry: dict[str, Any]) -> str:
    """``YYYY-MM-DD`` of a fetched file: the server's Last-Modified, else the day it was retrieved."""
    from email.utils import parsedate_to_datetime

    lm = entry.get("last_modified") or ""
    try:
        return parsedate_to_datetime(lm).strftime("%Y-%m-%d") if lm else str(entry.get("retrieved_at", ""))[:10]
    except (TypeError, ValueError):
        return str(entry.get("retrieved_at", ""))[:10] or time.strftime("%Y-%m-%d")
