"""Linkers: fill ``Mention.candidates`` with ranked concept ids, and describe those concepts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Protocol, runtime_checkable

from kg.models import Concept, DocumentMentions


@runtime_checkable
class Linker(Protocol):
    """What the pipeline needs from entity linking: the dictionary now, TF-IDF later.

    A mention left without candidates is NIL: recognised, but not tied to any concept.
    ``name`` and ``version`` go into the pipeline fingerprint, so a new linker redoes documents.
    """

    name: str
    version: str

    def link(self, items: Iterable[DocumentMentions]) -> Iterator[DocumentMentions]: ...

    def concepts(self, ids: Iterable[str]) -> list[Concept]: ...
