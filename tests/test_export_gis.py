"""Exports as GIS tools and ACLED users take them as they are: GDAL's ogr2ogr (Debian's 3.6), time fields for
kepler.gl and QGIS, ACLED's 31 columns, a bbox-readable GeoParquet, file modes, no formula injection, and the
export command line's conveniences."""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pyogrio
import pytest

from geo.cli import main as cli_main
from geo.document import Article, Claim
from geo.export import ACLED_ONLY_COLUMNS, acled_frame, csv_bytes, neutralise_formula, to_geojson, write
from geo.store import Store

REPO = Path(__file__).resolve().parent.parent

HAMA = dict(place="Hama", place_id="gn:170017", lat=35.13179, lon=36.75783, province="SY-HM", province_name="Hama",
            country="SY")
IDLIB = dict(place="Idlib", place_id="gn:169389", lat=35.93062, lon=36.63393, province="SY-ID", province_name="Idlib",
             country="SY")


def _claim(art: Article, evidence: str, **fields) -> Claim:
    start = art.text.index(evidence)
    return Claim(article=art.article, evidence=evidence, evidence_start=start, evidence_end=start + len(evidence),
                 **fields)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("gis") / "claims.db"
    a = Article(article="desk.txt", source="Reuters", published=date(2024, 12, 5), url="https://example.org/desk",
                text="Opposition fighters took Hama from government forces on Thursday, a monitor said. "
                     "Earlier this week the army pulled back from Idlib.")
    b = Article(article="hostile.txt", source="=HYPERLINK(\"http://evil.example\",\"click\")",
                published=date(2024, 12, 6), title="+cmd|' /C calc'!A0",
                text="@SUM(1+1) Insurgents entered Idlib last month, residents said.")
    with Store(path) as store:
        store.add_article(a, [
            _claim(a, "Opposition fighters took Hama from government forces on Thursday", event_type="capture",
                   actor="rebels", claimant="monitor", event_date=date(2024, 12, 5), date_precision="day", **HAMA),
            _claim(a, "Earlier this week the army pulled back from Idlib", event_type="withdrawal", actor="government",
                   event_date=date(2024, 12, 2), date_precision="week", **IDLIB),
        ])
        store.add_article(b, [
            _claim(b, "@SUM(1+1) Insurgents entered Idlib last month", event_type="capture", actor="rebels",
                   claimant="-residents", event_date=date(2024, 11, 1), date_precision="month", **IDLIB),
        ])
    return path


@pytest.fixture(scope="module")
def frame(store_path: Path):
    with Store(store_path, readonly=True) as store:
        return store.claims_frame()


