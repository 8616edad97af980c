"""Conflict profiles: the parties of one conflict, their aliases, and who speaks for whom.

A profile is a TOML file in ``data/profiles/``; nothing about any conflict lives in code.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path

from geo.resources import DATA_DIR, load_toml

PROFILE_DIR = DATA_DIR / "profiles"


@dataclass(frozen=True)
class ActorMention:
    start: int
    end: int
    actor: str
    text: str


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

    def can_act(self, actor: str, event_type: str) -> bool:
        allowed = self.only_events.get(actor)
        return allowed is None or event_type in allowed

    @property
    def actors(self) -> list[str]:
        return list(self.actor_labels)

    @cached_property
    def _alias_index(self) -> tuple[re.Pattern, dict[str, str], dict[str, str]]:
        folded: dict[str, str] = {}
        exact: dict[str, str] = {}
        for actor, names in self.aliases.items():
            for name in names:
                folded.setdefault(_fold_alias(name), actor)
        for actor, names in self.case_sensitive.items():
            for name in names:
                exact.setdefault(name, actor)
        # One alternation, longest alias first, so "HTS-led rebels" wins over "HTS-led".
        candidates = [(len(n), _alias_regex(n)) for n in folded]
        candidates += [(len(n), f"(?-i:{re.escape(n)})") for n in exact]
        alternatives = [rx for _, rx in sorted(set(candidates), key=lambda c: -c[0])]
        # Word boundaries by hand: aliases may start or end with punctuation ("U.S. forces").
        # An alias glued to a following "-adjective" ("Israeli-annexed", "US-backed") is an
        # attribute of something else, not a mention of the actor.
        pattern = re.compile(
            r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w]|-[a-z])", re.IGNORECASE
        )
        return pattern, folded, exact

    def actor_mentions(self, text: str) -> list[ActorMention]:
        """Every alias of every actor in ``text``, longest first where they overlap."""
        pattern, folded, exact = self._alias_index
        out = []
        for m in pattern.finditer(text):
            surface = m.group(0)
            actor = exact.get(surface) or folded.get(_fold_alias(surface))
            if actor:
                out.append(ActorMention(m.start(), m.end(), actor, surface))
        return out

    def actor_of(self, phrase: str) -> str | None:
        """The actor a phrase names or speaks for ("rebel commander X" -> rebels), if any."""
        for name, actor in sorted(self.people.items(), key=lambda kv: -len(kv[0])):
            if name.lower() in phrase.lower():
                return actor
        mentions = self.actor_mentions(phrase)
        return mentions[-1].actor if mentions else None

    def canonical_claimant(self, phrase: str) -> str:
        """The canonical name for a claimant phrase ("the Britain-based monitor" -> the Observatory),
        unless the phrase belongs to another country ("Russia's defence ministry")."""
        qualifiers = re.findall(r"\b([A-Z][\w-]*(?:['’]s)?)\s+(?:[\w-]+\s+){0,2}?(?:ministry|army|military|government|media|television|presidency|office)\b", phrase)
        if any(q not in self.home_names and not q.lower().startswith(("the", "a")) and q.lower() not in ("state", "defence", "defense", "interior", "foreign")
               for q in qualifiers):
            return phrase
        low = phrase.lower()
        for canonical, names in self.claimants.items():
            if any(_contains_word(low, n.lower()) for n in names):
                return canonical
        return phrase


def _fold_alias(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'")).strip().lower()


def _alias_regex(folded: str) -> str:
    # Tolerate either apostrophe and any run of spaces in the article's spelling.
    return r"\s+".join(re.escape(w).replace("'", "['’]") for w in folded.split(" "))


def _contains_word(haystack: str, needle: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", haystack) is not None


def available_profiles() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml"))


@lru_cache(maxsize=None)
def load_profile(name: str) -> Profile:
    """Load ``data/profiles/<name>.toml`` (or a path to a profile TOML)."""
    path = Path(name)
    if path.suffix == ".toml" and path.exists():
        import tomllib

        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    else:
        if name not in available_profiles():
            raise ValueError(f"unknown profile {name!r}; available: {', '.join(available_profiles())}")
        raw = load_toml(f"profiles/{name}.toml")
    actors = raw.get("actors", {})
    return Profile(
        id=raw["id"],
        name=raw.get("name", raw["id"]),
        countries=list(raw.get("countries", [])),
        actor_labels={a: spec.get("label", a) for a, spec in actors.items()} | {"unknown": "Unknown"},
        aliases={a: list(spec.get("aliases", [])) for a, spec in actors.items()},
        case_sensitive={a: list(spec.get("case_sensitive", [])) for a, spec in actors.items()},
        claimants=dict(raw.get("claimants", {})),
        people=dict(raw.get("people", {})),
        home_names=list(raw.get("home_names", [])),
        only_events={a: set(spec["only_events"]) for a, spec in actors.items() if "only_events" in spec},
    )
