"""Scheduled ingestion: Prefect deployments served by one long-running process (``medkg serve``).

Two schedules: the daily PubMed update files (cron) and a folder of clinical notes (interval).
Both run the same analysis/commit tasks (flows/common.py: analysis fanned out on Dask, retries on
the graph write only, a run-summary artifact per run). To scale the NLP out, give ``medkg serve``
a Dask scheduler (``--dask-address tcp://host:8786`` or ``MEDKG_DASK_ADDRESS``) whose workers see
the same data and cache folders; the graph scales on Neo4j.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from prefect import flow, serve
from prefect.client.schemas.schedules import CronSchedule
from prefect.deployments.runner import RunnerDeployment
from prefect.settings import PREFECT_API_URL

from flows.common import check_run_scheduler, check_scheduler, dask_runner, flow_settings, run_ingestion
from kg.components import open_ledger
from kg.errors import ArgumentError, ConfigError, Errors, SourceError
from kg.graph.backends import open_store
from kg.ledger import Ledger
from kg.privacy import key_fingerprint, load_key

PUBMED_UPDATES_COMMAND = "flow pubmed-updates"
DEFAULT_PUBMED_CRON = "30 6 * * *"  # NCBI posts the day's update file overnight (US Eastern)
DEFAULT_PUBMED_PATTERN = "pubmed*.xml.gz"


# Quarantine codes that say a file was not read to its end: a cut or corrupt gzip, a read error, XML
# that ends before its root element's end tag (inside a record or between two). Such a file is read
# again each run, and the files after it wait (updates apply in sequence). A damaged record (E303,
# E304, E313, E315) loses itself only: read again, the same bytes give the same, and a copy
# downloaded again is picked up by its size and mtime.
CUT_SHORT = ("E301", "E302", "E316")


def file_version(path: Path) -> tuple[int, int]:
    """Size and modification time (ns): what tells a file downloaded again from the one a run read,
    without reading a year of update files every day to hash them."""
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns


def pending_files(folder: Path, pattern: str, done: Mapping[str, tuple[int, int] | None]) -> list[Path]:
    """Update files to ingest, in name order: from the first one not ingested as it is now (new,
    downloaded again, or read only in part), every file after it too. Updates must apply in
    sequence (a later file may revise or delete a citation of an earlier one): an earlier file read
    again alone would bring back the versions and citations the later ones replaced or deleted."""
    files = sorted(p for p in folder.glob(pattern) if p.is_file())
    for i, path in enumerate(files):
        key = str(path.resolve())
        if key not in done or done[key] not in (None, file_version(path)):
            return files[i:]
    return []


def stopped_early(ledger: Ledger, run_id: int) -> str | None:
    """The quarantine reason that says a run did not read its file to the end (CUT_SHORT), else None."""
    return next((q["reason"] for q in ledger.quarantined(run_id) if q["reason"].startswith(CUT_SHORT)), None)


def ingested_files(ledger: Ledger) -> dict[str, tuple[int, int] | None]:
    """Files whose last pubmed-updates run finished and read them to their end, from the ledger: path ->
    their size and mtime then (None where the run predates the ledger's record of them)."""
    done: dict[str, tuple[int, int] | None] = {}
    for run in reversed(ledger.runs(last=1_000_000)):  # oldest first: a file's last run decides
        if run["command"] != PUBMED_UPDATES_COMMAND:
            continue
        whole = run["state"] == "finished" and stopped_early(ledger, run["run_id"]) is None
        versions = ledger.run_files(run["run_id"])
        for f in json.loads(run["inputs"]):
            if whole:
                done[f] = versions.get(f)
            else:
                done.pop(f, None)
    return done


@flow(name="pubmed-updates", log_prints=True, task_runner=dask_runner())
def pubmed_updates(
    folder: str, pattern: str = DEFAULT_PUBMED_PATTERN, data_dir: str | None = None, batch_size: int | None = None,
    config: str | None = None, overrides: dict | None = None,
) -> dict:
    """Ingest every PubMed update file in ``folder`` that no earlier run read whole, one run per file.

    Updates apply in sequence: the run stops at the first file that stopped early (a cut file,
    CUT_SHORT), and the files after it wait, as the log says, until it is read whole. A file whose run
    failed or stopped early, or that was downloaded again since, is picked up again next time, with
    the files after it (:func:`pending_files`); its documents already written are skipped by the
    ledger, so nothing is ingested twice. A file that cannot be read at all (empty, not PubMed XML)
    fails the flow before its run starts. ``config``, ``overrides``: the TOML file and command-line
    settings ``medkg serve`` was given.
    """
    from kg.sources import read_files
    from kg.sources.pubmed import iter_pubmed

    if not Path(folder).is_dir():
        raise SourceError(Errors.E216, path=folder)
    check_run_scheduler()
    settings = flow_settings(config, overrides, data_dir=data_dir, batch_size=batch_size)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # the files done are those of the graph the ledger describes: checked against the graph (E804, E805)
    with open_store(settings) as store, open_ledger(settings, store) as ledger:
        todo = pending_files(Path(folder), pattern, ingested_files(ledger))
    print(f"{len(todo)} update file(s) to ingest in {folder}")
    totals: dict[str, dict] = {}
    for i, path in enumerate(todo):
        version = file_version(path)  # before reading: a file replaced meanwhile is read again next time
        # read_files checks the file (E201-E204) before the run starts: no run is left unfinished by it
        items = read_files([path], iter_pubmed)
        summary = run_ingestion(items, settings=settings, source_name="pubmed",
                                command=PUBMED_UPDATES_COMMAND, inputs=[str(path.resolve())])
        with Ledger(settings.ledger_path) as ledger:
            ledger.record_files(summary.run_id, {str(path.resolve()): version})
            cut = stopped_early(ledger, summary.run_id)
        print(summary.to_markdown())
        totals[path.name] = summary.model_dump()
        if cut is not None:
            print(waiting_message(path, cut, todo[i + 1:]))
            break
    return totals


def waiting_message(path: Path, reason: str, later: list[Path]) -> str:
    """What the log says when ``path`` stopped early: it is read again next run, ``later`` wait for it."""
    waiting = (f" The {len(later)} update file(s) after it wait until it is read whole (updates apply in "
               f"sequence): {', '.join(p.name for p in later)}." if later else "")
    return (f"warning: {path.name} was not read to its end ({reason}). Download it again: it is read again "
            f"next run.{waiting}")


def build_deployments(
    *,
    pubmed_folder: str | None = None,
    pubmed_cron: str = DEFAULT_PUBMED_CRON,
    pubmed_pattern: str = DEFAULT_PUBMED_PATTERN,
    notes_path: str | None = None,
    notes_every_minutes: int = 60,
    data_dir: str | None = None,
    batch_size: int = 500,
    dask_address: str | None = None,
    config: str | None = None,
    overrides: dict | None = None,
) -> list[RunnerDeployment]:
    """The deployments ``medkg serve`` runs; at least one of pubmed_folder / notes_path is needed.

    ``dask_address``: the Dask scheduler the analysis runs on (default ``MEDKG_DASK_ADDRESS``, else
    a local cluster per flow run). ``config`` and ``overrides`` (JSON values): the TOML file and the
    command-line settings every run loads, so a scheduled run writes where ``medkg`` would.
    """
    from flows.ingest_notes import ingest_notes

    if pubmed_folder and not Path(pubmed_folder).is_dir():
        raise SourceError(Errors.E216, path=pubmed_folder)
    if notes_path and not Path(notes_path).exists():
        raise SourceError(Errors.E211, path=notes_path)
    try:
        CronSchedule(cron=pubmed_cron)  # Prefect's own check, before any deployment is registered
    except ValueError as exc:  # pydantic's ValidationError
        raise ArgumentError(Errors.E006, cron=pubmed_cron) from exc
    if notes_path:  # every notes run would fail on it (E120, E121, E803): say so now, not in each run's log
        notes_settings = flow_settings(config, overrides, data_dir=data_dir, batch_size=batch_size)
        key = load_key(notes_settings)
        if notes_settings.ledger_path.exists():  # the data dir's notes were written with another key
            with Ledger(notes_settings.ledger_path) as ledger:
                ledger.check_pseudonym_key(key_fingerprint(key))
    settings = {"config": config, "overrides": overrides}

    runner = dask_runner(dask_address, config=config)

    deployments = []
    if pubmed_folder:
        deployments.append(pubmed_updates.with_options(task_runner=runner).to_deployment(
            name="daily-pubmed-updates",
            cron=pubmed_cron,
            parameters={"folder": pubmed_folder, "pattern": pubmed_pattern, "data_dir": data_dir,
                        "batch_size": batch_size, **settings},
            description="Ingest new PubMed update files (DeleteCitation and revisions applied in file order).",
            tags=["medkg", "pubmed"],
            concurrency_limit=1,  # a run that outlasts its interval is not overtaken by the next one
        ))
    if notes_path:
        deployments.append(ingest_notes.with_options(task_runner=runner).to_deployment(
            name="notes-folder",
            interval=timedelta(minutes=notes_every_minutes),
            parameters={"path": notes_path, "data_dir": data_dir, "batch_size": min(batch_size, 200), **settings},
            description="Ingest the notes folder; unchanged notes are skipped by the ledger.",
            tags=["medkg", "notes"],
            concurrency_limit=1,
        ))
    if not deployments:
        raise ArgumentError(Errors.E001)
    return deployments


def _check_server(url: str) -> None:
    """E114 unless the Prefect API at ``url`` answers its health check (with the client's own
    authentication): registering the deployments against a server that is down ended in a traceback."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        error = client.api_healthcheck()
    if error is not None:
        raise ConfigError(Errors.E114, url=url, error=error)


def serve_deployments(**options) -> None:
    """Register the deployments with the Prefect API (PREFECT_API_URL) and run their schedules until stopped.

    Refuses to start without PREFECT_API_URL (E113): Prefect's temporary server, used when none is
    named, runs no scheduler, so no run would ever start; when that server does not answer (E114); and
    when the Dask scheduler the runs would analyse on does not (E012), as each run would fail at its start.
    Takes the keyword arguments of ``build_deployments``. A scheduled run imports its flow afresh in
    a process of its own, whose decorator makes the task runner from the settings it finds there
    (:func:`flows.common.dask_runner`): the scheduler and the config file given here are handed to
    those processes through their environment (``MEDKG_DASK_ADDRESS``, ``MEDKG_CONFIG``).
    """
    deployments = build_deployments(**options)
    if not PREFECT_API_URL.value():  # Prefect's temporary server registers deployments but never schedules a run
        raise ConfigError(Errors.E113)
    _check_server(PREFECT_API_URL.value())
    check_scheduler(dask_runner(options.get("dask_address"), config=options.get("config")).address)
    if options.get("dask_address"):
        os.environ["MEDKG_DASK_ADDRESS"] = options["dask_address"]
    if options.get("config"):
        os.environ["MEDKG_CONFIG"] = options["config"]
    serve(*deployments, print_starting_message=True)
