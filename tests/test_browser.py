"""The dashboard in a real browser: `streamlit run app.py` on a store of known claims, driven by Playwright
through Debian's Chromium (headless), with every non-localhost request blocked.

Needs `apt-get install chromium` (.ci/run does it) and `make vendor` (Leaflet in static/vendor).
"""
from __future__ import annotations

import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dashboard_data import (APOSTROPHE_SOURCE, CLUSTER_TOTAL, TOTAL, build_apostrophe_store, build_clustered_store,
                            build_store, cluster_count)
from dashboard_server import CHROMIUM, CHROMIUM_ARGS, MAP_FRAME, MARKERS, dashboard

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "test-output" / "browser"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):
    db = build_store(tmp_path_factory.mktemp("browser") / "claims.db")
    with dashboard(db, tmp_path_factory.mktemp("browser-log") / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def clustered_server(tmp_path_factory: pytest.TempPathFactory):
    db = build_clustered_store(tmp_path_factory.mktemp("browser-clustered") / "claims.db")
    with dashboard(db, tmp_path_factory.mktemp("browser-clustered-log") / "streamlit.log") as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


class Session:
    """A page on the dashboard that records blocked requests, dialogs and script errors."""

    def __init__(self, browser, url: str, downloads: bool = False, viewport: tuple[int, int] = (1500, 1900)):
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": viewport[0], "height": viewport[1]}, accept_downloads=downloads)
        self.page = self.context.new_page()
        self.page.route("**/*", self._route)
        self.page.on("dialog", self._dialog)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.map = self.page.frame_locator(MAP_FRAME)

    def _route(self, route) -> None:
        host = urlsplit(route.request.url).hostname
        if route.request.url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost", "::1"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def markers(self) -> int:
        return self.map.locator(MARKERS).count()

    def wait_markers(self, n: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.markers() == n:
                    return
            except Exception:  # the iframe is being replaced after a rerun
                pass
            time.sleep(0.25)
        raise AssertionError(f"expected {n} markers, the map shows {self.markers()}")

    def drawn(self) -> tuple[int, int]:
        """(claims on the map, clusters drawn): a cluster icon counts the claims it holds, a marker one."""
        return tuple(self.map.locator("body").evaluate(
            """() => {
                let claims = 0, clusters = 0;
                for (const el of document.querySelectorAll('.leaflet-marker-pane > *')) {
                    if (el.classList.contains('fl-cluster')) { clusters++; claims += parseInt(el.textContent, 10); }
                    else { claims++; }
                }
                return [claims, clusters];
            }"""))

    def wait_drawn(self, n: int, timeout: float = 60) -> int:
        """Wait until the map's markers and clusters hold ``n`` claims; returns the number of clusters."""
        deadline, seen = time.monotonic() + timeout, None
        while time.monotonic() < deadline:
            try:
                seen = self.drawn()
                if seen[0] == n:
                    return seen[1]
            except Exception:  # the iframe is being replaced after a rerun
                pass
            time.sleep(0.25)
        raise AssertionError(f"expected {n} claims on the map, it shows (claims, clusters) {seen}")

    def pwned(self) -> list:
        values = [self.page.evaluate("() => window.__pwned")]
        values.append(self.map.locator("body").evaluate("() => window.__pwned"))
        return [v for v in values if v is not None]

    def settled(self, timeout_ms: float = 30_000) -> None:
        """Wait for the run the drawn map asks for (the page below the map): like any rerun it redraws the
        sidebar, and an option list opened just before closes, or takes a click meant for another list."""
        self.page.get_by_text("follow as soon as the map is drawn").wait_for(state="detached", timeout=timeout_ms)

    def pick(self, label: str, option: str) -> None:
        """Choose an option in a sidebar multiselect (an option whose label starts with ``option``: the
        province picker adds other spellings after the name)."""
        self.settled()
        box = self.page.get_by_test_id("stSidebar").locator("[data-testid='stMultiSelect']").filter(has_text=label)
        wanted = self.page.get_by_role("option", name=re.compile("^" + re.escape(option))).first
        for attempt in range(4):
            # a rerun after the previous choice may redraw the sidebar and close the list just opened
            box.locator("input").click()
            try:
                wanted.wait_for(state="visible", timeout=7_500)
                break
            except Exception:
                if attempt == 3:
                    raise
                self.page.keyboard.press("Escape")
                time.sleep(0.5)
        wanted.click()
        self.page.keyboard.press("Escape")

    def unpick(self, option: str) -> None:
        self.page.get_by_role("button", name=re.compile("^Remove " + re.escape(option))).click()

    def search(self, label: str, text: str) -> list[str]:
        """Type ``text`` into a sidebar multiselect's search box: the options it offers, in order."""
        self.settled()
        box = self.page.get_by_test_id("stSidebar").locator("[data-testid='stMultiSelect']").filter(has_text=label)
        box.locator("input").click()
        box.locator("input").fill(text)
        self.page.wait_for_timeout(400)
        options = self.page.get_by_role("option").all_inner_texts()
        self.page.keyboard.press("Escape")
        return [o for o in options if o.strip() and not o.startswith("Select ")]  # "Select all", "Select 2 matches"

    def source_layer(self, source: str, n: int):
        """The checkbox of ``source``'s layer in the layer control, labelled with its ``n`` claims (the control is
        folded to a button: hovering it opens it)."""
        self.map.locator(".leaflet-control-layers").hover()
        label = self.map.locator(".leaflet-control-layers-overlays label").filter(has_text=f"{source} ({n})")
        return label.locator("input")

    def rect(self, selector: str) -> dict:
        """The bounding box of the first element matching ``selector`` in the map's frame (frame pixels)."""
        return self.map.locator(selector).first.evaluate(
            "e => { const r = e.getBoundingClientRect(); return {x: r.x, y: r.y, w: r.width, h: r.height}; }")

    def shot(self, name: str) -> None:
        OUTPUT.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(OUTPUT / name))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def session(browser, server):
    s = Session(browser, server)
    yield s
    s.close()


def test_map_draws_offline_and_article_markup_never_runs(session: Session) -> None:
    session.wait_markers(TOTAL)
    page, fmap = session.page, session.map
    # Open every tooltip and popup: the payload article's title, place, claimant and evidence are in them.
    popups, tooltips = [], []
    for i in range(TOTAL):
        marker = fmap.locator(MARKERS).nth(i)
        # Events sent to the marker itself: a neighbour's halo or the legend may cover its centre.
        marker.dispatch_event("mouseover")
        page.wait_for_timeout(100)
        tooltips.append(fmap.locator(".leaflet-tooltip").last.inner_text())
        marker.dispatch_event("mouseout")
        marker.dispatch_event("click")
        page.wait_for_timeout(250)
        popups.append(fmap.locator(".leaflet-popup-content").last.inner_text())
    # The payloads are shown as text, not run.
    payload_popup = next(t for t in popups if "Saasaa falls" in t)
    assert "<script>window.__pwned=1</script>" in payload_popup
    assert '<b onmouseover="window.__pwned=5">the monitor</b>' in payload_popup
    assert any('Saasaa<img src=x onerror="window.__pwned=6">' in t for t in tooltips)
    assert fmap.locator(".leaflet-popup-content script, .leaflet-popup-content img, .leaflet-tooltip img").count() == 0
    # Leave the hostile popup open for the screenshot.
    fmap.locator(MARKERS).nth(next(i for i, t in enumerate(popups) if "Saasaa falls" in t)).dispatch_event("click")
    page.wait_for_timeout(500)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(OUTPUT / "dashboard.png"))
    assert session.pwned() == []
    assert session.dialogs == []
    assert session.blocked == [], "the page needed the network"
    assert session.errors == []


