"""Reading article files as a user brings them: formats, encodings, broken and hostile inputs, metadata."""
from __future__ import annotations

import json
import pathlib
import zipfile
from datetime import date
from pathlib import Path

import pytest

from geo.articles import (
    ArticleError,
    find_credited,
    infer_metadata,
    iter_article_files,
    read_articles,
    read_text_file,
)
from geo.document import Article

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
# The seed articles live in ../shared beside the repository; tests that read them skip without them.
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
needs_seeds = pytest.mark.skipif(not (SEEDS / "gold.json").is_file(),
                                 reason=f"the seed articles are not at {SEEDS} (../shared/seeds beside the repository)")


def only(path: Path | str, **kw) -> Article:
    [article] = read_articles(path, **kw)
    return article


def refused(path: Path | str, **kw) -> ArticleError:
    with pytest.raises(ArticleError) as info:
        read_articles(path, **kw)
    err = info.value
    assert str(err) == f"{err.path}: {err.reason}"
    assert "\n" not in str(err)
    return err


# --- formats -----------------------------------------------------------------------------------------


def test_plain_text_is_kept_byte_for_byte_so_offsets_hold(tmp_path):
    body = "Rebels entered Hama on Thursday.\r\n\r\nThe army said it had redeployed.  \n"
    f = tmp_path / "report.txt"
    f.write_bytes(body.encode("utf-8"))
    art = only(f)
    assert art.text == body
    assert art.article == "report.txt"
    assert art.path == str(f)


def test_utf8_bom_is_the_only_thing_stripped(tmp_path):
    f = tmp_path / "bom.txt"
    f.write_bytes(b"\xef\xbb\xbf  Rebels took the airport.\n")
    assert only(f).text == "  Rebels took the airport.\n"


def test_utf16_with_bom_is_decoded(tmp_path):
    f = tmp_path / "wide.txt"
    f.write_bytes("Troops crossed into Iraq at Al-Qaim.".encode("utf-16"))
    assert only(f).text == "Troops crossed into Iraq at Al-Qaim."


def test_markdown_front_matter_becomes_metadata_and_leaves_the_text():
    art = only(FIXTURES / "front_matter.md")
    assert art.title == "Army regroups south of Hama"
    assert art.source == "Levant Wire"
    assert art.published == date(2024, 12, 4)
    assert art.url == "https://levantwire.example/2024/12/04/hama"
    assert art.credited == ["Reuters", "AFP"]  # "Agence France-Presse" named by its label
    assert art.text.startswith("# Army regroups south of Hama\n")
    assert "---" not in art.text and "note:" not in art.text


def test_unclosed_front_matter_is_just_text(tmp_path):
    f = tmp_path / "dashes.txt"
    f.write_text("---\nRebels advanced on Homs.\nThe army denied it.\n", encoding="utf-8")
    assert only(f).text == "---\nRebels advanced on Homs.\nThe army denied it.\n"


def test_toml_front_matter_is_parsed_without_evaluation(tmp_path):
    f = tmp_path / "hugo.md"
    f.write_text('+++\ntitle = "Rebels near Homs"\npublished = 2024-12-06\n+++\nRebels neared Homs.\n',
                 encoding="utf-8")
    art = only(f)
    assert (art.title, art.published, art.text) == ("Rebels near Homs", date(2024, 12, 6), "Rebels neared Homs.\n")


def test_html_main_text_and_metadata_without_scripts():
    art = only(FIXTURES / "page.html")
    assert "entered the town of Tal Rifaat" in art.text
    assert "alert" not in art.text and "fetch(" not in art.text and "color: red" not in art.text
    assert "Home" not in art.text.split("\n")[0]  # navigation is not article text
    assert art.title == "Fighters enter Tal Rifaat after army pullback"
    assert art.published == date(2024, 12, 2)
    assert art.url == "https://levantwire.example/2024/12/02/tal-rifaat"
    assert art.credited == ["AFP"]  # "told AFP"
    assert art.source == "AFP"


def test_html_site_name_is_the_source_when_no_agency_is_credited(tmp_path):
    page = (FIXTURES / "page.html").read_text(encoding="utf-8").replace("told AFP", "said")
    f = tmp_path / "page.html"
    f.write_text(page, encoding="utf-8")
    art = only(f)
    assert art.credited == []
    assert art.source == "Levant Wire"


def test_malformed_html_still_yields_its_text():
    art = only(FIXTURES / "broken.html")
    assert "Rebels entered the eastern districts of Deir Ezzor on Friday" in art.text
    assert "Fighting continued near the airport" in art.text


