import pytest

from kg.assemble import Assembler
from kg.ledger import Ledger
from kg.models import Deletion, Document, Quarantine
from kg.pipeline import Interrupted, Pipeline

from fakes import MemoryStore, doc, word_annotator


def _pipeline(tmp_path, store=None, assembler=None, **kw):
    return Pipeline(annotator=word_annotator(), assembler=assembler or Assembler(),
                    store=store or MemoryStore(), ledger=Ledger(tmp_path / "ledger.sqlite"), **kw)


def test_rerun_skips_unchanged_and_counts_reconcile(tmp_path):
    p = _pipeline(tmp_path, batch_size=2)
    items = [doc(1, "Aspirin and fever."), doc(2, "Headache and fever."), doc(3, "Nothing here.")]
    first = p.run(items, command="t", inputs=[])
    assert (first.read, first.written, first.skipped) == (3, 3, 0) and first.reconciles
    evidence = dict(p.store.evidence)
    assert p.store.statistics_refreshed == 1
    second = p.run(items, command="t", inputs=[])
    assert (second.read, second.written, second.skipped) == (3, 0, 3) and second.reconciles
    assert p.store.evidence == evidence
    assert p.store.statistics_refreshed == 1  # nothing changed: global statistics are not recomputed


def test_new_version_replaces_old_evidence(tmp_path):
    p = _pipeline(tmp_path)
    p.run([doc(1, "Aspirin and fever.")], command="t", inputs=[])
    s = p.run([doc(1, "Aspirin and headache.", version=2)], command="t", inputs=[])
    assert (s.written, s.revised) == (1, 1)
    assert {e.triple.object for e in p.store.evidence.values()} == {"MESH:D006261"}


def test_deletions_remove_documents_and_only_those_in_the_graph_count_as_deleted(tmp_path):
    p = _pipeline(tmp_path)
    p.run([doc(1, "Aspirin and fever."), doc(2, "Fever and headache.")], command="t", inputs=[])
    s = p.run([Deletion(id="PMID:1"), Deletion(id="PMID:77")], command="t", inputs=[])
    assert (s.read, s.deleted, s.deletions_not_found, s.skipped) == (2, 1, 1, 1) and s.reconciles
    assert "PMID:1" not in p.store.docs and "PMID:2" in p.store.docs
    assert all(e.doc_id != "PMID:1" for e in p.store.evidence.values())
    assert p.ledger.status("PMID:1") == "deleted" and p.ledger.status("PMID:77") == "deleted"  # a tombstone
    again = p.run([Deletion(id="PMID:1"), Deletion(id="PMID:77")], command="t", inputs=[])
    assert (again.deleted, again.deletions_not_found, again.skipped) == (0, 2, 2) and again.reconciles
    assert p.store.statistics_refreshed == 2  # the second deletion run changed nothing
    # PubMed never reuses a deleted PMID: a copy read later is an older record, skipped (any Version: the
    # deletion named none and nothing was held)
    later = p.run([doc(77, "Fever."), doc(77, "Fever.", version=2), doc(1, "Aspirin and fever.")], command="t", inputs=[])
    assert (later.written, later.skipped, later.superseded) == (0, 3, 3) and later.reconciles
    assert "PMID:77" not in p.store.docs and "PMID:1" not in p.store.docs


def test_bad_records_are_quarantined_not_fatal(tmp_path):
    p = _pipeline(tmp_path, max_doc_chars=1000)
    items = [doc(1, "Aspirin and fever."), doc(2, "EXPLODE with fever."), doc(3, "   "), doc(4, "x" * 1001),
             Quarantine(file="f.xml", record="#5", reason="no PMID")]
    s = p.run(items, command="t", inputs=[])
    assert (s.read, s.written, s.quarantined) == (5, 1, 4) and s.reconciles
    reasons = {q["record"]: q["reason"] for q in p.ledger.quarantined(s.run_id)}
    assert reasons["PMID:2"].startswith("E340: ") and "component failure" in reasons["PMID:2"]
    assert reasons["PMID:3"] == "E341: empty text"
    assert reasons["PMID:4"].startswith("E342: ") and "over the limit" in reasons["PMID:4"]
    assert reasons["#5"] == "no PMID"
    assert set(p.store.docs) == {"PMID:1"}


