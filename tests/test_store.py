"""The claims store: idempotent per-article transactions, migrations, filters, contested flags across
articles, corroboration by independent sources, and readers alongside a writer."""
from __future__ import annotations

import contextlib
import random
import re
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

from geo.cli import build_parser
from geo.document import Article, Claim
from geo.store import Filters, Store, StoreError, StoreNotFound, migrate, migrations

LATEST = migrations()[-1].version

REPO = Path(__file__).resolve().parent.parent

# Places of our own (approximate coordinates), with their provinces.
PLACES = {
    "homs": dict(place="Homs", place_id="gn:169577", lat=34.7268, lon=36.7234, country="SY", province="SY-HI",
                 province_name="Homs"),
    "talbiseh": dict(place="Talbiseh", place_id="gn:163271", lat=34.8407, lon=36.7301, country="SY",
                     province="SY-HI", province_name="Homs"),
    "palmyra": dict(place="Palmyra", place_id="gn:170202", lat=34.5601, lon=38.2678, country="SY",
                    province="SY-HI", province_name="Homs"),
    "homs_province": dict(place="Homs Governorate", place_id="gn:169575", lat=34.5, lon=37.9, country="SY",
                          province="SY-HI", province_name="Homs", geo_precision="admin1"),
    "hama": dict(place="Hama", place_id="gn:170017", lat=35.1318, lon=36.7578, country="SY", province="SY-HM",
                 province_name="Hama"),
    "daraa": dict(place="Daraa", place_id="gn:170794", lat=32.6189, lon=36.1021, country="SY", province="SY-DR",
                  province_name="Dar‘ā"),
    "mosul": dict(place="Mosul", place_id="gn:99072", lat=36.335, lon=43.1189, country="IQ", province="IQ-NI",
                  province_name="Nineveh"),
}


def article(name: str, text: str, **meta) -> Article:
    return Article(article=name, text=text, **meta)


def claim(art: Article, evidence: str, where: str, event_type: str, actor: str, **fields) -> Claim:
    start = art.text.index(evidence)
    values = dict(PLACES[where])
    values.update(fields)
    return Claim(article=art.article, evidence=evidence, evidence_start=start, evidence_end=start + len(evidence),
                 event_type=event_type, actor=actor, **values)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "nested" / "frontline.db"


def by_evidence(claims: list[Claim]) -> dict[str, Claim]:
    return {c.evidence: c for c in claims}


# ---------------------------------------------------------------------------------------------
# Writing: idempotence and transactions


def test_reingesting_the_same_text_stores_it_once(db: Path) -> None:
    a = article("hama.txt", "Insurgents seized the city of Hama on Thursday, a monitor said.", source="Reuters",
                published=date(2024, 12, 5))
    claims = [claim(a, "Insurgents seized the city of Hama", "hama", "capture", "rebels")]
    with Store(db) as store:
        assert db.is_file()  # parent folders are created
        assert store.add_article(a, claims) is True
        assert store.has_article(a.content_hash)
        assert store.content_hashes() == [a.content_hash]
        # Same text under another file name and source label: still the same article.
        copy = article("copy_of_hama.txt", a.text, source="Other")
        assert store.add_article(copy, claims) is False
        assert store.stats()["articles"] == 1
        assert store.stats()["claims"] == 1
    with Store(db) as store:
        assert store.add_article(a, claims) is False
        stored = store.claims()
    assert len(stored) == 1 and stored[0].source == "Reuters" and stored[0].article == "hama.txt"


def test_an_article_whose_claims_fail_leaves_nothing_behind(db: Path) -> None:
    a = article("bad.txt", "Rebels entered Homs. Government troops left Talbiseh.", source="AFP")
    good = claim(a, "Rebels entered Homs", "homs", "capture", "rebels")
    outside = claim(a, "Government troops left Talbiseh", "talbiseh", "withdrawal", "government")
    outside.evidence_end = len(a.text) + 10
    with Store(db) as store:
        with pytest.raises(ValueError, match="outside"):
            store.add_article(a, [good, outside])
        assert not store.has_article(a.content_hash)
        assert store.stats()["claims"] == 0
        # A claim the schema refuses (no event type) after one that went in: the whole article rolls back.
        broken = claim(a, "Government troops left Talbiseh", "talbiseh", "withdrawal", "government")
        broken.event_type = None  # type: ignore[assignment]
        with pytest.raises(sqlite3.IntegrityError):
            store.add_article(a, [good, broken])
        assert store.stats() == {**store.stats(), "articles": 0, "claims": 0}
        # The store is still usable and the article can go in once fixed.
        assert store.add_article(a, [good]) is True
        assert [c.evidence for c in store.claims()] == ["Rebels entered Homs"]


def test_in_a_batch_a_failing_article_rolls_back_alone_and_readers_see_whole_commits(db: Path) -> None:
    first = article("first.txt", "Rebels entered Homs on Monday.", source="AFP")
    bad = article("bad.txt", "Government troops left Talbiseh.", source="AFP")
    third = article("third.txt", "Rebels seized Hama.", source="Reuters")
    outside = claim(bad, "Government troops left Talbiseh", "talbiseh", "withdrawal", "government")
    outside.evidence_end = len(bad.text) + 10
    with Store(db) as store:
        with store.batch(max_articles=3, max_seconds=3600):
            assert store.add_article(first, [claim(first, "Rebels entered Homs", "homs", "capture", "rebels")])
            with pytest.raises(ValueError, match="outside"):
                store.add_article(bad, [outside])
            assert store.add_article(third, [claim(third, "Rebels seized Hama", "hama", "capture", "rebels")])
            assert store.add_article(first, []) is False  # the same text again, inside the batch
            with Store(db, readonly=True) as reader:
                assert reader.stats()["articles"] == 0  # nothing committed yet
        with Store(db, readonly=True) as reader:
            assert sorted(a.article for a in reader.articles()) == ["first.txt", "third.txt"]
            assert reader.stats()["claims"] == 2
            assert reader._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_batch_commits_every_max_articles(db: Path) -> None:
    reports = [article(f"r{i}.txt", f"Rebels entered Homs, report {i} said.", source="AFP") for i in range(5)]
    with Store(db) as store, Store(db, readonly=True) as reader:
        with store.batch(max_articles=2, max_seconds=3600):
            seen = []
            for a in reports:
                store.add_article(a, [claim(a, "Rebels entered Homs", "homs", "capture", "rebels")])
                seen.append(reader.stats()["articles"])
        assert seen == [0, 2, 2, 4, 4]
        assert reader.stats()["articles"] == 5


