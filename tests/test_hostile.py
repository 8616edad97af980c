"""Hostile and broken input, end to end through ``python -m geo ingest`` in a subprocess.

Every bad file gets either correct handling or exactly one ``failed: <path>: <reason>`` line; the
good files still go in; nothing is half-stored; the exit status is non-zero iff some file failed.
"""
from __future__ import annotations

import io
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
