"""Stores with known claims, shared by the dashboard tests (test_app.py, test_browser.py).

Seven claims in five articles from four sources over 5-8 December 2024, one of them carrying script
payloads in its title, place, claimant and evidence. Expected counts per filter are in EXPECTED.

build_clustered_store: 900 plain claims (enough for the map to cluster them), counts per province and
source in CLUSTER_PROVINCES (cluster_count answers them).
"""
from __future__ import annotations

from datetime import date
from pathlib import Path

from geo.document import Article, Claim
from geo.store import Store

PAYLOAD_TITLE = '<script>window.__pwned=1</script>Saasaa falls <img src=x onerror="window.__pwned=2">'
PAYLOAD_TEXT = ('Rebels took Saasaa <img src=x onerror="window.__pwned=3"> on Sunday, the monitor said. '
                '<script>window.__pwned=4;alert(4)</script>')
PAYLOAD_CLAIMANT = '<b onmouseover="window.__pwned=5">the monitor</b>'

# Places: (name, place_id, lat, lon, province iso, province name)
HAMA = ("Hama", "gn:170017", 35.1318, 36.7578, "SY-HM", "Hama")
DARAA = ("Daraa", "gn:170592", 32.6189, 36.1021, "SY-DR", "Daraa")
SWEIDA = ("Sweida", "gn:172408", 32.709, 36.5695, "SY-SU", "As-Suwayda")
DAMASCUS = ("Damascus", "gn:170654", 33.5102, 36.2913, "SY-DI", "Damascus")
RIF = ("Damascus countryside", "gn:170652", 33.55, 36.45, "SY-RD", "Rif Dimashq")
SAASAA = ('Saasaa<img src=x onerror="window.__pwned=6">', "test:saasaa", 33.282, 36.0195, "SY-RD", "Rif Dimashq")


def _claim(article: Article, evidence: str, place: tuple, event_type: str, actor: str, event_date: date,
           **extra) -> Claim:
    start = article.text.index(evidence)
    name, place_id, lat, lon, iso, province_name = place
    return Claim(article=article.article, place=name, place_id=place_id, lat=lat, lon=lon, event_type=event_type,
                 actor=actor, evidence=evidence, evidence_start=start, evidence_end=start + len(evidence),
                 country=iso[:2], province=iso, province_name=province_name, event_date=event_date,
                 date_precision="day", source=article.source, published=article.published, title=article.title,
                 url=article.url, **extra)


def articles_and_claims() -> list[tuple[Article, list[Claim]]]:
    out = []
    a = Article("hama.txt", "Rebels seized the city of Hama on Thursday, the monitor said.",
                title="Rebels seize Hama", source="Reuters", published=date(2024, 12, 5),
                url="https://example.org/test/hama")
    out.append((a, [_claim(a, a.text, HAMA, "capture", "rebels", date(2024, 12, 5), claimant="the monitor")]))

    a = Article("south.txt", "Local armed groups took control of Daraa on Friday. The army withdrew from Sweida on Friday.",
                title="South slips from government control", source="AFP", published=date(2024, 12, 6),
                url="https://example.org/test/south")
    out.append((a, [
        _claim(a, "Local armed groups took control of Daraa on Friday.", DARAA, "capture", "local_armed_groups",
               date(2024, 12, 6), geo_precision="admin1"),
        _claim(a, "The army withdrew from Sweida on Friday.", SWEIDA, "withdrawal", "government", date(2024, 12, 6)),
    ]))

    a = Article("damascus.txt", "Rebels were within 20 km of Damascus on Saturday. "
                "Government forces withdrew from the Damascus countryside, the monitor said.",
                title="Rebels near the capital", source="Local monitor", published=date(2024, 12, 7),
                url="https://example.org/test/damascus")
    out.append((a, [
        _claim(a, "Rebels were within 20 km of Damascus on Saturday.", DAMASCUS, "advance", "rebels",
               date(2024, 12, 7), geo_precision="near", distance_km=20.0),
        _claim(a, "Government forces withdrew from the Damascus countryside, the monitor said.", RIF, "withdrawal",
               "government", date(2024, 12, 7), geo_precision="admin1", claimant="the monitor"),
    ]))

    a = Article("denial.txt", "The defence ministry denied that the army had withdrawn from the Damascus countryside.",
                title="Ministry denies withdrawal", source="SANA", published=date(2024, 12, 7),
                url="javascript:window.__pwned=7")
    out.append((a, [_claim(a, a.text, RIF, "denial", "government", date(2024, 12, 7), geo_precision="admin1",
                           claimant="defence ministry")]))

    a = Article("payload.txt", PAYLOAD_TEXT, title=PAYLOAD_TITLE, source="Local monitor", published=date(2024, 12, 8),
                url='https://example.org/test/"><script>window.__pwned=8</script>')
    out.append((a, [_claim(a, PAYLOAD_TEXT[: PAYLOAD_TEXT.index(" the monitor said.") + 18], SAASAA, "capture",
                           "rebels", date(2024, 12, 8), claimant=PAYLOAD_CLAIMANT)]))
    return out


