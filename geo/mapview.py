"""The dashboard's map: a folium map built from a claims frame (Streamlit appears only in
base_payload/layers_payload, which use streamlit-folium's own helpers, named in geo.stfolium).

Input is the frame ``Store.claims_frame`` returns (one row per claim, the Claim fields of
geo/document.py plus a point geometry). Output is a :class:`folium.Map` that

- draws one layer per source (toggled in the layer control; a source the user turns off stays off when
  a filter change rebuilds the layers, for the browser tab: SourceLayerControl), each claim a small SVG marker whose
  shape says the event type and colour the actor (tables in data/map/style.json), hollow for
  province/region-scale claims, haloed for "near" claims, with rings for distance claims;
- shades provinces by their latest reported status (held by an actor, contested, no reports);
- loads Leaflet from Streamlit's static folder (``make vendor``), never from a CDN, over a basemap
  of country outlines that needs no tiles, OpenStreetMap tiles being a second, optional base layer.

The claims travel as one columnar payload (ClaimData: positions, icons and the numbers of escaped
text pieces, each distinct piece sent once); popups and tooltips are joined in the browser when opened.
The map comes in two halves: the base (basemap, legend, view of the whole store), which a dashboard
renders once per store, and the layers that follow the filters (map_parts, base_payload, layers_payload).

Everything an article contributes (place names as written, titles, evidence, claimants, sources,
urls) is untrusted and reaches the page only HTML-escaped (braces included: folium reads rendered
scripts as Jinja templates): Leaflet inserts popup and tooltip strings as HTML.
"""
from __future__ import annotations

import html
import json
import math
import re
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urlsplit

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
from folium.elements import JSCSSMixin
from folium.template import Template

from geo.resources import DATA_DIR

STYLE_PATH = DATA_DIR / "map" / "style.json"

# Where Streamlit serves `static/` (enableStaticServing) and `make vendor` puts the npm packages.
VENDOR_URL = "/app/static/vendor"
LEAFLET_JS = [
    ("leaflet", f"{VENDOR_URL}/leaflet/dist/leaflet.js"),
    ("leaflet_imagepath", f"{VENDOR_URL}/leaflet-imagepath.js"),
]
LEAFLET_CSS = [("leaflet_css", f"{VENDOR_URL}/leaflet/dist/leaflet.css")]
CLUSTER_JS = [("markerclusterjs", f"{VENDOR_URL}/leaflet.markercluster/dist/leaflet.markercluster.js")]
SUBGROUP_JS = [("subgroupjs", f"{VENDOR_URL}/leaflet.featuregroup.subgroup/dist/leaflet.featuregroup.subgroup.js")]
CLUSTER_CSS = [
    ("markerclustercss", f"{VENDOR_URL}/leaflet.markercluster/dist/MarkerCluster.css"),
    ("markerclusterdefaultcss", f"{VENDOR_URL}/leaflet.markercluster/dist/MarkerCluster.Default.css"),
]

# Above this many claims on the map, markers are clustered: thousands of DOM markers are slow.
CLUSTER_ABOVE = 400
EVIDENCE_MAX_CHARS = 400
ICON_PX = 22
HALO_PX = 34
FEED_PX = 310  # the event feed's width beside the map


# --------------------------------------------------------------------------- style (data/map)


@dataclass(frozen=True)
class MapStyle:
    """The legend tables of data/map/style.json."""

    actors: dict[str, dict[str, str]]
    default_actor: dict[str, str]
    event_types: dict[str, dict[str, str]]
    default_event_type: dict[str, str]
    precision: dict[str, dict[str, str]]
    provinces: dict[str, Any]
    rings: dict[str, str]
    basemap: dict[str, str]

    def actor_color(self, actor: str | None) -> str:
        return self.actors.get(actor or "", self.default_actor)["color"]

    def actor_label(self, actor: str | None) -> str:
        entry = self.actors.get(actor or "")
        return entry["label"] if entry else (actor or self.default_actor["label"])

    def event_shape(self, event_type: str | None) -> str:
        return self.event_types.get(event_type or "", self.default_event_type)["shape"]

    def event_label(self, event_type: str | None) -> str:
        entry = self.event_types.get(event_type or "")
        return entry["label"] if entry else (event_type or self.default_event_type["label"])

    def precision_style(self, geo_precision: str | None) -> str:
        return self.precision.get(geo_precision or "point", self.precision["point"])["style"]


def load_style(path: Path | str = STYLE_PATH) -> MapStyle:
    raw = json.loads(Path(path).read_text(encoding="utf-8"))
    return MapStyle(
        actors=raw["actors"],
        default_actor=raw["default_actor"],
        event_types=raw["event_types"],
        default_event_type=raw["default_event_type"],
        precision={k: v for k, v in raw["precision"].items() if not k.startswith("_")},
        provinces=raw["provinces"],
        rings=raw["rings"],
        basemap=raw["basemap"],
    )


@lru_cache(maxsize=1)
def default_style() -> MapStyle:
    return load_style()


# --------------------------------------------------------------------------- marker icons (SVG)


def _regular(n: int, r: float, rotate_deg: float = -90.0) -> list[tuple[float, float]]:
    return [
        (12 + r * math.cos(math.radians(rotate_deg + 360 * i / n)), 12 + r * math.sin(math.radians(rotate_deg + 360 * i / n)))
        for i in range(n)
    ]


def _star(points: int = 5, outer: float = 10.0, inner: float = 4.4) -> list[tuple[float, float]]:
    out = []
    for i in range(points * 2):
        r = outer if i % 2 == 0 else inner
        a = math.radians(-90 + 180 * i / points)
        out.append((12 + r * math.cos(a), 12 + r * math.sin(a)))
    return out


def _cross(arm: float = 9.0, half_width: float = 2.6) -> list[tuple[float, float]]:
    # An X: a plus sign turned 45 degrees.
    plus = [(-half_width, -arm), (half_width, -arm), (half_width, -half_width), (arm, -half_width),
            (arm, half_width), (half_width, half_width), (half_width, arm), (-half_width, arm),
            (-half_width, half_width), (-arm, half_width), (-arm, -half_width), (-half_width, -half_width)]
    c = s = math.sqrt(0.5)
    return [(12 + x * c - y * s, 12 + x * s + y * c) for x, y in plus]


_SHAPES: dict[str, list[tuple[float, float]] | None] = {
    "circle": None,
    "square": [(5, 5), (19, 5), (19, 19), (5, 19)],
    "diamond": [(12, 2.5), (21.5, 12), (12, 21.5), (2.5, 12)],
    "triangle": [(12, 3), (21.5, 20), (2.5, 20)],
    "triangle_down": [(2.5, 4), (21.5, 4), (12, 21)],
    "pentagon": _regular(5, 9.5),
    "hexagon": _regular(6, 9.5),
    "octagon": _regular(8, 9.5, -67.5),
    "star": _star(),
    "cross": _cross(),
}


def shape_svg(shape: str, fill: str, stroke: str, stroke_width: float = 1.6, dash: str | None = None) -> str:
    """One shape in a 24x24 box, as an SVG element string (not a whole <svg>)."""
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    common = f'fill="{fill}" stroke="{stroke}" stroke-width="{stroke_width}" stroke-linejoin="round"{dash_attr}'
    points = _SHAPES.get(shape)
    if points is None:
        return f'<circle cx="12" cy="12" r="7.5" {common}/>'
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    return f'<polygon points="{pts}" {common}/>'


def marker_svg(shape: str, color: str, precision_style: str, contested: bool = False) -> tuple[str, int]:
    """The marker for one claim: (svg markup, size in px).

    filled = a named town; hollow (dashed outline) = a province/region-wide claim, so that it does not
    read as a pin on a town; halo = "near" a place.
    """
    if precision_style == "hollow":
        body = shape_svg(shape, "#ffffff", color, stroke_width=2.6, dash="3 1.6")
        body = body.replace('fill="#ffffff"', 'fill="#ffffff" fill-opacity="0.55"')
    else:
        body = shape_svg(shape, color, "#ffffff")
    badge = '<circle cx="20" cy="4" r="3.6" fill="#6a1b9a" stroke="#fff" stroke-width="1.2"/>' if contested else ""
    if precision_style == "halo":
        size = HALO_PX
        pad = (HALO_PX - 24) / 2
        halo = (f'<circle cx="{HALO_PX / 2}" cy="{HALO_PX / 2}" r="{HALO_PX / 2 - 1.5}" fill="{color}" '
                f'fill-opacity="0.18" stroke="{color}" stroke-opacity="0.7" stroke-width="1.5" stroke-dasharray="4 3"/>')
        inner = f'<g transform="translate({pad} {pad})">{body}{badge}</g>'
        return f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 {size} {size}">{halo}{inner}</svg>', size
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="{ICON_PX}" height="{ICON_PX}" viewBox="0 0 24 24">{body}{badge}</svg>'
    return svg, ICON_PX


# --------------------------------------------------------------------------- popups (escaped)


def _text(value: Any) -> str:
    """A cell as display text: '' for missing values."""
    if value is None:
        return ""
    if isinstance(value, str):  # most cells: no missing-value test needed (it costs more than the rest)
        return value
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def esc(value: Any) -> str:
    """HTML-escaped display text of an untrusted value. Braces become character references too: folium
    reads rendered scripts as Jinja templates, where '{{' or '{%' in an article would be template code."""
    return html.escape(_text(value), quote=True).replace("{", "&#123;").replace("}", "&#125;")


def safe_url(value: Any) -> str | None:
    """The url if it is a plain http(s) link, else None: a javascript: url would run on click."""
    url = _text(value).strip()
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def popup_html(row: dict[str, Any], style: MapStyle) -> str:
    """The popup of one claim; every article-derived value escaped."""
    return "".join(popup_parts(row, style))


def _badges(row: dict[str, Any], style: MapStyle) -> str:
    color = style.actor_color(row.get("actor"))
    badges = [
        f'<span class="fl-chip" style="background:{color}">{esc(style.actor_label(row.get("actor")))}</span>',
        f'<span class="fl-chip fl-chip-event">{esc(style.event_label(row.get("event_type")))}</span>',
    ]
    if _flag(row.get("contested")):
        badges.append('<span class="fl-chip fl-contested" title="Another report disputes this">contested</span>')
    corroboration = row.get("corroboration")
    try:
        n_sources = int(corroboration) if corroboration is not None and not pd.isna(corroboration) else 0
    except (TypeError, ValueError):
        n_sources = 0
    if n_sources >= 2:
        badges.append(f'<span class="fl-chip fl-corroborated" title="Independent sources reporting the same">'
                      f'{n_sources} sources</span>')
    elif n_sources == 1:
        badges.append('<span class="fl-chip fl-single">single source</span>')
    return f'<div class="fl-badges">{"".join(badges)}</div>'


def _flag(value: Any) -> bool:
    try:
        return bool(value) and not pd.isna(value)
    except (TypeError, ValueError):
        return bool(value)


def _head(row: dict[str, Any], style: MapStyle) -> str:
    province = esc(row.get("province_name")) or esc(row.get("province"))
    if province and _text(row.get("province")) and _text(row.get("province")) not in province:
        province += f" ({esc(row.get('province'))})"
    return (f'<div class="fl-popup"><div class="fl-place">{esc(row.get("place"))}'
            f'{f" <span class=fl-muted>{province}</span>" if province else ""}</div>')


def _fact(label: str, value: str) -> str:
    return f"<tr><th>{label}</th><td>{value}</td></tr>" if value else ""


def _when(row: dict[str, Any], style: MapStyle) -> str:
    when = esc(row.get("event_date")) or "date unknown"
    if _text(row.get("date_precision")):
        when += f' <span class="fl-muted">({esc(row.get("date_precision"))})</span>'
    return _fact("Event date", when)


def _where(row: dict[str, Any], style: MapStyle) -> str:
    where = esc(style.precision.get(_text(row.get("geo_precision")) or "point", {}).get("label", row.get("geo_precision")))
    if _text(row.get("distance_km")):
        where += f' · within {esc(row.get("distance_km"))} km'
    return _fact("Location", where)


def _link(row: dict[str, Any], style: MapStyle) -> str:
    title = esc(_truncate(_text(row.get("title")) or _text(row.get("article")), 160))
    url = safe_url(row.get("url"))
    link = (f'<a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer nofollow">{title}</a>'
            if url else title)
    return f'<div class="fl-article">{link}</div></div>'


def _evidence(row: dict[str, Any], style: MapStyle) -> str:
    return esc(_truncate(_text(row.get("evidence")), EVIDENCE_MAX_CHARS))


# A popup is these pieces in order: literal markup (a str) or a piece computed from some columns of the
# claim. Pieces repeat across claims (same place, same article, same day), so the map sends each distinct
# piece once and, per claim, only its number; the browser joins them when a popup opens.
_PopupPiece = tuple[str, tuple[str, ...], Any]
POPUP_TEMPLATE: list[str | _PopupPiece] = [
    ("head", ("place", "province_name", "province"), _head),
    ("badges", ("actor", "event_type", "contested", "corroboration"), _badges),
    # contest_note: markup built by contest_notes from escaped values (what contests this claim), or absent.
    ("contest", ("contest_note",), lambda r, s: _text(r.get("contest_note"))),
    "<table>",
    ("claimant", ("claimant",), lambda r, s: _fact("Claimed by", esc(r.get("claimant")) or '<span class="fl-muted">not stated</span>')),
    ("when", ("event_date", "date_precision"), _when),
    ("source", ("source",), lambda r, s: _fact("Source", esc(r.get("source")))),
    ("published", ("published",), lambda r, s: _fact("Published", esc(r.get("published")))),
    ("where", ("geo_precision", "distance_km"), _where),
    "</table><blockquote>",
    ("evidence", ("evidence",), _evidence),
    "</blockquote>",
    ("link", ("title", "article", "url"), _link),
]
# Hover text: "place: Event · Actor · date · source", escaped.
TOOLTIP_TEMPLATE: list[str | _PopupPiece] = [
    ("tip_place", ("place",), lambda r, s: esc(r.get("place"))),
    ": ",
    ("tip_label", ("event_type", "actor"), lambda r, s: esc(f"{s.event_label(r.get('event_type'))} · {s.actor_label(r.get('actor'))}")),
    " · ",
    ("tip_date", ("event_date",), lambda r, s: esc(r.get("event_date")) or "undated"),
    " · ",
    ("tip_source", ("source",), lambda r, s: esc(r.get("source"))),
]


def _fill(template: list[str | _PopupPiece], row: dict[str, Any], style: MapStyle) -> list[str]:
    return [piece if isinstance(piece, str) else piece[2](row, style) for piece in template]


