"""Claim extraction: from a geoparsed :class:`Document` to :class:`Claim` objects with provenance.

Per sentence, the extractor finds event triggers (``data/lexicons/events.toml``), then for each
trigger decides whether it reports something real (not a condition, a plan, a negation or
history), who acted (the profile's actors, pronouns carried from earlier sentences), where (the
places the trigger governs, not landmarks or containers), who says so (speech attribution), and
when (dates resolved against the publication date). Denials take the places of what they deny.

Everything language-specific lives in ``data/lexicons``; everything conflict-specific in
``data/profiles``. Precision over recall: a trigger with no actor or no place gives no claim.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from datetime import date

import ahocorasick
from functools import lru_cache

from geo.document import Claim, Document, Place, Sentence, Toponym
from geo.profiles import ActorMention, Profile, load_profile, not_qualifiers
from geo.resources import DATA_DIR, load_toml, read_word_list

EVENT_TYPES = (
    "capture", "withdrawal", "advance", "defense", "deployment",
    "border_crossing", "denial", "strike", "protest", "clash",
)
# Regions wider than this (continents, seas) are too vague to map a claim on.
MAX_REGION_KM = 500
# What a denial can deny: reported control changes, not strikes or protests.
DENIABLE = {"capture", "withdrawal", "advance", "defense", "border_crossing", "deployment"}
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "a hundred": 100, "a few": 3,
}
_UNITS = {"km": 1.0, "kilometres": 1.0, "kilometers": 1.0, "kilometre": 1.0, "kilometer": 1.0,
          "miles": 1.609344, "mile": 1.609344, "kms": 1.0}
# Quotation marks are blanked before matching so that "“redeploying and repositioning” in Daraa"
# reads as one phrase; apostrophes stay (possessives matter).
# Parts of a trigger pattern that make it case-sensitive: an inline (?-i:...) group or an upper-case
# letter outside escapes and group names.
_CASE_SENSITIVE_PART = re.compile(r"\(\?-i:|(?<!\\)[A-Z]")
_OF_A_NAME = re.compile(r"\s+of\s+(?:[a-z]{1,3}-)?[A-Z]")  # "the town of X", "the town of al-X"
_PATTERN_NAMES = re.compile(r"\\[A-Za-z]|\(\?P<\w+>|\(\?P=\w+\)")
_QUOTES = str.maketrans({c: " " for c in "“”«»\"„‟"})
_CLAUSE_BREAK = re.compile(r"[;:(){}\[\]—–]|,|\s-\s|\b(?:that|while|although|though|whereas|but|as|after|before|when|with|which|who)\b", re.I)


def _words(items: list[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True))


# The phrase and clause rules, compiled once from the word lists in data/lexicons/claims.toml [grammar].
_GRAMMAR = load_toml("lexicons/claims.toml")["grammar"]
_BREAKS = _words(_GRAMMAR["clause_breaks"])
_SUBJECT_CLAUSE_BREAK = re.compile(rf"[;:]|\b(?:{_BREAKS})\b", re.I)
_DENIAL_SCOPE_END = re.compile(rf"[;]|,\s*(?:{_BREAKS})\b|\b(?:{_words([w for w in _GRAMMAR['clause_breaks'] if w not in ('while', 'but')])})\b", re.I)
_VERB_GROUP_GAP = re.compile(rf"\s*(?:(?:{_words(_GRAMMAR['verb_group'])})\s+)*", re.I)
_SPEAKER_ADVERBS = frozenset(w.lower() for w in _GRAMMAR["speaker_adverbs"])
_SPEAKER_PHRASE_END = re.compile(rf"\s+(?:{_words(_GRAMMAR['speaker_phrase_ends'])})\b")
_DAY = rf"(?:{_words(_GRAMMAR['day_prepositions'])})\s+(?:{_words(_GRAMMAR['weekdays'])})"
_SPEAKER_OPENERS = re.compile(
    rf"^(?:date\s+\d{{4}}-\d\d-\d\d\s+)?(?:(?:{_words(_GRAMMAR['speaker_phrase_openers'])})\s+)*", re.I)
_TRAILING_DAY = re.compile(rf"\s+{_DAY}$", re.I)
_LEADING_DAY = re.compile(rf"^{_DAY},?\s+", re.I)
_SPACES = re.compile(r"\s+")
_FRONTED_TIME = re.compile(rf"\s*(?:{_words(_GRAMMAR['time_openers'])})\s[^,;]{{0,40}},", re.I)
_SUBJECT_MODIFIER = re.compile(rf"\s+(?:{_words(_GRAMMAR['subject_modifiers'])})\b")
_RELATIVE = rf"(?:{_words(_GRAMMAR['relative_pronouns'])})\b"
# The last relative clause of a subject, commas of a list inside it included when a comma closes it:
# "Rebels, who now hold Aleppo, Hama and parts of Homs, said"; but in "X withdrew from Hama, which
# they had held since 1982, the monitor said" the monitor is no part of it.
_RELATIVE_AFTER_SUBJECT = re.compile(rf",\s*{_RELATIVE}(?:[^,]*,?|(?:(?!,\s*{_RELATIVE}).)*,)$", re.S)
_CLAUSE_TEXT_END = re.compile(r"[;,:()—–]")
_YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")
# Structural patterns of the place, coordination and agent rules below (punctuation and prepositions).
_COMMA_OR_SEMICOLON = re.compile(r"[,;]")
_COUNTRY_TO_PLACE_GAP = re.compile(r"['’]s?\s+(?:[\w-]+\s+){0,2}")
_CONTAINER_GAP = re.compile(r"[\s,]*(?:in|of|,)?\s*(?:the\s+)?(?:[\w’'-]+\s+){0,2}", re.I)
_TRAILING_PREPOSITION = re.compile(r"\b(from|in|of|into|to)$", re.I)
_LIST_CONTINUES = re.compile(r"\s*(?:,|as well as\b)", re.I)
_PARTICIPLE_AFTER_SUBJECT = re.compile(r",\s*(?-i:[a-z]+(?:ed|en))\s+by\b[^,]*,$")
_LIST_ENDER = re.compile(rf"\b(?:{_words(_GRAMMAR['list_enders'])})\b(?<!\bas well as)(?!\s+well\s+as\b)", re.I)
_LIST_JOINER = re.compile(r",|\band\b|\bor\b|\bas well as\b|&", re.I)
_WHERE_CLAUSE = re.compile(r"\s*,?\s*where\b", re.I)
_FRONTED_PLACE = re.compile(r"\s*(?:in|at|inside|across)\s+[^,]{0,60}?,", re.I)
_AGENT_AFTER = re.compile(r"\s*(?:\w+\s+){0,2}?by\s+")
_ENDS_IN_BY = re.compile(r"\bby\s*$")
_OPTIONAL_SPACES = re.compile(r"\s*")
_POSSESSIVE_GAP = re.compile(r"['’]s\s+(?:\w+\s+)?")
_APPOSITIVE = re.compile(r",\s+(?:a|an|the)\s+([^,;.()]{3,80}?)\s*(?:[,;.]|$)", re.I)
_VERB_TO_END = re.compile(r"[\w-]+\s+to\s+$", re.I)


@dataclass
class _Trigger:
    type: str
    start: int
    end: int
    text: str
    fallback: bool
    actor: str | None = None  # named inside the pattern
    distance_km: float | None = None
    denied: bool = False  # inside what a denial denies


@dataclass
class _PlaceRef:
    """A place mention in a sentence: a toponym, or an anaphor resolved to an earlier one."""

    start: int
    end: int
    text: str
    place: Place

    @property
    def scale(self) -> str:
        return self.place.scale


@dataclass
class _Speech:
    verb_start: int
    verb_end: int
    claimant: str | None
    actor: str | None
    before: bool  # the claimant stands before the verb ("X said"), else after ("said X")
    denial: bool = False  # "X denied ...": X speaks, but only for the denial
    phrase_start: int | None = None  # where the claimant phrase of "X said" starts


# Characters that re.IGNORECASE matches to an ASCII letter although their lower case is none
# ("ſ" to s, "ı" to i, ...): a sentence with one gets no word-set shortcuts (see _Scan.may_contain).
_IGNORECASE_ODD = ("İ", "ı", "ſ", "\u212a")
_ASCII_WORD = re.compile(r"[a-z]+")
_DIGIT = re.compile(r"\d")


def _gate(entries: list[str]) -> frozenset[str] | None:
    """A word of each entry of a word list, for _Scan.may_contain; None if an entry has no word.

    The word-list patterns put word boundaries around each entry, so the run of ASCII letters an
    entry's word matches is a whole run of letters in the lower-cased sentence too."""
    keys = set()
    for entry in entries:
        pieces = _ASCII_WORD.findall(entry.lower())
        if not pieces:
            return None
        keys.add(max(pieces, key=len))
    return frozenset(keys)