def test_a_failure_while_linking_contests_rolls_the_article_back(db: Path, monkeypatch) -> None:
    a = article("denial.txt", "State television said rebels had not entered Homs.", source="SANA")
    denial = claim(a, "rebels had not entered Homs", "homs", "denial", "government")
    with Store(db) as store:
        def explode(*args, **kwargs):
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(store, "_flag_contests", explode)
        with pytest.raises(RuntimeError):
            store.add_article(a, [denial])
        monkeypatch.undo()
        assert store.stats()["articles"] == 0 and store.stats()["claims"] == 0
        assert store.add_article(a, [denial])


def test_a_process_killed_inside_an_article_leaves_a_consistent_store(db: Path) -> None:
    # The child stores one article, then is SIGKILLed after writing the second article's claims
    # but before its commit.
    script = textwrap.dedent(f"""
        import os, signal, sys
        sys.path.insert(0, {str(REPO)!r})
        from geo.document import Article, Claim
        from geo.store import Store
        store = Store({str(db)!r})
        def art(name, text):
            return Article(article=name, text=text, source="AFP")
        def cl(a, ev, event_type, actor):
            i = a.text.index(ev)
            return Claim(article=a.article, place="Homs", place_id="gn:169577", lat=34.73, lon=36.72,
                         event_type=event_type, actor=actor, evidence=ev, evidence_start=i, evidence_end=i + len(ev))
        first = art("first.txt", "Rebels captured Homs at dawn.")
        store.add_article(first, [cl(first, "Rebels captured Homs", "capture", "rebels")])
        second = art("second.txt", "The army denied that rebels had entered Homs.")
        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)
        store._flag_contests = die
        store.add_article(second, [cl(second, "The army denied that rebels had entered Homs", "denial", "government")])
        print("not reached")
    """)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == -9, done.stderr
    assert "not reached" not in done.stdout
    with Store(db) as store:
        assert [a.article for a in store.articles()] == ["first.txt"]
        assert [c.event_type for c in store.claims()] == ["capture"]
        assert store._conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        # Re-running the ingest stores the second article exactly once.
        second = article("second.txt", "The army denied that rebels had entered Homs.", source="AFP")
        assert store.add_article(second, [claim(second, "The army denied that rebels had entered Homs", "homs",
                                                "denial", "government")])
        assert {c.event_type: c.contested for c in store.claims()} == {"capture": True, "denial": True}


# ---------------------------------------------------------------------------------------------
# Migrations


def test_a_version_1_database_is_migrated_forward_with_its_data(db: Path) -> None:
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db, isolation_level=None)
    assert migrate(conn, target=1) == 1
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"articles", "claims"} <= tables and "contests" not in tables
    text = "Government forces withdrew from Talbiseh. The government denied any withdrawal from Talbiseh."
    conn.execute("INSERT INTO articles(article, content_hash, source, published, credited, text) "
                 "VALUES ('old.txt', 'abc', 'Enab Baladi', '2024-12-01', '[]', ?)", (text,))
    for seq, (event_type, evidence) in enumerate([("withdrawal", "Government forces withdrew from Talbiseh"),
                                                  ("denial", "The government denied any withdrawal")]):
        start = text.index(evidence)
        conn.execute(
            "INSERT INTO claims(uid, article_id, seq, place, place_id, lat, lon, event_type, actor, evidence, "
            "evidence_start, evidence_end) VALUES (?, 1, ?, 'Talbiseh', 'gn:163271', 34.84, 36.73, ?, 'government', "
            "?, ?, ?)", (f"abc-{seq}", seq, event_type, evidence, start, start + len(evidence)))
    conn.close()

    with Store(db) as store:
        assert store.schema_version == LATEST >= 3
        claims = store.claims()
        assert [c.event_type for c in claims] == ["withdrawal", "denial"]
        # Contests and corroboration computed for data that predates them.
        assert all(c.contested for c in claims)
        assert [c.corroboration for c in claims] == [1, 1]
        assert claims[0].published == date(2024, 12, 1)
        later = article("later.txt", "Government forces have left Talbiseh, Reuters witnesses said.", source="Reuters")
        store.add_article(later, [claim(later, "Government forces have left Talbiseh", "talbiseh", "withdrawal",
                                        "government")])
        assert [c.corroboration for c in store.claims(Filters(event_types=("withdrawal",)))] == [2, 2]


def test_a_reader_migrates_an_old_store_it_is_asked_to_read(db: Path) -> None:
    db.parent.mkdir(parents=True)
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, target=1)
    conn.close()
    with Store(db, readonly=True) as store:
        assert store.schema_version == LATEST
        assert store.claims() == []


def test_a_store_from_a_newer_frontline_is_refused(db: Path) -> None:
    with Store(db):
        pass
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 99")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store(db)


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path: Path) -> None:
    junk = tmp_path / "notes.db"
    junk.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="not a usable Frontline store"):
        Store(junk, readonly=True)


