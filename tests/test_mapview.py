"""geo/mapview.py: the folium map and the frames around it, built from claims frames of our own."""
from __future__ import annotations

import json
import re
import tomllib
from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest
from shapely.geometry import Point, box

from geo import mapview
from geo.document import Claim
from geo.store import frame_from_claims

ROOT = Path(__file__).resolve().parent.parent
STYLE = mapview.default_style()


def claim(place="Hama", place_id="gn:1", lat=35.13, lon=36.75, event_type="capture", actor="rebels",
          source="Reuters", day=date(2024, 12, 5), province="SY-HM", **extra) -> Claim:
    evidence = extra.pop("evidence", f"{actor} {event_type} {place}")
    return Claim(article=f"{source}-{place}.txt", place=place, place_id=place_id, lat=lat, lon=lon,
                 event_type=event_type, actor=actor, evidence=evidence, evidence_start=0, evidence_end=len(evidence),
                 country=province[:2] if province else None, province=province, province_name=extra.pop("province_name", None),
                 event_date=day, date_precision="day", source=source, published=day,
                 title=extra.pop("title", f"{place} report"), url=extra.pop("url", "https://example.org/a"), **extra)


def frame(*claims: Claim) -> gpd.GeoDataFrame:
    return frame_from_claims(list(claims))


def rows_of(m) -> dict[str, list]:
    """Layer name -> the marker rows it sends to the browser."""
    return {layer.layer_name: layer.rows for layer in m._children.values() if isinstance(layer, mapview.ClaimLayer)}


def html_of(m) -> str:
    return m.get_root().render()


def test_one_toggleable_layer_per_source_with_its_count() -> None:
    m = mapview.build_map(frame(claim(source="Reuters"), claim(source="AFP", place="Homs", place_id="gn:2"),
                                claim(source="AFP", place="Aleppo", place_id="gn:3")))
    assert {name: len(rows) for name, rows in rows_of(m).items()} == {"AFP (2)": 2, "Reuters (1)": 1}
    html = html_of(m)
    overlays = re.search(r"overlays :\s*\{(.*?)\}", html, re.S).group(1)
    assert '"AFP (2)"' in overlays and '"Reuters (1)"' in overlays
    base = re.search(r"base_layers :\s*\{(.*?)\}", html, re.S).group(1)
    assert "Country outlines (offline)" in base and "OpenStreetMap (online)" in base


def test_shape_says_the_event_and_colour_the_actor() -> None:
    capture_svg, _ = mapview.marker_svg(STYLE.event_shape("capture"), STYLE.actor_color("rebels"), "filled")
    denial_svg, _ = mapview.marker_svg(STYLE.event_shape("denial"), STYLE.actor_color("government"), "filled")
    assert STYLE.actor_color("rebels") in capture_svg and STYLE.actor_color("government") in denial_svg
    assert capture_svg != denial_svg.replace(STYLE.actor_color("government"), STYLE.actor_color("rebels"))
    # An actor or event type the tables do not know still gets a marker, in the neutral style.
    assert STYLE.actor_color("martians") == STYLE.default_actor["color"]
    assert STYLE.event_shape("parade") == STYLE.default_event_type["shape"]


def test_every_profile_actor_and_event_type_has_a_legend_entry() -> None:
    actors = set()
    for path in (ROOT / "data" / "profiles").glob("*.toml"):
        actors |= set(tomllib.loads(path.read_text(encoding="utf-8")).get("actors", {}))
    events = set(re.findall(r'^type\s*=\s*"([^"]+)"', (ROOT / "data" / "lexicons" / "events.toml").read_text(), re.M))
    assert actors and events
    assert actors <= set(STYLE.actors)
    assert events <= set(STYLE.event_types)


