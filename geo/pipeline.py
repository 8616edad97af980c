"""The ingest pipeline: files -> articles -> geoparsed documents -> claims -> store.

Extraction (the expensive, pure part) runs per file, locally or fanned out over a Dask cluster;
writing is always done by this process, in a writer thread of its own, each article whole or not
at all (a savepoint each), so a killed ingest never leaves half an article behind and a re-run
stores each article exactly once.

Public surface::

    process(article, profile, gazetteer)      one article -> its Document (toponyms, claims)
    extract_file(path, source, published, profile, known=...)
                                              one file -> FileResult; never raises
    extract_batch(paths, ...)                 several files -> [FileResult] (one Dask task)
    ingest_paths(paths, db, ..., engine="local"|"dask", scheduler=None, workers=2,
                 progress=cb, on_failure=cb, on_skip=cb, on_note=cb, budget=30) -> IngestSummary
    run_ingest_cli(args)                      ``python -m geo ingest``
    split_long_text(text, limit)              an over-long text -> parts at paragraph breaks
    time_budget(seconds)                      context manager: ArticleTimeout once time runs out
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
- Files are extracted :data:`SHARED_PARSE_FILES` at a time, side by side (``geo.nlp.SharedParse``):
  one at a time in turn, their sentences parsed together, one pass of the spaCy pipeline per round
  instead of one per article and stage (the model's fixed cost per call was a quarter of the parse).
  Results are those of extracting the files one after the other; a file slow to read is left to run
  on its own after half a second, so it holds the others back no longer than that.
- Bounded work per input: a text over :data:`MAX_ARTICLE_CHARS` is split into parts, and each
  article's extraction runs under a time budget (:class:`time_budget`, a safety net: an article over
  it is reported and left out; the time it waits for the shared parse is not counted). Extraction never runs inside a write transaction: the writer
  (:class:`_StoreWriter`) commits whatever is finished at least every :data:`COMMIT_SECONDS`.
"""
from __future__ import annotations

import ctypes
import dataclasses
import math
import os
import queue
import re
import sqlite3
import sys
import threading
import time
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

# A news article is a few kilobytes; the longest reports run to a few hundred. A text over this many
# characters is not one article (a book, a dump, a concatenated feed): it is split at paragraph
# breaks into parts of at most this size, each stored as an article of its own, with a note.
MAX_ARTICLE_CHARS = 2_000_000
# Seconds an article may take to geoparse and extract per BUDGET_UNIT_CHARS characters of text (and
# at least this much, however short it is): a safety net against work that grows faster than the
# text. An article over its budget is reported and skipped; the run goes on. Measured on a 2-core
# machine under load (load average 5-7): about 4.5 s for 100,000 characters, 140 s for 2,000,000,
# so the default leaves 4x to 6x of room for linear work and stops anything much worse.
DEFAULT_ARTICLE_BUDGET = 30.0
BUDGET_UNIT_CHARS = 100_000
# The writer commits what extraction finished at least this often, and at most this many articles
# at a time (the README promises both).
COMMIT_SECONDS = 1.0
COMMIT_ARTICLES = 64
# Skipped files the ingest command names one by one (then it gives a count).
MAX_SKIPPED_SHOWN = 20


class IngestError(Exception):
    """The ingest as a whole cannot go on (the store is unusable, the cluster unreachable)."""


class ArticleTimeout(BaseException):
    """An article took longer than its time budget (raised inside the thread doing the work).

    A BaseException, like KeyboardInterrupt, so that no ``except Exception`` inside a stage can
    swallow it and carry on past the budget."""


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
    notes: list[tuple[str, str]] = field(default_factory=list)  # (path, what was done), e.g. a split


@dataclass
class IngestSummary:
    files: int = 0
    articles: int = 0
    stored: int = 0
    duplicates: int = 0
    claims: int = 0
    failures: list[tuple[str, str]] = field(default_factory=list)
    # Files a folder walk left out (unsupported extension, hidden name), with why: not failures.
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures

    def line(self) -> str:
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        return (f"{self.files} files, {self.articles} articles: {self.stored} stored, "
                f"{self.duplicates} already in the store, {self.claims} claims; {len(self.failures)} failed"
                f"{skipped}")


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


