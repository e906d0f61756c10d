"""E-utilities client against a local HTTP server replaying recorded NCBI responses."""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from kg.config import Settings, load_settings
from kg.errors import ConfigError, EutilsError
from kg.models import Document, Quarantine
from kg.sources.eutils import EutilsClient

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "eutils"
QUERY = "29768149[pmid] OR 399296[pmid] OR 399298[pmid]"
PMIDS = ("29768149", "399296", "399298")  # QUERY's hits, in the history server's order

Response = tuple[int, dict[str, str], bytes]


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _recorded(endpoint: str, params: dict[str, str]) -> Response:
    """NCBI's answers for QUERY, in two efetch pages of 2 and 1 records, and the PMIDs of any page."""
    if endpoint == "esearch.fcgi":
        return 200, {"Content-Type": "application/json"}, _fixture("esearch.json")
    if endpoint == "efetch.fcgi" and params.get("rettype") == "uilist":
        start = int(params["retstart"])
        return 200, {"Content-Type": "text/plain"}, "".join(
            f"{pmid}\n" for pmid in PMIDS[start:start + int(params["retmax"])]).encode()
    page = {"0": "efetch_retstart0.xml", "2": "efetch_retstart2.xml"}.get(params.get("retstart", ""))
    if endpoint == "efetch.fcgi" and page:
        return 200, {"Content-Type": "text/xml"}, _fixture(page)
    return 400, {}, b'{"error":"unexpected request"}'


@dataclass
class Eutils:
    """A fake eutils.ncbi.nlm.nih.gov: records every request and answers with ``respond``."""

    base_url: str
    respond: Callable[[str, dict[str, str]], Response] = _recorded
    requests: list[tuple[float, str, dict[str, str]]] = field(default_factory=list)

    def calls(self, endpoint: str) -> list[dict[str, str]]:
        return [p for _, e, p in self.requests if e == endpoint]

    def gaps(self) -> list[float]:
        times = [t for t, _, _ in self.requests]
        return [b - a for a, b in zip(times, times[1:])]


