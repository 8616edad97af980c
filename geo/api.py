"""Frontline's Python API: claims as a GeoDataFrame, from a store or straight from text, files or URLs.

::

    from geo import api
    claims = api.read_store("claims.db", actor="rebels", since="2024-12-01")
    claims.plot()

    claims = api.from_text("Rebels seized Hama on Thursday, a war monitor said.", published="2024-12-06")

Every function returns a ``geopandas.GeoDataFrame`` with one Point per claim in EPSG:4326 and the columns
of the exports (``geo.export.PROPERTIES``: place, event_type, actor, claimant, evidence, source, event_date,
event_start, event_end, event_datetime, contested, corroboration, geo_precision, distance_km, ...), typed as
in the GeoPackage and GeoParquet exports. ``from_*`` functions extract without storing anything; claims
extracted that way carry no ``id`` and are ``contested`` only by what the store would know, so False.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from geo.document import Article, Claim

if TYPE_CHECKING:
    import geopandas

__all__ = ["read_store", "from_text", "from_file", "from_url", "ingest", "to_file"]


def _day(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _values(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def read_store(db: str | Path, *, province: str | Iterable[str] | None = None,
               source: str | Iterable[str] | None = None, since: date | str | None = None,
               until: date | str | None = None, event_type: str | Iterable[str] | None = None,
               actor: str | Iterable[str] | None = None, contested: bool = False) -> geopandas.GeoDataFrame:
    """The stored claims that match the filters (as ``python -m geo export`` takes them)."""
    from geo.export import gis_frame
    from geo.store import Filters, Store

    filters = Filters(provinces=_values(province), sources=_values(source), since=_day(since), until=_day(until),
                      event_types=_values(event_type), actors=_values(actor), contested_only=contested)
    with Store(db, readonly=True) as store:
        return gis_frame(store.claims_frame(filters))


def _frame(claims: list[Claim]) -> geopandas.GeoDataFrame:
    from geo.export import gis_frame
    from geo.store import frame_from_claims

    return gis_frame(frame_from_claims(claims))


def _claims(articles: Iterable[Article], profile: str) -> list[Claim]:
    from geo.pipeline import process

    found: list[Claim] = []
    for article in articles:
        for claim in process(article, profile).claims:
            # A claim carries its article's provenance, as a stored one does.
            claim.source = claim.source or article.source
            claim.published = claim.published or article.published
            claim.title = claim.title or article.title
            claim.url = claim.url or article.url
            found.append(claim)
    return found


def from_text(text: str, *, published: date | str | None = None, source: str | None = None,
              title: str | None = None, url: str | None = None, name: str = "text",
              profile: str = "syria") -> geopandas.GeoDataFrame:
    """The claims of one article given as text (metadata the text reveals is inferred where not given)."""
    from geo.articles import infer_metadata

    article = infer_metadata(Article(article=name, text=text, title=title, source=source,
                                     published=_day(published), url=url))
    return _frame(_claims([article], profile))


def from_file(path: str | Path, *, published: date | str | None = None, source: str | None = None,
              profile: str = "syria") -> geopandas.GeoDataFrame:
    """The claims of the articles in one file (.txt .md .html .json .pdf), read as ``ingest`` reads it."""
    from geo.articles import read_articles

    return _frame(_claims(read_articles(path, source=source, published=_day(published)), profile))


def from_url(url: str, *, published: date | str | None = None, source: str | None = None,
             profile: str = "syria", timeout: float = 20.0) -> geopandas.GeoDataFrame:
    """The claims of the article at a URL (a web page or a PDF report)."""
    from geo.articles import read_url

    return _frame(_claims(read_url(url, source=source, published=_day(published), timeout=timeout), profile))


def ingest(paths: Iterable[str | Path], db: str | Path, **options):
    """Store the articles of files and folders (``geo.pipeline.ingest_paths``); returns its summary."""
    from geo.pipeline import ingest_paths

    return ingest_paths(paths, db, **options)


def to_file(claims: geopandas.GeoDataFrame, path: str | Path, fmt: str | None = None) -> None:
    """Write claims as the exports do; the format follows the extension unless ``fmt`` is given."""
    from geo.export import ExportError, format_from_path, write

    fmt = fmt or format_from_path(path)
    if fmt is None:
        raise ExportError(f"cannot tell the format from {path}; pass fmt= (geojson, csv, gpkg, parquet)")
    write(claims, fmt, Path(path))
