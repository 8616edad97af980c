"""Command-line interface: ``frontline`` (or ``python -m geo``) ``{ingest,export,geoparse,resolve,dashboard}``.

Each subcommand only parses arguments and delegates to the stage module that owns the work.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import IO, Any

from geo import __version__

DEFAULT_DB = Path.home() / ".local" / "share" / "frontline" / "frontline.db"


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


def _seconds(value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds >= 0:  # also refuses NaN
        raise argparse.ArgumentTypeError(f"not a number of seconds (0 or more): {value!r}")
    return seconds


def _add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--province", action="append", help="ISO 3166-2 code (SY-DR) or name (Daraa); repeatable")
    p.add_argument("--source", action="append", help="source label; repeatable")
    p.add_argument("--since", type=_date, help="claims with event date on or after YYYY-MM-DD")
    p.add_argument("--until", type=_date, help="claims with event date on or before YYYY-MM-DD")
    p.add_argument("--event-type", action="append", dest="event_type", help="event type; repeatable")
    p.add_argument("--actor", action="append", help="actor id; repeatable")
    p.add_argument("--contested", action="store_true", help="only contested claims")


def program_name(argv0: str | None = None) -> str:
    """The name the user typed: ``python -m geo`` (argv[0] is then geo/__main__.py), else the script's
    name (``frontline``, the console script)."""
    argv0 = sys.argv[0] if argv0 is None else argv0
    base = os.path.basename(argv0 or "")
    if not base or base in ("__main__.py", "-c") or base.endswith(".py"):
        return "python -m geo"
    return base


def build_parser(prog: str | None = None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog or program_name(),
        description="Frontline: reported territorial-control claims from news articles, mapped with provenance.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="read articles, extract claims, store them")
    p.add_argument("paths", nargs="*", metavar="PATH",
                   help="files or folders (.txt .md .html .json .pdf), recursive; http(s) URLs of articles; "
                        "- for one article on standard input")
    p.add_argument("--feed", action="append", metavar="URL",
                   help="an RSS or Atom feed: every item not taken by an earlier run is ingested; repeatable")
    p.add_argument("--watch", type=float, metavar="MINUTES",
                   help="with --feed: keep polling the feeds every MINUTES minutes (stop with Ctrl-C)")
    p.add_argument("--timeout", type=float, default=20.0, metavar="SECONDS",
                   help="network timeout per request for URLs and feeds (default: 20)")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"SQLite store (default: {DEFAULT_DB})")
    p.add_argument("--source", help="source label for every article (overrides what the article reveals)")
    p.add_argument("--published", type=_date, help="publication date YYYY-MM-DD for every article")
    p.add_argument("--profile", default="syria",
                   help="conflict profile: a name in data/profiles (default: syria) or a path to a profile .toml")
    p.add_argument("--engine", choices=["local", "dask"], default="local", help="where extraction runs")
    p.add_argument("--scheduler", help="Dask scheduler address (default: a LocalCluster)")
    p.add_argument("--workers", type=int, default=2, help="LocalCluster workers with --engine dask")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--budget", type=_seconds, default=None, metavar="SECONDS",
                   help="time an article may take per 100,000 characters of text (and at least that) "
                        "before it is reported and skipped; default 30, 0 for no limit")

    p = sub.add_parser("export", help="write stored claims as GeoJSON, CSV, GeoPackage or GeoParquet")
    p.add_argument("--db", type=Path, default=DEFAULT_DB, help=f"SQLite store (default: {DEFAULT_DB})")
    p.add_argument("--format", choices=["geojson", "csv", "gpkg", "parquet"],
                   help="output format (default: from the extension of -o: .geojson/.json, .csv, .gpkg, .parquet or a folder/)")
    # A string, not a Path: "claims_parquet/" keeps its slash, which says "a folder" (parquet).
    p.add_argument("-o", "--output", help="output file, - for standard output (the default; a folder for parquet)")
    _add_filters(p)

    p = sub.add_parser("geoparse", help="print the toponyms of files as JSON")
    p.add_argument("files", nargs="*", type=Path, metavar="FILE")
    p.add_argument("--jsonl", type=Path, metavar="IN", help='read lines {"id", "text"}; write lines {"id", "toponyms"}')
    p.add_argument("-o", "--output", type=Path, help="output file for --jsonl (default: standard output)")
    p.add_argument("--demonyms", action="store_true",
                   help='also report demonyms ("Syrian") as non-literal toponyms of their country')
    p.add_argument("--online", choices=["nominatim", "geonames"], metavar="SERVICE",
                   help="place names the offline gazetteer lacks with an online geocoder (nominatim or geonames; "
                        "off by default; every answer cached in the cache folder, so a name is asked once)")

    p = sub.add_parser("resolve", help="ranked gazetteer candidates for a place name")
    p.add_argument("name")
    p.add_argument("--country", help="prefer this ISO 3166-1 alpha-2 country")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--limit", type=int, default=5)

    p = sub.add_parser("dashboard", help="serve the map dashboard (app.py) on a store",
                       description="Serve the Streamlit dashboard on a store. The dashboard's code and map data are "
                                   "loaded before the server answers, so the first page does not wait for them.")
    p.add_argument("--db", type=Path, help="SQLite store (default: $FRONTLINE_DB, else " f"{DEFAULT_DB})")
    p.add_argument("--port", type=int, help="port to listen on (default: Streamlit's, 8501)")
    p.add_argument("--address", help="address to listen on (default: every interface)")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "ingest":
            from geo.remote import is_url

            if args.feed or args.watch is not None or any(p == "-" or is_url(p) for p in args.paths):
                from geo.remote import run_ingest_inputs_cli

                return run_ingest_inputs_cli(args)
            if not args.paths:
                print("error: ingest needs a PATH, a URL, - (standard input) or --feed URL", file=sys.stderr)
                return 2
            from geo.pipeline import run_ingest_cli

            return run_ingest_cli(args)
        if args.command == "export":
            from geo.export import run_export_cli

            return run_export_cli(args)
        if args.command == "geoparse":
            return run_geoparse_cli(args)
        if args.command == "dashboard":
            return run_dashboard_cli(args)
        if args.command == "resolve":
            from geo.gazetteer import run_resolve_cli

            return run_resolve_cli(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return 2


# --------------------------------------------------------------------------------------------
# dashboard

APP = Path(__file__).resolve().parent.parent / "app.py"


def run_dashboard_cli(args: argparse.Namespace) -> int:
    """`streamlit run app.py`, after loading what the dashboard's first run would: its modules (pandas,
    folium and its plugins, geopandas: about a second) and the map's data (mapview.preload). The server
    starts that much later, and a page opened on it shows its map that much sooner. Nothing of the store is
    read here: the claims are read, and cached, by the pages."""
    if args.db is not None:
        os.environ["FRONTLINE_DB"] = str(args.db.expanduser().resolve())
    # streamlit-folium's own module is left to app.py: it declares its component on import, which only a
    # running server registers (imported here, its frame would not be found). What it imports is loaded here.
    import folium.plugins  # noqa: F401
    import streamlit.components.v1  # noqa: F401
    from streamlit.web import cli as streamlit_cli

    from geo import mapview, store  # noqa: F401 - loaded for app.py

    mapview.preload()
    flags = []
    if args.port is not None:
        flags += ["--server.port", str(args.port)]
    if args.address:
        flags += ["--server.address", args.address]
    sys.argv = ["streamlit", "run", str(APP), *flags]
    return streamlit_cli.main()


# --------------------------------------------------------------------------------------------
# geoparse


def _say(message: str) -> None:
    from geo.pipeline import one_line

    print(f"geoparse: {one_line(message)}", file=sys.stderr)


def _geoparse_long(text: str, gazetteer: Any, demonyms: bool = False, online: Any = None) -> list[dict]:
    """The printable toponyms of ``text``; a text longer than any news article is geoparsed in parts
    (as ingest splits it), with offsets into the whole text."""
    from geo.geoparser import _printable, geoparse_text
    from geo.pipeline import MAX_ARTICLE_CHARS, split_long_text

    out: list[dict] = []
    offset = 0
    for part in split_long_text(text, MAX_ARTICLE_CHARS):
        for t in _printable(geoparse_text(part, gazetteer, demonyms, online=online)):
            t["start"] += offset
            t["end"] += offset
            out.append(t)
        offset += len(part)
    return out


def _file_texts(path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(name, text) of the articles in a file, and (where, why) of its unusable JSON objects, read by
    the reader ``ingest`` uses (size, type and encoding checks: a FIFO or a 50 MB file is refused, not
    read). Plain text is taken whole, so that offsets point into the file's text; other formats go
    through :func:`geo.articles.read_articles`. Raises ArticleError for a file with no usable article."""
    from geo.articles import read_articles, read_text_file

    if path.suffix.lower() in (".txt", ".text", ""):
        return [(path.name, read_text_file(path))], []
    articles = read_articles(path)
    return [(a.article, a.text) for a in articles], [(e.path, e.reason) for e in getattr(articles, "errors", [])]


