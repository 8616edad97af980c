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


def test_the_fast_attribute_ruler_and_lemmatizer_give_what_spacys_give():
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
    assert any(isinstance(proc, nlp.MemoLemmatizer) for _, proc in nlp._steps(model))

    def signature(d):
        return [(t.text, t.tag_, t.pos_, t.dep_, t.head.i, t.lemma_, str(t.morph), t.ent_type_) for t in d]

    stock = [signature(d) for d in model.pipe(texts)]
    ours = [signature(d) for d in nlp.run_pipeline(model, texts, entities=True)]
    assert ours == stock
    again = [signature(d) for d in nlp.run_pipeline(model, texts, entities=True)]  # from the memos
    assert again == stock
    gonna = next(t for t in nlp.run_pipeline(model, texts[:1])[0] if t.text == "gon")
    assert gonna.lemma_ == "go"  # a two-token rule ("gon na") applied



def test_the_numpy_matrix_product_gives_the_analyses_of_spacy_as_shipped():
    # Frontline's pipeline multiplies with NumPy instead of thinc's BLIS (faster on this kind of
    # machine); the tags, trees and entities must be those of the pipeline as spaCy loads it.
    import spacy
    from thinc.backends.numpy_ops import NumpyOps

    texts = [
        "Opposition fighters said on Tuesday they had pushed government troops out of three villages "
        "west of the city, a claim the defence ministry in Damascus rejected as propaganda.",
        "Kurdish-led forces withdrew from the town overnight and handed the checkpoint to local police.",
        "Witnesses saw dozens of armoured vehicles heading south on the highway toward the border crossing.",
    ]
    model = nlp.load()
    ops = {type(node.ops).__name__ + str(getattr(node.ops, "use_blis", "")) for _, proc in model.pipeline
           if hasattr(getattr(proc, "model", None), "walk") for node in proc.model.walk()}
    assert ops == {"NumpyOpsFalse"}  # every layer runs on NumPy's product
    shipped = spacy.load(nlp.model_name())
    assert any(isinstance(node.ops, NumpyOps) and node.ops.use_blis for node in shipped.get_pipe("tok2vec").model.walk())

    def signature(d):
        return [(t.text, t.tag_, t.dep_, t.head.i, t.lemma_, t.ent_type_, t.ent_iob_) for t in d]

    assert [signature(d) for d in model.pipe(texts)] == [signature(d) for d in shipped.pipe(texts)]


def test_one_pass_with_entities_for_some_texts_gives_what_two_passes_give():
    texts = [
        "Turkish-backed fighters entered Tal Rifaat after a week of shelling, residents said.",
        "Omar Barry, a shopkeeper in Jableh, said the road to Latakia was open again.",
        "The convoy left Deir ez-Zor at dawn.",
    ]
    model = nlp.load()

    def signature(d):
        return [(t.text, t.tag_, t.dep_, t.head.i, t.lemma_, t.ent_type_) for t in d], nlp.has_entities(d)

    mixed = nlp.run_pipeline(model, texts, entities=[True, False, True])
    apart = {0: nlp.run_pipeline(model, [texts[0]], entities=True)[0],
             1: nlp.run_pipeline(model, [texts[1]])[0],
             2: nlp.run_pipeline(model, [texts[2]], entities=True)[0]}
    assert [signature(d) for d in mixed] == [signature(apart[i]) for i in range(3)]
    assert nlp.has_entities(mixed[0]) and mixed[0].ents  # the flagged ones were read for names
    assert not nlp.has_entities(mixed[1]) and not mixed[1].ents  # the other one was not



def test_lemmas_of_inflected_words_are_spacys_from_a_cold_start():
    # Every word here is new to the process's memo: each lemma comes from the rules, read with the
    # word indexes as sets; it must be the stock lemmatizer's, for every part of speech.
    model = nlp.load()
    texts = ["The larger militias retook villages and fled across wider valleys on Thursdays.",
             "Mice were shelled; geese flew; the fiercest brigades had been regrouping near dams.",
             "She was quicker than the busier agencies, whose analyses proved the better ones."]
    lemmatizer = model.get_pipe("lemmatizer")
    memo = nlp.MemoLemmatizer(lemmatizer)
    ours = [memo(d) for d in model.pipe(texts, disable=["lemmatizer", "ner"])]
    stock = list(model.pipe(texts, disable=["ner"]))
    assert [[t.lemma_ for t in d] for d in ours] == [[t.lemma_ for t in d] for d in stock]
    assert {"village", "flee", "mouse", "regroup", "agency", "valley"} <= {t.lemma_ for d in ours for t in d}


