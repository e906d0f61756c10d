"""The annotated document that flows through the middle of the pipeline, and the component protocol.

Like spaCy's ``Doc``: one text-analysis step (:class:`kg.text.TextAnalyzer`) fills it once with
tokens, sentences, sections and abbreviation pairs; every component after it adds one layer and
reads the others instead of recomputing them:

==================  ==========================================  ===============================
layer               filled by                                   read by
==================  ==========================================  ===============================
tokens, sentences,  ``TextAnalyzer``                            everyone
sections,
abbreviations
mentions            an extractor (``kg.extract``)               linker, tagger, relations
variants            ``kg.extract.rules`` after the extractor  the linker's variant normaliser
mention candidates  the linker (``kg.link``)                    relations, assembler
concepts            the linker                                  assembler
mention assertion   the assertion tagger (``kg.extract``)       relations, assembler
relations           the relation extractor (``kg.relate``)      assembler
curation            curated links (``kg.link.curated``)          the pipeline, for the ledger
==================  ==========================================  ===============================

The carrier is mutable (a layer is replaced as a whole by the component that owns it); what it
holds is frozen (:class:`~kg.models.Mention`, :class:`~kg.models.Concept`, ...).

Every component has one verb, ``pipe``, batched like ``nlp.pipe``, and declares a ``name``, a
``version`` (changes with its weights or data) and ``settings`` (every tunable constant that
changes its output). :func:`fingerprint` hashes all three of every component of a pipeline, so
changing a threshold makes the ledger redo the documents it affects.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Protocol, runtime_checkable

from spacy.tokens import Doc

from kg.models import Abbreviation, Concept, Document, Mention, Relation, Section, stable_hash


class AnnotatedDoc:
    """One document and its annotation layers (see the module docstring)."""

    __slots__ = ("document", "tokens", "sentences", "abbreviations", "mentions", "variants", "concepts", "relations",
                 "curation", "sentence_starts")

    def __init__(
        self,
        document: Document,
        tokens: Doc,
        sentences: tuple[tuple[int, int], ...],
        abbreviations: tuple[Abbreviation, ...] = (),
    ) -> None:
        self.document = document
        self.tokens = tokens  # spaCy Doc: tokens, sentence starts, scispaCy's abbreviation spans
        self.sentences = sentences  # character spans, in order, covering every token
        self.abbreviations = abbreviations
        self.mentions: tuple[Mention, ...] = ()
        # the variant rules' scan of the text (kg.vocab.variants.VariantMention tuples), filled by
        # the extractor's rules for the linker's variant normaliser; None where no rule ran
        self.variants: tuple | None = None
        self.concepts: dict[str, Concept] = {}
        self.relations: tuple[Relation, ...] = ()
        self.curation: tuple[str, ...] = ()  # ids of the curators' link decisions that changed it (kg.link.curated)
        self.sentence_starts = tuple(s for s, _ in sentences)

    @property
    def id(self) -> str:
        return self.document.id

    @property
    def text(self) -> str:
        return self.document.text

    @property
    def sections(self) -> tuple[Section, ...]:
        return self.document.sections

    def sentence_index(self, offset: int) -> int:
        """The index of the sentence holding character ``offset`` (0 before the first one)."""
        return max(bisect.bisect_right(self.sentence_starts, offset) - 1, 0)

    def sentence_of(self, start: int, end: int) -> tuple[int, int]:
        """The span of the sentence(s) holding ``[start, end)``: one sentence, or several when a
        mention crosses a boundary the splitter drew."""
        first, last = self.sentence_index(start), self.sentence_index(max(end - 1, start))
        return min(self.sentences[first][0], start), max(self.sentences[last][1], end)

    def short_forms(self) -> dict[str, str]:
        """Short form -> long form text, for every abbreviation defined in the document."""
        return {a.short: a.long for a in self.abbreviations}

    def __repr__(self) -> str:
        return (f"AnnotatedDoc({self.id!r}, {len(self.tokens)} tokens, {len(self.sentences)} sentences, "
                f"{len(self.mentions)} mentions, {len(self.relations)} relations)")


@runtime_checkable
class Component(Protocol):
    """What every step after text analysis is: extractor, linker, tagger, relation extractor."""

    name: str
    version: str

    @property
    def settings(self) -> Mapping[str, Any]:
        """Every tunable constant that changes the component's output (thresholds, limits, flags)."""
        ...

    def pipe(self, docs: Iterable[AnnotatedDoc], batch_size: int = 256) -> Iterator[AnnotatedDoc]:
        """Add this component's layer to each document, streaming, in input order."""
        ...


def describe(component: Any) -> str:
    """``name@version{settings}``: what the fingerprint is made of, readable in the ledger."""
    settings = dict(getattr(component, "settings", {}) or {})
    return f"{component.name}@{component.version}" + (json.dumps(settings, sort_keys=True, default=str)
                                                       if settings else "")


def fingerprint(components: Iterable[Any]) -> str:
    """One hash of every component's name, version and settings, in pipeline order."""
    return stable_hash(*(describe(c) for c in components))


def batched(items: Iterable, size: int) -> Iterator[list]:
    """Yield lists of up to ``size`` items, keeping memory flat for any input length."""
    chunk: list = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
