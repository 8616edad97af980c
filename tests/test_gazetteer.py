"""The gazetteer as its users meet it: names in, the right point on the map out."""
from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

import geo.gazetteer as gz
from geo.document import Place
from geo.gazetteer import Gazetteer, default_gazetteer
from geo.normalize import name_key

ROOT = Path(__file__).resolve().parents[1]

# The analyst's coding of the seed places (shared/seeds/gold.json): lat, lon, radius_km.
GOLD = {
    "damascus": (33.5102, 36.2913, 20),
    "rif_dimashq": (33.55, 36.45, 70),
    "daraa": (32.6189, 36.1021, 45),
    "sweida": (32.709, 36.5695, 45),
    "quneitra": (33.126, 35.8246, 35),
    "deir_ezzor": (35.3359, 40.1408, 80),
    "al_qaim": (34.3925, 40.9895, 15),
    "aleppo": (36.2012, 37.1612, 25),
    "hama": (35.1318, 36.7578, 25),
    "homs": (34.7241, 36.7256, 25),
    "saasaa": (33.282, 36.0195, 10),
    "qusayr": (34.5078, 36.5803, 15),
    "golan": (33.0, 35.75, 40),
    "sw_syria": (32.9, 36.15, 90),
}

# Spellings the seed articles use, and others the press and GeoNames use for the same places.
SPELLINGS = [
    ("Al-Qaim", "al_qaim"), ("al-Qaem", "al_qaim"), ("Al Qa'im", "al_qaim"), ("Al-Kaim", "al_qaim"),
    ("Quneitra", "quneitra"), ("Al Qunaytirah", "quneitra"), ("Kuneitra", "quneitra"),
    ("Sweida", "sweida"), ("Suwayda", "sweida"), ("As-Suwayda", "sweida"), ("Soueida", "sweida"),
    ("Deir Ezzor", "deir_ezzor"), ("Deir ez-Zor", "deir_ezzor"), ("Dayr az Zawr", "deir_ezzor"),
    ("Deir el-Zor", "deir_ezzor"),
    ("Saasaa", "saasaa"), ("Sa'sa'", "saasaa"), ("Sa‘sa‘", "saasaa"),
    ("Daraa", "daraa"), ("Deraa", "daraa"), ("Dar'a", "daraa"), ("Dar‘ā", "daraa"),
    ("Homs", "homs"), ("Hims", "homs"),
    ("Hama", "hama"), ("Hamah", "hama"), ("Ḩamāh", "hama"),
    ("Aleppo", "aleppo"), ("Halab", "aleppo"),
    ("Damascus", "damascus"),
    ("Damascus countryside", "rif_dimashq"), ("Rif Dimashq", "rif_dimashq"), ("Rural Damascus", "rif_dimashq"),
    ("Qusayr", "qusayr"), ("Al-Qusayr", "qusayr"), ("Al Qusair", "qusayr"),
    ("Golan Heights", "golan"), ("the Golan", "golan"),
    ("southwestern Syria", "sw_syria"), ("south-western Syria", "sw_syria"),
]


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(a))


@pytest.fixture(scope="session")
def gaz() -> Gazetteer:
    return default_gazetteer()


def within(place: Place, gold: str) -> float:
    lat, lon, radius = GOLD[gold]
    d = km(place.lat, place.lon, lat, lon)
    assert d <= radius, f"{place.name} ({place.place_id}) is {d:.0f} km from {gold}, radius {radius}"
    return d


@pytest.mark.parametrize(("spelling", "gold"), SPELLINGS, ids=[s for s, _ in SPELLINGS])
def test_every_seed_spelling_resolves_within_the_gold_radius(gaz: Gazetteer, spelling: str, gold: str) -> None:
    top = gaz.resolve(spelling, country="SY")[0]
    within(top, gold)
    assert 0.0 < top.score <= 1.0 and top.reasons


@pytest.mark.parametrize(
    "spelling", ["Aleppo", "Homs", "Hama", "Damascus", "Daraa", "Deir ez-Zor", "Al-Qaim", "Golan Heights"]
)
def test_well_known_names_need_no_country_hint(gaz: Gazetteer, spelling: str) -> None:
    gold = dict(SPELLINGS)[spelling]
    within(gaz.resolve(spelling)[0], gold)


def test_al_qaim_is_in_iraq_even_when_syria_is_the_focus(gaz: Gazetteer) -> None:
    top = gaz.resolve("al-Qaem", country="SY")[0]
    assert (top.country, top.province, top.place_id) == ("IQ", "IQ-AN", "gn:92138")


