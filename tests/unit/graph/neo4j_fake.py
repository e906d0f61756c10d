"""A scripted Neo4j behind ``MagicMock(spec=neo4j.Driver)``: runs the store's transaction functions
for real, records every statement and whether its transaction committed or rolled back. With
``reader=True`` it is a user of the reader role: it refuses every statement that writes data or
changes the schema, as Neo4j does."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any
from unittest.mock import MagicMock

import neo4j

from kg.graph import cypher
from kg.graph import neo4j_store


@dataclass
class Sent:
    statement: str
    params: dict[str, Any]
    mode: str  # "write" or "read": which managed transaction ran it


class _Result:
    def __init__(self, rows: list[dict], counters: dict[str, int]) -> None:
        self._rows, self._counters = rows, counters

    def __iter__(self):
        return iter(neo4j.Record(r) for r in self._rows)

    def consume(self):
        names = ("nodes_created", "nodes_deleted", "relationships_created", "relationships_deleted",
                 "properties_set", "labels_added")
        return SimpleNamespace(counters=SimpleNamespace(**{n: self._counters.get(n, 0) for n in names}))


_DDL = ("CREATE CONSTRAINT", "CREATE INDEX", "CREATE RANGE INDEX", "CREATE TEXT INDEX", "CREATE FULLTEXT INDEX",
        "DROP")


def forbidden(statement: str) -> neo4j.exceptions.Forbidden:
    """What Neo4j answers a user of the reader role who sends ``statement``: the error the driver raises
    for the server's failure message (code Neo.ClientError.Security.Forbidden)."""
    what = "Schema operations" if statement.lstrip().upper().startswith(_DDL) else "Write operations"
    return neo4j.exceptions.Neo4jError._hydrate_neo4j(
        code="Neo.ClientError.Security.Forbidden",
        message=f"{what} are not allowed for user 'reader' with roles [PUBLIC, reader].")


@dataclass
class FakeNeo4j:
    version: str = "5.26.0"
    sent: list[Sent] = field(default_factory=list)          # every statement that reached tx.run
    committed: list[list[Sent]] = field(default_factory=list)
    rolled_back: list[list[Sent]] = field(default_factory=list)
    failures: list[Exception | None] = field(default_factory=list)  # raised by the next tx.run calls, in order
    answers: dict[str, Callable[[dict], list[dict]]] = field(default_factory=dict)
    sleeps: list[float] = field(default_factory=list)
    sessions: list[dict] = field(default_factory=list)
    created: dict[str, Any] = field(default_factory=dict)
    # The user has read privileges only (Neo4j's reader role): a statement that writes or changes the
    # schema (CREATE CONSTRAINT/INDEX, CREATE, MERGE, SET, DELETE...) reaches the server, which refuses
    # it with Neo.ClientError.Security.Forbidden and rolls its transaction back.
    reader: bool = False
    refused: list[Sent] = field(default_factory=list)  # what the reader was refused

    def install(self, monkeypatch) -> FakeNeo4j:
        self.driver = MagicMock(spec=neo4j.Driver)
        self.driver.session.side_effect = self._session
        monkeypatch.setattr(neo4j.GraphDatabase, "driver", self._make_driver)
        monkeypatch.setattr(neo4j_store.time, "sleep", self.sleeps.append)
        return self

    def _make_driver(self, uri: str, *, auth=None, **config):
        self.created = {"uri": uri, "auth": auth, **config}
        return self.driver

    def _session(self, **config):
        self.sessions.append(config)
        session = MagicMock(spec=neo4j.Session)
        session.__enter__.return_value = session
        session.execute_write.side_effect = lambda fn, *a, **kw: self._transaction(fn, "write", a, kw)
        session.execute_read.side_effect = lambda fn, *a, **kw: self._transaction(fn, "read", a, kw)
        return session

    def _transaction(self, fn, mode: str, args, kwargs):
        tx = MagicMock(spec=neo4j.ManagedTransaction)
        done: list[Sent] = []

        def run(statement, parameters=None, **kw):
            if self.failures:
                exc = self.failures.pop(0)
                if exc is not None:
                    raise exc
            sent = Sent(statement, dict(parameters or {}), mode)
            self.sent.append(sent)
            done.append(sent)
            if self.reader and (statement.lstrip().upper().startswith(_DDL) or cypher.write_clause(statement)):
                self.refused.append(sent)
                raise forbidden(statement)
            rows = self.answer(statement, sent.params)
            return _Result(rows, {"nodes_created": len(sent.params.get("rows", []))})

        tx.run.side_effect = run
        try:
            out = fn(tx, *args, **kwargs)
        except BaseException:
            self.rolled_back.append(done)
            raise
        self.committed.append(done)
        return out

    def answer(self, statement: str, params: dict) -> list[dict]:
        if statement in self.answers:
            return self.answers[statement](params)
        if statement == cypher.NEO4J_COMPONENTS:
            return [{"name": "Neo4j Kernel", "versions": [self.version], "edition": "community"}]
        if "RETURN count(" in statement:
            return [{"n": 0}]
        return []

    def statements(self, mode: str | None = None) -> list[str]:
        return [s.statement for s in self.sent if mode is None or s.mode == mode]
