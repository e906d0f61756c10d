"""What `medkg serve` registers: every scheduled run loads the settings the command was given."""

import pytest

from flows.common import flow_settings
from flows.deployments import build_deployments, pubmed_updates
from kg.errors import ArgumentError, SourceError


def test_scheduled_runs_get_the_config_file_and_command_line_settings(tmp_path):
    config = tmp_path / "medkg.toml"
    config.write_text('[medkg]\ngraph_name = "fromtoml"\nbatch_size = 64\n')
    (folder := tmp_path / "updates").mkdir()
    deployments = build_deployments(pubmed_folder=str(folder), notes_path=str(folder), config=str(config),
                                    overrides={"store": "falkordb"}, data_dir=str(tmp_path / "data"))
    for d in deployments:
        assert d.parameters["config"] == str(config) and d.parameters["overrides"] == {"store": "falkordb"}
        assert d.concurrency_limit == 1  # an hourly run that takes longer is not overtaken by the next
        s = flow_settings(d.parameters["config"], d.parameters["overrides"], data_dir=d.parameters["data_dir"],
                          batch_size=None)
        assert (s.graph_name, s.batch_size, s.store, s.data_dir) == ("fromtoml", 64, "falkordb", tmp_path / "data")


def test_a_missing_folder_and_a_bad_cron_are_refused_before_serving(tmp_path):
    with pytest.raises(SourceError, match="E216: .*nope is not a folder"):
        build_deployments(pubmed_folder=str(tmp_path / "nope"))
    with pytest.raises(SourceError, match="E216: .*nope is not a folder"):
        pubmed_updates.fn(folder=str(tmp_path / "nope"), data_dir=str(tmp_path / "data"))
    with pytest.raises(ArgumentError, match="E006: 'not a cron' is not a cron expression"):
        build_deployments(pubmed_folder=str(tmp_path), pubmed_cron="not a cron")


def test_served_runs_get_the_scheduler_and_config_the_command_was_given(tmp_path, monkeypatch):
    import subprocess
    import sys

    import flows.deployments as deployments

    monkeypatch.delenv("MEDKG_DASK_ADDRESS", raising=False)
    monkeypatch.delenv("MEDKG_CONFIG", raising=False)
    monkeypatch.setattr(deployments, "serve", lambda *d, **kw: None)
    (folder := tmp_path / "updates").mkdir()
    config = tmp_path / "medkg.toml"
    config.write_text('[medkg]\ndask_address = "tcp://fromtoml:8786"\n')
    assert build_deployments(pubmed_folder=str(folder), config=str(config))[0] is not None
    assert deployments.dask_runner(config=str(config)).address == "tcp://fromtoml:8786"
    deployments.serve_deployments(pubmed_folder=str(folder), dask_address="tcp://given:8786", config=str(config))
    # a served run re-imports the flow in a process of its own, which sees this process's environment
    probe = "from flows.deployments import pubmed_updates; print(pubmed_updates.task_runner.address)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "tcp://given:8786"