def test_province_and_source_filters_redraw_the_markers(session: Session) -> None:
    session.wait_markers(TOTAL)
    session.pick("Province", "Rif Dimashq (SY-RD)")
    session.wait_markers(3)
    assert "province=SY-RD" in session.page.url
    session.pick("Source", "Local monitor")
    session.wait_markers(2)
    assert "source=Local+monitor" in session.page.url or "source=Local%20monitor" in session.page.url
    session.page.screenshot(path=str(OUTPUT / "filtered.png"))
    assert session.blocked == []


def test_a_shared_link_opens_the_same_view(browser, server) -> None:
    s = Session(browser, f"{server}/?source=AFP&since=2024-12-06")
    try:
        s.wait_markers(2)
        assert s.blocked == []
    finally:
        s.close()


def test_source_layers_toggle_in_the_layer_control(session: Session) -> None:
    session.wait_markers(TOTAL)
    session.source_layer("Local monitor", 3).uncheck()
    session.wait_markers(TOTAL - 3)
    session.source_layer("Local monitor", 3).check()
    session.wait_markers(TOTAL)


def test_a_source_turned_off_stays_off_when_a_filter_changes(session: Session) -> None:
    session.wait_markers(TOTAL)
    session.source_layer("Local monitor", 3).uncheck()
    session.wait_markers(TOTAL - 3)
    # Rif Dimashq: three claims, two of them from the local monitor, whose layer is rebuilt with the filter.
    session.pick("Province", "Rif Dimashq (SY-RD)")
    session.wait_markers(1)
    assert not session.source_layer("Local monitor", 2).is_checked()
    assert session.source_layer("SANA", 1).is_checked()
    session.source_layer("Local monitor", 2).check()
    session.wait_markers(3)
    # Ticked again, it is forgotten: the next rebuild shows it.
    session.unpick("Rif Dimashq (SY-RD)")
    session.wait_markers(TOTAL)
    assert session.source_layer("Local monitor", 3).is_checked()
    assert session.blocked == [] and session.errors == []


