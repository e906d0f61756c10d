"""What `medkg serve` registers: every scheduled run loads the settings the command was given."""

import gzip
import json
import os
from contextlib import nullcontext
from pathlib import Path

import pytest
from prefect.settings import PREFECT_API_URL, temporary_settings

import flows.deployments as deployments
from flows.common import flow_settings
from flows.deployments import (PUBMED_UPDATES_COMMAND, build_deployments, file_version, ingested_files, pending_files,
                               pubmed_updates)
from kg.assemble import Assembler
from kg.errors import ArgumentError, ConfigError, LedgerError, MedkgError, SourceError
from kg.ledger import Ledger, RunSummary
from kg.privacy import key_fingerprint
from kg.pipeline import Pipeline

from fakes import MemoryStore, word_annotator

ARTICLES = Path(__file__).parents[2] / "fixtures" / "pubmed" / "articles.xml"  # 4 citations, 2 damaged records


def test_scheduled_runs_get_the_config_file_and_command_line_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("MEDKG_PSEUDONYM_KEY", "test-key-0123456789abcdef")  # a notes deployment checks it
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


def test_a_notes_deployment_is_refused_without_a_usable_pseudonym_key(tmp_path, monkeypatch):
    """Each scheduled notes run would fail with E120 inside Prefect: refused before serving instead."""
    (folder := tmp_path / "notes").mkdir()
    monkeypatch.delenv("MEDKG_PSEUDONYM_KEY", raising=False)
    with pytest.raises(ConfigError, match="^E120"):
        build_deployments(notes_path=str(folder))
    monkeypatch.setenv("MEDKG_PSEUDONYM_KEY", "0123456789")
    with pytest.raises(ConfigError, match="^E121"):
        build_deployments(notes_path=str(folder), pubmed_folder=str(folder))
    assert len(build_deployments(pubmed_folder=str(folder))) == 1  # PubMed runs need no key


def test_a_notes_deployment_is_refused_with_another_key_than_the_data_dir_s(tmp_path, monkeypatch):
    """Every scheduled run would write each patient and note again under new pseudonyms (E803): refused
    before serving; the key the data dir's notes were written with serves."""
    (folder := tmp_path / "notes").mkdir()
    data = tmp_path / "data"
    data.mkdir()
    with Ledger(data / "ledger.sqlite") as ledger:
        ledger.pin_pseudonym_key(key_fingerprint(b"the-key-the-notes-were-written-with"))
    monkeypatch.setenv("MEDKG_PSEUDONYM_KEY", "another-key-0123456789")
    with pytest.raises(LedgerError, match="^E803"):
        build_deployments(notes_path=str(folder), data_dir=str(data))
    monkeypatch.setenv("MEDKG_PSEUDONYM_KEY", "the-key-the-notes-were-written-with")
    assert len(build_deployments(notes_path=str(folder), data_dir=str(data))) == 1
    assert len(build_deployments(notes_path=str(folder), data_dir=str(tmp_path / "new"))) == 1  # no ledger yet


def test_serving_without_a_prefect_server_is_refused(tmp_path, monkeypatch):
    """Prefect's temporary server (no PREFECT_API_URL) registers deployments but never schedules a run."""
    def never(*args, **kwargs):
        raise AssertionError("served without a Prefect server")

    monkeypatch.setattr(deployments, "serve", never)
    (folder := tmp_path / "updates").mkdir()
    with temporary_settings(restore_defaults={PREFECT_API_URL}), pytest.raises(ConfigError, match="^E113"):
        deployments.serve_deployments(pubmed_folder=str(folder))


def test_serving_on_a_prefect_server_that_does_not_answer_is_refused_with_e114_not_a_traceback(tmp_path, monkeypatch):
    import socket

    from prefect.settings import PREFECT_CLIENT_MAX_RETRIES

    def never(*args, **kwargs):
        raise AssertionError("served on a server that does not answer")

    monkeypatch.setattr(deployments, "serve", never)
    (folder := tmp_path / "updates").mkdir()
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/api"
    with temporary_settings(updates={PREFECT_API_URL: url, PREFECT_CLIENT_MAX_RETRIES: 0}), \
            pytest.raises(ConfigError, match=f"^E114: the Prefect server at PREFECT_API_URL={url} does not answer"):
        deployments.serve_deployments(pubmed_folder=str(folder))


