"""After revisions and deletions the graph is the one a fresh ingest of what is left gives."""

import pytest

from kg.config import load_settings
from kg.graph.backends import open_store

from clirun import medkg
from graph_snapshot import snapshot
from realdata import revised_input, revised_input_outcome

pytestmark = pytest.mark.slow


def test_revised_and_deleted_citations_leave_the_graph_a_fresh_ingest_of_the_outcome_gives(
    medkg_env, tmp_path, monkeypatch
):
    monkeypatch.setenv("MEDKG_BATCH_SIZE", "7")  # versions and deletions in later batches than what they replace
    history, outcome = tmp_path / "history.xml", tmp_path / "outcome.xml"
    history.write_bytes(revised_input())
    outcome.write_bytes(revised_input_outcome())
    graphs = {}
    for name, xml in (("history", history), ("outcome", outcome)):
        data_dir = tmp_path / name
        medkg("--data-dir", str(data_dir), "ingest", "pubmed", str(xml), "--workers", "1")
        with open_store(load_settings(data_dir=data_dir)) as store:
            graphs[name] = snapshot(store)
    assert len(graphs["outcome"]["nodes"]) > 100
    assert "Thalidomide" in " ".join(graphs["outcome"]["nodes"])  # Version 2 stays: the Version 1 read after is older
    assert graphs["history"] == graphs["outcome"]
