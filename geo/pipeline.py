"""The ingest pipeline: files -> articles -> geoparsed documents -> claims -> store.

Extraction (the expensive, pure part) runs per file, locally or fanned out over a Dask cluster;
writing is always done by this process, one transaction per article, so a killed ingest never
leaves half an article behind and a re-run stores each article exactly once.

Public surface::

    process(article, profile, gazetteer)      one article -> its Document (toponyms, claims)
    extract_file(path, source, published, profile, known=...)
                                              one file -> FileResult; never raises
    extract_batch(paths, ...)                 several files -> [FileResult] (one Dask task)
    ingest_paths(paths, db, ..., engine="local"|"dask", scheduler=None, workers=2,
                 progress=cb, on_failure=cb) -> IngestSummary
    run_ingest_cli(args)                      ``python -m geo ingest``
    IngestError                               the ingest as a whole cannot go on (store, cluster)

Design notes:

- Results are written in input order whatever the engine, so a Dask run stores exactly what a
  local run stores (when two files carry the same text, the first in sorted order is the one kept).
  Dask work goes out in batches of files, at most a bounded window of batches in flight or waiting
  to be written, so memory stays bounded on any corpus size.
- Articles already in the store are not extracted again: the local engine asks the store; Dask
  workers get the store's content hashes once (as 64-bit prefixes, 8 bytes each) and the client
  confirms every skip with the store, so a prefix collision only costs one local extraction.
  A re-run after a crash therefore only pays for reading the files.
- Workers load the gazetteer once per process (``geo.gazetteer.default_gazetteer`` is a process
  singleton, about 3 s and 340 MB with the lexicons and automaton), on their first task.
"""
from __future__ import annotations

import math
import os
import re
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from geo.document import Article, Claim, Document

if TYPE_CHECKING:
    from geo.gazetteer import Gazetteer
    from geo.profiles import Profile

ProgressCallback = Callable[[int, int, str], None]  # (done, total, current file)
KnownCheck = Callable[[str], bool]  # content hash -> already stored?

# Files per Dask task: enough to amortise scheduling (~1 ms per task) against ~5-25 ms per article,
# few enough that every worker gets many tasks and the last one does not run alone for long.
MAX_BATCH_FILES = 64
TASKS_PER_WORKER = 8
# Batches in flight or waiting to be written, per worker: bounds the client's and workers' memory.
WINDOW_PER_WORKER = 6


class IngestError(Exception):
    """The ingest as a whole cannot go on (the store is unusable, the cluster unreachable)."""


@dataclass
class FileResult:
    """What one input file gave: its articles with their claims, or why it failed.

    ``documents`` holds (article, claims); claims is None for an article skipped because the store
    (probably) holds it already. ``item_errors`` lists the unusable objects of a JSON list whose
    other objects were read: (``"file.json#3"``, reason).
    """

    path: str
    documents: list[tuple[Article, list[Claim] | None]] = field(default_factory=list)
    error: str | None = None
    item_errors: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class IngestSummary:
    files: int = 0
    articles: int = 0
    stored: int = 0
    duplicates: int = 0
    claims: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def line(self) -> str:
        return (f"{self.files} files, {self.articles} articles: {self.stored} stored, "
                f"{self.duplicates} already in the store, {self.claims} claims; {len(self.failures)} failed")


# --------------------------------------------------------------------------------------------
# Extraction (runs wherever the engine puts it)


def process(article: Article, profile: Profile | str = "syria", gazetteer: Gazetteer | None = None) -> Document:
    """Geoparse one article and extract its claims."""
    from geo.claims import extract
    from geo.geoparser import geoparse

    doc = Document(article)
    geoparse(doc, gazetteer)
    extract(doc, profile)
    return doc


def extract_file(path: str, source: str | None = None, published: date | None = None,
                 profile: str = "syria", *, known: KnownCheck | None = None) -> FileResult:
    """Read one file and extract every article's claims. Never raises: errors are reported.

    ``known(content_hash)`` says which articles the store already holds: those are returned with
    ``None`` claims, unprocessed. An article of a JSON list that cannot be processed is reported in
    ``item_errors`` (``"file.json#2"``) and the list's other articles are kept.
    """
    from geo.articles import ArticleError, read_articles

    result = FileResult(str(path))
    try:
        articles = read_articles(Path(path), source=source, published=published)
    except ArticleError as exc:
        result.error = exc.reason
        return result
    except Exception as exc:  # a bug or a hostile input must not stop the other files
        result.error = f"could not read ({type(exc).__name__}: {exc})"
        return result
    result.item_errors = [(e.path, e.reason) for e in getattr(articles, "errors", [])]
    for article in articles:
        try:
            if known is not None and known(article.content_hash):
                result.documents.append((article, None))
                continue
            result.documents.append((article, process(article, profile).claims))
        except Exception as exc:
            reason = f"could not process ({type(exc).__name__}: {exc})"
            if len(articles) == 1:
                result.error = reason
            else:
                result.item_errors.append((_item_path(str(path), article), reason))
    return result