def test_served_runs_get_the_scheduler_and_config_the_command_was_given(tmp_path, monkeypatch):
    import subprocess
    import sys

    import flows.deployments as deployments

    monkeypatch.delenv("MEDKG_DASK_ADDRESS", raising=False)
    monkeypatch.delenv("MEDKG_CONFIG", raising=False)
    monkeypatch.setattr(deployments, "serve", lambda *d, **kw: None)
    monkeypatch.setattr(deployments, "_check_server", lambda url: None)  # no server is running here
    monkeypatch.setattr(deployments, "check_scheduler", lambda address: None)  # nor a Dask scheduler
    (folder := tmp_path / "updates").mkdir()
    config = tmp_path / "medkg.toml"
    config.write_text('[medkg]\ndask_address = "tcp://fromtoml:8786"\n')
    assert build_deployments(pubmed_folder=str(folder), config=str(config))[0] is not None
    assert deployments.dask_runner(config=str(config)).address == "tcp://fromtoml:8786"
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api"}):
        deployments.serve_deployments(pubmed_folder=str(folder), dask_address="tcp://given:8786", config=str(config))
    # a served run re-imports the flow in a process of its own, which sees this process's environment
    probe = "from flows.deployments import pubmed_updates; print(pubmed_updates.task_runner.address)"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "tcp://given:8786"


@pytest.mark.parametrize("where", ["option", "config"])
def test_serving_with_a_dask_scheduler_that_does_not_answer_is_refused_with_e012(where, tmp_path, monkeypatch):
    """Every scheduled run would fail at its start (E012): said once, when `medkg serve` starts."""
    import socket

    def never(*args, **kwargs):
        raise AssertionError("served with a scheduler that does not answer")

    monkeypatch.delenv("MEDKG_DASK_ADDRESS", raising=False)
    monkeypatch.setattr(deployments, "serve", never)
    monkeypatch.setattr(deployments, "_check_server", lambda url: None)  # no Prefect server is running here
    (folder := tmp_path / "updates").mkdir()
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{s.getsockname()[1]}"
    options = {"dask_address": address}
    if where == "config":
        (config := tmp_path / "medkg.toml").write_text(f'[medkg]\ndask_address = "{address}"\n')
        options = {"config": str(config)}
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:4200/api"}), \
            pytest.raises(MedkgError, match=f"^E012: no Dask scheduler answers at '{address}'"):
        deployments.serve_deployments(pubmed_folder=str(folder), **options)


def _fake_flow(tmp_path, monkeypatch, store: MemoryStore,
               counts: tuple[str, ...] = ("written", "revised", "deleted", "quarantined")):
    """pubmed_updates on a folder of update files, with fake components and no Prefect server: the
    folder, and a function that runs the flow and returns each file's ``counts``."""
    def run_ingestion(items, *, settings, source_name, command, inputs):  # the flow's run, with fake components
        with Ledger(settings.ledger_path) as ledger:
            pipeline = Pipeline(annotator=word_annotator(), assembler=Assembler(), store=store, ledger=ledger)
            return pipeline.run(items, command=command, inputs=inputs)

    monkeypatch.setattr(deployments, "run_ingestion", run_ingestion)
    monkeypatch.setattr(deployments, "open_store", lambda settings: nullcontext(store))
    (folder := tmp_path / "updates").mkdir()

    def flow_run() -> dict:
        return {k: tuple(s[c] for c in counts)
                for k, s in pubmed_updates.fn(folder=str(folder), data_dir=str(tmp_path / "data")).items()}

    return folder, flow_run


