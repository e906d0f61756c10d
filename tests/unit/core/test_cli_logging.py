"""What medkg logs on stderr: its own warnings always, coded as its other warnings; its progress with -v;
third-party chatter never below WARNING, and never a secret."""

from __future__ import annotations

import logging
import sys

import httpx
import pytest
from typer.testing import CliRunner

from kg import cli

SECRET = "0123456789abcdef-secret-key"
HISTORY = b'{"esearchresult":{"count":"%d","retmax":"0","retstart":"0","querykey":"1","webenv":"MCID_1"}}'


@pytest.fixture
def ncbi(monkeypatch, tmp_path):
    """E-utilities answered in process: ``answer["count"]`` hits on esearch, the requests' URLs kept."""
    real = httpx.Client
    seen: list[str] = []
    answer = {"count": 0}

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, content=HISTORY % answer["count"])

    monkeypatch.setattr(httpx, "Client", lambda **kwargs: real(transport=httpx.MockTransport(respond)))
    monkeypatch.setattr(cli, "_run_ingest", lambda items, **kwargs: None)  # the search alone, no models
    monkeypatch.setenv("NCBI_API_KEY", SECRET)
    monkeypatch.setenv("MEDKG_DATA_DIR", str(tmp_path / "data"))
    answer["seen"] = seen
    return answer


def _stderr(*args: str) -> str:
    result = CliRunner().invoke(cli.app, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stderr


def test_verbose_never_logs_the_ncbi_api_key(ncbi):
    err = _stderr("-v", "ingest", "pubmed", "--query", "aspirin")
    assert ncbi["seen"] and all(f"api_key={SECRET}" in url for url in ncbi["seen"])  # it was sent
    assert SECRET not in err
    assert "HTTP Request" not in err  # httpx's INFO lines stay off even with -v
    assert "INFO kg.sources.eutils: esearch 'aspirin'" in err  # medkg's own INFO is what -v adds


def test_a_secret_in_any_log_record_is_masked():
    record = logging.LogRecord("urllib3", logging.WARNING, __file__, 1, "GET /x?db=a&api_key=%s&b=1", (SECRET,), None)
    text = cli._LogFormatter("%(levelname)s %(name)s: %(message)s").format(record)
    assert SECRET not in text and "api_key=***&b=1" in text


def test_medkg_warnings_show_without_verbose_as_coded_warnings(ncbi):
    ncbi["count"] = 25_000
    err = _stderr("ingest", "pubmed", "--query", "cancer", "--max", "20000")
    assert err.startswith("warning E246: 'cancer' matches 25000 PubMed records but E-utilities return at most the "
                          "first 10000"), err
    assert "INFO" not in err and "HTTP Request" not in err


def test_a_quiet_run_prints_nothing_on_stderr(ncbi):
    ncbi["count"] = 3
    assert _stderr("ingest", "pubmed", "--query", "aspirin") == ""


def test_logging_is_undone_when_the_command_ends(ncbi):
    root = logging.getLogger()
    handlers, levels = list(root.handlers), (root.level, logging.getLogger("kg").level)
    _stderr("-v", "ingest", "pubmed", "--query", "aspirin")
    assert root.handlers == handlers and (root.level, logging.getLogger("kg").level) == levels


def test_a_handler_a_command_puts_on_the_root_goes_with_it(ncbi, monkeypatch):
    """`medkg serve` imports Prefect, whose logging setup puts its console handler on the root, bound to the
    stderr of that moment: every command after it in the process printed each medkg warning twice (a logging
    error first when that stderr was a closed capture)."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    monkeypatch.setattr(cli, "_run_ingest", lambda items, **kwargs: root.addHandler(logging.StreamHandler(sys.stderr)))
    ncbi["count"] = 3
    _stderr("ingest", "pubmed", "--query", "aspirin")
    assert root.handlers == handlers
    ncbi["count"] = 25_000
    err = _stderr("ingest", "pubmed", "--query", "cancer", "--max", "20000")
    assert err.startswith("warning E246: 'cancer' matches 25000") and err.count("E246") == 1, err
