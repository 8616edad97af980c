"""Sentence splitting for English news text, with character offsets.

Rules, in order of precedence:

* a newline always ends a sentence (headlines, bullet lines, bylines and page furniture such as
  "Last Updated:" are their own sentences);
* inside a line, ``. ! ?`` (optionally followed by closing quotes/brackets) then whitespace then a
  capital letter, an opening quote or a digit ends a sentence;
* except after an abbreviation (titles, months, ``No.``, ``St.``), a single-letter initial, a dotted
  acronym (``U.S.``, ``U.N.``, ``a.m.``), or inside a quotation that closes with a comma (``,"``) and
  so continues the same sentence (``"We won. We go on," he said.``).

Everything is regex based: one pass per line, no per-character Python loop.
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
# start a sentence (capital, digit, opening quote or bracket).
_BOUNDARY = re.compile(r"""[.!?]+["'”’)\]]*(?P<space>\s+)(?=["'“‘(\[]?[A-Z0-9À-Þ])""")
# The word right before a full stop (letters and inner dots: "U.S", "a.m", "Gen").
_WORD_BEFORE = re.compile(r"([A-Za-z][A-Za-z.]*)\.$")
# A quotation: straight or curly double quotes.
_QUOTE = re.compile(r"“[^”\n]*”|\"[^\"\n]*\"")
_LINE = re.compile(r"[^\n]+")


def _is_abbreviation(before: str, after: str) -> bool:
    """True when the text ending in '.' ends with an abbreviation rather than a sentence."""
    m = _WORD_BEFORE.search(before[-24:])
    if not m:
        return False
    word = m.group(1)
    if "." in word:  # U.S. / a.m. / U.N.
        return True
    if len(word) == 1 and word.isupper():  # an initial: "George W. Bush"
        return True
    lower = word.lower()
    if lower in _NUMBER_ABBREVIATIONS:
        return after[:1].isdigit()
    return lower in _ABBREVIATIONS


def _continuing_quotes(line: str) -> list[tuple[int, int]]:
    """Spans of quotations that end with a comma inside the closing quote: the sentence goes on."""
    spans = []
    for m in _QUOTE.finditer(line):
        body = m.group(0)[:-1].rstrip()
        if body.endswith(","):
            spans.append((m.start(), m.end()))
    return spans


def _split_line(line: str, offset: int, out: list[Sentence]) -> None:
    start = 0
    quotes = None
    for m in _BOUNDARY.finditer(line):
        cut = m.start("space")
        punct_end = m.start()
        # Only a full stop can close an abbreviation; '!' and '?' always end a sentence.
        if line[punct_end] == "." and _is_abbreviation(line[: punct_end + 1], line[m.end():]):
            continue
        if quotes is None:
            quotes = _continuing_quotes(line)
        if any(qs < cut < qe for qs, qe in quotes):
            continue
        _emit(line, offset, start, cut, out)
        start = m.end("space")
    _emit(line, offset, start, len(line), out)


def _emit(line: str, offset: int, start: int, end: int, out: list[Sentence]) -> None:
    chunk = line[start:end]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    s = offset + start + lead
    out.append(Sentence(s, s + len(stripped), stripped))


def split_sentences(text: str) -> list[Sentence]:
    """Split ``text`` into sentences; ``text[s.start:s.end] == s.text`` for each, whitespace trimmed."""
    out: list[Sentence] = []
    for m in _LINE.finditer(text):
        _split_line(m.group(0), m.start(), out)
    return out