def _item_path(path: str, article: Article) -> str:
    """``file.json#3`` for the third article of a JSON list (its name carries the "#3")."""
    name, hashmark, number = article.article.rpartition("#")
    return f"{path}#{number}" if hashmark and number.isdigit() else path


def extract_batch(paths: list[str], source: str | None = None, published: date | None = None,
                  profile: str = "syria", known: KnownCheck | None = None) -> list[FileResult]:
    """:func:`extract_file` over several files (one Dask task). Never raises."""
    return [extract_file(p, source, published, profile, known=known) for p in paths]


class HashPrefixes:
    """A compact, picklable set of content hashes (their first 64 bits), shipped once to workers.

    Membership can give a false positive (about n / 2**64), never a false negative; the client
    confirms every positive with the store.
    """

    def __init__(self, hashes: Iterable[str]) -> None:
        import numpy as np

        values = np.fromiter((int(h[:16], 16) for h in hashes), dtype=np.uint64)
        self._sorted = np.unique(values)

    def __len__(self) -> int:
        return int(self._sorted.size)

    def __call__(self, content_hash: str) -> bool:
        import numpy as np

        if not self._sorted.size:
            return False
        value = np.uint64(int(content_hash[:16], 16))
        i = int(np.searchsorted(self._sorted, value))
        return i < self._sorted.size and self._sorted[i] == value


# --------------------------------------------------------------------------------------------
# Engines


def _results_local(paths: list[str], source, published, profile, known: KnownCheck | None) -> Iterator[FileResult]:
    for p in paths:
        yield extract_file(p, source, published, profile, known=known)


def _batches(paths: list[str], workers: int) -> list[list[str]]:
    size = max(1, min(MAX_BATCH_FILES, math.ceil(len(paths) / max(1, workers * TASKS_PER_WORKER))))
    return [paths[i:i + size] for i in range(0, len(paths), size)]


@contextmanager
def dask_client(scheduler: str | None = None, workers: int = 2) -> Iterator[Any]:
    """A Dask client on ``scheduler``, or on a LocalCluster of ``workers`` processes (one thread each:
    extraction is pure Python and holds the GIL). Closes what it started."""
    import logging

    from dask.distributed import Client, LocalCluster

    cluster = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout="20s")
            except (OSError, TimeoutError, ValueError) as exc:  # unreachable, or not an address at all
                raise IngestError(f"cannot connect to the Dask scheduler at {scheduler}: {exc}") from None
        else:
            cluster = LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, silence_logs=logging.ERROR,
                # No dashboard; the scheduler's small HTTP endpoint on a free local port (the default,
                # 8787, may be taken by another cluster or a notebook).
                scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
            )
            client = Client(cluster)
    except BaseException:
        if cluster is not None:
            cluster.close()
        raise
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


@dataclass
class _Slot:
    """One batch of files in input order: its results fill in as its task(s) finish."""

    paths: list[str]
    results: list[FileResult | None]
    missing: int


def _results_dask(paths: list[str], source, published, profile, scheduler: str | None, workers: int,
                  known: HashPrefixes | None) -> Iterator[FileResult]:
    from dask.distributed import as_completed

    if scheduler:
        # Workers elsewhere resolve paths against their own working folder: send absolute ones.
        # (They must see the same files: a shared file system, see the README.)
        paths = [os.path.abspath(p) for p in paths]
    with dask_client(scheduler, workers) as client:
        n_workers = max(1, len(client.scheduler_info().get("workers", {})) or workers)
        batches = _batches(paths, n_workers)
        window = WINDOW_PER_WORKER * n_workers
        known_ref = client.scatter(known, broadcast=True) if known is not None and len(known) else None
        slots = [_Slot(b, [None] * len(b), len(b)) for b in batches]
        pending: dict[Any, tuple[int, int | None]] = {}  # future -> (slot, file index if retried singly)
        futures = as_completed()
        next_submit = next_write = 0

        def submit(chunk: list[str], where: tuple[int, int | None]) -> None:
            future = client.submit(extract_batch, chunk, source, published, profile, known_ref, pure=False)
            pending[future] = where
            futures.add(future)

        def fill() -> None:
            nonlocal next_submit
            while next_submit < len(slots) and next_submit - next_write < window:
                submit(slots[next_submit].paths, (next_submit, None))
                next_submit += 1

        fill()
        for future in futures:
            index, single = pending.pop(future)
            slot = slots[index]
            try:
                got: list[FileResult] = future.result()
            except Exception as exc:  # the task's worker died (KilledWorker) or could not run it
                if single is None and len(slot.paths) > 1:
                    # Find the file that kills workers: run the batch's files one by one.
                    for j, p in enumerate(slot.paths):
                        submit([p], (index, j))
                    future.release()
                    continue
                j = 0 if single is None else single
                got = [FileResult(slot.paths[j], error=f"a Dask worker failed on this file ({type(exc).__name__})")]
            future.release()
            if single is None:
                slot.results, slot.missing = list(got), 0
            else:
                slot.results[single] = got[0]
                slot.missing -= 1
            while next_write < len(slots) and slots[next_write].missing == 0:
                yield from slots[next_write].results  # type: ignore[misc]
                slots[next_write].results = []
                next_write += 1
            fill()


