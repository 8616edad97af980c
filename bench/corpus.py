"""A generator of news-like articles whose toponyms are known by construction.

    from bench.corpus import generate_corpus
    articles = generate_corpus(1000, seed=7)          # uses the default gazetteer
    articles[0].text, articles[0].toponyms            # gold spans with coordinates

Each article (2-4 KB by default) is about one focus country: a dateline half of the time, a Title
Case headline, then sentences from templates that name towns of that country (drawn from the
gazetteer: populated places of >= 20,000 people, under their primary GeoNames name written without
diacritics), the country itself, now and then a foreign capital, plus persons (some of whose names
are also place names: "Jordan", "Paris", "Hassan"), organisations, demonyms and filler sentences
that name no place.  Everything is drawn from a seeded RNG, so a corpus is reproducible.

Conventions of the gold standard: a toponym is a place name used as a location; persons,
organisation names and demonyms ("Syrian troops") are not toponyms; countries are toponyms.
"""
from __future__ import annotations

import json
import random
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable

__all__ = ["GoldToponym", "GeneratedArticle", "generate_corpus", "place_pool", "write_jsonl", "read_jsonl"]


@dataclass
class GoldToponym:
    start: int
    end: int
    text: str
    lat: float
    lon: float
    country: str | None
    kind: str = "place"  # "place" | "country"


@dataclass
class GeneratedArticle:
    id: str
    text: str
    focus_country: str
    toponyms: list[GoldToponym] = field(default_factory=list)


@dataclass(frozen=True)
class _Place:
    name: str
    lat: float
    lon: float
    country: str
    population: int


_NAME_OK = re.compile(r"^[A-Z][a-z]+(?:[ -][A-Z][a-z]+){0,2}$")

FIRST_NAMES = [
    "Ahmed", "Omar", "Khaled", "Rami", "Hassan", "Layla", "Maria", "John", "Olena", "Dmitri", "Fatima",
    "Yusuf", "Amina", "David", "Sarah", "Ivan", "Mehmet", "Nour", "Samir", "Elena", "Jordan", "Victoria",
    "Paris", "Florence", "Lincoln", "Sydney", "Chelsea", "Austin",
]
SURNAMES = [
    "Haddad", "Khalil", "Mansour", "Nasser", "Petrenko", "Kovalenko", "Smith", "Garcia", "Yilmaz",
    "Hussein", "Rahman", "Jordan", "Hassan", "Paris", "Lincoln", "Washington", "Salem", "Darwish",
    "Moreau", "Novak", "Okafor", "Mensah", "Abdel Ghani", "al-Masri",
]
ORGANISATIONS = [
    "the Red Crescent", "Human Rights Watch", "Amnesty International", "the World Food Programme",
    "Doctors Without Borders", "the International Committee of the Red Cross", "the United Nations",
    "the Norwegian Refugee Council", "the local council", "the interior ministry", "the defence ministry",
]
AGENCIES = ["Reuters", "AFP", "AP"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]

HEADLINES = [
    "Fighting Intensifies Near {P} As Talks Stall",
    "Thousands Flee {P} After Night Of Shelling",
    "Aid Reaches {P} For The First Time In Weeks",
    "Officials Say Situation In {P} Remains Tense",
]
SENTENCES = [
    "Fighting was reported in {P} on {DAY}, {PER} told {AGENCY}.",
    "Residents of {P} said shelling had hit the outskirts of {P2} overnight.",
    "{ORG_CAP} said at least {N} people had been killed near {P} since {MONTH}.",
    "The {DEM} army said it had withdrawn from positions around {P} and {P2}.",
    "{PER}, a spokesman for {ORG}, said the road between {P} and {P2} was closed.",
    "Aid convoys reached {P} in {C} after weeks of delays, {ORG} said.",
    "Talks between the two sides are expected to resume in {F} next week, officials said.",
    "{PER} said the situation in {P} remained tense but calm.",
    "Thousands of people have fled {P} since {MONTH}, according to {ORG}.",
    "In {P}, shops reopened on {DAY} as the curfew was lifted.",
    "Local media reported that {PER} had visited {P} on {DAY}.",
    "The city of {P} has been without power for {N} days, {PER} said.",
    "Officials in {C} said they were monitoring the situation closely.",
    "{DEM_CAP} troops were seen moving towards {P} on {DAY} morning, witnesses said.",
    "A delegation from {F} arrived in {P} on {DAY} to assess the damage.",
    "{PER} told reporters in {P} that the fighting had stopped.",
    "Schools in {P} and the nearby town of {P2} will stay closed until {MONTH}.",
    "Police in {P} arrested {N} people after the protests, {PER} said.",
]
FILLERS = [
    "The claims could not be independently verified.",
    "The conflict has displaced millions of people over the past decade.",
    "Prices of bread and fuel have more than doubled this year.",
    "Both sides accused each other of violating the ceasefire.",
    "Hospitals said they were running short of medicine and fuel.",
    "It was not immediately clear who was behind the attack.",
    "Reading the statement on state television, the minister called for calm.",
    "Nice words will not feed families, one aid worker said.",
    "Best estimates put the number of displaced at several thousand.",
    "Police said the investigation was continuing.",
]


def _ascii(name: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))