class _Scan:
    """One sentence as the rules read it: the text (quotation marks blanked), the text lower-cased
    (same offsets), its words, and the pronouns several triggers' rules look up, found once."""

    def __init__(self, lex: "_Lexicon", text: str):
        self.lex = lex
        self.text = text
        self.low = _lower_same_length(text)
        # Runs of ASCII letters of the lower-cased sentence: a pattern made of word-list entries
        # cannot match a sentence that has none of their words, so most patterns are never run.
        if any(ch in text for ch in _IGNORECASE_ODD):
            self.words: frozenset[str] | None = None
        else:
            self.words = frozenset(_ASCII_WORD.findall(self.low))
        self._third_person: list[tuple[int, int]] | None = None
        self._first_person: list[tuple[int, int]] | None = None
        self._fronted_time: re.Match | None | bool = False

    def has_digit(self) -> bool:
        return _DIGIT.search(self.text) is not None

    def may_contain(self, gate: frozenset[str] | None) -> bool:
        """False when the sentence has none of the words in ``gate`` (then no entry can match)."""
        return gate is None or self.words is None or not gate.isdisjoint(self.words)

    def third_person(self) -> list[tuple[int, int]]:
        if self._third_person is None:
            lex = self.lex
            self._third_person = ([m.span() for m in lex.third_person.finditer(self.text)]
                                  if self.may_contain(lex.third_person_gate) else [])
        return self._third_person

    def first_person(self) -> list[tuple[int, int]]:
        if self._first_person is None:
            lex = self.lex
            self._first_person = ([m.span() for m in lex.first_person.finditer(self.text)]
                                  if self.may_contain(lex.first_person_gate) else [])
        return self._first_person

    def fronted_time(self, before: int) -> str:
        """A sentence-opening time phrase ending by ``before``: "In 2016, ..." (see _fronted_adverbial).

        The phrase ends at its first comma whatever comes later, so the whole sentence's match serves."""
        if self._fronted_time is False:
            self._fronted_time = _FRONTED_TIME.match(self.text)
        m = self._fronted_time
        return m.group(0) if m and m.end() <= before else ""


@dataclass
class _DocState:
    """What earlier sentences established: the last actor named, people and their sides, places."""

    last_actor: str | None = None
    last_claimant: str | None = None
    last_claimant_actor: str | None = None
    people: dict[str, str] = field(default_factory=dict)  # name -> actor
    places: list[_PlaceRef] = field(default_factory=list)
    # "Dec 6 - Local fighters seize Daraa. Government forces withdraw from X.": the date that heads a
    # line of a timeline dates the line's later sentences too (until ``line_end``).
    line_date: tuple | None = None  # (date, precision)
    line_end: int = 0
    # Speakers by their head noun, for a later "the ministry said": "ministry" -> (claimant, actor),
    # or None once two parties' speakers share the noun (then "the ministry" stays unresolved).
    speakers: dict[str, tuple[str, str] | None] = field(default_factory=dict)
    _people_longest_first: list[tuple[str, str]] | None = None

    def learn_person(self, name: str, actor: str) -> None:
        self.people[name] = actor
        self._people_longest_first = None

    def people_longest_first(self) -> list[tuple[str, str]]:
        if self._people_longest_first is None:
            self._people_longest_first = sorted(self.people.items(), key=lambda kv: -len(kv[0]))
        return self._people_longest_first


class _Lexicon:
    """The compiled lexicons for one profile (actor aliases feed the {ACTOR} placeholders)."""

    def __init__(self, profile: Profile):
        events = load_toml("lexicons/events.toml")
        cues = load_toml("lexicons/claims.toml")
        self.profile = profile
        actor_alts = []
        for names in profile.aliases.values():
            actor_alts += [re.escape(n).replace("'", "['’]").replace(r"\ ", r"\s+") for n in names]
        for names in profile.case_sensitive.values():
            actor_alts += [f"(?-i:{re.escape(n)})" for n in names]
        actor_alts.sort(key=len, reverse=True)
        actor_rx = "(?P<actor>(?:the |its |their )?(?:" + "|".join(actor_alts) + "))"
        number_rx = (r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:\s?[-–]\s?\d+(?:\.\d+)?)?|"
                     + _words(list(_NUMBER_WORDS)) + ")")
        unit_rx = "(?P<unit>" + _words(list(_UNITS)) + ")"

        self.triggers: list[tuple[re.Pattern, dict]] = []
        # Every pattern contains one of its literal words: an Aho-Corasick pass over a sentence
        # tells which patterns can match at all, so most are never run.
        self.literals = ahocorasick.Automaton()
        by_literal: dict[str, set[int]] = {}
        self.always: set[int] = set()
        # The pattern's other required words (one of each set), tested as substrings before it runs:
        # "sent ... troops" needs "troops" (the automaton's pick) and also a verb of sending.
        self.also_needed: list[tuple[tuple[str, ...], ...]] = []
        for spec in events["trigger"]:
            for pattern in spec["patterns"]:
                options = _literal_options(pattern, {"N": number_rx, "UNIT": unit_rx})
                literals = options[0] if options else set()
                self.also_needed.append(tuple(tuple(sorted(o)) for o in options[1:3] if not _too_common(o)))
                if not literals:
                    self.always.add(len(self.triggers))
                for lit in literals:
                    by_literal.setdefault(lit, set()).add(len(self.triggers))
                rx = pattern.replace("{N}", number_rx).replace("{UNIT}", unit_rx)
                uses_actor = "{ACTOR}" in rx
                rx = rx.replace("{ACTOR}", actor_rx)
                # The word boundary before a match is checked in _triggers (a leading look-behind
                # would stop the regex engine from skipping ahead to the pattern's first letters);
                # a pattern that ends in a space ("took " before a name) has its end boundary already.
                source = r"(?:" + rx + r")(?:(?<=\s)|(?![\w-]))"
                # A pattern with no case-sensitive part runs case-sensitively on the lower-cased
                # sentence: the regex engine then skips ahead to the pattern's first letters, which
                # it cannot do under re.I (about 3x faster over the whole lexicon).
                on_lower = not _CASE_SENSITIVE_PART.search(_PATTERN_NAMES.sub("", source))
                compiled = re.compile(source) if on_lower else re.compile(source, re.I)
                meta = {
                    "on_lower": on_lower,
                    "type": spec["type"],
                    "fallback": bool(spec.get("fallback", False)),
                    "actor_in_pattern": uses_actor and spec.get("actor") == "pattern",
                    "distance": bool(spec.get("distance", False)),
                }
                self.triggers.append((compiled, meta))
        for lit, indices in by_literal.items():
            self.literals.add_word(lit, frozenset(indices))
        self.literals.make_automaton()
        # One cheap pre-filter: a sentence with none of the triggers' leading words is skipped.
        # Case-sensitive: "says" is a verb, "United States" is not.
        self.speech = re.compile(
            r"(?<![\w-])(?P<verb>" + _words(cues["speech_verbs"]) + r")(?![\w-])")
        # These two run on the lower-cased sentence (see _triggers for why).
        self.denial_verb = re.compile(
            r"(?<![\w-])(?P<verb>" + _words([w.lower() for w in cues["denial_verbs"]]) + r")(?![\w-])")
        self.speech_prefix = re.compile(
            r"(?<![\w-])(?P<verb>" + _words([w.lower() for w in cues["speech_prefixes"]]) + r")(?![\w-])")
        self.speech_gate = _gate(cues["speech_verbs"])
        self.passive_speech = frozenset(cues["passive_speech_verbs"])
        self.denial_gate = _gate(cues["denial_verbs"])
        self.speech_prefix_gate = _gate(cues["speech_prefixes"])
        self.third_person = re.compile(r"(?<![\w-])(?:" + _words(cues["third_person"]) + r")(?![\w-])", re.I)
        self.third_person_gate = _gate(cues["third_person"])
        self.possessive_pronoun = re.compile(r"(?<![\w-])(?:its|their)\s+(?:own\s+)?(?:\w+\s+)?$", re.I)
        self.first_person = re.compile(r"(?<![\w-])(?:" + _words(cues["first_person"]) + r")(?![\w-])", re.I)
        self.first_person_gate = _gate(cues["first_person"])
        self.personal_subject = re.compile(
            r"(?<![\w-])(?:" + _words(cues["personal"]) + r")\s+(?:(?:had|has|have|was|were|is|also|reportedly|then)\s+)*$", re.I)
        self.personal = re.compile(r"(?<![\w-])(?:" + _words(cues["personal"]) + r")(?![\w-])", re.I)
        self.modal = re.compile(r"(?<![\w-])(?:" + _words(cues["modal"]) + r")(?![\w-])", re.I)
        # "to" right before a trigger (an adverb may stand between) makes an infinitive.
        self.to_before = re.compile(
            r"\bto\s+(?:\w+ly\s+)?(?:(?:" + _words(cues["infinitive_bridges"]) + r")\s+)?$", re.I)
        self.realising = re.compile(r"(?<![\w-])(?:" + _words(cues["realising_before_to"]) + r")\s+to\s+(?:\w+ly\s+)?$", re.I)
        self.negation = re.compile(r"(?<![\w-])(?:" + _words(cues["negation"]) + r")(?![\w-])|n't\b", re.I)
        self.negation_window = int(cues.get("negation_window", 4))
        self.background_templates = cues["background"]
        # Templates with a digit or a year need a digit in the sentence; the others one of their words.
        with_digits = [t for t in self.background_templates if "\\d" in t or "{PASTYEAR}" in t]
        plain = [t for t in self.background_templates if t not in with_digits]
        self.background_needs_digit = bool(with_digits)
        self.background_gate = (_gate(plain) if all(re.escape(t) == t.replace(" ", "\\ ") for t in plain)
                                else None)
        self.landmark = re.compile(r"(?<![\w-])(?:" + _words(cues["landmark"]) + r")(?![\w-])", re.I)
        self.near = re.compile(r"(?<![\w-])(?:" + _words(cues["near"]) + r")\s+(?:the\s+)?(?:city of\s+)?$", re.I)
        # A capitalised word right after a verb is a name (the verb's own place, if we could not resolve
        # it), unless it is a day or a month ("seized by rebels Sunday") or an owner ("Assad's heartland
        # of Latakia").
        calendar = load_toml("lexicons/dates.toml")
        calendar_words = _words([*calendar["months"], *calendar["weekdays"]])
        self.unresolved_object = re.compile(
            r"\s*(?:the\s+)?(?:(?:[a-z-]+\s+){0,2}(?:" + _words(cues["place_nouns"]) + r")\s+of\s+)?"
            r"(?-i:(?!(?:" + calendar_words + r")\b)(?:[a-z]{1,3}-)?[A-Z])(?![\w-]*['’]s\b)", re.I)
        # "in a statement", "on its website": a preposition and a common noun phrase, no one named.
        # A lower-case word after a verb that is none of these starts its object ("capturing villages").
        self.object_follows = re.compile(
            r"\s*(?!(?:" + _words(_GRAMMAR["not_object_openers"]) + r")\b)(?-i:[a-z])", re.I)
        self.preposition_first = re.compile(r"(?:" + _words(_GRAMMAR["not_speaker_openers"]) + r")\s", re.I)
        self.not_speaker = re.compile(r"(?:" + _words(_GRAMMAR["not_speaker_openers"]) + r")\s+"
                                      r"(?:a|an|the|its|their|his|her)\s+(?-i:[a-z-]+\s+){0,2}(?-i:[a-z-]+)$", re.I)
        # "Homs countryside town of Talbiseh": the first place only qualifies the second.
        self.qualifier_gap = re.compile(
            r"\s+(?:(?!(?:and|or)\b)[\w’'-]+\s+){0,2}?(?:" + _words(cues["place_nouns"]) + r")\s+of\s+(?:the\s+)?", re.I)
        self.destination = re.compile(
            r"(?<![\w-])(?:" + _words(_GRAMMAR["destination_before"]) + r")\s+(?:the\s+)?(?:(?:[\w-]+\s+){0,2}(?:"
            + _words(cues["place_nouns"]) + r")\s+of\s+)?$", re.I)
        self.route = re.compile(r"(?<![\w-])(?:" + _words(_GRAMMAR["route_markers"]) + r")(?![\w-])", re.I)
        self.not_subject_after = re.compile(
            r"(?<![\w-])(?:" + _words(_GRAMMAR["not_subject_after"]) + r")\s+(?:the\s+)?$", re.I)
        self.backer = re.compile(r"\b(?:" + _words(cues["backing_verbs"]) + r")\s+by\s+(?:the\s+)?$", re.I)
        self.anaphora = {k: v for k, v in cues["anaphora"].items()}
        # Matched on the lower-cased sentence. Not "there is"; and not "the town of Tal Rifaat" (a name
        # follows: it is no back-reference), which _place_refs checks on the sentence as written.
        self.anaphor_rx = re.compile(
            r"(?<![\w-])(?P<a>" + _words([a.lower() for a in self.anaphora]) + r")(?![\w-])"
            r"(?!\s+(?:is|are|was|were|has|have|had|will|would)\b)")
        self.anaphor_gate = _gate(list(self.anaphora))
        titles = _words(cues["people"]["titles"])
        self.title_word = re.compile(r"\b(?:" + titles + r")\b")
        self.title_gate = _gate(cues["people"]["titles"])
        self.person_intro = re.compile(
            r"(?P<role>(?:[\w’'-]+\s+){0,3}?)(?:" + titles + r")\s+(?P<name>(?:(?:[A-Z][\w’'-]+|al-[A-Z][\w’'-]+|bin|abu|Abu|Abdel|Abdul|de|van)\s+){0,3}[A-Z][\w’'-]+)"
        )

    def background(self, published_year: int | None) -> re.Pattern:
        past = r"(?:1[89]\d\d|20\d\d)"
        if published_year:
            past = "(?:" + "|".join(str(y) for y in range(1900, published_year)) + ")"
        alts = [t.replace("{PASTYEAR}", past) for t in self.background_templates]
        return re.compile(r"(?<![\w-])(?:" + "|".join(alts) + r")(?![\w-])", re.I)


