"""GraphStore over Neo4j 4.4/5/Aura with the official driver: the production and cluster path.

Every statement runs in a managed transaction (``execute_write``/``execute_read``), so a batch
that fails halfway is rolled back by the server and never half-written. Transient failures
(leader switch, deadlock, lost connection) are retried here with backoff on top of the
driver's own retries: the DML is MERGE on keys, so re-running a batch is harmless. A shared
bookmark manager makes a read see the writes before it, even on a cluster.
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any
from urllib.parse import urlsplit

import neo4j
from neo4j.exceptions import AuthError, ClientError, ConfigurationError, DriverError, Forbidden, Neo4jError
from neo4j.graph import Node, Path, Relationship

from kg import __version__
from kg.config import Settings
from kg.errors import ConfigError, Errors, GraphStoreError, GraphUnavailableError, QueryError
from kg.graph import cypher
from kg.graph.base import DB_COUNTERS, GraphStore, Result
from kg.graph.schema import Schema

log = logging.getLogger(__name__)

SCHEMES = ("neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc")
# Seconds to wait before each retry; len() + 1 attempts in all. Bounded so that an unreachable
# server ends the command within about half a minute instead of hanging a scheduled run.
RETRY_DELAYS = (1.0, 4.0, 16.0)


def _plain(value: Any) -> Any:
    """Driver graph and temporal types -> the plain shape GraphStore.query documents."""
    if isinstance(value, Node):
        return {"labels": sorted(value.labels), "properties": {k: _plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"type": value.type, "properties": {k: _plain(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return {"nodes": [_plain(n) for n in value.nodes], "relationships": [_plain(r) for r in value.relationships]}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "to_native"):  # neo4j.time Date/DateTime/Duration
        return value.to_native()
    return value


def _work(tx: neo4j.ManagedTransaction, statement: str, params: dict[str, Any]) -> Result:
    """The transaction function: consume everything inside the transaction (results die with it)."""
    res = tx.run(statement, params)
    rows = [{k: _plain(v) for k, v in record.items()} for record in res]
    counters = res.consume().counters
    return Result(rows, {c: int(getattr(counters, c)) for c in DB_COUNTERS})


def parse_version(versions: list[str]) -> tuple[int, int]:
    """(major, minor) from dbms.components(): '5.26.1' -> (5, 26), '2025.01.0' -> (2025, 1), '5.x-aura' -> (5, 0)."""
    m = re.match(r"(\d+)(?:\.(\d+))?", versions[0] if versions else "")
    if not m:
        raise GraphStoreError(Errors.E720, versions=versions)
    return int(m.group(1)), int(m.group(2) or 0)


def _retryable(exc: Exception) -> bool:
    return isinstance(exc, (Neo4jError, DriverError)) and exc.is_retryable()


class Neo4jStore(GraphStore):
    """Neo4j backend: NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD / NEO4J_DATABASE from Settings."""

    def __init__(self, settings: Settings, schema: Schema | None = None) -> None:
        super().__init__(settings, schema)
        uri = settings.neo4j_uri
        if not uri:
            raise ConfigError(Errors.E110)
        scheme = urlsplit(uri).scheme
        if scheme not in SCHEMES:
            raise ConfigError(Errors.E111, uri=uri, scheme=scheme, schemes=", ".join(SCHEMES))
        self.uri = uri
        password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else None
        auth = (settings.neo4j_user, password) if password is not None else None
        try:
            self._driver = neo4j.GraphDatabase.driver(
                uri, auth=auth, user_agent=f"medkg/{__version__}", max_transaction_retry_time=15.0
            )
        except (ConfigurationError, ValueError) as exc:
            raise ConfigError(Errors.E112, uri=uri, error=exc) from exc
        self._bookmarks = neo4j.GraphDatabase.bookmark_manager()
        self._version: tuple[int, int] | None = None
        try:
            self._retrying("connect", self._driver.verify_connectivity)
        except BaseException:
            self._driver.close()
            raise

    def _retrying(self, what: str, call: Any, statement: str | None = None) -> Any:
        """``call()`` with bounded retries of transient errors; driver errors become medkg errors."""
        for attempt, delay in enumerate((*RETRY_DELAYS, None), start=1):
            try:
                return call()
            except AuthError as exc:
                raise GraphUnavailableError(
                    Errors.E723, uri=self.uri, user=self.settings.neo4j_user, error=exc
                ) from exc
            except Exception as exc:
                if not _retryable(exc):
                    if isinstance(exc, (Neo4jError, DriverError)):
                        raise self._translate(what, exc, statement) from exc
                    raise
                if delay is None:
                    raise GraphUnavailableError(
                        Errors.E724, uri=self.uri, database=self.settings.neo4j_database, what=what, attempts=attempt,
                        error=f"{type(exc).__name__}: {exc}",
                    ) from exc
                log.warning("Neo4j %s failed (%s: %s); retry %d in %.0f s",
                            what, type(exc).__name__, exc, attempt, delay)
                time.sleep(delay)
        raise AssertionError("unreachable")

    def _translate(self, what: str, exc: Exception, statement: str | None) -> GraphStoreError:
        if isinstance(exc, ClientError):
            if statement is None:
                return QueryError(Errors.E754, what=what, error=exc)
            return QueryError(Errors.E755, what=what, error=exc, query=statement[:300],
                              advice=self._advice(what, exc))
        if isinstance(exc, DriverError) and not isinstance(exc, Neo4jError):
            return GraphUnavailableError(Errors.E725, uri=self.uri, error=f"{type(exc).__name__}: {exc}")
        return GraphStoreError(Errors.E726, what=what, error=f"{type(exc).__name__}: {exc}")

    def _advice(self, what: str, exc: ClientError) -> str:
        """E755's hint, from Neo4j's error code: true whichever command sent the statement (the store does
        not know which; only `medkg query` sends Cypher of the user's, and only a writing command writes)."""
        user, database = self.settings.neo4j_user, self.settings.neo4j_database
        if isinstance(exc, Forbidden) and what == "write":
            return (f"Neo4j user {user!r} may not write to Neo4j database {database!r} (a user of the reader role, "
                    "say). Writing the graph needs a user with write privileges, and for a new database with the "
                    "privileges to create constraints and indexes (the architect or admin role): set NEO4J_USER "
                    "and NEO4J_PASSWORD to one. Commands that only read need read privileges only.")
        if isinstance(exc, Forbidden):
            return (f"Neo4j user {user!r} may not read Neo4j database {database!r}: ask its administrator to grant "
                    "the user access to it (the reader role), or set NEO4J_USER and NEO4J_PASSWORD to a user who has.")
        if exc.code == "Neo.ClientError.Database.DatabaseNotFound":  # a mistyped NEO4J_DATABASE
            return (f"Neo4j at {self.uri} has no database {database!r}: set NEO4J_DATABASE to one it holds "
                    "(`SHOW DATABASES` lists them). medkg creates none, not even to write: an administrator "
                    "does (`CREATE DATABASE`).")
        if exc.code == "Neo.ClientError.Statement.AccessMode":
            return ("The statement writes, but was sent to be read: `medkg query` runs Cypher read-only unless "
                    "you pass --write.")
        return "Check the statement against Neo4j's error above."

    def _run(self, statement: str, params: dict[str, Any] | None = None, *, write: bool) -> Result:
        def attempt() -> Result:
            with self._driver.session(database=self.settings.neo4j_database, bookmark_manager=self._bookmarks) as s:
                run = s.execute_write if write else s.execute_read
                return run(_work, statement, params or {})

        return self._retrying("write" if write else "read", attempt, statement)

    @property
    def server_version(self) -> tuple[int, int]:
        """(major, minor) of the server: (5, x) for Neo4j 5 and Aura, (2025, x) for calendar versions."""
        if self._version is None:
            rows = self._run(cypher.NEO4J_COMPONENTS, write=False).rows
            kernel = next((r for r in rows if r["name"] == "Neo4j Kernel"), rows[0] if rows else None)
            if kernel is None:
                raise GraphStoreError(Errors.E721)
            version = parse_version(kernel["versions"])
            if version < (4, 4):
                raise GraphStoreError(Errors.E722, version=kernel["versions"][0])
            self._version = version
        return self._version

    def ensure_schema(self) -> None:
        """Unique constraints on keys (each brings its index), lookup indexes and concept search indexes.

        Every statement says IF NOT EXISTS, so this is cheap to run on every start.
        """
        for statement in cypher.neo4j_ddl(self.schema) + cypher.neo4j_search_ddl(self.schema, self.server_version[0]):
            self._run(statement, write=True)

    def close(self) -> None:
        self._driver.close()
