"""Benchmark: export 100,000 stored claims to GeoJSON and GeoParquet (target: <= 5 s each).

    .venv/bin/python bench/bench_export.py [--claims N] [--quick] [--keep DIR [--reuse]]

Generates N claims (10 per article, about 5% denials, 300 places, 12 sources, a month of dates) in a
temporary store, then times, each from opening the store read-only to the file on disk: GeoJSON,
GeoParquet (partitioned folder), and for reference CSV and GeoPackage. Prints every figure with the
machine's core count so runs can be compared.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# Imported before any timing so that the first export measured does not pay for library imports.
import geopandas  # noqa: E402,F401
import orjson  # noqa: E402,F401
import pyarrow.parquet  # noqa: E402,F401
import pyogrio  # noqa: E402,F401

from geo.document import Article, Claim  # noqa: E402
from geo.export import write  # noqa: E402
from geo.store import Store  # noqa: E402

EVENT_TYPES = ["capture", "withdrawal", "advance", "defense", "deployment", "border_crossing", "strike",
               "protest", "clash"]
ACTORS = ["rebels", "government", "kurdish_led_forces", "syrian_national_army", "israel", "isis", "unknown"]
SOURCES = [("Reuters", ["Reuters"]), ("AFP", ["AFP"]), ("Al Jazeera", []), ("BBC", []), ("France 24", ["AFP"]),
           ("The National", ["Reuters", "AFP"]), ("Enab Baladi", []), ("SANA", []), ("Asharq Al-Awsat", []),
           ("Hindustan Times", ["AFP"]), ("Anadolu", []), ("Rudaw", [])]
PROVINCES = [("SY-DI", "Damascus"), ("SY-RD", "Rif Dimashq"), ("SY-DR", "Daraa"), ("SY-SU", "As-Suwayda"),
             ("SY-QU", "Quneitra"), ("SY-HI", "Homs"), ("SY-HM", "Hama"), ("SY-HL", "Aleppo"),
             ("SY-ID", "Idlib"), ("SY-DY", "Deir ez-Zor"), ("SY-RA", "Raqqa"), ("SY-HA", "Al-Hasakah"),
             ("SY-LA", "Latakia"), ("SY-TA", "Tartus")]
CLAIMS_PER_ARTICLE = 10


def generate(store: Store, n_claims: int, seed: int = 7) -> int:
    rng = random.Random(seed)
    places = []
    for i in range(300):
        iso, name = rng.choice(PROVINCES)
        places.append((f"Town {i}", f"gn:{100000 + i}", 32.5 + rng.random() * 4.5, 35.8 + rng.random() * 6.0,
                       iso, name))
    start = date(2024, 11, 20)
    n_articles = max(1, n_claims // CLAIMS_PER_ARTICLE)
    sentence = "Fighters of the {actor} reported a {event} near {place} on that day, a monitor said. "
    for a in range(n_articles):
        source, credited = rng.choice(SOURCES)
        published = start + timedelta(days=rng.randrange(30))
        parts, claims = [], []
        offset = 0
        for k in range(CLAIMS_PER_ARTICLE):
            place, place_id, lat, lon, iso, province_name = rng.choice(places)
            event = "denial" if rng.random() < 0.05 else rng.choice(EVENT_TYPES)
            actor = rng.choice(ACTORS)
            text = sentence.format(actor=actor, event=event, place=place)
            event_date = published - timedelta(days=rng.randrange(3)) if rng.random() < 0.8 else None
            claims.append(Claim(
                article=f"bench_{a:06d}.txt", place=place, place_id=place_id, lat=lat, lon=lon, event_type=event,
                actor=actor, evidence=text.strip(), evidence_start=offset, evidence_end=offset + len(text.strip()),
                claimant="a monitor", country="SY", province=iso, province_name=province_name,
                geo_precision="point", event_date=event_date, date_precision="day" if event_date else None,
                distance_km=20.0 if rng.random() < 0.03 else None,
            ))
            parts.append(text)
            offset += len(text)
        body = "".join(parts) + f"(article {a})"
        store.add_article(Article(article=f"bench_{a:06d}.txt", text=body, title=f"Report {a}", source=source,
                                  published=published, url=f"https://example.org/{a}", credited=list(credited)),
                          claims)
    return n_articles * CLAIMS_PER_ARTICLE


def timed_export(db: Path, fmt: str, target: Path) -> tuple[float, float, float]:
    """Seconds from opening the store to the file written, the part spent reading the store, and the
    process's CPU seconds for the whole (wall time on a busy machine includes waiting for a core)."""
    t0, c0 = time.perf_counter(), time.process_time()
    with Store(db, readonly=True) as store:
        frame = store.claims_frame()
    t1 = time.perf_counter()
    write(frame, fmt, target)
    return time.perf_counter() - t0, t1 - t0, time.process_time() - c0


def size_mb(path: Path) -> float:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6
    return path.stat().st_size / 1e6


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="10,000 claims instead of 100,000")
    parser.add_argument("--keep", type=Path, help="write the store and exports here instead of a temp folder")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: reuse the store found there when it holds the requested claims")
    args = parser.parse_args(argv)
    if args.quick:
        args.claims = min(args.claims, 10_000)
    cores = os.cpu_count()
    with tempfile.TemporaryDirectory(prefix="frontline-bench-") as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        db = folder / "bench.db"
        wanted = max(1, args.claims // CLAIMS_PER_ARTICLE) * CLAIMS_PER_ARTICLE
        reuse = False
        if args.reuse and args.keep and db.is_file():
            with Store(db, readonly=True) as store:
                reuse = store.stats()["claims"] == wanted
        if reuse:
            n = wanted
            print(f"cores {cores}: reusing {db} ({n:,} claims)")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            t0, c0 = time.perf_counter(), time.process_time()
            with Store(db) as store:
                n = generate(store, args.claims)
                stats = store.stats()
            t_ingest, c_ingest = time.perf_counter() - t0, time.process_time() - c0
            print(f"cores {cores}: stored {n:,} claims in {stats['articles']:,} articles in {t_ingest:.1f} s, "
                  f"cpu {c_ingest:.1f} s ({stats['articles'] / t_ingest:,.0f} articles/s, one transaction each; "
                  f"{stats['contested']:,} contested)")
        results = {}
        for fmt, name in (("geojson", "claims.geojson"), ("parquet", "claims_parquet"), ("csv", "claims.csv"),
                          ("gpkg", "claims.gpkg")):
            target = folder / name
            total, read, cpu = timed_export(db, fmt, target)
            results[fmt] = total
            target_note = " (target <= 5 s)" if fmt in ("geojson", "parquet") and n >= 100_000 else ""
            print(f"cores {cores}: export {n:,} claims to {fmt:8s} {total:6.2f} s{target_note}"
                  f"  [store read {read:.2f} s, cpu {cpu:.2f} s, {size_mb(target):.1f} MB]")
    slow = [f for f in ("geojson", "parquet") if results[f] > 5.0 and n >= 100_000]
    if slow:
        print(f"over target: {', '.join(slow)} (load average {os.getloadavg()[0]:.1f} on {cores} cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