def test_a_read_only_store_never_creates_a_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    with pytest.raises(StoreNotFound):
        Store(missing, readonly=True)
    assert not missing.exists()


def test_a_read_only_store_refuses_writes(db: Path) -> None:
    with Store(db):
        pass
    a = article("a.txt", "Rebels captured Homs.")
    with Store(db, readonly=True) as store, pytest.raises(StoreError):
        store.add_article(a, [])


# ---------------------------------------------------------------------------------------------
# Filters


@pytest.fixture
def filled(db: Path) -> Path:
    a = article("a.txt", "Rebels captured Homs on Friday. Government forces withdrew from Talbiseh.",
                source="Reuters", published=date(2024, 12, 6), credited=["Reuters"])
    b = article("b.txt", "Clashes erupted in Daraa. Pro-government fighters redeployed in Hama.",
                source="Enab Baladi", published=date(2024, 12, 8))
    c = article("c.txt", "The army said it had not withdrawn from Talbiseh.", source="SANA")
    d = article("d.txt", "Militants struck a checkpoint near Mosul.", source="Rudaw", published=date(2024, 11, 20))
    with Store(db) as store:
        store.add_article(a, [
            claim(a, "Rebels captured Homs on Friday", "homs", "capture", "rebels", event_date=date(2024, 12, 6),
                  date_precision="day", claimant="monitor"),
            claim(a, "Government forces withdrew from Talbiseh", "talbiseh", "withdrawal", "government"),
        ])
        store.add_article(b, [
            claim(b, "Clashes erupted in Daraa", "daraa", "clash", "unknown", event_date=date(2024, 12, 1)),
            claim(b, "Pro-government fighters redeployed in Hama", "hama", "deployment", "government"),
        ])
        store.add_article(c, [claim(c, "The army said it had not withdrawn from Talbiseh", "talbiseh", "denial",
                                    "government")])
        store.add_article(d, [claim(d, "Militants struck a checkpoint near Mosul", "mosul", "strike", "isis",
                                    geo_precision="near")])
    return db


def evidences(store: Store, **filters) -> set[str]:
    return {c.evidence for c in store.claims(Filters(**filters))}


def test_each_filter_narrows_the_claims(filled: Path) -> None:
    with Store(filled, readonly=True) as store:
        assert len(store.claims()) == 6
        assert evidences(store, provinces=("SY-HI",)) == {
            "Rebels captured Homs on Friday", "Government forces withdrew from Talbiseh",
            "The army said it had not withdrawn from Talbiseh"}
        assert evidences(store, provinces=("sy-hm", "SY-DR")) == {
            "Clashes erupted in Daraa", "Pro-government fighters redeployed in Hama"}
        # Names: case- and diacritic-insensitive against stored names ("Dar‘ā").
        assert evidences(store, provinces=("DARAA",)) == {"Clashes erupted in Daraa"}
        assert evidences(store, provinces=("nineveh",)) == {"Militants struck a checkpoint near Mosul"}
        assert evidences(store, provinces=("Atlantis",)) == set()
        assert evidences(store, sources=("reuters",)) == {
            "Rebels captured Homs on Friday", "Government forces withdrew from Talbiseh"}
        assert evidences(store, sources=("SANA", "Rudaw")) == {
            "The army said it had not withdrawn from Talbiseh", "Militants struck a checkpoint near Mosul"}
        # Dates: the event date, else the publication date; claims with neither are left out.
        assert evidences(store, since=date(2024, 12, 6)) == {
            "Rebels captured Homs on Friday", "Government forces withdrew from Talbiseh",
            "Pro-government fighters redeployed in Hama"}
        assert evidences(store, until=date(2024, 12, 1)) == {
            "Clashes erupted in Daraa", "Militants struck a checkpoint near Mosul"}
        assert evidences(store, since=date(2024, 12, 2), until=date(2024, 12, 7)) == {
            "Rebels captured Homs on Friday", "Government forces withdrew from Talbiseh"}
        assert evidences(store, event_types=("capture", "strike")) == {
            "Rebels captured Homs on Friday", "Militants struck a checkpoint near Mosul"}
        assert evidences(store, actors=("government",)) == {
            "Government forces withdrew from Talbiseh", "Pro-government fighters redeployed in Hama",
            "The army said it had not withdrawn from Talbiseh"}
        # The army's denial about Talbiseh contests its own withdrawal there and the rebels' capture of
        # Homs, 13 km away.
        assert evidences(store, contested_only=True) == {
            "Government forces withdrew from Talbiseh", "The army said it had not withdrawn from Talbiseh",
            "Rebels captured Homs on Friday"}
        assert evidences(store, provinces=("Homs",), actors=("government",), event_types=("withdrawal",)) == {
            "Government forces withdrew from Talbiseh"}


def test_province_names_the_store_lacks_are_looked_up_in_the_gazetteer(db: Path) -> None:
    a = article("a.txt", "Government forces withdrew from Saasaa.", source="AFP")
    saasaa = claim(a, "Government forces withdrew from Saasaa", "homs", "withdrawal", "government",
                   place="Saasaa", place_id="gn:164773", lat=33.282, lon=36.0195, province="SY-RD",
                   province_name="Rif Dimashq")
    with Store(db) as store:
        store.add_article(a, [saasaa])
        assert evidences(store, provinces=("Damascus countryside",)) == {"Government forces withdrew from Saasaa"}
        assert evidences(store, provinces=("Homs province",)) == set()
        codes, names, unmatched = store.resolve_provinces(["Damascus countryside", "Atlantis", "sy-rd"])
    assert codes == {"SY-RD"} and unmatched == ["Atlantis"]


