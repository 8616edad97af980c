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


def test_the_fast_attribute_ruler_gives_what_spacys_gives():
    # Words the ruler has exceptions for ("gonna", "ain't", "got", "there were"), spaces, and
    # ordinary news prose: every token attribute must be the stock pipeline's.
    texts = [
        "The militia said it was gonna hold the bridge, but by noon fighters had got across it.",
        "There were reports that  government troops ain't leaving Qamishli, let's see, y'all.",
        "Officials said the convoy, which gets fuel from Turkey, reached the Euphrates crossing.",
        "REBELS SAID THEY WERE IN CONTROL OF THE AIRPORT\n\nand the army denied it.",
    ]
    model = nlp.load()
    ruler = nlp.FastAttributeRuler.wrap(model.get_pipe("attribute_ruler"))
    assert isinstance(ruler, nlp.FastAttributeRuler)  # the model's rules are of the kind it copies

    def signature(d):
        return [(t.text, t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, str(t.morph), t.ent_type_) for t in d]

    stock = [signature(d) for d in model.pipe(texts)]
    ours = [signature(d) for d in nlp.run_pipeline(model, texts, entities=True)]
    assert ours == stock
    gonna = next(t for t in nlp.run_pipeline(model, texts[:1])[0] if t.text == "gon")
    assert gonna.lemma_ == "go"  # a two-token rule ("gon na") applied
