"""Neo4jStore against MagicMock(spec=neo4j.Driver): batches, parameters, transaction functions, retries."""

from neo4j.api import BookmarkManager
import pytest
from neo4j.exceptions import AuthError, ConstraintError, ServiceUnavailable, TransientError
from pydantic import SecretStr

from kg.config import Settings
from kg.errors import ConfigError, GraphStoreError, GraphUnavailableError, QueryError
from kg.graph import cypher
from kg.graph.backends import open_store
from kg.graph.neo4j_store import RETRY_DELAYS, Neo4jStore, parse_version
from kg.models import Concept, Document, Evidence, GraphBatch, MentionLink, Triple

from unit.graph.neo4j_fake import FakeNeo4j


def settings(tmp_path, **kw) -> Settings:
    base = dict(data_dir=tmp_path, store="neo4j", neo4j_uri="neo4j://db.example:7687",
                neo4j_password=SecretStr("s3cret"), neo4j_database="medkg", write_batch_size=2)
    return Settings(**{**base, **kw})


@pytest.fixture
def fake(monkeypatch) -> FakeNeo4j:
    return FakeNeo4j().install(monkeypatch)


@pytest.fixture
def store(fake, tmp_path) -> Neo4jStore:
    return Neo4jStore(settings(tmp_path))


def evidence(n: int) -> tuple[Evidence, ...]:
    t = Triple(subject="MESH:D001241", predicate="CO_OCCURS_WITH", object="MESH:D006261")
    return tuple(Evidence(triple=t, doc_id="PMID:1", sentence="Aspirin relieved headache.", sentence_start=0,
                          subject_span=(i, i + 7), object_span=(17, 25), extractor="cooc", extractor_version="1",
                          score=0.5) for i in range(n))


def test_open_store_picks_neo4j_and_passes_uri_auth_and_database(fake, tmp_path):
    s = open_store(settings(tmp_path, neo4j_user="reader"))
    assert isinstance(s, Neo4jStore)
    assert fake.created["uri"] == "neo4j://db.example:7687"
    assert fake.created["auth"] == ("reader", "s3cret")
    assert fake.created["user_agent"].startswith("medkg/")
    fake.driver.verify_connectivity.assert_called_once()
    s.query("RETURN 1 AS one")
    assert fake.sessions[-1]["database"] == "medkg"
    assert isinstance(fake.sessions[-1]["bookmark_manager"], BookmarkManager)
    s.close()
    fake.driver.close.assert_called_once()


@pytest.mark.parametrize("uri", ["neo4j+s://x.databases.neo4j.io", "bolt://localhost:7687", "bolt+ssc://h:7687",
                                 "neo4j+ssc://h"])
def test_tls_and_direct_schemes_are_accepted(fake, tmp_path, uri):
    Neo4jStore(settings(tmp_path, neo4j_uri=uri))
    assert fake.created["uri"] == uri


@pytest.mark.parametrize("uri, message", [(None, "NEO4J_URI is not set"), ("http://localhost:7474", "scheme 'http'"),
                                          ("localhost:7687", "scheme 'localhost'")])
def test_missing_or_wrong_uri_is_a_config_error_before_connecting(fake, tmp_path, uri, message):
    with pytest.raises(ConfigError, match=message):
        Neo4jStore(settings(tmp_path, neo4j_uri=uri))
    assert fake.created == {}


def test_no_password_means_no_auth(fake, tmp_path):
    Neo4jStore(settings(tmp_path, neo4j_password=None))
    assert fake.created["auth"] is None


def test_auth_failure_is_not_retried_and_names_the_user(fake, tmp_path):
    fake.driver.verify_connectivity.side_effect = AuthError("The client is unauthorized")
    with pytest.raises(GraphUnavailableError, match="refused the credentials of user 'neo4j'") as err:
        Neo4jStore(settings(tmp_path))
    assert "NEO4J_PASSWORD" in str(err.value)  # the hint says what to check
    assert fake.sleeps == [] and fake.driver.verify_connectivity.call_count == 1
    fake.driver.close.assert_called_once()


def test_unreachable_server_gives_up_after_bounded_retries(fake, tmp_path):
    fake.driver.verify_connectivity.side_effect = ServiceUnavailable("Couldn't connect to db.example:7687")
    with pytest.raises(GraphUnavailableError, match="failed connect 4 times") as err:
        Neo4jStore(settings(tmp_path))
    assert "NEO4J_URI" in err.value.hint and "falkordb" not in err.value.hint  # the hint is about Neo4j
    assert fake.sleeps == list(RETRY_DELAYS)
    fake.driver.close.assert_called_once()


