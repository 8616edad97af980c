"""Frontline dashboard: `streamlit run app.py` (or `make run`).

Only wiring: the store (geo.store) answers the filters, geo.mapview draws the map and shapes the
tables, geo.export writes the downloads, geo.pipeline ingests uploads. The store is the file named by
FRONTLINE_DB, else the CLI's default. Filter state is mirrored in the URL query string.
"""
from __future__ import annotations

import os
import re
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from geo import mapview
from geo.cli import DEFAULT_DB
from streamlit_folium import _component_func as folium_component
from geo.store import Filters, Store

st.set_page_config(page_title="Frontline: reported territorial control", page_icon="🗺️", layout="wide")

DB_PATH = Path(os.environ.get("FRONTLINE_DB") or DEFAULT_DB).expanduser()
MAX_UPLOAD_MB = 20  # also .streamlit/config.toml server.maxUploadSize
UPLOAD_TYPES = ["txt", "md", "html", "htm", "json"]
PLAY_SECONDS = 1.0  # the default pace of Play: seconds per day shown
PLAY_SPEEDS = [0.5, 1.0, 2.0, 4.0]
EXPORTS = {"geojson": ("GeoJSON", "application/geo+json"), "csv": ("CSV", "text/csv"),
           "gpkg": ("GeoPackage", "application/geopackage+sqlite3")}
FILTER_KEYS = ("f_provinces", "f_sources", "f_dates", "f_event_types", "f_actors", "f_contested")


# --------------------------------------------------------------------------- data access (cached)


def _db_version() -> tuple[float, int]:
    """Changes whenever the store is written (WAL included), so caches follow ingests. An empty WAL is left
    out: the first reader of a store creates one, and counting it made a page's second run miss every cache
    its first run had filled (claims, names, the whole map, built twice)."""
    stamps = []
    for suffix in ("", "-wal"):
        p = Path(str(DB_PATH) + suffix)
        if p.exists():
            s = p.stat()
            if s.st_size or not suffix:
                stamps.append((s.st_mtime, s.st_size))
    return (max((m for m, _ in stamps), default=0.0), sum(n for _, n in stamps))


def _store() -> Store:
    return Store(DB_PATH, readonly=True)


@st.cache_data(show_spinner=False, max_entries=64)
def _facets(db: str, version: tuple) -> dict[str, Any]:
    store = _store()
    try:
        return {"provinces": list(store.provinces()), "sources": list(store.sources()),
                "event_types": list(store.event_types()), "actors": list(store.actors()),
                "dates": _day_range(_claims(db, version, ()), store.date_range()) or store.date_range() or (None, None)}
    finally:
        _close(store)


def _day_range(frame: pd.DataFrame, everything: tuple[date, date] | None) -> tuple[date, date] | None:
    """From the first claim dated to the day to the last claim: a claim dated only to a week or a month
    ("in November") is a span, and its first day must not stretch the slider and Play back to it. The
    slider's full range still shows every claim (it means no date filter)."""
    if frame.empty or everything is None:
        return None
    precise = frame["date_precision"].isna() | (frame["date_precision"].astype(str) == "day")
    days = pd.to_datetime(frame["event_date"].where(precise), errors="coerce").dropna()
    if days.empty:
        return None
    return min(days.min().date(), everything[1]), everything[1]


# The claims frames are kept as they are (st.cache_resource), not pickled and unpickled on every use as
# st.cache_data would (about 0.1 s a copy at 10,000 claims, several times in a page's first run): nothing
# that reads them changes them (mapview and geo.export work on copies).
@st.cache_resource(show_spinner=False, max_entries=16)
def _claims(db: str, version: tuple, query: tuple) -> pd.DataFrame:
    store = _store()
    try:
        return store.claims_frame(Filters.from_query(dict(query)))
    finally:
        _close(store)


@st.cache_resource(show_spinner=False, max_entries=16)
def _view(db: str, version: tuple, query: tuple) -> pd.DataFrame:
    """The claims as the dashboard shows them: English place and province names, and for contested claims
    what contests them (named from the whole store, so a denial outside the filters still shows). Downloads
    use _claims: exports keep the store's names."""
    frame = _named(db, version, query)
    notes = _contest_notes(db, version)
    if notes and len(frame):
        frame = frame.assign(contest_note=frame["id"].astype(str).map(notes))
    return frame


@st.cache_resource(show_spinner=False, max_entries=16)
def _named(db: str, version: tuple, query: tuple) -> pd.DataFrame:
    """The claims with English place and province names (named once: the whole store's are both the unfiltered
    view and what the contest notes are written from)."""
    return mapview.english_names(_claims(db, version, query))


@st.cache_data(show_spinner=False, max_entries=8)
def _contest_notes(db: str, version: tuple) -> dict[str, str]:
    try:
        return mapview.contest_notes(_named(db, version, ()))
    except Exception:  # noqa: BLE001 - without the rules the badge still says "contested"
        return {}


