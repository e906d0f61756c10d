"""Settings: one object, read from ``MEDKG_*`` environment variables and an optional TOML file.

Precedence: explicit keyword arguments > environment > TOML file > defaults defined here once.
Secrets (passwords, API keys, the pseudonymisation key) are read from the environment only,
never from the TOML file, so a config file can be committed safely.
"""

from __future__ import annotations

import difflib
import logging
import os
import tomllib
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, SecretStr, ValidationError
from pydantic_core import PydanticCustomError

from kg.errors import ConfigError, Errors

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"

SECRET_FIELDS = ("neo4j_password", "ncbi_api_key", "pseudonym_key")
_ENV_ALIASES = {  # conventional names users already have set
    "neo4j_uri": "NEO4J_URI",
    "neo4j_user": "NEO4J_USER",
    "neo4j_password": "NEO4J_PASSWORD",
    "neo4j_database": "NEO4J_DATABASE",
    "ncbi_api_key": "NCBI_API_KEY",
}

# MEDKG_* variables of no setting that are set on purpose: the config file's, and those docker/compose.yaml reads
# (a shell that sourced docker/.env has them) or the browser tests do. Any other is warned about (E115).
_OTHER_ENV = ("MEDKG_CONFIG", "MEDKG_DASK_WORKERS", "MEDKG_SHARED_DATA_DIR", "MEDKG_UPDATES_DIR", "MEDKG_NOTES_DIR",
              "MEDKG_IMPORT_DIR", "MEDKG_BROWSER")
_warned: set[str] = set()  # the variables warned about in this process: once each

# What the pattern of each setting that has one asks, in words: Pydantic's message quotes the regex
# ("String should match pattern '^\S+$'").
_PATTERN_WORDS = {
    "graph_name": "has a space or other blank: a graph name is one word, such as medkg",
    "ner_model": "is blank: unset it for the shipped model, or name a model",
    "re_model": "is blank: unset it for the shipped models/re-cpu, or name a model directory",
    "eutils_base_url": "is blank: unset it for NCBI's E-utilities, or give a base URL",
}


def _not_bool(value: Any) -> Any:
    """Pydantic takes true for 1: ``batch_size = true`` in a TOML file is a mistake, refused as one."""
    if isinstance(value, bool):
        raise PydanticCustomError("int_type", "Input should be a valid integer, not a boolean")
    return value


def _lowercase(value: Any) -> Any:
    """A name such as the store's, as its product spells it (``MEDKG_STORE=FalkorDB``), in its canonical case."""
    return value.lower() if isinstance(value, str) else value


_Count = Annotated[int, BeforeValidator(_not_bool)]


