"""New inputs as a news desk uses them: a web page by URL, an RSS feed polled twice, a PDF report, standard
input, and a non-English article. Every network path runs against a server on 127.0.0.1 that the test starts;
nothing leaves the machine."""
from __future__ import annotations

import http.server
import io
import logging
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from geo.articles import ArticleError, language_warning, read_articles, read_stdin, read_url
from geo.cli import main as cli_main
from geo.store import Store

REPO = Path(__file__).resolve().parent.parent


def make_pdf(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (Helvetica), written by hand: no PDF writer needed."""
    ops = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
    for line in lines:
        ops.append("(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1") if lines else b""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def page(title: str, body: str) -> bytes:
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n"))
    return (f"<!doctype html><html><head><title>{title}</title>"
            f"<meta property='article:published_time' content='2024-12-05T09:00:00Z'></head>"
            f"<body><nav>Home | World | Sport</nav><article><h1>{title}</h1>{paragraphs}</article>"
            f"<footer>All rights reserved</footer></body></html>").encode("utf-8")


HAMA_PAGE = page("Rebels take Hama", "Rebel fighters took control of the city of Hama on Thursday after days of "
                 "fighting, a war monitor said.\nGovernment troops withdrew from Hama overnight, the army said in a "
                 "statement carried by state television.")
HOMS_PAGE = page("Army sends troops to Homs", "The army sent reinforcements to Homs on Thursday to stop the rebel "
                 "advance, the defence ministry said.\nResidents said the roads south of the city were crowded.")
DARAA_PAGE = page("Daraa changes hands", "Local armed groups seized the city of Daraa on Friday, residents said.\n"
                  "Government forces withdrew from Daraa without a fight, according to the monitor.")


def rss(items: list[tuple[str, str]]) -> bytes:
    entries = "".join(f"<item><title>{t}</title><link>{link}</link><guid>{link}</guid>"
                      f"<pubDate>Thu, 05 Dec 2024 10:00:00 GMT</pubDate></item>" for t, link in items)
    return (f"<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Desk wire</title>"
            f"<link>http://example.invalid/</link><description>test</description>{entries}</channel></rss>").encode()


class Site:
    """Routes of the local server; tests change ``routes`` between requests."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes, dict]] = {}
        self.hits: list[str] = []


@pytest.fixture()
def site():
    state = Site()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (the stdlib's name)
            state.hits.append(self.path)
            if self.path == "/slow":
                time.sleep(3)
            status, ctype, body, headers = state.routes.get(self.path, (404, "text/html", b"<h1>Not found</h1>", {}))
            try:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    state.base = base  # type: ignore[attr-defined]
    yield state
    server.shutdown()
    server.server_close()


def _fold(name: str) -> str:
    """A gazetteer name without diacritics ("Ḩamāh" -> "Hamah"), for comparing with plain spellings."""
    import unicodedata

    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def claims_of(db: Path) -> list[tuple[str, str, str, str | None]]:
    with Store(db, readonly=True) as store:
        frame = store.claims_frame()
    return sorted(zip(map(_fold, frame["place"]), frame["event_type"], frame["actor"], frame["url"]))


# --- URL ---------------------------------------------------------------------------------------------------


def test_ingest_a_url_keeps_the_article_text_and_its_address(site, tmp_path, capsys) -> None:
    site.routes["/world/hama.html"] = (200, "text/html; charset=utf-8", HAMA_PAGE, {})
    db = tmp_path / "c.db"
    url = f"{site.base}/world/hama.html"
    assert cli_main(["ingest", url, "--db", str(db)]) == 0
    with Store(db, readonly=True) as store:
        (article,) = store.articles(with_text=True)
    assert article.url == url and article.title == "Rebels take Hama"
    assert "Home | World" not in article.text and "took control of the city of Hama" in article.text
    found = claims_of(db)
    assert ("Hamah", "capture", "rebels", url) in found
    assert cli_main(["ingest", url, "--db", str(db)]) == 0  # a second run stores nothing new
    assert "1 already in the store" in capsys.readouterr().err


def test_a_redirect_is_followed_and_the_final_address_kept(site) -> None:
    site.routes["/world/hama.html"] = (200, "text/html", HAMA_PAGE, {})
    site.routes["/short"] = (302, "text/html", b"", {"Location": "/world/hama.html"})
    (article,) = read_url(f"{site.base}/short")
    assert article.url == f"{site.base}/world/hama.html"


@pytest.mark.parametrize("path, route, reason", [
    ("/missing", None, "HTTP 404 Not Found"),
    ("/loop", (302, "text/html", b"", {"Location": "/loop"}), "too many redirects"),
    ("/photo", (200, "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, {}), "the server sent image/png, not a web page"),
    ("/slow", (200, "text/html", HAMA_PAGE, {}), "timed out after 1 s"),
    ("/server", (500, "text/html", b"oops", {}), "HTTP 500"),
])
def test_network_failures_are_one_clear_line(site, tmp_path, capsys, path, route, reason) -> None:
    if route:
        site.routes[path] = route
    url = f"{site.base}{path}"
    with pytest.raises(ArticleError) as info:
        read_url(url, timeout=1)
    assert info.value.path == url and reason in info.value.reason
    db = tmp_path / "c.db"
    assert cli_main(["ingest", url, "--db", str(db), "--timeout", "1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == f"failed: {url}: {info.value.reason}" and len(err) == 2  # the line, then the summary


def test_a_closed_port_is_one_line(tmp_path, capsys) -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert cli_main(["ingest", f"http://127.0.0.1:{port}/a", "--db", str(tmp_path / "c.db")]) == 1
    assert "cannot connect" in capsys.readouterr().err


# --- feeds -------------------------------------------------------------------------------------------------


def test_a_feed_is_ingested_and_the_next_run_takes_only_new_items(site, tmp_path, capsys) -> None:
    site.routes["/a/hama.html"] = (200, "text/html", HAMA_PAGE, {})
    site.routes["/a/homs.html"] = (200, "text/html", HOMS_PAGE, {})
    site.routes["/a/daraa.html"] = (200, "text/html", DARAA_PAGE, {})
    feed = f"{site.base}/feed.xml"
    site.routes["/feed.xml"] = (200, "application/rss+xml", rss([("Hama", f"{site.base}/a/hama.html"),
                                                                 ("Homs", f"{site.base}/a/homs.html")]), {})
    db = tmp_path / "c.db"
    assert cli_main(["ingest", "--feed", feed, "--db", str(db)]) == 0
    assert "2 stored" in capsys.readouterr().err
    assert {u.rsplit("/", 1)[1] for *_, u in claims_of(db)} == {"hama.html", "homs.html"}

    site.routes["/feed.xml"] = (200, "application/rss+xml", rss([("Daraa", f"{site.base}/a/daraa.html"),
                                                                 ("Hama", f"{site.base}/a/hama.html"),
                                                                 ("Homs", f"{site.base}/a/homs.html")]), {})
    site.hits.clear()
    assert cli_main(["ingest", "--feed", feed, "--db", str(db)]) == 0
    assert "1 files, 1 articles: 1 stored" in capsys.readouterr().err
    assert site.hits == ["/feed.xml", "/a/daraa.html"]  # the items seen before are not even fetched
    assert ("Dar‘a", "capture", "local_armed_groups", f"{site.base}/a/daraa.html") in claims_of(db)


def test_a_failed_feed_item_is_tried_again_next_time(site, tmp_path, capsys) -> None:
    feed = f"{site.base}/feed.xml"
    site.routes["/feed.xml"] = (200, "application/rss+xml", rss([("Hama", f"{site.base}/a/hama.html")]), {})
    db = tmp_path / "c.db"
    assert cli_main(["ingest", "--feed", feed, "--db", str(db)]) == 1  # the page is not there yet
    assert "HTTP 404" in capsys.readouterr().err
    site.routes["/a/hama.html"] = (200, "text/html", HAMA_PAGE, {})
    assert cli_main(["ingest", "--feed", feed, "--db", str(db)]) == 0
    assert "1 stored" in capsys.readouterr().err


def test_a_page_that_is_not_a_feed_says_so(site, tmp_path, capsys) -> None:
    site.routes["/news"] = (200, "text/html", HAMA_PAGE, {})
    assert cli_main(["ingest", "--feed", f"{site.base}/news", "--db", str(tmp_path / "c.db")]) == 1
    assert "not an RSS or Atom feed" in capsys.readouterr().err


def test_watch_polls_until_interrupted(site, tmp_path) -> None:
    site.routes["/feed.xml"] = (200, "application/rss+xml", rss([("Hama", f"{site.base}/a/hama.html")]), {})
    site.routes["/a/hama.html"] = (200, "text/html", HAMA_PAGE, {})
    proc = subprocess.Popen([sys.executable, "-m", "geo", "ingest", "--feed", f"{site.base}/feed.xml", "--watch",
                             "0.01", "--db", str(tmp_path / "c.db")], cwd=REPO, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while site.hits.count("/feed.xml") < 3 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        proc.send_signal(2)  # Ctrl-C
        _, err = proc.communicate(timeout=60)
    assert site.hits.count("/feed.xml") >= 3 and site.hits.count("/a/hama.html") == 1
    assert "1 new items, 1 articles stored" in err and "0 new items" in err
    assert proc.returncode == 130


# --- PDF, standard input, language -----------------------------------------------------------------------


def test_a_pdf_report_is_read_from_a_folder_and_by_url(site, tmp_path) -> None:
    pdf = make_pdf(["Situation report, 6 December 2024", "",
                    "Government forces withdrew from the city of Homs on Friday,",
                    "local sources said. Thousands of families fled south."])
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "sitrep.pdf").write_bytes(pdf)
    db = tmp_path / "c.db"
    assert cli_main(["ingest", str(tmp_path / "in"), "--db", str(db)]) == 0
    with Store(db, readonly=True) as store:
        (article,) = store.articles(with_text=True)
    assert "Government forces withdrew from the city of Homs" in article.text
    assert ("Homs", "withdrawal", "government", None) in claims_of(db)
    site.routes["/r.pdf"] = (200, "application/pdf", pdf, {})
    (from_web,) = read_url(f"{site.base}/r.pdf")
    assert from_web.text == article.text and from_web.url == f"{site.base}/r.pdf"


def test_a_scanned_pdf_without_text_is_a_clear_error(tmp_path) -> None:
    (tmp_path / "scan.pdf").write_bytes(make_pdf([]))
    with pytest.raises(ArticleError) as info:
        read_articles(tmp_path / "scan.pdf")
    assert "no text layer" in info.value.reason and "OCR" in info.value.reason
    (tmp_path / "broken.pdf").write_bytes(b"%PDF-1.4\ngarbage")
    with pytest.raises(ArticleError, match="not a readable PDF"):
        read_articles(tmp_path / "broken.pdf")


def test_standard_input_is_one_article(tmp_path) -> None:
    text = "Rebels seized the town of Saraqib on Friday, residents said.\n"
    (article,) = read_stdin(io.BytesIO(text.encode("utf-8")))
    assert article.text == text and article.article == "stdin"
    done = subprocess.run([sys.executable, "-m", "geo", "ingest", "-", "--db", str(tmp_path / "c.db"),
                           "--published", "2024-12-06", "--source", "Desk"],
                          input=text.encode("utf-8"), cwd=REPO, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert b"1 stored" in done.stderr
    with Store(tmp_path / "c.db", readonly=True) as store:
        frame = store.claims_frame()
    assert list(zip(frame["place"], frame["actor"], frame["source"])) == [("Saraqib", "rebels", "Desk")]


def test_a_non_english_article_is_warned_about(tmp_path, caplog) -> None:
    french = ("Les rebelles ont pris le contrôle de la ville de Hama jeudi, selon un observatoire basé à Londres. "
              "Les forces gouvernementales se sont retirées vers le sud après plusieurs jours de combats "
              "dans la région, a indiqué une source militaire.")
    (tmp_path / "fr.txt").write_text(french, encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="geo.articles"):
        read_articles(tmp_path / "fr.txt")
    assert any("does not look like English" in r.getMessage() and "fr.txt" in r.getMessage() for r in caplog.records)
    done = subprocess.run([sys.executable, "-m", "geo", "ingest", str(tmp_path / "fr.txt"), "--db",
                           str(tmp_path / "c.db")], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert "does not look like English" in done.stderr
    english = ("Rebels took control of the city of Hama on Thursday, a monitor based in London said. Government "
               "forces withdrew to the south after several days of fighting in the area, a military source said.")
    assert language_warning(english) is None
    assert language_warning("Hama") is None  # too short to tell
