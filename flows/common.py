"""The shape both ingestion flows share: stage batches (CPU, no retries), commit them (I/O, retried)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from prefect import task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from kg.components import build_pipeline
from kg.config import Settings
from kg.graph.backends import open_store
from kg.ledger import Ledger, RunSummary
from kg.doc import batched
from kg.pipeline import Analysed, Item, Pipeline, Prepared


@task(cache_policy=NO_CACHE, task_run_name="stage-{batch_no}")
def stage_batch(pipeline: Pipeline, chunk: Sequence[Item], batch_no: int) -> tuple[Prepared, Analysed | None]:
    """Ledger check, extraction, linking, assembly. Deterministic: a failure here is a bug, not weather."""
    return pipeline.stage(chunk)


@task(cache_policy=NO_CACHE, retries=3, retry_delay_seconds=[2, 10, 30], task_run_name="commit-{batch_no}")
def commit_batch(
    pipeline: Pipeline, prepared: Prepared, analysed: Analysed | None, run_id: int, batch_no: int
) -> RunSummary:
    """Graph write then ledger update; MERGE makes a retried write idempotent."""
    return pipeline.commit(prepared, analysed, run_id)


def run_ingestion(
    items: Iterable[Item], *, settings: Settings, source_name: str, command: str, inputs: list[str],
    keep_note_text: bool = False,
) -> RunSummary:
    with open_store(settings) as store, Ledger(settings.ledger_path) as ledger:
        store.ensure_schema()
        pipeline = build_pipeline(
            settings, store=store, ledger=ledger, source_name=source_name, keep_note_text=keep_note_text
        )
        run_id = ledger.start_run(command, inputs)
        total = RunSummary(run_id=run_id)
        for batch_no, chunk in enumerate(batched(items, settings.batch_size)):
            prepared, analysed = stage_batch(pipeline, chunk, batch_no)
            total.add(commit_batch(pipeline, prepared, analysed, run_id, batch_no))
        pipeline.finish(total)
    create_markdown_artifact(
        markdown=f"# {command}\n\nInputs: {', '.join(inputs)}\n\n{total.to_markdown()}",
        key=f"{source_name}-ingest-summary",
        description="medkg run summary (read = written + skipped + quarantined + deleted)",
    )
    return total
