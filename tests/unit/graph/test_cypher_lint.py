"""Neo4j's own Cypher parser judges every statement medkg sends to Neo4j.

Statements are captured through the mocked driver while the Neo4j store bootstraps its schema
(Neo4j 5 and 4.4), writes, replaces, deletes, counts, reads and exports; to them are added
every Cypher constant of ``kg.graph.cypher``, the saved queries of ``ontology/queries.cypher``
and the example queries of README.md. All are linted in one Node process
(``lint_cypher.mjs`` with ``@neo4j-cypher/language-support``, installed by ``.ci/run``).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from pydantic import SecretStr

from kg.config import REPO_ROOT, Settings
from kg.graph import cypher
from kg.graph.neo4j_store import Neo4jStore
from kg.graph.saved import load_saved_queries
from kg.graph.schema import Schema
from kg.models import Concept, Document, Evidence, GraphBatch, MentionLink, Triple

from unit.graph.neo4j_fake import FakeNeo4j

pytestmark = [pytest.mark.node, pytest.mark.slow]

SCRIPT = Path(__file__).with_name("lint_cypher.mjs")
PACKAGE = REPO_ROOT / ".ci" / "node_modules" / "@neo4j-cypher" / "language-support" / "package.json"


def _lint(queries: dict[str, str]) -> dict[str, list[dict]]:
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed: the Cypher linter cannot run")
    if not PACKAGE.exists():
        pytest.skip("@neo4j-cypher/language-support is not installed: run `cd .ci && npm install` (.ci/run does)")
    schema = Schema.load()
    payload = {
        "schema": {"labels": list(schema.labels), "relationshipTypes": list(schema.relationships)},
        "queries": [{"name": k, "query": v} for k, v in queries.items()],
    }
    proc = subprocess.run(["node", str(SCRIPT)], input=json.dumps(payload), capture_output=True, text=True,
                          timeout=180, check=False)
    assert proc.returncode == 0, proc.stderr
    return {r["name"]: r["diagnostics"] for r in json.loads(proc.stdout)}


def _errors(diagnostics: dict[str, list[dict]], queries: dict[str, str]) -> list[str]:
    return [f"{name}: {d['message']}\n    {queries[name][:200]}"
            for name, ds in diagnostics.items() for d in ds if d["severity"] == 1]


def _full_batch(schema: Schema) -> GraphBatch:
    """Every concept type, every predicate and a patient's note, so every formatted statement is sent."""
    types = schema.nodes["Concept"].extra_labels
    concepts = tuple(Concept(id=f"X:{t}", name=t, type=t, synonyms=("s",)) for t in types)
    evidence = tuple(
        Evidence(triple=Triple(subject=concepts[0].id, predicate=p, object=concepts[1].id), doc_id="PMID:1",
                 sentence="s", sentence_start=0, subject_span=(0, 1), object_span=(2, 3), extractor="x",
                 extractor_version="1")
        for p in schema.triple_types)
    return GraphBatch(
        documents=(Document(id="PMID:1", source="pubmed", text="t", metadata={"journal": "J"}),
                   Document(id="NOTE:1", source="note", text="t", metadata={"patient": "PATIENT:1"})),
        concepts=concepts,
        mentions=(MentionLink(doc_id="PMID:1", concept_id=concepts[0].id, count=1, texts=("a",), max_score=0.5,
                              extractor="x", extractor_version="1"),),
        evidence=evidence,
    )


def _curation():
    """A decision of every kind the graph acts on, so every curation statement is sent."""
    from kg.curation import Curation, new_decision

    def d(kind, **fields):
        return new_decision(kind, reason="lint", author="lint", date="2025-01-01", **fields)

    return Curation(None, (
        d("reject", subject="X:Chemical", predicate="INDUCES", object="X:Disease"),
        d("reject", subject="X:Chemical", predicate="BINDS", object="X:Disease", evidence="e1"),
        d("confirm", subject="X:Chemical", predicate="CO_OCCURS_WITH", object="X:Disease"),
        d("same_as", subject="X:Alias", object="X:Chemical"),
    ))


