"""The one error a reader raises for input it cannot read at all, and the boundary that makes it so.

Readers reject bad rows one at a time (``SourceLoad.reject``: file, line, reason). What stops a
whole file (a truncated ``.gz``, JSON nested past the recursion limit, XML that declares
entities) leaves the reader as :class:`IngestError`, whose message is one line naming the file
and, when known, the line or record. :func:`reader_boundary` turns the exceptions that malformed
bytes raise in the standard-library decoders into that error, so callers catch one type.

>>> try:
...     with reader_boundary("sets.gmt.gz"):
...         _ = gzip.decompress(gzip.compress(b"abc")[:-4])
... except IngestError as exc:
...     print(exc)
sets.gmt.gz: not a readable file: compressed data ends early (truncated .gz?)

Every ``.gz`` a reader opens goes through :func:`open_gzip` (or :func:`gunzip` for bytes), which
refuses a stream that inflates past :func:`max_decompressed_bytes` (a gzip bomb) with the same error.
"""
from __future__ import annotations

import csv
import functools
import gzip
import io
import json
import os
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Callable, Iterator, TypeVar
from xml.etree.ElementTree import ParseError
from xml.parsers.expat import ExpatError

from defusedxml import DefusedXmlException

MAX_REASON = 500  # a 300 KB header cell must not become a 300 KB error line
#: Most bytes one ``.gz`` may inflate to (the largest real input, the GO GMT, is tens of MB): a
#: stream past it is refused as a gzip bomb. ``KG_MAX_DECOMPRESSED_BYTES`` overrides it.
MAX_DECOMPRESSED_BYTES = 2 * 1024 ** 3
MAX_DECOMPRESSED_ENV = "KG_MAX_DECOMPRESSED_BYTES"
_GZ_CHUNK = 1 << 20


class IngestError(ValueError):
    """Input a reader cannot read. ``str()`` is one line: ``file[:line]: reason``.

    Raised as ``IngestError(where, reason)`` or, like any ValueError, ``IngestError("file:3: reason")``.
    A ValueError, so callers that already turn ValueError into one error line (``kg build``) keep working.
    """

    def __init__(self, where: str, reason: str | None = None):
        if reason is None:  # one message, "file[:line]: reason", as a ValueError is usually raised
            where, _, reason = where.partition(": ") if ": " in where else ("", "", where)
        reason = " ".join(str(reason).split())  # one line, whatever the cause printed
        self.where = where
        self.reason = reason if len(reason) <= MAX_REASON else reason[:MAX_REASON] + "…"
        super().__init__(f"{where}: {self.reason}" if where else self.reason)


#: What malformed bytes or structure raise in gzip/zlib, csv, json, the XML parsers and our own
#: field conversions (int(), dict access). Deliberately not OSError (a missing file is not malformed)
#: nor AttributeError (a bug, not bad input).
MALFORMED: tuple[type[BaseException], ...] = (
    EOFError, zlib.error, gzip.BadGzipFile, csv.Error, UnicodeError, json.JSONDecodeError, RecursionError,
    ParseError, ExpatError, DefusedXmlException, ValueError, TypeError, KeyError, IndexError, OverflowError,
)


def describe(exc: BaseException) -> tuple[int | None, str]:
    """(line number if the exception knows it, one-line reason) for a malformed-input exception.

    >>> describe(json.JSONDecodeError("Expecting value", "{\\n", 2))
    (2, 'not valid JSON (Expecting value, column 1)')
    """
    if isinstance(exc, DefusedXmlException):
        return None, ("XML declares entities or a DTD the reader refuses (entity expansion is disabled "
                      f"by design): {exc}")
    if isinstance(exc, ParseError):
        line, col = getattr(exc, "position", (None, None))
        return line, f"malformed XML (column {col}): {exc}"
    if isinstance(exc, ExpatError):
        return exc.lineno, f"malformed XML (column {exc.offset}): {exc}"
    if isinstance(exc, json.JSONDecodeError):
        return exc.lineno, f"not valid JSON ({exc.msg.removesuffix(' at')}, column {exc.colno})"
    if isinstance(exc, RecursionError):
        return None, "nested too deeply to read (e.g. JSON lists or objects thousands of levels deep)"
    if isinstance(exc, EOFError):
        return None, "not a readable file: compressed data ends early (truncated .gz?)"
    if isinstance(exc, (zlib.error, gzip.BadGzipFile)):
        return None, f"not a readable gzip file (corrupt or truncated .gz): {exc}"
    if isinstance(exc, csv.Error):
        return None, csv_reason(exc)
    if isinstance(exc, UnicodeDecodeError):
        return None, f"not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); save the file as UTF-8"
    return None, f"{type(exc).__name__}: {exc}"


