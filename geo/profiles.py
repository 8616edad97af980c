"""Conflict profiles: the parties of one conflict, their aliases, and who speaks for whom.

A profile is a TOML file in ``data/profiles/``; nothing about any conflict lives in code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from geo.resources import DATA_DIR, load_toml

if TYPE_CHECKING:
    import ahocorasick

PROFILE_DIR = DATA_DIR / "profiles"
# Phrases remembered per profile before the memo starts afresh (bounded memory on a year of news).
_PHRASE_MEMO_SIZE = 20_000


@dataclass(frozen=True)
class ActorMention:
    start: int
    end: int
    actor: str
    text: str


@dataclass(frozen=True)
class RegionalActor:
    """A coding convention: in these provinces, ``replaces`` is coded as ``actor`` unless the
    sentence names one of ``unless`` ("opposition fighters" in Daraa are local armed groups)."""

    actor: str
    replaces: str
    provinces: frozenset[str]
    unless: tuple[str, ...] = ()

    @cached_property
    def unless_rx(self) -> re.Pattern:
        if not self.unless:
            return re.compile(r"(?!)")
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(u) for u in self.unless) + r")(?!\w)", re.I)


@dataclass(frozen=True)
class Perspective:
    """A coding convention by outlet: in an article that uses one of ``cues`` (as written), the
    words ``terms`` name ``actor`` ("terrorists" in an article that speaks of the "PKK/YPG" are the
    Kurdish-led forces, as Turkish outlets use the word; elsewhere the profile's alias decides)."""

    actor: str
    cues: tuple[str, ...]
    terms: frozenset[str]

    def applies_to(self, text: str) -> bool:
        return self._cues_rx.search(text) is not None

    @cached_property
    def _cues_rx(self) -> re.Pattern:
        # One pass over the article for all the cues (what any of them would find, the alternation finds).
        if not self.cues:
            return re.compile(r"(?!)")
        return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(c) for c in self.cues) + r")(?!\w)")


