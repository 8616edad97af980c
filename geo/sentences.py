"""Sentence splitting for English news text, with character offsets.

Rules, in order of precedence:

* a newline always ends a sentence (headlines, bullet lines, bylines and page furniture such as
  "Last Updated:" are their own sentences);
* inside a line, ``. ! ?`` (optionally followed by closing quotes/brackets) then whitespace then a
  capital letter, an opening quote or a digit ends a sentence;
* except after an abbreviation (titles, months, ``No.``, ``St.``), a single-letter initial, a dotted
  acronym (``U.S.``, ``U.N.``, ``a.m.``), or inside a quotation that closes with a comma (``,"``) and
  so continues the same sentence (``"We won. We go on," he said.``).

Everything is regex based: one scan of the text for boundaries, no per-character Python loop.
"""
from __future__ import annotations

import re

from geo.document import Sentence

# Words that end with a full stop without ending the sentence. Lower-cased, without the dot.
_ABBREVIATIONS = frozenset(
    """
    mr mrs ms dr prof gen lt col maj capt cpt sgt cmdr adm brig sen rep gov pres rev fr sr jr st mt ft
    jan feb mar apr jun jul aug sep sept oct nov dec vs etc inc ltd co corp dept est approx
    univ assn bros
    """.split()
)
# Abbreviations only when a number follows ("No. 5", "Vol. 2"); otherwise "said no." ends a sentence.
_NUMBER_ABBREVIATIONS = frozenset("no nos vol fig op art pp".split())

# A candidate boundary: terminal punctuation, closing quotes/brackets, whitespace, then what may
# start a sentence (capital, digit, opening quote or bracket).  The whitespace never takes a newline,
# so one scan of the whole text finds the boundaries of every line.  "[.!?][.!?]*" rather than
# "[.!?]+": a pattern that opens with a character class is scanned for it, not tried at every position.
# Reference marks after the stop ("...on November 30.[1] Opposition forces ...") belong to the
# sentence they close.
_BOUNDARY = re.compile(r"""[.!?][.!?]*["'”’)\]]*(?:\[\d{1,3}\])*(?P<space>[^\S\n]+)(?=["'“‘(\[]?[A-Z0-9À-Þ])""")
# The word right before a full stop (letters and inner dots: "U.S", "a.m", "Gen").
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
# A quotation: straight or curly double quotes.
_QUOTE = re.compile(r"“[^”\n]*”|\"[^\"\n]*\"")
# How far back from a full stop the word before it is looked for.
_WORD_WINDOW = 24


def _is_abbreviation(text: str, line_start: int, stop: int, after: int) -> bool:
    """True when the full stop at ``text[stop]`` ends an abbreviation rather than a sentence;
    ``after`` is where the next sentence would start."""
    m = _WORD_BEFORE.search(text, max(line_start, stop + 1 - _WORD_WINDOW), stop + 1)
    if not m:
        return False
    word = m.group(1)
    if "." in word:  # U.S. / a.m. / U.N.
        return True
    if len(word) == 1 and word.isupper():  # an initial: "George W. Bush"
        return True
    lower = word.lower()
    if lower in _NUMBER_ABBREVIATIONS:
        return text[after : after + 1].isdigit()
    return lower in _ABBREVIATIONS


def _continuing_quotes(text: str, line_start: int, line_end: int) -> list[tuple[int, int]]:
    """Spans of the line's quotations that end with a comma inside the closing quote: the sentence goes on."""
    spans = []
    for m in _QUOTE.finditer(text, line_start, line_end):
        body = m.group(0)[:-1].rstrip()
        if body.endswith(","):
            spans.append((m.start(), m.end()))
    return spans


def _emit(chunk: str, start: int, out: list[Sentence]) -> None:
    """The sentence ``chunk`` (which starts at ``start``), whitespace trimmed, unless it is blank."""
    stripped = chunk.strip()
    if stripped:
        s = start + len(chunk) - len(chunk.lstrip())
        out.append(Sentence(s, s + len(stripped), stripped))


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences; ``text[s.start:s.end] == s.text`` for each, whitespace trimmed."""
    out: list[Sentence] = []
    # (full stop, cut, next start) of every candidate boundary, in text order.
    boundaries = [(m.start(), m.start(1), m.end()) for m in _BOUNDARY.finditer(text)]
    boundaries.append((len(text) + 1, 0, 0))  # a sentinel after every line
    b = 0
    next_stop = boundaries[0][0]
    line_start = 0
    for line in text.split("\n"):
        line_end = line_start + len(line)
        if next_stop < line_end:
            start = line_start
            quotes = None
            while next_stop < line_end:
                stop, cut, after = boundaries[b]
                b += 1
                next_stop = boundaries[b][0]
                # Only a full stop can close an abbreviation; '!' and '?' always end a sentence.
                if text[stop] == "." and _is_abbreviation(text, line_start, stop, after):
                    continue
                if quotes is None:
                    quotes = _continuing_quotes(text, line_start, line_end)
                if quotes and any(qs < cut < qe for qs, qe in quotes):
                    continue
                _emit(text[start:cut], start, out)
                start = after
            _emit(text[start:line_end], start, out)
        elif line:
            _emit(line, line_start, out)
        line_start = line_end + 1
    return out