@lru_cache(maxsize=8)
def _lexicon(profile_id: str) -> _Lexicon:
    return _Lexicon(load_profile(profile_id))


@lru_cache(maxsize=64)
def _background_rx(profile_id: str, year: int | None) -> re.Pattern:
    return _lexicon(profile_id).background(year)


def extract(doc: Document, profile: Profile | str = "syria") -> list[Claim]:
    """Every claim the document's sentences report; also stored on ``doc.claims``."""
    if isinstance(profile, str):
        profile = load_profile(profile)
    lex = _lexicon(profile.id)
    published = doc.article.published
    year = published.year if published else _latest_year(doc.text)
    background = _background_rx(profile.id, year)
    state = _DocState(people=dict(profile.people))
    toponyms = sorted((t for t in doc.toponyms if t.place is not None and not t.dateline), key=lambda t: t.start)
    toponym_starts = [t.start for t in toponyms]
    claims: list[Claim] = []
    for sentence in doc.sentences:
        _heading_date(doc, sentence, state)
        scan = _Scan(lex, sentence.text.translate(_QUOTES))
        text, low = scan.text, scan.low
        _learn_people(lex, scan, state)
        refs = _place_refs(lex, sentence, scan, toponyms, toponym_starts, state)
        mentions = profile.actor_mentions(text)
        triggers = _triggers(lex, text, low) if refs else []
        if triggers:
            speeches = _speeches(lex, sentence.text, scan, state, profile)
            claims += _sentence_claims(
                lex, doc, sentence, scan, triggers, refs, mentions, speeches, state, background)
        else:
            # Later sentences only need who spoke last ("..., it said."): one attribution, not all.
            speeches = _speeches(lex, sentence.text, scan, state, profile, last_only=True)
        state.places += [r for r in refs if r.scale != "country"]
        _remember_actor(lex, text, mentions, state, speeches)
    doc.claims = claims
    return claims


# --- the steps -----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _word_ranks() -> dict[str, int]:
    """Rank of each word in English by frequency (1 = most frequent), from the geoparser's list."""
    return {w: i for i, w in enumerate(read_word_list(DATA_DIR / "lexicons" / "common_english.txt"), 1)}


def _too_common(words: set[str]) -> bool:
    """A set with a word among the most frequent in English ("in", "of"): nearly every sentence has one."""
    ranks = _word_ranks()
    return any(ranks.get(w, len(ranks) + 1) <= 100 for w in words)


def _literals(pattern: str, placeholders: dict[str, str] | None = None) -> set[str]:
    """Literal words, one of which every match of the pattern contains (lower case).

    Read from the regex's parse tree, with ``placeholders`` ({UNIT}, {N}) expanded and the others
    ({ACTOR}) left out: a required literal run, or the union over an alternation's branches,
    whichever set is rarest in English (the fewest sentences would run the pattern for nothing)."""
    options = _literal_options(pattern, placeholders)
    return options[0] if options else set()


def _literal_options(pattern: str, placeholders: dict[str, str] | None = None) -> list[set[str]]:
    """Every set of literal words that a match of the pattern must contain one of, rarest first."""
    from re import _parser

    for name, rx in (placeholders or {}).items():
        pattern = pattern.replace("{" + name + "}", rx)
    tree = _parser.parse(re.sub(r"\{[A-Z]+\}", "", pattern), re.I)
    return _hitting_sets(list(tree), _word_ranks())


def _hitting_set(items: list, ranks: dict[str, int]) -> set[str] | None:
    options = _hitting_sets(items, ranks)
    return options[0] if options else None