@pytest.fixture
def eutils() -> Iterator[Eutils]:
    state = Eutils(base_url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            url = urlsplit(self.path)
            endpoint = url.path.rsplit("/", 1)[-1]
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            state.requests.append((time.monotonic(), endpoint, params))
            status, headers, body = state.respond(endpoint, params)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.base_url = f"http://127.0.0.1:{server.server_address[1]}/entrez/eutils/"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


def test_search_returns_count_and_history_keys(eutils: Eutils) -> None:
    with EutilsClient(base_url=eutils.base_url, email="dev@example.org") as client:
        count, webenv, query_key = client.search(QUERY, max_records=100)
    assert (count, webenv, query_key) == (3, "MCID_6741c2a9f1e5b07a1c0d4e3b", "1")
    (params,) = eutils.calls("esearch.fcgi")
    assert params["term"] == QUERY
    assert params["db"] == "pubmed" and params["usehistory"] == "y" and params["retmode"] == "json"
    assert params["tool"] == "medkg" and params["email"] == "dev@example.org"
    assert "api_key" not in params


def test_search_caps_count_at_max_records(eutils: Eutils) -> None:
    with EutilsClient(base_url=eutils.base_url) as client:
        assert client.search(QUERY, max_records=2)[0] == 2


def test_fetch_batches_with_retstart_and_parses_records(eutils: Eutils) -> None:
    with EutilsClient(base_url=eutils.base_url, api_key="k" * 36) as client:
        records = list(client.fetch(QUERY, max_records=3, batch_size=2))
    assert [r.id for r in records] == ["PMID:29768149", "PMID:399296", "PMID:399298"]
    assert all(isinstance(r, Document) and r.source == "pubmed" for r in records)
    first = records[0]
    assert isinstance(first, Document) and first.metadata["journal_abbrev"] == "N Engl J Med"
    efetches = eutils.calls("efetch.fcgi")
    assert [(p["retstart"], p["retmax"]) for p in efetches] == [("0", "2"), ("2", "1")]
    assert {(p["WebEnv"], p["query_key"]) for p in efetches} == {("MCID_6741c2a9f1e5b07a1c0d4e3b", "1")}


def test_api_key_is_sent_on_every_request_and_raises_the_rate(eutils: Eutils) -> None:
    with EutilsClient(base_url=eutils.base_url, api_key="secret-key-123") as client:
        list(client.fetch(QUERY, max_records=3, batch_size=2))
        assert client.min_interval == pytest.approx(0.1)
    assert len(eutils.requests) == 3
    assert all(p["api_key"] == "secret-key-123" for _, _, p in eutils.requests)


def test_from_settings_reads_the_api_key() -> None:
    client = EutilsClient.from_settings(Settings(ncbi_api_key="abc123", ncbi_email="a@b.org"))
    assert client.api_key == "abc123" and client.email == "a@b.org"
    assert client.min_interval == pytest.approx(0.1)
    assert EutilsClient.from_settings(Settings()).min_interval == pytest.approx(1 / 3)
    client.close()


def test_requests_are_spaced_by_the_rate_limit(eutils: Eutils) -> None:
    with EutilsClient(base_url=eutils.base_url) as client:  # no key: 3 requests/s
        for _ in range(4):
            client.search(QUERY, max_records=3)
    gaps = eutils.gaps()
    assert len(gaps) == 3
    # server-side arrival times jitter a little around the client's send times
    assert min(gaps) >= (1 / 3) * 0.9, gaps


def test_retry_on_429_honours_retry_after_then_succeeds(eutils: Eutils) -> None:
    headers = {"Retry-After": "1", "Content-Type": "application/json"}
    limited = (429, headers, _fixture("rate_limited.json"))
    answers = iter([limited])
    eutils.respond = lambda endpoint, params: next(answers, None) or _recorded(endpoint, params)
    with EutilsClient(base_url=eutils.base_url, api_key="k", backoff=0.01) as client:
        assert client.search(QUERY, max_records=3)[0] == 3
    assert len(eutils.calls("esearch.fcgi")) == 2
    assert eutils.gaps()[0] >= 0.9, "Retry-After: 1 was not honoured"


def test_retry_on_5xx_during_efetch(eutils: Eutils) -> None:
    failures = {"n": 0}

    def flaky(endpoint: str, params: dict[str, str]) -> Response:
        if endpoint == "efetch.fcgi" and params["retstart"] == "2" and failures["n"] < 2:
            failures["n"] += 1
            return 502, {}, b"<html>Bad Gateway</html>"
        return _recorded(endpoint, params)

    eutils.respond = flaky
    with EutilsClient(base_url=eutils.base_url, api_key="k", backoff=0.01) as client:
        records = list(client.fetch(QUERY, max_records=3, batch_size=2))
    assert len(records) == 3
    assert [p["retstart"] for p in eutils.calls("efetch.fcgi")] == ["0", "2", "2", "2"]


def test_retry_exhaustion_raises_eutils_error(eutils: Eutils) -> None:
    eutils.respond = lambda endpoint, params: (503, {}, b"Service Unavailable")
    with EutilsClient(base_url=eutils.base_url, api_key="k", max_retries=2, backoff=0.01) as client:
        with pytest.raises(EutilsError, match="after 3 attempts.*503"):
            client.search(QUERY, max_records=3)
    assert len(eutils.requests) == 3


def test_connection_errors_are_retried_then_raise() -> None:
    with socket.socket() as s:  # bound but not listening: connections are refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        client = EutilsClient(
            base_url=f"http://127.0.0.1:{port}/", api_key="k", max_retries=1, backoff=0.01
        )
        with pytest.raises(EutilsError, match="after 2 attempts.*ConnectError"):
            client.search(QUERY)
        client.close()


def test_client_errors_are_not_retried(eutils: Eutils) -> None:
    eutils.respond = lambda endpoint, params: (400, {}, b'{"error":"API key invalid"}')
    with EutilsClient(base_url=eutils.base_url, api_key="bad", backoff=0.01) as client:
        with pytest.raises(EutilsError, match="API key invalid"):
            client.search(QUERY)
    assert len(eutils.requests) == 1


def test_esearch_error_body_raises(eutils: Eutils) -> None:
    eutils.respond = lambda endpoint, params: (200, {}, _fixture("esearch_error.json"))
    with EutilsClient(base_url=eutils.base_url, api_key="k") as client:
        with pytest.raises(EutilsError, match="nothing todo"):
            client.search("")