def test_a_cue_picks_the_province_and_its_absence_the_city(gaz: Gazetteer) -> None:
    province = gaz.resolve("Daraa", country="SY", cue="province")[0]
    assert (province.scale, province.province) == ("admin1", "SY-DR")
    assert any("cue" in r for r in province.reasons)
    assert gaz.resolve("Aleppo")[0].scale == "point"
    named = gaz.resolve("Aleppo province")[0]
    assert (named.scale, named.province) == ("admin1", "SY-HL")
    assert gaz.resolve("Idlib Governorate")[0].province == "SY-ID"
    assert gaz.resolve("Hama", country="SY", cue="city")[0].scale == "point"


def test_a_province_ranks_by_the_people_living_in_it_not_its_biggest_town(gaz: Gazetteer) -> None:
    # Oklahoma, Pennsylvania (a hamlet) and Oklahoma City (which carries "Oklahoma" among its names)
    # both lose to the state; Wyoming, Michigan (75,000 people) to the state of half a million.
    for name, iso in (("Oklahoma", "US-OK"), ("Wyoming", "US-WY"), ("Queensland", "AU-QLD")):
        top = gaz.resolve(name)[0]
        assert (top.scale, top.province) == ("admin1", iso), name
    # A unit named after the town inside it is still the town without a cue.
    for name in ("Homs", "Hama", "Idlib"):
        assert gaz.resolve(name)[0].scale == "point", name
    assert gaz.resolve("Hama", cue="province")[0].scale == "admin1"


def test_country_hint_changes_which_namesake_wins(gaz: Gazetteer) -> None:
    assert gaz.resolve("Paris")[0].country == "FR"
    assert gaz.resolve("Paris", country="US")[0].country == "US"
    assert gaz.resolve("Damascus", country="US")[0].country == "US"
    assert gaz.resolve("Damascus")[0].country == "SY"


def test_candidates_are_ranked_and_limited(gaz: Gazetteer) -> None:
    cands = gaz.resolve("Paris", limit=4)
    assert len(cands) == 4
    assert [c.score for c in cands] == sorted((c.score for c in cands), reverse=True)
    assert gaz.resolve("Xqzzyville Heights") == []


def test_admin1_representative_points_sit_where_the_analyst_puts_the_province(gaz: Gazetteer) -> None:
    for iso, gold in [("SY-DR", "daraa"), ("SY-RD", "rif_dimashq"), ("SY-QU", "quneitra"),
                      ("SY-DY", "deir_ezzor"), ("SY-SU", "sweida")]:
        place = gaz.admin1(iso)
        assert place is not None and place.scale == "admin1" and place.province == iso
        within(place, gold)


def test_all_fourteen_syrian_governorates_have_polygons_and_entries(gaz: Gazetteer) -> None:
    polys = gaz.admin1_polygons()
    syria = polys[polys.country == "SY"]
    codes = set(syria.iso)
    assert codes == {"SY-DI", "SY-RD", "SY-DR", "SY-SU", "SY-QU", "SY-HI", "SY-HM", "SY-HL", "SY-ID",
                     "SY-DY", "SY-RA", "SY-HA", "SY-LA", "SY-TA"}
    for iso in codes:
        entry = gaz.admin1(iso)
        # each representative point lies inside its own polygon
        assert gaz.province_at(entry.lat, entry.lon) == iso


def test_province_at_points(gaz: Gazetteer) -> None:
    assert gaz.province_at(33.5102, 36.2913) == "SY-DI"  # Damascus city
    assert gaz.province_at(33.5717, 36.4027) == "SY-RD"  # Douma, a town in Rif Dimashq
    assert gaz.province_at(33.282, 36.0195) == "SY-RD"  # Sa'sa'
    assert gaz.province_at(36.2012, 37.1612) == "SY-HL"  # Aleppo
    assert gaz.province_at(34.3925, 40.9895) == "IQ-AN"  # Al-Qaim, across the border
    assert gaz.province_at(48.8534, 2.3488) == "FR-IDF"  # Paris
    assert gaz.province_at(49.9808, 36.2527) == "UA-63"  # Kharkiv
    assert gaz.province_at(34.0, 33.0) is None  # the Mediterranean