TOTAL = 7
EXPECTED = {  # filter -> claims shown
    ("f_provinces", ("SY-RD",)): 3,
    ("f_provinces", ("SY-HM",)): 1,
    ("f_sources", ("AFP",)): 2,
    ("f_sources", ("Local monitor",)): 3,
    ("f_event_types", ("capture",)): 3,
    ("f_event_types", ("withdrawal", "denial")): 3,
    ("f_actors", ("government",)): 3,
    ("f_actors", ("local_armed_groups",)): 1,
    ("f_dates", (date(2024, 12, 7), date(2024, 12, 8))): 4,
    ("f_dates", (date(2024, 12, 5), date(2024, 12, 6))): 3,
}


def build_store(path: Path) -> Path:
    store = Store(path)
    try:
        for article, claims in articles_and_claims():
            store.add_article(article, claims)
    finally:
        store.close()
    return path


APOSTROPHE_SOURCE = "People's Daily"


def build_apostrophe_store(path: Path) -> Path:
    """build_store's claims plus one from a source whose name has an apostrophe (the chart once went blank)."""
    build_store(path)
    a = Article("quote.txt", "Government troops withdrew from Hama on Thursday, the paper said.",
                title="Troops leave Hama", source=APOSTROPHE_SOURCE, published=date(2024, 12, 5),
                url="https://example.org/test/quote")
    store = Store(path)
    try:
        store.add_article(a, [_claim(a, a.text, HAMA, "withdrawal", "government", date(2024, 12, 5))])
    finally:
        store.close()
    return path


# --------------------------------------------------------------------------- a store large enough to cluster
# 900 claims (more than mapview.CLUSTER_ABOVE, so the map clusters them) from four sources in five provinces,
# a dozen places per province. Aleppo alone holds more than CLUSTER_ABOVE, so filtering to it still clusters.
CLUSTER_SOURCES = ("AFP", "Local monitor", "Reuters", "SANA")
# iso -> (province name, centre lat, centre lon, claims per source in CLUSTER_SOURCES order)
CLUSTER_PROVINCES = {
    "SY-HL": ("Aleppo", 36.20, 37.15, (150, 130, 110, 90)),
    "SY-HM": ("Hama", 35.13, 36.75, (40, 30, 20, 10)),
    "SY-DR": ("Daraa", 32.62, 36.10, (30, 40, 20, 30)),
    "SY-DY": ("Deir ez-Zor", 35.33, 40.14, (25, 25, 25, 25)),
    "SY-HI": ("Homs", 34.40, 37.60, (30, 20, 30, 20)),
}
CLUSTER_TOTAL = sum(sum(row[3]) for row in CLUSTER_PROVINCES.values())


def cluster_count(province: str | None = None, source: str | None = None) -> int:
    """How many claims of the clustered store are in ``province`` and from ``source`` (None: any)."""
    return sum(n for iso, (_, _, _, per_source) in CLUSTER_PROVINCES.items() if province in (None, iso)
               for s, n in zip(CLUSTER_SOURCES, per_source) if source in (None, s))


def build_clustered_store(path: Path, claims_per_article: int = 10) -> Path:
    """The store described by CLUSTER_PROVINCES: each (source, province) pair's claims in articles of up to
    ``claims_per_article`` claims, cycling through the province's places, event types, actors and a week of dates."""
    events = (("capture", "took control of"), ("withdrawal", "withdrew from"), ("advance", "advanced towards"))
    actors = (("rebels", "Rebels"), ("government", "Government forces"))
    store = Store(path)
    try:
        with store.batch(max_articles=200):
            n_article = 0
            for iso, (province_name, lat0, lon0, per_source) in CLUSTER_PROVINCES.items():
                places = [(f"{province_name} village {k}", f"test:{iso}-{k}", round(lat0 + 0.12 * (k // 4 - 1), 4),
                           round(lon0 + 0.15 * (k % 4 - 1.5), 4)) for k in range(12)]
                for source, n_claims in zip(CLUSTER_SOURCES, per_source):
                    for first in range(0, n_claims, claims_per_article):
                        n_article += 1
                        name = f"cluster_{n_article:04d}.txt"
                        published = date(2024, 12, 1 + n_article % 7)
                        text, spans = "", []
                        for k in range(first, min(n_claims, first + claims_per_article)):
                            place = places[k % len(places)]
                            event_type, verb = events[k % len(events)]
                            actor, actor_text = actors[k % len(actors)]
                            sentence = f"{actor_text} {verb} {place[0]} (report {n_article}, item {k})."
                            spans.append((place, event_type, actor, sentence, len(text)))
                            text += sentence + " "
                        article = Article(name, text.strip(), title=f"{source} report {n_article}", source=source,
                                          published=published, url=f"https://example.org/cluster/{n_article}")
                        claims = [Claim(article=name, place=place[0], place_id=place[1], lat=place[2], lon=place[3],
                                        event_type=event_type, actor=actor, evidence=sentence, evidence_start=start,
                                        evidence_end=start + len(sentence), country="SY", province=iso,
                                        province_name=province_name, event_date=published, date_precision="day",
                                        source=source, published=published, title=article.title, url=article.url)
                                  for place, event_type, actor, sentence, start in spans]
                        store.add_article(article, claims)
    finally:
        store.close()
    return path
