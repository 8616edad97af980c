"""Conflict profiles: data files that name the parties of a conflict, and what the code makes of them."""
import pytest

from geo.profiles import available_profiles, load_profile


def test_both_profiles_are_available():
    assert {"syria", "ukraine"} <= set(available_profiles())


def test_syria_profile_has_the_seed_vocabulary_of_actors():
    p = load_profile("syria")
    assert {"rebels", "government", "local_armed_groups", "kurdish_led_forces", "syrian_national_army", "turkey",
            "israel", "hezbollah", "russia", "iran", "iraqi_militias", "isis", "united_states", "civilians",
            "unknown"} <= set(p.actors)


@pytest.mark.parametrize("phrase, actor", [
    ("Hayat Tahrir al-Sham", "rebels"), ("HST", "rebels"), ("the Islamist-led alliance", "rebels"),
    ("insurgents", "rebels"), ("the defence ministry", "government"), ("state media", "government"),
    ("Syrian Democratic Forces", "kurdish_led_forces"), ("SDF", "kurdish_led_forces"),
    ("Turkish-backed factions", "syrian_national_army"), ("Hezbollah", "hezbollah"),
    ("local armed groups", "local_armed_groups"), ("protesters", "civilians"),
])
def test_aliases_name_their_actor(phrase, actor):
    assert load_profile("syria").actor_of(phrase) == actor


def test_longest_alias_wins():
    mentions = load_profile("syria").actor_mentions("HTS-led rebels and Kurdish-led forces")
    assert [(m.text, m.actor) for m in mentions] == [("HTS-led rebels", "rebels"), ("Kurdish-led forces", "kurdish_led_forces")]


def test_case_sensitive_acronyms_do_not_match_words():
    p = load_profile("syria")
    assert p.actor_mentions("this is what it is") == []
    assert [m.actor for m in p.actor_mentions("IS fighters")] == ["isis"]


def test_adjective_compounds_are_not_mentions():
    p = load_profile("syria")
    assert p.actor_mentions("the Israeli-annexed plateau") == []
    assert [m.actor for m in p.actor_mentions("Israel's army")] == ["israel"]


def test_canonical_claimants():
    p = load_profile("syria")
    assert p.canonical_claimant("the Britain-based monitor") == "Syrian Observatory for Human Rights"
    assert p.canonical_claimant("Syria's defence ministry") == "Syrian defence ministry"
    assert p.canonical_claimant("Russia's defence ministry") == "Russia's defence ministry"
    assert p.canonical_claimant("a local fighter") == "a local fighter"


def test_actor_roles():
    p = load_profile("syria")
    assert p.can_act("civilians", "protest") and not p.can_act("civilians", "strike")
    assert p.can_act("rebels", "strike")


def test_ukraine_profile_is_its_own_conflict():
    p = load_profile("ukraine")
    assert p.actor_of("Russian troops") == "russia" and p.actor_of("Ukraine's General Staff") == "ukraine"
    assert p.actor_of("rebels") is None


def test_unknown_profile_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown profile 'narnia'"):
        load_profile("narnia")


def test_profile_from_a_file(tmp_path):
    f = tmp_path / "mini.toml"
    f.write_text('id = "mini"\nname = "Mini"\ncountries = ["XX"]\n[actors.blue]\naliases = ["blue army"]\n', encoding="utf-8")
    p = load_profile(str(f))
    assert p.actor_of("the Blue Army") == "blue" and p.actors == ["blue", "unknown"]


def test_a_foreign_qualifier_takes_a_generic_alias_away_from_the_profile_party():
    p = load_profile("syria")
    assert p.actor_mentions("The Lebanese army said") == []
    assert p.actor_mentions("Jordan's troops") == []
    assert [m.actor for m in p.actor_mentions("The army said")] == ["government"]
    assert [m.actor for m in p.actor_mentions("Syria's army and Assad's troops")] == ["government", "government"]


def test_a_profile_names_its_theatre():
    syria, ukraine = load_profile("syria"), load_profile("ukraine")
    assert syria.in_theatre("SY") and syria.in_theatre("IQ") and not syria.in_theatre("US")
    assert ukraine.in_theatre("RU") and not ukraine.in_theatre("SY")
    assert syria.in_theatre(None)  # a disputed region has no country