def test_precision_is_drawn_honestly() -> None:
    m = mapview.build_map(frame(
        claim(place="Hama", place_id="gn:1", geo_precision="point"),
        claim(place="Daraa province", place_id="gn:2", lat=32.8, lon=36.2, geo_precision="admin1"),
        claim(place="Damascus", place_id="gn:3", lat=33.5, lon=36.3, geo_precision="near", event_type="advance",
              distance_km=20.0),
    ))
    layer = next(c for c in m._children.values() if isinstance(c, mapview.ClaimLayer))
    by_place = {re.search(r'fl-place">([^<]*)', r["popup"]).group(1).strip(): r for r in layer.rows}
    town, province, near = by_place["Hama"], by_place["Daraa province"], by_place["Damascus"]
    assert "stroke-dasharray" not in town["svg"]
    assert "stroke-dasharray" in province["svg"] and 'fill="#ffffff"' in province["svg"]  # hollow, dashed
    assert near["size"] > town["size"]  # the halo is wider than a pin
    assert near["ring_km"] == 20.0 and town["ring_km"] == 0  # a 20 km ring around Damascus, none elsewhere
    assert "L.circle(" in html_of(m)


def test_popups_escape_article_text_and_refuse_script_links() -> None:
    hostile = claim(place="Saasaa<script>window.x=1</script>", title='<img src=x onerror="window.x=2">T',
                    evidence="Rebels <b onmouseover=alert(1)>took</b> it", claimant="<i>monitor</i>",
                    url="javascript:alert(1)", source="<svg onload=alert(1)>")
    rec = frame(hostile).drop(columns="geometry").to_dict("records")[0]
    popup = mapview.popup_html(rec, STYLE)
    tooltip = mapview.tooltip_text(rec, STYLE)
    for raw in ("<script>", "<img", "<b ", "<i>", "<svg", "javascript:"):
        assert raw not in popup and raw not in tooltip
    assert "&lt;script&gt;" in popup and "&lt;b onmouseover=alert(1)&gt;took&lt;/b&gt;" in popup
    assert "<a " not in popup  # no link for a javascript: url
    safe = mapview.popup_html(frame(claim(url="https://example.org/x?a=1&b=2")).drop(columns="geometry")
                              .to_dict("records")[0], STYLE)
    assert 'href="https://example.org/x?a=1&amp;b=2"' in safe and 'rel="noopener noreferrer nofollow"' in safe
    # Source names become layer names, which the layer control shows as HTML.
    m = mapview.build_map(frame(hostile))
    assert list(rows_of(m)) == ["&lt;svg onload=alert(1)&gt; (1)"]


def test_popup_shows_provenance_and_badges() -> None:
    rec = frame(claim(claimant="the monitor", contested=True, corroboration=3)).drop(columns="geometry").to_dict("records")[0]
    popup = mapview.popup_html(rec, STYLE)
    for text in ("Hama", "Capture", STYLE.actor_label("rebels"), "the monitor", "2024-12-05", "(day)", "Reuters",
                 "contested", "3 sources", "Hama report", "rebels capture Hama"):
        assert text in popup


def test_repeated_popup_pieces_are_sent_once() -> None:
    same_article = [claim(place=f"Town {i}", place_id=f"gn:{i}", lat=33 + i / 10, event_type=e, title="One article")
                    for i, e in enumerate(["capture", "withdrawal", "advance"])]
    m = mapview.build_map(frame(*same_article))
    data = next(c for c in m._children.values() if isinstance(c, mapview.ClaimData))
    assert len(data.strings) == len(set(data.strings))
    assert sum("fl-article" in piece for piece in data.strings) == 1  # one link for the one article
    # The browser joins the pieces into exactly the popup and tooltip of each claim.
    records = {r["place"]: r for r in frame(*same_article).drop(columns="geometry").to_dict("records")}
    for i in range(len(data)):
        rec = records[re.search(r'fl-place">([^<]*)', data.popup(i)).group(1).strip()]
        assert data.popup(i) == mapview.popup_html(rec, STYLE) == "".join(mapview.popup_parts(rec, STYLE))
        assert data.tooltip(i) == mapview.tooltip_text(rec, STYLE)


def test_template_syntax_in_articles_stays_text() -> None:
    # folium reads rendered scripts as Jinja templates: article text must never reach it as template code.
    m = mapview.build_map(frame(claim(evidence="Rebels took {{ 7*7 }} villages {% raw %}", source="{{ src }}")))
    html = html_of(m)
    assert "took 49 villages" not in html and "{{ 7*7 }}" not in html
    data = next(c for c in m._children.values() if isinstance(c, mapview.ClaimData))
    assert "Rebels took &#123;&#123; 7*7 &#125;&#125; villages" in data.popup(0)  # shows as {{ 7*7 }}
    assert list(rows_of(m)) == ["&#123;&#123; src &#125;&#125; (1)"]  # the layer name


