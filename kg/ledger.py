"""The run ledger: what happened to every input document, in SQLite in the data directory.

It is what makes re-runs cheap and honest: an unchanged document (same content hash, same
pipeline fingerprint) is skipped; a changed one replaces its evidence; a ``DeleteCitation``
removes it; a record that could not be read is quarantined with its reason.

A PubMed citation is replaced only by a record at least as recent (:meth:`Held.outranks`): a
higher Version, or the same Version with the same or a later DateRevised. An older one (an
earlier file read after a later one) is skipped and counted as superseded, so the graph does not
depend on the order files are read in. A deleted PMID keeps its row as a tombstone (also one never
seen: PubMed never reuses a deleted PMID), and a later-read record of it of the deleted Version or
an earlier one is skipped the same way; the tombstone is permanent. Every run's
summary must reconcile: read = written + skipped + quarantined + deleted. A run stopped by Ctrl-C
records what it committed, marked interrupted.

A ledger describes one graph: "written" means written to that graph. It records which one (store
kind, graph name or Neo4j URI and database: :attr:`kg.config.Settings.graph_identity`) and
:meth:`Ledger.bind_graph` refuses another (E804), and a graph that holds none of the documents it
lists as written (E805), instead of skipping every document forever.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field

from kg.errors import Errors, LedgerError
from kg.models import Document, Quarantine

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
Decision = Literal["new", "changed", "unchanged", "older"]
# The version a tombstone holds when a deletion that names no version removes a PMID never seen: every version.
EVERY_VERSION = 1 << 62

_DDL = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    source TEXT NOT NULL,
    version INTEGER NOT NULL,
    content_hash TEXT,
    pipeline TEXT,
    status TEXT NOT NULL CHECK (status IN ('ok', 'quarantined', 'deleted')),
    reason TEXT,
    run_id INTEGER,
    updated_at TEXT NOT NULL,
    date_revised TEXT  -- PubMed DateRevised (YYYY-MM-DD) of the record written; added in place to older ledgers
);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY AUTOINCREMENT,
    command TEXT NOT NULL,
    inputs TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    summary TEXT
);
CREATE TABLE IF NOT EXISTS quarantine (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL,
    file TEXT NOT NULL,
    record TEXT NOT NULL,
    doc_id TEXT,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS quarantine_run ON quarantine (run_id);
-- which version of an input file a run read: its size and modification time when the run began
CREATE TABLE IF NOT EXISTS run_files (
    run_id INTEGER NOT NULL,
    path TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    PRIMARY KEY (run_id, path)
);
-- curation (kg.curator): the decisions last applied to this graph, as JSON, and which link
-- decisions changed each document when it was last written.
CREATE TABLE IF NOT EXISTS curation_applied (
    decision_id TEXT PRIMARY KEY,
    body TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS curation_documents (
    doc_id TEXT NOT NULL,
    decision_id TEXT NOT NULL,
    PRIMARY KEY (doc_id, decision_id)
);
CREATE INDEX IF NOT EXISTS curation_documents_decision ON curation_documents (decision_id);
-- the pseudonymisation key this data dir's notes were written with, as a keyed hash of a constant
CREATE TABLE IF NOT EXISTS pseudonym_key (
    fingerprint TEXT NOT NULL
);
-- the graph this ledger describes (kg.config.Settings.graph_identity, as JSON): one row, once bound
CREATE TABLE IF NOT EXISTS graph (
    identity TEXT NOT NULL
);
-- which documents retraction notices retract (kept when a notice is deleted or revised: the
-- retraction happened), so that a paper written after its notice is flagged too
CREATE TABLE IF NOT EXISTS retractions (
    doc_id TEXT NOT NULL,
    notice_id TEXT NOT NULL,
    run_id INTEGER,
    PRIMARY KEY (doc_id, notice_id)
);
"""
STALE = "stale:"  # prefix of the pipeline fingerprint of a document a curation decision needs redone


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def describe_graph(identity: Mapping[str, str]) -> str:
    """A graph identity as the messages name it: ``falkordb graph 'medkg'``."""
    store, rest = identity.get("store", "?"), {k: v for k, v in identity.items() if k != "store"}
    return f"{store} " + ", ".join(f"{k} {v!r}" for k, v in rest.items())


