"""The data that flows between medkg's stages.

Source -> Extractor -> Linker -> Assembler -> Sink. Every stage hands the next one of
these frozen Pydantic models, so a typo in a field name fails loudly (``extra="forbid"``)
instead of silently dropping data.

Two keys make writes idempotent, as in INDRA: ``Triple.key`` identifies the fact
(subject, predicate, object) and ``Evidence.key`` identifies one piece of support for it
(the fact plus document plus offsets). The graph MERGEs on both under uniqueness
constraints, so a re-run finds what it wrote before instead of adding copies.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ENTITY_TYPES: tuple[str, ...] = (
    "Chemical",
    "Disease",
    "Gene",
    "Variant",
    "Species",
    "CellLine",
    "Finding",
)
EntityType = Literal["Chemical", "Disease", "Gene", "Variant", "Species", "CellLine", "Finding"]

ASSERTIONS: tuple[str, ...] = (
    "affirmed",
    "negated",
    "uncertain",
    "hypothetical",
    "historical",
    "family",
)
Assertion = Literal["affirmed", "negated", "uncertain", "hypothetical", "historical", "family"]
# Evidence read so is counted but never scored (kg.graph.cypher's aggregates): a sentence that denies
# a relation ("did not cause"), supposes it or tells a relative's history does not claim it;
# "uncertain" and "historical" readings still state it and stay scored.
UNSCORED_ASSERTIONS: tuple[str, ...] = ("negated", "hypothetical", "family")

CURIE_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.-]*:[^\s]+$")


def stable_hash(*parts: object) -> str:
    """A short, stable hex digest of ``parts`` (independent of Python's hash seed)."""
    h = hashlib.sha256()
    for part in parts:
        h.update(str(part).encode("utf-8"))
        h.update(b"\x1f")
    return h.hexdigest()[:32]


def overlaps_any(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    """Whether the text span ``[start, end)`` shares a character with any of ``spans``."""
    return any(s < end and start < e for s, e in spans)


# The extractor of a mention that a lexicon added where the tagger found nothing (kg.extract.dictionary): a
# mention of its concept, for linking and co-mentions, but no party to typed relations. The relation models
# learnt from tagged entities, and the fill-in's generic substances ("salt", "lipids", "androgens") are not
# what BioRED relates: with them as parties, dev BioRED pair + type fell from 0.377 to 0.367, BC5CDR CID 0.484 -> 0.481.
FILL_IN = "lexicon-fill-in"


def outermost(mentions: Sequence[Mention]) -> list[Mention]:
    """The mentions that no longer mention of another concept holds. The "dopamine" of "dopamine
    beta-hydroxylase" (a gene) is a mention of dopamine for recognition and linking, but no party to
    the sentence's relations or co-mentions: the sentence speaks of the enzyme, and pairing the two
    would relate a name to its own head word."""
    return [m for m in mentions
            if not any(o.start <= m.start and m.end <= o.end and o.end - o.start > m.end - m.start
                       and o.concept_id != m.concept_id for o in mentions)]


def validate_curie(value: str) -> bool:
    """True when ``value`` looks like ``PREFIX:LOCAL`` (e.g. ``MESH:D003920``)."""
    return bool(CURIE_RE.match(value))


def assert_valid_curie(value: str) -> str:
    """Return ``value`` or raise ``ValueError`` naming the expected form."""
    if not validate_curie(value):
        raise ValueError(f"{value!r} is not a CURIE; expected PREFIX:LOCAL such as MESH:D003920")
    return value


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Section(_Model):
    """A labelled span of a document's text (e.g. ``METHODS``, ``Family History``)."""

    label: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Document(_Model):
    """One unit of input text: a PubMed citation or a clinical note.

    For PubMed, ``text`` is the title, one space, then the abstract (the PubTator layout),
    so offsets agree with PubTator corpora. ``metadata`` holds source-specific fields
    (journal, dates, MeSH headings, DOI, ...) as plain JSON values.
    """

    id: str
    source: Literal["pubmed", "note", "pubtator", "text"]
    text: str
    title: str = ""
    version: int = 1
    sections: tuple[Section, ...] = ()
    metadata: dict[str, Any] = Field(default_factory=dict)
    # Where a source read it (file, record: "#12 PMID 123", "row 5"), for a quarantine to point at;
    # not part of the document: not hashed, not dumped, never written to the graph.
    origin: tuple[str, str] | None = Field(default=None, exclude=True, repr=False)

    @field_validator("id")
    @classmethod
    def _id_is_curie(cls, v: str) -> str:
        return assert_valid_curie(v)

    def quarantine(self, reason: str, source_name: str) -> Quarantine:
        """This document quarantined: where its source read it, else ``source_name`` and its id."""
        file, record = self.origin or (source_name, self.id)
        return Quarantine(file=file, record=record, reason=reason, id=self.id)

    @property
    def content_hash(self) -> str:
        """Hash of everything that changes what the pipeline would write for this document."""
        return stable_hash(self.id, self.version, self.text, sorted(self.metadata.items()))


class Deletion(_Model):
    """A source says this document no longer exists (PubMed ``DeleteCitation``).

    ``version``: the PubMed Version the deletion names (``<PMID Version="2">``): only that version
    is deleted. None (a deletion that names none, a note's): whichever version is held."""

    id: str
    version: int | None = None


class Quarantine(_Model):
    """A record a source could not turn into a Document, with the reason and where it was."""

    file: str
    record: str
    reason: str
    id: str | None = None


class Candidate(_Model):
    """One ranked guess of which concept a mention denotes."""

    concept_id: str
    score: float = Field(ge=0.0, le=1.0)
    name: str | None = None

    @field_validator("concept_id")
    @classmethod
    def _curie(cls, v: str) -> str:
        return assert_valid_curie(v)


class Mention(_Model):
    """A span of a document that an extractor recognised as an entity."""

    doc_id: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    label: EntityType
    extractor: str
    extractor_version: str
    score: float = Field(default=1.0, ge=0.0, le=1.0)
    assertion: Assertion = "affirmed"
    assertion_cue: str | None = None
    section: str | None = None
    sentence_start: int | None = None
    sentence_end: int | None = None
    candidates: tuple[Candidate, ...] = ()

    @model_validator(mode="after")
    def _span(self) -> Mention:
        if self.end <= self.start:
            raise ValueError(f"mention end {self.end} must be after start {self.start}")
        return self

    @property
    def concept_id(self) -> str | None:
        """The top-ranked candidate, or None for a NIL mention."""
        return self.candidates[0].concept_id if self.candidates else None


def pair_assertion(a: Mention, b: Mention) -> Assertion:
    """The assertion of a statement about two mentions: the first of negated, hypothetical, family,
    uncertain and historical that either mention has, else affirmed.

    The order is how strongly each reading keeps the statement from being a fact about the patient
    now: a negation of either denies it ("no X after Y"), a condition makes it no fact yet ("if he
    develops X after Y"), a relative's is not the patient's ("mother with X and Y"), a hedge is not
    certain ("possible X and Y"), and the past is not current ("history of X on Y"). Only a pair
    whose mentions are both affirmed is affirmed evidence.
    """
    statuses = (a.assertion, b.assertion)
    return next((s for s in ("negated", "hypothetical", "family", "uncertain", "historical") if s in statuses),
                "affirmed")


class Abbreviation(_Model):
    """A short form defined in the text ("5-fluorouracil (5-FU)") and the long form it stands for."""

    short: str
    short_start: int = Field(ge=0)
    short_end: int = Field(ge=0)
    long: str
    long_start: int = Field(ge=0)
    long_end: int = Field(ge=0)


class Concept(_Model):
    """An ontology concept: the node that mentions of every spelling resolve to."""

    id: str
    name: str
    type: EntityType
    synonyms: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()
    source: str = ""
    release: str = ""

    @field_validator("id")
    @classmethod
    def _curie(cls, v: str) -> str:
        return assert_valid_curie(v)


class Triple(_Model):
    """A fact: ``subject -[predicate]-> object`` between two concepts."""

    subject: str
    predicate: str
    object: str

    @property
    def key(self) -> str:
        """Identity hash of the fact; the same for every document that supports it."""
        return stable_hash(self.subject, self.predicate, self.object)


class Support(_Model):
    """Where a relation is read: the sentence (or passage, for a pair the text relates across
    sentences) and the two mention spans, nearest first."""

    sentence: tuple[int, int]
    subject_span: tuple[int, int]
    object_span: tuple[int, int]
    same_sentence: bool
    assertion: Assertion = "affirmed"
    score: float | None = Field(default=None, ge=0.0, le=1.0, description="how likely the sentence states the relation")


class Relation(_Model):
    """A typed, scored, document-level relation between two linked concepts of one document.

    ``type`` is the corpus relation type (``CID``, or a BioRED type such as ``Positive_Correlation``);
    the assembler maps it to a graph relationship type. ``subject`` is the first concept.
    """

    subject: str
    object: str
    type: str
    score: float = Field(ge=0.0, le=1.0)
    novelty: str | None = None
    task: str = ""
    model_version: str = ""
    supports: tuple[Support, ...] = ()


class Evidence(_Model):
    """One sentence of one document supporting a triple."""

    triple: Triple
    doc_id: str
    sentence: str
    sentence_start: int = Field(ge=0)
    subject_span: tuple[int, int]
    object_span: tuple[int, int]
    extractor: str
    extractor_version: str
    score: float = Field(default=1.0, ge=0.0, le=1.0)
    assertion: Assertion = "affirmed"
    year: int | None = Field(default=None, description="publication year: edges keep first/last seen")
    novelty: str | None = Field(default=None, description="BioRED novelty: 'Novel' (the paper's finding) or 'No'")
    retracted: bool = Field(default=False, description="read in a retracted paper: kept, flagged, left out of scores")
    same_sentence: bool = Field(default=True, description="False: a passage of several sentences relates the pair")
    sentence_score: float | None = Field(default=None, ge=0.0, le=1.0,
                                         description="how likely this sentence states the relation (relations only)")

    @property
    def key(self) -> str:
        """Evidence hash: the fact plus where exactly it was read."""
        return stable_hash(self.triple.key, self.doc_id, self.subject_span, self.object_span)


class MentionLink(_Model):
    """Aggregated ``(Document)-[:MENTIONS]->(Concept)`` for one document and concept.

    One count per assertion status, and ``assertion``: the most frequent status (ties go to the
    earlier one in ``ASSERTIONS``), so "denies chest pain" stays visibly negated on the edge.
    """

    doc_id: str
    concept_id: str
    count: int = Field(ge=1)
    texts: tuple[str, ...]
    max_score: float = Field(ge=0.0, le=1.0)
    assertion: Assertion = "affirmed"
    affirmed: int = Field(default=0, ge=0)
    negated: int = Field(default=0, ge=0)
    uncertain: int = Field(default=0, ge=0)
    hypothetical: int = Field(default=0, ge=0)
    historical: int = Field(default=0, ge=0)
    family: int = Field(default=0, ge=0)
    sections: tuple[str, ...] = ()
    extractor: str
    extractor_version: str


class GraphBatch(_Model):
    """Everything the Assembler produced for a batch of documents: what a GraphStore writes.

    ``documents`` are written (MERGE on id); ``concepts`` MERGE on id; ``mentions`` MERGE on
    (doc, concept); ``evidence`` MERGE on ``Evidence.key`` and their triples on ``Triple.key``.
    """

    documents: tuple[Document, ...] = ()
    concepts: tuple[Concept, ...] = ()
    mentions: tuple[MentionLink, ...] = ()
    evidence: tuple[Evidence, ...] = ()