@st.cache_data(show_spinner=False, max_entries=8)
def _total(db: str, version: tuple) -> int:
    store = _store()
    try:
        return int(store.stats()["claims"])
    finally:
        _close(store)


@st.cache_data(show_spinner=False, max_entries=8)
def _extent(db: str, version: tuple) -> list[tuple[float, float]]:
    return mapview.extent_of(_claims(db, version, ()))


@st.cache_resource(show_spinner=False)
def _gazetteer_layer(kind: str) -> Any:
    """The province polygons (``kind`` "provinces") or the country outlines ("countries"), read from the shipped
    files without loading the whole gazetteer, each when first needed (the base map needs only the outlines), or
    None when they cannot be read."""
    try:
        from geo.gazetteer import admin1_polygons, country_outlines

        return admin1_polygons() if kind == "provinces" else country_outlines()
    except Exception as exc:  # the map still works without shading and outlines
        st.session_state["_gazetteer_error"] = f"{type(exc).__name__}: {exc}"
        return None


def _close(store: Any) -> None:
    close = getattr(store, "close", None)
    if callable(close):
        close()


def _query_key(filters: Filters) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in filters.to_query().items()))


def _as_date(value: Any) -> date | None:
    if value is None or (not isinstance(value, date) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


# --------------------------------------------------------------------------- filter state <-> URL


URL_PARAMS = {"f_provinces": "province", "f_sources": "source", "f_event_types": "event_type", "f_actors": "actor"}
PARAM_NOUNS = {"f_provinces": "province", "f_sources": "source", "f_event_types": "event type", "f_actors": "actor"}


def _province_lookup(facets: dict[str, Any]) -> dict[str, str]:
    """Any spelling of a province in the store (ISO code, English name, alias, gazetteer name) -> ISO code."""
    names = mapview.default_names()
    out: dict[str, str] = {}
    for iso, name in facets["provinces"]:
        entry = names.provinces.get(iso)
        for spelling in [iso, name, mapview.plain_name(name), names.province(iso, name), *(entry.aliases if entry else ())]:
            if spelling:
                out.setdefault(str(spelling).casefold(), iso)
    return out


def _restore_from_url(facets: dict[str, Any]) -> None:
    """On a session's first run, put the URL's filters into the widgets' state. Values the store does not
    know are kept aside (``_unknown``): they still filter, matching nothing, and the page names them.
    Reversed dates (since after until) are kept aside too (``_reversed_dates``): an empty range."""
    if st.session_state.get("_restored"):
        return
    st.session_state["_restored"] = True
    query = {k: st.query_params.get_all(k) for k in st.query_params}
    try:
        f = Filters.from_query(query)
    except Exception as exc:
        st.session_state["_url_error"] = f"The link's filters could not be read ({exc}); showing everything."
        return
    provinces = _province_lookup(facets)
    known = {"f_sources": facets["sources"], "f_event_types": facets["event_types"], "f_actors": facets["actors"]}
    wanted = {"f_provinces": f.provinces, "f_sources": f.sources, "f_event_types": f.event_types, "f_actors": f.actors}
    unknown: dict[str, list[str]] = {}
    for key, values in wanted.items():
        values = list(values or [])
        if not values:
            continue
        if key == "f_provinces":
            found = [provinces[v.casefold()] for v in values if v.casefold() in provinces]
            missing = [v for v in values if v.casefold() not in provinces]
        else:
            found = [v for v in values if v in known[key]]
            missing = [v for v in values if v not in known[key]]
        st.session_state[key] = list(dict.fromkeys(found))
        if missing:
            unknown[key] = missing
    st.session_state["_unknown"] = unknown
    bad_dates = [f"{k}={v}" for k in ("since", "until") for v in query.get(k, [])
                 if (f.since if k == "since" else f.until) is None]
    if bad_dates:
        st.session_state["_url_error"] = ("Not a date (YYYY-MM-DD), so not applied: " + ", ".join(bad_dates))
    lo, hi = facets["dates"]
    lo, hi = _as_date(lo), _as_date(hi)
    if f.since and f.until and f.since > f.until:
        st.session_state["_reversed_dates"] = (f.since, f.until)
    elif lo and hi and (f.since or f.until):
        since = min(max(f.since or lo, lo), hi)
        until = max(min(f.until or hi, hi), since)
        st.session_state["f_dates"] = (since, until)
    if f.contested_only:
        st.session_state["f_contested"] = True
    if "event_type" in query.get("chart", []):
        st.session_state["chart_by"] = "event type"
    if place := query.get("place"):
        st.session_state["place"] = place[0]  # dropped by the place picker if no claim is about it


def _forget_unknown(key: str) -> None:
    """The user changed this filter: the link's unknown values for it are dropped."""
    st.session_state.get("_unknown", {}).pop(key, None)


def _forget_reversed_dates() -> None:
    st.session_state.pop("_reversed_dates", None)


def _filters_from_widgets(facets: dict[str, Any]) -> Filters:
    lo, hi = (_as_date(d) for d in facets["dates"])
    since = until = None
    dates = st.session_state.get("f_dates")
    if dates and lo and hi:
        # The slider's full span means "no date filter", so undated claims are not dropped.
        since = dates[0] if dates[0] > lo else None
        until = dates[1] if dates[1] < hi else None
    if reversed_dates := st.session_state.get("_reversed_dates"):
        since, until = reversed_dates  # an empty range, as the link asked (a note says so)
    unknown = st.session_state.get("_unknown", {})

    def values(key: str) -> tuple[str, ...]:
        # Unknown values from a link stay in the filter: they match nothing, so they never widen it.
        return tuple(dict.fromkeys([*(st.session_state.get(key) or ()), *unknown.get(key, ())]))

    return Filters(
        provinces=values("f_provinces"),
        sources=values("f_sources"),
        since=since,
        until=until,
        event_types=values("f_event_types"),
        actors=values("f_actors"),
        contested_only=bool(st.session_state.get("f_contested")),
    )


def _url_notes() -> None:
    """What the link asked for that the store cannot show: unknown values, reversed dates."""
    unknown = {k: v for k, v in st.session_state.get("_unknown", {}).items() if v}
    if unknown:
        listed = "; ".join(f"{PARAM_NOUNS[k]} " + ", ".join(f"“{v}”" for v in values) for k, values in unknown.items())
        st.warning(f"Not found in this store, so matching no claims: {listed}. Change that filter to drop them.",
                   icon="⚠️")
        st.button("Drop the values not found", key="drop_unknown", on_click=lambda: st.session_state.pop("_unknown", None))
    if reversed_dates := st.session_state.get("_reversed_dates"):
        since, until = reversed_dates
        st.warning(f"The link's dates are reversed (since {since.isoformat()} is after until {until.isoformat()}): "
                   "an empty range, so no claims are shown. Move the date slider or press Reset dates.", icon="⚠️")


def _mirror_to_url(filters: Filters) -> None:
    """The filters, the selected place and the chart's mode, in the URL: a link opens the same view."""
    wanted = {k: [str(v) for v in values] for k, values in filters.to_query().items()}
    if place := st.session_state.get("place"):
        wanted["place"] = [str(place)]
    if st.session_state.get("chart_by") == "event type":
        wanted["chart"] = ["event_type"]
    # view=lat,lon,zoom: written into the link by the map itself as it moves (mapview.FrontlineUI); kept here.
    if view := st.query_params.get_all("view"):
        wanted["view"] = view[-1:]
    current = {k: st.query_params.get_all(k) for k in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


# --------------------------------------------------------------------------- sidebar


def _sidebar(facets: dict[str, Any]) -> None:
    sb = st.sidebar
    sb.markdown("## Frontline")
    sb.caption("Reported territorial control in news articles: who says who took, lost, left or holds which place, "
               "and when. Claims, not facts; every marker links to its source.")
    sb.header("Filters")
    names = dict(facets["provinces"])
    english = mapview.default_names()
    # English names with the ISO code, then other spellings, so that "Homs", "Hims" or "Ḩimş" all find it.
    options = sorted(names, key=lambda iso: english.province(iso, names.get(iso)).lower())
    sb.multiselect("Province", options=options, key="f_provinces", on_change=_forget_unknown, args=("f_provinces",),
                   format_func=lambda iso: english.province_search_label(iso, names.get(iso)), placeholder="All provinces")
    sb.multiselect("Source", options=facets["sources"], key="f_sources", placeholder="All sources",
                   on_change=_forget_unknown, args=("f_sources",))
    lo, hi = (_as_date(d) for d in facets["dates"])
    if lo and hi and lo < hi:
        st.session_state.setdefault("f_dates", (lo, hi))
        sb.slider("Event dates", min_value=lo, max_value=hi, key="f_dates", step=timedelta(days=1), format="YYYY-MM-DD",
                  on_change=_forget_reversed_dates)
        c1, c2 = sb.columns(2)
        # Material icons ship with Streamlit, so the glyphs render whatever fonts the machine has.
        if st.session_state.get("playing"):
            c1.button("Pause", icon=":material/pause:", key="pause", on_click=_set_playing, args=(False,), width="stretch")
        else:
            c1.button("Play", icon=":material/play_arrow:", key="play", on_click=_start_play, args=(lo, hi), width="stretch",
                      help="Step through the days: the map shows claims up to each day in turn.")
        c2.button("Reset dates", key="reset_dates", on_click=_reset_dates, args=(lo, hi), width="stretch")
        sb.select_slider("Play speed", options=PLAY_SPEEDS, value=PLAY_SECONDS, key="play_seconds",
                         format_func=lambda s: f"{s:g} s a day")
    elif lo:
        sb.caption(f"All claims are dated {lo.isoformat()}.")
    sb.multiselect("Event type", options=facets["event_types"], key="f_event_types", on_change=_forget_unknown,
                   args=("f_event_types",), format_func=lambda e: mapview.default_style().event_label(e),
                   placeholder="All event types")
    sb.multiselect("Actor", options=facets["actors"], key="f_actors", on_change=_forget_unknown, args=("f_actors",),
                   format_func=lambda a: mapview.default_style().actor_label(a), placeholder="All actors")
    sb.toggle("Contested claims only", key="f_contested")


def _set_playing(value: bool) -> None:
    st.session_state["playing"] = value


def _start_play(lo: date, hi: date) -> None:
    since, until = st.session_state.get("f_dates", (lo, hi))
    # Restart from the first day when the window is already at its end.
    st.session_state["f_dates"] = (since, since if until >= hi else until)
    st.session_state["playing"] = True
    st.session_state["_play_first_frame"] = True


def _reset_dates(lo: date, hi: date) -> None:
    st.session_state["f_dates"] = (lo, hi)
    st.session_state.pop("_reversed_dates", None)
    st.session_state["playing"] = False


def _advance_play(facets: dict[str, Any]) -> None:
    """One step of the play-through: widen the window's end by a day (before the slider is drawn)."""
    if st.session_state.pop("_play_first_frame", False):
        return  # show the starting day before stepping
    hi = _as_date(facets["dates"][1])
    since, until = st.session_state.get("f_dates", (None, None))
    if not (hi and until) or until >= hi:
        st.session_state["playing"] = False
        return
    st.session_state["f_dates"] = (since, until + timedelta(days=1))


def _safe_name(name: str, taken: set[str]) -> str:
    """A plain file name for an upload: no folders, no leading dots, nothing but [A-Za-z0-9._-]."""
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name.replace("\\", "/")).name).lstrip("._") or "upload"
    base = base[:120]
    stem, dot, ext = base.rpartition(".")
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}.{ext}" if dot else f"{base}-{n}"
    taken.add(candidate)
    return candidate


