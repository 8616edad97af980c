"""Dates in news text: explicit dates, and relative ones resolved against the publication date.

``find_dates`` returns every date mention of a text with its character span, the resolved
date and its precision ("day", "week" or "month", as ACLED's time_precision 1-3):

- explicit: "December 7, 2024", "Dec. 7", "7 December", "the 7th of December", "2024-12-07",
  "November 2024", "in November", "mid-November";
- relative to ``published``: "Friday", "on/by/late/early/since Friday", "last Friday", "next Friday",
  "yesterday", "today", "last night", "overnight", "two days ago", "a week ago", "last week",
  "earlier this week", "over the weekend", "last month", "earlier this month".

Conventions (documented because consumers rely on them):

- A bare weekday is the most recent such day on or before publication ("on Saturday" in an article
  published on a Saturday is that day); "last <weekday>" is strictly before, "next <weekday>" strictly after.
- A day and month without a year take the publication year, or the year before when that date would
  fall after publication ("since November 27" in a January article is last year's November).
- "last night" is the day before publication; "overnight", "tonight" and "this morning" are the
  publication day (wire copy says "overnight" of the night that ends on its own date).
- Week precision: "a week ago" / "last week" are ``published - 7 days``; "this week" / "earlier this week"
  are the Monday of the publication week; "the weekend" is the most recent Saturday on or before publication.
- Month precision: the first day of the month.
- Without a publication date, anything that needs one (relative words, a day and month without a year)
  yields nothing: no guessing.

The span of a mention includes its leading cue word ("by Friday", "since November 27") so that callers
can tell "by" from "since". Month, weekday and the wording around them come from
``data/lexicons/dates.toml``.
"""
from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Literal

from geo.resources import DATA_DIR

Precision = Literal["day", "week", "month"]

LEXICON_PATH = DATA_DIR / "lexicons" / "dates.toml"

# Years outside this range are page numbers, casualty counts or typos, not publication years.
_MIN_YEAR, _MAX_YEAR = 1900, 2100


@dataclass
class DateMention:
    start: int
    end: int
    text: str
    date: date
    precision: Precision


@dataclass(frozen=True)
class _Lexicon:
    months: dict[str, int]
    month_abbreviations: dict[str, int]
    weekdays: dict[str, int]
    weekday_abbreviations: dict[str, int]
    weekday_blockers: tuple[str, ...]
    numbers: dict[str, int]
    primary_labels: tuple[str, ...]
    secondary_labels: tuple[str, ...]
    dateparser_languages: tuple[str, ...]

    def month(self, name: str) -> int:
        name = name.rstrip(".")
        return self.months.get(name) or self.month_abbreviations[name]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    with LEXICON_PATH.open("rb") as fh:
        raw = tomllib.load(fh)
    labels = raw["published_labels"]
    return _Lexicon(
        months=dict(raw["months"]),
        month_abbreviations=dict(raw["month_abbreviations"]),
        weekdays=dict(raw["weekdays"]),
        weekday_abbreviations=dict(raw["weekday_abbreviations"]),
        weekday_blockers=tuple(raw["weekday_blockers"]["words"]),
        numbers={k.lower(): int(v) for k, v in raw["numbers"].items()},
        primary_labels=tuple(labels["primary"]),
        secondary_labels=tuple(labels["secondary"]),
        dateparser_languages=tuple(raw["dateparser"]["languages"]),
    )


def _alternation(words: Iterable[str]) -> str:
    # Longest first, so "Sept" wins over "Sep" and "last updated" over "updated".
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class _Patterns:
    mentions: re.Pattern[str]
    explicit_with_year: re.Pattern[str]
    dateline: re.Pattern[str]
    iso: re.Pattern[str]
    primary_label: re.Pattern[str]
    secondary_label: re.Pattern[str]
    blocker_tail: re.Pattern[str]