def test_server_that_comes_up_during_retries_connects(fake, tmp_path):
    fake.driver.verify_connectivity.side_effect = [ServiceUnavailable("starting"), None]
    Neo4jStore(settings(tmp_path))
    assert fake.sleeps == [RETRY_DELAYS[0]]


def test_writes_are_unwind_batches_in_write_transactions(fake, store):
    stats = store.write(GraphBatch(evidence=evidence(5)))
    upserts = [s for s in fake.sent if s.statement == cypher.UPSERT_EVIDENCE]
    assert [len(s.params["rows"]) for s in upserts] == [2, 2, 1]  # write_batch_size=2
    assert all(s.mode == "write" for s in upserts)
    assert [r["subject_start"] for s in upserts for r in s.params["rows"]] == [0, 1, 2, 3, 4]
    assert all(set(s.params) == {"rows"} for s in upserts)
    # every chunk is its own transaction: one statement per committed transaction
    assert all(len(tx) == 1 for tx in fake.committed)
    triple = [s for s in fake.sent if s.statement == cypher.upsert_triples(store.schema, "CO_OCCURS_WITH")]
    assert len(triple) == 1 and triple[0].params["rows"][0]["subject"] == "MESH:D001241"
    assert stats.evidence_written == 5 and stats.nodes_created == 5 + 1  # fake counts rows as created nodes


def test_reads_use_read_transactions_and_write_clauses_are_refused_unsent(fake, store):
    store.counts()
    assert fake.sent and all(s.mode == "read" for s in fake.sent)
    n = len(fake.sent)
    with pytest.raises(QueryError, match="a read may not write"):
        store.query("MATCH (n) DETACH DELETE n")
    assert len(fake.sent) == n
    store.query("MATCH (n) DETACH DELETE n", write=True)
    assert fake.sent[-1].mode == "write"


def test_query_returns_plain_rows(fake, store):
    fake.answers["RETURN $x AS x"] = lambda p: [{"x": p["x"]}]
    assert store.query("RETURN $x AS x", {"x": [1, "a"]}) == [{"x": [1, "a"]}]


def test_transient_error_retries_the_same_batch_with_backoff(fake, store):
    fake.failures = [TransientError("LockClient can't wait on resource"), None, ServiceUnavailable("leader moved")]
    link = MentionLink(doc_id="PMID:1", concept_id="MESH:D1", count=1, texts=("x",), max_score=1.0, extractor="t",
                       extractor_version="1")
    store.write(GraphBatch(documents=(Document(id="PMID:1", source="pubmed", text="x"),), mentions=(link,)))
    upserts = [s for s in fake.sent if s.statement == cypher.UPSERT_DOCUMENTS]
    assert len(upserts) == 1 and upserts[0].params["rows"][0]["id"] == "PMID:1"
    assert fake.sleeps == [RETRY_DELAYS[0], RETRY_DELAYS[0]]
    assert len(fake.rolled_back) == 2


def test_persistent_transient_error_ends_with_graph_unavailable(fake, store):
    fake.failures = [TransientError("database unavailable")] * (len(RETRY_DELAYS) + 1)
    with pytest.raises(GraphUnavailableError, match="failed write 4 times"):
        store.query("CREATE (:Document {id: 'PMID:1'})", write=True)
    assert fake.sleeps == list(RETRY_DELAYS) and fake.sent == []


def test_failing_batch_rolls_back_and_stops_the_write(fake, store):
    concepts = tuple(Concept(id=f"MESH:C{i}", name=f"c{i}", type="Chemical") for i in range(5))
    stmt = cypher.upsert_concepts(store.schema, "Chemical")
    calls = {"n": 0}

    def second_batch_fails(params):
        calls["n"] += 1
        if calls["n"] == 2:
            raise ConstraintError("Node(12) already exists with label `Concept` and property `id`")
        return []

    fake.answers[stmt] = second_batch_fails
    with pytest.raises(QueryError, match="already exists") as err:
        store.write(GraphBatch(concepts=concepts))
    assert "query: UNWIND $rows" in str(err.value)
    assert fake.sleeps == []  # a constraint violation is not weather: no retry
    assert [s.params["rows"][0]["id"] for tx in fake.rolled_back for s in tx] == ["MESH:C2"]
    assert [s.params["rows"][0]["id"] for tx in fake.committed for s in tx if s.statement == stmt] == ["MESH:C0"]
    assert len([s for s in fake.sent if s.statement == stmt]) == 2  # the third batch was never sent


@pytest.mark.parametrize("version, range_index", [("5.26.1", "CREATE RANGE INDEX concept_name"),
                                                  ("2025.06.0", "CREATE RANGE INDEX concept_name"),
                                                  ("4.4.40", "CREATE INDEX concept_name")])
