"""Exports as GIS tools and analysts see them: RFC 7946 GeoJSON read back by GDAL with typed fields, an
ACLED-like CSV, a GeoPackage layer, a partitioned GeoParquet folder that dask-geopandas and DuckDB read,
and the export command line (filters, empty store, missing store, atomic output)."""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import jsonschema
import pyogrio
import pytest

from geo.cli import main as cli_main
from geo.document import Article, Claim
from geo.export import ACLED_COLUMNS, PROPERTIES, ExportError, to_geojson, write
from geo.store import Filters, Store

REPO = Path(__file__).resolve().parent.parent

# RFC 7946 as a JSON Schema: a FeatureCollection of Features whose geometries are GeoJSON geometry
# objects with [longitude, latitude(, altitude)] positions, no "crs" member (removed by RFC 7946 §4).
_POSITION = {"type": "array", "minItems": 2, "maxItems": 3, "items": {"type": "number"},
             "prefixItems": [{"type": "number", "minimum": -180, "maximum": 180},
                             {"type": "number", "minimum": -90, "maximum": 90}]}
_BBOX = {"type": "array", "minItems": 4, "items": {"type": "number"}}
_NO_CRS = {"not": {"required": ["crs"]}}


def _geometry(kind: str, coordinates: dict) -> dict:
    return {"type": "object", "required": ["type", "coordinates"], "allOf": [_NO_CRS],
            "properties": {"type": {"const": kind}, "coordinates": coordinates, "bbox": _BBOX}}


_LINE = {"type": "array", "minItems": 2, "items": _POSITION}
_RING = {"type": "array", "minItems": 4, "items": _POSITION}
_POLYGON = {"type": "array", "items": _RING}
GEOJSON_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$defs": {
        "geometry": {"oneOf": [
            _geometry("Point", _POSITION),
            _geometry("MultiPoint", {"type": "array", "items": _POSITION}),
            _geometry("LineString", _LINE),
            _geometry("MultiLineString", {"type": "array", "items": _LINE}),
            _geometry("Polygon", _POLYGON),
            _geometry("MultiPolygon", {"type": "array", "items": _POLYGON}),
            {"type": "object", "required": ["type", "geometries"], "allOf": [_NO_CRS],
             "properties": {"type": {"const": "GeometryCollection"},
                            "geometries": {"type": "array", "items": {"$ref": "#/$defs/geometry"}}}},
        ]},
        "feature": {
            "type": "object", "required": ["type", "geometry", "properties"], "allOf": [_NO_CRS],
            "properties": {
                "type": {"const": "Feature"},
                "id": {"type": ["string", "number"]},
                "geometry": {"oneOf": [{"type": "null"}, {"$ref": "#/$defs/geometry"}]},
                "properties": {"type": ["object", "null"]},
                "bbox": _BBOX,
            },
        },
    },
    "type": "object", "required": ["type", "features"], "allOf": [_NO_CRS],
    "properties": {"type": {"const": "FeatureCollection"}, "features": {"type": "array", "items": {"$ref": "#/$defs/feature"}},
                   "bbox": _BBOX},
}


def assert_rfc7946(fc: dict) -> None:
    jsonschema.Draft202012Validator.check_schema(GEOJSON_SCHEMA)
    errors = sorted(jsonschema.Draft202012Validator(GEOJSON_SCHEMA).iter_errors(fc), key=str)
    assert not errors, [e.message for e in errors[:5]]
    for feature in fc["features"]:
        for value in feature["geometry"]["coordinates"]:
            assert value == round(value, 7), value


def test_the_schema_catches_what_rfc_7946_forbids() -> None:
    good = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [36.3, 33.5]}, "properties": {}}]}
    assert_rfc7946(good)
    bad = [
        {**good, "crs": {"type": "name", "properties": {"name": "EPSG:4326"}}},
        {"type": "FeatureCollection", "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [33.5, 236.3]}, "properties": {}}]},
        {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "Point"}}]},
    ]
    for fc in bad:
        with pytest.raises(AssertionError):
            assert_rfc7946(fc)


