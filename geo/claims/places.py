"""Where a claim happened: the places a trigger names in its parse (objects, locative prepositions,
lists, anaphora), pruned of containers, landmarks and reference points. A mixin of
:class:`geo.claims.reader.SentenceReader`."""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING

from geo.claims.lexicons import VerbRule
from geo.claims.tree import (
    _CLAUSE_DEPS,
    _LIST_DEPS,
    _NOMINAL_DEPS,
    _RELATIVE_PRONOUNS,
    _child,
    _count,
    _number_of,
    _own_words,
    _passive,
    _preps,
    _relative_clause_without,
)
from geo.document import Place, Toponym
from geo.gazetteer import VILLAGE_MAX_POPULATION

if TYPE_CHECKING:
    from spacy.tokens import Span, Token


_ANAPHORA_REACH = 400  # characters back that "the city" may point

# A site said to be somewhere stays the one meant by "the post" longer than a town stays "the city":
# an article tells of few sites.
_SITE_REACH = 800
# What lies between a site and the place it is in: "outpost at the summit of", "post in" (a base
# "near" a town is not in it: the town would be a wrong dot for the base).
_SITE_TO_PLACE = re.compile(r"\s+(?:(?:at|in|on|atop|inside)\s+)(?:the\s+)?"
                            r"(?:(?:summit|top|foot|edge|outskirts|slopes?|peak)\s+of\s+(?:the\s+)?)?")
# What lies between a town and the countryside named to locate it: "Qardaha, in the eastern
# countryside of Latakia", "the Mayadeen area in the Deir ez-Zor countryside".
_LOCATING_AFTER = re.compile(r",?\s+(?:(?:area|region|district)\s+)?(?:in|on|near)\s+(?:the\s+)?(?:"
                             r"(?:[a-z-]+\s+){0,2}?(?:countryside|outskirts|suburbs|hinterland|province|governorate|region|district)"
                             r"\s+of\s+(?:the\s+)?(?:city\s+of\s+)?|(?:[a-z-]+\s+)?)")
# A small place more than this far from every other place its sentence names is a namesake (a
# village's name is shared by many; the sentence's other places say which region it is in).
_STRAY_KM = 120
_STRAY_MAX_POPULATION = 20_000
_BEARINGS = frozenset({"north", "south", "east", "west", "northeast", "northwest", "southeast", "southwest"})
# Words that make the place after them a reference point, not a place of the events ("south-east of").
_REFERENCE_BEFORE = re.compile(
    r"\b(?:(?:" + "|".join(re.sub(r"^(north|south)(east|west)$", r"\1-?\2", b) for b in sorted(_BEARINGS))
    + r")(?:ern)?\s+of|near|outside(?:\s+of)?|from)\s+(?:the\s+)?(?:(?:city|town|village)\s+of\s+)?$", re.I)
# A preposition (and at most one lowercase word) right before a place: the place is a location.
_LOCATIVE_BEFORE = re.compile(r"\b(?:in|at|into|inside|from|near|around|outside|toward|towards|to|of|across)\s+"
                              r"(?:the\s+)?(?:[a-z-]+\s+)?$")
_PART_OF_TOWN_KM = 8  # a district named beside "the city" lies within this of the city's point
_NAMED_SETTLEMENT = re.compile(r"\b(?:village|town|city|hamlet)\s+of\s+(?P<name>[A-Z][\w'’-]*)")
_KIND_OF_BEFORE = re.compile(r"\b(city|town|village)\s+of\s+$", re.I)
# Prepositions that locate an event rather than name where it went ("in", "near" a town).
_LOCATING_PREPS = frozenset({"in", "inside", "near", "around", "outside", "across", "within"})
# What may stand between the names of a list: "A, B and C", "A and the B".
_LIST_GAP = re.compile(r"\s*,?\s*(?:and\s+|or\s+)?(?:the\s+)?")
# Compass words as azimuths (degrees clockwise from north), for a town's hinterland on one side.
_AZIMUTHS = {
    word: deg for base, deg in (("north", 0), ("northeast", 45), ("east", 90), ("southeast", 135), ("south", 180),
                                ("southwest", 225), ("west", 270), ("northwest", 315))
    for word in (base, base + "ern", base.replace("east", "-east").replace("west", "-west").lstrip("-"),
                 base.replace("east", "-east").replace("west", "-west").lstrip("-") + "ern")
}
# How far off the town a claim about one side of its countryside is drawn: about the middle of the
# rural ring of a Syrian district (a district centre's villages lie within some 20-30 km of it; a
# big city's countryside starts farther out).
_HINTERLAND_KM = {"city": 15.0, "town": 10.0}
_CITY_POPULATION = 300_000
# "captured Anadan in northern Aleppo": a town that many times bigger, that close, only says where the
# smaller place is (a governorate's villages lie within some 60 km of its capital).
_AROUND_TIMES, _AROUND_KM = 5, 60.0


@dataclass
class _Found:
    """A place a trigger names, with how it was reached."""

    toponym: Toponym
    token_i: int
    near: bool = False
    distance_km: float | None = None
    side: int | None = None  # azimuth of "the northern X countryside": the claim lies off X that way
    side_km: float | None = None  # and how far, when the text says ("10 km east of X")


