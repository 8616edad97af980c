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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from geo import nlp
from geo.document import Claim, Document, Place, Sentence, Toponym
from geo.profiles import Profile, load_profile
from geo.resources import load_toml

if TYPE_CHECKING:
    from spacy.tokens import Doc as SpacyDoc, Token

EVENT_TYPES = (
    "capture", "withdrawal", "advance", "defense", "deployment",
    "border_crossing", "denial", "strike", "protest", "clash",
)
# What a denial can deny: reported control changes, not strikes or protests.
DENIABLE = {"capture", "withdrawal", "advance", "defense", "border_crossing", "deployment"}
# Regions wider than this ("northern Syria", continents, seas) are too vague to map a claim on.
MAX_REGION_KM = 85

# Dependencies that stay inside a noun phrase: the walk from an object to its places follows these.
_NOMINAL_DEPS = frozenset({
    "prep", "pobj", "conj", "cc", "appos", "compound", "amod", "nmod", "npadvmod", "poss", "det",
    "nummod", "quantmod", "punct", "case", "predet", "advmod", "pcomp", "dep", "preconj", "attr",
})
# Dependencies that join equals: a place joined this way to another is another place of the event.
_LIST_DEPS = frozenset({"conj", "cc", "punct", "preconj", "appos"})
_CLAUSE_DEPS = frozenset({"relcl", "acl", "advcl", "ccomp", "xcomp", "csubj", "parataxis"})
_SUBJECTS = ("nsubj", "nsubjpass", "csubj", "expl")
_RELATIVE_PRONOUNS = frozenset({"which", "that", "who", "whom", "whose", "where"})
_WORD = re.compile(r"[a-z]+(?:['’][a-z]+)?")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "hundred": 100, "few": 3, "dozen": 12,
}
_ANAPHORA_REACH = 400  # characters back that "the city" may point
_OWN_DATE_GAP = 12  # characters between a place and a date that is its own ("Homs late on Saturday")


# --- the lexicon (data/lexicons/events.toml and claims.toml), validated on load ------------------------

_VERB_KEYS = {"type", "lemmas", "particle", "objects", "object", "preps", "actor", "place", "distance",
              "needs_distance", "needs_noun", "actors"}
_NOUN_KEYS = {"type", "lemmas", "preps"}
_NOUNS_KEYS = {"territory", "route", "landmark", "near", "units", "holding", "defending", "extenders", "portions"}
_EVENTS_KEYS = {"verb", "noun", "nouns", "irregular"}


class LexiconError(ValueError):
    """A lexicon file has an unknown key, a missing list or an unknown event type."""


@dataclass(frozen=True)
class VerbRule:
    type: str
    lemmas: frozenset[str]
    particle: str | None = None
    objects: frozenset[str] | None = None  # the object must be one of these nouns (or a place)
    object: str = "any"  # "any" | "place" | "none"
    preps: tuple[str, ...] = ()
    actor: str = "subject"  # "subject" | "to"
    place: str = "object"  # "object" | "subject"
    distance: bool = False
    needs_distance: bool = False
    needs_noun: frozenset[str] | None = None
    actors: frozenset[str] | None = None  # the rule holds only for these parties ("protesters toppled")


@dataclass(frozen=True)
class NounRule:
    type: str
    lemmas: frozenset[str]
    preps: tuple[str, ...] = ()


@dataclass
class Lexicon:
    verbs: dict[str, list[VerbRule]]  # lemma -> rules, those with a particle first
    nouns: dict[str, NounRule]
    territory: frozenset[str]
    holding: frozenset[str]
    defending: frozenset[str]
    extenders: frozenset[str]
    portions: frozenset[str]
    route: frozenset[str]
    landmark: frozenset[str]
    near: frozenset[str]
    units: dict[str, float]
    forms: frozenset[str]  # surface forms of every trigger lemma: the parse prefilter
    form_lemma: dict[str, str]  # irregular forms -> lemma, where the tagger's lemmatizer fails ("retook")
    speech: frozenset[str]
    speech_prefixes: frozenset[str]
    third_person: frozenset[str]
    first_person: frozenset[str]
    anaphoric_nouns: frozenset[str]
    personal: frozenset[str]
    modal: frozenset[str]
    unreal_heads: frozenset[str]
    realising_heads: frozenset[str]
    failing_heads: frozenset[str]
    unreal_marks: frozenset[str]
    negations: frozenset[str]
    background: tuple[str, ...]
    generic_forces: frozenset[str] = frozenset()
    opposing: frozenset[str] = frozenset()
    place_anaphora: dict[str, frozenset[str]] = field(default_factory=dict)
    titles_rx: re.Pattern | None = None  # "<party> [adjective] <title> <Name Name>"
    anaphora_rx: re.Pattern = re.compile(r"(?!)")  # "the city", "the province": a place named before
    allegiance: frozenset[str] = frozenset()
    person_nouns: frozenset[str] = frozenset()  # "the president", "the governor": a person, not a force
    denying_words: frozenset[str] = frozenset()  # "no truth", "false", "baseless": a report denied
    control_lemmas: frozenset[str] = frozenset()  # lemmas of deniable events: what a denial needs

    def background_rx(self, year: int | None) -> re.Pattern:
        return _background_rx(self.background, year)


def _check_keys(where: str, entry: dict, allowed: set[str]) -> None:
    unknown = set(entry) - allowed
    if unknown:
        raise LexiconError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(allowed))}")


def _word_set(where: str, values) -> frozenset[str]:
    if not isinstance(values, list) or not values or not all(isinstance(v, str) and v for v in values):
        raise LexiconError(f"{where}: expected a non-empty list of words")
    return frozenset(v.lower() for v in values)


def build_lexicon(events: dict, cues: dict) -> Lexicon:
    """Check and compile the event lexicon and the cue words (raises LexiconError on a bad file)."""
    _check_keys("events.toml", events, _EVENTS_KEYS)
    verbs: dict[str, list[VerbRule]] = {}
    control: set[str] = set()
    for i, raw in enumerate(events.get("verb", [])):
        where = f"events.toml [[verb]] #{i + 1}"
        _check_keys(where, raw, _VERB_KEYS)
        if raw.get("type") not in EVENT_TYPES:
            raise LexiconError(f"{where}: unknown event type {raw.get('type')!r}")
        for key, allowed in (("object", ("any", "place", "none")), ("actor", ("subject", "to")), ("place", ("object", "subject"))):
            if key in raw and raw[key] not in allowed:
                raise LexiconError(f"{where}: {key} must be one of {', '.join(allowed)}")
        rule = VerbRule(
            type=raw["type"], lemmas=_word_set(where + " lemmas", raw.get("lemmas")),
            particle=raw.get("particle"),
            objects=_word_set(where + " objects", raw["objects"]) if "objects" in raw else None,
            object=raw.get("object", "any" if raw["type"] != "denial" else "none"),
            preps=tuple(p.lower() for p in raw.get("preps", [])),
            actor=raw.get("actor", "subject"), place=raw.get("place", "object"),
            distance=bool(raw.get("distance", False)), needs_distance=bool(raw.get("needs_distance", False)),
            needs_noun=_word_set(where + " needs_noun", raw["needs_noun"]) if "needs_noun" in raw else None,
            actors=frozenset(raw["actors"]) if "actors" in raw else None,
        )
        for lemma in rule.lemmas:
            verbs.setdefault(lemma, []).append(rule)
        if rule.type in DENIABLE:
            control |= rule.lemmas - {"be", "remain", "stand", "come", "get", "make", "continue", "go", "take", "hold"}
    for rules in verbs.values():
        rules.sort(key=lambda r: (r.particle is None, r.actors is None, r.objects is None))
    nouns: dict[str, NounRule] = {}
    for i, raw in enumerate(events.get("noun", [])):
        where = f"events.toml [[noun]] #{i + 1}"
        _check_keys(where, raw, _NOUN_KEYS)
        if raw.get("type") not in EVENT_TYPES:
            raise LexiconError(f"{where}: unknown event type {raw.get('type')!r}")
        rule = NounRule(raw["type"], _word_set(where + " lemmas", raw.get("lemmas")), tuple(raw.get("preps", [])))
        for lemma in rule.lemmas:
            nouns.setdefault(lemma, rule)
        if rule.type in DENIABLE:
            control |= rule.lemmas
    words = events.get("nouns", {})
    _check_keys("events.toml [nouns]", words, _NOUNS_KEYS)
    irregular = events.get("irregular", {})
    form_lemma = {f.lower(): lemma for lemma, extra in irregular.items() for f in extra}
    forms: set[str] = set()
    for lemma in list(verbs) + list(nouns) + list(words.get("holding", [])):
        forms |= _inflections(lemma)
    for lemma, extra in irregular.items():
        if lemma not in verbs:
            raise LexiconError(f"events.toml [irregular]: {lemma!r} is no trigger lemma")
        forms |= set(_word_set(f"events.toml [irregular] {lemma}", extra))
    known_cues = {"speech_verbs", "denial_verbs", "speech_prefixes", "third_person", "first_person",
                  "anaphoric_nouns", "personal", "modal_auxiliaries", "unreal_heads", "realising_heads",
                  "failing_heads", "unreal_marks", "negations", "background", "not_qualifiers",
                  "institutions", "not_home_qualifiers", "anaphora", "people", "generic_forces", "opposing",
                  "place_anaphora", "allegiance", "person_nouns", "denying_words"}
    _check_keys("claims.toml", cues, known_cues)
    units = words.get("units", {})
    if not units or not all(isinstance(v, (int, float)) for v in units.values()):
        raise LexiconError("events.toml [nouns] units: expected a table of unit = km")
    return Lexicon(
        verbs=verbs, nouns=nouns,
        territory=_word_set("territory", words.get("territory")),
        holding=_word_set("holding", words.get("holding")), defending=_word_set("defending", words.get("defending")),
        extenders=_word_set("extenders", words.get("extenders")), portions=_word_set("portions", words.get("portions")),
        route=_word_set("route", words.get("route")),
        landmark=_word_set("landmark", words.get("landmark")), near=_word_set("near", words.get("near")),
        units={k.lower(): float(v) for k, v in units.items()},
        forms=frozenset(forms), form_lemma=form_lemma,
        speech=_word_set("speech_verbs", cues.get("speech_verbs")) | _word_set("denial_verbs", cues.get("denial_verbs")),
        speech_prefixes=_word_set("speech_prefixes", cues.get("speech_prefixes")),
        third_person=_word_set("third_person", cues.get("third_person")),
        first_person=_word_set("first_person", cues.get("first_person")),
        anaphoric_nouns=_word_set("anaphoric_nouns", cues.get("anaphoric_nouns")),
        personal=_word_set("personal", cues.get("personal")),
        modal=_word_set("modal_auxiliaries", cues.get("modal_auxiliaries")),
        unreal_heads=_word_set("unreal_heads", cues.get("unreal_heads")),
        realising_heads=_word_set("realising_heads", cues.get("realising_heads")),
        failing_heads=_word_set("failing_heads", cues.get("failing_heads")),
        unreal_marks=_word_set("unreal_marks", cues.get("unreal_marks")),
        negations=_word_set("negations", cues.get("negations")),
        background=tuple(cues.get("background", [])),
        generic_forces=_word_set("generic_forces", cues.get("generic_forces")),
        opposing=_word_set("opposing", cues.get("opposing")),
        place_anaphora={k.lower(): frozenset(v) for k, v in cues.get("place_anaphora", {}).items()},
        titles_rx=re.compile(
            r"[\s-]+(?:[a-z]+\s+){0,2}?(?:" + "|".join(re.escape(t) for t in cues.get("people", {}).get("titles", []))
            + r")\s+(?P<name>(?:(?:al-|Al-|el-|Abu\s|bin\s)?[A-Z][\w'’-]+\s?){1,3})") if cues.get("people", {}).get("titles") else None,
        allegiance=_word_set("allegiance", cues.get("allegiance")),
        person_nouns=_word_set("person_nouns", cues.get("person_nouns")),
        denying_words=_word_set("denying_words", cues.get("denying_words")),
        anaphora_rx=re.compile(r"\bthe\s+(?:" + "|".join(re.escape(k) for k in cues.get("place_anaphora", {})) + r")\b", re.I)
        if cues.get("place_anaphora") else re.compile(r"(?!)"),
        control_lemmas=frozenset(control),
    )