def test_a_profile_without_a_theatre_falls_back_to_its_countries(tmp_path):
    f = tmp_path / "mini.toml"
    f.write_text('id = "mini"\nname = "Mini"\ncountries = ["XX"]\n[actors.blue]\naliases = ["blue army"]\n', encoding="utf-8")
    assert load_profile(str(f)).theatre == {"XX"}


def _write_profile(tmp_path, body: str):
    path = tmp_path / "p.toml"
    path.write_text(body, encoding="utf-8")
    return str(path)


def test_a_profile_with_an_unknown_key_or_an_empty_alias_list_is_refused(tmp_path):
    from geo.profiles import ProfileError

    with pytest.raises(ProfileError, match="colour"):
        load_profile(_write_profile(tmp_path, 'id = "x"\ncolour = "red"\n[actors.a]\naliases = ["A men"]\n'))
    with pytest.raises(ProfileError, match="empty alias list"):
        load_profile(_write_profile(tmp_path, 'id = "y"\n[actors.a]\nlabel = "A"\naliases = []\n'))
    with pytest.raises(ProfileError, match="unknown key"):
        load_profile(_write_profile(tmp_path, 'id = "z"\n[actors.a]\naliases = ["A men"]\nalias = ["typo"]\n'))


def test_own_forces_must_be_a_list_of_words(tmp_path):
    from geo.profiles import ProfileError

    with pytest.raises(ProfileError, match="own_forces"):
        load_profile(_write_profile(tmp_path, 'id = "o"\n[actors.a]\naliases = ["A men"]\nown_forces = "troops"\n'))


def test_place_phrases_must_name_a_place(tmp_path):
    from geo.profiles import ProfileError

    with pytest.raises(ProfileError, match="place_phrases"):
        load_profile(_write_profile(tmp_path, 'id = "q"\nplace_phrases = {"the zone" = ""}\n[actors.a]\naliases = ["A men"]\n'))
    assert load_profile("syria").place_phrases["the buffer zone"] == "Golan buffer zone"


@pytest.mark.parametrize("name", ["syria"])
def test_every_place_phrase_of_a_shipped_profile_names_a_gazetteer_place(name):
    # a phrase whose place the gazetteer lacks would be skipped silently when claims are read
    from geo.gazetteer import default_gazetteer

    profile = load_profile(name)
    for phrase, place in profile.place_phrases.items():
        found = default_gazetteer().resolve(place, country=profile.countries[0])
        assert any(p.name == place for p in found), (phrase, place)


def test_a_perspective_must_name_a_party_and_its_cues(tmp_path):
    from geo.profiles import ProfileError

    base = 'id = "p"\n[actors.a]\naliases = ["A men"]\n'
    with pytest.raises(ProfileError, match="no actor"):
        load_profile(_write_profile(tmp_path, base + '[[perspective]]\nactor = "b"\ncues = ["X"]\nterms = ["foes"]\n'))
    with pytest.raises(ProfileError, match="empty cue"):
        load_profile(_write_profile(tmp_path, base + '[[perspective]]\nactor = "a"\ncues = []\nterms = ["foes"]\n'))
    with pytest.raises(ProfileError, match="unknown key"):
        load_profile(_write_profile(tmp_path, base + '[[perspective]]\nactor = "a"\ncues = ["X"]\nterm = ["foes"]\n'))


def test_ingest_with_a_profile_file_extracts_with_that_profile(tmp_path):
    import json
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    body = (root / "data" / "profiles" / "ukraine.toml").read_text(encoding="utf-8").replace('id = "ukraine"', 'id = "my_war"')
    profile = _write_profile(tmp_path, body)
    article = tmp_path / "report.txt"
    article.write_text("Ukrainian troops withdrew from Bakhmut on Friday, the General Staff said.\n", encoding="utf-8")
    db, out = tmp_path / "x.db", tmp_path / "x.geojson"
    run = [sys.executable, "-m", "geo"]
    subprocess.run(run + ["ingest", str(article), "--db", str(db), "--profile", profile, "--quiet"], check=True, cwd=root)
    subprocess.run(run + ["export", "--db", str(db), "--format", "geojson", "-o", str(out)], check=True, cwd=root)
    props = [f["properties"] for f in json.loads(out.read_text())["features"]]
    assert [(p["place"], p["event_type"], p["actor"]) for p in props] == [("Bakhmut", "withdrawal", "ukraine")]
