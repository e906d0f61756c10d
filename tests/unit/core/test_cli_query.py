"""`medkg query`: what its -p values are, and how its table shows numbers."""

import json

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
