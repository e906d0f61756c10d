"""Picks the extractor a spec names.

- ``"dictionary"``: the lexicon baseline;
- a medkg BiLSTM-CRF directory (has ``tagger.json``, :mod:`kg.extract.ner_cpu`): the CPU tier;
- a spaCy model directory (has ``meta.json``): the previous CPU tier; ``DIR+dictionary`` adds
  the lexicon's matches where the model found nothing (either kind of directory);
- anything else: a Hugging Face token-classification model (local path or hub name).

With no spec, medkg uses the CPU tier shipped in ``models/ner-cpu``, with the lexicon unless
the model's tuned settings leave it out, when the model is there (a checkout without it falls
back to the dictionary baseline).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from kg.config import REPO_ROOT, Settings
from kg.doc import Component
from kg.errors import Errors, ModelError

DEFAULT_MODEL = REPO_ROOT / "models" / "ner-cpu"
DICTIONARY = "dictionary"
WITH_DICTIONARY = "+dictionary"


def default_spec() -> str:
    """The shipped CPU model (plus the lexicon unless its settings say ``"dictionary": false``), else ``"dictionary"``."""
    tagger = DEFAULT_MODEL / "tagger.json"
    if tagger.is_file():
        # The tuned settings say whether the lexicon fill-in helps this model on dev.
        settings = json.loads(tagger.read_text(encoding="utf-8")).get("settings", {})
        return str(DEFAULT_MODEL) + (WITH_DICTIONARY if settings.get("dictionary", True) else "")
    return str(DEFAULT_MODEL) + WITH_DICTIONARY if (DEFAULT_MODEL / "meta.json").is_file() else DICTIONARY


def load_extractor(spec: str | None, settings: Settings) -> Component:
    """The extractor for ``spec`` (None: :func:`default_spec`).

    Raises :class:`kg.errors.ModelError` when a model cannot be loaded (e.g. a hub name
    while ``HF_HUB_OFFLINE=1``) and :class:`kg.errors.OntologyError` when the dictionary's
    inputs are missing.
    """
    spec = spec or default_spec()
    if spec == DICTIONARY:
        from kg.extract.dictionary import DictionaryExtractor

        return DictionaryExtractor(lexicon(settings))
    model, plus_lexicon = (spec.removesuffix(WITH_DICTIONARY), True) if spec.endswith(WITH_DICTIONARY) else (spec, False)
    if (Path(model) / "tagger.json").is_file():
        from kg.extract.ner_cpu import NerCpuExtractor

        return NerCpuExtractor(model, lexicon=lexicon(settings) if plus_lexicon else None)
    if (Path(model) / "meta.json").is_file():
        from kg.extract.spacy_ner import SpacyNerExtractor

        return SpacyNerExtractor(model, lexicon=lexicon(settings) if plus_lexicon else None)
    if plus_lexicon:
        raise ModelError(Errors.E404, spec=spec, suffix=WITH_DICTIONARY)
    from kg.extract.hf_ner import HfNerExtractor

    return HfNerExtractor(spec)


@cache
def lexicon(settings: Settings):
    """The lexicon (built from the shared files on first use), loaded once per process: the
    dictionary fill-in and the rules that ask it for names (:mod:`kg.extract.rules`) share it."""
    from kg.vocab.lexicon import load_lexicon

    return load_lexicon(settings.shared_data, cache_dir=settings.cache_path)
