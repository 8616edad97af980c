"""Claim extraction: from a geoparsed :class:`Document` to :class:`Claim` objects with provenance.

Claims are read from spaCy's dependency parse (``geo.nlp``), the way event coders in this field
(PETRARCH2, UniversalPETRARCH) code events, not from the surface order of words:

- a **trigger** is a verb or a noun whose lemma the event lexicon lists (``data/lexicons/events.toml``:
  lemmas, particles, objects and prepositions as data);
- its **places** are the toponyms inside its object and its locative prepositions, through lists
  ("the towns of A and B", "areas such as A and B"), not those that only locate another place
  ("A, 20 km south of B", "A in B province"), nor the ends of a road;
- its **actor** is its subject (the "by" agent in the passive; "X fell to Y": Y), climbing through
  coordinated, infinitive and participle clauses and relative pronouns; pronouns and short names
  ("they", "the group") stand for the last party named; first-person ones for the speaker;
- its **claimant** is the subject of the speech verb that governs it ("X said", "according to X");
- it gives no claim when negated, modal, conditional, a plan, a question, or history told as
  background; "X failed to take Y" is the other side's defence of Y;
- a **denial** ("the ministry denied that troops withdrew from X") takes the places of what it
  denies, and what it denies is no claim of its own.

Only the sentences with a trigger word and a place are parsed (a cheap prefilter). Everything
language-specific is data in ``data/lexicons``; everything conflict-specific in ``data/profiles``.
Precision over recall: a trigger with no actor or no place gives no claim.
"""
from __future__ import annotations

import bisect
import re
from functools import lru_cache

from geo import nlp
from geo.claims.lexicons import (
    DENIABLE,
    EVENT_TYPES,
    Lexicon,
    LexiconError,
    build_lexicon,
    common_words,
    lexicon,
)
from geo.claims.places import dates_in
from geo.claims.reader import _YEAR, SentenceReader, State
from geo.claims.speakers import note_line_speaker
from geo.document import Claim, Document, Place, Sentence, Toponym
from geo.profiles import Profile, load_profile

__all__ = ["extract", "lexicon", "build_lexicon", "Lexicon", "LexiconError", "EVENT_TYPES", "DENIABLE"]

# Regions wider than this ("northern Syria", continents, seas) are too vague to map a claim on.
MAX_REGION_KM = 85
_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?")


# --- the extractor -----------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _phrase_rx(phrases: tuple[tuple[str, str], ...], country: str | None) -> tuple["re.Pattern | None", dict[str, Place]]:
    """A profile's place phrases as one pattern, and the gazetteer place each names (phrases whose
    place the gazetteer lacks are left out)."""
    from geo.gazetteer import default_gazetteer

    gazetteer = default_gazetteer()
    places: dict[str, Place] = {}
    for phrase, name in phrases:
        found = [p for p in gazetteer.resolve(name, country=country) if p.name == name]
        if found:
            places[phrase.lower()] = found[0]
    if not places:
        return None, {}
    alternatives = "|".join(re.escape(p) for p in sorted(places, key=len, reverse=True))
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.I), places


def _phrase_places(doc: Document, profile: Profile) -> list[Toponym]:
    """Toponyms for the profile's place phrases ("the buffer zone") where the geoparser found none."""
    if not profile.place_phrases:
        return []
    rx, places = _phrase_rx(tuple(sorted(profile.place_phrases.items())), (profile.countries or [None])[0])
    if rx is None:
        return []
    taken = [(t.start, t.end) for t in doc.toponyms]
    return [Toponym(m.start(), m.end(), m.group(0), place=places[m.group(0).lower()])
            for m in rx.finditer(doc.text) if not any(a < m.end() and m.start() < b for a, b in taken)]



