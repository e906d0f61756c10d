"""A Neo4j user with read privileges only (the reader role) can run every command that only reads:
`medkg query` (without --write), `medkg stats` and `medkg export`. They send no DDL; a command that
writes is refused with a hint about the user's privileges, never about `medkg query --write`."""

from __future__ import annotations

import sys

import pytest

from kg import cli
from kg.graph import cypher
from kg.graph.schema import Schema

from unit.graph.neo4j_fake import FakeNeo4j

PUBMED_DOC = {"key": "PMID:1", "labels": ["Document"], "props": {"id": "PMID:1", "source": "pubmed", "title": "T",
                                                                  "year": 2020}}


@pytest.fixture
def reader(monkeypatch, tmp_path) -> FakeNeo4j:
    """medkg configured for a Neo4j database whose user has the reader role only; the graph holds one paper."""
    for name, value in {"MEDKG_STORE": "neo4j", "NEO4J_URI": "neo4j://db.example:7687", "NEO4J_USER": "reader",
                        "NEO4J_PASSWORD": "s3cret", "NEO4J_DATABASE": "medkg"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("MEDKG_CONFIG", raising=False)
    monkeypatch.setattr(cli.console, "width", 200)
    fake = FakeNeo4j(reader=True).install(monkeypatch)
    fake.answers[cypher.export_nodes(Schema.load(), "Document")] = lambda p: [PUBMED_DOC] if p["after"] == "" else []
    fake.answers["MATCH (d:Document) RETURN d.id AS id"] = lambda p: [{"id": "PMID:1"}]
    return fake


def run(monkeypatch, capsys, tmp_path, *args: str, code: int = 0) -> tuple[str, str]:
    monkeypatch.setattr(sys, "argv", ["medkg", "--data-dir", str(tmp_path / "data"), *args])
    try:
        cli.main()
        exit_code = 0
    except SystemExit as exc:
        exit_code = exc.code or 0
    out = capsys.readouterr()
    assert exit_code == code, out.err
    assert "Traceback" not in out.err
    return out.out, out.err


@pytest.mark.parametrize("args", [["query", "MATCH (d:Document) RETURN d.id AS id"], ["stats"],
                                  ["export", "kgx", "OUT"], ["export", "neo4j-admin", "OUT"]])
def test_a_command_that_reads_runs_for_a_read_only_user_and_sends_no_ddl(monkeypatch, capsys, tmp_path, reader,
                                                                         args):
    args = [str(tmp_path / "out") if a == "OUT" else a for a in args]
    out, _ = run(monkeypatch, capsys, tmp_path, *args)
    assert reader.refused == []
    assert reader.sent and all(s.mode == "read" for s in reader.sent)
    assert not any(s.statement.lstrip().upper().startswith(("CREATE", "DROP")) for s in reader.sent)
    if args[0] == "query":
        assert "PMID:1" in out
    elif args[0] == "stats":
        assert "Document" in out
    else:
        assert (tmp_path / "out" / ("nodes.tsv" if args[1] == "kgx" else "IMPORT.md")).exists()


def test_a_command_that_writes_makes_the_schema_first_and_a_reader_is_told_about_privileges(monkeypatch, capsys,
                                                                                           tmp_path, reader):
    _, err = run(monkeypatch, capsys, tmp_path, "query", "--write", "MATCH (d:Document) SET d.seen = true", code=2)
    assert reader.refused and reader.refused[0].statement.startswith("CREATE CONSTRAINT")  # the schema first
    assert err.startswith("error E755: Neo4j rejected the write: ")
    assert "Neo.ClientError.Security.Forbidden" in err
    hint = err.split("\n  -> ", 1)[1]
    assert "'reader' may not write to Neo4j database 'medkg'" in hint and "--write" not in hint


def test_the_embedded_graph_gets_its_schema_from_a_command_that_writes_only(monkeypatch, capsys, tmp_path):
    from kg.graph.falkordb_store import FalkorDBStore

    for name in ("MEDKG_STORE", "MEDKG_CONFIG", "MEDKG_GRAPH_NAME"):
        monkeypatch.delenv(name, raising=False)
    made = []
    ensure_schema = FalkorDBStore.ensure_schema
    monkeypatch.setattr(FalkorDBStore, "ensure_schema", lambda self: made.append(1) or ensure_schema(self))
    run(monkeypatch, capsys, tmp_path, "query", "--write", "CREATE (:Document {id: 'PMID:1', source: 'pubmed'})")
    assert made == [1]
    out, _ = run(monkeypatch, capsys, tmp_path, "query", "MATCH (d:Document) RETURN d.id AS id")
    assert "PMID:1" in out
    run(monkeypatch, capsys, tmp_path, "stats")
    run(monkeypatch, capsys, tmp_path, "export", "kgx", str(tmp_path / "out"))
    assert made == [1] and (tmp_path / "out" / "nodes.tsv").exists()