def _upload_panel() -> None:
    with st.sidebar.expander("Add articles", expanded=False):
        # A new uploader after each ingest (a new key), so files already ingested are not sent again.
        round_ = st.session_state.get("_upload_round", 0)
        files = st.file_uploader("Article files", type=UPLOAD_TYPES, accept_multiple_files=True,
                                 key="uploads" if round_ == 0 else f"uploads-{round_}",
                                 help=f"Text, Markdown, HTML or JSON; up to {MAX_UPLOAD_MB} MB each.")
        source = st.text_input("Source label (optional)", key="upload_source",
                               help="Used for every uploaded file; otherwise the article's own metadata.")
        set_date = st.checkbox("Set the publication date", key="upload_set_date")
        published = st.date_input("Published", key="upload_published") if set_date else None
        profiles = _bundled_profiles()
        profile = st.selectbox("Conflict profile", profiles, key="upload_profile",
                               index=profiles.index("syria") if "syria" in profiles else 0,
                               help="Whose parties, names and theatre the articles are read with.")
        if st.button("Ingest", key="ingest", disabled=not files, type="primary"):
            _ingest(files or [], source.strip() or None, published, profile)
            st.session_state["_upload_round"] = round_ + 1
            st.rerun()  # redraw the filters and the map with the new claims
        for line in st.session_state.get("_ingest_report", []):
            (st.error if line.startswith("✗") else st.success)(line)


