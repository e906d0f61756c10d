"""Any Hugging Face token-classification model as an extractor (the transformer tier).

A user with network access names a hub model ("org/biomedical-ner"); offline users pass a
local directory or a name already in the cache. ``transformers`` is optional: it is imported
only here, and its absence is a :class:`ModelError` that says how to install it.

The model reads one sentence at a time (from :func:`kg.nlp.blank_pipeline`), because
abstracts often exceed the 512-token window of BERT-sized encoders and sentences never do.
Its entity labels are mapped onto medkg's types with the corpus mapping
(``DiseaseOrPhenotypicFeature`` -> ``Disease``); a label with no medkg type is dropped and
logged once. Entity spans are widened to whole tokens so that abbreviation handling is the
same as in the spaCy tier.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from spacy.tokens import Doc

from kg.errors import ModelError
from kg.extract.spacy_ner import to_mentions
from kg.models import ENTITY_TYPES, Document, DocumentMentions, Mention
from kg.nlp import blank_pipeline
from kg.sources.pubtator import entity_type

log = logging.getLogger(__name__)


def medkg_type(label: str) -> str | None:
    """medkg's type for a model label: "B-Chemical", "ChemicalEntity" and "chemical" all -> Chemical."""
    bare = label.split("-", 1)[1] if label[:2] in ("B-", "I-", "E-", "S-", "L-", "U-") else label
    if bare in ENTITY_TYPES:
        return bare
    if mapped := entity_type(bare):
        return mapped
    by_lower = {t.lower(): t for t in ENTITY_TYPES}
    return by_lower.get(bare.lower())


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
            raise ModelError(
                f"{name_or_path} is a directory but neither a spaCy model (meta.json) "
                "nor a Hugging Face model (config.json)"
            )
        try:
            from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline
        except ImportError as exc:
            raise ModelError(
                f"NER model {name_or_path!r} needs the optional package 'transformers'",
                hint="pip install 'transformers<5' torch; or use the CPU tier (models/ner-cpu) or 'dictionary'.",
            ) from exc
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
            raise ModelError(f"cannot load NER model {name_or_path!r}: {where} ({exc})") from exc
        self.pipe = pipeline(
            "token-classification", model=model, tokenizer=tokenizer, aggregation_strategy="simple", device=device
        )
        config = self.pipe.model.config
        self.version = f"{Path(str(config._name_or_path)).name}-{getattr(config, '_commit_hash', None) or 'local'}"
        self.nlp = blank_pipeline()
        self._unmapped: set[str] = set()

    def extract(self, docs: Iterable[Document], batch_size: int = 256) -> Iterator[DocumentMentions]:
        pairs = ((d.text, d) for d in docs)
        chunk: list[tuple[Doc, Document]] = []
        for item in self.nlp.pipe(pairs, as_tuples=True, batch_size=batch_size):
            chunk.append(item)
            if len(chunk) == self.DOCS_PER_CALL:
                yield from self._chunk(chunk)
                chunk = []
        yield from self._chunk(chunk)

    def _chunk(self, chunk: list[tuple[Doc, Document]]) -> Iterator[DocumentMentions]:
        sents = [list(sdoc.sents) for sdoc, _ in chunk]
        texts = [s.text for doc_sents in sents for s in doc_sents]
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        by_length = self.pipe([texts[i] for i in order], batch_size=16) if texts else []
        results: list = [None] * len(texts)
        for i, found in zip(order, by_length, strict=True):
            results[i] = found
        outputs = iter(results)
        for (sdoc, document), doc_sents in zip(chunk, sents, strict=True):
            found = [next(outputs) for _ in doc_sents]
            yield DocumentMentions(document=document, mentions=tuple(self._mentions(sdoc, document.id, doc_sents, found)))

    def _mentions(self, doc: Doc, doc_id: str, sents: list, outputs: list) -> list[Mention]:
        ents: dict[tuple[int, int], str] = {}
        for sent, found in zip(sents, outputs, strict=True):
            for ent in found:
                label = medkg_type(ent["entity_group"])
                if label is None:
                    if ent["entity_group"] not in self._unmapped:
                        self._unmapped.add(ent["entity_group"])
                        log.warning("NER label %r has no medkg entity type; its mentions are dropped", ent["entity_group"])
                    continue
                span = doc.char_span(
                    sent.start_char + ent["start"], sent.start_char + ent["end"], alignment_mode="expand"
                )
                if span is not None and not any(s < span.end and span.start < e for s, e in ents):
                    ents[(span.start, span.end)] = label
        return to_mentions(doc, doc_id, ents, self.name, self.version)