def csv_reason(exc: csv.Error) -> str:
    """What a csv.Error means for the person who wrote the file."""
    msg = str(exc)
    if "field larger than field limit" in msg:
        return f"line has a cell longer than {csv.field_size_limit():,} characters"
    if "new-line character seen in unquoted field" in msg:
        return "line has a stray carriage return (\\r); save the file with plain line endings"
    return f"line is not readable CSV/TSV: {msg}"


@contextmanager
def reader_boundary(label: str) -> Iterator[None]:
    """Run reading code so that malformed input leaves it only as :class:`IngestError` naming ``label``."""
    try:
        yield
    except IngestError:
        raise
    except MALFORMED as exc:
        line, reason = describe(exc)
        raise IngestError(f"{label}:{line}" if line is not None else label, reason) from exc


def source_label(src: object, name: str | None = None) -> str:
    """The display name readers give a source: ``name``, else the file name, else ``<bytes>``."""
    if name:
        return name
    if isinstance(src, (bytes, bytearray)):
        return "<bytes>"
    return Path(str(src)).name


R = TypeVar("R")


def bounded_reader(fn: Callable[..., R]) -> Callable[..., R]:
    """Decorator form of :func:`reader_boundary` for a reader ``fn(src, ..., name=None, ...)``."""

    @functools.wraps(fn)
    def wrapper(src: object, *args: object, **kwargs: object) -> R:
        name = kwargs.get("name")
        with reader_boundary(source_label(src, name if isinstance(name, str) else None)):
            return fn(src, *args, **kwargs)

    return wrapper


def max_decompressed_bytes() -> int:
    """The decompression cap in force: ``$KG_MAX_DECOMPRESSED_BYTES`` if set, else :data:`MAX_DECOMPRESSED_BYTES`."""
    env = os.environ.get(MAX_DECOMPRESSED_ENV, "").strip().replace("_", "")
    if not env:
        return MAX_DECOMPRESSED_BYTES
    if not env.isdigit() or int(env) <= 0:
        raise IngestError(MAX_DECOMPRESSED_ENV, f"{env!r} is not a positive number of bytes")
    return int(env)


class _CappedGzip(io.RawIOBase):
    """Raw reader over a gzip stream that raises :class:`IngestError` naming ``label`` when the
    data is corrupt or truncated, or inflates past ``limit`` bytes; closing it closes ``fileobj``."""

    def __init__(self, fileobj: IO[bytes], label: str, limit: int):
        self._raw, self._gz = fileobj, gzip.GzipFile(fileobj=fileobj, mode="rb")
        self.label, self.limit, self.total = label, limit, 0

    def readable(self) -> bool:
        return True

    def _count(self, n: int) -> None:
        self.total += n
        if self.total > self.limit:
            raise IngestError(self.label, f"decompresses to more than {self.limit:,} bytes, refused as a possible "
                                          f"gzip bomb (set {MAX_DECOMPRESSED_ENV} to allow a larger file)")

    def readinto(self, b) -> int:
        with reader_boundary(self.label):
            data = self._gz.read(min(len(b), self.limit - self.total + 1))
        self._count(len(data))
        b[:len(data)] = data
        return len(data)

    def readall(self) -> bytes:
        chunks = []
        while True:
            with reader_boundary(self.label):
                data = self._gz.read(min(_GZ_CHUNK, self.limit - self.total + 1))
            if not data:
                return b"".join(chunks)
            self._count(len(data))
            chunks.append(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self._gz.close()
            finally:
                self._raw.close()
        super().close()


def open_gzip(fileobj: IO[bytes], label: str, limit: int | None = None) -> io.BufferedReader:
    """A binary stream of the inflated content of ``fileobj`` (which it owns and closes), capped at
    ``limit`` (default :func:`max_decompressed_bytes`): the one way readers open ``.gz`` data.

    >>> bomb = gzip.compress(b"0" * 100_000)
    >>> try:
    ...     open_gzip(io.BytesIO(bomb), "bomb.txt.gz", limit=1000).read()
    ... except IngestError as exc:
    ...     print(str(exc)[:59])
    bomb.txt.gz: decompresses to more than 1,000 bytes, refused
    """
    if limit is None:
        try:
            limit = max_decompressed_bytes()
        except IngestError as exc:  # a bad setting: still one line naming the file being read
            fileobj.close()
            raise IngestError(label, str(exc)) from None
    return io.BufferedReader(_CappedGzip(fileobj, label, limit), _GZ_CHUNK)


def gunzip(data: bytes, label: str, limit: int | None = None) -> bytes:
    """:func:`open_gzip` for bytes already in memory: the inflated content, or :class:`IngestError`.

    >>> gunzip(gzip.compress(b"abc"), "x.gz")
    b'abc'
    """
    with open_gzip(io.BytesIO(data), label, limit) as fh:
        return fh.read()