# ---------------------------------------------------------------------------------------------
# A store of our own


def _claim(art: Article, evidence: str, **fields) -> Claim:
    start = art.text.index(evidence)
    base = dict(article=art.article, evidence=evidence, evidence_start=start, evidence_end=start + len(evidence),
                country="SY")
    base.update(fields)
    return Claim(**base)


HOMS = dict(place="Homs", place_id="gn:169577", lat=34.72682, lon=36.72339, province="SY-HI",
            province_name="Homs")
DAMASCUS = dict(place="Damascus", place_id="gn:170654", lat=33.5102, lon=36.29128, province="SY-DI",
                province_name="Damascus")
DARAA = dict(place="Daraa Governorate", place_id="gn:170792", lat=32.75, lon=36.2333333333, province="SY-DR",
             province_name="Daraa", geo_precision="admin1")


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("export") / "claims.db"
    a = Article(article="monitor.txt", source="Reuters", published=date(2024, 12, 7), credited=["Reuters"],
                title="Rebels near the capital <b>bold</b>", url="https://example.org/a?x=1&y=2",
                text="Rebels were within 20 kilometres of Damascus on Saturday, a war monitor said. "
                     "Government troops lost control of Daraa province on Friday.")
    b = Article(article="tv.txt", source="SANA", published=date(2024, 12, 7),
                text="State TV said insurgents had not entered Homs, calling the reports «lies».")
    c = Article(article="local.txt", source="Enab Baladi",
                text="Insurgents entered Homs’ northern districts, residents said.")
    with Store(path) as store:
        store.add_article(a, [
            _claim(a, "Rebels were within 20 kilometres of Damascus", event_type="advance", actor="rebels",
                   claimant="war monitor", event_date=date(2024, 12, 7), date_precision="day", distance_km=20,
                   geo_precision="near", **DAMASCUS),
            _claim(a, "Government troops lost control of Daraa province", event_type="withdrawal",
                   actor="government", event_date=date(2024, 12, 6), date_precision="day", **DARAA),
        ])
        store.add_article(b, [_claim(b, "insurgents had not entered Homs", event_type="denial", actor="government",
                                     claimant="State TV", event_date=date(2024, 12, 7), date_precision="week",
                                     **HOMS)])
        store.add_article(c, [_claim(c, "Insurgents entered Homs’ northern districts", event_type="capture",
                                     actor="rebels", claimant="residents", **HOMS)])
    return path


@pytest.fixture(scope="module")
def frame(store_path: Path):
    with Store(store_path, readonly=True) as store:
        return store.claims_frame()


def run_cli(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "geo", "export", *argv], cwd=REPO, capture_output=True,
                          timeout=300)


def features_by_evidence(fc: dict) -> dict[str, dict]:
    return {f["properties"]["evidence"]: f for f in fc["features"]}


def test_dash_as_output_means_standard_output(store_path: Path, tmp_path: Path) -> None:
    # Run from an empty folder (where a file named "-" would show), with the project on the path.
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    done = subprocess.run([sys.executable, "-m", "geo", "export", "--db", str(store_path), "--format", "geojson",
                           "-o", "-"], cwd=tmp_path, env=env, capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["features"]) == 4
    assert not (tmp_path / "-").exists()


# ---------------------------------------------------------------------------------------------
# GeoJSON