def test_schema_ddl_is_version_aware(monkeypatch, tmp_path, version, range_index):
    fake = FakeNeo4j(version=version).install(monkeypatch)
    store = Neo4jStore(settings(tmp_path))
    store.ensure_schema()
    ddl = fake.statements("write")
    assert fake.statements("read") == [cypher.NEO4J_COMPONENTS]
    assert all("IF NOT EXISTS" in s for s in ddl)
    assert not any(" ASSERT " in s for s in ddl)
    assert any(s.startswith(range_index) for s in ddl)
    uniques = [s for s in ddl if "IS UNIQUE" in s]
    assert len(uniques) == len(store.schema.nodes)
    assert "CREATE CONSTRAINT evidence_key_unique IF NOT EXISTS FOR (n:Evidence) REQUIRE n.key IS UNIQUE" in ddl
    assert any(s.startswith("CREATE FULLTEXT INDEX concept_search") for s in ddl)
    store.ensure_schema()
    assert fake.statements("read") == [cypher.NEO4J_COMPONENTS]  # the version is read once


def test_too_old_server_is_refused(monkeypatch, tmp_path):
    FakeNeo4j(version="4.3.0").install(monkeypatch)
    with pytest.raises(GraphStoreError, match="4.3.0 is too old"):
        Neo4jStore(settings(tmp_path)).ensure_schema()


@pytest.mark.parametrize("versions, expected", [(["5.26.1"], (5, 26)), (["2025.01.0"], (2025, 1)),
                                                (["5.x-aura"], (5, 0)), (["4.4.0-drop01"], (4, 4))])
def test_parse_version(versions, expected):
    assert parse_version(versions) == expected


def test_delete_runs_in_write_transactions_and_recomputes_triples(fake, store):
    fake.answers[cypher.COUNT_DOCUMENTS] = lambda p: [{"n": len(p["ids"])}]
    fake.answers[cypher.TRIPLES_OF_DOCUMENTS] = lambda p: [
        {"triple_key": "k1", "predicate": "INDUCES", "subject": "MESH:A", "object": "MESH:B"}]
    assert store.delete_documents(["PMID:1", "PMID:2", "PMID:1"]).found == 2
    sent = fake.statements("write")
    assert cypher.refresh_triples(store.schema, "INDUCES") in sent
    assert cypher.delete_unsupported_triples(store.schema, "INDUCES") in sent
    assert sent[-1] == cypher.DELETE_DOCUMENTS
    assert fake.sent[-1].params == {"ids": ["PMID:1", "PMID:2"]}


def _client_error(code: str, message: str):
    from neo4j.exceptions import Neo4jError

    return Neo4jError._hydrate_neo4j(code=code, message=message)


def test_a_reader_is_refused_the_schema_and_writes_with_a_hint_about_privileges_not_about_query(monkeypatch,
                                                                                             tmp_path):
    fake = FakeNeo4j(reader=True).install(monkeypatch)
    store = Neo4jStore(settings(tmp_path, neo4j_user="reader"))
    assert store.query("MATCH (d:Document) RETURN d.id AS id") == []  # reading is allowed
    for refused in (store.ensure_schema, lambda: store.query("CREATE (:Document {id: 'PMID:1'})", write=True)):
        with pytest.raises(QueryError) as err:
            refused()
        assert err.value.code == "E755" and "Neo.ClientError.Security.Forbidden" in err.value.message
        assert err.value.hint.startswith("Neo4j user 'reader' may not write to Neo4j database 'medkg'")
        assert "medkg query" not in err.value.hint and "--write" not in err.value.hint
    assert [s.statement.split()[0] for s in fake.refused] == ["CREATE", "CREATE"]
    assert fake.sleeps == []  # a missing privilege is not weather: no retry


@pytest.mark.parametrize("code, says, query", [
    ("Neo.ClientError.Statement.AccessMode", "`medkg query` runs Cypher read-only unless you pass --write", True),
    ("Neo.ClientError.Security.Forbidden", "Neo4j user 'neo4j' may not read Neo4j database 'medkg'", False),
    ("Neo.ClientError.Statement.SyntaxError", "Check the statement against Neo4j's error above.", False),
    # a mistyped NEO4J_DATABASE (QA: "the statement" was blamed)
    ("Neo.ClientError.Database.DatabaseNotFound", "Neo4j at neo4j://db.example:7687 has no database 'medkg': set "
                                                  "NEO4J_DATABASE to one it holds", False),
])
def test_the_hint_of_a_rejected_read_follows_neo4j_s_code(fake, store, code, says, query):
    fake.failures = [_client_error(code, "refused")]
    with pytest.raises(QueryError) as err:
        store.counts()
    assert err.value.code == "E755" and says in err.value.hint and ("medkg query" in err.value.hint) == query