def test_a_broken_new_version_of_a_document_the_graph_holds_says_the_old_one_stays(tmp_path):
    """QA: a note blanked or grown past the limit in its CSV was quarantined while its old version and
    findings stayed in the graph, with nothing saying so."""
    p = _pipeline(tmp_path, max_doc_chars=100)
    p.run([doc(n, "Aspirin and fever.") for n in (1, 2, 3, 5)], command="t", inputs=[])
    s = p.run([doc(1, "   ", version=2), doc(2, "x" * 101, version=2), doc(3, "EXPLODE.", version=2),
               Quarantine(file="notes.csv", record="row 4", reason="E322: empty note text", id="PMID:5"),
               doc(4, "   ")], command="t", inputs=[])
    assert s.reconciles and (s.quarantined, s.written) == (5, 0)
    reasons = {q["doc_id"]: q["reason"] for q in p.ledger.quarantined(s.run_id)}
    kept = "; the version written before stays in the graph"
    assert {i for i, r in reasons.items() if r.endswith(kept)} == {"PMID:1", "PMID:2", "PMID:3", "PMID:5"}
    assert reasons["PMID:1"].startswith("E341") and reasons["PMID:2"].startswith("E342")
    assert reasons["PMID:3"].startswith("E340") and reasons["PMID:5"].startswith("E322")
    assert reasons["PMID:4"] == "E341: empty text"  # never written: nothing stays
    assert set(p.store.docs) == {"PMID:1", "PMID:2", "PMID:3", "PMID:5"}
    assert p.store.docs["PMID:1"].text == "Aspirin and fever."
    assert {p.ledger.status(f"PMID:{n}") for n in (1, 2, 3, 5)} == {"ok"}


def test_a_quarantined_document_points_at_the_file_and_record_it_was_read_from(tmp_path):
    p = _pipeline(tmp_path, max_doc_chars=10)
    long_note = Document(id="NOTE:n1", source="note", text="x" * 11, origin=("notes.csv", "row 7"))
    s = p.run([long_note, doc(2, "EXPLODE.").model_copy(update={"origin": ("a.xml", "#2 PMID 2")})],
              command="t", inputs=[])
    rows = {(q["file"], q["record"]): q["reason"][:4] for q in p.ledger.quarantined(s.run_id)}
    assert rows == {("notes.csv", "row 7"): "E342", ("a.xml", "#2 PMID 2"): "E340"}
    assert long_note.content_hash == long_note.model_copy(update={"origin": None}).content_hash
    assert "origin" not in long_note.model_dump() and "notes.csv" not in long_note.model_dump_json()


def test_duplicates_within_a_batch_keep_the_last_version(tmp_path):
    p = _pipeline(tmp_path)
    s = p.run([doc(1, "Aspirin and fever."), doc(1, "Aspirin and headache.", version=2)], command="t", inputs=[])
    assert (s.read, s.written, s.skipped, s.superseded) == (2, 1, 1, 1) and s.reconciles
    assert p.store.docs["PMID:1"].version == 2
    again = p.run([doc(2, "Fever."), Deletion(id="PMID:2"), doc(2, "Fever again.", version=2), doc(3, "Headache.")],
                  command="t", inputs=[])
    assert (again.read, again.written, again.skipped, again.superseded) == (4, 2, 2, 2) and again.reconciles
    # the deleted Version read again after its deletion is older than the deletion: skipped too
    same = p.run([doc(4, "Fever."), Deletion(id="PMID:4"), doc(4, "Fever again."), doc(5, "Headache.")],
                 command="t", inputs=[])
    assert (same.written, same.skipped, same.superseded, same.deletions_not_found) == (1, 3, 2, 1) and same.reconciles
    assert "PMID:4" not in p.store.docs
    assert p.run([doc(3, "Headache.")], command="t", inputs=[]).superseded == 0  # skipped as unchanged only


