"""Claim extraction on real news, beside a full spaCy parse of the same texts, in one run.

The corpus: the development articles and the seeds in ../shared (real news), copied until there
are 2,000 articles (``--quick``: 200), each copy made unique by a line appended to it, so that the
store keeps every one. Printed:

- end-to-end ingest (``geo.pipeline.ingest_paths``, local engine, one process): articles/s;
- ms per article per stage (building the document, geoparsing without its parses, spaCy parsing
  for both stages, the rest of claim extraction), measured on the same articles in-process;
- the share of sentences parsed (the prefilter: a trigger word and a place);
- spaCy's small English pipeline, all components, tagging and parsing every one of the same texts
  (``nlp.pipe``): articles/s, and the ratio ingest time / full-parse time (target: <= 0.5).
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

    from geo import nlp
    from geo.claims import extract
    from geo.document import Article, Document
    from geo.gazetteer import default_gazetteer
    from geo.geoparser import geoparse
    from geo.pipeline import ingest_paths

    default_gazetteer()
    model = nlp.load()  # loading is set-up, not per-article work

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "articles"
        folder.mkdir()
        for name, text in texts:
            (folder / name).write_text(text, encoding="utf-8")
        t0 = time.perf_counter()
        summary = ingest_paths([str(folder)], str(Path(tmp) / "bench.db"))
        ingest_s = time.perf_counter() - t0
    stored = getattr(summary, "stored", n)

    # Stages, in process, on the same articles.
    parse_s = 0.0
    parsed = sentences = 0
    real_parse = nlp.parse

    def timed_parse(doc, wanted, **kw):
        nonlocal parse_s, parsed
        wanted = list(wanted)
        new = sum(1 for s in wanted if s.start not in doc.parses)
        t = time.perf_counter()
        out = real_parse(doc, wanted, **kw)
        parse_s += time.perf_counter() - t
        parsed += new
        return out

    nlp.parse = timed_parse
    read_s = geo_s = claims_s = 0.0
    parse_in_geo = 0.0
    try:
        for name, text in texts:
            t = time.perf_counter()
            doc = Document(Article(name, text))
            t1 = time.perf_counter()
            before = parse_s
            geoparse(doc)
            parse_in_geo += parse_s - before
            t2 = time.perf_counter()
            extract(doc)
            t3 = time.perf_counter()
            read_s += t1 - t
            geo_s += t2 - t1
            claims_s += t3 - t2
            sentences += len(doc.sentences)
    finally:
        nlp.parse = real_parse

    t0 = time.perf_counter()
    for _ in model.pipe((t for _, t in texts), batch_size=32):
        pass
    full_s = time.perf_counter() - t0

    per = 1000 / n
    print(f"corpus: {n} real articles ({size_mb:.1f} MB), copies of {len(real_texts())} from ../shared/dev and seeds")
    print(f"{'':38}{'articles/s':>12}{'seconds':>10}")
    print(f"{'ingest, end to end (one process)':38}{stored / ingest_s:>12.1f}{ingest_s:>10.1f}")
    print(f"{'spaCy ' + model.meta.get('name', '?') + ', full pipeline':38}{n / full_s:>12.1f}{full_s:>10.1f}")
    print(f"ingest time / full-parse time: {ingest_s / full_s:.2f} (target <= 0.50)")
    print("ms per article per stage:")
    print(f"  build document       {read_s * per:8.2f}")
    print(f"  geoparse, no parse   {(geo_s - parse_in_geo) * per:8.2f}")
    print(f"  parse (spaCy)        {parse_s * per:8.2f}")
    print(f"  claims, no parse     {(claims_s - (parse_s - parse_in_geo)) * per:8.2f}")
    print(f"sentences parsed: {parsed} of {sentences} ({parsed / max(sentences, 1):.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