def test_provinces_at_is_the_vectorised_province_at(gaz: Gazetteer) -> None:
    lats = [33.5102, 32.6189, 0.0, 49.9808, 35.3359]
    lons = [36.2913, 36.1021, -30.0, 36.2527, 40.1408]
    assert gaz.provinces_at(lats, lons) == [gaz.province_at(a, b) for a, b in zip(lats, lons)]
    assert gaz.provinces_at([], []) == []


def test_points_carry_their_province_and_country(gaz: Gazetteer) -> None:
    saasaa = gaz.resolve("Saasaa", country="SY")[0]
    assert (saasaa.country, saasaa.province, saasaa.scale) == ("SY", "SY-RD", "point")
    kharkiv = gaz.resolve("Kharkiv")[0]
    assert (kharkiv.country, kharkiv.province) == ("UA", "UA-63")
    assert gaz.resolve("Lyon")[0].province == "FR-ARA"


def test_admin1_by_name(gaz: Gazetteer) -> None:
    assert gaz.admin1_by_name("Damascus countryside").province == "SY-RD"
    assert gaz.admin1_by_name("Daraa", "SY").province == "SY-DR"
    assert gaz.admin1_by_name("Aleppo province").province == "SY-HL"
    assert gaz.admin1_by_name("Kharkiv Oblast").province == "UA-63"
    assert gaz.admin1_by_name("Kharkiv", "SY") is None
    assert gaz.admin1_by_name("Saasaa") is None  # a town, not a province


def test_countries_and_capitals(gaz: Gazetteer) -> None:
    syria = gaz.country("SY")
    assert (syria.scale, syria.country, syria.name) == ("country", "SY", "Syria")
    assert gaz.province_at(syria.lat, syria.lon) is not None  # a point inside the country
    assert gaz.resolve("Syria")[0].place_id == syria.place_id
    assert gaz.resolve("Ukraine")[0].scale == "country"
    assert gaz.capital("SY").name == "Damascus"
    assert gaz.capital("ua").name == "Kyiv"
    assert gaz.country("ZZ") is None


def test_curated_regions(gaz: Gazetteer) -> None:
    golan = gaz.resolve("Golan Heights")[0]
    assert golan.place_id.startswith("ov:") and golan.scale == "region"
    assert golan.radius_km == 40 and golan.country == "SY" and golan.province == "SY-QU"
    donbas = gaz.resolve("Donbass")[0]
    assert donbas.scale == "region" and donbas.country == "UA"
    assert gaz.resolve("Gaza Strip")[0].country == "PS"


def test_airport_codes_and_lowercase_transliterations_are_not_names(gaz: Gazetteer) -> None:
    # GeoNames lists "DAM" and "hms" among Damascus' and Homs' alternate names
    assert "gn:170654" not in {p.place_id for p in gaz.lookup(name_key("dam"))}
    assert "gn:169577" not in {p.place_id for p in gaz.lookup(name_key("hms"))}


def test_lookup_and_keys(gaz: Gazetteer) -> None:
    ids = {p.place_id for p in gaz.lookup("kaim")}
    assert "gn:92138" in ids
    both = {p.scale for p in gaz.lookup(name_key("Daraa"))}
    assert {"point", "admin1"} <= both
    assert gaz.lookup("no such key at all") == []
    keys = set(gaz.keys())
    assert {"kaim", "suaida", "dara", "hums", name_key("Golan Heights"), name_key("U.S.")} <= keys
    assert all(len(k.replace(" ", "")) >= 2 for k in keys)  # no one-letter names
    assert "" not in keys