@dataclass
class Profile:
    id: str
    name: str
    countries: list[str]
    actor_labels: dict[str, str]
    aliases: dict[str, list[str]]  # actor id -> case-insensitive aliases
    case_sensitive: dict[str, list[str]]  # actor id -> aliases matched as written
    claimants: dict[str, list[str]] = field(default_factory=dict)  # canonical name -> aliases
    people: dict[str, str] = field(default_factory=dict)  # person name -> actor id
    home_names: list[str] = field(default_factory=list)  # the profile country's names and demonyms
    only_events: dict[str, set[str]] = field(default_factory=dict)  # actor -> the events it can act in
    # Countries (ISO 3166-1) where the conflict's events take place; empty: anywhere.
    theatre: frozenset[str] = frozenset()
    opponents: dict[str, str] = field(default_factory=dict)  # actor -> the side it fights where it fails
    # Coding conventions by province: [[regional_actor]] tables of the profile.
    regional_actors: list["RegionalActor"] = field(default_factory=list)
    # Coding conventions by outlet: [[perspective]] tables of the profile.
    perspectives: list[Perspective] = field(default_factory=list)
    # actor -> the plain words its own spokesmen use for its forces ("the military said troops entered X")
    own_forces: dict[str, frozenset[str]] = field(default_factory=dict)
    # phrases that name one place in this conflict's news ("the buffer zone") -> the gazetteer name of it
    place_phrases: dict[str, str] = field(default_factory=dict)

    def opponent(self, actor: str | None) -> str | None:
        """The side that held what ``actor`` failed to take ("X failed to take Y"), if the profile says."""
        return self.opponents.get(actor) if actor else None

    def in_theatre(self, country: str | None) -> bool:
        """Whether a place in ``country`` can be where this conflict's events happen (places of no
        country, such as disputed regions, can)."""
        return not self.theatre or country is None or country in self.theatre

    def can_act(self, actor: str, event_type: str) -> bool:
        allowed = self.only_events.get(actor)
        return allowed is None or event_type in allowed

    @property
    def actors(self) -> list[str]:
        return list(self.actor_labels)

    @cached_property
    def _alias_automata(self) -> tuple["ahocorasick.Automaton", "ahocorasick.Automaton | None"]:
        """Aho-Corasick over the folded aliases (case-insensitive) and over the case-sensitive ones."""
        import ahocorasick

        folded = ahocorasick.Automaton()
        for actor, names in self.aliases.items():
            for name in names:
                key = _fold_alias(name)
                if key not in folded:
                    folded.add_word(key, (len(key), actor, name == name.lower()))
        folded.make_automaton()
        exact = None
        if any(self.case_sensitive.values()):
            exact = ahocorasick.Automaton()
            for actor, names in self.case_sensitive.items():
                for name in names:
                    if name not in exact:
                        exact.add_word(name, (len(name), actor, False))
            exact.make_automaton()
        return folded, exact

    def actor_mentions(self, text: str) -> list[ActorMention]:
        """Every alias of every actor in ``text``; where aliases overlap, the longest wins."""
        folded, exact = self._alias_automata
        hits = []
        for automaton, haystack in ((folded, _fold_text(text)), (exact, text)):
            if automaton is None:
                continue
            for end, (length, actor, generic) in automaton.iter(haystack):
                start, stop = end - length + 1, end + 1
                if generic and self._foreign_qualifier(text, start):
                    continue  # "Lebanese army", "Jordan's troops": not this profile's party
                # Word boundaries by hand (aliases may start or end with punctuation: "U.S.
                # forces"); an alias glued to a "-adjective" ("Israeli-annexed", "US-backed") is
                # an attribute of something else, not a mention of the actor.
                if start > 0 and (text[start - 1].isalnum() or text[start - 1] in "-_"):
                    continue
                if stop < len(text) and (text[stop].isalnum() or text[stop] == "_"
                                         or (text[stop] == "-" and stop + 1 < len(text) and text[stop + 1].islower()
                                             and not _LED.match(text, stop))):
                    continue  # ("Hayat Tahrir al-Sham-led fighters" are the party that leads them)
                hits.append((start, stop, actor))
        hits.sort(key=lambda h: (-(h[1] - h[0]), h[0]))
        kept: list[tuple[int, int, str]] = []
        for h in hits:
            if all(h[1] <= k[0] or h[0] >= k[1] for k in kept):
                kept.append(h)
        kept.sort()
        # An acronym right before another party's name qualifies it: "SDF General Command" is the
        # SDF's, not the General Command of the Syrian army.
        kept = [k for i, k in enumerate(kept)
                if not (i and kept[i - 1][2] != k[2] and not text[kept[i - 1][1]:k[0]].strip()
                        and _ACRONYM.fullmatch(text[kept[i - 1][0]:kept[i - 1][1]]))]
        return [ActorMention(a, b, actor, text[a:b]) for a, b, actor in kept]

    def _foreign_qualifier(self, text: str, start: int) -> bool:
        m = _QUALIFIER.search(text, max(0, start - 40), start)
        if not m:
            return False
        word = m.group(1)
        if _LED.search(word):
            return False  # "Jihadist-led rebels": who leads them, not whose they are
        bare = _POSSESSIVE_END.sub("", word)
        return word not in not_qualifiers() and word not in self.home_names and bare not in self.people

    @cached_property
    def _phrase_memo(self) -> dict[tuple[str, str], str | None]:
        # Speaker phrases repeat across a corpus ("the Observatory", "state media"): what a phrase
        # names depends on the profile only, so it is worked out once per phrase.
        return {}

    def _memo(self, kind: str, phrase: str, compute) -> str | None:
        memo = self._phrase_memo
        key = (kind, phrase)
        if key not in memo:
            if len(memo) >= _PHRASE_MEMO_SIZE:
                memo.clear()
            memo[key] = compute(phrase)
        return memo[key]

    def actor_of(self, phrase: str) -> str | None:
        """The actor a phrase names or speaks for ("rebel commander X" -> rebels), if any."""
        return self._memo("actor_of", phrase, self._actor_of)

    def _actor_of(self, phrase: str) -> str | None:
        low = phrase.lower()
        for name, actor in self.people_longest_first:
            if name in low:
                return actor
        mentions = self.actor_mentions(phrase)
        return mentions[-1].actor if mentions else None

    def canonical_claimant(self, phrase: str) -> str:
        """The canonical name for a claimant phrase ("the Britain-based monitor" -> the Observatory),
        unless the phrase belongs to another country ("Russia's defence ministry")."""
        return self._memo("claimant", phrase, self._canonical_claimant)  # type: ignore[return-value]

    def _canonical_claimant(self, phrase: str) -> str:
        institution, not_qualifying = _institutions()
        qualifiers = institution.findall(phrase)
        if any(q not in self.home_names and not q.lower().startswith(("the", "a")) and q.lower() not in not_qualifying
               for q in qualifiers):
            return phrase
        for canonical, rx in self._claimant_patterns:
            if rx.search(phrase):
                return canonical
        return phrase

    def claimant_mentions(self, text: str) -> list[tuple[str, str]]:
        """(canonical claimant, the words before and of the mention) for each claimant alias in a
        text: "Russia's defence ministry said" gives ("Syrian defence ministry", "Russia's defence
        ministry"), which :meth:`canonical_claimant` then tells apart."""
        out = []
        for canonical, rx in self._claimant_patterns:
            for m in rx.finditer(text):
                before = text[max(0, m.start() - 30):m.start()].split()
                out.append((canonical, " ".join(before[-1:] + [m.group(0)])))
        return out

    @cached_property
    def _claimant_patterns(self) -> list[tuple[str, re.Pattern]]:
        return [(canonical, re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)", re.I))
                for canonical, names in self.claimants.items()]

    @cached_property
    def people_longest_first(self) -> list[tuple[str, str]]:
        return sorted(((n.lower(), a) for n, a in self.people.items()), key=lambda kv: -len(kv[0]))