def _sent_by_the_store(monkeypatch, tmp_path) -> dict[str, str]:
    out: dict[str, str] = {}
    for version in ("5.26.0", "4.4.40"):
        fake = FakeNeo4j(version=version).install(monkeypatch)
        fake.answers[cypher.TRIPLES_OF_DOCUMENTS] = lambda p: [
            {"triple_key": f"k{i}", "predicate": pred, "subject": "X:Chemical", "object": "X:Disease"}
            for i, pred in enumerate(Schema.load().triple_types)]
        settings = Settings(data_dir=tmp_path, store="neo4j", neo4j_uri="neo4j://localhost:7687",
                            neo4j_password=SecretStr("x"))
        with Neo4jStore(settings) as store:
            store.ensure_schema()
            store.write(_full_batch(store.schema))
            store.delete_documents(["PMID:1"], keep_nodes=True)
            store.refresh_findings(["pt_1"])
            store.delete_documents(["PMID:1"])
            store.counts()
            store.refresh_statistics()
            from kg.graph.curation import triple_of

            curation = _curation()
            named = [triple_of(curation, d) for d in curation.history if d.decision != "same_as"]
            store.refresh_curation(curation, named + [
                {"triple_key": f"k{i}", "predicate": p, "subject": "X:Chemical", "object": "X:Disease"}
                for i, p in enumerate(store.schema.triple_types)], ["X:Chemical"])
            store.delete_orphan_concepts(["X:Gene"])
            store.query(cypher.DOCUMENT, {"id": "PMID:1"})
            store.query(cypher.EVIDENCE_OF_TRIPLE, {"key": "k"})
            store.query(cypher.CONCEPT_FACTS, {"id": "X:Chemical", "limit": 5})
            store.query(cypher.NEO4J_CONCEPT_SEARCH, {"text": "aspirin", "limit": 5})
            from kg.graph.export import export_kgx, export_neo4j_admin

            export_neo4j_admin(store, tmp_path / f"admin-{version}")
            export_kgx(store, tmp_path / f"kgx-{version}")
        for i, s in enumerate(fake.sent):
            out.setdefault(s.statement, f"sent[{version}:{i}]")
    assert len(out) > 40, "the capture lost statements"
    return {name: stmt for stmt, name in out.items()}


def _module_constants() -> dict[str, str]:
    """Every Cypher string constant in kg.graph.cypher (FalkorDB-only ones excepted: never sent to Neo4j)."""
    return {f"cypher.{k}": v for k, v in vars(cypher).items()
            if k.isupper() and not k.startswith(("_", "FALKORDB_")) and isinstance(v, str)
            and re.match(r"\s*(MATCH|UNWIND|CALL|RETURN|CREATE|MERGE|OPTIONAL|WITH)\b", v)}


def readme_queries(text: str) -> dict[str, str]:
    """`medkg query "..."` examples and ```cypher blocks of README.md."""
    out = {f"README query {i}": q for i, q in enumerate(re.findall(r'medkg query "([^"]+)"', text))}
    out |= {f"README cypher block {i}": q.strip()
            for i, q in enumerate(re.findall(r"```cypher\n(.*?)```", text, re.S))}
    return out


def test_every_statement_neo4j_receives_passes_neo4j_s_linter(monkeypatch, tmp_path):
    queries = _sent_by_the_store(monkeypatch, tmp_path)
    queries |= _module_constants()
    queries |= {f"saved query {q.name}": q.cypher for q in load_saved_queries().values()}
    readme = readme_queries((REPO_ROOT / "README.md").read_text(encoding="utf-8"))
    assert readme, "README.md has no example query to lint"
    queries |= readme
    diagnostics = _lint(queries)
    assert set(diagnostics) == set(queries)
    errors = _errors(diagnostics, queries)
    assert not errors, f"{len(errors)} of {len(queries)} statements rejected:\n" + "\n".join(errors)


def test_the_linter_rejects_what_neo4j_5_rejects():
    bad = {
        "neo4j 4 constraint": "CREATE CONSTRAINT ON (n:Document) ASSERT n.id IS UNIQUE",
        "typo": "MATCH (n:Document) RETRN n",
        "unfinished": "UNWIND $rows AS r MATCH (d:Document {id: r.id})",
    }
    good = {"parameters only": "UNWIND $rows AS r MERGE (d:Document {id: r.id}) SET d = r"}
    diagnostics = _lint(bad | good)
    assert all(any(d["severity"] == 1 for d in diagnostics[name]) for name in bad)
    assert diagnostics["parameters only"] == []  # undefined $rows is dropped by isNotParamError
