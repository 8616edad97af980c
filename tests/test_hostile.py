"""Hostile and broken input, end to end through ``python -m geo ingest`` in a subprocess.

Every bad file gets either correct handling or exactly one ``failed: <path>: <reason>`` line; the
good files still go in; nothing is half-stored; the exit status is non-zero iff some file failed.
"""
from __future__ import annotations

import io
import os
import json
import sqlite3
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow

GOOD_TXT = ("---\ntitle: Rebels take Hama\nsource: Test Wire\npublished: 2024-12-05\n---\n"
            "Rebels seized Hama on Thursday after days of fighting, a monitor said.\n")
GOOD_HTML = textwrap.dedent("""\
    <!doctype html><html><head><title>Army pulls out of Homs</title>
    <script>document.title = 'pwned'</script></head>
    <body><article><h1>Army pulls out of Homs</h1>
    <p>Government forces withdrew from Homs on Saturday, residents said.</p>
    <p>Thousands of people fled south along the highway toward the capital, aid workers said.</p>
    </article></body></html>""")
# Unclosed tags, a stray closing tag, an attribute without quotes: browsers and trafilatura cope.
BROKEN_HTML = ("<html><body><div class=main><p>Insurgents captured Aleppo late on Friday, "
               "the Syrian Observatory for Human Rights said.<p>Residents reported heavy shelling "
               "in the eastern districts of the city overnight.</span><div><b>More")
ARABIC = "سيطرت فصائل المعارضة على مدينة حماة يوم الخميس، وفق ما أفاد المرصد السوري لحقوق الإنسان في دمشق."
LATIN1 = ("Rebels seized Hama on Thursday, a monitor said. Le régime a perdu le contrôle de la ville, "
          "a déclaré l'Observatoire syrien des droits de l'homme.\n")


def png_bytes() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8


def zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("article.txt", "Rebels seized Hama on Thursday, a monitor said.")
    return buf.getvalue()


def ingest(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "geo", "ingest", *map(str, args), "--quiet"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)


def failed_lines(stderr: str) -> list[str]:
    return [ln for ln in stderr.splitlines() if ln.startswith("failed: ")]


def query(db: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, subprocess.CompletedProcess[str]]:
    folder = tmp_path_factory.mktemp("hostile") / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD_TXT, "utf-8")
    (folder / "good_again.txt").write_text(GOOD_TXT, "utf-8")  # the same article twice
    (folder / "page.html").write_text(GOOD_HTML, "utf-8")
    (folder / "broken.html").write_text(BROKEN_HTML, "utf-8")
    (folder / "arabic.txt").write_bytes(ARABIC.encode("cp1256"))
    (folder / "latin1.txt").write_bytes(LATIN1.encode("latin-1"))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "blank.md").write_text(" \n\t\r\n   \n", "utf-8")
    (folder / "report.txt").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
    (folder / "photo.html").write_bytes(png_bytes())
    (folder / "bundle.json").write_bytes(zip_bytes())
    (folder / "truncated.json").write_text('[{"title": "Hama", "text": "Rebels seized Hama on Thursday."},\n'
                                           ' {"title": "Homs", "text": "unterminated', "utf-8")
    (folder / "not_an_article.json").write_text(json.dumps({"headline": "no text field", "n": 3}), "utf-8")
    big = folder / "huge.txt"
    with big.open("w", encoding="utf-8") as fh:
        line = "Rebels seized Hama on Thursday after days of fighting, a monitor said. " * 10 + "\n"
        while fh.tell() < 50_000_000:
            fh.write(line * 100)
    db = folder.parent / "store.db"
    run = ingest(folder, "--db", db)
    return folder, db, run


BAD = {
    "empty.txt": "empty",
    "blank.md": "whitespace",
    "report.txt": "PDF",
    "photo.html": "PNG",
    "bundle.json": "ZIP",
    "truncated.json": "JSON",
    "not_an_article.json": "text",
    "huge.txt": "too large",
}


def test_each_bad_file_gets_one_line_naming_it_and_the_exit_status_says_so(hostile) -> None:
    folder, db, run = hostile
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    lines = failed_lines(run.stderr)
    assert len(lines) == len(BAD), run.stderr
    for name, word in BAD.items():
        mine = [ln for ln in lines if ln.startswith(f"failed: {folder / name}: ")]
        assert len(mine) == 1, (name, run.stderr)
        assert word.lower() in mine[0].lower(), mine[0]


