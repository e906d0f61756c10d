"""The CPU tier: a spaCy NER pipeline that medkg trains itself (``kg.train.ner``).

The model directory is a plain spaCy pipeline (``meta.json``, ``config.cfg``, weights) whose
tokenizer is :func:`kg.text.tokenizer.bio_tokenizer`; importing :mod:`kg.text.tokenizer`
registers it, which is what makes the model loadable. The text analysis makes the tokens in
this model's vocabulary (``vocab``), so the model reads them as they are.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import spacy
from spacy.language import Language

import kg.text.tokenizer  # noqa: F401  (registers the tokenizer the model's config names)
from kg.doc import AnnotatedDoc, batched
from kg.errors import Errors, ModelError
from kg.extract.dictionary import LexiconMatcher, marked_fill_ins
from kg.extract.spans import to_mentions
from kg.models import ENTITY_TYPES
from kg.vocab.lexicon import Lexicon

MODEL_COMPONENTS = ("tok2vec", "ner")


def model_version(path: Path, meta: dict) -> str:
    """``name-version-hash``: the hash covers the weights, so retraining changes the version."""
    digest = hashlib.sha256()
    for f in sorted(p for p in path.rglob("*") if p.is_file() and p.name != "MODEL_CARD.md"):
        digest.update(f.relative_to(path).as_posix().encode())
        digest.update(f.read_bytes())
    return f"{meta.get('name', 'model')}-{meta.get('version', '0')}-{digest.hexdigest()[:12]}"


def load_model(path: str | Path) -> tuple[Language, str]:
    """The trained pipeline (its tok2vec and ner only) and its version."""
    path = Path(path)
    meta_file = path / "meta.json"
    if not meta_file.is_file():
        raise ModelError(Errors.E405, path=path)
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        nlp = spacy.load(path)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelError(Errors.E406, path=path, error=exc) from exc
    if "ner" not in nlp.pipe_names:
        raise ModelError(Errors.E407, path=path, components=nlp.pipe_names)
    for name in [n for n in nlp.pipe_names if n not in MODEL_COMPONENTS]:
        nlp.remove_pipe(name)
    return nlp, model_version(path, meta)


class SpacyNerExtractor:
    """Extractor over a trained spaCy pipeline (the CPU tier).

    With a ``lexicon``, dictionary matches that overlap no predicted entity are added (the
    model wins every overlap). The model misses rare names it never saw in training
    ("etoricoxib", "piperacillin") that MeSH and the training corpora list; the lexicon
    misses what context reveals. On the BC5CDR development abstracts that are in no training
    split the union scores 2 points F1 above the model alone (see models/ner-cpu/MODEL_CARD.md).
    """

    name = "spacy-ner"
    # Documents the model reads at once: its activations grow with the batch (a batch of 500
    # abstracts peaked at 2.6 GB RSS, one of 32 at 0.9 GB) while throughput stays flat beyond ~32.
    MODEL_BATCH = 32

    def __init__(self, model: str | Path, *, lexicon: Lexicon | None = None) -> None:
        self.path = Path(model)
        self.nlp, self.version = load_model(self.path)
        self.vocab = self.nlp.vocab
        self.lexicon = None
        if lexicon is not None:
            self.lexicon = LexiconMatcher(lexicon, self.nlp)
            self.version = f"{self.version}+{self.lexicon.version}"

    @property
    def settings(self) -> dict[str, object]:
        return {"lexicon": self.lexicon is not None}

    def pipe(self, docs: Iterable[AnnotatedDoc], batch_size: int = 256) -> Iterator[AnnotatedDoc]:
        for batch in batched(docs, batch_size):
            tokens = [d.tokens for d in batch]
            for _, component in self.nlp.pipeline:
                tokens = list(component.pipe(tokens, batch_size=self.MODEL_BATCH))
            for doc in batch:
                ents = {(e.start, e.end): e.label_ for e in doc.tokens.ents if e.label_ in ENTITY_TYPES}
                filled = self.lexicon.fill_in(doc, ents) if self.lexicon is not None else set()
                doc.mentions = marked_fill_ins(doc, to_mentions(doc, ents, self.name, self.version), filled)
                yield doc
