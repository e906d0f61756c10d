"""The GraphStore interface (the pipeline's Sink) and the write logic both backends share.

A backend supplies three things: its DDL (``ensure_schema``), a way to run one Cypher
statement (``_run``) and ``close``. Everything else (how a GraphBatch becomes MERGEs, how
aggregates are recomputed, how a document is deleted, the read-only guard) lives here once, so
FalkorDB and Neo4j cannot drift apart in what they write.

A store writes and deletes what it is given; it decides nothing about documents (whether one
was revised is the pipeline's call, from the ledger). Three derived views are recomputed only
when asked, as named steps after writes: patients' findings (:meth:`GraphStore.refresh_findings`),
corpus statistics (:meth:`GraphStore.refresh_statistics`) and the curation flags of some edges
and concepts (:meth:`GraphStore.refresh_curation`; aggregates always leave rejected evidence out).
Flagging the papers a retraction notice retracts (:meth:`GraphStore.flag_retracted`) is such a step too.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from kg.config import Settings
from kg.curation import Curation
from kg.errors import Errors, QueryError
from kg.graph import curation as curated
from kg.graph import cypher, rows
from kg.graph.schema import Schema
from kg.models import GraphBatch

# The database counters both backends report into WriteStats (named as in Neo4j's summary).
DB_COUNTERS = (
    "nodes_created",
    "nodes_deleted",
    "relationships_created",
    "relationships_deleted",
    "properties_set",
    "labels_added",
)


@dataclass
class WriteStats:
    """What one ``write`` (or delete) did: rows sent per kind, and the database's own counters.

    On an idempotent re-run the row counts stay the same while ``nodes_created`` and
    ``relationships_created`` drop to zero.
    """

    documents_written: int = 0
    concepts_written: int = 0
    mentions_written: int = 0
    evidence_written: int = 0
    triples_written: int = 0
    nodes_created: int = 0
    nodes_deleted: int = 0
    relationships_created: int = 0
    relationships_deleted: int = 0
    properties_set: int = 0
    labels_added: int = 0

    def add(self, counters: Mapping[str, int]) -> None:
        for f in fields(self):
            if f.name in counters:
                setattr(self, f.name, getattr(self, f.name) + int(counters[f.name]))

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Deleted:
    """What ``delete_documents`` removed: how many of the documents were in the graph, the
    patients whose notes were among them (their findings need a refresh), and the concepts they
    mentioned (those nothing refers to any more are for :meth:`GraphStore.delete_orphan_concepts`)."""

    found: int = 0
    patients: tuple[str, ...] = ()
    concepts: tuple[str, ...] = ()


@dataclass
class Result:
    """One statement's records (column name -> plain Python value) and the server's update counters."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    counters: dict[str, int] = field(default_factory=dict)


