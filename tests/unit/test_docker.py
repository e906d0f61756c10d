"""docker/ cannot run here (no Docker engine): check what can be checked without it.

The Dockerfile is read into a small model of the image it builds (its files, by where they come
from in the build context after .dockerignore; its entrypoint, command and editable install), and
each compose service is judged by the argv its container would really run.
"""

from __future__ import annotations

import fnmatch
import json
import os
import posixpath
import re
import shlex
import shutil
import subprocess
import tomllib
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path

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


_COMPOSE_VAR = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)")


def interpolate(value: str, env: dict[str, str]) -> str:
    """What compose makes of ``value`` with the variables ``env``: ``$$`` is a ``$``, and
    ``${VAR}``, ``${VAR:-default}``, ``${VAR-default}``, ``${VAR:?error}``, ``$VAR`` are replaced."""
    def replace(m: re.Match) -> str:
        if m.group(0) == "$$":
            return "$"
        name, op, arg = m.group(1) or m.group(4), m.group(2), m.group(3)
        value = env.get(name)
        unset = not value if op and op.startswith(":") else value is None
        if op and op.endswith("-") and unset:
            return arg
        if op and op.endswith("?") and unset:
            raise ValueError(f"{name}: {arg}")
        return value or ""

    return _COMPOSE_VAR.sub(replace, value)


# -- .dockerignore, as Docker reads it (moby/patternmatcher) ------------------------------------
def _pattern_regex(pattern: str) -> re.Pattern:
    out, i = "^", 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*" and pattern[i + 1:i + 2] == "*":
            i += 1
            if pattern[i + 1:i + 2] == "/":
                i += 1
            out += ".*" if i + 1 >= len(pattern) else "(.*/)?"
        elif c == "*":
            out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "[":
            end = pattern.index("]", i)
            out += "[" + pattern[i + 1:end].replace("!", "^", 1 if pattern[i + 1:i + 2] == "!" else 0) + "]"
            i = end
        elif c == "\\" and i + 1 < len(pattern):
            i += 1
            out += re.escape(pattern[i])
        else:
            out += re.escape(c)
        i += 1
    return re.compile(out + "$")


@dataclass
class DockerIgnore:
    patterns: list[tuple[bool, re.Pattern, str]]  # (exception "!", regex, cleaned pattern)

    @classmethod
    def read(cls, root: Path = REPO_ROOT) -> DockerIgnore:
        path = root / ".dockerignore"
        patterns = []
        for line in path.read_text(encoding="utf-8").splitlines() if path.exists() else []:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            exception = line.startswith("!")
            line = posixpath.normpath(line[1:].strip() if exception else line).lstrip("/")
            patterns.append((exception, _pattern_regex(line), line))
        return cls(patterns)

    def excluded(self, path: str) -> bool:
        """The last pattern that matches ``path`` or one of its parent folders decides."""
        parents = path.split("/")[:-1]
        matched = False
        for exception, regex, _ in self.patterns:
            if exception != matched:
                continue
            if regex.match(path) or any(regex.match("/".join(parents[:i + 1])) for i in range(len(parents))):
                matched = not exception
        return matched

    def _may_include_below(self, folder: str) -> bool:
        parts = folder.split("/")
        for exception, _, pattern in self.patterns:
            if not exception:
                continue
            for part, glob in zip(parts, pattern.split("/")):
                if glob == "**":
                    return True
                if not fnmatch.fnmatchcase(part, glob):
                    break
            else:
                return True
        return False

    def files(self, root: Path = REPO_ROOT, under: str = ".") -> list[str]:
        """The build context's files under ``under`` (paths relative to ``root``, with /)."""
        start = root / under
        if start.is_file():
            rel = start.relative_to(root).as_posix()
            return [] if self.excluded(rel) else [rel]
        found = []
        for folder, dirs, names in os.walk(start):
            rel = Path(folder).relative_to(root).as_posix()
            prefix = "" if rel == "." else rel + "/"
            dirs[:] = [d for d in dirs if not self.excluded(prefix + d) or self._may_include_below(prefix + d)]
            found += [prefix + n for n in names if not self.excluded(prefix + n)]
        return found