def _state(summary: str | None) -> str:
    if summary is None:
        return "unfinished"
    return "interrupted" if json.loads(summary).get("interrupted") else "finished"


# The counts of a RunSummary, in the order to_markdown lists them (seconds and reconciles follow).
_COUNTS = ("read", "written", "revised", "retracted", "skipped", "superseded", "deletions_not_found", "quarantined",
           "deleted", "mentions", "linked_mentions", "evidence", "orphans_deleted")


class RunSummary(BaseModel):
    """Counts for one run. ``reconciles`` is the invariant every run must satisfy."""

    run_id: int | None = None
    read: int = 0
    written: int = 0
    revised: int = Field(default=0, description="written documents that replaced an older version")
    retracted: int = Field(default=0, description="retracted papers (flagged, kept) among the written documents, "
                           "and papers in the graph that a retraction notice flagged")
    skipped: int = 0
    superseded: int = Field(default=0, description="skipped documents that a later copy with the same id in the "
                            "same input replaced (a newer version, a deletion, a repeated note id), and PubMed "
                            "records older than what the graph holds (an earlier Version or DateRevised, or a "
                            "deleted citation)")
    deletions_not_found: int = Field(default=0, description="skipped deletions: the document was not in the graph "
                                     "(never ingested, or deleted before), or the graph holds another Version of "
                                     "it than the one the deletion names, so nothing was removed")
    quarantined: int = 0
    deleted: int = 0
    mentions: int = 0
    linked_mentions: int = 0
    evidence: int = 0
    orphans_deleted: int = Field(default=0, description="concept nodes that only deleted or revised documents "
                                 "mentioned, deleted with them")
    seconds: float = 0.0
    interrupted: bool = Field(default=False, description="stopped by Ctrl-C before the end of its input: the counts "
                              "are of the batches committed before; the same command again finishes the work")

    @property
    def reconciles(self) -> bool:
        return self.read == self.written + self.skipped + self.quarantined + self.deleted

    def to_markdown(self) -> str:
        """The run summary as a Markdown table (for Prefect artifacts and reports)."""
        rows = [(k, getattr(self, k)) for k in _COUNTS]
        rows.append(("seconds", round(self.seconds, 1)))
        rows.append(("reconciles", "yes" if self.reconciles else "NO"))
        return "| count | value |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)

    def add(self, other: RunSummary) -> None:
        for name in _COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass(frozen=True)
class Held:
    """What the ledger holds of a document (or will, once the batches before are committed)."""

    status: str  # ok, deleted (a tombstone) or quarantined
    source: str
    version: int
    date_revised: str | None = None
    content_hash: str | None = None
    pipeline: str | None = None

    @classmethod
    def written(cls, doc: Document, pipeline: str) -> Held:
        return cls("ok", doc.source, doc.version, doc.metadata.get("date_revised"), doc.content_hash, pipeline)

    def outranks(self, doc: Document) -> bool:
        """True when ``doc`` is older than what is held, so must not replace it: PubMed only (both
        sides), a record of a lower Version, or of the same Version with an earlier (or no) DateRevised,
        than the one written; or of the deleted Version or an earlier one, of a deleted citation."""
        if doc.source != "pubmed" or self.source != "pubmed":
            return False
        if self.status == "deleted":
            return doc.version <= self.version
        if self.status == "ok":  # an unknown DateRevised (a ledger from before) decides nothing
            held, incoming = self.date_revised, doc.metadata.get("date_revised")
            if held is None or doc.version != self.version:
                return doc.version < self.version
            return (incoming or "") < held
        return False

    def deletable_by(self, version: int | None) -> bool:
        """A deletion naming ``version`` (None: any) removes this from the graph: written, of that version."""
        return self.status == "ok" and (version is None or version == self.version)