def _bundled_profiles() -> list[str]:
    from geo.profiles import available_profiles

    return available_profiles()


def _ingest(files: list[Any], source: str | None, published: date | None, profile: str = "syria") -> None:
    report: list[str] = []
    too_big = [f for f in files if f.size > MAX_UPLOAD_MB * 1024 * 1024]
    report += [f"✗ {f.name}: larger than {MAX_UPLOAD_MB} MB, not ingested" for f in too_big]
    accepted = [f for f in files if f not in too_big]
    if accepted:
        try:
            from geo.pipeline import ingest_paths
        except ImportError as exc:
            st.session_state["_ingest_report"] = report + [f"✗ ingest is not available: {exc}"]
            return
        bar = st.progress(0.0, text="Ingesting…")
        with tempfile.TemporaryDirectory(prefix="frontline-upload-") as tmp:
            taken: set[str] = set()
            paths, shown = [], {}
            for f in accepted:
                target = Path(tmp) / _safe_name(f.name, taken)
                target.write_bytes(f.getvalue())
                paths.append(target)
                shown[target.name] = f.name

            def progress(done: int, total: int, current: str) -> None:
                name = Path(current).name
                bar.progress(min(1.0, done / max(total, 1)), text=f"Ingesting… {done}/{total}: {shown.get(name, name)}")

            DB_PATH.parent.mkdir(parents=True, exist_ok=True)
            try:
                summary = ingest_paths(paths, DB_PATH, source=source, published=published, profile=profile,
                                       progress=progress)
            except Exception as exc:
                report.append(f"✗ ingest failed: {type(exc).__name__}: {exc}")
                summary = None
        bar.empty()
        if summary is not None:
            for path, reason in summary.failures:
                name = Path(str(path)).name
                report.append(f"✗ {shown.get(name, name)}: {reason}")
            report.append(f"✓ {summary.line()}")
    st.session_state["_ingest_report"] = report
    st.cache_data.clear()
    _claims.clear()  # the frames of the store before the ingest (cached by version: never asked for again)
    _named.clear()
    _view.clear()
    _map_layers.clear()