def test_markers_sharing_a_place_are_spread_in_pixels_not_moved() -> None:
    m = mapview.build_map(frame(claim(source="A"), claim(source="B", event_type="withdrawal", actor="government")))
    rows = [r for rs in rows_of(m).values() for r in rs]
    assert {(r["lat"], r["lon"]) for r in rows} == {(35.13, 36.75)}
    assert len({(r["dx"], r["dy"]) for r in rows}) == 2


def test_many_claims_are_clustered_from_local_assets() -> None:
    many = frame(*[claim(place=f"P{i}", place_id=f"gn:{i}", lat=33 + i / 1000, lon=36 + i / 1000, source=f"S{i % 3}")
                   for i in range(mapview.CLUSTER_ABOVE + 1)])
    clustered = mapview.build_map(many)
    assert "L.markerClusterGroup(" in html_of(clustered)
    assert re.search(r"\"maxZoom\": 18", html_of(clustered))  # without it Leaflet.markercluster refuses to start
    few = mapview.build_map(frame(claim()))
    assert "L.markerClusterGroup(" not in html_of(few)
    # Loaded with every map, so that layers swapped in by a filter change never need a new script.
    for m in (clustered, few):
        assert any(u.endswith("leaflet.markercluster.js") for u in mapview.asset_urls(m))
    for m in (clustered, few):
        urls = mapview.asset_urls(m)
        assert urls and all(u.startswith("/app/static/vendor/") for u in urls)
        assert not re.search(r'(src|href)="https?://', html_of(m))


def test_vendored_files_exist_for_every_asset_url() -> None:
    many = frame(*[claim(place=f"P{i}", place_id=f"gn:{i}", lat=33 + i / 100, lon=36) for i in range(mapview.CLUSTER_ABOVE + 1)])
    static = ROOT / "static"
    for url in mapview.asset_urls(mapview.build_map(many)):
        assert (static / url.removeprefix("/app/static/")).is_file(), f"{url}: run `make vendor`"


PROVINCES = gpd.GeoDataFrame(
    {"iso": ["SY-HM", "SY-HI", "SY-DR", "SY-TA"], "name": ["Hama", "Homs", "Daraa", "Tartus"]},
    geometry=[box(36, 34.8, 38, 35.8), box(36, 33.8, 38, 34.8), box(35.8, 32.3, 36.8, 33), box(35.8, 34.6, 36.1, 35.2)],
    crs="EPSG:4326",
)


def test_provinces_take_the_status_of_their_latest_province_wide_report() -> None:
    area = {"geo_precision": "admin1"}
    claims = frame(
        claim(province="SY-HM", actor="government", event_type="defense", day=date(2024, 12, 1), **area),
        claim(province="SY-HM", actor="rebels", event_type="capture", day=date(2024, 12, 5), **area),
        claim(province="SY-HI", place="Homs", actor="government", event_type="defense", day=date(2024, 12, 7), **area),
        claim(province="SY-HI", place="Homs", actor="rebels", event_type="capture", day=date(2024, 12, 7), **area),
        claim(province="SY-DR", place="Daraa", actor="government", event_type="withdrawal", day=date(2024, 12, 6)),
    )
    status = mapview.province_statuses(claims, STYLE)
    assert (status["SY-HM"].status, status["SY-HM"].holder) == ("held", "rebels")
    assert status["SY-HI"].status == "contested"
    assert status["SY-DR"].status == "activity"
    assert "SY-TA" not in status

    layer = mapview.province_layer(PROVINCES, claims, STYLE)
    features = {f["properties"]["iso"]: f["properties"] for f in layer.data["features"]}
    assert features["SY-HM"]["_color"] == STYLE.actor_color("rebels")
    assert features["SY-HI"]["_color"] == STYLE.provinces["contested"]["color"]
    assert features["SY-TA"]["_opacity"] == 0  # no reports: outline only
    assert "Held by" in features["SY-HM"]["status"] and "No reports" in features["SY-TA"]["status"]
    # The tooltip says which claims decide it.
    assert "Hama: Capture by " + STYLE.actor_label("rebels") in features["SY-HM"]["decided"]


