"""``medkg(...)``: the CLI in-process, as a user types it; the exit code is checked."""

from typer.testing import CliRunner

from kg.cli import app

runner = CliRunner()


def medkg(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output
