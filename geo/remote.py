"""Inputs that are not files: web pages (``ingest URL``), RSS/Atom feeds (``ingest --feed URL``, optionally
polled with ``--watch MINUTES``) and standard input (``ingest -``).

Public surface::

    is_url(text)                              an http(s) address?
    feed_items(url)                           a feed's items: FeedItem(key, link, title, published, text)
    ingest_articles(pairs, store, profile)    (label, ArticleList or ArticleError) -> store, with a summary
    ingest_feed(url, store, profile)          a feed's new items -> store; items seen before are skipped
    run_ingest_inputs_cli(args)               ``ingest`` when URLs, ``-`` or ``--feed`` are among its inputs

Every network failure (a timeout, an HTTP error, a redirect loop, an answer that is not a page) is one
line naming the URL and why, and the run goes on with the other inputs. Feed state lives in the store
(table ``feed_items``): an item is remembered once its article is stored, so a failed item is tried
again at the next poll.
"""
from __future__ import annotations

import hashlib
import sqlite3
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from geo.articles import ArticleError, ArticleList, _articles_from_bytes, fetch, read_stdin, read_url
from geo.pipeline import (
    IngestError, IngestSummary, OverBudget, claims_within_budget, ingest_paths, one_line, store_article,
)


def is_url(text: str) -> bool:
    return urlsplit(str(text)).scheme.lower() in ("http", "https") and bool(urlsplit(str(text)).netloc)


@dataclass
class FeedItem:
    key: str
    link: str | None
    title: str | None
    published: date | None
    text: str | None  # the item's own content or summary (HTML or text), used when its link cannot be read


def feed_items(url: str, *, timeout: float = 20.0) -> list[FeedItem]:
    """The items of an RSS or Atom feed, in the feed's order. Raises :class:`ArticleError` when the feed
    cannot be fetched or is not a feed."""
    import feedparser

    final, ctype, body = fetch(url, timeout=timeout, accept="application/rss+xml, application/atom+xml, "
                                                            "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5")
    parsed = feedparser.parse(body)
    if not parsed.get("version") and not parsed.entries:
        raise ArticleError(url, f"not an RSS or Atom feed (the server sent {ctype or 'no content type'})")
    items = []
    for entry in parsed.entries:
        link = entry.get("link")
        content = entry.get("content") or []
        text = (content[0].get("value") if content else None) or entry.get("summary")
        key = entry.get("id") or link or hashlib.sha256(
            f"{entry.get('title', '')}\n{text or ''}".encode("utf-8")).hexdigest()
        stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = date(*stamp[:3]) if stamp else None
        items.append(FeedItem(key=str(key), link=str(link) if link else None, title=entry.get("title"),
                              published=published, text=text))
    return items


def _item_articles(item: FeedItem, feed: str, source: str | None, published: date | None,
                   timeout: float) -> ArticleList:
    """The article behind a feed item: its linked page, else the item's own text."""
    error: ArticleError | None = None
    if item.link and is_url(item.link):
        try:
            return read_url(item.link, source=source, published=published or item.published, timeout=timeout)
        except ArticleError as e:
            error = e
    if item.text and item.text.strip():
        label = item.link or f"{feed}#{item.key}"
        articles = _articles_from_bytes(item.text.encode("utf-8"), Path("item.html"), source=source,
                                        published=published or item.published, url=item.link, kind="html")
        for art in articles:
            art.title = art.title or item.title
            art.path = label
        return articles
    raise error or ArticleError(f"{feed}#{item.key}", "feed item with no link and no text")


def ingest_articles(inputs: Iterable[tuple[str, Callable[[], ArticleList]]], store: Any, summary: IngestSummary,
                    profile: str = "syria", on_failure: Callable[[str, str], None] | None = None,
                    on_stored: Callable[[str], None] | None = None) -> None:
    """Read, extract and store each input (a label and a reader that returns its articles or raises
    :class:`ArticleError`), one article whole or not at all; failures are reported and the others go on."""

    def failed(label: str, reason: str) -> None:
        summary.failures.append((label, reason))
        if on_failure:
            on_failure(label, reason)

    for label, reader in inputs:
        summary.files += 1
        try:
            articles = reader()
        except ArticleError as e:
            failed(e.path, e.reason)
            continue
        for err in articles.errors:
            failed(err.path, err.reason)
        ok = True
        for article in articles:
            summary.articles += 1
            if store.has_article(article.content_hash):
                summary.duplicates += 1
                continue
            try:
                claims = claims_within_budget(article, profile)  # bounded like a file's articles
            except OverBudget as exc:
                failed(label, str(exc))
                ok = False
                continue
            except Exception as exc:  # a bug or a hostile input must not stop the other inputs
                failed(label, f"could not process ({type(exc).__name__}: {exc})")
                ok = False
                continue
            if not store_article(store, article, claims, summary, label, lambda reason: failed(label, reason)):
                ok = False
        if ok and on_stored:
            on_stored(label)


