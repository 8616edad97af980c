"""Claim extraction on real news, beside a full spaCy parse of the same texts, in one run.

The corpus: the development articles and the seeds in ../shared (real news), copied until there
are 2,000 articles (``--quick``: 200), each copy made unique by a line appended to it, so that the
store keeps every one. Printed:

- end-to-end ingest (``geo.pipeline.ingest_paths``, local engine, one process): articles/s, wall
  and CPU seconds;
- spaCy's small English pipeline as spaCy ships it, all components, tagging and parsing every one
  of the same texts (``nlp.pipe``): articles/s, wall and CPU seconds; the ratio ingest / full parse
  in wall time and in CPU time (target: <= 0.5); and the same with the pipeline as Frontline loads
  it (NumPy's matrix product instead of BLIS, ``geo.nlp``), with its ratio. On a machine shared with other work the wall-clock figures move
  with the load; the CPU seconds of this process move much less, so both ratios are printed;
- CPU ms per article per stage, measured inside that same ingest run (building the document,
  geoparsing without the parse, the spaCy parse for both stages, claim extraction without the
  parse, and the rest: reading files, storing, coordination);
- the share of sentences parsed (the prefilter: a trigger word and a place).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


def real_texts() -> list[tuple[str, str]]:
    """(name, text) of the real articles available beside the repository."""
    out = []
    for folder in (SHARED / "dev", SHARED / "seeds"):
        for p in sorted(folder.glob("[0-9]*.txt")):
            out.append((p.name, p.read_text(encoding="utf-8")))
    return out


def corpus(n: int) -> list[tuple[str, str]]:
    base = real_texts()
    return [(f"{i:05d}_{name}", f"{text}\n(copy {i})\n") for i, (name, text) in
            ((i, base[i % len(base)]) for i in range(n))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_claims")
    parser.add_argument("--quick", action="store_true", help="200 articles instead of 2,000")
    args = parser.parse_args(argv)
    if not real_texts():
        print(f"no real articles in {SHARED}/dev or {SHARED}/seeds: nothing to measure", file=sys.stderr)
        return 1
    n = 200 if args.quick else 2000
    texts = corpus(n)
    size_mb = sum(len(t.encode()) for _, t in texts) / 1e6

    from geo import nlp, pipeline
    from geo.claims import extract
    from geo.document import Document
    from geo.gazetteer import default_gazetteer
    from geo.geoparser import geoparse

    default_gazetteer()
    model = nlp.load()  # loading is set-up, not per-article work

    # Stage clocks inside the ingest run itself: CPU time of the thread doing each piece (an article's
    # stages run in a thread of their own; the shared parse in the thread serving them).
    cpu = {"build": 0.0, "geoparse": 0.0, "claims": 0.0, "parse": 0.0}
    counts = {"parsed": 0, "sentences": 0}
    real_run, real_entities, real_process = nlp.run_pipeline, nlp.add_entities, pipeline.process

    def timed_run(nlp_, texts, **kw):
        t = time.thread_time()
        try:
            return real_run(nlp_, texts, **kw)
        finally:
            cpu["parse"] += time.thread_time() - t
            counts["parsed"] += len(texts)

    def timed_entities(nlp_, docs):
        t = time.thread_time()
        try:
            return real_entities(nlp_, docs)
        finally:
            cpu["parse"] += time.thread_time() - t

    def timed_process(article, profile="syria", gazetteer=None):
        t0 = time.thread_time()
        doc = Document(article)
        t1 = time.thread_time()
        geoparse(doc, gazetteer)
        t2 = time.thread_time()
        extract(doc, profile)
        t3 = time.thread_time()
        if article.article != "<warm-up>":
            cpu["build"] += t1 - t0
            cpu["geoparse"] += t2 - t1
            cpu["claims"] += t3 - t2
            counts["sentences"] += len(doc.sentences)
        return doc

    pipeline._warm_up("syria")  # first use of lexicons and profile: set-up too
    nlp.run_pipeline, nlp.add_entities, pipeline.process = timed_run, timed_entities, timed_process
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp) / "articles"
            folder.mkdir()
            for name, text in texts:
                (folder / name).write_text(text, encoding="utf-8")
            for key in cpu:
                cpu[key] = 0.0
            counts["parsed"] = counts["sentences"] = 0
            t0, c0 = time.perf_counter(), time.process_time()
            summary = pipeline.ingest_paths([str(folder)], str(Path(tmp) / "bench.db"))
            ingest_s, ingest_cpu = time.perf_counter() - t0, time.process_time() - c0
    finally:
        nlp.run_pipeline, nlp.add_entities, pipeline.process = real_run, real_entities, real_process
    stored = getattr(summary, "stored", n)

    def full_parse(pipeline_) -> tuple[float, float]:
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in pipeline_.pipe((t for _, t in texts), batch_size=32):
            pass
        return time.perf_counter() - t0, time.process_time() - c0

    # The reference is the pipeline as spaCy ships it (thinc's BLIS matrix product); the same
    # pipeline as Frontline loads it (NumPy's matrix product, see geo.nlp) is printed beside it, so
    # that what comes from parsing fewer sentences and what from a faster product can be told apart.
    import spacy

    full_s, full_cpu = full_parse(spacy.load(nlp.model_name()))
    same_s, same_cpu = full_parse(model)

    per = 1000 / n
    # The parse's CPU seconds are counted in the geoparse and claims clocks too when an article's
    # thread parses for itself (a file run on its own); here the parse is shared, so they are apart.
    other = ingest_cpu - sum(cpu.values())
    print(f"corpus: {n} real articles ({size_mb:.1f} MB), copies of {len(real_texts())} from ../shared/dev and seeds")
    print(f"{'':38}{'articles/s':>12}{'wall s':>9}{'CPU s':>9}")
    print(f"{'ingest, end to end (one process)':38}{stored / ingest_s:>12.1f}{ingest_s:>9.1f}{ingest_cpu:>9.1f}")
    print(f"{'spaCy ' + model.meta.get('name', '?') + ', full pipeline':38}{n / full_s:>12.1f}{full_s:>9.1f}{full_cpu:>9.1f}")
    print(f"{'  the same, NumPy matrix product':38}{n / same_s:>12.1f}{same_s:>9.1f}{same_cpu:>9.1f}")
    print(f"ingest / full parse: {ingest_s / full_s:.2f} in wall time, {ingest_cpu / full_cpu:.2f} in CPU time "
          f"(target <= 0.50)")
    print(f"ingest / full parse with the same matrix product: {ingest_s / same_s:.2f} in wall time, "
          f"{ingest_cpu / same_cpu:.2f} in CPU time")
    print("CPU ms per article per stage (inside the ingest run):")
    print(f"  build document       {cpu['build'] * per:8.2f}")
    print(f"  geoparse, no parse   {cpu['geoparse'] * per:8.2f}")
    print(f"  parse (spaCy)        {cpu['parse'] * per:8.2f}")
    print(f"  claims, no parse     {cpu['claims'] * per:8.2f}")
    print(f"  read, store, other   {other * per:8.2f}")
    print(f"sentences parsed: {counts['parsed']} of {counts['sentences']} "
          f"({counts['parsed'] / max(counts['sentences'], 1):.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
