"""Crash safety: ``python -m geo ingest`` killed with SIGKILL at random points while it writes 1,000
articles, then re-run: every article is stored exactly once, with all its claims, and SQLite's
integrity check passes. And a reader (the dashboard's read-only store) keeps reading while an
ingest writes."""
from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geo.pipeline import ingest_paths
from geo.store import Store

ROOT = Path(__file__).resolve().parent.parent
N_ARTICLES = 1_000
pytestmark = pytest.mark.slow

TOWNS = ["Hama", "Homs", "Aleppo", "Daraa", "Idlib", "Palmyra", "Raqqa", "Qusayr", "Saraqib", "Latakia"]
EVENTS = ["Rebels seized {t} on {d}, a monitor said.", "Government forces withdrew from {t} on {d}.",
          "Kurdish-led forces advanced toward {t} on {d}, residents said.",
          "The army denied that rebels had entered {t}.", "Aid convoys reached {t} on {d}."]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 short articles (one or two sentences, each text distinct) in ten folders."""
    rng = random.Random(1000)
    folder = tmp_path_factory.mktemp("crash") / "corpus"
    for i in range(N_ARTICLES):
        sentences = [rng.choice(EVENTS).format(t=rng.choice(TOWNS), d=rng.choice(DAYS))
                     for _ in range(rng.randint(1, 2))]
        sub = folder / f"{i // 100:02d}"
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"a{i:04d}.txt").write_text(
            f"---\nsource: Wire {i % 7}\npublished: 2024-12-0{1 + i % 9}\n---\n{' '.join(sentences)} "
            f"(Bulletin {i}.)\n", "utf-8")
    return folder


@pytest.fixture(scope="module")
def reference(corpus: Path) -> dict[str, int]:
    """Claims per article (by content hash) from one uninterrupted ingest."""
    db = corpus.parent / "reference.db"
    summary = ingest_paths([corpus], db)
    assert summary.ok and summary.stored == N_ARTICLES
    counts = claims_per_article(db)
    assert sum(counts.values()) >= N_ARTICLES // 2  # the corpus does give claims
    return counts


def claims_per_article(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("SELECT a.content_hash, count(c.id) FROM articles a "
                                 "LEFT JOIN claims c ON c.article_id = a.id GROUP BY a.id"))
    finally:
        conn.close()


def one_value(db: Path, sql: str):
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def stored_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        return one_value(db, "SELECT count(*) FROM articles")
    except sqlite3.OperationalError:  # no table yet: the first run is still creating the schema
        return 0


def start_ingest(paths: list[Path], db: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "geo", "ingest", *map(str, paths), "--db", str(db), "--quiet"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)


def test_sigkilled_ingest_stores_every_article_exactly_once_after_a_rerun(corpus: Path, reference: dict[str, int],
                                                                           tmp_path: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    db = tmp_path / "crash.db"
    kills = 0
    last = 0
    for _ in range(4):
        proc = start_ingest([corpus], db)
        # Let it write something new, then kill it a random moment later: mid-run, mid-transaction.
        deadline = time.monotonic() + 300
        while proc.poll() is None and stored_count(db) <= last and time.monotonic() < deadline:
            time.sleep(0.02)
        # (briefly: articles are committed 64 at a time or every second, fast, and a run must not finish here)
        time.sleep(rng.uniform(0.0, 0.15))
        if proc.poll() is None:
            proc.kill()  # SIGKILL: no handler, no cleanup, no rollback by the process
            kills += 1
        proc.wait()
        proc.stderr.close()
        assert one_value(db, "PRAGMA integrity_check") == "ok", f"seed {seed}"
        now = stored_count(db)
        assert now >= last, f"seed {seed}: articles went from {last} to {now}"
        last = now
    assert kills >= 3, f"seed {seed}: the ingest finished before it could be killed ({kills} kills)"
    assert last < N_ARTICLES, f"seed {seed}"

    final = subprocess.run([sys.executable, "-m", "geo", "ingest", str(corpus), "--db", str(db), "--quiet"],
                           cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert final.returncode == 0, final.stderr
    assert f"{N_ARTICLES - last} stored, {last} already in the store" in final.stderr

    assert one_value(db, "PRAGMA integrity_check") == "ok"
    assert one_value(db, "SELECT count(*) FROM articles") == N_ARTICLES
    assert one_value(db, "SELECT count(DISTINCT content_hash) FROM articles") == N_ARTICLES
    # Every article has all of its claims: none was cut short by a kill.
    assert claims_per_article(db) == reference, f"seed {seed}"


def test_a_reader_keeps_reading_while_an_ingest_writes(corpus: Path, reference: dict[str, int],
                                                       tmp_path: Path) -> None:
    db = tmp_path / "live.db"
    Store(db).close()  # the schema exists before the dashboard opens the store read-only
    folders = sorted(corpus.iterdir())[:3]
    total = sum(len(list(f.iterdir())) for f in folders)
    writer = start_ingest(folders, db)
    seen: list[int] = []
    errors: list[str] = []
    try:
        with Store(db, readonly=True) as store:
            while True:
                finished = writer.poll() is not None
                try:
                    frame = store.claims_frame()
                    articles = store.stats()["articles"]
                except Exception as exc:  # "database is locked" would land here
                    errors.append(f"{type(exc).__name__}: {exc}")
                else:
                    assert frame["evidence"].notna().all()
                    seen.append(articles)
                if finished:
                    break
                time.sleep(0.01)
    finally:
        if writer.poll() is None:
            writer.kill()
        writer.wait()
        err = writer.stderr.read()
        writer.stderr.close()
    assert writer.returncode == 0, err
    assert errors == []
    assert seen == sorted(seen), "a reader saw the store go backwards"
    assert any(0 < n < total for n in seen), "no read happened while the ingest was writing"
    assert seen[-1] == total == 300
    written = claims_per_article(db)
    assert written == {h: n for h, n in reference.items() if h in written}


def test_articles_finished_before_a_slow_file_survive_a_sigkill_during_it(tmp_path: Path) -> None:
    """The write transaction is not held while the next file is extracted: what was finished before a
    slow file is committed within about a second, so killing the ingest during the slow file loses
    nothing that was done (before, the whole run was lost)."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.txt").write_text("---\nsource: Wire A\n---\nRebels seized Hama on Monday, a monitor said.\n", "utf-8")
    (folder / "b.txt").write_text("---\nsource: Wire B\n---\nGovernment forces withdrew from Homs on Sunday.\n", "utf-8")
    # A 20 MB text: a minute or more of extraction, whatever the stages' speed per MB.
    lines = [f"Rebels seized {TOWNS[i % len(TOWNS)]} on {DAYS[i % 7]}, a monitor said in report {i}.\n"
             for i in range(300_000)]
    (folder / "c_long.txt").write_text("".join(lines), "utf-8")
    assert (folder / "c_long.txt").stat().st_size > 19_000_000
    db = tmp_path / "s.db"
    proc = start_ingest([folder], db)
    try:
        deadline = time.monotonic() + 30
        while stored_count(db) < 2 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        seen = stored_count(db)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stderr.close()
    assert seen >= 2, "the articles finished before the slow files were not committed"
    assert one_value(db, "PRAGMA integrity_check") == "ok"
    conn = sqlite3.connect(db)
    try:
        names = [r[0] for r in conn.execute("SELECT article FROM articles ORDER BY article")]
    finally:
        conn.close()
    assert names[:2] == ["a.txt", "b.txt"]
