"""Benchmark: the geoparser against geotext on a generated corpus, with quality by construction.

    .venv/bin/python -m bench.bench_geoparse [--articles N] [--seed S] [--skip-build] [--quick]
    (also run by ``make bench`` / ``python -m bench geoparse``)

Prints, in one run:

1. gazetteer build time into a fresh cache directory (GeoNames + admin-1 + overlay, then the
   geoparser's Aho-Corasick automaton), unless ``--skip-build``;
2. cache load time in a fresh process (gazetteer and automaton);
3. geoparse throughput on the same corpus of N (default 1,000) news-like articles of 2-4 KB
   (bench/corpus.py) for Frontline and for geotext, each in its own process on one core: articles/s,
   MB/s, peak memory (peak RSS of the process, and its growth while parsing), and their ratio; and
   the CPU rate of a second pass over the same articles (every name already met once: the steady
   state of a long ingest; the first pass also pays for resolving each new name in the gazetteer);
4. quality on the corpus, where the truth is known by construction: exact-span precision, recall,
   F1, and accuracy within 161 km of the resolved toponyms (geotext gives names without offsets or
   coordinates, so only a name-level F1 is shown for it).

5. the real-news dev corpora (``../shared/dev/geoparse/*.jsonl``, when present): geoparse
   documents/s with the spaCy model as evidence (the default), with the rules alone, and a plain
   spaCy NER pass (``nlp.pipe`` with only the NER components) over the same texts in the same process;
6. time per MB of one long article (0.1, 1 and 2 MB of news-like text): flat when the work is
   linear in the text's length (issue 13).

Targets: cache load <= 2 s; >= 300 articles/s on one core.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TARGET_LOAD_S = 2.0
TARGET_ARTICLES_PER_S = 300.0


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _rss_mb() -> float:
    """Current resident set size (Linux /proc; falls back to the peak elsewhere)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6
    except (OSError, ValueError, IndexError):
        return _maxrss_mb()


def _run_worker(args: list[str], env: dict[str, str] | None = None) -> dict:
    cmd = [sys.executable, "-m", "bench.bench_geoparse", "--worker", *args]
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"worker {args[0]} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --------------------------------------------------------------------------------------------
# Workers (each runs in its own process so timings and memory are not mixed)


def _worker_build(cache_dir: str) -> dict:
    os.environ["FRONTLINE_CACHE_DIR"] = cache_dir
    from geo.gazetteer import Gazetteer
    from geo.geoparser import _matcher_for

    t0 = time.perf_counter()
    g = Gazetteer.load(cache_dir=Path(cache_dir))
    t1 = time.perf_counter()
    _matcher_for(g)
    t2 = time.perf_counter()
    return {"gazetteer_s": t1 - t0, "automaton_s": t2 - t1}


def _worker_load(cache_dir: str) -> dict:
    os.environ["FRONTLINE_CACHE_DIR"] = cache_dir
    t0 = time.perf_counter()
    from geo.gazetteer import Gazetteer
    from geo.geoparser import _matcher_for

    t1 = time.perf_counter()
    g = Gazetteer.load(cache_dir=Path(cache_dir))
    t2 = time.perf_counter()
    _matcher_for(g)
    t3 = time.perf_counter()
    return {"import_s": t1 - t0, "gazetteer_s": t2 - t1, "automaton_s": t3 - t2, "rss_mb": _maxrss_mb()}


DEV_DIR = ROOT.parent / "shared" / "dev" / "geoparse"


def _worker_dev(corpus: str) -> dict:
    """geoparse with the model, with the rules alone, and a plain spaCy NER pass, on the same texts."""
    from geo import nlp
    from geo.document import Article, Document
    from geo.gazetteer import default_gazetteer
    from geo.geoparser import _matcher_for, geoparse

    texts = [t for _, t in _read_texts(corpus)]
    g = default_gazetteer()
    _matcher_for(g)
    pipeline = nlp.load()
    for text in texts[:3]:
        geoparse(Document(Article(article="warm", text=text)), g)
    out: dict = {"documents": len(texts), "mb": sum(len(t.encode()) for t in texts) / 1e6}
    for label, model in (("model", True), ("rules", False)):
        parsed = 0
        t0 = time.perf_counter()
        for text in texts:
            doc = geoparse(Document(Article(article="d", text=text)), g, model=model)
            parsed += sum(1 for p in doc.parses.values() if p is not None)
        out[label] = len(texts) / (time.perf_counter() - t0)
        out[f"{label}_sentences_parsed"] = parsed
    t0 = time.perf_counter()
    with pipeline.select_pipes(enable=[n for n in ("tok2vec", "ner") if n in pipeline.pipe_names]):
        for _ in pipeline.pipe(texts, batch_size=16):
            pass
    out["spacy_ner"] = len(texts) / (time.perf_counter() - t0)
    return out