def popup_parts(row: dict[str, Any], style: MapStyle) -> list[str]:
    """The popup as consecutive HTML pieces (POPUP_TEMPLATE): literal markup and escaped facts."""
    return _fill(POPUP_TEMPLATE, row, style)


def tooltip_text(row: dict[str, Any], style: MapStyle) -> str:
    """Short hover text, escaped (Leaflet tooltips take HTML)."""
    return "".join(_fill(TOOLTIP_TEMPLATE, row, style))


# --------------------------------------------------------------------------- claims layers


class _Text(folium.Element):
    """Text put into the page as it is (never read as a template)."""

    _template = Template("{{ this.text }}")

    def __init__(self, text: str):
        super().__init__()
        self.text = text


class _PlainScript(folium.MacroElement):
    """Renders its script into the page as plain text. folium's MacroElement.render wraps the rendered
    script in a new Jinja template: slow for megabytes of claims, and article text such as '{{' or '{%'
    would be read as template code."""

    def render(self, **kwargs: Any) -> None:
        figure = self.get_root()
        script = self._template.module.__dict__["script"](self, kwargs)
        figure.script.add_child(_Text(script), name=self.get_name())
        for child in list(self._children.values()):
            child.render(**kwargs)


class ClaimData(JSCSSMixin, folium.FeatureGroup, _PlainScript):
    """Every claim drawn on the map, as columns (one entry per claim, claims grouped by source) and shared
    tables (icons, escaped text pieces), sent once; the source layers refer to ranges of it. Its own
    Leaflet layer is an empty group that holds the data and the code that turns a range into markers.

    Popups and tooltips are joined from the pieces only when opened, and icons are shared, so 10,000
    claims cost one loop in the browser and no per-claim HTML.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.layerGroup();
        {{ this.get_name() }}.claims = (function (D) {
            var C = D.columns, S = D.strings, icons = {}, markers = {}, groups = {},
                popupWidth = Math.max(200, Math.min(380, window.innerWidth - 130)),
                popupHeight = Math.max(220, window.innerHeight - 170), roomy = window.innerWidth >= 700;
            function join(template, i) {
                var out = "";
                for (var k = 0; k < template.length; k++) {
                    var p = template[k];
                    out += typeof p === "string" ? p : S[C[p[0]][i]];
                }
                return out;
            }
            function popup(layer) { return join(D.popup, layer.options.claim); }
            function tooltip(layer) { return join(D.tooltip, layer.options.claim); }
            // Escaped HTML -> plain text, parsed in an inert <template> (nothing in it loads or runs).
            function plain(html) { var t = document.createElement("template"); t.innerHTML = html; return t.content.textContent; }
            function labelled() {
                // Screen readers and keyboard users get the marker's hover text as its name.
                if (this._icon) { this._icon.setAttribute("aria-label", plain(tooltip(this))); this._icon.setAttribute("role", "button"); }
            }
            function icon(i) {
                var dx = C.dx ? C.dx[i] : 0, dy = C.dy ? C.dy[i] : 0, key = C.icon[i] + "/" + dx + "/" + dy;
                if (!icons[key]) {
                    var ic = D.icons[C.icon[i]], half = ic[1] / 2;
                    icons[key] = L.divIcon({html: ic[0], className: "fl-marker", iconSize: [ic[1], ic[1]],
                                            iconAnchor: [half - dx, half - dy], popupAnchor: [dx, dy - half],
                                            tooltipAnchor: [dx, dy - half]});
                }
                return icons[key];
            }
            var api = {
                data: D, markers: markers, groups: groups, join: join, cluster: null,
                // The markers of claims start..end-1 (source number k) as one layer; clustered in `cluster`
                // when given. The layer carries its source's key (escaped text, never code) for the layer control.
                layer: function (start, end, cluster, k) {
                    var group = L.featureGroup(), list = [];
                    group.frontlineSource = D.sources[k];
                    for (var i = start; i < end; i++) {
                        var m = L.marker([C.lat[i], C.lon[i]], {icon: icon(i), riseOnHover: true, title: "", claim: i});
                        // Popups fit the frame (a phone's too) and pan clear of the zoom buttons and layer list.
                        m.bindPopup(popup, {maxWidth: popupWidth, minWidth: Math.min(240, popupWidth), maxHeight: popupHeight,
                                            autoPanPaddingTopLeft: roomy ? [54, 54] : [30, 54],
                                            autoPanPaddingBottomRight: roomy ? [54, 40] : [14, 40]});
                        m.bindTooltip(tooltip, {direction: "top"});
                        m.on("add", labelled);
                        list.push(m);
                        markers[i] = m;
                        groups[i] = group;
                        if (C.ring && C.ring[i]) {
                            L.circle([C.lat[i], C.lon[i]], Object.assign({radius: C.ring[i] * 1000, interactive: false},
                                     D.ring_style)).addTo(group);
                        }
                    }
                    if (!cluster) {
                        group.addLayer(L.featureGroup(list));
                        return group;
                    }
                    api.cluster = cluster;
                    // One clustering for all sources: each source is a subgroup of the shared cluster group,
                    // so toggling a source re-clusters what remains instead of stacking per-source clusters.
                    var sub = L.featureGroup.subGroup(cluster, list), batchRemove = sub.onRemove;
                    sub.onRemove = function (map) {
                        // When a filter change replaces every layer, the cluster group leaves the map first;
                        // taking thousands of markers out of it one by one then is quadratic, and useless.
                        if (cluster._map) { batchRemove.call(this, map); } else { this._map = null; }
                    };
                    group.addLayer(sub);
                    return group;
                }
            };
            // The event feed and the place labels (FrontlineUI, in the base map) follow these claims.
            if (window.frontline) { window.frontline.pending = api; }
            return api;
        })({{ this.payload }});
        {% endmacro %}
        """
    )

    def __init__(self, columns: dict[str, list[Any] | None], strings: list[str], icons: list[list[Any]],
                 ring_style: dict[str, Any], *, clustered: bool, sources: list[str] | None = None,
                 feed: list[int] | None = None, labels: list[list[Any]] | None = None):
        super().__init__(name="claims", overlay=True, control=False, show=True)
        self.columns = columns
        # Claim numbers newest first (the event feed), and [lat, lon, escaped name, px to clear] per place label.
        self.feed = list(feed if feed is not None else range(len(columns["lat"])))
        self.labels = list(labels or [])
        # One key per source layer, in layer order: the source name HTML-escaped as everywhere else.
        self.sources = list(sources or [])
        self.strings = strings
        self.icons = icons
        self.ring_style = ring_style
        self._payload: str | None = None
        self.default_js = SUBGROUP_JS if clustered else []
        self.default_css = []

    @property
    def payload(self) -> str:
        """The data as a JavaScript literal (computed once: st_folium renders each layer twice)."""
        if self._payload is None:
            # Literal markup as strings, pieces as [column name].
            templates = {name: [p if isinstance(p, str) else [p[0]] for p in template]
                         for name, template in (("popup", POPUP_TEMPLATE), ("tooltip", TOOLTIP_TEMPLATE))}
            self._payload = _script_json({"columns": self.columns, "strings": self.strings, "icons": self.icons,
                                          "ring_style": self.ring_style, "sources": self.sources, "feed": self.feed,
                                          "labels": self.labels, **templates})
        return self._payload

    def __len__(self) -> int:
        return len(self.columns["lat"])

    def popup(self, i: int) -> str:
        """Claim i's popup HTML, joined as the browser joins it."""
        return self._join(POPUP_TEMPLATE, i)

    def tooltip(self, i: int) -> str:
        return self._join(TOOLTIP_TEMPLATE, i)

    def _join(self, template: list[str | _PopupPiece], i: int) -> str:
        return "".join(p if isinstance(p, str) else self.strings[self.columns[p[0]][i]] for p in template)

    def marker(self, i: int) -> dict[str, Any]:
        """Claim i's marker: position, icon (svg, size in px), pixel offset and ring radius (km, 0 for none)."""
        c = self.columns
        svg, size = self.icons[c["icon"][i]]
        return {"lat": c["lat"][i], "lon": c["lon"][i], "svg": svg, "size": size,
                "dx": c["dx"][i] if c["dx"] else 0.0, "dy": c["dy"][i] if c["dy"] else 0.0,
                "ring_km": c["ring"][i] if c["ring"] else 0.0, "popup": self.popup(i), "tooltip": self.tooltip(i)}


class ClaimLayer(folium.FeatureGroup, _PlainScript):
    """One source's claims (a range of ClaimData), as a Leaflet feature group the layer control toggles."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = {{ this.data.get_name() }}.claims.layer({{ this.start }}, {{ this.end }},
            {{ this.cluster.get_name() if this.cluster is not none else "null" }}, {{ this.source_index }});
        {% endmacro %}
        """
    )

    def __init__(self, name: str, data: ClaimData, start: int, end: int, *, cluster: "ClaimCluster | None",
                 show: bool = True, source_index: int = 0):
        super().__init__(name=name, overlay=True, control=True, show=show)
        self.data, self.start, self.end, self.cluster = data, start, end, cluster
        self.source_index = int(source_index)

    @property
    def source_key(self) -> str | None:
        """The key the browser remembers this source by when the user turns it off (``ClaimData.sources``)."""
        return self.data.sources[self.source_index] if self.source_index < len(self.data.sources) else None

    @property
    def rows(self) -> list[dict[str, Any]]:
        """This layer's markers as ClaimData.marker describes them."""
        return [self.data.marker(i) for i in range(self.start, self.end)]


class ClaimCluster(JSCSSMixin, folium.FeatureGroup):
    """The marker cluster group the sources' layers share (not itself in the layer control)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.markerClusterGroup(Object.assign({{ this.options|tojson }}, {
            iconCreateFunction: function (cluster) {
                var n = cluster.getChildCount(), size = n < 10 ? 30 : n < 100 ? 36 : n < 1000 ? 44 : 52;
                return L.divIcon({html: "<div><span>" + n + "</span></div>", className: "marker-cluster fl-cluster",
                                  iconSize: L.point(size, size)});
            }
        }));
        {% endmacro %}
        """
    )

    def __init__(self) -> None:
        super().__init__(name="clusters", overlay=True, control=False, show=True)
        self.options = {"chunkedLoading": True, "maxClusterRadius": 45, "showCoverageOnHover": False,
                        "spiderfyDistanceMultiplier": 1.6}
        self.default_js = list(CLUSTER_JS)
        self.default_css = list(CLUSTER_CSS)


