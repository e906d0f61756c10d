"""Source -> Extractor -> Linker -> (Assertion) -> Assembler -> GraphStore, with the ledger keeping count.

``Pipeline.run`` is what the CLI calls; the Prefect flows call the same three steps
(``prepare``, ``analyse``, ``commit``) as separate tasks so that only the I/O step retries.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from kg.ledger import Ledger, RunSummary
from kg.models import Deletion, Document, DocumentMentions, GraphBatch, Quarantine, Section

log = logging.getLogger(__name__)

Item = Document | Deletion | Quarantine


class _Extractor(Protocol):
    name: str
    version: str

    def extract(self, docs: Iterable[Document], batch_size: int = ...) -> Iterator[DocumentMentions]: ...


class _Linker(Protocol):
    name: str
    version: str

    def link(self, items: Iterable[DocumentMentions]) -> Iterator[DocumentMentions]: ...


class _Tagger(Protocol):
    version: str

    def tag_many(self, items: Iterable[DocumentMentions]) -> Iterator[DocumentMentions]: ...


class _Assembler(Protocol):
    name: str
    version: str

    def assemble(self, items: Iterable[DocumentMentions]) -> GraphBatch: ...


@dataclass
class Prepared:
    """One batch after the ledger has been asked: what to analyse, what to skip, what to drop."""

    new: list[Document] = field(default_factory=list)
    changed: list[Document] = field(default_factory=list)
    skipped: int = 0
    quarantined: list[Quarantine] = field(default_factory=list)
    deletions: list[str] = field(default_factory=list)
    read: int = 0

    @property
    def to_analyse(self) -> list[Document]:
        return self.new + self.changed


@dataclass
class Analysed:
    batch: GraphBatch
    written: list[Document]
    quarantined: list[Quarantine]
    mentions: int = 0
    linked_mentions: int = 0


class Pipeline:
    """The components of one ingestion, plus the store and ledger they write to."""

    def __init__(
        self,
        *,
        extractor: _Extractor,
        linker: _Linker,
        assembler: _Assembler,
        store,
        ledger: Ledger,
        tagger: _Tagger | None = None,
        sectionizer: Callable[[str], Sequence[Section]] | None = None,
        batch_size: int = 500,
        max_doc_chars: int = 200_000,
        source_name: str = "pubmed",
    ) -> None:
        self.extractor = extractor
        self.linker = linker
        self.assembler = assembler
        self.store = store
        self.ledger = ledger
        self.tagger = tagger
        self.sectionizer = sectionizer
        self.batch_size = batch_size
        self.max_doc_chars = max_doc_chars
        self.source_name = source_name

    @property
    def fingerprint(self) -> str:
        """Changes whenever a component that shapes the output changes: such documents are redone."""
        parts = [
            f"{self.extractor.name}@{self.extractor.version}",
            f"{self.linker.name}@{self.linker.version}",
            f"{self.assembler.name}@{self.assembler.version}",
        ]
        if self.tagger is not None:
            parts.append(f"assertion@{self.tagger.version}")
        return "|".join(parts)

    # -- the three steps ----------------------------------------------------------------------
    def prepare(self, items: Sequence[Item]) -> Prepared:
        """Sort a batch of source items, and ask the ledger which documents need work."""
        p = Prepared(read=len(items))
        docs: dict[str, Document] = {}
        for item in items:
            if isinstance(item, Quarantine):
                p.quarantined.append(item)
            elif isinstance(item, Deletion):
                if item.id in docs:  # deleted later in the same batch: the earlier copy is superseded
                    docs.pop(item.id)
                    p.skipped += 1
                p.deletions.append(item.id)
            elif not item.text.strip():
                p.quarantined.append(Quarantine(file=self.source_name, record=item.id, id=item.id, reason="empty text"))
            elif len(item.text) > self.max_doc_chars:
                p.quarantined.append(
                    Quarantine(
                        file=self.source_name,
                        record=item.id,
                        id=item.id,
                        reason=f"text has {len(item.text):,} characters, over the limit of "
                        f"{self.max_doc_chars:,} (MEDKG_MAX_DOC_CHARS)",
                    )
                )
            else:
                if item.id in docs:  # a later version in the same batch supersedes the earlier one
                    p.skipped += 1
                if item.id in p.deletions:  # re-added after its deletion: the deletion is superseded
                    p.deletions.remove(item.id)
                    p.skipped += 1
                docs[item.id] = item
        decisions = self.ledger.decide(list(docs.values()), self.fingerprint)
        for doc in docs.values():
            decision = decisions[doc.id]
            if decision == "unchanged":
                p.skipped += 1
            elif decision == "changed":
                p.changed.append(doc)
            else:
                p.new.append(doc)
        return p

    def analyse(self, docs: Sequence[Document]) -> Analysed:
        """Extract, link, tag and assemble. A document that breaks a component is quarantined alone."""
        docs = [self._with_sections(d) for d in docs]
        try:
            items = self._annotate(docs)
            quarantined: list[Quarantine] = []
        except Exception:  # noqa: BLE001 - isolate the bad document, then quarantine only it
            log.warning("a batch of %d documents failed; retrying one by one", len(docs), exc_info=True)
            items, quarantined = [], []
            for doc in docs:
                try:
                    items.extend(self._annotate([doc]))
                except Exception as exc:  # noqa: BLE001
                    quarantined.append(
                        Quarantine(file=self.source_name, record=doc.id, id=doc.id, reason=f"processing failed: {exc!r}")
                    )
        batch = self.assembler.assemble(items)
        mentions = sum(len(i.mentions) for i in items)
        linked = sum(1 for i in items for m in i.mentions if m.concept_id)
        return Analysed(
            batch=batch,
            written=[i.document for i in items],
            quarantined=quarantined,
            mentions=mentions,
            linked_mentions=linked,
        )

    def commit(self, prepared: Prepared, analysed: Analysed | None, run_id: int) -> RunSummary:
        """Write to the graph, then the ledger (only after the graph write succeeded)."""
        s = RunSummary(read=prepared.read, skipped=prepared.skipped)
        changed = {d.id for d in prepared.changed}
        if analysed is not None:
            stale = [d.id for d in analysed.written if d.id in changed]
            if stale:
                self.store.delete_documents(stale, keep_nodes=True)
            self.store.write(analysed.batch)
            self.ledger.mark_written(analysed.written, self.fingerprint, run_id)
            s.written = len(analysed.written)
            s.revised = len(stale)
            s.mentions, s.linked_mentions = analysed.mentions, analysed.linked_mentions
            s.evidence = len(analysed.batch.evidence)
            quarantined = prepared.quarantined + analysed.quarantined
        else:
            quarantined = prepared.quarantined
        if prepared.deletions:
            self.store.delete_documents(prepared.deletions)
            self.ledger.mark_deleted(prepared.deletions, run_id, source=self.source_name)
            s.deleted = len(prepared.deletions)
        if quarantined:
            for q in quarantined:
                log.warning("quarantined %s record %s: %s", q.file, q.record, q.reason)
            self.ledger.quarantine(quarantined, run_id, self.source_name)
            s.quarantined = len(quarantined)
        return s

    # -- the whole run ------------------------------------------------------------------------
    def run(
        self,
        items: Iterable[Item],
        *,
        command: str,
        inputs: Sequence[str],
        on_progress: Callable[[RunSummary], None] | None = None,
    ) -> RunSummary:
        """Stream ``items`` in batches through the pipeline; return counts that reconcile."""
        started = time.perf_counter()
        run_id = self.ledger.start_run(command, inputs)
        total = RunSummary(run_id=run_id)
        for chunk in batched(items, self.batch_size):
            total.add(self.process(chunk, run_id))
            total.seconds = time.perf_counter() - started
            if on_progress:
                on_progress(total)
        total.seconds = time.perf_counter() - started
        self.finish(total)
        return total

    def finish(self, total: RunSummary) -> None:
        """Refresh the graph's corpus statistics if anything changed, and close the run in the ledger."""
        if total.written or total.deleted:
            self.store.refresh_statistics()
        self.ledger.finish_run(total.run_id, total)

    def process(self, chunk: Sequence[Item], run_id: int) -> RunSummary:
        return self.commit(*self.stage(chunk), run_id)

    def stage(self, chunk: Sequence[Item]) -> tuple[Prepared, Analysed | None]:
        """Everything before the write: pure CPU work, safe to run anywhere and to repeat."""
        prepared = self.prepare(chunk)
        analysed = self.analyse(prepared.to_analyse) if prepared.to_analyse else None
        return prepared, analysed

    # -- internals ----------------------------------------------------------------------------
    def _annotate(self, docs: Sequence[Document]) -> list[DocumentMentions]:
        stream = self.linker.link(self.extractor.extract(docs, batch_size=min(len(docs), 256) or 1))
        if self.tagger is not None:
            stream = self.tagger.tag_many(stream)
        return list(stream)

    def _with_sections(self, doc: Document) -> Document:
        if self.sectionizer is None or doc.sections or doc.source != "note":
            return doc
        return doc.model_copy(update={"sections": tuple(self.sectionizer(doc.text))})


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
