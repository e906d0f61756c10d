"""Prefect flow: ingest PubMed XML files (baseline or daily update) or an E-utilities query."""

from __future__ import annotations

from collections.abc import Iterable

from prefect import flow

from flows.common import check_run_scheduler, dask_runner, flow_settings, run_ingestion
from kg.config import Settings
from kg.errors import ArgumentError, Errors
from kg.pipeline import Item


@flow(name="ingest-pubmed", log_prints=True, task_runner=dask_runner())
def ingest_pubmed(
    files: list[str] | None = None,
    query: str | None = None,
    max_records: int = 1000,
    data_dir: str | None = None,
    batch_size: int | None = None,
) -> dict:
    """Ingest PubMed citations; returns the run summary (counts reconcile). ``max_records``: with
    ``query``, at most this many records (at least 1, as `medkg ingest pubmed --max`)."""
    from kg.sources import read_files
    from kg.sources.pubmed import iter_pubmed

    if max_records < 1:  # would fetch nothing: a run that reads 0 records, as a query without hits does
        raise ArgumentError(Errors.E010, name="max_records", minimum=1, value=max_records)
    if bool(files) == bool(query):
        raise ArgumentError(Errors.E002)
    check_run_scheduler()
    settings = flow_settings(data_dir=data_dir, batch_size=batch_size)  # None: MEDKG_BATCH_SIZE / the file's
    if query:
        from kg.sources.eutils import EutilsClient

        # fetch searches at once, before the store and the ledger open: an unreachable service or a rejected
        # query leaves no unfinished run; the client's connections are closed however the run ends
        with EutilsClient.from_settings(settings) as client:
            return _ingest(client.fetch(query, max_records), settings, [query])
    return _ingest(read_files(files, iter_pubmed), settings, list(files))


def _ingest(items: Iterable[Item], settings: Settings, inputs: list[str]) -> dict:
    summary = run_ingestion(items, settings=settings, source_name="pubmed", command="flow ingest-pubmed", inputs=inputs)
    print(summary.to_markdown())
    return summary.model_dump()