ARTICLES = [
    "Rebel fighters seized the town of Saraqib on Tuesday, a war monitor said. "
    "Government troops withdrew from nearby villages overnight.",
    "The Syrian army said it had retaken Hama after days of fighting. Residents fled toward Homs.",
    "Kurdish-led forces pulled out of Manbij, a spokesman told reporters on Friday.",
    "Prices rose in Damascus markets. Opposition groups advanced toward the outskirts of Homs, state media said.",
]


def test_articles_sharing_the_parse_get_the_claims_they_get_alone(monkeypatch):
    from geo.document import Article
    from geo.pipeline import process

    def claims_of(article_text: str, name: str) -> list[tuple]:
        doc = process(Article(name, article_text))
        return [(c.place, c.event_type, c.actor, c.claimant, c.evidence) for c in doc.claims]

    alone = [claims_of(t, f"{i}.txt") for i, t in enumerate(ARTICLES)]
    assert any(alone)  # the articles do report events: the comparison below means something
    passes = []
    real = nlp.run_pipeline

    def counting(model, texts, **kw):
        passes.append(len(texts))
        return real(model, texts, **kw)

    monkeypatch.setattr(nlp, "run_pipeline", counting)
    jobs = [lambda t=t, i=i: claims_of(t, f"{i}.txt") for i, t in enumerate(ARTICLES)]
    together = list(nlp.SharedParse(window=8).imap(jobs))
    assert together == alone
    # Four articles, two stages each: the sentences went in a few shared passes, not one per request.
    assert len(passes) < len(ARTICLES) and max(passes) > 2


def test_a_slow_job_does_not_hold_back_the_others_and_errors_come_in_their_place(monkeypatch):
    import threading
    import time

    monkeypatch.setattr(nlp.SharedParse, "STALL_SECONDS", 0.1)
    others_done = threading.Event()

    def slow() -> str:
        return "slow saw the others" if others_done.wait(20) else "slow waited alone"

    def parses() -> int:
        doc = _doc("Rebels took Hama. The army withdrew from Homs.")
        n = len(nlp.parse(doc, doc.sentences))
        others_done.set()
        return n

    def broken() -> None:
        raise ValueError("a bad file")

    started = time.monotonic()
    results = nlp.SharedParse().imap([slow, parses, broken])
    assert next(results) == "slow saw the others"
    assert next(results) == 2
    try:
        next(results)
    except ValueError as exc:
        assert "a bad file" in str(exc)
    else:
        raise AssertionError("the job's error was not raised")
    assert time.monotonic() - started < 10



def test_a_job_left_to_run_on_its_own_still_gets_its_parse_and_the_turn_goes_on(monkeypatch):
    import threading

    monkeypatch.setattr(nlp.SharedParse, "STALL_SECONDS", 0.1)
    others_done = threading.Event()

    def slow_then_parses() -> str:
        others_done.wait(20)  # holds the turn past the stall time, then asks for a parse
        doc = _doc("Rebels took Hama. The army withdrew from Homs.")
        parsed = nlp.parse(doc, doc.sentences)[doc.sentences[1].start]
        return next(t.lemma_ for t in parsed if t.text == "withdrew")

    def quick(i: int):
        def run() -> int:
            doc = _doc(f"Troops entered Saraqib on day {i}.")
            n = len(nlp.parse(doc, doc.sentences))
            if i == 3:
                others_done.set()
            return n
        return run

    results = list(nlp.SharedParse(window=8).imap([slow_then_parses] + [quick(i) for i in range(4)]))
    assert results == ["withdraw", 1, 1, 1, 1]


def test_a_caller_that_stops_reading_leaves_no_job_waiting():
    import threading
    import time

    before = threading.active_count()

    def job(i: int):
        def run() -> int:
            doc = _doc(f"Rebels took Hama on day {i}. The army withdrew from Homs.")
            nlp.parse(doc, doc.sentences)
            nlp.parse(doc, doc.sentences, entities=True)
            return i
        return run

    results = nlp.SharedParse(window=4).imap(job(i) for i in range(8))
    assert next(results) == 0
    results.close()
    deadline = time.monotonic() + 10
    while threading.active_count() > before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert threading.active_count() == before