# A capitalised word right before a generic alias ("Lebanese army", "Jordan's troops") names whose it is.
_QUALIFIER = re.compile(r"(?<![\w-])((?-i:[A-Z])[\w-]*(?:['’]s)?)\s+$")
_POSSESSIVE_END = re.compile(r"['’]s$")
_SPACES = re.compile(r"\s+")
_FOLD = str.maketrans({"’": "'", "‘": "'", "\n": " ", "\t": " ", "\u00a0": " "})


def _fold_alias(text: str) -> str:
    return _SPACES.sub(" ", text.translate(_FOLD)).strip().lower()


_LED = re.compile(r"-led\b")
_ACRONYM = re.compile(r"[A-Z]{2,6}")


def _fold_text(text: str) -> str:
    """A same-length fold of an article's text, to find folded aliases at their offsets."""
    folded = text.translate(_FOLD).lower()
    return folded if len(folded) == len(text) else "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text.translate(_FOLD))


@lru_cache(maxsize=1)
def not_qualifiers() -> frozenset[str]:
    """Capitalised words that name no one: sentence openers and generic words ("The", "After", "Local")."""
    return frozenset(load_toml("lexicons/claims.toml")["not_qualifiers"])


@lru_cache(maxsize=1)
def _institutions() -> tuple[re.Pattern, frozenset[str]]:
    """A capitalised word before an institution ("Russia's defence ministry"), and the words that do
    not name a country there ("State television")."""
    cues = load_toml("lexicons/claims.toml")
    names = "|".join(re.escape(w) for w in cues["institutions"])
    return (re.compile(r"\b([A-Z][\w-]*(?:['’]s)?)\s+(?:[\w-]+\s+){0,2}?(?:" + names + r")\b"),
            frozenset(w.lower() for w in cues["not_home_qualifiers"]))


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


_PROFILE_KEYS = {"id", "name", "countries", "theatre", "home_names", "actors", "claimants", "people", "regional_actor",
                 "perspective", "place_phrases"}
_REGIONAL_KEYS = {"actor", "replaces", "provinces", "unless"}
_PERSPECTIVE_KEYS = {"actor", "cues", "terms"}
_ACTOR_KEYS = {"label", "aliases", "case_sensitive", "only_events", "opponent", "own_forces"}


class ProfileError(ValueError):
    """A profile file that cannot be used: unknown keys, empty alias lists, unknown actors."""


