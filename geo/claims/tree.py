"""Small readings of spaCy tokens that the claim reader is built from: a token's child by
dependency, its prepositions and their objects, the words of a phrase without its clauses, who a
speaker phrase names, the distance a unit noun carries."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.tokens import Doc as SpacyDoc
    from spacy.tokens import Token

    from geo.claims.lexicons import Lexicon

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
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "hundred": 100, "few": 3, "dozen": 12,
}


def _doc_text(sdoc: "SpacyDoc") -> str:
    """A parse's text, built once (spaCy joins its tokens again on every ``Doc.text``)."""
    text = sdoc.user_data.get("frontline_text")
    if text is None:
        text = sdoc.user_data["frontline_text"] = sdoc.text
    return text


def _child(tok: "Token", deps: tuple[str, ...]) -> "Token | None":
    for c in tok.children:
        if c.dep_ in deps:
            return c
    return None


def _subjects(tok: "Token") -> list["Token"]:
    """The verb's active subjects; the parser gives several when it misreads a dateline or a name
    ("Jerusalem: troops seized ..."), and the caller picks the one that names a party."""
    return [c for c in tok.children if c.dep_ == "nsubj"]


def _heads_between(tok: "Token", top: "Token") -> list["Token"]:
    """The words above ``tok`` up to and including ``top`` (at most 8)."""
    return _heads_up_to(tok, {top.i})


def _heads_up_to(tok: "Token", stops: set[int]) -> list["Token"]:
    """The words above ``tok`` up to and including the first of ``stops`` (at most 8)."""
    out, cur = [], tok
    while cur.head.i != cur.i and cur.i not in stops and len(out) < 8:
        cur = cur.head
        out.append(cur)
    return out


def _passive(tok: "Token") -> bool:
    if any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children):
        return True
    if tok.tag_ != "VBN" or tok.dep_ not in ("acl", "relcl") or _child(tok, ("nsubj", "dobj")) is not None:
        return False
    # "HTS-led fighters swept into Damascus": with no finite verb the parser makes the noun the root
    # and the past tense a participle; without a "by" agent it is the sentence's active verb
    return not (tok.dep_ == "acl" and tok.head.dep_ == "ROOT" and tok.head.pos_ in ("NOUN", "PROPN")
                and _child(tok, ("agent",)) is None and tok.i > tok.head.i)


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
        elif c.dep_ == "advcl" and c.tag_ == "VBN":
            # headline English: "seizes territory in occupied Golan Heights", parsed as a clause
            # "in [it] occupied the Heights": the participle describes the place after it
            mark = next((g for g in c.children if g.dep_ == "mark" and g.i == c.i - 1 and g.pos_ in ("SCONJ", "ADP")), None)
            obj = _child(c, ("dobj",))
            if mark is not None and obj is not None and obj.i > c.i and obj.left_edge.i == c.i + 1:
                yield mark.lower_, obj


def _relative_clause_without(t: "Token", other: "Token") -> "Token | None":
    """The relative clause ``t`` is in, when ``other`` is not in it ("the city, which the army had taken in
    2016, was in their hands": "army" and "their"); else None."""
    cur = t
    while cur.head.i != cur.i:
        if cur.dep_ == "relcl":
            return None if cur.left_edge.i <= other.i <= cur.right_edge.i else cur
        cur = cur.head
    return None


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
    named = next((c for c in tok.children if c.dep_ == "appos" and c.pos_ == "PROPN" and c.left_edge.i == tok.i + 1), None)
    if named is not None:
        # "the group's leader Abu Mohammed al-Jolani said": a title and the name right after it
        toks = list(named.subtree)
        return _doc_text(sdoc)[toks[0].idx:toks[-1].idx + len(toks[-1].text)].strip(" ,;:\"'“”‘’")[:200]
    keep = _own_words(tok)
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
    return _doc_text(sdoc)[words[0].idx:words[-1].idx + len(words[-1].text)].strip(" ,;:\"'“”‘’")[:200]


def _text(sdoc: "SpacyDoc", tok: "Token") -> str:
    toks = list(tok.subtree)
    text = _doc_text(sdoc)[toks[0].idx:toks[-1].idx + len(toks[-1].text)]
    return text.strip(" ,;:\"'“”‘’")[:200]


def _count(tok: "Token") -> int | None:
    """A small cardinal: "two", "3"."""
    if tok.text.isdigit():
        return int(tok.text)
    return _NUMBER_WORDS.get(tok.lower_)


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


def _causer(tok: "Token", causing: frozenset[str]) -> "Token | None":
    """The causing verb of an infinitive the parser hung beside it rather than under it: in "advanced
    into the city, prompting the militias to withdraw", "to withdraw" comes out as a purpose clause of
    "advanced"; it is what "prompting" made its object do."""
    if tok.dep_ != "advcl" or not any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children):
        return None
    head = tok.head
    if head.lemma_.lower() in causing and head.pos_ == "VERB":
        obj = _child(head, ("dobj",))
        return head if obj is not None and obj.i < tok.i else None  # "prompting the militias ... to withdraw"
    # (a participle describing the object, "militias, affiliated with X, to withdraw", may come between)
    before = [c for c in tok.head.children if c.i < tok.i and c.dep_ in ("advcl", "conj") and c.pos_ == "VERB"
              and c.tag_ != "VBN"]
    if not before:
        return None
    sibling = before[-1]  # the nearest clause before the infinitive
    if sibling.lemma_.lower() not in causing or any(c.dep_ in ("xcomp", "ccomp") for c in sibling.children):
        return None
    obj = _child(sibling, ("dobj",))
    return sibling if obj is not None and obj.i < tok.i else None