def test_html_without_any_text_is_refused(tmp_path):
    f = tmp_path / "empty.html"
    f.write_text("<html><head><script>alert(1)</script></head><body><div></div></body></html>", encoding="utf-8")
    assert refused(f).reason == "no article text found in HTML"


def test_json_object(tmp_path):
    f = tmp_path / "one.json"
    f.write_text(json.dumps({"title": "Rebels in Daraa", "text": "Local fighters took Daraa.",
                             "source": "Hawran Today", "url": "https://ht.example/1", "published": "2024-12-06"}))
    art = only(f)
    assert (art.article, art.title, art.source, art.published, art.url) == (
        "one.json", "Rebels in Daraa", "Hawran Today", date(2024, 12, 6), "https://ht.example/1")
    assert art.text == "Local fighters took Daraa."


def test_json_list_keeps_good_objects_and_reports_bad_ones():
    articles = read_articles(FIXTURES / "list.json")
    assert [a.article for a in articles] == ["list.json#1", "list.json#4"]
    assert articles[1].published == date(2024, 12, 5)  # "5 December 2024"
    assert articles[1].credited == ["AFP"]
    reasons = [str(e) for e in articles.errors]
    assert reasons[0].endswith('list.json#2: object #2 has no "text" field (it has: title, source)')
    assert reasons[1].endswith("list.json#3: item #3 is a number, not an article object")


def test_json_list_with_no_usable_object_is_refused(tmp_path):
    f = tmp_path / "bad.json"
    f.write_text('[{"title": "no text"}, {"text": "   "}]')
    err = refused(f)
    assert err.reason == (
        'no usable article: object #1 has no "text" field (it has: title); object #2 has an empty "text"')


def test_malformed_json_names_line_and_column():
    err = refused(FIXTURES / "malformed.json")
    assert err.reason.startswith("invalid JSON at line 4, column 3:")


@pytest.mark.parametrize("payload, reason", [
    ("[]", "empty JSON list: no articles"),
    ('"just a string"', "JSON holds a string, not an article object or a list of them"),
    ("[" * 100_000 + "]" * 100_000, "invalid JSON: nested too deeply"),
])
def test_json_that_holds_no_articles(tmp_path, payload, reason):
    f = tmp_path / "odd.json"
    f.write_text(payload)
    assert refused(f).reason == reason


# --- encodings ---------------------------------------------------------------------------------------


def test_windows_1256_arabic_is_decoded_to_the_right_arabic():
    art = only(FIXTURES / "arabic_cp1256.txt")
    assert "سيطرت على مدينة درعا" in art.text
    assert "المرصد السوري لحقوق الإنسان" in art.text
    assert art.published == date(2024, 12, 7)  # the Arabic dateline "دمشق، 7 ديسمبر 2024 -"


def test_latin1_french_is_decoded():
    art = only(FIXTURES / "french_latin1.txt")
    assert art.text.startswith("Français\n")
    assert "entrés à Hama" in art.text and "Le régime a démenti" in art.text


def test_a_single_latin1_word_is_decoded(tmp_path):
    f = tmp_path / "word.txt"
    f.write_bytes("Français".encode("latin-1"))
    assert only(f).text == "Français"


# --- broken and hostile inputs --------------------------------------------------------------------------


def test_empty_file(tmp_path):
    f = tmp_path / "empty.txt"
    f.write_bytes(b"")
    assert refused(f).reason == "empty file"


def test_whitespace_only_file(tmp_path):
    f = tmp_path / "blank.md"
    f.write_text(" \n\t\r\n   \n")
    assert refused(f).reason.startswith("empty file")


def test_front_matter_without_text(tmp_path):
    f = tmp_path / "meta_only.md"
    f.write_text("---\ntitle: Nothing else\n---\n\n")
    assert refused(f).reason == "front matter but no article text"


def _png() -> bytes:
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00\x90wS\xde"


def _pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.mark.parametrize("name, make, kind", [
    ("photo.png", _png, "PNG image"),
    ("report.html", _png, "PNG image"),
])
def test_binary_files_are_refused_by_signature(tmp_path, name, make, kind):
    f = tmp_path / name
    f.write_bytes(make())
    assert refused(f).reason == f"binary file ({kind}) — not an article"


def test_zip_archive_is_refused(tmp_path):
    f = tmp_path / "articles.json"
    with zipfile.ZipFile(f, "w") as z:
        z.writestr("a.txt", "Rebels took Hama.")
    assert refused(f).reason == "binary file (ZIP archive) — not an article"


