"""Ctrl-C during `medkg ingest`: the summary of what was written, one line that says what to do, exit status 130."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import pytest

import kg.components
from kg import cli
from kg.assemble import Assembler
from kg.ledger import Ledger
from kg.pipeline import Pipeline

from fakes import Broken, MemoryStore, word_annotator

ARTICLES = Path(__file__).parents[2] / "fixtures" / "pubmed" / "articles.xml"


class CtrlC:
    """A component during whose third document the user types Ctrl-C."""

    name, version, settings = "ctrl-c", "1", {}

    def __init__(self) -> None:
        self.seen = 0

    def pipe(self, docs, batch_size=1):
        for d in docs:
            self.seen += 1
            if self.seen == 3:
                raise KeyboardInterrupt
            yield d


class CountingStore(MemoryStore):
    def counts(self):
        return {"nodes": {"Document": len(self.docs)}, "relationships": {}}


def _ingest(monkeypatch, tmp_path, store: CountingStore, component, **pipeline) -> int:
    """`medkg ingest pubmed` of the fixture articles into ``store``, with ``component`` after the words are
    found; the exit status."""
    @contextmanager
    def graph(*, write=False):
        assert write  # an ingest writes: the schema is made first
        yield store

    def build_pipeline(settings, *, store, ledger, **kw):
        return Pipeline(annotator=word_annotator(component), assembler=Assembler(), store=store, ledger=ledger,
                        **pipeline)

    monkeypatch.setattr(cli, "_graph", graph)
    monkeypatch.setattr(cli, "_apply_curation_changes", lambda *args: None)
    monkeypatch.setattr(kg.components, "build_pipeline", build_pipeline)
    monkeypatch.setattr(sys, "argv", ["medkg", "--data-dir", str(tmp_path / "data"), "ingest", "pubmed", str(ARTICLES),
                                      "--workers", "1"])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    return exit_.value.code


def test_ctrl_c_prints_what_was_written_and_how_to_finish_and_the_ledger_says_interrupted(monkeypatch, capsys, tmp_path):
    store = CountingStore()
    assert _ingest(monkeypatch, tmp_path, store, CtrlC(), batch_size=2) == 130
    out = capsys.readouterr()
    assert "run 1 summary (interrupted)" in out.out and "Traceback" not in out.err
    assert out.err.strip() == ("interrupted: 2 documents written before the interrupt; "
                               "run the same command again to finish")
    assert set(store.docs) == {"PMID:1000001", "PMID:1000002"}
    with Ledger(tmp_path / "data" / "ledger.sqlite") as ledger:
        [run] = ledger.runs()
    assert run["state"] == "interrupted" and '"written":2' in run["summary"]


def test_a_run_whose_every_analysed_document_failed_exits_with_an_error_not_0(monkeypatch, capsys, tmp_path):
    store = CountingStore()
    assert _ingest(monkeypatch, tmp_path, store, Broken()) == 2
    out = capsys.readouterr()
    assert "run 1 summary" in out.out  # the summary and the quarantined records first
    assert "error E419: all 4 documents this run analysed failed in processing" in out.err
    assert "weights do not fit" in out.err and not store.docs
