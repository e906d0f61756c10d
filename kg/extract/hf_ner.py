"""Any Hugging Face token-classification model as an extractor (the transformer tier).

A user with network access names a hub model ("org/biomedical-ner"); offline users pass a
local directory or a name already in the cache. ``transformers`` is optional: it is imported
only here, and its absence is a :class:`ModelError` that says how to install it.

The model reads one sentence at a time (the text analysis's sentences), because abstracts
often exceed the 512-token window of BERT-sized encoders and sentences never do. Its entity
labels are mapped onto medkg's types (:func:`kg.vocab.types.medkg_type`); a label with no medkg
type is dropped and logged once, and a model with no label that maps (a base encoder's
LABEL_0, LABEL_1...) is refused at load. A local model's version hashes its files. Entity
spans are widened to whole tokens of the document, so that abbreviation handling is the same
as in the spaCy tier.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.doc import AnnotatedDoc, batched
from kg.errors import Errors, ModelError
from kg.extract.spans import Ents, to_mentions
from kg.models import ENTITY_TYPES, overlaps_any
from kg.vocab.types import medkg_type

log = logging.getLogger(__name__)


def _offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on")


_HUB_NAME = re.compile(r"[\w.-]+(/[\w.-]+)?")


def looks_like_path(spec: str) -> bool:
    """Whether ``spec`` is meant as a local path rather than a hub name: absolute, ``./``, ``../``,
    ``~``, or with a path separator in a form no hub name has (a hub name is ``name`` or ``namespace/name``)."""
    if spec.startswith(("~", "./", "../", ".\\", "..\\")) or Path(spec).is_absolute():
        return True
    has_separator = os.sep in spec or (os.altsep is not None and os.altsep in spec)
    return has_separator and _HUB_NAME.fullmatch(spec) is None


# Files of a local model folder that make the model: weights, config, tokenizer (training logs,
# READMEs and checkpoint sub-folders are left out, so that they do not change the version).
_MODEL_FILE_SUFFIXES = (".json", ".safetensors", ".bin", ".txt", ".model", ".pt", ".pth", ".msgpack", ".h5")
# Files up to this size are hashed whole (blake2b reads ~1 GB/s: a BERT-base is under half a
# second); larger ones by their size and three samples of _SAMPLE bytes (start, middle, end).
_WHOLE_FILE_LIMIT = 512 * 1024 * 1024
_SAMPLE = 4 * 1024 * 1024


def local_model_digest(folder: Path) -> str:
    """A short content hash of the model files of ``folder`` (names, sizes and bytes)."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(p for p in folder.iterdir() if p.is_file() and p.suffix in _MODEL_FILE_SUFFIXES):
        size = path.stat().st_size
        digest.update(f"{path.name}\0{size}\0".encode())
        with path.open("rb") as fh:
            if size <= _WHOLE_FILE_LIMIT:
                while block := fh.read(1 << 20):
                    digest.update(block)
            else:
                for offset in (0, (size - _SAMPLE) // 2, size - _SAMPLE):
                    fh.seek(offset)
                    digest.update(fh.read(_SAMPLE))
    return digest.hexdigest()


def _check_labels(name: str, config) -> None:
    """Refuses a model none of whose labels maps to a medkg entity type (a base encoder's
    LABEL_0, LABEL_1..., or another domain's labels): it would find nothing, silently."""
    labels = [str(label) for label in (getattr(config, "id2label", None) or {}).values()]
    if not any(medkg_type(label) for label in labels if label != "O"):
        shown = ", ".join(labels[:12]) + (f" ... ({len(labels)} in all)" if len(labels) > 12 else "")
        raise ModelError(Errors.E416, name=name, labels=shown or "none", expected=", ".join(ENTITY_TYPES))


class HfNerExtractor:
    """Extractor over ``transformers.pipeline("token-classification")``."""

    name = "hf-ner"
    # The sentences of this many documents go to the model together, sorted by length so that
    # each batch of 16 pads little.
    DOCS_PER_CALL = 32

    def __init__(self, name_or_path: str, *, device: int = -1) -> None:
        if name_or_path.startswith("~"):
            name_or_path = os.path.expanduser(name_or_path)
        local = Path(name_or_path).is_dir()
        if not local and looks_like_path(name_or_path):
            # Not a hub name: the hub would only answer "Repo id must be in the form ...".
            problem = "is a file, not a model folder" if Path(name_or_path).exists() else "does not exist"
            raise ModelError(Errors.E418, path=name_or_path, problem=problem)
        if local and not (Path(name_or_path) / "config.json").is_file():
            raise ModelError(Errors.E401, path=name_or_path)
        try:
            from transformers import AutoConfig, AutoModelForTokenClassification, AutoTokenizer, pipeline
        except ImportError as exc:
            raise ModelError(Errors.E402, name=name_or_path) from exc
        # huggingface_hub reads HF_HUB_OFFLINE once, at import; asking again here means a
        # variable set later (a notebook, a test) still stops every network attempt.
        hub = {"local_files_only": True} if _offline() else {}
        try:
            # The config first: its labels say whether the model can be used at all, before the
            # weights are read.
            config = AutoConfig.from_pretrained(name_or_path, **hub)
            _check_labels(name_or_path, config)
            tokenizer = AutoTokenizer.from_pretrained(name_or_path, **hub)
            model = AutoModelForTokenClassification.from_pretrained(name_or_path, config=config, **hub)
        except ModelError:
            raise
        except Exception as exc:  # noqa: BLE001 - safetensors, torch and JSON errors have no common base
            if local or not isinstance(exc, (OSError, ValueError, ImportError)):
                # Files that are there but do not load: damaged, truncated or incomplete.
                raise ModelError(Errors.E417, path=name_or_path, error=f"{type(exc).__name__}: {exc}") from exc
            where = (
                "HF_HUB_OFFLINE is set, so only local paths and names already in the Hugging Face cache work"
                if _offline()
                else "it is neither a local model directory nor a name the hub could resolve (with no network, "
                "set HF_HUB_OFFLINE=1 so that this fails at once rather than after the hub's retries)"
            )
            raise ModelError(Errors.E403, name=name_or_path, where=where, error=exc) from exc
        self.classifier = pipeline(
            "token-classification", model=model, tokenizer=tokenizer, aggregation_strategy="simple", device=device
        )
        # A local folder's name says little (`medkg train ner` always writes OUTPUT/model): its
        # version carries a hash of its files, so that another model changes the pipeline's
        # fingerprint. A hub model is pinned by its commit.
        revision = (
            local_model_digest(Path(name_or_path))
            if local
            else getattr(model.config, "_commit_hash", None) or "local"
        )
        self.version = f"{Path(name_or_path.rstrip('/' + os.sep)).name}-{revision}"
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