def test_unknown_binary_with_nul_bytes_is_refused(tmp_path):
    f = tmp_path / "blob.txt"
    f.write_bytes(bytes(range(256)) * 4)
    assert refused(f).reason == "binary file (contains NUL bytes) — not an article"


def test_oversize_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    f = tmp_path / "huge.txt"
    f.write_text("Rebels advanced. " * 100)

    def no_open(*args, **kwargs):
        raise AssertionError("the file was opened")

    monkeypatch.setattr(pathlib.Path, "open", no_open)
    monkeypatch.setattr("builtins.open", no_open)
    err = refused(f, max_bytes=1000)
    assert err.reason == "file too large: 1,700 bytes, over the limit of 1,000 bytes"


def test_fifty_megabyte_file_is_refused_by_the_default_limit(tmp_path):
    f = tmp_path / "fifty.txt"
    with f.open("wb") as fh:
        fh.truncate(50_000_000)  # sparse: costs no disk and no memory
    assert refused(f).reason == "file too large: 50,000,000 bytes, over the limit of 20,000,000 bytes"


def test_missing_file_and_folder_give_one_clear_line(tmp_path):
    assert refused(tmp_path / "nope.txt").reason == "no such file"
    assert refused(tmp_path).reason == "is a folder, not a file"


def test_dotdot_paths_are_read_and_named_by_their_basename(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "report.txt").write_text("Rebels took the town.")
    art = only(f"{tmp_path}/sub/../report.txt")
    assert art.article == "report.txt"
    assert art.source == "report.txt"


def test_markup_in_a_text_file_is_kept_as_inert_text(tmp_path):
    f = tmp_path / "payload.txt"
    body = "<script>alert('x')</script> Rebels took Hama. {{7*7}} ${jndi:ldap://x}\n"
    f.write_text(body)
    assert only(f).text == body  # stored verbatim; escaping is the views' job, nothing is evaluated


# --- folders -------------------------------------------------------------------------------------------


def test_iter_article_files_walks_folders_sorted_and_skips_hidden_and_foreign(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "a" / "deep").mkdir(parents=True)
    (tmp_path / ".git").mkdir()
    for rel in ["b/2.txt", "a/deep/3.md", "a/1.json", "a/page.HTM", "z.html", ".hidden.txt", ".git/x.txt",
                "a/scan.pdf", "a/notes.docx"]:
        (tmp_path / rel).write_text("x")
    explicit_pdf = tmp_path / "a" / "scan.pdf"
    missing = tmp_path / "missing.txt"
    got = list(iter_article_files([tmp_path, explicit_pdf, missing, tmp_path / "b" / "2.txt"]))
    rel = [p.relative_to(tmp_path).as_posix() for p in got]
    # PDF reports are articles too (their text layer is read).
    assert rel == ["a/1.json", "a/deep/3.md", "a/page.HTM", "a/scan.pdf", "b/2.txt", "z.html", "missing.txt"]


def test_iter_article_files_says_what_it_left_out_and_why(tmp_path):
    (tmp_path / ".git" / "objects").mkdir(parents=True)
    (tmp_path / "a").mkdir()
    for rel in ["a/1.txt", "a/sheet.xlsx", "a/notes.docx", "a/LICENSE", ".hidden.txt", ".git/x.txt",
                ".git/objects/y.txt"]:
        (tmp_path / rel).write_text("x")
    left_out: list[tuple[str, str]] = []
    got = list(iter_article_files([tmp_path], on_skip=lambda p, why: left_out.append((p.relative_to(tmp_path).as_posix(), why))))
    assert [p.relative_to(tmp_path).as_posix() for p in got] == ["a/1.txt"]
    names = [name for name, _ in left_out]
    assert names == [".git", ".hidden.txt", "a/LICENSE", "a/notes.docx", "a/sheet.xlsx"]  # a hidden folder once
    why = dict(left_out)
    assert "hidden folder" in why[".git"] and "hidden file" in why[".hidden.txt"]
    assert why["a/notes.docx"].startswith(".docx files are not read")
    assert ".txt .md .html .htm .json .pdf" in why["a/notes.docx"]
    assert "without an extension" in why["a/LICENSE"]


def test_read_text_file_refuses_what_is_not_a_regular_text_file_without_reading_it(tmp_path):
    import os

    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)  # opening it for reading would block until a writer comes: never
    with pytest.raises(ArticleError, match="not a regular file"):
        read_text_file(fifo)
    with pytest.raises(ArticleError, match="folder"):
        read_text_file(tmp_path)
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(21_000_000)
    with pytest.raises(ArticleError, match="too large"):
        read_text_file(big)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Le régime a perdu Hama.".encode("latin-1"))
    assert read_text_file(latin) == "Le régime a perdu Hama."