def test_the_good_files_go_in_once_each_with_their_claims(hostile) -> None:
    folder, db, run = hostile
    names = [r[0] for r in query(db, "SELECT article FROM articles ORDER BY article")]
    assert names == ["arabic.txt", "broken.html", "good.txt", "latin1.txt", "page.html"]
    assert "1 already in the store" in run.stderr.splitlines()[-1]
    provinces = {r[0] for r in query(db, "SELECT DISTINCT province FROM claims")}
    assert {"SY-HM", "SY-HI", "SY-HL"} <= provinces  # Hama (txt, Latin-1), Homs (HTML), Aleppo (broken HTML)
    html_text = query(db, "SELECT title, text FROM articles WHERE article = 'page.html'")[0]
    assert html_text[0] == "Army pulls out of Homs" and "pwned" not in html_text[1] and "<" not in html_text[1]


def test_legacy_encodings_are_decoded_to_the_right_letters(hostile) -> None:
    folder, db, run = hostile
    texts = dict(query(db, "SELECT article, text FROM articles WHERE article IN ('arabic.txt', 'latin1.txt')"))
    assert texts["arabic.txt"].strip() == ARABIC
    assert texts["latin1.txt"] == LATIN1


def test_nothing_is_half_stored_and_the_database_is_sound(hostile) -> None:
    folder, db, run = hostile
    assert query(db, "PRAGMA integrity_check") == [("ok",)]
    assert query(db, "PRAGMA foreign_key_check") == []
    orphans = query(db, "SELECT count(*) FROM claims WHERE article_id NOT IN (SELECT id FROM articles)")
    assert orphans == [(0,)]
    for (article_id, text) in query(db, "SELECT id, text FROM articles"):
        for start, end, evidence in query(db, "SELECT evidence_start, evidence_end, evidence FROM claims "
                                              "WHERE article_id = ?", (article_id,)):
            assert text[start:end] == evidence


def test_a_second_run_changes_nothing_and_reports_the_same_failures(hostile) -> None:
    folder, db, run = hostile
    before = query(db, "SELECT count(*), (SELECT count(*) FROM claims) FROM articles")
    again = ingest(folder, "--db", db)
    assert again.returncode == 1
    assert failed_lines(again.stderr) == failed_lines(run.stderr)
    assert query(db, "SELECT count(*), (SELECT count(*) FROM claims) FROM articles") == before
    assert " 0 stored, 6 already in the store" in again.stderr.splitlines()[-1]


def test_a_50_mb_file_is_refused_without_reading_it(hostile, tmp_path: Path) -> None:
    """Peak memory of an ingest that meets the 50 MB file stays that of an ingest of one small file."""
    folder, _, _ = hostile
    probe = textwrap.dedent("""\
        import resource, subprocess, sys
        subprocess.run([sys.executable, "-m", "geo", "ingest", *sys.argv[1:], "--quiet"],
                       capture_output=True)
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
    """)

    def peak_kb(path: Path, db: Path) -> int:
        out = subprocess.run([sys.executable, "-c", probe, str(path), "--db", str(db)], cwd=ROOT,
                             capture_output=True, text=True, timeout=600, check=True)
        return int(out.stdout.strip())

    small = peak_kb(folder / "good.txt", tmp_path / "a.db")
    huge = peak_kb(folder / "huge.txt", tmp_path / "b.db")
    assert (folder / "huge.txt").stat().st_size >= 50_000_000
    # Reading the file alone would take 50 MB, decoding it to str at least as much again.
    assert huge < small + 20_000, (small, huge)


def test_dotdot_in_a_path_reads_the_file_it_names_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "a.txt").write_text(GOOD_TXT, "utf-8")
    (tmp_path / "in" / "..evil.txt").write_text(GOOD_TXT.replace("Hama", "Homs"), "utf-8")
    db = tmp_path / "s.db"
    run = ingest(f"{tmp_path}/in/sub/../a.txt", f"{tmp_path}/in/missing/../../../etc/passwd.txt",
                 f"{tmp_path}/in/..evil.txt", "--db", db)
    assert run.returncode == 1
    lines = failed_lines(run.stderr)
    assert len(lines) == 1 and "passwd.txt" in lines[0] and "no such file" in lines[0], run.stderr
    rows = query(db, "SELECT article, path FROM articles ORDER BY article")
    assert [r[0] for r in rows] == ["..evil.txt", "a.txt"]
    # A folder walk leaves the hidden "..evil.txt" alone and finds a.txt (already stored) only.
    again = ingest(tmp_path / "in", "--db", db)
    assert again.returncode == 0 and "1 files, 1 articles: 0 stored" in again.stderr


