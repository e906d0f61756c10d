"""Source -> text analysis -> components -> Assembler -> GraphStore, with the ledger keeping count.

:class:`Annotator` is the middle: the text analysis and the components, in order. ``medkg
annotate`` and ``medkg evaluate`` run it alone; :class:`Pipeline` wraps the same Annotator with
the ledger, the assembler and the graph store, and is what ``medkg ingest`` and the Prefect flows
run. ``Pipeline.run`` streams a source; the flows call its steps (``prepare``: ledger check;
``analyse``: annotation and assembly, pure CPU work; ``commit``: graph write then ledger, the only
I/O) as separate tasks so that only the I/O step retries. Both keep batches in input order with
:meth:`Pipeline.in_order`.

Revision handling lives in :meth:`Pipeline.commit`, once: the ledger says which documents
changed since they were written, and their old evidence is deleted before the new is written.
Curation (``kg.curation``) acts in two places: link decisions in the chain (``kg.link.curated``,
whose changes per document the ledger records), and edge decisions as a refresh of the curated
edges a commit wrote (:meth:`GraphStore.refresh_curation`).
The graph store only writes and deletes; refreshing patients' findings and the corpus
statistics are explicit steps after a write, and so is flagging the papers a retraction notice
retracts (:meth:`GraphStore.flag_retracted`), whichever of the two was written first.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any

from kg.assemble import Assembler
from kg.curation import CurationSource
from kg.doc import AnnotatedDoc, Component, batched, fingerprint
from kg.errors import Errors, MedkgError, ModelError
from kg.graph.curation import batch_targets
from kg.ledger import EVERY_VERSION, Held, Ledger, RunSummary, judge
from kg.models import Deletion, Document, GraphBatch, Quarantine
from kg.sources.pubmed import mark_retracted
from kg.text.analyzer import TextAnalyzer

log = logging.getLogger(__name__)

Item = Document | Deletion | Quarantine


def kept(q: Quarantine) -> Quarantine:
    """``q``, a broken new version of a document the graph holds, saying that the old one stays there."""
    return q.model_copy(update={"reason": f"{q.reason}; the version written before stays in the graph"})


def retractions_of(documents: Iterable[Document]) -> list[tuple[str, str]]:
    """(retracted document id, notice id) for each PMID the retraction notices among ``documents`` retract."""
    return [(f"PMID:{pmid}", d.id) for d in documents if d.source == "pubmed"
            for pmid in d.metadata.get("retraction_of") or ()]


class Annotator:
    """Text analysis, then each component in order: what turns Documents into AnnotatedDocs.

    A batch that breaks a component is retried one document at a time, so only the document
    that breaks it is lost (and reported as quarantined), never its neighbours.
    """

    def __init__(self, analyzer: TextAnalyzer, components: Sequence[Component], *, source_name: str = "text") -> None:
        self.analyzer = analyzer
        self.components = list(components)
        self.source_name = source_name

    @property
    def parts(self) -> list:
        return [self.analyzer, *self.components]

    def preload(self) -> None:
        """Load what the components would otherwise load on first use (``preload()``, where a component
        has one: the lexicon and gene index the extractor's rules ask, the linker's normalisers).
        A run does it before forking its workers, so that they share those pages instead of each
        building or reading its own, and before freezing the loaded objects out of the collector.

        Only a head start: where it fails (a vocabulary file missing), the component loads on first
        use as it would have, and fails there, on the documents that need it."""
        for component in self.components:
            if callable(preload := getattr(component, "preload", None)):
                try:
                    preload()
                except MedkgError as exc:
                    log.warning("%s: nothing preloaded (%s); it loads on first use", component.name, exc)

    def annotate(self, documents: Sequence[Document]) -> tuple[list[AnnotatedDoc], list[Quarantine]]:
        """The annotated documents (input order) and a quarantine record for each that failed."""
        try:
            return self._run(documents), []
        except Exception:  # noqa: BLE001 - isolate the bad document, then quarantine only it
            log.warning("a batch of %d documents failed; retrying one by one", len(documents), exc_info=True)
        done: list[AnnotatedDoc] = []
        failed: list[Quarantine] = []
        for document in documents:
            try:
                done.extend(self._run([document]))
            except Exception as exc:  # noqa: BLE001
                failed.append(document.quarantine(Errors.E340.reason(error=repr(exc)), self.source_name))
        return done, failed

    def stream(self, documents: Iterable[Document], batch_size: int = 256,
               failed: list[Quarantine] | None = None) -> Iterator[AnnotatedDoc]:
        """Annotate a stream batch by batch; documents that fail are logged, left out, and added to ``failed``."""
        for chunk in batched(documents, batch_size):
            done, failures = self.annotate(chunk)
            for q in failures:
                log.warning("left out %s: %s", q.record, q.reason)
            if failed is not None:
                failed.extend(failures)
            yield from done

    def _run(self, documents: Sequence[Document]) -> list[AnnotatedDoc]:
        size = max(len(documents), 1)
        stream: Iterable[AnnotatedDoc] = self.analyzer.pipe(documents, batch_size=size)
        for component in self.components:
            stream = component.pipe(stream, batch_size=size)
        return list(stream)


@dataclass
class Prepared:
    """One batch after the ledger has been asked: what to analyse, what to skip, what to drop."""

    new: list[Document] = field(default_factory=list)
    changed: list[Document] = field(default_factory=list)
    skipped: int = 0
    superseded: int = 0  # of skipped: earlier copies a later item of the same id in the batch replaces
    quarantined: list[Quarantine] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)  # to remove from the graph (and mark deleted in the ledger)
    tombstones: dict[str, int] = field(default_factory=dict)  # of deletions: the PubMed Version the ledger remembers
    not_found: int = 0  # deletions naming another Version than the one held: nothing to remove
    held: dict[str, Held] = field(default_factory=dict)  # what the ledger will hold of each id once committed
    read: int = 0
    batch_no: int = 0
    last_share: bool = True  # see shares(): only the batch's last share ends it

    @property
    def to_analyse(self) -> list[Document]:
        return self.new + self.changed

    def supersede(self, doc_id: str, why: str = "appears again later in the input: the later copy replaces "
                  "the earlier") -> None:
        """Count an earlier copy of ``doc_id`` in this batch, replaced by a later one, as skipped (or
        a record older than what the graph holds, ``why`` says)."""
        log.info("%s %s", doc_id, why)
        self.skipped += 1
        self.superseded += 1

    def shares(self, n: int) -> list[Prepared]:
        """The batch committed in ``n`` shares, one per part analysed, in order, so that the first
        part is written while the last is still analysed. Each share counts its part as read (so a
        run stopped between two shares still reconciles); the other counts, quarantine and deletions
        go with the last share: deletions after every write of the batch (a batch never holds both a
        document and its deletion: :meth:`Pipeline.prepare` keeps the later), and only the last
        share tells ``Pending`` that the batch is in the ledger."""
        if n <= 1:
            return [self]
        early = replace(self, skipped=0, superseded=0, quarantined=[], deletions=[], tombstones={}, not_found=0,
                        read=0, last_share=False)
        return [early] * (n - 1) + [self]


@dataclass
class Analysed:
    batch: GraphBatch
    written: list[Document]
    quarantined: list[Quarantine]
    mentions: int = 0
    linked_mentions: int = 0
    worker: int = 0  # the process that analysed the batch
    curation: dict[str, tuple[str, ...]] = field(default_factory=dict)  # doc id -> link decisions that changed it


class Pipeline:
    """An Annotator and an Assembler, plus the store and ledger they write to."""

    def __init__(
        self,
        *,
        annotator: Annotator,
        assembler: Assembler,
        store,
        ledger: Ledger,
        batch_size: int = 500,
        max_doc_chars: int = 200_000,
        source_name: str = "pubmed",
        retracted: frozenset[str] = frozenset(),
        curation: CurationSource | None = None,
    ) -> None:
        self.annotator = annotator
        self.retracted = retracted  # PMIDs of the retraction list; the XML may predate a retraction
        self.curation = curation
        self.assembler = assembler
        self.store = store
        self.ledger = ledger
        self.batch_size = batch_size
        self.max_doc_chars = max_doc_chars
        self.source_name = source_name
        self.fingerprint = fingerprint([*annotator.parts, assembler])

    # -- the steps ----------------------------------------------------------------------------
    def prepare(self, items: Sequence[Item], pending: Pending | None = None) -> Prepared:
        """Sort a batch of source items, and ask the ledger which documents need work.

        ``pending``: versions in earlier batches that are prepared but not yet committed. The
        ledger does not know them yet, but they will be in the graph (or deleted from it) by
        the time this batch is committed, so they decide instead.

        The items are taken in input order against what the graph will hold (:class:`Held`), as if each
        were committed alone: a PubMed record older than that (:meth:`Held.outranks`) is skipped as
        superseded; a deletion removes what is held unless it names another Version (then it is not
        found); of several copies of an id the last that counts is kept, the others are superseded.
        """
        p = Prepared(read=len(items))
        ids = list(dict.fromkeys(i.id for i in items if isinstance(i, (Document, Deletion)) or
                                 (isinstance(i, Quarantine) and i.id)))
        ahead = pending.held(ids) if pending is not None else {}  # before the ledger: see Pending.held
        state: dict[str, Held] = {**self.ledger.held([i for i in ids if i not in ahead]), **ahead}
        start = dict(state)  # what the graph holds before this batch
        docs: dict[str, Document] = {}
        for item in items:
            if isinstance(item, Quarantine):
                p.quarantined.append(item)
            elif isinstance(item, Deletion):
                self._delete(p, item, state, docs)
            elif not item.text.strip():
                p.quarantined.append(item.quarantine(Errors.E341.reason(), self.source_name))
            elif len(item.text) > self.max_doc_chars:
                p.quarantined.append(item.quarantine(
                    Errors.E342.reason(length=len(item.text), limit=self.max_doc_chars), self.source_name))
            else:
                item = mark_retracted(item, self.retracted)
                held = state.get(item.id)
                if held is not None and held.outranks(item):
                    gone = "deleted" if held.status == "deleted" else f"held at Version {held.version}"
                    p.supersede(item.id, f"Version {item.version} (revised {item.metadata.get('date_revised')}) "
                                f"is older than the citation {gone}: skipped")
                    continue
                if item.id in docs:  # a later version in the same batch supersedes the earlier one
                    p.supersede(item.id)
                if item.id in p.deletions:  # re-added after its deletion: the deletion is superseded
                    p.deletions.remove(item.id)
                    p.supersede(item.id)
                p.tombstones.pop(item.id, None)  # written after the deletion: no tombstone over it
                docs[item.id] = item
                state[item.id] = Held.written(item, self.fingerprint)
        # a broken new version of a document the graph holds (a note blanked or grown past the limit in its
        # CSV, a damaged record) changes nothing there: said, so that nobody takes the old one for the new
        p.quarantined = [kept(q) if q.id and q.id not in docs and (held := state.get(q.id)) and held.status == "ok"
                         else q for q in p.quarantined]
        for doc in docs.values():
            decision = judge(doc, start.get(doc.id), self.fingerprint)
            if decision == "unchanged":
                p.skipped += 1
            elif decision == "changed":
                p.changed.append(doc)
            else:
                p.new.append(doc)
        p.held = {i: state[i] for i in ids if i in state and state[i] != start.get(i)}
        return p

    def _delete(self, p: Prepared, item: Deletion, state: dict[str, Held], docs: dict[str, Document]) -> None:
        """A deletion in :meth:`prepare`: it removes what ``state`` holds of its id, written before or
        earlier in the batch, unless it names another PubMed Version (then it is not found and changes
        nothing). A PubMed deletion of what is not held leaves a tombstone of the Version it names."""
        held = state.get(item.id)
        if held is not None and not held.deletable_by(item.version):
            if held.status == "ok":  # another Version is held: it stays
                log.info("%s: the deletion names Version %s, the graph holds Version %s: nothing removed",
                         item.id, item.version, held.version)
                p.not_found += 1
                return
        if item.id in docs:  # deleted later in the same batch: the earlier copy is superseded
            docs.pop(item.id)
            p.supersede(item.id)
        if item.id in p.deletions:  # deleted twice in the batch: the second finds nothing
            p.not_found += 1
        else:
            p.deletions.append(item.id)
        if held is not None and held.status == "ok":
            version = held.version  # the Version removed
        else:  # nothing held: the Version named, or every one; a tombstone's Version only grows
            version = item.version if item.version is not None else EVERY_VERSION
            if held is not None and held.status == "deleted":
                version = max(version, held.version)
        source = held.source if held is not None and held.status != "quarantined" else self.source_name
        state[item.id] = Held("deleted", source, version)
        if source == "pubmed":  # other sources keep no tombstone: a later copy of a deleted note is new
            p.tombstones[item.id] = version

    def analyse(self, docs: Sequence[Document]) -> Analysed:
        """Annotate and assemble. A document that breaks a component is quarantined alone."""
        annotated, quarantined = self.annotator.annotate(docs)
        return Analysed(
            batch=self.assembler.assemble(annotated),
            written=[d.document for d in annotated],
            quarantined=quarantined,
            mentions=sum(len(d.mentions) for d in annotated),
            linked_mentions=sum(1 for d in annotated for m in d.mentions if m.concept_id),
            worker=os.getpid(),
            curation={d.id: d.curation for d in annotated if d.curation},
        )

    def commit(self, prepared: Prepared, analysed: Analysed | None, run_id: int) -> RunSummary:
        """Write to the graph, then the ledger (only after the graph write succeeded).

        A revised document (the ledger says it changed since it was written) loses its old
        evidence first; deletions are applied after the write, so a later DeleteCitation wins.
        Then the findings of every patient whose notes were touched are recomputed, and the concepts
        that only the deleted or revised documents' old versions mentioned are deleted, as a fresh
        ingest of the same input would not have them.

        A paper a retraction notice retracts is written as its source gives it and flagged after the
        write (:meth:`_flag_retracted`), whether the notice is in this batch or came before: so the
        paper ends the same, content hash included, in whichever order the two arrive, and a re-run
        finds both unchanged. (Flagged in ``prepare`` instead, its content hash would depend on the order.)
        """
        s = RunSummary(read=prepared.read, skipped=prepared.skipped, superseded=prepared.superseded)
        patients: set[str] = set()
        mentioned: set[str] = set()  # concepts of deleted and revised documents: some may be left orphans
        quarantined = list(prepared.quarantined)
        if analysed is not None:
            # the part of the batch analysed for this share is read with it; the last share reads the rest
            part = len(analysed.written) + len(analysed.quarantined)
            s.read += (part - len(prepared.to_analyse)) if prepared.last_share else part
            changed = {d.id for d in prepared.changed}
            revised = [d.id for d in analysed.written if d.id in changed]
            deleted = self.store.delete_documents(revised, keep_nodes=True)
            patients.update(deleted.patients)
            mentioned.update(deleted.concepts)
            self.store.write(analysed.batch)
            self._curate(analysed.batch)
            retractions = retractions_of(analysed.written)
            flagged = self._flag_retracted(analysed.written, retractions)
            patients.update(d.metadata["patient"] for d in analysed.written if d.metadata.get("patient"))
            self.ledger.mark_written(analysed.written, self.fingerprint, run_id, curation=analysed.curation)
            self.ledger.mark_retractions(retractions, run_id)
            s.written = len(analysed.written)
            s.revised = len(revised)
            s.retracted = sum(1 for d in analysed.written if d.metadata.get("retracted")) + flagged
            s.mentions, s.linked_mentions = analysed.mentions, analysed.linked_mentions
            s.evidence = len(analysed.batch.evidence)
            quarantined += [kept(q) if q.id in changed else q for q in analysed.quarantined]  # E340
        if prepared.deletions:
            deleted = self.store.delete_documents(prepared.deletions)
            patients.update(deleted.patients)
            mentioned.update(deleted.concepts)
            self.ledger.mark_deleted(prepared.deletions, run_id, prepared.tombstones)
            s.deleted = deleted.found  # a deletion of a document the graph never had removed nothing
            s.deletions_not_found = len(prepared.deletions) - deleted.found
        s.deletions_not_found += prepared.not_found  # and those naming another Version than the one held
        s.skipped += s.deletions_not_found
        if patients:
            self.store.refresh_findings(sorted(patients))
        if mentioned:  # after the write and the findings: only what nothing refers to any more goes
            s.orphans_deleted = self.store.delete_orphan_concepts(sorted(mentioned))
        if quarantined:
            for q in quarantined:
                log.warning("quarantined %s record %s: %s", q.file, q.record, q.reason)
            self.ledger.quarantine(quarantined, run_id, self.source_name)
            s.quarantined = len(quarantined)
        return s

    def _flag_retracted(self, written: Sequence[Document], retractions: Sequence[tuple[str, str]]) -> int:
        """Flag the papers retraction notices retract, whichever came first: those the batch's notices
        name (in the graph from an earlier run, or this batch), and the batch's papers that a notice
        written before names. Returns how many papers were flagged now (a re-flag counts nothing)."""
        named = {doc_id for doc_id, _ in retractions} | self.ledger.retracted_by_notices([d.id for d in written])
        return self.store.flag_retracted(sorted(named)) if named else 0

    def _curate(self, batch: GraphBatch) -> None:
        """The curation flags of what the batch wrote (its evidence was written afresh, without them)."""
        curation = self.curation.current() if self.curation is not None else None
        if curation:
            triples, concepts = batch_targets(curation, batch)
            if triples or concepts:
                self.store.refresh_curation(curation, triples, concepts)

    def in_order(
        self, items: Iterable[Item], pending: Pending, submit: Callable[[Prepared, int], Any], ahead: int
    ) -> Iterator[tuple[Prepared, Any, int]]:
        """Prepare each batch of ``items`` against the ledger, hand it to ``submit(prepared, batch_no)``
        (which starts its analysis), and yield ``(prepared, submit's result, batch_no)`` oldest first,
        keeping at most ``ahead`` batches submitted beyond the one yielded. The caller commits what
        it is given before the next batch is prepared, so commits follow the input order."""
        window: deque[tuple[Prepared, Any, int]] = deque()
        for batch_no, chunk in enumerate(batched(items, self.batch_size)):
            prepared = self.prepare(chunk, pending)
            pending.add(prepared)
            window.append((prepared, submit(prepared, batch_no), batch_no))
            while len(window) > ahead:
                yield window.popleft()
        while window:
            yield window.popleft()

    # -- the whole run ------------------------------------------------------------------------
    def run(
        self,
        items: Iterable[Item],
        *,
        command: str,
        inputs: Sequence[str],
        on_progress: Callable[[RunSummary], None] | None = None,
        workers: int = 1,
    ) -> RunSummary:
        """Stream ``items`` in batches through the pipeline; return counts that reconcile.

        Batches are prepared here (the ledger), analysed here or by ``workers`` forked processes
        that share the loaded components, and written by one writer thread in input order while
        later batches are analysed, so a DeleteCitation or a revised record later in the input
        still wins. ``self.worker_documents`` counts the documents each worker process analysed.

        Ctrl-C stops the run cleanly: the batches handed to the writer are committed, the workers shut
        down, and the run is recorded as interrupted with what it committed; :class:`Interrupted`
        carries that summary. A second Ctrl-C while the writer is still at work stops at once, as a
        kill would (the run is left unfinished; the same command again redoes what is missing).
        """
        started = time.perf_counter()
        run_id = self.ledger.start_run(command, inputs)
        total = RunSummary(run_id=run_id)
        pending = Pending()
        self.worker_documents: Counter[int] = Counter()

        def done(summary: RunSummary) -> None:
            total.add(summary)
            total.seconds = time.perf_counter() - started
            if on_progress:
                on_progress(total)

        analysers, committer = Analysers(self, workers), Committer(self, run_id, pending, done)
        try:
            # The workers are forked before the writer thread starts: a fork copies only the thread that makes it.
            with analysers, committer:
                for prepared, futures, _ in self.in_order(
                    items, pending, lambda prepared, _: analysers.submit(prepared.to_analyse), analysers.in_flight
                ):
                    if not futures:
                        committer.submit(prepared, None)
                        continue
                    for share, future in zip(prepared.shares(len(futures)), futures, strict=True):
                        part = future.result()
                        self.worker_documents[part.worker] += len(part.written)
                        committer.submit(share, part)
        except KeyboardInterrupt as exc:
            if committer.writing:  # interrupted again while the last batches were committed
                raise
            total.interrupted = True
            total.seconds = time.perf_counter() - started
            self.finish(total)
            raise Interrupted(total) from exc
        total.seconds = time.perf_counter() - started
        self.finish(total)
        return total

    def finish(self, total: RunSummary) -> None:
        """After the last batch: refresh the corpus statistics if anything changed, close the run."""
        if total.written or total.deleted:
            self.store.refresh_statistics()
        self.ledger.finish_run(total.run_id, total)


def raise_if_all_failed(summary: RunSummary, quarantined: Sequence[dict]) -> None:
    """E419 when every document a finished run analysed failed in processing (E340) and nothing was
    written or skipped: a broken model, setting or medkg itself, not the input, so the run must not
    end as a success (``medkg ingest`` exits 2, a flow run fails). ``quarantined``: the run's
    quarantine records (:meth:`~kg.ledger.Ledger.quarantined`)."""
    failed = [q for q in quarantined if q["reason"].startswith("E340")]
    if failed and not summary.written and not summary.skipped and not summary.interrupted:
        raise ModelError(Errors.E419, count=len(failed), error=failed[0]["reason"])


class Interrupted(KeyboardInterrupt):
    """Ctrl-C stopped :meth:`Pipeline.run`; ``summary``: what the run committed before, as the ledger records it."""

    def __init__(self, summary: RunSummary) -> None:
        super().__init__()
        self.summary = summary


class Pending:
    """What batches prepared but not committed yet will leave the ledger holding: id -> (batch, :class:`Held`)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._docs: dict[str, tuple[int, Held]] = {}
        self._batches = 0

    def add(self, prepared: Prepared) -> None:
        with self._lock:
            self._batches += 1
            prepared.batch_no = self._batches
            for doc_id, held in prepared.held.items():
                self._docs[doc_id] = (self._batches, held)

    def done(self, prepared: Prepared) -> None:
        """The batch is committed: the ledger knows its documents now (a later batch's entry stays)."""
        with self._lock:
            for doc_id in prepared.held:
                if self._docs.get(doc_id, (None,))[0] == prepared.batch_no:
                    del self._docs[doc_id]

    def held(self, doc_ids: Iterable[str]) -> dict[str, Held]:
        """What the pending batches leave of ``doc_ids``. Asked before the ledger: an entry gone from here
        by then was committed, so the ledger read after has it."""
        with self._lock:
            return {i: self._docs[i][1] for i in doc_ids if i in self._docs}


class Committer:
    """Commits prepared and analysed batches in a writer thread, one at a time, in submission order.

    At most one batch waits while another is written, so memory stays bounded. An error in the
    writer stops it; the next ``submit`` (or the exit) raises it. On exit every submitted batch is
    committed before the thread ends, so the ledger never lags the graph.
    """

    def __init__(self, pipeline: Pipeline, run_id: int, pending: Pending,
                 done: Callable[[RunSummary], None]) -> None:
        self.pipeline, self.run_id, self.pending, self.done = pipeline, run_id, pending, done
        self._queue: queue.Queue = queue.Queue(maxsize=1)
        self._error: BaseException | None = None
        self._summaries: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._loop, name="medkg-writer", daemon=True)

    def __enter__(self) -> Committer:
        self._thread.start()
        return self

    @property
    def writing(self) -> bool:
        """The writer thread has started and not ended yet."""
        return self._thread.is_alive()

    def submit(self, prepared: Prepared, analysed: Analysed | None) -> None:
        self._raise()
        self._queue.put((prepared, analysed))
        self._report()

    def __exit__(self, *exc: object) -> None:
        self._queue.put(None)
        self._thread.join()
        self._report()
        if exc[0] is None:
            self._raise()

    def _loop(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain: nothing after a failed commit may be written
            prepared, analysed = item
            try:
                self._summaries.put(self.pipeline.commit(prepared, analysed, self.run_id))
                if prepared.last_share:
                    self.pending.done(prepared)
            except BaseException as exc:  # noqa: BLE001 - handed to the submitting thread
                self._error = exc

    def _report(self) -> None:
        while not self._summaries.empty():
            self.done(self._summaries.get())

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error


_FORKED: Pipeline | None = None  # what forked workers inherit: set just before the fork


def _worker_start(parent: int) -> None:
    """A forked worker: Ctrl-C is the parent's to handle, one BLAS/OpenMP thread per process, and
    it ends itself when its parent is gone (a SIGKILLed parent cannot stop it)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="medkg-orphan-watch", daemon=True).start()
    one_blas_thread()


def one_blas_thread() -> Any:
    """Limit the BLAS/OpenMP pools of this process to one thread; returns the limiter, whose
    ``restore_original_limits()`` undoes it (None without threadpoolctl, which scikit-learn brings).

    The NER's matrix products are too small to gain from a second BLAS thread, but OpenBLAS's
    idle threads spin: a one-process ingest of 1,500 abstracts ran at the same rate with one
    thread and used 30% less CPU (19 s instead of 27 s, three runs each on the 2-core VM)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return None
    return threadpool_limits(1)


def freeze_loaded() -> None:
    """Keep every object alive now (the loaded models and vocabularies, ~350k objects that live
    as long as the run or the worker) out of the collector's full passes, which walked them all
    (161 ms a pass; 7% of a one-process run of 1,500 abstracts), and out of the pages those
    passes would copy in forked workers. ``gc.unfreeze()`` undoes it."""
    gc.collect()
    gc.freeze()


def _analyse_forked(documents: list[Document]) -> Analysed:
    assert _FORKED is not None, "not a forked medkg worker"
    return _FORKED.analyse(documents)


class Analysers:
    """Where batches are analysed: in the calling thread, or in ``workers`` processes forked after the
    components were loaded, so every worker reads the same model and index pages (copy on write)
    instead of loading its own. A worker that dies (killed, out of memory) stops the run with an
    error; nothing of its batch was written, and a re-run redoes exactly what is missing."""

    def __init__(self, pipeline: Pipeline, workers: int) -> None:
        self.pipeline = pipeline
        self.workers = max(1, workers)
        self.pool: ProcessPoolExecutor | None = None
        self._limits: Any = None
        # Batches analysed or waiting while the oldest is committed: the next one keeps the workers busy.
        self.in_flight = 0 if self.workers == 1 else 1

    def __enter__(self) -> Analysers:
        global _FORKED
        self.pipeline.annotator.preload()
        freeze_loaded()
        try:
            if self.workers > 1:
                _FORKED = self.pipeline
                self.pool = ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("fork"),
                                                initializer=_worker_start, initargs=(os.getpid(),))
                self.pool.submit(os.getpid).result()  # forks every worker now, before any other thread starts
            else:
                self._limits = one_blas_thread()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def submit(self, documents: list[Document]) -> list[Future]:
        """The batch's analysis, split into one part per worker so that a single batch keeps them all busy."""
        if not documents:
            return []
        if self.pool is not None:
            size = -(-len(documents) // self.workers)
            return [self.pool.submit(_analyse_forked, documents[i : i + size]) for i in range(0, len(documents), size)]
        future: Future = Future()
        future.set_result(self.pipeline.analyse(documents))
        return [future]

    def __exit__(self, *exc: object) -> None:
        global _FORKED
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
            _FORKED = None
        elif self._limits is not None:
            self._limits.restore_original_limits()
        gc.unfreeze()