def extract(doc: Document, profile: Profile | str = "syria") -> list[Claim]:
    """Every claim the document's sentences report; also stored on ``doc.claims``."""
    if isinstance(profile, str):
        profile = load_profile(profile)
    lex = lexicon()
    published = doc.article.published
    year = published.year if published else _latest_year(doc.text)
    background = lex.background_rx(year)
    usable = sorted((t for t in [*doc.toponyms, *_phrase_places(doc, profile)] if _usable(t, profile)),
                    key=lambda t: t.start)
    countries_all = sorted((t for t in doc.toponyms if t.place is not None and t.place.scale == "country"),
                           key=lambda t: t.start)
    country_starts = [t.start for t in countries_all]
    starts = [t.start for t in usable]
    per_sentence: list[list[Toponym]] = []
    wanted: dict[int, Sentence] = {}  # sentence start -> the part of it that is parsed
    line_speakers: dict[int, str] = {}  # sentence start -> the source a line opens with ("Observatory: ...")
    for s in doc.sentences:
        lo, hi = bisect.bisect_left(starts, s.start), bisect.bisect_left(starts, s.end)
        tops = [t for t in usable[lo:hi] if t.end <= s.end]
        per_sentence.append(tops)
        unit = None
        if ":" in s.text[:160]:
            unit = _without_lead(s)
            speaker, unit = _line_speaker(lex, profile, unit)
            if speaker:
                line_speakers[s.start] = speaker
        if ((tops or lex.anaphora_rx.search(s.text)) and _may_report(lex, s.text)) or lex.back_reference_rx.search(s.text):
            wanted[s.start] = unit or _without_lead(s)
    parses = nlp.parse(doc, wanted.values())
    state = State()
    for perspective in profile.perspectives:
        if perspective.applies_to(doc.text):
            state.term_actors.update(dict.fromkeys(perspective.terms, perspective.actor))
    claims: list[Claim] = []
    for s, tops in zip(doc.sentences, per_sentence):
        _heading_date(doc, s, state)
        state.sentence_speaker_actor = None
        _learn_people(lex, profile, s.text, state)
        _learn_institutions(profile, s.text, state)
        unit = wanted.get(s.start)
        parsed = parses.get(unit.start) if unit is not None else None
        if parsed is None:
            _remember_unparsed(profile, s.text, state)
            if s.start in line_speakers:
                note_line_speaker(profile, state, line_speakers[s.start])
            continue
        lo, hi = bisect.bisect_left(country_starts, s.start), bisect.bisect_left(country_starts, s.end)
        countries = countries_all[lo:hi]
        reader = SentenceReader(lex, profile, doc, unit, parsed, tops, state, background, countries,
                                 usable[max(0, bisect.bisect_left(starts, s.start) - 8):bisect.bisect_left(starts, s.end)], s, year,
                                 line_speakers.get(s.start))
        claims += reader.claims()
        reader.remember()
    doc.claims = claims
    return claims


# What opens a sentence without belonging to its syntax: page metadata ("date 2024-11-30") and a
# dateline ("BEIRUT (Reuters) -", "ALBAWABA -", "DAMASCUS, Syria (AP) —").
_LEAD = re.compile(r"""\s*(?:date\s+\d{4}-\d\d-\d\d\s*)?(?:
    \d{1,2}[:.]\d\d\s*(?:[AaPp]\.?[Mm]\.?\s*)?(?:GMT|UTC|[A-Z]{2,4}T)?\s*[-–—:|]\s+      # 10:42 GMT -
  | \d{1,2}[:.]\d\d\s*\((?:GMT|UTC|[A-Z]{2,4}T)\)\s*[-–—:|]?\s+                            # 16:40 (GMT)
  | \d{1,2}[:.]\d\d\s+(?=[A-Z])                                                        # 10:42 IDF says
  | [A-Z][A-Z'’.-]{2,}(?:,?\s+[A-Za-z0-9'’.-]+){0,3}?(?:\s*\([^)]{1,40}\))?\s*[-–—:]\s+   # BEIRUT, Dec 8 (Reuters) -
  | [A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?\s*\([^)]{1,40}\)\s*[-–—:]\s+        # Dec 8 (Reuters) -
  | [A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,2},\s+(?:[A-Z][a-z]+,\s+)?[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?
    (?:\s*\([^)]{1,40}\))?\s*[-–—]\s+                                                   # Damascus, December 7, 2024 -
  | [A-Z][\w'’.-]*(?:\s+[\w'’.-]+){0,3}?\s+\|\s+                                           # Syria LIVE | (a section label)
)?""", re.X)
# A reference mark of a wiki or a think-tank update ("[3]", "[12]"), glued to the words around it.
_REFERENCE_MARK = re.compile(r"\[\d{1,3}\]")
# Words in capitals that are shouted English, not acronyms: read in lower case by the parser.
_SHOUTED = re.compile(r"\b[A-Z]{2,}\b")


def _without_lead(s: Sentence) -> Sentence:
    """The part of a sentence that is parsed: without a leading dateline or page metadata, with
    shouted words ("THEY SEIZED") in lower case and reference marks ("took Hama[3] and") blanked
    (same offsets)."""
    n = _LEAD.match(s.text).end()
    if n >= len(s.text) - 1:
        n = 0
    text = s.text[n:]
    if "[" in text:
        text = _REFERENCE_MARK.sub(lambda m: " " * len(m.group(0)), text)
    if _SHOUTED.search(text):
        common = common_words()  # shouted, they are words, not acronyms
        text = _SHOUTED.sub(lambda m: m.group(0).lower() if m.group(0).lower() in common else m.group(0), text)
    if n == 0 and text == s.text:
        return s
    return Sentence(s.start + n, s.end, text)


# A line that opens with its source and a colon, as live blogs and channel roundups quote:
# "Syrian Observatory for Human Rights: army units have pulled out of X", "The defence ministry, on
# its channel: \"...\"".
_SPEAKER_COLON = re.compile(r"(?P<who>[A-Z\"“][^:\"“”.!?;]{1,100}?)\s*:\s+(?=\S)")


