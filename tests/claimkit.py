"""A small kit for claim tests: documents whose places are given by hand, so each test of the
extractor states exactly which toponyms the geoparser found."""
from __future__ import annotations

import re
from datetime import date

from geo.claims import extract
from geo.document import Article, Document, Place, Toponym
from geo.sentences import split_sentences

PLACES = {
    "Damascus": Place("Damascus", "gn:170654", 33.5102, 36.2913, "point", "SY", "SY-DI", 1_569_394),
    "the capital": Place("Damascus", "gn:170654", 33.5102, 36.2913, "point", "SY", "SY-DI", 1_569_394),
    "Damascus countryside": Place("Rif Dimashq", "gn:170652", 33.52, 36.35, "admin1", "SY", "SY-RD", 0),
    "Daraa province": Place("Daraa", "gn:170903", 32.62, 36.10, "admin1", "SY", "SY-DR", 0),
    "Daraa": Place("Daraa", "gn:170903", 32.62, 36.10, "admin1", "SY", "SY-DR", 0),
    "Sweida": Place("Sweida", "gn:172410", 32.71, 36.57, "admin1", "SY", "SY-SU", 0),
    "Quneitra": Place("Quneitra", "gn:173336", 33.13, 35.82, "admin1", "SY", "SY-QU", 0),
    "Golan Heights": Place("Golan Heights", "ov:golan_heights", 33.0, 35.75, "region", None, None, 0),
    "Homs": Place("Homs", "gn:169577", 34.72, 36.72, "point", "SY", "SY-HI", 775_404),
    "Hama": Place("Hama", "gn:170017", 35.13, 36.75, "point", "SY", "SY-HM", 460_602),
    "Aleppo": Place("Aleppo", "gn:170063", 36.20, 37.16, "point", "SY", "SY-HL", 1_602_264),
    "Saasaa": Place("Sa'sa'", "gn:164773", 33.28, 36.02, "point", "SY", "SY-RD", 0),
    "Al-Qaim": Place("Al-Qaim", "gn:92138", 34.39, 40.99, "point", "IQ", "IQ-AN", 74_100),
    "Iraq": Place("Iraq", "gn:99237", 33.0, 44.0, "country", "IQ", None, 40_000_000),
    "Syria": Place("Syria", "gn:163843", 35.0, 38.0, "country", "SY", None, 22_000_000),
    "Qatar": Place("Qatar", "gn:289688", 25.3, 51.2, "country", "QA", None, 2_800_000),
    "Deir Ezzor": Place("Deir ez-Zor", "gn:170794", 35.33, 40.14, "point", "SY", "SY-DY", 242_565),
    "Qusayr": Place("Al-Qusayr", "gn:169304", 34.51, 36.58, "point", "SY", "SY-HI", 0),
    "Bakhmut": Place("Bakhmut", "gn:709161", 48.59, 38.0, "point", "UA", "UA-14", 74_000),
    "Avdiivka": Place("Avdiivka", "gn:713514", 48.14, 37.74, "point", "UA", "UA-14", 35_000),
    "Kharkiv": Place("Kharkiv", "gn:706483", 49.98, 36.25, "point", "UA", "UA-63", 1_430_000),
}


def make_doc(text: str, published: date | None = date(2024, 12, 7), places: dict | None = None,
             source: str = "test") -> Document:
    places = places or PLACES
    article = Article("test.txt", text, source=source, published=published)
    doc = Document(article, sentences=split_sentences(text))
    names = sorted(places, key=len, reverse=True)
    taken: list[tuple[int, int]] = []
    for name in names:
        for m in re.finditer(r"(?<!\w)" + re.escape(name) + r"(?!\w)", text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            doc.toponyms.append(Toponym(m.start(), m.end(), m.group(0), place=places[name]))
    doc.toponyms.sort(key=lambda t: t.start)
    return doc


def claims_of(text: str, profile: str = "syria", **kw) -> set[tuple[str, str, str]]:
    """(place name, event type, actor) of every claim extracted from ``text``."""
    doc = make_doc(text, **kw)
    return {(c.place, c.event_type, c.actor) for c in extract(doc, profile)}
