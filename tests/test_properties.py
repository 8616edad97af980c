"""Property tests (hypothesis): normalisation, the geoparser and claim extraction hold their promises
on any string, including control characters, combining marks, ligatures, astral-plane characters
and lone surrogates, mixed with the words that make them do real work."""
from __future__ import annotations

from datetime import date

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from geo.document import Article
from geo.geoparser import geoparse_text
from geo.normalize import fold, key_tokens, name_key
from geo.pipeline import process

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Every code point, surrogates and controls included.
ANY_CHAR = st.characters(codec=None, categories=None)
# Characters that change length or shape under lower()/NFKD/casefold, and separators.
TRICKY = ["İ", "ß", "ﬁ", "ǅ", "Å", "e\u0301", "\u0301", "\u200d", "\u202e", "\ufeff", "\x00", "\x1b", "\r\n",
          "\u2028", "’", "ʿ", "‘", "-", "—", "\t", "𝐇𝐚𝐦𝐚", "🇸🇾", "\ud800", "ﷺ"]
NAMES = ["Hama", "Homs", "Aleppo", "Damascus", "Daraa", "Deir ez-Zor", "al-Qaim", "Al Qa'im", "Sa'sa'",
         "As-Suwayda", "Ḩamāh", "Idlib", "Syria", "Iraq", "Golan Heights", "Quneitra", "Tripoli", "Paris",
         "Lebanon", "the capital", "Damascus countryside", "Daraa province", "HOMS", "hama", "Ra's al-Ayn"]
WORDS = ["Rebels", "seized", "captured", "took", "withdrew from", "entered", "advanced toward", "denied that",
         "government forces", "the army", "Kurdish-led forces", "within 10 km of", "near", "north of", "and",
         ",", ".", " said", "a monitor said", "on Monday", "on December 7", "\n\n", "(Reuters) -", "“", "”",
         "the town of", "province", "city", "the city", "there", "it", "they", "Hezbollah", "Israel", "not"]

NEWSY = st.lists(
    st.one_of(st.sampled_from(NAMES), st.sampled_from(WORDS), st.sampled_from(TRICKY),
              st.text(ANY_CHAR, max_size=8)),
    max_size=60,
).map(" ".join)
TEXT = st.one_of(st.text(ANY_CHAR, max_size=300), NEWSY)


# ---------------------------------------------------------------------------- normalisation


@SETTINGS
@given(TEXT)
@example("Ḩamāh")
@example("İstanbul ﬁ ß")
def test_fold_keeps_the_length_so_offsets_carry_over(text: str) -> None:
    assert len(fold(text)) == len(text)


@SETTINGS
@given(TEXT)
@example("Al-Qaim's al-Qaem, Al Qa'im")
@example("Sa'sa' Ra's")
def test_key_tokens_lie_in_the_text_and_make_the_name_key(text: str) -> None:
    tokens = key_tokens(text)
    previous_end = 0
    for start, end, piece in tokens:
        assert previous_end <= start < end <= len(text)
        assert piece  # articles are left out unless asked for
        previous_end = end
    assert name_key(text) == " ".join(k for _, _, k in tokens)


@SETTINGS
@given(TEXT)
@example("Deir ez-Zor")
@example("Hamah")
@example("Ell")  # "ell" -> "al", an article word, which a second keying drops
def test_name_key_is_idempotent(text: str) -> None:
    key = name_key(text)
    assert name_key(key) == key


@SETTINGS
@given(st.sampled_from(NAMES), st.sampled_from(["", " ", "  ", "\t"]), st.booleans())
def test_name_key_ignores_case_and_outer_space(name: str, pad: str, upper: bool) -> None:
    assert name_key(pad + (name.upper() if upper else name) + pad) == name_key(name)


# ---------------------------------------------------------------------------- geoparser


@SETTINGS
@given(TEXT)
@example("DAMASCUS (Reuters) - Rebels seized Hama and Homs.")
@example("\ud800Hama\x00Homs\u202eAleppo")
def test_geoparser_offsets_point_at_the_toponym_text(text: str) -> None:
    toponyms = geoparse_text(text)
    previous_end = 0
    for t in toponyms:
        assert previous_end <= t.start < t.end <= len(text)
        assert text[t.start:t.end] == t.text
        # a name the model reads as a place that no gazetteer entry matches is reported unresolved
        assert t.place is not None or getattr(t, "source", None) == "model"
        if t.place is not None:
            assert -90 <= t.place.lat <= 90 and -180 <= t.place.lon <= 180
        previous_end = t.end


def test_geoparser_finds_the_places_of_a_plain_sentence() -> None:
    """The property above is not vacuous: the vocabulary makes the geoparser work."""
    found = geoparse_text("Rebels seized Hama and Homs , a monitor said .")
    assert [t.text for t in found] == ["Hama", "Homs"]


@SLOW_SETTINGS
@given(st.integers(min_value=1, max_value=4), st.text(ANY_CHAR, min_size=1, max_size=4))
def test_geoparser_survives_long_runs_of_one_character(power: int, chunk: str) -> None:
    text = chunk * (10 ** power)
    for t in geoparse_text(text):
        assert text[t.start:t.end] == t.text


# ---------------------------------------------------------------------------- extraction


@SLOW_SETTINGS
@given(TEXT, st.one_of(st.none(), st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))))
@example("Rebels seized Hama on Monday , a monitor said .", date(2024, 12, 7))
@example("The army denied that rebels entered Homs. \ud800 Rebels took it.", None)
def test_extraction_never_raises_and_evidence_lies_in_the_article(text: str, published: date | None) -> None:
    doc = process(Article("prop.txt", text, source="Test", published=published))
    for c in doc.claims:
        assert 0 <= c.evidence_start <= c.evidence_end <= len(text)
        assert text[c.evidence_start:c.evidence_end] == c.evidence
        if c.place_start is not None:
            assert c.evidence_start <= c.place_start < c.place_end <= c.evidence_end
        assert c.event_type and c.actor and c.place_id


def test_extraction_finds_a_claim_in_the_vocabulary() -> None:
    """The extraction property is not vacuous: its word list yields claims."""
    doc = process(Article("prop.txt", "Rebels seized Hama on Monday , a monitor said .", published=date(2024, 12, 7)))
    assert [(c.event_type, c.actor) for c in doc.claims] == [("capture", "rebels")]
