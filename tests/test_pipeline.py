"""The ingest pipeline in this process: what a user running ``python -m geo ingest`` sees in the
store, in the summary and on standard error."""
from __future__ import annotations

import json
import sqlite3
import threading
import time
from pathlib import Path

import pytest

import geo.pipeline as pipeline
from geo.cli import main
from geo.document import Claim
from geo.pipeline import HashPrefixes, IngestError, _batches, extract_file, ingest_paths, one_line
from geo.store import Store

HAMA = "Rebels seized Hama on Monday after a week of fighting, a monitor said.\n"
HOMS = "Government forces withdrew from Homs on Saturday, residents said.\n"
ALEPPO = "Insurgents captured Aleppo late on Friday, the Syrian Observatory for Human Rights said.\n"


def front(title: str, body: str, published: str = "2024-12-07", source: str = "Test Wire") -> str:
    return f"---\ntitle: {title}\nsource: {source}\npublished: {published}\n---\n{body}"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a_hama.txt").write_text(front("Hama falls", HAMA), "utf-8")
    (folder / "b_homs.txt").write_text(front("Army leaves Homs", HOMS), "utf-8")
    (folder / "c_aleppo.md").write_text(front("Aleppo taken", ALEPPO), "utf-8")
    return folder


def stored(db: Path) -> list[tuple[str, int]]:
    """(article name, number of claims) of every stored article, by name."""
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT a.article, count(c.id) FROM articles a LEFT JOIN claims c ON c.article_id = a.id "
            "GROUP BY a.id ORDER BY a.article").fetchall()
    finally:
        conn.close()


def test_ingest_stores_every_article_with_its_claims(corpus: Path, tmp_path: Path) -> None:
    summary = ingest_paths([corpus], tmp_path / "s.db")
    assert summary.ok and summary.files == 3 and summary.stored == 3 and summary.duplicates == 0
    rows = stored(tmp_path / "s.db")
    assert [name for name, _ in rows] == ["a_hama.txt", "b_homs.txt", "c_aleppo.md"]
    assert all(n >= 1 for _, n in rows), rows
    assert summary.claims == sum(n for _, n in rows)
    with Store(tmp_path / "s.db", readonly=True) as store:
        provinces = set(store.claims_frame()["province"])
    assert {"SY-HM", "SY-HI", "SY-HL"} <= provinces  # Hama, Homs, Aleppo


