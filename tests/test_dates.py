"""Date mentions in news sentences, and the publication date an article states at its top."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from geo.dates import find_dates, infer_published, parse_date

SATURDAY = date(2024, 12, 7)  # the seeds' publication day
# The seed articles live in ../shared beside the repository; tests that read them skip without them.
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def resolved(text: str, published: date | None = SATURDAY) -> list[tuple[str, date, str]]:
    return [(m.text, m.date, m.precision) for m in find_dates(text, published)]


# --- relative weekdays --------------------------------------------------------------------------


def test_by_friday_is_the_day_before_a_saturday_publication():
    assert resolved("Government forces had left the town by Friday, residents said.") == [
        ("by Friday", date(2024, 12, 6), "day")
    ]


def test_late_friday_keeps_its_cue_in_the_span():
    [m] = find_dates("Jordan late Friday urged its citizens to leave the country.", SATURDAY)
    assert (m.text, m.date, m.precision) == ("late Friday", date(2024, 12, 6), "day")


def test_on_saturday_in_a_saturday_article_is_that_day():
    assert resolved("Fighters entered the city on Saturday.") == [("on Saturday", SATURDAY, "day")]


def test_a_weekday_is_the_most_recent_one_on_or_before_publication():
    # Published Tuesday 10 December: Sunday is the 8th, Wednesday the week before.
    tuesday = date(2024, 12, 10)
    assert resolved("Rebels said Sunday they held the airport; on Wednesday they had not.", tuesday) == [
        ("Sunday", date(2024, 12, 8), "day"),
        ("on Wednesday", date(2024, 12, 4), "day"),
    ]


def test_last_and_next_weekday_step_out_of_publication_day():
    assert resolved("Talks broke down last Saturday and resume next Saturday.") == [
        ("last Saturday", date(2024, 11, 30), "day"),
        ("next Saturday", date(2024, 12, 14), "day"),
    ]


def test_part_of_day_stays_in_the_mention():
    assert resolved("Shelling resumed Thursday night.") == [("Thursday night", date(2024, 12, 5), "day")]


def test_holidays_named_after_weekdays_are_not_dates():
    assert resolved("The Good Friday Agreement ended a war; Black Friday sales began.") == []


# --- other relative expressions ----------------------------------------------------------------------


def test_a_week_ago_is_week_precision_seven_days_back():
    assert resolved("The group captured the airport a week ago.") == [
        ("a week ago", date(2024, 11, 30), "week")
    ]


@pytest.mark.parametrize(
    "phrase, expected",
    [
        ("yesterday", (date(2024, 12, 6), "day")),
        ("late yesterday", (date(2024, 12, 6), "day")),
        ("today", (SATURDAY, "day")),
        ("earlier today", (SATURDAY, "day")),
        ("last night", (date(2024, 12, 6), "day")),
        ("the day before yesterday", (date(2024, 12, 5), "day")),
        ("two days ago", (date(2024, 12, 5), "day")),
        ("3 days ago", (date(2024, 12, 4), "day")),
        ("last week", (date(2024, 11, 30), "week")),
        ("two weeks ago", (date(2024, 11, 23), "week")),
        ("earlier this week", (date(2024, 12, 2), "week")),
        ("over the weekend", (SATURDAY, "week")),
        ("last month", (date(2024, 11, 1), "month")),
        ("earlier this month", (date(2024, 12, 1), "month")),
        ("a month ago", (date(2024, 11, 1), "month")),
    ],
)
def test_relative_expressions(phrase, expected):
    [(text, when, precision)] = resolved(f"The militia said it withdrew {phrase}, a spokesman added.")
    assert text == phrase
    assert (when, precision) == expected


def test_last_month_in_january_is_december_of_the_year_before():
    assert resolved("The town fell last month.", date(2025, 1, 15)) == [("last month", date(2024, 12, 1), "month")]


def test_without_a_publication_date_relative_expressions_give_nothing():
    text = "Rebels took the town on Friday, two days ago, since November 27, and last week."
    assert find_dates(text, None) == []


def test_without_a_publication_date_explicit_full_dates_still_count():
    assert resolved("The offensive began on November 27, 2024.", None) == [
        ("on November 27, 2024", date(2024, 11, 27), "day")
    ]


# --- explicit dates ------------------------------------------------------------------------------


def test_since_november_27_takes_the_publication_year():
    assert resolved("Rebels have advanced since November 27.") == [
        ("since November 27", date(2024, 11, 27), "day")
    ]


def test_a_day_and_month_after_publication_belong_to_the_year_before():
    # An article of 3 January 2025 recalling "December 28" means 2024.
    assert resolved("Fighting has raged since December 28.", date(2025, 1, 3)) == [
        ("since December 28", date(2024, 12, 28), "day")
    ]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("December 7, 2024", date(2024, 12, 7)),
        ("Dec. 7", date(2024, 12, 7)),
        ("on Nov. 27", date(2024, 11, 27)),
        ("7 December", date(2024, 12, 7)),
        ("3rd December 2023", date(2023, 12, 3)),
        ("the 29th of November", date(2024, 11, 29)),
        ("2024-12-05", date(2024, 12, 5)),
        ("Saturday, December 7, 2024", date(2024, 12, 7)),
    ],
)
def test_explicit_day_dates(text, expected):
    [m] = find_dates(f"Witnesses said the convoy arrived {text} at dawn.", SATURDAY)
    assert (m.text, m.date, m.precision) == (text, expected, "day")


def test_month_only_dates_have_month_precision():
    assert resolved("Clashes began in November, worsened in mid-October and eased in August 2023.") == [
        ("in November", date(2024, 11, 1), "month"),
        ("mid-October", date(2024, 10, 1), "month"),
        ("August 2023", date(2023, 8, 1), "month"),
    ]


def test_spans_point_into_the_text():
    text = "Officials said on Saturday that the crossing had closed on December 5."
    for m in find_dates(text, SATURDAY):
        assert text[m.start:m.end] == m.text


def test_numbers_and_years_alone_are_not_dates():
    text = "About 2,000 troops, 30 kilometres away, have fought since 2011; 826 people were killed."
    assert find_dates(text, SATURDAY) == []


def test_may_the_verb_and_march_the_noun_are_not_months():
    assert find_dates("Talks may resume; protesters may march to the square.", SATURDAY) == []


def test_date_words_inside_longer_words_are_not_dates():
    # "Mon" in "Monitor", "Sun" in "Sunni", "week" in "weeklong", "today" in "Todays": no date.
    text = "The Monitor said Sunni weeklong talks ended; Todays paper and the 2024-12-07x1 file too."
    assert resolved(text) == [("2024-12-07", SATURDAY, "day")]


def test_relative_words_count_in_any_case_and_next_to_other_text():
    assert resolved("Rebels YESTERDAY took the town (last night: the airport), an official said TODAY.") == [
        ("YESTERDAY", date(2024, 12, 6), "day"),
        ("last night", date(2024, 12, 6), "day"),
        ("TODAY", SATURDAY, "day"),
    ]


def test_a_dotted_capital_i_before_a_date_keeps_the_span_right():
    # "İ" lower-cases to two characters: the spans must still point into the text as written.
    text = "İdlib fell yesterday, and on Friday Hama."
    assert [(text[m.start:m.end], m.text) for m in find_dates(text, SATURDAY)] == [
        ("yesterday", "yesterday"), ("on Friday", "on Friday")]


def test_impossible_calendar_dates_are_dropped():
    assert find_dates("The report dated February 30, 2024 and 2024-13-01 is wrong.", SATURDAY) == []


# --- publication date at the top of an article ------------------------------------------------------


@pytest.mark.parametrize(
    "head, expected",
    [
        (" date 2024-12-07 Rebels on a lightning advance said on Saturday ...", SATURDAY),
        ("Damascus, December 7, 2024 – Approximately 2,000 troops crossed ...", SATURDAY),
        ("BEIRUT, Lebanon, 6 December 2024 (AFP) - Rebels said ...", date(2024, 12, 6)),
        ("Rebels near Homs\nPublished 5 December 2024\nRebels said ...", date(2024, 12, 5)),
        ("Updated: Dec 7, 2024 10:05 GMT\nRebels said ...", SATURDAY),
        ("Last Updated: December 8, 2024\nPublished: December 6, 2024\nText", date(2024, 12, 6)),
        ("Saturday 7 December 2024 10.05 GMT\nRebels said ...", SATURDAY),
        ("By Jane Doe | Posted on 4 December 2024\nText", date(2024, 12, 4)),
        ("posted 2024-12-03T08:00:00Z\nText", date(2024, 12, 3)),
        ("Publié le 7 décembre 2024 à 10h05\nLes rebelles ...", SATURDAY),
    ],
)
def test_infer_published_reads_headers_and_datelines(head, expected):
    assert infer_published(head) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Last Updated:\nRebels said on Saturday they had reached Damascus.",
        "BEIRUT, Dec 7 (Reuters) - Rebels said ...",  # a dateline without its year: no guess
        "On December 5, 2024, rebels captured Hama, the monitor said.",  # an event, not a publication
        "Rebels said on Saturday they were nearing Damascus.\n" * 10 + "Published 7 December 2024",
        "",
    ],
)
def test_infer_published_does_not_guess(text):
    assert infer_published(text) is None


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"the seed articles are not at {SEEDS} (../shared/seeds beside the repository)")
def test_infer_published_on_the_seeds():
    found = {p.name[:3]: infer_published(p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))}
    assert found == {"000": None, "001": SATURDAY, "002": None, "003": None, "004": SATURDAY}


def test_parse_date_reads_metadata_values_and_refuses_ambiguity():
    assert parse_date("2024-12-07T10:05:00+02:00") == SATURDAY
    assert parse_date("7 December 2024") == SATURDAY
    assert parse_date("7 décembre 2024") == SATURDAY
    assert parse_date("07/12/2024") is None  # day-first or month-first: unknowable
    assert parse_date("December 2024") is None
    assert parse_date("soon") is None


# --- any string ---------------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_DATEISH = st.sampled_from([
    "on Friday", "late Friday", "by Saturday", "Dec. 7", "7 December 2024", "2024-12-07", "since November 27",
    "a week ago", "two days ago", "yesterday", "earlier this month", "mid-November", "Good Friday", "May 2",
    "the 31st of February", "2024-02-30", " ", ", ", "\n", "the ", "in ", "last ", "Published: ", "date ",
])


@settings(max_examples=300, deadline=None)
@given(parts=st.lists(st.one_of(_DATEISH, st.text(max_size=12)), max_size=12),
       published=st.one_of(st.none(), st.dates()))
def test_find_dates_never_raises_and_spans_are_inside_the_text(parts, published):
    text = "".join(parts)
    last_end = 0
    for m in find_dates(text, published):
        assert last_end <= m.start < m.end <= len(text)
        assert text[m.start:m.end] == m.text
        assert m.precision in ("day", "week", "month")
        last_end = m.end
    infer_published(text)  # must not raise either


@pytest.mark.parametrize("published", [date.min, date.max])
def test_calendar_edges_do_not_crash(published):
    text = "yesterday, last month, next Friday, a week ago, since November 27"
    for m in find_dates(text, published):
        assert text[m.start:m.end] == m.text