def _inflections(lemma: str) -> set[str]:
    """Regular English inflections of a lemma (irregular ones are listed in the lexicon)."""
    out = {lemma, lemma + "s", lemma + "es", lemma + "ed", lemma + "d", lemma + "ing"}
    if lemma.endswith("e"):
        out |= {lemma[:-1] + "ing", lemma + "d"}
    if lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in "aeiou":
        out |= {lemma[:-1] + "ies", lemma[:-1] + "ied"}
    if len(lemma) >= 3 and lemma[-1] not in "aeiouwyx" and lemma[-2] in "aeiou" and lemma[-3] not in "aeiou":
        out |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return out


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The event lexicon and cue words, read and checked once per process."""
    return build_lexicon(load_toml("lexicons/events.toml"), load_toml("lexicons/claims.toml"))


@lru_cache(maxsize=64)
def _background_rx(phrases: tuple[str, ...], year: int | None) -> re.Pattern:
    # Last year's events are still news early in a year; older ones are history.
    past = "|".join(str(y) for y in range(1900, year - 1)) if year else r"(?!)"
    alts = [p.replace("{PASTYEAR}", f"(?:{past})") if "{PASTYEAR}" in p else p for p in phrases]
    return re.compile(r"\b(?:" + "|".join(alts) + r")\b", re.I)


# --- per-document state -----------------------------------------------------------------------------


@dataclass
class _State:
    """What a reader carries from sentence to sentence: who was named last, who spoke last."""

    last_actor: str | None = None
    last_capturer: str | None = None
    last_claimant: str | None = None
    last_speaker_actor: str | None = None
    sentence_speaker_actor: str | None = None  # the party of this sentence's speaker, once known
    people: dict[str, str] = field(default_factory=dict)  # names introduced with a title -> party
    institutions: dict[str, set[str]] = field(default_factory=dict)  # "ministry" -> the ministries named
    line_date: tuple | None = None
    line_end: int = -1


@dataclass
class _Found:
    """A place a trigger names, with how it was reached."""

    toponym: Toponym
    token_i: int
    near: bool = False
    distance_km: float | None = None


# --- the extractor -----------------------------------------------------------------------------------


def extract(doc: Document, profile: Profile | str = "syria") -> list[Claim]:
    """Every claim the document's sentences report; also stored on ``doc.claims``."""
    if isinstance(profile, str):
        profile = load_profile(profile)
    lex = lexicon()
    published = doc.article.published
    year = published.year if published else _latest_year(doc.text)
    background = lex.background_rx(year)
    usable = sorted((t for t in doc.toponyms if _usable(t, profile)), key=lambda t: t.start)
    starts = [t.start for t in usable]
    per_sentence: list[list[Toponym]] = []
    wanted: dict[int, Sentence] = {}  # sentence start -> the part of it that is parsed
    for s in doc.sentences:
        lo, hi = bisect.bisect_left(starts, s.start), bisect.bisect_left(starts, s.end)
        tops = [t for t in usable[lo:hi] if t.end <= s.end]
        per_sentence.append(tops)
        if (tops or lex.anaphora_rx.search(s.text)) and _may_report(lex, s.text):
            wanted[s.start] = _without_lead(s)
    parses = nlp.parse(doc, wanted.values())
    state = _State()
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
            continue
        countries = [t for t in doc.toponyms_in(s.start, s.end) if t.place is not None and t.place.scale == "country"]
        reader = _SentenceReader(lex, profile, doc, unit, parsed, tops, state, background, countries,
                                 usable[max(0, bisect.bisect_left(starts, s.start) - 8):bisect.bisect_left(starts, s.end)], s)
        claims += reader.claims()
        reader.remember()
    doc.claims = claims
    return claims


# What opens a sentence without belonging to its syntax: page metadata ("date 2024-11-30") and a
# dateline ("BEIRUT (Reuters) -", "ALBAWABA -", "DAMASCUS, Syria (AP) —").
_LEAD = re.compile(r"""\s*(?:date\s+\d{4}-\d\d-\d\d\s*)?(?:
    \d{1,2}[:.]\d\d\s*(?:[AaPp]\.?[Mm]\.?\s*)?(?:GMT|UTC|[A-Z]{2,4}T)?\s*[-–—:|]\s+      # 10:42 GMT -
  | [A-Z][A-Z'’.-]{2,}(?:,?\s+[A-Za-z0-9'’.-]+){0,3}?(?:\s*\([^)]{1,40}\))?\s*[-–—:]\s+   # BEIRUT, Dec 8 (Reuters) -
  | [A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?\s*\([^)]{1,40}\)\s*[-–—:]\s+        # Dec 8 (Reuters) -
)?""", re.X)
# Words in capitals that are shouted English, not acronyms: read in lower case by the parser.
_SHOUTED = re.compile(r"\b[A-Z]{2,}\b")


def _without_lead(s: Sentence) -> Sentence:
    """The part of a sentence that is parsed: without a leading dateline or page metadata, and
    with shouted words ("THEY SEIZED") in lower case (same offsets)."""
    n = _LEAD.match(s.text).end()
    if n >= len(s.text) - 1:
        n = 0
    text = s.text[n:]
    if _SHOUTED.search(text):
        common = _common_words()
        text = _SHOUTED.sub(lambda m: m.group(0).lower() if m.group(0).lower() in common else m.group(0), text)
    if n == 0 and text == s.text:
        return s
    return Sentence(s.start + n, s.end, text)


@lru_cache(maxsize=1)
def _common_words() -> frozenset[str]:
    """Frequent English words (the geoparser's list): shouted, they are words, not acronyms."""
    from geo.resources import DATA_DIR, read_word_list

    return frozenset(read_word_list(DATA_DIR / "lexicons" / "common_english.txt")[:3000])


def _usable(t: Toponym, profile: Profile) -> bool:
    p = t.place
    if p is None or t.dateline or not getattr(t, "literal", True) or p.scale == "country":
        return False
    if p.scale == "region" and (p.radius_km or 0) > MAX_REGION_KM:
        return False
    return profile.in_theatre(p.country)


