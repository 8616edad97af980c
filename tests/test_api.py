"""The Python API: claims as a GeoDataFrame in three lines, from a store or from raw text, written back out."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from geo import api
from geo.export import PROPERTIES

TEXT = ("Rebel fighters captured the city of Hama on Thursday, a war monitor said. "
        "Government forces withdrew from Hama overnight, the army said. "
        "The army sent reinforcements to Homs, the defence ministry said.")


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("api")
    (folder / "in").mkdir()
    (folder / "in" / "desk.txt").write_text(TEXT, encoding="utf-8")
    summary = api.ingest([folder / "in"], folder / "c.db", published=date(2024, 12, 5), source="Desk")
    assert summary.stored == 1
    return folder / "c.db"


def test_from_text_gives_a_geodataframe_of_claims() -> None:
    claims = api.from_text(TEXT, published="2024-12-05", source="Desk")
    assert claims.crs.to_epsg() == 4326 and set(PROPERTIES) <= set(claims.columns)
    rows = set(zip(claims["place_id"], claims["event_type"], claims["actor"]))
    assert {("gn:170017", "capture", "rebels"), ("gn:170017", "withdrawal", "government")} <= rows
    assert "gn:169577" in set(claims["place_id"])  # Homs, whatever the army's move there is coded as
    hama = claims[claims["event_type"] == "capture"].iloc[0]
    assert (round(hama.geometry.y, 1), round(hama.geometry.x, 1)) == (35.1, 36.8)
    assert hama["source"] == "Desk" and str(hama["event_date"]) == "2024-12-05"


def test_read_store_filters_like_the_cli(db: Path) -> None:
    everything = api.read_store(db)
    government = api.read_store(db, actor="government")
    assert len(government) < len(everything) and set(government["actor"]) == {"government"}
    assert len(api.read_store(db, since="2024-12-06")) == 0
    assert list(api.read_store(db, event_type=["capture"])["event_type"]) == ["capture"]


def test_to_file_writes_every_format(db: Path, tmp_path: Path) -> None:
    claims = api.read_store(db)
    for name in ("c.geojson", "c.csv", "c.gpkg", "c.parquet"):
        api.to_file(claims, tmp_path / name)
    assert len(json.loads((tmp_path / "c.geojson").read_text(encoding="utf-8"))["features"]) == len(claims)
    assert (tmp_path / "c.csv").read_text(encoding="utf-8").count("\n") == len(claims) + 1
    from_text = api.from_text(TEXT, published="2024-12-05")
    api.to_file(from_text, tmp_path / "t.csv")
    assert "Hayat Tahrir al-Sham" in (tmp_path / "t.csv").read_text(encoding="utf-8")
