"""The document model every stage annotates, in the manner of spaCy's Doc and Span.

Data flow: an :class:`Article` (text plus metadata) becomes a :class:`Document`;
the geoparser adds :class:`Toponym` spans (each resolved to a :class:`Place`);
the claim extractor adds :class:`Claim` objects; the store and the exporters read them.

All offsets are character offsets into ``Document.text`` (== ``Article.text``), half-open
``[start, end)``.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

Scale = Literal["point", "admin1", "region", "country"]
GeoPrecision = Literal["point", "near", "admin1", "region", "country"]
DatePrecision = Literal["day", "week", "month"]


@dataclass
class Place:
    """A gazetteer entry, or a ranked candidate for a name.

    ``place_id`` is ``"gn:<geonameid>"`` for GeoNames entries and ``"ov:<id>"`` for
    curated overlay entries (regions such as the Golan Heights).
    """

    name: str
    place_id: str
    lat: float
    lon: float
    scale: Scale
    country: str | None = None  # ISO 3166-1 alpha-2
    province: str | None = None  # ISO 3166-2, e.g. "SY-RD"
    population: int = 0
    geonameid: int | None = None
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)
    radius_km: float | None = None  # extent of a region/admin1/country entry (None for points)

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "place_id": self.place_id,
            "geonameid": self.geonameid,
            "lat": self.lat,
            "lon": self.lon,
            "scale": self.scale,
            "country": self.country,
            "province": self.province,
            "population": self.population,
            "score": round(self.score, 4),
            "reasons": list(self.reasons),
            "radius_km": self.radius_km,
        }


@dataclass
class Span:
    start: int
    end: int
    text: str


@dataclass
class Sentence(Span):
    pass


@dataclass
class Toponym(Span):
    """A place name found in the text, with its resolution (``place`` is None if unresolved)."""

    place: Place | None = None
    candidates: list[Place] = field(default_factory=list)
    dateline: bool = False
    cue: str | None = None  # the cue word that shaped resolution: "province", "city", ...
    # False for a place named but not meant as a location: "Moscow said", "US officials", "The
    # Washington Post", a demonym ("Syrian troops").  Claims are placed on literal toponyms only.
    literal: bool = True
    source: str = "gazetteer"  # what found it: "gazetteer", "model" (named entity), "fuzzy" (a misspelling), "online"

    def to_dict(self) -> dict:
        p = self.place
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "name": p.name if p else None,
            "geonameid": p.geonameid if p else None,
            "place_id": p.place_id if p else None,
            "lat": p.lat if p else None,
            "lon": p.lon if p else None,
            "scale": p.scale if p else None,
            "country": p.country if p else None,
            "province": p.province if p else None,
            "dateline": self.dateline,
            "literal": self.literal,
            "source": self.source,
        }


@dataclass
class Article:
    """One input article: its text and provenance metadata."""

    article: str  # the input file's name (plus "#n" for the n-th object of a JSON list)
    text: str
    title: str | None = None
    source: str | None = None  # always filled after ingest: given, revealed, or the file name
    published: date | None = None
    url: str | None = None
    credited: list[str] = field(default_factory=list)  # wire agencies the article credits
    path: str | None = None

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass
class Claim:
    """A reported control change or assertion, with its provenance."""

    article: str
    place: str
    place_id: str
    lat: float
    lon: float
    event_type: str
    actor: str
    evidence: str
    evidence_start: int
    evidence_end: int
    claimant: str | None = None
    country: str | None = None
    province: str | None = None
    geo_precision: GeoPrecision = "point"
    event_date: date | None = None
    date_precision: DatePrecision | None = None
    distance_km: float | None = None
    contested: bool = False
    source: str | None = None
    published: date | None = None
    title: str | None = None
    url: str | None = None
    place_start: int | None = None
    place_end: int | None = None
    province_name: str | None = None
    # Filled when read back from the store:
    id: str | None = None
    corroboration: int | None = None  # independent sources reporting the same (place, event type, actor)

    @property
    def key(self) -> tuple[str, str, str]:
        """What makes claims 'about the same thing' across articles."""
        return (self.place_id, self.event_type, self.actor)


@dataclass
class Document:
    """An article being annotated by the pipeline's stages."""

    article: Article
    sentences: list[Sentence] = field(default_factory=list)
    toponyms: list[Toponym] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    focus_country: str | None = None
    # spaCy parses of some sentences, by sentence start (see geo.nlp.parse); None: too long to parse.
    parses: dict[int, Any] = field(default_factory=dict, repr=False)

    @property
    def text(self) -> str:
        return self.article.text

    def toponyms_in(self, start: int, end: int) -> list[Toponym]:
        return [t for t in self.toponyms if t.start >= start and t.end <= end]

    def sentence_of(self, offset: int) -> Sentence | None:
        for s in self.sentences:
            if s.start <= offset < s.end:
                return s
        return None