@lru_cache(maxsize=1)
def _patterns() -> _Patterns:
    lex = _lexicon()
    full = _alternation(lex.months)
    abbr = _alternation(lex.month_abbreviations)
    month = rf"(?:{full}|(?:{abbr})\b\.?)"
    weekday = _alternation(lex.weekdays)
    weekday_any = rf"(?:{weekday}|(?:{_alternation(lex.weekday_abbreviations)})\b\.?)"
    day = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?(?![\d])"
    year = r"(?:19|20)\d{2}(?![\d])"
    numbers = _alternation(lex.numbers)
    # Words that may lead a day-precision date; kept inside the span (see module docstring).
    lead = (
        r"(?:(?i:late|early)\s+(?:(?i:on)\s+)?"
        r"|(?i:on|by|since|until|till|from|before|after|through|as\s+of)\s+)?"
    )
    wd_prefix = rf"(?:{weekday_any},?\s+)?"

    iso = r"(?P<iso>\b(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?![\d]))"
    mdy = rf"(?P<mdy>{lead}{wd_prefix}(?P<mdy_m>{month})\s+(?P<mdy_d>{day})(?:,?\s+(?P<mdy_y>{year}))?)"
    dmy = (
        rf"(?P<dmy>{lead}{wd_prefix}(?:(?i:the)\s+)?(?P<dmy_d>{day})\s+(?:(?i:of)\s+)?"
        rf"(?P<dmy_m>{month})(?:,?\s+(?P<dmy_y>{year}))?)"
    )
    month_year = (
        rf"(?P<my>(?:(?i:early|late|mid-?|end\s+of|the\s+end\s+of|beginning\s+of|start\s+of)\s*)?"
        rf"(?P<my_m>{month})\s+(?P<my_y>{year}))"
    )
    month_prep = (
        rf"(?P<mp>\b(?i:in|since|during|throughout|until|till|by|from|early|late|mid-?|end\s+of"
        rf"|beginning\s+of|start\s+of|early\s+in|late\s+in)\s*(?P<mp_m>{full})\b(?!\s*\d))"
    )
    ago = (
        rf"(?P<ago>\b(?P<ago_n>\d{{1,2}}|(?i:{numbers}))\s+(?P<ago_u>(?i:days?|weeks?|months?))"
        r"\s+(?i:ago)\b)"
    )
    relative = (
        r"(?P<rel>\b(?i:earlier\s+this\s+week|later\s+this\s+week|this\s+week|late\s+last\s+week"
        r"|early\s+last\s+week|last\s+week|last\s+weekend|over\s+the\s+weekend|at\s+the\s+weekend"
        r"|this\s+weekend|earlier\s+this\s+month|this\s+month|earlier\s+in\s+the\s+month"
        r"|late\s+last\s+month|early\s+last\s+month|last\s+month"
        r"|(?:late\s+|early\s+)?the\s+day\s+before\s+yesterday|(?:late\s+|early\s+)?yesterday"
        r"|earlier\s+today|later\s+today|today|tonight|last\s+night|overnight"
        r"|this\s+morning|this\s+afternoon|this\s+evening)\b)"
    )
    weekday_rel = (
        rf"(?P<wd>(?P<wd_mod>(?i:late|early)\s+(?:(?i:on)\s+)?"
        rf"|(?i:last|next|on|by|since|until|till|from|before|after|as\s+of)\s+)?"
        rf"(?P<wd_name>{weekday})\b(?:\s+(?i:morning|afternoon|evening|night))?)"
    )
    mentions = re.compile(
        "|".join([iso, mdy, dmy, month_year, month_prep, ago, relative, weekday_rel])
    )
    explicit_with_year = re.compile(
        rf"(?:{weekday_any},?\s+)?(?:"
        rf"(?P<iso>(?:19|20)\d{{2}}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01]))(?![\d])"
        rf"|(?P<mdy_m>{month})\s+(?P<mdy_d>{day}),?\s+(?P<mdy_y>{year})"
        rf"|(?P<dmy_d>{day})\s+(?:(?i:of)\s+)?(?P<dmy_m>{month}),?\s+(?P<dmy_y>{year}))"
    )
    # "Damascus, December 7, 2024 –", "BEIRUT, Lebanon, 7 December 2024 (AFP) -": up to two place
    # names, then a full date, then a dash, colon or the end of the line.
    place = r"[A-Z][\w'’.\-]*(?:[ \t]+[A-Za-z][\w'’.\-]*){0,3}"
    dateline = re.compile(
        rf"^[ \t]*(?:{place}[ \t]*,[ \t]*){{0,2}}(?P<date>{explicit_with_year.pattern})"
        r"[ \t]*(?:\([^)\n]{1,40}\)[ \t]*)?(?P<after>[-–—:|])?",
        re.MULTILINE,
    )
    label_tail = r"(?![\w])[ \t]*(?:[:\-–—|][ \t]*)?(?P<value>[^\n]*)"
    primary_label = re.compile(
        rf"(?:^|(?<=[\s|•·,(\[]))(?i:{_alternation(lex.primary_labels)}){label_tail}", re.MULTILINE
    )
    secondary_label = re.compile(
        rf"(?:^|(?<=[\s|•·,(\[]))(?i:{_alternation(lex.secondary_labels)}){label_tail}", re.MULTILINE
    )
    blocker_tail = re.compile(rf"(?:{_alternation(lex.weekday_blockers)})\s+$")
    return _Patterns(
        mentions=mentions,
        explicit_with_year=explicit_with_year,
        dateline=dateline,
        iso=re.compile(iso),
        primary_label=primary_label,
        secondary_label=secondary_label,
        blocker_tail=blocker_tail,
    )