def test_a_town_taken_does_not_paint_its_province_as_held() -> None:
    claims = frame(claim(province="SY-HM", place="Hama", actor="rebels", event_type="capture", day=date(2024, 12, 5),
                         source="Wire one"))
    status = mapview.province_statuses(claims, STYLE)["SY-HM"]
    assert (status.status, status.holder) == ("partial", "rebels")
    feature = next(f["properties"] for f in mapview.province_layer(PROVINCES, claims, STYLE).data["features"]
                   if f["properties"]["iso"] == "SY-HM")
    assert "Held by" not in feature["status"] and "no claim about the whole province" in feature["status"]
    assert feature["_opacity"] < STYLE.provinces["held_fill_opacity"]
    assert "Hama: Capture" in feature["decided"] and "2024-12-05, Wire one" in feature["decided"]


def test_a_disputed_latest_capture_makes_the_province_contested() -> None:
    claims = frame(claim(province="SY-HM", actor="rebels", event_type="capture", contested=True, geo_precision="admin1"))
    assert mapview.province_statuses(claims, STYLE)["SY-HM"].status == "contested"


def test_a_province_wide_claim_is_drawn_as_its_province_not_on_a_town() -> None:
    # Daraa province's claim: the gazetteer centres it on the town of Daraa, at the province's edge here.
    claims = frame(claim(province="SY-DR", place="Dar'ā", place_id="gn:170903", lat=32.62, lon=36.10, geo_precision="admin1",
                         actor="local_armed_groups", province_name="Dar'ā"),
                   claim(province="SY-HM", place="Hama", geo_precision="point"))
    layers, _ = mapview.map_layers(mapview.english_names(claims), provinces=PROVINCES)
    areas = [layer for layer in layers if isinstance(layer, mapview.AreaClaims)]
    assert len(areas) == 1
    (feature,) = areas[0].data["features"]
    assert feature["properties"]["iso"] == "SY-DR" and feature["properties"]["_color"] == STYLE.actor_color("local_armed_groups")
    data = next(layer for layer in layers if isinstance(layer, mapview.ClaimData))
    markers = {m["tooltip"].split(":")[0]: m for m in (data.marker(i) for i in range(len(data)))}
    daraa = markers["Daraa province"]
    assert PROVINCES.geometry[2].contains(Point(daraa["lon"], daraa["lat"]))
    assert (daraa["lat"], daraa["lon"]) != (32.62, 36.10)
    assert (markers["Hama"]["lat"], markers["Hama"]["lon"]) == (35.13, 36.75)  # a town stays on its town
    assert any(label[2] == "Daraa province" for label in data.labels)


def test_english_press_names_replace_gazetteer_spellings() -> None:
    claims = frame(claim(place="Ḩamāh", place_id="gn:170017", province="SY-HM", province_name="Ḩamāh"),
                   claim(place="Dar‘ā", place_id="gn:170905", province="SY-DR", province_name="Dar'ā"),
                   claim(place="Dar'ā", place_id="gn:170903", province="SY-DR", province_name="Dar'ā", geo_precision="admin1"),
                   claim(place="Ţayyibat al Imām", place_id="gn:999999999", province="SY-HM", province_name="Ḩamāh"))
    shown = mapview.english_names(claims)
    assert shown["place"].tolist() == ["Hama", "Daraa", "Daraa province", "Tayyibat al Imam"]
    assert shown["province_name"].tolist() == ["Hama", "Daraa", "Daraa", "Hama"]
    assert claims["place"].tolist()[0] == "Ḩamāh"  # the store's frame is left as it was (exports use it)
    names = mapview.default_names()
    assert names.province_label("SY-HI", "Ḩimş") == "Homs (SY-HI)"
    assert "Ḩimş" in names.province_search_label("SY-HI", "Ḩimş")