class GraphStore(ABC):
    """Where GraphBatches go. Use as a context manager so an embedded server is stopped.

    ``query`` returns plain values: nodes as ``{"labels": [...], "properties": {...}}``,
    relationships as ``{"type": ..., "properties": {...}}``, paths as
    ``{"nodes": [...], "relationships": [...]}``; backends must convert to this shape.
    """

    def __init__(self, settings: Settings, schema: Schema | None = None) -> None:
        self.settings = settings
        self.schema = schema or Schema.load()
        for label in ("Document", "Concept", "Evidence"):
            self.schema.label(label)
        for rel in ("MENTIONS", "IN_DOCUMENT"):
            self.schema.rel_type(rel)

    # ----------------------------------------------------------------- backend primitives

    @abstractmethod
    def ensure_schema(self) -> None:
        """Create uniqueness constraints and indexes; safe to call on every start."""

    @abstractmethod
    def _run(self, statement: str, params: dict[str, Any] | None = None, *, write: bool) -> Result:
        """Run one statement; raise QueryError when rejected, GraphUnavailableError when unreachable."""

    @abstractmethod
    def close(self) -> None:
        """Release connections (and stop a server this process started)."""

    def missing_graph(self) -> str | None:
        """Why the graph this store names is not there, in words; None when it is. A read of a graph that is
        not there answers nothing (and creates none), so a command that only reads asks first: a mistyped
        graph name must not look like a graph with nothing in it. None by default: Neo4j refuses a statement
        for a database it lacks with an error of its own (E755)."""
        return None

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------------- shared logic

    def _batched(self, statement: str, items: Sequence[Any], stats: WriteStats, name: str = "rows") -> list[dict]:
        out: list[dict] = []
        for chunk in rows.chunks(items, self.settings.write_batch_size):
            result = self._run(statement, {name: list(chunk)}, write=True)
            stats.add(result.counters)
            out.extend(result.rows)
        return out

    def write(self, batch: GraphBatch) -> WriteStats:
        """MERGE everything in ``batch`` on its keys, then recompute the touched triples' aggregates.

        Every label and predicate is checked against the schema before anything is written, so a
        bad one fails the batch without leaving half of it behind.
        """
        stats = WriteStats()
        docs = [rows.document_row(d) for d in rows.dedupe(batch.documents, lambda d: d.id)]
        concept_groups = rows.concept_rows(self.schema, batch.concepts)
        mention_rows = rows.mention_rows(batch.mentions)
        evidence_rows = rows.evidence_rows(self.schema, batch.evidence)
        triple_groups = rows.triple_rows(self.schema, evidence_rows)

        self._batched(cypher.UPSERT_DOCUMENTS, docs, stats)
        for label, group in concept_groups.items():
            self._batched(cypher.upsert_concepts(self.schema, label), group, stats)
        self._batched(cypher.UPSERT_MENTIONS, mention_rows, stats)
        self._write_patients(batch, stats)
        self._batched(cypher.UPSERT_EVIDENCE, evidence_rows, stats)
        for predicate, group in triple_groups.items():  # after the evidence: aggregates read it
            self._batched(cypher.upsert_triples(self.schema, predicate), group, stats)

        stats.documents_written = len(docs)
        stats.concepts_written = sum(len(g) for g in concept_groups.values())
        stats.mentions_written = len(mention_rows)
        stats.evidence_written = len(evidence_rows)
        stats.triples_written = sum(len(g) for g in triple_groups.values())
        return stats

    def _write_patients(self, batch: GraphBatch, stats: WriteStats) -> None:
        """Notes get the Note label and a HAS_NOTE link from their patient."""
        notes = [d for d in batch.documents if d.source == "note"]
        if not notes:
            return
        self._batched(cypher.label_documents(self.schema, "Note"), [d.id for d in notes], stats, "ids")
        links = [{"patient": d.metadata["patient"], "doc_id": d.id} for d in notes if d.metadata.get("patient")]
        self._batched(cypher.UPSERT_PATIENT_NOTES, links, stats)

    def refresh_findings(self, patients: Sequence[str]) -> WriteStats:
        """Recompute the patient-level ``HAS_FINDING`` edges of ``patients`` from their notes' mentions;
        a patient left with no note (its notes deleted, withdrawn or moved to another patient) is
        deleted, as a fresh ingest of what is left would not have it."""
        stats = WriteStats()
        if patients:
            self._batched(cypher.DELETE_FINDINGS_OF_PATIENTS, list(patients), stats, "ids")
            self._batched(cypher.refresh_findings_of_patients(self.schema), list(patients), stats, "ids")
            self._batched(cypher.DELETE_PATIENTS_WITHOUT_NOTES, list(patients), stats, "ids")
        return stats

    def delete_documents(self, doc_ids: Sequence[str], keep_nodes: bool = False) -> Deleted:
        """Remove what these documents contributed.

        Their Evidence and MENTIONS go, and every triple they supported is recomputed from the
        evidence left (or deleted when none is left). ``keep_nodes=True`` keeps the Document
        nodes, for a revised record that is about to be written again (its link to its patient
        goes: the write links it to the patient it names now). Patients' findings are not touched
        here: refresh them for the returned patients.
        """
        ids = list(dict.fromkeys(doc_ids))
        if not ids:
            return Deleted()
        stats = WriteStats()
        found = sum(r["n"] for r in self._batched(cypher.COUNT_DOCUMENTS, ids, stats, "ids"))
        triples = self._batched(cypher.TRIPLES_OF_DOCUMENTS, ids, stats, "ids")
        patients = [r["id"] for r in self._batched(cypher.PATIENTS_OF_DOCUMENTS, ids, stats, "ids")]
        concepts = [r["id"] for r in self._batched(cypher.CONCEPTS_OF_DOCUMENTS, ids, stats, "ids")]
        self._batched(cypher.DELETE_EVIDENCE_OF_DOCUMENTS, ids, stats, "ids")
        self._batched(cypher.DELETE_MENTIONS_OF_DOCUMENTS, ids, stats, "ids")
        self._reaggregate(triples, stats, prune=True)
        if keep_nodes:
            self._batched(cypher.DELETE_PATIENT_LINKS_OF_DOCUMENTS, ids, stats, "ids")
        else:
            self._batched(cypher.DELETE_DOCUMENTS, ids, stats, "ids")
        return Deleted(found=found, patients=tuple(patients), concepts=tuple(sorted(set(concepts))))

    def flag_retracted(self, doc_ids: Sequence[str]) -> int:
        """Flag these documents retracted, as if they had been written so: a retraction notice names
        them, and they may have been written before it. The Document gets ``retracted = true``, its
        Evidence too, and every triple that evidence supports is recomputed (retracted evidence is
        counted, not scored). Ids not in the graph are ignored; what is flagged already is not
        touched, so flagging again sets nothing. Returns how many documents were flagged now.
        """
        ids = list(dict.fromkeys(doc_ids))
        if not ids:
            return 0
        stats = WriteStats()
        flagged = sum(r["n"] for r in self._batched(cypher.FLAG_RETRACTED_DOCUMENTS, ids, stats, "ids"))
        triples = self._batched(cypher.UNFLAGGED_TRIPLES_OF_DOCUMENTS, ids, stats, "ids")
        self._batched(cypher.FLAG_RETRACTED_EVIDENCE, ids, stats, "ids")
        self._reaggregate(triples, stats, prune=False)
        return flagged

    def _reaggregate(self, triples: Sequence[dict], stats: WriteStats, *, prune: bool) -> None:
        """Recompute the aggregates of these triples (dicts with triple_key/predicate/subject/object)
        from their evidence now; ``prune``: delete those no evidence supports any more."""
        for predicate, group in rows.triple_rows(self.schema, triples).items():
            self._batched(cypher.refresh_triples(self.schema, predicate), group, stats)
            self._batched(cypher.clear_unaccepted_triples(self.schema, predicate),
                          [{**r, "curated": False} for r in group], stats)
            if prune:
                self._batched(cypher.delete_unsupported_triples(self.schema, predicate), group, stats)

    def refresh_curation(self, curation: Curation, triples: Sequence[dict] = (),
                         concepts: Sequence[str] = ()) -> WriteStats:
        """Make these edges and concepts say what ``curation`` says now: a named step, like the refreshes.

        ``triples``: dicts with triple_key/predicate/subject/object. Their Evidence flags are set
        afresh (every evidence of a rejected edge, and each rejected evidence), their aggregates
        recomputed from the evidence left (none left: no aggregates, see cypher's curation block) and
        their status set. ``concepts``: kept ids whose ``aliases`` (same_as) are set afresh.
        """
        stats = WriteStats()
        groups = rows.triple_rows(self.schema, triples)  # the predicates are checked before anything is written
        keys = [r["key"] for group in groups.values() for r in group]
        if keys:
            self._batched(cypher.CURATION_CLEAR_EVIDENCE, keys, stats, "keys")
            self._batched(cypher.CURATION_REJECT_EDGE_EVIDENCE, curated.rejected_edge_rows(curation, keys), stats)
            self._batched(cypher.CURATION_REJECT_EVIDENCE, curated.rejected_evidence_rows(curation, keys), stats)
        for predicate, group in groups.items():
            self._batched(cypher.refresh_triples(self.schema, predicate), group, stats)
            self._batched(cypher.clear_unaccepted_triples(self.schema, predicate),
                          [{**r, "curated": True} for r in group], stats)
            marks = curated.edge_rows(curation, ({"triple_key": r["key"], **r} for r in group))
            self._batched(cypher.curation_mark_triples(self.schema, predicate), marks, stats)
        if concepts:
            self._batched(cypher.CURATION_SET_ALIASES, curated.alias_rows(curation, concepts), stats)
        return stats

    def delete_orphan_concepts(self, ids: Sequence[str]) -> int:
        """Delete the Concept nodes of ``ids`` that no relationship touches; returns how many went.

        For ids a caller knows may have lost their last reference: the concepts of deleted or
        revised documents (:class:`Deleted`), an alias curation merged away, a wrongly linked id. A
        fresh ingest of what is left would not have them; other concepts are never deleted.
        """
        stats = WriteStats()
        self._batched(cypher.DELETE_ORPHAN_CONCEPTS, list(ids), stats, "ids")
        return stats.nodes_deleted

    def refresh_statistics(self) -> None:
        """Concept document counts and co-occurrence NPMI: global, so recomputed once per run, not per batch."""
        for statement in (cypher.RESET_CONCEPT_DOC_COUNTS, cypher.REFRESH_CONCEPT_DOC_COUNTS,
                          cypher.refresh_npmi(self.schema)):
            self._run(statement, write=True)

    def query(self, statement: str, params: dict[str, Any] | None = None, *, write: bool = False) -> list[dict]:
        """Run user Cypher. Read-only unless ``write=True``: a write clause is refused before it is sent."""
        if not write:
            clause = cypher.write_clause(statement)
            if clause:
                raise QueryError(Errors.E751, clause=clause)
        return self._run(statement, params, write=write).rows

    def counts(self) -> dict[str, dict[str, int]]:
        """Nodes per schema label and relationships per schema type (zeros included), for reconciling runs."""
        nodes = {label: self._count(cypher.count_label(self.schema, label)) for label in self.schema.labels}
        rels = {rel: self._count(cypher.count_rel_type(self.schema, rel)) for rel in self.schema.relationships}
        return {"nodes": nodes, "relationships": rels}

    def document_count(self) -> int:
        """Document nodes in the graph: one count, for the ledger's check that the graph holds what it
        lists as written (``kg.components.open_ledger``)."""
        return self._count(cypher.count_label(self.schema, "Document"))

    def _count(self, statement: str) -> int:
        rows_ = self._run(statement, write=False).rows
        return int(rows_[0]["n"]) if rows_ else 0  # FalkorDB answers nothing for a graph not yet created