class PlaceReading:
    """The places of a trigger (read by the sentence reader it is mixed into)."""

    def _verb_places(self, v: "Token", rule: VerbRule) -> list[_Found]:
        found: list[_Found] = []
        obj = self._object(v)
        if rule.place == "subject":
            subj = _child(v, ("nsubj", "nsubjpass"))
            if subj is not None and subj.lower_ in _RELATIVE_PRONOUNS and v.dep_ == "relcl":
                subj = v.head
            # "Hama fell", "the town of X fell"; not "temperatures in Homs fell"
            if subj is not None and (subj.i in self.place_at or self._territory_noun(subj)
                                     or subj.lower_ in self.lex.place_anaphora
                                     or subj.lemma_.lower() in self.lex.holding):  # "control of X passed to Y"
                found += self._places_under(subj)
            if found:
                found += self._gapped(v, found)
            return self._prune(found)
        take_preps = True
        # The parser may give a verb several direct objects ("handed over the airport, the towns of
        # X and Y, ..."): each is read.
        objects = [obj] + [c for c in v.children if c.dep_ in ("dobj", "nsubjpass") and obj is not None
                           and c.i != obj.i and (c.dep_ == obj.dep_ or (c.i in self.place_at and not c.is_ancestor(obj)))]
        for obj in (o for o in objects if o is not None and rule.object != "none"):
            territorial = (obj.i in self.place_at or self._territory_noun(obj)
                           or (rule.objects is not None and obj.lemma_.lower() in rule.objects)
                           or any(c.i in self.place_at for c in obj.children if c.dep_ in ("compound", "nmod", "amod", "poss")))
            if territorial:
                under = self._places_under(obj, clauses=rule.type == "defense" and obj.i not in self.place_at)
                if v.dep_ in ("relcl", "acl") and obj.i == v.head.i:
                    # "the airport, which the rebels captured, or the Kweires air base": what the
                    # clause is about, not what is listed after it
                    under = [f for f in under if f.token_i < v.left_edge.i or f.token_i == obj.i]
                found += under
                if obj.i not in self.place_at:
                    found += self._stray_examples(obj)
                self.consumed.add(obj.i)
                self.consumed.update(t.i for t in obj.subtree)
            elif rule.object == "any":
                # "seized weapons in X" names no territory; "withdrew its fighters from X" does
                take_preps = self._territory_noun(obj) or (
                    rule.type in ("withdrawal", "deployment") and obj.dep_ == "dobj"
                    and (obj.lower_ in self.lex.generic_forces or obj.lemma_.lower() in self.lex.generic_forces)
                ) or (
                    # "pushed militants back from the city of X", "pushed the attackers back from X": the
                    # enemy pushed, the place defended
                    rule.type == "defense" and obj.dep_ == "dobj" and (
                        self._token_actor(obj) is not None or rule.particle == "back"))
        obj = objects[0]
        if rule.object == "place" and not found:
            take_preps = True
        if rule.object == "none" and rule.objects is not None and obj is not None and obj.dep_ == "dobj":
            # "deployed units from the security service to Latakia": the parser hangs the
            # destination on the forces moved
            for name, pobj in _preps(obj):
                if name in rule.preps and name != "from":
                    found += self._places_under(pobj)
        if take_preps and rule.preps:
            for name, pobj in _preps(v):
                if rule.particle and name.startswith(rule.particle + " "):
                    name = name[len(rule.particle) + 1:]  # "fell back from X": "from" hangs on "back"
                if name in rule.preps or (rule.object != "none" and (
                        name in self.lex.extenders or pobj.lemma_.lower() in self.lex.portions)):
                    # "advanced toward the airbase near Aleppo", "near" hung on the verb: the place
                    # near which is a landmark when the verb has another place
                    start = (pobj.head,) if name in ("near", "outside") else ()
                    found += self._places_under(pobj, path=start, described=rule.type == "defense")
                elif rule.object != "none" and name in ("near", "around", "outside") and obj is not None \
                        and obj.dep_ == "dobj" and obj.i not in self.place_at and self._territory_noun(obj) \
                        and not any(c.i in self.place_at for c in obj.subtree):
                    # "took back several villages near Manbij": the parser hangs "near" on the verb;
                    # the villages taken are around the town
                    found += self._places_under(pobj, path=(pobj.head,))
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
        if take_preps and rule.preps:
            for name, pobj in _preps(v):
                if name.split(" ")[-1] == "from":
                    # "advanced south from Hama City toward Homs City": the parser hangs the goal on
                    # the place the advance started from
                    for inner, goal in _preps(pobj):
                        if inner in ("toward", "towards", "to", "into", "on") and inner in rule.preps:
                            found += self._places_under(goal)
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
            or self._names_people(obj)  # "the prison, where they freed hundreds of detainees"
            or (self._token_actor(obj) is not None and obj.lemma_.lower() not in (rule.objects or ())))
        if not found and not acted_on_party:
            # (not "the city, where the army attacked them": attacking a party is no advance on the city)
            rel = v
            while rel.dep_ in ("ccomp", "conj", "xcomp") and rel.head.i != rel.i:
                rel = rel.head
            if rel.dep_ == "relcl" and any(c.lower_ == "where" for c in rel.children) and not any(
                    c.dep_ == "prt" and c.lower_ != rule.particle for c in v.children) \
                    and not (rule.object == "none" and any(c.dep_ == "dobj" and c.lemma_.lower() not in (rule.objects or ())
                                                           for c in v.children)):
                # (not "where protests broke out", nor "where the family draws its support": a verb of
                # movement that has an object of another kind)
                # "Hama, where rebels took the airport"; "with the exception of X and Y in the south,
                # where troops remain": the places of the nearest phrase holding some
                cur = rel.head
                for _ in range(4):
                    near = self._places_under(cur)
                    if near or cur.head.i == cur.i or cur.head.pos_ in ("VERB", "AUX"):
                        found += near
                        break
                    cur = cur.head
        if not found and obj is not None and obj.dep_ == "dobj" and (
                obj.lower_ in self.lex.city_parts or obj.lemma_.lower() in self.lex.city_parts) \
                and not any(c.dep_ == "prep" for c in obj.children):
            # "after tribal fighters entered several neighbourhoods": of the one town named before
            towns = {t.place.place_id: t for t in self.toponyms if t.place.scale == "point"
                     and t.end <= self.sentence.start + obj.idx and not t.text.lower().startswith("the ")}
            if len(towns) == 1:
                found.append(_Found(next(iter(towns.values())), obj.i))  # read at the part's word
        if not found and obj is not None and obj.lower_ == "it" and obj.dep_ == "dobj" and v.dep_ in ("advcl", "conj") \
                and v.head.pos_ == "VERB":
            # "withdrew from the city of X, handing it over to Y": "it" is the one place of that clause
            theirs = [f for c in v.head.children if c.dep_ == "dobj" for f in self._places_under(c)]
            theirs += [f for c in v.head.children if c.dep_ == "prep" and c.i < v.i
                       for g in c.children if g.dep_ == "pobj" for f in self._places_under(g)]
            theirs = self._prune(theirs)
            if len(theirs) == 1:
                found = theirs
        if not found and obj is not None and obj.lower_ == "it" and obj.dep_ == "dobj" and rule.object != "none":
            # "troops stationed at the airbase abandoned it", "rebels surrounded Hama and took it": the
            # one place the sentence named before the verb
            before = {t.place.place_id: t for t in self.toponyms if t.place.scale == "point"
                      and self.evidence.start <= t.start < self.sentence.start + v.idx}
            if len(before) == 1:
                t = next(iter(before.values()))
                span = self._span_of(t)
                if span is not None:
                    found.append(_Found(t, span.root.i))
        if rule.type == "withdrawal":
            # "withdrew from the towns toward Damascus": where they went is not what they left
            found = [f for f in found if not any(s.lower_ in ("toward", "towards") for s in getattr(f, "path", ()))]
        if rule.type == "border_crossing":
            # coded at the named place on the other side, never a whole province
            found = [f for f in found if f.toponym.place.scale == "point"]
        heads = [o for o in objects if o is not None] + [g for name, g in _preps(v) if name in rule.preps]
        object_heads = {o.i for o in objects if o is not None}
        unknown = [t for h in heads for t in h.subtree if (t.i in object_heads or self._place_kind(t))
                   and self._unknown_named(t)]
        if unknown and found:
            # "entered the town of Jamla in western Daraa", "advanced into the village of X, in southern
            # Quneitra", "fleeing the T4 air base in the Homs desert": the place of the event is one we
            # cannot resolve; a province, or a town named with "in" or "near" to locate it, is no
            # stand-in for it (a town the verb reaches in its own right still counts)
            # (when the unknown place is the object's, only the objects' own towns count)
            in_objects = {t.i for o in objects if o is not None for t in o.subtree}
            only = in_objects if any(u.i in in_objects for u in unknown) else None
            found = [f for f in found if f.toponym.place.scale == "point" and not f.near
                     and not self._locating_path(f.token_i, v) and (only is None or f.token_i in only)]
        if not found and "in" in rule.preps and v.dep_ == "conj" and v.head.pos_ == "VERB" and obj is not None \
                and self._territory_noun(obj) and not self._unknown_named(obj):
            # "attacked checkpoints in the town of X and took over several positions": the second verb's
            # positions are where the first one was (a town, not a province framing both)
            # ("entered the town of X, in the countryside of Y, and set up checkpoints": X)
            head_objects = [c for c in v.head.children if c.dep_ == "dobj"]
            shared = [f for o in head_objects if o.i in self.place_at or self._territory_noun(o)
                      for f in self._places_under(o)]
            shared += [f for h in [v.head] + head_objects for name, pobj in _preps(h) if name in ("in", "inside", "at")
                       for f in self._places_under(pobj, path=(h,))]
            found += [f for f in self._prune(shared) if f.toponym.place.scale == "point"]
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
                            span = self._span_of(t)
                            if span is not None:
                                found.append(_Found(t, span.root.i))
        if not found:
            found += self._there(v, rule)
        if not found and rule.type == "defense" and obj is not None and obj.lemma_.lower() in ("attempt", "effort", "bid"):
            # "thwarted all attempts by X to seize Y", the infinitive hung on the verb, not on "attempts"
            for c in v.children:
                if c.dep_ in ("advcl", "xcomp") and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children):
                    found += self._places_under(c, clauses=True)
        if not found and rule.type == "defense" and _passive(v) and v.dep_ == "conj" and v.head.pos_ == "VERB" \
                and _child(v, ("nsubjpass",)) is None:
            # "militants attempted to break through near X but were repelled": where the attempt was
            for c in v.head.children:
                if c.dep_ == "xcomp":
                    found += [f for name, pobj in _preps(c) for f in self._places_under(pobj, path=(c,))]
                    target = _child(c, ("dobj",))  # "tried to storm X but were repelled"
                    if target is not None and target.i in self.place_at:
                        found += self._places_under(target, path=(c,))
        if not found and rule.type in ("defense", "deployment"):
            # "The forces in northern Hama repelled ...": where the defenders are
            subj = self._subject(v)
            if subj is not None:
                # "units operating in X", "units of the armed forces operating in X"
                of = [g for c in subj.children if c.dep_ == "prep" and c.lower_ == "of" for g in c.children if g.dep_ == "pobj"]
                heads = [subj] + [c for h in [subj, *of] for c in h.children if c.dep_ == "acl"]
                for h in heads:
                    for name, pobj in _preps(h):
                        if name in ("in", "at", "inside"):
                            found += self._places_under(pobj)
        # "repelled an attack on the dam from the direction of X": where the attack came from
        found = [f for f in found if not self._from_direction(f.token_i, v)]
        if found:
            found += self._gapped(v, found)
        return self._prune(found)

    def _gapped(self, v: "Token", found: list[_Found]) -> list[_Found]:
        """Places of a list that leaves the verb out, each with its own time: "Aleppo fell on 30 November,
        Hama on 5 December and Homs two days later", "took Aleppo last week, Hama on Thursday". The
        parser hangs them on the verb or on the dates: any place so hung stands where the first one does."""
        have = {f.token_i for f in found}
        out = []
        for t in self.sdoc:
            if t.i not in self.place_at or t.i in have or t.i < min(have):
                continue
            head = t.head
            if t.dep_ == "npadvmod" and head.i == v.i:
                pass
            elif t.dep_ in ("appos", "conj") and self._in_date(head):
                while head.dep_ in ("conj", "appos") and head.head.i != head.i:
                    head = head.head
                if not (head.dep_ == "pobj" and head.head.dep_ == "prep" and head.head.head.i == v.i):
                    continue
            else:
                continue
            f = self._found(t, ())
            if f is not None:
                out.append(f)
        return out

    def _in_date(self, tok: "Token") -> bool:
        published = self.doc.article.published
        if not published:
            return False
        return any(d.start <= tok.idx < d.end for d in dates_in(self.sentence.text, published))

    def _span_of(self, t: Toponym) -> "Span | None":
        """The tokens of this sentence's parse that a toponym covers."""
        return self.sdoc.char_span(t.start - self.sentence.start, t.end - self.sentence.start, alignment_mode="expand")

    def _place_kind(self, tok: "Token") -> bool:
        """Whether a noun says what kind of place it is ("village", "towns", "the base")."""
        word, lemma = tok.lower_, tok.lemma_.lower()
        return any(w in kinds for w in (word, lemma) for kinds in
                   (self.lex.place_anaphora, self.lex.plural_place_anaphora, self.lex.site_anaphora))

    def _path_up(self, i: int, v: "Token") -> Iterator["Token"]:
        """The tokens from token ``i`` up the tree to ``v`` (``v`` left out)."""
        tok = self.sdoc[i]
        while tok.i != v.i and tok.head.i != tok.i:
            yield tok
            tok = tok.head

    def _from_direction(self, i: int, v: "Token") -> bool:
        """Whether token ``i`` hangs on ``v`` through "from the direction of" (an origin)."""
        return any(t.lemma_.lower() == "direction" and t.head.lower_ == "from" for t in self._path_up(i, v))

    def _locating_path(self, i: int, v: "Token") -> bool:
        """Whether token ``i`` hangs on ``v`` through a preposition that locates ("in", "near"):
        "Quneitra" in "advanced into X in Quneitra", "Homs" in "the air base in the Homs desert"."""
        return any(t.dep_ == "prep" and t.lower_ in _LOCATING_PREPS for t in self._path_up(i, v))

    def _unknown_named(self, obj: "Token") -> bool:
        """An object that names a place we could not resolve: "the town of Jamla", "Koayiah village"."""
        if obj.i in self.in_place:
            return False
        names = [c for c in obj.children if c.dep_ in ("compound", "nmod") and c.pos_ == "PROPN"]
        if obj.lower_ in self.lex.plural_place_anaphora:  # "two villages, X and Y"
            names += [c for c in obj.children if c.dep_ == "appos" and c.pos_ == "PROPN"]
        names += [g for c in obj.children if c.dep_ == "prep" and c.lower_ == "of"
                  for g in c.children if g.dep_ == "pobj" and g.pos_ == "PROPN"]
        if obj.pos_ == "PROPN" and obj.lower_ not in self.lex.territory:
            names.append(obj)
        after = obj.right_edge.i + 1
        if after + 1 < len(self.sdoc) and self.sdoc[after].text == "," and obj.lower_ in self.lex.plural_place_anaphora \
                and self.sdoc[after + 1].pos_ == "PROPN":
            # "took two villages, X and Y": names the parser hung elsewhere (on the subject)
            names.append(self.sdoc[after + 1])
        return any(n.i not in self.in_place and n.i not in self.country_at and not self._token_actor(n)
                   and not self._capitalised_kind(n) and not self._in_brackets(n) for n in names)

    def _in_brackets(self, tok: "Token") -> bool:
        """A name in brackets is another name for what stands before it: "the Tiyas (T4) air base"."""
        return 0 < tok.i < len(self.sdoc) - 1 and self.sdoc[tok.i - 1].text == "(" and self.sdoc[tok.i + 1].text == ")"

    def _names_people(self, obj: "Token | None") -> bool:
        """Whether a verb's object is people, not forces or places ("detainees", "thousands of
        civilians", "residents")."""
        if obj is not None and obj.lower_ in self.lex.quantities:
            obj = next((g for name, g in _preps(obj) if name == "of"), obj)
        if obj is None:
            return False
        return obj.lemma_.lower() in self.lex.person_nouns or obj.lower_ in self.lex.person_nouns \
            or self.profile.actor_of(obj.text) == "civilians"

    def _capitalised_kind(self, tok: "Token") -> bool:
        """"Homs City", "Idlib Province" (ISW's style): the kind of place after a name we resolved."""
        return (tok.lower_ in self.lex.territory or tok.lower_ in self.lex.place_anaphora) and any(
            c.dep_ == "compound" and c.i in self.in_place for c in tok.children)

    def _stray_examples(self, noun: "Token") -> list[_Found]:
        """Places a list-opening adverb marks as examples of a territory noun but the parser hung
        elsewhere: "secured several areas after expelling the army, most notably X and Y", with X
        made an apposition of the subject."""
        out: list[_Found] = []
        for t in self.sdoc[noun.i + 1:]:
            if t.i not in self.place_at or noun.is_ancestor(t) or t.dep_ not in ("appos", "npadvmod", "dep"):
                continue
            marker = next((c for c in t.children if c.dep_ == "advmod" and c.i < t.i
                           and (c.lower_ in self.lex.extenders or c.lemma_.lower() in self.lex.extenders)), None)
            if marker is None and t.i >= 2 and self.sdoc[t.i - 2].lower_ == "among" \
                    and self.sdoc[t.i - 1].lower_ in ("them", "which", "these", "those"):
                marker = self.sdoc[t.i - 2]  # "seized several towns on Friday, among them X and Y"
            if marker is not None:
                out += self._places_under(t, path=(noun, marker))
        return out

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

    def _places_under(self, root: "Token", *, clauses: bool = False, path: tuple = (),
                      described: bool = False) -> list[_Found]:
        """The places in a noun phrase (or, with ``clauses``, a whole subtree), with how each is reached
        (``path``: the words above ``root`` on the way from the trigger). With ``described``, the places
        a relative clause gives an area ("the areas they had infiltrated on the outskirts of X")."""
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
            elif tok.lower_ == "its" and tok.dep_ == "poss" and (tok.head.lower_ in self.lex.edges or tok.head.lower_ in self.lex.city_parts
                                                                   or tok.head.lower_ in self.lex.hinterland):
                # "captured its northern outskirts": the town the sentence, or the one before, named
                if self._antecedent(tok, ["point"]):
                    out.append(self._found(tok, path))
            for c in tok.children:
                if c.dep_ in _NOMINAL_DEPS or clauses:
                    stack.append((c, path + (tok,)))
                elif c.dep_ == "relcl" and self._lemma(c) == "be" and self._territory_noun(tok):
                    # "a number of areas, the most important of which are X and Y"
                    stack.extend((g, path + (tok,)) for g in c.children if g.dep_ in ("attr", "nsubj"))
                elif described and c.dep_ == "relcl" and self._territory_noun(tok) and tok.i not in self.place_at:
                    # "the areas they had infiltrated on the outskirts of X": where those areas are
                    stack.extend((g, path + (tok, c, prep)) for prep in c.children if prep.dep_ == "prep"
                                 and prep.lower_ in ("in", "into", "on", "at", "near", "around", "inside")
                                 for g in prep.children if g.dep_ == "pobj")
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
        if any(c.dep_ == "prep" and c.lower_ in ("of", "including", "like", "as") for c in tok.children):
            return []  # "the villages of A and B", "villages such as A": they name their own places
        kids = [c for c in tok.children if c.dep_ in ("det", "nummod", "amod", "compound", "poss", "predet")]
        count = None
        for c in kids:
            if c.dep_ == "nummod":
                count = _count(c)
            elif c.lower_ == "both":
                count = 2
        if any(c.dep_ in ("compound", "poss") or (c.dep_ == "amod" and not c.text.islower())
               or c.lower_ in self.lex.other_place_adjectives for c in kids):
            return []
        if not count and [c.lower_ for c in kids] == ["the"]:
            return self._listed_before(tok)  # "entered the towns of A and B ... withdrew from the towns"
        if not count or count > 5:
            return []
        scales = self.lex.plural_place_anaphora[tok.lower_]
        pos = self.sentence.start + tok.idx
        seen: dict[str, Toponym] = {}
        for t in reversed(self.earlier):
            if t.start >= pos or t.place is None or t.place.scale not in scales:
                continue
            if pos - t.end > _ANAPHORA_REACH:
                break
            if _REFERENCE_BEFORE.search(self.doc.text, max(0, t.start - 25), t.start):
                continue  # "Deir Hafer and Maskanah, east of Aleppo": Aleppo locates the two towns
            seen.setdefault(t.place.place_id, t)
            if len(seen) == count:
                return list(seen.values())  # the most recent ones
        return []  # fewer places than the number: no guess

    def _listed_before(self, tok: "Token") -> list[Toponym]:
        """"the towns": the places listed after the last "towns of" shortly before ("the towns of A and
        B", "villages such as A, B and C")."""
        pos = self.sentence.start + tok.idx
        text = self.doc.text
        lo = max(0, pos - _ANAPHORA_REACH)
        intro = None
        for intro in re.finditer(rf"\b{re.escape(tok.lower_)}\s+(?:of|such as|including|like)\s+", text[lo:pos], re.I):
            pass
        if intro is None:
            return []
        listed: list[Toponym] = []
        end = lo + intro.end()
        for t in self.earlier:
            if t.start < end or t.start >= pos:
                continue
            if t.start != end and not _LIST_GAP.fullmatch(text, end, t.start):
                break
            if t.place is not None:
                listed.append(t)
            end = t.end
        return listed if len({t.place.place_id for t in listed}) >= 2 else []

    def _resolve_anaphor(self, tok: "Token") -> bool:
        """"the city", "the province": the last place of a fitting scale named shortly before. On
        success the place is recorded for the token (``place_at``)."""
        kids = [c for c in tok.children if c.dep_ in ("det", "amod", "compound", "nmod", "poss", "nummod", "prep")]
        if tok.lower_ in self.lex.site_anaphora:
            # "the crossing in the eastern countryside": where the one site is, not another site's name
            kids = [c for c in kids if not (c.dep_ == "prep" and c.lower_ != "of")]
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
            if not sites:
                described = self._described_site(pos, site_words)
                if described is not None:
                    sites = {described.place.place_id: described}
            if len(sites) != 1:
                return False
            self.place_at[tok.i] = next(iter(sites.values()))
            return True
        scales = self.lex.place_anaphora[tok.lower_]
        if "capital" in scales:
            return self._provincial_capital(tok)
        return self._antecedent(tok, scales)

    def _described_site(self, pos: int, site_words: list[str]) -> Toponym | None:
        """"an army outpost at the summit of Mount Hermon ... the post": the place the last site of
        that kind named shortly before was said to be at (the text is read, as the sentence that
        named it may not have been parsed)."""
        text = self.doc.text
        lo = max(0, pos - _SITE_REACH)
        words = "|".join(re.escape(w) for w in site_words)
        for m in reversed(list(re.finditer(rf"\b(?:{words})s?\b", text[lo:pos], re.I))):
            end = lo + m.end()
            after = next((t for t in self.earlier if end <= t.start < pos), None)
            if after is not None and after.place is not None and _SITE_TO_PLACE.fullmatch(text, end, after.start):
                return after
        return None

    def _provincial_capital(self, tok: "Token") -> bool:
        """"the provincial capital": the town named like the one province named shortly before
        (Daraa in Daraa province), if the gazetteer has it there."""
        if not any(c.dep_ == "amod" and c.lower_ in ("provincial", "regional") for c in tok.children):
            return False  # "the capital" alone is the country's, which the geoparser reads
        pos = self.sentence.start + tok.idx
        provinces = {t.place.province: t for t in reversed(self.earlier) if t.start < pos and pos - t.end <= _ANAPHORA_REACH
                     and t.place is not None and t.place.scale == "admin1" and t.place.province}
        if len(provinces) != 1:
            return False
        iso, t = next(iter(provinces.items()))
        from geo.gazetteer import default_gazetteer

        towns = [p for p in default_gazetteer().resolve(t.place.name, country=t.place.country)
                 if p.scale == "point" and p.province == iso]
        if not towns:
            return False
        self.place_at[tok.i] = Toponym(t.start, t.end, t.text, place=towns[0])
        return True

    def _antecedent(self, tok: "Token", scales: list[str]) -> bool:
        """The one place of a fitting scale named shortly before ``tok``, recorded for it (``place_at``)."""
        pos = self.sentence.start + tok.idx
        # "the city", "the town", "the village" name a settlement ("its outskirts" may be a dam's)
        settlement = self.lex.place_anaphora.get(tok.lower_) == {"point"}
        candidates: dict[str, Toponym] = {}
        same_sentence: dict[str, Toponym] = {}
        described: dict[str, Toponym] = {}  # named in a relative clause the anaphor is not in
        for t in reversed(self.earlier):
            if t.start >= pos:
                continue
            if pos - t.end > _ANAPHORA_REACH:
                break
            if t.place is not None and t.place.scale in scales and not t.text.lower().startswith("the "):
                if settlement and self.lex.site_name_rx.search(f"{t.text} {t.place.name}"):
                    continue  # "the village", "the town" is never the dam or the airbase named before
                if tok.lower_ == "village" and t.place.population >= VILLAGE_MAX_POPULATION:
                    continue  # nor is "the village" a city
                if t.start >= self.sentence.start and self._in_other_relative_clause(t, tok):
                    # "The groups, which set out from the Idlib zone, entered the city": a clause that
                    # describes a party tells its past, and "the city" is the place the story is about
                    described.setdefault(t.place.place_id, t)
                    continue
                candidates.setdefault(t.place.place_id, t)
                if t.start >= self.evidence.start:
                    same_sentence.setdefault(t.place.place_id, t)
        if not candidates:
            candidates = same_sentence = described  # "Fighters who had massed near Homs entered the city"
        if settlement and len(candidates) > 1:
            # "captured the town of Khan Sheikhoun and then Hama. The army redeployed outside the city":
            # not the place the text called a town (nor "the town" one it called a city)
            other_kinds = {"city": ("town", "village"), "town": ("city", "village"), "village": ("city", "town")}
            fitting = {k: t for k, t in candidates.items()
                       if self._introduced_as(t) not in other_kinds.get(tok.lower_, ())}
            if fitting:
                candidates = fitting
                same_sentence = {k: t for k, t in same_sentence.items() if k in fitting}
        if len(same_sentence) > 1:
            # "the Tal Rifaat district of Aleppo's countryside, liberating the area": a town named
            # only to say whose countryside it is locates the other place
            located = {k: t for k, t in same_sentence.items() if not self._names_hinterland(t)}
            if len(located) == 1:
                same_sentence = located
        if len(same_sentence) == 1:
            candidates = same_sentence  # "... had not entered Homs, but were on the outskirts of the city"
        elif len(candidates) > 1 and not same_sentence and len(near := self._holding_part_named(candidates)) == 1:
            candidates = near  # "In the city's north, fighters who control the Sheikh Maqsoud district ...": Aleppo
        elif len(candidates) > 1 and not same_sentence:
            # "took Hama after troops withdrew toward Homs. Footage showed fighters in central Hama.
            # The army redeployed outside the city": the one such place of the sentence just before
            before = [s for s in self.doc.sentences if s.end <= self.evidence.start]
            if before:
                last = before[-1]
                # only a place the sentence puts something in ("fighters in central Hama"), not one
                # it names as a party ("Russia promised Damascus aid")
                previous = {k: t for k, t in candidates.items() if last.start <= t.start < last.end and t.literal
                            and _LOCATIVE_BEFORE.search(self.doc.text, max(last.start, t.start - 40), t.start)}
                if len(previous) == 1:
                    candidates = previous
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
        if len(candidates) == 1 and settlement and self._unknown_named_since(next(iter(candidates.values())), pos):
            return False  # "captured the village of X; the village was later retaken": X, which we cannot place
        if len(candidates) != 1:
            return False  # no place, or several it could be: no guess
        self.place_at[tok.i] = next(iter(candidates.values()))
        return True

    def _holding_part_named(self, candidates: dict[str, Toponym]) -> dict[str, Toponym]:
        """The candidate towns of which this sentence names a part: a place within a few kilometres of one
        ("the Sheikh Maqsoud district" for Aleppo), not itself a candidate."""
        parts = [t for t in self.toponyms if t.place is not None and t.place.scale == "point"
                 and t.place.place_id not in candidates]
        return {k: c for k, c in candidates.items() if c.place.scale == "point" and any(
            _km(c.place.lat, c.place.lon, p.place.lat, p.place.lon) <= _PART_OF_TOWN_KM for p in parts)}

    def _unknown_named_since(self, t: Toponym, pos: int) -> bool:
        """Whether the text between toponym ``t`` and position ``pos`` names a settlement we could not
        place ("the village of Khirbet X"): the nearer one is what "the village" means."""
        known = [(o.start, o.end) for o in self.doc.toponyms if t.end <= o.start < pos]
        for m in _NAMED_SETTLEMENT.finditer(self.doc.text, t.end, pos):
            if not any(a <= m.start("name") < b for a, b in known):
                return True
        return False

    def _introduced_as(self, t: Toponym) -> str | None:
        """The kind of place the text names ``t`` as: "town" for "the town of X", else None."""
        m = _KIND_OF_BEFORE.search(self.doc.text, max(0, t.start - 20), t.start)
        return m.group(1).lower() if m else None

    def _in_other_relative_clause(self, t: Toponym, tok: "Token") -> bool:
        """Whether toponym ``t`` (of this sentence) is where the subject came from, told in a relative clause
        about it that ``tok`` is not in."""
        span = self._span_of(t)
        if span is None:
            return False
        rel = _relative_clause_without(span.root, tok)
        # (a clause about the subject: "The groups, which ..."; not one the parser took for a relative
        # clause of "reports that the army had withdrawn from X"; and only where the party came from:
        # "the YPG, which holds a district of Aleppo, moved into the city" is Aleppo)
        return rel is not None and rel.head.dep_ in ("nsubj", "nsubjpass") and any(
            step.dep_ == "prep" and step.lower_ == "from" for step in self._path_up(span.root.i, rel))

    def _names_hinterland(self, t: Toponym) -> bool:
        """Whether a toponym of this sentence only says whose countryside it is ("Aleppo's
        countryside", "the Aleppo countryside")."""
        span = self._span_of(t)
        if span is None:
            return False
        head = span.root.head
        return span.root.dep_ in ("poss", "compound", "nmod") and (
            head.lower_ in self.lex.hinterland or head.lemma_.lower() in self.lex.hinterland)

    def _there(self, v: "Token", rule: VerbRule) -> list[_Found]:
        """"deployed there", "troops there pulled back": the one town or province named just before."""
        subj = self._subject(v)
        at = [c for c in v.children if c.dep_ == "advmod" and c.lower_ == "there"]
        if subj is not None and rule.type in ("withdrawal", "defense", "deployment"):
            at += [c for c in subj.children if c.dep_ == "advmod" and c.lower_ == "there"]  # where they were
        # (a mountain or a named zone too: "took the summit of Mount Hermon after soldiers left their posts there")
        if len(at) != 1 or not self._antecedent(at[0], ["point", "admin1", "region"]):
            return []
        found = self._found(at[0], ())
        return [found] if found is not None else []

    def _found(self, tok: "Token", path: tuple) -> _Found | None:
        lex = self.lex
        near = False
        distance = None
        # path: from the argument's root down to the place's parent
        for k, step in enumerate(path):
            low, lem = step.lower_, step.lemma_.lower()
            if step.i in self.in_place:
                continue
            below = path[k + 1] if k + 1 < len(path) else tok
            if (low in lex.route or lem in lex.route) and below.dep_ not in ("conj", "cc"):
                # an end of a road ("the highway linking X and Y"); a place listed beside the road
                # ("including the highway ..., and X") is taken too
                return None
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
        side, side_km = self._hinterland_side(tok, path)
        found = _Found(self.place_at[tok.i], tok.i, near, distance, side, side_km)
        found.path = path  # type: ignore[attr-defined]
        return found

    def _hinterland_side(self, tok: "Token", path: tuple) -> tuple[int | None, float | None]:
        """The side of a town an event lies on, when the phrase names one and no distance: "the northern
        Hama countryside", "Aleppo's western countryside", "rural northern Idlib", "villages south-east
        of Manbij". The words nearest the town decide."""
        hinter = self.lex.hinterland
        for w in reversed((*path, tok)):
            if w.i != tok.i and w.lower_ in _AZIMUTHS and any(c.dep_ == "prep" and c.lower_ == "of" for c in w.children):
                # "south-east of X": the parser makes "south" a compound of "east"
                first = next((c.lower_ for c in w.children if c.dep_ == "compound" and c.lower_ in _AZIMUTHS), "")
                km = next((d for c in w.children if c.dep_ == "npadvmod"
                           for d in [_number_of(c, self.lex)] if d is not None), None)  # "10 km east of X"
                return _AZIMUTHS.get(first + w.lower_, _AZIMUTHS[w.lower_]), km
            rural = w.lower_ in hinter or w.lemma_.lower() in hinter or (
                w.i == tok.i and any(c.dep_ == "amod" and c.lower_ in hinter for c in w.children))
            if rural:
                for c in w.children:
                    if c.dep_ in ("amod", "advmod", "compound", "npadvmod") and c.lower_ in _AZIMUTHS:
                        return _AZIMUTHS[c.lower_], None
                if w.i != tok.i:
                    return None, None  # "the Hama countryside": no side named
        return None, None

    def _prune(self, found: list[_Found]) -> list[_Found]:
        """Drop places that only locate another place of the same trigger (a container, a
        landmark), keep one entry per place."""
        if not found:
            return found
        idx = {f.token_i for f in found}
        # a bearing ("villages north of X") makes its place a reference only when the trigger has
        # another place it could be a reference for
        alone = len(found) == 1 or all(
            any(s.lemma_.lower() in _BEARINGS for s in getattr(f, "path", ())) for f in found)
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
                        or (step.dep_ == "prep" and step.lower_ == "of" and self._territory_noun(cur))
                        or (step.dep_ in ("compound", "amod", "nmod") and (  # "Manbij city", "A and B towns"
                            cur.lower_ in self.lex.place_anaphora or cur.lower_ in self.lex.plural_place_anaphora))):
                    joined = False
                if cur.i in idx and cur.i != f.token_i:
                    qualifies_other = not joined
                    break
                if cur.i not in self.in_place and cur.pos_ in ("VERB", "AUX"):
                    break
                if step.dep_ == "prep" and step.lower_ in ("in", "inside", "across") and cur.i not in self.in_place \
                        and cur.dep_ in _LIST_DEPS and self._territory_noun(cur):
                    break  # "Aleppo, its airport, and strategic areas in Idlib": Idlib places its own list item
            if qualifies_other:
                continue
            if tok.dep_ == "pobj" and tok.head.lower_ == "from" and self._measured_from(tok.head.head):
                continue
            if f.near and f.distance_km is None and self._reference_only(f, alone=alone):
                continue
            keep.append(f)
        keep = [f for f in keep if not self._names_area_of_other(f, keep) and not self._locates_other(f, keep)
                and not self._big_town_around(f, keep)]
        # a province holding a town of the same trigger only locates it ("Talbiseh in Homs
        # province"), unless the town is an example of it ("most of Daraa province, including X")
        points = [f for f in keep if f.toponym.place.scale == "point"]
        keep = [f for f in keep if not any(_contains(f.toponym.place, p.toponym.place) and not self._example_of(p, f)
                                           for p in points)]
        if any(not f.near for f in keep):
            # "took the X headquarters near the Golan Heights": near X only locates the other place
            keep = [f for f in keep if not f.near or f.distance_km is not None or not self._landmark_only(f)]
        points = [k for k in keep if not k.near and k.toponym.place.scale == "point"]
        if points:
            # "Qardaha, in the eastern countryside of Latakia" and "In Homs countryside, units were
            # sent to Rastan": a countryside named to locate the town, or to frame the sentence,
            # is no place of the event when the event has a town of its own
            keep = [f for f in keep if not (f.near and f.distance_km is None and f not in points and (
                self._fronted(f) or any(_LOCATING_AFTER.fullmatch(self.doc.text, k.toponym.end, f.toponym.start)
                                        for k in points)))]
        strays = [f for f in keep if self._stray(f)]
        if strays:
            # "the village of Hamidiyah, north of Quneitra" with GeoNames' only Hamidiyah 175 km away:
            # not that village; the side of the town that locates it is where the event is
            keep = [f for f in keep if f not in strays]
            keep += [f for f in found if f not in keep and f.near and f.side is not None and f.distance_km is None
                     and f.toponym.place is not None and f.toponym.place.scale == "point"]
        seen, out = set(), []
        for f in keep:
            key = f.toponym.place.place_id if f.toponym.place else f.token_i
            if key not in seen:
                seen.add(key)
                out.append(f)
        return out

    def _fronted(self, f: _Found) -> bool:
        """Whether the place is in a phrase opening the sentence ("In Homs countryside, ...")."""
        tok = self.sdoc[f.token_i]
        while tok.head.i != tok.i:
            if tok.dep_ == "prep" and tok.i == 0:
                return True
            tok = tok.head
        return False

    def _stray(self, f: _Found) -> bool:
        """A village far from every other place the sentence names: a namesake elsewhere in the
        country, not the place meant ("Ain al-Bayda, south-east of Manbij" is not the Latakia one)."""
        p = f.toponym.place
        if p is None or p.scale != "point" or p.population >= _STRAY_MAX_POPULATION or p.place_id.startswith("ov:"):
            return False  # (a curated site, a crossing or a base, has no namesake)
        others = [t.place for t in self.toponyms if t.place is not None and t.place.place_id != p.place_id
                  and t.place.scale in ("point", "admin1")]
        return bool(others) and all(
            _km(p.lat, p.lon, o.lat, o.lon) > _STRAY_KM and not (o.scale == "admin1" and o.province == p.province)
            for o in others)

    def _example_of(self, point: _Found, area: _Found) -> bool:
        """Whether a town is listed as an example of an area the trigger names: "most of Daraa
        province, including X" (not "villages including X in Quneitra province")."""
        area_tok = self.sdoc[area.token_i]
        while area_tok.dep_ in ("compound", "amod", "nmod") and area_tok.head.i != area_tok.i:
            area_tok = area_tok.head  # "Idlib" in "Idlib province"
        for step in getattr(point, "path", ()):
            if step.lower_ in self.lex.extenders or step.lemma_.lower() in self.lex.extenders:
                owner = step.head
                return (owner.i == area_tok.i or area_tok.is_ancestor(owner)
                        or (area_tok.head.lower_ == "of" and area_tok.head.head.i == owner.i))
        return False

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
        others = [g for g in found if g.token_i != f.token_i and g.token_i in named]
        if others and (head.lower_ in self.lex.city_parts or head.lemma_.lower() in self.lex.city_parts):
            # "the Sheikh Maqsoud neighbourhood of Aleppo" names the neighbourhood; "the Damascus district
            # of Mezzeh" the district: the bigger of the two places is the town the part belongs to
            return all(f.toponym.place.population > g.toponym.place.population for g in others)
        return bool(others)

    def _locates_other(self, f: _Found, found: list[_Found]) -> bool:
        """An area that says where another place of the trigger is: "the summit of Mount Hermon in
        the Golan Heights" (the parser hangs "in" on "summit", beside "of Mount Hermon"); the town of
        "the Sheikh Maqsoud district of Aleppo"."""
        tok = self.sdoc[f.token_i]
        prep = tok.head
        rural = tok.head
        if tok.dep_ in ("poss", "compound", "nmod") and (rural.lower_ in self.lex.hinterland or rural.lemma_.lower() in self.lex.hinterland) \
                and rural.dep_ == "pobj" and rural.head.lower_ == "of":
            # "the Qusayr district of Homs's countryside": Homs says whose countryside holds the district
            owner = rural.head.head
            named = {owner.i} | {c.i for c in owner.children if c.dep_ in ("compound", "nmod", "amod")}
            if any(g.token_i in named for g in found if g.token_i != f.token_i):
                return True
        if tok.dep_ == "pobj" and prep.lower_ == "of" and (
                prep.head.lower_ in self.lex.city_parts or prep.head.lemma_.lower() in self.lex.city_parts):
            named = {c.i for c in prep.head.children if c.dep_ in ("compound", "nmod", "amod")}
            parts = [g for g in found if g.token_i != f.token_i and (g.token_i in named or g.token_i == prep.head.i)]
            # (unless the part's name is the bigger place: "the Damascus district of Mezzeh")
            if any(g.toponym.place.population <= f.toponym.place.population for g in parts):
                return True
        if f.toponym.place.scale == "point":
            return False
        if tok.dep_ != "pobj" or prep.lower_ not in ("in", "inside", "within"):
            return False
        noun = prep.head
        if noun.pos_ not in ("NOUN", "PROPN"):
            return False
        beside = {g.i for c in noun.children if c.dep_ == "prep" and c.lower_ == "of" and c.i < prep.i
                  for g in c.children if g.dep_ == "pobj"}
        return any(g.token_i in beside for g in found if g.token_i != f.token_i)

    def _big_town_around(self, f: _Found, found: list[_Found]) -> bool:
        """"captured Anadan in northern Aleppo": a much bigger town the verb puts the event "in", next
        to a smaller place it took, only says where that place is."""
        tok = self.sdoc[f.token_i]
        place = f.toponym.place
        if place.scale != "point" or tok.dep_ != "pobj" or tok.head.lower_ not in ("in", "inside"):
            return False
        for g in found:
            other = g.toponym.place
            if g.token_i == f.token_i or other.scale != "point" or self.sdoc[g.token_i].head.i == tok.head.i:
                continue
            if place.population >= _AROUND_TIMES * max(other.population, 1) \
                    and _km(place.lat, place.lon, other.lat, other.lon) <= _AROUND_KM:
                return True
        return False

    def _landmark_only(self, f: _Found) -> bool:
        path = getattr(f, "path", ())
        return any(s.lower_ in self.lex.landmark and not (s.lemma_.lower() in _BEARINGS and self._bearing_of_territory(s))
                   for s in path)

    def _reference_only(self, f: _Found, alone: bool = False) -> bool:
        """"Between", "via" make a place a reference point; so does a compass bearing with no distance,
        unless the place is the trigger's only one ("recaptured villages east of Manbij": around it)."""
        path = getattr(f, "path", ())
        return any(s.lower_ in ("between", "beyond", "past", "opposite", "than", "like", "via", "through", "bordering")
                   or (not alone and s.lemma_.lower() in _BEARINGS and not self._bearing_of_territory(s))
                   for s in path)

    def _measured_from(self, noun: "Token") -> bool:
        """Whether a noun carries a distance beside its "from" ("the town of X, about 25 km from Y", which
        the parser may read as "the town ... from Y"): Y is the landmark the distance is measured from."""
        return noun.pos_ in ("NOUN", "PROPN") and any(
            c.dep_ in ("conj", "appos", "npadvmod") and (c.lower_ in self.lex.units or c.lemma_.lower() in self.lex.units)
            and _number_of(c, self.lex) is not None for c in noun.children)

    def _bearing_of_territory(self, bearing: "Token") -> bool:
        """"territories south and southeast of Raqqa": the bearing says where the territory taken
        is, not where another place is."""
        while bearing.dep_ == "conj" and bearing.head.lemma_.lower() in _BEARINGS:
            bearing = bearing.head  # "south and southeast of X": the first bearing hangs on the phrase
        head = bearing.head
        if head.pos_ in ("VERB", "AUX"):  # "taking over territories south of X": hung on the verb
            head = next((c for c in head.children if c.dep_ == "dobj"), head)
        return bearing.dep_ in ("advmod", "amod", "npadvmod") and head.pos_ == "NOUN" \
            and self._territory_noun(head) and not any(t.i in self.place_at for t in head.subtree if t.i != bearing.i
                                                       and not bearing.is_ancestor(t))  # unnamed territory

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
            if t.dep_ in ("conj", "appos", "npadvmod") and t.head.pos_ in ("NOUN", "PROPN") and any(
                    f.token_i < t.i for name, pobj in _preps(t.head) if name == "of" for f in self._places_under(pobj)):
                # "reached the town of Qatana, about 25 km from Damascus": how far the place reached is
                # from a landmark, not how close the party came to the landmark
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