def _may_report(lex: Lexicon, text: str) -> bool:
    """The cheap prefilter: does a sentence hold a word form of some trigger?"""
    return not lex.forms.isdisjoint(_WORD.findall(text.lower()))


def _learn_people(lex: Lexicon, profile: Profile, text: str, state: _State) -> None:
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


def _learn_institutions(profile: Profile, text: str, state: _State) -> None:
    """Remember which institutions an article has named ("the defence ministry", "Russia's defence
    ministry"), so that a later "the ministry said" can be told, or left open when two could be meant."""
    for canonical, phrase in profile.claimant_mentions(text):
        words = phrase.lower().split()
        if len(words) < 2:
            continue
        state.institutions.setdefault(words[-1], set()).add(profile.canonical_claimant(phrase))


def _remember_unparsed(profile: Profile, text: str, state: _State) -> None:
    mentions = profile.actor_mentions(text)
    if mentions:
        state.last_actor = mentions[0].actor


class _SentenceReader:
    """The claims of one parsed sentence."""

    def __init__(self, lex: Lexicon, profile: Profile, doc: Document, sentence: Sentence,
                 parsed: "SpacyDoc", toponyms: list[Toponym], state: _State, background: re.Pattern,
                 countries: list[Toponym] = (), earlier: list[Toponym] = (), evidence: Sentence | None = None):
        self.evidence = evidence or sentence
        self.earlier = earlier  # the usable toponyms shortly before and in this sentence
        self.lex, self.profile, self.doc, self.sentence = lex, profile, doc, sentence
        self.sdoc, self.state, self.background = parsed, state, background
        self.place_at: dict[int, Toponym] = {}  # token index -> the toponym whose root it is
        self.in_place: set[int] = set()  # token indices inside a toponym
        self.first_token_of: dict[int, int] = {}  # first token of a toponym -> its root token
        for t in toponyms:
            span = parsed.char_span(t.start - sentence.start, t.end - sentence.start, alignment_mode="expand")
            if span is None or not len(span):
                continue
            self.place_at.setdefault(span.root.i, t)
            self.in_place.update(range(span.start, span.end))
            self.first_token_of[span.start] = span.root.i
        self.toponyms = toponyms
        self.country_at: dict[int, str] = {}  # token index -> ISO code of a country named there
        for t in countries:
            span = parsed.char_span(t.start - sentence.start, t.end - sentence.start, alignment_mode="expand")
            if span is not None and len(span):
                self.country_at[span.root.i] = t.place.country
        self.claimed: list[_Found] = []  # places claimed so far in this sentence
        self.ambiguous_speaker = False
        self.losers: list[str] = []  # parties that lost what this sentence's captures took
        self.suppressed: set[int] = set()  # tokens inside what a denial denies
        self.consumed: set[int] = set()  # nouns a verb trigger has read as its object
        self.question = sentence.text.rstrip().endswith("?")
        self.first_actor: str | None = None

    # -- the sentence's claims ------------------------------------------------------------------

    def claims(self) -> list[Claim]:
        if self.question:
            return []
        out: list[Claim] = []
        verbs, nouns = [], []
        for tok in self.sdoc:
            low = self._lemma(tok)
            if (tok.tag_.startswith("VB") or tok.pos_ == "VERB") and low in self.lex.verbs:
                verbs.append(tok)
            elif tok.pos_ in ("NOUN", "PROPN") and (low in self.lex.nouns or low in self.lex.holding or tok.lower_ in self.lex.holding):
                nouns.append(tok)
        # Denials first: what they deny is theirs.
        for tok in self.sdoc:
            if tok.lower_ in self.lex.denying_words and tok.pos_ in ("NOUN", "ADJ"):
                target = tok if tok.pos_ == "NOUN" else next(
                    (c for c in tok.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                if target is not None and (tok.pos_ == "ADJ" or any(c.lower_ in ("no", "little") for c in tok.children)):
                    out += self._nominal_denial(target)
        pending = []
        for v in verbs:
            rule = self._verb_rule(v)
            if rule is not None and rule.type == "denial":
                found = self._denial(v)
                out += found
                if not found:
                    pending.append(v)
        for v in verbs:
            if v.i in self.suppressed:
                continue
            rule = self._verb_rule(v)
            if rule is not None and rule.type != "denial":
                out += self._verb_event(v, rule)
        for n in nouns:
            if n.i in self.suppressed or n.i in self.consumed or n.i in self.in_place:
                continue
            out += self._noun_event(n, self.lex.nouns.get(self._lemma(n)))
        for v in pending:
            # "the army strengthened its lines in Homs and rejected military departures": a denial
            # with no place of its own is about the place the sentence names
            out += self._denial(v, fallback=self.claimed)
        return _unique(self._regional(out))

    def _regional(self, claims: list[Claim]) -> list[Claim]:
        """The profile's coding conventions by province ("opposition fighters" in Daraa are local
        armed groups unless the sentence names the national alliance)."""
        rules = self.profile.regional_actors
        if not rules or not claims:
            return claims
        text = self.sentence.text
        for c in claims:
            for rule in rules:
                if c.actor == rule.replaces and c.province in rule.provinces and not rule.unless_rx.search(text):
                    c.actor = rule.actor
        return claims

    def remember(self) -> None:
        """Carry the sentence's main party and speaker to the next sentences."""
        root = next((t for t in self.sdoc if t.dep_ == "ROOT"), None)
        actor = None
        if root is not None:
            subj = _child(root, _SUBJECTS)
            if subj is not None:
                actor = self._phrase_actor(subj)
        if actor is None:
            actor = self.first_actor
        if actor is not None and actor != "unknown":
            self.state.last_actor = actor

    # -- triggers -------------------------------------------------------------------------------

    def _lemma(self, tok: "Token") -> str:
        return self.lex.form_lemma.get(tok.lower_) or tok.lemma_.lower()

    def _verb_rule(self, v: "Token") -> VerbRule | None:
        for rule in self.lex.verbs[self._lemma(v)]:
            if rule.particle and not any(c.lower_ == rule.particle and c.dep_ in ("prt", "advmod", "prep")
                                         for c in v.children):
                continue
            if rule.objects is not None:
                obj = self._object(v)
                if obj is None or (obj.lemma_.lower() not in rule.objects and obj.lower_ not in rule.objects):
                    continue
            if rule.needs_noun is not None and not any(
                    t.lower_ in rule.needs_noun or t.lemma_.lower() in rule.needs_noun for t in v.subtree):
                continue
            if rule.needs_distance and self._distance_under(v) is None and not self._distance_places(v):
                continue
            if rule.actors is not None and self._subject_actor(v) not in rule.actors:
                continue
            return rule
        return None

    def _object(self, v: "Token") -> "Token | None":
        """The verb's object: its direct object, or its subject in the passive."""
        obj = _child(v, ("dobj", "attr", "oprd"))
        if obj is None and _passive(v):
            obj = _child(v, ("nsubjpass",))
            if obj is None and v.dep_ in ("acl", "relcl") and v.head.pos_ in ("NOUN", "PROPN"):
                obj = v.head  # "the town, captured by rebels on Friday"
        if obj is not None and obj.lower_ in _RELATIVE_PRONOUNS and v.dep_ == "relcl":
            obj = v.head  # "Hama, which rebels captured"
        return obj

    def _verb_event(self, v: "Token", rule: VerbRule) -> list[Claim]:
        reality = self._reality(v)
        if reality == "unreal" or (reality == "negated" and rule.type not in DENIABLE):
            return []
        places = self._verb_places(v, rule)
        event_type = rule.type
        if not places and rule.type in ("deployment", "withdrawal", "defense"):
            places = self._purpose_places(v)
            event_type = "defense" if places else event_type
        if not places and (rule.type == "capture" and rule.particle == "in"
                           or rule.type == "withdrawal" and rule.particle in ("out", "back")):
            # "X pulled out of Y, with Z saying they had moved in"; "Z entered Y after X pulled out"
            places = list(self.claimed)
        if not places:
            return []
        if reality == "negated":
            return self._reported_negation(v, places)
        claimant = self._claimant(v)  # first: "we" and "our forces" stand for the speaker
        if rule.actor == "to":
            actors = [self._to_actor(v)]
        else:
            actors = self._subject_actors(v)
        if reality == "failed":
            if event_type not in ("capture", "advance", "border_crossing"):
                return []
            actors = [self.profile.opponent(a) if a else None for a in actors]
            event_type = "defense"
        if event_type in ("withdrawal", "border_crossing") and self._person_subject(v):
            return []  # "Assad fled Damascus": a person leaving is no army's withdrawal
        actors = [a for a in dict.fromkeys(actors) if a and a != "unknown" and self.profile.can_act(a, event_type)]
        if not actors:
            return []
        if event_type == "capture":
            self.state.last_capturer = actors[0]
            self.losers += self._losers(v)
        self.first_actor = self.first_actor or actors[0]
        self.claimed += places
        return [self._claim(v, f, event_type, a, claimant) for a in actors for f in places]

    def _person_subject(self, v: "Token") -> bool:
        subj = _child(v, ("nsubj",))
        if subj is None:
            return False
        if subj.lower_ in self.lex.personal:
            return True
        text = subj.text
        return (subj.ent_type_ == "PERSON" or text in self.profile.people or text in self.state.people
                or subj.lemma_.lower() in self.lex.person_nouns)

    def _losers(self, v: "Token") -> list[str]:
        """Who lost what a capture took: "drove government forces out of X", "seized X from the army"."""
        out = []
        obj = _child(v, ("dobj",))
        if obj is not None and obj.i not in self.in_place:
            a = self._token_actor(obj)
            if a:
                out.append(a)
        for name, pobj in _preps(v):
            if name == "from" and pobj.i not in self.in_place:
                a = self._token_actor(pobj)
                if a:
                    out.append(a)
        return out

    def _subject_actors(self, v: "Token") -> list[str | None]:
        """The parties of a verb's subject: "Government troops and allied Iraqi militias withdrew"
        gives both."""
        first = self._subject_actor(v)
        subj = _child(v, ("nsubj",))
        if subj is None or first is None:
            return [first]
        out = [first]
        for c in subj.children:
            if c.dep_ == "conj":
                a = self._phrase_actor(c)
                if a:
                    out.append(a)
        return out

    def _purpose_places(self, v: "Token") -> list[_Found]:
        """"redeployed forces to defend Sweida": the places the purpose clause defends."""
        for c in v.children:
            if c.dep_ in ("advcl", "xcomp") and c.lemma_.lower() in self.lex.defending and any(
                    g.dep_ == "aux" and g.lower_ == "to" for g in c.children):
                obj = _child(c, ("dobj",))
                if obj is not None:
                    return self._prune(self._places_under(obj, "defense"))
        return []

    def _reported_negation(self, v: "Token", places: list[_Found]) -> list[Claim]:
        """"State television said the insurgents had not entered Homs": a speaker's denial."""
        claimant = self._claimant(v)
        if claimant is None:
            return []
        actor = self.profile.actor_of(self.state.last_claimant or "") if self.state.last_claimant else None
        if actor is None or actor == "unknown":
            return []
        return [self._claim(v, f, "denial", actor, claimant) for f in places]

    def _noun_event(self, n: "Token", rule: NounRule | None) -> list[Claim]:
        governor = n.head if n.dep_ != "ROOT" else n
        while governor.dep_ in ("prep", "pobj", "agent", "dobj", "conj") and governor.pos_ not in ("VERB", "AUX") and governor.head.i != governor.i:
            governor = governor.head
        if governor.pos_ in ("VERB", "AUX") and self._reality(governor) != "real":
            return []
        if any(t.lemma_.lower() in self.lex.unreal_heads or t.lower_ in self.lex.unreal_heads
               for t in _heads_between(n, governor)):
            return []  # "the possibility of Homs' capture", "fears of a fall of X"
        if rule is None or n.lemma_.lower() in self.lex.holding or n.lower_ in self.lex.holding:
            return self._control_state(n)
        found: list[_Found] = []
        for name, pobj in _preps(n):
            if name in rule.preps or name in self.lex.extenders:
                found += self._places_under(pobj, rule.type)
        for c in n.children:
            if c.dep_ == "poss" and c.i in self.place_at:
                found += self._places_under(c, rule.type)  # "Hama's fall"
        found = self._prune(found)
        if not found:
            return []
        actor = self._noun_actor(n, rule)
        if actor is None or actor == "unknown" or not self.profile.can_act(actor, rule.type):
            return []
        claimant = self._claimant(n)
        return [self._claim(n, f, rule.type, actor, claimant) for f in found]

    def _control_state(self, n: "Token") -> list[Claim]:
        """"X is now under rebel control", "X came under the control of Y", "X is out of government
        control", "rebels have control over X"."""
        head = n.head
        if n.dep_ == "pobj" and head.lower_ in ("under", "in", "of") and head.dep_ == "prep":
            verb = head.head
            withdrawal = head.lower_ == "of" and head.head.lower_ == "out"
            if withdrawal:
                verb = head.head.head
            if any(c.dep_ == "neg" or c.lower_ == "longer" for c in verb.children):
                withdrawal = True
            owner = self._owner(n)
            if owner is None and head.lower_ == "in" and verb.pos_ in ("VERB", "AUX"):
                # "rebels are now in control of X": the subject holds what follows "of"
                found = []
                for name, pobj in _preps(n):
                    if name in ("of", "over"):
                        found += self._places_under(pobj, "capture")
                found = self._prune(found)
                actor = self._subject_actor(verb)
                if not found or actor is None or actor == "unknown":
                    return []
                event_type = "withdrawal" if withdrawal else "capture"
                return [self._claim(verb, f, event_type, actor, self._claimant(verb)) for f in found]
            if owner is None or verb.pos_ not in ("VERB", "AUX"):
                return []
            subj = _child(verb, ("nsubj", "nsubjpass"))
            if subj is None and verb.dep_ in ("acl", "relcl"):
                subj = verb.head
            if subj is None:
                return []
            if subj.lower_ in _RELATIVE_PRONOUNS and verb.dep_ == "relcl":
                subj = verb.head
            found = self._prune(self._places_under(subj, "capture"))
            event_type = "withdrawal" if withdrawal else "capture"
            claimant = self._claimant(verb)
            return [self._claim(verb, f, event_type, owner, claimant) for f in found]
        if n.dep_ in ("dobj",) and head.pos_ in ("VERB", "AUX") and head.lemma_ in ("have", "retain", "keep", "maintain", "hold", "exercise"):
            found = []
            for name, pobj in _preps(n):
                if name in ("of", "over"):
                    found += self._places_under(pobj, "capture")
            found = self._prune(found)
            actor = self._subject_actor(head)
            if not found or actor is None or actor == "unknown":
                return []
            return [self._claim(head, f, "capture", actor, self._claimant(head)) for f in found]
        return []

    def _owner(self, n: "Token") -> str | None:
        for c in n.children:
            if c.dep_ in ("compound", "amod", "poss", "nmod"):
                a = self._phrase_actor(c) if c.dep_ == "poss" else self._token_actor(c)
                if a:
                    return a
        for name, pobj in _preps(n):
            if name in ("of", "by"):
                a = self._phrase_actor(pobj)
                if a:
                    return a
        return None

    def _denial(self, v: "Token", fallback: list[_Found] | None = None) -> list[Claim]:
        """"The ministry denied that its troops had withdrawn from Homs": a denial at the places
        of what is denied, by the one who denies."""
        if self._reality(v) not in ("real",):
            return []
        content = [c for c in v.children if c.dep_ in ("dobj", "ccomp", "xcomp", "prep", "attr")]
        found = self._denied_places(content)
        if not found and fallback and self._denied_places(content, denied_event_only=True):
            found = list(fallback)
        if not found:
            return []
        actor = self._subject_actor(v) or self.state.last_speaker_actor
        if actor is None or actor == "unknown":
            return []
        claimant = self._subject_phrase(v) or self._claimant(v)
        return [self._claim(v, f, "denial", actor, claimant and self.profile.canonical_claimant(claimant)) for f in found]

    def _denied_places(self, content: list["Token"], denied_event_only: bool = False) -> list[_Found] | bool:
        """The places of a denied control event; what is denied gives no claim of its own. With
        ``denied_event_only``: whether the content denies a control event at all."""
        tokens = [t for c in content for t in c.subtree]
        events = [t for t in tokens if self._lemma(t) in self.lex.control_lemmas]
        # "denied reports that the president had left Damascus": a person's movements are no
        # control change.
        events = [t for t in events if not (t.pos_ in ("VERB", "AUX") and self._person_subject(t))]
        if denied_event_only:
            return bool(events)
        if not events:
            return []
        self.suppressed.update(t.i for t in tokens)
        found = []
        for c in content:
            found += self._places_under(c, "denial", clauses=True)
        return self._prune(found)

    def _nominal_denial(self, n: "Token") -> list[Claim]:
        """"There is no truth to reports that our forces pulled out of Hama," it said; "reports
        of a withdrawal are false"."""
        content = [g for c in n.children if c.dep_ == "prep" for g in c.children if g.dep_ == "pobj"]
        content += [c for c in n.children if c.dep_ in ("acl", "relcl", "ccomp")]
        found = self._denied_places(content)
        if not found:
            return []
        claimant = self._claimant(n)
        actor = self.state.sentence_speaker_actor or self.state.last_speaker_actor
        if actor is None or actor == "unknown" or self.ambiguous_speaker:
            return []
        return [self._claim(n, f, "denial", actor, claimant) for f in found]

    # -- reality --------------------------------------------------------------------------------

    def _reality(self, v: "Token") -> str:
        """"real", "unreal" (modal, conditional, planned, history), "negated" (the trigger itself) or "failed"."""
        lex = self.lex
        tok = v
        for _ in range(8):  # up through the verbs whose clause holds this one
            for c in tok.children:
                low = c.lower_
                if c.dep_ == "neg" or (c.dep_ in ("advmod", "det", "preconj") and low in lex.negations):
                    return "negated" if tok.i == v.i else "unreal"
                if c.dep_ == "aux" and low in lex.modal:
                    return "unreal"
                if c.dep_ == "mark" and low in lex.unreal_marks:
                    return "unreal"
                if c.dep_ == "advmod" and low in ("unsuccessfully", "vainly"):
                    return "failed"
            if tok.i == v.i and self._history(v):
                return "unreal"
            dep, head = tok.dep_, tok.head
            if head.i == tok.i:
                break
            hlem = head.lemma_.lower()
            if dep == "xcomp" or (dep in ("acl", "advcl", "ccomp", "prep", "pcomp") and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)):
                if hlem in lex.failing_heads or any(c.dep_ == "advmod" and c.lower_ in ("unsuccessfully", "vainly") for c in head.children):
                    return "failed"
                if hlem in lex.unreal_heads and hlem not in lex.realising_heads:
                    return "unreal"
                if dep != "xcomp" and hlem not in lex.realising_heads and tok.i == v.i:
                    return "unreal"  # a purpose: "sent troops to defend X"
            if dep == "pcomp" and head.lower_ in ("of", "for", "at") and head.head.lemma_.lower() in lex.unreal_heads:
                return "unreal"  # "the aim of taking X", "a plan for capturing X"
            if dep in ("conj", "xcomp", "ccomp", "advcl", "relcl", "acl", "pcomp", "prep", "pobj"):
                tok = head
                continue
            break
        return "real"

    def _history(self, v: "Token") -> bool:
        """A trigger whose own modifiers tell history ("in 2016", "early in the war")."""
        mods = [c for c in v.children if c.dep_ in ("prep", "npadvmod", "advmod", "advcl")]
        if not mods:
            return False
        words = [t for c in mods for t in _own_words(c)]
        if self.background.search(" ".join(t.text for t in words)):
            return True
        published = self.doc.article.published
        if published:
            for t in words:
                    if t.like_num and len(t.text) == 4 and t.text.isdigit() and 1900 <= int(t.text) < published.year - 1 + (published.month > 6):
                        return True  # "in August 2016"; "on December 8, 2024" in a January 2025 article is news
        return False

    # -- places ---------------------------------------------------------------------------------

    def _verb_places(self, v: "Token", rule: VerbRule) -> list[_Found]:
        found: list[_Found] = []
        obj = self._object(v)
        if rule.place == "subject":
            subj = _child(v, ("nsubj", "nsubjpass"))
            if subj is not None and subj.lower_ in _RELATIVE_PRONOUNS and v.dep_ == "relcl":
                subj = v.head
            if subj is not None:
                found += self._places_under(subj, rule.type)
            return self._prune(found)
        take_preps = True
        if obj is not None and rule.object != "none":
            territorial = (obj.i in self.place_at or self._territory_noun(obj)
                           or (rule.objects is not None and obj.lemma_.lower() in rule.objects)
                           or any(c.i in self.place_at for c in obj.children if c.dep_ in ("compound", "nmod", "amod", "poss")))
            if territorial:
                found += self._places_under(obj, rule.type, clauses=rule.type == "defense" and obj.i not in self.place_at)
                self.consumed.add(obj.i)
                self.consumed.update(t.i for t in obj.subtree)
            elif rule.object == "any":
                take_preps = self._territory_noun(obj)
            if rule.object == "place" and not found:
                take_preps = True
        if take_preps and rule.preps:
            for name, pobj in _preps(v):
                if name in rule.preps or (rule.object != "none" and (
                        name in self.lex.extenders or pobj.lemma_.lower() in self.lex.portions)):
                    found += self._places_under(pobj, rule.type, distance_ok=rule.distance)
                elif pobj.i not in self.place_at and self._token_actor(pobj):
                    # "clashed with the army in Qusayr": the parser hangs the place on the party
                    for inner, place in _preps(pobj):
                        if inner in ("in", "at", "inside", "around", "near"):
                            found += self._places_under(place, rule.type)
        if rule.distance and not found:
            found += self._distance_places(v)
        if found:
            # "took Hama on Thursday and Homs on Saturday": the parser joins the second place to
            # the first date; a place coordinated with a date of this verb is another object.
            for t in _own_words(v):
                if t.dep_ == "conj" and t.i in self.place_at and t.head.ent_type_ in ("DATE", "TIME"):
                    found += self._places_under(t, rule.type)
        if not found and rule.object in ("any", "place") and obj is None and not _passive(v):
            # "Russian forces captured Avdiivka, the General Staff said": the parser may hang the
            # object on the speech verb; a place right after a transitive trigger is its object.
            nxt = v.i + 1 + (v.i + 1 < len(self.sdoc) and self.sdoc[v.i + 1].lower_ == "the")
            root = self.first_token_of.get(nxt)
            if root is not None:
                found.append(_Found(self.place_at[root], root))
        if not found and "in" in rule.preps:
            found += self._fronted_places(v)
        if not found:
            rel = v
            while rel.dep_ in ("ccomp", "conj", "xcomp") and rel.head.i != rel.i:
                rel = rel.head
            if rel.dep_ == "relcl" and any(c.lower_ == "where" for c in rel.children) and rel.head.i in self.place_at:
                found += self._places_under(rel.head, rule.type)  # "Hama, where rebels took the airport"
        if rule.type == "border_crossing":
            # coded at the named place on the other side, never a whole province
            found = [f for f in found if f.toponym.place.scale == "point"]
        if obj is not None and self._unknown_named(obj):
            # "entered the town of Jamla in western Daraa": the place taken is one we cannot
            # resolve; its province is no stand-in for it
            found = [f for f in found if f.toponym.place.scale == "point" and not f.near
                     and f.token_i in {t.i for t in obj.subtree}]
        if not found and rule.type == "border_crossing":
            # "crossed into Iraq": coded at the place named on the other side, if the sentence names one
            for name, pobj in _preps(v):
                code = self.country_at.get(pobj.i)
                if name in rule.preps and code:
                    for t in self.toponyms:
                        if t.place.country == code and t.place.scale == "point":
                            span = self.sdoc.char_span(t.start - self.sentence.start, t.end - self.sentence.start, alignment_mode="expand")
                            if span is not None:
                                found.append(_Found(t, span.root.i))
        if not found and rule.type in ("defense", "deployment"):
            # "The forces in northern Hama repelled ...": where the defenders are
            subj = _child(v, ("nsubj",))
            if subj is not None:
                for name, pobj in _preps(subj):
                    if name in ("in", "at", "inside"):
                        found += self._places_under(pobj, rule.type)
        return self._prune(found)

    def _unknown_named(self, obj: "Token") -> bool:
        """An object that names a place we could not resolve: "the town of Jamla", "Koayiah village"."""
        if obj.i in self.in_place:
            return False
        names = [c for c in obj.children if c.dep_ in ("compound", "nmod") and c.pos_ == "PROPN"]
        names += [g for c in obj.children if c.dep_ == "prep" and c.lower_ == "of"
                  for g in c.children if g.dep_ == "pobj" and g.pos_ == "PROPN"]
        if obj.pos_ == "PROPN" and obj.lower_ not in self.lex.territory:
            names.append(obj)
        return any(n.i not in self.in_place and not self._token_actor(n) for n in names)

    def _territory_noun(self, tok: "Token") -> bool:
        """A noun of territory ("the town", "areas"); a portion ("part", "most") only with its
        "of" ("took part of Homs", not "took part in talks")."""
        low, lem = tok.lower_, tok.lemma_.lower()
        if low in self.lex.portions or lem in self.lex.portions:
            return any(c.dep_ == "prep" and c.lower_ == "of" for c in tok.children)
        return low in self.lex.territory or lem in self.lex.territory

    def _fronted_places(self, v: "Token") -> list[_Found]:
        """"In the Homs area, the Observatory said government forces stopped the advance": a place
        fronted before the speech verb that reports the event frames it."""
        tok = v
        for _ in range(4):
            if tok.dep_ not in ("ccomp", "conj") or tok.head.i == tok.i:
                return []
            tok = tok.head
            if tok.lemma_.lower() in self.lex.speech:
                subj = _child(tok, ("nsubj", "nsubjpass"))
                out = []
                for c in tok.children:
                    if c.dep_ == "prep" and c.lower_ in ("in", "inside", "across") and (subj is None or c.i < subj.i):
                        for g in c.children:
                            if g.dep_ == "pobj":
                                out += self._places_under(g, "fronted")
                return out
        return []

    def _places_under(self, root: "Token", event_type: str, *, clauses: bool = False,
                      distance_ok: bool = True) -> list[_Found]:
        """The places in a noun phrase (or, with ``clauses``, a whole subtree), with how each is reached."""
        out: list[_Found] = []
        stack = [(root, ())]
        while stack:
            tok, path = stack.pop()
            if tok.i in self.place_at:
                out.append(self._found(tok, path, event_type, distance_ok))
            elif tok.lower_ in self.lex.place_anaphora and self._resolve_anaphor(tok):
                out.append(self._found(tok, path, event_type, distance_ok))
            for c in tok.children:
                if c.dep_ in _NOMINAL_DEPS or clauses:
                    stack.append((c, path + (tok,)))
        return [f for f in out if f is not None]

    def _distance_above(self, tok: "Token") -> float | None:
        """"just 8 km from Homs", "10 miles from Homs": a distance on the preposition that governs
        the place."""
        cur = tok
        for _ in range(3):
            if cur.head.i == cur.i:
                return None
            cur = cur.head
            if cur.pos_ in ("VERB", "AUX"):
                return None
            if cur.dep_ == "prep" or cur.pos_ == "ADP":
                for c in cur.children:
                    if c.dep_ in ("npadvmod", "nummod", "advmod", "quantmod") and (
                            c.lower_ in self.lex.units or c.lemma_.lower() in self.lex.units):
                        return _number_of(c, self.lex)
        return None

    def _resolve_anaphor(self, tok: "Token") -> bool:
        """"the city", "the province": the last place of a fitting scale named shortly before. On
        success the place is recorded for the token (``place_at``)."""
        kids = [c for c in tok.children if c.dep_ not in ("punct",)]
        if len(kids) != 1 or kids[0].lower_ != "the" or tok.i > 0 and self.sdoc[tok.i - 1].lower_ not in ("the",):
            return False
        scales = self.lex.place_anaphora[tok.lower_]
        pos = self.sentence.start + tok.idx
        candidates: dict[str, Toponym] = {}
        for t in reversed(self.earlier):
            if t.start >= pos:
                continue
            if pos - t.end > _ANAPHORA_REACH:
                break
            if t.place is not None and t.place.scale in scales and not t.text.lower().startswith("the "):
                candidates.setdefault(t.place.place_id, t)
        if len(candidates) != 1:
            return False  # no place, or several it could be: no guess
        self.place_at[tok.i] = next(iter(candidates.values()))
        return True

    def _found(self, tok: "Token", path: tuple, event_type: str, distance_ok: bool) -> _Found | None:
        lex = self.lex
        near = False
        distance = None
        # path: from the argument's root down to the place's parent
        for step in path:
            low, lem = step.lower_, step.lemma_.lower()
            if step.i in self.in_place:
                continue
            if low in lex.route or lem in lex.route:
                return None  # an end of a road
            if low in lex.units or lem in lex.units:
                distance = distance or _number_of(step, lex)
            if low in lex.landmark or lem in lex.landmark:
                near = True
            if low in lex.near or lem in lex.near:
                near = True
        if distance is None:
            distance = self._distance_above(tok)
            near = near or distance is not None
        found = _Found(self.place_at[tok.i], tok.i, near, distance)
        found.path = path  # type: ignore[attr-defined]
        return found

    def _prune(self, found: list[_Found]) -> list[_Found]:
        """Drop places that only locate another place of the same trigger (a container, a
        landmark), keep one entry per place."""
        if not found:
            return found
        idx = {f.token_i for f in found}
        keep: list[_Found] = []
        for f in found:
            tok = self.sdoc[f.token_i]
            # Walk up to the nearest other place of this trigger; how it was reached decides.
            cur = tok
            qualifies_other = False
            joined = True  # reached only through lists ("A, B and parts of C")
            while cur.head.i != cur.i:
                step, cur = cur, cur.head
                if not (step.dep_ in _LIST_DEPS or (step.dep_ == "pobj" and cur.lower_ == "of")
                        or (step.dep_ == "prep" and step.lower_ == "of" and self._territory_noun(cur))):
                    joined = False
                if cur.i in idx and cur.i != f.token_i:
                    qualifies_other = not joined
                    break
                if cur.i not in self.in_place and cur.pos_ in ("VERB", "AUX"):
                    break
            if qualifies_other:
                continue
            if f.near and f.distance_km is None and self._reference_only(f):
                continue
            keep.append(f)
        keep = [f for f in keep if not self._names_area_of_other(f, keep)]
        points = [f.toponym.place for f in keep if f.toponym.place.scale == "point"]
        keep = [f for f in keep if not any(_contains(f.toponym.place, p) for p in points)]
        if any(not f.near for f in keep):
            # "took the X headquarters near the Golan Heights": near X only locates the other place
            keep = [f for f in keep if not f.near or f.distance_km is not None or not self._landmark_only(f)]
        seen, out = set(), []
        for f in keep:
            key = f.toponym.place.place_id if f.toponym.place else f.token_i
            if key not in seen:
                seen.add(key)
                out.append(f)
        return out

    def _names_area_of_other(self, f: _Found, found: list[_Found]) -> bool:
        """A place that only modifies the noun of another ("the Homs countryside town of Talbiseh",
        "the Aleppo province village of X")."""
        tok = self.sdoc[f.token_i]
        if tok.dep_ not in ("compound", "nmod", "amod", "poss"):
            return False
        head = tok.head
        while head.dep_ in ("compound", "nmod", "amod") and head.i not in self.place_at:
            head = head.head
        if head.i in self.place_at:
            return False
        named = {g.i for c in head.children if c.dep_ == "prep" and c.lower_ == "of"
                 for g in c.children if g.dep_ == "pobj"}
        named |= {c.i for c in head.children if c.dep_ == "appos"}
        return any(g.token_i != f.token_i and g.token_i in named for g in found)

    def _landmark_only(self, f: _Found) -> bool:
        path = getattr(f, "path", ())
        return any(s.lower_ in self.lex.landmark for s in path)

    def _reference_only(self, f: _Found) -> bool:
        """A compass bearing or "between" with no distance makes a place a reference point."""
        path = getattr(f, "path", ())
        return any(s.lower_ in ("between", "beyond", "past", "opposite", "than", "like", "via", "through", "bordering")
                   or s.lemma_.lower() in ("north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest")
                   for s in path)

    def _distance_under(self, v: "Token") -> float | None:
        for name, pobj in _preps(v):
            if name == "within" or name.endswith(" within"):
                d = _number_of(pobj, self.lex)
                if d is not None:
                    return d
        for t in v.subtree:
            if (t.lower_ in self.lex.units or t.lemma_.lower() in self.lex.units) and t.head.lower_ in ("within",):
                return _number_of(t, self.lex)
        return None

    def _distance_places(self, v: "Token") -> list[_Found]:
        """"rebels were 20 km from Damascus", "advanced to within 10 km of Hama": a unit noun with an
        "of"/"from" place, in the verb's own phrase."""
        out = []
        for t in v.subtree:
            if t.lower_ not in self.lex.units and t.lemma_.lower() not in self.lex.units:
                continue
            # the unit must belong to this verb's clause, not a nested one
            h = t
            while h.i != v.i and h.dep_ not in _CLAUSE_DEPS and h.head.i != h.i:
                h = h.head
            if h.i != v.i:
                continue
            d = _number_of(t, self.lex)
            if d is None:
                continue
            preps = list(_preps(t))
            if t.head.pos_ == "ADP":  # "10 miles from Homs": the distance hangs on its preposition
                preps += [(t.head.lower_, g) for g in t.head.children if g.dep_ == "pobj"]
            for name, pobj in preps:
                if name in ("of", "from", "outside") or name.endswith(" of") or name.endswith(" from"):
                    for f in self._places_under(pobj, "advance"):
                        f.distance_km, f.near = d, True
                        out.append(f)
        return out

    # -- actors ---------------------------------------------------------------------------------

    def _subject_actor(self, v: "Token") -> str | None:
        tok = v
        for _ in range(6):
            if _passive(tok):
                agent = _child(tok, ("agent",))
                if agent is not None:
                    pobj = _child(agent, ("pobj",))
                    return self._phrase_actor(pobj) if pobj is not None else None
                if tok.i == v.i:
                    return None  # "X was captured": no one named
            subj = _child(tok, ("nsubj",))
            if subj is not None:
                if subj.lower_ in _RELATIVE_PRONOUNS and tok.dep_ == "relcl":
                    return self._phrase_actor(tok.head)
                return self._phrase_actor(subj)
            if tok.dep_ in ("conj", "xcomp", "advcl", "pcomp", "acl", "prep", "pobj", "ccomp", "acomp") and tok.head.i != tok.i:
                if tok.dep_ == "acl" and tok.head.pos_ in ("NOUN", "PROPN", "PRON"):
                    return self._phrase_actor(tok.head)  # "rebels advancing on Hama"
                if tok.dep_ == "relcl":
                    return self._phrase_actor(tok.head)
                tok = tok.head
                if tok.pos_ not in ("VERB", "AUX") and tok.dep_ in ("prep",):
                    tok = tok.head
                continue
            break
        return None

    def _to_actor(self, v: "Token") -> str | None:
        for name, pobj in _preps(v):
            if name in ("to", "into", "under", "in"):
                a = self._phrase_actor(pobj)
                if a:
                    return a
        return None

    def _noun_actor(self, n: "Token", rule: NounRule) -> str | None:
        a = self._owner(n)
        if a:
            return a
        for name, pobj in _preps(n):
            if name in ("to", "by"):
                a = self._phrase_actor(pobj)
                if a:
                    return a
        head = n.head
        while head.dep_ in ("conj", "prep", "pobj") and head.head.i != head.i and head.pos_ not in ("VERB", "AUX"):
            head = head.head
        if head.pos_ in ("VERB", "AUX") and n.dep_ in ("dobj", "pobj", "conj", "nsubj"):
            a = self._subject_actor(head)
            if a:
                return a
        if rule.type == "capture":
            return self.state.last_capturer
        if rule.type == "withdrawal" and self.losers:
            return self.losers[-1]  # "Rebels drove the army out of X, and the loss of Y ..."
        return None

    def _phrase_actor(self, tok: "Token | None") -> str | None:
        if tok is None:
            return None
        low = tok.lower_.replace("ı", "i")
        poss = next((c for c in tok.children if c.dep_ == "poss"), None)
        if poss is not None and (poss.lower_ in self.lex.first_person or poss.lower_ in self.lex.third_person):
            words = _phrase_tokens(tok)
            text = self.sdoc.text[words[0].idx:words[-1].idx + len(words[-1].text)]
            mentions = self.profile.actor_mentions(text)
            if all(m.text.lower() in self.lex.generic_forces for m in mentions):
                # "its troops", "our fighters": whose they are decides, not the generic word
                return self._phrase_actor(poss)
        if low in self.lex.first_person:
            return self.state.sentence_speaker_actor or self.state.last_speaker_actor
        if low in self.lex.personal:
            return None
        if low in self.lex.third_person:
            return self._earlier_subject(tok) or self.state.last_actor
        a = self._token_actor(tok)
        if a:
            return a
        if tok.lemma_.lower() in self.lex.anaphoric_nouns or low in self.lex.anaphoric_nouns:
            mods = [c for c in tok.children if c.dep_ not in ("punct", "relcl", "acl", "prep")]
            if len(mods) == 1 and mods[0].lower_ in ("the", "its", "their", "these", "those"):
                return self._earlier_subject(tok, skip_speakers=True) or self.state.last_actor  # "the group"
        return None

    def _earlier_subject(self, tok: "Token", skip_speakers: bool = False) -> str | None:
        """The party named as a subject earlier in the same sentence ("Local factions took X, where
        they advanced ..."). "X said it ..." makes the speaker the referent of a pronoun, but "the
        statement said these groups ..." does not make the speaker "these groups"."""
        for t in reversed(self.sdoc[:tok.i]):
            if t.dep_ in ("nsubj", "nsubjpass") and t.lower_ not in self.lex.third_person \
                    and not (skip_speakers and self._lemma(t.head) in self.lex.speech):
                a = self._token_actor(t)
                if a:
                    return a
        return None

    def _token_actor(self, tok: "Token") -> str | None:
        """The party a noun phrase names: its own words (without relative clauses, participles and
        appositions), then an "of" phrase ("fighters of HTS")."""
        for c in tok.children:  # "groups opposed to the regime", "fighters against Assad"
            if c.lower_ in self.lex.opposing or c.lemma_.lower() in self.lex.opposing:
                for name, pobj in _preps(c) if c.dep_ != "prep" else [(c.lower_, g) for g in c.children if g.dep_ == "pobj"]:
                    other = self._token_actor(pobj)
                    if other and self.profile.opponent(other):
                        return self.profile.opponent(other)
        words = _phrase_tokens(tok)
        text = self.sdoc.text[words[0].idx:words[-1].idx + len(words[-1].text)]
        a = self._actor_in(text)
        if a and a not in self._generic_only(text):
            return a
        for c in tok.children:  # "fighters loyal to HTS", "militias affiliated with the SDF"
            if c.dep_ in ("amod", "acl", "relcl") and c.lemma_.lower() in self.lex.allegiance:
                for name, pobj in _preps(c):
                    other = self._token_actor(pobj)
                    if other:
                        return other
        if a:
            return a
        for name, pobj in _preps(tok):
            if name == "of":
                return self._token_actor(pobj)
        return None

    def _generic_only(self, text: str) -> set[str]:
        """The parties a phrase names only through generic words ("fighters", "troops")."""
        mentions = self.profile.actor_mentions(text)
        if any(m.text.lower() not in self.lex.generic_forces for m in mentions):
            return set()
        return {m.actor for m in mentions}

    def _actor_in(self, text: str) -> str | None:
        """The party a phrase names; a precise name beats a generic one ("opposition troops")."""
        mentions = self.profile.actor_mentions(text)
        if not mentions:
            low = text.lower()
            for name, actor in self.profile.people_longest_first:
                if name in low:
                    return actor
            return None
        precise = [m for m in mentions if m.text.lower() not in self.lex.generic_forces]
        return (precise or mentions)[-1].actor

    def _subject_phrase(self, v: "Token") -> str | None:
        subj = _child(v, ("nsubj",))
        if subj is None:
            return None
        if subj.lower_ in self.lex.third_person | self.lex.personal:
            return self.state.last_claimant
        toks = [t for t in subj.subtree]
        return self.sdoc.text[toks[0].idx:toks[-1].idx + len(toks[-1].text)].strip()

    # -- claimant -------------------------------------------------------------------------------

    def _claimant(self, v: "Token") -> str | None:
        phrase = None
        self.speaker_full = None
        tok = v
        for _ in range(10):
            for c in tok.children:
                if c.lower_ in self.lex.speech_prefixes and c.dep_ in ("prep", "advcl", "advmod"):
                    pobj = next((g for gc in c.children for g in ([gc] if gc.dep_ == "pobj" else gc.children) if g.dep_ == "pobj"), None)
                    if pobj is not None:
                        phrase = _speaker_text(self.sdoc, pobj)
                        self.speaker_full = _text(self.sdoc, pobj)
                        break
            if phrase:
                break
            if tok.i != v.i and tok.lemma_.lower() in self.lex.speech and tok.pos_ in ("VERB", "AUX"):
                phrase = self._speaker(tok)
                if phrase:
                    break
            # a speech verb hanging off this clause: "X took Y, the monitor said"
            for c in tok.children:
                if c.dep_ in ("parataxis", "advcl", "ccomp", "conj") and c.lemma_.lower() in self.lex.speech and c.i > v.i \
                        and not self._own_content(c):
                    phrase = self._speaker(c)
                    if phrase:
                        break
            if phrase or tok.head.i == tok.i:
                break
            tok = tok.head
        if not phrase:
            return None
        bare = phrase.lower().removeprefix("the ").strip()
        if " " not in bare and bare in self.state.institutions:
            named = self.state.institutions[bare]
            if len(named) != 1:
                self.ambiguous_speaker = True  # "the ministry" after two ministries: whose?
                return None
            phrase = next(iter(named))
        self.state.last_claimant = phrase
        actor = self._speaker_actor(phrase) or (self.speaker_full and self._speaker_actor(self.speaker_full))
        if actor:
            self.state.last_speaker_actor = actor
            self.state.sentence_speaker_actor = actor
        return self.profile.canonical_claimant(phrase)

    def _own_content(self, s: "Token") -> bool:
        """A speech verb that says something of its own ("..., and the army told officers that the
        fight was over") or follows "but" speaks for its own clause only."""
        if s.dep_ == "conj" and any(c.dep_ == "cc" and c.lower_ in ("but", "while", "although", "though", "whereas")
                                    for c in s.head.children if s.head.i < c.i < s.i):
            return True
        return any(c.dep_ in ("ccomp", "xcomp") or (c.dep_ == "dobj" and c.lemma_.lower() in ("report", "claim", "statement"))
                   for c in s.children)

    def _speaker_actor(self, phrase: str) -> str | None:
        actor = self.profile.actor_of(phrase)
        if actor:
            return actor
        for name, party in self.state.people.items():
            if name in phrase:
                return party
        return None

    def _speaker(self, s: "Token") -> str | None:
        """Who speaks through the speech verb ``s``; ``self.speaker_full`` keeps the whole phrase
        ("Abu Omar, a rebel commander"), which says whose side the speaker is on."""
        if _passive(s):
            agent = _child(s, ("agent",))
            subj = _child(agent, ("pobj",)) if agent is not None else None
        else:
            subj = _child(s, ("nsubj",))
        if subj is None:
            return None
        if subj.lower_ in self.lex.third_person or subj.lower_ in self.lex.personal or subj.lower_ in self.lex.first_person:
            if self.state.last_claimant is None and subj.lower_ in self.lex.third_person and self.state.last_actor:
                # "..., it said" after "The army command issued a statement": the party named last
                self.state.sentence_speaker_actor = self.state.last_actor
            self.speaker_full = self.state.last_claimant
            return self.state.last_claimant
        if subj.i in self.in_place:
            # "X captured Avdiivka, Ukraine's General Staff said", parsed with the place as subject
            subj = next((c for c in subj.children if c.dep_ == "appos"), None)
            if subj is None:
                return None
        self.speaker_full = _text(self.sdoc, subj)
        return _speaker_text(self.sdoc, subj)

    # -- the claim ------------------------------------------------------------------------------

    def _claim(self, trigger: "Token", f: _Found, event_type: str, actor: str, claimant: str | None) -> Claim:
        doc = self.doc
        s = self.evidence  # the whole sentence, dateline included
        art = doc.article
        t = f.toponym
        place: Place = t.place  # type: ignore[assignment]
        precision = {"point": "point", "admin1": "admin1", "region": "region", "country": "country"}[place.scale]
        if precision == "point" and (f.near or f.distance_km is not None):
            precision = "near"
        event_date, date_precision = self._date(trigger, t)
        return Claim(
            article=art.article, place=place.name, place_id=place.place_id, lat=place.lat, lon=place.lon,
            event_type=event_type, actor=actor, evidence=s.text, evidence_start=s.start, evidence_end=s.end,
            claimant=claimant, country=place.country, province=place.province,
            province_name=_province_name(place.province), geo_precision=precision,
            event_date=event_date, date_precision=date_precision, distance_km=f.distance_km,
            source=art.source, published=art.published, title=art.title, url=art.url,
            place_start=t.start, place_end=t.end,
        )

    def _date(self, trigger: "Token", t: Toponym) -> tuple[date | None, str | None]:
        art = self.doc.article
        if not art.published:
            return None, None
        s = self.sentence
        mentions = _dates_in(s.text, art.published)
        rel_end = t.end - s.start
        own = [d for d in mentions if rel_end <= d.start and d.start - rel_end <= _OWN_DATE_GAP]
        if own:
            return own[0].date, own[0].precision
        if mentions:
            lo = trigger.left_edge.idx if trigger.pos_ in ("VERB", "AUX") else trigger.idx
            hi = trigger.right_edge.idx + len(trigger.right_edge.text) if trigger.pos_ in ("VERB", "AUX") else trigger.idx
            inside = [d for d in mentions if lo <= d.start < hi] or list(mentions)
            best = min(inside, key=lambda d: abs(d.start - trigger.idx))
            return best.date, best.precision
        if self.state.line_date and s.start < self.state.line_end:
            return self.state.line_date
        return art.published, "day"


# --- small helpers -------------------------------------------------------------------------------


def _child(tok: "Token", deps: tuple[str, ...]) -> "Token | None":
    for c in tok.children:
        if c.dep_ in deps:
            return c
    return None


def _contains(outer: Place, inner: Place) -> bool:
    """Whether a province or region holds a point place (it is then only its container)."""
    if outer.scale == "admin1":
        return outer.province is not None and outer.province == inner.province
    if outer.scale == "region" and outer.radius_km:
        return _km(outer.lat, outer.lon, inner.lat, inner.lon) <= outer.radius_km
    return False


def _km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    import math

    p = math.pi / 180
    h = (math.sin((b_lat - a_lat) * p / 2) ** 2
         + math.cos(a_lat * p) * math.cos(b_lat * p) * math.sin((b_lon - a_lon) * p / 2) ** 2)
    return 12742 * math.asin(math.sqrt(h))


def _heads_between(tok: "Token", top: "Token") -> list["Token"]:
    out, cur = [], tok
    while cur.head.i != cur.i and cur.i != top.i and len(out) < 8:
        cur = cur.head
        out.append(cur)
    return out


def _passive(tok: "Token") -> bool:
    return any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children) or (
        tok.tag_ == "VBN" and tok.dep_ in ("acl", "relcl") and _child(tok, ("nsubj", "dobj")) is None)


