"""Parallel ingestion gives the graph a single process gives, however the work is split or interrupted."""

import json
import os
import re
import signal
import subprocess
import sys
import time

import psutil
import pytest

from kg.config import load_settings
from kg.graph.backends import open_store

from graph_snapshot import snapshot
from realdata import revised_input

pytestmark = pytest.mark.slow


def ingest(env: dict, data_dir, xml, *extra: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([sys.executable, "-m", "kg.cli", "--data-dir", str(data_dir), "ingest", "pubmed", str(xml), *extra],
                            env=env, capture_output=True, text=True, timeout=900)
    if check:
        assert result.returncode == 0, result.stderr[-3000:]
    return result


def graph_of(data_dir) -> dict:
    with open_store(load_settings(data_dir=data_dir)) as store:
        return snapshot(store)


@pytest.fixture
def env(medkg_env):
    return {**os.environ, "MEDKG_BATCH_SIZE": "7"}


def test_one_worker_and_two_workers_write_the_same_graph(env, tmp_path):
    xml = tmp_path / "revised.xml"
    xml.write_bytes(revised_input())
    ingest(env, tmp_path / "one", xml, "--workers", "1")
    out = ingest(env, tmp_path / "two", xml, "--workers", "2").stdout
    assert re.search(r"read = written \+ skipped \+ quarantined \+ deleted\s*│\s*yes", out)
    one, two = graph_of(tmp_path / "one"), graph_of(tmp_path / "two")
    assert len(one["nodes"]) > 100 and one == two
    assert '"version": 2' in " ".join(one["nodes"])  # the revised versions won


@pytest.mark.parametrize("victim", ["worker", "parent"])
def test_kill_9_then_a_rerun_gives_the_clean_graph(env, tmp_path, victim):
    xml = tmp_path / "in.xml"
    xml.write_bytes(revised_input(60))
    ingest(env, tmp_path / "clean", xml, "--workers", "2")
    data = tmp_path / "killed"
    proc, workers = _started(env, data, xml, stdout=subprocess.DEVNULL)
    target = workers[0].pid if victim == "worker" else proc.pid
    os.kill(target, signal.SIGKILL)
    proc.wait(timeout=300)
    assert proc.returncode != 0
    for child in workers:  # a killed parent's workers must not linger
        try:
            child.wait(timeout=60)
        except psutil.NoSuchProcess:
            pass
    ingest(env, data, xml, "--workers", "2")
    assert graph_of(data) == graph_of(tmp_path / "clean")


def test_ctrl_c_stops_cleanly_says_so_and_a_rerun_gives_the_clean_graph(env, tmp_path):
    from kg.ledger import Ledger

    xml = tmp_path / "in.xml"
    xml.write_bytes(revised_input(60))
    ingest(env, tmp_path / "clean", xml, "--workers", "2")
    data = tmp_path / "stopped"
    proc, workers = _started(env, data, xml, stdout=subprocess.PIPE, text=True)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err[-3000:]
    assert "summary (interrupted)" in out and "documents written before the interrupt; run the same command" in err
    for child in workers:  # shut down, not left behind
        assert not child.is_running() or child.status() == psutil.STATUS_ZOMBIE
    with Ledger(data / "ledger.sqlite") as ledger:
        [run] = ledger.runs(1)
        assert run["state"] == "interrupted" and json.loads(run["summary"])["written"] >= 7
    ingest(env, data, xml, "--workers", "2")
    assert graph_of(data) == graph_of(tmp_path / "clean")


def _started(env: dict, data, xml, **output) -> tuple[subprocess.Popen, list[psutil.Process]]:
    """An ingest with two workers, and its workers, once it has committed some batches (to strike mid-run)."""
    proc = subprocess.Popen([sys.executable, "-m", "kg.cli", "--data-dir", str(data), "ingest", "pubmed", str(xml),
                             "--workers", "2"], env=env, stderr=subprocess.PIPE, preexec_fn=_ctrl_c_as_at_a_terminal,
                            **output)
    parent = psutil.Process(proc.pid)
    ledger = data / "ledger.sqlite"
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        workers = [c for c in parent.children() if "redis-server" not in " ".join(c.cmdline())]
        if ledger.exists() and _written(ledger) >= 7 and len(workers) >= 2:
            break
        time.sleep(0.2)
    return proc, workers


def _ctrl_c_as_at_a_terminal() -> None:
    """Ctrl-C reaches the ingest as it does at a terminal, even where the tests run as a background job
    (a shell starts those with SIGINT ignored, and Python then never turns it into KeyboardInterrupt)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _written(ledger) -> int:
    import sqlite3

    try:
        with sqlite3.connect(ledger, timeout=1) as db:
            return db.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0]
    except sqlite3.Error:
        return 0