def test_geojson_through_the_cli_is_valid_rfc_7946_with_every_property(store_path: Path, tmp_path: Path) -> None:
    out = tmp_path / "claims.geojson"
    done = run_cli("--db", str(store_path), "--format", "geojson", "-o", str(out))
    assert done.returncode == 0, done.stderr
    fc = json.loads(out.read_text(encoding="utf-8"))
    assert_rfc7946(fc)
    assert len(fc["features"]) == 4
    for f in fc["features"]:
        assert list(f["properties"]) == PROPERTIES
        assert f["id"] == f["properties"]["id"]
    ring = features_by_evidence(fc)["Rebels were within 20 kilometres of Damascus"]
    # The centre point of the place, the distance as a property.
    assert ring["geometry"] == {"type": "Point", "coordinates": [36.29128, 33.5102]}
    p = ring["properties"]
    assert p["distance_km"] == 20.0 and isinstance(p["distance_km"], float)
    assert (p["event_date"], p["published"], p["date_precision"]) == ("2024-12-07", "2024-12-07", "day")
    assert (p["province"], p["province_name"], p["country"], p["geo_precision"]) == ("SY-DI", "Damascus", "SY",
                                                                                      "near")
    assert p["title"] == "Rebels near the capital <b>bold</b>" and p["url"] == "https://example.org/a?x=1&y=2"
    assert p["corroboration"] == 1 and p["contested"] is False
    daraa = features_by_evidence(fc)["Government troops lost control of Daraa province"]
    assert daraa["geometry"]["coordinates"] == [36.2333333, 32.75]  # 7 decimals
    local = features_by_evidence(fc)["Insurgents entered Homs’ northern districts"]["properties"]
    assert local["event_date"] is None and local["published"] is None and local["contested"] is True
    # Text stays UTF-8, not \u-escaped.
    assert "Homs’ northern" in out.read_text(encoding="utf-8")


def test_gdal_reads_the_geojson_fields_with_their_types(store_path: Path, tmp_path: Path, frame) -> None:
    out = tmp_path / "claims.geojson"
    write(frame, "geojson", out)
    info = pyogrio.read_info(out)
    types = dict(zip(info["fields"], info["ogr_types"]))
    subtypes = dict(zip(info["fields"], info["ogr_subtypes"]))
    assert info["crs"] == "EPSG:4326" and info["geometry_type"] == "Point" and info["features"] == 4
    for name in ("id", "article", "place", "place_id", "province", "province_name", "country", "event_type",
                 "actor", "claimant", "evidence", "source", "date_precision", "geo_precision", "title", "url"):
        assert types[name] == "OFTString", name
    assert types["published"] == types["event_date"] == "OFTDate"
    assert types["contested"] == "OFTInteger" and subtypes["contested"] == "OFSTBoolean"
    for name in ("evidence_start", "evidence_end", "corroboration"):
        assert types[name] == "OFTInteger", name
    assert types["distance_km"] == "OFTReal"
    back = pyogrio.read_dataframe(out)
    assert str(back["event_date"].dtype).startswith("datetime64")
    assert back["contested"].dtype == bool
    assert sorted(back["contested"].tolist()) == [False, False, True, True]


def test_to_geojson_takes_claim_objects_too(store_path: Path) -> None:
    with Store(store_path, readonly=True) as store:
        claims = store.claims(Filters(event_types=("denial",)))
    fc = to_geojson(claims)
    assert_rfc7946(fc)
    (f,) = fc["features"]
    assert f["properties"]["event_type"] == "denial" and f["properties"]["claimant"] == "State TV"
    assert f["properties"]["date_precision"] == "week" and f["properties"]["contested"] is True


def test_cli_filters_select_the_claims(store_path: Path) -> None:
    def evidence(*argv: str) -> set[str]:
        done = run_cli("--db", str(store_path), "--format", "geojson", *argv)
        assert done.returncode == 0, done.stderr
        fc = json.loads(done.stdout)
        assert_rfc7946(fc)
        return {f["properties"]["evidence"] for f in fc["features"]}

    assert evidence("--province", "homs", "--contested") == {"insurgents had not entered Homs",
                                                             "Insurgents entered Homs’ northern districts"}
    assert evidence("--source", "reuters", "--since", "2024-12-07") == {
        "Rebels were within 20 kilometres of Damascus"}
    assert evidence("--event-type", "withdrawal", "--event-type", "advance", "--actor", "government") == {
        "Government troops lost control of Daraa province"}