def _hitting_sets(items: list, ranks: dict[str, int]) -> list[set[str]]:
    from re import _constants as c

    options: list[set[str]] = []
    run: list[str] = []

    def flush() -> None:
        for piece in re.findall(r"[a-z]{2,}", "".join(run).lower()):
            options.append({piece})
        run.clear()

    for op, av in items:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        if op is c.BRANCH:
            # The parser factors a prefix common to all branches out in front ("re" of "regain|restore"):
            # give it back to each branch so that words stay whole.
            prefix = [(c.LITERAL, ord(ch)) for ch in run]
            run.clear()
            subs = [_hitting_set(prefix + list(b), ranks) for b in av[1]]
            if all(subs):
                options.append(set().union(*subs))
            continue
        flush()
        if op is c.SUBPATTERN:
            sub = _hitting_set(list(av[-1]), ranks)
            if sub:
                options.append(sub)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            sub = _hitting_set(list(av[2]), ranks)
            if sub:
                options.append(sub)
    flush()
    # Zipf: a word's share of running text falls as 1/rank; words not in the list are rarer still.
    rare = len(ranks) + 1
    return sorted(options, key=lambda words: sum(1.0 / ranks.get(w, rare) for w in words))


def _lower_same_length(text: str) -> str:
    """``text`` lower-cased character by character, keeping offsets ("İ" lower-cases to two characters)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def _has_one_of_each(text: str, word_sets: tuple[tuple[str, ...], ...]) -> bool:
    for words in word_sets:
        for word in words:
            if word in text:
                break
        else:
            return False
    return True


def _triggers(lex: _Lexicon, text: str, low: str) -> list[_Trigger]:
    """The event triggers of a sentence (``low``: the sentence lower-cased, same offsets)."""
    found: list[_Trigger] = []
    candidates: set[int] = set(lex.always)
    for _, indices in lex.literals.iter(low):
        candidates |= indices
    also_needed = lex.also_needed
    for i in sorted(candidates):
        if also_needed[i] and not _has_one_of_each(low, also_needed[i]):
            continue
        rx, meta = lex.triggers[i]
        for m in rx.finditer(low if meta["on_lower"] else text):
            if m.start() and (text[m.start() - 1].isalnum() or text[m.start() - 1] in "-_"):
                continue
            t = _Trigger(meta["type"], m.start(), m.end(), text[m.start():m.end()], meta["fallback"])
            if meta["actor_in_pattern"] and m.groupdict().get("actor"):
                t.actor = lex.profile.actor_of(text[m.start("actor"):m.end("actor")])
            if meta["distance"]:
                t.distance_km = _distance_km(m.group("num"), m.group("unit"))
            found.append(t)
    # Longest match wins where matches overlap; ties go to the earlier lexicon entry.
    found.sort(key=lambda t: (-(t.end - t.start), t.start))
    kept: list[_Trigger] = []
    for t in found:
        if all(t.end <= k.start or t.start >= k.end for k in kept):
            kept.append(t)
    kept.sort(key=lambda t: t.start)
    return kept


def _place_refs(lex: _Lexicon, sentence: Sentence, scan: _Scan, toponyms: list[Toponym],
                toponym_starts: list[int], state: _DocState) -> list[_PlaceRef]:
    """The sentence's toponyms and back-references (``toponym_starts``: where ``toponyms`` start)."""
    text = scan.text
    refs = []
    for i in range(bisect.bisect_left(toponym_starts, sentence.start), len(toponyms)):
        t = toponyms[i]
        if t.start >= sentence.end:
            break
        if t.end <= sentence.end:
            refs.append(_PlaceRef(t.start - sentence.start, t.end - sentence.start, t.text, t.place))
    if not scan.may_contain(lex.anaphor_gate):
        return refs
    for m in lex.anaphor_rx.finditer(scan.low):
        if any(r.start <= m.start() < r.end for r in refs) or _OF_A_NAME.match(text, m.end()):
            continue
        scales = lex.anaphora.get(m.group("a"), [])
        earlier = [r for r in refs if r.end <= m.start()] + state.places[::-1]
        # Nearest earlier place of a fitting scale: in this sentence first, then before it.
        in_sentence = [r for r in refs if r.end <= m.start() and r.scale in scales]
        target = in_sentence[-1] if in_sentence else next((r for r in earlier if r.scale in scales), None)
        if target is not None:
            refs.append(_PlaceRef(m.start(), m.end(), text[m.start():m.end()], target.place))
    refs.sort(key=lambda r: r.start)
    return refs


def _speeches(lex: _Lexicon, text: str, scan: _Scan, state: _DocState, profile: Profile,
              last_only: bool = False) -> list[_Speech]:
    """The attributions of a sentence (``text``: as written; ``scan``: with quotation marks blanked)."""
    out: list[_Speech] = []
    verbs = list(lex.speech.finditer(text)) if scan.may_contain(lex.speech_gate) else []
    if last_only:
        if not verbs:
            return []
        verbs = verbs[-1:]
    for m in verbs:
        if _PASSIVE_BEFORE.search(text, max(0, m.start() - 12), m.start()) and not _BY_AGENT.match(text, m.end()):
            continue  # "the army had been told that ...": the army is told, no one speaks
        if m.group("verb").lower().endswith("ing") and out:
            # "..., said X, adding that ...": the same speaker goes on.
            prev = out[-1]
            out.append(_Speech(m.start(), m.end(), prev.claimant, prev.actor, True))
            continue
        by = _BY_AGENT.match(text, m.end()) if m.group("verb").lower() in lex.passive_speech else None
        if by:
            # "..., and the loss of Hama was confirmed by state media": the agent speaks.
            agent = _phrase_after(text, by.end())
            if agent:
                out.append(_make_speech(profile, state, m, agent, False))
            continue
        before, before_start = _phrase_before_at(text, m.start())
        if before and lex.not_speaker.fullmatch(before):
            continue  # "..., in a statement posted on X": a participle, with no speaker of its own
        if before and lex.preposition_first.match(before) and text[:m.start()].rstrip().endswith(","):
            before = ""  # '"a huge humiliation" for Assad, said X': the speaker follows the verb
        if before and _INDEFINITE.match(before) and text[:m.start()].rstrip().endswith(","):
            # "Residents of Jaramana, a suburb of Damascus, said": the appositive describes the
            # speaker named before it (and may tell its side: "Abu Omar, a rebel commander, said").
            comma = text.rfind(",", 0, before_start)
            name, name_start = _phrase_before_at(text, comma) if comma > 0 else ("", 0)
            if name and len(name.split()) <= 6 and not _is_pronoun(lex, name) and not _INDEFINITE.match(name):
                speech = _make_speech(profile, state, m, name, True)
                speech.phrase_start = name_start
                _take_side(profile, state, speech, _clean_phrase(name), before)
                out.append(speech)
                continue
        if before and not _is_pronoun(lex, before):
            out.append(_make_speech(profile, state, m, before, True))
            out[-1].phrase_start = before_start
        elif before:
            claimant, actor = _pronoun_claimant(lex, before, state)
            out.append(_Speech(m.start(), m.end(), claimant, actor, True))
        else:
            after_phrase = _phrase_after(text, m.end())
            if after_phrase and not _is_pronoun(lex, after_phrase.split()[0]):  # "said they were ...": content
                speech = _make_speech(profile, state, m, after_phrase, False)
                at = text.find(after_phrase, m.end())
                appositive = _APPOSITIVE.match(text, at + len(after_phrase)) if at >= 0 else None
                if appositive:
                    _take_side(profile, state, speech, after_phrase, appositive.group(1))
                out.append(speech)
    # On the lower-cased sentence, same offsets (its quotation marks are blanked: the verbs are words).
    low = scan.low
    if scan.may_contain(lex.speech_prefix_gate):
        for m in lex.speech_prefix.finditer(low):
            phrase = _phrase_after(text, m.end())
            if phrase:
                out.append(_make_speech(profile, state, m, phrase, False))
    if not scan.may_contain(lex.denial_gate):
        out.sort(key=lambda s: s.verb_start)
        return out
    for m in lex.denial_verb.finditer(low):
        phrase = _phrase_before(text, m.start())
        if phrase and not _is_pronoun(lex, phrase):
            speech = _make_speech(profile, state, m, phrase, True)
            speech.denial = True
            out.append(speech)
    out.sort(key=lambda s: s.verb_start)
    return out