def test_filter_values_are_data_never_sql(filled: Path) -> None:
    with Store(filled, readonly=True) as store:
        assert evidences(store, sources=("x') OR 1=1 --",)) == set()
        assert evidences(store, actors=('" OR ""="',)) == set()
        assert evidences(store, provinces=("Homs'; DROP TABLE claims; --",)) == set()
        assert store.stats()["claims"] == 6


def test_filters_from_the_export_command_line() -> None:
    args = build_parser().parse_args([
        "export", "--format", "geojson", "--province", "Daraa", "--province", "SY-HI", "--source", "AFP",
        "--since", "2024-12-01", "--until", "2024-12-08", "--event-type", "capture", "--actor", "rebels",
        "--contested"])
    f = Filters.from_args(args)
    assert f == Filters(provinces=("Daraa", "SY-HI"), sources=("AFP",), since=date(2024, 12, 1),
                        until=date(2024, 12, 8), event_types=("capture",), actors=("rebels",), contested_only=True)
    assert Filters.from_args(build_parser().parse_args(["export", "--format", "csv"])) == Filters()


def test_filters_survive_a_round_trip_through_a_url_query() -> None:
    f = Filters(provinces=("Damascus countryside", "SY-DR"), sources=("Al Jazeera",), since=date(2024, 12, 1),
                event_types=("capture", "advance"), contested_only=True)
    q = f.to_query()
    assert q["province"] == ["Damascus countryside", "SY-DR"] and q["since"] == ["2024-12-01"]
    assert "until" not in q and "actor" not in q
    assert Filters.from_query(q) == f
    # Single strings (how a browser's query string often arrives) and junk dates.
    assert Filters.from_query({"actor": "rebels", "until": "yesterday", "contested": "0"}) == Filters(
        actors=("rebels",))
    assert Filters().to_query() == {}


def test_lists_for_the_dashboard(filled: Path) -> None:
    with Store(filled, readonly=True) as store:
        assert store.sources() == ["Enab Baladi", "Reuters", "Rudaw", "SANA"]
        assert store.provinces() == [("SY-DR", "Dar‘ā"), ("SY-HM", "Hama"), ("SY-HI", "Homs"),
                                     ("IQ-NI", "Nineveh")]
        assert store.actors() == ["government", "isis", "rebels", "unknown"]
        assert store.event_types() == ["capture", "clash", "denial", "deployment", "strike", "withdrawal"]
        assert store.date_range() == (date(2024, 11, 20), date(2024, 12, 8))
        assert store.stats() == {"articles": 4, "claims": 6, "denials": 1, "contested": 3,
                                 "schema_version": LATEST}
        meta = store.articles()
        assert [a.article for a in meta] == ["a.txt", "b.txt", "c.txt", "d.txt"]
        assert meta[0].credited == ["Reuters"] and meta[0].published == date(2024, 12, 6)
        full = store.article("c.txt")
        assert full is not None and full.text == "The army said it had not withdrawn from Talbiseh."
        assert store.article(full.content_hash) == full
        assert store.article("nope.txt") is None


def test_claims_read_back_with_their_fields(filled: Path) -> None:
    with Store(filled, readonly=True) as store:
        homs = by_evidence(store.claims())["Rebels captured Homs on Friday"]
        again = by_evidence(store.claims())["Rebels captured Homs on Friday"]
    assert homs.id == again.id and homs.id
    assert (homs.place, homs.place_id, homs.province, homs.country) == ("Homs", "gn:169577", "SY-HI", "SY")
    assert (homs.event_date, homs.date_precision, homs.claimant) == (date(2024, 12, 6), "day", "monitor")
    assert (homs.source, homs.published, homs.article) == ("Reuters", date(2024, 12, 6), "a.txt")
    assert homs.corroboration == 1 and homs.contested is True
    assert homs.evidence == "Rebels captured Homs on Friday"


# ---------------------------------------------------------------------------------------------
# Contested


def contested_map(store: Store) -> dict[str, bool]:
    return {c.evidence: c.contested for c in store.claims()}


@pytest.mark.parametrize("denial_first", [False, True])
def test_a_denial_contests_the_other_sides_capture_whatever_the_order(db: Path, denial_first: bool) -> None:
    report = article("report.txt", "Insurgents have entered Homs, residents said.", source="Al Jazeera",
                     published=date(2024, 12, 7))
    state_tv = article("tv.txt", "State television said the insurgents had not entered Homs.", source="SANA",
                       published=date(2024, 12, 7))
    items = [
        (report, [claim(report, "Insurgents have entered Homs", "homs", "capture", "rebels")]),
        (state_tv, [claim(state_tv, "the insurgents had not entered Homs", "homs", "denial", "government")]),
    ]
    if denial_first:
        items.reverse()
    with Store(db) as store:
        for art, claims in items:
            store.add_article(art, claims)
        assert contested_map(store) == {"Insurgents have entered Homs": True,
                                        "the insurgents had not entered Homs": True}
        assert all(g["contested"] for g in store.groups())


def test_a_denial_of_withdrawal_contests_the_deniers_own_withdrawal_only(db: Path) -> None:
    a = article("a.txt", "Government troops pulled out of Talbiseh. Rebels pulled out of Talbiseh too.",
                source="AFP", credited=["AFP"])
    b = article("b.txt", "The defence ministry denied that its forces had withdrawn from Talbiseh.",
                source="SANA")
    with Store(db) as store:
        store.add_article(a, [claim(a, "Government troops pulled out of Talbiseh", "talbiseh", "withdrawal",
                                    "government"),
                              claim(a, "Rebels pulled out of Talbiseh too", "talbiseh", "withdrawal", "rebels")])
        store.add_article(b, [claim(b, "denied that its forces had withdrawn from Talbiseh", "talbiseh", "denial",
                                    "government")])
        assert contested_map(store) == {
            "Government troops pulled out of Talbiseh": True,
            "Rebels pulled out of Talbiseh too": False,
            "denied that its forces had withdrawn from Talbiseh": True,
        }