def place_pool(gazetteer, seed: int = 0, min_population: int = 20_000, sample_keys: int = 80_000) -> dict[str, list[_Place]]:
    """Populated places of the gazetteer by country: primary names that are plain Latin words."""
    from geo.normalize import name_key

    rng = random.Random(seed)
    keys = sorted(gazetteer.keys())
    if len(keys) > sample_keys:
        keys = rng.sample(keys, sample_keys)
    seen: set[str] = set()
    pool: dict[str, list[_Place]] = {}
    for key in keys:
        for p in gazetteer.lookup(key):
            if p.scale != "point" or p.population < min_population or not p.country or p.place_id in seen:
                continue
            name = _ascii(p.name)
            if not _NAME_OK.match(name) or name_key(name) != key:
                continue
            seen.add(p.place_id)
            pool.setdefault(p.country, []).append(_Place(name, p.lat, p.lon, p.country, p.population))
    for places in pool.values():
        places.sort(key=lambda q: (q.name, q.lat))
    return pool


def _demonyms() -> dict[str, str]:
    """ISO alpha-2 -> one demonym, from the geoparser's lexicon."""
    import tomllib

    path = Path(__file__).resolve().parent.parent / "data" / "lexicons" / "geoparse.toml"
    with open(path, "rb") as fh:
        table = tomllib.load(fh)["demonyms"]
    out: dict[str, str] = {}
    for word, cc in table.items():
        if not word.endswith("s") and "_" not in word:
            out.setdefault(cc, word)
    return out


class _Writer:
    """Appends text and records gold toponyms with their offsets."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.toponyms: list[GoldToponym] = []

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def place(self, text: str, lat: float, lon: float, country: str | None, kind: str = "place") -> None:
        self.toponyms.append(GoldToponym(self.length, self.length + len(text), text, lat, lon, country, kind))
        self.add(text)

    def render(self, template: str, slots: dict[str, object]) -> None:
        for piece in re.split(r"(\{[A-Z0-9_]+\})", template):
            if piece.startswith("{") and piece.endswith("}"):
                value = slots[piece[1:-1]]
                if isinstance(value, tuple):  # (text, lat, lon, country, kind)
                    self.place(*value)
                else:
                    self.add(str(value))
            else:
                self.add(piece)

    @property
    def text(self) -> str:
        return "".join(self.parts)


def generate_corpus(
    n: int = 1000,
    seed: int = 7,
    gazetteer=None,
    min_chars: int = 2000,
    max_chars: int = 4000,
) -> list[GeneratedArticle]:
    """``n`` articles with gold toponyms; reproducible for a given seed and gazetteer."""
    if gazetteer is None:
        from geo.gazetteer import default_gazetteer

        gazetteer = default_gazetteer()
    rng = random.Random(seed)
    pool = place_pool(gazetteer, seed=seed)
    demonyms = _demonyms()
    countries = []
    for cc in sorted(pool):
        country = gazetteer.country(cc)
        if country is not None and len(pool[cc]) >= 3 and _NAME_OK.match(_ascii(country.name)):
            countries.append((cc, _ascii(country.name), country))
    capitals = []
    for cc, _, _ in countries:
        cap = gazetteer.capital(cc)
        if cap is not None and _NAME_OK.match(_ascii(cap.name)):
            capitals.append((_ascii(cap.name), cap.lat, cap.lon, cc))

    articles = []
    for index in range(n):
        cc, cname, country = rng.choice(countries)
        towns = pool[cc]
        w = _Writer()

        def town() -> tuple:
            t = rng.choice(towns)
            return (t.name, t.lat, t.lon, t.country)

        def slots() -> dict[str, object]:
            p = town()
            p2 = town()
            while p2[0] == p[0] and len(towns) > 1:
                p2 = town()
            foreign = rng.choice([c for c in capitals if c[3] != cc] or capitals)
            dem = demonyms.get(cc)
            person = f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"
            org = rng.choice(ORGANISATIONS)
            return {
                "P": p,
                "P2": p2,
                "F": (foreign[0], foreign[1], foreign[2], foreign[3]),
                "C": (cname, country.lat, country.lon, cc, "country"),
                "DEM": dem or "government",
                "DEM_CAP": dem or "Government",
                "PER": person,
                "ORG": org,
                "ORG_CAP": org[0].upper() + org[1:],
                "AGENCY": rng.choice(AGENCIES),
                "DAY": rng.choice(DAYS),
                "MONTH": rng.choice(MONTHS),
                "N": rng.randint(2, 400),
            }

        w.render(rng.choice(HEADLINES) + "\n", slots())
        if rng.random() < 0.5:
            t = town()
            w.place(t[0].upper(), t[1], t[2], t[3])
            w.add(f" ({rng.choice(AGENCIES)}) - ")
        target = rng.randint(min_chars, max_chars)
        while w.length < target:
            if rng.random() < 0.25:
                w.add(rng.choice(FILLERS))
            else:
                w.render(rng.choice(SENTENCES), slots())
            w.add("\n\n" if rng.random() < 0.3 else " ")
        articles.append(GeneratedArticle(f"gen-{seed}-{index:05d}", w.text.rstrip(), cc, w.toponyms))
    return articles


def write_jsonl(articles: Iterable[GeneratedArticle], path: Path, with_gold: bool = False) -> None:
    """Lines ``{"id", "text"}`` (the geoparse --jsonl input), plus ``"toponyms"`` with ``with_gold``."""
    with open(path, "w", encoding="utf-8") as fh:
        for a in articles:
            row = {"id": a.id, "text": a.text}
            if with_gold:
                row["focus_country"] = a.focus_country
                row["toponyms"] = [asdict(t) for t in a.toponyms]
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_jsonl(path: Path) -> list[GeneratedArticle]:
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            gold = [GoldToponym(**t) for t in row.get("toponyms", [])]
            out.append(GeneratedArticle(row["id"], row["text"], row.get("focus_country", ""), gold))
    return out