# --------------------------------------------------------------------------- main panels

TABLE_ROWS = 2000  # rows of the claims table sent to the browser (newest first)
MAP_HEIGHT = 620  # the frame's own height, before the page's CSS makes it the viewport's
MAP_MIN_PX = 420
MAP_VALUE = {"last_object_clicked": None, "selected_tags": []}  # the map component's value before any click
# The map adds this key to its value once its base is drawn (mapview.FrontlineUI): from then on it can take layers.
MAP_READY = "map_ready"
BASE_ALONE = {"feature_group": "", "layer_control": None}  # the component's layer arguments when it gets no layers


@st.cache_resource(show_spinner=False, max_entries=4)
def _map_base(db: str, version: tuple, store_exists: bool) -> mapview.BasePayload:
    """The base map (basemap, legend, view of the whole store), rendered once per store version."""
    facets = _facets(db, version) if store_exists else {"actors": [], "event_types": []}
    countries = _gazetteer_layer("countries")
    base = mapview.base_map(countries=countries, extent=_extent(db, version) if store_exists else [],
                            actors=facets["actors"], event_types=facets["event_types"])
    return mapview.base_payload(base, key="map")


# Kept as they are (st.cache_resource), not pickled: a few megabytes of script text at 10,000 claims, which
# unpickling on every run cost about 0.1-0.3 s of the rerun that sends them; nothing changes them.
@st.cache_resource(show_spinner=False, max_entries=16)
def _map_layers(db: str, version: tuple, query: tuple, store_exists: bool) -> dict[str, Any]:
    """The layers that follow the filters (province shading, clusters, a layer per source), rendered once
    per filter state and store version."""
    frame = _view(db, version, query) if store_exists else None
    facets = _facets(db, version) if store_exists else {"provinces": []}
    provinces = _gazetteer_layer("provinces")
    layers, control = mapview.map_layers(frame, provinces=_provinces_for(provinces, frame, facets))
    payload = mapview.layers_payload(_map_base(db, version, store_exists), layers, control)
    _layers_built().add((db, version, query, store_exists))
    return payload


@st.cache_resource(show_spinner=False)
def _layers_built() -> set[tuple]:
    """The filter states whose layers this server process has built (_map_layers): a page opening on one of them
    gets its whole map in its first run (_base_first)."""
    return set()


def _map(db: str, version: tuple, query: tuple, store_exists: bool, frame: pd.DataFrame | None,
         layers: bool = True) -> set[str]:
    """The map, through streamlit-folium's component with the arguments st_folium would send
    (mapview.base_payload/layers_payload), but rendered once per store and per filter state: a filter
    change sends the same base, so the browser keeps its map and swaps only the layers. ``layers=False``
    sends the base map alone (_base_first).

    A click on a marker selects its place: the place timeline below the table opens on it. Returns the
    sources whose layer the user has turned off on the map."""
    base = _map_base(db, version, store_exists)
    layers = _map_layers(db, version, query, store_exists) if layers else BASE_ALONE
    # returned_objects: only clicks and source layers turned off or on rerun the script (pan and zoom never
    # do). The default is what the map reports once drawn, so drawing it does not rerun the script.
    value = folium_component(**{**base.args, **layers}, key=base.key, height=MAP_HEIGHT, width=None,
                             returned_objects=["last_object_clicked", "selected_tags"], default=MAP_VALUE,
                             zoom=None, center=None, return_on_hover=False, pixelated=False, wrap_longitude=False)
    clicked = (value or {}).get("last_object_clicked")
    if clicked and clicked != st.session_state.get("_map_clicked") and frame is not None and len(frame):
        st.session_state["_map_clicked"] = clicked
        provinces = _gazetteer_layer("provinces")
        area_points = mapview.province_points(provinces) if provinces is not None else None
        place = mapview.place_at(frame, float(clicked["lat"]), float(clicked["lng"]), area_points=area_points)
        if place is not None:
            st.session_state["place"] = place[0]
            st.toast(f"{place[1]}: its timeline is open below the claims.", icon=":material/timeline:")
    return mapview.hidden_sources(value, frame["source"].unique()) if frame is not None and len(frame) else set()