def _make_speech(profile: Profile, state: _DocState, m: re.Match, phrase: str, before: bool) -> _Speech:
    phrase = _clean_phrase(phrase)
    actor = _actor_of_phrase(profile, phrase, state)
    claimant = profile.canonical_claimant(phrase)
    head = phrase.rsplit(" ", 1)[-1].lower()
    if actor is None and " " not in phrase and state.speakers.get(head):
        # "the ministry said" after "The defence ministry said": the same speaker.
        claimant, actor = state.speakers[head]  # type: ignore[misc]
    elif actor is not None and head.isalpha():
        known = state.speakers.get(head, (claimant, actor))
        state.speakers[head] = (claimant, actor) if known and known[1] == actor else None
    if claimant == phrase and len(phrase.split()) > 4:
        # A long subject such as "Rebels on a lightning advance through Syria": name its party.
        mentions = profile.actor_mentions(phrase)
        if mentions and mentions[0].start == 0 and _SUBJECT_MODIFIER.match(phrase, mentions[0].end):
            claimant = mentions[0].text
    return _Speech(m.start(), m.end(), claimant, actor, before)


def _take_side(profile: Profile, state: _DocState, speech: _Speech, name: str, description: str) -> None:
    """ "said Abu Omar, a rebel commander," / "Abu Omar, a rebel commander, said": the description
    tells whose side a speaker of no known side is on; the name keeps that side for the rest of the
    document."""
    if speech.actor is not None:
        return
    actor = profile.actor_of(description)
    if actor:
        speech.actor = actor
        if name[:1].isupper():
            state.learn_person(name, actor)


def _sentence_claims(lex, doc, sentence, scan, triggers, refs, mentions, speeches, state, background) -> list[Claim]:
    profile = lex.profile
    text = scan.text
    triggers = _merge_distances(text, triggers)
    # Denials first: what they deny is not itself a claim, and lends them its places.
    denial_places: dict[int, list[_PlaceRef]] = {}
    for i, t in enumerate(triggers):
        if t.type != "denial":
            continue
        end = _clause_end(text, t.end)
        denied = [u for u in triggers[i + 1:] if u.start < end and u.type in DENIABLE
                  and (u.actor or _subject_actor(lex, scan, u, mentions, None, state))]
        if not denied:
            continue
        for u in denied:
            u.denied = True
        places = [r for r in refs if t.end <= r.start < end]
        denial_places[i] = places

    unreal = set()
    for t in triggers:
        clause_start = _clause_start(text, t.start)
        if (_unreal(lex, text, text[clause_start:t.start], t)
                or _background(lex, scan, background, _clause_text(text, clause_start, t.end))
                or _background(lex, scan, background, _fronted_adverbial(scan, t.start))):
            unreal.add(id(t))
    # An unreal trigger ("redeploying forces to defend X") does not end the real one's phrase.
    real = [t for t in triggers if id(t) not in unreal]
    # A distance that locates a place ("Sanamayn, some 20 km from Damascus") is no claim, but it still
    # ends the phrase of the verb before it (Damascus was not captured).
    locating = {id(t) for t in real if _locates_a_place(text, t, refs, mentions)}
    claims: list[Claim] = []
    seen: set[tuple] = set()
    for i, t in enumerate(triggers):
        if t.denied or id(t) in unreal or id(t) in locating:
            continue
        if t.type == "denial" and i not in denial_places:
            continue  # a denial of something other than a control change
        event_type = t.type
        negated = _negated(lex, text, t)
        if negated:
            # "State television reported that the insurgents had not entered Homs": a denial by
            # whoever reports it, of the other side's capture or advance.
            if t.type in {"capture", "advance"} and any(s.verb_start < t.start for s in speeches):
                event_type = "denial"
            else:
                continue

        if event_type == "denial":
            places = denial_places.get(i) or _objects(lex, text, t, refs, real)
            if not places:
                continue
            speech = _speech_for(text, speeches, t)
            actor = _denial_actor(lex, scan, t, mentions, speech, state)
            claimant = speech.claimant if speech else None
            if t.type == "denial":
                subject = _phrase_before(text, t.start)
                if subject and not _is_pronoun(lex, subject):
                    claimant = profile.canonical_claimant(_clean_phrase(subject))
        else:
            places = _objects(lex, text, t, refs, real)
            if event_type == "withdrawal":
                # "withdrew toward Homs": where they went, not what they left.
                places = [p for p in places if not lex.destination.search(text, max(0, p.start - 40), p.start)]
            if not places:
                fronted = _fronted_place(text, refs)
                if fronted is not None and fronted.end <= t.start:
                    places = [fronted]
            if not places and t.fallback:
                places = _fallback_place(lex, text, t, refs, real)
            if not places:
                continue
            speech = _speech_for(text, speeches, t)
            actor = t.actor or _subject_actor(lex, scan, t, mentions, speech, state)
            claimant = speech.claimant if speech else None
        actors = actor if isinstance(actor, tuple) else (actor,)
        actors = tuple(a for a in actors if a in profile.actor_labels and profile.can_act(a, event_type))
        if not actors:
            continue
        places = [p for p in _specific(places, refs, event_type) if profile.in_theatre(p.place.country)]
        starts = sorted(p.start for p in places)
        for ref in places:
            # Up to the next place of the list: "took Hama on Thursday and Homs on Saturday".
            own_end = next((s for s in starts if s > ref.start), len(text))
            for a in actors:
                key = (ref.place.place_id, event_type, a, t.distance_km)
                if key in seen:
                    continue
                seen.add(key)
                claims.append(_claim(lex, doc, sentence, text, t, ref, event_type, a, claimant, state, own_end))
    return claims


def _merge_distances(text: str, triggers: list[_Trigger]) -> list[_Trigger]:
    """A distance right after a verb qualifies that verb's place: "withdrawing from towns 10
    kilometres from Damascus" is a withdrawal near Damascus, not an advance."""
    out: list[_Trigger] = []
    for t in triggers:
        prev = out[-1] if out else None
        if (t.distance_km is not None and prev is not None and prev.type not in ("advance", "denial")
                and prev.distance_km is None and len(text[prev.end:t.start]) <= 40
                and not _COMMA_OR_SEMICOLON.search(text, prev.end, t.start)):
            prev.end, prev.distance_km = t.end, t.distance_km
            prev.text = text[prev.start:prev.end]
            continue
        out.append(t)
    return out


# --- reality checks --------------------------------------------------------------------------


def _background(lex: _Lexicon, scan: _Scan, background: re.Pattern, part: str) -> bool:
    """History told as background in ``part`` of the sentence (a clause, a fronted phrase)."""
    if not part:
        return False
    # The parts start and end at word boundaries, so their words are words of the sentence.
    if not (scan.may_contain(lex.background_gate) or (lex.background_needs_digit and scan.has_digit())):
        return False
    return bool(background.search(part))


def _locates_a_place(text: str, t: _Trigger, refs: list[_PlaceRef], mentions: list[ActorMention]) -> bool:
    """A distance in apposition to a place says where that place is, not how far anyone got: "the town
    of al-Sanamayn, about 50km south of Damascus" (the place may be one we could not resolve; a party
    is no place: "HTS, now 20 km from Damascus, said")."""
    if t.distance_km is None:
        return False
    name = _NAME_BEFORE_COMMA.search(text, 0, t.start)
    if not name:
        return False
    return (any(r.start <= name.start() < r.end or r.start == name.start() for r in refs)
            or not any(m.start <= name.start() < m.end for m in mentions))


def _unreal(lex: _Lexicon, text: str, clause: str, t: _Trigger) -> bool:
    if lex.modal.search(clause):
        return True
    before = text[:t.start]
    if t.distance_km is not None:
        # "advanced to within 10 km of X": that "to" is a preposition; the verb before it may
        # still be an infinitive ("plan to advance to within ...").
        verb_to = _VERB_TO_END.search(before[-40:])
        if verb_to:
            before = before[:len(before) - len(verb_to.group(0))]
    if lex.to_before.search(before[-40:]) and not lex.realising.search(before[-60:]):
        return True
    return False


def _negated(lex: _Lexicon, text: str, t: _Trigger) -> bool:
    window = " ".join(text[:t.start].split()[-lex.negation_window:])
    if t.text.lower().startswith("no longer"):
        return False
    return bool(lex.negation.search(window))


# --- places ----------------------------------------------------------------------------------