def test_efetch_error_body_raises(eutils: Eutils) -> None:
    def expired(endpoint: str, params: dict[str, str]) -> Response:
        if endpoint == "efetch.fcgi":
            return 200, {}, _fixture("efetch_error.xml")
        return _recorded(endpoint, params)

    eutils.respond = expired
    with EutilsClient(base_url=eutils.base_url, api_key="k") as client:
        with pytest.raises(EutilsError, match="Unable to obtain query"):
            list(client.fetch(QUERY, max_records=3))


def test_short_batch_is_quarantined_not_silently_lost(eutils: Eutils) -> None:
    def short(endpoint: str, params: dict[str, str]) -> Response:
        if endpoint == "efetch.fcgi" and "rettype" not in params:  # asked for 3 in one batch, only 2 come back
            return 200, {}, _fixture("efetch_retstart0.xml")
        return _recorded(endpoint, params)

    eutils.respond = short
    with EutilsClient(base_url=eutils.base_url, api_key="k") as client:
        records = list(client.fetch(QUERY, max_records=3, batch_size=10))
    assert [type(r) for r in records] == [Document, Document, Quarantine]
    missing = records[-1]
    assert missing.record == "PMID 399298" and missing.id == "PMID:399298"
    assert missing.reason == "E330: efetch returned 2 of the 3 records asked for"
    # the PMIDs were asked for only because the batch was short: of the same page of the same history
    xml, uilist = eutils.calls("efetch.fcgi")
    assert uilist["rettype"] == "uilist" and "rettype" not in xml
    assert {k: uilist[k] for k in ("WebEnv", "query_key", "retstart", "retmax")} == \
        {k: xml[k] for k in ("WebEnv", "query_key", "retstart", "retmax")}


def _only(*pmids: str) -> bytes:
    """efetch_retstart0.xml with only the records of ``pmids``."""
    body = _fixture("efetch_retstart0.xml")
    head, *records = body.split(b"<PubmedArticle>")
    kept = [r for r in records if any(f'<PMID Version="1">{p}</PMID>'.encode() in r for p in pmids)]
    tail = b"" if kept[-1:] == records[-1:] else b"</PubmedArticleSet>\n"
    return b"<PubmedArticle>".join([head, *kept]) + tail


def test_a_short_batch_that_is_not_the_head_of_its_page_names_each_pmid_that_did_not_come_back(eutils: Eutils) -> None:
    eutils.respond = lambda endpoint, params: (
        (200, {}, _only("399296")) if endpoint == "efetch.fcgi" and "rettype" not in params
        else _recorded(endpoint, params))
    with EutilsClient(base_url=eutils.base_url, api_key="k") as client:
        records = list(client.fetch(QUERY, max_records=3, batch_size=10))
    assert [r.id for r in records] == ["PMID:399296", "PMID:29768149", "PMID:399298"]
    assert [type(r) for r in records] == [Document, Quarantine, Quarantine]
    assert all(r.reason == "E330: efetch returned 1 of the 3 records asked for" for r in records[1:])


@pytest.mark.parametrize(("damage", "code", "documents"), [
    # cut after its last complete record: the rest of the page never came
    (lambda body: body.replace(b"</PubmedArticleSet>", b""), "E316", 2),
    # damaged between two records: every record was read
    (lambda body: body.replace(b"</PubmedArticle>", b"</PubmedArticle><<junk", 1), "E314", 2),
    # a gzip stream cut short: the parser stops before its first record
    (lambda body: gzip.compress(body)[:2000], "E301", 0),
])
def test_a_quarantine_of_the_whole_batch_file_is_not_counted_as_a_record(eutils: Eutils, damage, code,
                                                                         documents) -> None:
    """QA: a quarantine of the batch file counted as a record returned, so a page of 3 with 2 records and
    the file's E316 came out whole, and the third record was lost without a word."""
    eutils.respond = lambda endpoint, params: (
        (200, {}, damage(_fixture("efetch_retstart0.xml"))) if endpoint == "efetch.fcgi" and "rettype" not in params
        else _recorded(endpoint, params))
    with EutilsClient(base_url=eutils.base_url, api_key="k") as client:
        records = list(client.fetch(QUERY, max_records=3, batch_size=10))
    assert [r.id for r in records if isinstance(r, Document)] == [f"PMID:{p}" for p in PMIDS[:documents]]
    quarantined = [r for r in records if isinstance(r, Quarantine)]
    assert quarantined[0].reason.startswith(f"{code}: ")
    assert [q.id for q in quarantined[1:]] == [f"PMID:{p}" for p in PMIDS[documents:]]
    assert all(q.reason == f"E330: efetch returned {documents} of the 3 records asked for" for q in quarantined[1:])


