"""Names learned from the training splits of the annotated corpora (never from dev or test).

Every normaliser that learns names reads them here, through
:func:`kg.vocab.corpora.training_documents`, which drops training documents that also occur in a
development split.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.errors import Errors, OntologyError
from kg.sources.pubtator import PubtatorDocument
from kg.vocab.corpora import NOT_TRAINING, TRAIN_CORPORA, training_documents
from kg.vocab.types import entity_type
from ontology.loaders import file_sha256

BIORED_TRAIN = next(c.path for c in TRAIN_CORPORA if c.name == "biored")


def training_path(shared_data: Path, rel: str = BIORED_TRAIN) -> Path:
    """The training corpus file; evaluation splits are refused outright."""
    path = Path(shared_data) / rel
    if NOT_TRAINING.search(path.name):
        raise OntologyError(Errors.E514, path=path)
    return path


def training_docs(shared_data: Path, rel: str = BIORED_TRAIN) -> Iterator[PubtatorDocument]:
    """Training documents minus dev-overlapping ones; none when the corpus is absent."""
    path = training_path(shared_data, rel)
    if path.exists():
        yield from training_documents(path, Path(shared_data))


def learned_names(docs: Iterable[PubtatorDocument], type_: str) -> Counter:
    """(mention text, raw corpus id) -> gold count for single-id mentions of ``type_``."""
    counts: Counter = Counter()
    for doc in docs:
        for a in doc.annotations:
            ids = a.concept_ids
            if entity_type(a.type) == type_ and len(ids) == 1:
                counts[(a.text.strip(), ids[0].strip())] += 1  # BioRED writes some ids with a leading space
    return counts


def inputs_key(*paths: Path) -> str:
    """Digest of the files a normaliser is built from (absent files count as absent)."""
    return ",".join(file_sha256(p)[:16] if p.exists() else "-" for p in paths)