def test_cli_filters_in_process(store_path: Path, capsysbinary) -> None:
    def evidence(*argv: str) -> set[str]:
        assert cli_main(["export", "--db", str(store_path), "--format", "geojson", *argv]) == 0
        fc = json.loads(capsysbinary.readouterr().out)
        return {f["properties"]["evidence"] for f in fc["features"]}

    assert evidence("--until", "2024-12-06") == {"Government troops lost control of Daraa province"}
    assert evidence("--province", "SY-DR", "--province", "SY-DI") == {
        "Rebels were within 20 kilometres of Damascus", "Government troops lost control of Daraa province"}
    assert evidence("--source", "SANA", "--actor", "rebels") == set()


def test_an_unknown_province_name_warns_and_matches_nothing(store_path: Path) -> None:
    done = run_cli("--db", str(store_path), "--format", "geojson", "--province", "Atlantis")
    assert done.returncode == 0
    assert json.loads(done.stdout) == {"type": "FeatureCollection", "features": []}
    assert b"no province matches 'Atlantis'" in done.stderr


# ---------------------------------------------------------------------------------------------
# CSV


def test_csv_has_acled_columns_and_codes(frame, tmp_path: Path) -> None:
    out = tmp_path / "claims.csv"
    write(frame, "csv", out)
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    with out.open(encoding="utf-8") as fh:
        assert next(csv.reader(fh)) == ACLED_COLUMNS
    by_notes = {r["notes"]: r for r in rows}
    near = by_notes["Rebels were within 20 kilometres of Damascus"]
    assert near["event_date"] == "2024-12-07" and near["year"] == "2024" and near["time_precision"] == "1"
    assert (near["country"], near["iso"], near["admin1"], near["location"]) == ("Syria", "760", "Damascus",
                                                                                "Damascus")
    assert (near["latitude"], near["longitude"], near["geo_precision"]) == ("33.5102", "36.29128", "2")
    assert (near["event_type"], near["sub_event_type"]) == ("Strategic developments", "Other")
    assert (near["frontline_event_type"], near["frontline_actor1"], near["source"]) == ("advance", "rebels", "Reuters")
    assert (near["actor1"], near["inter1"], near["disorder_type"], near["region"]) == (
        "Hayat Tahrir al-Sham", "2", "Strategic developments", "Middle East")
    assert (near["claimant"], near["contested"], near["corroboration"], near["distance_km"]) == (
        "war monitor", "False", "1", "20.0")
    assert near["event_id_cnty"].startswith("SYR-") and near["article"] == "monitor.txt"
    daraa = by_notes["Government troops lost control of Daraa province"]
    assert (daraa["geo_precision"], daraa["sub_event_type"]) == ("3", "Non-violent transfer of territory")
    denial = by_notes["insurgents had not entered Homs"]
    assert denial["time_precision"] == "2" and denial["contested"] == "True"
    # No date at all: no ACLED date either.
    capture = by_notes["Insurgents entered Homs’ northern districts"]
    assert capture["event_date"] == "" and capture["time_precision"] == ""
    assert capture["sub_event_type"] == "Non-state actor overtakes territory"


def test_every_format_takes_a_frame_the_caller_filtered(frame, tmp_path: Path) -> None:
    import dask_geopandas

    picked = frame[frame["event_type"].isin(["denial", "withdrawal"])].iloc[::-1]
    assert list(picked.index) != list(range(len(picked)))
    write(picked, "csv", tmp_path / "f.csv")
    rows = list(csv.DictReader((tmp_path / "f.csv").open(encoding="utf-8")))
    assert [(r["frontline_event_type"], r["event_date"], r["year"]) for r in rows] == [
        ("denial", "2024-12-07", "2024"), ("withdrawal", "2024-12-06", "2024")]
    fc = to_geojson(picked)
    assert [f["properties"]["event_date"] for f in fc["features"]] == ["2024-12-07", "2024-12-06"]
    write(picked, "gpkg", tmp_path / "f.gpkg")
    back = pyogrio.read_dataframe(tmp_path / "f.gpkg")
    assert [(e, d.date()) for e, d in zip(back["event_type"], back["event_date"])] == [
        ("denial", date(2024, 12, 7)), ("withdrawal", date(2024, 12, 6))]
    write(picked, "parquet", tmp_path / "f_pq")
    assert sorted(dask_geopandas.read_parquet(tmp_path / "f_pq").compute()["event_type"]) == ["denial", "withdrawal"]


