import sqlite3

import pytest

from kg.errors import LedgerError
from kg.ledger import Ledger, RunSummary
from kg.models import Quarantine

from fakes import doc


def test_decisions_follow_content_version_and_pipeline(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        run = ledger.start_run("test", ["x"])
        d = doc(1, "aspirin")
        assert ledger.decide([d], "p1") == {"PMID:1": "new"}
        ledger.mark_written([d], "p1", run)
        assert ledger.decide([d], "p1") == {"PMID:1": "unchanged"}
        assert ledger.decide([doc(1, "aspirin", version=2)], "p1") == {"PMID:1": "changed"}
        assert ledger.decide([d], "p2") == {"PMID:1": "changed"}
        ledger.mark_deleted(["PMID:1"], run)
        assert ledger.status("PMID:1") == "deleted"
        assert ledger.decide([d], "p1") == {"PMID:1": "older"}  # a deleted citation's Version: skipped
        assert ledger.decide([doc(1, "aspirin", version=2)], "p1") == {"PMID:1": "new"}  # a later Version


def test_quarantine_is_recorded_with_reason_and_survives_reopen(tmp_path):
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        run = ledger.start_run("test", [])
        ledger.quarantine([Quarantine(file="f.xml", record="#3", reason="no PMID"),
                           Quarantine(file="f.xml", record="#4 PMID 9", reason="bad", id="PMID:9")], run, "pubmed")
        ledger.finish_run(run, RunSummary(read=2, quarantined=2))
    with Ledger(path) as ledger:
        rows = ledger.quarantined(run)
        assert [r["record"] for r in rows] == ["#3", "#4 PMID 9"]
        assert ledger.status("PMID:9") == "quarantined"
        assert ledger.counts() == {"quarantined": 1}
        assert '"quarantined":2' in ledger.runs(1)[0]["summary"]


def test_many_ids_beyond_sqlite_variable_limit(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        docs = [doc(i, "t") for i in range(2500)]
        ledger.mark_written(docs, "p", ledger.start_run("t", []))
        assert set(ledger.decide(docs, "p").values()) == {"unchanged"}


def test_incompatible_ledger_is_refused(tmp_path):
    path = tmp_path / "l.sqlite"
    con = sqlite3.connect(path)
    con.execute("PRAGMA user_version = 99")
    con.commit()
    con.close()
    with pytest.raises(LedgerError, match="schema version 99"):
        Ledger(path)


def test_summary_reconciles():
    s = RunSummary(read=10, written=5, skipped=2, quarantined=2, deleted=1)
    assert s.reconciles
    s.add(RunSummary(read=1))
    assert not s.reconciles
    assert "| reconciles | NO |" in s.to_markdown()


def test_curation_marks_stale_and_remembers_what_changed_each_document(tmp_path):
    from kg.models import Document

    docs = [Document(id=f"PMID:{i}", source="pubmed", text=f"text {i}") for i in (1, 2, 3)]
    with Ledger(tmp_path / "l.sqlite") as ledger:
        run = ledger.start_run("ingest pubmed", ["in.xml"])
        ledger.mark_written(docs, "fp", run, curation={"PMID:1": ("c1", "c2"), "PMID:2": ("c2",)})
        assert ledger.documents_changed_by(["c2"]) == {"PMID:1", "PMID:2"}
        assert ledger.documents_changed_by(["c1", "c9"]) == {"PMID:1"}
        assert ledger.mark_stale(["PMID:1", "PMID:3", "PMID:404"]) == 2
        assert ledger.mark_stale(["PMID:1"]) == 0  # already stale: the fingerprint is kept once
        assert ledger.decide(docs, "fp") == {"PMID:1": "changed", "PMID:2": "unchanged", "PMID:3": "changed"}
        assert [(r["doc_id"], r["pipeline"], r["run_id"]) for r in ledger.stale()] == [
            ("PMID:1", "fp", run), ("PMID:3", "fp", run)]
        assert ledger.run_inputs(run) == ("ingest pubmed", ["in.xml"])
        ledger.mark_written(docs[:1], "fp", run)  # redone, and no decision changed it this time
        assert ledger.documents_changed_by(["c1"]) == set() and [r["doc_id"] for r in ledger.stale()] == ["PMID:3"]
        ledger.mark_deleted(["PMID:2"], run)
        assert ledger.documents_changed_by(["c2"]) == set()
        ledger.set_curation_applied({"c1": "{}", "c2": "{}"})
        assert ledger.curation_applied() == {"c1": "{}", "c2": "{}"}
        ledger.set_curation_applied({})
        assert ledger.curation_applied() == {}


def test_a_data_dir_keeps_the_pseudonymisation_key_its_notes_were_written_with(tmp_path):
    from kg.privacy import key_fingerprint

    first, other = key_fingerprint(b"k" * 16), key_fingerprint(b"x" * 16)
    assert first != other and "k" * 16 not in first
    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        ledger.pin_pseudonym_key(first)
        ledger.pin_pseudonym_key(first)  # the same key: fine, every run
    with Ledger(tmp_path / "ledger.sqlite") as ledger, pytest.raises(LedgerError, match="E803"):
        ledger.pin_pseudonym_key(other)  # its pseudonyms would duplicate every patient


def test_a_pubmed_deletion_of_a_document_never_seen_leaves_a_tombstone(tmp_path):
    """PubMed never reuses a deleted PMID: a deletion read before the citation (an update file read
    before the baseline) is remembered, so the citation read later is skipped. A note's deletion
    (no tombstone given) of an id never seen leaves no row, as before."""
    with Ledger(tmp_path / "l.sqlite") as ledger:
        run = ledger.start_run("test", [])
        ledger.mark_written([doc(1, "aspirin")], "p", run)
        ledger.mark_deleted(["PMID:1", "PMID:404", "PMID:405", "NOTE:n9"], run, {"PMID:1": 1, "PMID:404": 1,
                                                                                 "PMID:405": 3})
        assert [ledger.status(i) for i in ("PMID:1", "PMID:404", "NOTE:n9")] == ["deleted", "deleted", None]
        assert ledger.counts() == {"deleted": 3}
        assert ledger.decide([doc(1, "aspirin"), doc(404, "fever"), doc(405, "fever", version=3)], "p") == {
            "PMID:1": "older", "PMID:404": "older", "PMID:405": "older"}
        assert ledger.decide([doc(404, "fever", version=2)], "p") == {"PMID:404": "new"}  # another Version
        ledger.mark_deleted(["PMID:405"], run, {"PMID:405": 2})  # a tombstone's Version only grows
        assert ledger.held(["PMID:405"])["PMID:405"].version == 3


def test_runs_say_whether_they_finished_were_interrupted_or_never_ended(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        finished, interrupted, killed = (ledger.start_run("t", [f"{i}.xml"]) for i in range(3))
        ledger.finish_run(finished, RunSummary(read=1, written=1))
        ledger.finish_run(interrupted, RunSummary(read=1, skipped=1, interrupted=True))
        ledger.record_files(finished, {"0.xml": (10, 123)})
        states = {r["run_id"]: (r["state"], bool(r["finished_at"])) for r in ledger.runs()}
        assert states == {finished: ("finished", True), interrupted: ("interrupted", True), killed: ("unfinished", False)}
        assert ledger.run_files(finished) == {"0.xml": (10, 123)} and ledger.run_files(killed) == {}


def test_retractions_by_notices_are_remembered_and_an_older_ledger_gets_the_table(tmp_path):
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        run = ledger.start_run("test", [])
        ledger.mark_retractions([("PMID:9", "PMID:8"), ("PMID:7", "PMID:8")], run)
        ledger.mark_retractions([("PMID:9", "PMID:8")], run)  # again: no second row
        assert ledger.retracted_by_notices(["PMID:9", "PMID:1"]) == {"PMID:9"}
    with sqlite3.connect(path) as db:  # a ledger from before retractions were remembered
        db.execute("DROP TABLE retractions")
    with Ledger(path) as ledger:
        assert ledger.retracted_by_notices(["PMID:9"]) == set()
        ledger.mark_retractions([("PMID:9", "PMID:8")], 1)
        assert ledger.retracted_by_notices(["PMID:9"]) == {"PMID:9"}


FALKOR = {"store": "falkordb", "graph": "medkg"}
SECOND = {"store": "falkordb", "graph": "second"}


def test_a_ledger_records_the_graph_it_describes_and_refuses_another(tmp_path):
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:
        assert ledger.graph() is None
        ledger.bind_graph(FALKOR, documents_in_graph=0)  # first use: adopted
        ledger.mark_written([doc(1, "aspirin")], "p", ledger.start_run("t", []))
    with Ledger(path) as ledger:
        assert ledger.graph() == FALKOR
        ledger.bind_graph(FALKOR, documents_in_graph=1)
        with pytest.raises(LedgerError, match=r"^E804: .*describes falkordb graph 'medkg', not "
                                              r"falkordb graph 'second'") as exc:
            ledger.bind_graph(SECOND, documents_in_graph=0)
        assert "use another --data-dir" in exc.value.hint
        assert ledger.graph() == FALKOR  # refused: nothing recorded
        assert ledger.decide([doc(1, "aspirin")], "p") == {"PMID:1": "unchanged"}


def test_a_graph_emptied_since_the_ledger_wrote_to_it_is_refused(tmp_path):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.bind_graph(FALKOR, documents_in_graph=0)
        ledger.mark_written([doc(1, "aspirin"), doc(2, "fever")], "p", ledger.start_run("t", []))
        with pytest.raises(LedgerError, match=r"^E805: falkordb graph 'medkg' holds no documents, but "
                                              r"ledger .* lists 2 as written to it") as exc:
            ledger.bind_graph(FALKOR, documents_in_graph=0)
        assert "move" in exc.value.hint and "ingest again" in exc.value.hint
        assert ledger.graph_problem(FALKOR, 2) is None


def test_a_graph_that_lost_some_documents_is_named_and_the_ingest_warned_not_refused(tmp_path, caplog):
    with Ledger(tmp_path / "l.sqlite") as ledger:
        ledger.bind_graph(FALKOR, documents_in_graph=0)
        ledger.mark_written([doc(n, "aspirin") for n in (1, 2, 3)], "p", ledger.start_run("t", []))
        problem = ledger.graph_problem(FALKOR, 2)
        assert problem.code == "E806" and str(problem).startswith(
            "E806: falkordb graph 'medkg' holds 2 documents, but ledger ")
        assert "lists 3 as written to it: 1 are not in the graph" in problem.message
        assert "move" in problem.hint and "ingest the same inputs again" in problem.hint
        with caplog.at_level("WARNING", logger="kg.ledger"):
            ledger.bind_graph(FALKOR, documents_in_graph=2)  # said, not raised
        assert "E806" in caplog.text
        assert ledger.graph_problem(FALKOR, 3) is None and ledger.graph_problem(FALKOR, 4) is None


def test_a_ledger_from_before_adopts_the_graph_unless_the_graph_lacks_its_documents(tmp_path):
    path = tmp_path / "l.sqlite"
    with Ledger(path) as ledger:  # as a ledger written before graphs were recorded
        ledger.mark_written([doc(1, "aspirin")], "p", ledger.start_run("t", []))
    with Ledger(path) as ledger:
        assert ledger.graph_problem(SECOND, 0).code == "E805"  # only asks: nothing recorded
        assert ledger.graph() is None
        with pytest.raises(LedgerError, match="^E805"):
            ledger.bind_graph(SECOND, documents_in_graph=0)
        ledger.bind_graph(FALKOR, documents_in_graph=1)
        assert ledger.graph() == FALKOR


def test_a_ledger_from_before_gets_the_date_revised_column_and_its_rows_keep_deciding(tmp_path):
    path = tmp_path / "old.sqlite"
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE documents (doc_id TEXT PRIMARY KEY, source TEXT NOT NULL, version INTEGER NOT NULL,
            content_hash TEXT, pipeline TEXT, status TEXT NOT NULL CHECK (status IN ('ok', 'quarantined', 'deleted')),
            reason TEXT, run_id INTEGER, updated_at TEXT NOT NULL);
        PRAGMA user_version = 1;""")
    old = doc(1, "aspirin", version=2)
    db.execute("INSERT INTO documents VALUES ('PMID:1', 'pubmed', 2, ?, 'p', 'ok', NULL, 1, 'then')", (old.content_hash,))
    db.execute("INSERT INTO documents VALUES ('PMID:2', 'pubmed', 1, NULL, 'p', 'deleted', 'deleted by source', 1, 'then')")
    db.commit()
    db.close()
    with Ledger(path) as ledger:
        assert ledger.decide([old], "p") == {"PMID:1": "unchanged"}
        dated = doc(1, "aspirin and fever", version=2).model_copy(update={"metadata": {"date_revised": "2020-01-01"}})
        assert ledger.decide([dated, doc(2, "fever")], "p") == {"PMID:1": "changed", "PMID:2": "older"}
        assert ledger.decide([doc(1, "aspirin")], "p") == {"PMID:1": "older"}  # Version 1 < 2
        ledger.mark_written([dated], "p", ledger.start_run("t", []))
        assert ledger.held(["PMID:1"])["PMID:1"].date_revised == "2020-01-01"
    with Ledger(path) as ledger:  # opened again: migrated once
        assert ledger.decide([dated], "p") == {"PMID:1": "unchanged"}