def _preps(tok: "Token") -> Iterator[tuple[str, "Token"]]:
    """(preposition, its object) of a token: "from" X, "out of" X, "closer to" X, "in on" X; a
    preposition coordinated with one ("from Homs and from Hama") counts as well."""
    kids = list(tok.children)
    for c in list(kids):
        if c.dep_ == "prep":
            kids += [g for g in c.children if g.dep_ == "conj" and g.pos_ == "ADP"]
    for c in kids:
        if c.dep_ in ("prep", "agent", "dative", "prt", "advmod", "npadvmod", "acomp", "conj"):
            name = c.lower_
            found_obj = False
            for g in c.children:
                if g.dep_ == "pobj":
                    found_obj = True
                    yield name, g
                elif g.dep_ == "prep":
                    for h in g.children:
                        if h.dep_ == "pobj":
                            found_obj = True
                            yield f"{name} {g.lower_}", h
            if not found_obj and c.dep_ == "prep":
                for g in c.children:
                    if g.dep_ in ("pcomp",):
                        yield name, g


def _own_words(tok: "Token") -> list["Token"]:
    """The words of a phrase without the clauses inside it ("Hama, which they had held since 1982")."""
    out, stack = [], [tok]
    while stack:
        t = stack.pop()
        out.append(t)
        stack.extend(c for c in t.children if c.dep_ not in _CLAUSE_DEPS)
    return sorted(out, key=lambda t: t.i)