def article_budget(budget: float | None, chars: int) -> float | None:
    """Seconds an article of ``chars`` characters may take: ``budget`` per :data:`BUDGET_UNIT_CHARS`
    characters, and at least ``budget``; None (no limit) when ``budget`` is None or 0."""
    if not budget or budget <= 0:
        return None
    return budget * max(1.0, chars / BUDGET_UNIT_CHARS)


# After a budget runs out, the exception is raised again this often until the work stops: one raised
# inside a garbage-collector callback or under C code that clears errors is lost, not fatal.
_REFIRE_SECONDS = 0.2


def _quiet_unraisable(hook: Callable[[Any], None]) -> Callable[[Any], None]:
    """``hook`` that ignores an ArticleTimeout raised where Python cannot raise it (a weakref callback,
    ``__del__``): the budget fires again, and the user gets one line, not a traceback."""
    def quiet(unraisable: Any) -> None:
        if isinstance(getattr(unraisable, "exc_value", None), ArticleTimeout) or \
                getattr(unraisable, "exc_type", None) is ArticleTimeout:
            return
        hook(unraisable)

    quiet.frontline_quiet = True  # type: ignore[attr-defined]
    return quiet


class _Alarm:
    """One call :class:`_Watchdog` will make; ``cancel()`` before it is due and it is not made."""

    __slots__ = ("due", "action", "cancelled")

    def __init__(self, due: float, action: Callable[[], None]) -> None:
        self.due, self.action, self.cancelled = due, action, False

    def cancel(self) -> None:
        self.cancelled = True

    def __lt__(self, other: "_Alarm") -> bool:
        return self.due < other.due


