"""Who acted: the party of a trigger's subject, agent, possessor or a phrase, with pronouns, short
names and the article's perspective resolved. A mixin of :class:`geo.claims.reader.SentenceReader`."""
from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from geo.claims.lexicons import NounRule, VerbRule, common_words
from geo.claims.tree import (
    _RELATIVE_PRONOUNS,
    _causer,
    _child,
    _doc_text,
    _passive,
    _phrase_tokens,
    _preps,
    _relative_clause_without,
    _subjects,
)
from geo.profiles import ActorMention

if TYPE_CHECKING:
    from spacy.tokens import Token



class ActorReading:
    """The parties of a trigger (read by the sentence reader it is mixed into)."""

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
            # "Israel strikes Damascus, seizes territory": headline verbs the parser leaves unlabelled
            # ("dep") share the subject as coordinated verbs do
            headline_verb = tok.dep_ == "dep" and tok.pos_ == "VERB" and tok.head.pos_ == "VERB" and tok.head.i < tok.i
            if (tok.dep_ in ("conj", "xcomp", "advcl", "pcomp", "acl", "prep", "pobj", "ccomp", "acomp") or headline_verb) \
                    and tok.head.i != tok.i:
                controller = _child(tok.head, ("dobj",)) if tok.dep_ == "xcomp" else None
                causer = _causer(tok, self.lex.causing_heads)
                if causer is not None:
                    controller = _child(causer, ("dobj",))
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
            # a "subject" that is a trigger verb tagged as a noun is a clause the parser misread ("The
            # army retook Aleppo in 2016, but this week rebels seized the city"): not this verb's subject
            subjects = [c for c in subjects if not (c.tag_.startswith("NN") and c.lower_ in self.lex.forms
                                                    and self._lemma(c) in self.lex.verbs)] or subjects
            for a, b in zip(subjects, subjects[1:]):
                if a.right_edge.i + 1 == b.left_edge.i and self._token_actor(b):
                    # one phrase split in two ("the opposition Syrian National Army"): its head names it
                    subjects = [c for c in subjects if c.i != a.i]
                    break
            party = next((c for c in subjects if self._token_actor(c)), None)
            if party is not None:
                return party
            before = [c for c in subjects if c.i < v.i]
            return (before or subjects)[-1]
        return subjects[0] if subjects else None

    def _subject_actors(self, v: "Token") -> list[str | None]:
        """The parties of a verb's subject: "Government troops and allied Iraqi militias withdrew"
        gives both."""
        first = self._subject_actor(v)
        subj = self._subject(v)
        if subj is None or first is None:
            return [first]
        out = [first]
        for adj in subj.children:
            if adj.dep_ == "amod" and adj.i < subj.i and any(c.dep_ == "conj" for c in adj.children):
                # "Syrian and Russian warplanes": each adjective with the noun names its own party
                for other in (adj, *(c for c in adj.children if c.dep_ == "conj")):
                    a = self._actor_in(f"{other.text} {subj.text}")
                    if a and a not in out and a not in self._generic_only(f"{other.text} {subj.text}"):
                        out.append(a)
        for c in subj.children:
            if c.dep_ == "conj":
                a = self._phrase_actor(c)
                if a:
                    out.append(a)
        return out

    def _to_actor(self, v: "Token") -> str | None:
        return self._party_after(v, ("to", "into", "under", "in"))

    def _party_after(self, tok: "Token", preps: tuple[str, ...]) -> str | None:
        """The first party named after one of ``preps`` on ``tok`` ("fell to X", "the capture by X")."""
        for name, pobj in _preps(tok):
            if name in preps:
                a = self._phrase_actor(pobj)
                if a:
                    return a
        return None

    def _noun_actor(self, n: "Token", rule: NounRule) -> str | None:
        a = self._owner(n) or self._party_after(n, ("to", "by"))
        if a:
            return a
        head = n.head
        while head.dep_ in ("conj", "prep", "pobj") and head.head.i != head.i and head.pos_ not in ("VERB", "AUX"):
            head = head.head
        if head.pos_ in ("VERB", "AUX") and n.dep_ in ("dobj", "pobj", "conj", "nsubj"):
            a = self._subject_actor(head)
            if a:
                return a
        if rule.type == "capture" and not self._heading():
            return self.state.last_capturer
        if rule.type == "withdrawal" and self.losers:
            return self.losers[-1]  # "Rebels drove the army out of X, and the loss of Y ..."
        return None

    def _heading(self) -> bool:
        """Whether the sentence is a line of its own without a full stop (a subheading, "The fall of X"):
        it opens a new part, where the last capturer of the part before is not whom it means."""
        text = self.sentence.text.rstrip()
        after = self.doc.text[self.sentence.end:self.sentence.end + 2]
        return bool(text) and text[-1] not in ".!?\"”’'…:" and (after.startswith("\n") or not after)

    def _owner(self, n: "Token") -> str | None:
        for c in n.children:
            if c.dep_ in ("compound", "amod", "poss", "nmod"):
                a = self._phrase_actor(c) if c.dep_ == "poss" else self._token_actor(c)
                if a:
                    return a
        return self._party_after(n, ("of", "by"))

    def _attacker(self, v: "Token", rule: VerbRule) -> str | None:
        """The party whose attack a defense verb's object names ("the advance of X", "attacks by X"),
        or that was stopped in the passive ("rebels were repelled from the outskirts of X")."""
        obj = self._object(v)
        if obj is None or rule.objects is None or obj.lemma_.lower() not in rule.objects:
            return None
        if (obj.dep_ == "nsubjpass" or (_passive(v) and obj.dep_ == "nsubj")) and obj.i not in self.in_place:
            party = self._phrase_actor(obj)
            if party:
                return party
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

    def _person_subject(self, v: "Token") -> bool:
        subj = self._subject(v)
        if subj is None:
            return False
        if subj.lower_ in self.lex.personal:
            return True
        text = subj.text
        return (text in self.profile.people or text in self.state.people
                or subj.lemma_.lower() in self.lex.person_nouns)

    def _phrase_actor(self, tok: "Token | None") -> str | None:
        if tok is None:
            return None
        low = tok.lower_.replace("ı", "i")
        poss = next((c for c in tok.children if c.dep_ == "poss"), None)
        if poss is not None and (poss.lower_ in self.lex.first_person or poss.lower_ in self.lex.third_person):
            words = _phrase_tokens(tok)
            text = _doc_text(self.sdoc)[words[0].idx:words[-1].idx + len(words[-1].text)]
            mentions = self._mentions(text)
            if all(m.text.lower() in self.lex.generic_forces for m in mentions):
                # "its troops", "our fighters": whose they are decides, not the generic word
                return self._phrase_actor(poss)
        if low in self.lex.first_person:
            if self.state.sentence_speaker_actor:
                return self.state.sentence_speaker_actor
            # "our forces" in the words of someone we cannot place are not the last known speaker's
            if self.state.last_claimant in (None, self.state.last_speaker_phrase):
                return self.state.last_speaker_actor
            return None
        if low in self.lex.personal:
            return None
        if low in self.lex.third_person:
            verb = tok.head
            if tok.dep_ == "nsubj" and verb.dep_ == "conj" and verb.head.pos_ in ("VERB", "AUX"):
                # "Insurgents overran Homs as defenses collapsed, and they rolled into the capital":
                # the subject of the clause this one is joined to
                subj = self._subject(verb.head)
                if subj is not None and subj.lower_ not in self.lex.third_person:
                    a = self._token_actor(subj)
                    if a:
                        return a
            if tok.dep_ == "nsubj" and verb.dep_ == "ccomp" and self._lemma(verb.head) in self.lex.speech \
                    and _child(verb.head, ("nsubj", "nsubjpass")) is None:
                # "In a statement, the factions claimed victory, announcing they had taken X": whoever
                # says it, where the speech verb has no subject of its own to be the referent
                self._claimant(verb)
                if self.state.sentence_speaker_actor:
                    return self.state.sentence_speaker_actor
            if tok.lower_ == "it" and tok.dep_ == "nsubj" and verb.dep_ == "ccomp" and self._lemma(verb.head) in self.lex.speech:
                speaker = _child(verb.head, ("nsubj",))
                if speaker is not None and speaker.pos_ in ("NOUN", "PROPN"):
                    # "the Lebanese army said it deployed units": the force that speaks, whoever it is; a
                    # force of no side in the profile is no older party
                    a = self._phrase_actor(speaker)
                    if a:
                        return a
                    if any(w.lower_ in self.lex.generic_forces for w in _phrase_tokens(speaker)):
                        return "unknown"
            if tok.head.dep_ == "relcl" and tok.dep_ == "nsubj":
                # "pushed the terrorists back from the areas they had infiltrated": in a relative
                # clause "they" is the party named just before, whatever its role
                return self._party_just_named(tok) or self._host_subject(verb) or self._earlier_subject(tok) \
                    or self.state.last_actor
            if tok.dep_ == "poss" and tok.head.dep_ == "nsubj" and tok.head.head.dep_ == "ccomp" \
                    and self._lemma(tok.head.head.head) in self.lex.speech:
                # "a commander of the X council said that their forces entered Y": the speaker's side's
                self._claimant(tok.head.head)
                if self.state.sentence_speaker_actor and self.state.sentence_speaker_actor != "unknown":
                    return self.state.sentence_speaker_actor
            return self._earlier_subject(tok) or self.state.last_actor
        speaker = self.state.sentence_speaker_actor
        if speaker is None and tok.head.pos_ in ("VERB", "AUX") and any(low in words for words in self.profile.own_forces.values()):
            # "the IDF said troops had deployed in X", "IDF says troops deployed in X" (the troops parsed
            # as what it says): who speaks decides whose plain troops they are
            if tok.dep_ == "dobj" and self._lemma(tok.head) in self.lex.speech:
                phrase = self._speaker(tok.head)
                speaker = self._speaker_actor(phrase) if phrase else None
            elif tok.dep_ in ("nsubj", "nsubjpass"):
                self._claimant(tok.head)
                speaker = self.state.sentence_speaker_actor
        own = self.profile.own_forces.get(speaker or "")
        if own and low in own and all((c.dep_ in ("det", "poss", "punct") and c.lower_ in ("the", "its", "their", "our", ","))
                                      or c.dep_ in ("acl", "relcl") for c in tok.children):
            return speaker  # "the Israeli military said troops had entered X": its own troops
        a = self._token_actor(tok)
        lemma = tok.lemma_.lower()
        last = self.state.last_actor
        if low in self.lex.carried_forces and last in self.profile.own_forces and low in self.profile.own_forces[last] \
                and a in self._generic_only(low) and all(c.dep_ == "prep" or c.lower_ == "the" for c in tok.children) \
                and not any(c.dep_ == "prep" and self._token_actor(g) for c in tok.children for g in c.children):
            # "Israeli troops seized the summit. Soldiers from a commando unit took the outpost": plain
            # soldiers right after a foreign military's move are its own
            return last
        if a:
            if tok.pos_ == "NOUN" and a != "unknown":
                self.state.party_of_noun[lemma] = a
            return a
        if (low in self.lex.generic_forces or lemma in self.lex.generic_forces) and self.state.sentence_speaker_actor \
                and all(c.dep_ in ("det", "amod", "punct") and c.text.islower() for c in tok.children) \
                and any(w in self.lex.own_report_speakers for w in (self.state.last_claimant or "").lower().split()):
            # "a rebel commander said fighters had taken X": unnamed fighters in a fighter's own report
            # are his side's (in an army or state media statement they are more often the enemy)
            return self.state.sentence_speaker_actor
        if (low in self.lex.generic_forces or lemma in self.lex.generic_forces) and [c.lower_ for c in tok.children] == ["the"] \
                and self.state.party_of_noun.get(lemma):
            return self.state.party_of_noun[lemma]  # "fighters from local factions ... the fighters entered X"
        if lemma in self.lex.anaphoric_nouns or low in self.lex.anaphoric_nouns:
            # "the group", "the armed groups": the party last called by that noun, else the last
            # party named as a subject
            # "the armed groups", "the militia groups": plain words that name no one are no modifier
            mods = [c for c in tok.children if c.dep_ not in ("punct", "relcl", "acl", "prep")
                    and not (c.dep_ == "amod" and c.pos_ == "ADJ" and c.text.islower())
                    and not (c.dep_ == "compound" and c.text.islower() and c.lower_ in self.lex.anaphoric_nouns)]
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

    def _host_subject(self, relcl: "Token") -> str | None:
        """The party of the subject of the clause a relative clause hangs in, named in words the profile
        reads in context ("the factions entered the city from X, which they had seized": the factions)."""
        host = relcl.head
        while host.pos_ not in ("VERB", "AUX") and host.head.i != host.i:
            host = host.head
        subj = _child(host, ("nsubj",)) if host.pos_ in ("VERB", "AUX") else None
        if subj is None or subj.lower_ in self.lex.third_person or subj.lower_ in self.lex.personal \
                or subj.i >= relcl.i:
            return None
        # (a subject of no known side, "loyalist gunmen", is "they" still: no older party stands in for it)
        return self._phrase_actor(subj) or ("unknown" if subj.pos_ in ("NOUN", "PROPN") else None)

    def _earlier_subject(self, tok: "Token", skip_speakers: bool = False) -> str | None:
        """The party named as a subject earlier in the same sentence ("Local factions took X, where
        they advanced ..."). "X said it ..." makes the speaker the referent of a pronoun, but "the
        statement said these groups ..." does not make the speaker "these groups"."""
        for t in reversed(self.sdoc[:tok.i]):
            if t.dep_ in ("nsubj", "nsubjpass") and t.lower_ not in self.lex.third_person \
                    and not (skip_speakers and self._lemma(t.head) in self.lex.speech) \
                    and _relative_clause_without(t, tok) is None:
                a = self._token_actor(t)
                if a:
                    return a
        return None

    def _token_actor(self, tok: "Token") -> str | None:
        """The party a noun phrase names: the name a clause gives it ("militias who call themselves
        the SNA"), its own words (without relative clauses, participles and appositions), then an
        "of" phrase ("fighters of HTS")."""
        named = self._name_given(tok)
        if named is not None:
            words = _phrase_tokens(named)
            name = _doc_text(self.sdoc)[words[0].idx:words[-1].idx + len(words[-1].text)]
            a = self._actor_in(name)
            if a and a not in self._generic_only(name):  # "gunmen calling themselves an army" are no army
                return a
        for c in tok.children:  # "groups opposed to the regime", "fighters against Assad"
            if c.lower_ in self.lex.opposing or c.lemma_.lower() in self.lex.opposing:
                for name, pobj in _preps(c) if c.dep_ != "prep" else [(c.lower_, g) for g in c.children if g.dep_ == "pobj"]:
                    other = self._token_actor(pobj)
                    if other and self.profile.opponent(other):
                        return self.profile.opponent(other)
        words = _phrase_tokens(tok)
        text = _doc_text(self.sdoc)[words[0].idx:words[-1].idx + len(words[-1].text)]
        a = self._actor_in(text)
        if a and a not in self._generic_only(text) and any(_names_someone(w) for w in words):
            return a  # a name ("Hezbollah fighters allied with the army" stay Hezbollah's)
        for c in tok.children:  # "fighters loyal to HTS", "armed groups affiliated with the SDF", "led by"
            if c.dep_ in ("amod", "acl", "relcl") and (c.lemma_.lower() in self.lex.allegiance or c.lower_ in self.lex.allegiance):
                for name, pobj in _preps(c):
                    other = self._token_actor(pobj) if name in ("to", "with", "by") else None
                    if other:
                        return other
        if a and a not in self._generic_only(text):
            return a
        for name, pobj in _preps(tok):
            if name == "from" and pobj.i in self.place_at and (tok.lower_ in self.lex.generic_forces or tok.pos_ == "NOUN"):
                # "fighters from Busra al-Sham": men of a town where the profile's convention names
                # local groups (Daraa, Sweida) are those local groups
                province = self.place_at[pobj.i].place.province if self.place_at[pobj.i].place else None
                local = next((r.actor for r in self.profile.regional_actors if province in r.provinces
                              and not r.unless_rx.search(self.sentence.text)), None)
                if local:
                    return local
            if name == "of" or (name == "from" and (tok.lower_ in self.lex.generic_forces or tok.pos_ == "NOUN")):
                # "fighters of HTS", "fighters from the Southern Operations Room", "security forces of
                # the interim government": whose they are beats the generic word
                other = self._token_actor(pobj)
                if other:
                    return other
                break
        return a

    def _name_given(self, tok: "Token") -> "Token | None":
        """The name a relative clause or participle gives the phrase: "groups who call themselves X",
        "factions calling themselves X", "the militias, known as X"."""
        for c in tok.children:
            if c.dep_ in ("relcl", "acl") and c.lemma_.lower() in self.lex.naming:
                for g in c.children:
                    if g.dep_ in ("oprd", "attr"):
                        return g
                    if g.dep_ == "prep" and g.lower_ == "as":
                        return _child(g, ("pobj",))
        return None

    def _generic_only(self, text: str) -> set[str]:
        """The parties a phrase names only through generic words ("fighters", "troops")."""
        mentions = self._mentions(text)
        if any(m.text.lower() not in self.lex.generic_forces for m in mentions):
            return set()
        return {m.actor for m in mentions}

    def _mentions(self, text: str) -> list[ActorMention]:
        """The profile's actor mentions in ``text``, read with the article's perspective (see
        :class:`geo.profiles.Perspective`)."""
        mentions = self.profile.actor_mentions(text)
        if self.state.term_actors:
            mentions = [replace(m, actor=self.state.term_actors.get(m.text.lower(), m.actor)) for m in mentions]
            # the outlet's own words that are no alias of any party ("the terror group")
            low = text.lower()
            for term, actor in self.state.term_actors.items():
                for hit in re.finditer(rf"(?<![\w-]){re.escape(term)}(?![\w-])", low):
                    if not any(m.start < hit.end() and hit.start() < m.end for m in mentions):
                        mentions.append(ActorMention(hit.start(), hit.end(), actor, text[hit.start():hit.end()]))
            mentions.sort(key=lambda m: m.start)
        return mentions

    def _actor_in(self, text: str) -> str | None:
        """The party a phrase names; a precise name beats a generic one ("opposition troops")."""
        mentions = self._mentions(text)
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
        return _doc_text(self.sdoc)[toks[0].idx:toks[-1].idx + len(toks[-1].text)].strip()


def _names_someone(tok: "Token") -> bool:
    """Whether a word of a phrase is a name ("Hezbollah", "Iranian"), not plain English ("armed",
    capitalised at the start of a sentence)."""
    if tok.tag_ in ("NNP", "NNPS"):
        return True
    return not tok.is_lower and (tok.i > 0 or tok.lower_ not in common_words())