def test_an_update_file_read_cut_short_is_read_again_until_it_is_read_whole(tmp_path, monkeypatch):
    """QA's case: a cut download quarantined E301 after its first citation; the whole file, downloaded
    again, must be read (the ledger skips what the first run wrote), and then never again."""
    store = MemoryStore()
    folder, flow_run = _fake_flow(tmp_path, monkeypatch, store, ("written", "skipped", "quarantined"))
    update = folder / "pubmed26n0001.xml.gz"
    whole = gzip.compress(ARTICLES.read_bytes())
    update.write_bytes(whole[: len(whole) * 8 // 10])

    assert flow_run() == {update.name: (1, 0, 1)}  # E301: stopped after the first citation
    assert flow_run() == {update.name: (0, 1, 1)}  # still cut: read again, still says so
    update.write_bytes(whole)
    assert flow_run() == {update.name: (3, 1, 2)}  # the rest of it; two records are damaged in the file itself
    assert set(store.docs) == {"PMID:1000001", "PMID:1000002", "PMID:1000003", "PMID:1000006"}
    assert flow_run() == {}
    store.docs.clear()  # the graph's files deleted: "nothing to ingest" would leave it empty for good
    with pytest.raises(LedgerError, match="^E805"):
        flow_run()


def _update(*records: str) -> bytes:
    return ('<?xml version="1.0"?>\n<PubmedArticleSet>\n' + "".join(records) + "</PubmedArticleSet>\n").encode()


def _citation(pmid: int, version: int = 1, title: str = "Aspirin") -> str:
    return (f'<PubmedArticle><MedlineCitation><PMID Version="{version}">{pmid}</PMID><Article>'
            f"<ArticleTitle>{title} {pmid}.</ArticleTitle></Article></MedlineCitation></PubmedArticle>\n")


def test_an_update_file_cut_inside_a_record_stops_the_run_and_holds_back_the_files_after_it(
        tmp_path, monkeypatch, capsys):
    """QA's case: the second file is a valid gzip whose XML ends inside its last citation, before its
    DeleteCitation block. It must not count as read (E316, like a cut gzip), later files must wait for
    it (the log says which), and each run reads it again until a whole copy is read; nothing is rolled
    back and forth meanwhile."""
    store = MemoryStore()
    folder, flow_run = _fake_flow(tmp_path, monkeypatch, store)
    first, second, third = (folder / f"pubmed26n000{i}.xml.gz" for i in (1, 2, 3))
    first.write_bytes(gzip.compress(_update(_citation(1), _citation(2), _citation(3))))
    whole = _update(_citation(4), _citation(5), "<DeleteCitation><PMID>1</PMID></DeleteCitation>\n")
    second.write_bytes(gzip.compress(whole[: whole.index(b"<DeleteCitation>") - 40]))
    third.write_bytes(gzip.compress(_update(_citation(2, version=2, title="Revised"), _citation(6))))

    assert flow_run() == {first.name: (3, 0, 0, 0), second.name: (1, 0, 0, 1)}  # PMID 5 cut: E316
    out = capsys.readouterr().out
    assert f"warning: {second.name} was not read to its end (E316: {second.resolve()} ends early" in out
    assert f"The 1 update file(s) after it wait until it is read whole (updates apply in sequence): {third.name}" in out
    assert set(store.docs) == {"PMID:1", "PMID:2", "PMID:3", "PMID:4"} and store.docs["PMID:2"].version == 1
    assert flow_run() == {second.name: (0, 0, 0, 1)}  # still cut: read again, the third still waits
    assert third.name in capsys.readouterr().out and store.docs["PMID:2"].version == 1
    second.write_bytes(gzip.compress(whole))  # downloaded again
    assert flow_run() == {second.name: (1, 0, 1, 0), third.name: (2, 1, 0, 0)}
    assert set(store.docs) == {"PMID:2", "PMID:3", "PMID:4", "PMID:5", "PMID:6"}
    assert store.docs["PMID:2"].version == 2
    assert flow_run() == {}


def test_an_unreadable_update_file_fails_the_flow_before_a_ledger_run_is_started_for_it(tmp_path, monkeypatch):
    """An empty .xml.gz: E202, and no ledger run left unfinished (``medkg stats``) for it."""
    folder, flow_run = _fake_flow(tmp_path, monkeypatch, MemoryStore())
    (folder / "pubmed26n0001.xml.gz").write_bytes(gzip.compress(_update(_citation(1))))
    (folder / "pubmed26n0002.xml.gz").write_bytes(b"")
    (folder / "pubmed26n0003.xml.gz").write_bytes(gzip.compress(_update(_citation(3))))
    for _ in range(2):
        with pytest.raises(SourceError, match="^E202: .*pubmed26n0002.xml.gz is empty"):
            flow_run()
    with Ledger(tmp_path / "data" / "ledger.sqlite") as ledger:
        runs = ledger.runs()
    assert [(json.loads(r["inputs"])[0].rsplit("/", 1)[-1], r["state"]) for r in runs] == [
        ("pubmed26n0001.xml.gz", "finished")]


def test_an_update_file_changed_since_it_was_read_is_read_again_with_every_file_after_it(tmp_path):
    (folder := tmp_path / "updates").mkdir()
    files = [folder / f"pubmed26n000{i}.xml.gz" for i in range(1, 5)]
    for f in files:
        f.write_bytes(f.name.encode())

    with Ledger(tmp_path / "ledger.sqlite") as ledger:
        def ingested(path: Path, state: str = "finished", record: bool = True) -> None:
            run = ledger.start_run(PUBMED_UPDATES_COMMAND, [str(path.resolve())])
            if state != "unfinished":
                ledger.finish_run(run, RunSummary(interrupted=state == "interrupted"))
            if record:
                ledger.record_files(run, {str(path.resolve()): file_version(path)})

        def pending() -> list[str]:
            return [p.name for p in pending_files(folder, "pubmed*.xml.gz", ingested_files(ledger))]

        ingested(files[0], record=False)  # by a medkg that did not record file versions: taken as read whole
        ingested(files[1])
        ingested(files[2], state="unfinished")  # killed
        assert pending() == [files[2].name, files[3].name]
        ingested(files[2], state="interrupted")
        assert pending() == [files[2].name, files[3].name]
        ingested(files[2])
        ingested(files[3])
        assert pending() == []
        files[1].write_bytes(b"downloaded again, longer")
        assert pending() == [f.name for f in files[1:]]  # a later file may revise or delete its citations
        ingested(files[1])
        ingested(files[2])
        ingested(files[3])
        assert pending() == []
        os.utime(files[3], ns=(0, 0))  # same size, another modification time: another file
        assert pending() == [files[3].name]