def _validate(raw: dict, where: str) -> None:
    def fail(msg: str) -> None:
        raise ProfileError(f"{where}: {msg}")

    unknown = set(raw) - _PROFILE_KEYS
    if unknown:
        fail(f"unknown key(s) {', '.join(sorted(unknown))}; allowed: {', '.join(sorted(_PROFILE_KEYS))}")
    if not isinstance(raw.get("id"), str) or not raw["id"]:
        fail("'id' must be a non-empty string")
    phrases = raw.get("place_phrases", {})
    if not isinstance(phrases, dict) or not all(isinstance(k, str) and k and isinstance(v, str) and v
                                                for k, v in phrases.items()):
        fail("'place_phrases' must map phrases to place names")
    actors = raw.get("actors")
    if not isinstance(actors, dict) or not actors:
        fail("'actors' must list the conflict's parties")
    for actor, spec in actors.items():
        if not isinstance(spec, dict):
            fail(f"actor {actor!r} must be a table")
        bad = set(spec) - _ACTOR_KEYS
        if bad:
            fail(f"actor {actor!r}: unknown key(s) {', '.join(sorted(bad))}; allowed: {', '.join(sorted(_ACTOR_KEYS))}")
        names = list(spec.get("aliases", [])) + list(spec.get("case_sensitive", []))
        if not names:
            fail(f"actor {actor!r} has an empty alias list")
        if not all(isinstance(n, str) and n.strip() for n in names):
            fail(f"actor {actor!r}: every alias must be a non-empty string")
        own = spec.get("own_forces", [])
        if not isinstance(own, list) or not all(isinstance(w, str) and w.strip() for w in own):
            fail(f"actor {actor!r}: own_forces must be a list of words")
        if "opponent" in spec and spec["opponent"] not in actors:
            fail(f"actor {actor!r}: opponent {spec['opponent']!r} is no actor of this profile")
    for i, rule in enumerate(raw.get("regional_actor", [])):
        bad = set(rule) - _REGIONAL_KEYS
        if bad:
            fail(f"regional_actor #{i + 1}: unknown key(s) {', '.join(sorted(bad))}")
        for key in ("actor", "replaces"):
            if rule.get(key) not in actors:
                fail(f"regional_actor #{i + 1}: {key} {rule.get(key)!r} is no actor of this profile")
        if not rule.get("provinces"):
            fail(f"regional_actor #{i + 1}: empty province list")
    for i, rule in enumerate(raw.get("perspective", [])):
        bad = set(rule) - _PERSPECTIVE_KEYS
        if bad:
            fail(f"perspective #{i + 1}: unknown key(s) {', '.join(sorted(bad))}")
        if rule.get("actor") not in actors:
            fail(f"perspective #{i + 1}: actor {rule.get('actor')!r} is no actor of this profile")
        if not rule.get("cues") or not rule.get("terms"):
            fail(f"perspective #{i + 1}: empty cue or term list")
    for person, actor in raw.get("people", {}).items():
        if actor not in actors:
            fail(f"person {person!r} speaks for {actor!r}, which is no actor of this profile")


@lru_cache(maxsize=None)
def load_profile(name: str) -> Profile:
    """Load ``data/profiles/<name>.toml`` or a profile TOML file by path; raises ProfileError
    (a ValueError) for an unknown name or an invalid file."""
    path = Path(name)
    if path.suffix == ".toml" and path.exists():
        import tomllib

        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ProfileError(f"{path}: cannot read the profile ({exc})") from exc
        where = str(path)
    else:
        if name not in available_profiles():
            raise ProfileError(f"unknown profile {name!r}; available: {', '.join(available_profiles())}")
        raw = load_toml(f"profiles/{name}.toml")
        where = f"data/profiles/{name}.toml"
    _validate(raw, where)
    actors = raw.get("actors", {})
    return Profile(
        id=raw["id"],
        name=raw.get("name", raw["id"]),
        countries=list(raw.get("countries", [])),
        actor_labels={a: spec.get("label", a) for a, spec in actors.items()} | {"unknown": "Unknown"},
        aliases={a: list(spec.get("aliases", [])) for a, spec in actors.items()},
        case_sensitive={a: list(spec.get("case_sensitive", [])) for a, spec in actors.items()},
        own_forces={a: frozenset(w.lower() for w in spec["own_forces"]) for a, spec in actors.items() if spec.get("own_forces")},
        claimants=dict(raw.get("claimants", {})),
        people=dict(raw.get("people", {})),
        home_names=list(raw.get("home_names", [])),
        only_events={a: set(spec["only_events"]) for a, spec in actors.items() if "only_events" in spec},
        theatre=frozenset(raw.get("theatre", raw.get("countries", []))),
        opponents={a: spec["opponent"] for a, spec in actors.items() if "opponent" in spec},
        regional_actors=[RegionalActor(r["actor"], r["replaces"], frozenset(r["provinces"]), tuple(r.get("unless", [])))
                         for r in raw.get("regional_actor", [])],
        perspectives=[Perspective(r["actor"], tuple(r["cues"]), frozenset(t.lower() for t in r["terms"]))
                      for r in raw.get("perspective", [])],
        place_phrases=dict(raw.get("place_phrases", {})),
    )
