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
        assert ledger.decide([d], "p1") == {"PMID:1": "new"}


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
