"""Benchmark: end-to-end ingest (files -> articles -> toponyms -> claims -> SQLite) on generated news.

    .venv/bin/python -m bench.bench_ingest [--articles N] [--workers W] [--quick] [--profile] [--long-only]

Generates N news-like articles (default 10,000; about 1.5-3 KB each, seeded, each text distinct) as
.txt files with front matter, then ingests them into a fresh store:

- "local": ``ingest_paths(engine="local")`` in this process, one core;
- "dask": ``ingest_paths(engine="dask")`` on a LocalCluster of W worker processes (default 2).

Then one long article each of 0.1, 1, 2 and 5 MB (generated paragraphs run together; 0.1, 1 and 2
MB with ``--quick``) is ingested alone: seconds and seconds per MB, which must stay flat as the size
grows (every stage linear or n log n). A text over 2 MB is split into parts (see
``geo.pipeline.MAX_ARTICLE_CHARS``); the per-article time budget is off for these runs so that the
figures are the real cost.

Start-up (the LocalCluster, each process's first load of the gazetteer and lexicons) is timed apart
and left out of the throughput figures. For each engine it prints articles/s, MB/s, articles/s per
core, peak RSS (of this process; for Dask also of the busiest worker), the Dask speed-up, and the
machine's core count. Target: >= 200 articles/s per core end to end. When the target is missed (or
with ``--profile``) a local ingest of 300 articles runs under pyinstrument and the CPU time is
broken down by pipeline stage (reading, geoparsing, claim extraction, storing).
"""
from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geo.document import Article  # noqa: E402

TARGET_PER_CORE = 200.0

# Places of the Syrian conflict as news spells them (the generated text must meet the real gazetteer).
TOWNS = [
    "Aleppo", "Hama", "Homs", "Damascus", "Daraa", "Idlib", "Latakia", "Tartus", "Raqqa", "Deir ez-Zor",
    "Palmyra", "Qusayr", "Saraqib", "Maarat al-Numan", "Khan Sheikhoun", "Manbij", "Tal Rifaat", "Kobani",
    "Qamishli", "Hasakah", "Albu Kamal", "Mayadin", "Suwayda", "Quneitra", "Douma", "Harasta", "Jableh",
    "Baniyas", "Rastan", "Talbiseh", "Salamiyah", "Mhardeh", "Sukhnah", "Tadmur", "Nawa", "Inkhil", "Jasim",
    "Bosra", "Sanamayn", "Kiswah", "Qatana", "Zabadani", "Yabroud", "Nabek", "Atarib", "Darat Izza",
    "Jisr al-Shughur", "Ariha", "Sarmada", "Azaz", "Afrin", "Jarablus", "al-Bab", "Tabqa", "Saasaa",
]
ACTORS = [
    "Rebels", "Rebel fighters", "Insurgents", "Government forces", "The Syrian army", "Syrian troops",
    "Kurdish-led forces", "The Syrian Democratic Forces", "Turkish-backed factions", "Local armed groups",
    "Opposition fighters", "Pro-government forces",
]
CLAIMANTS = [
    "the Syrian Observatory for Human Rights said", "a rebel commander said", "the defence ministry said",
    "state media reported", "residents said", "a monitor said", "a military source told AFP",
    "an opposition spokesman said", "according to a war monitor", "local activists said",
]
EVENTS = [
    "{actor} seized {town} on {day}, {claimant}.",
    "{actor} captured the town of {town} after heavy fighting, {claimant}.",
    "{actor} withdrew from {town} overnight, {claimant}.",
    "{actor} advanced toward {town} on {day}, {claimant}.",
    "{actor} entered {town} and took control of its main square, {claimant}.",
    "{actor} retook {town} from {other}, {claimant}.",
    "{actor} were within {km} kilometres of {town}, {claimant}.",
    "{actor} pulled out of positions around {town}, {claimant}.",
    "The army denied that {other} had entered {town}.",
    "{actor} sent reinforcements to {town} on {day}, {claimant}.",
]
FILLER = [
    "Thousands of civilians fled south along the main highway, aid workers said.",
    "The United Nations called for the protection of civilians and humanitarian access.",
    "Prices of bread and fuel have risen sharply in recent weeks, traders said.",
    "Officials in Ankara and Moscow held talks on the situation, diplomats said.",
    "The offensive is the largest in years, analysts said, and took many observers by surprise.",
    "Hospitals in the region were struggling to cope with the number of wounded, doctors said.",
    "Electricity and water supplies were cut in several districts, residents said.",
    "Minister Faisal Mekdad said the government would respond to what he called terrorist attacks.",
    "The Syrian Observatory, a Britain-based monitor, relies on a network of sources inside the country.",
    "Foreign governments urged their citizens to leave the country while commercial flights still operate.",
    "Analyst Aron Lund said the speed of the advance reflected the weakness of the army after years of war.",
    "Schools were closed and a curfew was imposed in several neighbourhoods, according to local officials.",
]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
OUTLETS = ["AFP", "Reuters", "Al Jazeera", "BBC", "Enab Baladi", "The National", "Anadolu", "Rudaw"]