def _worker_per_mb() -> dict:
    """Seconds per MB to geoparse one article of 0.1, 1 and 2 MB (news-like text, every kind of span)."""
    from geo.document import Article, Document
    from geo.gazetteer import default_gazetteer
    from geo.geoparser import _matcher_for, geoparse

    g = default_gazetteer()
    _matcher_for(g)
    block = (
        "Rebels entered Aleppo and Homs on Friday, said Ahmed Hassan of the Syrian Observatory for Human Rights. "
        "Dayton, Ohio and Boise, Idaho reported that the capital was calm while Moscow said troops left Hama.\n"
        "Read more: Damascus news\n"
    )
    out = {}
    for mb in (0.1, 1.0, 2.0):
        text = block * max(1, int(mb * 1e6 / len(block)))
        t0 = time.perf_counter()
        geoparse(Document(Article(article="long", text=text)), g, model=False)
        out[str(mb)] = (time.perf_counter() - t0) / mb
    return out


def _read_texts(corpus: str) -> list[tuple[str, str]]:
    with open(corpus, encoding="utf-8") as fh:
        return [(row["id"], row["text"]) for row in map(json.loads, fh)]


def _worker_frontline(corpus: str, out: str) -> dict:
    from geo.document import Article, Document
    from geo.gazetteer import default_gazetteer
    from geo.geoparser import _matcher_for, geoparse

    texts = _read_texts(corpus)
    g = default_gazetteer()
    _matcher_for(g)
    for _, text in texts[:5]:  # warm-up: lazy lexicons and regexes
        geoparse(Document(Article(article="warm", text=text)), g)
    rss_before = _rss_mb()
    predictions = []
    t0, c0 = time.perf_counter(), time.process_time()
    for aid, text in texts:
        doc = geoparse(Document(Article(article=aid, text=text)), g)
        predictions.append((aid, doc.toponyms))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_after = _rss_mb()
    # A second pass over the same articles: every name has been resolved once (the steady state of
    # a long ingest), so the difference is the cost of meeting names for the first time.
    c1 = time.process_time()
    for aid, text in texts:
        geoparse(Document(Article(article=aid, text=text)), g)
    second_cpu = time.process_time() - c1
    with open(out, "w", encoding="utf-8") as fh:
        for aid, toponyms in predictions:
            rows = [
                {"start": t.start, "end": t.end, "text": t.text, "lat": t.place.lat, "lon": t.place.lon}
                for t in toponyms
                if t.place is not None and t.cue != "capital"
            ]
            fh.write(json.dumps({"id": aid, "toponyms": rows}) + "\n")
    return _throughput(texts, seconds, cpu, rss_before, rss_after, second_cpu)


def _worker_geotext(corpus: str, out: str) -> dict:
    from geotext import GeoText

    texts = _read_texts(corpus)
    GeoText("Warm up in Paris.")
    rss_before = _rss_mb()
    predictions = []
    t0, c0 = time.perf_counter(), time.process_time()
    for aid, text in texts:
        found = GeoText(text)
        predictions.append((aid, found.cities + found.countries))
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    rss_after = _rss_mb()
    c1 = time.process_time()
    for _, text in texts:
        GeoText(text)
    second_cpu = time.process_time() - c1
    with open(out, "w", encoding="utf-8") as fh:
        for aid, names in predictions:
            fh.write(json.dumps({"id": aid, "names": names}) + "\n")
    return _throughput(texts, seconds, cpu, rss_before, rss_after, second_cpu)


