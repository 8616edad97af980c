"""The ingest pipeline: files -> articles -> geoparsed documents -> claims -> store.

Extraction (the expensive, pure part) runs per file, locally or fanned out over a Dask cluster;
writing is always done by this process, one transaction per article, so a killed ingest never
leaves half an article behind and a re-run stores each article exactly once.
"""
from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from geo.document import Article, Claim, Document

ProgressCallback = Callable[[int, int, str], None]  # (done, total, current file)


@dataclass
class FileResult:
    """What one input file gave: its articles with their claims, or why it failed."""

    path: str
    documents: list[tuple[Article, list[Claim]]] = field(default_factory=list)
    error: str | None = None


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
                f"{self.duplicates} already in the store, {self.claims} claims; {len(self.failures)} files failed")


def process(article: Article, profile: str = "syria", gazetteer=None) -> Document:
    """Geoparse one article and extract its claims."""
    from geo.claims import extract
    from geo.geoparser import geoparse

    doc = Document(article)
    geoparse(doc, gazetteer)
    extract(doc, profile)
    return doc


def extract_file(path: str, source: str | None = None, published: date | None = None,
                 profile: str = "syria") -> FileResult:
    """Read one file and extract every article's claims. Never raises: errors are reported."""
    from geo.articles import ArticleError, read_articles

    result = FileResult(path)
    try:
        for article in read_articles(Path(path), source=source, published=published):
            doc = process(article, profile)
            result.documents.append((article, doc.claims))
    except ArticleError as exc:
        result.error = exc.reason
    except Exception as exc:  # a bug or a hostile input must not stop the other files
        result.error = f"could not process ({type(exc).__name__}: {exc})"
    return result


def _results_local(paths: list[str], source, published, profile) -> Iterator[FileResult]:
    for p in paths:
        yield extract_file(p, source, published, profile)


def _results_dask(paths: list[str], source, published, profile, scheduler: str | None,
                  workers: int) -> Iterator[FileResult]:
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler:
        client = Client(scheduler)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address=None)
        client = Client(cluster)
    try:
        futures = client.map(extract_file, paths, source=source, published=published,
                             profile=profile, pure=False)
        for future in as_completed(futures):
            yield future.result()
            future.release()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def ingest_paths(paths: Iterable[str | Path], db: str | Path, *, source: str | None = None,
                 published: date | None = None, profile: str = "syria", engine: str = "local",
                 scheduler: str | None = None, workers: int = 2,
                 progress: ProgressCallback | None = None,
                 on_failure: Callable[[str, str], None] | None = None) -> IngestSummary:
    """Ingest files and folders into the store at ``db``; returns what happened, file by file."""
    from geo.articles import iter_article_files
    from geo.profiles import load_profile
    from geo.store import Store

    load_profile(profile)  # fail early, before any work, on an unknown profile
    files = [str(p) for p in iter_article_files(paths)]
    summary = IngestSummary(files=len(files))
    if engine == "dask":
        results = _results_dask(files, source, published, profile, scheduler, workers)
    else:
        results = _results_local(files, source, published, profile)
    with Store(db) as store:
        for done, result in enumerate(results, 1):
            if result.error:
                summary.failures.append((result.path, result.error))
                if on_failure:
                    on_failure(result.path, result.error)
            for article, claims in result.documents:
                summary.articles += 1
                if store.add_article(article, claims):
                    summary.stored += 1
                    summary.claims += len(claims)
                else:
                    summary.duplicates += 1
            if progress:
                progress(done, len(files), result.path)
    return summary


def run_ingest_cli(args) -> int:
    """``python -m geo ingest PATH... --db FILE``: one line per failed file, then a summary."""
    from tqdm import tqdm

    from geo.profiles import available_profiles

    if args.profile not in available_profiles() and not Path(args.profile).is_file():
        print(f"error: unknown profile {args.profile!r}; available: {', '.join(available_profiles())}",
              file=sys.stderr)
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
        line = f"failed: {path}: {reason}"
        (bar.write(line, file=sys.stderr) if bar else print(line, file=sys.stderr))

    summary = ingest_paths(
        args.paths, args.db, source=args.source, published=args.published, profile=args.profile,
        engine=args.engine, scheduler=args.scheduler, workers=args.workers, progress=progress,
        on_failure=failure,
    )
    if bar is not None:
        bar.close()
    print(summary.line(), file=sys.stderr)
    if summary.files == 0:
        print("error: no article files found in the given paths", file=sys.stderr)
        return 1
    return 0 if summary.ok else 1