# -- the image docker/Dockerfile builds ---------------------------------------------------------
@dataclass
class Image:
    workdir: str = "/"
    user: str = "root"
    env: dict[str, str] = field(default_factory=dict)
    entrypoint: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # path in the image -> path in the build context
    editable_installs: list[tuple[str, frozenset[str]]] = field(default_factory=list)  # (folder, files then)
    plain_installs: list[str] = field(default_factory=list)


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined and comments dropped."""
    out, buffer = [], ""
    for line in text.splitlines():
        if line.strip().startswith("#") or (not buffer and not line.strip()):
            continue
        if line.rstrip().endswith("\\"):
            buffer += line.rstrip()[:-1] + " "
            continue
        word, _, args = (buffer + line).strip().partition(" ")
        out.append((word.upper(), args.strip()))
        buffer = ""
    return out


def _exec_form(args: str) -> list[str]:
    return json.loads(args) if args.startswith("[") else ["/bin/sh", "-c", args]


def read_image(text: str | None = None, ignore: DockerIgnore | None = None) -> Image:
    """A model of the (single-stage) image: enough to say which file lands where and what runs."""
    text = text if text is not None else (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    ignore = ignore or DockerIgnore.read()
    image = Image()
    stages = 0
    for word, args in _instructions(text):
        if word == "FROM":
            stages += 1
            assert stages == 1, "multi-stage Dockerfile: extend read_image() to model it"
        elif word == "WORKDIR":
            image.workdir = posixpath.normpath(posixpath.join(image.workdir, args))
        elif word == "USER":
            image.user = args
        elif word == "ENV":
            words = shlex.split(args)
            image.env.update(dict(w.split("=", 1) for w in words) if "=" in words[0] else {words[0]: " ".join(words[1:])})
        elif word == "ENTRYPOINT":
            image.entrypoint, image.cmd = _exec_form(args), []  # a new ENTRYPOINT resets the inherited CMD
        elif word == "CMD":
            image.cmd = _exec_form(args)
        elif word in ("COPY", "ADD"):
            words = json.loads(args) if args.startswith("[") else shlex.split(args)
            flags = [w for w in words if w.startswith("--")]
            if any(f.startswith("--from") for f in flags):
                continue
            *sources, dest = [w for w in words if not w.startswith("--")]
            dest = posixpath.join(image.workdir, dest)
            into_folder = dest.endswith("/") or len(sources) > 1
            for source in sources:
                assert not re.search(r"[*?\[]", source), f"{word} {source}: globs are not modelled"
                source = posixpath.normpath(source).lstrip("/")
                if (REPO_ROOT / source).is_dir():
                    for f in ignore.files(under=source):
                        inner = f if source == "." else f[len(source) + 1:]
                        image.files[posixpath.normpath(posixpath.join(dest, inner))] = f
                else:
                    for f in ignore.files(under=source):
                        target = posixpath.join(dest, posixpath.basename(f)) if into_folder else dest
                        image.files[posixpath.normpath(target)] = f
        elif word == "RUN":
            for install in re.findall(r"pip\s+install\s+([^&|;]*)", args):
                words = shlex.split(install)
                if any(w in ("-e", "--editable") and words[i + 1] == "." for i, w in enumerate(words[:-1])):
                    image.editable_installs.append((image.workdir, frozenset(image.files)))
                elif "." in words:
                    image.plain_installs.append(image.workdir)
    return image


@pytest.fixture(scope="module")
def image() -> Image:
    return read_image()


def effective_argv(service: dict, image: Image) -> list[str]:
    """What the container runs: the service's entrypoint (else the image's) + its command (else,
    unless the entrypoint was overridden, which clears it, the image's CMD), interpolated."""
    def words(value) -> list[str]:
        return shlex.split(value) if isinstance(value, str) else [str(v) for v in value]

    overridden = service.get("entrypoint") is not None
    entry = words(service["entrypoint"]) if overridden else image.entrypoint
    command = words(service["command"]) if service.get("command") is not None else ([] if overridden else image.cmd)
    return [interpolate(a, env_example()) for a in entry + command]


def assert_runs(argv: list[str]) -> None:
    """``argv`` names a program the image installs and arguments that program accepts (parsed by its
    own command-line parser, not run)."""
    assert argv, "nothing to run"
    program, args = argv[0], argv[1:]
    if program == "medkg":
        assert 'medkg = "kg.cli:main"' in (REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8")
        cli = typer.main.get_command(app)
        assert args and args[0] in cli.commands, f"`{shlex.join(argv)}`: medkg has no command {args[:1]}"
        cli.commands[args[0]].make_context(f"medkg {args[0]}", args[1:])
    elif program == "dask":
        assert any(ep.name == "dask" for ep in entry_points(group="console_scripts")), "no `dask` script installed"
        commands = {ep.name: ep for ep in entry_points(group="dask_cli")}
        assert args and args[0] in commands, f"`{shlex.join(argv)}`: dask has no command {args[:1]}"
        commands[args[0]].load().make_context(f"dask {args[0]}", args[1:])
    else:
        pytest.fail(f"`{shlex.join(argv)}`: {program} is not a program the medkg image installs")


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


# -- what each container runs --------------------------------------------------------------------
def test_image_entrypoint_and_command_are_a_real_medkg_command(image):
    assert image.entrypoint == ["medkg"]
    assert_runs(image.entrypoint + image.cmd)


def test_every_service_of_the_medkg_image_runs_a_real_command(compose, image):
    """The effective argv (entrypoint + command), not the command alone: a `command:` of
    ["dask", "scheduler"] under the image's `medkg` entrypoint runs `medkg dask scheduler`."""
    services = compose["services"]
    ours = services["medkg"]["image"]
    users = {name for name, s in services.items() if s.get("image") == ours or "build" in s}
    assert users == {"medkg", "dask-scheduler", "dask-worker"}
    for name in sorted(users):
        argv = effective_argv(services[name], image)
        assert_runs(argv)
        for arg in argv:  # a folder the command is given is mounted into the container
            if arg.startswith("/"):
                targets = {interpolate(v, env_example()).split(":")[1] for v in services[name].get("volumes", [])}
                assert arg in targets, f"{name}: {arg} is not mounted"
    assert effective_argv(services["dask-scheduler"], image)[:2] == ["dask", "scheduler"]
    assert effective_argv(services["dask-worker"], image)[:3] == ["dask", "worker", "tcp://dask-scheduler:8786"]
    assert effective_argv(services["medkg"], image)[:2] == ["medkg", "serve"]
    for name in set(services) - users:  # third-party images run their own entrypoints
        assert "entrypoint" not in services[name], name
    assert services["prefect"]["command"][:3] == ["prefect", "server", "start"]


def test_analysis_runs_on_the_dask_cluster_with_the_same_data(compose, image):
    services = compose["services"]
    scheduler, worker, medkg = services["dask-scheduler"], services["dask-worker"], services["medkg"]
    scheduler_argv, worker_argv = effective_argv(scheduler, image), effective_argv(worker, image)
    assert scheduler_argv[scheduler_argv.index("--port") + 1] == "8786"
    assert worker_argv[worker_argv.index("--nthreads") + 1] == "1"  # one NLP thread per process
    assert medkg["environment"]["MEDKG_DASK_ADDRESS"] == "tcp://dask-scheduler:8786"
    for name in ("MEDKG_DATA_DIR", "MEDKG_SHARED_DATA"):
        assert worker["environment"][name] == medkg["environment"][name]
    mounts = {v.rsplit(":", 2)[1] if v.endswith((":ro", ":rw")) else v.rsplit(":", 1)[1] for v in worker["volumes"]}
    assert {"/data", "/shared"} <= mounts and worker["image"] == medkg["image"] == scheduler["image"]
    assert not any(k.startswith("NEO4J") or k == "MEDKG_PSEUDONYM_KEY" for k in worker.get("environment", {}))


# -- what the image holds ------------------------------------------------------------------------
def test_dockerfile_installs_the_packages_the_image_runs(image):
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    assert re.search(r"^FROM python:3\.11", text, re.MULTILINE)
    assert not image.plain_installs, "a non-editable `pip install .` puts kg/ in site-packages, away from models/"
    assert len(image.editable_installs) == 1, "the image installs medkg with `pip install -e .`"
    root, present = image.editable_installs[0]
    pyproject = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    packages = [p.rstrip("*") for p in pyproject["tool"]["setuptools"]["packages"]["find"]["include"]]
    needed = ["pyproject.toml", pyproject["project"]["readme"], *(f"{p}/__init__.py" for p in packages)]
    missing = [n for n in needed if posixpath.join(root, n) not in present]
    assert not missing, f"not in {root} when `pip install -e .` runs: {missing}"
    assert image.user != "root"


def _needed_at_run_time() -> list[Path]:
    """Files the code reads relative to where kg/ is (REPO_ROOT), by the code's own constants."""
    from kg.components import RELATION_MODEL
    from kg.extract.assertion import RULES_PATH
    from kg.extract.loader import DEFAULT_MODEL
    from kg.graph.saved import QUERIES_FILE
    from ontology import SCHEMA_PATH

    needed = [Path(SCHEMA_PATH), QUERIES_FILE, RULES_PATH]
    for folder in (DEFAULT_MODEL, RELATION_MODEL, Path(SCHEMA_PATH).parent, REPO_ROOT / "kg", REPO_ROOT / "flows"):
        files = [f for f in folder.rglob("*") if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc"]
        assert files, f"{folder} is empty in this checkout"
        needed += files
    assert (DEFAULT_MODEL / "tagger.json") in needed and (RELATION_MODEL / "model.joblib") in needed
    return needed


def test_image_has_every_path_the_code_needs_at_run_time(image):
    """models/ner-cpu, models/re-cpu, ontology/ (and kg/, flows/) where the installed code looks:
    kg/config.py REPO_ROOT is the folder above kg/, i.e. where the editable install ran."""
    assert image.editable_installs, "no editable install: REPO_ROOT would be site-packages, without models/"
    root = image.editable_installs[-1][0]
    missing = []
    for path in _needed_at_run_time():
        rel = path.relative_to(REPO_ROOT).as_posix()
        if image.files.get(posixpath.join(root, rel)) != rel:
            missing.append(rel)
    assert not missing, f"not in the image under {root}: {missing[:10]}"
    for name in ("MEDKG_NER_MODEL", "MEDKG_RE_MODEL"):  # nothing points the code elsewhere
        assert name not in image.env, name


def test_the_image_model_sees_a_missing_copy():
    """The checks above fail for the defects they guard against."""
    text = (DOCKER / "Dockerfile").read_text(encoding="utf-8")
    without_models = read_image("\n".join(line for line in text.splitlines() if not line.startswith("COPY models")))
    assert "models/ner-cpu/tagger.json" not in without_models.files.values()
    plain = read_image(text.replace("pip install -e .", "pip install ."))
    assert plain.plain_installs and not plain.editable_installs
    old = {"entrypoint": None, "command": ["dask", "scheduler", "--port", "8786"]}
    assert effective_argv(old, read_image())[:3] == ["medkg", "dask", "scheduler"]


# -- neo4j ---------------------------------------------------------------------------------------
# The Neo4j 5 image's docker-entrypoint.sh turns every other NEO4J_* variable into a neo4j.conf
# line (NEO4J_server_memory_heap_max__size -> server.memory.heap.max_size); an unknown setting
# stops Neo4j (strict config validation).
NEO4J_IMAGE_CONTROLS = {"NEO4J_ACCEPT_LICENSE_AGREEMENT", "NEO4J_AUTH", "NEO4J_AUTH_PATH", "NEO4J_DEBUG",
                        "NEO4J_EDITION", "NEO4J_HOME", "NEO4J_PLUGINS", "NEO4J_SHA256", "NEO4J_TARBALL",
                        "NEO4J_DEPRECATION_WARNING"}
NEO4J_SETTING_NAMESPACES = ("server.", "dbms.", "db.", "initial.", "browser.", "client.", "apoc.")


def neo4j_setting(variable: str) -> str:
    return variable.removeprefix("NEO4J_").replace("_", ".").replace("..", "_")


def test_neo4j_environment_holds_only_neo4j_settings(compose):
    env = compose["services"]["neo4j"]["environment"]
    assert neo4j_setting("NEO4J_server_memory_heap_max__size") == "server.memory.heap.max_size"
    for variable, value in env.items():
        if variable in NEO4J_IMAGE_CONTROLS:
            continue
        setting = neo4j_setting(variable)
        assert variable.startswith("NEO4J_") and setting.startswith(NEO4J_SETTING_NAMESPACES) and re.fullmatch(
            r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+", setting), f"{variable} would become neo4j.conf line {setting}=..."
        assert "NEO4J_PASSWORD" not in str(value), f"{variable}: no password in neo4j.conf"


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")
def test_neo4j_healthcheck_logs_in_with_the_password_of_neo4j_auth(compose, tmp_path):
    """Run the health check's shell line with a stand-in cypher-shell, in the service's environment only."""
    service, example = compose["services"]["neo4j"], env_example()
    kind, *line = service["healthcheck"]["test"]
    assert kind == "CMD-SHELL" and len(line) == 1
    script = interpolate(line[0], example)
    env = {k: interpolate(str(v), example) for k, v in service["environment"].items()}
    out = tmp_path / "argv"
    env |= {"PATH": f"{tmp_path}{os.pathsep}/usr/bin{os.pathsep}/bin", "FAKE_OUT": str(out)}
    fake = tmp_path / "cypher-shell"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "${NEO4J_PASSWORD-}" "${NEO4J_USERNAME-}" "$@" > "$FAKE_OUT"\n')
    fake.chmod(0o755)
    assert subprocess.run(["sh", "-c", script], env=env, timeout=30, check=False).returncode == 0
    env_password, env_user, *args = out.read_text().splitlines()

    def option(*names: str, default: str) -> str:
        return next((args[i + 1] for i, a in enumerate(args[:-1]) if a in names), default)

    assert option("-p", "--password", default=env_password) == example["NEO4J_PASSWORD"]
    assert option("-u", "--username", default=env_user or "neo4j") == "neo4j"
    fake.write_text("#!/bin/sh\nexit 1\n")
    assert subprocess.run(["sh", "-c", script], env=env, timeout=30, check=False).returncode != 0


# -- what stays out of git and out of the build --------------------------------------------------
SECRETS_AND_DATA = ["docker/.env", ".env", "docker/import/nodes_Document.csv", "docker/import/IMPORT.md",
                    "docker/notes/notes.csv", "docker/updates/pubmed25n1300.xml.gz"]
LOCAL_ONLY = [".medkg/ledger.sqlite", ".medkg/cache/concepts.sqlite", "data/x.csv", ".venv/bin/python",
              ".ci/node_modules/x/package.json", ".ci/venv/bin/python", "training/re/model.joblib", ".git/config",
              "kg/__pycache__/config.cpython-311.pyc", "medkg.egg-info/PKG-INFO", "kg/.env"]


def test_dockerignore_keeps_secrets_data_and_local_folders_out_of_the_build_context():
    assert (REPO_ROOT / ".dockerignore").is_file(), "the build context is the repository root"
    ignore = DockerIgnore.read()
    kept = [p for p in SECRETS_AND_DATA + LOCAL_ONLY if not ignore.excluded(p)]
    assert not kept, f"sent to the Docker daemon: {kept}"
    assert not ignore.excluded("kg/config.py") and not ignore.excluded("models/ner-cpu/weights.npz")
    context = ignore.files()
    banned = (".venv/", ".medkg/", ".ci/", ".git/", "docker/", "data/", "training/", "tests/")
    assert not [f for f in context if f.startswith(banned) or posixpath.basename(f) == ".env"]
    size = sum((REPO_ROOT / f).stat().st_size for f in context)
    assert size < 64 * 2**20, f"build context of {size / 2**20:.0f} MiB"


def test_dockerignore_reading_follows_docker():
    ignore = DockerIgnore([(e, _pattern_regex(p), p) for e, p in [(False, "*"), (True, "kg"), (False, "**/x")]])
    assert ignore.excluded("a") and ignore.excluded("a/b/c") and not ignore.excluded("kg/a/b.py")
    assert ignore.excluded("kg/x") and ignore.excluded("kg/a/x/y") and ignore.excluded("x")
    assert _pattern_regex("*.py[cod]").match("a.pyc") and not _pattern_regex("*.py[cod]").match("a/b.pyc")


def _git_ignored(paths: list[str]) -> set[str]:
    run = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=REPO_ROOT, input="\n".join(paths),
                         capture_output=True, text=True, timeout=60, check=False)
    if run.returncode not in (0, 1):
        pytest.skip(f"git check-ignore: {run.stderr.strip()}")
    return set(run.stdout.splitlines())


@pytest.mark.skipif(shutil.which("git") is None or not (REPO_ROOT / ".git").exists(), reason="needs a git checkout")
def test_gitignore_keeps_secrets_and_exports_out_of_git():
    ignored = _git_ignored(SECRETS_AND_DATA + ["docker/.env.example", "docker/compose.yaml", ".dockerignore"])
    assert set(SECRETS_AND_DATA) <= ignored, set(SECRETS_AND_DATA) - ignored
    assert not ignored & {"docker/.env.example", "docker/compose.yaml", ".dockerignore"}