def test_a_changed_setting_redoes_documents(tmp_path):
    p = _pipeline(tmp_path)
    p.run([doc(1, "Aspirin and fever.")], command="t", inputs=[])
    assert p.run([doc(1, "Aspirin and fever.")], command="t", inputs=[]).skipped == 1
    changed = _pipeline(tmp_path, store=p.store, assembler=Assembler(cooccurrence=False))
    assert changed.fingerprint != p.fingerprint
    s = changed.run([doc(1, "Aspirin and fever.")], command="t", inputs=[])
    assert (s.written, s.revised) == (1, 1)


def test_patients_findings_are_refreshed_after_writes_and_deletes(tmp_path):
    p = _pipeline(tmp_path)
    note = Document(id="NOTE:n1", source="note", text="Fever.", metadata={"patient": "pt_1"})
    p.run([note], command="t", inputs=[])
    assert p.store.findings_refreshed == [["pt_1"]]
    p.run([Deletion(id="NOTE:n1")], command="t", inputs=[])
    assert p.store.findings_refreshed == [["pt_1"], ["pt_1"]]


def test_versions_in_batches_not_yet_committed_decide_like_the_ledger(tmp_path):
    """Batch k is written while batch k+1 is prepared: a later version, a deletion and a re-addition
    across batches must come out as if every batch had been committed before the next began."""
    p = _pipeline(tmp_path, batch_size=1)
    s = p.run([doc(1, "Aspirin and fever."), doc(1, "Aspirin and headache.", version=2), doc(1, "Aspirin and headache.", version=2),
               Deletion(id="PMID:1"), doc(1, "Fever and headache.", version=3)], command="t", inputs=[])
    assert (s.read, s.written, s.revised, s.skipped, s.deleted) == (5, 3, 1, 1, 1) and s.reconciles
    assert {(e.triple.subject, e.triple.object) for e in p.store.evidence.values()} == {("MESH:D005334", "MESH:D006261")}
    assert p.store.docs["PMID:1"].version == 3 and p.ledger.status("PMID:1") == "ok"


def test_a_failed_write_stops_the_run_and_the_ledger_records_nothing_of_it(tmp_path):
    class Failing(MemoryStore):
        def write(self, batch):
            if any(d.id == "PMID:2" for d in batch.documents):
                raise ConnectionError("graph went away")
            super().write(batch)

    p = _pipeline(tmp_path, store=Failing(), batch_size=1)
    with pytest.raises(ConnectionError):
        p.run([doc(1, "Aspirin."), doc(2, "Fever."), doc(3, "Headache.")], command="t", inputs=[])
    assert p.ledger.status("PMID:1") == "ok" and p.ledger.status("PMID:2") is None and p.ledger.status("PMID:3") is None


@pytest.mark.parametrize("workers", [1, 2])
def test_ctrl_c_records_what_was_committed_as_interrupted_and_the_same_run_again_finishes(tmp_path, workers):
    p = _pipeline(tmp_path, batch_size=2)
    docs = [doc(i, "Aspirin and fever.") for i in range(1, 6)]

    def typed_ctrl_c_after(n):
        yield from docs[:n]
        raise KeyboardInterrupt

    with pytest.raises(Interrupted) as stopped:
        p.run(typed_ctrl_c_after(4), command="t", inputs=["in.xml"], workers=workers)
    s = stopped.value.summary
    # what the writer had was committed; with workers, the batch still analysed when Ctrl-C came was not
    assert s.interrupted and s.written == s.read == (4 if workers == 1 else 2) and s.reconciles
    assert p.ledger.counts() == {"ok": s.written} and set(p.store.docs) == {d.id for d in docs[: s.written]}
    [run] = p.ledger.runs(1)
    assert run["state"] == "interrupted" and run["finished_at"] and '"interrupted":true' in run["summary"]
    again = p.run(docs, command="t", inputs=["in.xml"], workers=workers)
    assert (again.written, again.skipped, again.interrupted) == (5 - s.written, s.written, False)
    assert set(p.store.docs) == {d.id for d in docs} and p.ledger.runs(1)[0]["state"] == "finished"


