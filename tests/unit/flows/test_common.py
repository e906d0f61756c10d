"""The flows' task shapes called as plain functions (``task.fn``), and the Dask runner choice; no Prefect API."""

import pytest
from pydantic import SecretStr

pytest.importorskip("prefect_dask")

import flows.common as common  # noqa: E402
from flows.common import analyse_batch, commit_batch, dask_runner, without_secrets, worth_retrying  # noqa: E402
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


def test_a_commit_is_not_retried_on_a_graph_server_that_stopped_answering():
    """E715: the flow's store is open across its commits, so a retry would only wait out the timeout again."""
    from prefect.states import Failed

    from kg.errors import Errors, GraphUnavailableError

    hung = GraphUnavailableError(Errors.E715, socket="s", seconds=600, last="")
    lost = GraphUnavailableError(Errors.E711, socket="s", error="gone")
    assert commit_batch.retry_condition_fn is worth_retrying
    assert not worth_retrying(commit_batch, None, Failed(data=hung))
    assert worth_retrying(commit_batch, None, Failed(data=lost))
    assert worth_retrying(commit_batch, None, Failed(data=OSError("disk full")))


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


def _closed_port() -> int:
    """A local port nothing listens on."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_scheduler_that_does_not_answer_is_refused_in_seconds_with_what_to_do():
    import socket

    from kg.errors import MedkgError

    address = f"tcp://127.0.0.1:{_closed_port()}"
    with pytest.raises(MedkgError, match=f"^E012: no Dask scheduler answers at '{address}': .*refused") as caught:
        common.check_scheduler(address)
    assert "dask scheduler" in caught.value.hint and "MEDKG_DASK_ADDRESS" in caught.value.hint
    with pytest.raises(MedkgError, match="^E012: .*nowhere.invalid"):  # a host name that does not resolve
        common.check_scheduler("tcp://nowhere.invalid:8786")
    with socket.socket() as listening:
        listening.bind(("127.0.0.1", 0))
        listening.listen()
        common.check_scheduler(f"tcp://127.0.0.1:{listening.getsockname()[1]}")
    common.check_scheduler(None)  # a local cluster: nothing to check


@pytest.mark.parametrize("address", ["http://scheduler:8786", "inproc://10.0.0.1/1/2", "ucx://scheduler:8786"])
def test_a_scheme_no_scheduler_of_another_process_listens_on_is_refused_at_once(address):
    """QA: http://x:1 was accepted, and failed only when the first batch was sent."""
    from kg.errors import ArgumentError

    with pytest.raises(ArgumentError, match=r"^E007: .* is reached over tcp://, tls://, ws:// or wss://"):
        dask_runner(address)


def test_every_scheme_a_scheduler_listens_on_is_accepted():
    for address in ("tcp://scheduler:8786", "tls://scheduler:8786", "ws://scheduler:8786", "wss://[::1]:8786",
                    "scheduler:8786"):  # Dask's default scheme: tcp
        assert dask_runner(address).address == address


def _flow_calls(tmp_path):
    """Each ingestion flow's code, called on inputs that need no scheduler: name -> a call."""
    from pathlib import Path

    from flows.deployments import pubmed_updates
    from flows.ingest_notes import ingest_notes
    from flows.ingest_pubmed import ingest_pubmed

    articles = Path(__file__).parents[2] / "fixtures" / "pubmed" / "articles.xml"
    notes = Path(__file__).parents[2] / "fixtures" / "notes" / "noteevents.csv"
    data = str(tmp_path / "data")
    return {
        "ingest-pubmed": lambda: ingest_pubmed.fn(files=[str(articles)], data_dir=data),
        "ingest-notes": lambda: ingest_notes.fn(str(notes), data_dir=data),
        "pubmed-updates": lambda: pubmed_updates.fn(folder=str(articles.parent), pattern="*.xml", data_dir=data),
    }


@pytest.mark.parametrize("name", ["ingest-pubmed", "ingest-notes", "pubmed-updates"])
def test_a_flow_run_whose_scheduler_does_not_answer_fails_before_it_opens_the_ledger(name, tmp_path, monkeypatch):
    """QA: `--dask-address tcp://127.0.0.1:1` opened a ledger run, then died 40-65 s later (when the first
    batch was sent) with a deep traceback, the ledger run left unfinished."""
    from types import SimpleNamespace

    from prefect.context import FlowRunContext

    import flows.deployments
    import flows.ingest_notes
    import flows.ingest_pubmed
    from kg.errors import MedkgError

    monkeypatch.setenv("MEDKG_PSEUDONYM_KEY", "test-key-0123456789abcdef")

    def never(*args, **kwargs):
        raise AssertionError("opened the store or the ledger")

    for module in (common, flows.deployments, flows.ingest_notes, flows.ingest_pubmed):
        for attr in ("run_ingestion", "open_store", "open_ledger"):
            if hasattr(module, attr):
                monkeypatch.setattr(module, attr, never)
    # the flow run Prefect starts: its task runner connects to the scheduler only when a task is sent
    run = SimpleNamespace(task_runner=dask_runner(f"tcp://127.0.0.1:{_closed_port()}"))
    token = FlowRunContext.__var__.set(run)
    try:
        with pytest.raises(MedkgError, match="^E012"):
            _flow_calls(tmp_path)[name]()
    finally:
        FlowRunContext.__var__.reset(token)
    assert not (tmp_path / "data").exists()


def test_a_worker_keys_its_components_on_what_analysis_reads_and_keeps_a_few(monkeypatch):
    """QA: cached on the whole Settings, a long-lived worker built (and kept) one pipeline per batch size,
    data dir or graph a run named, and the components (models, lexicon) under it once per Settings."""
    from types import SimpleNamespace

    built = []

    def build_pipeline(settings, **kw):
        built.append(settings)
        return SimpleNamespace(analyse=lambda docs, n=len(built): n)  # says which build analysed

    monkeypatch.setattr(common, "build_pipeline", build_pipeline)
    monkeypatch.setattr(common, "freeze_loaded", lambda: None)
    common._analysis_pipeline.cache_clear()
    try:
        for changed in ({"batch_size": 7}, {"workers": 3}, {"dask_address": "tcp://s:8786"}, {"graph_name": "other"},
                        {"store": "neo4j", "neo4j_uri": "bolt://db:7687"}, {"max_doc_chars": 5000}, {}):
            assert analyse_batch.fn(Settings(**changed), "pubmed", False, [], 0) == 1
        assert len(built) == 1 and built[0] == Settings()  # what the components in kg.components are keyed on
        assert analyse_batch.fn(Settings(ner_model="dictionary"), "pubmed", False, [], 0) == 2  # another analysis
        for n in range(20):  # as many analyses as a worker may ever see: its cache stays bounded
            analyse_batch.fn(Settings(re_model=f"models/re-{n}"), "pubmed", False, [], 0)
        info = common._analysis_pipeline.cache_info()
        assert info.maxsize is not None and info.currsize <= info.maxsize
    finally:
        common._analysis_pipeline.cache_clear()


def test_what_analysis_reads_stays_in_its_key(tmp_path):
    s = Settings(data_dir=tmp_path, shared_data=tmp_path / "shared", cache_dir=tmp_path / "c", ner_model="dictionary",
                 re_model="models/x", retractions=tmp_path / "r.tsv", curation=tmp_path / "cur.tsv", batch_size=3)
    assert common.analysis_settings(s) == s.model_copy(update={"batch_size": 500})