class Settings(BaseModel):
    """Every knob medkg has. ``medkg --help`` and README 'Configuration' list them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path = Field(default=Path(".medkg"), description="ledger, graph files, concept store")
    shared_data: Path = Field(default=SHARED_DATA, description="where corpora and ontologies live")
    cache_dir: Path | None = Field(default=None, description="built lexicons/indexes; default <data_dir>/cache")
    store: Annotated[Literal["falkordb", "neo4j"], BeforeValidator(_lowercase)] = "falkordb"  # in any case: FalkorDB
    graph_name: str = Field(default="medkg", min_length=1, pattern=r"^\S+$", description="FalkorDB graph name, no spaces")
    batch_size: _Count = Field(default=500, ge=1, description="documents per processing batch")
    workers: _Count | None = Field(default=None, ge=1, description="processes that analyse batches; default: the cores")
    dask_address: str | None = Field(default=None, description="Dask scheduler the flows analyse on; default: a local cluster")
    write_batch_size: _Count = Field(default=5000, ge=1, description="rows per UNWIND write")
    falkordb_timeout: float = Field(
        default=600.0, ge=0, description="seconds the embedded FalkorDB may take to answer one query (E715); 0: no limit"
    )
    ner_model: str | None = Field(
        default=None, pattern=r"\S",  # blank is no model: unset it for the shipped one
        description="None: the shipped CPU model; 'dictionary'; a BiLSTM-CRF or spaCy model dir (+dictionary); a HF name",
    )
    re_model: str | None = Field(default=None, pattern=r"\S", description="relation model dir; None: the shipped models/re-cpu")
    note_relations: bool = Field(
        default=False, description="typed relations from clinical notes too; the shipped heads know PubMed abstracts only"
    )
    retractions: Path | None = Field(
        default=None, description="PMIDs of retracted papers (TSV, 'pmid' column); default <shared_data>/pubmed/pubmed_retractions.tsv.gz"
    )
    max_doc_chars: _Count = Field(default=200_000, ge=1000, description="longer texts are quarantined")
    curation: Path | None = Field(default=None, description="curators' decisions (TSV); default <data_dir>/curation.tsv")
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    ncbi_api_key: SecretStr | None = None
    ncbi_email: str | None = None
    eutils_base_url: str | None = Field(
        default=None, pattern=r"\S", description="E-utilities base URL (a mirror or proxy); None: NCBI's"
    )
    pseudonym_key: SecretStr | None = None

    @property
    def worker_count(self) -> int:
        """``workers``, or the cores this process may run on."""
        if self.workers:
            return self.workers
        return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1

    @property
    def retractions_path(self) -> Path | None:
        """The retraction list: the setting, else the shared one where it exists, else none."""
        default = self.shared_data / "pubmed" / "pubmed_retractions.tsv.gz"
        return self.retractions or (default if default.exists() else None)

    @property
    def ledger_path(self) -> Path:
        return self.data_dir / "ledger.sqlite"

    @property
    def graph_identity(self) -> dict[str, str]:
        """Which graph these settings write, as the ledger records it (``Ledger.bind_graph``). No
        secret: a user and password written into the URI are left out. Neo4j writes to the database
        (``graph_name`` names FalkorDB graphs only); the embedded FalkorDB lives in the data dir."""
        if self.store == "falkordb":
            return {"store": "falkordb", "graph": self.graph_name}
        uri = urlsplit(self.neo4j_uri or "")
        return {"store": "neo4j", "uri": uri._replace(netloc=uri.netloc.rpartition("@")[2]).geturl(),
                "database": self.neo4j_database}

    @property
    def curation_path(self) -> Path:
        return self.curation or self.data_dir / "curation.tsv"

    @property
    def cache_path(self) -> Path:
        return self.cache_dir or self.data_dir / "cache"

    @property
    def falkordb_dir(self) -> Path:
        return self.data_dir / "falkordb"


def _env_name(field: str) -> str:
    return _ENV_ALIASES.get(field, f"MEDKG_{field.upper()}")


def _read_config(p: Path) -> dict[str, Any]:
    """The settings in TOML file ``p``: its ``[medkg]`` table, or its top level when it has none.

    A file holds its settings in one place or the other: a key beside a ``[medkg]`` table would be
    ignored, so it is refused, as is a secret anywhere in the file.
    """
    try:
        with p.open("rb") as fh:
            document = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise ConfigError(Errors.E101, path=p) from exc
    except OSError as exc:
        raise ConfigError(Errors.E105, path=p, error=exc.strerror or exc) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(Errors.E106, path=p, byte=f"{exc.object[exc.start]:02x}", offset=exc.start) from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(Errors.E102, path=p, error=exc) from exc
    table = document.get("medkg")
    keys = set(document) | (set(table) if isinstance(table, dict) else set())
    leaked = sorted(keys & set(SECRET_FIELDS))
    if leaked:
        raise ConfigError(Errors.E103, path=p, names=", ".join(leaked), env=", ".join(_env_name(k) for k in leaked))
    if "medkg" not in document:
        return document
    if not isinstance(table, dict):
        raise ConfigError(Errors.E107, path=p)
    outside = sorted(set(document) - {"medkg"})
    if outside:
        raise ConfigError(Errors.E108, path=p, names=", ".join(outside))
    return table


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Build Settings from defaults, the TOML file (``MEDKG_CONFIG`` if not given), env and overrides.

    Raises ConfigError naming the bad key and where its value came from instead of a Pydantic traceback.
    """
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}  # setting -> where its value came from, for the error message
    path = config_file or os.environ.get("MEDKG_CONFIG")
    if path:
        file_values = _read_config(Path(path))
        values.update(file_values)
        sources.update(dict.fromkeys(file_values, f"config file {path}"))
    for field in Settings.model_fields:
        env = os.environ.get(_env_name(field))
        if env not in (None, ""):
            values[field] = env
            sources[field] = _env_name(field)
    _warn_unknown_env()
    for key, value in overrides.items():
        if value is not None:
            values[key] = value
            sources[key] = f"the --{key.replace('_', '-')} option or {key} argument"
    try:
        return Settings(**values)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(x) for x in err["loc"])
        source = sources.get(str(err["loc"][0]) if err["loc"] else key, f"{_env_name(key)} or the TOML file")
        raise ConfigError(Errors.E104, key=key, error=_in_words(err, key), source=source) from exc


def _warn_unknown_env() -> None:
    """A warning (E115, once per variable and process) for each MEDKG_* variable that names no setting, with the
    variable it is closest to: it is not read, and a typo such as MEDKG_DATADIR must not pass unseen."""
    known = {v.removeprefix("MEDKG_"): v for v in [_env_name(f) for f in Settings.model_fields] + list(_OTHER_ENV)}
    for name in sorted(os.environ):
        if name.startswith("MEDKG_") and name not in known.values() and name not in _warned:
            _warned.add(name)
            close = difflib.get_close_matches(name.removeprefix("MEDKG_"), known, n=1)  # not by the prefix they share
            log.warning("%s", ConfigError(Errors.E115, name=name,
                                          close=f"; did you mean {known[close[0]]}?" if close else ""))


def _in_words(err: Any, key: str) -> str:
    """Pydantic's complaint about setting ``key`` in plain words: a pattern's meaning rather than its regex, an
    unknown name with the setting it is closest to (a config file's key: a MEDKG_* variable of no setting is
    warned about instead, E115)."""
    if err["type"] == "string_pattern_mismatch" and key in _PATTERN_WORDS:
        return f"{err['input']!r} {_PATTERN_WORDS[key]}"
    if err["type"] == "extra_forbidden":
        close = difflib.get_close_matches(key, Settings.model_fields, n=1)
        if not close:
            return "medkg has no such setting (README 'Configuration' lists them)"
        secret = f" It is a secret, read from the environment only: set {_env_name(close[0])}."
        return f"medkg has no such setting; did you mean {close[0]!r}?" + secret * (close[0] in SECRET_FIELDS)
    return err["msg"]