def _throughput(texts: list[tuple[str, str]], seconds: float, cpu: float, rss_before: float, rss_after: float,
                second_cpu: float) -> dict:
    n_bytes = sum(len(t.encode("utf-8")) for _, t in texts)
    return {
        "articles": len(texts),
        "seconds": seconds,
        "articles_per_s": len(texts) / seconds,
        "articles_per_cpu_s": len(texts) / cpu,
        "articles_per_cpu_s_second_pass": len(texts) / second_cpu,
        "mb_per_s": n_bytes / seconds / 1e6,
        "peak_rss_mb": _maxrss_mb(),
        "rss_growth_mb": rss_after - rss_before,
    }


# --------------------------------------------------------------------------------------------
# Quality


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(min(1.0, a)))


def span_quality(gold_path: Path, predicted_path: Path) -> dict:
    """Exact-span precision/recall/F1 and accuracy within 161 km over matched spans."""
    gold = {row["id"]: row["toponyms"] for row in map(json.loads, open(gold_path, encoding="utf-8"))}
    tp = fp = fn = near = 0
    for row in map(json.loads, open(predicted_path, encoding="utf-8")):
        truth = {(t["start"], t["end"]): t for t in gold[row["id"]]}
        predicted = {(t["start"], t["end"]): t for t in row["toponyms"]}
        for span, p in predicted.items():
            g = truth.get(span)
            if g is None:
                fp += 1
                continue
            tp += 1
            if _km(p["lat"], p["lon"], g["lat"], g["lon"]) <= 161:
                near += 1
        fn += sum(1 for span in truth if span not in predicted)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "acc161": near / tp if tp else 0.0}


def name_quality(gold_path: Path, predicted_path: Path) -> dict:
    """Bag-of-names precision/recall/F1 per article (for tools that give no offsets)."""
    gold = {row["id"]: Counter(t["text"].lower() for t in row["toponyms"]) for row in map(json.loads, open(gold_path, encoding="utf-8"))}
    tp = fp = fn = 0
    for row in map(json.loads, open(predicted_path, encoding="utf-8")):
        truth = gold[row["id"]]
        predicted = Counter(n.lower() for n in row["names"])
        common = sum((truth & predicted).values())
        tp += common
        fp += sum(predicted.values()) - common
        fn += sum(truth.values()) - common
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


