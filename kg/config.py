"""Settings: one object, read from ``MEDKG_*`` environment variables and an optional TOML file.

Precedence: explicit keyword arguments > environment > TOML file > defaults defined here once.
Secrets (passwords, API keys, the pseudonymisation key) are read from the environment only,
never from the TOML file, so a config file can be committed safely.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

from kg.errors import ConfigError, Errors

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


class Settings(BaseModel):
    """Every knob medkg has. ``medkg --help`` and README 'Configuration' list them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    data_dir: Path = Field(default=Path(".medkg"), description="ledger, graph files, concept store")
    shared_data: Path = Field(default=SHARED_DATA, description="where corpora and ontologies live")
    cache_dir: Path | None = Field(default=None, description="built lexicons/indexes; default <data_dir>/cache")
    store: Literal["falkordb", "neo4j"] = "falkordb"
    graph_name: str = "medkg"
    batch_size: int = Field(default=500, ge=1, description="documents per processing batch")
    workers: int | None = Field(default=None, ge=1, description="processes that analyse batches; default: the cores")
    dask_address: str | None = Field(default=None, description="Dask scheduler the flows analyse on; default: a local cluster")
    write_batch_size: int = Field(default=5000, ge=1, description="rows per UNWIND write")
    ner_model: str | None = Field(
        default=None,
        description="None: the shipped CPU model; 'dictionary'; a BiLSTM-CRF or spaCy model dir (+dictionary); a HF name",
    )
    re_model: str | None = Field(default=None, description="relation model dir; None: the shipped models/re-cpu")
    retractions: Path | None = Field(
        default=None, description="PMIDs of retracted papers (TSV, 'pmid' column); default <shared_data>/pubmed/pubmed_retractions.tsv.gz"
    )
    max_doc_chars: int = Field(default=200_000, ge=1000, description="longer texts are quarantined")
    curation: Path | None = Field(default=None, description="curators' decisions (TSV); default <data_dir>/curation.tsv")
    neo4j_uri: str | None = None
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    ncbi_api_key: SecretStr | None = None
    ncbi_email: str | None = None
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


def load_settings(config_file: str | Path | None = None, **overrides: Any) -> Settings:
    """Build Settings from defaults, the TOML file (``MEDKG_CONFIG`` if not given), env and overrides.

    Raises ConfigError naming the bad key and source instead of a Pydantic traceback.
    """
    values: dict[str, Any] = {}
    path = config_file or os.environ.get("MEDKG_CONFIG")
    if path:
        p = Path(path)
        try:
            with p.open("rb") as fh:
                file_values = tomllib.load(fh)
        except FileNotFoundError as exc:
            raise ConfigError(Errors.E101, path=p) from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(Errors.E102, path=p, error=exc) from exc
        file_values = file_values.get("medkg", file_values)
        leaked = sorted(set(file_values) & set(SECRET_FIELDS))
        if leaked:
            raise ConfigError(
                Errors.E103, path=p, names=", ".join(leaked), env=", ".join(_env_name(k) for k in leaked)
            )
        values.update(file_values)
    for field in Settings.model_fields:
        env = os.environ.get(_env_name(field))
        if env not in (None, ""):
            values[field] = env
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings(**values)
    except ValidationError as exc:
        err = exc.errors()[0]
        key = ".".join(str(x) for x in err["loc"])
        raise ConfigError(Errors.E104, key=key, error=err["msg"], env=_env_name(key)) from exc