def _line_speaker(lex: Lexicon, profile: Profile, s: Sentence) -> tuple[str | None, Sentence]:
    """The source a line names before a colon, and the rest of the line (what is parsed); (None,
    the line) when the words before the colon name no party, institution or source."""
    m = _SPEAKER_COLON.match(s.text)
    if not m or len(m.group("who").split()) > 14:
        return None, s
    who = m.group("who").strip()
    if not lex.speech_forms.isdisjoint(w.lower().strip(",") for w in who.split()):
        return None, s  # "The SDF denied the claim, saying: ...": a clause that speaks, not a source
    words = {w.lower().strip(",'’s") for w in who.split()}
    if not (profile.actor_mentions(who) or profile.claimant_mentions(who) or not words.isdisjoint(lex.line_speakers)):
        return None, s
    return who, Sentence(s.start + m.end(), s.end, s.text[m.end():])


def _usable(t: Toponym, profile: Profile) -> bool:
    p = t.place
    if p is None or t.dateline or not getattr(t, "literal", True) or p.scale == "country":
        return False
    if p.scale == "region" and (p.radius_km or 0) > MAX_REGION_KM:
        return False
    return profile.in_theatre(p.country)


def _may_report(lex: Lexicon, text: str) -> bool:
    """The cheap prefilter: does a sentence hold a word form of some trigger (with the word it
    needs, for a verb that needs one: "be" with "outskirts" or a distance, "pull" with "out")?"""
    words = set(_WORD.findall(text.lower()))
    if not lex.forms.isdisjoint(words):
        return True
    return any(not lex.gated[w].isdisjoint(words) for w in words if w in lex.gated)


def _learn_people(lex: Lexicon, profile: Profile, text: str, state: State) -> None:
    """Remember people introduced with a party and a title ("rebel commander Ali Hassan"), so
    that "Hassan said" later speaks for the rebels."""
    if lex.titles_rx is None:
        return
    for m in profile.actor_mentions(text):
        found = lex.titles_rx.match(text, m.end)
        if found:
            name = found.group("name").strip()
            state.people[name] = m.actor
            state.people[name.split()[-1]] = m.actor


def _learn_institutions(profile: Profile, text: str, state: State) -> None:
    """Remember which institutions an article has named ("the defence ministry", "Russia's defence
    ministry"), so that a later "the ministry said" can be told, or left open when two could be meant."""
    for canonical, phrase in profile.claimant_mentions(text):
        words = phrase.lower().split()
        if len(words) < 2:
            continue
        state.institutions.setdefault(words[-1], set()).add(profile.canonical_claimant(phrase))


def _remember_unparsed(profile: Profile, text: str, state: State) -> None:
    state.previous_places = []
    state.previous_captures = []
    mentions = profile.actor_mentions(text)
    if mentions:
        state.last_actor = mentions[0].actor




_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
# A day, a month and a year: "December 8, 2024", "8 December 2024", "2024-12-08".
_FULL_DATE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?P<a>(?:19|20)\d\d)"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<b>(?:19|20)\d\d)"
    rf"|(?P<c>(?:19|20)\d\d)-[01]\d-[0-3]\d)\b")


def _latest_year(text: str) -> int | None:
    """The year of an undated article's news: the latest year of a full date in it ("December 8,
    2024"). A year named bare ("in 2016", "in August 2016", "since 2011") sets something in the past:
    with no full date, the news is taken to be later than every year the article names."""
    full = [int(m.group("a") or m.group("b") or m.group("c")) for m in _FULL_DATE.finditer(text)]
    if full:
        return max(full)
    years = [int(y) for y in _YEAR.findall(text)]
    return max(years) + 1 if years else None


def _heading_date(doc: Document, sentence: Sentence, state: State) -> None:
    """Remember the date that opens a line of a timeline ("Dec 6 - ..."), for the rest of that line."""
    published = doc.article.published
    if not published or (sentence.start and doc.text[sentence.start - 1] not in "\n"):
        return  # only a sentence that starts a line can head it
    head = sentence.text[:60]
    if not ("- " in head or "– " in head or "— " in head or ": " in head) or not _SHORT_HEAD.match(head):
        return
    mentions = dates_in(sentence.text, published)
    if mentions and mentions[0].start == 0 and _HEADING_DASH.match(sentence.text, mentions[0].end):
        end = doc.text.find("\n", sentence.start)
        state.line_date = (mentions[0].date, mentions[0].precision)
        state.line_end = len(doc.text) if end < 0 else end


_HEADING_DASH = re.compile(r"\s*[-–—:]\s")
_SHORT_HEAD = re.compile(r"[\w.,]{1,12}(?:\s+[\w.,]{1,12}){0,3}\s*[-–—:]\s")
