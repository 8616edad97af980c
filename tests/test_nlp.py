"""The shared parse: one spaCy pipeline per process, run per sentence, kept on the Document."""
import subprocess
import sys

from geo import nlp
from geo.document import Article, Document
from geo.sentences import split_sentences


def _doc(text: str) -> Document:
    doc = Document(Article("t.txt", text))
    doc.sentences = split_sentences(text)
    return doc


def test_a_sentence_is_parsed_once_and_offsets_are_the_sentences():
    doc = _doc("Rebels took Hama. The army withdrew from Homs.")
    first = nlp.parse(doc, doc.sentences[1:])
    parsed = first[doc.sentences[1].start]
    again = nlp.parse(doc, doc.sentences)
    assert again[doc.sentences[1].start] is parsed  # not parsed a second time
    s = doc.sentences[1]
    homs = next(t for t in parsed if t.text == "Homs")
    assert doc.text[s.start + homs.idx:s.start + homs.idx + 4] == "Homs"
    assert next(t for t in parsed if t.text == "withdrew").lemma_ == "withdraw"


def test_entities_are_added_to_a_parse_made_without_them():
    doc = _doc("Bashar al-Assad fled Damascus on Sunday.")
    parsed = nlp.parse(doc, doc.sentences)[0]
    assert not nlp.has_entities(parsed) and not parsed.ents
    parsed = nlp.parse(doc, doc.sentences, entities=True)[0]
    assert nlp.has_entities(parsed)
    assert ("Damascus", "GPE") in {(e.text, e.label_) for e in parsed.ents}


def test_overlong_and_broken_sentences_do_not_stop_the_parse():
    doc = _doc("Rebels took Hama " + "and more " * 400 + ". Troops left \ud800 Homs.")
    parses = nlp.parse(doc, doc.sentences)
    assert parses[doc.sentences[0].start] is None  # too long: read without syntax
    assert parses[doc.sentences[1].start] is not None


def test_an_unknown_model_name_is_a_clear_error():
    code = "from geo import nlp; nlp.load()"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"FRONTLINE_SPACY_MODEL": "no_such_model_xx", "PATH": "/usr/bin:/bin"})
    assert run.returncode != 0
    assert "no_such_model_xx" in run.stderr and "FRONTLINE_SPACY_MODEL" in run.stderr