# A line of --jsonl input may hold one article of up to the size ingest accepts for a file.
_MAX_LINE_BYTES = 20_000_000


def _jsonl_lines(fh: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """(line number, bytes) of a binary stream, read line by line in bounded memory; None for a line
    over :data:`_MAX_LINE_BYTES` (its rest is skipped)."""
    lineno = 0
    while True:
        line = fh.readline(_MAX_LINE_BYTES + 1)
        if not line:
            return
        lineno += 1
        if len(line) > _MAX_LINE_BYTES and not line.endswith(b"\n"):
            while line and not line.endswith(b"\n"):
                line = fh.readline(1 << 20)
            yield lineno, None
            continue
        yield lineno, line


def _jsonl_text(raw: bytes | None) -> tuple[Any, str]:
    """(id, text) of one --jsonl line; raises ValueError saying what is wrong with it."""
    if raw is None:
        raise ValueError(f"line longer than {_MAX_LINE_BYTES:,} bytes")
    try:
        line = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"not UTF-8 (bad byte at offset {e.start})") from None
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"not JSON ({e.msg} at column {e.colno})") from None
    except RecursionError:
        raise ValueError("not usable JSON (nested too deeply)") from None
    if not isinstance(obj, dict):
        raise ValueError(f'not a {{"id", "text"}} object (a JSON {type(obj).__name__})')
    if "text" not in obj:
        raise ValueError('no "text" field')
    text = obj["text"]
    if not isinstance(text, str):
        kind = "null" if text is None else type(text).__name__
        raise ValueError(f'"text" is {kind}, not a string')
    return obj.get("id"), text