def _fan_out(keys: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Pixel offsets that spread markers sharing a point around it, so none hides another.

    Offsets are in screen pixels (the icon anchor), so the geography stays exactly as reported.
    """
    groups: dict[tuple[float, float], list[int]] = {}
    for i, k in enumerate(keys):
        groups.setdefault(k, []).append(i)
    out = [(0.0, 0.0)] * len(keys)
    for members in groups.values():
        n = len(members)
        if n == 1:
            continue
        radius = 10 + 2.2 * min(n, 24)
        for j, i in enumerate(members):
            a = -math.pi / 2 + 2 * math.pi * j / n
            out[i] = (round(radius * math.cos(a), 1), round(radius * math.sin(a), 1))
    return out


def _coords(claims: pd.DataFrame) -> tuple[list[float], list[float]]:
    if isinstance(claims, gpd.GeoDataFrame) and claims.geometry.name in claims and len(claims):
        geom = claims.geometry
        if geom.notna().all() and (geom.geom_type == "Point").all():
            return geom.y.tolist(), geom.x.tolist()
    return pd.to_numeric(claims["lat"]).tolist(), pd.to_numeric(claims["lon"]).tolist()


def _groups(columns: dict[str, pd.Series], n: int, names: tuple[str, ...]) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Each of the ``n`` rows' group number by its values in the columns ``names`` (missing values being
    one value), and one record per group, in group order."""
    present = [c for c in names if c in columns]
    codes = np.zeros(n, dtype=np.int64)
    for name in present:
        column_codes, uniques = pd.factorize(columns[name].to_numpy(), use_na_sentinel=False)
        codes, _ = pd.factorize(codes * (len(uniques) + 1) + column_codes)
    _, first = np.unique(codes, return_index=True)
    picked = {name: columns[name].iloc[first].tolist() for name in present}
    return codes, [{name: picked[name][k] for name in present} for k in range(len(first))]


def claim_layers(claims: pd.DataFrame, style: MapStyle, *, cluster: "ClaimCluster | None" = None,
                 area_points: dict[str, tuple[float, float]] | None = None) -> list[folium.FeatureGroup]:
    """The claims' data (ClaimData) and one ClaimLayer per source, sources in alphabetical order; markers
    clustered in ``cluster`` if given. Empty without located claims.

    ``area_points``: province ISO code -> (lat, lon) of a point inside it. A province-wide (admin1) claim is
    drawn there, inside the outline AreaClaims draws, rather than on the town the gazetteer centres it on."""
    if claims is None or len(claims) == 0:
        return []
    lats, lons = (np.asarray(v, dtype=float) for v in _coords(claims))
    if area_points and "geo_precision" in claims and "province" in claims:
        lats, lons = lats.copy(), lons.copy()
        is_area = (claims["geo_precision"].astype(str) == "admin1").to_numpy()
        for i in np.nonzero(is_area)[0]:
            point = area_points.get(_text(claims["province"].iloc[i]))
            if point is not None:
                lats[i], lons[i] = point
    frame = pd.DataFrame(claims.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    located = ~(np.isnan(lats) | np.isnan(lons))
    if not located.any():
        return []
    frame, lats, lons = frame[located].reset_index(drop=True), lats[located], lons[located]
    sources = (frame["source"] if "source" in frame else pd.Series([None] * len(frame))).map(_text)
    sources = sources.where(sources != "", "(unknown source)")
    order = sorted(dict.fromkeys(sources), key=str.lower)
    rank = {s: i for i, s in enumerate(order)}
    perm = np.argsort(sources.map(rank).to_numpy(), kind="stable")
    frame, lats, lons, sources = frame.iloc[perm].reset_index(drop=True), lats[perm], lons[perm], sources.iloc[perm]

    table = _StringTable()
    columns: dict[str, list[Any] | None] = {"lat": np.round(lats, 5).tolist(), "lon": np.round(lons, 5).tolist()}
    arrays = {c: frame[c] for c in frame.columns}
    for piece in [*POPUP_TEMPLATE, *TOOLTIP_TEMPLATE]:
        if isinstance(piece, str):
            continue
        name, needs, make = piece
        codes, records = _groups(arrays, len(frame), needs)
        index = np.array([table.index(make(record, style)) for record in records], dtype=np.int64)
        columns[name] = index[codes].tolist()

    icon_index: dict[tuple[str, str, str, bool], int] = {}
    icons: list[list[Any]] = []
    codes, records = _groups(arrays, len(frame), ("event_type", "actor", "geo_precision", "contested"))
    per_group = []
    for rec in records:
        key = (style.event_shape(rec.get("event_type")), style.actor_color(rec.get("actor")),
               style.precision_style(rec.get("geo_precision")), _flag(rec.get("contested")))
        if key not in icon_index:
            icon_index[key] = len(icons)
            icons.append(list(marker_svg(*key)))
        per_group.append(icon_index[key])
    columns["icon"] = np.array(per_group, dtype=np.int64)[codes].tolist()

    if cluster is None:
        offsets = _fan_out([(round(a, 4), round(b, 4)) for a, b in zip(lats.tolist(), lons.tolist())])
        columns["dx"], columns["dy"] = [o[0] for o in offsets], [o[1] for o in offsets]
    else:
        columns["dx"] = columns["dy"] = None  # clusters spread markers that share a point
    rings = pd.to_numeric(frame["distance_km"], errors="coerce") if "distance_km" in frame else pd.Series(0.0, index=frame.index)
    rings = rings.where(rings > 0, 0.0).fillna(0.0)
    columns["ring"] = [float(r) for r in rings] if (rings > 0).any() else None

    ring_style = {"color": style.rings["color"], "weight": 1.5, "dashArray": style.rings["dash"], "fill": False}
    data = ClaimData(columns, table.strings, icons, ring_style, clustered=cluster is not None,
                     sources=[source_key(source) for source in order], feed=feed_order(frame),
                     labels=claim_labels(frame, lats, lons, clustered=cluster is not None))
    bounds = np.searchsorted(sources.map(rank).to_numpy(), np.arange(len(order) + 1))
    return [data] + [ClaimLayer(_layer_name(source, int(bounds[k + 1] - bounds[k])), data, int(bounds[k]),
                                int(bounds[k + 1]), cluster=cluster, source_index=k)
                     for k, source in enumerate(order)]


def feed_order(frame: pd.DataFrame) -> list[int]:
    """Row numbers of ``frame`` newest first (event date, else publication date; then place), as the event
    feed lists them; undated claims last."""
    if len(frame) == 0:
        return []
    day = pd.to_datetime(frame["event_date"] if "event_date" in frame else None, errors="coerce")
    if "published" in frame:
        day = day.fillna(pd.to_datetime(frame["published"], errors="coerce"))
    keys = pd.DataFrame({"day": day, "place": frame["place"].map(_text) if "place" in frame else "",
                         "n": np.arange(len(frame))})
    keys = keys.sort_values(["day", "place", "n"], ascending=[False, True, True], na_position="last", kind="stable")
    return keys["n"].astype(int).tolist()


def claim_labels(frame: pd.DataFrame, lats: np.ndarray, lons: np.ndarray, *, clustered: bool) -> list[list[Any]]:
    """One label per claimed place: [lat, lon, escaped name, pixels to keep clear around the point, claims].

    The clearance is the radius of the fan of markers drawn around the point (_fan_out) plus half an icon, so
    the label sits beside the markers rather than over them."""
    if len(frame) == 0:
        return []
    names = frame["place"].map(_text) if "place" in frame else pd.Series([""] * len(frame))
    keys = pd.DataFrame({"lat": np.round(lats, 4), "lon": np.round(lons, 4), "name": names.to_numpy()})
    at_point = keys.groupby(["lat", "lon"]).size().to_dict()
    out = []
    for (lat, lon, name), group in keys.groupby(["lat", "lon", "name"], sort=False):
        if not name:
            continue
        n_here = int(at_point[(lat, lon)])
        clear = ICON_PX / 2 + 2 if clustered or n_here == 1 else 10 + 2.2 * min(n_here, 24) + ICON_PX / 2 + 2
        out.append([float(lat), float(lon), esc(name), round(clear, 1), len(group)])
    return out


class _StringTable:
    """Distinct strings, each sent once; rows refer to them by position."""

    def __init__(self) -> None:
        self.strings: list[str] = []
        self._index: dict[str, int] = {}

    def index(self, text: str) -> int:
        i = self._index.get(text)
        if i is None:
            i = self._index[text] = len(self.strings)
            self.strings.append(text)
        return i


def _layer_name(source: str, n: int) -> str:
    # The layer control inserts names as HTML.
    return f"{esc(source)} ({n})"


def source_key(source: str) -> str:
    """The key of a source's layer in the browser: its name escaped as the layer name is (so it is one key
    per source whatever the count in the label, and never template or markup text)."""
    return esc(source)


class SourceLayerControl(folium.LayerControl):
    """The layer control, which also keeps the sources the user turned off turned off.

    A filter change makes streamlit-folium remove every layer and add the new ones, all switched on. This
    control takes the layers of the sources the user has turned off in this browser tab (by source key,
    kept in sessionStorage) off the map before it lists them, so they stay unticked and out of the
    clusters; ticking a source again forgets it. Only the user's clicks in the control change what is
    remembered, not the removal of the old layers before a rebuild. The keys of the sources turned off
    reach the dashboard in the component's value (``selected_tags``: :func:`hidden_sources` reads them).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
            var {{ this.get_name() }}_layers = {
                base_layers : {
                    {%- for key, val in this.base_layers.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
                overlays :  {
                    {%- for key, val in this.overlays.items() %}
                    {{ key|tojson }} : {{val}},
                    {%- endfor %}
                },
            };
            var {{ this.get_name() }}_hidden = (function () {
                var key = {{ this.storage_key|tojson }};
                function read() {
                    try {
                        var stored = JSON.parse(window.sessionStorage.getItem(key) || "[]");
                        if (Array.isArray(stored)) { return stored; }
                    } catch (e) { /* storage refused or spoilt: the page's own copy */ }
                    return window.frontlineHiddenSources || [];
                }
                function write(list) {
                    window.frontlineHiddenSources = list;
                    try { window.sessionStorage.setItem(key, JSON.stringify(list)); } catch (e) { /* page copy only */ }
                }
                return {
                    has: function (source) { return read().indexOf(source) >= 0; },
                    list: function () { return read().slice().sort(); },
                    set: function (source, hidden) {
                        var list = read().filter(function (s) { return s !== source; });
                        if (hidden) { list.push(source); }
                        write(list);
                    }
                };
            })();
            // The sources turned off, told to the dashboard so that its figures count what the map shows. They
            // travel in streamlit-folium's value under "selected_tags" (a key it sends as given and this map does
            // not otherwise use: no tag filter buttons), so its own updates keep carrying them.
            window.frontlineReportHidden = function (list) {
                var g = window.__GLOBAL_DATA__;
                if (!g || !window.Streamlit) { return; }
                g.selected_tags = list;
                var before = g.previous_data || {};
                if (JSON.stringify(before.selected_tags || []) === JSON.stringify(list)) { return; }
                g.previous_data = Object.assign({}, before, {selected_tags: list});
                window.Streamlit.setComponentValue(g.previous_data);
            };
            (function (map, overlays) {
                for (var name in overlays) {
                    var layer = overlays[name];
                    if (typeof layer.frontlineSource === "string" && {{ this.get_name() }}_hidden.has(layer.frontlineSource)
                            && map.hasLayer(layer)) {
                        map.removeLayer(layer);
                    }
                }
            })({{ this._parent.get_name() }}, {{ this.get_name() }}_layers.overlays);
            let {{ this.get_name() }} = L.control.layers(
                {{ this.get_name() }}_layers.base_layers,
                {{ this.get_name() }}_layers.overlays,
                {{ this.options|tojavascript }}
            ).addTo({{ this._parent.get_name() }});
            (function (map, control, hidden) {
                if (map.frontlineSourceToggle) { map.off("overlayadd overlayremove", map.frontlineSourceToggle); }
                map.frontlineSourceToggle = function (e) {
                    // _handlingClick: set by Leaflet while it applies a click in the control.
                    if (!control._handlingClick || !e.layer || typeof e.layer.frontlineSource !== "string") { return; }
                    hidden.set(e.layer.frontlineSource, e.type === "overlayremove");
                    window.frontlineReportHidden(hidden.list());
                };
                map.on("overlayadd overlayremove", map.frontlineSourceToggle);
                window.frontlineReportHidden(hidden.list());
            })({{ this._parent.get_name() }}, {{ this.get_name() }}, {{ this.get_name() }}_hidden);
            // The feed and the labels follow the new layers (FrontlineUI; absent from maps built without it).
            if (window.frontline && window.frontline.refresh) { window.frontline.refresh(); }
        {% endmacro %}
        """
    )

    storage_key = "frontline.hiddenSources"


def hidden_sources(value: dict[str, Any] | None, sources: Iterable[Any]) -> set[str]:
    """Of ``sources``, those whose layer the user has turned off on the map, from the map component's
    value (SourceLayerControl reports the keys of the sources turned off)."""
    keys = set((value or {}).get("selected_tags") or ())
    return {s for s in sources if source_key(_text(s) or "(unknown source)") in keys} if keys else set()


# --------------------------------------------------------------------------- provinces


@dataclass
class ProvinceStatus:
    iso: str
    status: str  # "held" | "contested" | "partial" | "activity"
    holder: str | None
    as_of: str | None
    n_claims: int
    actors: list[str] = field(default_factory=list)
    # The claims that decide the status: (place, event type, actor, date, source), latest first.
    decided_by: list[tuple[str, str, str, str, str]] = field(default_factory=list)


def province_statuses(claims: pd.DataFrame, style: MapStyle) -> dict[str, ProvinceStatus]:
    """The latest reported status of each province that has claims.

    Only claims about the province itself (geo_precision admin1) can say it is held: the holder is the actor
    of the latest such claim whose event type establishes control (holding_events: capture, defence);
    contested when, on that day, they name more than one actor or one of them is disputed. A town's capture
    says nothing about the rest of its province: a province whose only control claims are about places in it
    is "partial" (those places are held, not the province). Provinces with claims but no control claim are
    "activity". ``decided_by`` lists the claims each status rests on.
    """
    if claims is None or len(claims) == 0 or "province" not in claims:
        return {}
    frame = pd.DataFrame(claims.drop(columns="geometry", errors="ignore"))
    frame = frame[frame["province"].notna() & (frame["province"].astype(str) != "")]
    if frame.empty:
        return {}
    frame = frame.assign(
        _day=pd.to_datetime(frame.get("event_date"), errors="coerce")
        .fillna(pd.to_datetime(frame.get("published"), errors="coerce"))
    )
    precision = frame["geo_precision"].astype(str) if "geo_precision" in frame else pd.Series("point", index=frame.index)
    frame = frame.assign(_area=(precision == "admin1").to_numpy())
    holding = set(style.provinces["holding_events"])
    out: dict[str, ProvinceStatus] = {}
    for iso, group in frame.groupby(frame["province"].astype(str)):
        held = group[group["event_type"].isin(holding) & group["_day"].notna()]
        if held.empty:
            out[iso] = ProvinceStatus(iso, "activity", None, None, len(group))
            continue
        about_province = held[held["_area"]]
        basis = about_province if len(about_province) else held
        latest_day = basis["_day"].max()
        latest = basis[basis["_day"] == latest_day]
        actors = sorted(set(latest["actor"].astype(str)))
        # Only the columns named (a whole day of claims as dicts of every column costs a cold page load ~0.3 s).
        named = latest[[c for c in ("place", "event_type", "actor", "source") if c in latest]]
        decided = [(_text(r.get("place")), _text(r.get("event_type")), _text(r.get("actor")), latest_day.date().isoformat(),
                    _text(r.get("source"))) for r in named.to_dict("records")]
        decided = list(dict.fromkeys(decided))
        if len(about_province):
            disputed = bool(latest.get("contested", pd.Series(False, index=latest.index)).fillna(False).astype(bool).any())
            status = "contested" if len(actors) > 1 or disputed else "held"
        else:
            status = "partial"
        out[iso] = ProvinceStatus(iso, status, actors[0] if status in ("held", "partial") and len(actors) == 1 else None,
                                  latest_day.date().isoformat(), len(group), actors, decided)
    return out


class ProvinceShading(folium.FeatureGroup, _PlainScript):
    """Province polygons shaded by their latest reported status, with an escaped tooltip (province, ISO
    code, status). ``data`` is a GeoJSON FeatureCollection whose properties carry the style."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.payload }}, {
            smoothFactor: 1.0,
            style: function (f) {
                var p = f.properties;
                return {fillColor: p._color, fillOpacity: p._opacity, color: p._line || "#607d8b", weight: p._weight || 0.8,
                        dashArray: p._dash};
            },
            onEachFeature: function (f, layer) {
                var p = f.properties;  // escaped in Python
                layer.bindTooltip("<table><tr><th>Province</th><td>" + p.name + "</td></tr><tr><th>ISO</th><td>" + p.iso
                                  + "</td></tr><tr><th>Status</th><td>" + p.status + "</td></tr>"
                                  + (p.decided ? "<tr><th>Decided by</th><td>" + p.decided + "</td></tr>" : "") + "</table>",
                                  {sticky: false, className: "fl-province-tip"});
                layer.on({mouseover: function (e) { e.target.setStyle({weight: 2.5, color: "#263238"}); },
                          mouseout: function (e) { {{ this.get_name() }}.resetStyle(e.target); }});
            }
        });
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any]):
        super().__init__(name="Provinces: latest reported status", overlay=True, control=True, show=True)
        self.data = data

    @property
    def payload(self) -> str:
        return _script_json(self.data)


class AreaClaims(folium.FeatureGroup, _PlainScript):
    """Province-wide (admin1) claims drawn as their province: a dashed outline and a light fill in the colour
    of the latest such claim's actor. The claims' markers sit inside (claim_layers' area_points) and carry
    the popups; the outline itself takes no clicks, so the province shading's tooltip still answers."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        var {{ this.get_name() }} = L.geoJson({{ this.payload }}, {
            interactive: false,
            style: function (f) {
                var p = f.properties;
                return {color: p._color, weight: 2.4, dashArray: "7 5", fillColor: p._color, fillOpacity: 0.12};
            }
        });
        {% endmacro %}
        """
    )

    def __init__(self, data: dict[str, Any]):
        super().__init__(name="Province-wide claims (areas)", overlay=True, control=True, show=True)
        self.data = data

    @property
    def payload(self) -> str:
        return _script_json(self.data)


def area_layer(provinces: gpd.GeoDataFrame | None, claims: pd.DataFrame, style: MapStyle,
               simplify_deg: float = 0.01) -> tuple[AreaClaims | None, dict[str, tuple[float, float]]]:
    """The provinces that province-wide claims are about, as AreaClaims, and a point inside each (where
    their markers go)."""
    if provinces is None or len(provinces) == 0 or claims is None or len(claims) == 0 or "geo_precision" not in claims:
        return None, {}
    area = claims[claims["geo_precision"].astype(str) == "admin1"]
    if area.empty or "province" not in area:
        return None, {}
    isos = set(area["province"].dropna().astype(str))
    shapes = {iso: geometry for iso, _, geometry in _province_shapes(provinces, simplify_deg) if iso in isos}
    points = {iso: pt for iso, pt in province_points(provinces).items() if iso in shapes}
    day = pd.to_datetime(area.get("event_date"), errors="coerce")
    area = area.assign(_day=day).sort_values("_day", na_position="first")
    features = []
    for iso, group in area.groupby(area["province"].astype(str)):
        if iso not in shapes:
            continue
        actor = _text(group["actor"].iloc[-1])
        features.append({"type": "Feature", "geometry": shapes[iso],
                         "properties": {"iso": esc(iso), "_color": style.actor_color(actor)}})
    if not features:
        return None, {}
    return AreaClaims({"type": "FeatureCollection", "features": features}), points


_POINTS_CACHE: dict[tuple, dict[str, tuple[float, float]]] = {}


def province_points(provinces: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """ISO code -> (lat, lon) of a point surely inside the province (shapely's representative point)."""
    key = (tuple(provinces["iso"].astype(str)), len(provinces))
    if key not in _POINTS_CACHE:
        geoms = provinces.geometry if provinces.crs is None else provinces.to_crs("EPSG:4326").geometry
        if len(_POINTS_CACHE) > 16:
            _POINTS_CACHE.clear()
        _POINTS_CACHE[key] = {str(iso): (round(pt.y, 5), round(pt.x, 5))
                              for iso, pt in zip(provinces["iso"], geoms.representative_point()) if pt is not None and not pt.is_empty}
    return _POINTS_CACHE[key]


def _script_json(data: Any) -> str:
    """``data`` as a JavaScript literal safe inside a <script> element (JSON with <, >, & and ' escaped)."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    for char, code in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("'", "\\u0027"),
                       ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, code)
    return text


_SHAPES_CACHE: dict[tuple, list[tuple[str, str, dict]]] = {}


def _province_shapes(provinces: gpd.GeoDataFrame, simplify_deg: float) -> list[tuple[str, str, dict]]:
    """(iso, escaped name, simplified GeoJSON geometry) per province; the same polygons come on every
    filter change, so they are simplified once."""
    import shapely

    crs = provinces.crs.srs if provinces.crs is not None else None
    key = (tuple(provinces["iso"].astype(str)), hash(tuple(shapely.to_wkb(provinces.geometry.values))), crs, simplify_deg)
    if key not in _SHAPES_CACHE:
        geoms = provinces.geometry if crs is None else provinces.to_crs("EPSG:4326").geometry
        simple = geoms.simplify(simplify_deg, preserve_topology=True)
        if len(_SHAPES_CACHE) > 16:
            _SHAPES_CACHE.clear()
        names = default_names()
        _SHAPES_CACHE[key] = [(str(iso), esc(names.province(iso, name)), json.loads(shapely.to_geojson(g)))
                              for iso, name, g in zip(provinces["iso"], provinces["name"], simple) if g is not None]
    return _SHAPES_CACHE[key]


def province_layer(provinces: gpd.GeoDataFrame, claims: pd.DataFrame, style: MapStyle,
                   simplify_deg: float = 0.01) -> ProvinceShading | None:
    """Province polygons shaded by status, with an escaped tooltip."""
    if provinces is None or len(provinces) == 0:
        return None
    statuses = province_statuses(claims, style)
    conf = style.provinces
    features = []
    for iso, name, geometry in _province_shapes(provinces, simplify_deg):
        st = statuses.get(iso)
        dash, weight, line = None, 0.8, "#607d8b"
        if st is None:
            color, opacity, label = conf["no_reports"]["color"], conf["no_reports"]["fill_opacity"], conf["no_reports"]["label"]
        elif st.status == "held":
            color, opacity = style.actor_color(st.holder), conf["held_fill_opacity"]
            label = f"Held by {style.actor_label(st.holder)} (latest province-wide report {st.as_of})"
        elif st.status == "contested":
            color, opacity, dash, weight = conf["contested"]["color"], conf["contested"]["fill_opacity"], "5 4", 1.5
            label = f"Contested: {', '.join(style.actor_label(a) for a in st.actors)} (latest report {st.as_of})"
        elif st.status == "partial":
            holders = ", ".join(style.actor_label(a) for a in st.actors)
            color = style.actor_color(st.holder) if st.holder else conf["contested"]["color"]
            opacity, dash, weight, line = conf["partial"]["fill_opacity"], "2 4", 1.4, color
            label = f"Partly: places in it reported held by {holders} ({st.as_of}); no claim about the whole province"
        else:
            color, opacity, label = conf["activity"]["color"], conf["activity"]["fill_opacity"], conf["activity"]["label"]
        claims_note = f"{st.n_claims} claim(s)" if st else "no claims"
        decided = "".join(
            f"<li>{esc(place)}: {esc(style.event_label(event))} by {esc(style.actor_label(actor))}, {esc(day)}, {esc(source)}</li>"
            for place, event, actor, day, source in (st.decided_by[:4] if st else []))
        if st and len(st.decided_by) > 4:
            decided += f"<li>and {len(st.decided_by) - 4} more</li>"
        features.append({"type": "Feature", "geometry": geometry, "properties": {
            "iso": esc(iso), "name": name, "status": esc(f"{label}; {claims_note}"), "_color": color,
            "_opacity": opacity, "_dash": dash, "_weight": weight, "_line": line,
            "decided": f"<ul class='fl-decided'>{decided}</ul>" if decided else ""}})
    return ProvinceShading({"type": "FeatureCollection", "features": features})



# --------------------------------------------------------------------------- basemap, legend, map


_BASEMAP_CACHE: dict[tuple, dict] = {}


def _basemap_geojson(countries: gpd.GeoDataFrame, box: tuple[float, float, float, float]) -> dict:
    """Land polygons and borders: detailed inside ``box`` (west, south, east, north), coarse elsewhere.

    The whole world at full detail would weigh megabytes on every redraw; this keeps the area of
    interest sharp and the rest recognisable, for about 200 kB. Fills carry no stroke and borders are
    lines clipped to the box, so the seam between the two levels of detail draws no line.
    """
    import shapely

    key = (id(countries), len(countries), box)
    if key in _BASEMAP_CACHE:
        return _BASEMAP_CACHE[key]
    # The shipped outlines are in EPSG:4326 already: no transformation (the first one loads PROJ's database).
    in_degrees = countries.crs is not None and countries.crs.to_epsg() == 4326
    geoms = (countries if in_degrees else countries.to_crs("EPSG:4326")).geometry
    region = shapely.box(*box)
    parts = geoms.explode(index_parts=False)
    # Degrees squared is no area measure, but enough to drop islets from the coarse world.
    coarse = parts[shapely.area(parts.values) > 1.5].simplify(0.3, preserve_topology=True)
    fills = [g for g in coarse.difference(region) if not g.is_empty] + [
        g for g in geoms.clip(region).simplify(0.03, preserve_topology=True) if not g.is_empty]
    # Borders only where the detail is: far away, land silhouettes are context enough.
    borders = [g for g in geoms.boundary.clip(region).simplify(0.03) if not g.is_empty]
    fills = shapely.transform(np.array(fills, dtype=object), lambda xy: np.round(xy, 2))
    borders = shapely.transform(np.array(borders, dtype=object), lambda xy: np.round(xy, 2))
    out = {
        "land": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(g))} for g in fills]},
        "borders": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {}, "geometry": json.loads(shapely.to_geojson(g))} for g in borders]},
    }
    if len(_BASEMAP_CACHE) > 16:
        _BASEMAP_CACHE.clear()
    _BASEMAP_CACHE[key] = out
    return out


def basemap_box(points: list[tuple[float, float]] | None) -> tuple[float, float, float, float]:
    """The detailed area: the claims' extent plus a wide margin, on a 5-degree grid (so it is reused)."""
    if not points:
        return (20.0, 25.0, 55.0, 45.0)
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    snap = lambda v, f: f(v / 5.0) * 5.0  # noqa: E731
    return (max(snap(min(lons) - 12, math.floor), -180.0), max(snap(min(lats) - 9, math.floor), -85.0),
            min(snap(max(lons) + 12, math.ceil), 180.0), min(snap(max(lats) + 9, math.ceil), 85.0))


def basemap_layer(countries: gpd.GeoDataFrame | None, style: MapStyle,
                  box: tuple[float, float, float, float] = (20.0, 25.0, 55.0, 45.0)) -> folium.FeatureGroup:
    """The offline base layer: land and borders from the shipped Natural Earth outlines."""
    group = folium.FeatureGroup(name="Country outlines (offline)", overlay=False, control=True, show=True)
    if countries is not None and len(countries):
        data = _basemap_geojson(countries, box)
        folium.GeoJson(data["land"], interactive=False, smooth_factor=1.5,
                       style_function=lambda _f: {"fillColor": style.basemap["land"], "fillOpacity": 1.0,
                                                  "stroke": False}).add_to(group)
        folium.GeoJson(data["borders"], interactive=False, smooth_factor=1.5,
                       style_function=lambda _f: {"color": style.basemap["border"], "weight": 0.8}).add_to(group)
    return group


_LEGEND_CSS = """
<style>
.leaflet-container { background: %(water)s; font: 13px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
.leaflet-control-layers { font-size: 12.5px; }
.leaflet-control-layers-expanded { padding: 5px 9px; }
.fl-marker { background: none; border: none; }
.fl-cluster { background: rgba(55,71,79,.25); border-radius: 50%%; }
.fl-cluster div { background: rgba(55,71,79,.88); color: #fff; font-weight: 650; border-radius: 50%%; width: calc(100%% - 8px);
                  height: calc(100%% - 8px); margin: 4px; display: flex; align-items: center; justify-content: center; }
.fl-cluster span { line-height: 1; }
.fl-marker svg { filter: drop-shadow(0 1px 1.5px rgba(0,0,0,.45)); overflow: visible; }
.fl-popup { font-size: 13px; }
.fl-popup .fl-place { font-weight: 650; font-size: 15px; margin-bottom: 4px; }
.fl-popup .fl-muted, .fl-legend .fl-muted { color: #78909c; font-weight: 400; font-size: 12px; }
.fl-popup table { border-collapse: collapse; margin: 6px 0; }
.fl-popup th { text-align: left; color: #546e7a; font-weight: 500; padding: 1px 10px 1px 0; vertical-align: top; white-space: nowrap; }
.fl-popup td { padding: 1px 0; }
.fl-popup blockquote { margin: 6px 0; padding: 4px 8px; border-left: 3px solid #b0bec5; background: #f7f9fa; font-style: italic; }
.fl-chip { display: inline-block; padding: 1px 7px; margin: 0 4px 2px 0; border-radius: 9px; color: #fff; font-size: 11.5px; font-weight: 600; }
.fl-chip-event { background: #455a64; }
.fl-contested { background: #6a1b9a; }
.fl-corroborated { background: #2e7d32; }
.fl-single { background: #90a4ae; }
.fl-legend { background: rgba(255,255,255,.94); padding: 5px 9px; border-radius: 6px; box-shadow: 0 1px 5px rgba(0,0,0,.3);
             max-height: 46vh; overflow-y: auto; font-size: 11.5px; max-width: 360px; }
.fl-legend summary { font-weight: 650; cursor: pointer; font-size: 12.5px; }
.fl-legend h4 { margin: 5px 0 2px; font-size: 10.5px; text-transform: uppercase; letter-spacing: .04em; color: #546e7a; grid-column: 1 / -1; }
.fl-legend .fl-grid { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); column-gap: 12px; }
.fl-legend .fl-row { display: flex; align-items: center; gap: 4px; margin: 1px 0; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.fl-legend .fl-row svg { width: 15px; height: 15px; flex: none; }
.fl-legend .fl-swatch { width: 14px; height: 10px; border: 1px solid #607d8b; display: inline-block; flex: none; }
/* Map first: the map fills its frame; the event feed sits beside it (below it, folded, on narrow screens). */
html, body { margin: 0; }
body.fl-layout #parent, body.fl-layout .float-child { height: 100vh !important; width: auto !important; }
body.fl-layout .leaflet-container { position: absolute !important; top: 0 !important; left: 0 !important; bottom: 0 !important;
                                    right: %(feed_w)spx !important; width: auto !important; height: auto !important; }
.fl-feed { position: fixed; top: 0; right: 0; bottom: 0; width: %(feed_w)spx; box-sizing: border-box; display: flex;
           flex-direction: column; background: #fff; border-left: 1px solid #cfd8dc; font: 12.5px/1.35 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; z-index: 1000; }
.fl-feed-head { border-bottom: 1px solid #e0e6ea; }
.fl-feed-toggle { all: unset; box-sizing: border-box; width: 100%%; padding: 7px 10px; font-weight: 650; font-size: 13px; cursor: pointer; }
.fl-feed-toggle:focus-visible { outline: 2px solid #1565c0; }
.fl-feed-count { display: inline-block; min-width: 1.4em; padding: 0 6px; border-radius: 9px; background: #455a64; color: #fff; font-size: 11.5px; text-align: center; }
.fl-feed-hint { color: #78909c; font-weight: 400; font-size: 11.5px; }
.fl-feed-list { list-style: none; margin: 0; padding: 0; overflow-y: auto; flex: 1; }
.fl-ev { display: block; padding: 5px 10px 5px 30px; border-bottom: 1px solid #eef2f4; cursor: pointer; position: relative; }
.fl-ev:hover, .fl-ev:focus, .fl-ev-on { background: #eef4f8; outline: none; }
.fl-ev-on { box-shadow: inset 3px 0 0 #1565c0; }
.fl-ev-glyph { position: absolute; left: 6px; top: 5px; width: 18px; height: 18px; }
.fl-ev-glyph svg { width: 18px; height: 18px; }
.fl-ev time { color: #546e7a; font-variant-numeric: tabular-nums; }
.fl-ev-what { color: #37474f; }
.fl-ev-src { display: block; color: #78909c; font-size: 11.5px; }
.fl-ev-none { padding: 10px; color: #78909c; }
.fl-feed-more { margin: 6px 10px; }
.fl-hl { z-index: 10000 !important; }
.fl-hl svg, .fl-hl div { outline: 3px solid #1565c0; outline-offset: 2px; border-radius: 50%%; }
@media (max-width: 700px) {
  body.fl-layout .leaflet-container { right: 0 !important; bottom: 34px !important; }
  .fl-feed { top: auto; left: 0; width: auto; max-height: 45vh; border-left: 0; border-top: 1px solid #cfd8dc; box-shadow: 0 -2px 6px rgba(0,0,0,.15); }
  .fl-feed.fl-folded .fl-feed-list, .fl-feed.fl-folded .fl-feed-more { display: none; }
  .leaflet-bottom { bottom: 38px; }
  .fl-legend { max-height: 40vh; max-width: 230px; }
}
/* Place labels: dark text with a light halo, under the markers; claimed places bolder. */
.fl-label { position: absolute; white-space: nowrap; font: 600 12px/15px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
            color: #263238; text-shadow: 0 0 2px #fff, 0 0 2px #fff, 0 0 3px #fff, 0 0 4px #fff; pointer-events: none; }
.fl-label-claim { font-weight: 700; font-size: 12.5px; color: #102027; }
.fl-label-place { font-weight: 500; color: #455a64; }
.fl-label-place.fl-rank1 { font-weight: 700; font-size: 13px; color: #263238; text-transform: uppercase; letter-spacing: .03em; }
.fl-label-dot { position: absolute; width: 5px; height: 5px; border-radius: 50%%; background: #546e7a; border: 1px solid #fff; }
.fl-area-label { font-style: italic; }
.fl-note { background: #fff3e0; color: #6d4c41; border: 1px solid #ffb74d; padding: 4px 8px; border-radius: 4px; max-width: 260px; font-size: 12px; }
.fl-contest { margin: 4px 0; padding: 4px 6px; background: #f3e5f5; border-left: 3px solid #6a1b9a; font-size: 12px; }
</style>
"""


class FrontlineUI(folium.MacroElement):
    """The page around the map, inside the map's frame: the event feed beside the map (below it, folded, on
    narrow screens), place labels that keep clear of the markers, the first view fitted to the frame's real
    size, the legend folded away when a popup opens, and a note when the online basemap cannot load.

    The claims come from ClaimData (``window.frontline.pending``), handed over by SourceLayerControl once
    every source layer is on the map; a filter change hands over the new claims. Everything shown is
    escaped text from ClaimData or this element's own place names (escaped here)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function (map) {
            var ui = window.frontline = {map: map, claims: null, pending: null, shown: {{ this.page_size }}, first: true,
                                         handed: false};
            var places = {{ this.places_json }}, extent = {{ this.extent_json }};
            var body = document.body;
            body.classList.add("fl-layout");
            // ---- the event feed
            var feed = L.DomUtil.create("aside", "fl-feed", body);
            feed.setAttribute("aria-label", "Events, newest first");
            feed.innerHTML = '<div class="fl-feed-head"><button type="button" class="fl-feed-toggle" aria-expanded="true">'
                + 'Events <span class="fl-feed-count">0</span> <span class="fl-feed-hint">newest first</span></button></div>'
                + '<ol class="fl-feed-list"><li class="fl-ev-none">Loading the claims…</li></ol>'
                + '<button type="button" class="fl-feed-more" hidden>Show more</button>';
            var list = feed.querySelector(".fl-feed-list"), count = feed.querySelector(".fl-feed-count"),
                more = feed.querySelector(".fl-feed-more"), toggle = feed.querySelector(".fl-feed-toggle");
            var narrow = window.matchMedia("(max-width: 700px)");
            function fold(folded) {
                feed.classList.toggle("fl-folded", folded);
                toggle.setAttribute("aria-expanded", folded ? "false" : "true");
            }
            fold(narrow.matches);
            toggle.addEventListener("click", function () { fold(!feed.classList.contains("fl-folded")); });
            more.addEventListener("click", function () { ui.shown += {{ this.page_size }}; render(); });
            function onMap(api, i) { return api.groups[i] && map.hasLayer(api.groups[i]); }
            function render() {
                var api = ui.claims, rows = [], n = 0;
                if (api) {
                    var D = api.data, C = D.columns, S = D.strings;
                    for (var k = 0; k < D.feed.length; k++) {
                        var i = D.feed[k];
                        if (!onMap(api, i)) { continue; }
                        n++;
                        if (rows.length < ui.shown) {
                            rows.push('<li class="fl-ev" tabindex="0" data-i="' + i + '"><span class="fl-ev-glyph">' + D.icons[C.icon[i]][0]
                                      + '</span><time>' + S[C.tip_date[i]] + '</time> <b class="fl-ev-place">' + S[C.tip_place[i]]
                                      + '</b> <span class="fl-ev-what">' + S[C.tip_label[i]] + '</span> <span class="fl-ev-src">'
                                      + S[C.tip_source[i]] + '</span></li>');
                        }
                    }
                }
                list.innerHTML = rows.join("") || '<li class="fl-ev-none">No claims match the filters.</li>';
                count.textContent = String(n);
                more.hidden = n <= rows.length;
            }
            var lit = null;
            function unlight() { if (lit) { L.DomUtil.removeClass(lit, "fl-hl"); lit = null; } }
            function light(i) {
                unlight();
                var api = ui.claims, m = api && api.markers[i];
                if (!m || !onMap(api, i)) { return; }
                var el = m._icon;
                if (!el && api.cluster) { var parent = api.cluster.getVisibleParent(m); el = parent && parent._icon; }
                if (el) { lit = el; L.DomUtil.addClass(el, "fl-hl"); }
            }
            function go(i) {
                var api = ui.claims, m = api && api.markers[i];
                if (!m || !onMap(api, i)) { return; }
                var items = list.querySelectorAll(".fl-ev-on");
                for (var k = 0; k < items.length; k++) { L.DomUtil.removeClass(items[k], "fl-ev-on"); }
                var li = list.querySelector('[data-i="' + i + '"]');
                if (li) { L.DomUtil.addClass(li, "fl-ev-on"); }
                if (narrow.matches) { fold(true); }
                if (api.cluster && !m._icon) {
                    api.cluster.zoomToShowLayer(m, function () { m.openPopup(); });
                } else {
                    // Without animation: the popup then pans into view from where the marker really is.
                    map.setView(m.getLatLng(), Math.max(map.getZoom(), 8), {animate: false});
                    m.openPopup();
                }
            }
            function item(e) { var li = e.target.closest && e.target.closest(".fl-ev"); return li ? parseInt(li.getAttribute("data-i"), 10) : null; }
            list.addEventListener("mouseover", function (e) { var i = item(e); if (i !== null) { light(i); } });
            list.addEventListener("mouseleave", unlight);
            list.addEventListener("focusin", function (e) { var i = item(e); if (i !== null) { light(i); } });
            list.addEventListener("click", function (e) { var i = item(e); if (i !== null) { go(i); } });
            list.addEventListener("keydown", function (e) {
                var i = item(e);
                if (i !== null && (e.key === "Enter" || e.key === " ")) { e.preventDefault(); go(i); }
            });
            // ---- place labels: claimed places first (most claims first), then capitals and towns by rank
            var pane = map.createPane("fl-labels");
            pane.style.zIndex = 450;  // above the province shading, under the markers
            pane.style.pointerEvents = "none";
            var widths = {};
            function label(text, cls) {
                var el = L.DomUtil.create("div", "fl-label " + cls, pane);
                el.innerHTML = text;  // escaped in Python
                return el;
            }
            function overlaps(box, boxes) {
                for (var k = 0; k < boxes.length; k++) {
                    var b = boxes[k];
                    if (box[0] < b[2] && box[2] > b[0] && box[1] < b[3] && box[3] > b[1]) { return true; }
                }
                return false;
            }
            function layout() {
                pane.innerHTML = "";
                var zoom = map.getZoom(), boxes = [], api = ui.claims, claimed = {}, todo = [];
                var view = map.getPixelBounds(), origin = map.getPixelOrigin(), pad = 80,
                    lo = map.containerPointToLayerPoint([2, 2]), hi = map.containerPointToLayerPoint(map.getSize().subtract([2, 2]));
                function inside(box) { return box[0] >= lo.x && box[1] >= lo.y && box[2] <= hi.x && box[3] <= hi.y; }
                function inView(pt) {
                    var x = pt.x + origin.x, y = pt.y + origin.y;
                    return x > view.min.x - pad && x < view.max.x + pad && y > view.min.y - pad && y < view.max.y + pad;
                }
                // The map's controls (zoom, layers, legend, scale) are obstacles: no label hides under them.
                var frame = map.getContainer().getBoundingClientRect(), controls = map.getContainer().querySelectorAll(".leaflet-control");
                for (var k = 0; k < controls.length; k++) {
                    var r = controls[k].getBoundingClientRect();
                    if (!r.width) { continue; }
                    var a = map.containerPointToLayerPoint([r.left - frame.left - 2, r.top - frame.top - 2]),
                        z = map.containerPointToLayerPoint([r.right - frame.left + 2, r.bottom - frame.top + 2]);
                    boxes.push([a.x, a.y, z.x, z.y]);
                }
                if (api) {
                    var D = api.data, C = D.columns;
                    // Markers are obstacles: a label never covers one (clusters spread their own icons).
                    if (!api.cluster) {
                        for (var i = 0; i < C.lat.length; i++) {
                            if (!onMap(api, i)) { continue; }
                            var pt = map.latLngToLayerPoint([C.lat[i], C.lon[i]]);
                            if (!inView(pt)) { continue; }
                            var half = D.icons[C.icon[i]][1] / 2, x = pt.x + (C.dx ? C.dx[i] : 0), y = pt.y + (C.dy ? C.dy[i] : 0);
                            boxes.push([x - half, y - half, x + half, y + half]);
                        }
                    }
                    var labels = D.labels.slice().sort(function (a, b) { return b[4] - a[4]; });
                    for (var k = 0; k < labels.length; k++) {
                        claimed[labels[k][2]] = true;
                        todo.push({lat: labels[k][0], lon: labels[k][1], text: labels[k][2], clear: labels[k][3], cls: "fl-label-claim"});
                    }
                }
                for (var k = 0; k < places.length; k++) {
                    var p = places[k];
                    if (claimed[p[2]] || zoom < (p[3] <= 2 ? 5 : 8)) { continue; }
                    todo.push({lat: p[0], lon: p[1], text: p[2], clear: 4, cls: "fl-label-place fl-rank" + p[3], dot: true});
                }
                // Create the labels in view (a few hundred at most), measure them all at once (one reflow),
                // then place them greedily in priority order; those with no free spot are removed.
                var items = [], claimedShown = 0;
                for (var k = 0; k < todo.length; k++) {
                    var t = todo[k], pt = map.latLngToLayerPoint([t.lat, t.lon]);
                    if (!inView(pt) || (!t.dot && ++claimedShown > {{ this.max_labels }})) { continue; }
                    items.push({t: t, pt: pt, el: label(t.text, t.cls)});
                }
                for (var k = 0; k < items.length; k++) {
                    var key = items[k].t.cls + items[k].t.text;
                    items[k].w = widths[key] || (widths[key] = items[k].el.offsetWidth + 2);
                    items[k].h = 15;
                }
                for (var k = 0; k < items.length; k++) {
                    var t = items[k].t, pt = items[k].pt, el = items[k].el, w = items[k].w, h = items[k].h, c = t.clear;
                    // Beside, then further out and on the diagonals: a claimed place keeps its name near its markers.
                    var spots = [], placed = false, rings = t.dot ? [c] : [c, c + 12, c + 26];
                    for (var r = 0; r < rings.length; r++) {
                        var d = rings[r];
                        spots.push([pt.x + d, pt.y - h / 2], [pt.x - d - w, pt.y - h / 2], [pt.x - w / 2, pt.y + d - 2],
                                   [pt.x - w / 2, pt.y - d - h + 2], [pt.x + d * 0.7, pt.y + d * 0.7 - 2],
                                   [pt.x + d * 0.7, pt.y - d * 0.7 - h + 2], [pt.x - d * 0.7 - w, pt.y + d * 0.7 - 2],
                                   [pt.x - d * 0.7 - w, pt.y - d * 0.7 - h + 2]);
                    }
                    for (var s = 0; s < spots.length && !placed; s++) {
                        var box = [spots[s][0], spots[s][1], spots[s][0] + w, spots[s][1] + h];
                        if (inside(box) && !overlaps(box, boxes)) {
                            boxes.push(box);
                            L.DomUtil.setPosition(el, L.point(spots[s][0], spots[s][1]));
                            placed = true;
                        }
                    }
                    if (!placed) { pane.removeChild(el); continue; }
                    if (t.dot) {
                        var dot = L.DomUtil.create("div", "fl-label-dot fl-rank" + (t.cls.slice(-1)), pane);
                        L.DomUtil.setPosition(dot, L.point(pt.x - 2.5, pt.y - 2.5));
                        boxes.push([pt.x - 3, pt.y - 3, pt.x + 3, pt.y + 3]);
                    }
                }
            }
            // One layout for all that asks for one in a frame (new claims, the first view, controls resized), and
            // after that frame is painted: the markers show first, their labels a frame later (a layout creates and
            // measures a few hundred labels: a tenth of a second or more).
            var layoutPending = false;
            function relayout() {
                if (layoutPending) { return; }
                layoutPending = true;
                requestAnimationFrame(function () { setTimeout(function () { layoutPending = false; layout(); }, 0); });
            }
            // Labels are laid out for one zoom: gone while the map zooms, laid out again when it settles.
            map.on("zoomstart", function () { pane.innerHTML = ""; });
            map.on("zoomend viewreset moveend resize", relayout);
            map.getContainer().addEventListener("toggle", relayout, true);  // the legend opened or folded
            // Controls change size (the scale with the zoom, the layer list when it opens, the legend): lay the
            // labels out again, so that none ends up under one.
            if (window.ResizeObserver) {
                var watch = new ResizeObserver(relayout);
                watch.observe(map.getContainer());
                ui.watchControls = function () {  // again after each filter change: the layer list is new
                    var controls = map.getContainer().querySelectorAll(".leaflet-control");
                    for (var k = 0; k < controls.length; k++) { watch.observe(controls[k]); }
                };
                setTimeout(ui.watchControls, 0);
            }
            // Leaflet's layer control fires overlayadd/overlayremove for every layer a filter change takes off and
            // puts back (a dozen sources): the feed and the labels follow once, after the whole change, not per
            // layer (each layout measures the controls, a forced reflow: seconds at 10,000 claims).
            var followPending = false;
            map.on("overlayadd overlayremove", function () {
                if (followPending) { return; }
                followPending = true;
                setTimeout(function () { followPending = false; render(); relayout(); }, 0);
            });
            // ---- hand-over of the claims (SourceLayerControl calls this once the layers are on the map)
            ui.refresh = function () {
                ui.claims = ui.pending;
                ui.pending = null;
                ui.shown = {{ this.page_size }};
                render();
                // Not on the first claims, which may follow the base map (below): the first view is the link's or the store's.
                if (!ui.first && ui.handed && ui.claims) { fitClaims(); }
                if (!ui.handed) { ui.handed = true; if (ui.onFirstClaims) { ui.onFirstClaims(); } }
                relayout();
                // The page rewrites its link after a filter change: put the view back in once it has.
                setTimeout(writeView, 900);
                if (ui.watchControls) { ui.watchControls(); }
            };
            function fitClaims() {
                // The view follows the filters when the claims it shows leave it: it zooms out (or over) to them.
                var C = ui.claims.data.columns, b = null;
                for (var i = 0; i < C.lat.length; i++) {
                    if (!onMap(ui.claims, i)) { continue; }
                    b = b ? b.extend([C.lat[i], C.lon[i]]) : L.latLngBounds([C.lat[i], C.lon[i]], [C.lat[i], C.lon[i]]);
                }
                if (!b) { return; }
                // Zoom out to claims that left the view, or in to claims that now fill a small part of it.
                var view = map.getBounds(), small = map.latLngToLayerPoint(b.getNorthEast()).subtract(map.latLngToLayerPoint(b.getSouthWest())),
                    size = map.getSize();
                if (!view.contains(b) || (Math.abs(small.x) < size.x / 4 && Math.abs(small.y) < size.y / 4 && map.getZoom() < 9)) {
                    map.fitBounds(b.pad(0.15), {maxZoom: 9});
                }
            }
            // ---- the view in the page's link (view=lat,lon,zoom): the dashboard page is this frame's parent, on
            // the same origin; written in place (no reload, no rerun) when the map moves. Without access to the
            // parent (another embedding), the view simply stays out of the link.
            function page() {
                try { return window.parent !== window && window.parent.location.href ? window.parent : null; } catch (e) { return null; }
            }
            function linkedView() {
                var w = page();
                if (!w) { return null; }
                var v = (new URL(w.location.href).searchParams.get("view") || "").split(",").map(Number);
                if (v.length !== 3 || v.some(isNaN) || Math.abs(v[0]) > 85 || Math.abs(v[1]) > 180 || v[2] < 2 || v[2] > 18) { return null; }
                return v;
            }
            function writeView() {
                var w = page();
                if (!w || ui.first) { return; }
                var c = map.getCenter(), v = c.lat.toFixed(4) + "," + c.lng.toFixed(4) + "," + map.getZoom();
                var url = new URL(w.location.href);
                if (url.searchParams.get("view") === v) { return; }
                url.searchParams.set("view", v);
                try { w.history.replaceState(w.history.state, "", url.toString()); } catch (e) { /* not ours to change */ }
            }
            ui.writeView = writeView;
            map.on("moveend", writeView);
            // ---- the first view: the link's, else fitted once the frame has its real size (none while the page builds)
            function fitFirst() {
                var size = map.getContainer().getBoundingClientRect();
                if (!ui.first || size.width < 50 || size.height < 50) { return; }
                map.invalidateSize();
                // The legend opens where the map can spare the room; folded, it is one small button.
                var legend = map.getContainer().querySelector(".fl-legend details");
                if (legend && size.width >= 900 && size.height >= 640) { legend.open = true; }
                var linked = linkedView();
                if (linked) { map.setView([linked[0], linked[1]], linked[2], {animate: false}); }
                else if (extent) { map.fitBounds(extent, {padding: [24, 24], maxZoom: 9, animate: false}); }
                ui.first = false;
                writeView();
            }
            window.addEventListener("resize", function () { map.invalidateSize(); fitFirst(); relayout(); });
            setTimeout(fitFirst, 0);
            setTimeout(fitFirst, 400);
            // ---- legend and layer list out of the popups' way
            map.on("popupopen", function () {
                var d = map.getContainer().querySelector(".fl-legend details");
                if (d) { d.open = false; }
                var lc = map.getContainer().querySelector(".leaflet-control-layers-expanded");
                if (lc) { L.DomUtil.removeClass(lc, "leaflet-control-layers-expanded"); }
            });
            // ---- a note when the online basemap cannot be reached
            var note = L.control({position: "bottomleft"});
            note.onAdd = function () { var d = L.DomUtil.create("div", "fl-note"); d.hidden = true; return d; };
            note.addTo(map);
            map.on("baselayerchange", function (e) {
                if (!(e.layer instanceof L.TileLayer) || e.layer.frontlineWatched) { return; }
                e.layer.frontlineWatched = true;
                e.layer.on("tileerror", function () {
                    var d = note.getContainer();
                    d.textContent = "The online basemap could not be loaded (no internet?). Choose 'Country outlines (offline)' in the layers.";
                    d.hidden = false;
                });
                e.layer.on("tileload", function () { note.getContainer().hidden = true; });
            });
            map.on("baselayerchange", function (e) { if (!(e.layer instanceof L.TileLayer)) { note.getContainer().hidden = true; } });
            // ---- runs the dashboard asks for. On a page's first run it sends the base map alone (app.py), and the claims
            // once the map says it is drawn (map_ready in its value, a rerun): the browser loads this frame while the
            // server builds the claims. Then the claims come, and the figures, the table and the chart below the map
            // follow on the next run, which this asks for once the first markers are painted, so that the browser
            // draws the markers before the rest of the page. Each ask is a rerun with the value the map already has
            // (nothing clicked or turned off) plus map_ready. Once per frame each; a map whose claims draw no marker
            // asks 3 s after they came.
            function tell() {
                var g = window.__GLOBAL_DATA__;
                if (window.Streamlit && g) {
                    window.Streamlit.setComponentValue(Object.assign({}, g.previous_data || {}, {map_ready: true}));
                }
            }
            // After streamlit-folium has put in the layers of its first render, if it had any.
            setTimeout(function () { if (!ui.handed) { tell(); } }, 0);
            (function () {
                var pane = map.getPane("markerPane"), asked = false, watch = null;
                function ask() {
                    if (asked) { return; }
                    asked = true;
                    if (watch) { watch.disconnect(); }
                    requestAnimationFrame(function () { setTimeout(tell, 0); });
                }
                if (pane.firstChild) { ask(); }
                else if (window.MutationObserver) {
                    watch = new MutationObserver(function () { if (pane.firstChild) { ask(); } });
                    watch.observe(pane, {childList: true});
                }
                ui.onFirstClaims = function () { setTimeout(ask, 3000); };
            })();
        })({{ this._parent.get_name() }});
        {% endmacro %}
        """
    )

    def __init__(self, places: list[list[Any]], extent: list[tuple[float, float]] | None, page_size: int = 200,
                 max_labels: int = 150):
        super().__init__()
        self._name = "FrontlineUI"
        self.max_labels = int(max_labels)  # claimed-place labels tried per layout, most claims first
        self.places_json = _script_json(places)
        self.extent_json = _script_json([list(p) for p in extent] if extent else None)
        self.page_size = int(page_size)


