"""The claims of one parsed sentence: triggers, their places, actors and claimants, read from the
dependency tree (see :mod:`geo.claims`). Used by :func:`geo.claims.extract`, one reader per sentence,
with a :class:`State` carried from sentence to sentence."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from geo.claims.lexicons import DENIABLE, Lexicon, NounRule, VerbRule
from geo.claims.tree import (
    _CLAUSE_DEPS, _LIST_DEPS, _NOMINAL_DEPS, _RELATIVE_PRONOUNS, _SUBJECTS, _child, _count, _heads_between, _number_of,
    _own_words, _passive, _phrase_tokens, _preps, _speaker_text, _subjects, _text,
)
from geo.document import Claim, Document, Place, Sentence, Toponym
from geo.profiles import Profile

if TYPE_CHECKING:
    from spacy.tokens import Doc as SpacyDoc, Token

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_ANAPHORA_REACH = 400  # characters back that "the city" may point
_BEARINGS = frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"})
_OWN_DATE_GAP = 12  # characters between a place and a date that is its own ("Homs late on Saturday")


@dataclass
class State:
    """What a reader carries from sentence to sentence: who was named last, who spoke last."""

    last_actor: str | None = None
    last_capturer: str | None = None
    last_claimant: str | None = None
    last_speaker_actor: str | None = None
    sentence_speaker_actor: str | None = None  # the party of this sentence's speaker, once known
    last_claimant_is_person: bool = False
    people: dict[str, str] = field(default_factory=dict)  # names introduced with a title -> party
    institutions: dict[str, set[str]] = field(default_factory=dict)  # "ministry" -> the ministries named
    party_of_noun: dict[str, str] = field(default_factory=dict)  # "groups" -> the party last called so
    line_date: tuple | None = None
    line_end: int = -1


@dataclass
class _Found:
    """A place a trigger names, with how it was reached."""

    toponym: Toponym
    token_i: int
    near: bool = False
    distance_km: float | None = None


class SentenceReader:
    """The claims of one parsed sentence."""

    def __init__(self, lex: Lexicon, profile: Profile, doc: Document, sentence: Sentence,
                 parsed: "SpacyDoc", toponyms: list[Toponym], state: State, background: re.Pattern,
                 countries: list[Toponym] = (), earlier: list[Toponym] = (), evidence: Sentence | None = None,
                 year: int | None = None):
        self.evidence = evidence or sentence
        self.year = year  # the article's year (published, or the latest it mentions)
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
        self.claimed_actors: set[str] = set()  # and who claimed them
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
            for rule in self._verb_rules(v):
                # "moved on Hama": the first rule that reads a claim ("move into" does not; "move on" does)
                if rule.type == "denial":
                    break
                found = self._verb_event(v, rule)
                if found:
                    out += found
                    break
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
        return next(self._verb_rules(v), None)

    def _verb_rules(self, v: "Token") -> Iterator[VerbRule]:
        """The rules a verb fits, in the lexicon's order (a rule with a particle first)."""
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
            yield rule

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
                           or rule.type == "withdrawal" and _child(v, ("dobj",)) is None
                           and not any(name == "into" for name, _ in _preps(v))):
            # "X pulled out of Y, with Z saying they had moved in"; "Z entered Y after X pulled out";
            # "taking the city without a fight as government forces fled"; only for another party
            # than the one that took the places ("their offensive has left the army reeling")
            if rule.type == "capture" or self._subject_actor(v) not in self.claimed_actors:
                places = list(self.claimed)
        if not places and rule.type == "advance" and v.dep_ == "advcl" and any(
                c.dep_ == "mark" and c.lower_ in ("as", "while", "when") for c in v.children) and (
                self._lemma(v.head) not in self.lex.verbs or self._person_subject(v.head)):
            # "residents fled Hama as the rebels closed in": an approach with no place of its own
            # is on the place its main clause names
            head = v.head
            found = [f for c in head.children if c.dep_ == "dobj" for f in self._places_under(c)]
            found += [f for name, pobj in _preps(head) if name in ("from", "out of", "in", "into")
                      for f in self._places_under(pobj)]
            places = self._prune(found)
        if not places:
            return []
        if reality == "negated":
            return self._reported_negation(v, places)
        claimant = self._claimant(v)  # first: "we" and "our forces" stand for the speaker
        if rule.actor == "to":
            actors = [self._to_actor(v)]
        else:
            actors = self._subject_actors(v)
            if actors == [None] and rule.object == "none" and _passive(v) and event_type in (
                    "withdrawal", "deployment", "defense"):
                # "troops were pulled out of X", "reinforcements were sent to Y": whoever moved
                # them, the forces moved are the party that left or arrived
                moved = _child(v, ("nsubjpass",))
                if moved is not None and moved.i not in self.in_place:
                    actors = [self._phrase_actor(moved)]
        if event_type == "defense" and actors == [None]:
            # "airstrikes halted the advance of rebel factions": the side that stopped an attack
            # is the attacker's opponent
            attacker = self._attacker(v, rule)
            if attacker:
                actors = [self.profile.opponent(attacker)]
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
        self.claimed_actors.update(actors)
        out = [self._claim(v, f, self._at_edge(event_type, f), a, claimant) for a in actors for f in places]
        if rule.driven_out:
            # "drove government forces out of X": the party driven out left X
            for loser in self._losers(v):
                if loser not in actors and self.profile.can_act(loser, rule.driven_out):
                    out += [self._claim(v, f, rule.driven_out, loser, claimant) for f in places]
        if rule.receiver:
            # "handed over X to the SDF": the party it went to took it
            for receiver in self._receivers(v):
                if receiver not in actors and self.profile.can_act(receiver, rule.receiver):
                    out += [self._claim(v, f, rule.receiver, receiver, claimant) for f in places]
        return out

    def _at_edge(self, event_type: str, f: _Found) -> str:
        """"entered the outskirts of Homs", "took the gates of Hama": reaching a place's edge is an
        advance on it, not its capture (a site taken "on the outskirts of X" is still a capture)."""
        path = getattr(f, "path", ())
        if event_type == "capture" and path and path[0].pos_ == "NOUN" and (
                path[0].lower_ in self.lex.edges or path[0].lemma_.lower() in self.lex.edges):
            return "advance"
        return event_type

    def _attacker(self, v: "Token", rule: VerbRule) -> str | None:
        """The party whose attack a defense verb's object names ("the advance of X", "attacks by X")."""
        obj = self._object(v)
        if obj is None or rule.objects is None or obj.lemma_.lower() not in rule.objects:
            return None
        return self._owner(obj)

    def _receivers(self, v: "Token") -> list[str]:
        heads = [v] + [c for c in v.children if c.dep_ == "dobj"]
        out = []
        for h in heads:
            for name, pobj in _preps(h):
                if name == "to":
                    a = self._token_actor(pobj)
                    if a:
                        out.append(a)
        return out

    def _person_subject(self, v: "Token") -> bool:
        subj = self._subject(v)
        if subj is None:
            return False
        if subj.lower_ in self.lex.personal:
            return True
        text = subj.text
        return (text in self.profile.people or text in self.state.people
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
        subj = self._subject(v)
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
                    return self._prune(self._places_under(obj))
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
        own = set()
        for name, pobj in _preps(n):
            if name in rule.preps or name in self.lex.extenders:
                found += self._places_under(pobj)
                own.add(name)
        if found and n.dep_ == "dobj":
            # "evacuations from X near Y, as well as from Z": the parser hangs the second "from" on
            # the verb, or on the "as well as" that joins it
            for t in self.sdoc[n.i + 1:]:
                if t.dep_ == "prep" and t.lower_ in own and (t.head.i == n.head.i or (
                        t.head.dep_ == "cc" and t.head.head.i in (n.i, n.head.i))) \
                        and any(w.lower_ == "well" for w in self.sdoc[n.i:t.i]):
                    found += [f for g in t.children if g.dep_ == "pobj" for f in self._places_under(g)]
        for c in n.children:
            if c.dep_ == "poss" and c.i in self.place_at:
                found += self._places_under(c)  # "Hama's fall"
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
            if _pluperfect(verb) and any(c.dep_ == "prep" and c.lower_ == "since" for c in verb.children):
                return []  # "X had been under SDF control since 2016": the state before the news
            owner = self._owner(n)
            if owner is None and head.lower_ == "in" and verb.pos_ in ("VERB", "AUX"):
                # "rebels are now in control of X": the subject holds what follows "of"
                return self._subject_holds(n, verb, "withdrawal" if withdrawal else "capture")
            if owner is None or verb.pos_ not in ("VERB", "AUX"):
                return []
            found = self._place_just_before(head)  # "..., Deir Ezzor, now under the watch of Y"
            subj = _child(verb, ("nsubj", "nsubjpass"))
            if subj is None and verb.dep_ in ("acl", "relcl"):
                subj = verb.head
            if subj is not None and subj.lower_ in _RELATIVE_PRONOUNS and verb.dep_ == "relcl":
                subj = verb.head
            if not found and subj is not None:
                found = self._prune(self._places_under(subj))
            event_type = "withdrawal" if withdrawal else "capture"
            claimant = self._claimant(verb)
            return [self._claim(verb, f, event_type, owner, claimant) for f in found]
        if n.dep_ in ("dobj",) and head.pos_ in ("VERB", "AUX") and head.lemma_ in ("have", "retain", "keep", "maintain", "hold", "exercise"):
            return self._subject_holds(n, head, "capture")  # "rebels have control over X"
        return []

    def _place_just_before(self, prep: "Token") -> list[_Found]:
        """A place the holding phrase describes in apposition: "X, now under rebel control"."""
        i = prep.i - 1
        while i >= 0 and self.sdoc[i].lower_ in ("now", "already", "still", "firmly", "fully", "reportedly"):
            i -= 1
        if i < 1 or self.sdoc[i].text != ",":
            return []
        t = self.sdoc[i - 1]
        for _ in range(3):  # "Deir Ezzor in the east, now under ...": up from the phrase that ends there
            if t.i in self.in_place or t.dep_ not in ("pobj", "prep") or t.head.i == t.i:
                break
            t = t.head
        if t.i not in self.in_place:
            # the parser may hang "in the east" on the verb: the place a few words before the comma
            t = next((self.sdoc[k] for k in range(i - 1, max(i - 6, -1), -1) if k in self.in_place), None)
            if t is None or any(self.sdoc[k].pos_ in ("VERB", "AUX") for k in range(t.i, i)):
                return []
        root = next((r for r in self.place_at if self.sdoc[r].left_edge.i <= t.i <= r), None)
        return [] if root is None else [_Found(self.place_at[root], root)]

    def _subject_holds(self, n: "Token", verb: "Token", event_type: str) -> list[Claim]:
        """The verb's subject holds the places after the holding noun's "of"/"over"."""
        found = []
        for name, pobj in _preps(n):
            if name in ("of", "over"):
                found += self._places_under(pobj)
        found = self._prune(found)
        actor = self._subject_actor(verb)
        if not found or actor is None or actor == "unknown":
            return []
        return [self._claim(verb, f, event_type, actor, self._claimant(verb)) for f in found]

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
        if not found and fallback and (self._denied_places(content, denied_event_only=True) or any(
                c.dep_ == "dobj" and c.lower_ in self.lex.reported_nouns
                and not any(g.dep_ in ("prep", "acl", "relcl") for g in c.children) for c in content)):
            found = list(fallback)  # "..., but an official denied the reports"
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
        # "denied that the army had left Homs, saying troops were reinforcing ...": the speaker's own
        # statement after "saying" is not part of what is denied
        saying = [t for c in content for t in c.subtree if t.dep_ == "advcl" and self._lemma(t) in self.lex.speech]
        own = {t.i for s in saying for t in s.subtree}
        tokens = [t for c in content for t in c.subtree if t.i not in own]
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
            found += self._places_under(c, clauses=True)
        return self._prune([f for f in found if f.token_i not in own])

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
        via = ""  # how this clause hangs on the one below it: negation and modals reach only
        # through infinitives ("did not manage to take", "could begin to advance") and
        # coordination ("will enter and take"), not through reports or adverbial clauses
        for _ in range(8):  # up through the verbs whose clause holds this one
            for c in tok.children:
                low = c.lower_
                if c.dep_ == "neg" or (c.dep_ in ("advmod", "det", "preconj") and low in lex.negations):
                    if tok.i == v.i:
                        return "negated"
                    if via in ("xcomp", "conj"):
                        return "unreal"
                if c.dep_ == "aux" and low in lex.modal and (tok.i == v.i or via in ("xcomp", "conj")):
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
            if dep in ("relcl", "acl") and self._past_year(head):
                return "unreal"  # "since 2016, when the group took over the city"
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
                via = dep if via in ("", "xcomp", "conj") else via
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
        # "as a result of an attack launched between May and August 2016": a prepositional phrase's
        # participles tell its time too (not its relative clauses: "Hama, which they lost in 2012")
        words += [t for c in mods if c.dep_ == "prep" for t in c.subtree
                  if not any(h.dep_ in ("relcl", "advcl", "ccomp") for h in _heads_between(t, c))]
        return any(self._past_year(t) for t in words)

    def _past_year(self, t: "Token") -> bool:
        """A year more than a year before the article's ("in August 2016"); last year's events are
        still news early in a year ("on December 8, 2024" in a January 2025 article)."""
        if not (t.like_num and len(t.text) == 4 and t.text.isdigit()):
            return False
        published = self.doc.article.published
        year = published.year if published else self.year
        if not year:
            return False
        recent = year - 1 + (published.month > 6 if published else 1)
        return 1900 <= int(t.text) < recent
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
                found += self._places_under(subj)
            return self._prune(found)
        take_preps = True
        # The parser may give a verb several direct objects ("handed over the airport, the towns of
        # X and Y, ..."): each is read.
        objects = [obj] + [c for c in v.children if c.dep_ in ("dobj", "nsubjpass") and obj is not None
                           and c.i != obj.i and c.dep_ == obj.dep_]
        for obj in (o for o in objects if o is not None and rule.object != "none"):
            territorial = (obj.i in self.place_at or self._territory_noun(obj)
                           or (rule.objects is not None and obj.lemma_.lower() in rule.objects)
                           or any(c.i in self.place_at for c in obj.children if c.dep_ in ("compound", "nmod", "amod", "poss")))
            if territorial:
                found += self._places_under(obj, clauses=rule.type == "defense" and obj.i not in self.place_at)
                self.consumed.add(obj.i)
                self.consumed.update(t.i for t in obj.subtree)
            elif rule.object == "any":
                take_preps = self._territory_noun(obj)
        obj = objects[0]
        if rule.object == "place" and not found:
            take_preps = True
        if take_preps and rule.preps:
            for name, pobj in _preps(v):
                if rule.particle and name.startswith(rule.particle + " "):
                    name = name[len(rule.particle) + 1:]  # "fell back from X": "from" hangs on "back"
                if name in rule.preps or (rule.object != "none" and (
                        name in self.lex.extenders or pobj.lemma_.lower() in self.lex.portions)):
                    # "advanced toward the airbase near Aleppo", "near" hung on the verb: the place
                    # near which is a landmark when the verb has another place
                    start = (pobj.head,) if name in ("near", "outside") else ()
                    found += self._places_under(pobj, path=start)
                elif rule.object != "none" and name.split(" ")[0] in _BEARINGS and name.endswith(" of"):
                    # "recaptured villages east of Manbij": the parser hangs the bearing on the verb;
                    # the place it names is around where the event was
                    found += self._places_under(pobj, path=(pobj.head.head,))
                elif pobj.i not in self.place_at and self._token_actor(pobj):
                    # "clashed with the army in Qusayr": the parser hangs the place on the party;
                    # "seized territory from the army, including X": and the list of what was taken
                    for inner, place in _preps(pobj):
                        if inner in ("in", "at", "inside", "around", "near") or (
                                rule.object != "none" and inner in self.lex.extenders):
                            found += self._places_under(place)
        if rule.distance and not found:
            found += self._distance_places(v)
        for c in v.children:
            # "took control of several towns, the largest of which are X and Y", parsed as a clause
            # of the verb rather than of its object
            if c.dep_ == "advcl" and self._lemma(c) == "be" and any(
                    t.lower_ == "which" for s in c.children if s.dep_ == "nsubj" for t in s.subtree):
                for g in c.children:
                    if g.dep_ == "attr":
                        found += self._places_under(g)
        if found:
            # "took Hama on Thursday and Homs on Saturday": the parser joins the second place to
            # the first date; a place coordinated with a date of this verb is another object.
            for t in _own_words(v):
                if t.dep_ == "conj" and t.i in self.place_at and self._in_date(t.head):
                    found += self._places_under(t)
        if not found and rule.object in ("any", "place") and obj is None and not _passive(v):
            # "Russian forces captured Avdiivka, the General Staff said": the parser may hang the
            # object on the speech verb; a place right after a transitive trigger is its object.
            nxt = v.i + 1 + (v.i + 1 < len(self.sdoc) and self.sdoc[v.i + 1].lower_ == "the")
            root = self.first_token_of.get(nxt)
            if root is not None:
                found.append(_Found(self.place_at[root], root))
        if not found and "in" in rule.preps:
            found += self._fronted_places(v)
        if not found and v.dep_ == "advcl" and v.tag_ == "VBG" and v.head.pos_ in ("VERB", "AUX") and not any(
                t.pos_ == "PROPN" and t.i not in self.in_place and not self._token_actor(t)
                for _, pobj in _preps(v) for t in (pobj, *pobj.children) if t.dep_ in ("pobj", "compound", "conj")):
            # "launched a counteroffensive in the Hama countryside, reclaiming key areas": the
            # participle happens where its main clause does, unless it names a place of its own
            # that we cannot resolve ("..., seizing points in Qubtan al-Jabal")
            for name, pobj in _preps(v.head):
                if name in ("in", "across", "inside", "throughout"):
                    found += self._places_under(pobj)
        acted_on_party = obj is not None and obj.dep_ == "dobj" and (
            obj.lower_ in self.lex.third_person or obj.lower_ in self.lex.personal
            or (self._token_actor(obj) is not None and obj.lemma_.lower() not in (rule.objects or ())))
        if not found and not acted_on_party:
            # (not "the city, where the army attacked them": attacking a party is no advance on the city)
            rel = v
            while rel.dep_ in ("ccomp", "conj", "xcomp") and rel.head.i != rel.i:
                rel = rel.head
            if rel.dep_ == "relcl" and any(c.lower_ == "where" for c in rel.children) and rel.head.i in self.place_at:
                found += self._places_under(rel.head)  # "Hama, where rebels took the airport"
        if rule.type == "border_crossing":
            # coded at the named place on the other side, never a whole province
            found = [f for f in found if f.toponym.place.scale == "point"]
        if obj is not None and self._unknown_named(obj):
            # "entered the town of Jamla in western Daraa": the place taken is one we cannot
            # resolve; its province is no stand-in for it (the verb's other objects still count)
            inside = {t.i for t in obj.subtree}
            others = {t.i for o in objects[1:] if o is not None and not self._unknown_named(o) for t in o.subtree}
            found = [f for f in found if f.token_i in others or (
                f.toponym.place.scale == "point" and not f.near and f.token_i in inside)]
        if not found and "in" in rule.preps and len(self.sdoc) > 2 and self.sdoc[0].lower_ in ("in", "inside", "across") \
                and v.i > 0:
            # "In central Homs, considered a gateway to the capital, forces bolstered defences": a
            # place opening the sentence frames it, wherever the parser hangs it; a town framing a
            # site we cannot name ("In Sweida, fighters seized the intelligence branch") is where
            # the site is, a province is not
            opener = self.sdoc[0]
            for g in opener.children:
                if g.dep_ == "pobj" and g.i < v.i:
                    framed = self._places_under(g)
                    if obj is not None and self._unknown_named(obj):
                        framed = [f for f in framed if f.toponym.place.scale == "point" and f.token_i == g.i]
                    found += framed
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
            subj = self._subject(v)
            if subj is not None:
                heads = [subj] + [c for c in subj.children if c.dep_ == "acl"]  # "units operating in X"
                for h in heads:
                    for name, pobj in _preps(h):
                        if name in ("in", "at", "inside"):
                            found += self._places_under(pobj)
        return self._prune(found)

    def _in_date(self, tok: "Token") -> bool:
        published = self.doc.article.published
        if not published:
            return False
        return any(d.start <= tok.idx < d.end for d in dates_in(self.sentence.text, published))

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
                                out += self._places_under(g)
                return out
        return []

    def _places_under(self, root: "Token", *, clauses: bool = False, path: tuple = ()) -> list[_Found]:
        """The places in a noun phrase (or, with ``clauses``, a whole subtree), with how each is reached
        (``path``: the words above ``root`` on the way from the trigger)."""
        out: list[_Found] = []
        stack = [(root, path)]
        while stack:
            tok, path = stack.pop()
            if tok.i in self.place_at:
                out.append(self._found(tok, path))
            elif tok.lower_ in self.lex.plural_place_anaphora:
                for t in self._resolve_plural(tok):
                    self.place_at[tok.i] = t
                    out.append(self._found(tok, path))
                self.place_at.pop(tok.i, None)
            elif (tok.lower_ in self.lex.place_anaphora or tok.lower_ in self.lex.site_anaphora) and self._resolve_anaphor(tok):
                out.append(self._found(tok, path))
            for c in tok.children:
                if c.dep_ in _NOMINAL_DEPS or clauses:
                    stack.append((c, path + (tok,)))
                elif c.dep_ == "relcl" and self._lemma(c) == "be" and self._territory_noun(tok):
                    # "a number of areas, the most important of which are X and Y"
                    stack.extend((g, path + (tok,)) for g in c.children if g.dep_ in ("attr", "nsubj"))
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

    def _resolve_plural(self, tok: "Token") -> list[Toponym]:
        """"the two southern cities", "both towns": the N places of a fitting scale named last (shortly
        before), when that many are there to take."""
        kids = [c for c in tok.children if c.dep_ in ("det", "nummod", "amod", "compound", "poss", "predet")]
        count = None
        for c in kids:
            if c.dep_ == "nummod":
                count = _count(c)
            elif c.lower_ == "both":
                count = 2
        if not count or count > 5 or any(c.dep_ in ("compound", "poss") or (c.dep_ == "amod" and not c.text.islower())
                                         or c.lower_ in self.lex.other_place_adjectives for c in kids):
            return []
        scales = self.lex.plural_place_anaphora[tok.lower_]
        pos = self.sentence.start + tok.idx
        seen: dict[str, Toponym] = {}
        for t in reversed(self.earlier):
            if t.start >= pos or t.place is None or t.place.scale not in scales:
                continue
            if pos - t.end > _ANAPHORA_REACH:
                break
            seen.setdefault(t.place.place_id, t)
            if len(seen) == count:
                return list(seen.values())  # the most recent ones
        return []  # fewer places than the number: no guess

    def _resolve_anaphor(self, tok: "Token") -> bool:
        """"the city", "the province": the last place of a fitting scale named shortly before. On
        success the place is recorded for the token (``place_at``)."""
        kids = [c for c in tok.children if c.dep_ in ("det", "amod", "compound", "nmod", "poss", "nummod", "prep")]
        # "the city", "the central town"; not "the nearby town", "the town of X", "Hama's city"
        describing = [c for c in kids if c.dep_ == "amod" and c.pos_ == "ADJ" and c.i < tok.i and c.text.islower()
                      and c.lower_ not in self.lex.other_place_adjectives]
        kids = [c for c in kids if c not in describing]
        if len(kids) != 1 or kids[0].lower_ != "the" or kids[0].i != tok.i - 1 - len(describing):
            return False
        pos = self.sentence.start + tok.idx
        site_words = self.lex.site_anaphora.get(tok.lower_)
        if site_words:
            # "the dam": the last site named before whose name says it is one (one site, no guess)
            sites = {t.place.place_id: t for t in reversed(self.earlier) if t.start < pos and pos - t.end <= _ANAPHORA_REACH
                     and t.place is not None and any(w in f"{t.text} {t.place.name}".lower() for w in site_words)}
            if len(sites) != 1:
                return False
            self.place_at[tok.i] = next(iter(sites.values()))
            return True
        scales = self.lex.place_anaphora[tok.lower_]
        candidates: dict[str, Toponym] = {}
        same_sentence: dict[str, Toponym] = {}
        for t in reversed(self.earlier):
            if t.start >= pos:
                continue
            if pos - t.end > _ANAPHORA_REACH:
                break
            if t.place is not None and t.place.scale in scales and not t.text.lower().startswith("the "):
                candidates.setdefault(t.place.place_id, t)
                if t.start >= self.evidence.start:
                    same_sentence.setdefault(t.place.place_id, t)
        if len(same_sentence) == 1:
            candidates = same_sentence  # "... had not entered Homs, but were on the outskirts of the city"
        if not candidates and "admin1" in scales:
            # "local fighters took checkpoints in the province" after "the city of Sweida": the
            # province of the one town named just before
            towns = {t.place.province: t for t in reversed(self.earlier) if t.start < pos
                     and pos - t.end <= _ANAPHORA_REACH and t.place.scale == "point" and t.place.province}
            if len(towns) == 1:
                admin1 = _admin1_place(next(iter(towns)))
                if admin1 is not None:
                    t = next(iter(towns.values()))
                    candidates = {admin1.place_id: Toponym(t.start, t.end, t.text, place=admin1)}
        if len(candidates) != 1:
            return False  # no place, or several it could be: no guess
        self.place_at[tok.i] = next(iter(candidates.values()))
        return True

    def _found(self, tok: "Token", path: tuple) -> _Found | None:
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
        if any(c.dep_ == "amod" and c.lower_ in lex.near for c in tok.children):
            near = True  # "western rural Aleppo": somewhere around it
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
            if f.near and f.distance_km is None and self._reference_only(f, alone=len(found) == 1):
                continue
            keep.append(f)
        keep = [f for f in keep if not self._names_area_of_other(f, keep) and not self._locates_other(f, keep)]
        # a province holding a town of the same trigger only locates it ("Talbiseh in Homs
        # province"), unless the town is an example of it ("most of Daraa province, including X")
        points = [f.toponym.place for f in keep if f.toponym.place.scale == "point" and not any(
            s.lower_ in self.lex.extenders or s.lemma_.lower() in self.lex.extenders for s in getattr(f, "path", ()))]
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

    def _locates_other(self, f: _Found, found: list[_Found]) -> bool:
        """An area that says where another place of the trigger is: "the summit of Mount Hermon in
        the Golan Heights" (the parser hangs "in" on "summit", beside "of Mount Hermon")."""
        if f.toponym.place.scale == "point":
            return False
        tok = self.sdoc[f.token_i]
        prep = tok.head
        if tok.dep_ != "pobj" or prep.lower_ not in ("in", "inside", "within"):
            return False
        noun = prep.head
        if noun.pos_ not in ("NOUN", "PROPN"):
            return False
        beside = {g.i for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" and c.i < prep.i
                  for g in c.children if g.dep_ == "pobj"}
        return any(g.token_i in beside for g in found if g.token_i != f.token_i)

    def _landmark_only(self, f: _Found) -> bool:
        path = getattr(f, "path", ())
        return any(s.lower_ in self.lex.landmark for s in path)

    def _reference_only(self, f: _Found, alone: bool = False) -> bool:
        """"Between", "via" make a place a reference point; so does a compass bearing with no distance,
        unless the place is the trigger's only one ("recaptured villages east of Manbij": around it)."""
        path = getattr(f, "path", ())
        return any(s.lower_ in ("between", "beyond", "past", "opposite", "than", "like", "via", "through", "bordering")
                   or (not alone and s.lemma_.lower() in _BEARINGS)
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
                    for f in self._places_under(pobj):
                        f.distance_km, f.near = d, True
                        out.append(f)
        return out

    # -- actors ---------------------------------------------------------------------------------

    def _subject_actor(self, v: "Token") -> str | None:
        tok = v
        for _ in range(6):
            if _passive(tok):
                agent = _child(tok, ("agent",))
                if agent is not None and tok.i == v.i:
                    pobj = _child(agent, ("pobj",))
                    return self._phrase_actor(pobj) if pobj is not None else None
                if tok.i == v.i:
                    return None  # "X was captured": no one named
                raised = _child(tok, ("nsubjpass",))
                if raised is not None:
                    # "Russian troops were seen leaving X", "rebels are believed to have entered Y":
                    # the passive's subject does what its complement says
                    return self._phrase_actor(raised)
            subj = self._subject(tok)
            if subj is not None:
                if subj.lower_ in _RELATIVE_PRONOUNS and tok.dep_ == "relcl":
                    return self._phrase_actor(tok.head)
                return self._phrase_actor(subj)
            if tok.dep_ in ("conj", "xcomp", "advcl", "pcomp", "acl", "prep", "pobj", "ccomp", "acomp") and tok.head.i != tok.i:
                controller = _child(tok.head, ("dobj",)) if tok.dep_ == "xcomp" else None
                if controller is not None and controller.i < tok.i:
                    return self._phrase_actor(controller)  # "forced the government to deny", "ordered troops to pull out"
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

    def _subject(self, v: "Token") -> "Token | None":
        """The verb's subject: of several, the first that names a party, else the nearest before it."""
        subjects = _subjects(v)
        if not subjects and not _passive(v):
            # "According to the monitor, rebels and allied factions captured X": the parser joins
            # the subject to the source; the party listed after the comma is the subject
            for c in v.children:
                if c.dep_ == "prep" and c.lower_ == "according" and c.i < v.i:
                    for t in c.subtree:
                        if t.dep_ == "conj" and t.i > 0 and self.sdoc[t.i - 1].lower_ == "," \
                                and self._token_actor(t):
                            return t
        if len(subjects) > 1:
            party = next((c for c in subjects if self._token_actor(c)), None)
            if party is not None:
                return party
            before = [c for c in subjects if c.i < v.i]
            return (before or subjects)[-1]
        return subjects[0] if subjects else None

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
            if tok.head.dep_ == "relcl" and tok.dep_ == "nsubj":
                # "pushed the terrorists back from the areas they had infiltrated": in a relative
                # clause "they" is the party named just before, whatever its role
                return self._party_just_named(tok) or self._earlier_subject(tok) or self.state.last_actor
            return self._earlier_subject(tok) or self.state.last_actor
        a = self._token_actor(tok)
        lemma = tok.lemma_.lower()
        if a:
            if tok.pos_ == "NOUN" and a != "unknown":
                self.state.party_of_noun[lemma] = a
            return a
        if (low in self.lex.generic_forces or lemma in self.lex.generic_forces) and self.state.sentence_speaker_actor \
                and all(c.dep_ in ("det", "amod", "punct") and c.text.islower() for c in tok.children):
            # "a rebel commander said fighters had taken X": unnamed fighters in a party's report are its own
            return self.state.sentence_speaker_actor
        if lemma in self.lex.anaphoric_nouns or low in self.lex.anaphoric_nouns:
            # "the group", "the armed groups": the party last called by that noun, else the last
            # party named as a subject
            mods = [c for c in tok.children if c.dep_ not in ("punct", "relcl", "acl", "prep")
                    and not (c.dep_ == "amod" and c.pos_ == "ADJ" and c.text.islower())]
            if len(mods) == 1 and mods[0].lower_ in ("these", "those"):
                # "the influx of terrorists ..., these groups entered": the party just named
                a = self._party_just_named(tok)
                if a:
                    return a
            if len(mods) == 1 and mods[0].lower_ in ("the", "its", "their", "these", "those"):
                return (self.state.party_of_noun.get(lemma) or self._earlier_subject(tok, skip_speakers=True)
                        or self.state.last_actor)
        return None

    def _party_just_named(self, tok: "Token") -> str | None:
        """The party of the nearest noun before ``tok`` in the sentence that names one."""
        for t in reversed(self.sdoc[:tok.i]):
            if t.pos_ in ("NOUN", "PROPN") and t.i not in self.in_place:
                a = self._token_actor(t)
                if a and a != "unknown":
                    return a
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
            if name == "of" or (name == "from" and tok.lower_ in self.lex.generic_forces):
                return self._token_actor(pobj)  # "fighters of HTS", "fighters from the Southern Operations Room"
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
        subj = self._subject(v)
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
        actor = self._speaker_actor(phrase) or (self.speaker_full and self._describing_actor(self.speaker_full))
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

    def _describing_actor(self, phrase: str) -> str | None:
        """The party a speaker's description names first ("Abu Omar, a rebel commander"; "the
        statement posted on the Defense Ministry's page (banned in Russia)"), asides in brackets
        left out."""
        mentions = self.profile.actor_mentions(_BRACKETS.sub(" ", phrase))
        precise = [m for m in mentions if m.text.lower() not in self.lex.generic_forces]
        return (precise or mentions)[0].actor if mentions else None

    def _speaker_actor(self, phrase: str) -> str | None:
        actor = self.profile.actor_of(phrase)
        if actor:
            return actor
        # by word, not by scanning every name learned so far: the work per claim stays bounded on
        # a long text that introduces many people
        words = phrase.split()
        for n in range(min(3, len(words)), 0, -1):
            for i in range(len(words) - n + 1):
                party = self.state.people.get(" ".join(words[i:i + n]))
                if party:
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
            neuter = subj.lower_ in ("it", "its")
            if neuter and (self.state.last_claimant is None or self.state.last_claimant_is_person) and self.state.last_actor:
                # "..., it said" after "The army command issued a statement": the party named last,
                # never a person who spoke before
                self.state.sentence_speaker_actor = self.state.last_actor
                self.speaker_full = None
                return None
            self.speaker_full = self.state.last_claimant
            return self.state.last_claimant
        if subj.i in self.in_place:
            # "X captured Avdiivka, Ukraine's General Staff said", parsed with the place as subject
            subj = next((c for c in subj.children if c.dep_ == "appos"), None)
            if subj is None:
                return None
        self.speaker_full = _text(self.sdoc, subj)
        phrase = _speaker_text(self.sdoc, subj)
        self.state.last_claimant_is_person = subj.pos_ == "PROPN" and not self.profile.claimant_mentions(phrase) \
            and not self.profile.actor_mentions(subj.text)
        return phrase

    # -- the claim ------------------------------------------------------------------------------

    def _claim(self, trigger: "Token", f: _Found, event_type: str, actor: str, claimant: str | None) -> Claim:
        doc = self.doc
        s = self.evidence  # the whole sentence, dateline included
        art = doc.article
        t = f.toponym
        place: Place = t.place  # type: ignore[assignment]
        precision = {"point": "point", "admin1": "admin1", "region": "region", "country": "country"}[place.scale]
        lat, lon = _display_point(place) if place.scale == "admin1" else (place.lat, place.lon)
        if precision == "point" and (f.near or f.distance_km is not None):
            precision = "near"
        event_date, date_precision = self._date(trigger, t)
        return Claim(
            article=art.article, place=place.name, place_id=place.place_id, lat=lat, lon=lon,
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
        mentions = dates_in(s.text, art.published)
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


def _pluperfect(verb: "Token") -> bool:
    """"had been", "had held": a state or event before the time the article tells of."""
    return verb.tag_ == "VBN" and any(c.dep_ == "aux" and c.lower_ in ("had", "'d") for c in verb.children)


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


@lru_cache(maxsize=256)
def dates_in(text: str, published: date) -> tuple:
    """The date mentions of a sentence (several claims of one sentence share them)."""
    from geo.dates import find_dates

    return tuple(find_dates(text, published))


def _display_point(place: Place) -> tuple[float, float]:
    """Where the map pins a province-wide claim: the province's main town (GeoNames' own point for
    a province is its middle, often empty desert)."""
    from geo.gazetteer import default_gazetteer

    return default_gazetteer().display_point(place)


@lru_cache(maxsize=1024)
def _admin1_place(iso: str) -> Place | None:
    from geo.gazetteer import default_gazetteer

    return default_gazetteer().admin1(iso)


@lru_cache(maxsize=4096)
def _province_name(iso: str | None) -> str | None:
    if not iso:
        return None
    from geo.gazetteer import default_gazetteer

    admin1 = default_gazetteer().admin1(iso)
    return admin1.name if admin1 else None


def _unique(claims: list[Claim]) -> list[Claim]:
    seen, out = set(), []
    for c in claims:
        key = (c.place_id, c.event_type, c.actor)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