class _CtrlC:
    """A component during whose analysis of a document that says "Ctrl-C" the user types it."""

    name, version, settings = "ctrl-c", "1", {}

    def pipe(self, docs, batch_size=1):
        for d in docs:
            if "Ctrl-C" in d.text:
                raise KeyboardInterrupt
            yield d


def test_ctrl_c_between_the_shares_of_a_batch_leaves_a_run_that_reconciles(tmp_path):
    """With workers a batch is written share by share: the share written before Ctrl-C counts as read."""
    p = Pipeline(annotator=word_annotator(_CtrlC()), assembler=Assembler(), store=MemoryStore(),
                 ledger=Ledger(tmp_path / "ledger.sqlite"), batch_size=4)
    items = [doc(1, "Aspirin."), doc(2, "Fever."), doc(3, "Ctrl-C"), doc(4, "Headache."), Deletion(id="PMID:1")]
    with pytest.raises(Interrupted) as stopped:
        p.run(items, command="t", inputs=[], workers=2)  # two shares of two documents
    s = stopped.value.summary
    assert (s.read, s.written, s.deleted) == (2, 2, 0) and s.reconciles
    assert set(p.store.docs) == {"PMID:1", "PMID:2"} and p.ledger.counts() == {"ok": 2}


class RetractionStore(MemoryStore):
    """A MemoryStore that flags papers as ``GraphStore.flag_retracted`` does (what is flagged already is left)."""

    def flag_retracted(self, ids):
        found = [i for i in ids if i in self.docs and not self.docs[i].metadata.get("retracted")]
        for i in found:
            self.docs[i] = self.docs[i].model_copy(update={"metadata": {**self.docs[i].metadata, "retracted": True}})
        self.evidence = {k: e.model_copy(update={"retracted": True}) if e.doc_id in ids else e
                         for k, e in self.evidence.items()}
        return len(found)


def _notice(pmid: int, *retracts: int) -> Document:
    return Document(id=f"PMID:{pmid}", source="pubmed", text="Retraction: aspirin and fever.",
                    metadata={"pmid": str(pmid), "retraction_of": [str(r) for r in retracts]})


def test_retracted_papers_are_flagged_counted_and_an_update_that_retracts_one_redoes_it(tmp_path):
    p = _pipeline(tmp_path, store=RetractionStore())
    listed = Document(id="PMID:7", source="pubmed", text="Aspirin and fever.", metadata={"pmid": "7"})
    notice = Document(id="PMID:8", source="pubmed", text="Aspirin and fever.",
                      metadata={"pmid": "8", "retraction_of": ["9"]})
    p.retracted = frozenset({"7", "8"})  # the list names PMID 7 (and wrongly the notice)
    s = p.run([listed, notice, doc(9, "Aspirin and headache.")], command="t", inputs=[])
    assert (s.written, s.retracted) == (3, 2)  # the notice is no retracted paper; the paper it retracts is
    flags = {e.doc_id: e.retracted for e in p.store.evidence.values()}
    assert flags == {"PMID:7": True, "PMID:8": True, "PMID:9": True}  # what the notice restates is withdrawn too
    retracting_update = Document(id="PMID:9", source="pubmed", text="Aspirin and headache.", version=2,
                                 metadata={"pmid": "9", "retracted": True})
    s = p.run([retracting_update], command="t", inputs=[])
    assert (s.written, s.revised, s.retracted) == (1, 1, 1)
    assert {e.doc_id: e.retracted for e in p.store.evidence.values()}["PMID:9"] is True


