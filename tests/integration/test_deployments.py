"""A real `prefect server start` (SQLite, 127.0.0.1, free port): the PubMed-updates deployment registers
with its cron schedule, the server schedules runs of it, and one run executes in the `serve`
process against a tiny PubMed XML fixture and completes with its summary artifact."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from kg.config import REPO_ROOT, SHARED_DATA
from kg.ledger import Ledger

pytestmark = [pytest.mark.prefect, pytest.mark.slow]

FIXTURE = REPO_ROOT / "tests" / "fixtures" / "pubmed" / "articles.xml"
CRON = "30 6 * * *"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(predicate, timeout: float, what: str, proc: subprocess.Popen | None = None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if proc is not None and proc.poll() is not None:
            break
        time.sleep(1)
    tail = log.read_text(errors="replace")[-3000:] if log and log.exists() else ""
    pytest.fail(f"{what} did not happen within {timeout:.0f} s\n{tail}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)  # its own session: the runner's flow-run children go too
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


@pytest.fixture
def prefect_server(tmp_path):
    port = _free_port()
    home = tmp_path / "prefect-home"
    env = {**os.environ, "PREFECT_HOME": str(home), "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
           "PREFECT_UI_ENABLED": "false", "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5"}
    env.pop("PREFECT_API_URL", None)
    log = tmp_path / "server.log"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1",
                                 "--port", str(port), "--no-ui"], env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"

    def healthy() -> bool:
        try:
            return httpx.get(f"{url}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        _wait(healthy, 120, "prefect server start", proc, log)
        yield url, env
    finally:
        _stop(proc)


def test_scheduled_pubmed_deployment_registers_and_a_run_completes(prefect_server, tmp_path, cache_dir):
    if not SHARED_DATA.exists():
        pytest.skip(f"shared data not found at {SHARED_DATA}: the pipeline needs its lexicons")
    url, env = prefect_server
    folder = tmp_path / "updates"
    folder.mkdir()
    shutil.copy(FIXTURE, folder / "pubmed26n0001.xml")
    data_dir = tmp_path / "data"
    env = {**env, "PREFECT_API_URL": url, "MEDKG_CACHE_DIR": str(cache_dir), "PREFECT_RUNNER_POLL_FREQUENCY": "2"}
    log = tmp_path / "serve.log"
    code = ("from flows.deployments import serve_deployments; "
            f"serve_deployments(pubmed_folder={str(folder)!r}, pubmed_pattern='pubmed*.xml', "
            f"pubmed_cron={CRON!r}, data_dir={str(data_dir)!r})")
    with log.open("w") as out:
        serve = subprocess.Popen([sys.executable, "-c", code], env=env, cwd=REPO_ROOT, stdout=out,
                                 stderr=subprocess.STDOUT, start_new_session=True)
    try:
        api = httpx.Client(base_url=url, timeout=10)

        def deployment():
            r = api.get("/deployments/name/pubmed-updates/daily-pubmed-updates")
            return r.json() if r.status_code == 200 else None

        dep = _wait(deployment, 120, "deployment registration", serve, log)
        assert [s["schedule"]["cron"] for s in dep["schedules"]] == [CRON]
        assert dep["parameters"]["folder"] == str(folder)

        def scheduled_runs():
            r = api.post("/flow_runs/filter", json={"flow_runs": {"deployment_id": {"any_": [dep["id"]]},
                                                                  "state": {"type": {"any_": ["SCHEDULED"]}}}})
            return r.json()
        upcoming = _wait(scheduled_runs, 60, "the server scheduling runs of the deployment", serve, log)
        assert all(r["expected_start_time"][11:16] == "06:30" for r in upcoming)

        # Don't wait for 06:30: start one run now; the serve process picks it up like a scheduled one.
        # A busy server may fail the request (seen once on a loaded VM: a reply without a run id);
        # a client retries.
        def created():
            r = api.post(f"/deployments/{dep['id']}/create_flow_run", json={})
            body = r.json() if r.status_code < 300 else {}
            return body if "id" in body else None

        run = _wait(created, 60, "creating a flow run", serve, log)

        def finished():
            state = api.get(f"/flow_runs/{run['id']}").json()["state"]
            return state if state["type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

        state = _wait(finished, 420, "the flow run finishing", serve, log)
        assert state["type"] == "COMPLETED", log.read_text(errors="replace")[-3000:]
        artifacts = api.post("/artifacts/filter", json={"artifacts": {"key": {"any_": ["pubmed-ingest-summary"]}}})
        [artifact] = [a for a in artifacts.json() if a["flow_run_id"] == run["id"]]
        assert "| reconciles | yes |" in artifact["data"] and str(folder / "pubmed26n0001.xml") in artifact["data"]
    finally:
        _stop(serve)
    with Ledger(data_dir / "ledger.sqlite") as ledger:
        assert ledger.counts().get("ok", 0) >= 1  # the fixture: 4 citations written, 1 quarantined
        [finished_run] = [r for r in ledger.runs() if r["command"] == "flow pubmed-updates"]
        assert finished_run["finished_at"] and str(folder / "pubmed26n0001.xml") in finished_run["inputs"]
