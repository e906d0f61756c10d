"""`medkg stats` lists the ledger's last runs: when, how they ended, what they read and counted;
never a note's file name."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from kg import cli
from kg.ledger import Ledger, RunSummary

from clirun import medkg

NOTE_FILE = "jane_doe_MRN4711.txt"  # a note's file name holds its patient's name and MRN


class Graph:
    def counts(self):
        return {"nodes": {"Document": 0}, "relationships": {}}


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """A ledger of 7 runs (ids 1 to 7), the oldest first, and a graph; the console wide enough for a run a line."""

    @contextmanager
    def graph():
        yield Graph()

    monkeypatch.setattr(cli, "_graph", graph)
    monkeypatch.setattr(cli.console, "width", 400)
    notes = tmp_path / "in" / "notes"
    notes.mkdir(parents=True)
    data = tmp_path / "data"
    with Ledger(data / "ledger.sqlite") as ledger:
        for command, inputs, summary in [
            ("ingest pubmed", [f"in/{n}.xml.gz" for n in "abcd"], RunSummary(read=4, written=4)),
            ("ingest pubmed", ["in/base.xml.gz"], RunSummary(read=3, written=2, retracted=1, quarantined=1, seconds=2)),
            ("ingest notes", [str(notes)], RunSummary(read=2, written=2, interrupted=True)),
            ("ingest notes", [str(notes / NOTE_FILE)], None),  # an older medkg recorded a note given alone, then failed
            ("flow ingest-notes", ["in/NOTEEVENTS.csv"], RunSummary(read=4, skipped=4)),
            ("curate", ["in/base.xml.gz"], RunSummary(read=1, written=1, revised=1)),
            ("curate", [str(notes)], RunSummary(read=1, written=1, revised=1)),
        ]:
            run_id = ledger.start_run(command, inputs)
            if summary:
                ledger.finish_run(run_id, summary)
    return data


def runs_listed(out: str) -> dict[int, list[str]]:
    """Run id -> its cells (run, started, finished, status, command, source, input, counts), in the order listed."""
    table = out.split("runs (newest first)")[1]
    rows = [[cell.strip() for cell in line.strip("│").split("│")] for line in table.splitlines() if line.startswith("│")]
    return {int(row[0]): row for row in rows}


def test_stats_lists_the_last_runs_newest_first_with_what_they_read_and_counted(data_dir):
    out = medkg("--data-dir", str(data_dir), "stats")
    runs = runs_listed(out)
    assert list(runs) == [7, 6, 5, 4, 3]  # the last 5
    with Ledger(data_dir / "ledger.sqlite") as ledger:
        recorded = {run["run_id"]: run for run in ledger.runs()}
    notes = str(data_dir.parent / "in" / "notes")
    assert runs[3][1:] == [recorded[3]["started_at"], recorded[3]["finished_at"], "interrupted", "ingest notes",
                           "notes", notes, "read 2, written 2"]
    assert runs[4][1:] == [recorded[4]["started_at"], "", "unfinished", "ingest notes", "notes", "notes", ""]
    assert runs[5][3:] == ["finished", "flow ingest-notes", "notes", "in/NOTEEVENTS.csv", "read 4, skipped 4"]
    assert runs[6][4:] == ["curate", "pubmed", "in/base.xml.gz", "read 1, written 1, revised 1"]
    assert runs[7][4:7] == ["curate", "notes", notes]

    runs = runs_listed(medkg("--data-dir", str(data_dir), "stats", "--runs", "10"))
    assert list(runs) == [7, 6, 5, 4, 3, 2, 1]
    assert runs[2][3:] == ["finished", "ingest pubmed", "pubmed", "in/base.xml.gz",
                           "read 3, written 2, retracted 1, quarantined 1"]
    assert runs[1][6] == "in/a.xml.gz, in/b.xml.gz, in/c.xml.gz (+1 more)"

    out = medkg("--data-dir", str(data_dir), "stats", "--runs", "0")
    assert "runs (newest first)" not in out and "the ledger describes no graph yet" in out


def test_stats_never_shows_a_notes_file_name(data_dir):
    out = medkg("--data-dir", str(data_dir), "stats")
    assert "runs (newest first)" in out and NOTE_FILE not in out