@pytest.mark.parametrize("runs", [
    [["paper", "notice"]], [["notice", "paper"]], [["paper"], ["notice"]], [["notice"], ["paper"]],
], ids=["paper-notice", "notice-paper", "paper-then-notice", "notice-then-paper"])
@pytest.mark.parametrize("batch_size", [1, 10])
def test_a_retraction_notice_flags_the_paper_it_retracts_whichever_comes_first(tmp_path, runs, batch_size):
    p = _pipeline(tmp_path, store=RetractionStore(), batch_size=batch_size)
    items = {"paper": doc(9, "Aspirin and headache."), "notice": _notice(8, 9)}
    retracted = sum(p.run([items[i] for i in run], command="t", inputs=[]).retracted for run in runs)
    assert retracted == 1  # the paper, counted once: by the run that wrote it flagged, or that flagged it
    assert p.store.docs["PMID:9"].metadata["retracted"] is True
    assert {e.doc_id: e.retracted for e in p.store.evidence.values()} == {"PMID:8": True, "PMID:9": True}
    # written as its source gives it in every order: the ledger holds that content hash, so a re-run skips both
    assert p.ledger.decide([items["paper"]], p.fingerprint) == {"PMID:9": "unchanged"}
    evidence = dict(p.store.evidence)
    again = p.run([items["notice"], items["paper"]], command="t", inputs=[])
    assert (again.written, again.skipped, again.retracted) == (0, 2, 0) and p.store.evidence == evidence


def test_a_paper_stays_flagged_when_its_notice_is_deleted_or_revised(tmp_path):
    p = _pipeline(tmp_path, store=RetractionStore())
    p.run([doc(9, "Aspirin and headache."), _notice(8, 9)], command="t", inputs=[])
    p.run([Deletion(id="PMID:8")], command="t", inputs=[])
    revised = p.run([doc(9, "Aspirin and headache.", version=2)], command="t", inputs=[])
    assert (revised.revised, revised.retracted) == (1, 1)  # the retraction happened: the ledger remembers it
    assert {e.doc_id: e.retracted for e in p.store.evidence.values()} == {"PMID:9": True}


class _Probe:
    """A component that records the BLAS pool's thread limit and the frozen objects while it runs."""

    name, version, settings = "probe", "1", {}

    def __init__(self):
        self.blas_threads: list[int] = []
        self.frozen: list[int] = []

    def pipe(self, docs, batch_size=256):
        import gc

        from threadpoolctl import threadpool_info

        self.blas_threads += [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]
        self.frozen.append(gc.get_freeze_count())
        yield from docs


def test_a_one_process_run_analyses_with_one_blas_thread_and_restores_the_limit(tmp_path):
    threadpoolctl = pytest.importorskip("threadpoolctl")
    import numpy  # noqa: F401 - loads the BLAS pool threadpoolctl limits

    def blas_threads():
        return [i["num_threads"] for i in threadpoolctl.threadpool_info() if i["user_api"] == "blas"]

    with threadpoolctl.threadpool_limits(2, user_api="blas"):  # 2 where the library and the machine allow it
        before = blas_threads()
        probe = _Probe()
        p = Pipeline(annotator=word_annotator(probe), assembler=Assembler(), store=MemoryStore(),
                     ledger=Ledger(tmp_path / "ledger.sqlite"))
        p.run([doc(1, "Aspirin and fever.")], command="t", inputs=[])
        after = blas_threads()
    assert probe.blas_threads and set(probe.blas_threads) == {1}
    assert after and after == before


def test_what_was_loaded_before_the_run_is_frozen_during_it_and_released_after(tmp_path):
    import gc

    probe = _Probe()
    p = Pipeline(annotator=word_annotator(probe), assembler=Assembler(), store=MemoryStore(),
                 ledger=Ledger(tmp_path / "ledger.sqlite"))
    p.run([doc(1, "Aspirin and fever."), doc(2, "Fever.")], command="t", inputs=[])
    assert probe.frozen and min(probe.frozen) > 1000  # the interpreter's and the pipeline's objects
    assert gc.get_freeze_count() == 0


def test_a_batch_analysed_in_parts_is_committed_part_by_part(tmp_path):
    """With workers, each part of a batch is written as soon as it is analysed (so the last part's
    analysis overlaps the first part's write); counts and deletions go with the batch's last part."""
    p = _pipeline(tmp_path, batch_size=4)
    p.run([doc(1, "Aspirin and fever."), doc(2, "Fever.")], command="t", inputs=[])
    commits = []
    commit = p.commit

    def recording(prepared, analysed, run_id):
        commits.append((len(analysed.written), prepared.deletions, prepared.read, prepared.last_share))
        return commit(prepared, analysed, run_id)

    p.commit = recording
    s = p.run([doc(4, "Headache."), doc(5, "Aspirin."), Deletion(id="PMID:1"), doc(6, "Fever and headache.")],
              command="t", inputs=[], workers=2)
    assert commits == [(2, [], 0, False), (1, ["PMID:1"], 4, True)]
    assert (s.read, s.written, s.deleted) == (4, 3, 1) and s.reconciles
    assert "PMID:1" not in p.store.docs and {"PMID:4", "PMID:5", "PMID:6"} <= set(p.store.docs)


