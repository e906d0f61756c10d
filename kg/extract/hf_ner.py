"""Any Hugging Face token-classification model as an extractor (the transformer tier).

A user with network access names a hub model ("org/biomedical-ner"); offline users pass a
local directory or a name already in the cache. ``transformers`` is optional: it is imported
only here, and its absence is a :class:`ModelError` that says how to install it.

The model reads one sentence at a time (the text analysis's sentences), because abstracts
often exceed the 512-token window of BERT-sized encoders and sentences never do. Its entity
labels are mapped onto medkg's types (:func:`kg.vocab.types.medkg_type`); a label with no medkg
type is dropped and logged once. Entity spans are widened to whole tokens of the document, so
that abbreviation handling is the same as in the spaCy tier.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.doc import AnnotatedDoc, batched
from kg.errors import Errors, ModelError
from kg.extract.spans import Ents, to_mentions
from kg.models import overlaps_any
from kg.vocab.types import medkg_type

log = logging.getLogger(__name__)


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


class HfNerExtractor:
    """Extractor over ``transformers.pipeline("token-classification")``."""

    name = "hf-ner"
    # The sentences of this many documents go to the model together, sorted by length so that
    # each batch of 16 pads little.
    DOCS_PER_CALL = 32

    def __init__(self, name_or_path: str, *, device: int = -1) -> None:
        if Path(name_or_path).is_dir() and not (Path(name_or_path) / "config.json").is_file():
            raise ModelError(Errors.E401, path=name_or_path)
        try:
            from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline
        except ImportError as exc:
            raise ModelError(Errors.E402, name=name_or_path) from exc
        # huggingface_hub reads HF_HUB_OFFLINE once, at import; asking again here means a
        # variable set later (a notebook, a test) still stops every network attempt.
        hub = {"local_files_only": True} if _offline() else {}
        try:
            tokenizer = AutoTokenizer.from_pretrained(name_or_path, **hub)
            model = AutoModelForTokenClassification.from_pretrained(name_or_path, **hub)
        except (OSError, ValueError, ImportError) as exc:
            where = (
                "HF_HUB_OFFLINE is set, so only local paths and names already in the Hugging Face cache work"
                if _offline()
                else "it is neither a local model directory nor a name the hub could resolve"
            )
            raise ModelError(Errors.E403, name=name_or_path, where=where, error=exc) from exc
        self.classifier = pipeline(
            "token-classification", model=model, tokenizer=tokenizer, aggregation_strategy="simple", device=device
        )
        config = self.classifier.model.config
        self.version = f"{Path(str(config._name_or_path)).name}-{getattr(config, '_commit_hash', None) or 'local'}"
        self._unmapped: set[str] = set()

    @property
    def settings(self) -> dict[str, object]:
        return {"docs_per_call": self.DOCS_PER_CALL}

    def pipe(self, docs: Iterable[AnnotatedDoc], batch_size: int = 256) -> Iterator[AnnotatedDoc]:
        for chunk in batched(docs, self.DOCS_PER_CALL):
            sents = [[d.text[s:e] for s, e in d.sentences] for d in chunk]
            texts = [t for doc_sents in sents for t in doc_sents]
            order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
            by_length = self.classifier([texts[i] for i in order], batch_size=16) if texts else []
            results: list = [None] * len(texts)
            for i, found in zip(order, by_length, strict=True):
                results[i] = found
            outputs = iter(results)
            for doc in chunk:
                found = [next(outputs) for _ in doc.sentences]
                doc.mentions = to_mentions(doc, self._ents(doc, found), self.name, self.version)
                yield doc

    def _ents(self, doc: AnnotatedDoc, outputs: list) -> Ents:
        ents: Ents = {}
        for (sent_start, _), found in zip(doc.sentences, outputs, strict=True):
            for ent in found:
                label = medkg_type(ent["entity_group"])
                if label is None:
                    if ent["entity_group"] not in self._unmapped:
                        self._unmapped.add(ent["entity_group"])
                        log.warning("NER label %r has no medkg entity type; its mentions are dropped", ent["entity_group"])
                    continue
                span = doc.tokens.char_span(sent_start + ent["start"], sent_start + ent["end"], alignment_mode="expand")
                if span is not None and not overlaps_any(span.start, span.end, ents):
                    ents[(span.start, span.end)] = label
        return ents