@pytest.fixture(params=["sql", "python"])
def distance_in(request, monkeypatch) -> str:
    """Run a test with distances computed by SQLite's math functions, and by the Python fallback
    used where SQLite lacks them."""
    if request.param == "python":
        monkeypatch.setattr("geo.store._has_math_functions", lambda conn: False)
    return request.param


def test_contest_needs_nearby_places_and_close_dates(db: Path, distance_in: str) -> None:
    claims_text = ("Rebels captured Talbiseh on December 6. Rebels captured Palmyra on December 6. "
                   "Rebels advanced on Homs on November 20. Rebels captured Hama on December 6.")
    a = article("a.txt", claims_text, source="Reuters")
    b = article("b.txt", "The army denied rebels had entered Homs on December 7.", source="SANA")
    with Store(db) as store:
        store.add_article(a, [
            # 13 km from Homs: within the 30 km of the rules.
            claim(a, "Rebels captured Talbiseh on December 6", "talbiseh", "capture", "rebels",
                  event_date=date(2024, 12, 6)),
            # Same province but 140 km away, and the denial is about a city.
            claim(a, "Rebels captured Palmyra on December 6", "palmyra", "capture", "rebels",
                  event_date=date(2024, 12, 6)),
            # Same place, but 17 days apart.
            claim(a, "Rebels advanced on Homs on November 20", "homs", "advance", "rebels",
                  event_date=date(2024, 11, 20)),
            # 45 km away, another province.
            claim(a, "Rebels captured Hama on December 6", "hama", "capture", "rebels",
                  event_date=date(2024, 12, 6)),
        ])
        store.add_article(b, [claim(b, "The army denied rebels had entered Homs on December 7", "homs", "denial",
                                    "government", event_date=date(2024, 12, 7))])
        assert contested_map(store) == {
            "Rebels captured Talbiseh on December 6": True,
            "Rebels captured Palmyra on December 6": False,
            "Rebels advanced on Homs on November 20": False,
            "Rebels captured Hama on December 6": False,
            "The army denied rebels had entered Homs on December 7": True,
        }


def test_undated_claims_are_compared_by_publication_date(db: Path, tmp_path: Path) -> None:
    spring = article("spring.txt", "Rebels captured Homs, residents said.", source="BBC", published=date(2024, 4, 2))
    winter = article("winter.txt", "State TV denied that rebels had entered Homs.", source="SANA",
                     published=date(2024, 12, 7))
    same_week = article("week.txt", "Opposition fighters took Homs, a monitor said.", source="Reuters",
                        published=date(2024, 12, 5))
    with Store(db) as store:
        store.add_article(spring, [claim(spring, "Rebels captured Homs", "homs", "capture", "rebels")])
        store.add_article(winter, [claim(winter, "denied that rebels had entered Homs", "homs", "denial",
                                         "government")])
        store.add_article(same_week, [claim(same_week, "Opposition fighters took Homs", "homs", "capture",
                                            "rebels")])
        assert contested_map(store) == {"Rebels captured Homs": False, "denied that rebels had entered Homs": True,
                                        "Opposition fighters took Homs": True}
        assert [c.evidence for c in store.claims(Filters(until=date(2024, 6, 1)))] == ["Rebels captured Homs"]
    event_dates_only = tmp_path / "event_dates_only.toml"
    event_dates_only.write_text(
        (REPO / "data" / "lexicons" / "contradictions.toml").read_text(encoding="utf-8")
        .replace("date_falls_back_to_published = true", "date_falls_back_to_published = false"))
    with Store(db, rules=event_dates_only) as store:
        assert all(contested_map(store).values())


def test_a_province_wide_denial_contests_claims_anywhere_in_the_province(db: Path) -> None:
    a = article("a.txt", "Rebels captured Palmyra. Rebels captured Hama.", source="Reuters")
    b = article("b.txt", "The ministry said its forces remain present across Homs province.", source="SANA")
    with Store(db) as store:
        store.add_article(b, [claim(b, "its forces remain present across Homs province", "homs_province",
                                    "denial", "government")])
        store.add_article(a, [claim(a, "Rebels captured Palmyra", "palmyra", "capture", "rebels"),
                              claim(a, "Rebels captured Hama", "hama", "capture", "rebels")])
        assert contested_map(store) == {
            "its forces remain present across Homs province": True,
            "Rebels captured Palmyra": True,
            "Rebels captured Hama": False,
        }


def test_changed_rules_are_applied_to_stored_claims(db: Path, tmp_path: Path) -> None:
    a = article("a.txt", "Rebels captured Hama.", source="Reuters")
    b = article("b.txt", "The army denied rebels had entered Homs.", source="SANA")
    with Store(db) as store:
        store.add_article(a, [claim(a, "Rebels captured Hama", "hama", "capture", "rebels")])
        store.add_article(b, [claim(b, "The army denied rebels had entered Homs", "homs", "denial", "government")])
        assert not any(contested_map(store).values())
    wide = tmp_path / "wide.toml"
    wide.write_text(textwrap.dedent("""
        [match]
        max_distance_km = 100.0
        max_days = 3
        area_precisions = ["admin1", "region"]

        [[rule]]
        denial = "denial"
        contests = ["capture"]
        actors = "other"
    """))
    # A reader with other rules computes them for itself, leaving the file alone.
    with Store(db, readonly=True, rules=wide) as reader:
        assert all(contested_map(reader).values())
    with Store(db) as store:
        assert not any(contested_map(store).values())
    # A writer with other rules recomputes the stored flags.
    with Store(db, rules=wide) as store:
        assert all(contested_map(store).values())
    with Store(db, readonly=True, rules=wide) as reader:
        assert reader._contested_sql() == "c.contested"


