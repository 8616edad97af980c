"""The Dask engine stores exactly what a local run stores, on a two-worker LocalCluster, through the
command line (``--engine dask``) and on a scheduler the user started (``--scheduler``)."""
from __future__ import annotations

import contextlib
import json
import random
import shutil
import socket
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from geo.export import to_geojson
from geo.pipeline import ingest_paths
from geo.store import Store

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

TOWNS = ["Hama", "Homs", "Aleppo", "Daraa", "Idlib", "Palmyra", "Raqqa", "Qusayr", "Saraqib", "Manbij"]
SENTENCES = [
    "Rebels seized {town} on {day}, a monitor said.",
    "Government forces withdrew from {town} overnight, residents said.",
    "The defence ministry denied that troops had left {town}.",
    "Kurdish-led forces advanced toward {town} on {day}, a commander said.",
    "Insurgents were within {km} kilometres of {town}, the Syrian Observatory for Human Rights said.",
    "Aid workers said thousands of people had fled the fighting.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def write_corpus(folder: Path, n: int, seed: int = 5) -> None:
    """``n`` short generated articles in two sub-folders, plus the bundled sample corpus, a JSON list
    and a copy of one article under another name (the first name must win in both engines)."""
    rng = random.Random(seed)
    for i in range(n):
        body = " ".join(rng.choice(SENTENCES).format(town=rng.choice(TOWNS), day=rng.choice(DAYS),
                                                     km=rng.randint(3, 30)) for _ in range(rng.randint(2, 5)))
        sub = folder / ("east" if i % 2 else "west")
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"g{i:03d}.txt").write_text(
            f"---\nsource: Wire {i % 4}\npublished: 2024-12-0{1 + i % 8}\n---\n{body} (Report {i}.)\n", "utf-8")
    shutil.copytree(ROOT / "data" / "sample", folder / "sample")
    (folder / "west" / "zz_copy.txt").write_bytes((folder / "west" / "g000.txt").read_bytes())
    (folder / "feed.json").write_text(json.dumps([
        {"source": "Feed", "published": "2024-12-06", "text": "Rebels captured Homs on Friday, a monitor said."},
        {"source": "Feed", "published": "2024-12-07", "text": "Rebels entered Damascus on Sunday, residents said."},
    ]), "utf-8")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dask") / "corpus"
    write_corpus(folder, 60)
    return folder


@pytest.fixture(scope="module")
def local_db(corpus: Path) -> Path:
    db = corpus.parent / "local.db"
    summary = ingest_paths([corpus], db, engine="local")
    assert summary.ok and summary.stored > 60 and summary.duplicates == 1
    return db


def features(db: Path) -> list[str]:
    """The exported GeoJSON features without claim ids, in a canonical order."""
    with Store(db, readonly=True) as store:
        collection = to_geojson(store.claims_frame())
    out = []
    for f in collection["features"]:
        f = dict(f)
        f.pop("id", None)
        f["properties"] = {k: v for k, v in f["properties"].items() if k != "id"}
        out.append(json.dumps(f, sort_keys=True, ensure_ascii=False))
    return sorted(out)


def articles(db: Path) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT article, content_hash, title, source, published, path FROM articles "
                            "ORDER BY id").fetchall()
    finally:
        conn.close()


def test_cli_dask_engine_stores_what_a_local_run_stores(corpus: Path, local_db: Path) -> None:
    db = corpus.parent / "dask_cli.db"
    with contextlib.ExitStack() as stack:
        # Dask's default HTTP port taken (by another cluster, a notebook): the ingest must not care.
        with contextlib.suppress(OSError):
            sock = stack.enter_context(socket.socket())
            sock.bind(("127.0.0.1", 8787))
            sock.listen()
        run = subprocess.run(
            [sys.executable, "-m", "geo", "ingest", str(corpus), "--db", str(db), "--engine", "dask",
             "--workers", "2", "--quiet"],
            cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "already in the store" in run.stderr and "0 failed" in run.stderr
    # Only the summary line: no traceback, no warnings from the cluster.
    assert run.stderr.strip().splitlines() == [run.stderr.strip().splitlines()[-1]], run.stderr
    local = features(local_db)
    assert len(local) > 60
    assert features(db) == local
    # Same articles, stored in the same order, the copy under the first name only.
    assert articles(db) == articles(local_db)
    assert "zz_copy.txt" not in {a[0] for a in articles(db)}


def test_a_running_scheduler_gets_the_work_and_a_rerun_adds_nothing(corpus: Path, local_db: Path) -> None:
    from dask.distributed import Client, LocalCluster

    db = corpus.parent / "dask_scheduler.db"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address="127.0.0.1:0",
                      scheduler_kwargs={"dashboard": False}) as cluster, Client(cluster) as client:
        summary = ingest_paths([corpus], db, engine="dask", scheduler=cluster.scheduler_address)
        assert summary.ok and summary.duplicates == 1
        assert features(db) == features(local_db)

        # Both worker processes did extraction work: each loaded its gazetteer.
        def gazetteer_loaded() -> bool:
            import geo.gazetteer

            return geo.gazetteer._DEFAULT is not None

        assert set(client.run(gazetteer_loaded).values()) == {True}

        # A second run finds every article stored: nothing new is written.
        again = ingest_paths([corpus], db, engine="dask", scheduler=cluster.scheduler_address)
        assert again.ok and again.stored == 0 and again.duplicates == summary.articles
    assert articles(db) == articles(local_db)
