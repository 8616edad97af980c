"""Toponym recognition and resolution for English news text.

Pipeline for one document (every step is linear in the text's length):

1. sentences (:func:`geo.sentences.split_sentences`) and word tokens with their transliteration key
   pieces (:func:`geo.normalize.key_columns`);
2. an Aho-Corasick automaton over every gazetteer name key runs over the sequence of token keys
   (joined by one space and padded, so a match always starts and ends on token boundaries; a
   lower-case word that no name can contain is masked, so "said" or "was" never match);
3. each match is checked against the text around it: capitalisation, common English words
   (data/lexicons/common_english.txt), demonyms, persons (titles, given names, name particles,
   speech verbs), organisations, page furniture, datelines (lexicon: data/lexicons/geoparse.toml);
   the longest surviving matches win, non-overlapping.  One sense per discourse: a word used in a
   person's name is that name throughout the document, and a common word at a sentence start is
   a place only if the document also writes it as a name mid-sentence;
4. the document's focus country is voted by country names, unambiguous or famous places,
   demonyms and datelines;
5. each name (once per spelling and cue) is resolved among the gazetteer's candidates with the
   document as context: cue words ("Daraa province", "the city of Daraa", "the Kharkiv and Sumy
   regions"), a containing province or country after a comma ("Springfield, Ill.", "Homs,
   Syria"), focus country and the countries the document names, distance to its other confident
   places, population; demonyms and ethnonyms are never places ("Syrian troops", "Arab tribal
   fighters").  Each name is weighed against the countries the *rest* of the document implies (a
   name is no evidence for itself).  A small place in a country the document never implies is
   dropped rather than guessed (precision over recall); in a document that implies no country at
   all, a name resolves only when one candidate clearly dominates (a curated press spelling, or a
   town ten times bigger than any namesake).
6. "the capital" / "the Syrian capital" becomes the focus (or named) country's capital, as a
   Toponym with ``cue="capital"`` (left out of the CLI's output: it is an anaphor, not a name).

Public API: :func:`geoparse`, :func:`geoparse_text`, :func:`run_geoparse_cli`, :func:`load_lexicon`.
"""
from __future__ import annotations

import bisect
import hashlib
import math
import os
import pickle
import re
import tomllib
import weakref
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, chain, compress
from operator import itemgetter
from pathlib import Path
from typing import Iterable, Iterator

import ahocorasick
import numpy as np

from geo.document import Article, Document, Place, Toponym
from geo.gazetteer import (CURATED_SPELLING, SPELLING_VARIANT, VILLAGE_MAX_POPULATION, Gazetteer, OnlineGeocoder,
                           prune_cache)
from geo.normalize import ARTICLES, fold, key_columns, key_tokens, name_key, name_piece
from geo.resources import DATA_DIR, read_word_list
from geo.sentences import split_sentences

__all__ = ["geoparse", "geoparse_text", "run_geoparse_cli", "load_lexicon", "Lexicon", "demonym_country"]

_DATA = DATA_DIR / "lexicons"
LEXICON_PATH = _DATA / "geoparse.toml"
COMMON_WORDS_PATH = _DATA / "common_english.txt"

_ADMIN1_CUE = "province"  # the cue the gazetteer understands for every admin-1 word
# The gazetteer's score (<= 1) plus the largest context bonuses (focus country, proximity).
_MAX_CONTEXT_SCORE = 1.5
# Candidates weighed in context per name (the gazetteer ranks them; the tail never wins).
_MAX_CANDIDATES = 12
_PROXIMITY_BONUS = 0.2
_MAX_ANCHORS = 24
_HEADLINE_MIN_POPULATION = 100_000
# A place this big is what its name means to a reader, whatever one longer name elsewhere contains it.
_NOTABLE_POPULATION = 100_000
_SPEAKING_POPULATION = 1_000_000  # "X said" is a place speaking for its authorities from here up


# --------------------------------------------------------------------------------------------
# Lexicon
# --------------------------------------------------------------------------------------------


def _words(value: str | list[str]) -> frozenset[str]:
    items = value.split() if isinstance(value, str) else value
    return frozenset(fold(w) for w in items)


@dataclass(frozen=True)
class Lexicon:
    """The word lists of ``data/lexicons/geoparse.toml`` (all folded to lower case)."""

    never_places: frozenset[str]
    ethnonyms: frozenset[str]  # peoples and sects: a place only before ", <province or country>"
    common_words: frozenset[str]
    min_pop_mid_sentence: int
    min_pop_sentence_start: int
    non_place_names: tuple[str, ...]
    demonyms: dict[str, str]  # folded demonym -> ISO alpha-2
    titles: frozenset[str]
    titles_capitalised: frozenset[str]
    name_particles: frozenset[str]
    first_names: frozenset[str]
    org_suffixes: frozenset[str]
    org_heads_of: frozenset[str]
    admin1_after: frozenset[str]
    admin1_before_of: frozenset[str]
    point_after: frozenset[str]
    point_before_of: frozenset[str]
    point_before: frozenset[str]
    capital_not_before: frozenset[str]
    directions: frozenset[str]
    generic_after: frozenset[str]
    admin2_after: frozenset[str]
    speech_verbs: frozenset[str]
    furniture: tuple[re.Pattern, ...]
    agencies: tuple[str, ...]
    labels: tuple[str, ...]
    person_cues: frozenset[str] = frozenset()  # titles | particles | first names
    state_abbreviations: dict[str, str] = field(default_factory=dict)  # "Wis." -> "US-WI"
    state_pattern: re.Pattern | None = None  # "<Capitalised word>, <abbreviation>"
    # Lower-case words that may stand inside a name (connectors, directions, generic words, and the
    # lower-case words of the non-place names): every other lower-case word ends any name.
    inner_words: frozenset[str] = frozenset()
    # Metonymy: after a country or capital, verbs of saying or acting ("Moscow said"); after a country,
    # nouns of people and institutions ("US officials").  The name is then not meant as a location.
    metonymy_verbs: frozenset[str] = frozenset()
    place_cues_before: frozenset[str] = frozenset()  # before an unknown name: the model decides
    metonymy_heads: frozenset[str] = frozenset()
    metonymy_outlets: frozenset[str] = frozenset()  # after any place: "the Mayadeen television network"
    metonymy_glued: frozenset[str] = frozenset()  # "Ankara-backed", "Damascus-controlled"


_LEXICON_SECTIONS = frozenset({
    "common_words", "never_places", "ethnonyms", "non_place_names", "demonyms", "persons", "organisations",
    "cues", "regions", "furniture", "datelines", "state_abbreviations", "metonymy", "model",
})


@lru_cache(maxsize=4)
def load_lexicon(path: Path = LEXICON_PATH, common_words_path: Path = COMMON_WORDS_PATH) -> Lexicon:
    with open(path, "rb") as fh:
        d = tomllib.load(fh)
    unknown = set(d) - _LEXICON_SECTIONS
    if unknown:
        raise ValueError(f"{path.name}: unknown section(s) {', '.join(sorted(unknown))}")
    if set(d.get("model", {})) - {"place_cues_before"}:
        raise ValueError(f"{path.name}: [model] holds only 'place_cues_before'")
    if set(d.get("metonymy", {})) - {"verbs", "heads", "outlets", "glued"}:
        raise ValueError(f"{path.name}: [metonymy] holds only 'verbs', 'heads', 'outlets' and 'glued'")
    common = frozenset(fold(word) for word in read_word_list(common_words_path))
    cues, persons, orgs, regions = d["cues"], d["persons"], d["organisations"], d["regions"]
    titles, titles_cap = _words(persons["titles"]), _words(persons["titles_capitalised"])
    particles, first_names = _words(persons["name_particles"]), _words(persons["first_names"])
    abbreviations = dict(d.get("state_abbreviations", {}))
    alternation = "|".join(re.escape(a) for a in sorted(abbreviations, key=len, reverse=True))
    non_place_names = tuple(d["non_place_names"]["names"])
    lower_in_names = frozenset(fold(w) for n in non_place_names for w in _WORD_RE.findall(n) if w.islower())
    return Lexicon(
        place_cues_before=_words(d.get("model", {}).get("place_cues_before", "")),
        metonymy_verbs=_words(d.get("metonymy", {}).get("verbs", "")),
        metonymy_heads=_words(d.get("metonymy", {}).get("heads", "")),
        metonymy_outlets=_words(d.get("metonymy", {}).get("outlets", "")),
        metonymy_glued=_words(d.get("metonymy", {}).get("glued", "")),
        inner_words=_NAME_CONNECTORS | _words(regions["directions"]) | _words(regions["generic_after"]) | lower_in_names,
        state_abbreviations=abbreviations,
        # The comma first: a pattern that opens with a literal is scanned for it, not tried everywhere.
        state_pattern=re.compile(rf",(?<=[A-Za-z],)[ \t]+(?P<abbr>{alternation})(?!\w)") if abbreviations else None,
        person_cues=titles | titles_cap | particles | first_names,
        never_places=_words(d["never_places"]["words"]),
        ethnonyms=_words(d["ethnonyms"]["words"]),
        common_words=common,
        min_pop_mid_sentence=int(d["common_words"]["min_population_mid_sentence"]),
        min_pop_sentence_start=int(d["common_words"]["min_population_sentence_start"]),
        non_place_names=non_place_names,
        demonyms={fold(k.replace("_", " ")): v for k, v in d["demonyms"].items()},
        titles=titles,
        titles_capitalised=titles_cap,
        name_particles=particles,
        first_names=first_names,
        org_suffixes=_words(orgs["suffixes"]),
        org_heads_of=_words(orgs["heads_of"]),
        admin1_after=_words(cues["admin1_after"]),
        admin1_before_of=_words(cues["admin1_before_of"]),
        point_after=_words(cues["point_after"]),
        point_before_of=_words(cues["point_before_of"]),
        point_before=_words(cues["point_before"]),
        capital_not_before=_words(cues["capital_not_before"]),
        directions=_words(regions["directions"]),
        generic_after=_words(regions["generic_after"]),
        admin2_after=_words(regions.get("admin2_after", [])),
        speech_verbs=_words(persons.get("speech_verbs", "")),
        furniture=tuple(re.compile(p, re.IGNORECASE) for p in d["furniture"]["line_patterns"]),
        agencies=tuple(d["datelines"]["agencies"]),
        labels=tuple(d["datelines"]["labels"]),
    )


def demonym_country(word: str) -> str | None:
    """ISO alpha-2 country of a demonym ("Syrian" -> "SY"), else None.  Reusable by other stages."""
    return load_lexicon().demonyms.get(fold(word))


# --------------------------------------------------------------------------------------------
# The matcher: an Aho-Corasick automaton over the gazetteer's name keys, cached on disk
# --------------------------------------------------------------------------------------------


def _cache_dir() -> Path:
    return Path(os.environ.get("FRONTLINE_CACHE_DIR") or Path.home() / ".cache" / "frontline")


def _build_automaton(keys: Iterable[str]) -> ahocorasick.Automaton:
    # STORE_LENGTH keeps no Python object per key: the automaton pickles and loads several times faster.
    automaton = ahocorasick.Automaton(ahocorasick.STORE_LENGTH)
    for key in keys:
        if key:
            automaton.add_word(f" {key} ")
    automaton.make_automaton()
    return automaton


