"""Command-line interface: ``frontline`` (or ``python -m geo``) ``{ingest,export,geoparse,resolve}``.

Each subcommand only parses arguments and delegates to the stage module that owns the work.
"""
from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path

from geo import __version__

DEFAULT_DB = Path.home() / ".local" / "share" / "frontline" / "frontline.db"


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value!r}") from None


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
    p.add_argument("--profile", default="syria", help="conflict profile in data/profiles (default: syria)")
    p.add_argument("--engine", choices=["local", "dask"], default="local", help="where extraction runs")
    p.add_argument("--scheduler", help="Dask scheduler address (default: a LocalCluster)")
    p.add_argument("--workers", type=int, default=2, help="LocalCluster workers with --engine dask")
    p.add_argument("--quiet", action="store_true", help="no progress bar")

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
            from geo.geoparser import run_geoparse_cli

            return run_geoparse_cli(args)
        if args.command == "resolve":
            from geo.gazetteer import run_resolve_cli

            return run_resolve_cli(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