def test_an_article_naming_thousands_of_places_goes_in(tmp_path: Path) -> None:
    towns = ["Hama", "Homs", "Aleppo", "Idlib", "Daraa", "Raqqa", "Palmyra", "Latakia", "Tartus", "Qusayr",
             "Manbij", "Saraqib", "Douma", "Jableh", "Baniyas", "Rastan", "Salamiyah", "Kobani", "Qamishli"]
    lines = [f"Rebels seized {towns[i % len(towns)]} on Thursday, a monitor said." for i in range(1500)]
    lines.append("The towns named in the report were " + ", ".join(towns[i % len(towns)] for i in range(1500)) + ".")
    (tmp_path / "many.txt").write_text("\n".join(lines) + "\n", "utf-8")
    (tmp_path / "small.txt").write_text(GOOD_TXT, "utf-8")
    run = ingest(tmp_path / "many.txt", tmp_path / "small.txt", "--db", tmp_path / "s.db")
    assert run.returncode == 0, run.stderr
    counts = dict(query(tmp_path / "s.db", "SELECT a.article, count(c.id) FROM articles a "
                                           "JOIN claims c ON c.article_id = a.id GROUP BY a.id"))
    assert counts["small.txt"] >= 1
    assert counts["many.txt"] >= 1000


# --------------------------------------------------------------------------------------------
# Bounded work, no lost runs, quiet reports (issue 13)


def one_sentence(chars: int) -> str:
    """One sentence of about ``chars`` characters naming many places (no full stop until the end)."""
    towns = ["Hama", "Homs", "Aleppo", "Idlib", "Daraa", "Raqqa"]
    parts, n, i = [], 0, 0
    while n < chars:
        part = f"fighters loyal to the council moved on {towns[i % len(towns)]} and the hamlets past marker {i}"
        parts.append(part)
        n += len(part) + 6
        i += 1
    return "Observers said " + ", and ".join(parts) + ".\n"


def test_a_200_kb_one_sentence_article_cannot_hold_up_the_run(tmp_path: Path) -> None:
    """Whatever one article costs, the run ends in bounded time: the article goes in, or gets one line
    saying it ran out of its time budget; the articles before and after it are stored. The bound is
    on CPU time (under 30 s), so that a machine busy with other work does not make the test flaky."""
    import resource

    (tmp_path / "a_before.txt").write_text(GOOD_TXT, "utf-8")
    (tmp_path / "b_sentence.txt").write_text(one_sentence(200_000), "utf-8")
    (tmp_path / "c_after.txt").write_text(LATIN1, "utf-8")
    db = tmp_path / "s.db"

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    before = cpu()
    try:
        # --budget 5: 10 s for 200,000 characters.
        run = subprocess.run([sys.executable, "-m", "geo", "ingest", str(tmp_path), "--db", str(db), "--quiet",
                              "--budget", "5"], cwd=ROOT, capture_output=True, text=True, timeout=180)
    except subprocess.TimeoutExpired:
        pytest.fail("ingest of a 200 kB one-sentence article ran for more than 3 minutes")
    assert cpu() - before < 30
    assert "Traceback" not in run.stderr
    names = [r[0] for r in query(db, "SELECT article FROM articles ORDER BY article")]
    assert names[0] == "a_before.txt" and names[-1] == "c_after.txt"
    if "b_sentence.txt" in names:
        assert run.returncode == 0, run.stderr
    else:
        lines = failed_lines(run.stderr)
        assert run.returncode == 1 and len(lines) == 1, run.stderr
        assert "b_sentence.txt" in lines[0] and "time budget of 10 s" in lines[0]


