"""`medkg query`: what its -p values are, how its table shows numbers and how many rows, and what it says
when a saved query finds nothing."""

import json
import sys
from contextlib import contextmanager

import pytest
import typer

from kg import cli


def test_the_help_of_p_says_values_are_read_as_json_as_they_are():
    """QA: --help said only "key=value query parameter": `-p n=5` sends the integer 5, not the text "5"."""
    (param,) = (p for p in typer.main.get_command(cli.app).commands["query"].params if p.name == "param")
    assert "VALUE is read as JSON" in param.help and "not JSON is the text as written" in param.help
    # each example of the help is what the parser does
    assert "-p n=5 is the integer 5" in param.help and cli._parse_value("5", "n") == 5
    assert "-p x=0.5 a float" in param.help and cli._parse_value("0.5", "x") == 0.5
    assert "-p ok=true a boolean" in param.help and cli._parse_value("true", "ok") is True
    assert "-p v=null null" in param.help and cli._parse_value("null", "v") is None
    assert "-p ids='[1, 2]' a list" in param.help and cli._parse_value("[1, 2]", "ids") == [1, 2]
    assert """-p m='{"a": 1}' a map""" in param.help and cli._parse_value('{"a": 1}', "m") == {"a": 1}
    assert """-p name='"5"' the text 5""" in param.help and cli._parse_value('"5"', "name") == "5"
    assert "(-p name=asthma)" in param.help and cli._parse_value("asthma", "name") == "asthma"


def test_small_floats_in_a_table_keep_three_significant_digits():
    """QA: 0.00012 was shown as 0.000, as if it were zero."""
    assert [cli._cell(v) for v in (0.00012, -0.0000123456, 1e-300, 0.0009996)] == [
        "0.00012", "-1.23e-05", "1e-300", "0.001"]
    assert [cli._cell(v) for v in (0.0, 0.001, 0.5, 12.34567, float("nan"))] == [
        "0.000", "0.001", "0.500", "12.346", "nan"]


def test_only_the_table_rounds_floats(capsys):
    cli._print_rows([{"score": 0.000123456}])
    assert "0.000123" in capsys.readouterr().out
    cli._print_rows([{"score": 0.000123456}], "json")
    assert json.loads(capsys.readouterr().out) == [{"score": 0.000123456}]


class _Store:
    """A graph that answers every query with ``rows``."""

    def __init__(self, rows: list[dict]) -> None:
        self.rows = rows

    def query(self, cypher, params, write=False):
        return self.rows


def run_query(monkeypatch, capsys, rows: list[dict], *args: str):
    """``medkg query ARGS`` against a graph that answers ``rows``: (exit status, stdout, stderr)."""
    @contextmanager
    def graph(write=False, existing=False):
        yield _Store(rows)

    monkeypatch.setattr(cli, "_graph", graph)
    monkeypatch.setattr(cli, "_require_graph", lambda: None)
    monkeypatch.setattr(sys, "argv", ["medkg", "query", *args])
    with pytest.raises(SystemExit) as exit_:
        cli.main()
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


def test_a_table_shows_at_most_query_table_rows_and_says_how_to_get_the_rest(monkeypatch, capsys):
    """QA: a table of 100,000 rows took 36 s to print; JSON stays complete."""
    monkeypatch.setattr(cli, "QUERY_TABLE_ROWS", 3)
    rows = [{"n": f"row{i}"} for i in range(5)]
    code, out, err = run_query(monkeypatch, capsys, rows, "MATCH (n) RETURN n")
    assert code == 0 and "row2" in out and "row3" not in out
    assert "2 of the 5 rows are not shown" in err and "--format json" in err and "LIMIT" in err
    code, out, err = run_query(monkeypatch, capsys, rows, "MATCH (n) RETURN n", "--format", "json")
    assert code == 0 and json.loads(out) == rows and err == ""
    code, out, err = run_query(monkeypatch, capsys, rows[:3], "MATCH (n) RETURN n")  # all shown: no word
    assert code == 0 and "row2" in out and err == ""


def test_a_saved_query_given_a_name_for_an_id_says_it_takes_an_id(monkeypatch, capsys):
    """QA: `--saved chemicals_for_disease -p disease=asthma` said only "no rows"."""
    code, out, err = run_query(monkeypatch, capsys, [], "--saved", "chemicals_for_disease", "-p", "disease=asthma")
    err = " ".join(err.split())
    assert code == 0 and "no rows" in out
    assert "disease takes a concept id" in err and "MESH:D003924" in err and "not a name like 'asthma'" in err
    assert "toLower(c.name) CONTAINS 'asthma'" in err  # how to find the id
    for args in (("--saved", "chemicals_for_disease", "-p", "disease=MESH:D001249"),  # an id: nothing to say
                 ("--saved", "patient_findings", "-p", "patient=someone"),  # a patient id is no concept id
                 ("MATCH (c:Concept {id: $x}) RETURN c", "-p", "x=asthma")):  # the user's own Cypher
        code, out, err = run_query(monkeypatch, capsys, [], *args)
        assert code == 0 and err == "", args
    code, out, err = run_query(monkeypatch, capsys, [{"id": "MESH:D1"}], "--saved", "concept_by_xref", "-p", "xref=x")
    assert code == 0 and err == ""  # rows: nothing to say
    code, out, err = run_query(monkeypatch, capsys, [], "--saved", "evidence_for_pair", "-p", "a=MESH:D1",
                               "-p", "b=x y")
    assert "b takes a concept id" in err and "a takes" not in err