def run_geoparse_cli(args: argparse.Namespace) -> int:
    """``python -m geo geoparse FILE...`` and ``python -m geo geoparse --jsonl IN [-o OUT]``.

    Every file or line that cannot be geoparsed gets one line on standard error, and the others go
    on; the exit status is 1 when some input failed, 2 for bad arguments.
    """
    from geo.articles import ArticleError
    from geo.gazetteer import default_gazetteer

    if args.jsonl is None and not args.files:
        print("geoparse: give FILE... or --jsonl IN", file=sys.stderr)
        return 2
    status = 0
    if args.jsonl is not None:
        try:
            if Path(args.jsonl).is_dir():
                raise IsADirectoryError(21, "is a folder, not a file")
            # A pipe is fine here (``--jsonl /dev/stdin``): lines are read one by one.
            fin = open(args.jsonl, "rb")
        except OSError as exc:
            _say(f"cannot read {args.jsonl}: {exc.strerror or exc}")
            return 1
    gazetteer = default_gazetteer()
    demonyms = bool(getattr(args, "demonyms", False))
    online = None
    if getattr(args, "online", None):
        from geo.gazetteer import OnlineGeocoder

        online = OnlineGeocoder(args.online)
    try:
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    except OSError as exc:
        _say(f"cannot write {args.output}: {exc.strerror or exc}")
        return 1
    try:
        if args.jsonl is not None:
            with fin:
                for lineno, raw in _jsonl_lines(fin):
                    if raw is not None and not raw.strip():
                        continue
                    try:
                        ident, text = _jsonl_text(raw)
                        toponyms = _geoparse_long(text, gazetteer, demonyms, online)
                    except ValueError as exc:
                        _say(f"{args.jsonl}:{lineno}: skipped: {exc}")
                        status = 1
                        continue
                    except Exception as exc:  # one bad line must not stop the others
                        _say(f"{args.jsonl}:{lineno}: skipped: could not geoparse ({type(exc).__name__}: {exc})")
                        status = 1
                        continue
                    out.write(json.dumps({"id": ident, "toponyms": toponyms}, ensure_ascii=False) + "\n")
            return status
        results = []
        for path in args.files:
            try:
                texts, bad = _file_texts(Path(path))
                for where, why in bad:
                    _say(f"cannot read {where}: {why}")
                    status = 1
                for name, text in texts:
                    results.append({"file": name, "toponyms": _geoparse_long(text, gazetteer, demonyms, online)})
            except ArticleError as exc:
                _say(f"cannot read {path}: {exc.reason}")
                status = 1
            except Exception as exc:  # one unreadable file must not stop the others
                _say(f"cannot read {path}: {type(exc).__name__}: {exc}")
                status = 1
        if len(results) == 1 and len(args.files) == 1:
            out.write(json.dumps(results[0], ensure_ascii=False, indent=1) + "\n")
        else:
            for r in results:
                out.write(json.dumps(r, ensure_ascii=False) + "\n")
        return status
    finally:
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    sys.exit(main())