def geoparse(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run([sys.executable, "-m", "geo", "geoparse", *map(str, args)], cwd=ROOT,
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        pytest.fail(f"geoparse {args} did not finish in {timeout} s")


def test_geoparse_jsonl_reports_each_bad_line_once_and_goes_on(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": "first", "text": "Rebels entered Aleppo on Monday."}).encode(),
        json.dumps({"id": "number", "text": 12345}).encode(),
        json.dumps({"id": "list", "text": ["Homs"]}).encode(),
        json.dumps({"id": "null", "text": None}).encode(),
        json.dumps({"id": "no text"}).encode(),
        json.dumps(["not", "an", "object"]).encode(),
        b'{"id": "cut", "text": "Hama',
        b'{"id": "latin1", "text": "Le r\xe9gime a perdu Hama."}',
        b"[" * 100_000 + b"]" * 100_000,
        b"",
        json.dumps({"id": 7, "text": "Government forces withdrew from Homs."}).encode(),
    ]
    src.write_bytes(b"\n".join(lines) + b"\n")
    dst = tmp_path / "out.jsonl"
    run = geoparse("--jsonl", src, "-o", dst)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    errors = run.stderr.strip().splitlines()
    assert [int(ln.split(":")[2]) for ln in errors] == [2, 3, 4, 5, 6, 7, 8, 9], run.stderr
    assert all(ln.startswith(f"geoparse: {src}:") and "skipped" in ln for ln in errors)
    assert "not a string" in errors[0] and "UTF-8" in errors[6]
    rows = [json.loads(ln) for ln in dst.read_text("utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["first", 7]
    assert [t["text"] for t in rows[0]["toponyms"]] == ["Aleppo"]
    assert [t["text"] for t in rows[1]["toponyms"]] == ["Homs"]


def test_geoparse_files_go_through_the_ingest_reader(tmp_path: Path) -> None:
    """A FIFO is refused (it would block forever), a 50 MB file is refused before it is read, binary
    and legacy-encoded files are handled as ingest handles them; the good file is still geoparsed."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as fh:  # 50 MB by its size, without writing 50 MB (a sparse file)
        fh.truncate(50_000_000)
    binary = tmp_path / "blob.txt"
    binary.write_bytes(b"\x01\x02\x03 Rebels seized Hama \x04\x05\x06\x07\x08" * 200)
    arabic = tmp_path / "arabic.txt"
    arabic.write_bytes(ARABIC.encode("cp1256"))
    good = tmp_path / "good.txt"
    good.write_text("Rebels seized Hama on Thursday, a monitor said.\n", "utf-8")
    run = geoparse(fifo, huge, binary, arabic, good, timeout=120)
    assert run.returncode == 1 and "Traceback" not in run.stderr, run.stderr
    errors = run.stderr.strip().splitlines()
    assert len(errors) == 3, run.stderr
    assert "pipe.txt" in errors[0] and "not a regular file" in errors[0]
    assert "huge.txt" in errors[1] and "too large" in errors[1]
    assert "blob.txt" in errors[2] and "binary" in errors[2]
    rows = {json.loads(ln)["file"]: json.loads(ln) for ln in run.stdout.splitlines()}
    assert sorted(rows) == ["arabic.txt", "good.txt"]
    assert [t["text"] for t in rows["good.txt"]["toponyms"]] == ["Hama"]


def test_a_bad_object_of_a_json_list_is_reported_once(tmp_path: Path) -> None:
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps([{"text": "Rebels seized Hama on Thursday, a monitor said."},
                                {"title": "no text here"}]), "utf-8")
    run = ingest(feed, "--db", tmp_path / "s.db")
    assert run.returncode == 1
    assert run.stderr.count("feed.json#2") == 1, run.stderr
    assert failed_lines(run.stderr) == [f"failed: {feed}#2: object #2 has no \"text\" field (it has: title)"]


def test_a_folder_walk_says_what_it_skipped_and_why(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / ".git").mkdir(parents=True)
    (folder / ".git" / "notes.txt").write_text(GOOD_TXT, "utf-8")
    (folder / "good.txt").write_text(GOOD_TXT, "utf-8")
    (folder / "report.docx").write_bytes(zip_bytes())
    (folder / ".hidden.md").write_text(GOOD_TXT, "utf-8")
    run = ingest(folder, "--db", tmp_path / "s.db")
    assert run.returncode == 0, run.stderr
    skipped = [ln for ln in run.stderr.splitlines() if ln.startswith("skipped: ")]
    assert skipped == [
        f"skipped: {folder / '.git'}: hidden folder (name starts with a dot), not searched",
        f"skipped: {folder / '.hidden.md'}: hidden file (name starts with a dot)",
        f"skipped: {folder / 'report.docx'}: .docx files are not read; articles are .txt .md .html .htm .json .pdf",
    ]
    assert run.stderr.splitlines()[-1].endswith("1 stored, 0 already in the store, 1 claims; 0 failed, 3 skipped")


def test_an_unknown_province_warning_stays_short(hostile) -> None:
    folder, db, _ = hostile
    value = "Z" * 100_000
    run = subprocess.run([sys.executable, "-m", "geo", "export", "--db", str(db), "--format", "geojson",
                          "--province", value], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[:500]
    warnings = [ln for ln in run.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1 and len(warnings[0]) < 200, warnings[0][:300]
    assert "no province matches 'ZZZZ" in warnings[0]
