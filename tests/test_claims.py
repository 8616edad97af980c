"""The claim extractor on sentences of our own: each test states a reading an analyst would make."""
from datetime import date

import pytest

from claimkit import PLACES, claims_of, make_doc
from geo.claims import extract
from geo.document import Place


def one(text: str, **kw):
    doc = make_doc(text, **kw)
    claims = extract(doc, kw.pop("profile", "syria") if "profile" in kw else "syria")
    assert len(claims) == 1, [(c.place, c.event_type, c.actor) for c in claims]
    return claims[0]


def test_capture_by_the_subject_of_the_sentence():
    assert claims_of("Rebels captured Hama after a short battle, the monitor said.") == {("Hama", "capture", "rebels")}


def test_passive_capture_names_the_agent():
    assert claims_of("Homs was seized by Kurdish-led forces late on Friday.") == {("Homs", "capture", "kurdish_led_forces")}


def test_coordinated_places_share_the_event():
    assert claims_of("Insurgents overran Aleppo and Hama within a week.") == {
        ("Aleppo", "capture", "rebels"), ("Hama", "capture", "rebels")}


def test_lost_control_of_a_province_is_a_withdrawal_at_admin1_precision():
    c = one("The monitor said government forces lost control of Daraa province on Thursday.")
    assert (c.place, c.event_type, c.actor, c.geo_precision) == ("Daraa", "withdrawal", "government", "admin1")
    assert c.claimant == "Syrian Observatory for Human Rights"
    assert c.event_date == date(2024, 12, 5) and c.date_precision == "day"


def test_distance_gives_an_advance_near_the_place_with_its_radius():
    c = one("Opposition fighters were now within 15 kilometres (9 miles) of Damascus, residents said.")
    assert (c.place, c.event_type, c.actor) == ("Damascus", "advance", "rebels")
    assert c.distance_km == 15 and c.geo_precision == "near"


def test_distance_in_miles_is_converted():
    c = one("Rebels are only 10 miles from Homs.")
    assert c.distance_km == pytest.approx(16.1, abs=0.1)


def test_distance_after_a_withdrawal_qualifies_the_withdrawal():
    c = one("Troops were pulling back from villages just 8 km from Homs.")
    assert (c.event_type, c.actor, c.distance_km) == ("withdrawal", "government", 8)


def test_denial_replaces_what_it_denies():
    claims = claims_of("The defence ministry denied that its troops had withdrawn from Homs.")
    assert claims == {("Homs", "denial", "government")}


def test_there_is_no_truth_denial_speaks_for_the_earlier_speaker():
    text = ("The army command issued a statement on Saturday. "
            "\u201cThere is no truth to reports that our forces pulled out of Hama,\u201d it said.")
    assert claims_of(text) == {("Hama", "denial", "government")}


def test_a_reported_negated_entry_is_a_denial_by_the_reporter():
    assert claims_of("State media reported that the rebels had not entered Homs.") == {("Homs", "denial", "government")}


def test_denial_of_something_else_is_no_claim():
    assert claims_of("The presidency denied reports that the president had left Damascus.") == set()


def test_hypotheticals_plans_and_wishes_are_not_events():
    assert claims_of("If Homs falls, Damascus would be cut off from the coast.") == set()
    assert claims_of("The rebel leader told fighters to prepare to take Damascus.") == set()
    assert claims_of("Moscow said Damascus should not fall to the rebels.") == set()


def test_history_told_as_background_is_not_an_event():
    assert claims_of("Government forces recaptured Aleppo in 2016 after a long siege.") == set()
    assert claims_of("The army carried out a massacre in Hama in the 1980s.") == set()


def test_landmark_after_near_is_not_where_it_happened():
    claims = claims_of("The monitor said troops abandoned posts in Quneitra, near the Golan Heights.")
    assert claims == {("Quneitra", "withdrawal", "government")}


def test_where_clause_puts_the_event_at_the_landmark():
    claims = claims_of("Troops left Quneitra, near the Golan Heights, where Israel said it was boosting its troop presence.")
    assert ("Golan Heights", "deployment", "israel") in claims
    assert ("Golan Heights", "withdrawal", "government") not in claims


def test_container_province_is_not_a_second_place():
    claims = claims_of("Rebels said they were able to control the Saasaa security branch in the Damascus countryside.")
    assert claims == {("Sa'sa'", "capture", "rebels")}


def test_pronoun_carries_the_actor_from_the_previous_sentence():
    text = "Hayat Tahrir al-Sham has led a rapid advance. It captured Aleppo a week ago."
    c = [c for c in extract(make_doc(text), "syria") if c.place == "Aleppo"][0]
    assert (c.event_type, c.actor) == ("capture", "rebels")
    assert c.event_date == date(2024, 11, 30) and c.date_precision == "week"


def test_first_person_quote_speaks_for_the_speaker():
    text = "\u201cOur fighters entered Homs this morning,\u201d said opposition commander Ali Hassan."
    c = one(text)
    assert (c.event_type, c.actor, c.claimant) == ("capture", "rebels", "opposition commander Ali Hassan")


def test_person_introduced_with_a_title_is_remembered():
    text = ("Rebel spokesman Omar Khaled spoke to reporters. "
            "\u201cWe have taken control of Hama,\u201d Khaled said.")
    assert claims_of(text) == {("Hama", "capture", "rebels")}


def test_country_alone_is_no_place_on_the_map():
    assert claims_of("Rebels advanced through Syria on Friday.") == set()
    assert claims_of("Fidan and his counterparts discussed the war in Qatar on Saturday.") == set()


def test_border_crossing_goes_to_the_named_border_town():
    text = "Some 500 Syrian soldiers crossed into Iraq, the mayor of Al-Qaim told reporters."
    assert claims_of(text) == {("Al-Qaim", "border_crossing", "government")}


def test_by_friday_dates_the_event_the_day_before_a_saturday_report():
    c = one("By Friday, the government was pulling its troops out of Deir Ezzor.")
    assert c.event_date == date(2024, 12, 6) and c.date_precision == "day"


def test_no_publication_date_gives_no_relative_dates():
    c = one("By Friday, the government was pulling its troops out of Deir Ezzor.", published=None)
    assert c.event_date is None


def test_trigger_without_actor_gives_no_claim():
    assert claims_of("At least seven people were killed in strikes near Homs.") == set()


def test_evidence_is_the_sentence_with_offsets():
    text = "Heavy fighting was reported. Rebels seized Hama on Friday."
    c = one(text)
    assert text[c.evidence_start:c.evidence_end] == c.evidence == "Rebels seized Hama on Friday."
    assert text[c.place_start:c.place_end] == "Hama"


def test_dateline_toponyms_are_not_claim_places():
    doc = make_doc("Damascus - Rebels seized Hama on Friday.")
    doc.toponyms[0].dateline = True
    assert {(c.place, c.event_type) for c in extract(doc, "syria")} == {("Hama", "capture")}


def test_protest_in_a_fronted_place():
    assert claims_of("In Hama, protesters toppled a statue of the former president.") == {("Hama", "protest", "civilians")}


# --- another conflict: nothing Syrian is hard-coded -----------------------------------------


def test_ukraine_profile_capture_and_withdrawal():
    text = ("Russian forces captured Avdiivka, Ukraine's General Staff said on Saturday. "
            "Ukrainian troops withdrew from Bakhmut earlier in the week.")
    assert claims_of(text, profile="ukraine") == {
        ("Avdiivka", "capture", "russia"), ("Bakhmut", "withdrawal", "ukraine")}


def test_ukraine_profile_does_not_know_syrian_actors():
    assert claims_of("Rebels captured Kharkiv.", profile="ukraine") == set()


def test_ukraine_claimant_is_canonical():
    doc = make_doc("Russian troops were within 20 km of Kharkiv, according to the General Staff.")
    (c,) = extract(doc, "ukraine")
    assert (c.actor, c.distance_km, c.claimant) == ("russia", 20, "Ukrainian General Staff")


def test_coordinated_subjects_each_get_the_claim():
    text = "Government troops and allied Iraqi militias withdrew from Homs, the monitor said."
    assert claims_of(text) == {("Homs", "withdrawal", "government"), ("Homs", "withdrawal", "iraqi_militias")}


def test_possessive_pronoun_names_the_owner_not_the_generic_alias():
    assert claims_of("Israel said its troops had deployed on the Golan Heights.") == {
        ("Golan Heights", "deployment", "israel")}


def test_took_with_a_place_is_a_capture_but_took_part_is_not():
    assert claims_of("The insurgents took Hama on Thursday.") == {("Hama", "capture", "rebels")}
    assert claims_of("Rebels took part in talks in Homs.") == set()


def test_being_in_control_of_a_place_is_a_capture():
    assert claims_of("Fighters loyal to HTS are now in control of Aleppo airport.") == {("Aleppo", "capture", "rebels")}


def test_preposition_to_is_not_an_infinitive():
    assert claims_of("Fighters loyal to HTS seized Homs.") == {("Homs", "capture", "rebels")}
    assert claims_of("Rebels were ready to seize Homs.") == set()


def test_claimant_of_another_country_keeps_its_name():
    doc = make_doc("Russia's defence ministry said Russian warplanes struck rebel positions in Hama.")
    (c,) = extract(doc, "syria")
    assert (c.event_type, c.actor, c.claimant) == ("strike", "russia", "Russia's defence ministry")


def test_victims_are_not_the_actor_of_a_strike():
    assert claims_of("At least seven civilians were killed in strikes near Homs on Saturday.") == set()
    assert claims_of("Residents toppled a statue in Hama.") == {("Hama", "protest", "civilians")}


def test_relative_clause_does_not_hide_the_speaker():
    doc = make_doc("The Syrian Democratic Forces, which held Homs for years, said they had withdrawn from Homs.")
    (c,) = extract(doc, "syria")
    assert (c.event_type, c.actor, c.claimant) == ("withdrawal", "kurdish_led_forces", "Syrian Democratic Forces")


def test_driving_someone_out_is_a_capture():
    assert ("Hama", "capture", "rebels") in claims_of("Rebels drove government forces out of Hama.")


def test_attribution_after_but_speaks_only_for_its_clause():
    doc = make_doc("Rebels seized Hama, but the army said it was still fighting in Homs.")
    hama = [c for c in extract(doc, "syria") if c.place == "Hama"]
    assert hama and hama[0].claimant is None


def test_a_verb_with_an_unknown_place_does_not_borrow_another():
    # "Qabun" is not in this test's gazetteer: the capture is somewhere we cannot place.
    assert claims_of("Rebels were 30 km from Damascus after capturing Qabun.") == {("Damascus", "advance", "rebels")}


def test_a_continent_sized_region_is_no_place_for_a_claim():
    wide = {"the Middle East": Place("Middle East", "ov:middle_east", 29.0, 42.0, "region", None, None, 0, radius_km=2500)}
    assert claims_of("Iranian forces deployed across the Middle East.", places=wide) == set()


def test_a_person_fleeing_is_not_a_withdrawal_nor_its_denial_a_control_claim():
    assert claims_of("The president's office denied reports that he had fled Damascus.") == set()
    assert claims_of("Assad fled Damascus for Moscow, state media reported.") == set()
    assert claims_of("Pro-government militias fled Deir Ezzor on Friday.") == {("Deir ez-Zor", "withdrawal", "government")}


def test_the_target_of_a_strike_is_not_its_actor():
    assert claims_of("Russian air strikes targeted rebel positions near Idlib.", places={
        "Idlib": Place("Idlib", "gn:169389", 35.93, 36.63, "point", "SY", "SY-ID", 0)}) == {("Idlib", "strike", "russia")}


def test_a_fronted_past_year_sets_the_whole_sentence_in_the_past():
    assert claims_of("In 2016, government forces, backed by Russian air power, retook Aleppo.") == set()
    assert claims_of("On Friday, government forces, backed by Russian air power, retook Aleppo.") == {
        ("Aleppo", "capture", "government")}


