"""The claims of one parsed sentence: triggers and whether they happened, read from the dependency
tree (see :mod:`geo.claims`); their places, actors and claimants come from the mixins in
:mod:`geo.claims.places`, :mod:`geo.claims.actors` and :mod:`geo.claims.speakers`. Used by
:func:`geo.claims.extract`, one reader per sentence, with a :class:`State` carried from sentence to
sentence."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from geo.claims.actors import ActorReading
from geo.claims.lexicons import DENIABLE, Lexicon, NounRule, VerbRule
from geo.claims.places import PlaceReading, _Found, dates_in, hinterland_point
from geo.claims.speakers import ClaimantReading, note_line_speaker
from geo.claims.tree import (
    _RELATIVE_PRONOUNS,
    _SUBJECTS,
    _causer,
    _child,
    _heads_between,
    _heads_up_to,
    _own_words,
    _passive,
    _preps,
)
from geo.document import Claim, Document, Place, Sentence, Toponym
from geo.profiles import Profile

if TYPE_CHECKING:
    from spacy.tokens import Doc as SpacyDoc
    from spacy.tokens import Token

_OWN_DATE_GAP = 12  # characters between a place and a date that is its own ("Homs late on Saturday")


# Sites a party keeps troops at: "its bases at X and Y ... there has been no withdrawal"
_HELD_SITES = frozenset({"base", "bases", "airbase", "airbases", "position", "positions", "post", "posts", "garrison"})


@dataclass
class State:
    """What a reader carries from sentence to sentence: who was named last, who spoke last."""

    last_actor: str | None = None
    last_capturer: str | None = None
    last_claimant: str | None = None
    last_speaker_actor: str | None = None
    last_speaker_phrase: str | None = None  # who was speaking for last_speaker_actor
    sentence_speaker_actor: str | None = None  # the party of this sentence's speaker, once known
    last_claimant_is_person: bool = False
    people: dict[str, str] = field(default_factory=dict)  # names introduced with a title -> party
    institutions: dict[str, set[str]] = field(default_factory=dict)  # "ministry" -> the ministries named
    party_of_noun: dict[str, str] = field(default_factory=dict)  # "groups" -> the party last called so
    term_actors: dict[str, str] = field(default_factory=dict)  # the article's perspective: "terrorists" -> party
    line_date: tuple | None = None
    line_end: int = -1
    # the places of the control events the sentence just before reported ("these reports", "still in place")
    previous_places: list = field(default_factory=list)
    # the places the sentence just before said were taken ("Rebels entered X. Troops fled toward Y.")
    previous_captures: list = field(default_factory=list)


class SentenceReader(PlaceReading, ActorReading, ClaimantReading):
    """The claims of one parsed sentence."""

    def __init__(self, lex: Lexicon, profile: Profile, doc: Document, sentence: Sentence,
                 parsed: "SpacyDoc", toponyms: list[Toponym], state: State, background: re.Pattern,
                 countries: list[Toponym] = (), earlier: list[Toponym] = (), evidence: Sentence | None = None,
                 year: int | None = None, line_speaker: str | None = None):
        self.evidence = evidence or sentence
        self.year = year  # the article's year (published, or the latest it mentions)
        self.earlier = earlier  # the usable toponyms shortly before and in this sentence
        self.lex, self.profile, self.doc, self.sentence = lex, profile, doc, sentence
        self.sdoc, self.state, self.background = parsed, state, background
        self._timeless: bool | None = None
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
        self.captured: list[_Found] = []  # the places of this sentence's captures
        self.ambiguous_speaker = False
        self.losers: list[str] = []  # parties that lost what this sentence's captures took
        self.suppressed: set[int] = set()  # tokens inside what a denial denies
        self.consumed: set[int] = set()  # nouns a verb trigger has read as its object
        self.question = sentence.text.rstrip().endswith("?")
        self.first_actor: str | None = None
        self.line_speaker = line_speaker  # the source the line opens with ("Observatory: ..."), if any
        if line_speaker:
            note_line_speaker(profile, state, line_speaker)

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
            said_to_be = _child(tok.head, ("nsubj",)) if tok.pos_ == "NOUN" and tok.dep_ in ("attr", "acomp") else None
            if tok.lower_ in self.lex.denying_words and said_to_be is not None \
                    and said_to_be.lemma_.lower() in self.lex.reported_nouns:
                out += self._nominal_denial(said_to_be)  # "talk of its withdrawal from X was a lie"
            elif tok.lower_ in self.lex.denying_words and tok.pos_ in ("NOUN", "ADJ"):
                target = tok if tok.pos_ == "NOUN" else next(
                    (c for c in tok.head.children if c.dep_ in ("nsubj", "nsubjpass")), None)
                if target is not None and (tok.pos_ == "ADJ" or any(c.lower_ in ("no", "little") for c in tok.children)):
                    out += self._nominal_denial(target)
            elif tok.lower_ in self.lex.denying_words and tok.tag_ == "VBN" and _passive(tok):
                target = _child(tok, ("nsubjpass",))  # "reports of the fall of X were fabricated"
                if target is not None and target.lemma_.lower() in self.lex.reported_nouns:
                    out += self._nominal_denial(target)
        pending = []
        for v in verbs:
            rule = self._verb_rule(v)
            if rule is not None and rule.type == "denial":
                found = self._denial(v)
                out += found
                if not found:
                    pending.append(v)
        fired: set[int] = set()
        placeless: list[tuple["Token", VerbRule]] = []  # withdrawals that found no place of their own
        for v in verbs:
            if v.i in self.suppressed:
                continue
            for rule in self._verb_rules(v):
                # "moved on Hama": the first rule that reads a claim ("move into" does not; "move on" does)
                if rule.type == "denial":
                    break
                found = self._verb_event(v, rule)
                if not found and rule.type == "withdrawal" and not self.claimed:
                    placeless.append((v, rule))
                if found and rule.type == "deployment" and self._redeployed_outside(v, fired):
                    # "its units had redeployed and taken up positions outside the city": the move out of it
                    found = [replace(c, event_type="withdrawal") for c in found]
                if found:
                    out += found
                    fired.add(v.i)
                    break
        if self.claimed:
            # "Government forces retreated toward Homs after opposition forces captured Hama": a retreat
            # told before the capture it answers, read again now that the sentence's places are known
            for v, rule in placeless:
                if v.i not in fired and (found := self._verb_event(v, rule)):
                    out += found
                    fired.add(v.i)
        for n in nouns:
            if n.i in self.suppressed or n.i in self.consumed or n.i in self.in_place:
                continue
            if n.dep_ == "pobj" and n.head.lower_ == "in" and n.head.head.i in fired and n.lower_ in self.lex.holding:
                continue  # "remain in control of X": the verb's claim says it ("in control" is no capture of its own)
            out += self._noun_event(n, self.lex.nouns.get(self._lemma(n)))
        for v in pending:
            # "the army strengthened its lines in Homs and rejected military departures": a denial
            # with no place of its own is about the place the sentence names
            out += self._denial(v, fallback=self.claimed)
        if not out and not self.toponyms:
            out = self._back_references()
        return _unique(self._regional(out))

    def _area_of_the_sentence(self, obj: "Token") -> bool:
        """"the area", "the region" as what a party left, naming no place of its own: "entered the towns of X
        and Y after government forces fled the area" (the places the sentence says were taken)."""
        return obj.lower_ in ("area", "region", "areas") and obj.i not in self.place_at and all(
            c.dep_ in ("det", "amod") and c.lower_ in ("the", "this", "that", "whole", "entire", "surrounding")
            for c in obj.children)

    def _redeployed_outside(self, v: "Token", fired: set[int]) -> bool:
        """Whether deployment verb ``v`` is joined to a redeployment that placed nothing of its own and
        puts its positions "outside" a place: "units redeployed and took up positions outside X"."""
        head = v.head
        if v.dep_ != "conj" or head.i in fired or not any(
                r.type == "withdrawal" and "outside" in (r.preps or ()) for r in self.lex.verbs.get(self._lemma(head), ())):
            return False
        holders = [v] + [c for c in v.children if c.dep_ == "dobj"]
        return any(c.dep_ == "prep" and c.lower_ == "outside" for h in holders for c in h.children)

    def _goal_of(self, v: "Token", t: Toponym) -> bool:
        """Whether toponym ``t`` is where the movement ``v`` went ("fled toward Homs")."""
        return any(name in ("toward", "towards", "to", "into") and self.sentence.start + g.idx <= t.start
                   < self.sentence.start + g.right_edge.idx + len(g.right_edge.text) for name, g in _preps(v))

    def _attack_told_before(self, v: "Token", rule: VerbRule) -> "Token | None":
        """"Rebels tried to storm X, but the attack was repelled": the clause that told the attack
        the passive defense verb stops (its places and its subject are the attack's)."""
        obj = _child(v, ("nsubjpass",))
        if not _passive(v) or obj is None or rule.objects is None or obj.lemma_.lower() not in rule.objects \
                or not any(c.lower_ in ("the", "this", "that") for c in obj.children) or v.dep_ != "conj":
            return None
        head = v.head
        if self._lemma(head) in self.lex.unreal_heads:  # "tried to storm", "attempted to advance"
            head = _child(head, ("xcomp",))
        if head is None or self._lemma(head) not in self.lex.verbs or self._verb_rule(head) is None:
            return None
        return head

    def _back_references(self) -> list[Claim]:
        """A sentence with no place of its own that answers the one before: "the ministry said these
        reports were false and the army was still in place" (at the places that sentence reported)."""
        if not self.state.previous_places:
            return []
        # the places as this sentence refers to them (token: where it refers back)
        places = [replace(f, token_i=0) for f in self.state.previous_places]
        out: list[Claim] = []
        for tok in self.sdoc:
            if tok.lower_ in self.lex.denying_words and tok.pos_ == "ADJ":
                subj = _child(tok.head, ("nsubj", "nsubjpass"))
                if subj is not None and subj.lower_ in self.lex.reported_nouns \
                        and any(c.lower_ in ("these", "those", "such") for c in subj.children):
                    claimant = self._claimant(tok.head)
                    actor = self.state.sentence_speaker_actor
                    if actor and actor != "unknown" and not self.ambiguous_speaker:
                        out += [self._claim(tok.head, f, "denial", actor, claimant) for f in places]
            elif tok.pos_ == "VERB" and self._lemma(tok) in self.lex.verbs \
                    and (rule := self._verb_rule(tok)) is not None and rule.type == "defense" \
                    and rule.objects is not None and (obj := _child(tok, ("dobj",))) is not None \
                    and obj.lemma_.lower() in rule.objects and any(c.lower_ in ("the", "this", "that") for c in obj.children):
                # "SNA fighters attacked the dam. The SDF said it repelled the attack."
                actor = self._subject_actor(tok)
                if actor and actor != "unknown" and self.profile.can_act(actor, "defense") and self._reality(tok) == "real":
                    out += [self._claim(tok, f, "defense", actor, self._claimant(tok)) for f in places]
            elif tok.lower_ == "place" and tok.dep_ == "pobj" and tok.head.lower_ == "in" \
                    and self._lemma(tok.head.head) in ("be", "remain", "stay"):
                verb = tok.head.head
                actor = self._subject_actor(verb)
                if actor and actor != "unknown" and self.profile.can_act(actor, "defense") \
                        and self._reality(verb) == "real":
                    out += [self._claim(verb, f, "defense", actor, self._claimant(verb)) for f in places]
        return out

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
        """Carry the sentence's main party and speaker, and the places it reported, to the next sentences."""
        self.state.previous_places = list(self.claimed)
        self.state.previous_captures = list(self.captured)
        root = next((t for t in self.sdoc if t.dep_ == "ROOT"), None)
        actor = None
        if root is not None:
            subj = _child(root, _SUBJECTS)
            if subj is not None:
                actor = self._phrase_actor(subj)
        if actor is None and root is not None:
            # "Manbij fell to the factions, and the group withdrew from X": with no party as the main
            # subject, the party of the last clause's subject is the one "its" and "they" mean next
            for conj in reversed([c for c in root.children if c.dep_ == "conj" and c.pos_ in ("VERB", "AUX")]):
                subj = _child(conj, _SUBJECTS)
                if subj is not None and subj.lower_ not in self.lex.third_person:
                    actor = self._phrase_actor(subj)
                    if actor and actor != "unknown":
                        break
                    actor = None
        if actor is None:
            actor = self.first_actor
        if actor is not None and actor != "unknown":
            self.state.last_actor = actor
        for tok in self.sdoc:
            if tok.tag_ == "NNS" and tok.pos_ == "NOUN" and (lemma := tok.lemma_.lower()) in self.lex.anaphoric_nouns \
                    and (self._name_given(tok) is not None
                         or not any(c.lower_ in ("the", "these", "those", "its", "their") for c in tok.children)):
                # "clashes with Turkish-backed factions of the SNA", "the militias who call themselves
                # the SNA": "the factions", "the militias" later are the SNA's
                named = self._token_actor(tok)
                if named and named != "unknown":
                    self.state.party_of_noun[lemma] = named
            # "HTS and allied factions advanced": the factions are on the first party's side, and
            # "the factions" in a later sentence means them
            if tok.dep_ in ("nsubj", "nsubjpass") and any(c.dep_ == "conj" for c in tok.children):
                first = self._token_actor(tok)
                for c in tok.children:
                    if first and c.dep_ == "conj" and c.pos_ == "NOUN" and c.lemma_.lower() in self.lex.anaphoric_nouns \
                            and self._token_actor(c) is None:
                        self.state.party_of_noun[c.lemma_.lower()] = first

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
            if rule.voice == "passive" and not _passive(v):
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
            elif obj is None and v.dep_ == "conj" and v.head.pos_ in ("VERB", "AUX"):
                obj = _child(v.head, ("nsubj", "nsubjpass"))  # "rebels tried to storm X but were repelled"
        if obj is not None and obj.lower_ in _RELATIVE_PRONOUNS and v.dep_ == "relcl":
            obj = v.head  # "Hama, which rebels captured"
        if obj is not None and (obj.lemma_.lower() in self.lex.quantities or obj.lower_ in self.lex.quantities):
            # "a large number of terrorists were transported": what was moved follows "of"
            of = next((g for c in obj.children if c.dep_ == "prep" and c.lower_ == "of"
                       for g in c.children if g.dep_ == "pobj"), None)
            obj = of if of is not None else obj
        return obj

    def _verb_event(self, v: "Token", rule: VerbRule) -> list[Claim]:
        reality = self._reality(v)
        if reality == "unreal" and rule.type == "defense" and v.dep_ == "xcomp" \
                and self._lemma(v.head) in ("try", "attempt", "struggle", "fight", "scramble") and self._reality(v.head) == "real":
            reality = "real"  # "troops were trying to repel the attackers near X": defending it, whatever came of it
        if reality == "unreal" or (reality == "negated" and rule.type not in DENIABLE):
            return []
        if rule.type == "capture" and self._lemma(v) in ("control", "hold") and _pluperfect(v):
            return []  # "the SDF, who had long controlled Sheikh Maqsoud": the state before the news
        # "Kurdish fighters who control the X district were holding their positions": who they are, what
        # they hold, not a place newly taken
        held = rule.type == "capture" and self._lemma(v) in ("control", "hold") and v.dep_ == "relcl" \
            and v.tag_ in ("VBP", "VBZ") and not any(c.lower_ in ("now", "already") for c in v.children) \
            and (subj := _child(v, ("nsubj",))) is not None and subj.lower_ in _RELATIVE_PRONOUNS
        if rule.type in ("deployment", "withdrawal") and self._names_people(_child(v, ("dobj",))):
            return []  # "relocating thousands of civilians to Tabqa": people moved, not forces
        if rule.type == "deployment" and v.dep_ == "acl" and v.tag_ == "VBN" and v.head.dep_ in ("nsubj", "nsubjpass") \
                and v.head.head.pos_ in ("VERB", "AUX") and self._lemma(v.head.head) in self.lex.verbs:
            return []  # "troops stationed at X abandoned it": where the subject was says who, not what happened
        if rule.type == "advance" and v.dep_ in ("advcl", "conj") and v.tag_ == "VBG" and self._lemma(v.head) in self.lex.verbs \
                and (head_rule := self._verb_rule(v.head)) is not None and head_rule.type == "withdrawal":
            return []  # "pulled out of X, heading toward Y": where a retreat goes is no advance
        places = self._verb_places(v, rule)
        event_type = "defense" if held else rule.type
        if not places and rule.type in ("deployment", "withdrawal", "defense"):
            places = self._purpose_places(v)
            event_type = "defense" if places else event_type
        left = _child(v, ("dobj",))
        if not places and (rule.type == "capture" and rule.particle == "in"
                           or rule.type == "withdrawal" and (left is None or self._area_of_the_sentence(left))
                           and not any(name == "into" for name, _ in _preps(v))):
            # "X pulled out of Y, with Z saying they had moved in"; "Z entered Y after X pulled out";
            # "taking the city without a fight as government forces fled"; only for another party
            # than the one that took the places ("their offensive has left the army reeling")
            if rule.type == "capture" or self._subject_actor(v) not in self.claimed_actors:
                places = list(self.claimed)
        if not places and rule.type == "withdrawal" and self.state.previous_captures \
                and all(self._goal_of(v, t) for t in self.toponyms) \
                and _child(v, ("dobj",)) is None and not any(name.split(" ")[-1] in ("from", "of") for name, _ in _preps(v)) \
                and self.state.last_capturer and self._subject_actor(v) == self.profile.opponent(self.state.last_capturer):
            # "Rebels entered Hama on Thursday. Government troops fled toward Homs." (a sentence naming
            # no place but where they went): the losing side left what the sentence before said was taken
            places = [replace(f, token_i=v.i) for f in self.state.previous_captures]  # read at this verb
        if not places and rule.driven_out and v.dep_ in ("advcl", "conj") and self.captured:
            # "seized Tal Rifaat on Sunday, driving out the SDF": driven out of what was taken; of the
            # places taken, those of the clause it hangs on ("moved into X and Y, though its hold on Y
            # lasted two days before tribal fighters pushed it out": Y)
            head = v.head
            named = {self.place_at[t.i].place.place_id for t in head.subtree if t.i in self.place_at} \
                if head.dep_ in ("advcl", "conj") else set()
            own = [f for f in self.captured if f.toponym.place.place_id in named]
            places = own or list(self.captured)
        if not places and rule.type == "defense" and v.dep_ == "advcl" and v.tag_ == "VBG" and v.head.pos_ in ("VERB", "AUX") \
                and self._lemma(v.head) in self.lex.keeping_verbs and self._subject(v) is None:
            # "troops held the hill, repelling repeated assaults": the participle defends what its
            # main clause holds
            head_obj = _child(v.head, ("dobj",))
            if head_obj is not None:
                places = self._prune(self._places_under(head_obj))
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
        if not places and rule.type == "defense":
            # "Kurdish fighters who control the district were holding their positions", "troops
            # stationed in X held firm": where the subject is said to be
            subj = self._subject(v)
            if subj is not None:
                places = self._prune([f for c in subj.children if c.dep_ in ("relcl", "acl") and c.i != v.i
                                      for f in self._places_under(c, clauses=True)])
        told_in = None
        if not places and rule.type == "defense":
            told_in = self._attack_told_before(v, rule)
            if told_in is not None:
                places = self._verb_places(told_in, self._verb_rule(told_in))
        if not places:
            return []
        if reality == "negated":
            return self._reported_negation(v, places)
        claimant = self._claimant(v)  # first: "we" and "our forces" stand for the speaker
        if rule.actor == "to":
            # "Hama fell to the rebels"; "Homs has fallen": to the party taking places here
            actors = [self._to_actor(v)]
            if actors == [None] and not any(c.dep_ in ("acomp", "oprd", "xcomp", "prep", "advmod", "npadvmod")
                                            and c.lower_ not in _FALL_ASIDES for c in v.children):
                actors = [self.state.last_capturer]  # "Homs has fallen"; not "fell silent", "fell into chaos"
        else:
            actors = self._subject_actors(v)
            if actors == [None] and rule.object == "none" and v.dep_ == "acl" and v.tag_ == "VBN" \
                    and _child(v, ("agent",)) is None and v.head.pos_ in ("NOUN", "PROPN"):
                # "militants infiltrated into Hama" read as a participle, "troops withdrawn from X":
                # a verb that takes no object here has the noun it hangs on as its subject
                actors = [self._phrase_actor(v.head)]
            if actors == [None] and rule.object == "none" and _passive(v) and event_type in (
                    "withdrawal", "deployment", "defense"):
                # "troops were pulled out of X", "reinforcements were sent to Y": whoever moved
                # them, the forces moved are the party that left or arrived
                moved = _child(v, ("nsubjpass",))
                if moved is not None and moved.i not in self.in_place:
                    actors = [self._phrase_actor(moved)]
            if actors == [None] and event_type == "capture" and _passive(v) and rule.objects is not None \
                    and _child(v, ("agent",)) is None:
                # "opposition flags were raised over the citadel": whose flags they are
                raised = _child(v, ("nsubjpass",))
                if raised is not None and raised.lemma_.lower() in rule.objects:
                    actors = [self._token_actor(raised)]
        if event_type == "defense" and actors == [None]:
            # "airstrikes halted the advance of rebel factions": the side that stopped an attack
            # is the attacker's opponent
            attacker = self._attacker(v, rule) or (self._subject_actor(told_in) if told_in is not None else None)
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
            if rule.receiver:
                # "Homs was handed over to the rebels": who gave it up is not said, who took it is
                return [self._claim(v, f, rule.receiver, r, claimant) for r in self._receivers(v)
                        if self.profile.can_act(r, rule.receiver) for f in places]
            return []
        if event_type == "capture":
            self.state.last_capturer = actors[0]
            self.losers += self._losers(v)
        self.first_actor = self.first_actor or actors[0]
        self.claimed += places
        if event_type == "capture":
            self.captured += [f for f in places if self._at_edge(event_type, f) == "capture"]
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
        heads = _heads_between(n, governor)
        if heads and heads[-1].i == governor.i and (n if len(heads) == 1 else heads[-2]).dep_ == "nsubj":
            heads.pop()  # the event is what acts: "the army's withdrawal allowed the SDF to move in"
        if any(t.lemma_.lower() in self.lex.unreal_heads or t.lower_ in self.lex.unreal_heads for t in heads):
            return []  # "the possibility of Homs' capture", "fears of a fall of X"
        if rule is None or n.lemma_.lower() in self.lex.holding or n.lower_ in self.lex.holding:
            return self._control_state(n)
        if rule.needs_noun is not None and not any(
                t.lower_ in rule.needs_noun or t.lemma_.lower() in rule.needs_noun for t in n.subtree):
            return []  # "the arrival of reinforcements", not any arrival
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
        if not found and n.dep_ == "dobj" and n.head.pos_ == "VERB" and self._lemma(n.head) not in self.lex.verbs:
            # "launched an offensive on Homs", "made gains in Hama": the parser hangs the noun's
            # place on the verb that carries it
            for name, pobj in _preps(n.head):
                if name in rule.preps:
                    found += self._places_under(pobj)
        found = self._prune(found)
        if any(c.dep_ == "det" and c.lower_ == "no" for c in n.children):
            # "there has been no withdrawal from X", the ministry said: denied by whoever says so
            if not found and rule.type == "withdrawal":
                # "its bases at X and Y continued to operate and there has been no withdrawal": the
                # bases the sentence names are what was not left
                found = self._prune([f for t in self.sdoc if t.lower_ in _HELD_SITES and t.i != n.i
                                     for name, pobj in _preps(t) if name in ("at", "in")
                                     for f in self._places_under(pobj)])
            if not found or rule.type not in DENIABLE:
                return []
            claimant = self._claimant(n)
            actor = self.state.sentence_speaker_actor
            if actor is None or actor == "unknown" or self.ambiguous_speaker:
                return []
            return [self._claim(n, f, "denial", actor, claimant) for f in found]
        actor = self._noun_actor(n, rule)
        if not found and rule.type == "withdrawal" and self.captured and actor not in self.claimed_actors \
                and not any(name in ("from", "out of") for name, _ in _preps(n)) \
                and not any(name == "of" and pobj.lemma_.lower() in self.lex.regimes for name, pobj in _preps(n)):
            # "rebels captured the city following the retreat of army forces toward X": the retreat
            # left what the sentence says was taken (the collapse "of the regime" left no place)
            found = list(self.captured)
        if not found:
            return []
        if actor is None or actor == "unknown" or not self.profile.can_act(actor, rule.type):
            return []
        claimant = self._claimant(n)
        self.claimed += found
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
            claimant = self._claimant(verb)  # first: "our forces" are the speaker's
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
            if not withdrawal and (self._lemma(verb) in ("remain", "stay") or self._holder_denies(owner)):
                # "X remains under SDF control": held, as troops that remain hold; "the bridge is
                # under the full control of our forces and these reports are fabricated", "denied the
                # claim, saying X is under the full control of our forces": held, not taken (under the
                # control of another party than the denier's, it is that party's capture)
                event_type = "defense"
            self.claimed += found
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
        if event_type == "capture" and self._holder_denies(actor):
            event_type = "defense"  # "denied this, saying the armed forces are in full control of X"
        self.claimed += found
        return [self._claim(verb, f, event_type, actor, self._claimant(verb)) for f in found]

    def _holder_denies(self, holder: str) -> bool:
        """Whether the sentence denies a report ("these reports are fabricated"), has the holder deny
        something, or tells attacks repelled ("X is under our control and the attacks were repelled"):
        then a holding it tells is the holder's place kept, not a place taken."""
        for t in self.sdoc:
            if t.lower_ in self.lex.denying_words:
                return True
            if t.pos_ != "VERB":
                continue
            rules = self.lex.verbs.get(self._lemma(t), ())
            if any(r.type == "denial" for r in rules) and self._subject_actor(t) == holder:
                return True
            obj = _child(t, ("nsubjpass", "dobj"))
            if obj is not None and any(r.type == "defense" and r.objects and obj.lemma_.lower() in r.objects for r in rules) \
                    and (self._subject_actor(t) == holder or (_passive(t) and _child(t, ("agent",)) is None)):
                return True
        return False

    def _denial(self, v: "Token", fallback: list[_Found] | None = None) -> list[Claim]:
        """"The ministry denied that its troops had withdrawn from Homs": a denial at the places
        of what is denied, by the one who denies."""
        if self._reality(v) not in ("real",):
            return []
        content = [c for c in v.children if c.dep_ in ("dobj", "ccomp", "xcomp", "prep", "attr")]
        if any(c.dep_ == "dobj" and c.lemma_.lower() in self.lex.reported_nouns for c in content):
            # "denied a report on a Lebanese channel claiming that rebels had advanced to X": what the report
            # claims, which the parser hangs on the verb ("..., saying troops held X" is the denier's own)
            content += [c for c in v.children if c.dep_ == "advcl" and self._lemma(c) in ("claim", "allege")
                        and self.sdoc[c.i - 1].text != ","]
        found = self._denied_places(content)
        if not found and fallback and (self._denied_places(content, denied_event_only=True) or any(
                c.dep_ == "dobj" and c.lower_ in self.lex.reported_nouns
                and not any(g.dep_ in ("prep", "acl", "relcl") for g in c.children) for c in content)):
            found = list(fallback)  # "..., but an official denied the reports"
        if not found and fallback and v.dep_ == "relcl" and v.head.lower_ in self.lex.reported_nouns:
            found = list(fallback)  # "the army retook X, a claim the rebels rejected"
        if not found:
            return []
        actor = self._subject_actor(v)
        subj = self._subject(v)
        claimant = self._subject_phrase(v) or self._claimant(v)
        if actor is None:
            # "it denied", "the ministry denied" after the defence ministry spoke: the one who spoke
            # before; "the military denied" after residents spoke, or a minister we cannot place
            # ("..., denying reports"), is no one we know
            pronoun = subj is None or subj.lower_ in self.lex.third_person or subj.lower_ in self.lex.first_person
            spoke_last = self.state.last_speaker_phrase
            if (pronoun and claimant in (None, spoke_last, self.profile.canonical_claimant(spoke_last or ""))) or (
                    not pronoun and subj.lemma_.lower() in (spoke_last or "").lower()):
                actor = self.state.last_speaker_actor
        if actor is None or actor == "unknown":
            return []
        if claimant:
            # the denier speaks: "..., it said" next is the denier, and so are "our forces"
            self.state.last_claimant, self.state.last_claimant_is_person = claimant, False
            self.state.last_speaker_actor, self.state.last_speaker_phrase = actor, claimant
        return [self._claim(v, f, "denial", actor, claimant and self.profile.canonical_claimant(claimant)) for f in found]

    def _denied_places(self, content: list["Token"], denied_event_only: bool = False) -> list[_Found] | bool:
        """The places of a denied control event; what is denied gives no claim of its own. With
        ``denied_event_only``: whether the content denies a control event at all."""
        # "denied that the army had left Homs, saying troops were reinforcing ...": the speaker's own
        # statement after "saying" is not part of what is denied
        roots = {c.i for c in content}
        saying = [t for c in content for t in c.subtree if t.dep_ == "advcl" and self._lemma(t) in self.lex.speech
                  and t.i not in roots]
        own = {t.i for s in saying for t in s.subtree}
        tokens = [t for c in content for t in c.subtree if t.i not in own]
        events = [t for t in tokens if self._lemma(t) in self.lex.control_lemmas or self._takes_a_place(t)]
        # "denied reports that the president had left Damascus": a person's movements are no
        # control change.
        events = [t for t in events if not (t.pos_ in ("VERB", "AUX") and self._person_subject(t))]
        # "denied plans to attack Latakia": a plan denied is no control change denied

        def planned(t: "Token") -> bool:
            above = _heads_up_to(t, roots)
            # "about to take" is a plan; "reports about the army leaving" are not, and "rumours"
            # are what a denial denies, not a plan
            return any(h.lemma_.lower() in self.lex.unreal_heads and h.dep_ != "prep" and h.lower_ not in self.lex.reported_nouns
                       for h in ([t, *above] if t.pos_ == "NOUN" else above))

        events = [t for t in events if not planned(t)]
        if denied_event_only:
            return bool(events)
        if not events:
            return []
        self.suppressed.update(t.i for t in tokens)
        found = []
        for c in content:
            found += self._places_under(c, clauses=True)
        return self._prune([f for f in found if f.token_i not in own])

    def _takes_a_place(self, t: "Token") -> bool:
        """A verb that some control rule reads with a place as its object: "had taken the city" (a
        deniable event), not "had taken part"."""
        if t.pos_ != "VERB" or self._lemma(t) not in self.lex.verbs:
            return False
        obj = self._object(t)
        if obj is None or not (obj.i in self.place_at or self._territory_noun(obj) or obj.lower_ in self.lex.place_anaphora):
            return False
        return any(r.type in DENIABLE for r in self._verb_rules(t))

    def _nominal_denial(self, n: "Token") -> list[Claim]:
        """"There is no truth to reports that our forces pulled out of Hama," it said; "reports
        of a withdrawal are false"."""
        # "no truth to reports that ...", "no truth to what is being circulated about ..."
        content = [g for c in n.children if c.dep_ == "prep" for g in c.children if g.dep_ in ("pobj", "pcomp")]
        content += [c for c in n.children if c.dep_ in ("acl", "relcl", "ccomp")]
        found = self._denied_places(content)
        if not found:
            return []
        claimant = self._claimant(n)
        actor = self.state.sentence_speaker_actor
        if actor is None and claimant is not None and self.state.last_claimant == self.state.last_speaker_phrase:
            actor = self.state.last_speaker_actor  # "..., it said": the one who spoke last
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
            if tok.i == v.i and v.dep_ == "conj" and v.head.i != v.i and self._history(v.head) \
                    and not any(c.dep_ in ("advmod", "npadvmod", "prep") and c.lower_ in _OWN_TIME for c in v.children):
                return "unreal"  # "In 2016 the army retook Aleppo, and the city remained under its control"
            dep, head = tok.dep_, tok.head
            if head.i == tok.i:
                break
            causer = _causer(tok, lex.causing_heads)
            if causer is not None:
                dep, head = "xcomp", causer  # "..., prompting the militias to withdraw"
            if dep in ("relcl", "acl") and self._past_year(head):
                return "unreal"  # "since 2016, when the group took over the city"
            hlem = head.lemma_.lower()
            if dep == "xcomp" or (dep in ("acl", "advcl", "ccomp", "prep", "pcomp") and any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children)):
                if hlem in lex.failing_heads or any(c.dep_ == "advmod" and c.lower_ in ("unsuccessfully", "vainly") for c in head.children):
                    return "failed"
                if head.dep_ == "nsubj" and head.head.lemma_.lower() in lex.failing_heads and hlem in lex.unreal_heads:
                    return "failed"  # "the rebels' attempts to advance toward X failed"
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
        if self._timeless is None:
            # a sentence with no year and no background phrase tells no history (cheap test first)
            text = self.sentence.text
            self._timeless = not (_YEAR.search(text) or self.background.search(text))
        if self._timeless:
            return False
        if v.dep_ == "advcl" and v.tag_ == "VBG" and v.head.pos_ in ("VERB", "AUX") and self._history(v.head):
            return True  # "operations between 2016 and 2019, seizing X": the participle is of its clause's time
        if v.dep_ == "advcl" and any(c.lower_ == "when" for c in v.children) and v.head.pos_ in ("VERB", "AUX") \
                and self._history(v.head):
            return True  # "the siege ended in 2017 when government forces broke through to X"
        if v.dep_ == "relcl" and any(c.dep_ == "aux" and c.lower_ == "had" for c in v.children) \
                and any(self._past_year(t) for t in self.sdoc[:v.i]):
            return True  # "a 2020 ceasefire, which ended an offensive that had taken X": what was before it
        subj = self._subject(v)
        if subj is not None and subj.dep_ == "nsubj" and subj.pos_ in ("NOUN", "PROPN") and any(
                self._past_year(t) for t in subj.subtree if not any(h.dep_ in ("relcl", "acl") for h in _heads_between(t, subj))):
            return True  # "Turkey's operations in 2018 pushed the YPG out of X", "the 2016 offensive took X"
        mods = [c for c in v.children if c.dep_ in ("prep", "agent", "npadvmod", "advmod", "advcl")]
        # the parser may hang the date on the object: "took X and the villages around it in February 2016"
        objects = [c for c in v.children if c.dep_ in ("dobj", "nsubjpass")]
        objects += [g for o in objects for g in o.conjuncts]
        mods += [c for o in objects for c in o.children if c.dep_ == "prep" and c.lower_ in ("in", "during", "since")
                 and any(self._past_year(t) for t in _own_words(c))]
        if not mods:
            return False
        words = [t for c in mods for t in _own_words(c)]
        if self.background.search(" ".join(t.text for t in words)):
            return True
        # "as a result of an attack launched between May and August 2016": a prepositional phrase's
        # participles tell its time too (not its relative clauses: "Hama, which they lost in 2012")
        words += [t for c in mods if c.dep_ in ("prep", "agent") for t in c.subtree
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
        if precision == "near" and f.side is not None and f.distance_km is None:
            lat, lon = hinterland_point(place, f.side, f.side_km)  # "the northern Hama countryside": not the city
        # a place read through "the city" is dated by its trigger, not by words after its earlier mention
        named_here = self.sentence.start + self.sdoc[f.token_i].idx == t.start
        event_date, date_precision = self._date(trigger, t, named_here)
        return Claim(
            article=art.article, place=place.name, place_id=place.place_id, lat=lat, lon=lon,
            event_type=event_type, actor=actor, evidence=s.text, evidence_start=s.start, evidence_end=s.end,
            claimant=claimant, country=place.country, province=place.province,
            province_name=_province_name(place.province), geo_precision=precision,
            event_date=event_date, date_precision=date_precision, distance_km=f.distance_km,
            source=art.source, published=art.published, title=art.title, url=art.url,
            place_start=t.start, place_end=t.end,
        )

    def _date(self, trigger: "Token", t: Toponym, named_here: bool = True) -> tuple[date | None, str | None]:
        art = self.doc.article
        if not art.published:
            return None, None
        s = self.sentence
        mentions = dates_in(s.text, art.published)
        rel_end = t.end - s.start
        own = [d for d in mentions if named_here and rel_end <= d.start and d.start - rel_end <= _OWN_DATE_GAP]
        if own:
            return own[0].date, own[0].precision
        if mentions:
            lo = trigger.left_edge.idx if trigger.pos_ in ("VERB", "AUX") else trigger.idx
            hi = trigger.right_edge.idx + len(trigger.right_edge.text) if trigger.pos_ in ("VERB", "AUX") else trigger.idx
            # a date in a clause about something else ("the offensive, which began on Nov. 27, has
            # seen rebels take X") is not the event's
            elsewhere = [(c.left_edge.idx, c.right_edge.idx + len(c.right_edge.text)) for c in self.sdoc
                         if c.dep_ in ("relcl", "acl") and not (c.left_edge.i <= trigger.i <= c.right_edge.i)]
            outside = [d for d in mentions if not any(a <= d.start < b for a, b in elsewhere)]
            inside = [d for d in mentions if lo <= d.start < hi] or outside
            if not inside:
                return art.published, "day"
            best = min(inside, key=lambda d: abs(d.start - trigger.idx))
            return best.date, best.precision
        if self.state.line_date and s.start < self.state.line_end:
            return self.state.line_date
        return art.published, "day"


# Words beside "fell" that leave it a town's fall ("Homs fell overnight on Saturday"), unlike
# "fell silent" or "fell into chaos".
_FALL_ASIDES = frozenset({"on", "in", "at", "finally", "also", "then", "overnight", "quickly", "swiftly", "later",
                          "soon", "eventually", "today", "yesterday", "early", "late", "after", "within", "without"})
# A year in a text ("in 2016"): a sentence without one tells no dated history.
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
# Words by which a clause joined to a history sets its own time: "... in 2016, and now took it again".
_OWN_TIME = frozenset({"now", "today", "currently", "again", "recently", "since", "on", "by", "this", "tonight"})


def _pluperfect(verb: "Token") -> bool:
    """"had been", "had held": a state or event before the time the article tells of."""
    return verb.tag_ == "VBN" and any(c.dep_ == "aux" and c.lower_ in ("had", "'d") for c in verb.children)


def _display_point(place: Place) -> tuple[float, float]:
    """Where the map pins a province-wide claim: the province's main town (GeoNames' own point for
    a province is its middle, often empty desert)."""
    from geo.gazetteer import default_gazetteer

    return default_gazetteer().display_point(place)


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