class _Watchdog:
    """One daemon thread that makes the due calls of every :class:`time_budget` of the process.

    A ``threading.Timer`` per article started a thread per article, and ``Thread.start`` waits for
    the new thread to run: on a busy machine that wait (a core to be free) came once per article
    on the ingest's critical path. Here a budget costs a heap entry; the thread is woken only when
    a call comes due before the ones it already waits for.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._heap: list[_Alarm] = []
        self._thread: threading.Thread | None = None

    def call_later(self, seconds: float, action: Callable[[], None]) -> _Alarm:
        import heapq

        alarm = _Alarm(time.monotonic() + seconds, action)
        with self._cond:
            if self._thread is None or not self._thread.is_alive():  # first use (or after a fork)
                self._thread = threading.Thread(target=self._run, name="frontline-budgets", daemon=True)
                self._thread.start()
            earliest = not self._heap or alarm.due < self._heap[0].due
            heapq.heappush(self._heap, alarm)
            if earliest:
                self._cond.notify()
        return alarm

    def _run(self) -> None:
        import heapq

        while True:
            with self._cond:
                while self._heap and self._heap[0].cancelled:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                wait = self._heap[0].due - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                alarm = heapq.heappop(self._heap)
            if not alarm.cancelled:
                try:
                    alarm.action()
                except Exception:  # a budget's call must not stop the others'
                    pass


_WATCHDOG = _Watchdog()


class time_budget:
    """``with time_budget(30): work()`` raises :class:`ArticleTimeout` inside ``work`` once 30 seconds
    have passed, in whatever thread runs it (the main thread, a Dask worker's, a Streamlit session's).

    The exception is delivered between Python bytecodes (``PyThreadState_SetAsyncExc``), so it stops
    the pure-Python stages wherever they loop; one long call into C finishes first. It is raised again
    every :data:`_REFIRE_SECONDS` until the work stops, since an exception raised inside a
    garbage-collector callback is ignored by Python. ``None`` or 0 means no budget.
    """

    def __init__(self, seconds: float | None) -> None:
        self.seconds = seconds
        self._lock = threading.Lock()
        self._done = False
        self._fired = False
        self._paused = self._due = False
        self._timer: _Alarm | None = None
        self._deadline = self._paused_at = 0.0

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            if self._paused:
                self._due = True  # resume() starts the clock again
                return
            left = self._deadline - time.monotonic()
            if left > 0 and not self._fired:  # time paused since: the deadline moved on
                self._schedule(left)
                return
            self._fired = True
            if not getattr(sys.unraisablehook, "frontline_quiet", False):
                sys.unraisablehook = _quiet_unraisable(sys.unraisablehook)
            ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._thread), ctypes.py_object(ArticleTimeout))
            self._deadline = time.monotonic() + _REFIRE_SECONDS
            self._schedule(_REFIRE_SECONDS)

    def _schedule(self, seconds: float) -> None:
        self._timer = _WATCHDOG.call_later(seconds, self._fire)

    def __enter__(self) -> time_budget:
        if self.seconds and self.seconds > 0 and math.isfinite(self.seconds):
            self._thread = threading.get_ident()
            self._deadline = time.monotonic() + self.seconds
            self._schedule(self.seconds)
            _budgets.__dict__.setdefault("stack", []).append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._timer is None:
            return
        stack = _budgets.__dict__.get("stack", [])
        if stack and stack[-1] is self:
            stack.pop()
        with self._lock:
            self._done = True
            if self._fired:
                # Fired as the work ended: clear the exception if it is still pending, so that it
                # cannot surface later in code that does not expect it.
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(self._thread), None)
            self._timer.cancel()

    def pause(self) -> None:
        """Stop the clock (while the work waits for others: a parse shared with other articles).
        Cheap: the timer runs on and, when it goes off early, waits for the time that is left."""
        with self._lock:
            if self._timer is not None and not self._done and not self._paused:
                self._paused, self._paused_at = True, time.monotonic()

    def resume(self) -> None:
        """Start the clock again with the time that was left."""
        with self._lock:
            if self._timer is None or self._done or not self._paused:
                return
            self._paused = False
            self._deadline += time.monotonic() - self._paused_at
            if self._due:
                self._due = False
                self._schedule(max(0.0, self._deadline - time.monotonic()))


# The budgets running in each thread, innermost last (for :func:`_pause_budget`).
_budgets = threading.local()


def _pause_budget(waiting: bool) -> None:
    """Pause (``waiting``) or resume the innermost time budget of this thread, if any: the time an
    article waits for a parse shared with other articles is not its own."""
    stack = _budgets.__dict__.get("stack")
    if stack:
        (stack[-1].pause if waiting else stack[-1].resume)()


class OverBudget(Exception):
    """An article ran out of its time budget; ``str()`` is the line to show."""


def claims_within_budget(article: Article, profile: str = "syria",
                         budget: float | None = DEFAULT_ARTICLE_BUDGET) -> list[Claim]:
    """:func:`process` ``article`` under its time budget (see :func:`article_budget`); its claims.
    Raises :class:`OverBudget` when it runs out (what first use loads is loaded outside the budget)."""
    _warm_up(profile)
    limit = article_budget(budget, len(article.text))
    try:
        with time_budget(limit):
            return process(article, profile).claims
    except ArticleTimeout:
        raise OverBudget(f"not processed: took more than its time budget of {limit:.3g} s ({budget:g} s per "
                         f"{BUDGET_UNIT_CHARS:,} characters; it has {len(article.text):,})") from None


_warm: set[str] = set()


def _warm_up(profile: str) -> None:
    """Load what the stages load on first use (gazetteer, lexicons, profile, models) once per process,
    outside any article's time budget."""
    if profile in _warm:
        return
    process(Article(article="<warm-up>", text="Rebels seized Hama on Thursday, a monitor said."), profile)
    _warm.add(profile)


def split_long_text(text: str, limit: int = MAX_ARTICLE_CHARS) -> list[str]:
    """``text`` cut into parts of at most ``limit`` characters, each ending at a paragraph break if
    one lies in the second half of the part, else at a line break, a sentence end, a space, or (a
    text with none of these) at the limit. Linear in the text's length."""
    parts: list[str] = []
    start, n = 0, len(text)
    while n - start > limit:
        end = start + limit
        low = start + limit // 2
        cut = -1
        for sep in ("\n\n", "\n", ". ", " "):
            at = text.rfind(sep, low, end)
            if at >= 0:
                cut = at + len(sep)
                break
        if cut <= start:
            cut = end
        parts.append(text[start:cut])
        start = cut
    parts.append(text[start:])
    return parts


def _split_long(article: Article, limit: int) -> tuple[list[Article], str | None]:
    """The article, or its parts when its text is over ``limit`` characters, with the note to show."""
    if len(article.text) <= limit:
        return [article], None
    parts = split_long_text(article.text, limit)
    note = (f"{len(article.text):,} characters, more than any news article (limit {limit:,}): "
            f"split into {len(parts)} articles, #part1 to #part{len(parts)}")
    return [dataclasses.replace(article, article=f"{article.article}#part{i}", text=part)
            for i, part in enumerate(parts, 1)], note


