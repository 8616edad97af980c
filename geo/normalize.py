"""Text normalisation for matching place names written in many transliterations.

Two levels:

* :func:`fold` is a *light*, length-preserving fold (lowercase, no diacritics, one apostrophe,
  one dash), so an offset into the folded text is an offset into the original text.
* :func:`name_key` is an *aggressive* key under which the usual press and GeoNames spellings of
  a transliterated (mostly Arabic) name meet: ``Al-Qaim``, ``al-Qaem``, ``Al Qa'im`` and
  ``Al-Kaim`` all give ``"kaim"``; ``Sweida``, ``Suwayda``, ``As-Suwayda``, ``Soueida`` give
  ``"suaida"``; ``Daraa``, ``Deraa``, ``Dar'a``, ``Dar'ā`` give ``"dara"``.

:func:`key_tokens` splits a whole text into word tokens with offsets and their key pieces; by
construction ``name_key(s) == " ".join(k for _, _, k in key_tokens(s))`` for every string ``s``.

Rules of the key, per word token (after :func:`fold`), in order — each one is a spelling
alternation that transliterations of Arabic (and French/English press usage) really show:

1. apostrophes, ayn/hamza marks and combining marks vanish  (Sa'sa' = Sasa, Dar‘ā = Dara);
2. Arabic articles written apart or with a hyphen are no word (al-, el-, as-, ad-, ez-, ash- ...);
3. ``dj`` -> ``j`` (French Djebel = Jebel), ``ee`` -> ``i``, ``ae`` -> ``ai`` (hamza hiatus:
   Qaem = Qaim), ``aw`` before a consonant or at the end -> ``o`` (Zawr = Zor, Hawran = Horan);
4. letters: e -> a, o -> u, y -> i, w -> u, q -> k (Deir = Dayr, Homs = Hums, Suwayda = Sueida);
5. runs of one letter collapse (Saasaa = Sasa, Deraa = Dara, Ezzor = Ezor);
6. a final ``-ah`` (also ``-eh`` via rule 4) loses its ``h`` (Hamah = Hama, Salamiyeh = Salamiya);
7. a piece that would equal an article ("Ell" -> "al") doubles its last letter ("all"), so that every
   key is its own key (``name_key(name_key(s)) == name_key(s)``) and no word vanishes on re-keying.

What deliberately does NOT meet (checked in tests/test_normalize.py): Hama/Homs, Idlib/Ad Dali,
Paris/Perez, Aleppo/Alep, Kharkiv/Harkiv (``kh`` is kept apart from ``h``: Khan and Han are
different words).  What does meet and is accepted: Sanaa/Sana and Rome/Roma (one city each),
Daraa/Dara (GeoNames lists Dara as a name of Daraa).  Common English words keep distinct keys from each
other (``nice`` -> ``nica``, ``man`` -> ``man``); the geoparser checks capitalisation.

Still not met by the key (left to GeoNames alternate names and the curated overlay):
Quneitra/Qunaytirah (an elided short vowel), Deir ez-Zor/Deir Ezzor (a glued article; the
gazetteer also indexes the glued form of its names).
"""
from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from itertools import accumulate, compress

__all__ = ["fold", "name_key", "name_piece", "key_tokens", "key_columns", "ARTICLES"]

# Apostrophe-like marks: typographic quotes, grave/acute used for ayn, the modifier letters used in
# scholarly transliteration for ayn (ʿ ‘) and hamza (ʾ ’), and primes.
_APOSTROPHES = "'’‘`´ʿʾʼʻʽʹ′‛"
# Letters that have no NFKD decomposition but a plain Latin look-alike.
_LETTER_FOLDS = {"ı": "i", "ø": "o", "đ": "d", "ł": "l", "ħ": "h", "ŧ": "t", "ƒ": "f", "ð": "d"}

# Arabic (and French-transliterated) definite articles: "al-Qaim", "Al Qa'im", "as-Suwayda",
# "ad-Dana", "Deir ez-Zor", "Ash Shaddadi", "ech-Cheikh", "En Nabk".
ARTICLES: frozenset[str] = frozenset(
    "al el il ul as es ad ed ar er az ez an en at et ash esh ech ath eth adh edh".split()
)


def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "'"
    if ch == "\u2212" or unicodedata.category(ch) == "Pd":
        return "-"
    low = ch.lower()
    if low in _LETTER_FOLDS:
        return _LETTER_FOLDS[low]
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)).lower()
    if len(base) == 1 and not base.isspace():
        return base
    return low if len(low) == 1 else ch


class _FoldTable(dict):
    """A str.translate table that computes each character's fold the first time it is seen."""

    def __missing__(self, code: int) -> str:
        out = _fold_char(chr(code))
        self[code] = out
        return out


_FOLD = _FoldTable()
for _code in range(128):
    _FOLD[_code]  # warm the ASCII range


def fold(text: str) -> str:
    """Lowercase, strip diacritics, unify apostrophes to ``'`` and dashes to ``-``; same length as ``text``."""
    return text.translate(_FOLD)