def gazetteer_labels(box: tuple[float, float, float, float], names: Names | None = None) -> list[list[Any]]:
    """[lat, lon, escaped name, rank] of the ranked places of data/map/names.toml inside ``box`` (west,
    south, east, north): capitals and towns labelled on the map whether or not claims name them."""
    names = names or default_names()
    west, south, east, north = box
    out = [[p.lat, p.lon, esc(p.name), p.rank] for p in names.places.values()
           if p.rank and p.lat is not None and p.lon is not None and south <= p.lat <= north and west <= p.lon <= east]
    return sorted(out, key=lambda r: r[3])


class Legend(folium.MacroElement):
    """An HTML legend as a Leaflet control (bottom right); its HTML is built from escaped text."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var legend = L.control({position: "bottomright"});
            legend.onAdd = function () {
                var div = L.DomUtil.create("div", "fl-legend");
                div.innerHTML = {{ this.body|tojson }};
                // Folded on narrow screens, where it would cover most of the map.
                // Folded until the map knows its size (FrontlineUI opens it where the map can spare the room).
                div.querySelector("details").open = !!{{ this.open|tojson }};
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            legend.addTo({{ this._parent.get_name() }});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, body: str, open: bool = False):
        super().__init__()
        self._name = "Legend"
        self.body = body
        self.open = open


def legend_html(claims: pd.DataFrame | None, style: MapStyle, actors: Iterable[str] | None = None,
                event_types: Iterable[str] | None = None) -> str:
    """Legend entries for the given actors and event types, else those of ``claims`` (all of them when
    there are no claims)."""
    has = claims is not None and len(claims) > 0
    present_actors = list(actors) if actors is not None else (
        list(dict.fromkeys(claims["actor"].astype(str))) if has else list(style.actors))
    present_events = list(event_types) if event_types is not None else (
        list(dict.fromkeys(claims["event_type"].astype(str))) if has else list(style.event_types))
    actors = sorted(present_actors, key=lambda a: style.actor_label(a).lower())
    events = [e for e in style.event_types if e in present_events] + sorted(e for e in present_events if e not in style.event_types)
    parts = ['<details open><summary>Legend</summary><div class="fl-grid"><h4>Actor (colour)</h4>']
    for a in actors:
        svg, _ = marker_svg("circle", style.actor_color(a), "filled")
        parts.append(f'<div class="fl-row">{svg}{esc(style.actor_label(a))}</div>')
    parts.append("<h4>Event (shape)</h4>")
    for e in events:
        svg, _ = marker_svg(style.event_shape(e), "#546e7a", "filled")
        parts.append(f'<div class="fl-row">{svg}{esc(style.event_label(e))}</div>')
    parts.append("<h4>Location precision</h4>")
    for key, label in (("filled", "Named town or site"), ("halo", "Near a place"), ("hollow", "Province or region-wide")):
        svg, size = marker_svg("circle", "#546e7a", key)
        if size != ICON_PX:
            svg = svg.replace(f'width="{size}" height="{size}"', f'width="{ICON_PX}" height="{ICON_PX}"')
        parts.append(f'<div class="fl-row">{svg}{label}</div>')
    ring = style.rings
    parts.append(f'<div class="fl-row"><svg width="22" height="22" viewBox="0 0 22 22"><circle cx="11" cy="11" r="9" fill="none" '
                 f'stroke="{ring["color"]}" stroke-width="1.5" stroke-dasharray="3 3"/></svg>Distance ("within N km")</div>')
    parts.append('<div class="fl-row"><svg width="22" height="22" viewBox="0 0 24 24"><circle cx="12" cy="12" r="7" fill="#cfd8dc"/>'
                 '<circle cx="20" cy="4" r="3.6" fill="#6a1b9a" stroke="#fff" stroke-width="1.2"/></svg>Contested claim</div>')
    conf = style.provinces
    parts.append("<h4>Province (latest report)</h4>")
    parts.append('<div class="fl-row"><span class="fl-swatch" style="background:linear-gradient(90deg,#c62828 50%,#2e7d32 50%);opacity:.6"></span>Held, per claims about the province</div>')
    parts.append('<div class="fl-row"><span class="fl-swatch" style="background:#fff;border:1.5px dotted #2e7d32"></span>'
                 f'{esc(conf["partial"]["label"])}</div>')
    parts.append('<div class="fl-row"><span class="fl-swatch" style="background:rgba(46,125,50,.12);border:2px dashed #2e7d32"></span>'
                 'Province-wide claim (area)</div>')
    for key in ("contested", "activity", "no_reports"):
        c = conf[key]
        bg = c["color"] if c["fill_opacity"] > 0 else "transparent"
        parts.append(f'<div class="fl-row"><span class="fl-swatch" style="background:{bg};opacity:{max(c["fill_opacity"] * 2, 0.5)}"></span>{esc(c["label"])}</div>')
    parts.append("</div></details>")
    return "".join(parts)


@dataclass
class MapParts:
    """A map split the way streamlit-folium redraws fastest: ``base`` (basemap, legend, view) stays the
    same while filters change, so the browser keeps its map; ``layers`` (province shading, clusters, one
    layer per source) and ``control`` are swapped in place (st_folium's feature_group_to_add and
    layer_control)."""

    base: folium.Map
    layers: list[folium.FeatureGroup]
    control: folium.LayerControl


def _points(claims: pd.DataFrame | None) -> list[tuple[float, float]]:
    if claims is None or len(claims) == 0:
        return []
    lats, lons = _coords(claims)
    return [(float(a), float(b)) for a, b in zip(lats, lons)
            if a is not None and b is not None and not pd.isna(a) and not pd.isna(b)]


def extent_of(claims: pd.DataFrame | None) -> list[tuple[float, float]]:
    """The claims' bounding corners (south-west, north-east), or [] without located claims."""
    if claims is None or len(claims) == 0:
        return []
    lats, lons = (pd.to_numeric(pd.Series(v, dtype=object), errors="coerce").to_numpy(dtype=float) for v in _coords(claims))
    located = ~(np.isnan(lats) | np.isnan(lons))
    if not located.any():
        return []
    lats, lons = lats[located], lons[located]
    return [(float(lats.min()), float(lons.min())), (float(lats.max()), float(lons.max()))]