def _phrase_tokens(tok: "Token") -> list["Token"]:
    """The words of a noun phrase without its clauses, participles, appositions and prepositions."""
    keep = {tok.i}
    stack = [tok]
    while stack:
        t = stack.pop()
        for c in t.children:
            if c.dep_ in ("compound", "amod", "det", "poss", "nmod", "npadvmod", "case", "punct", "nummod", "quantmod", "hmod", "hyph", "advmod") and c.i < tok.i + 1:
                keep.add(c.i)
                stack.append(c)
    doc = tok.doc
    lo, hi = min(keep), max(keep)
    return [doc[i] for i in range(lo, hi + 1)]


def _speaker_text(sdoc: "SpacyDoc", tok: "Token") -> str:
    """Who speaks, without what describes them: "Abu Omar, a rebel commander" -> "Abu Omar";
    "The SDF, backed by the United States" -> "SDF"; "Residents of Saasaa" stays whole."""
    keep = [t for t in _own_words(tok) if not any(a.dep_ == "appos" and a.head.i == tok.i or a.i == tok.i and False
                                                   for a in [t])]
    drop: set[int] = set()
    for t in keep:
        for c in t.children:
            if c.dep_ in ("appos", "acl", "relcl", "advcl", "parataxis") or (c.dep_ == "punct" and t.i == tok.i and c.i > tok.i):
                drop.update(x.i for x in c.subtree)
    words = [t for t in keep if t.i not in drop]
    while words and words[0].dep_ == "det" and words[0].lower_ in ("the", "a", "an"):
        words = words[1:]
    while words and words[-1].is_punct:
        words = words[:-1]
    if not words:
        return _text(sdoc, tok)
    return sdoc.text[words[0].idx:words[-1].idx + len(words[-1].text)].strip(" ,;:\"'“”‘’")[:200]