def _base_first(db: str, version: tuple, query: tuple, store_exists: bool, total: int) -> bool:
    """Whether this run sends the base map alone and then builds the claims' layers, which the map asks for
    (a rerun) once its frame has loaded Leaflet and drawn the base.

    On a browser session's first run the frame, its scripts and the base map take the browser about a
    second; building the layers (English names, contest notes, markers) takes the server about as long.
    Sent together, one waits for the other; sent this way, they overlap. Not when this server has built
    the layers already (another page on the same filters): then the map comes whole, without the wait.
    Layers go only to a map that said it is drawn, or in the first arguments its frame gets: streamlit-folium
    keeps the arguments of its first render while it loads its scripts, so layers sent in that time would be
    lost (so once the base went alone, only map_ready lets layers go); and once a session has sent layers, it
    never sends the base alone again. AppTest sends no headers and draws no map."""
    if total == 0 or not st.context.headers.get("User-Agent") or st.session_state.get("_layers_sent"):
        return False
    value = st.session_state.get(_map_base(db, version, store_exists).key)
    if isinstance(value, dict) and value.get(MAP_READY):
        return False
    if not st.session_state.get("_base_sent") and (db, version, query, store_exists) in _layers_built():
        return False
    st.session_state["_base_sent"] = True
    return True


def _map_first(n: int) -> bool:
    """On a browser session's first run, the page stops below the map: the browser draws the markers before
    the figures, the downloads, the table, the chart and the place timeline (about a second and a half of its
    time at 10,000 claims), and the server does not build them while the browser draws. The map asks for the
    next run once its first markers are painted (mapview.FrontlineUI), and that run draws the whole page.
    Without claims to show there is nothing heavy to wait for; AppTest sends no headers and draws no map."""
    first = not st.session_state.get("_page_drawn")
    st.session_state["_page_drawn"] = True
    return first and n > 0 and bool(st.context.headers.get("User-Agent"))


def _metrics(frame: pd.DataFrame | None, total: int, hidden: set[str]) -> None:
    """The figures count what the map shows: the filtered claims less the source layers turned off on it."""
    shown = frame if frame is None or not hidden else frame[~frame["source"].isin(hidden)]
    n = 0 if shown is None else len(shown)
    off = (len(frame) - n) if frame is not None else 0
    m1, m2, m3, m4 = st.columns(4)
    more = (f" {off:,} more are in the source layers turned off on the map ({', '.join(sorted(map(str, hidden)))}); "
            "the table and the downloads keep them.") if off else ""
    m1.metric("Claims shown", f"{n:,}", help=f"On the map, of {total:,} in the store, by the filters.{more}")
    m2.metric("Places", f"{shown['place_id'].nunique():,}" if n else "0")
    m3.metric("Sources", f"{shown['source'].nunique():,}" if n else "0")
    m4.metric("Contested", f"{int(shown['contested'].fillna(False).astype(bool).sum()):,}" if n else "0")
    if off:
        st.caption(f"Source layers turned off on the map: {', '.join(sorted(map(str, hidden)))} ({off:,} claims, "
                   "still in the table and the downloads).")


def _export_bytes(db: str, version: tuple, query: tuple, fmt: str) -> bytes:
    from geo import export  # on a download only: not part of a page's first run

    frame = _claims(db, version, query)
    with tempfile.TemporaryDirectory(prefix="frontline-export-") as tmp:
        path = Path(tmp) / f"claims.{fmt}"
        export.write(frame, fmt, path)
        return path.read_bytes()


def download_stem(filters: Filters) -> str:
    """"frontline-claims" plus what the filter keeps, for file names: frontline-claims_SY-RD_AFP_2024-12-07_2024-12-08."""
    parts = [*filters.provinces, *filters.sources, *filters.event_types, *filters.actors]
    if filters.since or filters.until:
        parts += [(filters.since.isoformat() if filters.since else "start"), (filters.until.isoformat() if filters.until else "end")]
    if filters.contested_only:
        parts.append("contested")
    tail = "_".join(re.sub(r"[^A-Za-z0-9-]+", "-", p).strip("-") for p in parts)
    return ("frontline-claims_" + tail)[:120].rstrip("_-") if tail else "frontline-claims"


def _downloads(query: tuple, version: tuple, n: int, filters: Filters) -> None:
    cols = st.columns(len(EXPORTS))
    stem = download_stem(filters)
    for col, (fmt, (label, mime)) in zip(cols, EXPORTS.items()):
        col.download_button(
            f"⬇ {label}", data=lambda fmt=fmt: _export_bytes(str(DB_PATH), version, query, fmt),
            file_name=f"{stem}.{fmt}", mime=mime, key=f"download_{fmt}", on_click="ignore",
            disabled=n == 0, width="stretch", help=f"The {n} filtered claims, as `python -m geo export --format {fmt}`.",
        )