def judge(doc: Document, held: Held | None, pipeline: str) -> Decision:
    """What to do with ``doc`` given what the ledger holds of its id."""
    if held is None or held.status == "quarantined":
        return "new"
    if held.outranks(doc):
        return "older"
    if held.status != "ok":
        return "new"  # nothing of it is in the graph
    if held.content_hash == doc.content_hash and held.pipeline == pipeline:
        return "unchanged"
    return "changed"


def _locked(method):
    """One statement sequence at a time: the pipeline decides in one thread and commits in another."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


class Ledger:
    """SQLite-backed record of every document medkg has seen. Use as a context manager; thread-safe."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False)
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise LedgerError(Errors.E801, path=self.path, version=version, expected=SCHEMA_VERSION)
            self._db.executescript(_DDL)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(documents)")}
            if "date_revised" not in columns:  # a ledger from before: its rows' DateRevised is unknown (NULL)
                self._db.execute("ALTER TABLE documents ADD COLUMN date_revised TEXT")
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.commit()
        except sqlite3.Error as exc:
            raise LedgerError(Errors.E802, path=self.path, error=exc) from exc

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @_locked
    def close(self) -> None:
        self._db.close()

    @_locked
    def pin_pseudonym_key(self, fingerprint: str) -> None:
        """Remember which key (:func:`kg.privacy.key_fingerprint`) this data dir's notes are
        pseudonymised with, and refuse another: its pseudonyms would not match, so every patient
        and note would be written a second time under new ids (E803)."""
        if not self.check_pseudonym_key(fingerprint):
            self._db.execute("INSERT INTO pseudonym_key (fingerprint) VALUES (?)", (fingerprint,))
            self._db.commit()

    @_locked
    def check_pseudonym_key(self, fingerprint: str) -> bool:
        """Whether a key is pinned (:meth:`pin_pseudonym_key`); E803 when it is another than ``fingerprint``."""
        row = self._db.execute("SELECT fingerprint FROM pseudonym_key").fetchone()
        if row is not None and row[0] != fingerprint:
            raise LedgerError(Errors.E803, path=self.path)
        return row is not None

    # the graph it describes -------------------------------------------------------------------
    @_locked
    def graph(self) -> dict[str, str] | None:
        """The identity of the graph this ledger describes; None before its first bound use."""
        row = self._db.execute("SELECT identity FROM graph").fetchone()
        return json.loads(row[0]) if row else None

    @_locked
    def graph_problem(self, identity: Mapping[str, str], documents_in_graph: int) -> LedgerError | None:
        """Why this ledger cannot be used with the graph ``identity`` names, which holds
        ``documents_in_graph`` Document nodes; None when it can. Changes nothing (``medkg stats`` asks).

        Another graph than the one recorded (E804); or a graph with no document while the ledger lists
        some as written to it (E805: its files deleted, its database emptied or replaced), which a
        ledger from before graphs were recorded cannot tell from another graph either; or a graph
        with fewer documents than the ledger lists as written (E806: some lost since).
        """
        recorded = self.graph()
        if recorded is not None and recorded != dict(identity):
            return LedgerError(Errors.E804, path=self.path, recorded=describe_graph(recorded),
                               current=describe_graph(identity))
        written = self.counts().get("ok", 0)
        if written and not documents_in_graph:
            return LedgerError(Errors.E805, path=self.path, current=describe_graph(identity), written=written)
        if documents_in_graph < written:
            return LedgerError(Errors.E806, path=self.path, current=describe_graph(identity), written=written,
                               held=documents_in_graph, missing=written - documents_in_graph)
        return None

    @_locked
    def bind_graph(self, identity: Mapping[str, str], documents_in_graph: int) -> None:
        """Check the ledger can be used with this graph (:meth:`graph_problem`: raised, but a graph that
        lost some documents, E806, is logged as a warning), and record it as the graph the ledger
        describes on first use (a ledger from before adopts it)."""
        problem = self.graph_problem(identity, documents_in_graph)
        if problem is not None and problem.code == "E806":
            # said, not raised: a concurrent run deleting documents shows it for a moment (graph first, then ledger)
            log.warning("%s", problem)
        elif problem is not None:
            raise problem
        if self.graph() is None:
            self._db.execute("INSERT INTO graph (identity) VALUES (?)", (json.dumps(dict(identity), sort_keys=True),))
            self._db.commit()

    # runs -----------------------------------------------------------------------------------
    @_locked
    def start_run(self, command: str, inputs: Sequence[str]) -> int:
        cur = self._db.execute(
            "INSERT INTO runs (command, inputs, started_at) VALUES (?, ?, ?)",
            (command, json.dumps(list(inputs)), _now()),
        )
        self._db.commit()
        return int(cur.lastrowid)

    @_locked
    def finish_run(self, run_id: int, summary: RunSummary) -> None:
        """Record the run's summary and when it ended (an interrupted run too: its summary says so)."""
        self._db.execute(
            "UPDATE runs SET finished_at = ?, summary = ? WHERE run_id = ?",
            (_now(), summary.model_dump_json(), run_id),
        )
        self._db.commit()

    @_locked
    def record_files(self, run_id: int, files: Mapping[str, tuple[int, int]]) -> None:
        """Remember which version of each input file a run read: path -> (size, mtime in ns) when it began."""
        self._db.executemany("INSERT OR REPLACE INTO run_files (run_id, path, size, mtime_ns) VALUES (?, ?, ?, ?)",
                             [(run_id, path, size, mtime) for path, (size, mtime) in files.items()])
        self._db.commit()

    @_locked
    def run_files(self, run_id: int) -> dict[str, tuple[int, int]]:
        """The input files :meth:`record_files` recorded for a run: path -> (size, mtime in ns)."""
        rows = self._db.execute("SELECT path, size, mtime_ns FROM run_files WHERE run_id = ?", (run_id,))
        return {path: (size, mtime) for path, size, mtime in rows}

    # documents ------------------------------------------------------------------------------
    @_locked
    def decide(self, docs: Sequence[Document], pipeline: str) -> dict[str, Decision]:
        """For each document: new, changed (content, version or pipeline differ), unchanged, or older
        than what the ledger holds (:meth:`Held.outranks`: to be skipped)."""
        held = self.held([d.id for d in docs])
        return {d.id: judge(d, held.get(d.id), pipeline) for d in docs}

    @_locked
    def held(self, doc_ids: Sequence[str]) -> dict[str, Held]:
        """What the ledger holds of each of ``doc_ids`` it has a row for."""
        return {r[0]: Held(*r[1:]) for r in self._select_in(
            "SELECT doc_id, status, source, version, date_revised, content_hash, pipeline FROM documents"
            " WHERE doc_id IN ({})", list(doc_ids))}

    @_locked
    def status(self, doc_id: str) -> str | None:
        row = self._rows([doc_id]).get(doc_id)
        return row["status"] if row else None

    @_locked
    def mark_written(self, docs: Iterable[Document], pipeline: str, run_id: int,
                     curation: Mapping[str, Sequence[str]] | None = None) -> None:
        """Record written documents; ``curation``: doc id -> the link decisions that changed it."""
        now = _now()
        docs = list(docs)
        self._db.executemany("DELETE FROM curation_documents WHERE doc_id = ?", [(d.id,) for d in docs])
        self._db.executemany("INSERT INTO curation_documents (doc_id, decision_id) VALUES (?, ?)",
                             [(d.id, c) for d in docs for c in (curation or {}).get(d.id, ())])
        self._db.executemany(
            "INSERT INTO documents (doc_id, source, version, content_hash, pipeline, status, reason, run_id, updated_at,"
            " date_revised) VALUES (?, ?, ?, ?, ?, 'ok', NULL, ?, ?, ?)"
            " ON CONFLICT(doc_id) DO UPDATE SET source=excluded.source, version=excluded.version,"
            " content_hash=excluded.content_hash, pipeline=excluded.pipeline, status='ok', reason=NULL,"
            " run_id=excluded.run_id, updated_at=excluded.updated_at, date_revised=excluded.date_revised",
            [(d.id, d.source, d.version, d.content_hash, pipeline, run_id, now, d.metadata.get("date_revised"))
             for d in docs],
        )
        self._db.commit()

    @_locked
    def mark_deleted(self, doc_ids: Iterable[str], run_id: int, tombstones: Mapping[str, int] | None = None) -> None:
        """Record deletions by the source. ``tombstones``: the PubMed Version each deletion removed (for
        a document never written: the Version it names, or :data:`EVERY_VERSION`), kept in its row
        (a row made for an id never seen) so that a record of that Version or an earlier one read later
        is skipped (:meth:`Held.outranks`); a tombstone's Version only grows. Without one (notes), an id
        never seen gets no row; a deleted note's later copy is written again (only PubMed rows are tombstones)."""
        now = _now()
        doc_ids = list(doc_ids)
        tombstones = tombstones or {}
        self._db.executemany("DELETE FROM curation_documents WHERE doc_id = ?", [(i,) for i in doc_ids])
        self._db.executemany(
            "INSERT INTO documents (doc_id, source, version, content_hash, pipeline, status, reason, run_id, updated_at)"
            " VALUES (?, 'pubmed', ?, NULL, NULL, 'deleted', 'deleted by source', ?, ?)"
            " ON CONFLICT(doc_id) DO NOTHING",
            [(i, tombstones[i], run_id, now) for i in doc_ids if i in tombstones],
        )
        self._db.executemany(
            "UPDATE documents SET version=CASE WHEN ? IS NULL THEN version WHEN status='deleted' THEN max(version, ?)"
            " ELSE ? END, status='deleted', reason='deleted by source', content_hash=NULL, run_id=?,"
            " updated_at=? WHERE doc_id = ?",
            [(tombstones.get(i), tombstones.get(i), tombstones.get(i), run_id, now, i) for i in doc_ids],
        )
        self._db.commit()

    @_locked
    def mark_retractions(self, retractions: Iterable[tuple[str, str]], run_id: int) -> None:
        """Remember which documents written retraction notices retract: (retracted doc id, notice id) pairs."""
        self._db.executemany("INSERT OR IGNORE INTO retractions (doc_id, notice_id, run_id) VALUES (?, ?, ?)",
                             [(doc_id, notice, run_id) for doc_id, notice in retractions])
        self._db.commit()

    @_locked
    def retracted_by_notices(self, doc_ids: Sequence[str]) -> set[str]:
        """Those of ``doc_ids`` that a retraction notice written before retracts."""
        return {r[0] for r in self._select_in("SELECT DISTINCT doc_id FROM retractions WHERE doc_id IN ({})", doc_ids)}

    @_locked
    def quarantine(self, items: Iterable[Quarantine], run_id: int, source: str) -> None:
        """Record quarantined records; those with a document id also get that status."""
        now = _now()
        items = list(items)
        self._db.executemany(
            "INSERT INTO quarantine (run_id, file, record, doc_id, reason, created_at) VALUES (?, ?, ?, ?, ?, ?)",
            [(run_id, q.file, q.record, q.id, q.reason, now) for q in items],
        )
        self._db.executemany(
            "INSERT INTO documents (doc_id, source, version, content_hash, pipeline, status, reason, run_id, updated_at)"
            " VALUES (?, ?, 0, NULL, NULL, 'quarantined', ?, ?, ?)"
            " ON CONFLICT(doc_id) DO UPDATE SET status=CASE WHEN documents.status='ok' THEN 'ok' ELSE 'quarantined' END,"
            " reason=excluded.reason, run_id=excluded.run_id, updated_at=excluded.updated_at",
            [(q.id, source, q.reason, run_id, now) for q in items if q.id],
        )
        self._db.commit()

    @_locked
    def quarantined(self, run_id: int | None = None) -> list[dict]:
        sql = "SELECT run_id, file, record, doc_id, reason FROM quarantine"
        args: tuple = ()
        if run_id is not None:
            sql += " WHERE run_id = ?"
            args = (run_id,)
        cols = ("run_id", "file", "record", "doc_id", "reason")
        return [dict(zip(cols, r, strict=True)) for r in self._db.execute(sql + " ORDER BY id", args)]

    @_locked
    def counts(self) -> dict[str, int]:
        return dict(self._db.execute("SELECT status, count(*) FROM documents GROUP BY status").fetchall())

    @_locked
    def runs(self, last: int = 10) -> list[dict]:
        """The last runs, newest first. ``state``: finished, interrupted (stopped by Ctrl-C; its summary
        counts what it committed) or unfinished (still running, or killed: no summary)."""
        cols = ("run_id", "command", "inputs", "started_at", "finished_at", "summary")
        rows = self._db.execute(f"SELECT {', '.join(cols)} FROM runs ORDER BY run_id DESC LIMIT ?", (last,))
        runs = [dict(zip(cols, r, strict=True)) for r in rows]
        return [{**run, "state": _state(run["summary"])} for run in runs]

    # curation (kg.curator) -------------------------------------------------------------------
    @_locked
    def mark_stale(self, doc_ids: Iterable[str]) -> int:
        """Make written documents "changed" for the next run that reads them (a curation decision
        touches them); their fingerprint is kept behind a prefix. Returns how many were marked."""
        ids = list(dict.fromkeys(doc_ids))
        cur = self._db.executemany(
            "UPDATE documents SET pipeline = ? || coalesce(pipeline, '') WHERE doc_id = ? AND status = 'ok'"
            " AND coalesce(pipeline, '') NOT LIKE ?", [(STALE, i, STALE + "%") for i in ids])
        self._db.commit()
        return cur.rowcount

    @_locked
    def stale(self) -> list[dict]:
        """Documents waiting to be redone for curation: id, source, content hash, the run that wrote them
        and the fingerprint they were written with."""
        cols = ("doc_id", "source", "content_hash", "run_id", "pipeline")
        rows = self._db.execute(f"SELECT {', '.join(cols)} FROM documents WHERE status = 'ok' AND pipeline LIKE ?"
                                " ORDER BY doc_id", (STALE + "%",))
        return [dict(zip(cols, (*r[:4], r[4][len(STALE):]), strict=True)) for r in rows]

    @_locked
    def run_inputs(self, run_id: int) -> tuple[str, list[str]] | None:
        """(command, inputs) of a run."""
        row = self._db.execute("SELECT command, inputs FROM runs WHERE run_id = ?", (run_id,)).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    @_locked
    def documents_changed_by(self, decision_ids: Iterable[str]) -> set[str]:
        """Documents whose last write a link decision changed."""
        return {r[0] for r in self._select_in(
            "SELECT DISTINCT doc_id FROM curation_documents WHERE decision_id IN ({})", list(decision_ids))}

    @_locked
    def curation_applied(self) -> dict[str, str]:
        """Decision id -> its JSON, for the decisions last applied to the graph."""
        return dict(self._db.execute("SELECT decision_id, body FROM curation_applied ORDER BY rowid"))

    @_locked
    def set_curation_applied(self, decisions: Mapping[str, str]) -> None:
        now = _now()
        self._db.execute("DELETE FROM curation_applied")
        self._db.executemany("INSERT INTO curation_applied (decision_id, body, applied_at) VALUES (?, ?, ?)",
                             [(k, v, now) for k, v in decisions.items()])
        self._db.commit()

    @_locked
    def _rows(self, doc_ids: Sequence[str]) -> dict[str, dict]:
        return {doc_id: {"status": status, "content_hash": content_hash, "pipeline": pipeline}
                for doc_id, status, content_hash, pipeline in self._select_in(
                    "SELECT doc_id, status, content_hash, pipeline FROM documents WHERE doc_id IN ({})", doc_ids)}

    def _select_in(self, sql: str, values: Sequence[str]) -> Iterator[tuple]:
        """The rows of ``sql``, whose ``IN ({})`` takes ``values``, asked 900 at a time (SQLite's variable limit)."""
        for i in range(0, len(values), 900):
            chunk = values[i : i + 900]
            yield from self._db.execute(sql.format(",".join("?" * len(chunk))), chunk)