def base_map(*, countries: gpd.GeoDataFrame | None = None, style: MapStyle | None = None,
             extent: list[tuple[float, float]] | None = None, actors: Iterable[str] | None = None,
             event_types: Iterable[str] | None = None, height: int | str = "100%") -> folium.Map:
    """The static part: offline basemap and OSM base layers, legend, CSS, and a view fitting ``extent``."""
    style = style or default_style()
    m = folium.Map(location=[34.8, 38.5], zoom_start=6, tiles=None, prefer_canvas=True, control_scale=True,
                   height=height, max_bounds=False, world_copy_jump=False)
    # Marker clustering needs the map's own zoom range: the offline base layer has no tiles to give one.
    m.options["min_zoom"], m.options["max_zoom"] = 2, 18
    # Every asset the layers may need is loaded with the map, so swapping layers never needs a new script.
    m.default_js = [*LEAFLET_JS, *CLUSTER_JS, *SUBGROUP_JS]
    m.default_css = [*LEAFLET_CSS, *CLUSTER_CSS]
    m.get_root().header.add_child(folium.Element(_LEGEND_CSS % {"water": style.basemap["water"], "feed_w": FEED_PX}),
                                  name="frontline_css")
    basemap_layer(countries, style, basemap_box(extent or [])).add_to(m)
    folium.TileLayer("OpenStreetMap", name="OpenStreetMap (online)", overlay=False, control=True, show=False).add_to(m)
    Legend(legend_html(None, style, actors=actors, event_types=event_types)).add_to(m)
    FrontlineUI(gazetteer_labels(basemap_box(extent or [])), extent or None).add_to(m)
    if extent:
        # A computed view rather than fitBounds: streamlit-folium's iframe has no size yet when
        # Leaflet would measure it, and fitBounds then zooms far out.
        lat_c, lon_c, zoom = view_for(extent)
        m.location = [lat_c, lon_c]
        m.options["zoom"] = zoom
    return m


