"""Who says so: the claimant of a trigger, the subject of the speech verb that governs it. A mixin of
:class:`geo.claims.reader.SentenceReader`."""
from __future__ import annotations

import re
from typing import TYPE_CHECKING

from geo.claims.tree import (
    _RELATIVE_PRONOUNS,
    _child,
    _passive,
    _preps,
    _speaker_text,
    _text,
)

if TYPE_CHECKING:
    from spacy.tokens import Token

    from geo.claims.reader import State
    from geo.profiles import Profile

_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]")


class ClaimantReading:
    """The claimant of a trigger (read by the sentence reader it is mixed into)."""

    def _claimant(self, v: "Token") -> str | None:
        phrase = None
        self.speaker_full = None
        tok = v
        came_from = None
        for _ in range(10):
            for c in tok.children:
                if c.lower_ in self.lex.speech_prefixes and c.dep_ in ("prep", "advcl", "advmod"):
                    pobj = next((g for gc in c.children for g in ([gc] if gc.dep_ == "pobj" else gc.children) if g.dep_ == "pobj"), None)
                    if pobj is not None:
                        pobj = self._behind_evidence(pobj)
                        if pobj is None:
                            break
                        phrase = _speaker_text(self.sdoc, pobj)
                        self.speaker_full = _text(self.sdoc, pobj)
                        break
            if phrase:
                break
            if tok.i != v.i and tok.lemma_.lower() in self.lex.speech and tok.pos_ in ("VERB", "AUX"):
                if any(c.dep_ == "neg" for c in tok.children):
                    break  # "Reuters could not verify that ...": whoever claims it, not Reuters
                if came_from is not None and came_from.dep_ == "ccomp" and came_from.i < tok.i and any(
                        c.dep_ == "ccomp" and c.i > tok.i for c in tok.children):
                    break  # a headline: "Troops take X, Netanyahu says Israel will stay": he says the second

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
            came_from, tok = tok, tok.head
        if not phrase and self.line_speaker:
            phrase = self.line_speaker  # "Syrian Observatory: army units have pulled out of X"
        if not phrase:
            return None
        bare = phrase.lower().removeprefix("the ").strip()
        if " " not in bare and bare in self.state.institutions:
            named = self.state.institutions[bare]
            if len(named) != 1:
                self.ambiguous_speaker = True  # "the ministry" after two ministries: whose?
                return None
            phrase = next(iter(named))
        if " " not in bare and bare in self.lex.anaphoric_nouns:
            # "the group said": the party it stands for, by the profile's label ("Rebels (HTS-led opposition)")
            party = self.state.party_of_noun.get(bare.rstrip("s")) or self.state.party_of_noun.get(bare) or self.state.last_actor
            if party and party != "unknown":
                phrase = self.profile.actor_labels.get(party, phrase)
        self.state.last_claimant = phrase
        actor = self._speaker_actor(phrase) or (self.speaker_full and self._describing_actor(self.speaker_full))
        if actor:
            self.state.last_speaker_actor = actor
            self.state.last_speaker_phrase = phrase
            self.state.sentence_speaker_actor = actor
        canonical = self.profile.canonical_claimant(phrase)
        if canonical == phrase and self.speaker_full and self.speaker_full != phrase:
            # "the monitor's head Rami Abdel Rahman": the body he speaks for, when the profile knows it
            whole = self.profile.canonical_claimant(self.speaker_full)
            if whole != self.speaker_full:
                return whole
        return canonical

    def _behind_evidence(self, tok: "Token") -> "Token | None":
        """Who speaks through images or footage: their publisher or verifier ("satellite images
        published by Maxar", "footage verified by AFP"), else no one; any other speaker is itself."""
        if tok.lemma_.lower() not in self.lex.evidence_nouns and tok.lower_ not in self.lex.evidence_nouns:
            return tok
        for c in tok.children:
            if c.dep_ == "acl":
                agent = _child(c, ("agent",))
                pobj = _child(agent, ("pobj",)) if agent is not None else None
                if pobj is not None:
                    return pobj
        return None

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
        mentions = self._mentions(_BRACKETS.sub(" ", phrase))
        precise = [m for m in mentions if m.text.lower() not in self.lex.generic_forces]
        return (precise or mentions)[0].actor if mentions else None

    def _speaker_actor(self, phrase: str) -> str | None:
        return speaker_party(self.profile, self.state, phrase)

    def _speaker(self, s: "Token") -> str | None:
        """Who speaks through the speech verb ``s``; ``self.speaker_full`` keeps the whole phrase
        ("Abu Omar, a rebel commander"), which says whose side the speaker is on."""
        if _passive(s):
            agent = _child(s, ("agent",))
            subj = _child(agent, ("pobj",)) if agent is not None else None
        else:
            subj = _child(s, ("nsubj",))
        if subj is None and not _passive(s) and s.i > 0:
            # "X withdrew from Y, a spokesperson for Z told Rudaw": the parser hangs the speaker on
            # the place as an apposition; the noun phrase ending just before the verb speaks
            end = s.i - 1
            subj = next((t for t in self.sdoc[:end + 1] if t.dep_ == "appos" and t.right_edge.i == end
                         and t.pos_ in ("NOUN", "PROPN") and t.i not in self.in_place), None)
        if subj is None:
            return None
        if subj.lower_ in _RELATIVE_PRONOUNS and s.dep_ == "relcl":
            # "a statement from the defence ministry, which says ...": who the clause is about speaks;
            # a statement speaks for whoever issued it
            subj = s.head
            issuer = next((g for name, g in _preps(subj) if name in ("from", "by", "of")), None)
            if subj.lemma_.lower() in ("statement", "communique", "announcement") and issuer is not None:
                subj = issuer
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
        subj = self._behind_evidence(subj)
        if subj is None:
            return None
        if subj.i in self.in_place:
            # "X captured Avdiivka, Ukraine's General Staff said", parsed with the place as subject
            subj = next((c for c in subj.children if c.dep_ == "appos"), None)
            if subj is None:
                return None
        self.speaker_full = _text(self.sdoc, subj)
        phrase = _speaker_text(self.sdoc, subj)
        self.state.last_claimant_is_person = subj.pos_ == "PROPN" and not self.profile.claimant_mentions(phrase) \
            and not self._mentions(subj.text)
        return phrase


def speaker_party(profile: "Profile", state: "State", phrase: str) -> str | None:
    """The party a speaker phrase speaks for: the profile's reading, else a person the article
    introduced with a party ("rebel commander Ali Hassan", then "Hassan")."""
    actor = profile.actor_of(phrase)
    if actor:
        return actor
    # by word, not by scanning every name learned so far: the work per claim stays bounded on
    # a long text that introduces many people
    words = phrase.split()
    for n in range(min(3, len(words)), 0, -1):
        for i in range(len(words) - n + 1):
            party = state.people.get(" ".join(words[i:i + n]))
            if party:
                return party
    return None


def note_line_speaker(profile: "Profile", state: "State", phrase: str) -> None:
    """A line opening with its source ("Pro-government channel X: ...") makes that source the one
    speaking, whether or not a claim of the line asks who does ("the channel denied ..." next)."""
    state.last_claimant = phrase
    actor = speaker_party(profile, state, phrase)
    if actor:
        state.sentence_speaker_actor = state.last_speaker_actor = actor
        state.last_speaker_phrase = phrase