def _objects(lex: _Lexicon, text: str, t: _Trigger, refs: list[_PlaceRef],
             triggers: list[_Trigger]) -> list[_PlaceRef]:
    """The places a trigger governs: the first one after it, and those coordinated with it."""
    next_start = min((u.start for u in triggers if u.start >= t.end), default=len(text))
    after = [r for r in refs if r.start >= t.end and r.start < next_start]
    unresolved = lex.unresolved_object.match(text, t.end)
    if unresolved and (not after or unresolved.end() <= after[0].start):
        # "took the town of al-Sanamayn, about 50 km south of Damascus": the verb's own place is a name
        # we could not resolve; the places after it are landmarks, not what was taken.
        return []
    out: list[_PlaceRef] = []
    last_end = t.end
    for k, r in enumerate(after):
        gap = text[last_end:r.start]
        if _subject_of_next(text, r, triggers):
            break  # "..., Daraa was taken by": the place is the next clause's subject
        nxt = after[k + 1] if k + 1 < len(after) else None
        if nxt is not None and (
                r.scale == "country" and _COUNTRY_TO_PLACE_GAP.fullmatch(text, r.end, nxt.start)
                or lex.qualifier_gap.fullmatch(text, r.end, nxt.start)):
            if out or _governed_gap(lex, gap):
                last_end = r.end
                continue  # "Syria's Qusayr area", "the Homs town of Talbiseh": the first only qualifies the second
        if not out:
            if not _governed_gap(lex, gap) or lex.route.search(gap):
                break  # "seized the road between Hama and Homs": the ends of a route, not what was taken
            out.append(r)
        else:
            prev = out[-1]
            if _contains(prev.place, r.place) and _CONTAINER_GAP.fullmatch(gap):
                last_end = r.end
                continue  # "Saasaa ... in the Damascus countryside": a container, not another place
            if lex.landmark.search(gap) or not _coordinated_gap(lex, gap):
                break
            out.append(r)
        last_end = r.end
    out += _resumed(text, t, refs, out, triggers)
    return out


def _resumed(text: str, t: _Trigger, refs: list[_PlaceRef], taken: list[_PlaceRef],
             triggers: list[_Trigger]) -> list[_PlaceRef]:
    """Places that resume a trigger's list after an interruption: "evacuations from Quneitra,
    near X, where Y happened, as well as from Deir Ezzor"."""
    prep = _TRAILING_PREPOSITION.search(t.text)
    if not prep:
        return []
    rx = _resumption(prep.group(1))
    out = []
    for r in refs:
        if r.start <= t.end or r in taken or r.scale == "country":
            continue
        if rx.search(text[max(0, r.start - 30):r.start]):
            out.append(r)
    return out


@lru_cache(maxsize=64)
def _resumption(preposition: str) -> re.Pattern:
    """ "..., as well as from": a list resumed with the trigger's preposition."""
    return re.compile(r"(?:,\s*|\s)(?:as well as|and|or)\s+(?:also\s+)?" + preposition + r"\s+(?:the\s+)?$", re.I)


def _subject_of_next(text: str, r: _PlaceRef, triggers: list[_Trigger]) -> bool:
    for u in triggers:
        if u.start >= r.end:
            gap = text[r.end:u.start]
            return bool(_VERB_GROUP_GAP.fullmatch(gap))
    return False


def _governed_gap(lex: _Lexicon, gap: str) -> bool:
    if len(gap) > 70 or ";" in gap:
        return False
    if _LIST_CONTINUES.match(gap):
        return False  # a comma right after the verb closes its phrase
    if gap.count(",") > 1:
        return False
    if "," in gap and len(gap) > 45 and not _LIST_INTRO.search(gap):
        return False
    if lex.speech.search(gap):
        return False
    return True


_LIST_INTRO = re.compile(r",\s*(?:including|such as|notably|namely|especially|particularly|like)\s+(?:the\s+)?$", re.I)


def _coordinated_gap(lex: _Lexicon, gap: str) -> bool:
    if len(gap) > 45 or ";" in gap or _LIST_ENDER.search(gap) or lex.speech.search(gap):
        return False  # "Aleppo and Hama, said they had cut the road to Damascus": not one list
    return bool(_LIST_JOINER.search(gap))


def _contains(inner: Place, outer: Place) -> bool:
    rank = {"point": 0, "admin1": 1, "region": 2, "country": 3}
    if rank.get(outer.scale, 0) <= rank.get(inner.scale, 0):
        return False
    if outer.scale == "admin1":
        return inner.province == outer.province
    if outer.scale == "country":
        return inner.country == outer.country
    return True


def _fallback_place(lex: _Lexicon, text: str, t: _Trigger, refs: list[_PlaceRef],
                    triggers: list[_Trigger]) -> list[_PlaceRef]:
    """The place a strong verb with no place of its own is about (``triggers``: the sentence's real ones)."""
    before = [r for r in refs if r.end <= t.start and r.scale != "country"]
    if not before:
        return []
    if lex.unresolved_object.match(text, t.end):
        return []  # "after capturing Saasaa": the verb has its own place, one we could not resolve
    nearest = before[-1]
    if lex.object_follows.match(text, t.end) and any(
            r is nearest for u in triggers if u is not t for r in _objects(lex, text, u, refs, triggers)):
        # "advanced to within 10 km of Hama, ..., after capturing a string of villages": the verb has
        # an object of its own, unnamed, and Hama is another verb's place.
        return []
    gap = text[nearest.end:t.start]
    if _WHERE_CLAUSE.match(gap):
        return [nearest]
    fronted = _fronted_place(text, refs)
    if fronted is not None and fronted.end <= t.start:
        return [fronted]
    if len(gap) <= 80 and ";" not in gap and not lex.landmark.search(text[max(0, nearest.start - 12):nearest.start]):
        return [nearest]
    return []


def _fronted_place(text: str, refs: list[_PlaceRef]) -> _PlaceRef | None:
    """The place of a sentence-opening "In X," / "In nearby X province,"."""
    m = _FRONTED_PLACE.match(text)
    if not m:
        return None
    inside = [r for r in refs if r.end <= m.end() and r.scale != "country"]
    return inside[0] if inside else None


def _specific(places: list[_PlaceRef], refs: list[_PlaceRef], event_type: str) -> list[_PlaceRef]:
    """Countries are no place for a point on a map: use a named place inside them, or nothing."""
    out = []
    for p in places:
        if p.scale == "region" and (p.place.radius_km or 0) > MAX_REGION_KM:
            continue  # "the Middle East", "the Mediterranean": no point on a conflict map
        if p.scale != "country":
            out.append(p)
            continue
        inside = [r for r in refs if r.scale in ("point", "admin1") and r.place.country == p.place.country]
        if inside and event_type == "border_crossing":
            out.append(inside[0])
    return [p for i, p in enumerate(out) if p.place.place_id not in {q.place.place_id for q in out[:i]}]


# --- actors and claimants ----------------------------------------------------------------------


def _subject_actor(lex, scan, t, mentions, speech, state) -> str | None:
    text = scan.text
    # A passive agent: "seized by X", "seized on Friday by X" (the match ends where X may start).
    by = _AGENT_AFTER.match(text, t.end) or (_ENDS_IN_BY.search(t.text) and _OPTIONAL_SPACES.match(text, t.end))
    if by:
        after = [m for m in mentions if by.end() - 1 <= m.start <= by.end() + 12]
        if after:
            return after[0].actor
    clause_start = _subject_clause_start(text, t.start)
    lead = text[clause_start:t.start]
    # "Assad, who was backed by Russia and Iran, fled": the relative clause is not the subject.
    relative = _TRAILING_RELATIVE.search(lead)
    subject_end = clause_start + (relative.start() if relative else len(lead))
    if lex.personal_subject.search(text[clause_start:subject_end]):
        return None  # "he had fled Damascus": a person, not a party to the conflict
    mentions = [m for m in mentions if not (subject_end <= m.start < t.start) and not _backed_by(lex, scan, m.start)]
    candidates = _pronoun_mentions(lex, scan, mentions, speech, state)
    if (speech is not None and speech.phrase_start is not None and speech.verb_end <= t.start
            and not _SHARED_SUBJECT.search(text, speech.verb_end, t.start)
            and not _TO_COMPLEMENT.match(text, speech.verb_end)):
        # "Rebel commander X appeared on state television and said the fighters had taken Y": who
        # speaks is not who acts; the subject stands after the speech verb (unless the trigger is a
        # verb coordinated with it: "insurgents claimed the south, and were within 30 km of X", or
        # the speaker's own infinitive: "Rebels claimed to have captured X").
        candidates = [c for c in candidates if not speech.phrase_start <= c[0] < speech.verb_start]
    # "announced on state television that Damascus had been liberated": a medium, or whom someone
    # told, is no subject.
    candidates = [c for c in candidates if not lex.not_subject_after.search(text, max(0, c[0] - 24), c[0])]
    before = [c for c in candidates if c[1] <= t.start and c[0] >= clause_start]
    if before:
        return _coordinated(text, before)
    before = [c for c in candidates if c[1] <= t.start]
    if before:
        return before[-1][2]
    # A mention that overlaps the trigger: "Russian air strikes targeted ...", "troop evacuations".
    inside = [m for m in mentions if m.start < t.end and m.end > t.start]
    if inside:
        return inside[0].actor
    named = _NAMED_SUBJECT.search(text[clause_start:subject_end])
    if named and named.group(1) not in not_qualifiers():
        return None  # "Assad fled Damascus": someone we cannot place with a party ("After seizing X" names no one)
    # After the trigger only across a comma, for a fronted phrase: "With the capture of X, the
    # rebels ..."; otherwise what follows a verb is its object ("struck rebel positions").
    after = [c for c in candidates if c[0] >= t.end and "," in text[t.end:c[0]]
             and not _HARD_BREAK.search(text, t.end, c[0])]  # not "..., but the army said"
    if after:
        return after[0][2]
    return None