def article_text(rng: random.Random, serial: int) -> tuple[str, str]:
    """A news-like article (title, body) of about 1.5-3 KB; ``serial`` makes its text unique."""
    paragraphs: list[str] = []
    town = rng.choice(TOWNS)
    actor = rng.choice(ACTORS)
    title = f"{actor} press on near {town} as fighting spreads"
    while sum(len(p) for p in paragraphs) < rng.randint(1500, 2900):
        if rng.random() < 0.6:
            actor, other = rng.sample(ACTORS, 2)
            paragraphs.append(rng.choice(EVENTS).format(
                actor=actor, other=other.replace("The ", "the "), town=rng.choice(TOWNS),
                day=rng.choice(WEEKDAYS), claimant=rng.choice(CLAIMANTS), km=rng.randint(2, 40)))
        else:
            paragraphs.append(rng.choice(FILLER))
    paragraphs.append(f"At least {serial % 97 + 3} people were killed and {serial} were displaced, "
                      "according to a preliminary count.")
    return title, "\n\n".join(paragraphs)


def write_corpus(folder: Path, n: int, seed: int = 11) -> int:
    """Write ``n`` generated articles as .txt files with front matter; returns the bytes written."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    start = date(2024, 11, 27)
    total = 0
    for i in range(n):
        title, body = article_text(rng, i)
        published = start + timedelta(days=rng.randrange(14))
        text = (f"---\ntitle: {title}\nsource: {rng.choice(OUTLETS)}\npublished: {published.isoformat()}\n---\n"
                f"{body}\n")
        data = text.encode("utf-8")
        sub = folder / f"{i // 1000:03d}"
        sub.mkdir(exist_ok=True)
        (sub / f"article_{i:06d}.txt").write_bytes(data)
        total += len(data)
    return total


LONG_SIZES_MB = (0.1, 1.0, 2.0, 5.0)


def write_long_article(path: Path, megabytes: float, seed: int = 5) -> int:
    """One article of about ``megabytes`` MB of news-like paragraphs; returns its size in bytes."""
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    chunks: list[str] = []
    size, serial = 0, 0
    while size < target:
        _, body = article_text(rng, serial)
        serial += 1
        chunks.append(body)
        size += len(body.encode("utf-8")) + 2
    text = "---\ntitle: A very long report\nsource: Bench Wire\npublished: 2024-12-05\n---\n" + "\n\n".join(chunks)
    data = text.encode("utf-8")[:target].decode("utf-8", "ignore")
    path.write_text(data + "\n", "utf-8")
    return path.stat().st_size


def run_long_articles(work: Path, sizes: tuple[float, ...]) -> None:
    """Ingest one long article per size alone into a fresh store; print seconds and seconds per MB."""
    from geo.pipeline import MAX_ARTICLE_CHARS, ingest_paths
    from geo.store import Store

    _warm_worker()
    print(f"\n== One long article, ingested alone (time budget off; texts over {MAX_ARTICLE_CHARS / 1e6:g} MB "
          "are split into parts) ==")
    print(f"{'size':>8} {'seconds':>8} {'s per MB':>9} {'articles':>9} {'claims':>7}  notes")
    for mb in sizes:
        path = work / f"long_{mb:g}MB.txt"
        size = write_long_article(path, mb)
        Store(_fresh(work / "long.db")).close()  # creating the schema is not the article's cost
        t0 = time.perf_counter()
        summary = ingest_paths([path], work / "long.db", budget=None)
        seconds = time.perf_counter() - t0
        notes = "; ".join(what for _, what in summary.notes + summary.failures)
        print(f"{size / 1e6:6.2f}MB {seconds:8.2f} {seconds / (size / 1e6):9.2f} {summary.stored:9,} "
              f"{summary.claims:7,}  {notes}", flush=True)
        path.unlink()


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _fresh(db: Path) -> Path:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    return db


def _worker_peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _warm_worker() -> None:
    from geo.pipeline import process

    process(Article("warm.txt", "Rebels seized Hama on Monday, a monitor said."))


@dataclass
class Row:
    label: str
    cores: int
    seconds: float
    summary: object
    rss_mb: float
    cpu: float  # CPU seconds of every process that took part
    note: str = ""


def run_dask(corpus: Path, db: Path, workers: int) -> tuple[Row, float, float]:
    """Ingest on a fresh LocalCluster; returns the row, cluster start-up and worker warm-up seconds."""
    from geo.pipeline import dask_client, ingest_paths

    t0 = time.perf_counter()
    with dask_client(None, workers) as client:  # the LocalCluster ingest_paths would start
        started = time.perf_counter() - t0
        t0 = time.perf_counter()
        client.run(_warm_worker)  # each worker loads its gazetteer once, all at the same time
        warmed = time.perf_counter() - t0
        cpu0 = sum(client.run(_cpu_seconds).values()) + _cpu_seconds()
        t0 = time.perf_counter()
        summary = ingest_paths([corpus], _fresh(db), engine="dask", scheduler=client.scheduler.address)
        seconds = time.perf_counter() - t0
        cpu = sum(client.run(_cpu_seconds).values()) + _cpu_seconds() - cpu0
        worker_rss = max(client.run(_worker_peak_rss_mb).values())
    row = Row(f"dask, {workers} workers", workers, seconds, summary, _peak_rss_mb(), cpu,
              f"worker peak RSS {worker_rss:.0f} MB")
    return row, started, warmed


def run_local(corpus: Path, db: Path) -> tuple[Row, float, list[float]]:
    """The local ingest; also returns the seconds each ``Store.add_article`` call took, in order."""
    from geo.pipeline import ingest_paths
    from geo.store import Store

    t0 = time.perf_counter()
    _warm_worker()
    warmed = time.perf_counter() - t0
    writes: list[float] = []
    add_article = Store.add_article

    def timed_add_article(self, article, claims):
        start = time.perf_counter()
        try:
            return add_article(self, article, claims)
        finally:
            writes.append(time.perf_counter() - start)

    Store.add_article = timed_add_article
    try:
        cpu0 = _cpu_seconds()
        t0 = time.perf_counter()
        summary = ingest_paths([corpus], _fresh(db), engine="local")
        seconds = time.perf_counter() - t0
    finally:
        Store.add_article = add_article
    row = Row("local, 1 process", 1, seconds, summary, _peak_rss_mb(), _cpu_seconds() - cpu0)
    return row, warmed, writes


def _store_report(db: Path, writes: list[float]) -> None:
    """How the store's write time and size grow with the number of articles already in it."""
    if len(writes) < 20:
        return
    tenth = max(1, len(writes) // 10)
    first = 1000 * sum(writes[:tenth]) / tenth
    last = 1000 * sum(writes[-tenth:]) / tenth
    size = sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal") if Path(f"{db}{s}").exists())
    import sqlite3

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        counts = {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "claims")}
        counts["contested claims"] = conn.execute("SELECT count(*) FROM claims WHERE contested").fetchone()[0]
    finally:
        conn.close()
    print(f"store writes (Store.add_article, local run): {first:.1f} ms per article over the first {tenth:,}, "
          f"{last:.1f} ms over the last {tenth:,} ({last / first:.1f}x); store file {size / 1e6:.0f} MB for "
          + ", ".join(f"{n:,} {t}" for t, n in counts.items()))