def ingest_feed(url: str, store: Any, summary: IngestSummary, *, profile: str = "syria", source: str | None = None,
                published: date | None = None, timeout: float = 20.0,
                on_failure: Callable[[str, str], None] | None = None) -> int:
    """Ingest the items of a feed that no earlier run took; returns how many were new."""
    try:
        items = feed_items(url, timeout=timeout)
    except ArticleError as e:
        summary.failures.append((e.path, e.reason))
        if on_failure:
            on_failure(e.path, e.reason)
        return 0
    seen = store.feed_items_seen(url, [i.key for i in items])
    fresh = [i for i in items if i.key not in seen]
    by_label = {}

    def inputs() -> Iterator[tuple[str, Callable[[], ArticleList]]]:
        for item in fresh:
            label = item.link or f"{url}#{item.key}"
            by_label[label] = item.key
            yield label, (lambda item=item: _item_articles(item, url, source, published, timeout))

    ingest_articles(inputs(), store, summary, profile, on_failure,
                    on_stored=lambda label: store.mark_feed_items(url, [by_label[label]]))
    return len(fresh)


def run_ingest_inputs_cli(args: Any) -> int:
    """``ingest`` with web pages, feeds or standard input among its inputs (files and folders still go
    through :func:`geo.pipeline.ingest_paths`). Exit status as for files: 0 when everything went in,
    1 when some input failed, 2 when the ingest could not run."""
    from geo.profiles import available_profiles
    from geo.store import Store, StoreError

    if args.profile not in available_profiles() and not Path(args.profile).is_file():
        print(f"error: unknown profile {args.profile!r}; available: {', '.join(available_profiles())}",
              file=sys.stderr)
        return 2
    feeds = list(args.feed or [])
    watch = getattr(args, "watch", None)
    if watch is not None and not feeds:
        print("error: --watch needs --feed URL", file=sys.stderr)
        return 2
    if watch is not None and watch <= 0:
        print(f"error: --watch takes a positive number of minutes, not {watch:g}", file=sys.stderr)
        return 2
    for feed in feeds:
        if not is_url(feed):
            print(f"error: --feed takes an http(s) URL, not {one_line(feed)!r}", file=sys.stderr)
            return 2
    paths = [p for p in args.paths if p != "-" and not is_url(p)]
    urls = [p for p in args.paths if is_url(p)]
    stdin = "-" in args.paths
    timeout = float(getattr(args, "timeout", None) or 20.0)

    def failure(label: str, reason: str) -> None:
        print(f"failed: {one_line(str(label))}: {one_line(reason)}", file=sys.stderr)

    summary = IngestSummary()
    try:
        if paths:
            summary = ingest_paths(paths, args.db, source=args.source, published=args.published,
                                   profile=args.profile, engine=args.engine, scheduler=args.scheduler,
                                   workers=args.workers, on_failure=failure)
        try:
            store = Store(args.db)
        except (StoreError, sqlite3.Error, OSError) as exc:
            raise IngestError(f"cannot open the store {args.db}: {exc}") from None
        with store:
            inputs: list[tuple[str, Callable[[], ArticleList]]] = []
            if stdin:
                inputs.append(("-", lambda: read_stdin(source=args.source, published=args.published)))
            for url in urls:
                inputs.append((url, lambda url=url: read_url(url, source=args.source, published=args.published,
                                                                timeout=timeout)))
            ingest_articles(inputs, store, summary, args.profile, failure)
            while True:
                for feed in feeds:
                    before = summary.stored
                    fresh = ingest_feed(feed, store, summary, profile=args.profile, source=args.source,
                                        published=args.published, timeout=timeout, on_failure=failure)
                    if watch is not None:
                        now = datetime.now(timezone.utc).strftime("%H:%M:%SZ")
                        print(f"{now} {one_line(feed)}: {fresh} new items, {summary.stored - before} articles stored",
                              file=sys.stderr)
                if watch is None:
                    break
                time.sleep(watch * 60)
    except IngestError as exc:
        print(f"error: {one_line(str(exc))}", file=sys.stderr)
        return 2
    print(summary.line(), file=sys.stderr)
    return 0 if summary.ok else 1