# A speech verb that introduces what it says ("..., and the army told officers that ...") speaks for
# that, not for what came before it.
_OWN_CONTENT = re.compile(r"\s+(?:[\w’'-]+\s+){0,4}?that\b", re.I)
# What follows a speech verb that closes a clause: "..., the monitor said, and ...", "..., X said."
_CLOSES_CLAUSE = re.compile(r"(?:\s+on\s+\w+day)?\s*(?:[.!?;]|$|,\s*(?:and|but|while|whereas|adding|saying|citing)\b)", re.I)
_TRAILING_ACRONYM = re.compile(r"\s*\((?-i:[A-Z][\w.-]{0,9})\)$")
_NAME_BEFORE_COMMA = re.compile(r"(?-i:(?:[a-z]{1,3}-)?[A-Z][\w'’-]*)\s*,\s*$")
_INDEFINITE = re.compile(r"(?:a|an)\s", re.I)
_PASSIVE_BEFORE = re.compile(r"\b(?:been|was|were|is|are|being)\s+$", re.I)
_BY_AGENT = re.compile(r"\s+by\s+")
_TO_COMPLEMENT = re.compile(r"\s+to\s", re.I)
_SHARED_SUBJECT = re.compile(r"\band\s+$", re.I)
_TRAILING_RELATIVE = re.compile(r",\s*(?:who|which|whose)\b[^,;]*,\s*$", re.I)
_NAMED_SUBJECT = re.compile(r"((?-i:[A-Z][\w’'-]+))\s+(?:(?:had|has|have|was|were|also|reportedly)\s+)*$")
_HARD_BREAK = re.compile(r";|\b(?:but|although|though|while|whereas)\b", re.I)
_COORDINATION = re.compile(r"\s*(?:,|and|as well as|along with|together with|,\s*and)\s+(?:(?:the|their|its|allied|other)\s+)*$", re.I)


def _backed_by(lex: _Lexicon, scan: _Scan, start: int) -> bool:
    """ "backed by" (or another backing verb) right before ``start``: the backer is not the subject."""
    text = scan.text
    # The pattern ends in "by" or "the" and spaces: most mentions fail that before any search.
    head = text[:start]
    stripped = len(head.rstrip())
    if stripped == start or scan.words is not None and not (
            scan.low[stripped - 2:stripped] == "by" or scan.low[stripped - 3:stripped] == "the"):
        return False
    return bool(lex.backer.search(text, 0, start))


def _coordinated(text: str, before: list[tuple[int, int, str]]) -> str | tuple[str, ...]:
    """The nearest subject, with the subjects coordinated with it ("government troops and
    allied militias withdrew")."""
    chosen = [before[-1]]
    for prev in reversed(before[:-1]):
        if _COORDINATION.fullmatch(text[prev[1]:chosen[-1][0]]):
            chosen.append(prev)
        else:
            break
    actors = tuple(dict.fromkeys(c[2] for c in reversed(chosen)))
    return actors[0] if len(actors) == 1 else actors


def _denial_actor(lex, scan, t, mentions, speech, state) -> str | None:
    # The one who denies: the subject of "denied", or whoever reports the negated event.
    if t.type == "denial":
        candidates = _pronoun_mentions(lex, scan, mentions, speech, state)
        before = [c for c in candidates if c[1] <= t.start]
        if before:
            return before[-1][2]
    if speech and speech.actor:
        return speech.actor
    return None


def _pronoun_mentions(lex, scan, mentions, speech, state) -> list[tuple[int, int, str]]:
    """Actor mentions plus pronouns resolved to actors, in text order: (start, end, actor)."""
    text = scan.text
    out = []
    for m in mentions:
        actor = m.actor
        if _possessive_before(lex, scan, m.start):
            # "its troops", "their forces": the troops of whoever "its" stands for.
            earlier = [a for a in out if a[1] <= m.start]
            actor = max(earlier)[2] if earlier else (state.last_actor or actor)
        else:
            # The gap after an owner starts with an apostrophe ("Israel's troops").
            owner = [o for o in mentions if o.end < m.start and text[o.end] in "'’"
                     and _POSSESSIVE_GAP.fullmatch(text, o.end, m.start)]
            if owner:
                actor = owner[-1].actor  # "Israel's troops"
        out.append((m.start, m.end, actor))
    taken = [(m.start, m.end) for m in mentions]
    for start, end in scan.third_person():
        if any(s <= start < e for s, e in taken):
            continue
        earlier = [a for a in out if a[1] <= start]
        actor = max(earlier)[2] if earlier else state.last_actor
        if actor:
            out.append((start, end, actor))
    for start, end in scan.first_person():
        actor = speech.actor if speech and speech.actor else state.last_claimant_actor
        if actor:
            out.append((start, end, actor))
    out.sort()
    return out


def _possessive_before(lex: _Lexicon, scan: _Scan, start: int) -> bool:
    """ "its" or "their" (and up to two words) right before ``start``: "its own forces"."""
    lead = scan.text[max(0, start - 24):start]
    # The pattern ends in a space and holds "its" or "their" (in any case: the sentence has no
    # letters that match other letters when case is ignored, or scan.words is None).
    if not lead[-1:].isspace():
        return False
    if scan.words is not None:
        low = scan.low[max(0, start - 24):start]
        if "its" not in low and "their" not in low:
            return False
    return bool(lex.possessive_pronoun.search(lead))


def _speech_for(text: str, speeches: list[_Speech], t: _Trigger) -> _Speech | None:
    if t.type != "denial":
        speeches = [s for s in speeches if not s.denial]
    before = [s for s in speeches if s.verb_end <= t.start]
    # An attribution after a "but"/"while" clause speaks for that clause, not for this one.
    after = [s for s in speeches if s.verb_start >= t.end
             and not _HARD_BREAK.search(text, t.end, s.verb_start)
             and not _OWN_CONTENT.match(text, s.verb_end)]
    # "X said S": X speaks for S; but "..., the monitor said, and <this clause> was confirmed by Y":
    # an attribution that closed the clause before speaks for it when this clause has its own.
    if before and not (after and _CLOSES_CLAUSE.match(text, before[-1].verb_end)):
        return before[-1]
    if not after:
        return None
    # "<what happened>, X said.": the first attribution that closes a clause speaks for it (a later
    # one may speak for a later clause); else the one that closes the sentence.
    closing = [s for s in after if _CLOSES_CLAUSE.match(text, s.verb_end)]
    return closing[0] if closing else after[-1]


def _actor_of_phrase(profile: Profile, phrase: str, state: _DocState) -> str | None:
    for name, actor in state.people_longest_first():
        if name in phrase:
            return actor
    return profile.actor_of(phrase)


def _pronoun_claimant(lex, pronoun: str, state: _DocState) -> tuple[str | None, str | None]:
    if lex.personal.fullmatch(pronoun.strip()):
        return state.last_claimant, state.last_claimant_actor
    return state.last_claimant, state.last_claimant_actor or state.last_actor


def _is_pronoun(lex: _Lexicon, phrase: str) -> bool:
    p = phrase.strip()
    return bool(lex.third_person.fullmatch(p) or lex.personal.fullmatch(p) or lex.first_person.fullmatch(p))


def _learn_people(lex: _Lexicon, scan: _Scan, state: _DocState) -> None:
    text = scan.text
    if not scan.may_contain(lex.title_gate) or not lex.title_word.search(text):
        return
    for m in lex.person_intro.finditer(text):
        actor = lex.profile.actor_of(m.group("role") or "") if m.group("role") else None
        if not actor:
            continue
        name = m.group("name").strip()
        tokens = name.split()
        state.learn_person(name, actor)
        if len(tokens) >= 2:
            state.learn_person(" ".join(tokens[-2:]), actor)
            state.learn_person(tokens[-1], actor)  # "Khaled said" after "spokesman Omar Khaled"
        if len(tokens) >= 3:
            state.learn_person(" ".join(tokens[1:]), actor)


def _remember_actor(lex, text, mentions, state, speeches) -> None:
    if mentions:
        state.last_actor = mentions[-1].actor
    if speeches:
        last = speeches[-1]
        if last.claimant:
            state.last_claimant = last.claimant
        if last.actor:
            state.last_claimant_actor = last.actor


# --- phrases ------------------------------------------------------------------------------------

# A spaced dash ends a phrase too: "BEIRUT (Reuters) - Rebels said", "10:42 GMT - The army says".
_PHRASE_STOP_MARKS = r"(?:[,;:.!?()“”\"]|\s[-–—]+\s)"
_PHRASE_STOP_WORDS = (r"\b(?:that|and said|while|although|though|but|where|which|who|as|with|after|before|when|since"
                      r"|because|until|once)\b")
