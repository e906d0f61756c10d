"""The flows' two task kinds over the pipeline, called as plain functions (``task.fn``), no Prefect API."""

import pytest

pytest.importorskip("prefect")

from flows.common import commit_batch, stage_batch  # noqa: E402
from kg.assemble import Assembler  # noqa: E402
from kg.ledger import Ledger  # noqa: E402
from kg.models import Deletion  # noqa: E402
from kg.pipeline import Pipeline  # noqa: E402

from fakes import MemoryStore, doc, word_annotator  # noqa: E402


def test_stage_then_commit_reconciles_and_only_the_commit_retries(tmp_path):
    pipeline = Pipeline(annotator=word_annotator(), assembler=Assembler(), store=MemoryStore(),
                        ledger=Ledger(tmp_path / "ledger.sqlite"))
    run_id = pipeline.ledger.start_run("test", [])
    chunk = [doc(1, "Aspirin and fever."), doc(2, "EXPLODE"), Deletion(id="PMID:9")]
    prepared, analysed = stage_batch.fn(pipeline, chunk, 0)
    assert [d.id for d in prepared.to_analyse] == ["PMID:1", "PMID:2"] and len(analysed.quarantined) == 1
    assert pipeline.store.docs == {}  # staging writes nothing
    summary = commit_batch.fn(pipeline, prepared, analysed, run_id, 0)
    assert (summary.read, summary.written, summary.quarantined, summary.deleted) == (3, 1, 1, 1) and summary.reconciles
    assert set(pipeline.store.docs) == {"PMID:1"}
    assert stage_batch.retries == 0 and commit_batch.retries == 3  # retries only on I/O