def test_fingerprint_follows_the_overlay(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    before = gz._source_fingerprint()
    extra = tmp_path / "extra.toml"
    extra.write_text('[[region]]\nid = "x"\nname = "X"\nlat = 1.0\nlon = 2.0\nradius_km = 5\n')
    files = gz._overlay_files()
    monkeypatch.setattr(gz, "_overlay_files", lambda: [*files, extra])
    assert gz._source_fingerprint() != before
    extra.write_text(extra.read_text().replace("radius_km = 5", "radius_km = 6"))
    changed = gz._source_fingerprint()
    assert changed != before
    monkeypatch.setattr(gz, "_overlay_files", lambda: files)
    assert gz._source_fingerprint() == before


def test_overlay_aliases_all_point_somewhere(gaz: Gazetteer) -> None:
    overlay = gz.load_overlay()
    for alias in overlay["alias"]:
        for spelling in [alias["name"], *alias.get("spellings", [])]:
            ids = {p.place_id for p in gaz.lookup(name_key(spelling))}
            kind, _, ref = alias["target"].partition(":")
            expected = {"gn": f"gn:{ref}", "ov": f"ov:{ref}"}.get(kind)
            if expected:
                assert expected in ids, spelling
            elif kind == "adm1":
                assert any(p.province == ref and p.scale == "admin1" for p in gaz.lookup(name_key(spelling)))
    for region in overlay["region"]:
        assert region["radius_km"] > 0 and -90 <= region["lat"] <= 90 and -180 <= region["lon"] <= 180


def test_resolve_cli_prints_json(gaz: Gazetteer) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "geo", "resolve", "al-Qaem", "--json", "--limit", "3"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    places = json.loads(out.stdout)
    assert places[0]["place_id"] == "gn:92138" and places[0]["country"] == "IQ"
    assert len(places) <= 3 and set(places[0]) >= {"name", "lat", "lon", "score", "reasons", "province"}


def test_resolve_cli_table_and_no_match() -> None:
    out = subprocess.run([sys.executable, "-m", "geo", "resolve", "Deraa", "--country", "SY"],
                         cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0 and "SY-DR" in out.stdout
    none = subprocess.run([sys.executable, "-m", "geo", "resolve", "Qqqxxzz"], cwd=ROOT, capture_output=True, text=True)
    assert none.returncode == 1 and "no place" in none.stderr


def test_short_names_and_roman_numerals_are_not_places(gaz: Gazetteer) -> None:
    # the pronoun "I" is no Philippine region ("Region I"), "a" is no Norwegian village ("Å")
    assert gaz.lookup("i") == [] and gaz.lookup("a") == []
    assert gaz.resolve("U.S.")[0].country == "US"
    assert gaz.resolve("UK")[0].country == "GB"


def test_a_spelling_never_seen_is_a_less_sure_match(gaz: Gazetteer) -> None:
    seen = gaz.resolve("Sweida", country="SY")[0]
    novel = gaz.resolve("Souwayda", country="SY")[0]  # meets Sweida's key, but nobody writes it so
    assert seen.place_id == novel.place_id
    assert gz.SPELLING_VARIANT not in seen.reasons and gz.SPELLING_VARIANT in novel.reasons
    assert novel.score < seen.score
    # common English words that share a key with a big place are flagged the same way
    for word, place in [("Woman", "Oman"), ("Room", "Rome")]:
        top = gaz.resolve(word)[0]
        assert top.name == place and gz.SPELLING_VARIANT in top.reasons
    assert gz.SPELLING_VARIANT not in gaz.resolve("Oman")[0].reasons
    assert gz.SPELLING_VARIANT not in gaz.resolve("Dar'a", country="SY")[0].reasons
    assert gz.SPELLING_VARIANT not in gaz.resolve("al qaim", country="SY")[0].reasons


def test_every_indexed_key_is_its_own_key(gaz: Gazetteer) -> None:
    # The geoparser keys the text with the same function: a key that changed when keyed again
    # ("Ell" -> "al", an article, -> "") could never be matched in running text.
    keys = list(gaz.keys())
    sample = keys[::10] + [name_key("Ell"), name_key("Ann")]
    assert [k for k in sample if name_key(k) != k] == []


def test_map_polygons_come_without_loading_the_gazetteer(tmp_path: Path) -> None:
    # A dashboard draws provinces and countries: that must not build or load the gazetteer's cache.
    script = (
        "import geo.gazetteer as gz\n"
        "p = gz.admin1_polygons(); c = gz.country_outlines()\n"
        "assert gz._DEFAULT is None\n"
        "import json; print(json.dumps([len(p), sorted(p.columns), len(c), sorted(c.columns)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True,
        env={**__import__("os").environ, "FRONTLINE_CACHE_DIR": str(tmp_path)},
    ).stdout
    n_provinces, province_columns, n_countries, country_columns = json.loads(out)
    assert n_provinces > 3000 and {"iso", "name", "country", "geometry"} <= set(province_columns)
    assert n_countries > 200 and {"country", "name", "geometry"} <= set(country_columns)
    assert list(tmp_path.iterdir()) == []  # no cache was built


def test_map_polygons_are_copies_the_caller_may_change(gaz: Gazetteer) -> None:
    frame = gz.admin1_polygons()
    frame.loc[frame["iso"] == "SY-DR", "name"] = "changed"
    assert "changed" not in set(gz.admin1_polygons()["name"])
    assert "changed" not in set(gaz.admin1_polygons()["name"])
    outlines = gz.country_outlines()
    assert {"SY", "UA", "FR"} <= set(outlines["country"])


@pytest.mark.parametrize(
    "name, big",
    [("Europe", True), ("Africa", True), ("Middle East", True), ("Mediterranean", True), ("Pacific", True),
     ("Black Sea", False), ("Sea of Azov", False), ("Strait of Hormuz", False), ("Balkans", True)],
)
def test_continents_seas_and_world_regions_outrank_namesake_villages(gaz: Gazetteer, name: str, big: bool) -> None:
    top = gaz.resolve(name)[0]
    assert top.scale == "region" and top.place_id.startswith("ov:"), top
    assert top.country is None  # across several countries
    assert (top.radius_km > 500) is big  # the claims stage does not pin regions wider than 500 km


def test_mount_hermon_congo_and_newcastle(gaz: Gazetteer) -> None:
    hermon = gaz.resolve("Mount Hermon")[0]
    assert hermon.scale == "region" and hermon.country == "SY" and km(hermon.lat, hermon.lon, 33.42, 35.86) < 5
    assert gaz.resolve("Jabal al-Sheikh")[0].place_id == hermon.place_id
    assert gaz.resolve("Democratic Republic of Congo")[0].country == "CD"
    assert gaz.resolve("Republic of Congo")[0].country == "CG"
    assert gaz.resolve("Newcastle")[0].name == "Newcastle upon Tyne"
    assert gaz.resolve("Newcastle", country="AU")[0].country == "AU"


def _overlay_dir(tmp_path, text: str):
    d = tmp_path / "gaz"
    d.mkdir()
    (d / "x.toml").write_text(text, encoding="utf-8")
    return d


def test_an_unknown_key_in_an_overlay_file_is_an_error(tmp_path, monkeypatch) -> None:
    d = _overlay_dir(tmp_path, '[[place]]\nid = "x"\nname = "X"\nlat = 1.0\nlon = 2.0\ncountry = "SY"\nkind = "dam"\nsource = "s"\nelevation = 3\n')
    monkeypatch.setattr(gz, "DATA_DIR", d)
    with pytest.raises(ValueError, match="unknown key.*elevation"):
        gz.load_overlay()


def test_an_overlay_place_needs_a_source_and_a_known_kind(tmp_path, monkeypatch) -> None:
    d = _overlay_dir(tmp_path, '[[place]]\nid = "x"\nname = "X"\nlat = 1.0\nlon = 2.0\ncountry = "SY"\nkind = "dam"\n')
    monkeypatch.setattr(gz, "DATA_DIR", d)
    with pytest.raises(ValueError, match="missing source"):
        gz.load_overlay()
    (d / "x.toml").write_text('[[place]]\nid = "x"\nname = "X"\nlat = 1.0\nlon = 2.0\ncountry = "SY"\nkind = "castle"\nsource = "s"\n')
    with pytest.raises(ValueError, match="unknown kind"):
        gz.load_overlay()


def test_every_shipped_overlay_place_carries_a_source(gaz: Gazetteer) -> None:
    overlay = gz.load_overlay()
    assert overlay["place"] and all(p["source"].strip() for p in overlay["place"])
    assert all(p["source"].strip() for p in overlay["country_point"])


@pytest.mark.parametrize(
    ("name", "lat", "lon"),
    [("Russia", 60.0, 100.0), ("United States", 39.76, -98.5), ("Syria", 35.0, 38.0), ("Canada", 60.1, -113.6)],
)
def test_countries_sit_at_the_points_geonames_gives_them(gaz: Gazetteer, name: str, lat: float, lon: float) -> None:
    top = gaz.resolve(name)[0]
    assert top.scale == "country" and km(top.lat, top.lon, lat, lon) < 20


def test_a_province_sits_in_its_middle_and_is_pinned_at_its_main_place(gaz: Gazetteer) -> None:
    texas = gaz.resolve("Texas", country="US", cue="state")[0]
    assert texas.scale == "admin1" and km(texas.lat, texas.lon, 31.25, -99.25) < 100  # GeoNames 31.25N 99.25W
    pin = gaz.display_point(texas)
    assert km(pin[0], pin[1], 29.76, -95.36) < 30  # Houston, its most populous place
    assert gaz.display_point(gaz.resolve("Aleppo")[0]) == (gaz.resolve("Aleppo")[0].lat, gaz.resolve("Aleppo")[0].lon)


def test_continents_sit_at_geonames_points(gaz: Gazetteer) -> None:
    asia = gaz.resolve("Asia")[0]
    assert asia.scale == "region" and km(asia.lat, asia.lon, 29.84, 89.30) < 5 and asia.geonameid == 6255147


# --------------------------------------------------------------------------------------------
# Online fallback: off by default, asked once per name, tested against a local server only


@pytest.fixture()
def nominatim_server():
    """A Nominatim-like /search endpoint on 127.0.0.1 that knows one name and counts requests."""
    import http.server
    import threading
    import urllib.parse

    seen: list[dict] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's API)
            query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))
            seen.append(query)
            body = []
            if query.get("q", "").lower() == "pemberton county":
                body = [{"lat": "41.25", "lon": "-84.75", "display_name": "Pemberton County, Somewhere",
                         "place_id": 1, "osm_type": "relation", "osm_id": 1, "boundingbox": ["41", "42", "-85", "-84"]}]
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()


