"""Ctrl-C during `medkg ingest`: the summary of what was written, one line that says what to do, exit status 130.
And a query with no hits says so."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

import kg.components
from kg import cli
from kg.assemble import Assembler
from kg.ledger import Ledger
from kg.pipeline import Pipeline

from fakes import Broken, MemoryStore, word_annotator

ARTICLES = Path(__file__).parents[2] / "fixtures" / "pubmed" / "articles.xml"
EFETCH = Path(__file__).parents[2] / "fixtures" / "eutils" / "efetch_retstart0.xml"  # PMIDs 29768149 and 399296
HISTORY = b'{"esearchresult":{"count":"%d","retmax":"0","retstart":"0","querykey":"1","webenv":"MCID_1"}}'


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


def _ingest(monkeypatch, tmp_path, store: CountingStore, component, *args: str, **pipeline) -> int:
    """`medkg ingest pubmed` of the fixture articles (or ``args``) into ``store``, with ``component`` after the
    words are found; the exit status."""
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
    monkeypatch.setattr(sys, "argv", ["medkg", "--data-dir", str(tmp_path / "data"), "ingest", "pubmed",
                                      *(args or [str(ARTICLES)]), "--workers", "1"])
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


def _ncbi(monkeypatch, respond) -> None:
    """E-utilities answered in process by ``respond(endpoint, params)``: a body, or an exception it raises."""
    real = httpx.Client

    def handle(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=respond(request.url.path.rsplit("/", 1)[-1], request.url.params))

    monkeypatch.setattr(httpx, "Client", lambda **kwargs: real(transport=httpx.MockTransport(handle)))
    monkeypatch.delenv("MEDKG_EUTILS_BASE_URL", raising=False)


def _ctrl_c(*args):
    raise KeyboardInterrupt


def test_ctrl_c_during_the_e_utilities_search_says_so_and_exits_130(monkeypatch, capsys, tmp_path):
    """QA: Ctrl-C while esearch ran ended the command with status 130 and not a word."""
    _ncbi(monkeypatch, _ctrl_c)
    assert _ingest(monkeypatch, tmp_path, CountingStore(), CtrlC(), "--query", "aspirin") == 130
    out = capsys.readouterr()
    assert "Traceback" not in out.err and out.out == ""
    assert out.err.strip() == "interrupted during the E-utilities search: nothing was fetched or written"
    assert not (tmp_path / "data" / "ledger.sqlite").exists()


def test_ctrl_c_during_the_e_utilities_fetch_prints_what_was_written_and_exits_130(monkeypatch, capsys, tmp_path):
    """The efetch page comes back short (2 of 3), and Ctrl-C comes while the PMIDs of the page are asked for."""
    _ncbi(monkeypatch, lambda endpoint, params: (HISTORY % 3 if endpoint == "esearch.fcgi"
                                                 else _ctrl_c() if params.get("rettype") == "uilist"
                                                 else EFETCH.read_bytes()))
    store = CountingStore()
    assert _ingest(monkeypatch, tmp_path, store, CtrlC(), "--query", "aspirin", batch_size=2) == 130
    out = capsys.readouterr()
    assert "run 1 summary (interrupted)" in out.out and "Traceback" not in out.err
    assert out.err.strip() == ("interrupted: 2 documents written before the interrupt; "
                               "run the same command again to finish")
    assert set(store.docs) == {"PMID:29768149", "PMID:399296"}


def test_a_query_with_no_hits_says_so_and_its_run_summary_reconciles(monkeypatch, capsys, tmp_path):
    """QA: a query that matched nothing ingested nothing without a word unless -v."""
    _ncbi(monkeypatch, lambda endpoint, params: HISTORY % 0 if endpoint == "esearch.fcgi" else _ctrl_c())
    assert _ingest(monkeypatch, tmp_path, CountingStore(), CtrlC(), "--query", "zzz[ti] AND qqq[au]") == 0
    out = capsys.readouterr()
    assert out.err == "E-utilities: 0 records match 'zzz[ti] AND qqq[au]'; nothing to ingest\n"
    assert "run 1 summary" in out.out and "(interrupted)" not in out.out
    table = " ".join(out.out.replace("│", " ").split())
    assert " read 0 written 0 " in table and "read = written + skipped + quarantined + deleted yes" in table


def test_ctrl_c_while_the_models_load_says_so_and_exits_130(monkeypatch, capsys, tmp_path):
    """QA: Ctrl-C while the graph, ledger and models loaded exited 130 without a word."""
    @contextmanager
    def graph(*, write=False):
        yield CountingStore()

    monkeypatch.setattr(kg.components, "build_pipeline", lambda *args, **kwargs: _ctrl_c())
    monkeypatch.setattr(cli, "_apply_curation_changes", lambda *args: None)
    monkeypatch.setattr(cli, "_graph", graph)
    monkeypatch.setattr(sys, "argv", ["medkg", "--data-dir", str(tmp_path / "data"), "ingest", "pubmed", str(ARTICLES)])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    assert exit_.value.code == 130
    out = capsys.readouterr()
    assert out.out == "" and "Traceback" not in out.err
    assert out.err.startswith("interrupted before the run read its first document") and "run the same command again" in out.err