_PHRASE_STOP = re.compile(rf"{_PHRASE_STOP_MARKS}|{_PHRASE_STOP_WORDS}", re.I)
# The last stop of a phrase, found from the end (a greedy ".*" backs off to it): its matches are single
# marks and whole words, which cannot overlap, so the last one is the one scanning from the start
# would end with.
_LAST_STOP_MARK = re.compile(rf"(?s:.*){_PHRASE_STOP_MARKS}")
_LAST_STOP_WORD = re.compile(rf"(?s:.*){_PHRASE_STOP_WORDS}", re.I)


def _last_stop_end(chunk: str) -> int:
    """Where the last match of _PHRASE_STOP in ``chunk`` ends (0 if none)."""
    mark = _LAST_STOP_MARK.match(chunk)
    cut = mark.end() if mark else 0
    # A word stop after the last mark ends later; one before it ends earlier.
    word = _LAST_STOP_WORD.match(chunk, cut)
    return word.end() if word else cut


def _phrase_before(text: str, end: int) -> str:
    """The noun phrase that ends just before ``end`` (the subject of "X said")."""
    return _phrase_before_at(text, end)[0]


def _phrase_before_at(text: str, end: int) -> tuple[str, int]:
    """:func:`_phrase_before`, and where in ``text`` the stretch it was taken from starts."""
    base = max(0, end - 160)
    chunk = text[base:end].rstrip()
    # "the Syrian Democratic Forces (SDF) said": an acronym in parentheses belongs to the subject.
    if chunk.endswith(")"):
        chunk = _TRAILING_ACRONYM.sub("", chunk)
    # "The SDF, which held Manbij since 2016, said": the subject stands before the relative clause.
    chunk = _RELATIVE_AFTER_SUBJECT.sub("", chunk).rstrip()
    # "The SDF, backed by the United States, said": the participle phrase only describes the subject.
    chunk = _PARTICIPLE_AFTER_SUBJECT.sub("", chunk).rstrip()
    if chunk.endswith(","):
        chunk = chunk[:-1]  # "the mayor of X, told Reuters": an appositive subject
    cut = _last_stop_end(chunk)
    phrase = chunk[cut:].strip()
    words = phrase.split()
    # Adverbs and auxiliaries between subject and verb: "Abdel Ghani said earlier", "flatly denied".
    while words and words[-1].lower() in _SPEAKER_ADVERBS:
        words.pop()
    return " ".join(words[-10:]), base + cut


def _phrase_after(text: str, start: int) -> str:
    chunk = text[start:start + 120]
    m = _PHRASE_STOP.search(chunk)
    phrase = chunk[:m.start()] if m else chunk
    phrase = _SPEAKER_PHRASE_END.split(phrase, maxsplit=1)[0]
    return phrase.strip()


def _clean_phrase(phrase: str) -> str:
    phrase = _SPEAKER_OPENERS.sub("", phrase.strip(" -–—"))
    phrase = _TRAILING_DAY.sub("", phrase)
    phrase = _LEADING_DAY.sub("", phrase)
    phrase = _SPACES.sub(" ", phrase).strip(" ,.;:“”\"'’")
    return phrase[:100]


def _clause_start(text: str, pos: int) -> int:
    starts = [m.end() for m in _CLAUSE_BREAK.finditer(text, 0, pos)]
    return starts[-1] if starts else 0


def _subject_clause_start(text: str, pos: int) -> int:
    # Clauses for the subject search: only hard breaks, so "The army said it was redeploying"
    # and "After the rebels seized X" keep their subjects.
    starts = [m.end() for m in _SUBJECT_CLAUSE_BREAK.finditer(text, 0, pos)]
    return starts[-1] if starts else 0


def _clause_end(text: str, pos: int) -> int:
    m = _DENIAL_SCOPE_END.search(text, pos)
    return m.start() if m else len(text)


def _fronted_adverbial(scan: _Scan, before: int) -> str:
    """A sentence-opening phrase that sets the time of all that follows: "In 2016, ..."."""
    return scan.fronted_time(before)


def _clause_text(text: str, clause_start: int, end: int) -> str:
    """The clause from ``clause_start`` (see _clause_start) to the first break after ``end``."""
    m = _CLAUSE_TEXT_END.search(text, end)
    return text[clause_start:m.start() if m else len(text)]


def _distance_km(num: str | None, unit: str | None) -> float | None:
    if not num or not unit:
        return None
    n = _NUMBER_WORDS.get(num.lower())
    # "10-15 km": the farther end, so that the ring drawn holds every reading of the report.
    value = float(n) if n is not None else max(float(v) for v in re.split(r"\s?[-–]\s?", num.replace(",", "")))
    return round(value * _UNITS.get(unit.lower(), 1.0), 1)


def _latest_year(text: str) -> int | None:
    """The latest year an undated article mentions: years before it are history."""
    years = [int(y) for y in _YEAR.findall(text)]
    return max(years) if years else None


# --- the claim -----------------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _dates_in(text: str, published: date) -> tuple:
    """The date mentions of a sentence (several claims of one sentence share them)."""
    from geo.dates import find_dates

    return tuple(find_dates(text, published))


_OWN_DATE_GAP = 12  # characters between a place and a date that is its own ("Homs late on Saturday")


def _heading_date(doc: Document, sentence: Sentence, state: _DocState) -> None:
    """Remember the date that opens a line of a timeline ("Dec 6 - ..."), for the rest of that line."""
    published = doc.article.published
    if not published or (sentence.start and doc.text[sentence.start - 1] not in "\n"):
        return  # only a sentence that starts a line can head it
    head = sentence.text[:60]
    if not ("- " in head or "– " in head or "— " in head or ": " in head) or not _SHORT_HEAD.match(head):
        return  # most lines do not open with a few words and a dash: no date search for them
    mentions = _dates_in(sentence.text, published)
    if mentions and mentions[0].start == 0 and _HEADING_DASH.match(sentence.text, mentions[0].end):
        end = doc.text.find("\n", sentence.start)
        state.line_date = (mentions[0].date, mentions[0].precision)
        state.line_end = len(doc.text) if end < 0 else end


_HEADING_DASH = re.compile(r"\s*[-–—:]\s")
_SHORT_HEAD = re.compile(r"[\w.,]{1,12}(?:\s+[\w.,]{1,12}){0,3}\s*[-–—:]\s")


def _claim(lex: _Lexicon, doc: Document, sentence: Sentence, text: str, t: _Trigger, ref: _PlaceRef,
           event_type: str, actor: str, claimant: str | None, state: _DocState, own_end: int) -> Claim:
    """The claim of one place of a trigger (``own_end``: where the stretch of text that belongs to this
    place, before the next place of the trigger, ends)."""
    art = doc.article
    place = ref.place
    precision = {"point": "point", "admin1": "admin1", "region": "region", "country": "country"}[place.scale]
    distance = t.distance_km
    if precision == "point":
        lead = text[max(0, ref.start - 25):ref.start]
        if distance is not None or lex.near.search(lead) or ref.text.lower() in ("there",):
            precision = "near"
    event_date, date_precision = art.published, None
    mentions = _dates_in(sentence.text, art.published) if art.published else ()
    # A date right after the place is its own ("Hama on Thursday and Homs on Saturday"); otherwise
    # the date nearest the verb.
    own = [d for d in mentions if ref.end <= d.start < own_end and d.start - ref.end <= _OWN_DATE_GAP]
    if own:
        event_date, date_precision = own[0].date, own[0].precision
    elif mentions:
        best = min(mentions, key=lambda d: min(abs(d.start - t.start), abs(d.end - t.end)))
        event_date, date_precision = best.date, best.precision
    elif art.published and state.line_date and sentence.start < state.line_end:
        event_date, date_precision = state.line_date
    elif art.published:
        date_precision = "day"
    return Claim(
        article=art.article,
        place=place.name,
        place_id=place.place_id,
        lat=place.lat,
        lon=place.lon,
        event_type=event_type,
        actor=actor,
        evidence=sentence.text,
        evidence_start=sentence.start,
        evidence_end=sentence.end,
        claimant=claimant,
        country=place.country,
        province=place.province,
        province_name=_province_name(place.province),
        geo_precision=precision,
        event_date=event_date,
        date_precision=date_precision,
        distance_km=distance,
        source=art.source,
        published=art.published,
        title=art.title,
        url=art.url,
        place_start=sentence.start + ref.start,
        place_end=sentence.start + ref.end,
    )


@lru_cache(maxsize=4096)
def _province_name(iso: str | None) -> str | None:
    if not iso:
        return None
    from geo.gazetteer import default_gazetteer

    admin1 = default_gazetteer().admin1(iso)
    return admin1.name if admin1 else None