def _text(sdoc: "SpacyDoc", tok: "Token") -> str:
    toks = list(tok.subtree)
    text = sdoc.text[toks[0].idx:toks[-1].idx + len(toks[-1].text)]
    return text.strip(" ,;:\"'“”‘’")[:200]


def _number_of(tok: "Token", lex: Lexicon) -> float | None:
    """The distance a unit noun carries ("20 km", "10-15 km": the farther end; "five miles")."""
    unit = None
    t = tok
    if t.lower_ in lex.units or t.lemma_.lower() in lex.units:
        unit = lex.units.get(t.lower_, lex.units.get(t.lemma_.lower()))
    else:
        for c in t.subtree:
            if c.lower_ in lex.units:
                t, unit = c, lex.units[c.lower_]
                break
    if unit is None:
        return None
    values = []
    for c in t.subtree:
        if c.i >= t.i:
            continue
        text = c.lower_.replace(",", "")
        for part in re.split(r"[-–]", text):
            if part.replace(".", "", 1).isdigit():
                values.append(float(part))
            elif part in _NUMBER_WORDS:
                values.append(float(_NUMBER_WORDS[part]))
    if not values:
        m = re.match(r"(\d+(?:\.\d+)?)", t.lower_)
        if m:
            values.append(float(m.group(1)))
    if not values:
        return None
    return round(max(values) * unit, 1)