def map_layers(claims: pd.DataFrame | None, *, provinces: gpd.GeoDataFrame | None = None,
               style: MapStyle | None = None, cluster: bool | None = None) -> tuple[list[folium.FeatureGroup], folium.LayerControl]:
    """The parts that follow the filters: province shading, the shared cluster group, one layer per source,
    and the layer control listing them (which keeps the sources a user turned off turned off)."""
    style = style or default_style()
    claims = claims if claims is not None else pd.DataFrame(columns=["actor", "event_type", "source"])
    layers: list[folium.FeatureGroup] = []
    shading = province_layer(provinces, claims, style) if provinces is not None else None
    if shading is not None:
        layers.append(shading)
    areas, area_points = area_layer(provinces, claims, style)
    if areas is not None:
        layers.append(areas)
    shared_cluster = None
    if cluster if cluster is not None else len(claims) > CLUSTER_ABOVE:
        shared_cluster = ClaimCluster()
        layers.append(shared_cluster)
    claim_parts = claim_layers(claims, style, cluster=shared_cluster, area_points=area_points)
    layers += claim_parts
    # Many sources make a long list: then the control opens on hover.
    # Folded to its button, so that it covers neither the map nor the popups; it opens on hover or tap.
    return layers, SourceLayerControl(collapsed=True, position="topright")