def expected_contested(rows: list[dict], rules_path: Path = REPO / "data" / "lexicons" / "contradictions.toml"
                       ) -> dict[int, bool]:
    """The contradiction rules applied pair by pair in Python: the oracle the SQL must agree with."""
    import math
    import tomllib

    raw = tomllib.loads(rules_path.read_text(encoding="utf-8"))
    match = raw["match"]

    def km(a: dict, b: dict) -> float:
        p = math.pi / 180
        h = (math.sin((b["lat"] - a["lat"]) * p / 2) ** 2
             + math.cos(a["lat"] * p) * math.cos(b["lat"] * p) * math.sin((b["lon"] - a["lon"]) * p / 2) ** 2)
        return 12742.0 * math.asin(min(1.0, math.sqrt(h)))

    flags = {r["id"]: False for r in rows}
    for rule in raw["rule"]:
        for d in rows:
            if d["event_type"] != rule["denial"]:
                continue
            for c in rows:
                if c["id"] == d["id"] or c["event_type"] not in rule["contests"]:
                    continue
                if (c["actor"] == d["actor"]) != (rule["actors"] == "same"):
                    continue
                if d["day"] and c["day"] and abs((date.fromisoformat(d["day"]) - date.fromisoformat(c["day"])).days) \
                        > rule.get("max_days", match["max_days"]):
                    continue
                if (c["place_id"] == d["place_id"]
                        or (d["province"] and c["province"] == d["province"]
                            and d["geo_precision"] in match["area_precisions"])
                        or km(d, c) <= rule.get("max_distance_km", match["max_distance_km"])):
                    flags[c["id"]] = flags[d["id"]] = True
    return flags


@pytest.mark.parametrize("batch_size", [None, 7], ids=["one-by-one", "batches-of-7"])
def test_contested_flags_written_article_by_article_follow_the_rules_in_any_order(db: Path, distance_in: str,
                                                                                   batch_size: int | None) -> None:
    # Captures, withdrawals and denials by both sides around Homs, near and far in place and date, some
    # undated, stored in a shuffled order, one transaction per article or in batches (flagged together
    # before each commit): every claim's flag must be what the rules give pair by pair.
    rng = random.Random(11)
    kinds = [("capture", "rebels"), ("withdrawal", "government"), ("advance", "rebels"), ("withdrawal", "rebels"),
             ("denial", "government"), ("denial", "rebels"), ("capture", "government"), ("defense", "government")]
    reports = []
    for i in range(80):
        event_type, actor = rng.choice(kinds)
        where = rng.choice(["homs", "talbiseh", "palmyra", "homs_province", "hama", "daraa"])
        evidence = f"Report {i}: {actor} {event_type} at {where}"
        published = rng.choice([None, date(2024, 12, rng.randint(1, 20))])
        a = article(f"r{i}.txt", evidence + ".", source="AFP", published=published)
        event_date = rng.choice([None, None, date(2024, 12, rng.randint(1, 20))])
        reports.append((a, [claim(a, evidence, where, event_type, actor, event_date=event_date)]))
    rng.shuffle(reports)
    with Store(db) as store:
        with store.batch(max_articles=batch_size, max_seconds=3600) if batch_size else contextlib.nullcontext():
            for a, claims in reports:
                store.add_article(a, claims)
        rows = [dict(zip(("id", "event_type", "actor", "place_id", "province", "geo_precision", "lat", "lon", "day",
                          "contested"), r)) for r in store._conn.execute(
            "SELECT id, event_type, actor, place_id, province, geo_precision, lat, lon, day, contested FROM claims")]
        written = {r["id"]: bool(r["contested"]) for r in rows}
        store._conn.execute("BEGIN IMMEDIATE")
        try:
            store._reflag_all()
            rebuilt = dict(store._conn.execute("SELECT id, contested = 1 FROM claims"))
        finally:
            store._conn.execute("ROLLBACK")
    expected = expected_contested(rows)
    assert written == expected
    assert {k: bool(v) for k, v in rebuilt.items()} == expected
    assert 0 < sum(expected.values()) < len(expected)  # some contested, some not
    assert any(r["day"] is None for r in rows)  # undated claims took part


# ---------------------------------------------------------------------------------------------
# Corroboration


def test_syndicated_copies_of_one_wire_story_count_once(db: Path) -> None:
    wire = "Rebels seized Hama after government forces withdrew, AFP reported."
    copies = [
        article("france24.txt", wire + " (With AFP)", source="France 24", credited=["AFP"]),
        article("hindustan.txt", "Hama fell. " + wire, source="Hindustan Times", credited=["AFP"]),
        article("reuters.txt", "Opposition fighters took control of Hama on Thursday, witnesses told Reuters.",
                source="Reuters", credited=["Reuters"]),
    ]
    with Store(db) as store:
        for a in copies[:2]:
            store.add_article(a, [claim(a, "Rebels seized Hama", "hama", "capture", "rebels")])
        assert {c.corroboration for c in store.claims()} == {1}
        r = copies[2]
        store.add_article(r, [claim(r, "Opposition fighters took control of Hama", "hama", "capture", "rebels")])
        assert {c.corroboration for c in store.claims()} == {2}
        (group,) = store.groups()
    assert group["independent_sources"] == 2
    assert group["articles"] == ["france24.txt", "hindustan.txt", "reuters.txt"]
    assert group["sources"] == ["France 24", "Hindustan Times", "Reuters"]
    assert len(group["claim_ids"]) == 3