TABLE_CONFIG = {
    "event_date": st.column_config.DateColumn("Event date"),
    "place": "Place",
    "province_name": "Province",
    "event_type": "Event",
    "actor": "Actor",
    "claimant": "Claimed by",
    "source": "Source",
    "contested": st.column_config.CheckboxColumn("Contested"),
    "corroboration": st.column_config.NumberColumn("Sources", help="Independent sources reporting the same"),
    "geo_precision": "Location",
    "evidence": st.column_config.TextColumn("Evidence", width="large"),
    "title": "Article",
    "url": st.column_config.LinkColumn("Link", display_text="open"),
}


@st.cache_data(show_spinner=False, max_entries=16)
def _table_frame(db: str, version: tuple, query: tuple) -> pd.DataFrame:
    """The claims table of a filter state, shaped once per filter state and store version."""
    return _compact(mapview.claims_table(_view(db, version, query)))


def _compact(table: pd.DataFrame) -> pd.DataFrame:
    """Text columns whose values repeat (places, sources, articles) as categories: the browser receives each
    distinct value once (Arrow dictionaries) instead of once per row, a few MB less at 10,000 claims."""
    out = table.copy()
    for col in out.columns:
        if col not in ("place_id", "event_date") and pd.api.types.is_string_dtype(out[col]) and len(out) > 50:
            if out[col].nunique(dropna=False) <= len(out) // 2:
                out[col] = out[col].astype("category")
    return out


def _table(table: pd.DataFrame) -> None:
    """The newest TABLE_ROWS claims of the filter (the table is newest first): beyond that the browser spends
    a second or more on rows nobody scrolls to, and the map waits for it. The downloads hold every claim."""
    if len(table) > TABLE_ROWS:
        st.caption(f"The {TABLE_ROWS:,} newest of {len(table):,} claims; narrow the filters to see others here, "
                   "or download them all below the map.")
        table = table.iloc[:TABLE_ROWS]
    st.session_state["_table_place_ids"] = table["place_id"].tolist() if len(table) else []
    st.dataframe(table.drop(columns=["place_id"]), key="table", on_select=_select_from_table,
                 selection_mode="single-row", hide_index=True, column_config=TABLE_CONFIG)


def _select_from_table() -> None:
    rows = st.session_state["table"].selection.rows
    ids = st.session_state.get("_table_place_ids", [])
    if rows and rows[0] < len(ids):
        st.session_state["place"] = ids[rows[0]]


def _place_timeline(frame: pd.DataFrame, version: tuple) -> None:
    places = mapview.place_choices(frame)
    if not places:
        return
    if st.session_state.get("place") not in places:
        st.session_state.pop("place", None)
    place_id = st.selectbox("Place timeline", options=list(places), format_func=places.get, key="place",
                            index=None, placeholder="Pick a place, or select a row in the table")
    if not place_id:
        return
    everything = _view(str(DB_PATH), version, ())
    history = everything[everything["place_id"] == place_id]
    side_by_side, disagreements = mapview.place_timeline(history)
    st.caption(f"Every claim about this place in the store, whatever the filters: {len(history)} claim(s) from "
               f"{history['source'].nunique()} source(s). Days where sources disagree are marked ⚠.")
    st.dataframe(side_by_side, width="stretch", key="timeline")
    if disagreements:
        st.warning(f"Sources disagree on {len(disagreements)} day(s): " + ", ".join(disagreements))
    st.dataframe(mapview.claims_table(history).drop(columns=["place_id"]), hide_index=True, key="timeline_claims",
                 column_config=TABLE_CONFIG)