def test_a_short_batch_whose_pmids_cannot_be_listed_is_named_by_position(
    eutils: Eutils, caplog: pytest.LogCaptureFixture
) -> None:
    def short(endpoint: str, params: dict[str, str]) -> Response:
        if endpoint == "efetch.fcgi" and params.get("rettype") == "uilist":
            return 400, {}, b"Bad Request"
        if endpoint == "efetch.fcgi":
            return 200, {}, _fixture("efetch_retstart0.xml")
        return _recorded(endpoint, params)

    eutils.respond = short
    with caplog.at_level("WARNING", logger="kg.sources.eutils"):
        with EutilsClient(base_url=eutils.base_url, api_key="k") as client:
            records = list(client.fetch(QUERY, max_records=3, batch_size=10))
    assert [type(r) for r in records] == [Document, Document, Quarantine]
    assert records[-1].record == "records 3-3" and records[-1].id is None
    assert f"E249: cannot list the PMIDs efetch {QUERY!r} retstart=0 asked for" in caplog.text


def test_malformed_batch_quarantine_names_the_request_not_a_temp_file(eutils: Eutils) -> None:
    def cut(endpoint: str, params: dict[str, str]) -> Response:
        if endpoint == "efetch.fcgi" and "rettype" not in params:  # connection-level success, the XML stops mid-record
            body = _fixture("efetch_retstart0.xml")
            return 200, {}, body[: body.index(b"<PMID Version=\"1\">399296")]
        return _recorded(endpoint, params)

    eutils.respond = cut
    with EutilsClient(base_url=eutils.base_url, api_key="k") as client:
        records = list(client.fetch(QUERY, max_records=3, batch_size=10))
    assert isinstance(records[0], Document) and records[0].id == "PMID:29768149"
    quarantined = [r for r in records if isinstance(r, Quarantine)]
    assert quarantined and all(q.file == f"efetch {QUERY!r} retstart=0" for q in quarantined)
    # one outcome per record asked for: #2, cut before its PMID, then the missing third by its PMID
    assert [q.record for q in quarantined] == ["#2", "PMID 399298"]


def test_pubmed_10000_record_cap_is_applied_and_logged(
    eutils: Eutils, caplog: pytest.LogCaptureFixture
) -> None:
    big = _fixture("esearch.json").replace(b'"count":"3"', b'"count":"25000"')

    def many(endpoint: str, params: dict[str, str]) -> Response:
        return (200, {}, big) if endpoint == "esearch.fcgi" else _recorded(endpoint, params)

    eutils.respond = many
    with caplog.at_level("WARNING", logger="kg.sources.eutils"):
        with EutilsClient(base_url=eutils.base_url, api_key="k") as client:
            records = list(client.fetch(QUERY, batch_size=50_000))
    assert "E246: " in caplog.text and "at most the first 10000" in caplog.text
    assert [p["retmax"] for p in eutils.calls("efetch.fcgi") if "rettype" not in p] == ["10000"]
    # the fake history knows 3 PMIDs, not the 10000 of the page: the records missing are named by position
    assert records[-1].record == "records 3-10000" and "E249: " in caplog.text


def test_a_search_with_no_hits_is_an_empty_fetch_not_an_error(
    eutils: Eutils, caplog: pytest.LogCaptureFixture
) -> None:
    # NCBI keeps no history for zero hits: the body has no webenv/querykey, and may list phrases not found
    none = b'{"esearchresult":{"count":"0","retmax":"0","retstart":"0","idlist":[],"translationset":[],' \
        b'"querytranslation":"","errorlist":{"phrasesnotfound":["zz"],"fieldsnotfound":[]}}}'
    eutils.respond = lambda endpoint, params: (200, {}, none) if endpoint == "esearch.fcgi" else (500, {}, b"")
    with caplog.at_level("WARNING", logger="kg.sources.eutils"):
        with EutilsClient(base_url=eutils.base_url, api_key="k") as client:
            assert client.search("zz") == (0, "", "")
            assert list(client.fetch("zz")) == []
    assert eutils.calls("efetch.fcgi") == []
    assert "E247: esearch for 'zz' found no record; PubMed did not find: zz" in caplog.text