def test_a_rerun_stores_nothing_new_and_does_not_extract_again(corpus: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "s.db"
    ingest_paths([corpus], db)
    before = stored(db)

    def must_not_run(*args, **kwargs):
        raise AssertionError("an article already in the store was extracted again")

    monkeypatch.setattr(pipeline, "process", must_not_run)
    summary = ingest_paths([corpus], db)
    assert summary.ok and summary.stored == 0 and summary.duplicates == 3 and summary.claims == 0
    assert stored(db) == before


def test_the_same_text_under_two_names_is_stored_once_under_the_first_name(corpus: Path, tmp_path: Path) -> None:
    (corpus / "z_copy_of_hama.txt").write_text(front("Hama falls", HAMA), "utf-8")
    summary = ingest_paths([corpus], tmp_path / "s.db")
    assert summary.ok and summary.stored == 3 and summary.duplicates == 1
    assert [name for name, _ in stored(tmp_path / "s.db")] == ["a_hama.txt", "b_homs.txt", "c_aleppo.md"]


def test_a_bad_file_is_reported_once_and_the_others_go_in(corpus: Path, tmp_path: Path) -> None:
    (corpus / "b2_image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (corpus / "b3_broken.json").write_text('{"title": "x", "text": "Rebels seized Hama.",', "utf-8")
    seen: list[tuple[str, str]] = []
    summary = ingest_paths([corpus], tmp_path / "s.db", on_failure=lambda p, r: seen.append((p, r)))
    assert not summary.ok and summary.stored == 3
    assert seen == summary.failures
    assert sorted(Path(p).name for p, _ in seen) == ["b2_image.txt", "b3_broken.json"]
    reasons = dict((Path(p).name, r) for p, r in seen)
    assert "PNG" in reasons["b2_image.txt"]
    assert "JSON" in reasons["b3_broken.json"]


def test_unusable_objects_of_a_json_list_are_failures_and_the_good_ones_go_in(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([
        {"title": "Hama", "published": "2024-12-05", "source": "Wire", "text": HAMA},
        {"title": "no text here"},
        {"title": "Homs", "published": "2024-12-07", "source": "Wire", "text": HOMS},
    ]), "utf-8")
    summary = ingest_paths([path], tmp_path / "s.db")
    assert summary.stored == 2
    assert [(Path(p).name, "text" in r) for p, r in summary.failures] == [("feed.json#2", True)]
    assert [name for name, _ in stored(tmp_path / "s.db")] == ["feed.json#1", "feed.json#3"]


def test_an_article_the_store_refuses_leaves_nothing_behind(corpus: Path, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    real = pipeline.process

    def bad_evidence(article, profile="syria", gazetteer=None):
        doc = real(article, profile, gazetteer)
        if "Homs" in article.text:
            good = doc.claims[0]
            doc.claims.append(Claim(**{**good.__dict__, "evidence_start": 0, "evidence_end": len(article.text) + 50}))
        return doc

    monkeypatch.setattr(pipeline, "process", bad_evidence)
    summary = ingest_paths([corpus], tmp_path / "s.db")
    assert [Path(p).name for p, _ in summary.failures] == ["b_homs.txt"]
    assert "not stored" in summary.failures[0][1]
    assert [name for name, _ in stored(tmp_path / "s.db")] == ["a_hama.txt", "c_aleppo.md"]
    conn = sqlite3.connect(tmp_path / "s.db")
    assert conn.execute("SELECT count(*) FROM claims WHERE province = 'SY-HI'").fetchone()[0] == 0
    conn.close()


def test_extract_file_never_raises(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.txt"
    path.write_text(HAMA, "utf-8")

    def boom(*args, **kwargs):
        raise RuntimeError("extractor bug")

    monkeypatch.setattr(pipeline, "process", boom)
    result = extract_file(str(path))
    assert result.documents == [] and "RuntimeError" in (result.error or "") and "extractor bug" in result.error
    missing = extract_file(str(tmp_path / "nope.txt"))
    assert missing.error and "no such file" in missing.error


def test_cli_exit_status_and_one_line_per_failure(corpus: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "s.db"
    assert main(["ingest", str(corpus), "--db", str(db), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "failed:" not in err and "3 stored" in err

    weird = corpus / "evil\nname\x1b[31m.txt"
    weird.write_bytes(b"%PDF-1.7\n" + b"\x00" * 100)
    assert main(["ingest", str(corpus), "--db", str(db), "--quiet"]) == 1
    lines = capsys.readouterr().err.splitlines()
    failed = [ln for ln in lines if ln.startswith("failed:")]
    assert len(failed) == 1, lines
    assert "evil\\nname\\x1b[31m.txt" in failed[0] and "PDF" in failed[0]
    assert not any(ln.startswith(("name", "[31m")) for ln in lines)
    assert "0 stored, 3 already in the store" in lines[-1]


def test_cli_refuses_bad_arguments_and_an_unusable_store(corpus: Path, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ingest", str(corpus), "--db", str(tmp_path / "s.db"), "--workers", "0"]) == 2
    assert "--workers" in capsys.readouterr().err
    assert main(["ingest", str(corpus), "--db", str(tmp_path / "s.db"), "--scheduler", "tcp://x:1"]) == 2
    assert "--engine dask" in capsys.readouterr().err
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("these are my notes, not a database\n" * 100, "utf-8")
    assert main(["ingest", str(corpus), "--db", str(not_a_db)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error:") and "notes.db" in err[0]
    assert not_a_db.read_text("utf-8").startswith("these are my notes")
    with pytest.raises(IngestError):
        ingest_paths([corpus], not_a_db)
    with pytest.raises(ValueError, match="engine"):
        ingest_paths([corpus], tmp_path / "s.db", engine="spark")


def test_a_scheduler_address_that_is_no_address_is_one_clear_error(corpus: Path, tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["ingest", str(corpus), "--db", str(tmp_path / "s.db"), "--engine", "dask", "--scheduler", "not an address"]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: cannot connect to the Dask scheduler at not an address")


def test_no_files_found_is_an_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["ingest", str(tmp_path / "empty"), "--db", str(tmp_path / "s.db")]) == 1
    assert "no article files" in capsys.readouterr().err


def test_progress_reports_every_file_in_input_order(corpus: Path, tmp_path: Path) -> None:
    calls: list[tuple[int, int, str]] = []
    ingest_paths([corpus], tmp_path / "s.db", progress=lambda d, t, p: calls.append((d, t, Path(p).name)))
    assert calls == [(1, 3, "a_hama.txt"), (2, 3, "b_homs.txt"), (3, 3, "c_aleppo.md")]


def test_hash_prefixes_hold_what_they_were_given_and_little_else() -> None:
    import hashlib

    hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(1000)]
    known = HashPrefixes(hashes[:500])
    assert len(known) == 500
    assert all(known(h) for h in hashes[:500])
    assert not any(known(h) for h in hashes[500:])
    assert not HashPrefixes([])(hashes[0])


def test_batches_cover_every_file_once_in_order_and_stay_small() -> None:
    files = [f"f{i}.txt" for i in range(10_001)]
    batches = _batches(files, workers=2)
    assert [f for b in batches for f in b] == files
    assert max(len(b) for b in batches) <= pipeline.MAX_BATCH_FILES
    assert len(batches) >= 2 * pipeline.TASKS_PER_WORKER
    assert _batches(files[:5], workers=2) == [[f] for f in files[:5]]
    assert _batches([], workers=2) == []


def test_one_line_escapes_controls_and_bidi_overrides() -> None:
    assert one_line("a\nb\r\tc\x1b[0m") == "a\\nb\\r\\tc\\x1b[0m"
    assert one_line("report\u202etxt.exe") == "report\\u202etxt.exe"
    assert one_line("دمشق café") == "دمشق café"


def test_an_article_of_a_json_list_that_cannot_be_processed_does_not_sink_the_others(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([{"source": "Wire", "text": HAMA}, {"source": "Wire", "text": HOMS},
                                {"source": "Wire", "text": ALEPPO}]), "utf-8")
    real = pipeline.process

    def fails_on_homs(article, profile="syria", gazetteer=None):
        if "Homs" in article.text:
            raise RuntimeError("extractor bug")
        return real(article, profile, gazetteer)

    monkeypatch.setattr(pipeline, "process", fails_on_homs)
    summary = ingest_paths([path], tmp_path / "s.db")
    assert summary.stored == 2
    assert [(Path(p).name, "extractor bug" in r) for p, r in summary.failures] == [("feed.json#2", True)]
    assert [name for name, _ in stored(tmp_path / "s.db")] == ["feed.json#1", "feed.json#3"]


def test_a_lone_surrogate_escaped_in_json_is_handled_or_named(tmp_path: Path) -> None:
    path = tmp_path / "feed.json"
    # JSON can spell a code point no UTF-8 text can hold: "\ud800".
    path.write_text('[{"text": "Rebels seized Hama on Monday. \\ud800 A monitor said so."},'
                    ' {"text": "Government forces withdrew from Homs on Saturday."}]', "utf-8")
    summary = ingest_paths([path], tmp_path / "s.db")
    names = [name for name, _ in stored(tmp_path / "s.db")]
    assert "feed.json#2" in names
    if "feed.json#1" in names:  # repaired on reading
        conn = sqlite3.connect(tmp_path / "s.db")
        text = conn.execute("SELECT text FROM articles WHERE article = 'feed.json#1'").fetchone()[0]
        conn.close()
        assert "\ud800" not in text and summary.ok
    else:
        assert [Path(p).name for p, _ in summary.failures] == ["feed.json#1"]


# --------------------------------------------------------------------------------------------
# Bounded work, no lost runs (issue 13)


def _many_sentences(chars: int) -> str:
    """A long text of distinct news-like sentences (each names a place), about ``chars`` characters."""
    towns = ["Hama", "Homs", "Aleppo", "Idlib", "Daraa", "Raqqa", "Palmyra", "Latakia", "Tartus", "Douma"]
    out, n, i = [], 0, 0
    while n < chars:
        line = f"Rebels seized {towns[i % len(towns)]} on Monday, a monitor said in bulletin {i}.\n"
        out.append(line)
        n += len(line)
        i += 1
    return "".join(out)


def test_while_a_file_is_slow_readers_see_the_finished_articles_and_a_second_writer_gets_in(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The write transaction is not held while the next file is extracted: the articles finished
    before a slow file are committed within about a second, and another writer (a second ingest, a
    dashboard upload) waits its turn and succeeds instead of failing with "database is locked"."""
    from geo.document import Article

    slow = corpus / "d_slow.txt"
    slow.write_text(front("Slow", "Rebels seized Idlib on Sunday, a monitor said.\n"), "utf-8")
    release = threading.Event()
    real = pipeline.extract_file

    def extract(path, *args, **kwargs):
        if Path(path).name == "d_slow.txt":
            release.wait(120)  # a file that takes long to extract, until the test says so
        return real(path, *args, **kwargs)

    monkeypatch.setattr(pipeline, "extract_file", extract)
    pipeline._warm_up("syria")  # the gazetteer's first load is not what this test times
    db = tmp_path / "s.db"
    Store(db).close()
    outcome: dict[str, object] = {}
    ingest = threading.Thread(target=lambda: outcome.update(summary=ingest_paths([corpus], db)))
    ingest.start()
    try:
        seen = 0
        deadline = time.monotonic() + 30  # a second is promised; the machine may be busy
        while seen < 3 and time.monotonic() < deadline:
            with Store(db, readonly=True) as reader:
                seen = reader.stats()["articles"]
            time.sleep(0.05)
        assert seen == 3, "the articles finished before the slow file were not committed"

        def second_writer() -> None:
            with Store(db) as other:
                outcome["second"] = other.add_article(Article(article="upload.txt", text=ALEPPO + " (upload)",
                                                              source="Upload"), [])
        other = threading.Thread(target=second_writer)
        started = time.monotonic()
        other.start()
        other.join(30)
        assert outcome.get("second") is True, "a second writer could not write while the ingest waited"
        assert time.monotonic() - started < 30
    finally:
        release.set()
        ingest.join(60)
    summary = outcome["summary"]
    assert summary.ok and summary.stored == 4  # type: ignore[union-attr]
    assert [n for n, _ in stored(db)] == ["a_hama.txt", "b_homs.txt", "c_aleppo.md", "d_slow.txt", "upload.txt"]


def test_an_article_over_its_time_budget_gets_one_line_and_the_run_goes_on(
        corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A safety net: an article that takes too long is reported and skipped; the articles before and
    after it are stored. (A 1.5 MB text takes seconds at any speed the stages have reached; a short
    article a few milliseconds. The budget is made flat here, not scaled with the length.)"""
    (corpus / "b5_long.txt").write_text(front("Long", _many_sentences(1_500_000)), "utf-8")
    monkeypatch.setattr(pipeline, "BUDGET_UNIT_CHARS", 10**12)
    seen: list[tuple[str, str]] = []
    started = time.monotonic()
    summary = ingest_paths([corpus], tmp_path / "s.db", budget=0.5, on_failure=lambda p, r: seen.append((p, r)))
    elapsed = time.monotonic() - started
    assert [Path(p).name for p, _ in seen] == ["b5_long.txt"]
    assert "time budget of 0.5 s" in seen[0][1]
    assert [n for n, _ in stored(tmp_path / "s.db")] == ["a_hama.txt", "b_homs.txt", "c_aleppo.md"]
    assert summary.stored == 3 and not summary.ok
    assert elapsed < 30, elapsed


def test_the_time_budget_grows_with_the_length_of_the_text() -> None:
    from geo.pipeline import BUDGET_UNIT_CHARS, article_budget

    assert article_budget(30, 2_000) == 30  # a short article gets the whole base budget
    assert article_budget(30, 2 * BUDGET_UNIT_CHARS) == 60
    assert article_budget(30, 20 * BUDGET_UNIT_CHARS) == 600
    assert article_budget(0, 10**6) is None and article_budget(None, 10**6) is None


def test_the_time_budget_stops_pure_python_work_in_any_thread_and_leaves_nothing_pending() -> None:
    def spin() -> None:
        while True:
            pass

    def run(out: list) -> None:
        started = time.monotonic()
        try:
            with pipeline.time_budget(0.2):
                spin()
        except pipeline.ArticleTimeout:
            out.append(time.monotonic() - started)
        # A budget that did not run out raises nothing, then or later.
        with pipeline.time_budget(5):
            sum(range(1000))
        time.sleep(0.3)
        out.append("after")

    for target in ("main", "thread"):
        out: list = []
        if target == "main":
            run(out)
        else:
            t = threading.Thread(target=run, args=(out,))
            t.start()
            t.join(10)
        assert len(out) == 2 and out[1] == "after", (target, out)
        assert 0.15 < out[0] < 5, (target, out)


def test_a_text_over_the_article_limit_is_split_into_parts_with_a_note(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    body = "".join(f"Rebels seized Hama on Monday, bulletin {i} said.\n\n" for i in range(60))
    (tmp_path / "feed.txt").write_text(body, "utf-8")
    monkeypatch.setattr(pipeline, "MAX_ARTICLE_CHARS", 1000)
    notes: list[tuple[str, str]] = []
    summary = ingest_paths([tmp_path / "feed.txt"], tmp_path / "s.db", on_note=lambda p, w: notes.append((p, w)))
    assert summary.ok
    assert len(notes) == 1 and Path(notes[0][0]).name == "feed.txt"
    assert "more than any news article" in notes[0][1] and "split into" in notes[0][1]
    conn = sqlite3.connect(tmp_path / "s.db")
    rows = conn.execute("SELECT article, text FROM articles ORDER BY id").fetchall()
    conn.close()
    assert [name for name, _ in rows] == [f"feed.txt#part{i}" for i in range(1, len(rows) + 1)]
    assert len(rows) >= 3 and all(len(text) <= 1000 for _, text in rows)
    joined = "".join(text for _, text in rows)
    assert joined in body and len(joined) >= len(body) - 2  # nothing lost (the reader trims the end)
    assert all(text.endswith("\n\n") for _, text in rows[:-1])  # cut at paragraph breaks


def test_split_long_text_keeps_every_character_and_cuts_at_the_best_break() -> None:
    from geo.pipeline import split_long_text

    text = ("word " * 300 + "\n") * 50
    parts = split_long_text(text, 4000)
    assert "".join(parts) == text and all(len(p) <= 4000 for p in parts)
    assert all(p.endswith("\n") for p in parts[:-1])
    no_breaks = "x" * 10_001
    parts = split_long_text(no_breaks, 1000)
    assert "".join(parts) == no_breaks and [len(p) for p in parts] == [1000] * 10 + [1]
    assert split_long_text("short", 1000) == ["short"]


def test_the_summary_lists_skipped_files_and_why(corpus: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (corpus / "scan.docx").write_bytes(b"PK\x03\x04 a word document")
    (corpus / ".draft.txt").write_text(front("Draft", HAMA), "utf-8")
    (corpus / ".cache").mkdir()
    (corpus / ".cache" / "old.txt").write_text(front("Old", HOMS), "utf-8")
    (corpus / "README").write_text("notes\n", "utf-8")
    assert main(["ingest", str(corpus), "--db", str(tmp_path / "s.db"), "--quiet"]) == 0
    lines = capsys.readouterr().err.splitlines()
    skipped = [ln for ln in lines if ln.startswith("skipped: ")]
    assert len(skipped) == 4, lines
    by_name = {Path(ln.split(": ")[1]).name: ln for ln in skipped}
    assert ".docx" in by_name["scan.docx"] and ".txt .md" in by_name["scan.docx"]
    assert "hidden" in by_name[".draft.txt"] and "hidden folder" in by_name[".cache"]
    assert "without an extension" in by_name["README"]
    assert lines[-1].endswith("4 skipped") and "3 stored" in lines[-1]


def test_each_bad_object_of_a_json_list_is_reported_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "feed.json"
    path.write_text(json.dumps([{"text": HAMA}, {"title": "no text"}, {"text": 42}]), "utf-8")
    assert main(["ingest", str(path), "--db", str(tmp_path / "s.db"), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert err.count("feed.json#2") == 1 and err.count("feed.json#3") == 1, err


def test_time_spent_waiting_for_a_shared_parse_is_not_charged_to_the_budget() -> None:
    """Files extracted side by side wait for each other's turn at the parser: that wait is paused
    time, while the article's own work still counts."""
    started = time.monotonic()
    with pipeline.time_budget(0.3):
        pipeline._pause_budget(True)
        time.sleep(0.6)  # waiting for the other articles: longer than the whole budget
        pipeline._pause_budget(False)
        sum(range(1000))
    try:
        with pipeline.time_budget(0.3):
            pipeline._pause_budget(True)
            time.sleep(0.2)
            pipeline._pause_budget(False)
            while True:  # the article's own work: the clock runs again, from where it stopped
                pass
    except pipeline.ArticleTimeout:
        took = time.monotonic() - started
    assert 0.6 + 0.2 + 0.25 < took < 10



def test_an_ingest_does_not_load_pandas_and_the_store_still_reads_frames(corpus: Path, tmp_path: Path) -> None:
    # pandas costs an ingest about 0.3 s of CPU to import and it writes nothing with it: the CLI
    # ingests without it, and reading the store back as a frame loads it then.
    import subprocess
    import sys

    db = tmp_path / "c.db"
    code = ("import sys; from geo.cli import main; "
            f"code = main(['ingest', {str(corpus)!r}, '--db', {str(db)!r}]); "
            "print(code, 'pandas' in sys.modules); "
            "from geo.store import Store; "
            f"frame = Store({str(db)!r}, readonly=True).claims_frame(); "
            "print(len(frame), sorted(frame['place']), str(frame['published'].dtype))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                         cwd=Path(pipeline.__file__).resolve().parent.parent)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.strip().splitlines()
    assert lines[-2] == "0 False"  # ingested, without pandas
    count, places, dtype = lines[-1].split(" ", 1)[0], lines[-1], lines[-1].rsplit(" ", 1)[1]
    assert int(count) >= 3 and "Aleppo" in places and "Homs" in places and dtype.startswith("datetime64")
