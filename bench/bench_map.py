"""Benchmark: the dashboard's map at 1,000, 10,000 and 100,000 synthetic claims (target: a filter change
redraws in <= 1 s at 10,000 claims).

    .venv/bin/python bench/bench_map.py [--claims 1000 10000 100000] [--browser-max 10000] [--repeat 5]
                                        [--cold 1] [--no-browser] [--quick]

For each size, in a temporary store filled by bench_export's generator:
- python: reading the claims; building and rendering the base map (once per store version in the
  dashboard) and the layers that follow the filters (once per filter state): all claims, and the claims
  of one province;
- payload: what the browser receives from the map component on a redraw (the base script, re-sent
  unchanged on every rerun, plus the layers), and the size of the map as a standalone page;
- browser (Debian chromium, headless, the dashboard served as `make run` serves it, `python -m geo dashboard`;
  sizes up to --browser-max): time from opening the page to markers visible (cold: a new server process's
  first page, which has read nothing of the store, in a new browser with an empty cache, --cold times, each
  with a server of its own; warm: caches filled), then to the whole page (the claims table, which follows the
  drawn map), and from choosing a province in the sidebar to the map redrawn with the new markers. The redraw is repeated --repeat times, each time
  adding a province the server has not drawn yet (so no cache helps): best and median are printed.
  Wall times depend on what else the machine runs: the load average is printed beside them, and the CPU
  seconds the server and the browser used for each (Linux), which other work on the machine does not inflate.
Prints every figure with the machine's core count so runs can be compared.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_export import generate  # noqa: E402

from dashboard_server import CHROMIUM, CHROMIUM_ARGS, MAP_FRAME, MARKERS, dashboard  # noqa: E402
from geo import mapview  # noqa: E402
from geo.store import Filters, Store  # noqa: E402

TARGET_REDRAW_S = 1.0
TARGET_COLD_S = 5.0
TABLE = "[data-testid='stDataFrame']"


def _timed(fn, repeat: int = 3):
    best, result = float("inf"), None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t)
    return best, result


def _load() -> str:
    return "load %.1f" % os.getloadavg()[0]


def _children(pid: int) -> list[int]:
    out = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            out += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return out


def _tree_cpu_s() -> float:
    """CPU seconds used so far by this process's descendants (the Streamlit server, Playwright's driver and
    Chromium): unlike wall time, it does not grow when other work on the machine takes the cores. Linux
    only (/proc); nan elsewhere."""
    if not Path("/proc/self/stat").exists():
        return float("nan")
    total, todo, seen = 0, _children(os.getpid()), set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, IndexError, ValueError):
            continue
        todo += _children(pid)
    return total / os.sysconf("SC_CLK_TCK")


def python_figures(db: Path) -> dict[str, float]:
    from geo.gazetteer import admin1_polygons, country_outlines

    provinces = admin1_polygons()
    provinces = provinces[provinces["iso"].str.startswith("SY-")]
    countries = country_outlines()
    with Store(db, readonly=True) as store:
        read_s, frame = _timed(lambda: store.claims_frame(Filters()))
        one_province = store.provinces()[0][0]
        filtered_read_s, filtered = _timed(lambda: store.claims_frame(Filters(provinces=(one_province,))))
        actors, event_types = list(store.actors()), list(store.event_types())
    extent = mapview.extent_of(frame)

    def base():
        return mapview.base_payload(mapview.base_map(countries=countries, extent=extent, actors=actors,
                                                     event_types=event_types), key="map")

    base_s, base_payload = _timed(base)

    def layers(claims):
        return lambda: mapview.layers_payload(base_payload, *mapview.map_layers(claims, provinces=provinces))

    layers_s, all_layers = _timed(layers(frame))
    filter_s, some_layers = _timed(layers(filtered))

    def sent_mb(layer_args: dict) -> float:  # the component's arguments on a rerun
        return sum(len(str(v).encode()) for v in {**base_payload.args, **layer_args}.values()) / 1e6

    html = mapview.build_map(frame, provinces=provinces, countries=countries).get_root().render()
    return {"claims": len(frame), "read_s": read_s, "base_s": base_s, "base_mb": len(base_payload.args["script"].encode()) / 1e6,
            "layers_s": layers_s, "payload_mb": sent_mb(all_layers), "html_mb": len(html.encode()) / 1e6,
            "filtered_claims": len(filtered), "filter_read_s": filtered_read_s,
            "filter_python_redraw_s": filtered_read_s + filter_s, "filter_payload_mb": sent_mb(some_layers)}


REDRAWN = """([sel, before]) => {
    const f = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
    const n = f && f.contentDocument ? f.contentDocument.querySelectorAll(sel).length : 0;
    return n > 0 && n !== before;
}"""


def _open(browser, url: str, figures: dict[str, object], attempt: str):
    """Open the dashboard in a new page; the time to the first markers and to the claims table (the rest of the
    page follows the drawn map), the CPU seconds to the markers, and the load average."""
    page = browser.new_page(viewport={"width": 1500, "height": 1300})
    page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(url) else r.abort())
    fmap = page.frame_locator(MAP_FRAME)
    t, cpu = time.perf_counter(), _tree_cpu_s()
    page.goto(url)
    fmap.locator(MARKERS).first.wait_for(state="attached", timeout=180_000)
    figures.setdefault(f"load_to_markers_{attempt}_s", []).append(time.perf_counter() - t)
    figures.setdefault(f"load_cpu_{attempt}_s", []).append(_tree_cpu_s() - cpu)
    page.locator(TABLE).first.wait_for(state="attached", timeout=180_000)
    figures.setdefault(f"load_to_page_{attempt}_s", []).append(time.perf_counter() - t)
    figures.setdefault(f"load_{attempt}", []).append(_load())
    return page, fmap


def browser_figures(db: Path, repeat: int, cold: int = 1) -> dict[str, object]:
    from playwright.sync_api import sync_playwright

    figures: dict[str, object] = {}
    with sync_playwright() as p:
        # Cold: a new server process (imports, store read, map built from nothing) and a new browser (no cached
        # scripts), as for a user's first visit; one server each time. Nothing is cached on disk between them.
        for k in range(cold):
            with tempfile.TemporaryDirectory() as tmp, dashboard(db, Path(tmp) / "streamlit.log") as url:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                page, _ = _open(browser, url, figures, "cold")
                page.close()
                if k < cold - 1:
                    browser.close()
                    continue
                # warm: the same server and browser, caches filled
                page, fmap = _open(browser, url, figures, "warm")
                page.wait_for_timeout(1500)
                box = page.get_by_test_id("stSidebar").locator("[data-testid='stMultiSelect']").first
                redraws, redraw_cpus = [], []
                for _ in range(repeat):
                    before = fmap.locator(MARKERS).count()
                    box.locator("input").click()
                    # The first province not chosen yet: a filter state the server has never drawn.
                    option = page.get_by_role("option").filter(has_not_text="Select all").first
                    t, cpu = time.perf_counter(), _tree_cpu_s()
                    option.click()
                    # Redrawn: the map shows a different set of markers (cluster icons and single markers).
                    page.wait_for_function(REDRAWN, arg=[MARKERS, before], timeout=60_000, polling=20)
                    redraws.append(time.perf_counter() - t)
                    redraw_cpus.append(_tree_cpu_s() - cpu)
                    page.keyboard.press("Escape")
                    page.wait_for_timeout(1200)  # let the rest of the page (table, chart) settle
                figures["redraws_s"] = redraws
                figures["redraw_cpus_s"] = redraw_cpus
                figures["load_redraw"] = _load()
                page.close()
                browser.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--claims", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--browser-max", type=int, default=10000,
                        help="largest size also measured in the browser (beyond it: the Python build only)")
    parser.add_argument("--repeat", type=int, default=5, help="filter changes timed in the browser per size")
    parser.add_argument("--cold", type=int, default=1,
                        help="cold page loads per size, each on a new server process and a new browser")
    parser.add_argument("--no-browser", action="store_true", help="skip the figures that need chromium")
    parser.add_argument("--quick", action="store_true", help="1,000 claims only")
    args = parser.parse_args(argv)
    if args.quick:
        args.claims, args.repeat = [1000], min(args.repeat, 3)
    cores = os.cpu_count() or 1
    browser = not args.no_browser and Path(CHROMIUM).exists()
    print(f"bench_map: dashboard map, {cores} cores" + ("" if browser else " (no browser figures)"))
    best_redraw = cold_loads = None

    def times(values: list[float]) -> str:
        return ", ".join(f"{v:.2f}" for v in values)

    for n in args.claims:
        with tempfile.TemporaryDirectory(prefix="frontline-bench-map-") as tmp:
            db = Path(tmp) / "claims.db"
            with Store(db) as store:
                generate(store, n)
            figures = python_figures(db)
            in_browser = browser and n <= args.browser_max
            if in_browser:
                figures |= browser_figures(db, args.repeat, max(1, args.cold))
        print(f"  {figures['claims']:>6,} claims: read {figures['read_s']:.2f} s; base map {figures['base_s']:.2f} s "
              f"(once per store, script {figures['base_mb']:.2f} MB); layers of all claims {figures['layers_s']:.2f} s; "
              f"component payload {figures['payload_mb']:.2f} MB; standalone page {figures['html_mb']:.2f} MB  [{cores} cores]")
        print(f"          filter to {figures['filtered_claims']:,} claims: python redraw {figures['filter_python_redraw_s']:.2f} s "
              f"(store read {figures['filter_read_s']:.2f} s), payload {figures['filter_payload_mb']:.2f} MB  [{cores} cores]")
        if in_browser:
            redraws, cold = figures["redraws_s"], figures["load_to_markers_cold_s"]
            print(f"          browser: load to markers {times(cold)} s cold ({'; '.join(figures['load_cold'])}), "
                  f"{times(figures['load_to_markers_warm_s'])} s warm ({figures['load_warm'][0]}); whole page (the table "
                  f"follows the drawn map) {times(figures['load_to_page_cold_s'])} s cold, "
                  f"{times(figures['load_to_page_warm_s'])} s warm  [{cores} cores]")
            print(f"          filter change redraw best {min(redraws):.2f} s, median {statistics.median(redraws):.2f} s of "
                  f"{len(redraws)} ({times(redraws)}; {figures['load_redraw']})  [{cores} cores]")
            print(f"          CPU seconds (server, driver and browser; steadier than wall time on a busy machine): "
                  f"load to markers {times(figures['load_cpu_cold_s'])} s cold, {times(figures['load_cpu_warm_s'])} s warm; "
                  f"filter change median {statistics.median(figures['redraw_cpus_s']):.2f} s  [{cores} cores]")
            if n >= 10000:
                best_redraw, cold_loads = min(redraws), cold
    if best_redraw is not None:
        verdict = "meets" if best_redraw <= TARGET_REDRAW_S else "misses"
        print(f"  target: a filter change redraws in <= {TARGET_REDRAW_S:.0f} s at 10,000 claims: {verdict} "
              f"(best of {args.repeat}: {best_redraw:.2f} s; wall time, see the load average)  [{cores} cores]")
    if cold_loads:
        verdict = "meets" if statistics.median(cold_loads) <= TARGET_COLD_S else "misses"
        print(f"  target: a cold page load shows markers in <= {TARGET_COLD_S:.0f} s at 10,000 claims: {verdict} "
              f"(median of {len(cold_loads)}: {statistics.median(cold_loads):.2f} s; wall time, see the load average)  "
              f"[{cores} cores]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