def test_csv_dates_fall_back_to_publication_with_week_precision(tmp_path: Path) -> None:
    art = Article(article="x.txt", text="Government forces recaptured Hama.", source="SANA",
                  published=date(2024, 12, 9))
    c = _claim(art, "Government forces recaptured Hama", event_type="capture", actor="government", place="Hama",
               place_id="gn:170017", lat=35.13, lon=36.76, source="SANA", published=date(2024, 12, 9))
    out = tmp_path / "x.csv"
    write([c], "csv", out)
    (row,) = list(csv.DictReader(out.open(encoding="utf-8")))
    assert (row["event_date"], row["time_precision"]) == ("2024-12-09", "2")
    assert row["sub_event_type"] == "Government regains territory"


# ---------------------------------------------------------------------------------------------
# GeoPackage and GeoParquet


def test_geopackage_layer_reads_back_with_date_fields(frame, tmp_path: Path) -> None:
    out = tmp_path / "claims.gpkg"
    assert cli_main(["export", "--db", "unused", "--format", "gpkg", "-o", str(out)]) == 2  # no such store
    write(frame, "gpkg", out)
    assert pyogrio.list_layers(out).tolist() == [["claims", "Point"]]
    info = pyogrio.read_info(out, layer="claims")
    types = dict(zip(info["fields"], info["ogr_types"]))
    assert types["event_date"] == types["published"] == "OFTDate"
    assert types["distance_km"] == "OFTReal" and types["evidence"] == "OFTString"
    assert types["contested"] == "OFTInteger" and types["corroboration"].startswith("OFTInteger")
    assert info["features"] == 4 and info["crs"] == "EPSG:4326"
    back = pyogrio.read_dataframe(out, layer="claims")
    near = back[back["distance_km"] == 20.0].iloc[0]
    assert near["place"] == "Damascus" and near["event_date"].date() == date(2024, 12, 7)
    assert (round(near.geometry.x, 5), round(near.geometry.y, 4)) == (36.29128, 33.5102)
    assert set(back["id"]) == set(frame["id"])


def test_parquet_folder_is_read_by_dask_geopandas_and_duckdb(frame, tmp_path: Path) -> None:
    import dask_geopandas
    import duckdb

    out = tmp_path / "claims_parquet"
    write(frame, "parquet", out)
    parts = sorted(str(p.relative_to(out)) for p in out.rglob("*.parquet"))
    # The claim with no date at all sits beside the month partitions, not in a month named "undated".
    assert parts == ["_undated/part-0.parquet", "country=SY/month=2024-12/part-0.parquet"]

    gdf = dask_geopandas.read_parquet(out).compute()
    assert len(gdf) == 4 and gdf.crs.to_epsg() == 4326
    assert sorted(str(m) for m in gdf["month"].astype(object).where(gdf["month"].notna(), "none")) == [
        "2024-12", "2024-12", "2024-12", "none"]
    assert set(gdf["id"]) == set(frame["id"])
    assert {str(v) for v in gdf["country"]} == {"SY"}
    near = gdf[gdf["distance_km"] == 20.0].iloc[0]
    assert near.geometry.geom_type == "Point" and round(near.geometry.x, 5) == 36.29128
    assert str(gdf["event_date"].dtype).startswith("date32")

    con = duckdb.connect()
    # country and month are inside the files: every file reads without the folder names.
    rows = con.execute(
        "SELECT evidence, country, month, event_date, contested, corroboration, distance_km "
        f"FROM read_parquet('{out.as_posix()}/**/*.parquet') ORDER BY evidence").fetchall()
    assert len(rows) == 4
    by_evidence = {r[0]: r[1:] for r in rows}
    assert by_evidence["Rebels were within 20 kilometres of Damascus"] == ("SY", "2024-12", date(2024, 12, 7),
                                                                           False, 1, 20.0)
    assert by_evidence["Insurgents entered Homs’ northern districts"][:3] == ("SY", None, None)
    described = con.execute(
        f"DESCRIBE SELECT * FROM read_parquet('{out.as_posix()}/**/*.parquet')").fetchall()
    types = {row[0]: row[1] for row in described}
    assert types["event_date"] == "DATE" and types["contested"] == "BOOLEAN"
    assert types["corroboration"] == "BIGINT" and types["evidence"] == "VARCHAR"