def _unique(claims: list[Claim]) -> list[Claim]:
    seen, out = set(), []
    for c in claims:
        key = (c.place_id, c.event_type, c.actor)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _latest_year(text: str) -> int | None:
    """The latest year an undated article mentions: years before it are history."""
    years = [int(y) for y in _YEAR.findall(text)]
    return max(years) if years else None


@lru_cache(maxsize=256)
def _dates_in(text: str, published: date) -> tuple:
    """The date mentions of a sentence (several claims of one sentence share them)."""
    from geo.dates import find_dates

    return tuple(find_dates(text, published))


def _heading_date(doc: Document, sentence: Sentence, state: _State) -> None:
    """Remember the date that opens a line of a timeline ("Dec 6 - ..."), for the rest of that line."""
    published = doc.article.published
    if not published or (sentence.start and doc.text[sentence.start - 1] not in "\n"):
        return  # only a sentence that starts a line can head it
    head = sentence.text[:60]
    if not ("- " in head or "– " in head or "— " in head or ": " in head) or not _SHORT_HEAD.match(head):
        return
    mentions = _dates_in(sentence.text, published)
    if mentions and mentions[0].start == 0 and _HEADING_DASH.match(sentence.text, mentions[0].end):
        end = doc.text.find("\n", sentence.start)
        state.line_date = (mentions[0].date, mentions[0].precision)
        state.line_end = len(doc.text) if end < 0 else end


_HEADING_DASH = re.compile(r"\s*[-–—:]\s")
_SHORT_HEAD = re.compile(r"[\w.,]{1,12}(?:\s+[\w.,]{1,12}){0,3}\s*[-–—:]\s")


@lru_cache(maxsize=4096)
def _province_name(iso: str | None) -> str | None:
    if not iso:
        return None
    from geo.gazetteer import default_gazetteer

    admin1 = default_gazetteer().admin1(iso)
    return admin1.name if admin1 else None
