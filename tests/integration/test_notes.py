"""Clinical notes end to end: assertion on the graph, and nothing identifying written to it."""

import json

import pytest

from kg.config import SHARED_DATA, load_settings
from kg.errors import LedgerError
from kg.graph.backends import open_store
from kg.graph.saved import load_saved_queries

from clirun import medkg

pytestmark = pytest.mark.slow
FIXTURE = __import__("pathlib").Path(__file__).parents[1] / "fixtures" / "notes" / "noteevents.csv"
ACI_VALID = SHARED_DATA / "notes" / "aci-bench" / "valid.csv"


@pytest.fixture
def notes_env(medkg_env, monkeypatch):
    monkeypatch.setenv("MEDKG_PSEUDONYM_KEY", "test-key-0123456789abcdef")
    return medkg_env


def all_properties() -> list[str]:
    """Every property value of every node and relationship, as strings."""
    out = []
    with open_store(load_settings()) as store:
        for q in ("MATCH (n) RETURN properties(n) AS p", "MATCH ()-[r]->() RETURN properties(r) AS p"):
            for row in store.query(q):
                for k, v in row["p"].items():
                    out.append(f"{k}={json.dumps(v)}")
    return out


# Properties allowed to hold a (shifted) year: note and evidence years, finding and edge first/last seen.
BARE_YEAR_KEYS = ("year", "first_year", "last_year", "first_seen", "last_seen")


def test_no_identifier_reaches_the_graph(notes_env):
    medkg("ingest", "notes", str(FIXTURE))
    props = all_properties()
    assert any(p.startswith("patient=") for p in props)  # the graph did get the notes
    identifiers = ["John", "Smith", "Albert", "00776655", "90210431", "188123457", "174301", "174302",
                   "2151-07-16", "2151-7-16", "07-16", "07-18", "03/14/1962", "1962", "617", "555-0134",
                   "john.smith@example.org", "[**"]
    leaks = [(i, p) for i in identifiers for p in props if i.lower() in p.lower()]
    assert leaks == []
    # The one date part kept is the bare year (HIPAA Safe Harbor allows it): no month, no day.
    dated = [p for p in props if "2151" in p]
    assert dated and all(p.split("=")[0] in BARE_YEAR_KEYS and p.endswith("=2151") for p in dated)


def test_aci_bench_notes_carry_negated_findings(notes_env):
    if not ACI_VALID.exists():
        pytest.skip(f"{ACI_VALID} not found")
    medkg("ingest", "notes", str(ACI_VALID))
    with open_store(load_settings()) as store:
        negated = store.query(
            "MATCH (n:Note)-[m:MENTIONS]->(c:Concept) WHERE m.assertion = 'negated' "
            "RETURN c.id AS id, c.name AS name, count(n) AS notes ORDER BY notes DESC, id LIMIT 5")
        assert negated, "expected ROS-style denials ('denies fever') to be negated"
        q = load_saved_queries()["assertion_counts"]
        rows = store.query(q.cypher, {"concept": negated[0]["id"]})
        assert rows[0]["source"] == "note" and rows[0]["negated"] >= 1 and rows[0]["negated_in"]
        findings = store.query("MATCH (p:Patient)-[f:HAS_FINDING]->(c) RETURN f.status AS s, count(*) AS n")
        assert {"affirmed", "negated"} <= {r["s"] for r in findings}
        patients = store.query("MATCH (p:Patient)-[:HAS_NOTE]->(n:Note) RETURN count(DISTINCT p) AS p, count(n) AS n")
        assert patients == [{"p": 20, "n": 20}]
    # Re-ingesting changes nothing: same counts and findings.
    before = all_properties()
    medkg("ingest", "notes", str(ACI_VALID))
    assert sorted(all_properties()) == sorted(before)


def test_a_note_later_flagged_written_in_error_leaves_the_graph_and_its_patients_findings(notes_env, tmp_path,
                                                                                           monkeypatch):
    header = '"ROW_ID","SUBJECT_ID","HADM_ID","CHARTDATE","CATEGORY","ISERROR","TEXT"\n'
    first = tmp_path / "first.csv"
    first.write_text(header + '101,555,,2151-01-02,"Physician",,"Patient has diabetes mellitus."\n'
                     '102,555,,2151-01-03,"Physician",,"Hypertension was treated."\n')
    later = tmp_path / "later.csv"
    later.write_text(header + '101,555,,2151-01-02,"Physician",1,"Patient has diabetes mellitus."\n')

    def findings() -> set[str]:
        with open_store(load_settings()) as store:
            rows = store.query("MATCH (:Patient)-[:HAS_FINDING]->(c:Concept) RETURN c.name AS name")
            return {r["name"] for r in rows} - {"Humans"}

    medkg("ingest", "notes", str(first))
    assert {"Diabetes Mellitus", "Hypertension"} <= findings()
    out = medkg("ingest", "notes", str(later))
    assert "Diabetes Mellitus" not in findings() and "Hypertension" in findings()
    with open_store(load_settings()) as store:
        assert store.query("MATCH (n:Note) RETURN count(n) AS n") == [{"n": 1}]
    assert "deleted" in out.lower()
    # another key would write every patient and note again under new pseudonyms: refused
    monkeypatch.setenv("MEDKG_PSEUDONYM_KEY", "another-key-0123456789abcdef")
    with pytest.raises(LedgerError, match="E803"):
        medkg("ingest", "notes", str(first))


