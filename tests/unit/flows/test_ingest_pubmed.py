"""The ingest-pubmed flow's own code (``flow.fn``): its arguments, and the E-utilities client it opens."""

import pytest

pytest.importorskip("prefect_dask")

import flows.ingest_pubmed as module  # noqa: E402
from flows.ingest_pubmed import ingest_pubmed  # noqa: E402
from kg.errors import ArgumentError  # noqa: E402
from kg.ledger import RunSummary  # noqa: E402
from kg.sources.eutils import EutilsClient  # noqa: E402


@pytest.mark.parametrize("max_records", [0, -5])
def test_a_query_for_fewer_than_one_record_is_refused_before_anything_runs(max_records, tmp_path, monkeypatch):
    """QA: max_records=0 was accepted: a run that read nothing, as if the query had no hits."""
    def never(*args, **kwargs):
        raise AssertionError("searched or ingested")

    monkeypatch.setattr(EutilsClient, "fetch", never)
    monkeypatch.setattr(module, "run_ingestion", never)
    with pytest.raises(ArgumentError, match=f"^E010: max_records must be at least 1, got {max_records}"):
        ingest_pubmed.fn(query="aspirin", max_records=max_records, data_dir=str(tmp_path))


@pytest.mark.parametrize("fails", [False, True])
def test_the_e_utilities_client_is_closed_however_the_run_ends(fails, tmp_path, monkeypatch):
    """QA: the flow never closed its client (and the HTTP connections it holds)."""
    closed, close = [], EutilsClient.close

    def fetch(self, query, max_records=None):
        assert (query, max_records) == ("aspirin", 3)
        return iter([])

    def run_ingestion(items, **kwargs):
        assert not closed, "closed before the run read the records"
        list(items)
        if fails:
            raise RuntimeError("the graph went away")
        return RunSummary(run_id=1)

    monkeypatch.setattr(EutilsClient, "fetch", fetch)
    monkeypatch.setattr(EutilsClient, "close", lambda self: closed.append(self) or close(self))
    monkeypatch.setattr(module, "run_ingestion", run_ingestion)
    if fails:
        with pytest.raises(RuntimeError):
            ingest_pubmed.fn(query="aspirin", max_records=3, data_dir=str(tmp_path))
    else:
        assert ingest_pubmed.fn(query="aspirin", max_records=3, data_dir=str(tmp_path))["run_id"] == 1
    assert len(closed) == 1
