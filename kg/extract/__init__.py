"""Extractors: Documents in, DocumentMentions out (spans with entity types, no concepts yet)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

from kg.models import Document, DocumentMentions


@runtime_checkable
class Extractor(Protocol):
    """What the pipeline needs from an NER component: the dictionary now, a trained model later.

    ``name`` and ``version`` are stamped on every Mention so the graph can tell which
    extractor (and which lexicon or model weights) produced what.
    """

    name: str
    version: str

    def extract(self, docs: Iterable[Document], batch_size: int = 256) -> Iterator[DocumentMentions]: ...