def test_near_identical_evidence_counts_once_and_distinct_reports_add_up(db: Path) -> None:
    a = article("a.txt", "“Rebels have taken full control of the city of Hama,” the monitor said.",
                source="Asharq Al-Awsat")
    b = article("b.txt", "Rebels have taken full control of the city of Hama, the monitor said on Thursday.",
                source="The New Arab")
    c = article("c.txt", "Fighters from the opposition alliance were seen in the centre of Hama.", source="BBC")
    d = article("d.txt", "Rebels took Hama.", source="Al Jazeera")
    with Store(db) as store:
        store.add_article(a, [claim(a, "“Rebels have taken full control of the city of Hama,”", "hama", "capture",
                                    "rebels")])
        store.add_article(b, [claim(b, "Rebels have taken full control of the city of Hama", "hama", "capture",
                                    "rebels")])
        assert {c.corroboration for c in store.claims()} == {1}
        store.add_article(c, [claim(c, "Fighters from the opposition alliance were seen in the centre of Hama",
                                    "hama", "capture", "rebels")])
        store.add_article(d, [claim(d, "Rebels took Hama", "hama", "withdrawal", "government")])
        corroboration = {x.evidence: x.corroboration for x in store.claims()}
    assert corroboration == {
        "“Rebels have taken full control of the city of Hama,”": 2,
        "Rebels have taken full control of the city of Hama": 2,
        "Fighters from the opposition alliance were seen in the centre of Hama": 2,
        # Another event type: its own group.
        "Rebels took Hama": 1,
    }


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 0, 1), (1, 2, 0)])
def test_an_article_crediting_two_wires_joins_their_families_in_any_order(db: Path, order) -> None:
    reports = [
        article("reuters.txt", "Rebels captured Hama on Thursday, Reuters reported.", source="Reuters",
                credited=["Reuters"]),
        article("afp.txt", "Hama is now in the hands of the insurgents, an AFP correspondent said.", source="AFP",
                credited=["AFP"]),
        article("national.txt", "The city of Hama has fallen to the opposition alliance (Reuters, AFP).",
                source="The National", credited=["Reuters", "AFP"]),
    ]
    evidence = ["Rebels captured Hama", "Hama is now in the hands of the insurgents", "The city of Hama has fallen"]
    with Store(db) as store:
        for i in order:
            store.add_article(reports[i], [claim(reports[i], evidence[i], "hama", "capture", "rebels")])
        assert {c.corroboration for c in store.claims()} == {1}
        # What each article's transaction wrote equals a count from scratch.
        assert_families_as_if_rebuilt(store)


FAMILY_TABLES = {
    "claims": "SELECT id, family FROM claims ORDER BY id",
    "claim_groups": "SELECT * FROM claim_groups ORDER BY 1, 2, 3",
    "family_tokens": "SELECT * FROM family_tokens ORDER BY 1, 2, 3, 4",
    "family_texts": "SELECT * FROM family_texts ORDER BY 1, 2, 3, 4",
}


def assert_families_as_if_rebuilt(store: Store) -> None:
    """The family labels, keys and counts written article by article equal those computed from scratch."""
    conn = store._conn
    written = {t: conn.execute(sql).fetchall() for t, sql in FAMILY_TABLES.items()}
    conn.execute("BEGIN IMMEDIATE")
    try:
        store._rebuild_families()
        rebuilt = {t: conn.execute(sql).fetchall() for t, sql in FAMILY_TABLES.items()}
    finally:
        conn.execute("ROLLBACK")
    assert written == rebuilt


@pytest.mark.parametrize("batch_size", [None, 5], ids=["one-by-one", "batches-of-5"])
def test_families_written_article_by_article_equal_families_from_scratch_in_any_order(db: Path,
                                                                                      batch_size: int | None) -> None:
    # Wire copies, rewrites, near-identical sentences and unrelated reports of one event, stored in a
    # shuffled order, one transaction per article or in batches, with articles that fail after their
    # families were placed (a claim off the map): labels, keys and counts must be those of a rebuild.
    rng = random.Random(7)
    sentences = ["Rebels captured Hama on Thursday", "Rebels captured Hama on Thursday.",
                 "Rebels have captured Hama on Thursday", "Insurgents now hold the city of Hama",
                 "The opposition alliance entered Hama", "Hama fell to the rebels after a week of fighting",
                 "Fighters were filmed in the central square of Hama", "Hama is in opposition hands"]
    wires = [[], [], [], ["Reuters"], ["AFP"], ["Reuters", "AFP"], ["AP"]]
    sources = ["Reuters", "AFP", "Al-Monitor", "Enab Baladi", "SANA", "Syria TV", "The National", None]
    reports = []
    for i in range(40):
        sentence = rng.choice(sentences)
        a = article(f"r{i}.txt", f"{sentence}, report {i} said.", source=rng.choice(sources),
                    credited=rng.choice(wires))
        reports.append((a, [claim(a, sentence, "hama", "capture", "rebels")]))
    rng.shuffle(reports)
    counts = []
    with Store(db) as store:
        with store.batch(max_articles=batch_size, max_seconds=3600) if batch_size else contextlib.nullcontext():
            for i, (a, claims) in enumerate(reports):
                store.add_article(a, claims)
                counts.append(store.claims()[0].corroboration)
                if i % 6 == 2:
                    bad = article(f"bad{i}.txt", a.text + " (copy)", source="Broken", credited=["Reuters"])
                    with pytest.raises(sqlite3.IntegrityError):
                        store.add_article(bad, [claim(bad, claims[0].evidence, "hama", "capture", "rebels",
                                                      lat=100.0)])
        assert store.stats()["articles"] == len(reports)
        assert_families_as_if_rebuilt(store)
    # Not a degenerate case: families formed and merged along the way.
    assert max(counts) > 1 and any(later < earlier for earlier, later in zip(counts, counts[1:]))


