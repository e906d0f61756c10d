"""The shape both ingestion flows share: analyse batches on Dask workers (CPU, no retries), commit
them in input order here (I/O, retried; not on a graph server that stopped answering, E715).

The analysis task is fanned out through the flow's task runner: prefect-dask's
``DaskTaskRunner``, a local cluster of processes by default, or a running Dask cluster when
``MEDKG_DASK_ADDRESS`` (or ``--dask-address``) names one, checked to answer before a run opens the
ledger. A worker builds the components once per process (a process-level cache, keyed on the
settings analysis reads) and reuses them for every batch; tasks carry documents and settings, never
models. The flow process keeps the ledger and the graph store: it prepares each batch (which
documents need work), and commits the analysed batches one by one in input order, so a later
DeleteCitation or revised record still wins.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect_dask import DaskTaskRunner

from kg.components import build_pipeline, open_ledger
from kg.config import SECRET_FIELDS, Settings, load_settings
from kg.curator import apply_curation
from kg.errors import ArgumentError, Errors, MedkgError
from kg.graph.backends import open_store
from kg.ledger import RunSummary
from kg.models import Document
from kg.pipeline import Analysed, Item, Pending, Pipeline, Prepared, freeze_loaded, raise_if_all_failed
from kg.privacy import key_fingerprint, load_key


# The comm backends distributed registers (distributed.comm.registry.backends) that a scheduler in
# another process listens on, over TCP: "inproc" reaches only a scheduler inside this very process,
# which medkg never starts, and "ucx" was removed from distributed (its backend raises on use).
SCHEDULER_SCHEMES = ("tcp", "tls", "ws", "wss")
SCHEDULER_TIMEOUT = 5.0  # seconds to wait for the scheduler's port to accept a connection


def dask_runner(address: str | None = None, workers: int | None = None, config: str | None = None) -> DaskTaskRunner:
    """The task runner: the Dask scheduler at ``address`` (default: the ``dask_address`` setting of
    ``config`` or ``MEDKG_CONFIG``, or ``MEDKG_DASK_ADDRESS``), else a local cluster of ``workers``
    single-threaded processes (default: the ``workers`` setting, ``MEDKG_WORKERS``, else the cores).

    The address is checked here (E007); whether a scheduler answers there, when a flow run starts
    (:func:`check_run_scheduler`), not at import, where the flows' decorators call this."""
    settings = load_settings(config)
    address = address or settings.dask_address
    if address:
        _check_address(address)
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_kwargs={"n_workers": workers or settings.worker_count, "threads_per_worker": 1,
                                          "processes": True, "dashboard_address": None})


def _check_address(address: str) -> tuple[str, int]:
    """The host and port of a scheduler address Dask can read and connect to in another process (E007):
    "bogus" or "http://host:8786" would otherwise surface only when the first batch is sent, as a
    traceback from deep inside the task runner."""
    from distributed.comm import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme not in SCHEDULER_SCHEMES:
            schemes = [f"{s}://" for s in SCHEDULER_SCHEMES]
            raise ValueError(f"a Dask scheduler in another process is reached over {', '.join(schemes[:-1])} "
                             f"or {schemes[-1]}, not {scheme}://")
        return parse_host_port(location)
    except ValueError as exc:
        raise ArgumentError(Errors.E007, address=address, error=exc) from exc


def check_scheduler(address: str | None, timeout: float = SCHEDULER_TIMEOUT) -> None:
    """E007 unless Dask can read ``address``, E012 unless something accepts a connection there within
    ``timeout`` seconds; None (a local cluster) passes. Where a flow run starts (:func:`check_run_scheduler`)
    and where ``medkg serve`` does (``serve_deployments``)."""
    if address is None:
        return
    host, port = _check_address(address)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:  # refused, timed out, or a host name that does not resolve
        raise MedkgError(Errors.E012, address=address, error=exc) from exc


def check_run_scheduler() -> None:
    """The first thing a flow does: the Dask scheduler its task runner sends batches to answers (E012).

    prefect-dask's runner connects only when the first task is sent: by then the flow had opened a
    ledger run, and a scheduler that was down failed it 40-65 s later with a deep traceback, the ledger
    run left unfinished. Checked in the flow's code, not as Prefect starts the runner, so the run ends
    Failed with the message (an error there left it Running). Outside a flow run, nothing to check."""
    context = FlowRunContext.get()
    check_scheduler(getattr(context.task_runner, "address", None) if context else None)


# The settings analysis never reads (those of the flow process: batches, the graph and its server, where
# the tasks run, NCBI): two runs that differ only in them share a worker's components. What it reads
# (data_dir's cache and curation file, shared_data, the models, the retraction list) stays in the key.
_NOT_ANALYSIS = ("batch_size", "workers", "dask_address", "write_batch_size", "max_doc_chars", "store",
                 "graph_name", "neo4j_uri", "neo4j_user", "neo4j_database", "ncbi_email", *SECRET_FIELDS)


