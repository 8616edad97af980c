"""The dashboard driven through Streamlit's AppTest, on a store of known claims (tests/dashboard_data.py)."""
from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import geopandas as gpd
import pytest
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.testing.v1 import AppTest

from dashboard_data import EXPECTED, TOTAL, build_store
from geo.store import Filters, Store

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("dashboard") / "claims.db")


@pytest.fixture
def app(db: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("FRONTLINE_DB", str(db))
    return AppTest.from_file(APP, default_timeout=120)


def shown(at: AppTest) -> int:
    """The "Claims shown" figure."""
    metric = next(m for m in at.metric if m.label == "Claims shown")
    return int(metric.value.replace(",", ""))


def url_values(at: AppTest, name: str) -> list[str]:
    value = at.query_params.get(name, [])
    return [value] if isinstance(value, str) else list(value)


def map_script(at: AppTest) -> str:
    component = at.get("component_instance")
    assert component, "no map component on the page"
    return component[0].proto.json_args


def test_opens_on_every_claim_with_a_layer_per_source(app: AppTest) -> None:
    at = app.run()
    assert not at.exception
    assert shown(at) == TOTAL
    script = map_script(at)
    for layer in ("AFP (2)", "Local monitor (3)", "Reuters (1)", "SANA (1)"):
        assert layer in json.loads(script)["layer_control"]
    # Offline: every asset from Streamlit's static folder, none from a CDN.
    args = json.loads(script)
    assert args["js_links"] and all(u.startswith("/app/static/vendor/") for u in args["js_links"] + args["css_links"])


@pytest.mark.parametrize(("key", "value"), list(EXPECTED), ids=[f"{k}={v}" for k, v in EXPECTED])
def test_each_filter_changes_the_count_and_the_url(app: AppTest, key: str, value: tuple) -> None:
    at = app.run()
    widget = at.sidebar.slider(key=key) if key == "f_dates" else at.sidebar.multiselect(key=key)
    widget.set_value(value if key == "f_dates" else list(value)).run()
    assert not at.exception
    assert shown(at) == EXPECTED[(key, value)]
    # The query string mirrors the filter, so the view can be shared by its link.
    if key == "f_dates":
        assert at.query_params.get("since") or at.query_params.get("until")
    else:
        param = {"f_provinces": "province", "f_sources": "source", "f_event_types": "event_type",
                 "f_actors": "actor"}[key]
        assert sorted(url_values(at, param)) == sorted(value)


def test_a_filter_change_keeps_the_map_and_swaps_its_layers(app: AppTest) -> None:
    at = app.run()
    before = json.loads(map_script(at))
    at.sidebar.multiselect(key="f_sources").set_value(["AFP"]).run()
    after = json.loads(map_script(at))
    assert after["script"] == before["script"]  # same base map: the browser keeps it
    assert "AFP (2)" in after["layer_control"] and "Reuters (1)" not in after["layer_control"]


def test_contested_only_shows_what_the_store_calls_contested(app: AppTest, db: Path) -> None:
    at = app.run()
    at.sidebar.toggle(key="f_contested").set_value(True).run()
    with Store(db, readonly=True) as store:
        expected = len(store.claims_frame(Filters(contested_only=True)))
    assert 0 < expected < TOTAL
    assert shown(at) == expected
    assert url_values(at, "contested") == ["1"]


def test_filters_combine(app: AppTest) -> None:
    at = app.run()
    at.sidebar.multiselect(key="f_provinces").set_value(["SY-RD"]).run()
    at.sidebar.multiselect(key="f_actors").set_value(["government"]).run()
    assert shown(at) == 2  # the withdrawal and its denial in the Damascus countryside
    at.sidebar.multiselect(key="f_event_types").set_value(["denial"]).run()
    assert shown(at) == 1


def test_view_is_restored_from_the_link(app: AppTest) -> None:
    app.query_params["source"] = ["AFP", "Reuters"]
    app.query_params["since"] = "2024-12-06"
    at = app.run()
    assert not at.exception
    assert at.sidebar.multiselect(key="f_sources").value == ["AFP", "Reuters"]
    assert at.sidebar.slider(key="f_dates").value == (date(2024, 12, 6), date(2024, 12, 8))
    assert shown(at) == 2  # AFP's two claims of 6 December; Reuters' is from the 5th


def test_a_link_naming_unknown_values_says_so_and_shows_nothing_for_them(app: AppTest) -> None:
    app.query_params["source"] = ["No such agency"]
    app.query_params["since"] = "not-a-date"
    at = app.run()
    assert not at.exception
    assert shown(at) == 0  # an unknown source matches nothing: the link never widens to everything
    warnings = " ".join(w.value for w in at.warning)
    assert "“No such agency”" in warnings and "not found" in warnings.lower()
    assert "since=not-a-date" in warnings
    assert url_values(at, "source") == ["No such agency"]  # the link is kept as it was given
    at.button(key="drop_unknown").click().run()
    assert shown(at) == TOTAL
    assert not any("No such agency" in w.value for w in at.warning)


def test_unknown_values_beside_known_ones_match_nothing_themselves(app: AppTest) -> None:
    app.query_params["source"] = ["AFP", "Nobody's Wire"]
    app.query_params["actor"] = ["rebels", "martians"]
    at = app.run()
    assert at.sidebar.multiselect(key="f_sources").value == ["AFP"]
    assert shown(at) == 0  # AFP reports no rebel claim in this store; "martians" adds nothing
    warnings = " ".join(w.value for w in at.warning)
    assert "source “Nobody's Wire”" in warnings and "actor “martians”" in warnings
    # Changing the filter that held the unknown value drops it.
    at.sidebar.multiselect(key="f_actors").set_value([]).run()
    assert shown(at) == 2 and not any("martians" in w.value for w in at.warning)


def test_a_link_with_reversed_dates_gives_an_empty_range_with_a_note(app: AppTest) -> None:
    app.query_params["since"] = "2024-12-08"
    app.query_params["until"] = "2024-12-06"
    at = app.run()
    assert not at.exception
    assert shown(at) == 0
    assert any("reversed" in w.value for w in at.warning)
    at.sidebar.button(key="reset_dates").click().run()
    assert shown(at) == TOTAL and not any("reversed" in w.value for w in at.warning)


def test_provinces_by_english_name_in_picker_link_and_table(app: AppTest) -> None:
    app.query_params["province"] = ["Rif Dimashq", "hama"]  # names, any case, as typed in a link
    at = app.run()
    picker = at.sidebar.multiselect(key="f_provinces")
    assert sorted(picker.value) == ["SY-HM", "SY-RD"]
    labels = list(picker.options)  # as the picker shows them (and as its search box matches them)
    assert any(label.startswith("Hama (SY-HM)") and "Ḩamāh" in label for label in labels)
    assert any(label.startswith("Sweida (SY-SU)") and "As-Suwayda" in label for label in labels)
    assert labels == sorted(labels, key=str.lower)  # alphabetical by English name
    table = next(d.value for d in at.dataframe if "province_name" in d.value.columns)
    assert set(table["province_name"]) == {"Hama (SY-HM)", "Rif Dimashq (SY-RD)"}
    assert "Rif Dimashq province" in set(table["place"])  # province-wide claims are named after the province
    assert shown(at) == 4


def test_contested_popups_name_the_denial_that_contests_them(app: AppTest) -> None:
    args = json.loads(map_script(app.run()))
    leaflet = args["feature_group"]
    data = json.loads(re.search(r"\.claims = \(function \(D\) \{.*?\}\)\((\{.*?\})\);\n", leaflet, re.S).group(1))
    popups = ["".join(p if isinstance(p, str) else data["strings"][data["columns"][p[0]][i]] for p in data["popup"])
              for i in range(len(data["columns"]["lat"]))]
    withdrawal = next(p for p in popups if "Government forces withdrew from the Damascus countryside" in p)
    assert "Contested by" in withdrawal and "SANA denial, 2024-12-07" in withdrawal
    denial = next(p for p in popups if "The defence ministry denied" in p)
    assert "Disputes" in denial and "Local monitor withdrawal, 2024-12-07" in denial


def test_popups_tooltips_and_layer_names_carry_no_live_markup(app: AppTest) -> None:
    args = json.loads(map_script(app.run()))
    leaflet = args["script"] + args["feature_group"] + args["layer_control"]
    for payload in ("<script>window.__pwned", "<img src=x", "<b onmouseover", "javascript:window"):
        assert payload not in leaflet
    # The payloads are there, as text: HTML-escaped inside the claims' data.
    data = json.loads(re.search(r"\.claims = \(function \(D\) \{.*?\}\)\((\{.*?\})\);\n", leaflet, re.S).group(1))
    popups = ["".join(p if isinstance(p, str) else data["strings"][data["columns"][p[0]][i]] for p in data["popup"])
              for i in range(len(data["columns"]["lat"]))]
    assert len(popups) == TOTAL
    assert any("&lt;script&gt;window.__pwned=1&lt;/script&gt;Saasaa falls" in p for p in popups)
    assert any("&lt;b onmouseover=&quot;window.__pwned=5&quot;&gt;the monitor&lt;/b&gt;" in p for p in popups)


def _export_cli(db: Path, fmt: str, out: Path, *args: str) -> bytes:
    subprocess.run([sys.executable, "-m", "geo", "export", "--db", str(db), "--format", fmt, "-o", str(out), *args],
                   check=True, cwd=ROOT, capture_output=True)
    return out.read_bytes()


@pytest.fixture
def deferred_downloads(monkeypatch: pytest.MonkeyPatch) -> dict[str, object]:
    """The callables behind the download buttons, by file name: what a click would run."""
    seen: dict[str, object] = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        seen[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name, **kw)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return seen


def test_downloads_equal_the_cli_export_with_the_same_filters(app: AppTest, db: Path, tmp_path: Path,
                                                              deferred_downloads: dict) -> None:
    at = app.run()
    at.sidebar.multiselect(key="f_sources").set_value(["Local monitor", "SANA"]).run()
    at.sidebar.slider(key="f_dates").set_value((date(2024, 12, 7), date(2024, 12, 7))).run()
    assert shown(at) == 3
    cli_args = ("--source", "Local monitor", "--source", "SANA", "--since", "2024-12-07", "--until", "2024-12-07")

    stem = "frontline-claims_Local-monitor_SANA_2024-12-07_2024-12-07"  # the file names say the filter
    geojson = deferred_downloads[f"{stem}.geojson"]()
    assert geojson == _export_cli(db, "geojson", tmp_path / "cli.geojson", *cli_args)
    assert len(json.loads(geojson)["features"]) == 3

    assert deferred_downloads[f"{stem}.csv"]() == _export_cli(db, "csv", tmp_path / "cli.csv", *cli_args)

    (tmp_path / "app.gpkg").write_bytes(deferred_downloads[f"{stem}.gpkg"]())
    _export_cli(db, "gpkg", tmp_path / "cli.gpkg", *cli_args)
    ours, theirs = gpd.read_file(tmp_path / "app.gpkg"), gpd.read_file(tmp_path / "cli.gpkg")
    assert len(ours) == 3
    assert ours.drop(columns="geometry").equals(theirs.drop(columns="geometry"))
    assert ours.geometry.geom_equals(theirs.geometry).all()


def test_place_timeline_lists_every_claim_about_the_place(app: AppTest) -> None:
    at = app.run()
    at.selectbox(key="place").set_value("gn:170652").run()  # the Damascus countryside
    timeline = next(d.value for d in at.dataframe if "⚠" in d.value.columns)
    assert list(timeline.columns) == ["⚠", "Local monitor", "SANA"]
    row = timeline.loc["2024-12-07"]
    assert "withdrawal" in row["Local monitor"] and "denial" in row["SANA"]
    assert row["⚠"] == "⚠"
    assert any("disagree" in w.value for w in at.warning)


def test_empty_store_explains_how_to_add_articles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTLINE_DB", str(tmp_path / "none-yet.db"))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    assert shown(at) == 0
    assert any("python -m geo ingest" in i.value for i in at.info)


GOOD_ARTICLE = b"""---
title: Town changes hands (test)
source: Test wire
published: 2024-12-09
url: https://example.org/test/upload
---
Rebels seized the city of Hama on Monday, the monitor said.
"""


def test_upload_ingests_good_files_and_names_the_failures(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_store(tmp_path / "upload.db")
    monkeypatch.setenv("FRONTLINE_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=180).run()
    before = shown(at)
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
    at.sidebar.file_uploader(key="uploads").set_value([
        ("../../escape hama.txt", GOOD_ARTICLE, "text/plain"),
        ("picture.txt", png, "text/plain"),
    ]).run()
    at.sidebar.button(key="ingest").click().run()
    assert not at.exception
    errors = [e.value for e in at.sidebar.error]
    assert any(e.startswith("✗ picture.txt:") for e in errors), errors
    assert any("1 stored" in s.value for s in at.sidebar.success)
    assert shown(at) > before
    assert "Test wire" in at.sidebar.multiselect(key="f_sources").options
    # The uploader is emptied: the same files are not sent again by a second click.
    assert at.sidebar.file_uploader(key="uploads-1").value in (None, []) and at.sidebar.button(key="ingest").disabled
    # The upload went into the store, not next to it: nothing escaped the temporary folder.
    assert not (tmp_path.parent / "escape hama.txt").exists()


UKRAINE_ARTICLE = b"""---
title: Front line report (test)
source: Test wire
published: 2024-12-09
---
Ukrainian troops withdrew from Bakhmut on Monday, the General Staff said.
"""


def test_upload_reads_with_the_profile_the_user_chooses(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = build_store(tmp_path / "profile.db")
    monkeypatch.setenv("FRONTLINE_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert {"syria", "ukraine"} <= set(at.sidebar.selectbox(key="upload_profile").options)
    assert at.sidebar.selectbox(key="upload_profile").value == "syria"
    at.sidebar.file_uploader(key="uploads").set_value([("bakhmut.txt", UKRAINE_ARTICLE, "text/plain")]).run()
    at.sidebar.selectbox(key="upload_profile").set_value("ukraine").run()
    at.sidebar.button(key="ingest").click().run()
    assert not at.exception
    import sqlite3

    with sqlite3.connect(db) as con:
        rows = con.execute("SELECT c.event_type, c.actor FROM claims c JOIN articles a ON a.id = c.article_id "
                           "WHERE a.article = 'bakhmut.txt'").fetchall()
    assert rows == [("withdrawal", "ukraine")]


def test_play_steps_through_the_days_to_the_last(app: AppTest, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    steps = []
    real_sleep = time.sleep

    def sleep(seconds: float) -> None:
        if seconds >= 1:  # the play-through's pause between days (AppTest polls with short sleeps)
            steps.append(seconds)
            seconds = 0.01
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", sleep)
    at = app.run()
    at.sidebar.button(key="play").click().run()  # reruns itself a day at a time until the last day
    assert not at.exception
    assert len(steps) == 4  # the map showed claims up to the 5th, then the 6th, 7th and 8th of December
    assert at.session_state["playing"] is False
    assert at.sidebar.slider(key="f_dates").value == (date(2024, 12, 5), date(2024, 12, 8))
    assert shown(at) == TOTAL


UNLABELLED = [  # three reports of one capture, in different words, with nothing naming their source
    b"Rebels seized the city of Hama on Monday, the monitor said.\n",
    b"Opposition fighters captured Hama overnight after a short battle, residents reported on Monday.\n",
    b"Rebel forces took control of Hama on Monday morning, according to local activists.\n",
]


def test_uploads_without_a_source_label_do_not_count_as_independent_sources(tmp_path: Path,
                                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRONTLINE_DB", str(tmp_path / "unlabelled.db"))
    at = AppTest.from_file(APP, default_timeout=180).run()
    at.sidebar.file_uploader(key="uploads").set_value(
        [(f"report-{i}.txt", text, "text/plain") for i, text in enumerate(UNLABELLED)]).run()
    at.sidebar.button(key="ingest").click().run()
    assert not at.exception
    table = next(d.value for d in at.dataframe if "corroboration" in d.value.columns)
    captures = table[(table["place"] == "Hama") & (table["event_type"] == "Capture")]
    assert len(captures) >= 2, table[["place", "event_type", "source"]]
    assert len(set(captures["source"])) >= 2  # labelled with their file names, for want of a source
    assert set(captures["corroboration"]) == {1}  # file names are not sources: one unknown source, not three


def test_a_month_dated_claim_is_a_span_not_the_start_of_the_slider_chart_and_play(tmp_path: Path,
                                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from geo.document import Article, Claim

    db = build_store(tmp_path / "month.db")
    text = "Rebels took Aleppo in the last days of November, the monitor said."
    a = Article("month.txt", text, title="Aleppo in November", source="Monthly review", published=date(2024, 12, 6))
    month = Claim(article="month.txt", place="Aleppo", place_id="gn:170063", lat=36.2, lon=37.16, event_type="capture",
                  actor="rebels", evidence=text, evidence_start=0, evidence_end=len(text), country="SY", province="SY-HL",
                  province_name="Aleppo", event_date=date(2024, 11, 1), date_precision="month", source="Monthly review",
                  published=date(2024, 12, 6))
    with Store(db) as store:
        store.add_article(a, [month])
    monkeypatch.setenv("FRONTLINE_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception
    slider = at.sidebar.slider(key="f_dates")
    assert slider.value == (date(2024, 12, 5), date(2024, 12, 8))  # from the first day-dated claim, not 1 November
    assert shown(at) == TOTAL + 1  # the full range filters nothing: the month's claim is shown
    import pyarrow as pa

    chart = at.get("vega_lite_chart")[0].proto
    arrow = chart.datasets[0].data.data if chart.datasets else chart.data.data  # named dataset, or the chart's data
    days = pa.ipc.open_stream(arrow).read_all().to_pandas().iloc[:, 0].astype(str)
    assert days.str.startswith("2024-12-05").any() and not days.str.startswith("2024-11").any()  # no bar on 1 November
    assert any("November 2024" in c.value and "Aleppo" in c.value for c in at.caption)


def test_the_selected_place_and_the_chart_mode_travel_in_the_link(app: AppTest, db: Path, monkeypatch) -> None:
    at = app.run()
    at.selectbox(key="place").set_value("gn:170652").run()
    at.radio(key="chart_by").set_value("event type").run()
    assert url_values(at, "place") == ["gn:170652"] and url_values(at, "chart") == ["event_type"]
    # A new session opening that link shows the same place timeline and chart.
    again = AppTest.from_file(APP, default_timeout=120)
    again.query_params["place"] = "gn:170652"
    again.query_params["chart"] = "event_type"
    again.run()
    assert again.selectbox(key="place").value == "gn:170652"
    assert again.radio(key="chart_by").value == "event type"
    assert any("⚠" in d.value.columns for d in again.dataframe)  # the place's timeline is open


def test_a_large_selection_lists_its_newest_claims_and_says_how_many_it_leaves_out(tmp_path: Path, monkeypatch) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_export import generate

    db = tmp_path / "large.db"
    with Store(db) as store:
        n = generate(store, 2200)
    monkeypatch.setenv("FRONTLINE_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=180).run()
    assert not at.exception
    assert shown(at) == n  # the figures and the map keep every claim
    table = next(d.value for d in at.dataframe if "province_name" in d.value.columns)
    limit = at.session_state["_table_place_ids"]
    assert len(table) == len(limit) == 2000 < n
    assert any(f"2,000 newest of {n:,} claims" in c.value for c in at.caption)
    dates = table["event_date"].dropna()
    with Store(db, readonly=True) as store:
        newest = max(d for d in store.claims_frame(Filters())["event_date"].dropna())
    assert str(dates.iloc[0])[:10] == str(newest)[:10]  # newest first: nothing newer was left out


def test_a_page_s_second_run_reads_nothing_the_first_run_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A store no one has read yet: its first reader leaves an empty write-ahead log beside it, which must not
    # count as a change of the store (every cache of the first run would be missed, the map built twice).
    db = build_store(tmp_path / "claims.db")
    assert not Path(f"{db}-wal").exists()
    reads: list[Filters] = []
    original = Store.claims_frame

    def counted(self: Store, filters: Filters, *args, **kwargs):
        reads.append(filters)
        return original(self, filters, *args, **kwargs)

    monkeypatch.setattr(Store, "claims_frame", counted)
    monkeypatch.setenv("FRONTLINE_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=120).run()
    assert not at.exception and shown(at) == TOTAL
    first = len(reads)
    assert first >= 1 and Path(f"{db}-wal").exists()
    at.run()
    assert not at.exception and shown(at) == TOTAL
    assert len(reads) == first


def test_a_first_page_run_does_not_load_the_language_model(db: Path) -> None:
    # A cold page load pays for every import of the dashboard's first run: the language model is not
    # needed to draw the map, and would cost it seconds.
    code = ("import sys; from streamlit.testing.v1 import AppTest; "
            f"at = AppTest.from_file({APP!r}, default_timeout=120).run(); "
            "assert not at.exception, at.exception; assert at.get('component_instance'), 'no map'; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('spacy', 'thinc')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                         env={**__import__("os").environ, "FRONTLINE_DB": str(db)})
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "[]"