def test_parquet_export_replaces_its_own_folder_but_not_a_foreign_one(frame, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    write(frame, "parquet", out)
    write(frame.iloc[:1], "parquet", out)
    assert len(list(out.rglob("*.parquet"))) == 1
    foreign = tmp_path / "photos"
    foreign.mkdir()
    (foreign / "holiday.jpg").write_bytes(b"\xff\xd8")
    with pytest.raises(ExportError, match="not a Frontline export"):
        write(frame, "parquet", foreign)
    assert (foreign / "holiday.jpg").exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


# ---------------------------------------------------------------------------------------------
# Empty and missing stores, atomic output


def test_an_empty_store_exports_valid_empty_files(tmp_path: Path) -> None:
    db = tmp_path / "empty.db"
    Store(db).close()
    done = run_cli("--db", str(db), "--format", "geojson")
    assert done.returncode == 0, done.stderr
    fc = json.loads(done.stdout)
    assert fc == {"type": "FeatureCollection", "features": []}
    assert_rfc7946(fc)

    assert cli_main(["export", "--db", str(db), "--format", "csv", "-o", str(tmp_path / "e.csv")]) == 0
    assert (tmp_path / "e.csv").read_text(encoding="utf-8").strip() == ",".join(ACLED_COLUMNS)

    assert cli_main(["export", "--db", str(db), "--format", "gpkg", "-o", str(tmp_path / "e.gpkg")]) == 0
    info = pyogrio.read_info(tmp_path / "e.gpkg", layer="claims")
    assert info["features"] == 0 and dict(zip(info["fields"], info["ogr_types"]))["event_date"] == "OFTDate"

    assert cli_main(["export", "--db", str(db), "--format", "parquet", "-o", str(tmp_path / "e_pq")]) == 0
    import dask_geopandas
    import duckdb

    assert len(dask_geopandas.read_parquet(tmp_path / "e_pq").compute()) == 0
    assert duckdb.connect().execute(f"SELECT count(*) FROM read_parquet('{(tmp_path / 'e_pq').as_posix()}/**/*.parquet')"
                                    ).fetchone() == (0,)


def test_a_missing_store_is_one_clear_error_and_no_new_file(tmp_path: Path) -> None:
    db = tmp_path / "nowhere" / "missing.db"
    done = run_cli("--db", str(db), "--format", "geojson")
    assert done.returncode == 2
    assert done.stdout == b""
    lines = done.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and "no Frontline store" in lines[0] and str(db) in lines[0]
    assert not db.exists() and not db.parent.exists()


def test_formats_that_need_a_path_say_so(store_path: Path, capsys) -> None:
    assert cli_main(["export", "--db", str(store_path), "--format", "parquet"]) == 2
    assert "-o" in capsys.readouterr().err


def test_output_replaces_the_old_file_atomically(frame, tmp_path: Path) -> None:
    out = tmp_path / "claims.geojson"
    out.write_text("old contents")
    write(frame, "geojson", out)
    assert len(json.loads(out.read_text(encoding="utf-8"))["features"]) == 4
    write(frame, "csv", tmp_path / "claims.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["claims.csv", "claims.geojson"]