def extract_file(path: str, source: str | None = None, published: date | None = None,
                 profile: str = "syria", *, known: KnownCheck | None = None,
                 budget: float | None = DEFAULT_ARTICLE_BUDGET,
                 max_chars: int | None = None) -> FileResult:
    """Read one file and extract every article's claims. Never raises: errors are reported.

    ``known(content_hash)`` says which articles the store already holds: those are returned with
    ``None`` claims, unprocessed. An article of a JSON list that cannot be processed is reported in
    ``item_errors`` (``"file.json#2"``) and the list's other articles are kept. An article whose
    extraction takes more than ``budget`` seconds per 100,000 characters (see :func:`article_budget`)
    is reported and left out; one over ``max_chars``
    characters (default :data:`MAX_ARTICLE_CHARS`) is split into parts (see :func:`split_long_text`),
    with a note in ``notes``.
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
    units: list[Article] = []
    for article in articles:
        parts, note = _split_long(article, max_chars or MAX_ARTICLE_CHARS)
        if note:
            result.notes.append((_item_path(str(path), article), note))
        units.extend(parts)
    single = len(units) == 1 and len(articles) == 1
    for article in units:
        try:
            if known is not None and known(article.content_hash):
                result.documents.append((article, None))
                continue
            result.documents.append((article, claims_within_budget(article, profile, budget)))
            continue
        except OverBudget as exc:
            reason = str(exc)
        except Exception as exc:
            reason = f"could not process ({type(exc).__name__}: {exc})"
        if single:
            result.error = reason
        else:
            result.item_errors.append((_item_path(str(path), article), reason))
    return result


def _item_path(path: str, article: Article) -> str:
    """``file.json#3`` for the third article of a JSON list (its name carries the "#3"), and
    ``file.txt#part2`` (``file.json#3#part2``) for a part of a split article."""
    marks = re.findall(r"#(?:\d+|part\d+)", article.article)
    return path + "".join(marks)


def extract_batch(paths: list[str], source: str | None = None, published: date | None = None,
                  profile: str = "syria", known: KnownCheck | None = None,
                  budget: float | None = DEFAULT_ARTICLE_BUDGET) -> list[FileResult]:
    """:func:`extract_file` over several files (one Dask task), their parses shared. Never raises."""
    return list(_extract_files(paths, source, published, profile, known, budget))


# Files extracted side by side, their sentences parsed together (see geo.nlp.SharedParse): the
# model's cost per call (2-3 ms) is paid once per round of this many files; a Dask task's batch
# (MAX_BATCH_FILES) is one window. A slow file holds the others back no longer than STALL_SECONDS.
SHARED_PARSE_FILES = 64


def _extract_files(paths: list[str], source, published, profile, known: KnownCheck | None,
                   budget: float | None) -> Iterator[FileResult]:
    """:func:`extract_file` of each path, in order, the files' sentences parsed together."""
    from functools import partial

    from geo.nlp import SharedParse

    if not paths:
        return
    shared = SharedParse(on_wait=_pause_budget, window=SHARED_PARSE_FILES)
    yield from shared.imap(partial(extract_file, p, source, published, profile, known=known, budget=budget)
                           for p in paths)


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


def _results_local(paths: list[str], source, published, profile, known: KnownCheck | None,
                   budget: float | None) -> Iterator[FileResult]:
    yield from _extract_files(paths, source, published, profile, known, budget)


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
                  known: HashPrefixes | None, budget: float | None) -> Iterator[FileResult]:
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
            future = client.submit(extract_batch, chunk, source, published, profile, known_ref, budget, pure=False)
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


_END = object()