# A word: letters (with any combining marks of decomposed input), possibly joined by apostrophes
# (Sa'sa, Qa'im, Ra's).  Leading/trailing apostrophes are quotes or ayn marks and never matter to the key.
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_LETTER = r"[^\W\d_]"
_TOKEN = re.compile(rf"{_LETTER}[{_MARKS}]*(?:'?{_LETTER}[{_MARKS}]*)*")
_NOT_LETTER = re.compile(rf"['{_MARKS}]")
_AW = re.compile(r"aw(?![aeiouy])")
_DOUBLE = re.compile(r"(.)\1+")
_LETTER_MAP = str.maketrans({"e": "a", "o": "u", "y": "i", "w": "u", "q": "k"})
_DJ = re.compile(r"d+j")


def _piece(token: str) -> str:
    """The key piece of one folded word token ("" for an article)."""
    t = _NOT_LETTER.sub("", token)
    if t in ARTICLES:
        return ""
    t = _DJ.sub("j", t).replace("ee", "i").replace("ae", "ai")
    t = _AW.sub("o", t)
    t = t.translate(_LETTER_MAP)
    t = _DOUBLE.sub(r"\1", t)
    if len(t) > 3 and t.endswith("ah"):
        t = t[:-1]
    if t in ARTICLES:
        # A word that only looks like an article once keyed ("Ell" -> "al", "Ol" -> "ul") keeps a
        # doubled last letter: a key must key to itself, and "al" would vanish as an article.
        t += t[-1]
    return t


class _PieceTable(dict):
    """Folded token -> key piece, computed on first sight (a C-level look-up afterwards)."""

    def __missing__(self, token: str) -> str:
        if len(self) > 500_000:  # bounded: hostile input must not grow it without end
            self.clear()
        piece = self[token] = _piece(token)
        return piece


_PIECES = _PieceTable()


def name_piece(token: str) -> str:
    """The key piece of one folded word token, memoised ("" for an article)."""
    return _PIECES[token]

# The token pattern as one capturing group: ``split`` then yields gap, token, gap, token, ..., gap.
# Two faster equivalents serve texts without combining marks (the pattern's letter-by-letter loop
# costs three times more): plain ASCII (fold leaves no capitals), and any letters.
_TOKEN_SPLIT = re.compile(f"({_TOKEN.pattern})")
_TOKEN_SPLIT_NO_MARKS = re.compile(rf"({_LETTER}+(?:'{_LETTER}+)*)")
_TOKEN_SPLIT_ASCII = re.compile(r"([a-z]+(?:'[a-z]+)*)")
_ANY_MARK = re.compile(f"[{_MARKS}]")
# A possessive "'s" ending a token (the token pattern takes it in: "Aleppo's").
_POSSESSIVE = re.compile(rf"'s(?![{_MARKS}]|'?{_LETTER})")


def key_columns(text: str) -> tuple[str, list[int], list[int], list[str], list[str]]:
    """The word tokens of ``text`` as parallel columns: ``(folded text, starts, ends, folded tokens,
    key pieces)``; articles are kept, with the piece "".

    The work is done by one regex split, C-level maps and a memo of token -> piece: no Python code
    runs per token (only per possessive), which makes this the fast path for whole articles.
    """
    folded = text.translate(_FOLD)
    if folded.isascii():
        parts = _TOKEN_SPLIT_ASCII.split(folded)
    elif _ANY_MARK.search(folded) is None:
        parts = _TOKEN_SPLIT_NO_MARKS.split(folded)
    else:
        parts = _TOKEN_SPLIT.split(folded)
    tokens = parts[1::2]
    bounds = list(accumulate(map(len, parts)))
    starts = bounds[0:-1:2]
    ends = bounds[1::2]
    pieces = list(map(_PIECES.__getitem__, tokens))
    if "'s" in folded:
        # An English possessive is not part of the token ("Aleppo's" -> "Aleppo"), except after a
        # stem of one or two letters, where it is the Arabic hamza of Ra's.
        for m in _POSSESSIVE.finditer(folded):
            end = m.end()
            i = bisect_left(ends, end)
            if i < len(ends) and ends[i] == end and end - starts[i] >= 5 and text[end - 2] in "'’":
                ends[i] = end - 2
                tokens[i] = tokens[i][:-2]
                pieces[i] = _PIECES[tokens[i]]
    return folded, starts, ends, tokens, pieces


def key_tokens(text: str, keep_articles: bool = False) -> list[tuple[int, int, str]]:
    """Word tokens of ``text`` as ``(start, end, key_piece)``, offsets into ``text``.

    Articles (al, el, as, ...) are left out, unless ``keep_articles`` (then their piece is "").
    An English possessive ``'s`` is not part of the token ("Aleppo's" -> "Aleppo"), except after a
    stem of one or two letters, where it is the Arabic hamza of Ra's.
    """
    _, starts, ends, _, pieces = key_columns(text)
    if keep_articles:
        return list(zip(starts, ends, pieces))
    return list(compress(zip(starts, ends, pieces), pieces))


def name_key(name: str) -> str:
    """The aggressive match key of a place name: its tokens' key pieces joined by one space."""
    return " ".join(filter(None, key_columns(name)[4]))