@pytest.mark.parametrize("body", [b'{"esearchresult": null}', b'{"esearchresult": []}', b'[1]'])
def test_a_body_without_a_search_result_is_e240(eutils: Eutils, body: bytes) -> None:
    eutils.respond = lambda endpoint, params: (200, {}, body)
    with EutilsClient(base_url=eutils.base_url, api_key="k") as client:
        with pytest.raises(EutilsError) as exc:
            client.search(QUERY)
    assert exc.value.code == "E240"


def test_injected_http_client_is_used_and_not_closed(eutils: Eutils) -> None:
    seen: list[str] = []
    http = httpx.Client(event_hooks={"request": [lambda req: seen.append(req.url.path)]})
    with EutilsClient(base_url=eutils.base_url, api_key="k", http=http) as client:
        client.search(QUERY)
    assert seen == ["/entrez/eutils/esearch.fcgi"]
    assert not http.is_closed
    http.close()


@pytest.mark.parametrize("status", [400, 429])
def test_the_api_key_ncbi_repeats_in_an_error_body_is_never_in_the_error_or_the_log(eutils: Eutils, status: int,
                                                                                    caplog) -> None:
    """QA: NCBI's 400 "API key invalid" and 429 bodies carry the key ("api-key":"..."); E244/E245 and the
    retry log lines printed it, where the README says a key is never shown."""
    body = b'{"error":"API key invalid","api-key":"SECRETKEY123","type":"invalid","status":"unknown"}'
    eutils.respond = lambda endpoint, params: (status, {"Content-Type": "application/json"}, body)
    caplog.set_level("INFO", logger="kg.sources.eutils")
    with EutilsClient(base_url=eutils.base_url, api_key="SECRETKEY123", max_retries=1, backoff=0.01) as client:
        with pytest.raises(EutilsError) as raised:
            client.search(QUERY, max_records=3)
    assert raised.value.code == ("E244" if status == 400 else "E245")
    assert '"api-key":"***"' in str(raised.value) and "SECRETKEY123" not in str(raised.value)
    assert "SECRETKEY123" not in caplog.text


def test_the_base_url_comes_from_the_settings(eutils: Eutils, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDKG_EUTILS_BASE_URL", eutils.base_url.rstrip("/"))  # the slash is added
    with EutilsClient.from_settings(load_settings()) as client:
        assert client.base_url == eutils.base_url
        assert client.search(QUERY)[0] == 3
    assert len(eutils.calls("esearch.fcgi")) == 1
    with EutilsClient.from_settings(Settings()) as client:
        assert client.base_url == "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"


@pytest.mark.parametrize("url", ["eutils.ncbi.nlm.nih.gov/entrez/eutils/", "ftp://mirror.example.org/eutils/",
                                 "https://", "https://mirror.example.org/eutils/?db=pubmed",
                                 "https://mirror.example.org/eutils/#top"])
def test_a_base_url_that_is_not_an_http_url_is_e248(url: str) -> None:
    with pytest.raises(EutilsError) as exc:
        EutilsClient.from_settings(Settings(eutils_base_url=url))
    assert exc.value.code == "E248" and exc.value.message == \
        f"E-utilities base URL {url!r} is not an http:// or https:// URL without ?query or #fragment"
    assert "MEDKG_EUTILS_BASE_URL" in exc.value.hint


def test_the_base_url_setting_is_read_from_the_config_file_and_may_not_be_blank(tmp_path: Path,
                                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MEDKG_EUTILS_BASE_URL", raising=False)
    cfg = tmp_path / "medkg.toml"
    cfg.write_text('[medkg]\neutils_base_url = "http://proxy.example.org:8080/eutils/"\n')
    assert load_settings(cfg).eutils_base_url == "http://proxy.example.org:8080/eutils/"
    cfg.write_text('eutils_base_url = " "\n')
    with pytest.raises(ConfigError, match="E104: setting 'eutils_base_url' is invalid"):
        load_settings(cfg)
