"""The dashboard in a real browser: `streamlit run app.py` on a store of known claims, driven by Playwright
through Debian's Chromium (headless), with every non-localhost request blocked.

Needs `apt-get install chromium` (.ci/run does it) and `make vendor` (Leaflet in static/vendor).
"""
from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dashboard_data import CLUSTER_TOTAL, TOTAL, build_clustered_store, build_store, cluster_count
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

    def __init__(self, browser, url: str, downloads: bool = False):
        self.blocked: list[str] = []
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        self.context = browser.new_context(viewport={"width": 1500, "height": 1900}, accept_downloads=downloads)
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

    def pick(self, label: str, option: str) -> None:
        """Choose an option in a sidebar multiselect."""
        box = self.page.get_by_test_id("stSidebar").locator("[data-testid='stMultiSelect']").filter(has_text=label)
        box.locator("input").click()
        self.page.get_by_role("option", name=option, exact=True).click()
        self.page.keyboard.press("Escape")

    def source_layer(self, source: str, n: int):
        """The checkbox of ``source``'s layer in the layer control, labelled with its ``n`` claims."""
        label = self.map.locator(".leaflet-control-layers-overlays label").filter(has_text=f"{source} ({n})")
        return label.locator("input")

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
    control = session.map.locator(".leaflet-control-layers-overlays label").filter(has_text="Local monitor (3)")
    control.locator("input").uncheck()
    session.wait_markers(TOTAL - 3)
    control.locator("input").check()
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
    session.page.get_by_role("button", name="Remove Rif Dimashq (SY-RD)").click()
    session.wait_markers(TOTAL)
    assert session.source_layer("Local monitor", 3).is_checked()
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
        s.page.get_by_role("button", name="Remove Hama (SY-HM)").click()
        s.wait_drawn(aleppo)
        assert s.source_layer("Local monitor", monitor).is_checked()
        s.page.get_by_role("button", name="Remove Aleppo (SY-HL)").click()
        assert s.wait_drawn(CLUSTER_TOTAL) > 0
        assert "province=" not in s.page.url
        assert s.blocked == [], "the page needed the network"
        assert s.errors == []
    finally:
        s.close()