def map_parts(claims: pd.DataFrame | None, *, provinces: gpd.GeoDataFrame | None = None,
              countries: gpd.GeoDataFrame | None = None, style: MapStyle | None = None, cluster: bool | None = None,
              extent: list[tuple[float, float]] | None = None, actors: Iterable[str] | None = None,
              event_types: Iterable[str] | None = None, height: int | str = "100%") -> MapParts:
    """Base and layers for ``claims``; ``extent``, ``actors`` and ``event_types`` (of the whole store, so the
    base does not change with the filters) default to those of ``claims``."""
    style = style or default_style()
    has = claims is not None and len(claims) > 0
    base = base_map(countries=countries, style=style, height=height,
                    extent=extent if extent is not None else extent_of(claims),
                    actors=actors if actors is not None else (list(dict.fromkeys(claims["actor"].astype(str))) if has else None),
                    event_types=event_types if event_types is not None else (
                        list(dict.fromkeys(claims["event_type"].astype(str))) if has else None))
    layers, control = map_layers(claims, provinces=provinces, style=style, cluster=cluster)
    return MapParts(base, layers, control)


def build_map(
    claims: pd.DataFrame | None,
    *,
    provinces: gpd.GeoDataFrame | None = None,
    countries: gpd.GeoDataFrame | None = None,
    style: MapStyle | None = None,
    cluster: bool | None = None,
    height: int | str = "100%",
) -> folium.Map:
    """The whole map for a claims frame (possibly empty), as one folium.Map (standalone HTML, tests).

    ``provinces``: admin-1 polygons (columns iso, name, geometry) to shade; ``countries``: outlines for
    the offline basemap. ``cluster``: force or forbid marker clustering (default: above CLUSTER_ABOVE claims).
    """
    parts = map_parts(claims, provinces=provinces, countries=countries, style=style, cluster=cluster, height=height)
    for layer in parts.layers:
        layer.add_to(parts.base)
    parts.control.add_to(parts.base)
    return parts.base


# --------------------------------------------------------------------------- what st_folium sends
# st_folium renders the whole base map (folium templates, a 300 kB basemap) on every rerun although the
# browser keeps it when only the layers change. These functions produce the same component arguments
# in two halves, so that a dashboard can keep the base half per store and build only the layers half
# per filter. tests/test_mapview.py checks that together they equal what st_folium itself sends.


@dataclass
class BasePayload:
    """The base map as st_folium sends it: ``args`` (script, header, html, id, asset links), the component
    ``key`` st_folium derives from the script, and the base's toggleable layers (the layer control lists them)."""

    args: dict[str, Any]
    key: str
    base_layers: list[tuple[str, str, str, bool]]  # (folium element kind, id, layer name, overlay)


def _links(m: folium.Element) -> tuple[list[str], list[str]]:
    """JS and CSS urls of ``m`` and its JSCSSMixin descendants, in the order st_folium collects them."""
    js: list[str] = []
    css: list[str] = []

    def walk(el: Any) -> Iterable[Any]:
        if isinstance(el, JSCSSMixin):
            yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    for el in walk(m):
        css += [u for _, u in getattr(el, "default_css", [])]
        js += [u for _, u in getattr(el, "default_js", [])]
    return js, css


def base_payload(base: folium.Map, key: str | None = None) -> BasePayload:
    """st_folium's arguments for ``base`` (without layers); ``key`` is the key given to st_folium."""
    from geo.stfolium import generate_js_hash, get_full_id, get_header, get_html, get_map_string

    base.get_root().render()
    base.render()
    html_part, header = get_html(base), get_header(base)
    script = get_map_string(base)  # renames the base's elements, as st_folium does
    js, css = _links(base)
    layers = [(child._name, child._id, child.layer_name, bool(child.overlay)) for child in base._children.values()
              if isinstance(child, folium.map.Layer) and child.control]
    args = {"script": script, "header": header, "html": html_part, "id": get_full_id(base),
            "js_links": list(dict.fromkeys(js)), "css_links": list(dict.fromkeys(css))}
    return BasePayload(args, generate_js_hash(script, key, False), layers)


def layers_payload(base: BasePayload, layers: list[folium.FeatureGroup],
                   control: folium.LayerControl | None) -> dict[str, Any]:
    """st_folium's ``feature_group`` and ``layer_control`` arguments for ``layers`` over ``base``, and the
    asset links of base and layers together."""
    from geo.stfolium import get_feature_group_string, get_layer_control_string

    # A stand-in for the base map: the layer control lists the base's toggleable layers by their names
    # in the base script; nothing else of the base is needed to write the layers' script.
    stand_in = folium.Map(tiles=None)
    for kind, layer_id, name, overlay in base.base_layers:
        placeholder = folium.FeatureGroup(name=name, overlay=overlay, control=True)
        placeholder._name, placeholder._id = kind, layer_id
        stand_in.add_child(placeholder, name=f"{kind}_{layer_id}")
    feature_group = "".join(get_feature_group_string(layer, map=stand_in, idx=i) for i, layer in enumerate(layers))
    layer_control = get_layer_control_string(control, stand_in) if control is not None else None
    js, css = [], []
    for element in [*layers, *([control] if control is not None else [])]:
        more_js, more_css = _links(element)
        js, css = js + more_js, css + more_css
    return {"feature_group": feature_group, "layer_control": layer_control,
            "js_links": list(dict.fromkeys(base.args["js_links"] + js)),
            "css_links": list(dict.fromkeys(base.args["css_links"] + css))}


def view_for(points: list[tuple[float, float]], width_px: int = 900, height_px: int = 560,
             max_zoom: int = 10) -> tuple[float, float, int]:
    """Centre and the largest zoom at which all points fit a map of about that size (web mercator)."""
    lats = [p[0] for p in points]
    lons = [p[1] for p in points]
    south, north, west, east = min(lats), max(lats), min(lons), max(lons)

    def merc_y(lat: float) -> float:
        lat = max(min(lat, 85.0), -85.0)
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    zoom = max_zoom
    lon_span = max(east - west, 1e-6) / 360.0
    y_span = max(merc_y(north) - merc_y(south), 1e-6) / (2 * math.pi)
    while zoom > 2:
        # 256 px per world at zoom 0; keep a 15 % margin.
        if lon_span * 256 * 2**zoom <= width_px * 0.85 and y_span * 256 * 2**zoom <= height_px * 0.85:
            break
        zoom -= 1
    mid_y = (merc_y(north) + merc_y(south)) / 2
    lat_c = math.degrees(2 * math.atan(math.exp(mid_y)) - math.pi / 2)
    return round(lat_c, 4), round((west + east) / 2, 4), zoom


def asset_urls(m: folium.Map) -> list[str]:
    """Every script and stylesheet url the page loads for the map, found as streamlit-folium finds them
    (the map and the JSCSSMixin elements in its tree)."""
    urls: list[str] = []

    def walk(el: Any) -> Iterable[Any]:
        if el is m or isinstance(el, JSCSSMixin):
            yield el
        for child in getattr(el, "_children", {}).values():
            yield from walk(child)

    for el in walk(m):
        urls += [u for _, u in getattr(el, "default_js", [])] + [u for _, u in getattr(el, "default_css", [])]
    return list(dict.fromkeys(urls))


# --------------------------------------------------------------------------- panels around the map
# Plain frames for st.dataframe / st.bar_chart (which render cells as text, never as HTML).

TABLE_COLUMNS = ["event_date", "place", "province_name", "event_type", "actor", "claimant", "source", "contested",
                 "corroboration", "geo_precision", "evidence", "title", "url", "place_id"]


def claims_table(claims: pd.DataFrame, style: MapStyle | None = None) -> pd.DataFrame:
    """The claims as the dashboard's table shows them: newest first, event types and actors by their
    legend labels, missing text as blanks, urls only when they are http(s)."""
    style = style or default_style()
    frame = pd.DataFrame(claims.drop(columns="geometry", errors="ignore")).copy()
    if "province" in frame:  # "Homs (SY-HI)": the name and the code, as in the province picker
        names = frame.get("province_name", frame["province"])
        frame["province_name"] = _per_value(pd.Series(list(zip(names, frame["province"])), index=frame.index),
                                            lambda pair: f"{_text(pair[0]) or _text(pair[1])} ({_text(pair[1])})"
                                            if _text(pair[1]) else _text(pair[0]))
    for col in TABLE_COLUMNS:
        if col not in frame:
            frame[col] = None
    frame = frame[TABLE_COLUMNS]
    # Each distinct value is shaped once (places, sources, articles repeat over thousands of claims).
    frame["url"] = _per_value(frame["url"], safe_url)
    frame["event_date"] = pd.to_datetime(frame["event_date"], errors="coerce").dt.date
    frame["contested"] = frame["contested"].fillna(False).astype(bool)
    frame["event_type"] = _per_value(frame["event_type"], style.event_label)
    frame["actor"] = _per_value(frame["actor"], style.actor_label)
    for col in ("place", "province_name", "claimant", "source", "geo_precision", "evidence", "title"):
        frame[col] = _per_value(frame[col], _text)
    return frame.sort_values(["event_date", "place"], ascending=[False, True], na_position="last").reset_index(drop=True)


def _per_value(column: pd.Series, fn: Any) -> np.ndarray:
    """``fn`` of every cell of ``column``, computed once per distinct value (missing values included)."""
    codes, uniques = pd.factorize(column.to_numpy(dtype=object), use_na_sentinel=False)
    out = np.empty(len(uniques), dtype=object)
    out[:] = [fn(u) for u in uniques]
    return out[codes]


def place_choices(claims: pd.DataFrame) -> dict[str, str]:
    """place_id -> "Name (province) · N claims", most reported first."""
    if claims is None or len(claims) == 0:
        return {}
    frame = pd.DataFrame(claims.drop(columns="geometry", errors="ignore"))
    out: dict[str, str] = {}
    counts = frame.groupby("place_id").size().sort_values(ascending=False)
    first = frame.drop_duplicates("place_id").set_index("place_id")
    for pid, n in counts.items():
        name = _text(first.at[pid, "place"])
        province = _text(first.at[pid, "province"]) if "province" in first else ""
        out[str(pid)] = f"{name} ({province}) · {n} claim(s)" if province else f"{name} · {n} claim(s)"
    return out


def place_timeline(claims: pd.DataFrame, style: MapStyle | None = None) -> tuple[pd.DataFrame, list[str]]:
    """One place's claims by day (rows) and source (columns), each cell "Actor: event (claimant)".

    Returns the frame and the days on which sources disagree: different (event type, actor) statements,
    or a denial next to a claim.
    """
    style = style or default_style()
    if claims is None or len(claims) == 0:
        return pd.DataFrame(), []
    frame = pd.DataFrame(claims.drop(columns="geometry", errors="ignore")).copy()
    frame["day"] = pd.to_datetime(frame["event_date"], errors="coerce").fillna(
        pd.to_datetime(frame.get("published"), errors="coerce")).dt.date
    frame["source"] = frame["source"].fillna("(unknown source)").astype(str)
    frame["statement"] = [
        f"{style.actor_label(a)}: {style.event_label(e).lower()}" + (f" (per {_text(c)})" if _text(c) else "")
        + (" [contested]" if bool(k) else "")
        for a, e, c, k in zip(frame["actor"], frame["event_type"], frame.get("claimant", [None] * len(frame)),
                              frame.get("contested", [False] * len(frame)).fillna(False))
    ]
    table = frame.pivot_table(index="day", columns="source", values="statement", aggfunc=lambda s: "; ".join(dict.fromkeys(s)),
                              dropna=False).sort_index()
    table = table.reindex(sorted(table.columns, key=str.lower), axis=1).fillna("")
    disagreements = []
    for day, group in frame.groupby("day", dropna=True):
        statements = set(zip(group["event_type"], group["actor"]))
        if group["source"].nunique() > 1 and (len(statements) > 1 or "denial" in set(group["event_type"])):
            disagreements.append(day.isoformat())
    table.insert(0, "⚠", ["⚠" if d is not None and not pd.isna(d) and d.isoformat() in disagreements else "" for d in table.index])
    table.index = [d.isoformat() if d is not None and not pd.isna(d) else "undated" for d in table.index]
    table.index.name = "day"
    return table, disagreements