class _StoreWriter:
    """The single writer of an ingest, in a thread of its own, so that extraction never runs inside a
    write transaction and commits keep their schedule whatever extraction is doing.

    Results queue up as extraction finishes them; the writer holds them in memory (no transaction
    open) and writes them in ONE short transaction when :data:`COMMIT_ARTICLES` articles are waiting
    or the oldest has waited :data:`COMMIT_SECONDS`, whichever comes first. So readers see a finished
    article within about a second even while the next file takes minutes, and another writer (a
    second ingest, a dashboard upload) finds the store locked only for the length of a write, gets
    its turn within SQLite's busy timeout and succeeds.
    """

    def __init__(self, store: Any, profile: str, summary: IngestSummary, db: str | Path,
                 failed: Callable[[str, str], None]) -> None:
        self.store, self.profile, self.summary, self.db, self.failed = store, profile, summary, db, failed
        self.error: BaseException | None = None
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=COMMIT_ARTICLES)
        self._thread = threading.Thread(target=self._run, name="frontline-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def put(self, result: FileResult) -> None:
        """Hand a result to the writer (waits while it is behind); raises the writer's error if it stopped."""
        while True:
            if self.error is not None:
                raise self.error
            try:
                self._queue.put(result, timeout=0.1)
                return
            except queue.Full:
                continue

    def finish(self, *, raise_error: bool = True) -> None:
        """Write what is waiting, stop the thread; raise its error, if any (``raise_error``)."""
        while self.error is None and self._thread.is_alive():
            try:
                self._queue.put(_END, timeout=0.1)
                break
            except queue.Full:
                continue
        self._thread.join()
        if raise_error and self.error is not None:
            raise self.error

    def _run(self) -> None:
        pending: list[FileResult] = []
        articles = 0
        oldest = 0.0
        try:
            while True:
                timeout = None if not pending else max(0.0, oldest + COMMIT_SECONDS - time.monotonic())
                try:
                    item = self._queue.get(timeout=timeout)
                except queue.Empty:  # the oldest waiting result is due: extraction is slow
                    self._write(pending)
                    pending, articles = [], 0
                    continue
                if item is _END:
                    break
                self._take(item)
                if not pending:
                    oldest = time.monotonic()
                pending.append(item)
                articles += len(item.documents)
                if articles >= COMMIT_ARTICLES:
                    self._write(pending)
                    pending, articles = [], 0
            self._write(pending)
        except BaseException as exc:  # handed to the ingest's thread, which raises it
            self.error = exc

    def _take(self, result: FileResult) -> None:
        """Settle the articles a worker skipped as known (outside any transaction: a hash-prefix
        collision means extracting here)."""
        for i, (article, claims) in enumerate(result.documents):
            if claims is None and not self.store.has_article(article.content_hash):
                result.documents[i] = (article, process(article, self.profile).claims)  # rare

    def _write(self, results: list[FileResult]) -> None:

        if not results:
            return
        store, summary = self.store, self.summary
        # One transaction for all of them (each article still a savepoint of its own: whole or not at all).
        with store.batch(max_articles=sys.maxsize, max_seconds=math.inf):
            for result in results:
                for article, claims in result.documents:
                    summary.articles += 1
                    if claims is None:
                        summary.duplicates += 1
                        continue
                    store_article(store, article, claims, summary, result.path,
                                  lambda reason, path=result.path: self.failed(path, reason), where=str(self.db))


def store_article(store: Any, article: Article, claims: list[Claim], summary: IngestSummary, label: str,
                  failed: Callable[[str], None], *, where: str = "") -> bool:
    """Write one extracted article and count it in ``summary``; False when the store refused it
    (reported through ``failed``: its savepoint was rolled back). A store that fails as a whole
    raises IngestError."""
    from geo.store import StoreError

    try:
        stored = store.add_article(article, claims)
    except (ValueError, sqlite3.IntegrityError) as exc:
        failed(f"not stored ({exc})")
        return False
    except (StoreError, sqlite3.Error) as exc:
        raise IngestError(f"the store {where + ' ' if where else ''}failed while writing {label}: {exc}") from None
    if stored:
        summary.stored += 1
        summary.claims += len(claims)
    else:
        summary.duplicates += 1
    return True


def ingest_paths(paths: Iterable[str | Path], db: str | Path, *, source: str | None = None,
                 published: date | None = None, profile: str = "syria", engine: str = "local",
                 scheduler: str | None = None, workers: int = 2,
                 progress: ProgressCallback | None = None,
                 on_failure: Callable[[str, str], None] | None = None,
                 on_skip: Callable[[str, str], None] | None = None,
                 on_note: Callable[[str, str], None] | None = None,
                 budget: float | None = DEFAULT_ARTICLE_BUDGET) -> IngestSummary:
    """Ingest files and folders into the store at ``db``; returns what happened, file by file.

    Failures (a file that is not an article, an unusable object of a JSON list, an article over its
    time budget (``budget`` seconds per 100,000 characters), an article the store refuses) are reported through
    ``on_failure(path, reason)`` and the summary, and never stop the other files (an article the store
    refuses is reported from the writer's thread; everything else from the caller's). Files a folder walk
    leaves out go to ``on_skip(path, why)``; notes (an over-long text split into parts) to
    ``on_note(path, what)``. Raises :class:`IngestError` when the ingest as a whole cannot go on;
    what was extracted whole before that is kept.
    """
    from geo.articles import iter_article_files
    from geo.profiles import load_profile
    from geo.store import Store, StoreError

    if engine not in ("local", "dask"):
        raise ValueError(f"unknown engine {engine!r}: 'local' or 'dask'")
    load_profile(profile)  # fail early, before any work, on an unknown profile
    skipped: list[tuple[str, str]] = []
    files = [str(p) for p in iter_article_files(paths, on_skip=lambda p, why: skipped.append((str(p), why)))]
    summary = IngestSummary(files=len(files), skipped=skipped)
    if on_skip:
        for path, why in skipped:
            on_skip(path, why)

    def failed(path: str, reason: str) -> None:
        summary.failures.append((path, reason))
        if on_failure:
            on_failure(path, reason)

    def note(path: str, what: str) -> None:
        summary.notes.append((path, what))
        if on_note:
            on_note(path, what)

    try:
        store = Store(db)
    except (StoreError, sqlite3.Error, OSError) as exc:
        raise IngestError(f"cannot open the store {db}: {exc}") from None
    with store:
        if engine == "dask":
            known = HashPrefixes(store.content_hashes())
            results = _results_dask(files, source, published, profile, scheduler, workers, known, budget)
        else:
            results = _results_local(files, source, published, profile, store.has_article, budget)
        writer = _StoreWriter(store, profile, summary, db, failed)
        writer.start()
        try:
            with closing(results):
                for done, result in enumerate(results, 1):
                    # Reports and progress come from the caller's thread (Streamlit draws only from
                    # its session's thread); only "not stored" failures come from the writer's.
                    if result.error:
                        failed(result.path, result.error)
                    for where, reason in result.item_errors:
                        failed(where, reason)
                    for where, what in result.notes:
                        note(where, what)
                    writer.put(result)
                    if progress:
                        progress(done, len(files), result.path)
        except BaseException:
            writer.finish(raise_error=False)  # what was extracted whole still goes in
            raise
        writer.finish()
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

    def say(line: str) -> None:
        (bar.write(line, file=sys.stderr) if bar else print(line, file=sys.stderr))

    def failure(path: str, reason: str) -> None:
        say(f"failed: {one_line(str(path))}: {one_line(reason)}")

    def note(path: str, what: str) -> None:
        say(f"note: {one_line(str(path))}: {one_line(what)}")

    budget = getattr(args, "budget", None)
    try:
        summary = ingest_paths(
            args.paths, args.db, source=args.source, published=args.published, profile=args.profile,
            engine=args.engine, scheduler=args.scheduler, workers=args.workers, progress=progress,
            on_failure=failure, on_note=note,
            budget=DEFAULT_ARTICLE_BUDGET if budget is None else budget,
        )
    except IngestError as exc:
        if bar is not None:
            bar.close()
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    if bar is not None:
        bar.close()
    # What a folder walk left out, listed with the summary (the first few by name, then a count):
    # a PDF dropped in a folder must not disappear without a word.
    for path, why in summary.skipped[:MAX_SKIPPED_SHOWN]:
        print(f"skipped: {one_line(path)}: {one_line(why)}", file=sys.stderr)
    if len(summary.skipped) > MAX_SKIPPED_SHOWN:
        print(f"skipped: {len(summary.skipped) - MAX_SKIPPED_SHOWN:,} more files of these kinds", file=sys.stderr)
    print(summary.line(), file=sys.stderr)
    if summary.files == 0:
        print("error: no article files found in the given paths", file=sys.stderr)
        return 1
    return 0 if summary.ok else 1