# --- metadata ----------------------------------------------------------------------------------------


GOLD = json.loads((SEEDS / "gold.json").read_text(encoding="utf-8"))["articles"] if (SEEDS / "gold.json").is_file() else {}


@needs_seeds
@pytest.mark.parametrize("name", sorted(GOLD))
def test_seed_metadata_matches_the_analyst(name):
    art = only(SEEDS / name)
    expected = GOLD[name]
    assert art.published == (date.fromisoformat(expected["published"]) if expected["published"] else None)
    assert art.credited == expected["credited"]
    assert art.source == ("/".join(expected["credited"]) or name)


@needs_seeds
def test_seed_titles():
    assert only(SEEDS / "000_5062c90c552f96e1.txt").title.startswith("‘Around 2,000 Syrian troops cross to Iraq’")
    assert only(SEEDS / "001_a7c7fd3637e157c1.txt").title is None  # its first line is the body
    assert only(SEEDS / "003_8b8ac8c94b56ce5a.txt").title.startswith("The Islamist-led coalition")


@needs_seeds
def test_given_source_and_published_override_what_the_article_says():
    art = only(SEEDS / "004_44747efe92a5f28f.txt", source="Desk", published=date(2024, 12, 8))
    assert (art.source, art.published) == ("Desk", date(2024, 12, 8))
    assert art.credited == ["AFP"]  # credits are what the text says, whoever the source is


@pytest.mark.parametrize("text, credited", [
    ("DAMASCUS, Dec 7 (Reuters) - Rebels said they had entered Homs.", ["Reuters"]),
    ("BEIRUT (AP) — Rebels advanced. A commander told the Associated Press they would not stop.", ["AP"]),
    ("An AFP correspondent saw tanks. Residents told Reuters the army had left.", ["AFP", "Reuters"]),
    ("Rebels took the town.\n(With inputs from PTI and IANS)", ["PTI", "IANS"]),
    ("Rebels took the town.\nAP/Reuters\n", ["AP", "Reuters"]),
    ("Rebels took the town, Syria's state news agency SANA reported.", ["SANA"]),
    ("Footage verified by AFP showed the statue falling. AFP could not verify the toll.", ["AFP"]),
    ("Reuters could not independently verify the claims.", ["Reuters"]),
    ("The Anadolu Agency said Turkish-backed factions entered Tal Rifaat.", ["Anadolu"]),
    ("Rebels near Homs\nBy Maya Gebeily and Timour Azhari, Reuters\nRebels said ...", ["Reuters"]),
    ("By AFP\nPublished 7 December 2024\nRebels said ...", ["AFP"]),
    ("Rebels took the town, the rebels told The Associated Press.", ["AP"]),
    ("Agence France-Presse (AFP) reported the fall of the town.", ["AFP"]),
])
def test_credited_agencies(text, credited):
    assert find_credited(text) == credited


@pytest.mark.parametrize("text", [
    "The AP government said the floods had receded.",  # Andhra Pradesh, not the Associated Press
    "A study by the Reuters Institute found trust in news had fallen.",
    "The rebels, who took Aleppo, now hold Hama and Homs.",
    "By the time Reuters arrived, the town had fallen.",  # "by" in a sentence is not a byline
    "Protesters said Reuters and AFP had ignored them.",  # named, but not as a source of this story
])
def test_mentions_that_are_not_credits(text):
    assert find_credited(text) == []


def test_source_label_falls_back_from_agencies_to_outlet_to_file_name():
    def label(**kw) -> str:
        return infer_metadata(Article(article="x.txt", text=kw.pop("text", "Rebels took Hama."), **kw)).source

    assert label(text="Rebels took Hama, residents told Reuters and AFP reported.") == "Reuters/AFP"
    assert label(url="https://www.aljazeera.com/news/2024/12/7/x") == "Al Jazeera"
    assert label(url="https://news.example.org/x") == "news.example.org"
    assert label(source="Levant Wire", text="(Reuters) - Rebels took Hama.") == "Levant Wire"
    assert label() == "x.txt"


