"""The embedded default GraphStore: FalkorDB over a UNIX socket, server managed by medkg."""

from __future__ import annotations

import difflib
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import redis
from falkordb import Edge, FalkorDB, Node, Path

from kg.config import Settings
from kg.errors import Errors, GraphStoreError, GraphUnavailableError, QueryError
from kg.graph import cypher
from kg.graph.base import DB_COUNTERS, GraphStore, Result
from kg.graph.falkordb_server import FalkorServer, sent_once
from kg.graph.schema import Schema



def _plain(value: Any) -> Any:
    """FalkorDB client objects -> the plain shape GraphStore.query documents."""
    if isinstance(value, Node):
        return {"labels": list(value.labels or []), "properties": dict(value.properties)}
    if isinstance(value, Edge):
        return {"type": value.relation, "properties": dict(value.properties)}
    if isinstance(value, Path):
        return {"nodes": [_plain(n) for n in value.nodes()], "relationships": [_plain(e) for e in value.edges()]}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


class FalkorDBStore(GraphStore):
    def __init__(self, settings: Settings, schema: Schema | None = None) -> None:
        super().__init__(settings, schema)
        self.server = FalkorServer(settings.falkordb_dir)
        self.server.start()
        self._client_name = f"medkg-{os.getpid()}-{id(self)}"
        self.timeout = settings.falkordb_timeout or None  # a hung server must not hold a run for ever (E715)
        self.hung = False  # a query went unanswered: closing kills the server rather than asking it to stop
        try:
            self._db = FalkorDB(unix_socket_path=str(self.server.socket), client_name=self._client_name,
                                **sent_once(self.timeout))
        except redis.ConnectionError as exc:
            self.server.stop()
            raise GraphUnavailableError(Errors.E710, socket=self.server.socket, error=exc) from exc
        self._graph = self._db.select_graph(settings.graph_name)

    @contextmanager
    def _answered(self) -> Iterator[None]:
        """A command the server does not answer within ``timeout`` is E715, and the server is taken to be hung."""
        try:
            yield
        except redis.TimeoutError as exc:
            self.hung = True
            raise GraphUnavailableError(Errors.E715, socket=self.server.socket, seconds=self.timeout,
                                        last=self.server.log_tail(1)) from exc

    def _run(self, statement: str, params: dict[str, Any] | None = None, *, write: bool) -> Result:
        try:
            with self._answered():
                res = self._graph.query(statement, params) if write else self._graph.ro_query(statement, params)
        except redis.ConnectionError as exc:
            raise GraphUnavailableError(Errors.E711, socket=self.server.socket, error=exc) from exc
        except redis.ResponseError as exc:
            if not write and "empty key" in str(exc):
                # GRAPH.RO_QUERY refuses a graph that does not exist (yet): read, it holds nothing. It is
                # not retried as GRAPH.QUERY, which would create it: a read of a mistyped graph name must
                # leave no graph behind (a write, or ensure_schema, creates it).
                return Result([], dict.fromkeys(DB_COUNTERS, 0))
            raise QueryError(Errors.E752, error=exc, query=statement[:300]) from exc
        except (ValueError, TypeError) as exc:  # the client could not encode a parameter
            raise QueryError(Errors.E753, error=exc, query=statement[:300]) from exc
        names = [h[1] for h in res.header]
        records = [{n: _plain(v) for n, v in zip(names, rec, strict=True)} for rec in res.result_set]
        return Result(records, {c: int(getattr(res, c)) for c in DB_COUNTERS})

    def missing_graph(self) -> str | None:
        """The server's graphs (GRAPH.LIST) do not include this one: which ones it holds, and the one the name is
        closest to (in any case: MedKG for medkg)."""
        with self._answered():
            graphs = sorted(self._db.list_graphs())
        name = self._graph.name
        if name in graphs:
            return None
        if not graphs:
            return "it holds no graph"
        folded = {g.casefold(): g for g in graphs}
        close = difflib.get_close_matches(name.casefold(), folded, n=1)
        return (f"it holds no graph named {name!r}, only {', '.join(map(repr, graphs))}"
                + (f"; did you mean {folded[close[0]]!r}?" if close else ""))

    def ensure_schema(self) -> None:
        """Exact-match indexes first (FalkorDB builds unique constraints on them), then the constraints.

        FalkorDB has no IF NOT EXISTS, so existing ones are listed and skipped; constraints are
        built in the background, so this waits until they are OPERATIONAL (or FAILED: duplicates).
        """
        have = {
            (r["label"], p)
            for r in self._run(cypher.FALKORDB_LIST_INDEXES, write=True).rows
            if r["entitytype"] == "NODE"
            for p in r["properties"]
        }
        for label, prop, statement in cypher.falkordb_indexes(self.schema):
            if (label, prop) not in have:
                try:
                    self._run(statement, write=True)
                except QueryError as exc:
                    if "already indexed" not in str(exc):  # another command sharing the server made it first
                        raise
        wanted = set(cypher.unique_keys(self.schema))
        for label, prop in wanted - self._unique_constraints().keys():
            try:
                with self._answered():
                    self._db.execute_command(*cypher.falkordb_unique_constraint(self.schema, self._graph.name, label, prop))
            except redis.ResponseError as exc:
                if "already exists" not in str(exc):
                    raise GraphStoreError(Errors.E712, label=label, prop=prop, error=exc) from exc
        deadline = time.monotonic() + 300
        while True:
            status = {k: v for k, v in self._unique_constraints().items() if k in wanted}
            failed = [f"{label}.{prop}" for (label, prop), s in status.items() if s == "FAILED"]
            if failed:
                raise GraphStoreError(Errors.E713, constraints=", ".join(failed))
            if all(s == "OPERATIONAL" for s in status.values()):
                return
            if time.monotonic() > deadline:
                raise GraphStoreError(Errors.E714, seconds=300, status=status)
            time.sleep(0.05)

    def _unique_constraints(self) -> dict[tuple[str, str], str]:
        return {
            (r["label"], r["properties"][0]): r["status"]
            for r in self._run(cypher.FALKORDB_LIST_CONSTRAINTS, write=False).rows
            if r["type"] == "UNIQUE" and r["entitytype"] == "NODE" and len(r["properties"]) == 1
        }

    def close(self) -> None:
        try:
            self._db.connection.close()
        finally:
            self.server.stop(hung=self.hung)
