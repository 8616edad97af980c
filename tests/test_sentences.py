from hypothesis import given, strategies as st

from geo.sentences import split_sentences


def texts(text: str) -> list[str]:
    return [s.text for s in split_sentences(text)]


def test_full_stops_split_sentences_and_offsets_point_into_the_text():
    text = "Rebels entered Homs on Friday. The army withdrew!  Was it over? 2,000 troops crossed."
    sents = split_sentences(text)
    assert [s.text for s in sents] == [
        "Rebels entered Homs on Friday.",
        "The army withdrew!",
        "Was it over?",
        "2,000 troops crossed.",
    ]
    for s in sents:
        assert text[s.start : s.end] == s.text


def test_newlines_end_headlines_bullets_and_page_furniture():
    text = "Rebels near the capital\n- Some wounded troops treated\nLast Updated:\n\nThe army said it held."
    assert texts(text) == [
        "Rebels near the capital",
        "- Some wounded troops treated",
        "Last Updated:",
        "The army said it held.",
    ]


def test_no_split_after_titles_acronyms_initials_months_and_times():
    text = (
        "Mr. Haddad met Gen. Lt. Col. Karimi and Dr. Nour. "
        "The U.S. Army and the U.N. Security Council met on Dec. 7 at 5 p.m. Friday. "
        "George W. Bush visited St. Petersburg. Room No. 4 was empty."
    )
    assert texts(text) == [
        "Mr. Haddad met Gen. Lt. Col. Karimi and Dr. Nour.",
        "The U.S. Army and the U.N. Security Council met on Dec. 7 at 5 p.m. Friday.",
        "George W. Bush visited St. Petersburg.",
        "Room No. 4 was empty.",
    ]


def test_a_plain_word_before_a_full_stop_still_ends_the_sentence():
    assert texts("He said no. The talks ended.") == ["He said no.", "The talks ended."]


def test_quotation_closing_with_comma_stays_in_one_sentence():
    text = '"We ask that all sects be reassured. The era of tyranny has gone away forever," he said. Then he left.'
    assert texts(text) == [
        '"We ask that all sects be reassured. The era of tyranny has gone away forever," he said.',
        "Then he left.",
    ]
    curly = "“Our forces advanced. The capital is near,” said the commander. Troops left."
    assert texts(curly) == ["“Our forces advanced. The capital is near,” said the commander.", "Troops left."]


def test_quotation_ending_the_sentence_keeps_its_closing_quote():
    text = 'The monitor said "the city fell." Residents fled.'
    assert texts(text) == ['The monitor said "the city fell."', "Residents fled."]


def test_lowercase_after_a_full_stop_does_not_split():
    assert texts("Troops withdrew from the town... and regrouped in the east.") == [
        "Troops withdrew from the town... and regrouped in the east."
    ]


def test_whitespace_is_trimmed_and_empty_text_gives_nothing():
    assert split_sentences("") == []
    assert split_sentences("  \n\t\n ") == []
    [s] = split_sentences("   Damascus fell.   ")
    assert (s.start, s.end, s.text) == (3, 17, "Damascus fell.")


@given(st.text(alphabet=st.sampled_from(list("ab .!?\n\"“”,ABC12 ")), max_size=80))
def test_sentences_are_ordered_disjoint_trimmed_slices(text):
    prev_end = 0
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text
        assert s.text == s.text.strip() and s.text
        assert s.start >= prev_end
        prev_end = s.end


def test_each_line_is_split_on_its_own_whatever_the_lines_around_it():
    # A full stop at the end of a line never pairs with the next line's capital; an abbreviation
    # opening a line is judged by its own word, not by the end of the line before it ("... U.S.\n").
    text = "Forces left the U.S.\nDr. Haddad said so. Troops fled.\r\nGen. Karimi spoke.\n\n\"We won,\" he said. It ended."
    assert texts(text) == [
        "Forces left the U.S.",
        "Dr. Haddad said so.",
        "Troops fled.",
        "Gen. Karimi spoke.",
        '"We won," he said.',
        "It ended.",
    ]
    for s in split_sentences(text):
        assert text[s.start : s.end] == s.text


def test_a_quotation_on_one_line_does_not_hold_a_sentence_open_on_the_next():
    text = '"Stay here,\nThe town fell. Rebels took it," he said.'
    assert texts(text) == ['"Stay here,', "The town fell.", 'Rebels took it," he said.']