@pytest.mark.parametrize("first_line, title", [
    ("Rebels seize Hama as army pulls back", "Rebels seize Hama as army pulls back"),
    ("# Is Damascus next?", "Is Damascus next?"),
    ("Rebels seized Hama on Thursday, the monitor said.", None),  # a sentence, not a headline
    ("1000+ unique media and news posts every 24 hours…", None),  # boilerplate teaser
    ("December 7, 2024", None),
    ("x" * 250, None),
])
def test_title_from_the_first_line(first_line, title):
    art = infer_metadata(Article(article="t.txt", text=f"{first_line}\nRebels seized Hama on Thursday.\n"))
    assert art.title == title


def test_front_matter_lists_in_yaml_block_style(tmp_path):
    f = tmp_path / "list.md"
    f.write_text("---\ntitle: Hama falls\ncredited:\n  - AFP\n  - Reuters\n---\nRebels took Hama.\n")
    art = only(f)
    assert (art.title, art.credited, art.text) == ("Hama falls", ["AFP", "Reuters"], "Rebels took Hama.\n")


def test_prose_between_horizontal_rules_is_not_front_matter(tmp_path):
    f = tmp_path / "rules.md"
    body = "---\nRebels took Hama on Thursday, residents said.\n---\nThe army denied it.\n"
    f.write_text(body)
    assert only(f).text == body


# --- any bytes ---------------------------------------------------------------------------------------

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_PIECES = st.sampled_from([
    b"---\n", b"title: x\n", b"+++\n", b"{", b"}", b"[", b"]", b'"text": ', b'"', b",", b"<html>", b"<p>",
    b"</p>", b"<script>", b"\xef\xbb\xbf", b"\xff\xfe", b"\x00", b"%PDF-", b"\xe9", b"\xc7\xe1",
    b"Rebels took Hama (Reuters) on Friday.", b"\n", b" ", b"date 2024-12-07 ",
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=st.lists(st.one_of(_PIECES, st.binary(max_size=16)), max_size=16),
       suffix=st.sampled_from([".txt", ".md", ".html", ".json", ".dat"]))
def test_any_bytes_give_articles_or_one_clear_error(tmp_path, parts, suffix):
    f = tmp_path / f"fuzz{suffix}"
    f.write_bytes(b"".join(parts))
    try:
        articles = read_articles(f)
    except ArticleError as err:
        assert err.reason and "\n" not in str(err)
        return
    for art in articles:
        assert art.text.strip()
        assert art.source  # a source label is always present
        assert art.article.startswith("fuzz")


def test_json_text_delivered_as_html_keeps_its_words_not_its_markup(tmp_path):
    f = tmp_path / "api.json"
    f.write_text(json.dumps({"text": "<p>Rebels entered <b>Manbij</b> on Monday.</p><script>alert(1)</script>"
                                     "<p>The SDF denied it.</p>"}))
    text = only(f).text
    assert "Rebels entered Manbij on Monday." in text and "The SDF denied it." in text
    assert "<" not in text and "alert" not in text


def test_lone_surrogates_in_json_are_replaced_not_fatal(tmp_path):
    path = tmp_path / "feed.json"
    path.write_text('{"title": "Hama\\udc00", "text": "Rebels seized Hama. \\ud800 A monitor said so."}', "utf-8")
    (article,) = read_articles(path)
    assert "\ufffd" in article.text and "\ud800" not in article.text and article.title == "Hama\ufffd"
    assert article.content_hash  # the text encodes as UTF-8


# --- the outlet an article names (issue 15) ------------------------------------------------------------


@pytest.mark.parametrize("text, outlet", [
    ("ALBAWABA - Armed groups entered the town of Saraqib on Friday.", "Al Bawaba"),
    ("Armed groups entered the town of Saraqib on Friday.\n\n© 2024 Middle East Eye. All rights reserved.",
     "Middle East Eye"),
    ("Armed groups entered the town of Saraqib on Friday.\nSource: Enab Baladi", "Enab Baladi"),
    ("Armed groups entered the town of Saraqib on Friday.\nCopyright 2024 The National", "The National"),
])
def test_the_outlet_an_article_names_is_its_source_not_the_file_name(tmp_path, text, outlet):
    (tmp_path / "story.txt").write_text(text, encoding="utf-8")
    assert only(tmp_path / "story.txt").source == outlet


def test_an_outlet_named_inside_the_story_is_not_the_publisher(tmp_path):
    text = ("Armed groups entered the town of Saraqib on Friday.\n"
            "A commander told Al Jazeera the town was taken.\nResidents fled north.")
    (tmp_path / "story.txt").write_text(text, encoding="utf-8")
    assert only(tmp_path / "story.txt").source == "story.txt"