def analysis_settings(settings: Settings) -> Settings:
    """``settings`` with the ones analysis does not read at their defaults: the key of a worker's
    components, so a long-lived worker keeps one set per analysis, not one per run's batch size."""
    return settings.model_copy(update={name: Settings.model_fields[name].default for name in _NOT_ANALYSIS})


# A worker keeps the pipelines of the last few analyses it ran: a served pair of deployments (PubMed and
# notes) alternates two on one cluster; an unbounded cache kept one per analysis ever seen.
@lru_cache(maxsize=4)
def _analysis_pipeline(settings: Settings, source_name: str, keep_note_text: bool) -> Pipeline:
    """Once per worker process and analysis: the components, without store or ledger (analysis needs neither).

    They live as long as the worker: frozen out of the collector (as ``Analysers`` does for a CLI run)."""
    pipeline = build_pipeline(settings, store=None, ledger=None, source_name=source_name,
                              keep_note_text=keep_note_text)
    freeze_loaded()
    return pipeline


@task(cache_policy=NO_CACHE, task_run_name="analyse-{batch_no}")
def analyse_batch(settings: Settings, source_name: str, keep_note_text: bool, documents: list[Document],
                  batch_no: int) -> Analysed:
    """Extraction, linking, assertion, relations, assembly. Deterministic: a failure is a bug, not weather."""
    return _analysis_pipeline(analysis_settings(settings), source_name, keep_note_text).analyse(documents)


def worth_retrying(task: Any, task_run: Any, state: Any) -> bool:
    """Prefect's retry condition of a commit: any failure but a graph server that stopped answering (E715).
    The flow's store stays open across its commits, so a retry would wait out the timeout again on the same
    hung server; the run fails at once instead, and the next run redoes the batch."""
    return not (isinstance(state.data, MedkgError) and state.data.code == "E715")


@task(cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 10, 30], retry_condition_fn=worth_retrying,
      task_run_name="commit-{batch_no}")
def commit_batch(
    pipeline: Pipeline, prepared: Prepared, analysed: Analysed | None, run_id: int, batch_no: int
) -> RunSummary:
    """Graph write then ledger update; MERGE makes a retried write idempotent."""
    return pipeline.commit(prepared, analysed, run_id)


def without_secrets(settings: Settings) -> Settings:
    """What a worker is sent: no passwords or keys travel to the cluster (analysis needs none)."""
    return settings.model_copy(update={name: None for name in SECRET_FIELDS})


def flow_settings(config: str | None = None, overrides: dict[str, Any] | None = None, **values: Any) -> Settings:
    """The settings of a flow run: the TOML file and command-line overrides ``medkg serve`` was given
    (deployment parameters), then the flow's own parameters; None means "not set"."""
    return load_settings(config, **{k: v for k, v in {**(overrides or {}), **values}.items() if v is not None})


def run_ingestion(
    items: Iterable[Item], *, settings: Settings, source_name: str, command: str, inputs: list[str],
    keep_note_text: bool = False, in_flight: int | None = None, key: bytes | None = None,
) -> RunSummary:
    """Prepare, analyse on the task runner's workers, commit in order; a Markdown summary artifact at the end.

    ``in_flight``: batches analysed ahead of the oldest uncommitted one (default: twice the workers).
    ``key``: the pseudonymisation key of notes, which the ledger checks is the data dir's (E803).
    """
    started = time.perf_counter()
    worker_settings = without_secrets(settings)
    ahead = in_flight or 2 * settings.worker_count
    with open_store(settings) as store, open_ledger(settings, store) as ledger:
        if key is not None:
            ledger.pin_pseudonym_key(key_fingerprint(key))
        store.ensure_schema()
        # what changed in the curation file since it was last applied (a curator's pull): at once
        apply_curation(settings, store, ledger, key=load_key(settings) if settings.pseudonym_key else None)
        pipeline = build_pipeline(
            settings, store=store, ledger=ledger, source_name=source_name, keep_note_text=keep_note_text
        )
        run_id = ledger.start_run(command, inputs)
        total = RunSummary(run_id=run_id)
        pending = Pending()

        def submit(prepared: Prepared, batch_no: int):
            if not prepared.to_analyse:
                return None
            return analyse_batch.submit(worker_settings, source_name, keep_note_text, prepared.to_analyse, batch_no)

        for prepared, future, batch_no in pipeline.in_order(items, pending, submit, ahead):
            analysed = future.result() if future is not None else None
            total.add(commit_batch(pipeline, prepared, analysed, run_id, batch_no))
            pending.done(prepared)
        total.seconds = time.perf_counter() - started
        pipeline.finish(total)
        quarantined = ledger.quarantined(run_id)
    create_markdown_artifact(
        markdown=f"# {command}\n\nInputs: {', '.join(inputs)}\n\n{total.to_markdown()}",
        key=f"{source_name}-ingest-summary",
        description="medkg run summary (read = written + skipped + quarantined + deleted)",
    )
    raise_if_all_failed(total, quarantined)  # the flow run fails, as `medkg ingest` exits 2
    return total