def test_names_file_rejects_unknown_keys(tmp_path) -> None:
    bad = tmp_path / "names.toml"
    bad.write_text('[place."gn:1"]\nname = "X"\nspelling = "Y"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="only the keys"):
        mapview.load_names(bad)
    bad.write_text('[places."gn:1"]\nname = "X"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="unknown section"):
        mapview.load_names(bad)


def test_feed_lists_claims_newest_first_and_labels_clear_the_fanned_markers() -> None:
    claims = frame(claim(place="Hama", day=date(2024, 12, 5)), claim(place="Homs", place_id="gn:2", lat=34.7, day=date(2024, 12, 8)),
                   claim(place="Hama", event_type="withdrawal", actor="government", day=date(2024, 12, 6)))
    data = next(layer for layer in mapview.claim_layers(claims, STYLE) if isinstance(layer, mapview.ClaimData))
    dates = [data.marker(i)["tooltip"].split(" · ")[2] for i in data.feed]
    assert dates == ["2024-12-08", "2024-12-06", "2024-12-05"]
    labels = {label[2]: label for label in data.labels}
    assert set(labels) == {"Hama", "Homs"}
    # Two markers fanned around Hama: its label keeps beyond the fan; Homs' single marker needs only its own half.
    assert labels["Hama"][3] > labels["Homs"][3] >= mapview.ICON_PX / 2


def test_legend_lists_what_is_on_the_map() -> None:
    claims = frame(claim(actor="rebels", event_type="capture"), claim(actor="hezbollah", event_type="deployment"))
    legend = mapview.legend_html(claims, STYLE)
    assert STYLE.actor_label("hezbollah") in legend and "Deployment" in legend
    assert STYLE.actor_label("israel") not in legend and "Border crossing" not in legend
    assert "Contested" in legend and "No reports" in legend


def test_the_base_map_does_not_change_with_the_filters() -> None:
    everything = frame(claim(), claim(place="Daraa", place_id="gn:2", lat=32.6, lon=36.1, province="SY-DR", source="AFP"))
    extent = mapview.extent_of(everything)
    scripts = set()
    for selection in (everything, everything.iloc[:1], everything.iloc[:0]):
        parts = mapview.map_parts(selection, provinces=PROVINCES, extent=extent, actors=["rebels"],
                                  event_types=["capture"])
        html = parts.base.get_root().render()
        scripts.add(re.sub(r"_[0-9a-f]{32}", "", html))
        assert all(isinstance(layer, mapview.folium.FeatureGroup) for layer in parts.layers)
    assert len(scripts) == 1  # the browser keeps its map; only the layers are swapped


def test_payload_halves_are_what_st_folium_sends(monkeypatch: pytest.MonkeyPatch) -> None:
    # The dashboard renders the base once per store and the layers once per filter state, and hands the
    # component what st_folium would: same script, same layers, same key (so the browser keeps its map).
    import streamlit_folium

    many = frame(*[claim(place=f"P{i}", place_id=f"gn:{i}", lat=33 + i / 1000, lon=36 + i / 1000, source=f"S{i % 3}")
                   for i in range(mapview.CLUSTER_ABOVE + 1)])
    for claims in (many, frame(claim()), frame()):
        sent: dict = {}
        monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kwargs: sent.update(kwargs))
        parts = mapview.map_parts(claims, provinces=PROVINCES)
        streamlit_folium.st_folium(parts.base, key="map", height=620, use_container_width=True, returned_objects=[],
                                   feature_group_to_add=parts.layers, layer_control=parts.control)
        again = mapview.map_parts(claims, provinces=PROVINCES)
        base = mapview.base_payload(again.base, key="map")
        ours = {**base.args, **mapview.layers_payload(base, again.layers, again.control), "key": base.key}
        assert ours == {k: sent[k] for k in ours}


def test_source_layers_carry_a_key_that_outlives_the_filters() -> None:
    # The browser remembers the sources a user turned off by key, not by the layer label (whose count changes
    # with the filters); a key is article text and reaches the page escaped, as data.
    hostile = '<svg onload=alert(1)> {{ x }}'
    everything = frame(claim(source=hostile), claim(source=hostile, place="Homs", place_id="gn:2", province="SY-HI"),
                       claim(source="AFP", place="Daraa", place_id="gn:3", province="SY-DR"))
    keys = []
    for selection in (everything, everything.iloc[:1]):
        layers, control = mapview.map_layers(selection)
        by_key = {layer.source_key: layer.layer_name for layer in layers if isinstance(layer, mapview.ClaimLayer)}
        keys.append(by_key)
        base = mapview.base_payload(mapview.base_map(), key="map")
        sent = mapview.layers_payload(base, layers, control)
        assert "<svg" not in sent["feature_group"] + sent["layer_control"] and "{{ x }}" not in sent["feature_group"]
        data = next(layer for layer in layers if isinstance(layer, mapview.ClaimData))
        assert json.loads(data.payload)["sources"] == list(by_key)
        # The control that takes remembered sources off the map before listing them.
        assert isinstance(control, mapview.SourceLayerControl) and "sessionStorage" in sent["layer_control"]
    key = mapview.source_key(hostile)
    assert key == "&lt;svg onload=alert(1)&gt; &#123;&#123; x &#125;&#125;"
    assert keys[0][key] == f"{key} (2)" and keys[1] == {key: f"{key} (1)"}


def test_the_sources_turned_off_on_the_map_are_read_back_by_key() -> None:
    # The map reports the keys (escaped names) of the layers the user turned off; the dashboard's figures leave
    # those sources out. A source without a name has the layer "(unknown source)".
    hostile = "<b>Monitor</b>"
    sources = [hostile, "AFP", None]
    value = {"last_object_clicked": None, "selected_tags": [mapview.source_key(hostile), "(unknown source)", "Gone"]}
    assert mapview.hidden_sources(value, sources) == {hostile, None}
    assert mapview.hidden_sources({"last_object_clicked": None, "selected_tags": []}, sources) == set()
    assert mapview.hidden_sources(None, sources) == set()
    _, control = mapview.map_layers(frame(claim(source=hostile)))
    base = mapview.base_payload(mapview.base_map(), key="map")
    assert "selected_tags" in mapview.layers_payload(base, [], control)["layer_control"]


def test_an_empty_selection_still_gives_a_complete_map() -> None:
    countries = gpd.GeoDataFrame(geometry=[box(35, 32, 42, 37)], crs="EPSG:4326")
    m = mapview.build_map(frame(), provinces=PROVINCES, countries=countries)
    html = html_of(m)
    assert "fl-legend" in html and "Country outlines (offline)" in html
    assert rows_of(m) == {}


def test_initial_view_fits_the_claims() -> None:
    lat, lon, zoom = mapview.view_for([(32.6, 36.1), (36.2, 37.2)])
    assert 33.5 < lat < 35.5 and 36.1 < lon < 37.2 and 5 <= zoom <= 8
    assert mapview.view_for([(33.5, 36.3)])[2] == 10  # one place: close in, not the whole world


def test_place_timeline_puts_sources_side_by_side_and_flags_disagreement() -> None:
    claims = frame(
        claim(place="Homs", source="Monitor", event_type="capture", actor="rebels", day=date(2024, 12, 7)),
        claim(place="Homs", source="State TV", event_type="denial", actor="government", day=date(2024, 12, 7)),
        claim(place="Homs", source="Monitor", event_type="advance", actor="rebels", day=date(2024, 12, 6)),
    )
    table, disagreements = mapview.place_timeline(claims)
    assert list(table.columns) == ["⚠", "Monitor", "State TV"]
    assert list(table.index) == ["2024-12-06", "2024-12-07"]
    assert disagreements == ["2024-12-07"]
    assert table.loc["2024-12-07", "⚠"] == "⚠" and table.loc["2024-12-06", "⚠"] == ""
    assert "capture" in table.loc["2024-12-07", "Monitor"] and "denial" in table.loc["2024-12-07", "State TV"]


def test_claims_per_day_counts_every_day_of_the_span() -> None:
    claims = frame(claim(source="A", day=date(2024, 12, 5)), claim(source="B", day=date(2024, 12, 5)),
                   claim(source="A", day=date(2024, 12, 8)))
    counts = mapview.claims_per_day(claims, "source")
    assert [d.day for d in counts.index] == [5, 6, 7, 8]
    assert counts["A"].tolist() == [1, 0, 0, 1] and counts["B"].tolist() == [1, 0, 0, 0]
    assert list(mapview.claims_per_day(claims, "event_type").columns) == ["Capture"]


def test_claims_table_drops_unsafe_links() -> None:
    table = mapview.claims_table(frame(claim(url="javascript:alert(1)"), claim(url="https://example.org/ok")))
    assert sorted(table["url"].dropna()) == ["https://example.org/ok"]


def test_style_file_is_plain_data() -> None:
    raw = json.loads(mapview.STYLE_PATH.read_text())
    assert all(re.fullmatch(r"#[0-9a-f]{6}", a["color"]) for a in raw["actors"].values())
    assert {e["shape"] for e in raw["event_types"].values()} <= set(mapview._SHAPES)