def test_without_the_bridging_article_two_wires_are_two_sources(db: Path) -> None:
    a = article("reuters.txt", "Rebels captured Hama on Thursday, Reuters reported.", source="Reuters",
                credited=["Reuters"])
    b = article("afp.txt", "Hama is now in the hands of the insurgents, an AFP correspondent said.", source="AFP",
                credited=["AFP"])
    with Store(db) as store:
        store.add_article(a, [claim(a, "Rebels captured Hama", "hama", "capture", "rebels")])
        store.add_article(b, [claim(b, "Hama is now in the hands of the insurgents", "hama", "capture", "rebels")])
        assert {c.corroboration for c in store.claims()} == {2}


def test_a_reader_recounts_families_labelled_under_other_rules(db: Path) -> None:
    a = article("a.txt", "Rebels captured Hama.", source="Reuters")
    b = article("b.txt", "Insurgents took Hama overnight.", source="BBC")
    with Store(db) as store:
        store.add_article(a, [claim(a, "Rebels captured Hama", "hama", "capture", "rebels")])
        store.add_article(b, [claim(b, "Insurgents took Hama overnight", "hama", "capture", "rebels")])
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE meta SET value = 'older rules' WHERE key = 'families'")
        conn.execute("UPDATE claim_groups SET sources = 7")
    conn.close()
    with Store(db, readonly=True) as reader:
        assert {c.corroboration for c in reader.claims()} == {2}
    with Store(db) as writer:  # a writer relabels the stored claims
        assert writer._conn.execute("SELECT sources FROM claim_groups").fetchall() == [(2,)]


def test_corroboration_ignores_filters(filled: Path) -> None:
    with Store(filled) as store:
        e = article("e.txt", "Insurgents were inside Homs by Friday evening, Enab Baladi learnt.",
                    source="Enab Baladi")
        store.add_article(e, [claim(e, "Insurgents were inside Homs by Friday evening", "homs", "capture",
                                    "rebels")])
        only_reuters = store.claims(Filters(sources=("Reuters",), event_types=("capture",)))
    assert [(c.evidence, c.corroboration) for c in only_reuters] == [("Rebels captured Homs on Friday", 2)]


# ---------------------------------------------------------------------------------------------
# Concurrency


def test_readers_keep_reading_while_a_writer_holds_a_transaction(filled: Path) -> None:
    writer = sqlite3.connect(filled, isolation_level=None, timeout=0.5)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO articles(article, content_hash, text) VALUES ('pending.txt', 'h', 'Pending.')")
    try:
        with Store(filled, readonly=True) as reader:
            assert len(reader.claims()) == 6
            assert [a.article for a in reader.articles()][-1] == "d.txt"  # uncommitted work is invisible
            assert reader.stats()["articles"] == 4
        with Store(filled) as other:  # opening for writing needs no lock when nothing changed
            assert len(other.claims(Filters(contested_only=True))) == 3
    finally:
        writer.execute("COMMIT")
        writer.close()
    with Store(filled, readonly=True) as reader:
        assert reader.stats()["articles"] == 5
    assert sqlite3.connect(filled).execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_long_lived_reader_sees_new_articles_and_their_contests(filled: Path) -> None:
    with Store(filled, readonly=True) as reader, Store(filled) as writer:
        before = by_evidence(reader.claims())["Pro-government fighters redeployed in Hama"]
        assert before.corroboration == 1 and before.contested is False
        a = article("new.txt", "Pro-government militias redeployed in Hama, SOHR said.", source="Reuters")
        writer.add_article(a, [claim(a, "Pro-government militias redeployed in Hama", "hama", "deployment",
                                     "government")])
        after = by_evidence(reader.claims())["Pro-government fighters redeployed in Hama"]
        assert after.corroboration == 2
        assert reader.stats()["articles"] == 5


def test_contest_lookups_search_the_claims_through_indexes_never_a_whole_table_scan(db: Path) -> None:
    # Flagging a new article's contests must cost what the reports of its places and days cost, not what the
    # store holds: every access to the claims table in every statement is an index search. (SQLite's planner
    # chooses by the data's statistics and shape, so the plans are read from a store with claims in it.)
    import geo.store as store_module

    with Store(db) as store:
        for i, where in enumerate(["homs", "homs_province", "talbiseh", "hama", "daraa"]):
            art = article(f"a{i}.txt", f"Rebels took the town {i}. The army denied it {i}.", source=f"S{i}",
                          published=date(2024, 12, i + 1))
            store.add_article(art, [claim(art, f"Rebels took the town {i}.", where, "capture", "opposition"),
                                    claim(art, f"The army denied it {i}.", where, "denial", "government")])
        conn, rules = store._conn, store._rules
        for rule in rules.rules:
            params = {**store_module._rule_params(rules, rule), "articles": "[1, 2]"}
            for side, sql in store_module._contest_statements("article", rules.date_column, store._sql_math,
                                                                rule.same_actor):
                details = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql, params)]
                # Each access to claims (aliased c or d) is a search bounded by an article, a place or a province.
                claims_steps = [d for d in details if re.match(r"(SCAN|SEARCH) (c|d|claims)\b", d)]
                assert claims_steps, details
                unbounded = [d for d in claims_steps
                             if not re.search(r"\((article_id|place_id|province|rowid)=", d)]
                assert not unbounded, (side, unbounded, sql)