def _safe_date(y: int, m: int, d: int) -> date | None:
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _day_number(text: str) -> int:
    return int(re.match(r"\d+", text).group())  # type: ignore[union-attr]


def _without_year(month: int, day: int, published: date | None) -> date | None:
    if published is None:
        return None
    found = _safe_date(published.year, month, day)
    if found is None or found > published:
        found = _safe_date(published.year - 1, month, day)
    return found


def _month_start(year: int, month: int) -> date:
    while month < 1:
        month += 12
        year -= 1
    return date(year, month, 1)


def _weekday_on_or_before(published: date, weekday: int) -> date:
    return published - timedelta(days=(published.weekday() - weekday) % 7)


def _resolve_relative(phrase: str, published: date) -> tuple[date, Precision] | None:
    p = " ".join(phrase.lower().split())
    if p.endswith("day before yesterday"):
        return published - timedelta(days=2), "day"
    if p.endswith("yesterday") or p == "last night":
        return published - timedelta(days=1), "day"
    if p in {"today", "earlier today", "later today", "tonight", "overnight", "this morning",
             "this afternoon", "this evening"}:
        return published, "day"
    if p in {"last week", "late last week", "early last week"}:
        return published - timedelta(days=7), "week"
    if p in {"this week", "earlier this week", "later this week"}:
        return published - timedelta(days=published.weekday()), "week"
    if p.endswith("weekend"):
        return _weekday_on_or_before(published, 5), "week"
    if p in {"last month", "late last month", "early last month"}:
        return _month_start(published.year, published.month - 1), "month"
    if p in {"this month", "earlier this month", "earlier in the month"}:
        return _month_start(published.year, published.month), "month"
    return None


def _resolve(m: re.Match[str], published: date | None, lex: _Lexicon) -> tuple[date, Precision] | None:
    g = m.groupdict()
    if g["iso"]:
        found = _safe_date(*(int(x) for x in g["iso"].split("-")))
        return (found, "day") if found else None
    for form in ("mdy", "dmy"):
        if g[form]:
            month = lex.month(g[f"{form}_m"])
            day = _day_number(g[f"{form}_d"])
            y = g[f"{form}_y"]
            found = _safe_date(int(y), month, day) if y else _without_year(month, day, published)
            return (found, "day") if found else None
    if g["my"]:
        y = int(g["my_y"])
        return (date(y, lex.month(g["my_m"]), 1), "month") if _MIN_YEAR <= y <= _MAX_YEAR else None
    if g["mp"]:
        if published is None:
            return None
        start = date(published.year, lex.month(g["mp_m"]), 1)
        if start > published:
            start = start.replace(year=published.year - 1)
        return start, "month"
    if published is None:
        return None  # everything below is relative to the publication date
    if g["ago"]:
        n_text = g["ago_n"].lower()
        n = int(n_text) if n_text.isdigit() else lex.numbers[n_text]
        unit = g["ago_u"].lower()
        if unit.startswith("day"):
            return published - timedelta(days=n), "day"
        if unit.startswith("week"):
            return published - timedelta(weeks=n), "week"
        return _month_start(published.year, published.month - n), "month"
    if g["rel"]:
        return _resolve_relative(g["rel"], published)
    if g["wd"]:
        weekday = lex.weekdays[g["wd_name"]]
        mod = (g["wd_mod"] or "").strip().lower()
        if mod == "last":
            return published - timedelta(days=(published.weekday() - weekday - 1) % 7 + 1), "day"
        if mod == "next":
            return published + timedelta(days=(weekday - published.weekday() - 1) % 7 + 1), "day"
        return _weekday_on_or_before(published, weekday), "day"
    return None


# Words around which a date mention can occur; the full pattern only runs next to them, which keeps
# a 3 KB article well under a millisecond (the pattern scanned at every offset costs ~7 ms).
# An anchor is a whole run of ASCII letters that names a month or weekday (as written) or a relative
# time word (any case), or an ISO date.
_WORD_START = re.compile(r"(?<![\w-])[\w]")
_RELATIVE_ANCHORS = frozenset(
    "ago yesterday today tonight overnight week weekend month night morning afternoon evening".split()
)
# How far left of an anchor a mention may start ("late on Saturday, December 7", "the day before yesterday").
_LEFT_REACH = 32