def test_now_holding_a_place_is_a_claim_of_control():
    assert claims_of("The rebels now hold Aleppo, Hama and parts of Homs, according to the monitor.") == {
        ("Aleppo", "capture", "rebels"), ("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}


def test_relative_clauses_and_backers_are_not_the_subject():
    assert claims_of("Assad, who was backed by Russia and Iran, fled Damascus, officers said.") == set()
    claims = claims_of("Tribal fighters backed by rebels said they had driven Kurdish-led forces out of Deir Ezzor.")
    assert ("Deir ez-Zor", "capture", "local_armed_groups") in claims
    assert not any(actor == "rebels" for _, _, actor in claims)


def test_the_town_of_an_unknown_name_does_not_point_back():
    text = "Officials met in Homs on Monday. Government forces captured the town of Tal Rifaat on Tuesday."
    assert claims_of(text) == set()


@pytest.mark.parametrize("pronoun", ["it", "IT", "\u0131t"])  # "ıt": a dotless i, matched like "i"
def test_a_pronoun_stands_for_the_last_party_in_any_case(pronoun):
    claims = claims_of(f"The rebels regrouped overnight. Officials said {pronoun} withdrew from Homs.")
    assert claims == {("Homs", "withdrawal", "rebels")}


def test_a_made_up_word_is_no_pronoun():
    assert claims_of("The rebels regrouped overnight. Officials said xt withdrew from Homs.") == set()


def test_cue_words_in_capitals_still_count():
    assert claims_of("The rebels paused near Hama. THEY SEIZED the city on Friday, THE MONITOR SAID.") == {
        ("Hama", "capture", "rebels")}
    c = one("ACCORDING TO the monitor, rebels seized Homs.")
    assert c.claimant == "Syrian Observatory for Human Rights"
    assert claims_of("The army DENIED that rebels had entered Homs.") == {("Homs", "denial", "government")}


# Readings found by probing articles in our own words (not the seeds); each is a general rule.


def test_advancing_to_within_a_distance_is_an_advance_not_an_infinitive():
    c = one("Rebels advanced to within 10 km of Hama on Tuesday, the monitor said.")
    assert (c.place, c.event_type, c.actor, c.distance_km) == ("Hama", "advance", "rebels", 10)
    # The verb before that "to" can still be an infinitive: a plan is no event.
    assert claims_of("Rebels plan to advance to within 10 km of Hama.") == set()


def test_a_verb_with_an_unnamed_object_does_not_take_another_verbs_place():
    # "capturing a string of villages" is not a capture of Hama, the advance's place.
    assert claims_of("Rebels advanced to within 10 km of Hama on Tuesday, the monitor said, "
                     "after capturing a string of villages in the countryside.") == {("Hama", "advance", "rebels")}
    # A verb with no object still speaks of the place before it.
    assert claims_of("Kurdish-led forces said they had entered Deir Ezzor after government troops pulled out.") == {
        ("Deir ez-Zor", "capture", "kurdish_led_forces"), ("Deir ez-Zor", "withdrawal", "government")}


def test_a_compass_bearing_makes_the_second_place_a_landmark():
    assert claims_of("Rebels clashed with the army in Qusayr, south of Homs, the monitor said.") == {
        ("Al-Qusayr", "clash", "rebels")}


def test_numbers_with_thousands_separators_count():
    assert claims_of("Hezbollah sent 2,000 fighters to Qusayr to help defend the border, sources said.") == {
        ("Al-Qusayr", "deployment", "hezbollah")}


def test_a_participle_after_a_comma_names_no_speaker():
    c = one('"We have liberated Homs," said Abu Omar, a rebel commander, in a statement posted on Telegram.')
    assert (c.place, c.event_type) == ("Homs", "capture")
    assert c.claimant == "Abu Omar"


def test_a_dateline_dash_is_not_part_of_the_speaker():
    c = one("BEIRUT, Dec 8 (Reuters) - Syrian rebels said they had taken full control of Homs.")
    assert c.claimant == "Syrian rebels"


def test_who_speaks_is_not_who_acts_in_what_they_say():
    # The speaker phrase mentions state television (a government voice): it is not the subject of
    # "had taken over", and "the fighters" names no party, so there is no claim to make.
    assert claims_of("Rebel commander Abu Omar appeared on state television and said the fighters "
                     "had taken over the main square of Damascus.") == set()
    # A pronoun after the verb still stands for the speaker.
    assert claims_of("The army said it had withdrawn from Homs.") == {("Homs", "withdrawal", "government")}
    # A trigger coordinated with the speaker's verb shares its subject.
    assert claims_of("Insurgents claimed most of the south, and were within 30 km of Damascus.") == {
        ("Damascus", "advance", "rebels")}


def test_a_later_speech_with_its_own_content_does_not_attribute_the_event():
    c = one("Rebels entered Homs early on Sunday, and the army command told officers that the fight was over.")
    assert (c.place, c.event_type, c.actor, c.claimant) == ("Homs", "capture", "rebels", None)
    c = one("Rebels entered Homs early on Sunday, the army command told officers.")
    assert c.claimant is not None and "army" in c.claimant


def test_a_place_naming_the_area_of_another_only_qualifies_it():
    assert claims_of("Rebels say they entered the Homs countryside town of Talbiseh.",
                     places={**PLACES, "Talbiseh": Place("Talbiseh", "gn:163345", 34.84, 36.73, "point", "SY",
                                                          "SY-HI", 0)}) == {("Talbiseh", "capture", "rebels")}
    # "and" coordinates two places: both are taken.
    assert claims_of("Rebels captured Homs and the town of Qusayr.") == {
        ("Homs", "capture", "rebels"), ("Al-Qusayr", "capture", "rebels")}


def test_a_spaced_dash_ends_the_speaker_phrase():
    c = one("10:42 GMT - Syrian army says it is redeploying around Homs")
    assert c.claimant == "Syrian army"


def test_handing_over_positions_is_a_withdrawal_and_the_receivers_capture():
    doc = make_doc("The monitor said the army had handed over its positions in Quneitra to local fighters.")
    assert {(c.place, c.event_type, c.actor, c.claimant) for c in extract(doc, "syria")} == {
        ("Quneitra", "withdrawal", "government", "Syrian Observatory for Human Rights"),
        ("Quneitra", "capture", "local_armed_groups", "Syrian Observatory for Human Rights")}


def test_each_clause_keeps_its_own_attribution():
    doc = make_doc("Rebels drove government forces out of Hama, the monitor said, and the loss of Homs "
                   "was confirmed by state media.")
    by_place = {c.place: c.claimant for c in extract(doc, "syria")}
    assert by_place == {"Hama": "Syrian Observatory for Human Rights", "Homs": "Syrian state media"}


def test_a_subordinate_clause_ends_the_list_of_places():
    places = {**PLACES, "Moscow": Place("Moscow", "gn:524901", 55.75, 37.62, "point", "RU", "RU-MOW", 10_000_000),
              "Pokrovsk": Place("Pokrovsk", "gn:703883", 48.28, 37.18, "point", "UA", "UA-14", 60_000)}
    claims = claims_of("Russian forces captured Avdiivka, as Moscow's troops press toward Pokrovsk.",
                       profile="ukraine", places=places)
    assert ("Moscow", "capture", "russia") not in claims
    assert claims == {("Avdiivka", "capture", "russia"), ("Pokrovsk", "advance", "russia")}
    # "as well as" still joins.
    assert claims_of("Rebels captured Hama as well as Homs.") == {("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}


def test_repelling_attacks_is_a_defense():
    c = one("The army said its troops had repelled 40 attacks near Homs.")
    assert (c.place, c.event_type, c.actor, c.geo_precision) == ("Homs", "defense", "government", "near")


def test_an_inverted_attribution_after_a_prepositional_phrase_names_the_speaker_after_the_verb():
    c = one('The rebels\' capture of Aleppo was a "huge humiliation" for Assad, said Charles Lister of a think tank.')
    assert (c.place, c.event_type, c.actor) == ("Aleppo", "capture", "rebels")
    assert c.claimant.startswith("Charles Lister")


def test_a_name_we_cannot_resolve_keeps_the_landmark_after_it_from_becoming_the_place():
    # Unknown town: no claim, and above all no capture of Damascus.
    assert claims_of("Rebels had taken the town of al-Mismiyah, about 50km south of Damascus.") == set()
    # "the town of al-X" is no back-reference to an earlier town, though it starts in lower case.
    text = "Rebels entered Homs on Friday. On Saturday rebels took the town of al-Mismiyah, south of Damascus."
    assert claims_of(text) == {("Homs", "capture", "rebels")}
    # A day after the verb is no unresolved name.
    assert claims_of("Hama was seized by rebels Sunday, the monitor said.") == {("Hama", "capture", "rebels")}


def test_a_timeline_line_dates_all_its_sentences():
    text = ("Here is a timeline.\n\nDec 5 - Rebels capture Hama.\n\nDec 6 - Local fighters seize Daraa. "
            "Government forces withdraw from Deir Ezzor, and Kurdish-led forces move in.\n\n"
            "Rebels enter Damascus.")
    doc = make_doc(text, published=date(2024, 12, 8))
    dates = {(c.place, c.event_type): c.event_date for c in extract(doc, "syria")}
    assert dates == {
        ("Hama", "capture"): date(2024, 12, 5),
        ("Daraa", "capture"): date(2024, 12, 6),
        ("Deir ez-Zor", "withdrawal"): date(2024, 12, 6),
        ("Deir ez-Zor", "capture"): date(2024, 12, 6),
        # A new line without a date of its own: the publication date.
        ("Damascus", "capture"): date(2024, 12, 8),
    }


def test_present_tense_headline_verbs():
    assert claims_of("Rebels take most of Aleppo city.") == {("Aleppo", "capture", "rebels")}
    assert claims_of("Rebels enter Damascus.") == {("Damascus", "capture", "rebels")}


def test_a_relative_clause_with_a_list_is_not_the_speaker_nor_a_list_of_places():
    claims = make_doc("Rebels, who now hold Aleppo, Hama and parts of Homs, said they had cut the highway "
                      "between Damascus and the coast.")
    found = extract(claims, "syria")
    assert {c.place for c in found} == {"Aleppo", "Hama", "Homs"}  # not Damascus: the list ended at "said"
    assert {c.claimant for c in found} == {"Rebels"}


def test_an_appositive_after_the_speaker_describes_the_speaker():
    c = one("Residents of Saasaa, a town near Damascus, said government troops had abandoned Saasaa overnight.")
    assert c.claimant == "Residents of Saasaa"
    c = one('"We have liberated Homs," Abu Omar, a rebel commander, said.')
    assert (c.place, c.event_type, c.actor, c.claimant) == ("Homs", "capture", "rebels", "Abu Omar")
    # A plain indefinite speaker is no appositive.
    c = one("Government forces seized Homs on Thursday, a monitor said.")
    assert c.claimant == "Syrian Observatory for Human Rights"


def test_an_acronym_in_parentheses_belongs_to_the_speaker():
    c = one("The Kurdish-led Syrian Democratic Forces (SDF) said they were in control of Deir Ezzor.")
    assert (c.place, c.event_type, c.actor) == ("Deir ez-Zor", "capture", "kurdish_led_forces")
    assert "Syrian Democratic Forces" in c.claimant


def test_the_ministry_is_the_ministry_named_before_unless_two_parties_have_one():
    text = ("The defence ministry said troops were holding their positions. "
            '"There is no truth to reports that the army has pulled out of Homs," the ministry said.')
    c = one(text)
    assert (c.place, c.event_type, c.actor, c.claimant) == ("Homs", "denial", "government", "Syrian defence ministry")
    text = ("The defence ministry said troops were holding their positions. Russia's defence ministry said "
            'its jets were flying. "There is no truth to reports that the army has pulled out of Homs," the '
            "ministry said.")
    assert claims_of(text) == set()


def test_an_owner_after_the_verb_is_not_an_unknown_place():
    assert claims_of("Rebels advanced on Assad's heartland of Homs, the monitor said.") == {("Homs", "advance", "rebels")}


def test_a_claim_outside_the_conflicts_theatre_is_about_another_conflict():
    la = Place("Los Angeles", "gn:5368361", 34.05, -118.24, "point", "US", "US-CA", 3_900_000)
    assert claims_of("Government troops were deployed to Los Angeles, the governor said.",
                     places={**PLACES, "Los Angeles": la}) == set()
    # Syria's neighbours are in its theatre: troops crossing into Iraq at Al-Qaim.
    assert claims_of("Syrian troops crossed into Iraq at Al-Qaim.") == {("Al-Qaim", "border_crossing", "government")}


def test_where_a_withdrawal_went_is_not_what_it_left():
    assert claims_of("Government troops withdrew toward Homs after losing Hama, the monitor said.") == {
        ("Hama", "withdrawal", "government")}
    assert claims_of("Troops retreated to Damascus from the south, residents said.") == set()
    assert claims_of("Troops withdrew from Hama to Homs.") == {("Hama", "withdrawal", "government")}


def test_the_ends_of_a_route_are_not_what_was_taken():
    assert claims_of("Rebels seized the road between Hama and Homs, a commander said.") == set()


def test_distances_written_without_a_space_or_as_a_range():
    c = one("Rebels were within 30km of Damascus, the monitor said.")
    assert (c.place, c.event_type, c.distance_km) == ("Damascus", "advance", 30)
    c = one("Rebels are now 10-15 km from Homs, the monitor said.")
    assert (c.place, c.event_type, c.distance_km) == ("Homs", "advance", 15)


def test_a_distance_in_apposition_locates_a_place_and_is_no_advance():
    assert claims_of("Rebels captured Saasaa, some 20 km from Damascus, on Friday.") == {("Sa'sa'", "capture", "rebels")}
    assert claims_of("Rebels had taken the town of al-Mismiyah, about 50km south of Damascus.") == set()


def test_weapons_name_their_side_in_the_ukraine_profile():
    assert claims_of("Russian drones struck Kharkiv overnight, the governor said.", profile="ukraine") == {
        ("Kharkiv", "strike", "russia")}


def test_a_relative_clause_after_a_place_leaves_the_speaker_after_it():
    c = one("Government forces withdrew from Hama, which they had held since 1982, the monitor said.")
    assert (c.place, c.event_type, c.claimant) == ("Hama", "withdrawal", "Syrian Observatory for Human Rights")


def test_a_medium_is_no_subject():
    # State television is a government voice, but here only the medium: no party is named as acting.
    assert claims_of("The rebels announced on state television that Damascus had been liberated.") == set()


def test_speaker_phrases_end_at_subordinators_participles_and_passives():
    c = one("Syrian state media said nothing, a day after rebels said they had entered Hama.")
    assert (c.place, c.event_type, c.actor, c.claimant) == ("Hama", "capture", "rebels", "rebels")
    c = one("The SDF, backed by the United States, said it had taken over areas of Deir Ezzor.")
    assert (c.actor, c.claimant) == ("kurdish_led_forces", "SDF")
    c = one("Two army officers said the army had been told that it was over, as rebels entered Damascus.")
    assert (c.place, c.actor, c.claimant) == ("Damascus", "rebels", "Two army officers")


def test_each_place_of_a_list_keeps_the_date_written_after_it():
    doc = make_doc("Rebels took Hama on Thursday and Homs on Saturday.", published=date(2024, 12, 8))
    assert {c.place: c.event_date for c in extract(doc, "syria")} == {
        "Hama": date(2024, 12, 5), "Homs": date(2024, 12, 7)}
    doc = make_doc("On Friday, rebels took Hama and Homs.", published=date(2024, 12, 8))
    assert {c.event_date for c in extract(doc, "syria")} == {date(2024, 12, 6)}


def test_a_speakers_own_infinitive_and_a_later_but_clause():
    c = one("Rebels claimed to have captured Homs, but the army said fighting continued.")
    assert (c.place, c.event_type, c.actor) == ("Homs", "capture", "rebels")


def test_whether_makes_it_uncertain():
    assert claims_of("It is unclear whether rebels have entered Homs.") == set()


def test_advancing_toward_a_place_on_a_day_keeps_the_place():
    # The verb's pattern must not run on past the place to the "on" of "on Friday".
    c = one("Rebels advanced toward Homs on Friday, the monitor said.", published=date(2024, 12, 8))
    assert (c.place, c.event_type, c.actor, c.event_date) == ("Homs", "advance", "rebels", date(2024, 12, 6))


def test_a_sentence_opener_names_no_one():
    assert claims_of("After seizing Hama, rebels advanced toward Homs.") == {
        ("Hama", "capture", "rebels"), ("Homs", "advance", "rebels")}
    assert claims_of("Assad fled Damascus.") == set()


def test_a_verb_pattern_never_runs_on_past_a_place():
    assert claims_of("Troops withdrew from Homs and from Hama.") == {
        ("Homs", "withdrawal", "government"), ("Hama", "withdrawal", "government")}
    # troops driven from a place left it: their withdrawal is coded beside the capture
    assert claims_of("Rebels drove troops from Homs and from Hama.") == {
        ("Homs", "capture", "rebels"), ("Hama", "capture", "rebels"),
        ("Homs", "withdrawal", "government"), ("Hama", "withdrawal", "government")}


# --- constructions read from the dependency parse (sentences of our own) -----------------------------


def test_a_precise_party_name_beats_a_generic_one():
    assert claims_of("Opposition troops captured Hama on Friday.") == {("Hama", "capture", "rebels")}
    assert claims_of("Turkey-backed forces seized Aleppo.") == {("Aleppo", "capture", "syrian_national_army")}


def test_groups_opposed_to_a_party_are_its_opponent():
    assert claims_of("Armed men opposed to the government captured Homs.") == {("Homs", "capture", "rebels")}


@pytest.mark.parametrize("text, expected", [
    ("Hama is now under rebel control, residents said.", {("Hama", "capture", "rebels")}),
    ("Homs came under the control of the Syrian army on Sunday.", {("Homs", "capture", "government")}),
    ("Aleppo is in the hands of the insurgents.", {("Aleppo", "capture", "rebels")}),
    ("Insurgents are in control of Homs.", {("Homs", "capture", "rebels")}),
    ("Hama is no longer under government control.", {("Hama", "withdrawal", "government")}),
])
def test_states_of_control(text, expected):
    assert claims_of(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("The rebels celebrated the fall of Hama to their fighters.", {("Hama", "capture", "rebels")}),
    ("The insurgents' capture of Homs stunned the region.", {("Homs", "capture", "rebels")}),
    ("Rebels announced the capture of Aleppo airport.", {("Aleppo", "capture", "rebels")}),
    ("The army completed its withdrawal from Hama.", {("Hama", "withdrawal", "government")}),
])
def test_nominal_events_keep_their_roles(text, expected):
    assert claims_of(text) == expected


def test_failing_to_take_a_place_is_the_other_sides_defence():
    assert claims_of("Rebels failed to take Hama after two days of fighting.") == {("Hama", "defense", "government")}
    assert claims_of("The army unsuccessfully attempted to retake Aleppo.") == {("Aleppo", "defense", "rebels")}


def test_the_city_stands_for_the_one_city_named_just_before():
    assert claims_of("Fighting raged around Homs. Rebels entered the city at dawn.") == {("Homs", "capture", "rebels")}
    # Two cities named just before: "the city" could be either, so it gives no claim.
    assert claims_of("Hama and Homs were shelled. Rebels entered the city at dawn.") == set()


def test_a_province_that_contains_the_place_is_not_a_second_claim():
    assert claims_of("Rebels captured Saasaa in Damascus countryside.") == {("Sa'sa'", "capture", "rebels")}


def test_vague_regions_carry_no_claim():
    places = {**PLACES, "northern Syria": Place("northern Syria", "ov:north", 36.4, 38.5, "region", "SY", None, 0,
                                                radius_km=220)}
    assert claims_of("Rebels advanced across northern Syria.", places=places) == set()


def test_forces_located_in_a_place_defend_it():
    assert claims_of("Government forces in Hama repelled a rebel attack overnight.") == {("Hama", "defense", "government")}


def test_opposition_fighters_in_the_south_are_local_armed_groups_unless_hts_is_named():
    assert claims_of("Opposition fighters took control of Daraa.") == {("Daraa", "capture", "local_armed_groups")}
    assert claims_of("HTS-led forces took control of Daraa.") == {("Daraa", "capture", "rebels")}


def test_crossing_into_a_country_is_placed_at_the_named_crossing():
    assert claims_of("Hundreds of Syrian soldiers crossed into Iraq at the Al-Qaim border post.") == {
        ("Al-Qaim", "border_crossing", "government")}
    assert claims_of("Hundreds of Syrian soldiers crossed into Iraq.") == set()


def test_a_reported_negation_is_the_speakers_denial():
    assert claims_of("State media said the rebels had not entered Hama.") == {("Hama", "denial", "government")}
    assert claims_of("The rebels did not enter Hama.") == set()


def test_a_possibility_or_a_fear_is_no_event():
    assert claims_of("The possibility of Homs' capture by the rebels worried Damascus.") == set()
    assert claims_of("Residents feared the fall of Hama.") == set()


def test_a_deployment_to_defend_a_place_defends_it():
    assert claims_of("The army sent troops to defend Homs.") == {("Homs", "defense", "government")}


def test_history_by_year_is_background_but_last_years_events_are_news_in_january():
    assert claims_of("Government forces recaptured Aleppo in August 2016.") == set()
    doc = make_doc("Rebels entered Damascus on December 8, 2024.", published=date(2025, 1, 10))
    assert {(c.place, c.event_type) for c in extract(doc, "syria")} == {("Damascus", "capture")}


def test_a_list_after_including_extends_the_object():
    assert claims_of("Rebels seized several towns, including Hama and Homs.") == {
        ("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}


def test_a_dateline_is_not_the_subject():
    assert claims_of("DAMASCUS (AP) - Syrian troops withdrew from Homs.") == {("Homs", "withdrawal", "government")}
    assert claims_of("date 2024-12-07 Rebels entered Hama.") == {("Hama", "capture", "rebels")}


def test_took_control_in_a_misparsed_list_keeps_every_place():
    assert claims_of("The insurgents have taken control of most of Aleppo's centre and Hama.") >= {
        ("Aleppo", "capture", "rebels")}


# --- the event lexicon is data, checked when it is read -------------------------------------------------


def test_the_lexicon_rejects_unknown_keys_and_event_types():
    from geo.claims import LexiconError, build_lexicon
    from geo.resources import load_toml

    events, cues = load_toml("lexicons/events.toml"), load_toml("lexicons/claims.toml")
    build_lexicon(events, cues)  # the shipped files are valid
    bad_key = {**events, "verb": events["verb"] + [{"type": "capture", "lemmas": ["grab"], "objekt": "any"}]}
    with pytest.raises(LexiconError, match="objekt"):
        build_lexicon(bad_key, cues)
    bad_type = {**events, "verb": [{"type": "conquest", "lemmas": ["grab"]}]}
    with pytest.raises(LexiconError, match="conquest"):
        build_lexicon(bad_type, cues)
    with pytest.raises(LexiconError, match="lemmas"):
        build_lexicon({**events, "verb": [{"type": "capture", "lemmas": []}]}, cues)


def test_a_lemma_added_to_the_lexicon_is_read_in_every_tense(monkeypatch):
    import geo.claims as claims
    from geo.resources import load_toml

    events = load_toml("lexicons/events.toml")
    extra = {**events, "verb": events["verb"] + [{"type": "capture", "lemmas": ["annex"], "object": "any"}]}
    monkeypatch.setattr(claims, "lexicon", lambda: claims.build_lexicon(extra, load_toml("lexicons/claims.toml")))
    assert claims_of("Rebels annexed Hama.") == {("Hama", "capture", "rebels")}


def test_a_facility_taken_in_a_fronted_place():
    assert claims_of("In Homs, local fighters seized the police station and the central prison.") == {
        ("Homs", "capture", "local_armed_groups")}


def test_the_province_after_one_town_is_that_towns_province():
    doc = make_doc("Officials fled Hama overnight as rebels took control of checkpoints in the province.")
    assert [(c.province, c.geo_precision, c.event_type, c.actor) for c in extract(doc, "syria")] == [
        ("SY-HM", "admin1", "capture", "rebels")]


def test_forces_operating_in_a_place_defend_it():
    assert claims_of("Army units operating in Hama reinforced their defensive lines overnight.") == {
        ("Hama", "defense", "government")}


def test_the_places_a_relative_clause_lists_are_taken():
    assert claims_of("Rebels took control of several towns, the largest of which are Hama and Homs.") == {
        ("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}


def test_preparing_defensive_lines_is_a_defence():
    assert claims_of("The army was preparing defensive lines around Homs.") == {("Homs", "defense", "government")}


def test_a_participle_happens_where_its_main_clause_does():
    assert claims_of("Government forces launched a counteroffensive in Hama, reclaiming several villages.") == {
        ("Hama", "capture", "government")}


def test_a_clause_about_a_past_year_is_history():
    assert claims_of("Manbij had been under SDF control since 2016, when the Kurdish-led group took over Homs.") == set()


def test_a_speakers_description_names_their_side_first_and_asides_do_not():
    text = ('"Our units in Hama strengthened their defensive lines," said the statement posted on the defence '
            "ministry's page (a site banned in Russia).")
    assert claims_of(text) == {("Hama", "defense", "government")}


def test_the_other_side_fleeing_leaves_the_place_just_taken():
    assert claims_of("Rebels took Homs without a fight as government forces fled.") == {
        ("Homs", "capture", "rebels"), ("Homs", "withdrawal", "government")}
    # the capturer's own offensive "leaving" someone is no withdrawal of the capturer
    assert claims_of("Rebels now control half of Homs after their offensive left the army reeling.") == {
        ("Homs", "capture", "rebels")}


def test_a_city_and_date_dateline_is_not_the_subject():
    assert claims_of("Damascus, December 7, 2024 – Hundreds of Syrian troops crossed into Iraq at the Al-Qaim post.") == {
        ("Al-Qaim", "border_crossing", "government")}


def test_a_place_opening_the_sentence_frames_it():
    assert claims_of("In central Homs, considered a gateway to the capital, government forces bolstered defenses.") == {
        ("Homs", "defense", "government")}


def test_it_said_is_the_party_named_last_not_a_person_who_spoke_before():
    text = ("Rebel commander Ali Hassan said his men were advancing. The army issued a statement. "
            "\u201cThere is no truth to reports that our forces withdrew from Homs,\u201d it said.")
    assert ("Homs", "denial", "government") in claims_of(text)
    assert not any(actor == "rebels" and kind == "denial" for _, kind, actor in claims_of(text))


def test_a_place_described_as_under_a_partys_control():
    assert claims_of("Rebels marched through Hama, now under rebel control.") >= {("Hama", "capture", "rebels")}
    assert claims_of("Civilians fled Homs, now under the watch of Kurdish-led forces.") >= {
        ("Homs", "capture", "kurdish_led_forces")}


def test_a_particle_carries_the_preposition_of_the_place():
    # the parser hangs "from" on "back"; "had to" reports what happened
    assert claims_of("The army had to fall back from Homs to regroup.") == {("Homs", "withdrawal", "government")}


def test_forces_moved_in_the_passive_are_the_party_that_moved():
    assert claims_of("Government troops were pulled out of Hama on Friday.") == {("Hama", "withdrawal", "government")}
    assert claims_of("Government reinforcements were sent to Homs overnight.") == {("Homs", "deployment", "government")}
    # a passive with a place as its subject names no one
    assert claims_of("Homs was evacuated on Friday.") == set()


def test_a_list_hung_on_the_losing_party_is_what_was_taken():
    assert claims_of("Rebels seized large areas from the army, including the city of Hama.") >= {
        ("Hama", "capture", "rebels")}


def test_stopping_an_attack_is_the_attackers_opponents_defense():
    assert claims_of("Air strikes halted the advance of rebel fighters toward Hama.") == {("Hama", "defense", "government")}
    assert claims_of("Heavy shelling repelled an attack by the army on Homs.") == {("Homs", "defense", "rebels")}
    # a named defender is the defender
    assert claims_of("Kurdish-led forces thwarted attempts by Turkish-backed factions to seize Aleppo.") == {
        ("Aleppo", "defense", "kurdish_led_forces")}


def test_the_party_driven_out_withdrew():
    assert claims_of("Rebels stormed Homs, driving government forces out of the city.") == {
        ("Homs", "capture", "rebels"), ("Homs", "withdrawal", "government")}
    # people driven out are no party's withdrawal
    assert claims_of("Rebels expelled residents from Hama.") == {("Hama", "capture", "rebels")}


def test_a_share_in_percent_is_a_portion_of_the_place():
    assert claims_of("Rebels now control 60% of Homs, the monitor said.") == {("Homs", "capture", "rebels")}
    assert claims_of("By Friday the army had retaken 40 per cent of Hama.") == {("Hama", "capture", "government")}


def test_the_city_with_a_describing_adjective_is_the_city_named_before():
    assert claims_of("Rebels reached the edge of Hama on Friday. On Saturday they entered the strategic city.") >= {
        ("Hama", "capture", "rebels")}
    # "the nearby town" is another place
    assert ("Hama", "capture", "rebels") not in claims_of("Rebels shelled Hama on Friday. They then entered the nearby town.")


def test_several_passive_subjects_are_all_the_places():
    assert claims_of("Homs, Hama, and Aleppo in the north have been evacuated by the army.") == {
        ("Homs", "withdrawal", "government"), ("Hama", "withdrawal", "government"), ("Aleppo", "withdrawal", "government")}


def test_a_dateline_parsed_as_a_subject_does_not_hide_the_actor():
    assert claims_of("Damascus: Israeli troops seized a hilltop post near Quneitra on Sunday, state media reported.") == {
        ("Quneitra", "capture", "israel")}


def test_an_area_locating_another_place_is_not_a_second_place():
    places = dict(PLACES, **{"Mount Hermon": Place("Mount Hermon", "ov:hermon", 33.42, 35.86, "region", "SY", "SY-QU", 0)})
    assert claims_of("Israeli troops seized an outpost at the summit of Mount Hermon in the Golan Heights.",
                     places=places) == {("Mount Hermon", "capture", "israel")}


def test_a_crossing_point_named_in_the_object_is_where_troops_crossed():
    assert claims_of("Hundreds of Syrian soldiers crossed the Al-Qaim border post into Iraq on Saturday.") == {
        ("Al-Qaim", "border_crossing", "government")}


def test_the_groups_are_the_party_last_called_groups():
    text = ("Opposition groups entered Hama on Friday. A statement by the army said its units had regrouped. "
            "The groups also seized Homs.")
    assert ("Homs", "capture", "rebels") in claims_of(text)
    assert ("Homs", "capture", "government") not in claims_of(text)


def test_a_control_state_that_held_since_a_past_year_is_background():
    assert claims_of("Hama had been under army control since 2012, when troops took the city.") == set()
    assert claims_of("Hama is now under rebel control.") == {("Hama", "capture", "rebels")}


def test_a_year_in_a_participle_of_the_triggers_phrase_is_history():
    assert claims_of("The army seized Homs as a result of an offensive launched in 2014.") == set()
    # a relative clause's year tells its own time, not the trigger's
    assert claims_of("Rebels seized Homs on Sunday, a city that the army had retaken in 2014.") >= {
        ("Homs", "capture", "rebels")}


def _geoparsed_claims(text: str) -> set[tuple[str, str, str]]:
    """(place, event type, actor) of a text run through the real geoparser, whose non-literal
    readings ("Ankara-backed", "the X television network") the claims stage must respect."""
    from geo.document import Article, Document
    from geo.geoparser import geoparse

    doc = Document(Article("test.txt", text, source="test", published=date(2024, 12, 7)))
    geoparse(doc)
    return {(c.place, c.event_type, c.actor) for c in extract(doc)}


def test_a_place_name_in_a_compound_modifier_is_a_party_not_a_place():
    text = "Fighting raged in Aleppo on Friday. Ankara-backed factions said they had taken control of the city."
    assert _geoparsed_claims(text) == {("Aleppo", "capture", "syrian_national_army")}


def test_a_verb_reads_with_the_first_of_its_rules_that_finds_a_claim():
    # "move" + "into" is a capture, "move on" an advance
    assert claims_of("Rebels moved on Hama on Friday.") == {("Hama", "advance", "rebels")}
    assert claims_of("Rebels moved into Hama on Friday.") == {("Hama", "capture", "rebels")}


def test_the_object_of_a_forcing_verb_is_who_does_what_follows():
    assert ("Hama", "denial", "government") in claims_of(
        "Rebels pushed toward Homs, forcing the government to deny reports it had withdrawn from Hama.")
    assert not any(kind == "denial" and actor == "rebels" for _, kind, actor in claims_of(
        "Rebels pushed toward Homs, forcing the government to deny reports it had withdrawn from Hama."))


def test_a_town_framing_a_site_we_cannot_name_is_where_the_site_is():
    assert claims_of("In Homs, rebel fighters seized the Air Force Intelligence branch.") == {("Homs", "capture", "rebels")}
    # a province is no stand-in for the site
    assert claims_of("In Daraa province, rebel fighters seized the Air Force Intelligence branch.") == set()


def test_an_unnamed_site_among_the_objects_does_not_hide_the_others():
    assert claims_of("Government forces handed over the Kuweires Military Airport and the town of Hama to the rebels.") >= {
        ("Hama", "withdrawal", "government"), ("Hama", "capture", "rebels")}


def test_these_groups_are_the_party_just_named():
    text = ("The army said in a statement that with the influx of terrorists across the border, "
            "these groups were able to enter parts of Aleppo.")
    assert ("Aleppo", "capture", "rebels") in claims_of(text)
    assert ("Aleppo", "capture", "government") not in claims_of(text)


def test_territorial_gains_listed_after_including():
    text = "Rebels seized Homs last week. The assault has brought territorial gains, including large parts of Aleppo."
    assert ("Aleppo", "capture", "rebels") in claims_of(text)


SITES = dict(PLACES, **{
    "Tishrin Dam": Place("Tishrin Dam", "ov:dam", 36.38, 38.18, "point", "SY", "SY-HL", 0),
    "Kuweires airbase": Place("Kuweires Military Airbase", "ov:kw", 36.19, 37.58, "point", "SY", "SY-HL", 0),
})


def test_the_dam_is_the_site_named_before_whose_name_says_dam():
    text = "Fighting raged around the Tishrin Dam for days. On Sunday Kurdish-led forces repelled an attack on the dam."
    assert ("Tishrin Dam", "defense", "kurdish_led_forces") in claims_of(text, places=SITES)
    # no site of that kind named before: no guess
    assert claims_of("Fighting raged in Aleppo. Kurdish-led forces repelled an attack on the dam.", places=SITES) == set()


def test_a_place_near_which_another_lies_is_a_landmark_even_on_the_verb():
    assert claims_of("Rebels advanced toward the Kuweires airbase near Aleppo.", places=SITES) == {
        ("Kuweires Military Airbase", "advance", "rebels")}
    assert claims_of("Rebels advanced near Aleppo on Friday.", places=SITES) == {("Aleppo", "advance", "rebels")}


def test_the_party_after_according_to_is_the_subject_the_parser_joined_to_the_source():
    c = claims_of("According to the monitor, rebels and allied factions captured Hama on Friday.")
    assert c == {("Hama", "capture", "rebels")}


def test_rural_puts_the_event_around_the_place():
    c = one("Rebels advanced in western rural Aleppo on Friday.")
    assert (c.place, c.event_type, c.actor, c.geo_precision) == ("Aleppo", "advance", "rebels", "near")


def test_a_participle_naming_a_place_we_cannot_resolve_does_not_borrow_the_main_clauses():
    assert claims_of("Rebels advanced in rural Aleppo, seizing control of points in Kafr Umm Tuwayr.") == {
        ("Aleppo", "advance", "rebels")}
    assert claims_of("Rebels advanced in rural Aleppo, seizing control of several villages.") >= {
        ("Aleppo", "advance", "rebels"), ("Aleppo", "capture", "rebels")}


def test_reaching_a_places_edge_is_an_advance_not_its_capture():
    assert claims_of("Insurgents said they had entered the outskirts of Homs.") == {("Homs", "advance", "rebels")}
    # a site taken on the outskirts is still a capture
    assert claims_of("Rebels seized the research centre on the outskirts of Aleppo.") == {("Aleppo", "capture", "rebels")}


def test_a_past_tense_the_parser_reads_as_a_participle_of_the_root_noun_is_active():
    assert claims_of("HTS-led fighters swept into Damascus on Sunday, ending decades of Assad family rule.") == {
        ("Damascus", "capture", "rebels")}
    # with a "by" agent it is a passive
    assert claims_of("Hama, captured by rebels on Friday.") == {("Hama", "capture", "rebels")}


def test_repositioning_outside_a_city_is_a_withdrawal():
    assert claims_of("The defence ministry said troops had repositioned outside Hama.") == {
        ("Hama", "withdrawal", "government")}


def test_the_two_cities_are_the_two_named_last():
    text = "Rebels took Damascus suburbs, then Homs and Hama. The army said it is redeploying outside of the two central cities."
    c = claims_of(text)
    assert {("Homs", "withdrawal", "government"), ("Hama", "withdrawal", "government")} <= c
    assert ("Damascus", "withdrawal", "government") not in c
    # a number with fewer places named: no guess
    assert not any(kind == "withdrawal" for _, kind, _ in claims_of(
        "Rebels took Homs. The army said it is redeploying outside of the three cities."))


def test_infiltrating_into_a_place_is_entering_it():
    assert claims_of("Militants infiltrated into several neighborhoods of Hama on Thursday.") == {("Hama", "capture", "rebels")}


def test_keeping_the_enemy_away_from_a_place_is_its_defense():
    assert claims_of("Regime forces counterattacked, keeping rebels nearly 10 kilometres away from Hama.") >= {
        ("Hama", "defense", "government")}


def test_the_offensive_is_the_party_whose_offensive_it_is():
    text = "Rebels launched an offensive last week. The assault has resulted in territorial gains, including large parts of Aleppo."
    assert ("Aleppo", "capture", "rebels") in claims_of(text)


def test_they_in_a_relative_clause_is_the_party_named_just_before():
    c = claims_of("The army expelled the militants from the neighborhoods they had entered in Hama.")
    assert ("Hama", "capture", "rebels") in c
    assert ("Hama", "capture", "government") not in c


def test_on_a_region_is_where_a_capture_happened():
    places = dict(PLACES)
    assert claims_of("Israel said its troops had entered the Golan Heights to secure the border.",
                     places=places) == {("Golan Heights", "capture", "israel")}
    # the zone the profile names "the buffer zone"
    assert ("Golan buffer zone", "capture", "israel") in claims_of(
        "Israel said its troops had entered the buffer zone on the Golan Heights to secure the border.", places=places)


def test_the_eastern_city_is_the_city_named_before():
    text = "Kurdish-led forces took control of Deir Ezzor after government troops left the eastern city."
    assert ("Deir ez-Zor", "withdrawal", "government") in claims_of(text)


def test_a_province_taken_with_a_town_as_its_example_keeps_both():
    assert claims_of("Rebels seized most of Damascus countryside, including the town of Saasaa.") >= {
        ("Rif Dimashq", "capture", "rebels"), ("Sa'sa'", "capture", "rebels")}
    # a province that only says where a town is stays out
    assert not any(p == "Rif Dimashq" for p, _, _ in claims_of("Rebels seized Saasaa in Damascus countryside."))


def test_unnamed_fighters_in_a_partys_report_are_its_own():
    assert claims_of("Rebel commander Hassan Abdul Ghani said fighters had also taken Homs.") == {("Homs", "capture", "rebels")}
    # in a neutral monitor's report they stay unnamed; in an army statement they are more often the enemy
    assert claims_of("The monitor said fighters had taken Homs.") == set()
    assert claims_of("The army said fighters had entered Homs.") == set()


def test_what_a_denier_says_after_saying_is_not_denied():
    c = claims_of("State television denied that the army had pulled out of Homs, saying troops were reinforcing their lines around the city.")
    assert c == {("Homs", "denial", "government"), ("Homs", "defense", "government")}


def test_fighters_from_a_named_body_are_its_own():
    assert claims_of("Fighters from the Southern Operations Room captured Saasaa on Friday.") == {
        ("Sa'sa'", "capture", "local_armed_groups")}


def test_denying_the_reports_denies_what_the_sentence_just_claimed():
    assert claims_of("Hezbollah fighters reportedly crossed into Syria to support regime forces in Homs, "
                     "but a Hezbollah official denied the reports.") >= {("Homs", "denial", "hezbollah")}
    assert claims_of("Rebels said they had entered Homs, which the army denied.") == {
        ("Homs", "capture", "rebels"), ("Homs", "denial", "government")}


def test_a_bearing_from_the_only_place_puts_the_event_around_it():
    c = one("The SDF recaptured several villages east of Manbij from Turkish-backed groups on Saturday.",
            places=dict(PLACES, Manbij=Place("Manbij", "gn:166616", 36.53, 37.95, "point", "SY", "SY-HL", 100_000)))
    assert (c.place, c.event_type, c.actor, c.geo_precision) == ("Manbij", "capture", "kurdish_led_forces", "near")
    # beside another place, the bearing's place is only a reference point
    assert claims_of("Rebels took Homs, 40 km south of Hama.") == {("Homs", "capture", "rebels")}


def test_withdrawing_toward_another_place_leaves_the_place_just_taken():
    assert claims_of("Rebels seized Hama on Thursday after government forces withdrew south toward Homs.") == {
        ("Hama", "capture", "rebels"), ("Hama", "withdrawal", "government")}


def test_losing_a_place_to_a_party_is_its_capture():
    assert claims_of("The army lost Aleppo to the rebels on Saturday.") == {
        ("Aleppo", "withdrawal", "government"), ("Aleppo", "capture", "rebels")}


def test_loyalists_fleeing_are_people_not_an_army_withdrawing():
    assert claims_of("Regime loyalists fled Homs as the rebels closed in.") == {("Homs", "advance", "rebels")}
    assert claims_of("Loyalist forces withdrew from Homs.") == {("Homs", "withdrawal", "government")}


def test_an_approach_in_an_as_clause_is_on_the_place_people_fled():
    assert claims_of("Residents fled Hama as rebels approached.") == {("Hama", "advance", "rebels")}
    # beside another party's event the approach has no place of its own
    assert claims_of("Rebels took Hama while the army advanced.") == {("Hama", "capture", "rebels")}


def test_the_subject_of_a_passive_report_does_what_its_complement_says():
    assert claims_of("Russian troops were seen leaving their positions in Homs.") == {("Homs", "withdrawal", "russia")}
    assert claims_of("Rebels are believed to have entered Hama.") == {("Hama", "capture", "rebels")}
    # "forced by X to withdraw": the forced party withdrew
    assert claims_of("Government troops were forced by the rebels to withdraw from Homs.") == {
        ("Homs", "withdrawal", "government")}


def test_a_side_of_a_place_is_a_portion_of_it():
    assert claims_of("Rebels captured the northern side of Hama on Friday.") == {("Hama", "capture", "rebels")}


def test_restoring_security_to_towns_is_their_capture():
    assert claims_of("A military source said army units restored security and stability to the towns of Homs and Hama.") == {
        ("Homs", "capture", "government"), ("Hama", "capture", "government")}
    assert claims_of("Police restored calm to Homs after the protest.") == set()


def test_attacking_a_party_in_a_where_clause_is_no_advance_on_the_place():
    assert claims_of("Insurgents were on the outskirts of Hama, where the army attacked them with artillery.") == {
        ("Hama", "advance", "rebels")}


def test_a_second_from_hung_on_the_verb_is_another_place_of_the_noun():
    assert claims_of("Reports also indicate troop evacuations from Homs, as well as from Deir Ezzor in the east.") >= {
        ("Homs", "withdrawal", "government"), ("Deir ez-Zor", "withdrawal", "government")}


def test_a_holding_phrase_after_a_place_and_its_bearing():
    assert ("Deir ez-Zor", "capture", "kurdish_led_forces") in claims_of(
        "Troops also left Deir Ezzor in the east, now under the watch of Kurdish-led forces.")


def test_they_in_a_joined_clause_is_the_subject_of_the_first():
    c = claims_of("Insurgents overran Homs as government defenses collapsed, and within hours they had rolled into the capital.")
    assert c == {("Homs", "capture", "rebels"), ("Damascus", "capture", "rebels")}


def test_a_place_that_has_fallen_fell_to_the_party_taking_places():
    assert claims_of("Rebels stormed Hama on Friday. \u201cHoms has fallen,\u201d a rebel commander said on Sunday.") == {
        ("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}
    assert claims_of("\u201cHoms has fallen,\u201d a commander said.") == set()


def test_leaving_a_port_or_base_is_a_withdrawal():
    assert claims_of("Russian forces left the port of Tartus on Monday.",
                     places=dict(PLACES, Tartus=Place("Tartus", "gn:163345", 34.89, 35.89, "point", "SY", "SY-TA", 115_000))) == {
        ("Tartus", "withdrawal", "russia")}


def test_terrorists_in_an_article_that_speaks_of_the_pkk_ypg_are_the_kurdish_led_forces():
    text = "The PKK/YPG lost ground near Manbij. Hundreds of terrorists were transported to Aleppo overnight."
    assert ("Aleppo", "deployment", "kurdish_led_forces") in claims_of(text)
    # in other outlets' usage the word keeps the profile's meaning
    assert ("Aleppo", "deployment", "rebels") in claims_of("Hundreds of terrorists were transported to Aleppo overnight.")


def test_what_a_quantity_of_forces_was_moved_is_the_forces():
    assert claims_of("A large number of government troops were transported to Homs.") == {("Homs", "deployment", "government")}


def test_a_claim_a_party_rejected_is_its_denial():
    assert claims_of("Pro-government media claimed the army had recaptured Homs, a claim the rebels rejected as propaganda.") == {
        ("Homs", "capture", "government"), ("Homs", "denial", "rebels")}


def test_more_ways_news_says_a_place_changed_hands():
    assert claims_of("Homs was handed over to the rebels.") == {("Homs", "capture", "rebels")}
    assert claims_of("Rebels declared Homs liberated.") == {("Homs", "capture", "rebels")}
    assert claims_of("Rebels declared Homs a military zone.") == set()
    assert claims_of("Rebels raised their flag over the citadel of Aleppo.") == {("Aleppo", "capture", "rebels")}
    assert claims_of("Rebels consolidated their grip on Aleppo.") == {("Aleppo", "capture", "rebels")}
    assert claims_of("The army reinforced Homs on Friday.") == {("Homs", "defense", "government")}


def test_a_nouns_place_hung_on_the_verb_that_carries_it():
    assert claims_of("Rebels launched an offensive on Homs.") == {("Homs", "advance", "rebels")}
    assert claims_of("Rebels made gains in Hama on Friday.") == {("Hama", "capture", "rebels")}


def test_a_motion_verb_read_as_a_participle_has_its_noun_as_subject():
    assert claims_of("The command announced that militants infiltrated into several neighborhoods of Hama.") == {
        ("Hama", "capture", "rebels")}


def test_where_the_defenders_are_said_through_an_of_phrase():
    assert claims_of("\u201cUnits of the armed forces operating in Hama reinforced their defensive lines overnight,\u201d "
                     "the statement read.") == {("Hama", "defense", "government")}


def test_the_destination_hung_on_the_forces_moved():
    assert claims_of("Syria's new Defence Ministry deployed units from the General Security Service to Homs and Hama.") == {
        ("Homs", "deployment", "rebels"), ("Hama", "deployment", "rebels")}


def test_a_province_locating_listed_towns_is_no_example_holder():
    # the province says where the villages are; it is not what was taken
    assert claims_of("Israeli troops pushed into villages including Saasaa in Damascus countryside.") == {
        ("Sa'sa'", "capture", "israel")}


def test_a_place_name_that_names_an_outlet_is_no_place():
    text = ("Rebels entered Hama in Syria on Thursday. According to the Mayadin television network, "
            "the city has fallen back under army control.")
    assert not any("Mayad" in p for p, _, _ in _geoparsed_claims(text))


def test_a_capitalised_compass_word_before_a_party_is_no_foreign_qualifier():
    # (in Daraa the analysts' convention makes opposition fighters local armed groups)
    assert claims_of("Southern opposition groups seized Daraa and then advanced north toward Damascus.") == {
        ("Daraa", "capture", "local_armed_groups"), ("Damascus", "advance", "rebels")}


def test_neighbourhoods_entered_are_of_the_one_town_the_sentence_names():
    assert ("Homs", "capture", "local_armed_groups") in claims_of(
        "The SDF said it had withdrawn from Homs, a day after tribal fighters entered several neighbourhoods.")
    assert claims_of("Rebels entered several neighbourhoods on Friday.") == set()
    # two towns before: no guess
    assert claims_of("Rebels took Hama and Homs and entered several districts.") == {
        ("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}


def test_falling_silent_or_a_subject_near_a_place_is_no_fall_of_the_place():
    assert claims_of("Rebels took Hama on Friday. By evening Homs fell silent.") == {("Hama", "capture", "rebels")}
    assert claims_of("Rebels took Hama on Friday. Homs fell into chaos.") == {("Hama", "capture", "rebels")}
    assert claims_of("Rebels took Hama. Temperatures in Homs fell sharply.") == {("Hama", "capture", "rebels")}
    assert claims_of("Rebels took Hama. On Sunday Homs also fell.") == {("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}


def test_a_place_locating_one_item_of_a_list_does_not_qualify_another_item():
    assert claims_of("Rebels made gains, including large parts of Aleppo, its airport, and strategic areas in Homs.") == {
        ("Aleppo", "capture", "rebels"), ("Homs", "capture", "rebels")}


def test_the_factions_are_those_listed_with_a_party_before():
    text = ("Monitors said government forces withdrew from Homs after HTS and allied factions advanced in the area. "
            "The army regained control of Hama. The factions are now 5 km from Hama, monitors said.")
    c = claims_of(text)
    assert ("Hama", "advance", "rebels") in c
    assert ("Hama", "advance", "government") not in c


def test_the_group_as_a_claimant_is_named_by_its_party():
    doc = make_doc("HTS launched the offensive on Nov 27. The group said on Friday it had captured Hama.")
    claims = extract(doc)
    assert [(c.place, c.actor, c.claimant) for c in claims] == [("Hama", "rebels", "Rebels (HTS-led opposition)")]


def test_denying_that_a_party_had_taken_the_city_denies_it():
    c = claims_of("The army has entered Homs, a security source said, denying reports that rebels had taken the city.")
    assert ("Homs", "denial", "government") in c and ("Homs", "capture", "rebels") not in c
    assert claims_of("The army denied that rebels had taken part in talks in Homs.") == set()


def test_handing_control_of_a_place_to_a_party():
    assert claims_of("Kurdish-led forces handed control of Hama to tribal fighters.") == {
        ("Hama", "withdrawal", "kurdish_led_forces"), ("Hama", "capture", "local_armed_groups")}


def test_withdrawing_ones_forces_from_a_place():
    assert claims_of("Hezbollah withdrew its fighters from Qusayr on Sunday.") == {("Al-Qusayr", "withdrawal", "hezbollah")}
    assert claims_of("Rebels seized weapons in Homs.") == set()


def test_a_party_repelled_in_the_passive_is_the_attacker():
    assert claims_of("Rebels were repelled from the outskirts of Hama.") == {("Hama", "defense", "government")}


def test_clearing_a_place_of_the_enemy_is_its_capture():
    assert claims_of("The army said it had cleared Homs of terrorists.") == {("Homs", "capture", "government")}
    assert claims_of("Engineers cleared the road to Homs of mines.") == set()


def test_within_striking_distance_and_holding_out():
    assert claims_of("Insurgents are within striking distance of Damascus.") == {("Damascus", "advance", "rebels")}
    assert claims_of("Rebels are within reach of talks in Damascus.") == set()
    places = dict(PLACES, **{"Sheikh Maqsoud district": Place("Sheikh Maqsoud", "ov:sm", 36.23, 37.16, "point", "SY", "SY-HL", 0)})
    # the town of "the X district of Aleppo" only says where the district is
    assert claims_of("Kurdish fighters are still holding out in the Sheikh Maqsoud district of Aleppo.", places=places) == {
        ("Sheikh Maqsoud", "defense", "kurdish_led_forces")}


def test_a_place_listed_beside_a_road_is_taken_but_the_road_ends_are_not():
    claims = claims_of("Rebel fighters announced the capture of Homs city, including the main road linking Hama and "
                       "Damascus, and Qusayr, a large town in the province.")
    assert {p for p, *_ in claims} == {"Homs", "Al-Qusayr"}


def test_examples_after_most_notably_belong_to_the_areas_taken():
    # the parser hangs "most notably X" on the subject; the examples are of the areas secured
    assert claims_of("The rebels managed to secure several areas after expelling the army, most notably Hama "
                     "and Homs.") == {("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}


def test_prompting_a_party_to_withdraw_makes_it_withdraw():
    claims = claims_of("Turkish-backed forces advanced through the neighbourhoods of Aleppo, prompting fighters from "
                       "the Manbij Military Council, affiliated with the SDF, to withdraw from the city.")
    assert ("Aleppo", "withdrawal", "kurdish_led_forces") in claims
    assert not any(a == "syrian_national_army" and e == "withdrawal" for _, e, a in claims)


def test_one_side_of_a_towns_countryside_is_drawn_off_the_town_on_that_side():
    c = one("Army units regained control of several towns in the northern Hama countryside.")
    hama = PLACES["Hama"]
    assert (c.place, c.event_type, c.geo_precision) == ("Hama", "capture", "near")
    assert c.lat == pytest.approx(hama.lat + 15 / 111.2, abs=0.01) and c.lon == pytest.approx(hama.lon, abs=0.01)
    west = one("Rebels seized villages in Aleppo's western countryside.")
    assert west.lon < PLACES["Aleppo"].lon - 0.1 and west.lat == pytest.approx(PLACES["Aleppo"].lat, abs=0.01)


def test_a_stated_distance_and_bearing_place_the_claim_there():
    c = one("Rebels seized the airbase 10 km east of Homs.")
    homs = PLACES["Homs"]
    assert c.lon - homs.lon == pytest.approx(10 / (111.2 * 0.822), abs=0.01) and c.lat == pytest.approx(homs.lat, abs=0.01)


def test_a_town_itself_and_its_countryside_without_a_side_stay_on_the_town():
    assert (one("Rebels captured Hama.").lat, one("Rebels captured Hama.").lon) == (PLACES["Hama"].lat, PLACES["Hama"].lon)
    c = one("Rebels advanced in the Hama countryside.")
    assert (c.lat, c.lon, c.geo_precision) == (PLACES["Hama"].lat, PLACES["Hama"].lon, "near")


def test_there_is_the_one_place_named_just_before():
    claims = claims_of("Rebels entered Hama on Thursday. Government troops there pulled back toward Homs.")
    assert ("Hama", "withdrawal", "government") in claims
    assert not any(p == "Homs" for p, *_ in claims)
    assert any(p == "Homs" and a == "government" and e in ("defense", "deployment")
               for p, e, a in claims_of("Rebels advanced on Homs. The army rushed reinforcements there."))


def test_there_after_two_places_is_no_guess():
    claims = claims_of("Rebels took Hama and Homs. The army sent reinforcements there.")
    assert not any(a == "government" for *_, a in claims)


def test_villages_near_a_town_hung_on_the_verb_are_taken_around_the_town():
    c = one("The SDF took back several villages near Homs.")
    assert (c.place, c.event_type, c.actor, c.geo_precision) == ("Homs", "capture", "kurdish_led_forces", "near")


def test_maintaining_positions_is_a_defense():
    assert claims_of("Syrian forces maintained their positions in Homs.") == {("Homs", "defense", "government")}
    assert claims_of("Rebels kept up their attacks on Hama.") == set()


def test_a_withdrawal_that_allowed_something_happened():
    # "allow" makes what it allows a possibility, not the event that is its subject
    assert claims_of("The army's withdrawal from Deir Ezzor allowed the SDF to move in.") == {
        ("Deir ez-Zor", "withdrawal", "government")}
    assert claims_of("The fall of Homs is expected within days.") == set()


def test_the_provincial_capital_is_the_town_named_like_the_province():
    doc = make_doc("Local fighters in Daraa province seized the provincial capital's security headquarters.",
                   places={"Daraa province": PLACES["Daraa province"]})
    claims = extract(doc, "syria")
    assert [(c.event_type, c.actor, c.geo_precision) for c in claims] == [("capture", "local_armed_groups", "point")]
    assert claims[0].province == "SY-DR" and abs(claims[0].lat - 32.62) < 0.05


def test_units_in_an_army_sources_statement_are_the_armys():
    claims = claims_of("A Syrian army source said units were redeploying to strengthen defences around Homs.")
    assert ("Homs", "defense", "government") in claims


def test_attempts_that_failed_are_the_other_sides_defense():
    assert claims_of("The army said the terrorists' attempts to advance toward Hama city had failed.") == {
        ("Hama", "defense", "government")}


def test_troops_in_a_foreign_militarys_own_statement_are_its_troops():
    text = "The Israeli military said troops had entered Quneitra on Sunday."
    assert claims_of(text) == {("Quneitra", "capture", "israel")}
    # the Syrian army's troops, in anyone else's words, stay the Syrian army's
    assert claims_of("Residents said troops had entered Quneitra on Sunday.") == {("Quneitra", "capture", "government")}
    assert claims_of("Netanyahu said troops had entered Quneitra.") == {("Quneitra", "capture", "israel")}


def test_the_city_is_the_one_the_sentence_before_put_someone_in():
    text = ("Rebels captured Hama on Thursday after troops withdrew toward Homs. Footage showed fighters in "
            "central Hama. The army said it had redeployed its forces outside the city.")
    assert ("Hama", "withdrawal", "government") in claims_of(text)
    # a place named as a party in the sentence before is no antecedent
    text = ("Rebels took Aleppo and reached Homs. Russia promised Damascus more aid. "
            "The army said it had redeployed its forces outside the city.")
    assert not any(e == "withdrawal" for _, e, _ in claims_of(text))


def test_the_towns_are_those_listed_after_towns_of_and_destinations_are_not_left():
    text = ("Fighters from local factions entered the towns of Hama and Qusayr without resistance. "
            "Regime forces had withdrawn from the towns toward Damascus hours earlier.")
    claims = claims_of(text)
    assert {("Hama", "capture", "local_armed_groups"), ("Al-Qusayr", "capture", "local_armed_groups"),
            ("Hama", "withdrawal", "government"), ("Al-Qusayr", "withdrawal", "government")} <= claims
    assert not any(p == "Damascus" for p, *_ in claims)


def test_the_fighters_are_the_party_the_fighters_were_last_said_to_belong_to():
    claims = claims_of("Fighters from the SDF took Hama. Later the fighters entered Homs.")
    assert ("Homs", "capture", "kurdish_led_forces") in claims


def test_the_crossing_located_in_the_countryside_is_the_crossing_named_before():
    crossing = Place("Jaber crossing", "ov:test-crossing", 32.55, 36.2, "point", "SY", "SY-DR", 0)
    doc = make_doc("Local factions seized the Jaber crossing after regime forces withdrew from the crossing and "
                   "several positions in the eastern countryside of Hama.",
                   places={"Jaber crossing": crossing, "Hama": PLACES["Hama"]})
    got = {(c.place, c.event_type, c.actor) for c in extract(doc, "syria")}
    assert ("Jaber crossing", "withdrawal", "government") in got


def test_the_factions_are_those_a_party_was_said_to_have_even_outside_a_subject():
    text = ("The SDF regained villages near Aleppo after clashes with Turkish-backed factions of the SNA. "
            "Later the factions shelled villages near Hama.")
    assert ("Hama", "strike", "syrian_national_army") in claims_of(text)


def test_a_clause_joined_to_history_is_history_too():
    assert claims_of("In 2016 the army retook Aleppo, and the city remained under government control for years.") == set()
    assert claims_of("In 2016 the army retook Aleppo, and now rebels have taken the city.") == {("Aleppo", "capture", "rebels")}


def test_history_misread_as_a_noun_does_not_lend_its_subject():
    # the small model reads "retook" as a noun here; its party is not the subject of "seized"
    assert claims_of("The army retook Aleppo in 2016, but this week rebels seized the city.") == {
        ("Aleppo", "capture", "rebels")}


def test_pushing_the_enemy_back_from_a_place_defends_it():
    assert claims_of("Syrian troops have pushed militants back from the city of Hama, the ministry said.") == {
        ("Hama", "defense", "government")}


def test_attackers_who_tried_but_were_repelled_leave_the_place_to_its_defenders():
    assert claims_of("Rebels tried to storm Hama but were repelled.") == {("Hama", "defense", "government")}
    c = one("The army said militants attempted to break through the defences near Homs but were repelled.")
    assert (c.place, c.event_type, c.actor, c.geo_precision) == ("Homs", "defense", "government", "near")


def test_the_area_is_the_district_not_the_town_whose_countryside_holds_it():
    doc = make_doc("The opposition Syrian National Army launched an offensive in the Qusayr district of Homs's "
                   "countryside, liberating the area from the SDF.")
    claims = {(c.place, c.event_type, c.actor) for c in extract(doc, "syria")}
    assert ("Al-Qusayr", "capture", "syrian_national_army") in claims
    assert not any(p == "Homs" for p, *_ in claims)  # whose countryside it is only locates the district


def test_places_north_of_a_site_and_in_a_towns_countryside_are_both_defended():
    dam = Place("Tishrin Dam", "ov:test-dam", 36.38, 38.18, "point", "SY", "SY-HL", 0)
    doc = make_doc("Our forces have thwarted all the attacks of the Turkish mercenaries on the villages north of "
                   "the Tishrin Dam and the southeastern countryside of Aleppo city, the SDF said.",
                   places={"Tishrin Dam": dam, "Aleppo": PLACES["Aleppo"]})
    got = {c.place: c for c in extract(doc, "syria")}
    assert {(c.event_type, c.actor) for c in got.values()} == {("defense", "kurdish_led_forces")}
    assert set(got) == {"Tishrin Dam", "Aleppo"}
    # the countryside's side is the one its own words name, not the dam's
    assert got["Aleppo"].lat < PLACES["Aleppo"].lat and got["Aleppo"].lon > PLACES["Aleppo"].lon


def test_areas_described_by_a_relative_clause_are_where_the_clause_puts_them():
    c = one("The army succeeded in pushing back the rebels from the areas they had infiltrated on the outskirts of Hama.")
    assert (c.place, c.event_type, c.actor, c.geo_precision) == ("Hama", "defense", "government", "near")


def test_a_place_read_through_the_city_is_dated_by_its_own_clause():
    c = one("The SNA launched an operation in Homs late last week and cleared the city centre on Sunday.",
            published=date(2024, 12, 9))
    assert (c.place, c.event_type, c.event_date, c.date_precision) == ("Homs", "capture", date(2024, 12, 8), "day")


def test_an_outlets_own_word_for_a_party_names_it_even_when_no_alias_has_it():
    text = ("The SNA liberated Hama from the PKK/YPG terror group. The terror group also abandoned its "
            "positions in several villages around the city.")
    assert ("Hama", "withdrawal", "kurdish_led_forces") in claims_of(text)


def test_a_big_town_the_event_is_in_only_locates_the_small_place_taken():
    assert claims_of("Rebels captured the town of Qusayr in western Homs.") == {("Al-Qusayr", "capture", "rebels")}
    assert claims_of("Rebels captured Homs and Qusayr.") == {("Homs", "capture", "rebels"), ("Al-Qusayr", "capture", "rebels")}


def test_it_in_a_participle_is_the_place_of_the_clause_it_hangs_on():
    claims = claims_of("Kurdish-led forces have withdrawn from the city of Deir Ezzor, handing it over to local tribal "
                       "fighters, a spokesperson for the SDF said.")
    assert claims == {("Deir ez-Zor", "withdrawal", "kurdish_led_forces"), ("Deir ez-Zor", "capture", "local_armed_groups")}


def test_a_speaker_the_parser_hangs_on_the_place_still_speaks():
    text = ('Kurdish-led forces have withdrawn from the city of Deir Ezzor, a spokesperson for the SDF told '
            'reporters on Wednesday. "Our forces have pulled out of the city to avoid bloodshed," Farhad Shami said.')
    claims = extract(make_doc(text), "syria")
    assert {(c.place, c.event_type, c.actor) for c in claims} == {("Deir ez-Zor", "withdrawal", "kurdish_led_forces")}
    assert any(c.claimant and "spokesperson" in c.claimant for c in claims)


def test_iraqi_militiamen_crossing_home():
    assert ("Al-Qaim", "border_crossing", "iraqi_militias") in claims_of(
        "Hundreds of Iraqi militiamen crossed back into Iraq at Al-Qaim, officials said.")


def test_control_passing_to_a_party_and_a_foothold():
    assert claims_of("Control of Hama passed to Turkish-backed factions.") == {("Hama", "capture", "syrian_national_army")}
    assert claims_of("Rebels gained a foothold in Homs.") == {("Homs", "capture", "rebels")}
    assert claims_of("The convoy passed to the east of Homs.") == set()


def test_reports_said_to_be_fabricated_are_denied():
    assert claims_of("An army statement said reports of the fall of Homs were fabricated.") == {("Homs", "denial", "government")}


def test_holding_a_place_while_denying_the_others_claims():
    # held against the other side's claims: kept, not taken (as "under the full control of our forces")
    claims = claims_of("Syrian state TV said the army was in full control of Hama, denying rebel claims.")
    assert claims == {("Hama", "defense", "government"), ("Hama", "denial", "government")}


def test_claimants_named_after_a_title_and_not_the_agency_that_could_not_verify():
    c = one("Rebels are now at the gates of Homs, the group's leader Abu Mohammed al-Jolani said in a video.")
    assert c.claimant == "Abu Mohammed al-Jolani"
    assert one("Rebels captured Homs, the monitor's head Rami Abdel Rahman said.").claimant == "Syrian Observatory for Human Rights"
    assert one("Reuters could not independently verify that rebels had taken Homs.").claimant is None


def test_a_retreat_with_no_place_of_its_own_left_what_was_taken():
    claims = claims_of("Rebels captured Hama following the retreat of Syrian army forces toward Homs.")
    assert claims == {("Hama", "capture", "rebels"), ("Hama", "withdrawal", "government")}


def test_where_troops_remain_after_the_exception_of_towns_is_their_defense():
    claims = claims_of("Government forces have evacuated Daraa province, with the exception of Homs and Hama in the "
                       "north, where troops remain stationed.")
    assert {("Homs", "defense", "government"), ("Hama", "defense", "government")} <= claims
    assert claims_of("Troops withdrew from suburbs of Homs where protests broke out.") == {("Homs", "withdrawal", "government")}


def test_a_retreat_leaves_only_what_was_taken_not_what_was_approached():
    claims = claims_of("Rebels advancing towards Damascus entered Homs following the withdrawal of government forces.")
    assert ("Homs", "withdrawal", "government") in claims and ("Damascus", "withdrawal", "government") not in claims


def test_reinforcing_a_base_or_garrison_is_a_defense_and_securing_a_base_a_capture():
    assert claims_of("The army reinforced its garrison in Homs.") == {("Homs", "defense", "government")}
    assert claims_of("Rebels secured the base in Hama.") == {("Hama", "capture", "rebels")}


def test_whose_generic_forces_they_are_beats_the_generic_word():
    assert claims_of("Security forces of the interim government deployed in Homs.") == {("Homs", "deployment", "rebels")}
    assert claims_of("Security forces deployed in Homs.") == {("Homs", "deployment", "government")}


def test_territories_south_of_a_town_are_taken_around_it_beside_another_place():
    claims = extract(make_doc("The SDF continued its advance, taking over territories south and southeast of Hama, and "
                              "in the area of Homs."), "syria")
    got = {c.place: c for c in claims}
    assert set(got) == {"Hama", "Homs"} and got["Hama"].geo_precision == "near"


def test_attempts_thwarted_with_the_infinitive_hung_on_the_verb():
    bridge = Place("Qara Qozak bridge", "ov:test-bridge", 36.64, 38.23, "point", "SY", "SY-HL", 0)
    doc = make_doc("The SDF said its forces thwarted all attempts by Turkish-backed factions to seize control of the "
                   "Qara Qozak bridge south of Aleppo.", places={"Qara Qozak bridge": bridge, "Aleppo": PLACES["Aleppo"]})
    assert {(c.place, c.event_type, c.actor) for c in extract(doc, "syria")} == {
        ("Qara Qozak bridge", "defense", "kurdish_led_forces")}


def test_a_party_now_in_a_place_holds_it():
    assert claims_of("Rebels are now in Homs.") == {("Homs", "capture", "rebels")}
    assert claims_of("Opposition fighters are already inside Hama, residents said.") == {("Hama", "capture", "rebels")}
    assert claims_of("Rebels were in Homs in 2012.") == set()


def test_a_partys_flags_raised_in_the_passive():
    assert claims_of("Opposition flags were raised over Hama's citadel.") == {("Hama", "capture", "rebels")}


def test_a_plan_denied_is_no_control_change_denied():
    assert claims_of("Rebels denied plans to attack Homs.") == set()
    assert claims_of("The army denied that rebels had entered Homs.") == {("Homs", "denial", "government")}


def test_a_think_tank_that_assesses_is_the_claimant():
    assert one("CTP-ISW assessed that opposition forces likely seized Hama on December 5.").claimant == "CTP-ISW"


def test_mercenaries_of_the_turkish_occupation_are_the_sna_in_an_article_that_says_so():
    text = ("The SDF said its fighters repelled an attack by the Turkish occupation mercenaries on Aleppo. "
            "Later the mercenaries shelled villages near Homs.")
    assert ("Homs", "strike", "syrian_national_army") in claims_of(text)
    assert claims_of("Mercenaries seized Homs.") == set()


# Towns of the northern fronts, for the tests below.
NORTH = {
    **PLACES,
    "Manbij": Place("Manbij", "gn:166365", 36.53, 37.95, "point", "SY", "SY-HL", 100_000),
    "Tal Rifaat": Place("Tal Rifaat", "gn:163476", 36.47, 37.09, "point", "SY", "SY-HL", 26_000),
    "Morek": Place("Morek", "gn:167046", 35.38, 36.69, "point", "SY", "SY-HM", 14_000),
    "Souran": Place("Souran", "gn:163345", 35.29, 36.75, "point", "SY", "SY-HM", 30_000),
}


def test_a_group_is_the_party_it_calls_itself_and_keeps_that_name_later():
    text = ("Drones hit a convoy near Manbij, and the militia groups who call themselves the Syrian National "
            "Army shelled the town. The militia groups have controlled Tal Rifaat since last week.")
    claims = extract(make_doc(text, places=NORTH), "syria")
    later = {(c.place, c.event_type, c.actor) for c in claims if c.evidence.startswith("The militia groups")}
    assert later == {("Tal Rifaat", "capture", "syrian_national_army")}


def test_a_name_given_as_known_as_decides_the_party():
    assert claims_of("The armed factions, known as the Southern Operations Room, entered the city of Daraa.") == {
        ("Daraa", "capture", "local_armed_groups")}


def test_places_listed_before_a_plural_town_noun_are_each_taken():
    assert claims_of("Rebels captured Morek and Souran villages north of Hama on Monday.", places=NORTH) == {
        ("Morek", "capture", "rebels"), ("Souran", "capture", "rebels")}


def test_the_collapse_of_a_regime_is_no_withdrawal_from_the_places_taken():
    claims = claims_of("Turkish-backed factions have controlled Manbij since the collapse of the Assad regime.", places=NORTH)
    assert claims == {("Manbij", "capture", "syrian_national_army")}


def test_expanding_control_into_an_area_is_a_capture_of_its_named_places():
    assert claims_of("Opposition fighters expanded their control in the farmland east of Hama, including Souran.", places=NORTH) == {
        ("Souran", "capture", "rebels")}


def test_the_post_is_where_the_outpost_named_before_stands():
    hermon = {**PLACES, "Mount Hermon": Place("Mount Hermon", "ov:mount-hermon", 33.42, 35.86, "point", "SY", "SY-RD", 0)}
    text = ("Israeli troops took over a Syrian army outpost at the summit of Mount Hermon on Sunday, state media said. "
            "The broadcaster showed a flag over the ridge. Syrian troops left the post as the government collapsed.")
    assert claims_of(text, places=hermon) == {("Mount Hermon", "capture", "israel"),
                                              ("Mount Hermon", "withdrawal", "government")}


def test_a_base_near_a_town_is_not_the_town():
    # "the base" is near Homs, not in it: a dot on Homs would say the town changed hands
    claims = claims_of("Rebels captured an army base near Homs. Troops had abandoned the base on Friday.")
    assert ("Homs", "withdrawal", "government") not in claims


def test_plain_soldiers_after_a_foreign_militarys_move_are_its_own():
    text = ("Israeli troops seized a hill in Quneitra on Sunday. Soldiers from a commando unit then entered the "
            "town of Saasaa.")
    assert claims_of(text) == {("Quneitra", "capture", "israel"), ("Sa'sa'", "capture", "israel")}
    # a qualified party stays itself
    assert ("Daraa", "withdrawal", "government") in claims_of(
        "Israeli troops seized a hill in Quneitra. Syrian soldiers withdrew from Daraa.")


def test_they_in_what_a_subjectless_speech_verb_announces_are_the_speakers():
    text = ("Kurdish-led forces said they were holding Aleppo. In a statement on their Telegram channel, "
            "Ankara-backed factions claimed victory in Aleppo, announcing they had taken control of the city.")
    assert ("Aleppo", "capture", "syrian_national_army") in claims_of(text)
    assert ("Aleppo", "capture", "kurdish_led_forces") not in claims_of(text)


def test_an_undated_article_tells_history_with_a_bare_year():
    text = "Kurdish-led forces captured Aleppo from the Islamic State group in August 2016 after a long siege."
    assert claims_of(text, published=None) == set()
    # a full date in an undated article says which year is news
    dated = ("On December 3, 2024, rebels entered Hama. The army had taken Homs back in 2016. "
             "Rebels captured Aleppo on 1 December 2024.")
    assert claims_of(dated, published=None) == {("Hama", "capture", "rebels"), ("Aleppo", "capture", "rebels")}


def test_reinforcements_arriving_are_a_deployment_of_their_side():
    assert claims_of("Military reinforcements arrived in Hama on Monday.") == {("Hama", "deployment", "government")}
    assert claims_of("The ministry confirmed the arrival of Russian reinforcements to Homs.") == {
        ("Homs", "deployment", "russia")}
    # the arrival of anyone else is not a deployment
    assert claims_of("The arrival of the delegation in Damascus was delayed.") == set()


def test_fighters_who_resist_in_a_place_defend_it():
    assert claims_of("Kurdish fighters continue to resist in the northern neighbourhoods of Aleppo.") == {
        ("Aleppo", "defense", "kurdish_led_forces")}


def test_a_headline_with_a_section_label_and_no_articles_is_read():
    text = "Syria LIVE | Israel strikes Damascus, seizes more territory in occupied Golan Heights"
    assert ("Golan Heights", "capture", "israel") in claims_of(text)
    assert claims_of("Turkey-backed factions seize villages in besieged Aleppo") == {
        ("Aleppo", "capture", "syrian_national_army")}


def test_a_base_evacuated_at_a_place_is_a_withdrawal_from_it():
    assert claims_of("Russian forces evacuated their base at Homs on Friday.") == {("Homs", "withdrawal", "russia")}


def test_an_acronym_before_a_command_names_whose_command_it_is():
    claims = claims_of("The SDF General Command said its fighters were maintaining their positions in Aleppo.")
    assert claims == {("Aleppo", "defense", "kurdish_led_forces")}


def test_no_truth_to_what_is_said_about_a_withdrawal_is_no_withdrawal():
    text = "There is no truth to what is being circulated online about the army leaving Homs, the ministry said."
    assert ("Homs", "withdrawal", "government") not in claims_of(text)
    assert claims_of("There is no truth to reports about the army leaving Homs, the defence ministry said.") == {
        ("Homs", "denial", "government")}


def test_rumours_about_a_withdrawal_denied_are_a_denial():
    assert claims_of("The army denied the rumours spread online about the withdrawal of its units from Hama.") == {
        ("Hama", "denial", "government")}


def test_a_force_that_remains_in_a_place_holds_it():
    assert claims_of("Army units remained in Homs on Sunday.") == {("Homs", "defense", "government")}
    assert claims_of("The president remained in Damascus.") == set()
    assert claims_of("Thousands of civilians remain in Aleppo.") == set()


def test_forces_seen_in_a_place_are_deployed_there_but_reports_made_are_not():
    assert claims_of("Israeli soldiers were seen in Quneitra on Monday.") == {("Quneitra", "deployment", "israel")}
    assert claims_of("The army reported clashes in Homs.") == set()
    assert claims_of("Clashes were reported in Homs.") == set()


def test_a_town_that_fell_with_no_one_named_fell_to_the_side_taking_towns():
    assert claims_of("Rebels captured Hama on Thursday. Homs fell overnight on Saturday.") == {
        ("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}
    assert claims_of("Rebels captured Hama on Thursday. Morale fell quickly in Homs.") == {("Hama", "capture", "rebels")}


def test_reinforcements_sent_to_a_place_are_deployed_there_and_brought_ones_defend_it():
    assert claims_of("The army sent reinforcements to Homs on Friday.") == {("Homs", "deployment", "government")}
    assert claims_of("The army brought large reinforcements to Hama and stopped the rebel advance.") == {
        ("Hama", "defense", "government")}


def test_capitalised_city_after_a_name_is_the_city():
    assert claims_of("Opposition forces reached the northern outskirts of Homs City on Friday.") == {
        ("Homs", "advance", "rebels")}
    assert claims_of("Opposition forces advanced south from Hama City toward Homs City.") == {
        ("Homs", "advance", "rebels")}


def test_control_expanded_to_listed_cities_captures_each():
    places = {**PLACES, "Nawa": Place("Nawa", "gn:1", 32.89, 36.04, "point", "SY", "SY-DR", 50_000),
              "Izraa": Place("Izraa", "gn:2", 32.86, 36.25, "point", "SY", "SY-DR", 20_000)}
    assert claims_of("Local factions expanded their control to the cities of Nawa and Izraa.", places=places) == {
        ("Nawa", "capture", "local_armed_groups"), ("Izraa", "capture", "local_armed_groups")}


def test_a_live_blog_time_stamp_is_no_part_of_the_claimant():
    c = one("16:40 (GMT) Syrian army says its units withdrew from Hama.")
    assert c.claimant == "Syrian army"


def test_troops_in_their_positions_around_a_city_defend_it():
    text = "The defence ministry denied that the army had left Homs, saying troops were in their positions around the city."
    assert claims_of(text) == {("Homs", "denial", "government"), ("Homs", "defense", "government")}


def test_its_outskirts_are_those_of_the_town_named_before():
    assert claims_of("The army lost Homs. Rebels said they had captured its northern and eastern outskirts.") == {
        ("Homs", "withdrawal", "government"), ("Homs", "advance", "rebels")}


def test_freeing_detainees_where_fighters_are_takes_no_place():
    text = "Footage shows opposition fighters inside the central prison of Hama, where they say they freed hundreds of detainees."
    assert ("Hama", "capture", "government") not in claims_of(text)
    text = "Footage shows fighters inside the prison of Homs, where they freed dozens of prisoners."
    assert claims_of(text) == set()


def test_a_town_named_to_locate_others_is_not_one_of_the_two_towns():
    aleppo_east = {**NORTH, "Deir Hafer": Place("Deir Hafer", "gn:3", 36.16, 37.71, "point", "SY", "SY-HL", 15_000),
                   "Maskanah": Place("Maskanah", "gn:4", 35.96, 38.03, "point", "SY", "SY-HL", 15_000)}
    text = ("Kurdish-led forces say they have taken over Deir Hafer and Maskanah, east of Aleppo, after government "
            "troops left the two towns this week.")
    claims = claims_of(text, places=aleppo_east)
    assert ("Aleppo", "withdrawal", "government") not in claims
    assert {("Deir Hafer", "withdrawal", "government"), ("Maskanah", "withdrawal", "government")} <= claims


def test_a_place_that_remains_under_a_partys_control_is_held():
    assert claims_of("Hama remains under rebel control.") == {("Hama", "defense", "rebels")}
    assert claims_of("Hama is now under rebel control.") == {("Hama", "capture", "rebels")}


def test_fighting_on_the_edges_of_a_town_is_an_advance():
    assert claims_of("Rebels were fighting on the edges of Homs on Friday.") == {("Homs", "advance", "rebels")}
    assert claims_of("Rebels clashed with troops in Homs.") == {("Homs", "clash", "rebels")}


def test_towns_that_fell_without_a_fight_fell_to_the_side_taking_towns():
    assert claims_of("Rebels took Hama on Thursday. Homs and Aleppo fell without a fight days later.") == {
        ("Hama", "capture", "rebels"), ("Homs", "capture", "rebels"), ("Aleppo", "capture", "rebels")}


def test_a_denial_by_a_body_we_cannot_place_is_not_given_to_the_last_speaker():
    text = ("Residents said Israeli tanks were in Quneitra. The military later denied reports that its forces "
            "had advanced beyond the buffer zone and reached Damascus.")
    assert not any(t == "denial" for _, t, _ in claims_of(text))
    text = ("The Syrian defence ministry said troops had pulled back from Homs. The ministry denied reports that "
            "its troops had withdrawn from Hama.")
    assert ("Hama", "denial", "government") in claims_of(text)


def test_a_date_in_a_clause_about_something_else_does_not_date_the_event():
    claims = extract(make_doc("The offensive, which began on November 27, has seen the rebels take Aleppo."), "syria")
    assert [(c.place, c.event_date) for c in claims] == [("Aleppo", date(2024, 12, 7))]
    claims = extract(make_doc("Rebels, who had taken Aleppo on November 30, captured Hama on Thursday."), "syria")
    assert {(c.place, c.event_date) for c in claims} == {("Aleppo", date(2024, 11, 30)), ("Hama", date(2024, 12, 5))}


def test_a_sentence_answering_the_one_before_is_about_its_places():
    text = ("The monitor said government forces withdrew from Homs on Friday. Shortly after, the defence ministry "
            "said these reports were false and the army was still in place.")
    assert claims_of(text) == {("Homs", "withdrawal", "government"), ("Homs", "denial", "government"),
                               ("Homs", "defense", "government")}
    # with a sentence between, "these reports" are no longer those
    text = ("The monitor said government forces withdrew from Homs on Friday. Prices rose sharply in the markets. "
            "The defence ministry said these reports were false.")
    assert claims_of(text) == {("Homs", "withdrawal", "government")}


def test_coordinated_adjectives_name_a_party_each():
    assert claims_of("Syrian and Russian warplanes struck Aleppo overnight.") == {
        ("Aleppo", "strike", "government"), ("Aleppo", "strike", "russia")}
    assert claims_of("Syrian opposition forces took Hama.") == {("Hama", "capture", "rebels")}


def test_an_attack_told_then_repelled_is_the_other_sides_defense():
    assert claims_of("Rebels tried to advance on Hama, but the attack was repelled.") == {("Hama", "defense", "government")}
    assert claims_of("Kurdish-led forces tried to storm Aleppo, but the attempt was foiled.") == {
        ("Aleppo", "defense", "syrian_national_army")}


def test_a_village_far_from_the_town_that_locates_it_is_a_namesake():
    places = {**NORTH, "Hamidiyah": Place("Al Hamidiyah", "gn:5", 34.71, 35.95, "point", "SY", "SY-TA", 0),
              "Quneitra": Place("Quneitra", "gn:6", 33.13, 35.82, "point", "SY", "SY-QU", 4_000)}
    claims = extract(make_doc("Israeli troops took over an army post in the village of Hamidiyah, north of Quneitra.",
                              places=places), "syria")
    assert [(c.place, c.event_type, c.actor, c.geo_precision) for c in claims] == [
        ("Quneitra", "capture", "israel", "near")]
    assert claims[0].lat > 33.13  # on Quneitra's north side


def test_a_countryside_that_locates_or_frames_a_town_is_no_place_of_the_event():
    latakia = {**PLACES, "Qardaha": Place("Qardaha", "gn:7", 35.46, 36.06, "point", "SY", "SY-LA", 9_000),
               "Latakia": Place("Latakia", "gn:8", 35.52, 35.79, "point", "SY", "SY-LA", 380_000)}
    assert claims_of("Rebels entered the town of Qardaha, in the eastern countryside of Latakia, on Sunday.",
                     places=latakia) == {("Qardaha", "capture", "rebels")}
    homs = {**PLACES, "Rastan": Place("Rastan", "gn:9", 34.93, 36.73, "point", "SY", "SY-HI", 50_000)}
    assert claims_of("In Homs countryside, army units sent reinforcements to the town of Rastan.", places=homs) == {
        ("Rastan", "deployment", "government")}


def test_forces_moving_into_positions_deploy_and_units_relocated_deploy():
    assert claims_of("Government forces have moved into positions around Hama and Homs.") == {
        ("Hama", "deployment", "government"), ("Homs", "deployment", "government")}
    assert claims_of("The army withdrew from Hama and relocated to Homs.") == {
        ("Hama", "withdrawal", "government"), ("Homs", "deployment", "government")}


def test_a_place_held_against_assaults_is_defended():
    assert claims_of("Kurdish fighters have held Aleppo against near-daily assaults.") == {
        ("Aleppo", "defense", "kurdish_led_forces")}


def test_the_army_in_an_sna_spokesmans_words_is_the_sna():
    assert claims_of("An SNA spokesman said the army had also taken control of Aleppo.") == {
        ("Aleppo", "capture", "syrian_national_army")}


def test_a_statement_which_says_speaks_for_who_issued_it():
    text = 'We have a statement from the Syrian defence ministry, which says reports of rebels entering Damascus are "false".'
    claims = extract(make_doc(text), "syria")
    assert [(c.place, c.event_type, c.actor, c.claimant) for c in claims] == [
        ("Damascus", "denial", "government", "Syrian defence ministry")]


def test_held_under_control_beside_a_denial_is_a_defense():
    text = '"Aleppo is under the full control of our forces and these reports are fabricated," the SDF said.'
    assert claims_of(text) == {("Aleppo", "defense", "kurdish_led_forces")}


def test_a_long_held_control_is_no_capture():
    assert claims_of("Kurdish fighters, who had long controlled Aleppo, remained in their positions in the city.") == {
        ("Aleppo", "defense", "kurdish_led_forces")}


def test_driving_out_a_party_after_a_capture_is_its_withdrawal():
    assert claims_of("Turkish-backed factions seized Aleppo on Sunday, driving out the SDF.") == {
        ("Aleppo", "capture", "syrian_national_army"), ("Aleppo", "withdrawal", "kurdish_led_forces")}


def test_a_base_handed_to_a_party_is_the_giver_s_withdrawal_and_the_taker_s_capture():
    assert claims_of("The army handed the military base in Homs to local fighters.") == {
        ("Homs", "withdrawal", "government"), ("Homs", "capture", "local_armed_groups")}


def test_the_attack_repelled_in_the_next_sentence_is_defended_where_it_struck():
    text = "Turkish-backed fighters attacked Aleppo on Monday. The SDF said it repelled the attack."
    assert claims_of(text) == {("Aleppo", "advance", "syrian_national_army"), ("Aleppo", "defense", "kurdish_led_forces")}


def test_what_a_relative_clause_took_is_its_antecedent_not_what_is_listed_after():
    text = "The statement did not mention Aleppo, which the rebels captured the same day, or Homs."
    assert claims_of(text) == {("Aleppo", "capture", "rebels")}


def test_pushing_the_attackers_back_from_a_place_defends_it():
    assert claims_of("Government troops managed to push the attackers back from Morek.", places=NORTH) == {
        ("Morek", "defense", "government")}


def test_fighters_from_a_town_where_local_groups_fight_are_those_groups():
    daraa = {**PLACES, "Busra al-Sham": Place("Busra al-Sham", "gn:10", 32.52, 36.48, "point", "SY", "SY-DR", 20_000),
             "Izraa": Place("Izraa", "gn:2", 32.86, 36.25, "point", "SY", "SY-DR", 20_000)}
    assert claims_of("Fighters from Busra al-Sham seized the town of Izraa on Friday.", places=daraa) == {
        ("Izraa", "capture", "local_armed_groups")}


def test_a_defence_with_no_place_is_where_its_subject_is_said_to_be():
    # (where they are stationed only says which troops: no deployment of its own)
    assert claims_of("Troops stationed in Homs held their positions on Friday.") == {("Homs", "defense", "government")}


def test_holding_the_defence_along_a_line_of_towns_defends_each():
    assert claims_of("Army units continue to hold the defence along the line of Morek and Souran.", places=NORTH) == {
        ("Morek", "defense", "government"), ("Souran", "defense", "government")}


def test_people_moved_are_no_forces_deployed():
    assert claims_of("Turkish-backed factions advanced, relocating thousands of civilians to Aleppo.") == set()
    assert claims_of("The army relocated its units to Homs.") == {("Homs", "deployment", "government")}


def test_it_said_after_a_denial_is_the_denier_speaking():
    text = ("Kurdish-led forces attacked Turkish-backed factions near Aleppo. The SDF press office denied claims that "
            "the mercenaries had seized Aleppo. \"Aleppo is under the full control of our forces and these reports "
            "are fabricated,\" it said.")
    claims = claims_of(text)
    assert ("Aleppo", "defense", "kurdish_led_forces") in claims
    assert not any(a == "syrian_national_army" and t == "defense" for _, t, a in claims)


def test_our_forces_of_an_unplaced_speaker_are_not_the_last_known_speakers():
    text = ("The SDF said its fighters held Aleppo. A local council said in a statement: \"Our forces entered Homs "
            "on Friday.\"")
    assert ("Homs", "capture", "kurdish_led_forces") not in claims_of(text)


def test_its_after_a_sentence_whose_main_subject_is_a_place_is_the_last_clauses_party():
    text = ("Aleppo fell to Turkish-backed factions in December, and the SDF withdrew from Hama soon after. "
            "Its fighters have held Homs against near-daily assaults.")
    assert ("Homs", "defense", "kurdish_led_forces") in claims_of(text)


def test_images_speak_through_who_published_or_verified_them():
    c = one("Rebels entered Hama, according to images verified by AFP.")
    assert c.claimant == "AFP"
    assert one("Rebels entered Hama, according to images.").claimant is None


def test_a_headline_speaker_speaks_for_the_clause_after_the_verb_only():
    c = one("Israeli troops take Quneitra, Netanyahu says Israel will stay until security is assured")
    assert (c.place, c.actor, c.claimant) == ("Quneitra", "israel", None)


def test_a_minister_we_cannot_place_denying_is_not_the_last_speakers_denial():
    text = ("Rebels said they had taken Homs. In the capital, the interior minister told state TV that there was a "
            "strong cordon around Damascus, denying reports that government forces had pulled out of the city.")
    assert ("Damascus", "denial", "rebels") not in claims_of(text)


def test_the_village_is_never_the_dam_or_the_city_named_before():
    places = dict(SITES, Manbij=Place("Manbij", "gn:166616", 36.53, 37.95, "point", "SY", "SY-HL", 100_000))
    text = ("Clashes went on near Aleppo on Sunday. Turkish-backed fighters said they had captured the village of "
            "Umm Tinah, 8 km south of Tishrin Dam. The SDF denied losing the village.")
    assert not any(c.event_type == "denial" for c in extract(make_doc(text, places=places), "syria"))
    # a town named before is still what "the town" means
    assert ("Manbij", "denial", "kurdish_led_forces") in claims_of(
        "Turkish-backed fighters said they had entered Manbij. The SDF denied losing the town.", places=places)


def test_an_unknown_village_located_in_a_province_gives_no_claim_at_the_province():
    # the village reached is one the gazetteer lacks: the province or town named to locate it is no
    # stand-in (a wrong dot tens of kilometres off)
    assert claims_of("Israeli troops advanced into the village of Umm Tinah, in southern Quneitra, on Monday.") == set()
    assert claims_of("Rebels pushed into the town of Umm Tinah near Hama.") == set()
    # a place the verb reaches in its own right still counts
    assert claims_of("Rebel troops advanced into the village of Umm Tinah and into Homs.") == {
        ("Homs", "advance", "rebels")}
    # a date or a country after the place is no unknown place
    assert ("Hama", "defense", "government") in claims_of(
        "State media said the army was preparing defensive lines in northern Hama Province on November 30.")


def test_a_party_named_in_full_before_led_leads_the_fighters():
    assert claims_of("Hayat Tahrir al-Sham-led fighters said they had reached Homs.") == {("Homs", "advance", "rebels")}


def test_plain_groups_affiliated_with_or_led_by_a_party_are_that_partys():
    assert claims_of("Armed groups affiliated with the SDF entered Homs.") == {("Homs", "capture", "kurdish_led_forces")}
    assert claims_of("Armed factions led by the SNA entered Homs.") == {("Homs", "capture", "syrian_national_army")}
    # a named party stays itself beside its ally; a fight "against" someone names no allegiance
    assert claims_of("Hezbollah fighters allied with the army entered Qusayr.") == {("Al-Qusayr", "capture", "hezbollah")}


def test_turkish_outlets_pkk_ypg_is_the_sdf():
    places = dict(PLACES, Manbij=Place("Manbij", "gn:166616", 36.53, 37.95, "point", "SY", "SY-HL", 100_000))
    assert claims_of("The SNA drove the PKK/YPG out of Manbij on Monday.", places=places) == {
        ("Manbij", "capture", "syrian_national_army"), ("Manbij", "withdrawal", "kurdish_led_forces")}


def test_a_line_opening_with_its_source_and_a_colon_is_that_sources_claim():
    text = ("Overnight updates from the front.\n\n"
            "02:15 – Syrian Observatory for Human Rights: army units have pulled out of Homs.\n\n"
            "03:40 – Pro-government channel Sham Now: \u201cOur forces are in their positions in Hama.\u201d\n"
            "The channel denied that the army had left Homs.")
    claims = {(c.place, c.event_type, c.actor, c.claimant) for c in extract(make_doc(text), "syria")}
    assert ("Homs", "withdrawal", "government", "Syrian Observatory for Human Rights") in claims
    assert ("Hama", "defense", "government", "Pro-government channel Sham Now") in claims
    assert ("Homs", "denial", "government", "The channel") in claims
    # words before a colon that name no source are no claimant
    c = one("Update: rebels entered Hama on Friday.")
    assert (c.place, c.event_type, c.actor, c.claimant) == ("Hama", "capture", "rebels", None)


def test_where_a_retreat_heads_is_no_advance():
    assert claims_of("Army units pulled out of Homs, heading toward Damascus.") == {("Homs", "withdrawal", "government")}


def test_a_countryside_named_after_area_in_only_locates_the_town():
    places = dict(PLACES, **{"Deir ez-Zor": Place("Deir ez-Zor", "gn:170794", 35.33, 40.14, "point", "SY", "SY-DY", 240_000),
                             "Mayadeen": Place("Mayadeen", "gn:170592", 35.02, 40.45, "point", "SY", "SY-DY", 40_000)})
    assert claims_of("Troops withdrew from the Mayadeen area in the Deir ez-Zor countryside.", places=places) == {
        ("Mayadeen", "withdrawal", "government")}


def test_still_holding_a_place_is_its_defense_and_now_controlling_one_its_capture():
    assert claims_of("Government troops were still holding Homs on Saturday.") == {("Homs", "defense", "government")}
    assert claims_of("The Kurdish-led forces still control Aleppo's northern districts and Hama, they said.") >= {
        ("Hama", "defense", "kurdish_led_forces")}
    assert claims_of("Rebels now control Homs.") == {("Homs", "capture", "rebels")}


def test_where_a_subject_was_stationed_is_no_deployment_and_it_is_the_place_named_before():
    assert claims_of("Troops stationed in Homs abandoned it on Friday.") == {("Homs", "withdrawal", "government")}
    assert claims_of("Rebels surrounded Hama and took it on Thursday.") >= {("Hama", "capture", "rebels")}
    assert claims_of("Rebels took Hama and Homs and held it.") == {("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}


def test_druze_armed_groups_are_local_armed_groups():
    assert claims_of("Druze armed groups took over Sweida on Friday.") == {("Sweida", "capture", "local_armed_groups")}


def test_a_town_locating_an_unknown_site_or_village_inside_the_object_is_no_stand_in():
    assert claims_of("Government forces fled the Qaryatain air base in the Homs desert.") == set()
    assert claims_of("Israeli troops raided the area near the village of Umm Tinah, in western Daraa.") == set()


def test_converging_descending_and_advancing_as_far_as_a_place_are_advances():
    assert claims_of("Rebels converged on Hama from three sides.") == {("Hama", "advance", "rebels")}
    assert claims_of("Insurgents descended on Homs overnight.") == {("Homs", "advance", "rebels")}
    # the place reached, not the reference point of its distance
    assert claims_of("Rebels pushed as far as Homs, some 160 km from Damascus.") == {("Homs", "advance", "rebels")}


def test_the_end_of_a_place_is_that_place():
    assert claims_of("Rebels reached the southern end of Homs on Monday.") == {("Homs", "advance", "rebels")}


def test_reference_marks_glued_to_words_do_not_hide_a_claim():
    assert claims_of("Rebels took control[5] of Hama on Friday.") == {("Hama", "capture", "rebels")}
    assert claims_of("Rebels entered Hama[12][13] and Homs[14].") == {("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}


def test_a_participle_of_a_clause_set_years_ago_is_history_and_so_is_a_passive_dated_by_its_agent():
    assert claims_of("Turkey carried out operations in northern Syria between 2016 and 2019, seizing Afrin.") == set()
    assert claims_of("The dam was seized by rebels in 2012 and taken by ISIL in 2014.",
                     places=dict(PLACES, dam=Place("Tishrin Dam", "ov:dam", 36.38, 38.18, "point", "SY", "SY-HL", 0))) == set()
    assert claims_of("Rebels launched an offensive on Friday, seizing Hama.") == {("Hama", "capture", "rebels")}


def test_remaining_in_control_is_a_defence_only():
    assert claims_of("The SDF said its fighters remain in control of Hama.") == {("Hama", "defense", "kurdish_led_forces")}


def test_the_villages_of_unknown_names_are_not_the_villages_named_before():
    text = "The SNA shelled the villages of Homs and Hama. SDF forces recaptured the villages of Umm Tinah and Jeb Kuteh."
    assert not any(c.event_type == "capture" for c in extract(make_doc(text), "syria"))
    assert ("Homs", "strike", "government") in claims_of("Rebels entered the towns of Homs and Hama. Later the army shelled the towns.")


def test_where_an_attack_came_from_is_not_the_place_defended():
    assert claims_of("The SDF repelled an SNA attack on Manbij from the direction of Aleppo.",
                     places=dict(PLACES, Manbij=Place("Manbij", "gn:166616", 36.53, 37.95, "point", "SY", "SY-HL", 100_000))) == {
        ("Manbij", "defense", "kurdish_led_forces")}


def test_a_foreign_militarys_convoys_and_contingent_are_that_military():
    assert claims_of("Convoys of Russian armoured vehicles were seen leaving Homs on Wednesday.") == {("Homs", "withdrawal", "russia")}
    assert claims_of("Residents said part of the Russian contingent had left Hama.") == {("Hama", "withdrawal", "russia")}


def test_a_subject_dated_years_ago_tells_history():
    assert claims_of("Turkey's operations in 2018 and 2019 pushed the YPG out of Afrin.",
                     places=dict(PLACES, Afrin=Place("Afrin", "gn:174186", 36.51, 36.87, "point", "SY", "SY-HL", 36_000))) == set()
    assert claims_of("Rebels who fought there in 2016 entered Homs on Friday.") == {("Homs", "capture", "rebels")}


def test_a_live_blog_time_before_a_headline_is_no_speaker_and_a_foreign_speakers_troops_are_its_own():
    c = one("10:42 IDF says troops deployed in Quneitra")
    assert (c.place, c.event_type, c.actor, c.claimant) == ("Quneitra", "deployment", "israel", "IDF")


def test_the_turkish_occupation_is_turkey():
    assert claims_of("The Turkish occupation army shelled Aleppo.") == {("Aleppo", "strike", "turkey")}


def test_a_security_or_military_source_speaks_for_the_government_unless_named_otherwise():
    c = one("Rebels pushed on. A security source denied reports that the army had withdrawn from Homs.")
    assert (c.place, c.event_type, c.actor) == ("Homs", "denial", "government")
    # a foreign source is not the government's, and a source's unnamed "fighters" are no one's
    assert claims_of("Lebanese security sources denied that the army had withdrawn from Homs.") == set()
    assert claims_of("A military source said fighters had entered Hama.") == set()
    assert claims_of("A rebel commander said fighters had entered Hama.") == {("Hama", "capture", "rebels")}


def test_who_leads_a_group_is_no_foreign_qualifier():
    assert claims_of("Jihadist-led rebels entered the western outskirts of Aleppo.") == {("Aleppo", "advance", "rebels")}
    assert claims_of("Lebanese troops entered Homs.") == set()


def test_what_an_old_offensive_had_taken_is_history():
    assert claims_of("The lines had been frozen since a March 2020 ceasefire, which ended an army offensive that had taken Hama.") == set()
    assert claims_of("Rebels entered Hama, which they had surrounded on Friday.") >= {("Hama", "capture", "rebels")}


def test_there_was_no_withdrawal_is_the_speakers_denial():
    assert claims_of("The army said there was no withdrawal from Homs.") == {("Homs", "denial", "government")}
    assert claims_of("Rebels said no withdrawal from Hama was planned.") == set()


def test_a_denier_saying_a_place_is_under_its_control_defends_it_and_a_clause_before_a_colon_is_no_source():
    places = dict(PLACES, Manbij=Place("Manbij", "gn:166616", 36.53, 37.95, "point", "SY", "SY-HL", 100_000))
    assert claims_of("The SDF denied the claim, saying: 'Manbij is under the full control of our forces.'", places=places) >= {
        ("Manbij", "defense", "kurdish_led_forces")}
    assert ("Manbij", "capture", "syrian_national_army") in claims_of(
        "Turkish sources rejected that claim, saying Manbij was under the full control of the SNA.", places=places)


def test_a_defence_participle_defends_what_its_main_clause_holds():
    assert claims_of("Government troops had held Hama, repelling repeated assaults.") == {("Hama", "defense", "government")}
    assert claims_of("The army shelled Homs, repelling an attack.") == {("Homs", "strike", "government")}


def test_the_new_authorities_forces_are_the_rebels_that_took_power():
    # the analysts code the forces of the authorities that took power on 8 December as rebels
    assert claims_of("General Security forces deployed in Homs on Monday.") == {("Homs", "deployment", "rebels")}
    assert claims_of("Syria's new authorities sent troops to Hama.") == {("Hama", "deployment", "rebels")}


def test_a_town_handed_to_a_party_without_over_is_the_givers_withdrawal_and_the_takers_capture():
    assert claims_of("The SDF handed Homs to tribal fighters on Friday.") == {
        ("Homs", "withdrawal", "kurdish_led_forces"), ("Homs", "capture", "local_armed_groups")}
    assert claims_of("The army handed weapons to civilians in Homs.") == set()


def test_the_losers_retreat_in_the_next_sentence_left_what_was_taken():
    assert claims_of("Rebels entered Hama on Thursday. Government troops fled toward Homs.") == {
        ("Hama", "capture", "rebels"), ("Hama", "withdrawal", "government")}
    # not a third party, not people, and not a place of its own
    assert claims_of("Rebels entered Hama on Thursday. Russian troops fled toward Homs.") == {("Hama", "capture", "rebels")}
    assert ("Hama", "withdrawal", "government") not in claims_of(
        "Rebels entered Hama on Thursday. The army withdrew from Homs toward Damascus.")


def test_a_part_of_a_town_named_before_or_after_its_town_is_the_part():
    places = dict(PLACES, Karm=Place("Karm", "ov:sy-karm", 36.23, 37.15, "point", "SY", "SY-HL", 0),
                  Qaboun=Place("Qaboun", "gn:170001", 33.54, 36.33, "point", "SY", "SY-DI", 20_000))
    assert claims_of("Kurdish fighters were holding out in the Karm neighbourhood of Aleppo.", places=places) == {
        ("Karm", "defense", "kurdish_led_forces")}
    assert claims_of("Rebels entered the Damascus district of Qaboun on Sunday.", places=places) == {
        ("Qaboun", "capture", "rebels")}
    assert claims_of("Rebels entered the Qaboun quarter of Damascus on Sunday.", places=places) == {
        ("Qaboun", "capture", "rebels")}


def test_a_party_still_in_a_place_keeps_it():
    assert claims_of("The defence ministry said the army was still in Hama.") == {("Hama", "defense", "government")}
    assert claims_of("Government troops are still inside Homs, a military source said.") == {("Homs", "defense", "government")}
    assert claims_of("Rebels are now inside Homs.") == {("Homs", "capture", "rebels")}


def test_the_city_is_not_a_place_named_in_a_clause_describing_the_party():
    text = ("Rebels reached Aleppo on Thursday. The groups, which set out last week from the Idlib countryside, "
            "entered the city on Friday.")
    places = dict(PLACES, Idlib=Place("Idlib", "gn:169388", 35.93, 36.63, "point", "SY", "SY-ID", 128_000))
    assert claims_of(text, places=places) == {("Aleppo", "advance", "rebels"), ("Aleppo", "capture", "rebels")}


def test_there_may_be_a_mountain_named_in_the_sentence():
    places = dict(PLACES, Hermon=Place("Mount Hermon", "ov:mount-hermon", 33.42, 35.86, "region", "SY", "SY-QU", 0))
    text = ("Rebels took Damascus on Sunday. Israeli forces seized the summit of Hermon after Syrian soldiers "
            "abandoned their posts there.")
    claims = claims_of(text, places=places)
    assert ("Mount Hermon", "withdrawal", "government") in claims
    assert ("Damascus", "withdrawal", "government") not in claims


def test_the_city_is_not_the_place_called_a_town():
    places = dict(PLACES, Rastan=Place("Ar Rastan", "gn:163915", 34.92, 36.73, "point", "SY", "SY-HI", 40_000))
    text = "Rebels took the town of Rastan and then Hama. The army said it had redeployed outside the city."
    claims = claims_of(text, places=places)
    assert ("Hama", "withdrawal", "government") in claims
    assert ("Ar Rastan", "withdrawal", "government") not in claims


def test_a_where_clause_whose_verb_moves_something_else_is_no_advance():
    assert claims_of("The capital depends on Homs, where the Assad family draws much of its support.") == set()
    assert claims_of("Rebels pushed on to Hama, where government troops pulled back overnight.") == {
        ("Hama", "advance", "rebels"), ("Hama", "withdrawal", "government")}


def test_a_past_year_the_parser_hangs_on_the_object_dates_the_event():
    assert claims_of("The SDF took Aleppo and the surrounding villages from rebel groups in February 2016.") == set()
    assert claims_of("The SDF took Aleppo and the surrounding villages from rebel groups on Friday.") >= {
        ("Aleppo", "capture", "kurdish_led_forces")}


def test_a_holding_told_in_a_denial_is_kept_not_taken():
    assert claims_of("The defence ministry denied this, saying the armed forces are in full control of Homs.") == {
        ("Homs", "defense", "government"), ("Homs", "denial", "government")}
    assert claims_of("Rebels are now in full control of Homs, the monitor said.") == {("Homs", "capture", "rebels")}


def test_they_in_a_relative_clause_is_the_subject_of_the_clause_it_hangs_in():
    text = ("Opposition factions took Hama on Thursday. The army said its units had pulled back. "
            "The factions entered Homs from the east, from Aleppo, which they had seized on Wednesday.")
    claims = claims_of(text)
    assert ("Aleppo", "capture", "rebels") in claims
    assert ("Aleppo", "capture", "government") not in claims


def test_their_forces_in_a_partys_commanders_words_are_that_partys():
    text = ("Government troops left Homs on Friday. A commander in the Manbij Military Council said that "
            "their forces also entered Hama on Friday afternoon.")
    claims = claims_of(text)
    assert ("Hama", "capture", "kurdish_led_forces") in claims
    assert ("Hama", "capture", "government") not in claims


def test_redeployed_and_took_up_positions_outside_a_town_left_it():
    assert claims_of("The army said its units had redeployed and taken up positions outside the city of Hama.") == {
        ("Hama", "withdrawal", "government")}
    assert claims_of("The army withdrew from Homs and took up positions outside Hama.") == {
        ("Homs", "withdrawal", "government"), ("Hama", "deployment", "government")}


def test_how_far_a_reached_town_is_from_a_city_is_no_advance_on_the_city():
    places = dict(PLACES, Qatana=Place("Qatana", "gn:165929", 33.44, 36.08, "point", "SY", "SY-RD", 19_000))
    assert claims_of("Israeli troops had reached the town of Qatana, about 25 kilometers (15 miles) from Damascus, "
                     "the monitor said.", places=places) == {("Qatana", "advance", "israel")}
    assert claims_of("Rebels were 20 km from Damascus.") == {("Damascus", "advance", "rebels")}


def test_they_after_a_subject_of_no_known_side_is_not_an_older_party():
    assert claims_of("Rebels took Hama on Friday. Loyalist gunmen are holding positions near Aleppo, where they "
                     "repelled an attack by government forces.") == {("Hama", "capture", "rebels")}


def test_a_subheading_does_not_take_the_last_capturer_of_the_part_before():
    text = "Local fighters seized Daraa on Friday.\n\nThe fall of Damascus\n\nRebels entered Damascus on Sunday."
    claims = claims_of(text)
    assert ("Damascus", "capture", "rebels") in claims
    assert ("Damascus", "capture", "local_armed_groups") not in claims
    assert ("Homs", "capture", "local_armed_groups") in claims_of("Local fighters seized Daraa on Friday. The fall of Homs followed.")


def test_a_list_that_leaves_the_verb_out_shares_it():
    assert claims_of("Rebels took Aleppo on 30 November, Hama on 5 December and Homs on 7 December.") == {
        ("Aleppo", "capture", "rebels"), ("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}
    assert claims_of("Rebels captured Daraa last week. Aleppo fell on 30 November, Hama on 5 December and Homs "
                     "two days later.") >= {("Aleppo", "capture", "rebels"), ("Hama", "capture", "rebels"),
                                            ("Homs", "capture", "rebels")}
    # a place named after the verb's time for another reason is not a gapped item
    assert claims_of("Rebels took Aleppo on Friday, the monitor in Homs said.") == {("Aleppo", "capture", "rebels")}


def test_it_after_a_force_of_no_side_that_speaks_is_that_force_not_an_older_party():
    assert claims_of("Hezbollah fighters shelled Homs. The Lebanese army said it had deployed near Homs.") == {
        ("Homs", "strike", "hezbollah")}
    assert ("Homs", "deployment", "government") in claims_of(
        "Rebels shelled Homs. The Syrian army said it deployed additional troops near Homs.")


def test_dug_in_outposts_and_a_tightened_grip():
    assert claims_of("Kurdish fighters were dug in around Hama.") == {("Hama", "defense", "kurdish_led_forces")}
    assert claims_of("Israeli troops established a new outpost near Quneitra.") == {("Quneitra", "deployment", "israel")}
    assert claims_of("Government troops built new defensive positions around Hama.") == {("Hama", "defense", "government")}
    assert ("Homs", "capture", "rebels") in claims_of("Rebels tightened their grip on Homs.")
    assert claims_of("The ministry opened an investigation in Homs.") == set()


def test_tribal_druze_and_turkish_backed_factions_by_their_names():
    assert claims_of("Bedouin tribal fighters seized Hama on Tuesday.") == {("Hama", "capture", "local_armed_groups")}
    assert claims_of("The Hamza Division entered Aleppo on Sunday.") == {("Aleppo", "capture", "syrian_national_army")}
    assert claims_of("Rijal al-Karama fighters took Homs.") == {("Homs", "capture", "local_armed_groups")}


def test_a_retreat_told_before_the_capture_it_answers_left_the_place_taken():
    assert claims_of("Government forces retreated toward Homs after opposition forces captured Hama.") == {
        ("Hama", "capture", "rebels"), ("Hama", "withdrawal", "government")}
    assert claims_of("Government forces retreated toward Homs on Friday.") == set()


def test_among_them_lists_what_was_taken():
    assert claims_of("Rebels captured several towns on Friday, among them Hama and Homs.") == {
        ("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}
    assert claims_of("Rebels seized dozens of villages, among them Hama and Homs.") == {
        ("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}


def test_trying_to_repel_an_attack_defends_the_place():
    assert claims_of("Government forces were trying to repel the attackers near Hama.") == {("Hama", "defense", "government")}
    assert claims_of("Government forces will try to repel the attackers near Hama.") == set()
    assert claims_of("Rebels were trying to capture Hama on Friday.") == set()


def test_talk_of_a_withdrawal_called_a_lie_or_rumours_is_denied():
    assert claims_of("The army said talk of its withdrawal from Hama was a lie.") == {("Hama", "denial", "government")}
    assert claims_of("The army said reports of its withdrawal from Hama were fabrications.") == {("Hama", "denial", "government")}
    # a rumour mentioned beside a capture does not make it a place held
    assert claims_of("Rebels are now in control of Homs amid rumours that the president has fled.") == {
        ("Homs", "capture", "rebels")}


def test_villages_named_after_a_comma_that_we_cannot_place_are_not_the_framing_towns():
    text = ("In the southern countryside of Aleppo, the SDF's Military Council said its fighters had recaptured "
            "two villages, Khirbet Zarzur and Kafrun, after clashes.")
    assert claims_of(text) == set()
    assert claims_of("Rebels seized two villages, Hama and Homs.") == {("Hama", "capture", "rebels"), ("Homs", "capture", "rebels")}


def test_the_village_after_a_village_we_cannot_place_is_that_one():
    places = dict(PLACES, Qusayr=Place("Al-Qusayr", "gn:169304", 34.51, 36.58, "point", "SY", "SY-HI", 30_000))
    text = ("Rebels took the town of Qusayr on Monday. Later the SNA captured the village of Khirbet Zarzur; "
            "the village was taken back by the army on Friday.")
    claims = claims_of(text, places=places)
    assert ("Al-Qusayr", "capture", "government") not in claims
    assert claims_of("Rebels took the village of Qusayr on Monday. The village was taken back by the army on Friday.",
                     places=places) >= {("Al-Qusayr", "capture", "government")}


def test_their_is_not_the_subject_of_a_relative_clause_about_the_past():
    text = ("Rebels advanced on Aleppo. By Friday they were inside its western districts, and the city, which the "
            "army had recaptured in 2016, was largely in their hands.")
    claims = claims_of(text)
    assert ("Aleppo", "capture", "government") not in claims
    assert ("Aleppo", "capture", "rebels") in claims


def test_pushed_out_of_the_place_whose_hold_the_clause_tells():
    text = ("The SDF moved into Deir Ezzor and Aleppo after government troops pulled out, though its hold on Aleppo "
            "lasted barely two days before tribal fighters pushed it out.")
    claims = claims_of(text)
    assert ("Aleppo", "capture", "local_armed_groups") in claims
    assert ("Deir ez-Zor", "capture", "local_armed_groups") not in claims


def test_positions_taken_after_an_attack_in_a_town_are_in_that_town():
    text = "In Daraa province, local gunmen attacked checkpoints in the town of Homs and took over several positions."
    assert ("Homs", "capture", "local_armed_groups") in claims_of(text)
    assert ("Daraa", "capture", "local_armed_groups") not in claims_of(text)
    assert claims_of("Rebels met in Hama and took over the government.") == set()
    # the town the first verb entered, not the province locating it
    places = dict(PLACES, Qusayr=Place("Al-Qusayr", "gn:169304", 34.51, 36.58, "point", "SY", "SY-HI", 30_000))
    got = claims_of("Security forces entered the town of Qusayr, in the southern countryside of Homs, and set up "
                    "checkpoints.", places=places)
    assert ("Al-Qusayr", "deployment", "government") in got and ("Homs", "deployment", "government") not in got


def test_a_party_described_as_one_that_controls_a_place_holds_it():
    assert claims_of("Kurdish fighters who control Aleppo were holding their positions, a spokesman said.") == {
        ("Aleppo", "defense", "kurdish_led_forces")}
    assert ("Aleppo", "capture", "kurdish_led_forces") in claims_of("Kurdish fighters, who now control Aleppo, said so.")


def test_the_city_whose_district_the_sentence_names():
    places = dict(PLACES, Karm=Place("Karm", "ov:sy-karm", 36.23, 37.15, "point", "SY", "SY-HL", 0))
    text = ("By Saturday rebels had taken control of Hama and of a town on Aleppo's edge. In the city's north, "
            "Kurdish fighters who control the Karm district were holding their positions.")
    claims = claims_of(text, places=places)
    assert ("Aleppo", "defense", "kurdish_led_forces") in claims
    assert ("Hama", "defense", "kurdish_led_forces") not in claims


def test_no_withdrawal_from_the_bases_the_sentence_names():
    text = ('The representative of the Russian Federation said its military bases at Hama and Homs continued to '
            'operate normally and that "there has been no withdrawal".')
    assert claims_of(text) == {("Hama", "denial", "russia"), ("Homs", "denial", "russia")}
    assert claims_of("The army said there had been no withdrawal.") == set()


def test_a_name_in_brackets_is_another_name_for_the_place_before_it():
    places = dict(PLACES, Tiyas=Place("Tiyas Military Airbase", "ov:sy-tiyas-airbase", 34.52, 37.63, "point", "SY", "SY-HI", 0),
                  Palmyra=Place("Tadmur", "gn:163345", 34.56, 38.28, "point", "SY", "SY-HI", 51_000))
    text = "Russian troops had also abandoned positions in the Palmyra desert and at the Tiyas (T4) air base."
    assert ("Tiyas Military Airbase", "withdrawal", "russia") in claims_of(text, places=places)


def test_fleeing_the_area_after_the_towns_were_entered_left_those_towns():
    got = claims_of("Kurdish units entered the towns of Hama and Homs on Saturday night, after regime forces fled the area.")
    assert got == {("Hama", "capture", "kurdish_led_forces"), ("Homs", "capture", "kurdish_led_forces"),
                   ("Hama", "withdrawal", "government"), ("Homs", "withdrawal", "government")}
    assert claims_of("Government forces fled the area on Saturday.") == set()


def test_the_buffer_zone_of_this_conflicts_news_is_the_golan_zone():
    assert claims_of("Israeli troops deployed in the buffer zone on Sunday.") == {("Golan buffer zone", "deployment", "israel")}
    assert claims_of("Israeli troops deployed in the buffer zones of the world.") == set()


def test_what_a_denied_report_claims_is_denied_not_reported():
    assert claims_of("The army denied a report on a Lebanese channel claiming that rebels had advanced to within "
                     "20 km of Damascus.") == {("Damascus", "denial", "government")}