def _contains(outer: Place, inner: Place) -> bool:
    """Whether a province or region holds a point place (it is then only its container)."""
    if outer.scale == "admin1":
        return outer.province is not None and outer.province == inner.province
    if outer.scale == "region" and outer.radius_km:
        return _km(outer.lat, outer.lon, inner.lat, inner.lon) <= outer.radius_km
    return False


def _km(a_lat: float, a_lon: float, b_lat: float, b_lon: float) -> float:
    p = math.pi / 180
    h = (math.sin((b_lat - a_lat) * p / 2) ** 2
         + math.cos(a_lat * p) * math.cos(b_lat * p) * math.sin((b_lon - a_lon) * p / 2) ** 2)
    return 12742 * math.asin(math.sqrt(h))


@lru_cache(maxsize=256)
def dates_in(text: str, published: date) -> tuple:
    """The date mentions of a sentence (several claims of one sentence share them)."""
    from geo.dates import find_dates

    return tuple(find_dates(text, published))


@lru_cache(maxsize=1024)
def _admin1_place(iso: str) -> Place | None:
    from geo.gazetteer import default_gazetteer

    return default_gazetteer().admin1(iso)


def _off(lat: float, lon: float, azimuth: int, km: float) -> tuple[float, float]:
    """The point ``km`` from (lat, lon) toward ``azimuth`` (degrees from north), on a sphere."""
    r = km / 6371.0
    la, lo, az = math.radians(lat), math.radians(lon), math.radians(azimuth)
    la2 = math.asin(math.sin(la) * math.cos(r) + math.cos(la) * math.sin(r) * math.cos(az))
    lo2 = lo + math.atan2(math.sin(az) * math.sin(r) * math.cos(la), math.cos(r) - math.sin(la) * math.sin(la2))
    return round(math.degrees(la2), 4), round(math.degrees(lo2), 4)


def hinterland_point(place: Place, azimuth: int, km: float | None = None) -> tuple[float, float]:
    """Where a claim about one side of a town is drawn: ``km`` off it when the text says how far,
    else about the middle of its countryside on that side."""
    if km is None:
        km = _HINTERLAND_KM["city" if place.population >= _CITY_POPULATION else "town"]
    return _off(place.lat, place.lon, azimuth, km)