class _Preloaded:
    """A component that must be preloaded before it sees a document (as the linker's normalisers)."""

    name, version, settings = "preloaded", "1", {}

    def __init__(self):
        self.preloads = []

    def preload(self):
        import gc
        import os

        self.preloads.append((os.getpid(), gc.get_freeze_count()))

    def pipe(self, docs, batch_size=1):
        for d in docs:
            if not self.preloads:
                raise RuntimeError("used before it was preloaded")
            yield d


@pytest.mark.parametrize("workers", [1, 2])
def test_components_are_preloaded_once_here_before_the_workers_fork_and_the_loaded_objects_freeze(tmp_path, workers):
    import os

    probe = _Preloaded()
    p = Pipeline(annotator=word_annotator(probe), assembler=Assembler(), store=MemoryStore(),
                 ledger=Ledger(tmp_path / "ledger.sqlite"))
    s = p.run([doc(1, "Aspirin and fever."), doc(2, "Fever.")], command="t", inputs=[], workers=workers)
    assert (s.written, s.quarantined) == (2, 0)  # the forked workers saw it preloaded too
    assert probe.preloads == [(os.getpid(), 0)]


def test_a_preload_that_fails_is_said_and_the_run_goes_on(tmp_path, caplog):
    from kg.errors import Errors, OntologyError

    class Missing(_Preloaded):
        def preload(self):
            raise OntologyError(Errors.E510, path="lexicon.tsv.gz")

        def pipe(self, docs, batch_size=1):
            yield from docs

    p = Pipeline(annotator=word_annotator(Missing()), assembler=Assembler(), store=MemoryStore(),
                 ledger=Ledger(tmp_path / "ledger.sqlite"))
    s = p.run([doc(1, "Aspirin and fever.")], command="t", inputs=[])
    assert s.written == 1
    assert "preloaded: nothing preloaded (E510: lexicon input lexicon.tsv.gz is missing" in caplog.text


def test_a_run_never_skips_documents_its_graph_does_not_hold(tmp_path):
    """QA's cases: a data dir's ledger used with a second graph name, or after the embedded graph's files
    were deleted, skipped every document as unchanged, and the graph stayed empty for good."""
    from kg.components import open_ledger
    from kg.config import Settings
    from kg.errors import LedgerError

    settings = Settings(data_dir=tmp_path / "data")
    items = [doc(1, "Aspirin and fever."), doc(2, "Headache.")]

    def ingest(store) -> int:
        with open_ledger(settings, store) as ledger:
            return Pipeline(annotator=word_annotator(), assembler=Assembler(), store=store,
                            ledger=ledger).run(items, command="t", inputs=[]).written

    store = MemoryStore()
    assert ingest(store) == 2
    assert ingest(store) == 0  # idempotent on its own graph
    with pytest.raises(LedgerError, match=r"^E804: .*falkordb graph 'medkg', not falkordb graph 'second'"):
        open_ledger(settings.model_copy(update={"graph_name": "second"}), MemoryStore())
    store.docs.clear()  # the graph's files deleted
    with pytest.raises(LedgerError, match=r"^E805: .* lists 2 as written"):
        ingest(store)
    settings.ledger_path.rename(tmp_path / "ledger.sqlite.old")  # what the hint says to do
    assert ingest(store) == 2 and set(store.docs) == {"PMID:1", "PMID:2"}


def _cite(pmid: int, text: str, version: int = 1, revised: str | None = None) -> Document:
    return Document(id=f"PMID:{pmid}", source="pubmed", text=text, version=version,
                    metadata={"pmid": str(pmid), "date_revised": revised})


