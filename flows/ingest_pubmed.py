"""Prefect flow: ingest PubMed XML files (baseline or daily update) or an E-utilities query."""

from __future__ import annotations

from prefect import flow

from flows.common import dask_runner, flow_settings, run_ingestion
from kg.errors import ArgumentError, Errors


@flow(name="ingest-pubmed", log_prints=True, task_runner=dask_runner())
def ingest_pubmed(
    files: list[str] | None = None,
    query: str | None = None,
    max_records: int = 1000,
    data_dir: str | None = None,
    batch_size: int | None = None,
) -> dict:
    """Ingest PubMed citations; returns the run summary (counts reconcile)."""
    from kg.sources import read_files
    from kg.sources.pubmed import iter_pubmed

    settings = flow_settings(data_dir=data_dir, batch_size=batch_size)  # None: MEDKG_BATCH_SIZE / the file's
    if bool(files) == bool(query):
        raise ArgumentError(Errors.E002)
    if query:
        from kg.sources.eutils import EutilsClient

        key = settings.ncbi_api_key.get_secret_value() if settings.ncbi_api_key else None
        items = EutilsClient(api_key=key, email=settings.ncbi_email).fetch(query, max_records)
        inputs = [query]
    else:
        items = read_files(files, iter_pubmed)
        inputs = list(files)
    summary = run_ingestion(items, settings=settings, source_name="pubmed", command="flow ingest-pubmed", inputs=inputs)
    print(summary.to_markdown())
    return summary.model_dump()