def _load_or_build_automaton(keys: list[str]) -> ahocorasick.Automaton:
    """The automaton of ``keys``, from the on-disk cache when the same key set was seen before."""
    digest = hashlib.blake2b("\n".join(keys).encode("utf-8"), digest_size=12).hexdigest()
    path = _cache_dir() / f"geoparse-automaton-{digest}.pkl"
    try:
        with open(path, "rb") as fh:
            return pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass
    automaton = _build_automaton(keys)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        prune_cache(path.parent, "geoparse-automaton-*.pkl", path)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        with open(tmp, "wb") as fh:
            pickle.dump(automaton, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs the build time next run
    return automaton


@dataclass
class _KeyInfo:
    """What the gazetteer knows about one name key, for the recognition filters."""

    max_population: int
    has_country: bool
    has_area: bool  # admin1, region or country
    has_region: bool  # a curated region (overlay): no population, but a name the press uses
    has_curated: bool  # some entry carries the key through the curated overlay


class _Matcher:
    """Per-gazetteer state: the automaton and memoised look-ups (shared by all documents)."""

    def __init__(self, gazetteer: Gazetteer, keys: Iterable[str] | None = None):
        self.gazetteer = gazetteer
        # The gazetteer's own order (deterministic for one cache): sorting 400k keys would cost more
        # than loading the automaton.
        all_keys = list(dict.fromkeys(keys if keys is not None else gazetteer.keys()))
        # One- and two-letter keys ("a", "in", "of") match everywhere and name nothing a reader
        # would recognise, except country codes used as names ("US", "UK") and curated regions ("EU").
        all_keys = [k for k in all_keys if len(k) > 2 or gazetteer.key_facts(k)[1] or gazetteer.key_facts(k)[3]]
        self.automaton = _load_or_build_automaton(all_keys)
        lex = load_lexicon()
        self.non_place = _build_automaton({_key_of(n) for n in lex.non_place_names} - {""})
        self.non_place_spellings = {_compact(fold(n)) for n in lex.non_place_names}
        self._info: dict[str, _KeyInfo] = {}
        self._named: dict[tuple[str, str], int] = {}
        self._dead: dict[str, bool] = {}
        self._resolved: dict[tuple[str, str | None], list[Place]] = {}

    def info(self, key: str) -> _KeyInfo:
        got = self._info.get(key)
        if got is None:
            if len(self._info) > 500_000:
                self._info.clear()
            got = self._info[key] = _KeyInfo(*self.gazetteer.key_facts(key))
        return got

    def dead_word(self, word: str, key: str) -> bool:
        """A capitalised single word that can never be accepted outside a dateline, whatever its
        context: a word that is never a place, or a common English word that names no country,
        region or curated spelling and no sizeable place of its own spelling ("Police", "Aid")."""
        got = self._dead.get(word)
        if got is None:
            lex = load_lexicon()
            if word in lex.never_places:
                got = True
            elif word not in lex.common_words:
                got = False
            else:
                info = self.info(key)
                got = not (info.has_country or info.has_region or info.has_curated) and (
                    self.population_named(key, word) < lex.min_pop_mid_sentence
                )
            if len(self._dead) > 200_000:
                self._dead.clear()
            self._dead[word] = got
        return got

    def population_named(self, key: str, folded: str) -> int:
        """Largest population of the places under ``key`` whose own name is ``folded`` (-1: none)."""
        got = self._named.get((key, folded))
        if got is None:
            if len(self._named) > 200_000:
                self._named.clear()
            got = self._named[(key, folded)] = self.gazetteer.population_named(key, folded)
        return got

    def curated(self, surface: str) -> bool:
        """The surface, as written, is a curated press spelling of some entry ("Palmyra")."""
        return any(
            CURATED_SPELLING in c.reasons and SPELLING_VARIANT not in c.reasons
            for c in self.candidates(surface, None)
        )

    def capital(self, surface: str) -> bool:
        """The surface names a country's capital ("Ankara", "Kyiv") among its candidates."""
        for c in self.candidates(surface, None):
            if c.scale == "point" and c.country:
                capital = self.gazetteer.capital(c.country)
                if capital is not None and capital.place_id == c.place_id:
                    return True
        return False

    def candidates(self, surface: str, cue: str | None) -> list[Place]:
        """The gazetteer's ranked candidates for a surface form, narrowed by the cue's scale
        (memoised and shared: do not mutate)."""
        memo_key = (fold(surface), cue)
        got = self._resolved.get(memo_key)
        if got is None:
            got = _apply_cue(self.gazetteer.resolve(surface, cue=cue, limit=_MAX_CANDIDATES), cue)
            if len(self._resolved) > 200_000:
                self._resolved.clear()
            self._resolved[memo_key] = got
        return got


_NON_LETTERS = re.compile(r"[\W\d_]+")


def _compact(folded: str) -> str:
    """A folded spelling without spaces, hyphens and apostrophes: "al-Qaeda" == "Al Qaeda"."""
    return _NON_LETTERS.sub("", folded)


def _key_of(name: str) -> str:
    return " ".join(k for _, _, k in key_tokens(name) if k)


_MATCHERS: "weakref.WeakKeyDictionary[object, _Matcher]" = weakref.WeakKeyDictionary()


def _matcher_for(gazetteer: Gazetteer) -> _Matcher:
    try:
        m = _MATCHERS.get(gazetteer)
    except TypeError:  # not weak-referenceable: build each time
        return _Matcher(gazetteer)
    if m is None:
        m = _Matcher(gazetteer)
        _MATCHERS[gazetteer] = m
    return m


# --------------------------------------------------------------------------------------------
# Datelines and page furniture
# --------------------------------------------------------------------------------------------

_MONTHS = (
    r"(?:Jan(?:uary|\.)?|Feb(?:ruary|\.)?|Mar(?:ch|\.)?|Apr(?:il|\.)?|May|June?|July?|Aug(?:ust|\.)?"
    r"|Sep(?:t(?:ember)?|\.)?|Oct(?:ober|\.)?|Nov(?:ember|\.)?|Dec(?:ember|\.)?)"
)
_DATE = rf"(?:{_MONTHS}\s+\d{{1,2}}(?:,?\s+\d{{4}})?|\d{{1,2}}\s+{_MONTHS}(?:,?\s+\d{{4}})?|\d{{4}}-\d\d-\d\d|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)"
_PLACE = r"[A-Z][\w'’.\- ]{1,40}?"
_DASH = r"[-–—:]"
# Datelines open an article (after a headline, a byline or a date line): only its head is searched.
_DATELINE_HEAD = 800


@lru_cache(maxsize=1)
def _dateline_patterns() -> tuple[tuple[tuple[re.Pattern, re.Pattern | None], ...], re.Pattern]:
    """The dateline patterns tried at the head's line starts, each with the tail that every match of
    it ends with (or None), and the label pattern."""
    lex = load_lexicon()
    agencies = "|".join(re.escape(a) for a in sorted(lex.agencies, key=len, reverse=True))
    labels = "|".join(re.escape(a) for a in lex.labels)
    lead = r"^[ \t\"“]*"
    # (two datelines' places joined by a slash: "DAMASCUS/BEIRUT, Dec 8 (Reuters) -")
    places = rf"(?P<place>{_PLACE})(?:/(?P<place3>{_PLACE}))?(?:,\s*(?P<place2>{_PLACE}))??"
    agency_tail = rf"\((?:{agencies})(?:/[^)]*)?\)\s*{_DASH}"
    date_tail = rf",\s*{_DATE}\s*(?:{_DASH}|\()"
    head = (
        # BEIRUT (Reuters) -   /   KYIV, Ukraine (AP) —   /   GAZA CITY, March 3 (Reuters) -
        (re.compile(rf"{lead}{places}(?:,\s*{_DATE})?\s*{agency_tail}", re.M), re.compile(agency_tail)),
        # Damascus, December 7, 2024 –
        (re.compile(rf"{lead}{places}{date_tail}", re.M), re.compile(date_tail)),
        # BEIRUT — (an all-capitals place followed by a dash)
        (
            re.compile(r"^[ \t\"“]*(?P<place>[A-Z][A-Z'’.\- ]{2,30}?)(?:,\s*(?P<place2>[A-Z][\w.\- ]{1,30}?))?\s+[-–—]\s", re.M),
            None,  # fails at the second letter of an ordinary line: cheap as it is
        ),
    )
    # Location : Beirut, Lebanon   (anywhere; the place may be on the next line)
    label = re.compile(
        rf"^[\W_]*(?:{labels})\s*:[ \t]*\n?[ \t]*(?P<place>[A-Z][^\n,:]{{1,40}}?)(?:,\s*(?P<place2>[A-Z][^\n,:]{{1,40}}?))?[ \t]*$",
        re.M,
    )
    return head, label


def _line_starts(text: str) -> list[int]:
    """Offsets where lines begin ("^" of a re.M pattern)."""
    return [0, *accumulate(len(line) + 1 for line in text.split("\n")[:-1])]


def _line_matches(
    pattern: re.Pattern, text: str, starts: list[int], endpos: int | None = None, last_start: int | None = None
) -> list[re.Match]:
    """``pattern.finditer(text)`` for a pattern that opens with a re.M "^": the same matches, but
    tried only at line starts (finditer would try, and fail, at every character), and none after
    ``last_start`` (where the caller knows no match can begin)."""
    out: list[re.Match] = []
    end = len(text) if endpos is None else endpos
    if last_start is not None:
        end = min(end, last_start + 1)
    done = 0
    for start in starts:
        if start >= end:
            break
        if start < done:
            continue
        m = pattern.match(text, start, endpos if endpos is not None else len(text))
        if m is not None:
            out.append(m)
            done = max(m.end(), start + 1)
    return out


def _last_match_start(pattern: re.Pattern, text: str, endpos: int) -> int:
    """Where the last match of ``pattern`` in ``text[:endpos]`` can begin (-1: nowhere)."""
    last = -1
    m = pattern.search(text, 0, endpos)
    while m is not None:
        last = m.start()
        m = pattern.search(text, last + 1, endpos)
    return last


def _dateline_ranges(text: str, starts: list[int] | None = None) -> list[tuple[int, int]]:
    head_patterns, label = _dateline_patterns()
    starts = _line_starts(text) if starts is None else starts
    head_end = min(len(text), _DATELINE_HEAD)
    found = []
    for pattern, tail in head_patterns:
        # A line can open a dateline only if the tail every dateline ends with ("(Reuters) -",
        # ", March 3 -") occurs after its start: a rare literal, found by a fast scan.
        last_start = None if tail is None else _last_match_start(tail, text, head_end)
        if last_start != -1:
            found.extend(_line_matches(pattern, text, starts, head_end, last_start))
    if any(word in text for word in load_lexicon().labels):
        found.extend(_line_matches(label, text, starts))
    return [m.span(g) for m in found for g in ("place", "place2", "place3") if g in m.re.groupindex and m.group(g)]


@lru_cache(maxsize=1)
def _furniture_pattern() -> tuple[re.Pattern, bool]:
    """The furniture line patterns as one, and whether each opens with ``^\\s*`` (then a try from
    an empty line reaches exactly the text a try from the next line reaches: empty lines are skipped)."""
    patterns = [p.pattern for p in load_lexicon().furniture]
    alternatives = "|".join(f"(?:{p.lstrip('^')})" for p in patterns)
    skip_empty = all(p.startswith("^\\s*") for p in patterns)
    return re.compile(rf"^(?:{alternatives}).*$", re.M | re.I), skip_empty


def _furniture_ranges(text: str, starts: list[int] | None = None) -> list[tuple[int, int]]:
    starts = _line_starts(text) if starts is None else starts
    pattern, skip_empty = _furniture_pattern()
    if skip_empty:
        starts = [s for s in starts if text[s : s + 1] not in ("\n", "")]
    return [m.span() for m in _line_matches(pattern, text, starts)]


class _Intervals:
    """Spans sorted by start with the running maximum of their ends: "is [a, b] inside / does it
    overlap any of them" in O(log n), so that a text with many names and many spans stays n log n
    (a scan of every span per name was quadratic: a 2 MB text took minutes)."""

    __slots__ = ("starts", "max_end")

    def __init__(self, spans: Iterable[tuple[int, int]]):
        ordered = sorted(spans)
        self.starts = [a for a, _ in ordered]
        self.max_end = list(accumulate((b for _, b in ordered), max))

    def __bool__(self) -> bool:
        return bool(self.starts)

    def _max_end_from(self, k: int) -> int | None:
        return self.max_end[k - 1] if k > 0 else None

    def covers(self, start: int, end: int) -> bool:
        """Some span [s, e] has s <= start and end <= e."""
        top = self._max_end_from(bisect.bisect_right(self.starts, start))
        return top is not None and top >= end

    def touches(self, first: int, last: int) -> bool:
        """Some span [a, b] (both ends inclusive) shares a position with [first, last]."""
        top = self._max_end_from(bisect.bisect_right(self.starts, last))
        return top is not None and top >= first

    def overlaps(self, start: int, end: int) -> bool:
        """Some half-open span [s, e) overlaps the half-open [start, end)."""
        top = self._max_end_from(bisect.bisect_left(self.starts, end))
        return top is not None and top > start


def _inside(start: int, end: int, ranges: "_Intervals | list[tuple[int, int]]") -> bool:
    if not isinstance(ranges, _Intervals):
        ranges = _Intervals(ranges)
    return ranges.covers(start, end)


# --------------------------------------------------------------------------------------------
# Recognition
# --------------------------------------------------------------------------------------------

# What may separate the words of one multi-word name: spaces, a hyphen, a dot after an
# abbreviation (St. Petersburg), an apostrophe (Damascus' countryside).  Never a newline.
_GAP_OK = re.compile(r"[ \t\-–'’.]{0,3}")
# What makes two tokens "adjacent" for the person/organisation rules: spaces or a hyphen only.
_ADJACENT = re.compile(r"[ \t\-–]{1,2}")
# Lower-case words allowed inside a multi-word name (Bosnia and Herzegovina, Rostov-on-Don).
_NAME_CONNECTORS = frozenset(
    "and of the on upon en sur sous au aux de des du la le les di da do dos das del della y i im am an der bei ob".split()
)
_WORD_RE = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
# Endings of English adjectives and participles: a capitalised sentence-initial word with one of them
# ("Neighbouring Uganda", "Besieged Mariupol") is not a given name before a surname.
_ENGLISH_SUFFIXES = ("ing", "ed", "ern", "ly", "ous", "ful", "ive", "ian", "ese", "ish")
_DOTTED = re.compile(r"(?:[A-Z]\.)+[A-Z]")
_COMMA_GAP = re.compile(r",[ \t]*\n?[ \t]*")
_TITLE_DOT = re.compile(r"\.[ \t]{1,2}")
# A headline has no closing punctuation (news sentences end with . ! ? or a closing quote).
_CLOSED = re.compile(r"[.!?:;\"”’')\]]\s*$")


@dataclass
class _Match:
    first: int  # index into the word list (non-article tokens)
    last: int
    start: int  # character span of the surface
    end: int
    key: str
    cue: str | None = None
    dateline: bool = False
    literal: bool = True  # False inside an organisation's name ("The Washington Post")
    entity: str | None = None  # the spaCy entity label that confirmed it, when the model was asked


class _SequencePieces(dict):
    """(capitalised?, folded token) -> the token's piece in the automaton's key sequence ("#" for a
    lower-case word that no name can contain); filled on first sight, so a document costs C-level
    look-ups only."""

    def __init__(self, inner_words: frozenset[str]):
        super().__init__()
        self.inner_words = inner_words

    def __missing__(self, cap_token: tuple[bool, str]) -> str:
        cap, token = cap_token
        if len(self) > 500_000:
            self.clear()
        keep = cap or token in self.inner_words or token[1:2] == "'"  # "d'Ivoire"
        piece = self[cap_token] = name_piece(token) if keep else "#"
        return piece


@lru_cache(maxsize=4)
def _sequence_pieces(inner_words: frozenset[str]) -> _SequencePieces:
    return _SequencePieces(inner_words)


class _Doc:
    """Token-level view of one text for the recognition rules; sentence facts are computed lazily."""

    def __init__(self, text: str, sentences: list, inner_words: frozenset[str] = frozenset()):
        self.text = text
        self.folded, self.starts, self.ends, self.wordlist, self.keys = key_columns(text)
        self.n = len(self.keys)
        self.words = list(compress(range(self.n), self.keys))  # tokens that are words, not articles
        self.caps = list(map(str.isupper, map(text.__getitem__, self.starts)))  # per token
        self.word_caps = list(compress(self.caps, self.keys))  # per word
        self._inner_words = inner_words
        self.sentences = sentences
        self.sent_starts = [s.start for s in sentences]
        self._headline: dict[int, bool] = {}
        # Index of the first token of every sentence.
        self.first_tokens = {bisect.bisect_left(self.starts, s.start) for s in sentences}
        self._seq: tuple[str, np.ndarray] | None = None
        self.datelines: list[tuple[int, int]] = []
        self.blocked: list[tuple[int, int]] = []  # (first, last) words rejected as part of a longer name

    def key_sequence(self) -> tuple[str, np.ndarray]:
        """The word keys joined by single spaces and padded, and the offsets of the spaces: word i
        lies between spaces ``bounds[i]`` and ``bounds[i + 1]`` (so padded automaton keys align on
        words).

        A lower-case word can be part of no accepted name unless it is a connector, a direction or
        a generic word ("Bosnia and Herzegovina", "southern Syria", "Gaza City"): it stands in the
        sequence as "#", which no key contains, so the automaton reports nothing there ("said",
        "had" and "was" are villages somewhere)."""
        if self._seq is None:
            table = _sequence_pieces(self._inner_words)
            pieces = list(map(table.__getitem__, zip(self.word_caps, compress(self.wordlist, self.keys))))
            seq = " " + " ".join(pieces) + " "
            bounds = np.zeros(len(pieces) + 1, dtype=np.int64)
            np.cumsum(np.fromiter(map(len, pieces), dtype=np.int64, count=len(pieces)) + 1, out=bounds[1:])
            self._seq = (seq, bounds)
        return self._seq

    def word(self, i: int) -> str:
        return self.wordlist[i]

    def cap(self, i: int) -> bool:
        return self.text[self.starts[i]].isupper()

    def sent_of(self, i: int) -> int:
        return bisect.bisect_right(self.sent_starts, self.starts[i]) - 1

    def sentence_initial(self, i: int) -> bool:
        return i in self.first_tokens

    def headline(self, i: int) -> bool:
        """Token i is in a Title Case or ALL CAPS sentence, where capitals do not mark names."""
        si = self.sent_of(i)
        got = self._headline.get(si)
        if got is None:
            got = self._headline[si] = si >= 0 and _headline_like(self.sentences[si].text)
        return got

    def uncertain_case(self, i: int) -> bool:
        """Capitalisation says nothing: a sentence start, a headline, an all-capitals word."""
        if self.sentence_initial(i) or self.headline(i):
            return True
        surface = self.text[self.starts[i] : self.ends[i]]
        return len(surface) > 1 and surface.isupper()

    def adjacent(self, i: int, j: int) -> bool:
        """Tokens i < j touch (spaces or a hyphen between them) and share a sentence."""
        # Only spaces or a hyphen between them: no sentence boundary can lie there.
        if not 0 <= i < j < self.n:
            return False
        a, b = self.ends[i], self.starts[j]
        if b - a == 1:
            return self.text[a] in " -\t–"
        return _ADJACENT.fullmatch(self.text, a, b) is not None


def _headline_like(sentence: str) -> bool:
    """Title Case or ALL CAPS, without the closing punctuation of a sentence of running text."""
    upper = sentence.isupper()
    if not upper and _CLOSED.search(sentence):
        return False
    words = [w for w in _WORD_RE.findall(sentence) if len(w) > 3]
    if len(words) < 3:
        return False
    if upper:
        return True
    caps = sum(1 for w in words if w[0].isupper())
    return caps / len(words) >= 0.75


def _person_keys(doc: _Doc, lex: Lexicon) -> set[str]:
    """Keys of tokens that the document uses as parts of persons' names.

    After a title ("President Assad", "rebel commander Hassan Abdel Ghani"), around a name particle
    ("bin Salman", "Abdel Rahman"), after a given name ("Bashar al-Assad"): the following capitalised
    words are a person's name, wherever else the document repeats them.
    """
    keys: set[str] = set()
    keys_of = doc.keys
    n = doc.n

    def initial(k: int) -> bool:
        # "George W. Bush", "Harry S. Truman": a one-letter initial and its period join a name.
        a, b = doc.ends[k], doc.starts[k + 1] if k + 1 < n else -1
        return b > a and doc.cap(k) and a - doc.starts[k] == 1 and doc.text[a:b].rstrip(" ") == "."

    def run_after(i: int) -> None:
        j = i + 1
        while j < n and (doc.adjacent(j - 1, j) or initial(j - 1)) and (doc.cap(j) or not keys_of[j]):
            if keys_of[j]:
                keys.add(keys_of[j])
            j += 1

    cues = lex.person_cues
    wordlist = doc.wordlist
    for i in compress(range(doc.n), map(cues.__contains__, wordlist)):
        w = wordlist[i]
        if w in lex.titles or (w in lex.titles_capitalised and doc.cap(i)):
            run_after(i)
        elif w in lex.name_particles:
            run_after(i)
            if i > 0 and keys_of[i - 1] and doc.cap(i - 1) and doc.adjacent(i - 1, i):
                prev = doc.word(i - 1)
                if prev not in lex.never_places and prev not in lex.common_words:
                    keys.add(keys_of[i - 1])
        elif w in lex.first_names and doc.cap(i) and i + 1 < n and doc.adjacent(i, i + 1) and (
            doc.cap(i + 1) or not keys_of[i + 1]
        ):
            keys.add(keys_of[i])
            run_after(i)
    return keys


def _raw_matches(doc: _Doc, automaton: ahocorasick.Automaton) -> list[tuple[int, int]]:
    """(first word, last word) of every key of ``automaton`` in the document's word key sequence."""
    if not doc.words:
        return []
    seq, bounds = doc.key_sequence()
    found = np.fromiter(chain.from_iterable(automaton.iter(seq)), dtype=np.int64).reshape(-1, 2)  # (end, length)
    if not len(found):
        return []
    ends = found[:, 0]
    first = np.searchsorted(bounds, ends - found[:, 1] + 1)
    last = np.searchsorted(bounds, ends) - 1
    return list(zip(first.tolist(), last.tolist()))


def _article_joins(doc: _Doc, a: int) -> bool:
    """Article token ``a`` belongs to the name that follows: "al-Qaem", "Al Qaim", "As Suwayda"."""
    if a + 1 >= doc.n or doc.keys[a] or not doc.keys[a + 1]:
        return False
    gap = doc.text[doc.ends[a] : doc.starts[a + 1]]
    if gap in ("-", "‐", "–"):
        return True
    if gap == " " and doc.cap(a) and doc.cap(a + 1):
        # "Al Qaim", "El Arish"; a sun-letter article only before its own consonant ("As Suwayda", "Ad Dana")
        article, word = doc.word(a), doc.word(a + 1)
        return article in ("al", "el") or article[-1] == word[:1] or article[-2:] == word[:2]
    return False


def _surface_start(doc: _Doc, i: int) -> int:
    """Start of a name, extended over its joined Arabic article."""
    if i > 0 and _article_joins(doc, i - 1):
        return doc.starts[i - 1]
    return doc.starts[i]


def _cue_around(doc: _Doc, first_tok: int, last_tok: int, lex: Lexicon, start: int) -> str | None:
    """The resolution cue in the words right around a name ("Daraa province", "the city of Daraa");
    ``start`` is the name's surface start (before its article, if any)."""
    n, text = doc.n, doc.text
    nxt = last_tok + 1
    if nxt < n and text[doc.ends[last_tok] : doc.starts[nxt]].strip(" ’'") == "":
        w = doc.word(nxt)
        if w in lex.admin1_after or w in lex.point_after:
            return w
        if w.endswith("s") and w[:-1] in lex.admin1_after:
            return w[:-1]  # "Idlib and Hama provinces": Hama
        if w == "border" and nxt + 1 < n and doc.word(nxt + 1) in ("town", "city", "village"):
            return doc.word(nxt + 1)
    # "Idlib and Hama provinces", "Idlib, Hama and Homs provinces": Idlib, by the plural unit word
    # after the list of names
    k, prev_end = nxt, doc.ends[last_tok]
    while k < min(n, nxt + 8) and text[prev_end : doc.starts[k]].strip(" ,-’'") == "":
        wk = doc.word(k)
        if wk.endswith("s") and wk[:-1] in lex.admin1_after:
            if k > nxt:
                return wk[:-1]
            break
        if not (doc.cap(k) or wk in ("and", "al", "el")):
            break
        prev_end, k = doc.ends[k], k + 1
    prev = first_tok - 1
    if prev >= 0 and start < doc.starts[first_tok]:
        prev -= 1  # the name's own article: "town of al-Qaem"
    if prev >= 0 and text[doc.ends[prev] : doc.starts[prev + 1]].strip(" -") == "":
        w = doc.word(prev)
        if w == "of" and prev >= 1:
            head = doc.word(prev - 1)
            # "the province of Idlib", but not "the Puno region of Peru": there the unit word is Puno's.
            named = prev >= 2 and doc.cap(prev - 2) and doc.adjacent(prev - 2, prev - 1) and not doc.cap(prev - 1)
            if (head in lex.admin1_before_of or head in lex.point_before_of) and not named:
                return head
        if w in lex.point_before and not doc.cap(prev):
            return w
    return None


def _followed_by_area(doc: _Doc, tj: int, area_tok) -> bool:
    """ "Jackson, Mississippi": a province or country after a comma makes the name a place even
    where the document also uses it for a person."""
    nxt = tj + 1
    while nxt < doc.n and not doc.keys[nxt]:
        nxt += 1
    if nxt >= doc.n or not _COMMA_GAP.fullmatch(doc.text, doc.ends[tj], doc.starts[nxt]):
        return False
    return area_tok(nxt)


def _overlaps(first: int, last: int, spans: "_Intervals | list[tuple[int, int]]") -> bool:
    if not isinstance(spans, _Intervals):
        spans = _Intervals(spans)
    return spans.touches(first, last)


def _recognise(doc: _Doc, matcher: _Matcher, lex: Lexicon) -> tuple[list[_Match], list[str]]:
    """Accepted, non-overlapping name matches, and the demonyms the text uses (folded)."""
    words, text = doc.words, doc.text
    # Cheap first cut: a name starts with a capital (or a direction word: "southern Syria").
    upper, wordlist, keys = doc.word_caps, doc.wordlist, doc.keys
    line_starts = _line_starts(text)
    doc.datelines = _dateline_ranges(text, line_starts)
    datelines = _Intervals(doc.datelines)
    dead = matcher.dead_word
    raw = [
        (f, l)
        for f, l in _raw_matches(doc, matcher.automaton)
        if (upper[f] and (l > f or not dead(wordlist[words[f]], keys[words[f]])))
        or (l > f and wordlist[words[f]] in lex.directions)
        or (datelines and upper[f] and _inside(doc.starts[words[f]], doc.ends[words[f]], datelines))
    ]
    # Names of organisations and people that contain place names: matched by key, confirmed by
    # spelling (the key is lossy: "Al Arabiya" and "Arabia" share one).
    non_place = _Intervals(
        (words[f], words[l])
        for f, l in _raw_matches(doc, matcher.non_place)
        if _compact(doc.folded[_surface_start(doc, words[f]) : doc.ends[words[l]]]) in matcher.non_place_spellings
    )
    furniture = _Intervals(_furniture_ranges(text, line_starts))
    person_keys = _person_keys(doc, lex) if raw else set()

    def area_tok(ti: int) -> bool:
        """Token ti could name a country, province or region by itself."""
        key = doc.keys[ti]
        return bool(key) and matcher.info(key).has_area

    accepted: list[_Match] = []
    taken = bytearray(len(words))  # word positions inside an accepted name
    blocked_by = [0] * len(words)  # id of the rejected person/organisation name covering a position
    unsure: list[tuple[int, int]] = []
    blocked: list[tuple[int, int]] = []  # rejected as part of a person's or body's name: the model may overrule
    blocked_keys: set[str] = set()  # single words the document uses inside a person's or body's name
    for first, last in sorted(raw, key=lambda fl: (fl[0] - fl[1], fl[0])):  # longest first
        if blocked_by[first] and blocked_by[first] == blocked_by[last]:
            continue
        if any(taken[first : last + 1]):
            continue
        ti, tj = words[first], words[last]
        if ti == tj:
            verdict = _judge_single(doc, lex, matcher, ti, person_keys, area_tok, non_place, furniture, datelines)
        else:
            verdict = _judge(doc, lex, matcher, ti, tj, person_keys, area_tok, non_place, furniture, datelines)
        if verdict == "block" or verdict == "block-name" or verdict == "speaker":
            blocked.append((first, last))
            blocked_by[first : last + 1] = [first * 65536 + last + 1] * (last - first + 1)
            if verdict == "speaker" or (
                first == last and verdict == "block" and matcher.info(doc.keys[ti]).max_population < _NOTABLE_POPULATION
            ):
                # A surname ("Maymouna Jawad" ... "Jawad said") is that name throughout; a city's name
                # inside one longer name ("Middlesex-London EMS") does not make London a person.
                blocked_keys.add(doc.keys[ti])
        elif verdict == "unsure":
            unsure.append((first, last))
        elif verdict is not None:
            verdict.first, verdict.last = first, last
            accepted.append(verdict)
            taken[first : last + 1] = b"\x01" * (last - first + 1)
    # One sense per discourse: a word that is part of a person's or organisation's name somewhere
    # ("said Maymouna Jawad") is that name elsewhere too ("Jawad said"), unless it names an area.
    if blocked_keys:

        accepted = [
            m for m in accepted
            if not (m.first == m.last and m.key in blocked_keys and not matcher.info(m.key).has_area)
            or _followed_by_area(doc, words[m.last], area_tok)
        ]
        taken = bytearray(len(words))
        for m in accepted:
            taken[m.first : m.last + 1] = b"\x01" * (m.last - m.first + 1)
    # One sense per discourse: a common word at a sentence start ("Reading ...") is the place only
    # when the same document also writes it as a name in running text.
    confirmed = {m.key for m in accepted}
    for first, last in unsure:
        ti, tj = words[first], words[last]
        key = " ".join(doc.keys[k] for k in range(ti, tj + 1) if doc.keys[k])
        if key in confirmed and not any(taken[first : last + 1]):
            start = _surface_start(doc, ti)
            accepted.append(_Match(first, last, start, doc.ends[tj], key, _cue_around(doc, ti, tj, lex, start)))
            taken[first : last + 1] = b"\x01" * (last - first + 1)
    accepted.sort(key=lambda m: m.start)

    demonyms = list(filter(lex.demonyms.__contains__, compress(doc.wordlist, doc.caps)))
    doc.blocked = blocked
    return accepted, demonyms


def _judge(doc: _Doc, lex: Lexicon, matcher: _Matcher, ti, tj, person_keys, area_tok, non_place, furniture, datelines):
    """A _Match if tokens ti..tj name a place here; None to reject; "block" to reject it and what it
    contains (a person's name: the word is that name throughout the document); "block-name" likewise
    but only here (the first word of an organisation's or person's name); "unsure" for a common word
    at a sentence start."""
    if ti == tj:
        return _judge_single(doc, lex, matcher, ti, person_keys, area_tok, non_place, furniture, datelines)
    text = doc.text
    start = _surface_start(doc, ti)
    end = doc.ends[tj]
    if furniture and _inside(start, end, furniture):
        return None
    if non_place and _overlaps(ti, tj, non_place):
        return "block"
    in_dateline = bool(datelines) and _inside(doc.starts[ti], end, datelines)
    if ti == tj:
        words_in = [ti]
        key = doc.keys[ti]
    else:
        words_in = [k for k in range(ti, tj + 1) if doc.keys[k]]
        key = " ".join(doc.keys[k] for k in words_in)
    multi = len(words_in) > 1

    # One sentence, and only spaces/hyphens/dots/apostrophes (or a joined article) between words.
    if multi:
        if doc.sent_of(ti) != doc.sent_of(tj):
            return None
        for a in range(ti, tj):
            if doc.keys[a] and doc.keys[a + 1] and not _GAP_OK.fullmatch(text, doc.ends[a], doc.starts[a + 1]):
                return None

    # "The West Bank": the name is "West Bank" when the gazetteer knows it without the article.
    if doc.word(ti) == "the":
        rest_key = " ".join(doc.keys[k] for k in words_in[1:])
        if matcher.population_named(rest_key, doc.folded[doc.starts[words_in[1]] : end]) >= 0:
            return None
    # Capitalisation: the first word (or a direction word before a capitalised one: "southern Syria").
    if not doc.cap(ti):
        if not (multi and doc.word(ti) in lex.directions and doc.cap(words_in[1])):
            return None
    for k in words_in[1:]:
        if not doc.cap(k):
            w = doc.word(k)
            elided = len(w) > 2 and w[1] == "'" and text[doc.starts[k] + 2].isupper()  # "Côte d'Ivoire"
            if w not in _NAME_CONNECTORS and w not in lex.generic_after and not elided:
                return None

    info = matcher.info(key)
    single = None if multi else doc.word(ti)
    if single is not None:
        if single in lex.never_places or single in lex.demonyms or single in lex.directions:
            return None
        if single in lex.first_names and doc.adjacent(ti, ti + 1) and doc.cap(ti + 1):
            return "block-name"
    if not in_dateline:
        common = lex.common_words
        all_common = all(doc.word(k) in common or doc.word(k) in lex.never_places for k in words_in)
        if (
            all_common
            and not info.has_country
            and not info.has_region
            and not (info.has_curated and matcher.curated(text[start:end]))
        ):
            # An English word is a place only under its own spelling ("Nice", not "Fears" for Fars)
            # and, capitalised mid-sentence, for a sizeable place; at a sentence start only for a big one.
            population = matcher.population_named(key, doc.folded[doc.starts[ti] : end])
            if population < lex.min_pop_mid_sentence:
                return None
            if doc.uncertain_case(ti) and population < lex.min_pop_sentence_start:
                return "unsure"  # kept only if the document also uses the word as a name mid-sentence
        elif single is not None and len(single) <= 2 and not (info.has_country or info.has_region) and doc.uncertain_case(ti):
            return None  # "IN", "AT" in capitals; two-letter codes only for countries (US, UK)

        if single is not None and doc.keys[ti] in person_keys and not info.has_area:
            return "block"
        verdict = _context_verdict(doc, lex, ti, tj, area_tok, start)
        if verdict == "org":
            return _Match(0, 0, start, end, key, None, in_dateline, literal=False)
        if verdict is not None:
            return verdict

    if end < len(text) and text[end] == "." and _DOTTED.fullmatch(text, start, end):
        end += 1  # "U.S." keeps its last dot
    return _Match(0, 0, start, end, key, _cue_around(doc, ti, tj, lex, start), in_dateline)


def _judge_single(doc: _Doc, lex: Lexicon, matcher: _Matcher, ti, person_keys, area_tok, non_place, furniture, datelines):
    """_judge for a one-word name (the commonest case, kept lean: it runs for every capitalised word
    that is also a gazetteer key)."""
    s0, e0 = doc.starts[ti], doc.ends[ti]
    if not doc.text[s0].isupper():
        return None
    single = doc.wordlist[ti]
    if single in lex.never_places or single in lex.demonyms or single in lex.directions:
        return None
    if single in lex.ethnonyms and not _followed_by_area(doc, ti, area_tok):
        return None  # "Arab tribal fighters", but "Arab, Alabama"
    if furniture and _inside(s0, e0, furniture):
        return None
    key = doc.keys[ti]
    info = matcher.info(key)
    in_dateline = bool(datelines) and _inside(s0, e0, datelines)
    if (
        not in_dateline
        and not info.has_country
        and not info.has_region
        and single in lex.common_words
        and not (info.has_curated and matcher.curated(doc.text[s0:e0]))
    ):
        # An English word is a place only under its own spelling ("Nice", not "Fears" for Fars)
        # and, capitalised mid-sentence, for a sizeable place; at a sentence start only for a big one.
        # A curated press spelling is exempt, as a curated region is ("Palmyra" = Tadmur).
        population = matcher.population_named(key, single)
        if population < lex.min_pop_mid_sentence:
            return None
        if population < lex.min_pop_sentence_start and doc.uncertain_case(ti):
            return "unsure"  # kept only if the document also uses the word as a name mid-sentence
    if not in_dateline and not info.has_area and not info.has_curated:
        surface = doc.text[s0:e0]
        if (
            2 <= len(surface) <= 5 and surface.isupper() and not doc.headline(ti)
            and matcher.population_named(key, single) < _NOTABLE_POPULATION
        ):
            return None  # an acronym in running text ("FIFA", "CIA", "NICU"), not a small place
        nxt = ti + 1
        if (
            nxt < doc.n and doc.wordlist[nxt] in lex.metonymy_verbs and not doc.cap(nxt) and doc.adjacent(ti, nxt)
            and info.max_population < _SPEAKING_POPULATION
            and not (ti > 0 and not doc.cap(ti - 1) and (doc.wordlist[ti - 1] == "of" or doc.wordlist[ti - 1] in lex.place_cues_before))
            and not matcher.capital(doc.text[s0:e0])
        ):
            # "Johnson said", "Palma said": a town does not speak, its namesake person does; only a
            # seat of government ("Ankara said") or a metropolis speaks for its authorities ("a resident
            # of Tyler said": the resident speaks).  The word is that person's name throughout the document.
            return "speaker"
    if (
        not in_dateline
        and not info.has_area
        and info.max_population < _HEADLINE_MIN_POPULATION
        and doc.headline(ti)
    ):
        # In a Title Case line capitals say nothing ("Editing by Alex Richardson"): a small place's
        # name counts only if the document also writes it as a name in running text.
        return "unsure"
    if non_place and _overlaps(ti, ti, non_place):
        return "block"
    if single in lex.first_names and doc.adjacent(ti, ti + 1) and doc.cap(ti + 1):
        nxt = doc.word(ti + 1)
        # "Victoria Beckham" is a person, but "Victoria Premier ...", "Jordan Province" are not.
        if not (nxt in lex.titles or nxt in lex.titles_capitalised or nxt in lex.generic_after or area_tok(ti + 1)):
            return "block-name"
    if not in_dateline:
        if len(single) <= 2 and not (info.has_country or info.has_region) and doc.uncertain_case(ti):
            return None  # "IN", "AT" in capitals; two-letter codes only for countries (US, UK)
        if key in person_keys and not info.has_area and not _followed_by_area(doc, ti, area_tok):
            return "block"
        start = _surface_start(doc, ti)
        verdict = _context_verdict(doc, lex, ti, ti, area_tok, start)
        if verdict == "org":
            return _Match(0, 0, start, e0, key, None, in_dateline, literal=False)
        if verdict is not None:
            return verdict
    else:
        start = _surface_start(doc, ti)
    return _Match(0, 0, start, e0, key, _cue_around(doc, ti, ti, lex, start), in_dateline)


def _context_verdict(doc: _Doc, lex: Lexicon, ti: int, tj: int, area_tok, start: int) -> str | None:
    """Persons and organisations around a name: "block" when the name is part of a longer proper name.

    Two capitalised words side by side are one name in English ("Maymouna Jawad", "Victoria
    Beckham"), unless the neighbour names a country or province ("Syria-Lebanon border").
    """
    text, starts, ends, wordlist = doc.text, doc.starts, doc.ends, doc.wordlist
    # The token before (skipping a joined article, which belongs to the name).
    p = ti - 1
    if p >= 0 and start < starts[ti]:
        p -= 1
    if p >= 0 and ti - p == 1 and text[ends[p]] == "." and _TITLE_DOT.fullmatch(text, ends[p], starts[ti]):
        w = wordlist[p]
        if w in lex.titles or w in lex.titles_capitalised:
            return "block"  # "Gen. Hama Ali", "Dr. Aleppo"
    if p >= 0 and doc.adjacent(p, p + 1 if p + 1 < ti else ti):
        w = wordlist[p]
        if w in lex.name_particles:
            return "block"
        if w in lex.speech_verbs and ti == tj and text[ends[tj] : ends[tj] + 1] in (",", "."):
            return "block-name"  # "..., said Jackson." names the speaker
        cap_p = text[starts[p]].isupper()
        if w in lex.titles or (cap_p and w in lex.titles_capitalised):
            return "block"
        if cap_p and w in lex.first_names and not doc.headline(ti):
            return "block"  # "Mark Jordan", "Carol Washington"
        if (
            cap_p
            and w not in lex.never_places
            and not (doc.sentence_initial(p) and (w in lex.common_words or w.endswith(_ENGLISH_SUFFIXES)))
            and w not in lex.demonyms
            and w not in lex.ethnonyms
            and w not in lex.directions
            and not area_tok(p)
            and not doc.headline(ti)
        ):
            # "Bashar al-Assad", "Tahrir al-Sham", "Maymouna Jawad", "Lake Victoria": part of a longer
            # name (a capitalised common word counts too, unless capitalised only by the sentence start)
            return "block"
    if p >= 1 and wordlist[p] == "of" and doc.cap(p - 1) and doc.word(p - 1) in lex.org_heads_of:
        if doc.adjacent(p - 1, p):
            return "org"  # "University of Damascus", "Bank of England": named, but not a location
    # The token after (over an article: "Bab al-Tabbaneh" is one name, not the town of Bab).
    q = tj + 1
    if not doc.adjacent(tj, q):
        return None
    w = wordlist[q]
    if w in lex.admin2_after:
        return "block-name"  # "Jackson County": a unit the gazetteer does not hold
    if (
        w == "of" and ti == tj and q + 1 < doc.n and doc.cap(q + 1) and doc.adjacent(q, q + 1)
        and not doc.headline(ti)
    ):
        # "Gulf of Thailand", "Bay of Bengal", "Isle of Man": the head of a longer name that the
        # gazetteer does not hold (the name after "of" is judged on its own).
        return "block-name"
    if _article_joins(doc, q):
        q += 1
        w = wordlist[q]
    if text[starts[q]].isupper():
        if w in lex.name_particles:
            return "block"
        if w in lex.org_suffixes:
            return "org"  # "Washington Post", "Damascus University": named, but not a location
        if doc.headline(ti):
            return None
        if w in lex.generic_after or w in lex.titles or w in lex.titles_capitalised:
            return None
        if area_tok(q) or w in lex.demonyms or w in lex.ethnonyms or w in lex.never_places:
            return None
        # "Victoria Beckham", "Damascus Gate Hotel", "Madison Teachers Inc.": the first word of a longer
        # name; the same word alone elsewhere may still be the place, so this does not propagate.
        return "block-name"
    if w in lex.name_particles:
        return "block"
    return None


# --------------------------------------------------------------------------------------------
# Resolution
# --------------------------------------------------------------------------------------------


def _add_proximity(scored_groups: list[list[list]], anchors: dict[str, tuple[int, float, float]]) -> None:
    """Add the proximity bonus to the candidates it can reorder, for all groups in one numpy pass.

    Only candidates within the largest bonus of their group's best one can change rank; the
    distance is the mean to the 5 nearest anchors of *other* groups (a name does not vouch for itself).
    """
    if len(anchors) < 2:
        return
    rows: list[list] = []
    row_group: list[int] = []
    for g, scored in enumerate(scored_groups):
        if len(scored) < 2:
            continue
        floor = max(map(_SCORE, scored)) - _PROXIMITY_BONUS
        # A town does not beat the state of its name by lying near the document's other places
        # ("a Delaware company" in a story about Kentucky is not Delaware, Ohio).
        area = max((x[1] for x in scored if x[2].scale == "admin1"), default=0)
        near = [
            x for x in scored
            if x[0] >= floor and x[2].scale != "country" and not (x[2].scale == "point" and 5 * x[1] <= area)
        ]
        if near and (len(near) > 1 or area):
            rows += near
            row_group += [g] * len(near)
    if not rows:
        return
    anchor_list = list(anchors.values())[:_MAX_ANCHORS]
    # Flat lists reshaped: the same (n, 2) arrays as from lists of pairs, built several times faster.
    a = np.radians(np.array([v for _, lat, lon in anchor_list for v in (lat, lon)], dtype=float).reshape(-1, 2))
    p = np.radians(np.array([v for x in rows for v in (x[2].lat, x[2].lon)], dtype=float).reshape(-1, 2))
    dlat = p[:, None, 0] - a[None, :, 0]
    dlon = p[:, None, 1] - a[None, :, 1]
    h = np.sin(dlat / 2) ** 2 + np.cos(p[:, None, 0]) * np.cos(a[None, :, 0]) * np.sin(dlon / 2) ** 2
    d = 12742.0 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    # The k nearest of each row in plain Python: a row holds at most _MAX_ANCHORS distances, where
    # numpy's per-call cost exceeds the work; the ascending sum is the one numpy's row sum makes.
    k = min(5, len(anchor_list))
    anchor_groups = [g for g, _, _ in anchor_list]
    isfinite, exp = math.isfinite, math.exp
    for x, g, dists in zip(rows, row_group, d.tolist()):
        nearest = sorted([v for v, ag in zip(dists, anchor_groups) if ag != g and isfinite(v)])[:k]
        if not nearest:
            continue
        mean = sum(nearest) / len(nearest)
        bonus = _PROXIMITY_BONUS * exp(-mean / 400.0)
        x[0] += bonus
        x[3] = mean if bonus > 0.05 else None


_NEIGHBOUR_KM = 25.0
_NEIGHBOUR_BONUS = 0.1
_NEIGHBOUR_CELL = 0.25  # degrees: a grid cell is at least 25 km high, so neighbours are in adjacent cells


def _neighbour_support(groups: list["_Group"]) -> list[dict[str, int]]:
    """Namesakes that sit beside another name of the document, or inside the province it names.

    "Edmonton" beside "Enfield" is the London district, not the Canadian city; "Edmonton" in a story
    that names Queensland is the Cairns suburb.  Per group, the candidates (place ids) that another
    name (a different spelling) supports: one of its candidates lies within 25 km, or its first choice
    is the province the candidate lies in.  The value counts the supporting names.
    """
    support: list[dict[str, int]] = [{} for _ in groups]
    if len(groups) < 2:
        return support
    names = [fold(grp.text) for grp in groups]
    cells: dict[tuple[int, int], list[tuple[int, Place]]] = {}
    provinces: dict[str, set[str]] = {}
    for g, grp in enumerate(groups):
        for c in grp.cands[:_MAX_CANDIDATES]:
            if c.scale == "point":
                cells.setdefault((math.floor(c.lat / _NEIGHBOUR_CELL), math.floor(c.lon / _NEIGHBOUR_CELL)), []).append((g, c))
        top = grp.cands[0] if grp.cands else None
        if top is not None and top.scale == "admin1" and top.province:
            provinces.setdefault(top.province, set()).add(names[g])
    for g, grp in enumerate(groups):
        if len(grp.cands) < 2 or grp.cands[0].scale != "point":
            continue  # a state or country first ("California" in a list of states) needs no neighbour
        for c in grp.cands[:_MAX_CANDIDATES]:
            if c.scale != "point":
                continue
            near = set(provinces.get(c.province, ())) if c.province else set()
            ci, cj = math.floor(c.lat / _NEIGHBOUR_CELL), math.floor(c.lon / _NEIGHBOUR_CELL)
            for di in (-1, 0, 1):
                for dj in (-1, 0, 1):
                    for h, other in cells.get((ci + di, cj + dj), ()):
                        if names[h] not in near and other.place_id != c.place_id \
                                and _km(c.lat, c.lon, other.lat, other.lon) <= _NEIGHBOUR_KM:
                            near.add(names[h])
            near.discard(names[g])
            if near:
                support[g][c.place_id] = len(near)
    return support


_SCORE = itemgetter(0)  # a scored candidate is [score, population, place, mean distance]
_SCORE_AND_POPULATION = itemgetter(0, 1)


def _rescored(p: Place, score: float, reasons: list[str]) -> Place:
    """A copy of ``p`` with a new score and reasons (positional: dataclasses.replace costs 5x more)."""
    return Place(p.name, p.place_id, p.lat, p.lon, p.scale, p.country, p.province, p.population, p.geonameid,
                 score, reasons, p.radius_km)


def _gazetteer_cue(cue: str | None, lex: Lexicon) -> str | None:
    if cue is None:
        return None
    if cue in lex.admin1_after or cue in lex.admin1_before_of:
        return _ADMIN1_CUE
    if cue in ("town", "village", "city"):
        return cue
    return "city"  # suburb, outskirts, neighbourhood ...: a settlement


def _apply_cue(cands: list[Place], gcue: str | None) -> list[Place]:
    if gcue == _ADMIN1_CUE:
        areas = [c for c in cands if c.scale == "admin1"]
        return areas or [c for c in cands if c.scale != "country"] or cands
    if gcue is not None:
        points = [c for c in cands if c.scale == "point"]
        return points or cands
    return cands


@dataclass
class _Group:
    """All mentions of one spelling with one cue (and one container) in a document: resolved once."""

    text: str
    cue: str | None
    cands: list[Place]
    count: int = 0
    dateline: bool = False
    container: Place | None = None  # "Springfield, Illinois": the province or country named after it


def _focus_votes(groups: list[_Group], demonyms: list[str], lex: Lexicon) -> tuple[Counter, list[dict[str, float]]]:
    """Country votes: country names 2, unambiguous or famous places 1, a clear favourite 0.5,
    demonyms 1, datelines +1; and each group's own share of them (a name is no evidence for itself:
    "Mount Hermon", two hamlets in the US, must not make the US a country of the document)."""
    votes: Counter = Counter()
    own: list[dict[str, float]] = []
    for grp in groups:
        cands = grp.cands
        share = 0.0
        top = cands[0] if cands else None
        if top is None or not top.country:
            own.append({})
            continue
        if top.scale == "country":
            share = 2.0 * grp.count
        else:
            country = top.country
            if len(cands) == 1 or all(c.country == country for c in cands):
                share = 1.0 * grp.count
            elif top.population >= 100_000 and top.population >= 10 * max(
                (c.population for c in cands[1:] if c.country != country), default=0
            ):
                share = 1.0 * grp.count  # a famous city names its country ("Melbourne")
            elif top.score - cands[1].score >= 0.15:
                share = 0.5 * grp.count
            if grp.dateline:
                share += 1.0
        if share:
            votes[top.country] += share
        own.append({top.country: share} if share else {})
    # A name is no evidence for itself under any cue either: "the town of Sarmada" and "Sarmada"
    # are two groups, and each must not make the other's namesake country a country of the document.
    by_name: dict[str, Counter] = {}
    for grp, share in zip(groups, own):
        if share:
            by_name.setdefault(grp.text.lower(), Counter()).update(share)
    own = [dict(by_name[grp.text.lower()]) if share else {} for grp, share in zip(groups, own)]
    for word in demonyms:
        cc = lex.demonyms.get(word)
        if cc:
            votes[cc] += 1.0
    return votes, own


_COUNTRY_POPULATION: dict[tuple[int, str], int] = {}


def _country_population(gazetteer: Gazetteer, cc: str) -> int:
    """Population of a country (memoised: it breaks ties between focus-country votes)."""
    key = (id(gazetteer), cc)
    got = _COUNTRY_POPULATION.get(key)
    if got is None:
        country = gazetteer.country(cc)
        got = _COUNTRY_POPULATION[key] = country.population if country else 0
    return got


def _focus_and_implied(votes: Counter, gazetteer: Gazetteer) -> tuple[str | None, set[str]]:
    """The focus country (most votes; ties to the more populous) and the countries the document
    implies (a vote of at least 1, and the focus)."""
    votes = {cc: v for cc, v in votes.items() if v > 0}
    if not votes:
        return None, set()
    focus = max(votes, key=lambda cc: (votes[cc], _country_population(gazetteer, cc)))
    implied = {cc for cc, v in votes.items() if v >= 1.0}
    implied.add(focus)
    return focus, implied


def _resolve_groups(
    groups: list[_Group], demonyms: list[str], gazetteer: Gazetteer, lex: Lexicon
) -> tuple[str | None, list[tuple[Place | None, list[Place]]]]:
    """Focus country, and per group its place (None when not confident) and its ranked candidates.

    Each group is weighed against the countries the *rest* of the document implies (its own vote
    left out).  The gazetteer's candidates are shared (memoised); only the kept ones are copied.
    """
    votes, own_votes = _focus_votes(groups, demonyms, lex)
    focus, implied = _focus_and_implied(votes, gazetteer)
    # The runner-up vote: while the focus keeps more votes than it without a group's own share,
    # the group's context needs no recount.
    runner_up = max((v for cc, v in votes.items() if cc != focus), default=0.0)
    contexts: list[tuple[str | None, set[str]]] = []
    without: dict[tuple, tuple[str | None, set[str]]] = {(): (focus, implied)}
    for own in own_votes:
        key = tuple(own.items())
        got = without.get(key)
        if got is None and len(key) > 1:  # one name resolved to two countries under two cues
            others = votes.copy()
            others.subtract(own)
            got = without[key] = _focus_and_implied(others, gazetteer)
        if got is None:
            [(cc, share)] = key
            rest = votes[cc] - share
            if cc != focus or rest > runner_up:
                got = (focus, implied - {cc} if rest < 1.0 and cc != focus else implied)
            else:
                others = votes.copy()
                others.subtract(own)
                got = _focus_and_implied(others, gazetteer)
            without[key] = got
        contexts.append(got)

    in_context = []
    contained = set()
    support = _neighbour_support(groups)
    for g, grp in enumerate(groups):
        inside = _within(grp.cands, grp.container) if grp.container is not None else []
        if inside:
            contained.add(g)
            in_context.append(inside)
        else:
            kept = _in_context(grp.cands, contexts[g][1])
            if support[g]:
                # A namesake beside the document's other places stays in the race wherever it is.
                ids = {c.place_id for c in kept}
                kept = kept + [c for c in grp.cands if c.place_id in support[g] and c.place_id not in ids]
            in_context.append(kept)
    # Anchors: places the document names without doubt, one per place.
    anchors: dict[str, tuple[int, float, float]] = {}
    for g, cands in enumerate(in_context):
        if cands and cands[0].scale in ("point", "admin1"):
            if len(cands) == 1 or cands[0].score - cands[1].score >= 0.25:
                anchors.setdefault(cands[0].place_id, (g, cands[0].lat, cands[0].lon))

    scored_groups: list[list[list]] = []
    for g, cands in enumerate(in_context):
        focus_g, implied_g = contexts[g]
        scored = []
        for c in cands[:_MAX_CANDIDATES]:
            if focus_g and c.country == focus_g:
                scored.append([c.score + 0.3, c.population, c, None])
            elif c.country in implied_g:
                scored.append([c.score + 0.15, c.population, c, None])
            else:
                scored.append([c.score, c.population, c, None])
            if len(cands) > 1 and c.place_id in support[g]:
                scored[-1][0] += _NEIGHBOUR_BONUS * min(2, support[g][c.place_id])
        scored_groups.append(scored)
    _add_proximity(scored_groups, anchors)

    results: list[tuple[Place | None, list[Place]]] = []
    for g, (cands, scored) in enumerate(zip(in_context, scored_groups)):
        if not cands:
            results.append((None, []))
            continue
        focus_g, implied_g = contexts[g]
        if len(scored) > 1:
            scored.sort(key=_SCORE_AND_POPULATION, reverse=True)
        ranked = []
        for s, _, c, mean in scored[:3]:
            reasons = list(c.reasons)
            if focus_g and c.country == focus_g:
                reasons.append(f"focus country {focus_g}")
            elif c.country in implied_g:
                reasons.append(f"country {c.country} named in the document")
            if mean is not None:
                reasons.append(f"near the document's places ({mean:.0f} km)")
            ranked.append(_rescored(c, round(min(1.0, s / _MAX_CONTEXT_SCORE), 4), reasons))
        best = ranked[0]
        if g in contained:
            pass
        elif _city_called_village(best, groups[g].cue, focus_g):
            best = None
        elif _confident(best, implied_g, focus_g) or best.place_id in support[g]:
            pass
        elif not implied_g and _dominant(scored[0][2], cands, groups[g].cue is not None):
            best.reasons.append("no namesake competes")
        else:
            best = None
        results.append((best, ranked))
    return focus, results


def _in_context(cands: list[Place], implied: set[str]) -> list[Place]:
    """Candidates in the countries the document names; a famous namesake abroad still wins.

    "Tripoli" in an article about Lebanon is the Lebanese city (the Libyan capital is only five
    times bigger).  But a country name is the country ("Russia" in a US story is not Russia, Ohio)
    unless the document's countries have a province of that name ("Georgia" in a US story), and
    "Paris" in a story about Ukraine is not a Ukrainian village that GeoNames also calls Paris: a
    city abroad much more populous than any namesake in the document's countries stays the choice,
    when the text spells its name (Basra, famous as it is, does not outrank Bosra in Syria).
    """
    if len(cands) < 2:
        return cands  # most names: one candidate, kept whatever the context
    countries = [c for c in cands if c.scale == "country"]
    if countries and not any(
        c.scale == "admin1" and c.country in implied and c.country != countries[0].country for c in cands
    ):
        return countries[:1]
    # A region across several countries (Europe, the Black Sea) belongs to every document.
    inside = [c for c in cands if c.country in implied or c.country is None]
    regions = [c for c in inside if c.scale == "region"]
    if regions:
        # A curated region has no population to compare, and no namesake outranks it ("the Middle
        # East" is not a hamlet of that name in the document's country).
        return regions
    if not inside or len(inside) == len(cands):
        return inside or cands
    biggest_inside = max(max(c.population for c in inside), 1)
    prominent = [
        c for c in cands
        if c.country not in implied
        and c.country is not None
        and SPELLING_VARIANT not in c.reasons  # famous under another spelling only: "Bosra" is not Basra
        and (
            (c.population >= 1_000_000 and c.population >= 20 * biggest_inside)
            or (c.population >= 500_000 and c.population >= 100 * biggest_inside)
        )
    ]
    return prominent or inside


# "Hamidiyah in Quneitra", "a village in the northern part of the buffer zone": the area after
# "in" holds the place before it.
_IN_GAP = re.compile(r"[ \t]+in[ \t]+(?:the[ \t]+)?(?:(?:north|south|east|west|north-?east|north-?west|south-?east|"
                     r"south-?west)(?:ern)?[ \t]+(?:part[ \t]+of[ \t]+(?:the[ \t]+)?)?)?")


def _within(cands: list[Place], container: Place) -> list[Place]:
    """Candidates inside a containing country or province named right after ("Springfield, Illinois")."""
    if container.scale == "country":
        return [c for c in cands if c.country == container.country and c.scale != "country"]
    if container.scale == "admin1" and container.province:
        return [c for c in cands if c.province == container.province and c is not container]
    if container.scale == "region" and container.radius_km:
        reach = container.radius_km + 20  # a region's edge is drawn loosely
        return [c for c in cands if c.scale == "point" and _km(c.lat, c.lon, container.lat, container.lon) <= reach]
    return []


def _city_called_village(best: Place, cue: str | None, focus: str | None) -> bool:
    # "Saida village" in a story about the Golan is not Sidon (164,000 people), whatever Lebanon's
    # share of the story.
    return (cue == "village" and focus is not None and best.country != focus
            and best.population >= VILLAGE_MAX_POPULATION)


def _confident(best: Place, implied: set[str], focus: str | None = None) -> bool:
    """Keep a resolution outside the document's countries only when the name is well known (a
    town of 60,000 in Italy is not where "Fano militia" fought in a story about Ethiopia).

    Outside the focus country, a small town known by the name only as one of its alternate names
    needs more than a neighbour's demonym: "Israeli tanks entered the village of Maariyah" in a story
    about Syria is not the Galilee town GeoNames also lists as Maariyah."""
    if best.scale in ("country", "region", "admin1"):
        return True
    if (focus and best.country != focus and best.population < 100_000 and "alternate name" in best.reasons
            and not any(r in best.reasons for r in ("name", "exact name", CURATED_SPELLING))):
        return False
    if best.country in implied:
        return True
    return best.population >= 100_000


def _dominant(best: Place, cands: list[Place], cued: bool) -> bool:
    """With no country to go by, a name still resolves when one candidate clearly dominates.

    ``best`` must carry the name as written (not only through the normalised key), and every
    candidate elsewhere (more than 50 km away: not the same town's province entry) must be far
    behind it.  A curated press spelling ("Palmyra" = Tadmur, "Saasaa") is beaten only by another
    curated entry or by a namesake of that exact spelling at least as populous; a cue word ("the
    town of X") likewise puts spelling variants out of the race.  Otherwise best needs 10,000 people
    and ten times any exact namesake's population (three times a spelling variant's).
    """
    if SPELLING_VARIANT in best.reasons or best.scale != "point":
        return False
    curated = CURATED_SPELLING in best.reasons
    for c in cands:
        if c.place_id == best.place_id or _km(c.lat, c.lon, best.lat, best.lon) <= 50:
            continue
        exact = SPELLING_VARIANT not in c.reasons
        if CURATED_SPELLING in c.reasons:
            return False
        if curated:
            if exact and c.population >= best.population:
                return False
        elif exact:
            if 10 * c.population > best.population:
                return False
        elif not cued and 3 * c.population > best.population:
            return False
    return curated or cued or best.population >= 10_000


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 12742.0 * math.asin(math.sqrt(min(1.0, h)))


# --------------------------------------------------------------------------------------------
# "the capital"
# --------------------------------------------------------------------------------------------

_CAPITAL = re.compile(r"\b[Tt]he\s+(?:(?P<demonym>[A-Z][a-z]+)\s+)?capital\b(?P<after>[’']s|\s+[A-Za-z]+)?")


def _capital_matches(text: str) -> Iterator[re.Match]:
    """``_CAPITAL.finditer(text)``, tried only around the word "capital" (rare in most texts)."""
    at = text.find("capital")
    done = 0
    while at >= 0:
        # "The Syrian capital's ...": the article and a demonym before, one word after.
        for m in _CAPITAL.finditer(text, max(done, at - 48), min(len(text), at + 72)):
            if m.start() <= at < m.end():
                yield m
                done = m.end()
                break
        at = text.find("capital", max(at + 7, done))


_CAPITAL_REACH = 200  # characters back in which a capital city named just before decides "the capital"


def _capital_mentions(
    text: str, focus: str | None, gazetteer: Gazetteer, lex: Lexicon, named: list[Toponym] = ()
) -> list[Toponym]:
    out = []
    starts = [t.start for t in named]
    for m in _capital_matches(text):
        after = (m.group("after") or "").strip().lower()
        if after in lex.capital_not_before:
            continue
        cc = focus
        # "he had left Damascus ... after insurgents stormed the capital", in an article mostly about
        # Russia: a capital city named just before is the one meant
        for t in reversed(named[: bisect.bisect_left(starts, m.start())]):
            if m.start() - t.end > _CAPITAL_REACH:
                break
            if t.literal and not t.dateline and t.place is not None and t.place.scale == "point" and t.place.country:
                # (not a dateline: "DAMASCUS/BEIRUT (Reuters) - ... took the capital" is no news of Beirut)
                capital = gazetteer.capital(t.place.country)
                if capital is not None and capital.place_id == t.place.place_id:
                    cc = t.place.country
                    break
        if m.group("demonym"):
            cc = lex.demonyms.get(fold(m.group("demonym")))
            if cc is None:
                continue
        if not cc:
            continue
        capital = gazetteer.capital(cc)
        if capital is None:
            continue
        place = _rescored(capital, 0.9, list(capital.reasons) + [f"'the capital' of {cc}"])
        end = m.end() - len(m.group("after") or "")
        out.append(Toponym(m.start(), end, text[m.start() : end], place=place, candidates=[place], cue="capital"))
    return out


# --------------------------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------------------------


_LIST_GAP = re.compile(r"(?:,[ \t]*|[ \t]+)(?:and[ \t]+|or[ \t]+)?|[ \t]+(?:and|or)[ \t]+")


def _plausible(surface: str, cands: list[Place], lex: Lexicon) -> list[Place]:
    """A name that is also an English word ("Nice", "Reading") can only be a place under its own
    spelling and of the size that let the word count as a name: not a hamlet called Nice."""
    folded = fold(surface)
    words = folded.split()
    if not all(w in lex.common_words or w in lex.never_places for w in words):
        return cands
    if any(c.scale in ("country", "region") for c in cands):
        return cands
    return [c for c in cands if fold(c.name) == folded and c.population >= lex.min_pop_mid_sentence] or cands


def _trim_unit_words(doc: "_Doc", matches: list[_Match], matcher: _Matcher, lex: Lexicon) -> None:
    """"Anhui province", "Sindh province": the gazetteer knows the unit under both spellings, but
    the name is "Anhui"; the lower-case unit word after it is a cue, outside the toponym (a
    capitalised one, "Eastern Province", belongs to the name)."""
    words, text = doc.words, doc.text
    for m in matches:
        if m.last <= m.first or m.dateline:
            continue
        tj = words[m.last]
        w = doc.wordlist[tj]
        if w not in lex.admin1_after or not text[doc.starts[tj]].islower():
            continue
        ti, tk = words[m.first], words[m.last - 1]
        key = " ".join(doc.keys[k] for k in range(ti, tk + 1) if doc.keys[k])
        if key and matcher.info(key).has_area:
            m.last, m.end, m.key, m.cue = m.last - 1, doc.ends[tk], key, m.cue or w


def _share_plural_cues(text: str, matches: list[_Match]) -> None:
    """ "the Kharkiv, Sumy and Dnipropetrovsk regions": a plural cue word covers the whole list."""
    for i in range(len(matches) - 1, 0, -1):
        cue = matches[i].cue
        if not cue or not cue.endswith("s") or cue in ("suburbs", "outskirts"):
            continue
        j = i
        while j > 0 and matches[j - 1].cue is None and _LIST_GAP.fullmatch(text, matches[j - 1].end, matches[j].start):
            matches[j - 1].cue = cue
            j -= 1


def _add_state_abbreviations(text, matches, cands_of, gazetteer, lex, datelines):
    """"Springfield, Ill.", "MADISON, Wis. —": the abbreviation names the state (admin-1), and the
    place before it is a capitalised word.  Overlapping gazetteer matches ("Wis" as a German village)
    give way."""
    if lex.state_pattern is None or "," not in text:
        return matches, cands_of
    extra = []
    dateline_spans = _Intervals(datelines)
    for m in lex.state_pattern.finditer(text):
        place = gazetteer.admin1(lex.state_abbreviations[m.group("abbr")])
        if place is None:
            continue
        start, end = m.span("abbr")
        # The word before the comma must be capitalised (a place name, not "ill., he said").
        word_start = text.rfind(" ", 0, m.start()) + 1
        if not text[word_start : m.start()][:1].isupper():
            continue
        place = _rescored(place, 1.0, [f"state abbreviation {m.group('abbr')!r}"])
        extra.append((_Match(0, 0, start, end, "", None, dateline_spans.covers(start, end)), [place]))
    if not extra:
        return matches, cands_of
    extra_spans = _Intervals((e.start, e.end) for e, _ in extra)
    kept = [(m, c) for m, c in zip(matches, cands_of) if not extra_spans.overlaps(m.start, m.end)]
    merged = sorted(kept + extra, key=lambda mc: mc[0].start)
    return [m for m, _ in merged], [c for _, c in merged]


def _containers(text: str, matches: list[_Match], cands_of: list[list[Place]]) -> list[Place | None]:
    """For "X, Y" where Y names a province or country ("Springfield, Illinois", "Homs, Syria"),
    Y's entry as X's container; None elsewhere.  A list of countries or provinces ("Russia, China",
    "Georgia, Oklahoma, Pennsylvania") is no such pair."""
    out: list[Place | None] = [None] * len(matches)
    for i in range(len(matches) - 1):
        a, b = matches[i], matches[i + 1]
        inside = _IN_GAP.fullmatch(text, a.end, b.start)
        if not inside and not _COMMA_GAP.fullmatch(text, a.end, b.start):
            continue
        here, there = cands_of[i], cands_of[i + 1]
        if not here or not there or any(c.scale in ("country", "admin1", "region") for c in here[:3]):
            continue  # a list of countries or provinces ("Georgia, Oklahoma, Pennsylvania")
        top = there[0]
        if top.scale in ("country", "admin1") or (inside and top.scale == "region" and top.radius_km):
            out[i] = top
    return out


def _one_sense(groups: list["_Group"], resolved: list[tuple[Place | None, list[Place]]]) -> None:
    """One sense per discourse: "Paris" in a story that says "Paris, Texas" once is that Paris every
    time.  A name placed by the province or country written after it lends that place to its bare
    mentions."""
    placed: dict[str, Place] = {}
    for grp, (place, _) in zip(groups, resolved):
        if grp.container is not None and place is not None and place.scale == "point":
            placed.setdefault(fold(grp.text), place)
    if not placed:
        return
    for g, grp in enumerate(groups):
        if grp.container is not None:
            continue
        place = placed.get(fold(grp.text))
        if place is None or resolved[g][0] is not None and resolved[g][0].place_id == place.place_id:
            continue
        # The same spelling, so the same candidates (before the narrowing a bare common word gets).
        chosen = _rescored(place, place.score, [*place.reasons, "placed where another mention of the name is"])
        resolved[g] = (chosen, [chosen] + [c for c in resolved[g][1] if c.place_id != place.place_id])


_PREV_CAPITALISED = re.compile(r"[A-Z][\w'’.-]*[ \t]+$")
_CURRENCY_SIGNS = frozenset("$€£¥")
_UNIT_WORD = re.compile(r"\b[A-Z][a-z]+\b")
_NAME_WORD_BEFORE = re.compile(r"([A-Z][\w'’.-]*)[ \t]+$")


def _with_units(text: str, toponyms: list[Toponym], lex: Lexicon, tdoc: "_Doc") -> list[Toponym]:
    """"Metcalfe County", "Los Angeles County", "Orleans Parish": a second-level unit is one toponym
    from its name to the unit word, whatever the gazetteer or the model made of its parts.  The
    gazetteer holds no such units, so it is reported unresolved rather than at a town of that name
    (Plymouth County, Iowa, is 1,900 km from Plymouth, Massachusetts); followed by a capitalised word
    ("Metcalfe County Sheriff's Office") it names a body, and is not literal."""
    if not any(w.capitalize() in text for w in lex.admin2_after):
        return toponyms
    units: list[tuple[int, int, bool]] = []
    for m in _UNIT_WORD.finditer(text):
        if m.group(0).lower() not in lex.admin2_after:
            continue
        # Up to three capitalised words before it, on the same line.
        start = m.start()
        words: list[tuple[int, str]] = []
        while len(words) < 3:
            w = _NAME_WORD_BEFORE.search(text, max(0, start - 40), start)
            if w is None or w.end() != start:
                break
            words.append((w.start(1), w.group(1)))
            start = w.start(1)
        # Function words opening the run ("The", "In" at a sentence start) are not part of the name.
        while words:
            first, word = words[-1]
            lower = word.lower()
            opening = first == 0 or text[:first].rstrip()[-1:] in ".!?:-–—\"“”\n"
            if (opening and lower in lex.common_words) or lower in ("the", "a", "an"):
                words.pop()
            else:
                break
        if not words:
            continue
        start, end = words[-1][0], m.end()
        literal = re.match(r"(?:['’]s)?[ \t]+[A-Z]", text[end : end + 4]) is None
        units.append((start, end, literal))
    if not units:
        return toponyms
    spans = _Intervals((a, b) for a, b, _ in units)
    kept = []
    for t in toponyms:
        if spans.overlaps(t.start, t.end):
            # the unit's own words, or a longer name holding it (the model's "X County Sheriff's Office")
            if any((a, b) == (t.start, t.end) for a, b, _ in units):
                kept.append(t)  # the model's own reading of the unit, as is
                continue
            inside = any(a <= t.start and t.end <= b for a, b, _ in units)
            holds = any(t.start <= a and b <= t.end for a, b, _ in units)
            if inside or holds:
                continue
        kept.append(t)
    taken = _Intervals((t.start, t.end) for t in kept)
    for a, b, literal in units:
        if not taken.overlaps(a, b):
            kept.append(Toponym(a, b, text[a:b], None, [], literal=literal))
    return kept


def _default_gazetteer() -> Gazetteer:
    from geo.gazetteer import default_gazetteer

    return default_gazetteer()


def geoparse(
    doc: Document, gazetteer: Gazetteer | None = None, demonyms: bool = False, model: bool | None = None,
    online: "OnlineGeocoder | None | bool" = None,
) -> Document:
    """Fill ``doc.sentences``, ``doc.toponyms`` (sorted, non-overlapping, resolved) and ``doc.focus_country``.

    Toponyms a reader would not take for a location ("Moscow said", "US officials", "The Washington
    Post") have ``literal`` False.  With ``demonyms``, every capitalised demonym ("Syrian") is a
    toponym too: its country, non-literal.

    ``model`` (default: on unless ``FRONTLINE_GEOPARSE_MODEL=0``) lets the spaCy pipeline's named
    entities decide where the rules cannot (see :func:`_model_evidence`); the sentences it parses are
    kept on ``doc.parses`` for the claims stage.

    ``online`` (an :class:`geo.gazetteer.OnlineGeocoder`; default: the one ``FRONTLINE_ONLINE_GEOCODER``
    names, else none) places names the offline gazetteer lacks; its answers are cached locally.
    """
    gazetteer = gazetteer or _default_gazetteer()
    with_demonyms = demonyms  # the name is reused below for the demonyms the text uses
    lex = load_lexicon()
    matcher = _matcher_for(gazetteer)
    text = doc.text
    sentences = split_sentences(text)
    doc.sentences = sentences
    tdoc = _Doc(text, sentences, lex.inner_words)
    matches, demonyms = _recognise(tdoc, matcher, lex)
    model_spans: list[tuple[int, int]] = []
    if _use_model(model):
        matches, model_spans = _model_evidence(doc, tdoc, matches, matcher, lex)

    _trim_unit_words(tdoc, matches, matcher, lex)
    _share_plural_cues(text, matches)
    cands_of = [matcher.candidates(text[m.start : m.end], _gazetteer_cue(m.cue, lex)) for m in matches]
    matches, cands_of = _add_state_abbreviations(text, matches, cands_of, gazetteer, lex, tdoc.datelines)
    containers = _containers(text, matches, cands_of)
    group_of: dict[tuple, int] = {}
    groups: list[_Group] = []
    member: list[int] = []
    for m, cands, container in zip(matches, cands_of, containers):
        surface = text[m.start : m.end]
        gk = (fold(surface), m.cue, container.place_id if container is not None else None)
        g = group_of.get(gk)
        if g is None:
            g = group_of[gk] = len(groups)
            if container is not None and not _within(cands, container):
                # "Suffolk, England" with no Suffolk in England: none of the candidates is meant, and
                # none may vote for its country (Suffolk, Virginia would make England Arkansas').
                cands = []
            elif container is None:
                cands = _plausible(surface, cands, lex)
            groups.append(_Group(surface, m.cue, cands, container=container))
        grp = groups[g]
        grp.count += 1
        grp.dateline = grp.dateline or m.dateline
        member.append(g)
    focus, resolved = _resolve_groups(groups, demonyms, gazetteer, lex)
    _one_sense(groups, resolved)

    toponyms = []
    for m, g in zip(matches, member):
        place, ranked = resolved[g]
        if place is None:
            surface = text[m.start : m.end]
            if m.entity in ("GPE", "LOC") and m.literal and len(surface) > 3 and not any(c.isupper() for c in surface[1:]):
                # The model calls it a place, but no candidate is confident here: reported, unresolved.
                toponyms.append(Toponym(m.start, m.end, text[m.start : m.end], None, ranked, m.dateline, m.cue, source="model"))
            elif (
                groups[g].container is not None and m.literal and not groups[g].cands
                and not _PREV_CAPITALISED.search(text, max(0, m.start - 40), m.start)  # "Ilocos Sur, Philippines"
            ):
                # "Suffolk, England": a place by the way it is written, but no candidate lies in England
                # (Suffolk, Virginia does not): reported, unresolved, rather than placed abroad.
                toponyms.append(Toponym(m.start, m.end, surface, None, [], m.dateline, m.cue))
            continue
        # Mentions of one name share their resolved Place and candidate list (one sense per discourse).
        toponyms.append(Toponym(m.start, m.end, text[m.start : m.end], place, ranked, m.dateline, m.cue, m.literal))
    for start, end in model_spans:
        toponyms.append(Toponym(start, end, text[start:end], None, [], source="model"))
    toponyms = _with_units(text, toponyms, lex, tdoc)
    # "US$460 million", "NZ$10", "HK$": a currency's code, not a place.
    toponyms = [
        t for t in toponyms
        if text[t.end : t.end + 1] not in _CURRENCY_SIGNS
        # nor the first letters of a dotted abbreviation ("A U" of "A U.S. Embassy" keys like "E.U.")
        and not (text[t.end : t.end + 1] == "." and text[t.end + 1 : t.end + 2].isalpha() and text[t.end - 2 : t.end - 1] in " \n")
    ]
    if focus is not None:
        toponyms = sorted(toponyms + _misspelt_towns(text, toponyms, focus, gazetteer, lex, tdoc.datelines),
                          key=lambda t: t.start)
    geocoder = _online_geocoder() if online is None or online is True else (online or None)
    if geocoder is not None:
        for t in toponyms:
            if t.place is None and t.literal:
                found = geocoder.lookup(t.text, focus)
                if found is not None:
                    t.place, t.candidates, t.source = found, [found], "online"
    taken = _Intervals((t.start, t.end) for t in toponyms)
    for cap in _capital_mentions(text, focus, gazetteer, lex, sorted(toponyms, key=lambda t: t.start)):
        if not taken.overlaps(cap.start, cap.end):
            toponyms.append(cap)
    _mark_metonyms(text, toponyms, gazetteer, lex)
    if with_demonyms:
        toponyms.extend(_demonym_toponyms(tdoc, toponyms, gazetteer, lex))
    toponyms.sort(key=lambda t: t.start)
    doc.toponyms = toponyms
    doc.focus_country = focus
    return doc


# --------------------------------------------------------------------------------------------
# Named entities as evidence
# --------------------------------------------------------------------------------------------

_PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
_NAME_LABELS = frozenset({"PERSON", "ORG", "NORP", "WORK_OF_ART", "PRODUCT", "EVENT", "LAW"})
# A name the gazetteer knows only as a place smaller than this, and not as a country, province, region or
# curated spelling, may well be a surname or a body ("Johnson", "Barry", "Bassett", "Notre Dame"): the
# model decides.  Bigger places are names a reader takes for the place without thinking.
_DOUBT_POPULATION = 500_000


def _use_model(model: bool | None) -> bool:
    if model is not None:
        return model
    return os.environ.get("FRONTLINE_GEOPARSE_MODEL", "1").strip().lower() not in ("0", "false", "no", "off")


def _entities(doc: Document, sentences: list) -> list[tuple[int, int, str]]:
    """(start, end, label) of the named entities of the given sentences, in document offsets, sorted."""
    from geo import nlp

    parses = nlp.parse(doc, sentences, entities=True)
    out = []
    for s in sentences:
        parsed = parses.get(s.start)
        if parsed is None:
            continue
        for ent in parsed.ents:
            out.append((s.start + ent.start_char, s.start + ent.end_char, ent.label_))
    out.sort()
    return out


def _overlapping(ents: list[tuple[int, int, str]], starts: list[int], start: int, end: int) -> list[tuple[int, int, str]]:
    """The entities overlapping [start, end) (entities do not overlap each other: a short look back)."""
    k = bisect.bisect_left(starts, end)
    out = []
    while k > 0:
        k -= 1
        e = ents[k]
        if e[1] <= start:
            break
        out.append(e)
    return out


def _model_evidence(
    doc: Document, tdoc: "_Doc", matches: list[_Match], matcher: _Matcher, lex: Lexicon
) -> tuple[list[_Match], list[tuple[int, int]]]:
    """Let the model's named entities decide what the rules cannot, in the sentences where they matter.

    * A doubtful match (a small place's name that is also a surname or a body's name) that the model
      tags PERSON, ORG or NORP is dropped; one inside a longer ORG or FAC name is kept, non-literal.
    * A match the rules rejected as part of a longer name ("Environment Canada", "Mark Jordan") comes
      back when the model tags exactly it as GPE or LOC (literal), or a longer ORG or FAC holding it
      (non-literal).
    * An unknown capitalised name after a locative word ("in Ghouta") or before a unit word ("Metcalfe
      County") that the model tags GPE, LOC or FAC is reported unresolved (source "model").

    Only the sentences holding such a case are parsed (through :func:`geo.nlp.parse`, so the parses
    are shared with the claims stage); everything else keeps the cheap rules.
    """
    sentences = tdoc.sentences
    if not sentences:
        return matches, []
    sent_starts = tdoc.sent_starts
    words, keys, text = tdoc.words, tdoc.keys, tdoc.text
    caps, wordlist = tdoc.caps, tdoc.wordlist

    def sentence_of(offset: int) -> int:
        return bisect.bisect_right(sent_starts, offset) - 1

    want: set[int] = set()
    doubtful: list[int] = []
    for i, m in enumerate(matches):
        if m.dateline or not m.literal:
            continue
        info = matcher.info(m.key)
        if info.has_country or info.has_region or info.has_curated or m.last >= len(words):
            continue
        ti, tj = words[m.first], words[m.last]
        nxt = wordlist[tj + 1] if tj + 1 < tdoc.n else ""
        if nxt in lex.titles or nxt in lex.titles_capitalised or nxt in lex.generic_after:
            continue  # the rules' own evidence: "Victoria Premier ...", "Daraa Province"
        if tdoc.headline(ti):
            continue  # in a Title Case line the model reads names everywhere ("Seize Saraqib" a person)
        # Next to another capitalised word ("Mary Barry"), a name may be a person's or a body's.
        in_run = (
            ti > 0 and caps[ti - 1] and keys[ti - 1] and tdoc.adjacent(ti - 1, ti)
            and not (tdoc.sentence_initial(ti - 1) and wordlist[ti - 1] in lex.common_words)  # "In Naivasha"
        ) or (
            tj + 1 < tdoc.n and caps[tj + 1] and keys[tj + 1] and tdoc.adjacent(tj, tj + 1)
        )
        surface = text[m.start : m.end]
        # The model overrules the gazetteer only on a name inside a longer capitalised run or on an
        # acronym ("UEFA"): a lone name needs no parse (the model's guess on a lone unusual name, such
        # as "Kisumu" for a person, is weaker than the gazetteer's).
        given = tdoc.wordlist[ti] in lex.first_names
        if not in_run and not given and not (surface.isupper() and len(surface) > 2):
            continue
        if (info.has_area or info.max_population >= _DOUBT_POPULATION) and tdoc.wordlist[ti] not in lex.first_names and not in_run:
            continue
        doubtful.append(i)
        want.add(sentence_of(m.start))
    revivable: list[tuple[int, int, int, int, str]] = []
    for first, last in tdoc.blocked:
        ti, tj = words[first], words[last]
        if tdoc.sentence_initial(ti) and first == last:
            continue
        prev = ti - 1 if ti > 0 and keys[ti - 1] else ti - 2  # over a joined article
        after_name = prev >= 0 and caps[prev] and tdoc.adjacent(prev, ti) and not tdoc.sentence_initial(prev)
        if after_name and wordlist[prev] in lex.person_cues:
            continue  # a person's name ("Samir Lincoln", "President Assad"): the rules are sure
        nxt = tj + 1
        before_name = nxt < tdoc.n and caps[nxt] and keys[nxt] and tdoc.adjacent(tj, nxt)
        if not (after_name or before_name):
            continue
        key = " ".join(keys[k] for k in range(ti, tj + 1) if keys[k])
        info = matcher.info(key)
        if info.has_area or info.max_population >= 100_000:
            start = _surface_start(tdoc, ti)
            revivable.append((first, last, start, tdoc.ends[tj], key))
            want.add(sentence_of(start))
    # Unknown capitalised names where a place is likely.
    unknown_at: list[int] = []  # offsets of those names' first letters
    covered = bytearray(tdoc.n + 1)
    for m in matches:
        if m.first < len(words) and m.last < len(words):
            covered[words[m.first] : words[m.last] + 1] = b"" * (words[m.last] - words[m.first] + 1)
    unit_words = lex.admin2_after | lex.generic_after
    cues_before = lex.place_cues_before
    for i in range(1, tdoc.n):
        if not caps[i] or not keys[i] or covered[i] or tdoc.sentence_initial(i):
            continue
        w = wordlist[i]
        if w in lex.never_places or w in lex.demonyms or w in lex.titles or w in lex.titles_capitalised:
            continue
        before = wordlist[i - 1] if keys[i - 1] or not caps[i - 1] else (wordlist[i - 2] if i > 1 else "")
        after = wordlist[i + 1] if i + 1 < tdoc.n else ""
        if (before in cues_before and not caps[i - 1]) or (after in unit_words and i + 1 < tdoc.n and caps[i + 1]):
            want.add(sentence_of(tdoc.starts[i]))
            unknown_at.append(tdoc.starts[i])
    want.discard(-1)
    if not want:
        return matches, []
    try:
        ents = _entities(doc, [sentences[k] for k in sorted(want)])
    except Exception as exc:  # no model installed: the rules alone, as before
        from geo.nlp import ModelError

        if isinstance(exc, (ModelError, ImportError)):
            return matches, []
        raise
    starts = [e[0] for e in ents]

    drop: set[int] = set()
    for i in doubtful:
        m = matches[i]
        for s0, e0, label in _overlapping(ents, starts, m.start, m.end):
            if label in _PLACE_LABELS:
                if s0 <= m.start and m.end <= e0 and (s0, e0) != (m.start, m.end) and label == "FAC":
                    m.literal = False  # "Notre Dame Cathedral"? a building named after the place
                m.entity = label
                break
            exact = (s0, e0) == (m.start, m.end)
            surface = text[m.start : m.end]
            if label in ("PERSON", "NORP") and not exact:
                drop.add(i)  # part of a longer name: "Mary Barry", "Boris Johnson"
                break
            if exact and label == "ORG" and surface.isupper():
                drop.add(i)  # an acronym: "UEFA", "WTO"
                break
            if exact and label == "PERSON" and fold(surface) in lex.first_names:
                drop.add(i)  # "Barry and Mary visited ...": given names, in the model's reading too
                break
            if label == "ORG" and not exact:
                m.literal, m.entity = False, label  # "Barry Town United": named after the place
            # otherwise the model's guess on a lone unusual name ("Kisumu" as a PERSON) is weaker
            # than the gazetteer's
            break
    kept = [m for i, m in enumerate(matches) if i not in drop]
    taken = _Intervals((m.start, m.end) for m in kept)
    added: list[_Match] = []
    for first, last, start, end, key in revivable:
        if taken.overlaps(start, end) or any(a.start < end and start < a.end for a in added[-2:]):
            continue
        for s0, e0, label in _overlapping(ents, starts, start, end):
            if (s0, e0) == (start, end) and label in ("GPE", "LOC") and fold(text[start:end]) not in lex.common_words:
                cue = _cue_around(tdoc, words[first], words[last], lex, start)
                added.append(_Match(first, last, start, end, key, cue, entity=label))
            elif s0 <= start and end <= e0 and (s0, e0) != (start, end) and label in ("ORG", "FAC"):
                added.append(_Match(first, last, start, end, key, None, literal=False, entity=label))
            break
    if added:
        kept = sorted(kept + added, key=lambda m: m.start)
        taken = _Intervals((m.start, m.end) for m in kept)
    model_spans = []
    for s0, e0, label in ents:
        if label not in _PLACE_LABELS or taken.overlaps(s0, e0):
            continue
        k = bisect.bisect_left(unknown_at, s0)
        if k >= len(unknown_at) or unknown_at[k] >= e0:
            continue  # only where an unknown name made us ask
        span = text[s0:e0]
        if span[:4].lower() == "the ":
            s0, span = s0 + 4, span[4:]
        if not span[:1].isupper() or fold(span) in lex.never_places or fold(span) in lex.demonyms:
            continue
        model_spans.append((s0, e0))
    return kept, model_spans


@lru_cache(maxsize=4)
def _place_slot(cues: frozenset[str]) -> re.Pattern:
    """A name where a place is expected: after a word of the lexicon's ``place_cues_before`` or "of"
    ("entered X", "control of X", "the town of X"), one to four capitalised words with their Arabic
    articles ("Qalaat al-Madiq")."""
    words = "|".join(sorted((re.escape(w) for w in cues | {"of"}), key=len, reverse=True))
    return re.compile(
        rf"\b(?:{words})\s+(?:the\s+)?(?:(?:town|village|city|towns|villages|area)\s+of\s+)?"
        r"([A-Z][a-z'’]+(?:-[A-Z]?[a-z'’]+)?(?:[ -](?:(?:al|el|ad|as|ash|ar|az|an|at)-)?[A-Z][a-z'’]+(?:-[A-Z]?[a-z'’]+)?){0,3})"
    )


def _misspelt_towns(text: str, toponyms: list[Toponym], focus: str, gazetteer: Gazetteer, lex: Lexicon,
                    datelines: "_Intervals") -> list[Toponym]:
    """Towns of the article's focus country written in a spelling no gazetteer name has ("Khan
    Sheikoun" for Khan Shaykhun, "Saraqeb"): a capitalised name where a place is expected whose key is
    not in the gazetteer at all, matched to the one town of that country with a near key
    (:meth:`Gazetteer.fuzzy_town`)."""
    taken = _Intervals((t.start, t.end) for t in toponyms)
    out: list[Toponym] = []
    for m in _place_slot(lex.place_cues_before).finditer(text):
        start, end = m.span(1)
        if taken.overlaps(start, end) or _inside(start, end, datelines):
            continue
        words = fold(m.group(1)).replace("-", " ").split()
        if all(w in lex.common_words or w in ARTICLES for w in words) or any(
                w in lex.never_places or w in lex.demonyms or w in lex.first_names or w in lex.titles for w in words):
            continue  # "in March", "of Homeland Security", "of Ahmed Hassan", "Syrian"
        key = name_key(m.group(1))
        if " " not in key or len(key.replace(" ", "")) < 6 or key in gazetteer:
            continue  # one word alone is too often a person's or a people's name ("African", "Maoxian")
        place = gazetteer.fuzzy_town(key, focus)
        if place is not None:
            out.append(Toponym(start, end, text[start:end], place, [place], source="fuzzy"))
    return out


_PREV_WORD = re.compile(r"([A-Za-z]+)[ \t]+$")
_GLUED_WORD = re.compile(r"[-\u2010\u2011]([A-Za-z]+)\b")
_NEXT_WORD = re.compile(r"(?:['’]s)?[)\"”’]?[ \t]+([A-Za-z]+)")


def _speaks_for(place: Place, gazetteer: Gazetteer) -> bool:
    """A country or a capital city stands for its government ("Moscow said", "Russia denied")."""
    if place.scale == "country":
        return True
    if place.scale != "point" or not place.country:
        return False
    capital = gazetteer.capital(place.country)
    return capital is not None and capital.place_id == place.place_id


def _mark_metonyms(text: str, toponyms: list[Toponym], gazetteer: Gazetteer, lex: Lexicon) -> None:
    """``literal = False`` for a country or capital that speaks or acts ("Moscow said", "Washington
    warned") and for a country name used as a modifier of people or institutions ("US officials",
    "Russia's foreign ministry")."""
    for t in toponyms:
        if not t.literal or t.place is None or t.cue == "capital":
            continue
        glued = _GLUED_WORD.match(text, t.end)
        if glued is not None and glued.group(1).lower() in lex.metonymy_glued:
            t.literal = False  # "Ankara-backed factions": a party, not a location
            continue
        m = _NEXT_WORD.match(text, t.end)
        if m is None:
            continue
        word = m.group(1)
        if word.lower() in lex.metonymy_outlets:
            t.literal = False  # "the Mayadeen television network", "Damascus TV": an outlet
            continue
        if word != word.lower():
            continue
        before = _PREV_WORD.search(text, max(0, t.start - 40), t.start)
        if before is not None and before.group(1).lower() in lex.place_cues_before:
            continue  # "officials in Washington said": the officials speak; Washington is where
        if word in lex.metonymy_verbs and _speaks_for(t.place, gazetteer):
            t.literal = False
        elif word in lex.metonymy_heads and (t.place.scale == "country" or _speaks_for(t.place, gazetteer)):
            t.literal = False  # "US officials", "the Damascus government", "(Damascus) regime forces"


def _demonym_toponyms(tdoc: "_Doc", toponyms: list[Toponym], gazetteer: Gazetteer, lex: Lexicon) -> list[Toponym]:
    """Each capitalised demonym ("Syrian", "Russian") as a non-literal toponym of its country."""
    taken = [(t.start, t.end) for t in toponyms]
    starts = [a for a, _ in taken]
    out = []
    text = tdoc.text
    for i in compress(range(tdoc.n), tdoc.caps):
        cc = lex.demonyms.get(tdoc.wordlist[i])
        if cc is None:
            continue
        start, end = tdoc.starts[i], tdoc.ends[i]
        k = bisect.bisect_right(starts, start) - 1
        if k >= 0 and taken[k][1] > start:
            continue  # inside a name already found ("South Sudanese" is not here)
        country = gazetteer.country(cc)
        if country is None:
            continue
        place = _rescored(country, 1.0, [f"demonym of {cc}"])
        out.append(Toponym(start, end, text[start:end], place, [place], cue="demonym", literal=False))
    return out


def geoparse_text(
    text: str, gazetteer: Gazetteer | None = None, demonyms: bool = False, model: bool | None = None,
    online: "OnlineGeocoder | None | bool" = None,
) -> list[Toponym]:
    """The toponyms of a plain text (a convenience around :func:`geoparse`)."""
    doc = Document(Article(article="<text>", text=text))
    return geoparse(doc, gazetteer, demonyms=demonyms, model=model, online=online).toponyms


_ONLINE: list = []


def _online_geocoder() -> "OnlineGeocoder | None":
    """The process's online geocoder from the environment (None, the default: offline only)."""
    if not _ONLINE:
        from geo.gazetteer import OnlineGeocoder

        _ONLINE.append(OnlineGeocoder.from_env())
    return _ONLINE[0]


def _printable(toponyms: list[Toponym]) -> list[dict]:
    # "the capital" is an anaphor, not a place name: it serves the claims stage, not the toponym output.
    return [t.to_dict() for t in toponyms if t.cue != "capital"]


def run_geoparse_cli(args) -> int:
    """``python -m geo geoparse``: see :func:`geo.cli.run_geoparse_cli` (it reads files with the reader
    ``ingest`` uses, in geo.articles)."""
    from geo.cli import run_geoparse_cli as run

    return run(args)
