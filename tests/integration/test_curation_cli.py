"""`medkg curate` end to end on real citations and the shipped models: every decision kind applied to
the graph at once; a rebuild from scratch with the same curation file, and a rebuild under a new
pipeline fingerprint, give the same curated graph."""

from __future__ import annotations

import pytest

from kg.config import load_settings
from kg.errors import CurationError
from kg.graph.backends import open_store
from kg.link.curated import CuratedLinks

from clirun import medkg
from graph_snapshot import snapshot
from realdata import BASELINE, first_citations_xml

pytestmark = pytest.mark.slow


def query(cypher, **params):
    with open_store(load_settings()) as store:
        return store.query(cypher, params)


def graph():
    with open_store(load_settings()) as store:
        return snapshot(store)


def _edge_key(subject, predicate, object_):
    from kg.models import Triple

    return Triple(subject=subject, predicate=predicate, object=object_).key


def test_curate_then_rebuild(medkg_env, tmp_path, monkeypatch):
    xml = tmp_path / "in.xml"
    xml.write_bytes(first_citations_xml(BASELINE, 40))
    monkeypatch.setenv("MEDKG_CURATION", str(tmp_path / "curation.tsv"))
    monkeypatch.setenv("USER", "tester")
    medkg("ingest", "pubmed", str(xml), "--workers", "1")

    edges = query("MATCH (a:Concept)-[t]->(b:Concept) WHERE t.evidence_count IS NOT NULL "
                  "RETURN a.id AS s, type(t) AS p, b.id AS o ORDER BY t.evidence_count DESC, t.key LIMIT 2")
    assert len(edges) == 2
    (s1, p1, o1), (s2, p2, o2) = ((e["s"], e["p"], e["o"]) for e in edges)
    out = medkg("curate", "reject", s1, p1, o1, "--reason", "not what the papers say")
    assert "rejected" in out
    with pytest.raises(CurationError, match=f"E169: the graph holds no edge {o1} -.{p1}.-> {s1}, but holds"):
        medkg("curate", "confirm", o1, p1, s1, "--reason", "typed the other way round: it would never apply")
    # QA: a curate command with a mistyped MEDKG_CURATION started a new file there, which ended every decision
    monkeypatch.setenv("MEDKG_CURATION", str(tmp_path / "curaton.tsv"))
    with pytest.raises(CurationError, match="^E170: curation file .*curaton.tsv does not exist, but this data dir"):
        medkg("curate", "confirm", s2, p2, o2, "--reason", "checked")
    assert not (tmp_path / "curaton.tsv").exists()
    monkeypatch.setenv("MEDKG_CURATION", str(tmp_path / "curation.tsv"))
    assert query("MATCH ()-[t]->() WHERE t.key = $k RETURN t.curation_status AS s", k=_edge_key(s1, p1, o1)) == [
        {"s": "rejected"}]
    medkg("curate", "confirm", s2, p2.lower(), o2, "--reason", "checked")  # a predicate in any case
    [[evidence]] = [[r["key"]] for r in query(
        "MATCH (e:Evidence {subject: $s, predicate: $p, object: $o}) RETURN e.key AS key ORDER BY key LIMIT 1",
        s=s2, p=p2, o=o2)]
    medkg("curate", "reject", "--evidence", evidence, "--reason", "this sentence does not say it")
    # same_as: the two chemicals mentioned in the most documents become one node
    chems = query("MATCH (d:Document)-[:MENTIONS]->(c:Chemical) RETURN c.id AS id, count(d) AS n "
                  "ORDER BY n DESC, id LIMIT 2")
    alias, kept = chems[1]["id"], chems[0]["id"]
    medkg("curate", "same-as", alias, kept, "--reason", "one substance")
    assert query("MATCH (c:Concept {id: $id}) RETURN c", id=alias) == []
    assert query("MATCH (c:Concept {id: $id}) RETURN c.aliases AS a", id=kept) == [{"a": [alias]}]
    # wrong_link: the most frequent surface form of a disease means nothing
    [link] = query("MATCH (d:Document)-[m:MENTIONS]->(c:Disease) UNWIND m.texts AS t "
                   "RETURN t AS text, c.id AS id, count(d) AS n ORDER BY n DESC, text LIMIT 1")
    out = medkg("curate", "wrong-link", link["text"], link["id"], "NIL", "--reason", "not a disease here")
    assert f"{link['n']} document(s) redone" in out
    listed = medkg("curate", "list")
    assert "5 decision(s) in force" in listed
    curated = graph()

    monkeypatch.setenv("MEDKG_DATA_DIR", str(tmp_path / "rebuilt"))
    medkg("ingest", "pubmed", str(xml), "--workers", "1")
    assert graph() == curated

    monkeypatch.setattr(CuratedLinks, "version", "2")  # a new fingerprint: every document is redone
    out = medkg("ingest", "pubmed", str(xml), "--workers", "1")
    assert "revised" in out and graph() == curated