@pytest.mark.parametrize("batch_size", [1, 50])
def test_a_record_older_than_the_one_held_is_skipped_as_superseded_never_revised(tmp_path, batch_size):
    """A stored citation is replaced only by a record at least as recent: a higher Version, or the same
    Version revised on the same day or later (batch_size 1: the one held is still being committed)."""
    p = _pipeline(tmp_path, batch_size=batch_size)
    s = p.run([_cite(1, "Aspirin and fever.", revised="2020-01-01"), _cite(2, "Aspirin.", version=4, revised="2021-06-07"),
               _cite(1, "Aspirin and headache.", revised="2013-05-05"), _cite(2, "Fever.", version=1, revised="2021-07-01")],
              command="t", inputs=[])
    assert (s.read, s.written, s.revised, s.skipped, s.superseded) == (4, 2, 0, 2, 2) and s.reconciles
    later = p.run([_cite(1, "Fever and headache.", revised="2020-01-01"), _cite(2, "Aspirin.", version=5, revised="2021-01-01"),
                   _cite(1, "Headache.", revised="2019-12-31"), _cite(2, "Fever.", version=3, revised="2022-01-01")],
                  command="t", inputs=[])
    # 1: older skipped, the same day replaces; 2: Version 3 skipped, Version 5 replaces
    assert (later.written, later.revised, later.skipped, later.superseded) == (2, 2, 2, 2) and later.reconciles
    assert (p.store.docs["PMID:1"].text, p.store.docs["PMID:2"].version) == ("Fever and headache.", 5)
    assert {(e.doc_id, e.triple.subject) for e in p.store.evidence.values()} == {("PMID:1", "MESH:D005334")}


@pytest.mark.parametrize("batch_size", [1, 50])
def test_a_deletion_naming_a_version_removes_only_that_version_and_is_remembered(tmp_path, batch_size):
    p = _pipeline(tmp_path, batch_size=batch_size)
    p.run([_cite(1, "Aspirin and fever.", version=v, revised=f"202{v}-01-01") for v in (1, 2, 3, 4)],
          command="t", inputs=[])
    s = p.run([Deletion(id="PMID:1", version=2)], command="t", inputs=[])
    assert (s.deleted, s.deletions_not_found, s.skipped) == (0, 1, 1) and s.reconciles
    assert p.store.docs["PMID:1"].version == 4 and p.ledger.status("PMID:1") == "ok"
    s = p.run([Deletion(id="PMID:1", version=4), _cite(1, "Fever and aspirin.", version=3, revised="2030-01-01"),
               Deletion(id="PMID:9", version=1), _cite(9, "Aspirin and headache.")], command="t", inputs=[])
    # Version 4 deleted; Version 3 is older than the deletion; PMID 9's deletion (never seen) leaves a
    # tombstone, and its Version 1 read after it is skipped
    assert (s.read, s.deleted, s.written, s.skipped, s.superseded, s.deletions_not_found) == (4, 1, 0, 3, 2, 1)
    assert s.reconciles and p.store.docs == {} and p.store.evidence == {}
    s = p.run([_cite(9, "Aspirin and headache.", version=2), _cite(1, "Aspirin and headache.", version=5)],
              command="t", inputs=[])
    assert (s.written, s.skipped) == (2, 0)  # later Versions than the ones deleted are written


def test_deleted_notes_come_back_as_before(tmp_path):
    """Only PubMed deletions leave tombstones: a note deleted (written in error) and given again is written."""
    p = _pipeline(tmp_path, source_name="note")
    note = Document(id="NOTE:n1", source="note", text="Aspirin and fever.", metadata={"patient": "pt_1"})
    p.run([note, Deletion(id="NOTE:n2")], command="t", inputs=[])
    p.run([Deletion(id="NOTE:n1")], command="t", inputs=[])
    s = p.run([note, note.model_copy(update={"id": "NOTE:n2"})], command="t", inputs=[])
    assert (s.written, s.skipped) == (2, 0) and p.ledger.status("NOTE:n2") == "ok"
