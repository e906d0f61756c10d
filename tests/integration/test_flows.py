"""The Prefect flows run the same pipeline as the CLI, in batches, against an ephemeral Prefect API."""

import pytest

from kg.config import load_settings
from kg.graph.backends import open_store

from realdata import BASELINE, first_citations_xml

pytestmark = [pytest.mark.slow, pytest.mark.prefect]


def test_ingest_pubmed_flow_batches_and_is_idempotent(prefect_harness, medkg_env, tmp_path):
    from prefect.artifacts import Artifact

    from flows.ingest_pubmed import ingest_pubmed

    xml = tmp_path / "ten.xml"
    xml.write_bytes(first_citations_xml(BASELINE, 10))
    first = ingest_pubmed(files=[str(xml)], batch_size=4)  # 3 stage + 3 commit task runs
    assert (first["read"], first["written"], first["quarantined"]) == (10, 10, 0)
    with open_store(load_settings()) as store:
        counts = store.counts()
    assert counts["nodes"]["Document"] == 10
    again = ingest_pubmed(files=[str(xml)], batch_size=4)
    assert (again["read"], again["skipped"], again["written"]) == (10, 10, 0)
    with open_store(load_settings()) as store:
        assert store.counts() == counts
    artifact = Artifact.get("pubmed-ingest-summary")
    assert artifact is not None and "| reconciles | yes |" in artifact.data


def test_ingest_notes_flow(prefect_harness, medkg_env, monkeypatch):
    from flows.ingest_notes import ingest_notes

    monkeypatch.setenv("MEDKG_PSEUDONYM_KEY", "test-key-0123456789abcdef")
    path = __import__("pathlib").Path(__file__).parents[1] / "fixtures" / "notes" / "noteevents.csv"
    summary = ingest_notes(str(path))
    assert summary["read"] == summary["written"] + summary["quarantined"] and summary["written"] >= 3