# Pipeline stages by the function that enters them (the outermost call of each name counts).
STAGES = [
    ("reading files (geo.articles.read_articles)", "read_articles"),
    ("geoparsing (geo.geoparser.geoparse)", "geoparse"),
    ("claim extraction (geo.claims.extract)", "extract"),
    ("storing (geo.store.Store.add_article)", "add_article"),
]


def profile_stages(corpus: Path, db: Path, n: int) -> None:
    """Profile a local ingest of ``n`` articles (pyinstrument) and print the time per stage."""
    from pyinstrument import Profiler

    from geo.pipeline import ingest_paths

    files = sorted(corpus.rglob("*.txt"))[:n]
    _warm_worker()
    profiler = Profiler(interval=0.001, async_mode="disabled")
    profiler.start()
    ingest_paths(files, _fresh(db))
    profiler.stop()
    session = profiler.last_session
    totals: dict[str, float] = {}

    def walk(frame) -> None:
        for label, fn in STAGES:
            if frame.function == fn:
                totals[label] = totals.get(label, 0.0) + frame.time
                return
        for child in frame.children:
            walk(child)

    root = session.root_frame()
    whole = root.time if root is not None else 0.0
    if root is not None:
        walk(root)
    print(f"\nWhere the time goes: local ingest of {len(files)} articles, {whole:.2f} s "
          f"({session.cpu_time:.2f} s CPU; {1000 * whole / max(1, len(files)):.1f} ms per article):")
    for label, seconds in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {label:<46} {seconds:7.2f} s  {100 * seconds / whole:5.1f} %  "
              f"{1000 * seconds / len(files):6.2f} ms/article")
    rest = whole - sum(totals.values())
    print(f"  {'the rest (pipeline, sqlite commit, metadata)':<46} {rest:7.2f} s  {100 * rest / whole:5.1f} %")
    print("\nHot spots (pyinstrument):")
    print(profiler.output_text(unicode=False, color=False, show_all=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_ingest", description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--quick", action="store_true", help="1,000 articles")
    parser.add_argument("--profile", action="store_true",
                        help="always profile (by default only when the target is missed)")
    parser.add_argument("--keep", type=Path, help="keep the corpus and stores in this folder")
    parser.add_argument("--long-only", action="store_true", help="only the long-article figures")
    args = parser.parse_args(argv)
    n = 1_000 if args.quick else args.articles
    cores = os.cpu_count() or 1

    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    if args.long_only:
        try:
            run_long_articles(work, LONG_SIZES_MB[:3] if args.quick else LONG_SIZES_MB)
        finally:
            if args.keep is None:
                shutil.rmtree(work, ignore_errors=True)
        return 0
    try:
        corpus = work / "corpus"
        if corpus.exists():
            shutil.rmtree(corpus)
        t0 = time.perf_counter()
        size = write_corpus(corpus, n)
        print(f"\n== Ingest end to end: {n:,} generated articles, {size / 1e6:.1f} MB "
              f"(written in {time.perf_counter() - t0:.1f} s); machine: {cores} cores, load average "
              f"{os.getloadavg()[0]:.1f} ==")

        # Import the extraction code now, so that both runs use the same version of it even if
        # the files change while the benchmark runs (workers import it when they start).
        import geo.claims  # noqa: F401
        import geo.geoparser  # noqa: F401

        # Dask first: the client's peak memory then does not include a gazetteer of its own.
        dask_row, started, dask_warm = run_dask(corpus, work / "dask.db", args.workers)
        local_row, local_warm, writes = run_local(corpus, work / "local.db")
        print(f"start-up, not in the timings below: LocalCluster {started:.1f} s, worker warm-up (gazetteer, "
              f"lexicons) {dask_warm:.1f} s; local warm-up {local_warm:.1f} s")
        # Wall-clock rates depend on what else the machine runs; articles per CPU-second do not.
        print(f"{'engine':<18} {'seconds':>8} {'articles/s':>11} {'MB/s':>6} {'art/s/core':>11} {'CPU s':>7} "
              f"{'art/CPU-s':>10} {'stored':>7} {'claims':>8} {'peak RSS':>10}  notes")
        for row in (local_row, dask_row):
            s = row.summary
            rate = s.articles / row.seconds
            print(f"{row.label:<18} {row.seconds:8.1f} {rate:11.1f} {size / 1e6 / row.seconds:6.2f} "
                  f"{rate / row.cores:11.1f} {row.cpu:7.1f} {s.articles / row.cpu:10.1f} {s.stored:7,} "
                  f"{s.claims:8,} {row.rss_mb:7.0f} MB  {row.note}")
            if s.failures:
                print(f"  {len(s.failures)} failures, e.g. {s.failures[0]}")
        counts = [(r.summary.stored, r.summary.claims) for r in (local_row, dask_row)]
        same = "yes" if counts[0] == counts[1] else f"NO: (articles, claims) local {counts[0]}, dask {counts[1]}"
        print(f"dask speed-up over local: {local_row.seconds / dask_row.seconds:.2f}x with {args.workers} workers "
              f"on {cores} cores; same articles and claims stored: {same}")
        _store_report(work / "local.db", writes)
        per_core = local_row.summary.articles / local_row.seconds
        per_cpu = local_row.summary.articles / local_row.cpu
        verdict = "meets" if per_core >= TARGET_PER_CORE else "MISSES"
        print(f"target >= {TARGET_PER_CORE:.0f} articles/s per core: {per_core:.0f} articles/s per core "
              f"({per_cpu:.0f} per CPU-second) {verdict} it")
        if args.profile or per_core < TARGET_PER_CORE:
            profile_stages(corpus, work / "profile.db", min(n, 300))
        run_long_articles(work, LONG_SIZES_MB[:3] if args.quick else LONG_SIZES_MB)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
