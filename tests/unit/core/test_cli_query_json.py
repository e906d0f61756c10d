"""`medkg query --format json` writes strict JSON, fast."""

import json

from kg import cli


def test_json_rows_are_strict_json_with_nan_and_infinity_as_null(capsys):
    """QA: `RETURN 1.0/0 AS inf, 0.0/0 AS nan` printed Infinity and NaN, which JSON parsers refuse."""
    cli._print_rows([{"inf": float("inf"), "nan": float("nan"), "x": [1.5, float("-inf")], "m": {"y": float("nan")},
                      "s": "médicament"}], "json")
    out = capsys.readouterr().out
    assert json.loads(out, parse_constant=lambda c: (_ for _ in ()).throw(ValueError(c))) == [
        {"inf": None, "nan": None, "x": [1.5, None], "m": {"y": None}, "s": "médicament"}]