def claims_shown(page) -> int:
    """The "Claims shown" figure above the table."""
    metric = page.get_by_test_id("stMetric").filter(has_text="Claims shown")
    return int(metric.get_by_test_id("stMetricValue").inner_text().replace(",", ""))


def wait_claims_shown(page, n: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while claims_shown(page) != n:
        if time.monotonic() > deadline:
            raise AssertionError(f"Claims shown says {claims_shown(page)}, expected {n}")
        time.sleep(0.25)


def test_claims_shown_counts_what_the_map_shows(session: Session) -> None:
    session.wait_markers(TOTAL)
    wait_claims_shown(session.page, TOTAL)
    session.source_layer("Local monitor", 3).uncheck()
    session.wait_markers(TOTAL - 3)
    wait_claims_shown(session.page, TOTAL - 3)
    assert session.page.get_by_text("Source layers turned off on the map: Local monitor").is_visible()
    # A filter change keeps the layer off, and the figure keeps counting without it.
    session.pick("Province", "Rif Dimashq (SY-RD)")
    session.wait_markers(1)
    wait_claims_shown(session.page, 1)
    session.source_layer("Local monitor", 2).check()
    session.wait_markers(3)
    wait_claims_shown(session.page, 3)
    assert session.blocked == [] and session.errors == []


def test_geojson_download_is_valid_and_complete(browser, server, tmp_path: Path) -> None:
    s = Session(browser, server, downloads=True)
    try:
        s.wait_markers(TOTAL)
        with s.page.expect_download(timeout=60_000) as info:
            s.page.get_by_role("button", name="GeoJSON").click()
        path = tmp_path / "download.geojson"
        info.value.save_as(path)
    finally:
        s.close()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    assert len(data["features"]) == TOTAL
    for feature in data["features"]:
        assert feature["type"] == "Feature"
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["geometry"]["type"] == "Point" and -180 <= lon <= 180 and -90 <= lat <= 90
        assert {"place", "event_type", "actor", "source", "evidence"} <= set(feature["properties"])
    import geopandas as gpd

    assert len(gpd.read_file(path)) == TOTAL


def test_clustered_map_follows_the_province_filter_and_the_source_layers(browser, clustered_server) -> None:
    """Above mapview.CLUSTER_ABOVE claims markers are clustered; cluster icons show how many claims they hold."""
    s = Session(browser, clustered_server)
    try:
        clusters = s.wait_drawn(CLUSTER_TOTAL)
        assert clusters > 0 and s.markers() < CLUSTER_TOTAL / 4, "the claims are not aggregated"
        # Aleppo alone is still more than CLUSTER_ABOVE claims: a clustered map replaces a clustered map.
        aleppo = cluster_count("SY-HL")
        s.pick("Province", "Aleppo (SY-HL)")
        assert s.wait_drawn(aleppo) > 0
        assert "province=SY-HL" in s.page.url
        # The layer control names each source with its count in the filtered view.
        monitor = cluster_count("SY-HL", "Local monitor")
        s.source_layer("Local monitor", monitor).uncheck()
        s.wait_drawn(aleppo - monitor)
        OUTPUT.mkdir(parents=True, exist_ok=True)
        s.page.screenshot(path=str(OUTPUT / "clustered.png"))
        # A source turned off stays off when a filter change rebuilds the layers: out of the clusters, unticked.
        s.pick("Province", "Hama (SY-HM)")
        both, monitor_both = cluster_count("SY-HL") + cluster_count("SY-HM"), monitor + cluster_count("SY-HM", "Local monitor")
        assert s.wait_drawn(both - monitor_both) > 0
        assert not s.source_layer("Local monitor", monitor_both).is_checked()
        assert s.source_layer("AFP", cluster_count("SY-HL", "AFP") + cluster_count("SY-HM", "AFP")).is_checked()
        s.source_layer("Local monitor", monitor_both).check()
        s.wait_drawn(both)
        s.unpick("Hama (SY-HM)")
        s.wait_drawn(aleppo)
        assert s.source_layer("Local monitor", monitor).is_checked()
        s.unpick("Aleppo (SY-HL)")
        assert s.wait_drawn(CLUSTER_TOTAL) > 0
        assert "province=" not in s.page.url
        assert s.blocked == [], "the page needed the network"
        assert s.errors == []
    finally:
        s.close()


# --------------------------------------------------------------------------- issue #14: a map read at a glance

PHONE, DESKTOP = (390, 844), (1400, 900)

# Each box in the map's frame: markers, place labels, controls.
BOXES = """() => {
    const box = e => { const r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
    const all = sel => Array.from(document.querySelectorAll(sel)).filter(e => e.offsetParent !== null || e.getClientRects().length);
    return {markers: all('.leaflet-marker-pane > *').map(box),
            labels: all('.fl-label').map(e => [e.textContent, ...box(e)]),
            map: box(document.querySelector('.leaflet-container')),
            controls: all('.leaflet-control').map(box)};
}"""


def _overlap(a, b) -> float:
    w = min(a[2], b[2]) - max(a[0], b[0])
    h = min(a[3], b[3]) - max(a[1], b[1])
    return max(w, 0) * max(h, 0)


def _wait_labels(s: Session, *names: str, timeout: float = 30) -> dict:
    """The boxes once ``names`` are labelled and the map has settled (two reads 0.5 s apart agree)."""
    deadline, last = time.monotonic() + timeout, None
    while True:
        boxes = s.map.locator("body").evaluate(BOXES)
        shown = {label[0] for label in boxes["labels"]}
        if (set(names) <= shown and boxes == last) or time.monotonic() > deadline:
            return boxes
        last = boxes
        time.sleep(0.5)


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_places_are_labelled_in_english_without_covering_markers(browser, server, viewport) -> None:
    s = Session(browser, server, viewport=viewport)
    try:
        s.wait_markers(TOTAL)
        # Claimed places by their press names (the province-wide claim as its province); capitals from the gazetteer.
        boxes = _wait_labels(s, "Hama", "Daraa", "Sweida", "Rif Dimashq province", "Homs")
        shown = {label[0] for label in boxes["labels"]}
        assert {"Hama", "Daraa", "Sweida", "Rif Dimashq province", "Homs"} <= shown, shown
        assert not any("ā" in name or "Ḩ" in name for name in shown)
        for name, *label in boxes["labels"]:
            for marker in boxes["markers"]:
                # Markers are drawn 22 px wide with a few px of transparent margin: a 2 px graze is no cover.
                assert _overlap(label, marker) <= 4, f"label {name!r} covers a marker"
            for control in boxes["controls"]:
                assert _overlap(label, control) == 0, f"label {name!r} hides under a map control"
            assert label[0] >= boxes["map"][0] - 1 and label[2] <= boxes["map"][2] + 1, f"label {name!r} leaves the map"
        s.shot(f"labels-{viewport[0]}x{viewport[1]}.png")
        assert s.blocked == [] and s.errors == []
    finally:
        s.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_map_takes_the_viewport_and_the_first_view_shows_the_capital(browser, server, viewport) -> None:
    s = Session(browser, server, viewport=viewport)
    try:
        s.wait_markers(TOTAL)
        s.page.wait_for_timeout(800)
        frame = s.page.locator(MAP_FRAME).bounding_box()
        width, height = viewport
        assert frame["height"] >= 0.8 * height and frame["y"] < 0.12 * height  # no title and metrics above it
        boxes = s.map.locator("body").evaluate(BOXES)
        m = boxes["map"]
        map_area = (m[2] - m[0]) * (m[3] - m[1])
        covered = sum(_overlap(c, m) for c in boxes["controls"])
        assert covered < 0.12 * map_area, f"controls cover {covered / map_area:.0%} of the map"
        if viewport == DESKTOP:
            # The map, not the feed, has most of the room beside the sidebar.
            sidebar = s.page.get_by_test_id("stSidebar").bounding_box()["width"]
            assert (m[2] - m[0]) >= 0.65 * (width - sidebar)
        # Every claim, Damascus and its countryside included, is inside the first view.
        for marker in boxes["markers"]:
            assert m[0] <= (marker[0] + marker[2]) / 2 <= m[2] and m[1] <= (marker[1] + marker[3]) / 2 <= m[3]
        assert "Damascus" in {label[0] for label in _wait_labels(s, "Damascus")["labels"]}
        s.shot(f"dashboard-{width}x{height}.png")
        assert s.blocked == [] and s.errors == []
    finally:
        s.close()


def test_legend_and_layers_fold_out_of_the_way_of_popups(browser, server) -> None:
    s = Session(browser, server, viewport=PHONE)
    try:
        s.wait_markers(TOTAL)
        assert s.map.locator(".fl-legend details").evaluate("d => d.open") is False  # folded on a phone
        assert s.map.locator(".leaflet-control-layers-expanded").count() == 0
        s.map.locator(".fl-legend summary").click()
        assert s.map.locator(".fl-legend details").evaluate("d => d.open") is True
        s.map.locator(MARKERS).first.dispatch_event("click")
        s.page.wait_for_timeout(600)
        assert s.map.locator(".leaflet-popup").count() == 1
        assert s.map.locator(".fl-legend details").evaluate("d => d.open") is False  # a popup folds it again
        popup = s.rect(".leaflet-popup-content-wrapper")
        m = s.map.locator("body").evaluate(BOXES)["map"]
        assert popup["x"] >= m[0] and popup["x"] + popup["w"] <= m[2] + 1  # the popup fits the phone's map
        s.shot("popup-390x844.png")
    finally:
        s.close()


def test_event_feed_lists_newest_first_and_drives_the_map(browser, server) -> None:
    s = Session(browser, server, viewport=DESKTOP)
    try:
        s.wait_markers(TOTAL)
        feed = s.map.locator(".fl-ev")
        assert feed.count() == TOTAL and s.map.locator(".fl-feed-count").inner_text() == str(TOTAL)
        dates = [t for t in s.map.locator(".fl-ev time").all_inner_texts()]
        assert dates == sorted(dates, reverse=True) and dates[0] == "2024-12-08"
        first = feed.first.inner_text()
        assert "Saasaa" in first and "Capture" in first and "Local monitor" in first  # place, event, source
        # Hovering a line highlights its marker; clicking zooms to it and opens its popup.
        daraa = feed.filter(has_text="Daraa")
        daraa.hover()
        assert s.map.locator(".leaflet-marker-pane .fl-hl").count() == 1
        zoom = s.map.locator("body").evaluate("() => window.map.getZoom()")
        daraa.click()
        s.page.wait_for_timeout(800)
        assert "Daraa" in s.map.locator(".leaflet-popup-content").inner_text()
        assert s.map.locator("body").evaluate("() => window.map.getZoom()") >= max(zoom, 8)
        s.shot("feed-click-1400x900.png")
        # The feed follows the filters and the source layers.
        s.pick("Source", "AFP")
        s.wait_markers(2)
        deadline = time.monotonic() + 20
        while s.map.locator(".fl-ev").count() != 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert s.map.locator(".fl-ev").count() == 2
        s.source_layer("AFP", 2).uncheck()
        assert s.map.locator(".fl-ev").count() == 0 and s.map.locator(".fl-feed-count").inner_text() == "0"
        s.source_layer("AFP", 2).check()
        assert s.blocked == [] and s.errors == []
    finally:
        s.close()


def test_phone_feed_is_folded_below_the_map_and_opens(browser, server) -> None:
    s = Session(browser, server, viewport=PHONE)
    try:
        s.wait_markers(TOTAL)
        assert not s.map.locator(".fl-feed-list").is_visible()
        s.map.locator(".fl-feed-toggle").click()
        assert s.map.locator(".fl-feed-list").is_visible() and s.map.locator(".fl-ev").count() == TOTAL
        s.shot("feed-390x844.png")
        s.map.locator(".fl-ev").filter(has_text="Hama").click()
        s.page.wait_for_timeout(800)
        assert not s.map.locator(".fl-feed-list").is_visible()  # folded again, so the popup shows
        assert "Hama" in s.map.locator(".leaflet-popup-content").inner_text()
    finally:
        s.close()


def test_pickers_find_places_by_english_name_and_alias(browser, server) -> None:
    s = Session(browser, server, viewport=DESKTOP)
    try:
        s.wait_markers(TOTAL)
        assert s.search("Province", "Sweida")[0].startswith("Sweida (SY-SU)")
        assert s.search("Province", "Suwayda")[0].startswith("Sweida (SY-SU)")  # an alias finds it too
        assert s.search("Province", "Daraa")[0].startswith("Daraa (SY-DR)")
        assert s.search("Province", "Hama")[0].startswith("Hama (SY-HM)")
        timeline = s.page.get_by_test_id("stSelectbox").filter(has_text="Place timeline")
        timeline.locator("input").click()
        timeline.locator("input").fill("Daraa")
        s.page.wait_for_timeout(400)
        options = s.page.get_by_role("option").all_inner_texts()
        assert options and options[0].startswith("Daraa province (SY-DR)") or options[0].startswith("Daraa (SY-DR)"), options
    finally:
        s.close()


def test_contested_popup_names_the_denial_and_province_tooltip_says_why(browser, server) -> None:
    s = Session(browser, server, viewport=DESKTOP)
    try:
        s.wait_markers(TOTAL)
        s.map.locator(".fl-ev").filter(has_text="Withdrawal").filter(has_text="Local monitor").click()
        s.page.wait_for_timeout(800)
        popup = s.map.locator(".leaflet-popup-content").inner_text()
        assert "Contested by" in popup and "SANA denial, 2024-12-07" in popup
        # Daraa: one province-wide capture (held); Hama: a town's capture only (partial, not held).
        tips = s.map.locator("body").evaluate("""() => {
            const out = {};
            window.map.eachLayer(l => {
                const p = l.feature && l.feature.properties;
                if (p && p.status && l.getTooltip()) { l.openTooltip(l.getBounds().getCenter()); out[p.iso] = l.getTooltip().getElement().innerText; }
            });
            return out;
        }""")
        assert "Held by Local armed groups" in tips["SY-DR"] and "Daraa province: Capture" in tips["SY-DR"]
        assert "Held by" not in tips["SY-HM"] and "no claim about the whole province" in tips["SY-HM"]
        assert "Hama: Capture" in tips["SY-HM"] and "Reuters" in tips["SY-HM"]
    finally:
        s.close()


@pytest.fixture(scope="module")
def apostrophe_server(tmp_path_factory: pytest.TempPathFactory):
    db = build_apostrophe_store(tmp_path_factory.mktemp("browser-apostrophe") / "claims.db")
    with dashboard(db, tmp_path_factory.mktemp("browser-apostrophe-log") / "streamlit.log") as url:
        yield url


def test_chart_draws_a_source_whose_name_has_an_apostrophe(browser, apostrophe_server) -> None:
    s = Session(browser, f"{apostrophe_server}/?source={APOSTROPHE_SOURCE.replace(' ', '+')}", viewport=DESKTOP)
    try:
        s.wait_markers(1)
        chart = s.page.locator("[data-testid='stVegaLiteChart']").first
        chart.scroll_into_view_if_needed()
        deadline = time.monotonic() + 30
        bars = 0
        while time.monotonic() < deadline and not bars:
            bars = chart.locator(".mark-rect path").count()
            time.sleep(0.3)
        assert bars >= 1, "the per-day chart is blank"
    finally:
        s.close()


def test_a_link_with_an_unknown_source_shows_nothing_and_says_why(browser, server) -> None:
    s = Session(browser, f"{server}/?source=No+such+agency", viewport=DESKTOP)
    try:
        s.page.get_by_text("Not found in this store").wait_for(timeout=60_000)
        assert "No such agency" in s.page.get_by_test_id("stAlert").first.inner_text()
        s.page.wait_for_timeout(1500)
        assert s.markers() == 0 and s.map.locator(".fl-feed-count").inner_text() == "0"
    finally:
        s.close()


def test_the_map_says_so_when_the_online_basemap_cannot_load(session: Session) -> None:
    session.wait_markers(TOTAL)
    assert not session.map.locator(".fl-note").is_visible()
    session.map.locator(".leaflet-control-layers").hover()
    session.map.locator(".leaflet-control-layers-base label").filter(has_text="OpenStreetMap").locator("input").check()
    session.map.locator(".fl-note").wait_for(state="visible", timeout=20_000)
    assert "could not be loaded" in session.map.locator(".fl-note").inner_text()
    assert session.blocked and all("127.0.0.1" not in u for u in session.blocked)  # the tiles asked for the network
    session.map.locator(".leaflet-control-layers-base label").filter(has_text="Country outlines").locator("input").check()
    assert not session.map.locator(".fl-note").is_visible()


def test_markers_have_accessible_names(session: Session) -> None:
    session.wait_markers(TOTAL)
    names = session.map.locator(MARKERS).evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")
    assert len(names) == TOTAL and all(names)
    assert any(n.startswith("Hama: Capture") and "Reuters" in n for n in names)
    # Plain text, as the tooltip reads: the hostile place name is text, not markup.
    assert any('Saasaa<img src=x onerror="window.__pwned=6">' in n for n in names)


def test_the_map_zooms_to_the_filtered_claims(browser, server) -> None:
    session = Session(browser, server, viewport=DESKTOP)
    try:
        session.wait_markers(TOTAL)
        session.page.wait_for_timeout(800)
        zoom = session.map.locator("body").evaluate("() => window.map.getZoom()")
        session.pick("Province", "Hama (SY-HM)")
        session.wait_markers(1)
        deadline = time.monotonic() + 15
        while session.map.locator("body").evaluate("() => window.map.getZoom()") <= zoom and time.monotonic() < deadline:
            time.sleep(0.3)
        assert session.map.locator("body").evaluate("() => window.map.getZoom()") > zoom
        assert session.map.locator("body").evaluate(
            "() => window.map.getBounds().contains(window.frontline.claims.markers[0].getLatLng())")
    finally:
        session.close()


def test_chart_legend_shows_every_source_uncut(browser, apostrophe_server) -> None:
    # A laptop's width: the chart's column is narrower than one row of five source names.
    s = Session(browser, apostrophe_server, viewport=(1100, 900))
    try:
        s.wait_markers(TOTAL + 1)
        chart = s.page.locator("[data-testid='stVegaLiteChart']").first
        chart.scroll_into_view_if_needed()
        labels = chart.locator(".role-legend-label text")
        labels.first.wait_for(timeout=30_000)
        texts = labels.evaluate_all("els => els.map(e => e.textContent)")
        assert sorted(texts) == sorted(["AFP", "Local monitor", "People’s Daily", "Reuters", "SANA"]), texts
        # Each label lies wholly inside the chart's drawing (nothing clipped at its edge).
        inside = chart.evaluate("""e => {
            const svg = e.getBoundingClientRect();  // the chart's box on the page: what lies beyond is cut
            return Array.from(e.querySelectorAll('.role-legend-label text')).map(t => {
                const r = t.getBoundingClientRect();
                return r.width > 0 && r.left >= svg.left - 1 && r.right <= svg.right + 1 && r.bottom <= svg.bottom + 1;
            });
        }""")
        assert inside and all(inside), inside
    finally:
        s.close()


def test_clicking_a_marker_opens_its_place_timeline(browser, server) -> None:
    s = Session(browser, server, viewport=DESKTOP)
    try:
        s.wait_markers(TOTAL)
        for name, expected in (("Hama", "Hama (SY-HM)"), ("Rif Dimashq province", "Rif Dimashq province (SY-RD)")):
            marker = s.map.locator(f"{MARKERS}[aria-label^='{name}:']").first
            marker.dispatch_event("click")
            picker = s.page.get_by_test_id("stSelectbox").filter(has_text="Place timeline")
            deadline = time.monotonic() + 30
            while expected not in picker.locator("input").input_value() and time.monotonic() < deadline:
                time.sleep(0.3)
            assert picker.locator("input").input_value().startswith(expected)
            s.page.wait_for_url(re.compile(r".*[?&]place="), timeout=15_000)
        assert s.map.locator(".leaflet-popup").count() == 1  # the map kept its popup through the rerun
        assert s.blocked == [] and s.errors == []
    finally:
        s.close()


def test_pan_and_zoom_travel_in_the_link(browser, server) -> None:
    s = Session(browser, f"{server}/?source=AFP&view=33.2000,36.2000,9", viewport=DESKTOP)
    try:
        s.wait_markers(2)
        s.page.wait_for_timeout(800)
        centre = s.map.locator("body").evaluate("() => [window.map.getCenter().lat, window.map.getCenter().lng, window.map.getZoom()]")
        assert abs(centre[0] - 33.2) < 0.01 and abs(centre[1] - 36.2) < 0.01 and centre[2] == 9  # the link's view
        s.map.locator("body").evaluate("() => { window.map.setView([35.1, 36.75], 8, {animate: false}); }")
        s.page.wait_for_url(re.compile(r".*view=35\.1000(,|%2C)36\.7500(,|%2C)8"), timeout=10_000)
        assert "source=AFP" in s.page.url  # the filters stay in the link beside the view
        # A filter change keeps the view in the link.
        s.pick("Event type", "Capture")
        s.wait_markers(1)
        s.page.wait_for_url(re.compile(r".*event_type=capture.*view=|.*view=.*event_type=capture"), timeout=15_000)
    finally:
        s.close()


def test_play_starts_at_the_first_day_with_claims_and_steps_without_moving_the_page(session: Session) -> None:
    s, page = session, session.page
    s.wait_markers(TOTAL)
    sidebar = page.get_by_test_id("stSidebar")
    play = sidebar.get_by_role("button", name="Play")
    # The button's glyph is drawn from the bundled icon font: one square glyph, not the word "play_arrow".
    glyph = play.get_by_test_id("stIconMaterial").bounding_box()
    assert glyph["width"] <= 1.5 * glyph["height"]
    frame, slider = page.locator(MAP_FRAME).bounding_box(), sidebar.get_by_test_id("stSlider").first.bounding_box()
    play.click()
    sidebar.get_by_role("button", name="Pause").wait_for(timeout=30_000)
    counts, moved = [], []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            n = s.markers()
        except Exception:  # the frame is between two draws
            continue
        if not counts or counts[-1] != n:
            counts.append(n)
        for now, before in ((page.locator(MAP_FRAME).bounding_box(), frame),
                            (sidebar.get_by_test_id("stSlider").first.bounding_box(), slider)):
            if now and any(abs(now[k] - before[k]) > 1 for k in ("x", "y", "width", "height")):
                moved.append((before, now))
        if n == TOTAL and not sidebar.get_by_role("button", name="Pause").count():
            break  # played to the last day
        time.sleep(0.2)
    # Hama alone on 5 December (the first day with claims), then the days after it, up to every claim.
    assert 1 in counts and counts[:counts.index(1)] in ([], [TOTAL]), counts  # the map before Play's first draw
    played = counts[counts.index(1):]
    assert played == sorted(played) and len(played) >= 3 and played[-1] == TOTAL, counts
    assert moved == [], "the page moved while playing"
    assert sidebar.get_by_role("button", name="Play").count() == 1  # back to Play at the last day
    assert s.blocked == [] and s.errors == []


def test_the_map_is_drawn_first_and_the_rest_of_the_page_follows(browser, server) -> None:
    # A page's first run sends the map alone, so that the browser draws the markers before it lays out the
    # figures, the table and the chart; the drawn map asks for the rest, which follows without a click.
    s = Session(browser, server)
    try:
        table, order = s.page.locator("[data-testid='stDataFrame']"), []
        deadline = time.monotonic() + 60
        while len(order) < 2 and time.monotonic() < deadline:
            # The table is looked for first: if both turned up between two looks, the map is not credited.
            if "table" not in order and table.count():
                order.append("table")
            try:
                if "markers" not in order and s.markers():
                    order.append("markers")
            except Exception:  # the frame is not there yet
                pass
            time.sleep(0.02)
        assert order == ["markers", "table"]
        s.page.get_by_test_id("stVegaLiteChart").first.wait_for(state="attached", timeout=30_000)
        assert s.page.get_by_test_id("stMetric").count() == 4
        assert s.page.get_by_text("follow as soon as the map is drawn").count() == 0
        assert s.markers() > 0 and not s.errors and not s.dialogs
    finally:
        s.close()


# Records what the event feed says each time it changes, looking between tasks (a timer: the map's frame reuses
# the window of its first blank document, where an init script runs, and timers are what survive that): a map whose
# claims come with it never says "Loading the claims…" between two tasks (they replace it in the same task).
FEED_WATCH = """
window.__feedStates = [];
setInterval(() => {
    const list = document.querySelector('.fl-feed-list');
    const text = list ? list.textContent.trim().slice(0, 40) : null;
    if (text && window.__feedStates[window.__feedStates.length - 1] !== text) { window.__feedStates.push(text); }
}, 5);
"""


def _watched_session(browser, url: str) -> Session:
    """A Session whose every frame records what the event feed says (FEED_WATCH)."""
    s = Session.__new__(Session)
    s.blocked, s.dialogs, s.errors = [], [], []
    s.context = browser.new_context(viewport={"width": 1500, "height": 1900})
    s.context.add_init_script(FEED_WATCH)
    s.page = s.context.new_page()
    s.page.route("**/*", s._route)
    s.page.on("pageerror", lambda e: s.errors.append(str(e)))
    s.page.goto(url)
    s.map = s.page.frame_locator(MAP_FRAME)
    return s


def test_the_base_map_comes_first_and_asks_for_its_claims(browser, tmp_path_factory: pytest.TempPathFactory) -> None:
    # On a server that has not drawn these claims yet, the first run sends the base map alone (outlines, legend,
    # labels), so that the browser loads the map's frame while the server builds the claims; the drawn map asks for
    # them, and they follow without a click. A second page on the same filters gets its map whole, at once.
    db = build_store(tmp_path_factory.mktemp("browser-base-first") / "claims.db")
    with dashboard(db, tmp_path_factory.mktemp("browser-base-first-log") / "streamlit.log") as url:
        for visit in ("first", "second"):
            s = _watched_session(browser, url)
            try:
                s.wait_markers(TOTAL)
                states = s.map.locator("body").evaluate("() => window.__feedStates")
                loading = [state for state in states if state.startswith("Loading")]
                assert loading == (["Loading the claims…"] if visit == "first" else []), states
                assert states[-1] != "Loading the claims…" and s.map.locator(".fl-feed-count").inner_text() == str(TOTAL)
                assert s.map.locator(".fl-legend").count() == 1
                s.settled()
                # the metrics below the map come later in the same run: on a busy machine, after the check above
                s.page.get_by_test_id("stMetric").nth(3).wait_for(timeout=30_000)
                assert s.page.get_by_test_id("stMetric").count() == 4 and not s.errors and s.blocked == []
            finally:
                s.close()