def test_the_online_geocoder_asks_each_name_once_and_caches_misses_too(tmp_path, nominatim_server) -> None:
    domain, seen = nominatim_server
    cache = tmp_path / "online.sqlite"
    online = gz.OnlineGeocoder("nominatim", domain=domain, scheme="http", cache_path=cache)
    place = online.lookup("Pemberton County")
    assert place is not None and (place.lat, place.lon) == (41.25, -84.75) and place.place_id.startswith("online:")
    assert online.lookup("Nowhere Heights") is None
    assert len(seen) == 2
    # Asked again, and by a new process (a new object on the same cache file): nothing is sent.
    again = gz.OnlineGeocoder("nominatim", domain=domain, scheme="http", cache_path=cache)
    assert again.lookup("Pemberton County").lat == 41.25 and again.lookup("Nowhere Heights") is None
    assert online.lookup("Pemberton County") is not None
    assert len(seen) == 2 and again.asked == 0


def test_the_geoparser_is_offline_by_default_and_uses_the_fallback_only_when_asked(tmp_path, monkeypatch, nominatim_server) -> None:
    from geo import geoparser

    domain, seen = nominatim_server
    monkeypatch.delenv("FRONTLINE_ONLINE_GEOCODER", raising=False)
    monkeypatch.setattr(geoparser, "_ONLINE", [])
    text = "Flooding closed roads across Pemberton County on Monday, officials said."
    offline = {t.text: t for t in geoparser.geoparse_text(text)}
    assert offline["Pemberton County"].place is None and seen == []
    online = gz.OnlineGeocoder("nominatim", domain=domain, scheme="http", cache_path=tmp_path / "o.sqlite")
    hit = {t.text: t for t in geoparser.geoparse_text(text, online=online)}["Pemberton County"]
    assert hit.source == "online" and hit.place.lat == 41.25 and len(seen) == 1
    # Through the environment, as `ingest` would use it.
    monkeypatch.setenv("FRONTLINE_ONLINE_GEOCODER", "nominatim")
    monkeypatch.setenv("FRONTLINE_ONLINE_DOMAIN", domain)
    monkeypatch.setenv("FRONTLINE_ONLINE_SCHEME", "http")
    monkeypatch.setenv("FRONTLINE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(geoparser, "_ONLINE", [])
    hit = {t.text: t for t in geoparser.geoparse_text(text)}["Pemberton County"]
    assert hit.source == "online" and len(seen) == 2


def test_caches_of_other_versions_are_kept_a_while_not_deleted_at_once(tmp_path) -> None:
    import os
    import time

    current = tmp_path / "gazetteer-current.pkl"
    current.write_bytes(b"x")
    others = []
    for i in range(5):
        p = tmp_path / f"gazetteer-other{i}.pkl"
        p.write_bytes(b"x")
        os.utime(p, (time.time() - 100 * (5 - i),) * 2)  # other4 is the newest
        others.append(p)
    gz.prune_cache(tmp_path, "gazetteer-*.pkl", current, keep=3)
    assert current.exists()
    assert [p.exists() for p in others] == [False, False, True, True, True]


def test_fuzzy_town_finds_a_misspelt_town_only_in_the_country_asked():
    from geo.normalize import name_key

    g = default_gazetteer()
    place = g.fuzzy_town(name_key("Khan Sheikhoun"), "SY")
    assert place is not None and place.name == "Khān Shaykhūn" and place.country == "SY"
    assert g.fuzzy_town(name_key("Khan Sheikhoun"), "FR") is None
    assert g.fuzzy_town(name_key("Zzyzx Qwerty"), "SY") is None