# --------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-build", action="store_true", help="time the load of the existing cache instead of a fresh build")
    parser.add_argument("--quick", action="store_true", help="300 articles and no fresh build: a fast check")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.quick:
        args.articles = min(args.articles, 300)
        args.skip_build = True
    if args.worker:
        kind, *rest = args.worker
        result = {"build": _worker_build, "load": _worker_load, "frontline": _worker_frontline, "geotext": _worker_geotext,
                  "dev": _worker_dev, "per_mb": _worker_per_mb}[kind](*rest)
        print(json.dumps(result))
        return 0

    from bench.corpus import generate_corpus, write_jsonl
    from geo.gazetteer import default_cache_dir

    with tempfile.TemporaryDirectory(prefix="frontline-bench-") as tmp:
        tmp_path = Path(tmp)
        print(f"Frontline geoparser benchmark ({os.cpu_count()} cores here; every timing on one core)\n")
        if args.skip_build:
            cache_dir = str(default_cache_dir())
            print("gazetteer build: skipped (--skip-build); load timed on the existing cache")
        else:
            cache_dir = str(tmp_path / "cache")
            built = _run_worker(["build", cache_dir])
            print(f"gazetteer build (fresh cache dir): {built['gazetteer_s']:.1f} s  + automaton {built['automaton_s']:.1f} s")
        loaded = _run_worker(["load", cache_dir])
        total_load = loaded["gazetteer_s"] + loaded["automaton_s"]
        verdict = "ok" if total_load <= TARGET_LOAD_S else "OVER TARGET"
        print(
            f"cache load (fresh process): gazetteer {loaded['gazetteer_s']:.2f} s + automaton {loaded['automaton_s']:.2f} s"
            f" = {total_load:.2f} s (target <= {TARGET_LOAD_S:.0f} s: {verdict}); imports {loaded['import_s']:.2f} s;"
            f" RSS {loaded['rss_mb']:.0f} MB"
        )

        t0 = time.perf_counter()
        articles = generate_corpus(args.articles, seed=args.seed)
        corpus = tmp_path / "corpus.jsonl"
        gold = tmp_path / "gold.jsonl"
        write_jsonl(articles, corpus)
        write_jsonl(articles, gold, with_gold=True)
        size = corpus.stat().st_size
        print(f"corpus: {len(articles)} articles, {size / 1e6:.1f} MB, seed {args.seed} (generated in {time.perf_counter() - t0:.1f} s)\n")

        fl_out, gt_out = tmp_path / "frontline.jsonl", tmp_path / "geotext.jsonl"
        fl = _run_worker(["frontline", str(corpus), str(fl_out)])
        gt = _run_worker(["geotext", str(corpus), str(gt_out)])

        load1 = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
        print(f"(load average at the end: {load1:.1f} on {os.cpu_count()} cores; wall-clock rates suffer when the machine is shared)")
        print(f"{'':24}{'Frontline':>14}{'geotext':>14}{'ratio':>10}")
        rows = [
            ("articles/s (wall)", "articles_per_s", "{:14.0f}"),
            ("articles/s (CPU time)", "articles_per_cpu_s", "{:14.0f}"),
            ("  same, 2nd pass (CPU)", "articles_per_cpu_s_second_pass", "{:14.0f}"),
            ("MB/s", "mb_per_s", "{:14.2f}"),
            ("peak RSS (MB)", "peak_rss_mb", "{:14.0f}"),
            ("RSS growth parsing (MB)", "rss_growth_mb", "{:14.1f}"),
        ]
        for label, key, fmt in rows:
            ratio = fl[key] / gt[key] if gt[key] else float("nan")
            print(f"{label:24}{fmt.format(fl[key])}{fmt.format(gt[key])}{ratio:10.2f}")
        verdict = "ok" if fl["articles_per_s"] >= TARGET_ARTICLES_PER_S else "UNDER TARGET"
        cpu_verdict = "ok" if fl["articles_per_cpu_s"] >= TARGET_ARTICLES_PER_S else "UNDER TARGET"
        print(f"target >= {TARGET_ARTICLES_PER_S:.0f} articles/s on one core: wall {verdict}, CPU time {cpu_verdict}\n")

        q = span_quality(gold, fl_out)
        fl_names = tmp_path / "frontline-names.jsonl"
        with open(fl_out, encoding="utf-8") as src, open(fl_names, "w", encoding="utf-8") as dst:
            for row in map(json.loads, src):
                dst.write(json.dumps({"id": row["id"], "names": [t["text"] for t in row["toponyms"]]}) + "\n")
        qn_fl = name_quality(gold, fl_names)
        qn_gt = name_quality(gold, gt_out)
        print("quality on the generated corpus (truth known by construction)")
        print(f"{'':24}{'Frontline':>14}{'geotext':>14}")
        print(f"{'exact-span P':24}{q['precision']:14.3f}{'-':>14}")
        print(f"{'exact-span R':24}{q['recall']:14.3f}{'-':>14}")
        print(f"{'exact-span F1':24}{q['f1']:14.3f}{'-':>14}")
        print(f"{'acc@161km (matched)':24}{q['acc161']:14.3f}{'-':>14}")
        print(f"{'name-level F1':24}{qn_fl['f1']:14.3f}{qn_gt['f1']:14.3f}")

        dev_sets = sorted(DEV_DIR.glob("*.jsonl")) if DEV_DIR.is_dir() else []
        if dev_sets:
            print("\nreal news (dev corpora): documents/s on one core, same texts, same process")
            print(f"{'corpus':12}{'docs':>6}{'MB':>6}{'geoparse':>10}{'rules only':>12}{'spaCy NER':>11}{'sentences parsed':>18}")
            for path in dev_sets:
                d = _run_worker(["dev", str(path)])
                print(f"{path.stem:12}{d['documents']:6d}{d['mb']:6.2f}{d['model']:10.1f}{d['rules']:12.1f}"
                      f"{d['spacy_ner']:11.1f}{d['model_sentences_parsed']:18d}")
        else:
            print(f"\nreal news (dev corpora): skipped ({DEV_DIR} not found)")
        per_mb = _run_worker(["per_mb"])
        print("one long article, rules only: seconds per MB " + ", ".join(f"{k} MB: {v:.2f}" for k, v in per_mb.items())
              + " (flat = linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