# --------------------------------------------------------------------------------------------
# Ingest


def ingest_paths(paths: Iterable[str | Path], db: str | Path, *, source: str | None = None,
                 published: date | None = None, profile: str = "syria", engine: str = "local",
                 scheduler: str | None = None, workers: int = 2,
                 progress: ProgressCallback | None = None,
                 on_failure: Callable[[str, str], None] | None = None) -> IngestSummary:
    """Ingest files and folders into the store at ``db``; returns what happened, file by file.

    Failures (a file that is not an article, an unusable object of a JSON list, an article the
    store refuses) are reported through ``on_failure(path, reason)`` and the summary, and never stop
    the other files. Raises :class:`IngestError` when the ingest as a whole cannot go on.
    """
    from geo.articles import iter_article_files
    from geo.profiles import load_profile
    from geo.store import Store, StoreError

    if engine not in ("local", "dask"):
        raise ValueError(f"unknown engine {engine!r}: 'local' or 'dask'")
    load_profile(profile)  # fail early, before any work, on an unknown profile
    files = [str(p) for p in iter_article_files(paths)]
    summary = IngestSummary(files=len(files))

    def failed(path: str, reason: str) -> None:
        summary.failures.append((path, reason))
        if on_failure:
            on_failure(path, reason)

    try:
        store = Store(db)
    except (StoreError, sqlite3.Error, OSError) as exc:
        raise IngestError(f"cannot open the store {db}: {exc}") from None
    with store:
        if engine == "dask":
            known = HashPrefixes(store.content_hashes())
            results = _results_dask(files, source, published, profile, scheduler, workers, known)
        else:
            results = _results_local(files, source, published, profile, store.has_article)
        # Articles go in by the batch (one commit per 64 articles or per second), each still whole or
        # not at all: see Store.batch.
        with closing(results), store.batch():
            for done, result in enumerate(results, 1):
                if result.error:
                    failed(result.path, result.error)
                for where, reason in result.item_errors:
                    failed(where, reason)
                for article, claims in result.documents:
                    summary.articles += 1
                    if claims is None:
                        if store.has_article(article.content_hash):
                            summary.duplicates += 1
                            continue
                        claims = process(article, profile).claims  # a hash-prefix collision: rare
                    try:
                        stored = store.add_article(article, claims)
                    except (ValueError, sqlite3.IntegrityError) as exc:
                        # This article breaks the store's rules; its transaction was rolled back.
                        failed(result.path, f"not stored ({exc})")
                        continue
                    except (StoreError, sqlite3.Error) as exc:
                        raise IngestError(f"the store {db} failed while writing {result.path}: {exc}") from None
                    if stored:
                        summary.stored += 1
                        summary.claims += len(claims)
                    else:
                        summary.duplicates += 1
                if progress:
                    progress(done, len(files), result.path)
    return summary


# Control characters (and bidirectional overrides, which can make "txt.exe" read "exe.txt") would
# break the promise of one readable line per failure: show them escaped.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def one_line(text: str) -> str:
    """``text`` with control characters escaped (``\\n``, ``\\x1b``, ``\\u202e``), fit for one line."""
    def escape(m: re.Match) -> str:
        ch = m.group(0)
        return {"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or (
            f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")

    return _UNPRINTABLE.sub(escape, text)


def run_ingest_cli(args) -> int:
    """``python -m geo ingest PATH... --db FILE``: one line per failed file, then a summary.

    Exit status: 0 when every file went in (or was already stored), 1 when some file failed or no
    file was found, 2 when the ingest could not run (bad arguments, unusable store, no cluster).
    """
    from tqdm import tqdm

    from geo.profiles import available_profiles

    if args.profile not in available_profiles() and not Path(args.profile).is_file():
        print(f"error: unknown profile {args.profile!r}; available: {', '.join(available_profiles())}",
              file=sys.stderr)
        return 2
    if args.workers < 1:
        print(f"error: --workers must be at least 1, not {args.workers}", file=sys.stderr)
        return 2
    if args.scheduler and args.engine != "dask":
        print("error: --scheduler needs --engine dask", file=sys.stderr)
        return 2
    bar = None

    def progress(done: int, total: int, path: str) -> None:
        nonlocal bar
        if args.quiet or total < 20:
            return
        if bar is None:
            bar = tqdm(total=total, unit="file", file=sys.stderr, leave=False)
        bar.update(1)

    def failure(path: str, reason: str) -> None:
        line = f"failed: {one_line(str(path))}: {one_line(reason)}"
        (bar.write(line, file=sys.stderr) if bar else print(line, file=sys.stderr))

    try:
        summary = ingest_paths(
            args.paths, args.db, source=args.source, published=args.published, profile=args.profile,
            engine=args.engine, scheduler=args.scheduler, workers=args.workers, progress=progress,
            on_failure=failure,
        )
    except IngestError as exc:
        if bar is not None:
            bar.close()
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    if bar is not None:
        bar.close()
    print(summary.line(), file=sys.stderr)
    if summary.files == 0:
        print("error: no article files found in the given paths", file=sys.stderr)
        return 1
    return 0 if summary.ok else 1
