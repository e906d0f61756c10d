"""The Prefect flows run the same pipeline as the CLI, in batches, against an ephemeral Prefect API."""

import pytest

from kg.config import load_settings
from kg.graph.backends import open_store

from graph_snapshot import snapshot
from realdata import BASELINE, first_citations_xml

pytestmark = [pytest.mark.slow, pytest.mark.prefect]


def test_ingest_pubmed_flow_on_two_dask_processes_writes_the_cli_graph(prefect_harness, medkg_env, tmp_path):
    """The flow's analysis runs on a LocalCluster of two processes; the graph equals the CLI's."""
    import subprocess
    import sys

    from prefect.artifacts import Artifact

    from flows.common import dask_runner
    from flows.ingest_pubmed import ingest_pubmed

    xml = tmp_path / "ten.xml"
    xml.write_bytes(first_citations_xml(BASELINE, 10))
    flow = ingest_pubmed.with_options(task_runner=dask_runner(workers=2))
    first = flow(files=[str(xml)], batch_size=4)  # 3 analyse tasks on the cluster, 3 commits here
    assert (first["read"], first["written"], first["quarantined"]) == (10, 10, 0)
    with open_store(load_settings()) as store:
        counts = store.counts()
    assert counts["nodes"]["Document"] == 10
    again = flow(files=[str(xml)], batch_size=4)
    assert (again["read"], again["skipped"], again["written"]) == (10, 10, 0)
    with open_store(load_settings()) as store:
        assert store.counts() == counts
    artifact = Artifact.get("pubmed-ingest-summary")
    assert artifact is not None and "| reconciles | yes |" in artifact.data
    cli_dir = tmp_path / "cli"
    done = subprocess.run([sys.executable, "-m", "kg.cli", "--data-dir", str(cli_dir), "ingest", "pubmed", str(xml),
                           "--workers", "1"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    with open_store(load_settings()) as store:
        by_flow = snapshot(store)
    with open_store(load_settings(data_dir=cli_dir)) as store:
        assert snapshot(store) == by_flow


def test_ingest_notes_flow(prefect_harness, medkg_env, monkeypatch):
    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.ingest_notes import ingest_notes

    ingest_notes = ingest_notes.with_options(task_runner=ThreadPoolTaskRunner(max_workers=1))  # no cluster needed here
    monkeypatch.setenv("MEDKG_PSEUDONYM_KEY", "test-key-0123456789abcdef")
    path = __import__("pathlib").Path(__file__).parents[1] / "fixtures" / "notes" / "noteevents.csv"
    summary = ingest_notes(str(path))
    # the ISERROR=1 row is withdrawn (a deletion of a note never ingested: nothing to delete), the empty one quarantined
    assert (summary["read"], summary["written"], summary["quarantined"], summary["deleted"]) == (5, 3, 1, 0)
    assert (summary["skipped"], summary["deletions_not_found"]) == (1, 1)
    assert summary["seconds"] > 0  # the run is timed, as `medkg ingest` times it


def test_pubmed_updates_flow_reads_again_an_update_file_it_read_cut_short(prefect_harness, medkg_env, tmp_path):
    """A cut download is quarantined (E301) after its first citations; once downloaded whole, the next
    scheduled run reads the rest of it (the ledger skips what was written), and the one after reads nothing."""
    import gzip

    from prefect.task_runners import ThreadPoolTaskRunner

    from flows.deployments import pubmed_updates

    flow = pubmed_updates.with_options(task_runner=ThreadPoolTaskRunner(max_workers=1))  # no cluster needed here
    (folder := tmp_path / "updates").mkdir()
    update = folder / "pubmed26n0001.xml.gz"
    whole = gzip.compress(first_citations_xml(BASELINE, 12))
    update.write_bytes(whole[: len(whole) * 8 // 10])
    cut = flow(folder=str(folder))[update.name]
    assert cut["quarantined"] == 1 and 0 < cut["written"] < 12
    update.write_bytes(whole)
    rest = flow(folder=str(folder))[update.name]
    assert (rest["written"], rest["skipped"], rest["quarantined"]) == (12 - cut["written"], cut["written"], 0)
    assert flow(folder=str(folder)) == {}
    with open_store(load_settings()) as store:
        assert store.counts()["nodes"]["Document"] == 12


def test_a_flow_run_whose_every_analysed_document_failed_fails_with_e419(prefect_harness, medkg_env, monkeypatch,
                                                                         tmp_path):
    """As `medkg ingest` exits 2 (E419), the flow run fails instead of completing; its summary is still kept."""
    from prefect.artifacts import Artifact
    from prefect.task_runners import ThreadPoolTaskRunner

    import flows.common as common
    from flows.ingest_pubmed import ingest_pubmed
    from kg.assemble import Assembler
    from kg.errors import ModelError
    from kg.pipeline import Pipeline

    from fakes import Broken, word_annotator

    broken = Pipeline(annotator=word_annotator(Broken()), assembler=Assembler(), store=None, ledger=None)
    monkeypatch.setattr(common, "_analysis_pipeline", lambda *args: broken)
    xml = tmp_path / "three.xml"
    xml.write_bytes(first_citations_xml(BASELINE, 3))
    flow = ingest_pubmed.with_options(task_runner=ThreadPoolTaskRunner(max_workers=1))
    with pytest.raises(ModelError, match="E419: all 3 documents this run analysed failed"):
        flow(files=[str(xml)])
    artifact = Artifact.get("pubmed-ingest-summary")
    assert artifact is not None and "| quarantined | 3 |" in artifact.data
    with open_store(load_settings()) as store:
        assert store.counts()["nodes"].get("Document", 0) == 0


@pytest.mark.parametrize(("error", "attempts"), [("E715", 1), ("E711", 4)])
def test_a_commit_is_retried_but_not_on_a_graph_server_that_stopped_answering(prefect_harness, error, attempts):
    """Prefect honours the commit's retry condition: three retries for a lost connection (E711), none for a
    server that stopped answering (E715), on which each retry would wait out the timeout again."""
    from prefect import flow

    from flows.common import commit_batch
    from kg.errors import Errors, GraphUnavailableError

    tries = []

    class Failing:
        def commit(self, prepared, analysed, run_id):
            tries.append(run_id)
            fields = {"seconds": 600, "last": ""} if error == "E715" else {"error": "gone"}
            raise GraphUnavailableError(getattr(Errors, error), socket="redis.sock", **fields)

    @flow
    def one_commit():
        return commit_batch.with_options(retry_delay_seconds=0)(Failing(), None, None, 7, 0)

    with pytest.raises(GraphUnavailableError, match=error):
        one_commit()
    assert len(tries) == attempts