TYPED_EDGES = "MATCH (:Concept)-[r]->(:Concept) WHERE type(r) <> 'CO_OCCURS_WITH' RETURN type(r) AS t, count(*) AS n"


def test_notes_give_no_typed_relations_unless_asked(notes_env, tmp_path, monkeypatch):
    """The relation heads learnt from abstracts: a note gets its mentions and co-mentions, and typed
    edges only with MEDKG_NOTE_RELATIONS (the same note as an abstract states CID plainly)."""
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "n1.txt").write_text("HPI: Metformin-induced seizures were seen after the dose was doubled.\n"
                                   "Plan: stop metformin.\n", encoding="utf-8")
    medkg("ingest", "notes", str(folder))
    with open_store(load_settings()) as store:
        assert store.query(TYPED_EDGES) == []
        assert store.query("MATCH (:Concept)-[r:CO_OCCURS_WITH]->(:Concept) RETURN count(r) AS n")[0]["n"] >= 1
        assert store.query("MATCH (:Note)-[m:MENTIONS]->(:Concept) RETURN count(m) AS n")[0]["n"] >= 2

    monkeypatch.setenv("MEDKG_DATA_DIR", str(tmp_path / "with-relations"))
    monkeypatch.setenv("MEDKG_NOTE_RELATIONS", "true")
    medkg("ingest", "notes", str(folder))
    with open_store(load_settings()) as store:
        assert {r["t"] for r in store.query(TYPED_EDGES)} >= {"INDUCES"}


def test_a_damaged_notes_csv_loses_no_good_note_and_a_broken_new_version_keeps_the_old_one(notes_env, tmp_path):
    """QA: after one stray quote in a CSV re-saved by pandas (HADM_ID "101.0"), 10 good notes went into
    that row's quarantine; a row with an extra column did not say the note written before stays."""
    from kg.ledger import Ledger

    header = "ROW_ID,SUBJECT_ID,HADM_ID,CHARTDATE,CATEGORY,ISERROR,TEXT\n"
    rows = [f'{n},{10 + n},{100 + n}.0,2150-01-01,Nursing,,"Note {n}: patient has asthma."\n' for n in range(1, 7)]
    first = tmp_path / "first.csv"
    first.write_text(header + "".join(rows))
    medkg("ingest", "notes", str(first))
    rows[1] = '2,12,102.0,2150-01-02,Nursing,,"He said "ok" then left; asthma."\n'
    rows[3] = '4,14,104.0,2150-01-01,Nursing,,"Note 4: asthma and gout.",extra\n'
    rows[4] = '5,15,105.0,2150-01-01,Nursing,,"Note 5: patient has gout."\n'
    later = tmp_path / "later.csv"
    later.write_text(header + "".join(rows))
    medkg("ingest", "notes", str(later))
    with Ledger(load_settings().ledger_path) as ledger:
        (run,) = ledger.runs(1)
        reasons = {q["record"]: q["reason"] for q in ledger.quarantined(run["run_id"])}
    summary = json.loads(run["summary"])
    assert (summary["read"], summary["quarantined"]) == (6, 2)
    assert summary["read"] == summary["written"] + summary["skipped"] + summary["quarantined"] + summary["deleted"]
    assert reasons == {
        "row 2": "E323: malformed CSV at line 3: ',' expected after '\"'; the version written before stays in the graph",
        "row 4": "E329: 8 columns at line 5, the header has 7; the version written before stays in the graph",
    }
    with open_store(load_settings()) as store:
        assert store.query("MATCH (n:Note) RETURN count(n) AS n") == [{"n": 6}]
        assert store.query("MATCH (p:Patient) RETURN count(p) AS n") == [{"n": 6}]


def test_files_of_a_notes_folder_that_are_not_read_are_said_on_the_terminal_without_their_names(notes_env, tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "Smith_John_MRN00776655.txt").write_text("Asthma, on albuterol.\n")
    (folder / "Smith_John_MRN00776655.rtf").write_text("{\\rtf1 Asthma.}")
    (folder / "Doe_Jane.docx").write_bytes(b"PK\x03\x04")
    out = medkg("ingest", "notes", str(folder))
    assert f"warning: 2 files in {folder}/ are not .txt notes and were not read (.docx, .rtf)" in out
    assert "Smith" not in out and "Doe" not in out