# --- GDAL ------------------------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("ogr2ogr") is None, reason="GDAL's ogr2ogr is not installed (.ci/run installs gdal-bin)")
@pytest.mark.parametrize("fmt, name, open_options", [
    ("geojson", "claims.geojson", []),
    ("gpkg", "claims.gpkg", []),
    ("csv", "claims.csv", ["-oo", "X_POSSIBLE_NAMES=longitude", "-oo", "Y_POSSIBLE_NAMES=latitude",
                           "-oo", "AUTODETECT_TYPE=YES", "-a_srs", "EPSG:4326"]),
])
@pytest.mark.parametrize("driver, ext", [("FlatGeobuf", "fgb"), ("GPKG", "gpkg"), ("CSV", "csv")])
def test_ogr2ogr_converts_every_export_without_a_warning(frame, tmp_path, fmt, name, open_options, driver, ext):
    src = tmp_path / name
    write(frame, fmt, src)
    dst = tmp_path / f"converted.{ext}"
    done = subprocess.run(["ogr2ogr", "-f", driver, str(dst), str(src), *open_options], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ""  # GDAL 3.6 warns at every open of a GeoPackage 1.4, for one
    info = subprocess.run(["ogrinfo", "-so", "-al", str(dst)], capture_output=True, text=True, timeout=120)
    assert "Feature Count: 3" in info.stdout
    assert "Warning" not in info.stderr


# --- time ------------------------------------------------------------------------------------------------


def test_time_fields_cover_what_the_date_precision_allows(frame) -> None:
    props = {f["properties"]["evidence"].split()[0]: f["properties"] for f in to_geojson(frame)["features"]}
    day = props["Opposition"]
    assert (day["event_start"], day["event_end"], day["event_datetime"]) == ("2024-12-05", "2024-12-05",
                                                                              "2024-12-05T00:00:00Z")
    week = props["Earlier"]  # the Monday-Sunday week, but no later than publication
    assert (week["event_start"], week["event_end"]) == ("2024-12-02", "2024-12-05")
    month = props["@SUM(1+1)"]
    assert (month["event_start"], month["event_end"], month["event_datetime"]) == ("2024-11-01", "2024-11-30",
                                                                                    "2024-11-01T00:00:00Z")


def test_a_claim_without_event_date_spans_the_week_before_publication(tmp_path) -> None:
    art = Article(article="x.txt", text="Rebels took Hama.", source="AFP", published=date(2024, 12, 9))
    c = _claim(art, "Rebels took Hama", event_type="capture", actor="rebels", published=date(2024, 12, 9), **HAMA)
    (feature,) = to_geojson([c])["features"]
    assert (feature["properties"]["event_start"], feature["properties"]["event_end"]) == ("2024-12-03", "2024-12-09")


def test_geopackage_and_parquet_type_the_time_fields(frame, tmp_path) -> None:
    import geopandas as gpd

    write(frame, "gpkg", tmp_path / "c.gpkg")
    info = pyogrio.read_info(tmp_path / "c.gpkg", layer="claims")
    types = dict(zip(info["fields"], info["ogr_types"]))
    assert types["event_start"] == types["event_end"] == "OFTDate" and types["event_datetime"] == "OFTDateTime"
    back = pyogrio.read_dataframe(tmp_path / "c.gpkg")
    assert str(back["event_datetime"].dt.tz) == "UTC"
    write(frame, "parquet", tmp_path / "pq")
    gdf = gpd.read_parquet(tmp_path / "pq", partitioning=None)
    assert str(gdf["event_datetime"].dtype).startswith("datetime64[ms, UTC]")


def test_geopackage_is_version_1_2(frame, tmp_path) -> None:
    import sqlite3

    write(frame, "gpkg", tmp_path / "c.gpkg")
    with sqlite3.connect(tmp_path / "c.gpkg") as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 10200


# --- GeoParquet ------------------------------------------------------------------------------------------


def test_geoparquet_reads_with_a_bbox_and_keeps_country_and_month_inside(frame, tmp_path) -> None:
    import duckdb
    import geopandas as gpd

    out = tmp_path / "pq"
    write(frame, "parquet", out)
    # Around Hama only (Idlib lies 90 km north).
    near_hama = gpd.read_parquet(out, partitioning=None, bbox=(36.6, 35.0, 36.9, 35.3))
    assert list(near_hama["place"]) == ["Hama"]
    assert (near_hama["country"].iloc[0], near_hama["month"].iloc[0]) == ("SY", "2024-12")
    months = duckdb.connect().execute(
        f"SELECT DISTINCT month FROM read_parquet('{out.as_posix()}/**/*.parquet') ORDER BY 1").fetchall()
    assert months == [("2024-11",), ("2024-12",)]
    one = out / "country=SY" / "month=2024-11" / "part-0.parquet"
    assert set(gpd.read_parquet(one)[["country", "month"]].itertuples(index=False, name=None)) == {("SY", "2024-11")}


# --- ACLED -----------------------------------------------------------------------------------------------


def test_acled_columns_come_first_in_acleds_order_and_name_the_loser(frame) -> None:
    table = acled_frame(frame)
    assert list(table.columns[:31]) == ACLED_ONLY_COLUMNS and len(ACLED_ONLY_COLUMNS) == 31
    took = table[table["notes"].str.startswith("Opposition fighters")].iloc[0]
    assert (took["actor1"], took["actor2"]) == ("Hayat Tahrir al-Sham", "Military Forces of Syria (2000-2024)")
    assert (took["inter1"], took["inter2"], took["interaction"]) == (2, 1, 12)
    assert (took["frontline_actor1"], took["frontline_actor2"]) == ("rebels", "government")
    assert (took["disorder_type"], took["source_scale"], took["region"]) == ("Political violence", "International",
                                                                            "Middle East")
    pulled = table[table["notes"].str.startswith("Earlier")].iloc[0]
    assert pd.isna(pulled["actor2"]) and (pulled["inter2"], pulled["interaction"]) == (0, 10)


def test_the_csv_concatenates_with_acled_data_and_keeps_dtypes(frame) -> None:
    ours = pd.read_csv(io.BytesIO(csv_bytes(frame)), dtype_backend="numpy_nullable")
    acled = pd.DataFrame({
        "event_id_cnty": ["SYR12345"], "event_date": ["2024-12-05"], "year": [2024], "time_precision": [1],
        "disorder_type": ["Political violence"], "event_type": ["Battles"], "sub_event_type": ["Armed clash"],
        "actor1": ["Hayat Tahrir al-Sham"], "assoc_actor_1": [""], "inter1": [2],
        "actor2": ["Military Forces of Syria (2000-2024)"], "assoc_actor_2": [""], "inter2": [1], "interaction": [12],
        "civilian_targeting": [""], "iso": [760], "region": ["Middle East"], "country": ["Syria"], "admin1": ["Hama"],
        "admin2": ["Hama"], "admin3": ["Hama"], "location": ["Hama"], "latitude": [35.1318], "longitude": [36.7578],
        "geo_precision": [1], "source": ["SOHR"], "source_scale": ["Other"], "notes": ["An ACLED row of our own."],
        "fatalities": [3], "tags": [""], "timestamp": [1733400000],
    }).convert_dtypes()
    both = pd.concat([acled, ours[ACLED_ONLY_COLUMNS]], ignore_index=True)
    for col in ("year", "time_precision", "inter1", "inter2", "interaction", "iso", "geo_precision", "fatalities",
                "timestamp"):
        assert pd.api.types.is_integer_dtype(both[col].dtype), (col, both[col].dtype)
    for col in ("latitude", "longitude"):
        assert pd.api.types.is_float_dtype(both[col].dtype)
    assert len(both) == 4 and both["iso"].tolist() == [760] * 4


# --- spreadsheet formula injection (issue 13, item 3) ---------------------------------------------------


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(frame, tmp_path) -> None:
    write(frame, "csv", tmp_path / "c.csv")
    rows = list(csv.DictReader((tmp_path / "c.csv").open(encoding="utf-8", newline="")))
    hostile = next(r for r in rows if "SUM" in r["notes"])
    assert hostile["source"] == "'=HYPERLINK(\"http://evil.example\",\"click\")"
    assert hostile["notes"].startswith("'@SUM(1+1)")
    assert hostile["title"] == "'+cmd|' /C calc'!A0"
    assert hostile["claimant"] == "'-residents" and hostile["frontline_actor1"] == "rebels"
    for row in rows:  # no text cell of the file starts with a formula trigger
        for value in row.values():
            assert not value.startswith(("=", "+", "@", "\t", "\r")), value
    assert neutralise_formula("\tx") == "'\tx" and neutralise_formula("\rx") == "'\rx"
    assert neutralise_formula(-3.5) == -3.5 and neutralise_formula("Hama") == "Hama"


def test_the_cli_csv_is_neutralised_too(store_path, capsysbinary) -> None:
    assert cli_main(["export", "--db", str(store_path), "--format", "csv"]) == 0
    text = capsysbinary.readouterr().out.decode("utf-8")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


# --- file modes --------------------------------------------------------------------------------------------


def test_exports_respect_the_umask(frame, tmp_path) -> None:
    old = os.umask(0o022)
    try:
        for fmt, name in (("geojson", "c.geojson"), ("csv", "c.csv"), ("gpkg", "c.gpkg")):
            write(frame, fmt, tmp_path / name)
            assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o644, name
        write(frame, "parquet", tmp_path / "pq")
        assert stat.S_IMODE((tmp_path / "pq").stat().st_mode) == 0o755
        for path in (tmp_path / "pq").rglob("*"):
            assert stat.S_IMODE(path.stat().st_mode) == (0o755 if path.is_dir() else 0o644), path
        os.umask(0o077)
        write(frame, "csv", tmp_path / "private.csv")
        assert stat.S_IMODE((tmp_path / "private.csv").stat().st_mode) == 0o600
    finally:
        os.umask(old)


# --- command line ------------------------------------------------------------------------------------------


def test_format_defaults_from_the_output_extension(store_path, tmp_path, capsys) -> None:
    assert cli_main(["export", "--db", str(store_path), "-o", str(tmp_path / "c.geojson")]) == 0
    assert len(json.loads((tmp_path / "c.geojson").read_text(encoding="utf-8"))["features"]) == 3
    assert cli_main(["export", "--db", str(store_path), "-o", str(tmp_path / "c.gpkg")]) == 0
    assert pyogrio.read_info(tmp_path / "c.gpkg", layer="claims")["features"] == 3
    assert cli_main(["export", "--db", str(store_path), "-o", str(tmp_path / "ds") + "/"]) == 0
    assert len(list((tmp_path / "ds").rglob("*.parquet"))) == 2
    assert cli_main(["export", "--db", str(store_path), "-o", str(tmp_path / "ds")]) == 0  # its own folder again
    assert cli_main(["export", "--db", str(store_path), "-o", str(tmp_path / "c.txt")]) == 2
    assert "--format" in capsys.readouterr().err
    assert not (tmp_path / "c.txt").exists()


def test_unknown_actor_and_event_type_warn(store_path, capsys) -> None:
    assert cli_main(["export", "--db", str(store_path), "--format", "csv", "--actor", "rebel",
                     "--event-type", "captured", "--actor", "x" * 5000]) == 0
    err = capsys.readouterr().err
    assert "warning: no actor 'rebel'" in err and "rebels" in err
    assert "warning: no event type 'captured'" in err and "capture" in err
    assert len(max(err.splitlines(), key=len)) < 1000


def test_version_and_program_name() -> None:
    done = subprocess.run([sys.executable, "-m", "geo", "--version"], cwd=REPO, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "python -m geo 0.1.0"
    script = Path(sys.executable).with_name("frontline")
    helped = subprocess.run([str(script), "export", "--help"], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert helped.returncode == 0 and helped.stdout.startswith("usage: frontline export")
