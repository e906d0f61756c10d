"""Prefect flow: ingest clinical notes (a folder of .txt, a NOTEEVENTS CSV or an ACI-Bench CSV)."""

from __future__ import annotations

from prefect import flow

from flows.common import check_run_scheduler, dask_runner, flow_settings, run_ingestion


@flow(name="ingest-notes", log_prints=True, task_runner=dask_runner())
def ingest_notes(path: str, data_dir: str | None = None, batch_size: int | None = None, keep_text: bool = False,
                 config: str | None = None, overrides: dict | None = None) -> dict:
    """Ingest notes with pseudonymised patient ids (MEDKG_PSEUDONYM_KEY); returns the run summary.
    ``config``, ``overrides``: the TOML file and command-line settings ``medkg serve`` was given."""
    from kg.privacy import load_key
    from kg.sources import read_files
    from kg.sources.notes import iter_notes

    check_run_scheduler()
    settings = flow_settings(config, overrides, data_dir=data_dir, batch_size=batch_size)
    key = load_key(settings)
    items = read_files([path], lambda p: iter_notes(p, key=key))
    summary = run_ingestion(
        items, settings=settings, source_name="note", command="flow ingest-notes", inputs=[path], keep_note_text=keep_text,
        key=key,
    )
    print(summary.to_markdown())
    return summary.model_dump()
