"""The `medkg` command end to end on real shared data, with the embedded graph."""

import gzip
import json
import re
import shutil

import pytest

from kg.cli import app
from kg.config import load_settings
from kg.errors import ArgumentError, LedgerError, QueryError
from kg.graph.backends import open_store
from kg.ledger import Ledger

from clirun import medkg, runner
from realdata import BASELINE, UPDATE, first_citations_xml

pytestmark = pytest.mark.slow


def graph_counts():
    with open_store(load_settings()) as store:
        return store.counts(), store.query("MATCH (n) RETURN count(n) AS n")[0]["n"], store.query(
            "MATCH ()-[r]->() RETURN count(r) AS n")[0]["n"]


def summary_of_last_run():
    with Ledger(load_settings().ledger_path) as ledger:
        return json.loads(ledger.runs(1)[0]["summary"])


def test_demo_twice_writes_no_new_nodes_or_edges(medkg_env):
    out = medkg("demo", "--limit", "60", "--no-notes")
    assert "Diseases mentioned by the most documents" in out
    first = summary_of_last_run()
    assert first["read"] == 60 and first["written"] == 60 and first["evidence"] > 0
    counts, nodes, rels = graph_counts()
    assert counts["nodes"]["Document"] == 60 and rels > 0
    medkg("demo", "--limit", "60", "--no-notes")
    second = summary_of_last_run()
    assert second["skipped"] == 60 and second["written"] == 0
    assert graph_counts() == (counts, nodes, rels)


def test_update_file_applies_its_deletions(medkg_env, tmp_path):
    deleted = re.findall(r"<PMID Version=\"1\">(\d+)</PMID>",
                         gzip.open(UPDATE, "rt").read().split("<DeleteCitation>")[1])
    assert len(deleted) == 20
    # First ingest records under the PMIDs the update deletes (real abstracts, renumbered).
    xml = first_citations_xml(BASELINE, 20).decode()
    old = re.findall(r"<PMID Version=\"1\">(\d+)</PMID>", xml)
    for a, b in zip(old, deleted):
        xml = xml.replace(f">{a}</PMID>", f">{b}</PMID>")
    pre = tmp_path / "pre.xml"
    pre.write_text(xml)
    medkg("ingest", "pubmed", str(pre))
    ids = [f"PMID:{p}" for p in deleted]
    with open_store(load_settings()) as store:
        assert store.query("MATCH (d:Document) WHERE d.id IN $ids RETURN count(d) AS n", {"ids": ids})[0]["n"] == 20
    medkg("ingest", "pubmed", str(UPDATE))
    s = summary_of_last_run()
    assert (s["read"], s["deleted"], s["quarantined"]) == (3023, 20, 0)
    assert s["read"] == s["written"] + s["skipped"] + s["quarantined"] + s["deleted"]
    with open_store(load_settings()) as store:
        assert store.query("MATCH (d:Document) WHERE d.id IN $ids RETURN count(d) AS n", {"ids": ids})[0]["n"] == 0
        assert store.query("MATCH (e:Evidence) WHERE e.doc_id IN $ids RETURN count(e) AS n", {"ids": ids})[0]["n"] == 0
    with Ledger(load_settings().ledger_path) as ledger:
        assert {ledger.status(i) for i in ids} == {"deleted"}


def test_bad_files_are_quarantined_and_the_run_continues(medkg_env, tmp_path):
    good = first_citations_xml(BASELINE, 5)
    truncated = tmp_path / "cut.xml.gz"
    truncated.write_bytes(gzip.compress(first_citations_xml(BASELINE, 40))[:-2000])
    malformed = tmp_path / "bad.xml"
    malformed.write_bytes(good.replace(b"</PubmedArticle>", b"</PubmedArticle><<oops", 1))
    no_pmid = tmp_path / "nopmid.xml"
    no_pmid.write_bytes(re.sub(rb"<PMID Version=\"1\">\d+</PMID>", b"", good, count=1))
    out = medkg("ingest", "pubmed", str(truncated), str(malformed), str(no_pmid))
    s = summary_of_last_run()
    assert s["read"] == s["written"] + s["skipped"] + s["quarantined"] + s["deleted"]
    assert s["quarantined"] == 3 and s["written"] > 10
    with Ledger(load_settings().ledger_path) as ledger:
        reasons = {q["file"]: q["reason"] for q in ledger.quarantined()}
    assert "truncated" in reasons[str(truncated)]
    assert "line" in reasons[str(malformed)]
    assert "PMID" in reasons[str(no_pmid)]
    assert "quarantined records" in out


def test_query_is_read_only_unless_asked(medkg_env):
    medkg("demo", "--limit", "5", "--no-notes")
    with pytest.raises(QueryError):
        runner.invoke(app, ["query", "CREATE (n:Concept {id: 'X:1'}) RETURN n"], catch_exceptions=False)
    out = medkg("query", "--saved", "top_diseases", "--format", "json")
    assert json.loads(out)[0]["documents"] >= 1
    assert "chemicals_for_disease" in medkg("query", "--list")


def test_another_graph_or_a_deleted_graph_is_refused_never_left_empty(medkg_env, tmp_path, monkeypatch):
    """QA's reproduction: the data dir's ledger, used with a second graph name or after the embedded
    graph's files were deleted, skipped every document ("written 0, skipped 3") and the graph stayed empty."""
    xml = tmp_path / "three.xml"
    xml.write_bytes(first_citations_xml(BASELINE, 3))
    medkg("ingest", "pubmed", str(xml))
    data = load_settings().data_dir
    monkeypatch.setenv("MEDKG_GRAPH_NAME", "second")
    with pytest.raises(LedgerError, match=r"^E804: .*describes falkordb graph 'medkg', not falkordb graph 'second'"):
        medkg("ingest", "pubmed", str(xml))
    assert "warning E804" in medkg("stats")
    monkeypatch.delenv("MEDKG_GRAPH_NAME")
    shutil.rmtree(data / "falkordb")
    assert "warning E805" in medkg("stats")
    assert not (data / "falkordb").exists()  # stats only reads: it made no empty graph there (QA)
    with pytest.raises(ArgumentError, match="^E011"):  # so a read still refuses the data dir
        medkg("query", "--saved", "top_diseases")
    with pytest.raises(LedgerError, match=r"^E805: falkordb graph 'medkg' holds no documents, but .* lists 3"):
        medkg("ingest", "pubmed", str(xml))
    assert "warning E805" in medkg("stats")
    (data / "ledger.sqlite").rename(tmp_path / "ledger.sqlite.old")  # what the hint says to do
    medkg("ingest", "pubmed", str(xml))
    assert summary_of_last_run()["written"] == 3 and graph_counts()[0]["nodes"]["Document"] == 3
    # one document deleted by hand (or a backup from before it restored): said by stats, and the hint repairs it
    first = json.loads(medkg("query", "--format", "json", "MATCH (d:Document) RETURN d.id AS id ORDER BY id"))[0]["id"]
    with open_store(load_settings()) as store:
        store.delete_documents([first])
    assert "warning E806" in medkg("stats") and "1 are not in the graph" in medkg("stats")
    (data / "ledger.sqlite").rename(tmp_path / "ledger.sqlite.older")
    medkg("ingest", "pubmed", str(xml))
    assert summary_of_last_run()["written"] == 3 and graph_counts()[0]["nodes"]["Document"] == 3
    assert "E806" not in medkg("stats")
