"""The event lexicon and the cue words around it, read from ``data/lexicons/events.toml`` and
``data/lexicons/claims.toml`` and checked when they are read: an unknown key, an unknown event type
or an empty word list is a :class:`LexiconError` that names the entry.

Public surface::

    lexicon() -> Lexicon                       the shipped lexicon (read once per process)
    build_lexicon(events, cues) -> Lexicon     from parsed TOML tables (for other lexicons, tests)
    LexiconError, Lexicon, VerbRule, NounRule, EVENT_TYPES, DENIABLE
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from geo.resources import load_toml

EVENT_TYPES = (
    "capture", "withdrawal", "advance", "defense", "deployment",
    "border_crossing", "denial", "strike", "protest", "clash",
)
# What a denial can deny: reported control changes, not strikes or protests.
DENIABLE = {"capture", "withdrawal", "advance", "defense", "border_crossing", "deployment"}

# --- the lexicon (data/lexicons/events.toml and claims.toml), validated on load ------------------------

_VERB_KEYS = {"type", "lemmas", "particle", "objects", "object", "preps", "actor", "place", "distance",
              "needs_distance", "needs_noun", "actors", "receiver", "driven_out", "voice"}
_NOUN_KEYS = {"type", "lemmas", "preps", "needs_noun"}
_NOUNS_KEYS = {"territory", "route", "landmark", "near", "edges", "units", "holding", "defending", "extenders", "portions",
               "quantities", "city_parts", "hinterland"}
_EVENTS_KEYS = {"verb", "noun", "nouns", "irregular", "prefilter"}


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
    receiver: str | None = None  # the event of the party after "to" ("handed over X to Y": Y's capture)
    driven_out: str | None = None  # the event of the party the verb's object names ("drove the army out": its withdrawal)
    voice: str | None = None  # "passive": the rule holds only in the passive ("troops were seen in X")


@dataclass(frozen=True)
class NounRule:
    type: str
    lemmas: frozenset[str]
    preps: tuple[str, ...] = ()
    needs_noun: frozenset[str] | None = None  # the rule holds only with one of these words in the noun's phrase


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
    edges: frozenset[str]  # a place's edge: reaching it is an advance on the place
    quantities: frozenset[str]  # "a number of", "hundreds of": the noun after "of" is the object
    city_parts: frozenset[str]  # "entered several neighbourhoods": parts of the one town the sentence names
    hinterland: frozenset[str]  # "the northern Hama countryside": around the town, on the side named
    units: dict[str, float]
    forms: frozenset[str]  # surface forms of every trigger lemma: the parse prefilter
    gated: dict[str, frozenset[str]]  # forms of verbs that fire only with another word -> those words
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
    causing_heads: frozenset[str]
    failing_heads: frozenset[str]
    unreal_marks: frozenset[str]
    negations: frozenset[str]
    background: tuple[str, ...]
    generic_forces: frozenset[str] = frozenset()
    opposing: frozenset[str] = frozenset()
    place_anaphora: dict[str, frozenset[str]] = field(default_factory=dict)
    other_place_adjectives: frozenset[str] = frozenset()
    site_anaphora: dict[str, tuple[str, ...]] = field(default_factory=dict)
    plural_place_anaphora: dict[str, frozenset[str]] = field(default_factory=dict)
    titles_rx: re.Pattern | None = None  # "<party> [adjective] <title> <Name Name>"
    # "these reports were false", "the army is still in place": a sentence answering the one before
    back_reference_rx: re.Pattern = re.compile(r"(?!)")
    anaphora_rx: re.Pattern = re.compile(r"(?!)")  # "the city", "the province": a place named before
    # a site's name ("Tishrin Dam", "Kuweires airbase"): the words of site_anaphora, which "the village" never means
    site_name_rx: re.Pattern = re.compile(r"(?!)")
    allegiance: frozenset[str] = frozenset()
    naming: frozenset[str] = frozenset()
    regimes: frozenset[str] = frozenset()
    carried_forces: frozenset[str] = frozenset()
    evidence_nouns: frozenset[str] = frozenset()
    line_speakers: frozenset[str] = frozenset()  # words of a source that opens a line with a colon
    speech_forms: frozenset[str] = frozenset()  # every form of the speech and denial verbs ("said", "denying")
    own_report_speakers: frozenset[str] = frozenset()  # whose unnamed "fighters" are their own side's
    keeping_verbs: frozenset[str] = frozenset()  # "held X, repelling assaults": what a defence participle defends
    person_nouns: frozenset[str] = frozenset()  # "the president", "the governor": a person, not a force
    denying_words: frozenset[str] = frozenset()  # "no truth", "false", "baseless": a report denied
    reported_nouns: frozenset[str] = frozenset()
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
        for key in ("receiver", "driven_out"):
            if raw.get(key) not in (None, *EVENT_TYPES):
                raise LexiconError(f"{where}: unknown {key} event type {raw.get(key)!r}")
        for key, allowed in (("object", ("any", "place", "none")), ("actor", ("subject", "to")), ("place", ("object", "subject")),
                             ("voice", ("passive",))):
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
            receiver=raw.get("receiver"),
            driven_out=raw.get("driven_out"),
            voice=raw.get("voice"),
        )
        for lemma in rule.lemmas:
            verbs.setdefault(lemma, []).append(rule)
        if rule.type in DENIABLE and rule.voice is None:  # "reports" denied are no event "reported"
            control |= rule.lemmas - {"be", "remain", "stand", "come", "get", "make", "continue", "go", "take", "hold"}
    for rules in verbs.values():
        rules.sort(key=lambda r: (r.particle is None, r.actors is None, r.objects is None))
    nouns: dict[str, NounRule] = {}
    for i, raw in enumerate(events.get("noun", [])):
        where = f"events.toml [[noun]] #{i + 1}"
        _check_keys(where, raw, _NOUN_KEYS)
        if raw.get("type") not in EVENT_TYPES:
            raise LexiconError(f"{where}: unknown event type {raw.get('type')!r}")
        rule = NounRule(raw["type"], _word_set(where + " lemmas", raw.get("lemmas")), tuple(raw.get("preps", [])),
                        _word_set(where + " needs_noun", raw["needs_noun"]) if "needs_noun" in raw else None)
        for lemma in rule.lemmas:
            nouns.setdefault(lemma, rule)
        if rule.type in DENIABLE:
            control |= rule.lemmas
    words = events.get("nouns", {})
    _check_keys("events.toml [nouns]", words, _NOUNS_KEYS)
    irregular = events.get("irregular", {})
    form_lemma = {f.lower(): lemma for lemma, extra in irregular.items() for f in extra}
    units = {k.lower() for k in words.get("units", {})}
    # The prefilter: a sentence is parsed only if it holds a word form of a trigger. A verb whose
    # every rule needs some other word ("be" + "outskirts" or a distance, "pull" + "out") is
    # represented by those words instead of its own forms, which are in almost every sentence.
    forms: set[str] = set()
    gated: dict[str, frozenset[str]] = {}  # a form of a gated verb -> the words one of which it needs
    for lemma, extra in irregular.items():
        if lemma not in verbs:
            raise LexiconError(f"events.toml [irregular]: {lemma!r} is no trigger lemma")
        _word_set(f"events.toml [irregular] {lemma}", extra)
    prefilter = events.get("prefilter", {})
    _check_keys("events.toml [prefilter]", prefilter, {"not_forms"})
    not_forms = {w.lower() for w in prefilter.get("not_forms", [])}
    for lemma, rules in verbs.items():
        gates = [_gate_words(r, units) for r in rules]
        lemma_forms = _inflections(lemma) | {f.lower() for f in irregular.get(lemma, [])}
        if all(gates):
            need = frozenset().union(*gates)
            for f in lemma_forms:
                gated[f] = gated.get(f, frozenset()) | need
        else:
            forms |= lemma_forms - not_forms
    for lemma in list(nouns) + list(words.get("holding", [])):
        forms |= _inflections(lemma) - not_forms
    known_cues = {"speech_verbs", "denial_verbs", "speech_prefixes", "third_person", "first_person",
                  "anaphoric_nouns", "personal", "modal_auxiliaries", "unreal_heads", "realising_heads", "causing_heads",
                  "failing_heads", "unreal_marks", "negations", "background", "not_qualifiers",
                  "institutions", "not_home_qualifiers", "people", "generic_forces", "opposing",
                  "place_anaphora", "plural_place_anaphora", "site_anaphora", "other_place_adjectives", "allegiance", "naming", "regimes", "carried_forces", "evidence_nouns", "line_speakers", "own_report_speakers", "keeping_verbs", "speech_irregular", "person_nouns", "denying_words", "reported_nouns"}
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
        edges=_word_set("edges", words.get("edges")),
        quantities=_word_set("quantities", words.get("quantities")),
        city_parts=_word_set("city_parts", words.get("city_parts")),
        hinterland=_word_set("hinterland", words.get("hinterland")),
        units={k.lower(): float(v) for k, v in units.items()},
        forms=frozenset(forms), gated=gated, form_lemma=form_lemma,
        speech=_word_set("speech_verbs", cues.get("speech_verbs")) | _word_set("denial_verbs", cues.get("denial_verbs")),
        speech_prefixes=_word_set("speech_prefixes", cues.get("speech_prefixes")),
        third_person=_word_set("third_person", cues.get("third_person")),
        first_person=_word_set("first_person", cues.get("first_person")),
        anaphoric_nouns=_word_set("anaphoric_nouns", cues.get("anaphoric_nouns")),
        personal=_word_set("personal", cues.get("personal")),
        modal=_word_set("modal_auxiliaries", cues.get("modal_auxiliaries")),
        unreal_heads=_word_set("unreal_heads", cues.get("unreal_heads")),
        realising_heads=_word_set("realising_heads", cues.get("realising_heads")),
        causing_heads=_word_set("causing_heads", cues.get("causing_heads")),
        failing_heads=_word_set("failing_heads", cues.get("failing_heads")),
        unreal_marks=_word_set("unreal_marks", cues.get("unreal_marks")),
        negations=_word_set("negations", cues.get("negations")),
        background=tuple(cues.get("background", [])),
        generic_forces=_word_set("generic_forces", cues.get("generic_forces")),
        opposing=_word_set("opposing", cues.get("opposing")),
        place_anaphora={k.lower(): frozenset(v) for k, v in cues.get("place_anaphora", {}).items()},
        other_place_adjectives=_word_set("other_place_adjectives", cues.get("other_place_adjectives")),
        site_anaphora={k.lower(): tuple(w.lower() for w in v) for k, v in cues.get("site_anaphora", {}).items()},
        plural_place_anaphora={k.lower(): frozenset(v) for k, v in cues.get("plural_place_anaphora", {}).items()},
        titles_rx=re.compile(
            r"[\s-]+(?:[a-z]+\s+){0,2}?(?:" + "|".join(re.escape(t) for t in cues.get("people", {}).get("titles", []))
            + r")\s+(?P<name>(?:(?:al-|Al-|el-|Abu\s|bin\s)?[A-Z][\w'’-]+\s?){1,3})") if cues.get("people", {}).get("titles") else None,
        allegiance=_word_set("allegiance", cues.get("allegiance")),
        naming=_word_set("naming", cues.get("naming")),
        regimes=_word_set("regimes", cues.get("regimes")),
        carried_forces=_word_set("carried_forces", cues.get("carried_forces")),
        evidence_nouns=_word_set("evidence_nouns", cues.get("evidence_nouns")),
        line_speakers=_word_set("line_speakers", cues.get("line_speakers")),
        speech_forms=frozenset().union(*(_inflections(w) for w in _word_set("speech_verbs", cues.get("speech_verbs"))
                                         | _word_set("denial_verbs", cues.get("denial_verbs"))))
        | _word_set("speech_irregular", cues.get("speech_irregular")),
        own_report_speakers=_word_set("own_report_speakers", cues.get("own_report_speakers")),
        keeping_verbs=_word_set("keeping_verbs", cues.get("keeping_verbs")),
        person_nouns=_word_set("person_nouns", cues.get("person_nouns")),
        denying_words=_word_set("denying_words", cues.get("denying_words")),
        reported_nouns=_word_set("reported_nouns", cues.get("reported_nouns")),
        anaphora_rx=re.compile(r"\b(?:the|both)\s+(?:[a-z-]+\s+){0,2}(?:" + "|".join(
            re.escape(k) for k in [*cues.get("place_anaphora", {}), *cues.get("site_anaphora", {}),
                                   *cues.get("plural_place_anaphora", {})]) + r")\b"
            # "its northern outskirts", "its central districts": parts of a town named before
            + r"|\bits\s+(?:[a-z-]+\s+(?:and\s+)?){0,3}(?:" + "|".join(
                re.escape(k) for k in [*words.get("edges", []), *words.get("city_parts", []), *words.get("hinterland", [])]) + r")\b"
            # "deployed there" (not the "there" of "there were clashes")
            + r"|\bthere\b(?!\s+(?:is|are|was|were|'s|has|have|had|will|would|remains?|seems?|appears?|may|might|could|must|should|can)\b)",
            re.I)
        if cues.get("place_anaphora") else re.compile(r"(?!)"),
        control_lemmas=frozenset(control),
        site_name_rx=re.compile(r"\b(?:" + "|".join(sorted({re.escape(w) for words in cues["site_anaphora"].values()
                                                            for w in words})) + r")\b", re.I)
        if cues.get("site_anaphora") else re.compile(r"(?!)"),
        back_reference_rx=re.compile(
            r"\b(?:these|those|such)\s+(?:" + "|".join(re.escape(w) for w in cues.get("reported_nouns", []))
            + r")\b[^.]{0,60}?\b(?:" + "|".join(re.escape(w) for w in cues.get("denying_words", []))
            + r")\b|\b(?:still|remains?|remained|stays?|stayed)\s+in\s+place\b"
            + r"|\b(?:the|this|that)\s+(?:attacks?|assaults?|attempts?|incursion|infiltration)\b", re.I)
        if cues.get("reported_nouns") and cues.get("denying_words") else re.compile(r"(?!)"),
    )


def _gate_words(rule: VerbRule, units: set[str]) -> set[str]:
    """Words a sentence must hold for ``rule`` to fire, besides its verb (empty: none)."""
    if rule.needs_noun and rule.needs_distance:
        return set(rule.needs_noun) | units
    if rule.needs_noun:
        return set(rule.needs_noun)
    if rule.needs_distance:
        return set(units)
    if rule.particle:
        return {rule.particle}
    if rule.objects:
        return {w for o in rule.objects for w in _inflections(o)}
    return set()


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
def common_words() -> frozenset[str]:
    """The 3,000 most frequent English words (the geoparser's list)."""
    from geo.resources import DATA_DIR, read_word_list

    return frozenset(read_word_list(DATA_DIR / "lexicons" / "common_english.txt")[:3000])


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