def _bar_chart(counts: pd.DataFrame, by: str) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Stacked bars per day, with the legend below in as many rows as it needs (never cut off): the data
    and a Vega-Lite spec (written out rather than through Altair, whose import costs a cold start ~0.5 s)."""
    data = counts.rename_axis("day").reset_index().melt(id_vars="day", var_name=by, value_name="claims")
    data = data[data["claims"] > 0]
    spec = {
        "mark": {"type": "bar"},
        "height": 240,
        "encoding": {
            "x": {"field": "day", "type": "ordinal", "title": "event date", "sort": list(counts.index),
                  "axis": {"labelAngle": -45}},
            "y": {"aggregate": "sum", "field": "claims", "type": "quantitative", "title": "claims"},
            "color": {"field": by, "type": "nominal", "title": None,
                      "legend": {"orient": "bottom", "columns": 2, "labelLimit": 260}},
            "tooltip": [{"field": "day", "type": "ordinal", "title": "day"}, {"field": by, "type": "nominal"},
                        {"field": "claims", "type": "quantitative"}],
        },
    }
    return data, spec


def _chart(frame: pd.DataFrame) -> None:
    by = st.radio("Claims per day by", ["source", "event type"], horizontal=True, key="chart_by")
    counts = mapview.claims_per_day(frame, "source" if by == "source" else "event_type")
    spans = mapview.date_spans(frame)
    if counts.empty:
        st.caption("No claims dated to the day in the selection.")
    else:
        counts.index = [d.strftime("%Y-%m-%d %a") for d in counts.index]  # one bar per day, not a time axis
        # Vega-Lite reads a straight apostrophe in a series name ("People's Daily") as the end of a string in
        # its expressions and draws nothing: the typographic apostrophe reads the same and draws.
        counts.columns = [str(c).replace("'", "’") for c in counts.columns]
        data, spec = _bar_chart(counts, by)
        st.vega_lite_chart(data, spec, width="stretch", height=380)
    if spans:
        # Dated to a week or a month only: a span, not a day, so not a bar on its first day.
        st.caption(f"Not drawn (dated only to a week or a month): {len(spans)} claim(s) — " + "; ".join(spans[:6])
                   + ("; …" if len(spans) > 6 else ""))


def main() -> None:
    version = _db_version()
    store_exists = DB_PATH.exists()
    facets = _facets(str(DB_PATH), version) if store_exists else {
        "provinces": [], "sources": [], "event_types": [], "actors": [], "dates": (None, None)}
    _restore_from_url(facets)
    if st.session_state.get("playing"):
        _advance_play(facets)
    _sidebar(facets)
    _upload_panel()

    filters = _filters_from_widgets(facets)
    _mirror_to_url(filters)
    query = _query_key(filters)
    total = _total(str(DB_PATH), version) if store_exists else 0

    # Our own constant CSS (no article text). Map first: the map's frame takes the viewport's height below
    # Streamlit's header; the event feed is inside that frame, beside the map.
    st.html(f"<style>.block-container{{padding:3.4rem 1.2rem 2rem 1.2rem}} "
            f"iframe[title='streamlit_folium.st_folium']{{height:max({MAP_MIN_PX}px,calc(100vh - 4.6rem)) !important}}</style>")
    if url_error := st.session_state.pop("_url_error", None):
        st.warning(url_error)
    _url_notes()
    if total == 0:
        st.info(
            f"The store `{DB_PATH}` holds no claims yet. Add articles with **Add articles** in the sidebar, or from a "
            f"shell: `python -m geo ingest ARTICLES… --db {DB_PATH}` (`make sample` ingests the bundled sample corpus)."
        )

    if _base_first(str(DB_PATH), version, query, store_exists, total):
        _map(str(DB_PATH), version, query, store_exists, None, layers=False)
        st.caption("Drawing the claims…")
        _mirror_to_url(filters)
        # While the browser loads the map's frame: what the next run sends (cached per filter state).
        _view(str(DB_PATH), version, query)
        _map_layers(str(DB_PATH), version, query, store_exists)
        return
    frame = _view(str(DB_PATH), version, query) if store_exists else None
    n = 0 if frame is None else len(frame)
    st.session_state["_layers_sent"] = True
    hidden = _map(str(DB_PATH), version, query, store_exists, frame)
    if gaz_error := st.session_state.get("_gazetteer_error"):
        st.caption(f"Province shading and outlines unavailable: {gaz_error}")
    if _map_first(n):
        st.caption("The figures, the downloads, the claims table, the chart and the place timeline follow as soon "
                   "as the map is drawn.")
        _mirror_to_url(filters)
        return
    _metrics(frame, total, hidden)
    _downloads(query, version, n, filters)
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Claims")
        if n:
            _table(_table_frame(str(DB_PATH), version, query))
        else:
            st.caption("No claims match the filters.")
    with right:
        st.subheader("Claims per day")
        if n:
            _chart(frame)
    if n:
        st.subheader("Place timeline")
        _place_timeline(frame, version)
    _mirror_to_url(filters)  # again: a click on the map may have selected a place during this run

    if st.session_state.get("playing"):
        time.sleep(float(st.session_state.get("play_seconds") or PLAY_SECONDS))
        st.rerun()


def _provinces_for(provinces: Any, frame: pd.DataFrame | None, facets: dict[str, Any]) -> Any:
    """The admin-1 polygons worth drawing: those of the countries the store reports on."""
    if provinces is None:
        return None
    countries = {iso.split("-")[0] for iso, _ in facets["provinces"] if iso}
    if frame is not None and len(frame) and "country" in frame:
        countries |= set(frame["country"].dropna().astype(str))
    if not countries:
        return None
    return provinces[provinces["iso"].astype(str).str.split("-").str[0].isin(countries)]


main()
