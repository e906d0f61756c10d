"""The flows' task shapes called as plain functions (``task.fn``), and the Dask runner choice; no Prefect API."""

import pytest
from pydantic import SecretStr

pytest.importorskip("prefect_dask")

import flows.common as common  # noqa: E402
from flows.common import analyse_batch, commit_batch, dask_runner, without_secrets  # noqa: E402
from kg.assemble import Assembler  # noqa: E402
from kg.config import Settings  # noqa: E402
from kg.ledger import Ledger  # noqa: E402
from kg.models import Deletion  # noqa: E402
from kg.pipeline import Pipeline  # noqa: E402

from fakes import MemoryStore, doc, word_annotator  # noqa: E402


def test_analyse_on_a_worker_then_commit_here_reconciles_and_only_the_commit_retries(tmp_path, monkeypatch):
    pipeline = Pipeline(annotator=word_annotator(), assembler=Assembler(), store=MemoryStore(),
                        ledger=Ledger(tmp_path / "ledger.sqlite"))
    monkeypatch.setattr(common, "_analysis_pipeline", lambda *args: pipeline)
    run_id = pipeline.ledger.start_run("test", [])
    prepared = pipeline.prepare([doc(1, "Aspirin and fever."), doc(2, "EXPLODE"), Deletion(id="PMID:9")])
    analysed = analyse_batch.fn(Settings(), "pubmed", False, prepared.to_analyse, 0)
    assert [d.id for d in analysed.written] == ["PMID:1"] and len(analysed.quarantined) == 1
    assert pipeline.store.docs == {}  # analysing writes nothing
    summary = commit_batch.fn(pipeline, prepared, analysed, run_id, 0)
    assert (summary.read, summary.written, summary.quarantined, summary.deleted) == (3, 1, 1, 0) and summary.reconciles
    assert summary.deletions_not_found == 1  # PMID 9 was never ingested
    assert analyse_batch.retries == 0 and commit_batch.retries == 3  # retries only on I/O


def test_workers_are_sent_no_secrets():
    settings = Settings(neo4j_password=SecretStr("pw"), pseudonym_key=SecretStr("k" * 20), batch_size=7)
    sent = without_secrets(settings)
    assert sent.neo4j_password is None and sent.pseudonym_key is None and sent.batch_size == 7


def test_the_runner_is_a_scheduler_when_one_is_named_else_a_local_cluster(monkeypatch):
    monkeypatch.delenv("MEDKG_DASK_ADDRESS", raising=False)
    local = dask_runner(workers=3)
    assert local.address is None and local.cluster_kwargs["n_workers"] == 3
    assert local.cluster_kwargs["threads_per_worker"] == 1 and local.cluster_kwargs["processes"] is True
    monkeypatch.setenv("MEDKG_DASK_ADDRESS", "tcp://scheduler:8786")
    assert dask_runner().address == "tcp://scheduler:8786"
    assert dask_runner("tcp://other:8786").address == "tcp://other:8786"


def test_a_worker_builds_its_components_once_and_freezes_them_out_of_the_collector(monkeypatch):
    import gc

    built = []
    monkeypatch.setattr(common, "build_pipeline", lambda settings, **kw: built.append(object()) or built[-1])
    common._analysis_pipeline.cache_clear()
    try:
        gc.unfreeze()
        first = common._analysis_pipeline(Settings(), "pubmed", False)
        assert gc.get_freeze_count() > 0 and first is built[0]
        assert common._analysis_pipeline(Settings(), "pubmed", False) is first and len(built) == 1
    finally:
        gc.unfreeze()
        common._analysis_pipeline.cache_clear()


def test_an_address_dask_cannot_read_is_refused_at_once(monkeypatch):
    from kg.errors import ArgumentError

    with pytest.raises(ArgumentError, match="E007: 'bogus' is not a Dask scheduler address"):
        dask_runner("bogus")
    monkeypatch.setenv("MEDKG_DASK_ADDRESS", "tcp://scheduler")  # no port
    with pytest.raises(ArgumentError, match="E007"):
        dask_runner()
    assert dask_runner("tcp://scheduler:8786").address == "tcp://scheduler:8786"


@pytest.mark.parametrize("flow_module", ["flows.ingest_pubmed", "flows.ingest_notes"])
def test_the_flows_batch_size_comes_from_the_environment_unless_given(flow_module, monkeypatch):
    """QA: both flows passed their own default (500, 200) as an override, so MEDKG_BATCH_SIZE and a config
    file's batch_size never reached a flow called from Python."""
    import importlib
    import inspect

    fn = getattr(importlib.import_module(flow_module), flow_module.rsplit(".", 1)[1]).fn
    assert inspect.signature(fn).parameters["batch_size"].default is None
    monkeypatch.setenv("MEDKG_BATCH_SIZE", "7")
    assert common.flow_settings(data_dir=None, batch_size=None).batch_size == 7
    assert common.flow_settings(data_dir=None, batch_size=3).batch_size == 3