@lru_cache(maxsize=1)
def _anchor_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Month and weekday names (as written), relative time words (run on the lower-cased text) and
    ISO dates: three patterns that start with literals, which the regex engine skips ahead to (a
    look-behind in front would stop that, so the whole-word checks are done on the few hits)."""
    lex = _lexicon()
    names = [w for w in (*lex.months, *lex.month_abbreviations, *lex.weekdays) if re.fullmatch(r"[A-Za-z]+", w)]
    return (
        re.compile(rf"(?:{_alternation(names)})(?![A-Za-z])"),
        re.compile(_alternation(_RELATIVE_ANCHORS)),
        re.compile(r"(?:19|20)\d\d-\d\d-\d\d"),
    )


def _anchors(text: str) -> list[int]:
    """Where the anchors of ``text`` start, in order: whole runs of ASCII letters that name a month
    or weekday (as written) or a relative time word (in any case), and ISO dates."""
    names, relative, iso = _anchor_patterns()
    starts = [m.start() for m in names.finditer(text) if not _ascii_letter_at(text, m.start() - 1)]
    low = text.lower()
    if len(low) != len(text):  # rare ("İ" lower-cases to two characters): a slower case-blind scan
        starts += [m.start() for m in _relative_any_case().finditer(text)]
    elif _has_any(low, _relative_stems()):  # substring tests first: most sentences have none
        starts += [m.start() for m in relative.finditer(low)
                   if text[m.start():m.end()].isascii()
                   and not _ascii_letter_at(text, m.start() - 1) and not _ascii_letter_at(text, m.end())]
    if "-" in text:
        starts += [m.start() for m in iso.finditer(text)]
    starts.sort()
    return starts


def _has_any(text: str, words: tuple[str, ...]) -> bool:
    for word in words:
        if word in text:
            return True
    return False


@lru_cache(maxsize=1)
def _relative_stems() -> tuple[str, ...]:
    """The relative time words that contain no other one ("week", not also "weekend")."""
    words = _RELATIVE_ANCHORS
    return tuple(sorted(w for w in words if not any(o != w and o in w for o in words)))


def _ascii_letter_at(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isascii() and text[i].isalpha()


@lru_cache(maxsize=1)
def _relative_any_case() -> re.Pattern[str]:
    return re.compile(rf"(?<![A-Za-z])(?ai:{_alternation(_RELATIVE_ANCHORS)})(?![A-Za-z])")


def find_dates(text: str, published: date | None) -> list[DateMention]:
    """Every date mention in ``text``, in order, resolved against ``published`` where needed."""
    if not text:
        return []
    pats = _patterns()
    lex = _lexicon()
    found: list[DateMention] = []
    last_end = 0
    for anchor in _anchors(text):
        if anchor < last_end:
            continue
        # Try each word start from the leftmost reachable one, so the longest mention (with its
        # cue words) wins; accept the first match that covers the anchor.
        lo = max(last_end, anchor - _LEFT_REACH)
        starts = [w.start() for w in _WORD_START.finditer(text, lo, anchor + 1)]
        for pos in starts:
            m = pats.mentions.match(text, pos)
            if m is None or m.end() <= anchor:
                continue
            if m.group("wd") and pats.blocker_tail.search(text, max(0, m.start() - 30), m.start()):
                break
            try:
                resolved = _resolve(m, published, lex)
            except (OverflowError, ValueError):  # a publication date at the edge of the calendar
                resolved = None
            if resolved is None:
                break
            when, precision = resolved
            start, end = m.span()
            found.append(DateMention(start, end, text[start:end], when, precision))
            last_end = end
            break
    return found


def _explicit(m: re.Match[str], lex: _Lexicon) -> date | None:
    g = m.groupdict()
    if g.get("iso"):
        return _safe_date(*(int(x) for x in g["iso"].split("-")))
    for form in ("mdy", "dmy"):
        if g.get(f"{form}_m"):
            return _safe_date(int(g[f"{form}_y"]), lex.month(g[f"{form}_m"]), _day_number(g[f"{form}_d"]))
    return None


_DATEPARSER_SETTINGS = {
    "PREFER_DAY_OF_MONTH": "first",
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": True,
    "REQUIRE_PARTS": ["day", "month", "year"],
    "PREFER_DATES_FROM": "past",
}


def parse_date(value: str) -> date | None:
    """A full calendar date written in ``value`` (a metadata field or a header), else None.

    ISO 8601 dates and datetimes first, then English dates with a year, then dateparser for other
    languages and layouts. A value without day, month and year gives None rather than a guess.
    """
    value = value.strip().strip("\"'")
    if not value:
        return None
    iso = re.match(r"((?:19|20)\d{2})-(\d{2})-(\d{2})(?![\d])", value)
    if iso:
        return _safe_date(*(int(x) for x in iso.groups()))
    m = _patterns().explicit_with_year.match(value)
    if m:
        return _explicit(m, _lexicon())
    # dateparser reads month names in many languages; all-numeric dates such as 07/12/2024 are
    # ambiguous (day or month first) and are refused.
    if not re.search(r"\d{4}", value) or re.fullmatch(r"[\d\s/.\-:]+", value):
        return None
    import dateparser  # slow to import; most articles never get here

    parsed = dateparser.parse(
        value[:80], languages=list(_lexicon().dateparser_languages), settings=_DATEPARSER_SETTINGS
    )
    if isinstance(parsed, datetime) and _MIN_YEAR <= parsed.year <= _MAX_YEAR:
        return parsed.date()
    return None


_YEAR_TOKEN = re.compile(r"(?:19|20)\d{2}(?!\d)")


def _leading_date(value: str) -> date | None:
    """A full date at the start of ``value``, which may run on into the body text."""
    value = value.strip()
    if not value or not re.search(r"\d", value[:40]):
        return None
    m = _patterns().explicit_with_year.match(value)
    if m:
        return _explicit(m, _lexicon())
    # Another language or layout ("7 décembre 2024 à 10h05 Les rebelles ..."): hand dateparser the
    # words up to the first year, which is where nearly every written date ends.
    words = value.split()[:8]
    for i, word in enumerate(words):
        if _YEAR_TOKEN.search(word):
            return parse_date(" ".join(words[: i + 1]))
    return None


_HEAD_LINES = 6
_HEAD_CHARS = 2000


def infer_published(text: str) -> date | None:
    """The publication date an article states at its top, else None.

    Looks only at the first few non-empty lines: a labelled date ("Published: 7 December 2024",
    "date 2024-12-07"), a dateline ("Damascus, December 7, 2024 –"), a line that is just a date,
    an ISO date, and last an update time ("Updated: Dec 7, 2024 10:05 GMT"). Dates in body
    sentences are events, not publication dates, and are never used.
    """
    head_lines = [ln for ln in text[:_HEAD_CHARS].splitlines() if ln.strip()][:_HEAD_LINES]
    if not head_lines:
        return None
    pats = _patterns()
    lex = _lexicon()
    for line in head_lines:
        for m in pats.primary_label.finditer(line):
            found = _leading_date(m.group("value"))
            if found:
                return found
    for line in head_lines:
        m = pats.dateline.match(line)
        if m:
            rest = line[m.end():].strip()
            # A date alone on its line (with a time or zone after it) or a dateline closed by a dash.
            if m.group("after") or _looks_like_time(rest):
                d = pats.explicit_with_year.search(m.group("date"))
                found = _explicit(d, lex) if d else None
                if found:
                    return found
    # A dateline in another language ("دمشق، 7 ديسمبر 2024 -", "Damas, 7 décembre 2024 —").
    m = _FOREIGN_DATELINE.match(head_lines[0])
    if m:
        found = _leading_date(m.group("value"))
        if found:
            return found
    for line in head_lines[:3]:
        m = pats.iso.search(line)
        if m:
            found = _safe_date(*(int(x) for x in m.group("iso").split("-")))
            if found:
                return found
    for line in head_lines:
        for m in pats.secondary_label.finditer(line):
            found = _leading_date(m.group("value"))
            if found:
                return found
    return None


_FOREIGN_DATELINE = re.compile(r"^[ \t]*[^\W\d][^,،\n]{0,40}[,،][ \t]*(?P<value>[^\n]{4,48}?)[ \t]*[-–—]")

_TIME_TAIL = re.compile(
    r"(?:(?:at|,|\||-|–|—)?\s*\d{1,2}[:.h]\d{2}(?:[:.]\d{2})?\s*(?:[AaPp]\.?[Mm]\.?)?"
    r"\s*(?:\(?[A-Z]{2,5}(?:[+-]\d{1,2}(?::?\d{2})?)?\)?)?)?\s*"
)


def _looks_like_time(rest: str) -> bool:
    return _TIME_TAIL.fullmatch(rest) is not None