def claims_per_day(claims: pd.DataFrame, by: str = "source") -> pd.DataFrame:
    """Counts of claims per event day (rows, every day in the span) and ``by`` value (columns)."""
    if claims is None or len(claims) == 0:
        return pd.DataFrame()
    frame = pd.DataFrame(claims.drop(columns="geometry", errors="ignore"))
    day = pd.to_datetime(frame["event_date"], errors="coerce")
    if "date_precision" in frame:  # a week or a month is a span (date_spans), not a bar on its first day
        day = day.where(frame["date_precision"].isna() | (frame["date_precision"].astype(str) == "day"))
    frame = frame.assign(day=day)[day.notna()]
    if frame.empty:
        return pd.DataFrame()
    key = frame[by].fillna("(none)").astype(str)
    if by == "event_type":
        key = key.map(lambda e: default_style().event_label(e))
    counts = frame.assign(key=key).groupby(["day", "key"]).size().unstack(fill_value=0)
    full = pd.date_range(counts.index.min(), counts.index.max(), freq="D")
    counts = counts.reindex(full, fill_value=0)
    counts.index.name = "day"
    return counts


# --------------------------------------------------------------------------- English press names (data/map/names.toml)
# GeoNames spells places as transliterated ("Ḩamāh", "Dar‘ā"); the dashboard shows the one English name
# the press uses, so that the map, the pickers, the table and the popups agree. Exports keep the store's names.

NAMES_PATH = DATA_DIR / "map" / "names.toml"
_PROVINCE_KEYS = {"name", "aliases"}
_PLACE_KEYS = {"name", "aliases", "lat", "lon", "rank"}


@dataclass(frozen=True)
class PlaceName:
    name: str
    aliases: tuple[str, ...] = ()
    lat: float | None = None
    lon: float | None = None
    rank: int | None = None  # 1 national capital, 2 provincial capital, 3 town: labelled without claims


@dataclass(frozen=True)
class Names:
    """English names of provinces (by ISO 3166-2 code) and places (by place_id)."""

    provinces: dict[str, PlaceName]
    places: dict[str, PlaceName]

    def province(self, iso: Any, fallback: Any = None) -> str:
        """The province's English name ("Homs"), else its gazetteer name without diacritics, else the code."""
        entry = self.provinces.get(_text(iso))
        if entry:
            return entry.name
        return plain_name(fallback) or _text(iso)

    def province_label(self, iso: Any, fallback: Any = None) -> str:
        """"Homs (SY-HI)": the name and the ISO code, as the province picker and the table show them."""
        return f"{self.province(iso, fallback)} ({_text(iso)})" if _text(iso) else self.province(iso, fallback)

    def province_search_label(self, iso: Any, fallback: Any = None) -> str:
        """The picker's label: "Homs (SY-HI)" followed by the other spellings, so typing any of them finds it."""
        label = self.province_label(iso, fallback)
        entry = self.provinces.get(_text(iso))
        others = [a for a in dict.fromkeys([*(entry.aliases if entry else ()), _text(fallback)])
                  if a and a.lower() not in label.lower()]
        return f"{label} · {', '.join(others)}" if others else label

    def place(self, place_id: Any, fallback: Any = None, *, geo_precision: Any = None, province: Any = None,
              province_fallback: Any = None) -> str:
        """The place's English name. A province-wide claim is named after its province ("Daraa province"),
        so that it never reads as the town of the same name."""
        if _text(geo_precision) == "admin1" and _text(province):
            return f"{self.province(province, province_fallback)} province"
        entry = self.places.get(_text(place_id))
        if entry:
            return entry.name
        return _overlay_names().get(_text(place_id)) or plain_name(fallback)

    def place_aliases(self, place_id: Any) -> tuple[str, ...]:
        entry = self.places.get(_text(place_id))
        return entry.aliases if entry else ()


def plain_name(value: Any) -> str:
    """A gazetteer spelling without diacritics or ayn/hamza marks: "Ḩamāh" -> "Hamah", "Dar‘ā" -> "Dara"."""
    import unicodedata

    text = _text(value)
    if not text:
        return ""
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    text = re.sub(r"[‘’ʿʾ`´]", "", text)
    return unicodedata.normalize("NFC", text).strip()


def load_names(path: Path | str = NAMES_PATH) -> Names:
    """Read and validate data/map/names.toml (an unknown key is an error)."""
    import tomllib

    raw = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    unknown = set(raw) - {"province", "place"}
    if unknown:
        raise ValueError(f"{path}: unknown section(s) {sorted(unknown)}")

    def entry(kind: str, key: str, value: dict[str, Any], allowed: set[str]) -> PlaceName:
        if not isinstance(value, dict) or set(value) - allowed or not isinstance(value.get("name"), str) or not value["name"]:
            raise ValueError(f"{path}: [{kind}.{key!r}] needs a name and only the keys {sorted(allowed)}: {value!r}")
        aliases = value.get("aliases", [])
        if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
            raise ValueError(f"{path}: [{kind}.{key!r}] aliases must be a list of strings")
        rank = value.get("rank")
        if rank is not None and rank not in (1, 2, 3):
            raise ValueError(f"{path}: [{kind}.{key!r}] rank must be 1, 2 or 3")
        if rank is not None and not all(isinstance(value.get(k), (int, float)) for k in ("lat", "lon")):
            raise ValueError(f"{path}: [{kind}.{key!r}] a ranked place needs lat and lon")
        return PlaceName(value["name"], tuple(aliases), value.get("lat"), value.get("lon"), rank)

    return Names(
        provinces={k: entry("province", k, v, _PROVINCE_KEYS) for k, v in raw.get("province", {}).items()},
        places={k: entry("place", k, v, _PLACE_KEYS) for k, v in raw.get("place", {}).items()},
    )


@lru_cache(maxsize=1)
def default_names() -> Names:
    return load_names()


def preload() -> None:
    """Read what every page's map needs whatever the store holds: the map style, the English names, the
    province polygons and the country outlines (each read once per process). A dashboard server calls it
    before it answers (``python -m geo dashboard``), so that its first visitor does not wait for them."""
    from geo.gazetteer import admin1_polygons, country_outlines

    default_style()
    default_names()
    _overlay_names()
    admin1_polygons()
    country_outlines()


@lru_cache(maxsize=1)
def _overlay_names() -> dict[str, str]:
    """place_id -> the press spelling the gazetteer overlay (data/gazetteer/aliases.toml) gives it first."""
    try:
        from geo.gazetteer import load_overlay

        out: dict[str, str] = {}
        for alias in load_overlay().get("alias", []):
            target = str(alias.get("target", ""))
            if target.startswith("gn:") and alias.get("name"):
                out.setdefault(target, str(alias["name"]))
        return out
    except Exception:  # names stay readable without the overlay: diacritics stripped
        return {}


def english_names(claims: pd.DataFrame | None, names: Names | None = None) -> pd.DataFrame | None:
    """The claims with ``place`` and ``province_name`` in English (the dashboard's view; exports keep the
    store's names). One name per (place_id, precision, province), computed once per distinct value."""
    if claims is None or len(claims) == 0 or "place" not in claims:
        return claims
    names = names or default_names()
    out = claims.copy()
    columns = {c: out[c] for c in ("place_id", "place", "geo_precision", "province", "province_name") if c in out}
    codes, groups = _groups(columns, len(out), tuple(columns))
    place_names = [names.place(g.get("place_id"), g.get("place"), geo_precision=g.get("geo_precision"),
                               province=g.get("province"), province_fallback=g.get("province_name")) for g in groups]
    out["place"] = np.array(place_names, dtype=object)[codes]
    if "province" in out:
        codes, groups = _groups(columns, len(out), ("province", "province_name"))
        province_names = [names.province(g.get("province"), g.get("province_name"))
                          if (_text(g.get("province")), _text(g.get("province_name"))) != ("", "") else "" for g in groups]
        out["province_name"] = np.array(province_names, dtype=object)[codes]
    return out


# --------------------------------------------------------------------------- contested: by what


def contest_notes(claims: pd.DataFrame, rules: Any = None, limit: int = 3) -> dict[str, str]:
    """Claim id -> escaped HTML naming what contests it: for a contested claim the denials that dispute it,
    for a denial the claims it disputes (source, date, link), by the store's contradiction rules
    (data/lexicons/contradictions.toml: event types, actors, days apart, distance or same province).
    ``claims`` should be the whole store, so that a denial outside the filters is still named."""
    if claims is None or len(claims) == 0 or "contested" not in claims or "id" not in claims:
        return {}
    if rules is None:
        from geo.store import load_contest_rules

        rules = load_contest_rules()
    frame = pd.DataFrame(claims.drop(columns="geometry", errors="ignore")).reset_index(drop=True)
    contested = frame["contested"].fillna(False).astype(bool).to_numpy()
    if not contested.any():
        return {}
    day = pd.to_datetime(frame["event_date"], errors="coerce")
    if rules.date_column == "day" and "published" in frame:
        day = day.fillna(pd.to_datetime(frame["published"], errors="coerce"))
    days = (day.to_numpy(dtype="datetime64[D]").astype("int64")).astype(float)
    days[day.isna().to_numpy()] = np.nan
    lat, lon = np.radians(pd.to_numeric(frame["lat"], errors="coerce").to_numpy()), np.radians(pd.to_numeric(frame["lon"], errors="coerce").to_numpy())
    province = frame["province"].map(_text).to_numpy() if "province" in frame else np.array([""] * len(frame))
    area = frame["geo_precision"].astype(str).isin(rules.area_precisions).to_numpy() if "geo_precision" in frame else np.zeros(len(frame), bool)
    event, actor = frame["event_type"].astype(str).to_numpy(), frame["actor"].astype(str).to_numpy()
    found: dict[int, list[int]] = {}
    for rule in rules.rules:
        d_idx = np.nonzero((event == rule.denial) & contested)[0]
        c_idx = np.nonzero(np.isin(event, rule.contests) & contested)[0]
        if not len(d_idx) or not len(c_idx):
            continue
        for start in range(0, len(c_idx), 512):
            c = c_idx[start:start + 512][:, None]
            d = d_idx[None, :]
            near_days = np.abs(days[c] - days[d]) <= rule.max_days
            dlat, dlon = lat[d] - lat[c], lon[d] - lon[c]
            hav = np.sin(dlat / 2) ** 2 + np.cos(lat[c]) * np.cos(lat[d]) * np.sin(dlon / 2) ** 2
            km = 2 * 6371.0 * np.arcsin(np.sqrt(np.clip(hav, 0, 1)))
            same_area = (area[c] | area[d]) & (province[c] == province[d]) & (province[c] != "")
            actors = (actor[c] == actor[d]) if rule.same_actor else (actor[c] != actor[d])
            match = near_days & actors & ((km <= rule.max_distance_km) | same_area)
            for ci, di in zip(*np.nonzero(match)):
                claim_row, denial_row = int(c[ci, 0]), int(d[0, di])
                found.setdefault(claim_row, []).append(denial_row)
                found.setdefault(denial_row, []).append(claim_row)
    out: dict[str, str] = {}
    rows = {c: (frame[c].tolist() if c in frame else [None] * len(frame))
            for c in ("url", "title", "article", "source", "event_date", "place", "event_type", "id")}
    lines: dict[tuple[int, bool], str] = {}  # a denial is named in the notes of many claims: its line is written once

    def line(k: int, is_denial: bool) -> str:
        if (k, is_denial) not in lines:
            r = {c: values[k] for c, values in rows.items()}
            url = safe_url(r.get("url"))
            title = esc(_truncate(_text(r.get("title")) or _text(r.get("article")), 90))
            link = (f' <a href="{html.escape(url, quote=True)}" target="_blank" rel="noopener noreferrer nofollow">{title}</a>'
                    if url else (f" {title}" if title else ""))
            what = "denial" if not is_denial else esc(default_style().event_label(r.get("event_type"))).lower()
            lines[(k, is_denial)] = (f"<li>{esc(r.get('source')) or 'unknown source'} {what}, "
                                     f"{esc(r.get('event_date')) or 'undated'} ({esc(r.get('place'))}){link}</li>")
        return lines[(k, is_denial)]

    for row, others in found.items():
        others = sorted(dict.fromkeys(others), key=lambda k: (-(days[k] if not np.isnan(days[k]) else -1e9), k))
        is_denial = event[row] == "denial"
        items = [line(k, is_denial) for k in others[:limit]]
        more = f"<li>and {len(others) - limit} more</li>" if len(others) > limit else ""
        head = "Disputes" if is_denial else "Contested by"
        out[str(rows["id"][row])] = f'<div class="fl-contest"><b>{head}</b><ul>{"".join(items)}{more}</ul></div>'
    return out


def span_text(event_date: Any, precision: Any) -> str:
    """A week- or month-precision date as the span it stands for: "November 2024", "week of 2024-12-02"."""
    day = pd.to_datetime(event_date, errors="coerce")
    if pd.isna(day):
        return "undated"
    if _text(precision) == "month":
        return day.strftime("%B %Y")
    if _text(precision) == "week":
        return f"the week around {day.date().isoformat()}"
    return day.date().isoformat()


def date_spans(claims: pd.DataFrame | None) -> list[str]:
    """The claims dated only to a week or a month, as "Place: event (span, source)", for the chart's note."""
    if claims is None or len(claims) == 0 or "date_precision" not in claims:
        return []
    rough = claims[claims["date_precision"].astype(str).isin(["week", "month"])]
    style = default_style()
    return [f"{_text(r.get('place'))}: {style.event_label(r.get('event_type')).lower()} "
            f"({span_text(r.get('event_date'), r.get('date_precision'))}, {_text(r.get('source'))})"
            for r in rough.to_dict("records")]


def place_at(claims: pd.DataFrame, lat: float, lon: float, tolerance_deg: float = 1e-4,
             area_points: dict[str, tuple[float, float]] | None = None) -> tuple[str, str] | None:
    """(place_id, name) of the claims drawn at (lat, lon), the point a marker click reports, or None.
    ``area_points``: where province-wide claims are drawn (area_layer), as claim_layers was given them."""
    if claims is None or len(claims) == 0:
        return None
    lats, lons = (np.asarray(v, dtype=float).copy() for v in _coords(claims))
    if area_points and "geo_precision" in claims and "province" in claims:
        for i in np.nonzero((claims["geo_precision"].astype(str) == "admin1").to_numpy())[0]:
            point = area_points.get(_text(claims["province"].iloc[i]))
            if point is not None:
                lats[i], lons[i] = point
    hit = np.nonzero((np.abs(lats - lat) <= tolerance_deg) & (np.abs(lons - lon) <= tolerance_deg))[0]
    if not len(hit):
        return None
    row = claims.iloc[int(hit[0])]
    return str(row["place_id"]), _text(row.get("place"))
